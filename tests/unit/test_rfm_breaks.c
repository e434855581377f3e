/* Unit tests of crm/rfm_breaks.h and crm/rfm_breaks_file.h: breakpoints
 * from counted values equal those of the values listed one per customer
 * (hand calculations beside each case), customers summarised one at a time
 * equal crm_rfm_finish's rows, and the breakpoints file reads back what was
 * written and refuses a bad file with file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crm/csv.h"
#include "crm/rfm.h"
#include "crm/rfm_breaks.h"
#include "crm/rfm_breaks_file.h"

static void test_breaks_from_counts(void **state)
{
    (void)state;
    crm_rfm_values *v;
    assert_int_equal(crm_rfm_values_new(&v, NULL), CRM_OK);
    /* {8, 1, 2, 1, 5, 1}: sorted 1 1 1 2 5 8, 5 bins, (n - 1) j / 5 = j: the
     * breaks are x[1..4] = 1 1 2 5 (crm-rfm(1), SCORES). */
    const double x[] = {8, 1, 2, 1, 5, 1};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(crm_rfm_values_add(v, CRM_RFM_F, x[i], NULL), CRM_OK);
    assert_int_equal(crm_rfm_values_total(v, CRM_RFM_F), 6);
    assert_int_equal(crm_rfm_values_distinct(v, CRM_RFM_F), 4);
    double b[4], listed[4];
    assert_int_equal(crm_rfm_values_breaks(v, CRM_RFM_F, 5, 0, b, NULL), CRM_OK);
    assert_true(b[0] == 1 && b[1] == 1 && b[2] == 2 && b[3] == 5);
    /* 4 bins: 5 j / 4 = 1 r 1, 2 r 2, 3 r 3: x1 + (x2 - x1) / 4 = 1,
     * x2 + (x3 - x2) / 2 = 1.5, x3 + 3 (x4 - x3) / 4 = 2 + 2.25 = 4.25. */
    assert_int_equal(crm_rfm_values_breaks(v, CRM_RFM_F, 4, 0, b, NULL), CRM_OK);
    assert_true(b[0] == 1 && b[1] == 1.5 && b[2] == 4.25);
    assert_int_equal(crm_rfm_quantile_breaks(x, 6, 4, listed, NULL), CRM_OK);
    assert_memory_equal(b, listed, 3 * sizeof b[0]);
    /* the offset shifts every value: 10 + {-8, -1, ...} sorted 2 5 8 9 9 9 */
    crm_rfm_values *neg;
    assert_int_equal(crm_rfm_values_new(&neg, NULL), CRM_OK);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(crm_rfm_values_add(neg, CRM_RFM_R, -x[i], NULL), CRM_OK);
    assert_int_equal(crm_rfm_values_breaks(neg, CRM_RFM_R, 5, 10, b, NULL), CRM_OK);
    assert_true(b[0] == 5 && b[1] == 8 && b[2] == 9 && b[3] == 9);
    /* nothing counted: no breakpoints */
    crm_error err;
    assert_int_equal(crm_rfm_values_breaks(v, CRM_RFM_M, 5, 0, b, &err), CRM_EUSAGE);
    crm_rfm_values_free(neg);
    crm_rfm_values_free(v);
}

static void test_many_values_equal_listed(void **state)
{
    (void)state;
    /* 1,000 values with many ties (i * 7 % 97, as a wide spread of money
     * would have few): counted and listed give the same doubles at 10 bins. */
    enum { N = 1000 };
    double *x = malloc(N * sizeof *x), counted[9], listed[9];
    crm_rfm_values *v;
    assert_int_equal(crm_rfm_values_new(&v, NULL), CRM_OK);
    for (int i = 0; i < N; i++) {
        x[i] = (double)(i * 7 % 97) / 3.0;
        assert_int_equal(crm_rfm_values_add(v, CRM_RFM_M, x[i], NULL), CRM_OK);
    }
    assert_int_equal(crm_rfm_values_breaks(v, CRM_RFM_M, 10, 0, counted, NULL), CRM_OK);
    assert_int_equal(crm_rfm_quantile_breaks(x, N, 10, listed, NULL), CRM_OK);
    assert_memory_equal(counted, listed, sizeof counted);
    crm_rfm_values_free(v);
    free(x);
}

static int32_t day(int d) { return 18262 + d; }   /* 2020-01-01 + d */

static crm_rfm_day_total total(const char *customer, int d, const char *amount, uint64_t invoices,
                               const uint64_t *keys, size_t nkeys)
{
    crm_rfm_day_total t = {customer, strlen(customer), day(d), 1, invoices, {0, 0}, {0, 0}, keys != NULL, keys, nkeys};
    assert_int_equal(crm_parse_decimal(amount, strlen(amount), NULL, &t.amount), CRM_OK);
    return t;
}

