/* The customers table read by column: see include/crm/customers_table.h. */
#include "crm/customers_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/number.h"
#include "crm/strtab.h"

typedef struct {
    char *name;
    crm_table_type type;
    long field;          /* index in the record, -1 when absent */
    double *numbers;
    uint32_t *ids;
    crm_strtab *values;
} table_column;

struct crm_customers_table {
    table_column *columns;
    size_t ncolumns;
    size_t rows, cap;
    uint64_t *lines;
    char *input;
};

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c != NULL) memcpy(c, s, n);
    return c;
}

void crm_customers_table_free(crm_customers_table *t)
{
    if (t == NULL) return;
    for (size_t i = 0; i < t->ncolumns; i++) {
        free(t->columns[i].name);
        free(t->columns[i].numbers);
        free(t->columns[i].ids);
        crm_strtab_free(t->columns[i].values);
    }
    free(t->columns);
    free(t->lines);
    free(t->input);
    free(t);
}

static crm_status grow(crm_customers_table *t, crm_error *err)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    uint64_t *lines = realloc(t->lines, cap * sizeof *lines);
    if (lines == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", t->input);
    t->lines = lines;
    for (size_t i = 0; i < t->ncolumns; i++) {
        table_column *c = &t->columns[i];
        if (c->field < 0) continue;
        if (c->type == CRM_TABLE_NUMBER) {
            double *p = realloc(c->numbers, cap * sizeof *p);
            if (p == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", t->input);
            c->numbers = p;
        } else {
            uint32_t *p = realloc(c->ids, cap * sizeof *p);
            if (p == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", t->input);
            c->ids = p;
        }
    }
    t->cap = cap;
    return CRM_OK;
}

static crm_status parse_number(const char *s, size_t len, double *out)
{
    if (len == 0) {
        *out = NAN;
        return CRM_OK;
    }
    if (len == 3 && memcmp(s, "inf", 3) == 0) {
        *out = INFINITY;
        return CRM_OK;
    }
    if (len == 4 && memcmp(s, "-inf", 4) == 0) {
        *out = -INFINITY;
        return CRM_OK;
    }
    return crm_parse_double(s, len, NULL, out);
}

static crm_status add_column(crm_customers_table *t, const char *name, crm_table_type type, long field,
                             crm_error *err)
{
    table_column *c = &t->columns[t->ncolumns++];
    memset(c, 0, sizeof *c);
    c->name = copy_string(name);
    c->type = type;
    c->field = field;
    if (c->name == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", t->input);
    if (field >= 0 && type == CRM_TABLE_TEXT) {
        c->values = crm_strtab_new(64);
        if (c->values == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", t->input);
    }
    return CRM_OK;
}

crm_status crm_customers_table_read(crm_customers_table **out, crm_csv_reader *r,
                                    const crm_table_column_spec *specs, size_t nspecs, int keep_other,
                                    const char *const *ignore, crm_error *err)
{
    *out = NULL;
    crm_customers_table *t = calloc(1, sizeof *t);
    const crm_csv_record *header = crm_csv_header(r);
    size_t nheader = header != NULL ? header->nfields : 0;
    if (t == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory");
    t->input = copy_string(crm_csv_input_name(r));
    t->columns = calloc(nspecs + nheader + 1, sizeof *t->columns);
    unsigned char *used = calloc(nheader + 1, 1);
    crm_status st = CRM_OK;
    if (t->input == NULL || t->columns == NULL || used == NULL)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < nspecs && st == CRM_OK; i++) {
        long field = crm_csv_find_column(r, specs[i].name);
        if (field < 0 && specs[i].required) {
            crm_csv_column(r, specs[i].name, err);   /* the message listing the header */
            st = CRM_EDATA;
            break;
        }
        if (field >= 0) used[field] = 1;
        st = add_column(t, specs[i].name, specs[i].type, field, err);
    }
    for (size_t f = 0; keep_other && f < nheader && st == CRM_OK; f++) {
        for (size_t i = 0; ignore != NULL && ignore[i] != NULL && !used[f]; i++)
            if (strcmp(ignore[i], header->fields[f]) == 0) used[f] = 1;
        if (!used[f]) st = add_column(t, header->fields[f], CRM_TABLE_TEXT, (long)f, err);
    }
    free(used);

    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec != NULL) {
        if (rec->defect != CRM_CSV_RECORD_OK) {
            st = crm_csv_defect_error(r, rec, err);
            break;
        }
        if (t->rows == t->cap && (st = grow(t, err)) != CRM_OK) break;
        t->lines[t->rows] = rec->line;
        for (size_t i = 0; i < t->ncolumns && st == CRM_OK; i++) {
            table_column *c = &t->columns[i];
            if (c->field < 0) continue;
            const char *s = (size_t)c->field < rec->nfields ? rec->fields[c->field] : "";
            size_t len = (size_t)c->field < rec->nfields ? rec->lengths[c->field] : 0;
            if (c->type == CRM_TABLE_NUMBER) {
                if (parse_number(s, len, &c->numbers[t->rows]) != CRM_OK) {
                    char quoted[128];
                    st = crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a number",
                                       t->input, (unsigned long long)rec->line,
                                       crm_csv_column_name(r, (size_t)c->field),
                                       crm_error_quote(quoted, sizeof quoted, s, len));
                }
            } else if (crm_strtab_intern(c->values, s, len, &c->ids[t->rows]) < 0) {
                st = crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", t->input);
            }
        }
        if (st == CRM_OK) t->rows++;
    }
    if (st != CRM_OK) {
        crm_customers_table_free(t);
        return st;
    }
    *out = t;
    return CRM_OK;
}

size_t crm_customers_table_rows(const crm_customers_table *t) { return t->rows; }
size_t crm_customers_table_columns(const crm_customers_table *t) { return t->ncolumns; }

int crm_customers_table_has(const crm_customers_table *t, size_t column)
{
    return column < t->ncolumns && t->columns[column].field >= 0;
}

const char *crm_customers_table_name(const crm_customers_table *t, size_t column)
{
    return column < t->ncolumns ? t->columns[column].name : "";
}

long crm_customers_table_find(const crm_customers_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (t->columns[i].field >= 0 && strcmp(t->columns[i].name, name) == 0) return (long)i;
    return -1;
}

const double *crm_customers_table_numbers(const crm_customers_table *t, size_t column)
{
    if (!crm_customers_table_has(t, column) || t->columns[column].type != CRM_TABLE_NUMBER) return NULL;
    return t->columns[column].numbers;
}

const uint32_t *crm_customers_table_ids(const crm_customers_table *t, size_t column)
{
    if (!crm_customers_table_has(t, column) || t->columns[column].type != CRM_TABLE_TEXT) return NULL;
    return t->columns[column].ids;
}

size_t crm_customers_table_distinct(const crm_customers_table *t, size_t column)
{
    if (!crm_customers_table_has(t, column) || t->columns[column].type != CRM_TABLE_TEXT) return 0;
    return crm_strtab_count(t->columns[column].values);
}

const char *crm_customers_table_value(const crm_customers_table *t, size_t column, uint32_t id)
{
    if (id >= crm_customers_table_distinct(t, column)) return "";
    return crm_strtab_get(t->columns[column].values, id, NULL);
}

const char *crm_customers_table_text(const crm_customers_table *t, size_t column, size_t row)
{
    const uint32_t *ids = crm_customers_table_ids(t, column);
    if (ids == NULL || row >= t->rows) return "";
    return crm_customers_table_value(t, column, ids[row]);
}

uint64_t crm_customers_table_line(const crm_customers_table *t, size_t row)
{
    return row < t->rows ? t->lines[row] : 0;
}

const char *crm_customers_table_input(const crm_customers_table *t) { return t->input; }

/* ---- row by row ---- */

crm_status crm_customers_table_column(const crm_csv_reader *r, const char *given, const char *default_name,
                                      const char *option, int required, long *out, crm_error *err)
{
    *out = -1;
    if (given != NULL) {
        *out = crm_csv_column(r, given, err);
        return *out < 0 ? err->status : CRM_OK;
    }
    if (default_name != NULL && crm_csv_optional_column(r, default_name, out, err) != CRM_OK) return err->status;
    if (*out < 0 && required)
        return crm_error_set(err, CRM_EDATA, "%s: no column '%s'; name it with %s COL%s", crm_csv_input_name(r),
                             default_name ? default_name : "", option, crm_csv_header_hint(r));
    return CRM_OK;
}

crm_status crm_customers_table_cell(const crm_csv_reader *r, const crm_csv_record *rec, long col, double *out,
                                    crm_error *err)
{
    if (crm_parse_double(rec->fields[col], rec->lengths[col], NULL, out) == CRM_OK && isfinite(*out)) return CRM_OK;
    char q[128];
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a number",
                         crm_csv_input_name(r), (unsigned long long)rec->line, crm_csv_column_name(r, (size_t)col),
                         crm_error_quote(q, sizeof q, rec->fields[col], rec->lengths[col]));
}

struct crm_customers_table_store {
    char *bytes;
    size_t len, cap;
    size_t *ends;            /* end offset of each field, row after row */
    size_t nends, cap_ends;
    size_t ncolumns;         /* the first row's fields */
};

crm_customers_table_store *crm_customers_table_store_new(void) { return calloc(1, sizeof(crm_customers_table_store)); }

void crm_customers_table_store_free(crm_customers_table_store *s)
{
    if (s == NULL) return;
    free(s->bytes);
    free(s->ends);
    free(s);
}

/* Doubles *cap until it holds need items of size bytes. */
static int reserve(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : first;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * size);
    if (q == NULL) return 0;
    *p = q;
    *cap = c;
    return 1;
}

