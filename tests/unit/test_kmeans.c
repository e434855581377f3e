/* Unit tests of lib/kmeans.c: transform, k-means++ with Hamerly's bounds,
 * restarts, cluster numbering, silhouette, k auto, bad input.
 *
 * Reference numbers: scikit-learn 1.2.1 (Debian python3-sklearn) on
 * tests/data/iris.csv, KMeans(3, n_init=10).fit(X) on the raw measurements
 * gives inertia_ = 78.851441426146 (R's kmeans(iris[,1:4], 3) reports
 * tot.withinss 78.85144), cluster sizes 50, 62, 38 and the centres below;
 * silhouette_score(X, labels) of its k = 2, 3, 4 solutions is 0.6810461692,
 * 0.5528190124, 0.4980505050.  Small cases are worked by hand beside them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "crm/csv.h"
#include "crm/kmeans.h"
#include "crm/number.h"

enum { IRIS_N = 150, IRIS_D = 4 };

static double iris[IRIS_N * IRIS_D];

/* Reads the four measurements of tests/data/iris.csv through the project's
 * CSV reader. */
static int load_iris(void **state)
{
    (void)state;
    crm_csv_reader *r;
    crm_error err;
    crm_error_clear(&err);
    if (crm_csv_open(&r, CRM_TEST_DATA "/iris.csv", NULL, &err) != CRM_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    size_t rows = 0;
    const crm_csv_record *rec;
    while (crm_csv_next(r, &rec, &err) == CRM_OK && rec) {
        if (rows >= IRIS_N || rec->nfields != IRIS_D)
            break;
        for (size_t j = 0; j < IRIS_D; j++)
            if (crm_parse_double(rec->fields[j], rec->lengths[j], NULL,
                                 &iris[rows * IRIS_D + j]) != CRM_OK)
                break;
        rows++;
    }
    crm_csv_close(r);
    return rows == IRIS_N ? 0 : -1;
}

static crm_kmeans_options raw_options(size_t k)
{
    crm_kmeans_options o;
    crm_kmeans_options_init(&o);
    o.k = k;
    o.zscore = 0;   /* the reference figures are on unscaled features */
    return o;
}

static void test_iris_k3_inertia(void **state)
{
    (void)state;
    crm_kmeans_options o = raw_options(3);
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(iris, IRIS_N, IRIS_D, &o, &res, &err), CRM_OK);
    assert_true(fabs(res.inertia - 78.8514) < 0.001);
    assert_true(fabs(res.inertia - 78.851441426146) < 1e-9);
    assert_true(res.converged);
    /* Numbered by mean sepal length, ascending: setosa first. */
    static const size_t sizes[3] = { 50, 62, 38 };
    static const double centers[3][4] = {
        { 5.006, 3.428, 1.462, 0.246 },
        { 5.9016129032, 2.7483870968, 4.3935483871, 1.4338709677 },
        { 6.85, 3.0736842105, 5.7421052632, 2.0710526316 },
    };
    for (size_t c = 0; c < 3; c++) {
        assert_int_equal(res.sizes[c], sizes[c]);
        for (size_t j = 0; j < 4; j++) {
            assert_true(fabs(res.centers_original[c * 4 + j] - centers[c][j]) < 1e-9);
            /* Without a transform the centres are in original units already. */
            assert_true(fabs(res.centers[c * 4 + j] - centers[c][j]) < 1e-9);
        }
    }
    /* The first 50 rows are setosa, which k-means separates completely. */
    for (size_t i = 0; i < 50; i++)
        assert_int_equal(res.labels[i], 0);
    crm_kmeans_result_free(&res);
}

static void test_iris_one_cluster(void **state)
{
    (void)state;
    /* k = 1: the centre is the mean and the inertia the total sum of squares
     * about it, 681.3706 (numpy: ((X - X.mean(0))**2).sum()). */
    crm_kmeans_options o = raw_options(1);
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(iris, IRIS_N, IRIS_D, &o, &res, &err), CRM_OK);
    assert_true(fabs(res.inertia - 681.3706) < 1e-9);
    assert_int_equal(res.sizes[0], IRIS_N);
    assert_true(fabs(res.centers_original[0] - 5.8433333333) < 1e-9);
    crm_kmeans_result_free(&res);
}

