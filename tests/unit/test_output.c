/* Unit tests of lib/output.c: atomic files, gzip, write errors, EPIPE, and
 * the files of one run (crm_output_set): name checks, committing together,
 * removal on signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "crm/output.h"

static char temp_dir[64];

static int make_temp_dir(void **state)
{
    (void)state;
    strcpy(temp_dir, "/tmp/crm-test-output-XXXXXX");
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

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Whole file into a malloc'ed buffer. */
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

/* Number of directory entries other than . and .. (temporary files left
 * behind would show up here). */
static int count_entries(void)
{
    DIR *d = opendir(temp_dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void clear_dir(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/* '%s'/.??* 2>/dev/null", temp_dir, temp_dir);
    (void)system(cmd);
}

static void test_write_and_commit(void **state)
{
    (void)state;
    clear_dir();
    char path[128];
    temp_path(path, sizeof path, "out.csv");
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, path, -1, &err), CRM_OK);
    assert_string_equal(crm_output_name(out), path);
    assert_int_equal(crm_output_write(out, "a,b\n", 4), CRM_OK);
    assert_int_equal(crm_output_write(out, "1,2\n", 4), CRM_OK);
    /* the target does not exist until commit; only the temporary file does */
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(count_entries(), 1);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(data, "a,b\n1,2\n", 8);
    free(data);
    assert_int_equal(count_entries(), 1);
}

static void test_large_writes(void **state)
{
    (void)state;
    clear_dir();
    char path[128];
    temp_path(path, sizeof path, "big.csv");
    /* 3 MiB in pieces of every size around the 256 KiB buffer */
    size_t total = 3u << 20;
    char *want = malloc(total);
    assert_non_null(want);
    for (size_t i = 0; i < total; i++)
        want[i] = (char)('a' + i % 23);
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_OK);
    size_t done = 0, step = 1;
    while (done < total) {
        size_t n = step < total - done ? step : total - done;
        assert_int_equal(crm_output_write(out, want + done, n), CRM_OK);
        done += n;
        step = step * 3 + 7;
        if (step > 700000)
            step = 5;
    }
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, total);
    assert_memory_equal(data, want, total);
    free(data);
    free(want);
}

static void test_abort_keeps_old_file(void **state)
{
    (void)state;
    clear_dir();
    char path[128];
    temp_path(path, sizeof path, "keep.csv");
    write_file(path, "old\n");
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_OK);
    assert_int_equal(crm_output_write(out, "new\n", 4), CRM_OK);
    assert_int_equal(count_entries(), 2);   /* keep.csv and the temporary file */
    crm_output_abort(out);
    assert_int_equal(count_entries(), 1);
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "old\n", 4);
    free(data);
}

static void test_failed_commit_keeps_old_file(void **state)
{
    (void)state;
    clear_dir();
    char path[128], want[256];
    temp_path(path, sizeof path, "full.csv");
    write_file(path, "old\n");
    /* a file size limit makes write(2) fail with EFBIG (SIGXFSZ ignored) */
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 4096;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_OK);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    static char block[100000];
    memset(block, 'x', sizeof block);
    crm_status st = CRM_OK;
    for (int i = 0; i < 10 && st == CRM_OK; i++)
        st = crm_output_write(out, block, sizeof block);
    /* the failure is sticky: later writes report it without writing */
    assert_int_equal(st, CRM_EIO);
    assert_int_equal(crm_output_write(out, "y", 1), CRM_EIO);
    assert_int_equal(crm_output_commit(out, &err), CRM_EIO);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    snprintf(want, sizeof want, "%s: write failed: File too large", path);
    assert_string_equal(err.message, want);
    assert_int_equal(count_entries(), 1);
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "old\n", 4);
    free(data);
}

static void test_dev_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    crm_output *out;
    crm_error err;
    /* a device cannot be renamed over: it is written directly */
    assert_int_equal(crm_output_open(&out, "/dev/full", -1, &err), CRM_OK);
    assert_int_equal(crm_output_write(out, "a,b\n", 4), CRM_OK);   /* buffered */
    assert_int_equal(crm_output_commit(out, &err), CRM_EIO);
    assert_string_equal(err.message, "/dev/full: write failed: No space left on device");
    /* /dev/null works the same way, successfully */
    assert_int_equal(crm_output_open(&out, "/dev/null", 1, &err), CRM_OK);
    assert_int_equal(crm_output_write(out, "a,b\n", 4), CRM_OK);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
}

