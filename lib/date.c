#include "crm/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- the civil calendar ------------------------------------------------
 *
 * Proleptic Gregorian arithmetic on a year that starts on 1 March, so that
 * the leap day is the last day of its year and the month lengths from March
 * on follow a fixed pattern (31 30 31 30 31 31 30 31 30 31 31 28/29): the
 * day of the year of the first of month m' (March = 0) is (153 m' + 2) / 5.
 * 400 Gregorian years are exactly 146097 days, so a date splits into a
 * 400-year era and a year within it (0..399) without any loop or table. */

enum {
    DAYS_PER_ERA = 146097,          /* 400 * 365 + 97 leap days */
    EPOCH_SHIFT = 719468            /* days from 0000-03-01 to 1970-01-01 */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int32_t crm_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);       /* Jan and Feb belong to the year before */
    int64_t era = floor_div(y, 400);
    int64_t year_of_era = y - era * 400;            /* 0..399 */
    int64_t month_from_march = (month + 9) % 12;    /* March 0 .. February 11 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int32_t)(era * DAYS_PER_ERA + day_of_era - EPOCH_SHIFT);
}

void crm_civil_from_days(int32_t days, int *year, int *month, int *day)
{
    int64_t z = (int64_t)days + EPOCH_SHIFT;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t day_of_era = z - era * DAYS_PER_ERA;    /* 0..146096 */
    /* Years of the era: remove the leap days (every 1460 days, except the
     * 100-year marks at 36524, restored at the 400-year mark 146096). */
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                           - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    int d = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    int m = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *year = (int)(year_of_era + era * 400 + (m <= 2));
    *month = m;
    *day = d;
}

static int is_leap_year(int year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int crm_date_valid(int year, int month, int day)
{
    static const unsigned char month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1)
        return 0;
    int last = month_days[month - 1] + (month == 2 && is_leap_year(year));
    return day <= last;
}

/* ---- formats ---------------------------------------------------------- */

void crm_date_format_set(crm_date_format *fmt, crm_date_style style)
{
    fmt->style = style;
    fmt->pattern[0] = '\0';
}

const char *crm_date_style_name(crm_date_style style)
{
    switch (style) {
    case CRM_DATE_AUTO:
        return "automatic detection";
    case CRM_DATE_ISO:
        return "ISO 8601 (YYYY-MM-DD)";
    case CRM_DATE_COMPACT:
        return "YYYYMMDD";
    case CRM_DATE_YMD_SLASH:
        return "YYYY/M/D";
    case CRM_DATE_MDY:
        return "M/D/YYYY";
    case CRM_DATE_DMY:
        return "D/M/YYYY";
    case CRM_DATE_CJK:
        return "YYYY\xe5\xb9\xb4M\xe6\x9c\x88" "D\xe6\x97\xa5";
    case CRM_DATE_STRPTIME:
        return "strptime format";
    }
    return "unknown date format";
}

/* What a strptime pattern gives.  glibc's strptime leaves the fields a
 * pattern does not mention untouched, so we must know from the pattern
 * itself whether the year, month, day and time of day were read. */
typedef struct {
    int year, month, day, time, zone;
} pattern_fields;

static int pattern_scan(const char *pattern, pattern_fields *f)
{
    memset(f, 0, sizeof *f);
    for (const char *p = pattern; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        while (*p && strchr("-_0^#", *p))           /* glibc flags */
            p++;
        while (*p >= '0' && *p <= '9')              /* field width */
            p++;
        if (*p == 'E' || *p == 'O')                 /* alternative forms */
            p++;
        switch (*p) {
        case '\0':
            return 0;                               /* a dangling '%' */
        case 'Y': case 'y':
            f->year = 1;
            break;
        case 'm': case 'b': case 'B': case 'h':
            f->month = 1;
            break;
        case 'd': case 'e':
            f->day = 1;
            break;
        case 'j':                                   /* day of the year: glibc derives both */
            f->month = f->day = 1;
            break;
        case 'F': case 'D': case 'x':               /* %Y-%m-%d, %m/%d/%y, %m/%d/%y */
            f->year = f->month = f->day = 1;
            break;
        case 'c':                                   /* %a %b %e %H:%M:%S %Y */
            f->year = f->month = f->day = f->time = 1;
            break;
        case 'H': case 'I': case 'M': case 'S': case 'T': case 'R': case 'r': case 'X':
            f->time = 1;
            break;
        case 's': case 'z': case 'Z':
            f->zone = 1;
            break;
        default:
            break;
        }
    }
    return 1;
}

