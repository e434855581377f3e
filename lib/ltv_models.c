#include "crm/ltv_models.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_psi.h>

/* ---- names ---- */

static const char *const model_names[] = {"BG/NBD", "Pareto/NBD", "MBG/NBD", "BG/BB"};
static const char *const param_names[][CRM_LTV_MAX_PARAMS] = {
    {"r", "alpha", "a", "b"},
    {"r", "alpha", "s", "beta"},
    {"r", "alpha", "a", "b"},
    {"alpha", "beta", "gamma", "delta"},
};

static int model_known(crm_ltv_model model)
{
    return model >= CRM_LTV_BGNBD && model <= CRM_LTV_BGBB;
}

const char *crm_ltv_model_name(crm_ltv_model model)
{
    return model_known(model) ? model_names[model] : "unknown model";
}

const char *crm_ltv_model_param_name(crm_ltv_model model, size_t i)
{
    if (!model_known(model) || i >= CRM_LTV_MAX_PARAMS)
        return NULL;
    return param_names[model][i];
}

size_t crm_ltv_model_nparams(crm_ltv_model model)
{
    return model_known(model) ? 4 : 0;
}

crm_status crm_ltv_model_parse(const char *s, crm_ltv_model *out, crm_error *err)
{
    static const struct {
        const char *name;
        crm_ltv_model model;
    } names[] = {
        {"bgnbd", CRM_LTV_BGNBD},      {"pnbd", CRM_LTV_PARETO_NBD},
        {"paretonbd", CRM_LTV_PARETO_NBD}, {"pareto", CRM_LTV_PARETO_NBD},
        {"mbgnbd", CRM_LTV_MBGNBD},    {"bgbb", CRM_LTV_BGBB},
    };
    char key[32];
    size_t k = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '/' || *p == '-' || *p == '_')
            continue;
        if (k + 1 >= sizeof key) {
            k = 0;
            break;
        }
        key[k++] = (char)tolower((unsigned char)*p);
    }
    key[k] = '\0';
    for (size_t i = 0; k > 0 && i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(key, names[i].name) == 0) {
            *out = names[i].model;
            return CRM_OK;
        }
    }
    char quoted[64];
    return crm_error_set(err, CRM_EUSAGE, "unknown model '%s'; choose bgnbd, pnbd, mbgnbd or bgbb",
                         crm_error_quote(quoted, sizeof quoted, s, strlen(s)));
}

/* ---- checking the data ---- */

static int is_whole(double v)
{
    return isfinite(v) && v == floor(v);
}

crm_status crm_ltv_check_customer(crm_ltv_model model, const crm_ltv_customer *c, crm_error *err)
{
    int discrete = model == CRM_LTV_BGBB;
    if (!isfinite(c->x))
        return crm_error_set(err, CRM_EDATA, "x is not a number");
    if (c->x < 0)
        return crm_error_set(err, CRM_EDATA, "x = %g is negative", c->x);
    if (!is_whole(c->x))
        return crm_error_set(err, CRM_EDATA, "x = %g is not a whole number of purchases", c->x);
    if (!isfinite(c->t_x))
        return crm_error_set(err, CRM_EDATA, "t_x is not a number");
    if (!isfinite(c->T))
        return crm_error_set(err, CRM_EDATA, "T is not a number");
    if (c->t_x < 0)
        return crm_error_set(err, CRM_EDATA, "t_x = %g is negative", c->t_x);
    if (c->T < 0)
        return crm_error_set(err, CRM_EDATA, "T = %g is negative", c->T);
    if (c->t_x > c->T)
        return crm_error_set(err, CRM_EDATA, "t_x = %g is greater than T = %g", c->t_x, c->T);
    if (c->x == 0 && c->t_x != 0)
        return crm_error_set(err, CRM_EDATA,
                             "x = 0 but t_x = %g; a customer without repeat purchases has t_x = 0",
                             c->t_x);
    if (discrete) {
        if (!is_whole(c->t_x))
            return crm_error_set(err, CRM_EDATA, "t_x = %g is not a whole number of periods",
                                 c->t_x);
        if (!is_whole(c->T))
            return crm_error_set(err, CRM_EDATA, "n = T = %g is not a whole number of periods",
                                 c->T);
        if (c->x > c->t_x)
            return crm_error_set(err, CRM_EDATA,
                                 "x = %g purchases cannot fit in the t_x = %g periods up to the "
                                 "last one",
                                 c->x, c->t_x);
    }
    if (!isfinite(c->weight) || c->weight < 0)
        return crm_error_set(err, CRM_EDATA, "weight = %g is not a number >= 0", c->weight);
    return CRM_OK;
}

crm_status crm_ltv_check_customers(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                                   size_t *bad_index, crm_error *err)
{
    if (!model_known(model))
        return crm_error_set(err, CRM_EUSAGE, "unknown purchase model %d", (int)model);
    for (size_t i = 0; i < n; i++) {
        crm_status st = crm_ltv_check_customer(model, &c[i], err);
        if (st != CRM_OK) {
            crm_error_prefix(err, "customer row %zu: ", i + 1);
            if (bad_index)
                *bad_index = i;
            return st;
        }
    }
    return CRM_OK;
}

static int params_full(const double *p)
{
    for (size_t i = 0; i < 4; i++)
        if (!(p[i] > 0.0) || !isfinite(p[i]))
            return 0;
    return 1;
}

int crm_ltv_params_no_dropout(const double *p)
{
    return p[0] > 0.0 && isfinite(p[0]) && p[1] > 0.0 && isfinite(p[1]) && p[2] == 0.0;
}

int crm_ltv_params_no_purchases(const double *p)
{
    return p[0] == 0.0 && p[2] == 0.0;
}

/* A full parameter vector, or one of the limits (crm/ltv_models.h). */
static int params_valid(const double *p)
{
    return params_full(p) || crm_ltv_params_no_dropout(p) || crm_ltv_params_no_purchases(p);
}

/* ---- numerical helpers ---- */

/* log(1 + exp(u)) without overflow; *g receives its derivative, the
 * logistic function.  log(1 + e) rather than log1p(e): its absolute error
 * is still one rounding unit, which is all a sum of log-likelihoods needs,
 * and it is much faster than glibc's log1p in the fit's inner loop. */
static double softplus(double u, double *g)
{
    if (u > 0) {
        double e = exp(-u);
        *g = 1.0 / (1.0 + e);
        return u + log(1.0 + e);
    }
    double e = exp(u);
    *g = e / (1.0 + e);
    return log(1.0 + e);
}

static double log_add_exp(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    double m = a > b ? a : b;
    return m + log1p(exp(-fabs(a - b)));
}

/* log Gamma(a + x) - log Gamma(a) and its derivative psi(a + x) - psi(a). */
static double lgamma_ratio(double a, double x, double *dpsi)
{
    if (x == 0) {
        *dpsi = 0.0;
        return 0.0;
    }
    *dpsi = gsl_sf_psi(a + x) - gsl_sf_psi(a);
    return gsl_sf_lngamma(a + x) - gsl_sf_lngamma(a);
}

/* Upper limit on the terms of the hand-summed series below. */
enum { SERIES_MAX_TERMS = 10000000 };

/* The Gauss series sum_k (a)_k (b)_k / ((c)_k k!) z^k for 0 <= z < 1, c > 0.
 * Summed by hand only where gsl_sf_hyperg_2F1 reports failure: it is the
 * models' own formula, not a replacement for GSL's function.  Returns NaN
 * when it does not settle. */
static double gauss_series(double a, double b, double c, double z)
{
    double sum = 1.0, term = 1.0;
    for (long k = 0; k < SERIES_MAX_TERMS; k++) {
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
        sum += term;
        if (!isfinite(sum))
            return NAN;
        /* The ratio of successive terms tends to z < 1, monotonically for
         * large k; once it is below 1, the rest is bounded by a geometric
         * tail with ratio max(current ratio, z). */
        double ratio = fabs((a + k + 1) * (b + k + 1) / ((c + k + 1) * (k + 2)) * z);
        double q = ratio > z ? ratio : z;
        if (q < 1.0 && fabs(term) * q / (1.0 - q) <= 1e-17 * fabs(sum))
            return sum;
    }
    return NAN;
}

/* 2F1(a, b; c; z) by GSL, accepted only when GSL reports success with a
 * small error estimate (it can return success with an error as large as
 * the value, for instance with b < 0). */
static int hyp2f1_gsl(double a, double b, double c, double z, double *val)
{
    gsl_sf_result r;
    int status = gsl_sf_hyperg_2F1_e(a, b, c, z, &r);
    if (status == GSL_SUCCESS && isfinite(r.val) && r.err <= 1e-10 * fabs(r.val) + 1e-300) {
        *val = r.val;
        return 1;
    }
    return 0;
}

/* 2F1(a, b; c; z) for 0 <= z < 1 (callers keep z there by the models'
 * transformations): GSL, or the series when GSL gives up. */
static double hyp2f1(double a, double b, double c, double z)
{
    double v;
    return hyp2f1_gsl(a, b, c, z, &v) ? v : gauss_series(a, b, c, z);
}

