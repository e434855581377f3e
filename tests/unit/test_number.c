/* Unit tests of lib/number.c.
 *
 * Expected decimals are the written digits (units / 10^scale: "2.50" is
 * 250 / 10^2).  Expected doubles are C literals, which the compiler rounds
 * correctly, or Python's repr (shortest round-trip text), e.g.
 *   python3 -c "print(repr(1/3))"          -> 0.3333333333333333 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crm/number.h"

static const crm_number_options decimal_comma = {1};

static void expect_decimal(const char *s, const crm_number_options *opts, int64_t units, int scale)
{
    crm_decimal d = {-1, -1};
    if (crm_parse_decimal(s, strlen(s), opts, &d) != CRM_OK)
        fail_msg("'%s': not read as a decimal", s);
    if (d.units != units || d.scale != scale)
        fail_msg("'%s': got %lld/10^%d, want %lld/10^%d", s, (long long)d.units, d.scale,
                 (long long)units, scale);
    /* the double reading of the same text must agree with the exact value */
    double v;
    if (crm_parse_double(s, strlen(s), opts, &v) != CRM_OK)
        fail_msg("'%s': read as a decimal but not as a double", s);
    if (v != crm_decimal_to_double(d))
        fail_msg("'%s': double %.17g differs from decimal", s, v);
}

static void expect_not_a_number(const char *s, const crm_number_options *opts)
{
    crm_decimal d;
    double v;
    if (crm_parse_decimal(s, strlen(s), opts, &d) != CRM_EDATA)
        fail_msg("'%s': read as a decimal, but must be rejected", s);
    if (crm_parse_double(s, strlen(s), opts, &v) != CRM_EDATA)
        fail_msg("'%s': read as a double, but must be rejected", s);
}

static crm_decimal dec(const char *s)
{
    crm_decimal d = {0, 0};
    if (crm_parse_decimal(s, strlen(s), NULL, &d) != CRM_OK)
        fail_msg("'%s': not read", s);
    return d;
}

