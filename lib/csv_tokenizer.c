/* Drives libcsv over a buffer, one line per csv_parse call.
 *
 * After each call we check whether the row callback fired.  Blank lines
 * between records are skipped and counted here, exactly as libcsv would skip
 * them.  A record therefore always ends at the end of a piece we fed, so its
 * raw bytes are the span from its first byte to there, line ending included,
 * and its line number is counted from the '\n' bytes we fed.  A record that
 * runs over several lines (a quoted line break) just keeps accumulating.
 *
 * libcsv is strict: a piece it refuses, a quote still open at the end of
 * the input, or a record carried over a line break that ends with the wrong
 * number of fields makes a broken record (csv.h, crm_csv_quote_problem).  It
 * is handed out as its first line alone, and feeding starts again at its
 * second line with a fresh parser, exactly as if a record started there:
 * the verdict depends on the record's own bytes only, so the chunks of the
 * parallel reader reach the same records as the serial one. */
#include "crm/csv_tokenizer.h"

#include <stdlib.h>
#include <string.h>

#include "crm/array.h"

/* Bookkeeping per field: its pointer and its length. */
enum { FIELD_OVERHEAD = sizeof(const char *) + sizeof(size_t) };

/* ---- libcsv callbacks ---- */

/* Makes room for n fields in both per-field arrays (one capacity for both). */
static int reserve_fields(crm_csv_tokenizer *tk, size_t n)
{
    size_t lengths_cap = tk->field_cap;
    return crm_array_reserve(&tk->lengths, &lengths_cap, n, sizeof *tk->lengths) &&
           crm_array_reserve(&tk->fields, &tk->field_cap, n, sizeof *tk->fields);
}

/* The fields of one record may take twice the record limit: short fields
 * cost more in bookkeeping than in bytes.  Checked on every field, so that
 * the verdict depends on the record alone, not on what the storage held
 * before (the chunks of the parallel reader must agree with the serial one). */
static int over_limit(const crm_csv_tokenizer *tk, size_t bytes)
{
    size_t record_fields = tk->nfields + 1 - tk->rec_first_field;
    return bytes - tk->rec_text + record_fields * FIELD_OVERHEAD > 2 * tk->max_record;
}

/* The field storage moved: points the fields at their new place (they lie
 * one after the other, each followed by a NUL). */
static void repoint_fields(crm_csv_tokenizer *tk)
{
    const char *p = tk->text;
    for (size_t i = 0; i < tk->nfields; i++) {
        tk->fields[i] = p;
        p += tk->lengths[i] + 1;
    }
}

/* Slow path of on_field: grows the field storage. */
static int make_room(crm_csv_tokenizer *tk, size_t bytes)
{
    char *before = tk->text;
    if (!crm_array_reserve(&tk->text, &tk->text_cap, bytes, 1) ||
        !reserve_fields(tk, tk->nfields + 1)) {
        tk->no_memory = 1;
        return 0;
    }
    if (tk->text != before)
        repoint_fields(tk);
    return 1;
}

static void on_field(void *s, size_t len, void *data)
{
    crm_csv_tokenizer *tk = data;
    size_t bytes = tk->text_len + len + 1;
    if (over_limit(tk, bytes)) {
        tk->too_big = 1;
        return;
    }
    if ((bytes > tk->text_cap || tk->nfields == tk->field_cap) && !make_room(tk, bytes))
        return;
    char *dst = tk->text + tk->text_len;
    if (len > 0)
        memcpy(dst, s, len);
    dst[len] = '\0';
    tk->fields[tk->nfields] = dst;
    tk->lengths[tk->nfields++] = len;
    tk->text_len = bytes;
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    ((crm_csv_tokenizer *)data)->row_done = 1;
}

/* Nothing is white space: fields come back exactly as written. */
static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int setup_parser(crm_csv_tokenizer *tk)
{
    if (csv_init(&tk->parser, CSV_STRICT) != 0)
        return 0;
    tk->parser_ready = 1;
    csv_set_delim(&tk->parser, (unsigned char)tk->delimiter);
    csv_set_space_func(&tk->parser, never_space);
    csv_set_blk_size(&tk->parser, tk->entry_block);
    return 1;
}

/* libcsv has no reset: after a refused piece its state is the middle of a
 * field, so a new parser starts the next record. */
