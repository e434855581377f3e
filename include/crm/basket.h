/* Market basket analysis: baskets, frequent itemsets, association rules and
 * rule-based recommendations (what crm-basket computes).
 *
 * Baskets.  A crm_basket_db collects baskets either whole (one basket per
 * line formats: groceries.csv, FIMI) or as (basket key, item) pairs from
 * long transactions, where the key is the invoice or the customer and the
 * rows of one basket need not be adjacent.  Item names are interned to dense
 * ids in a crm_strtab, which two databases may share (mine the invoices,
 * recommend to the customers).  Within a basket an item counts once.
 * Memory: 8 bytes per pair until crm_basket_db_finish, then 4 bytes per
 * (basket, item) occurrence; mining adds the FP-tree and the itemsets found,
 * never a baskets x items matrix.
 *
 * Handling of odd input, fixed here and documented in crm-basket(1):
 * - An empty item name (an empty field, a trailing delimiter) is skipped
 *   and counted in stats.empty_items.
 * - A basket with no items is an empty basket.  By default
 *   (CRM_BASKET_EMPTY_COUNT) it is kept: it counts in the number of baskets
 *   n, the denominator of every support, as in arules, Borgelt's apriori and
 *   mlxtend.  CRM_BASKET_EMPTY_SKIP leaves it out of n, CRM_BASKET_EMPTY_ERROR
 *   makes it an error (CRM_EDATA).  stats.empty_baskets counts them.
 * - An item name that contains the item separator (the character that joins
 *   items inside one output field, ',' by default) is an error (CRM_EDATA)
 *   naming the item, so that the joined field can always be split back.
 *
 * Support threshold.  A minimum support s (a fraction, 0 < s <= 1; a
 * percentage is the caller's to divide by 100) means count >= ceil(s * n),
 * computed so that floating error cannot move the threshold: s = 0.001 with
 * n = 9835 gives 10 (9.835 rounded up), s = 0.07 with n = 100 gives 7 although
 * 0.07 * 100 is 7.000000000000001 in doubles.  An absolute count can be given
 * directly as min_count.
 *
 * Measures, for a rule X => Y over n baskets (as arules defines them):
 *   count      = baskets containing X and Y together
 *   support    = count / n
 *   confidence = count / count(X)        (count({}) = n)
 *   lift       = confidence / (count(Y) / n)
 *   leverage   = support - (count(X) / n) * (count(Y) / n)
 *   conviction = (1 - count(Y) / n) / (1 - confidence), and +INFINITY
 *                (HUGE_VAL) when confidence is 1, i.e. count = count(X)
 *                (arules prints Inf; mlxtend gives inf).
 * Each is computed as one division of exact integer products, so measures
 * that are equal as fractions are equal doubles (ties sort as documented).
 * Rule length is |X| + |Y| as in arules.  With min_len 1 (the default, as
 * arules' minlen = 1) rules with an empty antecedent {} => Y are produced,
 * with confidence = support(Y), lift 1, leverage 0 and conviction 1 (Inf
 * when Y is in every basket), when they reach min_confidence; arules'
 * published counts include them (none reach 0.5 in groceries).
 *
 * Orders (byte order of names, i.e. UTF-8 code point order, never locale):
 * - items inside an itemset or a rule side: by name;
 * - itemsets: size ascending, count descending, then items compared name by
 *   name;
 * - rules: by lift (the default), confidence and count descending; or by
 *   confidence, lift and count; or by count, confidence and lift; then
 *   length ascending, then antecedent and then consequent compared name by
 *   name (shorter first when one is a prefix of the other).  The last keys
 *   identify a rule, so the order is total;
 * - recommendations: customers in basket order (first appearance of the
 *   key), then score
 *   descending, then the other measure (lift for confidence scores and the
 *   other way round) descending, then product name.
 *
 * Results borrow the database they came from: free them before it.  Pure
 * computation: no files, printing or exit; errors through crm_error. */
