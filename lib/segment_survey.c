/* The loyalty survey file: see include/crm/segment_survey.h. */
#include "crm/segment_survey.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/loyalty.h"
#include "crm/number.h"

crm_status crm_survey_parse_scale(const char *arg, crm_survey_scale *sc, crm_error *err)
{
    const char *eq = strrchr(arg, '='), *colon = eq ? strchr(eq, ':') : NULL;
    if (!eq || !colon || eq == arg || (size_t)(eq - arg) >= sizeof sc->name ||
        crm_parse_double(eq + 1, (size_t)(colon - eq - 1), NULL, &sc->lo) != CRM_OK ||
        crm_parse_double(colon + 1, strlen(colon + 1), NULL, &sc->hi) != CRM_OK || !isfinite(sc->lo) ||
        !isfinite(sc->hi) || !(sc->hi > sc->lo))
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale wants COL=LO:HI with LO below HI (satisfaction=1:5), "
                             "got '%s'", arg);
    snprintf(sc->name, sizeof sc->name, "%.*s", (int)(eq - arg), arg);
    return CRM_OK;
}

crm_status crm_survey_add_scale(crm_survey_scale *scales, size_t *count, const char *text, crm_error *err)
{
    if (*count == CRM_SURVEY_MAX_SCORES)
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale is given more than %d times", CRM_SURVEY_MAX_SCORES);
    crm_survey_scale *sc = &scales[*count];
    crm_status st = crm_survey_parse_scale(text, sc, err);
    for (size_t i = 0; i < *count && st == CRM_OK; i++)
        if (strcmp(scales[i].name, sc->name) == 0)
            return crm_error_set(err, CRM_EUSAGE, "--survey-scale gives column '%s' twice", sc->name);
    *count += st == CRM_OK;
    return st;
}

void crm_survey_free(crm_survey *v)
{
    crm_strtab_free(v->ids);
    free(v->lines);
    free(v->answers);
    memset(v, 0, sizeof *v);
}

static crm_status survey_columns(const crm_survey_scale *scales, size_t nscales, const crm_csv_reader *r,
                                 long *id_col, crm_survey *v, crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r);
    if (!h)
        return crm_error_set(err, CRM_EUSAGE, "--survey: the survey needs a header (customer_id and score names)");
    if ((*id_col = crm_csv_column(r, "customer_id", err)) < 0)
        return err->status;
    for (size_t j = 0; j < h->nfields; j++) {
        if ((long)j == *id_col)
            continue;
        if (v->nscores == CRM_SURVEY_MAX_SCORES)
            return crm_error_set(err, CRM_EDATA, "%s: more than %d score columns", crm_csv_input_name(r),
                                 CRM_SURVEY_MAX_SCORES);
        v->cols[v->nscores] = (long)j;
        v->lo[v->nscores] = INFINITY;
        v->hi[v->nscores] = -INFINITY;
        for (size_t k = 0; k < nscales; k++)
            if (strcmp(scales[k].name, h->fields[j]) == 0) {
                v->lo[v->nscores] = scales[k].lo;
                v->hi[v->nscores] = scales[k].hi;
                v->scale_given[v->nscores] = 1;
            }
        v->nscores++;
    }
    if (v->nscores == 0)
        return crm_error_set(err, CRM_EDATA, "%s: no score column beside customer_id", crm_csv_input_name(r));
    for (size_t k = 0; k < nscales; k++) {
        size_t j = 0;
        while (j < v->nscores && strcmp(h->fields[v->cols[j]], scales[k].name) != 0)
            j++;
        if (j == v->nscores)
            return crm_error_set(err, CRM_EUSAGE, "--survey-scale %s: the survey has no score column '%s'",
                                 scales[k].name, scales[k].name);
    }
    return CRM_OK;
}

/* The answers of one row, each checked against a given scale. */
static crm_status read_answers(const crm_csv_reader *r, const crm_csv_record *rec, const crm_survey *v,
                               double *row, crm_error *err)
{
    char q[128];
    for (size_t j = 0; j < v->nscores; j++) {
        const char *f = rec->fields[v->cols[j]];
        size_t len = rec->lengths[v->cols[j]];
        const char *col = crm_csv_column_name(r, (size_t)v->cols[j]);
        row[j] = NAN;
        if (len == 0)
            continue;   /* not answered */
        if (crm_parse_double(f, len, NULL, &row[j]) != CRM_OK || !isfinite(row[j]))
            return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a number",
                                 crm_csv_input_name(r), (unsigned long long)rec->line, col,
                                 crm_error_quote(q, sizeof q, f, len));
        if (v->scale_given[j] && (row[j] < v->lo[j] || row[j] > v->hi[j])) {
            char lo[CRM_NUMBER_TEXT_MAX], hi[CRM_NUMBER_TEXT_MAX];
            crm_double_format(v->lo[j], lo);
            crm_double_format(v->hi[j], hi);
            return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': score '%s' is outside its scale %s..%s",
                                 crm_csv_input_name(r), (unsigned long long)rec->line, col,
                                 crm_error_quote(q, sizeof q, f, len), lo, hi);
        }
    }
    return CRM_OK;
}

