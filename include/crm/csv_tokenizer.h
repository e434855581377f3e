/* The layer under the CSV reader that drives libcsv over a buffer of bytes.
 *
 * libcsv is fed one line at a time (up to and including each '\n', or a lone
 * '\r', where libcsv ends a row too), so that every record comes out with the
 * line it starts on, its raw bytes as read and its fields, NUL-terminated one
 * after the other in the field storage (fields[i] points at field i and
 * follows the storage when it moves).  The tokenizer owns no input: the
 * serial reader refills its buffer from crm_input, a parallel worker points it
 * at one chunk of the input (csv_chunks.h).  It never formats messages: it
 * says what went wrong and the caller, which knows the input's name, does.
 * A one-line record without a quote byte is split in one vector pass instead
 * (the fast path; csv_tokenizer.c has the proof that its records are
 * libcsv's).
 * Knows nothing of CRM. */
#ifndef CRM_CSV_TOKENIZER_H
#define CRM_CSV_TOKENIZER_H

#include <csv.h>
#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"

typedef enum {
    CRM_TOKENIZER_OK = 0,
    CRM_TOKENIZER_TOO_BIG,      /* the record passed max_record */
    CRM_TOKENIZER_NO_MEMORY,
} crm_tokenizer_result;

/* One record, as indexes: the storage may still move while more records
 * are added behind it (fields[] follows it). */
typedef struct {
    size_t first_field;         /* index into fields/lengths */
    size_t nfields;
    size_t raw, raw_len;        /* its bytes: buf[raw .. raw + raw_len) */
    uint64_t line;              /* line it starts on */
    crm_csv_defect defect;
    size_t defect_field;
    crm_csv_quote_problem quote_problem;   /* see crm_csv_record */
    uint64_t quote_line;
    size_t quote_fields;
} crm_tokenizer_record;

typedef struct {
    struct csv_parser parser;
    int parser_ready;
    char delimiter;
    size_t entry_block;         /* libcsv's growth step, kept at its buffer size */
    size_t max_record;
    size_t expected_fields;     /* the header's width, for CRM_CSV_QUOTE_FIELD_COUNT; 0 unknown */
    int libcsv_only;            /* 1: no fast path, libcsv parses every record (tests) */

    /* bytes: buf[pos .. len) are not fed yet; eof says no more will come */
    unsigned char *buf;
    size_t cap, len, pos;
    int eof;
    uint64_t line;              /* line number of buf[pos] */
    int cr_known;               /* cr_at is valid for the current buffer */
    size_t cr_at;               /* index of the next '\r' at or after pos, or SIZE_MAX */

    /* the record being assembled */
    int in_record;
    size_t rec_start;
    uint64_t rec_line;
    size_t rec_text;            /* where its fields start in text */
    size_t rec_first_field;
    size_t rec_line_end;        /* end of its first physical line (after its first piece) */
    size_t rec_line_fields;     /* fields complete when its first line was fed */
    int row_done;
    int too_big;
    int no_memory;
    int bad_quote;              /* libcsv (strict) refused the piece just fed */
    crm_csv_quote_problem quote_problem;
    uint64_t quote_line;        /* the line libcsv refused */

    /* field storage: text holds every field followed by a NUL */
    char *text;
    size_t text_len, text_cap;
    size_t *lengths;
    const char **fields;
    size_t nfields, field_cap;
} crm_csv_tokenizer;

/* 0 when libcsv cannot be set up (out of memory).  libcsv runs in strict
 * mode (CSV_STRICT) from the first byte. */
int crm_csv_tokenizer_init(crm_csv_tokenizer *tk, char delimiter, size_t max_record);
void crm_csv_tokenizer_free(crm_csv_tokenizer *tk);

/* Forgets the stored fields (the serial reader keeps one record at a time). */
void crm_csv_tokenizer_clear_fields(crm_csv_tokenizer *tk);

/* Feeds libcsv until a record is complete (*have = 1, *rec filled; a record
 * with broken quoting is one too, see crm_csv_quote_problem) or the
 * bytes run out: *need_more = 1 when more bytes may complete the record (or
 * start one), both 0 at the end of the input (eof and nothing left).  On an
 * error the record being assembled began at rec_start, line rec_line. */
crm_tokenizer_result crm_csv_tokenizer_next(crm_csv_tokenizer *tk, crm_tokenizer_record *rec,
                                            int *have, int *need_more);

#endif