#ifndef CRM_BASKET_H
#define CRM_BASKET_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"
#include "crm/strtab.h"

/* ---- baskets ---- */

typedef enum {
    CRM_BASKET_EMPTY_COUNT = 0,   /* an empty basket counts in n */
    CRM_BASKET_EMPTY_SKIP,        /* an empty basket is left out of n */
    CRM_BASKET_EMPTY_ERROR        /* an empty basket is CRM_EDATA */
} crm_basket_empty_policy;

typedef struct {
    /* NULL: the database keeps its own item table.  To share one (mine the
     * invoices, recommend to the customers), the caller creates it with
     * crm_strtab_new, passes it to both and frees it after both. */
    crm_strtab *items;
    char item_separator;          /* ',' by default; '\0': no check */
    crm_basket_empty_policy empty;
} crm_basket_db_options;

typedef struct {
    uint64_t baskets;             /* n, the support denominator */
    uint64_t empty_baskets;       /* baskets without items (counted or skipped) */
    uint64_t empty_items;         /* empty item names skipped */
    uint64_t duplicate_items;     /* repeats of an item within a basket, merged */
    uint64_t occurrences;         /* (basket, item) pairs after merging */
    uint64_t items;               /* distinct items in this database */
} crm_basket_db_stats;

typedef struct crm_basket_db crm_basket_db;

void crm_basket_db_options_init(crm_basket_db_options *opts);
/* opts NULL for the defaults. */
crm_status crm_basket_db_new(crm_basket_db **out, const crm_basket_db_options *opts,
                             crm_error *err);
void crm_basket_db_free(crm_basket_db *db);

/* Adds one whole basket of n item names (lens[i] bytes each; lens NULL for
 * NUL-terminated names).  Errors name the item but not the input position:
 * the caller prefixes file and line (crm_error_prefix). */
crm_status crm_basket_db_add(crm_basket_db *db, const char *const *items, const size_t *lens,
                             size_t n, crm_error *err);

/* Adds one (basket key, item) pair of long transactions.  An empty item
 * still creates the basket (which may then stay empty).  A database takes
 * either whole baskets or pairs, not both (CRM_EUSAGE). */
crm_status crm_basket_db_add_pair(crm_basket_db *db, const char *key, size_t key_len,
                                  const char *item, size_t item_len, crm_error *err);

/* Ends the input: groups pairs into baskets, merges repeated items, applies
 * the empty-basket policy (the error names the first empty basket's key or
 * number) and counts items.  Needed before anything below; no adding after. */
crm_status crm_basket_db_finish(crm_basket_db *db, crm_error *err);

const crm_basket_db_stats *crm_basket_db_stats_get(const crm_basket_db *db);
/* Number of baskets n (the support denominator). */
size_t crm_basket_db_count(const crm_basket_db *db);
/* Basket i (0-based, in order of first appearance): its items, ascending
 * ids, each once. */
const uint32_t *crm_basket_db_basket(const crm_basket_db *db, size_t i, size_t *n);
/* The key of basket i for pair input (NUL-terminated), NULL for whole baskets. */
const char *crm_basket_db_basket_key(const crm_basket_db *db, size_t i, size_t *len);
/* The item table; its ids are the item ids of every result. */
const crm_strtab *crm_basket_db_items(const crm_basket_db *db);
const char *crm_basket_db_item_name(const crm_basket_db *db, uint32_t id, size_t *len);
/* 1 and *id when the item is known to the item table, 0 otherwise. */
int crm_basket_db_find_item(const crm_basket_db *db, const char *name, size_t len, uint32_t *id);
/* Baskets of this database that contain the item (0 for unknown ids). */
uint64_t crm_basket_db_item_count(const crm_basket_db *db, uint32_t id);

/* Joins item names with sep into buf (always NUL-terminated when cap > 0)
 * and returns the length the whole text needs, like snprintf. */
size_t crm_basket_format_items(const crm_basket_db *db, const uint32_t *items, size_t n, char sep,
                               char *buf, size_t cap);

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

