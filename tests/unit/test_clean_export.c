/* Unit tests of the raw export's side of a cleaning run (clean_export):
 * columns and conditions resolved in a header, the look-ahead (width and
 * date format, records handed out again afterwards), the header checks,
 * the passes over a reader and the report's counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/clean_export.h"

static crm_csv_reader *open_text(const char *csv, int no_header)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = no_header;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, csv, strlen(csv), "t.csv", &opts, &err), CRM_OK);
    return r;
}

static void test_columns_by_name_and_index(void **state)
{
    crm_csv_reader *r = open_text("Kunde,Datum,Betrag\n1,2011-01-01,5\n", 0);
    const char *specs[7] = {"Kunde", NULL, "2", NULL, NULL, NULL, "betrag"};
    crm_clean_columns cols = {-1, -1, -1, -1, -1, -1, -1};
    crm_error err;
    assert_int_equal(crm_clean_export_columns(r, specs, &cols, &err), CRM_OK);
    assert_int_equal(cols.customer, 0);
    assert_int_equal(cols.date, 1);
    assert_int_equal(cols.amount, 2);   /* found ignoring case */
    assert_int_equal(cols.invoice, -1);
    specs[1] = "Rechnung";
    assert_int_not_equal(crm_clean_export_columns(r, specs, &cols, &err), CRM_OK);
    assert_non_null(strstr(err.message, "Rechnung"));
    crm_csv_close(r);
}

static void test_conditions(void **state)
{
    crm_csv_reader *r = open_text("Country,UnitPrice\nUK,1\n", 0);
    crm_clean_range range;
    crm_clean_filter filter;
    crm_error err;
    assert_int_equal(crm_clean_export_condition(r, CRM_CLEAN_RANGE, "UnitPrice=0.5:", &range, &filter, &err),
                     CRM_OK);
    assert_int_equal(range.column, 1);
    assert_true(range.has_min);
    assert_false(range.has_max);
    assert_true(range.min == 0.5);
    assert_int_equal(crm_clean_export_condition(r, CRM_CLEAN_DROP_IF, "Country=EIRE", &range, &filter, &err),
                     CRM_OK);
    assert_int_equal(filter.column, 0);
    assert_string_equal(filter.value, "EIRE");
    assert_false(filter.keep);
    assert_int_equal(crm_clean_export_condition(r, CRM_CLEAN_RANGE, "UnitPrice=:", &range, &filter, &err),
                     CRM_EUSAGE);
    assert_string_equal(err.message, "--range wants COLUMN=MIN:MAX with numbers, got 'UnitPrice=:'");
    assert_int_equal(crm_clean_export_condition(r, CRM_CLEAN_KEEP_IF, "Country", &range, &filter, &err),
                     CRM_EUSAGE);
    assert_string_equal(err.message, "--keep-if wants COLUMN=VALUE, got 'Country'");
    crm_csv_close(r);
}

static void test_look_ahead_decides_dates_and_replays(void **state)
{
    /* 13/02 can only be day/month: the column is D/M/YYYY */
    crm_csv_reader *r = open_text("d,x\n01/02/2011,a\n13/02/2011,b\n", 0);
    crm_date_format fmt;
    crm_date_format_set(&fmt, CRM_DATE_ISO);
    size_t width;
    crm_error err;
    assert_int_equal(crm_clean_export_look_ahead(r, 0, 1, 0, 1000, &fmt, &width, &err), CRM_OK);
    assert_int_equal(fmt.style, CRM_DATE_DMY);
    assert_int_equal(width, 2);
    const crm_csv_record *rec;
    assert_int_equal(crm_csv_next(r, &rec, &err), CRM_OK);   /* the first row again */
    assert_string_equal(rec->fields[1], "a");
    crm_csv_close(r);
}

static void test_look_ahead_width_skips_broken_records(void **state)
{
    crm_csv_reader *r = open_text("a\"b,c\nx,y,z\n", 1);
    crm_date_format fmt;
    crm_date_format_set(&fmt, CRM_DATE_ISO);
    size_t width;
    crm_error err;
    assert_int_equal(crm_clean_export_look_ahead(r, -1, 1, 0, 1000, &fmt, &width, &err), CRM_OK);
    assert_int_equal(width, 3);
    assert_int_equal(fmt.style, CRM_DATE_ISO);   /* no date column: left alone */
    crm_csv_close(r);
}

