#include "crm/rfm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/sort.h"
#include "crm/strtab.h"

/* One customer's purchases on one day, in 32 bytes: memory grows with
 * customers times their purchase days, so the day is what a run holds most
 * of.  The decimals' units and scales are kept apart (a crm_decimal pads
 * to 16 bytes); rows and invoices of one customer and day beyond 2^32 are
 * refused as bad data (add_to_day). */
typedef struct {
    int32_t day;
    uint32_t rows;
    uint32_t invoices;
    int8_t amount_scale, profit_scale;
    int64_t amount_units, profit_units;
} rfm_day;

static crm_decimal day_amount(const rfm_day *d) { return (crm_decimal){d->amount_units, d->amount_scale}; }
static crm_decimal day_profit(const rfm_day *d) { return (crm_decimal){d->profit_units, d->profit_scale}; }

/* Days sorted ascending, in an array of the next power of two at or above
 * ndays (its capacity follows from ndays: 16 bytes per customer).  Exports
 * are mostly in date order, so a new day usually goes at the end, and a
 * customer's lines usually come together, so the day touched last is
 * checked first. */
typedef struct {
    rfm_day *days;
    uint32_t ndays;
    uint32_t hint;
} rfm_customer;

/* The capacity of an array of n > 0 days: the next power of two. */
static uint32_t day_capacity(uint32_t n)
{
    uint32_t cap = 1;
    while (cap < n)
        cap <<= 1;
    return cap;
}

enum { REMEMBERED_INVOICE_MAX = 64 };

struct crm_rfm {
    crm_rfm_config cfg;
    crm_strtab *ids;
    rfm_customer *customers;  /* indexed by the interned id */
    size_t cap;
    crm_hashset *invoices;    /* hashes of (customer, invoice) pairs */
    /* The previous line's customer and invoice: a customer's lines (an
     * order's, above all) usually come together, and then neither the id
     * nor the invoice needs hashing again. */
    int has_last;
    uint32_t last_id;
    const char *last_customer;   /* the interned text, stable */
    size_t last_customer_len;
    size_t last_invoice_len;     /* 0: no invoice remembered */
    char last_invoice[REMEMBERED_INVOICE_MAX];
    /* The seed of the last customer's invoice keys (crm_rfm_invoice_key). */
    int has_seed;
    uint32_t seed_id;
    uint64_t seed;
    /* With crm_rfm_keep_invoice_keys: every counted invoice with its day. */
    int keep_keys;
    struct invoice_entry *keys;
    size_t nkeys, keys_cap;
};

/* An invoice counted on a customer's day (crm_rfm_keep_invoice_keys). */
struct invoice_entry {
    uint32_t id;
    int32_t day;
    uint64_t key;
};

static const uint64_t INVOICE_KEY_SEED = UINT64_C(0x63726d2d72666d); /* "crm-rfm" */

static uint64_t customer_seed(const char *customer, size_t len)
{
    return crm_hash_bytes(customer, len, INVOICE_KEY_SEED);
}

static uint64_t keyed_invoice(uint64_t seed, const char *invoice, size_t invoice_len, int32_t day)
{
    if (invoice_len)
        return crm_hash_bytes(invoice, invoice_len, seed);
    uint32_t u = (uint32_t)day;
    unsigned char le[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                           (unsigned char)(u >> 24)};
    return crm_hash_bytes(le, sizeof le, ~seed);
}

uint64_t crm_rfm_invoice_key(const char *customer, size_t customer_len, const char *invoice,
                             size_t invoice_len, int32_t day)
{
    return keyed_invoice(customer_seed(customer, customer_len), invoice, invoice_len, day);
}

crm_status crm_rfm_keep_invoice_keys(crm_rfm *a, crm_error *err)
{
    (void)err;
    a->keep_keys = a->cfg.by_invoice;
    return CRM_OK;
}

static int log_invoice(crm_rfm *a, uint32_t id, int32_t day, uint64_t key)
{
    if (a->nkeys == a->keys_cap) {
        size_t cap = a->keys_cap ? a->keys_cap * 2 : 4096;
        struct invoice_entry *grown = realloc(a->keys, cap * sizeof *grown);
        if (!grown)
            return -1;
        a->keys = grown;
        a->keys_cap = cap;
    }
    a->keys[a->nkeys++] = (struct invoice_entry){id, day, key};
    return 0;
}

static const crm_decimal zero_decimal = {0, 0};

