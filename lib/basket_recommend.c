#include "crm/basket_recommend.h"

#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"

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
    const uint32_t *rank;         /* item id -> name rank */
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
    const crm_basket_rule *x = crm_basket_rules_get(rules, a);
    const crm_basket_rule *y = crm_basket_rules_get(rules, b);
    double sx = rule_score(x, score), sy = rule_score(y, score);
    if (sx != sy)
        return sx > sy;
    sx = rule_second(x, score);
    sy = rule_second(y, score);
    if (sx != sy)
        return sx > sy;
    return a < b;
}

/* Compares two products (size_t item ids) by their best rules. */
static int compare_products(const void *ctx, const void *pa, const void *pb)
{
    const recommend_context *c = ctx;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const crm_basket_rule *x = crm_basket_rules_get(c->rules, c->best[a]);
    const crm_basket_rule *y = crm_basket_rules_get(c->rules, c->best[b]);
    int d;
    if ((d = crm_compare_double_desc(rule_score(x, c->score), rule_score(y, c->score))) != 0 ||
        (d = crm_compare_double_desc(rule_second(x, c->score), rule_second(y, c->score))) != 0)
        return d;
    return c->rank[a] < c->rank[b] ? -1 : c->rank[a] > c->rank[b];
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

/* Compares the antecedents of two rules given by index (size_t). */
static int compare_antecedents(const void *ctx, const void *a, const void *b)
{
    const crm_basket_rules *rules = ctx;
    const crm_basket_rule *x = crm_basket_rules_get(rules, *(const size_t *)a);
    const crm_basket_rule *y = crm_basket_rules_get(rules, *(const size_t *)b);
    return crm_basket_db_compare_items(crm_basket_rules_db(rules), x->antecedent,
                                       x->antecedent_size, y->antecedent, y->antecedent_size);
}

static uint32_t rarest_item(const crm_basket_db *db, const crm_basket_rule *rule)
{
    uint32_t k = rule->antecedent[0];
    for (size_t j = 1; j < rule->antecedent_size; j++) {
        if (crm_basket_db_item_count(db, rule->antecedent[j]) < crm_basket_db_item_count(db, k))
            k = rule->antecedent[j];
    }
    return k;
}

static int rule_index_build(rule_index *ix, const crm_basket_rules *rules)
{
    const crm_basket_db *db = crm_basket_rules_db(rules);
    size_t nitems = crm_basket_db_item_ids(db), n = crm_basket_rules_count(rules);
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
    if (crm_sort_stable(ix->grouped, n, sizeof *ix->grouped, compare_antecedents, rules) < 0)
        goto fail;

    /* Pass 1 sizes the buckets, pass 2 fills them. */
    for (int pass = 1; pass <= 2; pass++) {
        for (size_t g = 0; g < n;) {
            const crm_basket_rule *rule = crm_basket_rules_get(rules, ix->grouped[g]);
            size_t end = g + 1;
            while (end < n && compare_antecedents(rules, &ix->grouped[g], &ix->grouped[end]) == 0)
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
    const crm_basket_rule *rule = crm_basket_rules_get(s->rules, r);
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
    const crm_basket_db *mined = crm_basket_rules_db(rules);
    if (!crm_basket_db_finished(customers))
        return crm_error_set(err, CRM_EUSAGE, "the customer input must be finished first");
    if (crm_basket_db_items(customers) != crm_basket_db_items(mined))
        return crm_error_set(err, CRM_EUSAGE,
                             "customers and rules must share one item table");
    if (opts->score != CRM_BASKET_SCORE_CONFIDENCE && opts->score != CRM_BASKET_SCORE_LIFT)
        return crm_error_set(err, CRM_EUSAGE, "unknown recommendation score %d", (int)opts->score);

    size_t mined_items = crm_basket_db_item_ids(mined);
    size_t nitems = crm_basket_db_item_ids(customers);
    if (nitems < mined_items)
        nitems = mined_items;
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
        st = crm_basket_no_memory(err);
    recommend_context ctx = { rules, crm_basket_db_name_ranks(mined), opts->score, s.best };
    size_t ncustomers = crm_basket_db_count(customers);

    for (size_t c = 0; c < ncustomers && st == CRM_OK; c++) {
        uint64_t stamp = c + 1;
        size_t n;
        const uint32_t *bought = crm_basket_db_basket(customers, c, &n);
        for (size_t i = 0; i < n; i++)
            s.held[bought[i]] = stamp;
        s.ntouched = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t it = bought[i];
            if (it >= mined_items)
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
            if (rule_score(crm_basket_rules_get(rules, s.best[y]), opts->score) >= opts->min_score)
                s.touched[kept++] = y;
        }
        if (crm_sort_stable(s.touched, kept, sizeof *s.touched, compare_products, &ctx) < 0) {
            st = crm_basket_no_memory(err);
            break;
        }
        if (opts->top_n && kept > opts->top_n)
            kept = opts->top_n;
        if (!crm_array_reserve(&recs->rec, &recs->cap, recs->n + kept, sizeof *recs->rec)) {
            st = crm_basket_no_memory(err);
            break;
        }
        for (size_t i = 0; i < kept; i++) {
            size_t y = s.touched[i];
            recs->rec[recs->n++] = (crm_basket_recommendation){
                c, (uint32_t)y, rule_score(crm_basket_rules_get(rules, s.best[y]), opts->score),
                s.best[y]
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
