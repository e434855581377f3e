/* Run accounting: the --report JSON summary that cron jobs check.  Knows
 * nothing of CRM: a report is a set of named counters, a set of counts by
 * reason, and timings.  The --progress lines are crm/progress.h (included
 * here because the commands have always found them through this header). */
#ifndef CRM_REPORT_H
#define CRM_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "crm/error.h"
#include "crm/progress.h"

typedef struct crm_report crm_report;

/* Starts the clock.  command names the program in the JSON. */
crm_report *crm_report_new(const char *command);
void crm_report_free(crm_report *r);

/* Counters in the order first set: "rows_in", "rows_out", ... */
void crm_report_set(crm_report *r, const char *name, uint64_t value);
/* Counts by reason, in the order first added ("rejected": {"duplicate": 5}). */
void crm_report_add_reason(crm_report *r, const char *reason, uint64_t count);
/* Counters in a named group, groups in the order first set, each written
 * as an object after "rejected" ("segments_rfm": {"Champions": 113}). */
void crm_report_set_in(crm_report *r, const char *group, const char *name, uint64_t value);
/* Text facts ("input": "orders.csv", "status": "ok"). */
void crm_report_set_text(crm_report *r, const char *name, const char *value);

/* Writes the JSON summary to path (atomically).  The result is one object:
 * {"command":..., "status":..., <texts> (a failed run's "error" among
 *  them), <counters>, "rejected":{...}, <groups>,
 *  "seconds": wall, "cpu_seconds": cpu, "max_rss_kb": peak memory}. */
crm_status crm_report_write(const crm_report *r, const char *path, crm_error *err);

#endif
