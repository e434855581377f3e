#include "crm/rfm_partial.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/number.h"

enum { PART_CUSTOMER, PART_DATE, PART_ROWS, PART_AMOUNT, PART_INVOICES, PART_INVOICE_KEYS, PART_PROFIT, NPART };
static const char *const partial_names[NPART] = {"customer_id", "date", "rows", "amount", "invoices",
                                                 "invoice_keys", "profit"};

/* ---- writing ---- */

typedef struct {
    crm_csv_writer *w;
    const crm_rfm_config *cfg;
    int invoice_keys;
    char *text;                /* the invoice_keys field being written */
    size_t text_cap;
} partial_writer;

static crm_status write_decimal(crm_csv_writer *w, crm_decimal d)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t len = crm_decimal_format(d, buf);
    return crm_csv_write_field(w, buf, len);
}

static crm_status write_invoice_keys(partial_writer *p, const crm_rfm_day_total *t, crm_error *err)
{
    static const char hex[] = "0123456789abcdef";
    size_t need = 17 * t->ninvoice_keys;
    if (need > p->text_cap) {
        char *grown = realloc(p->text, need);
        if (!grown)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        p->text = grown;
        p->text_cap = need;
    }
    size_t used = 0;
    for (size_t k = 0; k < t->ninvoice_keys; k++) {
        if (k)
            p->text[used++] = ' ';
        for (int j = 0; j < 16; j++)
            p->text[used + (size_t)j] = hex[(t->invoice_keys[k] >> (60 - 4 * j)) & 15];
        used += 16;
    }
    return crm_csv_write_field(p->w, p->text ? p->text : "", used);
}

static crm_status write_partial_row(void *ctx, const crm_rfm_day_total *t, crm_error *err)
{
    partial_writer *p = ctx;
    char day[CRM_DATE_ISO_MAX];
    size_t day_len = crm_datetime_format((crm_datetime){t->day, CRM_NO_TIME}, day);
    crm_status st = crm_csv_write_field(p->w, t->customer, t->customer_len);
    if (st == CRM_OK)
        st = crm_csv_write_field(p->w, day, day_len);
    if (st == CRM_OK)
        st = crm_csv_write_int(p->w, (int64_t)t->rows);
    if (st == CRM_OK)
        st = write_decimal(p->w, t->amount);
    if (st == CRM_OK && p->cfg->by_invoice)
        st = crm_csv_write_int(p->w, (int64_t)t->invoices);
    if (st == CRM_OK && p->invoice_keys)
        st = write_invoice_keys(p, t, err);
    if (st == CRM_OK && p->cfg->with_profit)
        st = write_decimal(p->w, t->profit);
    return st == CRM_OK ? crm_csv_end_row(p->w) : st;
}

