/* CSV reading and writing on libcsv.
 *
 * Reader: csv_tokenizer.h drives libcsv one line at a time (and splits the
 * quote-free lines itself, the same records) so that records keep their
 * line numbers and raw bytes.  The
 * serial reader refills the tokenizer's buffer from crm_input, keeping the
 * current record's bytes when a block boundary cuts it.  With threads, after
 * the header the input is parsed in chunks by worker threads (csv_chunks.h)
 * and records are handed out from the parsed chunks in order; whenever the
 * chunks cannot go on (the end of the input, a cut inside a record, a record
 * libcsv cannot finish, a read error) the serial reader takes over with the
 * bytes not yet delivered, so that every record and every message is the
 * one the serial reader gives.  After a stop inside the input, the chunks
 * start again once the serial reader has used up those bytes.
 *
 * Writer: quotes a field only when it contains the delimiter, a quote, CR or
 * LF (RFC 4180), using libcsv's csv_write2 for the quoted form. */
#include "crm/csv.h"

#include <csv.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/array.h"
#include "crm/csv_chunks.h"
#include "crm/csv_tokenizer.h"
#include "crm/input.h"
#include "crm/number.h"

/* Input is read in blocks of this size (and the buffer holds at least one);
 * the first reads are smaller so that tiny inputs stay cheap to open. */
enum { READ_BLOCK = 1 << 20, FIRST_READ = 64 * 1024 };
/* Parallel parsing: the chunk size aimed at, and at most this many threads. */
enum { DEFAULT_CHUNK = 1 << 20, MAX_AUTO_THREADS = 8 };

/* A record kept during lookahead; offsets, because the storage moves. */
typedef struct {
    size_t nfields;
    size_t first_len;             /* its lengths: kept_lens[first_len ...] */
    size_t fields;                /* its fields: kept_bytes + fields */
    size_t raw, raw_len;          /* its raw bytes: kept_bytes + raw */
    uint64_t line, number;
    crm_csv_defect defect;
    size_t defect_field;
    crm_csv_quote_problem quote_problem;
    uint64_t quote_line;
    size_t quote_fields;
} kept_record;

struct crm_csv_reader {
    crm_input *in;
    crm_csv_tokenizer tk;         /* serial parsing; tk.buf holds the input read */
    int tk_ready;
    size_t read_size;             /* grows from FIRST_READ to READ_BLOCK */
    size_t max_record;
    int no_header;
    char delimiter;
    int threads;
    size_t chunk_bytes;

    crm_csv_record rec;
    uint64_t records;
    crm_status failed;            /* sticky: after an error, the same error again */
    crm_error failed_err;

    /* parallel parsing */
    int parallel_decided;
    crm_csv_chunks *chunks;
    const crm_csv_chunk *chunk;   /* records are handed out from here */
    size_t chunk_next;
    uint64_t chunk_line;          /* line number of the chunk's first byte */
    int resume_threads;           /* threads to resume with after a stop, or 0 */
    crm_status deferred;          /* a read error met while reading ahead */
    crm_error deferred_err;

    /* the header row, copied so that it outlives the records */
    int has_header;
    int named_header;             /* the header is opts->header_names, not a row of the input */
    crm_csv_record header;
    char *header_fields;
    char *header_raw;
    const char **header_ptrs;
    size_t *header_lens;

    /* lookahead: records kept while looking ahead, handed out again */
    int keeping;
    int replaying;
    kept_record *kept;
    size_t nkept, kept_cap, next_kept;
    char *kept_bytes;             /* fields (NUL-terminated) and raw bytes */
    size_t kept_len, kept_bytes_cap;
    size_t *kept_lens;            /* field lengths of every kept record */
    size_t nkept_lens, kept_lens_cap;
    const char **replay_ptrs;     /* fields of the record replayed */
    size_t replay_cap;

    char column_label[32];
};

/* ---- errors ---- */

static crm_status reader_fail(crm_csv_reader *r, crm_error *err, crm_status st)
{
    r->failed = st;
    if (err) {
        r->failed_err = *err;
    } else {
        r->failed_err.status = st;
        r->failed_err.message[0] = '\0';
    }
    return st;
}

static crm_status record_too_big(crm_csv_reader *r, crm_error *err)
{
    const size_t mib = 1024 * 1024;
    if (r->max_record % mib == 0)
        crm_error_set(err, CRM_ENOMEM,
                      "%s:%" PRIu64 ": record larger than the %zu MiB limit (see --max-field-size)",
                      crm_input_name(r->in), r->tk.rec_line, r->max_record / mib);
    else
        crm_error_set(err, CRM_ENOMEM,
                      "%s:%" PRIu64
                      ": record larger than the %zu byte limit (see --max-field-size)",
                      crm_input_name(r->in), r->tk.rec_line, r->max_record);
    return reader_fail(r, err, CRM_ENOMEM);
}

static crm_status out_of_memory(crm_csv_reader *r, crm_error *err)
{
    crm_error_set(err, CRM_ENOMEM, "%s:%" PRIu64 ": out of memory reading a record",
                  crm_input_name(r->in), r->tk.rec_line);
    return reader_fail(r, err, CRM_ENOMEM);
}

static crm_status tokenizer_error(crm_csv_reader *r, crm_tokenizer_result res, crm_error *err)
{
    if (res == CRM_TOKENIZER_TOO_BIG)
        return record_too_big(r, err);
    return out_of_memory(r, err);
}

/* ---- serial reading ---- */

/* Keeps the bytes still needed, moves them to the front and reads a block
 * after them.  Sets eof when the input has nothing more. */
