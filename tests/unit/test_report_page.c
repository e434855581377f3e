/* The report page checked structurally: a small HTML checker (nesting, ids,
 * the cells of a figure's table) over pages drawn from fixtures whose
 * figures are worked out by hand in the comments beside them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/csv.h"
#include "crm/customers_table.h"
#include "crm/output.h"
#include "crm/report_page.h"

/* ---- the checker ---- */

enum { MAX_DEPTH = 64, MAX_CELLS = 512, CELL = 96 };

static int is_void(const char *name, size_t n)
{
    return (n == 4 && memcmp(name, "meta", 4) == 0) || (n == 2 && memcmp(name, "br", 2) == 0);
}

/* Walks the tags from s to the end; returns the end of the element that
 * starts at s (when s is a start tag), or NULL when the whole text was read.
 * Fails the test on a tag closed out of order or left open. */
static const char *walk(const char *s, int one_element)
{
    char stack[MAX_DEPTH][16];
    int depth = 0;
    const char *p = s;
    while ((p = strchr(p, '<')) != NULL) {
        if (strncmp(p, "<!DOCTYPE", 9) == 0) {
            p = strchr(p, '>');
            assert_non_null(p);
            continue;
        }
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " />");
        const char *end = strchr(p, '>');
        assert_non_null(end);
        /* attribute values are escaped: no '<' may appear inside a tag */
        assert_true(memchr(p + 1, '<', (size_t)(end - p - 1)) == NULL);
        if (closing) {
            assert_true(depth > 0);
            depth--;
            if (strlen(stack[depth]) != n || memcmp(stack[depth], name, n) != 0)
                fail_msg("</%.*s> closes <%s>", (int)n, name, stack[depth]);
            if (one_element && depth == 0) return end + 1;
        } else if (end[-1] != '/' && !is_void(name, n)) {
            assert_true(depth < MAX_DEPTH && n < 16);
            memcpy(stack[depth], name, n);
            stack[depth++][n] = '\0';
            if (n == 5 && memcmp(name, "style", 5) == 0) {   /* raw text up to its end tag */
                end = strstr(end, "</style>") - 1;
                assert_non_null(end + 1);
            }
        } else if (one_element && depth == 0) {
            return end + 1;
        }
        p = end + 1;
    }
    if (depth != 0) fail_msg("<%s> left open", stack[depth - 1]);
    return NULL;
}

/* The element with id="id", or NULL. */
static const char *by_id(const char *html, const char *id)
{
    char attr[128];
    snprintf(attr, sizeof attr, " id=\"%s\"", id);
    const char *at = strstr(html, attr);
    if (at == NULL) return NULL;
    while (at > html && *at != '<') at--;
    return at;
}

static int count(const char *from, const char *to, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(from, needle); p != NULL && p < to; p = strstr(p + 1, needle)) n++;
    return n;
}

/* The text of the body cells of the first table in [from, to), row-major. */
static size_t cells(const char *from, const char *to, char out[][CELL], size_t max)
{
    const char *body = strstr(from, "<tbody>");
    assert_true(body != NULL && body < to);
    size_t n = 0;
    for (const char *p = body; n < max; ) {
        const char *td = strstr(p, "<td"), *th = strstr(p, "<th>");
        const char *c = td == NULL ? th : th == NULL ? td : td < th ? td : th;
        const char *end_body = strstr(body, "</tbody>");
        if (c == NULL || c > end_body) break;
        const char *text = strchr(c, '>') + 1, *stop = strchr(text, '<');
        size_t len = (size_t)(stop - text);
        /* undo the page's escaping of '&' (the only entity in these cells) */
        size_t k = 0;
        for (size_t i = 0; i < len && k + 1 < CELL; i++) {
            if (strncmp(text + i, "&amp;", 5) == 0) i += 4;
            out[n][k++] = text[i];
        }
        out[n++][k] = '\0';
        p = stop;
    }
    return n;
}

