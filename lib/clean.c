#include "crm/clean.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/strtab.h"
#include "crm/units.h"

/* ---- reasons ---- */

static const char *const reason_names[CRM_CLEAN_NREASONS] = {
    [CRM_CLEAN_KEPT] = "kept",
    [CRM_REJECT_MALFORMED] = "malformed",
    [CRM_REJECT_NUL_BYTE] = "nul-byte",
    [CRM_REJECT_INVALID_UTF8] = "invalid-utf8",
    [CRM_REJECT_MISSING_CUSTOMER] = "missing-customer",
    [CRM_REJECT_MISSING_INVOICE] = "missing-invoice",
    [CRM_REJECT_MISSING_PRODUCT] = "missing-product",
    [CRM_REJECT_BAD_DATE] = "bad-date",
    [CRM_REJECT_BAD_QUANTITY] = "bad-quantity",
    [CRM_REJECT_BAD_PRICE] = "bad-price",
    [CRM_REJECT_BAD_AMOUNT] = "bad-amount",
    [CRM_REJECT_CANCELLED] = "cancelled",
    [CRM_REJECT_RETURN] = "return",
    [CRM_REJECT_ZERO_QUANTITY] = "zero-quantity",
    [CRM_REJECT_ZERO_PRICE] = "zero-price",
    [CRM_REJECT_NEGATIVE_PRICE] = "negative-price",
    [CRM_REJECT_OUT_OF_PERIOD] = "out-of-period",
    [CRM_REJECT_OUT_OF_RANGE] = "out-of-range",
    [CRM_REJECT_FILTERED] = "filtered",
    [CRM_REJECT_MISSING_COST] = "missing-cost",
    [CRM_REJECT_DUPLICATE] = "duplicate",
    [CRM_REJECT_NETTED_RETURN] = "netted-return",
    [CRM_REJECT_UNMATCHED_RETURN] = "unmatched-return",
    [CRM_REJECT_RETURNED] = "returned",
    [CRM_REJECT_BAD_QUOTE] = "bad-quote",
};

/* Rules a user may switch off: the row can still be written sensibly. */
static const unsigned long switchable_reasons =
    (1ul << CRM_REJECT_MISSING_CUSTOMER) | (1ul << CRM_REJECT_MISSING_INVOICE) |
    (1ul << CRM_REJECT_MISSING_PRODUCT) | (1ul << CRM_REJECT_ZERO_QUANTITY) |
    (1ul << CRM_REJECT_ZERO_PRICE) | (1ul << CRM_REJECT_NEGATIVE_PRICE) |
    (1ul << CRM_REJECT_MISSING_COST) | (1ul << CRM_REJECT_DUPLICATE) |
    (1ul << CRM_REJECT_INVALID_UTF8);

const char *crm_clean_reason_name(crm_clean_reason reason)
{
    if ((unsigned)reason >= CRM_CLEAN_NREASONS)
        return "unknown";
    return reason_names[reason];
}

crm_status crm_clean_switchable_reason(const char *s, crm_clean_reason *out, crm_error *err)
{
    for (int r = 1; r < CRM_CLEAN_NREASONS; r++) {
        if (strcmp(s, reason_names[r]) != 0)
            continue;
        if (!(switchable_reasons & (1ul << r)))
            return crm_error_set(err, CRM_EUSAGE,
                                 "the rule '%s' cannot be switched off (such a row cannot be written)", s);
        *out = (crm_clean_reason)r;
        return CRM_OK;
    }
    char list[512] = "";
    for (int r = 1; r < CRM_CLEAN_NREASONS; r++) {
        if (switchable_reasons & (1ul << r)) {
            if (list[0])
                strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, reason_names[r], sizeof list - strlen(list) - 1);
        }
    }
    return crm_error_set(err, CRM_EUSAGE, "unknown rule '%s' (rules that can be switched off: %s)", s, list);
}

/* ---- option values ---- */

/* "90d", "12w", "3m", "1y" as whole days (a month is 365.25/12 days, so
 * 3m is 91 days), or "all". */
crm_status crm_clean_parse_return_window(const char *arg, int32_t *days, crm_error *err)
{
    if (strcmp(arg, "all") == 0) {
        *days = -1;
        return CRM_OK;
    }
    crm_duration d;
    if (crm_parse_duration(arg, &d, err) != CRM_OK) {
        crm_error_prefix(err, "--return-window: ");
        return CRM_EUSAGE;
    }
    double n = crm_duration_in(d, CRM_UNIT_DAY);
    if (n > 36525)
        return crm_error_set(err, CRM_EUSAGE, "--return-window: '%s' is more than 100 years; say 'all'", arg);
    *days = (int32_t)(n + 0.5);
    return CRM_OK;
}

crm_status crm_clean_parse_allow(const char *arg, unsigned long *allowed, crm_error *err)
{
    char *copy = strdup(arg), *save = NULL;
    if (!copy)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_status st = CRM_OK;
    for (char *tok = strtok_r(copy, ",", &save); tok && st == CRM_OK; tok = strtok_r(NULL, ",", &save)) {
        crm_clean_reason reason;
        st = crm_clean_switchable_reason(tok, &reason, err);
        if (st == CRM_OK)
            *allowed |= 1ul << reason;
    }
    free(copy);
    return st;
}

/* "30%" or "0.3" as an exact decimal fraction. */
crm_status crm_clean_parse_margin(const char *arg, crm_decimal *out, crm_error *err)
{
    double check;
    if (crm_parse_fraction(arg, &check, err) != CRM_OK) {
        crm_error_prefix(err, "--margin: ");
        return CRM_EUSAGE;
    }
    size_t len = strlen(arg);
    int percent = len > 0 && arg[len - 1] == '%';
    crm_decimal d;
    if (crm_parse_decimal(arg, len - (size_t)percent, NULL, &d) != CRM_OK ||
        (percent && d.scale + 2 > CRM_DECIMAL_MAX_SCALE))
        return crm_error_set(err, CRM_EUSAGE, "--margin wants a rate such as 30%% or 0.3, got '%s'", arg);
    if (percent)
        d.scale += 2;
    *out = d;
    return CRM_OK;
}

/* ---- column detection ---- */

/* Header names are compared in a folded form: lower case, ASCII letters and
 * digits and every non-ASCII byte ("Customer ID", "customer_id" and
 * "CustomerID" all fold to "customerid"; "客户" stays "客户"). */
static void fold_name(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80)
            out[n++] = (char)c;
        else if (isalnum(c))
            out[n++] = (char)tolower(c);
    }
    out[n] = '\0';
}

/* Known export header names per schema column, most specific first. */
static const char *const customer_names[] = {"customerid", "customer", "custid", "customerno",
    "customernumber", "clientid", "client", "memberid", "userid", "accountid",
    "客户编号", "客户id", "客户", "会员编号", "会员", "顧客", "客戶編號", "客戶", NULL};
static const char *const invoice_names[] = {"invoiceno", "invoice", "invoiceid", "invoicenumber",
    "orderid", "orderno", "ordernumber", "order", "transactionid", "receiptid", "receipt",
    "订单号", "订单编号", "单号", "發票號碼", "訂單編號", NULL};
static const char *const date_names[] = {"invoicedate", "date", "orderdate", "transactiondate",
    "purchasedate", "saledate", "datetime", "timestamp", "日期", "下单日期", "交易日期", "订单日期",
    "訂單日期", NULL};
