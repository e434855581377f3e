#include "crm/basket.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/fpgrowth.h"

/* ---- helpers ------------------------------------------------------------------ */

static crm_status no_memory(crm_error *err)
{
    return crm_error_set(err, CRM_ENOMEM, "out of memory in basket analysis");
}

/* Grows *ptr to hold at least need elements of size bytes. */
static int grow(void **ptr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*ptr, n * size);
    if (!p)
        return -1;
    *ptr = p;
    *cap = n;
    return 0;
}

static void sort_ids(uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static int compare_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts ascending and drops repeats; returns the new length. */
static size_t sort_unique_ids(uint32_t *v, size_t n)
{
    if (n < 24)
        sort_ids(v, n);
    else
        qsort(v, n, sizeof *v, compare_id);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u == 0 || v[u - 1] != v[i])
            v[u++] = v[i];
    }
    return u;
}

/* Stable merge sort of an index array with a comparison that needs context
 * (C11 qsort has none).  Returns -1 when out of memory. */
typedef int (*index_compare)(const void *ctx, size_t a, size_t b);

static int sort_indices(size_t *idx, size_t n, index_compare cmp, const void *ctx)
{
    if (n < 2)
        return 0;
    size_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return -1;
    size_t *src = idx, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        size_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx)
        memcpy(idx, src, n * sizeof *idx);
    free(tmp);
    return 0;
}

/* Compares two item lists name by name (via ranks); a proper prefix first. */
static int compare_item_lists(const uint32_t *rank, const uint32_t *a, size_t na, const uint32_t *b,
                              size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return rank[a[i]] < rank[b[i]] ? -1 : 1;
    }
    return (na > nb) - (na < nb);
}

/* Compares two lists of name ranks (ascending inside each); a proper
 * prefix first. */
static int compare_codes(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return (na > nb) - (na < nb);
}

static int compare_double_desc(double a, double b)
{
    return (a < b) - (a > b);
}

static int compare_count_desc(uint64_t a, uint64_t b)
{
    return (a < b) - (a > b);
}

/* ---- baskets ------------------------------------------------------------------- */

enum { DB_EMPTY_INPUT = 0, DB_WHOLE, DB_PAIRS };

struct crm_basket_db {
    crm_strtab *items;
    int owns_items;
    crm_strtab *keys;             /* pair input: basket keys in order of appearance */
    char separator;
    crm_basket_empty_policy empty;
    int mode;
    int finished;
    uint64_t input_baskets;       /* whole baskets given, for messages */

    /* basket i is members[starts[i] .. starts[i + 1]) */
    uint64_t *starts;
    size_t nbaskets, starts_cap;
    uint32_t *members;
    size_t nmembers, members_cap;
    uint32_t *key_of;             /* pair input: basket -> key id */

    uint32_t *pair_key, *pair_item;
    size_t npairs, pair_key_cap, pair_item_cap;

    uint32_t *scratch;
    size_t scratch_cap;

    size_t nitems;                /* item table size at finish */
    uint32_t *item_count;         /* item id -> baskets containing it */
    uint32_t *rank;               /* item id -> position in name order */
    uint32_t *by_rank;            /* position in name order -> item id */
    crm_basket_db_stats stats;
};

void crm_basket_db_options_init(crm_basket_db_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->item_separator = ',';
    opts->empty = CRM_BASKET_EMPTY_COUNT;
}

crm_status crm_basket_db_new(crm_basket_db **out, const crm_basket_db_options *opts,
                             crm_error *err)
{
    crm_basket_db_options defaults;
    if (!opts) {
        crm_basket_db_options_init(&defaults);
        opts = &defaults;
    }
    *out = NULL;
    if (opts->empty != CRM_BASKET_EMPTY_COUNT && opts->empty != CRM_BASKET_EMPTY_SKIP &&
        opts->empty != CRM_BASKET_EMPTY_ERROR)
        return crm_error_set(err, CRM_EUSAGE, "unknown empty-basket policy %d", (int)opts->empty);
    crm_basket_db *db = calloc(1, sizeof *db);
    if (!db)
        return no_memory(err);
    db->separator = opts->item_separator;
    db->empty = opts->empty;
    db->items = opts->items;
    if (!db->items) {
        db->items = crm_strtab_new(1024);
        db->owns_items = 1;
    }
    db->starts = malloc(16 * sizeof *db->starts);
    db->starts_cap = 16;
    if (!db->items || !db->starts) {
        crm_basket_db_free(db);
        return no_memory(err);
    }
    db->starts[0] = 0;
    *out = db;
    return CRM_OK;
}

void crm_basket_db_free(crm_basket_db *db)
{
    if (!db)
        return;
    if (db->owns_items)
        crm_strtab_free(db->items);
    crm_strtab_free(db->keys);
    free(db->starts);
    free(db->members);
    free(db->key_of);
    free(db->pair_key);
    free(db->pair_item);
    free(db->scratch);
    free(db->item_count);
    free(db->rank);
    free(db->by_rank);
    free(db);
}

static crm_status check_adding(crm_basket_db *db, int mode, crm_error *err)
{
    if (db->finished)
        return crm_error_set(err, CRM_EUSAGE, "baskets cannot be added after the input has ended");
    if (db->mode != DB_EMPTY_INPUT && db->mode != mode)
        return crm_error_set(err, CRM_EUSAGE,
                             "a basket database takes whole baskets or (basket, item) pairs, not both");
    db->mode = mode;
    return CRM_OK;
}

