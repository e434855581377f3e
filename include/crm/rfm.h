/* RFM and CRFM per customer, the model summary (x, t_x, T, monetary_value)
 * that lifetime-value models read, and mergeable partial aggregates.
 *
 * Transactions are added one line at a time (crm_rfm_add); memory grows with
 * customers and their purchase days, never with rows.  Per customer and
 * purchase day the aggregator keeps the exact decimal sum of the amounts
 * (and profits), the rows and the invoices first seen that day.  Everything
 * the customers table needs follows from these day totals, and day totals
 * from several runs add up (crm_rfm_add_day): a run split by customer across
 * processes and merged gives the same table, and with the invoice keys
 * (crm_rfm_keep_invoice_keys) a run split by rows anywhere does too.
 *
 * Definitions (DESIGN.md; crm-rfm(1) says the same for users):
 *   as_of            the day the table is computed for; the observation ends
 *                    the day before it (end = as_of - 1).  Day totals on or
 *                    after as_of are left out (counted in rows_after).
 *   first, last      first and last purchase day before as_of
 *   recency_days     as_of - last;  tenure_days = as_of - first
 *   frequency        distinct invoices (by_invoice) or distinct purchase days
 *   monetary         exact sum of the amounts
 *   avg_order_value  monetary / frequency, rounded half away from zero to
 *                    max(2, decimals of monetary) decimals
 *   profit           exact sum of the profits (CRFM contribution);
 *                    avg_profit = profit / frequency, rounded the same way
 *   x                distinct purchase days - 1 (same-day purchases merge)
 *   t_x, T           last - first, end - first, in days
 *   monetary_value   (monetary - the first purchase day's amount) / x, 0 when x = 0
 * With a calibration end E: as_of = E + 1, and the holdout period runs from
 * E + 1 to the last purchase day in all the data (H): x_holdout = purchase
 * days in it, monetary_holdout = their mean amount (0 without any),
 * duration_holdout = H - E.  Customers without a purchase before as_of are
 * left out of the table (customers_left_out), as lifetimes does.
 *
 * Scores 1..bins, bins the best: breakpoints b_1 <= ... <= b_{bins-1} are
 * either fixed or the quantiles of the values at j / bins (type 7, see
 * crm_rfm_quantile_breaks); a value v falls in bin 1 + #{j : b_j < v} (intervals
 * closed on the right), so equal values always share a score.  F and M
 * scores are that bin; R score is bins + 1 - the bin of recency_days.
 * Pure computation: no files, no printing. */
#ifndef CRM_RFM_H
#define CRM_RFM_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"
#include "crm/number.h"

enum { CRM_RFM_MIN_BINS = 2, CRM_RFM_MAX_SCORE_BINS = 100 };

typedef struct {
    int by_invoice;    /* frequency counts distinct invoices; else distinct purchase days */
    int with_profit;   /* lines carry a profit */
} crm_rfm_config;

/* One transaction line.  invoice is read only with by_invoice (an empty
 * invoice id counts as one invoice of its customer and day), profit only
 * with with_profit. */
typedef struct {
    const char *customer;
    size_t customer_len;
    const char *invoice;
    size_t invoice_len;
    int32_t day;            /* days since 1970-01-01 */
    crm_decimal amount;
    crm_decimal profit;
} crm_rfm_line;

/* The mergeable aggregate of one customer and purchase day (a row of a
 * partial file). */
typedef struct {
    const char *customer;
    size_t customer_len;
    int32_t day;
    uint64_t rows;
    uint64_t invoices;      /* invoices first seen this day (by_invoice) */
    crm_decimal amount;
    crm_decimal profit;     /* with_profit */
    /* The invoice keys (crm_rfm_invoice_key) of those invoices, when the
     * total carries them (has_invoice_keys): crm_rfm_add_day then counts an
     * invoice only when its key is new to the aggregator, so that totals of
     * one invoice cut across several inputs count it once. */
    int has_invoice_keys;
    const uint64_t *invoice_keys;
    size_t ninvoice_keys;
} crm_rfm_day_total;

typedef struct crm_rfm crm_rfm;

crm_status crm_rfm_new(crm_rfm **out, const crm_rfm_config *cfg, crm_error *err);
void crm_rfm_free(crm_rfm *a);
const crm_rfm_config *crm_rfm_get_config(const crm_rfm *a);

/* Adds one line.  CRM_EDATA when a customer's day sum no longer fits
 * (CRM_DECIMAL_MAX_SCALE decimals, 18 digits); CRM_ENOMEM. */
crm_status crm_rfm_add(crm_rfm *a, const crm_rfm_line *line, crm_error *err);
/* Adds a day total (from a partial file): sums with what is there.  With
 * invoice keys, invoices = the keys not seen before (t->invoices is not
 * read): an invoice counts on the day of the first total that names it, as
 * in one run it counts on the day of its first line. */
