#include "crm/rfm_input.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crm/clean.h"
#include "crm/number.h"
#include "crm/rfm_table.h"

enum { COL_CUSTOMER, COL_INVOICE, COL_DATE, COL_AMOUNT, COL_PROFIT, NCOLS = CRM_RFM_INPUT_COLUMNS };

static const char *const default_names[NCOLS] = {"customer_id", "invoice_id", "date", "amount", "profit"};
static const char *const option_names[NCOLS] = {"--customer", "--invoice", "--date", "--amount", "--profit"};

struct crm_rfm_input {
    crm_rfm_input_options o;
    crm_rfm *rfm;
    long columns[NCOLS];       /* -1: absent */
    char *names[NCOLS];        /* the header names found in the first input (copies:
                                  its reader is closed before the next input opens) */
    size_t min_fields;
    size_t width;              /* fields per row: the header's (the first row's without one) */
    crm_date_memo date_memo;   /* the lines of one order repeat their date */
    crm_attributes *attributes;            /* with keep columns */
    long keep_columns[CRM_RFM_MAX_KEEP];
    char *keep_names[CRM_RFM_MAX_KEEP];    /* header names, from the first input (copies) */
};

crm_status crm_rfm_input_new(crm_rfm_input **out, const crm_rfm_input_options *o, crm_error *err)
{
    if (o->nkeep > CRM_RFM_MAX_KEEP)
        return crm_error_set(err, CRM_EUSAGE, "more than %d kept columns", CRM_RFM_MAX_KEEP);
    crm_rfm_input *in = calloc(1, sizeof *in);
    if (!in)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    in->o = *o;
    crm_date_memo_init(&in->date_memo);
    crm_status st = o->nkeep ? crm_attributes_new(&in->attributes, o->nkeep, o->keep_rule, err) : CRM_OK;
    if (st != CRM_OK) {
        free(in);
        return st;
    }
    *out = in;
    return CRM_OK;
}

void crm_rfm_input_free(crm_rfm_input *in)
{
    if (!in)
        return;
    crm_rfm_free(in->rfm);
    crm_attributes_free(in->attributes);
    for (int k = 0; k < NCOLS; k++)
        free(in->names[k]);
    for (size_t k = 0; k < in->o.nkeep; k++)
        free(in->keep_names[k]);
    free(in);
}

crm_rfm *crm_rfm_input_aggregator(const crm_rfm_input *in) { return in->rfm; }
const crm_attributes *crm_rfm_input_attributes(const crm_rfm_input *in) { return in->attributes; }
const char *const *crm_rfm_input_keep_names(const crm_rfm_input *in) { return (const char *const *)in->keep_names; }

/* A column named by option, else by its crm-clean name (required or not). */
static crm_status resolve_column(crm_rfm_input *run, const crm_csv_reader *r, int k, int required, crm_error *err)
{
    const char *spec = run->names[k] ? run->names[k] : run->o.columns[k];
    if (spec) {
        run->columns[k] = crm_csv_column(r, spec, err);
        if (run->columns[k] < 0)
            return err->status;
    } else {
        crm_status st = crm_csv_optional_column(r, default_names[k], &run->columns[k], err);
        if (st != CRM_OK)
            return st;
        if (run->columns[k] < 0 && required)
            return crm_error_set(err, CRM_EDATA,
                                 "%s: no column '%s' (name it with %s COL); clean the export with crm-clean first%s",
                                 crm_csv_input_name(r), default_names[k], option_names[k], crm_csv_header_hint(r));
    }
    return CRM_OK;
}

/* The --keep columns of an input, by the names the first input gave them. */
static crm_status resolve_keep_columns(crm_rfm_input *run, const crm_csv_reader *r, int first, crm_error *err)
{
    const crm_rfm_input_options *o = &run->o;
    for (size_t k = 0; k < o->nkeep; k++) {
        run->keep_columns[k] = crm_csv_column(r, first ? o->keep[k] : run->keep_names[k], err);
        if (run->keep_columns[k] < 0)
            return err->status;
        if (!first)
            continue;
        /* a copy: the header goes with its reader, the names are written at the end */
        run->keep_names[k] = strdup(crm_csv_header(r) ? crm_csv_column_name(r, (size_t)run->keep_columns[k]) : o->keep[k]);
        if (run->keep_names[k] == NULL)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        for (size_t i = 0; crm_rfm_table_names[i]; i++)
            if (strcmp(crm_rfm_table_names[i], run->keep_names[k]) == 0)
                return crm_error_set(err, CRM_EUSAGE, "--keep %s: the customers table has its own column '%s'",
                                     o->keep[k], crm_rfm_table_names[i]);
        for (size_t j = 0; j < k; j++)
            if (strcmp(run->keep_names[j], run->keep_names[k]) == 0)
                return crm_error_set(err, CRM_EUSAGE, "--keep %s: column '%s' is kept twice", o->keep[k],
                                     run->keep_names[k]);
    }
    for (size_t k = 0; k < o->nkeep; k++)
        if ((size_t)run->keep_columns[k] + 1 > run->min_fields)
            run->min_fields = (size_t)run->keep_columns[k] + 1;
    return CRM_OK;
}

