/* Progress of a run, as lines on a stream (standard error): rows, bytes and
 * rate while the input is read, with percent and ETA when the input's size
 * is known, and named stages (a model fit, a mining pass) with their own
 * done/total.  Knows nothing of CRM.
 *
 * Several processes of one pipeline may share one terminal, so each stage
 * has a line of its own, every line names the command and the stage
 * ("crm-rfm: read: ...") and is written with one write.  A process that is
 * alone on its terminal (standard error a terminal, standard input and
 * output neither a pipe nor a socket) redraws its line in place with a
 * carriage return (CRM_PROGRESS_OVERWRITE); any other writes complete
 * '\n'-terminated lines, fewer of them (CRM_PROGRESS_LINES), which neither
 * overwrite each other nor leave carriage returns in a log file. */
#ifndef CRM_PROGRESS_H
#define CRM_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Monotonic clock in seconds. */
double crm_clock_seconds(void);

typedef enum {
    CRM_PROGRESS_OFF = 0,
    CRM_PROGRESS_OVERWRITE, /* one line redrawn with '\r'; a new line per stage */
    CRM_PROGRESS_LINES      /* a complete '\n'-terminated line per update */
} crm_progress_mode;

/* Seconds between two updates shown, per mode. */
#define CRM_PROGRESS_OVERWRITE_INTERVAL 0.5
#define CRM_PROGRESS_LINES_INTERVAL 2.0

/* A clock to read instead of crm_clock_seconds (tests use a fake one). */
typedef double (*crm_progress_clock)(void *ctx);

typedef struct {
    FILE *stream;              /* NULL: stderr */
    crm_progress_mode mode;
    double interval;           /* seconds between updates; 0: the mode's */
    crm_progress_clock clock;  /* NULL: crm_clock_seconds */
    void *clock_ctx;
    uint64_t total_bytes;      /* bytes the read stage will take; 0: unknown */
} crm_progress_options;

enum { CRM_PROGRESS_STAGE_MAX = 48 };

/* Embedded by value in a command's run; the fields are private.  Not
 * thread-safe: report from one thread (the one that reads, or the one that
 * runs an optimiser's iterations). */
typedef struct {
    int enabled;
    const char *command;
    FILE *stream;
    crm_progress_mode mode;
    double interval;
    crm_progress_clock clock;
    void *clock_ctx;
    uint64_t total_bytes;
    double started;            /* the read stage's start */
    double last_shown;
    uint64_t next_check;       /* rows at which to look at the clock again */
    uint64_t rows, bytes;      /* the read stage, as last told */
    char stage[CRM_PROGRESS_STAGE_MAX]; /* the current stage, "" none */
    double stage_started;
    uint64_t stage_done, stage_total;
    int shown_width;           /* OVERWRITE: length of the line on screen, 0 none */
} crm_progress;

/* The mode for a process that writes progress to standard error:
 * CRM_PROGRESS_OVERWRITE when it is alone on its terminal, else LINES. */
crm_progress_mode crm_progress_default_mode(void);

/* Bytes the named inputs hold (NULL or "-": standard input), the sum of
 * their sizes; 0 (unknown) when any of them is not a regular file (a pipe,
 * a FIFO) or cannot be looked at.  Compressed files count their compressed
 * size, which is what crm_csv_raw_bytes counts as it reads. */
uint64_t crm_progress_inputs_size(const char *const *paths, size_t count);

/* The input size crm_progress_start assumes for this process (0: unknown).
 * crm_cli_start sets it from the operands, so every command's read stage
 * shows percent and ETA without asking. */
void crm_progress_expect_bytes(uint64_t total);

/* Starts the clock.  enabled 0: every call is a no-op.  Writes to stderr in
 * crm_progress_default_mode(), the total from crm_progress_expect_bytes. */
void crm_progress_start(crm_progress *p, const char *command, int enabled);
/* The same with the stream, mode, clock and total given (opts NULL:
 * defaults; mode CRM_PROGRESS_OFF: disabled). */
void crm_progress_start_with(crm_progress *p, const char *command, const crm_progress_options *opts);
/* The read stage's total bytes, when the caller knows better (0: unknown). */
void crm_progress_set_total(crm_progress *p, uint64_t total_bytes);

/* The read stage: rows and input bytes so far.  Cheap: looks at the clock
 * only every few thousand rows. */
void crm_progress_update(crm_progress *p, uint64_t rows, uint64_t bytes);
/* The read stage's final line (when enabled): rows, bytes, rate, time. */
void crm_progress_finish(crm_progress *p, uint64_t rows, uint64_t bytes);

/* A named stage inside the run ("fit bgnbd": iteration 40 of at most 200).
 * total 0: unknown (no percent or ETA).  A stage of another name ends the
 * current one; the call with done >= total > 0 is the stage's last and
 * prints its final line (an iterative fit that converges at iteration k
 * passes k, k).  Looks at the clock at every call: call it once per
 * iteration or item, not per row.  "read" names the read stage. */
void crm_progress_stage(crm_progress *p, const char *stage, uint64_t done, uint64_t total);
/* Ends the current named stage with its final line (nothing when none). */
void crm_progress_stage_end(crm_progress *p);

/* ---- for analytics modules, which never print ----
 * An analytics function takes a crm_progress_hook (zeroed: none) and calls
 * crm_progress_hook_call; the command passes crm_progress_hook_of(&p). */
typedef void (*crm_progress_fn)(void *ctx, const char *stage, uint64_t done, uint64_t total);

typedef struct {
    crm_progress_fn fn;        /* NULL: nobody listens */
    void *ctx;
} crm_progress_hook;

static inline void crm_progress_hook_call(const crm_progress_hook *hook, const char *stage,
                                          uint64_t done, uint64_t total)
{
    if (hook && hook->fn)
        hook->fn(hook->ctx, stage, done, total);
}

/* A crm_progress_fn whose ctx is a crm_progress (crm_progress_stage). */
void crm_progress_stage_fn(void *progress, const char *stage, uint64_t done, uint64_t total);
/* The hook that reports to p. */
crm_progress_hook crm_progress_hook_of(crm_progress *p);

#endif
