/* Purchases in the last window before the as-of date and in the window
 * before that, per customer of a customers table: what crm-segment's
 * lifecycle trend compares (crm-rfm --recent-window), so that the trend
 * follows from the transactions and needs no hand-made column.
 *
 * With as_of A and window W days:
 *   purchases_recent    purchases on days A - W .. A - 1
 *   purchases_previous  purchases on days A - 2W .. A - W - 1
 * A purchase counts as frequency does: the invoices first seen that day
 * (by_invoice), else one per purchase day.  Both are parts of frequency.
 * Pure computation: no files, no printing. */
#ifndef CRM_RFM_WINDOWS_H
#define CRM_RFM_WINDOWS_H

#include <stdint.h>

#include "crm/error.h"
#include "crm/interactions.h"
#include "crm/rfm.h"

/* Purchase rhythm for loyalty (crm-rfm --loyalty-period P, crm-segment
 * --by loyalty), over the purchase days before as_of:
 *   consecutive_periods  the number of periods of P days, counting back from
 *                        as_of (period k covers days as_of - kP .. as_of -
 *                        (k-1)P - 1), each of which has a purchase: 0 when the
 *                        last P days have none, 3 when the last three
 *                        periods all have one
 *   gap_cv               the coefficient of variation (population standard
 *                        deviation over mean) of the gaps in days between
 *                        successive purchase days; NaN with fewer than two
 *                        gaps (a rhythm needs three purchase days)
 * streak[i] and gap_cv[i] for each customer of res.  period_days >= 1, else
 * CRM_EUSAGE. */
crm_status crm_rfm_rhythm(const crm_rfm *a, const crm_rfm_result *res, int32_t as_of, int32_t period_days,
                          uint64_t *streak, double *gap_cv, crm_error *err);

/* recent[i] and previous[i] for each customer of res (in its order; res
 * computed from a with the same as_of).  window_days >= 1, else CRM_EUSAGE. */
crm_status crm_rfm_windows(const crm_rfm *a, const crm_rfm_result *res, int32_t as_of, int32_t window_days,
                           uint64_t *recent, uint64_t *previous, crm_error *err);

/* The optional columns of a table, per row of res: the windows (recent,
 * previous) when window_days > 0, the rhythm (streak, gap_cv) when
 * period_days > 0, each NULL when not asked.  Free with
 * crm_rfm_extras_free. */
typedef struct {
    uint64_t *recent, *previous;
    uint64_t *streak;
    double *gap_cv;
} crm_rfm_extras;

crm_status crm_rfm_extras_compute(const crm_rfm *a, const crm_rfm_result *res, int32_t as_of, int32_t window_days,
                                  int32_t period_days, crm_rfm_extras *out, crm_error *err);
void crm_rfm_extras_free(crm_rfm_extras *x);

/* Scores R of res (made without rows_on_demand) again from the recency of
 * the interactions, or of the later of purchase and interaction (from):
 * crm_interactions_recency, then crm_rfm_score_recency. */
crm_status crm_rfm_rescore_recency(crm_rfm_result *res, const crm_rfm_options *opts, const crm_interactions *in,
                                   crm_recency_from from, crm_error *err);

#endif
