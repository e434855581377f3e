/* CSV reading and writing on libcsv.
 *
 * Reader: libcsv is the only tokenizer.  The reader feeds it the input one
 * line at a time (up to and including each '\n', found with memchr, or a
 * lone '\r', where libcsv ends a row too) and checks after each csv_parse
 * call whether the row callback fired.  Blank lines between records are
 * skipped and counted here, exactly as libcsv would skip them.  A record
 * therefore always ends at the end of a piece we fed, so its raw bytes are
 * the span from its first byte to there, line ending included, and its line
 * number is counted from the '\n' bytes we fed.  A record that runs over
 * several lines (a quoted line break) just keeps accumulating.  The input
 * buffer keeps the current record's bytes when a block boundary cuts it.
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

#include "crm/array.h"
#include "crm/input.h"
#include "crm/number.h"

/* Input is read in blocks of this size (and the buffer holds at least one);
 * the first reads are smaller so that tiny inputs stay cheap to open. */
enum { READ_BLOCK = 1 << 20, FIRST_READ = 64 * 1024 };
/* Bookkeeping per field: its pointer and its length. */
enum { FIELD_OVERHEAD = sizeof(const char *) + sizeof(size_t) };

/* A record kept during lookahead; offsets, because the storage moves. */
typedef struct {
    size_t nfields;
    size_t first_len;             /* its lengths: kept_lens[first_len ...] */
    size_t fields;                /* its fields: kept_bytes + fields */
    size_t raw, raw_len;          /* its raw bytes: kept_bytes + raw */
    uint64_t line, number;
    crm_csv_defect defect;
    size_t defect_field;
} kept_record;

struct crm_csv_reader {
    crm_input *in;
    struct csv_parser parser;
    int parser_ready;
    size_t entry_block;           /* libcsv's growth step, kept at its buffer size */
    size_t max_record;
    int no_header;
    char delimiter;

    /* input bytes: buf[rec_start or pos .. len) are still needed */
    unsigned char *buf;
    size_t cap, len, pos;
    size_t read_size;             /* grows from FIRST_READ to READ_BLOCK */
    int eof;
    uint64_t line;                /* line number of buf[pos] */
    int cr_known;                 /* cr_at is valid for the current buffer */
    size_t cr_at;                 /* index of the next '\r' at or after pos, or SIZE_MAX */

    /* the record being assembled */
    int in_record;
    size_t rec_start;
    uint64_t rec_line;
    int row_done;
    int too_big;
    int no_memory;
    char *fbuf;                   /* every field, each followed by a NUL */
    size_t flen, fcap;
    size_t *flens;                /* field offsets while building, lengths after */
    const char **fptrs;
    size_t nfields, fslots;

    crm_csv_record rec;
    uint64_t records;
    crm_status failed;            /* sticky: after an error, the same error again */
    crm_error failed_err;

    /* the header row, copied so that it outlives the records */
    int has_header;
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

    char column_label[32];
};

/* ---- libcsv callbacks ---- */


/* Makes room for n fields in both per-field arrays (one capacity for both). */
static int reserve_fields(crm_csv_reader *r, size_t n)
{
    size_t lens_cap = r->fslots;
    return crm_array_reserve(&r->flens, &lens_cap, n, sizeof *r->flens) &&
           crm_array_reserve(&r->fptrs, &r->fslots, n, sizeof *r->fptrs);
}

/* Slow path of on_field: grows the field storage, refusing to go past the
 * limit.  The fields of one record may take twice the record limit: short
 * fields cost more in bookkeeping than in bytes. */
static int make_room(crm_csv_reader *r, size_t bytes)
{
    size_t fields = r->nfields + 1;
    if (bytes + fields * FIELD_OVERHEAD > 2 * r->max_record) {
        r->too_big = 1;
        return 0;
    }
    if (!crm_array_reserve(&r->fbuf, &r->fcap, bytes, 1) || !reserve_fields(r, fields)) {
        r->no_memory = 1;
        return 0;
    }
    return 1;
}

