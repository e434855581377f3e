#include "crm/fpgrowth.h"

#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/sort.h"

/* ---- the memory budget ---------------------------------------------------- */

int crm_fpgrowth_budget_charge(crm_fpgrowth_budget *b, size_t bytes)
{
    if (!b)
        return 1;
    if (b->max_bytes && (bytes > b->max_bytes || b->bytes > b->max_bytes - bytes)) {
        b->exceeded = 1;
        return 0;
    }
    b->bytes += bytes;
    if (b->bytes > b->peak)
        b->peak = b->bytes;
    return 1;
}

void crm_fpgrowth_budget_release(crm_fpgrowth_budget *b, size_t bytes)
{
    if (b)
        b->bytes -= bytes < b->bytes ? bytes : b->bytes;
}

int crm_fpgrowth_budget_reserve(crm_fpgrowth_budget *b, void *items_ptr, size_t *cap, size_t need,
                                size_t elem_size, size_t *charged)
{
    size_t old = *cap;
    if (need <= old)
        return 1;
    if (!crm_array_reserve(items_ptr, cap, need, elem_size))
        return 0;
    /* Charged after the growth (the new capacity is known only then); when
     * it does not fit, the capacity is rolled back so that the caller's
     * accounting stays that of the old size (the block itself stays bigger
     * until the caller frees it, at most one doubling). */
    if (!crm_fpgrowth_budget_charge(b, (*cap - old) * elem_size)) {
        *cap = old;
        return -1;
    }
    if (charged)
        *charged += (*cap - old) * elem_size;
    return 1;
}

/* ---- memory: big blocks used as a stack ------------------------------------
 * A conditional tree lives exactly as long as the recursion step that mines
 * it, so memory is taken from a stack of large blocks and given back to a
 * mark when the step returns.  Blocks above the top are kept for reuse, so
 * the steady state does no malloc at all. */

enum { FP_BLOCK_BYTES = 4 << 20 };

typedef struct {
    unsigned char **blocks;
    size_t *sizes;
    size_t nblocks;
    size_t blocks_cap, sizes_cap;
    size_t current;   /* block in use (meaningful when nblocks > 0) */
    size_t used;      /* bytes used in that block */
    crm_fpgrowth_budget *budget;   /* blocks are charged to it; NULL: none */
    int over_budget;  /* an allocation failed because the budget was spent */
} fp_arena;

typedef struct {
    size_t block;
    size_t used;
} fp_mark;

static fp_mark arena_mark(const fp_arena *a)
{
    fp_mark m = { a->current, a->used };
    return m;
}

static void arena_release(fp_arena *a, fp_mark m)
{
    a->current = m.block;
    a->used = m.used;
}

static void arena_free(fp_arena *a)
{
    for (size_t i = 0; i < a->nblocks; i++) {
        free(a->blocks[i]);
        crm_fpgrowth_budget_release(a->budget, a->sizes[i]);
    }
    free(a->blocks);
    free(a->sizes);
}

static void *arena_alloc(fp_arena *a, size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t)15;
    if (bytes == 0)
        bytes = 16;
    if (a->nblocks > 0 && a->sizes[a->current] - a->used >= bytes) {
        void *p = a->blocks[a->current] + a->used;
        a->used += bytes;
        return p;
    }
    size_t next = a->nblocks > 0 ? a->current + 1 : 0;
    if (next == a->nblocks) {
        if (!crm_array_reserve(&a->blocks, &a->blocks_cap, a->nblocks + 1, sizeof *a->blocks) ||
            !crm_array_reserve(&a->sizes, &a->sizes_cap, a->nblocks + 1, sizeof *a->sizes))
            return NULL;
        a->blocks[next] = NULL;
        a->sizes[next] = 0;
        a->nblocks++;
    }
    if (a->sizes[next] < bytes) {
        /* A kept block that is too small for this request: replace it. */
        size_t size = bytes > FP_BLOCK_BYTES ? bytes : FP_BLOCK_BYTES;
        free(a->blocks[next]);
        crm_fpgrowth_budget_release(a->budget, a->sizes[next]);
        a->blocks[next] = NULL;
        a->sizes[next] = 0;
        if (!crm_fpgrowth_budget_charge(a->budget, size)) {
            a->over_budget = 1;
            return NULL;
        }
        a->blocks[next] = malloc(size);
        if (!a->blocks[next]) {
            crm_fpgrowth_budget_release(a->budget, size);
            return NULL;
        }
        a->sizes[next] = size;
    }
    a->current = next;
    a->used = bytes;
    return a->blocks[next];
}

