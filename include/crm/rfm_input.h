/* The transactions crm-rfm reads (crm-clean's output, or any CSV whose
 * columns are named): columns resolved by name or index in the first input
 * (later inputs must have them), each row checked and read into the
 * aggregator (crm_rfm_add), the kept customer attributes collected; and the
 * interactions file (customer, date).  A row that cannot be read is handed
 * to on_bad with its message (file, line, column, value), which says
 * whether it stops the run (its status) or is skipped (CRM_OK).
 * Never prints, never exits. */
#ifndef CRM_RFM_INPUT_H
#define CRM_RFM_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "crm/attributes.h"
#include "crm/csv.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/interactions.h"
#include "crm/rfm.h"
#include "crm/shard.h"

enum { CRM_RFM_INPUT_COLUMNS = 5, CRM_RFM_MAX_KEEP = 32 };

typedef crm_status (*crm_rfm_input_on_bad)(void *ctx, crm_error *err);

typedef struct {
    /* customer, invoice, date, amount, profit: a header name or 1-based
     * index, NULL for the crm-clean names (customer_id, invoice_id, date,
     * amount, profit; invoice and profit optional) */
    const char *columns[CRM_RFM_INPUT_COLUMNS];
    int no_invoice;                 /* frequency by purchase days even with an invoice column */
    crm_date_format date_format;
    const char *const *keep;        /* attribute columns to carry */
    size_t nkeep;
    crm_keep_rule keep_rule;
    int keep_until;                 /* attributes only from rows before as_of */
    int32_t as_of;
    int monetary_profit;            /* M scores profit: a profit column is needed */
    int invoice_keys;               /* the aggregator keeps invoice keys (a partial file) */
    const crm_shard *shard;         /* rows of other shards are passed over (NULL: all) */
    crm_rfm_input_on_bad on_bad;    /* NULL: every bad row stops the run */
    void *bad_ctx;
} crm_rfm_input_options;

typedef struct crm_rfm_input crm_rfm_input;

crm_status crm_rfm_input_new(crm_rfm_input **out, const crm_rfm_input_options *opts, crm_error *err);
void crm_rfm_input_free(crm_rfm_input *in);
/* An input begins: its columns (first: resolved and remembered, the
 * aggregator made; later inputs: found by the first one's names).
 * CRM_EDATA for a missing column, CRM_EUSAGE for a kept column that clashes. */
crm_status crm_rfm_input_start(crm_rfm_input *in, const crm_csv_reader *r, int first, crm_error *err);
/* One record of the current input. */
crm_status crm_rfm_input_add(crm_rfm_input *in, const crm_csv_reader *r, const crm_csv_record *rec, crm_error *err);
/* The aggregator (NULL before the first input; the input's until it is freed). */
crm_rfm *crm_rfm_input_aggregator(const crm_rfm_input *in);
const crm_attributes *crm_rfm_input_attributes(const crm_rfm_input *in);
/* The kept columns' header names (nkeep of them). */
const char *const *crm_rfm_input_keep_names(const crm_rfm_input *in);

/* The interactions file r into a: customer and date columns by
 * opts->columns (customer, date) or customer_id and date, dates by
 * opts->date_format; *rows counts the records read. */
crm_status crm_rfm_interactions_read(crm_interactions *a, crm_csv_reader *r, const crm_rfm_input_options *opts,
                                     uint64_t *rows, crm_error *err);

#endif
