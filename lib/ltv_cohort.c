#include "crm/ltv_cohort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/number.h"
#include "crm/strtab.h"

/* One (customer, calendar period) with purchases: the unit the table is
 * built from, so memory grows with customers x active periods, not lines. */
struct crm_cohort {
    crm_cohort_period by;
    crm_strtab *customers;
    crm_strtab *pairs;          /* key: customer id and period, 8 bytes */
    crm_hashset *orders;        /* hash of (pair, order id) */
    uint32_t *pair_customer;
    int32_t *pair_period;
    double *revenue, *cost;
    uint64_t *norders;
    size_t npairs, cap;
    int missing_costs, some_costs;
};

void crm_cohort_options_init(crm_cohort_options *opts)
{
    opts->cost_rate = NAN;
    opts->acquisition_cost = 0.0;
    opts->marketing_cost = 0.0;
    opts->interest = 0.0;
    opts->risk_factor = 1.0;
}

static int non_negative(double v)
{
    return isfinite(v) && v >= 0;
}

crm_status crm_cohort_options_check(const crm_cohort_options *opts, crm_error *err)
{
    if (!isnan(opts->cost_rate) && !non_negative(opts->cost_rate))
        return crm_error_set(err, CRM_EUSAGE, "the cost rate must be >= 0, not %g", opts->cost_rate);
    if (!non_negative(opts->acquisition_cost))
        return crm_error_set(err, CRM_EUSAGE, "the acquisition cost must be >= 0, not %g",
                             opts->acquisition_cost);
    if (!non_negative(opts->marketing_cost))
        return crm_error_set(err, CRM_EUSAGE, "the marketing cost must be >= 0, not %g",
                             opts->marketing_cost);
    if (!non_negative(opts->interest))
        return crm_error_set(err, CRM_EUSAGE, "the interest rate must be >= 0, not %g", opts->interest);
    if (!non_negative(opts->risk_factor))
        return crm_error_set(err, CRM_EUSAGE, "the risk factor must be >= 0, not %g",
                             opts->risk_factor);
    return CRM_OK;
}

crm_cohort *crm_cohort_new(crm_cohort_period by)
{
    crm_cohort *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->by = by;
    c->customers = crm_strtab_new(1024);
    c->pairs = crm_strtab_new(1024);
    c->orders = crm_hashset_new(4096);
    if (!c->customers || !c->pairs || !c->orders) {
        crm_cohort_free(c);
        return NULL;
    }
    return c;
}

void crm_cohort_free(crm_cohort *c)
{
    if (!c)
        return;
    crm_strtab_free(c->customers);
    crm_strtab_free(c->pairs);
    crm_hashset_free(c->orders);
    free(c->pair_customer);
    free(c->pair_period);
    free(c->revenue);
    free(c->cost);
    free(c->norders);
    free(c);
}

/* Calendar periods as consecutive integers: years, or months since year 0. */
static int32_t period_of_day(crm_cohort_period by, int32_t day)
{
    int y, m, d;
    crm_civil_from_days(day, &y, &m, &d);
    return by == CRM_COHORT_BY_YEAR ? y : y * 12 + (m - 1);
}

static int32_t period_label(crm_cohort_period by, int32_t period)
{
    return by == CRM_COHORT_BY_YEAR ? period : (period / 12) * 100 + period % 12 + 1;
}

static int grow_pairs(crm_cohort *c)
{
    size_t cap = c->cap ? c->cap * 2 : 1024;
    uint32_t *pc = realloc(c->pair_customer, cap * sizeof *pc);
    if (pc)
        c->pair_customer = pc;
    int32_t *pp = realloc(c->pair_period, cap * sizeof *pp);
    if (pp)
        c->pair_period = pp;
    double *rv = realloc(c->revenue, cap * sizeof *rv);
    if (rv)
        c->revenue = rv;
    double *co = realloc(c->cost, cap * sizeof *co);
    if (co)
        c->cost = co;
    uint64_t *no = realloc(c->norders, cap * sizeof *no);
    if (no)
        c->norders = no;
    if (!pc || !pp || !rv || !co || !no)
        return -1;
    c->cap = cap;
    return 0;
}

