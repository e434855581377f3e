/* Unit tests of lib/segment_table.c (and the kept rows of
 * lib/customers_table.c): the customers table as crm-segment reads and
 * writes it.  Columns resolved by name, numbers in per-customer arrays,
 * every field written back byte for byte beside the labels; bad rows name
 * the file, the line, the column and the value.  The labels are read off
 * the default map and the value-tier rule in crm/segment.h by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/segment_run.h"
#include "crm/segment_table.h"

/* Quoted fields, an empty field and an extra column pass through. */
static const char customers[] =
    "customer_id,recency_days,frequency,monetary,tenure_days,r_score,f_score,m_score,profit,note\n"
    "A,10,5,100.5,400,5,5,5,30.00,\"x, y\"\n"
    "B,200,1,20.5,300,1,1,2,5.00,\n"
    "C,30,2,0.25,100,4,2,1,-1.00,\"say \"\"hi\"\"\"\n"
    "D,400,1,5,500,1,1,1,6.00,z\n";

static crm_csv_reader *open_text(const char *text, const char *name)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, text, strlen(text), name, &opts, &err), CRM_OK);
    return r;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const crm_segment_by rfm_value[2] = {CRM_SEGMENT_BY_RFM, CRM_SEGMENT_BY_VALUE};

static void test_columns_and_numbers(void **state)
{
    (void)state;
    crm_segment_table_spec spec = {.by = rfm_value, .nby = 2, .profile = 1, .bins = 5};
    crm_segment_table t;
    crm_error err;
    crm_csv_reader *r = open_text(customers, "in.csv");
    assert_int_equal(crm_segment_table_open(&t, r, &spec, &err), CRM_OK);
    assert_int_equal(crm_segment_table_read(&t, r, NULL, NULL, NULL, NULL, &err), CRM_OK);
    assert_int_equal(crm_segment_table_rows(&t), 4);
    assert_int_equal(t.r[2], 4);
    assert_int_equal(t.m[1], 2);
    /* the value to date is profit when there is one */
    assert_true(t.value_is_profit && t.value_is_exact);
    assert_true(t.value[2] == -1.0 && t.value[3] == 6.0);
    /* the default features, in order */
    assert_int_equal(t.nfeatures, 3);
    assert_string_equal(t.feature_names[2], "monetary");
    assert_true(t.features[0 * 3 + 2] == 100.5 && t.features[2 * 3 + 0] == 30.0);
    /* the kept rows and their lines */
    size_t len;
    const char *note = crm_customers_rows_field(t.rows, 2, 9, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(note, "say \"hi\"", 8);
    assert_int_equal(crm_customers_rows_lines(t.rows)[3], 5);
    crm_segment_table_free(&t);
    crm_csv_close(r);
}

/* Labelled and written again: every field as read, then the labels.
 * RFM (default map): A 5/5/5 Champions, B 1/1/2 Lost, C 4/2/1 Potential
 * Loyalist, D 1/1/1 Lost.  Value tiers on profit (no clv): C is BZ
 * (below 0); the positive total is 30 + 5 + 6 = 41 and 80% of it 32.8: A
 * (30) is short of it, A and D (36) reach it, so A and D are MVC; B is
 * Standard. */
static void test_label_and_write(void **state)
{
    (void)state;
    crm_segment_settings set;
    crm_segment_settings_init(&set);
    crm_segment_run_spec spec = {.table = {.by = rfm_value, .nby = 2}, .settings = &set};
    crm_segment_run run;
    crm_error err;
    crm_csv_reader *r = open_text(customers, "in.csv");
    assert_int_equal(crm_segment_run_open(&run, r, &spec, &err), CRM_OK);
    assert_int_equal(crm_segment_run_read(&run, r, NULL, NULL, NULL, NULL, NULL, &err), CRM_OK);
    for (size_t s = 0; s < run.nsegs; s++)
        assert_int_equal(crm_segment_run_label(&run, s, "in.csv", &err), CRM_OK);
    char path[] = "/tmp/test_segment_table_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_segment_table_write(w, r, &run.table, run.segs, run.nsegs), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    assert_string_equal(read_file(path),
        "customer_id,recency_days,frequency,monetary,tenure_days,r_score,f_score,m_score,profit,note,segment_rfm,"
        "segment_value\n"
        "A,10,5,100.5,400,5,5,5,30.00,\"x, y\",Champions,MVC\n"
        "B,200,1,20.5,300,1,1,2,5.00,,Lost,Standard\n"
        "C,30,2,0.25,100,4,2,1,-1.00,\"say \"\"hi\"\"\",Potential Loyalist,BZ\n"
        "D,400,1,5,500,1,1,1,6.00,z,Lost,MVC\n");
    unlink(path);
    char *counts = crm_segment_run_counts_text(&run.segs[1], 4);
    assert_string_equal(counts, "value: MVC 2, MGC 0, Standard 1, BZ 1");
    free(counts);
    crm_segment_run_free(&run);
    crm_csv_close(r);
}

