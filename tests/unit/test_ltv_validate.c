/* The no-dropout limits, the diagnosed fit and holdout validation
 * (crm/ltv_models.h, crm/ltv_validate.h), against hand calculations and
 * the papers' formulas evaluated here with GSL's special functions
 * directly, independently of the library's code path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>

#include "crm/ltv_models.h"
#include "crm/ltv_validate.h"

static void expect_near(const char *what, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g (tolerance %g)", what, got, want, tol);
}

/* Twenty customers over 52 weeks who all keep buying: each last purchase
 * is within about one of their own gaps of the end. */
static const double no_churn[20][3] = {  /* in.csv of cli.crm-ltv.boundary-bgnbd */
    {0, 0.0, 52.0}, {0, 0.0, 52.0}, {1, 33.8, 52.0}, {1, 41.6, 52.0}, {1, 36.4, 52.0},
    {2, 46.8, 52.0}, {2, 43.33, 52.0}, {2, 39.87, 52.0}, {3, 46.8, 52.0}, {3, 44.2, 52.0},
    {4, 48.88, 52.0}, {4, 46.8, 52.0}, {5, 45.93, 52.0}, {6, 49.03, 52.0}, {7, 48.1, 52.0},
    {8, 50.27, 52.0}, {10, 49.64, 52.0}, {12, 49.2, 52.0}, {15, 50.7, 52.0}, {20, 50.51, 52.0},
};

static void load_no_churn(crm_ltv_customer *c)
{
    for (size_t i = 0; i < 20; i++)
        c[i] = (crm_ltv_customer){no_churn[i][0], no_churn[i][1], no_churn[i][2], 0, 1};
}

static void test_limit_predictions_by_hand(void **state)
{
    (void)state;
    /* NBD: P(alive) = 1, E[Y(t) | x, T] = (r + x) t / (alpha + T):
     * r = 0.5, alpha = 10, x = 3, T = 20, t = 30: 3.5 x 30 / 30 = 3.5. */
    const double nbd[4] = {0.5, 10, 0, NAN};
    assert_true(crm_ltv_params_no_dropout(nbd));
    for (int m = CRM_LTV_BGNBD; m <= CRM_LTV_MBGNBD; m++) {
        expect_near("NBD P(alive)", crm_ltv_p_alive((crm_ltv_model)m, nbd, 3, 15, 20), 1.0, 0);
        expect_near("NBD E", crm_ltv_expected_purchases((crm_ltv_model)m, nbd, 30, 3, 15, 20), 3.5,
                    1e-15);
        expect_near("NBD E new", crm_ltv_expected_purchases_new((crm_ltv_model)m, nbd, 30), 1.5,
                    1e-15);
    }
    /* Beta-binomial: E over t periods = t (alpha + x) / (alpha + beta + n):
     * alpha = 1, beta = 3, x = 2, n = 6, t = 5: 5 x 3 / 10 = 1.5. */
    const double bb[4] = {1, 3, 0, NAN};
    expect_near("BB P(alive)", crm_ltv_p_alive(CRM_LTV_BGBB, bb, 2, 5, 6), 1.0, 0);
    expect_near("BB E", crm_ltv_expected_purchases(CRM_LTV_BGBB, bb, 5, 2, 5, 6), 1.5, 1e-15);
    /* Log-likelihoods: NBD lnG(r+x) - lnG(r) + r ln alpha - (r+x) ln(alpha+T)
     * for (x, T) = (3, 20) and (0, 20): lnG(3.5) - lnG(0.5) + 0.5 ln 10
     * - 3.5 ln 30 and 0.5 ln(10/30); beta-binomial lnB(3, 7) - lnB(1, 3). */
    crm_ltv_customer two[2] = {{3, 15, 20, 0, 1}, {0, 0, 20, 0, 1}};
    double ll = 0;
    crm_error err;
    assert_int_equal(crm_ltv_loglik(CRM_LTV_PARETO_NBD, nbd, two, 2, &ll, &err), CRM_OK);
    double want = lgamma(3.5) - lgamma(0.5) + 0.5 * log(10) - 3.5 * log(30) + 0.5 * log(10.0 / 30);
    expect_near("NBD LL", ll, want, 1e-12);
    crm_ltv_customer one[1] = {{2, 5, 6, 0, 1}};
    assert_int_equal(crm_ltv_loglik(CRM_LTV_BGBB, bb, one, 1, &ll, &err), CRM_OK);
    /* B(3, 7) = 2! 6! / 9! = 1/252, B(1, 3) = 1/3: ln(3/252). */
    expect_near("BB LL", ll, log(3.0 / 252), 1e-12);
    /* Zero purchase rate: E = 0 for x = 0, NaN for a customer it cannot explain. */
    const double none[4] = {0, NAN, 0, NAN};
    assert_true(crm_ltv_params_no_purchases(none));
    expect_near("rate 0", crm_ltv_expected_purchases(CRM_LTV_BGNBD, none, 10, 0, 0, 5), 0, 0);
    assert_true(isnan(crm_ltv_expected_purchases(CRM_LTV_BGNBD, none, 10, 1, 2, 5)));
}

