/* Fuzz target for strict records: the reader (lib/csv.c, serial and in
 * parallel chunks) against an independent oracle, and crm-clean's library
 * path against its invariant.
 *
 * The oracle implements the definition in csv.h (crm_csv_quote_problem) its
 * own way: it cuts the input into physical lines, and for the line a record
 * starts on hands libcsv (CSV_STRICT) all the rest of the input in one call,
 * keeping only the first row.  That row is the record unless libcsv refused a
 * byte before the row ended (a quote in an unquoted field when the byte is a
 * quote, else text after a closing quote), the input ended inside a quote
 * (csv_fini with CSV_STRICT_FINI), or the row ran over a line break and its
 * width is not the header's.  A broken record is its first line; the next
 * record starts on the next line.  The lines a good record spans are counted
 * from the line breaks in its fields.  Every record, line number, raw bytes,
 * field and verdict must be the reader's.
 *
 * Then the records go through crm_cleaner (customer, date and amount in the
 * first three columns): every record is one row in, rows in = kept +
 * rejected (counted by the sink too), and a broken record is rejected as
 * bad-quote with its one line as raw bytes. */
#include <csv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crm/clean.h"
#include "crm/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        __builtin_trap();
}

/* ---- the oracle ---- */

typedef struct {
    size_t start, end;            /* raw bytes: data[start .. end) */
    uint64_t line;
    int broken;
    crm_csv_quote_problem problem;
    uint64_t quote_line;
    size_t quote_fields;
    size_t nfields;
    size_t fields_at;             /* into the oracle's text: field, NUL, field, NUL ... */
} oracle_record;

typedef struct {
    /* the first row of one parse */
    int rows;
    size_t nfields;
    char *text;
    size_t text_len, text_cap;
    size_t line_ends;             /* line breaks inside its fields */
} first_row;

static void on_field(void *s, size_t len, void *p)
{
    first_row *f = p;
    if (f->rows > 0)
        return;
    if (f->text_len + len + 1 > f->text_cap) {
        f->text_cap = 2 * (f->text_len + len + 1);
        f->text = realloc(f->text, f->text_cap);
        check(f->text != NULL);
    }
    const char *c = s;
    for (size_t i = 0; i < len; i++)
        if (c[i] == '\n' || (c[i] == '\r' && (i + 1 == len || c[i + 1] != '\n')))
            f->line_ends++;
    if (len)
        memcpy(f->text + f->text_len, s, len);
    f->text[f->text_len + len] = '\0';
    f->text_len += len + 1;
    f->nfields++;
}

static void on_row(int c, void *p)
{
    (void)c;
    ((first_row *)p)->rows++;
}

static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* The end of the physical line that starts at `at`: after '\n', after a
 * '\r' not followed by '\n', or the end of the input. */
static size_t line_end(const uint8_t *d, size_t n, size_t at)
{
    for (size_t i = at; i < n; i++) {
        if (d[i] == '\n')
            return i + 1;
        if (d[i] == '\r' && (i + 1 == n || d[i + 1] != '\n'))
            return i + 1;
    }
    return n;
}

static uint64_t line_of(const uint8_t *d, size_t at)
{
    uint64_t line = 1;
    for (size_t i = 0; i < at; i++)
        line += d[i] == '\n';
    return line;
}

