/* Unit tests of lib/segment_map.c: the RFM segment map file of
 * crm-segment --map.  The default map written and read back gives the same
 * rules (the table in crm/segment.h); bad files are refused naming the
 * file, the line and the value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/segment_map.h"

static crm_csv_reader *open_text(const char *text, const char *name)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), name, &opts, &err), CRM_OK);
    return r;
}

static crm_status read_text(const char *text, int bins, crm_rfm_rule **rules, size_t *count, crm_error *err)
{
    crm_csv_reader *r = open_text(text, "map.csv");
    crm_status st = crm_segment_map_read(r, bins, rules, count, err);
    crm_csv_close(r);
    return st;
}

static void test_default_map_round_trip(void **state)
{
    (void)state;
    crm_rfm_rule rules[CRM_RFM_DEFAULT_RULES], *back = NULL;
    size_t count, nback;
    crm_error err;
    assert_int_equal(crm_rfm_default_map(5, rules, &count, &err), CRM_OK);
    char path[] = "/tmp/test_segment_map_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_segment_map_write(w, rules, count), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    assert_int_equal(crm_segment_map_load(path, 5, &back, &nback, &err), CRM_OK);
    unlink(path);
    assert_int_equal(nback, count);
    for (size_t i = 0; i < count; i++) {
        assert_string_equal(back[i].name, rules[i].name);
        assert_int_equal(back[i].r_lo, rules[i].r_lo);
        assert_int_equal(back[i].r_hi, rules[i].r_hi);
        assert_int_equal(back[i].f_lo, rules[i].f_lo);
        assert_int_equal(back[i].f_hi, rules[i].f_hi);
        assert_int_equal(back[i].m_lo, rules[i].m_lo);
        assert_int_equal(back[i].m_hi, rules[i].m_hi);
    }
    /* Champions is r 5, f 4-5, m 1-5 (crm/segment.h) */
    assert_string_equal(back[0].name, "Champions");
    assert_int_equal(back[0].f_lo, 4);
    free(back);
}

/* Columns are found by name in any order; a star is every score. */
static void test_columns_by_name(void **state)
{
    (void)state;
    crm_rfm_rule *rules = NULL;
    size_t count;
    crm_error err;
    assert_int_equal(read_text("m,f,r,segment\n*,4-5,5,Best\n1-2,*,1,Gone\n", 5, &rules, &count, &err), CRM_OK);
    assert_int_equal(count, 2);
    assert_string_equal(rules[0].name, "Best");
    assert_int_equal(rules[0].r_lo, 5);
    assert_int_equal(rules[0].f_lo, 4);
    assert_int_equal(rules[0].m_lo, 1);
    assert_int_equal(rules[0].m_hi, 5);
    assert_int_equal(rules[1].m_hi, 2);
    free(rules);
}

static void expect_error(const char *text, const char *message)
{
    crm_rfm_rule *rules = NULL;
    size_t count;
    crm_error err;
    assert_int_equal(read_text(text, 5, &rules, &count, &err), CRM_EDATA);
    assert_string_equal(err.message, message);
    free(rules);
}

static void test_bad_maps(void **state)
{
    (void)state;
    expect_error("segment,r,f,m\nBest,5,5,*\nGood,4,x-4,*\n",
                 "map.csv:3: segment 'Good', f: range 'x-4' is not a score, two scores joined by '-', or '*'");
    expect_error("segment,r,f,m\nBest,4-5,4-5,*\nGood,4,4,1\n",
                 "map.csv:3: segments 'Best' (rule 1) and 'Good' (rule 2) overlap at r=4 f=4 m=1");
    expect_error("segment,r,f,m\n", "map.csv: the segment map has no rules");
    expect_error("a,b\nBest,5\n", "map.csv:2: expected segment,r,f,m, found 2 fields");
}

static void test_missing_file(void **state)
{
    (void)state;
    crm_rfm_rule *rules = NULL;
    size_t count;
    crm_error err;
    assert_int_not_equal(crm_segment_map_load("/nonexistent/map.csv", 5, &rules, &count, &err), CRM_OK);
    assert_non_null(strstr(err.message, "/nonexistent/map.csv"));
    assert_null(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_map_round_trip),
        cmocka_unit_test(test_columns_by_name),
        cmocka_unit_test(test_bad_maps),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
