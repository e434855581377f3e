/* Unit tests of the transactions table (clean_output): the schema header,
 * with cost and profit when costs are known and the input's other columns
 * with keep_extra, and a kept row written in that order (the values worked
 * out by hand beside the case). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/clean_output.h"

static char path[64];

static int make_temp_file(void **state)
{
    strcpy(path, "/tmp/crm-test-output-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int remove_temp_file(void **state)
{
    return unlink(path);
}

static const char *slurp(void)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The sink's context: the output, made once the cleaner exists. */
typedef struct {
    crm_clean_output *out;
} table;

static crm_status write_row(void *ctx, const crm_clean_row *row, crm_error *err)
{
    return crm_clean_output_write_row(((table *)ctx)->out, row);
}

/* Cleans `csv` (Online Retail's columns) into the file with the options. */
static void clean_into_file(const char *csv, int keep_extra, const char *margin)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, csv, strlen(csv), "t.csv", &opts, &err), CRM_OK);
    const crm_csv_record *h = crm_csv_header(r);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    cfg.returns = CRM_RETURNS_DROP;
    cfg.keep_extra = keep_extra;
    if (margin) {
        assert_int_equal(crm_clean_parse_margin(margin, &cfg.margin, &err), CRM_OK);
        cfg.has_margin = 1;
    }
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    table t = {NULL};
    crm_clean_sink sink = {write_row, NULL, &t};
    crm_cleaner *c;
    assert_int_equal(crm_cleaner_new(&c, &cfg, (const char *const *)h->fields, h->nfields, &sink, &err), CRM_OK);
    crm_clean_output *out = t.out = crm_clean_output_new(w, c, (const char *const *)h->fields, h->nfields,
                                                         keep_extra);
    assert_non_null(out);
    assert_int_equal(crm_clean_output_write_header(out), CRM_OK);
    const crm_csv_record *rec;
    while (crm_csv_next(r, &rec, &err) == CRM_OK && rec)
        assert_int_equal(crm_cleaner_push(c, rec, &err), CRM_OK);
    assert_int_equal(crm_cleaner_finish(c, &err), CRM_OK);
    crm_cleaner_free(c);
    crm_clean_output_free(out);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    crm_csv_close(r);
}

static const char retail[] =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,\"HEART, WHITE\",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n";

static void test_schema_only(void **state)
{
    clean_into_file(retail, 0, NULL);
    /* 6 x 2.55 = 15.30; the id loses its ".0" */
    assert_string_equal(slurp(), "customer_id,invoice_id,date,product_id,quantity,unit_price,amount\n"
                                 "17850,536365,2010-12-01 08:26:00,85123A,6,2.55,15.30\n");
}

static void test_extra_columns_in_input_order_with_costs(void **state)
{
    clean_into_file(retail, 1, "30%");
    /* profit = 15.30 x 0.30 = 4.59, cost = 15.30 - 4.59 = 10.71; the
     * description keeps its comma, so it is quoted again */
    assert_string_equal(slurp(),
                        "customer_id,invoice_id,date,product_id,quantity,unit_price,amount,cost,profit,"
                        "Description,Country\n"
                        "17850,536365,2010-12-01 08:26:00,85123A,6,2.55,15.30,10.71,4.59,"
                        "\"HEART, WHITE\",United Kingdom\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_only, make_temp_file, remove_temp_file),
        cmocka_unit_test_setup_teardown(test_extra_columns_in_input_order_with_costs, make_temp_file,
                                        remove_temp_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
