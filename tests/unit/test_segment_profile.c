/* Unit tests of lib/segment_profile.c: the segment profile of crm-segment
 * --profile, --group-by and --crosstab, over four customers whose numbers
 * are worked by hand beside the expected rows (money summed as exact
 * decimals; shares and means as the shortest text of the double). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/segment_profile.h"
#include "crm/segment_run.h"

static const char customers[] =
    "customer_id,recency_days,frequency,monetary,r_score,f_score,m_score,profit,Country\n"
    "A,10,5,100.5,5,5,5,30.00,UK\n"
    "B,200,1,20.5,1,1,2,5.00,France\n"
    "C,30,2,0.25,4,2,1,-1.00,UK\n"
    "D,400,1,5,1,1,1,6.00,UK\n";

typedef struct {
    crm_csv_reader *r;
    crm_segment_settings set;
    crm_segment_run run;
} fixture;

static void label(fixture *f, const crm_segment_by *by, size_t nby)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&f->r, customers, strlen(customers), "in.csv", &opts, &err), CRM_OK);
    crm_segment_settings_init(&f->set);
    crm_segment_run_spec spec = {.table = {.by = by, .nby = nby, .profile = 1}, .settings = &f->set};
    assert_int_equal(crm_segment_run_open(&f->run, f->r, &spec, &err), CRM_OK);
    assert_int_equal(crm_segment_run_read(&f->run, f->r, NULL, NULL, NULL, NULL, NULL, &err), CRM_OK);
    for (size_t s = 0; s < f->run.nsegs; s++)
        assert_int_equal(crm_segment_run_label(&f->run, s, "in.csv", &err), CRM_OK);
}

/* The profile text (static buffer), or NULL with err on failure. */
static const char *profile(fixture *f, const crm_segment_profile_spec *spec, crm_error *err)
{
    static char text[8192];
    char path[] = "/tmp/test_segment_profile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', err), CRM_OK);
    crm_status st = crm_segment_profile_write(w, f->r, &f->run.table, f->run.segs, f->run.nsegs, spec, err);
    if (st != CRM_OK) {
        crm_csv_writer_abort(w);
        unlink(path);
        return NULL;
    }
    assert_int_equal(crm_csv_writer_close(w, err), CRM_OK);
    FILE *in = fopen(path, "rb");
    size_t n = fread(text, 1, sizeof text - 1, in);
    text[n] = '\0';
    fclose(in);
    unlink(path);
    return text;
}

static void done(fixture *f)
{
    crm_segment_run_free(&f->run);
    crm_csv_close(f->r);
}

/* RFM labels (default map): A Champions, B Lost, C Potential Loyalist,
 * D Lost.  The value is profit; its total over all is 30 + 5 - 1 + 6 = 40.
 *   Champions  1 of 4 = 0.25; 30.00, 30/40 = 0.75; means 10, 5, 100.5
 *   Potential  C: 0.25; -1.00, -1/40 = -0.025; 30, 2, 0.25
 *   Lost       B and D: 0.5; 5.00 + 6.00 = 11.00, 11/40 = 0.275;
 *              recency (200 + 400) / 2 = 300, frequency 1,
 *              monetary (20.5 + 5) / 2 = 12.75
 * An empty segment has 0 customers, 0 value (at the 2 decimals of the
 * profit column) and no means. */
static void test_plain_profile(void **state)
{
    (void)state;
    fixture f;
    const crm_segment_by by = CRM_SEGMENT_BY_RFM;
    crm_segment_profile_spec spec = {0};
    crm_error err;
    label(&f, &by, 1);
    assert_string_equal(profile(&f, &spec, &err),
        "by,segment,customers,customer_share,value_total,value_share,mean_recency_days,mean_frequency,mean_monetary\n"
        "rfm,Champions,1,0.25,30.00,0.75,10,5,100.5\n"
        "rfm,Loyal,0,0,0.00,0,,,\n"
        "rfm,Potential Loyalist,1,0.25,-1.00,-0.025,30,2,0.25\n"
        "rfm,New,0,0,0.00,0,,,\n"
        "rfm,Promising,0,0,0.00,0,,,\n"
        "rfm,Need Attention,0,0,0.00,0,,,\n"
        "rfm,About To Sleep,0,0,0.00,0,,,\n"
        "rfm,At Risk,0,0,0.00,0,,,\n"
        "rfm,Can't Lose Them,0,0,0.00,0,,,\n"
        "rfm,Hibernating,0,0,0.00,0,,,\n"
        "rfm,Lost,2,0.5,11.00,0.275,300,1,12.75\n"
        "rfm,Other,0,0,0.00,0,,,\n");
    done(&f);
}

/* Per segment and Country, only the cells with customers, countries in
 * byte order (France before UK); segment_share is the cell's share of its
 * segment: Lost holds B (France) and D (UK), one half each. */
