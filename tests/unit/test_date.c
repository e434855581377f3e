/* Unit tests of lib/date.c.
 *
 * Day numbers are days since 1970-01-01 and were checked with GNU date:
 *   echo $(( $(date -u -d 2011-12-09 +%s) / 86400 ))      -> 15317
 * Hand check of that one: 1970..2010 are 41 years with 10 leap years
 * (1972 .. 2008), 41*365 + 10 = 14975; 1 Jan to 9 Dec 2011 is
 * 31+28+31+30+31+30+31+31+30+31+30 + 8 = 342 days; 14975 + 342 = 15317. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crm/date.h"

enum {
    DAY_2011_12_09 = 15317,  /* date -u -d 2011-12-09 +%s / 86400, and by hand above */
    DAY_2010_12_01 = 14944,  /* date -u -d 2010-12-01 +%s / 86400 */
    DAY_1997_01_01 = 9862,   /* date -u -d 1997-01-01 +%s / 86400 */
    DAY_2011_01_05 = 14979   /* date -u -d 2011-01-05 +%s / 86400 */
};

static void expect_date(crm_date_style style, const char *s, int32_t days, int32_t seconds)
{
    crm_date_format fmt;
    crm_date_format_set(&fmt, style);
    crm_datetime dt = {0, 0};
    crm_status st = crm_date_parse(&fmt, s, strlen(s), &dt);
    if (st != CRM_OK)
        fail_msg("'%s' in style %s: not read", s, crm_date_style_name(style));
    if (dt.days != days || dt.seconds != seconds)
        fail_msg("'%s': got day %d second %d, want day %d second %d", s, (int)dt.days,
                 (int)dt.seconds, (int)days, (int)seconds);
}

static void expect_reject(crm_date_style style, const char *s)
{
    crm_date_format fmt;
    crm_date_format_set(&fmt, style);
    crm_datetime dt;
    if (crm_date_parse(&fmt, s, strlen(s), &dt) != CRM_EDATA)
        fail_msg("'%s' in style %s: read, but must be rejected", s, crm_date_style_name(style));
}

/* ---- the calendar ----------------------------------------------------- */

