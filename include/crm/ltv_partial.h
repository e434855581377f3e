/* Mergeable statistics of the lifetime models (crm-ltv --partial / --merge):
 * what a shard of the customers contributes to the purchase and spend
 * likelihoods, so that the fit from all shards' statistics is the fit of one
 * process on the whole table, to the last bit.
 *
 *   purchase model: each distinct (x, t_x, T) with the number of customers
 *                   that have it and the first of them (the lowest
 *                   customer_id in byte order);
 *   spend model:    each repeat buyer (x > 0) with x and monetary_value.
 *
 * Why these and in this order: the purchase fit (crm_ltv_fit) merges
 * identical rows in the order they first appear, and the Gamma-Gamma fit
 * sums its customers in their order, so the sums run in the same order only
 * when the rows come as one process reads them: the customers table sorted
 * by customer_id, as crm-rfm writes it.  crm_ltv_partial_rows gives the
 * purchase rows ordered by their first customer, weighted by their counts
 * (whole numbers, added exactly), and the spend rows ordered by customer.
 * Customers are added in increasing customer_id order within one source;
 * sources (shards, earlier merges) come in any order.
 * Pure computation: no files, no printing. */
#ifndef CRM_LTV_PARTIAL_H
#define CRM_LTV_PARTIAL_H

#include <stddef.h>

#include "crm/error.h"
#include "crm/ltv_models.h"

typedef struct crm_ltv_partial crm_ltv_partial;

crm_status crm_ltv_partial_new(crm_ltv_partial **out, crm_error *err);
void crm_ltv_partial_free(crm_ltv_partial *p);

/* Starts a new source: the increasing-id rule starts over. */
void crm_ltv_partial_next_source(crm_ltv_partial *p);

/* One customer of weight 1.  has_spend: monetary_value is known (the table
 * has the column).  CRM_EDATA when id does not come after the previous
 * customer of this source in byte order ("customer_id 'B' comes after 'C':
 * ..."), or is empty. */
crm_status crm_ltv_partial_add_customer(crm_ltv_partial *p, const char *id, size_t len, double x,
                                        double t_x, double T, int has_spend, double monetary_value,
                                        crm_error *err);

/* A purchase row read back: count customers (a whole number >= 1) with this
 * (x, t_x, T), the first being id. */
crm_status crm_ltv_partial_add_purchase(crm_ltv_partial *p, const char *id, size_t len, double x,
                                        double t_x, double T, double count, crm_error *err);

/* A spend row read back: one repeat buyer. */
crm_status crm_ltv_partial_add_spend(crm_ltv_partial *p, const char *id, size_t len, double x,
                                     double monetary_value, crm_error *err);

/* The statistics, merged: *purchase (npurchase rows) ordered by first
 * customer, weight = customers; *spend (nspend rows, x and monetary_value,
 * weight 1) ordered by customer; ids[i] / id_lens[i] name the first
 * customer of purchase row i, spend_ids the spend rows' customers (pointers
 * into p, valid until the next change).  CRM_EDATA when a customer appears
 * in two spend rows ("customer 'X' appears in two partials").  The arrays
 * are malloc'd; the caller frees them. */
crm_status crm_ltv_partial_rows(crm_ltv_partial *p, crm_ltv_customer **purchase, size_t *npurchase,
                                const char ***ids, size_t **id_lens, crm_ltv_customer **spend,
                                size_t *nspend, const char ***spend_ids, size_t **spend_id_lens,
                                crm_error *err);

#endif
