/* crm-clean: raw transaction exports in, clean transactions out; every
 * rejected row kept, with its line and reason, in the --rejects file. */
#include <stdio.h>
#include <string.h>

#include "crm/clean.h"
#include "crm/clean_costs.h"
#include "crm/clean_export.h"
#include "crm/clean_output.h"
#include "crm/clean_rejects.h"
#include "crm/cli.h"
#include "crm/csv.h"
#include "crm/csv_inputs.h"
#include "crm/date.h"
#include "crm/report.h"

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
    "      --cost-table FILE     product_id,unit_cost table: adds cost and profit\n"
    "      --margin RATE         profit = amount x RATE (e.g. 30%) when there is no cost table\n"
    "Output:\n"
    "      --rejects FILE        rejected rows: file,line,reason,detail, then the row as read\n"
    "  -q, --quiet               do not print the counts by reason on stderr\n"
    CRM_CLI_COMMON_USAGE("--shard I/N  ");

enum {
    OPT_CUSTOMER = 256, OPT_INVOICE, OPT_DATE, OPT_PRODUCT, OPT_QUANTITY, OPT_PRICE, OPT_AMOUNT,
    OPT_DROP_EXTRA, OPT_KEEP_EXTRA, OPT_DATE_FORMAT, OPT_DAYFIRST, OPT_MONTHFIRST, OPT_DECIMAL_COMMA, OPT_RETURNS, OPT_RETURN_WINDOW,
    OPT_CANCEL_PREFIX, OPT_FROM, OPT_TO, OPT_RANGE, OPT_KEEP_IF, OPT_DROP_IF, OPT_ALLOW, OPT_COSTS, OPT_COSTS_OLD,
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
    {"cost-table", required_argument, NULL, OPT_COSTS},
    {"costs", required_argument, NULL, OPT_COSTS_OLD},   /* the old spelling, with a note */
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"rejects", required_argument, NULL, OPT_REJECTS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {NULL, 0, NULL, 0},
};

enum { MAX_CONDITIONS = 64, DETECT_MAX_ROWS = 1000000 };

typedef struct {
    crm_clean_config cfg;
    const char *column_specs[7];   /* customer .. amount, as given */
    int prefer_dates;              /* CRM_DATE_DMY / CRM_DATE_MDY / 0 */
    int explicit_date_format;
    const char *from, *to;
    crm_clean_condition conditions[MAX_CONDITIONS];
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

/* Where an option that only keeps its argument keeps it (NULL: another kind). */
static const char **text_option(clean_options_t *o, int id)
{
    switch (id) {
    case OPT_CANCEL_PREFIX: return &o->cfg.cancel_prefix;
    case OPT_FROM: return &o->from;
    case OPT_TO: return &o->to;
    case OPT_COSTS: return &o->costs_path;
    case OPT_MARGIN: return &o->margin;
    case OPT_REJECTS: return &o->rejects_path;
    default: return id >= OPT_CUSTOMER && id <= OPT_AMOUNT ? &o->column_specs[id - OPT_CUSTOMER] : NULL;
    }
}

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    clean_options_t *o = ctx;
    if (id == OPT_COSTS_OLD)
        crm_cli_note_deprecated("crm-clean", "--costs", "--cost-table"), id = OPT_COSTS;
    const char **text = text_option(o, id);
    if (text) {
        *text = arg;
        return CRM_OK;
    }
    switch (id) {
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
        return crm_clean_parse_return_window(arg, &o->cfg.return_window_days, err);
    case OPT_RANGE: case OPT_KEEP_IF: case OPT_DROP_IF:
        if (o->nconditions == MAX_CONDITIONS)
            return crm_error_set(err, CRM_EUSAGE, "at most %d --range/--keep-if/--drop-if options",
                                 MAX_CONDITIONS);
        o->conditions[o->nconditions++] = (crm_clean_condition){
            id == OPT_RANGE ? CRM_CLEAN_RANGE : id == OPT_KEEP_IF ? CRM_CLEAN_KEEP_IF : CRM_CLEAN_DROP_IF, arg};
        return CRM_OK;
    case OPT_ALLOW:
        return crm_clean_parse_allow(arg, &o->cfg.allowed, err);
    case OPT_QUIET:
        o->quiet = 1;
        return CRM_OK;
    default:
        return crm_error_set(err, CRM_EUSAGE, "unhandled option");
    }
}