/* ---- trees -------------------------------------------------------------------
 * Items are recoded per tree to local codes 0..nitems-1 in descending order of
 * global frequency, so that along every root-to-leaf path codes increase.
 * Nodes are plain array entries linked by index; index 0 is the root and
 * also serves as "none" in links. */

enum { FP_NONE = UINT32_MAX };

typedef struct {
    uint32_t item;     /* local code */
    uint32_t count;
    uint32_t parent;
    uint32_t link;     /* next node with the same item */
} fp_node;

typedef struct {
    fp_node *node;
    uint32_t nnodes;
    uint32_t nitems;
    const uint32_t *item_id;   /* local code -> item id of the input */
    uint32_t *head;            /* local code -> first node of the item */
    uint32_t *total;           /* local code -> count of the item in the tree */
    int branched;              /* some node has two children */
} fp_tree;

/* Per-tree scratch for projecting it, indexed by local code; all counts are
 * back to 0 and all new codes back to FP_NONE between projections. */
typedef struct {
    uint32_t *count;
    uint32_t *newcode;
    uint32_t *touched;
} fp_scratch;

typedef struct {
    uint32_t min_count;
    uint32_t max_len;
    crm_fpgrowth_visit visit;
    void *user;
    uint32_t *itemset;   /* the itemset being extended, item ids */
    uint32_t *path;      /* one path of local codes while projecting */
    /* The prefix paths of one projection as pass 1 found them, so that pass
     * 2 reads them in sequence instead of chasing parents through the tree
     * again: per node of the item its count and path length, then the
     * path's local codes, leaf to root. */
    uint32_t *paths;
    size_t paths_cap;

    fp_arena arena;
    crm_fpgrowth_budget *budget;
    int over_budget;     /* the paths could not grow within the budget */
    crm_error *err;
} fp_miner;

static crm_status out_of_memory(fp_miner *m)
{
    if (m->arena.over_budget || m->over_budget)
        return crm_error_set(m->err, CRM_ENOMEM,
                             "mining frequent itemsets needs more than the memory budget of %zu MiB "
                             "(%zu MiB in use)", m->budget->max_bytes >> 20, m->budget->bytes >> 20);
    return crm_error_set(m->err, CRM_ENOMEM, "out of memory while mining frequent itemsets");
}

static crm_status emit(fp_miner *m, uint32_t size, uint32_t count)
{
    return m->visit(m->itemset, size, count, m->user);
}

/* ---- mining ------------------------------------------------------------------ */

/* Emits itemset[0..len) and every extension of it by a subset of cand[0..n),
 * all with the same count: the case of a single-path tree, where the count
 * of a set of path nodes is the count of its deepest node. */
static crm_status emit_subsets(fp_miner *m, const uint32_t *cand, uint32_t n, uint32_t len,
                               uint32_t count)
{
    crm_status st = emit(m, len, count);
    if (st != CRM_OK || (m->max_len && len >= m->max_len))
        return st;
    for (uint32_t i = 0; i < n; i++) {
        m->itemset[len] = cand[i];
        st = emit_subsets(m, cand + i + 1, n - i - 1, len + 1, count);
        if (st != CRM_OK)
            return st;
    }
    return CRM_OK;
}

/* In a tree without branches, nodes 1..nnodes-1 form the path in creation
 * order (a node's only child is always created after it). */
static crm_status mine_single_path(fp_miner *m, const fp_tree *t, uint32_t depth)
{
    uint32_t len = t->nnodes - 1;
    if (len == 0)
        return CRM_OK;
    uint32_t *ids = arena_alloc(&m->arena, (size_t)len * sizeof *ids);
    if (!ids)
        return out_of_memory(m);
    for (uint32_t i = 0; i < len; i++)
        ids[i] = t->item_id[t->node[i + 1].item];
    for (uint32_t d = 0; d < len; d++) {
        m->itemset[depth] = ids[d];
        crm_status st = emit_subsets(m, ids, d, depth + 1, t->node[d + 1].count);
        if (st != CRM_OK)
            return st;
    }
    return CRM_OK;
}