crm_status crm_date_format_set_pattern(crm_date_format *fmt, const char *pattern, crm_error *err)
{
    char quoted[96];
    size_t len = pattern ? strlen(pattern) : 0;
    if (len == 0)
        return crm_error_set(err, CRM_EUSAGE,
                             "the date format is empty; give a strptime format such as %%d.%%m.%%Y");
    crm_error_quote(quoted, sizeof quoted, pattern, len);
    if (len >= sizeof fmt->pattern)
        return crm_error_set(err, CRM_EUSAGE, "date format '%s' is longer than %zu bytes",
                             quoted, sizeof fmt->pattern - 1);
    pattern_fields f;
    if (!pattern_scan(pattern, &f))
        return crm_error_set(err, CRM_EUSAGE, "date format '%s' ends in a lone '%%'", quoted);
    if (f.zone)
        return crm_error_set(err, CRM_EUSAGE,
                             "date format '%s' reads a time zone (%%s, %%z or %%Z), "
                             "which is not supported: dates are read as local calendar dates",
                             quoted);
    if (!f.year || !f.month || !f.day)
        return crm_error_set(err, CRM_EUSAGE,
                             "date format '%s' does not give a year, a month and a day "
                             "(e.g. %%d.%%m.%%Y)", quoted);
    fmt->style = CRM_DATE_STRPTIME;
    memcpy(fmt->pattern, pattern, len + 1);
    return CRM_OK;
}

/* ---- parsing ---------------------------------------------------------- */

typedef struct {
    const unsigned char *p;
    const unsigned char *end;
} scanner;

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *len)
{
    const char *b = *s, *e = *s + *len;
    while (b < e && is_space((unsigned char)*b))
        b++;
    while (e > b && is_space((unsigned char)e[-1]))
        e--;
    *s = b;
    *len = (size_t)(e - b);
}

/* Reads min_digits..max_digits decimal digits into *value. */
static int scan_digits(scanner *sc, int min_digits, int max_digits, int *value)
{
    int v = 0, n = 0;
    while (n < max_digits && sc->p < sc->end && (unsigned)(*sc->p - '0') < 10u) {
        v = v * 10 + (*sc->p - '0');
        sc->p++;
        n++;
    }
    *value = v;
    return n >= min_digits;
}

static int scan_char(scanner *sc, char c)
{
    if (sc->p < sc->end && *sc->p == (unsigned char)c) {
        sc->p++;
        return 1;
    }
    return 0;
}

static int scan_literal(scanner *sc, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(sc->end - sc->p) >= n && memcmp(sc->p, lit, n) == 0) {
        sc->p += n;
        return 1;
    }
    return 0;
}

static int scan_blanks(scanner *sc)
{
    int n = 0;
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t')) {
        sc->p++;
        n++;
    }
    return n;
}

/* " AM" / " PM" (any case) after a time: 0 none, 1 AM, 2 PM. */
static int scan_meridiem(scanner *sc)
{
    scanner save = *sc;
    scan_blanks(sc);
    if (sc->end - sc->p >= 2 && (sc->p[1] == 'M' || sc->p[1] == 'm')) {
        unsigned char c = sc->p[0];
        if (c == 'A' || c == 'a' || c == 'P' || c == 'p') {
            sc->p += 2;
            return (c == 'A' || c == 'a') ? 1 : 2;
        }
    }
    *sc = save;
    return 0;
}

enum {
    TIME_ISO = 1,      /* 'T' may separate, 'Z' may follow */
    TIME_MERIDIEM = 2  /* AM / PM may follow */
};

/* The optional time of day after a date: [sep] H:MM[:SS[.frac]].  Leaves
 * *seconds at CRM_NO_TIME when the text ends right after the date. */
