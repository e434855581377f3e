/* K-means clustering of customers on numeric features (crm-segment --by kmeans).
 *
 * Features are an n x d matrix of doubles stored row-major (customer i,
 * feature j at x[i * d + j]).  crm_kmeans_fit runs the whole method:
 *
 *   1. transform: each feature optionally through log1p, then (by default)
 *      z-scored: minus its mean, divided by its population standard
 *      deviation (a constant feature is only centred, so it adds nothing);
 *   2. k-means++ seeding with greedy local trials: every new centre is the
 *      best, by total squared distance, of 2 + floor(ln k) candidates drawn
 *      with probability proportional to the squared distance to the nearest
 *      centre so far.  Random numbers come from GSL's gsl_rng_mt19937 seeded
 *      once with options.seed, so the same seed gives the same output;
 *   3. Lloyd iterations with Hamerly's bounds (one upper bound to the own
 *      centre and one lower bound to the second nearest per customer, half
 *      the distance to the nearest other centre per centre) that skip most
 *      distance computations yet give the assignments plain Lloyd gives.
 *      Iterations stop when no assignment changes, when the squared centre
 *      moves add up to at most tol times the mean variance of the
 *      transformed features, or after max_iter; then labels are made to
 *      match the final centres;
 *   4. restarts: steps 2-3 are repeated and the run with the lowest inertia
 *      (sum of squared distances to the own centre, in the transformed
 *      space) is kept; on equal inertia the earlier run;
 *   5. numbering: clusters are ordered by the mean of feature order_feature
 *      in original units, ascending (descending with order_descending); ties
 *      by the other features' means in column order, then by the run's own
 *      cluster order.  Labels are 0-based; commands print them 1-based.
 *
 * An empty cluster during the iterations takes the customer farthest from
 * its own centre (the lowest row on ties) among clusters with two or more
 * members.
 *
 * Pure computation: no files, no printing; errors through crm_error. */
#ifndef CRM_KMEANS_H
#define CRM_KMEANS_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "crm/error.h"

enum {
    CRM_KMEANS_DEFAULT_SEED = 1,
    /* Defaults for -k auto: the range of k and the silhouette sample, which
     * keeps the score's O(sample^2) cost near a second on any input. */
    CRM_KMEANS_AUTO_K_MIN = 2,
    CRM_KMEANS_AUTO_K_MAX = 10,
    CRM_KMEANS_SILHOUETTE_SAMPLE = 10000
};

typedef enum {
    CRM_KMEANS_TRANSFORM_NONE = 0,   /* features as they are */
    CRM_KMEANS_TRANSFORM_LOG1P       /* log(1 + x); every value must be above -1 */
} crm_kmeans_transform_kind;

typedef struct {
    size_t k;                          /* clusters, 1..n (no default: the caller sets it) */
    crm_kmeans_transform_kind transform;   /* CRM_KMEANS_TRANSFORM_NONE */
    int zscore;                        /* 1: standardise each feature after the transform */
    unsigned long seed;                /* CRM_KMEANS_DEFAULT_SEED; passed to gsl_rng_set */
    unsigned restarts;                 /* 10 (scikit-learn's n_init) */
    unsigned max_iter;                 /* 300 Lloyd iterations per restart */
    double tol;                        /* 1e-4, relative to the mean feature variance; 0: run
                                          until no assignment changes */
    size_t order_feature;              /* 0: clusters numbered by this feature's mean */
    int order_descending;              /* 0: ascending */
    const char *const *feature_names;  /* d names for messages, or NULL ("feature 1", ...) */
    int threads;                       /* 1: assignment step on the calling thread; N: on N
                                          threads; 0: one per core.  Same output for any */
} crm_kmeans_options;

void crm_kmeans_options_init(crm_kmeans_options *opts);

typedef struct {
    size_t n, d, k;
    int *labels;                /* n: cluster of each customer, 0..k-1 */
    size_t *sizes;              /* k: customers per cluster */
    double *centers;            /* k x d: centres in the transformed space */
    double *centers_original;   /* k x d: mean of the members' features in original units */
    double inertia;             /* in the transformed space */
    unsigned iterations;        /* Lloyd iterations of the kept run */
    int converged;              /* the kept run stopped before max_iter */
    unsigned best_restart;      /* 0-based restart that was kept */
    size_t *rank;               /* k: the cluster (0-based, as labels) of each centre of the kept
                                   run in that run's own order (centre c is centers[rank[c]]) */
    double *shift, *scale;      /* d: the transform's mean and deviation (crm_kmeans_transform) */
} crm_kmeans_result;

/* Clusters the n x d matrix features.  res is filled (free it with
 * crm_kmeans_result_free, also safe after a failure).  Errors: n == 0, a
 * non-finite feature, a value not above -1 under log1p, fewer distinct rows
 * than k, features so large that squared distances overflow: CRM_EDATA;
 * d == 0, k == 0, k > n, restarts == 0, max_iter == 0, a bad tol or
 * order_feature: CRM_EUSAGE.  Messages name the row (1-based) and the
 * feature (feature_names, or "feature N"). */