crm_status crm_rfm_partial_write(crm_csv_writer *w, const crm_rfm *a, int invoice_keys, crm_error *err)
{
    const crm_rfm_config *cfg = crm_rfm_get_config(a);
    crm_status st = CRM_OK;
    for (int p = 0; p < NPART && st == CRM_OK; p++)
        if ((p != PART_INVOICES || cfg->by_invoice) && (p != PART_INVOICE_KEYS || invoice_keys) &&
            (p != PART_PROFIT || cfg->with_profit))
            st = crm_csv_write_field(w, partial_names[p], (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_end_row(w);
    partial_writer pw = {w, cfg, invoice_keys, NULL, 0};
    if (st == CRM_OK)
        st = crm_rfm_each_day(a, write_partial_row, &pw, err);
    free(pw.text);
    return st;
}

/* ---- reading ---- */

struct crm_rfm_partial_reader {
    crm_csv_reader *r;
    const crm_csv_record *header;
    long columns[NPART];       /* -1: absent */
    size_t nfields;
    crm_rfm_partial_keep keep;
    void *keep_ctx;
    crm_date_format iso;
    uint64_t line, records;
    uint64_t *keys;            /* one row's invoice keys */
    size_t keys_cap;
};

/* The header: the four fixed columns, then invoices (with invoice_keys,
 * since they exist) and profit when the run had them. */
crm_status crm_rfm_partial_open(crm_rfm_partial_reader **out, crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r);
    long col[NPART];
    int ok = h && h->nfields >= 4 && h->nfields <= NPART;
    size_t k = 0;
    for (int p = 0; p < NPART; p++)
        col[p] = -1;
    for (int p = 0; ok && p < NPART && k < h->nfields; p++) {
        if (strcmp(h->fields[k], partial_names[p]) == 0)
            col[p] = (long)k++;
        else if (p < PART_INVOICES)
            ok = 0;   /* the first four are always there */
    }
    ok = ok && k == h->nfields && (col[PART_INVOICE_KEYS] < 0 || col[PART_INVOICES] >= 0);
    if (!ok)
        return crm_error_set(err, CRM_EDATA,
                             "%s: not a crm-rfm --partial file "
                             "(header customer_id,date,rows,amount[,invoices[,invoice_keys]][,profit])",
                             crm_csv_input_name(r));
    crm_rfm_partial_reader *p = calloc(1, sizeof *p);
    if (!p)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    p->r = r;
    p->header = h;
    memcpy(p->columns, col, sizeof col);
    p->nfields = h->nfields;
    crm_date_format_set(&p->iso, CRM_DATE_ISO);
    *out = p;
    return CRM_OK;
}

void crm_rfm_partial_close(crm_rfm_partial_reader *p)
{
    if (!p)
        return;
    free(p->keys);
    free(p);
}

void crm_rfm_partial_layout(const crm_rfm_partial_reader *p, crm_rfm_config *cfg, int *invoice_keys)
{
    cfg->by_invoice = p->columns[PART_INVOICES] >= 0;
    cfg->with_profit = p->columns[PART_PROFIT] >= 0;
    *invoice_keys = p->columns[PART_INVOICE_KEYS] >= 0;
}

void crm_rfm_partial_set_keep(crm_rfm_partial_reader *p, crm_rfm_partial_keep keep, void *ctx)
{
    p->keep = keep;
    p->keep_ctx = ctx;
}

uint64_t crm_rfm_partial_line(const crm_rfm_partial_reader *p) { return p->line; }
const char *crm_rfm_partial_name(const crm_rfm_partial_reader *p) { return crm_csv_input_name(p->r); }
uint64_t crm_rfm_partial_records(const crm_rfm_partial_reader *p) { return p->records; }

/* The header again: files concatenated (cat p1 p2 > all). */
static int is_repeated_header(const crm_rfm_partial_reader *p, const crm_csv_record *rec)
{
    const crm_csv_record *h = p->header;
    for (size_t i = 0; i < h->nfields; i++)
        if (rec->lengths[i] != strlen(h->fields[i]) || memcmp(rec->fields[i], h->fields[i], rec->lengths[i]) != 0)
            return 0;
    return 1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* invoice_keys: 16 lower-case hex digits per key, one space between keys.
 * 1 read, 0 not keys, -1 out of memory. */
static int read_invoice_keys(crm_rfm_partial_reader *p, const char *s, size_t len, size_t *n)
{
    *n = 0;
    if (len == 0)
        return 1;
    if ((len + 1) % 17 != 0)
        return 0;
    size_t count = (len + 1) / 17;
    if (count > p->keys_cap) {
        uint64_t *grown = realloc(p->keys, count * sizeof *grown);
        if (!grown)
            return -1;
        p->keys = grown;
        p->keys_cap = count;
    }
    for (size_t k = 0; k < count; k++) {
        const char *q = s + 17 * k;
        uint64_t v = 0;
        for (int j = 0; j < 16; j++) {
            int d = hex_digit(q[j]);
            if (d < 0)
                return 0;
            v = v << 4 | (uint64_t)d;
        }
        if (k + 1 < count && q[16] != ' ')
            return 0;
        p->keys[k] = v;
    }
    *n = count;
    return 1;
}

static crm_status bad_value(const crm_rfm_partial_reader *p, const crm_csv_record *rec, int column,
                            const char *what, crm_error *err)
{
    char q[128];
    size_t c = (size_t)p->columns[column];
    return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": column '%s': cannot read '%s' as %s",
                         crm_csv_input_name(p->r), rec->line, partial_names[column],
                         crm_error_quote(q, sizeof q, rec->fields[c], rec->lengths[c]), what);
}

static crm_status read_keys(crm_rfm_partial_reader *p, const crm_csv_record *rec, int64_t invoices,
                            crm_rfm_day_total *t, crm_error *err)
{
    size_t c = (size_t)p->columns[PART_INVOICE_KEYS], n;
    int read = read_invoice_keys(p, rec->fields[c], rec->lengths[c], &n);
    if (read < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (!read || n != (uint64_t)invoices) {
        char q[128];
        return crm_error_set(err, CRM_EDATA,
                             "%s:%" PRIu64 ": column 'invoice_keys': cannot read '%s' as %" PRId64
                             " invoice key%s (16 lower-case hex digits each, one space apart)",
                             crm_csv_input_name(p->r), rec->line,
                             crm_error_quote(q, sizeof q, rec->fields[c], rec->lengths[c]), invoices,
                             invoices == 1 ? "" : "s");
    }
    t->has_invoice_keys = 1;
    t->invoice_keys = p->keys;
    t->ninvoice_keys = n;
    return CRM_OK;
}

static crm_status read_total(crm_rfm_partial_reader *p, const crm_csv_record *rec, crm_rfm_day_total *t,
                             crm_error *err)
{
    const long *col = p->columns;
    crm_datetime dt;
    int64_t rows = 0, invoices = 0;
    memset(t, 0, sizeof *t);
    t->customer = rec->fields[col[PART_CUSTOMER]];
    t->customer_len = rec->lengths[col[PART_CUSTOMER]];
    if (t->customer_len == 0)
        return bad_value(p, rec, PART_CUSTOMER, "a customer id", err);
    if (crm_date_parse(&p->iso, rec->fields[col[PART_DATE]], rec->lengths[col[PART_DATE]], &dt) != CRM_OK)
        return bad_value(p, rec, PART_DATE, "a date", err);
    if (crm_parse_int64(rec->fields[col[PART_ROWS]], rec->lengths[col[PART_ROWS]], &rows) != CRM_OK || rows < 0)
        return bad_value(p, rec, PART_ROWS, "a count", err);
    if (crm_parse_decimal(rec->fields[col[PART_AMOUNT]], rec->lengths[col[PART_AMOUNT]], NULL, &t->amount) != CRM_OK)
        return bad_value(p, rec, PART_AMOUNT, "a number", err);
    if (col[PART_INVOICES] >= 0 &&
        (crm_parse_int64(rec->fields[col[PART_INVOICES]], rec->lengths[col[PART_INVOICES]], &invoices) != CRM_OK ||
         invoices < 0))
        return bad_value(p, rec, PART_INVOICES, "a count", err);
    if (col[PART_PROFIT] >= 0 &&
        crm_parse_decimal(rec->fields[col[PART_PROFIT]], rec->lengths[col[PART_PROFIT]], NULL, &t->profit) != CRM_OK)
        return bad_value(p, rec, PART_PROFIT, "a number", err);
    crm_status st = col[PART_INVOICE_KEYS] >= 0 ? read_keys(p, rec, invoices, t, err) : CRM_OK;
    t->day = dt.days;
    t->rows = (uint64_t)rows;
    t->invoices = (uint64_t)invoices;
    return st;
}

crm_status crm_rfm_partial_next(crm_rfm_partial_reader *p, crm_rfm_day_total *t, int *got, crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    *got = 0;
    while ((st = crm_csv_next(p->r, &rec, err)) == CRM_OK && rec) {
        p->records++;
        p->line = rec->line;
        if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE)
            return crm_csv_defect_error(p->r, rec, err);
        if (rec->nfields != p->nfields)
            return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": expected %zu fields, found %zu",
                                 crm_csv_input_name(p->r), rec->line, p->nfields, rec->nfields);
        const long c = p->columns[PART_CUSTOMER];
        if (is_repeated_header(p, rec) || (p->keep && !p->keep(p->keep_ctx, rec->fields[c], rec->lengths[c])))
            continue;
        if ((st = read_total(p, rec, t, err)) != CRM_OK)
            return st;
        *got = 1;
        return CRM_OK;
    }
    return st;
}

