#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <math.h>

#include "crm/date.h"
#include "crm/rfm.h"

/* This cmocka has no assert_double_equal. */
#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static crm_decimal dec(const char *s)
{
    crm_decimal d;
    assert_int_equal(crm_parse_decimal(s, strlen(s), NULL, &d), CRM_OK);
    return d;
}

static void assert_decimal(crm_decimal d, const char *want)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    crm_decimal_format(d, buf);
    assert_string_equal(buf, want);
}

/* ---- quantiles, bins, ratios ---- */

static void test_quantile_type7(void **state)
{
    (void)state;
    /* R: quantile(c(1, 2, 3, 4, 10), c(0, .1, .25, .5, .9, 1)) = 1, 1.4, 2, 3, 7.6, 10
     * (h = 4p: 0.4 -> 1 + 0.4 * 1; 3.6 -> 4 + 0.6 * 6). */
    const double x[] = {1, 2, 3, 4, 10};
    assert_double_equal(crm_rfm_quantile(x, 5, 0.0), 1.0, 1e-12);
    assert_double_equal(crm_rfm_quantile(x, 5, 0.1), 1.4, 1e-12);
    assert_double_equal(crm_rfm_quantile(x, 5, 0.25), 2.0, 1e-12);
    assert_double_equal(crm_rfm_quantile(x, 5, 0.5), 3.0, 1e-12);
    assert_double_equal(crm_rfm_quantile(x, 5, 0.9), 7.6, 1e-12);
    assert_double_equal(crm_rfm_quantile(x, 5, 1.0), 10.0, 1e-12);
    assert_double_equal(crm_rfm_quantile(x, 1, 0.7), 1.0, 0);
}

static void test_breaks_and_ties(void **state)
{
    (void)state;
    /* Unsorted {8, 1, 2, 1, 5, 1}; sorted 1 1 1 2 5 8, n - 1 = 5, so with 5 bins
     * h = j exactly: breaks x[1..4] = 1, 1, 2, 5 (R: quantile(v, 1:4/5) = 1 1 2 5). */
    const double v[] = {8, 1, 2, 1, 5, 1};
    double b[4];
    assert_int_equal(crm_rfm_quantile_breaks(v, 6, 5, b, NULL), CRM_OK);
    assert_true(b[0] == 1 && b[1] == 1 && b[2] == 2 && b[3] == 5);
    /* bin = 1 + breaks below: all three 1s share bin 1 (the tie rule); 2 has
     * two breaks below (1, 1), 5 has three, 8 has four. */
    assert_int_equal(crm_rfm_bin(1, b, 4), 1);
    assert_int_equal(crm_rfm_bin(2, b, 4), 3);
    assert_int_equal(crm_rfm_bin(5, b, 4), 4);
    assert_int_equal(crm_rfm_bin(8, b, 4), 5);
    /* Four values, 4 bins: (n - 1) j = 3j = lo 4 + rem: j=1 -> x0 + 3/4 (x1 - x0);
     * sorted 10 20 30 40: 17.5, 25 (j=2: 6 = 1*4 + 2 -> 20 + 0.5*10), 32.5 (R agrees). */
    const double w[] = {40, 10, 30, 20};
    double c[3];
    assert_int_equal(crm_rfm_quantile_breaks(w, 4, 4, c, NULL), CRM_OK);
    assert_double_equal(c[0], 17.5, 1e-12);
    assert_double_equal(c[1], 25.0, 1e-12);
    assert_double_equal(c[2], 32.5, 1e-12);
    /* Intervals are closed on the right: a value equal to a break stays below it. */
    const double fixed[] = {30, 90, 180};
    assert_int_equal(crm_rfm_bin(30, fixed, 3), 1);
    assert_int_equal(crm_rfm_bin(30.5, fixed, 3), 2);
    assert_int_equal(crm_rfm_bin(180, fixed, 3), 3);
    assert_int_equal(crm_rfm_bin(181, fixed, 3), 4);
}

