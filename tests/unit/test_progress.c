#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "crm/cli.h"
#include "crm/input.h"
#include "crm/progress.h"

/* ---- a fake clock and a memory stream ---- */

typedef struct {
    double now;
    int reads;            /* how often the clock was looked at */
} fake_clock;

static double read_fake_clock(void *ctx)
{
    fake_clock *c = ctx;
    c->reads++;
    return c->now;
}

typedef struct {
    fake_clock clock;
    FILE *stream;
    char *text;
    size_t len;
    crm_progress p;
} fixture;

static void start(fixture *f, crm_progress_mode mode, uint64_t total_bytes)
{
    memset(f, 0, sizeof *f);
    f->stream = open_memstream(&f->text, &f->len);
    assert_non_null(f->stream);
    crm_progress_options opts = {f->stream, mode, 0, read_fake_clock, &f->clock, total_bytes};
    crm_progress_start_with(&f->p, "crm-test", &opts);
}

/* What was written so far (the stream stays open). */
static const char *written(fixture *f)
{
    fflush(f->stream);
    return f->text ? f->text : "";
}

static void stop(fixture *f)
{
    fclose(f->stream);
    free(f->text);
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* ---- the read stage ---- */

static void test_disabled_prints_nothing(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_OFF, 1000);
    f.clock.now = 100;
    crm_progress_update(&f.p, 10000000, 999);
    crm_progress_stage(&f.p, "fit", 5, 5);
    crm_progress_finish(&f.p, 10000000, 999);
    assert_string_equal(written(&f), "");
    assert_int_equal(f.clock.reads, 1);   /* only start looked */
    stop(&f);

    crm_progress p;
    crm_progress_start(&p, "crm-test", 0);
    assert_int_equal(p.enabled, 0);
    assert_int_equal(p.mode, CRM_PROGRESS_OFF);
}

static void test_unknown_size_shows_rows_bytes_rate(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 0);
    f.clock.now = 2.0;
    crm_progress_update(&f.p, 70000, 1234567);
    /* 1,234,567 bytes = 1.2 MB; 1.234567 MB / 2 s = 0.617 -> 0.6 MB/s; no
     * percent, no ETA: the size is unknown. */
    assert_string_equal(written(&f), "crm-test: read: 70,000 rows, 1.2 MB, 0.6 MB/s\n");
    stop(&f);
}

static void test_known_size_shows_percent_and_eta(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 10000000);
    f.clock.now = 4.0;
    crm_progress_update(&f.p, 100000, 2500000);
    /* 2.5 of 10 MB = 25%; 0.625 MB/s -> 0.6; the other 7.5 MB at that
     * rate take 4 s * 7.5 / 2.5 = 12 s. */
    assert_string_equal(written(&f),
                        "crm-test: read: 100,000 rows, 2.5 MB, 0.6 MB/s, 25%, ETA 12s\n");
    stop(&f);
}

static void test_eta_in_minutes_and_hours(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 1000000000);
    f.clock.now = 10.0;
    /* 10 s for 10% -> 90 s to go: 1m30s */
    crm_progress_update(&f.p, 70000, 100000000);
    f.clock.now = 20.0;
    /* 20 s for 0.2% (2 MB of 1000) -> 20 * 998 / 2 = 9,980 s = 2h46m20s: 2h46m */
    crm_progress_update(&f.p, 140000, 2000000);
    const char *text = written(&f);
    assert_non_null(strstr(text, ", 10%, ETA 1m30s\n"));
    assert_non_null(strstr(text, ", 0%, ETA 2h46m\n"));
    stop(&f);
}

