/* The raw export's header and first rows (crm/clean_export.h). */
#include "crm/clean_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/number.h"

crm_status crm_clean_export_columns(const crm_csv_reader *r, const char *const specs[7],
                                    crm_clean_columns *cols, crm_error *err)
{
    long *slots[7] = {&cols->customer, &cols->invoice, &cols->date, &cols->product,
                      &cols->quantity, &cols->price, &cols->amount};
    for (int i = 0; i < 7; i++) {
        if (!specs[i])
            continue;
        *slots[i] = crm_csv_column(r, specs[i], err);
        if (*slots[i] < 0)
            return err->status;
    }
    return CRM_OK;
}

static crm_status split_assignment(const char *option, const char *arg, char *column, size_t cap,
                                   const char **value, crm_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= cap)
        return crm_error_set(err, CRM_EUSAGE, "%s wants COLUMN=%s, got '%s'", option,
                             strcmp(option, "--range") == 0 ? "MIN:MAX" : "VALUE", arg);
    memcpy(column, arg, (size_t)(eq - arg));
    column[eq - arg] = '\0';
    *value = eq + 1;
    return CRM_OK;
}

static crm_status parse_bound(const char *s, size_t len, int *has, double *v)
{
    *has = len > 0;
    return len ? crm_parse_double(s, len, NULL, v) : CRM_OK;
}

crm_status crm_clean_export_condition(const crm_csv_reader *r, crm_clean_condition_kind kind,
                                      const char *arg, crm_clean_range *range,
                                      crm_clean_filter *filter, crm_error *err)
{
    const char *option = kind == CRM_CLEAN_RANGE ? "--range" : kind == CRM_CLEAN_KEEP_IF ? "--keep-if" : "--drop-if";
    char column[256];
    const char *value = NULL;
    crm_status st = split_assignment(option, arg, column, sizeof column, &value, err);
    if (st != CRM_OK)
        return st;
    long index = crm_csv_column(r, column, err);
    if (index < 0)
        return err->status;
    if (kind != CRM_CLEAN_RANGE) {
        *filter = (crm_clean_filter){index, value, kind == CRM_CLEAN_KEEP_IF};
        return CRM_OK;
    }
    const char *colon = strchr(value, ':');
    range->column = index;
    if (!colon || parse_bound(value, (size_t)(colon - value), &range->has_min, &range->min) != CRM_OK ||
        parse_bound(colon + 1, strlen(colon + 1), &range->has_max, &range->max) != CRM_OK ||
        (!range->has_min && !range->has_max))
        return crm_error_set(err, CRM_EUSAGE, "--range wants COLUMN=MIN:MAX with numbers, got '%s'", arg);
    return CRM_OK;
}

crm_status crm_clean_export_look_ahead(crm_csv_reader *r, long date_column, int detect, int prefer,
                                       size_t max_rows, crm_date_format *format, size_t *first_width,
                                       crm_error *err)
{
    detect = detect && date_column >= 0;
    crm_date_detector d;
    crm_date_detector_init(&d, prefer);
    crm_status st = crm_csv_start_lookahead(r, err);
    const crm_csv_record *rec;
    *first_width = 0;
    for (size_t n = 0; st == CRM_OK && n < max_rows &&
                       (*first_width == 0 || (detect && !crm_date_detector_decided(&d)));
         n++) {
        st = crm_csv_next(r, &rec, err);
        if (st != CRM_OK || !rec)
            break;
        /* a broken record has no fields: the first good one sets the width */
        if (*first_width == 0 && rec->defect != CRM_CSV_RECORD_BAD_QUOTE)
            *first_width = rec->nfields;
        if (detect && (size_t)date_column < rec->nfields)
            crm_date_detector_add(&d, rec->fields[date_column], rec->lengths[date_column]);
    }
    if (st == CRM_OK)
        st = crm_csv_replay(r, err);
    if (st == CRM_OK && detect && (st = crm_date_detector_result(&d, format, err)) != CRM_OK)
        crm_error_prefix(err, "%s: column '%s': ", crm_csv_input_name(r),
                         crm_csv_column_name(r, (size_t)date_column));
    return st;
}

