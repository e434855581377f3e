/* The customers table as crm-ltv reads and writes it
 * (lib/ltv_customers_file.c, and the row-by-row helpers of
 * lib/customers_table.c): columns by name, numbers with file:line:column
 * messages, bad rows skipped through the hook, every field passed through. */
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

#include "crm/ltv_customers_file.h"

static crm_csv_reader *open_text(const char *text, const char *name)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), name, &opts, &err), CRM_OK);
    return r;
}

static crm_ltv_customers_spec model_spec(void)
{
    crm_ltv_customers_spec spec = {.summary = 1, .model = CRM_LTV_BGNBD, .keep_rows = 1};
    spec.required = 7u;
    return spec;
}

/* Counts the rows the hook is given and keeps the first message. */
typedef struct {
    int skipped;
    char first[1024];
} skip_count;

static crm_status skip_row(void *ctx, crm_error *err)
{
    skip_count *s = ctx;
    if (s->skipped++ == 0) snprintf(s->first, sizeof s->first, "%s", err->message);
    crm_error_clear(err);
    return CRM_OK;
}

static const char table[] =
    "customer_id,country,x,t_x,T,monetary_value,profit\n"
    "a,\"UK, north\",2,30.43,38.86,22.5,40.10\n"
    "b,FR,0,0,38.86,0,5\n";

