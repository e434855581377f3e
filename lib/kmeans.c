#include "crm/kmeans.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void crm_kmeans_options_init(crm_kmeans_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->transform = CRM_KMEANS_TRANSFORM_NONE;
    opts->zscore = 1;
    opts->seed = CRM_KMEANS_DEFAULT_SEED;
    opts->restarts = 10;
    opts->max_iter = 300;
    opts->tol = 1e-4;
    opts->threads = 1;
}

void crm_kmeans_result_free(crm_kmeans_result *res)
{
    if (!res)
        return;
    free(res->labels);
    free(res->sizes);
    free(res->centers);
    free(res->centers_original);
    free(res->rank);
    free(res->shift);
    free(res->scale);
    memset(res, 0, sizeof *res);
}

/* ---- small helpers ---- */

/* The hot loops are written once with d as a parameter and inlined into one
 * copy per common small d (see the *_any dispatchers), so that the compiler
 * unrolls the distance loop; that takes a forced inline. */
#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

static const char *feature_name(const char *const *names, size_t j, char *buf, size_t size)
{
    if (names && names[j])
        return names[j];
    snprintf(buf, size, "feature %zu", j + 1);
    return buf;
}

/* Allocates count elements of size bytes, refusing products that overflow. */
static void *alloc_array(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    return malloc(bytes != 0 ? bytes : 1);
}

ALWAYS_INLINE double squared_distance(const double *a, const double *b, size_t d)
{
    double sum = 0.0;
    for (size_t j = 0; j < d; j++) {
        double diff = a[j] - b[j];
        sum += diff * diff;
    }
    return sum;
}

/* ---- transform ---- */

crm_status crm_kmeans_transform(const double *in, size_t n, size_t d,
                                crm_kmeans_transform_kind transform, int zscore,
                                const char *const *feature_names, double *out,
                                double *shift, double *scale, crm_error *err)
{
    char buf[32];
    if (d == 0)
        return crm_error_set(err, CRM_EUSAGE, "no features to cluster on");
    if (n == 0)
        return crm_error_set(err, CRM_EDATA, "no customers to cluster");
    if (transform != CRM_KMEANS_TRANSFORM_NONE && transform != CRM_KMEANS_TRANSFORM_LOG1P)
        return crm_error_set(err, CRM_EUSAGE, "unknown feature transform %d", (int)transform);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++) {
            double v = in[i * d + j];
            if (!isfinite(v))
                return crm_error_set(err, CRM_EDATA,
                                     "row %zu: %s is not a finite number (%g)", i + 1,
                                     feature_name(feature_names, j, buf, sizeof buf), v);
            if (transform == CRM_KMEANS_TRANSFORM_LOG1P) {
                if (!(v > -1.0))
                    return crm_error_set(err, CRM_EDATA,
                                         "row %zu: %s is %g, but log1p needs values above -1",
                                         i + 1, feature_name(feature_names, j, buf, sizeof buf),
                                         v);
                v = log1p(v);
            }
            out[i * d + j] = v;
        }
    }
    for (size_t j = 0; j < d; j++) {
        double mean = 0.0, scl = 1.0;
        if (zscore) {
            /* The mean first, then the squared deviations from it (accurate
             * for large offsets), each divided by the largest deviation so
             * that squaring cannot overflow. */
            for (size_t i = 0; i < n; i++)
                mean += out[i * d + j] / (double)n;
            double largest = 0.0;
            for (size_t i = 0; i < n; i++)
                largest = fmax(largest, fabs(out[i * d + j] - mean));
            double ss = 0.0;
            for (size_t i = 0; i < n && largest > 0.0; i++) {
                double dev = (out[i * d + j] - mean) / largest;
                ss += dev * dev;
            }
            double sd = largest * sqrt(ss / (double)n);
            scl = sd > 0.0 ? sd : 1.0;
            for (size_t i = 0; i < n; i++)
                out[i * d + j] = (out[i * d + j] - mean) / scl;
        }
        if (shift)
            shift[j] = mean;
        if (scale)
            scale[j] = scl;
    }
    return CRM_OK;
}

/* Mean over features of each feature's population variance. */
static double mean_variance(const double *x, size_t n, size_t d)
{
    double total = 0.0;
    for (size_t j = 0; j < d; j++) {
        double mean = 0.0, ss = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += x[i * d + j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double dev = x[i * d + j] - mean;
            ss += dev * dev;
        }
        total += ss / (double)n;
    }
    return total / (double)d;
}

/* ---- k-means++ seeding ---- */

/* First index whose cumulative weight exceeds r; points of weight 0 are never
 * chosen because their cumulative weight equals their predecessor's. */
static size_t weighted_index(const double *cumulative, size_t n, double r)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cumulative[mid] > r)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

enum { MAX_TRIALS = 64 };   /* 2 + ln(k) stays far below this for any size_t k */

/* pots[t] = total of min(closest[i], squared distance to candidate t) over
 * all points, for every candidate in one pass over the data (each total is
 * still summed in row order). */
