#include "crm/ltv.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/strtab.h"

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

/* ---- the options as people write them ---- */

/* "1%/30d": a share per any duration, as lifetimes' monthly rate with
 * freq='D' is written.  *rate_days: the duration in days. */
static crm_status parse_rate_per_duration(const char *text, const char *slash, double *rate, double *rate_days,
                                          crm_error *err)
{
    char share[64];
    crm_duration per;
    snprintf(share, sizeof share, "%.*s", (int)(slash - text), text);
    if (crm_parse_fraction(share, rate, err) != CRM_OK || crm_parse_duration(slash + 1, &per, err) != CRM_OK ||
        !(per.count > 0))
        return crm_error_set(err, CRM_EUSAGE, "--discount wants a rate such as 10%%, 1%%/m or 1%%/30d, got '%s'",
                             text);
    *rate_days = crm_duration_in(per, CRM_UNIT_DAY);
    return CRM_OK;
}

crm_status crm_ltv_clv_options_parse(crm_ltv_clv_options *opts, crm_ltv_model model, crm_time_unit unit,
                                     const char *horizon, const char *discount, const char *discount_period,
                                     crm_error *err)
{
    crm_ltv_clv_options_init(opts);
    crm_duration h, period;
    crm_status st;
    if ((st = crm_parse_duration(horizon ? horizon : "12m", &h, err)) != CRM_OK)
        return st;
    opts->horizon = crm_duration_in(h, unit);
    if (discount_period) {
        if ((st = crm_parse_duration(discount_period, &period, err)) != CRM_OK)
            return st;
        opts->period = crm_duration_in(period, unit);
    } else {
        opts->period = model == CRM_LTV_BGBB ? 1.0 : crm_duration_in((crm_duration){1, CRM_UNIT_MONTH}, unit);
    }
    double rate = 0, rate_days = 1;
    const char *slash = discount ? strchr(discount, '/') : NULL;
    if (slash && slash - discount < 64 && slash[1] >= '0' && slash[1] <= '9') {
        if ((st = parse_rate_per_duration(discount, slash, &rate, &rate_days, err)) != CRM_OK)
            return st;
    } else {
        crm_rate r;
        if ((st = crm_parse_rate(discount ? discount : "10%", CRM_UNIT_YEAR, &r, err)) != CRM_OK)
            return st;
        rate = r.value;
        rate_days = crm_time_unit_days(r.per);
    }
    /* The rate per discounting period: (1 + rate)^(period / rate's period) - 1. */
    double period_days = opts->period * crm_time_unit_days(unit);
    opts->discount_rate = expm1(log1p(rate) * period_days / rate_days);
    return CRM_OK;
}

crm_status crm_ltv_margin_parse(const char *text, double *margin, int *from_profit, crm_error *err)
{
    *margin = 1.0;
    *from_profit = text && strcmp(text, "profit") == 0;
    if (text && !*from_profit && crm_parse_fraction(text, margin, err) != CRM_OK)
        return crm_error_set(err, CRM_EUSAGE, "--margin wants a share such as 30%% or 0.3, or 'profit', got '%s'",
                             text);
    return CRM_OK;
}

/* ---- scoring a table ---- */

/* The distinct histories of c: history_of[i] indexes histories. */
static crm_status distinct_histories(const crm_ltv_customer *c, size_t n, uint32_t *history_of,
                                     crm_ltv_customer *histories, size_t *nhistories, crm_error *err)
{
    crm_strtab *seen = crm_strtab_new(n / 4 + 16);
    crm_status st = seen ? CRM_OK : crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", n);
    *nhistories = 0;
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        double key[3] = {c[i].x, c[i].t_x, c[i].T};
        int fresh = crm_strtab_intern(seen, (const char *)key, sizeof key, &history_of[i]);
        if (fresh < 0)
            st = crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", n);
        else if (fresh)
            histories[(*nhistories)++] = c[i];
    }
    crm_strtab_free(seen);
    return st;
}

crm_status crm_ltv_predict_shared(crm_ltv_model model, const double *params, const double *spend_params,
                                  const crm_ltv_clv_options *opts, const crm_ltv_customer *c, size_t n, int threads,
                                  crm_ltv_prediction *out, size_t *bad, crm_error *err)
{
    uint32_t *history_of = malloc((n ? n : 1) * sizeof *history_of);
    crm_ltv_customer *histories = malloc((n ? n : 1) * sizeof *histories);
    crm_ltv_history_value *values = malloc((n ? n : 1) * sizeof *values);
    crm_ltv_clv_options per_unit = *opts;
    per_unit.margin = 1.0;
    size_t nhistories = 0;
    crm_status st = history_of && histories && values
                        ? distinct_histories(c, n, history_of, histories, &nhistories, err)
                        : crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", n);
    if (st == CRM_OK)
        st = crm_ltv_predict_history_values(model, params, &per_unit, histories, nhistories, threads, values, err);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        const crm_ltv_history_value *h = &values[history_of[i]];
        crm_ltv_prediction *o = &out[i];
        o->p_alive = h->p_alive;
        o->expected_purchases = h->expected_purchases;
        o->expected_avg_value = spend_params ? crm_ltv_spend_expected(spend_params, c[i].x, c[i].monetary_value)
                                             : c[i].monetary_value;
        /* what crm_ltv_clv computes, bit for bit */
        o->clv = opts->margin * o->expected_avg_value * h->discounted;
        if (!isfinite(o->p_alive) || !isfinite(o->expected_purchases) || !isfinite(o->expected_avg_value) ||
            !isfinite(o->clv)) {
            *bad = i;
            st = crm_error_set(err, CRM_EDATA, "the %s predictions cannot be computed for x = %g, t_x = %g, T = %g "
                               "at these parameters", crm_ltv_model_name(model), c[i].x, c[i].t_x, c[i].T);
        }
    }
    free(history_of);
    free(histories);
    free(values);
    return st;
}

