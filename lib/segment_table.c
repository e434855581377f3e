/* The customers table of crm-segment: see include/crm/segment_table.h. */
#include "crm/segment_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/clean.h"

static const char *const column_defaults[CRM_SEGMENT_NCOLUMNS] = {
    "r_score", "f_score", "m_score", NULL, "clv", "tenure_days", "recency_days", "frequency", "p_alive", NULL};

static const char default_features[] = "recency_days,frequency,monetary";

static int uses(const crm_segment_table_spec *s, crm_segment_by m)
{
    for (size_t i = 0; i < s->nby; i++)
        if (s->by[i] == m)
            return 1;
    return 0;
}

void crm_segment_table_free(crm_segment_table *t)
{
    crm_customers_rows_free(t->rows);
    free(t->r);
    free(t->f);
    free(t->m);
    free(t->value);
    free(t->predicted);
    free(t->tenure);
    free(t->recency);
    free(t->frequency);
    free(t->p_alive);
    free(t->recent);
    free(t->features);
    free(t->value_exact);
    free(t->previous);
    free(t->prospect);
    free(t->periods);
    free(t->gap_cv);
    free(t->subjective);
    free(t->at_cutoff_taken);
    memset(t, 0, sizeof *t);
}

static crm_status resolve(const crm_csv_reader *r, const char *given, const char *fallback, int required,
                          long *col, crm_error *err)
{
    return crm_customers_table_resolve(r, given, fallback, required, col, err);
}

/* The features of a saved k-means model, by name, in its order. */
static crm_status model_features(crm_segment_table *t, const crm_csv_reader *r, crm_error *err)
{
    const crm_segment_model *m = t->spec.model;
    const char *file = t->spec.model_file;
    for (size_t j = 0; j < m->d; j++) {
        if (j == CRM_SEGMENT_MAX_FEATURES)
            return crm_error_set(err, CRM_EDATA, "%s: more than %d kmeans.feature lines", file,
                                 CRM_SEGMENT_MAX_FEATURES);
        long col = crm_csv_column(r, m->features[j], err);
        if (col < 0) {
            crm_error_prefix(err, "--model-file %s: ", file);
            return err->status;
        }
        for (size_t i = 0; i < t->nfeatures; i++)
            if (t->feature_col[i] == col)
                return crm_error_set(err, CRM_EDATA, "%s: kmeans.feature names column '%s' twice", file,
                                     crm_csv_column_name(r, (size_t)col));
        t->feature_col[t->nfeatures] = col;
        t->feature_names[t->nfeatures++] = crm_csv_column_name(r, (size_t)col);
    }
    t->order_feature = 0;
    return CRM_OK;
}

static crm_status order_feature(crm_segment_table *t, const crm_csv_reader *r, crm_error *err)
{
    const char *order = t->spec.order;
    t->order_feature = 0;
    if (!order)
        return CRM_OK;
    long col = crm_csv_column(r, order, err);
    if (col < 0)
        return err->status;
    size_t j = 0;
    while (j < t->nfeatures && t->feature_col[j] != col)
        j++;
    if (j == t->nfeatures)
        return crm_error_set(err, CRM_EUSAGE, "--order %s is not one of the --features", order);
    t->order_feature = j;
    return CRM_OK;
}

static crm_status resolve_features(crm_segment_table *t, const crm_csv_reader *r, int required, crm_error *err)
{
    const crm_segment_table_spec *s = &t->spec;
    const char *list = s->features ? s->features : default_features;
    char name[256];
    t->nfeatures = 0;
    if (s->model && s->model->has_kmeans)
        return model_features(t, r, err);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof name)
            return crm_error_set(err, CRM_EUSAGE, "--features wants column names separated by commas, got '%s'",
                                 list);
        if (t->nfeatures == CRM_SEGMENT_MAX_FEATURES)
            return crm_error_set(err, CRM_EUSAGE, "at most %d --features", CRM_SEGMENT_MAX_FEATURES);
        memcpy(name, p, len);
        name[len] = '\0';
        long col;
        /* Without --by kmeans the features only feed the profile: defaults
         * that are absent are left out. */
        crm_status st = resolve(r, required || s->features ? name : NULL, name, 0, &col, err);
        if (st != CRM_OK)
            return st;
        if (col >= 0) {
            for (size_t j = 0; j < t->nfeatures; j++)
                if (t->feature_col[j] == col)
                    return crm_error_set(err, CRM_EUSAGE, "--features names column '%s' twice",
                                         crm_csv_column_name(r, (size_t)col));
            t->feature_col[t->nfeatures] = col;
            t->feature_names[t->nfeatures++] = crm_csv_column_name(r, (size_t)col);
        }
        p = comma ? comma + 1 : p + len;
    }
    return order_feature(t, r, err);
}