static void test_iris_log1p_zscore(void **state)
{
    (void)state;
    /* scikit-learn: KMeans(3, n_init=10) on
     * StandardScaler().fit_transform(np.log1p(X)) gives inertia_
     * 126.14284866670425; its clusters, by mean sepal length: 50 (5.006 cm),
     * 48 (5.7645833333), 52 (6.7211538462). */
    crm_kmeans_options o;
    crm_kmeans_options_init(&o);
    o.k = 3;
    o.transform = CRM_KMEANS_TRANSFORM_LOG1P;
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(iris, IRIS_N, IRIS_D, &o, &res, &err), CRM_OK);
    assert_true(fabs(res.inertia - 126.14284866670425) < 1e-9);
    assert_int_equal(res.sizes[0], 50);
    assert_int_equal(res.sizes[1], 48);
    assert_int_equal(res.sizes[2], 52);
    /* centers_original are plain means of the members, in cm. */
    assert_true(fabs(res.centers_original[0 * 4] - 5.006) < 1e-9);
    assert_true(fabs(res.centers_original[1 * 4] - 5.7645833333) < 1e-9);
    assert_true(fabs(res.centers_original[2 * 4] - 6.7211538462) < 1e-9);
    crm_kmeans_result_free(&res);
}

static void test_same_seed_same_output(void **state)
{
    (void)state;
    crm_kmeans_options o = raw_options(4);
    o.restarts = 3;
    o.seed = 12345;
    crm_kmeans_result a, b;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(iris, IRIS_N, IRIS_D, &o, &a, &err), CRM_OK);
    assert_int_equal(crm_kmeans_fit(iris, IRIS_N, IRIS_D, &o, &b, &err), CRM_OK);
    assert_memory_equal(a.labels, b.labels, IRIS_N * sizeof *a.labels);
    assert_memory_equal(a.centers, b.centers, 4 * IRIS_D * sizeof *a.centers);
    assert_memory_equal(&a.inertia, &b.inertia, sizeof a.inertia);
    assert_int_equal(a.iterations, b.iterations);
    assert_int_equal(a.best_restart, b.best_restart);
    crm_kmeans_result_free(&a);
    crm_kmeans_result_free(&b);
}

/* ---- plain Lloyd, written independently of the library ---- */

/* Assigns every row to its nearest centre (lowest index on ties), then moves
 * each centre to its members' mean (summed in row order), until no label
 * changes.  Returns the iterations. */
static unsigned plain_lloyd(const double *x, size_t n, size_t d, size_t k, double *centers,
                            int *labels)
{
    double *sums = malloc(k * d * sizeof *sums);
    size_t *counts = malloc(k * sizeof *counts);
    unsigned it = 0;
    for (;;) {
        size_t changed = 0;
        for (size_t i = 0; i < n; i++) {
            int best = 0;
            double best_d = INFINITY;
            for (size_t c = 0; c < k; c++) {
                double s = 0.0;
                for (size_t j = 0; j < d; j++)
                    s += (x[i * d + j] - centers[c * d + j]) * (x[i * d + j] - centers[c * d + j]);
                if (s < best_d) {
                    best_d = s;
                    best = (int)c;
                }
            }
            if (it == 0 || labels[i] != best)
                changed++;
            labels[i] = best;
        }
        it++;
        if (it > 1 && changed == 0)
            break;
        memset(sums, 0, k * d * sizeof *sums);
        memset(counts, 0, k * sizeof *counts);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < d; j++)
                sums[(size_t)labels[i] * d + j] += x[i * d + j];
            counts[labels[i]]++;
        }
        for (size_t c = 0; c < k; c++) {
            assert_true(counts[c] > 0);   /* the cases below never empty a cluster */
            for (size_t j = 0; j < d; j++)
                centers[c * d + j] = sums[c * d + j] / (double)counts[c];
        }
    }
    free(sums);
    free(counts);
    return it;
}

static double plain_inertia(const double *x, size_t n, size_t d, const double *centers,
                            const int *labels)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double diff = x[i * d + j] - centers[(size_t)labels[i] * d + j];
            total += diff * diff;
        }
    return total;
}