crm_status crm_rfm_partial_merge(crm_rfm **a, int *invoice_keys, crm_rfm_partial_reader *p, int first,
                                 int keep_keys, crm_rfm_partial_on_bad on_bad, void *bad_ctx, crm_error *err)
{
    crm_rfm_config cfg;
    int keys;
    crm_rfm_partial_layout(p, &cfg, &keys);
    crm_status st = CRM_OK;
    if (first) {
        *invoice_keys = keys;
        st = crm_rfm_new(a, &cfg, err);
        if (st == CRM_OK && keys && keep_keys)
            st = crm_rfm_keep_invoice_keys(*a, err);
    } else {
        const crm_rfm_config *had = crm_rfm_get_config(*a);
        if (had->by_invoice != cfg.by_invoice || had->with_profit != cfg.with_profit || *invoice_keys != keys)
            return crm_error_set(err, CRM_EDATA, "%s: the header differs from the first partial file's",
                                 crm_csv_input_name(p->r));
    }
    crm_rfm_day_total t;
    int got = 1;
    while (st == CRM_OK && got) {
        st = crm_rfm_partial_next(p, &t, &got, err);
        if (st == CRM_EDATA) {
            st = on_bad ? on_bad(bad_ctx, err) : st;
            got = 1;
        } else if (st == CRM_OK && got && (st = crm_rfm_add_day(*a, &t, err)) != CRM_OK) {
            crm_error_prefix(err, "%s:%" PRIu64 ": ", crm_csv_input_name(p->r), p->line);
        }
    }
    return st;
}

