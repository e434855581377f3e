#include "crm/number.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the text of a number --------------------------------------
 *
 * A value is taken apart into its sign and its digits (separators, currency
 * and parentheses removed) before any conversion, so that parsing never
 * depends on the locale and both crm_parse_double and crm_parse_decimal
 * accept exactly the same texts. */

enum {
    MAX_DIGITS = 400,       /* longer digit strings are not numbers we keep */
    MAX_EXPONENT = 100000   /* exponents are clamped here; far beyond any double */
};

typedef struct {
    int negative;
    char digits[MAX_DIGITS];  /* integer then fraction digits, leading zeros dropped */
    int ndigits;
    int nfrac;                /* how many of digits are after the decimal point */
    long exponent;            /* from "e" notation */
} number_parts;

typedef struct {
    const unsigned char *p;
    const unsigned char *end;
} scanner;

static int starts_with(const scanner *sc, const char *lit, size_t n)
{
    return (size_t)(sc->end - sc->p) >= n && memcmp(sc->p, lit, n) == 0;
}

static int is_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10u;
}

/* Length of the white space at p: ASCII blanks, U+00A0 (no-break space) and
 * U+202F (narrow no-break space), which spreadsheets put between a number
 * and its currency and between digit groups. */
static size_t space_length(const scanner *sc)
{
    if (sc->p >= sc->end)
        return 0;
    unsigned char c = *sc->p;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
        return 1;
    if (starts_with(sc, "\xc2\xa0", 2))
        return 2;
    if (starts_with(sc, "\xe2\x80\xaf", 3))
        return 3;
    return 0;
}

static void skip_spaces(scanner *sc)
{
    size_t n;
    while ((n = space_length(sc)) > 0)
        sc->p += n;
}

static void trim_end_spaces(scanner *sc)
{
    for (;;) {
        const unsigned char *e = sc->end;
        if (e > sc->p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'
                          || e[-1] == '\v' || e[-1] == '\f'))
            sc->end = e - 1;
        else if (e - sc->p >= 2 && memcmp(e - 2, "\xc2\xa0", 2) == 0)
            sc->end = e - 2;
        else if (e - sc->p >= 3 && memcmp(e - 3, "\xe2\x80\xaf", 3) == 0)
            sc->end = e - 3;
        else
            return;
    }
}

/* Currency marks, longest first so that "NT$" wins over "$". */
static const char *const currency_marks[] = {
    "NT$", "US$", "HK$", "RMB", "USD", "EUR", "GBP", "CNY", "TWD", "JPY", "HKD",
    "\xef\xbf\xa5",   /* ￥ fullwidth yen/yuan */
    "\xe2\x82\xac",   /* € */
    "\xc2\xa3",       /* £ */
    "\xc2\xa5",       /* ¥ */
    "$",
};
static const char yuan_mark[] = "\xe5\x85\x83";  /* 元, written after the number */

static int scan_currency(scanner *sc, int after_number)
{
    if (sc->p >= sc->end || is_digit(*sc->p) || *sc->p == '.')
        return 0;   /* the common case: a plain number */
    for (size_t i = 0; i < sizeof currency_marks / sizeof currency_marks[0]; i++) {
        size_t n = strlen(currency_marks[i]);
        if (starts_with(sc, currency_marks[i], n)) {
            sc->p += n;
            return 1;
        }
    }
    if (after_number && starts_with(sc, yuan_mark, 3)) {
        sc->p += 3;
        return 1;
    }
    return 0;
}

/* -1, 1, or 0 when there is no sign. */
static int scan_sign(scanner *sc)
{
    if (sc->p < sc->end && (*sc->p == '-' || *sc->p == '+'))
        return *sc->p++ == '-' ? -1 : 1;
    return 0;
}

static int add_digit(number_parts *np, unsigned char c)
{
    if (np->ndigits == 0 && c == '0')
        return 1;                       /* a leading zero adds nothing */
    if (np->ndigits >= MAX_DIGITS)
        return 0;
    np->digits[np->ndigits++] = (char)c;
    return 1;
}

/* Length of the thousands separator at p (0 when there is none). */
static size_t group_separator_length(const scanner *sc, int decimal_comma)
{
    if (sc->p >= sc->end)
        return 0;
    if (!decimal_comma)
        return *sc->p == ',' ? 1 : 0;
    if (*sc->p == '.' || *sc->p == ' ')
        return 1;
    if (starts_with(sc, "\xc2\xa0", 2))
        return 2;
    if (starts_with(sc, "\xe2\x80\xaf", 3))
        return 3;
    return 0;
}

