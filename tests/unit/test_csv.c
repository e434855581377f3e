/* Unit tests of lib/csv.c: the reader (records, line numbers, raw bytes,
 * defects, limits, columns) and the writer (quoting, numbers).
 *
 * Expected fields, line numbers and raw spans are read off the literal
 * inputs by hand; the comments beside each say how. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "crm/csv.h"

static char temp_dir[64];

static int make_temp_dir(void **state)
{
    (void)state;
    strcpy(temp_dir, "/tmp/crm-test-csv-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", temp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void temp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", temp_dir, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1024, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
        assert_non_null(buf);
    }
    fclose(f);
    *len = n;
    return buf;
}

static unsigned char *gzip_bytes(const void *data, size_t n, size_t *len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)n) + 32;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* Opens a literal (length given, so NUL bytes may be inside). */
static crm_csv_reader *open_text(const char *text, size_t len, const crm_csv_options *opts)
{
    crm_csv_reader *r;
    crm_error err;
    crm_error_clear(&err);
    crm_status st = crm_csv_open_memory(&r, text, len, "m.csv", opts, &err);
    if (st != CRM_OK)
        fail_msg("open failed: %s", err.message);
    return r;
}

#define OPEN(lit, opts) open_text(lit, sizeof(lit) - 1, opts)

static const crm_csv_record *next_record(crm_csv_reader *r)
{
    const crm_csv_record *rec;
    crm_error err;
    crm_error_clear(&err);
    crm_status st = crm_csv_next(r, &rec, &err);
    if (st != CRM_OK)
        fail_msg("next failed: %s", err.message);
    return rec;
}

static void expect_field(const crm_csv_record *rec, size_t i, const char *want, size_t want_len)
{
    assert_true(i < rec->nfields);
    assert_int_equal(rec->lengths[i], want_len);
    assert_memory_equal(rec->fields[i], want, want_len);
    assert_int_equal(rec->fields[i][want_len], '\0');
}

#define FIELD(rec, i, lit) expect_field(rec, i, lit, sizeof(lit) - 1)

static void expect_raw(const crm_csv_record *rec, const char *want, size_t want_len)
{
    assert_int_equal(rec->raw_len, want_len);
    assert_memory_equal(rec->raw, want, want_len);
}

#define RAW(rec, lit) expect_raw(rec, lit, sizeof(lit) - 1)

/* Reads to the end and returns the error the reader stops with. */
static crm_status read_until_error(crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        ;
    return st;
}

/* ---- parallel parsing ----
 *
 * The parallel reader promises exactly the serial reader's records, line
 * numbers, raw bytes, defects and messages.  So these tests write down
 * everything a reader hands out and compare the parallel transcript with the
 * serial one, for chunk sizes from 1 byte up (every possible cut), on inputs
 * made to trip the cutting: quoted line breaks, stray quotes that fool the
 * quote count, CR and CRLF endings, blank lines, defects, a record over the
 * limit and an unterminated quote at the end. */

static void write_escaped(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '|')
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

/* Every record (header included) and the final status and message. */
static char *transcript(const char *text, size_t len, int threads, size_t chunk,
                        size_t max_record, int lookahead)
{
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    assert_non_null(f);
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = threads;
    opts.chunk_bytes = chunk;
    opts.max_record_bytes = max_record;
    crm_csv_reader *r;
    crm_error err;
    crm_error_clear(&err);
    crm_status st = crm_csv_open_memory(&r, text, len, "p.csv", &opts, &err);
    if (st == CRM_OK) {
        const crm_csv_record *rec = crm_csv_header(r);
        if (lookahead)
            assert_int_equal(crm_csv_start_lookahead(r, &err), CRM_OK);
        size_t seen = 0;
        while (rec) {
            fprintf(f, "%llu %llu %zu %d %zu", (unsigned long long)rec->line,
                    (unsigned long long)rec->number, rec->nfields, (int)rec->defect,
                    rec->defect_field);
            if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE)
                fprintf(f, " q%d:%llu:%zu", (int)rec->quote_problem,
                        (unsigned long long)rec->quote_line, rec->quote_fields);
            fputc('|', f);
            for (size_t i = 0; i < rec->nfields; i++) {
                assert_int_equal(rec->fields[i][rec->lengths[i]], '\0');
                write_escaped(f, rec->fields[i], rec->lengths[i]);
                fputc('|', f);
            }
            write_escaped(f, rec->raw, rec->raw_len);
            fputc('\n', f);
            if (lookahead && ++seen == 3) {
                assert_int_equal(crm_csv_replay(r, &err), CRM_OK);
                fputs("replay\n", f);
            }
            st = crm_csv_next(r, &rec, &err);
            if (st != CRM_OK)
                break;
        }
        crm_csv_close(r);
    }
    fprintf(f, "status %d %s\n", (int)st, st == CRM_OK ? "" : err.message);
    fclose(f);
    return out;
}

static void expect_same_in_parallel(const char *text, size_t len, size_t max_record)
{
    for (int lookahead = 0; lookahead <= 1; lookahead++) {
        char *serial = transcript(text, len, 1, 0, max_record, lookahead);
        for (int threads = 2; threads <= 3; threads++) {
            for (size_t chunk = 1; chunk <= len + 1; chunk++) {
                char *parallel = transcript(text, len, threads, chunk, max_record, lookahead);
                if (strcmp(serial, parallel) != 0)
                    fail_msg("threads %d, chunk %zu:\n--- serial\n%s--- parallel\n%s", threads,
                             chunk, serial, parallel);
                free(parallel);
            }
        }
        free(serial);
    }
}

#define SAME_IN_PARALLEL(lit, max) expect_same_in_parallel(lit, sizeof(lit) - 1, max)

static void test_parallel_plain_and_quoted(void **state)
{
    (void)state;
    SAME_IN_PARALLEL("id,name,note\n1,Ann,x\n2,Bob,y\n3,Cy,z\n4,Di,w\n", 0);
    /* quoted line breaks and doubled quotes across every possible cut */
    SAME_IN_PARALLEL("id,note\n1,\"two\nlines\"\n2,\"say \"\"hi\"\"\n\nthere\"\n3,\"\"\n4,\"a,b\"\n",
                     0);
    /* no line break at the end */
    SAME_IN_PARALLEL("id,v\n1,a\n2,b\n3,\"c\nd\"", 0);
}

static void test_parallel_line_endings(void **state)
{
    (void)state;
    SAME_IN_PARALLEL("id,v\r\n1,a\r\n\r\n2,b\r\n\n\n3,c\r\n", 0);
    /* lone CR ends a row for libcsv, also inside the cut search */
    SAME_IN_PARALLEL("id,v\r1,a\r2,\"b\rc\"\r3,d\n4,e\r\n", 0);
    SAME_IN_PARALLEL("\xef\xbb\xbfid,v\n\n\n1,a\n\n2,b\n\n", 0);
}

static void test_parallel_stray_quotes(void **state)
{
    (void)state;
    /* an inch mark in an unquoted field is a plain character to libcsv but
     * makes the quote count odd: the cut guesses wrong and must be caught */
    SAME_IN_PARALLEL("id,item,qty\n1,12\" pizza,2\n2,\"box, big\",1\n3,7\" record,4\n"
                     "4,\"multi\nline\",5\n5,plain,6\n",
                     0);
    SAME_IN_PARALLEL("id,item\n1,a\"b\"c\n2,\"d\ne\"\n3,f\"\n4,g\n", 0);
    /* after the inch mark the count is even inside the quoted line break:
     * the cut falls inside a record and the worker must say so */
    SAME_IN_PARALLEL("id,item\n1,12\" pizza\n2,\"multi\nline\"\n3,x\n4,y\n", 0);
}

static void test_parallel_defects_and_errors(void **state)
{
    (void)state;
    /* invalid UTF-8 and a NUL byte are defects of their records */
    SAME_IN_PARALLEL("id,v\n1,ok\n2,bad\xff\n3,\xc3\xa9t\xc3\xa9\n4,n\0l\n5,end\n", 0);
    /* a record over a 12-byte limit in the middle */
    SAME_IN_PARALLEL("id,v\n1,a\n2,0123456789abcdef\n3,c\n", 12);
    /* a quote left open at the end */
    SAME_IN_PARALLEL("id,v\n1,a\n2,\"open\n3,c\n", 0);
    /* broken quoting of every kind, with the good rows around it */
    SAME_IN_PARALLEL("id,v,w\n1,a\"b,x\n2,\"c\"d,y\n3,\"e\n4,f\",z\n5,\"g\nh\",w\n6,i,j\n", 0);
    SAME_IN_PARALLEL("invoice,product,description,quantity,date,price,customer,country\n"
                     "1,A,\"OPEN,1,2011-01-01 10:00:00,1.00,100,UK\n"
                     "2,B,X,1,2011-01-01 10:00:00,1.00,101,UK\n"
                     "3,C,\"Y\",2,2011-01-02 10:00:00,2.00,102,UK\n",
                     0);
    SAME_IN_PARALLEL("id,v\r\n1,a\"b\r\n2,\"c\r\nd\",e\r\n3,f\r\n4,\"open\r\n5,g\r\n", 0);
    SAME_IN_PARALLEL("id,v\r1,\"a\"b\r2,c\r3,\"d\re\",f\r4,g\r", 0);
    /* a broken record that reaches past a 16-byte limit */
    SAME_IN_PARALLEL("id,v\n1,\"a\nbbbbbbbbbbbbbbbbbbbb\n\"x\n2,c\n", 16);
}

