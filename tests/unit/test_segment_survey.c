/* Unit tests of lib/segment_survey.c: the loyalty survey of crm-segment
 * --survey.  Scales given or taken from the answers, each customer's
 * subjective value (worked by hand beside each case), bad rows refused or
 * skipped with file:line, column and value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/segment_survey.h"

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

static crm_status read_survey(const char *text, const crm_survey_scale *scales, size_t n, crm_table_bad_row bad,
                              void *ctx, crm_survey *v, crm_error *err)
{
    crm_csv_reader *r = open_text(text, "survey.csv");
    memset(v, 0, sizeof *v);
    crm_status st = crm_survey_read(v, r, scales, n, bad, ctx, err);
    crm_csv_close(r);
    return st;
}

/* A customers table of ids only, to join the survey on. */
static crm_customers_rows *customers(const char *text, crm_csv_reader **r)
{
    crm_error err;
    const crm_csv_record *rec;
    *r = open_text(text, "in.csv");
    crm_customers_rows *rows = crm_customers_rows_new(crm_csv_header(*r)->nfields);
    while (crm_csv_next(*r, &rec, &err) == CRM_OK && rec)
        assert_int_equal(crm_customers_rows_add(rows, rec, &err), CRM_OK);
    return rows;
}

static void test_subjective_values(void **state)
{
    (void)state;
    crm_survey_scale scales[CRM_SURVEY_MAX_SCORES];
    size_t n = 0;
    crm_error err;
    assert_int_equal(crm_survey_add_scale(scales, &n, "satisfaction=1:5", &err), CRM_OK);
    crm_survey v;
    /* satisfaction on 1..5; recommend takes its scale from the answers: 0..10 */
    assert_int_equal(read_survey("customer_id,satisfaction,recommend\nA,4,10\nB,,0\nC,1,\nZ,5,5\n", scales, n, NULL,
                                 NULL, &v, &err), CRM_OK);
    assert_int_equal(v.nrows, 4);
    assert_true(v.lo[1] == 0 && v.hi[1] == 10);
    crm_csv_reader *r;
    crm_customers_rows *rows = customers("customer_id,x\nC,1\nA,2\nB,3\nD,4\n", &r);
    double *subjective = NULL;
    assert_int_equal(crm_survey_subjective(&v, rows, 0, &subjective, &err), CRM_OK);
    /* C: (1-1)/4 = 0, recommend not answered -> 0 */
    assert_true(fabs(subjective[0] - 0.0) < 1e-15);
    /* A: mean of (4-1)/4 = 0.75 and (10-0)/10 = 1 -> 0.875 */
    assert_true(fabs(subjective[1] - 0.875) < 1e-15);
    /* B: satisfaction empty, recommend 0 -> 0 */
    assert_true(fabs(subjective[2] - 0.0) < 1e-15);
    /* D: no survey row */
    assert_true(isnan(subjective[3]));
    assert_int_equal(v.matched, 3);   /* Z is not in the table */
    free(subjective);
    crm_customers_rows_free(rows);
    crm_csv_close(r);
    crm_survey_free(&v);
}

static void expect_error(const char *text, const crm_survey_scale *scales, size_t n, const char *message)
{
    crm_survey v;
    crm_error err;
    assert_int_not_equal(read_survey(text, scales, n, NULL, NULL, &v, &err), CRM_OK);
    assert_string_equal(err.message, message);
    crm_survey_free(&v);
}

static void test_bad_surveys(void **state)
{
    (void)state;
    crm_survey_scale scales[CRM_SURVEY_MAX_SCORES];
    size_t n = 0;
    crm_error err;
    assert_int_equal(crm_survey_add_scale(scales, &n, "satisfaction=1:5", &err), CRM_OK);
    expect_error("customer_id,satisfaction\nA,4\nB,6\n", scales, n,
                 "survey.csv:3: column 'satisfaction': score '6' is outside its scale 1..5");
    expect_error("customer_id,satisfaction\nA,4\nB,good\n", scales, n,
                 "survey.csv:3: column 'satisfaction': cannot read 'good' as a number");
    expect_error("customer_id,satisfaction\nC1,4\nC1,3\n", scales, n,
                 "survey.csv:3: column 'customer_id': customer 'C1' appears twice (first on line 2)");
    expect_error("customer_id,satisfaction\nA,4\nB,4\n", NULL, 0,
                 "survey.csv: column 'satisfaction': every answer is the same: give its scale with "
                 "--survey-scale satisfaction=LO:HI");
    expect_error("customer_id,price\nA,4\n", scales, n,
                 "--survey-scale satisfaction: the survey has no score column 'satisfaction'");
}

static crm_status skip_row(void *ctx, crm_error *err)
{
    ++*(int *)ctx;
    crm_error_clear(err);
    return CRM_OK;
}

static void test_skip_bad_rows(void **state)
{
    (void)state;
    crm_survey_scale scales[1] = {{"satisfaction", 1, 5}};
    crm_survey v;
    crm_error err;
    int skipped = 0;
    assert_int_equal(read_survey("customer_id,satisfaction\nA,4\nB,9\nC,x\nD,2\n", scales, 1, skip_row, &skipped, &v, &err),
                     CRM_OK);
    assert_int_equal(skipped, 2);
    assert_int_equal(v.nrows, 2);
    crm_survey_free(&v);
}

static void test_scale_options(void **state)
{
    (void)state;
    crm_survey_scale scales[CRM_SURVEY_MAX_SCORES];
    size_t n = 0;
    crm_error err;
    assert_int_equal(crm_survey_add_scale(scales, &n, "a=0:10", &err), CRM_OK);
    assert_true(scales[0].lo == 0 && scales[0].hi == 10);
    assert_int_equal(crm_survey_add_scale(scales, &n, "a=1:5", &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--survey-scale gives column 'a' twice");
    assert_int_equal(crm_survey_add_scale(scales, &n, "b=5:1", &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--survey-scale wants COL=LO:HI with LO below HI (satisfaction=1:5), got 'b=5:1'");
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subjective_values),
        cmocka_unit_test(test_bad_surveys),
        cmocka_unit_test(test_skip_bad_rows),
        cmocka_unit_test(test_scale_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
