/* The report page: see include/crm/report_page.h. */
#include "crm/report_page.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/chart.h"
#include "crm/html.h"
#include "crm/number.h"
#include "crm/report_figures.h"
#include "crm/segment.h"
#include "crm/sort.h"
#include "crm/strtab.h"

/* ---- the columns read from each table (indices are the enums) ---- */

enum {
    C_ID, C_MONETARY, C_FREQUENCY, C_RECENCY, C_R, C_F, C_M, C_X, C_TX, C_T, C_P_ALIVE, C_CLV,
    C_SEGMENT, C_SEG_RFM, C_SEG_VALUE, C_SEG_LIFECYCLE, C_SEG_KMEANS, C_NCUSTOMER
};
static const crm_table_column_spec customer_specs[C_NCUSTOMER] = {
    {"customer_id", CRM_TABLE_TEXT, 1},     {"monetary", CRM_TABLE_NUMBER, 1},
    {"frequency", CRM_TABLE_NUMBER, 0},     {"recency_days", CRM_TABLE_NUMBER, 0},
    {"r_score", CRM_TABLE_NUMBER, 0},       {"f_score", CRM_TABLE_NUMBER, 0},
    {"m_score", CRM_TABLE_NUMBER, 0},       {"x", CRM_TABLE_NUMBER, 0},
    {"t_x", CRM_TABLE_NUMBER, 0},           {"T", CRM_TABLE_NUMBER, 0},
    {"p_alive", CRM_TABLE_NUMBER, 0},       {"clv", CRM_TABLE_NUMBER, 0},
    {"segment", CRM_TABLE_TEXT, 0},         {"segment_rfm", CRM_TABLE_TEXT, 0},
    {"segment_value", CRM_TABLE_TEXT, 0},   {"segment_lifecycle", CRM_TABLE_TEXT, 0},
    {"segment_kmeans", CRM_TABLE_TEXT, 0},
};
/* The rest of the customers-table contract (DESIGN.md): not attributes. */
static const char *const customer_known[] = {
    "first_date", "last_date", "avg_order_value", "tenure_days", "rfm_score", "profit", "avg_profit",
    "monetary_value", "expected_purchases", "expected_avg_value", "historic_value", "x_holdout",
    "monetary_holdout", "duration_holdout", "interactions", "last_interaction",
    "interaction_recency_days", NULL};

enum { R_ANTECEDENT, R_CONSEQUENT, R_COUNT, R_SUPPORT, R_CONFIDENCE, R_LIFT, R_NRULE };
static const crm_table_column_spec rule_specs[R_NRULE] = {
    {"antecedent", CRM_TABLE_TEXT, 1}, {"consequent", CRM_TABLE_TEXT, 1}, {"count", CRM_TABLE_NUMBER, 0},
    {"support", CRM_TABLE_NUMBER, 1},  {"confidence", CRM_TABLE_NUMBER, 1}, {"lift", CRM_TABLE_NUMBER, 1},
};

enum { K_COHORT, K_PERIOD, K_CUSTOMERS, K_FROM_START, K_RATE, K_LTV, K_NCOHORT };
static const crm_table_column_spec cohort_specs[K_NCOHORT] = {
    {"cohort", CRM_TABLE_TEXT, 1},          {"period", CRM_TABLE_NUMBER, 1},
    {"customers", CRM_TABLE_NUMBER, 1},     {"retention_from_start", CRM_TABLE_NUMBER, 0},
    {"retention_rate", CRM_TABLE_NUMBER, 0}, {"ltv_per_customer", CRM_TABLE_NUMBER, 0},
};

enum { V_MODEL, V_CUSTOMERS, V_ACTUAL, V_PREDICTED, V_MAE, V_RMSE, V_LOGLIK, V_NVALIDATION };
static const crm_table_column_spec validation_specs[V_NVALIDATION] = {
    {"model", CRM_TABLE_TEXT, 1},          {"customers", CRM_TABLE_NUMBER, 1},
    {"actual_total", CRM_TABLE_NUMBER, 1}, {"predicted_total", CRM_TABLE_NUMBER, 1},
    {"mae", CRM_TABLE_NUMBER, 1},          {"rmse", CRM_TABLE_NUMBER, 1},
    {"loglik", CRM_TABLE_NUMBER, 1},
};

void crm_report_page_columns_of(crm_report_page_table table, crm_report_page_columns *out)
{
    memset(out, 0, sizeof *out);
    switch (table) {
    case CRM_PAGE_CUSTOMERS:
        out->specs = customer_specs, out->nspecs = C_NCUSTOMER, out->keep_other = 1, out->ignore = customer_known;
        break;
    case CRM_PAGE_RULES: out->specs = rule_specs, out->nspecs = R_NRULE; break;
    case CRM_PAGE_COHORT: out->specs = cohort_specs, out->nspecs = K_NCOHORT; break;
    case CRM_PAGE_VALIDATION: out->specs = validation_specs, out->nspecs = V_NVALIDATION; break;
    default: break;
    }
}

/* ---- small helpers ---- */

typedef struct {
    crm_html *h;
    const crm_report_page_input *in;
    const crm_customers_table *cust;
    size_t n;
    crm_status st;
    crm_error *err;
} page;

static const char *const style =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
    "margin:0 auto;max-width:960px;padding:0 12px 32px;color:#1a1a1a;background:#fff;line-height:1.45}"
    "h1{font-size:1.6em;margin:16px 0 4px}h2{font-size:1.25em;margin:28px 0 8px;border-bottom:2px solid #0072B2}"
    "h3{font-size:1.05em;margin:18px 0 6px}p.meta{color:#444;margin:0 0 12px}"
    "nav ul{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:4px 14px}"
    "nav a{color:#0057a0}"
    "svg.chart{display:block;width:100%;max-width:100%;height:auto}"
    "svg text{font-size:12px;fill:#1a1a1a}svg .tick{font-size:11px}svg .label{font-size:12px;font-weight:600}"
    "svg .legend{font-size:11px}svg .grid{stroke:#dddddd;stroke-width:1}svg .axis{stroke:#333;stroke-width:1}"
    "svg .reference{stroke:#777;stroke-width:1.5;stroke-dasharray:5 4}"
    "svg .cell{font-size:11px;fill:#000}svg .cell.light{fill:#fff}svg .cell.small{font-size:9px}"
    "svg .mark{fill:#D55E00;stroke:#000;stroke-width:1.5}svg .marklabel{font-size:12px;font-weight:600}"
    "figure{margin:14px 0 26px}figcaption{font-weight:600;margin-bottom:4px}"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0;display:block;overflow-x:auto;max-width:100%}"
    "caption{text-align:left;color:#444;font-size:12px;padding:2px 0}"
    "th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "dl.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:8px;margin:8px 0}"
    "dl.figures div{border:1px solid #bbb;padding:8px 10px;border-radius:4px}"
    "dt{font-size:13px;color:#444}dd{margin:0;font-size:1.4em;font-weight:700}"
    "p.note{color:#444;font-size:13px}"
    /* a phone shows a chart at about half its drawn size: larger letters */
    "@media (max-width:520px){svg .tick,svg .legend{font-size:15px}svg .label,svg .marklabel{font-size:16px}"
    "svg .cell{font-size:14px}svg .cell.small{font-size:11px}}"
    "@media print{nav{display:none}figure,tr,dl.figures div{break-inside:avoid}body{max-width:none}}";

