/* The --partial file of crm-ltv: the mergeable statistics of the lifetime
 * fits (crm/ltv_partial.h) as CSV, written by each shard and read back by
 * the merge.
 *
 *   record,customer_id,x,t_x,T,monetary_value,customers
 *   monetary_value,,,,,,            (only when the table has that column:
 *                                    the merge then fits the spend model)
 *   purchase,<first id>,x,t_x,T,,<customers with this history>
 *   spend,<id>,x,,,monetary_value,1 (each repeat buyer)
 *
 * Numbers in the shortest text that reads back the same, so that the merged
 * fit is the one-process fit to the last digit.  Concatenated files repeat
 * the header; it is skipped.
 * Formats layer: uses the CSV core; never prints, never exits. */
#ifndef CRM_LTV_PARTIAL_FILE_H
#define CRM_LTV_PARTIAL_FILE_H

#include <stdint.h>

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/ltv_customers_file.h"
#include "crm/ltv_partial.h"

/* Writes p's statistics (has_spend: the marker row); *rows receives the
 * data rows written.  CRM_EDATA as crm_ltv_partial_rows, or the writer's
 * status. */
crm_status crm_ltv_partial_file_write(crm_csv_writer *w, crm_ltv_partial *p, int has_spend, uint64_t *rows,
                                      crm_error *err);

/* 1 when rec is the file's header row. */
int crm_ltv_partial_file_is_header(const crm_csv_record *rec);

/* Adds the rest of r (opened with its header, which must be the file's) to
 * p as one more source; *has_spend is set to 1 when the file has the
 * monetary_value marker; *rows counts the records read.  CRM_EDATA naming
 * the file, line, column and value for a bad row. */
crm_status crm_ltv_partial_file_read(crm_csv_reader *r, crm_ltv_partial *p, int *has_spend, uint64_t *rows,
                                     crm_error *err);

/* The merged statistics as the customers a fit reads (t zeroed by the
 * caller): the purchase rows weighted by their customers in t->c, the
 * spend rows in t->spend_c, t->one_time the customers with x = 0; the
 * monetary_value column present when has_spend; input_name for messages. */
crm_status crm_ltv_partial_file_customers(crm_ltv_partial *p, int has_spend, const char *input_name,
                                          crm_ltv_customers *t, crm_error *err);

#endif