static void test_ratio_rounding(void **state)
{
    (void)state;
    crm_decimal d;
    /* 67.035 / 3 = 22.345 exactly: half away from zero gives 22.35, the value
     * Fader & Hardie's CDNOW file has for ID 1 (a double would print 22.34). */
    assert_int_equal(crm_rfm_ratio(dec("67.035"), 1, 3, 2, &d), CRM_OK);
    assert_decimal(d, "22.35");
    assert_int_equal(crm_rfm_ratio(dec("-0.25"), 1, 2, 2, &d), CRM_OK);
    assert_decimal(d, "-0.13");   /* -0.125 -> -0.13 */
    assert_int_equal(crm_rfm_ratio(dec("1"), 1, 3, 4, &d), CRM_OK);
    assert_decimal(d, "0.3333");
    /* 272 days / 7 = 38.857... -> 38.86 weeks; 213 / 7 = 30.428... -> 30.43. */
    assert_int_equal(crm_rfm_ratio(crm_decimal_from_int(272), 1, 7, 2, &d), CRM_OK);
    assert_decimal(d, "38.86");
    assert_int_equal(crm_rfm_ratio(crm_decimal_from_int(213), 1, 7, 2, &d), CRM_OK);
    assert_decimal(d, "30.43");
    /* 365 days in months of 365.25 / 12 days: 365 * 48 / 1461 = 11.9918... */
    assert_int_equal(crm_rfm_ratio(crm_decimal_from_int(365), 48, 1461, 3, &d), CRM_OK);
    assert_decimal(d, "11.992");
    /* More decimals than the input: 70.25 / 4 = 17.5625 at 2 -> 17.56. */
    assert_int_equal(crm_rfm_ratio(dec("70.25"), 1, 4, 2, &d), CRM_OK);
    assert_decimal(d, "17.56");
    assert_int_equal(crm_rfm_ratio(dec("1"), 1, 0, 2, &d), CRM_EDATA);
    assert_int_equal(crm_rfm_ratio(crm_decimal_from_int(INT64_MAX / 2), 3, 1, 0, &d), CRM_EDATA);
}

/* ---- the hand example ----
 *
 * Customer A: 2020-01-01 invoice 1 (10.00, 5.50) and invoice 2 (4.50);
 *             2020-01-11 invoice 3 (30); 2020-01-21 invoice 4 (20.25) and a
 *             line of invoice 1 again (0.00), which must not count twice.
 * Customer B: 2020-01-21 invoice 5 (7).
 * Profits: A 3 + 1 + 1 + 10 + 5 + 0 = 20, B 2. */

typedef struct {
    const char *customer, *invoice, *date, *amount, *profit;
} hand_line;

static const hand_line hand[] = {
    {"A", "1", "2020-01-01", "10.00", "3"},
    {"A", "1", "2020-01-01", "5.50", "1"},
    {"A", "2", "2020-01-01", "4.50", "1"},
    {"B", "5", "2020-01-21", "7", "2"},
    {"A", "3", "2020-01-11", "30", "10"},
    {"A", "4", "2020-01-21", "20.25", "5"},
    {"A", "1", "2020-01-21", "0.00", "0"},
};

static int32_t day_of(const char *iso)
{
    crm_date_format f;
    crm_datetime dt;
    crm_date_format_set(&f, CRM_DATE_ISO);
    assert_int_equal(crm_date_parse(&f, iso, strlen(iso), &dt), CRM_OK);
    return dt.days;
}

static void add_hand(crm_rfm *a, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const hand_line *h = &hand[i];
        crm_rfm_line line = {h->customer, strlen(h->customer), h->invoice, strlen(h->invoice),
                             day_of(h->date), dec(h->amount), dec(h->profit)};
        assert_int_equal(crm_rfm_add(a, &line, NULL), CRM_OK);
    }
}

static crm_rfm *hand_aggregate(void)
{
    crm_rfm *a;
    crm_rfm_config cfg = {1, 1};
    assert_int_equal(crm_rfm_new(&a, &cfg, NULL), CRM_OK);
    add_hand(a, 0, sizeof hand / sizeof hand[0]);
    return a;
}