ALWAYS_INLINE void candidate_potentials(const double *restrict x, size_t n, size_t d,
                                        const double *restrict closest,
                                        const double *restrict cands, size_t trials,
                                        double *restrict pots)
{
    for (size_t t = 0; t < trials; t++)
        pots[t] = 0.0;
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < trials; t++) {
            double dist = squared_distance(x + i * d, cands + t * d, d);
            pots[t] += dist < closest[i] ? dist : closest[i];
        }
    }
}

/* Lowers closest[] by the new centre and refills the running totals. */
ALWAYS_INLINE void add_center(const double *restrict x, size_t n, size_t d,
                              const double *restrict center, double *restrict closest,
                              double *restrict cumulative)
{
    double running = 0.0;
    for (size_t i = 0; i < n; i++) {
        double dist = squared_distance(x + i * d, center, d);
        if (dist < closest[i])
            closest[i] = dist;
        running += closest[i];
        cumulative[i] = running;
    }
}

/* The two steps above, each inlined once per common small d so that the
 * compiler unrolls the distance loop. */
static void candidate_potentials_any(const double *x, size_t n, size_t d, const double *closest,
                                     const double *cands, size_t trials, double *pots)
{
    switch (d) {
    case 1:
        candidate_potentials(x, n, 1, closest, cands, trials, pots);
        break;
    case 2:
        candidate_potentials(x, n, 2, closest, cands, trials, pots);
        break;
    case 3:
        candidate_potentials(x, n, 3, closest, cands, trials, pots);
        break;
    default:
        candidate_potentials(x, n, d, closest, cands, trials, pots);
        break;
    }
}

static void add_center_any(const double *x, size_t n, size_t d, const double *center,
                           double *closest, double *cumulative)
{
    switch (d) {
    case 1:
        add_center(x, n, 1, center, closest, cumulative);
        break;
    case 2:
        add_center(x, n, 2, center, closest, cumulative);
        break;
    case 3:
        add_center(x, n, 3, center, closest, cumulative);
        break;
    default:
        add_center(x, n, d, center, closest, cumulative);
        break;
    }
}

crm_status crm_kmeans_seed(const double *x, size_t n, size_t d, size_t k, gsl_rng *rng,
                           double *centers, crm_error *err)
{
    if (k == 0)
        return crm_error_set(err, CRM_EUSAGE, "the number of clusters must be at least 1");
    if (k > n)
        return crm_error_set(err, CRM_EUSAGE,
                             "%zu clusters asked for, but there are only %zu customers", k, n);
    double *closest = alloc_array(n, sizeof *closest);
    double *cumulative = alloc_array(n, sizeof *cumulative);
    if (!closest || !cumulative) {
        free(closest);
        free(cumulative);
        return crm_error_set(err, CRM_ENOMEM, "out of memory seeding %zu clusters", k);
    }
    /* scikit-learn's choice: more candidates for more clusters. */
    size_t trials = 2 + (size_t)log((double)k);
    double cands[MAX_TRIALS * 4], pots[MAX_TRIALS];
    double *cand_rows = d <= 4 ? cands : alloc_array(trials * d, sizeof *cand_rows);
    if (!cand_rows) {
        free(closest);
        free(cumulative);
        return crm_error_set(err, CRM_ENOMEM, "out of memory seeding %zu clusters", k);
    }

    size_t first = (size_t)gsl_rng_uniform_int(rng, n);
    memcpy(centers, x + first * d, d * sizeof *centers);
    for (size_t i = 0; i < n; i++)
        closest[i] = INFINITY;
    add_center_any(x, n, d, centers, closest, cumulative);

    crm_status status = CRM_OK;
    for (size_t c = 1; c < k; c++) {
        double pot = cumulative[n - 1];
        if (!(pot > 0.0)) {
            /* Every point sits on one of the c distinct centres chosen so far. */
            status = crm_error_set(err, CRM_EDATA,
                                   "the features have only %zu distinct rows, fewer than the "
                                   "%zu clusters asked for", c, k);
            break;
        }
        if (!isfinite(pot)) {
            status = crm_error_set(err, CRM_EDATA,
                                   "the features are too large to cluster: squared distances "
                                   "overflow");
            break;
        }
        for (size_t t = 0; t < trials; t++) {
            size_t row = weighted_index(cumulative, n, gsl_rng_uniform(rng) * pot);
            memcpy(cand_rows + t * d, x + row * d, d * sizeof *cand_rows);
        }
        candidate_potentials_any(x, n, d, closest, cand_rows, trials, pots);
        size_t best = 0;
        for (size_t t = 1; t < trials; t++)
            if (pots[t] < pots[best])
                best = t;
        double *center = centers + c * d;
        memcpy(center, cand_rows + best * d, d * sizeof *center);
        add_center_any(x, n, d, center, closest, cumulative);
    }
    if (cand_rows != cands)
        free(cand_rows);
    free(closest);
    free(cumulative);
    return status;
}

/* ---- Lloyd with Hamerly's bounds ---- */

/* The assignment step's fixed blocks and its most threads (assignment_pass). */
enum {
    KMEANS_MAX_THREADS = 64,
    KMEANS_BLOCK_ROWS = 32768
};