static void test_days_from_civil_known_days(void **state)
{
    (void)state;
    assert_int_equal(crm_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(crm_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(crm_days_from_civil(2011, 12, 9), DAY_2011_12_09);
    assert_int_equal(crm_days_from_civil(2010, 12, 1), DAY_2010_12_01);
    /* date -u -d 2000-02-29 +%s / 86400 = 11016; 2000-03-01 = 11017 */
    assert_int_equal(crm_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(crm_days_from_civil(2000, 3, 1), 11017);
    /* date -u -d 1900-03-01 +%s / 86400 = -25508 */
    assert_int_equal(crm_days_from_civil(1900, 3, 1), -25508);
    /* date -u -d 1600-03-01 ... = -135080; python3 date(1600,2,29)-date(1970,1,1) = -135081 */
    assert_int_equal(crm_days_from_civil(1600, 3, 1), -135080);
    assert_int_equal(crm_days_from_civil(1600, 2, 29), -135081);
    /* date -u -d 0001-01-01 ... = -719162; date -u -d 9999-12-31 ... = 2932896 */
    assert_int_equal(crm_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(crm_days_from_civil(9999, 12, 31), 2932896);
    /* Year 0 is a leap year (proleptic Gregorian): 0000-01-01 is 366 days
     * before 0001-01-01: -719162 - 366 = -719528. */
    assert_int_equal(crm_days_from_civil(0, 1, 1), -719528);
}

static void test_civil_from_days_known_days(void **state)
{
    (void)state;
    int y, m, d;
    crm_civil_from_days(DAY_2011_12_09, &y, &m, &d);
    assert_int_equal(y, 2011);
    assert_int_equal(m, 12);
    assert_int_equal(d, 9);
    crm_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    crm_civil_from_days(11016, &y, &m, &d);
    assert_int_equal(y, 2000);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    crm_civil_from_days(-719528, &y, &m, &d);
    assert_int_equal(y, 0);
    assert_int_equal(m, 1);
    assert_int_equal(d, 1);
}

/* Walks every day from 0000-01-01 to 9999-12-31 with a plain calendar
 * stepper (its own month-length table and leap rule) and checks both
 * conversions against it. */
static void test_calendar_every_day_of_ten_thousand_years(void **state)
{
    (void)state;
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 0, m = 1, d = 1;
    for (int32_t day = -719528; day <= 2932896; day++) {
        int cy, cm, cd;
        crm_civil_from_days(day, &cy, &cm, &cd);
        if (cy != y || cm != m || cd != d)
            fail_msg("day %d: got %d-%d-%d, want %d-%d-%d", (int)day, cy, cm, cd, y, m, d);
        if (crm_days_from_civil(y, m, d) != day)
            fail_msg("%d-%d-%d: got day %d, want %d", y, m, d, (int)crm_days_from_civil(y, m, d),
                     (int)day);
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int last = month_days[m - 1] + (m == 2 && leap);
        if (++d > last) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    assert_int_equal(y, 10000);
}

static void test_date_valid(void **state)
{
    (void)state;
    assert_true(crm_date_valid(2000, 2, 29));   /* divisible by 400: leap */
    assert_false(crm_date_valid(1900, 2, 29));  /* divisible by 100, not 400: not leap */
    assert_false(crm_date_valid(2011, 2, 29));  /* not divisible by 4 */
    assert_true(crm_date_valid(2012, 2, 29));   /* divisible by 4 */
    assert_true(crm_date_valid(2011, 2, 28));
    assert_false(crm_date_valid(2011, 4, 31));  /* April has 30 days */
    assert_true(crm_date_valid(2011, 12, 31));
    assert_false(crm_date_valid(2011, 12, 32));
    assert_false(crm_date_valid(2011, 0, 1));
    assert_false(crm_date_valid(2011, 13, 1));
    assert_false(crm_date_valid(2011, 1, 0));
}

/* ---- parsing each style ----------------------------------------------- */

static void test_parse_iso(void **state)
{
    (void)state;
    expect_date(CRM_DATE_ISO, "2011-12-09", DAY_2011_12_09, CRM_NO_TIME);
    /* 12:50:00 = 12*3600 + 50*60 = 46200 s */
    expect_date(CRM_DATE_ISO, "2011-12-09 12:50:00", DAY_2011_12_09, 46200);
    expect_date(CRM_DATE_ISO, "2011-12-09 12:50", DAY_2011_12_09, 46200);
    expect_date(CRM_DATE_ISO, "2011-12-09T12:50", DAY_2011_12_09, 46200);
    /* fraction dropped: 46200 + 7 = 46207 */
    expect_date(CRM_DATE_ISO, "2011-12-09T12:50:07.999Z", DAY_2011_12_09, 46207);
    expect_date(CRM_DATE_ISO, "2011-12-09 12:50:07Z", DAY_2011_12_09, 46207);
    expect_date(CRM_DATE_ISO, "  2011-12-09\t\r\n", DAY_2011_12_09, CRM_NO_TIME);
    expect_date(CRM_DATE_ISO, "2011-1-5", DAY_2011_01_05, CRM_NO_TIME);
    /* 23:59:59 = 86399 s; midnight = 0 */
    expect_date(CRM_DATE_ISO, "2011-12-09 23:59:59", DAY_2011_12_09, 86399);
    expect_date(CRM_DATE_ISO, "2011-12-09 00:00:00", DAY_2011_12_09, 0);
    expect_date(CRM_DATE_ISO, "2000-02-29", 11016, CRM_NO_TIME);

    expect_reject(CRM_DATE_ISO, "");
    expect_reject(CRM_DATE_ISO, "   ");
    expect_reject(CRM_DATE_ISO, "2011-13-01");
    expect_reject(CRM_DATE_ISO, "2011-00-01");
    expect_reject(CRM_DATE_ISO, "2011-12-00");
    expect_reject(CRM_DATE_ISO, "2011-12-32");
    expect_reject(CRM_DATE_ISO, "2011-02-29");
    expect_reject(CRM_DATE_ISO, "1900-02-29");
    expect_reject(CRM_DATE_ISO, "2011-12-09x");
    expect_reject(CRM_DATE_ISO, "2011-12-09 24:00");
    expect_reject(CRM_DATE_ISO, "2011-12-09 12:60");
    expect_reject(CRM_DATE_ISO, "2011-12-09 12:59:60");
    expect_reject(CRM_DATE_ISO, "2011-12-09 12");
    expect_reject(CRM_DATE_ISO, "2011-12-09 12:5");
    expect_reject(CRM_DATE_ISO, "2011-12-09 12:50:");
    expect_reject(CRM_DATE_ISO, "2011-12-09 12:50:00.");
    expect_reject(CRM_DATE_ISO, "2011-12-09T");
    expect_reject(CRM_DATE_ISO, "2011-12-09Z");
    expect_reject(CRM_DATE_ISO, "2011-12-09 12:50:00+01:00");  /* offsets: no time zones */
    expect_reject(CRM_DATE_ISO, "2011-12-09 12:50 PM");       /* no AM/PM in ISO */
    expect_reject(CRM_DATE_ISO, "11-12-09");
    expect_reject(CRM_DATE_ISO, "12011-12-09");
    expect_reject(CRM_DATE_ISO, "2011-123-09");
    expect_reject(CRM_DATE_ISO, "2011/12/09");
    expect_reject(CRM_DATE_ISO, "2011-12-09 2011-12-09");
}

/* "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" are read by a shortcut: every
 * check of the general way must hold on it too. */
static void test_parse_iso_common_shapes(void **state)
{
    (void)state;
    /* 12:50:07 = 12*3600 + 50*60 + 7 = 46207 s */
    expect_date(CRM_DATE_ISO, "2011-12-09T12:50:07", DAY_2011_12_09, 46207);
    expect_date(CRM_DATE_ISO, "2010-12-01 00:00:00", DAY_2010_12_01, 0);
    expect_date(CRM_DATE_ISO, "1997-01-01", DAY_1997_01_01, CRM_NO_TIME);
    expect_reject(CRM_DATE_ISO, "2011-02-29 12:00:00");   /* the day is still checked */
    expect_reject(CRM_DATE_ISO, "2011-13-09 12:00:00");
    expect_reject(CRM_DATE_ISO, "2011-12-09 24:00:00");
    expect_reject(CRM_DATE_ISO, "2011-12-09 23:60:00");
    expect_reject(CRM_DATE_ISO, "2011-12-09 23:59:60");
    expect_reject(CRM_DATE_ISO, "2011-12-09 23:59:5x");
    expect_reject(CRM_DATE_ISO, "2011-12-09x23:59:59");
    expect_reject(CRM_DATE_ISO, "2011-12-09 23-59-59");
    expect_reject(CRM_DATE_ISO, "+011-12-09");
    expect_reject(CRM_DATE_ISO, "2011-12-+9");
    expect_reject(CRM_DATE_ISO, "2011/12/09");
}

/* The memo answers with what crm_date_parse answers, whatever the order. */
static void test_parse_memo(void **state)
{
    (void)state;
    static const char *const texts[] = {"2011-12-09 12:50:00", "2011-12-09 12:50:00", "2011-12-09",
                                        "2011-13-45", "2011-12-09", "", "2011-12-09 12:50:00",
                                        "2010-12-01", " 2010-12-01 ", "2010-12-01"};
    crm_date_format fmt;
    crm_date_format_set(&fmt, CRM_DATE_ISO);
    crm_date_memo memo;
    crm_date_memo_init(&memo);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        crm_datetime want = {0, 0}, got = {0, 0};
        crm_status want_st = crm_date_parse(&fmt, texts[i], strlen(texts[i]), &want);
        crm_status got_st = crm_date_parse_memo(&fmt, &memo, texts[i], strlen(texts[i]), &got);
        assert_int_equal(got_st, want_st);
        if (want_st == CRM_OK) {
            assert_int_equal(got.days, want.days);
            assert_int_equal(got.seconds, want.seconds);
        }
    }
    /* 12:50:00 = 46200 s, told apart from the date alone read just before */
    crm_datetime dt;
    assert_int_equal(crm_date_parse_memo(&fmt, &memo, "2011-12-09 12:50:00", 19, &dt), CRM_OK);
    assert_int_equal(dt.days, DAY_2011_12_09);
    assert_int_equal(dt.seconds, 46200);
    assert_int_equal(crm_date_parse_memo(&fmt, &memo, "2011-12-09 12:50:00", 10, &dt), CRM_OK);
    assert_int_equal(dt.seconds, CRM_NO_TIME);
}

static void test_parse_iso_embedded_nul_is_rejected(void **state)
{
    (void)state;
    crm_date_format fmt;
    crm_date_format_set(&fmt, CRM_DATE_ISO);
    crm_datetime dt;
    assert_int_equal(crm_date_parse(&fmt, "2011-12-09\0", 11, &dt), CRM_EDATA);
    /* the length given is what counts, not a NUL: "2011-12-09" of "2011-12-091" */
    assert_int_equal(crm_date_parse(&fmt, "2011-12-091", 10, &dt), CRM_OK);
    assert_int_equal(dt.days, DAY_2011_12_09);
}

static void test_parse_compact(void **state)
{
    (void)state;
    expect_date(CRM_DATE_COMPACT, "19970101", DAY_1997_01_01, CRM_NO_TIME);
    expect_date(CRM_DATE_COMPACT, " 20111209 ", DAY_2011_12_09, CRM_NO_TIME);
    expect_reject(CRM_DATE_COMPACT, "1997011");
    expect_reject(CRM_DATE_COMPACT, "199701011");
    expect_reject(CRM_DATE_COMPACT, "19970230");
    expect_reject(CRM_DATE_COMPACT, "19971301");
    expect_reject(CRM_DATE_COMPACT, "19970101 12:00");
    expect_reject(CRM_DATE_COMPACT, "1997-01-01");
    expect_reject(CRM_DATE_COMPACT, "+19970101");
}

static void test_parse_ymd_slash(void **state)
{
    (void)state;
    expect_date(CRM_DATE_YMD_SLASH, "2011/12/9", DAY_2011_12_09, CRM_NO_TIME);
    expect_date(CRM_DATE_YMD_SLASH, "2011/12/09", DAY_2011_12_09, CRM_NO_TIME);
    /* 8:26 = 8*3600 + 26*60 = 30360; 8:26 PM = 20:26 = 73560 */
    expect_date(CRM_DATE_YMD_SLASH, "2011/12/09 8:26", DAY_2011_12_09, 30360);
    expect_date(CRM_DATE_YMD_SLASH, "2011/12/09 8:26 PM", DAY_2011_12_09, 73560);
    expect_reject(CRM_DATE_YMD_SLASH, "2011/2/29");
    expect_reject(CRM_DATE_YMD_SLASH, "2011-12-09");
    expect_reject(CRM_DATE_YMD_SLASH, "2011/12/9T08:26");
    expect_reject(CRM_DATE_YMD_SLASH, "9/12/2011");
}

static void test_parse_mdy(void **state)
{
    (void)state;
    expect_date(CRM_DATE_MDY, "12/9/2011", DAY_2011_12_09, CRM_NO_TIME);
    expect_date(CRM_DATE_MDY, "12-09-2011", DAY_2011_12_09, CRM_NO_TIME);
    expect_date(CRM_DATE_MDY, "1/5/2011", DAY_2011_01_05, CRM_NO_TIME);
    /* the Kaggle Online Retail form "12/1/2010 8:26": 8*3600 + 26*60 = 30360 */
    expect_date(CRM_DATE_MDY, "12/1/2010 8:26", DAY_2010_12_01, 30360);
    expect_date(CRM_DATE_MDY, "12/1/2010 08:26:30", DAY_2010_12_01, 30390);
    /* 12:05 AM is 00:05 = 300 s; 12:05 PM is 12:05 = 43500 s; 1:00 am = 3600 */
    expect_date(CRM_DATE_MDY, "12/1/2010 12:05 AM", DAY_2010_12_01, 300);
    expect_date(CRM_DATE_MDY, "12/1/2010 12:05 PM", DAY_2010_12_01, 43500);
    expect_date(CRM_DATE_MDY, "12/1/2010 1:00am", DAY_2010_12_01, 3600);
    expect_reject(CRM_DATE_MDY, "12/1/2010 13:05 PM");
    expect_reject(CRM_DATE_MDY, "12/1/2010 0:05 AM");
    expect_reject(CRM_DATE_MDY, "12/1/2010 8:26 XM");
    expect_reject(CRM_DATE_MDY, "13/1/2010");
    expect_reject(CRM_DATE_MDY, "2/30/2010");
    expect_reject(CRM_DATE_MDY, "12/9/11");          /* two-digit years are not read */
    expect_reject(CRM_DATE_MDY, "12/9-2011");        /* separators must agree */
    expect_reject(CRM_DATE_MDY, "12.9.2011");        /* dots are day-first only */
    expect_reject(CRM_DATE_MDY, "123/9/2011");
    expect_reject(CRM_DATE_MDY, "12/9/2011 8");
}

static void test_parse_dmy(void **state)
{
    (void)state;
    expect_date(CRM_DATE_DMY, "9/12/2011", DAY_2011_12_09, CRM_NO_TIME);
    expect_date(CRM_DATE_DMY, "9.12.2011", DAY_2011_12_09, CRM_NO_TIME);
    expect_date(CRM_DATE_DMY, "09-12-2011", DAY_2011_12_09, CRM_NO_TIME);
    expect_date(CRM_DATE_DMY, "9.12.2011 12:50", DAY_2011_12_09, 46200);
    expect_date(CRM_DATE_DMY, "29.2.2000", 11016, CRM_NO_TIME);
    expect_reject(CRM_DATE_DMY, "29.2.2011");
    expect_reject(CRM_DATE_DMY, "29.2.1900");
    expect_reject(CRM_DATE_DMY, "9/13/2011");
    expect_reject(CRM_DATE_DMY, "9.12/2011");
    expect_reject(CRM_DATE_DMY, "9.12.11");
}

static void test_parse_cjk(void **state)
{
    (void)state;
    /* 2011年12月9日 */
    expect_date(CRM_DATE_CJK, "2011\xe5\xb9\xb4" "12\xe6\x9c\x88" "9\xe6\x97\xa5", DAY_2011_12_09,
                CRM_NO_TIME);
    expect_date(CRM_DATE_CJK, "2011\xe5\xb9\xb4" "12\xe6\x9c\x88" "09\xe6\x97\xa5 12:50",
                DAY_2011_12_09, 46200);
    /* 2011年2月30日 does not exist */
    expect_reject(CRM_DATE_CJK, "2011\xe5\xb9\xb4" "2\xe6\x9c\x88" "30\xe6\x97\xa5");
    /* 2011年12月9 (no 日) */
    expect_reject(CRM_DATE_CJK, "2011\xe5\xb9\xb4" "12\xe6\x9c\x88" "9");
    /* 2011年12月9日 12:50 PM: no AM/PM here */
    expect_reject(CRM_DATE_CJK, "2011\xe5\xb9\xb4" "12\xe6\x9c\x88" "9\xe6\x97\xa5 12:50 PM");
    expect_reject(CRM_DATE_CJK, "2011-12-09");
}

static void test_parse_auto_is_not_a_style(void **state)
{
    (void)state;
    expect_reject(CRM_DATE_AUTO, "2011-12-09");
}

static void test_parse_strptime(void **state)
{
    (void)state;
    crm_date_format fmt;
    crm_error err;
    crm_datetime dt;
    const char *s;
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%d.%m.%Y", &err), CRM_OK);
    assert_int_equal(fmt.style, CRM_DATE_STRPTIME);
    s = " 09.12.2011 ";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_OK);
    assert_int_equal(dt.days, DAY_2011_12_09);
    assert_int_equal(dt.seconds, CRM_NO_TIME);
    /* strptime itself takes 31.02 (%d is 1..31): we must refuse it */
    s = "31.02.2011";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_EDATA);
    s = "09.12.2011x";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_EDATA);
    s = "09.13.2011";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_EDATA);

    /* Apache log style, with a time: 12:50:00 = 46200 s */
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%d/%b/%Y:%H:%M:%S", &err), CRM_OK);
    s = "09/Dec/2011:12:50:00";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_OK);
    assert_int_equal(dt.days, DAY_2011_12_09);
    assert_int_equal(dt.seconds, 46200);
    s = "09/Dec/2011:12:50:60";   /* strptime allows a leap second; we do not */
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_EDATA);

    /* two-digit years as glibc maps them: 11 -> 2011 */
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%d.%m.%y", &err), CRM_OK);
    s = "09.12.11";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_OK);
    assert_int_equal(dt.days, DAY_2011_12_09);

    /* %F is %Y-%m-%d */
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%F", &err), CRM_OK);
    s = "2000-02-29";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_OK);
    assert_int_equal(dt.days, 11016);
    s = "1900-02-29";
    assert_int_equal(crm_date_parse(&fmt, s, strlen(s), &dt), CRM_EDATA);
}