static const char *const product_names[] = {"stockcode", "productid", "product", "productcode",
    "sku", "itemid", "item", "itemcode", "articleid", "article", "商品编号", "商品", "产品编号",
    "产品", "货号", "商品編號", "產品", NULL};
static const char *const quantity_names[] = {"quantity", "qty", "units", "unitssold", "数量", "數量",
    NULL};
static const char *const price_names[] = {"unitprice", "price", "priceeach", "itemprice",
    "saleprice", "单价", "單價", "价格", "價格", NULL};
static const char *const amount_names[] = {"amount", "lineamount", "linetotal", "totalprice",
    "total", "sales", "salesamount", "revenue", "value", "金额", "金額", "总价", "销售额", NULL};

static int column_taken(const crm_clean_columns *c, long i)
{
    return c->customer == i || c->invoice == i || c->date == i || c->product == i ||
           c->quantity == i || c->price == i || c->amount == i;
}

/* The first known name present in the header wins.  When that name fits
 * two columns (say "Quantity" and "quantity"), the slot is marked
 * CRM_CLEAN_AMBIGUOUS: guessing would silently pick one. */
static void detect_one(const char *const *folded, size_t n, const char *const *names,
                       crm_clean_columns *cols, long *slot)
{
    if (*slot != -1)
        return;
    for (size_t k = 0; names[k]; k++) {
        long found = -1;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(folded[i], names[k]) != 0 || column_taken(cols, (long)i))
                continue;
            if (found >= 0) {
                *slot = CRM_CLEAN_AMBIGUOUS;
                return;
            }
            found = (long)i;
        }
        if (found >= 0) {
            *slot = found;
            return;
        }
    }
}

void crm_clean_detect_columns(const char *const *header, size_t ncolumns, crm_clean_columns *cols)
{
    char **folded = calloc(ncolumns ? ncolumns : 1, sizeof *folded);
    if (!folded)
        return;
    for (size_t i = 0; i < ncolumns; i++) {
        size_t cap = strlen(header[i]) + 1;
        folded[i] = malloc(cap);
        if (!folded[i])
            goto done;
        fold_name(header[i], folded[i], cap);
    }
    const char *const *f = (const char *const *)folded;
    detect_one(f, ncolumns, customer_names, cols, &cols->customer);
    detect_one(f, ncolumns, invoice_names, cols, &cols->invoice);
    detect_one(f, ncolumns, date_names, cols, &cols->date);
    detect_one(f, ncolumns, product_names, cols, &cols->product);
    detect_one(f, ncolumns, quantity_names, cols, &cols->quantity);
    detect_one(f, ncolumns, price_names, cols, &cols->price);
    detect_one(f, ncolumns, amount_names, cols, &cols->amount);
done:
    for (size_t i = 0; i < ncolumns; i++)
        free(folded[i]);
    free(folded);
}

void crm_clean_config_init(crm_clean_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->columns = (crm_clean_columns){-1, -1, -1, -1, -1, -1, -1};
    crm_date_format_set(&cfg->date_format, CRM_DATE_ISO);
    cfg->returns = CRM_RETURNS_NET;
    cfg->return_window_days = 90;
    cfg->cancel_prefix = "C";
}

/* ---- the cleaner ---- */

/* A purchase held back while returns are netted: everything needed to
 * write it (or reject it) once no return can reach it any more.  The texts
 * (customer, product, invoice) are copied beside the raw bytes, so nothing
 * per invoice is interned. */
typedef struct {
    uint64_t line;
    char *raw;               /* raw bytes, then customer, product, invoice and (with
                                keep_extra) the record's fields, NUL-terminated */
    size_t raw_len;
    size_t nfields;          /* fields kept (0 without keep_extra) */
    size_t fields_at;
    crm_decimal quantity;    /* what is left after returns */
    crm_decimal bought;      /* the quantity as read */
    crm_decimal price;
    crm_decimal amount;      /* the amount as read */
    crm_decimal unit_cost;   /* valid when has_cost */
    int has_cost;
    crm_datetime date;
    size_t customer_at, customer_len, product_at, product_len, invoice_at, invoice_len;
    uint32_t pair;           /* its customer/product/price key */
    uint32_t input;          /* crm_cleaner_set_input's number when it was read */
    uint32_t older, newer;   /* the pair's other held purchases, slot + 1 (0: none) */
} held_row;

/* When a held purchase may be written: its day, then its place in the input. */
typedef struct {
    int32_t day;
    uint32_t slot;
    uint64_t seq;
} held_due;

/* A reusable NUL-terminated copy of a trimmed field. */
typedef struct {
    char *s;
    size_t cap;
} scratch;

struct crm_cleaner {
    crm_clean_config cfg;
    crm_clean_sink sink;
    size_t ncolumns;
    char **names;             /* header names, for messages */
    crm_clean_counts counts;
    /* The duplicate rule: a 64-bit hash of each kept row's bytes (row_hash)
     * in one set, below 23.2 bytes per key (crm/strtab.h): crm-clean on 16
     * million one-line invoices peaks at 281 MB, not 3.3 GB (bench/memory.sh).
     * A check by invoice alone would not be exact: the rows of an invoice
     * need not be adjacent (an invoice of Online Retail comes back after
     * others), and a row can only be checked against the rows kept. */
    crm_hashset *seen;
    crm_strtab *cost_products;
    crm_decimal *unit_costs;
    size_t unit_costs_cap;
    int has_costs;
    /* scratch texts of the row being judged */
    char quantity[CRM_NUMBER_TEXT_MAX], price[CRM_NUMBER_TEXT_MAX];
    char amount[CRM_NUMBER_TEXT_MAX], cost[CRM_NUMBER_TEXT_MAX], profit[CRM_NUMBER_TEXT_MAX];
    char date[CRM_DATE_ISO_MAX];
    size_t date_len;          /* 0: date holds nothing yet */
    crm_datetime date_value;  /* the datetime date holds: rows of an order repeat it */
    crm_date_memo date_memo;  /* the date text read last */
    scratch customer_text, invoice_text, product_text;
    /* returns netting: purchases not yet written, in slots (a free list
     * reuses them), chained per pair newest first, and a min-heap by
     * (day, input order) that says which to write next */
    held_row *held;
    size_t held_slots, held_cap;
    uint32_t *free_slots;
    size_t nfree, free_cap;
    held_due *due;
    size_t ndue, due_cap;
    uint64_t next_seq;
    crm_strtab *pairs;        /* customer NUL product NUL price -> index into pair_latest */
    uint32_t *pair_latest;    /* slot + 1 of the pair's latest held purchase (0: none) */
    size_t pair_cap;
    char *pair_key;           /* scratch for building a key */
    size_t pair_key_cap;
    /* after a first reading (crm_cleaner_prescan): the hashes of the
     * customer/product/price keys of every return; only the purchases with
     * one of these keys are held */
    crm_hashset *return_keys;
    int prescanned;
    uint32_t input;           /* the input being read (crm_cleaner_set_input) */
    uint32_t row_input;       /* the input of the row being delivered */
};

static crm_status store_header(crm_cleaner *c, const char *const *header, size_t n, crm_error *err)
{
    c->names = calloc(n ? n : 1, sizeof *c->names);
    if (!c->names)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->names[i] = strdup(header[i]);
        if (!c->names[i])
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    c->ncolumns = n;
    return CRM_OK;
}

