/* crm-clean: raw transaction exports in, clean transactions out; every
 * rejected row kept, with its line and reason, in the --rejects file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/clean.h"
#include "crm/cli.h"
#include "crm/csv.h"
#include "crm/date.h"
#include "crm/input.h"
#include "crm/number.h"
#include "crm/report.h"
#include "crm/units.h"

static const char usage[] =
    "Usage: crm-clean [OPTIONS] [FILE...]\n"
    "Reads raw transaction exports (CSV, gzip or plain; standard input when no FILE)\n"
    "and writes clean transactions: customer_id, invoice_id, date, product_id,\n"
    "quantity, unit_price, amount [, cost, profit].\n"
    "Every rejected row goes to --rejects with its line and reason.\n"
    "\n"
    "Columns (found from common export headers unless named; name or 1-based index):\n"
    "      --customer COL  --invoice COL  --date COL  --product COL\n"
    "      --quantity COL  --price COL    --amount COL\n"
    "      --keep-extra          also write the other input columns, after those\n"
    "                            (--drop-extra: only the transactions, the default)\n"
    "Values:\n"
    "      --date-format FMT     strptime format of the dates (default: detected)\n"
    "      --dayfirst            read D/M/YYYY dates; --monthfirst reads M/D/YYYY\n"
    "      --decimal-comma       numbers are written 1.234,56\n"
    "Rules (reasons in crm-clean(1)):\n"
    "      --returns net|drop|keep  cancellations and returns: net against the customer's\n"
    "                            earlier purchases (default), reject, or keep as negative lines\n"
    "      --return-window D|all how far back a return reaches (default 90d); purchases\n"
    "                            are held that long after the latest date read\n"
    "      --cancel-prefix P     invoices starting with P are cancellations (default C)\n"
    "      --from DATE --to DATE keep dates in this period (inclusive)\n"
    "      --range COL=MIN:MAX   keep rows whose COL lies in [MIN, MAX] (either may be empty)\n"
    "      --keep-if COL=VALUE   keep only rows where COL is VALUE (repeatable)\n"
    "      --drop-if COL=VALUE   reject rows where COL is VALUE (repeatable)\n"
    "      --allow RULE[,RULE]   switch a rule off: missing-customer, missing-invoice,\n"
    "                            missing-product, zero-quantity, zero-price, negative-price,\n"
    "                            missing-cost, duplicate, invalid-utf8\n"
    "Costs:\n"
    "      --costs FILE          product_id,unit_cost table: adds cost and profit\n"
    "      --margin RATE         profit = amount x RATE (e.g. 30%) when there is no cost table\n"
    "Output:\n"
    "      --rejects FILE        rejected rows: file,line,reason,detail, then the row as read\n"
    "  -q, --quiet               do not print the counts by reason on stderr\n"
    "Common:\n"
    "  -o, --output FILE  -z, --gzip  -d, --delimiter C  -t, --tab  --encoding NAME\n"
    "  --no-header  --max-field-size N  --threads N  --progress  --report FILE\n"
    "  --escape-formulas  --shard I/N  --help  --version\n";

enum {
    OPT_CUSTOMER = 256, OPT_INVOICE, OPT_DATE, OPT_PRODUCT, OPT_QUANTITY, OPT_PRICE, OPT_AMOUNT,
    OPT_DROP_EXTRA, OPT_KEEP_EXTRA, OPT_DATE_FORMAT, OPT_DAYFIRST, OPT_MONTHFIRST, OPT_DECIMAL_COMMA, OPT_RETURNS, OPT_RETURN_WINDOW,
    OPT_CANCEL_PREFIX, OPT_FROM, OPT_TO, OPT_RANGE, OPT_KEEP_IF, OPT_DROP_IF, OPT_ALLOW, OPT_COSTS,
    OPT_MARGIN, OPT_REJECTS, OPT_QUIET = 'q'
};

static const struct option clean_options[] = {
    {"customer", required_argument, NULL, OPT_CUSTOMER},
    {"invoice", required_argument, NULL, OPT_INVOICE},
    {"date", required_argument, NULL, OPT_DATE},
    {"product", required_argument, NULL, OPT_PRODUCT},
    {"quantity", required_argument, NULL, OPT_QUANTITY},
    {"price", required_argument, NULL, OPT_PRICE},
    {"amount", required_argument, NULL, OPT_AMOUNT},
    {"drop-extra", no_argument, NULL, OPT_DROP_EXTRA},
    {"keep-extra", no_argument, NULL, OPT_KEEP_EXTRA},
    {"date-format", required_argument, NULL, OPT_DATE_FORMAT},
    {"dayfirst", no_argument, NULL, OPT_DAYFIRST},
    {"monthfirst", no_argument, NULL, OPT_MONTHFIRST},
    {"decimal-comma", no_argument, NULL, OPT_DECIMAL_COMMA},
    {"returns", required_argument, NULL, OPT_RETURNS},
    {"return-window", required_argument, NULL, OPT_RETURN_WINDOW},
    {"cancel-prefix", required_argument, NULL, OPT_CANCEL_PREFIX},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"range", required_argument, NULL, OPT_RANGE},
    {"keep-if", required_argument, NULL, OPT_KEEP_IF},
    {"drop-if", required_argument, NULL, OPT_DROP_IF},
    {"allow", required_argument, NULL, OPT_ALLOW},
    {"costs", required_argument, NULL, OPT_COSTS},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"rejects", required_argument, NULL, OPT_REJECTS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {NULL, 0, NULL, 0},
};

enum { MAX_CONDITIONS = 64, DETECT_MAX_ROWS = 1000000 };
/* How many rows ahead the duplicate rule's memory is asked for. */
enum { PREFETCH_AHEAD = 8 };