/* ---- global breakpoints, one customer at a time ---- */

typedef struct {
    crm_rfm_partial_reader *p;
    crm_rfm_day_total t;
    int got;
} cursor;

static int compare_ids(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static crm_status advance(cursor *c, crm_rfm_partial_on_bad on_bad, void *bad_ctx, crm_error *err)
{
    for (;;) {
        crm_status st = crm_rfm_partial_next(c->p, &c->t, &c->got, err);
        if (st != CRM_EDATA)
            return st;
        if ((st = on_bad ? on_bad(bad_ctx, err) : st) != CRM_OK)
            return st;
    }
}

typedef struct {
    cursor *cur;
    size_t n;
    crm_rfm_single *one;
    crm_rfm_breaks_builder *builder;
    crm_rfm_options row_opts;   /* as_of open until known */
    crm_rfm_partial_on_bad on_bad;
    void *bad_ctx;
    char *id;                   /* the customer being merged (a copy) */
    size_t id_cap;
    int has_last;
    int32_t last_day;
} stream_run;

/* The lowest customer any part stands at; 0 when every part is done. */
static int next_customer(stream_run *s, crm_error *err, crm_status *st)
{
    const cursor *low = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (s->cur[i].got && (!low || compare_ids(s->cur[i].t.customer, s->cur[i].t.customer_len, low->t.customer,
                                                  low->t.customer_len) < 0))
            low = &s->cur[i];
    *st = CRM_OK;
    if (!low)
        return 0;
    size_t len = low->t.customer_len;
    if (len + 1 > s->id_cap) {
        char *grown = realloc(s->id, len + 1);
        if (!grown) {
            *st = crm_error_set(err, CRM_ENOMEM, "out of memory");
            return 0;
        }
        s->id = grown;
        s->id_cap = len + 1;
    }
    memcpy(s->id, low->t.customer, len);
    s->id[len] = '\0';
    return 1;
}

/* Every total of the customer s->id, part after part. */
static crm_status merge_customer(stream_run *s, crm_error *err)
{
    size_t len = strlen(s->id);
    crm_status st = CRM_OK;
    crm_rfm_single_clear(s->one);
    for (size_t i = 0; i < s->n && st == CRM_OK; i++) {
        cursor *c = &s->cur[i];
        while (st == CRM_OK && c->got && compare_ids(c->t.customer, c->t.customer_len, s->id, len) == 0) {
            if ((st = crm_rfm_single_add_day(s->one, &c->t, err)) != CRM_OK)
                crm_error_prefix(err, "%s:%" PRIu64 ": ", crm_rfm_partial_name(c->p), crm_rfm_partial_line(c->p));
            else
                st = advance(c, s->on_bad, s->bad_ctx, err);
        }
        if (st == CRM_OK && c->got && compare_ids(c->t.customer, c->t.customer_len, s->id, len) < 0) {
            char q1[64], q2[64];
            st = crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": customer '%s' comes after '%s': the file is not "
                               "sorted by customer_id as --partial writes it (merge concatenated partial files "
                               "with --merge --partial first)", crm_rfm_partial_name(c->p), crm_rfm_partial_line(c->p),
                               crm_error_quote(q1, sizeof q1, c->t.customer, c->t.customer_len),
                               crm_error_quote(q2, sizeof q2, s->id, len));
        }
    }
    int32_t last;
    if (st == CRM_OK && crm_rfm_single_last_day(s->one, &last) && (!s->has_last || last > s->last_day)) {
        s->last_day = last;
        s->has_last = 1;
    }
    crm_rfm_customer row;
    int in_table = 0;
    if (st == CRM_OK)
        st = crm_rfm_single_row(s->one, &s->row_opts, &row, &in_table, err);
    if (st == CRM_OK && in_table)
        st = crm_rfm_breaks_builder_add(s->builder, &row, err);
    return st;
}

