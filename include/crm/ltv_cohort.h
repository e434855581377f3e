/* The seed's three simple lifetime-value methods, beside the purchase
 * models of crm/ltv.h:
 *
 *   cohort    the cohort lifetime-value table (Hughes, "Strategic Database
 *             Marketing"): customers grouped by the calendar year (or month)
 *             of their first purchase, followed period by period.
 *   simple    margin x purchases per period x expected lifetime, the
 *             lifetime being 1 / churn rate, discounted.
 *   historic  the profit to date (a column the caller reads).
 *
 * The cohort table, for cohort c and its period k = 1, 2, ... (k = 1 is the
 * acquisition period, the calendar period of the first purchase):
 *
 *   customers        cohort members with at least one purchase in period k
 *   retention_rate   customers(k) / customers(k - 1); none for k = 1 (period over
 *                    period: a cohort that buys more in year 3 than in year 2
 *                    goes above 1)
 *   retention_from_start  customers(k) / customers(1): the share of the cohort
 *                    still buying in period k (the cohort heatmap; 1 for k = 1)
 *   orders_per_customer  distinct orders in period k / customers(k)
 *   avg_order_value  revenue / orders
 *   revenue          sum of the amounts in period k
 *   cost_rate        the given rate, or (no rate given) direct_cost / revenue
 *   direct_cost      revenue x cost_rate, or (no rate given) the sum of the
 *                    costs the caller passed
 *                    (no rate given and no line with a cost: both NaN, and the
 *                    table is revenue-based: gross_profit and what follows it
 *                    leave the direct costs out; crm_cohort_table says so)
 *   acquisition_cost acquisition cost per new customer x customers(1), in
 *                    period 1 only
 *   marketing_cost   marketing cost per retained customer x customers(k),
 *                    from period 2 on
 *   gross_profit     revenue - direct_cost - acquisition_cost - marketing_cost
 *   discount_factor  (1 + i rf)^(k - 1), i the interest rate per period and
 *                    rf the risk factor
 *   npv_profit       gross_profit / discount_factor
 *   cumulative_npv   sum of npv_profit over periods 1..k
 *   ltv_per_customer cumulative_npv / customers(1)
 *
 * Every cohort runs to the last period that has data in any cohort, so a
 * cohort whose customers all lapsed shows its zero rows.
 *
 * Pure computation: no files, no printing, no exit. */
#ifndef CRM_LTV_COHORT_H
#define CRM_LTV_COHORT_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"
#include "crm/units.h"

typedef enum {
    CRM_COHORT_BY_YEAR = 0,
    CRM_COHORT_BY_MONTH
} crm_cohort_period;

typedef struct {
    double cost_rate;         /* share of revenue; NaN: use the costs passed in */
    double acquisition_cost;  /* money per new customer, >= 0 */
    double marketing_cost;    /* money per retained customer and period, >= 0 */
    double interest;          /* i per period, >= 0 */
    double risk_factor;       /* rf >= 0 (1: no risk premium) */
} crm_cohort_options;

typedef struct {
    int32_t cohort;           /* year (2011), or year * 100 + month (201112) */
    int period;               /* k = 1, 2, ... */
    double customers;
    double retention_rate;    /* NaN for k = 1 or when customers(k - 1) = 0 */
    double retention_from_start;  /* customers(k) / customers(1) */
    double orders_per_customer;   /* NaN when customers is 0 */
    double avg_order_value;   /* NaN when there are no orders */
    double revenue;
    double cost_rate;         /* NaN when no rate was given and revenue is 0 */
    double direct_cost;
    double acquisition_cost;
    double marketing_cost;
    double gross_profit;
    double discount_factor;
    double npv_profit;
    double cumulative_npv;
    double ltv_per_customer;
} crm_cohort_row;

typedef struct crm_cohort crm_cohort;

/* cost_rate NaN, the costs 0, interest 0, risk factor 1. */
void crm_cohort_options_init(crm_cohort_options *opts);

/* CRM_EUSAGE when a cost, the interest, the risk factor or a given
 * cost_rate is negative or not finite (a cost rate above 1, a loss on
 * every sale, is allowed). */
crm_status crm_cohort_options_check(const crm_cohort_options *opts, crm_error *err);

crm_cohort *crm_cohort_new(crm_cohort_period by);
void crm_cohort_free(crm_cohort *c);

/* Adds one transaction line: the customer, the day (days since
 * 1970-01-01), the order it belongs to (an invoice id; lines of the same
 * customer, period and order count as one order), the amount and the cost
 * (NaN when unknown).  CRM_EDATA for an amount or cost that is not finite;
 * CRM_ENOMEM when memory runs out. */
crm_status crm_cohort_add(crm_cohort *c, const char *customer, size_t customer_len, int32_t day,
                          const char *order, size_t order_len, double amount, double cost,
                          crm_error *err);

/* 1 when some line came without a cost (then direct costs need a rate). */
int crm_cohort_missing_costs(const crm_cohort *c);

/* 1 when the table will be revenue-based: no cost rate given and no line
 * with a cost.  The direct costs are then unknown (NaN) and gross_profit and
 * the columns after it are revenue less acquisition and marketing costs. */
int crm_cohort_revenue_based(const crm_cohort *c, const crm_cohort_options *opts);

/* The table, ordered by cohort and period, into a malloc'ed array the
 * caller frees.  CRM_EUSAGE for bad options, or when no cost rate is given
 * and some lines have a cost and others not; CRM_EDATA when there is no
 * transaction. */
crm_status crm_cohort_table(const crm_cohort *c, const crm_cohort_options *opts,
                            crm_cohort_row **rows, size_t *nrows, crm_error *err);

/* The simple method for one customer or group: the yearly profit
 * (margin x purchases per year x value per purchase) earned over an
 * expected lifetime of L = 1 / churn years, discounted by the yearly rate d
 * as an annuity paid at the end of each year, the last, partial year's
 * share paid at L:
 *   value = profit_per_year x sum_{k=1}^{floor L} (1+d)^-k
 *           + profit_per_year x (L - floor L) x (1+d)^-L
 * (d = 0: profit_per_year x L).  NaN when churn is not in (0, 1], d is
 * negative, or an argument is not finite. */
double crm_ltv_simple_value(double profit_per_year, double churn_per_year, double discount_per_year);

/* Expected lifetime 1 / churn (churn per year in (0, 1]); NaN otherwise. */
double crm_ltv_expected_lifetime(double churn_per_year);

/* ---- the options as people write them (crm-ltv --method cohort and simple) ---- */

/* The cohort options from text (each NULL: the default): cost_rate a share
 * of revenue ("60%", may exceed 100%), acquisition and marketing costs
 * amounts >= 0, interest a rate per year (turned into the rate per period
 * of `by`), risk_factor a number >= 0; then crm_cohort_options_check.
 * CRM_EUSAGE naming the option and the text otherwise. */
crm_status crm_cohort_options_parse(crm_cohort_options *opts, crm_cohort_period by, const char *cost_rate,
                                    const char *acquisition_cost, const char *marketing_cost,
                                    const char *interest, const char *risk_factor, crm_error *err);

/* The simple method's rates from text: churn per year ("20%"; "2%/m" is a
 * yearly churn of 1 - (1 - 0.02)^12), in (0, 1]; discount per year (NULL:
 * 10%).  CRM_EUSAGE naming the option otherwise. */
crm_status crm_ltv_simple_rates_parse(const char *churn, const char *discount, double *churn_per_year,
                                      double *discount_per_year, crm_error *err);

#endif