static void test_read_and_pass_through(void **state)
{
    (void)state;
    crm_csv_reader *r = open_text(table, "in.csv");
    crm_ltv_customers_spec spec = model_spec();
    crm_ltv_customers t = {0};
    crm_error err;
    assert_int_equal(crm_ltv_customers_read(r, &spec, NULL, &t, &err), CRM_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.ncolumns, 7);
    assert_true(t.c[0].x == 2 && t.c[0].t_x == 30.43 && t.c[0].T == 38.86 && t.c[0].monetary_value == 22.5);
    assert_true(t.c[1].weight == 1);
    assert_int_equal(t.lines[1], 3);
    assert_int_equal(t.col[CRM_LTV_COL_PROFIT], 6);
    assert_int_equal(t.col[CRM_LTV_COL_WEIGHT], -1);
    assert_true(t.total_profit == 40.10 + 5);
    assert_null(t.monetary);
    assert_string_equal(t.input_name, "in.csv");

    /* Scores behind the input's own fields, quoting kept as CSV wants it. */
    char path[] = "/tmp/crm-test-ltv-customers-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    crm_ltv_prediction p[2] = {{0.7265785, 1.2260282, 24.654, 29.0049}, {1, 0.0000004, 35.17, 0}};
    assert_int_equal(crm_ltv_customers_write_scores(w, r, &t, p, 1), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    char buf[1024];
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    unlink(path);
    buf[n] = '\0';
    assert_string_equal(buf,
                        "customer_id,country,x,t_x,T,monetary_value,profit,p_alive,expected_purchases,"
                        "expected_avg_value,clv,historic_value\n"
                        "a,\"UK, north\",2,30.43,38.86,22.5,40.10,0.726579,1.226028,24.65,29.00,40.10\n"
                        "b,FR,0,0,38.86,0,5,1.000000,0.000000,35.17,0.00,5.00\n");
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
}

static void expect_error(const char *text, crm_ltv_customers_spec spec, const char *message)
{
    crm_csv_reader *r = open_text(text, "in.csv");
    crm_ltv_customers t = {0};
    crm_error err;
    crm_error_clear(&err);
    assert_int_equal(crm_ltv_customers_read(r, &spec, NULL, &t, &err), CRM_EDATA);
    assert_string_equal(err.message, message);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
}

static void test_bad_rows(void **state)
{
    (void)state;
    crm_ltv_customers_spec spec = model_spec();
    expect_error("x,t_x,T\n1,2,3\n2,x2,9\n", spec, "in.csv:3: column 't_x': cannot read 'x2' as a number");
    expect_error("x,t_x,T\n1,4,3\n", spec, "in.csv:2: t_x = 4 is greater than T = 3");
    expect_error("x,t_x,T\n1,2,3,4\n", spec, "in.csv:2: expected 3 fields, found 4");
    expect_error("x,T\n1,3\n", spec, "in.csv: no column 't_x'; name it with --t-x COL");
    spec.required |= 1u << CRM_LTV_COL_X_HOLDOUT;
    expect_error("x,t_x,T,x_holdout\n1,2,3,1\n", spec,
                 "in.csv: no column 'duration_holdout'; name it with --duration-holdout COL");
    expect_error("x,t_x,T,x_holdout,duration_holdout\n1,2,3,1.5,4\n", spec,
                 "in.csv:2: column 'x_holdout': '1.5' is not a whole number of purchases >= 0");
}

/* A skipped row leaves nothing behind: not in the rows, not in the totals. */
static void test_skip_bad(void **state)
{
    (void)state;
    crm_csv_reader *r = open_text("x,t_x,T,profit\n1,2,3,10\n1,2,3,oops\n2,9,3,20\n0,0,5,1.5\n", "in.csv");
    crm_ltv_customers_spec spec = model_spec();
    skip_count s = {0, ""};
    crm_customers_table_hooks hooks = {skip_row, NULL, &s};
    crm_ltv_customers t = {0};
    crm_error err;
    assert_int_equal(crm_ltv_customers_read(r, &spec, &hooks, &t, &err), CRM_OK);
    assert_int_equal(s.skipped, 2);
    assert_string_equal(s.first, "in.csv:3: column 'profit': cannot read 'oops' as a number");
    assert_int_equal(t.n, 2);
    assert_int_equal(crm_customers_table_store_rows(t.rows), 2);
    assert_true(t.total_profit == 11.5);
    assert_int_equal(t.lines[1], 5);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
}

/* A column named by option (by name or 1-based index) wins over the default. */
static void test_named_columns(void **state)
{
    (void)state;
    crm_csv_reader *r = open_text("id,frequency,recency,age,zbar,x\n7,3,20,30,12.5,99\n", "in.csv");
    crm_ltv_customers_spec spec = model_spec();
    spec.columns[CRM_LTV_COL_X] = "frequency";
    spec.columns[CRM_LTV_COL_T_X] = "3";
    spec.columns[CRM_LTV_COL_T] = "age";
    spec.columns[CRM_LTV_COL_MONETARY_VALUE] = "zbar";
    crm_ltv_customers t = {0};
    crm_error err;
    assert_int_equal(crm_ltv_customers_read(r, &spec, NULL, &t, &err), CRM_OK);
    assert_true(t.c[0].x == 3 && t.c[0].t_x == 20 && t.c[0].T == 30 && t.c[0].monetary_value == 12.5);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    assert_string_equal(crm_ltv_column_default(CRM_LTV_COL_DURATION_HOLDOUT), "duration_holdout");
    assert_string_equal(crm_ltv_column_option(CRM_LTV_COL_MONETARY_VALUE), "--monetary-value");
    assert_null(crm_ltv_column_default(CRM_LTV_COL_WEIGHT));
}

/* --margin profit: total profit / total monetary, by hand 30 / 120 = 0.25. */
static void test_profit_margin(void **state)
{
    (void)state;
    crm_csv_reader *r = open_text("x,t_x,T,profit,monetary\n1,2,3,10,40\n0,0,3,20,80\n", "in.csv");
    crm_ltv_customers_spec spec = model_spec();
    crm_ltv_customers t = {0};
    crm_error err;
    double margin = -1;
    assert_int_equal(crm_ltv_customers_read(r, &spec, NULL, &t, &err), CRM_OK);
    assert_int_equal(crm_ltv_customers_profit_margin(&t, &margin, &err), CRM_OK);
    assert_true(margin == 0.25);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    r = open_text("x,t_x,T,profit\n1,2,3,10\n", "in.csv");
    memset(&t, 0, sizeof t);
    assert_int_equal(crm_ltv_customers_read(r, &spec, NULL, &t, &err), CRM_OK);
    assert_int_equal(crm_ltv_customers_profit_margin(&t, &margin, &err), CRM_EDATA);
    assert_string_equal(err.message, "in.csv: --margin profit needs a profit and a monetary column (name them with "
                                     "--profit COL and --monetary COL)");
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_and_pass_through), cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_skip_bad), cmocka_unit_test(test_named_columns),
        cmocka_unit_test(test_profit_margin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