/* The digits, digit groups, decimal part and exponent.  Grouped integer
 * parts follow the rule of three: a first group of 1 to 3 digits that does
 * not start with 0, then groups of exactly 3 digits, all with the same
 * separator ("1,234,567"; not "1,23", "1234,567", "0,123" or "1,23,456"). */
static int scan_body(scanner *sc, int decimal_comma, number_parts *np, int *grouped,
                     int *has_exponent)
{
    int int_digits = 0, frac_digits = 0;
    const unsigned char *first = sc->p;
    while (sc->p < sc->end && is_digit(*sc->p)) {
        if (!add_digit(np, *sc->p++))
            return 0;
        int_digits++;
    }
    *grouped = 0;
    size_t sep_len = group_separator_length(sc, decimal_comma);
    if (sep_len > 0 && int_digits >= 1 && int_digits <= 3 && *first != '0') {
        const unsigned char *sep = sc->p;
        for (;;) {
            if (group_separator_length(sc, decimal_comma) != sep_len
                || memcmp(sc->p, sep, sep_len) != 0)
                break;
            const unsigned char *g = sc->p + sep_len;
            if (sc->end - g < 3 || !is_digit(g[0]) || !is_digit(g[1]) || !is_digit(g[2])
                || (sc->end - g > 3 && is_digit(g[3])))
                break;
            for (int i = 0; i < 3; i++)
                if (!add_digit(np, g[i]))
                    return 0;
            int_digits += 3;
            sc->p = g + 3;
            *grouped = 1;
        }
    }
    char point = decimal_comma ? ',' : '.';
    if (sc->p < sc->end && *sc->p == point) {
        sc->p++;
        while (sc->p < sc->end && is_digit(*sc->p)) {
            /* every fraction digit is kept, zeros included: they hold places */
            if (np->ndigits >= MAX_DIGITS)
                return 0;
            np->digits[np->ndigits++] = (char)*sc->p++;
            frac_digits++;
        }
    }
    if (int_digits + frac_digits == 0)
        return 0;
    np->nfrac = frac_digits;
    *has_exponent = 0;
    /* An exponent is 'e' or 'E', an optional sign and digits; an 'E' that
     * is not followed by them may begin a currency code ("12EUR"). */
    const unsigned char *e_at = sc->p;
    if (sc->end - e_at >= 2 && (*e_at == 'e' || *e_at == 'E')
        && (is_digit(e_at[1])
            || (sc->end - e_at >= 3 && (e_at[1] == '-' || e_at[1] == '+') && is_digit(e_at[2])))) {
        sc->p++;
        int esign = scan_sign(sc);
        long e = 0;
        while (sc->p < sc->end && is_digit(*sc->p)) {
            if (e < MAX_EXPONENT)
                e = e * 10 + (*sc->p - '0');
            sc->p++;
        }
        np->exponent = esign < 0 ? -e : e;
        *has_exponent = 1;
    }
    return 1;
}

static int parse_parts(const char *s, size_t len, const crm_number_options *opts, number_parts *np)
{
    int decimal_comma = opts && opts->decimal_comma;
    np->negative = 0;
    np->ndigits = 0;
    np->nfrac = 0;
    np->exponent = 0;
    if (!s)
        return 0;
    scanner sc = {(const unsigned char *)s, (const unsigned char *)s + len};
    skip_spaces(&sc);
    trim_end_spaces(&sc);
    int parenthesised = 0;
    if (sc.p < sc.end && *sc.p == '(') {
        if (sc.end[-1] != ')')
            return 0;
        parenthesised = 1;
        sc.p++;
        sc.end--;
        skip_spaces(&sc);
        trim_end_spaces(&sc);
    }
    int sign = scan_sign(&sc);
    int currency_before = scan_currency(&sc, 0);
    if (currency_before) {
        skip_spaces(&sc);
        if (sign == 0)
            sign = scan_sign(&sc);
    }
    int grouped, has_exponent;
    if (!scan_body(&sc, decimal_comma, np, &grouped, &has_exponent))
        return 0;
    int currency_after = 0;
    if (!currency_before) {
        skip_spaces(&sc);
        currency_after = scan_currency(&sc, 1);
    }
    if (sc.p != sc.end)
        return 0;
    if (parenthesised && sign != 0)
        return 0;
    /* e notation is for plain numbers only, never with money marks or groups */
    if (has_exponent && (grouped || currency_before || currency_after || parenthesised))
        return 0;
    np->negative = parenthesised || sign < 0;
    return 1;
}

