#include "crm/ltv_partial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"

typedef struct {
    double x, t_x, T, count;
    size_t id_at, id_len;   /* the first customer, in the byte arena */
} purchase_entry;

typedef struct {
    double x, monetary_value;
    size_t id_at, id_len;
} spend_entry;

struct crm_ltv_partial {
    char *bytes;
    size_t used, bytes_cap;
    purchase_entry *purchase;
    size_t npurchase, purchase_cap;
    spend_entry *spend;
    size_t nspend, spend_cap;
    int have_last;           /* the source's previous customer, for the order check */
    size_t last_at, last_len;
};

crm_status crm_ltv_partial_new(crm_ltv_partial **out, crm_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? CRM_OK : crm_error_set(err, CRM_ENOMEM, "out of memory");
}

void crm_ltv_partial_free(crm_ltv_partial *p)
{
    if (!p)
        return;
    free(p->bytes);
    free(p->purchase);
    free(p->spend);
    free(p);
}

void crm_ltv_partial_next_source(crm_ltv_partial *p)
{
    p->have_last = 0;
}

static int compare_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* Copies id into the arena; *at receives its offset. */
static crm_status keep_id(crm_ltv_partial *p, const char *id, size_t len, size_t *at, crm_error *err)
{
    if (len == 0)
        return crm_error_set(err, CRM_EDATA, "empty customer_id");
    if (!crm_array_reserve(&p->bytes, &p->bytes_cap, p->used + len, 1))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    memcpy(p->bytes + p->used, id, len);
    *at = p->used;
    p->used += len;
    return CRM_OK;
}

static crm_status push_purchase(crm_ltv_partial *p, size_t at, size_t len, double x, double t_x,
                                double T, double count, crm_error *err)
{
    if (!crm_array_reserve(&p->purchase, &p->purchase_cap, p->npurchase + 1, sizeof *p->purchase))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    /* + 0.0: -0 is 0, as the fit's own merge has it */
    p->purchase[p->npurchase++] = (purchase_entry){x + 0.0, t_x + 0.0, T + 0.0, count, at, len};
    return CRM_OK;
}

static crm_status push_spend(crm_ltv_partial *p, size_t at, size_t len, double x, double mv,
                             crm_error *err)
{
    if (!crm_array_reserve(&p->spend, &p->spend_cap, p->nspend + 1, sizeof *p->spend))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    p->spend[p->nspend++] = (spend_entry){x, mv, at, len};
    return CRM_OK;
}

crm_status crm_ltv_partial_add_customer(crm_ltv_partial *p, const char *id, size_t len, double x,
                                        double t_x, double T, int has_spend, double monetary_value,
                                        crm_error *err)
{
    if (p->have_last && compare_bytes(id, len, p->bytes + p->last_at, p->last_len) <= 0)
        return crm_error_set(err, CRM_EDATA, "customer_id '%.*s' comes after '%.*s': a partial needs the "
                             "customers sorted by customer_id, once each (as crm-rfm writes them)",
                             (int)(len < 64 ? len : 64), id, (int)(p->last_len < 64 ? p->last_len : 64),
                             p->bytes + p->last_at);
    size_t at = 0;
    crm_status st = keep_id(p, id, len, &at, err);
    if (st == CRM_OK)
        st = push_purchase(p, at, len, x, t_x, T, 1.0, err);
    if (st == CRM_OK && has_spend && x > 0)
        st = push_spend(p, at, len, x, monetary_value, err);
    if (st == CRM_OK) {
        p->have_last = 1;
        p->last_at = at;
        p->last_len = len;
    }
    return st;
}

crm_status crm_ltv_partial_add_purchase(crm_ltv_partial *p, const char *id, size_t len, double x,
                                        double t_x, double T, double count, crm_error *err)
{
    if (!(count >= 1) || count != floor(count) || count > 9007199254740992.0)
        return crm_error_set(err, CRM_EDATA, "customers = %.17g is not a whole number >= 1", count);
    size_t at = 0;
    crm_status st = keep_id(p, id, len, &at, err);
    return st == CRM_OK ? push_purchase(p, at, len, x, t_x, T, count, err) : st;
}

crm_status crm_ltv_partial_add_spend(crm_ltv_partial *p, const char *id, size_t len, double x,
                                     double monetary_value, crm_error *err)
{
    if (!(x > 0))
        return crm_error_set(err, CRM_EDATA, "x = %.17g: spend rows are for repeat buyers (x > 0)", x);
    size_t at = 0;
    crm_status st = keep_id(p, id, len, &at, err);
    return st == CRM_OK ? push_spend(p, at, len, x, monetary_value, err) : st;
}