static void fail_oom(page *p)
{
    if (p->st == CRM_OK) p->st = crm_error_set(p->err, CRM_ENOMEM, "out of memory drawing the report");
}

static void *alloc(page *p, size_t n, size_t size)
{
    void *m = calloc(n ? n : 1, size);
    if (m == NULL) fail_oom(p);
    return m;
}

static void section_open(page *p, const char *id, const char *heading)
{
    crm_html_open(p->h, "section");
    crm_html_attr(p->h, "id", id);
    crm_html_element(p->h, "h2", heading);
}

static void figure_open(page *p, const char *id, const char *caption)
{
    crm_html_open(p->h, "figure");
    crm_html_attr(p->h, "id", id);
    crm_html_element(p->h, "figcaption", caption);
}

static void note(page *p, const char *text)
{
    crm_html_open(p->h, "p");
    crm_html_attr(p->h, "class", "note");
    crm_html_text(p->h, text, (size_t)-1);
    crm_html_close(p->h);
}

static void format_fixed(double v, int decimals, char *buf, size_t cap)
{
    char tmp[CRM_NUMBER_TEXT_MAX];
    crm_double_format_fixed(v, decimals, tmp);
    snprintf(buf, cap, "%s", tmp);
}

static const double *col(const page *p, size_t c) { return crm_customers_table_numbers(p->cust, c); }

/* ---- headline ---- */

static void headline(page *p)
{
    const double *monetary = col(p, C_MONETARY), *frequency = col(p, C_FREQUENCY), *x = col(p, C_X);
    double revenue = 0;
    size_t repeat = 0, known = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (isfinite(monetary[i])) revenue += monetary[i];
        /* repeat purchase: two invoices or more; without frequency, x >= 1 */
        if (frequency != NULL && isfinite(frequency[i])) {
            known++;
            repeat += frequency[i] >= 2;
        } else if (x != NULL && isfinite(x[i])) {
            known++;
            repeat += x[i] >= 1;
        }
    }
    double xs[2], ys[2];
    crm_pareto pareto;
    crm_error ignored;
    int have_pareto = crm_figures_pareto(monetary, p->n, 1, xs, ys, &pareto, &ignored) == CRM_OK;

    section_open(p, "headline", "Headline figures");
    crm_html_open(p->h, "dl");
    crm_html_attr(p->h, "class", "figures");
    char buf[64];
    struct { const char *name; double v; int decimals; const char *unit; int show; } items[] = {
        {"Customers", (double)p->n, 0, "", 1},
        {"Revenue", revenue, 2, "", 1},
        {"Repeat-purchase rate", known ? 100.0 * (double)repeat / (double)known : NAN, 1, "%", known > 0},
        {"Revenue from the top 20% of customers", have_pareto ? 100 * pareto.top_share : NAN, 1, "%", have_pareto},
    };
    for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
        if (!items[i].show) continue;
        crm_html_open(p->h, "div");
        crm_html_element(p->h, "dt", items[i].name);
        format_fixed(items[i].v, items[i].decimals, buf, sizeof buf - 2);
        strcat(buf, items[i].unit);
        crm_html_open(p->h, "dd");
        crm_html_attr(p->h, "id", i == 0 ? "headline-customers" : i == 1 ? "headline-revenue"
                                  : i == 2 ? "headline-repeat" : "headline-top20");
        crm_html_text(p->h, buf, (size_t)-1);
        crm_html_close(p->h);
        crm_html_close(p->h);
    }
    crm_html_close(p->h);
    crm_html_close(p->h);
}

/* ---- Pareto curve ---- */

enum { PARETO_POINTS = 100 };

static void pareto_section(page *p)
{
    double x[PARETO_POINTS + 1], y[PARETO_POINTS + 1];
    crm_pareto pareto;
    crm_error why;
    if (crm_figures_pareto(col(p, C_MONETARY), p->n, PARETO_POINTS, x, y, &pareto, &why) != CRM_OK) return;
    section_open(p, "pareto", "Pareto curve of customer value");
    /* numbers through crm_double_format_fixed: never the locale's decimal comma */
    char top[CRM_NUMBER_TEXT_MAX], eighty[CRM_NUMBER_TEXT_MAX], caption[256];
    crm_double_format_fixed(100 * pareto.top_share, 1, top);
    crm_double_format_fixed(100 * pareto.customers_for_80, 1, eighty);
    snprintf(caption, sizeof caption,
             "The top 20%% of customers bring %s%% of revenue; 80%% of revenue comes from %s%% of customers", top,
             eighty);
    figure_open(p, "fig-pareto", caption);
    double xp[PARETO_POINTS + 1], yp[PARETO_POINTS + 1];
    double y_max = 100;
    for (size_t i = 0; i <= PARETO_POINTS; i++) {
        xp[i] = 100 * x[i];
        yp[i] = 100 * y[i];
        if (yp[i] > y_max) y_max = yp[i];
    }
    crm_chart_series s = {"share of revenue", xp, yp, PARETO_POINTS + 1};
    char top_label[64], eighty_label[64];
    snprintf(top_label, sizeof top_label, "top 20%%: %s%%", top);
    snprintf(eighty_label, sizeof eighty_label, "80%% of revenue: %s%%", eighty);
    crm_chart_mark marks[2] = {{20, 100 * pareto.top_share, top_label},
                               {100 * pareto.customers_for_80, 80, eighty_label}};
    crm_chart_spec spec = {"chart-pareto", "Pareto curve: share of revenue by share of customers, largest first",
                           "customers, largest value first (%)", "share of revenue (%)"};
    crm_chart_lines(p->h, &spec, &s, 1, 100, y_max, 1, marks, 2);
    /* the table: every tenth point */
    double tx[11], ty[11];
    for (size_t i = 0; i <= 10; i++) {
        tx[i] = xp[i * 10];
        ty[i] = yp[i * 10];
    }
    crm_chart_column cols[2] = {{"customers (%)", NULL, tx, 0}, {"share of revenue (%)", NULL, ty, 1}};
    crm_chart_table(p->h, "Cumulative share of revenue held by the top customers", cols, 2, 11);
    crm_html_close(p->h);
    crm_html_close(p->h);
}

/* ---- RFM grid ---- */

