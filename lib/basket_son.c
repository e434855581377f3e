#include "crm/basket_son.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/basket_candidates.h"
#include "crm/shard.h"
#include "crm/strtab.h"

uint64_t crm_basket_son_local_count(double support, uint64_t n, uint64_t edges)
{
    double c = ceil(support * (double)n) - 1 - (double)edges;
    return c < 1 ? 1 : (uint64_t)c;
}

/* A growing buffer for itemset texts and item id lists. */
typedef struct {
    char *text;
    size_t cap;
    uint32_t *ids;
    size_t ids_cap;
} scratch;

/* The text of kept itemset i of sets: its names in name order, joined. */
static crm_status kept_text(const crm_basket_itemsets *sets, size_t i, char sep, scratch *s, size_t *len,
                            uint64_t *count, crm_error *err)
{
    const crm_basket_db *db = crm_basket_itemsets_db(sets);
    const uint32_t *by_rank = crm_basket_db_ranked_items(db);
    size_t size;
    const uint32_t *ranks = crm_basket_itemsets_kept_get(sets, i, &size, count);
    if (!crm_array_reserve(&s->ids, &s->ids_cap, size, sizeof *s->ids))
        return crm_basket_no_memory(err);
    for (size_t j = 0; j < size; j++)
        s->ids[j] = by_rank[ranks[j]];
    for (;;) {
        *len = crm_basket_format_items(db, s->ids, size, sep, s->text, s->cap);
        if (*len < s->cap)
            return CRM_OK;
        if (!crm_array_reserve(&s->text, &s->cap, *len + 1, 1))
            return crm_basket_no_memory(err);
    }
}

/* The ids in db of the names of an itemset text; 0 when an item is not in db. */
static int text_ids(const crm_basket_db *db, const char *text, size_t len, char sep, scratch *s, size_t *n,
                    crm_error *err, crm_status *st)
{
    *n = 0;
    const char *p = text, *end = text + len;
    for (;;) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        uint32_t id;
        if (!crm_basket_db_find_item(db, p, (size_t)((q ? q : end) - p), &id) ||
            crm_basket_db_item_count(db, id) == 0)
            return 0;
        if (!crm_array_reserve(&s->ids, &s->ids_cap, *n + 1, sizeof *s->ids)) {
            *st = crm_basket_no_memory(err);
            return 0;
        }
        s->ids[(*n)++] = id;
        if (!q)
            return 1;
        p = q + 1;
    }
}

static crm_status add_piece(const crm_basket_db *piece, crm_basket_partial *out, int with_keys, crm_error *err)
{
    crm_basket_partial_add_baskets(out, 1, crm_basket_db_count(piece), crm_basket_db_stats_get(piece));
    const char **names = NULL;
    size_t *lens = NULL, names_cap = 0, lens_cap = 0;
    crm_status st = CRM_OK;
    for (size_t i = 0; i < crm_basket_db_aside_count(piece) && st == CRM_OK; i++) {
        const char *key;
        size_t key_len, n;
        const uint32_t *items = crm_basket_db_aside(piece, i, &key, &key_len, &n);
        if (!crm_array_reserve(&names, &names_cap, n ? n : 1, sizeof *names) ||
            !crm_array_reserve(&lens, &lens_cap, n ? n : 1, sizeof *lens)) {
            st = crm_basket_no_memory(err);
            break;
        }
        for (size_t j = 0; j < n; j++)
            names[j] = crm_basket_db_item_name(piece, items[j], &lens[j]);
        st = crm_basket_partial_add_edge(out, key, key_len, names, lens, n, err);
    }
    free(names);
    free(lens);
    for (size_t i = 0; with_keys && i < crm_basket_db_count(piece) && st == CRM_OK; i++) {
        size_t len;
        const char *key = crm_basket_db_basket_key(piece, i, &len);
        if (key)
            st = crm_basket_partial_add_key(out, key, len, crm_basket_partial_key_hash(key, len), err);
    }
    return st;
}

/* Mines db at min_count up to max_len and hands each kept itemset's text
 * to add (into a partial or a set of texts). */