static const char *const column_roles[7] = {"customer id (--customer)", "invoice id (--invoice)",
    "date (--date)", "product id (--product)", "quantity (--quantity)", "unit price (--price)",
    "amount (--amount)"};

static crm_status check_required(crm_cleaner *c, crm_error *err)
{
    const crm_clean_columns *k = &c->cfg.columns;
    const long slots[7] = {k->customer, k->invoice, k->date, k->product, k->quantity, k->price, k->amount};
    for (int i = 0; i < 7; i++)
        if (slots[i] == CRM_CLEAN_AMBIGUOUS)
            return crm_error_set(err, CRM_EDATA,
                                 "two header columns could be the %s; name the one to use with that option",
                                 column_roles[i]);
    const char *missing = NULL;
    if (k->customer < 0)
        missing = "a customer id (--customer COL)";
    else if (k->date < 0)
        missing = "a date (--date COL)";
    else if (k->amount < 0 && k->quantity < 0)
        missing = "a quantity (--quantity COL) or an amount (--amount COL)";
    else if (k->amount < 0 && k->price < 0)
        missing = "a unit price (--price COL) or an amount (--amount COL)";
    if (missing)
        return crm_error_set(err, CRM_EDATA, "no column for %s in the header", missing);
    if (c->cfg.returns == CRM_RETURNS_NET && (k->quantity < 0 || k->price < 0)) {
        /* Netting is by quantity at a unit price: an export without them
         * cannot be netted.  The default then rejects returns (the counts
         * say "cancelled" and "return"); asking for net is an error. */
        if (!c->cfg.returns_explicit) {
            c->cfg.returns = CRM_RETURNS_DROP;
            return CRM_OK;
        }
        return crm_error_set(err, CRM_EUSAGE,
                             "--returns net needs quantity and unit price columns to net returns against purchases");
    }
    return CRM_OK;
}