/* Pass 1 of a projection: counts, per ancestor item, the transactions that
 * contain item c and it, and records the paths in m->paths (*used words);
 * returns in s->touched[0..*nfrequent) the frequent ancestor items in
 * ascending code order.  *pathlen is the summed path length, a bound on the
 * nodes of the conditional tree. */
static crm_status count_prefix_paths(fp_miner *m, const fp_tree *t, uint32_t c, fp_scratch *s,
                                     uint32_t *nfrequent, uint64_t *pathlen, size_t *used)
{
    const fp_node *node = t->node;
    uint32_t ntouched = 0;
    uint64_t len = 0;
    size_t w = 0;
    for (uint32_t n = t->head[c]; n; n = node[n].link) {
        uint32_t weight = node[n].count;
        size_t at = w;
        /* A path is at most as long as the tree has items. */
        int grown = crm_fpgrowth_budget_reserve(m->budget, &m->paths, &m->paths_cap,
                                                w + (size_t)t->nitems + 2, sizeof *m->paths, NULL);
        if (grown <= 0) {
            for (uint32_t i = 0; i < ntouched; i++)
                s->count[s->touched[i]] = 0;
            m->over_budget = grown < 0;
            return out_of_memory(m);
        }
        w += 2;
        for (uint32_t p = node[n].parent; p; p = node[p].parent) {
            uint32_t it = node[p].item;
            if (s->count[it] == 0)
                s->touched[ntouched++] = it;
            s->count[it] += weight;
            m->paths[w++] = it;
        }
        m->paths[at] = weight;
        m->paths[at + 1] = (uint32_t)(w - at - 2);
        len += w - at - 2;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < ntouched; i++) {
        uint32_t it = s->touched[i];
        if (s->count[it] >= m->min_count)
            s->touched[k++] = it;
        else
            s->count[it] = 0;
    }
    crm_sort_u32(s->touched, k);
    *nfrequent = k;
    *pathlen = len;
    *used = w;
    return CRM_OK;
}

/* Builds the conditional tree of item c of t (the prefix paths of c's nodes,
 * infrequent items left out).  *built is 0 when no item is frequent. */
static crm_status build_conditional(fp_miner *m, const fp_tree *t, uint32_t c, fp_scratch *s,
                                    fp_tree *out, int *built)
{
    uint32_t k = 0;
    uint64_t pathlen = 0;
    size_t used = 0;
    *built = 0;
    crm_status st = count_prefix_paths(m, t, c, s, &k, &pathlen, &used);
    if (st != CRM_OK || k == 0)
        return st;

    /* Each new node is the image of at least one distinct ancestor node. */
    uint64_t bound = pathlen < t->nnodes ? pathlen : t->nnodes;
    size_t cap = (size_t)bound + 1;
    uint32_t *item_id = arena_alloc(&m->arena, (size_t)k * sizeof *item_id);
    uint32_t *head = arena_alloc(&m->arena, (size_t)k * sizeof *head);
    uint32_t *total = arena_alloc(&m->arena, (size_t)k * sizeof *total);
    fp_node *node = arena_alloc(&m->arena, cap * sizeof *node);
    uint32_t *child = arena_alloc(&m->arena, cap * sizeof *child);
    uint32_t *sibling = arena_alloc(&m->arena, cap * sizeof *sibling);
    if (!item_id || !head || !total || !node || !child || !sibling) {
        for (uint32_t j = 0; j < k; j++)
            s->count[s->touched[j]] = 0;
        return out_of_memory(m);
    }
    for (uint32_t j = 0; j < k; j++) {
        uint32_t it = s->touched[j];
        s->newcode[it] = j;
        item_id[j] = t->item_id[it];
        head[j] = 0;
        total[j] = s->count[it];
        s->count[it] = 0;
    }
    node[0] = (fp_node){ FP_NONE, 0, 0, 0 };
    child[0] = 0;
    sibling[0] = 0;
    uint32_t nnodes = 1;
    int branched = 0;

    for (size_t at = 0; at < used;) {
        uint32_t w = m->paths[at];
        const uint32_t *items = m->paths + at + 2;
        uint32_t plen = m->paths[at + 1], len = 0;
        at += 2 + (size_t)plen;
        for (uint32_t i = 0; i < plen; i++) {
            uint32_t code = s->newcode[items[i]];
            if (code != FP_NONE)
                m->path[len++] = code;
        }
        /* The path was collected leaf to root; insert it root first. */
        uint32_t cur = 0;
        while (len > 0) {
            uint32_t x = m->path[--len];
            uint32_t ch = child[cur];
            while (ch && node[ch].item != x)
                ch = sibling[ch];
            if (!ch) {
                ch = nnodes++;
                if (child[cur])
                    branched = 1;
                node[ch] = (fp_node){ x, 0, cur, head[x] };
                head[x] = ch;
                child[ch] = 0;
                sibling[ch] = child[cur];
                child[cur] = ch;
            }
            node[ch].count += w;
            cur = ch;
        }
    }
    for (uint32_t j = 0; j < k; j++)
        s->newcode[s->touched[j]] = FP_NONE;

    out->node = node;
    out->nnodes = nnodes;
    out->nitems = k;
    out->item_id = item_id;
    out->head = head;
    out->total = total;
    out->branched = branched;
    *built = 1;
    return CRM_OK;
}

