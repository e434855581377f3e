/* Fuzz target for the CSV reader (lib/csv.c over lib/input.c).
 *
 * Reads every record of the input four ways (with a header row, without,
 * tab-delimited, converted from gb18030), touching every byte of every
 * field, and checks the reader's promises: fields are NUL-terminated at
 * their length, record numbers count up, and (for plain input) each record's
 * raw bytes are the next bytes of the input after skipped blank lines.
 * Then reads it again with parallel parsing in small chunks and checks that
 * every record, line number, defect (broken quoting included) and the final
 * message are the serial reader's. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crm/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void check(int ok)
{
    if (!ok)
        __builtin_trap();
}

/* The raw span must follow the previous one, past CR/LF bytes only. */
static size_t check_raw(const uint8_t *data, size_t size, size_t at, const crm_csv_record *rec)
{
    if (at == 0 && size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        at = 3;
    while (at < size && (data[at] == '\n' || data[at] == '\r'))
        at++;
    check(rec->raw_len > 0 && rec->raw_len <= size - at);
    check(memcmp(data + at, rec->raw, rec->raw_len) == 0);
    return at + rec->raw_len;
}

static void touch(const crm_csv_reader *r, const crm_csv_record *rec)
{
    unsigned sum = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        for (size_t k = 0; k < rec->lengths[i]; k++)
            sum += (unsigned char)rec->fields[i][k];
        check(rec->fields[i][rec->lengths[i]] == '\0');
        sum += (unsigned char)crm_csv_column_name(r, i)[0];
    }
    for (size_t k = 0; k < rec->raw_len; k++)
        sum += (unsigned char)rec->raw[k];
    if (rec->defect != CRM_CSV_RECORD_OK) {
        crm_error err;
        if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE)
            check(rec->nfields == 0 && rec->raw_len > 0 &&
                  !memchr(rec->raw, '\n', rec->raw_len - 1));   /* one physical line */
        else
            check(rec->defect_field < rec->nfields);
        check(crm_csv_defect_error(r, rec, &err) == CRM_EDATA);
        sum += (unsigned char)err.message[0];
    }
    sink += sum;
}

static void read_all(const uint8_t *data, size_t size, int no_header, char delimiter,
                     const char *encoding)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.encoding = encoding;
    opts.no_header = no_header;
    opts.delimiter = delimiter;
    opts.max_record_bytes = 4096;
    crm_csv_reader *r;
    crm_error err;
    if (crm_csv_open_memory(&r, data, size, "fuzz.csv", &opts, &err) != CRM_OK)
        return;
    int plain = !crm_csv_is_gzip(r) && !encoding;
    size_t at = 0;
    const crm_csv_record *h = crm_csv_header(r);
    if (h) {
        touch(r, h);
        if (plain)
            at = check_raw(data, size, at, h);
        sink += (unsigned)crm_csv_find_column(r, "id");
        sink += (unsigned)crm_csv_column(r, "amount", &err);
        sink += (unsigned)crm_csv_column(r, "2", &err);
    }
    const crm_csv_record *rec;
    /* look at up to three records, then have them handed out again */
    uint64_t lines[3];
    size_t looked = 0;
    check(crm_csv_start_lookahead(r, &err) == CRM_OK);
    while (looked < 3 && crm_csv_next(r, &rec, &err) == CRM_OK && rec) {
        touch(r, rec);
        lines[looked++] = rec->line;
    }
    check(crm_csv_replay(r, &err) == CRM_OK);
    uint64_t number = 0;
    while (crm_csv_next(r, &rec, &err) == CRM_OK && rec) {
        check(rec->number == ++number);
        check(number > looked || rec->line == lines[number - 1]);
        touch(r, rec);
        if (plain)
            at = check_raw(data, size, at, rec);
    }
    crm_csv_close(r);
}

/* A running digest of everything a reader hands out (FNV-1a). */
static uint64_t digest(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

static uint64_t read_digest(const uint8_t *data, size_t size, int threads, size_t chunk)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = threads;
    opts.chunk_bytes = chunk;
    opts.max_record_bytes = 64;
    crm_csv_reader *r;
    crm_error err;
    uint64_t h = 0xcbf29ce484222325u;
    crm_status st = crm_csv_open_memory(&r, data, size, "fuzz.csv", &opts, &err);
    if (st == CRM_OK) {
        const crm_csv_record *rec;
        while ((st = crm_csv_next(r, &rec, &err)) == CRM_OK && rec) {
            h = digest(h, &rec->line, sizeof rec->line);
            h = digest(h, &rec->nfields, sizeof rec->nfields);
            h = digest(h, &rec->defect, sizeof rec->defect);
            h = digest(h, &rec->defect_field, sizeof rec->defect_field);
            h = digest(h, &rec->quote_problem, sizeof rec->quote_problem);
            h = digest(h, &rec->quote_line, sizeof rec->quote_line);
            h = digest(h, &rec->quote_fields, sizeof rec->quote_fields);
            h = digest(h, rec->raw, rec->raw_len);
            for (size_t i = 0; i < rec->nfields; i++)
                h = digest(h, rec->fields[i], rec->lengths[i] + 1);
        }
        crm_csv_close(r);
    }
    h = digest(h, &st, sizeof st);
    if (st != CRM_OK)
        h = digest(h, err.message, strlen(err.message));
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0) {
        uint64_t serial = read_digest(data, size, 1, 0);
        check(read_digest(data, size, 2, 1 + data[0] % 32) == serial);
        check(read_digest(data, size, 3, 1 + data[size - 1] % 97) == serial);
    }
    read_all(data, size, 0, ',', NULL);
    read_all(data, size, 1, ',', NULL);
    read_all(data, size, 0, '\t', NULL);
    read_all(data, size, 0, ',', "gb18030");   /* through iconv */
    return 0;
}