static void compare_with_lloyd(const double *x, size_t n, size_t d, size_t k,
                               unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    double *fast_c = malloc(k * d * sizeof *fast_c), *slow_c = malloc(k * d * sizeof *slow_c);
    int *fast_l = malloc(n * sizeof *fast_l), *slow_l = malloc(n * sizeof *slow_l);
    crm_error err;
    assert_int_equal(crm_kmeans_seed(x, n, d, k, rng, fast_c, &err), CRM_OK);
    memcpy(slow_c, fast_c, k * d * sizeof *fast_c);
    crm_kmeans_run_info info;
    assert_int_equal(crm_kmeans_refine(x, n, d, k, fast_c, fast_l, 1000, 0.0, &info, &err),
                     CRM_OK);
    unsigned slow_it = plain_lloyd(x, n, d, k, slow_c, slow_l);
    assert_memory_equal(fast_l, slow_l, n * sizeof *fast_l);
    for (size_t c = 0; c < k * d; c++)
        assert_true(fabs(fast_c[c] - slow_c[c]) <= 1e-12 * (1.0 + fabs(slow_c[c])));
    double slow_inertia = plain_inertia(x, n, d, slow_c, slow_l);
    assert_true(fabs(info.inertia - slow_inertia) <= 1e-12 * slow_inertia);
    assert_int_equal(info.iterations, slow_it);
    assert_true(info.converged);
    free(fast_c);
    free(slow_c);
    free(fast_l);
    free(slow_l);
    gsl_rng_free(rng);
}

static void test_hamerly_equals_lloyd_iris(void **state)
{
    (void)state;
    for (unsigned long seed = 1; seed <= 10; seed++)
        compare_with_lloyd(iris, IRIS_N, IRIS_D, 3, seed);
    for (unsigned long seed = 1; seed <= 5; seed++)
        compare_with_lloyd(iris, IRIS_N, IRIS_D, 7, seed);
}

/* Overlapping Gaussian blobs, where many points change cluster late and the
 * bounds are exercised far more than on iris. */
static void test_hamerly_equals_lloyd_blobs(void **state)
{
    (void)state;
    const size_t n = 4000, d = 3, k = 9;
    double *x = malloc(n * d * sizeof *x);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2024);
    for (size_t i = 0; i < n; i++) {
        double centre = (double)(i % 6);
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = centre * (j + 1) * 0.7 + gsl_ran_gaussian(rng, 1.0);
    }
    gsl_rng_free(rng);
    for (unsigned long seed = 1; seed <= 3; seed++)
        compare_with_lloyd(x, n, d, k, seed);
    free(x);
}

/* The assignment step on threads: labels, centres and the inertia's bits are
 * the one-thread run's for 2 and 3 threads.  The blobs overlap, so that
 * labels change late; 3 x 32768 + 101 rows make four blocks of the fixed
 * size (32768), which 3 threads share unequally (1, 1, 2). */
static void test_threads_same_bits(void **state)
{
    (void)state;
    const size_t n = 3 * 32768 + 101, d = 3, k = 8;
    double *x = malloc(n * d * sizeof *x);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 14);
    for (size_t i = 0; i < n; i++) {
        double centre = (double)(i % 5);
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = centre * (j + 1) * 0.5 + gsl_ran_gaussian(rng, 1.0);
    }
    gsl_rng_free(rng);
    crm_kmeans_result one;
    crm_error err;
    crm_kmeans_options opts;
    crm_kmeans_options_init(&opts);
    opts.k = k;
    opts.restarts = 2;
    opts.threads = 1;
    assert_int_equal(crm_kmeans_fit(x, n, d, &opts, &one, &err), CRM_OK);
    assert_true(one.iterations > 2);
    for (int threads = 2; threads <= 3; threads++) {
        crm_kmeans_result many;
        opts.threads = threads;
        assert_int_equal(crm_kmeans_fit(x, n, d, &opts, &many, &err), CRM_OK);
        assert_memory_equal(&many.inertia, &one.inertia, sizeof one.inertia);
        assert_memory_equal(many.labels, one.labels, n * sizeof *one.labels);
        assert_memory_equal(many.centers, one.centers, k * d * sizeof *one.centers);
        assert_int_equal(many.iterations, one.iterations);
        assert_int_equal(many.best_restart, one.best_restart);
        crm_kmeans_result_free(&many);
    }
    /* and the refinement alone, from the same seeds, to no tolerance */
    double *c1 = malloc(k * d * sizeof *c1), *c3 = malloc(k * d * sizeof *c3);
    int *l1 = malloc(n * sizeof *l1), *l3 = malloc(n * sizeof *l3);
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    assert_int_equal(crm_kmeans_seed(x, n, d, k, rng, c1, &err), CRM_OK);
    memcpy(c3, c1, k * d * sizeof *c1);
    crm_kmeans_run_info i1, i3;
    assert_int_equal(crm_kmeans_refine(x, n, d, k, c1, l1, 1000, 0.0, &i1, &err), CRM_OK);
    assert_int_equal(crm_kmeans_refine_threads(x, n, d, k, c3, l3, 1000, 0.0, 3, &i3, &err),
                     CRM_OK);
    assert_memory_equal(&i1.inertia, &i3.inertia, sizeof i1.inertia);
    assert_memory_equal(l1, l3, n * sizeof *l1);
    assert_memory_equal(c1, c3, k * d * sizeof *c1);
    assert_int_equal(i1.iterations, i3.iterations);
    gsl_rng_free(rng);
    free(c1);
    free(c3);
    free(l1);
    free(l3);
    crm_kmeans_result_free(&one);
    free(x);
}

