#include "crm/basket.h"

#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"

crm_status crm_basket_no_memory(crm_error *err)
{
    return crm_error_set(err, CRM_ENOMEM, "out of memory in basket analysis");
}

enum { DB_EMPTY_INPUT = 0, DB_WHOLE, DB_PAIRS, DB_TALLY };

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

    const crm_strtab *exclude;    /* items left out, or NULL */
    crm_strtab *label_votes;      /* key: item id (4 bytes), then the label */
    uint64_t *votes;              /* per label_votes id */
    size_t votes_cap;
    uint32_t *label_of;           /* item id -> label_votes id + 1 (0: none), from finish */

    /* pair input: baskets set aside (crm_basket_db_set_aside), raw */
    uint32_t *aside_key;          /* key ids asked for, then (finish) those kept */
    size_t naside, aside_key_cap;
    uint64_t *aside_start;        /* basket i is aside_items[aside_start[i] .. [i + 1]) */
    uint32_t *aside_items;
    size_t aside_nitems;

    /* tallies (crm_basket_db_add_tally): counts made elsewhere */
    uint64_t tally_baskets;
    uint64_t *tally_count;        /* item id -> baskets */
    size_t tally_cap;
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
        return crm_basket_no_memory(err);
    db->separator = opts->item_separator;
    db->empty = opts->empty;
    db->exclude = opts->exclude;
    db->items = opts->items;
    if (!db->items) {
        db->items = crm_strtab_new(1024);
        db->owns_items = 1;
    }
    db->starts = malloc(16 * sizeof *db->starts);
    db->starts_cap = 16;
    if (!db->items || !db->starts) {
        crm_basket_db_free(db);
        return crm_basket_no_memory(err);
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
    crm_strtab_free(db->label_votes);
    free(db->votes);
    free(db->label_of);
    free(db->aside_key);
    free(db->aside_start);
    free(db->aside_items);
    free(db->tally_count);
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
        return crm_basket_no_memory(err);
    return CRM_OK;
}

static int excluded(crm_basket_db *db, const char *name, size_t len)
{
    uint32_t id;
    if (!db->exclude || !crm_strtab_find(db->exclude, name, len, &id))
        return 0;
    db->stats.excluded_items++;
    return 1;
}

/* Appends members[from .. nmembers) as the next basket (already unique). */
static crm_status close_basket(crm_basket_db *db, crm_error *err)
{
    if (db->nbaskets + 1 >= UINT32_MAX)
        return crm_error_set(err, CRM_ENOMEM, "too many baskets (at most %u)",
                             (unsigned)UINT32_MAX - 2);
    if (!crm_array_reserve(&db->starts, &db->starts_cap, db->nbaskets + 2, sizeof *db->starts))
        return crm_basket_no_memory(err);
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
    if (!crm_array_reserve(&db->scratch, &db->scratch_cap, n ? n : 1, sizeof *db->scratch))
        return crm_basket_no_memory(err);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = lens ? lens[i] : strlen(items[i]);
        if (len == 0) {
            db->stats.empty_items++;
            continue;
        }
        if (excluded(db, items[i], len))
            continue;
        st = intern_item(db, items[i], len, &db->scratch[m], err);
        if (st != CRM_OK)
            return st;
        m++;
    }
    size_t u = crm_sort_unique_u32(db->scratch, m);
    db->stats.duplicate_items += m - u;
    if (u == 0) {
        db->stats.empty_baskets++;
        if (db->empty == CRM_BASKET_EMPTY_ERROR)
            return crm_error_set(err, CRM_EDATA, "basket %llu has no items",
                                 (unsigned long long)db->input_baskets);
        if (db->empty == CRM_BASKET_EMPTY_SKIP)
            return CRM_OK;
    }
    if (!crm_array_reserve(&db->members, &db->members_cap, db->nmembers + u, sizeof *db->members))
        return crm_basket_no_memory(err);
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
        return crm_basket_no_memory(err);
    uint32_t kid, iid;
    if (crm_strtab_intern(db->keys, key, key_len, &kid) < 0)
        return crm_basket_no_memory(err);
    if (kid >= UINT32_MAX - 2)
        return crm_error_set(err, CRM_ENOMEM, "too many baskets (at most %u)",
                             (unsigned)UINT32_MAX - 2);
    if (item_len == 0) {
        db->stats.empty_items++;
        return CRM_OK;
    }
    if (excluded(db, item, item_len))
        return CRM_OK; /* the basket exists all the same */
    st = intern_item(db, item, item_len, &iid, err);
    if (st != CRM_OK)
        return st;
    if (!crm_array_reserve(&db->pair_key, &db->pair_key_cap, db->npairs + 1,
                           sizeof *db->pair_key) ||
        !crm_array_reserve(&db->pair_item, &db->pair_item_cap, db->npairs + 1,
                           sizeof *db->pair_item))
        return crm_basket_no_memory(err);
    db->pair_key[db->npairs] = kid;
    db->pair_item[db->npairs] = iid;
    db->npairs++;
    return CRM_OK;
}