/* A --range/--keep-if/--drop-if as written, resolved once the header is known. */
typedef struct {
    int kind;            /* OPT_RANGE, OPT_KEEP_IF, OPT_DROP_IF */
    const char *arg;
} condition;

typedef struct {
    crm_clean_config cfg;
    const char *column_specs[7];   /* customer .. amount, as given */
    int prefer_dates;              /* CRM_DATE_DMY / CRM_DATE_MDY / 0 */
    int explicit_date_format;
    const char *from, *to;
    condition conditions[MAX_CONDITIONS];
    size_t nconditions;
    const char *costs_path;
    const char *margin;
    const char *rejects_path;
    int quiet;
    int return_window_given;
} clean_options_t;

static crm_status parse_returns(const char *arg, crm_returns_policy *out, crm_error *err)
{
    static const char *const names[] = {"drop", "keep", "net", NULL};
    static const crm_returns_policy policies[] = {CRM_RETURNS_DROP, CRM_RETURNS_KEEP, CRM_RETURNS_NET};
    int choice;
    crm_status st = crm_cli_parse_choice("--returns", arg, names, &choice, err);
    if (st == CRM_OK)
        *out = policies[choice];
    return st;
}

/* "90d", "12w", "3m", "1y" as whole days (a month is 365.25/12 days, so
 * 3m is 91 days), or "all". */
static crm_status parse_return_window(const char *arg, int32_t *days, crm_error *err)
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

static crm_status parse_allow(const char *arg, unsigned long *allowed, crm_error *err)
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

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    clean_options_t *o = ctx;
    switch (id) {
    case OPT_CUSTOMER: case OPT_INVOICE: case OPT_DATE: case OPT_PRODUCT:
    case OPT_QUANTITY: case OPT_PRICE: case OPT_AMOUNT:
        o->column_specs[id - OPT_CUSTOMER] = arg;
        return CRM_OK;
    case OPT_DROP_EXTRA:
        o->cfg.keep_extra = 0;
        return CRM_OK;
    case OPT_KEEP_EXTRA:
        o->cfg.keep_extra = 1;
        return CRM_OK;
    case OPT_DATE_FORMAT:
        o->explicit_date_format = 1;
        return crm_date_format_set_pattern(&o->cfg.date_format, arg, err);
    case OPT_DAYFIRST:
        o->prefer_dates = CRM_DATE_DMY;
        return CRM_OK;
    case OPT_MONTHFIRST:
        o->prefer_dates = CRM_DATE_MDY;
        return CRM_OK;
    case OPT_DECIMAL_COMMA:
        o->cfg.numbers.decimal_comma = 1;
        return CRM_OK;
    case OPT_RETURNS:
        o->cfg.returns_explicit = 1;
        return parse_returns(arg, &o->cfg.returns, err);
    case OPT_RETURN_WINDOW:
        o->return_window_given = 1;
        return parse_return_window(arg, &o->cfg.return_window_days, err);
    case OPT_CANCEL_PREFIX:
        o->cfg.cancel_prefix = arg;
        return CRM_OK;
    case OPT_FROM:
        o->from = arg;
        return CRM_OK;
    case OPT_TO:
        o->to = arg;
        return CRM_OK;
    case OPT_RANGE: case OPT_KEEP_IF: case OPT_DROP_IF:
        if (o->nconditions == MAX_CONDITIONS)
            return crm_error_set(err, CRM_EUSAGE, "at most %d --range/--keep-if/--drop-if options",
                                 MAX_CONDITIONS);
        o->conditions[o->nconditions++] = (condition){id, arg};
        return CRM_OK;
    case OPT_ALLOW:
        return parse_allow(arg, &o->cfg.allowed, err);
    case OPT_COSTS:
        o->costs_path = arg;
        return CRM_OK;
    case OPT_MARGIN:
        o->margin = arg;
        return CRM_OK;
    case OPT_REJECTS:
        o->rejects_path = arg;
        return CRM_OK;
    case OPT_QUIET:
        o->quiet = 1;
        return CRM_OK;
    default:
        return crm_error_set(err, CRM_EUSAGE, "unhandled option");
    }
}

