/* Charts as SVG text: see include/crm/chart.h. */
#include "crm/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/number.h"

enum { WIDTH = 640 };

/* Okabe and Ito's palette, in an order whose neighbours also differ in
 * lightness (dark blue, orange, green, pink, sky blue, vermillion, yellow,
 * black). */
static const char *const palette[CRM_CHART_MAX_SERIES] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                         "#56B4E9", "#D55E00", "#F0E442", "#000000"};
static const char *const dashes[CRM_CHART_MAX_SERIES] = {"", "6 3", "2 2", "8 3 2 3", "1 3", "10 4",
                                                        "4 2 1 2", "12 2"};

double crm_chart_tick_step(double max, int ticks)
{
    if (!(max > 0) || !isfinite(max) || ticks < 1) return 1;
    double raw = max / ticks;
    double power = pow(10, floor(log10(raw)));
    double fraction = raw / power;
    double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    return nice * power;
}

static int step_decimals(double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    return d < 0 ? 0 : d > 6 ? 6 : d;
}

static void svg_open(crm_html *h, const crm_chart_spec *spec, double height)
{
    crm_html_open(h, "svg");
    crm_html_attr(h, "xmlns", "http://www.w3.org/2000/svg");
    crm_html_attr(h, "class", "chart");
    crm_html_attr(h, "id", spec->id);
    char box[64];
    snprintf(box, sizeof box, "0 0 %d %d", WIDTH, (int)ceil(height));
    crm_html_attr(h, "viewBox", box);
    crm_html_attr(h, "role", "img");
    crm_html_element(h, "title", spec->title);
}

static void line(crm_html *h, double x1, double y1, double x2, double y2, const char *cls)
{
    crm_html_open(h, "line");
    crm_html_attr_number(h, "x1", x1, 1);
    crm_html_attr_number(h, "y1", y1, 1);
    crm_html_attr_number(h, "x2", x2, 1);
    crm_html_attr_number(h, "y2", y2, 1);
    crm_html_attr(h, "class", cls);
    crm_html_close(h);
}

static void rect(crm_html *h, double x, double y, double w, double ht, const char *fill)
{
    crm_html_open(h, "rect");
    crm_html_attr_number(h, "x", x, 1);
    crm_html_attr_number(h, "y", y, 1);
    crm_html_attr_number(h, "width", w < 0 ? 0 : w, 1);
    crm_html_attr_number(h, "height", ht < 0 ? 0 : ht, 1);
    if (fill != NULL) crm_html_attr(h, "fill", fill);
    crm_html_close(h);
}

/* Text at (x, y); anchor start|middle|end; rotate -90 for a vertical label. */
static void text_at(crm_html *h, double x, double y, const char *anchor, int rotate, const char *cls,
                    const char *text)
{
    crm_html_open(h, "text");
    crm_html_attr_number(h, "x", x, 1);
    crm_html_attr_number(h, "y", y, 1);
    crm_html_attr(h, "text-anchor", anchor);
    if (cls != NULL) crm_html_attr(h, "class", cls);
    if (rotate) {
        char transform[2 * CRM_NUMBER_TEXT_MAX + 16], a[CRM_NUMBER_TEXT_MAX], b[CRM_NUMBER_TEXT_MAX];
        crm_double_format_fixed(x, 1, a);
        crm_double_format_fixed(y, 1, b);
        snprintf(transform, sizeof transform, "rotate(-90 %s %s)", a, b);
        crm_html_attr(h, "transform", transform);
    }
    crm_html_text(h, text, (size_t)-1);
    crm_html_close(h);
}

static void number_at(crm_html *h, double x, double y, const char *anchor, const char *cls, double v,
                      int decimals)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    crm_double_format_fixed(v, decimals, buf);
    text_at(h, x, y, anchor, 0, cls, buf);
}