/* ---- the data, merged into weighted rows grouped by x ---- */

/* Pareto/NBD's likelihood on threads (see pnbd_loglik): rows per chunk,
 * fewest pairs worth a thread, most threads. */
enum { PNBD_ROWS_PER_CHUNK = 512, PNBD_PAIRS_PER_THREAD = 256, MAX_FIT_THREADS = 8 };
/* Fewest histories worth a thread in crm_ltv_predict_histories. */
enum { HISTORIES_PER_THREAD = 64 };
/* The per-group terms of bg_family_loglik, BG_GROUP_SUMS per group:
 * the group's D term and its derivatives (times the group's weight), and
 * the weighted sums over its rows. */
enum {
    BG_D_LL, BG_ROWS_LL, BG_D_R, BG_ROWS_R, BG_ROWS_ALPHA, BG_D_A, BG_D_B, BG_ROWS_G,
    BG_GROUP_SUMS
};
/* Fewest rows worth a thread (about 0.1 ms of work). */
enum { BG_ROWS_PER_THREAD = 2048 };

typedef struct {
    double x, t_x, T, w;
    uint32_t it_x, iT;    /* positions of t_x and T in the table of times */
} merged_row;

typedef struct {
    double x, w;          /* x of the group, total weight */
    size_t begin, end;    /* rows[begin..end) */
} x_group;

typedef struct {
    crm_ltv_model model;
    merged_row *rows;
    size_t nrows;
    x_group *groups;
    size_t ngroups;
    double total_weight;
    /* Distinct values of t_x and T, when there are few of them (times in
     * whole days, as crm-rfm writes them): log(alpha + t) and 1/(alpha + t)
     * are then computed once per value and evaluation instead of per row. */
    double *times;
    size_t ntimes;        /* 0: no table */
    double *log_alpha_t, *inv_alpha_t;   /* scratch, ntimes each */
    double *group_sums;   /* BG/NBD, MBG/NBD: scratch, BG_GROUP_SUMS per group */
    /* Pareto/NBD: the distinct pairs (x, t), t being the t_x or the T of a
     * row with that x, grouped by x like the rows; the rows' it_x and iT
     * index them.  Its costly part (a 2F1 each) depends on the customer
     * only through such a pair, and whole-day data have few of them (1M
     * customers: about 4,400 pairs for 130,000 distinct rows), so each is
     * evaluated once per likelihood, on threads when there are many. */
    double *pair_x, *pair_t;
    size_t npairs;
    double *pair_log_F, *pair_log_alpha, *pair_log_beta;   /* scratch, npairs each */
    double *pair_dlog_F;  /* scratch, 4 per pair: d log F / d theta_i */
    double *pnbd_chunk_sums;   /* scratch, 5 per chunk of rows (see pnbd_loglik) */
    int threads;          /* for the Pareto/NBD likelihood; 1: none */
    double max_T;         /* longest observation */
} dataset;

static int compare_rows(const void *pa, const void *pb)
{
    const merged_row *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->t_x != b->t_x)
        return a->t_x < b->t_x ? -1 : 1;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    return 0;
}

static void dataset_free(dataset *d)
{
    free(d->rows);
    free(d->groups);
    free(d->times);
    free(d->log_alpha_t);
    free(d->inv_alpha_t);
    free(d->group_sums);
    free(d->pair_x);
    free(d->pair_t);
    free(d->pair_log_F);
    free(d->pair_log_alpha);
    free(d->pair_log_beta);
    free(d->pair_dlog_F);
    free(d->pnbd_chunk_sums);
    memset(d, 0, sizeof *d);
}

static int compare_doubles(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* Index of t among the sorted distinct values v[0..n) (t is one of them). */
static size_t index_of(const double *v, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t time_index(const dataset *d, double t)
{
    return (uint32_t)index_of(d->times, d->ntimes, t);
}

/* Builds the table of distinct times when it has at most half as many
 * entries as there are rows; without it (or without memory for it) the
 * rows are evaluated directly. */
static void dataset_build_time_table(dataset *d)
{
    if (d->nrows < 2)
        return;
    double *t = malloc(2 * d->nrows * sizeof *t);
    if (!t)
        return;
    for (size_t i = 0; i < d->nrows; i++) {
        t[2 * i] = d->rows[i].t_x;
        t[2 * i + 1] = d->rows[i].T;
    }
    qsort(t, 2 * d->nrows, sizeof *t, compare_doubles);
    size_t m = 0;
    for (size_t i = 0; i < 2 * d->nrows; i++)
        if (m == 0 || t[m - 1] != t[i])
            t[m++] = t[i];
    if (m > d->nrows / 2 || m >= UINT32_MAX) {
        free(t);
        return;
    }
    d->times = t;
    d->ntimes = m;
    d->log_alpha_t = malloc(m * sizeof *d->log_alpha_t);
    d->inv_alpha_t = malloc(m * sizeof *d->inv_alpha_t);
    if (!d->log_alpha_t || !d->inv_alpha_t) {
        free(d->log_alpha_t);
        free(d->inv_alpha_t);
        free(d->times);
        d->times = d->log_alpha_t = d->inv_alpha_t = NULL;
        d->ntimes = 0;
        return;
    }
    for (size_t i = 0; i < d->nrows; i++) {
        d->rows[i].it_x = time_index(d, d->rows[i].t_x);
        d->rows[i].iT = time_index(d, d->rows[i].T);
    }
}

/* Builds the Pareto/NBD table of distinct (x, t) pairs (see dataset) and
 * points every row's it_x and iT into it.  Returns 0 without memory, or
 * when the table would not fit the rows' 32-bit indices. */
static int dataset_build_pairs(dataset *d)
{
    size_t cap = 2 * d->nrows + 1;
    if (cap >= UINT32_MAX)
        return 0;
    d->pair_x = malloc(cap * sizeof *d->pair_x);
    d->pair_t = malloc(cap * sizeof *d->pair_t);
    if (!d->pair_x || !d->pair_t)
        return 0;
    for (size_t gi = 0; gi < d->ngroups; gi++) {
        const x_group *grp = &d->groups[gi];
        double *t = d->pair_t + d->npairs;
        size_t m = 0;
        for (size_t i = grp->begin; i < grp->end; i++) {
            t[m++] = d->rows[i].t_x;
            t[m++] = d->rows[i].T;
        }
        qsort(t, m, sizeof *t, compare_doubles);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (u == 0 || t[u - 1] != t[i])
                t[u++] = t[i];
        for (size_t i = 0; i < u; i++)
            d->pair_x[d->npairs + i] = grp->x;
        for (size_t i = grp->begin; i < grp->end; i++) {
            d->rows[i].it_x = (uint32_t)(d->npairs + index_of(t, u, d->rows[i].t_x));
            d->rows[i].iT = (uint32_t)(d->npairs + index_of(t, u, d->rows[i].T));
        }
        d->npairs += u;
    }
    size_t np = d->npairs ? d->npairs : 1;
    d->pair_log_F = malloc(np * sizeof *d->pair_log_F);
    d->pair_log_alpha = malloc(np * sizeof *d->pair_log_alpha);
    d->pair_log_beta = malloc(np * sizeof *d->pair_log_beta);
    d->pair_dlog_F = malloc(4 * np * sizeof *d->pair_dlog_F);
    size_t nchunks = d->nrows / PNBD_ROWS_PER_CHUNK + 1;
    d->pnbd_chunk_sums = malloc(5 * nchunks * sizeof *d->pnbd_chunk_sums);
    return d->pair_log_F && d->pair_log_alpha && d->pair_log_beta && d->pair_dlog_F &&
           d->pnbd_chunk_sums;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t row_hash(const merged_row *r)
{
    uint64_t x, t_x, T;
    memcpy(&x, &r->x, sizeof x);
    memcpy(&t_x, &r->t_x, sizeof t_x);
    memcpy(&T, &r->T, sizeof T);
    return mix64(x ^ mix64(t_x ^ mix64(T)));
}

/* Merges the rows of weight > 0 with identical (x, t_x, T) into out[],
 * in the order they first appear, through an open-addressing hash table
 * (a sort would cost more than the whole fit on a million customers).
 * Returns the number of distinct rows, or (size_t)-1 without memory. */
static size_t merge_identical(const crm_ltv_customer *c, size_t n, merged_row *out)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return (size_t)-1;
    for (size_t i = 0; i < cap; i++)
        slots[i] = SIZE_MAX;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(c[i].weight > 0))
            continue;
        /* + 0.0 turns -0 into 0, so that equal values hash alike. */
        merged_row row = {c[i].x + 0.0, c[i].t_x + 0.0, c[i].T + 0.0, c[i].weight, 0, 0};
        size_t h = (size_t)row_hash(&row) & (cap - 1);
        while (slots[h] != SIZE_MAX && compare_rows(&out[slots[h]], &row) != 0)
            h = (h + 1) & (cap - 1);
        if (slots[h] == SIZE_MAX) {
            slots[h] = m;
            out[m++] = row;
        } else {
            out[slots[h]].w += row.w;
        }
    }
    free(slots);
    return m;
}

