/* CSV reading and writing on libcsv.
 *
 * The reader takes bytes from crm_input (so gzip, encodings and stdin are
 * handled below it), strips a UTF-8 byte order mark, accepts LF and CRLF,
 * and hands out one record at a time with its line number and its raw bytes
 * exactly as they came in (for reject files).  Fields are not trimmed: what
 * is between the delimiters is what the caller gets.  Memory is bounded by
 * the largest record, which is itself bounded by max_record_bytes.
 *
 * With threads, inputs larger than a chunk are parsed by worker threads in
 * chunks (csv_chunks.h) while the caller works on the records already parsed;
 * records, line numbers, raw bytes and messages are exactly the serial ones.
 *
 * The writer quotes only when RFC 4180 requires it (delimiter, quote, CR or
 * LF in the field) and ends rows with "\n".  Knows nothing of CRM. */
#ifndef CRM_CSV_H
#define CRM_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"
#include "crm/output.h"

enum { CRM_CSV_DEFAULT_MAX_RECORD = 64 * 1024 * 1024 };

typedef struct {
    char delimiter;           /* ',' by default */
    const char *encoding;     /* NULL for UTF-8; see crm_input_open */
    size_t max_record_bytes;  /* 0: CRM_CSV_DEFAULT_MAX_RECORD */
    int no_header;            /* 1: the first row is data, columns by index only */
    const char *header_names; /* with no_header: the columns' names, comma-separated ("a,b,c"),
                                 taken as the header row would be (lookup by name, the width
                                 every record must have); a first record of another width is
                                 CRM_EUSAGE.  NULL: none.  Ignored without no_header. */
    int threads;              /* parsing threads: 0 one per core, 1 none (see below) */
    size_t chunk_bytes;       /* bytes per parallel chunk; 0: 1 MiB (tests make it tiny) */
    int libcsv_only;          /* 1: libcsv parses every record, no fast path (tests compare) */
} crm_csv_options;

void crm_csv_options_init(crm_csv_options *opts);

/* What is wrong with a record that still parsed as CSV.  The reader returns
 * such records instead of failing, so that crm-clean can reject them row by
 * row; other callers turn them into errors with crm_csv_defect_error(). */
typedef enum {
    CRM_CSV_RECORD_OK = 0,
    CRM_CSV_RECORD_NUL_BYTE,      /* a NUL byte in a field */
    CRM_CSV_RECORD_INVALID_UTF8,  /* bytes that are not UTF-8 */
    CRM_CSV_RECORD_BAD_QUOTE      /* broken quoting (below): no fields, raw is one line */
} crm_csv_defect;

/* Broken quoting, the reader's one definition (crm(7) and crm-clean(1) say
 * it in words).  libcsv parses every record in strict mode (CSV_STRICT), and
 * a record is broken when
 *   - a quote appears inside a field that did not start with one
 *     (CRM_CSV_QUOTE_IN_FIELD: 'A"B', or ' "A"' with a space before it),
 *   - anything but a delimiter, a line end or a second quote follows the
 *     quote that closes a quoted field (CRM_CSV_QUOTE_TEXT_AFTER: '"A"B'),
 *   - a quoted field opened on its first line is never closed before the end
 *     of the input (CRM_CSV_QUOTE_NEVER_CLOSED), or
 *   - a quoted field carries the record over a line break and the record's
 *     field count then differs from the header's (CRM_CSV_QUOTE_FIELD_COUNT;
 *     only with a header), or
 *   - a quoted field carries the record over a line break and on past
 *     max_record_bytes (CRM_CSV_QUOTE_TOO_LONG: a stray quote with no other
 *     quote after it would otherwise make the whole rest of the input one
 *     record; a record of one line over the limit is still an error).
 * A broken record is handed out as its first physical line alone (raw, line
 * ending included; no fields), and reading resumes at the next line as if a
 * record started there, so that a stray quote costs one line, not the rows
 * after it.  The lines after the first are therefore read again: each is a
 * record of its own, good or broken in turn. */
typedef enum {
    CRM_CSV_QUOTE_OK = 0,
    CRM_CSV_QUOTE_IN_FIELD,
    CRM_CSV_QUOTE_TEXT_AFTER,
    CRM_CSV_QUOTE_NEVER_CLOSED,
    CRM_CSV_QUOTE_FIELD_COUNT,
    CRM_CSV_QUOTE_TOO_LONG
} crm_csv_quote_problem;

