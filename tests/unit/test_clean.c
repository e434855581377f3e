/* Unit tests of the clean module: column detection, rule switches, the
 * per-row verdicts and returns netting.  Expected values are worked out by
 * hand in the comments beside them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/clean.h"
#include "crm/csv.h"

/* ---- a sink that remembers what it was given ---- */

typedef struct {
    char kept[4096];
    char rejected[4096];
    int nkept, nrejected;
} collected;

static crm_status collect_kept(void *ctx, const crm_clean_row *row, crm_error *err)
{
    collected *c = ctx;
    /* the lengths handed beside the texts are theirs */
    assert_int_equal(row->customer_id_len, strlen(row->customer_id));
    assert_int_equal(row->invoice_id_len, strlen(row->invoice_id));
    assert_int_equal(row->date_len, strlen(row->date));
    assert_int_equal(row->product_id_len, strlen(row->product_id));
    assert_int_equal(row->quantity_len, strlen(row->quantity));
    assert_int_equal(row->unit_price_len, strlen(row->unit_price));
    assert_int_equal(row->amount_len, strlen(row->amount));
    assert_int_equal(row->cost_len, row->cost ? strlen(row->cost) : 0);
    assert_int_equal(row->profit_len, row->profit ? strlen(row->profit) : 0);
    size_t used = strlen(c->kept);
    snprintf(c->kept + used, sizeof c->kept - used, "%s|%s|%s|%s|%s|%s|%s|%s|%s\n", row->customer_id,
             row->invoice_id, row->date, row->product_id, row->quantity, row->unit_price, row->amount,
             row->cost ? row->cost : "-", row->profit ? row->profit : "-");
    c->nkept++;
    return CRM_OK;
}

static crm_status collect_rejected(void *ctx, uint64_t line, const char *raw, size_t raw_len,
                                   crm_clean_reason reason, const char *detail, crm_error *err)
{
    collected *c = ctx;
    size_t used = strlen(c->rejected);
    snprintf(c->rejected + used, sizeof c->rejected - used, "%llu %s: %s\n", (unsigned long long)line,
             crm_clean_reason_name(reason), detail);
    c->nrejected++;
    return CRM_OK;
}

/* Runs the cleaner over CSV text; returns the status of the whole run. */
static crm_status clean_text(const char *csv, crm_clean_config *cfg, collected *out, crm_error *err)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    memset(out, 0, sizeof *out);
    crm_status st = crm_csv_open_memory(&r, csv, strlen(csv), "t.csv", &opts, err);
    if (st != CRM_OK)
        return st;
    const crm_csv_record *h = crm_csv_header(r);
    crm_clean_sink sink = {collect_kept, collect_rejected, out};
    crm_cleaner *c;
    st = crm_cleaner_new(&c, cfg, (const char *const *)h->fields, h->nfields, &sink, err);
    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        st = crm_cleaner_push(c, rec, err);
    if (st == CRM_OK)
        st = crm_cleaner_finish(c, err);
    if (st == CRM_OK) {
        const crm_clean_counts *k = crm_cleaner_counts(c);
        assert_int_equal(k->rows_in, k->rows_out + k->rows_rejected);
        assert_int_equal(k->rows_out, (uint64_t)out->nkept);
    }
    crm_cleaner_free(c);
    crm_csv_close(r);
    return st;
}

/* ---- column detection ---- */

static void test_detects_online_retail_columns(void **state)
{
    const char *header[] = {"InvoiceNo", "StockCode", "Description", "Quantity",
                            "InvoiceDate", "UnitPrice", "CustomerID", "Country"};
    crm_clean_columns cols = {-1, -1, -1, -1, -1, -1, -1};
    crm_clean_detect_columns(header, 8, &cols);
    assert_int_equal(cols.invoice, 0);
    assert_int_equal(cols.product, 1);
    assert_int_equal(cols.quantity, 3);
    assert_int_equal(cols.date, 4);
    assert_int_equal(cols.price, 5);
    assert_int_equal(cols.customer, 6);
    assert_int_equal(cols.amount, -1);
}

static void test_detection_folds_names_and_keeps_explicit_columns(void **state)
{
    /* Online Retail II spells "Customer ID" and "Price"; "customer_id" is
     * the same folded name.  An explicit customer column is never moved. */
    const char *header[] = {"Invoice", "Customer ID", "customer_id", "Price", "Order Date", "sales"};
    crm_clean_columns cols = {-1, -1, -1, -1, -1, -1, -1};
    cols.customer = 2;
    crm_clean_detect_columns(header, 6, &cols);
    assert_int_equal(cols.customer, 2);
    assert_int_equal(cols.invoice, 0);
    assert_int_equal(cols.price, 3);
    assert_int_equal(cols.date, 4);
    assert_int_equal(cols.amount, 5);
}