/* Finds the columns in an input; later inputs must have those of the first. */
static crm_status resolve_columns(crm_rfm_input *run, const crm_csv_reader *r, int first, crm_error *err)
{
    crm_status st;
    int with_invoice = !run->o.no_invoice;
    for (int k = 0; k < NCOLS; k++) {
        if (k == COL_INVOICE && !with_invoice) {
            run->columns[k] = -1;
            continue;
        }
        int required = k == COL_CUSTOMER || k == COL_DATE || k == COL_AMOUNT || (!first && run->names[k]);
        if ((st = resolve_column(run, r, k, required, err)) != CRM_OK)
            return st;
    }
    run->min_fields = 0;
    if ((st = resolve_keep_columns(run, r, first, err)) != CRM_OK)
        return st;
    for (int k = 0; k < NCOLS; k++) {
        if (run->columns[k] < 0)
            continue;
        if ((size_t)run->columns[k] + 1 > run->min_fields)
            run->min_fields = (size_t)run->columns[k] + 1;
        if (first && crm_csv_header(r) &&
            !(run->names[k] = strdup(crm_csv_column_name(r, (size_t)run->columns[k]))))
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    return CRM_OK;
}

/* A bad row: the caller's on_bad says whether it stops the run. */
static crm_status bad_row(crm_rfm_input *run, crm_error *err)
{
    return run->o.on_bad ? run->o.on_bad(run->o.bad_ctx, err) : err->status;
}

static crm_status bad_value(crm_rfm_input *run, const crm_csv_reader *r, const crm_csv_record *rec, int k,
                            const char *what, crm_error *err)
{
    char q[128];
    size_t c = (size_t)run->columns[k];
    crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": column '%s': cannot read '%s' as %s", crm_csv_input_name(r),
                  rec->line, crm_csv_column_name(r, c), crm_error_quote(q, sizeof q, rec->fields[c], rec->lengths[c]),
                  what);
    return bad_row(run, err);
}

static int defect_in_used_column(const crm_rfm_input *run, const crm_csv_record *rec)
{
    if (rec->defect == CRM_CSV_RECORD_OK)
        return 0;
    for (int k = 0; k < NCOLS; k++)
        if (run->columns[k] == (long)rec->defect_field)
            return 1;
    return 0;
}

/* Checks the fields every row needs; 1 when the row can be read. */
static int row_shape_ok(crm_rfm_input *run, const crm_csv_reader *r, const crm_csv_record *rec, crm_error *err,
                        crm_status *st)
{
    if (run->width == 0)
        run->width = rec->nfields;
    if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE) {
        crm_csv_defect_error(r, rec, err);
        *st = bad_row(run, err);
        return 0;
    }
    if (crm_csv_check_width(r, rec, run->width, err) != CRM_OK) {
        *st = bad_row(run, err);
        return 0;
    }
    if (rec->nfields < run->min_fields) {
        crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": expected at least %zu fields, found %zu",
                      crm_csv_input_name(r), rec->line, run->min_fields, rec->nfields);
        *st = bad_row(run, err);
        return 0;
    }
    if (defect_in_used_column(run, rec)) {
        crm_csv_defect_error(r, rec, err);
        *st = bad_row(run, err);
        return 0;
    }
    if (rec->lengths[run->columns[COL_CUSTOMER]] == 0) {
        crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": column '%s': empty customer id", crm_csv_input_name(r),
                      rec->line, crm_csv_column_name(r, (size_t)run->columns[COL_CUSTOMER]));
        *st = bad_row(run, err);
        return 0;
    }
    return 1;
}


crm_status crm_rfm_input_start(crm_rfm_input *in, const crm_csv_reader *r, int first, crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r);
    in->width = h ? h->nfields : 0;
    crm_status st = resolve_columns(in, r, first, err);
    if (st != CRM_OK || !first)
        return st;
    crm_rfm_config cfg = {in->columns[COL_INVOICE] >= 0, in->columns[COL_PROFIT] >= 0};
    if (in->o.monetary_profit && !cfg.with_profit)
        return crm_error_set(err, CRM_EDATA,
                             "%s: --monetary profit needs a profit column (crm-clean --cost-table or --margin adds it)",
                             crm_csv_input_name(r));
    st = crm_rfm_new(&in->rfm, &cfg, err);
    if (st == CRM_OK && cfg.by_invoice && in->o.invoice_keys)
        st = crm_rfm_keep_invoice_keys(in->rfm, err);
    return st;
}

