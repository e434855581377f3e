/* The segmentation methods of crm-segment behind one call: RFM segments,
 * value tiers, lifecycle stages, k-means clusters and loyalty tiers
 * (crm/segment.h, crm/kmeans.h, crm/loyalty.h), each labelling the same
 * per-customer arrays and naming its labels.
 *
 * A method either fits on the customers at hand or, for k-means and value
 * tiers, labels them with what a saved model holds, so that a shard is
 * labelled as one process labels the whole table.  Pure computation: no
 * files, no printing; errors through crm_error, rows named "row N: "
 * (1-based positions in the arrays). */
#ifndef CRM_SEGMENT_METHOD_H
#define CRM_SEGMENT_METHOD_H

#include <stddef.h>

#include "crm/error.h"
#include "crm/kmeans.h"
#include "crm/loyalty.h"
#include "crm/segment.h"

typedef enum {
    CRM_SEGMENT_BY_RFM = 0,
    CRM_SEGMENT_BY_VALUE,
    CRM_SEGMENT_BY_LIFECYCLE,
    CRM_SEGMENT_BY_KMEANS,
    CRM_SEGMENT_BY_LOYALTY,
    CRM_SEGMENT_BY_COUNT
} crm_segment_by;

/* "rfm", "value", "lifecycle", "kmeans", "loyalty". */
const char *crm_segment_method_name(crm_segment_by by);
/* The method named by the len bytes at name, or -1. */
int crm_segment_method_find(const char *name, size_t len);

/* Appends the method named name to by[*count] (room for
 * CRM_SEGMENT_BY_COUNT): CRM_EUSAGE "wants rfm, value, ..., got 'x'" for
 * an unknown name and "<name> is given twice", for the caller to put the
 * option's name before. */
crm_status crm_segment_method_add(crm_segment_by *by, size_t *count, const char *name, crm_error *err);

/* The customers, one entry per customer in each array; NULL where the
 * table has no such column.  A prospect (no purchase yet) has zeros in the
 * number arrays and 1 in prospect. */
typedef struct {
    const int *r, *f, *m;                   /* RFM scores */
    const double *value, *predicted;        /* value to date, predicted value */
    const double *tenure, *recency, *frequency, *p_alive;
    const double *recent, *previous;        /* purchases in the recent window and the one before */
    const double *features;                 /* n x nfeatures, original units */
    size_t nfeatures;
    const char *const *feature_names;
    size_t order_feature;                   /* k-means clusters numbered by this feature's mean */
    const unsigned char *prospect;
    size_t nprospects;
    const double *periods, *gap_cv;         /* loyalty: consecutive periods, gap CV (NaN: none) */
    const double *subjective;               /* loyalty: survey value, NaN without an answer */
    const unsigned char *at_cutoff_taken;   /* saved value tiers: see crm_value_tiers_from_cutoff */
} crm_segment_data;

/* A saved k-means model: centres in the transformed space and the cluster
 * number of each. */
typedef struct {
    size_t k, d;
    crm_kmeans_transform_kind transform;
    int zscore;
    const double *shift, *scale, *centers;
    const size_t *rank;
} crm_segment_saved_kmeans;

/* A saved value-tier cut-off. */
typedef struct {
    int has_mvc;
    double cutoff;
} crm_segment_saved_value;

typedef struct {
    int bins;                               /* RFM scores run 1..bins */
    crm_value_options value;
    crm_lifecycle_options life;
    crm_loyalty_options loyalty;
    crm_kmeans_options km;                  /* k, transform, z-score, seed, restarts, ... */
    int k_auto;                             /* choose k by silhouette in k_min..k_max */
    int k_range_given;                      /* 0: k_max is cut to the data */
    size_t k_min, k_max, sample;
    const crm_segment_saved_kmeans *saved_kmeans;   /* NULL: fit */
    const crm_segment_saved_value *saved_value;     /* NULL: fit */
    crm_segment_saved_kmeans kmeans_storage;        /* where crm_segment_model_settings puts them */
    crm_segment_saved_value value_storage;
} crm_segment_settings;

/* Defaults: 5 bins, the methods' own defaults, log1p features, k-auto over
 * CRM_KMEANS_AUTO_K_MIN..MAX with CRM_KMEANS_SILHOUETTE_SAMPLE. */
void crm_segment_settings_init(crm_segment_settings *s);

enum { CRM_SEGMENT_COLUMN_MAX = 32 };

/* One method's labels. */
typedef struct {
    crm_segment_by by;
    char column[CRM_SEGMENT_COLUMN_MAX];  /* output header name (set by the caller) */
    int *labels;                          /* n: indexes into names */
    const char **names;
    size_t nnames;
    char (*number_names)[24];             /* k-means: "1".."k" */
    crm_rfm_rule *rules;                  /* RFM: the map */
    size_t nrules;
    crm_loyalty_result *loyalty;          /* loyalty: per customer */
    crm_kmeans_result km;                 /* k-means fitted here (k 0 otherwise) */
    double *silhouette;                   /* -k auto: per k in k_min..k_max */
    size_t k_min, k_max, best_k;
    crm_value_summary value_summary;      /* value tiers fitted here */
} crm_segment_result;

/* Sets up an RFM result with a map: rules (malloc'd, count rules, taken
 * over), or the default map for bins when rules is NULL. */
crm_status crm_segment_method_set_map(crm_segment_result *s, int bins, crm_rfm_rule *rules, size_t count,
                                      crm_error *err);

/* Labels n customers by s->by (an RFM result has its map already).  Too
 * few customers for the clusters asked for is CRM_EDATA. */
crm_status crm_segment_method_run(crm_segment_result *s, const crm_segment_data *d, size_t n,
                                  const crm_segment_settings *set, crm_error *err);

/* Customers per name (counts: nnames entries). */
void crm_segment_result_counts(const crm_segment_result *s, size_t n, size_t *counts);

void crm_segment_result_free(crm_segment_result *s);

#endif