/* One survey row; a bad one is CRM_EDATA with the message. */
static crm_status survey_row(const crm_csv_reader *r, const crm_csv_record *rec, long id_col, crm_survey *v,
                             crm_error *err)
{
    char q[128];
    const char *name = crm_csv_input_name(r);
    unsigned long long line = (unsigned long long)rec->line;
    size_t width = crm_csv_header(r)->nfields;
    if (rec->defect != CRM_CSV_RECORD_OK)
        return crm_csv_defect_error(r, rec, err);
    if (crm_csv_check_width(r, rec, width, err) != CRM_OK)
        return err->status;
    if (rec->nfields < width)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: expected %zu fields, found %zu", name, line, width,
                             rec->nfields);
    if (rec->lengths[id_col] == 0)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column 'customer_id': empty customer id", name, line);
    double row[CRM_SURVEY_MAX_SCORES];
    crm_status st = read_answers(r, rec, v, row, err);
    if (st != CRM_OK)
        return st;
    uint32_t id;
    int fresh = crm_strtab_intern(v->ids, rec->fields[id_col], rec->lengths[id_col], &id);
    if (fresh < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (!fresh)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column 'customer_id': customer '%s' appears twice (first on "
                             "line %llu)", name, line, crm_error_quote(q, sizeof q, rec->fields[id_col],
                                                                       rec->lengths[id_col]),
                             (unsigned long long)v->lines[id]);
    if (!crm_array_reserve(&v->answers, &v->answers_cap, (v->nrows + 1) * v->nscores, sizeof *v->answers) ||
        !crm_array_reserve(&v->lines, &v->lines_cap, v->nrows + 1, sizeof *v->lines))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t j = 0; j < v->nscores; j++) {
        v->answers[v->nrows * v->nscores + j] = row[j];
        if (!v->scale_given[j] && !isnan(row[j])) {
            v->lo[j] = row[j] < v->lo[j] ? row[j] : v->lo[j];
            v->hi[j] = row[j] > v->hi[j] ? row[j] : v->hi[j];
        }
    }
    v->lines[v->nrows++] = rec->line;
    return CRM_OK;
}

crm_status crm_survey_read(crm_survey *v, crm_csv_reader *r, const crm_survey_scale *scales, size_t nscales,
                           crm_table_bad_row bad, void *bad_ctx, crm_error *err)
{
    long id_col = -1;
    if (!(v->ids = crm_strtab_new(1024)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_status st = survey_columns(scales, nscales, r, &id_col, v, err);
    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        if ((st = survey_row(r, rec, id_col, v, err)) == CRM_EDATA && bad)
            st = bad(bad_ctx, err);
    /* A column without a given scale takes the lowest and highest answer
     * seen; it needs two different ones. */
    for (size_t j = 0; j < v->nscores && st == CRM_OK; j++)
        if (!v->scale_given[j] && !(v->hi[j] > v->lo[j]))
            st = crm_error_set(err, CRM_EDATA, "%s: column '%s': %s: give its scale with --survey-scale %s=LO:HI",
                               crm_csv_input_name(r), crm_csv_column_name(r, (size_t)v->cols[j]),
                               v->hi[j] < v->lo[j] ? "no answers" : "every answer is the same",
                               crm_csv_column_name(r, (size_t)v->cols[j]));
    return st;
}

crm_status crm_survey_subjective(crm_survey *v, const crm_customers_rows *rows, long id_col, double **out,
                                 crm_error *err)
{
    size_t n = crm_customers_rows_count(rows);
    double *subjective = malloc((n ? n : 1) * sizeof *subjective);
    if (!(*out = subjective))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *id = crm_customers_rows_field(rows, i, (size_t)id_col, &len);
        uint32_t row;
        subjective[i] = NAN;
        if (crm_strtab_find(v->ids, id, len, &row)) {
            subjective[i] = crm_loyalty_subjective(v->answers + (size_t)row * v->nscores, v->lo, v->hi, v->nscores);
            v->matched++;
        }
    }
    return CRM_OK;
}