static crm_status refill(crm_csv_reader *r, crm_error *err)
{
    crm_csv_tokenizer *tk = &r->tk;
    if (tk->in_record && tk->len - tk->rec_start > r->max_record)
        return record_too_big(r, err);
    if (r->deferred != CRM_OK) {
        if (err)
            *err = r->deferred_err;
        return reader_fail(r, err, r->deferred);
    }
    size_t keep = tk->in_record ? tk->rec_start : tk->pos;
    if (keep > 0) {
        memmove(tk->buf, tk->buf + keep, tk->len - keep);
        tk->len -= keep;
        tk->pos -= keep;
        tk->rec_start = tk->in_record ? tk->rec_start - keep : 0;
        if (tk->in_record && tk->pos > tk->rec_start)
            tk->rec_line_end -= keep;   /* set once its first line was fed */
    }
    tk->cr_known = 0;
    if (r->read_size < READ_BLOCK)
        r->read_size = r->read_size ? 2 * r->read_size : FIRST_READ;
    if (tk->cap - tk->len < r->read_size) {
        /* double, but not far past what the record limit allows */
        size_t want = tk->len + r->read_size;
        if (2 * tk->cap > want && 2 * tk->cap <= r->max_record + 2 * (size_t)READ_BLOCK)
            want = 2 * tk->cap;
        unsigned char *bigger = realloc(tk->buf, want);
        if (!bigger)
            return out_of_memory(r, err);
        tk->buf = bigger;
        tk->cap = want;
    }
    size_t got;
    crm_status st = crm_input_read(r->in, tk->buf + tk->len, tk->cap - tk->len, &got, err);
    if (st != CRM_OK)
        return reader_fail(r, err, st);
    if (got == 0)
        tk->eof = 1;
    tk->len += got;
    return CRM_OK;
}

/* Where a record without fields (a broken one) points. */
static const char *const no_fields[1] = {""};
static const size_t no_lengths[1] = {0};

/* Points r->rec at a tokenizer record whose fields are pointed already. */
static void set_record(crm_csv_reader *r, const crm_csv_tokenizer *tk,
                       const crm_tokenizer_record *t, const unsigned char *bytes, uint64_t line)
{
    crm_csv_record *rec = &r->rec;
    rec->nfields = t->nfields;
    rec->fields = t->nfields ? tk->fields + t->first_field : no_fields;
    rec->lengths = t->nfields ? tk->lengths + t->first_field : no_lengths;
    rec->line = line;
    rec->raw = (const char *)bytes + t->raw;
    rec->raw_len = t->raw_len;
    rec->defect = t->defect;
    rec->defect_field = t->defect_field;
    rec->quote_problem = t->quote_problem;
    rec->quote_line = t->quote_problem ? line + (t->quote_line - t->line) : 0;
    rec->quote_fields = t->quote_fields;
}

static int start_chunks(crm_csv_reader *r, int threads);
static crm_status read_parallel(crm_csv_reader *r, int *have, crm_error *err);

/* Reads the next record into r->rec; *have is 0 at the end of the input. */
static crm_status read_serial(crm_csv_reader *r, int *have, crm_error *err)
{
    crm_csv_tokenizer *tk = &r->tk;
    crm_csv_tokenizer_clear_fields(tk);
    for (;;) {
        crm_tokenizer_record t;
        int need_more;
        crm_tokenizer_result res = crm_csv_tokenizer_next(tk, &t, have, &need_more);
        if (res != CRM_TOKENIZER_OK)
            return tokenizer_error(r, res, err);
        if (*have) {
            set_record(r, tk, &t, tk->buf, t.line);
            return CRM_OK;
        }
        if (!need_more)
            return CRM_OK;
        crm_status st;
        if (r->resume_threads && !tk->in_record) {
            /* past the record the chunks stopped at: parse in parallel again */
            int threads = r->resume_threads;
            r->resume_threads = 0;
            if (start_chunks(r, threads))
                return read_parallel(r, have, err);
        }
        st = refill(r, err);
        if (st != CRM_OK)
            return st;
    }
}

/* ---- parallel reading ---- */

static int auto_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MAX_AUTO_THREADS ? MAX_AUTO_THREADS : (int)n;
}

/* Parallel parsing pays once there is more than a chunk to read. */
static void maybe_go_parallel(crm_csv_reader *r)
{
    r->parallel_decided = 1;
    crm_csv_tokenizer *tk = &r->tk;
    int threads = r->threads > 0 ? r->threads : auto_threads();
    if (threads < 2 || tk->in_record || (tk->eof && tk->len - tk->pos <= r->chunk_bytes))
        return;
    start_chunks(r, threads);
}

/* Hands the bytes read but not parsed, and the rest of the input, to the
 * chunks' threads.  0 when they cannot start: the serial reader goes on. */
static int start_chunks(crm_csv_reader *r, int threads)
{
    crm_csv_tokenizer *tk = &r->tk;
    crm_csv_chunks_config cfg = {r->delimiter, r->max_record, threads, r->chunk_bytes,
                                 r->tk.expected_fields, r->tk.libcsv_only};
    crm_error ignored;
    if (crm_csv_chunks_start(&r->chunks, r->in, &cfg, tk->buf + tk->pos, tk->len - tk->pos,
                             &ignored) != CRM_OK)
        return 0;
    r->chunk = NULL;
    r->chunk_line = tk->line;
    tk->pos = tk->len;
    return 1;
}

/* Hands the bytes not delivered yet, from `from` in the current chunk on, to
 * the serial tokenizer, whose line number is then `line`. */
static crm_status back_to_serial(crm_csv_reader *r, size_t from, uint64_t line, crm_error *err)
{
    crm_csv_leftover left;
    int threads = crm_csv_chunks_threads(r->chunks);
    crm_status st = crm_csv_chunks_finish(r->chunks, from, &left, err);
    crm_csv_chunks_free(r->chunks);
    r->chunks = NULL;
    r->chunk = NULL;
    if (st != CRM_OK)
        return reader_fail(r, err, st);
    crm_csv_tokenizer *tk = &r->tk;
    free(tk->buf);
    tk->buf = left.bytes;
    tk->cap = tk->len = left.len;
    tk->pos = 0;
    tk->eof = left.eof;
    tk->line = line;
    tk->cr_known = 0;
    r->deferred = left.read_status;
    r->deferred_err = left.read_err;
    /* a stop inside the input (not its end, not a read error) is a local
     * matter: once the serial reader is past these bytes, go parallel again */
    r->resume_threads = !left.eof && left.read_status == CRM_OK ? threads : 0;
    return CRM_OK;
}

