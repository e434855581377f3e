/* Purchases per window: one pass over the day totals, which come in the
 * customers table's order (byte order of the ids). */
#include "crm/rfm_windows.h"

#include <string.h>

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

static crm_status count_day(void *ctx, const crm_rfm_day_total *t, crm_error *err)
{
    window_run *w = ctx;
    (void)err;
    /* Customers without a purchase before as_of are not in the table. */
    while (w->at < w->res->count && compare_ids(w->res->customers[w->at].customer_id,
                                                w->res->customers[w->at].customer_len, t->customer,
                                                t->customer_len) < 0)
        w->at++;
    if (w->at == w->res->count ||
        compare_ids(w->res->customers[w->at].customer_id, w->res->customers[w->at].customer_len, t->customer,
                    t->customer_len) != 0)
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