/* Interns an item name after checking it against the separator. */
static crm_status intern_item(crm_basket_db *db, const char *name, size_t len, uint32_t *id,
                              crm_error *err)
{
    if (db->separator && memchr(name, db->separator, len)) {
        char quoted[256];
        return crm_error_set(err, CRM_EDATA,
                             "item '%s' contains the item separator '%c', which joins items in "
                             "one output field; choose another separator",
                             crm_error_quote(quoted, sizeof quoted, name, len), db->separator);
    }
    if (crm_strtab_intern(db->items, name, len, id) < 0)
        return no_memory(err);
    return CRM_OK;
}

/* Appends members[from .. nmembers) as the next basket (already unique). */
static crm_status close_basket(crm_basket_db *db, crm_error *err)
{
    if (db->nbaskets + 1 >= UINT32_MAX)
        return crm_error_set(err, CRM_ENOMEM, "too many baskets (at most %u)",
                             (unsigned)UINT32_MAX - 2);
    if (grow((void **)&db->starts, &db->starts_cap, db->nbaskets + 2, sizeof *db->starts) < 0)
        return no_memory(err);
    db->starts[++db->nbaskets] = db->nmembers;
    return CRM_OK;
}

crm_status crm_basket_db_add(crm_basket_db *db, const char *const *items, const size_t *lens,
                             size_t n, crm_error *err)
{
    crm_status st = check_adding(db, DB_WHOLE, err);
    if (st != CRM_OK)
        return st;
    db->input_baskets++;
    if (grow((void **)&db->scratch, &db->scratch_cap, n ? n : 1, sizeof *db->scratch) < 0)
        return no_memory(err);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = lens ? lens[i] : strlen(items[i]);
        if (len == 0) {
            db->stats.empty_items++;
            continue;
        }
        st = intern_item(db, items[i], len, &db->scratch[m], err);
        if (st != CRM_OK)
            return st;
        m++;
    }
    size_t u = sort_unique_ids(db->scratch, m);
    db->stats.duplicate_items += m - u;
    if (u == 0) {
        db->stats.empty_baskets++;
        if (db->empty == CRM_BASKET_EMPTY_ERROR)
            return crm_error_set(err, CRM_EDATA, "basket %llu has no items",
                                 (unsigned long long)db->input_baskets);
        if (db->empty == CRM_BASKET_EMPTY_SKIP)
            return CRM_OK;
    }
    if (grow((void **)&db->members, &db->members_cap, db->nmembers + u, sizeof *db->members) < 0)
        return no_memory(err);
    memcpy(db->members + db->nmembers, db->scratch, u * sizeof *db->members);
    db->nmembers += u;
    return close_basket(db, err);
}

crm_status crm_basket_db_add_pair(crm_basket_db *db, const char *key, size_t key_len,
                                  const char *item, size_t item_len, crm_error *err)
{
    crm_status st = check_adding(db, DB_PAIRS, err);
    if (st != CRM_OK)
        return st;
    if (!db->keys && !(db->keys = crm_strtab_new(1024)))
        return no_memory(err);
    uint32_t kid, iid;
    if (crm_strtab_intern(db->keys, key, key_len, &kid) < 0)
        return no_memory(err);
    if (kid >= UINT32_MAX - 2)
        return crm_error_set(err, CRM_ENOMEM, "too many baskets (at most %u)",
                             (unsigned)UINT32_MAX - 2);
    if (item_len == 0) {
        db->stats.empty_items++;
        return CRM_OK;
    }
    st = intern_item(db, item, item_len, &iid, err);
    if (st != CRM_OK)
        return st;
    if (grow((void **)&db->pair_key, &db->pair_key_cap, db->npairs + 1, sizeof *db->pair_key) < 0 ||
        grow((void **)&db->pair_item, &db->pair_item_cap, db->npairs + 1, sizeof *db->pair_item) < 0)
        return no_memory(err);
    db->pair_key[db->npairs] = kid;
    db->pair_item[db->npairs] = iid;
    db->npairs++;
    return CRM_OK;
}

/* Groups the pairs by key (a counting sort, so baskets keep the order in
 * which their keys first appeared), merges repeats, applies the policy. */
static crm_status group_pairs(crm_basket_db *db, crm_error *err)
{
    size_t nkeys = db->keys ? crm_strtab_count(db->keys) : 0;
    uint64_t *start = calloc(nkeys + 1, sizeof *start);
    uint32_t *grouped = malloc((db->npairs ? db->npairs : 1) * sizeof *grouped);
    db->key_of = malloc((nkeys ? nkeys : 1) * sizeof *db->key_of);
    if (!start || !grouped || !db->key_of ||
        grow((void **)&db->starts, &db->starts_cap, nkeys + 1, sizeof *db->starts) < 0) {
        free(start);
        free(grouped);
        return no_memory(err);
    }
    for (size_t i = 0; i < db->npairs; i++)
        start[db->pair_key[i] + 1]++;
    for (size_t k = 0; k < nkeys; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < db->npairs; i++)
        grouped[start[db->pair_key[i]]++] = db->pair_item[i];
    /* start[k] is now the end of key k's run: shift back to get the begins. */
    for (size_t k = nkeys; k > 0; k--)
        start[k] = start[k - 1];
    start[0] = 0;

    crm_status st = CRM_OK;
    size_t out = 0;
    for (size_t k = 0; k < nkeys && st == CRM_OK; k++) {
        size_t n = (size_t)(start[k + 1] - start[k]);
        size_t u = sort_unique_ids(grouped + start[k], n);
        db->stats.duplicate_items += n - u;
        if (u == 0) {
            db->stats.empty_baskets++;
            if (db->empty == CRM_BASKET_EMPTY_ERROR) {
                size_t len;
                char quoted[256];
                const char *key = crm_strtab_get(db->keys, (uint32_t)k, &len);
                st = crm_error_set(err, CRM_EDATA, "basket '%s' has no items",
                                   crm_error_quote(quoted, sizeof quoted, key, len));
                break;
            }
            if (db->empty == CRM_BASKET_EMPTY_SKIP)
                continue;
        }
        memmove(grouped + out, grouped + start[k], u * sizeof *grouped);
        out += u;
        db->key_of[db->nbaskets] = (uint32_t)k;
        db->starts[++db->nbaskets] = out;
    }
    free(start);
    free(db->members);
    db->members = grouped;
    db->nmembers = out;
    free(db->pair_key);
    free(db->pair_item);
    db->pair_key = db->pair_item = NULL;
    db->npairs = 0;
    return st;
}

