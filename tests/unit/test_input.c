/* Unit tests of lib/input.c: plain, gzip and converted input.
 *
 * gzip data is made at test time with zlib's deflate (an independent
 * encoder); the encoded byte strings for gbk, gb18030, big5 and latin1 come
 * from Python's codecs (`'中文'.encode('gbk')` -> d6 d0 ce c4, ...), with the
 * expected UTF-8 (`'中文'.encode()` -> e4 b8 ad e6 96 87) written beside. */
/* F_GETPIPE_SZ is a Linux fcntl */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "crm/input.h"

static char temp_dir[64];

static int make_temp_dir(void **state)
{
    (void)state;
    strcpy(temp_dir, "/tmp/crm-test-input-XXXXXX");
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

/* One gzip member made by zlib; *len receives its size.  Caller frees. */
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

/* Reads everything with a small buffer (so that block edges are crossed)
 * into a malloc'ed buffer; returns the status of the last read. */
static crm_status read_all(crm_input *in, size_t step, char **data, size_t *len, crm_error *err)
{
    size_t cap = 64, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    crm_status st;
    for (;;) {
        if (cap - n < step) {
            cap = 2 * cap + step;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got;
        st = crm_input_read(in, buf + n, step, &got, err);
        if (st != CRM_OK || got == 0)
            break;
        n += got;
    }
    *data = buf;
    *len = n;
    return st;
}

static void expect_bytes(crm_input *in, size_t step, const void *want, size_t want_len)
{
    char *data;
    size_t len;
    crm_error err;
    crm_error_clear(&err);
    assert_int_equal(read_all(in, step, &data, &len, &err), CRM_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(data, want, want_len);
    free(data);
}

static void test_memory_plain(void **state)
{
    (void)state;
    static const char text[] = "id,name\n1,a\n";
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, text, sizeof text - 1, "m.csv", NULL, &err),
                     CRM_OK);
    assert_string_equal(crm_input_name(in), "m.csv");
    assert_int_equal(crm_input_is_gzip(in), 0);
    expect_bytes(in, 3, text, sizeof text - 1);
    assert_int_equal(crm_input_raw_bytes(in), sizeof text - 1);
    crm_input_close(in);
}

static void test_memory_one_byte_is_not_gzip(void **state)
{
    (void)state;
    /* a lone 0x1f could start the magic but the input ends: it is data */
    static const char text[] = "\x1f";
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, text, 1, "m", "", &err), CRM_OK);
    assert_int_equal(crm_input_is_gzip(in), 0);
    expect_bytes(in, 100, text, 1);
    crm_input_close(in);
}

static void test_file_plain_and_raw_bytes(void **state)
{
    (void)state;
    char path[128];
    temp_path(path, sizeof path, "plain.csv");
    static const char text[] = "a,b\n1,2\n3,4\n";
    write_file(path, text, sizeof text - 1);
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open(&in, path, "UTF-8", &err), CRM_OK);
    assert_string_equal(crm_input_name(in), path);
    expect_bytes(in, 5, text, sizeof text - 1);
    assert_int_equal(crm_input_raw_bytes(in), 12);
    crm_input_close(in);
}

static void test_missing_file(void **state)
{
    (void)state;
    char path[128], want[256];
    temp_path(path, sizeof path, "no-such.csv");
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open(&in, path, NULL, &err), CRM_EIO);
    assert_null(in);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    assert_string_equal(err.message, want);
}

static void test_directory_is_an_error(void **state)
{
    (void)state;
    crm_input *in;
    crm_error err;
    char want[256];
    assert_int_equal(crm_input_open(&in, temp_dir, NULL, &err), CRM_EIO);
    snprintf(want, sizeof want, "%s: cannot open: Is a directory", temp_dir);
    assert_string_equal(err.message, want);
}

/* Reading a pipe widens it to 1 MiB (the default pipe-max-size), so that a
 * pipeline's two sides trade data in big steps. */