/* Long category names are cut so that the labels column keeps its width. */
static void short_label(const char *s, char *buf, size_t cap)
{
    size_t n = strlen(s);
    size_t keep = cap - 4;   /* room for "..." and NUL */
    if (n < cap) {
        memcpy(buf, s, n + 1);
        return;
    }
    /* cut on a UTF-8 character boundary */
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) keep--;
    memcpy(buf, s, keep);
    memcpy(buf + keep, "...", 4);
}

static void legend(crm_html *h, double x, double y, const char *const *names, size_t n, int as_lines)
{
    for (size_t s = 0; s < n; s++) {
        double lx = x + (double)(s % 4) * 150, ly = y + (double)(s / 4) * 16;
        if (as_lines) {
            crm_html_open(h, "line");
            crm_html_attr_number(h, "x1", lx, 1);
            crm_html_attr_number(h, "y1", ly - 4, 1);
            crm_html_attr_number(h, "x2", lx + 22, 1);
            crm_html_attr_number(h, "y2", ly - 4, 1);
            crm_html_attr(h, "stroke", palette[s % CRM_CHART_MAX_SERIES]);
            crm_html_attr(h, "stroke-width", "2.5");
            if (dashes[s % CRM_CHART_MAX_SERIES][0]) crm_html_attr(h, "stroke-dasharray", dashes[s % CRM_CHART_MAX_SERIES]);
            crm_html_close(h);
        } else {
            rect(h, lx, ly - 10, 12, 12, palette[s % CRM_CHART_MAX_SERIES]);
        }
        char label[40];
        short_label(names[s], label, sizeof label);
        text_at(h, lx + (as_lines ? 26 : 16), ly, "start", 0, "legend", label);
    }
}

void crm_chart_bars(crm_html *h, const crm_chart_spec *spec, const char *const *categories, size_t n,
                    const double *const *series, const char *const *series_names, size_t nseries)
{
    if (nseries > CRM_CHART_MAX_SERIES) nseries = CRM_CHART_MAX_SERIES;
    const double left = 170, right = WIDTH - 20, top = 10, bar = 14, gap = 8;
    double row = (double)nseries * bar + gap;
    double plot_h = (double)n * row;
    double legend_h = nseries > 1 ? 16.0 * (double)((nseries + 3) / 4) + 6 : 0;
    double height = top + plot_h + 44 + legend_h;
    double max = 0;
    for (size_t s = 0; s < nseries; s++)
        for (size_t i = 0; i < n; i++)
            if (isfinite(series[s][i]) && series[s][i] > max) max = series[s][i];
    double step = crm_chart_tick_step(max > 0 ? max : 1, 5);
    double axis_max = ceil((max > 0 ? max : 1) / step - 1e-9) * step;
    double scale = (right - left) / axis_max;
    int decimals = step_decimals(step);

    svg_open(h, spec, height);
    for (double t = 0; t <= axis_max + step / 2; t += step) {
        double x = left + t * scale;
        line(h, x, top, x, top + plot_h, "grid");
        number_at(h, x, top + plot_h + 14, "middle", "tick", t, decimals);
    }
    for (size_t i = 0; i < n; i++) {
        double y = top + (double)i * row + gap / 2;
        char label[28];
        short_label(categories[i], label, sizeof label);
        text_at(h, left - 6, y + (double)nseries * bar / 2 + 4, "end", 0, "tick", label);
        for (size_t s = 0; s < nseries; s++) {
            double v = isfinite(series[s][i]) && series[s][i] > 0 ? series[s][i] : 0;
            rect(h, left, y + (double)s * bar, v * scale, bar - 2, palette[s]);
        }
    }
    line(h, left, top, left, top + plot_h, "axis");
    line(h, left, top + plot_h, right, top + plot_h, "axis");
    text_at(h, (left + right) / 2, top + plot_h + 32, "middle", 0, "label", spec->x_label);
    text_at(h, 12, top + plot_h / 2, "middle", 1, "label", spec->y_label);
    if (nseries > 1) legend(h, left, top + plot_h + 50, series_names, nseries, 0);
    crm_html_close(h);
}