static int reset_parser(crm_csv_tokenizer *tk)
{
    if (tk->parser_ready)
        csv_free(&tk->parser);
    tk->parser_ready = 0;
    return setup_parser(tk);
}

int crm_csv_tokenizer_init(crm_csv_tokenizer *tk, char delimiter, size_t max_record)
{
    memset(tk, 0, sizeof *tk);
    tk->max_record = max_record;
    tk->line = 1;
    tk->delimiter = delimiter;
    tk->entry_block = 1024;
    tk->libcsv_only = 0;
    return setup_parser(tk);
}

void crm_csv_tokenizer_free(crm_csv_tokenizer *tk)
{
    if (tk->parser_ready)
        csv_free(&tk->parser);
    tk->parser_ready = 0;
    free(tk->text);
    free(tk->lengths);
    free(tk->fields);
    tk->text = NULL;
    tk->lengths = NULL;
    tk->fields = NULL;
}

void crm_csv_tokenizer_clear_fields(crm_csv_tokenizer *tk)
{
    tk->nfields = 0;
    tk->text_len = 0;
}

/* ---- feeding ---- */

static size_t next_cr(crm_csv_tokenizer *tk)
{
    if (!tk->cr_known || (tk->cr_at != SIZE_MAX && tk->cr_at < tk->pos)) {
        const unsigned char *cr = memchr(tk->buf + tk->pos, '\r', tk->len - tk->pos);
        tk->cr_at = cr ? (size_t)(cr - tk->buf) : SIZE_MAX;
        tk->cr_known = 1;
    }
    return tk->cr_at;
}

/* Where the next piece to feed ends (exclusive): after the next '\n', or
 * after a '\r' that is not followed by '\n' (libcsv ends rows at a lone CR
 * too, and each piece must end at most one row).  A piece is always a whole
 * physical line (or the input's last bytes), so that a broken record can be
 * cut at the end of its first line: returns pos when the line's end (or the
 * byte after a '\r') is not read yet. */
static size_t piece_end(crm_csv_tokenizer *tk)
{
    const unsigned char *nl = memchr(tk->buf + tk->pos, '\n', tk->len - tk->pos);
    size_t limit = nl ? (size_t)(nl - tk->buf) : tk->len;
    size_t cr = next_cr(tk);
    if (cr < limit) {
        if (cr + 1 < limit)
            return cr + 1;
        if (nl)
            return limit + 1;
        return tk->eof ? cr + 1 : tk->pos;
    }
    if (nl)
        return limit + 1;
    return tk->eof ? tk->len : tk->pos;
}

static crm_tokenizer_result feed(crm_csv_tokenizer *tk, size_t end)
{
    size_t n = end - tk->pos;
    int first_piece = tk->pos == tk->rec_start;
    size_t used = csv_parse(&tk->parser, tk->buf + tk->pos, n, on_field, on_row, tk);
    if (used != n && csv_error(&tk->parser) == CSV_EPARSE) {
        /* libcsv stops at the byte it refuses: a quote is refused only
         * inside an unquoted field, anything else only after a closing quote */
        tk->bad_quote = 1;
        tk->quote_problem = tk->buf[tk->pos + used] == '"' ? CRM_CSV_QUOTE_IN_FIELD
                                                           : CRM_CSV_QUOTE_TEXT_AFTER;
        tk->quote_line = tk->line;
    }
    if (first_piece) {
        tk->rec_line_end = end;
        tk->rec_line_fields = tk->nfields - tk->rec_first_field;
    }
    if (tk->buf[end - 1] == '\n')
        tk->line++;
    tk->pos = end;
    if (tk->no_memory || (used != n && !tk->bad_quote))
        return CRM_TOKENIZER_NO_MEMORY;
    if (tk->bad_quote)
        return CRM_TOKENIZER_OK;
    if (tk->too_big)
        return CRM_TOKENIZER_TOO_BIG;
    /* libcsv grows its field buffer by a fixed step; keeping the step at the
     * buffer's size makes growth geometric for very long fields */
    size_t size = csv_get_buffer_size(&tk->parser);
    if (size > tk->entry_block) {
        tk->entry_block = size;
        csv_set_blk_size(&tk->parser, size);
    }
    return CRM_TOKENIZER_OK;
}