static int scan_time(scanner *sc, int flags, int32_t *seconds)
{
    *seconds = CRM_NO_TIME;
    if (sc->p == sc->end)
        return 1;
    if (!((flags & TIME_ISO) && scan_char(sc, 'T')) && scan_blanks(sc) == 0)
        return 0;
    int hour, minute, second = 0;
    if (!scan_digits(sc, 1, 2, &hour) || !scan_char(sc, ':') || !scan_digits(sc, 2, 2, &minute))
        return 0;
    if (scan_char(sc, ':')) {
        int fraction;
        if (!scan_digits(sc, 2, 2, &second))
            return 0;
        if (scan_char(sc, '.')) {
            if (!scan_digits(sc, 1, 1, &fraction))
                return 0;
            while (scan_digits(sc, 1, 1, &fraction))  /* dropped: we keep whole seconds */
                ;
        }
    }
    if (flags & TIME_ISO)
        scan_char(sc, 'Z');
    int meridiem = (flags & TIME_MERIDIEM) ? scan_meridiem(sc) : 0;
    if (meridiem) {
        if (hour < 1 || hour > 12)
            return 0;
        hour = hour % 12 + (meridiem == 2 ? 12 : 0);
    }
    if (hour > 23 || minute > 59 || second > 59)
        return 0;
    *seconds = hour * 3600 + minute * 60 + second;
    return 1;
}

/* One of the separators allowed between day, month and year. */
static int scan_separator(scanner *sc, const char *allowed, char *sep)
{
    if (sc->p < sc->end && *sc->p && strchr(allowed, *sc->p)) {
        *sep = (char)*sc->p++;
        return 1;
    }
    return 0;
}

static int scan_fixed(crm_date_style style, scanner *sc, int *y, int *m, int *d, int32_t *seconds)
{
    char sep1, sep2;
    switch (style) {
    case CRM_DATE_ISO:
        return scan_digits(sc, 4, 4, y) && scan_char(sc, '-') && scan_digits(sc, 1, 2, m)
               && scan_char(sc, '-') && scan_digits(sc, 1, 2, d) && scan_time(sc, TIME_ISO, seconds);
    case CRM_DATE_COMPACT:
        *seconds = CRM_NO_TIME;
        return scan_digits(sc, 4, 4, y) && scan_digits(sc, 2, 2, m) && scan_digits(sc, 2, 2, d);
    case CRM_DATE_YMD_SLASH:
        return scan_digits(sc, 4, 4, y) && scan_char(sc, '/') && scan_digits(sc, 1, 2, m)
               && scan_char(sc, '/') && scan_digits(sc, 1, 2, d)
               && scan_time(sc, TIME_MERIDIEM, seconds);
    case CRM_DATE_MDY:
        return scan_digits(sc, 1, 2, m) && scan_separator(sc, "/-", &sep1)
               && scan_digits(sc, 1, 2, d) && scan_separator(sc, "/-", &sep2) && sep1 == sep2
               && scan_digits(sc, 4, 4, y) && scan_time(sc, TIME_MERIDIEM, seconds);
    case CRM_DATE_DMY:
        return scan_digits(sc, 1, 2, d) && scan_separator(sc, "/.-", &sep1)
               && scan_digits(sc, 1, 2, m) && scan_separator(sc, "/.-", &sep2) && sep1 == sep2
               && scan_digits(sc, 4, 4, y) && scan_time(sc, TIME_MERIDIEM, seconds);
    case CRM_DATE_CJK:
        return scan_digits(sc, 4, 4, y) && scan_literal(sc, "\xe5\xb9\xb4")      /* 年 */
               && scan_digits(sc, 1, 2, m) && scan_literal(sc, "\xe6\x9c\x88")   /* 月 */
               && scan_digits(sc, 1, 2, d) && scan_literal(sc, "\xe6\x97\xa5")   /* 日 */
               && scan_time(sc, 0, seconds);
    default:
        return 0;
    }
}

static crm_status parse_strptime(const char *pattern, const char *s, size_t len, int *y, int *m,
                                 int *d, int32_t *seconds)
{
    char text[256];
    pattern_fields f;
    if (len >= sizeof text || memchr(s, '\0', len) || !pattern_scan(pattern, &f)
        || !f.year || !f.month || !f.day || f.zone)
        return CRM_EDATA;
    memcpy(text, s, len);
    text[len] = '\0';
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(text, pattern, &tm);
    if (!rest || rest != text + len)
        return CRM_EDATA;
    /* strptime checks each field's range on its own (day 1..31) but not
     * the day against the month: crm_date_valid does that below. */
    if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
        return CRM_EDATA;
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
    *seconds = CRM_NO_TIME;
    if (f.time) {
        if (tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59
            || tm.tm_sec < 0 || tm.tm_sec > 59)
            return CRM_EDATA;
        *seconds = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    }
    return CRM_OK;
}

