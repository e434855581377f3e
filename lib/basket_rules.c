#include "crm/basket_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"

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
    size_t known = crm_strtab_count(crm_basket_db_items(db));
    size_t nitems = crm_basket_db_item_ids(db);
    const uint32_t *rank = crm_basket_db_name_ranks(db);
    *mask = calloc(nitems ? nitems : 1, 1);
    if (!*mask)
        return crm_basket_no_memory(err);
    for (size_t i = 0; i < n; i++) {
        if (list[i] >= known)
            return crm_error_set(err, CRM_EUSAGE, "unknown item id %u in the %s item list",
                                 (unsigned)list[i], side);
        if (list[i] < nitems)
            (*mask)[rank[list[i]]] = 1;
    }
    return CRM_OK;
}

/* A kept itemset, in name ranks. */
typedef struct {
    const uint32_t *ranks;
    size_t size;
    uint64_t count;
} kept_set;

typedef struct {
    const crm_basket_itemsets *sets;
    const crm_basket_db *db;
    const uint32_t *by_rank;      /* name rank -> item id */
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
static crm_status add_rule(rule_builder *b, const kept_set *z, size_t nx, size_t ny)
{
    uint64_t n = crm_basket_db_count(b->db), c = z->count;
    uint64_t cx = n;
    if (nx > 0) {
        cx = crm_basket_itemsets_lookup_ranks(b->sets, b->ante, nx);
        if (cx == 0)
            return CRM_OK;   /* cannot happen: subsets of frequent sets are frequent */
    }
    double confidence = (double)c / (double)cx;
    if (confidence < b->opts->min_confidence)
        return CRM_OK;
    uint64_t cy;
    if (ny == 1) {
        cy = crm_basket_db_item_count(b->db, b->by_rank[b->cons[0]]);
    } else {
        cy = crm_basket_itemsets_lookup_ranks(b->sets, b->cons, ny);
        if (cy == 0)
            return CRM_OK;
    }
    double lift = (double)(c * n) / (double)(cx * cy);
    if (b->opts->min_lift > 0 && lift < b->opts->min_lift)
        return CRM_OK;

    crm_basket_rules *r = b->rules;
    if (!crm_array_reserve(&r->rule, &r->cap, r->n + 1, sizeof *r->rule) ||
        !crm_array_reserve(&r->offset, &r->offset_cap, r->n + 1, sizeof *r->offset) ||
        !crm_array_reserve(&r->items, &r->items_cap, r->nitems + nx + ny, sizeof *r->items))
        return crm_basket_no_memory(b->err);
    const uint32_t *by_rank = b->by_rank;
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
static crm_status rules_of_set(rule_builder *b, const kept_set *z, size_t ny, size_t *pick)
{
    const uint32_t *items = z->ranks;
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

/* Compares the rules at two positions (size_t) of an index array. */
static int compare_rules(const void *ctx, const void *a, const void *b)
{
    const rule_sort_context *c = ctx;
    const crm_basket_rule *x = &c->rules->rule[*(const size_t *)a];
    const crm_basket_rule *y = &c->rules->rule[*(const size_t *)b];
    int d;
    switch (c->order) {
    case CRM_BASKET_BY_CONFIDENCE:
        if ((d = crm_compare_double_desc(x->confidence, y->confidence)) != 0 ||
            (d = crm_compare_double_desc(x->lift, y->lift)) != 0 ||
            (d = crm_compare_u64_desc(x->count, y->count)) != 0)
            return d;
        break;
    case CRM_BASKET_BY_SUPPORT:
        if ((d = crm_compare_u64_desc(x->count, y->count)) != 0 ||
            (d = crm_compare_double_desc(x->confidence, y->confidence)) != 0 ||
            (d = crm_compare_double_desc(x->lift, y->lift)) != 0)
            return d;
        break;
    default:
        if ((d = crm_compare_double_desc(x->lift, y->lift)) != 0 ||
            (d = crm_compare_double_desc(x->confidence, y->confidence)) != 0 ||
            (d = crm_compare_u64_desc(x->count, y->count)) != 0)
            return d;
        break;
    }
    size_t lx = x->antecedent_size + x->consequent_size;
    size_t ly = y->antecedent_size + y->consequent_size;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    const crm_basket_db *db = c->rules->db;
    if ((d = crm_basket_db_compare_items(db, x->antecedent, x->antecedent_size, y->antecedent,
                                         y->antecedent_size)) != 0)
        return d;
    return crm_basket_db_compare_items(db, x->consequent, x->consequent_size, y->consequent,
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
    if (!idx || !sorted || crm_sort_stable(idx, n, sizeof *idx, compare_rules, &ctx) < 0) {
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
    b.db = crm_basket_itemsets_db(sets);
    b.by_rank = crm_basket_db_ranked_items(b.db);
    b.opts = opts;
    b.err = err;
    b.rules = calloc(1, sizeof *b.rules);
    if (!b.rules)
        return crm_basket_no_memory(err);
    b.rules->db = b.db;
    st = item_mask(b.db, opts->antecedent_items, opts->n_antecedent_items, "antecedent",
                   &b.ante_mask, err);
    if (st == CRM_OK)
        st = item_mask(b.db, opts->consequent_items, opts->n_consequent_items, "consequent",
                       &b.cons_mask, err);
    size_t nsets = crm_basket_itemsets_kept_count(sets);
    size_t mined_len = crm_basket_itemsets_max_len(sets);
    size_t longest = 0;
    for (size_t i = 0; i < nsets; i++) {
        size_t size;
        uint64_t count;
        (void)crm_basket_itemsets_kept_get(sets, i, &size, &count);
        longest = size > longest ? size : longest;
    }
    size_t *pick = malloc((longest ? longest : 1) * sizeof *pick);
    b.ante = malloc((longest ? longest : 1) * sizeof *b.ante);
    b.cons = malloc((longest ? longest : 1) * sizeof *b.cons);
    if (st == CRM_OK && (!pick || !b.ante || !b.cons))
        st = crm_basket_no_memory(err);

    for (size_t i = 0; i < nsets && st == CRM_OK; i++) {
        kept_set z;
        z.ranks = crm_basket_itemsets_kept_get(sets, i, &z.size, &z.count);
        size_t k = z.size;
        if ((mined_len && k > mined_len) || k < opts->min_len ||
            (opts->max_len && k > opts->max_len))
            continue;
        size_t most = opts->max_consequent && opts->max_consequent < k ? opts->max_consequent : k;
        for (size_t ny = 1; ny <= most && st == CRM_OK; ny++)
            st = rules_of_set(&b, &z, ny, pick);
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
            st = crm_basket_no_memory(err);
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

const crm_basket_db *crm_basket_rules_db(const crm_basket_rules *rules)
{
    return rules->db;
}

void crm_basket_rules_sort(crm_basket_rules *rules, crm_basket_rule_order order)
{
    /* Out of memory leaves the old order, which is still a valid order. */
    (void)sort_rules(rules, order);
}