/* ---- options that need the header or other files ---- */

/* "30%" or "0.3" as an exact decimal fraction. */
static crm_status parse_margin(const char *arg, crm_decimal *out, crm_error *err)
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

static crm_status split_assignment(const char *option, const char *arg, char *column, size_t cap,
                                   const char **value, crm_error *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= cap)
        return crm_error_set(err, CRM_EUSAGE, "%s wants COLUMN=%s, got '%s'", option,
                             strcmp(option, "--range") == 0 ? "MIN:MAX" : "VALUE", arg);
    memcpy(column, arg, (size_t)(eq - arg));
    column[eq - arg] = '\0';
    *value = eq + 1;
    return CRM_OK;
}

static crm_status parse_bound(const char *s, size_t len, int *has, double *v)
{
    *has = len > 0;
    return len ? crm_parse_double(s, len, NULL, v) : CRM_OK;
}

static crm_status resolve_conditions(clean_options_t *o, const crm_csv_reader *r, crm_clean_range *ranges,
                                     crm_clean_filter *filters, crm_error *err)
{
    for (size_t i = 0; i < o->nconditions; i++) {
        const condition *c = &o->conditions[i];
        const char *option = c->kind == OPT_RANGE ? "--range" : c->kind == OPT_KEEP_IF ? "--keep-if" : "--drop-if";
        char column[256];
        const char *value = NULL;
        crm_status st = split_assignment(option, c->arg, column, sizeof column, &value, err);
        if (st != CRM_OK)
            return st;
        long index = crm_csv_column(r, column, err);
        if (index < 0)
            return err->status;
        if (c->kind != OPT_RANGE) {
            filters[o->cfg.nfilters++] = (crm_clean_filter){index, value, c->kind == OPT_KEEP_IF};
            continue;
        }
        crm_clean_range *range = &ranges[o->cfg.nranges++];
        const char *colon = strchr(value, ':');
        range->column = index;
        if (!colon || parse_bound(value, (size_t)(colon - value), &range->has_min, &range->min) != CRM_OK ||
            parse_bound(colon + 1, strlen(colon + 1), &range->has_max, &range->max) != CRM_OK ||
            (!range->has_min && !range->has_max))
            return crm_error_set(err, CRM_EUSAGE, "--range wants COLUMN=MIN:MAX with numbers, got '%s'", c->arg);
    }
    o->cfg.ranges = ranges;
    o->cfg.filters = filters;
    return CRM_OK;
}

static crm_status resolve_columns(clean_options_t *o, const crm_csv_reader *r, crm_error *err)
{
    long *slots[7] = {&o->cfg.columns.customer, &o->cfg.columns.invoice, &o->cfg.columns.date,
                      &o->cfg.columns.product, &o->cfg.columns.quantity, &o->cfg.columns.price,
                      &o->cfg.columns.amount};
    for (int i = 0; i < 7; i++) {
        if (!o->column_specs[i])
            continue;
        *slots[i] = crm_csv_column(r, o->column_specs[i], err);
        if (*slots[i] < 0)
            return err->status;
    }
    return CRM_OK;
}

/* Reads the product_id,unit_cost table: columns named product_id (or a
 * common product header) and unit_cost (or cost), else the first two. */
