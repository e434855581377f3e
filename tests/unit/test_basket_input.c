/* Unit tests of lib/basket_input.c: transactions read into databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crm/basket_input.h"

static int bad_rows;
static crm_status count_bad(void *ctx, crm_error *err)
{
    (void)ctx;
    (void)err;
    bad_rows++;
    return CRM_OK;
}

static crm_csv_reader *open_text(const char *text, crm_basket_input_format format)
{
    crm_error err;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_basket_input_csv_options(format, &opts);
    crm_csv_reader *r;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), "in.csv", &opts, &err), CRM_OK);
    return r;
}

/* Invoices i1 {a,b}, i2 {a} and i3 {b,c}, one row with an empty invoice
 * (skipped); with edges, i1 (first row) and i3 (last row) are set aside:
 * one basket counted, i2. */
static void test_long_with_edges(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    crm_basket_input_options o = {0};
    o.format = CRM_BASKET_INPUT_LONG;
    o.basket_column = "invoice_id";
    o.basket_what = "invoice";
    o.item_column = "product_id";
    o.separator = ',';
    o.edges = 1;
    o.bad_row = count_bad;
    crm_basket_input *in;
    assert_int_equal(crm_basket_input_new(&o, db, NULL, &in, &err), CRM_OK);
    crm_csv_reader *r = open_text("invoice_id,product_id\ni1,a\ni1,b\ni2,a\n,x\ni3,b\ni3,c\n", o.format);
    bad_rows = 0;
    assert_int_equal(crm_basket_input_read(in, r, &err), CRM_OK);
    crm_csv_close(r);
    assert_int_equal(bad_rows, 1);
    assert_int_equal(crm_basket_input_rows(in), 6);
    assert_int_equal(crm_basket_input_finish(in, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(db), 1);
    assert_int_equal(crm_basket_db_aside_count(db), 2);
    crm_basket_input_free(in);
    crm_basket_db_free(db);
    /* without bad_row the empty invoice stops the reading */
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    o.bad_row = NULL;
    assert_int_equal(crm_basket_input_new(&o, db, NULL, &in, &err), CRM_OK);
    r = open_text("invoice_id,product_id\n,x\n", o.format);
    assert_int_equal(crm_basket_input_read(in, r, &err), CRM_EDATA);
    assert_string_equal(err.message, "in.csv:2: column 'invoice_id': empty invoice id (crm-clean sets such rows aside)");
    crm_csv_close(r);
    crm_basket_input_free(in);
    crm_basket_db_free(db);
}

/* FIMI: items apart by spaces, no header; an item with the separator ','
 * is an error naming it. */
static void test_fimi(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    crm_basket_input_options o = {0};
    o.format = CRM_BASKET_INPUT_FIMI;
    o.separator = ',';
    crm_basket_input *in;
    assert_int_equal(crm_basket_input_new(&o, db, NULL, &in, &err), CRM_OK);
    crm_csv_reader *r = open_text("1 2 3 \n2 3\n4,5\n", o.format);
    assert_int_equal(crm_basket_input_read(in, r, &err), CRM_EDATA);
    assert_string_equal(err.message, "in.csv:3: item '4,5' contains the item separator ',', which joins items in one "
                                     "output field; choose another with --item-separator");
    crm_csv_close(r);
    assert_int_equal(crm_basket_input_finish(in, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(db), 2);
    crm_basket_input_free(in);
    crm_basket_db_free(db);
}

static void test_exclude(void **state)
{
    (void)state;
    crm_error err;
    crm_strtab *t = crm_strtab_new(8);
    assert_int_equal(crm_basket_exclude_add(t, "POST,,DOT", ',', &err), CRM_OK);
    assert_int_equal(crm_strtab_count(t), 2);
    assert_int_equal(crm_basket_exclude_add(t, "@/nonexistent/file", ',', &err), CRM_EIO);
    assert_non_null(strstr(err.message, "--exclude: cannot read '/nonexistent/file'"));
    crm_strtab_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_with_edges),
        cmocka_unit_test(test_fimi),
        cmocka_unit_test(test_exclude),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
