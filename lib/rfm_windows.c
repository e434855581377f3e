/* Purchases per window: one pass over the day totals, which come in the
 * customers table's order (byte order of the ids). */
#include "crm/rfm_windows.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"

typedef struct {
    const crm_rfm_result *res;
    size_t at;                 /* the table row of the customer being visited */
    int32_t as_of, window;
    int by_invoice;
    uint64_t *recent, *previous;
} window_run;

static int compare_ids(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Table row at against a day total's customer (the rows may be kept as ids). */
static int compare_row(const crm_rfm_result *res, size_t at, const char *customer, size_t len)
{
    size_t row_len;
    const char *row = crm_rfm_result_id(res, at, &row_len);
    return compare_ids(row, row_len, customer, len);
}

static crm_status count_day(void *ctx, const crm_rfm_day_total *t, crm_error *err)
{
    window_run *w = ctx;
    (void)err;
    /* Customers without a purchase before as_of are not in the table. */
    while (w->at < w->res->count && compare_row(w->res, w->at, t->customer, t->customer_len) < 0)
        w->at++;
    if (w->at == w->res->count ||
        compare_row(w->res, w->at, t->customer, t->customer_len) != 0)
        return CRM_OK;
    int64_t back = (int64_t)w->as_of - t->day;   /* 1 for the day before as_of */
    uint64_t purchases = w->by_invoice ? t->invoices : 1;
    if (back >= 1 && back <= w->window)
        w->recent[w->at] += purchases;
    else if (back > w->window && back <= 2 * (int64_t)w->window)
        w->previous[w->at] += purchases;
    return CRM_OK;
}

crm_status crm_rfm_windows(const crm_rfm *a, const crm_rfm_result *res, int32_t as_of, int32_t window_days,
                           uint64_t *recent, uint64_t *previous, crm_error *err)
{
    if (window_days < 1)
        return crm_error_set(err, CRM_EUSAGE, "the recent window must be at least one day, not %d", (int)window_days);
    memset(recent, 0, res->count * sizeof *recent);
    memset(previous, 0, res->count * sizeof *previous);
    window_run w = {res, 0, as_of, window_days, crm_rfm_get_config(a)->by_invoice, recent, previous};
    return crm_rfm_each_day(a, count_day, &w, err);
}

/* ---- rhythm ---- */

typedef struct {
    const crm_rfm_result *res;
    size_t at;
    int current;               /* at names the customer being visited */
    int32_t as_of, period;
    uint64_t *streak;
    double *gap_cv;
    int32_t last_day;
    uint64_t days;
    double gap_sum, gap_sq;
    uint64_t *period_seen;     /* periods with a purchase, in the order met (descending) */
    size_t nperiods, cap;
} rhythm_run;

static void finish_customer(rhythm_run *w)
{
    if (!w->current)
        return;
    /* Days ascend, so the periods met descend: the streak reads them back. */
    uint64_t streak = 0;
    for (size_t k = w->nperiods; k-- > 0;) {
        if (w->period_seen[k] == streak + 1)
            streak++;
        else if (w->period_seen[k] > streak + 1)
            break;
    }
    w->streak[w->at] = streak;
    uint64_t gaps = w->days ? w->days - 1 : 0;
    if (gaps < 2) {
        w->gap_cv[w->at] = NAN;
    } else {
        double mean = w->gap_sum / (double)gaps;
        double var = w->gap_sq / (double)gaps - mean * mean;
        w->gap_cv[w->at] = sqrt(var > 0 ? var : 0) / mean;
    }
    w->current = 0;
}

static crm_status rhythm_day(void *ctx, const crm_rfm_day_total *t, crm_error *err)
{
    rhythm_run *w = ctx;
    if (t->day >= w->as_of)
        return CRM_OK;
    if (w->current && compare_row(w->res, w->at, t->customer, t->customer_len) != 0)
        finish_customer(w);
    if (!w->current) {
        while (w->at < w->res->count && compare_row(w->res, w->at, t->customer, t->customer_len) < 0)
            w->at++;
        if (w->at == w->res->count)
            return CRM_OK;
        w->current = 1;
        w->days = 0;
        w->gap_sum = w->gap_sq = 0;
        w->nperiods = 0;
    }
    if (w->days) {
        double gap = (double)((int64_t)t->day - w->last_day);
        w->gap_sum += gap;
        w->gap_sq += gap * gap;
    }
    w->days++;
    w->last_day = t->day;
    uint64_t k = (uint64_t)(((int64_t)w->as_of - 1 - t->day) / w->period) + 1;
    if (w->nperiods == 0 || w->period_seen[w->nperiods - 1] != k) {
        if (!crm_array_reserve(&w->period_seen, &w->cap, w->nperiods + 1, sizeof *w->period_seen))
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        w->period_seen[w->nperiods++] = k;
    }
    return CRM_OK;
}

crm_status crm_rfm_rhythm(const crm_rfm *a, const crm_rfm_result *res, int32_t as_of, int32_t period_days,
                          uint64_t *streak, double *gap_cv, crm_error *err)
{
    if (period_days < 1)
        return crm_error_set(err, CRM_EUSAGE, "the loyalty period must be at least one day, not %d", (int)period_days);
    rhythm_run w = {0};
    w.res = res;
    w.as_of = as_of;
    w.period = period_days;
    w.streak = streak;
    w.gap_cv = gap_cv;
    crm_status st = crm_rfm_each_day(a, rhythm_day, &w, err);
    if (st == CRM_OK)
        finish_customer(&w);
    free(w.period_seen);
    return st;
}

crm_status crm_rfm_extras_compute(const crm_rfm *a, const crm_rfm_result *res, int32_t as_of, int32_t window_days,
                                  int32_t period_days, crm_rfm_extras *out, crm_error *err)
{
    size_t n = res->count ? res->count : 1;
    memset(out, 0, sizeof *out);
    crm_status st = CRM_OK;
    if (window_days) {
        out->recent = malloc(n * sizeof *out->recent);
        out->previous = malloc(n * sizeof *out->previous);
        st = out->recent && out->previous ? crm_rfm_windows(a, res, as_of, window_days, out->recent, out->previous, err)
                                          : crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    if (st == CRM_OK && period_days) {
        out->streak = malloc(n * sizeof *out->streak);
        out->gap_cv = malloc(n * sizeof *out->gap_cv);
        st = out->streak && out->gap_cv ? crm_rfm_rhythm(a, res, as_of, period_days, out->streak, out->gap_cv, err)
                                        : crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    return st;
}

void crm_rfm_extras_free(crm_rfm_extras *x)
{
    free(x->recent);
    free(x->previous);
    free(x->streak);
    free(x->gap_cv);
    memset(x, 0, sizeof *x);
}

crm_status crm_rfm_rescore_recency(crm_rfm_result *res, const crm_rfm_options *opts, const crm_interactions *in,
                                   crm_recency_from from, crm_error *err)
{
    double *recency = malloc((res->count ? res->count : 1) * sizeof *recency);
    if (!recency)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_interactions_recency(in, res, opts->as_of, from, recency);
    crm_status st = crm_rfm_score_recency(res, opts, recency, err);
    free(recency);
    return st;
}