/* ---- reader ---- */

static void test_simple_records(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("id,name\n1,Ann\n2,Bob\n", NULL);
    const crm_csv_record *h = crm_csv_header(r);
    assert_non_null(h);
    assert_int_equal(h->nfields, 2);
    FIELD(h, 0, "id");
    FIELD(h, 1, "name");
    assert_int_equal(h->line, 1);
    const crm_csv_record *rec = next_record(r);
    assert_non_null(rec);
    assert_int_equal(rec->number, 1);
    assert_int_equal(rec->line, 2);
    FIELD(rec, 0, "1");
    FIELD(rec, 1, "Ann");
    rec = next_record(r);
    assert_int_equal(rec->number, 2);
    assert_int_equal(rec->line, 3);
    FIELD(rec, 1, "Bob");
    assert_null(next_record(r));
    assert_null(next_record(r));   /* the end stays the end */
    assert_string_equal(crm_csv_input_name(r), "m.csv");
    assert_int_equal(crm_csv_is_gzip(r), 0);
    assert_int_equal(crm_csv_raw_bytes(r), 20);
    crm_csv_close(r);
}

static void test_embedded_newlines_and_line_numbers(void **state)
{
    (void)state;
    /* line 1 header; line 2-3 one record (quoted newline); line 4 next */
    crm_csv_reader *r = OPEN("id,note\n1,\"two\nlines\"\n2,\"a \"\"q\"\"\"\n", NULL);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->line, 2);
    FIELD(rec, 0, "1");
    FIELD(rec, 1, "two\nlines");
    RAW(rec, "1,\"two\nlines\"\n");
    rec = next_record(r);
    assert_int_equal(rec->line, 4);
    FIELD(rec, 1, "a \"q\"");
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_crlf_and_raw_bytes(void **state)
{
    (void)state;
    /* lines: 1 header, 2 "1,2", 3 blank, 4-5 quoted CRLF inside, 6 "4,5"
     * without a final line ending */
    crm_csv_reader *r = OPEN("h1,h2\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n4,5", NULL);
    const crm_csv_record *h = crm_csv_header(r);
    FIELD(h, 1, "h2");
    RAW(h, "h1,h2\r\n");
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->line, 2);
    FIELD(rec, 1, "2");
    RAW(rec, "1,2\r\n");
    rec = next_record(r);
    assert_int_equal(rec->line, 4);
    FIELD(rec, 1, "x\r\ny");
    RAW(rec, "3,\"x\r\ny\"\r\n");
    rec = next_record(r);
    assert_int_equal(rec->line, 6);
    FIELD(rec, 0, "4");
    FIELD(rec, 1, "5");
    RAW(rec, "4,5");
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_blank_lines_keep_line_numbers(void **state)
{
    (void)state;
    /* blank lines 2, 3 and 5 are skipped; records on lines 4 and 6 */
    crm_csv_reader *r = OPEN("a\n\n\n1\n\r\n2\n\n", NULL);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->line, 4);
    RAW(rec, "1\n");
    rec = next_record(r);
    assert_int_equal(rec->line, 6);
    assert_int_equal(rec->number, 2);
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_lone_cr_ends_a_record(void **state)
{
    (void)state;
    /* old Mac line ends: libcsv ends rows at CR; lines count LF only */
    crm_csv_reader *r = OPEN("a,b\r1,2\r3,4", NULL);
    const crm_csv_record *rec = next_record(r);
    FIELD(rec, 1, "2");
    RAW(rec, "1,2\r");
    assert_int_equal(rec->line, 1);
    rec = next_record(r);
    RAW(rec, "3,4");
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_pipe_partial_reads(void **state)
{
    (void)state;
    /* the first read ends with the CR of a CRLF: the record must still end
     * after the LF that arrives later, and the BOM arrives split in two */
    static const char part1[] = "\xef\xbb";
    static const char part2[] = "\xbf" "a,b\n1,2\r";
    static const char part3[] = "\n3,4\n";
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(fds[0]);
        int ok = write(fds[1], part1, 2) == 2;
        usleep(150000);
        ok = ok && write(fds[1], part2, sizeof part2 - 1) == (ssize_t)(sizeof part2 - 1);
        usleep(150000);
        ok = ok && write(fds[1], part3, sizeof part3 - 1) == (ssize_t)(sizeof part3 - 1);
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open(&r, path, NULL, &err), CRM_OK);
    FIELD(crm_csv_header(r), 0, "a");
    const crm_csv_record *rec = next_record(r);
    RAW(rec, "1,2\r\n");
    assert_int_equal(rec->line, 2);
    rec = next_record(r);
    RAW(rec, "3,4\n");
    assert_int_equal(rec->line, 3);
    assert_null(next_record(r));
    crm_csv_close(r);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(status, 0);
}

static void test_bom(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("\xef\xbb\xbfid,name\n1,\xef\xbb\xbfx\n", NULL);
    const crm_csv_record *h = crm_csv_header(r);
    FIELD(h, 0, "id");
    RAW(h, "id,name\n");
    assert_int_equal(crm_csv_column(r, "id", NULL), 0);
    /* only the mark at the very start is removed */
    const crm_csv_record *rec = next_record(r);
    FIELD(rec, 1, "\xef\xbb\xbfx");
    crm_csv_close(r);
}

static void test_tab_delimiter_and_no_trimming(void **state)
{
    (void)state;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.delimiter = '\t';
    crm_csv_reader *r = OPEN("a\tb\tc\n x,y \t\t\" q \"\n", &opts);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->nfields, 3);
    FIELD(rec, 0, " x,y ");   /* commas are data, spaces are kept */
    FIELD(rec, 1, "");
    FIELD(rec, 2, " q ");
    crm_csv_close(r);

    /* spaces around a comma-separated field stay too */
    r = OPEN("a,b\n  x , y \n", NULL);
    rec = next_record(r);
    FIELD(rec, 0, "  x ");
    FIELD(rec, 1, " y ");
    crm_csv_close(r);

    /* but a quote after a space is inside an unquoted field: broken quoting */
    r = OPEN("a,b\n  x , \"y\" \n", NULL);
    rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_BAD_QUOTE);
    assert_int_equal(rec->quote_problem, CRM_CSV_QUOTE_IN_FIELD);
    assert_int_equal(rec->defect_field, 1);
    crm_csv_close(r);
}

static void test_ragged_rows_are_returned(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("a,b\n1\n1,2,3\n,\n", NULL);
    assert_int_equal(next_record(r)->nfields, 1);
    assert_int_equal(next_record(r)->nfields, 3);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->nfields, 2);
    FIELD(rec, 0, "");
    FIELD(rec, 1, "");
    crm_csv_close(r);
}

static void test_gzip_memory_and_file(void **state)
{
    (void)state;
    static const char text[] = "customer_id,amount\n17,12.50\n18,3\n";
    size_t zlen;
    unsigned char *z = gzip_bytes(text, sizeof text - 1, &zlen);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, z, zlen, "m.csv.gz", NULL, &err), CRM_OK);
    assert_int_equal(crm_csv_is_gzip(r), 1);
    const crm_csv_record *rec = next_record(r);
    FIELD(rec, 1, "12.50");
    rec = next_record(r);
    assert_int_equal(rec->line, 3);
    assert_null(next_record(r));
    assert_int_equal(crm_csv_raw_bytes(r), zlen);
    crm_csv_close(r);

    char path[128];
    temp_path(path, sizeof path, "in.csv.gz");
    write_file(path, z, zlen);
    assert_int_equal(crm_csv_open(&r, path, NULL, &err), CRM_OK);
    assert_int_equal(crm_csv_column(r, "amount", &err), 1);
    assert_non_null(next_record(r));
    assert_non_null(next_record(r));
    assert_null(next_record(r));
    crm_csv_close(r);
    free(z);
}