static crm_status mine_tree(fp_miner *m, const fp_tree *t, uint32_t depth)
{
    if (!t->branched)
        return mine_single_path(m, t, depth);
    fp_scratch s;
    s.count = arena_alloc(&m->arena, (size_t)t->nitems * sizeof *s.count);
    s.newcode = arena_alloc(&m->arena, (size_t)t->nitems * sizeof *s.newcode);
    s.touched = arena_alloc(&m->arena, (size_t)t->nitems * sizeof *s.touched);
    if (!s.count || !s.newcode || !s.touched)
        return out_of_memory(m);
    memset(s.count, 0, (size_t)t->nitems * sizeof *s.count);
    for (uint32_t i = 0; i < t->nitems; i++)
        s.newcode[i] = FP_NONE;

    /* Least frequent item first: its conditional trees are the smallest. */
    for (uint32_t c = t->nitems; c-- > 0;) {
        m->itemset[depth] = t->item_id[c];
        crm_status st = emit(m, depth + 1, t->total[c]);
        if (st != CRM_OK)
            return st;
        if (c == 0 || (m->max_len && depth + 1 >= m->max_len))
            continue;
        fp_mark mark = arena_mark(&m->arena);
        fp_tree cond;
        int built;
        st = build_conditional(m, t, c, &s, &cond, &built);
        if (st == CRM_OK && built)
            st = mine_tree(m, &cond, depth + 1);
        arena_release(&m->arena, mark);
        if (st != CRM_OK)
            return st;
    }
    return CRM_OK;
}

/* ---- the first tree ------------------------------------------------------------ */

typedef struct {
    uint32_t count;
    uint32_t id;
} fp_item_count;