/* The input ended inside a record: let libcsv finish it; an open quote
 * (CSV_STRICT_FINI) makes the record a broken one instead of being closed
 * silently. */
static crm_tokenizer_result finish_at_eof(crm_csv_tokenizer *tk)
{
    csv_set_opts(&tk->parser, CSV_STRICT | CSV_STRICT_FINI);
    int rc = csv_fini(&tk->parser, on_field, on_row, tk);
    csv_set_opts(&tk->parser, CSV_STRICT);
    if (rc != 0) {
        tk->bad_quote = 1;
        tk->quote_problem = CRM_CSV_QUOTE_NEVER_CLOSED;
        tk->quote_line = tk->line - (tk->len > 0 && tk->buf[tk->len - 1] == '\n');
        return CRM_TOKENIZER_OK;
    }
    if (tk->no_memory)
        return CRM_TOKENIZER_NO_MEMORY;
    if (tk->too_big)
        return CRM_TOKENIZER_TOO_BIG;
    return CRM_TOKENIZER_OK;
}

/* ---- defects ---- */

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

/* Hands out the broken record being assembled as its first line alone,
 * forgets its fields and goes back to feed its second line to a fresh
 * parser. */
static crm_tokenizer_result broken_record(crm_csv_tokenizer *tk, crm_tokenizer_record *rec,
                                          crm_csv_quote_problem problem, uint64_t line,
                                          size_t found)
{
    size_t end = tk->rec_line_end;
    rec->first_field = tk->rec_first_field;
    rec->nfields = 0;
    rec->raw = tk->rec_start;
    rec->raw_len = end - tk->rec_start;
    rec->line = tk->rec_line;
    rec->defect = CRM_CSV_RECORD_BAD_QUOTE;
    rec->defect_field = tk->rec_line_fields;
    rec->quote_problem = problem;
    rec->quote_line = line;
    rec->quote_fields = found;
    tk->nfields = tk->rec_first_field;
    tk->text_len = tk->rec_text;
    tk->pos = end;
    tk->line = tk->rec_line + (tk->buf[end - 1] == '\n');
    tk->cr_known = 0;
    tk->in_record = 0;
    tk->bad_quote = 0;
    tk->too_big = 0;
    tk->row_done = 0;
    return reset_parser(tk) ? CRM_TOKENIZER_OK : CRM_TOKENIZER_NO_MEMORY;
}

/* Describes the finished record.  known_clean: the fast path's scan found
 * no NUL and no non-ASCII byte in it already. */
static crm_tokenizer_result complete_record(crm_csv_tokenizer *tk, crm_tokenizer_record *rec,
                                            int known_clean)
{
    size_t raw_len = tk->pos - tk->rec_start;
    if (raw_len > tk->max_record) {
        tk->in_record = 0;
        return CRM_TOKENIZER_TOO_BIG;
    }
    size_t first = tk->rec_first_field, n = tk->nfields;
    /* a quoted line break that leaves the record the wrong width glued lines
     * together that were never one record */
    if (tk->expected_fields && tk->pos > tk->rec_line_end && n - first != tk->expected_fields)
        return broken_record(tk, rec, CRM_CSV_QUOTE_FIELD_COUNT,
                             tk->line - (tk->buf[tk->pos - 1] == '\n'), n - first);
    tk->in_record = 0;
    rec->first_field = first;
    rec->nfields = n - first;
    rec->raw = tk->rec_start;
    rec->raw_len = raw_len;
    rec->line = tk->rec_line;
    rec->defect = CRM_CSV_RECORD_OK;
    rec->defect_field = 0;
    rec->quote_problem = CRM_CSV_QUOTE_OK;
    rec->quote_line = 0;
    rec->quote_fields = 0;
    /* every NUL and non-ASCII byte of the raw record is in some field: a
     * clean raw record (the usual case) needs no look at the fields */
    if (known_clean || !has_nul_or_non_ascii(tk->buf + tk->rec_start, raw_len))
        return CRM_TOKENIZER_OK;
    for (size_t i = first; i < n; i++) {
        crm_csv_defect d = field_defect((const unsigned char *)tk->fields[i], tk->lengths[i]);
        if (d != CRM_CSV_RECORD_OK) {
            rec->defect = d;
            rec->defect_field = i - first;
            break;
        }
    }
    return CRM_TOKENIZER_OK;
}

