/* Calendar dates and times of day: parsing the forms exports use, detecting
 * which form a column is in, and writing ISO 8601.  Proleptic Gregorian
 * calendar, no time zones (exports carry local time and so do we).
 * Knows nothing of CRM. */
#ifndef CRM_DATE_H
#define CRM_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"

enum { CRM_NO_TIME = -1 };

typedef struct {
    int32_t days;     /* days since 1970-01-01 (negative before) */
    int32_t seconds;  /* seconds since midnight, or CRM_NO_TIME */
} crm_datetime;

/* Years are always four digits (0000..9999); month and day may be written
 * with one or two digits.  A time H:MM or H:MM:SS (hour with one or two
 * digits) may follow the date after spaces; fractional seconds (".123") are
 * read and dropped.  The slash styles also take " AM"/" PM" after the time
 * (hour 1..12).  Everything is validated (month 1..12, day within the month,
 * hour 0..23, minute and second 0..59). */
typedef enum {
    CRM_DATE_AUTO = 0,   /* detect (crm_date_detector) */
    CRM_DATE_ISO,        /* YYYY-MM-DD, optionally followed by ' ' or 'T' and HH:MM[:SS], then 'Z' */
    CRM_DATE_COMPACT,    /* YYYYMMDD (exactly 8 digits, no time) */
    CRM_DATE_YMD_SLASH,  /* YYYY/M/D [H:MM[:SS]] */
    CRM_DATE_MDY,        /* M/D/YYYY [H:MM[:SS]] (US exports); also M-D-YYYY */
    CRM_DATE_DMY,        /* D/M/YYYY [H:MM[:SS]] (--dayfirst); also D.M.YYYY and D-M-YYYY */
    CRM_DATE_CJK,        /* YYYY年M月D日 [H:MM[:SS]] */
    CRM_DATE_STRPTIME    /* an explicit strptime(3) format (--date-format) */
} crm_date_style;

typedef struct {
    crm_date_style style;
    char pattern[64];    /* the strptime format for CRM_DATE_STRPTIME */
} crm_date_format;

/* Sets fmt to a fixed style (pattern unused). */
void crm_date_format_set(crm_date_format *fmt, crm_date_style style);
/* Sets fmt to an explicit strptime format; CRM_EUSAGE if it is empty or too
 * long, if it does not give a year, a month and a day, or if it uses %s, %z
 * or %Z (time zones are not supported). */
crm_status crm_date_format_set_pattern(crm_date_format *fmt, const char *pattern, crm_error *err);
/* "ISO 8601 (YYYY-MM-DD)", "M/D/YYYY", ... for messages. */
const char *crm_date_style_name(crm_date_style style);

/* Parses s[0..len) in the given format (not AUTO).  Leading and trailing
 * white space is ignored.  CRM_EDATA, without a message, when s is not a
 * valid date in that format (the caller knows the file, line and column). */
crm_status crm_date_parse(const crm_date_format *fmt, const char *s, size_t len, crm_datetime *out);

/* A memory of the last text crm_date_parse read, for columns where rows
 * repeat a date (the lines of one order): comparing the text is cheaper
 * than reading it again.  Zero it (or crm_date_memo_init) before the first
 * use, and use one memo with one format only. */
enum { CRM_DATE_MEMO_MAX = 32 };
typedef struct {
    size_t len;                      /* 0: nothing remembered */
    char text[CRM_DATE_MEMO_MAX];
    crm_datetime value;
} crm_date_memo;

void crm_date_memo_init(crm_date_memo *memo);
/* crm_date_parse(fmt, s, len, out), answered from the memo when s is the
 * text read last.  Same results; texts that fail are never remembered. */
crm_status crm_date_parse_memo(const crm_date_format *fmt, crm_date_memo *memo, const char *s, size_t len,
                               crm_datetime *out);

/* Detects the format of a column from its values.  Feed values until
 * crm_date_detector_decided() (or the input ends), then ask for the result.
 * Month-first and day-first slash dates are told apart only by a value whose
 * day is above 12: until one is seen the column is ambiguous.
 *
 * The rule: the candidates start as every fixed style (ISO, COMPACT,
 * YMD_SLASH, MDY, DMY, CJK).  Empty values are skipped.  A value that at
 * least one remaining candidate reads removes the candidates that cannot
 * read it; a value that no remaining candidate reads is "unreadable": it is
 * counted and remembered but removes nothing, so one bad value among good
 * ones does not spoil detection (crm-clean rejects it later as a bad date).
 * Hence every remaining candidate reads every readable value fed so far.
 * Result: no values at all gives ISO; only unreadable values is an error
 * ("no known format fits"); MDY and DMY both remaining is an error
 * (ambiguous) unless prefer says which; otherwise the one candidate left. */
typedef struct {
    unsigned candidates;    /* bit set (1u << style) of crm_date_style still possible */
    uint64_t values_seen;   /* non-empty values fed */
    int prefer;             /* CRM_DATE_MDY or CRM_DATE_DMY when a flag said so, else 0 */
    char first_value[32];   /* first readable value, kept for messages */
    char last_unreadable[32];
    uint64_t values_unreadable;  /* non-empty values no remaining candidate read */
} crm_date_detector;

/* prefer: 0, or CRM_DATE_MDY (--monthfirst) / CRM_DATE_DMY (--dayfirst) to
 * settle the ambiguity up front: the other slash style is never a candidate,
 * so a flag is a statement about the data, not a tie-breaker (a value such
 * as 12/25/2011 under --dayfirst is unreadable, not a reason to switch). */
void crm_date_detector_init(crm_date_detector *d, int prefer);
void crm_date_detector_add(crm_date_detector *d, const char *s, size_t len);
/* 1 when exactly one format remains possible. */
int crm_date_detector_decided(const crm_date_detector *d);
/* The detected format, or CRM_EDATA with a message that says which flag to
 * use (ambiguous), or that no known format fits (quoting a value). */
crm_status crm_date_detector_result(const crm_date_detector *d, crm_date_format *out, crm_error *err);

/* Conversions between days since the epoch and the civil calendar. */
int32_t crm_days_from_civil(int year, int month, int day);
void crm_civil_from_days(int32_t days, int *year, int *month, int *day);
/* 1 when year-month-day is a real date. */
int crm_date_valid(int year, int month, int day);

enum { CRM_DATE_ISO_MAX = 20 };  /* "YYYY-MM-DD HH:MM:SS" + NUL */
/* Writes "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS" when the time is known.
 * Returns the length written. */
size_t crm_datetime_format(crm_datetime dt, char buf[CRM_DATE_ISO_MAX]);
/* Compares two datetimes (a missing time sorts as midnight). */
int crm_datetime_cmp(crm_datetime a, crm_datetime b);

#endif