static void test_gzip_concatenated(void **state)
{
    (void)state;
    size_t l1, l2;
    unsigned char *m1 = gzip_bytes("a,b\n1,2\n", 8, &l1);
    unsigned char *m2 = gzip_bytes("3,4\n", 4, &l2);
    unsigned char *both = malloc(l1 + l2);
    memcpy(both, m1, l1);
    memcpy(both + l1, m2, l2);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, both, l1 + l2, "ab.gz", NULL, &err), CRM_OK);
    FIELD(next_record(r), 0, "1");
    const crm_csv_record *rec = next_record(r);
    FIELD(rec, 0, "3");
    assert_int_equal(rec->line, 3);
    assert_null(next_record(r));
    crm_csv_close(r);
    free(both);
    free(m1);
    free(m2);
}

/* A read error met while reading ahead comes after exactly the records
 * the serial reader delivers before it. */
static void test_parallel_read_error(void **state)
{
    (void)state;
    size_t n = 256u << 10;
    char *text = malloc(n);
    memcpy(text, "a,b\n", 4);
    for (size_t i = 4; i < n; i += 4)
        memcpy(text + i, (i / 4) % 7 ? "1,2\n" : "\"x\n\"\n", 4);
    size_t zlen;
    unsigned char *z = gzip_bytes(text, n, &zlen);
    char *serial = transcript((const char *)z, zlen - 20, 1, 0, 0, 0);
    assert_non_null(strstr(serial, "truncated gzip stream"));
    static const size_t chunks[] = {100, 5000, 70000};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        char *parallel = transcript((const char *)z, zlen - 20, 2, chunks[i], 0, 0);
        assert_string_equal(serial, parallel);
        free(parallel);
    }
    free(serial);
    free(z);
    free(text);
}

static void test_gzip_truncated(void **state)
{
    (void)state;
    /* large enough that the header is read before the cut is reached */
    size_t n = 3u << 20;
    char *text = malloc(n);
    memcpy(text, "a,b\n", 4);
    for (size_t i = 4; i < n; i += 4)
        memcpy(text + i, "1,2\n", 4);
    size_t zlen;
    unsigned char *z = gzip_bytes(text, n, &zlen);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, z, zlen - 20, "t.csv.gz", NULL, &err), CRM_OK);
    assert_int_equal(read_until_error(r, &err), CRM_EDATA);
    assert_string_equal(err.message, "t.csv.gz: truncated gzip stream (unexpected end of file)");
    crm_csv_close(r);
    /* a short file: what was decompressed comes first, then the error */
    unsigned char *small = gzip_bytes("a,b\n1,2\n", 8, &zlen);
    assert_int_equal(crm_csv_open_memory(&r, small, zlen - 4, "s.gz", NULL, &err), CRM_OK);
    FIELD(next_record(r), 1, "2");
    assert_int_equal(read_until_error(r, &err), CRM_EDATA);
    assert_string_equal(err.message, "s.gz: truncated gzip stream (unexpected end of file)");
    crm_csv_close(r);
    /* cut inside the compressed data itself, header never complete */
    assert_int_equal(crm_csv_open_memory(&r, small, 12, "s.gz", NULL, &err), CRM_EDATA);
    assert_string_equal(err.message, "s.gz: truncated gzip stream (unexpected end of file)");
    free(small);
    free(z);
    free(text);
}

static void test_block_boundaries(void **state)
{
    (void)state;
    /* about 3.4 MB: records of 3 lines each cross the 1 MiB read blocks at
     * every possible place; raw bytes must add up to the input exactly */
    const size_t rows = 120000;
    size_t cap = 16 + rows * 40, n = 0;
    char *text = malloc(cap);
    n += (size_t)sprintf(text, "id,note,x\r\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)sprintf(text + n, "%zu,\"a\nb,\"\"%zu\"\"\r\nc\",%s\r\n", i, i % 7,
                             i % 3 ? "zz" : "");
    crm_csv_reader *r = open_text(text, n, NULL);
    size_t header_len = crm_csv_header(r)->raw_len, pos = header_len, count = 0;
    const crm_csv_record *rec;
    while ((rec = next_record(r)) != NULL) {
        assert_int_equal(rec->nfields, 3);
        assert_int_equal(rec->line, 2 + 3 * count);   /* three lines per record */
        assert_memory_equal(rec->raw, text + pos, rec->raw_len);
        char want[64];
        int wn = sprintf(want, "a\nb,\"%zu\"\r\nc", count % 7);
        expect_field(rec, 1, want, (size_t)wn);
        pos += rec->raw_len;
        count++;
    }
    assert_int_equal(count, rows);
    assert_int_equal(pos, n);
    crm_csv_close(r);
    free(text);
}

/* Reads text (rows lines after the header) and checks that line k is a
 * record of its own, broken exactly when k % 10 is 3, 7 or 8. */
static void expect_broken_lines(const char *text, size_t n, size_t rows, int threads)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = threads;
    opts.chunk_bytes = 200000;
    crm_csv_reader *r = open_text(text, n, &opts);
    size_t pos = crm_csv_header(r)->raw_len, count = 0, broken = 0;
    const crm_csv_record *rec;
    while ((rec = next_record(r)) != NULL) {
        const char *eol = memchr(text + pos, '\n', n - pos);
        assert_non_null(eol);
        size_t line_len = (size_t)(eol + 1 - (text + pos));
        assert_int_equal(rec->line, 2 + count);   /* one line per record */
        assert_int_equal(rec->raw_len, line_len);
        assert_memory_equal(rec->raw, text + pos, line_len);
        if (count % 10 == 3 || count % 10 == 7 || count % 10 == 8) {
            assert_int_equal(rec->defect, CRM_CSV_RECORD_BAD_QUOTE);
            /* the quote open after 'open' closes at the next line's 'x"',
             * and 'y' is text after it */
            assert_int_equal(rec->quote_problem, count % 10 == 7 ? CRM_CSV_QUOTE_TEXT_AFTER
                                                                 : CRM_CSV_QUOTE_IN_FIELD);
            assert_int_equal(rec->quote_line, count % 10 == 7 ? rec->line + 1 : rec->line);
            broken++;
        } else {
            assert_int_equal(rec->defect, CRM_CSV_RECORD_OK);
            assert_int_equal(rec->nfields, 3);
        }
        pos += rec->raw_len;
        count++;
    }
    assert_int_equal(count, rows);
    assert_int_equal(broken, 3 * rows / 10);
    assert_int_equal(pos, n);
    crm_csv_close(r);
}

static void test_block_boundaries_broken_lines(void **state)
{
    (void)state;
    /* about 2.7 MB of lines, three in ten broken ('12" pizza', or a quote
     * left open till the next line's 'x"y'); the header's length shifts
     * the read blocks (64 KiB, then growing to 1 MiB) over 16 offsets, so
     * that they cut broken lines at many places: a broken record is still
     * its first line exactly, serial and parallel */
    const size_t rows = 100000;
    /* a long tail after each stray quote: a block cut there is the case */
    const char *tail = " with a long tail of words after the stray quote";
    size_t cap = 64 + rows * 80;
    char *text = malloc(cap);
    for (int pad = 0; pad < 16; pad++) {
        size_t n = (size_t)sprintf(text, "id,item,qty%.*s\n", pad, "________________");
        for (size_t i = 0; i < rows; i++) {
            if (i % 10 == 3)
                n += (size_t)sprintf(text + n, "%zu,12\" pizza%s,%zu\n", i, tail, i % 9);
            else if (i % 10 == 7)
                n += (size_t)sprintf(text + n, "%zu,\"open,%zu\n", i, i % 9);
            else if (i % 10 == 8)
                n += (size_t)sprintf(text + n, "%zu,x\"y%s,%zu\n", i, tail, i % 9);
            else
                n += (size_t)sprintf(text + n, "%zu,item %zu,%zu\n", i, i % 50, i % 9);
        }
        expect_broken_lines(text, n, rows, 1);
        if (pad == 0)
            expect_broken_lines(text, n, rows, 3);
    }
    free(text);
}