static void on_field(void *s, size_t len, void *data)
{
    crm_csv_reader *r = data;
    size_t bytes = r->flen + len + 1;
    if ((bytes > r->fcap || r->nfields == r->fslots) && !make_room(r, bytes))
        return;
    if (len > 0)
        memcpy(r->fbuf + r->flen, s, len);
    r->fbuf[r->flen + len] = '\0';
    r->flens[r->nfields++] = r->flen;
    r->flen = bytes;
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    ((crm_csv_reader *)data)->row_done = 1;
}

/* Nothing is white space: fields come back exactly as written. */
static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

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
                      crm_input_name(r->in), r->rec_line, r->max_record / mib);
    else
        crm_error_set(err, CRM_ENOMEM,
                      "%s:%" PRIu64
                      ": record larger than the %zu byte limit (see --max-field-size)",
                      crm_input_name(r->in), r->rec_line, r->max_record);
    return reader_fail(r, err, CRM_ENOMEM);
}

static crm_status out_of_memory(crm_csv_reader *r, crm_error *err)
{
    crm_error_set(err, CRM_ENOMEM, "%s:%" PRIu64 ": out of memory reading a record",
                  crm_input_name(r->in), r->rec_line);
    return reader_fail(r, err, CRM_ENOMEM);
}

/* ---- reading ---- */

/* Keeps the bytes still needed, moves them to the front and reads a block
 * after them.  Sets eof when the input has nothing more. */
static crm_status refill(crm_csv_reader *r, crm_error *err)
{
    if (r->in_record && r->len - r->rec_start > r->max_record)
        return record_too_big(r, err);
    size_t keep = r->in_record ? r->rec_start : r->pos;
    if (keep > 0) {
        memmove(r->buf, r->buf + keep, r->len - keep);
        r->len -= keep;
        r->pos -= keep;
        r->rec_start = r->in_record ? r->rec_start - keep : 0;
    }
    r->cr_known = 0;
    if (r->read_size < READ_BLOCK)
        r->read_size = r->read_size ? 2 * r->read_size : FIRST_READ;
    if (r->cap - r->len < r->read_size) {
        /* double, but not far past what the record limit allows */
        size_t want = r->len + r->read_size;
        if (2 * r->cap > want && 2 * r->cap <= r->max_record + 2 * (size_t)READ_BLOCK)
            want = 2 * r->cap;
        unsigned char *bigger = realloc(r->buf, want);
        if (!bigger)
            return out_of_memory(r, err);
        r->buf = bigger;
        r->cap = want;
    }
    size_t got;
    crm_status st = crm_input_read(r->in, r->buf + r->len, r->cap - r->len, &got, err);
    if (st != CRM_OK)
        return reader_fail(r, err, st);
    if (got == 0)
        r->eof = 1;
    r->len += got;
    return CRM_OK;
}

static size_t next_cr(crm_csv_reader *r)
{
    if (!r->cr_known || (r->cr_at != SIZE_MAX && r->cr_at < r->pos)) {
        const unsigned char *cr = memchr(r->buf + r->pos, '\r', r->len - r->pos);
        r->cr_at = cr ? (size_t)(cr - r->buf) : SIZE_MAX;
        r->cr_known = 1;
    }
    return r->cr_at;
}

/* Where the next piece to feed ends (exclusive): after the next '\n', or
 * after a '\r' that is not followed by '\n' (libcsv ends rows at a lone CR
 * too, and each piece must end at most one row).  Returns pos when the data
 * ends in a '\r' whose next byte is not read yet. */
static size_t piece_end(crm_csv_reader *r)
{
    const unsigned char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
    size_t limit = nl ? (size_t)(nl - r->buf) : r->len;
    size_t cr = next_cr(r);
    if (cr < limit) {
        if (cr + 1 < limit)
            return cr + 1;
        if (nl)
            return limit + 1;
        return r->eof ? cr + 1 : cr;
    }
    return nl ? limit + 1 : r->len;
}

