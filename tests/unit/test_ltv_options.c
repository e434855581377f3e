/* The LTV options as people write them, scoring by distinct histories and
 * the texts that explain a fit (lib/ltv.c, lib/ltv_cohort.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm/ltv.h"
#include "crm/ltv_cohort.h"

static void expect_close(const char *what, double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 * fabs(want)))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void test_clv_options(void **state)
{
    (void)state;
    crm_ltv_clv_options o;
    crm_error err;
    /* Defaults in weeks: horizon 12 months = 365.25 days = 52.178571428571431
     * weeks; the period one month = 30.4375 days = 4.3482142857142856 weeks;
     * 10% a year per month: 1.1^(30.4375 / 365.25) - 1 = 1.1^(1/12) - 1 =
     * 0.0079741404289037643 (python3: 1.1 ** (1 / 12) - 1). */
    assert_int_equal(crm_ltv_clv_options_parse(&o, CRM_LTV_BGNBD, CRM_UNIT_WEEK, NULL, NULL, NULL, &err), CRM_OK);
    expect_close("horizon", o.horizon, 365.25 / 7);
    expect_close("period", o.period, 30.4375 / 7);
    expect_close("discount", o.discount_rate, 0.0079741404289037643);
    assert_true(o.margin == 1.0);
    /* 1% per 30 days over periods of one week: 1.01^(7/30) - 1 =
     * 0.0023244412001308667 (python3: 1.01 ** (7 / 30) - 1). */
    assert_int_equal(crm_ltv_clv_options_parse(&o, CRM_LTV_BGNBD, CRM_UNIT_DAY, "52w", "1%/30d", "1w", &err), CRM_OK);
    expect_close("horizon 52w", o.horizon, 364);
    expect_close("period 1w", o.period, 7);
    expect_close("1%/30d", o.discount_rate, 0.0023244412001308667);
    /* BG/BB: one period by default. */
    assert_int_equal(crm_ltv_clv_options_parse(&o, CRM_LTV_BGBB, CRM_UNIT_YEAR, "5y", "0%", NULL, &err), CRM_OK);
    assert_true(o.period == 1 && o.horizon == 5 && o.discount_rate == 0);
    assert_int_equal(crm_ltv_clv_options_parse(&o, CRM_LTV_BGNBD, CRM_UNIT_DAY, NULL, "1%/0d", NULL, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--discount wants a rate such as 10%, 1%/m or 1%/30d, got '1%/0d'");

    double margin;
    int from_profit;
    assert_int_equal(crm_ltv_margin_parse("30%", &margin, &from_profit, &err), CRM_OK);
    assert_true(margin == 0.3 && !from_profit);
    assert_int_equal(crm_ltv_margin_parse("profit", &margin, &from_profit, &err), CRM_OK);
    assert_true(from_profit);
    assert_int_equal(crm_ltv_margin_parse(NULL, &margin, &from_profit, &err), CRM_OK);
    assert_true(margin == 1 && !from_profit);
    assert_int_equal(crm_ltv_margin_parse("lots", &margin, &from_profit, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--margin wants a share such as 30% or 0.3, or 'profit', got 'lots'");
}

static void test_simple_and_cohort_options(void **state)
{
    (void)state;
    double churn, discount;
    crm_error err;
    /* 2% a month is a yearly churn of 1 - 0.98^12 = 0.21528327626520016 (python3). */
    assert_int_equal(crm_ltv_simple_rates_parse("2%/m", "5%", &churn, &discount, &err), CRM_OK);
    expect_close("churn", churn, 1 - pow(0.98, 12));
    expect_close("discount", discount, 0.05);
    assert_int_equal(crm_ltv_simple_rates_parse(NULL, NULL, &churn, &discount, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--method simple needs --churn RATE (per year, e.g. 20%)");
    assert_int_equal(crm_ltv_simple_rates_parse("0%", NULL, &churn, &discount, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--churn wants a rate above 0 and at most 100%, got '0%'");

    crm_cohort_options c;
    assert_int_equal(crm_cohort_options_parse(&c, CRM_COHORT_BY_YEAR, "120%", "50", "2.5", "8%", "1.5", &err), CRM_OK);
    assert_true(c.cost_rate == 1.2 && c.acquisition_cost == 50 && c.marketing_cost == 2.5 && c.risk_factor == 1.5);
    expect_close("interest", c.interest, 0.08);
    assert_int_equal(crm_cohort_options_parse(&c, CRM_COHORT_BY_MONTH, NULL, "-1", NULL, NULL, NULL, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--acquisition-cost wants an amount >= 0, got '-1'");
    assert_int_equal(crm_cohort_options_parse(&c, CRM_COHORT_BY_MONTH, "60%/m", NULL, NULL, NULL, NULL, &err),
                     CRM_EUSAGE);
    assert_string_equal(err.message, "--cost-rate wants a share of revenue such as 60%, got '60%/m'");
}

/* Sharing histories changes no bit: the same as crm_ltv_predict row by row. */
static void test_predict_shared(void **state)
{
    (void)state;
    const double p[4] = {0.243, 4.414, 0.793, 2.426}, gg[3] = {6.25, 3.74, 15.44};
    crm_ltv_customer c[5] = {{2, 30.43, 38.86, 22.35, 1}, {1, 1.71, 38.86, 11.77, 1}, {2, 30.43, 38.86, 40, 1},
                             {0, 0, 38.86, 0, 1}, {1, 1.71, 38.86, 11.77, 1}};
    crm_ltv_clv_options o;
    crm_ltv_clv_options_init(&o);
    o.horizon = 52;
    o.period = 4;
    o.discount_rate = 0.01;
    o.margin = 0.3;
    crm_ltv_prediction shared[5], each[5];
    size_t bad = 99;
    crm_error err;
    assert_int_equal(crm_ltv_predict_shared(CRM_LTV_BGNBD, p, gg, &o, c, 5, 2, shared, &bad, &err), CRM_OK);
    assert_int_equal(crm_ltv_predict(CRM_LTV_BGNBD, p, gg, &o, c, 5, each, &err), CRM_OK);
    assert_memory_equal(shared, each, sizeof shared);
    assert_int_equal(crm_ltv_predict_shared(CRM_LTV_BGNBD, p, NULL, &o, c, 5, 1, shared, &bad, &err), CRM_OK);
    assert_int_equal(crm_ltv_predict(CRM_LTV_BGNBD, p, NULL, &o, c, 5, each, &err), CRM_OK);
    assert_memory_equal(shared, each, sizeof shared);
    /* A value that cannot be computed names the row. */
    c[3].monetary_value = INFINITY;
    assert_int_equal(crm_ltv_predict_shared(CRM_LTV_BGNBD, p, NULL, &o, c, 5, 1, shared, &bad, &err), CRM_EDATA);
    assert_int_equal(bad, 3);
    assert_string_equal(err.message, "the BG/NBD predictions cannot be computed for x = 0, t_x = 0, T = 38.86 at "
                                     "these parameters");
}

static void test_describe(void **state)
{
    (void)state;
    crm_ltv_fit_diagnosis dg;
    memset(&dg, 0, sizeof dg);
    dg.verdict = CRM_LTV_DROPOUT_EVIDENT;
    dg.fit.total_weight = 2357;
    dg.fit.loglik = -9582.4256;
    dg.fit.iterations = 52;
    dg.fit.params[1] = 4.414;
    dg.fit.se[1] = 5;
    dg.weak = 2u;
    char text[1024];
    crm_ltv_fit_describe(text, sizeof text, CRM_LTV_BGNBD, CRM_UNIT_WEEK, 1, "in.csv", &dg);
    assert_string_equal(text, "BG/NBD fit on 2357 customers (weeks): log-likelihood -9582.426, converged in 52 "
                              "iterations (penalised)\n"
                              "note: the data hardly determine alpha: alpha = 4.41 has a standard error of 5, "
                              "larger than itself\n");
    dg.verdict = CRM_LTV_NO_REPEATS;
    crm_ltv_fit_describe(text, 40, CRM_LTV_BGNBD, CRM_UNIT_WEEK, 0, "in.csv", &dg);
    assert_string_equal(text, "in.csv: none of the 2357 customers has ");   /* cut to the buffer */
    crm_ltv_spend_result s = {.used = 946, .one_time = 1411, .nonpositive = 0, .population_mean = 35.2189};
    s.fit.loglik = -4055.9247;
    crm_ltv_spend_describe(text, sizeof text, &s);
    assert_string_equal(text, "Gamma-Gamma fit on 946 repeat buyers: log-likelihood -4055.925; 1411 one-time buyers "
                              "and 0 with monetary_value <= 0 get the population mean spend 35.22\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clv_options), cmocka_unit_test(test_simple_and_cohort_options),
        cmocka_unit_test(test_predict_shared), cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