typedef crm_status (*text_sink)(void *ctx, const char *text, size_t len, uint64_t count, crm_error *err);

static crm_status mine_texts(const crm_basket_db *db, uint64_t min_count, size_t max_len, char sep,
                             crm_basket_limits *limits, text_sink add, void *ctx, crm_error *err)
{
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    mo.min_count = min_count;
    mo.max_len = max_len;
    mo.limits = limits;
    crm_basket_itemsets *sets;
    crm_status st = crm_basket_mine(db, &mo, &sets, err);
    if (st != CRM_OK)
        return st;
    scratch s = {0};
    size_t n = crm_basket_itemsets_kept_count(sets);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        size_t len = 0;
        uint64_t count = 0;
        if ((st = kept_text(sets, i, sep, &s, &len, &count, err)) == CRM_OK)
            st = add(ctx, s.text, len, count, err);
    }
    free(s.text);
    free(s.ids);
    crm_basket_itemsets_free(sets);
    return st;
}

static crm_status sink_partial(void *ctx, const char *text, size_t len, uint64_t count, crm_error *err)
{
    return crm_basket_partial_add_itemset(ctx, text, len, count, err);
}

static crm_status sink_strtab(void *ctx, const char *text, size_t len, uint64_t count, crm_error *err)
{
    uint32_t id;
    (void)count;
    return crm_strtab_intern(ctx, text, len, &id) < 0 ? crm_basket_no_memory(err) : CRM_OK;
}

crm_status crm_basket_son_pass1(const crm_basket_db *piece, const crm_basket_partial_settings *settings,
                                crm_basket_limits *limits, crm_basket_partial *out, uint64_t *min_count,
                                crm_error *err)
{
    crm_basket_partial_settings s = *settings;
    s.phase = 1;
    crm_status st = crm_basket_partial_set_settings(out, &s, err);
    *min_count = crm_basket_son_local_count(s.support, crm_basket_db_count(piece), crm_basket_db_aside_count(piece));
    crm_basket_partial_add_slack(out, *min_count - 1);
    if (st == CRM_OK)
        st = mine_texts(piece, *min_count, s.max_len, s.separator, limits, sink_partial, out, err);
    if (st == CRM_OK)
        st = add_piece(piece, out, 0, err);
    return st;
}

/* The joined edge baskets of p as a database of their own.  *empty_edges
 * counts edges without items, whose creation counts one empty item too
 * many. */
static crm_status edge_db(const crm_basket_partial *p, crm_basket_db **out, uint64_t *empty_edges,
                          crm_error *err)
{
    const crm_basket_partial_settings *s = crm_basket_partial_settings_get(p);
    crm_basket_db_options o;
    crm_basket_db_options_init(&o);
    o.item_separator = s->separator;
    o.empty = s->empty;
    crm_basket_db *db;
    crm_status st = crm_basket_db_new(&db, &o, err);
    *empty_edges = 0;
    for (size_t i = 0; st == CRM_OK && i < crm_basket_partial_edge_count(p); i++) {
        size_t key_len, n, len;
        const char *key = crm_basket_partial_edge(p, i, &key_len, &n);
        if (n == 0) {
            ++*empty_edges;
            st = crm_basket_db_add_pair(db, key, key_len, "", 0, err);
        }
        for (size_t j = 0; j < n && st == CRM_OK; j++) {
            const char *item = crm_basket_partial_edge_item(p, i, j, &len);
            st = crm_basket_db_add_pair(db, key, key_len, item, len, err);
        }
    }
    if (st == CRM_OK)
        st = crm_basket_db_finish(db, err);
    if (st != CRM_OK) {
        crm_basket_db_free(db);
        return st;
    }
    *out = db;
    return CRM_OK;
}

/* Counts every text of texts (item names joined by sep) in db's baskets:
 * counts[i] for text i, 0 for a text with an item db does not have. */