static void test_pipe_is_widened(void **state)
{
    (void)state;
#ifdef F_GETPIPE_SZ
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_true(fcntl(fds[0], F_GETPIPE_SZ) < (1 << 20));
    assert_int_equal(write(fds[1], "a,b\n", 4), 4);
    close(fds[1]);
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_fd(&in, fds[0], "pipe", NULL, &err), CRM_OK);
    assert_int_equal(fcntl(fds[0], F_GETPIPE_SZ), 1 << 20);
    char buf[8];
    size_t have = 0, got;
    do {
        assert_int_equal(crm_input_read(in, buf + have, sizeof buf - have, &got, &err), CRM_OK);
        have += got;
    } while (got > 0);
    assert_int_equal(have, 4);
    assert_memory_equal(buf, "a,b\n", 4);
    crm_input_close(in);
    close(fds[0]);
#else
    skip();
#endif
}

static void test_gzip_memory(void **state)
{
    (void)state;
    static const char text[] = "customer_id,amount\n17,12.50\n";
    size_t zlen;
    unsigned char *z = gzip_bytes(text, sizeof text - 1, &zlen);
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, z, zlen, "m.csv.gz", NULL, &err), CRM_OK);
    assert_int_equal(crm_input_is_gzip(in), 1);
    expect_bytes(in, 7, text, sizeof text - 1);
    /* progress counts compressed bytes: the whole member was taken */
    assert_int_equal(crm_input_raw_bytes(in), zlen);
    crm_input_close(in);
    free(z);
}

static void test_gzip_file_and_pipe(void **state)
{
    (void)state;
    static const char text[] = "a\n1\n2\n";
    size_t zlen;
    unsigned char *z = gzip_bytes(text, sizeof text - 1, &zlen);
    char path[128];
    temp_path(path, sizeof path, "in.csv.gz");
    write_file(path, z, zlen);
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open(&in, path, NULL, &err), CRM_OK);
    assert_int_equal(crm_input_is_gzip(in), 1);
    expect_bytes(in, 4096, text, sizeof text - 1);
    crm_input_close(in);

    /* the magic is sniffed on a pipe too (no seeking back) */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], z, zlen), (ssize_t)zlen);
    close(fds[1]);
    assert_int_equal(crm_input_open_fd(&in, fds[0], "<stdin>", NULL, &err), CRM_OK);
    assert_int_equal(crm_input_is_gzip(in), 1);
    expect_bytes(in, 4096, text, sizeof text - 1);
    crm_input_close(in);
    close(fds[0]);
    free(z);
}

/* Writes data into a pipe in two parts with a pause between, so that the
 * reader's first read returns only the first part. */
static int pipe_in_two_parts(const void *data, size_t len, size_t first, pid_t *child)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    *child = fork();
    assert_true(*child >= 0);
    if (*child == 0) {
        close(fds[0]);
        ssize_t a = write(fds[1], data, first);
        usleep(200000);
        ssize_t b = write(fds[1], (const char *)data + first, len - first);
        _exit(a == (ssize_t)first && b == (ssize_t)(len - first) ? 0 : 1);
    }
    close(fds[1]);
    return fds[0];
}

static void test_gzip_magic_split_across_reads(void **state)
{
    (void)state;
    /* the pipe delivers 1f, then 8b and the rest: still gzip */
    static const char text[] = "a,b\n1,2\n";
    size_t zlen;
    unsigned char *z = gzip_bytes(text, sizeof text - 1, &zlen);
    pid_t child;
    int fd = pipe_in_two_parts(z, zlen, 1, &child);
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_fd(&in, fd, "<stdin>", NULL, &err), CRM_OK);
    assert_int_equal(crm_input_is_gzip(in), 1);
    expect_bytes(in, 4096, text, sizeof text - 1);
    assert_int_equal(crm_input_raw_bytes(in), zlen);
    crm_input_close(in);
    close(fd);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(status, 0);
    free(z);
}