static void begin_record(crm_csv_tokenizer *tk)
{
    tk->in_record = 1;
    tk->rec_start = tk->pos;
    tk->rec_line = tk->line;
    tk->rec_text = tk->text_len;
    tk->rec_first_field = tk->nfields;
}

/* The record being assembled would pass the limit with the line at pos: an
 * error for a record of one line, a broken record for one that a quote
 * carried over its first line (tk->pos is past its start then). */
static crm_tokenizer_result over_limit_record(crm_csv_tokenizer *tk, crm_tokenizer_record *rec,
                                              int *have)
{
    if (tk->pos == tk->rec_start)
        return CRM_TOKENIZER_TOO_BIG;
    *have = 1;
    return broken_record(tk, rec, CRM_CSV_QUOTE_TOO_LONG, tk->line, 0);
}

/* ---- the fast path: records without a quote ----
 *
 * Why splitting such a record ourselves gives exactly libcsv's record.  The
 * fast path takes a piece only when (a) it is the first piece of a record, so
 * libcsv is between rows (ROW_NOT_BEGUN, entry buffer empty: every row it
 * ended came out at the end of a piece, and a broken record resets it), (b)
 * it ends in '\n' and (c) it has no quote byte.  By piece_end, a piece ending
 * in '\n' holds no '\r' except right before that '\n' (a '\r' anywhere else
 * ends a piece of its own); the blank-line skip in crm_csv_tokenizer_next
 * makes its first byte neither.  For such bytes libcsv in CSV_STRICT mode
 * with never_space does this: the quote rules (the only ones strict mode
 * adds) never apply without a quote, nothing is trimmed, every delimiter
 * ends a field, the '\r' or '\n' ends the last field and the row, and a
 * '\n' after a '\r' is skipped between rows.  So the fields are the bytes
 * between delimiters up to the line ending, the row is the whole piece, and
 * libcsv ends where it began, between rows: skipping it changes nothing for
 * the pieces after.  What the caller sees is computed by the same code on
 * both paths: line numbers and raw bytes from the piece, defects (NUL,
 * UTF-8) in complete_record (which the scan spares its look at the raw
 * bytes only when it saw no NUL and no non-ASCII byte: without one there is
 * no defect), the record limit before the piece is taken, and on_field's
 * field-storage limit (whose verdict at the line's end is the one per
 * field, both of its terms only growing).  Everything else (a quote, a
 * lone CR, the input's last line without '\n', the later pieces of a
 * quoted line break) goes to libcsv, and only those records pay for its
 * per-byte space callback.  fuzz/fuzz_fastpath.c checks all of it against
 * tokenizer.libcsv_only = 1 read serially, from the serial and the chunked
 * reader. */

/* The fast path may take the piece [pos, end): (a) and (b) above. */
static int fast_path_candidate(const crm_csv_tokenizer *tk, size_t end)
{
    return !tk->libcsv_only && tk->pos == tk->rec_start && tk->buf[end - 1] == '\n';
}

/* A candidate line is split in its copy in the field storage: delimiters
 * become NULs and the fields are noted from tk->nfields on as they are
 * found, but only counted (tk->nfields, tk->text_len) once the whole line
 * proved to have no quote.  A line with a quote leaves the tokenizer as it
 * was, for libcsv. */
typedef enum { SCAN_DONE, SCAN_QUOTE, SCAN_TOO_BIG, SCAN_NO_MEMORY } scan_result;

typedef struct {
    char *text;             /* the copy of the line, NUL-terminated */
    size_t n;               /* its length */
    size_t nf;              /* fields noted: tk->fields[tk->nfields .. nf) */
    size_t from;            /* where the field being read starts */
    int checked;            /* a long line: the limit and the room are checked as it goes */
    int over;               /* past on_field's limit: fields are no longer noted */
    int no_memory;
} line_split;

/* Lines up to this long get room for a field per byte at once, so that
 * the scan checks nothing per field (64 KiB of bookkeeping at most). */
enum { SHORT_LINE = 4096 };

/* on_field's limit with the fields of the line up to offset `upto` (the
 * bytes up to there, and the fields noted plus the one being read).  Both
 * only grow along the line, so the verdict at its end is the one a check
 * per field gives; a long line is checked as it goes only so that the
 * bookkeeping of a line of delimiters is never taken before the verdict. */
