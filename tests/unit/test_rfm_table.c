/* Unit tests of crm/rfm_table.h and crm/rfm_input.h: transactions read
 * from CSV into a table written back, compared with a hand calculation;
 * bad rows handed to on_bad with file:line; the thresholds file. */
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
#include "crm/rfm_input.h"
#include "crm/rfm_table.h"

static crm_csv_reader *open_text(const char *text)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), "in.csv", &opts, NULL), CRM_OK);
    return r;
}

typedef struct {
    int calls;
    char first[1024];
} bad_rows;

static crm_status count_bad(void *ctx, crm_error *err)
{
    bad_rows *b = ctx;
    if (b->calls++ == 0)
        snprintf(b->first, sizeof b->first, "%s", err->message);
    crm_error_clear(err);
    return CRM_OK;
}

/* Reads text (a header and rows) with default columns; returns the input. */
static crm_rfm_input *read_text(const char *text, bad_rows *bad, const char *const *keep, size_t nkeep)
{
    crm_rfm_input_options o = {.keep = keep, .nkeep = nkeep, .on_bad = count_bad, .bad_ctx = bad};
    crm_date_format_set(&o.date_format, CRM_DATE_ISO);
    crm_rfm_input *in;
    assert_int_equal(crm_rfm_input_new(&in, &o, NULL), CRM_OK);
    crm_csv_reader *r = open_text(text);
    assert_int_equal(crm_rfm_input_start(in, r, 1, NULL), CRM_OK);
    const crm_csv_record *rec;
    crm_error err;
    while (crm_csv_next(r, &rec, NULL) == CRM_OK && rec)
        assert_int_equal(crm_rfm_input_add(in, r, rec, &err), CRM_OK);
    crm_csv_close(r);
    return in;
}

static char *write_to_text(crm_status (*write)(crm_csv_writer *, const void *), const void *ctx)
{
    static char text[2048];
    char path[] = "/tmp/crm-test-rfm-table-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', NULL), CRM_OK);
    assert_int_equal(write(w, ctx), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, NULL), CRM_OK);
    FILE *f = fopen(path, "r");
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    unlink(path);
    text[len] = '\0';
    return text;
}

typedef struct {
    const crm_rfm_result *res;
    const crm_rfm_table_options *opts;
} table_job;

static crm_status write_table(crm_csv_writer *w, const void *ctx)
{
    const table_job *j = ctx;
    uint64_t prospects;
    return crm_rfm_table_write(w, j->res, j->opts, &prospects, NULL);
}

static crm_status write_thresholds(crm_csv_writer *w, const void *ctx)
{
    return crm_rfm_thresholds_write(w, ctx, NULL);
}

static void test_read_and_write_table(void **state)
{
    (void)state;
    /* B's row has a bad amount (skipped, counted); A bought on 01-01
     * (invoice 1: 10 + 5.50) and 01-11 (invoice 2: 30), in France then Peru.
     * As of 01-12: A recency 1, frequency 2, monetary 45.50, avg 22.75,
     * tenure 11, x 1, t_x 10, T 10, monetary_value 30; C one purchase of 7
     * on 01-11.  2 bins: F {1, 2} break 1.5: A 2, C 1; M {7, 45.5} break
     * 26.25: A 2, C 1; R {1, 1}: break 1, both bin 1, r 2. */
    static const char text[] = "customer_id,invoice_id,date,amount,Country\n"
                               "A,1,2020-01-01,10,France\nA,1,2020-01-01,5.50,France\nB,3,2020-01-05,x,Chile\n"
                               "A,2,2020-01-11,30,Peru\nC,4,2020-01-11,7,\n";
    bad_rows bad = {0};
    static const char *const keep[] = {"Country"};
    crm_rfm_input *in = read_text(text, &bad, keep, 1);
    assert_int_equal(bad.calls, 1);
    assert_string_equal(bad.first, "in.csv:4: column 'amount': cannot read 'x' as a number");
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.bins = 2;
    o.as_of = 18273;   /* 2020-01-12 */
    o.rows_on_demand = 1;
    crm_rfm_result res;
    assert_int_equal(crm_rfm_finish(crm_rfm_input_aggregator(in), &o, &res, NULL), CRM_OK);
    crm_rfm_table_options t = {.unit = CRM_UNIT_DAY, .decimals = -1, .attributes = crm_rfm_input_attributes(in),
                               .keep_names = crm_rfm_input_keep_names(in), .nkeep = 1};
    table_job job = {&res, &t};
    assert_string_equal(write_to_text(write_table, &job),
                        "customer_id,first_date,last_date,recency_days,frequency,monetary,avg_order_value,tenure_days,"
                        "r_score,f_score,m_score,rfm_score,x,t_x,T,monetary_value,Country\n"
                        "A,2020-01-01,2020-01-11,1,2,45.50,22.75,11,2,2,2,222,1,10,10,30,Peru\n"
                        "C,2020-01-11,2020-01-11,1,1,7,7.00,1,2,1,1,211,0,0,0,0,\n");
    /* in weeks, 2 decimals, exactly: 10 days = 1.43 weeks */
    t.unit = CRM_UNIT_WEEK;
    t.decimals = 2;
    t.nkeep = 0;
    const char *weeks = write_to_text(write_table, &job);
    assert_non_null(strstr(weeks, "A,2020-01-01,2020-01-11,1,2,45.50,22.75,11,2,2,2,222,1,1.43,1.43,30.00\n"));
    assert_string_equal(write_to_text(write_thresholds, &res),
                        "dimension,index,probability,value\nr,1,0.5,1\nf,1,0.5,1.5\nm,1,0.5,26.25\n");
    crm_rfm_result_free(&res);
    crm_rfm_input_free(in);
}

static void test_missing_column(void **state)
{
    (void)state;
    crm_rfm_input_options o = {0};
    crm_date_format_set(&o.date_format, CRM_DATE_ISO);
    crm_rfm_input *in;
    assert_int_equal(crm_rfm_input_new(&in, &o, NULL), CRM_OK);
    crm_csv_reader *r = open_text("customer_id,date\nA,2020-01-01\n");
    crm_error err;
    assert_int_equal(crm_rfm_input_start(in, r, 1, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "in.csv: no column 'amount' (name it with --amount COL)"));
    crm_csv_close(r);
    crm_rfm_input_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_and_write_table),
        cmocka_unit_test(test_missing_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