/* The value to date: the column named, else profit, else monetary. */
static crm_status resolve_value(crm_segment_table *t, const crm_csv_reader *r, int need, crm_error *err)
{
    const char *given = t->spec.columns[CRM_SEGMENT_COL_VALUE];
    long *col = &t->col[CRM_SEGMENT_COL_VALUE];
    crm_status st;
    if (given)
        st = resolve(r, given, NULL, 1, col, err);
    else if ((st = resolve(r, NULL, "profit", 0, col, err)) == CRM_OK && *col < 0)
        st = resolve(r, NULL, "monetary", need, col, err);
    t->value_is_profit = *col >= 0 && strcmp(crm_csv_column_name(r, (size_t)*col), "profit") == 0;
    /* --margin turns revenue into profit: beside a profit column it would
     * count the margin twice. */
    if (st == CRM_OK && t->spec.margin && t->value_is_profit)
        return crm_error_set(err, CRM_EUSAGE, "--margin: the value to date is the profit column "
                             "already; --margin is for a table with revenue (monetary) only");
    return st;
}

static crm_status resolve_lifecycle(crm_segment_table *t, const crm_csv_reader *r, crm_error *err)
{
    const char *const *given = t->spec.columns;
    crm_status st = CRM_OK;
    for (int c = CRM_SEGMENT_COL_TENURE; c <= CRM_SEGMENT_COL_FREQUENCY && st == CRM_OK; c++)
        st = resolve(r, given[c], column_defaults[c], 1, &t->col[c], err);
    if (st == CRM_OK && !t->spec.no_p_alive)
        st = resolve(r, given[CRM_SEGMENT_COL_P_ALIVE], column_defaults[CRM_SEGMENT_COL_P_ALIVE], 0,
                     &t->col[CRM_SEGMENT_COL_P_ALIVE], err);
    /* crm-rfm --recent-window writes both windows: the trend then follows
     * from the data. */
    if (st == CRM_OK)
        st = resolve(r, given[CRM_SEGMENT_COL_RECENT], "purchases_recent", 0, &t->col[CRM_SEGMENT_COL_RECENT], err);
    if (st == CRM_OK && t->col[CRM_SEGMENT_COL_RECENT] >= 0)
        st = resolve(r, NULL, "purchases_previous", 0, &t->previous_col, err);
    return st;
}

static crm_status resolve_loyalty(crm_segment_table *t, const crm_csv_reader *r, crm_error *err)
{
    const char *const *given = t->spec.columns;
    crm_status st = CRM_OK;
    static const crm_segment_column needed[2] = {CRM_SEGMENT_COL_TENURE, CRM_SEGMENT_COL_FREQUENCY};
    for (int k = 0; k < 2 && st == CRM_OK; k++)
        if (t->col[needed[k]] < 0)
            st = resolve(r, given[needed[k]], column_defaults[needed[k]], 1, &t->col[needed[k]], err);
    if (st == CRM_OK)
        st = resolve(r, NULL, "consecutive_periods", 1, &t->periods_col, err);
    if (st == CRM_OK)
        st = resolve(r, NULL, "gap_cv", 1, &t->gap_cv_col, err);
    if (st == CRM_EDATA)
        crm_error_prefix(err, "--by loyalty (crm-rfm --loyalty-period writes consecutive_periods and gap_cv): ");
    if (st == CRM_OK && t->spec.survey)
        st = resolve(r, NULL, "customer_id", 1, &t->id_col, err);
    return st;
}