crm_status crm_customers_table_store_add(crm_customers_table_store *s, const crm_csv_record *rec,
                                         crm_error *err)
{
    if (s->nends == 0) s->ncolumns = rec->nfields;
    if (rec->nfields != s->ncolumns)
        return crm_error_set(err, CRM_EDATA, "line %llu: %zu fields where the rows kept have %zu",
                             (unsigned long long)rec->line, rec->nfields, s->ncolumns);
    size_t need = 0;
    for (size_t j = 0; j < rec->nfields; j++) need += rec->lengths[j];
    if (!reserve((void **)&s->bytes, &s->cap, s->len + need, 1, 1 << 16) ||
        !reserve((void **)&s->ends, &s->cap_ends, s->nends + rec->nfields, sizeof *s->ends, 1024))
        return crm_error_set(err, CRM_ENOMEM, "out of memory keeping the rows");
    for (size_t j = 0; j < rec->nfields; j++) {
        memcpy(s->bytes + s->len, rec->fields[j], rec->lengths[j]);
        s->len += rec->lengths[j];
        s->ends[s->nends++] = s->len;
    }
    return CRM_OK;
}

size_t crm_customers_table_store_rows(const crm_customers_table_store *s)
{
    return s->ncolumns ? s->nends / s->ncolumns : 0;
}

