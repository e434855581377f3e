/* Market basket analysis: transactions read into basket databases
 * (formats module; what crm-basket reads).
 *
 *   long:    one (basket key, item) pair per row, with a header; the rows of
 *            one basket anywhere in the input (crm/basket.h groups them);
 *   basket:  one basket per line, items separated by the delimiter, no header
 *            (groceries.csv);
 *   fimi:    one basket per line, items separated by spaces (FIMI).
 * A row that cannot be read (broken quoting, too few or too many fields, an
 * empty basket key or customer id, with a catalog a product it does not
 * know) is CRM_EDATA naming file, line, column and value, handed to
 * bad_row (skip it or stop).  An item holding the item separator stops the
 * reading: the joined output field could not be split back.
 * Never prints or exits; errors through crm_error. */
#ifndef CRM_BASKET_INPUT_H
#define CRM_BASKET_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/basket_catalog_file.h"
#include "crm/csv.h"
#include "crm/error.h"
#include "crm/shard.h"
#include "crm/strtab.h"

typedef enum { CRM_BASKET_INPUT_LONG = 0, CRM_BASKET_INPUT_BASKET, CRM_BASKET_INPUT_FIMI } crm_basket_input_format;

typedef struct {
    crm_basket_input_format format;
    /* long input: columns by name or 1-based index */
    const char *basket_column;
    const char *basket_what;            /* "invoice", "customer", "basket": names an empty key */
    const char *item_column;
    const char *customer_column;        /* the customers' database's key column, or NULL */
    const char *label_column;           /* item labels (crm_basket_db_add_label), or NULL */
    const crm_shard *shard;             /* rows of other shards' customers are not read; NULL: all */
    const char *shard_column;           /* the customer column sharding looks at */
    int edges;                          /* set aside the baskets of the first and last rows (SON pieces) */
    const crm_upsell_catalog *catalog;  /* a product bought must be in it, or NULL */
    const char *catalog_name;
    const crm_strtab *exclude;          /* items left out (not checked against the catalog), or NULL */
    char separator;                     /* the item separator */
    crm_basket_bad_row bad_row;         /* NULL: a bad row stops the reading */
    void *bad_row_ctx;
    /* called after each row with the rows so far and the bytes read of the current input */
    void (*progress)(void *ctx, uint64_t rows, uint64_t bytes);
    void *progress_ctx;
} crm_basket_input_options;

typedef struct crm_basket_input crm_basket_input;

/* The reader options the format needs (FIMI's space, no header for one
 * basket per line) on top of opts. */
void crm_basket_input_csv_options(crm_basket_input_format format, crm_csv_options *opts);

/* A reader filling mined (pairs or whole baskets) and, when
 * customer_column is set, customers (a different database, or NULL).  The
 * options are copied; their strings and tables must outlive the reader. */
crm_status crm_basket_input_new(const crm_basket_input_options *opts, crm_basket_db *mined,
                                crm_basket_db *customers, crm_basket_input **out, crm_error *err);
void crm_basket_input_free(crm_basket_input *in);
/* Reads every record of r; several inputs are read one after the other. */
crm_status crm_basket_input_read(crm_basket_input *in, crm_csv_reader *r, crm_error *err);
/* Ends the input: sets the edge baskets aside and finishes the databases. */
crm_status crm_basket_input_finish(crm_basket_input *in, crm_error *err);
/* Rows read (bad rows skipped included, other shards' not). */
uint64_t crm_basket_input_rows(const crm_basket_input *in);

/* Adds to t the items of an --exclude argument: names joined by sep, or
 * "@FILE", one name a line (empty lines and lines starting with '#'
 * skipped, CR LF accepted); CRM_EIO naming the file. */
crm_status crm_basket_exclude_add(crm_strtab *t, const char *arg, char sep, crm_error *err);

#endif
