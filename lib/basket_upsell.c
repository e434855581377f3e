/* Up-sell offers from a catalog and the customers' baskets (see
 * basket_upsell.h). */
#include "crm/basket_upsell.h"

#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"
#include "crm/strtab.h"

typedef struct {
    uint32_t category;
    crm_decimal price;
    double price_value;
} catalog_product;

struct crm_upsell_catalog {
    crm_strtab *products, *categories;
    catalog_product *items;
    size_t cap;
};

crm_status crm_upsell_catalog_new(crm_upsell_catalog **out, crm_error *err)
{
    crm_upsell_catalog *c = calloc(1, sizeof *c);
    if (c) {
        c->products = crm_strtab_new(1024);
        c->categories = crm_strtab_new(64);
    }
    if (!c || !c->products || !c->categories) {
        crm_upsell_catalog_free(c);
        return crm_basket_no_memory(err);
    }
    *out = c;
    return CRM_OK;
}

void crm_upsell_catalog_free(crm_upsell_catalog *c)
{
    if (!c)
        return;
    crm_strtab_free(c->products);
    crm_strtab_free(c->categories);
    free(c->items);
    free(c);
}

crm_status crm_upsell_catalog_add(crm_upsell_catalog *c, const char *product, size_t product_len,
                                  const char *category, size_t category_len, crm_decimal price, crm_error *err)
{
    uint32_t id, cat;
    int fresh = crm_strtab_intern(c->products, product, product_len, &id);
    if (fresh < 0)
        return crm_basket_no_memory(err);
    if (!fresh) {
        char q[128];
        return crm_error_set(err, CRM_EDATA, "product '%s' appears twice",
                             crm_error_quote(q, sizeof q, product, product_len));
    }
    if (crm_strtab_intern(c->categories, category, category_len, &cat) < 0 ||
        !crm_array_reserve(&c->items, &c->cap, (size_t)id + 1, sizeof *c->items))
        return crm_basket_no_memory(err);
    c->items[id] = (catalog_product){cat, price, crm_decimal_to_double(price)};
    return CRM_OK;
}

size_t crm_upsell_catalog_count(const crm_upsell_catalog *c) { return crm_strtab_count(c->products); }

int crm_upsell_catalog_find(const crm_upsell_catalog *c, const char *product, size_t len, uint32_t *index)
{
    return crm_strtab_find(c->products, product, len, index);
}

const char *crm_upsell_catalog_product(const crm_upsell_catalog *c, uint32_t index, size_t *len)
{
    return crm_strtab_get(c->products, index, len);
}

const char *crm_upsell_catalog_category(const crm_upsell_catalog *c, uint32_t index, size_t *len)
{
    return crm_strtab_get(c->categories, c->items[index].category, len);
}

crm_decimal crm_upsell_catalog_price(const crm_upsell_catalog *c, uint32_t index) { return c->items[index].price; }

/* ---- offers ---- */

/* Dearest first; equal prices in byte order of the product ids. */
static int by_price_desc(const void *ctx, const void *a, const void *b)
{
    const crm_upsell_catalog *c = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int d = crm_compare_double_desc(c->items[x].price_value, c->items[y].price_value);
    if (d)
        return d;
    size_t lx, ly;
    const char *sx = crm_strtab_get(c->products, x, &lx), *sy = crm_strtab_get(c->products, y, &ly);
    int m = memcmp(sx, sy, lx < ly ? lx : ly);
    return m ? m : (lx > ly) - (lx < ly);
}

/* Score descending, price ascending, product id. */
static int by_offer(const void *ctx, const void *a, const void *b)
{
    const crm_upsell_catalog *c = ctx;
    const crm_upsell *x = a, *y = b;
    int d = crm_compare_double_desc(x->score, y->score);
    if (d)
        return d;
    d = -crm_compare_double_desc(c->items[x->product].price_value, c->items[y->product].price_value);
    if (d)
        return d;
    size_t lx, ly;
    const char *sx = crm_strtab_get(c->products, x->product, &lx), *sy = crm_strtab_get(c->products, y->product, &ly);
    int m = memcmp(sx, sy, lx < ly ? lx : ly);
    return m ? m : (lx > ly) - (lx < ly);
}

typedef struct {
    size_t ncat, nprod, nitems;
    uint32_t *by_category;      /* catalog indexes grouped by category, dearest first */
    size_t *category_start;     /* ncat + 1 */
    uint32_t *db_item;          /* catalog index -> db item id, UINT32_MAX when nobody bought it */
    uint32_t *catalog_of;       /* db item id -> catalog index, UINT32_MAX when not in the catalog */
    uint64_t *category_buyers;
    size_t *stamp;              /* per category: basket index + 1 when touched by this basket */
    uint32_t *dearest;          /* per category: catalog index of the dearest bought (this basket) */
    uint32_t *touched;
} upsell_work;

static void work_free(upsell_work *w)
{
    free(w->by_category);
    free(w->category_start);
    free(w->db_item);
    free(w->catalog_of);
    free(w->category_buyers);
    free(w->stamp);
    free(w->dearest);
    free(w->touched);
}