crm_status crm_segment_table_open(crm_segment_table *t, const crm_csv_reader *r,
                                  const crm_segment_table_spec *spec, crm_error *err)
{
    memset(t, 0, sizeof *t);
    t->spec = *spec;
    for (int c = 0; c < CRM_SEGMENT_NCOLUMNS; c++)
        t->col[c] = -1;
    t->previous_col = t->periods_col = t->gap_cv_col = t->id_col = t->customer_col = -1;
    const crm_csv_record *h = crm_csv_header(r);
    if (!(t->rows = crm_customers_rows_new(h ? h->nfields : 0)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    const char *const *given = spec->columns;
    crm_status st = CRM_OK;
    if (uses(spec, CRM_SEGMENT_BY_RFM))
        for (int c = CRM_SEGMENT_COL_R; c <= CRM_SEGMENT_COL_M && st == CRM_OK; c++)
            st = resolve(r, given[c], column_defaults[c], 1, &t->col[c], err);
    int need_value = uses(spec, CRM_SEGMENT_BY_VALUE);
    if (st == CRM_OK && (need_value || spec->profile))
        st = resolve_value(t, r, need_value, err);
    if (st == CRM_OK && need_value && !spec->no_predicted)
        st = resolve(r, given[CRM_SEGMENT_COL_PREDICTED], column_defaults[CRM_SEGMENT_COL_PREDICTED], 0,
                     &t->col[CRM_SEGMENT_COL_PREDICTED], err);
    if (st == CRM_OK && uses(spec, CRM_SEGMENT_BY_LIFECYCLE))
        st = resolve_lifecycle(t, r, err);
    if (st == CRM_OK && uses(spec, CRM_SEGMENT_BY_LOYALTY))
        st = resolve_loyalty(t, r, err);
    if (st == CRM_OK && spec->profile && !spec->no_p_alive && t->col[CRM_SEGMENT_COL_P_ALIVE] < 0)
        st = resolve(r, given[CRM_SEGMENT_COL_P_ALIVE], column_defaults[CRM_SEGMENT_COL_P_ALIVE], 0,
                     &t->col[CRM_SEGMENT_COL_P_ALIVE], err);
    if (st == CRM_OK && (uses(spec, CRM_SEGMENT_BY_KMEANS) || spec->profile))
        st = resolve_features(t, r, uses(spec, CRM_SEGMENT_BY_KMEANS), err);
    if (st == CRM_OK && spec->customer_id)
        st = resolve(r, NULL, "customer_id", spec->customer_id == 2, &t->customer_col, err);
    return st;
}

size_t crm_segment_table_rows(const crm_segment_table *t)
{
    return t->rows ? crm_customers_rows_count(t->rows) : 0;
}

/* ---- numbers ---- */

static crm_status read_score(const crm_csv_reader *r, const crm_csv_record *rec, long col, int bins, int *out,
                             crm_error *err)
{
    const char *s = rec->fields[col];
    size_t len = rec->lengths[col];
    int64_t v;
    char q[128];
    if (crm_parse_int64(s, len, &v) != CRM_OK)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a score (a whole number)",
                             crm_csv_input_name(r), (unsigned long long)rec->line,
                             crm_csv_column_name(r, (size_t)col), crm_error_quote(q, sizeof q, s, len));
    if (v < 1 || v > bins)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': score %lld is outside 1..%d (--bins %d)",
                             crm_csv_input_name(r), (unsigned long long)rec->line,
                             crm_csv_column_name(r, (size_t)col), (long long)v, bins, bins);
    *out = (int)v;
    return CRM_OK;
}

/* Grows one of the arrays that share t->rows_cap to hold rows rows of
 * row_size bytes; *grown is the shared capacity after it. */
static int reserve_rows(const crm_segment_table *t, void *array_ptr, size_t rows, size_t row_size, size_t *grown)
{
    size_t cap = t->rows_cap;
    if (!crm_array_reserve(array_ptr, &cap, rows, row_size))
        return 0;
    *grown = cap;
    return 1;
}

/* The double arrays by column (NULL for the score columns). */
static void double_arrays(crm_segment_table *t, double ***out)
{
    double **dbl[CRM_SEGMENT_NCOLUMNS] = {NULL, NULL, NULL, &t->value, &t->predicted, &t->tenure, &t->recency,
                                          &t->frequency, &t->p_alive, &t->recent};
    memcpy(out, dbl, sizeof dbl);
}

