/* Durations and rates that always carry their unit: "52w", "12m", "365d",
 * "1y"; "10%" (per year), "1%/m" (per month), "0.5%".  A bare number where a
 * duration is expected is an error: the user must say which unit.
 * Knows nothing of CRM. */
#ifndef CRM_UNITS_H
#define CRM_UNITS_H

#include "crm/error.h"

typedef enum {
    CRM_UNIT_DAY = 0,
    CRM_UNIT_WEEK,
    CRM_UNIT_MONTH,
    CRM_UNIT_YEAR
} crm_time_unit;

typedef struct {
    double count;
    crm_time_unit unit;
} crm_duration;

typedef struct {
    double value;        /* 0.10 for 10% */
    crm_time_unit per;   /* the period the rate applies to */
} crm_rate;

/* Length of a unit in days: 1, 7, 365.25/12, 365.25. */
double crm_time_unit_days(crm_time_unit unit);
/* "days", "weeks", "months", "years". */
const char *crm_time_unit_name(crm_time_unit unit);
/* Accepts d/day/days, w/week/weeks, m/month/months, y/year/years, in any
 * case, with white space around. */
crm_status crm_parse_time_unit(const char *s, crm_time_unit *out, crm_error *err);

/* "52w", "12m", "365d", "1.5y", "12 months".  CRM_EUSAGE with a message
 * quoting s when it has no unit or is not a positive number.  The number is
 * digits with an optional decimal part (no exponent, no separators); the
 * unit is one of crm_parse_time_unit's words, in any case, with or without
 * a space before it. */
crm_status crm_parse_duration(const char *s, crm_duration *out, crm_error *err);
/* The duration expressed in another unit (months and years by their mean
 * length in days). */
double crm_duration_in(crm_duration d, crm_time_unit unit);

/* "10%", "10%/y", "1%/m", "0.1" (a fraction), "0.1/m".  Without "/unit" the
 * rate is per default_per.  Negative rates are refused.  0 is allowed.  A
 * rate written with '%' may exceed 100% ("150%"); one written without must
 * be below 1, because "10" is far more likely a forgotten '%' than 1000%. */
crm_status crm_parse_rate(const char *s, crm_time_unit default_per, crm_rate *out, crm_error *err);
/* The equivalent compound rate per another period:
 * (1 + value)^(days(to) / days(per)) - 1. */
double crm_rate_per(crm_rate r, crm_time_unit to);

/* A share: "30%" or "0.3" gives 0.3; must lie in [0, 1].  CRM_EUSAGE
 * otherwise, with a message quoting s. */
crm_status crm_parse_fraction(const char *s, double *out, crm_error *err);

#endif