static int two_digits(const unsigned char *p, int *value)
{
    unsigned a = (unsigned)(p[0] - '0'), b = (unsigned)(p[1] - '0');
    *value = (int)(a * 10 + b);
    return a < 10u && b < 10u;
}

/* The shapes crm-clean writes and most exports use, "YYYY-MM-DD" and
 * "YYYY-MM-DD HH:MM:SS" (or 'T' between), read without the general
 * scanner: a parse per row is a hot spot.  Returns 0 for any other text,
 * which then goes the general way (that also decides every bad value). */
static int scan_iso_fixed(const char *text, size_t len, int *y, int *m, int *d, int32_t *seconds)
{
    const unsigned char *s = (const unsigned char *)text;
    int hi, lo, hour, minute, second;
    if ((len != 10 && len != 19) || s[4] != '-' || s[7] != '-' || !two_digits(s, &hi)
        || !two_digits(s + 2, &lo) || !two_digits(s + 5, m) || !two_digits(s + 8, d))
        return 0;
    *y = hi * 100 + lo;
    *seconds = CRM_NO_TIME;
    if (len == 10)
        return 1;
    if ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' || !two_digits(s + 11, &hour)
        || !two_digits(s + 14, &minute) || !two_digits(s + 17, &second) || hour > 23 || minute > 59
        || second > 59)
        return 0;
    *seconds = hour * 3600 + minute * 60 + second;
    return 1;
}

crm_status crm_date_parse(const crm_date_format *fmt, const char *s, size_t len, crm_datetime *out)
{
    if (!fmt || !out || (!s && len))
        return CRM_EDATA;
    trim(&s, &len);
    if (len == 0)
        return CRM_EDATA;
    int y, m, d;
    int32_t seconds;
    if (fmt->style == CRM_DATE_ISO && scan_iso_fixed(s, len, &y, &m, &d, &seconds)) {
        /* read; validated below like every other form */
    } else if (fmt->style == CRM_DATE_STRPTIME) {
        if (parse_strptime(fmt->pattern, s, len, &y, &m, &d, &seconds) != CRM_OK)
            return CRM_EDATA;
    } else {
        scanner sc = {(const unsigned char *)s, (const unsigned char *)s + len};
        if (!scan_fixed(fmt->style, &sc, &y, &m, &d, &seconds) || sc.p != sc.end)
            return CRM_EDATA;
    }
    if (!crm_date_valid(y, m, d))
        return CRM_EDATA;
    out->days = crm_days_from_civil(y, m, d);
    out->seconds = seconds;
    return CRM_OK;
}

void crm_date_memo_init(crm_date_memo *memo)
{
    memo->len = 0;
}

crm_status crm_date_parse_memo(const crm_date_format *fmt, crm_date_memo *memo, const char *s, size_t len,
                               crm_datetime *out)
{
    if (memo->len != 0 && len == memo->len && memcmp(s, memo->text, len) == 0) {
        *out = memo->value;
        return CRM_OK;
    }
    crm_status st = crm_date_parse(fmt, s, len, out);
    if (st == CRM_OK && len > 0 && len <= sizeof memo->text) {
        memcpy(memo->text, s, len);
        memo->len = len;
        memo->value = *out;
    }
    return st;
}

/* ---- detection -------------------------------------------------------- */

#define STYLE_BIT(style) (1u << (style))

static const crm_date_style fixed_styles[] = {
    CRM_DATE_ISO, CRM_DATE_COMPACT, CRM_DATE_YMD_SLASH, CRM_DATE_MDY, CRM_DATE_DMY, CRM_DATE_CJK
};

static void keep_value(char dst[32], const char *s, size_t len)
{
    if (len > 31)
        len = 31;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

void crm_date_detector_init(crm_date_detector *d, int prefer)
{
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < sizeof fixed_styles / sizeof fixed_styles[0]; i++)
        d->candidates |= STYLE_BIT(fixed_styles[i]);
    if (prefer == CRM_DATE_MDY || prefer == CRM_DATE_DMY) {
        d->prefer = prefer;
        d->candidates &= ~STYLE_BIT(prefer == CRM_DATE_MDY ? CRM_DATE_DMY : CRM_DATE_MDY);
    }
}

