#include "crm/progress.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The read stage is a stage like the others on screen, under this name. */
static const char READ_STAGE[] = "read";

enum { PROGRESS_CHECK_ROWS = 65536, LINE_MAX_LEN = 256 };

/* Set once by crm_cli_start, before any progress starts. */
static uint64_t expected_total_bytes;

double crm_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_pipe_or_socket(int fd)
{
    struct stat sb;
    return fstat(fd, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode));
}

/* A pipe on either side means a pipeline, whose other commands may well
 * write progress to the same terminal: then '\r' redraws would overwrite
 * each other, and only whole lines stay readable. */
crm_progress_mode crm_progress_default_mode(void)
{
    if (isatty(STDERR_FILENO) && !is_pipe_or_socket(STDIN_FILENO) && !is_pipe_or_socket(STDOUT_FILENO))
        return CRM_PROGRESS_OVERWRITE;
    return CRM_PROGRESS_LINES;
}

/* Bytes still to come from standard input, 0 when it is not a regular file
 * (a shell's "< file" may have left it at an offset: count from there). */
static uint64_t stdin_size(void)
{
    struct stat sb;
    if (fstat(STDIN_FILENO, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    off_t at = lseek(STDIN_FILENO, 0, SEEK_CUR);
    if (at < 0 || at > sb.st_size)
        at = 0;
    return (uint64_t)(sb.st_size - at);
}

static uint64_t input_size(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdin_size();
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    return (uint64_t)sb.st_size;
}

uint64_t crm_progress_inputs_size(const char *const *paths, size_t count)
{
    if (count == 0)
        return stdin_size();
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t size = input_size(paths[i]);
        /* One input of unknown size makes the whole unknown: a percent of
         * the others would be wrong. */
        if (size == 0)
            return 0;
        total += size;
    }
    return total;
}

void crm_progress_expect_bytes(uint64_t total)
{
    expected_total_bytes = total;
}

static double progress_now(const crm_progress *p)
{
    return p->clock ? p->clock(p->clock_ctx) : crm_clock_seconds();
}

void crm_progress_start_with(crm_progress *p, const char *command, const crm_progress_options *opts)
{
    crm_progress_options defaults = {NULL, CRM_PROGRESS_LINES, 0, NULL, NULL, 0};
    if (!opts)
        opts = &defaults;
    memset(p, 0, sizeof *p);
    p->mode = opts->mode;
    p->enabled = opts->mode != CRM_PROGRESS_OFF;
    p->command = command ? command : "";
    p->stream = opts->stream ? opts->stream : stderr;
    p->interval = opts->interval > 0 ? opts->interval
                  : opts->mode == CRM_PROGRESS_OVERWRITE ? CRM_PROGRESS_OVERWRITE_INTERVAL
                                                         : CRM_PROGRESS_LINES_INTERVAL;
    p->clock = opts->clock;
    p->clock_ctx = opts->clock_ctx;
    p->total_bytes = opts->total_bytes;
    p->started = progress_now(p);
    p->last_shown = p->started;
    p->next_check = PROGRESS_CHECK_ROWS;
}

void crm_progress_start(crm_progress *p, const char *command, int enabled)
{
    crm_progress_options opts = {NULL, CRM_PROGRESS_OFF, 0, NULL, NULL, expected_total_bytes};
    /* The terminal is only looked at when progress is wanted. */
    if (enabled)
        opts.mode = crm_progress_default_mode();
    crm_progress_start_with(p, command, &opts);
}

void crm_progress_set_total(crm_progress *p, uint64_t total_bytes)
{
    p->total_bytes = total_bytes;
}

/* ---- text ---- */

/* A line under construction; too long a line is cut, never overrun. */
typedef struct {
    char text[LINE_MAX_LEN];
    size_t len;
} line_buffer;

static void line_printf(line_buffer *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void line_printf(line_buffer *b, const char *fmt, ...)
{
    if (b->len + 1 >= sizeof b->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->len, sizeof b->text - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    b->len += (size_t)n;
    if (b->len >= sizeof b->text)
        b->len = sizeof b->text - 1;
}

/* 1234567 -> "1,234,567" */
static void line_thousands(line_buffer *b, uint64_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, n);
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            line_printf(b, ",");
        line_printf(b, "%c", digits[i]);
    }
}

/* x with one decimal, by hand (no locale can make the point a comma). */
static void line_tenths(line_buffer *b, double x)
{
    if (!(x > 0))
        x = 0;
    uint64_t tenths = (uint64_t)(x * 10.0 + 0.5);
    line_printf(b, "%" PRIu64 ".%u", tenths / 10, (unsigned)(tenths % 10));
}

/* "4.2s" below a minute (tenths only when asked), "3m05s", "2h07m". */
static void line_duration(line_buffer *b, double seconds, int tenths)
{
    if (!(seconds > 0))
        seconds = 0;
    if (seconds < 59.95 && tenths) {
        line_tenths(b, seconds);
        line_printf(b, "s");
        return;
    }
    uint64_t s = (uint64_t)(seconds + 0.5);
    if (s < 60)
        line_printf(b, "%" PRIu64 "s", s);
    else if (s < 3600)
        line_printf(b, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
    else
        line_printf(b, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
}

/* ", 37%, ETA 1m05s" for done of total after elapsed seconds; nothing when
 * the total is unknown or already passed (then it was wrong). */
static void line_percent_eta(line_buffer *b, uint64_t done, uint64_t total, double elapsed)
{
    if (total == 0 || done > total)
        return;
    /* Rounded down: 100% only once everything is done. */
    unsigned percent = (unsigned)((double)done * 100.0 / (double)total);
    if (percent > 100 || (percent == 100 && done < total))
        percent = 99;
    line_printf(b, ", %u%%", percent);
    if (done > 0 && elapsed > 0) {
        line_printf(b, ", ETA ");
        line_duration(b, elapsed * (double)(total - done) / (double)done, 0);
    }
}

/* ---- output ---- */

/* The whole line goes out in one write, so that lines of several processes
 * on one terminal or pipe never mix (shorter than PIPE_BUF). */
static void put_line(crm_progress *p, const line_buffer *line, int final)
{
    char out[LINE_MAX_LEN * 2 + 4];
    size_t n = 0;
    if (p->mode == CRM_PROGRESS_OVERWRITE) {
        out[n++] = '\r';
        memcpy(out + n, line->text, line->len);
        n += line->len;
        /* Blank out what is left of a longer line drawn before. */
        for (size_t w = line->len; w < (size_t)p->shown_width; w++)
            out[n++] = ' ';
        if (final)
            out[n++] = '\n';
        p->shown_width = final ? 0 : (int)line->len;
    } else {
        memcpy(out, line->text, line->len);
        n = line->len;
        out[n++] = '\n';
    }
    fwrite(out, 1, n, p->stream);
    fflush(p->stream);
}

/* OVERWRITE: leaves the line on screen as it stands and goes below it, so
 * that the next stage gets a line of its own. */
static void close_open_line(crm_progress *p)
{
    if (p->mode == CRM_PROGRESS_OVERWRITE && p->shown_width > 0) {
        fputc('\n', p->stream);
        fflush(p->stream);
    }
    p->shown_width = 0;
}

static void show_read(crm_progress *p, double now, int final)
{
    double elapsed = now - p->started;
    double megabytes = (double)p->bytes / 1e6;
    line_buffer b = {{0}, 0};
    line_printf(&b, "%s: %s: ", p->command, READ_STAGE);
    line_thousands(&b, p->rows);
    line_printf(&b, " rows, ");
    line_tenths(&b, megabytes);
    line_printf(&b, " MB, ");
    line_tenths(&b, elapsed > 0 ? megabytes / elapsed : 0);
    line_printf(&b, " MB/s");
    if (final) {
        line_printf(&b, ", done in ");
        line_duration(&b, elapsed, 1);
    } else {
        line_percent_eta(&b, p->bytes, p->total_bytes, elapsed);
    }
    put_line(p, &b, final);
}

static void show_stage(crm_progress *p, double now, int final)
{
    double elapsed = now - p->stage_started;
    line_buffer b = {{0}, 0};
    line_printf(&b, "%s: %s: ", p->command, p->stage);
    line_thousands(&b, p->stage_done);
    if (p->stage_total > 0) {
        line_printf(&b, " of ");
        line_thousands(&b, p->stage_total);
    }
    if (final) {
        line_printf(&b, ", done in ");
        line_duration(&b, elapsed, 1);
    } else {
        line_percent_eta(&b, p->stage_done, p->stage_total, elapsed);
    }
    put_line(p, &b, final);
}

static int in_read_stage(const crm_progress *p)
{
    return strcmp(p->stage, READ_STAGE) == 0;
}

/* Leaves the current stage: a named stage ends with its final line; the
 * read stage's comes from crm_progress_finish. */
static void leave_stage(crm_progress *p, double now)
{
    if (p->stage[0] != '\0' && !in_read_stage(p))
        show_stage(p, now, 1);
    else
        close_open_line(p);
    p->stage[0] = '\0';
}

static void enter_read_stage(crm_progress *p, double now)
{
    if (in_read_stage(p))
        return;
    leave_stage(p, now);
    memcpy(p->stage, READ_STAGE, sizeof READ_STAGE);
}

void crm_progress_update(crm_progress *p, uint64_t rows, uint64_t bytes)
{
    if (!p->enabled)
        return;
    p->rows = rows;
    p->bytes = bytes;
    if (rows < p->next_check)
        return;
    p->next_check = rows + PROGRESS_CHECK_ROWS;
    double now = progress_now(p);
    if (now - p->last_shown < p->interval)
        return;
    p->last_shown = now;
    enter_read_stage(p, now);
    show_read(p, now, 0);
}

void crm_progress_finish(crm_progress *p, uint64_t rows, uint64_t bytes)
{
    if (!p->enabled)
        return;
    double now = progress_now(p);
    enter_read_stage(p, now);
    p->rows = rows;
    /* A command that passes no bytes here still read what it last said. */
    if (bytes > p->bytes)
        p->bytes = bytes;
    show_read(p, now, 1);
    p->stage[0] = '\0';
}

void crm_progress_stage(crm_progress *p, const char *stage, uint64_t done, uint64_t total)
{
    if (!p->enabled)
        return;
    double now = progress_now(p);
    char name[CRM_PROGRESS_STAGE_MAX];
    snprintf(name, sizeof name, "%s", stage ? stage : "");
    if (strcmp(name, p->stage) != 0) {
        leave_stage(p, now);
        memcpy(p->stage, name, sizeof name);
        p->stage_started = now;
    }
    p->stage_done = done;
    p->stage_total = total;
    if (total > 0 && done >= total) {
        show_stage(p, now, 1);
        p->stage[0] = '\0';
        p->last_shown = now;
        return;
    }
    if (now - p->last_shown < p->interval)
        return;
    p->last_shown = now;
    show_stage(p, now, 0);
}

void crm_progress_stage_end(crm_progress *p)
{
    if (!p->enabled || p->stage[0] == '\0' || in_read_stage(p))
        return;
    show_stage(p, progress_now(p), 1);
    p->stage[0] = '\0';
}

void crm_progress_stage_fn(void *progress, const char *stage, uint64_t done, uint64_t total)
{
    crm_progress_stage(progress, stage, done, total);
}

crm_progress_hook crm_progress_hook_of(crm_progress *p)
{
    crm_progress_hook hook = {crm_progress_stage_fn, p};
    return hook;
}