static int compare_triples(const void *ctx, const void *pa, const void *pb)
{
    const crm_ltv_partial *p = ctx;
    const purchase_entry *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->t_x != b->t_x)
        return a->t_x < b->t_x ? -1 : 1;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    return compare_bytes(p->bytes + a->id_at, a->id_len, p->bytes + b->id_at, b->id_len);
}

static int compare_first_customer(const void *ctx, const void *pa, const void *pb)
{
    const crm_ltv_partial *p = ctx;
    const purchase_entry *a = pa, *b = pb;
    return compare_bytes(p->bytes + a->id_at, a->id_len, p->bytes + b->id_at, b->id_len);
}

static int compare_spend(const void *ctx, const void *pa, const void *pb)
{
    const crm_ltv_partial *p = ctx;
    const spend_entry *a = pa, *b = pb;
    return compare_bytes(p->bytes + a->id_at, a->id_len, p->bytes + b->id_at, b->id_len);
}

/* Equal triples become one row: the counts added (whole numbers: exact),
 * the lowest customer kept; then the rows in order of that customer. */
static crm_status collapse_purchase(crm_ltv_partial *p, crm_error *err)
{
    if (crm_sort_stable(p->purchase, p->npurchase, sizeof *p->purchase, compare_triples, p) != 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < p->npurchase; i++) {
        purchase_entry *e = &p->purchase[i];
        if (m > 0 && p->purchase[m - 1].x == e->x && p->purchase[m - 1].t_x == e->t_x &&
            p->purchase[m - 1].T == e->T)
            p->purchase[m - 1].count += e->count;
        else
            p->purchase[m++] = *e;
    }
    p->npurchase = m;
    if (crm_sort_stable(p->purchase, m, sizeof *p->purchase, compare_first_customer, p) != 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

crm_status crm_ltv_partial_rows(crm_ltv_partial *p, crm_ltv_customer **purchase, size_t *npurchase,
                                const char ***ids, size_t **id_lens, crm_ltv_customer **spend,
                                size_t *nspend, const char ***spend_ids, size_t **spend_id_lens,
                                crm_error *err)
{
    *purchase = *spend = NULL;
    *ids = *spend_ids = NULL;
    *id_lens = *spend_id_lens = NULL;
    *npurchase = *nspend = 0;
    crm_status st = collapse_purchase(p, err);
    if (st != CRM_OK)
        return st;
    if (crm_sort_stable(p->spend, p->nspend, sizeof *p->spend, compare_spend, p) != 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 1; i < p->nspend; i++)
        if (compare_spend(p, &p->spend[i - 1], &p->spend[i]) == 0)
            return crm_error_set(err, CRM_EDATA, "customer '%.*s' has two spend rows: the partials overlap",
                                 (int)(p->spend[i].id_len < 64 ? p->spend[i].id_len : 64),
                                 p->bytes + p->spend[i].id_at);
    size_t np = p->npurchase, ns = p->nspend;
    *purchase = malloc((np ? np : 1) * sizeof **purchase);
    *ids = malloc((np ? np : 1) * sizeof **ids);
    *id_lens = malloc((np ? np : 1) * sizeof **id_lens);
    *spend = malloc((ns ? ns : 1) * sizeof **spend);
    *spend_ids = malloc((ns ? ns : 1) * sizeof **spend_ids);
    *spend_id_lens = malloc((ns ? ns : 1) * sizeof **spend_id_lens);
    if (!*purchase || !*ids || !*id_lens || !*spend || !*spend_ids || !*spend_id_lens) {
        free(*purchase);
        free(*ids);
        free(*id_lens);
        free(*spend);
        free(*spend_ids);
        free(*spend_id_lens);
        *purchase = *spend = NULL;
        *ids = *spend_ids = NULL;
        *id_lens = *spend_id_lens = NULL;
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < np; i++) {
        const purchase_entry *e = &p->purchase[i];
        (*purchase)[i] = (crm_ltv_customer){e->x, e->t_x, e->T, 0.0, e->count};
        (*ids)[i] = p->bytes + e->id_at;
        (*id_lens)[i] = e->id_len;
    }
    for (size_t i = 0; i < ns; i++) {
        const spend_entry *e = &p->spend[i];
        (*spend)[i] = (crm_ltv_customer){e->x, 0.0, 0.0, e->monetary_value, 1.0};
        (*spend_ids)[i] = p->bytes + e->id_at;
        (*spend_id_lens)[i] = e->id_len;
    }
    *npurchase = np;
    *nspend = ns;
    return CRM_OK;
}
