/* Unit tests of crm-rfm's partial aggregates under row splits (crm/rfm.h:
 * crm_rfm_invoice_key, crm_rfm_keep_invoice_keys): an invoice whose lines are
 * cut across parts counts once when the day totals carry their invoice keys,
 * and twice without them (the hand count beside each case). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crm/csv.h"
#include "crm/rfm.h"
#include "crm/rfm_partial.h"

enum { MAX_TOTALS = 16, MAX_KEYS = 16 };

/* Day totals copied out of crm_rfm_each_day (their keys copied too). */
typedef struct {
    crm_rfm_day_total t[MAX_TOTALS];
    char customer[MAX_TOTALS][8];
    uint64_t keys[MAX_TOTALS][MAX_KEYS];
    size_t n;
} totals;

static crm_status collect(void *ctx, const crm_rfm_day_total *t, crm_error *err)
{
    (void)err;
    totals *c = ctx;
    assert_true(c->n < MAX_TOTALS && t->customer_len < 8 && t->ninvoice_keys <= MAX_KEYS);
    memcpy(c->customer[c->n], t->customer, t->customer_len);
    if (t->ninvoice_keys)
        memcpy(c->keys[c->n], t->invoice_keys, t->ninvoice_keys * sizeof *t->invoice_keys);
    c->t[c->n] = *t;
    c->t[c->n].customer = c->customer[c->n];
    c->t[c->n].invoice_keys = c->keys[c->n];
    c->n++;
    return CRM_OK;
}

static void add_line(crm_rfm *a, const char *customer, const char *invoice, int32_t day)
{
    crm_rfm_line line = {customer, strlen(customer), invoice, strlen(invoice), day, {100, 2}, {0, 0}};
    assert_int_equal(crm_rfm_add(a, &line, NULL), CRM_OK);
}

static crm_rfm *new_part(int keep_keys)
{
    crm_rfm_config cfg = {1, 0};
    crm_rfm *a;
    assert_int_equal(crm_rfm_new(&a, &cfg, NULL), CRM_OK);
    if (keep_keys)
        assert_int_equal(crm_rfm_keep_invoice_keys(a, NULL), CRM_OK);
    return a;
}

/* Customer A: invoice 7 on day 100 cut across the two parts (2 lines in the
 * first, 1 in the second), invoice 8 on day 101 in the second: frequency 2 by
 * hand.  Without keys the cut invoice counts in each part: 3. */
static uint64_t merged_frequency(int keep_keys, totals *first)
{
    crm_rfm *p1 = new_part(keep_keys), *p2 = new_part(keep_keys), *merged = new_part(0);
    add_line(p1, "A", "7", 100);
    add_line(p1, "A", "7", 100);
    add_line(p2, "A", "7", 100);
    add_line(p2, "A", "8", 101);
    totals c1 = {0}, c2 = {0};
    assert_int_equal(crm_rfm_each_day(p1, collect, &c1, NULL), CRM_OK);
    assert_int_equal(crm_rfm_each_day(p2, collect, &c2, NULL), CRM_OK);
    for (size_t i = 0; i < c1.n; i++)
        assert_int_equal(crm_rfm_add_day(merged, &c1.t[i], NULL), CRM_OK);
    for (size_t i = 0; i < c2.n; i++)
        assert_int_equal(crm_rfm_add_day(merged, &c2.t[i], NULL), CRM_OK);
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.as_of = 102;
    crm_rfm_result r;
    assert_int_equal(crm_rfm_finish(merged, &o, &r, NULL), CRM_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.rows_in, 4);
    uint64_t f = r.customers[0].frequency;
    crm_rfm_result_free(&r);
    if (first)
        *first = c1;
    crm_rfm_free(p1);
    crm_rfm_free(p2);
    crm_rfm_free(merged);
    return f;
}

static void test_cut_invoice_counts_once_with_keys(void **state)
{
    (void)state;
    totals c1;
    assert_int_equal(merged_frequency(1, &c1), 2);
    /* the first part's one day total names invoice 7 by its key */
    assert_int_equal(c1.n, 1);
    assert_true(c1.t[0].has_invoice_keys);
    assert_int_equal(c1.t[0].ninvoice_keys, 1);
    assert_int_equal(c1.t[0].invoices, 1);
    assert_true(c1.keys[0][0] == crm_rfm_invoice_key("A", 1, "7", 1, 100));
}

static void test_cut_invoice_counts_twice_without_keys(void **state)
{
    (void)state;
    assert_int_equal(merged_frequency(0, NULL), 3);
}