static void test_single_customer_equals_finish(void **state)
{
    (void)state;
    /* Customer A in two parts of a row split: invoice 7 (key 7) is cut
     * across them on day 0, invoice 8 on day 10 is in part 2 only; B has one
     * day.  One aggregator and one customer at a time give the same row:
     * frequency 2 (7 once, 8), monetary 10 + 5 + 20 = 35. */
    const uint64_t k7[] = {7}, k8[] = {8}, k9[] = {9};   /* keys are seeded by the customer: B has its own */
    crm_rfm_day_total a1 = total("A", 0, "10", 1, k7, 1), a2 = total("A", 0, "5", 1, k7, 1),
                      a3 = total("A", 10, "20", 1, k8, 1), b1 = total("B", 3, "4.50", 1, k9, 1);
    crm_rfm_config cfg = {1, 0};
    crm_rfm *all;
    assert_int_equal(crm_rfm_new(&all, &cfg, NULL), CRM_OK);
    const crm_rfm_day_total *order[] = {&a1, &b1, &a2, &a3};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(crm_rfm_add_day(all, order[i], NULL), CRM_OK);
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.as_of = day(11);
    crm_rfm_result res;
    assert_int_equal(crm_rfm_finish(all, &o, &res, NULL), CRM_OK);
    assert_int_equal(res.count, 2);

    crm_rfm_single *one;
    assert_int_equal(crm_rfm_single_new(&one, &cfg, NULL), CRM_OK);
    const crm_rfm_day_total *a_parts[] = {&a1, &a2, &a3};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(crm_rfm_single_add_day(one, a_parts[i], NULL), CRM_OK);
    crm_rfm_customer row;
    int in_table;
    assert_int_equal(crm_rfm_single_row(one, &o, &row, &in_table, NULL), CRM_OK);
    assert_true(in_table);
    assert_int_equal(row.frequency, 2);
    assert_int_equal(row.frequency, res.customers[0].frequency);
    assert_int_equal(row.recency_days, res.customers[0].recency_days);
    assert_int_equal(row.monetary.units, res.customers[0].monetary.units);
    assert_int_equal(row.x, 1);
    assert_string_equal(row.customer_id, "A");
    int32_t last;
    assert_true(crm_rfm_single_last_day(one, &last) && last == day(10));
    /* the next customer, after clear; and one with nothing before as_of */
    crm_rfm_single_clear(one);
    assert_int_equal(crm_rfm_single_add_day(one, &b1, NULL), CRM_OK);
    o.as_of = day(3);
    assert_int_equal(crm_rfm_single_row(one, &o, &row, &in_table, NULL), CRM_OK);
    assert_false(in_table);
    crm_rfm_single_free(one);
    crm_rfm_result_free(&res);
    crm_rfm_free(all);
}

static void test_builder_with_open_as_of(void **state)
{
    (void)state;
    /* Recencies are counted by the last day while the as-of date is open:
     * last days 0, 3, 10 and as-of 11 give recencies 11, 8, 1; sorted 1 8 11,
     * 2 bins: (n - 1) / 2 = 1 -> x[1] = 8. */
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.bins = 2;
    crm_rfm_breaks_builder *open;
    assert_int_equal(crm_rfm_breaks_builder_new(&open, &o, 0, NULL), CRM_OK);
    const int last[] = {0, 3, 10};
    for (int i = 0; i < 3; i++) {
        crm_rfm_customer row;
        memset(&row, 0, sizeof row);
        row.last_day = day(last[i]);
        row.frequency = (uint64_t)i + 1;
        row.monetary = crm_decimal_from_int(i * 10);
        assert_int_equal(crm_rfm_breaks_builder_add(open, &row, NULL), CRM_OK);
    }
    crm_rfm_breakpoints b;
    assert_int_equal(crm_rfm_breaks_builder_finish(open, 1, day(10), &b, NULL), CRM_OK);
    assert_int_equal(b.as_of, day(11));
    assert_int_equal(b.customers, 3);
    assert_true(b.breaks[CRM_RFM_R][0] == 8 && b.breaks[CRM_RFM_F][0] == 2 && b.breaks[CRM_RFM_M][0] == 10);
    assert_true(b.from_quantiles[CRM_RFM_R] && b.has_breaks[CRM_RFM_M]);
    crm_rfm_breaks_builder_free(open);
}

/* ---- the file ---- */

static char path[64];

static crm_csv_reader *open_text(const char *text)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), "b.csv", &opts, NULL), CRM_OK);
    return r;
}

