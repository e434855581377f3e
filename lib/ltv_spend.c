#include "crm/ltv_spend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

static const char *const spend_param_names[] = {"p", "q", "gamma"};

const char *crm_ltv_spend_param_name(size_t i)
{
    return i < 3 ? spend_param_names[i] : NULL;
}

crm_status crm_ltv_spend_check_customer(const crm_ltv_customer *c, crm_error *err)
{
    if (!isfinite(c->x))
        return crm_error_set(err, CRM_EDATA, "x is not a number");
    if (c->x < 0)
        return crm_error_set(err, CRM_EDATA, "x = %g is negative", c->x);
    if (c->x != floor(c->x))
        return crm_error_set(err, CRM_EDATA, "x = %g is not a whole number of purchases", c->x);
    if (!isfinite(c->monetary_value))
        return crm_error_set(err, CRM_EDATA, "monetary_value is not a number");
    if (!isfinite(c->weight) || c->weight < 0)
        return crm_error_set(err, CRM_EDATA, "weight = %g is not a number >= 0", c->weight);
    return CRM_OK;
}

static int usable(const crm_ltv_customer *c)
{
    return c->x > 0 && c->monetary_value > 0 && c->weight > 0;
}

/* The rows the model uses, with log(zbar) and log(x) computed once. */
typedef struct {
    double x, zbar, log_zbar, log_x, w;
} spend_row;

typedef struct {
    spend_row *rows;
    size_t n;
    double total_weight;
} spend_data;

static int compare_rows_by_x(const void *a, const void *b)
{
    const spend_row *r = a, *s = b;
    return (r->x > s->x) - (r->x < s->x);
}

static crm_status spend_data_build(spend_data *d, const crm_ltv_customer *c, size_t n,
                                   crm_ltv_spend_result *counts, crm_error *err)
{
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < n; i++) {
        crm_status st = crm_ltv_spend_check_customer(&c[i], err);
        if (st != CRM_OK) {
            crm_error_prefix(err, "customer row %zu: ", i + 1);
            return st;
        }
        if (counts) {
            if (c[i].x == 0)
                counts->one_time++;
            else if (!(c[i].monetary_value > 0))
                counts->nonpositive++;
        }
    }
    d->rows = malloc((n ? n : 1) * sizeof *d->rows);
    if (!d->rows)
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", n);
    for (size_t i = 0; i < n; i++) {
        if (!usable(&c[i]))
            continue;
        d->rows[d->n++] = (spend_row){c[i].x, c[i].monetary_value, log(c[i].monetary_value),
                                      log(c[i].x), c[i].weight};
        d->total_weight += c[i].weight;
    }
    /* Sorted by x, the special functions of p x (the costly part) are
     * evaluated once per distinct x rather than once per customer. */
    qsort(d->rows, d->n, sizeof *d->rows, compare_rows_by_x);
    if (d->n == 0) {
        free(d->rows);
        d->rows = NULL;
        return crm_error_set(err, CRM_EDATA,
                             "no customer has repeat purchases with a positive monetary_value; "
                             "the Gamma-Gamma spend model needs some");
    }
    return CRM_OK;
}

/* The density of zbar (see the header), and its gradient:
 *   d/dp     = x [psi(px+q) - psi(px) + log(zbar) + log(x) - log(x zbar + gamma)]
 *   d/dq     = psi(px+q) - psi(q) + log(gamma) - log(x zbar + gamma)
 *   d/dgamma = q / gamma - (px+q) / (x zbar + gamma). */
static double spend_loglik_fn(const double *th, double *grad, void *ctx)
{
    const spend_data *d = ctx;
    const double p = th[0], q = th[1], gamma = th[2];
    const double lg_q = gsl_sf_lngamma(q), psi_q = gsl_sf_psi(q), log_gamma = log(gamma);
    double ll = 0.0, gp = 0.0, gq = 0.0, gg = 0.0;
    double x_done = -1.0, lg_ratio = 0.0, psi_pxq = 0.0, psi_px = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        const spend_row *row = &d->rows[i];
        const double px = p * row->x, s = row->x * row->zbar + gamma, log_s = log(s);
        if (row->x != x_done) {   /* rows come sorted by x */
            x_done = row->x;
            lg_ratio = gsl_sf_lngamma(px + q) - gsl_sf_lngamma(px);
            if (grad) {
                psi_pxq = gsl_sf_psi(px + q);
                psi_px = gsl_sf_psi(px);
            }
        }
        ll += row->w * (lg_ratio - lg_q + q * log_gamma + (px - 1) * row->log_zbar +
                        px * row->log_x - (px + q) * log_s);
        if (grad) {
            gp += row->w * row->x * (psi_pxq - psi_px + row->log_zbar + row->log_x - log_s);
            gq += row->w * (psi_pxq - psi_q + log_gamma - log_s);
            gg += row->w * (q / gamma - (px + q) / s);
        }
    }
    if (grad) {
        grad[0] = gp;
        grad[1] = gq;
        grad[2] = gg;
    }
    return ll;
}

