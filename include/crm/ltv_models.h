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
 * The no-dropout limit.  Where nobody drops out, every model becomes its
 * purchase process alone: BG/NBD, MBG/NBD and Pareto/NBD the NBD (Poisson
 * purchases at a Gamma(r, alpha) distributed rate, never stopping), BG/BB the
 * beta-binomial (a Beta(alpha, beta) distributed purchase probability).  It is
 * the edge of the parameter space where the dropout parameter, the third one
 * (a, s, gamma), is 0: BG/NBD's p ~ Beta(a, b) is then 0 for everyone,
 * Pareto/NBD's mu ~ Gamma(s, beta) too, BG/BB's theta ~ Beta(gamma, delta)
 * too, and the fourth parameter (b, beta, delta) has no meaning.  Every
 * function here takes such a parameter vector, {r, alpha, 0, anything}
 * (crm_ltv_params_no_dropout), and then computes the limit:
 *   NBD           LL = lnG(r+x) - lnG(r) + r log(alpha) - (r+x) log(alpha+T),
 *                 P(alive) = 1, E[Y(t) | x, T] = (r+x) t / (alpha+T);
 *   beta-binomial LL = lnB(alpha+x, beta+n-x) - lnB(alpha, beta),
 *                 P(alive) = 1, E[X(n, n+t) | x, n] = t (alpha+x) / (alpha+beta+n).
 * (The Pareto/NBD limit s -> 0 and the limit beta -> infinity are the same
 * NBD: mu is 0 either way.)
 *
 * Data without a single repeat purchase have their maximum further out, at
 * a purchase rate of 0 (r -> 0; BG/BB alpha -> 0): {0, NaN, 0, NaN}
 * (crm_ltv_params_no_purchases) stands for it: LL = 0, P(alive) = 1 and
 * E = 0 for a customer with x = 0 (NaN for x > 0, which it cannot
 * explain).
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

/* 1 when params is the no-dropout limit (the third parameter is 0, the
 * first two positive). */
int crm_ltv_params_no_dropout(const double *params);

/* 1 when params is the zero-purchase-rate limit (the first and third
 * parameters are 0). */
int crm_ltv_params_no_purchases(const double *params);

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

/* Twice the log-likelihood a model with dropout must gain over its
 * no-dropout limit for the dropout to count as evident: the 5% point of the
 * chi-square distribution with 1 degree of freedom.  (The limit lies on the
 * edge of the parameter space, where the statistic is, if anything, smaller
 * than chi-square(1): the test errs towards keeping the full model.) */
#define CRM_LTV_DROPOUT_LR_CRITICAL 3.841458820694124

typedef enum {
    CRM_LTV_DROPOUT_EVIDENT = 0,     /* a proper maximum, dropout significant: the full model */
    CRM_LTV_DROPOUT_AT_EDGE,         /* no proper maximum inside the parameter space, and the
                                        best point found is no better than the limit */
    CRM_LTV_DROPOUT_NOT_SIGNIFICANT, /* a proper maximum, but it gains less than
                                        CRM_LTV_DROPOUT_LR_CRITICAL / 2 over the limit */
    CRM_LTV_NO_REPEATS               /* no customer has a repeat purchase: fit is the
                                        zero-rate limit {0, NaN, 0, NaN}, and full and
                                        limit are copies of it */
} crm_ltv_dropout_verdict;

typedef struct {
    /* What to score with: the full model's fit, or with a verdict other
     * than EVIDENT the no-dropout limit in the model's own parameters
     * {r, alpha, 0, NaN} (BG/BB {alpha, beta, 0, NaN}), standard errors
     * {se, se, NaN, NaN}: the parameter at the edge has none. */
    crm_ltv_fit_result fit;
    crm_ltv_fit_result full;     /* the full model's best point, converged or not */
    crm_error full_error;        /* why the full fit failed; status CRM_OK when it converged */
    crm_ltv_fit_result limit;    /* the limit's fit: 2 parameters */
    int limit_ok;                /* 1 when the limit's fit converged */
    crm_ltv_dropout_verdict verdict;
    double lr_statistic;         /* 2 (LL full - LL limit); NaN without both fits */
    unsigned weak;               /* bit i: fit.se[i] exceeds fit.params[i] (se finite) */
} crm_ltv_fit_diagnosis;

/* Fits the model and its no-dropout limit and chooses between them
 * (crm_ltv_dropout_verdict).  When the full fit does not converge from the
 * default starting points it is retried from all of them and from points
 * next to the limit's optimum.  CRM_OK when diag->fit holds a usable fit;
 * CRM_EDATA (with the full fit's message) when the full model has no
 * proper maximum but the data show dropout, or when neither fit can be
 * evaluated; bad rows as crm_ltv_fit. */
crm_status crm_ltv_fit_diagnosed(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                                 const crm_ltv_fit_options *opts, crm_ltv_fit_diagnosis *diag,
                                 crm_error *err);

/* P(alive): continuous models, the probability that the customer is still
 * active at T; BG/BB, the probability of being alive in period n + 1, the
 * first period after the data (Fader, Hardie & Shang 2010, eq. 11). */
double crm_ltv_p_alive(crm_ltv_model model, const double *params, double x, double t_x, double T);

/* Expected purchases in (T, T + t] of a customer with history (x, t_x, T)
 * (BG/BB: in periods n+1 .. n+t). */
double crm_ltv_expected_purchases(crm_ltv_model model, const double *params, double t, double x,
                                  double t_x, double T);

/* Predictions for many histories at once: for each of histories[0..n)
 * (x, t_x, T; the other fields are not used), p_alive[i] as crm_ltv_p_alive
 * and expected[i * nhorizons + j] as crm_ltv_expected_purchases at
 * horizons[j], the same numbers bit for bit.  P(alive) is evaluated once per
 * history (Pareto/NBD's E is a multiple of it: two 2F1 instead of two per
 * horizon).  The histories are split on `threads` threads (0 one per core,
 * at most 8; 1 none), each computing its own; the values do not depend on
 * the number.  NaN where the single-history functions give NaN. */
void crm_ltv_predict_histories(crm_ltv_model model, const double *params, const double *horizons,
                               size_t nhorizons, const crm_ltv_customer *histories, size_t n,
                               int threads, double *p_alive, double *expected);

/* Expected repeat purchases E[X(t)] in (0, t] of a customer who has just
 * made the first purchase (BG/BB: in the first t periods). */
double crm_ltv_expected_purchases_new(crm_ltv_model model, const double *params, double t);

#endif