static void expect_text(crm_decimal d, const char *want)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_decimal_format(d, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

/* ---- plain numbers ---------------------------------------------------- */

static void test_plain_decimals(void **state)
{
    (void)state;
    expect_decimal("2.50", NULL, 250, 2);       /* trailing zero kept: scale 2 */
    expect_decimal("12", NULL, 12, 0);
    expect_decimal("-0.50", NULL, -50, 2);
    expect_decimal("0.05", NULL, 5, 2);
    expect_decimal("+7", NULL, 7, 0);
    expect_decimal(" \t3.5\r\n", NULL, 35, 1);
    expect_decimal("007", NULL, 7, 0);
    expect_decimal(".5", NULL, 5, 1);
    expect_decimal("5.", NULL, 5, 0);
    expect_decimal("0", NULL, 0, 0);
    expect_decimal("0.000", NULL, 0, 3);
    expect_decimal("-0", NULL, 0, 0);
    expect_decimal("0.123456789", NULL, 123456789, 9);
    /* ten decimals whose last is a zero fit once it is dropped */
    expect_decimal("1.0000000000", NULL, 1000000000, 9);
    /* around the shortcut for plain texts of at most 18 digits: 18 digits,
     * 19 digits (still below INT64_MAX = 9223372036854775807), the largest
     * value, and leading zeros beyond 18 digits */
    expect_decimal("123456789012345678", NULL, INT64_C(123456789012345678), 0);
    expect_decimal("-12345678901234567.8", NULL, INT64_C(-123456789012345678), 1);
    expect_decimal("1234567890123456789", NULL, INT64_C(1234567890123456789), 0);
    expect_decimal("-9223372036854775807", NULL, -INT64_MAX, 0);
    expect_decimal("0000000000000000000000001.50", NULL, 150, 2);
    expect_decimal("+.5", NULL, 5, 1);
    expect_decimal("-0.00", NULL, 0, 2);
}

static void test_exponents(void **state)
{
    (void)state;
    expect_decimal("1e3", NULL, 1000, 0);
    expect_decimal("1E+3", NULL, 1000, 0);
    expect_decimal("1.5e-3", NULL, 15, 4);      /* 0.0015 */
    expect_decimal("2.50e1", NULL, 250, 1);     /* 25.0 */
    expect_decimal("-25e-2", NULL, -25, 2);     /* -0.25 */
    expect_decimal("1e18", NULL, 1000000000000000000, 0);
    expect_not_a_number("1e", NULL);
    expect_not_a_number("1e+", NULL);
    expect_not_a_number("e5", NULL);
    expect_not_a_number("1,000e3", NULL);   /* exponents only on plain numbers */
    expect_not_a_number("$1e3", NULL);
    expect_not_a_number("1e3 USD", NULL);
    expect_not_a_number("(1e3)", NULL);
    crm_decimal d;
    /* 1e19 > INT64_MAX = 9223372036854775807 */
    assert_int_equal(crm_parse_decimal("1e19", 4, NULL, &d), CRM_EDATA);
    /* 1e-10 needs 10 decimals */
    assert_int_equal(crm_parse_decimal("1e-10", 5, NULL, &d), CRM_EDATA);
    double v;
    assert_int_equal(crm_parse_double("1e19", 4, NULL, &v), CRM_OK);
    assert_true(v == 1e19);
    assert_int_equal(crm_parse_double("1e400", 5, NULL, &v), CRM_EDATA);  /* beyond DBL_MAX */
    assert_int_equal(crm_parse_double("1e-400", 6, NULL, &v), CRM_OK);    /* underflows to 0 */
    assert_true(v == 0);
}

/* ---- money ------------------------------------------------------------ */

static void test_money_forms(void **state)
{
    (void)state;
    expect_decimal("\xc2\xa3" "1,234.50", NULL, 123450, 2);     /* £1,234.50 */
    expect_decimal("(12.50)", NULL, -1250, 2);
    expect_decimal("( $1,234.50 )", NULL, -123450, 2);
    expect_decimal("NT$1,200", NULL, 1200, 0);
    expect_decimal("US$3.10", NULL, 310, 2);
    expect_decimal("HK$ 3", NULL, 3, 0);
    expect_decimal("12\xe5\x85\x83", NULL, 12, 0);               /* 12元 */
    expect_decimal("1,200 \xe5\x85\x83", NULL, 1200, 0);         /* 1,200 元 */
    expect_decimal("RMB 100", NULL, 100, 0);
    expect_decimal("-$5", NULL, -5, 0);
    expect_decimal("$-5", NULL, -5, 0);
    expect_decimal("$ -5.25", NULL, -525, 2);
    expect_decimal("+$5", NULL, 5, 0);
    expect_decimal("USD 12.50", NULL, 1250, 2);
    expect_decimal("USD12.50", NULL, 1250, 2);
    expect_decimal("12.50 EUR", NULL, 1250, 2);
    expect_decimal("12.50EUR", NULL, 1250, 2);
    expect_decimal("12 GBP", NULL, 12, 0);
    expect_decimal("CNY 88", NULL, 88, 0);
    expect_decimal("TWD 1,000", NULL, 1000, 0);
    expect_decimal("JPY500", NULL, 500, 0);
    expect_decimal("HKD 7", NULL, 7, 0);
    expect_decimal("\xc2\xa5" "1,200", NULL, 1200, 0);           /* ¥1,200 */
    expect_decimal("\xef\xbf\xa5" "1,200", NULL, 1200, 0);       /* ￥1,200 */
    expect_decimal("\xe2\x82\xac" "12.99", NULL, 1299, 2);       /* €12.99 */
    expect_decimal("12.99\xc2\xa0\xe2\x82\xac", NULL, 1299, 2);  /* 12.99<NBSP>€ */
    expect_decimal("5 $", NULL, 5, 0);
    expect_decimal("1,234,567.89", NULL, 123456789, 2);
}

static void test_decimal_comma(void **state)
{
    (void)state;
    expect_decimal("1.234,56", &decimal_comma, 123456, 2);
    expect_decimal("1 234,56", &decimal_comma, 123456, 2);
    expect_decimal("1\xc2\xa0" "234,56", &decimal_comma, 123456, 2);      /* U+00A0 */
    expect_decimal("1\xe2\x80\xaf" "234,56", &decimal_comma, 123456, 2);  /* U+202F */
    expect_decimal("\xe2\x82\xac" "12,50", &decimal_comma, 1250, 2);
    expect_decimal("12,50 \xe2\x82\xac", &decimal_comma, 1250, 2);
    expect_decimal("1.234.567 \xe2\x82\xac", &decimal_comma, 1234567, 0);
    expect_decimal("-0,5", &decimal_comma, -5, 1);
    expect_decimal("1.500", &decimal_comma, 1500, 0);   /* '.' groups thousands here */
    expect_not_a_number("1.5", &decimal_comma);          /* not a group of three */
    expect_not_a_number("1.234.56", &decimal_comma);
    expect_not_a_number("1.234 567,5", &decimal_comma);  /* separators must agree */
    expect_not_a_number("1,2,3", &decimal_comma);
    expect_not_a_number("1,234.56", &decimal_comma);
    expect_not_a_number("1.234,56", NULL);
}

static void test_rejections(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "   ", "-", "+", "$", "()", "( )", "1.2.3", "1,23", "1234,567", ",123", "0,123",
        "01,234", "1,,234", "1,234,56", "1,23,456", "1, 234", "abc", "nan", "NaN", "inf",
        "-inf", "Infinity", "(-12.50)", "(12.50", "12.50)", "$5$", "$5 USD", "5 $ 5", "--5",
        "+-5", "-$-5", "- 5", "0x10", "1 234", "\xe5\x85\x83\x31\x32", "12 \xe5\x85\x83 \xe5\x85\x83",
        "12 eur", "12.5%", "1_000", "\xe2\x82\xac", "5 -", "12..5", ".",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_not_a_number(bad[i], NULL);
    crm_decimal d;
    double v;
    assert_int_equal(crm_parse_decimal(NULL, 0, NULL, &d), CRM_EDATA);
    assert_int_equal(crm_parse_double(NULL, 0, NULL, &v), CRM_EDATA);
    /* the length counts, not a NUL: "12\0" 3 bytes is not a number */
    assert_int_equal(crm_parse_decimal("12\0", 3, NULL, &d), CRM_EDATA);
    assert_int_equal(crm_parse_decimal("123", 2, NULL, &d), CRM_OK);
    assert_int_equal(d.units, 12);
}

static void test_decimal_overflow(void **state)
{
    (void)state;
    crm_decimal d;
    /* INT64_MAX = 2^63 - 1 = 9223372036854775807 */
    expect_decimal("9223372036854775807", NULL, INT64_MAX, 0);
    const char *s = "9223372036854775808";
    assert_int_equal(crm_parse_decimal(s, strlen(s), NULL, &d), CRM_EDATA);
    s = "-9223372036854775808";
    assert_int_equal(crm_parse_decimal(s, strlen(s), NULL, &d), CRM_EDATA);
    s = "92233720368547758.08";    /* 9223372036854775808 hundredths */
    assert_int_equal(crm_parse_decimal(s, strlen(s), NULL, &d), CRM_EDATA);
    /* ten decimals that are not all trailing zeros: a double, not a decimal */
    s = "1.0000000001";
    assert_int_equal(crm_parse_decimal(s, strlen(s), NULL, &d), CRM_EDATA);
    s = "99999999999999999999999";
    assert_int_equal(crm_parse_decimal(s, strlen(s), NULL, &d), CRM_EDATA);
    double v;
    assert_int_equal(crm_parse_double(s, strlen(s), NULL, &v), CRM_OK);
    assert_true(v == 99999999999999999999999.0);
}

static void test_parse_double_values(void **state)
{
    (void)state;
    double v;
    assert_int_equal(crm_parse_double("0.1", 3, NULL, &v), CRM_OK);
    assert_true(v == 0.1);
    assert_int_equal(crm_parse_double("1,234.50", 8, NULL, &v), CRM_OK);
    assert_true(v == 1234.5);
    assert_int_equal(crm_parse_double("(12.50)", 7, NULL, &v), CRM_OK);
    assert_true(v == -12.5);
    assert_int_equal(crm_parse_double("1.234,56", 8, &decimal_comma, &v), CRM_OK);
    assert_true(v == 1234.56);
    assert_int_equal(crm_parse_double("-0.000001", 9, NULL, &v), CRM_OK);
    assert_true(v == -0.000001);
    /* 17 significant digits survive: 0.30000000000000004 is 0.1 + 0.2 */
    assert_int_equal(crm_parse_double("0.30000000000000004", 19, NULL, &v), CRM_OK);
    assert_true(v == 0.1 + 0.2);
}

/* Agreement with the C library's strtod (the test never calls setlocale,
 * so strtod reads '.') on texts of 1 to 20 digits with a point somewhere
 * and an exponent sometimes: covers both the short exact path and the
 * long path of crm_parse_double. */
static void test_parse_double_agrees_with_strtod(void **state)
{
    (void)state;
    uint64_t x = 2463534242u;
    char text[64];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int ndigits = 1 + (int)(x % 20), point = (int)((x >> 8) % (uint64_t)(ndigits + 1));
        size_t n = 0;
        if ((x >> 16) & 1)
            text[n++] = '-';
        uint64_t y = x;
        for (int k = 0; k < ndigits; k++) {
            if (k == point && k > 0)
                text[n++] = '.';
            y = y * 6364136223846793005u + 1442695040888963407u;
            text[n++] = (char)('0' + (y >> 60) % 10);
        }
        if (((x >> 20) & 7) == 0)
            n += (size_t)snprintf(text + n, sizeof text - n, "e%d", (int)((x >> 24) % 61) - 30);
        text[n] = '\0';
        double want = strtod(text, NULL), got;
        if (crm_parse_double(text, n, NULL, &got) != CRM_OK || got != want)
            fail_msg("'%s': got %.17g, strtod gives %.17g", text, got, want);
    }
}