static int spend_params_valid(const double *p)
{
    for (size_t i = 0; i < 3; i++)
        if (!(p[i] > 0.0) || !isfinite(p[i]))
            return 0;
    return 1;
}

crm_status crm_ltv_spend_loglik(const double *params, const crm_ltv_customer *c, size_t n,
                                double *loglik, size_t *used, crm_error *err)
{
    if (!spend_params_valid(params))
        return crm_error_set(err, CRM_EDATA, "the Gamma-Gamma parameters must be positive numbers");
    spend_data d;
    crm_status st = spend_data_build(&d, c, n, NULL, err);
    if (st != CRM_OK)
        return st;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    *loglik = spend_loglik_fn(params, NULL, &d);
    gsl_set_error_handler(old);
    if (used)
        *used = d.n;
    free(d.rows);
    if (!isfinite(*loglik))
        return crm_error_set(err, CRM_EDATA,
                             "the Gamma-Gamma likelihood cannot be evaluated at these parameters");
    return CRM_OK;
}

enum { NSTARTS = 5 };

crm_status crm_ltv_spend_fit(const crm_ltv_customer *c, size_t n, const crm_ltv_fit_options *opts,
                             crm_ltv_spend_result *res, crm_error *err)
{
    memset(res, 0, sizeof *res);
    res->population_mean = NAN;
    spend_data d;
    crm_status st = spend_data_build(&d, c, n, res, err);
    if (st != CRM_OK)
        return st;
    res->used = d.n;

    /* Starting points (p, q) of several shapes, gamma set so that the
     * population mean p gamma / (q - 1) equals the observed mean spend. */
    double mean = 0.0;
    for (size_t i = 0; i < d.n; i++)
        mean += d.rows[i].w * d.rows[i].zbar;
    mean /= d.total_weight;
    static const double shape[NSTARTS][2] = {{1, 2}, {5, 3}, {0.5, 5}, {10, 2}, {2, 10}};
    double starts[NSTARTS][3];
    const double scales[3] = {1.0, 1.0, mean};
    for (size_t k = 0; k < NSTARTS; k++) {
        starts[k][0] = shape[k][0];
        starts[k][1] = shape[k][1];
        starts[k][2] = mean * (shape[k][1] - 1) / shape[k][0];
    }
    crm_ltv_fit_problem prob = {
        .name = "Gamma-Gamma",
        .nparams = 3,
        .loglik = spend_loglik_fn,
        .has_gradient = 1,
        .ctx = &d,
        .total_weight = d.total_weight,
        .starts = &starts[0][0],
        .nstarts = NSTARTS,
        .param_names = spend_param_names,
        .scales = scales,
    };
    st = crm_ltv_fit_maximize(&prob, opts, &res->fit, err);
    res->fit.rows = d.n;
    free(d.rows);
    if (st != CRM_OK)
        return st;
    res->population_mean = crm_ltv_spend_population_mean(res->fit.params);
    if (!isfinite(res->population_mean))
        return crm_error_set(err, CRM_EDATA,
                             "the Gamma-Gamma fit gives q = %g, not above 1: the mean spend of the "
                             "population would be infinite",
                             res->fit.params[1]);
    return CRM_OK;
}

double crm_ltv_spend_population_mean(const double *params)
{
    if (!spend_params_valid(params) || !(params[1] > 1.0))
        return NAN;
    return params[0] * params[2] / (params[1] - 1.0);
}

double crm_ltv_spend_expected(const double *params, double x, double monetary_value)
{
    if (!isfinite(x) || x < 0 || x != floor(x))
        return NAN;
    if (x == 0 || !(monetary_value > 0) || !isfinite(monetary_value))
        return crm_ltv_spend_population_mean(params);
    if (!spend_params_valid(params) || !(params[1] > 1.0))
        return NAN;
    const double p = params[0], q = params[1], gamma = params[2];
    return p * (gamma + x * monetary_value) / (p * x + q - 1.0);
}