/* ---- doubles ---------------------------------------------------------- */

/* strtod on text we built with '.': the commands never call setlocale, so
 * this is the C locale; should a program embedding libcrm have changed
 * LC_NUMERIC, the point is swapped for the locale's one and read again. */
static int c_strtod(char *text, size_t len, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end != text + len) {
        const char *point = localeconv()->decimal_point;
        char *dot = strchr(text, '.');
        char swapped[MAX_DIGITS + 64];
        size_t plen = strlen(point);
        if (!dot || plen == 0 || len + plen > sizeof swapped)
            return 0;
        size_t head = (size_t)(dot - text);
        memcpy(swapped, text, head);
        memcpy(swapped + head, point, plen);
        memcpy(swapped + head + plen, dot + 1, len - head);   /* includes the NUL */
        errno = 0;
        v = strtod(swapped, &end);
        if (*end != '\0')
            return 0;
    }
    if (isinf(v))
        return 0;       /* does not fit a double */
    *out = v;           /* underflow gives 0 or a subnormal, which we accept */
    return 1;
}

crm_status crm_parse_double(const char *s, size_t len, const crm_number_options *opts, double *out)
{
    number_parts np;
    if (!parse_parts(s, len, opts, &np))
        return CRM_EDATA;
    if (np.ndigits == 0) {
        *out = np.negative ? -0.0 : 0.0;
        return CRM_OK;
    }
    /* Fast path: at most 15 digits is an integer m below 2^53, and 10^k for
     * k <= 22 is an exact double, so m * 10^k or m / 10^k is one correctly
     * rounded operation, the same double strtod would give. */
    static const double exact_powers[] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    long power = np.exponent - np.nfrac;
    if (np.ndigits <= 15 && power >= -22 && power <= 22) {
        int64_t m = 0;
        for (int i = 0; i < np.ndigits; i++)
            m = m * 10 + (np.digits[i] - '0');
        double v = power < 0 ? (double)m / exact_powers[-power] : (double)m * exact_powers[power];
        *out = np.negative ? -v : v;
        return CRM_OK;
    }
    /* "-" digits "." fraction "e" exponent */
    char text[MAX_DIGITS + 32];
    size_t n = 0;
    int nint = np.ndigits - np.nfrac;
    if (np.negative)
        text[n++] = '-';
    if (nint > 0) {
        memcpy(text + n, np.digits, (size_t)nint);
        n += (size_t)nint;
    } else {
        text[n++] = '0';
    }
    if (np.nfrac > 0) {
        text[n++] = '.';
        memcpy(text + n, np.digits + nint, (size_t)np.nfrac);
        n += (size_t)np.nfrac;
    }
    if (np.exponent != 0)
        n += (size_t)snprintf(text + n, sizeof text - n, "e%ld", np.exponent);
    text[n] = '\0';
    return c_strtod(text, n, out) ? CRM_OK : CRM_EDATA;
}

/* ---- exact decimals --------------------------------------------------- */

static const int64_t powers_of_ten[] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
    10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
    1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000,
};

static int scale_valid(int scale)
{
    return scale >= 0 && scale <= CRM_DECIMAL_MAX_SCALE;
}

/* units * 10^k, or 0 on overflow. */
static int scale_up(int64_t units, int k, int64_t *out)
{
    if (k < 0 || k > 18)
        return units == 0 ? (*out = 0, 1) : 0;
    return !__builtin_mul_overflow(units, powers_of_ten[k], out);
}

/* The common plain form, [+-]digits[.digits] with at most 18 digits and
 * CRM_DECIMAL_MAX_SCALE decimals, read in one pass: every such text is a
 * number that fits, with the same value and scale the general way gives.
 * Returns 0 for anything else (spaces, groups, currency, exponents, "."). */
static int parse_plain_decimal(const char *text, size_t len, crm_decimal *out)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    int negative = 0;
    if (p < end && (*p == '-' || *p == '+'))
        negative = *p++ == '-';
    uint64_t units = 0;   /* wraps harmlessly past 19 digits: such texts are refused */
    int digits = 0, frac = 0;
    for (; p < end && is_digit(*p); p++, digits++)
        units = units * 10 + (uint64_t)(*p - '0');
    if (p < end && *p == '.') {
        for (p++; p < end && is_digit(*p); p++, frac++)
            units = units * 10 + (uint64_t)(*p - '0');
        digits += frac;
    }
    if (p != end || digits == 0 || digits > 18 || frac > CRM_DECIMAL_MAX_SCALE)
        return 0;
    out->units = negative ? -(int64_t)units : (int64_t)units;
    out->scale = frac;
    return 1;
}

