/* The partial files of crm-rfm (--partial writes them, --merge reads them):
 * one row per customer and purchase day,
 *
 *   customer_id, date, rows, amount[, invoices[, invoice_keys]][, profit]
 *
 * (crm_rfm_day_total in text), customers in byte order of their ids, days
 * in order, the keys of a day ascending: 16 lower-case hex digits each, one
 * space apart.  Partial files may be concatenated: a row equal to the
 * file's header is skipped.  Never prints, never exits. */
#ifndef CRM_RFM_PARTIAL_H
#define CRM_RFM_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/rfm.h"
#include "crm/rfm_breaks.h"

/* Writes the header and every day total of a (crm_rfm_each_day);
 * invoice_keys: the column of keys (the aggregator keeps them,
 * crm_rfm_keep_invoice_keys). */
crm_status crm_rfm_partial_write(crm_csv_writer *w, const crm_rfm *a, int invoice_keys, crm_error *err);

typedef struct crm_rfm_partial_reader crm_rfm_partial_reader;

/* Reads the partial file r (which stays the caller's to close): checks its
 * header, CRM_EDATA when it is not one ("<file>: not a crm-rfm --partial
 * file (header ...)"). */
crm_status crm_rfm_partial_open(crm_rfm_partial_reader **out, crm_csv_reader *r, crm_error *err);
void crm_rfm_partial_close(crm_rfm_partial_reader *p);
/* What the file's columns say: frequency by invoice, profits, invoice keys. */
void crm_rfm_partial_layout(const crm_rfm_partial_reader *p, crm_rfm_config *cfg, int *invoice_keys);
/* Keeps only the rows whose customer keep() accepts (a shard); the others
 * are not read further (a bad value there is not an error). */
typedef int (*crm_rfm_partial_keep)(void *ctx, const char *customer, size_t len);
void crm_rfm_partial_set_keep(crm_rfm_partial_reader *p, crm_rfm_partial_keep keep, void *ctx);

/* The next day total: *got 1 and *t filled (its text valid until the next
 * call), *got 0 at the end.  A row that cannot be read is CRM_EDATA naming
 * the file, line, column and value; the next call goes on after it. */
crm_status crm_rfm_partial_next(crm_rfm_partial_reader *p, crm_rfm_day_total *t, int *got, crm_error *err);
/* The line of the row read last (for messages about it). */
uint64_t crm_rfm_partial_line(const crm_rfm_partial_reader *p);
const char *crm_rfm_partial_name(const crm_rfm_partial_reader *p);
/* Records read so far: every row, also skipped ones (for progress). */
uint64_t crm_rfm_partial_records(const crm_rfm_partial_reader *p);

/* Bad rows: on_bad(ctx, err) decides whether a row crm_rfm_partial_next
 * refused stops the merge (its status) or is skipped (CRM_OK). */
typedef crm_status (*crm_rfm_partial_on_bad)(void *ctx, crm_error *err);

/* Merges the day totals of p into *a (crm_rfm_add_day): the first file
 * makes the aggregator from its layout (*invoice_keys: whether it has
 * keys; with keep_keys the aggregator keeps them for a partial file of the
 * merge), a later one must have the first one's columns (CRM_EDATA, "the
 * header differs from the first partial file's").  Bad rows go to on_bad. */
crm_status crm_rfm_partial_merge(crm_rfm **a, int *invoice_keys, crm_rfm_partial_reader *p, int first,
                                 int keep_keys, crm_rfm_partial_on_bad on_bad, void *bad_ctx, crm_error *err);

/* Global breakpoints from partial files merged as a stream, holding one
 * customer at a time: every file sorted by customer, as --partial writes it
 * (a customer that comes back after a later one, as in concatenated files,
 * is CRM_EDATA), all the same layout.  A customer's totals are taken file
 * after file, in the order of parts, as crm_rfm_add_day takes them in one
 * merge, so its row is the one merge's.  o: bins, monetary, fixed breaks,
 * as_of when as_of_known (else the day after the last purchase of all
 * parts), the calibration end. */
crm_status crm_rfm_partial_breakpoints(crm_rfm_partial_reader *const *parts, size_t nparts,
                                       const crm_rfm_options *o, int as_of_known, crm_rfm_partial_on_bad on_bad,
                                       void *bad_ctx, crm_rfm_breakpoints *out, crm_error *err);

#endif