static void rfm_grid_section(page *p)
{
    const double *r = col(p, C_R), *f = col(p, C_F), *m = col(p, C_MONETARY);
    if (r == NULL || f == NULL) return;
    size_t rows = crm_figures_max_score(r, p->n), cols = crm_figures_max_score(f, p->n);
    if (rows == 0 || cols == 0 || rows > 20 || cols > 20) return;
    double *count = alloc(p, rows * cols, sizeof *count), *sum = alloc(p, rows * cols, sizeof *sum);
    char (*rl)[24] = alloc(p, rows, 24), (*cl)[24] = alloc(p, cols, 24);
    const char **row_labels = alloc(p, rows, sizeof *row_labels), **col_labels = alloc(p, cols, sizeof *col_labels);
    size_t ncells = rows * cols;
    double *cr = alloc(p, ncells, sizeof *cr), *cf = alloc(p, ncells, sizeof *cf);
    double *share = alloc(p, ncells, sizeof *share), *vshare = alloc(p, ncells, sizeof *vshare);
    double *flipped = alloc(p, ncells, sizeof *flipped);
    if (p->st == CRM_OK) {
        size_t skipped;
        crm_figures_grid(r, f, m, p->n, rows, cols, count, sum, &skipped);
        double total = 0, vtotal = 0;
        for (size_t c = 0; c < ncells; c++) {
            total += count[c];
            vtotal += sum[c];
        }
        /* rows drawn best recency first (r_score = rows at the top) */
        for (size_t i = 0; i < rows; i++) {
            snprintf(rl[i], 24, "R %zu", rows - i);
            row_labels[i] = rl[i];
            for (size_t j = 0; j < cols; j++) flipped[i * cols + j] = count[(rows - 1 - i) * cols + j];
        }
        for (size_t j = 0; j < cols; j++) {
            snprintf(cl[j], 24, "F %zu", j + 1);
            col_labels[j] = cl[j];
        }
        for (size_t c = 0; c < ncells; c++) {
            cr[c] = (double)(c / cols + 1);
            cf[c] = (double)(c % cols + 1);
            share[c] = total > 0 ? 100 * count[c] / total : NAN;
            vshare[c] = vtotal != 0 ? 100 * sum[c] / vtotal : NAN;
        }
        section_open(p, "rfm-grid", "RFM grid");
        figure_open(p, "fig-rfm-grid", "Customers by recency score (rows, 5 = most recent) and frequency score (columns)");
        crm_chart_spec spec = {"chart-rfm-grid", "RFM grid: customers per recency and frequency score",
                               "frequency score f_score (1 = fewest purchases)", "recency score r_score"};
        crm_chart_heatmap(p->h, &spec, row_labels, rows, col_labels, cols, flipped, 0);
        crm_chart_column tc[6] = {{"r_score", NULL, cr, 0},         {"f_score", NULL, cf, 0},
                                  {"customers", NULL, count, 0},     {"customers (%)", NULL, share, 1},
                                  {"revenue", NULL, sum, 2},         {"revenue (%)", NULL, vshare, 1}};
        crm_chart_table(p->h, "Customers and revenue per cell", tc, 6, ncells);
        if (skipped) {
            char msg[128];
            snprintf(msg, sizeof msg, "%zu customers without whole scores are not in the grid.", skipped);
            note(p, msg);
        }
        crm_html_close(p->h);
        crm_html_close(p->h);
    }
    free(count), free(sum), free(rl), free(cl), free(row_labels), free(col_labels);
    free(cr), free(cf), free(share), free(vshare), free(flipped);
}

/* ---- segments ---- */

typedef struct {
    const crm_customers_table *t;
    size_t column;
    const crm_segment_stats *stats;
} group_order_ctx;

/* Groups by customers, most first; ties by name, so the order is fixed. */
static int by_customers(const void *ctx, const void *a, const void *b)
{
    const group_order_ctx *o = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    size_t cx = o->stats[x].customers, cy = o->stats[y].customers;
    if (cx != cy) return cx > cy ? -1 : 1;
    return strcmp(crm_customers_table_value(o->t, o->column, x), crm_customers_table_value(o->t, o->column, y));
}

/* Stats per distinct value of a text column, and the values in display order. */
static crm_segment_stats *group_stats(page *p, size_t column, uint32_t **order, size_t *ngroups)
{
    const uint32_t *ids = crm_customers_table_ids(p->cust, column);
    size_t k = crm_customers_table_distinct(p->cust, column);
    crm_segment_stats *stats = alloc(p, k, sizeof *stats);
    int *labels = alloc(p, p->n, sizeof *labels);
    *order = alloc(p, k, sizeof **order);
    if (p->st != CRM_OK) {
        free(labels);
        return stats;
    }
    for (size_t i = 0; i < p->n; i++) labels[i] = (int)ids[i];
    double *value = alloc(p, p->n, sizeof *value);
    const double *m = col(p, C_MONETARY);
    for (size_t i = 0; value != NULL && i < p->n; i++) value[i] = isfinite(m[i]) ? m[i] : 0;
    if (value != NULL) crm_segment_profile(labels, p->n, k, value, NULL, 0, stats, NULL, p->err);
    free(value);
    free(labels);
    for (size_t g = 0; g < k; g++) (*order)[g] = (uint32_t)g;
    group_order_ctx ctx = {p->cust, column, stats};
    if (crm_sort_stable(*order, k, sizeof **order, by_customers, &ctx) != 0) fail_oom(p);
    *ngroups = k;
    return stats;
}

static void segment_figure(page *p, size_t column, const char *heading)
{
    uint32_t *order = NULL;
    size_t k = 0;
    crm_segment_stats *stats = group_stats(p, column, &order, &k);
    const char **names = alloc(p, k, sizeof *names);
    double *cust = alloc(p, k, sizeof *cust), *cshare = alloc(p, k, sizeof *cshare);
    double *value = alloc(p, k, sizeof *value), *vshare = alloc(p, k, sizeof *vshare);
    double *mean = alloc(p, k, sizeof *mean);
    if (p->st == CRM_OK) {
        for (size_t g = 0; g < k; g++) {
            const crm_segment_stats *s = &stats[order[g]];
            names[g] = crm_customers_table_value(p->cust, column, order[g]);
            cust[g] = (double)s->customers;
            cshare[g] = 100 * s->customer_share;
            value[g] = s->value_total;
            vshare[g] = 100 * s->value_share;
            mean[g] = s->customers ? s->value_total / (double)s->customers : NAN;
        }
        const char *name = crm_customers_table_name(p->cust, column);
        char id[64], chart_id[64], caption[160];
        snprintf(id, sizeof id, "fig-%s", name);
        snprintf(chart_id, sizeof chart_id, "chart-%s", name);
        snprintf(caption, sizeof caption, "%s: share of customers and of revenue (column %s)", heading, name);
        figure_open(p, id, caption);
        const double *series[2] = {cshare, vshare};
        const char *series_names[2] = {"customers (%)", "revenue (%)"};
        crm_chart_spec spec = {chart_id, caption, "share (%)", heading};
        crm_chart_bars(p->h, &spec, names, k, series, series_names, 2);
        crm_chart_column tc[6] = {{name, names, NULL, 0},           {"customers", NULL, cust, 0},
                                  {"customers (%)", NULL, cshare, 1}, {"revenue", NULL, value, 2},
                                  {"revenue (%)", NULL, vshare, 1},   {"mean revenue", NULL, mean, 2}};
        crm_chart_table(p->h, NULL, tc, 6, k);
        crm_html_close(p->h);
    }
    free(stats), free(order), free(names), free(cust), free(cshare), free(value), free(vshare), free(mean);
}

static const struct { size_t column; const char *heading; } segment_columns[] = {
    {C_SEGMENT, "Segment"}, {C_SEG_RFM, "RFM segment"}, {C_SEG_VALUE, "Value tier"},
    {C_SEG_LIFECYCLE, "Lifecycle stage"}, {C_SEG_KMEANS, "Cluster"}};