static void test_gzip_concatenated_members(void **state)
{
    (void)state;
    /* gzip -c a b > ab.gz: the members decompress to a then b */
    size_t l1, l2;
    unsigned char *m1 = gzip_bytes("a,b\n1,2\n", 8, &l1);
    unsigned char *m2 = gzip_bytes("3,4\n", 4, &l2);
    unsigned char *both = malloc(l1 + l2);
    assert_non_null(both);
    memcpy(both, m1, l1);
    memcpy(both + l1, m2, l2);
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, both, l1 + l2, "ab.gz", NULL, &err), CRM_OK);
    expect_bytes(in, 3, "a,b\n1,2\n3,4\n", 12);
    crm_input_close(in);
    free(both);
    free(m1);
    free(m2);
}

static void test_gzip_truncated(void **state)
{
    (void)state;
    static const char text[] = "a,b\n1,2\n3,4\n";
    size_t zlen;
    unsigned char *z = gzip_bytes(text, sizeof text - 1, &zlen);
    /* cut off the 8-byte trailer and a bit more */
    for (size_t cut = 1; cut <= 10; cut++) {
        crm_input *in;
        crm_error err;
        assert_int_equal(crm_input_open_memory(&in, z, zlen - cut, "t.gz", NULL, &err), CRM_OK);
        char *data;
        size_t len;
        assert_int_equal(read_all(in, 64, &data, &len, &err), CRM_EDATA);
        assert_string_equal(err.message, "t.gz: truncated gzip stream (unexpected end of file)");
        free(data);
        crm_input_close(in);
    }
    /* only the magic */
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, z, 2, "t.gz", NULL, &err), CRM_OK);
    char *data;
    size_t len;
    assert_int_equal(read_all(in, 64, &data, &len, &err), CRM_EDATA);
    assert_string_equal(err.message, "t.gz: truncated gzip stream (unexpected end of file)");
    free(data);
    crm_input_close(in);
    free(z);
}

static void test_gzip_corrupt(void **state)
{
    (void)state;
    static const char text[] = "a,b\n1,2\n3,4\n";
    size_t zlen;
    unsigned char *z = gzip_bytes(text, sizeof text - 1, &zlen);
    /* the trailer's CRC-32 is the 8th to 5th last byte: break it */
    z[zlen - 8] ^= 0xff;
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, z, zlen, "c.gz", NULL, &err), CRM_OK);
    char *data;
    size_t len;
    assert_int_equal(read_all(in, 64, &data, &len, &err), CRM_EDATA);
    assert_string_equal(err.message, "c.gz: corrupt gzip data (incorrect data check)");
    free(data);
    crm_input_close(in);

    /* garbage after a complete member is not a second member */
    z[zlen - 8] ^= 0xff;
    unsigned char *tail = malloc(zlen + 4);
    assert_non_null(tail);
    memcpy(tail, z, zlen);
    memcpy(tail + zlen, "junk", 4);
    assert_int_equal(crm_input_open_memory(&in, tail, zlen + 4, "c.gz", NULL, &err), CRM_OK);
    assert_int_equal(read_all(in, 64, &data, &len, &err), CRM_EDATA);
    assert_string_equal(err.message, "c.gz: corrupt gzip data (incorrect header check)");
    free(data);
    crm_input_close(in);
    free(tail);
    free(z);
}

static void test_latin1(void **state)
{
    (void)state;
    /* "café" in latin1: 63 61 66 e9; UTF-8: 63 61 66 c3 a9 */
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, "caf\xe9\n", 5, "l.csv", "latin1", &err), CRM_OK);
    expect_bytes(in, 4096, "caf\xc3\xa9\n", 6);
    crm_input_close(in);
}

static void test_gbk_gb18030_big5(void **state)
{
    (void)state;
    /* "中文": gbk and gb18030 d6 d0 ce c4, big5 a4 a4 a4 e5,
     * UTF-8 e4 b8 ad e6 96 87; "€": gb18030 a2 e3, UTF-8 e2 82 ac */
    static const char utf8[] = "\xe4\xb8\xad\xe6\x96\x87";
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, "\xd6\xd0\xce\xc4", 4, "g", "gbk", &err), CRM_OK);
    expect_bytes(in, 4096, utf8, 6);
    crm_input_close(in);
    assert_int_equal(crm_input_open_memory(&in, "\xd6\xd0\xce\xc4\xa2\xe3", 6, "g", "GB18030",
                                           &err),
                     CRM_OK);
    expect_bytes(in, 4096, "\xe4\xb8\xad\xe6\x96\x87\xe2\x82\xac", 9);
    crm_input_close(in);
    assert_int_equal(crm_input_open_memory(&in, "\xa4\xa4\xa4\xe5", 4, "b", "big5", &err), CRM_OK);
    expect_bytes(in, 4096, utf8, 6);
    crm_input_close(in);
    /* a buffer smaller than one converted character still works */
    assert_int_equal(crm_input_open_memory(&in, "\xd6\xd0\xce\xc4", 4, "g", "gbk", &err), CRM_OK);
    expect_bytes(in, 1, utf8, 6);
    crm_input_close(in);
}