static void test_percent_is_100_only_at_the_end(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 1000);
    f.clock.now = 2.0;
    crm_progress_update(&f.p, 70000, 999);   /* 99.9%: not yet 100 */
    f.clock.now = 4.0;
    crm_progress_update(&f.p, 140000, 1000);
    f.clock.now = 6.0;
    crm_progress_update(&f.p, 210000, 1001); /* past the total: it was wrong, say nothing */
    const char *text = written(&f);
    assert_int_equal(count_char(text, '\n'), 3);
    assert_non_null(strstr(text, " rows, 0.0 MB, 0.0 MB/s, 99%, ETA 0s\n"));
    assert_non_null(strstr(text, "140,000 rows, 0.0 MB, 0.0 MB/s, 100%, ETA 0s\n"));
    assert_non_null(strstr(text, "210,000 rows, 0.0 MB, 0.0 MB/s\n"));
    stop(&f);
}

static void test_updates_are_throttled(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 0);
    int reads = f.clock.reads;
    f.clock.now = 50.0;
    crm_progress_update(&f.p, 1000, 5000);   /* below 65,536 rows: clock not read */
    crm_progress_update(&f.p, 65535, 5000);
    assert_int_equal(f.clock.reads, reads);
    assert_string_equal(written(&f), "");

    f.clock.now = 1.0;                       /* less than the 2 s of LINES */
    crm_progress_update(&f.p, 70000, 1000000);
    assert_int_equal(f.clock.reads, reads + 1);
    f.clock.now = 2.5;                       /* 2.5 s after the start: shown */
    crm_progress_update(&f.p, 140000, 2000000);
    f.clock.now = 4.0;                       /* 1.5 s after it: not */
    crm_progress_update(&f.p, 210000, 3000000);
    f.clock.now = 4.5;                       /* 2 s after it: shown */
    crm_progress_update(&f.p, 280000, 4000000);
    assert_string_equal(written(&f), "crm-test: read: 140,000 rows, 2.0 MB, 0.8 MB/s\n"
                                     "crm-test: read: 280,000 rows, 4.0 MB, 0.9 MB/s\n");
    stop(&f);
}

static void test_final_line(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 5000000);
    f.clock.now = 2.0;
    crm_progress_update(&f.p, 1000, 4000000);    /* remembered, not shown */
    f.clock.now = 3.25;
    /* A command that passes 0 bytes at the end (crm-ltv) still read 4 MB;
     * 4 MB / 3.25 s = 1.23 -> 1.2 MB/s; the final line has no ETA. */
    crm_progress_finish(&f.p, 1200, 0);
    assert_string_equal(written(&f), "crm-test: read: 1,200 rows, 4.0 MB, 1.2 MB/s, done in 3.3s\n");
    stop(&f);
}

static void test_overwrite_mode_redraws_one_line(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_OVERWRITE, 0);
    f.clock.now = 0.4;                         /* less than 0.5 s: not shown */
    crm_progress_update(&f.p, 70000, 120500000);
    f.clock.now = 1.0;
    crm_progress_update(&f.p, 1234567, 120500000);
    f.clock.now = 2.0;
    crm_progress_finish(&f.p, 1000, 0);
    /* 120.5 MB in 1 s; then 120.5 MB in 2 s = 60.25 -> 60.3 MB/s (rounded half up) */
    static const char first[] = "\rcrm-test: read: 1,234,567 rows, 120.5 MB, 120.5 MB/s";
    static const char last[] = "\rcrm-test: read: 1,000 rows, 120.5 MB, 60.3 MB/s, done in 2.0s";
    const char *text = written(&f);
    assert_memory_equal(text, first, strlen(first));
    const char *second = text + strlen(first);
    assert_memory_equal(second, last, strlen(last));
    /* longer than the first line: nothing to blank; then the line ends */
    assert_string_equal(second + strlen(last), "\n");
    stop(&f);

    /* A shorter line is padded with blanks over the longer one before it. */
    start(&f, CRM_PROGRESS_OVERWRITE, 0);
    f.clock.now = 1.0;
    crm_progress_update(&f.p, 1234567, 120500000);
    f.clock.now = 2.0;
    crm_progress_update(&f.p, 2469134, 400000);
    text = written(&f);
    const char *redraw = strchr(text + 1, '\r');
    assert_non_null(redraw);
    size_t first_len = (size_t)(redraw - text);
    assert_int_equal(strlen(redraw), first_len);
    static const char shorter[] = "\rcrm-test: read: 2,469,134 rows, 0.4 MB, 0.2 MB/s";
    assert_memory_equal(redraw, shorter, strlen(shorter));
    for (const char *c = redraw + strlen(shorter); *c; c++)
        assert_int_equal(*c, ' ');
    assert_null(strchr(text, '\n'));
    stop(&f);
}

