/* Customer segments for crm-segment: named RFM segments, value tiers,
 * lifecycle stages, and the per-segment profile.  (K-means clusters are in
 * crm/kmeans.h.)
 *
 * Every function works on arrays with one entry per customer, in row order,
 * and writes one label per customer: an index into the names the method
 * defines.  Rows in messages are 1-based positions in those arrays.
 * Pure computation: no files, no printing; errors through crm_error. */
#ifndef CRM_SEGMENT_H
#define CRM_SEGMENT_H

#include <stddef.h>

#include "crm/error.h"

/* ==== RFM segments ====
 *
 * A map is a list of rules {name, r_lo..r_hi, f_lo..f_hi, m_lo..m_hi} over the
 * scores 1..bins that crm-rfm writes (bins = the highest score: the most
 * recent, most frequent, highest spending customers).  A customer takes the
 * name of the first rule whose three ranges all hold its scores, and
 * "Other" when none does.  Rules of different names may not overlap
 * (crm_rfm_map_validate), so the order decides nothing; several rules may
 * share a name to describe a segment that is not one box.
 *
 * The default map, for 5 bins (r, f, m are the recency, frequency and
 * monetary scores):
 *
 *   segment             r     f     m
 *   Champions           5     4-5   1-5
 *   Loyal               3-4   4-5   1-5
 *   Potential Loyalist  4-5   2-3   1-5
 *   New                 5     1     1-5
 *   Promising           4     1     1-5
 *   Need Attention      3     2-3   1-5
 *   About To Sleep      3     1     1-5
 *   At Risk             1-2   3-5   1-3
 *   Can't Lose Them     1-2   3-5   4-5
 *   Hibernating         2     1-2   1-5
 *   Lost                1     1-2   1-5
 *
 * These boxes cover all 125 score cells once, so with 5 bins nobody is
 * "Other".  Monetary only separates At Risk (lower spend) from Can't Lose
 * Them (higher spend).
 *
 * Other bin counts B: a score s in 1..B stands for the 5-bin score whose
 * fifth of the range holds the middle of s's B-th of the range,
 * s5 = floor((2s - 1) * 5 / (2B)) + 1, and each rule keeps the scores s
 * whose s5 lies in its 5-bin range.  With 10 bins, 1-2 -> 1, 3-4 -> 2, ...,
 * 9-10 -> 5; with 3 bins, 1 -> 1, 2 -> 3, 3 -> 5.  A rule none of whose
 * scores survive in one of r, f, m (with fewer than 5 bins) is dropped. */

enum {
    CRM_RFM_NAME_MAX = 64,        /* bytes of a segment name, with the terminating NUL */
    CRM_RFM_DEFAULT_RULES = 11,   /* rules in the default map */
    CRM_RFM_MAX_BINS = 1000
};

typedef struct {
    char name[CRM_RFM_NAME_MAX];
    int r_lo, r_hi;
    int f_lo, f_hi;
    int m_lo, m_hi;
} crm_rfm_rule;

/* The default map for bins 1..CRM_RFM_MAX_BINS: rules (room for
 * CRM_RFM_DEFAULT_RULES) and *count receive the scaled rules. */
crm_status crm_rfm_default_map(int bins, crm_rfm_rule *rules, size_t *count, crm_error *err);

/* Parses one score range: "N", "N-M" (N <= M) or "*" (every score), with
 * optional spaces around the numbers, each number in 1..bins.  CRM_EDATA
 * with a message naming the text when it is anything else. */
crm_status crm_rfm_parse_range(const char *text, int bins, int *lo, int *hi, crm_error *err);

/* Parses one map row from its fields: a segment name (surrounding spaces
 * removed, 1..CRM_RFM_NAME_MAX-1 bytes, no control characters) and the r, f
 * and m ranges as crm_rfm_parse_range reads them.  The caller prefixes the
 * message with the file and line. */
crm_status crm_rfm_parse_rule(const char *name, const char *r, const char *f, const char *m,
                              int bins, crm_rfm_rule *out, crm_error *err);

/* Checks a map: at least one rule; every name non-empty and terminated
 * within CRM_RFM_NAME_MAX; every range 1 <= lo <= hi <= bins; no two rules
 * of different names overlap.  CRM_EDATA naming the rule (1-based) or the
 * first shared cell: "segments 'A' (rule 1) and 'B' (rule 4) overlap at
 * r=3 f=2 m=1". */
crm_status crm_rfm_map_validate(const crm_rfm_rule *rules, size_t count, int bins,
                                crm_error *err);