crm_status crm_clean_export_resolve(crm_csv_reader *r, const crm_clean_export_spec *spec,
                                    crm_clean_config *cfg, crm_clean_range *ranges,
                                    crm_clean_filter *filters, size_t *first_width, crm_error *err)
{
    crm_status st = crm_clean_export_columns(r, spec->columns, &cfg->columns, err);
    for (size_t i = 0; i < spec->nconditions && st == CRM_OK; i++) {
        crm_clean_condition_kind kind = spec->conditions[i].kind;
        st = crm_clean_export_condition(r, kind, spec->conditions[i].arg, &ranges[cfg->nranges],
                                        &filters[cfg->nfilters], err);
        if (st == CRM_OK)
            kind == CRM_CLEAN_RANGE ? cfg->nranges++ : cfg->nfilters++;
    }
    if (st != CRM_OK)
        return st;
    cfg->ranges = ranges;
    cfg->filters = filters;
    const crm_csv_record *h = crm_csv_header(r);
    crm_clean_columns cols = cfg->columns;
    crm_clean_detect_columns(h ? (const char *const *)h->fields : NULL, h ? h->nfields : 0, &cols);
    if ((st = crm_clean_export_repeated_names(r, &cols, err)) != CRM_OK)
        return st;
    return crm_clean_export_look_ahead(r, cols.date, spec->detect_dates, spec->prefer_dates, spec->look_rows,
                                       &cfg->date_format, first_width, err);
}

crm_status crm_clean_export_same_header(const crm_csv_reader *first, const crm_csv_reader *r,
                                        crm_error *err)
{
    const crm_csv_record *a = crm_csv_header(first), *b = crm_csv_header(r);
    int same = (!a && !b) || (a && b && a->nfields == b->nfields);
    for (size_t i = 0; same && a && i < a->nfields; i++)
        same = a->lengths[i] == b->lengths[i] && memcmp(a->fields[i], b->fields[i], a->lengths[i]) == 0;
    if (!same)
        return crm_error_set(err, CRM_EDATA, "%s: the header differs from %s's; several inputs must have the same columns",
                             crm_csv_input_name(r), crm_csv_input_name(first));
    return CRM_OK;
}

crm_status crm_clean_export_repeated_names(const crm_csv_reader *r, const crm_clean_columns *detected,
                                           crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r);
    const long found[7] = {detected->customer, detected->invoice, detected->date, detected->product,
                           detected->quantity, detected->price, detected->amount};
    int ambiguous = 0;
    for (int k = 0; k < 7; k++)
        ambiguous |= found[k] == CRM_CLEAN_AMBIGUOUS;
    /* each name is looked up in the whole header: only when it can matter */
    for (size_t i = 0; ambiguous && h && i < h->nfields; i++) {
        long index;
        if (crm_csv_optional_column(r, h->fields[i], &index, err) == CRM_OK)
            continue;
        crm_clean_columns alone = {-1, -1, -1, -1, -1, -1, -1};
        crm_clean_detect_columns(&h->fields[i], 1, &alone);
        const long role[7] = {alone.customer, alone.invoice, alone.date, alone.product,
                              alone.quantity, alone.price, alone.amount};
        for (int k = 0; k < 7; k++)
            if (role[k] == 0 && found[k] == CRM_CLEAN_AMBIGUOUS)
                return CRM_EDATA;   /* err says which columns */
    }
    crm_error_clear(err);
    return CRM_OK;
}

char **crm_clean_export_numbered_names(size_t n)
{
    char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; names && i < n; i++) {
        char label[32];
        snprintf(label, sizeof label, "#%zu", i + 1);
        if (!(names[i] = strdup(label))) {
            crm_clean_export_free_names(names, i);
            return NULL;
        }
    }
    return names;
}

void crm_clean_export_free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* How many rows ahead the duplicate rule's memory is asked for. */
enum { PREFETCH_AHEAD = 32 };

crm_status crm_clean_export_push_all(crm_cleaner *c, crm_csv_reader *r, uint32_t input,
                                     crm_progress *progress, uint64_t *rows, uint64_t *bytes,
                                     crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    crm_cleaner_set_input(c, input);
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        const char *ahead;
        size_t ahead_len;
        if (crm_csv_peek_raw(r, PREFETCH_AHEAD, &ahead, &ahead_len))
            crm_cleaner_prefetch(c, ahead, ahead_len);
        if ((st = crm_cleaner_push(c, rec, err)) != CRM_OK)
            return st;
        crm_progress_update(progress, ++*rows, *bytes + crm_csv_raw_bytes(r));
    }
    *bytes += crm_csv_raw_bytes(r);
    return st;
}

crm_status crm_clean_export_prescan_all(crm_cleaner *c, crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        if ((st = crm_cleaner_prescan(c, rec, err)) != CRM_OK)
            return st;
    return st;
}

void crm_clean_export_report(crm_report *rep, const crm_clean_counts *k)
{
    crm_report_set(rep, "rows_in", k->rows_in);
    crm_report_set(rep, "rows_out", k->rows_out);
    crm_report_set(rep, "rows_rejected", k->rows_rejected);
    for (int r = 1; r < CRM_CLEAN_NREASONS; r++)
        if (k->by_reason[r])
            crm_report_add_reason(rep, crm_clean_reason_name((crm_clean_reason)r), k->by_reason[r]);
}