static void test_hand_example(void **state)
{
    (void)state;
    crm_rfm *a = hand_aggregate();
    int32_t last;
    assert_int_equal(crm_rfm_last_day(a, &last), 1);
    assert_int_equal(last, day_of("2020-01-21"));
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.as_of = last + 1;   /* 2020-01-22, the default */
    crm_rfm_result r;
    assert_int_equal(crm_rfm_finish(a, &o, &r, NULL), CRM_OK);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.rows_in, 7);
    const crm_rfm_customer *A = &r.customers[0], *B = &r.customers[1];
    assert_memory_equal(A->customer_id, "A", 1);
    assert_int_equal(A->first_day, day_of("2020-01-01"));
    assert_int_equal(A->recency_days, 1);      /* 01-22 - 01-21 */
    assert_int_equal(A->tenure_days, 21);      /* 01-22 - 01-01 */
    assert_int_equal(A->frequency, 4);         /* invoices 1, 2, 3, 4 */
    assert_decimal(A->monetary, "70.25");      /* 10 + 5.5 + 4.5 + 30 + 20.25 */
    assert_decimal(A->avg_order_value, "17.56");  /* 17.5625 */
    assert_decimal(A->profit, "20");
    assert_decimal(A->avg_profit, "5.00");
    assert_int_equal(A->x, 2);                 /* 3 purchase days */
    assert_int_equal(A->t_x_days, 20);
    assert_int_equal(A->T_days, 20);           /* end = 01-21 */
    assert_decimal(A->repeat_amount, "50.25"); /* 70.25 - the first day's 20.00 */
    assert_double_equal(A->monetary_value, 25.125, 1e-12);
    assert_int_equal(B->frequency, 1);
    assert_int_equal(B->x, 0);
    assert_int_equal(B->T_days, 0);
    assert_double_equal(B->monetary_value, 0.0, 0);
    /* Scores: R values {1, 1}: every break is 1, both in bin 1, R score 5.
     * F {4, 1}: breaks 1.6 2.2 2.8 3.4 -> A 5, B 1.  M {70.25, 7}: A 5, B 1. */
    assert_int_equal(A->score[CRM_RFM_R], 5);
    assert_int_equal(B->score[CRM_RFM_R], 5);
    assert_int_equal(A->score[CRM_RFM_F], 5);
    assert_int_equal(B->score[CRM_RFM_F], 1);
    assert_int_equal(A->score[CRM_RFM_M], 5);
    assert_int_equal(B->score[CRM_RFM_M], 1);
    assert_double_equal(r.breaks[CRM_RFM_F][0], 1.6, 1e-12);
    assert_true(r.from_quantiles[CRM_RFM_F]);
    crm_rfm_result_free(&r);
    crm_rfm_free(a);
}

/* rows_on_demand keeps ids and scores only; each row it gives back is the
 * row of the table kept whole (the hand example above, both customers). */
static void test_rows_on_demand(void **state)
{
    (void)state;
    crm_rfm *a = hand_aggregate();
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.as_of = day_of("2020-01-22");
    crm_rfm_result whole, lean;
    assert_int_equal(crm_rfm_finish(a, &o, &whole, NULL), CRM_OK);
    o.rows_on_demand = 1;
    assert_int_equal(crm_rfm_finish(a, &o, &lean, NULL), CRM_OK);
    assert_null(lean.customers);
    assert_int_equal(lean.count, 2);
    assert_int_equal(lean.rows_in, whole.rows_in);
    for (size_t i = 0; i < 2; i++) {
        crm_rfm_customer row;
        assert_int_equal(crm_rfm_result_row(&lean, i, &row, NULL), CRM_OK);
        const crm_rfm_customer *w = &whole.customers[i];
        assert_true(row.customer_id == w->customer_id && row.first_day == w->first_day && row.last_day == w->last_day);
        assert_true(row.recency_days == w->recency_days && row.tenure_days == w->tenure_days);
        assert_true(row.frequency == w->frequency && row.x == w->x && row.t_x_days == w->t_x_days && row.T_days == w->T_days);
        const crm_decimal *d1[] = {&row.monetary, &row.avg_order_value, &row.profit, &row.avg_profit, &row.repeat_amount};
        const crm_decimal *d2[] = {&w->monetary, &w->avg_order_value, &w->profit, &w->avg_profit, &w->repeat_amount};
        for (int k = 0; k < 5; k++)
            assert_true(d1[k]->units == d2[k]->units && d1[k]->scale == d2[k]->scale);
        assert_true(row.monetary_value == w->monetary_value);
        for (int d = 0; d < CRM_RFM_DIMENSIONS; d++)
            assert_int_equal(row.score[d], w->score[d]);
        size_t len;
        assert_true(crm_rfm_result_id(&lean, i, &len) == whole.customers[i].customer_id && len == 1);
    }
    assert_memory_equal(lean.breaks[CRM_RFM_M], whole.breaks[CRM_RFM_M], 4 * sizeof(double));
    /* scoring recency again needs the whole rows */
    double recency[2] = {1, 2};
    crm_error err;
    assert_int_equal(crm_rfm_score_recency(&lean, &o, recency, &err), CRM_EUSAGE);
    crm_rfm_result_free(&lean);
    crm_rfm_result_free(&whole);
    crm_rfm_free(a);
}