/* ---- the run ---- */

typedef struct {
    crm_csv_writer *out;
    crm_csv_writer *rejects;
    const char *const *input_names;        /* per input, as messages name it */
    const crm_cleaner *cleaner;
    crm_clean_output *table;               /* the transactions table, on out */
} run_state;

static crm_status write_kept(void *ctx, const crm_clean_row *row, crm_error *err)
{
    run_state *s = ctx;
    return crm_cli_write_failed(s->out, crm_clean_output_write_row(s->table, row), err);
}

static crm_status write_rejected(void *ctx, uint64_t line, const char *raw, size_t raw_len,
                                 crm_clean_reason reason, const char *detail, crm_error *err)
{
    run_state *s = ctx;
    /* a held purchase may come out while a later input is read */
    const char *input = s->input_names[crm_cleaner_row_input(s->cleaner)];
    crm_status st = crm_clean_rejects_write_row(s->rejects, input, line, reason, detail, raw, raw_len);
    return crm_cli_write_failed(s->rejects, st, err);
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

typedef struct {
    clean_options_t *o;
    const crm_common_options *common;
    crm_output_set *outputs;       /* every file the run writes */
    crm_csv_inputs *inputs;
    crm_cleaner *cleaner;
    run_state state;
    crm_progress progress;
    char **names;                  /* "#1".. for input without a header */
    size_t nnames;
    crm_clean_range ranges[MAX_CONDITIONS];
    crm_clean_filter filters[MAX_CONDITIONS];
    uint64_t rows, bytes_before;
} clean_run;

/* Sets up cleaner and output from the first input's header. */
static crm_status start_run(clean_run *run, crm_csv_reader *r, crm_error *err)
{
    clean_options_t *o = run->o;
    const crm_csv_record *h = crm_csv_header(r);
    size_t n = h ? h->nfields : 0;
    crm_status st;
    crm_clean_export_spec spec = {{NULL}, o->conditions, o->nconditions, !o->explicit_date_format,
                                  o->prefer_dates, DETECT_MAX_ROWS};
    memcpy(spec.columns, o->column_specs, sizeof spec.columns);
    size_t width;
    if ((st = crm_clean_export_resolve(r, &spec, &o->cfg, run->ranges, run->filters, &width, err)) != CRM_OK)
        return st;
    const char *const *names = h ? (const char *const *)h->fields : NULL;
    if (!h) {
        n = width;
        if (!(run->names = crm_clean_export_numbered_names(n)))
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
    if (o->costs_path && (st = crm_clean_costs_load(o->costs_path, run->common->delimiter, run->cleaner, err)) != CRM_OK)
        return st;
    run->state.cleaner = run->cleaner;
    if (!(run->state.table = crm_clean_output_new(run->state.out, run->cleaner, names, n, o->cfg.keep_extra)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if ((st = crm_clean_output_write_header(run->state.table)) != CRM_OK)
        return crm_cli_write_failed(run->state.out, st, err);
    if (run->state.rejects &&
        (st = crm_clean_rejects_write_header(run->state.rejects, crm_csv_header(r))) != CRM_OK)
        return crm_cli_write_failed(run->state.rejects, st, err);
    return CRM_OK;
}

static crm_status run_clean(clean_run *run, crm_error *err)
{
    const crm_common_options *common = run->common;
    clean_options_t *o = run->o;
    crm_status st = CRM_OK;
    if ((o->from && (st = crm_cli_parse_day("--from", o->from, &o->cfg.from_day, err)) != CRM_OK) ||
        (o->to && (st = crm_cli_parse_day("--to", o->to, &o->cfg.to_day, err)) != CRM_OK) ||
        (o->margin && (st = crm_clean_parse_margin(o->margin, &o->cfg.margin, err)) != CRM_OK))
        return st;
    o->cfg.has_from = o->from != NULL;
    o->cfg.has_to = o->to != NULL;
    o->cfg.has_margin = o->margin != NULL;
    o->cfg.shard = common->shard;
    if (o->cfg.has_margin && o->costs_path)
        return crm_error_set(err, CRM_EUSAGE, "--margin and --cost-table exclude each other");
    if (o->return_window_given && o->cfg.returns != CRM_RETURNS_NET)
        return crm_error_set(err, CRM_EUSAGE, "--return-window is for --returns net");

    if ((st = crm_cli_open_main_output(run->outputs, common, &run->state.out, err)) != CRM_OK)
        return st;
    if (o->rejects_path &&
        (st = crm_cli_open_output(run->outputs, o->rejects_path, -1, &run->state.rejects, err)) != CRM_OK)
        return st;
    /* the rejects' copies of the input rows are raw bytes, never changed */
    if (run->state.rejects)
        crm_csv_writer_escape_formulas(run->state.rejects, common->escape_formulas);

    /* With --returns net the input is read twice (crm_cleaner_prescan): a
     * stream that cannot be read again is first copied to a temporary file. */
    if ((st = crm_csv_inputs_new(&run->inputs, (const char *const *)common->inputs, common->ninputs,
                                 o->cfg.returns == CRM_RETURNS_NET, err)) != CRM_OK)
        return st;
    size_t ninputs = crm_csv_inputs_count(run->inputs);
    run->state.input_names = crm_csv_inputs_names(run->inputs);
    crm_csv_options opts;
    crm_cli_csv_options(common, &opts);
    crm_csv_reader *first = NULL;
    int twice = 0;
    for (size_t i = 0; i < ninputs && st == CRM_OK; i++) {
        crm_csv_reader *r;
        if ((st = crm_csv_inputs_open(run->inputs, i, &opts, &r, err)) != CRM_OK)
            break;
        if (!first) {
            st = start_run(run, r, err);
            twice = st == CRM_OK && o->cfg.returns == CRM_RETURNS_NET && crm_cleaner_nets_returns(run->cleaner);
        } else {
            st = crm_clean_export_same_header(first, r, err);
        }
        if (st == CRM_OK)
            st = twice ? crm_clean_export_prescan_all(run->cleaner, r, err)
                       : crm_clean_export_push_all(run->cleaner, r, (uint32_t)i, &run->progress, &run->rows,
                                                   &run->bytes_before, err);
        if (!first)
            first = r;
        else
            crm_csv_close(r);
    }
    if (twice && st == CRM_OK)
        crm_cleaner_prescan_done(run->cleaner);
    for (size_t i = 0; twice && i < ninputs && st == CRM_OK; i++) {
        crm_csv_reader *r;
        if ((st = crm_csv_inputs_open(run->inputs, i, &opts, &r, err)) != CRM_OK)
            break;
        if ((st = crm_clean_export_same_header(first, r, err)) == CRM_OK)
            st = crm_clean_export_push_all(run->cleaner, r, (uint32_t)i, &run->progress, &run->rows,
                                           &run->bytes_before, err);
        crm_csv_close(r);
    }
    if (st == CRM_OK)
        st = crm_cleaner_finish(run->cleaner, err);
    crm_csv_close(first);
    return st;
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    clean_options_t o = {0};
    crm_clean_config_init(&o.cfg);
    crm_common_options common;
    crm_cli_spec spec = {"crm-clean", usage, clean_options, "q", handle_option, &o, 0, 1, 0};
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
        (st = crm_output_set_add_input(run.outputs, "--cost-table", o.costs_path, &err)) != CRM_OK ||
        (st = crm_output_set_add_output(run.outputs, "--rejects", o.rejects_path, &err)) != CRM_OK) {
        crm_output_set_free(run.outputs);
        return crm_cli_fail("crm-clean", &err);
    }
    crm_report *report = crm_report_new("crm-clean");
    crm_progress_start(&run.progress, "crm-clean", common.progress);
    st = run_clean(&run, &err);
    crm_progress_finish(&run.progress, run.rows, run.bytes_before);
    crm_csv_writer *files[2] = {run.state.rejects, run.state.out};
    st = crm_csv_writers_finish(files, 2, st, &err);

    if (run.cleaner && report)
        crm_clean_export_report(report, crm_cleaner_counts(run.cleaner));
    st = crm_cli_end_run("crm-clean", run.outputs, report, common.report, st, &err);
    /* counts only for a run whose files were all written */
    if (run.cleaner && st == CRM_OK && !o.quiet)
        print_counts(crm_cleaner_counts(run.cleaner));
    crm_report_free(report);
    crm_cleaner_free(run.cleaner);
    crm_clean_output_free(run.state.table);
    crm_csv_inputs_free(run.inputs);
    crm_clean_export_free_names(run.names, run.nnames);
    if (st != CRM_OK)
        return crm_cli_fail("crm-clean", &err);
    return 0;
}