crm_status crm_customers_table_store_write(crm_csv_writer *w, const crm_customers_table_store *s, size_t row)
{
    crm_status st = CRM_OK;
    for (size_t j = 0; j < s->ncolumns && st == CRM_OK; j++) {
        size_t k = row * s->ncolumns + j;
        size_t start = k ? s->ends[k - 1] : 0;
        st = crm_csv_write_field(w, s->bytes + start, s->ends[k] - start);
    }
    return st;
}

crm_status crm_customers_table_write_header(crm_csv_writer *w, const crm_csv_reader *r, size_t ncolumns,
                                            const char *const *added, size_t nadded)
{
    crm_status st = CRM_OK;
    for (size_t j = 0; j < ncolumns && st == CRM_OK; j++)
        st = crm_csv_write_field(w, crm_csv_column_name(r, j), (size_t)-1);
    for (size_t j = 0; j < nadded && st == CRM_OK; j++) st = crm_csv_write_field(w, added[j], (size_t)-1);
    return st == CRM_OK ? crm_csv_end_row(w) : st;
}

/* ---- rows kept whole ---- */

struct crm_customers_rows {
    size_t ncols, nrows;
    char *bytes;           /* every field of every row, back to back */
    size_t used, bytes_cap;
    size_t *row_start;     /* per row: offset of its first field in bytes */
    size_t start_cap;
    uint32_t *lengths;     /* nrows x ncols (a record is at most 64 MB by default) */
    size_t lengths_cap;
    uint64_t *lines;       /* per row: its input line */
    size_t lines_cap;
};