static void segments_section(page *p)
{
    int any = 0;
    for (size_t i = 0; i < sizeof segment_columns / sizeof *segment_columns; i++)
        any |= crm_customers_table_has(p->cust, segment_columns[i].column);
    if (!any) return;
    section_open(p, "segments", "Segments");
    for (size_t i = 0; i < sizeof segment_columns / sizeof *segment_columns && p->st == CRM_OK; i++)
        if (crm_customers_table_has(p->cust, segment_columns[i].column))
            segment_figure(p, segment_columns[i].column, segment_columns[i].heading);
    crm_html_close(p->h);
}

/* ---- segment x attribute ---- */

enum { ATTRIBUTE_MAX_VALUES = 12, ATTRIBUTE_MAX_DISTINCT = 10000 };

static void attribute_figure(page *p, size_t seg_col, size_t attr_col)
{
    uint32_t *seg_order = NULL, *attr_order = NULL;
    size_t ns = 0, na = 0;
    crm_segment_stats *seg_stats = group_stats(p, seg_col, &seg_order, &ns);
    crm_segment_stats *attr_stats = group_stats(p, attr_col, &attr_order, &na);
    /* the most common values, the rest as one "other" column */
    size_t shown = na > ATTRIBUTE_MAX_VALUES ? ATTRIBUTE_MAX_VALUES - 1 : na;
    size_t ncols = shown + (na > shown);
    size_t *attr_slot = alloc(p, na, sizeof *attr_slot), *seg_slot = alloc(p, ns, sizeof *seg_slot);
    double *cells = alloc(p, ns * ncols, sizeof *cells);
    const char **row_labels = alloc(p, ns, sizeof *row_labels), **col_labels = alloc(p, ncols, sizeof *col_labels);
    crm_chart_column *tc = alloc(p, ncols + 2, sizeof *tc);
    double *row_totals = alloc(p, ns, sizeof *row_totals);
    double **columns = alloc(p, ncols, sizeof *columns);
    for (size_t c = 0; p->st == CRM_OK && c < ncols; c++) columns[c] = alloc(p, ns, sizeof **columns);
    if (p->st == CRM_OK) {
        for (size_t a = 0; a < na; a++) attr_slot[attr_order[a]] = a < shown ? a : shown;
        for (size_t s = 0; s < ns; s++) seg_slot[seg_order[s]] = s;
        const uint32_t *sid = crm_customers_table_ids(p->cust, seg_col), *aid = crm_customers_table_ids(p->cust, attr_col);
        for (size_t i = 0; i < p->n; i++) cells[seg_slot[sid[i]] * ncols + attr_slot[aid[i]]] += 1;
        for (size_t s = 0; s < ns; s++) row_labels[s] = crm_customers_table_value(p->cust, seg_col, seg_order[s]);
        for (size_t c = 0; c < shown; c++) col_labels[c] = crm_customers_table_value(p->cust, attr_col, attr_order[c]);
        if (ncols > shown) col_labels[shown] = "other";
        for (size_t s = 0; s < ns; s++)
            for (size_t c = 0; c < ncols; c++) {
                columns[c][s] = cells[s * ncols + c];
                row_totals[s] += cells[s * ncols + c];
            }
        const char *sname = crm_customers_table_name(p->cust, seg_col), *aname = crm_customers_table_name(p->cust, attr_col);
        char id[96], chart_id[96], caption[200], x_label[96];
        snprintf(id, sizeof id, "fig-attr-%s", aname);
        snprintf(chart_id, sizeof chart_id, "chart-attr-%s", aname);
        snprintf(caption, sizeof caption, "Customers by %s and %s", sname, aname);
        snprintf(x_label, sizeof x_label, "%s (most customers first)", aname);
        figure_open(p, id, caption);
        crm_chart_spec spec = {chart_id, caption, x_label, sname};
        crm_chart_heatmap(p->h, &spec, row_labels, ns, col_labels, ncols, cells, 0);
        tc[0] = (crm_chart_column){sname, row_labels, NULL, 0};
        for (size_t c = 0; c < ncols; c++) tc[c + 1] = (crm_chart_column){col_labels[c], NULL, columns[c], 0};
        tc[ncols + 1] = (crm_chart_column){"all", NULL, row_totals, 0};
        crm_chart_table(p->h, "Customers per segment and value", tc, ncols + 2, ns);
        crm_html_close(p->h);
    }
    for (size_t c = 0; columns != NULL && c < ncols; c++) free(columns[c]);
    free(columns), free(row_totals), free(tc), free(row_labels), free(col_labels), free(cells);
    free(attr_slot), free(seg_slot), free(seg_stats), free(attr_stats), free(seg_order), free(attr_order);
}

static void attributes_section(page *p)
{
    size_t seg_col = 0;
    int have_segment = 0;
    for (size_t i = 0; i < sizeof segment_columns / sizeof *segment_columns && !have_segment; i++)
        if (crm_customers_table_has(p->cust, segment_columns[i].column)) {
            seg_col = segment_columns[i].column;
            have_segment = 1;
        }
    size_t ncolumns = crm_customers_table_columns(p->cust);
    if (!have_segment || ncolumns <= C_NCUSTOMER) return;
    section_open(p, "attributes", "Segments by customer attribute");
    for (size_t c = C_NCUSTOMER; c < ncolumns && p->st == CRM_OK; c++) {
        size_t distinct = crm_customers_table_distinct(p->cust, c);
        if (distinct > ATTRIBUTE_MAX_DISTINCT) {
            char msg[160];
            snprintf(msg, sizeof msg, "Column %s has %zu distinct values: not drawn.", crm_customers_table_name(p->cust, c),
                     distinct);
            note(p, msg);
            continue;
        }
        attribute_figure(p, seg_col, c);
    }
    crm_html_close(p->h);
}

/* ---- lifetime value ---- */

enum { CLV_BINS = 20, TOP_CUSTOMERS = 10, ALIVE_COLS = 10 };

static void clv_histogram(page *p)
{
    double edges[CLV_BINS + 1], counts[CLV_BINS];
    crm_error why;
    if (crm_figures_histogram(col(p, C_CLV), p->n, CLV_BINS, edges, counts, &why) != CRM_OK) return;
    figure_open(p, "fig-clv", "Distribution of predicted customer lifetime value (clv)");
    crm_chart_spec spec = {"chart-clv", "Customers per range of predicted lifetime value",
                           "predicted lifetime value clv (money)", "customers"};
    int decimals = edges[CLV_BINS] - edges[0] >= 100 ? 0 : 2;
    crm_chart_histogram(p->h, &spec, edges, counts, CLV_BINS, decimals);
    crm_chart_column tc[3] = {{"clv from", NULL, edges, 2}, {"clv to", NULL, edges + 1, 2}, {"customers", NULL, counts, 0}};
    crm_chart_table(p->h, "The last range reaches the largest value (equal ranges up to the 99th percentile)", tc, 3,
                    CLV_BINS);
    crm_html_close(p->h);
}

