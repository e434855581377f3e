/* Customer attributes carried from the transactions into the customers
 * table (crm-rfm --keep COL): one value per customer and column, so that a
 * customer who bought from two countries is still counted once.
 *
 * Rules (crm-rfm(1) says the same for users):
 *   latest  the value of the customer's latest transaction (latest day; on
 *           the same day, the row read last)
 *   first   the value of the earliest transaction (on the same day, the row
 *           read first)
 *   most    the value on most of the customer's rows; a tie goes to the
 *           value first in byte order
 * Empty values are not values: they never replace a known one, and a
 * customer whose rows are all empty gets "".
 *
 * Memory grows with customers times kept columns, and with the distinct
 * values (each held once per column).  Pure computation: no files, no
 * printing, no exit. */
#ifndef CRM_ATTRIBUTES_H
#define CRM_ATTRIBUTES_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"

typedef enum { CRM_KEEP_LATEST = 0, CRM_KEEP_FIRST, CRM_KEEP_MOST } crm_keep_rule;

typedef struct crm_attributes crm_attributes;

crm_status crm_attributes_new(crm_attributes **out, size_t ncolumns, crm_keep_rule rule, crm_error *err);
void crm_attributes_free(crm_attributes *a);

/* One transaction row: the customer, its day (days since 1970-01-01) and
 * its value for each kept column.  CRM_ENOMEM. */
crm_status crm_attributes_add(crm_attributes *a, const char *customer, size_t customer_len, int32_t day,
                              const char *const *values, const size_t *lens, crm_error *err);

/* The kept value of column k for a customer; "" (length 0) when the
 * customer has none or was never added. */
const char *crm_attributes_get(const crm_attributes *a, const char *customer, size_t customer_len, size_t column,
                               size_t *len);

#endif