static crm_status read_parallel(crm_csv_reader *r, int *have, crm_error *err)
{
    for (;;) {
        const crm_csv_chunk *c = r->chunk;
        crm_status st;
        if (c) {
            if (r->chunk_next < c->nrecords) {
                const crm_tokenizer_record *t = &c->records[r->chunk_next++];
                set_record(r, c->tk, t, c->bytes, r->chunk_line + t->line);
                *have = 1;
                return CRM_OK;
            }
            if (c->stopped) {
                st = back_to_serial(r, c->stop_at, r->chunk_line + c->stop_line, err);
                return st != CRM_OK ? st : read_serial(r, have, err);
            }
            r->chunk_line += c->lines;
        }
        st = crm_csv_chunks_next(r->chunks, &r->chunk, err);
        if (st != CRM_OK)
            return reader_fail(r, err, st);
        r->chunk_next = 0;
        if (!r->chunk) {
            st = back_to_serial(r, 0, r->chunk_line, err);
            return st != CRM_OK ? st : read_serial(r, have, err);
        }
    }
}

static crm_status read_record(crm_csv_reader *r, int *have, crm_error *err)
{
    *have = 0;
    if (!r->parallel_decided && (r->has_header || r->no_header))
        maybe_go_parallel(r);
    return r->chunks ? read_parallel(r, have, err) : read_serial(r, have, err);
}

/* Copies the header record so that it stays valid while records stream by. */
static crm_status keep_header(crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *h = &r->rec;
    size_t text = r->tk.text_len;
    r->header_fields = malloc(text ? text : 1);
    r->header_raw = malloc(h->raw_len ? h->raw_len : 1);
    r->header_ptrs = malloc((h->nfields ? h->nfields : 1) * sizeof *r->header_ptrs);
    r->header_lens = malloc((h->nfields ? h->nfields : 1) * sizeof *r->header_lens);
    if (!r->header_fields || !r->header_raw || !r->header_ptrs || !r->header_lens)
        return out_of_memory(r, err);
    memcpy(r->header_fields, r->tk.text, text);
    memcpy(r->header_raw, h->raw, h->raw_len);
    for (size_t i = 0; i < h->nfields; i++) {
        r->header_ptrs[i] = r->header_fields + (h->fields[i] - r->tk.text);
        r->header_lens[i] = h->lengths[i];
    }
    r->header = *h;
    r->header.fields = r->header_ptrs;
    r->header.lengths = r->header_lens;
    r->header.raw = r->header_raw;
    r->header.number = 0;
    r->has_header = 1;
    return CRM_OK;
}

/* Headerless input named by opts->header_names (pieces of a file cut by
 * Hadoop or Spark lose the header): the names become the header record, as
 * if they had been its first row, so that columns are found by name and
 * every record is checked against the header's width.  The raw header is
 * the names joined by the delimiter (crm-clean copies it to its rejects). */
static crm_status name_columns(crm_csv_reader *r, const char *names, crm_error *err)
{
    size_t len = strlen(names), n = 1;
    for (const char *p = names; *p; p++)
        n += *p == ',';
    r->header_fields = malloc(len + 1);
    r->header_raw = malloc(len + 1);
    r->header_ptrs = malloc(n * sizeof *r->header_ptrs);
    r->header_lens = malloc(n * sizeof *r->header_lens);
    if (!r->header_fields || !r->header_raw || !r->header_ptrs || !r->header_lens)
        return out_of_memory(r, err);
    memcpy(r->header_fields, names, len + 1);
    char *name = r->header_fields;
    for (size_t i = 0; i < n; i++) {
        char *comma = strchr(name, ',');
        size_t name_len = comma ? (size_t)(comma - name) : strlen(name);
        name[name_len] = '\0';
        r->header_ptrs[i] = name;
        r->header_lens[i] = name_len;
        memcpy(r->header_raw + (name - r->header_fields), name, name_len);
        if (comma)
            r->header_raw[comma - r->header_fields] = r->delimiter;
        name += name_len + 1;
    }
    r->header_raw[len] = '\n';
    memset(&r->header, 0, sizeof r->header);
    r->header.nfields = n;
    r->header.fields = r->header_ptrs;
    r->header.lengths = r->header_lens;
    r->header.raw = r->header_raw;
    r->header.raw_len = len + 1;
    r->has_header = 1;
    r->named_header = 1;
    r->tk.expected_fields = n;
    return CRM_OK;
}

/* With named columns, the first record says whether the names fit: a
 * wrong count of names would make every row the wrong width. */
static crm_status check_named_width(crm_csv_reader *r, crm_error *err)
{
    if (!r->named_header || r->records != 1 || r->rec.defect == CRM_CSV_RECORD_BAD_QUOTE ||
        r->rec.nfields == r->header.nfields)
        return CRM_OK;
    crm_error_set(err, CRM_EUSAGE,
                  "%s:%" PRIu64 ": --header-names gives %zu names, but the first record has %zu fields",
                  crm_input_name(r->in), r->rec.line, r->header.nfields, r->rec.nfields);
    return reader_fail(r, err, CRM_EUSAGE);
}

void crm_csv_options_init(crm_csv_options *opts)
{
    opts->delimiter = ',';
    opts->encoding = NULL;
    opts->max_record_bytes = 0;
    opts->no_header = 0;
    opts->header_names = NULL;
    opts->threads = 0;
    opts->chunk_bytes = 0;
    opts->libcsv_only = 0;
}