static void test_lookahead_and_replay(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("d,v\n2011-01-02,\"a\nb\"\n2011-01-03,x\0\n2011-01-04,c\r\n", NULL);
    crm_error err;
    assert_int_equal(crm_csv_start_lookahead(r, &err), CRM_OK);
    assert_int_equal(crm_csv_start_lookahead(r, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "m.csv: a lookahead is already in progress");
    FIELD(next_record(r), 0, "2011-01-02");
    FIELD(next_record(r), 0, "2011-01-03");
    assert_int_equal(crm_csv_replay(r, &err), CRM_OK);
    /* the two records again, exactly as first read (lines 2-3 and 4) */
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->number, 1);
    assert_int_equal(rec->line, 2);
    FIELD(rec, 0, "2011-01-02");
    FIELD(rec, 1, "a\nb");
    RAW(rec, "2011-01-02,\"a\nb\"\n");
    rec = next_record(r);
    assert_int_equal(rec->number, 2);
    assert_int_equal(rec->line, 4);
    expect_field(rec, 1, "x\0", 2);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_NUL_BYTE);
    assert_int_equal(rec->defect_field, 1);
    /* then reading goes on */
    rec = next_record(r);
    assert_int_equal(rec->number, 3);
    assert_int_equal(rec->line, 5);
    RAW(rec, "2011-01-04,c\r\n");
    assert_null(next_record(r));
    assert_int_equal(crm_csv_replay(r, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "m.csv: replay without a lookahead");
    crm_csv_close(r);

    /* a lookahead that reaches the end replays everything, then the end */
    r = OPEN("a\n1\n2\n", NULL);
    assert_int_equal(crm_csv_start_lookahead(r, &err), CRM_OK);
    assert_non_null(next_record(r));
    assert_non_null(next_record(r));
    assert_null(next_record(r));
    assert_int_equal(crm_csv_replay(r, &err), CRM_OK);
    FIELD(next_record(r), 0, "1");
    FIELD(next_record(r), 0, "2");
    assert_null(next_record(r));
    /* a second lookahead after the first is over */
    assert_int_equal(crm_csv_start_lookahead(r, &err), CRM_OK);
    assert_null(next_record(r));
    assert_int_equal(crm_csv_replay(r, &err), CRM_OK);
    assert_null(next_record(r));
    crm_csv_close(r);

    /* a lookahead with nothing read replays nothing */
    r = OPEN("a\n1\n", NULL);
    assert_int_equal(crm_csv_start_lookahead(r, &err), CRM_OK);
    assert_int_equal(crm_csv_replay(r, &err), CRM_OK);
    FIELD(next_record(r), 0, "1");
    crm_csv_close(r);
}

static void test_nul_byte_defect(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("a,b\n1,x\0y\n2,ok\n", NULL);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_NUL_BYTE);
    assert_int_equal(rec->defect_field, 1);
    expect_field(rec, 1, "x\0y", 3);
    crm_error err;
    assert_int_equal(crm_csv_defect_error(r, rec, &err), CRM_EDATA);
    assert_string_equal(err.message, "m.csv:2: column 'b': NUL byte in the value");
    rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_OK);
    assert_int_equal(crm_csv_defect_error(r, rec, &err), CRM_OK);
    crm_csv_close(r);
}

static void test_invalid_utf8_defects(void **state)
{
    (void)state;
    /* per line: valid é (c3 a9), valid U+1F600 (f0 9f 98 80), then invalid:
     * ff, overlong c0 af, surrogate ed a0 80, above U+10FFFF f4 90 80 80,
     * cut sequence e4 b8, lone continuation 80 */
    crm_csv_reader *r = OPEN("a,b\n"
                             "caf\xc3\xa9,\xf0\x9f\x98\x80\n"
                             "\xff,ok\n"
                             "ok,\xc0\xaf\n"
                             "ok,x\xed\xa0\x80\n"
                             "ok,\xf4\x90\x80\x80\n"
                             "ok,0123456789\xe4\xb8\n"
                             "ok,\x80\n",
                             NULL);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_OK);
    rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_INVALID_UTF8);
    assert_int_equal(rec->defect_field, 0);
    crm_error err;
    assert_int_equal(crm_csv_defect_error(r, rec, &err), CRM_EDATA);
    assert_string_equal(err.message, "m.csv:3: column 'a': invalid UTF-8 in the value '\\xff'");
    for (int i = 0; i < 5; i++) {
        rec = next_record(r);
        assert_int_equal(rec->defect, CRM_CSV_RECORD_INVALID_UTF8);
        assert_int_equal(rec->defect_field, 1);
        assert_int_equal(rec->line, 4 + i);
    }
    assert_null(next_record(r));
    crm_csv_close(r);
}

/* ---- strict records ---- */

/* The serial transcript must be `want`, and the parallel ones the same. */
static void expect_records(const char *text, size_t len, const char *want)
{
    char *got = transcript(text, len, 1, 0, 0, 0);
    if (strcmp(got, want) != 0)
        fail_msg("--- got\n%s--- want\n%s", got, want);
    free(got);
    expect_same_in_parallel(text, len, 0);
}

#define EXPECT_RECORDS(lit, want) expect_records(lit, sizeof(lit) - 1, want)

/* The message crm_csv_defect_error gives for the first broken record. */
static void expect_bad_quote_message(const char *text, const char *want)
{
    crm_csv_reader *r = open_text(text, strlen(text), NULL);
    const crm_csv_record *rec;
    while ((rec = next_record(r)) != NULL && rec->defect != CRM_CSV_RECORD_BAD_QUOTE)
        ;
    assert_non_null(rec);
    crm_error err;
    assert_int_equal(crm_csv_defect_error(r, rec, &err), CRM_EDATA);
    assert_string_equal(err.message, want);
    crm_csv_close(r);
}

static void test_strict_issue_repro(void **state)
{
    (void)state;
    /* issue 10: non-strict libcsv glued lines 2-4 into one row with the
     * invoice of line 2 and the customer of line 4.  Strict, the quote
     * opened on line 2 runs on to line 4, where the quote before 'Y' closes
     * it and 'Y' is text after a closing quote: line 2 alone is broken, and
     * lines 3 and 4 are read again as the good records they are. */
    EXPECT_RECORDS("invoice,product,description,quantity,date,price,customer,country\n"
                   "1,A,\"OPEN,1,2011-01-01 10:00:00,1.00,100,UK\n"
                   "2,B,X,1,2011-01-01 10:00:00,1.00,101,UK\n"
                   "3,C,\"Y\",2,2011-01-02 10:00:00,2.00,102,UK\n",
                   "1 0 8 0 0|invoice|product|description|quantity|date|price|customer|country|"
                   "invoice,product,description,quantity,date,price,customer,country\\x0a\n"
                   "2 1 0 3 2 q2:4:0|1,A,\"OPEN,1,2011-01-01 10:00:00,1.00,100,UK\\x0a\n"
                   "3 2 8 0 0|2|B|X|1|2011-01-01 10:00:00|1.00|101|UK|"
                   "2,B,X,1,2011-01-01 10:00:00,1.00,101,UK\\x0a\n"
                   "4 3 8 0 0|3|C|Y|2|2011-01-02 10:00:00|2.00|102|UK|"
                   "3,C,\"Y\",2,2011-01-02 10:00:00,2.00,102,UK\\x0a\n"
                   "status 0 \n");
    expect_bad_quote_message("invoice,product,description,quantity,date,price,customer,country\n"
                             "1,A,\"OPEN,1,2011-01-01 10:00:00,1.00,100,UK\n"
                             "2,B,X,1,2011-01-01 10:00:00,1.00,101,UK\n"
                             "3,C,\"Y\",2,2011-01-02 10:00:00,2.00,102,UK\n",
                             "m.csv:2: column 'description': bad quoting: a quote open at the end "
                             "of this line carries the record on to line 4, which has text after "
                             "the closing quote of a field");
}

static void test_strict_one_line(void **state)
{
    (void)state;
    /* a quote inside an unquoted field, text after a closing quote; the
     * record after each is read as it is */
    EXPECT_RECORDS("id,v,w\n1,a\"b,x\n2,\"c\"d,y\n3,e,z\n",
                   "1 0 3 0 0|id|v|w|id,v,w\\x0a\n"
                   "2 1 0 3 1 q1:2:0|1,a\"b,x\\x0a\n"
                   "3 2 0 3 1 q2:3:0|2,\"c\"d,y\\x0a\n"
                   "4 3 3 0 0|3|e|z|3,e,z\\x0a\n"
                   "status 0 \n");
    expect_bad_quote_message("id,v,w\n1,a\"b,x\n",
                             "m.csv:2: column 'v': bad quoting: a quote inside an unquoted field");
    expect_bad_quote_message("id,v,w\n2,\"c\"d,y\n", "m.csv:2: column 'v': bad quoting: text after "
                                                     "the closing quote of a field");
    /* a space before the opening quote makes it a quote inside the field;
     * a space after the closing quote is text after it */
    EXPECT_RECORDS("a,b\n1, \"x\"\n2,\"y\" \n3,\"\"\"\"\n",
                   "1 0 2 0 0|a|b|a,b\\x0a\n"
                   "2 1 0 3 1 q1:2:0|1, \"x\"\\x0a\n"
                   "3 2 0 3 1 q2:3:0|2,\"y\" \\x0a\n"
                   "4 3 2 0 0|3|\"|3,\"\"\"\"\\x0a\n"
                   "status 0 \n");
    /* CRLF, and a broken last line without a line break */
    EXPECT_RECORDS("id,v\r\n1,a\"b\r\n2,c\r\n3,\"d\"e",
                   "1 0 2 0 0|id|v|id,v\\x0d\\x0a\n"
                   "2 1 0 3 1 q1:2:0|1,a\"b\\x0d\\x0a\n"
                   "3 2 2 0 0|2|c|2,c\\x0d\\x0a\n"
                   "4 3 0 3 1 q2:4:0|3,\"d\"e\n"
                   "status 0 \n");
}

