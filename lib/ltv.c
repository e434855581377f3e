#include "crm/ltv.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

void crm_ltv_clv_options_init(crm_ltv_clv_options *opts)
{
    opts->horizon = 0.0;
    opts->period = 0.0;
    opts->discount_rate = 0.0;
    opts->margin = 1.0;
}

static int is_whole(double v)
{
    return isfinite(v) && v == floor(v);
}

crm_status crm_ltv_clv_options_check(crm_ltv_model model, const crm_ltv_clv_options *opts,
                                     crm_error *err)
{
    if (!(opts->horizon > 0) || !isfinite(opts->horizon))
        return crm_error_set(err, CRM_EUSAGE, "the horizon must be a positive duration, not %g",
                             opts->horizon);
    if (!(opts->discount_rate >= 0) || !isfinite(opts->discount_rate))
        return crm_error_set(err, CRM_EUSAGE, "the discount rate must be a number >= 0, not %g",
                             opts->discount_rate);
    if (!(opts->margin >= 0) || !isfinite(opts->margin))
        return crm_error_set(err, CRM_EUSAGE, "the margin must be a number >= 0, not %g",
                             opts->margin);
    if (!(opts->period >= 0) || !isfinite(opts->period))
        return crm_error_set(err, CRM_EUSAGE, "the discounting period must be >= 0, not %g",
                             opts->period);
    if (opts->discount_rate > 0 && opts->period == 0)
        return crm_error_set(err, CRM_EUSAGE, "a discount rate needs a discounting period");
    if (opts->period > 0 && opts->horizon / opts->period > CRM_LTV_MAX_PERIODS)
        return crm_error_set(err, CRM_EUSAGE,
                             "the horizon %g holds more than %d discounting periods of %g",
                             opts->horizon, CRM_LTV_MAX_PERIODS, opts->period);
    if (model == CRM_LTV_BGBB && (!is_whole(opts->horizon) || !is_whole(opts->period)))
        return crm_error_set(err, CRM_EUSAGE,
                             "the BG/BB model counts whole periods: horizon %g and discounting "
                             "period %g must be whole numbers",
                             opts->horizon, opts->period);
    return CRM_OK;
}

double crm_ltv_clv(crm_ltv_model model, const double *params, const crm_ltv_clv_options *opts,
                   double spend, double x, double t_x, double T)
{
    if (crm_ltv_clv_options_check(model, opts, NULL) != CRM_OK || !isfinite(spend))
        return NAN;
    const double scale = opts->margin * spend;
    if (opts->discount_rate == 0)
        return scale * crm_ltv_expected_purchases(model, params, opts->horizon, x, t_x, T);
    /* Periods whose end lies within a rounding error of the horizon count
     * as ending there: 52 weeks in periods of 52/12 must give 12 periods. */
    const double P = opts->period, H = opts->horizon;
    const long K = (long)ceil(H / P - 1e-9);
    const double log_growth = log1p(opts->discount_rate);
    double sum = 0.0, previous = 0.0;
    for (long k = 1; k <= K; k++) {
        double t_k = k == K ? H : (double)k * P;
        double e = crm_ltv_expected_purchases(model, params, t_k, x, t_x, T);
        sum += (e - previous) * exp(-(t_k / P) * log_growth);
        previous = e;
    }
    return scale * sum;
}

