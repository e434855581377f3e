/* The LTV model file: see include/crm/ltv_model_file.h. */
#include "crm/ltv_model_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm/number.h"

static const char format_line[] = "crm-ltv model 1";

const char *crm_ltv_model_key(crm_ltv_model model)
{
    static const char *const keys[] = {"bgnbd", "pnbd", "mbgnbd", "bgbb"};
    return (unsigned)model < sizeof keys / sizeof *keys ? keys[model] : "";
}

static void today(char buf[CRM_DATE_ISO_MAX])
{
    /* SOURCE_DATE_EPOCH, when set, makes the file reproducible. */
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    long long seconds = epoch ? strtoll(epoch, NULL, 10) : (long long)time(NULL);
    long long days = seconds / 86400 - (seconds % 86400 < 0);
    int y, m, d;
    crm_civil_from_days((int32_t)days, &y, &m, &d);
    snprintf(buf, CRM_DATE_ISO_MAX, "%04d-%02d-%02d", y, m, d);
}

void crm_ltv_model_file_from_fit(crm_ltv_model_file *f, crm_ltv_model model, crm_time_unit unit,
                                 const crm_ltv_fit_result *fit)
{
    memset(f, 0, sizeof *f);
    f->model = model;
    f->unit = unit;
    memcpy(f->params, fit->params, sizeof f->params);
    memcpy(f->se, fit->se, sizeof f->se);
    f->loglik = fit->loglik;
    f->n = fit->total_weight;
    today(f->date);
}

void crm_ltv_model_file_set_spend(crm_ltv_model_file *f, const crm_ltv_fit_result *spend)
{
    f->has_spend = 1;
    memcpy(f->spend_params, spend->params, sizeof f->spend_params);
    memcpy(f->spend_se, spend->se, sizeof f->spend_se);
    f->spend_loglik = spend->loglik;
    f->spend_n = spend->total_weight;
}

/* ---- writing ---- */

static crm_status write_key(crm_csv_writer *w, const char *key, const char *text, double number)
{
    crm_status st = crm_csv_write_field(w, key, (size_t)-1);
    if (st == CRM_OK)
        st = text ? crm_csv_write_field(w, text, (size_t)-1) : crm_csv_write_double(w, number);
    return st == CRM_OK ? crm_csv_end_row(w) : st;
}

/* A parameter and, when known, its standard error as "<name>.se". */
static crm_status write_param(crm_csv_writer *w, const char *prefix, const char *name, double value, double se)
{
    char key[64];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    crm_status st = write_key(w, key, NULL, value);
    snprintf(key, sizeof key, "%s%s.se", prefix, name);
    return st == CRM_OK && isfinite(se) ? write_key(w, key, NULL, se) : st;
}

crm_status crm_ltv_model_file_write(crm_csv_writer *w, const crm_ltv_model_file *f)
{
    crm_status st = write_key(w, "key", "value", 0);
    if (st == CRM_OK) st = write_key(w, "format", format_line, 0);
    if (st == CRM_OK) st = write_key(w, "model", crm_ltv_model_key(f->model), 0);
    if (st == CRM_OK) st = write_key(w, "unit", crm_time_unit_name(f->unit), 0);
    for (size_t i = 0; i < 4 && st == CRM_OK; i++)
        if (isfinite(f->params[i]))   /* else a parameter that has no meaning at the model's edge */
            st = write_param(w, "", crm_ltv_model_param_name(f->model, i), f->params[i], f->se[i]);
    if (st == CRM_OK) st = write_key(w, "loglik", NULL, f->loglik);
    if (st == CRM_OK) st = write_key(w, "n", NULL, f->n);
    for (size_t i = 0; f->has_spend && i < 3 && st == CRM_OK; i++)
        st = write_param(w, "spend.", crm_ltv_spend_param_name(i), f->spend_params[i], f->spend_se[i]);
    if (st == CRM_OK && f->has_spend) st = write_key(w, "spend.loglik", NULL, f->spend_loglik);
    if (st == CRM_OK && f->has_spend) st = write_key(w, "spend.n", NULL, f->spend_n);
    if (st == CRM_OK) st = write_key(w, "date", f->date, 0);
    return st;
}