static void test_detection_marks_ambiguous_names(void **state)
{
    const char *header[] = {"Quantity", "Date", "quantity", "Customer", "Amount"};
    crm_clean_columns cols = {-1, -1, -1, -1, -1, -1, -1};
    crm_clean_detect_columns(header, 5, &cols);
    assert_int_equal(cols.quantity, CRM_CLEAN_AMBIGUOUS);
    assert_int_equal(cols.date, 1);
}

static void test_detects_chinese_headers(void **state)
{
    const char *header[] = {"订单号", "商品", "数量", "日期", "单价", "客户"};
    crm_clean_columns cols = {-1, -1, -1, -1, -1, -1, -1};
    crm_clean_detect_columns(header, 6, &cols);
    assert_int_equal(cols.invoice, 0);
    assert_int_equal(cols.product, 1);
    assert_int_equal(cols.quantity, 2);
    assert_int_equal(cols.date, 3);
    assert_int_equal(cols.price, 4);
    assert_int_equal(cols.customer, 5);
}

/* ---- rule switches ---- */

static void test_switchable_reasons(void **state)
{
    crm_clean_reason r;
    crm_error err;
    assert_int_equal(crm_clean_switchable_reason("duplicate", &r, &err), CRM_OK);
    assert_int_equal(r, CRM_REJECT_DUPLICATE);
    assert_int_equal(crm_clean_switchable_reason("bad-date", &r, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the rule 'bad-date' cannot be switched off (such a row cannot be written)");
    assert_int_equal(crm_clean_switchable_reason("nonsense", &r, &err), CRM_EUSAGE);
    assert_non_null(strstr(err.message, "unknown rule 'nonsense' (rules that can be switched off: "));
}

/* ---- verdicts ---- */

static const char header_line[] = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n";

static void test_keeps_and_normalises_a_row(void **state)
{
    /* amount = 6 x 2.55 = 15.30 (the price's two decimals kept); the
     * spreadsheet float id 17850.0 becomes 17850; ids are trimmed. */
    char csv[256];
    snprintf(csv, sizeof csv, "%s 536365 , 85123A ,6,2010-12-01 08:26:00,2.55,17850.0\n", header_line);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    collected out;
    crm_error err;
    assert_int_equal(clean_text(csv, &cfg, &out, &err), CRM_OK);
    assert_string_equal(out.kept, "17850|536365|2010-12-01 08:26:00|85123A|6|2.55|15.30|-|-\n");
}

static void test_customer_ids_that_only_look_like_floats_stay(void **state)
{
    /* "17850.5" and "A1.0" are not integer floats: kept as written. */
    char csv[256];
    snprintf(csv, sizeof csv, "%s1,A,1,2011-01-01,1.00,17850.5\n2,A,1,2011-01-01,1.00,A1.0\n", header_line);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    collected out;
    crm_error err;
    assert_int_equal(clean_text(csv, &cfg, &out, &err), CRM_OK);
    assert_string_equal(out.kept, "17850.5|1|2011-01-01|A|1|1.00|1.00|-|-\n"
                                  "A1.0|2|2011-01-01|A|1|1.00|1.00|-|-\n");
}

static void test_first_rule_gives_the_reason(void **state)
{
    /* A cancellation with a missing customer is "missing-customer": that
     * rule comes first.  A duplicate of a rejected row is judged on its own
     * merits, not as a duplicate. */
    char csv[512];
    snprintf(csv, sizeof csv,
             "%sC1,A,-1,2011-01-01,1.00,\n"
             "C1,A,-1,2011-01-01,1.00,\n"
             "2,A,1,2011-01-01,1.00,c1\n"
             "2,A,1,2011-01-01,1.00,c1\r\n",
             header_line);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    collected out;
    crm_error err;
    assert_int_equal(clean_text(csv, &cfg, &out, &err), CRM_OK);
    assert_string_equal(out.rejected,
                        "2 missing-customer: column 'CustomerID': empty customer id\n"
                        "3 missing-customer: column 'CustomerID': empty customer id\n"
                        "5 duplicate: same bytes as an earlier kept row\n");
}

/* Duplicates are found however far apart the copies are: an invoice that
 * comes back after another one, and, in an export without an invoice
 * column, across the whole file.  A row that differs in one byte (the
 * quantity) is not a duplicate. */
static void test_duplicates_far_apart(void **state)
{
    (void)state;
    char csv[512];
    snprintf(csv, sizeof csv,
             "%s1,A,1,2011-01-01,1.00,c1\n"
             "1,B,1,2011-01-01,1.00,c1\n"
             "2,A,1,2011-01-01,1.00,c1\n"
             "1,B,1,2011-01-01,1.00,c1\n"
             "1,B,2,2011-01-01,1.00,c1\n"
             "2,A,1,2011-01-01,1.00,c1\n",
             header_line);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    collected out;
    crm_error err;
    assert_int_equal(clean_text(csv, &cfg, &out, &err), CRM_OK);
    /* lines 5 and 7 repeat lines 3 and 4 */
    assert_string_equal(out.rejected, "5 duplicate: same bytes as an earlier kept row\n"
                                      "7 duplicate: same bytes as an earlier kept row\n");
    const char *no_invoice = "StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
                             "A,1,2011-01-01,1.00,c1\n"
                             "B,1,2011-01-02,1.00,c1\n"
                             "A,1,2011-01-01,1.00,c1\n";
    crm_clean_config_init(&cfg);
    assert_int_equal(clean_text(no_invoice, &cfg, &out, &err), CRM_OK);
    assert_string_equal(out.rejected, "4 duplicate: same bytes as an earlier kept row\n");
}

/* The column part of a detail is cut at 159 bytes, as it always was
 * ("column '" is 8 bytes, so 151 bytes of a 200-byte name are left); the
 * rest of the sentence follows. */
static void test_long_column_name_in_detail(void **state)
{
    char name[201], csv[512], want[512];
    memset(name, 'x', 200);
    name[200] = '\0';
    snprintf(csv, sizeof csv, "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,%s\n1,A,1,2011-01-01,1.00,\n",
             name);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    cfg.columns.customer = 5;
    collected out;
    crm_error err;
    assert_int_equal(clean_text(csv, &cfg, &out, &err), CRM_OK);
    memcpy(want, "2 missing-customer: column '", 28);
    memset(want + 28, 'x', 151);
    strcpy(want + 28 + 151, "empty customer id\n");
    assert_string_equal(out.rejected, want);
}

static void test_allowed_rule_keeps_the_row(void **state)
{
    char csv[256];
    snprintf(csv, sizeof csv, "%s1,A,1,2011-01-01,0.00,c1\n1,A,1,2011-01-01,0.00,c1\n", header_line);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    cfg.allowed = (1ul << CRM_REJECT_ZERO_PRICE) | (1ul << CRM_REJECT_DUPLICATE);
    collected out;
    crm_error err;
    assert_int_equal(clean_text(csv, &cfg, &out, &err), CRM_OK);
    assert_int_equal(out.nkept, 2);
    assert_int_equal(out.nrejected, 0);
}

static void test_missing_required_column(void **state)
{
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    collected out;
    crm_error err;
    assert_int_equal(clean_text("InvoiceNo,Quantity,InvoiceDate,UnitPrice\n", &cfg, &out, &err), CRM_EDATA);
    assert_string_equal(err.message, "no column for a customer id (--customer COL) in the header");
}

/* ---- returns netting ---- */

static void test_returns_net_latest_purchase_first(void **state)
{
    /* c1 buys 10 A (day 1) and 5 A (day 5), returns 7 A (day 6): the latest
     * purchase goes first, 5 -> 0 (fully returned), then 10 -> 8, written as
     * 8 x 2.00 = 16.00.  c2's return on day 2 precedes its only purchase
     * (day 32), so nothing nets: unmatched-return, and the purchase stays. */
    char csv[512];
    snprintf(csv, sizeof csv,
             "%s1,A,10,2011-01-01,2.00,c1\n"
             "2,A,5,2011-01-05,2.00,c1\n"
             "C3,A,-7,2011-01-06,2.00,c1\n"
             "C6,A,-2,2011-01-02,2.00,c2\n"
             "7,A,4,2011-02-01,2.00,c2\n",
             header_line);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    cfg.returns = CRM_RETURNS_NET;
    collected out;
    crm_error err;
    assert_int_equal(clean_text(csv, &cfg, &out, &err), CRM_OK);
    assert_string_equal(out.kept, "c1|1|2011-01-01|A|8|2.00|16.00|-|-\n"
                                  "c2|7|2011-02-01|A|4|2.00|8.00|-|-\n");
    assert_string_equal(out.rejected,
                        "4 netted-return: subtracted from earlier purchases of the product\n"
                        "5 unmatched-return: no earlier purchase of the product at 2.00 to net 2 unit(s) against\n"
                        "3 returned: later returns took the whole purchase\n");
}

/* ---- costs ---- */

static void test_costs_and_conflicting_costs(void **state)
{
    /* cost = 3 x 0.755 = 2.265, profit = 4.50 - 2.265 = 2.235 */
    char csv[256];
    snprintf(csv, sizeof csv, "%s1,B,3,2011-01-05,1.50,c1\n", header_line);
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, csv, strlen(csv), "t.csv", &opts, &err), CRM_OK);
    const crm_csv_record *h = crm_csv_header(r);
    collected out;
    memset(&out, 0, sizeof out);
    crm_clean_sink sink = {collect_kept, collect_rejected, &out};
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    crm_cleaner *c;
    assert_int_equal(crm_cleaner_new(&c, &cfg, (const char *const *)h->fields, h->nfields, &sink, &err), CRM_OK);
    assert_int_equal(crm_cleaner_add_cost(c, "B", 1, (crm_decimal){755, 3}, &err), CRM_OK);
    assert_int_equal(crm_cleaner_add_cost(c, "B", 1, (crm_decimal){7550, 4}, &err), CRM_OK); /* same value */
    assert_int_equal(crm_cleaner_add_cost(c, "B", 1, (crm_decimal){76, 2}, &err), CRM_EDATA);
    assert_string_equal(err.message, "product 'B' is listed twice with different costs");
    const crm_csv_record *rec;
    while (crm_csv_next(r, &rec, &err) == CRM_OK && rec)
        assert_int_equal(crm_cleaner_push(c, rec, &err), CRM_OK);
    assert_int_equal(crm_cleaner_finish(c, &err), CRM_OK); /* purchases are held while returns could net them */
    assert_string_equal(out.kept, "c1|1|2011-01-05|B|3|1.50|4.50|2.265|2.235\n");
    crm_cleaner_free(c);
    crm_csv_close(r);
}