static crm_status reader_start(crm_csv_reader **out, crm_input *in, const crm_csv_options *opts,
                               crm_error *err)
{
    crm_csv_options defaults;
    if (!opts) {
        crm_csv_options_init(&defaults);
        opts = &defaults;
    }
    crm_csv_reader *r = calloc(1, sizeof *r);
    if (!r) {
        crm_input_close(in);
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(in));
    }
    r->in = in;
    r->delimiter = opts->delimiter ? opts->delimiter : ',';
    r->max_record = opts->max_record_bytes ? opts->max_record_bytes : CRM_CSV_DEFAULT_MAX_RECORD;
    r->no_header = opts->no_header;
    r->threads = opts->threads;
    r->chunk_bytes = opts->chunk_bytes ? opts->chunk_bytes : DEFAULT_CHUNK;
    crm_status st = CRM_OK;
    if (r->delimiter == '"' || r->delimiter == '\n' || r->delimiter == '\r')
        st = crm_error_set(err, CRM_EUSAGE, "the delimiter cannot be a quote or a line break");
    else if (!crm_csv_tokenizer_init(&r->tk, r->delimiter, r->max_record))
        st = crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(in));
    else
        r->tk_ready = 1;
    r->tk.libcsv_only = opts->libcsv_only;
    /* a byte order mark is only one at the very start */
    while (st == CRM_OK && r->tk.len < 3 && !r->tk.eof)
        st = refill(r, err);
    if (st == CRM_OK && r->tk.len >= 3 && memcmp(r->tk.buf, "\xef\xbb\xbf", 3) == 0)
        r->tk.pos = 3;
    if (st == CRM_OK && !r->no_header) {
        int have;
        st = read_serial(r, &have, err);
        if (st == CRM_OK && !have)
            st = crm_error_set(err, CRM_EDATA, "%s: empty file: no header row",
                               crm_input_name(in));
        if (st == CRM_OK && r->rec.defect == CRM_CSV_RECORD_BAD_QUOTE) {
            char what[200];
            crm_csv_describe_bad_quote(&r->rec, 0, what, sizeof what);
            st = crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": the header row: %s",
                               crm_input_name(in), r->rec.line, what);
        }
        if (st == CRM_OK)
            st = keep_header(r, err);
        /* a quoted line break must leave a record as wide as the header */
        if (st == CRM_OK)
            r->tk.expected_fields = r->header.nfields;
    } else if (st == CRM_OK && opts->header_names) {
        st = name_columns(r, opts->header_names, err);
    }
    if (st != CRM_OK) {
        crm_csv_close(r);
        return st;
    }
    *out = r;
    return CRM_OK;
}

crm_status crm_csv_open(crm_csv_reader **out, const char *path, const crm_csv_options *opts,
                        crm_error *err)
{
    *out = NULL;
    crm_input *in;
    crm_status st = crm_input_open(&in, path, opts ? opts->encoding : NULL, err);
    if (st != CRM_OK)
        return st;
    return reader_start(out, in, opts, err);
}

crm_status crm_csv_open_fd(crm_csv_reader **out, int fd, const char *display_name, const crm_csv_options *opts,
                           crm_error *err)
{
    *out = NULL;
    crm_input *in;
    crm_status st = crm_input_open_fd(&in, fd, display_name, opts ? opts->encoding : NULL, err);
    if (st != CRM_OK)
        return st;
    return reader_start(out, in, opts, err);
}

crm_status crm_csv_open_memory(crm_csv_reader **out, const void *data, size_t len,
                               const char *display_name, const crm_csv_options *opts,
                               crm_error *err)
{
    *out = NULL;
    crm_input *in;
    crm_status st = crm_input_open_memory(&in, data, len, display_name,
                                          opts ? opts->encoding : NULL, err);
    if (st != CRM_OK)
        return st;
    return reader_start(out, in, opts, err);
}

/* ---- lookahead ---- */

static void drop_kept(crm_csv_reader *r)
{
    free(r->kept);
    free(r->kept_bytes);
    free(r->kept_lens);
    free(r->replay_ptrs);
    r->replay_ptrs = NULL;
    r->replay_cap = 0;
    r->kept = NULL;
    r->kept_bytes = NULL;
    r->kept_lens = NULL;
    r->nkept = r->kept_cap = r->next_kept = 0;
    r->kept_len = r->kept_bytes_cap = 0;
    r->nkept_lens = r->kept_lens_cap = 0;
    r->replaying = 0;
}

/* Copies a record: its fields (NUL-terminated, one after the other, as the
 * tokenizer lays them out) and its raw bytes. */
static int keep_record(crm_csv_reader *r, const crm_csv_record *rec)
{
    size_t n = rec->nfields;
    size_t text = n ? (size_t)(rec->fields[n - 1] + rec->lengths[n - 1] + 1 - rec->fields[0]) : 0;
    size_t bytes = r->kept_len + text + rec->raw_len;
    if (!crm_array_reserve(&r->kept, &r->kept_cap, r->nkept + 1, sizeof *r->kept) ||
        !crm_array_reserve(&r->kept_bytes, &r->kept_bytes_cap, bytes, 1) ||
        !crm_array_reserve(&r->kept_lens, &r->kept_lens_cap, r->nkept_lens + n,
              sizeof *r->kept_lens))
        return 0;
    kept_record *k = &r->kept[r->nkept++];
    k->nfields = n;
    k->first_len = r->nkept_lens;
    k->fields = r->kept_len;
    k->raw = r->kept_len + text;
    k->raw_len = rec->raw_len;
    k->line = rec->line;
    k->number = rec->number;
    k->defect = rec->defect;
    k->defect_field = rec->defect_field;
    k->quote_problem = rec->quote_problem;
    k->quote_line = rec->quote_line;
    k->quote_fields = rec->quote_fields;
    if (text > 0)
        memcpy(r->kept_bytes + k->fields, rec->fields[0], text);
    if (rec->raw_len > 0)
        memcpy(r->kept_bytes + k->raw, rec->raw, rec->raw_len);
    r->kept_len = bytes;
    if (n > 0)
        memcpy(r->kept_lens + k->first_len, rec->lengths, n * sizeof *r->kept_lens);
    r->nkept_lens += n;
    return 1;
}