crm_status crm_ltv_model_file_save(const char *path, const crm_ltv_model_file *f, crm_error *err)
{
    crm_csv_writer *w;
    crm_status st = crm_csv_writer_open(&w, path, -1, ',', err);
    if (st != CRM_OK)
        return st;
    if ((st = crm_ltv_model_file_write(w, f)) != CRM_OK) {
        crm_output_status(crm_csv_writer_output(w), err);
        crm_csv_writer_abort(w);
        return st;
    }
    return crm_csv_writer_close(w, err);
}

/* ---- reading ---- */

static crm_status value_number(const char *path, const crm_csv_record *rec, double *out, crm_error *err)
{
    if (crm_parse_double(rec->fields[1], rec->lengths[1], NULL, out) == CRM_OK && isfinite(*out))
        return CRM_OK;
    char q[128];
    return crm_error_set(err, CRM_EDATA, "%s:%llu: cannot read '%s' as the number for '%s'", path,
                         (unsigned long long)rec->line, crm_error_quote(q, sizeof q, rec->fields[1], rec->lengths[1]),
                         rec->fields[0]);
}

/* Matches key against prefix + the parameter names (and their ".se"
 * forms): the parameter's index, or -1. */
static int param_slot(const char *key, const char *prefix, const char *const *names, size_t n, int *se)
{
    size_t plen = strlen(prefix);
    if (strncmp(key, prefix, plen) != 0)
        return -1;
    key += plen;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (strncmp(key, names[i], len) == 0 && (key[len] == '\0' || strcmp(key + len, ".se") == 0)) {
            *se = key[len] != '\0';
            return (int)i;
        }
    }
    return -1;
}

/* The numbers of the file that are not parameters. */
static double *summary_slot(crm_ltv_model_file *f, const char *key)
{
    if (strcmp(key, "loglik") == 0)
        return &f->loglik;
    if (strcmp(key, "n") == 0)
        return &f->n;
    if (strcmp(key, "spend.loglik") == 0)
        return &f->spend_loglik;
    if (strcmp(key, "spend.n") == 0)
        return &f->spend_n;
    return NULL;
}

typedef struct {
    int format, model, unit;
    unsigned params, spend;   /* bit i: parameter i was read */
} seen_keys;

static crm_status read_line(const char *path, const crm_csv_record *rec, crm_ltv_model_file *f, seen_keys *seen,
                            crm_error *err)
{
    const char *key = rec->fields[0], *value = rec->fields[1];
    const char *purchase_names[4], *spend_names[3];
    for (size_t i = 0; i < 4; i++)
        purchase_names[i] = crm_ltv_model_param_name(f->model, i);
    for (size_t i = 0; i < 3; i++)
        spend_names[i] = crm_ltv_spend_param_name(i);
    crm_error ignored;
    int se = 0, slot;
    double v = 0, *summary;
    crm_status st = CRM_OK;
    if (strcmp(key, "format") == 0) {
        seen->format = strcmp(value, format_line) == 0;
    } else if (strcmp(key, "model") == 0) {
        seen->model = crm_ltv_model_parse(value, &f->model, &ignored) == CRM_OK;
    } else if (strcmp(key, "unit") == 0) {
        seen->unit = crm_parse_time_unit(value, &f->unit, &ignored) == CRM_OK;
    } else if (strcmp(key, "date") == 0) {
        snprintf(f->date, sizeof f->date, "%s", value);
    } else if ((summary = summary_slot(f, key)) != NULL) {
        if ((st = value_number(path, rec, &v, err)) == CRM_OK)
            *summary = v;
    } else if (seen->model && (slot = param_slot(key, "", purchase_names, 4, &se)) >= 0) {
        if ((st = value_number(path, rec, &v, err)) == CRM_OK) {
            (se ? f->se : f->params)[slot] = v;
            seen->params |= se ? 0u : 1u << slot;
        }
    } else if ((slot = param_slot(key, "spend.", spend_names, 3, &se)) >= 0) {
        if ((st = value_number(path, rec, &v, err)) == CRM_OK) {
            (se ? f->spend_se : f->spend_params)[slot] = v;
            seen->spend |= se ? 0u : 1u << slot;
        }
    }
    return st;
}

