/* Market basket analysis, part 2 of 4: the support threshold and frequent
 * itemsets of a basket database (crm/basket.h), mined with FP-growth
 * (crm/fpgrowth.h).
 *
 * Support threshold.  A minimum support s (a fraction, 0 < s <= 1; a
 * percentage is the caller's to divide by 100) means count >= ceil(s * n),
 * computed so that floating error cannot move the threshold: s = 0.001 with
 * n = 9835 gives 10 (9.835 rounded up), s = 0.07 with n = 100 gives 7 although
 * 0.07 * 100 is 7.000000000000001 in doubles.  An absolute count can be given
 * directly as min_count.
 *
 * Order of the reported itemsets: size ascending, count descending, then
 * items compared name by name (items inside an itemset are in name order).
 *
 * Results borrow the database they came from: free them before it.  Pure
 * computation: no files, printing or exit; errors through crm_error. */
#ifndef CRM_BASKET_ITEMSETS_H
#define CRM_BASKET_ITEMSETS_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/error.h"

/* ---- support threshold ---- */

/* min_count = max(1, ceil(support * n)) as described above.  CRM_EUSAGE
 * when support is not a number above 0 and at most 1. */
crm_status crm_basket_min_count(double support, uint64_t n, uint64_t *min_count, crm_error *err);

/* ---- frequent itemsets ---- */

typedef enum {
    CRM_BASKET_FREQUENT = 0,   /* all frequent itemsets */
    CRM_BASKET_CLOSED,         /* no proper superset has the same count */
    CRM_BASKET_MAXIMAL         /* no proper superset is frequent */
} crm_basket_target;

typedef struct {
    uint64_t min_count;        /* at least 1; see crm_basket_min_count */
    size_t min_len;            /* reported sizes; 0 or 1: from single items */
    size_t max_len;            /* 0: no limit */
    crm_basket_target target;
} crm_basket_mine_options;

typedef struct {
    const uint32_t *items;     /* item ids, in name order */
    size_t size;
    uint64_t count;            /* baskets containing all the items */
    double support;            /* count / n */
} crm_basket_itemset;

typedef struct crm_basket_itemsets crm_basket_itemsets;

void crm_basket_mine_options_init(crm_basket_mine_options *opts);

/* Mines db (finished) with FP-growth (crm/fpgrowth.h).  Closed and maximal
 * are judged against all frequent itemsets, also those longer than max_len
 * (the standard definitions; the miner looks one item further to check).
 * The result always keeps every frequent itemset of at most max_len items
 * for support lookups and rules; min_len and target only choose which are
 * reported by _count/_get. */
crm_status crm_basket_mine(const crm_basket_db *db, const crm_basket_mine_options *opts,
                           crm_basket_itemsets **out, crm_error *err);
void crm_basket_itemsets_free(crm_basket_itemsets *sets);
/* The reported itemsets, in the documented order. */
size_t crm_basket_itemsets_count(const crm_basket_itemsets *sets);
const crm_basket_itemset *crm_basket_itemsets_get(const crm_basket_itemsets *sets, size_t i);
/* Count of any itemset (items in any order, no repeats) among the frequent
 * ones kept; 0 when it is not one of them.  The empty set gives n. */
uint64_t crm_basket_itemsets_lookup(const crm_basket_itemsets *sets, const uint32_t *items,
                                    size_t n);
const crm_basket_db *crm_basket_itemsets_db(const crm_basket_itemsets *sets);

/* ---- every kept itemset, in name ranks (what rules are made from) ----
 * The kept itemsets are all frequent ones up to the mined max_len plus, for
 * closed and maximal targets, those one item longer; each is a list of
 * name ranks (crm_basket_db_name_ranks), ascending. */

/* The max_len mined with (0: no limit); kept itemsets may be one longer. */
size_t crm_basket_itemsets_max_len(const crm_basket_itemsets *sets);
size_t crm_basket_itemsets_kept_count(const crm_basket_itemsets *sets);
/* Kept itemset i: its ranks, *size of them, and its *count. */
const uint32_t *crm_basket_itemsets_kept_get(const crm_basket_itemsets *sets, size_t i,
                                             size_t *size, uint64_t *count);
/* Count of the kept itemset with exactly these n ranks (ascending, n >= 1);
 * 0 when it is not kept. */
uint64_t crm_basket_itemsets_lookup_ranks(const crm_basket_itemsets *sets, const uint32_t *ranks,
                                          size_t n);

#endif
