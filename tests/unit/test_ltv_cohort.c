/* Unit tests of lib/ltv_cohort.c: the cohort lifetime-value table and the
 * simple method.  Every expected number is worked out by hand in the
 * comment beside it (python3 used as a calculator for the divisions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/ltv_cohort.h"

static void expect_close(const char *what, double actual, double expected)
{
    if (!(fabs(actual - expected) <= 1e-12 * fmax(1.0, fabs(expected))))
        fail_msg("%s: %.17g, expected %.17g", what, actual, expected);
}

static void add(crm_cohort *c, const char *customer, int y, int m, int d, const char *order, double amount,
                double cost)
{
    crm_error err;
    crm_status st = crm_cohort_add(c, customer, strlen(customer), crm_days_from_civil(y, m, d), order,
                                   strlen(order), amount, cost, &err);
    if (st != CRM_OK)
        fail_msg("crm_cohort_add: %s", err.message);
}

/* The worked example: four customers over 2020-2022, every cost 60% of
 * its amount.
 *   A: 2020-03-01 I1 100 (cost 60); 2020-06-01 I2 50 (30);
 *      2021-02-01 I3 in two lines 50 + 30 (30 + 18)
 *   B: 2020-05-05 I4 200 (120)
 *   C: 2021-01-10 I5 40 (24); 2022-07-01 I6 60 (36)
 *   D: 2021-11-11 I1 30 (18)  (A's invoice number, another customer's order) */
static crm_cohort *worked_example(void)
{
    crm_cohort *c = crm_cohort_new(CRM_COHORT_BY_YEAR);
    assert_non_null(c);
    add(c, "A", 2020, 3, 1, "I1", 100, 60);
    add(c, "B", 2020, 5, 5, "I4", 200, 120);
    add(c, "A", 2021, 2, 1, "I3", 50, 30);
    add(c, "C", 2022, 7, 1, "I6", 60, 36);
    add(c, "A", 2020, 6, 1, "I2", 50, 30);
    add(c, "C", 2021, 1, 10, "I5", 40, 24);
    add(c, "A", 2021, 2, 1, "I3", 30, 18);
    add(c, "D", 2021, 11, 11, "I1", 30, 18);
    return c;
}

