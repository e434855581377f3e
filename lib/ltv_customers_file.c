/* The customers table of crm-ltv: see include/crm/ltv_customers_file.h. */
#include "crm/ltv_customers_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/clean.h"
#include "crm/ltv_cohort.h"

static const char *const default_column[CRM_LTV_NCOLUMNS] = {
    "x", "t_x", "T", "monetary_value", NULL, "profit", "monetary", "customer_id",
    "date", "amount", "invoice_id", "cost", "x_holdout", "duration_holdout"};
static const char *const column_option[CRM_LTV_NCOLUMNS] = {
    "--x", "--t-x", "--T", "--monetary-value", "--weight", "--profit", "--monetary", "--customer",
    "--date", "--amount", "--invoice", "--cost", "--x-holdout", "--duration-holdout"};

const char *crm_ltv_column_default(crm_ltv_column slot)
{
    return (unsigned)slot < CRM_LTV_NCOLUMNS ? default_column[slot] : NULL;
}

const char *crm_ltv_column_option(crm_ltv_column slot)
{
    return (unsigned)slot < CRM_LTV_NCOLUMNS ? column_option[slot] : "";
}

void crm_ltv_customers_free(crm_ltv_customers *t)
{
    free(t->c);
    free(t->lines);
    free(t->profit);
    free(t->monetary);
    free(t->x_holdout);
    free(t->duration_holdout);
    crm_customers_table_store_free(t->rows);
    free(t->input_name);
    free(t->spend_c);
}

/* Grows one optional column's array with the others (absent: left NULL). */
static int grow_column(double **p, int present, size_t cap)
{
    if (!present)
        return 1;
    double *q = realloc(*p, cap * sizeof *q);
    if (q)
        *p = q;
    return q != NULL;
}

static crm_status grow(crm_ltv_customers *t, crm_error *err)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    crm_ltv_customer *c = realloc(t->c, cap * sizeof *c);
    if (c)
        t->c = c;
    uint64_t *lines = realloc(t->lines, cap * sizeof *lines);
    if (lines)
        t->lines = lines;
    int holdout = t->col[CRM_LTV_COL_X_HOLDOUT] >= 0;
    if (!c || !lines || !grow_column(&t->profit, t->col[CRM_LTV_COL_PROFIT] >= 0, cap) ||
        !grow_column(&t->monetary, t->col[CRM_LTV_COL_MONETARY] >= 0, cap) ||
        !grow_column(&t->x_holdout, holdout, cap) || !grow_column(&t->duration_holdout, holdout, cap))
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", t->n);
    t->cap = cap;
    return CRM_OK;
}

/* Reads column slot of rec into *out when the table has it. */
static crm_status cell(const crm_ltv_customers *t, const crm_csv_reader *r, const crm_csv_record *rec, int slot,
                       double *out, crm_error *err)
{
    return t->col[slot] < 0 ? CRM_OK : crm_customers_table_cell(r, rec, t->col[slot], out, err);
}

static crm_status check_holdout(const crm_ltv_customers *t, const crm_csv_reader *r, const crm_csv_record *rec,
                                crm_error *err)
{
    double y = t->x_holdout[t->n], d = t->duration_holdout[t->n];
    int bad_x = y < 0 || y != floor(y);
    if (!bad_x && d >= 0)
        return CRM_OK;
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': '%.17g' is not a %s", crm_csv_input_name(r),
                         (unsigned long long)rec->line,
                         crm_csv_column_name(r, (size_t)t->col[bad_x ? CRM_LTV_COL_X_HOLDOUT
                                                                     : CRM_LTV_COL_DURATION_HOLDOUT]),
                         bad_x ? y : d, bad_x ? "whole number of purchases >= 0" : "duration >= 0");
}

