/* Byte input: file, standard input or memory; gzip by magic bytes; iconv.
 *
 * Three stages, each pulling from the one below:
 *   source  - read(2) on a descriptor or a copy out of a memory buffer, with
 *             the first bytes (read to look for the gzip magic) replayed;
 *   gzip    - zlib inflate, one member after another (concatenated members
 *             are one stream, as gzip(1) reads them);
 *   convert - iconv(3) to UTF-8 when an encoding other than UTF-8 is named,
 *             or when none is and the input starts with a UTF-16 or UTF-32
 *             byte order mark (looked for in the first decompressed bytes,
 *             which are then replayed). */
/* F_SETPIPE_SZ is a Linux fcntl */
#define _GNU_SOURCE
#include "crm/input.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Reads hand the kernel and zlib large blocks: per-call overhead vanishes. */
enum { INPUT_BLOCK = 1 << 20 };
/* Conversion output is staged here when the caller's buffer is smaller than
 * the longest UTF-8 sequence iconv might need to write at once. */
enum { INPUT_STAGE = 16 };

struct crm_input {
    char *name;
    int fd;                      /* -1 for memory input */
    int owns_fd;
    const unsigned char *mem;    /* memory input */
    size_t mem_len, mem_pos;
    int source_eof;
    uint64_t raw_bytes;

    /* bytes read while sniffing for the gzip magic, replayed first */
    unsigned char sniff[2];
    size_t sniff_len, sniff_pos;

    int gzip;
    z_stream zs;
    int zs_ready;
    unsigned char *zin;          /* compressed bytes waiting for inflate */
    int gzip_member_open;        /* inside a member: its end has not been seen */
    int gzip_done;

    /* the first decompressed bytes, read to look for a byte order mark */
    unsigned char head[4];
    size_t head_len, head_pos;
    int head_read;               /* looked already (on the first read, not at open) */

    int converting;
    char *encoding;
    iconv_t cd;
    char *cin;                   /* decoded-but-unconverted bytes */
    size_t cin_len;              /* bytes waiting at cin[0..cin_len) */
    int cin_eof;                 /* the stage below has nothing more */
    uint64_t cin_offset;         /* offset of cin[0] in the unconverted stream */
    char stage[INPUT_STAGE];
    size_t stage_len, stage_pos;
};

static int is_utf8_name(const char *encoding)
{
    static const char *const names[] = {"utf-8", "utf8"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *a = encoding, *b = names[i];
        while (*a && *b && (*a | 0x20) == *b) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0')
            return 1;
    }
    return 0;
}

static crm_input *input_new(const char *name, crm_error *err)
{
    crm_input *in = calloc(1, sizeof *in);
    if (in)
        in->name = strdup(name);
    if (!in || !in->name) {
        free(in);
        crm_error_set(err, CRM_ENOMEM, "%s: out of memory", name);
        return NULL;
    }
    in->fd = -1;
    in->cd = (iconv_t)-1;
    return in;
}

/* ---- stage 1: the source ---- */

/* Reads from the descriptor or the memory buffer itself. */
static crm_status source_read_direct(crm_input *in, void *buf, size_t cap, size_t *got,
                                     crm_error *err)
{
    *got = 0;
    if (cap == 0 || in->source_eof)
        return CRM_OK;
    if (in->fd < 0) {
        size_t n = in->mem_len - in->mem_pos;
        if (n > cap)
            n = cap;
        if (n > 0)
            memcpy(buf, in->mem + in->mem_pos, n);
        in->mem_pos += n;
        in->raw_bytes += n;
        *got = n;
        if (n == 0)
            in->source_eof = 1;
        return CRM_OK;
    }
    for (;;) {
        ssize_t n = read(in->fd, buf, cap);
        if (n > 0) {
            in->raw_bytes += (uint64_t)n;
            *got = (size_t)n;
            return CRM_OK;
        }
        if (n == 0) {
            in->source_eof = 1;
            return CRM_OK;
        }
        if (errno != EINTR)
            return crm_error_set(err, CRM_EIO, "%s: read failed: %s", in->name, strerror(errno));
    }
}