/* The figure's cells, checking that it holds one chart and one table. */
static size_t figure(const char *html, const char *id, char out[][CELL])
{
    const char *start = by_id(html, id);
    if (start == NULL) fail_msg("no figure %s", id);
    assert_true(strncmp(start, "<figure", 7) == 0);
    const char *end = walk(start, 1);
    assert_int_equal(count(start, end, "<svg"), 1);
    assert_int_equal(count(start, end, " viewBox=\""), 1);
    assert_int_equal(count(start, end, "<title>"), 1);
    assert_int_equal(count(start, end, "<figcaption>"), 1);
    assert_int_equal(count(start, end, "<table>"), 1);
    return cells(start, end, out, MAX_CELLS);
}

static const char *text_of(const char *html, const char *id, char *buf, size_t cap)
{
    const char *e = by_id(html, id);
    assert_non_null(e);
    const char *text = strchr(e, '>') + 1, *stop = strchr(text, '<');
    snprintf(buf, cap, "%.*s", (int)(stop - text), text);
    return buf;
}

/* ---- drawing a page from CSV text ---- */

static crm_customers_table *read_table(const char *csv, const char *name, crm_report_page_table which)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, csv, strlen(csv), name, &opts, &err), CRM_OK);
    crm_report_page_columns cols;
    crm_report_page_columns_of(which, &cols);
    crm_customers_table *t;
    crm_status st = crm_customers_table_read(&t, r, cols.specs, cols.nspecs, cols.keep_other, cols.ignore, &err);
    if (st != CRM_OK) fail_msg("%s", err.message);
    crm_csv_close(r);
    return t;
}

static char *draw(const crm_report_page_input *in)
{
    char path[] = "/tmp/test_report_page_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_OK);
    crm_status st = crm_report_page_write(in, out, &err);
    if (st != CRM_OK) fail_msg("%s", err.message);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *html = malloc((size_t)size + 1);
    assert_int_equal(fread(html, 1, (size_t)size, f), (size_t)size);
    html[size] = '\0';
    fclose(f);
    unlink(path);
    walk(html, 0);   /* the whole page is well nested */
    return html;
}

/* Six customers, total monetary 1000, ranked c1 500, c2 250, c3 100, c4 80,
 * c5 50, c6 20. */
static const char six[] =
    "customer_id,monetary,frequency,r_score,f_score,x,t_x,T,p_alive,clv,segment_value,Country,first_date\n"
    "c1,500,5,5,5,4,300,320,0.9,800,MVC,UK,2011-01-01\n"
    "c2,250,3,4,4,2,200,300,0.8,400,MVC,UK,2011-01-02\n"
    "c3,100,2,3,3,1,100,250,0.5,120,Standard,FR,2011-01-03\n"
    "c4,80,1,2,1,0,0,200,1.0,50,Standard,DE,2011-01-04\n"
    "c5,50,1,1,1,0,0,150,1.0,30,Standard,UK,2011-01-05\n"
    "c6,20,2,5,2,1,10,100,0.95,10,BZ,FR,2011-01-06\n";