/* ---- named stages ---- */

static void test_stage_percent_eta_and_final_line(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 0);
    f.clock.now = 1.0;
    crm_progress_stage(&f.p, "fit bgnbd", 0, 200);    /* the stage's clock starts */
    f.clock.now = 3.0;
    /* 40 of 200 in 2 s: 20%, the other 160 take 2 * 160 / 40 = 8 s */
    crm_progress_stage(&f.p, "fit bgnbd", 40, 200);
    f.clock.now = 4.0;
    crm_progress_stage(&f.p, "fit bgnbd", 60, 200);   /* 1 s later: throttled */
    f.clock.now = 11.0;
    crm_progress_stage(&f.p, "fit bgnbd", 200, 200);  /* the last: shown at once */
    assert_string_equal(written(&f), "crm-test: fit bgnbd: 40 of 200, 20%, ETA 8s\n"
                                     "crm-test: fit bgnbd: 200 of 200, done in 10.0s\n");
    stop(&f);
}

static void test_stage_ends_when_another_begins(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 0);
    f.clock.now = 0.5;
    crm_progress_stage(&f.p, "fit bgnbd", 1, 0);      /* total unknown */
    f.clock.now = 2.5;
    crm_progress_stage(&f.p, "fit bgnbd", 7, 0);
    f.clock.now = 3.0;
    /* A converged fit that never reached its total ends when the next
     * stage begins; short stages still get their one final line. */
    crm_progress_stage(&f.p, "fit gamma-gamma", 3, 0);
    f.clock.now = 3.1;
    crm_progress_stage_end(&f.p);
    crm_progress_stage_end(&f.p);                     /* nothing open: nothing */
    assert_string_equal(written(&f), "crm-test: fit bgnbd: 7\n"
                                     "crm-test: fit bgnbd: 7, done in 2.5s\n"
                                     "crm-test: fit gamma-gamma: 3, done in 0.1s\n");
    stop(&f);
}

static void test_stage_after_read_gets_its_own_line(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_OVERWRITE, 0);
    f.clock.now = 1.0;
    crm_progress_update(&f.p, 70000, 1000000);
    f.clock.now = 2.0;
    crm_progress_stage(&f.p, "mine", 10, 40);
    f.clock.now = 4.0;
    crm_progress_stage(&f.p, "mine", 20, 40);
    f.clock.now = 5.0;
    crm_progress_finish(&f.p, 80000, 1100000);
    /* The read line stays as drawn, the stage starts below it (no ETA
     * before any time has passed in it), ends with its final line when the
     * read stage comes back, which ends last. */
    assert_string_equal(written(&f), "\rcrm-test: read: 70,000 rows, 1.0 MB, 1.0 MB/s\n"
                                     "\rcrm-test: mine: 10 of 40, 25%"
                                     "\rcrm-test: mine: 20 of 40, 50%, ETA 2s"
                                     "\rcrm-test: mine: 20 of 40, done in 3.0s\n"
                                     "\rcrm-test: read: 80,000 rows, 1.1 MB, 0.2 MB/s, done in 5.0s\n");
    stop(&f);
}

static void test_long_stage_name_is_one_stage(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 0);
    char name[100];
    memset(name, 'x', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    f.clock.now = 1.0;
    crm_progress_stage(&f.p, name, 1, 3);
    crm_progress_stage(&f.p, name, 2, 3);   /* same stage: no final line */
    crm_progress_stage(&f.p, name, 3, 3);
    const char *text = written(&f);
    assert_int_equal(count_char(text, '\n'), 1);
    /* cut to CRM_PROGRESS_STAGE_MAX - 1 characters */
    const char *colon = strchr(text + strlen("crm-test: "), ':');
    assert_int_equal((size_t)(colon - text) - strlen("crm-test: "), CRM_PROGRESS_STAGE_MAX - 1);
    assert_non_null(strstr(text, ": 3 of 3, done in 0.0s\n"));
    stop(&f);
}