/* Points r->rec at a kept record (its fields are NUL-terminated, one after
 * the other, as on_field laid them out). */
static int replay_record(crm_csv_reader *r, const kept_record *k)
{
    if (!crm_array_reserve(&r->replay_ptrs, &r->replay_cap, k->nfields ? k->nfields : 1,
                           sizeof *r->replay_ptrs))
        return 0;
    const size_t *lens = r->kept_lens + k->first_len;
    const char *p = r->kept_bytes + k->fields;
    for (size_t i = 0; i < k->nfields; i++) {
        r->replay_ptrs[i] = p;
        p += lens[i] + 1;
    }
    crm_csv_record *rec = &r->rec;
    rec->nfields = k->nfields;
    rec->fields = r->replay_ptrs;
    rec->lengths = lens;
    rec->line = k->line;
    rec->number = k->number;
    rec->raw = r->kept_bytes + k->raw;
    rec->raw_len = k->raw_len;
    rec->defect = k->defect;
    rec->defect_field = k->defect_field;
    rec->quote_problem = k->quote_problem;
    rec->quote_line = k->quote_line;
    rec->quote_fields = k->quote_fields;
    return 1;
}

crm_status crm_csv_next(crm_csv_reader *r, const crm_csv_record **rec, crm_error *err)
{
    *rec = NULL;
    if (r->failed != CRM_OK) {
        if (err)
            *err = r->failed_err;
        return r->failed;
    }
    if (r->replaying) {
        if (r->next_kept < r->nkept) {
            if (!replay_record(r, &r->kept[r->next_kept++]))
                return out_of_memory(r, err);
            *rec = &r->rec;
            return CRM_OK;
        }
        /* the last kept record was valid until this call: now let go */
        drop_kept(r);
    }
    int have;
    crm_status st = read_record(r, &have, err);
    if (st != CRM_OK || !have)
        return st;
    r->rec.number = ++r->records;
    if ((st = check_named_width(r, err)) != CRM_OK)
        return st;
    if (r->keeping && !keep_record(r, &r->rec))
        return out_of_memory(r, err);
    *rec = &r->rec;
    return CRM_OK;
}

int crm_csv_peek_raw(const crm_csv_reader *r, size_t ahead, const char **raw, size_t *len)
{
    const crm_csv_chunk *c = r->chunks ? r->chunk : NULL;
    if (!c || r->keeping || r->replaying || ahead == 0 || r->chunk_next - 1 + ahead >= c->nrecords)
        return 0;
    const crm_tokenizer_record *t = &c->records[r->chunk_next - 1 + ahead];
    *raw = (const char *)c->bytes + t->raw;
    *len = t->raw_len;
    return 1;
}

crm_status crm_csv_start_lookahead(crm_csv_reader *r, crm_error *err)
{
    if (r->keeping || r->replaying)
        return crm_error_set(err, CRM_EUSAGE, "%s: a lookahead is already in progress",
                             crm_input_name(r->in));
    r->keeping = 1;
    return CRM_OK;
}

crm_status crm_csv_replay(crm_csv_reader *r, crm_error *err)
{
    if (!r->keeping)
        return crm_error_set(err, CRM_EUSAGE, "%s: replay without a lookahead",
                             crm_input_name(r->in));
    r->keeping = 0;
    r->replaying = 1;
    r->next_kept = 0;
    return CRM_OK;
}

const crm_csv_record *crm_csv_header(const crm_csv_reader *r)
{
    return r->has_header ? &r->header : NULL;
}

/* ---- columns ---- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_blank((*s)[*n - 1]))
        (*n)--;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Same text ignoring ASCII case and white space around it. */
static int loosely_equal(const char *a, size_t an, const char *b, size_t bn)
{
    trim(&a, &an);
    trim(&b, &bn);
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return 0;
    return 1;
}

typedef struct {
    long index;        /* 0-based result, -1 when none */
    size_t count;      /* matches of the pass that decided */
    size_t which[3];   /* first matching columns (0-based) */
    int by_number;
    int out_of_range;
    int needs_header;
} column_match;

static void match_names(const crm_csv_record *h, const char *spec, int loose, column_match *m)
{
    size_t sn = strlen(spec);
    m->count = 0;
    for (size_t i = 0; i < h->nfields; i++) {
        int same = loose ? loosely_equal(h->fields[i], h->lengths[i], spec, sn)
                         : h->lengths[i] == sn && memcmp(h->fields[i], spec, sn) == 0;
        if (same) {
            if (m->count < 3)
                m->which[m->count] = i;
            m->count++;
        }
    }
}

static void resolve_column(const crm_csv_reader *r, const char *spec, column_match *m)
{
    memset(m, 0, sizeof *m);
    m->index = -1;
    size_t digits = strspn(spec, "0123456789");
    if (digits > 0 && spec[digits] == '\0') {
        m->by_number = 1;
        size_t v = 0;
        for (size_t i = 0; i < digits; i++) {
            if (v > (SIZE_MAX - 9) / 10) {
                v = SIZE_MAX;   /* too large for any header: out of range */
                break;
            }
            v = v * 10 + (size_t)(spec[i] - '0');
        }
        size_t ncols = r->has_header ? r->header.nfields : SIZE_MAX;
        if (v < 1 || v > ncols || v - 1 > (size_t)LONG_MAX)
            m->out_of_range = 1;
        else
            m->index = (long)(v - 1);
        return;
    }
    if (!r->has_header) {
        m->needs_header = 1;
        return;
    }
    match_names(&r->header, spec, 0, m);
    if (m->count == 0)
        match_names(&r->header, spec, 1, m);
    if (m->count == 1)
        m->index = (long)m->which[0];
}

