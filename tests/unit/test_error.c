/* Unit tests of the error module: message prefixing, exit codes, and the
 * quoting of bad values in messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "crm/error.h"

static void test_set_and_prefix(void **state)
{
    crm_error err;
    crm_error_clear(&err);
    assert_int_equal(crm_error_set(&err, CRM_EDATA, "column '%s': cannot read '%s'", "date", "x"), CRM_EDATA);
    crm_error_prefix(&err, "%s:%d: ", "orders.csv", 1043);
    assert_string_equal(err.message, "orders.csv:1043: column 'date': cannot read 'x'");
    assert_int_equal(err.status, CRM_EDATA);
}

static void test_exit_codes(void **state)
{
    /* DESIGN.md: 0 success (a closed pipe too), 1 bad data or failed run, 2 usage. */
    assert_int_equal(crm_status_exit_code(CRM_OK), 0);
    assert_int_equal(crm_status_exit_code(CRM_EPIPE), 0);
    assert_int_equal(crm_status_exit_code(CRM_EDATA), 1);
    assert_int_equal(crm_status_exit_code(CRM_EIO), 1);
    assert_int_equal(crm_status_exit_code(CRM_ENOMEM), 1);
    assert_int_equal(crm_status_exit_code(CRM_EUSAGE), 2);
}

static void test_quote_escapes_control_and_invalid_bytes(void **state)
{
    char buf[64];
    /* tab and NUL are control bytes; \xe9 alone is not UTF-8 (latin-1 é);
     * "é" as C3 A9 and "元" as E5 85 83 are valid and stay. */
    const char value[] = "a\tb\0c\xe9 \xc3\xa9\xe5\x85\x83";
    assert_string_equal(crm_error_quote(buf, sizeof buf, value, sizeof value - 1),
                        "a\\x09b\\x00c\\xe9 \xc3\xa9\xe5\x85\x83");
    /* overlong "/" (C0 AF) and a UTF-16 surrogate (ED A0 80) are not UTF-8 */
    assert_string_equal(crm_error_quote(buf, sizeof buf, "\xc0\xaf\xed\xa0\x80", 5),
                        "\\xc0\\xaf\\xed\\xa0\\x80");
}

static void test_quote_cuts_long_values(void **state)
{
    char buf[10];
    assert_string_equal(crm_error_quote(buf, sizeof buf, "0123456789abcdef", 16), "012345...");
    /* a multi-byte character is never cut in half */
    assert_string_equal(crm_error_quote(buf, sizeof buf, "12345\xe5\x85\x83xyz", 11), "12345...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_prefix),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_quote_escapes_control_and_invalid_bytes),
        cmocka_unit_test(test_quote_cuts_long_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