/* Makes room for row i in every array the methods use. */
static crm_status reserve(crm_segment_table *t, size_t i, crm_error *err)
{
    if (i < t->rows_cap)
        return CRM_OK;
    size_t grown = t->rows_cap;
    int ok = 1;
    int **ints[3] = {&t->r, &t->f, &t->m};
    double **dbl[CRM_SEGMENT_NCOLUMNS];
    double_arrays(t, dbl);
    for (int c = CRM_SEGMENT_COL_R; c <= CRM_SEGMENT_COL_M; c++)
        if (t->col[c] >= 0)
            ok &= reserve_rows(t, ints[c], i + 1, sizeof(int), &grown);
    for (int c = CRM_SEGMENT_COL_VALUE; c < CRM_SEGMENT_NCOLUMNS; c++)
        if (t->col[c] >= 0)
            ok &= reserve_rows(t, dbl[c], i + 1, sizeof(double), &grown);
    if (t->col[CRM_SEGMENT_COL_VALUE] >= 0)
        ok &= reserve_rows(t, &t->value_exact, i + 1, sizeof *t->value_exact, &grown);
    if (t->nfeatures)
        ok &= reserve_rows(t, &t->features, i + 1, t->nfeatures * sizeof(double), &grown);
    if (t->previous_col >= 0)
        ok &= reserve_rows(t, &t->previous, i + 1, sizeof(double), &grown);
    if (t->col[CRM_SEGMENT_COL_FREQUENCY] >= 0)
        ok &= reserve_rows(t, &t->prospect, i + 1, 1, &grown);
    if (t->periods_col >= 0) {
        ok &= reserve_rows(t, &t->periods, i + 1, sizeof(double), &grown);
        ok &= reserve_rows(t, &t->gap_cv, i + 1, sizeof(double), &grown);
    }
    if (!ok)
        return crm_error_set(err, CRM_ENOMEM, "out of memory after %zu customers", i);
    t->rows_cap = grown;
    return CRM_OK;
}

/* A prospect (crm-rfm --prospects: no purchase yet, so frequency is empty)
 * has no numbers to read; the lifecycle names it.  Its value counts as 0
 * in a profile. */
static crm_status read_prospect(crm_segment_table *t, const crm_csv_reader *r, const crm_csv_record *rec, size_t i,
                                crm_error *err)
{
    const crm_segment_table_spec *s = &t->spec;
    for (size_t b = 0; b < s->nby; b++)
        if (s->by[b] != CRM_SEGMENT_BY_LIFECYCLE && s->by[b] != CRM_SEGMENT_BY_LOYALTY)
            return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': a customer without purchases (a "
                                 "prospect) has no %s segment; segment prospects --by lifecycle or loyalty only",
                                 crm_csv_input_name(r), (unsigned long long)rec->line,
                                 crm_csv_column_name(r, (size_t)t->col[CRM_SEGMENT_COL_FREQUENCY]),
                                 crm_segment_method_name(s->by[b]));
    double **dbl[CRM_SEGMENT_NCOLUMNS];
    double_arrays(t, dbl);
    for (int c = CRM_SEGMENT_COL_VALUE; c < CRM_SEGMENT_NCOLUMNS; c++)
        if (t->col[c] >= 0)
            (*dbl[c])[i] = 0.0;
    if (t->col[CRM_SEGMENT_COL_VALUE] >= 0)
        t->value_exact[i] = crm_decimal_from_int(0);
    if (t->previous_col >= 0)
        t->previous[i] = 0.0;
    for (size_t j = 0; j < t->nfeatures; j++)
        t->features[i * t->nfeatures + j] = 0.0;
    if (t->periods_col >= 0) {
        t->periods[i] = 0.0;     /* no purchase: no objective loyalty */
        t->gap_cv[i] = NAN;
    }
    t->prospect[i] = 1;
    t->nprospects++;
    return CRM_OK;
}

