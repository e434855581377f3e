/* Unit tests of lib/basket_partial.c (the SON files), lib/basket_son.c (the
 * passes), lib/basket_candidates.c (exact counts) and the tally databases
 * of lib/basket.c.  The numbers are counted by hand beside each case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crm/basket_candidates.h"
#include "crm/basket_partial.h"
#include "crm/basket_son.h"

/* The four baskets of every case: k1 {a,b}, k2 {a,c}, k3 {a,b,c}, k4 {b}.
 * Counts: a 3, b 3, c 2, ab 2, ac 2, bc 1, abc 1. */
static const char *const rows[8][2] = {
    {"k1", "a"}, {"k1", "b"}, {"k2", "a"}, {"k2", "c"}, {"k3", "a"}, {"k3", "b"}, {"k3", "c"}, {"k4", "b"}
};

static crm_basket_db *pairs_db(size_t from, size_t to, int edges)
{
    crm_error err;
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    for (size_t i = from; i < to; i++)
        assert_int_equal(crm_basket_db_add_pair(db, rows[i][0], 2, rows[i][1], 1, &err), CRM_OK);
    if (edges) {   /* the keys of the first and last rows, as crm-basket sets them aside */
        assert_int_equal(crm_basket_db_set_aside(db, rows[from][0], 2, &err), CRM_OK);
        assert_int_equal(crm_basket_db_set_aside(db, rows[to - 1][0], 2, &err), CRM_OK);
    }
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    return db;
}

static uint32_t id_of(const crm_basket_db *db, const char *name)
{
    uint32_t id;
    assert_true(crm_basket_db_find_item(db, name, strlen(name), &id));
    return id;
}

static void test_candidates_count(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *db = pairs_db(0, 8, 0);
    crm_basket_candidates *c;
    assert_int_equal(crm_basket_candidates_new(db, &c, &err), CRM_OK);
    uint32_t ab[2] = {id_of(db, "b"), id_of(db, "a")}, bc[2] = {id_of(db, "b"), id_of(db, "c")};
    uint32_t abc[3] = {id_of(db, "c"), id_of(db, "a"), id_of(db, "b")};
    size_t nab, nbc, nabc, again;
    assert_int_equal(crm_basket_candidates_add(c, ab, 2, &nab, &err), CRM_OK);
    assert_int_equal(crm_basket_candidates_add(c, bc, 2, &nbc, &err), CRM_OK);
    assert_int_equal(crm_basket_candidates_add(c, abc, 3, &nabc, &err), CRM_OK);
    assert_int_equal(crm_basket_candidates_add(c, ab, 2, &again, &err), CRM_OK);
    assert_int_equal(again, nab);   /* the same set, the same node */
    uint32_t twice[2] = {ab[0], ab[0]};
    assert_int_equal(crm_basket_candidates_add(c, twice, 2, &again, &err), CRM_EUSAGE);
    uint64_t *counts = malloc(crm_basket_candidates_nodes(c) * sizeof *counts);
    assert_int_equal(crm_basket_candidates_count(c, counts, &err), CRM_OK);
    assert_int_equal(counts[0], 4);
    assert_int_equal(counts[nab], 2);
    assert_int_equal(counts[nbc], 1);
    assert_int_equal(counts[nabc], 1);
    free(counts);
    crm_basket_candidates_free(c);
    crm_basket_db_free(db);
}

/* A tally database of n = 4 with a 3, b 3, c 2 and the counted sets of
 * the whole input at min_count 2: a 3, b 3, ab 2, ac 2, c 2 (bc 1 below),
 * reported by size, then count descending, then names. */