/* Orders the merged rows by x (counting sort when the largest x is not
 * much more than the number of rows, else qsort) into d->rows. */
static int order_by_x(dataset *d, merged_row *merged, size_t m)
{
    double xmax = 0.0;
    for (size_t i = 0; i < m; i++)
        if (merged[i].x > xmax)
            xmax = merged[i].x;
    if (xmax > 4.0 * (double)m + 1024.0) {
        qsort(merged, m, sizeof *merged, compare_rows);
        memcpy(d->rows, merged, m * sizeof *merged);
        return 1;
    }
    size_t nx = (size_t)xmax + 2;
    size_t *start = calloc(nx, sizeof *start);
    if (!start)
        return 0;
    for (size_t i = 0; i < m; i++)
        start[(size_t)merged[i].x + 1]++;
    for (size_t v = 1; v < nx; v++)
        start[v] += start[v - 1];
    for (size_t i = 0; i < m; i++)
        d->rows[start[(size_t)merged[i].x]++] = merged[i];
    free(start);
    return 1;
}

/* Checks and merges the customers; rows of weight 0 are left out. */
static crm_status dataset_build(dataset *d, crm_ltv_model model, const crm_ltv_customer *c,
                                size_t n, crm_error *err)
{
    memset(d, 0, sizeof *d);
    d->model = model;
    crm_status st = crm_ltv_check_customers(model, c, n, NULL, err);
    if (st != CRM_OK)
        return st;
    merged_row *merged = malloc((n ? n : 1) * sizeof *merged);
    size_t m = merged ? merge_identical(c, n, merged) : (size_t)-1;
    d->rows = m != (size_t)-1 ? malloc((m ? m : 1) * sizeof *d->rows) : NULL;
    if (!d->rows || !order_by_x(d, merged, m)) {
        free(merged);
        dataset_free(d);
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", n);
    }
    free(merged);
    d->nrows = m;
    size_t ngroups = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || d->rows[i - 1].x != d->rows[i].x)
            ngroups++;
    d->groups = malloc((ngroups ? ngroups : 1) * sizeof *d->groups);
    if (!d->groups) {
        dataset_free(d);
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", n);
    }
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || d->rows[i - 1].x != d->rows[i].x) {
            d->groups[d->ngroups] = (x_group){d->rows[i].x, 0.0, i, i};
            d->ngroups++;
        }
        x_group *g = &d->groups[d->ngroups - 1];
        g->end = i + 1;
        g->w += d->rows[i].w;
        d->total_weight += d->rows[i].w;
        if (d->rows[i].T > d->max_T)
            d->max_T = d->rows[i].T;
    }
    if (!(d->total_weight > 0)) {
        dataset_free(d);
        return crm_error_set(err, CRM_EDATA, "no customers to fit the %s model on",
                             crm_ltv_model_name(model));
    }
    if (model == CRM_LTV_BGNBD || model == CRM_LTV_MBGNBD) {
        dataset_build_time_table(d);
        d->group_sums = malloc(d->ngroups * BG_GROUP_SUMS * sizeof *d->group_sums);
        if (!d->group_sums) {
            dataset_free(d);
            return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", n);
        }
    }
    if (model == CRM_LTV_PARETO_NBD && !dataset_build_pairs(d)) {
        dataset_free(d);
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", n);
    }
    d->threads = 1;
    return CRM_OK;
}

/* ---- work on threads ----
 *
 * The likelihoods and the predictions split their work into consecutive
 * slices, one per thread, each slice writing its own results; the caller
 * adds them up in one fixed order, so nothing depends on the number of
 * threads. */

typedef void (*slice_fn)(void *ctx, size_t begin, size_t end);

typedef struct {
    slice_fn fn;
    void *ctx;
    size_t begin, end;
} slice_job;

static void *slice_thread(void *arg)
{
    const slice_job *job = arg;
    job->fn(job->ctx, job->begin, job->end);
    return NULL;
}

/* Runs fn over the nslices slices [bounds[i], bounds[i+1]), the calling
 * thread taking the first.  A thread that cannot be started has its slice
 * run by the caller. */
static void run_slices(size_t nslices, const size_t *bounds, slice_fn fn, void *ctx)
{
    slice_job jobs[MAX_FIT_THREADS];
    pthread_t tids[MAX_FIT_THREADS];
    int started[MAX_FIT_THREADS] = {0};
    for (size_t i = 0; i < nslices; i++)
        jobs[i] = (slice_job){fn, ctx, bounds[i], bounds[i + 1]};
    for (size_t i = 1; i < nslices; i++)
        started[i] = pthread_create(&tids[i], NULL, slice_thread, &jobs[i]) == 0;
    fn(ctx, jobs[0].begin, jobs[0].end);
    for (size_t i = 1; i < nslices; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
        else
            fn(ctx, jobs[i].begin, jobs[i].end);
    }
}

/* Threads for `work` units of work when each thread should have at least
 * min_per_thread of them: 1 .. threads (at most MAX_FIT_THREADS). */
static size_t slice_count(int threads, size_t work, size_t min_per_thread)
{
    size_t nthreads = threads > 0 ? (size_t)threads : 1;
    if (nthreads > MAX_FIT_THREADS)
        nthreads = MAX_FIT_THREADS;
    if (nthreads > work / min_per_thread)
        nthreads = work / min_per_thread;
    return nthreads ? nthreads : 1;
}

/* Runs fn over [0, n) in up to `threads` consecutive slices of at least
 * min_per_thread items. */
static void run_in_slices(int threads, size_t n, size_t min_per_thread, slice_fn fn, void *ctx)
{
    size_t nthreads = slice_count(threads, n, min_per_thread);
    if (nthreads < 2) {
        fn(ctx, 0, n);
        return;
    }
    size_t bounds[MAX_FIT_THREADS + 1];
    for (size_t i = 0; i <= nthreads; i++)
        bounds[i] = n * i / nthreads;
    run_slices(nthreads, bounds, fn, ctx);
}

/* Runs fn over the x groups of d in up to `threads` slices of whole groups
 * holding about equal numbers of rows, at least min_rows each.  (A group's
 * rows stay on one thread: each group's sums then run in the order they
 * always have, and the fit is the same to the last bit on any number of
 * threads.) */
static void run_over_groups(const dataset *d, size_t min_rows, slice_fn fn, void *ctx)
{
    size_t nthreads = slice_count(d->threads, d->nrows, min_rows);
    if (nthreads < 2 || d->ngroups < 2) {
        fn(ctx, 0, d->ngroups);
        return;
    }
    /* Slice i ends at the first group end at or past i/nthreads of the
     * rows (groups are consecutive runs of rows). */
    size_t bounds[MAX_FIT_THREADS + 1], nslices = 0, g = 0;
    bounds[0] = 0;
    for (size_t i = 1; i < nthreads; i++) {
        const size_t target = d->nrows * i / nthreads;
        while (g < d->ngroups && d->groups[g].end < target)
            g++;
        if (g < d->ngroups && g + 1 > bounds[nslices])
            bounds[++nslices] = g + 1;
    }
    if (bounds[nslices] < d->ngroups)
        bounds[++nslices] = d->ngroups;
    run_slices(nslices, bounds, fn, ctx);
}

/* ---- BG/NBD and MBG/NBD ----
 *
 * One customer's log-likelihood (Fader, Hardie & Lee 2005, eq. 6; Batislam
 * et al. 2007 for MBG/NBD), with m = 0 for BG/NBD and m = 1 for MBG/NBD:
 *
 *   ll = D(x) + r log(alpha) - (r+x) log(alpha+T) + [x+m > 0] log(1 + e^u)
 *   D(x) = lnG(r+x) - lnG(r) + lnG(a+b) - lnG(b) + lnG(b+x+m) - lnG(a+b+x+m)
 *   u = log(a) - log(b+x+m-1) + (r+x) (log(alpha+T) - log(alpha+t_x))
 *
 * D depends on x and the parameters only, so it is evaluated once per
 * distinct x; the per-row work is two logarithms, one exponential and one
 * log1p.  The gradient is accumulated in the same pass. */


typedef struct {
    dataset *d;
    double m, r, alpha, a, b, log_a, lng_ab_b, psi_ab, psi_b;
} bg_eval;