static int is_aside(const crm_basket_db *db, uint32_t key)
{
    for (size_t i = 0; i < db->naside; i++) {
        if (db->aside_key[i] == key)
            return 1;
    }
    return 0;
}

crm_status crm_basket_db_set_aside(crm_basket_db *db, const char *key, size_t len, crm_error *err)
{
    crm_status st = check_adding(db, DB_PAIRS, err);
    if (st != CRM_OK)
        return st;
    uint32_t kid;
    if (!db->keys && !(db->keys = crm_strtab_new(1024)))
        return crm_basket_no_memory(err);
    if (crm_strtab_intern(db->keys, key, len, &kid) < 0)
        return crm_basket_no_memory(err);
    if (is_aside(db, kid))
        return CRM_OK;
    if (!crm_array_reserve(&db->aside_key, &db->aside_key_cap, db->naside + 1, sizeof *db->aside_key))
        return crm_basket_no_memory(err);
    db->aside_key[db->naside++] = kid;
    return CRM_OK;
}

/* Copies the set-aside baskets' items (grouped, in input order, repeats
 * kept) out of the grouping, in the order they were set aside. */
static crm_status take_aside(crm_basket_db *db, const uint64_t *start, const uint32_t *grouped,
                             crm_error *err)
{
    if (!db->naside)
        return CRM_OK;
    size_t total = 0;
    for (size_t i = 0; i < db->naside; i++)
        total += (size_t)(start[db->aside_key[i] + 1] - start[db->aside_key[i]]);
    db->aside_start = malloc((db->naside + 1) * sizeof *db->aside_start);
    db->aside_items = malloc((total ? total : 1) * sizeof *db->aside_items);
    if (!db->aside_start || !db->aside_items)
        return crm_basket_no_memory(err);
    db->aside_start[0] = 0;
    for (size_t i = 0; i < db->naside; i++) {
        uint32_t k = db->aside_key[i];
        size_t n = (size_t)(start[k + 1] - start[k]);
        memcpy(db->aside_items + db->aside_nitems, grouped + start[k], n * sizeof *grouped);
        db->aside_nitems += n;
        db->aside_start[i + 1] = db->aside_nitems;
    }
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
        !crm_array_reserve(&db->starts, &db->starts_cap, nkeys + 1, sizeof *db->starts)) {
        free(start);
        free(grouped);
        return crm_basket_no_memory(err);
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

    crm_status st = take_aside(db, start, grouped, err);
    size_t out = 0;
    for (size_t k = 0; k < nkeys && st == CRM_OK; k++) {
        size_t n = (size_t)(start[k + 1] - start[k]);
        if (is_aside(db, (uint32_t)k))
            continue;
        size_t u = crm_sort_unique_u32(grouped + start[k], n);
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
        return crm_basket_no_memory(err);
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

/* ---- labels ---- */

static int is_blank(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

crm_status crm_basket_db_add_label(crm_basket_db *db, const char *item, size_t item_len,
                                   const char *label, size_t label_len, crm_error *err)
{
    if (db->finished)
        return crm_error_set(err, CRM_EUSAGE, "labels cannot be added after the input has ended");
    while (label_len && is_blank(label[0]))
        label++, label_len--;
    while (label_len && is_blank(label[label_len - 1]))
        label_len--;
    uint32_t iid, vid;
    if (label_len == 0 || !crm_strtab_find(db->items, item, item_len, &iid))
        return CRM_OK;
    if (!db->label_votes && !(db->label_votes = crm_strtab_new(1024)))
        return crm_basket_no_memory(err);
    if (!crm_array_reserve(&db->scratch, &db->scratch_cap, label_len / sizeof *db->scratch + 2,
                           sizeof *db->scratch))
        return crm_basket_no_memory(err);
    char *key = (char *)db->scratch;
    memcpy(key, &iid, sizeof iid);
    memcpy(key + sizeof iid, label, label_len);
    int added = crm_strtab_intern(db->label_votes, key, sizeof iid + label_len, &vid);
    if (added < 0 || !crm_array_reserve(&db->votes, &db->votes_cap, (size_t)vid + 1, sizeof *db->votes))
        return crm_basket_no_memory(err);
    if (added)
        db->votes[vid] = 0;
    db->votes[vid]++;
    return CRM_OK;
}

/* The winning label of every item: most votes, then byte order. */
static crm_status settle_labels(crm_basket_db *db, crm_error *err)
{
    if (!db->label_votes)
        return CRM_OK;
    db->label_of = calloc(db->nitems ? db->nitems : 1, sizeof *db->label_of);
    if (!db->label_of)
        return crm_basket_no_memory(err);
    size_t n = crm_strtab_count(db->label_votes);
    for (uint32_t v = 0; v < n; v++) {
        size_t len;
        const char *key = crm_strtab_get(db->label_votes, v, &len);
        uint32_t iid;
        memcpy(&iid, key, sizeof iid);
        if (iid >= db->nitems)
            continue;
        uint32_t best = db->label_of[iid];
        if (best) {
            size_t best_len;
            const char *b = crm_strtab_get(db->label_votes, best - 1, &best_len);
            uint64_t bv = db->votes[best - 1];
            if (db->votes[v] < bv)
                continue;
            if (db->votes[v] == bv) {
                named_item x = {key + sizeof iid, len - sizeof iid, 0};
                named_item y = {b + sizeof iid, best_len - sizeof iid, 0};
                if (compare_names(&x, &y) >= 0)
                    continue;
            }
        }
        db->label_of[iid] = v + 1;
    }
    return CRM_OK;
}

const char *crm_basket_db_item_label(const crm_basket_db *db, uint32_t id, size_t *len)
{
    *len = 0;
    if (!db->label_of || id >= db->nitems || !db->label_of[id])
        return NULL;
    size_t key_len;
    const char *key = crm_strtab_get(db->label_votes, db->label_of[id] - 1, &key_len);
    *len = key_len - sizeof id;
    return key + sizeof id;
}

/* ---- tallies ---- */

crm_status crm_basket_db_add_tally(crm_basket_db *db, uint64_t baskets, const crm_basket_db_stats *stats,
                                   crm_error *err)
{
    crm_status st = check_adding(db, DB_TALLY, err);
    if (st != CRM_OK)
        return st;
    if (baskets >= UINT32_MAX - 2 - db->tally_baskets)
        return crm_error_set(err, CRM_ENOMEM, "too many baskets (at most %u)", (unsigned)UINT32_MAX - 2);
    db->tally_baskets += baskets;
    if (stats) {
        db->stats.empty_baskets += stats->empty_baskets;
        db->stats.empty_items += stats->empty_items;
        db->stats.duplicate_items += stats->duplicate_items;
        db->stats.excluded_items += stats->excluded_items;
    }
    return CRM_OK;
}

crm_status crm_basket_db_add_item_tally(crm_basket_db *db, const char *item, size_t len, uint64_t count,
                                        crm_error *err)
{
    crm_status st = check_adding(db, DB_TALLY, err);
    uint32_t id;
    if (st == CRM_OK)
        st = intern_item(db, item, len, &id, err);
    if (st != CRM_OK)
        return st;
    size_t had = db->tally_cap;
    if (!crm_array_reserve(&db->tally_count, &db->tally_cap, (size_t)id + 1, sizeof *db->tally_count))
        return crm_basket_no_memory(err);
    if (db->tally_cap > had)
        memset(db->tally_count + had, 0, (db->tally_cap - had) * sizeof *db->tally_count);
    db->tally_count[id] += count;
    return CRM_OK;
}

/* A tally's baskets are counted, not kept: the item counts come from the
 * tallies and no basket can be listed or mined. */
static crm_status finish_tally(crm_basket_db *db, crm_error *err)
{
    db->nbaskets = (size_t)db->tally_baskets;
    for (size_t i = 0; i < db->nitems; i++) {
        uint64_t c = i < db->tally_cap ? db->tally_count[i] : 0;
        if (c > db->tally_baskets)
            return crm_error_set(err, CRM_EDATA, "item counted in %llu baskets of %llu",
                                 (unsigned long long)c, (unsigned long long)db->tally_baskets);
        db->item_count[i] = (uint32_t)c;
        db->nmembers += (size_t)c;
    }
    return CRM_OK;
}

int crm_basket_db_is_tally(const crm_basket_db *db)
{
    return db->mode == DB_TALLY;
}

size_t crm_basket_db_aside_count(const crm_basket_db *db)
{
    return db->finished ? db->naside : 0;
}

const uint32_t *crm_basket_db_aside(const crm_basket_db *db, size_t i, const char **key, size_t *key_len,
                                    size_t *n)
{
    *key = crm_strtab_get(db->keys, db->aside_key[i], key_len);
    *n = (size_t)(db->aside_start[i + 1] - db->aside_start[i]);
    return db->aside_items + db->aside_start[i];
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
        return crm_basket_no_memory(err);
    for (size_t i = 0; i < db->nmembers; i++)
        db->item_count[db->members[i]]++;
    if (db->mode == DB_TALLY && (st = finish_tally(db, err)) != CRM_OK)
        return st;
    st = rank_items_by_name(db, err);
    if (st == CRM_OK)
        st = settle_labels(db, err);
    if (st != CRM_OK)
        return st;
    for (size_t i = 0; i < db->nitems; i++)
        db->stats.items += db->item_count[i] > 0;
    db->stats.baskets = db->nbaskets;
    db->stats.occurrences = db->nmembers;
    db->finished = 1;
    return CRM_OK;
}

int crm_basket_db_finished(const crm_basket_db *db)
{
    return db->finished;
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

const uint32_t *crm_basket_db_occurrences(const crm_basket_db *db, const uint64_t **starts)
{
    *starts = db->starts;
    return db->members;
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

size_t crm_basket_db_item_ids(const crm_basket_db *db)
{
    return db->nitems;
}

const uint32_t *crm_basket_db_name_ranks(const crm_basket_db *db)
{
    return db->rank;
}

const uint32_t *crm_basket_db_ranked_items(const crm_basket_db *db)
{
    return db->by_rank;
}

int crm_basket_db_compare_items(const crm_basket_db *db, const uint32_t *a, size_t na,
                                const uint32_t *b, size_t nb)
{
    /* Ranks are a bijection, so ids differ where ranks differ. */
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return db->rank[a[i]] < db->rank[b[i]] ? -1 : 1;
    }
    return (na > nb) - (na < nb);
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