static void test_strict_open_quote_at_end(void **state)
{
    (void)state;
    /* the quote of line 3 is never closed: line 3 is broken, line 4 is read
     * on its own */
    EXPECT_RECORDS("id,v\n1,a\n2,\"open\n3,c\n",
                   "1 0 2 0 0|id|v|id,v\\x0a\n"
                   "2 1 2 0 0|1|a|1,a\\x0a\n"
                   "3 2 0 3 1 q3:4:0|2,\"open\\x0a\n"
                   "4 3 2 0 0|3|c|3,c\\x0a\n"
                   "status 0 \n");
    expect_bad_quote_message("id,v\n1,a\n2,\"open\n3,c\n",
                             "m.csv:3: column 'v': bad quoting: a quoted field is still open at "
                             "the end of the input (line 4)");
    /* record from line 2; its first quoted field closes on line 3 and the
     * second opens there and runs to the end: line 2 is broken, line 3 too
     * (a quote inside 'fine"'), and lines 4 and 5 are records of one field */
    EXPECT_RECORDS("a,b,c\n1,\"ok\nfine\",\"open\nrest\nend",
                   "1 0 3 0 0|a|b|c|a,b,c\\x0a\n"
                   "2 1 0 3 1 q3:5:0|1,\"ok\\x0a\n"
                   "3 2 0 3 0 q1:3:0|fine\",\"open\\x0a\n"
                   "4 3 1 0 0|rest|rest\\x0a\n"
                   "5 4 1 0 0|end|end\n"
                   "status 0 \n");
    /* a closed quote at the very end without a newline is fine */
    crm_csv_reader *r = OPEN("a\n\"x\"", NULL);
    FIELD(next_record(r), 0, "x");
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_strict_multi_line(void **state)
{
    (void)state;
    /* a quoted line break that keeps the header's width is one record */
    EXPECT_RECORDS("id,v\n1,\"a\nb\"\n2,c\n",
                   "1 0 2 0 0|id|v|id,v\\x0a\n"
                   "2 1 2 0 0|1|a\\x0ab|1,\"a\\x0ab\"\\x0a\n"
                   "4 2 2 0 0|2|c|2,c\\x0a\n"
                   "status 0 \n");
    /* one that ends three fields wide is broken; line 3 read alone has a
     * quote inside an unquoted field; line 4 is good */
    EXPECT_RECORDS("id,v\n1,\"a\n2,b\",x\n3,c\n",
                   "1 0 2 0 0|id|v|id,v\\x0a\n"
                   "2 1 0 3 1 q4:3:3|1,\"a\\x0a\n"
                   "3 2 0 3 1 q1:3:0|2,b\",x\\x0a\n"
                   "4 3 2 0 0|3|c|3,c\\x0a\n"
                   "status 0 \n");
    expect_bad_quote_message("id,v\n1,\"a\n2,b\",x\n3,c\n",
                             "m.csv:2: column 'v': bad quoting: a quote open at the end of this "
                             "line carries the record on to line 3, where it ends with 3 fields, "
                             "expected 2");
    /* a broken record over several lines, then good lines: each line after
     * the first is read again, so every good one is kept */
    EXPECT_RECORDS("id,v\n1,\"x\n2,a\n3,b\n4,\"c\"d\n5,e\n",
                   "1 0 2 0 0|id|v|id,v\\x0a\n"
                   "2 1 0 3 1 q2:5:0|1,\"x\\x0a\n"
                   "3 2 2 0 0|2|a|2,a\\x0a\n"
                   "4 3 2 0 0|3|b|3,b\\x0a\n"
                   "5 4 0 3 1 q2:5:0|4,\"c\"d\\x0a\n"
                   "6 5 2 0 0|5|e|5,e\\x0a\n"
                   "status 0 \n");
    /* without a header the width is unknown: only libcsv's verdict counts */
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = 1;
    crm_csv_reader *r = OPEN("1,\"a\n2,b\",x\n", &opts);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_OK);
    assert_int_equal(rec->nfields, 3);
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_strict_run_on_past_limit(void **state)
{
    (void)state;
    /* a quote that carries the record past the 48-byte limit (at line 5:
     * 5 + 21 + 21 + 21 bytes): line 2 is broken (not the whole input an
     * error), and lines 3-6 read again are good; a single line over the
     * limit is still an error */
    const char text[] = "id,v\n1,\"a\nbbbbbbbbbbbbbbbbbbbb\nbbbbbbbbbbbbbbbbbbbb\nbbbbbbbbbbbbbbbbbbbb\n2,c\n";
    char *got = transcript(text, sizeof text - 1, 1, 0, 48, 0);
    assert_string_equal(got, "1 0 2 0 0|id|v|id,v\\x0a\n"
                             "2 1 0 3 1 q5:5:0|1,\"a\\x0a\n"
                             "3 2 1 0 0|bbbbbbbbbbbbbbbbbbbb|bbbbbbbbbbbbbbbbbbbb\\x0a\n"
                             "4 3 1 0 0|bbbbbbbbbbbbbbbbbbbb|bbbbbbbbbbbbbbbbbbbb\\x0a\n"
                             "5 4 1 0 0|bbbbbbbbbbbbbbbbbbbb|bbbbbbbbbbbbbbbbbbbb\\x0a\n"
                             "6 5 2 0 0|2|c|2,c\\x0a\n"
                             "status 0 \n");
    free(got);
    expect_same_in_parallel(text, sizeof text - 1, 48);
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.max_record_bytes = 48;
    crm_csv_reader *r = open_text(text, sizeof text - 1, &opts);
    const crm_csv_record *rec = next_record(r);
    crm_error err;
    assert_int_equal(crm_csv_defect_error(r, rec, &err), CRM_EDATA);
    assert_string_equal(err.message, "m.csv:2: column 'v': bad quoting: a quote open at the end of "
                                     "this line carries the record on to line 5 and past the "
                                     "record size limit (see --max-field-size)");
    crm_csv_close(r);
    const char one_line[] = "id,v\n1,\"a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n";
    got = transcript(one_line, sizeof one_line - 1, 1, 0, 48, 0);
    assert_string_equal(got, "1 0 2 0 0|id|v|id,v\\x0a\n"
                             "2 1 0 3 1 q5:3:0|1,\"a\\x0a\n"
                             "status 4 p.csv:3: record larger than the 48 byte limit (see "
                             "--max-field-size)\n");
    free(got);
}

static void test_strict_header_and_width(void **state)
{
    (void)state;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, "id,\"v\nx\n", 8, "h.csv", NULL, &err), CRM_EDATA);
    assert_string_equal(err.message, "h.csv:1: the header row: bad quoting: a quoted field is "
                                     "still open at the end of the input (line 2)");
    assert_int_equal(crm_csv_open_memory(&r, "id,v\"\n1,2\n", 10, "h.csv", NULL, &err),
                     CRM_EDATA);
    assert_string_equal(err.message,
                        "h.csv:1: the header row: bad quoting: a quote inside an unquoted field");
    r = OPEN("a,b\n1,2\n1,2,3\n1\n", NULL);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(crm_csv_check_width(r, rec, 2, &err), CRM_OK);
    rec = next_record(r);
    assert_int_equal(crm_csv_check_width(r, rec, 2, &err), CRM_EDATA);
    assert_string_equal(err.message, "m.csv:3: expected 2 fields, found 3");
    rec = next_record(r);
    assert_int_equal(crm_csv_check_width(r, rec, 2, &err), CRM_EDATA);
    assert_string_equal(err.message, "m.csv:4: expected 2 fields, found 1");
    crm_csv_close(r);
}

static void test_strict_lookahead_keeps_quote_details(void **state)
{
    (void)state;
    crm_error err;
    crm_csv_reader *r = OPEN("id,v\n1,\"a\n2,b\",x\n3,c\n", NULL);
    assert_int_equal(crm_csv_start_lookahead(r, &err), CRM_OK);
    while (next_record(r))
        ;
    assert_int_equal(crm_csv_replay(r, &err), CRM_OK);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_BAD_QUOTE);
    assert_int_equal(rec->quote_problem, CRM_CSV_QUOTE_FIELD_COUNT);
    assert_int_equal(rec->quote_line, 3);
    assert_int_equal(rec->quote_fields, 3);
    assert_int_equal(rec->nfields, 0);
    expect_raw(rec, "1,\"a\n", 5);
    crm_csv_close(r);
}

