/* Market basket analysis, part 3 of 4: association rules X => Y from the
 * frequent itemsets of crm/basket_itemsets.h.
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
 * Order: items inside a rule side by name (crm/basket.h); rules by lift
 * (the default), confidence and count descending; or by confidence, lift
 * and count; or by count, confidence and lift; then length ascending, then
 * antecedent and then consequent compared name by name (shorter first when
 * one is a prefix of the other).  The last keys identify a rule, so the
 * order is total.
 *
 * Rules borrow the database their itemsets came from: free them before it.
 * Pure computation: no files, printing or exit; errors through crm_error. */
#ifndef CRM_BASKET_RULES_H
#define CRM_BASKET_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/basket_itemsets.h"
#include "crm/error.h"

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
/* The database whose itemsets the rules were made from. */
const crm_basket_db *crm_basket_rules_db(const crm_basket_rules *rules);
/* Re-sorts (recommendations made before refer to the old positions). */
void crm_basket_rules_sort(crm_basket_rules *rules, crm_basket_rule_order order);

#endif
