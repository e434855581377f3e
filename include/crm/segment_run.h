/* One crm-segment run over a customers table, in the steps a C program
 * takes to do what the command does:
 *
 *   crm_segment_run_open    the columns resolved, the segment column names
 *                           checked, a saved model's columns checked and
 *                           the RFM map read: all before the long input
 *   crm_segment_run_read    the rows read (a shard's customers, bad rows
 *                           skipped or not), the survey joined, the
 *                           customers tied at a saved cut-off marked
 *   crm_segment_run_label   one method labels every customer
 *   crm_segment_run_model   the model fitted here, to save
 *
 * then crm_segment_profile_write and crm_segment_table_write write the
 * results.  A formats module: it reads the files it is given by name (the
 * map), never prints or exits. */
#ifndef CRM_SEGMENT_RUN_H
#define CRM_SEGMENT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/output.h"
#include "crm/report.h"
#include "crm/segment_method.h"
#include "crm/segment_model.h"
#include "crm/segment_survey.h"
#include "crm/segment_table.h"

typedef struct {
    crm_segment_table_spec table;          /* by and nby say the methods, in --by order */
    const crm_segment_settings *settings;
    const char *map_path;                  /* the RFM map file, or NULL: the default map */
    const char *save_model;                /* where the fitted model will be saved, or NULL (value
                                              tiers then read customer_id to name a tied cut-off) */
} crm_segment_run_spec;

/* Checks what a run is asked before any file is opened: k-means needs k
 * (or k-auto) unless a saved model is given; lifecycle thresholds in order;
 * a shard (table.shard) is labelled as one process labels the whole table,
 * so k-means and value tiers need a saved model there, and no model is
 * saved from a shard.  CRM_EUSAGE with a message naming the options of
 * crm-segment(1). */
crm_status crm_segment_run_check(const crm_segment_run_spec *spec, crm_error *err);

typedef struct {
    crm_segment_run_spec spec;
    crm_segment_table table;
    crm_segment_result segs[CRM_SEGMENT_BY_COUNT];   /* one per method, in spec order */
    size_t nsegs;
    double seconds[CRM_SEGMENT_BY_COUNT];            /* how long each method took */
} crm_segment_run;

/* Prepares run for the table r reads (r stays the caller's; its header is
 * read).  Free run with crm_segment_run_free, also after a failure. */
crm_status crm_segment_run_open(crm_segment_run *run, const crm_csv_reader *r, const crm_segment_run_spec *spec,
                                crm_error *err);

/* Reads the rows of r (bad rows to bad, which may skip them; progress may
 * be NULL) and joins survey (NULL: none) on customer_id. */
crm_status crm_segment_run_read(crm_segment_run *run, crm_csv_reader *r, crm_survey *survey, crm_table_bad_row bad,
                                void *bad_ctx, void (*progress)(void *ctx, uint64_t rows, uint64_t bytes),
                                void *progress_ctx, crm_error *err);

/* Labels the customers by method s (0-based, in spec order), timing it in
 * seconds[s].  A message about a row names the input line
 * ("<input>:<line>: ..."). */
crm_status crm_segment_run_label(crm_segment_run *run, size_t s, const char *input, crm_error *err);

/* The model of the k-means and value tiers fitted by this run. */
crm_status crm_segment_run_model(const crm_segment_run *run, const crm_csv_reader *r, crm_segment_model *m,
                                 crm_error *err);

/* Writes that model to out (the caller commits out). */
crm_status crm_segment_run_save_model(const crm_segment_run *run, const crm_csv_reader *r, crm_output *out,
                                      crm_error *err);

/* Puts the fit statistics of a k-means fitted here into report: kmeans_k,
 * kmeans_inertia (shortest round-trip text), kmeans_iterations and
 * kmeans_seconds (3 decimals). */
void crm_segment_run_report(const crm_segment_run *run, crm_report *report);
/* The customers of each segment of a finished run, one --report group per
 * output column ("segment_rfm": {"Champions": 113, ...}), every segment
 * name listed (0 included) in the order of the names. */
void crm_segment_run_report_counts(const crm_segment_run *run, crm_report *report);

/* The customers per segment of s over n customers, as one line of text
 * "rfm: Champions 621, Loyal 663, ..." (malloc'd; NULL when out of memory). */
char *crm_segment_run_counts_text(const crm_segment_result *s, size_t n);

/* What a run tells about its results, one line at a time to line(ctx,
 * text): for each method the counts (crm_segment_run_counts_text), and for
 * loyalty how many customers had a survey answer (survey NULL: "objective
 * value alone"). */
typedef void (*crm_segment_run_line)(void *ctx, const char *text);
void crm_segment_run_summary(const crm_segment_run *run, const crm_survey *survey, crm_segment_run_line line,
                             void *ctx);

/* The k-means of result s: the silhouette of each k tried by k-auto, then
 * k, inertia, iterations and the restart kept; or, labelled with a saved
 * model, "kmeans: k=K from <model_file>". */
void crm_segment_run_kmeans_lines(const crm_segment_run *run, const crm_segment_result *s, crm_segment_run_line line,
                                  void *ctx);

void crm_segment_run_free(crm_segment_run *run);

#endif