void crm_date_detector_add(crm_date_detector *d, const char *s, size_t len)
{
    if (!s)
        return;
    trim(&s, &len);
    if (len == 0)
        return;
    d->values_seen++;
    unsigned readers = 0;
    crm_date_format fmt;
    crm_datetime dt;
    for (size_t i = 0; i < sizeof fixed_styles / sizeof fixed_styles[0]; i++) {
        if (!(d->candidates & STYLE_BIT(fixed_styles[i])))
            continue;
        crm_date_format_set(&fmt, fixed_styles[i]);
        if (crm_date_parse(&fmt, s, len, &dt) == CRM_OK)
            readers |= STYLE_BIT(fixed_styles[i]);
    }
    if (readers) {
        d->candidates = readers;
        if (d->first_value[0] == '\0')
            keep_value(d->first_value, s, len);
    } else {
        d->values_unreadable++;
        keep_value(d->last_unreadable, s, len);
    }
}

static int bit_count(unsigned x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

int crm_date_detector_decided(const crm_date_detector *d)
{
    /* No single value reads in all fixed styles, so one candidate left
     * means at least one value was read. */
    return bit_count(d->candidates) == 1;
}

crm_status crm_date_detector_result(const crm_date_detector *d, crm_date_format *out,
                                    crm_error *err)
{
    char quoted[64];
    if (d->values_seen == 0) {
        /* Only empty values: nothing to detect; the column's emptiness is
         * for the caller to judge, and ISO is what we write. */
        crm_date_format_set(out, CRM_DATE_ISO);
        return CRM_OK;
    }
    if (d->values_seen == d->values_unreadable) {
        crm_error_quote(quoted, sizeof quoted, d->last_unreadable, strlen(d->last_unreadable));
        return crm_error_set(err, CRM_EDATA,
                             "cannot read '%s' as a date in any known format; "
                             "give --date-format (strptime style, e.g. %%d.%%m.%%Y)",
                             quoted);
    }
    if ((d->candidates & STYLE_BIT(CRM_DATE_MDY)) && (d->candidates & STYLE_BIT(CRM_DATE_DMY))) {
        crm_error_quote(quoted, sizeof quoted, d->first_value, strlen(d->first_value));
        return crm_error_set(err, CRM_EDATA,
                             "dates such as '%s' read both as month/day/year and as "
                             "day/month/year (no day above 12 was seen); say --dayfirst or "
                             "--monthfirst, or give --date-format",
                             quoted);
    }
    /* Every remaining candidate reads every readable value; the fixed
     * styles cannot overlap except MDY/DMY, so this is the only one. */
    for (size_t i = 0; i < sizeof fixed_styles / sizeof fixed_styles[0]; i++) {
        if (d->candidates & STYLE_BIT(fixed_styles[i])) {
            crm_date_format_set(out, fixed_styles[i]);
            return CRM_OK;
        }
    }
    return crm_error_set(err, CRM_EDATA, "no date format fits the values");
}

/* ---- writing ---------------------------------------------------------- */

static char *put_digits(char *p, int value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + width;
}

size_t crm_datetime_format(crm_datetime dt, char buf[CRM_DATE_ISO_MAX])
{
    int y, m, d;
    crm_civil_from_days(dt.days, &y, &m, &d);
    int with_time = dt.seconds >= 0 && dt.seconds < 86400;
    if (y < 0 || y > 9999) {
        /* Not an ISO year; written as well as the buffer allows. */
        int n = with_time
                    ? snprintf(buf, CRM_DATE_ISO_MAX, "%d-%02d-%02d %02d:%02d:%02d", y, m, d,
                               (int)(dt.seconds / 3600), (int)(dt.seconds / 60 % 60),
                               (int)(dt.seconds % 60))
                    : snprintf(buf, CRM_DATE_ISO_MAX, "%d-%02d-%02d", y, m, d);
        return n < 0 ? 0 : strlen(buf);
    }
    char *p = buf;
    p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    if (with_time) {
        *p++ = ' ';
        p = put_digits(p, (int)(dt.seconds / 3600), 2);
        *p++ = ':';
        p = put_digits(p, (int)(dt.seconds / 60 % 60), 2);
        *p++ = ':';
        p = put_digits(p, (int)(dt.seconds % 60), 2);
    }
    *p = '\0';
    return (size_t)(p - buf);
}

int crm_datetime_cmp(crm_datetime a, crm_datetime b)
{
    if (a.days != b.days)
        return a.days < b.days ? -1 : 1;
    int32_t sa = a.seconds == CRM_NO_TIME ? 0 : a.seconds;
    int32_t sb = b.seconds == CRM_NO_TIME ? 0 : b.seconds;
    return (sa > sb) - (sa < sb);
}