static void test_set_pattern_errors(void **state)
{
    (void)state;
    crm_date_format fmt;
    crm_error err;
    assert_int_equal(crm_date_format_set_pattern(&fmt, "", &err), CRM_EUSAGE);
    assert_string_equal(err.message,
                        "the date format is empty; give a strptime format such as %d.%m.%Y");
    assert_int_equal(crm_date_format_set_pattern(&fmt, NULL, &err), CRM_EUSAGE);
    char longer[80];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "%Y%m%d", 6);
    assert_int_equal(crm_date_format_set_pattern(&fmt, longer, &err), CRM_EUSAGE);
    assert_non_null(strstr(err.message, "is longer than 63 bytes"));
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%Y-%m", &err), CRM_EUSAGE);
    assert_string_equal(err.message, "date format '%Y-%m' does not give a year, a month and a day "
                                     "(e.g. %d.%m.%Y)");
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%s", &err), CRM_EUSAGE);
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%Y-%m-%d %H:%M %z", &err), CRM_EUSAGE);
    assert_non_null(strstr(err.message, "time zone"));
    assert_int_equal(crm_date_format_set_pattern(&fmt, "%Y-%m-%d %", &err), CRM_EUSAGE);
    assert_string_equal(err.message, "date format '%Y-%m-%d %' ends in a lone '%'");
}