/* Replays the sniffed bytes, then reads on. */
static crm_status source_read(crm_input *in, void *buf, size_t cap, size_t *got, crm_error *err)
{
    if (in->sniff_pos < in->sniff_len && cap > 0) {
        size_t n = in->sniff_len - in->sniff_pos;
        if (n > cap)
            n = cap;
        memcpy(buf, in->sniff + in->sniff_pos, n);
        in->sniff_pos += n;
        *got = n;
        return CRM_OK;
    }
    return source_read_direct(in, buf, cap, got, err);
}

/* Reads the first two bytes (a pipe may deliver them one at a time) and
 * keeps them for replay; gzip is 1f 8b. */
static crm_status sniff_gzip(crm_input *in, crm_error *err)
{
    while (in->sniff_len < sizeof in->sniff && !in->source_eof) {
        size_t got;
        crm_status st = source_read_direct(in, in->sniff + in->sniff_len,
                                           sizeof in->sniff - in->sniff_len, &got, err);
        if (st != CRM_OK)
            return st;
        in->sniff_len += got;
    }
    in->gzip = in->sniff_len == 2 && in->sniff[0] == 0x1f && in->sniff[1] == 0x8b;
    return CRM_OK;
}

/* ---- stage 2: gzip ---- */

static crm_status gzip_start(crm_input *in, crm_error *err)
{
    in->zin = malloc(INPUT_BLOCK);
    if (!in->zin)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", in->name);
    memset(&in->zs, 0, sizeof in->zs);
    /* 16 + MAX_WBITS: expect a gzip header and trailer */
    if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK)
        return crm_error_set(err, CRM_ENOMEM, "%s: cannot start gzip decompression", in->name);
    in->zs_ready = 1;
    return CRM_OK;
}

static int source_exhausted(const crm_input *in)
{
    return in->sniff_pos >= in->sniff_len && in->source_eof;
}

/* Refills zin when inflate has used it all; returns with avail_in 0 only at
 * the end of the source. */
static crm_status gzip_refill(crm_input *in, crm_error *err)
{
    while (in->zs.avail_in == 0 && !source_exhausted(in)) {
        size_t got;
        crm_status st = source_read(in, in->zin, INPUT_BLOCK, &got, err);
        if (st != CRM_OK)
            return st;
        in->zs.next_in = in->zin;
        in->zs.avail_in = (uInt)got;
    }
    return CRM_OK;
}

static crm_status gzip_read(crm_input *in, void *buf, size_t cap, size_t *got, crm_error *err)
{
    *got = 0;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    in->zs.next_out = buf;
    in->zs.avail_out = (uInt)cap;
    while (!in->gzip_done && in->zs.avail_out == cap) {
        crm_status st = gzip_refill(in, err);
        if (st != CRM_OK)
            return st;
        if (in->zs.avail_in == 0) {
            if (in->gzip_member_open)
                return crm_error_set(err, CRM_EDATA,
                                     "%s: truncated gzip stream (unexpected end of file)",
                                     in->name);
            in->gzip_done = 1;
            break;
        }
        in->gzip_member_open = 1;
        int rc = inflate(&in->zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            /* a member ended; another may follow (gzip -c a b > ab.gz) */
            in->gzip_member_open = 0;
            if (inflateReset(&in->zs) != Z_OK)
                return crm_error_set(err, CRM_EDATA, "%s: corrupt gzip data (reset failed)",
                                     in->name);
        } else if (rc == Z_MEM_ERROR) {
            return crm_error_set(err, CRM_ENOMEM, "%s: out of memory decompressing", in->name);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return crm_error_set(err, CRM_EDATA, "%s: corrupt gzip data (%s)", in->name,
                                 in->zs.msg ? in->zs.msg : "invalid data");
        }
    }
    *got = cap - in->zs.avail_out;
    return CRM_OK;
}

/* What the conversion stage reads: decompressed bytes or plain source. */
static crm_status decoded_read(crm_input *in, void *buf, size_t cap, size_t *got, crm_error *err)
{
    if (in->gzip)
        return gzip_read(in, buf, cap, got, err);
    return source_read(in, buf, cap, got, err);
}

/* The decompressed stream with the bytes read by sniff_bom replayed first. */
static crm_status stream_read(crm_input *in, void *buf, size_t cap, size_t *got, crm_error *err)
{
    if (in->head_pos < in->head_len && cap > 0) {
        size_t n = in->head_len - in->head_pos;
        if (n > cap)
            n = cap;
        memcpy(buf, in->head + in->head_pos, n);
        in->head_pos += n;
        *got = n;
        return CRM_OK;
    }
    return decoded_read(in, buf, cap, got, err);
}