crm_status crm_parse_decimal(const char *s, size_t len, const crm_number_options *opts,
                             crm_decimal *out)
{
    if (s && !(opts && opts->decimal_comma) && parse_plain_decimal(s, len, out))
        return CRM_OK;
    number_parts np;
    if (!parse_parts(s, len, opts, &np))
        return CRM_EDATA;
    long scale = np.nfrac - np.exponent;
    /* Zeros at the end of the fraction may be dropped, but only as far as
     * needed to fit: "2.50" keeps its scale of 2. */
    while (scale > CRM_DECIMAL_MAX_SCALE && np.ndigits > 0 && np.digits[np.ndigits - 1] == '0') {
        np.ndigits--;
        scale--;
    }
    if (np.ndigits == 0)
        scale = scale < 0 ? 0 : (scale > CRM_DECIMAL_MAX_SCALE ? CRM_DECIMAL_MAX_SCALE : scale);
    if (scale > CRM_DECIMAL_MAX_SCALE)
        return CRM_EDATA;
    int64_t units = 0;
    for (int i = 0; i < np.ndigits; i++) {
        if (__builtin_mul_overflow(units, 10, &units)
            || __builtin_add_overflow(units, np.digits[i] - '0', &units))
            return CRM_EDATA;
    }
    if (scale < 0) {
        if (-scale > 18 || !scale_up(units, (int)-scale, &units))
            return CRM_EDATA;
        scale = 0;
    }
    out->units = np.negative ? -units : units;
    out->scale = (int)scale;
    return CRM_OK;
}

crm_status crm_parse_int64(const char *s, size_t len, int64_t *out)
{
    if (!s)
        return CRM_EDATA;
    size_t i = 0, end = len;
    while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'
                       || s[i] == '\v' || s[i] == '\f'))
        i++;
    while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r'
                       || s[end - 1] == '\n' || s[end - 1] == '\v' || s[end - 1] == '\f'))
        end--;
    int negative = 0;
    if (i < end && (s[i] == '-' || s[i] == '+'))
        negative = s[i++] == '-';
    if (i == end)
        return CRM_EDATA;
    /* Accumulate on the negative side, which holds INT64_MIN. */
    int64_t v = 0;
    for (; i < end; i++) {
        if (!is_digit((unsigned char)s[i]))
            return CRM_EDATA;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, s[i] - '0', &v))
            return CRM_EDATA;
    }
    if (!negative && __builtin_sub_overflow((int64_t)0, v, &v))
        return CRM_EDATA;
    *out = v;
    return CRM_OK;
}

/* Sums and products are formed in 128 bits, where they cannot overflow
 * (|units| < 2^63, times 10^9 for alignment, or times another units), and
 * then brought back to 64 bits. */
__extension__ typedef __int128 wide_int;

/* v / 10^scale as a decimal.  The scale is kept when it fits ("2.50" +
 * "1.00" = "3.50"); trailing zeros are dropped only as far as needed to get
 * within 64 bits and CRM_DECIMAL_MAX_SCALE decimals. */
static crm_status decimal_from_wide(wide_int v, int scale, crm_decimal *out)
{
    while (scale > 0 && v % 10 == 0
           && (scale > CRM_DECIMAL_MAX_SCALE || v > INT64_MAX || v < INT64_MIN)) {
        v /= 10;
        scale--;
    }
    if (scale > CRM_DECIMAL_MAX_SCALE || v > INT64_MAX || v < INT64_MIN)
        return CRM_EDATA;
    out->units = (int64_t)v;
    out->scale = scale;
    return CRM_OK;
}

static wide_int widen_to_scale(crm_decimal a, int scale)
{
    wide_int v = a.units;
    for (int i = a.scale; i < scale; i++)
        v *= 10;
    return v;
}

