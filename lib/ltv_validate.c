#include "crm/ltv_validate.h"

#include <math.h>
#include <string.h>

crm_status crm_ltv_validate(crm_ltv_model model, const double *params, const crm_ltv_customer *c,
                            const double *x_holdout, const double *duration_holdout, size_t n,
                            crm_ltv_validation *out, crm_error *err)
{
    memset(out, 0, sizeof *out);
    double abs_sum = 0.0, sq_sum = 0.0;
    double bin_actual[CRM_LTV_VALIDATE_BINS] = {0}, bin_predicted[CRM_LTV_VALIDATE_BINS] = {0};
    for (size_t i = 0; i < n; i++) {
        crm_status st = crm_ltv_check_customer(model, &c[i], err);
        if (st != CRM_OK) {
            crm_error_prefix(err, "customer row %zu: ", i + 1);
            return st;
        }
        const double y = x_holdout[i], d = duration_holdout[i];
        if (!isfinite(y) || y < 0 || y != floor(y))
            return crm_error_set(err, CRM_EDATA,
                                 "customer row %zu: x_holdout = %g is not a whole number >= 0", i + 1, y);
        if (!isfinite(d) || d < 0 || (model == CRM_LTV_BGBB && d != floor(d)))
            return crm_error_set(err, CRM_EDATA,
                                 "customer row %zu: duration_holdout = %g is not %s", i + 1, d,
                                 model == CRM_LTV_BGBB ? "a whole number of periods >= 0" : "a number >= 0");
        const double w = c[i].weight;
        if (!(w > 0))
            continue;
        const double e = crm_ltv_expected_purchases(model, params, d, c[i].x, c[i].t_x, c[i].T);
        if (!isfinite(e))
            return crm_error_set(err, CRM_EDATA,
                                 "customer row %zu: the %s prediction cannot be computed for x = %g, "
                                 "t_x = %g, T = %g over %g",
                                 i + 1, crm_ltv_model_name(model), c[i].x, c[i].t_x, c[i].T, d);
        const size_t bin = c[i].x < CRM_LTV_VALIDATE_BINS - 1 ? (size_t)c[i].x : CRM_LTV_VALIDATE_BINS - 1;
        out->customers += w;
        out->actual_total += w * y;
        out->predicted_total += w * e;
        abs_sum += w * fabs(y - e);
        sq_sum += w * (y - e) * (y - e);
        out->bin_customers[bin] += w;
        bin_actual[bin] += w * y;
        bin_predicted[bin] += w * e;
    }
    if (!(out->customers > 0))
        return crm_error_set(err, CRM_EDATA, "no customers to validate the %s model on",
                             crm_ltv_model_name(model));
    out->mae = abs_sum / out->customers;
    out->rmse = sqrt(sq_sum / out->customers);
    for (size_t b = 0; b < CRM_LTV_VALIDATE_BINS; b++) {
        int empty = !(out->bin_customers[b] > 0);
        out->bin_actual_mean[b] = empty ? NAN : bin_actual[b] / out->bin_customers[b];
        out->bin_predicted_mean[b] = empty ? NAN : bin_predicted[b] / out->bin_customers[b];
    }
    return CRM_OK;
}

size_t crm_ltv_candidate_models(int in_days, const crm_ltv_customer *c, const double *duration_holdout, size_t n,
                                crm_ltv_model *out)
{
    size_t k = 0;
    out[k++] = CRM_LTV_BGNBD;
    out[k++] = CRM_LTV_MBGNBD;
    out[k++] = CRM_LTV_PARETO_NBD;
    int discrete = !in_days && n > 0;
    for (size_t i = 0; i < n && discrete; i++)
        discrete = crm_ltv_check_customer(CRM_LTV_BGBB, &c[i], NULL) == CRM_OK &&
                   (!duration_holdout || duration_holdout[i] == floor(duration_holdout[i]));
    if (discrete)
        out[k++] = CRM_LTV_BGBB;
    return k;
}

double crm_ltv_bic(const crm_ltv_fit_result *fit)
{
    int k = 0;
    for (size_t i = 0; i < 4; i++)
        k += fit->params[i] > 0 && isfinite(fit->params[i]);
    return -2.0 * fit->loglik + k * log(fit->total_weight);
}

size_t crm_ltv_best_candidate(const crm_ltv_candidate *c, size_t n, int by_mae)
{
    size_t best = n;
    for (size_t k = 0; k < n; k++)
        if (c[k].ok && (best == n || (by_mae ? c[k].val.mae < c[best].val.mae : c[k].bic < c[best].bic)))
            best = k;
    return best;
}
