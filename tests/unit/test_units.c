/* Unit tests of lib/units.c.  Reference values computed with python3; the
 * command is written beside each. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crm/units.h"

/* cmocka's float assertion works in float precision; ours in double. */
static void expect_close(double got, double want, double tolerance)
{
    if (!(fabs(got - want) <= tolerance))
        fail_msg("got %.17g, want %.17g (tolerance %g)", got, want, tolerance);
}

static void test_unit_days_and_names(void **state)
{
    (void)state;
    assert_true(crm_time_unit_days(CRM_UNIT_DAY) == 1.0);
    assert_true(crm_time_unit_days(CRM_UNIT_WEEK) == 7.0);
    assert_true(crm_time_unit_days(CRM_UNIT_MONTH) == 30.4375);   /* 365.25 / 12, exact in binary */
    assert_true(crm_time_unit_days(CRM_UNIT_YEAR) == 365.25);
    assert_string_equal(crm_time_unit_name(CRM_UNIT_DAY), "days");
    assert_string_equal(crm_time_unit_name(CRM_UNIT_WEEK), "weeks");
    assert_string_equal(crm_time_unit_name(CRM_UNIT_MONTH), "months");
    assert_string_equal(crm_time_unit_name(CRM_UNIT_YEAR), "years");
}

static void test_parse_time_unit(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        crm_time_unit unit;
    } good[] = {
        {"d", CRM_UNIT_DAY},   {"day", CRM_UNIT_DAY},      {"days", CRM_UNIT_DAY},
        {"w", CRM_UNIT_WEEK},  {"week", CRM_UNIT_WEEK},    {"Weeks", CRM_UNIT_WEEK},
        {"m", CRM_UNIT_MONTH}, {"MONTH", CRM_UNIT_MONTH},  {"months", CRM_UNIT_MONTH},
        {"y", CRM_UNIT_YEAR},  {" year ", CRM_UNIT_YEAR},  {"years", CRM_UNIT_YEAR},
    };
    crm_error err;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        crm_time_unit u = (crm_time_unit)-1;
        assert_int_equal(crm_parse_time_unit(good[i].text, &u, &err), CRM_OK);
        assert_int_equal(u, good[i].unit);
    }
    crm_time_unit u;
    assert_int_equal(crm_parse_time_unit("q", &u, &err), CRM_EUSAGE);
    assert_string_equal(err.message,
                        "unknown time unit 'q'; use d (days), w (weeks), m (months) or y (years)");
    assert_int_equal(crm_parse_time_unit("", &u, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_time_unit("dd", &u, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_time_unit("12d", &u, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_time_unit(NULL, &u, &err), CRM_EUSAGE);
}

static void expect_duration(const char *s, double count, crm_time_unit unit)
{
    crm_duration d = {0, CRM_UNIT_DAY};
    crm_error err;
    crm_error_clear(&err);
    if (crm_parse_duration(s, &d, &err) != CRM_OK)
        fail_msg("'%s': %s", s, err.message);
    assert_true(d.count == count);
    assert_int_equal(d.unit, unit);
}

static void expect_duration_error(const char *s, const char *message)
{
    crm_duration d;
    crm_error err;
    crm_error_clear(&err);
    if (crm_parse_duration(s, &d, &err) != CRM_EUSAGE)
        fail_msg("duration '%s' accepted", s);
    assert_int_equal(err.status, CRM_EUSAGE);
    if (message)
        assert_string_equal(err.message, message);
}

static void test_parse_duration(void **state)
{
    (void)state;
    expect_duration("52w", 52, CRM_UNIT_WEEK);
    expect_duration("12m", 12, CRM_UNIT_MONTH);
    expect_duration("365d", 365, CRM_UNIT_DAY);
    expect_duration("1y", 1, CRM_UNIT_YEAR);
    expect_duration("1.5y", 1.5, CRM_UNIT_YEAR);
    expect_duration("12 months", 12, CRM_UNIT_MONTH);
    expect_duration("3 weeks", 3, CRM_UNIT_WEEK);
    expect_duration(" 2 W ", 2, CRM_UNIT_WEEK);
    expect_duration("+1d", 1, CRM_UNIT_DAY);
    expect_duration(".5y", 0.5, CRM_UNIT_YEAR);

    expect_duration_error("12", "duration '12' has no unit; write it as 12d, 12w, 12m or 12y");
    expect_duration_error(" 1.5 ", "duration ' 1.5 ' has no unit; write it as 1.5d, 1.5w, 1.5m or 1.5y");
    expect_duration_error("0w", "duration '0w' is not positive; give a length above zero, "
                                "e.g. 52w, 12m, 365d or 1y");
    expect_duration_error("-3w", "duration '-3w' is not positive; give a length above zero, "
                                 "e.g. 52w, 12m, 365d or 1y");
    expect_duration_error("w", "cannot read duration 'w'; write a number and a unit, "
                               "e.g. 52w, 12m, 365d or 1y");
    expect_duration_error("", "cannot read duration ''; write a number and a unit, "
                              "e.g. 52w, 12m, 365d or 1y");
    expect_duration_error("12 fortnights",
                          "cannot read the unit of duration '12 fortnights'; use d (days), "
                          "w (weeks), m (months) or y (years), e.g. 52w, 12m, 365d or 1y");
    expect_duration_error("1e2d", NULL);
    expect_duration_error("12m3", NULL);
    expect_duration_error("12mw", NULL);
    expect_duration_error("1,5y", NULL);
    expect_duration_error("nan d", NULL);
    expect_duration_error(NULL, NULL);
}

static void test_duration_in(void **state)
{
    (void)state;
    crm_duration d = {52, CRM_UNIT_WEEK};
    assert_true(crm_duration_in(d, CRM_UNIT_DAY) == 364.0);             /* 52 * 7 */
    /* python3 -c "print(repr(364/365.25))" -> 0.9965776865160849 */
    expect_close(crm_duration_in(d, CRM_UNIT_YEAR), 0.9965776865160849, 1e-15);
    d = (crm_duration){12, CRM_UNIT_MONTH};
    assert_true(crm_duration_in(d, CRM_UNIT_YEAR) == 1.0);              /* 12 * 30.4375 = 365.25 */
    d = (crm_duration){1, CRM_UNIT_YEAR};
    assert_true(crm_duration_in(d, CRM_UNIT_MONTH) == 12.0);
    d = (crm_duration){365, CRM_UNIT_DAY};
    /* python3 -c "print(repr(365/7))" -> 52.142857142857146 */
    expect_close(crm_duration_in(d, CRM_UNIT_WEEK), 52.142857142857146, 1e-12);
}

static void expect_rate(const char *s, crm_time_unit default_per, double value, crm_time_unit per)
{
    crm_rate r = {-1, CRM_UNIT_DAY};
    crm_error err;
    crm_error_clear(&err);
    if (crm_parse_rate(s, default_per, &r, &err) != CRM_OK)
        fail_msg("'%s': %s", s, err.message);
    if (r.value != value)
        fail_msg("'%s': got %.17g, want %.17g", s, r.value, value);
    assert_int_equal(r.per, per);
}

static void expect_rate_error(const char *s, const char *message)
{
    crm_rate r;
    crm_error err;
    crm_error_clear(&err);
    if (crm_parse_rate(s, CRM_UNIT_YEAR, &r, &err) != CRM_EUSAGE)
        fail_msg("rate '%s' accepted", s);
    if (message)
        assert_string_equal(err.message, message);
}

static void test_parse_rate(void **state)
{
    (void)state;
    /* 10 / 100 is the double nearest 0.1, as is the literal 0.1 */
    expect_rate("10%", CRM_UNIT_YEAR, 0.1, CRM_UNIT_YEAR);
    expect_rate("10%", CRM_UNIT_MONTH, 0.1, CRM_UNIT_MONTH);   /* default period */
    expect_rate("10%/y", CRM_UNIT_MONTH, 0.1, CRM_UNIT_YEAR);
    expect_rate("1%/m", CRM_UNIT_YEAR, 0.01, CRM_UNIT_MONTH);
    expect_rate("0.1", CRM_UNIT_YEAR, 0.1, CRM_UNIT_YEAR);
    expect_rate("0.1/m", CRM_UNIT_YEAR, 0.1, CRM_UNIT_MONTH);
    expect_rate("12%/year", CRM_UNIT_MONTH, 0.12, CRM_UNIT_YEAR);
    expect_rate(" 12 % / week ", CRM_UNIT_MONTH, 0.12, CRM_UNIT_WEEK);
    expect_rate("0%", CRM_UNIT_YEAR, 0, CRM_UNIT_YEAR);
    expect_rate("0.5%", CRM_UNIT_YEAR, 0.005, CRM_UNIT_YEAR);
    expect_rate("150%", CRM_UNIT_YEAR, 1.5, CRM_UNIT_YEAR);    /* above 100% with '%' is allowed */

    expect_rate_error("10", "rate '10' has no '%' and is not a fraction below 1; write a "
                            "percentage such as 10% (rates of 100% or more need the '%')");
    expect_rate_error("1", NULL);
    expect_rate_error("-5%", "rate '-5%' is negative; a rate must be 0 or more");
    expect_rate_error("-0.1/m", NULL);
    expect_rate_error("10%/q", "cannot read rate '10%/q'; write a percentage or a fraction, "
                               "optionally per period, e.g. 10%, 1%/m or 0.1/y");
    expect_rate_error("abc", NULL);
    expect_rate_error("", NULL);
    expect_rate_error("10%%", NULL);
    expect_rate_error("10%/", NULL);
    expect_rate_error("%", NULL);
    expect_rate_error(NULL, NULL);
}

static void test_rate_per(void **state)
{
    (void)state;
    crm_rate r = {0.10, CRM_UNIT_YEAR};
    /* (1.10)^(1/12) - 1 = 0.00797414 to 8 decimals:
     *   python3 -c "print(round((1.10)**(1/12)-1, 8))"               -> 0.00797414
     * to full precision, without the cancellation of the naive formula:
     *   python3 -c "from decimal import *; getcontext().prec=50;
     *               print((Decimal('1.1').ln()/12).exp()-1)"
     *   -> 0.0079741404289037410660318442232303331825051451440 */
    double monthly = crm_rate_per(r, CRM_UNIT_MONTH);
    expect_close(monthly, 0.00797414, 5e-9);
    expect_close(monthly, 0.0079741404289037410660, 2e-18);
    /* weekly: (Decimal('1.1').ln()*7/Decimal('365.25')).exp()-1
     *   -> 0.0018282846336430310621653014711049181365368947456 */
    expect_close(crm_rate_per(r, CRM_UNIT_WEEK), 0.0018282846336430310622, 1e-18);
    assert_true(crm_rate_per(r, CRM_UNIT_YEAR) == 0.10);
    r = (crm_rate){0.01, CRM_UNIT_MONTH};
    /* Decimal('1.01')**12-1 -> 0.126825030131969720661201 */
    expect_close(crm_rate_per(r, CRM_UNIT_YEAR), 0.126825030131969720661201, 1e-16);
    r = (crm_rate){0, CRM_UNIT_YEAR};
    assert_true(crm_rate_per(r, CRM_UNIT_DAY) == 0);
}

static void test_parse_fraction(void **state)
{
    (void)state;
    crm_error err;
    double v;
    assert_int_equal(crm_parse_fraction("30%", &v, &err), CRM_OK);
    assert_true(v == 0.3);   /* 30 / 100 rounds to the double nearest 0.3 */
    assert_int_equal(crm_parse_fraction("0.3", &v, &err), CRM_OK);
    assert_true(v == 0.3);
    assert_int_equal(crm_parse_fraction(" 45 % ", &v, &err), CRM_OK);
    assert_true(v == 0.45);
    assert_int_equal(crm_parse_fraction("0", &v, &err), CRM_OK);
    assert_true(v == 0);
    assert_int_equal(crm_parse_fraction("1", &v, &err), CRM_OK);
    assert_true(v == 1);
    assert_int_equal(crm_parse_fraction("100%", &v, &err), CRM_OK);
    assert_true(v == 1);
    assert_int_equal(crm_parse_fraction("0.5%", &v, &err), CRM_OK);
    assert_true(v == 0.005);

    assert_int_equal(crm_parse_fraction("30", &v, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "'30' is not a share between 0 and 1 (0% and 100%); write it "
                                     "as a percentage (30%) or a fraction (0.3)");
    assert_int_equal(crm_parse_fraction("1.5", &v, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_fraction("150%", &v, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_fraction("-0.1", &v, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_fraction("abc", &v, &err), CRM_EUSAGE);
    assert_string_equal(err.message,
                        "cannot read 'abc' as a share; write a percentage (30%) or a fraction (0.3)");
    assert_int_equal(crm_parse_fraction("", &v, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_fraction("30%/y", &v, &err), CRM_EUSAGE);
    assert_int_equal(crm_parse_fraction(NULL, &v, &err), CRM_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_days_and_names),
        cmocka_unit_test(test_parse_time_unit),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_duration_in),
        cmocka_unit_test(test_parse_rate),
        cmocka_unit_test(test_rate_per),
        cmocka_unit_test(test_parse_fraction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
