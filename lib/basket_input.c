#include "crm/basket_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/clean.h"

struct crm_basket_input {
    crm_basket_input_options o;
    crm_basket_db *mined, *customers;
    uint64_t rows;
    char *edge_key[2];            /* the keys of the first and the last row */
    size_t edge_len[2];
};

void crm_basket_input_csv_options(crm_basket_input_format format, crm_csv_options *opts)
{
    if (format == CRM_BASKET_INPUT_FIMI)
        opts->delimiter = ' ';
    if (format != CRM_BASKET_INPUT_LONG)
        opts->no_header = 1;
}

crm_status crm_basket_input_new(const crm_basket_input_options *opts, crm_basket_db *mined,
                                crm_basket_db *customers, crm_basket_input **out, crm_error *err)
{
    crm_basket_input *in = calloc(1, sizeof *in);
    *out = in;
    if (!in)
        return crm_basket_no_memory(err);
    in->o = *opts;
    in->mined = mined;
    in->customers = customers;
    return CRM_OK;
}

void crm_basket_input_free(crm_basket_input *in)
{
    if (!in)
        return;
    free(in->edge_key[0]);
    free(in->edge_key[1]);
    free(in);
}

uint64_t crm_basket_input_rows(const crm_basket_input *in)
{
    return in->rows;
}

/* The item separator must not occur in an item, or the joined output field
 * could not be split back. */
static crm_status check_item(const crm_basket_input *in, const crm_csv_reader *r, const crm_csv_record *rec,
                             size_t column, crm_error *err)
{
    char sep = in->o.separator;
    if (!memchr(rec->fields[column], sep, rec->lengths[column]))
        return CRM_OK;
    char shown[256], where[300];
    if (in->o.format == CRM_BASKET_INPUT_LONG)
        snprintf(where, sizeof where, "column '%s': ", crm_csv_column_name(r, column));
    else
        where[0] = '\0';
    return crm_error_set(err, CRM_EDATA,
                         "%s:%llu: %sitem '%s' contains the item separator '%c', which joins items "
                         "in one output field; choose another with --item-separator",
                         crm_csv_input_name(r), (unsigned long long)rec->line, where,
                         crm_error_quote(shown, sizeof shown, rec->fields[column], rec->lengths[column]),
                         sep);
}

/* need: the fields the columns used need; width: the header's (0 for one
 * basket per line, whose rows vary) */
static crm_status resolve_column(const crm_csv_reader *r, const char *spec, long *out,
                                 crm_error *err)
{
    *out = crm_csv_column(r, spec, err);
    return *out < 0 ? err->status : CRM_OK;
}

static crm_status empty_key_error(const crm_csv_reader *r, const crm_csv_record *rec, long column,
                                  const char *what, crm_error *err)
{
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': empty %s id (crm-clean sets such "
                         "rows aside)", crm_csv_input_name(r), (unsigned long long)rec->line,
                         crm_csv_column_name(r, (size_t)column), what);
}

/* A piece of a split run may begin or end inside a basket: the keys of its
 * first and last rows are kept, and those baskets set aside (edges). */
static crm_status note_edge_key(crm_basket_input *in, const char *key, size_t len, crm_error *err)
{
    int k = in->edge_key[0] ? 1 : 0;
    if (k == 1 && in->edge_len[1] == len && memcmp(in->edge_key[1], key, len) == 0)
        return CRM_OK;
    char *copy = malloc(len + 1);
    if (!copy)
        return crm_basket_no_memory(err);
    memcpy(copy, key, len);
    copy[len] = '\0';
    free(in->edge_key[k]);
    in->edge_key[k] = copy;
    in->edge_len[k] = len;
    return CRM_OK;
}

static crm_status bad_row(crm_basket_input *in, crm_error *err)
{
    return in->o.bad_row ? in->o.bad_row(in->o.bad_row_ctx, err) : err->status;
}

static void row_done(crm_basket_input *in, const crm_csv_reader *r)
{
    in->rows++;
    if (in->o.progress)
        in->o.progress(in->o.progress_ctx, in->rows, crm_csv_raw_bytes(r));
}

static int not_in_catalog(const crm_basket_input *in, const crm_csv_record *rec, long item)
{
    uint32_t id;
    return in->o.catalog && rec->lengths[item] > 0 &&
           !crm_upsell_catalog_find(in->o.catalog, rec->fields[item], rec->lengths[item], &id) &&
           !(in->o.exclude && crm_strtab_find(in->o.exclude, rec->fields[item], rec->lengths[item], &id));
}

/* Long transactions: one (basket, item) pair per row, rows of one basket
 * anywhere in the input. */