static crm_status read_numbers(crm_segment_table *t, const crm_csv_reader *r, const crm_csv_record *rec, size_t i,
                               crm_error *err)
{
    crm_status st = reserve(t, i, err);
    if (st == CRM_OK && t->col[CRM_SEGMENT_COL_FREQUENCY] >= 0) {
        t->prospect[i] = 0;
        if (rec->lengths[t->col[CRM_SEGMENT_COL_FREQUENCY]] == 0)
            return read_prospect(t, r, rec, i, err);
    }
    if (st == CRM_OK && t->previous_col >= 0)
        st = crm_customers_table_parse_number(r, rec, t->previous_col, &t->previous[i], err);
    if (st == CRM_OK && t->periods_col >= 0) {
        st = crm_customers_table_parse_number(r, rec, t->periods_col, &t->periods[i], err);
        t->gap_cv[i] = NAN;   /* empty: fewer than two gaps */
        if (st == CRM_OK && rec->lengths[t->gap_cv_col] > 0)
            st = crm_customers_table_parse_number(r, rec, t->gap_cv_col, &t->gap_cv[i], err);
    }
    int *ints[3] = {t->r, t->f, t->m};
    for (int c = CRM_SEGMENT_COL_R; c <= CRM_SEGMENT_COL_M && st == CRM_OK; c++)
        if (t->col[c] >= 0)
            st = read_score(r, rec, t->col[c], t->spec.bins, &ints[c][i], err);
    double **dbl[CRM_SEGMENT_NCOLUMNS];
    double_arrays(t, dbl);
    for (int c = CRM_SEGMENT_COL_VALUE; c < CRM_SEGMENT_NCOLUMNS && st == CRM_OK; c++)
        if (t->col[c] >= 0)
            st = crm_customers_table_parse_number(r, rec, t->col[c], &(*dbl[c])[i], err);
    if (st == CRM_OK && t->col[CRM_SEGMENT_COL_VALUE] >= 0 && t->value_is_exact) {
        long c = t->col[CRM_SEGMENT_COL_VALUE];
        t->value_is_exact = crm_parse_decimal(rec->fields[c], rec->lengths[c], NULL, &t->value_exact[i]) == CRM_OK;
        if (t->value_is_exact && t->value_exact[i].scale > t->value_scale)
            t->value_scale = t->value_exact[i].scale;
    }
    for (size_t j = 0; j < t->nfeatures && st == CRM_OK; j++)
        st = crm_customers_table_parse_number(r, rec, t->feature_col[j], &t->features[i * t->nfeatures + j], err);
    return st;
}

/* --shard I/N: the customer's shard, by the rule every command shares. */
static int in_shard(const crm_segment_table *t, const crm_csv_record *rec)
{
    const crm_shard *shard = t->spec.shard;
    long c = t->customer_col;
    return !shard || !shard->count || crm_clean_in_shard(shard, rec->fields[c], rec->lengths[c]);
}

crm_status crm_segment_table_read(crm_segment_table *t, crm_csv_reader *r, crm_table_bad_row bad,
                                  void *bad_ctx, void (*progress)(void *ctx, uint64_t rows, uint64_t bytes),
                                  void *progress_ctx, crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    t->value_is_exact = 1;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        size_t n = crm_customers_rows_count(t->rows), width = crm_customers_rows_width(t->rows);
        if (width == 0 && n == 0 && !crm_csv_header(r))
            crm_customers_rows_set_width(t->rows, width = rec->nfields);   /* --no-header: the first row */
        /* a row that cannot be read stops the run or is skipped; its
         * numbers were written where the next row's go */
        int value_was_exact = t->value_is_exact, scale_was = t->value_scale;
        if (rec->defect == CRM_CSV_RECORD_OK && crm_csv_check_width(r, rec, width, err) == CRM_OK &&
            !in_shard(t, rec))
            continue;   /* another shard's customer */
        if ((rec->defect != CRM_CSV_RECORD_OK && (st = crm_csv_defect_error(r, rec, err))) ||
            (st = crm_csv_check_width(r, rec, width, err)) != CRM_OK ||
            (st = read_numbers(t, r, rec, n, err)) != CRM_OK) {
            t->value_is_exact = value_was_exact;
            t->value_scale = scale_was;
            if (st != CRM_EDATA || !bad || (st = bad(bad_ctx, err)) != CRM_OK)
                return st;
            continue;
        }
        if ((st = crm_customers_rows_add(t->rows, rec, err)) != CRM_OK)
            return st;
        if (progress)
            progress(progress_ctx, n + 1, crm_csv_raw_bytes(r));
    }
    return st;
}