/* ---- association rules ---- */

typedef enum {
    CRM_BASKET_BY_LIFT = 0,
    CRM_BASKET_BY_CONFIDENCE,
    CRM_BASKET_BY_SUPPORT
} crm_basket_rule_order;

typedef struct {
    double min_confidence;        /* 0..1; 0 by default (arules: 0.8) */
    double min_lift;              /* 0: no filter */
    size_t max_consequent;        /* items in Y; 1 by default as arules; 0: no limit */
    size_t min_len;               /* |X| + |Y|; 1 by default (includes {} => Y) */
    size_t max_len;               /* 0: no limit (beyond the mined max_len) */
    /* Non-NULL: every antecedent (consequent) item must be in the list. */
    const uint32_t *antecedent_items;
    size_t n_antecedent_items;
    const uint32_t *consequent_items;
    size_t n_consequent_items;
    crm_basket_rule_order order;
} crm_basket_rule_options;

typedef struct {
    const uint32_t *antecedent;   /* item ids in name order; may be empty */
    size_t antecedent_size;
    const uint32_t *consequent;
    size_t consequent_size;
    uint64_t count;               /* baskets with X and Y */
    uint64_t antecedent_count;    /* baskets with X (n for the empty X) */
    uint64_t consequent_count;    /* baskets with Y */
    double support, confidence, lift, leverage, conviction;
} crm_basket_rule;

typedef struct crm_basket_rules crm_basket_rules;

void crm_basket_rule_options_init(crm_basket_rule_options *opts);
/* Every rule X => Y with X u Y a frequent itemset kept in sets that passes
 * the options, in the documented order.  CRM_EUSAGE for min_confidence
 * outside [0, 1], a negative min_lift or an unknown item id in a list. */
crm_status crm_basket_rules_generate(const crm_basket_itemsets *sets,
                                     const crm_basket_rule_options *opts,
                                     crm_basket_rules **out, crm_error *err);
void crm_basket_rules_free(crm_basket_rules *rules);
size_t crm_basket_rules_count(const crm_basket_rules *rules);
const crm_basket_rule *crm_basket_rules_get(const crm_basket_rules *rules, size_t i);
/* Re-sorts (recommendations made before refer to the old positions). */
void crm_basket_rules_sort(crm_basket_rules *rules, crm_basket_rule_order order);

/* ---- recommendations ---- */

typedef enum {
    CRM_BASKET_SCORE_CONFIDENCE = 0,
    CRM_BASKET_SCORE_LIFT
} crm_basket_score;

typedef struct {
    size_t top_n;                 /* per customer; 0: all */
    crm_basket_score score;
    double min_score;             /* 0: no filter */
} crm_basket_recommend_options;

typedef struct {
    size_t customer;              /* basket index in the customers database */
    uint32_t product;             /* item id */
    double score;                 /* the firing rule's confidence or lift */
    size_t rule;                  /* index of the firing rule in rules */
} crm_basket_recommendation;

typedef struct crm_basket_recommendations crm_basket_recommendations;

void crm_basket_recommend_options_init(crm_basket_recommend_options *opts);
/* For each customer (a basket of customers: every item the customer bought)
 * the products that some rule predicts, i.e. a consequent item of a rule
 * whose antecedent the customer has wholly bought, that the customer has
 * not bought.  Each product comes with the best rule that fired for it:
 * highest score, then the other measure, then the earliest rule in rules.
 * The customers database must use the item table the rules were mined with
 * (CRM_EUSAGE otherwise). */
crm_status crm_basket_recommend(const crm_basket_db *customers, const crm_basket_rules *rules,
                                const crm_basket_recommend_options *opts,
                                crm_basket_recommendations **out, crm_error *err);
void crm_basket_recommendations_free(crm_basket_recommendations *recs);
size_t crm_basket_recommendations_count(const crm_basket_recommendations *recs);
const crm_basket_recommendation *crm_basket_recommendations_get(
    const crm_basket_recommendations *recs, size_t i);

#endif