static int split_over_limit(const crm_csv_tokenizer *tk, const line_split *ls, size_t upto)
{
    size_t bytes = tk->text_len + upto + 1;
    return bytes - tk->rec_text + (ls->nf - tk->rec_first_field + 1) * FIELD_OVERHEAD >
           2 * tk->max_record;
}

/* A long line: room for `more` fields ending before offset `upto`; 0 once
 * fields are no longer noted (over the limit, or out of memory). */
static int split_room(crm_csv_tokenizer *tk, line_split *ls, size_t upto, size_t more)
{
    if (ls->over || ls->no_memory)
        return 0;
    if (split_over_limit(tk, ls, upto)) {
        ls->over = 1;
        return 0;
    }
    if (ls->nf + more + 1 > tk->field_cap && !reserve_fields(tk, ls->nf + more + 1)) {
        ls->no_memory = 1;
        return 0;
    }
    return 1;
}

/* The field ending at the delimiter at offset at. */
static inline void note_field(crm_csv_tokenizer *tk, line_split *ls, size_t at)
{
    ls->text[at] = '\0';
    tk->fields[ls->nf] = ls->text + ls->from;
    tk->lengths[ls->nf++] = at - ls->from;
    ls->from = at + 1;
}

/* Bytes [from, n) of the copy one at a time; 0 at a quote.  NUL and
 * non-ASCII bytes set *dirty. */
static int split_bytes(crm_csv_tokenizer *tk, line_split *ls, size_t from, int *dirty)
{
    const char delim = tk->delimiter;
    for (size_t i = from; i < ls->n; i++) {
        unsigned char c = (unsigned char)ls->text[i];
        if (c == '"')
            return 0;
        *dirty |= c == 0 || c >= 0x80;
        if (c == (unsigned char)delim && (!ls->checked || split_room(tk, ls, i, 1)))
            note_field(tk, ls, i);
    }
    return 1;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* The fields ending at the delimiters flagged in mask (bit i: offset base
 * + i).  Locals, not ls: the NUL stores (char) could alias anything. */
static inline void note_fields(crm_csv_tokenizer *tk, line_split *ls, size_t base, unsigned mask)
{
    char *text = ls->text;
    const char **fields = tk->fields;
    size_t *lengths = tk->lengths;
    size_t nf = ls->nf, from = ls->from;
    for (; mask; mask &= mask - 1) {
        size_t at = base + (size_t)__builtin_ctz(mask);
        text[at] = '\0';
        fields[nf] = text + from;
        lengths[nf++] = at - from;
        from = at + 1;
    }
    ls->nf = nf;
    ls->from = from;
}

/* Sixteen bytes at a time: a compare each for the quote, the delimiter and
 * NUL, and the sign bits for non-ASCII, instead of a memchr per field, one
 * for the quote and another pass for the defects.  The last vector is the
 * one that ends where the line ends, with the bytes seen before masked off,
 * so that nothing outside the line is read (a delimiter of the vector
 * before is a NUL by then, and masked off too).  0 at a quote. */
static int split_line(crm_csv_tokenizer *tk, line_split *ls, int *dirty)
{
    size_t n = ls->n;
    if (n < 16)
        return split_bytes(tk, ls, 0, dirty);
    const __m128i quote = _mm_set1_epi8('"'), delim = _mm_set1_epi8(tk->delimiter);
    const __m128i zero = _mm_setzero_si128();
    unsigned bad = 0;
    for (size_t at = 0; at < n; at += 16) {
        size_t base = at + 16 <= n ? at : n - 16;
        unsigned fresh = 0xffffu << (unsigned)(at - base);   /* not seen before */
        __m128i v = _mm_loadu_si128((const __m128i *)(ls->text + base));
        if ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) & fresh)
            return 0;
        bad |= (unsigned)_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, zero))) & fresh;
        unsigned d = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, delim)) & fresh;
        if (d && (!ls->checked || split_room(tk, ls, base + (size_t)(31 - __builtin_clz(d)), 16)))
            note_fields(tk, ls, base, d);
    }
    *dirty |= bad != 0;
    return 1;
}
#else
static int split_line(crm_csv_tokenizer *tk, line_split *ls, int *dirty)
{
    return split_bytes(tk, ls, 0, dirty);
}
#endif