/* ---- transform ---- */

static void test_transform_log1p_zscore(void **state)
{
    (void)state;
    /* Column 0: log1p(0, e-1, e^2-1) = 0, 1, 2: mean 1, population sd
     * sqrt(2/3) = 0.8164965809, z = -1.2247448714, 0, 1.2247448714.
     * Column 1 is constant: centred to 0, scale 1. */
    const double e = exp(1.0);
    const double in[6] = { 0.0, 7.0, e - 1.0, 7.0, e * e - 1.0, 7.0 };
    double out[6], shift[2], scale[2];
    crm_error err;
    assert_int_equal(crm_kmeans_transform(in, 3, 2, CRM_KMEANS_TRANSFORM_LOG1P, 1, NULL, out,
                                          shift, scale, &err),
                     CRM_OK);
    assert_true(fabs(out[0] + 1.2247448714) < 1e-9);
    assert_true(fabs(out[2]) < 1e-12);
    assert_true(fabs(out[4] - 1.2247448714) < 1e-9);
    assert_true(fabs(shift[0] - 1.0) < 1e-12);
    assert_true(fabs(scale[0] - 0.8164965809) < 1e-9);
    assert_true(fabs(shift[1] - log1p(7.0)) < 1e-12);
    assert_true(scale[1] == 1.0);
    assert_true(out[1] == 0.0 && out[3] == 0.0 && out[5] == 0.0);
}

/* ---- numbering, empty clusters ---- */

static void test_cluster_numbering(void **state)
{
    (void)state;
    /* Three obvious pairs on a line: {0, 0.1}, {5, 5.1}, {10, 10.1}, given
     * in the order 10, 0, 5.  Ascending by mean: 0.05 -> 0, 5.05 -> 1,
     * 10.05 -> 2. */
    const double x[6] = { 10.0, 0.0, 5.0, 10.1, 0.1, 5.1 };
    crm_kmeans_options o = raw_options(3);
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(x, 6, 1, &o, &res, &err), CRM_OK);
    static const int ascending[6] = { 2, 0, 1, 2, 0, 1 };
    assert_memory_equal(res.labels, ascending, sizeof ascending);
    assert_true(fabs(res.centers_original[0] - 0.05) < 1e-12);
    assert_true(fabs(res.centers_original[1] - 5.05) < 1e-12);
    assert_true(fabs(res.centers_original[2] - 10.05) < 1e-12);
    /* 2 * 0.05^2 per pair, three pairs: 0.015. */
    assert_true(fabs(res.inertia - 0.015) < 1e-12);
    crm_kmeans_result_free(&res);

    o.order_descending = 1;
    assert_int_equal(crm_kmeans_fit(x, 6, 1, &o, &res, &err), CRM_OK);
    static const int descending[6] = { 0, 2, 1, 0, 2, 1 };
    assert_memory_equal(res.labels, descending, sizeof descending);
    crm_kmeans_result_free(&res);
}

static void test_empty_cluster_takes_farthest_point(void **state)
{
    (void)state;
    /* Points 0, 1, 2, 3 and centres 0.5, 2.5, 100.  The first assignment
     * leaves centre 2 empty; every point is 0.5 from its centre, so the
     * lowest row (0) moves to cluster 2.  Centres become 1, 2.5, 0; the next
     * assignment changes nothing.  Inertia 0 + 0 + 0.25 + 0.25 = 0.5. */
    const double x[4] = { 0.0, 1.0, 2.0, 3.0 };
    double centers[3] = { 0.5, 2.5, 100.0 };
    int labels[4];
    crm_kmeans_run_info info;
    crm_error err;
    assert_int_equal(crm_kmeans_refine(x, 4, 1, 3, centers, labels, 100, 0.0, &info, &err),
                     CRM_OK);
    static const int expected[4] = { 2, 0, 1, 1 };
    assert_memory_equal(labels, expected, sizeof expected);
    assert_true(centers[0] == 1.0 && centers[1] == 2.5 && centers[2] == 0.0);
    assert_true(fabs(info.inertia - 0.5) < 1e-15);
    assert_int_equal(info.iterations, 2);
}