typedef struct {
    const double *x;
    size_t n, d, k;
    double *centers;     /* k x d, current */
    int *labels;         /* n */
    double *upper;       /* n: >= distance to own centre */
    double *lower;       /* n: <= distance to second nearest centre */
    double *half_sep;    /* k: half the distance to the nearest other centre */
    double *moved;       /* k: how far each centre moved in the last update */
    double *sums;        /* k x d: member sums of the pass */
    size_t *counts;      /* k */
    double moved_max, moved_second;
    size_t moved_argmax;
    size_t blocks;       /* of KMEANS_BLOCK_ROWS rows (see assignment_pass) */
    size_t threads;      /* for the assignment step, at most one per block */
    double *block_sums;  /* blocks x k x d, with two blocks or more */
    size_t *block_counts;   /* blocks x k */
} hamerly;

static void hamerly_free(hamerly *h)
{
    free(h->upper);
    free(h->lower);
    free(h->half_sep);
    free(h->moved);
    free(h->sums);
    free(h->counts);
    free(h->block_sums);
    free(h->block_counts);
}

static int hamerly_alloc(hamerly *h)
{
    h->upper = alloc_array(h->n, sizeof *h->upper);
    h->lower = alloc_array(h->n, sizeof *h->lower);
    h->half_sep = alloc_array(h->k, sizeof *h->half_sep);
    h->moved = alloc_array(h->k, sizeof *h->moved);
    h->sums = alloc_array(h->k * h->d, sizeof *h->sums);
    h->counts = alloc_array(h->k, sizeof *h->counts);
    h->blocks = h->n / KMEANS_BLOCK_ROWS + (h->n % KMEANS_BLOCK_ROWS != 0);
    if (h->blocks > 1) {
        h->block_sums = alloc_array(h->blocks, h->k * h->d * sizeof *h->block_sums);
        h->block_counts = alloc_array(h->blocks, h->k * sizeof *h->block_counts);
    }
    if (!h->upper || !h->lower || !h->half_sep || !h->moved || !h->sums || !h->counts ||
        (h->blocks > 1 && (!h->block_sums || !h->block_counts))) {
        hamerly_free(h);
        return 0;
    }
    return 1;
}

static void compute_half_separation(hamerly *h)
{
    for (size_t a = 0; a < h->k; a++)
        h->half_sep[a] = INFINITY;
    for (size_t a = 0; a < h->k; a++) {
        for (size_t b = a + 1; b < h->k; b++) {
            double half = 0.5 * sqrt(squared_distance(h->centers + a * h->d,
                                                      h->centers + b * h->d, h->d));
            if (half < h->half_sep[a])
                h->half_sep[a] = half;
            if (half < h->half_sep[b])
                h->half_sep[b] = half;
        }
    }
}

/* One assignment step over rows [begin, end).  The first pass (full)
 * measures every distance; later passes first loosen the bounds by how far
 * the centres moved, and measure only where the bounds cannot prove the own
 * centre nearest.  With sums, the members' sums and counts are gathered in
 * row order (so the new centres are the numbers a plain Lloyd loop
 * computes).  Returns how many labels changed.  Inlined into one copy per
 * small d below, so that the compiler unrolls the distance loops. */
ALWAYS_INLINE size_t assignment_range(const hamerly *h, size_t begin, size_t end, size_t d,
                                      int full, double *restrict sums, size_t *restrict counts)
{
    const size_t k = h->k;
    const double *restrict x = h->x;
    const double *restrict centers = h->centers;
    const double *restrict half_sep = h->half_sep;
    const double *restrict moved = h->moved;
    double *restrict upper = h->upper;
    double *restrict lower = h->lower;
    int *restrict labels = h->labels;
    const double moved_max = h->moved_max, moved_second = h->moved_second;
    const size_t moved_argmax = h->moved_argmax;
    size_t changed = 0;
    for (size_t i = begin; i < end; i++) {
        const double *point = x + i * d;
        size_t own = 0;
        int rescan = full;
        if (!full) {
            own = (size_t)labels[i];
            double up = upper[i] + moved[own];
            double low = lower[i] - (own == moved_argmax ? moved_second : moved_max);
            double bound = half_sep[own] > low ? half_sep[own] : low;
            if (up > bound) {
                up = sqrt(squared_distance(point, centers + own * d, d));
                rescan = up > bound;
            }
            upper[i] = up;
            lower[i] = low;
        }
        if (rescan) {
            size_t best = 0;
            double d1 = INFINITY, d2 = INFINITY;
            for (size_t c = 0; c < k; c++) {
                double dist = squared_distance(point, centers + c * d, d);
                if (dist < d1) {
                    d2 = d1;
                    d1 = dist;
                    best = c;
                } else if (dist < d2) {
                    d2 = dist;
                }
            }
            if (full || best != own) {
                labels[i] = (int)best;
                own = best;
                changed++;
            }
            upper[i] = sqrt(d1);
            lower[i] = sqrt(d2);
        }
        if (sums) {
            double *sum = sums + own * d;
            for (size_t j = 0; j < d; j++)
                sum[j] += point[j];
            counts[own]++;
        }
    }
    return changed;
}