/* ---- fitting, explained ---- */

crm_status crm_ltv_fit_advised(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                               const crm_ltv_fit_options *opts, crm_ltv_fit_diagnosis *diag, crm_error *err)
{
    crm_status st = crm_ltv_fit_diagnosed(model, c, n, opts, diag, err);
    static const double penalties[] = {0.001, 0.01, 0.1};
    for (size_t i = 0; st == CRM_EDATA && opts->penalty == 0 && i < sizeof penalties / sizeof *penalties; i++) {
        crm_ltv_fit_options trial = *opts;
        trial.penalty = penalties[i];
        crm_ltv_fit_diagnosis dg;
        crm_error ignored;
        if (crm_ltv_fit_diagnosed(model, c, n, &trial, &dg, &ignored) == CRM_OK) {
            size_t len = strlen(err->message);
            snprintf(err->message + len, sizeof err->message - len, "; with --penalty %g it fits", penalties[i]);
            break;
        }
    }
    return st;
}

/* Appends printf-formatted text to buf, cut to size. */
static void append(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strnlen(buf, size);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* Where each model's no-dropout edge lies, and what the model is there. */
static const char *const dropout_edge[] = {
    "a -> 0 (dropout probability p = 0)", "s -> 0 or beta -> infinity (dropout rate mu = 0)",
    "a -> 0 (dropout probability p = 0)", "gamma -> 0 (dropout probability theta = 0)"};

/* Why p_alive is 1 for everyone, and the edge model that scores. */
static void describe_edge(char *buf, size_t size, crm_ltv_model model, crm_time_unit unit, const char *pen,
                          const char *input, const crm_ltv_fit_diagnosis *dg)
{
    const crm_ltv_fit_result *res = &dg->fit;
    const char *name = crm_ltv_model_name(model);
    append(buf, size, "%s: the data show no sign of customers leaving within the observation window; "
           "p_alive is 1 for everyone\n", input);
    if (dg->verdict == CRM_LTV_DROPOUT_AT_EDGE)
        append(buf, size, "the %s likelihood has no proper maximum inside its parameter space: it is highest "
               "on the edge %s (its best point found gains %.3f in log-likelihood over it)", name, dropout_edge[model],
               dg->lr_statistic / 2);
    else
        append(buf, size, "the best %s fit (%s = %.3g) gains only %.3f in log-likelihood over the edge %s, "
               "less than the %.2f that would show dropout", name, crm_ltv_model_param_name(model, 2),
               dg->full.params[2], dg->lr_statistic / 2, dropout_edge[model], CRM_LTV_DROPOUT_LR_CRITICAL / 2);
    append(buf, size, "; scoring with the model there, the %s without dropout: %s = %.4g, %s = %.4g, %s = 0 "
           "(log-likelihood %.3f on %.15g customers, %s%s)\n", model == CRM_LTV_BGBB ? "beta-binomial" : "NBD",
           crm_ltv_model_param_name(model, 0), res->params[0], crm_ltv_model_param_name(model, 1), res->params[1],
           crm_ltv_model_param_name(model, 2), res->loglik, res->total_weight, crm_time_unit_name(unit), pen);
}

void crm_ltv_fit_describe(char *buf, size_t size, crm_ltv_model model, crm_time_unit unit, int penalised,
                          const char *input, const crm_ltv_fit_diagnosis *diag)
{
    const crm_ltv_fit_result *res = &diag->fit;
    const char *name = crm_ltv_model_name(model);
    const char *pen = penalised ? " (penalised)" : "";
    if (size)
        buf[0] = '\0';
    if (diag->verdict == CRM_LTV_NO_REPEATS) {
        append(buf, size, "%s: none of the %.15g customers has a repeat purchase, so the %s likelihood is "
               "highest where the purchase rate is 0: expected_purchases and clv are 0 and p_alive is 1 for "
               "everyone\n", input, res->total_weight, name);
        return;
    }
    if (diag->verdict == CRM_LTV_DROPOUT_EVIDENT)
        append(buf, size, "%s fit on %.15g customers (%s): log-likelihood %.3f, converged in %d iterations%s\n",
               name, res->total_weight, crm_time_unit_name(unit), res->loglik, res->iterations, pen);
    else
        describe_edge(buf, size, model, unit, pen, input, diag);
    for (size_t i = 0; i < 4; i++)
        if (diag->weak & (1u << i))
            append(buf, size, "note: the data hardly determine %s: %s = %.3g has a standard error of %.3g, "
                   "larger than itself\n", crm_ltv_model_param_name(model, i), crm_ltv_model_param_name(model, i),
                   res->params[i], res->se[i]);
}

void crm_ltv_spend_describe(char *buf, size_t size, const crm_ltv_spend_result *res)
{
    snprintf(buf, size, "Gamma-Gamma fit on %zu repeat buyers: log-likelihood %.3f; %zu one-time buyers "
             "and %zu with monetary_value <= 0 get the population mean spend %.2f\n",
             res->used, res->fit.loglik, res->one_time, res->nonpositive, res->population_mean);
}
