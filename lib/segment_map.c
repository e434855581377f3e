/* The RFM segment map file: see include/crm/segment_map.h. */
#include "crm/segment_map.h"

#include <stdio.h>
#include <stdlib.h>

#include "crm/array.h"

static const char *const map_columns[4] = {"segment", "r", "f", "m"};

/* One row into the next rule, checked against the rules before it. */
static crm_status read_rule(crm_csv_reader *r, const crm_csv_record *rec, const long *col, int bins,
                            crm_rfm_rule **rules, size_t *count, size_t *cap, crm_error *err)
{
    const char *input = crm_csv_input_name(r);
    unsigned long long line = (unsigned long long)rec->line;
    if (rec->defect != CRM_CSV_RECORD_OK)
        return crm_csv_defect_error(r, rec, err);
    if (crm_csv_header(r) && crm_csv_check_width(r, rec, crm_csv_header(r)->nfields, err) != CRM_OK)
        return err->status;
    long need = col[0];
    for (int k = 1; k < 4; k++)
        need = col[k] > need ? col[k] : need;
    if ((size_t)need >= rec->nfields)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: expected segment,r,f,m, found %zu field%s", input, line,
                             rec->nfields, rec->nfields == 1 ? "" : "s");
    if (!crm_array_reserve(rules, cap, *count + 1, sizeof **rules))
        return crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", input);
    crm_status st = crm_rfm_parse_rule(rec->fields[col[0]], rec->fields[col[1]], rec->fields[col[2]],
                                       rec->fields[col[3]], bins, &(*rules)[*count], err);
    /* Checked as it grows, so that an overlap is reported at the line of
     * the second rule. */
    if (st == CRM_OK)
        st = crm_rfm_map_validate(*rules, ++*count, bins, err);
    if (st != CRM_OK)
        crm_error_prefix(err, "%s:%llu: ", input, line);
    return st;
}

crm_status crm_segment_map_read(crm_csv_reader *r, int bins, crm_rfm_rule **rules, size_t *count,
                                crm_error *err)
{
    long col[4] = {0, 1, 2, 3};
    crm_status st = CRM_OK;
    for (int k = 0; k < 4 && st == CRM_OK; k++) {
        st = crm_csv_optional_column(r, map_columns[k], &col[k], err);
        if (col[k] < 0)
            col[k] = k;
    }
    size_t cap = 0;
    *rules = NULL;
    *count = 0;
    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        st = read_rule(r, rec, col, bins, rules, count, &cap, err);
    if (st == CRM_OK && *count == 0)
        st = crm_error_set(err, CRM_EDATA, "%s: the segment map has no rules", crm_csv_input_name(r));
    return st;
}

crm_status crm_segment_map_load(const char *path, int bins, crm_rfm_rule **rules, size_t *count,
                                crm_error *err)
{
    crm_csv_reader *r;
    *rules = NULL;
    *count = 0;
    crm_status st = crm_csv_open(&r, path, NULL, err);
    if (st != CRM_OK)
        return st;
    st = crm_segment_map_read(r, bins, rules, count, err);
    crm_csv_close(r);
    return st;
}

static crm_status write_range(crm_csv_writer *w, int lo, int hi)
{
    char text[32];
    if (lo == hi)
        snprintf(text, sizeof text, "%d", lo);
    else
        snprintf(text, sizeof text, "%d-%d", lo, hi);
    return crm_csv_write_field(w, text, (size_t)-1);
}

crm_status crm_segment_map_write(crm_csv_writer *w, const crm_rfm_rule *rules, size_t count)
{
    crm_status st = CRM_OK;
    for (int k = 0; k < 4 && st == CRM_OK; k++)
        st = crm_csv_write_field(w, map_columns[k], (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_end_row(w);
    for (size_t i = 0; i < count && st == CRM_OK; i++) {
        const crm_rfm_rule *rule = &rules[i];
        st = crm_csv_write_field(w, rule->name, (size_t)-1);
        if (st == CRM_OK) st = write_range(w, rule->r_lo, rule->r_hi);
        if (st == CRM_OK) st = write_range(w, rule->f_lo, rule->f_hi);
        if (st == CRM_OK) st = write_range(w, rule->m_lo, rule->m_hi);
        if (st == CRM_OK) st = crm_csv_end_row(w);
    }
    return st;
}