static crm_status feed(crm_csv_reader *r, size_t end, crm_error *err)
{
    size_t n = end - r->pos;
    size_t used = csv_parse(&r->parser, r->buf + r->pos, n, on_field, on_row, r);
    if (r->buf[end - 1] == '\n')
        r->line++;
    r->pos = end;
    if (used != n || r->no_memory)
        return out_of_memory(r, err);
    if (r->too_big)
        return record_too_big(r, err);
    /* libcsv grows its field buffer by a fixed step; keeping the step at the
     * buffer's size makes growth geometric for very long fields */
    size_t size = csv_get_buffer_size(&r->parser);
    if (size > r->entry_block) {
        r->entry_block = size;
        csv_set_blk_size(&r->parser, size);
    }
    return CRM_OK;
}

/* The input ended inside a record: let libcsv finish it, failing on an open
 * quote (CSV_STRICT_FINI) instead of silently closing it. */
static crm_status finish_at_eof(crm_csv_reader *r, crm_error *err)
{
    csv_set_opts(&r->parser, CSV_STRICT | CSV_STRICT_FINI);
    int rc = csv_fini(&r->parser, on_field, on_row, r);
    csv_set_opts(&r->parser, 0);
    if (rc != 0) {
        /* every '\n' after the opening quote is in libcsv's field buffer */
        uint64_t newlines = 0;
        for (size_t i = 0; i < r->parser.entry_pos; i++)
            newlines += r->parser.entry_buf[i] == '\n';
        crm_error_set(err, CRM_EDATA,
                      "%s:%" PRIu64 ": unterminated quoted field (the quote opened on line %" PRIu64
                      " is never closed)",
                      crm_input_name(r->in), r->rec_line, r->line - newlines);
        return reader_fail(r, err, CRM_EDATA);
    }
    if (r->no_memory)
        return out_of_memory(r, err);
    if (r->too_big)
        return record_too_big(r, err);
    return CRM_OK;
}

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Unicode 3-7: well-formed sequences (no overlongs, surrogates or
         * code points above U+10FFFF) */
        size_t follow;
        unsigned lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            follow = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            follow = 2;
            if (c == 0xe0)
                lo = 0xa0;
            else if (c == 0xed)
                hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            follow = 3;
            if (c == 0xf0)
                lo = 0x90;
            else if (c == 0xf4)
                hi = 0x8f;
        } else {
            return 0;
        }
        if (n - i - 1 < follow || s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= follow; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
        i += follow + 1;
    }
    return 1;
}

/* 1 when some byte is zero or not ASCII, eight bytes at a time (a zero byte
 * borrows in v - 0x01..., which sets its high bit like a non-ASCII byte). */
static int has_nul_or_non_ascii(const unsigned char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        if (((v - ones) | v) & highs)
            return 1;
    }
    for (; i < n; i++)
        if (s[i] == 0 || s[i] >= 0x80)
            return 1;
    return 0;
}

static crm_csv_defect field_defect(const unsigned char *s, size_t n)
{
    if (!has_nul_or_non_ascii(s, n))
        return CRM_CSV_RECORD_OK;
    if (memchr(s, 0, n))
        return CRM_CSV_RECORD_NUL_BYTE;
    return utf8_valid(s, n) ? CRM_CSV_RECORD_OK : CRM_CSV_RECORD_INVALID_UTF8;
}