/* "a, b, c" for messages, cut with "..." when long. */
static void list_columns(const crm_csv_record *h, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < h->nfields; i++) {
        char name[128];
        crm_error_quote(name, sizeof name, h->fields[i], h->lengths[i]);
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name);
        if (n < 0 || (size_t)n + 5 >= size - used) {
            snprintf(buf + used, size - used, "%s...", i ? ", " : "");
            return;
        }
        used += (size_t)n;
    }
}

long crm_csv_column(const crm_csv_reader *r, const char *spec, crm_error *err)
{
    column_match m;
    resolve_column(r, spec, &m);
    if (m.index >= 0)
        return m.index;
    const char *name = crm_input_name(r->in);
    char shown[128];
    crm_error_quote(shown, sizeof shown, spec, strlen(spec));
    if (m.out_of_range) {
        crm_error_set(err, CRM_EDATA, "%s: no column %s: the header has %zu columns", name,
                      shown, r->header.nfields);
    } else if (m.needs_header) {
        crm_error_set(err, CRM_EUSAGE,
                      "%s: column '%s': the input has no header row, so columns are numbers "
                      "(1, 2, ...)",
                      name, shown);
    } else if (m.count == 2) {
        crm_error_set(err, CRM_EDATA,
                      "%s: column '%s' appears twice in the header (columns %zu and %zu)", name,
                      shown, m.which[0] + 1, m.which[1] + 1);
    } else if (m.count > 2) {
        crm_error_set(err, CRM_EDATA,
                      "%s: column '%s' appears %zu times in the header (columns %zu, %zu, %zu%s)",
                      name, shown, m.count, m.which[0] + 1, m.which[1] + 1, m.which[2] + 1,
                      m.count > 3 ? ", ..." : "");
    } else {
        char list[600];
        list_columns(&r->header, list, sizeof list);
        crm_error_set(err, CRM_EDATA, "%s: no column '%s' (columns: %s)%s", name, shown, list,
                      crm_csv_header_hint(r));
    }
    return -1;
}

const char *crm_csv_header_hint(const crm_csv_reader *r)
{
    const crm_csv_record *h = r->has_header ? &r->header : NULL;
    if (h && h->defect == CRM_CSV_RECORD_NUL_BYTE)
        return "; the header has NUL bytes: UTF-16 without a byte order mark? "
               "name it with --encoding utf-16le (or utf-16be)";
    if (h && h->nfields == 1 && r->delimiter != '\t' && memchr(h->fields[0], '\t', h->lengths[0]))
        return "; the header is one column with tabs in it: tab-delimited input needs -t";
    return "";
}

long crm_csv_find_column(const crm_csv_reader *r, const char *name)
{
    column_match m;
    resolve_column(r, name, &m);
    return m.index;
}

crm_status crm_csv_optional_column(const crm_csv_reader *r, const char *name, long *index,
                                   crm_error *err)
{
    column_match m;
    resolve_column(r, name, &m);
    *index = m.index;
    if (m.count < 2)
        return CRM_OK;
    *index = -1;
    crm_csv_column(r, name, err);   /* the one message for a repeated name */
    return CRM_EDATA;
}

const char *crm_csv_column_name(const crm_csv_reader *r, size_t column)
{
    crm_csv_reader *w = (crm_csv_reader *)r;   /* the label buffer is scratch space */
    if (r->has_header && column < r->header.nfields)
        return r->header.fields[column];
    snprintf(w->column_label, sizeof w->column_label, "#%zu", column + 1);
    return w->column_label;
}

void crm_csv_describe_bad_quote(const crm_csv_record *rec, size_t expected_fields, char *buf,
                                size_t size)
{
    /* a record goes on past its first line only when a quote is open at
     * its end, so that is what the message can say for sure */
    const char *what = rec->quote_problem == CRM_CSV_QUOTE_IN_FIELD
                           ? "a quote inside an unquoted field"
                           : "text after the closing quote of a field";
    switch (rec->quote_problem) {
    case CRM_CSV_QUOTE_IN_FIELD:
    case CRM_CSV_QUOTE_TEXT_AFTER:
        if (rec->quote_line == rec->line)
            snprintf(buf, size, "bad quoting: %s", what);
        else
            snprintf(buf, size,
                     "bad quoting: a quote open at the end of this line carries the record on to "
                     "line %" PRIu64 ", which has %s",
                     rec->quote_line, what);
        break;
    case CRM_CSV_QUOTE_NEVER_CLOSED:
        snprintf(buf, size,
                 "bad quoting: a quoted field is still open at the end of the input (line %" PRIu64
                 ")",
                 rec->quote_line);
        break;
    case CRM_CSV_QUOTE_TOO_LONG:
        snprintf(buf, size,
                 "bad quoting: a quote open at the end of this line carries the record on to "
                 "line %" PRIu64 " and past the record size limit (see --max-field-size)",
                 rec->quote_line);
        break;
    case CRM_CSV_QUOTE_FIELD_COUNT:
        snprintf(buf, size,
                 "bad quoting: a quote open at the end of this line carries the record on to "
                 "line %" PRIu64 ", where it ends with %zu fields, expected %zu",
                 rec->quote_line, rec->quote_fields, expected_fields);
        break;
    default:
        snprintf(buf, size, "bad quoting");
        break;
    }
}

crm_status crm_csv_check_width(const crm_csv_reader *r, const crm_csv_record *rec, size_t expected,
                               crm_error *err)
{
    if (rec->nfields == expected)
        return CRM_OK;
    return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": expected %zu fields, found %zu",
                         crm_input_name(r->in), rec->line, expected, rec->nfields);
}