/* Everything a model needs was read, and the parameters make a model. */
static crm_status check_complete(const char *path, crm_ltv_model_file *f, const seen_keys *seen, crm_error *err)
{
    /* At the no-dropout edge the fourth parameter has no meaning and is not
     * written (with no repeat purchases at all, the second neither). */
    int limit = (seen->params & 5u) == 5u && f->params[2] == 0;
    if (!seen->format || !seen->model || !seen->unit || (seen->params != 15u && !limit))
        return crm_error_set(err, CRM_EDATA,
                             "%s: not a complete crm-ltv model file (it needs format, model, unit and "
                             "the model's four parameters)", path);
    for (size_t i = 0; i < 4 && !limit; i++)
        if (!(f->params[i] > 0))
            return crm_error_set(err, CRM_EDATA, "%s: parameter %s = %g is not positive", path,
                                 crm_ltv_model_param_name(f->model, i), f->params[i]);
    if (limit && !crm_ltv_params_no_dropout(f->params) && !crm_ltv_params_no_purchases(f->params))
        return crm_error_set(err, CRM_EDATA, "%s: with %s = 0 (no dropout) %s must be 0, or %s and %s positive", path,
                             crm_ltv_model_param_name(f->model, 2), crm_ltv_model_param_name(f->model, 0),
                             crm_ltv_model_param_name(f->model, 0), crm_ltv_model_param_name(f->model, 1));
    f->has_spend = seen->spend == 7u;
    if (f->has_spend && !isfinite(crm_ltv_spend_population_mean(f->spend_params)))
        return crm_error_set(err, CRM_EDATA, "%s: the Gamma-Gamma parameters must be positive with q > 1", path);
    return CRM_OK;
}

crm_status crm_ltv_model_file_load(const char *path, crm_ltv_model_file *f, crm_error *err)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < 4; i++)
        f->se[i] = f->params[i] = NAN;
    for (size_t i = 0; i < 3; i++)
        f->spend_se[i] = NAN;
    f->loglik = f->n = f->spend_loglik = f->spend_n = NAN;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_status st = crm_csv_open(&r, path, &opts, err);
    if (st != CRM_OK) {
        crm_error_prefix(err, "cannot read the model file: ");
        return st;
    }
    const crm_csv_record *h = crm_csv_header(r), *rec;
    if (!h || h->nfields != 2 || strcmp(h->fields[0], "key") != 0 || strcmp(h->fields[1], "value") != 0) {
        crm_csv_close(r);
        return crm_error_set(err, CRM_EDATA, "%s: not a crm-ltv model file (the header is not 'key,value')", path);
    }
    seen_keys seen = {0};
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE)
            st = crm_csv_defect_error(r, rec, err);
        else if (rec->nfields != 2)
            st = crm_error_set(err, CRM_EDATA, "%s:%llu: expected key,value, found %zu fields", path,
                               (unsigned long long)rec->line, rec->nfields);
        else
            st = read_line(path, rec, f, &seen, err);
    }
    crm_csv_close(r);
    return st == CRM_OK ? check_complete(path, f, &seen, err) : st;
}

crm_status crm_ltv_model_file_check(const crm_ltv_model_file *f, const char *path, int model_given,
                                    crm_ltv_model model, crm_time_unit unit, crm_error *err)
{
    if (model_given && f->model != model)
        return crm_error_set(err, CRM_EUSAGE, "%s holds a %s model, not %s as --model asks", path,
                             crm_ltv_model_name(f->model), crm_ltv_model_name(model));
    if (f->unit != unit)
        return crm_error_set(err, CRM_EDATA,
                             "%s was fitted on data in %s, but these data are in %s (--unit %s); refit, "
                             "or give --unit %s if the columns are in %s",
                             path, crm_time_unit_name(f->unit), crm_time_unit_name(unit), crm_time_unit_name(unit),
                             crm_time_unit_name(f->unit), crm_time_unit_name(f->unit));
    return CRM_OK;
}