typedef struct {
    size_t nfields;
    const char *const *fields;    /* each NUL-terminated (a NUL inside is a defect) */
    const size_t *lengths;
    uint64_t line;                /* 1-based line where the record starts */
    uint64_t number;              /* 1-based data record number (header not counted) */
    const char *raw;              /* the record's bytes as read, line ending included */
    size_t raw_len;
    crm_csv_defect defect;
    size_t defect_field;          /* 0-based field of the defect */
    /* with CRM_CSV_RECORD_BAD_QUOTE: what broke, the line where libcsv
     * stopped (or where the record ended, for a field count), and the
     * fields it found then (for CRM_CSV_QUOTE_FIELD_COUNT) */
    crm_csv_quote_problem quote_problem;
    uint64_t quote_line;
    size_t quote_fields;
} crm_csv_record;

typedef struct crm_csv_reader crm_csv_reader;

/* path NULL or "-" reads standard input.  Reads the header row unless
 * opts->no_header.  An empty input is CRM_EDATA ("empty file, no header"). */
crm_status crm_csv_open(crm_csv_reader **out, const char *path, const crm_csv_options *opts,
                        crm_error *err);
/* Reads an open descriptor from where it stands (not closed by the reader);
 * display_name names it in messages. */
crm_status crm_csv_open_fd(crm_csv_reader **out, int fd, const char *display_name, const crm_csv_options *opts,
                           crm_error *err);
crm_status crm_csv_open_memory(crm_csv_reader **out, const void *data, size_t len,
                               const char *display_name, const crm_csv_options *opts,
                               crm_error *err);

/* The next data record, or *rec = NULL at the end.  The record is valid until
 * the next call.  Errors (record larger than the limit, unreadable or
 * truncated input) name the input and line; broken quoting is a defect of
 * the record, not an error. */
crm_status crm_csv_next(crm_csv_reader *r, const crm_csv_record **rec, crm_error *err);

/* For prefetching only: the raw bytes of the record `ahead` places after
 * the one crm_csv_next returned last (ahead >= 1), when they are parsed
 * already (the parallel reader holds a chunk of records); 0 when they are
 * not at hand.  Valid until the next crm_csv_next. */
int crm_csv_peek_raw(const crm_csv_reader *r, size_t ahead, const char **raw, size_t *len);

/* Lookahead, for deciding something (a date format) from the first rows of
 * a stream that cannot be read twice: after crm_csv_start_lookahead every
 * record read is also kept; crm_csv_replay then makes crm_csv_next return
 * the kept records again, in order, before it reads on.  Memory grows with
 * the rows looked at, so callers bound how far they look. */
crm_status crm_csv_start_lookahead(crm_csv_reader *r, crm_error *err);
crm_status crm_csv_replay(crm_csv_reader *r, crm_error *err);

/* The header record, or NULL with no_header. */
const crm_csv_record *crm_csv_header(const crm_csv_reader *r);

/* Finds a column by header name (exact, then ignoring case and surrounding
 * white space) or by 1-based index written as digits.  Returns the 0-based
 * index, or -1 and an error naming the input and listing the header when
 * there is no such column or the name appears more than once. */
long crm_csv_column(const crm_csv_reader *r, const char *spec, crm_error *err);

/* Like crm_csv_column without an error: -1 when absent or ambiguous. */
long crm_csv_find_column(const crm_csv_reader *r, const char *name);

/* A column looked for by a default name, which may be absent: *index is
 * the 0-based column, or -1 when the header has no such column (or there is
 * no header).  A name that appears more than once is CRM_EDATA with
 * crm_csv_column's message ("appears twice"): taking either would be a
 * guess. */
crm_status crm_csv_optional_column(const crm_csv_reader *r, const char *name, long *index,
                                   crm_error *err);

/* Fills err with "<input>:<line>: column '<name>': <what>" for a record's
 * defect, for callers that stop on bad rows. */
crm_status crm_csv_defect_error(const crm_csv_reader *r, const crm_csv_record *rec, crm_error *err);

/* For messages about a missing column, what a header that looks wrong says:
 * NUL bytes in it ("; the header has NUL bytes: UTF-16 without a byte order
 * mark? ..."), or one column with tabs in it while the delimiter is not a
 * tab ("; ... tab-delimited input needs -t"), as an Excel "Unicode text"
 * export gives; else "". */
const char *crm_csv_header_hint(const crm_csv_reader *r);

/* "bad quoting: <what>" for a record with CRM_CSV_RECORD_BAD_QUOTE, without
 * the input, line or column (crm-clean puts it in its rejects file);
 * expected_fields is the header's width. */
void crm_csv_describe_bad_quote(const crm_csv_record *rec, size_t expected_fields, char *buf,
                                size_t size);

/* "<input>:<line>: expected N fields, found M" for a record whose width is
 * not the header's (or the first record's, without a header), CRM_EDATA;
 * CRM_OK when the width is right.  Every command that reads rows checks
 * this one way, so that a field beyond the header is never read. */
crm_status crm_csv_check_width(const crm_csv_reader *r, const crm_csv_record *rec, size_t expected,
                               crm_error *err);