static size_t assignment_range_any(const hamerly *h, size_t begin, size_t end, int full,
                                   double *sums, size_t *counts)
{
    switch (h->d) {
    case 1:
        return assignment_range(h, begin, end, 1, full, sums, counts);
    case 2:
        return assignment_range(h, begin, end, 2, full, sums, counts);
    case 3:
        return assignment_range(h, begin, end, 3, full, sums, counts);
    case 4:
        return assignment_range(h, begin, end, 4, full, sums, counts);
    default:
        return assignment_range(h, begin, end, h->d, full, sums, counts);
    }
}

/* ---- the assignment step on threads ----
 *
 * The rows are cut into fixed blocks of KMEANS_BLOCK_ROWS, whatever the
 * number of threads.  Each block is assigned on its own (a row's label and
 * bounds depend on that row alone) and gathers its members' sums and counts
 * in row order into its own slot; the threads take consecutive runs of
 * blocks.  The slots are then added up in block order.  The sums are so the
 * same numbers for any number of threads, and with a single block (up to
 * KMEANS_BLOCK_ROWS rows) they are the plain row-order sums. */

typedef struct {
    hamerly *h;
    int full, accumulate;
    size_t first_block, end_block;
    size_t changed;
} pass_slice;

static void *assign_blocks(void *arg)
{
    pass_slice *s = arg;
    hamerly *h = s->h;
    const size_t kd = h->k * h->d;
    for (size_t b = s->first_block; b < s->end_block; b++) {
        size_t begin = b * KMEANS_BLOCK_ROWS;
        size_t end = begin + KMEANS_BLOCK_ROWS < h->n ? begin + KMEANS_BLOCK_ROWS : h->n;
        double *sums = s->accumulate ? h->block_sums + b * kd : NULL;
        size_t *counts = s->accumulate ? h->block_counts + b * h->k : NULL;
        if (sums) {
            memset(sums, 0, kd * sizeof *sums);
            memset(counts, 0, h->k * sizeof *counts);
        }
        s->changed += assignment_range_any(h, begin, end, s->full, sums, counts);
    }
    return NULL;
}

/* Threads worth using: `threads` (0: one per core), at most one per block. */
static size_t pass_threads(int threads, size_t blocks)
{
    long want = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = want > 0 ? (size_t)want : 1;
    if (t > KMEANS_MAX_THREADS)
        t = KMEANS_MAX_THREADS;
    return t < blocks ? t : blocks;
}

static size_t assignment_pass(hamerly *h, int full, int accumulate)
{
    if (accumulate) {
        memset(h->sums, 0, h->k * h->d * sizeof *h->sums);
        memset(h->counts, 0, h->k * sizeof *h->counts);
    }
    compute_half_separation(h);
    if (h->blocks < 2)
        return assignment_range_any(h, 0, h->n, full, accumulate ? h->sums : NULL,
                                    accumulate ? h->counts : NULL);
    size_t t = h->threads;
    pass_slice slices[KMEANS_MAX_THREADS];
    for (size_t i = 0; i < t; i++)
        slices[i] = (pass_slice){h, full, accumulate, h->blocks * i / t,
                                 h->blocks * (i + 1) / t, 0};
    /* the calling thread takes the first run; one that cannot start runs here */
    pthread_t tids[KMEANS_MAX_THREADS];
    int started[KMEANS_MAX_THREADS] = {0};
    for (size_t i = 1; i < t; i++)
        started[i] = pthread_create(&tids[i], NULL, assign_blocks, &slices[i]) == 0;
    assign_blocks(&slices[0]);
    for (size_t i = 1; i < t; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
        else
            assign_blocks(&slices[i]);
    }
    size_t changed = 0;
    for (size_t i = 0; i < t; i++)
        changed += slices[i].changed;
    if (accumulate) {
        const size_t kd = h->k * h->d;
        for (size_t b = 0; b < h->blocks; b++) {
            for (size_t j = 0; j < kd; j++)
                h->sums[j] += h->block_sums[b * kd + j];
            for (size_t c = 0; c < h->k; c++)
                h->counts[c] += h->block_counts[b * h->k + c];
        }
    }
    return changed;
}

/* Gives each empty cluster the point farthest from its own centre, taken from
 * a cluster that keeps at least one member.  Returns the number of moves. */
static size_t fill_empty_clusters(hamerly *h)
{
    const size_t d = h->d;
    size_t moves = 0;
    for (size_t c = 0; c < h->k; c++) {
        if (h->counts[c] != 0)
            continue;
        size_t far = h->n;
        double far_d2 = -1.0;
        for (size_t i = 0; i < h->n; i++) {
            size_t own = (size_t)h->labels[i];
            if (h->counts[own] < 2)
                continue;
            double dist = squared_distance(h->x + i * d, h->centers + own * d, d);
            if (dist > far_d2) {
                far_d2 = dist;
                far = i;
            }
        }
        if (far == h->n)
            break;   /* cannot happen with k <= n */
        const double *point = h->x + far * d;
        size_t from = (size_t)h->labels[far];
        for (size_t j = 0; j < d; j++) {
            h->sums[from * d + j] -= point[j];
            h->sums[c * d + j] = point[j];
        }
        h->counts[from]--;
        h->counts[c] = 1;
        h->labels[far] = (int)c;
        h->upper[far] = INFINITY;   /* force a fresh look next pass */
        h->lower[far] = 0.0;
        moves++;
    }
    return moves;
}