/* The option values parsed in the clean module. */
static void test_option_values(void **state)
{
    crm_error err;
    unsigned long allowed = 0;
    assert_int_equal(crm_clean_parse_allow("duplicate,zero-price", &allowed, &err), CRM_OK);
    assert_int_equal(allowed, (1ul << CRM_REJECT_DUPLICATE) | (1ul << CRM_REJECT_ZERO_PRICE));
    assert_int_equal(crm_clean_parse_allow("bad-date", &allowed, &err), CRM_EUSAGE);
    int32_t days;
    /* 3m = 3 x 365.25 / 12 = 91.3 days, rounded to 91 */
    assert_int_equal(crm_clean_parse_return_window("3m", &days, &err), CRM_OK);
    assert_int_equal(days, 91);
    assert_int_equal(crm_clean_parse_return_window("12w", &days, &err), CRM_OK);
    assert_int_equal(days, 84);
    assert_int_equal(crm_clean_parse_return_window("all", &days, &err), CRM_OK);
    assert_int_equal(days, -1);
    assert_int_equal(crm_clean_parse_return_window("101y", &days, &err), CRM_EUSAGE);
    crm_decimal m;
    char text[CRM_NUMBER_TEXT_MAX];
    /* 30% is 0.30 exactly (the percent's two places added to its scale) */
    assert_int_equal(crm_clean_parse_margin("30%", &m, &err), CRM_OK);
    crm_decimal_format(m, text);
    assert_string_equal(text, "0.30");
    assert_int_equal(crm_clean_parse_margin("0.25", &m, &err), CRM_OK);
    crm_decimal_format(m, text);
    assert_string_equal(text, "0.25");
    assert_int_equal(crm_clean_parse_margin("abc", &m, &err), CRM_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detects_online_retail_columns),
        cmocka_unit_test(test_detection_folds_names_and_keeps_explicit_columns),
        cmocka_unit_test(test_detection_marks_ambiguous_names),
        cmocka_unit_test(test_detects_chinese_headers),
        cmocka_unit_test(test_switchable_reasons),
        cmocka_unit_test(test_keeps_and_normalises_a_row),
        cmocka_unit_test(test_customer_ids_that_only_look_like_floats_stay),
        cmocka_unit_test(test_first_rule_gives_the_reason),
        cmocka_unit_test(test_duplicates_far_apart),
        cmocka_unit_test(test_long_column_name_in_detail),
        cmocka_unit_test(test_allowed_rule_keeps_the_row),
        cmocka_unit_test(test_missing_required_column),
        cmocka_unit_test(test_returns_net_latest_purchase_first),
        cmocka_unit_test(test_costs_and_conflicting_costs),
        cmocka_unit_test(test_option_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