static void test_group_by(void **state)
{
    (void)state;
    fixture f;
    const crm_segment_by by = CRM_SEGMENT_BY_RFM;
    crm_segment_profile_spec spec = {.group_by = "Country"};
    crm_error err;
    label(&f, &by, 1);
    assert_string_equal(profile(&f, &spec, &err),
        "by,segment,Country,customers,customer_share,segment_share,value_total,value_share,mean_recency_days,"
        "mean_frequency,mean_monetary\n"
        "rfm,Champions,UK,1,0.25,1,30.00,0.75,10,5,100.5\n"
        "rfm,Potential Loyalist,UK,1,0.25,1,-1.00,-0.025,30,2,0.25\n"
        "rfm,Lost,France,1,0.25,0.5,5.00,0.125,200,1,20.5\n"
        "rfm,Lost,UK,1,0.25,0.5,6.00,0.15,400,1,5\n");
    spec.group_by = "Region";
    assert_null(profile(&f, &spec, &err));
    assert_int_equal(err.status, CRM_EDATA);
    assert_string_equal(err.message, "in.csv: no column 'Region' (columns: customer_id, recency_days, frequency, "
                                     "monetary, r_score, f_score, m_score, profit, Country)");
    done(&f);
}

/* Value tiers down, countries across, the exact value in the cells; the
 * tiers: A and D MVC (30 + 6 reach 80% of the positive 41), B Standard, C BZ.
 * Row totals: MVC 36.00; column totals France 5.00, UK 35.00; all 40.00.
 * Empty cells are 0.00: one format for the column. */
static void test_crosstab_value(void **state)
{
    (void)state;
    fixture f;
    const crm_segment_by by[2] = {CRM_SEGMENT_BY_RFM, CRM_SEGMENT_BY_VALUE};
    crm_segment_profile_spec spec = {0};
    crm_error err;
    assert_int_equal(crm_segment_profile_parse_crosstab("value:Country:value", &spec, &err), CRM_OK);
    assert_int_equal(spec.crosstab_by, CRM_SEGMENT_BY_VALUE);
    assert_string_equal(spec.crosstab_column, "Country");
    label(&f, by, 2);
    assert_string_equal(profile(&f, &spec, &err),
        "segment_value,France,UK,total\n"
        "MVC,0.00,36.00,36.00\n"
        "MGC,0.00,0.00,0.00\n"
        "Standard,5.00,0.00,5.00\n"
        "BZ,0.00,-1.00,-1.00\n"
        "total,5.00,35.00,40.00\n");
    assert_int_equal(crm_segment_profile_parse_crosstab("Country", &spec, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--crosstab wants BY:COL[:customers|value] with BY one of rfm, value, "
                                     "lifecycle, kmeans, got 'Country'");
    done(&f);
}

/* One format per column: money with the most decimals of any value (one
 * value has 3), shares and means to 6 significant digits.  Three Lost
 * customers (scores 1/1/1) with profit 1 + 2 + 0.125 = 3.125; recency
 * (1 + 2 + 2) / 3 = 1.666666... -> 1.66667; monetary (1 + 1 + 2) / 3 ->
 * 1.33333; frequency 1. */
static void test_rounded_numbers(void **state)
{
    (void)state;
    static const char three[] = "customer_id,recency_days,frequency,monetary,r_score,f_score,m_score,profit\n"
                                "A,1,1,1,1,1,1,1\nB,2,1,1,1,1,1,2\nC,2,1,2,1,1,1,0.125\n";
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    fixture f;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&f.r, three, strlen(three), "in.csv", &opts, &err), CRM_OK);
    crm_segment_settings_init(&f.set);
    const crm_segment_by by = CRM_SEGMENT_BY_RFM;
    crm_segment_run_spec spec = {.table = {.by = &by, .nby = 1, .profile = 1}, .settings = &f.set};
    assert_int_equal(crm_segment_run_open(&f.run, f.r, &spec, &err), CRM_OK);
    assert_int_equal(crm_segment_run_read(&f.run, f.r, NULL, NULL, NULL, NULL, NULL, &err), CRM_OK);
    assert_int_equal(crm_segment_run_label(&f.run, 0, "in.csv", &err), CRM_OK);
    crm_segment_profile_spec plain = {0};
    const char *text = profile(&f, &plain, &err);
    assert_non_null(strstr(text, "\nrfm,Champions,0,0,0.000,0,,,\n"));
    assert_non_null(strstr(text, "\nrfm,Lost,3,1,3.125,1,1.66667,1,1.33333\n"));
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_profile),
        cmocka_unit_test(test_group_by),
        cmocka_unit_test(test_crosstab_value),
        cmocka_unit_test(test_rounded_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
