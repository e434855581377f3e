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
    int adding;                   /* made by crm_basket_rules_new, not finished yet */
    crm_fpgrowth_budget *budget;  /* the arrays above are charged to it; NULL: none */
    size_t charged;
};

static crm_status over_budget(const crm_basket_rules *r, crm_basket_limits *limits,
                              crm_error *err)
{
    limits->reached = CRM_BASKET_OVER_MEMORY;
    return crm_error_set(err, CRM_ENOMEM,
                         "the %zu rules found so far need more than the memory budget of %zu MiB "
                         "(with the itemsets they come from)", r->n,
                         limits->memory.max_bytes >> 20);
}

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
    crm_basket_limits *limits = b->opts->limits;
    if (limits && limits->max_rules && r->n >= limits->max_rules) {
        limits->reached = CRM_BASKET_TOO_MANY_RULES;
        return crm_error_set(b->err, CRM_ENOMEM, "more than %llu rules pass the filters",
                             (unsigned long long)limits->max_rules);
    }
    int grown = crm_fpgrowth_budget_reserve(r->budget, &r->rule, &r->cap,
                                            r->n + 1, sizeof *r->rule, &r->charged);
    if (grown > 0)
        grown = crm_fpgrowth_budget_reserve(r->budget, &r->offset, &r->offset_cap,
                                            r->n + 1, sizeof *r->offset, &r->charged);
    if (grown > 0)
        grown = crm_fpgrowth_budget_reserve(r->budget, &r->items, &r->items_cap,
                                            r->nitems + nx + ny, sizeof *r->items, &r->charged);
    if (grown < 0)
        return over_budget(r, limits, b->err);
    if (grown == 0)
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
    if (opts->limits) {
        opts->limits->reached = CRM_BASKET_WITHIN_LIMITS;
        opts->limits->memory.exceeded = 0;
        b.rules->budget = &opts->limits->memory;
    }
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
        /* The sort's index and the sorted copy, which then replaces the
         * rules (so the old array is given back). */
        size_t scratch = (r->n ? r->n : 1) * (sizeof(size_t) + sizeof *r->rule);
        if (!crm_fpgrowth_budget_charge(r->budget, scratch))
            st = over_budget(r, opts->limits, err);
        else if (sort_rules(r, opts->order) < 0)
            st = crm_basket_no_memory(err);
        crm_fpgrowth_budget_release(r->budget, scratch);
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
    crm_fpgrowth_budget_release(rules->budget, rules->charged);
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

/* ---- rules read back ---- */

const char *crm_basket_measure_name(crm_basket_measure measure)
{
    static const char *const names[] = {"support", "confidence", "lift", "leverage", "conviction"};
    return (unsigned)measure < sizeof names / sizeof names[0] ? names[measure] : "measure";
}

/* The ranges are those the measures of crm_basket_rules_generate can take
 * (crm/basket_rules.h); leverage c/n - (cx/n)(cy/n) is at most 1/4 - 0 and
 * at least 0 - 1/4. */
const char *crm_basket_measure_range(crm_basket_measure measure, double v)
{
    switch (measure) {
    case CRM_BASKET_MEASURE_SUPPORT:
    case CRM_BASKET_MEASURE_CONFIDENCE:
        return v >= 0.0 && v <= 1.0 ? NULL : "between 0 and 1";
    case CRM_BASKET_MEASURE_LIFT:
        return v >= 0.0 && v < HUGE_VAL ? NULL : "a finite number of at least 0";
    case CRM_BASKET_MEASURE_LEVERAGE:
        return v >= -0.25 && v <= 0.25 ? NULL : "between -0.25 and 0.25";
    case CRM_BASKET_MEASURE_CONVICTION:
        return v >= 0.0 ? NULL : "at least 0 (or inf)";
    }
    return "a known measure";
}

crm_status crm_basket_rules_new(const crm_basket_db *db, crm_basket_rules **out, crm_error *err)
{
    *out = NULL;
    if (!crm_basket_db_finished(db))
        return crm_error_set(err, CRM_EUSAGE, "the basket database must be finished first");
    crm_basket_rules *r = calloc(1, sizeof *r);
    if (!r)
        return crm_basket_no_memory(err);
    r->db = db;
    r->adding = 1;
    *out = r;
    return CRM_OK;
}

static size_t name_len(const char *const *names, const size_t *lens, size_t i)
{
    return lens ? lens[i] : strlen(names[i]);
}

/* One side of a named rule, for the checks below. */
typedef struct {
    const char *const *names;
    const size_t *lens;
    size_t n;
    const char *what;
} named_side;

/* Empty names and items given twice are errors whatever the database
 * knows, so they are checked on the names (sides are short: pairwise). */
static crm_status check_names(const named_side *side, crm_error *err)
{
    for (size_t i = 0; i < side[0].n + side[1].n; i++) {
        const named_side *a = i < side[0].n ? &side[0] : &side[1];
        size_t ai = i < side[0].n ? i : i - side[0].n;
        size_t alen = name_len(a->names, a->lens, ai);
        if (alen == 0)
            return crm_error_set(err, CRM_EDATA, "the %s has an empty item name", a->what);
        for (size_t j = i + 1; j < side[0].n + side[1].n; j++) {
            const named_side *b = j < side[0].n ? &side[0] : &side[1];
            size_t bj = j < side[0].n ? j : j - side[0].n;
            if (name_len(b->names, b->lens, bj) != alen || memcmp(a->names[ai], b->names[bj], alen))
                continue;
            char shown[256];
            crm_error_quote(shown, sizeof shown, a->names[ai], alen);
            if (a == b)
                return crm_error_set(err, CRM_EDATA, "item '%s' appears twice in the %s", shown,
                                     a->what);
            return crm_error_set(err, CRM_EDATA,
                                 "item '%s' is in both the antecedent and the consequent", shown);
        }
    }
    return CRM_OK;
}

