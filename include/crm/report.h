/* Run accounting: the --report JSON summary that cron jobs check, and the
 * --progress line on stderr.  Knows nothing of CRM: a report is a set of
 * named counters, a set of counts by reason, and timings. */
#ifndef CRM_REPORT_H
#define CRM_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "crm/error.h"

typedef struct crm_report crm_report;

/* Starts the clock.  command names the program in the JSON. */
crm_report *crm_report_new(const char *command);
void crm_report_free(crm_report *r);

/* Counters in the order first set: "rows_in", "rows_out", ... */
void crm_report_set(crm_report *r, const char *name, uint64_t value);
/* Counts by reason, in the order first added ("rejected": {"duplicate": 5}). */
void crm_report_add_reason(crm_report *r, const char *reason, uint64_t count);
/* Text facts ("input": "orders.csv", "status": "ok"). */
void crm_report_set_text(crm_report *r, const char *name, const char *value);

/* Writes the JSON summary to path (atomically).  The result is one object:
 * {"command":..., "status":..., <texts> (a failed run's "error" among
 *  them), <counters>, "rejected":{...},
 *  "seconds": wall, "cpu_seconds": cpu, "max_rss_kb": peak memory}. */
crm_status crm_report_write(const crm_report *r, const char *path, crm_error *err);

/* Progress on stderr: at most a few lines a second, "rows, MB, MB/s". */
typedef struct {
    int enabled;
    const char *command;
    double started;      /* monotonic seconds */
    double last_shown;
    uint64_t next_check; /* rows at which to look at the clock again */
    int shown_width;     /* length of the line last shown, to blank its rest */
} crm_progress;

void crm_progress_start(crm_progress *p, const char *command, int enabled);
/* Cheap: looks at the clock only every few thousand rows. */
void crm_progress_update(crm_progress *p, uint64_t rows, uint64_t bytes);
/* Prints the final line (when enabled). */
void crm_progress_finish(crm_progress *p, uint64_t rows, uint64_t bytes);

/* Monotonic clock in seconds. */
double crm_clock_seconds(void);

#endif
