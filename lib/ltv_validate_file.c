/* The tables of crm-ltv --validate: see include/crm/ltv_validate_file.h. */
#include "crm/ltv_validate_file.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm/ltv_model_file.h"

const char *crm_ltv_dropout_key(crm_ltv_dropout_verdict verdict)
{
    static const char *const keys[] = {"evident", "at-edge", "not-significant", "no-repeats"};
    return (unsigned)verdict < sizeof keys / sizeof *keys ? keys[verdict] : "";
}

crm_status crm_ltv_validate_file_write(crm_csv_writer *w, const crm_ltv_candidate *c, size_t n)
{
    static const char *const header[] = {"model", "customers", "actual_total", "predicted_total", "mae", "rmse",
                                         "loglik", "bic", "dropout"};
    crm_status st = crm_csv_write_row(w, header, NULL, sizeof header / sizeof *header);
    for (size_t k = 0; k < n && st == CRM_OK; k++) {
        if (!c[k].ok)
            continue;
        st = crm_csv_write_field(w, crm_ltv_model_key(c[k].model), (size_t)-1);
        if (st == CRM_OK) st = crm_csv_write_double(w, c[k].val.customers);
        if (st == CRM_OK) st = crm_csv_write_double(w, c[k].val.actual_total);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, c[k].val.predicted_total, 4);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, c[k].val.mae, 6);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, c[k].val.rmse, 6);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, c[k].dg.fit.loglik, 3);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, c[k].bic, 3);
        if (st == CRM_OK) st = crm_csv_write_field(w, crm_ltv_dropout_key(c[k].dg.verdict), (size_t)-1);
        if (st == CRM_OK) st = crm_csv_end_row(w);
    }
    return st;
}

static crm_status write_mean(crm_csv_writer *w, double v)
{
    return isfinite(v) ? crm_csv_write_fixed(w, v, 6) : crm_csv_write_field(w, "", 0);
}

crm_status crm_ltv_validate_file_write_by_frequency(crm_csv_writer *w, const crm_ltv_candidate *c, size_t n)
{
    static const char *const header[] = {"model", "x", "customers", "actual_mean", "predicted_mean"};
    crm_status st = crm_csv_write_row(w, header, NULL, 5);
    for (size_t k = 0; k < n && st == CRM_OK; k++)
        for (size_t b = 0; c[k].ok && b < CRM_LTV_VALIDATE_BINS && st == CRM_OK; b++) {
            char label[16];
            snprintf(label, sizeof label, b + 1 < CRM_LTV_VALIDATE_BINS ? "%zu" : "%zu+", b);
            st = crm_csv_write_field(w, crm_ltv_model_key(c[k].model), (size_t)-1);
            if (st == CRM_OK) st = crm_csv_write_field(w, label, (size_t)-1);
            if (st == CRM_OK) st = crm_csv_write_double(w, c[k].val.bin_customers[b]);
            if (st == CRM_OK) st = write_mean(w, c[k].val.bin_actual_mean[b]);
            if (st == CRM_OK) st = write_mean(w, c[k].val.bin_predicted_mean[b]);
            if (st == CRM_OK) st = crm_csv_end_row(w);
        }
    return st;
}

void crm_ltv_candidates_describe(char *buf, size_t size, const crm_ltv_candidate *c, size_t n, size_t best,
                                 int by_mae)
{
    size_t len = (size_t)snprintf(buf, size, "--model auto: %s, with the lowest %s, %.6g",
                                  crm_ltv_model_name(c[best].model), by_mae ? "holdout MAE" : "BIC",
                                  by_mae ? c[best].val.mae : c[best].bic);
    const char *sep = " (";
    for (size_t k = 0; k < n && len < size; k++)
        if (c[k].ok && k != best) {
            len += (size_t)snprintf(buf + len, size - len, "%s%s %.6g", sep, crm_ltv_model_name(c[k].model),
                                    by_mae ? c[k].val.mae : c[k].bic);
            sep = ", ";
        }
    if (len < size)
        snprintf(buf + len, size - len, "%s%s\n", sep[0] == ',' ? ")" : "",
                 by_mae ? "" : "; no holdout columns, so chosen by fit and size");
}

crm_status crm_ltv_validate_file_fit(const crm_ltv_fit_spec *spec, const crm_ltv_customers *t, crm_ltv_candidate *c,
                                     size_t *n, crm_error *err)
{
    crm_ltv_model models[CRM_LTV_MAX_CANDIDATES];
    size_t m = crm_ltv_candidate_models(spec->unit == CRM_UNIT_DAY, t->c, t->duration_holdout, t->n, models);
    size_t fitted = 0;
    crm_ltv_fit_spec one = *spec;
    crm_status st = CRM_OK;
    for (size_t k = 0; k < m && st == CRM_OK; k++) {
        crm_error e;
        one.model = c[k].model = models[k];
        c[k].ok = 0;
        if ((st = crm_ltv_model_file_fit_purchase(&one, t, &c[k].dg, &e)) == CRM_EDATA) {
            char text[1200];
            snprintf(text, sizeof text, "%s is left out: %s\n", crm_ltv_model_name(models[k]), e.message);
            if (spec->note)
                spec->note(spec->ctx, 1, text);
            st = CRM_OK;
            continue;
        }
        if (st != CRM_OK) {
            *err = e;
            break;
        }
        c[k].bic = crm_ltv_bic(&c[k].dg.fit);
        if (t->x_holdout && (st = crm_ltv_validate(models[k], c[k].dg.fit.params, t->c, t->x_holdout,
                                                   t->duration_holdout, t->n, &c[k].val, err)) != CRM_OK)
            crm_error_prefix(err, "%s: ", t->input_name);
        c[k].ok = st == CRM_OK;
        fitted += (size_t)c[k].ok;
    }
    *n = m;
    if (st == CRM_OK && fitted == 0)
        st = crm_error_set(err, CRM_EDATA, "%s: no model could be fitted", t->input_name);
    return st;
}