crm_status crm_csv_check_record(const crm_csv_reader *r, const crm_csv_record *rec, size_t need, size_t width,
                                crm_error *err)
{
    if (rec->defect != CRM_CSV_RECORD_OK)
        return crm_csv_defect_error(r, rec, err);
    if (width && crm_csv_check_width(r, rec, width, err) != CRM_OK)
        return err->status;
    if (rec->nfields < need)
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": expected at least %zu fields, found %zu",
                             crm_input_name(r->in), rec->line, need, rec->nfields);
    return CRM_OK;
}

crm_status crm_csv_defect_error(const crm_csv_reader *r, const crm_csv_record *rec, crm_error *err)
{
    if (rec->defect == CRM_CSV_RECORD_OK)
        return CRM_OK;
    const char *label = crm_csv_column_name(r, rec->defect_field);
    char column[128];
    crm_error_quote(column, sizeof column, label, strlen(label));
    const char *name = crm_input_name(r->in);
    if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE) {
        char what[200];
        crm_csv_describe_bad_quote(rec, r->has_header ? r->header.nfields : 0, what, sizeof what);
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": column '%s': %s", name, rec->line,
                             column, what);
    }
    if (rec->defect == CRM_CSV_RECORD_NUL_BYTE)
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": column '%s': NUL byte in the value",
                             name, rec->line, column);
    char value[200];
    crm_error_quote(value, sizeof value, rec->fields[rec->defect_field],
                    rec->lengths[rec->defect_field]);
    return crm_error_set(err, CRM_EDATA,
                         "%s:%" PRIu64 ": column '%s': invalid UTF-8 in the value '%s'", name,
                         rec->line, column, value);
}

const char *crm_csv_input_name(const crm_csv_reader *r)
{
    return crm_input_name(r->in);
}

uint64_t crm_csv_raw_bytes(const crm_csv_reader *r)
{
    /* while the chunks run, only their producer may touch the input */
    return r->chunks ? crm_csv_chunks_raw_bytes(r->chunks) : crm_input_raw_bytes(r->in);
}

int crm_csv_is_gzip(const crm_csv_reader *r)
{
    return crm_input_is_gzip(r->in);
}

void crm_csv_close(crm_csv_reader *r)
{
    if (!r)
        return;
    crm_csv_chunks_free(r->chunks);
    crm_csv_tokenizer_free(&r->tk);
    crm_input_close(r->in);
    free(r->tk.buf);
    free(r->header_fields);
    free(r->header_raw);
    free(r->header_ptrs);
    free(r->header_lens);
    drop_kept(r);
    free(r);
}

/* ---- writer ---- */

struct crm_csv_writer {
    crm_output *out;
    char delimiter;
    size_t row_fields;
    int last_empty;
    int escape_formulas;          /* see crm_csv_writer_escape_formulas */
    int skip_header;              /* see crm_csv_writer_skip_header: the next row ended is dropped */
    int full_precision;           /* see crm_csv_writer_full_precision */
    unsigned char special[256];   /* bytes that force quoting */
    char *row;                    /* the row being written, handed on whole at its end */
    size_t row_len, row_cap;
};

crm_csv_writer *crm_csv_writer_new(crm_output *out, char delimiter)
{
    if (!out)
        return NULL;
    crm_csv_writer *w = calloc(1, sizeof *w);
    if (!w) {
        crm_output_abort(out);
        return NULL;
    }
    w->out = out;
    w->delimiter = delimiter ? delimiter : ',';
    w->special[(unsigned char)w->delimiter] = 1;
    w->special['"'] = 1;
    w->special['\r'] = 1;
    w->special['\n'] = 1;
    return w;
}

crm_status crm_csv_writer_open(crm_csv_writer **w, const char *path, int gzip, char delimiter,
                               crm_error *err)
{
    *w = NULL;
    crm_output *out;
    crm_status st = crm_output_open(&out, path, gzip, err);
    if (st != CRM_OK)
        return st;
    *w = crm_csv_writer_new(out, delimiter);
    if (!*w)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

/* 1 when one of the eight bytes of v equals the byte repeated in `pattern`
 * (a zero byte of v ^ pattern borrows and leaves its high bit set). */
static int has_byte(uint64_t v, uint64_t pattern)
{
    uint64_t x = v ^ pattern;
    return ((x - 0x0101010101010101u) & ~x & 0x8080808080808080u) != 0;
}

/* 1 when s[0..len) holds no byte that forces quoting; eight bytes at a time,
 * since most fields need no quotes and this runs for every field written. */
static int needs_no_quotes(const crm_csv_writer *w, const char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t delim = ones * (unsigned char)w->delimiter, quote = ones * '"';
    const uint64_t cr = ones * '\r', lf = ones * '\n';
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (has_byte(v, delim) || has_byte(v, quote) || has_byte(v, cr) || has_byte(v, lf))
            return 0;
    }
    for (; i < len; i++)
        if (w->special[(unsigned char)s[i]])
            return 0;
    return 1;
}

void crm_csv_writer_escape_formulas(crm_csv_writer *w, int on)
{
    w->escape_formulas = on != 0;
}

void crm_csv_writer_full_precision(crm_csv_writer *w, int on)
{
    w->full_precision = on != 0;
}

void crm_csv_writer_skip_header(crm_csv_writer *w, int on)
{
    w->skip_header = on != 0;
}

static int is_digit_byte(char c)
{
    return c >= '0' && c <= '9';
}

/* A sign, digits with at most one decimal point, an optional exponent:
 * "-5.00", "+3", "-1e-3".  A spreadsheet reads such text as the number it
 * is, so it stays as it is; anything more ("-2+5", "-$5", "+A1") is text. */
static int is_plain_number(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < len && is_digit_byte(s[i]); i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && is_digit_byte(s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t exponent = 0;
        if (++i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < len && is_digit_byte(s[i]); i++)
            exponent++;
        if (exponent == 0)
            return 0;
    }
    return i == len;
}

/* OWASP's CSV-injection list: text starting with one of these may be run
 * as a formula by a spreadsheet. */
static int needs_formula_escape(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    switch (s[0]) {
    case '=': case '@': case '\t': case '\r':
        return 1;
    case '+': case '-':
        return !is_plain_number(s, len);
    default:
        return 0;
    }
}

