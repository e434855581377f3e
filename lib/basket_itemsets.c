#include "crm/basket_itemsets.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/fpgrowth.h"
#include "crm/sort.h"

/* ---- support threshold --------------------------------------------------------- */

crm_status crm_basket_min_count(double support, uint64_t n, uint64_t *min_count, crm_error *err)
{
    if (!(support > 0.0 && support <= 1.0))
        return crm_error_set(err, CRM_EUSAGE,
                             "minimum support must be above 0 and at most 1 (100%%), not %g",
                             support);
    /* support was written in decimal and is off by up to half an ulp, and so
     * is the product: a product within a few ulps of an integer is that
     * integer (0.07 * 100 -> 7), otherwise it is rounded up (9.835 -> 10). */
    double x = support * (double)n;
    double nearest = nearbyint(x);
    double threshold = fabs(x - nearest) <= 64 * DBL_EPSILON * fmax(1.0, x) ? nearest : ceil(x);
    uint64_t count = (uint64_t)threshold;
    *min_count = count < 1 ? 1 : count;
    return CRM_OK;
}

/* ---- limits ---------------------------------------------------------------------- */

void crm_basket_limits_init(crm_basket_limits *limits)
{
    memset(limits, 0, sizeof *limits);
    limits->max_itemsets = CRM_BASKET_DEFAULT_MAX_ITEMSETS;
    limits->max_rules = CRM_BASKET_DEFAULT_MAX_RULES;
#if SIZE_MAX > 0xffffffffu
    limits->memory.max_bytes = CRM_BASKET_DEFAULT_MAX_BYTES;
#else
    limits->memory.max_bytes = (size_t)1 << 30;
#endif
}

/* ---- frequent itemsets --------------------------------------------------------- */

typedef struct {
    uint64_t offset;   /* into items */
    uint32_t size;
    uint32_t count;
} stored_set;

/* Itemsets are kept in name-rank codes (rank[id]), so that name order is
 * integer order for sorting, hashing and subset lookups; item ids appear
 * only in what is handed out (reported, rules). */
struct crm_basket_itemsets {
    const crm_basket_db *db;
    size_t max_len;               /* rules use sets of at most this size (0: any) */
    stored_set *all;
    size_t nall, all_cap;
    uint32_t *items;              /* codes, ascending within each set */
    size_t nitems, items_cap;
    uint32_t *reported_ids;       /* item ids of the reported sets */
    size_t *slots;                /* hash of all: index + 1, 0 = free */
    size_t slot_mask;
    crm_basket_itemset *reported;
    size_t nreported;
    crm_fpgrowth_budget *budget;  /* what the arrays above are charged to; NULL: none */
    size_t charged;
};

void crm_basket_mine_options_init(crm_basket_mine_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->min_count = 1;
    opts->min_len = 1;
    opts->target = CRM_BASKET_FREQUENT;
}

