/* The cohort method's files (crm-ltv --method cohort): the transactions
 * read into a crm_cohort (crm/ltv_cohort.h), and the cohort table written.
 *
 * Transactions: customer_id, date (YYYY-MM-DD, a time may follow), amount,
 * and optionally invoice_id (without it the orders are the purchase days)
 * and cost (an empty cell is an unknown cost); other columns are ignored.
 *
 * The table: cohort (YYYY, or YYYY-MM by month), period, customers, then
 * retention_rate, retention_from_start, orders_per_customer, cost_rate and
 * discount_factor as ratios (4 decimals; the discount factor 6) and the
 * money columns with 2 decimals; an unknown value is an empty cell.
 * Formats layer: uses the CSV core; never prints, never exits. */
#ifndef CRM_LTV_COHORT_FILE_H
#define CRM_LTV_COHORT_FILE_H

#include <stdint.h>

#include "crm/csv.h"
#include "crm/customers_table.h"
#include "crm/error.h"
#include "crm/ltv_cohort.h"
#include "crm/ltv_customers_file.h"

/* Reads the rest of r into cohort.  columns[CRM_LTV_COL_CUSTOMER ..
 * CRM_LTV_COL_COST] name the columns (NULL: the default names).  A row that
 * cannot be read (broken quoting, the wrong number of fields, a date or
 * number that does not read) goes to hooks->bad_row with file, line, column
 * and value; *rows counts the rows read, skipped ones included. */
crm_status crm_ltv_cohort_file_read(crm_csv_reader *r, const char *const *columns, crm_cohort *cohort,
                                    const crm_customers_table_hooks *hooks, uint64_t *rows, crm_error *err);

/* The table rows[0..n).  The writer's status. */
crm_status crm_ltv_cohort_file_write(crm_csv_writer *w, const crm_cohort_row *rows, size_t n, crm_cohort_period by);

#endif