static crm_status count_texts(const crm_basket_db *db, const crm_strtab *texts, char sep, uint64_t *counts,
                              crm_error *err)
{
    size_t n = crm_strtab_count(texts);
    memset(counts, 0, n * sizeof *counts);
    if (crm_basket_db_count(db) == 0 || n == 0)
        return CRM_OK;
    crm_basket_candidates *c;
    crm_status st = crm_basket_candidates_new(db, &c, err);
    if (st != CRM_OK)
        return st;
    size_t *node = malloc(n * sizeof *node);
    scratch s = {0};
    if (!node)
        st = crm_basket_no_memory(err);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        size_t len, k;
        const char *text = crm_strtab_get(texts, (uint32_t)i, &len);
        node[i] = SIZE_MAX;
        if (text_ids(db, text, len, sep, &s, &k, err, &st))
            st = crm_basket_candidates_add(c, s.ids, k, &node[i], err);
    }
    uint64_t *all = NULL;
    if (st == CRM_OK && !(all = malloc(crm_basket_candidates_nodes(c) * sizeof *all)))
        st = crm_basket_no_memory(err);
    if (st == CRM_OK)
        st = crm_basket_candidates_count(c, all, err);
    for (size_t i = 0; i < n && st == CRM_OK; i++)
        counts[i] = node[i] == SIZE_MAX ? 0 : all[node[i]];
    free(all);
    free(node);
    free(s.ids);
    crm_basket_candidates_free(c);
    return st;
}

crm_status crm_basket_son_pass2(const crm_basket_partial *pass1, const crm_basket_db *piece,
                                crm_basket_limits *limits, crm_basket_partial *out, crm_error *err)
{
    const crm_basket_partial_settings *s1 = crm_basket_partial_settings_get(pass1);
    if (!s1 || s1->phase != 1)
        return crm_error_set(err, CRM_EDATA, "the candidates must be pass-1 partials (crm-basket --partial)");
    crm_basket_partial_settings s = *s1;
    s.phase = 2;
    crm_status st = crm_basket_partial_set_settings(out, &s, err);
    crm_strtab *texts = crm_strtab_new(crm_basket_partial_itemset_count(pass1) + 16);
    crm_basket_db *edges = NULL;
    uint64_t empty_edges, *counts = NULL;
    if (!texts)
        st = crm_basket_no_memory(err);
    for (size_t i = 0; st == CRM_OK && i < crm_basket_partial_itemset_count(pass1); i++) {
        size_t len;
        uint64_t count;
        const char *text = crm_basket_partial_itemset(pass1, i, &len, &count);
        st = sink_strtab(texts, text, len, count, err);
    }
    if (st == CRM_OK)
        st = edge_db(pass1, &edges, &empty_edges, err);
    uint64_t least = 1, slack = crm_basket_partial_slack(pass1);
    if (st == CRM_OK)
        st = crm_basket_min_count(s.support, crm_basket_partial_baskets(pass1) + crm_basket_db_count(edges), &least,
                                  err);
    /* an itemset that is no piece's candidate is in at most `slack` of the
     * pieces' baskets: it can be frequent only if the edges hold it often
     * enough to make up the rest (as a rule more often than there are
     * edge baskets, so that nothing is mined) */
    if (st == CRM_OK)
        st = mine_texts(edges, least > slack ? least - slack : 1, s.max_len, s.separator, limits, sink_strtab, texts,
                        err);
    size_t ncand = texts ? crm_strtab_count(texts) : 0;
    /* what pass 2 of every piece must agree on, for the merge to check */
    crm_basket_partial_coverage cov = {0, ncand, crm_basket_partial_pieces(pass1),
                                       crm_basket_partial_baskets(pass1), crm_basket_partial_edge_items(pass1)};
    for (size_t i = 0; i < ncand; i++) {
        size_t len;
        const char *text = crm_strtab_get(texts, (uint32_t)i, &len);
        cov.digest += crm_shard_hash(text, len);
    }
    if (st == CRM_OK)
        st = crm_basket_partial_set_coverage(out, &cov, err);
    /* every item of the piece is counted too: the merge needs all item counts */
    for (size_t id = 0; st == CRM_OK && id < crm_basket_db_item_ids(piece); id++) {
        size_t len;
        const char *name = crm_basket_db_item_name(piece, (uint32_t)id, &len);
        if (crm_basket_db_item_count(piece, (uint32_t)id) > 0)
            st = sink_strtab(texts, name, len, 0, err);
    }
    size_t ntexts = texts ? crm_strtab_count(texts) : 0;
    if (st == CRM_OK && !(counts = malloc((ntexts ? ntexts : 1) * sizeof *counts)))
        st = crm_basket_no_memory(err);
    if (st == CRM_OK)
        st = count_texts(piece, texts, s.separator, counts, err);
    for (size_t i = 0; st == CRM_OK && i < ntexts; i++) {
        size_t len;
        const char *text = crm_strtab_get(texts, (uint32_t)i, &len);
        if (counts[i] > 0)
            st = crm_basket_partial_add_itemset(out, text, len, counts[i], err);
    }
    if (st == CRM_OK)
        st = add_piece(piece, out, 1, err);
    free(counts);
    crm_basket_db_free(edges);
    crm_strtab_free(texts);
    return st;
}

