/* Market basket analysis, part 4 of 4: cross-sell recommendations from the
 * association rules of crm/basket_rules.h.
 *
 * Order: customers in basket order (first appearance of the key), then
 * score descending, then the other measure (lift for confidence scores and
 * the other way round) descending, then product name.
 *
 * Recommendations refer to the rules and the customers database by
 * position.  Pure computation: no files, printing or exit; errors through
 * crm_error. */
#ifndef CRM_BASKET_RECOMMEND_H
#define CRM_BASKET_RECOMMEND_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/basket_rules.h"
#include "crm/error.h"

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
