/* Unit tests of lib/segment_model.c: the saved model of crm-segment
 * --save-model / --model-file.  A model built from a fit and a value
 * summary, written to a file and loaded back, holds the same numbers bit
 * for bit (the shortest round-trip text); a bad file names the file, the
 * line and the value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/segment_model.h"

static void temp_path(char *path)
{
    strcpy(path, "/tmp/test_segment_model_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A two-cluster fit over two features, numbers chosen so that their
 * shortest text has 17 digits (0.1 + 0.2) or is tiny (1e-300). */
static void test_round_trip(void **state)
{
    (void)state;
    double shift[2] = {0.1 + 0.2, -1e-300}, scale[2] = {1.0 / 3.0, 2.5};
    double centers[4] = {1.5, -0.25, 2.0 / 7.0, 1e10};   /* centre 0, then centre 1 */
    size_t rank[2] = {1, 0};                              /* centre 0 is cluster 2 */
    crm_kmeans_result res = {0};
    res.k = 2;
    res.d = 2;
    res.shift = shift;
    res.scale = scale;
    res.centers = centers;
    res.rank = rank;
    const char *const names[2] = {"recency_days", "monetary"};
    crm_value_summary sum = {0};
    sum.mvc_cutoff = 579.9660000000001;
    sum.mvc_last_row = 3;
    sum.mvc_cutoff_split = 1;
    crm_segment_model m = {0}, back;
    crm_error err;
    assert_int_equal(crm_segment_model_set_kmeans(&m, &res, names, CRM_KMEANS_TRANSFORM_LOG1P, 1, &err), CRM_OK);
    assert_int_equal(crm_segment_model_set_value(&m, &sum, "profit", "clv", 1.5, 0.3, "12347", &err), CRM_OK);
    /* the file lists centres in the fitted run's order: centre c of
     * cluster rank[c] is centers[rank[c]] */
    assert_true(m.centers[0] == 2.0 / 7.0 && m.centers[1] == 1e10);

    char path[64];
    temp_path(path);
    crm_output *out;
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_OK);
    assert_int_equal(crm_segment_model_write(&m, out, &err), CRM_OK);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    assert_int_equal(crm_segment_model_load(path, &back, &err), CRM_OK);
    unlink(path);

    assert_true(back.has_kmeans && back.has_value);
    assert_int_equal(back.k, 2);
    assert_int_equal(back.d, 2);
    assert_string_equal(back.features[1], "monetary");
    assert_int_equal(back.transform, CRM_KMEANS_TRANSFORM_LOG1P);
    assert_int_equal(back.zscore, 1);
    assert_memory_equal(back.shift, m.shift, 2 * sizeof(double));
    assert_memory_equal(back.scale, m.scale, 2 * sizeof(double));
    assert_memory_equal(back.centers, m.centers, 4 * sizeof(double));
    assert_memory_equal(back.rank, m.rank, 2 * sizeof(size_t));
    assert_string_equal(back.value_column, "profit");
    assert_string_equal(back.predicted_column, "clv");
    assert_true(back.growth == 1.5 && back.margin == 0.3);
    assert_true(back.has_mvc && back.mvc_cutoff == 579.9660000000001);
    assert_string_equal(back.cutoff_customer, "12347");

    /* the settings a run labels with */
    crm_segment_settings set;
    crm_segment_settings_init(&set);
    crm_segment_model_settings(&back, &set);
    assert_non_null(set.saved_kmeans);
    assert_int_equal(set.saved_kmeans->k, 2);
    assert_ptr_equal(set.saved_kmeans->centers, back.centers);
    assert_true(set.saved_value->has_mvc && set.saved_value->cutoff == 579.9660000000001);
    assert_true(set.value.growth == 1.5 && set.value.margin == 0.3);
    crm_segment_model_free(&m);
    crm_segment_model_free(&back);
}

static void expect_load_error(const char *text, const char *message)
{
    char path[64], expected[256];
    temp_path(path);
    write_text(path, text);
    crm_segment_model m;
    crm_error err;
    assert_int_equal(crm_segment_model_load(path, &m, &err), CRM_EDATA);
    snprintf(expected, sizeof expected, "%s%s", path, message);   /* message follows the path */
    assert_string_equal(err.message, expected);
    crm_segment_model_free(&m);
    unlink(path);
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_load_error("format=crm-segment-model 2\n",
                      ":1: format: expected 'crm-segment-model 1', got 'crm-segment-model 2'");
    expect_load_error("format=crm-segment-model 1\nvalue.value=profit\nvalue.predicted=\nvalue.growth=1.5\n"
                      "value.margin=1\nvalue.colour=red\n", ":6: unknown key 'value.colour'");
    expect_load_error("# a comment\n\nformat=crm-segment-model 1\ncentres\n", ":4: expected key=value, got 'centres'");
    expect_load_error("format=crm-segment-model 1\nvalue.value=monetary\nvalue.predicted=\nvalue.growth=1.5\n"
                      "value.margin=1\nvalue.mvc=0\nvalue.cutoff=3\n",
                      ": value.mvc is 0, so there can be no value.cutoff");
}

static void test_missing_file_and_methods(void **state)
{
    (void)state;
    crm_segment_model m;
    crm_error err;
    assert_int_equal(crm_segment_model_load("/nonexistent/m.txt", &m, &err), CRM_EIO);
    assert_string_equal(err.message, "/nonexistent/m.txt: No such file or directory");
    /* a value-only model cannot label k-means */
    crm_segment_model value = {0};
    value.has_value = 1;
    const crm_segment_by by[2] = {CRM_SEGMENT_BY_VALUE, CRM_SEGMENT_BY_KMEANS};
    assert_int_equal(crm_segment_model_check_methods(&value, by, 1, "m.txt", &err), CRM_OK);
    assert_int_equal(crm_segment_model_check_methods(&value, by, 2, "m.txt", &err), CRM_EDATA);
    assert_string_equal(err.message, "m.txt: the model has no kmeans settings (save it with --by kmeans --save-model)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_missing_file_and_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
