/* Interactions per customer: a count and the latest day before as_of. */
#include "crm/interactions.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"
#include "crm/strtab.h"

struct crm_interactions {
    int32_t as_of;
    crm_strtab *ids;
    crm_interaction_summary *customers;   /* by strtab id */
    size_t cap;
    uint64_t rows_after;
};

crm_status crm_interactions_new(crm_interactions **out, int32_t as_of, crm_error *err)
{
    crm_interactions *a = calloc(1, sizeof *a);
    if (a)
        a->ids = crm_strtab_new(1024);
    if (!a || !a->ids) {
        free(a);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    a->as_of = as_of;
    *out = a;
    return CRM_OK;
}

void crm_interactions_free(crm_interactions *a)
{
    if (!a)
        return;
    crm_strtab_free(a->ids);
    free(a->customers);
    free(a);
}

crm_status crm_interactions_add(crm_interactions *a, const char *customer, size_t customer_len, int32_t day,
                                crm_error *err)
{
    if (day >= a->as_of) {
        a->rows_after++;
        return CRM_OK;
    }
    uint32_t id;
    int fresh = crm_strtab_intern(a->ids, customer, customer_len, &id);
    if (fresh < 0 || (fresh && !crm_array_reserve(&a->customers, &a->cap, (size_t)id + 1, sizeof *a->customers)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory after %zu customers", crm_strtab_count(a->ids));
    crm_interaction_summary *c = &a->customers[id];
    if (fresh) {
        c->count = 0;
        c->last_day = day;
    }
    c->count++;
    if (day > c->last_day)
        c->last_day = day;
    return CRM_OK;
}

uint64_t crm_interactions_rows_after(const crm_interactions *a) { return a->rows_after; }

int crm_interactions_get(const crm_interactions *a, const char *customer, size_t customer_len,
                         crm_interaction_summary *out)
{
    uint32_t id;
    if (!a || !crm_strtab_find(a->ids, customer, customer_len, &id))
        return 0;
    *out = a->customers[id];
    return 1;
}

static int compare_ids(const void *ctx, const void *pa, const void *pb)
{
    size_t la, lb;
    const char *a = crm_strtab_get(ctx, *(const uint32_t *)pa, &la);
    const char *b = crm_strtab_get(ctx, *(const uint32_t *)pb, &lb);
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

crm_status crm_interactions_sorted(const crm_interactions *a, uint32_t **ids, size_t *n, crm_error *err)
{
    size_t count = crm_strtab_count(a->ids);
    uint32_t *out = malloc((count ? count : 1) * sizeof *out);
    if (!out)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        out[i] = (uint32_t)i;
    if (crm_sort_stable(out, count, sizeof *out, compare_ids, a->ids) != 0) {
        free(out);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    *ids = out;
    *n = count;
    return CRM_OK;
}

const char *crm_interactions_customer(const crm_interactions *a, uint32_t id, size_t *len,
                                      crm_interaction_summary *summary)
{
    *summary = a->customers[id];
    return crm_strtab_get(a->ids, id, len);
}

void crm_interactions_recency(const crm_interactions *a, const crm_rfm_result *res, int32_t as_of,
                              crm_recency_from from, double *recency)
{
    for (size_t i = 0; i < res->count; i++) {
        const crm_rfm_customer *c = &res->customers[i];
        crm_interaction_summary s;
        int seen = crm_interactions_get(a, c->customer_id, c->customer_len, &s);
        if (from == CRM_RECENCY_FROM_PURCHASES)
            recency[i] = (double)c->recency_days;
        else if (from == CRM_RECENCY_FROM_INTERACTIONS)
            recency[i] = seen ? (double)((int64_t)as_of - s.last_day) : NAN;
        else
            recency[i] = (double)((int64_t)as_of - (seen && s.last_day > c->last_day ? s.last_day : c->last_day));
    }
}
