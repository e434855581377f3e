/* The LTV model file (lib/ltv_model_file.c): a model saved and loaded back
 * is the same to the last bit; a bad file is refused with its name, the
 * line and the value. */
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

#include "crm/ltv_model_file.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/crm-test-model-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    const char *path = path_of(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char *read_text(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void same_bits(const char *what, double got, double want)
{
    if (memcmp(&got, &want, sizeof got) != 0 && !(isnan(got) && isnan(want)))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* Numbers whose shortest decimal text is 17 digits: they read back the
 * same only when written with every digit they need. */
static crm_ltv_model_file sample(void)
{
    crm_ltv_model_file f;
    crm_ltv_fit_result fit = {0};
    double params[4] = {0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 4.414000000000001};
    double se[4] = {0.0126, NAN, 1e-300, 0.705};
    memcpy(fit.params, params, sizeof params);
    memcpy(fit.se, se, sizeof se);
    fit.loglik = -9582.426;
    fit.total_weight = 2357;
    crm_ltv_model_file_from_fit(&f, CRM_LTV_BGNBD, CRM_UNIT_WEEK, &fit);
    crm_ltv_fit_result spend = {0};
    double sp[3] = {6.25, 3.74, 15.44 + 1e-12}, sse[3] = {NAN, 0.1, 0.2};
    memcpy(spend.params, sp, sizeof sp);
    memcpy(spend.se, sse, sizeof sse);
    spend.loglik = -4055.9247127301674;
    spend.total_weight = 946;
    crm_ltv_model_file_set_spend(&f, &spend);
    return f;
}

static void test_round_trip(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);   /* 2023-11-14 22:13:20 UTC */
    crm_ltv_model_file f = sample(), g;
    crm_error err;
    assert_string_equal(f.date, "2023-11-14");
    const char *path = path_of("model.csv");
    assert_int_equal(crm_ltv_model_file_save(path, &f, &err), CRM_OK);
    assert_int_equal(crm_ltv_model_file_load(path, &g, &err), CRM_OK);
    assert_int_equal(g.model, CRM_LTV_BGNBD);
    assert_int_equal(g.unit, CRM_UNIT_WEEK);
    for (int i = 0; i < 4; i++) {
        same_bits("param", g.params[i], f.params[i]);
        same_bits("se", g.se[i], f.se[i]);
    }
    assert_true(g.has_spend);
    for (int i = 0; i < 3; i++) {
        same_bits("spend param", g.spend_params[i], f.spend_params[i]);
        same_bits("spend se", g.spend_se[i], f.spend_se[i]);
    }
    same_bits("loglik", g.loglik, f.loglik);
    same_bits("n", g.n, f.n);
    same_bits("spend.loglik", g.spend_loglik, f.spend_loglik);
    same_bits("spend.n", g.spend_n, f.spend_n);
    assert_string_equal(g.date, "2023-11-14");
    /* The file itself: the keys in order, a missing standard error left out. */
    assert_string_equal(read_text(path),
                        "key,value\nformat,crm-ltv model 1\nmodel,bgnbd\nunit,weeks\n"
                        "r,0.30000000000000004\nr.se,0.0126\nalpha,0.3333333333333333\n"
                        "a,0.6666666666666666\na.se,1e-300\nb,4.414000000000001\nb.se,0.705\n"
                        "loglik,-9582.426\nn,2357\nspend.p,6.25\nspend.q,3.74\nspend.q.se,0.1\n"
                        "spend.gamma,15.440000000001\nspend.gamma.se,0.2\nspend.loglik,-4055.9247127301674\n"
                        "spend.n,946\ndate,2023-11-14\n");
}

/* At the no-dropout edge the fourth parameter has no meaning: it is not
 * written and the file still loads. */
static void test_no_dropout_edge(void **state)
{
    (void)state;
    crm_ltv_model_file f = sample(), g;
    f.model = CRM_LTV_PARETO_NBD;
    f.params[2] = 0;
    f.params[3] = NAN;
    f.has_spend = 0;
    crm_error err;
    const char *path = path_of("edge.csv");
    assert_int_equal(crm_ltv_model_file_save(path, &f, &err), CRM_OK);
    assert_null(strstr(read_text(path), "beta"));
    assert_int_equal(crm_ltv_model_file_load(path, &g, &err), CRM_OK);
    assert_int_equal(g.model, CRM_LTV_PARETO_NBD);
    same_bits("s", g.params[2], 0.0);
    assert_true(isnan(g.params[3]));
    assert_false(g.has_spend);
}

static void expect_refused(const char *name, const char *text, crm_status status, const char *message)
{
    const char *path = write_text(name, text);
    crm_ltv_model_file g;
    crm_error err;
    crm_error_clear(&err);
    crm_status got = crm_ltv_model_file_load(path, &g, &err);
    if (got != status)
        fail_msg("%s: status %d, want %d (%s)", name, got, status, err.message);
    char want[512];
    snprintf(want, sizeof want, "%s%s", path, message);   /* every message starts with the file */
    assert_string_equal(err.message, want);
}

#define HEAD "key,value\nformat,crm-ltv model 1\nmodel,bgnbd\nunit,weeks\n"