static void bg_group_sums(void *ctx, size_t begin, size_t end)
{
    const bg_eval *ev = ctx;
    const dataset *d = ev->d;
    const double m = ev->m, r = ev->r, a = ev->a, b = ev->b, alpha = ev->alpha;
    const int table = d->ntimes > 0;
    for (size_t gi = begin; gi < end; gi++) {
        const x_group *grp = &d->groups[gi];
        double *out = &d->group_sums[BG_GROUP_SUMS * gi];
        const double x = grp->x, rx = r + x;
        double dr;
        const double lr = lgamma_ratio(r, x, &dr);
        const double psi_bx = gsl_sf_psi(b + x + m), psi_abx = gsl_sf_psi(a + b + x + m);
        out[BG_D_LL] = grp->w * (lr + ev->lng_ab_b + gsl_sf_lngamma(b + x + m) -
                                 gsl_sf_lngamma(a + b + x + m));
        out[BG_D_R] = grp->w * dr;
        out[BG_D_A] = grp->w * (ev->psi_ab - psi_abx);
        out[BG_D_B] = grp->w * (ev->psi_ab - ev->psi_b + psi_bx - psi_abx);

        const int second_term = x + m > 0;
        const double lc = second_term ? ev->log_a - log(b + x + m - 1) : 0.0;
        double sum_r = 0.0, sum_alpha = 0.0, sum_g = 0.0, sum_ll = 0.0;
        for (size_t i = grp->begin; i < grp->end; i++) {
            const merged_row *row = &d->rows[i];
            const double log_T = table ? d->log_alpha_t[row->iT] : log(alpha + row->T);
            const double inv_T = table ? d->inv_alpha_t[row->iT] : 1.0 / (alpha + row->T);
            double row_ll = -rx * log_T;
            double row_r = -log_T;
            double row_alpha = -rx * inv_T;
            if (second_term) {
                const double log_t = table ? d->log_alpha_t[row->it_x] : log(alpha + row->t_x);
                const double inv_t = table ? d->inv_alpha_t[row->it_x] : 1.0 / (alpha + row->t_x);
                const double dl = log_T - log_t;
                double g;
                row_ll += softplus(lc + rx * dl, &g);
                row_r += g * dl;
                row_alpha += g * rx * (inv_T - inv_t);
                sum_g += row->w * g;
            }
            sum_ll += row->w * row_ll;
            sum_r += row->w * row_r;
            sum_alpha += row->w * row_alpha;
        }
        out[BG_ROWS_LL] = sum_ll;
        out[BG_ROWS_R] = sum_r;
        out[BG_ROWS_ALPHA] = sum_alpha;
        out[BG_ROWS_G] = sum_g;
    }
}

static double bg_family_loglik(const double *th, double *grad, void *ctx)
{
    dataset *d = ctx;
    const double m = d->model == CRM_LTV_MBGNBD ? 1.0 : 0.0;
    const double r = th[0], alpha = th[1], a = th[2], b = th[3];
    bg_eval ev = {d, m, r, alpha, a, b, log(a), gsl_sf_lngamma(a + b) - gsl_sf_lngamma(b),
                  gsl_sf_psi(a + b), gsl_sf_psi(b)};
    for (size_t i = 0; i < d->ntimes; i++) {
        d->log_alpha_t[i] = log(alpha + d->times[i]);
        d->inv_alpha_t[i] = 1.0 / (alpha + d->times[i]);
    }
    run_over_groups(d, BG_ROWS_PER_THREAD, bg_group_sums, &ev);

    /* The groups' terms added in group order, each sum in the same order
     * whichever thread computed the group. */
    double ll = d->total_weight * r * log(alpha);
    double g_r = d->total_weight * log(alpha);
    double g_alpha = d->total_weight * r / alpha;
    double g_a = 0.0, g_b = 0.0;
    for (size_t gi = 0; gi < d->ngroups; gi++) {
        const double *sums = &d->group_sums[BG_GROUP_SUMS * gi];
        const double x = d->groups[gi].x;
        ll += sums[BG_D_LL];
        g_r += sums[BG_D_R];
        g_a += sums[BG_D_A];
        g_b += sums[BG_D_B];
        ll += sums[BG_ROWS_LL];
        g_r += sums[BG_ROWS_R];
        g_alpha += sums[BG_ROWS_ALPHA];
        if (x + m > 0) {
            g_a += sums[BG_ROWS_G] / a;
            g_b -= sums[BG_ROWS_G] / (b + x + m - 1);
        }
    }
    if (grad) {
        grad[0] = g_r;
        grad[1] = g_alpha;
        grad[2] = g_a;
        grad[3] = g_b;
    }
    return ll;
}

/* u of the formula above: P(alive) = 1 / (1 + e^u) for x + m > 0. */
static double bg_family_u(const double *p, double m, double x, double t_x, double T)
{
    const double r = p[0], alpha = p[1], a = p[2], b = p[3];
    return log(a) - log(b + x + m - 1) + (r + x) * (log(alpha + T) - log(alpha + t_x));
}

static double bg_family_p_alive(const double *p, double m, double x, double t_x, double T)
{
    if (x + m == 0)
        return 1.0;
    return 1.0 / (1.0 + exp(bg_family_u(p, m, x, t_x, T)));
}

/* E[Y(t) | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10; with b -> b + m
 * in the posterior for MBG/NBD):
 *   (a+b+x+m-1)/(a-1) [1 - (1-z)^(r+x) 2F1(r+x, b+x+m; a+b+x+m-1; z)] P(alive),
 *   z = t / (alpha+T+t), 1 - z = (alpha+T) / (alpha+T+t).
 * GSL evaluates this 2F1 well until it overflows for large x; then Euler's
 * transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A,C-B;C;z) turns the
 * bracket into 1 - (1-z)^(a-1) 2F1(a+b+m-1-r, a-1; a+b+x+m-1; z), whose
 * series converges fast for large x (GSL itself is unreliable on it, b
 * being a-1 < 0 for a < 1, so hyp2f1 then sums the series). */
static double bg_family_expected_at(const double *p, double m, double t, double x, double t_x,
                                    double T)
{
    const double r = p[0], alpha = p[1], a = p[2], b = p[3];
    const double c = a + b + x + m - 1;
    const double z = t / (alpha + T + t);
    const double log_1mz = log(alpha + T) - log(alpha + T + t);
    double f, bracket;
    if (hyp2f1_gsl(r + x, b + x + m, c, z, &f) && f > 0) {
        bracket = -expm1((r + x) * log_1mz + log(f));
    } else {
        f = hyp2f1(a + b + m - 1 - r, a - 1, c, z);
        bracket = -expm1((a - 1) * log_1mz) - exp((a - 1) * log_1mz) * (f - 1.0);
    }
    return c / (a - 1) * bracket * bg_family_p_alive(p, m, x, t_x, T);
}

/* The formula divides by a - 1; at a = 1 its limit is the mean of the
 * values just either side. */
static double bg_family_expected(const double *p, double m, double t, double x, double t_x,
                                 double T)
{
    if (fabs(p[2] - 1.0) > 1e-7)
        return bg_family_expected_at(p, m, t, x, t_x, T);
    double q[4] = {p[0], p[1], 1.0 - 1e-5, p[3]};
    double below = bg_family_expected_at(q, m, t, x, t_x, T);
    q[2] = 1.0 + 1e-5;
    return 0.5 * (below + bg_family_expected_at(q, m, t, x, t_x, T));
}

/* ---- Pareto/NBD ----
 *
 * Fader & Hardie (2005, note 009, eq. 22):
 *   L = Gamma(r+x) alpha^r beta^s / Gamma(r)
 *       * [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) A0 ],
 *   A0 = F(t_x) - F(T), where with A = r+s+x
 *   alpha >= beta: F(t) = 2F1(A, s+1; A+1; (alpha-beta)/(alpha+t)) / (alpha+t)^A
 *   alpha <  beta: F(t) = 2F1(A, r+x; A+1; (beta-alpha)/(beta+t)) / (beta+t)^A.
 * Euler's transformation (c - a = 1) gives the same F with a series of
 * positive, decreasing terms:
 *   alpha >= beta: log F(t) = -s log(beta+t) - (r+x) log(alpha+t)
 *                             + log 2F1(1, r+x; A+1; z)
 *   alpha <  beta: log F(t) = (1-r-x) log(alpha+t) - (s+1) log(beta+t)
 *                             + log 2F1(1, s+1; A+1; z)
 * Everything is kept in logarithms and added with log-sum-exp. */

/* log F(t) = the explicit part + log H, H the 2F1 of the branch chosen by
 * alpha >= beta; ge selects the branch, so that the derivatives of the
 * pair table (pnbd_fill_pairs) differentiate one smooth formula. */
static double pnbd_log_H(const double *p, double x, double t, int ge)
{
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    const double A = r + s + x;
    if (ge)
        return log(hyp2f1(1.0, r + x, A + 1, (alpha - beta) / (alpha + t)));
    return log(hyp2f1(1.0, s + 1, A + 1, (beta - alpha) / (beta + t)));
}

static double pnbd_log_F_explicit(const double *p, double x, double log_alpha_t,
                                  double log_beta_t, int ge)
{
    const double r = p[0], s = p[2];
    if (ge)
        return -s * log_beta_t - (r + x) * log_alpha_t;
    return (1 - r - x) * log_alpha_t - (s + 1) * log_beta_t;
}

/* log F(t), given log(alpha+t) and log(beta+t). */
static double pnbd_log_F(const double *p, double x, double t, double log_alpha_t,
                         double log_beta_t)
{
    const int ge = p[1] >= p[3];
    return pnbd_log_F_explicit(p, x, log_alpha_t, log_beta_t, ge) + pnbd_log_H(p, x, t, ge);
}

/* log A0 from l1 = log F(t_x) and l2 = log F(T); -inf when t_x = T (then
 * A0 = 0).  *ratio receives F(T) / F(t_x) when A0 > 0. */