static void check_worked_example(const crm_cohort_row *r)
{
    /* Cohort 2020 = {A, B}, periods 2020, 2021, 2022; acquisition cost 20,
     * marketing cost 5, i = 10%, rf = 1.5, so 1 + i rf = 1.15.
     * k=1: 2 customers; orders A:I1,I2 + B:I4 = 3; revenue 100+50+200 = 350;
     *      1.5 orders each; 350/3 = 116.66666666666667 per order; direct cost
     *      0.6 x 350 = 210; acquisition 20 x 2 = 40; gross 350-210-40 = 100;
     *      factor 1.15^0 = 1; NPV 100; cumulative 100; LTV 100/2 = 50. */
    assert_int_equal(r[0].cohort, 2020);
    assert_int_equal(r[0].period, 1);
    expect_close("2020/1 customers", r[0].customers, 2);
    assert_true(isnan(r[0].retention_rate));
    expect_close("2020/1 orders per customer", r[0].orders_per_customer, 1.5);
    expect_close("2020/1 order value", r[0].avg_order_value, 116.66666666666667);
    expect_close("2020/1 revenue", r[0].revenue, 350);
    expect_close("2020/1 cost rate", r[0].cost_rate, 0.6);
    expect_close("2020/1 direct cost", r[0].direct_cost, 210);
    expect_close("2020/1 acquisition", r[0].acquisition_cost, 40);
    expect_close("2020/1 marketing", r[0].marketing_cost, 0);
    expect_close("2020/1 gross profit", r[0].gross_profit, 100);
    expect_close("2020/1 factor", r[0].discount_factor, 1);
    expect_close("2020/1 NPV", r[0].npv_profit, 100);
    expect_close("2020/1 LTV", r[0].ltv_per_customer, 50);
    /* k=2 (2021): A only, retention 1/2; I3's two lines are one order, 80;
     *      direct 48; marketing 5 x 1; gross 80-48-5 = 27; factor 1.15;
     *      NPV 27/1.15 = 23.47826086956522; cumulative 123.47826086956522;
     *      LTV 61.73913043478261. */
    assert_int_equal(r[1].period, 2);
    expect_close("2020/2 customers", r[1].customers, 1);
    expect_close("2020/2 retention", r[1].retention_rate, 0.5);
    expect_close("2020/2 orders per customer", r[1].orders_per_customer, 1);
    expect_close("2020/2 order value", r[1].avg_order_value, 80);
    expect_close("2020/2 marketing", r[1].marketing_cost, 5);
    expect_close("2020/2 acquisition", r[1].acquisition_cost, 0);
    expect_close("2020/2 gross profit", r[1].gross_profit, 27);
    expect_close("2020/2 factor", r[1].discount_factor, 1.15);
    expect_close("2020/2 NPV", r[1].npv_profit, 23.47826086956522);
    expect_close("2020/2 cumulative", r[1].cumulative_npv, 123.47826086956522);
    expect_close("2020/2 LTV", r[1].ltv_per_customer, 61.73913043478261);
    /* k=3 (2022): nobody of 2020 buys: retention 0, no orders, factor
     * 1.15^2 = 1.3225, cumulative and LTV unchanged. */
    expect_close("2020/3 customers", r[2].customers, 0);
    expect_close("2020/3 retention", r[2].retention_rate, 0);
    assert_true(isnan(r[2].orders_per_customer));
    assert_true(isnan(r[2].avg_order_value));
    expect_close("2020/3 gross profit", r[2].gross_profit, 0);
    expect_close("2020/3 factor", r[2].discount_factor, 1.3224999999999998);
    expect_close("2020/3 LTV", r[2].ltv_per_customer, 61.73913043478261);
    /* Cohort 2021 = {C, D}.  k=1: orders C:I5 + D:I1 = 2, revenue 40+30 = 70,
     *      35 per order, direct 42, acquisition 40, gross 70-42-40 = -12,
     *      LTV -12/2 = -6.
     * k=2 (2022): C, retention 1/2, revenue 60, direct 36, marketing 5,
     *      gross 19, NPV 19/1.15 = 16.521739130434785, cumulative
     *      4.521739130434785, LTV 2.2608695652173925. */
    assert_int_equal(r[3].cohort, 2021);
    assert_int_equal(r[3].period, 1);
    expect_close("2021/1 orders per customer", r[3].orders_per_customer, 1);
    expect_close("2021/1 order value", r[3].avg_order_value, 35);
    expect_close("2021/1 gross profit", r[3].gross_profit, -12);
    expect_close("2021/1 LTV", r[3].ltv_per_customer, -6);
    assert_int_equal(r[4].cohort, 2021);
    assert_int_equal(r[4].period, 2);
    expect_close("2021/2 retention", r[4].retention_rate, 0.5);
    expect_close("2021/2 gross profit", r[4].gross_profit, 19);
    expect_close("2021/2 NPV", r[4].npv_profit, 16.521739130434785);
    expect_close("2021/2 cumulative", r[4].cumulative_npv, 4.521739130434785);
    expect_close("2021/2 LTV", r[4].ltv_per_customer, 2.2608695652173925);
}

static void test_cohort_table_with_a_cost_rate(void **state)
{
    (void)state;
    crm_cohort *c = worked_example();
    crm_cohort_options opts;
    crm_cohort_options_init(&opts);
    opts.cost_rate = 0.6;
    opts.acquisition_cost = 20;
    opts.marketing_cost = 5;
    opts.interest = 0.10;
    opts.risk_factor = 1.5;
    crm_cohort_row *rows;
    size_t n;
    crm_error err;
    assert_int_equal(crm_cohort_table(c, &opts, &rows, &n, &err), CRM_OK);
    assert_int_equal(n, 5);   /* 2020: 3 periods to 2022, 2021: 2 */
    check_worked_example(rows);
    free(rows);
    crm_cohort_free(c);
}