static void test_missing_directory(void **state)
{
    (void)state;
    char path[128], want[256];
    temp_path(path, sizeof path, "no-dir/out.csv");
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_EIO);
    snprintf(want, sizeof want, "%s: cannot create: No such file or directory", path);
    assert_string_equal(err.message, want);
    /* a directory is not a file to write */
    assert_int_equal(crm_output_open(&out, temp_dir, 0, &err), CRM_EIO);
    snprintf(want, sizeof want, "%s: cannot open for writing: Is a directory", temp_dir);
    assert_string_equal(err.message, want);
}

static void test_file_modes(void **state)
{
    (void)state;
    clear_dir();
    char path[128];
    temp_path(path, sizeof path, "mode.csv");
    mode_t old_mask = umask(027);
    crm_output *out;
    crm_error err;
    /* a new file gets 0666 & ~umask = 0640, as open(O_CREAT, 0666) would give */
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_OK);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    /* a replaced file keeps its mode */
    assert_int_equal(chmod(path, 0604), 0);
    assert_int_equal(crm_output_open(&out, path, 0, &err), CRM_OK);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0604);
    umask(old_mask);
}

static void test_symlink_target(void **state)
{
    (void)state;
    clear_dir();
    char path[128], link[128];
    temp_path(path, sizeof path, "real.csv");
    temp_path(link, sizeof link, "link.csv");
    write_file(path, "old\n");
    assert_int_equal(symlink(path, link), 0);
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, link, 0, &err), CRM_OK);
    assert_int_equal(crm_output_write(out, "new\n", 4), CRM_OK);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    /* the link still links; the file it names has the new content */
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "new\n", 4);
    free(data);
}

/* Decompresses a whole gzip file with zlib. */
static char *gunzip(const char *gz, size_t gzlen, size_t *len)
{
    size_t cap = 1 << 20;
    char *out = malloc(cap);
    assert_non_null(out);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    zs.next_in = (unsigned char *)gz;
    zs.avail_in = (uInt)gzlen;
    zs.next_out = (unsigned char *)out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.avail_in, 0);
    *len = cap - zs.avail_out;
    inflateEnd(&zs);
    return out;
}

static void write_gzip_file(const char *path, int gzip_flag)
{
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_open(&out, path, gzip_flag, &err), CRM_OK);
    for (int i = 0; i < 20000; i++) {
        char row[64];
        int n = snprintf(row, sizeof row, "%d,customer-%d,%d.50\n", i, i % 977, i % 113);
        assert_int_equal(crm_output_write(out, row, (size_t)n), CRM_OK);
    }
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
}

static void test_gzip_output(void **state)
{
    (void)state;
    clear_dir();
    char p1[128], p2[128], plain[128];
    temp_path(p1, sizeof p1, "one.csv.gz");
    temp_path(p2, sizeof p2, "two.csv");
    temp_path(plain, sizeof plain, "plain.csv");
    write_gzip_file(p1, -1);   /* by the .gz suffix */
    write_gzip_file(p2, 1);    /* asked for */
    write_gzip_file(plain, -1);
    size_t l1, l2, lp, lu;
    char *g1 = slurp(p1, &l1), *g2 = slurp(p2, &l2), *text = slurp(plain, &lp);
    /* RFC 1952 header: 1f 8b, method 8, flags 0 (no name), mtime 0 */
    assert_true(l1 > 18);
    assert_memory_equal(g1, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
    /* same input, byte-identical output */
    assert_int_equal(l1, l2);
    assert_memory_equal(g1, g2, l1);
    char *unz = gunzip(g1, l1, &lu);
    assert_int_equal(lu, lp);
    assert_memory_equal(unz, text, lp);
    assert_true(l1 < lp / 2);
    free(unz);
    free(g1);
    free(g2);
    free(text);
}

static void test_epipe_on_stdout(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    void (*old_handler)(int) = signal(SIGPIPE, SIG_IGN);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fds[1], STDOUT_FILENO), STDOUT_FILENO);
    close(fds[1]);
    close(fds[0]);   /* the reader went away (| head) */
    crm_output *out;
    crm_error err;
    crm_status open_st = crm_output_open(&out, "-", -1, &err);
    crm_status write_st = CRM_OK, commit_st = CRM_OK;
    if (open_st == CRM_OK) {
        write_st = crm_output_write(out, "a,b\n", 4);
        commit_st = crm_output_commit(out, &err);
    }
    dup2(saved, STDOUT_FILENO);
    close(saved);
    signal(SIGPIPE, old_handler);
    assert_int_equal(open_st, CRM_OK);
    assert_int_equal(write_st, CRM_OK);
    assert_int_equal(commit_st, CRM_EPIPE);
    assert_string_equal(err.message, "<stdout>: write failed: Broken pipe");
}