/* ---- the hook for analytics ---- */

/* What an analytics loop does: report each iteration, the last as k, k. */
static void fake_fit(const crm_progress_hook *hook, fake_clock *clock, int iterations)
{
    for (int k = 1; k <= iterations; k++) {
        clock->now += 1.0;
        crm_progress_hook_call(hook, "fit", (uint64_t)k, k == iterations ? (uint64_t)k : 0);
    }
}

static void test_hook_reaches_the_progress(void **state)
{
    (void)state;
    fixture f;
    start(&f, CRM_PROGRESS_LINES, 0);
    crm_progress_hook none = {0};
    fake_fit(&none, &f.clock, 5);            /* nobody listens: fine */
    fake_fit(NULL, &f.clock, 5);
    assert_string_equal(written(&f), "");

    crm_progress_hook hook = crm_progress_hook_of(&f.p);
    assert_true(hook.fn == crm_progress_stage_fn);
    assert_ptr_equal(hook.ctx, &f.p);
    f.clock.now = 0;
    f.p.last_shown = 0;
    fake_fit(&hook, &f.clock, 5);
    /* iterations at 1..5 s; the stage starts at 1 s; shown at 2 s (2 s
     * after the last line at 0) and 4 s; the 5th ends it. */
    assert_string_equal(written(&f), "crm-test: fit: 2\n"
                                     "crm-test: fit: 4\n"
                                     "crm-test: fit: 5 of 5, done in 4.0s\n");
    stop(&f);
}

/* ---- sizes ---- */

static char temp_dir[64];

static int make_temp_dir(void **state)
{
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/crm-test-progress-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    static const char *const names[] = {"a.csv", "b.csv", "c.csv.gz", "fifo"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", temp_dir, names[i]);
        unlink(path);
    }
    return rmdir(temp_dir);
}

static const char *temp_path(const char *name)
{
    static char paths[4][128];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, 128, "%s/%s", temp_dir, name);
    return path;
}

static void write_file(const char *path, size_t size)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (size_t i = 0; i < size; i++)
        fputc(i % 10 == 9 ? '\n' : 'a', fp);
    assert_int_equal(fclose(fp), 0);
}