static void test_record_size_limit(void **state)
{
    (void)state;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.max_record_bytes = 64;
    crm_error err;
    /* line 3 is 65 bytes with its newline: one too many */
    char text[256];
    int n = sprintf(text, "a,b\n1,2\n%s,%s\n", "0123456789012345678901234567890",
                    "01234567890123456789012345678901");
    crm_csv_reader *r = open_text(text, (size_t)n, &opts);
    assert_non_null(next_record(r));
    assert_int_equal(read_until_error(r, &err), CRM_ENOMEM);
    assert_string_equal(err.message,
                        "m.csv:3: record larger than the 64 byte limit (see --max-field-size)");
    crm_csv_close(r);
    /* exactly 64 bytes is allowed */
    n = sprintf(text, "a,b\n%s,%s\n", "0123456789012345678901234567890",
                "0123456789012345678901234567890");
    r = open_text(text, (size_t)n, &opts);
    assert_int_equal(next_record(r)->raw_len, 64);
    crm_csv_close(r);

    /* a field far larger than the limit and the read blocks fails without
     * holding it: 5 MiB in one unterminated quoted field, limit 1 MiB */
    size_t big = 5u << 20;
    char *huge = malloc(big);
    memcpy(huge, "a\n\"", 3);
    memset(huge + 3, 'x', big - 3);
    opts.max_record_bytes = 1u << 20;
    crm_csv_reader *hr;
    assert_int_equal(crm_csv_open_memory(&hr, huge, big, "h.csv", &opts, &err), CRM_OK);
    assert_int_equal(read_until_error(hr, &err), CRM_ENOMEM);
    assert_string_equal(err.message,
                        "h.csv:2: record larger than the 1 MiB limit (see --max-field-size)");
    crm_csv_close(hr);
    /* the header is a record too */
    memset(huge, 'y', big);
    assert_int_equal(crm_csv_open_memory(&hr, huge, big, "h.csv", &opts, &err), CRM_ENOMEM);
    assert_string_equal(err.message,
                        "h.csv:1: record larger than the 1 MiB limit (see --max-field-size)");
    free(huge);
}

static void test_empty_input(void **state)
{
    (void)state;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, "", 0, "e.csv", NULL, &err), CRM_EDATA);
    assert_null(r);
    assert_string_equal(err.message, "e.csv: empty file: no header row");
    assert_int_equal(crm_csv_open_memory(&r, "\xef\xbb\xbf", 3, "e.csv", NULL, &err), CRM_EDATA);
    assert_string_equal(err.message, "e.csv: empty file: no header row");
    assert_int_equal(crm_csv_open_memory(&r, "\n\r\n", 3, "e.csv", NULL, &err), CRM_EDATA);
    assert_string_equal(err.message, "e.csv: empty file: no header row");
    /* without a header an empty input is just no records */
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = 1;
    assert_int_equal(crm_csv_open_memory(&r, "", 0, "e.csv", &opts, &err), CRM_OK);
    assert_null(crm_csv_header(r));
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_header_only(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("a,b\n", NULL);
    assert_int_equal(crm_csv_header(r)->nfields, 2);
    assert_null(next_record(r));
    crm_csv_close(r);
    r = OPEN("a,b", NULL);
    FIELD(crm_csv_header(r), 1, "b");
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_columns_by_name(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN(" Customer ID ,amount,Amount,date\n", NULL);
    crm_error err;
    /* exact first; the exact match wins over a loose one */
    assert_int_equal(crm_csv_column(r, "Amount", &err), 2);
    assert_int_equal(crm_csv_column(r, "amount", &err), 1);
    /* then ignoring case and surrounding white space */
    assert_int_equal(crm_csv_column(r, "customer id", &err), 0);
    assert_int_equal(crm_csv_column(r, "DATE", &err), 3);
    assert_int_equal(crm_csv_find_column(r, "Date "), 3);
    /* loose matches of two columns are ambiguous */
    assert_int_equal(crm_csv_column(r, "AMOUNT", &err), -1);
    assert_int_equal(err.status, CRM_EDATA);
    assert_string_equal(err.message,
                        "m.csv: column 'AMOUNT' appears twice in the header (columns 2 and 3)");
    assert_int_equal(crm_csv_find_column(r, "AMOUNT"), -1);
    assert_string_equal(crm_csv_column_name(r, 3), "date");
    assert_string_equal(crm_csv_column_name(r, 7), "#8");
    crm_csv_close(r);
}

static void test_duplicate_and_missing_columns(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("id,x,b,c,x\n", NULL);
    crm_error err;
    assert_int_equal(crm_csv_column(r, "x", &err), -1);
    assert_string_equal(err.message,
                        "m.csv: column 'x' appears twice in the header (columns 2 and 5)");
    assert_int_equal(crm_csv_column(r, "q", &err), -1);
    assert_int_equal(err.status, CRM_EDATA);
    assert_string_equal(err.message, "m.csv: no column 'q' (columns: id, x, b, c, x)");
    assert_int_equal(crm_csv_find_column(r, "q"), -1);
    /* a default name: absent is no error, repeated is the same message */
    long index = 7;
    assert_int_equal(crm_csv_optional_column(r, "q", &index, &err), CRM_OK);
    assert_int_equal(index, -1);
    assert_int_equal(crm_csv_optional_column(r, "b", &index, &err), CRM_OK);
    assert_int_equal(index, 2);
    assert_int_equal(crm_csv_optional_column(r, "x", &index, &err), CRM_EDATA);
    assert_int_equal(index, -1);
    assert_string_equal(err.message,
                        "m.csv: column 'x' appears twice in the header (columns 2 and 5)");
    crm_csv_close(r);
    /* repeated once white space and case are ignored ("X " and "x") */
    r = OPEN("X ,id,x\n", NULL);
    assert_int_equal(crm_csv_optional_column(r, "x", &index, &err), CRM_OK);
    assert_int_equal(index, 2);   /* the exact name wins */
    assert_int_equal(crm_csv_optional_column(r, " X", &index, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "m.csv: column ' X' appears twice in the header (columns 1 and 3)");
    crm_csv_close(r);
    /* a tab-delimited header read with ',' is one column: the message says so */
    r = OPEN("id\tx\n", NULL);
    assert_int_equal(crm_csv_column(r, "x", &err), -1);
    assert_string_equal(err.message, "m.csv: no column 'x' (columns: id\\x09x); the header is one "
                                     "column with tabs in it: tab-delimited input needs -t");
    crm_csv_close(r);
    /* UTF-16LE without a mark: "i\0d\0" reaches the reader with its NULs */
    r = OPEN("i\0d\0,\0x\0\n\0", NULL);
    assert_int_equal(crm_csv_column(r, "x", &err), -1);
    assert_string_equal(err.message, "m.csv: no column 'x' (columns: i\\x00d\\x00, \\x00x\\x00); the "
                                     "header has NUL bytes: UTF-16 without a byte order mark? name "
                                     "it with --encoding utf-16le (or utf-16be)");
    crm_csv_close(r);
    r = OPEN("k,k,k,k\n", NULL);
    assert_int_equal(crm_csv_column(r, "k", &err), -1);
    assert_string_equal(err.message,
                        "m.csv: column 'k' appears 4 times in the header (columns 1, 2, 3, ...)");
    crm_csv_close(r);
}

static void test_columns_by_index(void **state)
{
    (void)state;
    crm_csv_reader *r = OPEN("a,b,c\n", NULL);
    crm_error err;
    assert_int_equal(crm_csv_column(r, "1", &err), 0);
    assert_int_equal(crm_csv_column(r, "3", &err), 2);
    assert_int_equal(crm_csv_column(r, "4", &err), -1);
    assert_string_equal(err.message, "m.csv: no column 4: the header has 3 columns");
    assert_int_equal(crm_csv_column(r, "0", &err), -1);
    assert_int_equal(crm_csv_column(r, "99999999999999999999999", &err), -1);
    assert_int_equal(crm_csv_find_column(r, "2"), 1);
    crm_csv_close(r);

    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = 1;
    r = OPEN("x,y\n", &opts);
    assert_null(crm_csv_header(r));
    assert_int_equal(crm_csv_column(r, "2", &err), 1);
    assert_int_equal(crm_csv_column(r, "x", &err), -1);
    assert_int_equal(err.status, CRM_EUSAGE);
    assert_string_equal(err.message, "m.csv: column 'x': the input has no header row, so "
                                     "columns are numbers (1, 2, ...)");
    assert_string_equal(crm_csv_column_name(r, 0), "#1");
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->line, 1);
    assert_int_equal(rec->number, 1);
    FIELD(rec, 0, "x");
    crm_csv_close(r);
}

static void test_defect_without_header(void **state)
{
    (void)state;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = 1;
    crm_csv_reader *r = OPEN("ok,\x01\xfe\n", &opts);
    const crm_csv_record *rec = next_record(r);
    crm_error err;
    assert_int_equal(crm_csv_defect_error(r, rec, &err), CRM_EDATA);
    /* control bytes are shown escaped by crm_error_quote */
    assert_string_equal(err.message, "m.csv:1: column '#2': invalid UTF-8 in the value '\\x01\\xfe'");
    crm_csv_close(r);
}

static void test_encoding_conversion(void **state)
{
    (void)state;
    /* gbk "名字,金额\n张三,12.5\n" (Python codecs) -> UTF-8 名字 e5 90 8d e5 ad 97,
     * 金额 e9 87 91 e9 a2 9d, 张三 e5 bc a0 e4 b8 89 */
    static const char gbk[] = "\xc3\xfb\xd7\xd6,\xbd\xf0\xb6\xee\n\xd5\xc5\xc8\xfd,12.5\n";
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.encoding = "gbk";
    crm_csv_reader *r = OPEN(gbk, &opts);
    crm_error err;
    assert_int_equal(crm_csv_column(r, "\xe9\x87\x91\xe9\xa2\x9d", &err), 1);
    const crm_csv_record *rec = next_record(r);
    FIELD(rec, 0, "\xe5\xbc\xa0\xe4\xb8\x89");
    assert_int_equal(rec->defect, CRM_CSV_RECORD_OK);
    crm_csv_close(r);

    /* latin1 "café" 63 61 66 e9 -> UTF-8 63 61 66 c3 a9 */
    opts.encoding = "latin1";
    r = OPEN("name\ncaf\xe9\n", &opts);
    FIELD(next_record(r), 0, "caf\xc3\xa9");
    crm_csv_close(r);

    opts.encoding = "no-such-encoding";
    assert_int_equal(crm_csv_open_memory(&r, "a\n", 2, "m.csv", &opts, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "unknown encoding 'no-such-encoding' (iconv -l lists them)");
}

static void test_missing_file(void **state)
{
    (void)state;
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open(&r, "/nonexistent/orders.csv", NULL, &err), CRM_EIO);
    assert_string_equal(err.message,
                        "/nonexistent/orders.csv: cannot open: No such file or directory");
}

static void test_bad_delimiter(void **state)
{
    (void)state;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.delimiter = '"';
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, "a\n", 2, "m.csv", &opts, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the delimiter cannot be a quote or a line break");
}

/* ---- writer ---- */

static void test_quoting_round_trip(void **state)
{
    (void)state;
    char path[128];
    temp_path(path, sizeof path, "w.csv");
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    static const char *const row[] = {"abc", "a,b", "say \"hi\"", "line1\nline2", "cr\rx", "",
                                      " spaced ", "semi;colon"};
    assert_int_equal(crm_csv_write_row(w, row, NULL, 8), CRM_OK);
    /* one empty field alone would be a blank line: it is written as "" */
    assert_int_equal(crm_csv_write_field(w, "", 0), CRM_OK);
    assert_int_equal(crm_csv_end_row(w), CRM_OK);
    assert_int_equal(crm_csv_write_field(w, "tail", (size_t)-1), CRM_OK);
    assert_int_equal(crm_csv_end_row(w), CRM_OK);
    assert_int_equal(crm_csv_write_raw(w, "raw,\"as is\"\r\n", 13), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);

    static const char want[] = "abc,\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"cr\rx\",, spaced "
                               ",semi;colon\n\"\"\ntail\nraw,\"as is\"\r\n";
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(data, want, len);
    free(data);

    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = 1;
    crm_csv_reader *r;
    assert_int_equal(crm_csv_open(&r, path, &opts, &err), CRM_OK);
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->nfields, 8);
    for (size_t i = 0; i < 8; i++)
        expect_field(rec, i, row[i], strlen(row[i]));
    rec = next_record(r);
    assert_int_equal(rec->nfields, 1);
    FIELD(rec, 0, "");
    FIELD(next_record(r), 0, "tail");
    rec = next_record(r);
    FIELD(rec, 1, "as is");
    assert_null(next_record(r));
    crm_csv_close(r);
}