static void top_customers(page *p)
{
    size_t index[TOP_CUSTOMERS];
    size_t k = crm_figures_top(col(p, C_CLV), p->n, TOP_CUSTOMERS, index);
    if (k == 0) return;
    const char *ids[TOP_CUSTOMERS];
    double clv[TOP_CUSTOMERS], alive[TOP_CUSTOMERS], freq[TOP_CUSTOMERS], money[TOP_CUSTOMERS];
    const double *pa = col(p, C_P_ALIVE), *fr = col(p, C_FREQUENCY);
    for (size_t i = 0; i < k; i++) {
        ids[i] = crm_customers_table_text(p->cust, C_ID, index[i]);
        clv[i] = col(p, C_CLV)[index[i]];
        alive[i] = pa ? pa[index[i]] : NAN;
        freq[i] = fr ? fr[index[i]] : NAN;
        money[i] = col(p, C_MONETARY)[index[i]];
    }
    crm_html_element(p->h, "h3", "Top customers by predicted lifetime value");
    crm_chart_column tc[5] = {{"customer_id", ids, NULL, 0}, {"clv", NULL, clv, 2}, {"p_alive", NULL, alive, 3},
                              {"frequency", NULL, freq, 0},  {"monetary", NULL, money, 2}};
    crm_chart_table(p->h, NULL, tc, 5, k);
}

/* P(alive) by repeat purchases x and recency t_x, as lifetimes'
 * plot_probability_alive_matrix: here the mean p_alive of the customers in
 * each cell (the matrix of the fitted customers, not of the model alone). */
static void alive_matrix(page *p)
{
    const double *x = col(p, C_X), *tx = col(p, C_TX), *T = col(p, C_T), *pa = col(p, C_P_ALIVE);
    if (x == NULL || tx == NULL || T == NULL || pa == NULL) return;
    static const double x_lower[] = {0, 1, 2, 3, 4, 5, 6, 10, 20, 50};
    static const char *const x_names[] = {"0", "1", "2", "3", "4", "5", "6-9", "10-19", "20-49", "50+"};
    enum { XR = sizeof x_lower / sizeof *x_lower };
    double t_max = 0;
    for (size_t i = 0; i < p->n; i++)
        if (isfinite(T[i]) && T[i] > t_max) t_max = T[i];
    if (!(t_max > 0)) return;
    double t_lower[ALIVE_COLS];
    char t_names[ALIVE_COLS][96];
    const char *t_labels[ALIVE_COLS];
    double width = t_max / ALIVE_COLS;
    for (size_t c = 0; c < ALIVE_COLS; c++) {
        t_lower[c] = width * (double)c;
        char a[CRM_NUMBER_TEXT_MAX], b[CRM_NUMBER_TEXT_MAX];
        crm_double_format_fixed(t_lower[c], 0, a);
        crm_double_format_fixed(t_lower[c] + width, 0, b);
        snprintf(t_names[c], sizeof t_names[c], "%s-%s", a, b);
        t_labels[c] = t_names[c];
    }
    size_t *rb = alloc(p, p->n, sizeof *rb), *cb = alloc(p, p->n, sizeof *cb);
    double means[XR * ALIVE_COLS], counts[XR * ALIVE_COLS], flipped[XR * ALIVE_COLS];
    if (p->st != CRM_OK) {
        free(rb), free(cb);
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        rb[i] = isfinite(x[i]) ? crm_figures_bin(x[i], x_lower, XR) : XR;
        cb[i] = isfinite(tx[i]) ? crm_figures_bin(tx[i], t_lower, ALIVE_COLS) : ALIVE_COLS;
    }
    crm_figures_cell_means(rb, cb, pa, p->n, XR, ALIVE_COLS, means, counts);
    free(rb), free(cb);
    /* rows: most repeat purchases at the top, as lifetimes draws it; drop empty top rows */
    size_t rows = XR;
    while (rows > 1) {
        double in_row = 0;
        for (size_t c = 0; c < ALIVE_COLS; c++) in_row += counts[(rows - 1) * ALIVE_COLS + c];
        if (in_row > 0) break;
        rows--;
    }
    const char *row_labels[XR];
    for (size_t r = 0; r < rows; r++) {
        row_labels[r] = x_names[rows - 1 - r];
        for (size_t c = 0; c < ALIVE_COLS; c++) flipped[r * ALIVE_COLS + c] = means[(rows - 1 - r) * ALIVE_COLS + c];
    }
    figure_open(p, "fig-p-alive", "Probability alive by repeat purchases (x) and recency (t_x)");
    crm_chart_spec spec = {"chart-p-alive", "Mean P(alive) per cell of repeat purchases and recency",
                           "recency t_x: last minus first purchase (unit of the customers table)",
                           "repeat purchases x"};
    crm_chart_heatmap(p->h, &spec, row_labels, rows, t_labels, ALIVE_COLS, flipped, 2);
    /* table: one row per x range, one column per t_x range */
    crm_chart_column tc[ALIVE_COLS + 1];
    double cols_data[ALIVE_COLS][XR];
    tc[0] = (crm_chart_column){"x \\ t_x", row_labels, NULL, 0};
    for (size_t c = 0; c < ALIVE_COLS; c++) {
        for (size_t r = 0; r < rows; r++) cols_data[c][r] = flipped[r * ALIVE_COLS + c];
        tc[c + 1] = (crm_chart_column){t_labels[c], NULL, cols_data[c], 3};
    }
    crm_chart_table(p->h, "Mean p_alive per cell (empty: no customer)", tc, ALIVE_COLS + 1, rows);
    crm_html_close(p->h);
}

static void ltv_section(page *p)
{
    int have_clv = crm_customers_table_has(p->cust, C_CLV);
    int have_alive = crm_customers_table_has(p->cust, C_P_ALIVE) && crm_customers_table_has(p->cust, C_X) &&
                     crm_customers_table_has(p->cust, C_TX) && crm_customers_table_has(p->cust, C_T);
    const crm_customers_table *v = p->in->tables[CRM_PAGE_VALIDATION];
    if (!have_clv && !have_alive && v == NULL) return;
    section_open(p, "ltv", "Lifetime value");
    if (have_clv) {
        clv_histogram(p);
        top_customers(p);
    }
    if (have_alive) alive_matrix(p);
    if (v != NULL && crm_customers_table_rows(v) > 0 && p->st == CRM_OK) {
        size_t k = crm_customers_table_rows(v);
        const char **models = alloc(p, k, sizeof *models);
        if (models != NULL) {
            for (size_t i = 0; i < k; i++) models[i] = crm_customers_table_text(v, V_MODEL, i);
            figure_open(p, "fig-validation", "Calibration vs holdout: actual and predicted purchases in the holdout period");
            const double *series[2] = {crm_customers_table_numbers(v, V_ACTUAL), crm_customers_table_numbers(v, V_PREDICTED)};
            const char *names[2] = {"actual total", "predicted total"};
            crm_chart_spec spec = {"chart-validation", "Actual and predicted holdout totals per model",
                                   "holdout purchases (total over customers)", "model"};
            crm_chart_bars(p->h, &spec, models, k, series, names, 2);
            crm_chart_column tc[7] = {
                {"model", models, NULL, 0},
                {"customers", NULL, crm_customers_table_numbers(v, V_CUSTOMERS), 0},
                {"actual_total", NULL, crm_customers_table_numbers(v, V_ACTUAL), 2},
                {"predicted_total", NULL, crm_customers_table_numbers(v, V_PREDICTED), 2},
                {"mae", NULL, crm_customers_table_numbers(v, V_MAE), 4},
                {"rmse", NULL, crm_customers_table_numbers(v, V_RMSE), 4},
                {"loglik", NULL, crm_customers_table_numbers(v, V_LOGLIK), 2}};
            crm_chart_table(p->h, "Validation of the models on the holdout period", tc, 7, k);
            crm_html_close(p->h);
        }
        free(models);
    }
    crm_html_close(p->h);
}