void crm_segment_table_data(const crm_segment_table *t, crm_segment_data *d)
{
    const long *col = t->col;
    memset(d, 0, sizeof *d);
    d->r = t->r;
    d->f = t->f;
    d->m = t->m;
    d->value = t->value;
    d->predicted = col[CRM_SEGMENT_COL_PREDICTED] >= 0 ? t->predicted : NULL;
    d->tenure = t->tenure;
    d->recency = t->recency;
    d->frequency = t->frequency;
    d->p_alive = col[CRM_SEGMENT_COL_P_ALIVE] >= 0 ? t->p_alive : NULL;
    d->recent = col[CRM_SEGMENT_COL_RECENT] >= 0 ? t->recent : NULL;
    d->previous = t->previous_col >= 0 ? t->previous : NULL;
    d->features = t->features;
    d->nfeatures = t->nfeatures;
    d->feature_names = t->feature_names;
    d->order_feature = t->order_feature;
    d->prospect = t->prospect;
    d->nprospects = t->nprospects;
    d->periods = t->periods;
    d->gap_cv = t->gap_cv;
    d->subjective = t->subjective;
    d->at_cutoff_taken = t->at_cutoff_taken;
}

void crm_segment_table_set_subjective(crm_segment_table *t, double *subjective)
{
    free(t->subjective);
    t->subjective = subjective;
}

/* ---- saved models ---- */

crm_status crm_segment_table_check_model(const crm_segment_table *t, const crm_csv_reader *r,
                                         const crm_segment_model *m, const char *file, crm_error *err)
{
    long pc = t->col[CRM_SEGMENT_COL_PREDICTED];
    const char *value = crm_csv_column_name(r, (size_t)t->col[CRM_SEGMENT_COL_VALUE]);
    const char *predicted = pc >= 0 ? crm_csv_column_name(r, (size_t)pc) : NULL;
    if (strcmp(value, m->value_column) != 0)
        return crm_error_set(err, CRM_EDATA, "%s: the model's value to date is column '%s', but here it is '%s'",
                             file, m->value_column, value);
    if ((predicted == NULL) != (m->predicted_column == NULL) ||
        (predicted && strcmp(predicted, m->predicted_column) != 0))
        return crm_error_set(err, CRM_EDATA, "%s: the model ranks by %s%s%s, but here by %s%s%s", file,
                             m->predicted_column ? "column '" : "the value to date",
                             m->predicted_column ? m->predicted_column : "", m->predicted_column ? "'" : "",
                             predicted ? "column '" : "the value to date", predicted ? predicted : "",
                             predicted ? "'" : "");
    return CRM_OK;
}