crm_status crm_rfm_new(crm_rfm **out, const crm_rfm_config *cfg, crm_error *err)
{
    crm_rfm *a = calloc(1, sizeof *a);
    if (!a)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    a->cfg = *cfg;
    a->ids = crm_strtab_new(1024);
    a->invoices = cfg->by_invoice ? crm_hashset_new(4096) : NULL;
    if (!a->ids || (cfg->by_invoice && !a->invoices)) {
        crm_rfm_free(a);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    *out = a;
    return CRM_OK;
}

void crm_rfm_free(crm_rfm *a)
{
    if (!a)
        return;
    size_t n = crm_strtab_count(a->ids);
    for (size_t i = 0; i < n && a->customers; i++)
        free(a->customers[i].days);
    free(a->customers);
    crm_strtab_free(a->ids);
    crm_hashset_free(a->invoices);
    free(a->keys);
    free(a);
}

const crm_rfm_config *crm_rfm_get_config(const crm_rfm *a)
{
    return &a->cfg;
}

size_t crm_rfm_customer_count(const crm_rfm *a)
{
    return crm_strtab_count(a->ids);
}

static crm_status find_customer(crm_rfm *a, const char *s, size_t len, uint32_t *id, crm_error *err)
{
    if (a->has_last && len == a->last_customer_len && memcmp(s, a->last_customer, len) == 0) {
        *id = a->last_id;
        return CRM_OK;
    }
    int added = crm_strtab_intern(a->ids, s, len, id);
    if (added < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (added && *id >= a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        rfm_customer *grown = realloc(a->customers, cap * sizeof *grown);
        if (!grown)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        memset(grown + a->cap, 0, (cap - a->cap) * sizeof *grown);
        a->customers = grown;
        a->cap = cap;
    }
    a->has_last = 1;
    a->last_id = *id;
    a->last_customer = crm_strtab_get(a->ids, *id, &a->last_customer_len);
    a->last_invoice_len = 0;
    return CRM_OK;
}

/* The customer's entry for day, inserted (zero) when new. */
static rfm_day *find_day(rfm_customer *c, int32_t day)
{
    if (c->ndays && c->days[c->hint].day == day)
        return &c->days[c->hint];
    uint32_t lo = 0, hi = c->ndays;
    if (c->ndays && c->days[c->ndays - 1].day < day) {
        lo = c->ndays;
    } else {
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (c->days[mid].day < day)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < c->ndays && c->days[lo].day == day) {
            c->hint = lo;
            return &c->days[lo];
        }
    }
    if (c->ndays == 0 || c->ndays == day_capacity(c->ndays)) {   /* full */
        if (c->ndays == UINT32_MAX)
            return NULL;
        uint32_t cap = c->ndays ? c->ndays * 2 : 1;
        rfm_day *grown = realloc(c->days, (size_t)cap * sizeof *grown);
        if (!grown)
            return NULL;
        c->days = grown;
    }
    memmove(c->days + lo + 1, c->days + lo, (size_t)(c->ndays - lo) * sizeof *c->days);
    c->days[lo] = (rfm_day){day, 0, 0, 0, 0, 0, 0};
    c->ndays++;
    c->hint = lo;
    return &c->days[lo];
}

static crm_status overflow_error(crm_error *err, const char *what, const char *customer, size_t len)
{
    char q[128];
    return crm_error_set(err, CRM_EDATA, "customer '%s': the sum of the %s does not fit in 18 digits",
                         crm_error_quote(q, sizeof q, customer, len), what);
}

static crm_status add_to_day(const crm_rfm_config *cfg, rfm_day *d, const char *customer, size_t len,
                             uint64_t rows, uint64_t invoices, crm_decimal amount, crm_decimal profit,
                             crm_error *err)
{
    crm_decimal sum;
    if (crm_decimal_add(day_amount(d), amount, &sum) != CRM_OK)
        return overflow_error(err, "amounts", customer, len);
    if (rows > UINT32_MAX - d->rows || invoices > UINT32_MAX - d->invoices) {
        char q[128];
        return crm_error_set(err, CRM_EDATA, "customer '%s': more than 4,294,967,295 rows or invoices on one day",
                             crm_error_quote(q, sizeof q, customer, len));
    }
    if (cfg->with_profit) {
        crm_decimal psum;
        if (crm_decimal_add(day_profit(d), profit, &psum) != CRM_OK)
            return overflow_error(err, "profits", customer, len);
        d->profit_units = psum.units;
        d->profit_scale = (int8_t)psum.scale;
    }
    d->amount_units = sum.units;
    d->amount_scale = (int8_t)sum.scale;
    d->rows += (uint32_t)rows;
    d->invoices += (uint32_t)invoices;
    return CRM_OK;
}

/* 1 when (customer, invoice) was not seen before; -1 out of memory.
 *
 * A pair is remembered as one 64-bit hash (the invoice's bytes, seeded by
 * the customer's id) in a crm_hashset, below 23.2 bytes per invoice
 * (crm/strtab.h): crm-rfm on 16 million one-line invoices peaks at 283 MB
 * (bench/memory.sh).  Should a new pair hash like an earlier one, that
 * invoice would not be counted: its customer's frequency would be one too
 * low.  With n invoices the chance of any such collision is about
 * n^2 / 2^65 (the birthday bound): 3e-8 for a million invoices, 7e-6 for 16
 * million. */
static int new_invoice(crm_rfm *a, rfm_customer *c, uint32_t id, const crm_rfm_line *line)
{
    /* The same customer as the line before (find_customer forgets the
     * invoice when the customer changes) and the same invoice: that line
     * left this invoice's key in c->last_invoice, so it is not new. */
    if (line->invoice_len && line->invoice_len == a->last_invoice_len
        && memcmp(line->invoice, a->last_invoice, line->invoice_len) == 0)
        return 0;
    a->last_invoice_len = 0;
    if (line->invoice_len <= sizeof a->last_invoice) {
        memcpy(a->last_invoice, line->invoice, line->invoice_len);
        a->last_invoice_len = line->invoice_len;
    }
    /* the key must be the same in every process: seeded by the customer's
     * bytes (hashed once per run of the customer's lines), not its local id */
    if (!a->has_seed || a->seed_id != id) {
        a->seed = customer_seed(line->customer, line->customer_len);
        a->seed_id = id;
        a->has_seed = 1;
    }
    uint64_t key = keyed_invoice(a->seed, line->invoice, line->invoice_len, line->day);
    int fresh = crm_hashset_add(a->invoices, key);
    if (fresh == 1 && a->keep_keys && log_invoice(a, id, line->day, key) < 0)
        return -1;
    return fresh;
}

crm_status crm_rfm_add(crm_rfm *a, const crm_rfm_line *line, crm_error *err)
{
    uint32_t id;
    crm_status st = find_customer(a, line->customer, line->customer_len, &id, err);
    if (st != CRM_OK)
        return st;
    rfm_customer *c = &a->customers[id];
    uint64_t invoices = 0;
    if (a->cfg.by_invoice) {
        int fresh = new_invoice(a, c, id, line);
        if (fresh < 0)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        invoices = (uint64_t)fresh;
    }
    rfm_day *d = find_day(c, line->day);
    if (!d)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return add_to_day(&a->cfg, d, line->customer, line->customer_len, 1, invoices, line->amount, line->profit, err);
}

crm_status crm_rfm_add_day(crm_rfm *a, const crm_rfm_day_total *t, crm_error *err)
{
    uint32_t id;
    crm_status st = find_customer(a, t->customer, t->customer_len, &id, err);
    if (st != CRM_OK)
        return st;
    rfm_day *d = find_day(&a->customers[id], t->day);
    if (!d)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    uint64_t invoices = t->invoices;
    if (t->has_invoice_keys && a->cfg.by_invoice) {
        invoices = 0;
        for (size_t k = 0; k < t->ninvoice_keys; k++) {
            int fresh = crm_hashset_add(a->invoices, t->invoice_keys[k]);
            if (fresh < 0 || (fresh == 1 && a->keep_keys && log_invoice(a, id, t->day, t->invoice_keys[k]) < 0))
                return crm_error_set(err, CRM_ENOMEM, "out of memory");
            invoices += (uint64_t)fresh;
        }
    }
    return add_to_day(&a->cfg, d, t->customer, t->customer_len, t->rows, invoices, t->amount, t->profit, err);
}

int crm_rfm_last_day(const crm_rfm *a, int32_t *day)
{
    int found = 0;
    size_t n = crm_strtab_count(a->ids);
    for (size_t i = 0; i < n; i++) {
        const rfm_customer *c = &a->customers[i];
        if (c->ndays && (!found || c->days[c->ndays - 1].day > *day)) {
            *day = c->days[c->ndays - 1].day;
            found = 1;
        }
    }
    return found;
}

/* ---- customer order ---- */

typedef struct {
    const char *s;
    size_t len;
    uint32_t id;
} sorted_id;

static int compare_ids(const void *ctx, const void *pa, const void *pb)
{
    size_t la, lb;
    const char *x = crm_strtab_get(ctx, *(const uint32_t *)pa, &la);
    const char *y = crm_strtab_get(ctx, *(const uint32_t *)pb, &lb);
    int c = memcmp(x, y, la < lb ? la : lb);
    if (c)
        return c;
    return (la > lb) - (la < lb);
}

static sorted_id who_is(const crm_rfm *a, uint32_t id)
{
    sorted_id w = {NULL, 0, id};
    w.s = crm_strtab_get(a->ids, id, &w.len);
    return w;
}

/* The interned ids in byte order of their strings (*n = 0 when empty): 4
 * bytes per customer, the strings looked up as they are compared. */
static uint32_t *sort_customers(const crm_rfm *a, size_t *n)
{
    *n = crm_strtab_count(a->ids);
    uint32_t *order = malloc((*n ? *n : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        order[i] = (uint32_t)i;
    if (crm_sort_stable(order, *n, sizeof *order, compare_ids, a->ids) != 0) {
        free(order);
        return NULL;
    }
    return order;
}

static int compare_entries(const void *pa, const void *pb)
{
    const struct invoice_entry *x = pa, *y = pb;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* The logged invoices grouped by customer and day, keys ascending within a
 * day (so a partial file is the same whatever the order of the lines), and
 * per customer id the index of its first entry (start[id]..start[id + 1]). */
static crm_status group_keys(const crm_rfm *a, size_t ncustomers, uint64_t **keys, size_t **start,
                             crm_error *err)
{
    *keys = malloc((a->nkeys ? a->nkeys : 1) * sizeof **keys);
    *start = calloc(ncustomers + 1, sizeof **start);
    if (!*keys || !*start)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (a->nkeys)
        qsort(a->keys, a->nkeys, sizeof *a->keys, compare_entries);
    for (size_t k = 0; k < a->nkeys; k++) {
        (*keys)[k] = a->keys[k].key;
        (*start)[a->keys[k].id + 1]++;
    }
    for (size_t i = 0; i < ncustomers; i++)
        (*start)[i + 1] += (*start)[i];
    return CRM_OK;
}

crm_status crm_rfm_each_day(const crm_rfm *a, crm_rfm_day_visitor visit, void *ctx, crm_error *err)
{
    size_t n;
    uint32_t *ids = sort_customers(a, &n);
    if (!ids)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    uint64_t *keys = NULL;
    size_t *start = NULL;
    crm_status st = a->keep_keys ? group_keys(a, n, &keys, &start, err) : CRM_OK;
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        sorted_id who = who_is(a, ids[i]);
        const rfm_customer *c = &a->customers[who.id];
        size_t next = a->keep_keys ? start[who.id] : 0;
        size_t end = a->keep_keys ? start[who.id + 1] : 0;
        for (uint32_t k = 0; k < c->ndays && st == CRM_OK; k++) {
            const rfm_day *d = &c->days[k];
            crm_rfm_day_total t = {who.s, who.len, d->day, d->rows, d->invoices, day_amount(d), day_profit(d),
                                   a->keep_keys, NULL, 0};
            if (a->keep_keys) {
                /* the customer's entries are in day order, like its days */
                size_t first = next;
                while (next < end && a->keys[next].day == d->day)
                    next++;
                t.invoice_keys = keys + first;
                t.ninvoice_keys = next - first;
            }
            st = visit(ctx, &t, err);
        }
    }
    free(keys);
    free(start);
    free(ids);
    return st;
}

/* ---- quantiles and scores ---- */

double crm_rfm_quantile(const double *sorted, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static int compare_doubles(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

crm_status crm_rfm_quantile_breaks(const double *values, size_t n, int bins, double *breaks, crm_error *err)
{
    double *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    memcpy(sorted, values, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_doubles);
    /* h = (n - 1) j / bins in whole numbers, so that a breakpoint that falls
     * on a value is that value exactly (no 866.9999 for 867). */
    for (int j = 1; j < bins; j++) {
        uint64_t scaled = (uint64_t)(n - 1) * (uint64_t)j;
        size_t lo = (size_t)(scaled / (uint64_t)bins);
        uint64_t rem = scaled % (uint64_t)bins;
        breaks[j - 1] = rem == 0 ? sorted[lo]
                                 : sorted[lo] + (double)rem / bins * (sorted[lo + 1] - sorted[lo]);
    }
    free(sorted);
    return CRM_OK;
}

int crm_rfm_bin(double v, const double *breaks, size_t nbreaks)
{
    /* Breakpoints are sorted: count those below v by bisection. */
    size_t lo = 0, hi = nbreaks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (breaks[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 1 + (int)lo;
}

/* ---- exact ratios ---- */

static const int64_t powers_of_ten[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                        100000000, 1000000000, 10000000000, 100000000000,
                                        1000000000000, 10000000000000, 100000000000000,
                                        1000000000000000, 10000000000000000, 100000000000000000,
                                        1000000000000000000};

crm_status crm_rfm_ratio(crm_decimal a, int64_t mul, int64_t div, int decimals, crm_decimal *out)
{
    if (div <= 0 || decimals < 0 || decimals > CRM_DECIMAL_MAX_SCALE || a.scale < 0 ||
        a.scale > CRM_DECIMAL_MAX_SCALE)
        return CRM_EDATA;
    int64_t num, den = div;
    if (__builtin_mul_overflow(a.units, mul, &num))
        return CRM_EDATA;
    /* value = num / (den 10^scale); wanted: round(value 10^decimals). */
    if (decimals >= a.scale) {
        if (__builtin_mul_overflow(num, powers_of_ten[decimals - a.scale], &num))
            return CRM_EDATA;
    } else if (__builtin_mul_overflow(den, powers_of_ten[a.scale - decimals], &den)) {
        return CRM_EDATA;
    }
    int64_t q = num / den, r = num % den;
    int64_t absr = r < 0 ? -r : r;
    if (absr >= den - absr)   /* 2|r| >= den, half away from zero */
        q += num < 0 ? -1 : 1;
    *out = (crm_decimal){q, decimals};
    return CRM_OK;
}

/* sum / count with max(2, sum's decimals) decimals; 0 when count is 0. */
static crm_status average(crm_decimal sum, uint64_t count, crm_decimal *out)
{
    int decimals = sum.scale > 2 ? sum.scale : 2;
    if (count == 0 || count > INT64_MAX) {
        *out = (crm_decimal){0, decimals};
        return CRM_OK;
    }
    return crm_rfm_ratio(sum, 1, (int64_t)count, decimals, out);
}

/* ---- the table ---- */

void crm_rfm_options_init(crm_rfm_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->bins = 5;
    opts->monetary = CRM_RFM_SCORE_AMOUNT;
}

static const char *const dimension_names[CRM_RFM_DIMENSIONS] = {"r", "f", "m"};

static crm_status check_options(const crm_rfm *a, const crm_rfm_options *o, crm_error *err)
{
    if (o->bins < CRM_RFM_MIN_BINS || o->bins > CRM_RFM_MAX_SCORE_BINS)
        return crm_error_set(err, CRM_EUSAGE, "the number of bins must lie in %d..%d, got %d",
                             CRM_RFM_MIN_BINS, CRM_RFM_MAX_SCORE_BINS, o->bins);
    if (o->has_calibration_end && o->as_of != o->calibration_end + 1)
        return crm_error_set(err, CRM_EUSAGE, "with a calibration end the as-of date is the day after it");
    if (o->monetary == CRM_RFM_SCORE_PROFIT && !a->cfg.with_profit)
        return crm_error_set(err, CRM_EUSAGE, "scoring M on profit needs a profit column");
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++) {
        const double *b = o->breaks[d];
        for (int j = 0; b && j < o->bins - 1; j++)
            if (!isfinite(b[j]) || (j > 0 && !(b[j] >= b[j - 1])))
                return crm_error_set(err, CRM_EUSAGE, "the %s breakpoints must be finite and in increasing order (ties allowed)",
                                     dimension_names[d]);
    }
    return CRM_OK;
}

/* What summarising a customer needs: the aggregator's configuration, the
 * options, and the result whose counters it adds to. */
typedef struct {
    const crm_rfm_config *cfg;
    const crm_rfm_options *o;
    crm_rfm_result *res;
} table_run;

/* Fills row from one customer's days; returns 0 when the customer has no
 * purchase before as_of (left out). */
static int summarise_customer(table_run *t, const rfm_customer *c, const sorted_id *who, crm_rfm_customer *row,
                              crm_error *err, crm_status *st)
{
    const crm_rfm_options *o = t->o;
    crm_rfm_result *res = t->res;
    *st = CRM_OK;
    uint32_t ncal = 0;
    while (ncal < c->ndays && c->days[ncal].day < o->as_of)
        ncal++;
    for (uint32_t k = 0; k < c->ndays; k++)
        res->rows_in += c->days[k].rows;
    for (uint32_t k = ncal; k < c->ndays && !o->has_calibration_end; k++)
        res->rows_after += c->days[k].rows;
    if (ncal == 0) {
        res->customers_left_out++;
        if (o->has_calibration_end)
            for (uint32_t k = 0; k < c->ndays; k++)
                res->rows_after += c->days[k].rows;
        return 0;
    }
    memset(row, 0, sizeof *row);
    row->customer_id = who->s;
    row->customer_len = who->len;
    row->first_day = c->days[0].day;
    row->last_day = c->days[ncal - 1].day;
    row->recency_days = (int64_t)o->as_of - row->last_day;
    row->tenure_days = (int64_t)o->as_of - row->first_day;
    row->x = ncal - 1;
    row->t_x_days = (int64_t)row->last_day - row->first_day;
    row->T_days = (int64_t)o->as_of - 1 - row->first_day;
    crm_decimal monetary = zero_decimal, profit = zero_decimal;
    uint64_t invoices = 0;
    for (uint32_t k = 0; k < ncal; k++) {
        const rfm_day *d = &c->days[k];
        invoices += d->invoices;
        if (crm_decimal_add(monetary, day_amount(d), &monetary) != CRM_OK) {
            *st = overflow_error(err, "amounts", who->s, who->len);
            return 0;
        }
        if (t->cfg->with_profit && crm_decimal_add(profit, day_profit(d), &profit) != CRM_OK) {
            *st = overflow_error(err, "profits", who->s, who->len);
            return 0;
        }
    }
    row->frequency = t->cfg->by_invoice ? invoices : ncal;
    row->monetary = monetary;
    row->profit = profit;
    /* The first day's amount was added first, so the difference fits. */
    crm_decimal_sub(monetary, day_amount(&c->days[0]), &row->repeat_amount);
    row->monetary_value = row->x ? crm_decimal_to_double(row->repeat_amount) / (double)row->x : 0.0;
    if (average(monetary, row->frequency, &row->avg_order_value) != CRM_OK ||
        average(profit, row->frequency, &row->avg_profit) != CRM_OK) {
        *st = overflow_error(err, "averages", who->s, who->len);
        return 0;
    }
    if (o->has_calibration_end) {
        crm_decimal holdout = zero_decimal;
        for (uint32_t k = ncal; k < c->ndays; k++) {
            if (crm_decimal_add(holdout, day_amount(&c->days[k]), &holdout) != CRM_OK) {
                *st = overflow_error(err, "amounts", who->s, who->len);
                return 0;
            }
        }
        row->x_holdout = c->ndays - ncal;
        row->holdout_amount = holdout;
        row->monetary_holdout = row->x_holdout ? crm_decimal_to_double(holdout) / (double)row->x_holdout : 0.0;
    }
    return 1;
}

static double score_value(const crm_rfm_customer *row, crm_rfm_dimension d, crm_rfm_monetary m)
{
    switch (d) {
    case CRM_RFM_R:
        return (double)row->recency_days;
    case CRM_RFM_F:
        return (double)row->frequency;
    default:
        return crm_decimal_to_double(m == CRM_RFM_SCORE_PROFIT ? row->profit : row->monetary);
    }
}

static crm_status score_customers(crm_rfm_result *res, const crm_rfm_options *o, crm_error *err)
{
    size_t nb = (size_t)o->bins - 1;
    double *values = malloc((res->count ? res->count : 1) * sizeof *values);
    if (!values)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_status st = CRM_OK;
    for (int d = 0; d < CRM_RFM_DIMENSIONS && st == CRM_OK; d++) {
        res->from_quantiles[d] = o->breaks[d] == NULL || o->breaks_from_quantiles[d];
        if (!o->breaks[d] && res->count == 0)
            continue;
        res->breaks[d] = malloc(nb * sizeof *res->breaks[d]);
        if (!res->breaks[d]) {
            st = crm_error_set(err, CRM_ENOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < res->count; i++)
            values[i] = score_value(&res->customers[i], (crm_rfm_dimension)d, o->monetary);
        if (o->breaks[d])
            memcpy(res->breaks[d], o->breaks[d], nb * sizeof *res->breaks[d]);
        else
            st = crm_rfm_quantile_breaks(values, res->count, o->bins, res->breaks[d], err);
        for (size_t i = 0; i < res->count && st == CRM_OK; i++) {
            int bin = crm_rfm_bin(values[i], res->breaks[d], nb);
            /* Recency: fewer days is better, so the scale turns round. */
            res->customers[i].score[d] = d == CRM_RFM_R ? o->bins + 1 - bin : bin;
        }
    }
    free(values);
    return st;
}

/* Row i of a table kept as ids (rows_on_demand): summarised again from the
 * aggregator's days, with its scores. */
static crm_status row_on_demand(const crm_rfm_result *res, size_t i, crm_rfm_customer *row, crm_error *err)
{
    const crm_rfm *a = res->source;
    crm_rfm_result counters;   /* the table's counters were added up once, by crm_rfm_finish */
    memset(&counters, 0, sizeof counters);
    table_run t = {&a->cfg, &res->options, &counters};
    sorted_id who = who_is(a, res->ids[i]);
    crm_status st;
    summarise_customer(&t, &a->customers[who.id], &who, row, err, &st);
    for (int d = 0; res->scores && d < CRM_RFM_DIMENSIONS; d++)
        row->score[d] = res->scores[i * CRM_RFM_DIMENSIONS + (size_t)d];
    return st;
}

crm_status crm_rfm_result_row(const crm_rfm_result *res, size_t i, crm_rfm_customer *row, crm_error *err)
{
    if (res->customers) {
        *row = res->customers[i];
        return CRM_OK;
    }
    return row_on_demand(res, i, row, err);
}

const char *crm_rfm_result_id(const crm_rfm_result *res, size_t i, size_t *len)
{
    if (res->customers) {
        *len = res->customers[i].customer_len;
        return res->customers[i].customer_id;
    }
    return crm_strtab_get(res->source->ids, res->ids[i], len);
}

/* The scores of a table kept as ids: each row summarised once more for
 * its three values (24 bytes per customer while scoring, besides the 3 of
 * the scores). */
static crm_status score_on_demand(crm_rfm_result *res, const crm_rfm_options *o, crm_error *err)
{
    size_t nb = (size_t)o->bins - 1, n = res->count ? res->count : 1;
    double *values[CRM_RFM_DIMENSIONS];
    crm_status st = CRM_OK;
    res->scores = malloc(n * CRM_RFM_DIMENSIONS);
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++)
        if (!(values[d] = malloc(n * sizeof *values[d])))
            st = CRM_ENOMEM;
    crm_rfm_customer row;
    for (size_t i = 0; i < res->count && st == CRM_OK && res->scores; i++)
        for (int d = 0; d < CRM_RFM_DIMENSIONS && (d > 0 || (st = row_on_demand(res, i, &row, err)) == CRM_OK); d++)
            values[d][i] = score_value(&row, (crm_rfm_dimension)d, o->monetary);
    if (st == CRM_ENOMEM || !res->scores)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (int d = 0; d < CRM_RFM_DIMENSIONS && st == CRM_OK; d++) {
        res->from_quantiles[d] = o->breaks[d] == NULL || o->breaks_from_quantiles[d];
        if (!o->breaks[d] && res->count == 0)
            continue;
        if (!(res->breaks[d] = malloc(nb * sizeof *res->breaks[d]))) {
            st = crm_error_set(err, CRM_ENOMEM, "out of memory");
            break;
        }
        if (o->breaks[d])
            memcpy(res->breaks[d], o->breaks[d], nb * sizeof *res->breaks[d]);
        else
            st = crm_rfm_quantile_breaks(values[d], res->count, o->bins, res->breaks[d], err);
        for (size_t i = 0; i < res->count && st == CRM_OK; i++) {
            int bin = crm_rfm_bin(values[d][i], res->breaks[d], nb);
            res->scores[i * CRM_RFM_DIMENSIONS + (size_t)d] = (uint8_t)(d == CRM_RFM_R ? o->bins + 1 - bin : bin);
        }
    }
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++)
        free(values[d]);
    return st;
}

crm_status crm_rfm_finish(const crm_rfm *a, const crm_rfm_options *o, crm_rfm_result *res, crm_error *err)
{
    memset(res, 0, sizeof *res);
    res->bins = o->bins;
    res->source = a;
    res->options = *o;
    crm_status st = check_options(a, o, err);
    if (st != CRM_OK)
        return st;
    size_t n;
    uint32_t *order = sort_customers(a, &n);
    if (o->rows_on_demand)
        res->ids = order;   /* the table's customers are a prefix of it, once those left out are dropped */
    else
        res->customers = malloc((n ? n : 1) * sizeof *res->customers);
    if (!order || (!o->rows_on_demand && !res->customers)) {
        if (!o->rows_on_demand)
            free(order);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    table_run t = {&a->cfg, o, res};
    if (o->has_calibration_end) {
        int32_t last = o->holdout_end;
        if (o->has_holdout_end || crm_rfm_last_day(a, &last))
            res->duration_holdout_days = last > o->calibration_end ? (int64_t)last - o->calibration_end : 0;
    }
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        crm_rfm_customer scratch, *row = o->rows_on_demand ? &scratch : &res->customers[res->count];
        sorted_id who = who_is(a, order[i]);
        if (summarise_customer(&t, &a->customers[who.id], &who, row, err, &st)) {
            if (o->rows_on_demand)
                order[res->count] = order[i];
            res->count++;
        }
    }
    if (!o->rows_on_demand)
        free(order);
    if (st == CRM_OK)
        st = o->rows_on_demand ? score_on_demand(res, o, err) : score_customers(res, o, err);
    return st;
}

void crm_rfm_result_free(crm_rfm_result *r)
{
    if (!r)
        return;
    free(r->customers);
    free(r->ids);
    free(r->scores);
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++)
        free(r->breaks[d]);
    memset(r, 0, sizeof *r);
}

crm_status crm_rfm_score_recency(crm_rfm_result *res, const crm_rfm_options *o, const double *recency,
                                 crm_error *err)
{
    if (!res->customers && res->count)
        return crm_error_set(err, CRM_EUSAGE, "scoring recency again needs the rows (not rows_on_demand)");
    size_t nb = (size_t)o->bins - 1, known = 0;
    double *values = malloc((res->count ? res->count : 1) * sizeof *values);
    double *breaks = malloc(nb * sizeof *breaks);
    if (!values || !breaks) {
        free(values);
        free(breaks);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < res->count; i++)
        if (!isnan(recency[i]))
            values[known++] = recency[i];
    crm_status st = CRM_OK;
    if (o->breaks[CRM_RFM_R])
        memcpy(breaks, o->breaks[CRM_RFM_R], nb * sizeof *breaks);
    else if (known)
        st = crm_rfm_quantile_breaks(values, known, o->bins, breaks, err);
    else {
        free(breaks);   /* nothing to score: as crm_rfm_finish does for an empty table */
        breaks = NULL;
    }
    for (size_t i = 0; i < res->count && st == CRM_OK; i++)
        res->customers[i].score[CRM_RFM_R] =
            isnan(recency[i]) ? 1 : o->bins + 1 - crm_rfm_bin(recency[i], breaks, nb);
    free(values);
    if (st != CRM_OK) {
        free(breaks);
        return st;
    }
    free(res->breaks[CRM_RFM_R]);
    res->breaks[CRM_RFM_R] = breaks;
    res->from_quantiles[CRM_RFM_R] = o->breaks[CRM_RFM_R] == NULL || o->breaks_from_quantiles[CRM_RFM_R];
    return CRM_OK;
}

/* ---- one customer at a time ---- */

/* An invoice key of the customer with the order its total came in: the
 * invoice counts on the day of the first total that names it. */
struct single_key {
    uint64_t key;
    uint64_t seq;
    int32_t day;
};

struct crm_rfm_single {
    crm_rfm_config cfg;
    rfm_customer c;
    char *id;                  /* the customer's id, copied: its totals' text goes with their rows */
    size_t id_len, id_cap;
    int has_id;
    struct single_key *keys;
    size_t nkeys, keys_cap;
    uint64_t seq;
};

crm_status crm_rfm_single_new(crm_rfm_single **out, const crm_rfm_config *cfg, crm_error *err)
{
    crm_rfm_single *s = calloc(1, sizeof *s);
    if (!s)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    s->cfg = *cfg;
    *out = s;
    return CRM_OK;
}

void crm_rfm_single_free(crm_rfm_single *s)
{
    if (!s)
        return;
    free(s->c.days);
    free(s->id);
    free(s->keys);
    free(s);
}

void crm_rfm_single_clear(crm_rfm_single *s)
{
    /* the buffers stay: the next customer reuses them */
    s->c.ndays = 0;
    s->c.hint = 0;
    s->has_id = 0;
    s->nkeys = 0;
    s->seq = 0;
}

static int keep_key(crm_rfm_single *s, uint64_t key, int32_t day)
{
    if (s->nkeys == s->keys_cap) {
        size_t cap = s->keys_cap ? s->keys_cap * 2 : 64;
        struct single_key *grown = realloc(s->keys, cap * sizeof *grown);
        if (!grown)
            return -1;
        s->keys = grown;
        s->keys_cap = cap;
    }
    s->keys[s->nkeys++] = (struct single_key){key, s->seq++, day};
    return 0;
}

crm_status crm_rfm_single_add_day(crm_rfm_single *s, const crm_rfm_day_total *t, crm_error *err)
{
    if (!s->has_id) {
        if (t->customer_len + 1 > s->id_cap) {
            char *grown = realloc(s->id, t->customer_len + 1);
            if (!grown)
                return crm_error_set(err, CRM_ENOMEM, "out of memory");
            s->id = grown;
            s->id_cap = t->customer_len + 1;
        }
        memcpy(s->id, t->customer, t->customer_len);
        s->id[t->customer_len] = '\0';
        s->id_len = t->customer_len;
        s->has_id = 1;
    }
    rfm_day *d = find_day(&s->c, t->day);
    if (!d)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    uint64_t invoices = t->invoices;
    if (t->has_invoice_keys && s->cfg.by_invoice) {
        invoices = 0;   /* counted once all the customer's keys are in (crm_rfm_single_row) */
        for (size_t k = 0; k < t->ninvoice_keys; k++)
            if (keep_key(s, t->invoice_keys[k], t->day) < 0)
                return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    return add_to_day(&s->cfg, d, s->id, s->id_len, t->rows, invoices, t->amount, t->profit, err);
}

static int compare_single_keys(const void *pa, const void *pb)
{
    const struct single_key *x = pa, *y = pb;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Each key counts once, on the day of the first total that named it, as
 * crm_rfm_add_day counts it against the keys seen before. */
static void count_single_keys(crm_rfm_single *s)
{
    if (s->nkeys)
        qsort(s->keys, s->nkeys, sizeof *s->keys, compare_single_keys);
    for (size_t k = 0; k < s->nkeys; k++)
        if (k == 0 || s->keys[k].key != s->keys[k - 1].key)
            find_day(&s->c, s->keys[k].day)->invoices++;   /* the day is there: its total added it */
    s->nkeys = 0;
}

crm_status crm_rfm_single_row(crm_rfm_single *s, const crm_rfm_options *o, crm_rfm_customer *row, int *in_table,
                              crm_error *err)
{
    count_single_keys(s);
    *in_table = 0;
    if (!s->has_id)
        return CRM_OK;
    crm_rfm_result counters;
    memset(&counters, 0, sizeof counters);
    table_run t = {&s->cfg, o, &counters};
    sorted_id who = {s->id, s->id_len, 0};
    crm_status st;
    *in_table = summarise_customer(&t, &s->c, &who, row, err, &st);
    return st;
}

int crm_rfm_single_last_day(const crm_rfm_single *s, int32_t *day)
{
    if (!s->c.ndays)
        return 0;
    *day = s->c.days[s->c.ndays - 1].day;
    return 1;
}
