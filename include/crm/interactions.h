/* Interactions beyond purchases (web visits, calls, store visits, survey
 * answers, questions asked): per customer, how many there were before the
 * as-of date and the latest one, so that recency can be judged on how a
 * customer engages and not only on what they buy (crm-rfm --interactions).
 *
 * Definitions (crm-rfm(1) says the same for users):
 *   interactions              the customer's interactions dated before as_of
 *   last_interaction          the latest of them
 *   interaction_recency_days  as_of - last_interaction
 *   prospect                  a customer with an interaction before as_of
 *                             and no purchase in the customers table
 * Interactions on or after as_of are left out and counted (rows_after).
 *
 * The recency R scores (crm_interactions_recency):
 *   purchases     recency_days (the customers table unchanged)
 *   interactions  interaction_recency_days; a customer without an
 *                 interaction before as_of has none (NaN)
 *   both          as_of - the later of the last purchase and the last
 *                 interaction: the most recent contact of either kind
 *
 * Memory grows with customers (a count and a day each).  Every aggregate is
 * mergeable (counts add, the last day is a maximum).  Pure computation: no
 * files, no printing, no exit. */
#ifndef CRM_INTERACTIONS_H
#define CRM_INTERACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"
#include "crm/rfm.h"

typedef struct crm_interactions crm_interactions;

typedef enum {
    CRM_RECENCY_FROM_PURCHASES = 0,
    CRM_RECENCY_FROM_INTERACTIONS,
    CRM_RECENCY_FROM_BOTH
} crm_recency_from;

typedef struct {
    uint64_t count;       /* interactions before as_of */
    int32_t last_day;     /* the latest of them (days since 1970-01-01) */
} crm_interaction_summary;

crm_status crm_interactions_new(crm_interactions **out, int32_t as_of, crm_error *err);
void crm_interactions_free(crm_interactions *a);

/* One interaction of a customer on a day.  CRM_ENOMEM. */
crm_status crm_interactions_add(crm_interactions *a, const char *customer, size_t customer_len, int32_t day,
                                crm_error *err);

/* Rows dated on or after as_of (left out). */
uint64_t crm_interactions_rows_after(const crm_interactions *a);

/* 1 and *out when the customer had an interaction before as_of, else 0. */
int crm_interactions_get(const crm_interactions *a, const char *customer, size_t customer_len,
                         crm_interaction_summary *out);

/* The customers with an interaction before as_of, in byte order of their
 * ids: *ids receives n indexes for crm_interactions_customer (free() it).
 * CRM_ENOMEM. */
crm_status crm_interactions_sorted(const crm_interactions *a, uint32_t **ids, size_t *n, crm_error *err);
const char *crm_interactions_customer(const crm_interactions *a, uint32_t id, size_t *len,
                                      crm_interaction_summary *summary);

/* The recency of each customer of res (in its order) that R scores, by the
 * rule above; NaN where there is none.  recency has res->count slots. */
void crm_interactions_recency(const crm_interactions *a, const crm_rfm_result *res, int32_t as_of,
                              crm_recency_from from, double *recency);

#endif
