/* The customers table crm-rfm writes (crm-rfm(1) defines its columns) and
 * its thresholds file: one row per customer of a crm_rfm_result, in its
 * order (customer_id, byte order), with the columns that the options ask
 * for, and the prospects of the interactions merged in customer order.
 * Never prints, never exits. */
#ifndef CRM_RFM_TABLE_H
#define CRM_RFM_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/attributes.h"
#include "crm/csv.h"
#include "crm/error.h"
#include "crm/interactions.h"
#include "crm/rfm.h"
#include "crm/units.h"

typedef struct {
    crm_time_unit unit;            /* of t_x, T and duration_holdout */
    int decimals;                  /* of those and the means: -1 shortest, else exactly rounded */
    int with_profit;               /* profit, avg_profit */
    int with_holdout;              /* x_holdout, monetary_holdout, duration_holdout */
    const crm_interactions *interactions;  /* the three interaction columns, or NULL */
    int prospects;                 /* also the customers seen only in the interactions */
    int32_t as_of;                 /* for interaction_recency_days */
    const uint64_t *recent, *previous;     /* purchases_recent/previous per row, or NULL */
    const uint64_t *streak;        /* consecutive_periods per row, or NULL */
    const double *gap_cv;          /* with streak; NaN: empty */
    const crm_attributes *attributes;      /* the kept columns, or NULL */
    const char *const *keep_names;
    size_t nkeep;
} crm_rfm_table_options;

/* The names of every column the table can have, NULL-ended: a kept column
 * may not take one. */
extern const char *const crm_rfm_table_names[];

/* Header and rows; *prospects: the prospect rows written. */
crm_status crm_rfm_table_write(crm_csv_writer *w, const crm_rfm_result *res, const crm_rfm_table_options *opts,
                               uint64_t *prospects, crm_error *err);

/* dimension,index,probability,value: one row per breakpoint of res
 * (probability j / bins for quantiles, empty for fixed ones). */
crm_status crm_rfm_thresholds_write(crm_csv_writer *w, const crm_rfm_result *res, crm_error *err);

#endif