static crm_status decimal_add_or_sub(crm_decimal a, crm_decimal b, int negate_b, crm_decimal *out)
{
    if (!scale_valid(a.scale) || !scale_valid(b.scale))
        return CRM_EDATA;
    /* Fast path, the usual case of sums: aligned and within 64 bits, the
     * exact result needs no trimming, as below. */
    int64_t x64 = a.units, y64 = b.units, r64;
    if ((a.scale == b.scale || (a.scale < b.scale ? scale_up(a.units, b.scale - a.scale, &x64)
                                                  : scale_up(b.units, a.scale - b.scale, &y64)))
        && !(negate_b ? __builtin_sub_overflow(x64, y64, &r64) : __builtin_add_overflow(x64, y64, &r64))) {
        out->units = r64;
        out->scale = a.scale > b.scale ? a.scale : b.scale;
        return CRM_OK;
    }
    int scale = a.scale > b.scale ? a.scale : b.scale;
    wide_int x = widen_to_scale(a, scale), y = widen_to_scale(b, scale);
    return decimal_from_wide(negate_b ? x - y : x + y, scale, out);
}

crm_status crm_decimal_add(crm_decimal a, crm_decimal b, crm_decimal *out)
{
    return decimal_add_or_sub(a, b, 0, out);
}

crm_status crm_decimal_sub(crm_decimal a, crm_decimal b, crm_decimal *out)
{
    return decimal_add_or_sub(a, b, 1, out);
}

/* The product keeps the scale a.scale + b.scale ("6" * "2.55" = "15.30"),
 * unless that does not fit, when trailing zeros are dropped first. */
crm_status crm_decimal_mul(crm_decimal a, crm_decimal b, crm_decimal *out)
{
    if (!scale_valid(a.scale) || !scale_valid(b.scale))
        return CRM_EDATA;
    int64_t product;
    if (a.scale + b.scale <= CRM_DECIMAL_MAX_SCALE && !__builtin_mul_overflow(a.units, b.units, &product)) {
        out->units = product;   /* fits as it is: nothing to trim */
        out->scale = a.scale + b.scale;
        return CRM_OK;
    }
    return decimal_from_wide((wide_int)a.units * b.units, a.scale + b.scale, out);
}

int crm_decimal_cmp(crm_decimal a, crm_decimal b)
{
    if (!scale_valid(a.scale))
        a.scale = 0;
    if (!scale_valid(b.scale))
        b.scale = 0;
    int scale = a.scale > b.scale ? a.scale : b.scale;
    wide_int x = widen_to_scale(a, scale), y = widen_to_scale(b, scale);
    return (x > y) - (x < y);
}

crm_decimal crm_decimal_trim(crm_decimal a, int min_scale)
{
    /* Only removes zeros: a decimal with fewer than min_scale decimals is
     * returned as it is. */
    while (a.scale > min_scale && a.scale > 0 && a.units % 10 == 0) {
        a.units /= 10;
        a.scale--;
    }
    return a;
}

int crm_decimal_sign(crm_decimal a)
{
    return (a.units > 0) - (a.units < 0);
}

crm_decimal crm_decimal_from_int(int64_t v)
{
    crm_decimal d = {v, 0};
    return d;
}