/* ---- cohort ---- */

enum { COHORT_MAX_PERIODS = 120, COHORT_MAX_LINES = 8 };

static void cohort_section(page *p)
{
    const crm_customers_table *t = p->in->tables[CRM_PAGE_COHORT];
    if (t == NULL || crm_customers_table_rows(t) == 0) return;
    size_t rows = crm_customers_table_rows(t);
    const double *period = crm_customers_table_numbers(t, K_PERIOD);
    size_t retention_col = crm_customers_table_has(t, K_FROM_START) ? K_FROM_START : K_RATE;
    const double *retention = crm_customers_table_numbers(t, retention_col);
    const double *ltv = crm_customers_table_numbers(t, K_LTV);
    const uint32_t *cohort = crm_customers_table_ids(t, K_COHORT);
    size_t ncohorts = crm_customers_table_distinct(t, K_COHORT), nperiods = 0;
    for (size_t i = 0; i < rows; i++) {
        if (!(period[i] >= 1 && period[i] <= COHORT_MAX_PERIODS) || period[i] != floor(period[i])) {
            char v[CRM_NUMBER_TEXT_MAX];
            crm_double_format(period[i], v);
            p->st = crm_error_set(p->err, CRM_EDATA, "%s:%llu: column 'period': cannot read '%s' as a period 1..%d",
                                  crm_customers_table_input(t), (unsigned long long)crm_customers_table_line(t, i), v,
                                  COHORT_MAX_PERIODS);
            return;
        }
        if ((size_t)period[i] > nperiods) nperiods = (size_t)period[i];
    }
    double *ret = alloc(p, ncohorts * nperiods, sizeof *ret), *cum = alloc(p, ncohorts * nperiods, sizeof *cum);
    const char **cohorts = alloc(p, ncohorts, sizeof *cohorts), **periods = alloc(p, nperiods, sizeof *periods);
    char (*period_names)[24] = alloc(p, nperiods, 24);
    double **ret_cols = alloc(p, nperiods, sizeof *ret_cols), **ltv_cols = alloc(p, nperiods, sizeof *ltv_cols);
    crm_chart_column *tc = alloc(p, nperiods + 1, sizeof *tc);
    for (size_t c = 0; p->st == CRM_OK && c < nperiods; c++) {
        ret_cols[c] = alloc(p, ncohorts, sizeof **ret_cols);
        ltv_cols[c] = alloc(p, ncohorts, sizeof **ltv_cols);
    }
    if (p->st == CRM_OK) {
        for (size_t i = 0; i < ncohorts * nperiods; i++) ret[i] = cum[i] = NAN;
        for (size_t c = 0; c < ncohorts; c++) cohorts[c] = crm_customers_table_value(t, K_COHORT, (uint32_t)c);
        for (size_t k = 0; k < nperiods; k++) {
            snprintf(period_names[k], 24, "%zu", k + 1);
            periods[k] = period_names[k];
        }
        for (size_t i = 0; i < rows; i++) {
            size_t cell = cohort[i] * nperiods + (size_t)period[i] - 1;
            /* period 1 retains everyone by definition when measured from the start */
            double r = retention != NULL ? retention[i] : NAN;
            if (!isfinite(r) && period[i] == 1 && retention_col == K_FROM_START) r = 1;
            ret[cell] = isfinite(r) ? 100 * r : NAN;
            if (ltv != NULL) cum[cell] = ltv[i];
        }
        section_open(p, "cohort", "Cohorts");
        const char *measure = retention_col == K_FROM_START ? "retention from the start (%)" : "retention from the period before (%)";
        char caption[160];
        snprintf(caption, sizeof caption, "Cohort retention: %s, by cohort of first purchase and period", measure);
        figure_open(p, "fig-cohort-retention", caption);
        crm_chart_spec spec = {"chart-cohort-retention", caption, "period since first purchase (1 = acquisition)",
                               "cohort (first purchase)"};
        crm_chart_heatmap(p->h, &spec, cohorts, ncohorts, periods, nperiods, ret, 0);
        tc[0] = (crm_chart_column){"cohort", cohorts, NULL, 0};
        for (size_t k = 0; k < nperiods; k++) {
            for (size_t c = 0; c < ncohorts; c++) ret_cols[k][c] = ret[c * nperiods + k];
            tc[k + 1] = (crm_chart_column){periods[k], NULL, ret_cols[k], 1};
        }
        crm_chart_table(p->h, measure, tc, nperiods + 1, ncohorts);
        crm_html_close(p->h);

        if (ltv != NULL) {
            figure_open(p, "fig-cohort-ltv", "Cumulative lifetime value per customer, by cohort (discounted profit)");
            crm_chart_series series[COHORT_MAX_LINES];
            double *xs = alloc(p, nperiods, sizeof *xs);
            size_t nlines = ncohorts < COHORT_MAX_LINES ? ncohorts : COHORT_MAX_LINES;
            double y_max = 0;
            for (size_t i = 0; i < ncohorts * nperiods; i++)
                if (isfinite(cum[i]) && cum[i] > y_max) y_max = cum[i];
            for (size_t k = 0; xs != NULL && k < nperiods; k++) xs[k] = (double)(k + 1);
            for (size_t l = 0; xs != NULL && l < nlines; l++) {
                /* more cohorts than lines: evenly spaced ones, the first and the last included */
                size_t c = nlines > 1 ? l * (ncohorts - 1) / (nlines - 1) : 0;
                series[l] = (crm_chart_series){cohorts[c], xs, cum + c * nperiods, nperiods};
            }
            crm_chart_spec lspec = {"chart-cohort-ltv", "Cumulative LTV per customer by period and cohort",
                                    "period since first purchase", "cumulative LTV per customer (money)"};
            if (xs != NULL)
                crm_chart_lines(p->h, &lspec, series, nlines, (double)nperiods, y_max > 0 ? y_max : 1, 0, NULL, 0);
            if (ncohorts > nlines) note(p, "The chart draws eight cohorts spread over the range; the table has all.");
            for (size_t k = 0; k < nperiods; k++) {
                for (size_t c = 0; c < ncohorts; c++) ltv_cols[k][c] = cum[c * nperiods + k];
                tc[k + 1] = (crm_chart_column){periods[k], NULL, ltv_cols[k], 2};
            }
            crm_chart_table(p->h, "ltv_per_customer: cumulative discounted profit per acquired customer", tc,
                            nperiods + 1, ncohorts);
            crm_html_close(p->h);
            free(xs);
        }
        crm_html_close(p->h);
    }
    for (size_t c = 0; c < nperiods && ret_cols != NULL && ltv_cols != NULL; c++) free(ret_cols[c]), free(ltv_cols[c]);
    free(ret), free(cum), free(cohorts), free(periods), free(period_names), free(ret_cols), free(ltv_cols), free(tc);
}

