/* The cohort method's files (lib/ltv_cohort_file.c): transactions read
 * with file:line:column messages, bad rows through the hook, and the table
 * written with one format per column. */
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

#include "crm/ltv_cohort_file.h"

static crm_csv_reader *open_text(const char *text)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), "tx.csv", &opts, &err), CRM_OK);
    return r;
}

static crm_status skip_row(void *ctx, crm_error *err)
{
    ++*(int *)ctx;
    crm_error_clear(err);
    return CRM_OK;
}

/* Customers a (2011-01-05, invoices 1 and 2: one order of 100.50 + 20) and
 * b (2011-03-01, 30) make the 2011 cohort's first period, by hand:
 * 2 customers, revenue 150.50, 2 orders, orders per customer 1, average
 * order 75.25.  a's 2012 order of 50 is period 2: 1 customer, retention
 * 1/2. */
static void test_read(void **state)
{
    (void)state;
    crm_csv_reader *r = open_text("customer_id,invoice_id,date,amount,note\n"
                                  "a,1,2011-01-05,100.50,x\na,1,2011-01-05,20,\nb,3,2011-03-01,30,\n"
                                  "b,4,2011-13-01,30,\nc,5,2011-04-01,3O,\na,2,2012-02-01,50,y\n");
    const char *columns[CRM_LTV_NCOLUMNS] = {NULL};
    crm_cohort *cohort = crm_cohort_new(CRM_COHORT_BY_YEAR);
    int skipped = 0;
    crm_customers_table_hooks hooks = {skip_row, NULL, &skipped};
    uint64_t rows = 0;
    crm_error err;
    assert_int_equal(crm_ltv_cohort_file_read(r, columns, cohort, &hooks, &rows, &err), CRM_OK);
    assert_int_equal(rows, 6);
    assert_int_equal(skipped, 2);
    crm_cohort_options opts;
    crm_cohort_options_init(&opts);
    crm_cohort_row *t;
    size_t n;
    assert_int_equal(crm_cohort_table(cohort, &opts, &t, &n, &err), CRM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].cohort, 2011);
    assert_true(t[0].customers == 2 && t[0].revenue == 150.5 && t[0].orders_per_customer == 1 &&
                t[0].avg_order_value == 75.25);
    assert_true(t[1].period == 2 && t[1].customers == 1 && t[1].retention_rate == 0.5 && t[1].revenue == 50);
    free(t);
    crm_cohort_free(cohort);
    crm_csv_close(r);
}

static void expect_error(const char *text, const char *message)
{
    crm_csv_reader *r = open_text(text);
    const char *columns[CRM_LTV_NCOLUMNS] = {NULL};
    crm_cohort *cohort = crm_cohort_new(CRM_COHORT_BY_MONTH);
    uint64_t rows = 0;
    crm_error err;
    crm_error_clear(&err);
    assert_int_equal(crm_ltv_cohort_file_read(r, columns, cohort, NULL, &rows, &err), CRM_EDATA);
    assert_string_equal(err.message, message);
    crm_cohort_free(cohort);
    crm_csv_close(r);
}

static void test_bad_rows(void **state)
{
    (void)state;
    expect_error("customer_id,date,amount\na,2011-01-05,1\na,2011-02-30,2\n",
                 "tx.csv:3: column 'date': cannot read '2011-02-30' as a date (YYYY-MM-DD)");
    expect_error("customer_id,date,amount,cost\na,2011-01-05,1,x\n",
                 "tx.csv:2: column 'cost': cannot read 'x' as a number");
    expect_error("customer_id,date\na,2011-01-05\n", "tx.csv: no column 'amount'; name it with --amount COL");
}

static void test_write(void **state)
{
    (void)state;
    crm_cohort_row rows[1] = {{201112, 1, 3, NAN, 1, 1.3333333, 99.995, 400.004, 0.6, 240.0024, 30, 0, 130.0016,
                               1, 130.0016, 130.0016, 43.33387}};
    char path[] = "/tmp/crm-test-cohort-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_ltv_cohort_file_write(w, rows, 1, CRM_COHORT_BY_MONTH), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    char buf[1024];
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    unlink(path);
    buf[n] = '\0';
    assert_string_equal(buf, "cohort,period,customers,retention_rate,retention_from_start,orders_per_customer,"
                             "avg_order_value,revenue,cost_rate,direct_cost,acquisition_cost,marketing_cost,"
                             "gross_profit,discount_factor,npv_profit,cumulative_npv,ltv_per_customer\n"
                             "2011-12,1,3,,1.0000,1.3333,100.00,400.00,0.6000,240.00,30.00,0.00,130.00,1.000000,"
                             "130.00,130.00,43.33\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read), cmocka_unit_test(test_bad_rows), cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