static crm_status prepare(const crm_basket_db *db, const crm_upsell_catalog *c, upsell_work *w, crm_error *err)
{
    w->ncat = crm_strtab_count(c->categories);
    w->nprod = crm_upsell_catalog_count(c);
    w->nitems = crm_basket_db_item_ids(db);
    size_t nc = w->ncat ? w->ncat : 1, np = w->nprod ? w->nprod : 1, ni = w->nitems ? w->nitems : 1;
    w->by_category = malloc(np * sizeof *w->by_category);
    w->category_start = calloc(nc + 1, sizeof *w->category_start);
    w->db_item = malloc(np * sizeof *w->db_item);
    w->catalog_of = malloc(ni * sizeof *w->catalog_of);
    w->category_buyers = calloc(nc, sizeof *w->category_buyers);
    w->stamp = calloc(nc, sizeof *w->stamp);
    w->dearest = malloc(nc * sizeof *w->dearest);
    w->touched = malloc(nc * sizeof *w->touched);
    if (!w->by_category || !w->category_start || !w->db_item || !w->catalog_of || !w->category_buyers ||
        !w->stamp || !w->dearest || !w->touched)
        return crm_basket_no_memory(err);
    for (size_t i = 0; i < w->nitems; i++)
        w->catalog_of[i] = UINT32_MAX;
    for (uint32_t p = 0; p < w->nprod; p++) {
        size_t len;
        const char *name = crm_strtab_get(c->products, p, &len);
        uint32_t id;
        w->db_item[p] = crm_basket_db_find_item(db, name, len, &id) && id < w->nitems ? id : UINT32_MAX;
        if (w->db_item[p] != UINT32_MAX)
            w->catalog_of[id] = p;
        w->category_start[c->items[p].category + 1]++;
    }
    for (size_t k = 0; k < w->ncat; k++)
        w->category_start[k + 1] += w->category_start[k];
    size_t *fill = malloc(nc * sizeof *fill);
    if (!fill)
        return crm_basket_no_memory(err);
    memcpy(fill, w->category_start, w->ncat * sizeof *fill);
    for (uint32_t p = 0; p < w->nprod; p++)
        w->by_category[fill[c->items[p].category]++] = p;
    free(fill);
    for (size_t k = 0; k < w->ncat; k++)
        if (crm_sort_stable(w->by_category + w->category_start[k], w->category_start[k + 1] - w->category_start[k],
                            sizeof *w->by_category, by_price_desc, c) != 0)
            return crm_basket_no_memory(err);
    /* buyers of each category: each customer once */
    for (size_t b = 0; b < crm_basket_db_count(db); b++) {
        size_t n;
        const uint32_t *items = crm_basket_db_basket(db, b, &n);
        for (size_t j = 0; j < n; j++) {
            uint32_t p = items[j] < w->nitems ? w->catalog_of[items[j]] : UINT32_MAX;
            if (p == UINT32_MAX)
                continue;
            uint32_t k = c->items[p].category;
            if (w->stamp[k] != b + 1) {
                w->stamp[k] = b + 1;
                w->category_buyers[k]++;
            }
        }
    }
    memset(w->stamp, 0, nc * sizeof *w->stamp);
    return CRM_OK;
}

static int bought(const uint32_t *items, size_t n, uint32_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (items[mid] < id)
            lo = mid + 1;
        else if (items[mid] > id)
            hi = mid;
        else
            return 1;
    }
    return 0;
}

crm_status crm_basket_upsell(const crm_basket_db *db, const crm_upsell_catalog *c, size_t top_n,
                             crm_upsell **out, size_t *count, crm_error *err)
{
    upsell_work w = {0};
    crm_upsell *offers = NULL;
    size_t n_offers = 0, cap = 0;
    crm_status st = prepare(db, c, &w, err);
    for (size_t b = 0; b < crm_basket_db_count(db) && st == CRM_OK; b++) {
        size_t n, ntouched = 0;
        const uint32_t *items = crm_basket_db_basket(db, b, &n);
        for (size_t j = 0; j < n; j++) {
            uint32_t p = items[j] < w.nitems ? w.catalog_of[items[j]] : UINT32_MAX;
            if (p == UINT32_MAX)
                continue;
            uint32_t k = c->items[p].category;
            if (w.stamp[k] != b + 1) {
                w.stamp[k] = b + 1;
                w.touched[ntouched++] = k;
                w.dearest[k] = p;
            } else if (by_price_desc(c, &p, &w.dearest[k]) < 0) {
                w.dearest[k] = p;   /* dearer (or as dear and first by id) */
            }
        }
        size_t first = n_offers;
        for (size_t t = 0; t < ntouched && st == CRM_OK; t++) {
            uint32_t k = w.touched[t];
            double above = c->items[w.dearest[k]].price_value;
            for (size_t s = w.category_start[k]; s < w.category_start[k + 1]; s++) {
                uint32_t p = w.by_category[s];
                if (!(c->items[p].price_value > above))
                    break;
                if (w.db_item[p] != UINT32_MAX && bought(items, n, w.db_item[p]))
                    continue;
                if (!crm_array_reserve(&offers, &cap, n_offers + 1, sizeof *offers)) {
                    st = crm_basket_no_memory(err);
                    break;
                }
                uint64_t buyers = w.db_item[p] != UINT32_MAX ? crm_basket_db_item_count(db, w.db_item[p]) : 0;
                offers[n_offers++] = (crm_upsell){b, p, w.dearest[k], buyers, w.category_buyers[k],
                                                  (double)buyers / (double)w.category_buyers[k]};
            }
        }
        if (st == CRM_OK && crm_sort_stable(offers + first, n_offers - first, sizeof *offers, by_offer, c) != 0)
            st = crm_basket_no_memory(err);
        if (top_n && n_offers - first > top_n)
            n_offers = first + top_n;
    }
    work_free(&w);
    if (st != CRM_OK) {
        free(offers);
        return st;
    }
    *out = offers;
    *count = n_offers;
    return CRM_OK;
}
