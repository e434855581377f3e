/* Customer lifetime value from a fitted purchase model (crm/ltv_models.h)
 * and a spend model (crm/ltv_spend.h): the columns crm-ltv adds to the
 * customers table, p_alive, expected_purchases, expected_avg_value, clv.
 *
 * CLV is the discounted expected profit over the horizon.  With the horizon
 * H cut into periods of length P (both in the data's time unit), K =
 * ceil(H / P) periods ending at t_k = min(k P, H), and E(t) the expected
 * purchases in (T, T + t] (crm_ltv_expected_purchases):
 *
 *   clv = margin * spend * sum_{k=1}^{K} [E(t_k) - E(t_{k-1})] / (1 + d)^(t_k / P)
 *
 * d is the discount rate per period; the purchases of a period are
 * discounted as if made at its end (as Python's lifetimes does with monthly
 * steps), and a shorter last period is discounted to the horizon.  spend is
 * the expected value per purchase, assumed constant over the horizon.  The
 * caller converts a yearly rate to the period: (1 + yearly)^(P in years) - 1
 * (crm_rate_per in crm/units.h).  With d = 0 the periods do not matter and
 * clv = margin * spend * E(H).
 *
 * Pure computation: no files, no printing, no exit. */
#ifndef CRM_LTV_H
#define CRM_LTV_H

#include <stddef.h>

#include "crm/error.h"
#include "crm/ltv_models.h"
#include "crm/ltv_spend.h"
#include "crm/units.h"

/* Limit on horizon / period, against loops of millions of periods. */
enum { CRM_LTV_MAX_PERIODS = 100000 };

typedef struct {
    double horizon;        /* H > 0, in the data's time unit (BG/BB: whole periods) */
    double period;         /* P, the discounting period, same unit; 0 only with d = 0 */
    double discount_rate;  /* d per period, >= 0 (0.00797 for 10% a year in months) */
    double margin;         /* share of spend that is profit, >= 0; 1 by default */
} crm_ltv_clv_options;

typedef struct {
    double p_alive;
    double expected_purchases;   /* E(H) */
    double expected_avg_value;   /* spend per purchase */
    double clv;
} crm_ltv_prediction;

/* horizon 0 (the caller must set it), period 0, discount 0, margin 1. */
void crm_ltv_clv_options_init(crm_ltv_clv_options *opts);

/* CRM_EUSAGE with a message when: horizon not positive, discount negative
 * or not finite, discount > 0 with period not positive, margin negative,
 * more than CRM_LTV_MAX_PERIODS periods, or for BG/BB a horizon or period
 * that is not a whole number of periods. */
crm_status crm_ltv_clv_options_check(crm_ltv_model model, const crm_ltv_clv_options *opts,
                                     crm_error *err);

/* The formula above for one customer; NaN when an argument is invalid or
 * the model cannot be evaluated. */
double crm_ltv_clv(crm_ltv_model model, const double *params, const crm_ltv_clv_options *opts,
                   double spend, double x, double t_x, double T);

/* Predictions for every customer into out[0..n).  spend_params are the
 * Gamma-Gamma p, q, gamma (crm_ltv_spend_expected); NULL uses each
 * customer's own monetary_value as the spend per purchase (0 for one-time
 * buyers).  CRM_EDATA "customer row N: ..." for a bad row or a value that
 * cannot be computed; CRM_EUSAGE for bad options. */
crm_status crm_ltv_predict(crm_ltv_model model, const double *params, const double *spend_params,
                           const crm_ltv_clv_options *opts, const crm_ltv_customer *c, size_t n,
                           crm_ltv_prediction *out, crm_error *err);

/* The values of a history (x, t_x, T) that crm_ltv_predict derives from
 * the purchase model: everything but the spend. */
typedef struct {
    double p_alive;
    double expected_purchases;   /* E(H) */
    double discounted;           /* crm_ltv_clv with spend 1: clv = spend * discounted when
                                    opts->margin is 1 (bit for bit) */
} crm_ltv_history_value;