crm_status crm_ltv_predict(crm_ltv_model model, const double *params, const double *spend_params,
                           const crm_ltv_clv_options *opts, const crm_ltv_customer *c, size_t n,
                           crm_ltv_prediction *out, crm_error *err)
{
    crm_status st = crm_ltv_clv_options_check(model, opts, err);
    if (st != CRM_OK)
        return st;
    if (spend_params && !isfinite(crm_ltv_spend_population_mean(spend_params)))
        return crm_error_set(err, CRM_EUSAGE,
                             "the Gamma-Gamma parameters must be positive with q > 1");
    for (size_t i = 0; i < n; i++) {
        st = crm_ltv_check_customer(model, &c[i], err);
        if (st == CRM_OK && !isfinite(c[i].monetary_value))
            st = crm_error_set(err, CRM_EDATA, "monetary_value is not a number");
        if (st != CRM_OK) {
            crm_error_prefix(err, "customer row %zu: ", i + 1);
            return st;
        }
        crm_ltv_prediction *o = &out[i];
        o->p_alive = crm_ltv_p_alive(model, params, c[i].x, c[i].t_x, c[i].T);
        o->expected_purchases =
            crm_ltv_expected_purchases(model, params, opts->horizon, c[i].x, c[i].t_x, c[i].T);
        o->expected_avg_value = spend_params
                                    ? crm_ltv_spend_expected(spend_params, c[i].x, c[i].monetary_value)
                                    : c[i].monetary_value;
        o->clv = crm_ltv_clv(model, params, opts, o->expected_avg_value, c[i].x, c[i].t_x, c[i].T);
        if (!isfinite(o->p_alive) || !isfinite(o->expected_purchases) ||
            !isfinite(o->expected_avg_value) || !isfinite(o->clv))
            return crm_error_set(err, CRM_EDATA,
                                 "customer row %zu: the %s predictions cannot be computed for "
                                 "x = %g, t_x = %g, T = %g at these parameters",
                                 i + 1, crm_ltv_model_name(model), c[i].x, c[i].t_x, c[i].T);
    }
    return CRM_OK;
}

/* Histories evaluated at a time by crm_ltv_predict_history_values. */
enum { HISTORY_BLOCK = 16384 };

crm_status crm_ltv_predict_history_values(crm_ltv_model model, const double *params,
                                          const crm_ltv_clv_options *opts,
                                          const crm_ltv_customer *histories, size_t n, int threads,
                                          crm_ltv_history_value *out, crm_error *err)
{
    crm_status st = crm_ltv_clv_options_check(model, opts, err);
    if (st != CRM_OK)
        return st;
    /* Horizons: H for E(H), then the period ends t_1 .. t_K of crm_ltv_clv
     * (none without discounting: there the sum is E(H)). */
    const int discounted = opts->discount_rate != 0;
    const double P = opts->period, H = opts->horizon;
    const long K = discounted ? (long)ceil(H / P - 1e-9) : 0;
    const size_t nh = 1 + (size_t)K;
    /* Histories go in blocks, so that the table of E at every horizon
     * stays small (a block of 16,384 at 13 horizons: 1.7 MB). */
    const size_t block = HISTORY_BLOCK;
    double *horizons = malloc(nh * sizeof *horizons);
    double *alive = malloc(block * sizeof *alive);
    double *expected = nh <= SIZE_MAX / sizeof(double) / block ? malloc(block * nh * sizeof *expected)
                                                              : NULL;
    if (!horizons || !alive || !expected) {
        free(horizons);
        free(alive);
        free(expected);
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", n);
    }
    horizons[0] = H;
    for (long k = 1; k <= K; k++)
        horizons[k] = k == K ? H : (double)k * P;
    const double log_growth = discounted ? log1p(opts->discount_rate) : 0.0;
    const double scale = opts->margin * 1.0;
    for (size_t i = 0; i < n; i++) {
        const size_t b = i % block;
        if (b == 0)
            crm_ltv_predict_histories(model, params, horizons, nh, histories + i,
                                      n - i < block ? n - i : block, threads, alive, expected);
        const double *e = &expected[b * nh];
        out[i].p_alive = alive[b];
        out[i].expected_purchases = e[0];
        if (!discounted) {
            out[i].discounted = scale * e[0];
            continue;
        }
        /* The sum of crm_ltv_clv, term by term in the same order. */
        double sum = 0.0, previous = 0.0;
        for (long k = 1; k <= K; k++) {
            sum += (e[k] - previous) * exp(-(horizons[k] / P) * log_growth);
            previous = e[k];
        }
        out[i].discounted = scale * sum;
    }
    free(horizons);
    free(alive);
    free(expected);
    return CRM_OK;
}