/* ---- rules ---- */

/* By lift, then confidence, then support, highest first; then file order
 * (the sort is stable). */
static int by_lift(const void *ctx, const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const crm_customers_table *t = ctx;
    for (size_t c = R_LIFT; c >= R_SUPPORT; c--) {
        double vx = crm_customers_table_numbers(t, c)[x], vy = crm_customers_table_numbers(t, c)[y];
        if (vx != vy) return vx > vy ? -1 : 1;
    }
    return 0;
}

/* The rows of the top rules, by lift. */
static size_t top_rules(const crm_customers_table *t, size_t *index)
{
    size_t n = crm_customers_table_rows(t);
    size_t *all = malloc((n ? n : 1) * sizeof *all);
    if (all == NULL) return 0;
    for (size_t i = 0; i < n; i++) all[i] = i;
    if (crm_sort_stable(all, n, sizeof *all, by_lift, t) != 0) {
        free(all);
        return 0;
    }
    size_t k = n < CRM_REPORT_PAGE_TOP_RULES ? n : CRM_REPORT_PAGE_TOP_RULES;
    memcpy(index, all, k * sizeof *index);
    free(all);
    return k;
}

struct crm_report_page_cross_sell {
    size_t nrules;
    size_t customers;                                 /* distinct customers in the transactions */
    double both[CRM_REPORT_PAGE_TOP_RULES];           /* bought antecedent and consequent */
    double audience[CRM_REPORT_PAGE_TOP_RULES];       /* antecedent, not yet the consequent */
};

void crm_report_page_cross_sell_free(crm_report_page_cross_sell *c) { free(c); }

enum { CROSS_SELL_MAX_ITEMS = 64 };

/* Splits "{a,b}" (or "a,b") into items interned in items; sets their bits. */
static int rule_items(crm_strtab *items, const char *text, uint64_t *mask)
{
    size_t len = strlen(text);
    if (len >= 2 && text[0] == '{' && text[len - 1] == '}') text++, len -= 2;
    *mask = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != ',') continue;
        uint32_t id;
        if (crm_strtab_intern(items, text + start, i - start, &id) < 0 || id >= CROSS_SELL_MAX_ITEMS) return -1;
        *mask |= UINT64_C(1) << id;
        start = i + 1;
    }
    return 0;
}

crm_status crm_report_page_cross_sell_read(crm_report_page_cross_sell **out, const crm_customers_table *rules,
                                           crm_csv_reader *r, crm_error *err)
{
    *out = NULL;
    long cust_col = crm_csv_column(r, "customer_id", err);
    if (cust_col < 0) return CRM_EDATA;
    long item_col = crm_csv_column(r, "product_id", err);
    if (item_col < 0) return CRM_EDATA;
    crm_report_page_cross_sell *cs = calloc(1, sizeof *cs);
    crm_strtab *items = crm_strtab_new(64), *customers = crm_strtab_new(1024);
    uint64_t *bought = NULL;
    size_t cap = 0;
    size_t index[CRM_REPORT_PAGE_TOP_RULES];
    uint64_t ante[CRM_REPORT_PAGE_TOP_RULES], cons[CRM_REPORT_PAGE_TOP_RULES];
    crm_status st = CRM_OK;
    if (cs == NULL || items == NULL || customers == NULL) st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (st == CRM_OK) cs->nrules = top_rules(rules, index);
    for (size_t i = 0; st == CRM_OK && i < cs->nrules; i++)
        if (rule_items(items, crm_customers_table_text(rules, R_ANTECEDENT, index[i]), &ante[i]) < 0 ||
            rule_items(items, crm_customers_table_text(rules, R_CONSEQUENT, index[i]), &cons[i]) < 0)
            st = crm_error_set(err, CRM_EDATA, "the top rules name more than %d items", CROSS_SELL_MAX_ITEMS);
    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec != NULL) {
        if (rec->defect != CRM_CSV_RECORD_OK) {
            st = crm_csv_defect_error(r, rec, err);
            break;
        }
        if ((size_t)cust_col >= rec->nfields || (size_t)item_col >= rec->nfields) continue;
        uint32_t cid, iid;
        if (crm_strtab_intern(customers, rec->fields[cust_col], rec->lengths[cust_col], &cid) < 0) {
            st = crm_error_set(err, CRM_ENOMEM, "out of memory");
            break;
        }
        if (cid >= cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            uint64_t *grown = realloc(bought, ncap * sizeof *grown);
            if (grown == NULL) {
                st = crm_error_set(err, CRM_ENOMEM, "out of memory");
                break;
            }
            memset(grown + cap, 0, (ncap - cap) * sizeof *grown);
            bought = grown, cap = ncap;
        }
        if (crm_strtab_find(items, rec->fields[item_col], rec->lengths[item_col], &iid))
            bought[cid] |= UINT64_C(1) << iid;
    }
    if (st == CRM_OK) {
        cs->customers = crm_strtab_count(customers);
        for (size_t c = 0; c < cs->customers; c++)
            for (size_t i = 0; i < cs->nrules; i++)
                if ((bought[c] & ante[i]) == ante[i]) {
                    if ((bought[c] & cons[i]) == cons[i]) cs->both[i] += 1;
                    else cs->audience[i] += 1;
                }
        *out = cs;
    } else {
        free(cs);
    }
    free(bought);
    crm_strtab_free(items);
    crm_strtab_free(customers);
    return st;
}

