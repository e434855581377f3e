/* Byte output: standard output, or a named file written through a temporary
 * file and renamed into place; optionally gzip (zlib deflate). */
#include "crm/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Large buffers: one write(2) per 256 KiB keeps system-call cost negligible. */
enum { OUTPUT_BUFFER = 256 * 1024 };

struct crm_output {
    char *name;          /* for messages: the path as given, or "<stdout>" */
    char *target;        /* the file the temporary file is renamed onto */
    char *tmp_path;      /* NULL when writing straight to fd */
    int fd;
    int owns_fd;
    unsigned char *buf;
    size_t len;
    int gzip;
    z_stream zs;
    int zs_ready;
    unsigned char *zbuf;
    crm_status status;   /* sticky: the first failure */
    int failed_errno;
    const char *failed_what;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static crm_status fail(crm_output *out, int errnum, const char *what)
{
    if (out->status == CRM_OK) {
        /* a closed pipe is the reader's choice (| head), not our failure */
        out->status = errnum == EPIPE ? CRM_EPIPE : CRM_EIO;
        out->failed_errno = errnum;
        out->failed_what = what;
    }
    return out->status;
}

static crm_status write_all(crm_output *out, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(out->fd, data, len > SSIZE_MAX ? SSIZE_MAX : len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail(out, errno, "write failed");
        }
        if (n == 0)
            return fail(out, EIO, "write failed");
        data += n;
        len -= (size_t)n;
    }
    return CRM_OK;
}

/* Passes bytes to the file, through deflate when compressing.  flush is
 * Z_NO_FLUSH, or Z_FINISH to end the gzip stream. */
static crm_status emit(crm_output *out, const unsigned char *data, size_t len, int flush)
{
    if (!out->gzip)
        return write_all(out, data, len);
    for (;;) {
        uInt chunk = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
        out->zs.next_in = (unsigned char *)data;
        out->zs.avail_in = chunk;
        int last = flush == Z_FINISH && chunk == len;
        int rc;
        do {
            out->zs.next_out = out->zbuf;
            out->zs.avail_out = OUTPUT_BUFFER;
            rc = deflate(&out->zs, last ? Z_FINISH : Z_NO_FLUSH);
            if (rc == Z_STREAM_ERROR)
                return fail(out, EIO, "gzip compression failed");
            crm_status st = write_all(out, out->zbuf, OUTPUT_BUFFER - out->zs.avail_out);
            if (st != CRM_OK)
                return st;
        } while (out->zs.avail_out == 0 || (last && rc != Z_STREAM_END));
        data += chunk;
        len -= chunk;
        if (len == 0)
            return CRM_OK;
    }
}

static crm_status flush_buffer(crm_output *out)
{
    size_t n = out->len;
    out->len = 0;
    return n ? emit(out, out->buf, n, Z_NO_FLUSH) : CRM_OK;
}

static void output_free(crm_output *out)
{
    if (out->owns_fd && out->fd >= 0)
        close(out->fd);
    if (out->zs_ready)
        deflateEnd(&out->zs);
    free(out->zbuf);
    free(out->buf);
    free(out->tmp_path);
    free(out->target);
    free(out->name);
    free(out);
}