void crm_chart_histogram(crm_html *h, const crm_chart_spec *spec, const double *edges, const double *counts,
                         size_t n, int decimals)
{
    const double left = 70, right = WIDTH - 20, top = 10, plot_h = 240;
    double height = top + plot_h + 50;
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (counts[i] > max) max = counts[i];
    double step = crm_chart_tick_step(max > 0 ? max : 1, 5);
    double axis_max = ceil((max > 0 ? max : 1) / step - 1e-9) * step;
    double bin_w = n > 0 ? (right - left) / (double)n : 0;

    svg_open(h, spec, height);
    int tick_decimals = step_decimals(step);
    for (double t = 0; t <= axis_max + step / 2; t += step) {
        double y = top + plot_h - t / axis_max * plot_h;
        line(h, left, y, right, y, "grid");
        number_at(h, left - 6, y + 4, "end", "tick", t, tick_decimals);
    }
    for (size_t i = 0; i < n; i++) {
        double bh = counts[i] / axis_max * plot_h;
        rect(h, left + (double)i * bin_w + 1, top + plot_h - bh, bin_w - 2, bh, palette[0]);
    }
    /* edge labels: about six along the axis */
    size_t every = n / 6 + 1;
    for (size_t i = 0; i <= n; i += every)
        number_at(h, left + (double)i * bin_w, top + plot_h + 14, "middle", "tick", edges[i], decimals);
    line(h, left, top, left, top + plot_h, "axis");
    line(h, left, top + plot_h, right, top + plot_h, "axis");
    text_at(h, (left + right) / 2, top + plot_h + 36, "middle", 0, "label", spec->x_label);
    text_at(h, 14, top + plot_h / 2, "middle", 1, "label", spec->y_label);
    crm_html_close(h);
}

/* The viridis ramp at t in [0, 1], from five of its published colours. */
static void viridis(double t, char out[8], int *dark)
{
    static const unsigned char stops[5][3] = {
        {0x44, 0x01, 0x54}, {0x3b, 0x52, 0x8b}, {0x21, 0x91, 0x8c}, {0x5e, 0xc9, 0x62}, {0xfd, 0xe7, 0x25}};
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    double pos = t * 4;
    int i = (int)floor(pos);
    if (i > 3) i = 3;
    double f = pos - i;
    int rgb[3];
    for (int c = 0; c < 3; c++) rgb[c] = (int)lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    *dark = t < 0.55;
}

/* Rough width of a label in user units at the 11-12 px tick size: enough to
 * keep labels clear of each other, without font metrics. */
static double label_width(const char *s)
{
    size_t chars = 0;
    for (; *s; s++) chars += ((unsigned char)*s & 0xC0) != 0x80;   /* UTF-8 characters */
    return 6.6 * (double)chars;
}