/* Turns the assembled fields into the public record. */
static crm_status complete_record(crm_csv_reader *r, crm_error *err)
{
    r->in_record = 0;
    size_t raw_len = r->pos - r->rec_start;
    if (raw_len > r->max_record)
        return record_too_big(r, err);
    size_t n = r->nfields;
    for (size_t i = 0; i < n; i++) {
        size_t start = r->flens[i];
        size_t next = i + 1 < n ? r->flens[i + 1] : r->flen;
        r->fptrs[i] = r->fbuf + start;
        r->flens[i] = next - start - 1;
    }
    crm_csv_record *rec = &r->rec;
    rec->nfields = n;
    rec->fields = r->fptrs;
    rec->lengths = r->flens;
    rec->line = r->rec_line;
    rec->raw = (const char *)r->buf + r->rec_start;
    rec->raw_len = raw_len;
    rec->defect = CRM_CSV_RECORD_OK;
    rec->defect_field = 0;
    /* every NUL and non-ASCII byte of the raw record is in some field: a
     * clean raw record (the usual case) needs no look at the fields */
    if (!has_nul_or_non_ascii((const unsigned char *)rec->raw, raw_len))
        return CRM_OK;
    for (size_t i = 0; i < n; i++) {
        crm_csv_defect d = field_defect((const unsigned char *)r->fptrs[i], r->flens[i]);
        if (d != CRM_CSV_RECORD_OK) {
            rec->defect = d;
            rec->defect_field = i;
            break;
        }
    }
    return CRM_OK;
}