/* ---- writing ---------------------------------------------------------- */

static void test_format(void **state)
{
    (void)state;
    char buf[CRM_DATE_ISO_MAX];
    crm_datetime dt = {DAY_2011_12_09, CRM_NO_TIME};
    assert_int_equal(crm_datetime_format(dt, buf), 10);
    assert_string_equal(buf, "2011-12-09");
    dt.seconds = 46207;  /* 12*3600 + 50*60 + 7 */
    assert_int_equal(crm_datetime_format(dt, buf), 19);
    assert_string_equal(buf, "2011-12-09 12:50:07");
    dt.seconds = 0;
    crm_datetime_format(dt, buf);
    assert_string_equal(buf, "2011-12-09 00:00:00");
    dt = (crm_datetime){-1, CRM_NO_TIME};
    crm_datetime_format(dt, buf);
    assert_string_equal(buf, "1969-12-31");
    dt = (crm_datetime){-719528, CRM_NO_TIME};   /* 0000-01-01, see above */
    crm_datetime_format(dt, buf);
    assert_string_equal(buf, "0000-01-01");
    dt = (crm_datetime){2932896, 86399};         /* 9999-12-31 23:59:59 */
    assert_int_equal(crm_datetime_format(dt, buf), 19);
    assert_string_equal(buf, "9999-12-31 23:59:59");
    /* beyond 9999 the text is not ISO, but stays within the buffer */
    dt = (crm_datetime){2932897 + 365 * 90000, 3600};
    assert_true(crm_datetime_format(dt, buf) < CRM_DATE_ISO_MAX);
}