static void test_six_customers(void **state)
{
    (void)state;
    crm_customers_table *t = read_table(six, "six.csv", CRM_PAGE_CUSTOMERS);
    crm_report_page_input in = {"Six", NULL, {t, NULL, NULL, NULL}, NULL};
    char *html = draw(&in);
    char buf[256];
    static char c[MAX_CELLS][CELL];

    /* the sections its columns allow, and no others */
    const char *present[] = {"headline", "pareto", "rfm-grid", "segments", "attributes", "ltv"};
    for (size_t i = 0; i < sizeof present / sizeof *present; i++) assert_non_null(by_id(html, present[i]));
    assert_null(by_id(html, "cohort"));
    assert_null(by_id(html, "rules"));
    assert_null(by_id(html, "fig-validation"));
    assert_null(strstr(html, "<script"));
    /* first_date is part of the schema, not an attribute */
    assert_null(by_id(html, "fig-attr-first_date"));

    /* headline: 6 customers; revenue 1000; frequency >= 2 for c1 c2 c3 c6:
     * 4/6 = 66.7%; the top fifth is 1.2 customers: 500 + 0.2 x 250 = 550 */
    assert_string_equal(text_of(html, "headline-customers", buf, sizeof buf), "6");
    assert_string_equal(text_of(html, "headline-revenue", buf, sizeof buf), "1000.00");
    assert_string_equal(text_of(html, "headline-repeat", buf, sizeof buf), "66.7%");
    assert_string_equal(text_of(html, "headline-top20", buf, sizeof buf), "55.0%");

    /* Pareto: 80% = 800 is reached half-way through c3 (750 + 0.5 x 100):
     * 2.5 / 6 = 41.7% of customers.  Table rows every 10%: 10% = 0.6
     * customers = 300 -> 30.0; 50% = 3 customers = 850 -> 85.0 */
    assert_non_null(strstr(html, "80% of revenue comes from 41.7% of customers"));
    size_t n = figure(html, "fig-pareto", c);
    assert_int_equal(n, 22);
    assert_string_equal(c[2], "10");
    assert_string_equal(c[3], "30.0");
    assert_string_equal(c[10], "50");
    assert_string_equal(c[11], "85.0");
    assert_string_equal(c[21], "100.0");

    /* RFM grid, 5 x 5 cells, row (r - 1) * 5 + (f - 1), six columns each:
     * r5 f2 is c6 (20 = 2.0%), r5 f5 is c1 (500 = 50.0%) */
    n = figure(html, "fig-rfm-grid", c);
    assert_int_equal(n, 25 * 6);
    const char *r5f2[] = {"5", "2", "1", "16.7", "20.00", "2.0"};
    const char *r5f5[] = {"5", "5", "1", "16.7", "500.00", "50.0"};
    const char *r1f2[] = {"1", "2", "0", "0.0", "0.00", "0.0"};
    for (int k = 0; k < 6; k++) {
        assert_string_equal(c[21 * 6 + k], r5f2[k]);
        assert_string_equal(c[24 * 6 + k], r5f5[k]);
        assert_string_equal(c[1 * 6 + k], r1f2[k]);
    }

    /* value tiers, largest first: Standard c3 c4 c5 = 3 (50.0%), 230
     * (23.0%), mean 76.67; MVC c1 c2 = 2 (33.3%), 750 (75.0%), 375; BZ c6 */
    n = figure(html, "fig-segment_value", c);
    assert_int_equal(n, 18);
    const char *tiers[] = {"Standard", "3", "50.0", "230.00", "23.0", "76.67",
                           "MVC",      "2", "33.3", "750.00", "75.0", "375.00",
                           "BZ",       "1", "16.7", "20.00",  "2.0",  "20.00"};
    for (int k = 0; k < 18; k++) assert_string_equal(c[k], tiers[k]);

    /* segment x Country: columns UK (3), FR (2), DE (1), then all:
     * Standard: c5 UK, c3 FR, c4 DE; MVC: c1 c2 UK; BZ: c6 FR */
    n = figure(html, "fig-attr-Country", c);
    const char *cross[] = {"Standard", "1", "1", "1", "3", "MVC", "2", "0", "0", "2", "BZ", "0", "1", "0", "1"};
    assert_int_equal(n, 15);
    for (int k = 0; k < 15; k++) assert_string_equal(c[k], cross[k]);

    /* CLV histogram: 0 up to the 99th percentile of 10 30 50 120 400 800
     * (type 7: 400 + 0.95 x 400 = 780) in 20 bins of 39; 10 and 30 in the
     * first, 800 in the last, which then ends at the largest value 800 */
    n = figure(html, "fig-clv", c);
    assert_int_equal(n, 60);
    assert_string_equal(c[0], "0.00");
    assert_string_equal(c[1], "39.00");
    assert_string_equal(c[2], "2");
    assert_string_equal(c[3 * 3 + 2], "1");    /* 120 / 39 = 3.08: bin 3 */
    assert_string_equal(c[10 * 3 + 2], "1");   /* 400 / 39 = 10.3: bin 10 */
    assert_string_equal(c[19 * 3 + 0], "741.00");
    assert_string_equal(c[19 * 3 + 1], "800.00");
    assert_string_equal(c[19 * 3 + 2], "1");

    /* P(alive): t_x in ten ranges of 320 / 10 = 32; rows x = 4 (top) .. 0.
     * x = 4: c1 at t_x 300 (range 9) 0.9; x = 1: c6 t_x 10 (range 0) 0.95 and
     * c3 t_x 100 (range 3) 0.5; x = 0: c4 and c5 at t_x 0: 1.0 */
    n = figure(html, "fig-p-alive", c);
    assert_int_equal(n, 5 * 11);
    assert_string_equal(c[0], "4");
    assert_string_equal(c[10], "0.900");
    assert_string_equal(c[1], "");
    assert_string_equal(c[3 * 11], "1");
    assert_string_equal(c[3 * 11 + 1], "0.950");
    assert_string_equal(c[3 * 11 + 4], "0.500");
    assert_string_equal(c[4 * 11 + 1], "1.000");

    free(html);
    crm_customers_table_free(t);
}