static crm_status read_long(crm_basket_input *in, crm_csv_reader *r, crm_error *err)
{
    const crm_basket_input_options *o = &in->o;
    long basket, item, customer = -1, label = -1, shard = -1;
    crm_status st;
    if ((st = resolve_column(r, o->basket_column, &basket, err)) != CRM_OK ||
        (st = resolve_column(r, o->item_column, &item, err)) != CRM_OK ||
        (o->customer_column && (st = resolve_column(r, o->customer_column, &customer, err)) != CRM_OK) ||
        (o->label_column && (st = resolve_column(r, o->label_column, &label, err)) != CRM_OK) ||
        (o->shard && o->shard->count && (st = resolve_column(r, o->shard_column, &shard, err)) != CRM_OK))
        return st;
    size_t need = (size_t)(basket > item ? basket : item) + 1;
    if ((size_t)(customer + 1) > need)
        need = (size_t)(customer + 1);
    if ((size_t)(label + 1) > need)
        need = (size_t)(label + 1);
    const crm_csv_record *rec;
    const crm_csv_record *h = crm_csv_header(r);
    size_t width = h ? h->nfields : 0;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (width == 0)
            width = rec->nfields;   /* without a header, the first row's */
        if (shard >= 0 && !crm_clean_record_in_shard(o->shard, rec, width, shard))
            continue;   /* another shard's customer */
        /* a row that cannot be read stops the run, or is skipped whole */
        if ((st = crm_csv_check_record(r, rec, need, width, err)) != CRM_OK ||
            (rec->lengths[basket] == 0 && (st = empty_key_error(r, rec, basket, o->basket_what, err))) ||
            (customer >= 0 && rec->lengths[customer] == 0 &&
             (st = empty_key_error(r, rec, customer, "customer", err)))) {
            if ((st = bad_row(in, err)) != CRM_OK)
                return st;
            row_done(in, r);
            continue;
        }
        if ((st = check_item(in, r, rec, (size_t)item, err)) != CRM_OK)
            return st;
        if (not_in_catalog(in, rec, item)) {
            char q[128];
            crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': product '%s' is not in the catalog %s",
                          crm_csv_input_name(r), (unsigned long long)rec->line, crm_csv_column_name(r, (size_t)item),
                          crm_error_quote(q, sizeof q, rec->fields[item], rec->lengths[item]), o->catalog_name);
            if ((st = bad_row(in, err)) != CRM_OK)
                return st;
            row_done(in, r);
            continue;
        }
        st = crm_basket_db_add_pair(in->mined, rec->fields[basket], rec->lengths[basket],
                                    rec->fields[item], rec->lengths[item], err);
        if (st == CRM_OK && label >= 0)
            st = crm_basket_db_add_label(in->mined, rec->fields[item], rec->lengths[item],
                                         rec->fields[label], rec->lengths[label], err);
        if (st == CRM_OK && customer >= 0)
            st = crm_basket_db_add_pair(in->customers, rec->fields[customer], rec->lengths[customer],
                                        rec->fields[item], rec->lengths[item], err);
        if (st == CRM_OK && o->edges)
            st = note_edge_key(in, rec->fields[basket], rec->lengths[basket], err);
        if (st != CRM_OK) {
            crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
            return st;
        }
        row_done(in, r);
    }
    return st;
}

/* One basket per line (groceries.csv, FIMI).  Empty fields (a trailing
 * delimiter, FIMI's trailing space) are skipped by the library. */
static crm_status read_whole(crm_basket_input *in, crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if ((st = crm_csv_check_record(r, rec, 0, 0, err)) != CRM_OK) {
            if ((st = bad_row(in, err)) != CRM_OK)
                return st;
            row_done(in, r);
            continue;
        }
        for (size_t i = 0; i < rec->nfields; i++) {
            if ((st = check_item(in, r, rec, i, err)) != CRM_OK)
                return st;
        }
        st = crm_basket_db_add(in->mined, rec->fields, rec->lengths, rec->nfields, err);
        if (st != CRM_OK) {
            crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
            return st;
        }
        row_done(in, r);
    }
    return st;
}

crm_status crm_basket_input_read(crm_basket_input *in, crm_csv_reader *r, crm_error *err)
{
    return in->o.format == CRM_BASKET_INPUT_LONG ? read_long(in, r, err) : read_whole(in, r, err);
}

crm_status crm_basket_input_finish(crm_basket_input *in, crm_error *err)
{
    crm_status st = CRM_OK;
    for (int k = 0; k < 2 && st == CRM_OK; k++) {
        if (in->edge_key[k])
            st = crm_basket_db_set_aside(in->mined, in->edge_key[k], in->edge_len[k], err);
    }
    if (st == CRM_OK)
        st = crm_basket_db_finish(in->mined, err);
    if (st == CRM_OK && in->customers && in->customers != in->mined)
        st = crm_basket_db_finish(in->customers, err);
    return st;
}

/* Adds the item names of text (joined by sep) to the exclusion table. */
static crm_status exclude_names(crm_strtab *t, const char *text, size_t len, char sep, crm_error *err)
{
    const char *p = text, *end = text + len;
    while (p <= end) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        size_t n = (size_t)((q ? q : end) - p);
        uint32_t id;
        if (n > 0 && crm_strtab_intern(t, p, n, &id) < 0)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        if (!q)
            break;
        p = q + 1;
    }
    return CRM_OK;
}

crm_status crm_basket_exclude_add(crm_strtab *t, const char *arg, char sep, crm_error *err)
{
    if (arg[0] != '@')
        return exclude_names(t, arg, strlen(arg), sep, err);
    FILE *f = fopen(arg + 1, "r");
    if (!f)
        return crm_error_set(err, CRM_EIO, "--exclude: cannot read '%s': %s", arg + 1, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    crm_status st = CRM_OK;
    while (st == CRM_OK && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len > 0 && line[0] != '#')
            st = exclude_names(t, line, (size_t)len, '\n', err);
    }
    if (st == CRM_OK && ferror(f))
        st = crm_error_set(err, CRM_EIO, "--exclude: cannot read '%s': %s", arg + 1, strerror(errno));
    free(line);
    fclose(f);
    return st;
}