crm_status crm_cleaner_new(crm_cleaner **out, const crm_clean_config *cfg, const char *const *header,
                           size_t ncolumns, const crm_clean_sink *sink, crm_error *err)
{
    *out = NULL;
    crm_cleaner *c = calloc(1, sizeof *c);
    if (!c)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    c->cfg = *cfg;
    c->sink = *sink;
    crm_clean_detect_columns(header, ncolumns, &c->cfg.columns);
    crm_status st = store_header(c, header, ncolumns, err);
    if (st == CRM_OK)
        st = check_required(c, err);
    if (st == CRM_OK && !(c->cfg.allowed & (1ul << CRM_REJECT_DUPLICATE)) &&
        !(c->seen = crm_hashset_new(1 << 16)))
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (st == CRM_OK && c->cfg.returns == CRM_RETURNS_NET) {
        c->pairs = crm_strtab_new(1 << 12);
        if (!c->pairs)
            st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    if (st != CRM_OK) {
        crm_cleaner_free(c);
        return st;
    }
    *out = c;
    return CRM_OK;
}

crm_status crm_cleaner_add_cost(crm_cleaner *c, const char *product, size_t len, crm_decimal unit_cost,
                                crm_error *err)
{
    if (!c->cost_products && !(c->cost_products = crm_strtab_new(1024)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    uint32_t id;
    int added = crm_strtab_intern(c->cost_products, product, len, &id);
    if (added < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (!added) {
        if (crm_decimal_cmp(c->unit_costs[id], unit_cost) != 0)
            return crm_error_set(err, CRM_EDATA, "product '%.*s' is listed twice with different costs",
                                 (int)(len > 200 ? 200 : len), product);
        return CRM_OK;
    }
    if (!crm_array_reserve(&c->unit_costs, &c->unit_costs_cap, (size_t)id + 1, sizeof *c->unit_costs))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    c->unit_costs[id] = unit_cost;
    c->has_costs = 1;
    return CRM_OK;
}

int crm_cleaner_has_costs(const crm_cleaner *c)
{
    return c->has_costs || c->cfg.has_margin;
}

const crm_clean_counts *crm_cleaner_counts(const crm_cleaner *c)
{
    return &c->counts;
}

const crm_clean_columns *crm_cleaner_columns(const crm_cleaner *c)
{
    return &c->cfg.columns;
}

/* ---- judging one row ---- */

typedef struct {
    const char *s;
    size_t len;
} text;

/* isspace() of the C locale (the commands never change it), without a
 * call per byte. */
static inline int is_blank(unsigned char c)
{
    return c <= ' ' && (c == ' ' || (c >= '\t' && c <= '\r'));
}

static inline text trimmed(const crm_csv_record *rec, long column)
{
    text t = {"", 0};
    if (column < 0 || (size_t)column >= rec->nfields)
        return t;
    const char *s = rec->fields[column];
    size_t len = rec->lengths[column];
    while (len && is_blank((unsigned char)s[0])) {
        s++;
        len--;
    }
    while (len && is_blank((unsigned char)s[len - 1]))
        len--;
    t.s = s;
    t.len = len;
    return t;
}

/* Spreadsheets write integer ids as floats ("17850.0"): drop an all-zero
 * fraction from an all-digit id. */
static size_t customer_id_length(text id);

const char *crm_clean_customer_id(const char *s, size_t len, size_t *out_len)
{
    while (len && is_blank((unsigned char)s[0])) {
        s++;
        len--;
    }
    while (len && is_blank((unsigned char)s[len - 1]))
        len--;
    text t = {s, len};
    *out_len = len ? customer_id_length(t) : 0;
    return s;
}

int crm_clean_in_shard(const crm_shard *shard, const char *id, size_t len)
{
    if (!shard || shard->count == 0)
        return 1;
    size_t n;
    const char *s = crm_clean_customer_id(id, len, &n);
    return crm_shard_keeps(shard, s, n);
}

int crm_clean_record_in_shard(const crm_shard *shard, const crm_csv_record *rec, size_t ncolumns,
                              long customer_column)
{
    if (!shard || shard->count == 0)
        return 1;
    if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE || rec->nfields != ncolumns || customer_column < 0
        || (size_t)customer_column >= rec->nfields)
        return crm_shard_keeps(shard, "", 0);
    return crm_clean_in_shard(shard, rec->fields[customer_column], rec->lengths[customer_column]);
}

static size_t customer_id_length(text id)
{
    const char *dot = memchr(id.s, '.', id.len);
    if (!dot || dot == id.s)
        return id.len;
    for (const char *p = id.s; p < dot; p++)
        if ((unsigned)(*p - '0') > 9u)
            return id.len;
    for (const char *p = dot + 1; p < id.s + id.len; p++)
        if (*p != '0')
            return id.len;
    return (size_t)(dot - id.s);
}

typedef struct {
    crm_clean_reason reason;
    text customer, invoice, product;
    crm_datetime date;
    int has_quantity;
    crm_decimal quantity, price, amount;
    int has_cost;
    crm_decimal unit_cost;
    char detail[512];        /* last: judge() clears only what comes before it */
} verdict;

static const char *column_name(const crm_cleaner *c, long column)
{
    return (column >= 0 && (size_t)column < c->ncolumns) ? c->names[column] : "?";
}

/* Text built in a fixed buffer and cut at its end, as snprintf would cut
 * it: rejected rows can be a quarter of the input, and printf per row
 * showed in profiles. */
typedef struct {
    char *buf;
    size_t cap, len;
} text_buffer;

static void append(text_buffer *b, const char *s)
{
    size_t n = strlen(s), room = b->cap - 1 - b->len;
    if (n > room)
        n = room;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

/* Records the reason and a sentence for the rejects file:
 * "column '<name>': <before>'<value>'<after>" (the value quoted safely). */
static crm_clean_reason reject_value(const crm_cleaner *c, verdict *v, crm_clean_reason reason, long column,
                                     const char *before, const char *value, size_t len, const char *after)
{
    char quoted[128];
    char prefix[160] = "";
    v->reason = reason;
    if (!c->sink.reject)
        return reason;   /* only counted: no sentence to write */
    if (column >= 0) {
        text_buffer p = {prefix, sizeof prefix, 0};
        append(&p, "column '");
        append(&p, column_name(c, column));
        append(&p, "': ");
    }
    text_buffer d = {v->detail, sizeof v->detail, 0};
    append(&d, prefix);
    append(&d, before);
    if (value) {
        append(&d, "'");
        append(&d, crm_error_quote(quoted, sizeof quoted, value, len));
        append(&d, "'");
        append(&d, after);
    }
    return reason;
}

static crm_clean_reason reject(const crm_cleaner *c, verdict *v, crm_clean_reason reason, long column,
                               const char *what)
{
    return reject_value(c, v, reason, column, what, NULL, 0, "");
}

static int allowed(const crm_cleaner *c, crm_clean_reason reason)
{
    return (c->cfg.allowed & (1ul << reason)) != 0;
}

static crm_clean_reason judge_structure(const crm_cleaner *c, const crm_csv_record *rec, verdict *v)
{
    if (rec->defect == CRM_CSV_RECORD_BAD_QUOTE) {
        char what[200];
        crm_csv_describe_bad_quote(rec, c->ncolumns, what, sizeof what);
        long column = rec->defect_field < c->ncolumns ? (long)rec->defect_field : -1;
        return reject(c, v, CRM_REJECT_BAD_QUOTE, column, what);
    }
    if (rec->nfields != c->ncolumns) {
        char what[96];
        snprintf(what, sizeof what, "expected %zu fields, found %zu", c->ncolumns, rec->nfields);
        return reject(c, v, CRM_REJECT_MALFORMED, -1, what);
    }
    if (rec->defect == CRM_CSV_RECORD_NUL_BYTE)
        return reject(c, v, CRM_REJECT_NUL_BYTE, (long)rec->defect_field, "NUL byte in the value");
    if (rec->defect == CRM_CSV_RECORD_INVALID_UTF8 && !allowed(c, CRM_REJECT_INVALID_UTF8))
        return reject_value(c, v, CRM_REJECT_INVALID_UTF8, (long)rec->defect_field,
                            "invalid UTF-8 in the value ", rec->fields[rec->defect_field],
                            rec->lengths[rec->defect_field], "");
    return CRM_CLEAN_KEPT;
}

static crm_clean_reason judge_keys(const crm_cleaner *c, const crm_csv_record *rec, verdict *v)
{
    const crm_clean_columns *k = &c->cfg.columns;
    v->customer = trimmed(rec, k->customer);
    v->invoice = trimmed(rec, k->invoice);
    v->product = trimmed(rec, k->product);
    if (v->customer.len == 0 && !allowed(c, CRM_REJECT_MISSING_CUSTOMER))
        return reject(c, v, CRM_REJECT_MISSING_CUSTOMER, k->customer, "empty customer id");
    if (k->invoice >= 0 && v->invoice.len == 0 && !allowed(c, CRM_REJECT_MISSING_INVOICE))
        return reject(c, v, CRM_REJECT_MISSING_INVOICE, k->invoice, "empty invoice id");
    if (k->product >= 0 && v->product.len == 0 && !allowed(c, CRM_REJECT_MISSING_PRODUCT))
        return reject(c, v, CRM_REJECT_MISSING_PRODUCT, k->product, "empty product id");
    return CRM_CLEAN_KEPT;
}

static crm_clean_reason judge_values(crm_cleaner *c, const crm_csv_record *rec, verdict *v)
{
    const crm_clean_columns *k = &c->cfg.columns;
    text t = trimmed(rec, k->date);
    if (crm_date_parse_memo(&c->cfg.date_format, &c->date_memo, t.s, t.len, &v->date) != CRM_OK) {
        char after[96];
        snprintf(after, sizeof after, " as a date of the form %s", crm_date_style_name(c->cfg.date_format.style));
        return reject_value(c, v, CRM_REJECT_BAD_DATE, k->date, "cannot read ", t.s, t.len, after);
    }
    v->has_quantity = k->quantity >= 0;
    if (v->has_quantity) {
        t = trimmed(rec, k->quantity);
        if (crm_parse_decimal(t.s, t.len, &c->cfg.numbers, &v->quantity) != CRM_OK)
            return reject_value(c, v, CRM_REJECT_BAD_QUANTITY, k->quantity, "cannot read ", t.s, t.len,
                                " as a number");
    }
    if (k->price >= 0) {
        t = trimmed(rec, k->price);
        if (crm_parse_decimal(t.s, t.len, &c->cfg.numbers, &v->price) != CRM_OK)
            return reject_value(c, v, CRM_REJECT_BAD_PRICE, k->price, "cannot read ", t.s, t.len, " as a number");
    }
    if (k->amount >= 0) {
        t = trimmed(rec, k->amount);
        if (crm_parse_decimal(t.s, t.len, &c->cfg.numbers, &v->amount) != CRM_OK)
            return reject_value(c, v, CRM_REJECT_BAD_AMOUNT, k->amount, "cannot read ", t.s, t.len, " as a number");
    } else if (crm_decimal_mul(v->quantity, v->price, &v->amount) != CRM_OK) {
        return reject(c, v, CRM_REJECT_BAD_AMOUNT, -1, "quantity x unit price does not fit an exact amount");
    }
    return CRM_CLEAN_KEPT;
}

static int starts_with(text t, const char *prefix)
{
    size_t n = strlen(prefix);
    return n > 0 && t.len >= n && memcmp(t.s, prefix, n) == 0;
}

static crm_clean_reason judge_business(const crm_cleaner *c, verdict *v)
{
    const crm_clean_columns *k = &c->cfg.columns;
    int returns_allowed = c->cfg.returns != CRM_RETURNS_DROP;
    if (!returns_allowed && starts_with(v->invoice, c->cfg.cancel_prefix))
        return reject_value(c, v, CRM_REJECT_CANCELLED, k->invoice, "cancellation invoice ", v->invoice.s,
                            v->invoice.len, "");
    int quantity_sign = v->has_quantity ? crm_decimal_sign(v->quantity) : 1;
    /* Netting subtracts negative quantities; a cancellation that does not
     * say what it takes back cannot be netted, nor kept as a purchase. */
    if (c->cfg.returns == CRM_RETURNS_NET && quantity_sign >= 0 && starts_with(v->invoice, c->cfg.cancel_prefix))
        return reject_value(c, v, CRM_REJECT_CANCELLED, k->invoice, "cancellation invoice ", v->invoice.s,
                            v->invoice.len, " without a negative quantity to net");
    if (!returns_allowed && quantity_sign < 0)
        return reject(c, v, CRM_REJECT_RETURN, k->quantity, "negative quantity");
    if (quantity_sign == 0 && !allowed(c, CRM_REJECT_ZERO_QUANTITY))
        return reject(c, v, CRM_REJECT_ZERO_QUANTITY, k->quantity, "quantity is zero");
    /* The price rule judges the unit price when there is one, else the amount. */
    long price_column = k->price >= 0 ? k->price : k->amount;
    crm_decimal price = k->price >= 0 ? v->price : v->amount;
    if (k->price < 0 && quantity_sign < 0)
        price.units = -price.units; /* a returned line's amount is negative by nature */
    int price_sign = crm_decimal_sign(price);
    if (price_sign == 0 && !allowed(c, CRM_REJECT_ZERO_PRICE))
        return reject(c, v, CRM_REJECT_ZERO_PRICE, price_column, k->price >= 0 ? "price is zero" : "amount is zero");
    if (price_sign < 0 && !allowed(c, CRM_REJECT_NEGATIVE_PRICE))
        return reject(c, v, CRM_REJECT_NEGATIVE_PRICE, price_column,
                      k->price >= 0 ? "price is negative" : "amount is negative");
    if ((c->cfg.has_from && v->date.days < c->cfg.from_day) ||
        (c->cfg.has_to && v->date.days > c->cfg.to_day)) {
        char day[CRM_DATE_ISO_MAX];
        crm_datetime_format((crm_datetime){v->date.days, CRM_NO_TIME}, day);
        return reject_value(c, v, CRM_REJECT_OUT_OF_PERIOD, k->date, "", day, strlen(day), " is outside --from/--to");
    }
    return CRM_CLEAN_KEPT;
}

static crm_clean_reason judge_ranges(const crm_cleaner *c, const crm_csv_record *rec, verdict *v)
{
    for (size_t i = 0; i < c->cfg.nranges; i++) {
        const crm_clean_range *r = &c->cfg.ranges[i];
        text t = trimmed(rec, r->column);
        double x;
        if (crm_parse_double(t.s, t.len, &c->cfg.numbers, &x) != CRM_OK)
            return reject_value(c, v, CRM_REJECT_OUT_OF_RANGE, r->column, "cannot read ", t.s, t.len,
                                " as a number for --range");
        if ((r->has_min && x < r->min) || (r->has_max && x > r->max))
            return reject_value(c, v, CRM_REJECT_OUT_OF_RANGE, r->column, "", t.s, t.len, " is outside --range");
    }
    return CRM_CLEAN_KEPT;
}

static int field_equals(const crm_csv_record *rec, long column, const char *value)
{
    text t = trimmed(rec, column);
    return strlen(value) == t.len && memcmp(t.s, value, t.len) == 0;
}

/* --keep-if values for one column are alternatives; different columns must
 * all match.  Any --drop-if match drops the row. */
static crm_clean_reason judge_filters(const crm_cleaner *c, const crm_csv_record *rec, verdict *v)
{
    const crm_clean_filter *f = c->cfg.filters;
    for (size_t i = 0; i < c->cfg.nfilters; i++) {
        if (!f[i].keep && field_equals(rec, f[i].column, f[i].value))
            return reject_value(c, v, CRM_REJECT_FILTERED, f[i].column, "", f[i].value, strlen(f[i].value),
                                " matches --drop-if");
    }
    for (size_t i = 0; i < c->cfg.nfilters; i++) {
        if (!f[i].keep)
            continue;
        int matched = 0, first_of_column = 1;
        for (size_t j = 0; j < c->cfg.nfilters; j++) {
            if (!f[j].keep || f[j].column != f[i].column)
                continue;
            if (j < i)
                first_of_column = 0;
            matched |= field_equals(rec, f[j].column, f[j].value);
        }
        if (first_of_column && !matched) {
            text t = trimmed(rec, f[i].column);
            return reject_value(c, v, CRM_REJECT_FILTERED, f[i].column, "", t.s, t.len,
                                " matches no --keep-if value");
        }
    }
    return CRM_CLEAN_KEPT;
}

static crm_clean_reason judge_cost(const crm_cleaner *c, verdict *v)
{
    if (!c->has_costs)
        return CRM_CLEAN_KEPT;
    uint32_t id;
    if (crm_strtab_find(c->cost_products, v->product.s, v->product.len, &id)) {
        v->has_cost = 1;
        v->unit_cost = c->unit_costs[id];
        return CRM_CLEAN_KEPT;
    }
    if (allowed(c, CRM_REJECT_MISSING_COST))
        return CRM_CLEAN_KEPT;
    return reject_value(c, v, CRM_REJECT_MISSING_COST, c->cfg.columns.product, "no cost for product ",
                        v->product.s, v->product.len, " in --cost-table");
}

/* The raw bytes without their line ending: the same row with LF or CRLF is
 * the same row. */
/* The key of the duplicate rule.  Two different rows with the same 64-bit
 * hash would make the later one a false "duplicate": it goes to the rejects
 * file with that reason (so it is not lost without a word, but it is not
 * written).  With n kept rows the chance that any two collide is about
 * n^2 / 2^65 (the birthday bound): 3e-8 for a million rows, 7e-6 for 16
 * million, 3e-4 for 100 million. */
static uint64_t raw_hash(const char *raw, size_t len)
{
    while (len && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
        len--;
    return crm_hash_bytes(raw, len, 0x63726d636c65616eull);
}

static uint64_t row_hash(const crm_csv_record *rec)
{
    return raw_hash(rec->raw, rec->raw_len);
}

/* A set of millions of rows outgrows the caches (and the TLB): asked for a
 * few rows ahead, the slot is there when the row is judged. */
void crm_cleaner_prefetch(const crm_cleaner *c, const char *raw, size_t raw_len)
{
    if (c->seen)
        crm_hashset_prefetch(c->seen, raw_hash(raw, raw_len));
}

/* The rules in their order, in two parts: push starts the duplicate
 * rule's memory load between them, once the cheap rules let the row pass. */
static crm_clean_reason judge_start(crm_cleaner *c, const crm_csv_record *rec, verdict *v)
{
    memset(v, 0, offsetof(verdict, detail));
    v->detail[0] = '\0';
    crm_clean_reason r;
    if ((r = judge_structure(c, rec, v)) || (r = judge_keys(c, rec, v)))
        return r;
    return CRM_CLEAN_KEPT;
}

static crm_clean_reason judge_rest(crm_cleaner *c, const crm_csv_record *rec, verdict *v)
{
    crm_clean_reason r;
    if ((r = judge_values(c, rec, v)) || (r = judge_business(c, v)) || (r = judge_ranges(c, rec, v)) ||
        (r = judge_filters(c, rec, v)) || (r = judge_cost(c, v)))
        return r;
    return CRM_CLEAN_KEPT;
}

/* ---- delivering rows ---- */

static crm_status deliver_reject(crm_cleaner *c, uint64_t line, const char *raw, size_t raw_len,
                                 crm_clean_reason reason, const char *detail, crm_error *err)
{
    c->counts.rows_rejected++;
    c->counts.by_reason[reason]++;
    return c->sink.reject ? c->sink.reject(c->sink.ctx, line, raw, raw_len, reason, detail, err) : CRM_OK;
}

/* Cost and profit texts for a kept line. */
static crm_status format_profit(crm_cleaner *c, crm_decimal quantity, crm_decimal amount, int has_cost,
                                crm_decimal unit_cost, crm_clean_row *row)
{
    crm_decimal cost, profit;
    if (has_cost) {
        if (crm_decimal_mul(quantity, unit_cost, &cost) != CRM_OK ||
            crm_decimal_sub(amount, cost, &profit) != CRM_OK)
            return CRM_EDATA;
    } else if (c->cfg.has_margin) {
        if (crm_decimal_mul(amount, c->cfg.margin, &profit) != CRM_OK ||
            crm_decimal_sub(amount, profit, &cost) != CRM_OK)
            return CRM_EDATA;
    } else {
        row->cost = row->profit = ""; /* product without a cost, rule switched off */
        return CRM_OK;
    }
    row->cost_len = crm_decimal_format(crm_decimal_trim(cost, amount.scale), c->cost);
    row->profit_len = crm_decimal_format(crm_decimal_trim(profit, amount.scale), c->profit);
    row->cost = c->cost;
    row->profit = c->profit;
    return CRM_OK;
}

static const char *scratch_copy(scratch *buf, const char *s, size_t len)
{
    if (len >= buf->cap) {
        size_t cap = len + 64;
        char *grown = realloc(buf->s, cap);
        if (!grown)
            return NULL;
        buf->s = grown;
        buf->cap = cap;
    }
    memcpy(buf->s, s, len);
    buf->s[len] = '\0';
    return buf->s;
}

/* A field's text, NUL-terminated: the field itself when trimming left its
 * end alone (the reader ends every field with a NUL), else a copy. */
static const char *terminated(scratch *buf, const char *s, size_t len)
{
    return s[len] == '\0' ? s : scratch_copy(buf, s, len);
}

/* The texts of a kept row.  CRM_ENOMEM, or CRM_EDATA when cost or profit
 * does not fit (deliver_formatted says which). */
static crm_status format_kept(crm_cleaner *c, const crm_csv_record *rec, const verdict *v, crm_clean_row *row)
{
    *row = (crm_clean_row){0};
    row->source = rec;
    row->customer_id_len = customer_id_length(v->customer);
    row->customer_id = terminated(&c->customer_text, v->customer.s, row->customer_id_len);
    row->invoice_id = terminated(&c->invoice_text, v->invoice.s, v->invoice.len);
    row->invoice_id_len = v->invoice.len;
    row->product_id = terminated(&c->product_text, v->product.s, v->product.len);
    row->product_id_len = v->product.len;
    if (!row->customer_id || !row->invoice_id || !row->product_id)
        return CRM_ENOMEM;
    if (c->date_len == 0 || v->date.days != c->date_value.days || v->date.seconds != c->date_value.seconds) {
        c->date_len = crm_datetime_format(v->date, c->date);
        c->date_value = v->date;
    }
    row->date_len = c->date_len;
    row->date = c->date;
    row->quantity = "";
    if (v->has_quantity) {
        row->quantity_len = crm_decimal_format(v->quantity, c->quantity);
        row->quantity = c->quantity;
    }
    row->unit_price = "";
    if (c->cfg.columns.price >= 0) {
        row->unit_price_len = crm_decimal_format(v->price, c->price);
        row->unit_price = c->price;
    }
    row->amount_len = crm_decimal_format(v->amount, c->amount);
    row->amount = c->amount;
    if (crm_cleaner_has_costs(c) &&
        format_profit(c, v->quantity, v->amount, v->has_cost, v->unit_cost, row) != CRM_OK)
        return CRM_EDATA;
    return CRM_OK;
}

/* Writes a row format_kept prepared (with its status) through the sink. */
static crm_status deliver_formatted(crm_cleaner *c, crm_status formatted, const crm_clean_row *row,
                                    crm_error *err)
{
    if (formatted == CRM_ENOMEM)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (formatted != CRM_OK)
        return crm_error_set(err, CRM_EDATA, "line %llu: cost or profit does not fit an exact decimal",
                             (unsigned long long)row->source->line);
    c->counts.rows_out++;
    return c->sink.keep(c->sink.ctx, row, err);
}

/* Writes a kept row through the sink. */
static crm_status deliver_kept(crm_cleaner *c, const crm_csv_record *rec, const verdict *v, crm_error *err)
{
    crm_clean_row row;
    crm_status formatted = format_kept(c, rec, v, &row);
    return deliver_formatted(c, formatted, &row, err);
}

/* ---- returns netting ----
 *
 * A purchase is held (not written) while a return could still reach it: a
 * return nets against purchases of the same customer, product and unit
 * price dated on or before it and at most return_window_days before it.
 * Once a row read after a purchase is dated more than the window past it,
 * no return can reach it: it is written (or rejected as "returned" when
 * returns took all of it), earliest day first.  So the memory holds the
 * purchases of the last window of an export in date order (of each part of
 * one that is several date-ordered exports end to end), plus one key per
 * customer/product/price seen; with a window < 0 every purchase is held to
 * the end. */

/* customer NUL product NUL unit price (trimmed, so 2.5 and 2.50 agree). */
static crm_status pair_key(crm_cleaner *c, text customer, text product, crm_decimal price, size_t *len,
                           crm_error *err)
{
    char q[CRM_NUMBER_TEXT_MAX];
    size_t qlen = crm_decimal_format(crm_decimal_trim(price, 0), q);
    size_t need = customer.len + product.len + qlen + 2;
    if (!crm_array_reserve(&c->pair_key, &c->pair_key_cap, need, 1))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    char *k = c->pair_key;
    memcpy(k, customer.s, customer.len);
    k[customer.len] = '\0';
    memcpy(k + customer.len + 1, product.s, product.len);
    k[customer.len + 1 + product.len] = '\0';
    memcpy(k + customer.len + product.len + 2, q, qlen);
    *len = need;
    return CRM_OK;
}

static text held_text(const held_row *h, size_t at, size_t len)
{
    return (text){h->raw + at, len};
}

static crm_status deliver_held(crm_cleaner *c, held_row *h, crm_error *err)
{
    c->row_input = h->input;
    if (crm_decimal_sign(h->quantity) == 0)
        return deliver_reject(c, h->line, h->raw, h->raw_len, CRM_REJECT_RETURNED,
                              "later returns took the whole purchase", err);
    /* Rebuild the record the row came from, so that extra columns pass through. */
    const char **fields = malloc((h->nfields ? h->nfields : 1) * sizeof *fields);
    size_t *lengths = malloc((h->nfields ? h->nfields : 1) * sizeof *lengths);
    if (!fields || !lengths) {
        free(fields);
        free(lengths);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    const char *p = h->raw + h->fields_at;
    for (size_t i = 0; i < h->nfields; i++) {
        fields[i] = p;
        lengths[i] = strlen(p);
        p += lengths[i] + 1;
    }
    crm_csv_record rec = {.nfields = h->nfields, .fields = fields, .lengths = lengths, .line = h->line,
                          .raw = h->raw, .raw_len = h->raw_len};
    verdict v = {0};
    v.customer = held_text(h, h->customer_at, h->customer_len);
    v.invoice = held_text(h, h->invoice_at, h->invoice_len);
    v.product = held_text(h, h->product_at, h->product_len);
    v.date = h->date;
    v.has_quantity = 1;
    v.quantity = h->quantity;
    v.price = h->price;
    v.has_cost = h->has_cost;
    v.unit_cost = h->unit_cost;
    /* The amount as read, less what the returns took at the line's price:
     * exact, and the same as read when nothing was returned. */
    crm_decimal returned, refund;
    crm_status st = CRM_OK;
    v.amount = h->amount;
    if (crm_decimal_cmp(h->quantity, h->bought) != 0 &&
        (crm_decimal_sub(h->bought, h->quantity, &returned) != CRM_OK ||
         crm_decimal_mul(returned, h->price, &refund) != CRM_OK ||
         crm_decimal_sub(h->amount, refund, &v.amount) != CRM_OK))
        st = crm_error_set(err, CRM_EDATA, "line %llu: the amount left after returns does not fit an exact decimal",
                           (unsigned long long)h->line);
    if (st == CRM_OK)
        st = deliver_kept(c, &rec, &v, err);
    free(fields);
    free(lengths);
    return st;
}

static int due_before(const held_due *a, const held_due *b)
{
    return a->day != b->day ? a->day < b->day : a->seq < b->seq;
}

static void due_push(crm_cleaner *c, held_due d)
{
    size_t i = c->ndue++;
    while (i > 0 && due_before(&d, &c->due[(i - 1) / 2])) {
        c->due[i] = c->due[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    c->due[i] = d;
}

static held_due due_pop(crm_cleaner *c)
{
    held_due top = c->due[0], last = c->due[--c->ndue];
    size_t i = 0;
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= c->ndue)
            break;
        if (k + 1 < c->ndue && due_before(&c->due[k + 1], &c->due[k]))
            k++;
        if (!due_before(&c->due[k], &last))
            break;
        c->due[i] = c->due[k];
        i = k;
    }
    if (c->ndue)
        c->due[i] = last;
    return top;
}

/* Takes a held purchase out of its pair's chain and frees its slot. */
static void unhold(crm_cleaner *c, uint32_t slot)
{
    held_row *h = &c->held[slot];
    if (h->newer)
        c->held[h->newer - 1].older = h->older;
    else
        c->pair_latest[h->pair] = h->older;
    if (h->older)
        c->held[h->older - 1].newer = h->newer;
    free(h->raw);
    h->raw = NULL;
    c->free_slots[c->nfree++] = slot;
}

/* Writes, earliest day first (input order within a day), the held
 * purchases no return can reach any more: those more than the window
 * before the day of the row just read, which came after them (all of them
 * when final).  Exports in date order come out in input order. */
static crm_status release_held(crm_cleaner *c, int final, int32_t day, crm_error *err)
{
    while (c->ndue) {
        if (!final && (c->cfg.return_window_days < 0 ||
                       (int64_t)c->due[0].day + c->cfg.return_window_days >= (int64_t)day))
            break;
        held_due d = due_pop(c);
        crm_status st = deliver_held(c, &c->held[d.slot], err);
        c->row_input = c->input;
        unhold(c, d.slot);
        if (st != CRM_OK)
            return st;
    }
    return CRM_OK;
}

static crm_status hold_purchase(crm_cleaner *c, const crm_csv_record *rec, const verdict *v, crm_error *err)
{
    text customer = {v->customer.s, customer_id_length(v->customer)};
    size_t key_len;
    uint32_t pair;
    crm_status st = pair_key(c, customer, v->product, v->price, &key_len, err);
    if (st != CRM_OK)
        return st;
    int added = crm_strtab_intern(c->pairs, c->pair_key, key_len, &pair);
    if (added < 0 || !crm_array_reserve(&c->pair_latest, &c->pair_cap, (size_t)pair + 1, sizeof *c->pair_latest) ||
        !crm_array_reserve(&c->held, &c->held_cap, c->held_slots + 1, sizeof *c->held) ||
        !crm_array_reserve(&c->free_slots, &c->free_cap, c->held_slots + 1, sizeof *c->free_slots) ||
        !crm_array_reserve(&c->due, &c->due_cap, c->ndue + 1, sizeof *c->due))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (c->held_slots >= UINT32_MAX - 1)
        return crm_error_set(err, CRM_ENOMEM, "too many purchases held for returns netting; "
                             "use a shorter --return-window");
    if (added)
        c->pair_latest[pair] = 0;
    uint32_t slot = c->nfree ? c->free_slots[c->nfree - 1] : (uint32_t)c->held_slots;
    held_row *h = &c->held[slot];
    memset(h, 0, sizeof *h);
    /* The raw bytes (for the rejects file), the three texts, and the
     * fields only when they pass through (--keep-extra). */
    size_t nfields = c->cfg.keep_extra ? rec->nfields : 0;
    size_t total = rec->raw_len + customer.len + v->product.len + v->invoice.len + 3;
    for (size_t i = 0; i < nfields; i++)
        total += rec->lengths[i] + 1;
    h->raw = malloc(total);
    if (!h->raw)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    memcpy(h->raw, rec->raw, rec->raw_len);
    size_t at = rec->raw_len;
    const text texts[3] = {customer, v->product, v->invoice};
    size_t *places[3] = {&h->customer_at, &h->product_at, &h->invoice_at};
    for (int i = 0; i < 3; i++) {
        *places[i] = at;
        memcpy(h->raw + at, texts[i].s, texts[i].len);
        h->raw[at + texts[i].len] = '\0';
        at += texts[i].len + 1;
    }
    h->customer_len = customer.len;
    h->product_len = v->product.len;
    h->invoice_len = v->invoice.len;
    h->fields_at = at;
    for (size_t i = 0; i < nfields; i++) {
        memcpy(h->raw + at, rec->fields[i], rec->lengths[i]);
        h->raw[at + rec->lengths[i]] = '\0';
        at += rec->lengths[i] + 1;
    }
    h->raw_len = rec->raw_len;
    h->nfields = nfields;
    h->line = rec->line;
    h->quantity = h->bought = v->quantity;
    h->price = v->price;
    h->amount = v->amount;
    h->has_cost = v->has_cost;
    h->unit_cost = v->unit_cost;
    h->date = v->date;
    h->pair = pair;
    h->input = c->input;
    h->older = c->pair_latest[pair];
    if (h->older)
        c->held[h->older - 1].newer = slot + 1;
    c->pair_latest[pair] = slot + 1;
    if (c->nfree)
        c->nfree--;
    else
        c->held_slots++;
    due_push(c, (held_due){v->date.days, slot, c->next_seq++});
    return CRM_OK;
}

/* Subtracts a return from the customer's latest earlier purchases of the
 * product at the same unit price (latest first), never below zero, never
 * from a purchase dated after the return or more than the window before it. */
static crm_status net_return(crm_cleaner *c, const crm_csv_record *rec, const verdict *v, crm_error *err)
{
    crm_decimal left = v->quantity, asked;
    left.units = -left.units;
    asked = left;
    text customer = {v->customer.s, customer_id_length(v->customer)};
    size_t key_len;
    uint32_t pair;
    crm_status st = pair_key(c, customer, v->product, v->price, &key_len, err);
    if (st != CRM_OK)
        return st;
    uint32_t link = crm_strtab_find(c->pairs, c->pair_key, key_len, &pair) ? c->pair_latest[pair] : 0;
    int later_only = 0;
    for (held_row *h; link && crm_decimal_sign(left) > 0 && (h = &c->held[link - 1]); link = h->older) {
        if (h->date.days > v->date.days) {
            later_only = 1;
            continue;
        }
        if (c->cfg.return_window_days >= 0 &&
            (int64_t)v->date.days - h->date.days > c->cfg.return_window_days)
            continue;
        if (crm_decimal_sign(h->quantity) <= 0)
            continue;
        crm_decimal take = crm_decimal_cmp(h->quantity, left) < 0 ? h->quantity : left;
        if (crm_decimal_sub(h->quantity, take, &h->quantity) != CRM_OK ||
            crm_decimal_sub(left, take, &left) != CRM_OK)
            return crm_error_set(err, CRM_EDATA, "line %llu: quantities do not fit an exact decimal",
                                 (unsigned long long)rec->line);
    }
    if (crm_decimal_sign(left) == 0)
        return deliver_reject(c, rec->line, rec->raw, rec->raw_len, CRM_REJECT_NETTED_RETURN,
                              "subtracted from earlier purchases of the product", err);
    char detail[256], q[CRM_NUMBER_TEXT_MAX], a[CRM_NUMBER_TEXT_MAX], pr[CRM_NUMBER_TEXT_MAX];
    crm_decimal_format(left, q);
    crm_decimal_format(asked, a);
    crm_decimal_format(v->price, pr);
    if (crm_decimal_cmp(left, asked) == 0)
        snprintf(detail, sizeof detail, "no earlier purchase of the product at %s to net %s unit(s) against%s",
                 pr, q, later_only ? " (only purchases dated after the return)" : "");
    else
        snprintf(detail, sizeof detail, "%s of %s unit(s) found no earlier purchase of the product at %s "
                 "(the rest was subtracted)", q, a, pr);
    return deliver_reject(c, rec->line, rec->raw, rec->raw_len, CRM_REJECT_UNMATCHED_RETURN, detail, err);
}

/* ---- reading the input twice ----
 *
 * Holding every purchase of the last window costs memory that grows with
 * the rows (about 350 bytes a row) and time.  When the input can be read
 * twice, a first reading (crm_cleaner_prescan on every record) notes the
 * customer/product/price key of every return, and the second reading holds
 * back only the purchases whose key is among them: every other purchase is
 * written at once.  The memory then holds only purchases some return may
 * net.  A 64-bit hash stands for each key: two keys with one hash only make
 * a purchase wait that need not (netting itself compares whole keys), so
 * what is kept, netted and rejected is the same as without the first
 * reading; only the order differs, a held purchase coming out once no
 * return can reach it. */

static uint64_t pair_hash(const crm_cleaner *c, size_t key_len)
{
    return crm_hash_bytes(c->pair_key, key_len, 0x72657475726e73ull);
}

crm_status crm_cleaner_prescan(crm_cleaner *c, const crm_csv_record *rec, crm_error *err)
{
    if (c->cfg.returns != CRM_RETURNS_NET || c->prescanned)
        return CRM_OK;
    if (!c->return_keys && !(c->return_keys = crm_hashset_new(1 << 10)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    /* Every negative number the parser reads has a '-' or a '(': the rows
     * without one in the quantity are passed over on that alone. */
    text q = trimmed(rec, c->cfg.columns.quantity);
    if (!memchr(q.s, '-', q.len) && !memchr(q.s, '(', q.len))
        return CRM_OK;
    verdict v;
    if (judge_start(c, rec, &v) != CRM_CLEAN_KEPT || judge_rest(c, rec, &v) != CRM_CLEAN_KEPT ||
        crm_decimal_sign(v.quantity) >= 0)
        return CRM_OK;
    text customer = {v.customer.s, customer_id_length(v.customer)};
    size_t key_len;
    crm_status st = pair_key(c, customer, v.product, v.price, &key_len, err);
    if (st == CRM_OK && crm_hashset_add(c->return_keys, pair_hash(c, key_len)) < 0)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    return st;
}

void crm_cleaner_set_input(crm_cleaner *c, uint32_t input)
{
    c->input = c->row_input = input;
}

uint32_t crm_cleaner_row_input(const crm_cleaner *c)
{
    return c->row_input;
}

int crm_cleaner_nets_returns(const crm_cleaner *c)
{
    return c->cfg.returns == CRM_RETURNS_NET;
}

void crm_cleaner_prescan_done(crm_cleaner *c)
{
    c->prescanned = c->cfg.returns == CRM_RETURNS_NET && c->return_keys != NULL;
}

/* With --returns net: 1 when a purchase must wait for the returns that may
 * net it, 0 when it can be written at once (no return has its key). */
static crm_status purchase_waits(crm_cleaner *c, const verdict *v, int *waits, crm_error *err)
{
    *waits = 1;
    if (!c->prescanned || crm_decimal_sign(v->quantity) < 0)
        return CRM_OK;
    text customer = {v->customer.s, customer_id_length(v->customer)};
    size_t key_len;
    crm_status st = pair_key(c, customer, v->product, v->price, &key_len, err);
    if (st == CRM_OK)
        *waits = crm_hashset_contains(c->return_keys, pair_hash(c, key_len));
    return st;
}

/* ---- the public loop ---- */

crm_status crm_cleaner_push(crm_cleaner *c, const crm_csv_record *rec, crm_error *err)
{
    verdict v;
    if (!crm_clean_record_in_shard(&c->cfg.shard, rec, c->ncolumns, c->cfg.columns.customer))
        return CRM_OK;   /* another shard's row: not read here at all */
    c->counts.rows_in++;
    crm_clean_reason reason = judge_start(c, rec, &v);
    /* The set of kept rows outgrows the caches: ask for the row's slot now,
     * so that the memory load overlaps judging the rest of the row. */
    uint64_t hash = 0;
    if (reason == CRM_CLEAN_KEPT && c->seen) {
        hash = row_hash(rec);
        crm_hashset_prefetch(c->seen, hash);
    }
    if (reason == CRM_CLEAN_KEPT)
        reason = judge_rest(c, rec, &v);
    /* With netting, the held purchases this row's day puts out of reach of
     * any return go first (before this row is formatted: they share the
     * scratch texts). */
    int netting = c->cfg.returns == CRM_RETURNS_NET;
    if (reason == CRM_CLEAN_KEPT && netting) {
        crm_status st = release_held(c, 0, v.date.days, err);
        if (st != CRM_OK)
            return st;
    }
    /* The duplicate rule before any formatting: a duplicate's texts would
     * only be dropped (nine rows in ten of a file exported ten times). */
    if (reason == CRM_CLEAN_KEPT && c->seen) {
        int added = crm_hashset_add(c->seen, hash);
        if (added < 0)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        if (!added)
            reason = reject(c, &v, CRM_REJECT_DUPLICATE, -1, "same bytes as an earlier kept row");
    }
    if (reason != CRM_CLEAN_KEPT)
        return deliver_reject(c, rec->line, rec->raw, rec->raw_len, reason, v.detail, err);
    int waits = 0;
    if (netting) {
        crm_status st = purchase_waits(c, &v, &waits, err);
        if (st != CRM_OK)
            return st;
    }
    if (!waits)
        return deliver_kept(c, rec, &v, err);
    if (crm_decimal_sign(v.quantity) < 0)
        return net_return(c, rec, &v, err);
    return hold_purchase(c, rec, &v, err);
}

crm_status crm_cleaner_finish(crm_cleaner *c, crm_error *err)
{
    return release_held(c, 1, 0, err);
}

void crm_cleaner_free(crm_cleaner *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ndue; i++)
        free(c->held[c->due[i].slot].raw);
    free(c->held);
    free(c->free_slots);
    free(c->due);
    for (size_t i = 0; c->names && i < c->ncolumns; i++)
        free(c->names[i]);
    free(c->names);
    crm_hashset_free(c->seen);
    crm_strtab_free(c->cost_products);
    crm_strtab_free(c->pairs);
    crm_hashset_free(c->return_keys);
    free(c->unit_costs);
    free(c->pair_latest);
    free(c->pair_key);
    free(c->customer_text.s);
    free(c->invoice_text.s);
    free(c->product_text.s);
    free(c);
}