static void test_format_then_parse_round_trip(void **state)
{
    (void)state;
    crm_date_format iso;
    crm_date_format_set(&iso, CRM_DATE_ISO);
    char buf[CRM_DATE_ISO_MAX];
    for (int32_t day = -719528; day <= 2932896; day += 97) {
        crm_datetime dt = {day, (day & 1) ? CRM_NO_TIME : (int32_t)((day * 7919u) % 86400u)};
        size_t n = crm_datetime_format(dt, buf);
        crm_datetime back;
        assert_int_equal(crm_date_parse(&iso, buf, n, &back), CRM_OK);
        assert_int_equal(back.days, dt.days);
        assert_int_equal(back.seconds, dt.seconds);
    }
}

static void test_cmp(void **state)
{
    (void)state;
    crm_datetime a = {100, CRM_NO_TIME}, b = {100, 0}, c = {100, 1}, d = {101, CRM_NO_TIME};
    assert_int_equal(crm_datetime_cmp(a, b), 0);   /* missing time sorts as midnight */
    assert_int_equal(crm_datetime_cmp(a, c), -1);
    assert_int_equal(crm_datetime_cmp(c, a), 1);
    assert_int_equal(crm_datetime_cmp(c, d), -1);
    assert_int_equal(crm_datetime_cmp(d, c), 1);
    assert_int_equal(crm_datetime_cmp(d, d), 0);
}

