/* Market basket analysis split across processes, exactly: SON (Savasere,
 * Omiecinski and Navathe 1995) in two passes over pieces of the input, with
 * the files of crm/basket_partial.h between them.
 *
 * Why it is exact.  The pieces and the edge baskets (the baskets set aside
 * at the ends of the pieces, crm_basket_db_set_aside, joined by key) form
 * a partition of the baskets: each basket is counted in exactly one part.
 * A piece of n_p baskets with e_p edge baskets (0, 1 or 2) is mined at the
 * local minimum count t_p = max(1, ceil(s * n_p) - 1 - e_p); the slack is
 * the sum of t_p - 1 over the pieces.  An itemset that is no piece's
 * candidate is in at most `slack` of the pieces' baskets, so it is
 * frequent (in ceil(s * n) baskets or more, n counting the edge baskets)
 * only if the edge baskets hold it ceil(s * n) - slack times or more:
 * pass 2 mines the joined edge baskets at that count and adds what it
 * finds to the candidates.  Since slack < s * (n - edge baskets) - pieces
 * - edge baskets unless pieces are tiny (s * n_p below about 3), that
 * count is above the number of edge baskets and nothing is mined: small
 * pieces only cost more candidates, never a wrong count.  So the
 * candidates contain every frequent itemset, pass 2 counts them exactly in
 * every piece, the merge counts them in the edge baskets and adds up.  The
 * result is crm_basket_mine's on the whole input, set for set and count
 * for count, for any minimum count of at least ceil(s * n) and any length
 * limit within the mined one.
 * Pure computation over databases and partials: no files, printing or
 * exit; errors through crm_error. */
#ifndef CRM_BASKET_SON_H
#define CRM_BASKET_SON_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/basket_itemsets.h"
#include "crm/basket_partial.h"
#include "crm/error.h"

/* The local minimum count of a piece of n baskets and `edges` edge
 * baskets at support s (0 < s <= 1): max(1, ceil(s * n) - 1 - edges). */
uint64_t crm_basket_son_local_count(double support, uint64_t n, uint64_t edges);

/* Pass 1 of a piece (finished; its edge baskets set aside): adds to out
 * (empty) the settings (phase 1), the piece's baskets and stats, its edge
 * baskets and its itemsets of at most settings->max_len items that reach
 * the local minimum count (*min_count receives it).  limits may be NULL. */
crm_status crm_basket_son_pass1(const crm_basket_db *piece, const crm_basket_partial_settings *settings,
                                crm_basket_limits *limits, crm_basket_partial *out, uint64_t *min_count,
                                crm_error *err);

/* Pass 2 of a piece: the candidates are the itemsets of pass1 (all pieces'
 * pass-1 files, read into one partial) and the local frequent itemsets of
 * its joined edge baskets; adds to out (empty) the settings (phase 2), the
 * candidates' digest and coverage, the piece's baskets, stats, edges and
 * basket keys, and the count of every candidate and every item found in
 * the piece. */
crm_status crm_basket_son_pass2(const crm_basket_partial *pass1, const crm_basket_db *piece,
                                crm_basket_limits *limits, crm_basket_partial *out, crm_error *err);

/* The merge, step 1: from the pass-2 counts of all pieces (read into one
 * partial), *edges, the database of the joined edge baskets, and *tally,
 * the tallies of the whole input (n, every item's count, the stats).
 * CRM_EDATA when the counts are not pass 2, do not cover the pieces the
 * candidates came from, or an edge basket is also counted in a piece. */
crm_status crm_basket_son_tally(const crm_basket_partial *counts, crm_basket_db **tally, crm_basket_db **edges,
                                crm_error *err);

/* The merge, step 2: the itemsets crm_basket_mine(whole input, opts) gives,
 * over the tally database.  CRM_EUSAGE when opts->min_count is below
 * ceil(s * n) for the support s the pieces were mined at, or the mined
 * length (crm_basket_mine_len) is beyond theirs. */
crm_status crm_basket_son_itemsets(const crm_basket_partial *counts, const crm_basket_db *tally,
                                   const crm_basket_db *edges, const crm_basket_mine_options *opts,
                                   crm_basket_itemsets **out, crm_error *err);

#endif
