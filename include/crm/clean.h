/* Cleaning raw transaction exports into the transactions schema of
 * DESIGN.md: customer_id, invoice_id, date, product_id, quantity,
 * unit_price, amount [, cost, profit], then the input's other columns.
 *
 * Every input row ends either kept (delivered to sink->keep) or rejected
 * with exactly one reason (delivered to sink->reject), so that
 * rows in = rows kept + rows rejected always holds.  The rules are checked in
 * the order of crm_clean_reason below and the first that applies names the
 * reason (bad-quote, added last, is checked first).  Rules marked "switchable" can be turned off (crm_clean_config
 * .allowed); the row is then kept.
 *
 * Memory does not grow with rows, except for one 64-bit hash per kept row
 * for the duplicate check and, with returns netting, the purchases a return
 * could still reach: a later return changes an earlier purchase, so each is
 * held until a row read after it is dated return_window_days past it (one
 * key per customer, product and unit price held is kept for the run), and
 * held purchases are delivered earliest day first, in input order within a
 * day.  After a first reading (crm_cleaner_prescan) only the purchases whose
 * customer, product and price some return has are held; without it every
 * purchase of the last window is. */
#ifndef CRM_CLEAN_H
#define CRM_CLEAN_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/number.h"
#include "crm/shard.h"

typedef enum {
    CRM_CLEAN_KEPT = 0,
    CRM_REJECT_MALFORMED,        /* "malformed": not as many fields as the header */
    CRM_REJECT_NUL_BYTE,         /* "nul-byte": a NUL byte in a field */
    CRM_REJECT_INVALID_UTF8,     /* "invalid-utf8": bytes that are not UTF-8 */
    CRM_REJECT_MISSING_CUSTOMER, /* "missing-customer" (switchable) */
    CRM_REJECT_MISSING_INVOICE,  /* "missing-invoice": invoice column present, value empty (switchable) */
    CRM_REJECT_MISSING_PRODUCT,  /* "missing-product": product column present, value empty (switchable) */
    CRM_REJECT_BAD_DATE,         /* "bad-date": empty or unreadable date */
    CRM_REJECT_BAD_QUANTITY,     /* "bad-quantity": unreadable quantity */
    CRM_REJECT_BAD_PRICE,        /* "bad-price": unreadable unit price */
    CRM_REJECT_BAD_AMOUNT,       /* "bad-amount": unreadable amount, or the product overflows */
    CRM_REJECT_CANCELLED,        /* "cancelled": invoice starts with the cancel prefix (--returns) */
    CRM_REJECT_RETURN,           /* "return": negative quantity (--returns) */
    CRM_REJECT_ZERO_QUANTITY,    /* "zero-quantity" (switchable) */
    CRM_REJECT_ZERO_PRICE,       /* "zero-price": unit price (or amount) 0 (switchable) */
    CRM_REJECT_NEGATIVE_PRICE,   /* "negative-price": unit price (or amount) < 0 (switchable) */
    CRM_REJECT_OUT_OF_PERIOD,    /* "out-of-period": date before --from or after --to */
    CRM_REJECT_OUT_OF_RANGE,     /* "out-of-range": --range COL=MIN:MAX not met (or not a number) */
    CRM_REJECT_FILTERED,         /* "filtered": --keep-if / --drop-if */
    CRM_REJECT_MISSING_COST,     /* "missing-cost": product not in the cost table (switchable) */
    CRM_REJECT_DUPLICATE,        /* "duplicate": same bytes as an earlier kept row (switchable) */
    /* --returns net (the default), last so that reasons added later stay apart: */
    CRM_REJECT_NETTED_RETURN,    /* "netted-return": a return subtracted from earlier purchases */
    CRM_REJECT_UNMATCHED_RETURN, /* "unmatched-return": a return with no (or too little) earlier purchase */
    CRM_REJECT_RETURNED,         /* "returned": a purchase that later returns took whole */
    CRM_REJECT_BAD_QUOTE,        /* "bad-quote": broken quoting (crm_csv_quote_problem), checked
                                  * first of all; the record is one physical line */
    CRM_CLEAN_NREASONS
} crm_clean_reason;

/* "duplicate", "bad-date", ... ("kept" for CRM_CLEAN_KEPT). */
const char *crm_clean_reason_name(crm_clean_reason reason);
/* The reason named by s; CRM_EUSAGE when unknown or not switchable. */
crm_status crm_clean_switchable_reason(const char *s, crm_clean_reason *out, crm_error *err);