/* ---- the --fit-only table ---- */

static crm_status write_number_or_empty(crm_csv_writer *w, double v, int decimals)
{
    if (!isfinite(v))
        return crm_csv_write_field(w, "", 0);
    return decimals < 0 ? crm_csv_write_double(w, v) : crm_csv_write_fixed(w, v, decimals);
}

static crm_status write_table_row(crm_csv_writer *w, const char *model, const char *param, double estimate,
                                  double se, int decimals)
{
    crm_status st = crm_csv_write_field(w, model, (size_t)-1);
    if (st == CRM_OK) st = crm_csv_write_field(w, param, (size_t)-1);
    if (st == CRM_OK) st = write_number_or_empty(w, estimate, decimals);
    if (st == CRM_OK) st = write_number_or_empty(w, se, decimals);
    return st == CRM_OK ? crm_csv_end_row(w) : st;
}

crm_status crm_ltv_model_file_write_table(crm_csv_writer *w, const crm_ltv_model_file *f, int decimals)
{
    static const char *const header[] = {"model", "parameter", "estimate", "std_error"};
    crm_status st = crm_csv_write_row(w, header, NULL, 4);
    for (size_t i = 0; i < 4 && st == CRM_OK; i++)
        st = write_table_row(w, crm_ltv_model_name(f->model), crm_ltv_model_param_name(f->model, i), f->params[i],
                             f->se[i], decimals);
    for (size_t i = 0; f->has_spend && i < 3 && st == CRM_OK; i++)
        st = write_table_row(w, "Gamma-Gamma", crm_ltv_spend_param_name(i), f->spend_params[i], f->spend_se[i],
                             decimals);
    return st;
}

/* ---- fitting a model file from a customers table ---- */

crm_status crm_ltv_model_file_fit_purchase(const crm_ltv_fit_spec *spec, const crm_ltv_customers *t,
                                           crm_ltv_fit_diagnosis *diag, crm_error *err)
{
    if (crm_ltv_fit_advised(spec->model, t->c, t->n, &spec->fit, diag, err) != CRM_OK) {
        crm_error_prefix(err, "%s: ", t->input_name);
        return err->status;
    }
    if (spec->note) {
        char text[4096];
        crm_ltv_fit_describe(text, sizeof text, spec->model, spec->unit, spec->fit.penalty > 0, t->input_name, diag);
        spec->note(spec->ctx, 0, text);
    }
    return CRM_OK;
}

crm_status crm_ltv_model_file_fit(crm_ltv_model_file *f, const crm_ltv_fit_spec *spec, const crm_ltv_customers *t,
                                  const crm_ltv_fit_diagnosis *given, crm_ltv_fit_summary *summary, crm_error *err)
{
    crm_ltv_fit_summary local;
    crm_ltv_fit_summary *s = summary ? summary : &local;
    memset(s, 0, sizeof *s);
    crm_status st;
    if (given)
        s->purchase = *given;
    else if ((st = crm_ltv_model_file_fit_purchase(spec, t, &s->purchase, err)) != CRM_OK)
        return st;
    crm_ltv_model_file_from_fit(f, spec->model, spec->unit, &s->purchase.fit);
    if (!spec->with_spend)
        return CRM_OK;
    crm_ltv_fit_options fo = spec->fit;
    fo.penalty = 0;   /* the penalty is for the purchase model */
    if ((st = crm_ltv_spend_fit(t->spend_c ? t->spend_c : t->c, t->spend_c ? t->spend_n : t->n, &fo, &s->spend,
                                err)) != CRM_OK) {
        crm_error_prefix(err, "%s: ", t->input_name);
        return st;
    }
    if (t->spend_c)
        s->spend.one_time = (size_t)t->one_time;   /* the merged spend rows are the repeat buyers only */
    s->has_spend = 1;
    crm_ltv_model_file_set_spend(f, &s->spend.fit);
    if (spec->note) {
        char text[512];
        crm_ltv_spend_describe(text, sizeof text, &s->spend);
        spec->note(spec->ctx, 0, text);
    }
    return CRM_OK;
}