crm_status crm_rfm_input_add(crm_rfm_input *run, const crm_csv_reader *r, const crm_csv_record *rec, crm_error *err)
{
    crm_status st = CRM_OK;
    if (run->width == 0)
        run->width = rec->nfields;
    if (run->o.shard && !crm_clean_record_in_shard(run->o.shard, rec, run->width, run->columns[COL_CUSTOMER]))
        return CRM_OK;
    if (!row_shape_ok(run, r, rec, err, &st))
        return st;
    const long *col = run->columns;
    crm_rfm_line line = {0};
    crm_datetime dt;
    line.customer = rec->fields[col[COL_CUSTOMER]];
    line.customer_len = rec->lengths[col[COL_CUSTOMER]];
    if (col[COL_INVOICE] >= 0) {
        line.invoice = rec->fields[col[COL_INVOICE]];
        line.invoice_len = rec->lengths[col[COL_INVOICE]];
    }
    if (crm_date_parse_memo(&run->o.date_format, &run->date_memo, rec->fields[col[COL_DATE]],
                            rec->lengths[col[COL_DATE]], &dt) != CRM_OK)
        return bad_value(run, r, rec, COL_DATE, "a date", err);
    line.day = dt.days;
    if (crm_parse_decimal(rec->fields[col[COL_AMOUNT]], rec->lengths[col[COL_AMOUNT]], NULL, &line.amount) != CRM_OK)
        return bad_value(run, r, rec, COL_AMOUNT, "a number", err);
    if (col[COL_PROFIT] >= 0 &&
        crm_parse_decimal(rec->fields[col[COL_PROFIT]], rec->lengths[col[COL_PROFIT]], NULL, &line.profit) != CRM_OK)
        return bad_value(run, r, rec, COL_PROFIT, "a number", err);
    if ((st = crm_rfm_add(run->rfm, &line, err)) != CRM_OK)
        crm_error_prefix(err, "%s:%" PRIu64 ": ", crm_csv_input_name(r), rec->line);
    if (st == CRM_OK && run->attributes && (!run->o.keep_until || line.day < run->o.as_of)) {
        const char *values[CRM_RFM_MAX_KEEP];
        size_t lens[CRM_RFM_MAX_KEEP];
        for (size_t k = 0; k < run->o.nkeep; k++) {
            values[k] = rec->fields[run->keep_columns[k]];
            lens[k] = rec->lengths[run->keep_columns[k]];
        }
        st = crm_attributes_add(run->attributes, line.customer, line.customer_len, line.day, values, lens, err);
    }
    return st;
}


/* ---- interactions ---- */

static crm_status bad_interaction(const crm_rfm_input_options *o, crm_error *err)
{
    return o->on_bad ? o->on_bad(o->bad_ctx, err) : err->status;
}

/* The --interactions file's customer and date columns: named by --customer
 * and --date as in the transactions, else customer_id and date. */
static crm_status interaction_columns(const crm_rfm_input_options *o, const crm_csv_reader *r, long col[2], crm_error *err)
{
    const int which[2] = {COL_CUSTOMER, COL_DATE};
    for (int k = 0; k < 2; k++) {
        const char *spec = o->columns[which[k]];
        col[k] = crm_csv_column(r, spec ? spec : default_names[which[k]], err);
        if (col[k] < 0)
            return err->status;
    }
    return CRM_OK;
}

static crm_status add_interaction(const crm_rfm_input_options *o, crm_interactions *a, const crm_csv_reader *r,
                                  const crm_csv_record *rec,
                                  const long col[2], size_t width, crm_date_memo *memo, crm_error *err)
{
    size_t need = (size_t)(col[0] > col[1] ? col[0] : col[1]) + 1;
    char q[128];
    crm_datetime dt;
    if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE ||
        (rec->defect != CRM_CSV_RECORD_OK && (rec->defect_field == (size_t)col[0] || rec->defect_field == (size_t)col[1]))) {
        crm_csv_defect_error(r, rec, err);
        return bad_interaction(o, err);
    }
    if (crm_csv_check_width(r, rec, width, err) != CRM_OK)
        return bad_interaction(o, err);
    if (rec->nfields < need) {
        crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": expected at least %zu fields, found %zu",
                      crm_csv_input_name(r), rec->line, need, rec->nfields);
        return bad_interaction(o, err);
    }
    if (rec->lengths[col[0]] == 0) {
        crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": column '%s': empty customer id", crm_csv_input_name(r),
                      rec->line, crm_csv_column_name(r, (size_t)col[0]));
        return bad_interaction(o, err);
    }
    if (crm_date_parse_memo(&o->date_format, memo, rec->fields[col[1]], rec->lengths[col[1]], &dt) != CRM_OK) {
        crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": column '%s': cannot read '%s' as a date",
                      crm_csv_input_name(r), rec->line, crm_csv_column_name(r, (size_t)col[1]),
                      crm_error_quote(q, sizeof q, rec->fields[col[1]], rec->lengths[col[1]]));
        return bad_interaction(o, err);
    }
    return crm_interactions_add(a, rec->fields[col[0]], rec->lengths[col[0]], dt.days, err);
}

crm_status crm_rfm_interactions_read(crm_interactions *a, crm_csv_reader *r, const crm_rfm_input_options *o,
                                     uint64_t *rows, crm_error *err)
{
    long col[2] = {-1, -1};
    const crm_csv_record *h = crm_csv_header(r), *rec;
    size_t width = h ? h->nfields : 0;
    crm_date_memo memo;
    crm_date_memo_init(&memo);
    crm_status st = interaction_columns(o, r, col, err);
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (width == 0)
            width = rec->nfields;
        st = add_interaction(o, a, r, rec, col, width, &memo, err);
        (*rows)++;
    }
    return st;
}
