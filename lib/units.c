#include "crm/units.h"

#include <math.h>
#include <string.h>

#include "crm/number.h"

/* Months and years by their mean Gregorian-Julian length, 365.25 days a
 * year, so that 12m == 1y and 52w is 364/365.25 of a year. */
double crm_time_unit_days(crm_time_unit unit)
{
    switch (unit) {
    case CRM_UNIT_DAY:
        return 1.0;
    case CRM_UNIT_WEEK:
        return 7.0;
    case CRM_UNIT_MONTH:
        return 365.25 / 12.0;
    case CRM_UNIT_YEAR:
        return 365.25;
    }
    return NAN;
}

const char *crm_time_unit_name(crm_time_unit unit)
{
    switch (unit) {
    case CRM_UNIT_DAY:
        return "days";
    case CRM_UNIT_WEEK:
        return "weeks";
    case CRM_UNIT_MONTH:
        return "months";
    case CRM_UNIT_YEAR:
        return "years";
    }
    return "unknown unit";
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* s[begin..end) without white space around it. */
static void trim(const char *s, size_t *begin, size_t *end)
{
    while (*begin < *end && is_blank(s[*begin]))
        (*begin)++;
    while (*end > *begin && is_blank(s[*end - 1]))
        (*end)--;
}

/* ASCII case-insensitive equality of s[0..len) and the lower-case word. */
static int word_equals(const char *s, size_t len, const char *word)
{
    if (strlen(word) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

static int unit_from_word(const char *s, size_t len, crm_time_unit *out)
{
    static const struct {
        const char *word;
        crm_time_unit unit;
    } words[] = {
        {"d", CRM_UNIT_DAY},    {"day", CRM_UNIT_DAY},     {"days", CRM_UNIT_DAY},
        {"w", CRM_UNIT_WEEK},   {"week", CRM_UNIT_WEEK},   {"weeks", CRM_UNIT_WEEK},
        {"m", CRM_UNIT_MONTH},  {"month", CRM_UNIT_MONTH}, {"months", CRM_UNIT_MONTH},
        {"y", CRM_UNIT_YEAR},   {"year", CRM_UNIT_YEAR},   {"years", CRM_UNIT_YEAR},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (word_equals(s, len, words[i].word)) {
            *out = words[i].unit;
            return 1;
        }
    }
    return 0;
}

crm_status crm_parse_time_unit(const char *s, crm_time_unit *out, crm_error *err)
{
    char quoted[80];
    size_t begin = 0, end = s ? strlen(s) : 0;
    trim(s, &begin, &end);
    if (s && unit_from_word(s + begin, end - begin, out))
        return CRM_OK;
    return crm_error_set(err, CRM_EUSAGE,
                         "unknown time unit '%s'; use d (days), w (weeks), m (months) or y (years)",
                         crm_error_quote(quoted, sizeof quoted, s ? s : "", s ? strlen(s) : 0));
}

/* A plain number at s[*pos]: [+-] digits [. digits] (at least one digit).
 * No exponent, separators or currency: units are typed by people. */
static int scan_number(const char *s, size_t *pos, size_t end, double *value)
{
    size_t i = *pos, digits = 0;
    if (i < end && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < end && is_digit(s[i])) {
        i++;
        digits++;
    }
    if (i < end && s[i] == '.') {
        i++;
        while (i < end && is_digit(s[i])) {
            i++;
            digits++;
        }
    }
    if (digits == 0 || crm_parse_double(s + *pos, i - *pos, NULL, value) != CRM_OK)
        return 0;
    *pos = i;
    return 1;
}

crm_status crm_parse_duration(const char *s, crm_duration *out, crm_error *err)
{
    char quoted[80], number[80];
    const char *text = s ? s : "";
    size_t begin = 0, end = strlen(text);
    crm_error_quote(quoted, sizeof quoted, text, end);
    trim(text, &begin, &end);
    size_t pos = begin;
    double count;
    if (!scan_number(text, &pos, end, &count))
        return crm_error_set(err, CRM_EUSAGE,
                             "cannot read duration '%s'; write a number and a unit, "
                             "e.g. 52w, 12m, 365d or 1y", quoted);
    if (!(count > 0))
        return crm_error_set(err, CRM_EUSAGE,
                             "duration '%s' is not positive; give a length above zero, "
                             "e.g. 52w, 12m, 365d or 1y", quoted);
    crm_error_quote(number, sizeof number, text + begin, pos - begin);
    size_t unit_begin = pos;
    trim(text, &unit_begin, &end);
    if (unit_begin == end)
        return crm_error_set(err, CRM_EUSAGE,
                             "duration '%s' has no unit; write it as %sd, %sw, %sm or %sy",
                             quoted, number, number, number, number);
    if (!unit_from_word(text + unit_begin, end - unit_begin, &out->unit))
        return crm_error_set(err, CRM_EUSAGE,
                             "cannot read the unit of duration '%s'; use d (days), w (weeks), "
                             "m (months) or y (years), e.g. 52w, 12m, 365d or 1y", quoted);
    out->count = count;
    return CRM_OK;
}

double crm_duration_in(crm_duration d, crm_time_unit unit)
{
    return d.count * crm_time_unit_days(d.unit) / crm_time_unit_days(unit);
}

/* A number and an optional '%' (then the value is divided by 100);
 * *pos moves past them. */
static int scan_share(const char *s, size_t *pos, size_t end, double *value, int *percent)
{
    if (!scan_number(s, pos, end, value))
        return 0;
    size_t i = *pos;
    while (i < end && is_blank(s[i]))
        i++;
    *percent = i < end && s[i] == '%';
    if (*percent) {
        *value /= 100.0;
        *pos = i + 1;
    }
    return 1;
}

crm_status crm_parse_rate(const char *s, crm_time_unit default_per, crm_rate *out, crm_error *err)
{
    char quoted[80];
    const char *text = s ? s : "";
    size_t begin = 0, end = strlen(text);
    crm_error_quote(quoted, sizeof quoted, text, end);
    trim(text, &begin, &end);
    size_t pos = begin;
    double value;
    int percent;
    crm_time_unit per = default_per;
    int readable = scan_share(text, &pos, end, &value, &percent);
    if (readable) {
        trim(text, &pos, &end);
        if (pos < end && text[pos] == '/') {
            size_t unit_begin = pos + 1;
            trim(text, &unit_begin, &end);
            readable = unit_from_word(text + unit_begin, end - unit_begin, &per);
        } else {
            readable = pos == end;
        }
    }
    if (!readable)
        return crm_error_set(err, CRM_EUSAGE,
                             "cannot read rate '%s'; write a percentage or a fraction, "
                             "optionally per period, e.g. 10%%, 1%%/m or 0.1/y", quoted);
    if (value < 0)
        return crm_error_set(err, CRM_EUSAGE, "rate '%s' is negative; a rate must be 0 or more",
                             quoted);
    /* "10" is far more likely a forgotten '%' than a rate of 1000%. */
    if (!percent && value >= 1)
        return crm_error_set(err, CRM_EUSAGE,
                             "rate '%s' has no '%%' and is not a fraction below 1; write a "
                             "percentage such as 10%% (rates of 100%% or more need the '%%')",
                             quoted);
    out->value = value;
    out->per = per;
    return CRM_OK;
}

double crm_rate_per(crm_rate r, crm_time_unit to)
{
    double periods = crm_time_unit_days(to) / crm_time_unit_days(r.per);
    /* (1 + v)^p - 1 without the cancellation of a small v */
    return expm1(periods * log1p(r.value));
}

crm_status crm_parse_fraction(const char *s, double *out, crm_error *err)
{
    char quoted[80];
    const char *text = s ? s : "";
    size_t begin = 0, end = strlen(text);
    crm_error_quote(quoted, sizeof quoted, text, end);
    trim(text, &begin, &end);
    size_t pos = begin;
    double value;
    int percent;
    if (!scan_share(text, &pos, end, &value, &percent) || pos != end)
        return crm_error_set(err, CRM_EUSAGE,
                             "cannot read '%s' as a share; write a percentage (30%%) or a "
                             "fraction (0.3)", quoted);
    if (!(value >= 0 && value <= 1))
        return crm_error_set(err, CRM_EUSAGE,
                             "'%s' is not a share between 0 and 1 (0%% and 100%%); write it as a "
                             "percentage (30%%) or a fraction (0.3)", quoted);
    *out = value == 0 ? 0.0 : value;
    return CRM_OK;
}
