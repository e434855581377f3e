/* Unit tests of the CSV writer's formula escape (--escape-formulas):
 * OWASP's CSV-injection rule, a leading "'" before text that starts with
 * = + - @ tab or CR, and numbers left as they are.  Each expected line is
 * the input field with "'" put in front (or not), quoted by RFC 4180 when
 * it holds a comma, quote or line break. */
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

#include "crm/csv.h"

static char path[64];

static int make_temp_file(void **state)
{
    (void)state;
    strcpy(path, "/tmp/crm-test-escape-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int remove_temp_file(void **state)
{
    (void)state;
    return unlink(path);
}

static char *slurp(size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[4096];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Writes each field on a row of its own and returns the file's text. */
static const char *write_fields(int escape, const char *const *fields, size_t n)
{
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    crm_csv_writer_escape_formulas(w, escape);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(crm_csv_write_field(w, fields[i], (size_t)-1), CRM_OK);
        assert_int_equal(crm_csv_end_row(w), CRM_OK);
    }
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    size_t len;
    return slurp(&len);
}

static void test_text_that_a_spreadsheet_would_run(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "=2+5", "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-cmd", "@SUM(1)",
        "\tTAB", "\rCR", "-2+5", "+A1", "-$5", "=", "-", "+", "-.", "1e5x"};
    const char *text = write_fields(1, fields, sizeof fields / sizeof fields[0]);
    assert_string_equal(text,
                        "'=2+5\n"
                        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"
                        "'+cmd|' /C calc'!A0\n"
                        "'-cmd\n"
                        "'@SUM(1)\n"
                        "'\tTAB\n"
                        "\"'\rCR\"\n"
                        "'-2+5\n"
                        "'+A1\n"
                        "'-$5\n"
                        "'=\n"
                        "'-\n"
                        "'+\n"
                        "'-.\n"
                        "1e5x\n");
}

static void test_numbers_and_plain_text_stay(void **state)
{
    (void)state;
    static const char *const fields[] = {"-5.00", "+3", "-0.5", "-.5", "-5.", "+1e3", "-2.5E-2",
                                         "12", "a=b", " =x", "'=x", "", "2011-01-01"};
    const char *text = write_fields(1, fields, sizeof fields / sizeof fields[0]);
    /* " =x" starts with a space, which OWASP does not list; "" is written
     * as "" so that the row is not a blank line */
    assert_string_equal(text, "-5.00\n+3\n-0.5\n-.5\n-5.\n+1e3\n-2.5E-2\n12\na=b\n =x\n'=x\n\"\"\n"
                              "2011-01-01\n");
}

static void test_off_by_default(void **state)
{
    (void)state;
    static const char *const fields[] = {"=2+5", "-cmd", "@x"};
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(crm_csv_write_field(w, fields[i], (size_t)-1), CRM_OK);
    assert_int_equal(crm_csv_end_row(w), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    size_t len;
    assert_string_equal(slurp(&len), "=2+5,-cmd,@x\n");
    assert_string_equal(write_fields(0, fields, 3), "=2+5\n-cmd\n@x\n");
}

/* The writer's own numbers, and raw bytes copied from an input, are never
 * changed: not even -inf, which as text would start with '-'. */
static void test_numbers_and_raw_bytes_untouched(void **state)
{
    (void)state;
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    crm_csv_writer_escape_formulas(w, 1);
    assert_int_equal(crm_csv_write_int(w, -42), CRM_OK);
    assert_int_equal(crm_csv_write_double(w, -0.25), CRM_OK);
    assert_int_equal(crm_csv_write_fixed(w, -1.5, 2), CRM_OK);
    assert_int_equal(crm_csv_write_double(w, -INFINITY), CRM_OK);
    assert_int_equal(crm_csv_write_field(w, "=x", 2), CRM_OK);
    assert_int_equal(crm_csv_end_row_raw(w, "=raw,-cmd\n", 10), CRM_OK);
    assert_int_equal(crm_csv_write_raw(w, "@raw\n", 5), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    size_t len;
    assert_string_equal(slurp(&len), "-42,-0.25,-1.50,-inf,'=x,=raw,-cmd\n@raw\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_that_a_spreadsheet_would_run),
        cmocka_unit_test(test_numbers_and_plain_text_stay),
        cmocka_unit_test(test_off_by_default),
        cmocka_unit_test(test_numbers_and_raw_bytes_untouched),
    };
    return cmocka_run_group_tests(tests, make_temp_file, remove_temp_file);
}