static uint64_t hash_items(const uint32_t *items, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    for (size_t i = 0; i < n; i++) {
        h ^= items[i];
        h *= 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    return h;
}

static const uint32_t *set_items(const crm_basket_itemsets *s, size_t i)
{
    return s->items + s->all[i].offset;
}

/* Index of the itemset with exactly these items in name order, or SIZE_MAX. */
static size_t find_set(const crm_basket_itemsets *s, const uint32_t *items, size_t n)
{
    if (!s->slots)
        return SIZE_MAX;
    size_t slot = (size_t)hash_items(items, n) & s->slot_mask;
    for (;; slot = (slot + 1) & s->slot_mask) {
        size_t v = s->slots[slot];
        if (v == 0)
            return SIZE_MAX;
        const stored_set *e = &s->all[v - 1];
        if (e->size == n && memcmp(s->items + e->offset, items, n * sizeof *items) == 0)
            return v - 1;
    }
}

static crm_status over_budget(const crm_basket_itemsets *s, crm_basket_limits *limits,
                              crm_error *err)
{
    limits->reached = CRM_BASKET_OVER_MEMORY;
    return crm_error_set(err, CRM_ENOMEM,
                         "the %zu frequent itemsets found so far need more than the memory budget "
                         "of %zu MiB", s->nall, limits->memory.max_bytes >> 20);
}

/* Charges bytes the itemsets keep (given back by crm_basket_itemsets_free). */
static int charge(crm_basket_itemsets *s, size_t bytes)
{
    if (!crm_fpgrowth_budget_charge(s->budget, bytes))
        return 0;
    s->charged += bytes;
    return 1;
}

static crm_status index_sets(crm_basket_itemsets *s, crm_basket_limits *limits, crm_error *err)
{
    size_t cap = 16;
    while (cap < 2 * s->nall)
        cap *= 2;
    if (!charge(s, cap * sizeof *s->slots))
        return over_budget(s, limits, err);
    s->slots = calloc(cap, sizeof *s->slots);
    if (!s->slots)
        return crm_basket_no_memory(err);
    s->slot_mask = cap - 1;
    for (size_t i = 0; i < s->nall; i++) {
        size_t slot = (size_t)hash_items(set_items(s, i), s->all[i].size) & s->slot_mask;
        while (s->slots[slot])
            slot = (slot + 1) & s->slot_mask;
        s->slots[slot] = i + 1;
    }
    return CRM_OK;
}

typedef struct {
    crm_basket_itemsets *sets;
    crm_basket_limits *limits;    /* NULL: none */
    uint64_t min_count;
    crm_error *err;
} collect_state;

static crm_status collect_set(const uint32_t *items, uint32_t size, uint32_t count, void *user)
{
    collect_state *c = user;
    crm_basket_itemsets *s = c->sets;
    if (c->limits && c->limits->max_itemsets && s->nall >= c->limits->max_itemsets) {
        c->limits->reached = CRM_BASKET_TOO_MANY_ITEMSETS;
        return crm_error_set(c->err, CRM_ENOMEM,
                             "more than %llu itemsets are frequent at the minimum count %llu",
                             (unsigned long long)c->limits->max_itemsets,
                             (unsigned long long)c->min_count);
    }
    int grown = crm_fpgrowth_budget_reserve(s->budget, &s->all, &s->all_cap,
                                            s->nall + 1, sizeof *s->all, &s->charged);
    if (grown > 0)
        grown = crm_fpgrowth_budget_reserve(s->budget, &s->items, &s->items_cap,
                                            s->nitems + size, sizeof *s->items, &s->charged);
    if (grown < 0)
        return over_budget(s, c->limits, c->err);
    if (grown == 0)
        return crm_basket_no_memory(c->err);
    uint32_t *dst = s->items + s->nitems;
    memcpy(dst, items, size * sizeof *items);
    crm_sort_u32(dst, size);
    s->all[s->nall++] = (stored_set){ s->nitems, size, count };
    s->nitems += size;
    return CRM_OK;
}

enum { SET_NOT_CLOSED = 1, SET_NOT_MAXIMAL = 2 };

/* An itemset is not closed when some proper superset has its count, and not
 * maximal when some proper superset is frequent; if so, a superset with one
 * more item has the same property, so marking each itemset's immediate
 * subsets decides both. */
static crm_status mark_subsets(const crm_basket_itemsets *s, unsigned char *flags, crm_error *err)
{
    uint32_t *sub = NULL;
    size_t sub_cap = 0;
    for (size_t i = 0; i < s->nall; i++) {
        size_t k = s->all[i].size;
        if (k < 2)
            continue;
        if (!crm_array_reserve(&sub, &sub_cap, k, sizeof *sub)) {
            free(sub);
            return crm_basket_no_memory(err);
        }
        const uint32_t *items = set_items(s, i);
        for (size_t drop = 0; drop < k; drop++) {
            size_t m = 0;
            for (size_t j = 0; j < k; j++) {
                if (j != drop)
                    sub[m++] = items[j];
            }
            size_t f = find_set(s, sub, m);
            if (f == SIZE_MAX)
                continue;   /* cannot happen: subsets of frequent sets are frequent */
            flags[f] |= SET_NOT_MAXIMAL;
            if (s->all[f].count == s->all[i].count)
                flags[f] |= SET_NOT_CLOSED;
        }
    }
    free(sub);
    return CRM_OK;
}

static int compare_sets(const crm_basket_itemsets *s, size_t a, size_t b)
{
    const stored_set *x = &s->all[a], *y = &s->all[b];
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return crm_compare_u32_lists(set_items(s, a), x->size, set_items(s, b), y->size);
}

/* The reported order is by size, count descending, then codes.  Most
 * comparisons are settled by a 64-bit key (size, inverted count, first
 * code) carried in the array being sorted, which spares the cache misses of
 * looking at the sets; equal keys fall back to the full comparison.  When a
 * size or code does not fit its field, every key is 0 and the full
 * comparison decides alone. */
typedef struct {
    uint64_t key;
    size_t index;
} set_ref;

static int compare_set_refs(const void *ctx, const void *a, const void *b)
{
    const set_ref *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return compare_sets(ctx, x->index, y->index);
}

static uint64_t set_key(const crm_basket_itemsets *s, size_t i)
{
    const stored_set *e = &s->all[i];
    return (uint64_t)e->size << 56 | (uint64_t)(UINT32_MAX - e->count) << 24 |
           s->items[e->offset];
}

static crm_status choose_reported(crm_basket_itemsets *s, const crm_basket_mine_options *opts,
                                  crm_error *err)
{
    /* flags and order live only here; the sort may take as much again. */
    size_t scratch = (s->nall ? s->nall : 1) * (1 + 2 * sizeof(set_ref));
    if (!crm_fpgrowth_budget_charge(s->budget, scratch))
        return over_budget(s, opts->limits, err);
    unsigned char *flags = calloc(s->nall ? s->nall : 1, 1);
    set_ref *order = malloc((s->nall ? s->nall : 1) * sizeof *order);
    if (!flags || !order) {
        free(flags);
        free(order);
        crm_fpgrowth_budget_release(s->budget, scratch);
        return crm_basket_no_memory(err);
    }
    crm_status st = CRM_OK;
    if (opts->target != CRM_BASKET_FREQUENT)
        st = mark_subsets(s, flags, err);
    unsigned char reject = opts->target == CRM_BASKET_CLOSED    ? SET_NOT_CLOSED
                           : opts->target == CRM_BASKET_MAXIMAL ? SET_NOT_MAXIMAL
                                                                : 0;
    int keyed = crm_basket_db_item_ids(s->db) <= (1u << 24);
    size_t n = 0;
    for (size_t i = 0; i < s->nall && st == CRM_OK; i++) {
        size_t k = s->all[i].size;
        if (k < opts->min_len || (opts->max_len && k > opts->max_len) || (flags[i] & reject))
            continue;
        keyed &= k < 256;
        order[n++] = (set_ref){ 0, i };
    }
    for (size_t i = 0; keyed && i < n; i++)
        order[i].key = set_key(s, order[i].index);
    if (st == CRM_OK && crm_sort_stable(order, n, sizeof *order, compare_set_refs, s) < 0)
        st = crm_basket_no_memory(err);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += s->all[order[i].index].size;
    if (st == CRM_OK && !charge(s, (n ? n : 1) * sizeof *s->reported +
                                       (total ? total : 1) * sizeof *s->reported_ids))
        st = over_budget(s, opts->limits, err);
    if (st == CRM_OK) {
        s->reported = malloc((n ? n : 1) * sizeof *s->reported);
        s->reported_ids = malloc((total ? total : 1) * sizeof *s->reported_ids);
        if (!s->reported || !s->reported_ids)
            st = crm_basket_no_memory(err);
    }
    if (st == CRM_OK) {
        double baskets = (double)crm_basket_db_count(s->db);
        const uint32_t *by_rank = crm_basket_db_ranked_items(s->db);
        uint32_t *ids = s->reported_ids;
        for (size_t i = 0; i < n; i++) {
            const stored_set *e = &s->all[order[i].index];
            const uint32_t *codes = s->items + e->offset;
            for (size_t j = 0; j < e->size; j++)
                ids[j] = by_rank[codes[j]];
            s->reported[i] = (crm_basket_itemset){ ids, e->size, e->count, e->count / baskets };
            ids += e->size;
        }
        s->nreported = n;
    }
    free(flags);
    free(order);
    crm_fpgrowth_budget_release(s->budget, scratch);
    return st;
}

/* The checks and set-up shared by mining and counted sets: a new empty
 * result over db, its limits reset. */
static crm_status start_sets(const crm_basket_db *db, const crm_basket_mine_options *opts,
                             crm_basket_itemsets **out, crm_error *err)
{
    *out = NULL;
    if (!crm_basket_db_finished(db))
        return crm_error_set(err, CRM_EUSAGE, "the basket input must be finished before mining");
    if (opts->min_count == 0)
        return crm_error_set(err, CRM_EUSAGE, "the minimum count of an itemset must be at least 1");
    if (opts->target != CRM_BASKET_FREQUENT && opts->target != CRM_BASKET_CLOSED &&
        opts->target != CRM_BASKET_MAXIMAL)
        return crm_error_set(err, CRM_EUSAGE, "unknown itemset target %d", (int)opts->target);
    if (opts->max_len && opts->min_len > opts->max_len)
        return crm_error_set(err, CRM_EUSAGE,
                             "the minimum itemset length %zu is above the maximum %zu",
                             opts->min_len, opts->max_len);
    crm_basket_itemsets *s = calloc(1, sizeof *s);
    if (!s)
        return crm_basket_no_memory(err);
    s->db = db;
    s->max_len = opts->max_len;
    if (opts->limits) {
        opts->limits->reached = CRM_BASKET_WITHIN_LIMITS;
        opts->limits->memory.exceeded = 0;
        s->budget = &opts->limits->memory;
    }
    *out = s;
    return CRM_OK;
}

size_t crm_basket_mine_len(const crm_basket_mine_options *opts)
{
    /* Closed and maximal need the frequent sets one item longer to judge. */
    size_t mine_len = opts->max_len;
    if (mine_len && opts->target != CRM_BASKET_FREQUENT)
        mine_len++;
    return mine_len;
}

/* Indexes the collected sets and chooses the reported ones; frees s on
 * failure. */
static crm_status end_sets(crm_basket_itemsets *s, const crm_basket_mine_options *opts, crm_status st,
                           crm_basket_itemsets **out, crm_error *err)
{
    if (st == CRM_OK)
        st = index_sets(s, opts->limits, err);
    if (st == CRM_OK)
        st = choose_reported(s, opts, err);
    if (st != CRM_OK) {
        crm_basket_itemsets_free(s);
        return st;
    }
    *out = s;
    return CRM_OK;
}

crm_status crm_basket_mine(const crm_basket_db *db, const crm_basket_mine_options *opts,
                           crm_basket_itemsets **out, crm_error *err)
{
    crm_basket_itemsets *s;
    *out = NULL;
    crm_status st = start_sets(db, opts, &s, err);
    if (st != CRM_OK)
        return st;
    crm_basket_limits *limits = opts->limits;
    if (crm_basket_db_is_tally(db)) {
        crm_basket_itemsets_free(s);
        return crm_error_set(err, CRM_EUSAGE, "a database of tallies holds no baskets to mine");
    }

    size_t nbaskets = crm_basket_db_count(db), nitems = crm_basket_db_item_ids(db);
    const uint64_t *starts;
    const uint32_t *members = crm_basket_db_occurrences(db, &starts);
    const uint32_t *rank = crm_basket_db_name_ranks(db);
    size_t nmembers = (size_t)starts[nbaskets];
    size_t coded_bytes = (nmembers ? nmembers : 1) * sizeof(uint32_t);
    if (!crm_fpgrowth_budget_charge(s->budget, coded_bytes)) {
        st = over_budget(s, limits, err);
        crm_basket_itemsets_free(s);
        return st;
    }
    uint32_t *coded = malloc(coded_bytes);
    if (!coded) {
        crm_fpgrowth_budget_release(s->budget, coded_bytes);
        crm_basket_itemsets_free(s);
        return crm_basket_no_memory(err);
    }
    for (size_t i = 0; i < nmembers; i++)
        coded[i] = rank[members[i]];
    crm_fpgrowth_data data = { (uint32_t)nitems, (uint32_t)nbaskets, starts, coded };
    crm_fpgrowth_options fo;
    fo.min_count = opts->min_count > UINT32_MAX ? UINT32_MAX : (uint32_t)opts->min_count;
    size_t mine_len = crm_basket_mine_len(opts);
    fo.max_len = mine_len > UINT32_MAX ? 0 : (uint32_t)mine_len;
    fo.budget = s->budget;
    collect_state cs = { s, limits, opts->min_count, err };
    if (opts->min_count <= nbaskets)
        st = crm_fpgrowth_mine(&data, &fo, collect_set, &cs, err);
    free(coded);
    crm_fpgrowth_budget_release(s->budget, coded_bytes);
    if (st == CRM_ENOMEM && limits && limits->memory.exceeded &&
        limits->reached == CRM_BASKET_WITHIN_LIMITS)
        limits->reached = CRM_BASKET_OVER_MEMORY;   /* the FP-trees outgrew it */
    return end_sets(s, opts, st, out, err);
}

crm_status crm_basket_itemsets_from_counts(const crm_basket_db *db, const crm_basket_mine_options *opts,
                                           const crm_basket_counted_set *sets, size_t n,
                                           crm_basket_itemsets **out, crm_error *err)
{
    crm_basket_itemsets *s;
    *out = NULL;
    crm_status st = start_sets(db, opts, &s, err);
    if (st != CRM_OK)
        return st;
    size_t mine_len = crm_basket_mine_len(opts), nitems = crm_basket_db_item_ids(db);
    uint64_t nbaskets = crm_basket_db_count(db);
    const uint32_t *rank = crm_basket_db_name_ranks(db);
    collect_state cs = { s, opts->limits, opts->min_count, err };
    uint32_t *codes = NULL;
    size_t codes_cap = 0;
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        const crm_basket_counted_set *c = &sets[i];
        if (c->size == 0 || c->count < opts->min_count || (mine_len && c->size > mine_len))
            continue;
        if (c->count > nbaskets) {
            st = crm_error_set(err, CRM_EDATA, "an itemset is counted in %llu baskets of %llu",
                               (unsigned long long)c->count, (unsigned long long)nbaskets);
            break;
        }
        if (!crm_array_reserve(&codes, &codes_cap, c->size, sizeof *codes)) {
            st = crm_basket_no_memory(err);
            break;
        }
        for (size_t j = 0; j < c->size && st == CRM_OK; j++) {
            if (c->items[j] >= nitems)
                st = crm_error_set(err, CRM_EUSAGE, "item id %u is not in the database", c->items[j]);
            else
                codes[j] = rank[c->items[j]];
        }
        if (st == CRM_OK)
            st = collect_set(codes, (uint32_t)c->size, (uint32_t)c->count, &cs);
    }
    free(codes);
    return end_sets(s, opts, st, out, err);
}