crm_status crm_basket_son_tally(const crm_basket_partial *counts, crm_basket_db **tally, crm_basket_db **edges,
                                crm_error *err)
{
    *tally = *edges = NULL;
    const crm_basket_partial_settings *s = crm_basket_partial_settings_get(counts);
    const crm_basket_partial_coverage *cov = crm_basket_partial_coverage_get(counts);
    if (!s || s->phase != 2 || !cov)
        return crm_error_set(err, CRM_EDATA, "--merge makes the result from pass-2 partials (crm-basket "
                             "--partial --candidates); these are pass 1");
    uint64_t pieces = crm_basket_partial_pieces(counts), baskets = crm_basket_partial_baskets(counts);
    if (cov->pieces != pieces || cov->baskets != baskets || cov->edge_items != crm_basket_partial_edge_items(counts))
        return crm_error_set(err, CRM_EDATA, "the counts are of %llu pieces with %llu baskets, but the candidates "
                             "came from %llu pieces with %llu baskets: merge the counts of every piece, each "
                             "counted with the pass-1 files of all pieces", (unsigned long long)pieces,
                             (unsigned long long)baskets, (unsigned long long)cov->pieces,
                             (unsigned long long)cov->baskets);
    crm_status st = crm_basket_partial_check_edges(counts, err);
    uint64_t empty_edges = 0;
    if (st == CRM_OK)
        st = edge_db(counts, edges, &empty_edges, err);
    crm_basket_db_options o;
    crm_basket_db_options_init(&o);
    o.item_separator = s->separator;
    if (st == CRM_OK)
        st = crm_basket_db_new(tally, &o, err);
    if (st == CRM_OK)
        st = crm_basket_db_add_tally(*tally, baskets, crm_basket_partial_stats(counts), err);
    if (st == CRM_OK) {
        crm_basket_db_stats es = *crm_basket_db_stats_get(*edges);
        es.empty_items -= empty_edges;
        st = crm_basket_db_add_tally(*tally, crm_basket_db_count(*edges), &es, err);
    }
    for (size_t i = 0; st == CRM_OK && i < crm_basket_partial_itemset_count(counts); i++) {
        size_t len;
        uint64_t count;
        const char *text = crm_basket_partial_itemset(counts, i, &len, &count);
        if (!memchr(text, s->separator, len))
            st = crm_basket_db_add_item_tally(*tally, text, len, count, err);
    }
    for (size_t id = 0; st == CRM_OK && id < crm_basket_db_item_ids(*edges); id++) {
        size_t len;
        const char *name = crm_basket_db_item_name(*edges, (uint32_t)id, &len);
        uint64_t c = crm_basket_db_item_count(*edges, (uint32_t)id);
        if (c > 0)
            st = crm_basket_db_add_item_tally(*tally, name, len, c, err);
    }
    if (st == CRM_OK)
        st = crm_basket_db_finish(*tally, err);
    if (st != CRM_OK) {
        crm_basket_db_free(*tally);
        crm_basket_db_free(*edges);
        *tally = *edges = NULL;
    }
    return st;
}