static void expect_read_error(const char *text, crm_segment_by by, const char *message)
{
    crm_segment_table_spec spec = {.by = &by, .nby = 1, .bins = 5};
    crm_segment_table t;
    crm_error err;
    crm_csv_reader *r = open_text(text, "in.csv");
    crm_status st = crm_segment_table_open(&t, r, &spec, &err);
    if (st == CRM_OK)
        st = crm_segment_table_read(&t, r, NULL, NULL, NULL, NULL, &err);
    assert_int_equal(st, CRM_EDATA);
    assert_string_equal(err.message, message);
    crm_segment_table_free(&t);
    crm_csv_close(r);
}

static void test_bad_rows(void **state)
{
    (void)state;
    const char *head = "customer_id,recency_days,frequency,monetary,tenure_days,r_score,f_score,m_score\n";
    char text[512];
    snprintf(text, sizeof text, "%sA,1,2,3,4,5,5,5\nB,1,2,3,4,7,5,5\n", head);
    expect_read_error(text, CRM_SEGMENT_BY_RFM, "in.csv:3: column 'r_score': score 7 is outside 1..5 (--bins 5)");
    snprintf(text, sizeof text, "%sA,1,2,3,4,5,5,5\nB,1,2,3,4,x,5,5\n", head);
    expect_read_error(text, CRM_SEGMENT_BY_RFM,
                      "in.csv:3: column 'r_score': cannot read 'x' as a score (a whole number)");
    snprintf(text, sizeof text, "%sA,1,2,abc,4,5,5,5\n", head);
    expect_read_error(text, CRM_SEGMENT_BY_VALUE, "in.csv:2: column 'monetary': cannot read 'abc' as a number");
    snprintf(text, sizeof text, "%sA,1,2,3,4,5,5\n", head);
    expect_read_error(text, CRM_SEGMENT_BY_RFM, "in.csv:2: expected 8 fields, found 7");
    /* --by loyalty needs the columns of crm-rfm --loyalty-period */
    expect_read_error(text, CRM_SEGMENT_BY_LOYALTY,
                      "--by loyalty (crm-rfm --loyalty-period writes consecutive_periods and gap_cv): in.csv: no "
                      "column 'consecutive_periods' (columns: customer_id, recency_days, frequency, monetary, "
                      "tenure_days, r_score, f_score, m_score)");
    expect_read_error("customer_id,segment\nA,x\n", CRM_SEGMENT_BY_VALUE,
                      "in.csv: no column 'monetary' (columns: customer_id, segment)");
}

static crm_status skip_row(void *ctx, crm_error *err)
{
    ++*(int *)ctx;
    crm_error_clear(err);
    return CRM_OK;
}

/* Skipped rows keep nothing: the exact totals stay exact, the arrays hold
 * the good rows only. */
static void test_skip_bad_rows(void **state)
{
    (void)state;
    const crm_segment_by by = CRM_SEGMENT_BY_VALUE;
    crm_segment_table_spec spec = {.by = &by, .nby = 1, .bins = 5};
    crm_segment_table t;
    crm_error err;
    int skipped = 0;
    crm_csv_reader *r = open_text("customer_id,monetary\nA,1.50\nB,oops\nC,2\nD\n", "in.csv");
    assert_int_equal(crm_segment_table_open(&t, r, &spec, &err), CRM_OK);
    assert_int_equal(crm_segment_table_read(&t, r, skip_row, &skipped, NULL, NULL, &err), CRM_OK);
    assert_int_equal(skipped, 2);
    assert_int_equal(crm_segment_table_rows(&t), 2);
    assert_true(t.value[0] == 1.5 && t.value[1] == 2.0);
    assert_true(t.value_is_exact);
    assert_int_equal(crm_customers_rows_lines(t.rows)[1], 4);
    crm_segment_table_free(&t);
    crm_csv_close(r);
}

static void test_output_name_taken(void **state)
{
    (void)state;
    crm_segment_result segs[1] = {{.by = CRM_SEGMENT_BY_RFM}};
    crm_error err;
    crm_csv_reader *r = open_text("customer_id,segment\nA,x\n", "in.csv");
    assert_int_equal(crm_segment_table_name_columns(r, segs, 1, &err), CRM_EDATA);
    assert_string_equal(err.message, "in.csv: the input already has a column 'segment' (column 2); crm-segment would "
                                     "write a second one");
    crm_csv_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_and_numbers),
        cmocka_unit_test(test_label_and_write),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_skip_bad_rows),
        cmocka_unit_test(test_output_name_taken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
