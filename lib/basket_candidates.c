#include "crm/basket_candidates.h"

#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"

/* The tree's edges are in one hash table keyed by (parent node, rank), so
 * that a node with thousands of children (the root) and one with a single
 * child cost the same to look up. */
struct crm_basket_candidates {
    const crm_basket_db *db;
    size_t nodes;
    uint64_t *edge_key;          /* (parent << 32 | rank) + 1; 0 = free */
    uint32_t *edge_child;
    size_t edge_mask, nedges;
    uint32_t *scratch;
    size_t scratch_cap;
    unsigned char *used;         /* per rank: in some candidate */
};

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdu;
    k ^= k >> 33;
    return k;
}

static int64_t find_child(const crm_basket_candidates *c, uint32_t parent, uint32_t rank)
{
    uint64_t key = ((uint64_t)parent << 32 | rank) + 1;
    for (size_t slot = (size_t)mix(key) & c->edge_mask;; slot = (slot + 1) & c->edge_mask) {
        if (c->edge_key[slot] == key)
            return c->edge_child[slot];
        if (c->edge_key[slot] == 0)
            return -1;
    }
}

static void put_edge(uint64_t *keys, uint32_t *children, size_t mask, uint64_t key, uint32_t child)
{
    size_t slot = (size_t)mix(key) & mask;
    while (keys[slot])
        slot = (slot + 1) & mask;
    keys[slot] = key;
    children[slot] = child;
}

static crm_status grow_edges(crm_basket_candidates *c, crm_error *err)
{
    size_t cap = (c->edge_mask + 1) * 2;
    uint64_t *keys = calloc(cap, sizeof *keys);
    uint32_t *children = malloc(cap * sizeof *children);
    if (!keys || !children) {
        free(keys);
        free(children);
        return crm_basket_no_memory(err);
    }
    for (size_t i = 0; i <= c->edge_mask; i++) {
        if (c->edge_key[i])
            put_edge(keys, children, cap - 1, c->edge_key[i], c->edge_child[i]);
    }
    free(c->edge_key);
    free(c->edge_child);
    c->edge_key = keys;
    c->edge_child = children;
    c->edge_mask = cap - 1;
    return CRM_OK;
}

crm_status crm_basket_candidates_new(const crm_basket_db *db, crm_basket_candidates **out, crm_error *err)
{
    *out = NULL;
    if (!crm_basket_db_finished(db) || crm_basket_db_is_tally(db))
        return crm_error_set(err, CRM_EUSAGE, "candidates are counted over the baskets of a finished database");
    crm_basket_candidates *c = calloc(1, sizeof *c);
    if (!c)
        return crm_basket_no_memory(err);
    c->db = db;
    c->nodes = 1;
    c->edge_mask = 63;
    c->edge_key = calloc(c->edge_mask + 1, sizeof *c->edge_key);
    c->edge_child = malloc((c->edge_mask + 1) * sizeof *c->edge_child);
    c->used = calloc(crm_basket_db_item_ids(db) + 1, 1);
    if (!c->edge_key || !c->edge_child || !c->used) {
        crm_basket_candidates_free(c);
        return crm_basket_no_memory(err);
    }
    *out = c;
    return CRM_OK;
}

void crm_basket_candidates_free(crm_basket_candidates *c)
{
    if (!c)
        return;
    free(c->edge_key);
    free(c->edge_child);
    free(c->scratch);
    free(c->used);
    free(c);
}

crm_status crm_basket_candidates_add(crm_basket_candidates *c, const uint32_t *items, size_t n, size_t *node,
                                     crm_error *err)
{
    size_t nitems = crm_basket_db_item_ids(c->db);
    const uint32_t *rank = crm_basket_db_name_ranks(c->db);
    if (n == 0)
        return crm_error_set(err, CRM_EUSAGE, "a candidate itemset has at least one item");
    if (!crm_array_reserve(&c->scratch, &c->scratch_cap, n, sizeof *c->scratch))
        return crm_basket_no_memory(err);
    for (size_t i = 0; i < n; i++) {
        if (items[i] >= nitems)
            return crm_error_set(err, CRM_EUSAGE, "item id %u is not in the database", items[i]);
        c->scratch[i] = rank[items[i]];
    }
    if (crm_sort_unique_u32(c->scratch, n) != n)
        return crm_error_set(err, CRM_EUSAGE, "a candidate itemset repeats an item");
    uint32_t at = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t child = find_child(c, at, c->scratch[i]);
        if (child < 0) {
            if (c->nodes >= UINT32_MAX)
                return crm_basket_no_memory(err);
            if (2 * (c->nedges + 1) > c->edge_mask + 1 && grow_edges(c, err) != CRM_OK)
                return CRM_ENOMEM;
            child = (int64_t)c->nodes++;
            put_edge(c->edge_key, c->edge_child, c->edge_mask, ((uint64_t)at << 32 | c->scratch[i]) + 1,
                     (uint32_t)child);
            c->nedges++;
        }
        at = (uint32_t)child;
        c->used[c->scratch[i]] = 1;
    }
    *node = at;
    return CRM_OK;
}

size_t crm_basket_candidates_nodes(const crm_basket_candidates *c)
{
    return c->nodes;
}

/* Counts the nodes below `node` that the basket's ranks b[pos..m) contain,
 * depth first with an explicit stack (a basket may be long). */
typedef struct {
    uint32_t node;
    uint32_t pos;
} walk_frame;

crm_status crm_basket_candidates_count(const crm_basket_candidates *c, uint64_t *counts, crm_error *err)
{
    memset(counts, 0, c->nodes * sizeof *counts);
    size_t nbaskets = crm_basket_db_count(c->db);
    counts[0] = nbaskets;
    const uint32_t *rank = crm_basket_db_name_ranks(c->db);
    uint32_t *b = NULL;
    walk_frame *stack = NULL;
    size_t b_cap = 0, stack_cap = 0;
    crm_status st = CRM_OK;
    for (size_t i = 0; i < nbaskets && st == CRM_OK; i++) {
        size_t n, m = 0;
        const uint32_t *items = crm_basket_db_basket(c->db, i, &n);
        if (!crm_array_reserve(&b, &b_cap, n ? n : 1, sizeof *b) ||
            !crm_array_reserve(&stack, &stack_cap, n + 1, sizeof *stack)) {
            st = crm_basket_no_memory(err);
            break;
        }
        /* only the items of some candidate can lead to one */
        for (size_t j = 0; j < n; j++) {
            if (c->used[rank[items[j]]])
                b[m++] = rank[items[j]];
        }
        crm_sort_u32(b, m);
        size_t depth = 0;
        stack[depth++] = (walk_frame){0, 0};
        while (depth) {
            walk_frame *f = &stack[depth - 1];
            if (f->pos >= m) {
                depth--;
                continue;
            }
            int64_t child = find_child(c, f->node, b[f->pos]);
            f->pos++;
            if (child >= 0) {
                counts[child]++;
                stack[depth++] = (walk_frame){(uint32_t)child, f->pos};
            }
        }
    }
    free(b);
    free(stack);
    return st;
}
