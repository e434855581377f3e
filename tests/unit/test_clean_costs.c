/* Unit tests of the cost table reader (clean_costs): which columns it
 * takes, the costs it hands the cleaner (checked through the cost and
 * profit of a kept row, worked out by hand beside each case) and the
 * messages of a bad table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "crm/clean_costs.h"

typedef struct {
    char cost[64], profit[64];
} kept_row;

static crm_status keep(void *ctx, const crm_clean_row *row, crm_error *err)
{
    kept_row *k = ctx;
    snprintf(k->cost, sizeof k->cost, "%s", row->cost ? row->cost : "-");
    snprintf(k->profit, sizeof k->profit, "%s", row->profit ? row->profit : "-");
    return CRM_OK;
}

static crm_status reject(void *ctx, uint64_t line, const char *raw, size_t raw_len, crm_clean_reason reason,
                         const char *detail, crm_error *err)
{
    fail_msg("unexpected reject: %s", detail);
    return CRM_OK;
}

/* A cleaner over CustomerID,InvoiceNo,InvoiceDate,StockCode,Quantity,UnitPrice. */
static crm_cleaner *new_cleaner(kept_row *k)
{
    static const char *const header[] = {"CustomerID", "InvoiceNo", "InvoiceDate", "StockCode", "Quantity",
                                          "UnitPrice"};
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    cfg.returns = CRM_RETURNS_DROP;
    crm_clean_sink sink = {keep, reject, k};
    crm_cleaner *c;
    crm_error err;
    assert_int_equal(crm_cleaner_new(&c, &cfg, header, 6, &sink, &err), CRM_OK);
    return c;
}

static crm_status read_table(const char *csv, crm_cleaner *c, crm_error *err)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_status st = crm_csv_open_memory(&r, csv, strlen(csv), "costs.csv", &opts, err);
    if (st == CRM_OK)
        st = crm_clean_costs_read(r, c, err);
    crm_csv_close(r);
    return st;
}

/* Pushes one row of product `product`, 2 units at 3.00 (amount 6.00). */
static void push_row(crm_cleaner *c, const char *product)
{
    char csv[256];
    snprintf(csv, sizeof csv, "CustomerID,InvoiceNo,InvoiceDate,StockCode,Quantity,UnitPrice\n"
                              "17850,536365,2010-12-01,%s,2,3.00\n", product);
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, csv, strlen(csv), "t.csv", &opts, &err), CRM_OK);
    const crm_csv_record *rec;
    assert_int_equal(crm_csv_next(r, &rec, &err), CRM_OK);
    assert_int_equal(crm_cleaner_push(c, rec, &err), CRM_OK);
    crm_csv_close(r);
}

static void test_named_columns_in_any_order(void **state)
{
    kept_row k;
    crm_cleaner *c = new_cleaner(&k);
    crm_error err;
    assert_int_equal(read_table("unit_cost,note,product_id\n1.25,x,A\n0.5,y,B\n", c, &err), CRM_OK);
    assert_true(crm_cleaner_has_costs(c));
    /* 2 units of A at 1.25: cost 2.50, profit 6.00 - 2.50 = 3.50 */
    push_row(c, "A");
    assert_string_equal(k.cost, "2.50");
    assert_string_equal(k.profit, "3.50");
    /* 2 units of B at 0.5: cost 1.0 (the product's own decimals, at most
     * the amount's), profit 6.00 - 1.0 = 5.00 */
    push_row(c, "B");
    assert_string_equal(k.cost, "1.0");
    assert_string_equal(k.profit, "5.00");
    crm_cleaner_free(c);
}

static void test_first_two_columns_without_names_and_trimmed_ids(void **state)
{
    kept_row k;
    crm_cleaner *c = new_cleaner(&k);
    crm_error err;
    /* StockCode is a known product name; "price" is not a cost name, so the
     * cost is the second column; " A\t" is product A */
    assert_int_equal(read_table("item,price\n A\t,2\n", c, &err), CRM_OK);
    push_row(c, "A");
    /* 2 units at 2: cost 4 (no decimals in 2 x 2), profit 6.00 - 4 = 2.00 */
    assert_string_equal(k.cost, "4");
    assert_string_equal(k.profit, "2.00");
    crm_cleaner_free(c);
}

static void test_bad_cost_names_file_line_and_column(void **state)
{
    kept_row k;
    crm_cleaner *c = new_cleaner(&k);
    crm_error err;
    assert_int_equal(read_table("product_id,unit_cost\nA,1\nB,abc\n", c, &err), CRM_EDATA);
    assert_string_equal(err.message, "costs.csv:3: column 'unit_cost': cannot read 'abc' as a number");
    crm_cleaner_free(c);
}

static void test_short_row_and_conflicting_costs(void **state)
{
    kept_row k;
    crm_cleaner *c = new_cleaner(&k);
    crm_error err;
    assert_int_equal(read_table("product_id,unit_cost\nA\n", c, &err), CRM_EDATA);
    assert_string_equal(err.message, "costs.csv:2: expected at least 2 fields, found 1");
    assert_int_equal(read_table("product_id,unit_cost\nA,1\nA,2\n", c, &err), CRM_EDATA);
    assert_string_equal(err.message, "costs.csv:3: product 'A' is listed twice with different costs");
    crm_cleaner_free(c);
}

static void test_broken_quoting_and_extra_fields_stop(void **state)
{
    kept_row k;
    crm_cleaner *c = new_cleaner(&k);
    crm_error err;
    assert_int_equal(read_table("product_id,unit_cost\nA\"B,1\n", c, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "costs.csv:2"));
    assert_int_equal(read_table("product_id,unit_cost\nA,1,9\n", c, &err), CRM_EDATA);
    assert_string_equal(err.message, "costs.csv:2: expected 2 fields, found 3");
    crm_cleaner_free(c);
}

static void test_load_names_a_missing_file(void **state)
{
    kept_row k;
    crm_cleaner *c = new_cleaner(&k);
    crm_error err;
    assert_int_not_equal(crm_clean_costs_load("/nonexistent/costs.csv", ',', c, &err), CRM_OK);
    assert_non_null(strstr(err.message, "/nonexistent/costs.csv"));
    crm_cleaner_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_columns_in_any_order),
        cmocka_unit_test(test_first_two_columns_without_names_and_trimmed_ids),
        cmocka_unit_test(test_bad_cost_names_file_line_and_column),
        cmocka_unit_test(test_short_row_and_conflicting_costs),
        cmocka_unit_test(test_broken_quoting_and_extra_fields_stop),
        cmocka_unit_test(test_load_names_a_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
