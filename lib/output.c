/* Byte output: standard output, or a named file written through a temporary
 * file and renamed into place; optionally gzip (zlib deflate). */
#include "crm/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Large buffers: one write(2) per 256 KiB keeps system-call cost negligible. */
enum { OUTPUT_BUFFER = 256 * 1024 };

/* Where an output of a set stands. */
typedef enum {
    OUTPUT_OPEN,       /* being written */
    OUTPUT_FINISHED,   /* flushed, synced and closed: waits for the set's commit */
    OUTPUT_DISCARDED   /* failed or aborted: its temporary file is gone */
} output_state;

struct crm_output {
    char *name;          /* for messages: the path as given, or "<stdout>" */
    char *target;        /* the file the temporary file is renamed onto */
    char *tmp_path;      /* NULL when writing straight to fd */
    char *dir;           /* the target's directory */
    crm_output_set *set; /* NULL: committed on its own */
    output_state state;
    int is_stdout;       /* a closed pipe here is the reader's choice */
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

/* ---- temporary files a signal must remove ----
 *
 * The names live in a fixed table that the signal handler reads.  Changes
 * to it are made with the cleanup signals blocked in the calling thread and
 * under a spin lock, so that a handler running in another thread (the
 * reader's worker threads do not block signals) waits for the change to be
 * complete rather than miss a file just created or unlink one just renamed
 * into place.  atomic_flag is lock-free, hence usable in a handler. */

enum { MAX_PENDING = 64 };

static char *pending_names[MAX_PENDING];
static atomic_flag pending_lock = ATOMIC_FLAG_INIT;
static const int cleanup_signals[] = {SIGTERM, SIGINT, SIGHUP};
enum { NCLEANUP_SIGNALS = sizeof cleanup_signals / sizeof cleanup_signals[0] };

static void lock_pending(sigset_t *saved)
{
    sigset_t block;
    sigemptyset(&block);
    for (int i = 0; i < NCLEANUP_SIGNALS; i++)
        sigaddset(&block, cleanup_signals[i]);
    pthread_sigmask(SIG_BLOCK, &block, saved);
    while (atomic_flag_test_and_set_explicit(&pending_lock, memory_order_acquire))
        ;
}

static void unlock_pending(const sigset_t *saved)
{
    atomic_flag_clear_explicit(&pending_lock, memory_order_release);
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* Call with the lock held. */
static void forget_pending(const char *name)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending_names[i] == name)
            pending_names[i] = NULL;
}