/* ---- stage 3: conversion ---- */

static crm_status convert_fill(crm_input *in, crm_error *err)
{
    while (in->cin_len < INPUT_BLOCK && !in->cin_eof) {
        size_t got;
        crm_status st = stream_read(in, in->cin + in->cin_len, INPUT_BLOCK - in->cin_len, &got,
                                    err);
        if (st != CRM_OK)
            return st;
        if (got == 0)
            in->cin_eof = 1;
        in->cin_len += got;
        if (got > 0)
            break;   /* convert what we have rather than wait on a pipe */
    }
    return CRM_OK;
}

/* "x.csv: byte offset 17: invalid gbk byte sequence '\x81\x20'" */
static crm_status invalid_sequence(const crm_input *in, crm_error *err)
{
    char shown[4 * 4 + 1];
    size_t n = in->cin_len < 4 ? in->cin_len : 4;
    for (size_t i = 0; i < n; i++)
        snprintf(shown + 4 * i, sizeof shown - 4 * i, "\\x%02x", (unsigned char)in->cin[i]);
    shown[4 * n] = '\0';
    return crm_error_set(err, CRM_EDATA, "%s: byte offset %llu: invalid %s byte sequence '%s'",
                         in->name, (unsigned long long)in->cin_offset, in->encoding, shown);
}

/* Converts into out[0..cap); *got 0 only at the end of the input. */
static crm_status convert_into(crm_input *in, char *out, size_t cap, size_t *got, crm_error *err)
{
    *got = 0;
    for (;;) {
        if (in->cin_len == 0 || !in->cin_eof) {
            crm_status st = convert_fill(in, err);
            if (st != CRM_OK)
                return st;
        }
        if (in->cin_len == 0 && in->cin_eof)
            return CRM_OK;
        char *src = in->cin;
        size_t src_left = in->cin_len;
        char *dst = out;
        size_t dst_left = cap;
        size_t rc = iconv(in->cd, &src, &src_left, &dst, &dst_left);
        int saved = errno;
        size_t used = in->cin_len - src_left;
        memmove(in->cin, src, src_left);
        in->cin_len = src_left;
        in->cin_offset += used;
        *got = cap - dst_left;
        if (rc != (size_t)-1 || saved == E2BIG) {
            if (*got > 0)
                return CRM_OK;
            if (saved == E2BIG && rc == (size_t)-1)
                return crm_error_set(err, CRM_EUSAGE, "%s: read buffer too small", in->name);
            continue;
        }
        /* hand out what converted; a bad sequence fails again on the next call */
        if (*got > 0)
            return CRM_OK;
        if (saved == EILSEQ)
            return invalid_sequence(in, err);
        if (saved == EINVAL) {
            /* an incomplete sequence at the end of what we have */
            if (in->cin_eof)
                return crm_error_set(err, CRM_EDATA,
                                     "%s: byte offset %llu: incomplete %s byte sequence at the "
                                     "end of the input",
                                     in->name, (unsigned long long)in->cin_offset, in->encoding);
            if (in->cin_len >= INPUT_BLOCK)
                return crm_error_set(err, CRM_EDATA, "%s: byte offset %llu: invalid %s data",
                                     in->name, (unsigned long long)in->cin_offset, in->encoding);
            crm_status st = convert_fill(in, err);
            if (st != CRM_OK)
                return st;
            continue;
        }
        return crm_error_set(err, CRM_EDATA, "%s: cannot convert from %s: %s", in->name,
                             in->encoding, strerror(saved));
    }
}

static crm_status convert_read(crm_input *in, void *buf, size_t cap, size_t *got, crm_error *err)
{
    if (cap >= INPUT_STAGE && in->stage_pos == in->stage_len)
        return convert_into(in, buf, cap, got, err);
    if (in->stage_pos == in->stage_len) {
        in->stage_pos = in->stage_len = 0;
        crm_status st = convert_into(in, in->stage, sizeof in->stage, &in->stage_len, err);
        if (st != CRM_OK)
            return st;
    }
    size_t n = in->stage_len - in->stage_pos;
    if (n > cap)
        n = cap;
    memcpy(buf, in->stage + in->stage_pos, n);
    in->stage_pos += n;
    *got = n;
    return CRM_OK;
}