typedef struct {
    const char *name;
    size_t len;
    uint32_t id;
} named_item;

static int compare_names(const void *a, const void *b)
{
    const named_item *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    if (c != 0)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

static crm_status rank_items_by_name(crm_basket_db *db, crm_error *err)
{
    size_t n = db->nitems;
    named_item *v = malloc((n ? n : 1) * sizeof *v);
    db->rank = malloc((n ? n : 1) * sizeof *db->rank);
    db->by_rank = malloc((n ? n : 1) * sizeof *db->by_rank);
    if (!v || !db->rank || !db->by_rank) {
        free(v);
        return no_memory(err);
    }
    for (size_t i = 0; i < n; i++) {
        v[i].id = (uint32_t)i;
        v[i].name = crm_strtab_get(db->items, (uint32_t)i, &v[i].len);
    }
    qsort(v, n, sizeof *v, compare_names);
    for (size_t i = 0; i < n; i++) {
        db->rank[v[i].id] = (uint32_t)i;
        db->by_rank[i] = v[i].id;
    }
    free(v);
    return CRM_OK;
}

crm_status crm_basket_db_finish(crm_basket_db *db, crm_error *err)
{
    if (db->finished)
        return CRM_OK;
    crm_status st = CRM_OK;
    if (db->mode == DB_PAIRS)
        st = group_pairs(db, err);
    free(db->scratch);
    db->scratch = NULL;
    db->scratch_cap = 0;
    if (st != CRM_OK)
        return st;
    db->nitems = crm_strtab_count(db->items);
    db->item_count = calloc(db->nitems ? db->nitems : 1, sizeof *db->item_count);
    if (!db->item_count)
        return no_memory(err);
    for (size_t i = 0; i < db->nmembers; i++)
        db->item_count[db->members[i]]++;
    st = rank_items_by_name(db, err);
    if (st != CRM_OK)
        return st;
    for (size_t i = 0; i < db->nitems; i++)
        db->stats.items += db->item_count[i] > 0;
    db->stats.baskets = db->nbaskets;
    db->stats.occurrences = db->nmembers;
    db->finished = 1;
    return CRM_OK;
}

const crm_basket_db_stats *crm_basket_db_stats_get(const crm_basket_db *db)
{
    return &db->stats;
}

size_t crm_basket_db_count(const crm_basket_db *db)
{
    return db->nbaskets;
}

const uint32_t *crm_basket_db_basket(const crm_basket_db *db, size_t i, size_t *n)
{
    *n = (size_t)(db->starts[i + 1] - db->starts[i]);
    return db->members + db->starts[i];
}

const char *crm_basket_db_basket_key(const crm_basket_db *db, size_t i, size_t *len)
{
    if (db->mode != DB_PAIRS || !db->finished) {
        if (len)
            *len = 0;
        return NULL;
    }
    return crm_strtab_get(db->keys, db->key_of[i], len);
}

const crm_strtab *crm_basket_db_items(const crm_basket_db *db)
{
    return db->items;
}

const char *crm_basket_db_item_name(const crm_basket_db *db, uint32_t id, size_t *len)
{
    return crm_strtab_get(db->items, id, len);
}

int crm_basket_db_find_item(const crm_basket_db *db, const char *name, size_t len, uint32_t *id)
{
    return crm_strtab_find(db->items, name, len, id);
}

uint64_t crm_basket_db_item_count(const crm_basket_db *db, uint32_t id)
{
    return db->finished && id < db->nitems ? db->item_count[id] : 0;
}

size_t crm_basket_format_items(const crm_basket_db *db, const uint32_t *items, size_t n, char sep,
                               char *buf, size_t cap)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *name = crm_strtab_get(db->items, items[i], &len);
        if (i > 0) {
            if (total + 1 < cap)
                buf[total] = sep;
            total++;
        }
        if (total < cap) {
            size_t room = cap - 1 - total;
            memcpy(buf + total, name, len < room ? len : room);
        }
        total += len;
    }
    if (cap > 0)
        buf[total < cap ? total : cap - 1] = '\0';
    return total;
}

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

static crm_status index_sets(crm_basket_itemsets *s, crm_error *err)
{
    size_t cap = 16;
    while (cap < 2 * s->nall)
        cap *= 2;
    s->slots = calloc(cap, sizeof *s->slots);
    if (!s->slots)
        return no_memory(err);
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
    crm_error *err;
} collect_state;

