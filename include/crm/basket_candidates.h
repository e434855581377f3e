/* Market basket analysis: exact counts of chosen itemsets (the candidates of
 * SON's second pass, crm/basket_partial.h) over the baskets of a database.
 *
 * The candidates are kept in a prefix tree of name ranks; each basket walks
 * the tree along its own items, so a basket costs about the number of
 * candidates it contains (times its length), never candidates x baskets.
 * Every prefix of a candidate (in name order) is a node of the tree and is
 * counted too: SON's candidates are closed under subsets, so these are
 * candidates themselves.
 * Pure computation: no files, printing or exit; errors through crm_error. */
#ifndef CRM_BASKET_CANDIDATES_H
#define CRM_BASKET_CANDIDATES_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/error.h"

typedef struct crm_basket_candidates crm_basket_candidates;

/* An empty candidate tree over db (finished, baskets kept: not tallies). */
crm_status crm_basket_candidates_new(const crm_basket_db *db, crm_basket_candidates **out, crm_error *err);
void crm_basket_candidates_free(crm_basket_candidates *c);

/* Adds the itemset of n >= 1 item ids of db (any order, no repeats);
 * *node receives its node, the same for the same set however often it is
 * added.  CRM_EUSAGE for an empty set, an unknown id or a repeat. */
crm_status crm_basket_candidates_add(crm_basket_candidates *c, const uint32_t *items, size_t n, size_t *node,
                                     crm_error *err);

/* Nodes of the tree (the root, 0, is the empty set): the size of the
 * counts array below. */
size_t crm_basket_candidates_nodes(const crm_basket_candidates *c);

/* counts[node] = baskets of db containing the node's itemset (counts[0] =
 * n), for every node; counts has crm_basket_candidates_nodes entries. */
crm_status crm_basket_candidates_count(const crm_basket_candidates *c, uint64_t *counts, crm_error *err);

#endif