static void test_parse_int64(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(crm_parse_int64("42", 2, &v), CRM_OK);
    assert_int_equal(v, 42);
    assert_int_equal(crm_parse_int64(" -42 ", 5, &v), CRM_OK);
    assert_int_equal(v, -42);
    assert_int_equal(crm_parse_int64("+0", 2, &v), CRM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(crm_parse_int64("9223372036854775807", 19, &v), CRM_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(crm_parse_int64("-9223372036854775808", 20, &v), CRM_OK);
    assert_true(v == INT64_MIN);
    static const char *const bad[] = {
        "9223372036854775808", "-9223372036854775809", "1.0", "1,000", "", " ", "-", "+",
        "12a", "1e3", "$5", "(5)", "- 5", "0x1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (crm_parse_int64(bad[i], strlen(bad[i]), &v) != CRM_EDATA)
            fail_msg("'%s' read as an int64", bad[i]);
    }
    assert_int_equal(crm_parse_int64(NULL, 0, &v), CRM_EDATA);
}

/* ---- exact arithmetic ------------------------------------------------- */

static void test_point_one_plus_point_two_is_point_three(void **state)
{
    (void)state;
    crm_decimal sum;
    assert_int_equal(crm_decimal_add(dec("0.1"), dec("0.2"), &sum), CRM_OK);
    assert_int_equal(crm_decimal_cmp(sum, dec("0.3")), 0);
    expect_text(sum, "0.3");
    assert_true(crm_decimal_to_double(sum) == 0.3);
}

static void test_add_sub_align_scales(void **state)
{
    (void)state;
    crm_decimal r;
    assert_int_equal(crm_decimal_add(dec("1.5"), dec("2.25"), &r), CRM_OK);
    expect_text(r, "3.75");
    assert_int_equal(crm_decimal_sub(dec("1"), dec("2.50"), &r), CRM_OK);
    expect_text(r, "-1.50");
    assert_int_equal(crm_decimal_sub(dec("2.50"), dec("2.5"), &r), CRM_OK);
    expect_text(r, "0.00");
    /* At scale 9 the sum is 1000000000001500000000 units (about 1e21), too
     * big for 64 bits (INT64_MAX is about 9.22e18); dropping trailing zeros
     * only as far as needed: scale 8 gives 1.0e20, scale 7 1.0e19, both too
     * big; scale 6 gives 1000000000001500000 units, which fits. */
    assert_int_equal(crm_decimal_add(dec("1000000000000"), dec("1.500000000"), &r), CRM_OK);
    expect_text(r, "1000000000001.500000");
    /* 0.2 + 0.8 keeps its scale: 1.0 */
    assert_int_equal(crm_decimal_add(dec("0.2"), dec("0.8"), &r), CRM_OK);
    expect_text(r, "1.0");
    /* INT64_MAX + 1 overflows; INT64_MIN - 1 too */
    assert_int_equal(crm_decimal_add(crm_decimal_from_int(INT64_MAX), dec("1"), &r), CRM_EDATA);
    assert_int_equal(crm_decimal_sub(crm_decimal_from_int(INT64_MIN), dec("1"), &r), CRM_EDATA);
    /* 10^10 at scale 9 needs 10^19 units > INT64_MAX */
    assert_int_equal(crm_decimal_add(dec("10000000000"), dec("0.000000001"), &r), CRM_EDATA);
    crm_decimal bad = {1, 10};
    assert_int_equal(crm_decimal_add(bad, dec("1"), &r), CRM_EDATA);
}

static void test_money_sum_is_exact(void **state)
{
    (void)state;
    /* 2.55 * 1000 + 3.39 * 1000 + 0.01 * 1000 = 2550 + 3390 + 10 = 5950.00 */
    crm_decimal total = {0, 2};
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(crm_decimal_add(total, dec("2.55"), &total), CRM_OK);
        assert_int_equal(crm_decimal_add(total, dec("3.39"), &total), CRM_OK);
        assert_int_equal(crm_decimal_add(total, dec("0.01"), &total), CRM_OK);
    }
    expect_text(total, "5950.00");
}

static void test_mul(void **state)
{
    (void)state;
    crm_decimal r;
    /* quantity 6 times unit price 2.55 = 15.30 (scale 0 + 2) */
    assert_int_equal(crm_decimal_mul(dec("6"), dec("2.55"), &r), CRM_OK);
    expect_text(r, "15.30");
    assert_int_equal(crm_decimal_mul(dec("-1.5"), dec("1.5"), &r), CRM_OK);
    expect_text(r, "-2.25");
    /* 0.00010 * 0.000010 = 100e-11; scale 11 > 9, trailing zeros dropped:
     * 1e-9 = 0.000000001 */
    assert_int_equal(crm_decimal_mul(dec("0.00010"), dec("0.000010"), &r), CRM_OK);
    expect_text(r, "0.000000001");
    /* 0.00001 * 0.00001 = 1e-10: needs 10 decimals */
    assert_int_equal(crm_decimal_mul(dec("0.00001"), dec("0.00001"), &r), CRM_EDATA);
    /* 1.000000000 * 10^10 = 10^19 units at scale 9, over INT64_MAX (about
     * 9.22e18); one trailing zero fewer, 10^18 units at scale 8, fits */
    assert_int_equal(crm_decimal_mul(dec("1.000000000"), dec("10000000000"), &r), CRM_OK);
    expect_text(r, "10000000000.00000000");
    /* 0.5 * 922337203685477580.6: 5 * 9223372036854775806 = 46116860184273879030
     * units at scale 2 overflow, but the value ends in a zero:
     * 4611686018427387903 units at scale 1 fit */
    crm_decimal big = {9223372036854775806, 1};
    assert_int_equal(crm_decimal_mul(dec("0.5"), big, &r), CRM_OK);
    expect_text(r, "461168601842738790.3");
    assert_int_equal(crm_decimal_mul(crm_decimal_from_int(INT64_MAX), dec("2"), &r), CRM_EDATA);
}

static void test_cmp_sign_from_int(void **state)
{
    (void)state;
    assert_int_equal(crm_decimal_cmp(dec("1.50"), dec("1.5")), 0);
    assert_int_equal(crm_decimal_cmp(dec("-0.5"), dec("0.25")), -1);
    assert_int_equal(crm_decimal_cmp(dec("0.25"), dec("-0.5")), 1);
    assert_int_equal(crm_decimal_cmp(dec("2"), dec("1.999999999")), 1);
    /* aligning INT64_MAX to scale 9 would overflow 64 bits */
    crm_decimal tiny = {1, 9};
    assert_int_equal(crm_decimal_cmp(crm_decimal_from_int(INT64_MAX), tiny), 1);
    assert_int_equal(crm_decimal_cmp(crm_decimal_from_int(INT64_MIN), tiny), -1);
    assert_int_equal(crm_decimal_sign(dec("-0.01")), -1);
    assert_int_equal(crm_decimal_sign(dec("0.00")), 0);
    assert_int_equal(crm_decimal_sign(dec("3")), 1);
    crm_decimal d = crm_decimal_from_int(-17);
    assert_true(d.units == -17 && d.scale == 0);
}

static void test_trim(void **state)
{
    (void)state;
    /* the header's examples: trim(4.5900, 2) is 4.59, trim(0.7650, 2) is 0.765 */
    expect_text(crm_decimal_trim(dec("4.5900"), 2), "4.59");
    expect_text(crm_decimal_trim(dec("0.7650"), 2), "0.765");
    expect_text(crm_decimal_trim(dec("4.5000"), 2), "4.50");
    expect_text(crm_decimal_trim(dec("4.5000"), 0), "4.5");
    expect_text(crm_decimal_trim(dec("4.0000"), 0), "4");
    expect_text(crm_decimal_trim(dec("4.5"), 2), "4.5");      /* never adds decimals */
    expect_text(crm_decimal_trim(dec("-0.1200"), 1), "-0.12");
    expect_text(crm_decimal_trim(dec("100"), 0), "100");      /* integer zeros stay */
    expect_text(crm_decimal_trim(dec("0.000"), 1), "0.0");
    expect_text(crm_decimal_trim(dec("0.000"), -5), "0");
}

static void test_to_double(void **state)
{
    (void)state;
    assert_true(crm_decimal_to_double(dec("1234.56")) == 1234.56);
    assert_true(crm_decimal_to_double(dec("-0.000000001")) == -1e-9);
    /* above 2^53 the text route: 9007199254740993 = 2^53 + 1 lies halfway
     * between 2^53 and 2^53 + 2; the tie goes to the even 2^53 */
    crm_decimal big = {9007199254740993, 0};
    assert_true(crm_decimal_to_double(big) == 9007199254740992.0);
    crm_decimal big2 = {12345678901234567, 2};
    assert_true(crm_decimal_to_double(big2) == 123456789012345.67);
}

static void test_decimal_format(void **state)
{
    (void)state;
    expect_text(dec("15.30"), "15.30");
    expect_text(dec("-0.50"), "-0.50");
    expect_text(dec("12"), "12");
    expect_text(dec("0.05"), "0.05");
    expect_text(dec("-0.00"), "0.00");
    crm_decimal d = {-5, 1};
    expect_text(d, "-0.5");
    d = (crm_decimal){INT64_MIN, 0};
    expect_text(d, "-9223372036854775808");
    d = (crm_decimal){INT64_MIN, 9};
    expect_text(d, "-9223372036.854775808");
    d = (crm_decimal){INT64_MAX, 9};
    expect_text(d, "9223372036.854775807");
}

/* ---- writing doubles -------------------------------------------------- */

static void expect_double_text(double v, const char *want)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format(v, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_double_format_shortest(void **state)
{
    (void)state;
    /* right-hand sides: python3 -c "print(repr(x))" for the same x, except
     * that Python writes whole floats as "12.0" and we write "12" */
    expect_double_text(0.1, "0.1");
    expect_double_text(0.1 + 0.2, "0.30000000000000004");
    expect_double_text(1.0 / 3.0, "0.3333333333333333");
    expect_double_text(2.0 / 3.0, "0.6666666666666666");
    expect_double_text(100.0 / 7.0, "14.285714285714286");
    expect_double_text(123456.789, "123456.789");
    expect_double_text(1e-7, "1e-07");
    expect_double_text(1e23, "1e+23");
    expect_double_text(5e-324, "5e-324");
    expect_double_text(12.0, "12");
    expect_double_text(-12.0, "-12");
    expect_double_text(9007199254740992.0, "9007199254740992");
    expect_double_text(-0.0, "0");
    expect_double_text(0.0, "0");
    expect_double_text(NAN, "nan");
    expect_double_text(INFINITY, "inf");
    expect_double_text(-INFINITY, "-inf");
}

static void test_double_format_round_trips(void **state)
{
    (void)state;
    /* Doubles from a fixed xorshift sequence over all bit patterns. */
    uint64_t x = 88172645463325252u;
    char buf[CRM_NUMBER_TEXT_MAX];
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        size_t n = crm_double_format(v, buf);
        double back;
        if (crm_parse_double(buf, n, NULL, &back) != CRM_OK || back != v)
            fail_msg("%a written as '%s' does not read back", v, buf);
    }
}

static void expect_fixed(double v, int decimals, const char *want)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format_fixed(v, decimals, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_double_format_fixed(void **state)
{
    (void)state;
    expect_fixed(1234.5678, 2, "1234.57");
    /* exact ties round away from zero (printf would give "2" and "0.12") */
    expect_fixed(2.5, 0, "3");
    expect_fixed(-2.5, 0, "-3");
    expect_fixed(0.5, 0, "1");
    expect_fixed(0.125, 2, "0.13");
    expect_fixed(-0.125, 2, "-0.13");
    expect_fixed(0.375, 2, "0.38");
    /* not ties: python3 -c "from decimal import Decimal; print(Decimal(2.675))"
     * -> 2.67499999999999982236431605997495353221893310546875 */
    expect_fixed(2.675, 2, "2.67");
    /* Decimal(1.005) -> 1.00499999999999989341858963598497211933135986328125 */
    expect_fixed(1.005, 2, "1.00");
    expect_fixed(-0.001, 2, "0.00");
    expect_fixed(-0.0, 2, "0.00");
    expect_fixed(0.0, 0, "0");
    expect_fixed(12.0, -3, "12");                 /* negative decimals mean 0 */
    expect_fixed(1e300, 2, "1e+300");             /* too wide for fixed notation */
    expect_fixed(NAN, 2, "nan");
}

static void expect_significant(double v, int digits, const char *want)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format_significant(v, digits, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_double_format_significant(void **state)
{
    (void)state;
    /* the noise of issue 15, to 6 significant digits: 0.13073394495412843
     * -> 0.130734 (the 7th digit, 3, rounds down); 579.9660000000001 ->
     * 579.966; 267.25300000000004 -> 267.253 */
    expect_significant(0.13073394495412843, 6, "0.130734");
    expect_significant(579.9660000000001, 6, "579.966");
    expect_significant(267.25300000000004, 6, "267.253");
    expect_significant(668.5699999999999, 6, "668.57");   /* trailing zero of 668.570 dropped */
    expect_significant(1234567.891, 6, "1234568");        /* whole part kept, never an exponent */
    expect_significant(-0.5, 6, "-0.5");
    expect_significant(0.0, 6, "0");
    expect_significant(-0.0, 6, "0");
    expect_significant(1.0, 6, "1");
    /* small probabilities keep their digits instead of printing 0.000000 */
    expect_significant(0.000001234567, 6, "0.00000123457");
    expect_significant(1.234567e-15, 6, "1.23457e-15");
    expect_significant(0.0999999999, 3, "0.1");           /* rounding carries into a new digit */
    expect_significant(NAN, 6, "nan");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_decimals),
        cmocka_unit_test(test_exponents),
        cmocka_unit_test(test_money_forms),
        cmocka_unit_test(test_decimal_comma),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_decimal_overflow),
        cmocka_unit_test(test_parse_double_values),
        cmocka_unit_test(test_parse_double_agrees_with_strtod),
        cmocka_unit_test(test_parse_int64),
        cmocka_unit_test(test_point_one_plus_point_two_is_point_three),
        cmocka_unit_test(test_add_sub_align_scales),
        cmocka_unit_test(test_money_sum_is_exact),
        cmocka_unit_test(test_mul),
        cmocka_unit_test(test_cmp_sign_from_int),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_to_double),
        cmocka_unit_test(test_decimal_format),
        cmocka_unit_test(test_double_format_shortest),
        cmocka_unit_test(test_double_format_significant),
        cmocka_unit_test(test_double_format_round_trips),
        cmocka_unit_test(test_double_format_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