static crm_status check_coverage(const crm_basket_partial_settings *s, const crm_basket_db *tally,
                                 const crm_basket_mine_options *opts, crm_error *err)
{
    uint64_t least;
    crm_status st = crm_basket_min_count(s->support, crm_basket_db_count(tally), &least, err);
    if (st != CRM_OK)
        return st;
    if (opts->min_count < least)
        return crm_error_set(err, CRM_EUSAGE, "the minimum count %llu is below %llu, the count of the support "
                             "the pieces were mined at; the candidates may miss itemsets (mine the pieces at a "
                             "lower --min-support)", (unsigned long long)opts->min_count,
                             (unsigned long long)least);
    size_t len = crm_basket_mine_len(opts);
    if (s->max_len && (len == 0 || len > s->max_len))
        return crm_error_set(err, CRM_EUSAGE, "this needs itemsets of %s items, but the pieces were mined up to "
                             "%zu (--max-len; --closed and --maximal look one item further)",
                             len ? "more" : "any number of", s->max_len);
    return CRM_OK;
}

crm_status crm_basket_son_itemsets(const crm_basket_partial *counts, const crm_basket_db *tally,
                                   const crm_basket_db *edges, const crm_basket_mine_options *opts,
                                   crm_basket_itemsets **out, crm_error *err)
{
    *out = NULL;
    const crm_basket_partial_settings *s = crm_basket_partial_settings_get(counts);
    crm_status st = check_coverage(s, tally, opts, err);
    if (st != CRM_OK)
        return st;
    size_t nsets = crm_basket_partial_itemset_count(counts);
    crm_strtab *texts = crm_strtab_new(nsets + 16);
    if (!texts)
        return crm_basket_no_memory(err);
    for (size_t i = 0; st == CRM_OK && i < nsets; i++) {
        size_t len;
        uint64_t count;
        const char *text = crm_basket_partial_itemset(counts, i, &len, &count);
        st = sink_strtab(texts, text, len, count, err);
    }
    /* an itemset found in no piece can still be frequent in the edges alone */
    if (st == CRM_OK && crm_basket_db_count(edges) >= opts->min_count)
        st = mine_texts(edges, opts->min_count, crm_basket_mine_len(opts), s->separator, opts->limits,
                        sink_strtab, texts, err);
    size_t n = crm_strtab_count(texts);
    uint64_t *total = malloc((n ? n : 1) * sizeof *total);
    crm_basket_counted_set *sets = malloc((n ? n : 1) * sizeof *sets);
    uint32_t *ids = NULL;
    size_t nids = 0, ids_cap = 0, nkept = 0;
    scratch sc = {0};
    if (st == CRM_OK && (!total || !sets))
        st = crm_basket_no_memory(err);
    if (st == CRM_OK)
        st = count_texts(edges, texts, s->separator, total, err);
    for (size_t i = 0; st == CRM_OK && i < n; i++) {
        size_t len, k;
        uint64_t count = 0;
        const char *text = crm_strtab_get(texts, (uint32_t)i, &len);
        if (i < nsets)
            (void)crm_basket_partial_itemset(counts, i, &len, &count);
        total[i] += count;
        if (total[i] < opts->min_count)
            continue;
        if (!text_ids(tally, text, len, s->separator, &sc, &k, err, &st)) {
            if (st == CRM_OK)
                st = crm_error_set(err, CRM_EDATA, "an itemset of the counts names an item no piece counted");
            break;
        }
        if (!crm_array_reserve(&ids, &ids_cap, nids + k, sizeof *ids)) {
            st = crm_basket_no_memory(err);
            break;
        }
        memcpy(ids + nids, sc.ids, k * sizeof *ids);
        sets[nkept++] = (crm_basket_counted_set){NULL, k, total[i]};
        nids += k;
    }
    for (size_t i = 0, at = 0; st == CRM_OK && i < nkept; i++) {   /* ids may have moved while growing */
        sets[i].items = ids + at;
        at += sets[i].size;
    }
    if (st == CRM_OK)
        st = crm_basket_itemsets_from_counts(tally, opts, sets, nkept, out, err);
    free(sc.text);
    free(sc.ids);
    free(ids);
    free(sets);
    free(total);
    crm_strtab_free(texts);
    return st;
}