/* One row into t: numbers read, the customer checked for the model. */
static crm_status add_customer(crm_ltv_customers *t, const crm_csv_reader *r, const crm_csv_record *rec,
                               const crm_ltv_customers_spec *spec, crm_error *err)
{
    if (rec->defect)
        return crm_csv_defect_error(r, rec, err);
    crm_status st;
    if ((st = crm_csv_check_width(r, rec, t->ncolumns, err)) != CRM_OK)
        return st;
    long id = t->col[CRM_LTV_COL_CUSTOMER];
    if (spec->shard && spec->shard->count && !crm_clean_in_shard(spec->shard, rec->fields[id], rec->lengths[id]))
        return CRM_OK;   /* another shard's customer */
    if (t->n == t->cap && (st = grow(t, err)) != CRM_OK)
        return st;
    crm_ltv_customer *c = &t->c[t->n];
    *c = (crm_ltv_customer){0, 0, 0, 0, 1};
    if (spec->summary && ((st = cell(t, r, rec, CRM_LTV_COL_X, &c->x, err)) != CRM_OK ||
                          (st = cell(t, r, rec, CRM_LTV_COL_T_X, &c->t_x, err)) != CRM_OK ||
                          (st = cell(t, r, rec, CRM_LTV_COL_T, &c->T, err)) != CRM_OK))
        return st;
    if ((st = cell(t, r, rec, CRM_LTV_COL_MONETARY_VALUE, &c->monetary_value, err)) != CRM_OK ||
        (st = cell(t, r, rec, CRM_LTV_COL_WEIGHT, &c->weight, err)) != CRM_OK ||
        (t->profit && (st = cell(t, r, rec, CRM_LTV_COL_PROFIT, &t->profit[t->n], err)) != CRM_OK) ||
        (t->monetary && (st = cell(t, r, rec, CRM_LTV_COL_MONETARY, &t->monetary[t->n], err)) != CRM_OK))
        return st;
    if (t->x_holdout &&
        ((st = cell(t, r, rec, CRM_LTV_COL_X_HOLDOUT, &t->x_holdout[t->n], err)) != CRM_OK ||
         (st = cell(t, r, rec, CRM_LTV_COL_DURATION_HOLDOUT, &t->duration_holdout[t->n], err)) != CRM_OK ||
         (st = check_holdout(t, r, rec, err)) != CRM_OK))
        return st;
    if (spec->summary && (st = crm_ltv_check_customer(spec->model, c, err)) != CRM_OK) {
        crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
        return st;
    }
    if (spec->partial &&
        (st = crm_ltv_partial_add_customer(spec->partial, rec->fields[id], rec->lengths[id], c->x, c->t_x, c->T,
                                           t->col[CRM_LTV_COL_MONETARY_VALUE] >= 0, c->monetary_value, err)) != CRM_OK) {
        crm_error_prefix(err, "%s:%llu: column '%s': ", crm_csv_input_name(r), (unsigned long long)rec->line,
                         crm_csv_column_name(r, (size_t)id));
        return st;
    }
    if (spec->keep_rows && (st = crm_customers_table_store_add(t->rows, rec, err)) != CRM_OK)
        return st;
    /* counted last: a row refused above leaves nothing behind */
    t->total_profit += t->profit ? t->profit[t->n] : 0;
    t->total_monetary += t->monetary ? t->monetary[t->n] : 0;
    t->lines[t->n++] = rec->line;
    return CRM_OK;
}

static crm_status resolve_columns(const crm_csv_reader *r, const crm_ltv_customers_spec *spec, crm_ltv_customers *t,
                                  crm_error *err)
{
    unsigned required = spec->required;
    if (spec->shard && spec->shard->count)
        required |= 1u << CRM_LTV_COL_CUSTOMER;
    if (spec->partial)
        required |= 1u << CRM_LTV_COL_CUSTOMER;
    static const crm_ltv_column slots[] = {
        CRM_LTV_COL_X, CRM_LTV_COL_T_X, CRM_LTV_COL_T, CRM_LTV_COL_MONETARY_VALUE, CRM_LTV_COL_WEIGHT,
        CRM_LTV_COL_PROFIT, CRM_LTV_COL_MONETARY, CRM_LTV_COL_CUSTOMER, CRM_LTV_COL_X_HOLDOUT,
        CRM_LTV_COL_DURATION_HOLDOUT};
    for (int i = 0; i < CRM_LTV_NCOLUMNS; i++)
        t->col[i] = -1;
    for (size_t i = 0; i < sizeof slots / sizeof *slots; i++) {
        crm_ltv_column s = slots[i];
        if (s == CRM_LTV_COL_DURATION_HOLDOUT && t->col[CRM_LTV_COL_X_HOLDOUT] >= 0)
            required |= 1u << s;
        crm_status st = crm_customers_table_column(r, spec->columns[s], default_column[s], column_option[s],
                                                   (required >> s) & 1u, &t->col[s], err);
        if (st != CRM_OK)
            return st;
    }
    return CRM_OK;
}