static void test_cohort_table_from_line_costs(void **state)
{
    (void)state;
    /* Without a rate the costs passed in are summed: 60% of every amount,
     * so the same table as with the rate 0.6. */
    crm_cohort *c = worked_example();
    crm_cohort_options opts;
    crm_cohort_options_init(&opts);
    opts.acquisition_cost = 20;
    opts.marketing_cost = 5;
    opts.interest = 0.10;
    opts.risk_factor = 1.5;
    crm_cohort_row *rows;
    size_t n;
    crm_error err;
    assert_int_equal(crm_cohort_table(c, &opts, &rows, &n, &err), CRM_OK);
    assert_int_equal(n, 5);
    check_worked_example(rows);
    /* 2020/3 has no revenue: no cost rate to show. */
    assert_true(isnan(rows[2].cost_rate));
    free(rows);
    crm_cohort_free(c);
}

static void test_cohort_missing_costs_need_a_rate(void **state)
{
    (void)state;
    /* A with a cost, B without: summing A's cost alone would understate the
     * direct costs, so a rate is needed. */
    crm_cohort *c = crm_cohort_new(CRM_COHORT_BY_YEAR);
    add(c, "A", 2020, 1, 1, "1", 10, 6);
    add(c, "B", 2020, 1, 2, "2", 10, NAN);
    assert_int_equal(crm_cohort_missing_costs(c), 1);
    crm_cohort_options opts;
    crm_cohort_options_init(&opts);
    assert_int_equal(crm_cohort_revenue_based(c, &opts), 0);
    crm_cohort_row *rows;
    size_t n;
    crm_error err;
    assert_int_equal(crm_cohort_table(c, &opts, &rows, &n, &err), CRM_EUSAGE);
    assert_string_equal(err.message,
                        "some lines have no cost: give a cost rate (--cost-rate) for the direct costs");
    opts.cost_rate = 0;
    assert_int_equal(crm_cohort_table(c, &opts, &rows, &n, &err), CRM_OK);
    assert_int_equal(n, 1);
    expect_close("gross profit at cost rate 0", rows[0].gross_profit, 20);
    free(rows);
    crm_cohort_free(c);
}

static void test_cohort_without_any_cost_is_revenue_based(void **state)
{
    (void)state;
    /* No line has a cost: the table is written from revenue.  Cohort 2020 =
     * {A, B, C}; 2021: A and B buy (retention 2/3 from the start and period
     * over period); 2022: A, B and C buy again: period over period 3/2 = 1.5,
     * from the start 3/3 = 1.  Gross 2020 = 30 - 3 x 5 acquisition = 15. */
    crm_cohort *c = crm_cohort_new(CRM_COHORT_BY_YEAR);
    add(c, "A", 2020, 1, 1, "1", 10, NAN);
    add(c, "B", 2020, 2, 1, "2", 10, NAN);
    add(c, "C", 2020, 3, 1, "3", 10, NAN);
    add(c, "A", 2021, 1, 1, "4", 10, NAN);
    add(c, "B", 2021, 1, 1, "5", 10, NAN);
    add(c, "A", 2022, 1, 1, "6", 10, NAN);
    add(c, "B", 2022, 1, 1, "7", 10, NAN);
    add(c, "C", 2022, 1, 1, "8", 10, NAN);
    crm_cohort_options opts;
    crm_cohort_options_init(&opts);
    opts.acquisition_cost = 5;
    assert_int_equal(crm_cohort_revenue_based(c, &opts), 1);
    crm_cohort_row *rows;
    size_t n;
    crm_error err;
    assert_int_equal(crm_cohort_table(c, &opts, &rows, &n, &err), CRM_OK);
    assert_int_equal(n, 3);
    expect_close("retention from start, k=1", rows[0].retention_from_start, 1);
    expect_close("retention from start, k=2", rows[1].retention_from_start, 2.0 / 3.0);
    expect_close("retention from start, k=3", rows[2].retention_from_start, 1);
    expect_close("retention period over period, k=3", rows[2].retention_rate, 1.5);
    assert_true(isnan(rows[0].direct_cost));
    assert_true(isnan(rows[0].cost_rate));
    expect_close("gross 2020", rows[0].gross_profit, 15);
    expect_close("gross 2022", rows[2].gross_profit, 30);
    expect_close("ltv per customer", rows[2].ltv_per_customer, (15.0 + 20 + 30) / 3);
    free(rows);
    opts.cost_rate = 0.5; /* a rate makes it a profit table again */
    assert_int_equal(crm_cohort_revenue_based(c, &opts), 0);
    crm_cohort_free(c);
}