static void test_style_names(void **state)
{
    (void)state;
    assert_string_equal(crm_date_style_name(CRM_DATE_ISO), "ISO 8601 (YYYY-MM-DD)");
    assert_string_equal(crm_date_style_name(CRM_DATE_COMPACT), "YYYYMMDD");
    assert_string_equal(crm_date_style_name(CRM_DATE_YMD_SLASH), "YYYY/M/D");
    assert_string_equal(crm_date_style_name(CRM_DATE_MDY), "M/D/YYYY");
    assert_string_equal(crm_date_style_name(CRM_DATE_DMY), "D/M/YYYY");
    assert_string_equal(crm_date_style_name(CRM_DATE_CJK),
                        "YYYY\xe5\xb9\xb4M\xe6\x9c\x88" "D\xe6\x97\xa5");
    assert_string_equal(crm_date_style_name(CRM_DATE_STRPTIME), "strptime format");
}

/* ---- detection -------------------------------------------------------- */

static void feed(crm_date_detector *d, const char *s)
{
    crm_date_detector_add(d, s, strlen(s));
}

static crm_date_style detect_ok(crm_date_detector *d)
{
    crm_date_format fmt;
    crm_error err;
    crm_error_clear(&err);
    crm_status st = crm_date_detector_result(d, &fmt, &err);
    if (st != CRM_OK)
        fail_msg("detection failed: %s", err.message);
    return fmt.style;
}