static double pnbd_log_A0(double l1, double l2, double *ratio)
{
    double diff = l2 - l1;
    if (!isfinite(l1) || !isfinite(l2))
        return NAN;
    if (diff >= 0)
        return -INFINITY;
    *ratio = exp(diff);
    return l1 + log1p(-*ratio);
}

/* log of the first bracket term, and log of s/(r+s+x) A0. */
static void pnbd_log_terms(const double *p, double x, double t_x, double T, double *alive,
                           double *dead)
{
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    const double log_alpha_T = log(alpha + T), log_beta_T = log(beta + T);
    double l1 = pnbd_log_F(p, x, t_x, log(alpha + t_x), log(beta + t_x));
    double l2 = pnbd_log_F(p, x, T, log_alpha_T, log_beta_T);
    *alive = -(r + x) * log_alpha_T - s * log_beta_T;
    double ratio;
    *dead = log(s / (r + s + x)) + pnbd_log_A0(l1, l2, &ratio);
}

/* ---- Pareto/NBD likelihood over the dataset, with its gradient ----
 *
 * Per row, ll = log(e^alive + e^dead) (pnbd_log_terms), whose derivative is
 * (1-q) d alive + q d dead with q = e^dead / (e^alive + e^dead).  alive and
 * log(s/(r+s+x)) are differentiated by hand; log A0 = log(F1 - F2) gives
 * d log A0 = (d log F1 - e d log F2) / (1 - e), e = F2 / F1.  d log F comes
 * with the pair table: its explicit part by hand, log 2F1 by central
 * differences in each parameter (GSL has no derivatives of 2F1 in its
 * parameters), at 8 extra 2F1 per pair instead of 8 extra likelihoods.
 *
 * Work is split on threads in fixed slices: the pairs, each computed on its
 * own; then the rows in fixed chunks of PNBD_ROWS_PER_CHUNK, each summed in
 * row order into its own slot; the chunk sums are added in chunk order.  The
 * result is therefore the same for any number of threads. */

/* Relative step in a parameter for d log 2F1 / d parameter: balances the
 * truncation error (h^2) against rounding (eps / h). */
#define PNBD_PAIR_STEP 1e-5

typedef struct {
    const dataset *d;
    const double *th;
    int gradient;
} pnbd_eval;

/* Pairs [begin, end): log(alpha+t), log(beta+t), log F and, with the
 * gradient, d log F / d theta_i. */
static void pnbd_fill_pairs(void *ctx, size_t begin, size_t end)
{
    const pnbd_eval *ev = ctx;
    const dataset *d = ev->d;
    const double *th = ev->th;
    const double r = th[0], alpha = th[1], s = th[2], beta = th[3];
    const int ge = alpha >= beta;
    for (size_t k = begin; k < end; k++) {
        const double t = d->pair_t[k], x = d->pair_x[k];
        const double la = log(alpha + t), lb = log(beta + t);
        d->pair_log_alpha[k] = la;
        d->pair_log_beta[k] = lb;
        d->pair_log_F[k] = pnbd_log_F_explicit(th, x, la, lb, ge) + pnbd_log_H(th, x, t, ge);
        if (!ev->gradient)
            continue;
        double *g = &d->pair_dlog_F[4 * k];
        const double ia = 1.0 / (alpha + t), ib = 1.0 / (beta + t);
        g[0] = -la;
        g[1] = (ge ? -(r + x) : 1 - r - x) * ia;
        g[2] = -lb;
        g[3] = (ge ? -s : -(s + 1)) * ib;
        for (size_t i = 0; i < 4; i++) {
            double q[4] = {th[0], th[1], th[2], th[3]};
            const double h = PNBD_PAIR_STEP * th[i];
            q[i] = th[i] + h;
            const double up = pnbd_log_H(q, x, t, ge);
            q[i] = th[i] - h;
            const double down = pnbd_log_H(q, x, t, ge);
            g[i] += (up - down) / (2.0 * h);
        }
    }
}

/* log(e^a + e^b) (as log_add_exp) and the share of e^b in the sum. */
static double log_add_exp_share(double a, double b, double *share_b)
{
    if (b == -INFINITY) {
        *share_b = 0.0;
        return a;
    }
    if (a == -INFINITY) {
        *share_b = 1.0;
        return b;
    }
    const double e = exp(-fabs(a - b));
    *share_b = b > a ? 1.0 / (1.0 + e) : e / (1.0 + e);
    return (a > b ? a : b) + log1p(e);
}

/* Row chunks [begin, end): their sums of the row terms (and gradients)
 * into d->pnbd_chunk_sums, 5 per chunk. */
static void pnbd_sum_chunks(void *ctx, size_t begin, size_t end)
{
    const pnbd_eval *ev = ctx;
    const dataset *d = ev->d;
    const double r = ev->th[0], alpha = ev->th[1], s = ev->th[2], beta = ev->th[3];
    for (size_t c = begin; c < end; c++) {
        const size_t first = c * PNBD_ROWS_PER_CHUNK;
        const size_t last = first + PNBD_ROWS_PER_CHUNK < d->nrows ? first + PNBD_ROWS_PER_CHUNK
                                                                     : d->nrows;
        double sum[5] = {0};
        double x = -1.0, log_share = 0.0, dshare_r = 0.0, dshare_s = 0.0;
        for (size_t i = first; i < last; i++) {
            const merged_row *row = &d->rows[i];
            if (row->x != x) {   /* rows come grouped by x */
                x = row->x;
                log_share = log(s / (r + s + x));
                dshare_r = -1.0 / (r + s + x);
                dshare_s = 1.0 / s - 1.0 / (r + s + x);
            }
            const double la = d->pair_log_alpha[row->iT], lb = d->pair_log_beta[row->iT];
            const double l1 = d->pair_log_F[row->it_x], l2 = d->pair_log_F[row->iT];
            const double alive = -(r + x) * la - s * lb;
            double e = 0.0;
            const double dead = log_share + pnbd_log_A0(l1, l2, &e);
            double q;
            sum[0] += row->w * log_add_exp_share(alive, dead, &q);
            if (!ev->gradient)
                continue;
            double g[4] = {-la, -(r + x) / (alpha + row->T), -lb, -s / (beta + row->T)};
            for (size_t j = 0; j < 4; j++)
                g[j] *= 1.0 - q;
            if (q > 0) {
                const double inv = 1.0 / (1.0 - e);
                const double *g1 = &d->pair_dlog_F[4 * row->it_x];
                const double *g2 = &d->pair_dlog_F[4 * row->iT];
                g[0] += q * (dshare_r + (g1[0] - e * g2[0]) * inv);
                g[1] += q * (g1[1] - e * g2[1]) * inv;
                g[2] += q * (dshare_s + (g1[2] - e * g2[2]) * inv);
                g[3] += q * (g1[3] - e * g2[3]) * inv;
            }
            for (size_t j = 0; j < 4; j++)
                sum[j + 1] += row->w * g[j];
        }
        memcpy(&d->pnbd_chunk_sums[5 * c], sum, sizeof sum);
    }
}

static double pnbd_loglik(const double *th, double *grad, void *ctx)
{
    const dataset *d = ctx;
    const double r = th[0], alpha = th[1], s = th[2], beta = th[3];
    pnbd_eval ev = {d, th, grad != NULL};
    run_in_slices(d->threads, d->npairs, PNBD_PAIRS_PER_THREAD, pnbd_fill_pairs, &ev);
    const size_t nchunks = (d->nrows + PNBD_ROWS_PER_CHUNK - 1) / PNBD_ROWS_PER_CHUNK;
    run_in_slices(d->threads, nchunks, 1, pnbd_sum_chunks, &ev);

    double ll = d->total_weight * (r * log(alpha) + s * log(beta));
    double g[4] = {d->total_weight * log(alpha), d->total_weight * r / alpha,
                   d->total_weight * log(beta), d->total_weight * s / beta};
    for (size_t gi = 0; gi < d->ngroups; gi++) {
        double dr;
        ll += d->groups[gi].w * lgamma_ratio(r, d->groups[gi].x, &dr);
        g[0] += d->groups[gi].w * dr;
    }
    for (size_t c = 0; c < nchunks; c++) {
        ll += d->pnbd_chunk_sums[5 * c];
        for (size_t j = 0; j < 4; j++)
            g[j] += d->pnbd_chunk_sums[5 * c + j + 1];
    }
    if (!isfinite(ll))
        return NAN;
    if (grad)
        memcpy(grad, g, sizeof g);
    return ll;
}

static double pnbd_p_alive(const double *p, double x, double t_x, double T)
{
    double alive, dead;
    pnbd_log_terms(p, x, t_x, T, &alive, &dead);
    if (isnan(dead))
        return NAN;
    return 1.0 / (1.0 + exp(dead - alive));
}

/* [1 - q^(s-1)] / (s-1) for q = (beta+T)/(beta+T+t), written with expm1 so
 * that it tends smoothly to -log q as s -> 1. */
static double pnbd_survival_integral(double s, double log_q)
{
    if (fabs(s - 1.0) < 1e-12)
        return -log_q;
    return -expm1((s - 1.0) * log_q) / (s - 1.0);
}

