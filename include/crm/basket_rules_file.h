/* Market basket analysis: rules saved by an earlier run, read back (the
 * rules CSV of crm/basket_tables.h; mine weekly, recommend nightly).
 * Formats module: reads through crm/csv.h, never prints or exits.
 *
 * The file is crm-basket's own: ',' delimited, UTF-8, with the header
 * antecedent,consequent,count,support,confidence,lift,leverage,conviction
 * (exact names, each once, in any order; other columns are ignored).
 * Sides are "{a,b}" (the antecedent may be "{}"), split on the item
 * separator; a count is a whole number; the measures are numbers in their
 * ranges (crm_basket_measure_range), the conviction "inf" (or arules'
 * "Inf") for confidence 1.  Errors name the file, line, column and value:
 * "rules.csv:2: column 'lift': 'high' is not a number". */
#ifndef CRM_BASKET_RULES_FILE_H
#define CRM_BASKET_RULES_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/basket_rules.h"
#include "crm/csv.h"
#include "crm/error.h"
#include "crm/strtab.h"

typedef struct crm_basket_saved_rules crm_basket_saved_rules;

/* Reads the whole file at path (NULL or "-": standard input; opts gives
 * the reader's other options, the format is fixed as above).  The item
 * names are interned in items, the item table the customers' database
 * will share (crm/basket.h), so that it knows them all: a consequent no
 * customer bought is still offered.  A rule naming an item of exclude
 * (may be NULL) is left out and counted. */
crm_status crm_basket_saved_rules_read(const char *path, const crm_csv_options *opts, char separator,
                                       crm_strtab *items, const crm_strtab *exclude,
                                       crm_basket_saved_rules **out, crm_error *err);
void crm_basket_saved_rules_free(crm_basket_saved_rules *s);
/* Rules read (those left out not counted). */
size_t crm_basket_saved_rules_count(const crm_basket_saved_rules *s);
/* Rules left out for an excluded item. */
uint64_t crm_basket_saved_rules_excluded(const crm_basket_saved_rules *s);
/* The file's name as the reader named it. */
const char *crm_basket_saved_rules_input(const crm_basket_saved_rules *s);

/* The rules as library rules over db (finished, sharing the item table),
 * kept and sorted by opts as crm_basket_rules_finish does (min_confidence,
 * min_lift, order); an error of a rule names its file and line. */
crm_status crm_basket_saved_rules_build(const crm_basket_saved_rules *s, const crm_basket_db *db,
                                        const crm_basket_rule_options *opts, crm_basket_rules **out,
                                        crm_error *err);

#endif
