/* The transactions table crm-clean writes (DESIGN.md): the header
 *     customer_id,invoice_id,date,product_id,quantity,unit_price,amount
 * (then cost,profit when the cleaner knows costs), then, with keep_extra,
 * the input's other columns under their own names, in input order; and one
 * line per kept row (crm_clean_row), the extra columns copied from the
 * row's input record.  Writes only; never prints. */
#ifndef CRM_CLEAN_OUTPUT_H
#define CRM_CLEAN_OUTPUT_H

#include <stddef.h>

#include "crm/clean.h"
#include "crm/csv.h"

typedef struct crm_clean_output crm_clean_output;

/* Over writer w (not owned) for the cleaner's columns and costs; names are
 * the input's ncolumns column names (kept by pointer: they must outlive the
 * output).  NULL when out of memory. */
crm_clean_output *crm_clean_output_new(crm_csv_writer *w, const crm_cleaner *cleaner,
                                       const char *const *names, size_t ncolumns, int keep_extra);
crm_status crm_clean_output_write_header(crm_clean_output *o);
crm_status crm_clean_output_write_row(crm_clean_output *o, const crm_clean_row *row);
void crm_clean_output_free(crm_clean_output *o);

#endif
