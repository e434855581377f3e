/* The --partial file of crm-ltv (lib/ltv_partial_file.c): statistics
 * written and read back are the same, to the last bit; a bad row is
 * refused with file, line, column and value. */
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

#include "crm/ltv_partial_file.h"

static char path[] = "/tmp/crm-test-ltv-partial-XXXXXX";

static int make_file(void **state)
{
    (void)state;
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

static int remove_file(void **state)
{
    (void)state;
    return unlink(path);
}

static crm_csv_reader *open_text(const char *text, const char *name)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), name, &opts, &err), CRM_OK);
    return r;
}

static char *slurp(void)
{
    static char buf[2048];
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Three customers in id order: a and c share the history (1, 2.5, 10), b
 * bought once.  The purchase rows are the distinct histories with their
 * first customer and count; the spend rows the repeat buyers. */
static void test_round_trip(void **state)
{
    (void)state;
    crm_ltv_partial *p;
    crm_error err;
    assert_int_equal(crm_ltv_partial_new(&p, &err), CRM_OK);
    assert_int_equal(crm_ltv_partial_add_customer(p, "a", 1, 1, 2.5, 10, 1, 0.1 + 0.2, &err), CRM_OK);
    assert_int_equal(crm_ltv_partial_add_customer(p, "b", 1, 0, 0, 10, 1, 0, &err), CRM_OK);
    assert_int_equal(crm_ltv_partial_add_customer(p, "c", 1, 1, 2.5, 10, 1, 7, &err), CRM_OK);
    crm_csv_writer *w;
    uint64_t rows = 0;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_ltv_partial_file_write(w, p, 1, &rows, &err), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    assert_int_equal(rows, 4);
    const char *text = slurp();
    assert_string_equal(text, "record,customer_id,x,t_x,T,monetary_value,customers\n"
                              "monetary_value,,,,,,\n"
                              "purchase,a,1,2.5,10,,2\n"
                              "purchase,b,0,0,10,,1\n"
                              "spend,a,1,,,0.30000000000000004,1\n"
                              "spend,c,1,,,7,1\n");

    /* Read back (the header twice, as concatenated files have it). */
    char twice[4096];
    snprintf(twice, sizeof twice, "%s%s", text, "record,customer_id,x,t_x,T,monetary_value,customers\n");
    crm_ltv_partial *q;
    assert_int_equal(crm_ltv_partial_new(&q, &err), CRM_OK);
    crm_csv_reader *r = open_text(twice, "part.csv");
    int has_spend = 0;
    rows = 0;
    assert_int_equal(crm_ltv_partial_file_read(r, q, &has_spend, &rows, &err), CRM_OK);
    crm_csv_close(r);
    assert_int_equal(has_spend, 1);
    assert_int_equal(rows, 6);
    crm_ltv_customers t = {0};
    assert_int_equal(crm_ltv_partial_file_customers(q, 1, "part.csv", &t, &err), CRM_OK);
    assert_int_equal(t.n, 2);
    assert_true(t.c[0].x == 1 && t.c[0].t_x == 2.5 && t.c[0].T == 10 && t.c[0].weight == 2);
    assert_true(t.c[1].x == 0 && t.c[1].weight == 1);
    assert_int_equal(t.spend_n, 2);
    double mv = 0.1 + 0.2;
    assert_memory_equal(&t.spend_c[0].monetary_value, &mv, sizeof mv);
    assert_true(t.one_time == 1);
    assert_int_equal(t.col[CRM_LTV_COL_MONETARY_VALUE], 0);
    assert_string_equal(t.input_name, "part.csv");
    crm_ltv_customers_free(&t);
    crm_ltv_partial_free(q);
    crm_ltv_partial_free(p);
}

static void expect_refused(const char *text, const char *message)
{
    crm_ltv_partial *q;
    crm_error err;
    assert_int_equal(crm_ltv_partial_new(&q, &err), CRM_OK);
    crm_csv_reader *r = open_text(text, "part.csv");
    int has_spend = 0;
    uint64_t rows = 0;
    crm_error_clear(&err);
    assert_int_equal(crm_ltv_partial_file_read(r, q, &has_spend, &rows, &err), CRM_EDATA);
    assert_string_equal(err.message, message);
    crm_csv_close(r);
    crm_ltv_partial_free(q);
}

#define HEADER "record,customer_id,x,t_x,T,monetary_value,customers\n"

static void test_bad_files(void **state)
{
    (void)state;
    expect_refused("customer_id,x,t_x,T\na,1,2,3\n",
                   "part.csv: not a crm-ltv --partial file: its header is not "
                   "record,customer_id,x,t_x,T,monetary_value,customers");
    expect_refused(HEADER "purchase,a,1,2,10,,1\nrefund,b,1,2,10,,1\n",
                   "part.csv:3: column 'record': expected purchase, spend or monetary_value, got 'refund'");
    expect_refused(HEADER "purchase,a,1,2,1O,,1\n", "part.csv:2: column 'T': cannot read '1O' as a number");
    expect_refused(HEADER "spend,a,1,,,7\n", "part.csv:2: expected 7 fields, found 6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, make_file, remove_file);
}