static void test_itemsets_from_counts(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *t;
    assert_int_equal(crm_basket_db_new(&t, NULL, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_tally(t, 4, NULL, &err), CRM_OK);
    const char *names[3] = {"c", "a", "b"};
    uint64_t item_counts[3] = {2, 3, 3};
    for (int i = 0; i < 3; i++)
        assert_int_equal(crm_basket_db_add_item_tally(t, names[i], 1, item_counts[i], &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(t, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(t), 4);
    assert_int_equal(crm_basket_db_item_count(t, id_of(t, "a")), 3);
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    crm_basket_itemsets *sets;
    assert_int_equal(crm_basket_mine(t, &mo, &sets, &err), CRM_EUSAGE);   /* no baskets to mine */
    uint32_t a = id_of(t, "a"), b = id_of(t, "b"), c = id_of(t, "c");
    uint32_t ids[] = {a, b, c, b, a, a, c, c, b};
    crm_basket_counted_set counted[] = {{ids, 1, 3}, {ids + 1, 1, 3}, {ids + 2, 1, 2}, {ids + 3, 2, 2},
                                        {ids + 5, 2, 2}, {ids + 7, 2, 1}};
    mo.min_count = 2;
    assert_int_equal(crm_basket_itemsets_from_counts(t, &mo, counted, 6, &sets, &err), CRM_OK);
    assert_int_equal(crm_basket_itemsets_count(sets), 5);
    const crm_basket_itemset *s = crm_basket_itemsets_get(sets, 2);
    assert_int_equal(s->size, 1);
    assert_int_equal(s->items[0], c);
    s = crm_basket_itemsets_get(sets, 4);
    assert_int_equal(s->size, 2);
    assert_int_equal(s->count, 2);
    assert_true(s->support == 0.5);
    uint32_t ac[2] = {c, a};
    assert_int_equal(crm_basket_itemsets_lookup(sets, ac, 2), 2);
    crm_basket_itemsets_free(sets);
    crm_basket_counted_set too_many = {ids, 1, 5};   /* 5 of 4 baskets */
    assert_int_equal(crm_basket_itemsets_from_counts(t, &mo, &too_many, 1, &sets, &err), CRM_EDATA);
    crm_basket_db_free(t);
}

static void write_file(const crm_basket_partial *p, const char *path)
{
    crm_error err;
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_basket_partial_write(p, w, &err), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
}

static crm_status read_file(crm_basket_partial *p, const char *path, crm_error *err)
{
    crm_csv_options o;
    crm_csv_options_init(&o);
    o.threads = 1;
    return crm_basket_partial_read(p, path, &o, err);
}

static char *temp_path(const char *name)
{
    static char buf[4][256];
    static int next;
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/test_basket_partial.%ld.%s", dir, (long)getpid(), name);
    return b;
}

/* The whole input split into two pieces by rows: piece 1 is rows 1-5
 * (k1 k1 k2 k2 k3), piece 2 rows 6-8 (k3 k3 k4).  Piece 1 sets aside k1
 * and k3 (its first and last rows), keeps k2; piece 2 sets aside k3 and
 * k4 and keeps nothing.  Joined edges: k1 {a,b}, k3 {a,b,c}, k4 {b}.  At
 * support 0.5 the merge must give what mining the four baskets gives:
 * min_count ceil(0.5 x 4) = 2, itemsets a 3, b 3, ab 2, ac 2, c 2. */
static void test_son_row_split(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *piece[2] = {pairs_db(0, 5, 1), pairs_db(5, 8, 1)};
    assert_int_equal(crm_basket_db_count(piece[0]), 1);
    assert_int_equal(crm_basket_db_aside_count(piece[0]), 2);
    assert_int_equal(crm_basket_db_count(piece[1]), 0);
    const char *key;
    size_t key_len, n;
    (void)crm_basket_db_aside(piece[1], 0, &key, &key_len, &n);
    assert_string_equal(key, "k3");
    assert_int_equal(n, 2);   /* k3's rows b and c of piece 2 */
    crm_basket_partial_settings s = {1, 0.5, 0, ',', CRM_BASKET_EMPTY_COUNT};
    const char *p1[2] = {temp_path("p1a"), temp_path("p1b")}, *p2[2] = {temp_path("p2a"), temp_path("p2b")};
    for (int i = 0; i < 2; i++) {
        crm_basket_partial *out;
        uint64_t min_count;
        assert_int_equal(crm_basket_partial_new(&out, &err), CRM_OK);
        assert_int_equal(crm_basket_son_pass1(piece[i], &s, NULL, out, &min_count, &err), CRM_OK);
        /* piece 1: 1 basket, 2 edges: max(1, ceil(0.5) - 1 - 2) = 1 */
        assert_int_equal(min_count, 1);
        write_file(out, p1[i]);
        crm_basket_partial_free(out);
    }
    crm_basket_partial *pass1;
    assert_int_equal(crm_basket_partial_new(&pass1, &err), CRM_OK);
    assert_int_equal(read_file(pass1, p1[0], &err), CRM_OK);
    assert_int_equal(read_file(pass1, p1[1], &err), CRM_OK);
    assert_int_equal(crm_basket_partial_edge_count(pass1), 3);       /* k1, k3 joined, k4 */
    assert_int_equal(crm_basket_partial_edge_items(pass1), 2 + 1 + 2 + 1);
    assert_int_equal(crm_basket_partial_itemset_count(pass1), 3);    /* k2's a, c, ac */
    for (int i = 0; i < 2; i++) {
        crm_basket_partial *out;
        assert_int_equal(crm_basket_partial_new(&out, &err), CRM_OK);
        assert_int_equal(crm_basket_son_pass2(pass1, piece[i], NULL, out, &err), CRM_OK);
        write_file(out, p2[i]);
        crm_basket_partial_free(out);
    }
    crm_basket_partial *counts;
    assert_int_equal(crm_basket_partial_new(&counts, &err), CRM_OK);
    assert_int_equal(read_file(counts, p2[0], &err), CRM_OK);
    assert_int_equal(read_file(counts, p2[1], &err), CRM_OK);
    crm_basket_db *tally, *edges;
    assert_int_equal(crm_basket_son_tally(counts, &tally, &edges, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(tally), 4);
    assert_int_equal(crm_basket_db_count(edges), 3);
    assert_int_equal(crm_basket_db_item_count(tally, id_of(tally, "b")), 3);
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    mo.min_count = 2;
    crm_basket_itemsets *sets;
    assert_int_equal(crm_basket_son_itemsets(counts, tally, edges, &mo, &sets, &err), CRM_OK);
    assert_int_equal(crm_basket_itemsets_count(sets), 5);
    uint32_t ab[2] = {id_of(tally, "a"), id_of(tally, "b")};
    assert_int_equal(crm_basket_itemsets_lookup(sets, ab, 2), 2);
    crm_basket_itemsets_free(sets);
    mo.min_count = 1;   /* below ceil(0.5 x 4): the candidates may miss sets */
    assert_int_equal(crm_basket_son_itemsets(counts, tally, edges, &mo, &sets, &err), CRM_EUSAGE);
    crm_basket_db_free(tally);
    crm_basket_db_free(edges);
    /* one piece's counts missing: they do not cover the candidates */
    crm_basket_partial *half;
    assert_int_equal(crm_basket_partial_new(&half, &err), CRM_OK);
    assert_int_equal(read_file(half, p2[0], &err), CRM_OK);
    assert_int_equal(crm_basket_son_tally(half, &tally, &edges, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "counts are of 1 pieces with 1 baskets, but the candidates came from "
                                        "2 pieces"));
    /* the same counts twice: k2 is counted in two pieces */
    assert_int_equal(read_file(half, p2[0], &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "column 'key': basket 'k2' is counted in another piece too"));
    crm_basket_partial_free(half);
    crm_basket_partial_free(counts);
    crm_basket_partial_free(pass1);
    for (int i = 0; i < 2; i++) {
        unlink(p1[i]);
        unlink(p2[i]);
        crm_basket_db_free(piece[i]);
    }
}

static void expect_read_error(const char *text, const char *message)
{
    crm_error err;
    const char *path = temp_path("bad");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    crm_basket_partial *p;
    assert_int_equal(crm_basket_partial_new(&p, &err), CRM_OK);
    assert_int_equal(read_file(p, path, &err), CRM_EDATA);
    const char *at = strchr(err.message, ':');   /* after the file name */
    assert_non_null(at);
    assert_string_equal(at + 1, message);
    crm_basket_partial_free(p);
    unlink(path);
}

#define SETTINGS "record,key,value,count\nphase,,2,\nsupport,,0.5,\nmax_len,,0,\nseparator,,\",\",\nempty,,count,\n"

static void test_bad_files(void **state)
{
    (void)state;
    expect_read_error("items,size,count\n", "1: not a crm-basket partial file (expected the header "
                                             "record,key,value,count)");
    expect_read_error(SETTINGS "itemset,,{a},x\n", "7: column 'count': 'x' is not a count (a whole number)");
    expect_read_error(SETTINGS "itemset,,\"{b,a}\",1\n", "7: column 'value': '{b,a}' does not list its items once "
                                                      "each in byte order");
    expect_read_error(SETTINGS "itemset,,a,1\n", "7: column 'value': 'a' is not a set of items written {a,b}");
    expect_read_error(SETTINGS "basket,k1,0123,\n", "7: column 'value': '0123' is not a key hash (16 lower-case "
                                                     "hex digits)");
    expect_read_error(SETTINGS "basket,k1,0000000000000000,\n", "7: column 'value': '0000000000000000' is not "
                                                                 "the hash of the key");
    expect_read_error(SETTINGS "frobnicate,,,\n", "7: column 'record': 'frobnicate' is not a record of a "
                                                  "crm-basket partial file");
    expect_read_error("record,key,value,count\nitemset,,{a},1\n", "2: column 'record': 'itemset' comes before "
                      "the settings rows (phase, support, max_len, separator, empty)");
    expect_read_error(SETTINGS "record,key,value,count\nphase,,1,\nsupport,,0.5,\nmax_len,,0,\nseparator,,\",\",\n"
                      "empty,,count,\n", "12: the phase differs from that of the partials before");
    expect_read_error("record,key,value,count\nsupport,,1.5,\n", "2: column 'value': '1.5' is not a support (a "
                                                                  "fraction above 0, at most 1)");
}

/* Concatenated files: the repeated header starts the next file, counts add up. */
static void test_concatenated(void **state)
{
    (void)state;
    crm_error err;
    const char *path = temp_path("cat");
    FILE *f = fopen(path, "w");
    fputs(SETTINGS "pieces,,,1\nbaskets,,,3\nitemset,,{a},2\n" SETTINGS "pieces,,,1\nbaskets,,,2\nitemset,,{a},1\n"
          "itemset,,\"{a,b}\",1\n", f);
    fclose(f);
    crm_basket_partial *p;
    assert_int_equal(crm_basket_partial_new(&p, &err), CRM_OK);
    assert_int_equal(read_file(p, path, &err), CRM_OK);
    assert_int_equal(crm_basket_partial_pieces(p), 2);
    assert_int_equal(crm_basket_partial_baskets(p), 5);
    assert_int_equal(crm_basket_partial_itemset_count(p), 2);
    size_t len;
    uint64_t count;
    assert_string_equal(crm_basket_partial_itemset(p, 0, &len, &count), "a");
    assert_int_equal(count, 3);
    assert_string_equal(crm_basket_partial_itemset(p, 1, &len, &count), "a,b");
    crm_basket_partial_free(p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candidates_count),
        cmocka_unit_test(test_itemsets_from_counts),
        cmocka_unit_test(test_son_row_split),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_concatenated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
