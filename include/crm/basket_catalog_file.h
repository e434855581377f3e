/* Up-sell: the product catalog file and the up-sell table (formats module
 * over crm/basket_upsell.h; crm-basket --upsell --catalog FILE).
 *
 * The catalog is CSV with a header naming product_id, category and price
 * (a decimal >= 0) and any other columns, which are kept and passed through
 * beside each offer.  A row that cannot be used (broken, empty product or
 * category, a bad price, a product twice) is CRM_EDATA naming file, line,
 * column and value, handed to bad_row.
 * The table: customer_id,product_id,category,price,score,reason and the
 * catalog's other columns; price as the catalog has it, score with 4
 * decimals, reason "dearer than P (2.50), the dearest bought in CAT; 3 of 5
 * buyers of CAT bought it".
 * Never prints or exits; errors through crm_error. */
#ifndef CRM_BASKET_CATALOG_FILE_H
#define CRM_BASKET_CATALOG_FILE_H

#include <stddef.h>

#include "crm/basket.h"
#include "crm/basket_upsell.h"
#include "crm/csv.h"
#include "crm/error.h"

typedef struct crm_basket_catalog_file crm_basket_catalog_file;

/* A row that cannot be used, err saying why: CRM_OK to skip it (and go
 * on), any other status to stop with. */
typedef crm_status (*crm_basket_bad_row)(void *ctx, crm_error *err);

/* Reads the catalog at path (NULL or "-": standard input) with the reader
 * options opts.  bad_row NULL: the first bad row stops the reading. */
crm_status crm_basket_catalog_file_read(const char *path, const crm_csv_options *opts,
                                       crm_basket_bad_row bad_row, void *ctx, crm_basket_catalog_file **out,
                                       crm_error *err);
void crm_basket_catalog_file_free(crm_basket_catalog_file *cat);
const crm_upsell_catalog *crm_basket_catalog_file_products(const crm_basket_catalog_file *cat);
/* The path as given, for messages. */
const char *crm_basket_catalog_file_name(const crm_basket_catalog_file *cat);

/* Writes the up-sell table of offers (crm_basket_upsell) to w; customers
 * names the customers.  CRM_OK, CRM_ENOMEM (err set) or the status of the
 * failed write (err not set: the caller names its output). */
crm_status crm_basket_write_upsell(crm_csv_writer *w, const crm_basket_catalog_file *cat,
                                  const crm_basket_db *customers, const crm_upsell *offers, size_t n,
                                  crm_error *err);

#endif