/* E[Y(t) | x, t_x, T] = (r+x)(beta+T) / (alpha+T)
 *                       * [1 - ((beta+T)/(beta+T+t))^(s-1)] / (s-1) * P(alive)
 * (Fader & Hardie 2005, note 009, eq. 41). */
static double pnbd_expected_given_alive(const double *p, double t, double x, double T,
                                        double alive)
{
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    double log_q = log(beta + T) - log(beta + T + t);
    return (r + x) * (beta + T) / (alpha + T) * pnbd_survival_integral(s, log_q) * alive;
}

static double pnbd_expected(const double *p, double t, double x, double t_x, double T)
{
    return pnbd_expected_given_alive(p, t, x, T, pnbd_p_alive(p, x, t_x, T));
}

/* ---- BG/BB ----
 *
 * Fader, Hardie & Shang (2010, eq. 5), with B the beta function:
 *   L = B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
 *     + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha,beta)
 *                           B(gamma+1, delta+t_x+i)/B(gamma,delta). */

static double bgbb_row_loglik(const double *p, double x, double t_x, double n)
{
    const double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
    const double lb_ab = gsl_sf_lnbeta(alpha, beta), lb_gd = gsl_sf_lnbeta(gamma, delta);
    double ll = gsl_sf_lnbeta(alpha + x, beta + n - x) - lb_ab + gsl_sf_lnbeta(gamma, delta + n) -
                lb_gd;
    for (double i = 0; i < n - t_x; i++) {
        double term = gsl_sf_lnbeta(alpha + x, beta + t_x - x + i) - lb_ab +
                      gsl_sf_lnbeta(gamma + 1, delta + t_x + i) - lb_gd;
        ll = log_add_exp(ll, term);
    }
    return ll;
}

static double bgbb_loglik(const double *th, double *grad, void *ctx)
{
    const dataset *d = ctx;
    (void)grad;
    double ll = 0.0;
    for (size_t i = 0; i < d->nrows; i++) {
        const merged_row *row = &d->rows[i];
        ll += row->w * bgbb_row_loglik(th, row->x, row->t_x, row->T);
    }
    return ll;
}

/* P(alive in period n+1) = B(alpha+x, beta+n-x)/B(alpha,beta)
 *                          B(gamma, delta+n+1)/B(gamma,delta) / L  (eq. 11). */
static double bgbb_p_alive(const double *p, double x, double t_x, double n)
{
    const double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
    double l = gsl_sf_lnbeta(alpha + x, beta + n - x) - gsl_sf_lnbeta(alpha, beta) +
               gsl_sf_lnbeta(gamma, delta + n + 1) - gsl_sf_lnbeta(gamma, delta);
    return exp(l - bgbb_row_loglik(p, x, t_x, n));
}

/* E[X(n, n+n*) | x, t_x, n] (eq. 13):
 *   1/L B(alpha+x+1, beta+n-x)/B(alpha,beta) delta/(gamma-1)
 *   Gamma(gamma+delta)/Gamma(1+delta)
 *   [Gamma(1+delta+n)/Gamma(gamma+delta+n)
 *    - Gamma(1+delta+n+n*)/Gamma(gamma+delta+n+n*)].
 * The bracket is written as e^g0 (1 - e^(g1-g0)) with expm1. */
static double bgbb_expected_at(const double *p, double t, double x, double t_x, double n)
{
    const double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
    double g0 = gsl_sf_lngamma(1 + delta + n) - gsl_sf_lngamma(gamma + delta + n);
    double g1 = gsl_sf_lngamma(1 + delta + n + t) - gsl_sf_lngamma(gamma + delta + n + t);
    double lpre = gsl_sf_lnbeta(alpha + x + 1, beta + n - x) - gsl_sf_lnbeta(alpha, beta) +
                  gsl_sf_lngamma(gamma + delta) - gsl_sf_lngamma(1 + delta) + g0 -
                  bgbb_row_loglik(p, x, t_x, n);
    return exp(lpre) * delta / (gamma - 1) * -expm1(g1 - g0);
}

static double bgbb_expected(const double *p, double t, double x, double t_x, double n)
{
    if (fabs(p[2] - 1.0) > 1e-7)
        return bgbb_expected_at(p, t, x, t_x, n);
    /* gamma = 1: the limit, as the mean either side. */
    double q[4] = {p[0], p[1], 1.0 - 1e-5, p[3]};
    double below = bgbb_expected_at(q, t, x, t_x, n);
    q[2] = 1.0 + 1e-5;
    return 0.5 * (below + bgbb_expected_at(q, t, x, t_x, n));
}

/* ---- the no-dropout limit (crm/ltv_models.h) ----
 *
 * NBD, per row: lnG(r+x) - lnG(r) + r log(alpha) - (r+x) log(alpha+T);
 *   d/dr = psi(r+x) - psi(r) + log(alpha) - log(alpha+T),
 *   d/dalpha = r/alpha - (r+x)/(alpha+T).
 * Beta-binomial, per row: lnB(alpha+x, beta+n-x) - lnB(alpha, beta);
 *   d/dalpha = psi(alpha+x) - psi(alpha+beta+n) - psi(alpha) + psi(alpha+beta),
 *   d/dbeta = psi(beta+n-x) - psi(alpha+beta+n) - psi(beta) + psi(alpha+beta). */

static double nbd_loglik(const double *th, double *grad, void *ctx)
{
    dataset *d = ctx;
    const double r = th[0], alpha = th[1];
    double ll = d->total_weight * r * log(alpha);
    double g_r = d->total_weight * log(alpha), g_alpha = d->total_weight * r / alpha;
    /* With the table of times (BG/NBD, MBG/NBD data), log(alpha + T) once
     * per distinct T. */
    const int table = d->ntimes > 0;
    for (size_t i = 0; i < d->ntimes; i++)
        d->log_alpha_t[i] = log(alpha + d->times[i]);
    for (size_t gi = 0; gi < d->ngroups; gi++) {
        const x_group *grp = &d->groups[gi];
        const double rx = r + grp->x;
        double dr;
        ll += grp->w * lgamma_ratio(r, grp->x, &dr);
        g_r += grp->w * dr;
        for (size_t i = grp->begin; i < grp->end; i++) {
            const merged_row *row = &d->rows[i];
            const double log_T = table ? d->log_alpha_t[row->iT] : log(alpha + row->T);
            ll -= row->w * rx * log_T;
            g_r -= row->w * log_T;
            g_alpha -= row->w * rx / (alpha + row->T);
        }
    }
    if (grad) {
        grad[0] = g_r;
        grad[1] = g_alpha;
    }
    return ll;
}

static double beta_binomial_loglik(const double *th, double *grad, void *ctx)
{
    const dataset *d = ctx;
    const double alpha = th[0], beta = th[1];
    const double lb = gsl_sf_lnbeta(alpha, beta);
    const double psi_ab = gsl_sf_psi(alpha + beta), psi_a = gsl_sf_psi(alpha), psi_b = gsl_sf_psi(beta);
    double ll = 0.0, g_alpha = 0.0, g_beta = 0.0;
    for (size_t i = 0; i < d->nrows; i++) {
        const merged_row *row = &d->rows[i];
        const double x = row->x, n = row->T;
        ll += row->w * (gsl_sf_lnbeta(alpha + x, beta + n - x) - lb);
        const double psi_abn = gsl_sf_psi(alpha + beta + n);
        g_alpha += row->w * (gsl_sf_psi(alpha + x) - psi_abn - psi_a + psi_ab);
        g_beta += row->w * (gsl_sf_psi(beta + n - x) - psi_abn - psi_b + psi_ab);
    }
    if (grad) {
        grad[0] = g_alpha;
        grad[1] = g_beta;
    }
    return ll;
}

static crm_ltv_loglik_fn limit_loglik(crm_ltv_model model)
{
    return model == CRM_LTV_BGBB ? beta_binomial_loglik : nbd_loglik;
}

/* E in (T, T + t] without dropout. */
static double limit_expected(crm_ltv_model model, const double *p, double t, double x, double T)
{
    if (model == CRM_LTV_BGBB)
        return t * (p[0] + x) / (p[0] + p[1] + T);
    return t * (p[0] + x) / (p[1] + T);
}

/* ---- public: likelihood and fit ---- */

/* Threads for a likelihood: requested (0: one per online core), at most
 * MAX_FIT_THREADS. */
static int fit_threads(int requested)
{
    long n = requested > 0 ? requested : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MAX_FIT_THREADS ? MAX_FIT_THREADS : (int)n;
}

static crm_ltv_loglik_fn model_loglik(crm_ltv_model model)
{
    switch (model) {
    case CRM_LTV_BGNBD:
    case CRM_LTV_MBGNBD:
        return bg_family_loglik;
    case CRM_LTV_PARETO_NBD:
        return pnbd_loglik;
    default:
        return bgbb_loglik;
    }
}

