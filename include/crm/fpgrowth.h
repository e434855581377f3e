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

typedef struct {
    uint32_t min_count;       /* at least 1 */
    uint32_t max_len;         /* 0: no limit */
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
