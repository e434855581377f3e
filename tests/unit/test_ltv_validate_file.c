/* The --validate tables (lib/ltv_validate_file.c) and the choice between
 * candidate models (lib/ltv_validate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/ltv_validate_file.h"

static const char *written(crm_status (*write)(crm_csv_writer *, const crm_ltv_candidate *, size_t),
                           const crm_ltv_candidate *c, size_t n)
{
    static char buf[4096];
    char path[] = "/tmp/crm-test-validate-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(write(w, c, n), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    FILE *f = fopen(path, "r");
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    unlink(path);
    buf[len] = '\0';
    return buf;
}

static void two_candidates(crm_ltv_candidate *c)
{
    memset(c, 0, 2 * sizeof *c);
    c[0].model = CRM_LTV_PARETO_NBD;
    c[0].ok = 1;
    c[0].val.customers = 2357;
    c[0].val.actual_total = 1788;
    c[0].val.predicted_total = 1789.123456;
    c[0].val.mae = 0.1234567;
    c[0].val.rmse = 0.5;
    c[0].dg.fit.loglik = -9594.9765;
    c[0].bic = 19220.99;
    c[0].dg.verdict = CRM_LTV_DROPOUT_AT_EDGE;
    for (int b = 0; b < CRM_LTV_VALIDATE_BINS; b++) {
        c[0].val.bin_customers[b] = b == 7 ? 0 : 10 - b;
        c[0].val.bin_actual_mean[b] = b == 7 ? NAN : b * 0.5;
        c[0].val.bin_predicted_mean[b] = b == 7 ? NAN : b * 0.25;
    }
    c[1].model = CRM_LTV_BGBB;   /* not fitted: left out of both tables */
}

static void test_tables(void **state)
{
    (void)state;
    crm_ltv_candidate c[2];
    two_candidates(c);
    assert_string_equal(written(crm_ltv_validate_file_write, c, 2),
                        "model,customers,actual_total,predicted_total,mae,rmse,loglik,bic,dropout\n"
                        "pnbd,2357,1788,1789.1235,0.123457,0.500000,-9594.977,19220.990,at-edge\n");
    assert_string_equal(written(crm_ltv_validate_file_write_by_frequency, c, 2),
                        "model,x,customers,actual_mean,predicted_mean\n"
                        "pnbd,0,10,0.000000,0.000000\npnbd,1,9,0.500000,0.250000\npnbd,2,8,1.000000,0.500000\n"
                        "pnbd,3,7,1.500000,0.750000\npnbd,4,6,2.000000,1.000000\npnbd,5,5,2.500000,1.250000\n"
                        "pnbd,6,4,3.000000,1.500000\npnbd,7+,0,,\n");
    assert_string_equal(crm_ltv_dropout_key(CRM_LTV_NO_REPEATS), "no-repeats");
}

static void test_choice(void **state)
{
    (void)state;
    /* BIC by hand: LL -100, 4 parameters, 50 customers:
     * 200 + 4 log 50 = 200 + 15.648092021712584 = 215.64809202171258;
     * at the edge (third parameter 0, fourth NaN) 2 parameters. */
    crm_ltv_fit_result f = {.params = {0.5, 2, 0.3, 4}, .loglik = -100, .total_weight = 50};
    assert_true(fabs(crm_ltv_bic(&f) - 215.64809202171258) < 1e-12);
    f.params[2] = 0;
    f.params[3] = NAN;
    assert_true(fabs(crm_ltv_bic(&f) - (200 + 2 * log(50.0))) < 1e-12);

    crm_ltv_candidate c[3];
    memset(c, 0, sizeof c);
    c[0].ok = 1, c[0].bic = 10, c[0].val.mae = 0.3;
    c[1].ok = 0, c[1].bic = 1, c[1].val.mae = 0.1;   /* not ok: never chosen */
    c[2].ok = 1, c[2].bic = 10, c[2].val.mae = 0.2;
    assert_int_equal(crm_ltv_best_candidate(c, 3, 0), 0);   /* a tie: the first */
    assert_int_equal(crm_ltv_best_candidate(c, 3, 1), 2);
    c[0].ok = c[2].ok = 0;
    assert_int_equal(crm_ltv_best_candidate(c, 3, 1), 3);

    /* Whole periods in weeks: BG/BB joins; in days, or with a fraction, not. */
    crm_ltv_customer whole[2] = {{1, 3, 6, 0, 1}, {0, 0, 6, 0, 1}}, part[1] = {{1, 2.5, 6, 0, 1}};
    crm_ltv_model m[CRM_LTV_MAX_CANDIDATES];
    assert_int_equal(crm_ltv_candidate_models(0, whole, NULL, 2, m), 4);
    assert_int_equal(m[3], CRM_LTV_BGBB);
    assert_int_equal(crm_ltv_candidate_models(1, whole, NULL, 2, m), 3);
    assert_int_equal(crm_ltv_candidate_models(0, part, NULL, 1, m), 3);
    const double holdout[2] = {4, 4.5};
    assert_int_equal(crm_ltv_candidate_models(0, whole, holdout, 2, m), 3);
}

static void test_describe(void **state)
{
    (void)state;
    crm_ltv_candidate c[3];
    memset(c, 0, sizeof c);
    c[0].model = CRM_LTV_BGNBD, c[0].ok = 1, c[0].bic = 19195.6, c[0].val.mae = 0.62;
    c[1].model = CRM_LTV_MBGNBD, c[1].ok = 0;
    c[2].model = CRM_LTV_PARETO_NBD, c[2].ok = 1, c[2].bic = 19220.99, c[2].val.mae = 0.61;
    char text[512];
    crm_ltv_candidates_describe(text, sizeof text, c, 3, 0, 0);
    assert_string_equal(text, "--model auto: BG/NBD, with the lowest BIC, 19195.6 (Pareto/NBD 19221); no holdout "
                              "columns, so chosen by fit and size\n");
    crm_ltv_candidates_describe(text, sizeof text, c, 3, 2, 1);
    assert_string_equal(text, "--model auto: Pareto/NBD, with the lowest holdout MAE, 0.61 (BG/NBD 0.62)\n");
    c[0].ok = 0;
    crm_ltv_candidates_describe(text, sizeof text, c, 3, 2, 1);
    assert_string_equal(text, "--model auto: Pareto/NBD, with the lowest holdout MAE, 0.61\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tables), cmocka_unit_test(test_choice),
                                       cmocka_unit_test(test_describe)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