/* The segment names of a map: the distinct rule names in order of first
 * appearance, then "Other" unless a rule already uses that name.  names
 * needs room for count + 1 pointers (into rules, or to a static "Other").
 * Returns how many names were written; the labels of crm_rfm_assign index
 * this list. */
size_t crm_rfm_segment_names(const crm_rfm_rule *rules, size_t count, const char **names);

/* Labels n customers from their scores (each 1..bins, else CRM_EDATA naming
 * the row and score).  The map must have passed crm_rfm_map_validate. */
crm_status crm_rfm_assign(const crm_rfm_rule *rules, size_t count, int bins, const int *r,
                          const int *f, const int *m, size_t n, int *labels, crm_error *err);

/* ==== value tiers: MVC, MGC, BZ ====
 *
 * value[i] is the customer's value to date (profit, or monetary total when
 * costs are unknown); predicted[i] is the predicted value (clv), or
 * predicted is NULL.  The ranking value v is predicted when given, else
 * value.  Then, in this order:
 *
 *   BZ   (below zero)     v < 0: costs more than it brings.
 *   MVC  (most valuable)  customers ranked by v, highest first (the earlier
 *                         row first on equal v), are taken while v > 0 until
 *                         the taken ones hold top_share of the total of the
 *                         positive v (the smallest such group); or, when
 *                         top_count > 0, the first top_count customers with
 *                         v > 0.  The cumulative share is compared with a
 *                         relative slack of 1e-12 so that rounding of the
 *                         sums cannot move the cut.
 *   MGC  (most growable)  with predicted: the others whose
 *                         predicted > 0 and predicted > growth * margin * value.
 *
 * Like is compared with like: predicted and margin * value must both be
 * profit or both revenue.  margin is 1 when they already are (profit to
 * date beside a clv from that profit, or revenue beside a clv at margin
 * 100%); it is the clv's margin when value is revenue and predicted is a
 * profit at that margin.
 *   Standard              everyone else. */

typedef enum {
    CRM_TIER_MVC = 0,
    CRM_TIER_MGC,
    CRM_TIER_STANDARD,
    CRM_TIER_BZ,
    CRM_TIER_COUNT
} crm_value_tier;

/* "MVC", "MGC", "Standard", "BZ"; labels of crm_value_tiers index these. */
const char *crm_value_tier_name(crm_value_tier tier);

typedef struct {
    double top_share;   /* 0.8: MVC hold this share of the positive value (0 < share <= 1) */
    size_t top_count;   /* 0: use top_share; else this many MVC */
    double growth;      /* 1.5: MGC when predicted > growth * margin * value (growth > 0) */
    double margin;      /* 1: the share of value comparable with predicted (0 < margin <= 1) */
} crm_value_options;

void crm_value_options_init(crm_value_options *opts);

typedef struct {
    size_t count[CRM_TIER_COUNT];   /* customers per tier */
    double positive_total;          /* sum of v over v > 0 */
    double mvc_total;               /* sum of v over MVC */
    double mvc_cutoff;              /* lowest v among MVC (0 when none) */
    size_t mvc_last_row;            /* 0-based row of the last MVC taken (SIZE_MAX when none) */
    int mvc_cutoff_split;           /* 1: some customers whose v is mvc_cutoff are not MVC (the
                                       earlier rows of that value were taken) */
} crm_value_summary;

/* Labels n customers with tiers (crm_value_tier values).  summary may be
 * NULL.  Non-finite value or predicted: CRM_EDATA naming the row; bad
 * options: CRM_EUSAGE. */
crm_status crm_value_tiers(const double *value, const double *predicted, size_t n,
                           const crm_value_options *opts, int *labels,
                           crm_value_summary *summary, crm_error *err);

/* Value tiers from a saved cut-off (crm-segment --model-file), so that a
 * shard of the customers is labelled as the whole table was: MVC are the
 * customers whose v > 0 is above cutoff, or equal to it when at_cutoff_taken
 * is NULL or at_cutoff_taken[i] is 1 (the whole table took only the earlier
 * rows of a tied cut-off value: summary mvc_cutoff_split); none when has_mvc
 * is 0.  BZ and MGC as crm_value_tiers; top_share and top_count are not
 * used.  Errors as crm_value_tiers. */
crm_status crm_value_tiers_from_cutoff(const double *value, const double *predicted, size_t n,
                                       const crm_value_options *opts, int has_mvc, double cutoff,
                                       const unsigned char *at_cutoff_taken, int *labels,
                                       crm_error *err);