void crm_chart_heatmap(crm_html *h, const crm_chart_spec *spec, const char *const *row_labels, size_t nrows,
                       const char *const *col_labels, size_t ncols, const double *cells, int decimals)
{
    double widest_row = 0, widest_col = 0;
    for (size_t r = 0; r < nrows; r++)
        if (label_width(row_labels[r]) > widest_row) widest_row = label_width(row_labels[r]);
    for (size_t c = 0; c < ncols; c++)
        if (label_width(col_labels[c]) > widest_col) widest_col = label_width(col_labels[c]);
    /* the row labels' column: as wide as the widest, within reason */
    const double left = 34 + (widest_row < 60 ? 60 : widest_row > 200 ? 200 : widest_row), right = WIDTH - 10,
                 top = 10;
    double cell_w = ncols > 0 ? (right - left) / (double)ncols : 0;
    double cell_h = nrows > 16 ? 22 : 30;
    double plot_h = cell_h * (double)nrows;
    /* column labels that would run into each other are turned */
    int turned = widest_col > cell_w - 4;
    double labels_h = turned ? 0.72 * (widest_col > 120 ? 120 : widest_col) + 10 : 14;
    double height = top + plot_h + labels_h + 34;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < nrows * ncols; i++)
        if (isfinite(cells[i])) {
            if (cells[i] < lo) lo = cells[i];
            if (cells[i] > hi) hi = cells[i];
        }
    int font_small = cell_w < 44;

    svg_open(h, spec, height);
    for (size_t r = 0; r < nrows; r++) {
        double y = top + (double)r * cell_h;
        text_at(h, left - 6, y + cell_h / 2 + 4, "end", 0, "tick", row_labels[r]);
        for (size_t c = 0; c < ncols; c++) {
            double v = cells[r * ncols + c];
            double x = left + (double)c * cell_w;
            if (!isfinite(v)) {
                rect(h, x, y, cell_w - 1, cell_h - 1, "#f2f2f2");
                continue;
            }
            char fill[8];
            int dark;
            viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5, fill, &dark);
            rect(h, x, y, cell_w - 1, cell_h - 1, fill);
            number_at(h, x + cell_w / 2, y + cell_h / 2 + 4, "middle",
                      dark ? (font_small ? "cell small light" : "cell light")
                           : (font_small ? "cell small" : "cell"), v, decimals);
        }
    }
    size_t every = ncols > 16 && !turned ? (ncols + 15) / 16 : 1;
    for (size_t c = 0; c < ncols; c += every) {
        double x = left + ((double)c + 0.5) * cell_w;
        if (!turned) {
            text_at(h, x, top + plot_h + 14, "middle", 0, "tick", col_labels[c]);
            continue;
        }
        char label[28], transform[2 * CRM_NUMBER_TEXT_MAX + 16], a[CRM_NUMBER_TEXT_MAX], b[CRM_NUMBER_TEXT_MAX];
        short_label(col_labels[c], label, sizeof label);
        crm_double_format_fixed(x + 4, 1, a);
        crm_double_format_fixed(top + plot_h + 10, 1, b);
        snprintf(transform, sizeof transform, "rotate(-45 %s %s)", a, b);
        crm_html_open(h, "text");
        crm_html_attr_number(h, "x", x + 4, 1);
        crm_html_attr_number(h, "y", top + plot_h + 10, 1);
        crm_html_attr(h, "text-anchor", "end");
        crm_html_attr(h, "class", "tick");
        crm_html_attr(h, "transform", transform);
        crm_html_text(h, label, (size_t)-1);
        crm_html_close(h);
    }
    text_at(h, (left + right) / 2, top + plot_h + labels_h + 20, "middle", 0, "label", spec->x_label);
    text_at(h, 14, top + plot_h / 2, "middle", 1, "label", spec->y_label);
    crm_html_close(h);
}