/* The record that starts at `at` (no blank line there). */
static void oracle_one(const uint8_t *d, size_t n, size_t at, size_t width, oracle_record *rec,
                       first_row *f)
{
    struct csv_parser p;
    check(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) == 0);
    csv_set_space_func(&p, never_space);
    f->rows = 0;
    f->nfields = 0;
    f->line_ends = 0;
    size_t text_before = f->text_len;
    size_t used = csv_parse(&p, d + at, n - at, on_field, on_row, f);
    memset(rec, 0, sizeof *rec);
    rec->start = at;
    rec->line = line_of(d, at);
    rec->fields_at = text_before;
    if (f->rows == 0 && used < n - at) {
        check(csv_error(&p) == CSV_EPARSE);
        rec->broken = 1;
        rec->problem = d[at + used] == '"' ? CRM_CSV_QUOTE_IN_FIELD : CRM_CSV_QUOTE_TEXT_AFTER;
        rec->quote_line = line_of(d, at + used);
    } else if (f->rows == 0 && csv_fini(&p, on_field, on_row, f) != 0) {
        rec->broken = 1;
        rec->problem = CRM_CSV_QUOTE_NEVER_CLOSED;
        rec->quote_line = line_of(d, n - 1);
    }
    csv_free(&p);
    if (!rec->broken) {
        check(f->rows > 0);
        size_t end = at;
        for (size_t k = 0; k <= f->line_ends; k++)
            end = line_end(d, n, end);
        rec->end = end;
        rec->nfields = f->nfields;
        if (width && f->line_ends > 0 && f->nfields != width) {
            rec->broken = 1;
            rec->problem = CRM_CSV_QUOTE_FIELD_COUNT;
            rec->quote_line = line_of(d, end - 1);
            rec->quote_fields = f->nfields;
        }
    }
    if (rec->broken) {
        rec->end = line_end(d, n, at);
        rec->nfields = 0;
        f->text_len = text_before;
    }
}

/* All records of the input (the header first, unless no_header). */
static size_t oracle_all(const uint8_t *d, size_t n, int no_header, oracle_record **out,
                         first_row *f)
{
    size_t cap = 16, count = 0, at = 0, width = 0;
    oracle_record *recs = malloc(cap * sizeof *recs);
    check(recs != NULL);
    if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
        at = 3;
    for (;;) {
        while (at < n && (d[at] == '\n' || d[at] == '\r'))
            at++;
        if (at == n)
            break;
        if (count == cap) {
            recs = realloc(recs, (cap *= 2) * sizeof *recs);
            check(recs != NULL);
        }
        oracle_one(d, n, at, width, &recs[count], f);
        if (count == 0 && !no_header && !recs[0].broken)
            width = recs[0].nfields;   /* the header's width, from the next record on */
        at = recs[count].end;
        count++;
        if (count == 1 && !no_header && recs[0].broken)
            break;                     /* a broken header ends the reading */
    }
    *out = recs;
    return count;
}

/* ---- the reader against the oracle ---- */

static void same_record(const uint8_t *d, const first_row *f, const oracle_record *o,
                        const crm_csv_record *rec)
{
    check(rec->line == o->line);
    check(rec->raw_len == o->end - o->start && memcmp(rec->raw, d + o->start, rec->raw_len) == 0);
    check((rec->defect == CRM_CSV_RECORD_BAD_QUOTE) == o->broken);
    check(rec->nfields == o->nfields);
    if (o->broken) {
        check(rec->quote_problem == o->problem);
        check(rec->quote_line == o->quote_line);
        check(rec->quote_fields == o->quote_fields);
        return;
    }
    const char *text = f->text + o->fields_at;
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t len = strlen(text);   /* a NUL inside a field ends it early here */
        check(rec->lengths[i] >= len && memcmp(rec->fields[i], text, len) == 0);
        text += rec->lengths[i] + 1;
    }
}

static void check_reader(const uint8_t *d, size_t n, int no_header, int threads, size_t chunk,
                         const oracle_record *o, size_t count, const first_row *f)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = no_header;
    opts.threads = threads;
    opts.chunk_bytes = chunk;
    crm_csv_reader *r;
    crm_error err;
    crm_status st = crm_csv_open_memory(&r, d, n, "fuzz.csv", &opts, &err);
    if (count == 0 && !no_header) {
        check(st == CRM_EDATA);   /* empty: no header */
        return;
    }
    if (!no_header && o[0].broken) {
        check(st == CRM_EDATA);
        return;
    }
    check(st == CRM_OK);
    size_t k = 0;
    if (!no_header)
        same_record(d, f, &o[k++], crm_csv_header(r));
    const crm_csv_record *rec;
    while ((st = crm_csv_next(r, &rec, &err)) == CRM_OK && rec) {
        check(k < count);
        same_record(d, f, &o[k++], rec);
    }
    check(st == CRM_OK && k == count);
    crm_csv_close(r);
}

