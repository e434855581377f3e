/* Unit tests of a command's inputs (csv_inputs): their names in messages,
 * files opened again, and standard input copied once so that it can be
 * read twice with the same records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/csv_inputs.h"

static const char text[] = "id,v\n1,a\n2,b\n";

/* Reads every record of input i; returns the fields of the last one "id|v". */
static void read_all(crm_csv_inputs *in, size_t i, int *records, char *last, size_t cap)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_inputs_open(in, i, &opts, &r, &err), CRM_OK);
    const crm_csv_record *rec;
    *records = 0;
    while (crm_csv_next(r, &rec, &err) == CRM_OK && rec) {
        ++*records;
        snprintf(last, cap, "%s|%s", rec->fields[0], rec->fields[1]);
    }
    crm_csv_close(r);
}

static void test_names(void **state)
{
    const char *paths[] = {"a.csv", "-"};
    crm_csv_inputs *in;
    crm_error err;
    assert_int_equal(crm_csv_inputs_new(&in, paths, 2, 0, &err), CRM_OK);
    assert_int_equal(crm_csv_inputs_count(in), 2);
    assert_string_equal(crm_csv_inputs_name(in, 0), "a.csv");
    assert_string_equal(crm_csv_inputs_names(in)[1], "<stdin>");
    crm_csv_inputs_free(in);
    /* no path at all: standard input alone */
    assert_int_equal(crm_csv_inputs_new(&in, NULL, 0, 0, &err), CRM_OK);
    assert_int_equal(crm_csv_inputs_count(in), 1);
    assert_string_equal(crm_csv_inputs_name(in, 0), "<stdin>");
    crm_csv_inputs_free(in);
}

static void test_file_read_twice(void **state)
{
    char path[] = "/tmp/crm-test-inputs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    const char *paths[] = {path};
    crm_csv_inputs *in;
    crm_error err;
    assert_int_equal(crm_csv_inputs_new(&in, paths, 1, 1, &err), CRM_OK);
    char last[64];
    int n;
    read_all(in, 0, &n, last, sizeof last);
    assert_int_equal(n, 2);
    read_all(in, 0, &n, last, sizeof last);
    assert_int_equal(n, 2);
    assert_string_equal(last, "2|b");
    crm_csv_inputs_free(in);
    unlink(path);
}

static void test_stdin_copied_and_read_twice(void **state)
{
    /* standard input is a pipe holding the text: it can be read only once */
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(p[1]);
    int saved = dup(0);
    assert_true(dup2(p[0], 0) == 0);
    close(p[0]);
    crm_csv_inputs *in;
    crm_error err;
    assert_int_equal(crm_csv_inputs_new(&in, NULL, 0, 1, &err), CRM_OK);
    dup2(saved, 0);
    close(saved);
    char last[64];
    int n;
    read_all(in, 0, &n, last, sizeof last);
    assert_int_equal(n, 2);
    read_all(in, 0, &n, last, sizeof last);   /* the copy, from its start */
    assert_int_equal(n, 2);
    assert_string_equal(last, "2|b");
    crm_csv_inputs_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_file_read_twice),
        cmocka_unit_test(test_stdin_copied_and_read_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
