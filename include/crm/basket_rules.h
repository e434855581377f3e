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
    /* NULL (the default): no limits; else max_rules and the memory budget
     * of crm/basket_itemsets.h (the one the itemsets were mined with). */
    crm_basket_limits *limits;
} crm_basket_rule_options;

typedef struct {
    const uint32_t *antecedent;   /* item ids in name order; may be empty */
    size_t antecedent_size;
    const uint32_t *consequent;
    size_t consequent_size;
    uint64_t count;               /* baskets with X and Y */
    uint64_t antecedent_count;    /* baskets with X (n for the empty X); 0 when read back */
    uint64_t consequent_count;    /* baskets with Y; 0 when read back */
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

/* ---- rules read back (saved by an earlier run, e.g. crm-basket's rules CSV) ----
 * Mine weekly, recommend nightly: the rules are given by item names with
 * their measures, and are built against a finished database, normally the
 * customers' one given to crm_basket_recommend, whose item table then names
 * the rules' items.  An item the item table does not know (or added to a
 * shared table after crm_basket_db_finish) makes the rule unusable: it is
 * dropped, counted in the `kept` answer of crm_basket_rules_add_named, never
 * an error.  (A caller that wants such rules kept interns their item names
 * in the shared table before the database is finished: crm-basket does, so
 * a consequent product no customer bought yet is still offered.)
 * The measures are taken as given, not recomputed; each must lie in its
 * range (crm_basket_measure_range).  antecedent_count and consequent_count
 * of the rules are 0. */

typedef enum {
    CRM_BASKET_MEASURE_SUPPORT = 0,   /* 0..1 */
    CRM_BASKET_MEASURE_CONFIDENCE,    /* 0..1 */
    CRM_BASKET_MEASURE_LIFT,          /* 0 or more, finite */
    CRM_BASKET_MEASURE_LEVERAGE,      /* -0.25..0.25 */
    CRM_BASKET_MEASURE_CONVICTION     /* 0 or more, or +infinity */
} crm_basket_measure;

typedef struct {
    const char *const *antecedent;    /* item names, any order; may be empty */
    const size_t *antecedent_lens;    /* NULL: NUL-terminated names */
    size_t antecedent_size;
    const char *const *consequent;    /* at least one item */
    const size_t *consequent_lens;
    size_t consequent_size;
    uint64_t count;
    double support, confidence, lift, leverage, conviction;
} crm_basket_named_rule;

/* NULL when v lies in the measure's range (NaN never does), otherwise the
 * range as a phrase for a message: "between 0 and 1". */
const char *crm_basket_measure_range(crm_basket_measure measure, double v);
/* The measure's name as in the rules CSV header: "confidence". */
const char *crm_basket_measure_name(crm_basket_measure measure);

/* An empty rule set over db (finished), to fill with crm_basket_rules_add_named
 * and close with crm_basket_rules_finish. */
crm_status crm_basket_rules_new(const crm_basket_db *db, crm_basket_rules **out, crm_error *err);
/* Adds one rule; *kept is 1, or 0 when it names an item unknown to the
 * database (dropped, see above).  CRM_EDATA, naming the item or measure but
 * not the input position (the caller prefixes it), for an empty item name,
 * an item twice in the rule (within a side or on both sides), an empty
 * consequent or a measure outside its range.  CRM_EUSAGE after finish. */
crm_status crm_basket_rules_add_named(crm_basket_rules *rules, const crm_basket_named_rule *rule,
                                      int *kept, crm_error *err);
/* Ends the adding: keeps the rules that reach opts->min_confidence and
 * opts->min_lift (the other filters of crm_basket_rule_options apply to
 * mining and are ignored here) and sorts them in opts->order, so that the
 * same rules give the same order however they were listed.  Rules read back
 * from a mining run with the same order therefore equal the mined ones for
 * crm_basket_recommend.  On error the rules are left as they were (free them). */
crm_status crm_basket_rules_finish(crm_basket_rules *rules, const crm_basket_rule_options *opts,
                                   crm_error *err);

#endif