/* Takes a candidate line without a quote: its fields laid out as on_field
 * does (each followed by a NUL) in one copy of the line without its
 * ending.  *dirty: it has a NUL or non-ASCII byte (complete_record looks
 * at the fields then). */
static scan_result split_quote_free(crm_csv_tokenizer *tk, size_t end, int *dirty)
{
    size_t start = tk->pos, stop = end - 1;
    if (stop > start && tk->buf[stop - 1] == '\r')
        stop--;
    size_t n = stop - start, bytes = tk->text_len + n + 1;
    line_split ls = {NULL, n, tk->nfields, 0, n > SHORT_LINE, 0, 0};
    if ((bytes > tk->text_cap || tk->nfields == tk->field_cap) && !make_room(tk, bytes))
        return SCAN_NO_MEMORY;
    if (!ls.checked && tk->nfields + n + 1 > tk->field_cap && !reserve_fields(tk, tk->nfields + n + 1))
        return SCAN_NO_MEMORY;
    ls.text = tk->text + tk->text_len;
    memcpy(ls.text, tk->buf + start, n);
    ls.text[n] = '\0';
    *dirty = 0;
    if (!split_line(tk, &ls, dirty))
        return SCAN_QUOTE;
    tk->rec_line_end = end;
    tk->line++;
    tk->pos = end;
    if (ls.over || split_over_limit(tk, &ls, n))
        return SCAN_TOO_BIG;
    if (ls.no_memory)
        return SCAN_NO_MEMORY;
    tk->fields[ls.nf] = ls.text + ls.from;
    tk->lengths[ls.nf++] = n - ls.from;
    tk->nfields = ls.nf;
    tk->rec_line_fields = tk->nfields - tk->rec_first_field;
    tk->text_len = bytes;
    return SCAN_DONE;
}

crm_tokenizer_result crm_csv_tokenizer_next(crm_csv_tokenizer *tk, crm_tokenizer_record *rec,
                                            int *have, int *need_more)
{
    *have = 0;
    *need_more = 0;
    tk->row_done = 0;
    for (;;) {
        crm_tokenizer_result res;
        if (!tk->in_record) {
            /* blank lines: libcsv skips them too, we only count them */
            while (tk->pos < tk->len && (tk->buf[tk->pos] == '\n' || tk->buf[tk->pos] == '\r')) {
                tk->line += tk->buf[tk->pos] == '\n';
                tk->pos++;
            }
            if (tk->pos == tk->len) {
                *need_more = !tk->eof;
                return CRM_TOKENIZER_OK;
            }
            begin_record(tk);
        }
        if (tk->pos == tk->len && tk->eof) {
            if ((res = finish_at_eof(tk)) != CRM_TOKENIZER_OK)
                return res;
            if (tk->bad_quote) {
                *have = 1;
                return broken_record(tk, rec, tk->quote_problem, tk->quote_line, 0);
            }
            if (!tk->row_done) {
                tk->in_record = 0;
                return CRM_TOKENIZER_OK;
            }
            *have = 1;
            return complete_record(tk, rec, 0);
        }
        size_t end = tk->pos < tk->len ? piece_end(tk) : tk->pos;
        /* a record past the limit stops here, however much is buffered (the
         * part of a line read so far counts too: the whole line is longer) */
        if ((end == tk->pos ? tk->len : end) - tk->rec_start > tk->max_record)
            return over_limit_record(tk, rec, have);
        if (end == tk->pos) {
            *need_more = 1;
            return CRM_TOKENIZER_OK;
        }
        if (fast_path_candidate(tk, end)) {
            int dirty = 0;
            scan_result sr = split_quote_free(tk, end, &dirty);
            if (sr == SCAN_TOO_BIG)
                return CRM_TOKENIZER_TOO_BIG;
            if (sr == SCAN_NO_MEMORY)
                return CRM_TOKENIZER_NO_MEMORY;
            if (sr == SCAN_DONE) {
                *have = 1;
                return complete_record(tk, rec, !dirty);
            }
        }
        if ((res = feed(tk, end)) != CRM_TOKENIZER_OK)
            return res;
        if (tk->bad_quote) {
            *have = 1;
            return broken_record(tk, rec, tk->quote_problem, tk->quote_line, 0);
        }
        if (tk->row_done) {
            *have = 1;
            return complete_record(tk, rec, 0);
        }
    }
}