void crm_basket_itemsets_free(crm_basket_itemsets *sets)
{
    if (!sets)
        return;
    crm_fpgrowth_budget_release(sets->budget, sets->charged);
    free(sets->all);
    free(sets->items);
    free(sets->slots);
    free(sets->reported);
    free(sets->reported_ids);
    free(sets);
}

size_t crm_basket_itemsets_count(const crm_basket_itemsets *sets)
{
    return sets->nreported;
}

const crm_basket_itemset *crm_basket_itemsets_get(const crm_basket_itemsets *sets, size_t i)
{
    return &sets->reported[i];
}

const crm_basket_db *crm_basket_itemsets_db(const crm_basket_itemsets *sets)
{
    return sets->db;
}

uint64_t crm_basket_itemsets_lookup(const crm_basket_itemsets *sets, const uint32_t *items,
                                    size_t n)
{
    if (n == 0)
        return crm_basket_db_count(sets->db);
    uint32_t small[32];
    uint32_t *v = n <= 32 ? small : malloc(n * sizeof *v);
    if (!v)
        return 0;
    uint64_t count = 0;
    int known = 1;
    size_t nitems = crm_basket_db_item_ids(sets->db);
    const uint32_t *rank = crm_basket_db_name_ranks(sets->db);
    for (size_t i = 0; i < n; i++) {
        known &= items[i] < nitems;
        v[i] = known ? rank[items[i]] : 0;
    }
    if (known) {
        crm_sort_u32(v, n);
        size_t f = find_set(sets, v, n);
        count = f == SIZE_MAX ? 0 : sets->all[f].count;
    }
    if (v != small)
        free(v);
    return count;
}

size_t crm_basket_itemsets_max_len(const crm_basket_itemsets *sets)
{
    return sets->max_len;
}

size_t crm_basket_itemsets_kept_count(const crm_basket_itemsets *sets)
{
    return sets->nall;
}

const uint32_t *crm_basket_itemsets_kept_get(const crm_basket_itemsets *sets, size_t i,
                                             size_t *size, uint64_t *count)
{
    *size = sets->all[i].size;
    *count = sets->all[i].count;
    return set_items(sets, i);
}

uint64_t crm_basket_itemsets_lookup_ranks(const crm_basket_itemsets *sets, const uint32_t *ranks,
                                          size_t n)
{
    size_t f = find_set(sets, ranks, n);
    return f == SIZE_MAX ? 0 : sets->all[f].count;
}