/* Moves each centre to its members' mean; returns the summed squared moves. */
static double update_centers(hamerly *h)
{
    const size_t d = h->d;
    double total = 0.0;
    h->moved_max = 0.0;
    h->moved_second = 0.0;
    h->moved_argmax = 0;
    for (size_t c = 0; c < h->k; c++) {
        double *center = h->centers + c * d;
        double moved2 = 0.0;
        for (size_t j = 0; j < d; j++) {
            double v = h->sums[c * d + j] / (double)h->counts[c];
            double diff = v - center[j];
            moved2 += diff * diff;
            center[j] = v;
        }
        double moved = sqrt(moved2);
        h->moved[c] = moved;
        total += moved2;
        if (moved > h->moved_max) {
            h->moved_second = h->moved_max;
            h->moved_max = moved;
            h->moved_argmax = c;
        } else if (moved > h->moved_second) {
            h->moved_second = moved;
        }
    }
    return total;
}

crm_status crm_kmeans_refine(const double *x, size_t n, size_t d, size_t k, double *centers,
                             int *labels, unsigned max_iter, double tol_abs,
                             crm_kmeans_run_info *info, crm_error *err)
{
    return crm_kmeans_refine_threads(x, n, d, k, centers, labels, max_iter, tol_abs, 1, info, err);
}

crm_status crm_kmeans_refine_threads(const double *x, size_t n, size_t d, size_t k,
                                     double *centers, int *labels, unsigned max_iter,
                                     double tol_abs, int threads, crm_kmeans_run_info *info,
                                     crm_error *err)
{
    if (k == 0 || k > n)
        return crm_error_set(err, CRM_EUSAGE,
                             "%zu clusters asked for, but there are only %zu customers", k, n);
    if (k > (size_t)INT32_MAX)
        return crm_error_set(err, CRM_EUSAGE, "%zu clusters are too many", k);
    if (max_iter == 0)
        return crm_error_set(err, CRM_EUSAGE, "the iteration limit must be at least 1");
    hamerly h = { .x = x, .n = n, .d = d, .k = k, .centers = centers, .labels = labels };
    if (!hamerly_alloc(&h))
        return crm_error_set(err, CRM_ENOMEM, "out of memory clustering %zu customers", n);
    h.threads = pass_threads(threads, h.blocks);

    unsigned iterations = 0;
    int converged = 0, labels_current = 0;
    while (iterations < max_iter) {
        size_t changed = assignment_pass(&h, iterations == 0, 1);
        iterations++;
        if (iterations > 1 && changed == 0) {
            /* Same members, so the centres would not move: labels and centres agree. */
            converged = 1;
            labels_current = 1;
            break;
        }
        fill_empty_clusters(&h);
        double moved2 = update_centers(&h);
        if (moved2 <= tol_abs) {
            converged = 1;
            break;
        }
    }
    if (!labels_current)
        assignment_pass(&h, 0, 0);

    double inertia = 0.0;
    for (size_t i = 0; i < n; i++)
        inertia += squared_distance(x + i * d, centers + (size_t)labels[i] * d, d);
    hamerly_free(&h);
    if (info) {
        info->inertia = inertia;
        info->iterations = iterations;
        info->converged = converged;
    }
    return CRM_OK;
}

/* ---- the whole method ---- */

static crm_status check_options(const crm_kmeans_options *opts, size_t n, size_t d, size_t k,
                                crm_error *err)
{
    if (d == 0)
        return crm_error_set(err, CRM_EUSAGE, "no features to cluster on");
    if (n == 0)
        return crm_error_set(err, CRM_EDATA, "no customers to cluster");
    if (k == 0)
        return crm_error_set(err, CRM_EUSAGE, "the number of clusters must be at least 1");
    if (k > n)
        return crm_error_set(err, CRM_EUSAGE,
                             "%zu clusters asked for, but there are only %zu customers", k, n);
    if (opts->restarts == 0)
        return crm_error_set(err, CRM_EUSAGE, "the number of restarts must be at least 1");
    if (opts->max_iter == 0)
        return crm_error_set(err, CRM_EUSAGE, "the iteration limit must be at least 1");
    if (!(opts->tol >= 0.0) || !isfinite(opts->tol))
        return crm_error_set(err, CRM_EUSAGE, "the tolerance must be a finite number >= 0, not %g",
                             opts->tol);
    if (opts->order_feature >= d)
        return crm_error_set(err, CRM_EUSAGE,
                             "cannot order clusters by feature %zu: the features are 1..%zu",
                             opts->order_feature + 1, d);
    return CRM_OK;
}

/* Does cluster a come before cluster b?  By the ordering feature's mean
 * first, then the other features' means in column order, then the run's own
 * order. */