/* ---- crm-clean's invariant ---- */

typedef struct {
    uint64_t kept, rejected, bad_quote;
} sink_counts;

static crm_status keep(void *ctx, const crm_clean_row *row, crm_error *err)
{
    (void)row;
    (void)err;
    ((sink_counts *)ctx)->kept++;
    return CRM_OK;
}

static crm_status reject(void *ctx, uint64_t line, const char *raw, size_t raw_len,
                         crm_clean_reason reason, const char *detail, crm_error *err)
{
    (void)line;
    (void)detail;
    (void)err;
    sink_counts *s = ctx;
    s->rejected++;
    if (reason == CRM_REJECT_BAD_QUOTE) {
        s->bad_quote++;
        check(raw_len > 0 && !memchr(raw, '\n', raw_len - 1));   /* one physical line */
    }
    return CRM_OK;
}

static void check_clean(const uint8_t *d, size_t n)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_csv_reader *r;
    crm_error err;
    if (crm_csv_open_memory(&r, d, n, "fuzz.csv", &opts, &err) != CRM_OK)
        return;
    const crm_csv_record *h = crm_csv_header(r);
    crm_clean_config cfg;
    crm_clean_config_init(&cfg);
    cfg.columns.customer = 0;
    cfg.columns.date = 1;
    cfg.columns.amount = 2;
    sink_counts counts = {0, 0, 0};
    crm_clean_sink sink = {keep, reject, &counts};
    crm_cleaner *c;
    if (h->nfields < 3 ||
        crm_cleaner_new(&c, &cfg, h->fields, h->nfields, &sink, &err) != CRM_OK) {
        crm_csv_close(r);
        return;
    }
    uint64_t records = 0, broken = 0;
    const crm_csv_record *rec;
    crm_status st;
    while ((st = crm_csv_next(r, &rec, &err)) == CRM_OK && rec) {
        records++;
        broken += rec->defect == CRM_CSV_RECORD_BAD_QUOTE;
        check(crm_cleaner_push(c, rec, &err) == CRM_OK);
    }
    check(st == CRM_OK);
    check(crm_cleaner_finish(c, &err) == CRM_OK);
    const crm_clean_counts *k = crm_cleaner_counts(c);
    check(k->rows_in == records);
    check(k->rows_in == k->rows_out + k->rows_rejected);
    check(k->rows_out == counts.kept && k->rows_rejected == counts.rejected);
    check(k->by_reason[CRM_REJECT_BAD_QUOTE] == broken && counts.bad_quote == broken);
    crm_cleaner_free(c);
    crm_csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* gzip input is another reader's business (fuzz_csv); the oracle reads
     * the bytes as they are */
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return 0;
    /* nor are UTF-16 byte order marks, which an input may convert */
    if (size >= 2 && ((data[0] == 0xff && data[1] == 0xfe) || (data[0] == 0xfe && data[1] == 0xff)))
        return 0;
    /* the oracle reads the rest of the input for every record */
    if (size > 16384)
        return 0;
    for (int no_header = 0; no_header <= 1; no_header++) {
        first_row f = {0, 0, NULL, 0, 0, 0};
        oracle_record *o;
        size_t count = oracle_all(data, size, no_header, &o, &f);
        check_reader(data, size, no_header, 1, 0, o, count, &f);
        check_reader(data, size, no_header, 2, 1 + (size ? data[0] % 32 : 0), o, count, &f);
        free(o);
        free(f.text);
    }
    check_clean(data, size);
    return 0;
}