static void assert_file_is(const char *path, const char *text)
{
    size_t len;
    char *data = slurp(path, &len);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(data, text, len);
    free(data);
}

static void test_set_names_checked(void **state)
{
    (void)state;
    clear_dir();
    char in[128], hard[128], sym[128], dotted[128], fresh[128], fresh2[128], want[512];
    temp_path(in, sizeof in, "in.csv");
    temp_path(hard, sizeof hard, "hard.csv");
    temp_path(sym, sizeof sym, "sym.csv");
    temp_path(fresh, sizeof fresh, "new.csv");
    snprintf(dotted, sizeof dotted, "%s/./in.csv", temp_dir);
    snprintf(fresh2, sizeof fresh2, "%s/../%s/new.csv", temp_dir, strrchr(temp_dir, '/') + 1);
    write_file(in, "a\n");
    assert_int_equal(link(in, hard), 0);
    assert_int_equal(symlink(in, sym), 0);
    crm_error err;
    crm_output_set *set = crm_output_set_new();
    assert_non_null(set);
    assert_int_equal(crm_output_set_add_input(set, "the input", in, &err), CRM_OK);
    assert_int_equal(crm_output_set_add_input(set, "--costs", in, &err), CRM_OK);   /* read twice: fine */
    assert_int_equal(crm_output_set_add_input(set, "--costs", NULL, &err), CRM_OK); /* not given */
    /* the same path, a hard link, a symbolic link, another spelling */
    assert_int_equal(crm_output_set_add_output(set, "-o", in, &err), CRM_EUSAGE);
    snprintf(want, sizeof want, "-o and the input name the same file '%s'", in);
    assert_string_equal(err.message, want);
    assert_int_equal(crm_output_set_add_output(set, "-o", hard, &err), CRM_EUSAGE);
    snprintf(want, sizeof want, "-o '%s' and the input '%s' are the same file", hard, in);
    assert_string_equal(err.message, want);
    assert_int_equal(crm_output_set_add_output(set, "--rejects", sym, &err), CRM_EUSAGE);
    snprintf(want, sizeof want, "--rejects '%s' and the input '%s' are the same file", sym, in);
    assert_string_equal(err.message, want);
    assert_int_equal(crm_output_set_add_output(set, "--report", dotted, &err), CRM_EUSAGE);
    /* two outputs that do not exist yet, by two spellings of one path */
    assert_int_equal(crm_output_set_add_output(set, "-o", fresh, &err), CRM_OK);
    assert_int_equal(crm_output_set_add_output(set, "--rejects", fresh2, &err), CRM_EUSAGE);
    snprintf(want, sizeof want, "-o '%s' and --rejects '%s' are the same file", fresh, fresh2);
    assert_string_equal(err.message, want);
    /* an input named after the outputs is checked as well */
    assert_int_equal(crm_output_set_add_input(set, "--model-file", fresh, &err), CRM_EUSAGE);
    snprintf(want, sizeof want, "-o and --model-file name the same file '%s'", fresh);
    assert_string_equal(err.message, want);
    /* devices are written directly and are no file to protect */
    assert_int_equal(crm_output_set_add_output(set, "--rejects", "/dev/null", &err), CRM_OK);
    assert_int_equal(crm_output_set_add_output(set, "--profile", "/dev/null", &err), CRM_OK);
    /* standard output twice */
    assert_int_equal(crm_output_set_add_output(set, "standard output", "-", &err), CRM_OK);
    assert_int_equal(crm_output_set_add_output(set, "--rejects", "-", &err), CRM_EUSAGE);
    assert_string_equal(err.message, "standard output and --rejects both name standard output");
    crm_output_set_free(set);
}