crm_status crm_ltv_loglik(crm_ltv_model model, const double *params, const crm_ltv_customer *c,
                          size_t n, double *loglik, crm_error *err)
{
    if (!params_valid(params))
        return crm_error_set(err, CRM_EDATA, "the %s parameters must be positive numbers",
                             crm_ltv_model_name(model));
    dataset d;
    crm_status st = dataset_build(&d, model, c, n, err);
    if (st != CRM_OK)
        return st;
    d.threads = fit_threads(0);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (crm_ltv_params_no_purchases(params))
        *loglik = d.ngroups == 1 && d.groups[0].x == 0 ? 0.0 : NAN;
    else if (crm_ltv_params_no_dropout(params))
        *loglik = limit_loglik(model)(params, NULL, &d);
    else
        *loglik = model_loglik(model)(params, NULL, &d);
    gsl_set_error_handler(old);
    dataset_free(&d);
    if (!isfinite(*loglik))
        return crm_error_set(err, CRM_EDATA, "the %s likelihood cannot be evaluated at these "
                             "parameters", crm_ltv_model_name(model));
    return CRM_OK;
}

enum { NSTARTS = 5 };

/* Starting points, and the scale of each parameter for the edge test of
 * crm/ltv_fit.h.  alpha (and beta) carry the data's time unit: they are
 * scaled by the observed purchase rate and the mean length of observation;
 * the others are pure numbers. */
static void starting_points(const dataset *d, double starts[NSTARTS][4], double scales[4])
{
    double sum_x = 0.0, sum_T = 0.0;
    for (size_t i = 0; i < d->nrows; i++) {
        sum_x += d->rows[i].w * d->rows[i].x;
        sum_T += d->rows[i].w * d->rows[i].T;
    }
    double mean_T = sum_T / d->total_weight;
    if (!(mean_T > 0))
        mean_T = 1.0;
    double rate = sum_x > 0 ? sum_x / sum_T : 1.0 / mean_T;
    static const double shape[NSTARTS][4] = {
        {0.5, 0.5, 1.0, 2.0},
        {1.0, 1.0, 1.0, 1.0},
        {0.25, 0.25, 0.5, 3.0},
        {2.0, 2.0, 2.0, 5.0},
        {0.1, 0.1, 0.3, 0.3},
    };
    for (size_t i = 0; i < 4; i++)
        scales[i] = 1.0;
    if (d->model != CRM_LTV_BGBB)
        scales[1] = 1.0 / rate;                 /* alpha = r / purchase rate */
    if (d->model == CRM_LTV_PARETO_NBD)
        scales[3] = mean_T;                     /* beta = s * a lifetime */
    for (size_t k = 0; k < NSTARTS; k++)
        for (size_t i = 0; i < 4; i++)
            starts[k][i] = shape[k][i] * scales[i];
    if (d->model == CRM_LTV_PARETO_NBD)
        for (size_t k = 0; k < NSTARTS; k++)
            starts[k][3] = shape[k][2] * mean_T;
}

/* Largest expected share of its customers' dropping out, mean dropout
 * rate times the longest observation, at which a Pareto/NBD point counts as
 * next to the no-dropout edge.  There the likelihood differs from the
 * limit's by about that share, and the 2F1 of the likelihood, at z = 1 -
 * (alpha + t) / beta, needs ever more terms as beta grows: the optimiser
 * would crawl for minutes towards a point no better than the limit. */
#define PNBD_EDGE_DROPOUT_SHARE 1e-2

/* crm_ltv_fit_problem.running_to_edge for Pareto/NBD: mu = s / beta is next
 * to 0 and the gradient of F in (log s, log beta) pushes it further down. */
static int pnbd_running_to_edge(const double *theta, const double *grad_u, void *ctx)
{
    const dataset *d = ctx;
    const double s = theta[2], beta = theta[3];
    if (!(s / beta * d->max_T <= PNBD_EDGE_DROPOUT_SHARE))
        return 0;
    return grad_u[2] > 0 || grad_u[3] < 0;
}

/* Fits the full model on a built dataset from its default starting points
 * (but the first skip) and the nextra rows of extra (natural scale) after
 * them; opts->starts counts the points tried (0: the default 3).
 * edge_loglik is the no-dropout limit's maximum, for runs heading to that
 * edge to stop early (crm_ltv_fit_problem); NaN when unknown. */
static crm_status fit_full(crm_ltv_model model, dataset *d, const crm_ltv_fit_options *opts,
                           size_t skip, const double (*extra)[4], size_t nextra,
                           double edge_loglik, crm_ltv_fit_result *res, crm_error *err)
{
    double starts[NSTARTS + 4][4], scales[4];
    starting_points(d, starts, scales);
    if (nextra > 4)
        nextra = 4;
    for (size_t k = 0; k < nextra; k++)
        memcpy(starts[NSTARTS + k], extra[k], sizeof starts[0]);
    crm_ltv_fit_problem prob = {
        .name = crm_ltv_model_name(model),
        .nparams = 4,
        .loglik = model_loglik(model),
        .has_gradient = model != CRM_LTV_BGBB,
        .ctx = d,
        .total_weight = d->total_weight,
        .starts = &starts[skip][0],
        .nstarts = NSTARTS + nextra - skip,
        .param_names = param_names[model],
        .scales = scales,
        .running_to_edge = model == CRM_LTV_PARETO_NBD ? pnbd_running_to_edge : NULL,
        .edge_loglik = edge_loglik,
    };
    crm_status st = crm_ltv_fit_maximize(&prob, opts, res, err);
    res->rows = d->nrows;
    return st;
}

crm_status crm_ltv_fit(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                       const crm_ltv_fit_options *opts, crm_ltv_fit_result *res, crm_error *err)
{
    memset(res, 0, sizeof *res);
    dataset d;
    crm_status st = dataset_build(&d, model, c, n, err);
    if (st != CRM_OK)
        return st;
    d.threads = fit_threads(opts ? opts->threads : 0);
    st = fit_full(model, &d, opts, 0, NULL, 0, NAN, res, err);
    dataset_free(&d);
    return st;
}

enum { RETRY_MAX_ITER = 200 };

static const char *const limit_param_names[][2] = {{"r", "alpha"}, {"alpha", "beta"}};

/* The no-dropout limit's fit: r, alpha (BG/BB alpha, beta). */
static crm_status fit_limit(crm_ltv_model model, dataset *d, const crm_ltv_fit_options *opts,
                            crm_ltv_fit_result *res, crm_error *err)
{
    double full_starts[NSTARTS][4], scales[4], starts[NSTARTS][2];
    starting_points(d, full_starts, scales);
    for (size_t k = 0; k < NSTARTS; k++) {
        starts[k][0] = full_starts[k][0];
        starts[k][1] = full_starts[k][1];
    }
    crm_ltv_fit_problem prob = {
        .name = model == CRM_LTV_BGBB ? "beta-binomial" : "NBD",
        .nparams = 2,
        .loglik = limit_loglik(model),
        .has_gradient = 1,
        .ctx = d,
        .total_weight = d->total_weight,
        .starts = &starts[0][0],
        .nstarts = NSTARTS,
        .param_names = limit_param_names[model == CRM_LTV_BGBB],
        .scales = scales,
    };
    crm_ltv_fit_options lo = opts ? *opts : (crm_ltv_fit_options){0};
    lo.starts = NSTARTS;
    crm_status st = crm_ltv_fit_maximize(&prob, &lo, res, err);
    res->rows = d->nrows;
    return st;
}

/* The limit as a fit of the model: {p0, p1, 0, NaN}, the edge's parameter
 * without a standard error. */
static void limit_as_model_fit(const crm_ltv_fit_result *limit, crm_ltv_fit_result *out)
{
    *out = *limit;
    out->nparams = 4;
    out->params[2] = 0.0;
    out->params[3] = NAN;
    out->se[2] = out->se[3] = NAN;
}