static void test_writer_delimiter(void **state)
{
    (void)state;
    char path[128];
    temp_path(path, sizeof path, "semi.csv");
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ';', &err), CRM_OK);
    static const char *const row[] = {"a,b", "c;d"};
    static const size_t lens[] = {3, 3};
    assert_int_equal(crm_csv_write_row(w, row, lens, 2), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, 10);
    assert_memory_equal(data, "a,b;\"c;d\"\n", 10);
    free(data);
}

/* Writes one row of numbers and returns the file's text. */
static char *numbers_row(void (*write)(crm_csv_writer *), size_t *len)
{
    char path[128];
    temp_path(path, sizeof path, "num.csv");
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, -1, ',', &err), CRM_OK);
    write(w);
    assert_int_equal(crm_csv_end_row(w), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    return slurp(path, len);
}

static void write_doubles(crm_csv_writer *w)
{
    crm_csv_write_double(w, 0.1);             /* "0.1": 15 digits round-trip */
    crm_csv_write_double(w, 0.1 + 0.2);       /* 0.30000000000000004: needs 17 */
    crm_csv_write_double(w, 1.0 / 3.0);       /* 0.3333333333333333: needs 16 */
    crm_csv_write_double(w, 100.0);
    crm_csv_write_double(w, 1e-7);            /* %g style exponent */
    crm_csv_write_double(w, -2.5);
    crm_csv_write_double(w, -0.0);            /* no sign on zero */
    crm_csv_write_double(w, 1.2345678901234568e20);
    crm_csv_write_double(w, 5e-324);          /* smallest subnormal: shortest is 1 digit */
    crm_csv_write_int(w, INT64_MIN);
    crm_csv_write_int(w, 42);
}

static void test_write_double_shortest(void **state)
{
    (void)state;
    size_t len;
    char *data = numbers_row(write_doubles, &len);
    static const char want[] = "0.1,0.30000000000000004,0.3333333333333333,100,1e-07,-2.5,0,"
                               "1.2345678901234568e+20,5e-324,-9223372036854775808,42\n";
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(data, want, len);
    free(data);
    /* every printed value reads back as the same double */
    double values[] = {0.1, 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 1e300, 5e-324, 123.456, 0.007};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char path[128];
        temp_path(path, sizeof path, "rt.csv");
        crm_csv_writer *w;
        crm_error err;
        assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
        crm_csv_write_double(w, values[i]);
        assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
        char *text = slurp(path, &len);
        text[len] = '\0';
        assert_true(strtod(text, NULL) == values[i]);
        free(text);
    }
}

static void write_fixed(crm_csv_writer *w)
{
    crm_csv_write_fixed(w, -0.001, 2);   /* rounds to -0.00, printed 0.00 */
    crm_csv_write_fixed(w, 3.14159, 2);
    crm_csv_write_fixed(w, -1.25, 1);    /* exact tie in binary: away from zero, -1.3 */
    crm_csv_write_fixed(w, 7.0, 0);
    crm_csv_write_fixed(w, -0.4, 0);     /* -0 -> 0 */
}

static void test_write_fixed(void **state)
{
    (void)state;
    size_t len;
    char *data = numbers_row(write_fixed, &len);
    static const char want[] = "0.00,3.14,-1.3,7,0\n";
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(data, want, len);
    free(data);
}

static void test_writer_gzip_and_dev_full(void **state)
{
    (void)state;
    char path[128];
    temp_path(path, sizeof path, "w.csv.gz");
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, -1, ',', &err), CRM_OK);
    static const char *const row[] = {"id", "a\"b"};
    assert_int_equal(crm_csv_write_row(w, row, NULL, 2), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    crm_csv_reader *r;
    assert_int_equal(crm_csv_open(&r, path, NULL, &err), CRM_OK);
    assert_int_equal(crm_csv_is_gzip(r), 1);
    FIELD(crm_csv_header(r), 1, "a\"b");
    crm_csv_close(r);

    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(crm_csv_writer_open(&w, "/dev/full", -1, ',', &err), CRM_OK);
        assert_int_equal(crm_csv_write_row(w, row, NULL, 2), CRM_OK);
        assert_int_equal(crm_csv_writer_close(w, &err), CRM_EIO);
        assert_string_equal(err.message, "/dev/full: write failed: No space left on device");
    }
    /* abort leaves nothing behind */
    temp_path(path, sizeof path, "aborted.csv");
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_csv_write_row(w, row, NULL, 2), CRM_OK);
    crm_csv_writer_abort(w);
    assert_int_equal(access(path, F_OK), -1);
}

/* --header-names: a headerless piece (Hadoop, Spark pipe) named as its
 * header row would name it. */