static int cluster_precedes(const double *means, size_t d, size_t first, int descending,
                            size_t a, size_t b)
{
    const double *ma = means + a * d, *mb = means + b * d;
    for (size_t step = 0; step < d; step++) {
        size_t j = step == 0 ? first : (step <= first ? step - 1 : step);
        if (ma[j] != mb[j])
            return (ma[j] < mb[j]) != (descending != 0);
    }
    return a < b;
}

/* Renumbers the clusters of res by the documented order and fills sizes and
 * centers_original from the original features. */
static crm_status number_clusters(const double *features, const crm_kmeans_options *opts,
                                  crm_kmeans_result *res, crm_error *err)
{
    const size_t n = res->n, d = res->d, k = res->k;
    double *means = calloc(k * d, sizeof *means);
    size_t *counts = calloc(k, sizeof *counts);
    size_t *order = alloc_array(k, sizeof *order);
    size_t *rank = alloc_array(k, sizeof *rank);
    double *centers = alloc_array(k * d, sizeof *centers);
    if (!means || !counts || !order || !rank || !centers) {
        free(means);
        free(counts);
        free(order);
        free(rank);
        free(centers);
        return crm_error_set(err, CRM_ENOMEM, "out of memory ordering %zu clusters", k);
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)res->labels[i];
        for (size_t j = 0; j < d; j++)
            means[c * d + j] += features[i * d + j];
        counts[c]++;
    }
    for (size_t c = 0; c < k; c++) {
        for (size_t j = 0; j < d; j++)
            means[c * d + j] = counts[c] ? means[c * d + j] / (double)counts[c] : NAN;
        order[c] = c;
    }
    /* Insertion sort: k is small, and it needs no global comparison context. */
    for (size_t r = 1; r < k; r++) {
        size_t c = order[r], s = r;
        while (s > 0 && cluster_precedes(means, d, opts->order_feature, opts->order_descending,
                                         c, order[s - 1])) {
            order[s] = order[s - 1];
            s--;
        }
        order[s] = c;
    }
    for (size_t r = 0; r < k; r++)
        rank[order[r]] = r;
    memcpy(res->rank, rank, k * sizeof *rank);
    for (size_t i = 0; i < n; i++)
        res->labels[i] = (int)rank[(size_t)res->labels[i]];
    memcpy(centers, res->centers, k * d * sizeof *centers);
    for (size_t r = 0; r < k; r++) {
        size_t c = order[r];
        memcpy(res->centers + r * d, centers + c * d, d * sizeof *centers);
        memcpy(res->centers_original + r * d, means + c * d, d * sizeof *means);
        res->sizes[r] = counts[c];
    }
    free(means);
    free(counts);
    free(order);
    free(rank);
    free(centers);
    return CRM_OK;
}

static crm_status result_alloc(crm_kmeans_result *res, size_t n, size_t d, size_t k,
                               crm_error *err)
{
    memset(res, 0, sizeof *res);
    res->n = n;
    res->d = d;
    res->k = k;
    res->labels = alloc_array(n, sizeof *res->labels);
    res->sizes = alloc_array(k, sizeof *res->sizes);
    res->centers = alloc_array(k * d, sizeof *res->centers);
    res->centers_original = alloc_array(k * d, sizeof *res->centers_original);
    res->rank = alloc_array(k, sizeof *res->rank);
    res->shift = alloc_array(d, sizeof *res->shift);
    res->scale = alloc_array(d, sizeof *res->scale);
    if (!res->labels || !res->sizes || !res->centers || !res->centers_original || !res->rank ||
        !res->shift || !res->scale) {
        crm_kmeans_result_free(res);
        return crm_error_set(err, CRM_ENOMEM, "out of memory clustering %zu customers", n);
    }
    return CRM_OK;
}

/* Restarts on already transformed features x; keeps the lowest inertia. */
static crm_status fit_transformed(const double *features, const double *x, const double *shift,
                                  const double *scale, size_t n, size_t d, size_t k, double tol_abs,
                                  const crm_kmeans_options *opts, crm_kmeans_result *res,
                                  crm_error *err)
{
    crm_status status = result_alloc(res, n, d, k, err);
    if (status != CRM_OK)
        return status;
    memcpy(res->shift, shift, d * sizeof *shift);
    memcpy(res->scale, scale, d * sizeof *scale);
    int *labels = alloc_array(n, sizeof *labels);
    double *centers = alloc_array(k * d, sizeof *centers);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!labels || !centers || !rng) {
        status = crm_error_set(err, CRM_ENOMEM, "out of memory clustering %zu customers", n);
        goto done;
    }
    gsl_rng_set(rng, opts->seed);
    res->inertia = INFINITY;
    for (unsigned r = 0; r < opts->restarts; r++) {
        crm_kmeans_run_info info;
        status = crm_kmeans_seed(x, n, d, k, rng, centers, err);
        if (status == CRM_OK)
            status = crm_kmeans_refine_threads(x, n, d, k, centers, labels, opts->max_iter, tol_abs,
                                               opts->threads, &info, err);
        if (status != CRM_OK)
            goto done;
        if (info.inertia < res->inertia) {
            int *swap = res->labels;
            res->labels = labels;
            labels = swap;
            memcpy(res->centers, centers, k * d * sizeof *centers);
            res->inertia = info.inertia;
            res->iterations = info.iterations;
            res->converged = info.converged;
            res->best_restart = r;
        }
    }
    status = number_clusters(features, opts, res, err);
