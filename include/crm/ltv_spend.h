/* The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The
 * Gamma-Gamma model of monetary value"; Colombo & Jiang 1999).
 *
 * A customer's purchase values are Gamma(p, nu) with nu ~ Gamma(q, gamma)
 * across customers.  The model is fitted on the repeat buyers: x > 0 repeat
 * purchases with mean value monetary_value = zbar > 0.  Customers it cannot
 * use, one-time buyers (x = 0) and repeat buyers whose mean value is zero or
 * negative (returns, free goods), are counted in the result and get the
 * population mean spend p gamma / (q - 1) as their expected spend.
 *
 * Parameters in order: p, q, gamma (gamma carries the money unit).
 * Pure computation: no files, no printing, no exit. */
#ifndef CRM_LTV_SPEND_H
#define CRM_LTV_SPEND_H

#include <stddef.h>

#include "crm/error.h"
#include "crm/ltv_fit.h"
#include "crm/ltv_models.h"

typedef struct {
    crm_ltv_fit_result fit;   /* params p, q, gamma; loglik over the used rows */
    size_t used;              /* rows with x > 0 and monetary_value > 0 */
    size_t one_time;          /* rows with x = 0 */
    size_t nonpositive;       /* rows with x > 0 and monetary_value <= 0 */
    double population_mean;   /* p gamma / (q - 1) */
} crm_ltv_spend_result;

/* "p", "q", "gamma"; NULL for i > 2. */
const char *crm_ltv_spend_param_name(size_t i);

/* x whole and >= 0, monetary_value a finite number, weight finite and >= 0.
 * CRM_EDATA naming the field and its value otherwise. */
crm_status crm_ltv_spend_check_customer(const crm_ltv_customer *c, crm_error *err);

/* Weighted log-likelihood over the usable rows, as the density of zbar:
 *   ll = lnG(px+q) - lnG(px) - lnG(q) + q log(gamma) + (px-1) log(zbar)
 *        + px log(x) - (px+q) log(x zbar + gamma).
 * *used (when not NULL) receives the number of rows used.  Errors as
 * crm_ltv_spend_fit. */
crm_status crm_ltv_spend_loglik(const double *params, const crm_ltv_customer *c, size_t n,
                                double *loglik, size_t *used, crm_error *err);

/* Fits p, q, gamma by maximum likelihood (crm/ltv_fit.h).  CRM_EDATA for a
 * bad row ("customer row N: ..."), when no row is usable, when the fit does
 * not converge, or when it gives q <= 1 (the population mean spend would be
 * infinite).  opts may be NULL. */
crm_status crm_ltv_spend_fit(const crm_ltv_customer *c, size_t n, const crm_ltv_fit_options *opts,
                             crm_ltv_spend_result *res, crm_error *err);

/* p gamma / (q - 1); NaN when q <= 1 or a parameter is not positive. */
double crm_ltv_spend_population_mean(const double *params);

/* Expected spend per purchase of a customer with x repeat purchases of
 * mean value monetary_value:
 *   E(Z | x, zbar) = p (gamma + x zbar) / (p x + q - 1),
 * a weighted mean of the population mean and zbar.  Customers the model
 * cannot use (x = 0 or monetary_value <= 0) get the population mean.  NaN
 * for invalid parameters or a negative or non-whole x. */
double crm_ltv_spend_expected(const double *params, double x, double monetary_value);

#endif
