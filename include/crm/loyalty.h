/* Loyalty measured in steps, as the CRM method does it: choose the factors,
 * split them into objective ones (quantities and times: how often, how
 * regularly, how long, how much) and subjective ones (the customer's own
 * view of price, service and quality, from a survey), weigh each group,
 * compute the objective and the subjective value and combine them.
 *
 * Objective factors, each scaled to 0..1 (crm-segment(1) says the same):
 *   repeat      min(consecutive_periods, loyal_periods) / loyal_periods:
 *               1 from three consecutive purchase periods on (the common
 *               behavioural rule: three consecutive purchase periods is
 *               loyal); consecutive_periods as crm-rfm --loyalty-period
 *               writes it
 *   regularity  1 / (1 + gap_cv): 1 for purchases at even intervals, lower
 *               the more the gaps vary; 0 when gap_cv is missing (NaN:
 *               fewer than two gaps, no rhythm to judge)
 *   tenure      min(tenure_days / tenure_full_days, 1)
 *   frequency   min(frequency / frequency_full, 1)
 *   objective   the mean of the four (equal weights)
 * Subjective value: each survey score scaled to 0..1 by its scale,
 * (v - lo) / (hi - lo), and the mean of the customer's scaled answers
 * (crm_loyalty_subjective).
 * Combined, in 0..100:
 *   score = 100 (w_o objective + w_s subjective) / (w_o + w_s)  with an answer
 *   score = 100 objective                                      without one
 * Tiers by score: loyal >= 75, regular >= 50, occasional >= 25, transient
 * below.  Pure computation: no files, no printing, no exit. */
#ifndef CRM_LOYALTY_H
#define CRM_LOYALTY_H

#include <stddef.h>

#include "crm/error.h"

typedef enum {
    CRM_LOYALTY_LOYAL = 0,
    CRM_LOYALTY_REGULAR,
    CRM_LOYALTY_OCCASIONAL,
    CRM_LOYALTY_TRANSIENT,
    CRM_LOYALTY_TIER_COUNT
} crm_loyalty_tier;

/* "loyal", "regular", "occasional", "transient". */
const char *crm_loyalty_tier_name(crm_loyalty_tier tier);

typedef struct {
    double loyal_periods;        /* 3 */
    double tenure_full_days;     /* 365 */
    double frequency_full;       /* 12 */
    double objective_weight;     /* 0.7 */
    double subjective_weight;    /* 0.3 */
} crm_loyalty_options;

void crm_loyalty_options_init(crm_loyalty_options *opts);

typedef struct {
    const double *consecutive_periods;
    const double *gap_cv;        /* NaN where missing */
    const double *tenure_days;
    const double *frequency;
    const double *subjective;    /* 0..1, NaN without an answer; or NULL: no survey */
} crm_loyalty_input;

typedef struct {
    double repeat, regularity, tenure, frequency;   /* the factors, 0..1 */
    double objective;            /* 0..1 */
    double subjective;           /* 0..1, NaN without an answer */
    double score;                /* 0..100 */
    int answered;                /* 1 when the subjective value is in the score */
    int tier;                    /* a crm_loyalty_tier */
} crm_loyalty_result;

/* Scores n customers.  CRM_EDATA naming the row ("row N: ...") for a
 * negative or non-finite input or a subjective value outside 0..1;
 * CRM_EUSAGE for options that are not positive (weights may be 0, not both). */
crm_status crm_loyalty_assign(const crm_loyalty_input *in, size_t n, const crm_loyalty_options *opts,
                              crm_loyalty_result *out, crm_error *err);

/* The mean of answers[j] scaled by (answers[j] - lo[j]) / (hi[j] - lo[j])
 * over the j where answers[j] is not NaN (hi[j] > lo[j]); NaN when there is
 * none. */
double crm_loyalty_subjective(const double *answers, const double *lo, const double *hi, size_t ncols);

/* Parses the weights written objective=W,subjective=W (either or both,
 * each >= 0, not both 0) into opts; CRM_EUSAGE otherwise, with a message
 * "wants ..." for the caller to put the option's name before. */
crm_status crm_loyalty_parse_weights(const char *text, crm_loyalty_options *opts, crm_error *err);

#endif