done:
    free(labels);
    free(centers);
    if (rng)
        gsl_rng_free(rng);
    if (status != CRM_OK)
        crm_kmeans_result_free(res);
    return status;
}

crm_status crm_kmeans_fit(const double *features, size_t n, size_t d,
                          const crm_kmeans_options *opts, crm_kmeans_result *res, crm_error *err)
{
    memset(res, 0, sizeof *res);
    crm_status status = check_options(opts, n, d, opts->k, err);
    if (status != CRM_OK)
        return status;
    double *x = alloc_array(n * d, sizeof *x);
    double *shift = alloc_array(d, sizeof *shift), *scale = alloc_array(d, sizeof *scale);
    if (!x || !shift || !scale) {
        free(x);
        free(shift);
        free(scale);
        return crm_error_set(err, CRM_ENOMEM, "out of memory clustering %zu customers", n);
    }
    status = crm_kmeans_transform(features, n, d, opts->transform, opts->zscore,
                                  opts->feature_names, x, shift, scale, err);
    if (status == CRM_OK)
        status = fit_transformed(features, x, shift, scale, n, d, opts->k,
                                 opts->tol * mean_variance(x, n, d), opts, res, err);
    free(x);
    free(shift);
    free(scale);
    return status;
}

/* ---- silhouette and k auto ---- */

/* Sum of distances from point to each of the len rows of block. */
ALWAYS_INLINE double distance_sum(const double *restrict point, const double *restrict block,
                                  size_t len, size_t d)
{
    double total = 0.0;
    for (size_t b = 0; b < len; b++)
        total += sqrt(squared_distance(point, block + b * d, d));
    return total;
}

static double distance_sum_any(const double *point, const double *block, size_t len, size_t d)
{
    switch (d) {
    case 1:
        return distance_sum(point, block, len, 1);
    case 2:
        return distance_sum(point, block, len, 2);
    case 3:
        return distance_sum(point, block, len, 3);
    default:
        return distance_sum(point, block, len, d);
    }
}

/* The rows the score is taken over: all, or sample of them drawn with seed. */
static crm_status silhouette_rows(size_t n, size_t m, unsigned long seed, size_t *rows,
                                  crm_error *err)
{
    if (m == n) {
        for (size_t i = 0; i < n; i++)
            rows[i] = i;
        return CRM_OK;
    }
    size_t *all = alloc_array(n, sizeof *all);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    crm_status status = CRM_OK;
    if (all && rng) {
        for (size_t i = 0; i < n; i++)
            all[i] = i;
        gsl_rng_set(rng, seed);
        gsl_ran_choose(rng, rows, m, all, n, sizeof *all);
    } else {
        status = crm_error_set(err, CRM_ENOMEM, "out of memory scoring %zu customers", m);
    }
    free(all);
    if (rng)
        gsl_rng_free(rng);
    return status;
}

crm_status crm_kmeans_silhouette(const double *x, size_t n, size_t d, const int *labels,
                                 size_t k, size_t sample, unsigned long seed, double *score,
                                 crm_error *err)
{
    if (n == 0)
        return crm_error_set(err, CRM_EDATA, "no customers to score");
    if (k == 0)
        return crm_error_set(err, CRM_EUSAGE, "the number of clusters must be at least 1");
    for (size_t i = 0; i < n; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= k)
            return crm_error_set(err, CRM_EUSAGE, "row %zu: cluster %d is outside 0..%zu",
                                 i + 1, labels[i], k - 1);
    size_t m = (sample == 0 || sample >= n) ? n : sample;
    size_t *rows = alloc_array(m, sizeof *rows);
    double *points = alloc_array(m * d, sizeof *points);   /* the sample, grouped by cluster */
    size_t *start = calloc(k + 1, sizeof *start);
    double *sums = alloc_array(k, sizeof *sums);
    crm_status status = CRM_OK;
    if (!rows || !points || !start || !sums)
        status = crm_error_set(err, CRM_ENOMEM, "out of memory scoring %zu customers", m);
    if (status == CRM_OK)
        status = silhouette_rows(n, m, seed, rows, err);
    if (status == CRM_OK) {
        /* Counting sort by cluster, so each cluster's members are one block
         * and the distance sums run over contiguous memory. */
        for (size_t a = 0; a < m; a++)
            start[(size_t)labels[rows[a]] + 1]++;
        size_t populated = 0;
        for (size_t c = 0; c < k; c++) {
            populated += start[c + 1] != 0;
            start[c + 1] += start[c];
        }
        for (size_t a = 0; a < m; a++) {
            size_t c = (size_t)labels[rows[a]];
            memcpy(points + start[c] * d, x + rows[a] * d, d * sizeof *points);
            start[c]++;
        }
        for (size_t c = k; c > 0; c--)
            start[c] = start[c - 1];
        start[0] = 0;

        double total = 0.0;
        for (size_t own = 0; own < k && populated >= 2; own++) {
            size_t own_count = start[own + 1] - start[own];
            if (own_count < 2)
                continue;   /* alone in its cluster: s = 0 */
            for (size_t a = start[own]; a < start[own + 1]; a++) {
                const double *pa = points + a * d;
                for (size_t c = 0; c < k; c++)
                    sums[c] = distance_sum_any(pa, points + start[c] * d,
                                               start[c + 1] - start[c], d);
                double within = sums[own] / (double)(own_count - 1);
                double nearest = INFINITY;
                for (size_t c = 0; c < k; c++) {
                    size_t count = start[c + 1] - start[c];
                    if (c != own && count != 0 && sums[c] / (double)count < nearest)
                        nearest = sums[c] / (double)count;
                }
                double denom = within > nearest ? within : nearest;
                if (denom > 0.0)
                    total += (nearest - within) / denom;
            }
        }
        *score = total / (double)m;
    }
    free(rows);
    free(points);
    free(start);
    free(sums);
    return status;
}

