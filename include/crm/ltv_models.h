/* Purchase models for customer lifetime value ("buy 'til you die"):
 * likelihood, maximum-likelihood fit and per-customer predictions.
 *
 *   BG/NBD      Fader, Hardie & Lee (2005), "Counting your customers the
 *               easy way".  Parameters r, alpha, a, b.
 *   Pareto/NBD  Schmittlein, Morrison & Colombo (1987), in the form of
 *               Fader & Hardie (2005), "A note on deriving the Pareto/NBD
 *               model and related expressions".  Parameters r, alpha, s, beta.
 *   MBG/NBD     Batislam, Denizel & Filiztekin (2007): BG/NBD in which a
 *               customer may also drop out right after the first purchase.
 *               Parameters r, alpha, a, b.
 *   BG/BB       Fader, Hardie & Shang (2010), discrete time (one purchase
 *               opportunity per period).  Parameters alpha, beta, gamma, delta.
 *
 * The data of one customer (crm_ltv_customer):
 *   continuous-time models: x = repeat purchases (a whole number), t_x = time
 *   of the last purchase and T = end of observation, both measured from the
 *   first purchase, in one time unit of the caller's choice (weeks in the
 *   published CDNOW results).  A customer with x = 0 has t_x = 0.
 *   BG/BB: x = purchases in the n = T periods after the first, t_x = the
 *   period of the last one (0 when x = 0), all whole numbers,
 *   0 <= x <= t_x <= n.
 * weight is the number of customers the row stands for (1 for one customer;
 * the donations data of Fader, Hardie & Shang come as weighted patterns).
 * monetary_value (mean value of the repeat purchases) is used only by the
 * spend model (crm/ltv_spend.h).
 *
 * Time: the horizon t of the predictions is in the data's unit (for BG/BB a
 * whole number of periods).  Predictions return NaN for invalid arguments
 * (non-positive parameters, data that crm_ltv_check_customer refuses) or
 * when a special function cannot be evaluated; callers check isfinite().
 *
 * Pure computation: no files, no printing, no exit. */
#ifndef CRM_LTV_MODELS_H
#define CRM_LTV_MODELS_H

#include <stddef.h>

#include "crm/error.h"
#include "crm/ltv_fit.h"

typedef enum {
    CRM_LTV_BGNBD = 0,
    CRM_LTV_PARETO_NBD,
    CRM_LTV_MBGNBD,
    CRM_LTV_BGBB
} crm_ltv_model;

typedef struct {
    double x;               /* repeat purchases (BG/BB: purchases in n periods) */
    double t_x;             /* time (BG/BB: period) of the last purchase */
    double T;               /* length of observation (BG/BB: n periods) */
    double monetary_value;  /* mean value of the repeat purchases; spend model only */
    double weight;          /* customers this row stands for, >= 0 */
} crm_ltv_customer;

/* "BG/NBD", "Pareto/NBD", "MBG/NBD", "BG/BB". */
const char *crm_ltv_model_name(crm_ltv_model model);

/* Accepts bgnbd, pnbd / paretonbd / pareto, mbgnbd, bgbb, in any case and
 * with '/', '-' or '_' anywhere ("BG/NBD", "pareto-nbd").  CRM_EUSAGE with a
 * message listing the choices otherwise. */
crm_status crm_ltv_model_parse(const char *s, crm_ltv_model *out, crm_error *err);

/* Names of the parameters in order: BG/NBD and MBG/NBD r, alpha, a, b;
 * Pareto/NBD r, alpha, s, beta; BG/BB alpha, beta, gamma, delta.  NULL for
 * i out of range. */
const char *crm_ltv_model_param_name(crm_ltv_model model, size_t i);

/* Number of parameters (4 for every purchase model). */
size_t crm_ltv_model_nparams(crm_ltv_model model);

/* Checks one customer: x whole and >= 0, t_x >= 0, T >= 0, t_x <= T, t_x = 0
 * when x = 0, weight finite and >= 0; for BG/BB also t_x and T whole and
 * x <= t_x.  CRM_EDATA with a message naming the field and its value
 * ("t_x = 40 is greater than T = 38.86"), for the caller to prefix with the
 * file and line. */
crm_status crm_ltv_check_customer(crm_ltv_model model, const crm_ltv_customer *c, crm_error *err);

/* Checks an array; the message is prefixed "customer row N: " (N = index
 * + 1) and *bad_index (when not NULL) receives the 0-based index of the
 * first bad row. */
crm_status crm_ltv_check_customers(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                                   size_t *bad_index, crm_error *err);

/* Weighted log-likelihood of the customers at params (checked like
 * crm_ltv_check_customers; CRM_EDATA also when a parameter is not positive
 * or the likelihood cannot be evaluated). */
crm_status crm_ltv_loglik(crm_ltv_model model, const double *params, const crm_ltv_customer *c,
                          size_t n, double *loglik, crm_error *err);

/* Fits the model by maximum likelihood (see crm/ltv_fit.h: log-scale
 * parameters, several starting points, BFGS with Nelder-Mead fallback,
 * standard errors from the Hessian).  Rows with identical (x, t_x, T) are
 * merged into one weighted row first; rows of weight 0 are ignored.
 * CRM_EDATA for bad rows (as crm_ltv_check_customers), when the total
 * weight is 0, or when the fit did not converge (res then holds the best
 * point found, with res->converged = 0). */
crm_status crm_ltv_fit(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                       const crm_ltv_fit_options *opts, crm_ltv_fit_result *res, crm_error *err);

/* P(alive): continuous models, the probability that the customer is still
 * active at T; BG/BB, the probability of being alive in period n + 1, the
 * first period after the data (Fader, Hardie & Shang 2010, eq. 11). */
double crm_ltv_p_alive(crm_ltv_model model, const double *params, double x, double t_x, double T);

/* Expected purchases in (T, T + t] of a customer with history (x, t_x, T)
 * (BG/BB: in periods n+1 .. n+t). */
double crm_ltv_expected_purchases(crm_ltv_model model, const double *params, double t, double x,
                                  double t_x, double T);

/* Expected repeat purchases E[X(t)] in (0, t] of a customer who has just
 * made the first purchase (BG/BB: in the first t periods). */
double crm_ltv_expected_purchases_new(crm_ltv_model model, const double *params, double t);

#endif