crm_status crm_cohort_add(crm_cohort *c, const char *customer, size_t customer_len, int32_t day,
                          const char *order, size_t order_len, double amount, double cost,
                          crm_error *err)
{
    if (!isfinite(amount))
        return crm_error_set(err, CRM_EDATA, "the amount %g is not a finite number", amount);
    if (!isnan(cost) && !isfinite(cost))
        return crm_error_set(err, CRM_EDATA, "the cost %g is not a finite number", cost);
    uint32_t cid, pid;
    if (crm_strtab_intern(c->customers, customer, customer_len, &cid) < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    int32_t period = period_of_day(c->by, day);
    unsigned char key[8];
    memcpy(key, &cid, 4);
    memcpy(key + 4, &period, 4);
    int fresh = crm_strtab_intern(c->pairs, (const char *)key, sizeof key, &pid);
    if (fresh < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (fresh) {
        if (c->npairs == c->cap && grow_pairs(c) != 0)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        c->pair_customer[pid] = cid;
        c->pair_period[pid] = period;
        c->revenue[pid] = c->cost[pid] = 0.0;
        c->norders[pid] = 0;
        c->npairs++;
    }
    c->revenue[pid] += amount;
    if (isnan(cost)) {
        c->missing_costs = 1;
    } else {
        c->cost[pid] += cost;
        c->some_costs = 1;
    }
    /* The pair id seeds the hash: the same invoice number of another
     * customer or period is another order. */
    int new_order = crm_hashset_add(c->orders, crm_hash_bytes(order, order_len, 0x9e3779b97f4a7c15ull + pid));
    if (new_order < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    c->norders[pid] += (uint64_t)new_order;
    return CRM_OK;
}

int crm_cohort_missing_costs(const crm_cohort *c)
{
    return c->missing_costs;
}

/* Sums per (cohort, period k) before the derived columns. */
typedef struct {
    double customers, orders, revenue, cost;
} cell;

static int compare_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static size_t find_cohort(const int32_t *cohorts, size_t n, int32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cohorts[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void derive_row(const crm_cohort_options *opts, int revenue_based, const cell *cl,
                       double previous_customers, double first_customers, double *cumulative,
                       crm_cohort_row *row)
{
    int k = row->period;
    row->customers = cl->customers;
    row->retention_rate = k > 1 && previous_customers > 0 ? cl->customers / previous_customers : NAN;
    row->retention_from_start = first_customers > 0 ? cl->customers / first_customers : NAN;
    row->orders_per_customer = cl->customers > 0 ? cl->orders / cl->customers : NAN;
    row->avg_order_value = cl->orders > 0 ? cl->revenue / cl->orders : NAN;
    row->revenue = cl->revenue;
    if (revenue_based) {
        row->direct_cost = row->cost_rate = NAN;
    } else if (isnan(opts->cost_rate)) {
        row->direct_cost = cl->cost;
        row->cost_rate = cl->revenue != 0 ? cl->cost / cl->revenue : NAN;
    } else {
        row->cost_rate = opts->cost_rate;
        row->direct_cost = cl->revenue * opts->cost_rate;
    }
    row->acquisition_cost = k == 1 ? opts->acquisition_cost * cl->customers : 0.0;
    row->marketing_cost = k > 1 ? opts->marketing_cost * cl->customers : 0.0;
    row->gross_profit = row->revenue - (revenue_based ? 0.0 : row->direct_cost) - row->acquisition_cost -
                        row->marketing_cost;
    row->discount_factor = pow(1.0 + opts->interest * opts->risk_factor, (double)(k - 1));
    row->npv_profit = row->gross_profit / row->discount_factor;
    *cumulative += row->npv_profit;
    row->cumulative_npv = *cumulative;
    row->ltv_per_customer = first_customers > 0 ? *cumulative / first_customers : NAN;
}

int crm_cohort_revenue_based(const crm_cohort *c, const crm_cohort_options *opts)
{
    return isnan(opts->cost_rate) && !c->some_costs;
}

crm_status crm_cohort_table(const crm_cohort *c, const crm_cohort_options *opts,
                            crm_cohort_row **rows, size_t *nrows, crm_error *err)
{
    *rows = NULL;
    *nrows = 0;
    crm_status st = crm_cohort_options_check(opts, err);
    if (st != CRM_OK)
        return st;
    if (c->npairs == 0)
        return crm_error_set(err, CRM_EDATA, "no transactions: the cohort table is empty");
    /* Without any cost the table is still worth having (revenue, customers,
     * retention); with costs on some lines only, summing them would pass
     * part of the costs off as all of them. */
    int no_costs = crm_cohort_revenue_based(c, opts);
    if (isnan(opts->cost_rate) && c->missing_costs && !no_costs)
        return crm_error_set(err, CRM_EUSAGE,
                             "some lines have no cost: give a cost rate (--cost-rate) for the direct costs");
    size_t ncust = crm_strtab_count(c->customers);
    int32_t *first = malloc(ncust * sizeof *first);
    int32_t *cohorts = malloc(ncust * sizeof *cohorts);
    if (!first || !cohorts) {
        free(first);
        free(cohorts);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < ncust; i++)
        first[i] = INT32_MAX;
    int32_t last = INT32_MIN;
    for (size_t p = 0; p < c->npairs; p++) {
        uint32_t cid = c->pair_customer[p];
        if (c->pair_period[p] < first[cid])
            first[cid] = c->pair_period[p];
        if (c->pair_period[p] > last)
            last = c->pair_period[p];
    }
    memcpy(cohorts, first, ncust * sizeof *first);
    qsort(cohorts, ncust, sizeof *cohorts, compare_int32);
    size_t ncohorts = 0;
    for (size_t i = 0; i < ncust; i++)
        if (ncohorts == 0 || cohorts[ncohorts - 1] != cohorts[i])
            cohorts[ncohorts++] = cohorts[i];
    /* Cohort j has last - cohorts[j] + 1 periods; offset[j] is its first row. */
    size_t *offset = malloc((ncohorts + 1) * sizeof *offset);
    size_t total = 0;
    if (offset) {
        for (size_t j = 0; j < ncohorts; j++) {
            offset[j] = total;
            total += (size_t)(last - cohorts[j]) + 1;
        }
        offset[ncohorts] = total;
    }
    cell *cells = offset ? calloc(total, sizeof *cells) : NULL;
    crm_cohort_row *out = cells ? calloc(total, sizeof *out) : NULL;
    if (!out) {
        free(first);
        free(cohorts);
        free(offset);
        free(cells);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    for (size_t p = 0; p < c->npairs; p++) {
        int32_t acquired = first[c->pair_customer[p]];
        cell *cl = &cells[offset[find_cohort(cohorts, ncohorts, acquired)] +
                          (size_t)(c->pair_period[p] - acquired)];
        cl->customers += 1;
        cl->orders += (double)c->norders[p];
        cl->revenue += c->revenue[p];
        cl->cost += c->cost[p];
    }
    for (size_t j = 0; j < ncohorts; j++) {
        double cumulative = 0.0, first_customers = cells[offset[j]].customers;
        for (size_t i = offset[j]; i < offset[j + 1]; i++) {
            out[i].cohort = period_label(c->by, cohorts[j]);
            out[i].period = (int)(i - offset[j]) + 1;
            derive_row(opts, no_costs, &cells[i], i > offset[j] ? cells[i - 1].customers : 0.0,
                       first_customers, &cumulative, &out[i]);
        }
    }
    free(first);
    free(cohorts);
    free(offset);
    free(cells);
    *rows = out;
    *nrows = total;
    return CRM_OK;
}

double crm_ltv_expected_lifetime(double churn_per_year)
{
    if (!(churn_per_year > 0) || !(churn_per_year <= 1))
        return NAN;
    return 1.0 / churn_per_year;
}

double crm_ltv_simple_value(double profit_per_year, double churn_per_year, double discount_per_year)
{
    double L = crm_ltv_expected_lifetime(churn_per_year);
    if (!isfinite(L) || !isfinite(profit_per_year) || !non_negative(discount_per_year))
        return NAN;
    if (discount_per_year == 0)
        return profit_per_year * L;
    double whole = floor(L), sum = 0.0;
    for (double k = 1; k <= whole; k++)
        sum += pow(1.0 + discount_per_year, -k);
    sum += (L - whole) * pow(1.0 + discount_per_year, -L);
    return profit_per_year * sum;
}

/* ---- the options as people write them ---- */

static crm_status parse_amount(const char *option, const char *text, double *out, crm_error *err)
{
    if (crm_parse_double(text, strlen(text), NULL, out) != CRM_OK || !isfinite(*out) || *out < 0)
        return crm_error_set(err, CRM_EUSAGE, "%s wants an amount >= 0, got '%s'", option, text);
    return CRM_OK;
}

crm_status crm_cohort_options_parse(crm_cohort_options *c, crm_cohort_period by, const char *cost_rate,
                                    const char *acquisition_cost, const char *marketing_cost,
                                    const char *interest, const char *risk_factor, crm_error *err)
{
    crm_cohort_options_init(c);
    crm_status st = CRM_OK;
    if (cost_rate && crm_parse_fraction(cost_rate, &c->cost_rate, err) != CRM_OK) {
        /* A cost rate may exceed 100% (every sale at a loss). */
        crm_rate rate;
        if (crm_parse_rate(cost_rate, CRM_UNIT_YEAR, &rate, err) != CRM_OK || strchr(cost_rate, '/'))
            return crm_error_set(err, CRM_EUSAGE, "--cost-rate wants a share of revenue such as 60%%, got '%s'",
                                 cost_rate);
        c->cost_rate = rate.value;
    }
    if ((acquisition_cost &&
         (st = parse_amount("--acquisition-cost", acquisition_cost, &c->acquisition_cost, err)) != CRM_OK) ||
        (marketing_cost && (st = parse_amount("--marketing-cost", marketing_cost, &c->marketing_cost, err)) != CRM_OK))
        return st;
    if (interest) {
        crm_rate rate;
        if ((st = crm_parse_rate(interest, CRM_UNIT_YEAR, &rate, err)) != CRM_OK)
            return st;
        c->interest = crm_rate_per(rate, by == CRM_COHORT_BY_YEAR ? CRM_UNIT_YEAR : CRM_UNIT_MONTH);
    }
    if (risk_factor && (crm_parse_double(risk_factor, strlen(risk_factor), NULL, &c->risk_factor) != CRM_OK ||
                        !isfinite(c->risk_factor) || c->risk_factor < 0))
        return crm_error_set(err, CRM_EUSAGE, "--risk-factor wants a number >= 0 such as 1.5, got '%s'", risk_factor);
    return crm_cohort_options_check(c, err);
}

crm_status crm_ltv_simple_rates_parse(const char *churn, const char *discount, double *churn_per_year,
                                      double *discount_per_year, crm_error *err)
{
    crm_rate c, d;
    crm_status st;
    if (!churn)
        return crm_error_set(err, CRM_EUSAGE, "--method simple needs --churn RATE (per year, e.g. 20%%)");
    if ((st = crm_parse_rate(churn, CRM_UNIT_YEAR, &c, err)) != CRM_OK)
        return st;
    /* A churn rate per month c is a yearly churn of 1 - (1 - c)^12. */
    *churn_per_year = -expm1(log1p(-fmin(c.value, 1.0)) * crm_time_unit_days(CRM_UNIT_YEAR) / crm_time_unit_days(c.per));
    if (!(*churn_per_year > 0 && *churn_per_year <= 1))
        return crm_error_set(err, CRM_EUSAGE, "--churn wants a rate above 0 and at most 100%%, got '%s'", churn);
    if ((st = crm_parse_rate(discount ? discount : "10%", CRM_UNIT_YEAR, &d, err)) != CRM_OK)
        return st;
    *discount_per_year = crm_rate_per(d, CRM_UNIT_YEAR);
    return CRM_OK;
}