void crm_chart_lines(crm_html *h, const crm_chart_spec *spec, const crm_chart_series *series, size_t nseries,
                     double x_max, double y_max, int diagonal, const crm_chart_mark *marks, size_t nmarks)
{
    if (nseries > CRM_CHART_MAX_SERIES) nseries = CRM_CHART_MAX_SERIES;
    const double left = 70, right = WIDTH - 20, top = 10, plot_h = 280;
    double legend_h = nseries > 1 ? 16.0 * (double)((nseries + 3) / 4) + 6 : 0;
    double height = top + plot_h + 50 + legend_h;
    double xs = crm_chart_tick_step(x_max, 5), ys = crm_chart_tick_step(y_max, 5);
    double x_axis = ceil(x_max / xs - 1e-9) * xs, y_axis = ceil(y_max / ys - 1e-9) * ys;
#define PX(v) (left + (v) / x_axis * (right - left))
#define PY(v) (top + plot_h - (v) / y_axis * plot_h)
    svg_open(h, spec, height);
    for (double t = 0; t <= x_axis + xs / 2; t += xs) {
        line(h, PX(t), top, PX(t), top + plot_h, "grid");
        number_at(h, PX(t), top + plot_h + 14, "middle", "tick", t, step_decimals(xs));
    }
    for (double t = 0; t <= y_axis + ys / 2; t += ys) {
        line(h, left, PY(t), right, PY(t), "grid");
        number_at(h, left - 6, PY(t) + 4, "end", "tick", t, step_decimals(ys));
    }
    if (diagonal) {
        double end = x_axis < y_axis ? x_axis : y_axis;
        line(h, PX(0), PY(0), PX(end), PY(end), "reference");
    }
    const char *names[CRM_CHART_MAX_SERIES];
    for (size_t s = 0; s < nseries; s++) {
        names[s] = series[s].name;
        crm_html_open(h, "polyline");
        crm_html_attr(h, "fill", "none");
        crm_html_attr(h, "stroke", palette[s]);
        crm_html_attr(h, "stroke-width", "2.5");
        if (dashes[s][0]) crm_html_attr(h, "stroke-dasharray", dashes[s]);
        /* the points attribute: "x,y x,y ..." with one decimal */
        char *points = malloc(series[s].n * (2 * CRM_NUMBER_TEXT_MAX + 2) + 1);
        size_t len = 0;
        if (points == NULL) {
            crm_html_close(h);
            continue;
        }
        for (size_t i = 0; i < series[s].n; i++) {
            if (!isfinite(series[s].x[i]) || !isfinite(series[s].y[i])) continue;
            if (len) points[len++] = ' ';
            len += crm_double_format_fixed(PX(series[s].x[i]), 1, points + len);
            points[len++] = ',';
            len += crm_double_format_fixed(PY(series[s].y[i]), 1, points + len);
        }
        points[len] = '\0';
        crm_html_attr(h, "points", points);
        free(points);
        crm_html_close(h);
    }
    for (size_t m = 0; m < nmarks; m++) {
        crm_html_open(h, "circle");
        crm_html_attr_number(h, "cx", PX(marks[m].x), 1);
        crm_html_attr_number(h, "cy", PY(marks[m].y), 1);
        crm_html_attr(h, "r", "5");
        crm_html_attr(h, "class", "mark");
        crm_html_close(h);
        /* labels alternate below-right and above-left, so two close marks stay legible */
        if (m % 2 == 0)
            text_at(h, PX(marks[m].x) + 8, PY(marks[m].y) + 18, "start", 0, "marklabel", marks[m].label);
        else
            text_at(h, PX(marks[m].x) - 8, PY(marks[m].y) - 10, "end", 0, "marklabel", marks[m].label);
    }
    line(h, left, top, left, top + plot_h, "axis");
    line(h, left, top + plot_h, right, top + plot_h, "axis");
    text_at(h, (left + right) / 2, top + plot_h + 36, "middle", 0, "label", spec->x_label);
    text_at(h, 14, top + plot_h / 2, "middle", 1, "label", spec->y_label);
    if (nseries > 1) legend(h, left, top + plot_h + 56, names, nseries, 1);
    crm_html_close(h);
#undef PX
#undef PY
}

void crm_chart_table(crm_html *h, const char *caption, const crm_chart_column *columns, size_t ncolumns,
                     size_t nrows)
{
    crm_html_open(h, "table");
    if (caption != NULL) crm_html_element(h, "caption", caption);
    crm_html_open(h, "thead");
    crm_html_open(h, "tr");
    for (size_t c = 0; c < ncolumns; c++) {
        crm_html_open(h, "th");
        crm_html_attr(h, "scope", "col");
        if (columns[c].text == NULL) crm_html_attr(h, "class", "num");
        crm_html_text(h, columns[c].heading, (size_t)-1);
        crm_html_close(h);
    }
    crm_html_close(h);
    crm_html_close(h);
    crm_html_open(h, "tbody");
    for (size_t r = 0; r < nrows; r++) {
        crm_html_open(h, "tr");
        for (size_t c = 0; c < ncolumns; c++) {
            if (columns[c].text != NULL) {
                crm_html_element(h, c == 0 ? "th" : "td", columns[c].text[r] ? columns[c].text[r] : "");
            } else {
                crm_html_open(h, "td");
                crm_html_attr(h, "class", "num");
                if (isfinite(columns[c].numbers[r])) crm_html_number(h, columns[c].numbers[r], columns[c].decimals);
                crm_html_close(h);
            }
        }
        crm_html_close(h);
    }
    crm_html_close(h);
    crm_html_close(h);
}