/* Fields are assembled in the row buffer, so that a row costs one write to
 * the output however many fields it has.  `text` is 0 for the numbers this
 * writer formats itself, which never need the formula escape. */
static crm_status append_field(crm_csv_writer *w, const char *s, size_t len, int text)
{
    if (len == (size_t)-1)
        len = strlen(s);
    size_t escape = text && w->escape_formulas && needs_formula_escape(s, len);
    if (w->row_len + escape + len + 1 > w->row_cap &&
        !crm_array_reserve(&w->row, &w->row_cap, w->row_len + escape + len + 1, 1))
        return CRM_ENOMEM;
    if (w->row_fields++ > 0)
        w->row[w->row_len++] = w->delimiter;
    w->last_empty = len == 0;
    if (needs_no_quotes(w, s, len)) {
        if (escape)
            w->row[w->row_len++] = '\'';
        memcpy(w->row + w->row_len, s, len);
        w->row_len += len;
        return CRM_OK;
    }
    size_t need = csv_write2(NULL, 0, s, len, '"');
    if (!crm_array_reserve(&w->row, &w->row_cap, w->row_len + escape + need, 1))
        return CRM_ENOMEM;
    size_t wrote = csv_write2(w->row + w->row_len + escape, need, s, len, '"');
    if (escape) {
        /* the quote goes inside the opening '"' that csv_write2 wrote */
        w->row[w->row_len] = '"';
        w->row[w->row_len + 1] = '\'';
    }
    w->row_len += escape + wrote;
    return CRM_OK;
}

crm_status crm_csv_write_field(crm_csv_writer *w, const char *s, size_t len)
{
    return append_field(w, s, len, 1);
}

crm_status crm_csv_write_int(crm_csv_writer *w, int64_t v)
{
    /* digits from the end; the magnitude as unsigned so INT64_MIN works */
    char text[24];
    size_t at = sizeof text;
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        text[--at] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0)
        text[--at] = '-';
    return append_field(w, text + at, sizeof text - at, 0);
}

/* Numbers go through number.c so that every module prints a value alike. */
crm_status crm_csv_write_double(crm_csv_writer *w, double v)
{
    char text[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format(v, text);
    return append_field(w, text, n, 0);
}

crm_status crm_csv_write_fixed(crm_csv_writer *w, double v, int decimals)
{
    char text[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format_fixed(v, decimals, text);
    return append_field(w, text, n, 0);
}

crm_status crm_csv_write_readable(crm_csv_writer *w, double v)
{
    if (w->full_precision)
        return crm_csv_write_double(w, v);
    char text[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format_significant(v, CRM_CSV_READABLE_DIGITS, text);
    return append_field(w, text, n, 0);
}

/* Hands the row assembled so far to the output. */
static crm_status flush_row(crm_csv_writer *w)
{
    crm_status st = w->row_len ? crm_output_write(w->out, w->row, w->row_len) : CRM_OK;
    w->row_len = 0;
    return st;
}

crm_status crm_csv_end_row(crm_csv_writer *w)
{
    /* a row of one empty field would be a blank line, which readers skip */
    const char *end = w->row_fields == 1 && w->last_empty ? "\"\"\n" : "\n";
    size_t n = strlen(end);
    w->row_fields = 0;
    w->last_empty = 0;
    if (w->skip_header) {
        w->skip_header = 0;
        w->row_len = 0;
        return CRM_OK;
    }
    if (!crm_array_reserve(&w->row, &w->row_cap, w->row_len + n, 1))
        return CRM_ENOMEM;
    memcpy(w->row + w->row_len, end, n);
    w->row_len += n;
    return flush_row(w);
}

crm_status crm_csv_write_row(crm_csv_writer *w, const char *const *fields, const size_t *lens,
                             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crm_status st = crm_csv_write_field(w, fields[i], lens ? lens[i] : (size_t)-1);
        if (st != CRM_OK)
            return st;
    }
    return crm_csv_end_row(w);
}

crm_status crm_csv_write_raw(crm_csv_writer *w, const void *data, size_t len)
{
    crm_status st = flush_row(w);
    return st != CRM_OK ? st : crm_output_write(w->out, data, len);
}

crm_status crm_csv_end_row_raw(crm_csv_writer *w, const char *raw, size_t len)
{
    crm_status st = CRM_OK;
    if (w->skip_header) {
        w->skip_header = 0;
        w->row_fields = 0;
        w->last_empty = 0;
        w->row_len = 0;
        return CRM_OK;
    }
    if (w->row_fields > 0)
        st = crm_csv_write_raw(w, &w->delimiter, 1);
    w->row_fields = 0;
    w->last_empty = 0;
    if (st == CRM_OK)
        st = crm_output_write(w->out, raw, len);
    if (st == CRM_OK && (len == 0 || raw[len - 1] != '\n'))
        st = crm_output_write(w->out, "\n", 1);
    return st;
}

crm_status crm_csv_writer_close(crm_csv_writer *w, crm_error *err)
{
    /* an unfinished row still goes out; a failed write is sticky in the
     * output, and the commit reports it */
    (void)flush_row(w);
    crm_status st = crm_output_commit(w->out, err);
    free(w->row);
    free(w);
    return st;
}

crm_status crm_csv_writers_finish(crm_csv_writer **w, size_t n, crm_status st, crm_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!w[i])
            continue;
        if (st == CRM_OK)
            st = crm_csv_writer_close(w[i], err);
        else
            crm_csv_writer_abort(w[i]);
        w[i] = NULL;
    }
    return st;
}

crm_output *crm_csv_writer_output(const crm_csv_writer *w)
{
    return w->out;
}

void crm_csv_writer_abort(crm_csv_writer *w)
{
    if (!w)
        return;
    crm_output_abort(w->out);
    free(w->row);
    free(w);
}