/* crm_ltv_p_alive, crm_ltv_expected_purchases at the horizon and
 * crm_ltv_clv(model, params, opts, 1.0, ...) for each of histories[0..n)
 * (only x, t_x and T are read), the same numbers bit for bit, computed on
 * `threads` threads (crm_ltv_predict_histories; 0 one per core, 1 none):
 * for callers that score many customers sharing few histories.  NaN where
 * those give NaN; CRM_EUSAGE for bad options, CRM_ENOMEM. */
crm_status crm_ltv_predict_history_values(crm_ltv_model model, const double *params,
                                          const crm_ltv_clv_options *opts,
                                          const crm_ltv_customer *histories, size_t n, int threads,
                                          crm_ltv_history_value *out, crm_error *err);

/* ---- the options as people write them (crm-ltv --horizon, --discount,
 * --discount-period, --margin) ---- */

/* opts from text, in the data's time unit: horizon a duration with its unit
 * ("12m", "52w"; NULL: 12m); discount a rate per year ("10%"), per unit
 * ("1%/m") or per any duration ("1%/30d") (NULL: 10%), turned into the rate
 * per discounting period (1 + rate)^(period / rate's period) - 1;
 * discount_period a duration (NULL: 1m, for BG/BB one period).  The margin
 * is left at 1.  CRM_EUSAGE naming the option and the text otherwise. */
crm_status crm_ltv_clv_options_parse(crm_ltv_clv_options *opts, crm_ltv_model model, crm_time_unit unit,
                                     const char *horizon, const char *discount, const char *discount_period,
                                     crm_error *err);

/* --margin: a share ("30%", "0.3"), or "profit" (*from_profit = 1: the
 * table's own profit / monetary ratio, for the caller to work out); NULL
 * is 1.  CRM_EUSAGE otherwise. */
crm_status crm_ltv_margin_parse(const char *text, double *margin, int *from_profit, crm_error *err);

/* ---- scoring a table ---- */

/* crm_ltv_predict for customers that share few histories, as tables with
 * times in whole days do (a million customers have some 130,000): each
 * distinct (x, t_x, T) is evaluated once, on `threads` threads
 * (crm_ltv_predict_history_values), the same numbers bit for bit.
 * spend_params NULL: each customer's own monetary_value.  CRM_EDATA "the
 * <model> predictions cannot be computed for x = ..., t_x = ..., T = ... at
 * these parameters" with *bad (the row's index) when a value is not finite;
 * CRM_ENOMEM. */
crm_status crm_ltv_predict_shared(crm_ltv_model model, const double *params, const double *spend_params,
                                  const crm_ltv_clv_options *opts, const crm_ltv_customer *c, size_t n, int threads,
                                  crm_ltv_prediction *out, size_t *bad, crm_error *err);

/* ---- fitting, explained ---- */

/* crm_ltv_fit_diagnosed; when it fails on the data and opts has no
 * penalty, the message ends with the smallest of 0.001, 0.01, 0.1 with
 * which the fit works ("; with --penalty 0.01 it fits"). */
crm_status crm_ltv_fit_advised(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                               const crm_ltv_fit_options *opts, crm_ltv_fit_diagnosis *diag, crm_error *err);

/* What a fit means, for people: lines ending in '\n' into buf (cut to
 * size).  The log-likelihood and iterations of a fit with evident dropout;
 * otherwise why p_alive is 1 for everyone and which edge model scores;
 * a note for each parameter the data hardly determine.  input names the
 * table, unit its time unit; penalised: the fit had a penalty. */
void crm_ltv_fit_describe(char *buf, size_t size, crm_ltv_model model, crm_time_unit unit, int penalised,
                          const char *input, const crm_ltv_fit_diagnosis *diag);

/* The Gamma-Gamma fit in one line: repeat buyers used, log-likelihood, and
 * who gets the population mean spend. */
void crm_ltv_spend_describe(char *buf, size_t size, const crm_ltv_spend_result *res);

#endif