static void test_bad_files(void **state)
{
    (void)state;
    expect_refused("number.csv", HEAD "r,0.243\nalpha,4,4\n", CRM_EDATA,
                   ":6: expected key,value, found 3 fields");
    expect_refused("value.csv", HEAD "r,0.243\nalpha,4.41x\n", CRM_EDATA,
                   ":6: cannot read '4.41x' as the number for 'alpha'");
    expect_refused("header.csv", "parameter,estimate\nr,0.243\n", CRM_EDATA,
                   ": not a crm-ltv model file (the header is not 'key,value')");
    expect_refused("short.csv", HEAD "r,0.243\nalpha,4.414\na,0.793\n", CRM_EDATA,
                   ": not a complete crm-ltv model file (it needs format, model, unit and the model's "
                   "four parameters)");
    expect_refused("format.csv", "key,value\nformat,crm-ltv model 2\nmodel,bgnbd\nunit,weeks\nr,1\nalpha,1\na,1\nb,1\n",
                   CRM_EDATA, ": not a complete crm-ltv model file (it needs format, model, unit and the model's "
                   "four parameters)");
    expect_refused("negative.csv", HEAD "r,0.243\nalpha,-4.414\na,0.793\nb,2.426\n", CRM_EDATA,
                   ": parameter alpha = -4.414 is not positive");
    expect_refused("edge.csv", HEAD "r,-1\nalpha,4.414\na,0\n", CRM_EDATA,
                   ": with a = 0 (no dropout) r must be 0, or r and alpha positive");
    expect_refused("spend.csv", HEAD "r,0.243\nalpha,4.414\na,0.793\nb,2.426\nspend.p,6\nspend.q,0.5\nspend.gamma,15\n",
                   CRM_EDATA, ": the Gamma-Gamma parameters must be positive with q > 1");
    crm_ltv_model_file g;
    crm_error err;
    assert_int_equal(crm_ltv_model_file_load(path_of("absent.csv"), &g, &err), CRM_EIO);
    assert_non_null(strstr(err.message, "cannot read the model file: "));
}

static void test_check(void **state)
{
    (void)state;
    crm_ltv_model_file f = sample();
    crm_error err;
    assert_int_equal(crm_ltv_model_file_check(&f, "m.csv", 0, CRM_LTV_PARETO_NBD, CRM_UNIT_WEEK, &err), CRM_OK);
    assert_int_equal(crm_ltv_model_file_check(&f, "m.csv", 1, CRM_LTV_PARETO_NBD, CRM_UNIT_WEEK, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "m.csv holds a BG/NBD model, not Pareto/NBD as --model asks");
    assert_int_equal(crm_ltv_model_file_check(&f, "m.csv", 1, CRM_LTV_BGNBD, CRM_UNIT_DAY, &err), CRM_EDATA);
    assert_string_equal(err.message, "m.csv was fitted on data in weeks, but these data are in days (--unit days); "
                                     "refit, or give --unit weeks if the columns are in weeks");
}

static void test_fit_table(void **state)
{
    (void)state;
    crm_ltv_model_file f = sample();
    crm_error err;
    const char *path = path_of("table.csv");
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_ltv_model_file_write_table(w, &f, 3), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    assert_string_equal(read_text(path), "model,parameter,estimate,std_error\nBG/NBD,r,0.300,0.013\n"
                                         "BG/NBD,alpha,0.333,\nBG/NBD,a,0.667,0.000\nBG/NBD,b,4.414,0.705\n"
                                         "Gamma-Gamma,p,6.250,\nGamma-Gamma,q,3.740,0.100\n"
                                         "Gamma-Gamma,gamma,15.440,0.200\n");
    assert_string_equal(crm_ltv_model_key(CRM_LTV_MBGNBD), "mbgnbd");
}

static void keep_note(void *ctx, int always, const char *text)
{
    (void)always;
    size_t len = strlen(ctx);
    snprintf((char *)ctx + len, 4096 - len, "%s", text);
}

/* A model file fitted on CDNOW (tests/data/cdnow/README.md): Fader, Hardie
 * and Lee (2005) BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
 * Fader & Hardie (2013) Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44. */
static void test_fit_cdnow(void **state)
{
    (void)state;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open(&r, CRM_TEST_DATA "/cdnow/cdnow_customers_summary_with_transactions.csv", &opts,
                                  &err), CRM_OK);
    crm_ltv_customers_spec spec = {.required = 7u, .summary = 1, .model = CRM_LTV_BGNBD};
    spec.columns[CRM_LTV_COL_MONETARY_VALUE] = "zbar";
    crm_ltv_customers t = {0};
    assert_int_equal(crm_ltv_customers_read(r, &spec, NULL, &t, &err), CRM_OK);
    static char notes[4096];
    notes[0] = '\0';
    crm_ltv_fit_spec fs = {.model = CRM_LTV_BGNBD, .unit = CRM_UNIT_WEEK, .with_spend = 1, .note = keep_note,
                           .ctx = notes};
    crm_ltv_fit_options_init(&fs.fit);
    fs.fit.threads = 1;
    crm_ltv_model_file f;
    crm_ltv_fit_summary s;
    assert_int_equal(crm_ltv_model_file_fit(&f, &fs, &t, NULL, &s, &err), CRM_OK);
    const double want[4] = {0.243, 4.414, 0.793, 2.426}, spend[3] = {6.25, 3.74, 15.44};
    for (int i = 0; i < 4; i++)
        assert_true(fabs(f.params[i] - want[i]) < 0.0005);
    for (int i = 0; i < 3; i++)
        assert_true(fabs(f.spend_params[i] - spend[i]) < 0.01);
    assert_true(f.has_spend && s.has_spend && s.spend.used == 946);
    assert_int_equal(s.purchase.verdict, CRM_LTV_DROPOUT_EVIDENT);
    assert_true(f.n == 2357 && f.unit == CRM_UNIT_WEEK);
    assert_non_null(strstr(notes, "BG/NBD fit on 2357 customers (weeks): log-likelihood -9582.426"));
    assert_non_null(strstr(notes, "\nGamma-Gamma fit on 946 repeat buyers"));
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_no_dropout_edge),
        cmocka_unit_test(test_bad_files), cmocka_unit_test(test_check), cmocka_unit_test(test_fit_table),
        cmocka_unit_test(test_fit_cdnow),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