crm_status crm_kmeans_fit(const double *features, size_t n, size_t d,
                          const crm_kmeans_options *opts, crm_kmeans_result *res, crm_error *err);

void crm_kmeans_result_free(crm_kmeans_result *res);

/* -k auto: fits every k in k_min..k_max (2 <= k_min <= k_max <= n) with the
 * other options of opts, scores each by crm_kmeans_silhouette on the
 * transformed features (sample customers at most, chosen with opts->seed;
 * the same customers for every k) and keeps the k with the highest score,
 * the smaller k on equal scores.  scores[k - k_min] receives every score;
 * *best_k the chosen k; res the chosen clustering. */
crm_status crm_kmeans_auto(const double *features, size_t n, size_t d,
                           const crm_kmeans_options *opts, size_t k_min, size_t k_max,
                           size_t sample, double *scores, size_t *best_k,
                           crm_kmeans_result *res, crm_error *err);

/* Labels n customers with a saved clustering (crm-segment --model-file), as
 * the fit labelled its own customers: each row is transformed (log1p when
 * asked, then minus shift[j] and divided by scale[j] when zscore, the
 * numbers crm_kmeans_result holds), its nearest of the k centres (k x d,
 * transformed space, in the fitted run's own order; the lowest index on
 * equal distances) is found, and the label is rank of that centre.  Errors
 * as crm_kmeans_transform. */
crm_status crm_kmeans_assign(const double *features, size_t n, size_t d,
                             crm_kmeans_transform_kind transform, int zscore, const double *shift,
                             const double *scale, const double *centers, const size_t *rank,
                             size_t k, const char *const *feature_names, int *labels,
                             crm_error *err);

/* ---- the steps, for callers and tests that need them one by one ---- */

/* Writes the transformed features into out (n x d; may not alias in).
 * shift and scale (d each, may be NULL) receive what was subtracted from
 * and divided into each feature after the transform (0 and 1 without
 * zscore).  Errors as crm_kmeans_fit, naming the row (1-based) and feature. */
crm_status crm_kmeans_transform(const double *in, size_t n, size_t d,
                                crm_kmeans_transform_kind transform, int zscore,
                                const char *const *feature_names, double *out,
                                double *shift, double *scale, crm_error *err);

/* k-means++ seeding with greedy local trials (see above) of k centres
 * (k x d) from the rows of x, drawing from rng.  CRM_EDATA when x has fewer
 * than k distinct rows; CRM_EUSAGE when k is 0 or above n. */
crm_status crm_kmeans_seed(const double *x, size_t n, size_t d, size_t k, gsl_rng *rng,
                           double *centers, crm_error *err);

typedef struct {
    double inertia;
    unsigned iterations;
    int converged;
} crm_kmeans_run_info;

/* Lloyd's algorithm with Hamerly's bounds from the given centres (k x d, in
 * and out) until no assignment changes, the summed squared centre moves are
 * at most tol_abs (in squared feature units), or max_iter iterations.
 * labels (n) receive each row's nearest final centre (the lowest index on
 * equal distances). */
crm_status crm_kmeans_refine(const double *x, size_t n, size_t d, size_t k, double *centers,
                             int *labels, unsigned max_iter, double tol_abs,
                             crm_kmeans_run_info *info, crm_error *err);

/* crm_kmeans_refine with the assignment step on threads (1: none, 0: one
 * per core; at most one per 32768 rows).  Above 32768 rows the members'
 * sums are added in fixed blocks of 32768 rows, the blocks' sums then in
 * block order, whatever the number of threads: the output is the same bits
 * for any number of threads (and up to 32768 rows the plain row-order
 * sums). */
crm_status crm_kmeans_refine_threads(const double *x, size_t n, size_t d, size_t k,
                                     double *centers, int *labels, unsigned max_iter,
                                     double tol_abs, int threads, crm_kmeans_run_info *info,
                                     crm_error *err);

/* Mean silhouette width of a clustering: for each customer, a = mean
 * distance to the others of its cluster, b = the smallest mean distance to
 * another cluster, s = (b - a) / max(a, b), and s = 0 alone in its
 * cluster.  With 0 < sample < n the score is taken over sample customers
 * drawn without replacement (gsl_rng_mt19937 seeded with seed), distances
 * among them only, as scikit-learn's silhouette_score(sample_size=) does.
 * 0 when fewer than two clusters have members.  Labels must be 0..k-1. */
crm_status crm_kmeans_silhouette(const double *x, size_t n, size_t d, const int *labels,
                                 size_t k, size_t sample, unsigned long seed, double *score,
                                 crm_error *err);

#endif