/* A record a reader may use: no defect (crm_csv_defect_error's message), the
 * width expected (unless width is 0: one basket per line, whose rows vary),
 * and at least `need` fields, else "<input>:<line>: expected at least N
 * fields, found M" (CRM_EDATA). */
crm_status crm_csv_check_record(const crm_csv_reader *r, const crm_csv_record *rec, size_t need, size_t width,
                                crm_error *err);

/* Name of a column for messages: the header name, or "#<n>" without header. */
const char *crm_csv_column_name(const crm_csv_reader *r, size_t column);

const char *crm_csv_input_name(const crm_csv_reader *r);
uint64_t crm_csv_raw_bytes(const crm_csv_reader *r);   /* for progress */
int crm_csv_is_gzip(const crm_csv_reader *r);
void crm_csv_close(crm_csv_reader *r);

/* ---- writer ---- */

typedef struct crm_csv_writer crm_csv_writer;

/* Writes CSV on top of an output that the writer then owns. */
crm_csv_writer *crm_csv_writer_new(crm_output *out, char delimiter);

/* Convenience: opens the output (see crm_output_open) and the writer. */
crm_status crm_csv_writer_open(crm_csv_writer **w, const char *path, int gzip, char delimiter,
                               crm_error *err);

/* Formula escape (OWASP CSV injection), off by default: a text field that
 * starts with '=', '+', '-', '@', tab or CR is written with a leading "'",
 * so that a spreadsheet shows it instead of running it.  Numbers are left
 * alone: those written with write_int/double/fixed, and text that is a
 * plain number ("-5.00", "+3", "1e-3": a sign, digits, one '.', an
 * exponent).  Raw bytes (write_raw, end_row_raw) are never changed. */
void crm_csv_writer_escape_formulas(crm_csv_writer *w, int on);

/* The next row the writer ends (its header, when called before anything
 * is written) is dropped instead of written: --no-header-out, for a
 * consumer that wants data rows only (a Hadoop reducer, a shard that is
 * concatenated onto the first). */
void crm_csv_writer_skip_header(crm_csv_writer *w, int on);

/* Appends one field to the current row (len may be (size_t)-1 for strlen). */
crm_status crm_csv_write_field(crm_csv_writer *w, const char *s, size_t len);
crm_status crm_csv_write_int(crm_csv_writer *w, int64_t v);
/* Shortest text that reads back as the same double, '.' as decimal point. */
crm_status crm_csv_write_double(crm_csv_writer *w, double v);
/* Fixed number of decimals, for scores and rounded figures. */
crm_status crm_csv_write_fixed(crm_csv_writer *w, double v, int decimals);

/* The ratios, shares, means, scores and probabilities people read are
 * written with CRM_CSV_READABLE_DIGITS significant digits
 * (crm_double_format_significant: 0.130734, 59.4203, 0.00000123457), so that
 * no binary floating-point noise (0.13073394495412843) reaches a report;
 * money is not written this way but exactly (crm_decimal_format).  A writer
 * set to full precision (--precision full) writes the shortest text that
 * reads back as the same double instead. */
enum { CRM_CSV_READABLE_DIGITS = 6 };
crm_status crm_csv_write_readable(crm_csv_writer *w, double v);
void crm_csv_writer_full_precision(crm_csv_writer *w, int on);
crm_status crm_csv_end_row(crm_csv_writer *w);
/* A whole row from arrays (lens may be NULL for NUL-terminated fields). */
crm_status crm_csv_write_row(crm_csv_writer *w, const char *const *fields, const size_t *lens,
                             size_t n);
/* Bytes written as they are, for reject files that copy input verbatim. */
crm_status crm_csv_write_raw(crm_csv_writer *w, const void *data, size_t len);
/* Ends the current row with raw CSV text appended as its last fields: a
 * delimiter (when the row has fields), the bytes as they are, and "\n"
 * unless they already end with one.  A rejected input row is copied this way
 * behind the fields that say why it was rejected. */
crm_status crm_csv_end_row_raw(crm_csv_writer *w, const char *raw, size_t len);

/* The output the writer writes to (for its sticky write error). */
crm_output *crm_csv_writer_output(const crm_csv_writer *w);

/* Commits the output (see crm_output_commit) and frees the writer. */
crm_status crm_csv_writer_close(crm_csv_writer *w, crm_error *err);
/* Discards the output and frees the writer. */
void crm_csv_writer_abort(crm_csv_writer *w);

/* The end of a run that writes several files: while st is CRM_OK the
 * writers are closed in order (NULL ones skipped), and once anything
 * failed the others are aborted, so that a failed run leaves the earlier
 * files in place.  Returns st or the first close's failure; every writer
 * is freed and its slot set to NULL. */
crm_status crm_csv_writers_finish(crm_csv_writer **w, size_t n, crm_status st, crm_error *err);

#endif