static crm_status check_layouts(crm_rfm_partial_reader *const *parts, size_t n, crm_rfm_config *cfg,
                                crm_error *err)
{
    int keys;
    crm_rfm_partial_layout(parts[0], cfg, &keys);
    for (size_t i = 1; i < n; i++) {
        crm_rfm_config other;
        int other_keys;
        crm_rfm_partial_layout(parts[i], &other, &other_keys);
        if (other.by_invoice != cfg->by_invoice || other.with_profit != cfg->with_profit || other_keys != keys)
            return crm_error_set(err, CRM_EDATA, "%s: the header differs from the first partial file's",
                                 crm_rfm_partial_name(parts[i]));
    }
    return CRM_OK;
}

crm_status crm_rfm_partial_breakpoints(crm_rfm_partial_reader *const *parts, size_t nparts,
                                       const crm_rfm_options *o, int as_of_known, crm_rfm_partial_on_bad on_bad,
                                       void *bad_ctx, crm_rfm_breakpoints *out, crm_error *err)
{
    crm_rfm_config cfg;
    crm_status st = nparts ? check_layouts(parts, nparts, &cfg, err)
                           : crm_error_set(err, CRM_EUSAGE, "no partial files to merge");
    if (st != CRM_OK)
        return st;
    if (o->monetary == CRM_RFM_SCORE_PROFIT && !cfg.with_profit)
        return crm_error_set(err, CRM_EUSAGE, "scoring M on profit needs a profit column");
    stream_run s = {.n = nparts, .row_opts = *o, .on_bad = on_bad, .bad_ctx = bad_ctx};
    if (!as_of_known && !o->has_calibration_end)
        s.row_opts.as_of = CRM_RFM_AS_OF_OPEN;
    s.cur = calloc(nparts, sizeof *s.cur);
    if (!s.cur)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    st = crm_rfm_single_new(&s.one, &cfg, err);
    if (st == CRM_OK)
        st = crm_rfm_breaks_builder_new(&s.builder, o, as_of_known, err);
    for (size_t i = 0; i < nparts && st == CRM_OK; i++) {
        s.cur[i].p = parts[i];
        st = advance(&s.cur[i], on_bad, bad_ctx, err);
    }
    while (st == CRM_OK && next_customer(&s, err, &st))
        st = merge_customer(&s, err);
    if (st == CRM_OK)
        st = crm_rfm_breaks_builder_finish(s.builder, s.has_last, s.last_day, out, err);
    crm_rfm_breaks_builder_free(s.builder);
    crm_rfm_single_free(s.one);
    free(s.id);
    free(s.cur);
    return st;
}