static void test_file_round_trip(void **state)
{
    (void)state;
    crm_rfm_breakpoints b, back;
    memset(&b, 0, sizeof b);
    b.bins = 3;
    b.monetary = CRM_RFM_SCORE_PROFIT;
    b.as_of = day(31);
    b.has_calibration_end = 1;
    b.calibration_end = day(30);
    b.holdout_end = day(90);
    b.customers = 12;
    const double v[3][2] = {{5, 5}, {1, 2}, {0.1, 506.90000000000003}};
    for (int d = 0; d < 3; d++) {
        b.has_breaks[d] = 1;
        b.from_quantiles[d] = d != CRM_RFM_F;
        memcpy(b.breaks[d], v[d], sizeof v[d]);
    }
    strcpy(path, "/tmp/crm-test-rfm-breaks-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', NULL), CRM_OK);
    assert_int_equal(crm_rfm_breakpoints_write(w, &b, NULL), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, NULL), CRM_OK);
    char text[1024];
    FILE *f = fopen(path, "r");
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    unlink(path);
    text[len] = '\0';
    assert_string_equal(text, "key,value\nformat,crm-rfm breakpoints 1\nbins,3\nmonetary,profit\nas_of,2020-02-01\n"
                              "calibration_end,2020-01-31\nholdout_end,2020-03-31\ncustomers,12\nr,quantiles\n"
                              "r.1,5\nr.2,5\nf,fixed\nf.1,1\nf.2,2\nm,quantiles\nm.1,0.1\nm.2,506.90000000000003\n");
    crm_csv_reader *r = open_text(text);
    assert_int_equal(crm_rfm_breakpoints_read(r, &back, NULL), CRM_OK);
    crm_csv_close(r);
    assert_memory_equal(&b, &back, sizeof b);
    /* applied to options: the file's period and breaks */
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    crm_rfm_breakpoints_apply(&back, &o);
    assert_int_equal(o.bins, 3);
    assert_int_equal(o.holdout_end, day(90));
    assert_true(o.has_holdout_end && o.breaks[CRM_RFM_M][1] == 506.90000000000003 && !o.breaks_from_quantiles[CRM_RFM_F]);
}

static void expect_bad(const char *text, const char *message)
{
    crm_rfm_breakpoints b;
    crm_error err;
    crm_csv_reader *r = open_text(text);
    assert_int_equal(crm_rfm_breakpoints_read(r, &b, &err), CRM_EDATA);
    assert_string_equal(err.message, message);
    crm_csv_close(r);
}

static void test_file_refused(void **state)
{
    (void)state;
    static const char head[] = "key,value\nformat,crm-rfm breakpoints 1\nbins,3\nmonetary,amount\nas_of,2020-02-01\n"
                               "customers,2\nr,quantiles\nr.1,1\nr.2,2\nf,quantiles\nf.1,1\nf.2,1\nm,fixed\n";
    char text[512];
    snprintf(text, sizeof text, "%sm.1,3\nm.2,4\n", head);
    crm_rfm_breakpoints b;
    crm_csv_reader *r = open_text(text);
    assert_int_equal(crm_rfm_breakpoints_read(r, &b, NULL), CRM_OK);   /* f's tie is taken */
    crm_csv_close(r);
    snprintf(text, sizeof text, "%sm.1,3\nm.2,2\n", head);
    expect_bad(text, "b.csv:15: key 'm.2': 2 is below m.1 (breakpoints go in increasing order, ties allowed)");
    snprintf(text, sizeof text, "%sm.1,3\n", head);
    expect_bad(text, "b.csv: 1 m breakpoints for 3 bins (want m.1 to m.2)");
    snprintf(text, sizeof text, "%sm.1,3\nm.2,4\nm.3,5\n", head);
    expect_bad(text, "b.csv:16: key 'm.3': more breakpoints than 3 bins take (m.1 to m.2)");
    snprintf(text, sizeof text, "%sm.1,inf\n", head);
    expect_bad(text, "b.csv:14: key 'm.1': cannot read 'inf' as a finite number");
    snprintf(text, sizeof text, "%sx.1,3\n", head);
    expect_bad(text, "b.csv:14: key 'x.1': no dimension 'x' (r, f or m)");
    expect_bad("key,value\nformat,crm-ltv model 1\n",
               "b.csv:2: not a crm-rfm breakpoints file (its first row is format,crm-rfm breakpoints 1)");
    expect_bad("key,value\nformat,crm-rfm breakpoints 1\nbins,101\n",
               "b.csv:3: key 'bins': cannot read '101' as a number of bins (2 to 100)");
    expect_bad("key,value\nformat,crm-rfm breakpoints 1\nbins,3\nas_of,2020-02-01 10:00:00\n",
               "b.csv:4: key 'as_of': cannot read '2020-02-01 10:00:00' as a date (YYYY-MM-DD)");
    expect_bad("key,value\nformat,crm-rfm breakpoints 1\nbins,3\nmonetary,amount\nas_of,2020-02-01\n"
               "calibration_end,2020-01-31\ncustomers,0\nr,quantiles\nf,quantiles\nm,quantiles\n",
               "b.csv: calibration_end and holdout_end go together");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breaks_from_counts),
        cmocka_unit_test(test_many_values_equal_listed),
        cmocka_unit_test(test_single_customer_equals_finish),
        cmocka_unit_test(test_builder_with_open_as_of),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_file_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