static void test_invoice_keys(void **state)
{
    (void)state;
    /* the customer is part of the key; the day only for an empty invoice id */
    assert_true(crm_rfm_invoice_key("A", 1, "7", 1, 100) == crm_rfm_invoice_key("A", 1, "7", 1, 5));
    assert_true(crm_rfm_invoice_key("A", 1, "7", 1, 100) != crm_rfm_invoice_key("B", 1, "7", 1, 100));
    assert_true(crm_rfm_invoice_key("A", 1, "", 0, 100) != crm_rfm_invoice_key("A", 1, "", 0, 101));
    assert_true(crm_rfm_invoice_key("A", 1, "", 0, 100) == crm_rfm_invoice_key("A", 1, "", 0, 100));
}

static void test_keys_sorted_within_a_day(void **state)
{
    (void)state;
    crm_rfm *a = new_part(1);
    add_line(a, "A", "9", 100);
    add_line(a, "A", "1", 100);
    add_line(a, "A", "5", 100);
    add_line(a, "A", "1", 100);   /* seen: not counted, not listed again */
    totals c = {0};
    assert_int_equal(crm_rfm_each_day(a, collect, &c, NULL), CRM_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.t[0].ninvoice_keys, 3);
    assert_int_equal(c.t[0].invoices, 3);
    assert_true(c.keys[0][0] < c.keys[0][1] && c.keys[0][1] < c.keys[0][2]);
    crm_rfm_free(a);
}

/* ---- the partial file (crm/rfm_partial.h) ---- */

static char *write_partial(crm_rfm *a, int keys)
{
    static char text[4096];
    char path[] = "/tmp/crm-test-rfm-partial-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', NULL), CRM_OK);
    assert_int_equal(crm_rfm_partial_write(w, a, keys, NULL), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, NULL), CRM_OK);
    FILE *f = fopen(path, "r");
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    unlink(path);
    text[len] = '\0';
    return text;
}

static crm_csv_reader *open_text(const char *text)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), "p.csv", &opts, NULL), CRM_OK);
    return r;
}

static void test_partial_file_written_and_read(void **state)
{
    (void)state;
    crm_rfm *a = new_part(1);
    add_line(a, "B", "9", 100);
    add_line(a, "A", "7", 100);
    add_line(a, "A", "7", 100);
    /* A first (byte order), the key of (A, 7) in hex; amounts 1.00 each */
    char want[256];
    snprintf(want, sizeof want, "customer_id,date,rows,amount,invoices,invoice_keys\n"
             "A,1970-04-11,2,2.00,1,%016llx\nB,1970-04-11,1,1.00,1,%016llx\n",
             (unsigned long long)crm_rfm_invoice_key("A", 1, "7", 1, 100),
             (unsigned long long)crm_rfm_invoice_key("B", 1, "9", 1, 100));
    const char *text = write_partial(a, 1);
    assert_string_equal(text, want);
    /* read back, twice concatenated: the repeated header is skipped */
    static char twice[2 * 4096 + 1];
    snprintf(twice, sizeof twice, "%s%s", text, text);
    crm_csv_reader *r = open_text(twice);
    crm_rfm_partial_reader *p;
    assert_int_equal(crm_rfm_partial_open(&p, r, NULL), CRM_OK);
    crm_rfm_config cfg;
    int keys;
    crm_rfm_partial_layout(p, &cfg, &keys);
    assert_true(cfg.by_invoice && !cfg.with_profit && keys);
    crm_rfm_day_total t;
    int got, n = 0;
    while (crm_rfm_partial_next(p, &t, &got, NULL) == CRM_OK && got) {
        assert_int_equal(t.day, 100);
        assert_int_equal(t.ninvoice_keys, 1);
        assert_true(t.invoice_keys[0] == crm_rfm_invoice_key(t.customer, t.customer_len, n % 2 ? "9" : "7", 1, 100));
        n++;
    }
    assert_int_equal(n, 4);
    assert_int_equal(crm_rfm_partial_records(p), 5);   /* 4 rows and the repeated header */
    crm_rfm_partial_close(p);
    crm_csv_close(r);
    crm_rfm_free(a);
}

