/* The report's figures: see include/crm/report_figures.h. */
#include "crm/report_figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int descending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static int ascending(const void *a, const void *b) { return -descending(a, b); }

crm_status crm_figures_pareto(const double *values, size_t n, size_t npoints, double *x, double *y,
                              crm_pareto *out, crm_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || npoints == 0) return crm_error_set(err, CRM_EDATA, "no customers");
    double *sorted = malloc(n * sizeof *sorted);
    if (sorted == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory");
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        sorted[i] = isfinite(values[i]) ? values[i] : 0;
        total += sorted[i];
    }
    if (!(total > 0)) {
        free(sorted);
        return crm_error_set(err, CRM_EDATA, "the customers' value adds up to %g: no shares to draw", total);
    }
    qsort(sorted, n, sizeof *sorted, descending);
    /* cumulative[k] = value of the top k customers, walked alongside the points */
    size_t k = 0;
    double cumulative = 0;
    for (size_t i = 0; i <= npoints; i++) {
        double customers = (double)n * (double)i / (double)npoints;   /* fractional count */
        while (k < n && (double)(k + 1) <= customers) cumulative += sorted[k++];
        double partial = k < n ? (customers - (double)k) * sorted[k] : 0;
        x[i] = (double)i / (double)npoints;
        y[i] = (cumulative + partial) / total;
    }
    out->total = total;
    /* the top fifth: n / 5 customers, the last one in part, as on the curve */
    double fifth = (double)n / 5, top = 0, running = 0;
    size_t whole = (size_t)floor(fifth);
    for (size_t i = 0; i < whole; i++) top += sorted[i];
    if (whole < n) top += (fifth - (double)whole) * sorted[whole];
    out->top_share = top / total;
    out->customers_for_80 = 1;
    for (size_t i = 0; i < n; i++) {
        double before = running;
        running += sorted[i];
        if (running >= 0.8 * total) {
            /* interpolate within customer i, as the curve does */
            double within = sorted[i] > 0 ? (0.8 * total - before) / sorted[i] : 1;
            out->customers_for_80 = ((double)i + within) / (double)n;
            break;
        }
    }
    free(sorted);
    return CRM_OK;
}

void crm_figures_grid(const double *row_score, const double *col_score, const double *value, size_t n,
                      size_t rows, size_t cols, double *count, double *sum, size_t *skipped)
{
    memset(count, 0, rows * cols * sizeof *count);
    memset(sum, 0, rows * cols * sizeof *sum);
    *skipped = 0;
    for (size_t i = 0; i < n; i++) {
        double r = row_score[i], c = col_score[i];
        if (!(r >= 1 && r <= (double)rows && c >= 1 && c <= (double)cols) || r != floor(r) || c != floor(c)) {
            (*skipped)++;
            continue;
        }
        size_t cell = ((size_t)r - 1) * cols + ((size_t)c - 1);
        count[cell] += 1;
        if (value != NULL && isfinite(value[i])) sum[cell] += value[i];
    }
}

size_t crm_figures_max_score(const double *score, size_t n)
{
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(score[i]) && score[i] > max && score[i] == floor(score[i])) max = score[i];
    return max > 1e6 ? 1000000 : (size_t)max;
}

crm_status crm_figures_histogram(const double *values, size_t n, size_t nbins, double *edges, double *counts,
                                 crm_error *err)
{
    double *finite = malloc((n ? n : 1) * sizeof *finite);
    if (finite == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) finite[m++] = values[i];
    if (m == 0 || nbins == 0) {
        free(finite);
        return crm_error_set(err, CRM_EDATA, "no finite values to draw");
    }
    qsort(finite, m, sizeof *finite, ascending);
    double lo = finite[0] < 0 ? finite[0] : 0;
    /* the 99th percentile, type 7 (as R's default quantile) */
    double pos = 0.99 * (double)(m - 1);
    size_t below = (size_t)floor(pos);
    double hi = finite[below] + (below + 1 < m ? (pos - (double)below) * (finite[below + 1] - finite[below]) : 0);
    double max = finite[m - 1];
    if (!(hi > lo)) hi = max > lo ? max : lo + 1;
    double width = (hi - lo) / (double)nbins;
    memset(counts, 0, nbins * sizeof *counts);
    for (size_t b = 0; b <= nbins; b++) edges[b] = lo + width * (double)b;
    for (size_t i = 0; i < m; i++) {
        double v = finite[i];
        size_t b = (size_t)floor((v - lo) / width);
        if (b >= nbins) b = nbins - 1;
        counts[b] += 1;
    }
    if (max > edges[nbins]) edges[nbins] = max;
    free(finite);
    return CRM_OK;
}

size_t crm_figures_bin(double v, const double *lower, size_t nbins)
{
    size_t b = 0;
    while (b + 1 < nbins && v >= lower[b + 1]) b++;
    return b;
}

void crm_figures_cell_means(const size_t *row_bin, const size_t *col_bin, const double *value, size_t n,
                            size_t rows, size_t cols, double *means, double *counts)
{
    memset(means, 0, rows * cols * sizeof *means);
    memset(counts, 0, rows * cols * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(value[i]) || row_bin[i] >= rows || col_bin[i] >= cols) continue;
        size_t cell = row_bin[i] * cols + col_bin[i];
        means[cell] += value[i];
        counts[cell] += 1;
    }
    for (size_t c = 0; c < rows * cols; c++) means[c] = counts[c] > 0 ? means[c] / counts[c] : NAN;
}

size_t crm_figures_top(const double *values, size_t n, size_t k, size_t *index)
{
    size_t found = 0;
    if (k == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i])) continue;
        if (found == k && !(values[i] > values[index[k - 1]])) continue;
        size_t at = found < k ? found++ : k - 1;
        /* insertion: move smaller ones down; equal ones stay ahead (row order) */
        while (at > 0 && values[index[at - 1]] < values[i]) {
            index[at] = index[at - 1];
            at--;
        }
        index[at] = i;
    }
    return found;
}
