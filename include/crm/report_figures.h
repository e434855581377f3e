/* The figures of the report page, computed from arrays of per-customer
 * numbers: the Pareto (Lorenz) curve of value and its 80/20 point, an RFM
 * score grid, a histogram, cell means over two binned measures, and the
 * largest values.  Each reduces a million customers to a few hundred
 * numbers, so that the page draws aggregates only.  (Segment shares and
 * cross-tabs come from crm_segment_profile in segment.h.)
 * Pure computation: no files, no printing, no exit. */
#ifndef CRM_REPORT_FIGURES_H
#define CRM_REPORT_FIGURES_H

#include <stddef.h>

#include "crm/error.h"

/* The Pareto curve: customers ranked by value, largest first.  Point i of
 * npoints + 1 (i = 0..npoints) is x[i] = i / npoints, the share of
 * customers, and y[i], the share of the total value the top x[i] hold,
 * interpolated linearly within a customer (the Lorenz curve of the ranked
 * values).  Non-finite values count as 0.  CRM_EDATA when the total is not
 * positive (there is no share to speak of). */
typedef struct {
    double total;              /* sum of the values */
    double top_share;          /* the curve at 20%: share of the top fifth of customers */
    double customers_for_80;   /* share of customers whose value first reaches 80% */
} crm_pareto;

crm_status crm_figures_pareto(const double *values, size_t n, size_t npoints, double *x, double *y,
                              crm_pareto *out, crm_error *err);

/* Counts and value sums per cell of two integer scores 1..rows and 1..cols:
 * cell (r - 1) * cols + (c - 1).  Rows whose scores are not whole numbers
 * in range are left out and counted in *skipped. */
void crm_figures_grid(const double *row_score, const double *col_score, const double *value, size_t n,
                      size_t rows, size_t cols, double *count, double *sum, size_t *skipped);

/* The largest whole score in a column (0 when none is finite). */
size_t crm_figures_max_score(const double *score, size_t n);

/* A histogram of the finite values in nbins equal bins from the smallest
 * value (or 0 when all are positive) to the 99th percentile; values above it
 * go in the last bin, whose upper edge is then the largest value.  edges has
 * nbins + 1 entries. CRM_EDATA when no value is finite. */
crm_status crm_figures_histogram(const double *values, size_t n, size_t nbins, double *edges, double *counts,
                                 crm_error *err);

/* The bin of v among ascending lower edges lower[0..nbins): the last i with
 * lower[i] <= v (0 below lower[0]). */
size_t crm_figures_bin(double v, const double *lower, size_t nbins);

/* Mean of value per cell of (row_bin, col_bin): means[r * cols + c], NAN for
 * an empty cell; counts beside it. Non-finite values are left out. */
void crm_figures_cell_means(const size_t *row_bin, const size_t *col_bin, const double *value, size_t n,
                            size_t rows, size_t cols, double *means, double *counts);

/* Indices of the k largest finite values, largest first; ties keep row order.
 * Returns how many were found (fewer than k when n is small). */
size_t crm_figures_top(const double *values, size_t n, size_t k, size_t *index);

#endif