static crm_status load_costs(crm_cleaner *cleaner, const char *path, const crm_common_options *common,
                             crm_error *err)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.delimiter = common->delimiter;
    crm_csv_reader *r;
    crm_status st = crm_csv_open(&r, path, &opts, err);
    if (st != CRM_OK)
        return st;
    long product, cost;
    if ((st = crm_csv_optional_column(r, "product_id", &product, err)) == CRM_OK && product < 0)
        st = crm_csv_optional_column(r, "stockcode", &product, err);
    if (st == CRM_OK && (st = crm_csv_optional_column(r, "unit_cost", &cost, err)) == CRM_OK && cost < 0)
        st = crm_csv_optional_column(r, "cost", &cost, err);
    if (st != CRM_OK) {
        crm_csv_close(r);
        return st;
    }
    if (product < 0)
        product = 0;
    if (cost < 0)
        cost = 1;
    const crm_csv_record *rec;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        crm_decimal unit_cost;
        /* the cost table is strict too: no broken quoting, no field beyond its header */
        if ((rec->defect == CRM_CSV_RECORD_BAD_QUOTE && (st = crm_csv_defect_error(r, rec, err))) ||
            (rec->nfields > crm_csv_header(r)->nfields &&
             (st = crm_csv_check_width(r, rec, crm_csv_header(r)->nfields, err))))
            break;
        if ((size_t)cost >= rec->nfields || (size_t)product >= rec->nfields) {
            st = crm_error_set(err, CRM_EDATA, "%s:%llu: expected at least 2 fields, found %zu",
                               crm_csv_input_name(r), (unsigned long long)rec->line, rec->nfields);
            break;
        }
        if (crm_parse_decimal(rec->fields[cost], rec->lengths[cost], NULL, &unit_cost) != CRM_OK) {
            char q[128];
            st = crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a number",
                               crm_csv_input_name(r), (unsigned long long)rec->line,
                               crm_csv_column_name(r, (size_t)cost),
                               crm_error_quote(q, sizeof q, rec->fields[cost], rec->lengths[cost]));
            break;
        }
        const char *p = rec->fields[product];
        size_t len = rec->lengths[product];
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if ((st = crm_cleaner_add_cost(cleaner, p, len, unit_cost, err)) != CRM_OK) {
            crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
            break;
        }
    }
    crm_csv_close(r);
    return st;
}

/* ---- the run ---- */

typedef struct {
    crm_csv_writer *out;
    crm_csv_writer *rejects;
    const char *const *input_names;        /* per input, as messages name it */
    const crm_cleaner *cleaner;
    const unsigned char *is_schema_column; /* per input column */
    const char *const *names;              /* input column names */
    size_t ncolumns;
    int keep_extra, with_costs;
} run_state;

static crm_status write_kept(void *ctx, const crm_clean_row *row, crm_error *err)
{
    run_state *s = ctx;
    const char *fields[9] = {row->customer_id, row->invoice_id, row->date, row->product_id,
                             row->quantity, row->unit_price, row->amount, row->cost, row->profit};
    const size_t lens[9] = {row->customer_id_len, row->invoice_id_len, row->date_len,
                            row->product_id_len, row->quantity_len, row->unit_price_len,
                            row->amount_len, row->cost_len, row->profit_len};
    crm_status st = CRM_OK;
    for (size_t i = 0; i < (s->with_costs ? 9u : 7u) && st == CRM_OK; i++)
        st = crm_csv_write_field(s->out, fields[i], lens[i]);
    for (size_t i = 0; s->keep_extra && i < s->ncolumns && st == CRM_OK; i++)
        if (!s->is_schema_column[i])
            st = crm_csv_write_field(s->out, row->source->fields[i], row->source->lengths[i]);
    if (st == CRM_OK)
        st = crm_csv_end_row(s->out);
    return crm_cli_write_failed(s->out, st, err);
}