crm_status crm_ltv_customers_read(crm_csv_reader *r, const crm_ltv_customers_spec *spec,
                                  const crm_customers_table_hooks *hooks, crm_ltv_customers *t, crm_error *err)
{
    const char *name = crm_csv_input_name(r);
    if (!(t->input_name = malloc(strlen(name) + 1)) || !(t->rows = crm_customers_table_store_new()))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    memcpy(t->input_name, name, strlen(name) + 1);
    crm_status st = resolve_columns(r, spec, t, err);
    if (st != CRM_OK)
        return st;
    const crm_csv_record *h = crm_csv_header(r), *rec;
    t->ncolumns = h ? h->nfields : 0;
    uint64_t rows = 0;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (!h && t->ncolumns == 0)
            t->ncolumns = rec->nfields;
        if ((st = add_customer(t, r, rec, spec, err)) == CRM_EDATA && hooks && hooks->bad_row)
            st = hooks->bad_row(hooks->ctx, err);
        if (st != CRM_OK)
            return st;
        if (hooks && hooks->progress)
            hooks->progress(hooks->ctx, ++rows, crm_csv_raw_bytes(r));
    }
    return st;
}

/* ---- writing ---- */

static crm_status write_number_or_empty(crm_csv_writer *w, double v, int decimals)
{
    return isfinite(v) ? crm_csv_write_fixed(w, v, decimals) : crm_csv_write_field(w, "", 0);
}

crm_status crm_ltv_customers_write_scores(crm_csv_writer *w, const crm_csv_reader *r, const crm_ltv_customers *t,
                                          const crm_ltv_prediction *p, int with_value)
{
    static const char *const added[] = {"p_alive", "expected_purchases", "expected_avg_value", "clv",
                                        "historic_value"};
    int historic = t->profit != NULL;
    crm_status st = crm_customers_table_write_header(w, r, t->ncolumns, added, historic ? 5 : 4);
    for (size_t i = 0; i < t->n && st == CRM_OK; i++) {
        st = crm_customers_table_store_write(w, t->rows, i);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, p[i].p_alive, 6);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, p[i].expected_purchases, 6);
        if (st == CRM_OK) st = write_number_or_empty(w, with_value ? p[i].expected_avg_value : NAN, 2);
        if (st == CRM_OK) st = write_number_or_empty(w, with_value ? p[i].clv : NAN, 2);
        if (st == CRM_OK && historic) st = crm_csv_write_fixed(w, t->profit[i], 2);
        if (st == CRM_OK) st = crm_csv_end_row(w);
    }
    return st;
}

crm_status crm_ltv_customers_write_simple(crm_csv_writer *w, const crm_csv_reader *r, const crm_ltv_customers *t,
                                          double margin, double churn_per_year, double discount_per_year,
                                          double per_year)
{
    static const char *const added[] = {"purchases_per_year", "expected_lifetime", "clv"};
    crm_status st = crm_customers_table_write_header(w, r, t->ncolumns, added, 3);
    double lifetime = crm_ltv_expected_lifetime(churn_per_year);
    for (size_t i = 0; i < t->n && st == CRM_OK; i++) {
        const crm_ltv_customer *c = &t->c[i];
        double rate = c->T > 0 ? c->x / c->T * per_year : 0.0;
        double value = crm_ltv_simple_value(margin * rate * c->monetary_value, churn_per_year, discount_per_year);
        st = crm_customers_table_store_write(w, t->rows, i);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, rate, 6);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, lifetime, 6);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, value, 2);
        if (st == CRM_OK) st = crm_csv_end_row(w);
    }
    return st;
}

crm_status crm_ltv_customers_write_historic(crm_csv_writer *w, const crm_csv_reader *r,
                                            const crm_ltv_customers *t, double margin)
{
    static const char *const added[] = {"historic_value"};
    crm_status st = crm_customers_table_write_header(w, r, t->ncolumns, added, 1);
    for (size_t i = 0; i < t->n && st == CRM_OK; i++) {
        st = crm_customers_table_store_write(w, t->rows, i);
        if (st == CRM_OK) st = crm_csv_write_fixed(w, t->profit ? t->profit[i] : margin * t->monetary[i], 2);
        if (st == CRM_OK) st = crm_csv_end_row(w);
    }
    return st;
}

crm_status crm_ltv_customers_profit_margin(const crm_ltv_customers *t, double *margin, crm_error *err)
{
    if (!t->profit || !t->monetary)
        return crm_error_set(err, CRM_EDATA, "%s: --margin profit needs a profit and a monetary column "
                             "(name them with --profit COL and --monetary COL)", t->input_name);
    if (!(t->total_monetary > 0))
        return crm_error_set(err, CRM_EDATA, "%s: --margin profit: the total of column monetary is not positive",
                             t->input_name);
    *margin = t->total_profit / t->total_monetary;
    if (*margin < 0)
        *margin = 0;
    return CRM_OK;
}