static crm_status check_measures(const crm_basket_named_rule *rule, crm_error *err)
{
    const double v[] = {rule->support, rule->confidence, rule->lift, rule->leverage,
                        rule->conviction};
    for (int m = CRM_BASKET_MEASURE_SUPPORT; m <= CRM_BASKET_MEASURE_CONVICTION; m++) {
        const char *range = crm_basket_measure_range((crm_basket_measure)m, v[m]);
        if (range)
            return crm_error_set(err, CRM_EDATA, "%s %g is not %s",
                                 crm_basket_measure_name((crm_basket_measure)m), v[m], range);
    }
    return CRM_OK;
}

/* Ids of one side, 1 when all are known to the database (with a rank). */
static int known_ids(const crm_basket_db *db, const named_side *side, uint32_t *ids)
{
    size_t ranked = crm_basket_db_item_ids(db);
    for (size_t i = 0; i < side->n; i++) {
        if (!crm_basket_db_find_item(db, side->names[i], name_len(side->names, side->lens, i),
                                     &ids[i]) || ids[i] >= ranked)
            return 0;
    }
    return 1;
}

/* Insertion sort of a short side into name order (ranks). */
static void sort_by_rank(const uint32_t *rank, uint32_t *ids, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t id = ids[i];
        size_t j = i;
        for (; j > 0 && rank[ids[j - 1]] > rank[id]; j--)
            ids[j] = ids[j - 1];
        ids[j] = id;
    }
}

crm_status crm_basket_rules_add_named(crm_basket_rules *rules, const crm_basket_named_rule *rule,
                                      int *kept, crm_error *err)
{
    *kept = 0;
    if (!rules->adding)
        return crm_error_set(err, CRM_EUSAGE, "rules can only be added before they are finished");
    const named_side side[2] = {
        {rule->antecedent, rule->antecedent_lens, rule->antecedent_size, "antecedent"},
        {rule->consequent, rule->consequent_lens, rule->consequent_size, "consequent"},
    };
    if (rule->consequent_size == 0)
        return crm_error_set(err, CRM_EDATA, "the consequent has no items");
    crm_status st = check_names(side, err);
    if (st == CRM_OK)
        st = check_measures(rule, err);
    if (st != CRM_OK)
        return st;

    size_t nx = rule->antecedent_size, ny = rule->consequent_size;
    if (!crm_array_reserve(&rules->rule, &rules->cap, rules->n + 1, sizeof *rules->rule) ||
        !crm_array_reserve(&rules->offset, &rules->offset_cap, rules->n + 1, sizeof *rules->offset) ||
        !crm_array_reserve(&rules->items, &rules->items_cap, rules->nitems + nx + ny,
                           sizeof *rules->items))
        return crm_basket_no_memory(err);
    uint32_t *x = rules->items + rules->nitems, *y = x + nx;
    if (!known_ids(rules->db, &side[0], x) || !known_ids(rules->db, &side[1], y))
        return CRM_OK;
    const uint32_t *rank = crm_basket_db_name_ranks(rules->db);
    sort_by_rank(rank, x, nx);
    sort_by_rank(rank, y, ny);
    rules->offset[rules->n] = rules->nitems;
    rules->nitems += nx + ny;

    crm_basket_rule *r = &rules->rule[rules->n++];
    memset(r, 0, sizeof *r);
    r->antecedent_size = nx;
    r->consequent_size = ny;
    r->count = rule->count;
    r->support = rule->support;
    r->confidence = rule->confidence;
    r->lift = rule->lift;
    r->leverage = rule->leverage;
    r->conviction = rule->conviction;
    *kept = 1;
    return CRM_OK;
}

crm_status crm_basket_rules_finish(crm_basket_rules *rules, const crm_basket_rule_options *opts,
                                   crm_error *err)
{
    if (!rules->adding)
        return crm_error_set(err, CRM_EUSAGE, "the rules are finished already");
    crm_status st = check_rule_options(opts, err);
    if (st != CRM_OK)
        return st;
    size_t kept = 0;
    for (size_t i = 0; i < rules->n; i++) {
        const crm_basket_rule *r = &rules->rule[i];
        if (r->confidence < opts->min_confidence || (opts->min_lift > 0 && r->lift < opts->min_lift))
            continue;
        rules->offset[kept] = rules->offset[i];
        rules->rule[kept++] = *r;
    }
    rules->n = kept;
    /* The item array no longer moves: point the rules into it. */
    for (size_t i = 0; i < rules->n; i++) {
        rules->rule[i].antecedent = rules->items + rules->offset[i];
        rules->rule[i].consequent = rules->items + rules->offset[i] + rules->rule[i].antecedent_size;
    }
    if (sort_rules(rules, opts->order) < 0)
        return crm_basket_no_memory(err);
    free(rules->offset);
    rules->offset = NULL;
    rules->adding = 0;
    return CRM_OK;
}