/* Standard input redirected from a file is that file: "crm-clean < in.csv -o in.csv". */
static void test_set_standard_input_is_a_file(void **state)
{
    (void)state;
    clear_dir();
    char in[128], want[256];
    temp_path(in, sizeof in, "in.csv");
    write_file(in, "a\n");
    int saved = dup(STDIN_FILENO);
    int fd = open(in, O_RDONLY);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
    crm_error err;
    crm_output_set *set = crm_output_set_new();
    crm_status st = crm_output_set_add_input(set, "standard input", "-", &err);
    crm_status out_st = crm_output_set_add_output(set, "-o", in, &err);
    dup2(saved, STDIN_FILENO);
    close(saved);
    crm_output_set_free(set);
    assert_int_equal(st, CRM_OK);
    assert_int_equal(out_st, CRM_EUSAGE);
    snprintf(want, sizeof want, "-o '%s' and standard input are the same file", in);
    assert_string_equal(err.message, want);
}

static crm_output *open_in_set(crm_output_set *set, const char *path, const char *text)
{
    crm_output *out;
    crm_error err;
    assert_int_equal(crm_output_set_open(set, &out, path, 0, &err), CRM_OK);
    assert_int_equal(crm_output_write(out, text, strlen(text)), CRM_OK);
    return out;
}

static void test_set_commits_together(void **state)
{
    (void)state;
    clear_dir();
    char a[128], b[128];
    temp_path(a, sizeof a, "a.csv");
    temp_path(b, sizeof b, "b.csv");
    write_file(a, "old a\n");
    crm_error err;
    crm_output_set *set = crm_output_set_new();
    crm_output *oa = open_in_set(set, a, "new a\n");
    crm_output *ob = open_in_set(set, b, "new b\n");
    assert_int_equal(crm_output_commit(oa, &err), CRM_OK);
    assert_int_equal(crm_output_commit(ob, &err), CRM_OK);
    /* finished, not yet in place: a.csv, and the two temporary files */
    assert_file_is(a, "old a\n");
    assert_int_equal(access(b, F_OK), -1);
    assert_int_equal(count_entries(), 3);
    assert_int_equal(crm_output_set_commit(set, &err), CRM_OK);
    crm_output_set_free(set);
    assert_file_is(a, "new a\n");
    assert_file_is(b, "new b\n");
    assert_int_equal(count_entries(), 2);
}

static void test_set_discarded(void **state)
{
    (void)state;
    clear_dir();
    char a[128], b[128];
    temp_path(a, sizeof a, "a.csv");
    temp_path(b, sizeof b, "b.csv");
    write_file(a, "old a\n");
    write_file(b, "old b\n");
    crm_error err;
    crm_output_set *set = crm_output_set_new();
    crm_output *oa = open_in_set(set, a, "new a\n");
    (void)open_in_set(set, b, "new b\n");
    assert_int_equal(crm_output_commit(oa, &err), CRM_OK);
    /* one output was never finished: the run's commit refuses */
    assert_int_equal(crm_output_set_commit(set, &err), CRM_EIO);
    char want[256];
    snprintf(want, sizeof want, "%s: not finished before the run's commit", b);
    assert_string_equal(err.message, want);
    assert_int_equal(count_entries(), 4);
    crm_output_set_free(set);   /* a failed run: nothing committed */
    assert_file_is(a, "old a\n");
    assert_file_is(b, "old b\n");
    assert_int_equal(count_entries(), 2);
}

static void test_set_write_failure(void **state)
{
    (void)state;
    clear_dir();
    char a[128], b[128], want[256];
    temp_path(a, sizeof a, "small.csv");
    temp_path(b, sizeof b, "big.csv");
    write_file(a, "old a\n");
    write_file(b, "old b\n");
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 4096;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    crm_error err;
    crm_output_set *set = crm_output_set_new();
    crm_output *oa = open_in_set(set, a, "new a\n");
    crm_output *ob = open_in_set(set, b, "");
    assert_int_equal(crm_output_commit(oa, &err), CRM_OK);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    static char block[300000];
    memset(block, 'x', sizeof block);
    crm_status st = crm_output_write(ob, block, sizeof block);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(st, CRM_EIO);
    /* the sticky failure, by name, before and at the commit */
    assert_int_equal(crm_output_status(ob, &err), CRM_EIO);
    snprintf(want, sizeof want, "%s: write failed: File too large", b);
    assert_string_equal(err.message, want);
    assert_int_equal(crm_output_commit(ob, &err), CRM_EIO);
    assert_string_equal(err.message, want);
    assert_int_equal(crm_output_set_closed_pipe(set), 0);
    crm_output_set_free(set);
    assert_file_is(a, "old a\n");
    assert_file_is(b, "old b\n");
    assert_int_equal(count_entries(), 2);
}