/* ---- silhouette and k auto ---- */

static void test_silhouette_by_hand(void **state)
{
    (void)state;
    /* 0, 1 | 10, 11.  Point 0: a = 1, b = (10 + 11) / 2 = 10.5,
     * s = 9.5 / 10.5; point 1: a = 1, b = (9 + 10) / 2 = 9.5, s = 8.5 / 9.5;
     * 10 and 11 mirror them.  Mean (9.5/10.5 + 8.5/9.5) / 2 = 0.8997493734
     * (scikit-learn: 0.899749373433584). */
    const double x[4] = { 0.0, 1.0, 10.0, 11.0 };
    const int labels[4] = { 0, 0, 1, 1 };
    double score;
    crm_error err;
    assert_int_equal(crm_kmeans_silhouette(x, 4, 1, labels, 2, 0, 1, &score, &err), CRM_OK);
    assert_true(fabs(score - 0.899749373433584) < 1e-12);
    /* One cluster: nothing to compare with, 0 by definition here. */
    const int one[4] = { 0, 0, 0, 0 };
    assert_int_equal(crm_kmeans_silhouette(x, 4, 1, one, 1, 0, 1, &score, &err), CRM_OK);
    assert_true(score == 0.0);
}

static void test_silhouette_sample_is_seeded(void **state)
{
    (void)state;
    crm_kmeans_options o = raw_options(3);
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(iris, IRIS_N, IRIS_D, &o, &res, &err), CRM_OK);
    double full, all, a, b, c;
    assert_int_equal(crm_kmeans_silhouette(iris, IRIS_N, IRIS_D, res.labels, 3, 0, 7, &full,
                                           &err), CRM_OK);
    assert_true(fabs(full - 0.5528190124) < 1e-9);
    /* A sample as large as the data is the data. */
    assert_int_equal(crm_kmeans_silhouette(iris, IRIS_N, IRIS_D, res.labels, 3, IRIS_N, 7, &all,
                                           &err), CRM_OK);
    assert_true(all == full);
    assert_int_equal(crm_kmeans_silhouette(iris, IRIS_N, IRIS_D, res.labels, 3, 60, 7, &a,
                                           &err), CRM_OK);
    assert_int_equal(crm_kmeans_silhouette(iris, IRIS_N, IRIS_D, res.labels, 3, 60, 7, &b,
                                           &err), CRM_OK);
    assert_int_equal(crm_kmeans_silhouette(iris, IRIS_N, IRIS_D, res.labels, 3, 60, 8, &c,
                                           &err), CRM_OK);
    assert_true(a == b);     /* same seed, same customers */
    assert_true(a != full);  /* 60 of 150: another number */
    assert_true(a != c);     /* another seed, other customers */
    assert_true(fabs(a - full) < 0.1);
    crm_kmeans_result_free(&res);
}

static void test_k_auto_on_iris(void **state)
{
    (void)state;
    crm_kmeans_options o = raw_options(0);
    double scores[3];
    size_t best_k = 0;
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_auto(iris, IRIS_N, IRIS_D, &o, 2, 4, 0, scores, &best_k, &res,
                                     &err), CRM_OK);
    assert_true(fabs(scores[0] - 0.6810461692) < 1e-9);
    assert_true(fabs(scores[1] - 0.5528190124) < 1e-9);
    assert_true(fabs(scores[2] - 0.4980505050) < 1e-9);
    assert_int_equal(best_k, 2);
    assert_int_equal(res.k, 2);
    /* scikit-learn's KMeans(2).inertia_ on the same data: 152.3479517603579. */
    assert_true(fabs(res.inertia - 152.3479517603579) < 1e-9);
    crm_kmeans_result_free(&res);
}

/* ---- bad input ---- */