/* Byte order of customer ids, the order the tables are sorted in. */
static int compare_ids(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

crm_status crm_segment_table_mark_cutoff_ties(crm_segment_table *t, const char *last, crm_error *err)
{
    size_t n = crm_segment_table_rows(t);
    if (!(t->at_cutoff_taken = malloc(n ? n : 1)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *id = crm_customers_rows_field(t->rows, i, (size_t)t->customer_col, &len);
        t->at_cutoff_taken[i] = compare_ids(id, len, last, strlen(last)) <= 0;
    }
    return CRM_OK;
}

crm_status crm_segment_table_model_value(const crm_segment_table *t, const crm_csv_reader *r,
                                         const crm_segment_result *s, const crm_value_options *v,
                                         crm_segment_model *m, crm_error *err)
{
    const crm_value_summary *sum = &s->value_summary;
    long pc = t->col[CRM_SEGMENT_COL_PREDICTED];
    char *customer = NULL;
    if (sum->mvc_cutoff_split) {
        /* Customers tie at the cut-off and only the earlier rows were
         * taken: the last one taken tells the shards where to stop. */
        size_t len;
        if (t->customer_col < 0)
            return crm_error_set(err, CRM_EDATA, "%s: value tiers: customers tie at the MVC cut-off and only some "
                                 "are MVC; saving the model needs a customer_id column to tell them apart",
                                 crm_csv_input_name(r));
        const char *id = crm_customers_rows_field(t->rows, sum->mvc_last_row, (size_t)t->customer_col, &len);
        if (!(customer = malloc(len + 1)))
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        memcpy(customer, id, len);
        customer[len] = '\0';
    }
    crm_status st = crm_segment_model_set_value(m, sum, crm_csv_column_name(r, (size_t)t->col[CRM_SEGMENT_COL_VALUE]),
                                                pc >= 0 ? crm_csv_column_name(r, (size_t)pc) : NULL, v->growth,
                                                v->margin, customer, err);
    free(customer);
    return st;
}

/* ---- messages and output ---- */

void crm_segment_table_locate_error(const crm_segment_table *t, const char *input, crm_error *err)
{
    unsigned long long row;
    int used = 0;
    size_t n = crm_segment_table_rows(t);
    if (sscanf(err->message, "row %llu: %n", &row, &used) != 1 || used == 0 || row == 0 || row > n) {
        if (err->status == CRM_EDATA)
            crm_error_prefix(err, "%s: ", input);   /* about the whole input */
        return;
    }
    memmove(err->message, err->message + used, strlen(err->message + used) + 1);
    crm_error_prefix(err, "%s:%llu: ", input, (unsigned long long)crm_customers_rows_lines(t->rows)[row - 1]);
}

crm_status crm_segment_table_name_columns(const crm_csv_reader *r, crm_segment_result *segs, size_t nsegs,
                                          crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r);
    for (size_t s = 0; s < nsegs; s++) {
        crm_segment_result *seg = &segs[s];
        if (nsegs == 1)
            snprintf(seg->column, sizeof seg->column, "segment");
        else
            snprintf(seg->column, sizeof seg->column, "segment_%s", crm_segment_method_name(seg->by));
        for (size_t j = 0; h && j < h->nfields; j++)
            if (strcmp(h->fields[j], seg->column) == 0)
                return crm_error_set(err, CRM_EDATA, "%s: the input already has a column '%s' (column %zu); "
                                     "crm-segment would write a second one", crm_csv_input_name(r), seg->column,
                                     j + 1);
    }
    return CRM_OK;
}

static const char *const loyalty_columns[4] = {"loyalty_score", "loyalty_objective", "loyalty_subjective",
                                               "loyalty_survey"};

/* The score with two decimals, the values 0..1 with four: numbers people
 * read, without binary noise. */
static crm_status write_loyalty(crm_csv_writer *w, const crm_loyalty_result *l)
{
    crm_status st = crm_csv_write_fixed(w, l->score, 2);
    if (st == CRM_OK) st = crm_csv_write_fixed(w, l->objective, 4);
    if (st == CRM_OK) st = l->answered ? crm_csv_write_fixed(w, l->subjective, 4) : crm_csv_write_field(w, "", 0);
    if (st == CRM_OK) st = crm_csv_write_int(w, l->answered);
    return st;
}

static crm_status write_header(crm_csv_writer *w, const crm_csv_record *h, size_t ncols,
                               const crm_segment_result *segs, size_t nsegs)
{
    crm_status st = CRM_OK;
    for (size_t j = 0; j < ncols && st == CRM_OK; j++)
        st = crm_csv_write_field(w, h->fields[j], h->lengths[j]);
    for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
        st = crm_csv_write_field(w, segs[s].column, (size_t)-1);
    for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
        for (size_t k = 0; segs[s].loyalty && k < 4 && st == CRM_OK; k++)
            st = crm_csv_write_field(w, loyalty_columns[k], (size_t)-1);
    return st == CRM_OK ? crm_csv_end_row(w) : st;
}

crm_status crm_segment_table_write(crm_csv_writer *w, const crm_csv_reader *r, const crm_segment_table *t,
                                   const crm_segment_result *segs, size_t nsegs)
{
    crm_status st = CRM_OK;
    const crm_csv_record *h = crm_csv_header(r);
    if (h)
        st = write_header(w, h, crm_customers_rows_width(t->rows), segs, nsegs);
    size_t n = crm_segment_table_rows(t);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        st = crm_customers_rows_write(t->rows, i, w);
        for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
            st = crm_csv_write_field(w, segs[s].names[segs[s].labels[i]], (size_t)-1);
        for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
            if (segs[s].loyalty)
                st = write_loyalty(w, &segs[s].loyalty[i]);
        if (st == CRM_OK)
            st = crm_csv_end_row(w);
    }
    return st;
}