crm_status crm_rfm_add_day(crm_rfm *a, const crm_rfm_day_total *total, crm_error *err);

/* The key of one invoice of one customer, the same in every process and on
 * every machine: crm_hash_bytes of the invoice id seeded by the hash of the
 * customer id (an empty invoice id: of the day, as 4 little-endian bytes,
 * under the complemented seed, one invoice per customer and day).  The
 * aggregator counts distinct invoices by these keys; two different pairs
 * with one key would count once: with n distinct (customer, invoice) pairs in
 * all the data the chance of any such collision is about n^2 / 2^65 (3e-8
 * for a million invoices, 7e-6 for 16 million, 1e-2 for 600 million). */
uint64_t crm_rfm_invoice_key(const char *customer, size_t customer_len, const char *invoice,
                             size_t invoice_len, int32_t day);

/* From now on, remember each invoice's key with the day it was counted on
 * (8 bytes more per invoice, 16 in all), so that crm_rfm_each_day hands the
 * keys on (has_invoice_keys) and a partial file written from the day totals
 * merges exactly however the rows were split.  Call before adding. */
crm_status crm_rfm_keep_invoice_keys(crm_rfm *a, crm_error *err);

size_t crm_rfm_customer_count(const crm_rfm *a);
/* The last purchase day of all the data; 0 when there is none. */
int crm_rfm_last_day(const crm_rfm *a, int32_t *day);

/* Visits every day total, customers in byte order of their ids, days in
 * order: the content of a partial file.  Stops at the first status that is
 * not CRM_OK and returns it. */
typedef crm_status (*crm_rfm_day_visitor)(void *ctx, const crm_rfm_day_total *total, crm_error *err);
crm_status crm_rfm_each_day(const crm_rfm *a, crm_rfm_day_visitor visit, void *ctx, crm_error *err);

typedef enum { CRM_RFM_R = 0, CRM_RFM_F, CRM_RFM_M, CRM_RFM_DIMENSIONS } crm_rfm_dimension;

typedef enum {
    CRM_RFM_SCORE_AMOUNT = 0,   /* M scores monetary */
    CRM_RFM_SCORE_PROFIT        /* M scores profit (the contribution) */
} crm_rfm_monetary;

typedef struct {
    int32_t as_of;                /* see above */
    int has_calibration_end;
    int32_t calibration_end;      /* E; as_of must then be E + 1 */
    int bins;                     /* 5 */
    crm_rfm_monetary monetary;
    /* Fixed breakpoints per dimension (bins - 1 finite values in increasing
     * order; ties allowed, as quantiles tie: the bin between two equal
     * breakpoints stays empty, exactly as with the quantiles), or NULL for
     * quantiles. */
    const double *breaks[CRM_RFM_DIMENSIONS];
    /* The fixed breaks are quantiles computed on all the data elsewhere (a
     * breakpoints file, crm/rfm_breaks.h): the result says from_quantiles. */
    int breaks_from_quantiles[CRM_RFM_DIMENSIONS];
    /* With a calibration end: the last purchase day of all the data, when
     * the aggregator holds only a part of them (a shard); else its own. */
    int has_holdout_end;
    int32_t holdout_end;
    /* The result keeps each customer as its id and three scores (7 bytes)
     * instead of a crm_rfm_customer (about 200), and crm_rfm_result_row
     * summarises a row again when it is asked for: what a run writing the
     * table row by row needs, in a fraction of the memory. */
    int rows_on_demand;
} crm_rfm_options;

void crm_rfm_options_init(crm_rfm_options *opts);

typedef struct {
    const char *customer_id;      /* points into the aggregator: valid until crm_rfm_free */
    size_t customer_len;
    int32_t first_day, last_day;
    int64_t recency_days, tenure_days;
    uint64_t frequency;
    crm_decimal monetary, avg_order_value;
    crm_decimal profit, avg_profit;
    int score[CRM_RFM_DIMENSIONS];
    uint64_t x;
    int64_t t_x_days, T_days;
    crm_decimal repeat_amount;    /* monetary - the first day's amount */
    double monetary_value;
    uint64_t x_holdout;
    crm_decimal holdout_amount;
    double monetary_holdout;
} crm_rfm_customer;

typedef struct {
    crm_rfm_customer *customers;  /* sorted by customer_id, byte order; NULL with rows_on_demand */
    size_t count;
    /* With rows_on_demand: the aggregator's ids of the customers, in the
     * table's order, and their scores (r, f, m per customer). */
    const crm_rfm *source;
    crm_rfm_options options;
    uint32_t *ids;
    uint8_t *scores;
    int bins;
    double *breaks[CRM_RFM_DIMENSIONS];  /* bins - 1 each; NULL when count = 0 and quantiles */
    int from_quantiles[CRM_RFM_DIMENSIONS];
    int64_t duration_holdout_days;       /* with a calibration end */
    uint64_t rows_in;                    /* rows of all day totals */
    uint64_t rows_after;                 /* rows on or after as_of, not in the table's columns */
    uint64_t customers_left_out;         /* no purchase before as_of */
} crm_rfm_result;