static const char rules_csv[] =
    "antecedent,consequent,count,support,confidence,lift,leverage,conviction\n"
    "{x},{y},1,0.25,0.5,1.5,0.01,inf\n"
    "{y},{x},1,0.25,0.5,2.5,0.01,1.2\n"
    "\"{x,y}\",{z},1,0.25,1,2.5,0.01,inf\n";
static const char cohort_csv[] =
    "cohort,period,customers,retention_from_start,ltv_per_customer\n"
    "2011-01,1,10,,5.5\n2011-01,2,4,0.4,8\n2011-02,1,20,,3\n2011-02,2,5,0.25,4.25\n";
static const char validation_csv[] =
    "model,customers,actual_total,predicted_total,mae,rmse,loglik\n"
    "bgnbd,100,250,240.5,0.51,0.9,-1000.25\npnbd,100,250,260,0.5,0.88,-998\n";
/* transactions: a bought x and y, b bought x, c bought y and z */
static const char transactions_csv[] =
    "customer_id,product_id\na,x\na,y\nb,x\nc,y\nc,z\n";

static void test_rules_cohort_validation(void **state)
{
    (void)state;
    crm_customers_table *t = read_table(six, "six.csv", CRM_PAGE_CUSTOMERS);
    crm_customers_table *rules = read_table(rules_csv, "rules.csv", CRM_PAGE_RULES);
    crm_customers_table *cohort = read_table(cohort_csv, "cohort.csv", CRM_PAGE_COHORT);
    crm_customers_table *validation = read_table(validation_csv, "v.csv", CRM_PAGE_VALIDATION);
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, transactions_csv, strlen(transactions_csv), "tx.csv", &opts, &err), CRM_OK);
    crm_report_page_cross_sell *cs;
    assert_int_equal(crm_report_page_cross_sell_read(&cs, rules, r, &err), CRM_OK);
    crm_csv_close(r);
    crm_report_page_input in = {"All", "2011-12-10", {t, rules, cohort, validation}, cs};
    char *html = draw(&in);
    static char c[MAX_CELLS][CELL];
    assert_non_null(strstr(html, "As of 2011-12-10"));

    /* rules by lift, ties by confidence: {x,y}->{z} (2.5, 1), {y}->{x}
     * (2.5, 0.5), {x}->{y} (1.5) */
    size_t n = figure(html, "fig-rules", c);
    assert_int_equal(n, 18);
    const char *top[] = {"{x,y}", "{z}", "1", "25.00", "100.0", "2.50",
                         "{y}",   "{x}", "1", "25.00", "50.0",  "2.50",
                         "{x}",   "{y}", "1", "25.00", "50.0",  "1.50"};
    for (int k = 0; k < 18; k++) assert_string_equal(c[k], top[k]);
    /* cross-sell of 3 customers: {x,y}->{z}: a has x and y, no z: audience 1;
     * {y}->{x}: a both, c audience; {x}->{y}: a both, b audience */
    n = figure(html, "fig-cross-sell", c);
    const char *cover[] = {"{x,y}", "{z}", "0", "1", "33.3", "{y}", "{x}", "1", "1", "33.3",
                           "{x}",   "{y}", "1", "1", "33.3"};
    assert_int_equal(n, 15);
    for (int k = 0; k < 15; k++) assert_string_equal(c[k], cover[k]);

    /* cohort retention from the start, in %: period 1 is 100 by definition */
    n = figure(html, "fig-cohort-retention", c);
    const char *ret[] = {"2011-01", "100.0", "40.0", "2011-02", "100.0", "25.0"};
    assert_int_equal(n, 6);
    for (int k = 0; k < 6; k++) assert_string_equal(c[k], ret[k]);
    n = figure(html, "fig-cohort-ltv", c);
    const char *ltv[] = {"2011-01", "5.50", "8.00", "2011-02", "3.00", "4.25"};
    assert_int_equal(n, 6);
    for (int k = 0; k < 6; k++) assert_string_equal(c[k], ltv[k]);

    n = figure(html, "fig-validation", c);
    const char *v[] = {"bgnbd", "100", "250.00", "240.50", "0.5100", "0.9000", "-1000.25",
                       "pnbd",  "100", "250.00", "260.00", "0.5000", "0.8800", "-998.00"};
    assert_int_equal(n, 14);
    for (int k = 0; k < 14; k++) assert_string_equal(c[k], v[k]);

    free(html);
    crm_report_page_cross_sell_free(cs);
    crm_customers_table_free(t);
    crm_customers_table_free(rules);
    crm_customers_table_free(cohort);
    crm_customers_table_free(validation);
}

