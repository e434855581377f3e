/* Market basket analysis: the result tables as crm-basket writes them
 * (formats module).
 *   itemsets:         items,size,count,support[,labels]
 *   rules:            antecedent,consequent,count,support,confidence,lift,
 *                     leverage,conviction[,antecedent_label,consequent_label]
 *   recommendations:  customer_id,product_id,score,rule[,label]
 * A set of items is one field "{a,b}": the names in name order joined by
 * the item separator, inside braces (items never hold the separator, so
 * the field splits back; crm/basket_rules_file.h reads rules so).  Labels
 * (labels non-NULL: the database that has them) are joined by " | ", the
 * item's name where it has none.  Numbers are shortest round-trip doubles
 * (conviction "inf" for confidence 1); supports of equal counts are
 * formatted once.
 * Each returns CRM_OK, CRM_ENOMEM (err set) or the status of the failed
 * write of w (err not set: the caller names its output). */
#ifndef CRM_BASKET_TABLES_H
#define CRM_BASKET_TABLES_H

#include "crm/basket.h"
#include "crm/basket_itemsets.h"
#include "crm/basket_recommend.h"
#include "crm/basket_rules.h"
#include "crm/csv.h"
#include "crm/error.h"

crm_status crm_basket_write_itemsets(crm_csv_writer *w, const crm_basket_itemsets *sets, char sep,
                                     const crm_basket_db *labels, crm_error *err);
/* db names the rules' items. */
crm_status crm_basket_write_rules(crm_csv_writer *w, const crm_basket_rules *rules, const crm_basket_db *db,
                                  char sep, const crm_basket_db *labels, crm_error *err);
/* "{a,b} => {c}" in the rule column; customers names customers and items. */
crm_status crm_basket_write_recommendations(crm_csv_writer *w, const crm_basket_recommendations *recs,
                                            const crm_basket_rules *rules, const crm_basket_db *customers,
                                            char sep, const crm_basket_db *labels, crm_error *err);

#endif