static void test_gzip_then_convert(void **state)
{
    (void)state;
    /* gbk "名字,金额\n张三,12.5\n" (Python: c3 fb d7 d6 2c bd f0 b6 ee 0a ...) */
    static const char gbk[] = "\xc3\xfb\xd7\xd6,\xbd\xf0\xb6\xee\n\xd5\xc5\xc8\xfd,12.5\n";
    static const char utf8[] = "\xe5\x90\x8d\xe5\xad\x97,\xe9\x87\x91\xe9\xa2\x9d\n"
                               "\xe5\xbc\xa0\xe4\xb8\x89,12.5\n";
    size_t zlen;
    unsigned char *z = gzip_bytes(gbk, sizeof gbk - 1, &zlen);
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, z, zlen, "g.gz", "gbk", &err), CRM_OK);
    assert_int_equal(crm_input_is_gzip(in), 1);
    expect_bytes(in, 5, utf8, sizeof utf8 - 1);
    crm_input_close(in);
    free(z);
}

static void test_unknown_encoding(void **state)
{
    (void)state;
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, "x", 1, "m", "klingon-8", &err), CRM_EUSAGE);
    assert_null(in);
    assert_string_equal(err.message, "unknown encoding 'klingon-8' (iconv -l lists them)");
    /* before the file is even looked at */
    assert_int_equal(crm_input_open(&in, "/nonexistent/x.csv", "klingon-8", &err), CRM_EUSAGE);
}