/* --allow: a comma-separated list of switchable rules, added to *allowed
 * (bit 1ul << reason); CRM_EUSAGE names a rule that is unknown or cannot
 * be switched off. */
crm_status crm_clean_parse_allow(const char *list, unsigned long *allowed, crm_error *err);

typedef enum {
    CRM_RETURNS_DROP = 0,   /* reject cancellations and returns */
    CRM_RETURNS_KEEP,       /* keep them as negative lines */
    CRM_RETURNS_NET         /* subtract them from the customer's earlier purchases of the product (default) */
} crm_returns_policy;

/* The columns of the transactions schema, as 0-based input column indices
 * (-1: not present; CRM_CLEAN_AMBIGUOUS: two header columns fit). */
enum { CRM_CLEAN_AMBIGUOUS = -2 };
typedef struct {
    long customer, invoice, date, product, quantity, price, amount;
} crm_clean_columns;

/* Fills every column still -1 from common export header names
 * (InvoiceNo/Invoice, StockCode, InvoiceDate, UnitPrice/Price,
 * CustomerID/Customer ID, Quantity, ...: see crm-clean(1)), compared
 * ignoring case, spaces, '_' and '-'.  Columns already set are kept and
 * never assigned twice.  A name that fits two columns marks the slot
 * CRM_CLEAN_AMBIGUOUS (crm_cleaner_new then fails). */
void crm_clean_detect_columns(const char *const *header, size_t ncolumns, crm_clean_columns *cols);

typedef struct {
    long column;
    int has_min, has_max;
    double min, max;
} crm_clean_range;

typedef struct {
    long column;
    const char *value;
    int keep;          /* 1 --keep-if, 0 --drop-if */
} crm_clean_filter;

typedef struct {
    crm_clean_columns columns;
    crm_date_format date_format;     /* must be a concrete style (not AUTO) */
    crm_number_options numbers;
    crm_returns_policy returns;
    int returns_explicit;            /* returns was asked for: net without quantity and price is an error
                                        (the default falls back to drop) */
    int32_t return_window_days;      /* net: a return reaches purchases up to this many days before it;
                                        < 0: any earlier one (every purchase is held to the end) */
    const char *cancel_prefix;       /* "C"; "" disables the cancelled rule */
    unsigned long allowed;           /* bit (1ul << reason): switched-off rules */
    int has_from, has_to;
    int32_t from_day, to_day;        /* inclusive, days since 1970-01-01 */
    const crm_clean_range *ranges;
    size_t nranges;
    const crm_clean_filter *filters;
    size_t nfilters;
    int has_margin;                  /* profit = amount x margin */
    crm_decimal margin;
    int keep_extra;                  /* pass the other input columns through too */
    crm_shard shard;                 /* --shard: only the rows of this shard are read (and counted);
                                        see crm_clean_record_in_shard */
} crm_clean_config;

void crm_clean_config_init(crm_clean_config *cfg);

/* --return-window: "90d", "12w", "3m", "1y" as whole days (a month is
 * 365.25/12 days, so 3m is 91 days; at most 100 years), or "all" (-1). */
crm_status crm_clean_parse_return_window(const char *arg, int32_t *days, crm_error *err);

/* --margin: "30%" or "0.3" as an exact decimal fraction. */
crm_status crm_clean_parse_margin(const char *arg, crm_decimal *out, crm_error *err);

/* A customer id as crm-clean writes it: blanks trimmed at both ends and an
 * all-zero fraction dropped from an all-digit id ("17850.0" -> "17850",
 * which spreadsheets write for integer ids).  Returns the normalised id's
 * start within s and sets *out_len; idempotent. */
const char *crm_clean_customer_id(const char *s, size_t len, size_t *out_len);

/* 1 when shard keeps the customer: the shard of the normalised id
 * (crm_clean_customer_id, then crm_shard_keeps).  Every command shards with
 * this, so a raw export, crm-clean's output and a customers table put a
 * customer in the same shard. */
int crm_clean_in_shard(const crm_shard *shard, const char *id, size_t len);

/* The shard rule of crm_cleaner_push: a record with broken quoting or the
 * wrong number of fields has no customer id one can trust, and goes with
 * the empty id, like a row whose id is empty; every other record goes by
 * its customer column.  So the N shards' rejects are those of one run. */
int crm_clean_record_in_shard(const crm_shard *shard, const crm_csv_record *rec, size_t ncolumns,
                              long customer_column);