crm_customers_rows *crm_customers_rows_new(size_t ncols)
{
    crm_customers_rows *t = calloc(1, sizeof *t);
    if (t != NULL) t->ncols = ncols;
    return t;
}

void crm_customers_rows_free(crm_customers_rows *t)
{
    if (t == NULL) return;
    free(t->bytes);
    free(t->row_start);
    free(t->lengths);
    free(t->lines);
    free(t);
}

void crm_customers_rows_set_width(crm_customers_rows *t, size_t ncols) { t->ncols = ncols; }
size_t crm_customers_rows_width(const crm_customers_rows *t) { return t->ncols; }
size_t crm_customers_rows_count(const crm_customers_rows *t) { return t->nrows; }
const uint64_t *crm_customers_rows_lines(const crm_customers_rows *t) { return t->lines; }

crm_status crm_customers_rows_add(crm_customers_rows *t, const crm_csv_record *rec, crm_error *err)
{
    size_t bytes = 0;
    for (size_t j = 0; j < t->ncols; j++) bytes += rec->lengths[j];
    if (!crm_array_reserve(&t->bytes, &t->bytes_cap, t->used + bytes, 1) ||
        !crm_array_reserve(&t->row_start, &t->start_cap, t->nrows + 1, sizeof *t->row_start) ||
        !crm_array_reserve(&t->lines, &t->lines_cap, t->nrows + 1, sizeof *t->lines) ||
        !crm_array_reserve(&t->lengths, &t->lengths_cap, (t->nrows + 1) * t->ncols, sizeof *t->lengths))
        return crm_error_set(err, CRM_ENOMEM, "out of memory after %zu customers", t->nrows);
    t->row_start[t->nrows] = t->used;
    t->lines[t->nrows] = rec->line;
    for (size_t j = 0; j < t->ncols; j++) {
        if (rec->lengths[j]) memcpy(t->bytes + t->used, rec->fields[j], rec->lengths[j]);
        t->used += rec->lengths[j];
        t->lengths[t->nrows * t->ncols + j] = (uint32_t)rec->lengths[j];
    }
    t->nrows++;
    return CRM_OK;
}

const char *crm_customers_rows_field(const crm_customers_rows *t, size_t i, size_t col, size_t *len)
{
    size_t at = t->row_start[i];
    for (size_t j = 0; j < col; j++) at += t->lengths[i * t->ncols + j];
    *len = t->lengths[i * t->ncols + col];
    return t->bytes ? t->bytes + at : "";
}

crm_status crm_customers_rows_write(const crm_customers_rows *t, size_t i, crm_csv_writer *w)
{
    crm_status st = CRM_OK;
    const char *p = t->bytes ? t->bytes + t->row_start[i] : "";
    for (size_t j = 0; j < t->ncols && st == CRM_OK; j++) {
        size_t len = t->lengths[i * t->ncols + j];
        st = crm_csv_write_field(w, p, len);
        p += len;
    }
    return st;
}

crm_status crm_customers_table_resolve(const crm_csv_reader *r, const char *given, const char *fallback,
                                       int required, long *col, crm_error *err)
{
    *col = -1;
    if (given) {
        *col = crm_csv_column(r, given, err);
        return *col < 0 ? err->status : CRM_OK;
    }
    if (!fallback) return CRM_OK;
    if (crm_csv_optional_column(r, fallback, col, err) != CRM_OK) return err->status;
    if (*col < 0 && required) {
        *col = crm_csv_column(r, fallback, err);
        return *col < 0 ? err->status : CRM_OK;
    }
    return CRM_OK;
}

crm_status crm_customers_table_parse_number(const crm_csv_reader *r, const crm_csv_record *rec, long col,
                                            double *out, crm_error *err)
{
    const char *s = rec->fields[col];
    size_t len = rec->lengths[col];
    if (crm_parse_double(s, len, NULL, out) == CRM_OK && isfinite(*out)) return CRM_OK;
    char quoted[128];
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a number",
                         crm_csv_input_name(r), (unsigned long long)rec->line,
                         crm_csv_column_name(r, (size_t)col), crm_error_quote(quoted, sizeof quoted, s, len));
}