static mode_t new_file_mode(void)
{
    /* umask can only be read by setting it; commands are single-threaded */
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* Opens the temporary file beside the target, with the mode the target has
 * (or a newly created file would get), so the rename changes only content. */
static crm_status open_temporary(crm_output *out, const struct stat *existing, crm_error *err)
{
    size_t n = strlen(out->target);
    out->tmp_path = malloc(n + sizeof ".tmpXXXXXX");
    if (!out->tmp_path)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", out->name);
    memcpy(out->tmp_path, out->target, n);
    memcpy(out->tmp_path + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
    out->fd = mkstemp(out->tmp_path);
    if (out->fd < 0) {
        int e = errno;
        free(out->tmp_path);
        out->tmp_path = NULL;
        return crm_error_set(err, CRM_EIO, "%s: cannot create: %s", out->name, strerror(e));
    }
    out->owns_fd = 1;
    mode_t mode = existing ? (existing->st_mode & 0777) : new_file_mode();
    if (fchmod(out->fd, mode) != 0) {
        int e = errno;
        return crm_error_set(err, CRM_EIO, "%s: cannot set the file mode: %s", out->name,
                             strerror(e));
    }
    return CRM_OK;
}

/* Decides between a temporary file (regular files and new names) and a
 * direct write (devices and FIFOs such as /dev/full or /dev/stdout, which
 * cannot be renamed over). */
static crm_status open_named(crm_output *out, const char *path, crm_error *err)
{
    if (path[0] == '\0')
        return crm_error_set(err, CRM_EUSAGE, "the output file name is empty");
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (exists && !S_ISREG(sb.st_mode)) {
        out->fd = open(path, O_WRONLY | O_CLOEXEC);
        if (out->fd < 0)
            return crm_error_set(err, CRM_EIO, "%s: cannot open for writing: %s", path,
                                 strerror(errno));
        out->owns_fd = 1;
        return CRM_OK;
    }
    struct stat lsb;
    /* writing through a symbolic link replaces the file it points to */
    if (exists && lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode))
        out->target = realpath(path, NULL);
    if (!out->target)
        out->target = strdup(path);
    if (!out->target)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", path);
    return open_temporary(out, exists ? &sb : NULL, err);
}

static crm_status start_gzip(crm_output *out, crm_error *err)
{
    out->zbuf = malloc(OUTPUT_BUFFER);
    if (!out->zbuf)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", out->name);
    memset(&out->zs, 0, sizeof out->zs);
    /* 16 + 15: gzip wrapper.  Without deflateSetHeader zlib writes mtime 0
     * and no file name, so equal input gives equal bytes. */
    if (deflateInit2(&out->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return crm_error_set(err, CRM_ENOMEM, "%s: cannot start gzip compression", out->name);
    out->zs_ready = 1;
    return CRM_OK;
}

crm_status crm_output_open(crm_output **outp, const char *path, int gzip, crm_error *err)
{
    *outp = NULL;
    int to_stdout = !path || strcmp(path, "-") == 0;
    crm_output *out = calloc(1, sizeof *out);
    if (!out)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    out->fd = -1;
    out->name = strdup(to_stdout ? "<stdout>" : path);
    out->buf = malloc(OUTPUT_BUFFER);
    crm_status st = CRM_OK;
    if (!out->name || !out->buf)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    out->gzip = gzip == 1 || (gzip == -1 && !to_stdout && ends_with(path, ".gz"));
    if (st == CRM_OK && out->gzip)
        st = start_gzip(out, err);
    if (st == CRM_OK) {
        if (to_stdout)
            out->fd = STDOUT_FILENO;
        else
            st = open_named(out, path, err);
    }
    if (st != CRM_OK) {
        crm_output_abort(out);
        return st;
    }
    *outp = out;
    return CRM_OK;
}

crm_status crm_output_write(crm_output *out, const void *data, size_t len)
{
    if (out->status != CRM_OK)
        return out->status;
    if (len < OUTPUT_BUFFER - out->len) {
        memcpy(out->buf + out->len, data, len);
        out->len += len;
        return CRM_OK;
    }
    crm_status st = flush_buffer(out);
    if (st != CRM_OK)
        return st;
    if (len >= OUTPUT_BUFFER)
        return emit(out, data, len, Z_NO_FLUSH);
    memcpy(out->buf, data, len);
    out->len = len;
    return CRM_OK;
}

crm_status crm_output_commit(crm_output *out, crm_error *err)
{
    if (out->status == CRM_OK)
        flush_buffer(out);
    if (out->status == CRM_OK && out->gzip)
        emit(out, NULL, 0, Z_FINISH);
    /* The data must be on disk before the rename makes it the result: after
     * a crash the target is either the old file or the whole new one. */
    if (out->status == CRM_OK && out->tmp_path && fsync(out->fd) != 0)
        fail(out, errno, "write failed");
    if (out->owns_fd) {
        int rc = close(out->fd);
        out->fd = -1;
        out->owns_fd = 0;
        /* NFS and quotas may report a failed write only here */
        if (rc != 0 && errno != EINTR)
            fail(out, errno, "write failed");
    }
    if (out->status == CRM_OK && out->tmp_path) {
        if (rename(out->tmp_path, out->target) != 0)
            fail(out, errno, "cannot replace the file");
        else {
            free(out->tmp_path);
            out->tmp_path = NULL;
        }
    }
    crm_status st = out->status;
    if (st != CRM_OK)
        crm_error_set(err, st, "%s: %s: %s", out->name, out->failed_what,
                      strerror(out->failed_errno));
    crm_output_abort(out);
    return st;
}

void crm_output_abort(crm_output *out)
{
    if (!out)
        return;
    if (out->owns_fd && out->fd >= 0) {
        close(out->fd);
        out->fd = -1;
    }
    if (out->tmp_path)
        unlink(out->tmp_path);
    output_free(out);
}

const char *crm_output_name(const crm_output *out)
{
    return out->name;
}