static void test_partial_file_refused(void **state)
{
    (void)state;
    crm_error err;
    crm_rfm_partial_reader *p;
    crm_csv_reader *r = open_text("customer_id,invoice_id,date,amount\n");
    assert_int_equal(crm_rfm_partial_open(&p, r, &err), CRM_EDATA);
    assert_string_equal(err.message, "p.csv: not a crm-rfm --partial file "
                                     "(header customer_id,date,rows,amount[,invoices[,invoice_keys]][,profit])");
    crm_csv_close(r);
    /* a bad count, then the reader goes on after it */
    r = open_text("customer_id,date,rows,amount,invoices,invoice_keys\nA,2020-01-01,1,2.00,2,00000000000000ab\n"
                  "B,2020-01-01,-1,1,0,\nC,2020-01-02,1,1,0,\n");
    assert_int_equal(crm_rfm_partial_open(&p, r, NULL), CRM_OK);
    crm_rfm_day_total t;
    int got;
    assert_int_equal(crm_rfm_partial_next(p, &t, &got, &err), CRM_EDATA);
    assert_string_equal(err.message, "p.csv:2: column 'invoice_keys': cannot read '00000000000000ab' as 2 invoice keys "
                                     "(16 lower-case hex digits each, one space apart)");
    assert_int_equal(crm_rfm_partial_next(p, &t, &got, &err), CRM_EDATA);
    assert_string_equal(err.message, "p.csv:3: column 'rows': cannot read '-1' as a count");
    assert_int_equal(crm_rfm_partial_next(p, &t, &got, NULL), CRM_OK);
    assert_true(got && t.customer[0] == 'C' && t.rows == 1);
    assert_int_equal(crm_rfm_partial_line(p), 4);
    crm_rfm_partial_close(p);
    crm_csv_close(r);
}

static void test_breakpoints_from_two_parts(void **state)
{
    (void)state;
    /* A's invoice 7 cut across the parts (as in merged_frequency): the
     * stream counts it once, frequency A 2 and B 1; 2 bins of {1, 2}:
     * h = 1 / 2, 1 + (2 - 1) / 2 = 1.5.  Recency: A 1 (last day 101), B 2:
     * as-of 102, the day after the last purchase.  Monetary: A 2 + 1 + 1 = 4,
     * B 1: 1 + (4 - 1) / 2 = 2.5. */
    static const char p1[] = "customer_id,date,rows,amount,invoices,invoice_keys\n"
                             "A,1970-04-11,2,2.00,1,0000000000000007\nB,1970-04-11,1,1.00,1,0000000000000009\n";
    static const char p2[] = "customer_id,date,rows,amount,invoices,invoice_keys\n"
                             "A,1970-04-11,1,1.00,1,0000000000000007\nA,1970-04-12,1,1.00,1,0000000000000008\n";
    crm_csv_reader *r[2] = {open_text(p1), open_text(p2)};
    crm_rfm_partial_reader *parts[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(crm_rfm_partial_open(&parts[i], r[i], NULL), CRM_OK);
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.bins = 2;
    crm_rfm_breakpoints b;
    assert_int_equal(crm_rfm_partial_breakpoints(parts, 2, &o, 0, NULL, NULL, &b, NULL), CRM_OK);
    assert_int_equal(b.as_of, 102);
    assert_int_equal(b.customers, 2);
    assert_true(b.breaks[CRM_RFM_F][0] == 1.5 && b.breaks[CRM_RFM_R][0] == 1.5 && b.breaks[CRM_RFM_M][0] == 2.5);
    for (int i = 0; i < 2; i++) {
        crm_rfm_partial_close(parts[i]);
        crm_csv_close(r[i]);
    }
    /* a file whose customers go back (two files concatenated) is refused */
    static const char cat[] = "customer_id,date,rows,amount\nB,2020-01-01,1,1\ncustomer_id,date,rows,amount\n"
                              "A,2020-01-01,1,1\n";
    crm_csv_reader *rc = open_text(cat);
    assert_int_equal(crm_rfm_partial_open(&parts[0], rc, NULL), CRM_OK);
    crm_error err;
    assert_int_equal(crm_rfm_partial_breakpoints(parts, 1, &o, 0, NULL, NULL, &b, &err), CRM_EDATA);
    assert_string_equal(err.message, "p.csv:4: customer 'A' comes after 'B': the file is not sorted by customer_id "
                                     "as --partial writes it (merge concatenated partial files with --merge --partial first)");
    crm_rfm_partial_close(parts[0]);
    crm_csv_close(rc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_invoice_counts_once_with_keys),
        cmocka_unit_test(test_cut_invoice_counts_twice_without_keys),
        cmocka_unit_test(test_invoice_keys),
        cmocka_unit_test(test_keys_sorted_within_a_day),
        cmocka_unit_test(test_partial_file_written_and_read),
        cmocka_unit_test(test_partial_file_refused),
        cmocka_unit_test(test_breakpoints_from_two_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