static void rules_section(page *p)
{
    const crm_customers_table *t = p->in->tables[CRM_PAGE_RULES];
    if (t == NULL || crm_customers_table_rows(t) == 0) return;
    size_t index[CRM_REPORT_PAGE_TOP_RULES];
    size_t k = top_rules(t, index);
    if (k == 0) {
        fail_oom(p);
        return;
    }
    char labels[CRM_REPORT_PAGE_TOP_RULES][160];
    const char *names[CRM_REPORT_PAGE_TOP_RULES], *ante[CRM_REPORT_PAGE_TOP_RULES], *cons[CRM_REPORT_PAGE_TOP_RULES];
    double lift[CRM_REPORT_PAGE_TOP_RULES], support[CRM_REPORT_PAGE_TOP_RULES], conf[CRM_REPORT_PAGE_TOP_RULES];
    double count[CRM_REPORT_PAGE_TOP_RULES];
    const double *counts = crm_customers_table_numbers(t, R_COUNT);
    for (size_t i = 0; i < k; i++) {
        ante[i] = crm_customers_table_text(t, R_ANTECEDENT, index[i]);
        cons[i] = crm_customers_table_text(t, R_CONSEQUENT, index[i]);
        snprintf(labels[i], sizeof labels[i], "%s \xE2\x86\x92 %s", ante[i], cons[i]);
        names[i] = labels[i];
        lift[i] = crm_customers_table_numbers(t, R_LIFT)[index[i]];
        support[i] = 100 * crm_customers_table_numbers(t, R_SUPPORT)[index[i]];
        conf[i] = 100 * crm_customers_table_numbers(t, R_CONFIDENCE)[index[i]];
        count[i] = counts ? counts[index[i]] : NAN;
    }
    section_open(p, "rules", "Association rules");
    char caption[160];
    snprintf(caption, sizeof caption, "The %zu rules with the highest lift (of %zu)", k, crm_customers_table_rows(t));
    figure_open(p, "fig-rules", caption);
    const double *series[1] = {lift};
    const char *series_names[1] = {"lift"};
    crm_chart_spec spec = {"chart-rules", caption, "lift (times more likely than by chance)", "rule"};
    crm_chart_bars(p->h, &spec, names, k, series, series_names, 1);
    crm_chart_column tc[6] = {{"antecedent", ante, NULL, 0}, {"consequent", cons, NULL, 0},
                              {"count", NULL, count, 0},     {"support (%)", NULL, support, 2},
                              {"confidence (%)", NULL, conf, 1}, {"lift", NULL, lift, 2}};
    crm_chart_table(p->h, NULL, tc, 6, k);
    crm_html_close(p->h);

    const crm_report_page_cross_sell *cs = p->in->cross_sell;
    if (cs != NULL && cs->nrules == k) {
        double audience_share[CRM_REPORT_PAGE_TOP_RULES];
        for (size_t i = 0; i < k; i++)
            audience_share[i] = cs->customers ? 100 * cs->audience[i] / (double)cs->customers : NAN;
        figure_open(p, "fig-cross-sell", "Cross-sell coverage: customers who bought the antecedent, with and without the consequent");
        const double *s2[2] = {cs->both, cs->audience};
        const char *n2[2] = {"bought both", "audience: not yet the consequent"};
        crm_chart_spec cspec = {"chart-cross-sell", "Customers per rule who bought both, and the cross-sell audience",
                                "customers", "rule"};
        crm_chart_bars(p->h, &cspec, names, k, s2, n2, 2);
        crm_chart_column cc[5] = {{"antecedent", ante, NULL, 0}, {"consequent", cons, NULL, 0},
                                  {"bought both", NULL, cs->both, 0}, {"audience", NULL, cs->audience, 0},
                                  {"audience (% of customers)", NULL, audience_share, 1}};
        crm_chart_table(p->h, NULL, cc, 5, k);
        crm_html_close(p->h);
    }
    crm_html_close(p->h);
}

/* ---- the page ---- */

static int has(const page *p, size_t column) { return crm_customers_table_has(p->cust, column); }

static int any_segment(const page *p)
{
    for (size_t i = 0; i < sizeof segment_columns / sizeof *segment_columns; i++)
        if (has(p, segment_columns[i].column)) return 1;
    return 0;
}

/* Links to the sections that will be drawn (the same conditions as theirs,
 * in the cheap form: a section whose data turn out empty is left out of
 * the page but its link stays, and leads to the top). */
static void nav(page *p)
{
    const crm_report_page_input *in = p->in;
    struct { const char *id, *name; int shown; } all[] = {
        {"headline", "Headline", 1},
        {"pareto", "Pareto", 1},
        {"rfm-grid", "RFM grid", has(p, C_R) && has(p, C_F)},
        {"segments", "Segments", any_segment(p)},
        {"attributes", "Attributes", any_segment(p) && crm_customers_table_columns(p->cust) > C_NCUSTOMER},
        {"ltv", "Lifetime value", has(p, C_CLV) || (has(p, C_P_ALIVE) && has(p, C_X) && has(p, C_TX) && has(p, C_T)) ||
                                      in->tables[CRM_PAGE_VALIDATION] != NULL},
        {"cohort", "Cohorts", in->tables[CRM_PAGE_COHORT] && crm_customers_table_rows(in->tables[CRM_PAGE_COHORT])},
        {"rules", "Rules", in->tables[CRM_PAGE_RULES] && crm_customers_table_rows(in->tables[CRM_PAGE_RULES])}};
    crm_html_open(p->h, "nav");
    crm_html_open(p->h, "ul");
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        if (!all[i].shown) continue;
        char href[32];
        snprintf(href, sizeof href, "#%s", all[i].id);
        crm_html_open(p->h, "li");
        crm_html_open(p->h, "a");
        crm_html_attr(p->h, "href", href);
        crm_html_text(p->h, all[i].name, (size_t)-1);
        crm_html_close(p->h);
        crm_html_close(p->h);
    }
    crm_html_close(p->h);
    crm_html_close(p->h);
}

crm_status crm_report_page_write(const crm_report_page_input *in, crm_output *out, crm_error *err)
{
    page p = {crm_html_new(), in, in->tables[CRM_PAGE_CUSTOMERS], 0, CRM_OK, err};
    if (p.h == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory");
    p.n = crm_customers_table_rows(p.cust);
    const char *title = in->title != NULL ? in->title : "Customer report";
    crm_html_raw(p.h, "<!DOCTYPE html>\n");
    crm_html_open(p.h, "html");
    crm_html_attr(p.h, "lang", "en");
    crm_html_open(p.h, "head");
    crm_html_open(p.h, "meta");
    crm_html_attr(p.h, "charset", "utf-8");
    crm_html_close(p.h);
    crm_html_open(p.h, "meta");
    crm_html_attr(p.h, "name", "viewport");
    crm_html_attr(p.h, "content", "width=device-width, initial-scale=1");
    crm_html_close(p.h);
    crm_html_element(p.h, "title", title);
    crm_html_open(p.h, "style");
    crm_html_raw(p.h, style);
    crm_html_close(p.h);
    crm_html_close(p.h);
    crm_html_open(p.h, "body");
    crm_html_open(p.h, "header");
    crm_html_element(p.h, "h1", title);
    char meta[512];
    snprintf(meta, sizeof meta, "%s%s%s%zu customers from %s", in->as_of ? "As of " : "", in->as_of ? in->as_of : "",
             in->as_of ? ": " : "", p.n, crm_customers_table_input(p.cust));
    crm_html_open(p.h, "p");
    crm_html_attr(p.h, "class", "meta");
    crm_html_text(p.h, meta, (size_t)-1);
    crm_html_close(p.h);
    crm_html_close(p.h);
    nav(&p);
    crm_html_raw(p.h, "\n");
    crm_html_open(p.h, "main");
    void (*sections[])(page *) = {headline, pareto_section, rfm_grid_section, segments_section, attributes_section,
                                  ltv_section, cohort_section, rules_section};
    for (size_t i = 0; i < sizeof sections / sizeof *sections && p.st == CRM_OK; i++) {
        sections[i](&p);
        crm_html_raw(p.h, "\n");
    }
    crm_html_close(p.h);
    crm_html_close(p.h);
    crm_html_close(p.h);
    crm_html_raw(p.h, "\n");
    crm_status st = p.st;
    if (st == CRM_OK) st = crm_html_status(p.h, err);
    if (st == CRM_OK && crm_html_depth(p.h) != 0) st = crm_error_set(err, CRM_EUSAGE, "report page left elements open");
    if (st == CRM_OK) {
        size_t len;
        const char *data = crm_html_data(p.h, &len);
        st = crm_output_write(out, data, len);
        if (st != CRM_OK) crm_error_set(err, st, "cannot write %s", crm_output_name(out));
    }
    crm_html_free(p.h);
    return st;
}