crm_status crm_kmeans_auto(const double *features, size_t n, size_t d,
                           const crm_kmeans_options *opts, size_t k_min, size_t k_max,
                           size_t sample, double *scores, size_t *best_k,
                           crm_kmeans_result *res, crm_error *err)
{
    memset(res, 0, sizeof *res);
    if (k_min < 2 || k_max < k_min)
        return crm_error_set(err, CRM_EUSAGE,
                             "the range of k must satisfy 2 <= low <= high, not %zu..%zu",
                             k_min, k_max);
    crm_status status = check_options(opts, n, d, k_max, err);
    if (status != CRM_OK)
        return status;
    double *x = alloc_array(n * d, sizeof *x);
    double *shift = alloc_array(d, sizeof *shift), *scale = alloc_array(d, sizeof *scale);
    if (!x || !shift || !scale) {
        free(x);
        free(shift);
        free(scale);
        return crm_error_set(err, CRM_ENOMEM, "out of memory clustering %zu customers", n);
    }
    status = crm_kmeans_transform(features, n, d, opts->transform, opts->zscore,
                                  opts->feature_names, x, shift, scale, err);
    double tol_abs = status == CRM_OK ? opts->tol * mean_variance(x, n, d) : 0.0;
    double best_score = -INFINITY;
    for (size_t k = k_min; status == CRM_OK && k <= k_max; k++) {
        crm_kmeans_result trial;
        status = fit_transformed(features, x, shift, scale, n, d, k, tol_abs, opts, &trial, err);
        if (status != CRM_OK)
            break;
        double score;
        status = crm_kmeans_silhouette(x, n, d, trial.labels, k, sample, opts->seed, &score, err);
        if (status != CRM_OK) {
            crm_kmeans_result_free(&trial);
            break;
        }
        scores[k - k_min] = score;
        if (score > best_score) {
            best_score = score;
            *best_k = k;
            crm_kmeans_result_free(res);
            *res = trial;
        } else {
            crm_kmeans_result_free(&trial);
        }
    }
    free(x);
    free(shift);
    free(scale);
    if (status != CRM_OK)
        crm_kmeans_result_free(res);
    return status;
}

/* ---- labelling with a saved clustering ---- */

crm_status crm_kmeans_assign(const double *features, size_t n, size_t d,
                             crm_kmeans_transform_kind transform, int zscore, const double *shift,
                             const double *scale, const double *centers, const size_t *rank,
                             size_t k, const char *const *feature_names, int *labels,
                             crm_error *err)
{
    if (k == 0)
        return crm_error_set(err, CRM_EUSAGE, "the number of clusters must be at least 1");
    for (size_t c = 0; c < k; c++)
        if (rank[c] >= k)
            return crm_error_set(err, CRM_EUSAGE, "centre %zu is numbered %zu, outside 1..%zu",
                                 c + 1, rank[c] + 1, k);
    if (n == 0)
        return CRM_OK;   /* a shard without customers has nothing to label */
    double *x = alloc_array(n * d, sizeof *x);
    if (!x)
        return crm_error_set(err, CRM_ENOMEM, "out of memory labelling %zu customers", n);
    /* The transform without z-scores, then the saved shift and scale with
     * the expression crm_kmeans_transform uses, so the numbers are the same. */
    crm_status status = crm_kmeans_transform(features, n, d, transform, 0, feature_names, x, NULL,
                                             NULL, err);
    for (size_t i = 0; status == CRM_OK && i < n; i++) {
        double *point = x + i * d;
        for (size_t j = 0; zscore && j < d; j++)
            point[j] = (point[j] - shift[j]) / scale[j];
        size_t best = 0;
        double nearest = INFINITY;
        for (size_t c = 0; c < k; c++) {
            double dist = squared_distance(point, centers + c * d, d);
            if (dist < nearest) {
                nearest = dist;
                best = c;
            }
        }
        labels[i] = (int)rank[best];
    }
    free(x);
    return status;
}