static void test_named_columns(void **state)
{
    (void)state;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.no_header = 1;
    opts.header_names = "id,v";
    opts.delimiter = ';';
    crm_csv_reader *r = OPEN("1;a\n2;\"b\nc\";x\n3;\"d\ne\"\n4;b;c\n", &opts);
    const crm_csv_record *h = crm_csv_header(r);
    assert_non_null(h);
    assert_int_equal(h->nfields, 2);
    FIELD(h, 0, "id");
    FIELD(h, 1, "v");
    expect_raw(h, "id;v\n", 5);   /* the names as a row of the input would be */
    crm_error err;
    assert_int_equal(crm_csv_column(r, "V", &err), 1);
    assert_int_equal(crm_csv_column(r, "2", &err), 1);
    assert_int_equal(crm_csv_column(r, "w", &err), -1);
    assert_string_equal(err.message, "m.csv: no column 'w' (columns: id, v)");
    const crm_csv_record *rec = next_record(r);
    assert_int_equal(rec->line, 1);   /* the first line is data */
    assert_int_equal(rec->number, 1);
    FIELD(rec, 1, "a");
    /* a quoted line break must leave the record as wide as the names */
    rec = next_record(r);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_BAD_QUOTE);
    assert_int_equal(rec->quote_problem, CRM_CSV_QUOTE_FIELD_COUNT);
    rec = next_record(r);   /* line 3 read again: c";x */
    rec = next_record(r);
    assert_int_equal(rec->line, 4);
    assert_int_equal(rec->defect, CRM_CSV_RECORD_OK);
    FIELD(rec, 1, "d\ne");
    /* a later record of another width is the command's to judge */
    rec = next_record(r);
    assert_int_equal(rec->nfields, 3);
    assert_int_equal(crm_csv_check_width(r, rec, h->nfields, &err), CRM_EDATA);
    assert_string_equal(err.message, "m.csv:6: expected 2 fields, found 3");
    assert_null(next_record(r));
    crm_csv_close(r);

    /* the first record says whether the count of names is right */
    opts.delimiter = ',';
    opts.header_names = "id,v,w";
    r = OPEN("1,a\n2,b\n", &opts);
    const crm_csv_record *got;
    assert_int_equal(crm_csv_next(r, &got, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "m.csv:1: --header-names gives 3 names, but the first record has 2 fields");
    assert_int_equal(crm_csv_next(r, &got, &err), CRM_EUSAGE);   /* sticky */
    crm_csv_close(r);

    /* an empty piece is no error; names without no_header are ignored */
    r = OPEN("", &opts);
    assert_non_null(crm_csv_header(r));
    assert_null(next_record(r));
    crm_csv_close(r);
    opts.no_header = 0;
    r = OPEN("a,b\n1,2\n", &opts);
    FIELD(crm_csv_header(r), 0, "a");
    crm_csv_close(r);
}


/* crm_csv_peek_raw: nothing from the serial reader; from the chunked one,
 * the raw bytes of the records still to come in the chunk at hand. */
static void test_peek_raw(void **state)
{
    const char csv[] = "a,b\n1,x\n2,y\n3,z\n";
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    crm_csv_reader *r;
    crm_error err;
    const crm_csv_record *rec;
    const char *raw;
    size_t len;
    assert_int_equal(crm_csv_open_memory(&r, csv, sizeof csv - 1, "t.csv", &opts, &err), CRM_OK);
    assert_int_equal(crm_csv_next(r, &rec, &err), CRM_OK);
    assert_int_equal(crm_csv_peek_raw(r, 1, &raw, &len), 0);
    crm_csv_close(r);
    /* chunks of 8 bytes: the first holds "1,x\n2,y\n", and a chunk is
     * parsed whole before its first record is handed out */
    opts.threads = 2;
    opts.chunk_bytes = 8;
    assert_int_equal(crm_csv_open_memory(&r, csv, sizeof csv - 1, "t.csv", &opts, &err), CRM_OK);
    assert_int_equal(crm_csv_next(r, &rec, &err), CRM_OK);
    assert_string_equal(rec->fields[1], "x");
    assert_int_equal(crm_csv_peek_raw(r, 1, &raw, &len), 1);
    assert_int_equal(len, 4);
    assert_memory_equal(raw, "2,y\n", 4);
    assert_int_equal(crm_csv_peek_raw(r, 2, &raw, &len), 0);   /* in the next chunk */
    assert_int_equal(crm_csv_peek_raw(r, 0, &raw, &len), 0);
    while (crm_csv_next(r, &rec, &err) == CRM_OK && rec)
        ;
    assert_int_equal(crm_csv_peek_raw(r, 1, &raw, &len), 0);
    crm_csv_close(r);
}

/* crm_csv_writers_finish: all closed while the run is fine; after a
 * failure none is written (the files keep what they had). */
static void test_writers_finish(void **state)
{
    char a[] = "/tmp/crm-test-finish-a-XXXXXX", b[] = "/tmp/crm-test-finish-b-XXXXXX";
    int fa = mkstemp(a), fb = mkstemp(b);
    assert_true(fa >= 0 && fb >= 0);
    close(fa);
    close(fb);
    crm_csv_writer *w[3] = {NULL, NULL, NULL};
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w[0], a, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_csv_writer_open(&w[2], b, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_csv_write_field(w[0], "x", 1), CRM_OK);
    assert_int_equal(crm_csv_end_row(w[0]), CRM_OK);
    assert_int_equal(crm_csv_write_field(w[2], "y", 1), CRM_OK);
    assert_int_equal(crm_csv_end_row(w[2]), CRM_OK);
    assert_int_equal(crm_csv_writers_finish(w, 3, CRM_OK, &err), CRM_OK);
    assert_null(w[0]);
    assert_null(w[2]);
    char buf[16];
    FILE *f = fopen(b, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, "y\n");
    /* a failed run: the new rows never reach the files */
    assert_int_equal(crm_csv_writer_open(&w[0], a, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_csv_write_field(w[0], "new", 3), CRM_OK);
    assert_int_equal(crm_csv_end_row(w[0]), CRM_OK);
    assert_int_equal(crm_csv_writers_finish(w, 3, CRM_EDATA, &err), CRM_EDATA);
    assert_null(w[0]);
    f = fopen(a, "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, "x\n");
    unlink(a);
    unlink(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_records),
        cmocka_unit_test(test_parallel_plain_and_quoted),
        cmocka_unit_test(test_parallel_line_endings),
        cmocka_unit_test(test_parallel_stray_quotes),
        cmocka_unit_test(test_parallel_defects_and_errors),
        cmocka_unit_test(test_embedded_newlines_and_line_numbers),
        cmocka_unit_test(test_crlf_and_raw_bytes),
        cmocka_unit_test(test_blank_lines_keep_line_numbers),
        cmocka_unit_test(test_lone_cr_ends_a_record),
        cmocka_unit_test(test_pipe_partial_reads),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_tab_delimiter_and_no_trimming),
        cmocka_unit_test(test_ragged_rows_are_returned),
        cmocka_unit_test(test_gzip_memory_and_file),
        cmocka_unit_test(test_gzip_concatenated),
        cmocka_unit_test(test_gzip_truncated),
        cmocka_unit_test(test_parallel_read_error),
        cmocka_unit_test(test_block_boundaries),
        cmocka_unit_test(test_block_boundaries_broken_lines),
        cmocka_unit_test(test_lookahead_and_replay),
        cmocka_unit_test(test_nul_byte_defect),
        cmocka_unit_test(test_invalid_utf8_defects),
        cmocka_unit_test(test_strict_issue_repro),
        cmocka_unit_test(test_strict_one_line),
        cmocka_unit_test(test_strict_open_quote_at_end),
        cmocka_unit_test(test_strict_multi_line),
        cmocka_unit_test(test_strict_run_on_past_limit),
        cmocka_unit_test(test_strict_header_and_width),
        cmocka_unit_test(test_strict_lookahead_keeps_quote_details),
        cmocka_unit_test(test_record_size_limit),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_columns_by_name),
        cmocka_unit_test(test_duplicate_and_missing_columns),
        cmocka_unit_test(test_columns_by_index),
        cmocka_unit_test(test_defect_without_header),
        cmocka_unit_test(test_encoding_conversion),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_bad_delimiter),
        cmocka_unit_test(test_quoting_round_trip),
        cmocka_unit_test(test_writer_delimiter),
        cmocka_unit_test(test_named_columns),
        cmocka_unit_test(test_write_double_shortest),
        cmocka_unit_test(test_write_fixed),
        cmocka_unit_test(test_writer_gzip_and_dev_full),
        cmocka_unit_test(test_peek_raw),
        cmocka_unit_test(test_writers_finish),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