static void test_calibration_and_holdout(void **state)
{
    (void)state;
    crm_rfm *a = hand_aggregate();
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.has_calibration_end = 1;
    o.calibration_end = day_of("2020-01-11");
    o.as_of = o.calibration_end + 1;
    crm_rfm_result r;
    assert_int_equal(crm_rfm_finish(a, &o, &r, NULL), CRM_OK);
    /* B bought only after the calibration end: left out, as lifetimes does. */
    assert_int_equal(r.count, 1);
    assert_int_equal(r.customers_left_out, 1);
    assert_int_equal(r.duration_holdout_days, 10);   /* 01-21 - 01-11 */
    const crm_rfm_customer *A = &r.customers[0];
    assert_int_equal(A->frequency, 3);        /* invoices 1, 2, 3 */
    assert_decimal(A->monetary, "50.00");
    assert_int_equal(A->recency_days, 1);     /* 01-12 - 01-11 */
    assert_int_equal(A->x, 1);
    assert_int_equal(A->t_x_days, 10);
    assert_int_equal(A->T_days, 10);          /* 01-11 - 01-01 */
    assert_double_equal(A->monetary_value, 30.0, 0);
    assert_int_equal(A->x_holdout, 1);
    assert_decimal(A->holdout_amount, "20.25");
    assert_double_equal(A->monetary_holdout, 20.25, 0);
    crm_rfm_result_free(&r);

    /* An as-of date before the end of the data: later rows are left out and counted. */
    crm_rfm_options_init(&o);
    o.as_of = day_of("2020-01-12");
    assert_int_equal(crm_rfm_finish(a, &o, &r, NULL), CRM_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.rows_after, 3);
    assert_int_equal(r.customers_left_out, 1);
    crm_rfm_result_free(&r);
    crm_rfm_free(a);
}

static crm_status copy_day(void *ctx, const crm_rfm_day_total *t, crm_error *err)
{
    return crm_rfm_add_day(ctx, t, err);
}

static void test_merge_equals_direct(void **state)
{
    (void)state;
    crm_rfm *direct = hand_aggregate();
    /* Split by invoice, not by customer (A is in both parts): day totals add
     * up.  Invoice 1 (lines 0, 1, 6) stays in one part: an invoice split across
     * parts would count once in each (crm-rfm(1) says so). */
    crm_rfm_config cfg = {1, 1};
    crm_rfm *p1, *p2, *merged;
    assert_int_equal(crm_rfm_new(&p1, &cfg, NULL), CRM_OK);
    assert_int_equal(crm_rfm_new(&p2, &cfg, NULL), CRM_OK);
    assert_int_equal(crm_rfm_new(&merged, &cfg, NULL), CRM_OK);
    add_hand(p1, 0, 4);
    add_hand(p1, 6, 7);
    add_hand(p2, 4, 6);
    assert_int_equal(crm_rfm_each_day(p1, copy_day, merged, NULL), CRM_OK);
    assert_int_equal(crm_rfm_each_day(p2, copy_day, merged, NULL), CRM_OK);
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.as_of = day_of("2020-01-22");
    crm_rfm_result r1, r2;
    assert_int_equal(crm_rfm_finish(direct, &o, &r1, NULL), CRM_OK);
    assert_int_equal(crm_rfm_finish(merged, &o, &r2, NULL), CRM_OK);
    assert_int_equal(r1.count, r2.count);
    for (size_t i = 0; i < r1.count; i++) {
        const crm_rfm_customer *x = &r1.customers[i], *y = &r2.customers[i];
        assert_int_equal(x->frequency, y->frequency);
        assert_int_equal(crm_decimal_cmp(x->monetary, y->monetary), 0);
        assert_int_equal(crm_decimal_cmp(x->profit, y->profit), 0);
        assert_int_equal(x->x, y->x);
        assert_true(x->monetary_value == y->monetary_value);
        assert_memory_equal(x->score, y->score, sizeof x->score);
    }
    crm_rfm_result_free(&r1);
    crm_rfm_result_free(&r2);
    crm_rfm_free(direct);
    crm_rfm_free(p1);
    crm_rfm_free(p2);
    crm_rfm_free(merged);
}