/* Computes the customers table.  CRM_EUSAGE for bad options (bins outside
 * CRM_RFM_MIN_BINS..CRM_RFM_MAX_SCORE_BINS, breakpoints not increasing or not
 * finite, as_of not E + 1, profit scoring without profits); CRM_EDATA when a
 * sum does not fit. */
crm_status crm_rfm_finish(const crm_rfm *a, const crm_rfm_options *opts, crm_rfm_result *out,
                          crm_error *err);
void crm_rfm_result_free(crm_rfm_result *r);
/* Row i of the table (customer_id valid until crm_rfm_free); with
 * rows_on_demand it is summarised again from the days.  CRM_EDATA as
 * crm_rfm_finish. */
crm_status crm_rfm_result_row(const crm_rfm_result *res, size_t i, crm_rfm_customer *row, crm_error *err);
/* The customer id of row i. */
const char *crm_rfm_result_id(const crm_rfm_result *res, size_t i, size_t *len);

/* Scores R again (res computed without rows_on_demand, else CRM_EUSAGE)
 * from recency[i] (days, one per customer of res, in its order) instead of recency_days: the breakpoints are the fixed ones of opts
 * or the quantiles of the values that are not NaN, and a customer whose
 * value is NaN (no recency of that kind) gets r_score 1.  res->breaks[R]
 * is replaced.  CRM_ENOMEM. */
crm_status crm_rfm_score_recency(crm_rfm_result *res, const crm_rfm_options *opts, const double *recency,
                                 crm_error *err);

/* Quantile of sorted[0..n) at probability p in [0, 1], Hyndman & Fan type 7
 * (R's default, numpy's "linear"): h = (n - 1) p, and
 * Q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]), 0-based.
 * n must be at least 1. */
double crm_rfm_quantile(const double *sorted, size_t n, double p);
/* The bins - 1 quantile breakpoints of values[0..n) (n >= 1) at j / bins,
 * type 7 computed with whole numbers: with (n - 1) j = lo bins + rem
 * (0 <= rem < bins) and x sorted, b_j = x[lo] + (rem / bins)(x[lo + 1] - x[lo]),
 * and exactly x[lo] when rem = 0. */
crm_status crm_rfm_quantile_breaks(const double *values, size_t n, int bins, double *breaks,
                                   crm_error *err);
/* 1 + the number of breakpoints below v. */
int crm_rfm_bin(double v, const double *breaks, size_t nbreaks);

/* ---- one customer at a time ----
 * Partial files sorted by customer (as crm_rfm_each_day visits them) merge
 * as a stream: every day total of one customer, from every file, then the
 * next customer.  crm_rfm_single holds one customer's days only, so that
 * what a score needs (crm/rfm_breaks.h) takes memory for one customer, not
 * for all of them.  Its row is the one crm_rfm_finish gives that customer
 * when the totals come in the order crm_rfm_add_day would have had them
 * (file after file). */
typedef struct crm_rfm_single crm_rfm_single;

crm_status crm_rfm_single_new(crm_rfm_single **out, const crm_rfm_config *cfg, crm_error *err);
void crm_rfm_single_free(crm_rfm_single *s);
/* Forgets the customer: the next total starts the next one. */
void crm_rfm_single_clear(crm_rfm_single *s);
/* A day total of the customer (its id is taken from the first). */
crm_status crm_rfm_single_add_day(crm_rfm_single *s, const crm_rfm_day_total *t, crm_error *err);
/* The customer's row for opts' as_of (scores 0; customer_id points into s
 * until the next clear); *in_table 0 when there is no purchase before
 * as_of.  Call once per customer, after all its totals.  CRM_EDATA when a
 * sum does not fit. */
crm_status crm_rfm_single_row(crm_rfm_single *s, const crm_rfm_options *opts, crm_rfm_customer *row,
                              int *in_table, crm_error *err);
/* The customer's last day (also on or after as_of); 0 without any. */
int crm_rfm_single_last_day(const crm_rfm_single *s, int32_t *day);

/* a * mul / div rounded half away from zero to `decimals` decimals, exactly
 * (div > 0, 0 <= decimals <= CRM_DECIMAL_MAX_SCALE).  CRM_EDATA when the
 * intermediate product does not fit in 64 bits. */
crm_status crm_rfm_ratio(crm_decimal a, int64_t mul, int64_t div, int decimals, crm_decimal *out);

#endif