static void test_detect_iso(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_detector_init(&d, 0);
    assert_false(crm_date_detector_decided(&d));
    feed(&d, "2010-12-01 08:26:00");
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_ISO);
    assert_int_equal(d.values_seen, 1);
}

static void test_detect_month_first_when_a_day_above_12_comes_later(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_detector_init(&d, 0);
    feed(&d, "12/1/2010 8:26");
    feed(&d, "");                     /* empty values are skipped */
    feed(&d, "12/5/2010 9:00");
    assert_false(crm_date_detector_decided(&d));
    feed(&d, "12/13/2010 10:00");     /* 13 cannot be a month */
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_MDY);
    assert_int_equal(d.values_seen, 3);
    assert_int_equal(d.values_unreadable, 0);
}

static void test_detect_day_first(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_detector_init(&d, 0);
    feed(&d, "1/12/2010");
    assert_false(crm_date_detector_decided(&d));
    feed(&d, "13/12/2010");
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_DMY);

    crm_date_detector_init(&d, 0);
    feed(&d, "1.12.2010");            /* dots are day-first only */
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_DMY);

    crm_date_detector_init(&d, 0);
    feed(&d, "01-02-2011");           /* dashes are read both ways */
    assert_false(crm_date_detector_decided(&d));
    feed(&d, "13-02-2011");
    assert_int_equal(detect_ok(&d), CRM_DATE_DMY);
}

static void test_detect_ambiguous_message(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_format fmt;
    crm_error err;
    crm_date_detector_init(&d, 0);
    feed(&d, "n/a");
    feed(&d, "1/2/2011");
    feed(&d, "3/4/2011");
    feed(&d, "12/12/2011");
    assert_false(crm_date_detector_decided(&d));
    assert_int_equal(crm_date_detector_result(&d, &fmt, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "dates such as '1/2/2011' read both as month/day/year and as "
                        "day/month/year (no day above 12 was seen); say --dayfirst or "
                        "--monthfirst, or give --date-format");
}

static void test_detect_preference(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_detector_init(&d, CRM_DATE_DMY);
    feed(&d, "1/2/2011");
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_DMY);

    crm_date_detector_init(&d, CRM_DATE_MDY);
    feed(&d, "1/2/2011");
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_MDY);

    /* The flag is a statement about the data: under --dayfirst a value
     * with month 25 is unreadable, not a reason to switch to MDY. */
    crm_date_detector_init(&d, CRM_DATE_DMY);
    feed(&d, "12/25/2011");
    assert_false(crm_date_detector_decided(&d));
    assert_int_equal(d.values_unreadable, 1);
    feed(&d, "13/12/2011");
    assert_int_equal(detect_ok(&d), CRM_DATE_DMY);

    /* an ISO column is ISO whatever the slash preference */
    crm_date_detector_init(&d, CRM_DATE_MDY);
    feed(&d, "2011-12-09");
    assert_int_equal(detect_ok(&d), CRM_DATE_ISO);
}

