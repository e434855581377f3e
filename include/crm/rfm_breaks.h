/* Global score breakpoints while the customers stay in their shards.
 *
 * A shard's table can be scored only with breakpoints of all customers
 * (quantiles of a shard are not those of the whole).  They follow from the
 * values alone: crm_rfm_values counts each distinct value of a dimension
 * (recency_days, frequency, monetary or profit), and type 7 quantiles of
 * the counted values are exactly crm_rfm_quantile_breaks of the values
 * listed one per customer (the same order statistics, the same
 * arithmetic).  Memory grows with distinct values, not customers: recency
 * takes at most one value per day, frequency a few hundred, monetary at
 * most one per customer (about 40 bytes each, against the several hundred a
 * customer costs in crm_rfm).
 *
 * crm_rfm_breakpoints is what a shard's run needs to score as one process:
 * the bins, what M scores, the as-of date, the calibration end and the end
 * of the holdout period of all the data, and the breakpoints.
 * crm/rfm_breaks_file.h reads and writes it.
 * Pure computation: no files, no printing. */
#ifndef CRM_RFM_BREAKS_H
#define CRM_RFM_BREAKS_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"
#include "crm/rfm.h"

typedef struct {
    int bins;
    crm_rfm_monetary monetary;
    int32_t as_of;
    int has_calibration_end;
    int32_t calibration_end;
    int32_t holdout_end;          /* with a calibration end: the last purchase day of all the data */
    uint64_t customers;           /* customers in the table */
    /* Breakpoints per dimension: bins - 1 of them, quantiles or fixed;
     * has_breaks 0 only for quantiles of an empty table. */
    int has_breaks[CRM_RFM_DIMENSIONS];
    int from_quantiles[CRM_RFM_DIMENSIONS];
    double breaks[CRM_RFM_DIMENSIONS][CRM_RFM_MAX_SCORE_BINS - 1];
} crm_rfm_breakpoints;

/* The breakpoints of a table computed in one process (res from
 * crm_rfm_finish with o; holdout_end: the aggregator's last day). */
void crm_rfm_breakpoints_from_result(crm_rfm_breakpoints *b, const crm_rfm_result *res, const crm_rfm_options *o,
                                     int32_t holdout_end);

/* Sets o to score with b: bins, monetary, as_of, the calibration end and
 * holdout end, and the breakpoints (pointers into b, which must outlive o's
 * use). */
void crm_rfm_breakpoints_apply(const crm_rfm_breakpoints *b, crm_rfm_options *o);

/* Fixed breakpoints as a user writes them ("30,90,180"): exactly bins - 1
 * finite numbers in increasing order, ties allowed, into *out (malloc'd,
 * also on failure: the caller frees it).  CRM_EUSAGE otherwise, naming
 * dimension (r, f or m) as the option --breaks D= does. */
crm_status crm_rfm_breaks_parse(char dimension, const char *text, int bins, double **out, crm_error *err);

/* ---- counts of values ---- */

typedef struct crm_rfm_values crm_rfm_values;

crm_status crm_rfm_values_new(crm_rfm_values **out, crm_error *err);
void crm_rfm_values_free(crm_rfm_values *v);
/* Counts one more customer with value (finite) in dimension d. */
crm_status crm_rfm_values_add(crm_rfm_values *v, crm_rfm_dimension d, double value, crm_error *err);
/* Customers counted and distinct values in d. */
uint64_t crm_rfm_values_total(const crm_rfm_values *v, crm_rfm_dimension d);
size_t crm_rfm_values_distinct(const crm_rfm_values *v, crm_rfm_dimension d);
/* The bins - 1 type 7 quantile breakpoints of offset + each counted value
 * (crm_rfm_quantile_breaks of that list; total >= 1, else CRM_EUSAGE). */
crm_status crm_rfm_values_breaks(const crm_rfm_values *v, crm_rfm_dimension d, int bins, double offset,
                                 double *breaks, crm_error *err);

/* ---- breakpoints from customers streamed one at a time ---- */

/* Counts the scoring values of customers summarised one by one
 * (crm_rfm_single_row), then turns them into breakpoints.  With
 * as_of_known 0 the as-of date is the day after the last purchase of all the
 * data, known only at the end: each row is then summarised with as_of
 * CRM_RFM_AS_OF_OPEN (every day counts), and recency is counted by the last
 * purchase day and shifted at the end. */
enum { CRM_RFM_AS_OF_OPEN = INT32_MAX };

typedef struct crm_rfm_breaks_builder crm_rfm_breaks_builder;

/* o: bins, monetary, as_of (when known), the calibration end, fixed breaks. */
crm_status crm_rfm_breaks_builder_new(crm_rfm_breaks_builder **out, const crm_rfm_options *o, int as_of_known,
                                      crm_error *err);
void crm_rfm_breaks_builder_free(crm_rfm_breaks_builder *b);
/* A customer of the table. */
crm_status crm_rfm_breaks_builder_add(crm_rfm_breaks_builder *b, const crm_rfm_customer *row, crm_error *err);
/* has_last_day, last_day: the last purchase day of all the data (any
 * customer's, also on or after as_of). */
crm_status crm_rfm_breaks_builder_finish(crm_rfm_breaks_builder *b, int has_last_day, int32_t last_day,
                                         crm_rfm_breakpoints *out, crm_error *err);

#endif