/* ==== lifecycle stages ====
 *
 * Per customer: tenure_days (first purchase to the as-of date),
 * recency_days (last purchase to the as-of date), frequency (purchases over
 * the tenure), and optionally recent_frequency (purchases within the last
 * recent_days, part of frequency) and p_alive.  The purchase trend is the
 * rate in the recent window over the rate before it:
 *
 *   trend = (recent_frequency / recent_days)
 *         / ((frequency - recent_frequency) / (tenure_days - recent_days))
 *
 * defined only with recent_frequency and tenure_days > recent_days, and not
 * when both counts are 0; +inf when only the earlier count is 0.  With
 * previous_frequency too (the purchases in the window of the same length
 * before the recent one: crm-rfm --recent-window writes both), the two
 * windows are compared directly:
 *
 *   trend = recent_frequency / previous_frequency
 *
 * defined only when tenure_days >= 2 recent_days (the earlier window lies
 * wholly after the first purchase), and not when both counts are 0; +inf
 * when only previous_frequency is 0.  The first rule that holds names the
 * stage:
 *
 *   prospect   flagged as one (no purchase yet: crm-rfm --prospects); the
 *              other inputs of that row are not read
 *   lapsed     recency_days > lapsed_days, or p_alive < lapsed_p_alive
 *   new        tenure_days <= new_days
 *   declining  recency_days > declining_days, or p_alive < declining_p_alive,
 *              or trend <= declining_trend
 *   growing    trend >= growing_trend, or tenure_days <= mature_days
 *   mature     everyone else */

typedef enum {
    CRM_STAGE_NEW = 0,
    CRM_STAGE_GROWING,
    CRM_STAGE_MATURE,
    CRM_STAGE_DECLINING,
    CRM_STAGE_LAPSED,
    CRM_STAGE_PROSPECT,   /* last, so that tables without prospects keep five stages */
    CRM_STAGE_COUNT
} crm_lifecycle_stage;

/* "new", "growing", "mature", "declining", "lapsed", "prospect". */
const char *crm_lifecycle_stage_name(crm_lifecycle_stage stage);

typedef struct {
    double new_days;            /* 90 */
    double mature_days;         /* 365 */
    double declining_days;      /* 180 */
    double lapsed_days;         /* 365 */
    double recent_days;         /* 90: the window of recent_frequency */
    double growing_trend;       /* 1.5 */
    double declining_trend;     /* 0.5 */
    double declining_p_alive;   /* 0.5 */
    double lapsed_p_alive;      /* 0.1 */
} crm_lifecycle_options;

void crm_lifecycle_options_init(crm_lifecycle_options *opts);

typedef struct {
    const double *tenure_days;
    const double *recency_days;
    const double *frequency;
    const double *recent_frequency;   /* or NULL: no trend */
    const double *p_alive;            /* or NULL */
    const double *previous_frequency; /* or NULL: the trend over the whole tenure */
    const unsigned char *prospect;    /* or NULL: 1 for a customer without purchases */
} crm_lifecycle_input;

/* Labels n customers with stages (crm_lifecycle_stage values).  CRM_EDATA
 * naming the row for a non-finite or negative input, recency above tenure,
 * recent_frequency (plus previous_frequency) above frequency, p_alive
 * outside 0..1; CRM_EUSAGE for
 * thresholds that are negative or out of order (new_days > mature_days,
 * declining_days > lapsed_days, declining_trend >= growing_trend,
 * lapsed_p_alive > declining_p_alive, p_alive thresholds outside 0..1,
 * recent_days <= 0). */
crm_status crm_lifecycle_assign(const crm_lifecycle_input *in, size_t n,
                                const crm_lifecycle_options *opts, int *labels,
                                crm_error *err);

/* ==== profile: one row per segment ==== */

typedef struct {
    size_t customers;
    double customer_share;   /* customers / n */
    double value_total;      /* sum of value over the segment (0 without value) */
    double value_share;      /* value_total / the sum over all customers; 0 when that is 0 */
} crm_segment_stats;

/* Aggregates n labelled customers (labels 0..nlabels-1, else CRM_EUSAGE)
 * into stats[nlabels] and, with features (n x d row-major, original units),
 * means[nlabels x d]: each feature's mean over the segment, NaN for an
 * empty segment.  value and features may be NULL; a non-finite value or
 * feature is CRM_EDATA naming the row. */
crm_status crm_segment_profile(const int *labels, size_t n, size_t nlabels, const double *value,
                               const double *features, size_t d, crm_segment_stats *stats,
                               double *means, crm_error *err);

#endif