static void test_detect_cjk_compact_ymd(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_detector_init(&d, 0);
    feed(&d, "2011\xe5\xb9\xb4" "12\xe6\x9c\x88" "9\xe6\x97\xa5");  /* 2011年12月9日 */
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_CJK);

    crm_date_detector_init(&d, 0);
    feed(&d, " 19970101");
    assert_int_equal(detect_ok(&d), CRM_DATE_COMPACT);

    crm_date_detector_init(&d, 0);
    feed(&d, "2011/12/9 8:26");
    assert_int_equal(detect_ok(&d), CRM_DATE_YMD_SLASH);
}

static void test_detect_mixed_garbage(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_detector_init(&d, 0);
    feed(&d, "N/A");
    assert_false(crm_date_detector_decided(&d));
    feed(&d, "2011-12-09");
    feed(&d, "unknown");
    feed(&d, "2011-02-30");   /* ISO-shaped but not a date: unreadable too */
    feed(&d, "2011-12-10");
    assert_true(crm_date_detector_decided(&d));
    assert_int_equal(detect_ok(&d), CRM_DATE_ISO);
    assert_int_equal(d.values_seen, 5);
    assert_int_equal(d.values_unreadable, 3);
    assert_string_equal(d.first_value, "2011-12-09");
    assert_string_equal(d.last_unreadable, "2011-02-30");
}

static void test_detect_nothing_fits_message(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_format fmt;
    crm_error err;
    crm_date_detector_init(&d, 0);
    feed(&d, "abc");
    feed(&d, "2011-13-45");
    assert_false(crm_date_detector_decided(&d));
    assert_int_equal(crm_date_detector_result(&d, &fmt, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "cannot read '2011-13-45' as a date in any known format; give "
                        "--date-format (strptime style, e.g. %d.%m.%Y)");
    /* control bytes are quoted, long values cut */
    crm_date_detector_init(&d, 0);
    feed(&d, "x\x01y");
    assert_int_equal(crm_date_detector_result(&d, &fmt, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "'x\\x01y'"));
}

static void test_detect_no_values_gives_iso(void **state)
{
    (void)state;
    crm_date_detector d;
    crm_date_detector_init(&d, 0);
    feed(&d, "");
    feed(&d, "   ");
    assert_false(crm_date_detector_decided(&d));
    assert_int_equal(d.values_seen, 0);
    assert_int_equal(detect_ok(&d), CRM_DATE_ISO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil_known_days),
        cmocka_unit_test(test_civil_from_days_known_days),
        cmocka_unit_test(test_calendar_every_day_of_ten_thousand_years),
        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_parse_iso),
        cmocka_unit_test(test_parse_iso_common_shapes),
        cmocka_unit_test(test_parse_memo),
        cmocka_unit_test(test_parse_iso_embedded_nul_is_rejected),
        cmocka_unit_test(test_parse_compact),
        cmocka_unit_test(test_parse_ymd_slash),
        cmocka_unit_test(test_parse_mdy),
        cmocka_unit_test(test_parse_dmy),
        cmocka_unit_test(test_parse_cjk),
        cmocka_unit_test(test_parse_auto_is_not_a_style),
        cmocka_unit_test(test_parse_strptime),
        cmocka_unit_test(test_set_pattern_errors),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_then_parse_round_trip),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_style_names),
        cmocka_unit_test(test_detect_iso),
        cmocka_unit_test(test_detect_month_first_when_a_day_above_12_comes_later),
        cmocka_unit_test(test_detect_day_first),
        cmocka_unit_test(test_detect_ambiguous_message),
        cmocka_unit_test(test_detect_preference),
        cmocka_unit_test(test_detect_cjk_compact_ymd),
        cmocka_unit_test(test_detect_mixed_garbage),
        cmocka_unit_test(test_detect_nothing_fits_message),
        cmocka_unit_test(test_detect_no_values_gives_iso),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