static void test_cohort_by_month(void **state)
{
    (void)state;
    /* December 2020 then February 2021: cohort 202012, periods Dec, Jan, Feb. */
    crm_cohort *c = crm_cohort_new(CRM_COHORT_BY_MONTH);
    add(c, "A", 2020, 12, 31, "1", 10, 0);
    add(c, "A", 2021, 2, 1, "2", 20, 0);
    crm_cohort_options opts;
    crm_cohort_options_init(&opts);
    crm_cohort_row *rows;
    size_t n;
    crm_error err;
    assert_int_equal(crm_cohort_table(c, &opts, &rows, &n, &err), CRM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].cohort, 202012);
    assert_int_equal(rows[2].period, 3);
    expect_close("January", rows[1].customers, 0);
    expect_close("February revenue", rows[2].revenue, 20);
    /* Cumulative: 10 + 0 + 20 at no interest, one customer: LTV 30. */
    expect_close("LTV", rows[2].ltv_per_customer, 30);
    free(rows);
    crm_cohort_free(c);
}

static void test_cohort_bad_input(void **state)
{
    (void)state;
    crm_cohort *c = crm_cohort_new(CRM_COHORT_BY_YEAR);
    crm_cohort_options opts;
    crm_cohort_options_init(&opts);
    crm_cohort_row *rows;
    size_t n;
    crm_error err;
    assert_int_equal(crm_cohort_table(c, &opts, &rows, &n, &err), CRM_EDATA);
    assert_string_equal(err.message, "no transactions: the cohort table is empty");
    assert_int_equal(crm_cohort_add(c, "A", 1, 0, "1", 1, NAN, 0, &err), CRM_EDATA);
    assert_int_equal(crm_cohort_add(c, "A", 1, 0, "1", 1, 1, INFINITY, &err), CRM_EDATA);
    opts.interest = -0.1;
    assert_int_equal(crm_cohort_options_check(&opts, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the interest rate must be >= 0, not -0.1");
    crm_cohort_options_init(&opts);
    opts.cost_rate = -1;
    assert_int_equal(crm_cohort_options_check(&opts, &err), CRM_EUSAGE);
    crm_cohort_options_init(&opts);
    opts.acquisition_cost = -5;
    assert_int_equal(crm_cohort_options_check(&opts, &err), CRM_EUSAGE);
    crm_cohort_free(c);
}

static void test_simple_value(void **state)
{
    (void)state;
    /* 20% churn a year: lifetime 1/0.2 = 5 years. */
    expect_close("lifetime", crm_ltv_expected_lifetime(0.2), 5);
    /* 100 a year for 5 years at 10%: 100 x sum_{k=1}^{5} 1.1^-k
     * = 100 x 3.790786769408448 = 379.0786769408448. */
    expect_close("5 years at 10%", crm_ltv_simple_value(100, 0.2, 0.10), 379.0786769408448);
    /* Undiscounted: 100 x 5. */
    expect_close("5 years at 0%", crm_ltv_simple_value(100, 0.2, 0), 500);
    /* 30% churn: L = 3.3333; 100 x (1.1^-1 + 1.1^-2 + 1.1^-3 + (1/3) 1.1^-(10/3))
     * = 272.9458879577126. */
    expect_close("3.33 years at 10%", crm_ltv_simple_value(100, 0.3, 0.10), 272.9458879577126);
    assert_true(isnan(crm_ltv_simple_value(100, 0, 0.1)));
    assert_true(isnan(crm_ltv_simple_value(100, 1.5, 0.1)));
    assert_true(isnan(crm_ltv_simple_value(100, 0.2, -0.1)));
    assert_true(isnan(crm_ltv_expected_lifetime(0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cohort_table_with_a_cost_rate),
        cmocka_unit_test(test_cohort_table_from_line_costs),
        cmocka_unit_test(test_cohort_missing_costs_need_a_rate),
        cmocka_unit_test(test_cohort_without_any_cost_is_revenue_based),
        cmocka_unit_test(test_cohort_by_month),
        cmocka_unit_test(test_cohort_bad_input),
        cmocka_unit_test(test_simple_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