/* A target name of 250 bytes leaves no room for ".tmpXXXXXX" within
 * NAME_MAX (255): the temporary name is cut short, the target is not. */
static void test_long_name(void **state)
{
    (void)state;
    clear_dir();
    char name[251], path[512];
    memset(name, 'n', 250);
    memcpy(name + 246, ".csv", 4);
    name[250] = '\0';
    temp_path(path, sizeof path, name);
    crm_error err;
    crm_output_set *set = crm_output_set_new();
    crm_output *out = open_in_set(set, path, "x\n");
    DIR *d = opendir(temp_dir);
    struct dirent *e;
    size_t longest = 0;
    while ((e = readdir(d)) != NULL)
        if (strlen(e->d_name) > longest)
            longest = strlen(e->d_name);
    closedir(d);
    assert_int_equal(longest, 255);
    assert_int_equal(crm_output_commit(out, &err), CRM_OK);
    assert_int_equal(crm_output_set_commit(set, &err), CRM_OK);
    crm_output_set_free(set);
    assert_file_is(path, "x\n");
    assert_int_equal(count_entries(), 1);
}

/* A named output whose reader went away is a failure (not the quiet end of
 * a closed standard output), and the set says so. */
static void test_closed_pipe_on_named_output(void **state)
{
    (void)state;
    clear_dir();
    char fifo[128], want[256];
    temp_path(fifo, sizeof fifo, "out.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    void (*old_handler)(int) = signal(SIGPIPE, SIG_IGN);
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(reader >= 0);
    crm_error err;
    crm_output_set *set = crm_output_set_new();
    crm_output *out;
    assert_int_equal(crm_output_set_open(set, &out, fifo, 0, &err), CRM_OK);
    close(reader);
    assert_int_equal(crm_output_write(out, "a,b\n", 4), CRM_OK);   /* buffered */
    assert_int_equal(crm_output_commit(out, &err), CRM_EIO);
    snprintf(want, sizeof want, "%s: write failed: Broken pipe", fifo);
    assert_string_equal(err.message, want);
    assert_int_equal(crm_output_set_closed_pipe(set), 1);
    crm_output_set_free(set);
    signal(SIGPIPE, old_handler);
}

/* A child writes two files of a set and is sent SIGTERM: it ends by that
 * signal, its temporary files are gone and the old file is intact. */
static void test_signal_removes_temporary_files(void **state)
{
    (void)state;
    clear_dir();
    char a[128], b[128];
    temp_path(a, sizeof a, "a.csv");
    temp_path(b, sizeof b, "b.csv");
    write_file(a, "old a\n");
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        crm_output_remove_on_signals();
        crm_output_set *set = crm_output_set_new();
        crm_output *out;
        crm_error err;
        if (crm_output_set_open(set, &out, a, 0, &err) != CRM_OK ||
            crm_output_set_open(set, &out, b, 0, &err) != CRM_OK)
            _exit(3);
        if (write(ready[1], "r", 1) != 1)
            _exit(4);
        for (;;)
            pause();
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    assert_int_equal(count_entries(), 3);   /* a.csv and two temporary files */
    assert_int_equal(kill(pid, SIGTERM), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_int_equal(count_entries(), 1);
    assert_file_is(a, "old a\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_and_commit),
        cmocka_unit_test(test_large_writes),
        cmocka_unit_test(test_abort_keeps_old_file),
        cmocka_unit_test(test_failed_commit_keeps_old_file),
        cmocka_unit_test(test_dev_full),
        cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_file_modes),
        cmocka_unit_test(test_symlink_target),
        cmocka_unit_test(test_gzip_output),
        cmocka_unit_test(test_epipe_on_stdout),
        cmocka_unit_test(test_set_names_checked),
        cmocka_unit_test(test_set_standard_input_is_a_file),
        cmocka_unit_test(test_set_commits_together),
        cmocka_unit_test(test_set_discarded),
        cmocka_unit_test(test_set_write_failure),
        cmocka_unit_test(test_long_name),
        cmocka_unit_test(test_closed_pipe_on_named_output),
        cmocka_unit_test(test_signal_removes_temporary_files),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
