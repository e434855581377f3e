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
#include "crm/fpgrowth.h"

/* ---- support threshold ---- */

/* min_count = max(1, ceil(support * n)) as described above.  CRM_EUSAGE
 * when support is not a number above 0 and at most 1. */
crm_status crm_basket_min_count(double support, uint64_t n, uint64_t *min_count, crm_error *err);

/* ---- limits ----
 * Itemsets grow exponentially with the items a basket shares with others: one
 * basket of 40 items at min_count 1 has 2^40 - 1 frequent itemsets.  Limits
 * make such a run stop early with CRM_ENOMEM and a message, instead of taking
 * all the memory of the machine.  One crm_basket_limits is shared by the
 * mining (crm_basket_mine) and the rules made from it
 * (crm_basket_rules_generate): the FP-trees, the itemsets kept and the rules
 * are all charged to its memory budget, each while it lives, so it must
 * outlive the results.  `reached` tells the caller which limit stopped a
 * call, so that it can name its own option for it. */

typedef enum {
    CRM_BASKET_WITHIN_LIMITS = 0,
    CRM_BASKET_TOO_MANY_ITEMSETS,   /* max_itemsets */
    CRM_BASKET_TOO_MANY_RULES,      /* max_rules */
    CRM_BASKET_OVER_MEMORY          /* memory.max_bytes */
} crm_basket_limit;

/* The defaults of crm_basket_limits_init (and of crm-basket): a few million
 * itemsets or rules, each about 50 to 150 bytes with its indexes, and a
 * memory budget of 4 GiB. */
#define CRM_BASKET_DEFAULT_MAX_ITEMSETS 5000000u
#define CRM_BASKET_DEFAULT_MAX_RULES 5000000u
#define CRM_BASKET_DEFAULT_MAX_BYTES ((size_t)4 << 30)

typedef struct {
    uint64_t max_itemsets;          /* frequent itemsets kept; 0: no limit */
    uint64_t max_rules;             /* rules generated (before sorting); 0: no limit */
    crm_fpgrowth_budget memory;     /* memory.max_bytes 0: no limit */
    crm_basket_limit reached;       /* set by the call a limit stopped, else WITHIN */
} crm_basket_limits;

/* The defaults above (on a 32-bit machine the budget is 1 GiB). */
void crm_basket_limits_init(crm_basket_limits *limits);

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
    /* NULL (the default): no limits.  All frequent itemsets up to max_len
     * (one longer for closed and maximal targets) count against
     * max_itemsets, whatever min_len and target report. */
    crm_basket_limits *limits;
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
/* The longest itemsets mining keeps for these options: max_len, one more
 * for closed and maximal targets (0: no limit). */
size_t crm_basket_mine_len(const crm_basket_mine_options *opts);

/* An itemset counted elsewhere (the merge of SON pieces): item ids of the
 * database, in any order, no repeats. */
typedef struct {
    const uint32_t *items;
    size_t size;
    uint64_t count;
} crm_basket_counted_set;

/* The result crm_basket_mine would give on the baskets that were counted,
 * from their counts: the sets that reach opts->min_count and are at most
 * crm_basket_mine_len(opts) long are kept (with the same limits), and
 * reported as mining reports them.  db is finished (usually tallies, see
 * crm/basket.h), each set is given once and, for the result to be what
 * mining gives, every frequent itemset of the baskets is among them.
 * CRM_EDATA for a count above n. */
crm_status crm_basket_itemsets_from_counts(const crm_basket_db *db, const crm_basket_mine_options *opts,
                                           const crm_basket_counted_set *sets, size_t n,
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