static crm_status collect_set(const uint32_t *items, uint32_t size, uint32_t count, void *user)
{
    collect_state *c = user;
    crm_basket_itemsets *s = c->sets;
    if (grow((void **)&s->all, &s->all_cap, s->nall + 1, sizeof *s->all) < 0 ||
        grow((void **)&s->items, &s->items_cap, s->nitems + size, sizeof *s->items) < 0)
        return no_memory(c->err);
    uint32_t *dst = s->items + s->nitems;
    memcpy(dst, items, size * sizeof *items);
    sort_ids(dst, size);
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
        if (grow((void **)&sub, &sub_cap, k, sizeof *sub) < 0) {
            free(sub);
            return no_memory(err);
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
    return compare_codes(set_items(s, a), x->size, set_items(s, b), y->size);
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

static int set_ref_before(const crm_basket_itemsets *s, const set_ref *a, const set_ref *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    return compare_sets(s, a->index, b->index) < 0;
}

static int sort_set_refs(const crm_basket_itemsets *s, set_ref *v, size_t n)
{
    if (n < 2)
        return 0;
    set_ref *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return -1;
    set_ref *src = v, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = set_ref_before(s, &src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        set_ref *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
    return 0;
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
    unsigned char *flags = calloc(s->nall ? s->nall : 1, 1);
    set_ref *order = malloc((s->nall ? s->nall : 1) * sizeof *order);
    if (!flags || !order) {
        free(flags);
        free(order);
        return no_memory(err);
    }
    crm_status st = CRM_OK;
    if (opts->target != CRM_BASKET_FREQUENT)
        st = mark_subsets(s, flags, err);
    unsigned char reject = opts->target == CRM_BASKET_CLOSED    ? SET_NOT_CLOSED
                           : opts->target == CRM_BASKET_MAXIMAL ? SET_NOT_MAXIMAL
                                                                : 0;
    int keyed = s->db->nitems <= (1u << 24);
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
    if (st == CRM_OK && sort_set_refs(s, order, n) < 0)
        st = no_memory(err);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += s->all[order[i].index].size;
    if (st == CRM_OK) {
        s->reported = malloc((n ? n : 1) * sizeof *s->reported);
        s->reported_ids = malloc((total ? total : 1) * sizeof *s->reported_ids);
        if (!s->reported || !s->reported_ids)
            st = no_memory(err);
    }
    if (st == CRM_OK) {
        double baskets = (double)s->db->nbaskets;
        const uint32_t *by_rank = s->db->by_rank;
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
    return st;
}

crm_status crm_basket_mine(const crm_basket_db *db, const crm_basket_mine_options *opts,
                           crm_basket_itemsets **out, crm_error *err)
{
    *out = NULL;
    if (!db->finished)
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
        return no_memory(err);
    s->db = db;
    s->max_len = opts->max_len;

    uint32_t *coded = malloc((db->nmembers ? db->nmembers : 1) * sizeof *coded);
    if (!coded) {
        crm_basket_itemsets_free(s);
        return no_memory(err);
    }
    for (size_t i = 0; i < db->nmembers; i++)
        coded[i] = db->rank[db->members[i]];
    crm_fpgrowth_data data = { (uint32_t)db->nitems, (uint32_t)db->nbaskets, db->starts, coded };
    crm_fpgrowth_options fo;
    fo.min_count = opts->min_count > UINT32_MAX ? UINT32_MAX : (uint32_t)opts->min_count;
    /* Closed and maximal need the frequent sets one item longer to judge. */
    size_t mine_len = opts->max_len;
    if (mine_len && opts->target != CRM_BASKET_FREQUENT)
        mine_len++;
    fo.max_len = mine_len > UINT32_MAX ? 0 : (uint32_t)mine_len;
    collect_state cs = { s, err };
    crm_status st = CRM_OK;
    if (opts->min_count <= db->nbaskets)
        st = crm_fpgrowth_mine(&data, &fo, collect_set, &cs, err);
    free(coded);
    if (st == CRM_OK)
        st = index_sets(s, err);
    if (st == CRM_OK)
        st = choose_reported(s, opts, err);
    if (st != CRM_OK) {
        crm_basket_itemsets_free(s);
        return st;
    }
    *out = s;
    return CRM_OK;
}

void crm_basket_itemsets_free(crm_basket_itemsets *sets)
{
    if (!sets)
        return;
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
        return sets->db->nbaskets;
    uint32_t small[32];
    uint32_t *v = n <= 32 ? small : malloc(n * sizeof *v);
    if (!v)
        return 0;
    uint64_t count = 0;
    int known = 1;
    for (size_t i = 0; i < n; i++) {
        known &= items[i] < sets->db->nitems;
        v[i] = known ? sets->db->rank[items[i]] : 0;
    }
    if (known) {
        sort_ids(v, n);
        size_t f = find_set(sets, v, n);
        count = f == SIZE_MAX ? 0 : sets->all[f].count;
    }
    if (v != small)
        free(v);
    return count;
}

/* ---- association rules ------------------------------------------------------------ */

struct crm_basket_rules {
    const crm_basket_db *db;
    crm_basket_rule *rule;
    size_t n, cap;
    uint64_t *offset;             /* while generating: where X then Y start in items */
    size_t offset_cap;
    uint32_t *items;
    size_t nitems, items_cap;
};

void crm_basket_rule_options_init(crm_basket_rule_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->max_consequent = 1;
    opts->min_len = 1;
    opts->order = CRM_BASKET_BY_LIFT;
}

/* Marks the listed items in a mask over name-rank codes; NULL list: no mask. */
static crm_status item_mask(const crm_basket_db *db, const uint32_t *list, size_t n,
                            const char *side, unsigned char **mask, crm_error *err)
{
    *mask = NULL;
    if (!list)
        return CRM_OK;
    size_t known = crm_strtab_count(db->items);
    *mask = calloc(db->nitems ? db->nitems : 1, 1);
    if (!*mask)
        return no_memory(err);
    for (size_t i = 0; i < n; i++) {
        if (list[i] >= known)
            return crm_error_set(err, CRM_EUSAGE, "unknown item id %u in the %s item list",
                                 (unsigned)list[i], side);
        if (list[i] < db->nitems)
            (*mask)[db->rank[list[i]]] = 1;
    }
    return CRM_OK;
}

typedef struct {
    const crm_basket_itemsets *sets;
    const crm_basket_rule_options *opts;
    unsigned char *ante_mask, *cons_mask;
    crm_basket_rules *rules;
    uint32_t *ante, *cons;        /* scratch, one itemset long, in codes */
    crm_error *err;
} rule_builder;

static int all_in_mask(const unsigned char *mask, const uint32_t *items, size_t n)
{
    if (!mask)
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (!mask[items[i]])
            return 0;
    }
    return 1;
}

/* Each measure is one division of exact integer products (counts are below
 * 2^32, so the products fit in 64 bits), so rules whose measures are equal
 * as fractions get equal doubles and ties fall to the documented order
 * instead of to rounding: {a} => {d} and {d} => {a} have the same lift. */
static crm_status add_rule(rule_builder *b, const stored_set *z, size_t nx, size_t ny)
{
    const crm_basket_itemsets *s = b->sets;
    uint64_t n = s->db->nbaskets, c = z->count;
    uint64_t cx = n;
    if (nx > 0) {
        size_t f = find_set(s, b->ante, nx);
        if (f == SIZE_MAX)
            return CRM_OK;   /* cannot happen: subsets of frequent sets are frequent */
        cx = s->all[f].count;
    }
    double confidence = (double)c / (double)cx;
    if (confidence < b->opts->min_confidence)
        return CRM_OK;
    uint64_t cy;
    if (ny == 1) {
        cy = s->db->item_count[s->db->by_rank[b->cons[0]]];
    } else {
        size_t f = find_set(s, b->cons, ny);
        if (f == SIZE_MAX)
            return CRM_OK;
        cy = s->all[f].count;
    }
    double lift = (double)(c * n) / (double)(cx * cy);
    if (b->opts->min_lift > 0 && lift < b->opts->min_lift)
        return CRM_OK;

    crm_basket_rules *r = b->rules;
    if (grow((void **)&r->rule, &r->cap, r->n + 1, sizeof *r->rule) < 0 ||
        grow((void **)&r->offset, &r->offset_cap, r->n + 1, sizeof *r->offset) < 0 ||
        grow((void **)&r->items, &r->items_cap, r->nitems + nx + ny, sizeof *r->items) < 0)
        return no_memory(b->err);
    const uint32_t *by_rank = s->db->by_rank;
    for (size_t i = 0; i < nx; i++)
        r->items[r->nitems + i] = by_rank[b->ante[i]];
    for (size_t i = 0; i < ny; i++)
        r->items[r->nitems + nx + i] = by_rank[b->cons[i]];
    r->offset[r->n] = r->nitems;
    r->nitems += nx + ny;

    crm_basket_rule *rule = &r->rule[r->n++];
    memset(rule, 0, sizeof *rule);
    rule->antecedent_size = nx;
    rule->consequent_size = ny;
    rule->count = c;
    rule->antecedent_count = cx;
    rule->consequent_count = cy;
    rule->support = (double)c / (double)n;
    rule->confidence = confidence;
    rule->lift = lift;
    /* c/n - (cx/n)(cy/n) = (c n - cx cy) / n^2 */
    rule->leverage = ((double)(c * n) - (double)(cx * cy)) / ((double)n * (double)n);
    /* (1 - cy/n) / (1 - c/cx) = (n - cy) cx / (n (cx - c)) */
    rule->conviction = c == cx ? HUGE_VAL
                               : (double)((n - cy) * cx) / (double)(n * (cx - c));
    return CRM_OK;
}

/* Every split of itemset z into X and a consequent Y of ny items (chosen by
 * position combinations, in name order on both sides). */
static crm_status rules_of_set(rule_builder *b, const stored_set *z, size_t ny, size_t *pick)
{
    const uint32_t *items = b->sets->items + z->offset;
    size_t k = z->size;
    for (size_t i = 0; i < ny; i++)
        pick[i] = i;
    for (;;) {
        size_t nx = 0, c = 0;
        for (size_t j = 0; j < k; j++) {
            if (c < ny && pick[c] == j)
                b->cons[c++] = items[j];
            else
                b->ante[nx++] = items[j];
        }
        if (all_in_mask(b->cons_mask, b->cons, ny) && all_in_mask(b->ante_mask, b->ante, nx)) {
            crm_status st = add_rule(b, z, nx, ny);
            if (st != CRM_OK)
                return st;
        }
        /* next combination of ny positions out of k */
        size_t i = ny;
        while (i > 0 && pick[i - 1] == k - ny + i - 1)
            i--;
        if (i == 0)
            return CRM_OK;
        pick[i - 1]++;
        for (size_t j = i; j < ny; j++)
            pick[j] = pick[j - 1] + 1;
    }
}

typedef struct {
    const crm_basket_rules *rules;
    crm_basket_rule_order order;
} rule_sort_context;

static int compare_rules(const void *ctx, size_t a, size_t b)
{
    const rule_sort_context *c = ctx;
    const crm_basket_rule *x = &c->rules->rule[a], *y = &c->rules->rule[b];
    int d;
    switch (c->order) {
    case CRM_BASKET_BY_CONFIDENCE:
        if ((d = compare_double_desc(x->confidence, y->confidence)) != 0 ||
            (d = compare_double_desc(x->lift, y->lift)) != 0 ||
            (d = compare_count_desc(x->count, y->count)) != 0)
            return d;
        break;
    case CRM_BASKET_BY_SUPPORT:
        if ((d = compare_count_desc(x->count, y->count)) != 0 ||
            (d = compare_double_desc(x->confidence, y->confidence)) != 0 ||
            (d = compare_double_desc(x->lift, y->lift)) != 0)
            return d;
        break;
    default:
        if ((d = compare_double_desc(x->lift, y->lift)) != 0 ||
            (d = compare_double_desc(x->confidence, y->confidence)) != 0 ||
            (d = compare_count_desc(x->count, y->count)) != 0)
            return d;
        break;
    }
    size_t lx = x->antecedent_size + x->consequent_size;
    size_t ly = y->antecedent_size + y->consequent_size;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    const uint32_t *rank = c->rules->db->rank;
    if ((d = compare_item_lists(rank, x->antecedent, x->antecedent_size, y->antecedent,
                                y->antecedent_size)) != 0)
        return d;
    return compare_item_lists(rank, x->consequent, x->consequent_size, y->consequent,
                              y->consequent_size);
}

static int sort_rules(crm_basket_rules *rules, crm_basket_rule_order order)
{
    size_t n = rules->n;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    crm_basket_rule *sorted = malloc((n ? n : 1) * sizeof *sorted);
    rule_sort_context ctx = { rules, order };
    for (size_t i = 0; idx && i < n; i++)
        idx[i] = i;
    if (!idx || !sorted || sort_indices(idx, n, compare_rules, &ctx) < 0) {
        free(idx);
        free(sorted);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = rules->rule[idx[i]];
    free(rules->rule);
    rules->rule = sorted;
    rules->cap = n ? n : 1;
    free(idx);
    return 0;
}

static crm_status check_rule_options(const crm_basket_rule_options *opts, crm_error *err)
{
    if (!(opts->min_confidence >= 0.0 && opts->min_confidence <= 1.0))
        return crm_error_set(err, CRM_EUSAGE,
                             "minimum confidence must be between 0 and 1 (100%%), not %g",
                             opts->min_confidence);
    if (!(opts->min_lift >= 0.0))
        return crm_error_set(err, CRM_EUSAGE, "minimum lift must not be negative, not %g",
                             opts->min_lift);
    if (opts->max_len && opts->min_len > opts->max_len)
        return crm_error_set(err, CRM_EUSAGE,
                             "the minimum rule length %zu is above the maximum %zu", opts->min_len,
                             opts->max_len);
    if (opts->order != CRM_BASKET_BY_LIFT && opts->order != CRM_BASKET_BY_CONFIDENCE &&
        opts->order != CRM_BASKET_BY_SUPPORT)
        return crm_error_set(err, CRM_EUSAGE, "unknown rule order %d", (int)opts->order);
    return CRM_OK;
}

crm_status crm_basket_rules_generate(const crm_basket_itemsets *sets,
                                     const crm_basket_rule_options *opts,
                                     crm_basket_rules **out, crm_error *err)
{
    *out = NULL;
    crm_status st = check_rule_options(opts, err);
    if (st != CRM_OK)
        return st;
    rule_builder b;
    memset(&b, 0, sizeof b);
    b.sets = sets;
    b.opts = opts;
    b.err = err;
    b.rules = calloc(1, sizeof *b.rules);
    if (!b.rules)
        return no_memory(err);
    b.rules->db = sets->db;
    st = item_mask(sets->db, opts->antecedent_items, opts->n_antecedent_items, "antecedent",
                   &b.ante_mask, err);
    if (st == CRM_OK)
        st = item_mask(sets->db, opts->consequent_items, opts->n_consequent_items, "consequent",
                       &b.cons_mask, err);
    size_t longest = 0;
    for (size_t i = 0; i < sets->nall; i++)
        longest = sets->all[i].size > longest ? sets->all[i].size : longest;
    size_t *pick = malloc((longest ? longest : 1) * sizeof *pick);
    b.ante = malloc((longest ? longest : 1) * sizeof *b.ante);
    b.cons = malloc((longest ? longest : 1) * sizeof *b.cons);
    if (st == CRM_OK && (!pick || !b.ante || !b.cons))
        st = no_memory(err);

    for (size_t i = 0; i < sets->nall && st == CRM_OK; i++) {
        const stored_set *z = &sets->all[i];
        size_t k = z->size;
        if ((sets->max_len && k > sets->max_len) || k < opts->min_len ||
            (opts->max_len && k > opts->max_len))
            continue;
        size_t most = opts->max_consequent && opts->max_consequent < k ? opts->max_consequent : k;
        for (size_t ny = 1; ny <= most && st == CRM_OK; ny++)
            st = rules_of_set(&b, z, ny, pick);
    }
    free(pick);
    free(b.ante);
    free(b.cons);
    free(b.ante_mask);
    free(b.cons_mask);

    crm_basket_rules *r = b.rules;
    if (st == CRM_OK) {
        /* The item array no longer moves: point the rules into it. */
        for (size_t i = 0; i < r->n; i++) {
            r->rule[i].antecedent = r->items + r->offset[i];
            r->rule[i].consequent = r->items + r->offset[i] + r->rule[i].antecedent_size;
        }
        if (sort_rules(r, opts->order) < 0)
            st = no_memory(err);
    }
    free(r->offset);
    r->offset = NULL;
    if (st != CRM_OK) {
        crm_basket_rules_free(r);
        return st;
    }
    *out = r;
    return CRM_OK;
}

void crm_basket_rules_free(crm_basket_rules *rules)
{
    if (!rules)
        return;
    free(rules->rule);
    free(rules->offset);
    free(rules->items);
    free(rules);
}

size_t crm_basket_rules_count(const crm_basket_rules *rules)
{
    return rules->n;
}

const crm_basket_rule *crm_basket_rules_get(const crm_basket_rules *rules, size_t i)
{
    return &rules->rule[i];
}

void crm_basket_rules_sort(crm_basket_rules *rules, crm_basket_rule_order order)
{
    /* Out of memory leaves the old order, which is still a valid order. */
    (void)sort_rules(rules, order);
}

/* ---- recommendations -------------------------------------------------------------- */

struct crm_basket_recommendations {
    crm_basket_recommendation *rec;
    size_t n, cap;
};

void crm_basket_recommend_options_init(crm_basket_recommend_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->score = CRM_BASKET_SCORE_CONFIDENCE;
}

typedef struct {
    const crm_basket_rules *rules;
    crm_basket_score score;
    size_t *best;                 /* product -> index of its best rule */
} recommend_context;

static double rule_score(const crm_basket_rule *r, crm_basket_score score)
{
    return score == CRM_BASKET_SCORE_LIFT ? r->lift : r->confidence;
}

static double rule_second(const crm_basket_rule *r, crm_basket_score score)
{
    return score == CRM_BASKET_SCORE_LIFT ? r->confidence : r->lift;
}

/* Whether rule a beats rule b for one product. */
static int rule_beats(const crm_basket_rules *rules, crm_basket_score score, size_t a, size_t b)
{
    const crm_basket_rule *x = &rules->rule[a], *y = &rules->rule[b];
    double sx = rule_score(x, score), sy = rule_score(y, score);
    if (sx != sy)
        return sx > sy;
    sx = rule_second(x, score);
    sy = rule_second(y, score);
    if (sx != sy)
        return sx > sy;
    return a < b;
}

static int compare_products(const void *ctx, size_t a, size_t b)
{
    const recommend_context *c = ctx;
    const crm_basket_rule *x = &c->rules->rule[c->best[a]], *y = &c->rules->rule[c->best[b]];
    int d;
    if ((d = compare_double_desc(rule_score(x, c->score), rule_score(y, c->score))) != 0 ||
        (d = compare_double_desc(rule_second(x, c->score), rule_second(y, c->score))) != 0)
        return d;
    const uint32_t *rank = c->rules->db->rank;
    return rank[a] < rank[b] ? -1 : rank[a] > rank[b];
}

/* Rules grouped by antecedent, each antecedent filed under one of its items,
 * the rarest, so that a customer looks at an antecedent at most once and
 * only when holding that item.  A bucket is one flat run of words, read in
 * sequence: per antecedent, the number of its other items, those items,
 * then the start and length of its rules in `grouped`. */
typedef struct {
    size_t *bucket_start;         /* item -> first word of its bucket */
    uint32_t *words;
    size_t *grouped;              /* rule indices, grouped by antecedent */
    size_t *unconditional;        /* rules with an empty antecedent */
    size_t nunconditional;
} rule_index;

static void rule_index_free(rule_index *ix)
{
    free(ix->bucket_start);
    free(ix->words);
    free(ix->grouped);
    free(ix->unconditional);
}

static int compare_antecedents(const void *ctx, size_t a, size_t b)
{
    const crm_basket_rules *rules = ctx;
    const crm_basket_rule *x = &rules->rule[a], *y = &rules->rule[b];
    return compare_item_lists(rules->db->rank, x->antecedent, x->antecedent_size, y->antecedent,
                              y->antecedent_size);
}

static uint32_t rarest_item(const crm_basket_db *db, const crm_basket_rule *rule)
{
    uint32_t k = rule->antecedent[0];
    for (size_t j = 1; j < rule->antecedent_size; j++) {
        if (db->item_count[rule->antecedent[j]] < db->item_count[k])
            k = rule->antecedent[j];
    }
    return k;
}

static int rule_index_build(rule_index *ix, const crm_basket_rules *rules)
{
    const crm_basket_db *db = rules->db;
    size_t nitems = db->nitems, n = rules->n;
    memset(ix, 0, sizeof *ix);
    if (n >= UINT32_MAX)
        return -1;
    ix->bucket_start = calloc(nitems + 2, sizeof *ix->bucket_start);
    ix->grouped = malloc((n ? n : 1) * sizeof *ix->grouped);
    ix->unconditional = malloc((n ? n : 1) * sizeof *ix->unconditional);
    if (!ix->bucket_start || !ix->grouped || !ix->unconditional)
        goto fail;
    for (size_t r = 0; r < n; r++)
        ix->grouped[r] = r;
    /* stable: within an antecedent the rules keep their order */
    if (sort_indices(ix->grouped, n, compare_antecedents, rules) < 0)
        goto fail;

    /* Pass 1 sizes the buckets, pass 2 fills them. */
    for (int pass = 1; pass <= 2; pass++) {
        for (size_t g = 0; g < n;) {
            const crm_basket_rule *rule = &rules->rule[ix->grouped[g]];
            size_t end = g + 1;
            while (end < n && compare_antecedents(rules, ix->grouped[g], ix->grouped[end]) == 0)
                end++;
            if (rule->antecedent_size == 0) {
                if (pass == 2) {
                    for (size_t j = g; j < end; j++)
                        ix->unconditional[ix->nunconditional++] = ix->grouped[j];
                }
                g = end;
                continue;
            }
            uint32_t key = rarest_item(db, rule);
            size_t words = rule->antecedent_size - 1 + 3;
            if (pass == 1) {
                ix->bucket_start[key + 2] += words;
            } else {
                uint32_t *w = ix->words + ix->bucket_start[key + 1];
                *w++ = (uint32_t)(rule->antecedent_size - 1);
                for (size_t j = 0; j < rule->antecedent_size; j++) {
                    if (rule->antecedent[j] != key)
                        *w++ = rule->antecedent[j];
                }
                *w++ = (uint32_t)g;
                *w++ = (uint32_t)(end - g);
                ix->bucket_start[key + 1] += words;
            }
            g = end;
        }
        if (pass == 1) {
            for (size_t i = 2; i < nitems + 2; i++)
                ix->bucket_start[i] += ix->bucket_start[i - 1];
            size_t total = ix->bucket_start[nitems + 1];
            ix->words = malloc((total ? total : 1) * sizeof *ix->words);
            if (!ix->words)
                goto fail;
        }
    }
    return 0;
fail:
    rule_index_free(ix);
    return -1;
}

typedef struct {
    const crm_basket_rules *rules;
    const crm_basket_recommend_options *opts;
    uint64_t *held;               /* item -> stamp when the customer bought it */
    uint64_t *offered;            /* product -> stamp when some rule predicts it */
    size_t *best;                 /* product -> best rule */
    size_t *touched;              /* products predicted for this customer */
    size_t ntouched;
} recommend_state;

static void fire_rule(recommend_state *s, size_t r, uint64_t stamp)
{
    const crm_basket_rule *rule = &s->rules->rule[r];
    for (size_t j = 0; j < rule->consequent_size; j++) {
        uint32_t y = rule->consequent[j];
        if (s->held[y] == stamp)
            continue;
        if (s->offered[y] != stamp) {
            s->offered[y] = stamp;
            s->best[y] = r;
            s->touched[s->ntouched++] = y;
        } else if (rule_beats(s->rules, s->opts->score, r, s->best[y])) {
            s->best[y] = r;
        }
    }
}

static int holds_all(const recommend_state *s, const uint32_t *items, size_t n, uint64_t stamp)
{
    for (size_t i = 0; i < n; i++) {
        if (s->held[items[i]] != stamp)
            return 0;
    }
    return 1;
}

crm_status crm_basket_recommend(const crm_basket_db *customers, const crm_basket_rules *rules,
                                const crm_basket_recommend_options *opts,
                                crm_basket_recommendations **out, crm_error *err)
{
    *out = NULL;
    if (!customers->finished)
        return crm_error_set(err, CRM_EUSAGE, "the customer input must be finished first");
    if (customers->items != rules->db->items)
        return crm_error_set(err, CRM_EUSAGE,
                             "customers and rules must share one item table");
    if (opts->score != CRM_BASKET_SCORE_CONFIDENCE && opts->score != CRM_BASKET_SCORE_LIFT)
        return crm_error_set(err, CRM_EUSAGE, "unknown recommendation score %d", (int)opts->score);

    const crm_basket_db *mined = rules->db;
    size_t nitems = customers->nitems > mined->nitems ? customers->nitems : mined->nitems;
    crm_basket_recommendations *recs = calloc(1, sizeof *recs);
    recommend_state s;
    memset(&s, 0, sizeof s);
    s.rules = rules;
    s.opts = opts;
    s.held = calloc(nitems ? nitems : 1, sizeof *s.held);
    s.offered = calloc(nitems ? nitems : 1, sizeof *s.offered);
    s.best = malloc((nitems ? nitems : 1) * sizeof *s.best);
    s.touched = malloc((nitems ? nitems : 1) * sizeof *s.touched);
    rule_index ix;
    int indexed = rule_index_build(&ix, rules) == 0;
    crm_status st = CRM_OK;
    if (!recs || !s.held || !s.offered || !s.best || !s.touched || !indexed)
        st = no_memory(err);
    recommend_context ctx = { rules, opts->score, s.best };

    for (size_t c = 0; c < customers->nbaskets && st == CRM_OK; c++) {
        uint64_t stamp = c + 1;
        size_t n;
        const uint32_t *bought = crm_basket_db_basket(customers, c, &n);
        for (size_t i = 0; i < n; i++)
            s.held[bought[i]] = stamp;
        s.ntouched = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t it = bought[i];
            if (it >= mined->nitems)
                continue;
            const uint32_t *w = ix.words + ix.bucket_start[it];
            const uint32_t *end = ix.words + ix.bucket_start[it + 1];
            while (w < end) {
                uint32_t rest = w[0];
                int held = holds_all(&s, w + 1, rest, stamp);
                uint32_t first = w[1 + rest], count = w[2 + rest];
                w += 3 + rest;
                for (uint32_t j = 0; held && j < count; j++)
                    fire_rule(&s, ix.grouped[first + j], stamp);
            }
        }
        for (size_t j = 0; j < ix.nunconditional; j++)
            fire_rule(&s, ix.unconditional[j], stamp);

        size_t kept = 0;
        for (size_t i = 0; i < s.ntouched; i++) {
            size_t y = s.touched[i];
            if (rule_score(&rules->rule[s.best[y]], opts->score) >= opts->min_score)
                s.touched[kept++] = y;
        }
        if (sort_indices(s.touched, kept, compare_products, &ctx) < 0) {
            st = no_memory(err);
            break;
        }
        if (opts->top_n && kept > opts->top_n)
            kept = opts->top_n;
        if (grow((void **)&recs->rec, &recs->cap, recs->n + kept, sizeof *recs->rec) < 0) {
            st = no_memory(err);
            break;
        }
        for (size_t i = 0; i < kept; i++) {
            size_t y = s.touched[i];
            recs->rec[recs->n++] = (crm_basket_recommendation){
                c, (uint32_t)y, rule_score(&rules->rule[s.best[y]], opts->score), s.best[y]
            };
        }
    }
    if (indexed)
        rule_index_free(&ix);
    free(s.held);
    free(s.offered);
    free(s.best);
    free(s.touched);
    if (st != CRM_OK) {
        crm_basket_recommendations_free(recs);
        return st;
    }
    *out = recs;
    return CRM_OK;
}

void crm_basket_recommendations_free(crm_basket_recommendations *recs)
{
    if (!recs)
        return;
    free(recs->rec);
    free(recs);
}

size_t crm_basket_recommendations_count(const crm_basket_recommendations *recs)
{
    return recs->n;
}

const crm_basket_recommendation *crm_basket_recommendations_get(
    const crm_basket_recommendations *recs, size_t i)
{
    return &recs->rec[i];
}