/* ---- public ---- */

static crm_status set_encoding(crm_input *in, const char *encoding, crm_error *err)
{
    if (!encoding || !*encoding || is_utf8_name(encoding))
        return CRM_OK;
    in->encoding = strdup(encoding);
    if (!in->encoding)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", in->name);
    in->cd = iconv_open("UTF-8", encoding);
    if (in->cd == (iconv_t)-1) {
        if (errno == EINVAL)
            return crm_error_set(err, CRM_EUSAGE, "unknown encoding '%s' (iconv -l lists them)",
                                 encoding);
        return crm_error_set(err, CRM_ENOMEM, "cannot convert from '%s': %s", encoding,
                             strerror(errno));
    }
    in->cin = malloc(INPUT_BLOCK);
    if (!in->cin)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", in->name);
    in->converting = 1;
    return CRM_OK;
}

/* With no encoding named, a byte order mark says the input is UTF-16 or
 * UTF-32 (Excel's "Unicode text" export is UTF-16LE with one): convert it,
 * rather than hand the CSV reader text with a NUL byte after every letter.
 * The mark itself is converted too, into the UTF-8 mark the reader skips. */
static crm_status sniff_bom(crm_input *in, crm_error *err)
{
    in->head_read = 1;
    if (in->converting)
        return CRM_OK;
    while (in->head_len < sizeof in->head) {
        size_t got;
        crm_status st = decoded_read(in, in->head + in->head_len, sizeof in->head - in->head_len,
                                     &got, err);
        if (st != CRM_OK)
            return st;
        if (got == 0)
            break;
        in->head_len += got;
    }
    static const struct {
        const char *mark;
        size_t len;
        const char *encoding;
    } marks[] = {   /* UTF-32LE first: its mark begins with UTF-16LE's */
        {"\xff\xfe\0\0", 4, "UTF-32LE"},
        {"\0\0\xfe\xff", 4, "UTF-32BE"},
        {"\xff\xfe", 2, "UTF-16LE"},
        {"\xfe\xff", 2, "UTF-16BE"},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (in->head_len >= marks[i].len && memcmp(in->head, marks[i].mark, marks[i].len) == 0)
            return set_encoding(in, marks[i].encoding, err);
    return CRM_OK;
}

/* Shared tail of the three open functions: encoding, then gzip sniffing. */
static crm_status input_start(crm_input *in, const char *encoding, crm_input **out, crm_error *err)
{
    crm_status st = set_encoding(in, encoding, err);
    if (st == CRM_OK)
        st = sniff_gzip(in, err);
    if (st == CRM_OK && in->gzip)
        st = gzip_start(in, err);
    if (st != CRM_OK) {
        crm_input_close(in);
        return st;
    }
    *out = in;
    return CRM_OK;
}

crm_status crm_input_open(crm_input **out, const char *path, const char *encoding, crm_error *err)
{
    *out = NULL;
    if (!path || strcmp(path, "-") == 0)
        return crm_input_open_fd(out, STDIN_FILENO, "<stdin>", encoding, err);
    crm_input *in = input_new(path, err);
    if (!in)
        return CRM_ENOMEM;
    /* an unknown encoding is a usage error whether or not the file exists */
    crm_status st = set_encoding(in, encoding, err);
    if (st != CRM_OK) {
        crm_input_close(in);
        return st;
    }
    in->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        crm_error_set(err, CRM_EIO, "%s: cannot open: %s", path, strerror(errno));
        crm_input_close(in);
        return CRM_EIO;
    }
    in->owns_fd = 1;
    struct stat sb;
    if (fstat(in->fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        crm_error_set(err, CRM_EIO, "%s: cannot open: %s", path, strerror(EISDIR));
        crm_input_close(in);
        return CRM_EIO;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    st = sniff_gzip(in, err);
    if (st == CRM_OK && in->gzip)
        st = gzip_start(in, err);
    if (st != CRM_OK) {
        crm_input_close(in);
        return st;
    }
    *out = in;
    return CRM_OK;
}

/* A pipeline's reader is woken for every 64 KiB the writer puts into a
 * default pipe; a 1 MiB pipe lets both sides work in bigger steps.  Where
 * the system refuses, the pipe just stays as it is. */
static void widen_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISFIFO(sb.st_mode))
        (void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
    (void)fd;
#endif
}

crm_status crm_input_open_fd(crm_input **out, int fd, const char *display_name,
                             const char *encoding, crm_error *err)
{
    *out = NULL;
    crm_input *in = input_new(display_name ? display_name : "<input>", err);
    if (!in)
        return CRM_ENOMEM;
    in->fd = fd;
    widen_pipe(fd);
    return input_start(in, encoding, out, err);
}

int crm_input_rereadable(const char *path)
{
    struct stat sb;
    return path && strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

crm_status crm_input_spool(const char *path, int *fd, crm_error *err)
{
    *fd = -1;
    int from_stdin = !path || strcmp(path, "-") == 0;
    const char *name = from_stdin ? "<stdin>" : path;
    int src = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (src < 0)
        return crm_error_set(err, CRM_EIO, "%s: cannot open: %s", path, strerror(errno));
    const char *dir = getenv("TMPDIR");
    char tmpl[4096];
    if (snprintf(tmpl, sizeof tmpl, "%s/crm-spool-XXXXXX", dir && *dir ? dir : "/tmp") >= (int)sizeof tmpl)
        snprintf(tmpl, sizeof tmpl, "/tmp/crm-spool-XXXXXX");
    int dst = mkstemp(tmpl);
    crm_status st = CRM_OK;
    if (dst < 0) {
        st = crm_error_set(err, CRM_EIO, "%s: cannot make a temporary copy of %s: %s", tmpl, name, strerror(errno));
    } else {
        unlink(tmpl);
        char buf[1 << 16];
        for (;;) {
            ssize_t n = read(src, buf, sizeof buf);
            if (n == 0)
                break;
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                st = crm_error_set(err, CRM_EIO, "%s: read failed: %s", name, strerror(errno));
                break;
            }
            for (ssize_t done = 0; done < n && st == CRM_OK;) {
                ssize_t w = write(dst, buf + done, (size_t)(n - done));
                if (w < 0 && errno == EINTR)
                    continue;
                if (w < 0)
                    st = crm_error_set(err, CRM_EIO, "%s: cannot make a temporary copy of %s: %s", tmpl, name,
                                       strerror(errno));
                else
                    done += w;
            }
            if (st != CRM_OK)
                break;
        }
        if (st == CRM_OK && lseek(dst, 0, SEEK_SET) != 0)
            st = crm_error_set(err, CRM_EIO, "%s: cannot read back the copy of %s: %s", tmpl, name, strerror(errno));
    }
    if (!from_stdin)
        close(src);
    if (st != CRM_OK) {
        if (dst >= 0)
            close(dst);
        return st;
    }
    *fd = dst;
    return CRM_OK;
}

crm_status crm_input_open_memory(crm_input **out, const void *data, size_t len,
                                 const char *display_name, const char *encoding, crm_error *err)
{
    *out = NULL;
    crm_input *in = input_new(display_name ? display_name : "<memory>", err);
    if (!in)
        return CRM_ENOMEM;
    in->mem = data;
    in->mem_len = data ? len : 0;
    return input_start(in, encoding, out, err);
}

crm_status crm_input_read(crm_input *in, void *buf, size_t cap, size_t *got, crm_error *err)
{
    *got = 0;
    if (cap == 0)
        return CRM_OK;
    if (!in->head_read) {
        crm_status st = sniff_bom(in, err);
        if (st != CRM_OK)
            return st;
    }
    if (in->converting)
        return convert_read(in, buf, cap, got, err);
    return stream_read(in, buf, cap, got, err);
}

const char *crm_input_name(const crm_input *in)
{
    return in->name;
}

uint64_t crm_input_raw_bytes(const crm_input *in)
{
    return in->raw_bytes;
}

int crm_input_is_gzip(const crm_input *in)
{
    return in->gzip;
}

void crm_input_close(crm_input *in)
{
    if (!in)
        return;
    if (in->owns_fd && in->fd >= 0)
        close(in->fd);
    if (in->zs_ready)
        inflateEnd(&in->zs);
    if (in->cd != (iconv_t)-1)
        iconv_close(in->cd);
    free(in->zin);
    free(in->cin);
    free(in->encoding);
    free(in->name);
    free(in);
}