crm_status crm_ltv_fit_diagnosed(crm_ltv_model model, const crm_ltv_customer *c, size_t n,
                                 const crm_ltv_fit_options *opts, crm_ltv_fit_diagnosis *diag,
                                 crm_error *err)
{
    memset(diag, 0, sizeof *diag);
    diag->lr_statistic = NAN;
    crm_error_clear(&diag->full_error);
    dataset d;
    crm_status st = dataset_build(&d, model, c, n, err);
    if (st != CRM_OK)
        return st;
    d.threads = fit_threads(opts ? opts->threads : 0);
    double repeats = 0.0;
    for (size_t i = 0; i < d.nrows; i++)
        repeats += d.rows[i].w * d.rows[i].x;
    if (repeats == 0) {
        /* The likelihood rises towards a purchase rate of 0 (or is flat,
         * when every T is 0): its maximum is that edge, {0, NaN, 0, NaN}. */
        diag->verdict = CRM_LTV_NO_REPEATS;
        diag->fit.nparams = 4;
        for (size_t i = 0; i < 4; i++)
            diag->fit.se[i] = NAN;
        diag->fit.params[0] = diag->fit.params[2] = 0.0;
        diag->fit.params[1] = diag->fit.params[3] = NAN;
        diag->fit.loglik = 0.0;
        diag->fit.total_weight = d.total_weight;
        diag->fit.rows = d.nrows;
        diag->fit.converged = 1;
        diag->full = diag->limit = diag->fit;
        dataset_free(&d);
        return CRM_OK;
    }
    crm_ltv_fit_options fo;
    if (opts)
        fo = *opts;
    else
        crm_ltv_fit_options_init(&fo);

    crm_error limit_error;
    diag->limit_ok = fit_limit(model, &d, &fo, &diag->limit, &limit_error) == CRM_OK;
    const double edge_loglik = diag->limit_ok ? diag->limit.loglik : NAN;
    st = fit_full(model, &d, &fo, 0, NULL, 0, edge_loglik, &diag->full, &diag->full_error);
    if (st == CRM_EDATA) {
        /* A bad start is not an answer: every default start, and starts
         * next to the limit's optimum, where a small dropout rate is the
         * natural first guess on data with little of it. */
        double extra[4][4];
        size_t nextra = 0;
        if (diag->limit_ok) {
            double defaults[NSTARTS][4], scales[4];
            starting_points(&d, defaults, scales);
            static const double near[4][2] = {{0.01, 1.0}, {0.1, 3.0}, {0.5, 0.5}, {1.0, 2.0}};
            for (size_t k = 0; k < 4; k++) {
                extra[k][0] = diag->limit.params[0];
                extra[k][1] = diag->limit.params[1];
                extra[k][2] = near[k][0];
                /* Pareto/NBD's beta is a time, on the scale of the
                 * observation (far beyond it the 2F1 of the likelihood
                 * converges slowly and the fit crawls). */
                extra[k][3] = near[k][1] * scales[3];
            }
            nextra = 4;
        }
        /* The default starts the first fit used are not tried again. */
        size_t tried = fo.starts > 0 && fo.starts < NSTARTS ? (size_t)fo.starts : 3;
        crm_ltv_fit_options retry = fo;
        retry.starts = (int)(NSTARTS + nextra - tried);
        /* Runs that head for the edge are cut short: the edge is judged
         * by the limit's fit, not by how far a run gets towards it. */
        if (retry.max_iter == 0 || retry.max_iter > RETRY_MAX_ITER)
            retry.max_iter = RETRY_MAX_ITER;
        crm_ltv_fit_result again;
        crm_error again_error;
        crm_status st2 = fit_full(model, &d, &retry, tried, (const double (*)[4])extra, nextra,
                                  edge_loglik, &again, &again_error);
        if (st2 == CRM_OK || (st2 == CRM_EDATA && again.loglik > diag->full.loglik)) {
            diag->full = again;
            diag->full_error = again_error;
            st = st2;
        }
    }
    if (st == CRM_OK)
        crm_error_clear(&diag->full_error);
    dataset_free(&d);
    if (st != CRM_OK && st != CRM_EDATA) {
        *err = diag->full_error;
        return st;
    }
    int full_ok = st == CRM_OK;
    if (diag->limit_ok && isfinite(diag->full.loglik))
        diag->lr_statistic = fmax(0.0, 2.0 * (diag->full.loglik - diag->limit.loglik));
    else if (diag->limit_ok)
        diag->lr_statistic = 0.0;
    int dropout_shown = !(diag->lr_statistic < CRM_LTV_DROPOUT_LR_CRITICAL);
    if (full_ok && (dropout_shown || !diag->limit_ok)) {
        diag->verdict = CRM_LTV_DROPOUT_EVIDENT;
        diag->fit = diag->full;
    } else if (diag->limit_ok && !dropout_shown) {
        diag->verdict = full_ok ? CRM_LTV_DROPOUT_NOT_SIGNIFICANT : CRM_LTV_DROPOUT_AT_EDGE;
        limit_as_model_fit(&diag->limit, &diag->fit);
    } else {
        if (full_ok || diag->full_error.status == CRM_OK)
            *err = limit_error;
        else
            *err = diag->full_error;
        return err->status != CRM_OK ? err->status : CRM_EDATA;
    }
    for (size_t i = 0; i < 4; i++)
        if (isfinite(diag->fit.se[i]) && diag->fit.se[i] > diag->fit.params[i])
            diag->weak |= 1u << i;
    return CRM_OK;
}

/* ---- public: predictions ---- */

static int history_valid(crm_ltv_model model, double x, double t_x, double T)
{
    crm_ltv_customer c = {x, t_x, T, 0.0, 1.0};
    return model_known(model) && crm_ltv_check_customer(model, &c, NULL) == CRM_OK;
}

/* P(alive) and E, without touching GSL's error handler (the caller turns
 * it off: the handler is one global, not to be set from several threads). */
static double p_alive_core(crm_ltv_model model, const double *params, double x, double t_x,
                           double T)
{
    if (!params_valid(params) || !history_valid(model, x, t_x, T))
        return NAN;
    if (crm_ltv_params_no_dropout(params) || crm_ltv_params_no_purchases(params))
        return 1.0;
    switch (model) {
    case CRM_LTV_BGNBD:
        return bg_family_p_alive(params, 0.0, x, t_x, T);
    case CRM_LTV_MBGNBD:
        return bg_family_p_alive(params, 1.0, x, t_x, T);
    case CRM_LTV_PARETO_NBD:
        return pnbd_p_alive(params, x, t_x, T);
    default:
        return bgbb_p_alive(params, x, t_x, T);
    }
}

/* alive: P(alive) of the history when already known (Pareto/NBD's E is its
 * multiple, and P(alive) costs two 2F1), else NaN. */
static double expected_core(crm_ltv_model model, const double *params, double t, double x,
                            double t_x, double T, double alive)
{
    if (!params_valid(params) || !history_valid(model, x, t_x, T) || !(t >= 0) || !isfinite(t))
        return NAN;
    if (model == CRM_LTV_BGBB && !is_whole(t))
        return NAN;
    if (t == 0)
        return 0.0;
    if (crm_ltv_params_no_dropout(params))
        return limit_expected(model, params, t, x, T);
    if (crm_ltv_params_no_purchases(params))
        return x == 0 ? 0.0 : NAN;
    switch (model) {
    case CRM_LTV_BGNBD:
        return bg_family_expected(params, 0.0, t, x, t_x, T);
    case CRM_LTV_MBGNBD:
        return bg_family_expected(params, 1.0, t, x, t_x, T);
    case CRM_LTV_PARETO_NBD:
        return isnan(alive) ? pnbd_expected(params, t, x, t_x, T)
                            : pnbd_expected_given_alive(params, t, x, T, alive);
    default:
        return bgbb_expected(params, t, x, t_x, T);
    }
}

double crm_ltv_p_alive(crm_ltv_model model, const double *params, double x, double t_x, double T)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double p = p_alive_core(model, params, x, t_x, T);
    gsl_set_error_handler(old);
    return p;
}

double crm_ltv_expected_purchases(crm_ltv_model model, const double *params, double t, double x,
                                  double t_x, double T)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double e = expected_core(model, params, t, x, t_x, T, NAN);
    gsl_set_error_handler(old);
    return e;
}

typedef struct {
    crm_ltv_model model;
    const double *params;
    const double *horizons;
    size_t nhorizons;
    const crm_ltv_customer *histories;
    double *p_alive, *expected;
} histories_job;

static void predict_history_slice(void *ctx, size_t begin, size_t end)
{
    const histories_job *job = ctx;
    for (size_t i = begin; i < end; i++) {
        const crm_ltv_customer *h = &job->histories[i];
        const double alive = p_alive_core(job->model, job->params, h->x, h->t_x, h->T);
        job->p_alive[i] = alive;
        for (size_t j = 0; j < job->nhorizons; j++)
            job->expected[i * job->nhorizons + j] =
                expected_core(job->model, job->params, job->horizons[j], h->x, h->t_x, h->T,
                              isfinite(alive) ? alive : NAN);
    }
}

void crm_ltv_predict_histories(crm_ltv_model model, const double *params, const double *horizons,
                               size_t nhorizons, const crm_ltv_customer *histories, size_t n,
                               int threads, double *p_alive, double *expected)
{
    histories_job job = {model, params, horizons, nhorizons, histories, p_alive, expected};
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    run_in_slices(fit_threads(threads), n, HISTORIES_PER_THREAD, predict_history_slice, &job);
    gsl_set_error_handler(old);
}

/* A customer who has just made the first purchase has the history x = 0,
 * t_x = 0, T = 0, and the conditional formulas reduce to the unconditional
 * ones: BG/NBD (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r,b;a+b-1;t/(alpha+t))]
 * (FHL 2005 eq. 9); Pareto/NBD r beta/(alpha (s-1)) [1 - (beta/(beta+t))^(s-1)];
 * BG/BB alpha/(alpha+beta) delta/(gamma-1) [1 - Gamma(gamma+delta)
 * Gamma(1+delta+n)/(Gamma(gamma+delta+n) Gamma(1+delta))] (FHS 2010 eq. 8);
 * MBG/NBD b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r,b+1;a+b;t/(alpha+t))],
 * since the customer is alive after the first purchase with probability
 * b/(a+b). */
double crm_ltv_expected_purchases_new(crm_ltv_model model, const double *params, double t)
{
    return crm_ltv_expected_purchases(model, params, t, 0.0, 0.0, 0.0);
}
