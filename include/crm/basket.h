/* Market basket analysis, part 1 of 4: the basket database.  The modules
 * build on each other in one direction:
 *   crm/basket.h            baskets and their items (this header)
 *   crm/basket_itemsets.h   support threshold, frequent itemsets (FP-growth)
 *   crm/basket_rules.h      association rules from the itemsets
 *   crm/basket_recommend.h  rule-based recommendations to customers
 * (what crm-basket computes).
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
 * Name order is the byte order of names, i.e. UTF-8 code point order, never
 * the locale: items inside a basket's itemsets and rule sides are listed in
 * it, and every order of the other modules falls back to it.
 *
 * Results borrow the database they came from: free them before it.  Pure
 * computation: no files, printing or exit; errors through crm_error. */
#ifndef CRM_BASKET_H
#define CRM_BASKET_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"
#include "crm/strtab.h"

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
    /* Item names left out (not products: postage, fees), or NULL.  An
     * excluded item is skipped as it is added (counted in
     * stats.excluded_items); a basket of excluded items only is an empty
     * basket.  The caller owns the table and keeps it until the database is
     * freed. */
    const crm_strtab *exclude;
} crm_basket_db_options;

typedef struct {
    uint64_t baskets;             /* n, the support denominator */
    uint64_t empty_baskets;       /* baskets without items (counted or skipped) */
    uint64_t empty_items;         /* empty item names skipped */
    uint64_t duplicate_items;     /* repeats of an item within a basket, merged */
    uint64_t occurrences;         /* (basket, item) pairs after merging */
    uint64_t items;               /* distinct items in this database */
    uint64_t excluded_items;      /* items skipped because options.exclude names them */
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
/* 1 once crm_basket_db_finish has succeeded, 0 before. */
int crm_basket_db_finished(const crm_basket_db *db);

const crm_basket_db_stats *crm_basket_db_stats_get(const crm_basket_db *db);
/* Number of baskets n (the support denominator). */
size_t crm_basket_db_count(const crm_basket_db *db);
/* Basket i (0-based, in order of first appearance): its items, ascending
 * ids, each once. */
const uint32_t *crm_basket_db_basket(const crm_basket_db *db, size_t i, size_t *n);
/* All baskets back to back: basket i is the returned items from
 * (*starts)[i] to (*starts)[i + 1] (the layout crm/fpgrowth.h reads). */
const uint32_t *crm_basket_db_occurrences(const crm_basket_db *db, const uint64_t **starts);
/* The key of basket i for pair input (NUL-terminated), NULL for whole baskets. */
const char *crm_basket_db_basket_key(const crm_basket_db *db, size_t i, size_t *len);
/* The item table; its ids are the item ids of every result. */
const crm_strtab *crm_basket_db_items(const crm_basket_db *db);
const char *crm_basket_db_item_name(const crm_basket_db *db, uint32_t id, size_t *len);
/* 1 and *id when the item is known to the item table, 0 otherwise. */
int crm_basket_db_find_item(const crm_basket_db *db, const char *name, size_t len, uint32_t *id);
/* Baskets of this database that contain the item (0 for unknown ids). */
uint64_t crm_basket_db_item_count(const crm_basket_db *db, uint32_t id);

/* Name order of the items, fixed by crm_basket_db_finish.  The ids below
 * crm_basket_db_item_ids(db) (the item table's size then; ids added to a
 * shared table later are in no basket) have a rank, their position in name
 * order: ranks[id] is that position and ranked[rank] the id at a position.
 * Mining works in ranks so that name order is integer order. */
size_t crm_basket_db_item_ids(const crm_basket_db *db);
const uint32_t *crm_basket_db_name_ranks(const crm_basket_db *db);
const uint32_t *crm_basket_db_ranked_items(const crm_basket_db *db);
/* Compares two item lists (ids of this database, each in name order) name
 * by name; a proper prefix goes first. */
int crm_basket_db_compare_items(const crm_basket_db *db, const uint32_t *a, size_t na,
                                const uint32_t *b, size_t nb);

/* Joins item names with sep into buf (always NUL-terminated when cap > 0)
 * and returns the length the whole text needs, like snprintf. */
size_t crm_basket_format_items(const crm_basket_db *db, const uint32_t *items, size_t n, char sep,
                               char *buf, size_t cap);

/* Labels: a name for people beside each item id (a product's description).
 * Each (item, label) seen is a vote; an item's label is its most frequent
 * one, the byte-smallest among equally frequent ones, so that the same
 * input gives the same label in any order.  Labels are trimmed of ASCII
 * white space; empty ones and items the database does not know (empty or
 * excluded) are ignored.  Memory: one entry per distinct (item, label). */
crm_status crm_basket_db_add_label(crm_basket_db *db, const char *item, size_t item_len,
                                   const char *label, size_t label_len, crm_error *err);
/* The item's label, or NULL (*len 0) when it has none; valid until the
 * database is freed.  Labels are settled by crm_basket_db_finish. */
const char *crm_basket_db_item_label(const crm_basket_db *db, uint32_t id, size_t *len);

/* ---- pieces of a split input (SON, crm/basket_partial.h) ----
 * A piece of a row split may begin or end in the middle of a basket: the
 * baskets of its first and last rows may go on in the neighbouring pieces.
 * Such a basket is set aside instead of counted: it is left out of n, the
 * item counts and mining, and kept raw to be joined with its other parts. */

/* Before finish (pair input): the basket of key is set aside.  Its items
 * are kept as added (input order, repeats, but not the empty or excluded
 * ones, which count in the stats as usual); a key with no pairs is set
 * aside as an empty basket. */
crm_status crm_basket_db_set_aside(crm_basket_db *db, const char *key, size_t len, crm_error *err);
/* After finish: the baskets set aside, in the order they were set aside;
 * basket i has *n item ids (of the item table) and its key. */
size_t crm_basket_db_aside_count(const crm_basket_db *db);
const uint32_t *crm_basket_db_aside(const crm_basket_db *db, size_t i, const char **key, size_t *key_len,
                                    size_t *n);

/* Tallies: a database of counts made elsewhere (the merge of SON pieces),
 * which knows n, its items and their basket counts but holds no baskets:
 * crm_basket_db_basket and crm_basket_db_occurrences are not for it and
 * crm_basket_mine refuses it (itemsets come from
 * crm_basket_itemsets_from_counts).  A database takes tallies only. */
/* Adds baskets counted elsewhere (without their items) and their stats
 * (empty_baskets, empty_items, duplicate_items, excluded_items added; the
 * others are the database's own; stats may be NULL). */
crm_status crm_basket_db_add_tally(crm_basket_db *db, uint64_t baskets, const crm_basket_db_stats *stats,
                                   crm_error *err);
/* Adds count baskets containing item (checked against the separator).
 * crm_basket_db_finish refuses an item in more baskets than n (CRM_EDATA). */
crm_status crm_basket_db_add_item_tally(crm_basket_db *db, const char *item, size_t len, uint64_t count,
                                        crm_error *err);
/* 1 for a database of tallies. */
int crm_basket_db_is_tally(const crm_basket_db *db);

/* Sets err to the out-of-memory error of every basket module and returns
 * CRM_ENOMEM. */
crm_status crm_basket_no_memory(crm_error *err);

#endif
