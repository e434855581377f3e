/* Charts as SVG text: bars, histograms, heatmaps and line charts drawn from
 * arrays of numbers, and the table of those numbers that goes beneath every
 * chart (an accessible fallback and a way to copy the figures).
 *
 * Knows nothing of customers: the caller aggregates first (a chart draws a
 * few hundred elements at most, whatever the size of the data) and names
 * the axes with their units.  Every SVG has a viewBox and no fixed size, so
 * the page scales it to the screen; colours are the Okabe-Ito palette for
 * categories (told apart by colour-blind readers) with dash patterns for
 * lines, and the viridis ramp for heatmaps, whose lightness rises
 * monotonically so that a greyscale print keeps the order.  Output is a
 * pure function of the arguments: the same numbers give the same bytes. */
#ifndef CRM_CHART_H
#define CRM_CHART_H

#include <stddef.h>

#include "crm/html.h"

enum { CRM_CHART_MAX_SERIES = 8 };

typedef struct {
    const char *id;        /* id of the <svg>, unique in the page */
    const char *title;     /* the SVG's <title>, for screen readers */
    const char *x_label;   /* axis labels, with their units: "customers (%)" */
    const char *y_label;
} crm_chart_spec;

/* Horizontal bars, one row per category and one bar per series (up to
 * CRM_CHART_MAX_SERIES), values >= 0 drawn from zero; a legend names the
 * series when there are several. */
void crm_chart_bars(crm_html *h, const crm_chart_spec *spec, const char *const *categories, size_t n,
                    const double *const *series, const char *const *series_names, size_t nseries);

/* Vertical bars over consecutive ranges (a histogram): bin i runs from
 * edges[i] to edges[i + 1]; counts[i] customers in it.  edges has n + 1
 * entries, increasing; decimals for the edge labels. */
void crm_chart_histogram(crm_html *h, const crm_chart_spec *spec, const double *edges, const double *counts,
                         size_t n, int decimals);

/* A grid of cells coloured by value: cells[row * ncols + col], NAN for an
 * empty cell (drawn blank).  Each cell shows its value with `decimals`. */
void crm_chart_heatmap(crm_html *h, const crm_chart_spec *spec, const char *const *row_labels, size_t nrows,
                       const char *const *col_labels, size_t ncols, const double *cells, int decimals);

typedef struct {
    const char *name;
    const double *x, *y;
    size_t n;
} crm_chart_series;

typedef struct {
    double x, y;
    const char *label;
} crm_chart_mark;

/* Lines through points on axes from 0 to x_max and 0 to y_max (both > 0);
 * with diagonal, the line y = x (scaled) for reference; marks are labelled
 * dots.  Several series get a legend, and a dash pattern each. */
void crm_chart_lines(crm_html *h, const crm_chart_spec *spec, const crm_chart_series *series, size_t nseries,
                     double x_max, double y_max, int diagonal, const crm_chart_mark *marks, size_t nmarks);

/* A table of columns: text cells when `text` is set, else numbers with
 * `decimals` (NAN is an empty cell). */
typedef struct {
    const char *heading;
    const char *const *text;
    const double *numbers;
    int decimals;
} crm_chart_column;

void crm_chart_table(crm_html *h, const char *caption, const crm_chart_column *columns, size_t ncolumns,
                     size_t nrows);

/* The "nice" step between axis ticks for a range 0..max with about `ticks`
 * ticks: 1, 2 or 5 times a power of ten.  Exposed for the tests. */
double crm_chart_tick_step(double max, int ticks);

#endif