static void remove_pending_and_die(int sig)
{
    /* Held for good: the process ends here, and a second signal handled in
     * another thread waits until it does. */
    while (atomic_flag_test_and_set_explicit(&pending_lock, memory_order_acquire))
        ;
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending_names[i])
            unlink(pending_names[i]);
    /* Ended by the signal itself, so the parent sees 128 + sig. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, sig);
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    raise(sig);
    _exit(128 + sig);
}

void crm_output_remove_on_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = remove_pending_and_die;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NCLEANUP_SIGNALS; i++)
        sigaddset(&sa.sa_mask, cleanup_signals[i]);
    for (int i = 0; i < NCLEANUP_SIGNALS; i++) {
        struct sigaction old;
        /* a signal ignored by whoever started us (nohup, a background job)
         * stays ignored */
        if (sigaction(cleanup_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

static crm_status fail(crm_output *out, int errnum, const char *what)
{
    if (out->status == CRM_OK) {
        /* a closed pipe on standard output is the reader's choice (| head),
         * not our failure; on a named output it ends the run (SIGPIPE) */
        out->status = errnum == EPIPE && out->is_stdout ? CRM_EPIPE : CRM_EIO;
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
    free(out->dir);
    free(out->target);
    free(out->name);
    free(out);
}

/* Removes the temporary file (if any) and forgets its name. */
static void remove_temporary(crm_output *out)
{
    if (!out->tmp_path)
        return;
    sigset_t saved;
    lock_pending(&saved);
    unlink(out->tmp_path);
    forget_pending(out->tmp_path);
    unlock_pending(&saved);
    free(out->tmp_path);
    out->tmp_path = NULL;
}

/* Renames the temporary file onto the target: 0, or the errno. */
static int rename_temporary(crm_output *out)
{
    sigset_t saved;
    lock_pending(&saved);
    int rc = rename(out->tmp_path, out->target);
    int e = errno;
    if (rc == 0)
        forget_pending(out->tmp_path);
    unlock_pending(&saved);
    if (rc != 0)
        return e;
    free(out->tmp_path);
    out->tmp_path = NULL;
    return 0;
}

/* The rename is durable only once the directory entry is on disk.  0, or
 * the errno; file systems that cannot sync a directory say EINVAL. */
static int sync_directory(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    close(fd);
    return e;
}

static void close_fd(crm_output *out)
{
    if (out->owns_fd && out->fd >= 0)
        close(out->fd);
    out->fd = -1;
    out->owns_fd = 0;
}

static mode_t new_file_mode(void)
{
    /* umask can only be read by setting it; commands are single-threaded */
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* The temporary name: the target's name, cut short if need be so that with
 * the ".tmpXXXXXX" suffix it still fits the directory's NAME_MAX. */
static char *temporary_name(const crm_output *out)
{
    static const char suffix[] = ".tmpXXXXXX";
    const size_t suffix_len = sizeof suffix - 1;
    const char *slash = strrchr(out->target, '/');
    size_t dir_len = slash ? (size_t)(slash - out->target) + 1 : 0;
    size_t base_len = strlen(out->target + dir_len);
    long name_max = pathconf(out->dir, _PC_NAME_MAX);
    if (name_max <= 0)
        name_max = NAME_MAX;
    if (base_len + suffix_len > (size_t)name_max)
        base_len = (size_t)name_max > suffix_len ? (size_t)name_max - suffix_len : 0;
    char *name = malloc(dir_len + base_len + sizeof suffix);
    if (name) {
        memcpy(name, out->target, dir_len + base_len);
        memcpy(name + dir_len + base_len, suffix, sizeof suffix);
    }
    return name;
}

/* The directory of the target, for pathconf and the fsync after rename. */
static char *target_directory(const char *target)
{
    const char *slash = strrchr(target, '/');
    if (!slash)
        return strdup(".");
    size_t len = slash == target ? 1 : (size_t)(slash - target);
    char *dir = malloc(len + 1);
    if (dir) {
        memcpy(dir, target, len);
        dir[len] = '\0';
    }
    return dir;
}

/* Opens the temporary file beside the target, with the mode the target has
 * (or a newly created file would get), so the rename changes only content.
 * The name is entered in the table the signal handler removes, in the same
 * step as the file is created. */
static crm_status open_temporary(crm_output *out, const struct stat *existing, crm_error *err)
{
    out->dir = target_directory(out->target);
    out->tmp_path = out->dir ? temporary_name(out) : NULL;
    if (!out->tmp_path)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", out->name);
    sigset_t saved;
    lock_pending(&saved);
    int slot = -1;
    for (int i = 0; i < MAX_PENDING && slot < 0; i++)
        if (!pending_names[i])
            slot = i;
    int e = EMFILE;
    if (slot >= 0) {
        out->fd = mkstemp(out->tmp_path);
        e = errno;
        if (out->fd >= 0)
            pending_names[slot] = out->tmp_path;
    }
    unlock_pending(&saved);
    if (out->fd < 0) {
        free(out->tmp_path);
        out->tmp_path = NULL;
        return crm_error_set(err, CRM_EIO, "%s: cannot create: %s", out->name, strerror(e));
    }
    out->owns_fd = 1;
    mode_t mode = existing ? (existing->st_mode & 0777) : new_file_mode();
    if (fchmod(out->fd, mode) != 0) {
        e = errno;
        return crm_error_set(err, CRM_EIO, "%s: cannot set the file mode: %s", out->name,
                             strerror(e));
    }
    return CRM_OK;
}

/* 1 when fd is the file standard output writes to (-o /dev/stdout). */
static int same_file_as_stdout(int fd)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
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
        out->is_stdout = same_file_as_stdout(out->fd);
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
        if (to_stdout) {
            out->fd = STDOUT_FILENO;
            out->is_stdout = 1;
        } else
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

/* Flushes, ends the gzip stream, syncs and closes: everything that can fail
 * before the rename.  The outcome is in out->status. */
static void finish_output(crm_output *out)
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
}

static crm_status output_error(const crm_output *out, crm_error *err)
{
    return crm_error_set(err, out->status, "%s: %s: %s", out->name, out->failed_what,
                         strerror(out->failed_errno));
}

crm_status crm_output_commit(crm_output *out, crm_error *err)
{
    finish_output(out);
    if (out->set) {
        /* the set renames it, together with the run's other outputs */
        if (out->status != CRM_OK) {
            remove_temporary(out);
            out->state = OUTPUT_DISCARDED;
            return output_error(out, err);
        }
        out->state = OUTPUT_FINISHED;
        return CRM_OK;
    }
    int e;
    if (out->status == CRM_OK && out->tmp_path) {
        if ((e = rename_temporary(out)) != 0)
            fail(out, e, "cannot replace the file");
        else if ((e = sync_directory(out->dir)) != 0)
            fail(out, e, "cannot sync the directory");
    }
    crm_status st = out->status;
    if (st != CRM_OK)
        output_error(out, err);
    crm_output_abort(out);
    return st;
}

void crm_output_abort(crm_output *out)
{
    if (!out)
        return;
    close_fd(out);
    remove_temporary(out);
    if (out->set)
        out->state = OUTPUT_DISCARDED;   /* the set frees it */
    else
        output_free(out);
}

crm_status crm_output_status(const crm_output *out, crm_error *err)
{
    return out->status == CRM_OK ? CRM_OK : output_error(out, err);
}

const char *crm_output_name(const crm_output *out)
{
    return out->name;
}

/* ---- the files of one run ---- */

typedef struct {
    char *label;      /* "-o", "--cost-table", "the input" */
    char *path;       /* as given; "-" for standard input or output */
    char *resolved;   /* absolute path for comparing names; NULL: not compared by name */
    int has_id;       /* dev and ino are set (an existing regular file) */
    dev_t dev;
    ino_t ino;
    int is_output;
} run_file;

struct crm_output_set {
    run_file *files;
    size_t nfiles, files_cap;
    crm_output **outputs;   /* opened through the set, in order */
    size_t noutputs, outputs_cap;
};

crm_output_set *crm_output_set_new(void)
{
    return calloc(1, sizeof(crm_output_set));
}

void crm_output_set_free(crm_output_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->noutputs; i++) {
        crm_output *out = set->outputs[i];
        close_fd(out);
        remove_temporary(out);
        output_free(out);
    }
    for (size_t i = 0; i < set->nfiles; i++) {
        free(set->files[i].label);
        free(set->files[i].path);
        free(set->files[i].resolved);
    }
    free(set->outputs);
    free(set->files);
    free(set);
}

/* The absolute name of a path that may not exist yet: its directory
 * resolved, its last component as given.  NULL when out of memory. */
static char *resolve_path(const char *path)
{
    char *r = realpath(path, NULL);
    if (r)
        return r;
    char *dir = target_directory(path);
    char *real_dir = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!real_dir)
        return strdup(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dlen = strlen(real_dir), blen = strlen(base);
    int root = dlen == 1 && real_dir[0] == '/';
    char *full = malloc(dlen + 1 + blen + 1);
    if (full) {
        memcpy(full, real_dir, dlen);
        if (!root)
            full[dlen++] = '/';
        memcpy(full + dlen, base, blen + 1);
    }
    free(real_dir);
    return full;
}

static int same_file(const run_file *a, const run_file *b)
{
    if (a->has_id && b->has_id)
        return a->dev == b->dev && a->ino == b->ino;
    if (a->has_id || b->has_id)
        return 0;
    if (strcmp(a->path, "-") == 0 || strcmp(b->path, "-") == 0)
        /* standard output twice (-o - --rejects -) mixes two tables */
        return a->is_output && b->is_output && strcmp(a->path, b->path) == 0;
    return a->resolved && b->resolved && strcmp(a->resolved, b->resolved) == 0;
}

/* "-o 'x'", or just the label for standard input and output. */
static void describe(char *buf, size_t size, const run_file *f)
{
    char quoted[200];
    if (strcmp(f->path, "-") == 0)
        snprintf(buf, size, "%s", f->label);
    else
        snprintf(buf, size, "%s '%s'", f->label,
                 crm_error_quote(quoted, sizeof quoted, f->path, strlen(f->path)));
}

static crm_status same_file_error(const run_file *first, const run_file *second, crm_error *err)
{
    char a[256], b[256];
    if (strcmp(first->path, second->path) == 0 && strcmp(first->path, "-") != 0)
        return crm_error_set(err, CRM_EUSAGE, "%s and %s name the same file '%s'", first->label,
                             second->label,
                             crm_error_quote(a, sizeof a, first->path, strlen(first->path)));
    if (strcmp(first->path, "-") == 0 && strcmp(second->path, "-") == 0)
        return crm_error_set(err, CRM_EUSAGE, "%s and %s both name standard output", first->label,
                             second->label);
    describe(a, sizeof a, first);
    describe(b, sizeof b, second);
    return crm_error_set(err, CRM_EUSAGE, "%s and %s are the same file", a, b);
}

static crm_status add_file(crm_output_set *set, const char *label, const char *path, int is_output,
                           crm_error *err)
{
    if (!path)
        return CRM_OK;
    run_file f = {0};
    f.is_output = is_output;
    struct stat sb;
    int is_std = strcmp(path, "-") == 0;
    if (is_std) {
        if (fstat(is_output ? STDOUT_FILENO : STDIN_FILENO, &sb) == 0 && S_ISREG(sb.st_mode)) {
            f.has_id = 1;
            f.dev = sb.st_dev;
            f.ino = sb.st_ino;
        }
    } else if (stat(path, &sb) == 0) {
        /* devices and FIFOs (/dev/null twice) are not files to protect */
        if (!S_ISREG(sb.st_mode))
            return CRM_OK;
        f.has_id = 1;
        f.dev = sb.st_dev;
        f.ino = sb.st_ino;
    }
    f.label = strdup(label);
    f.path = strdup(path);
    f.resolved = is_std ? NULL : resolve_path(path);
    if (!f.label || !f.path || (!is_std && !f.resolved)) {
        free(f.label);
        free(f.path);
        free(f.resolved);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    crm_status st = CRM_OK;
    for (size_t i = 0; i < set->nfiles && st == CRM_OK; i++) {
        const run_file *g = &set->files[i];
        if (!g->is_output && !is_output)
            continue;   /* reading one file twice harms nothing */
        if (!same_file(g, &f))
            continue;
        /* the output first; of two outputs, the one named first */
        st = g->is_output ? same_file_error(g, &f, err) : same_file_error(&f, g, err);
    }
    if (st == CRM_OK && set->nfiles == set->files_cap) {
        size_t cap = set->files_cap ? set->files_cap * 2 : 8;
        run_file *files = realloc(set->files, cap * sizeof *files);
        if (!files)
            st = crm_error_set(err, CRM_ENOMEM, "out of memory");
        else {
            set->files = files;
            set->files_cap = cap;
        }
    }
    if (st != CRM_OK) {
        free(f.label);
        free(f.path);
        free(f.resolved);
        return st;
    }
    set->files[set->nfiles++] = f;
    return CRM_OK;
}

crm_status crm_output_set_add_input(crm_output_set *set, const char *label, const char *path,
                                    crm_error *err)
{
    return add_file(set, label, path, 0, err);
}

crm_status crm_output_set_add_output(crm_output_set *set, const char *label, const char *path,
                                     crm_error *err)
{
    return add_file(set, label, path, 1, err);
}

crm_status crm_output_set_open(crm_output_set *set, crm_output **outp, const char *path, int gzip,
                               crm_error *err)
{
    *outp = NULL;
    if (set->noutputs == set->outputs_cap) {
        size_t cap = set->outputs_cap ? set->outputs_cap * 2 : 4;
        crm_output **outputs = realloc(set->outputs, cap * sizeof *outputs);
        if (!outputs)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        set->outputs = outputs;
        set->outputs_cap = cap;
    }
    crm_output *out;
    crm_status st = crm_output_open(&out, path, gzip, err);
    if (st != CRM_OK)
        return st;
    out->set = set;
    out->state = OUTPUT_OPEN;
    set->outputs[set->noutputs++] = out;
    *outp = out;
    return CRM_OK;
}

crm_status crm_output_set_commit(crm_output_set *set, crm_error *err)
{
    /* Everything that can fail for want of space or a closed pipe has
     * failed by now, in crm_output_commit: what is left are renames in the
     * directories the temporary files were made in. */
    for (size_t i = 0; i < set->noutputs; i++)
        if (set->outputs[i]->state != OUTPUT_FINISHED)
            return crm_error_set(err, CRM_EIO, "%s: not finished before the run's commit",
                                 set->outputs[i]->name);
    /* All renames in one step for the signal handler: a signal that comes
     * meanwhile waits, and then finds every file in place, none half-way. */
    sigset_t saved;
    lock_pending(&saved);
    crm_output *failed = NULL;
    int e = 0;
    for (size_t i = 0; i < set->noutputs && !failed; i++) {
        crm_output *out = set->outputs[i];
        if (!out->tmp_path)
            continue;
        if (rename(out->tmp_path, out->target) != 0) {
            e = errno;
            failed = out;
        } else {
            forget_pending(out->tmp_path);
            free(out->tmp_path);
            out->tmp_path = NULL;
        }
    }
    unlock_pending(&saved);
    if (failed)
        return crm_error_set(err, CRM_EIO, "%s: cannot replace the file: %s", failed->name,
                             strerror(e));
    for (size_t i = 0; i < set->noutputs; i++) {
        crm_output *out = set->outputs[i];
        if (out->dir && (e = sync_directory(out->dir)) != 0)
            return crm_error_set(err, CRM_EIO, "%s: cannot sync the directory: %s", out->name,
                                 strerror(e));
    }
    return CRM_OK;
}

int crm_output_set_closed_pipe(const crm_output_set *set)
{
    for (size_t i = 0; set && i < set->noutputs; i++) {
        const crm_output *out = set->outputs[i];
        if (out->status != CRM_OK && out->failed_errno == EPIPE && !out->is_stdout)
            return 1;
    }
    return 0;
}