static void test_inputs_size_sums_regular_files(void **state)
{
    (void)state;
    const char *a = temp_path("a.csv");
    const char *b = temp_path("b.csv");
    write_file(a, 1000);
    write_file(b, 234);
    const char *both[] = {a, b};
    assert_int_equal(crm_progress_inputs_size(both, 2), 1234);
    assert_int_equal(crm_progress_inputs_size(both + 1, 1), 234);

    /* A FIFO or a missing file: unknown, for the whole run. */
    const char *fifo = temp_path("fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *with_fifo[] = {a, fifo};
    assert_int_equal(crm_progress_inputs_size(with_fifo, 2), 0);
    const char *missing[] = {a, temp_path("missing.csv")};
    assert_int_equal(crm_progress_inputs_size(missing, 2), 0);
}

/* For gzip, the total is the compressed file's size, and the reader counts
 * compressed bytes: at the end of the input both agree (100%). */
static void test_gzip_raw_bytes_reach_the_file_size(void **state)
{
    (void)state;
    const char *path = temp_path("c.csv.gz");
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    for (int i = 0; i < 20000; i++)
        gzprintf(gz, "customer%d,invoice%d,2011-12-%02d\n", i % 97, i, 1 + i % 28);
    assert_int_equal(gzclose(gz), Z_OK);
    const char *paths[] = {path};
    uint64_t size = crm_progress_inputs_size(paths, 1);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(size, (uint64_t)sb.st_size);

    crm_input *in = NULL;
    crm_error err;
    crm_error_clear(&err);
    assert_int_equal(crm_input_open(&in, path, NULL, &err), CRM_OK);
    assert_int_equal(crm_input_is_gzip(in), 1);
    char buf[4096];
    size_t got = 0;
    uint64_t decoded = 0;
    do {
        assert_int_equal(crm_input_read(in, buf, sizeof buf, &got, &err), CRM_OK);
        decoded += got;
        assert_true(crm_input_raw_bytes(in) <= size);
    } while (got > 0);
    assert_true(decoded > size);   /* it was compressed */
    assert_int_equal(crm_input_raw_bytes(in), size);
    crm_input_close(in);
}

static void test_expected_bytes_reach_start(void **state)
{
    (void)state;
    crm_progress p;
    crm_progress_expect_bytes(4321);
    crm_progress_start(&p, "crm-test", 0);
    assert_int_equal(p.total_bytes, 4321);
    crm_progress_set_total(&p, 99);
    assert_int_equal(p.total_bytes, 99);
    crm_progress_expect_bytes(0);
    crm_progress_start(&p, "crm-test", 0);
    assert_int_equal(p.total_bytes, 0);
}

/* Every command starts with crm_cli_start: with --progress it tells the
 * progress the operands' size, so no command has to. */
static void test_cli_start_expects_the_operands_size(void **state)
{
    (void)state;
    const char *a = temp_path("a.csv");
    const char *b = temp_path("b.csv");
    write_file(a, 1000);
    write_file(b, 234);
    static const struct option none[] = {{NULL, 0, NULL, 0}};
    crm_cli_spec spec = {.command = "crm-test", .usage = "Usage: crm-test [FILE]...\n",
                         .options = none, .short_options = ""};
    char *argv[] = {"crm-test", "--progress", (char *)a, (char *)b, NULL};
    crm_common_options common;
    int exit_code = -1;
    assert_int_equal(crm_cli_start(&spec, 4, argv, &common, &exit_code), 1);
    crm_progress p;
    crm_progress_start(&p, "crm-test", 0);
    assert_int_equal(p.total_bytes, 1234);

    char *quiet[] = {"crm-test", "--no-progress", (char *)a, NULL};
    crm_progress_expect_bytes(7);
    assert_int_equal(crm_cli_start(&spec, 3, quiet, &common, &exit_code), 1);
    crm_progress_start(&p, "crm-test", 0);
    assert_int_equal(p.total_bytes, 7);   /* not looked at without --progress */
    crm_progress_expect_bytes(0);
}

static void test_clock_is_monotonic_seconds(void **state)
{
    (void)state;
    double a = crm_clock_seconds();
    struct timespec ten_ms = {0, 10000000};
    nanosleep(&ten_ms, NULL);
    double b = crm_clock_seconds();
    assert_true(b - a >= 0.009);
    assert_true(b - a < 5.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disabled_prints_nothing),
        cmocka_unit_test(test_unknown_size_shows_rows_bytes_rate),
        cmocka_unit_test(test_known_size_shows_percent_and_eta),
        cmocka_unit_test(test_eta_in_minutes_and_hours),
        cmocka_unit_test(test_percent_is_100_only_at_the_end),
        cmocka_unit_test(test_updates_are_throttled),
        cmocka_unit_test(test_final_line),
        cmocka_unit_test(test_overwrite_mode_redraws_one_line),
        cmocka_unit_test(test_stage_percent_eta_and_final_line),
        cmocka_unit_test(test_stage_ends_when_another_begins),
        cmocka_unit_test(test_stage_after_read_gets_its_own_line),
        cmocka_unit_test(test_long_stage_name_is_one_stage),
        cmocka_unit_test(test_hook_reaches_the_progress),
        cmocka_unit_test(test_inputs_size_sums_regular_files),
        cmocka_unit_test(test_gzip_raw_bytes_reach_the_file_size),
        cmocka_unit_test(test_expected_bytes_reach_start),
        cmocka_unit_test(test_cli_start_expects_the_operands_size),
        cmocka_unit_test(test_clock_is_monotonic_seconds),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
