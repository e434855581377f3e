/* Numbers and money as exports write them, and exact decimal arithmetic.
 *
 * Accepted: an optional sign, thousands separators (',' or, with
 * decimal_comma, '.' and ' '), currency signs before or after the number
 * ($ £ € ¥ NT$ US$ and a trailing 元), accounting negatives "(12.50)", and
 * white space around.  '.' is the decimal point unless decimal_comma.
 * Parsing never depends on the process locale.
 *
 * In detail:
 * - white space is ASCII blanks, U+00A0 and U+202F (no-break spaces);
 * - one currency mark, before or after the number, with or without a space:
 *   $ £ € ¥ ￥ NT$ US$ HK$ RMB USD EUR GBP CNY TWD JPY HKD (codes in capitals);
 *   元 only after the number;
 * - one sign, before the number or before/after a leading currency mark
 *   ("-$5", "$-5"); none inside parentheses;
 * - thousands groups follow the rule of three: a first group of 1 to 3
 *   digits not starting with 0, then groups of exactly 3 digits, all with
 *   the same separator.  "1,234" is 1234; "1,23", "0,123", "1234,567" and
 *   "1,23,456" are not numbers.  With decimal_comma the separators are '.',
 *   ' ', U+00A0 and U+202F, so "1.500" is 1500 and "1.5" is not a number;
 * - ".5" and "5." are read; "e" notation ("1e3", "2.5E-2") only on plain
 *   numbers (no groups, currency or parentheses);
 * - refused: empty text, a lone sign, letters ("nan", "inf", "0x10"), two
 *   decimal points, a trailing minus, anything left over.
 *
 * crm_decimal keeps money exact: 0.1 + 0.2 is 0.3, and a sum printed with
 * crm_decimal_format equals the exact decimal sum of its inputs.
 * Knows nothing of CRM. */
#ifndef CRM_NUMBER_H
#define CRM_NUMBER_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"

typedef struct {
    int decimal_comma;   /* "1.234,56" means 1234.56 */
} crm_number_options;

enum { CRM_DECIMAL_MAX_SCALE = 9 };

typedef struct {
    int64_t units;   /* value = units / 10^scale */
    int scale;       /* 0..CRM_DECIMAL_MAX_SCALE */
} crm_decimal;

/* Parses a plain or money-formatted number.  CRM_EDATA, without a message,
 * when s is empty or not a number (the caller names file, line, column).
 * opts may be NULL for the defaults. */
crm_status crm_parse_double(const char *s, size_t len, const crm_number_options *opts, double *out);

/* Same accepted forms, kept exact.  CRM_EDATA when not a number, when it has
 * more than CRM_DECIMAL_MAX_SCALE decimals or does not fit.  The scale is
 * the number of decimals written ("2.50" is 250 at scale 2); zeros beyond
 * the 9th decimal are dropped when that makes the value fit.  |units| is at
 * most INT64_MAX. */
crm_status crm_parse_decimal(const char *s, size_t len, const crm_number_options *opts,
                             crm_decimal *out);

/* Parses a whole number (no decimals, no currency); CRM_EDATA otherwise. */
crm_status crm_parse_int64(const char *s, size_t len, int64_t *out);

/* Exact arithmetic; CRM_EDATA when the result does not fit (overflow) or
 * needs more than CRM_DECIMAL_MAX_SCALE decimals.  A sum keeps the larger
 * scale, a product the sum of the scales ("6" * "2.55" = "15.30"); trailing
 * zeros are dropped only as far as needed to fit.  Scales outside
 * 0..CRM_DECIMAL_MAX_SCALE give CRM_EDATA. */
crm_status crm_decimal_add(crm_decimal a, crm_decimal b, crm_decimal *out);
crm_status crm_decimal_sub(crm_decimal a, crm_decimal b, crm_decimal *out);
crm_status crm_decimal_mul(crm_decimal a, crm_decimal b, crm_decimal *out);
/* -1, 0, 1 comparing values (not representations: 1.50 == 1.5). */
int crm_decimal_cmp(crm_decimal a, crm_decimal b);
int crm_decimal_sign(crm_decimal a);
/* The same value with trailing zero decimals removed, but keeping at least
 * min_scale decimals: trim(4.5900, 2) is 4.59, trim(0.7650, 2) is 0.765. */
crm_decimal crm_decimal_trim(crm_decimal a, int min_scale);
crm_decimal crm_decimal_from_int(int64_t v);
double crm_decimal_to_double(crm_decimal a);

enum { CRM_NUMBER_TEXT_MAX = 40 };
/* Exact text with the decimal's own scale ("15.30", "-0.5", "12").
 * Returns the length written. */
size_t crm_decimal_format(crm_decimal a, char buf[CRM_NUMBER_TEXT_MAX]);
/* Shortest text that reads back as the same double ("0.1", "1e-07", "12";
 * -0 is written "0").  Callers check isfinite; should they not, the text is
 * "nan", "inf" or "-inf".  Returns the length. */
size_t crm_double_format(double v, char buf[CRM_NUMBER_TEXT_MAX]);
/* Fixed decimals (0..17), rounding half away from zero, "-0.00" printed as
 * "0.00".  Exact ties are those of the binary value: 0.125 gives "0.13", but
 * 2.675 (really 2.67499999...) gives "2.67".  A value too wide for the
 * buffer in fixed notation is written as by crm_double_format. */
size_t crm_double_format_fixed(double v, int decimals, char buf[CRM_NUMBER_TEXT_MAX]);
/* digits (1..17) significant digits, for the ratios, shares, means and
 * probabilities people read: fixed notation without trailing zeros
 * ("0.130734", "579.966", "0.00000123457"), rounded as
 * crm_double_format_fixed rounds; a value with more whole digits keeps them
 * all ("1234568"); values so small that this would need more
 * than 17 decimals in exponent form ("1.23457e-15"), so that a small
 * probability never prints as 0.  0 and -0 are "0". */
size_t crm_double_format_significant(double v, int digits, char buf[CRM_NUMBER_TEXT_MAX]);

#endif