/* A kept row, ready to write.  Texts are NUL-terminated and valid only
 * during the keep callback. */
typedef struct {
    const char *customer_id, *invoice_id, *date, *product_id;
    const char *quantity, *unit_price, *amount;
    const char *cost, *profit;       /* NULL when no costs are known */
    const crm_csv_record *source;    /* the input record (for extra columns) */
    /* The lengths of the texts above (0 for a NULL one), so that a sink
     * writing millions of rows need not strlen each. */
    size_t customer_id_len, invoice_id_len, date_len, product_id_len;
    size_t quantity_len, unit_price_len, amount_len;
    size_t cost_len, profit_len;
} crm_clean_row;

typedef struct {
    /* Receives each kept row.  A non-OK status stops the run. */
    crm_status (*keep)(void *ctx, const crm_clean_row *row, crm_error *err);
    /* Receives each rejected row: its line, raw bytes, reason and a
     * sentence saying what was wrong ("column 'InvoiceDate': cannot read
     * '2011-13-45' as a date").  NULL: rejected rows are only counted (and
     * no sentence is made). */
    crm_status (*reject)(void *ctx, uint64_t line, const char *raw, size_t raw_len,
                         crm_clean_reason reason, const char *detail, crm_error *err);
    void *ctx;
} crm_clean_sink;

typedef struct crm_cleaner crm_cleaner;

/* header: the input's column names (ncolumns of them).  Fails with
 * CRM_EUSAGE when a required column is missing: customer, date, and either
 * amount or quantity and unit price. */
crm_status crm_cleaner_new(crm_cleaner **out, const crm_clean_config *cfg,
                           const char *const *header, size_t ncolumns,
                           const crm_clean_sink *sink, crm_error *err);

/* Adds a product's unit cost (from --cost-table); turns on the cost and profit
 * columns.  A product listed twice with different costs is CRM_EDATA. */
crm_status crm_cleaner_add_cost(crm_cleaner *c, const char *product, size_t len,
                                crm_decimal unit_cost, crm_error *err);
/* 1 when the output has cost and profit columns. */
int crm_cleaner_has_costs(const crm_cleaner *c);

/* Judges one record and delivers it to the sink (or holds it, when
 * netting returns).  Fails only when the sink fails or memory runs out. */
crm_status crm_cleaner_push(crm_cleaner *c, const crm_csv_record *rec, crm_error *err);

/* A hint, for speed only: the raw bytes of a record to be pushed soon
 * (crm_csv_peek_raw), so that the duplicate rule's memory load for it
 * starts now.  Changes nothing else. */
void crm_cleaner_prefetch(const crm_cleaner *c, const char *raw, size_t raw_len);

/* Delivers held rows (returns netting).  Call once after the last push. */
crm_status crm_cleaner_finish(crm_cleaner *c, crm_error *err);

/* With --returns net, an input that can be read twice is first given
 * record by record to crm_cleaner_prescan (nothing is written or counted),
 * then crm_cleaner_prescan_done, then read again through crm_cleaner_push.
 * The first reading notes the key of every return, so that the second holds
 * back only the purchases a return may net and writes the others at once:
 * memory grows with those purchases, not with every purchase of the last
 * --return-window.  The same rows are kept, netted and rejected either way;
 * only the order of the output differs. */
/* Several inputs: a held purchase may be delivered while a later input is
 * read.  crm_cleaner_set_input numbers the input being pushed (0 at first);
 * inside a sink callback crm_cleaner_row_input says which input the row
 * delivered came from, so that its rejects line names the right file. */
void crm_cleaner_set_input(crm_cleaner *c, uint32_t input);
uint32_t crm_cleaner_row_input(const crm_cleaner *c);

crm_status crm_cleaner_prescan(crm_cleaner *c, const crm_csv_record *rec, crm_error *err);
void crm_cleaner_prescan_done(crm_cleaner *c);
/* 1 when the cleaner nets returns (--returns net, with quantity and price
 * columns): only then does a first reading help. */
int crm_cleaner_nets_returns(const crm_cleaner *c);

typedef struct {
    uint64_t rows_in, rows_out, rows_rejected;
    uint64_t by_reason[CRM_CLEAN_NREASONS];
} crm_clean_counts;

const crm_clean_counts *crm_cleaner_counts(const crm_cleaner *c);
/* The resolved columns (after detection). */
const crm_clean_columns *crm_cleaner_columns(const crm_cleaner *c);
void crm_cleaner_free(crm_cleaner *c);

#endif
