/* The saved segmentation model of crm-segment --save-model / --model-file:
 * what labels a shard of the customers exactly as one process labelled the
 * whole table.  K-means keeps its features, transform, z-score means and
 * deviations and the centres with their cluster numbers; value tiers keep
 * the columns, the MGC factors and the MVC cut-off.
 *
 * The text is one key=value per line (format in crm-segment(1)); '#' lines
 * and empty lines are comments.  Numbers are written as the shortest text
 * that reads back as the same double, so a saved model labels exactly.
 * A formats module: it reads and writes the file, never prints. */
#ifndef CRM_SEGMENT_MODEL_H
#define CRM_SEGMENT_MODEL_H

#include <stddef.h>

#include "crm/error.h"
#include "crm/kmeans.h"
#include "crm/output.h"
#include "crm/segment.h"
#include "crm/segment_method.h"

#define CRM_SEGMENT_MODEL_FORMAT "crm-segment-model 1"

typedef struct {
    int has_kmeans;
    size_t d, k;
    char **features;                     /* d column names */
    crm_kmeans_transform_kind transform;
    int zscore;
    double *shift, *scale;               /* d each */
    double *centers;                     /* k x d, transformed space, the fitted run's order */
    size_t *rank;                        /* k: 0-based cluster number of each centre */

    int has_value;
    char *value_column;                  /* the value to date (profit or monetary) */
    char *predicted_column;              /* the clv column, or NULL: ranked by value */
    double growth, margin;               /* the MGC rule */
    int has_mvc;                         /* 0: no customer was MVC */
    double mvc_cutoff;                   /* the lowest ranking value among MVC */
    char *cutoff_customer;               /* NULL: every customer at the cut-off is MVC; else the
                                            last MVC at it (customer_id byte order) */
} crm_segment_model;

void crm_segment_model_free(crm_segment_model *m);

/* Writes m as text into *text (malloc'd, *len bytes).  CRM_EUSAGE when a
 * name or id holds a line break or the model is inconsistent. */
crm_status crm_segment_model_format(const crm_segment_model *m, char **text, size_t *len,
                                    crm_error *err);

/* Reads a model from text (len bytes) into m (free it with
 * crm_segment_model_free, also after a failure).  CRM_EDATA messages start
 * "N: " with the 1-based line (the caller puts the file name before them)
 * or name the missing key. */
crm_status crm_segment_model_parse(const char *text, size_t len, crm_segment_model *m,
                                   crm_error *err);

/* Reads and checks the model file at path (a failure to read names it;
 * a bad line is "<path>:<line>: ..."; free m also after a failure). */
crm_status crm_segment_model_load(const char *path, crm_segment_model *m, crm_error *err);

/* Writes the model's text to out (the caller commits or aborts out). */
crm_status crm_segment_model_write(const crm_segment_model *m, crm_output *out, crm_error *err);

/* The k-means part from a fit (res, on the d features named names, with
 * the transform and z-score the fit used): centres kept in the fitted
 * run's order, the cluster number of each beside it.  Copies what it
 * keeps. */
crm_status crm_segment_model_set_kmeans(crm_segment_model *m, const crm_kmeans_result *res,
                                        const char *const *names, crm_kmeans_transform_kind transform,
                                        int zscore, crm_error *err);

/* The value-tier part from a fit: the columns ranked (predicted NULL: the
 * value to date), the MGC factors, and the cut-off of summary; customer is
 * the id of the last MVC taken when summary->mvc_cutoff_split (else NULL). */
crm_status crm_segment_model_set_value(crm_segment_model *m, const crm_value_summary *summary,
                                       const char *value_column, const char *predicted_column,
                                       double growth, double margin, const char *customer, crm_error *err);

/* Points set at the model's k-means and value parts (those it has), and
 * takes its MGC factors, so that crm_segment_method_run labels with it.
 * m must outlive the run. */
void crm_segment_model_settings(const crm_segment_model *m, crm_segment_settings *set);

/* CRM_EDATA "<path>: the model has no <method> settings ..." unless m has
 * the settings of each k-means and value method of by. */
crm_status crm_segment_model_check_methods(const crm_segment_model *m, const crm_segment_by *by, size_t nby,
                                           const char *path, crm_error *err);

#endif