static void test_k_larger_than_customers(void **state)
{
    (void)state;
    const double x[3] = { 1.0, 2.0, 3.0 };
    crm_kmeans_options o = raw_options(4);
    crm_kmeans_result res;
    crm_error err;
    crm_error_clear(&err);
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "4 clusters asked for, but there are only 3 customers");
    crm_kmeans_result_free(&res);
    o.k = 0;
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the number of clusters must be at least 1");
    double scores[3];
    size_t best;
    assert_int_equal(crm_kmeans_auto(x, 3, 1, &o, 2, 4, 0, scores, &best, &res, &err),
                     CRM_EUSAGE);
    assert_string_equal(err.message, "4 clusters asked for, but there are only 3 customers");
}

static void test_non_finite_feature(void **state)
{
    (void)state;
    const char *names[2] = { "recency_days", "monetary" };
    double x[6] = { 1.0, 2.0, 3.0, NAN, 5.0, 6.0 };
    crm_kmeans_options o = raw_options(2);
    o.feature_names = names;
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(x, 3, 2, &o, &res, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: monetary is not a finite number (nan)");
    x[3] = INFINITY;
    o.feature_names = NULL;
    assert_int_equal(crm_kmeans_fit(x, 3, 2, &o, &res, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: feature 2 is not a finite number (inf)");
}

static void test_log1p_needs_values_above_minus_one(void **state)
{
    (void)state;
    const double x[3] = { 0.0, -1.0, 3.0 };
    crm_kmeans_options o = raw_options(2);
    o.transform = CRM_KMEANS_TRANSFORM_LOG1P;
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: feature 1 is -1, but log1p needs values above -1");
}

static void test_too_few_distinct_rows(void **state)
{
    (void)state;
    /* Four customers but only two different feature rows: no 3 clusters. */
    const double x[8] = { 1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0 };
    crm_kmeans_options o = raw_options(3);
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(x, 4, 2, &o, &res, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "the features have only 2 distinct rows, fewer than the 3 clusters "
                        "asked for");
}

static void test_overflowing_features(void **state)
{
    (void)state;
    /* (1e200)^2 does not fit in a double: k-means++ cannot weigh the rows. */
    const double x[3] = { 0.0, 1e200, -1e200 };
    crm_kmeans_options o = raw_options(2);
    crm_kmeans_result res;
    crm_error err;
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "the features are too large to cluster: squared distances overflow");
    /* Standardised, the same rows cluster. */
    o.zscore = 1;
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_OK);
    crm_kmeans_result_free(&res);
}

static void test_bad_options(void **state)
{
    (void)state;
    const double x[3] = { 1.0, 2.0, 3.0 };
    crm_kmeans_options o = raw_options(2);
    crm_kmeans_result res;
    crm_error err;
    o.restarts = 0;
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_EUSAGE);
    o = raw_options(2);
    o.order_feature = 1;
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_EUSAGE);
    assert_string_equal(err.message,
                        "cannot order clusters by feature 2: the features are 1..1");
    o = raw_options(2);
    o.tol = -1.0;
    assert_int_equal(crm_kmeans_fit(x, 3, 1, &o, &res, &err), CRM_EUSAGE);
    o = raw_options(2);
    assert_int_equal(crm_kmeans_fit(x, 0, 1, &o, &res, &err), CRM_EDATA);
    assert_string_equal(err.message, "no customers to cluster");
    double scores[2];
    size_t best;
    assert_int_equal(crm_kmeans_auto(x, 3, 1, &o, 1, 2, 0, scores, &best, &res, &err),
                     CRM_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iris_k3_inertia),
        cmocka_unit_test(test_iris_one_cluster),
        cmocka_unit_test(test_iris_log1p_zscore),
        cmocka_unit_test(test_same_seed_same_output),
        cmocka_unit_test(test_hamerly_equals_lloyd_iris),
        cmocka_unit_test(test_hamerly_equals_lloyd_blobs),
        cmocka_unit_test(test_threads_same_bits),
        cmocka_unit_test(test_transform_log1p_zscore),
        cmocka_unit_test(test_cluster_numbering),
        cmocka_unit_test(test_empty_cluster_takes_farthest_point),
        cmocka_unit_test(test_silhouette_by_hand),
        cmocka_unit_test(test_silhouette_sample_is_seeded),
        cmocka_unit_test(test_k_auto_on_iris),
        cmocka_unit_test(test_k_larger_than_customers),
        cmocka_unit_test(test_non_finite_feature),
        cmocka_unit_test(test_log1p_needs_values_above_minus_one),
        cmocka_unit_test(test_too_few_distinct_rows),
        cmocka_unit_test(test_overflowing_features),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, load_iris, NULL);
}