double crm_decimal_to_double(crm_decimal a)
{
    const int64_t exact_limit = (int64_t)1 << 53;
    if (!scale_valid(a.scale))
        return NAN;
    /* Both operands are exact doubles, and IEEE division rounds correctly. */
    if (a.units > -exact_limit && a.units < exact_limit)
        return (double)a.units / (double)powers_of_ten[a.scale];
    char text[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_decimal_format(a, text);
    double v = 0;
    c_strtod(text, n, &v);
    return v;
}

static size_t put_unsigned(char *p, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

size_t crm_decimal_format(crm_decimal a, char buf[CRM_NUMBER_TEXT_MAX])
{
    int scale = scale_valid(a.scale) ? a.scale : 0;
    uint64_t magnitude = a.units < 0 ? 0 - (uint64_t)a.units : (uint64_t)a.units;
    uint64_t unit = (uint64_t)powers_of_ten[scale];
    size_t n = 0;
    if (a.units < 0)
        buf[n++] = '-';
    n += put_unsigned(buf + n, magnitude / unit);
    if (scale > 0) {
        uint64_t frac = magnitude % unit;
        buf[n++] = '.';
        for (int i = scale - 1; i >= 0; i--) {
            buf[n + (size_t)i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        n += (size_t)scale;
    }
    buf[n] = '\0';
    return n;
}

/* ---- writing doubles -------------------------------------------------- */

/* printf writes the locale's decimal point; ours is always '.'.  The
 * commands never call setlocale, so this only matters to a program that
 * embeds libcrm and changed LC_NUMERIC. */
static size_t force_c_point(char *buf, size_t n)
{
    size_t i = strspn(buf, "0123456789+-.e");
    if (i >= n)
        return n;
    size_t plen = strlen(localeconv()->decimal_point);
    if (plen == 0 || i + plen > n)
        plen = 1;
    buf[i] = '.';
    memmove(buf + i + 1, buf + i + plen, n - i - plen + 1);
    return n - plen + 1;
}

static size_t format_special(double v, char *buf)
{
    const char *text = isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    size_t n = strlen(text);
    memcpy(buf, text, n + 1);
    return n;
}

size_t crm_double_format(double v, char buf[CRM_NUMBER_TEXT_MAX])
{
    if (!isfinite(v))
        return format_special(v, buf);
    if (v == 0)
        v = 0.0;    /* -0 is written "0" */
    /* Whole numbers that a double holds exactly print as plain digits. */
    if (fabs(v) < 9007199254740992.0 && v == (double)(int64_t)v) {
        int64_t i = (int64_t)v;
        size_t n = 0;
        if (i < 0)
            buf[n++] = '-';
        n += put_unsigned(buf + n, i < 0 ? 0 - (uint64_t)i : (uint64_t)i);
        buf[n] = '\0';
        return n;
    }
    /* If a representation of at most 15 significant digits reads back as v,
     * %.15g finds it (15 digits always survive the round trip) and strips
     * its trailing zeros, so it is the shortest; otherwise 16, then 17.
     * Subnormals hold fewer digits, so for them we count up from 1. */
    int n = 0;
    for (int precision = fabs(v) < DBL_MIN ? 1 : 15; precision <= 17; precision++) {
        n = snprintf(buf, CRM_NUMBER_TEXT_MAX, "%.*g", precision, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return force_c_point(buf, (size_t)n);
}

size_t crm_double_format_fixed(double v, int decimals, char buf[CRM_NUMBER_TEXT_MAX])
{
    if (!isfinite(v))
        return format_special(v, buf);
    if (decimals < 0)
        decimals = 0;
    if (decimals > 17)
        decimals = 17;
    /* printf rounds an exact tie to even; we round it away from zero.  A
     * double lies exactly halfway between two d-decimal numbers when
     * v * 2^(d+1) is an odd integer; moving it one ulp outwards settles the
     * tie the other way and changes nothing else. */
    double w = ldexp(v, decimals + 1);
    if (fabs(w) < 9007199254740992.0 && w == trunc(w) && fmod(w, 2.0) != 0)
        v = nextafter(v, v > 0 ? INFINITY : -INFINITY);
    int n = snprintf(buf, CRM_NUMBER_TEXT_MAX, "%.*f", decimals, v);
    if (n < 0 || n >= CRM_NUMBER_TEXT_MAX)
        return crm_double_format(v, buf);   /* too large for fixed notation */
    size_t len = force_c_point(buf, (size_t)n);
    if (buf[0] == '-' && strspn(buf + 1, "0.") == len - 1) {
        memmove(buf, buf + 1, len);         /* "-0.00" is "0.00" */
        len--;
    }
    return len;
}

size_t crm_double_format_significant(double v, int digits, char buf[CRM_NUMBER_TEXT_MAX])
{
    if (!isfinite(v))
        return format_special(v, buf);
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    int decimals = 0;
    if (v != 0.0) {
        decimals = digits - 1 - (int)floor(log10(fabs(v)));
        if (decimals > 17) {
            /* below about 1e-12 fixed notation would need more than 17
             * decimals: the exponent form keeps the digits instead */
            int n = snprintf(buf, CRM_NUMBER_TEXT_MAX, "%.*e", digits - 1, v);
            return n < 0 || n >= CRM_NUMBER_TEXT_MAX ? crm_double_format(v, buf) : force_c_point(buf, (size_t)n);
        }
        if (decimals < 0)
            decimals = 0;
    }
    size_t len = crm_double_format_fixed(v, decimals, buf);
    if (memchr(buf, '.', len)) {
        while (len > 0 && buf[len - 1] == '0')
            len--;
        if (len > 0 && buf[len - 1] == '.')
            len--;
    }
    if (len == 2 && memcmp(buf, "-0", 2) == 0) {   /* -0.0000001 to 6 digits of 0.x */
        buf[0] = '0';
        len = 1;
    }
    buf[len] = '\0';
    return len;
}