static void test_no_dropout_fit_is_the_limit_maximum(void **state)
{
    (void)state;
    crm_ltv_customer c[20];
    load_no_churn(c);
    for (int m = CRM_LTV_BGNBD; m <= CRM_LTV_MBGNBD; m++) {
        crm_ltv_fit_diagnosis dg;
        crm_error err;
        if (crm_ltv_fit_diagnosed((crm_ltv_model)m, c, 20, NULL, &dg, &err) != CRM_OK)
            fail_msg("%s: %s", crm_ltv_model_name((crm_ltv_model)m), err.message);
        assert_int_not_equal(dg.verdict, CRM_LTV_DROPOUT_EVIDENT);
        assert_true(crm_ltv_params_no_dropout(dg.fit.params));
        assert_true(isnan(dg.fit.se[2]) && isnan(dg.fit.se[3]));
        assert_true(dg.fit.se[0] > 0 && dg.fit.se[1] > 0);
        /* The full model gains nothing that would show dropout. */
        assert_true(dg.lr_statistic < CRM_LTV_DROPOUT_LR_CRITICAL);
        /* A proper maximum of the NBD likelihood: lower in every direction. */
        double ll0, ll1;
        assert_int_equal(crm_ltv_loglik((crm_ltv_model)m, dg.fit.params, c, 20, &ll0, &err), CRM_OK);
        expect_near("LL", ll0, dg.fit.loglik, 1e-9);
        for (size_t i = 0; i < 2; i++)
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                double p[4] = {dg.fit.params[0], dg.fit.params[1], 0, NAN};
                p[i] *= 1 + sgn * 1e-3;
                assert_int_equal(crm_ltv_loglik((crm_ltv_model)m, p, c, 20, &ll1, &err), CRM_OK);
                assert_true(ll1 < ll0);
            }
        /* The same NBD whichever model's edge it is. */
        expect_near("r", dg.fit.params[0], 1.2742, 5e-5);
        expect_near("alpha", dg.fit.params[1], 12.5014, 5e-4);
    }
    /* Nobody bought twice. */
    crm_ltv_customer zero[3] = {{0, 0, 5, 0, 1}, {0, 0, 7, 0, 1}, {0, 0, 9, 0, 2}};
    crm_ltv_fit_diagnosis dg;
    crm_error err;
    assert_int_equal(crm_ltv_fit_diagnosed(CRM_LTV_BGBB, zero, 3, NULL, &dg, &err), CRM_OK);
    assert_int_equal(dg.verdict, CRM_LTV_NO_REPEATS);
    assert_true(crm_ltv_params_no_purchases(dg.fit.params));
    expect_near("W", dg.fit.total_weight, 4, 0);
}

/* ---- CDNOW, computed here from the transactions ---- */

static int day_number(int ymd)
{
    struct tm tm = {0};
    tm.tm_year = ymd / 10000 - 1900;
    tm.tm_mon = ymd / 100 % 100 - 1;
    tm.tm_mday = ymd % 100;
    return (int)(timegm(&tm) / 86400);
}

enum { CDNOW_CUSTOMERS = 2357 };

/* x, t_x, T (weeks) up to 1997-09-30 and the purchase days after it. */
static void cdnow_holdout(crm_ltv_customer *c, double *x_holdout)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cdnow/CDNOW_sample.txt", CRM_TEST_DATA);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static int first[CDNOW_CUSTOMERS], last_cal[CDNOW_CUSTOMERS], prev[CDNOW_CUSTOMERS];
    static double cal_days[CDNOW_CUSTOMERS];
    memset(x_holdout, 0, CDNOW_CUSTOMERS * sizeof *x_holdout);
    const int end = day_number(19970930);
    int id, ymd, cds;
    long customer;
    double dollars;
    /* Rows come sorted by customer and date. */
    while (fscanf(f, "%ld %d %d %d %lf", &customer, &id, &ymd, &cds, &dollars) == 5) {
        int i = id - 1, d = day_number(ymd);
        assert_true(i >= 0 && i < CDNOW_CUSTOMERS);
        if (first[i] == 0) {
            first[i] = last_cal[i] = d;
            cal_days[i] = 1;
        } else if (d != prev[i]) {
            if (d <= end) {
                cal_days[i]++;
                last_cal[i] = d;
            } else {
                x_holdout[i]++;
            }
        }
        prev[i] = d;
    }
    fclose(f);
    for (int i = 0; i < CDNOW_CUSTOMERS; i++)
        c[i] = (crm_ltv_customer){cal_days[i] - 1, (last_cal[i] - first[i]) / 7.0,
                                  (end - first[i]) / 7.0, 0, 1};
}