static void test_fixed_breaks_and_profit_scoring(void **state)
{
    (void)state;
    crm_rfm *a = hand_aggregate();
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.bins = 3;
    o.as_of = day_of("2020-02-01");   /* A's recency 11, B's 11 */
    const double r_breaks[] = {10, 11}, m_breaks[] = {2, 19};
    o.breaks[CRM_RFM_R] = r_breaks;
    o.breaks[CRM_RFM_M] = m_breaks;
    o.monetary = CRM_RFM_SCORE_PROFIT;
    crm_rfm_result r;
    assert_int_equal(crm_rfm_finish(a, &o, &r, NULL), CRM_OK);
    /* recency 11: one break (10) below -> bin 2 -> R score 3 + 1 - 2 = 2. */
    assert_int_equal(r.customers[0].score[CRM_RFM_R], 2);
    /* profit: A 20 (two breaks below -> 3), B 2 (none below: equal to a break -> 1). */
    assert_int_equal(r.customers[0].score[CRM_RFM_M], 3);
    assert_int_equal(r.customers[1].score[CRM_RFM_M], 1);
    assert_false(r.from_quantiles[CRM_RFM_M]);
    crm_rfm_result_free(&r);

    crm_error err;
    const double bad[] = {11, 10};
    o.breaks[CRM_RFM_R] = bad;
    assert_int_equal(crm_rfm_finish(a, &o, &r, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the r breakpoints must be finite and in increasing order (ties allowed)");
    crm_rfm_result_free(&r);
    o.breaks[CRM_RFM_R] = NULL;
    o.bins = 1;
    assert_int_equal(crm_rfm_finish(a, &o, &r, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the number of bins must lie in 2..100, got 1");
    crm_rfm_result_free(&r);
    crm_rfm_free(a);

    /* Profit scoring without profits is refused. */
    crm_rfm_config cfg = {0, 0};
    assert_int_equal(crm_rfm_new(&a, &cfg, NULL), CRM_OK);
    crm_rfm_options_init(&o);
    o.monetary = CRM_RFM_SCORE_PROFIT;
    assert_int_equal(crm_rfm_finish(a, &o, &r, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "scoring M on profit needs a profit column");
    crm_rfm_result_free(&r);
    crm_rfm_free(a);
}

static void test_frequency_by_days_and_empty(void **state)
{
    (void)state;
    crm_rfm *a;
    crm_rfm_config cfg = {0, 0};
    assert_int_equal(crm_rfm_new(&a, &cfg, NULL), CRM_OK);
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    crm_rfm_result r;
    /* No data: an empty table, no quantile breaks. */
    assert_int_equal(crm_rfm_finish(a, &o, &r, NULL), CRM_OK);
    assert_int_equal(r.count, 0);
    assert_null(r.breaks[CRM_RFM_R]);
    crm_rfm_result_free(&r);
    add_hand(a, 0, sizeof hand / sizeof hand[0]);
    o.as_of = day_of("2020-01-22");
    assert_int_equal(crm_rfm_finish(a, &o, &r, NULL), CRM_OK);
    assert_int_equal(r.customers[0].frequency, 3);   /* A: three purchase days */
    crm_rfm_result_free(&r);
    crm_rfm_free(a);
}

/* crm_rfm_add remembers the previous line's customer and invoice to skip
 * hashing them again; runs of repeats, alternations and returns to an
 * earlier invoice must count as the set of distinct pairs does. */
static void test_invoice_counting_with_repeats(void **state)
{
    (void)state;
    static const char long_a[] = "INVOICE-0000000000000000000000000000000000000000000000000000000000000001";
    static const char long_b[] = "INVOICE-0000000000000000000000000000000000000000000000000000000000000002";
    static const struct {
        const char *customer, *invoice, *date;
    } lines[] = {
        {"A", "1", "2020-01-01"}, {"A", "1", "2020-01-01"},  /* a repeat: still invoice 1 */
        {"AB", "1", "2020-01-01"},                            /* another customer: new pair */
        {"A", "1", "2020-01-02"},                             /* back to A, invoice 1 seen */
        {"A", "2", "2020-01-02"}, {"A", "1", "2020-01-02"},  /* 2 new, 1 seen */
        {"A", "", "2020-01-03"}, {"A", "", "2020-01-03"},    /* empty: one invoice per day */
        {"A", "", "2020-01-04"},                              /* a new day: a new one */
        {"C", long_a, "2020-01-01"}, {"C", long_a, "2020-01-01"},  /* longer than remembered */
        {"C", long_b, "2020-01-01"}, {"C", long_a, "2020-01-02"},
    };
    crm_rfm *a;
    crm_rfm_config cfg = {1, 0};
    assert_int_equal(crm_rfm_new(&a, &cfg, NULL), CRM_OK);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        crm_rfm_line line = {lines[i].customer, strlen(lines[i].customer), lines[i].invoice,
                             strlen(lines[i].invoice), day_of(lines[i].date), dec("1"), {0, 0}};
        assert_int_equal(crm_rfm_add(a, &line, NULL), CRM_OK);
    }
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.as_of = day_of("2020-01-05");
    crm_rfm_result r;
    assert_int_equal(crm_rfm_finish(a, &o, &r, NULL), CRM_OK);
    assert_int_equal(r.count, 3);
    assert_memory_equal(r.customers[0].customer_id, "A", 1);
    assert_int_equal(r.customers[0].frequency, 4);   /* 1, 2, empty on 01-03, empty on 01-04 */
    assert_decimal(r.customers[0].monetary, "8");    /* 8 lines of 1 */
    assert_memory_equal(r.customers[1].customer_id, "AB", 2);
    assert_int_equal(r.customers[1].frequency, 1);
    assert_memory_equal(r.customers[2].customer_id, "C", 1);
    assert_int_equal(r.customers[2].frequency, 2);   /* long_a, long_b */
    crm_rfm_result_free(&r);
    crm_rfm_free(a);
}

static void test_sum_overflow(void **state)
{
    (void)state;
    crm_rfm *a;
    crm_rfm_config cfg = {0, 0};
    assert_int_equal(crm_rfm_new(&a, &cfg, NULL), CRM_OK);
    crm_rfm_line line = {"C", 1, NULL, 0, 0, dec("9000000000000000000"), {0, 0}};
    crm_error err;
    assert_int_equal(crm_rfm_add(a, &line, &err), CRM_OK);
    assert_int_equal(crm_rfm_add(a, &line, &err), CRM_EDATA);
    assert_string_equal(err.message, "customer 'C': the sum of the amounts does not fit in 18 digits");
    crm_rfm_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_type7),
        cmocka_unit_test(test_breaks_and_ties),
        cmocka_unit_test(test_ratio_rounding),
        cmocka_unit_test(test_hand_example),
        cmocka_unit_test(test_rows_on_demand),
        cmocka_unit_test(test_calibration_and_holdout),
        cmocka_unit_test(test_merge_equals_direct),
        cmocka_unit_test(test_fixed_breaks_and_profit_scoring),
        cmocka_unit_test(test_frequency_by_days_and_empty),
        cmocka_unit_test(test_invoice_counting_with_repeats),
        cmocka_unit_test(test_sum_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