static void test_same_header_and_repeated_names(void **state)
{
    crm_csv_reader *a = open_text("x,y\n", 0), *b = open_text("x,y\n1,2\n", 0), *c = open_text("x,z\n", 0);
    crm_error err;
    assert_int_equal(crm_clean_export_same_header(a, b, &err), CRM_OK);
    assert_int_equal(crm_clean_export_same_header(a, c, &err), CRM_EDATA);
    assert_string_equal(err.message, "t.csv: the header differs from t.csv's; several inputs must have the same columns");
    crm_csv_close(a);
    crm_csv_close(b);
    crm_csv_close(c);

    /* "Quantity" twice: the shared lookup's message; "Quantity" and "qty"
     * both fit the quantity too, but are different names: left to the
     * cleaner */
    crm_csv_reader *twice = open_text("Quantity,Quantity,CustomerID\n", 0);
    crm_clean_columns cols = {-1, -1, -1, -1, -1, -1, -1};
    const crm_csv_record *h = crm_csv_header(twice);
    crm_clean_detect_columns((const char *const *)h->fields, h->nfields, &cols);
    assert_int_equal(cols.quantity, CRM_CLEAN_AMBIGUOUS);
    assert_int_equal(crm_clean_export_repeated_names(twice, &cols, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "appears twice"));
    crm_csv_close(twice);
    crm_csv_reader *two = open_text("Quantity,quantity,CustomerID\n", 0);
    cols = (crm_clean_columns){-1, -1, -1, -1, -1, -1, -1};
    h = crm_csv_header(two);
    crm_clean_detect_columns((const char *const *)h->fields, h->nfields, &cols);
    assert_int_equal(cols.quantity, CRM_CLEAN_AMBIGUOUS);
    assert_int_equal(crm_clean_export_repeated_names(two, &cols, &err), CRM_OK);
    crm_csv_close(two);
}

static void test_numbered_names(void **state)
{
    char **names = crm_clean_export_numbered_names(3);
    assert_non_null(names);
    assert_string_equal(names[0], "#1");
    assert_string_equal(names[2], "#3");
    crm_clean_export_free_names(names, 3);
}

static crm_status count_kept(void *ctx, const crm_clean_row *row, crm_error *err)
{
    ++*(int *)ctx;
    return CRM_OK;
}

static void test_passes_and_report(void **state)
{
    /* three rows, one of them a duplicate of the first, one a return of
     * the first (1 of 6 units) that nets against it */
    const char csv[] = "CustomerID,InvoiceNo,InvoiceDate,StockCode,Quantity,UnitPrice\n"
                       "1,10,2011-01-01,A,6,2.00\n"
                       "1,10,2011-01-01,A,6,2.00\n"
                       "1,C11,2011-01-02,A,-1,2.00\n";
    crm_csv_reader *r = open_text(csv, 0);
    const crm_csv_record *h = crm_csv_header(r);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    int kept = 0;
    crm_clean_sink sink = {count_kept, NULL, &kept};
    crm_cleaner *c;
    crm_error err;
    assert_int_equal(crm_cleaner_new(&c, &cfg, (const char *const *)h->fields, h->nfields, &sink, &err), CRM_OK);
    assert_int_equal(crm_clean_export_prescan_all(c, r, &err), CRM_OK);
    crm_csv_close(r);
    crm_cleaner_prescan_done(c);
    r = open_text(csv, 0);
    crm_progress progress;
    crm_progress_start(&progress, "test", 0);
    uint64_t rows = 0, bytes = 100;
    assert_int_equal(crm_clean_export_push_all(c, r, 0, &progress, &rows, &bytes, &err), CRM_OK);
    assert_int_equal(crm_cleaner_finish(c, &err), CRM_OK);
    assert_int_equal(rows, 3);
    assert_int_equal(bytes, 100 + sizeof csv - 1);   /* what was there plus the whole text */
    const crm_clean_counts *k = crm_cleaner_counts(c);
    assert_int_equal(kept, 1);
    assert_int_equal(k->by_reason[CRM_REJECT_DUPLICATE], 1);
    assert_int_equal(k->by_reason[CRM_REJECT_NETTED_RETURN], 1);
    crm_csv_close(r);

    char path[] = "/tmp/crm-test-export-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_report *rep = crm_report_new("crm-clean");
    crm_clean_export_report(rep, k);
    assert_int_equal(crm_report_write(rep, path, &err), CRM_OK);   /* replaces the file */
    crm_report_free(rep);
    char text[4096];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    remove(path);
    assert_non_null(strstr(text, "\"rows_in\": 3"));
    assert_non_null(strstr(text, "\"rows_out\": 1"));
    assert_non_null(strstr(text, "\"rows_rejected\": 2"));
    assert_non_null(strstr(text, "\"duplicate\": 1"));
    assert_non_null(strstr(text, "\"netted-return\": 1"));
    crm_cleaner_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_by_name_and_index),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_look_ahead_decides_dates_and_replays),
        cmocka_unit_test(test_look_ahead_width_skips_broken_records),
        cmocka_unit_test(test_same_header_and_repeated_names),
        cmocka_unit_test(test_numbered_names),
        cmocka_unit_test(test_passes_and_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