/* FHL (2005) eq. (10). */
static double bgnbd_eq10(const double *p, double t, double x, double t_x, double T)
{
    const double r = p[0], alpha = p[1], a = p[2], b = p[3];
    double alive = x == 0 ? 1.0
                          : 1.0 / (1.0 + a / (b + x - 1) * pow((alpha + T) / (alpha + t_x), r + x));
    double z = t / (alpha + T + t);
    double f = gsl_sf_hyperg_2F1(r + x, b + x, a + b + x - 1, z);
    return (a + b + x - 1) / (a - 1) * (1 - pow((alpha + T) / (alpha + T + t), r + x) * f) * alive;
}

/* Fader & Hardie (2005, note 009) eqs. (18)-(19) and (41), branch alpha < beta. */
static double pnbd_eq41(const double *p, double t, double x, double t_x, double T)
{
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    assert_true(alpha < beta);
    const double A = r + s + x;
    double f1 = gsl_sf_hyperg_2F1(A, r + x, A + 1, (beta - alpha) / (beta + t_x)) / pow(beta + t_x, A);
    double f2 = gsl_sf_hyperg_2F1(A, r + x, A + 1, (beta - alpha) / (beta + T)) / pow(beta + T, A);
    double alive = 1.0 / (1.0 + s / A * pow(alpha + T, r + x) * pow(beta + T, s) * (f1 - f2));
    return (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - pow((beta + T) / (beta + T + t), s - 1)) *
           alive;
}

static void test_validate_cdnow_by_the_papers_formulas(void **state)
{
    (void)state;
    static crm_ltv_customer c[CDNOW_CUSTOMERS];
    static double y[CDNOW_CUSTOMERS], d[CDNOW_CUSTOMERS];
    cdnow_holdout(c, y);
    /* Holdout 1997-10-01 .. 1998-06-30: 273 days = 39 weeks. */
    for (int i = 0; i < CDNOW_CUSTOMERS; i++)
        d[i] = 39.0;
    const crm_ltv_model models[2] = {CRM_LTV_BGNBD, CRM_LTV_PARETO_NBD};
    for (int k = 0; k < 2; k++) {
        crm_ltv_fit_diagnosis dg;
        crm_error err;
        if (crm_ltv_fit_diagnosed(models[k], c, CDNOW_CUSTOMERS, NULL, &dg, &err) != CRM_OK)
            fail_msg("%s", err.message);
        assert_int_equal(dg.verdict, CRM_LTV_DROPOUT_EVIDENT);
        /* The published fits. */
        expect_near("LL", dg.fit.loglik, k == 0 ? -9582.429 : -9594.976, 5e-4);
        crm_ltv_validation v;
        assert_int_equal(crm_ltv_validate(models[k], dg.fit.params, c, y, d, CDNOW_CUSTOMERS, &v, &err),
                         CRM_OK);
        double total = 0, predicted = 0, abs_err = 0, bin0 = 0;
        for (int i = 0; i < CDNOW_CUSTOMERS; i++) {
            double e = k == 0 ? bgnbd_eq10(dg.fit.params, 39, c[i].x, c[i].t_x, c[i].T)
                              : pnbd_eq41(dg.fit.params, 39, c[i].x, c[i].t_x, c[i].T);
            total += y[i];
            predicted += e;
            abs_err += fabs(y[i] - e);
            if (c[i].x == 0)
                bin0 += y[i];
        }
        expect_near("customers", v.customers, CDNOW_CUSTOMERS, 0);
        expect_near("actual_total", v.actual_total, 1882, 0);
        expect_near("actual_total by hand", v.actual_total, total, 0);
        expect_near("predicted_total", v.predicted_total, predicted, 1e-9 * predicted);
        expect_near("mae", v.mae, abs_err / CDNOW_CUSTOMERS, 1e-12);
        expect_near("bin 0 customers", v.bin_customers[0], 1411, 0);
        expect_near("bin 0 actual", v.bin_actual_mean[0], bin0 / 1411, 1e-15);
    }
}

static void test_validate_refuses_bad_holdout(void **state)
{
    (void)state;
    const double p[4] = {0.243, 4.414, 0.793, 2.426};
    crm_ltv_customer c[2] = {{1, 2, 10, 0, 1}, {0, 0, 10, 0, 1}};
    double y[2] = {0, -1}, d[2] = {5, 5};
    crm_ltv_validation v;
    crm_error err;
    assert_int_equal(crm_ltv_validate(CRM_LTV_BGNBD, p, c, y, d, 2, &v, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "customer row 2: x_holdout = -1"));
    y[1] = 0;
    d[0] = 2.5;
    assert_int_equal(crm_ltv_validate(CRM_LTV_BGBB, p, c, y, d, 2, &v, &err), CRM_EDATA);
    c[0].weight = c[1].weight = 0;
    d[0] = 5;
    assert_int_equal(crm_ltv_validate(CRM_LTV_BGNBD, p, c, y, d, 2, &v, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "no customers"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_predictions_by_hand),
        cmocka_unit_test(test_no_dropout_fit_is_the_limit_maximum),
        cmocka_unit_test(test_validate_cdnow_by_the_papers_formulas),
        cmocka_unit_test(test_validate_refuses_bad_holdout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