static void test_same_inputs_same_bytes_and_text_escaped(void **state)
{
    (void)state;
    static const char odd[] =
        "customer_id,monetary,segment,Region\n"
        "a,10,<b>Champions</b>,North & South\n"
        "b,30,\"Loyal \"\"plus\"\"\",North & South\n";
    crm_customers_table *t = read_table(odd, "odd.csv", CRM_PAGE_CUSTOMERS);
    crm_report_page_input in = {"A & B <report>", NULL, {t, NULL, NULL, NULL}, NULL};
    char *one = draw(&in), *two = draw(&in);
    assert_string_equal(one, two);
    assert_null(strstr(one, "<b>"));
    assert_non_null(strstr(one, "&lt;b&gt;Champions&lt;/b&gt;"));
    assert_non_null(strstr(one, "Loyal &quot;plus&quot;"));
    assert_non_null(strstr(one, "<title>A &amp; B &lt;report&gt;</title>"));
    assert_non_null(by_id(one, "fig-attr-Region"));
    /* no RFM scores, no clv: those sections are not drawn */
    assert_null(by_id(one, "rfm-grid"));
    assert_null(by_id(one, "ltv"));
    free(one);
    free(two);
    crm_customers_table_free(t);
}

static void test_bad_period_names_the_line(void **state)
{
    (void)state;
    crm_customers_table *t = read_table(six, "six.csv", CRM_PAGE_CUSTOMERS);
    crm_customers_table *cohort = read_table("cohort,period,customers\n2011,1,3\n2011,0,2\n", "cohort.csv",
                                             CRM_PAGE_COHORT);
    crm_report_page_input in = {NULL, NULL, {t, NULL, cohort, NULL}, NULL};
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, "/dev/null", 0, &err), CRM_OK);
    assert_int_equal(crm_report_page_write(&in, out, &err), CRM_EDATA);
    assert_string_equal(err.message, "cohort.csv:3: column 'period': cannot read '0' as a period 1..120");
    crm_output_abort(out);
    crm_customers_table_free(t);
    crm_customers_table_free(cohort);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_six_customers),
        cmocka_unit_test(test_rules_cohort_validation),
        cmocka_unit_test(test_same_inputs_same_bytes_and_text_escaped),
        cmocka_unit_test(test_bad_period_names_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
