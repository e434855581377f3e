/* The cost table of crm-clean --cost-table: one row per product, its id and its
 * unit cost.  The columns are named product_id (or StockCode) and unit_cost
 * (or cost), looked up as crm_csv_column does; without such names the first
 * two columns are taken.  Every row's cost goes to the cleaner
 * (crm_cleaner_add_cost), which then writes cost and profit.
 *
 * The table is strict: broken quoting, a field beyond the header, fewer
 * than two fields or a cost that is not a number stop the reading with an
 * error naming the file, line and column; a product listed twice with
 * different costs too.  Product ids are trimmed of spaces and tabs.
 * Reads only; never prints. */
#ifndef CRM_CLEAN_COSTS_H
#define CRM_CLEAN_COSTS_H

#include "crm/clean.h"
#include "crm/csv.h"
#include "crm/error.h"

/* Reads the table from an open reader (its header read) to its end. */
crm_status crm_clean_costs_read(crm_csv_reader *r, crm_cleaner *cleaner, crm_error *err);

/* Opens path (gzip or plain; "-" is standard input) with the delimiter,
 * reads it with crm_clean_costs_read and closes it. */
crm_status crm_clean_costs_load(const char *path, char delimiter, crm_cleaner *cleaner, crm_error *err);

#endif
