/* Differential fuzz target for the fast path of csv_tokenizer.c (records
 * without a quote, split in one vector pass): the same bytes are read with
 * the fast path, serially and through the parallel chunked reader, and each
 * reading must equal libcsv parsing every record serially
 * (crm_csv_options.libcsv_only): every record (line, number, raw bytes,
 * fields, lengths, defect and its field, quote problem, line and field
 * count) and every error (status and message).  The chunked reading is
 * compared with the serial libcsv one, not with a chunked libcsv one: what
 * runs in production is the fast path in chunks, and csv.h promises the
 * serial records from it (one chunked reading per input also halves the
 * threads each input starts, which bound the executions per second).
 *
 * The first byte of the input picks the reading: the delimiter (',', ';' or
 * tab), a header or not, and a record limit (the default or a small one, so
 * that the field-storage and record limits are crossed); the chunk size of
 * the parallel reader comes from the second byte.  The rest is the CSV. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crm/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        __builtin_trap();
}

typedef struct {
    crm_csv_reader *r;
    crm_status st;          /* of the last call */
    crm_error err;
} reading;

static void open_reading(reading *g, const uint8_t *d, size_t n, const crm_csv_options *base,
                         int libcsv_only)
{
    crm_csv_options opts = *base;
    opts.libcsv_only = libcsv_only;
    if (libcsv_only)
        opts.threads = 1;   /* the reference: libcsv, serially */
    memset(&g->err, 0, sizeof g->err);
    g->st = crm_csv_open_memory(&g->r, d, n, "fuzz.csv", &opts, &g->err);
}

static void same_record(const crm_csv_record *a, const crm_csv_record *b)
{
    check((a == NULL) == (b == NULL));
    if (!a)
        return;
    check(a->nfields == b->nfields);
    check(a->line == b->line && a->number == b->number);
    check(a->raw_len == b->raw_len && memcmp(a->raw, b->raw, a->raw_len) == 0);
    check(a->defect == b->defect && a->defect_field == b->defect_field);
    check(a->quote_problem == b->quote_problem && a->quote_line == b->quote_line &&
          a->quote_fields == b->quote_fields);
    for (size_t i = 0; i < a->nfields; i++) {
        check(a->lengths[i] == b->lengths[i]);
        check(memcmp(a->fields[i], b->fields[i], a->lengths[i] + 1) == 0);   /* and its NUL */
    }
}

static void same_error(const reading *a, const reading *b)
{
    check(a->st == b->st);
    if (a->st != CRM_OK)
        check(strcmp(a->err.message, b->err.message) == 0);
}

static void compare(const uint8_t *d, size_t n, const crm_csv_options *opts)
{
    reading fast, slow;
    open_reading(&fast, d, n, opts, 0);
    open_reading(&slow, d, n, opts, 1);
    same_error(&fast, &slow);
    if (fast.st != CRM_OK)
        return;
    same_record(crm_csv_header(fast.r), crm_csv_header(slow.r));
    for (;;) {
        const crm_csv_record *a = NULL, *b = NULL;
        fast.st = crm_csv_next(fast.r, &a, &fast.err);
        slow.st = crm_csv_next(slow.r, &b, &slow.err);
        same_error(&fast, &slow);
        if (fast.st != CRM_OK)
            break;
        same_record(a, b);
        if (!a)
            break;
    }
    crm_csv_close(fast.r);
    crm_csv_close(slow.r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const char delimiters[] = {',', ';', '\t', ','};
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.delimiter = delimiters[data[0] & 3];
    opts.no_header = (data[0] >> 2) & 1;
    if (data[0] & 8)
        opts.max_record_bytes = 8 + (data[0] >> 4) * 4;   /* 8 .. 68 bytes */
    size_t chunk = 1 + data[1] % 64;
    const uint8_t *csv = data + 2;
    size_t n = size - 2;
    opts.threads = 1;
    compare(csv, n, &opts);
    opts.threads = 2;       /* the fast path in chunks against the same reference */
    opts.chunk_bytes = chunk;
    compare(csv, n, &opts);
    return 0;
}