static int compare_item_count(const void *a, const void *b)
{
    const fp_item_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

typedef struct {
    const uint32_t *codes;
    uint32_t len;
} fp_transaction;

static int compare_transaction(const void *a, const void *b)
{
    const fp_transaction *x = a, *y = b;
    return crm_compare_u32_lists(x->codes, x->len, y->codes, y->len);
}

/* Counts items (once per transaction), keeps the frequent ones and gives them
 * codes by descending count (ties: lower item id first). */
static crm_status rank_items(fp_miner *m, const crm_fpgrowth_data *d, uint32_t *code,
                             uint32_t **item_id, uint32_t **total, uint32_t *nfrequent)
{
    uint32_t *count = arena_alloc(&m->arena, (size_t)d->nitems * sizeof *count);
    uint32_t *seen = arena_alloc(&m->arena, (size_t)d->nitems * sizeof *seen);
    if (!count || !seen)
        return out_of_memory(m);
    memset(count, 0, (size_t)d->nitems * sizeof *count);
    memset(seen, 0, (size_t)d->nitems * sizeof *seen);
    for (uint32_t t = 0; t < d->ntransactions; t++) {
        for (uint64_t i = d->starts[t]; i < d->starts[t + 1]; i++) {
            uint32_t it = d->items[i];
            if (it >= d->nitems)
                return crm_error_set(m->err, CRM_EUSAGE,
                                     "transaction %u has item id %u, beyond the %u items declared",
                                     (unsigned)t, (unsigned)it, (unsigned)d->nitems);
            if (seen[it] != t + 1) {
                seen[it] = t + 1;
                count[it]++;
            }
        }
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < d->nitems; i++)
        k += count[i] >= m->min_count;
    fp_item_count *order = malloc((size_t)(k ? k : 1) * sizeof *order);
    *item_id = arena_alloc(&m->arena, (size_t)k * sizeof **item_id);
    *total = arena_alloc(&m->arena, (size_t)k * sizeof **total);
    if (!order || !*item_id || !*total) {
        free(order);
        return out_of_memory(m);
    }
    k = 0;
    for (uint32_t i = 0; i < d->nitems; i++) {
        code[i] = FP_NONE;
        if (count[i] >= m->min_count)
            order[k++] = (fp_item_count){ count[i], i };
    }
    qsort(order, k, sizeof *order, compare_item_count);
    for (uint32_t j = 0; j < k; j++) {
        code[order[j].id] = j;
        (*item_id)[j] = order[j].id;
        (*total)[j] = order[j].count;
    }
    free(order);
    *nfrequent = k;
    return CRM_OK;
}

/* Builds the FP-tree of all transactions: each transaction's frequent items
 * sorted by code, the transactions sorted lexicographically, and then every
 * transaction shares the longest common prefix with the one before it, so
 * no child lookup is needed. */
static crm_status build_first_tree(fp_miner *m, const crm_fpgrowth_data *d, fp_tree *t)
{
    uint32_t *code = arena_alloc(&m->arena, ((size_t)d->nitems + 1) * sizeof *code);
    if (!code)
        return out_of_memory(m);
    uint32_t *item_id = NULL, *total = NULL, k = 0;
    crm_status st = rank_items(m, d, code, &item_id, &total, &k);
    if (st != CRM_OK)
        return st;
    uint64_t occurrences = 0;
    for (uint32_t j = 0; j < k; j++)
        occurrences += total[j];
    if (occurrences >= UINT32_MAX)
        return crm_error_set(m->err, CRM_ENOMEM,
                             "too many item occurrences to mine (%llu; at most %u)",
                             (unsigned long long)occurrences, (unsigned)UINT32_MAX - 1);
    /* The tree's projected size, checked before anything of it is built:
     * the recoded transactions and their index, and at most one node per
     * frequent occurrence.  The conditional trees mined from it are charged
     * as they are built (through the arena). */
    uint64_t projected = occurrences * (sizeof(uint32_t) + sizeof(fp_node)) +
                         (uint64_t)d->ntransactions * sizeof(fp_transaction) +
                         (uint64_t)k * 2 * sizeof(uint32_t);
    if (m->budget && m->budget->max_bytes) {
        /* Only a check: the arena charges what is really allocated. */
        if (projected > SIZE_MAX || !crm_fpgrowth_budget_charge(m->budget, (size_t)projected)) {
            m->budget->exceeded = 1;
            return crm_error_set(m->err, CRM_ENOMEM,
                                 "the FP-tree of %llu item occurrences in %u baskets needs about "
                                 "%llu MiB, more than the memory budget of %zu MiB (%zu MiB in use)",
                                 (unsigned long long)occurrences, (unsigned)d->ntransactions,
                                 (unsigned long long)(projected >> 20), m->budget->max_bytes >> 20,
                                 m->budget->bytes >> 20);
        }
        crm_fpgrowth_budget_release(m->budget, (size_t)projected);
    }

    uint32_t *codes = arena_alloc(&m->arena, (size_t)occurrences * sizeof *codes);
    size_t tx_bytes = (size_t)(d->ntransactions ? d->ntransactions : 1) * sizeof(fp_transaction);
    fp_transaction *tx = NULL;
    if (codes && !crm_fpgrowth_budget_charge(m->budget, tx_bytes))
        m->over_budget = 1;
    else if (codes)
        tx = malloc(tx_bytes);
    if (!codes || !tx) {
        if (codes && !m->over_budget)
            crm_fpgrowth_budget_release(m->budget, tx_bytes);
        return out_of_memory(m);
    }
    uint64_t used = 0;
    uint32_t ntx = 0;
    for (uint32_t i = 0; i < d->ntransactions; i++) {
        uint32_t *s = codes + used;
        uint32_t len = 0;
        for (uint64_t j = d->starts[i]; j < d->starts[i + 1]; j++) {
            uint32_t c = code[d->items[j]];
            if (c != FP_NONE)
                s[len++] = c;
        }
        uint32_t unique = (uint32_t)crm_sort_unique_u32(s, len);
        if (unique > 0) {
            tx[ntx++] = (fp_transaction){ s, unique };
            used += unique;
        }
    }
    qsort(tx, ntx, sizeof *tx, compare_transaction);

    fp_node *node = arena_alloc(&m->arena, ((size_t)used + 1) * sizeof *node);
    uint32_t *head = arena_alloc(&m->arena, (size_t)k * sizeof *head);
    uint32_t *stack = arena_alloc(&m->arena, (size_t)k * sizeof *stack);
    if (!node || !head || !stack) {
        free(tx);
        crm_fpgrowth_budget_release(m->budget, tx_bytes);
        return out_of_memory(m);
    }
    memset(head, 0, (size_t)k * sizeof *head);
    node[0] = (fp_node){ FP_NONE, 0, 0, 0 };
    uint32_t nnodes = 1;
    int branched = 0;
    const uint32_t *prev = NULL;
    uint32_t prevlen = 0;
    for (uint32_t i = 0; i < ntx; i++) {
        const uint32_t *s = tx[i].codes;
        uint32_t len = tx[i].len, shared = 0;
        while (shared < len && shared < prevlen && s[shared] == prev[shared])
            shared++;
        for (uint32_t j = 0; j < shared; j++)
            node[stack[j]].count++;
        if (shared < len && shared < prevlen)
            branched = 1;
        for (uint32_t j = shared; j < len; j++) {
            uint32_t n = nnodes++;
            node[n] = (fp_node){ s[j], 1, j ? stack[j - 1] : 0, head[s[j]] };
            head[s[j]] = n;
            stack[j] = n;
        }
        prev = s;
        prevlen = len;
    }
    free(tx);
    crm_fpgrowth_budget_release(m->budget, tx_bytes);
    t->node = node;
    t->nnodes = nnodes;
    t->nitems = k;
    t->item_id = item_id;
    t->head = head;
    t->total = total;
    t->branched = branched;
    return CRM_OK;
}

crm_status crm_fpgrowth_mine(const crm_fpgrowth_data *data, const crm_fpgrowth_options *opts,
                             crm_fpgrowth_visit visit, void *user, crm_error *err)
{
    if (opts->min_count == 0)
        return crm_error_set(err, CRM_EUSAGE, "the minimum count of an itemset must be at least 1");
    fp_miner m;
    memset(&m, 0, sizeof m);
    m.min_count = opts->min_count;
    m.max_len = opts->max_len;
    m.visit = visit;
    m.user = user;
    m.err = err;
    m.budget = opts->budget;
    m.arena.budget = opts->budget;

    fp_tree tree;
    memset(&tree, 0, sizeof tree);
    crm_status st = build_first_tree(&m, data, &tree);
    if (st == CRM_OK && tree.nitems > 0) {
        m.itemset = malloc((size_t)tree.nitems * sizeof *m.itemset);
        m.path = malloc((size_t)tree.nitems * sizeof *m.path);
        if (!m.itemset || !m.path)
            st = out_of_memory(&m);
        else
            st = mine_tree(&m, &tree, 0);
    }
    free(m.itemset);
    free(m.path);
    free(m.paths);
    crm_fpgrowth_budget_release(m.budget, m.paths_cap * sizeof *m.paths);
    arena_free(&m.arena);
    return st;
}