static crm_status write_rejected(void *ctx, uint64_t line, const char *raw, size_t raw_len,
                                 crm_clean_reason reason, const char *detail, crm_error *err)
{
    run_state *s = ctx;
    if (!s->rejects)
        return CRM_OK;
    crm_csv_writer *w = s->rejects;
    /* a held purchase may come out while a later input is read */
    const char *input_name = s->input_names[crm_cleaner_row_input(s->cleaner)];
    crm_status st = crm_csv_write_field(w, input_name, (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_write_int(w, (int64_t)line);
    if (st == CRM_OK)
        st = crm_csv_write_field(w, crm_clean_reason_name(reason), (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_write_field(w, detail, (size_t)-1);
    /* The row itself, byte for byte, as the last fields of the same line. */
    if (st == CRM_OK)
        st = crm_csv_end_row_raw(w, raw, raw_len);
    return crm_cli_write_failed(s->rejects, st, err);
}

static crm_status write_header(run_state *s)
{
    static const char *const schema[] = {"customer_id", "invoice_id", "date", "product_id", "quantity",
                                         "unit_price", "amount", "cost", "profit"};
    crm_status st = CRM_OK;
    for (size_t i = 0; i < (s->with_costs ? 9u : 7u) && st == CRM_OK; i++)
        st = crm_csv_write_field(s->out, schema[i], (size_t)-1);
    for (size_t i = 0; s->keep_extra && i < s->ncolumns && st == CRM_OK; i++)
        if (!s->is_schema_column[i])
            st = crm_csv_write_field(s->out, s->names[i], (size_t)-1);
    return st == CRM_OK ? crm_csv_end_row(s->out) : st;
}

static crm_status write_rejects_header(run_state *s, const crm_csv_reader *r)
{
    if (!s->rejects)
        return CRM_OK;
    const crm_csv_record *h = crm_csv_header(r);
    static const char prefix[] = "file,line,reason,detail";
    crm_status st = crm_csv_write_raw(s->rejects, prefix, sizeof prefix - 1);
    if (st == CRM_OK && h) {
        size_t len = h->raw_len;
        while (len && (h->raw[len - 1] == '\n' || h->raw[len - 1] == '\r'))
            len--;
        st = crm_csv_write_raw(s->rejects, ",", 1);
        if (st == CRM_OK)
            st = crm_csv_write_raw(s->rejects, h->raw, len);
    }
    return st == CRM_OK ? crm_csv_write_raw(s->rejects, "\n", 1) : st;
}

/* Looks at the first rows (kept and replayed, so that standard input works
 * too): the width of the first record, for input without a header, and the
 * date format, unless --date-format fixed it. */
static crm_status look_ahead(crm_csv_reader *r, clean_options_t *o, long date_column, size_t *first_width,
                             crm_error *err)
{
    int detect = !o->explicit_date_format && date_column >= 0;
    crm_date_detector d;
    crm_date_detector_init(&d, o->prefer_dates);
    crm_status st = crm_csv_start_lookahead(r, err);
    const crm_csv_record *rec;
    *first_width = 0;
    for (long n = 0; st == CRM_OK && n < DETECT_MAX_ROWS &&
                     (*first_width == 0 || (detect && !crm_date_detector_decided(&d)));
         n++) {
        st = crm_csv_next(r, &rec, err);
        if (st != CRM_OK || !rec)
            break;
        /* a broken record has no fields: the first good one sets the width */
        if (*first_width == 0 && rec->defect != CRM_CSV_RECORD_BAD_QUOTE)
            *first_width = rec->nfields;
        if (detect && (size_t)date_column < rec->nfields)
            crm_date_detector_add(&d, rec->fields[date_column], rec->lengths[date_column]);
    }
    if (st == CRM_OK)
        st = crm_csv_replay(r, err);
    if (st == CRM_OK && detect && (st = crm_date_detector_result(&d, &o->cfg.date_format, err)) != CRM_OK)
        crm_error_prefix(err, "%s: column '%s': ", crm_csv_input_name(r),
                         crm_csv_column_name(r, (size_t)date_column));
    return st;
}

static void print_counts(const crm_clean_counts *k)
{
    fprintf(stderr, "crm-clean: %llu rows in, %llu out, %llu rejected\n", (unsigned long long)k->rows_in,
            (unsigned long long)k->rows_out, (unsigned long long)k->rows_rejected);
    for (int r = 1; r < CRM_CLEAN_NREASONS; r++)
        if (k->by_reason[r])
            fprintf(stderr, "crm-clean:   %-18s %llu\n", crm_clean_reason_name((crm_clean_reason)r),
                    (unsigned long long)k->by_reason[r]);
}

static void fill_report(crm_report *rep, const crm_clean_counts *k)
{
    crm_report_set(rep, "rows_in", k->rows_in);
    crm_report_set(rep, "rows_out", k->rows_out);
    crm_report_set(rep, "rows_rejected", k->rows_rejected);
    for (int r = 1; r < CRM_CLEAN_NREASONS; r++)
        if (k->by_reason[r])
            crm_report_add_reason(rep, crm_clean_reason_name((crm_clean_reason)r), k->by_reason[r]);
}

/* Same columns in every input: compare the header fields. */
static crm_status check_same_header(const crm_csv_reader *first, const crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *a = crm_csv_header(first), *b = crm_csv_header(r);
    int same = (!a && !b) || (a && b && a->nfields == b->nfields);
    for (size_t i = 0; same && a && i < a->nfields; i++)
        same = a->lengths[i] == b->lengths[i] && memcmp(a->fields[i], b->fields[i], a->lengths[i]) == 0;
    if (!same)
        return crm_error_set(err, CRM_EDATA, "%s: the header differs from %s's; several inputs must have the same columns",
                             crm_csv_input_name(r), crm_csv_input_name(first));
    return CRM_OK;
}

typedef struct {
    clean_options_t *o;
    const crm_common_options *common;
    crm_output_set *outputs;       /* every file the run writes */
    crm_cleaner *cleaner;
    run_state state;
    crm_progress progress;
    unsigned char *is_schema_column;
    char **names;                  /* "#1".. for input without a header */
    size_t nnames;
    crm_clean_range ranges[MAX_CONDITIONS];
    crm_clean_filter filters[MAX_CONDITIONS];
    uint64_t rows, bytes_before;
    const char **input_names;      /* per input: its path, or <stdin> */
    int *copies;                   /* --returns net: per input, the descriptor of a
                                      temporary copy of a stream (-1: read the file) */
} clean_run;

/* Column names for input without a header: "#1", "#2", ... as the reader
 * names them in messages. */
static char **numbered_names(size_t n)
{
    char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; names && i < n; i++) {
        char label[32];
        snprintf(label, sizeof label, "#%zu", i + 1);
        if (!(names[i] = strdup(label))) {
            while (i--)
                free(names[i]);
            free(names);
            return NULL;
        }
    }
    return names;
}

/* A schema column that detection could not place because the header
 * repeats its name ("Quantity" twice) is reported with the shared lookup's
 * "appears twice" message; two different names that both fit (CustomerID
 * and "Customer ID") keep the cleaner's message. */
static crm_status check_repeated_names(const crm_csv_reader *r, const crm_clean_columns *detected,
                                       crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r);
    const long found[7] = {detected->customer, detected->invoice, detected->date, detected->product,
                           detected->quantity, detected->price, detected->amount};
    int ambiguous = 0;
    for (int k = 0; k < 7; k++)
        ambiguous |= found[k] == CRM_CLEAN_AMBIGUOUS;
    /* each name is looked up in the whole header: only when it can matter */
    for (size_t i = 0; ambiguous && h && i < h->nfields; i++) {
        long index;
        if (crm_csv_optional_column(r, h->fields[i], &index, err) == CRM_OK)
            continue;
        crm_clean_columns alone = {-1, -1, -1, -1, -1, -1, -1};
        crm_clean_detect_columns(&h->fields[i], 1, &alone);
        const long role[7] = {alone.customer, alone.invoice, alone.date, alone.product,
                              alone.quantity, alone.price, alone.amount};
        for (int k = 0; k < 7; k++)
            if (role[k] == 0 && found[k] == CRM_CLEAN_AMBIGUOUS)
                return CRM_EDATA;   /* err says which columns */
    }
    crm_error_clear(err);
    return CRM_OK;
}

/* Sets up cleaner and output from the first input's header. */
static crm_status start_run(clean_run *run, crm_csv_reader *r, crm_error *err)
{
    clean_options_t *o = run->o;
    const crm_csv_record *h = crm_csv_header(r);
    size_t n = h ? h->nfields : 0;
    crm_status st;
    if ((st = resolve_columns(o, r, err)) != CRM_OK ||
        (st = resolve_conditions(o, r, run->ranges, run->filters, err)) != CRM_OK)
        return st;
    crm_clean_columns cols = o->cfg.columns;
    crm_clean_detect_columns(h ? (const char *const *)h->fields : NULL, n, &cols);
    if ((st = check_repeated_names(r, &cols, err)) != CRM_OK)
        return st;
    size_t width;
    if ((st = look_ahead(r, o, cols.date, &width, err)) != CRM_OK)
        return st;
    const char *const *names = h ? (const char *const *)h->fields : NULL;
    if (!h) {
        n = width;
        if (!(run->names = numbered_names(n)))
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        names = (const char *const *)run->names;
    }
    run->nnames = n;
    crm_clean_sink sink = {write_kept, o->rejects_path ? write_rejected : NULL, &run->state};
    if ((st = crm_cleaner_new(&run->cleaner, &o->cfg, names, n, &sink, err)) != CRM_OK) {
        crm_error_prefix(err, "%s: ", crm_csv_input_name(r));
        size_t len = strlen(err->message);
        snprintf(err->message + len, sizeof err->message - len, "%s", crm_csv_header_hint(r));
        return st;
    }
    if (o->costs_path && (st = load_costs(run->cleaner, o->costs_path, run->common, err)) != CRM_OK)
        return st;
    run->is_schema_column = calloc(n ? n : 1, 1);
    if (!run->is_schema_column)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    const crm_clean_columns *k = crm_cleaner_columns(run->cleaner);
    long mapped[7] = {k->customer, k->invoice, k->date, k->product, k->quantity, k->price, k->amount};
    for (int i = 0; i < 7; i++)
        if (mapped[i] >= 0 && (size_t)mapped[i] < n)
            run->is_schema_column[mapped[i]] = 1;
    run->state.cleaner = run->cleaner;
    run->state.is_schema_column = run->is_schema_column;
    run->state.ncolumns = n;
    run->state.names = names;
    run->state.keep_extra = o->cfg.keep_extra;
    run->state.with_costs = crm_cleaner_has_costs(run->cleaner);
    if ((st = write_header(&run->state)) != CRM_OK)
        return crm_cli_write_failed(run->state.out, st, err);
    if ((st = write_rejects_header(&run->state, r)) != CRM_OK)
        return crm_cli_write_failed(run->state.rejects, st, err);
    return CRM_OK;
}

static crm_status clean_input(clean_run *run, size_t input, crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    crm_cleaner_set_input(run->cleaner, (uint32_t)input);
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        const char *ahead;
        size_t ahead_len;
        if (crm_csv_peek_raw(r, PREFETCH_AHEAD, &ahead, &ahead_len))
            crm_cleaner_prefetch(run->cleaner, ahead, ahead_len);
        if ((st = crm_cleaner_push(run->cleaner, rec, err)) != CRM_OK)
            return st;
        crm_progress_update(&run->progress, ++run->rows, run->bytes_before + crm_csv_raw_bytes(r));
    }
    run->bytes_before += crm_csv_raw_bytes(r);
    return st;
}

/* The first reading of --returns net: every return's key, nothing written. */
static crm_status note_returns(clean_run *run, crm_csv_reader *r, crm_error *err)
{
    const crm_csv_record *rec;
    crm_status st;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        if ((st = crm_cleaner_prescan(run->cleaner, rec, err)) != CRM_OK)
            return st;
    return st;
}

/* Copies every input that cannot be read twice (standard input, a FIFO). */
static crm_status copy_streams(clean_run *run, size_t ninputs, crm_error *err)
{
    const crm_common_options *common = run->common;
    if (!(run->copies = malloc(ninputs * sizeof *run->copies)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < ninputs; i++)
        run->copies[i] = -1;
    for (size_t i = 0; i < ninputs; i++) {
        const char *path = common->ninputs ? common->inputs[i] : NULL;
        if (crm_input_rereadable(path))
            continue;
        crm_status st = crm_input_spool(path, &run->copies[i], err);
        if (st != CRM_OK)
            return st;
    }
    return CRM_OK;
}

/* Input i, from its temporary copy when it has one (read from the start). */
static crm_status open_input(clean_run *run, size_t i, crm_csv_reader **r, crm_error *err)
{
    const crm_common_options *common = run->common;
    const char *path = common->ninputs ? common->inputs[i] : NULL;
    if (!run->copies || run->copies[i] < 0)
        return crm_cli_open_input(common, path, r, err);
    if (lseek(run->copies[i], 0, SEEK_SET) != 0)
        return crm_error_set(err, CRM_EIO, "cannot read back the copy of %s: %s", run->input_names[i],
                             strerror(errno));
    crm_csv_options opts;
    crm_cli_csv_options(common, &opts);
    return crm_csv_open_fd(r, run->copies[i], run->input_names[i], &opts, err);
}

static crm_status run_clean(clean_run *run, crm_error *err)
{
    const crm_common_options *common = run->common;
    clean_options_t *o = run->o;
    crm_status st = CRM_OK;
    if ((o->from && (st = crm_cli_parse_day("--from", o->from, &o->cfg.from_day, err)) != CRM_OK) ||
        (o->to && (st = crm_cli_parse_day("--to", o->to, &o->cfg.to_day, err)) != CRM_OK) ||
        (o->margin && (st = parse_margin(o->margin, &o->cfg.margin, err)) != CRM_OK))
        return st;
    o->cfg.has_from = o->from != NULL;
    o->cfg.has_to = o->to != NULL;
    o->cfg.has_margin = o->margin != NULL;
    o->cfg.shard = common->shard;
    if (o->cfg.has_margin && o->costs_path)
        return crm_error_set(err, CRM_EUSAGE, "--margin and --costs exclude each other");
    if (o->return_window_given && o->cfg.returns != CRM_RETURNS_NET)
        return crm_error_set(err, CRM_EUSAGE, "--return-window is for --returns net");

    if ((st = crm_cli_open_output(run->outputs, common->output, common->gzip, &run->state.out, err)) !=
        CRM_OK)
        return st;
    if (o->rejects_path &&
        (st = crm_cli_open_output(run->outputs, o->rejects_path, -1, &run->state.rejects, err)) != CRM_OK)
        return st;
    /* the rejects' copies of the input rows are raw bytes, never changed */
    crm_csv_writer_escape_formulas(run->state.out, common->escape_formulas);
    if (run->state.rejects)
        crm_csv_writer_escape_formulas(run->state.rejects, common->escape_formulas);

    /* With --returns net the input is read twice (crm_cleaner_prescan): a
     * stream that cannot be read again is first copied to a temporary file. */
    size_t ninputs = common->ninputs ? common->ninputs : 1;
    if (!(run->input_names = malloc(ninputs * sizeof *run->input_names)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < ninputs; i++) {
        const char *path = common->ninputs ? common->inputs[i] : NULL;
        run->input_names[i] = path && strcmp(path, "-") != 0 ? path : "<stdin>";
    }
    run->state.input_names = run->input_names;
    if (o->cfg.returns == CRM_RETURNS_NET && (st = copy_streams(run, ninputs, err)) != CRM_OK)
        return st;
    crm_csv_reader *first = NULL;
    int twice = 0;
    for (size_t i = 0; i < ninputs && st == CRM_OK; i++) {
        crm_csv_reader *r;
        if ((st = open_input(run, i, &r, err)) != CRM_OK)
            break;
        if (!first) {
            st = start_run(run, r, err);
            twice = st == CRM_OK && run->copies && crm_cleaner_nets_returns(run->cleaner);
        } else {
            st = check_same_header(first, r, err);
        }
        if (st == CRM_OK)
            st = twice ? note_returns(run, r, err) : clean_input(run, i, r, err);
        if (!first)
            first = r;
        else
            crm_csv_close(r);
    }
    if (twice && st == CRM_OK)
        crm_cleaner_prescan_done(run->cleaner);
    for (size_t i = 0; twice && i < ninputs && st == CRM_OK; i++) {
        crm_csv_reader *r;
        if ((st = open_input(run, i, &r, err)) != CRM_OK)
            break;
        if ((st = check_same_header(first, r, err)) == CRM_OK)
            st = clean_input(run, i, r, err);
        crm_csv_close(r);
    }
    if (st == CRM_OK)
        st = crm_cleaner_finish(run->cleaner, err);
    crm_csv_close(first);
    return st;
}

static crm_status close_outputs(clean_run *run, crm_status st, crm_error *err)
{
    if (st == CRM_OK && run->state.rejects) {
        st = crm_csv_writer_close(run->state.rejects, err);
        run->state.rejects = NULL;
    }
    if (st == CRM_OK && run->state.out) {
        st = crm_csv_writer_close(run->state.out, err);
        run->state.out = NULL;
    }
    /* A failed run leaves any earlier output file in place. */
    if (run->state.rejects)
        crm_csv_writer_abort(run->state.rejects);
    if (run->state.out)
        crm_csv_writer_abort(run->state.out);
    return st;
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    clean_options_t o = {0};
    crm_clean_config_init(&o.cfg);
    crm_common_options common;
    crm_cli_spec spec = {"crm-clean", usage, clean_options, "q", handle_option, &o, 0, 1};
    int exit_code;
    if (!crm_cli_start(&spec, argc, argv, &common, &exit_code))
        return exit_code;
    crm_error err;
    crm_error_clear(&err);
    crm_status st;
    if (o.explicit_date_format && o.prefer_dates)
        o.prefer_dates = 0; /* an explicit format settles the order already */

    clean_run run = {.o = &o, .common = &common};
    /* every file named before anything is read: an output must not replace an input */
    if ((st = crm_cli_start_outputs(&common, &run.outputs, &err)) != CRM_OK ||
        (st = crm_output_set_add_input(run.outputs, "--costs", o.costs_path, &err)) != CRM_OK ||
        (st = crm_output_set_add_output(run.outputs, "--rejects", o.rejects_path, &err)) != CRM_OK) {
        crm_output_set_free(run.outputs);
        return crm_cli_fail("crm-clean", &err);
    }
    crm_report *report = crm_report_new("crm-clean");
    crm_progress_start(&run.progress, "crm-clean", common.progress);
    st = run_clean(&run, &err);
    crm_progress_finish(&run.progress, run.rows, run.bytes_before);
    st = close_outputs(&run, st, &err);

    if (run.cleaner && report)
        fill_report(report, crm_cleaner_counts(run.cleaner));
    st = crm_cli_end_run("crm-clean", run.outputs, report, common.report, st, &err);
    /* counts only for a run whose files were all written */
    if (run.cleaner && st == CRM_OK && !o.quiet)
        print_counts(crm_cleaner_counts(run.cleaner));
    crm_report_free(report);
    crm_cleaner_free(run.cleaner);
    free(run.is_schema_column);
    for (size_t i = 0; run.copies && i < (common.ninputs ? common.ninputs : 1); i++)
        if (run.copies[i] >= 0)
            close(run.copies[i]);
    free(run.copies);
    free(run.input_names);
    for (size_t i = 0; run.names && i < run.nnames; i++)
        free(run.names[i]);
    free(run.names);
    if (st != CRM_OK)
        return crm_cli_fail("crm-clean", &err);
    return 0;
}