/* Reads the next record into r->rec; *have is 0 at the end of the input. */
static crm_status read_record(crm_csv_reader *r, int *have, crm_error *err)
{
    *have = 0;
    r->nfields = 0;
    r->flen = 0;
    r->row_done = 0;
    for (;;) {
        crm_status st;
        if (!r->in_record) {
            /* blank lines: libcsv skips them too, we only count them */
            while (r->pos < r->len && (r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r')) {
                r->line += r->buf[r->pos] == '\n';
                r->pos++;
            }
            if (r->pos == r->len) {
                if (r->eof)
                    return CRM_OK;
                if ((st = refill(r, err)) != CRM_OK)
                    return st;
                continue;
            }
            r->in_record = 1;
            r->rec_start = r->pos;
            r->rec_line = r->line;
        }
        if (r->pos == r->len && r->eof) {
            if ((st = finish_at_eof(r, err)) != CRM_OK)
                return st;
            if (!r->row_done) {
                r->in_record = 0;
                return CRM_OK;
            }
            *have = 1;
            return complete_record(r, err);
        }
        size_t end = r->pos < r->len ? piece_end(r) : r->pos;
        if (end == r->pos) {
            if ((st = refill(r, err)) != CRM_OK)
                return st;
            continue;
        }
        if ((st = feed(r, end, err)) != CRM_OK)
            return st;
        if (r->row_done) {
            *have = 1;
            return complete_record(r, err);
        }
    }
}

/* Copies the header record so that it stays valid while records stream by. */
static crm_status keep_header(crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *h = &r->rec;
    r->header_fields = malloc(r->flen ? r->flen : 1);
    r->header_raw = malloc(h->raw_len ? h->raw_len : 1);
    r->header_ptrs = malloc((h->nfields ? h->nfields : 1) * sizeof *r->header_ptrs);
    r->header_lens = malloc((h->nfields ? h->nfields : 1) * sizeof *r->header_lens);
    if (!r->header_fields || !r->header_raw || !r->header_ptrs || !r->header_lens)
        return out_of_memory(r, err);
    memcpy(r->header_fields, r->fbuf, r->flen);
    memcpy(r->header_raw, h->raw, h->raw_len);
    for (size_t i = 0; i < h->nfields; i++) {
        r->header_ptrs[i] = r->header_fields + (h->fields[i] - r->fbuf);
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

void crm_csv_options_init(crm_csv_options *opts)
{
    opts->delimiter = ',';
    opts->encoding = NULL;
    opts->max_record_bytes = 0;
    opts->no_header = 0;
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
    r->line = 1;
    crm_status st = CRM_OK;
    if (r->delimiter == '"' || r->delimiter == '\n' || r->delimiter == '\r')
        st = crm_error_set(err, CRM_EUSAGE, "the delimiter cannot be a quote or a line break");
    else if (csv_init(&r->parser, 0) != 0)
        st = crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(in));
    if (st == CRM_OK) {
        r->parser_ready = 1;
        csv_set_delim(&r->parser, (unsigned char)r->delimiter);
        csv_set_space_func(&r->parser, never_space);
        r->entry_block = 1024;
        csv_set_blk_size(&r->parser, r->entry_block);
    }
    /* a byte order mark is only one at the very start */
    while (st == CRM_OK && r->len < 3 && !r->eof)
        st = refill(r, err);
    if (st == CRM_OK && r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0)
        r->pos = 3;
    if (st == CRM_OK && !r->no_header) {
        int have;
        st = read_record(r, &have, err);
        if (st == CRM_OK && !have)
            st = crm_error_set(err, CRM_EDATA, "%s: empty file: no header row",
                               crm_input_name(in));
        if (st == CRM_OK)
            st = keep_header(r, err);
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
    r->kept = NULL;
    r->kept_bytes = NULL;
    r->kept_lens = NULL;
    r->nkept = r->kept_cap = r->next_kept = 0;
    r->kept_len = r->kept_bytes_cap = 0;
    r->nkept_lens = r->kept_lens_cap = 0;
    r->replaying = 0;
}

/* Copies the current record (fields as assembled in fbuf, and raw bytes). */
static int keep_record(crm_csv_reader *r, const crm_csv_record *rec)
{
    size_t bytes = r->kept_len + r->flen + rec->raw_len;
    if (!crm_array_reserve(&r->kept, &r->kept_cap, r->nkept + 1, sizeof *r->kept) ||
        !crm_array_reserve(&r->kept_bytes, &r->kept_bytes_cap, bytes, 1) ||
        !crm_array_reserve(&r->kept_lens, &r->kept_lens_cap, r->nkept_lens + rec->nfields,
              sizeof *r->kept_lens))
        return 0;
    kept_record *k = &r->kept[r->nkept++];
    k->nfields = rec->nfields;
    k->first_len = r->nkept_lens;
    k->fields = r->kept_len;
    k->raw = r->kept_len + r->flen;
    k->raw_len = rec->raw_len;
    k->line = rec->line;
    k->number = rec->number;
    k->defect = rec->defect;
    k->defect_field = rec->defect_field;
    if (r->flen > 0)
        memcpy(r->kept_bytes + k->fields, r->fbuf, r->flen);
    if (rec->raw_len > 0)
        memcpy(r->kept_bytes + k->raw, rec->raw, rec->raw_len);
    r->kept_len = bytes;
    if (rec->nfields > 0)
        memcpy(r->kept_lens + k->first_len, rec->lengths, rec->nfields * sizeof *r->kept_lens);
    r->nkept_lens += rec->nfields;
    return 1;
}

/* Points r->rec at a kept record (its fields are NUL-terminated, one after
 * the other, as on_field laid them out). */
static int replay_record(crm_csv_reader *r, const kept_record *k)
{
    if (!reserve_fields(r, k->nfields ? k->nfields : 1))
        return 0;
    const size_t *lens = r->kept_lens + k->first_len;
    const char *p = r->kept_bytes + k->fields;
    for (size_t i = 0; i < k->nfields; i++) {
        r->fptrs[i] = p;
        p += lens[i] + 1;
    }
    crm_csv_record *rec = &r->rec;
    rec->nfields = k->nfields;
    rec->fields = r->fptrs;
    rec->lengths = lens;
    rec->line = k->line;
    rec->number = k->number;
    rec->raw = r->kept_bytes + k->raw;
    rec->raw_len = k->raw_len;
    rec->defect = k->defect;
    rec->defect_field = k->defect_field;
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
    if (r->keeping && !keep_record(r, &r->rec))
        return out_of_memory(r, err);
    *rec = &r->rec;
    return CRM_OK;
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
        crm_error_set(err, CRM_EDATA, "%s: no column '%s' (columns: %s)", name, shown, list);
    }
    return -1;
}

long crm_csv_find_column(const crm_csv_reader *r, const char *name)
{
    column_match m;
    resolve_column(r, name, &m);
    return m.index;
}

const char *crm_csv_column_name(const crm_csv_reader *r, size_t column)
{
    crm_csv_reader *w = (crm_csv_reader *)r;   /* the label buffer is scratch space */
    if (r->has_header && column < r->header.nfields)
        return r->header.fields[column];
    snprintf(w->column_label, sizeof w->column_label, "#%zu", column + 1);
    return w->column_label;
}

crm_status crm_csv_defect_error(const crm_csv_reader *r, const crm_csv_record *rec, crm_error *err)
{
    if (rec->defect == CRM_CSV_RECORD_OK)
        return CRM_OK;
    const char *label = crm_csv_column_name(r, rec->defect_field);
    char column[128];
    crm_error_quote(column, sizeof column, label, strlen(label));
    const char *name = crm_input_name(r->in);
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
    return crm_input_raw_bytes(r->in);
}

int crm_csv_is_gzip(const crm_csv_reader *r)
{
    return crm_input_is_gzip(r->in);
}

void crm_csv_close(crm_csv_reader *r)
{
    if (!r)
        return;
    if (r->parser_ready)
        csv_free(&r->parser);
    crm_input_close(r->in);
    free(r->buf);
    free(r->fbuf);
    free(r->flens);
    free(r->fptrs);
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
    unsigned char special[256];   /* bytes that force quoting */
    char *quoted;
    size_t quoted_cap;
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

crm_status crm_csv_write_field(crm_csv_writer *w, const char *s, size_t len)
{
    if (len == (size_t)-1)
        len = strlen(s);
    crm_status st = CRM_OK;
    if (w->row_fields++ > 0)
        st = crm_output_write(w->out, &w->delimiter, 1);
    if (st != CRM_OK)
        return st;
    w->last_empty = len == 0;
    size_t i = 0;
    while (i < len && !w->special[(unsigned char)s[i]])
        i++;
    if (i == len)
        return crm_output_write(w->out, s, len);
    size_t need = csv_write2(NULL, 0, s, len, '"');
    if (need > w->quoted_cap) {
        char *bigger = realloc(w->quoted, need);
        if (!bigger)
            return CRM_ENOMEM;
        w->quoted = bigger;
        w->quoted_cap = need;
    }
    size_t n = csv_write2(w->quoted, need, s, len, '"');
    return crm_output_write(w->out, w->quoted, n);
}

crm_status crm_csv_write_int(crm_csv_writer *w, int64_t v)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%" PRId64, v);
    return crm_csv_write_field(w, text, (size_t)n);
}

/* Numbers go through number.c so that every module prints a value alike. */
crm_status crm_csv_write_double(crm_csv_writer *w, double v)
{
    char text[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format(v, text);
    return crm_csv_write_field(w, text, n);
}

crm_status crm_csv_write_fixed(crm_csv_writer *w, double v, int decimals)
{
    char text[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format_fixed(v, decimals, text);
    return crm_csv_write_field(w, text, n);
}

crm_status crm_csv_end_row(crm_csv_writer *w)
{
    crm_status st = CRM_OK;
    /* a row of one empty field would be a blank line, which readers skip */
    if (w->row_fields == 1 && w->last_empty)
        st = crm_output_write(w->out, "\"\"", 2);
    w->row_fields = 0;
    w->last_empty = 0;
    if (st != CRM_OK)
        return st;
    return crm_output_write(w->out, "\n", 1);
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
    return crm_output_write(w->out, data, len);
}

crm_status crm_csv_end_row_raw(crm_csv_writer *w, const char *raw, size_t len)
{
    crm_status st = CRM_OK;
    if (w->row_fields > 0)
        st = crm_output_write(w->out, &w->delimiter, 1);
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
    crm_status st = crm_output_commit(w->out, err);
    free(w->quoted);
    free(w);
    return st;
}

void crm_csv_writer_abort(crm_csv_writer *w)
{
    if (!w)
        return;
    crm_output_abort(w->out);
    free(w->quoted);
    free(w);
}