static void test_invalid_bytes_in_encoding(void **state)
{
    (void)state;
    /* GBK trail bytes are 40-fe (not 7f): 81 20 is invalid at offset 2 */
    crm_input *in;
    crm_error err;
    assert_int_equal(crm_input_open_memory(&in, "ab\x81\x20z", 5, "g.csv", "gbk", &err), CRM_OK);
    char *data;
    size_t len;
    assert_int_equal(read_all(in, 4096, &data, &len, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "g.csv: byte offset 2: invalid gbk byte sequence '\\x81\\x20\\x7a'");
    /* the bytes before the bad one were handed out first */
    assert_int_equal(len, 2);
    free(data);
    crm_input_close(in);

    /* a lead byte at the very end has no trail byte */
    assert_int_equal(crm_input_open_memory(&in, "ab\x81", 3, "g.csv", "gbk", &err), CRM_OK);
    assert_int_equal(read_all(in, 4096, &data, &len, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "g.csv: byte offset 2: incomplete gbk byte sequence at the end of the "
                        "input");
    free(data);
    crm_input_close(in);
}

/* Without --encoding, a UTF-16 or UTF-32 byte order mark turns the
 * conversion on.  "é,1\n" is UTF-16LE e9 00 2c 00 31 00 0a 00, UTF-16BE
 * 00 e9 00 2c ..., UTF-32LE e9 00 00 00 2c 00 00 00 ...; the mark itself
 * comes out as the UTF-8 mark ef bb bf, which the CSV reader skips. */
static void test_utf16_and_utf32_by_byte_order_mark(void **state)
{
    (void)state;
    static const char utf8[] = "\xef\xbb\xbf\xc3\xa9,1\n";
    static const struct {
        const char *bytes;
        size_t len;
    } inputs[] = {
        {"\xff\xfe\xe9\0,\0" "1\0\n\0", 10},
        {"\xfe\xff\0\xe9\0,\0" "1\0\n", 10},
        {"\xff\xfe\0\0\xe9\0\0\0,\0\0\0" "1\0\0\0\n\0\0\0", 20},
        {"\0\0\xfe\xff\0\0\0\xe9\0\0\0,\0\0\0" "1\0\0\0\n", 20},
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        crm_input *in;
        crm_error err;
        assert_int_equal(crm_input_open_memory(&in, inputs[i].bytes, inputs[i].len, "u.txt", NULL,
                                               &err),
                         CRM_OK);
        expect_bytes(in, i % 2 ? 1 : 4096, utf8, sizeof utf8 - 1);   /* tiny reads too */
        crm_input_close(in);
        /* gzip first, then the mark */
        size_t zlen;
        unsigned char *z = gzip_bytes(inputs[i].bytes, inputs[i].len, &zlen);
        assert_int_equal(crm_input_open_memory(&in, z, zlen, "u.txt.gz", NULL, &err), CRM_OK);
        expect_bytes(in, 4096, utf8, sizeof utf8 - 1);
        crm_input_close(in);
        free(z);
    }
}

static void test_byte_order_mark_edge_cases(void **state)
{
    (void)state;
    crm_input *in;
    crm_error err;
    /* a named encoding is what the user said: latin1 reads ff fe as "ÿþ" */
    assert_int_equal(crm_input_open_memory(&in, "\xff\xfe" "a", 3, "l.txt", "latin1", &err),
                     CRM_OK);
    expect_bytes(in, 4096, "\xc3\xbf\xc3\xbe" "a", 5);
    crm_input_close(in);
    /* shorter than a mark, or no mark: the bytes as they are */
    assert_int_equal(crm_input_open_memory(&in, "\xff", 1, "s.txt", NULL, &err), CRM_OK);
    expect_bytes(in, 4096, "\xff", 1);
    crm_input_close(in);
    assert_int_equal(crm_input_open_memory(&in, "ab", 2, "s.txt", NULL, &err), CRM_OK);
    expect_bytes(in, 1, "ab", 2);
    crm_input_close(in);
    /* an odd number of UTF-16 bytes: the message names the encoding */
    assert_int_equal(crm_input_open_memory(&in, "\xff\xfe" "a\0b", 5, "o.txt", NULL, &err),
                     CRM_OK);
    char *data;
    size_t len;
    assert_int_equal(read_all(in, 4096, &data, &len, &err), CRM_EDATA);
    assert_string_equal(err.message, "o.txt: byte offset 4: incomplete UTF-16LE byte sequence at "
                                     "the end of the input");
    free(data);
    crm_input_close(in);
    /* a lone surrogate is invalid UTF-16 (d800 not followed by dc00-dfff) */
    assert_int_equal(crm_input_open_memory(&in, "\xff\xfe\x00\xd8" "a\0", 6, "s.txt", NULL,
                                           &err),
                     CRM_OK);
    assert_int_equal(read_all(in, 4096, &data, &len, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "s.txt: byte offset 2: invalid UTF-16LE byte sequence '\\x00\\xd8\\x61\\x00'");
    free(data);
    crm_input_close(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_plain),
        cmocka_unit_test(test_memory_one_byte_is_not_gzip),
        cmocka_unit_test(test_file_plain_and_raw_bytes),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_directory_is_an_error),
        cmocka_unit_test(test_gzip_memory),
        cmocka_unit_test(test_gzip_file_and_pipe),
        cmocka_unit_test(test_gzip_magic_split_across_reads),
        cmocka_unit_test(test_gzip_concatenated_members),
        cmocka_unit_test(test_gzip_truncated),
        cmocka_unit_test(test_pipe_is_widened),
        cmocka_unit_test(test_gzip_corrupt),
        cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_gbk_gb18030_big5),
        cmocka_unit_test(test_gzip_then_convert),
        cmocka_unit_test(test_unknown_encoding),
        cmocka_unit_test(test_invalid_bytes_in_encoding),
        cmocka_unit_test(test_utf16_and_utf32_by_byte_order_mark),
        cmocka_unit_test(test_byte_order_mark_edge_cases),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
