/* Frequent itemset mining by FP-growth (Han, Pei and Yin 2000).
 *
 * The input is a set of transactions over dense item ids 0..nitems-1.  The
 * miner counts the items, keeps those that reach min_count, orders them by
 * descending frequency and builds a prefix tree (FP-tree) of the
 * transactions in that order; it then mines the tree recursively, building
 * for each item the conditional tree of the transactions that contain it by
 * projection.  Trees live in arrays of nodes allocated in large blocks and
 * released as soon as the recursion leaves them, so memory is proportional
 * to the tree, never to transactions x items.  Single-path trees are
 * enumerated directly.
 *
 * Every frequent itemset (count >= min_count, at most max_len items, not the
 * empty set) is handed to a callback exactly once, in no documented order;
 * callers that need an order sort the result themselves (crm/basket_itemsets.h
 * does).
 * Pure computation: no files, no printing. */
#ifndef CRM_FPGROWTH_H
#define CRM_FPGROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"

typedef struct {
    uint32_t nitems;          /* item ids are 0..nitems-1 */
    uint32_t ntransactions;
    const uint64_t *starts;   /* transaction t is items[starts[t] .. starts[t+1]) */
    const uint32_t *items;    /* an item repeated in a transaction counts once */
} crm_fpgrowth_data;

/* A memory budget that the steps of one mining run share: the FP-trees
 * here, and the itemsets and rules the caller keeps (crm/basket_itemsets.h,
 * crm/basket_rules.h charge theirs to the same budget).  Each step charges
 * the bytes of its big arrays before (or as) it allocates them and releases
 * them when it frees them, so a run that would outgrow the budget stops
 * with an error instead of taking all the memory of the machine.  Small
 * bookkeeping (a few bytes per item) is not counted. */
typedef struct {
    size_t max_bytes;         /* 0: no limit */
    size_t bytes;             /* charged now */
    size_t peak;              /* the most charged at once */
    int exceeded;             /* set when a charge was refused */
} crm_fpgrowth_budget;

/* Charges bytes: 1 when they fit (or b is NULL), 0 when they would take the
 * budget past max_bytes (nothing is charged, b->exceeded is set). */
int crm_fpgrowth_budget_charge(crm_fpgrowth_budget *b, size_t bytes);
/* Gives back bytes charged earlier (b may be NULL). */
void crm_fpgrowth_budget_release(crm_fpgrowth_budget *b, size_t bytes);
/* crm_array_reserve (crm/array.h) that charges the growth of the array to
 * b: 1 on success, 0 out of memory, -1 over the budget (the array is then
 * as it was).  charged (may be NULL) adds up what was charged, for an owner
 * that gives it all back at once with crm_fpgrowth_budget_release. */
int crm_fpgrowth_budget_reserve(crm_fpgrowth_budget *b, void *items_ptr, size_t *cap, size_t need,
                                size_t elem_size, size_t *charged);

typedef struct {
    uint32_t min_count;       /* at least 1 */
    uint32_t max_len;         /* 0: no limit */
    /* NULL: no limit.  The first tree's size is projected from the item
     * counts and checked before it is built; conditional trees are charged
     * as their memory grows.  Over the budget, mining stops with CRM_ENOMEM
     * and budget->exceeded set. */
    crm_fpgrowth_budget *budget;
} crm_fpgrowth_options;

/* Receives one frequent itemset: size item ids (distinct, in no particular
 * order; the array is reused after the call) and the number of transactions
 * that contain all of them.  Any status other than CRM_OK stops the mining,
 * and crm_fpgrowth_mine returns it (the callback fills its own error). */
typedef crm_status (*crm_fpgrowth_visit)(const uint32_t *items, uint32_t size, uint32_t count,
                                         void *user);

/* Mines data and calls visit for every frequent itemset.  CRM_EUSAGE when
 * min_count is 0 or an item id is not below nitems, CRM_ENOMEM when memory
 * runs out (the message says so). */
crm_status crm_fpgrowth_mine(const crm_fpgrowth_data *data, const crm_fpgrowth_options *opts,
                             crm_fpgrowth_visit visit, void *user, crm_error *err);

#endif
