/* crm-rfm: transactions in, one row per customer out: RFM (and CRFM) values
 * and scores, and the model summary lifetime-value models read. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/attributes.h"
#include "crm/clean.h"
#include "crm/cli.h"
#include "crm/csv.h"
#include "crm/date.h"
#include "crm/interactions.h"
#include "crm/number.h"
#include "crm/report.h"
#include "crm/rfm.h"
#include "crm/rfm_breaks.h"
#include "crm/rfm_breaks_file.h"
#include "crm/rfm_input.h"
#include "crm/rfm_partial.h"
#include "crm/rfm_table.h"
#include "crm/rfm_windows.h"
#include "crm/units.h"

static const char usage[] =
    "Usage: crm-rfm [OPTIONS] [FILE...]\n"
    "Reads transactions (crm-clean's output; CSV, gzip or plain; standard input when no\n"
    "FILE) and writes one row per customer, sorted by customer_id: first_date, last_date,\n"
    "recency_days, frequency, monetary, avg_order_value, tenure_days, r_score, f_score,\n"
    "m_score, rfm_score [, profit, avg_profit], x, t_x, T, monetary_value\n"
    "[, x_holdout, monetary_holdout, duration_holdout].  Definitions in crm-rfm(1).\n"
    "\n"
    "Columns (name or 1-based index; default: the crm-clean names):\n"
    "      --customer COL  --invoice COL  --date COL  --amount COL  --profit COL\n"
    "      --no-invoice          frequency counts purchase days even with an invoice column\n"
    "      --date-format FMT     strptime format of the dates (default: ISO 8601)\n"
    "Period:\n"
    "      --as-of DATE          the day the table is for (default: the day after the\n"
    "                            last purchase); later rows are left out and counted\n"
    "      --calibration-end DATE  summary over the period up to DATE (inclusive) plus\n"
    "                            x_holdout, monetary_holdout, duration_holdout after it\n"
    "Scores:\n"
    "      --bins N              scores 1..N, N the best (default 5)\n"
    "      --breaks D=B1,B2,...  fixed breakpoints for D = r, f or m (N - 1 of them)\n"
    "      --monetary amount|profit  what M scores (default amount)\n"
    "      --thresholds FILE     write the breakpoints used\n"
    "      --breaks-only         write the breakpoints file (bins, as-of date, breakpoints of\n"
    "                            all the customers) instead of the table; with --merge it\n"
    "                            holds one customer at a time\n"
    "      --breaks-file FILE    score with a --breaks-only file (its bins, as-of date and\n"
    "                            breakpoints): a shard's customers as one process scores them\n"
    "Model summary:\n"
    "      --unit days|weeks|months|years  unit of t_x, T, duration_holdout (default days)\n"
    "      --decimals N          round t_x, T, monetary_value and the holdout values to N\n"
    "                            decimals, exactly, half away from zero (default: shortest)\n"
    "Interactions (web visits, calls, store visits, survey answers; crm-rfm(1)):\n"
    "      --interactions FILE   customer_id, date[, channel] (the same --customer, --date\n"
    "                            and --date-format): adds interactions, last_interaction,\n"
    "                            interaction_recency_days\n"
    "      --recency-from purchases|interactions|both  what R scores (default purchases)\n"
    "      --prospects           also write the customers seen only in the interactions,\n"
    "                            with empty purchase columns\n"
    "Lifecycle:\n"
    "      --recent-window D     purchases_recent (purchases in the last D before the\n"
    "                            as-of date) and purchases_previous (the D before that),\n"
    "                            for crm-segment --by lifecycle's trend (90d, 12w, 3m)\n"
    "      --loyalty-period D    consecutive_periods (periods of D back from the as-of\n"
    "                            date with a purchase each) and gap_cv (regularity of\n"
    "                            the purchase gaps), for crm-segment --by loyalty\n"
    "Customer attributes (one value per customer, as last columns):\n"
    "      --keep COL            carry the column COL (repeatable)\n"
    "      --keep-rule latest|first|most  the latest transaction's value (default),\n"
    "                            the first's, or the value on most rows\n"
    "Split runs:\n"
    "      --partial             write the mergeable per-customer-day aggregates instead\n"
    "      --merge               the inputs are --partial files (cut anyhow, concatenated or\n"
    "                            not): combine them and score; with --partial, write the\n"
    "                            merge as a partial file again (a tree of merges)\n"
    "Bad rows:\n"
    "      --skip-bad            skip unreadable rows, count them and report the first\n"
    "  -q, --quiet               no notes on stderr about rows left out or skipped\n"
    "Common:\n"
    "  -o, --output FILE  -z, --gzip  -d, --delimiter C  -t, --tab  --encoding NAME\n"
    "  --no-header  --max-field-size N  --threads N  --progress  --report FILE\n"
    "  --escape-formulas  --shard I/N  --help  --version\n";

enum {
    OPT_CUSTOMER = 256, OPT_INVOICE, OPT_DATE, OPT_AMOUNT, OPT_PROFIT, OPT_NO_INVOICE, OPT_DATE_FORMAT,
    OPT_AS_OF, OPT_CALIBRATION_END, OPT_BINS, OPT_BREAKS, OPT_MONETARY, OPT_THRESHOLDS, OPT_UNIT,
    OPT_DECIMALS, OPT_PARTIAL, OPT_MERGE, OPT_SKIP_BAD, OPT_KEEP, OPT_KEEP_RULE,
    OPT_INTERACTIONS, OPT_RECENCY_FROM, OPT_PROSPECTS, OPT_RECENT_WINDOW, OPT_LOYALTY_PERIOD, OPT_BREAKS_ONLY,
    OPT_BREAKS_FILE, OPT_QUIET = 'q'
};

static const struct option rfm_options[] = {
    {"customer", required_argument, NULL, OPT_CUSTOMER}, {"invoice", required_argument, NULL, OPT_INVOICE},
    {"date", required_argument, NULL, OPT_DATE}, {"amount", required_argument, NULL, OPT_AMOUNT},
    {"profit", required_argument, NULL, OPT_PROFIT}, {"no-invoice", no_argument, NULL, OPT_NO_INVOICE},
    {"date-format", required_argument, NULL, OPT_DATE_FORMAT}, {"as-of", required_argument, NULL, OPT_AS_OF},
    {"calibration-end", required_argument, NULL, OPT_CALIBRATION_END}, {"bins", required_argument, NULL, OPT_BINS},
    {"breaks", required_argument, NULL, OPT_BREAKS}, {"monetary", required_argument, NULL, OPT_MONETARY},
    {"thresholds", required_argument, NULL, OPT_THRESHOLDS}, {"breaks-only", no_argument, NULL, OPT_BREAKS_ONLY},
    {"breaks-file", required_argument, NULL, OPT_BREAKS_FILE}, {"unit", required_argument, NULL, OPT_UNIT},
    {"decimals", required_argument, NULL, OPT_DECIMALS}, {"partial", no_argument, NULL, OPT_PARTIAL},
    {"merge", no_argument, NULL, OPT_MERGE}, {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
    {"keep", required_argument, NULL, OPT_KEEP}, {"keep-rule", required_argument, NULL, OPT_KEEP_RULE},
    {"interactions", required_argument, NULL, OPT_INTERACTIONS}, {"recency-from", required_argument, NULL, OPT_RECENCY_FROM},
    {"prospects", no_argument, NULL, OPT_PROSPECTS}, {"recent-window", required_argument, NULL, OPT_RECENT_WINDOW},
    {"loyalty-period", required_argument, NULL, OPT_LOYALTY_PERIOD}, {"quiet", no_argument, NULL, OPT_QUIET},
    {NULL, 0, NULL, 0},
};

enum { COL_CUSTOMER, NCOLS = CRM_RFM_INPUT_COLUMNS };

static const char skip_hint[] = "; clean the export with crm-clean first, or pass --skip-bad";

enum { MAX_KEEP = CRM_RFM_MAX_KEEP };

typedef struct {
    const char *column_specs[NCOLS];
    int no_invoice;
    crm_date_format date_format;
    const char *as_of, *calibration_end;
    crm_rfm_options rfm;
    double *breaks[CRM_RFM_DIMENSIONS];
    const char *breaks_text[CRM_RFM_DIMENSIONS];
    const char *thresholds;
    int breaks_only, bins_given, monetary_given;
    const char *breaks_file;       /* --breaks-file */
    crm_rfm_breakpoints file_breaks;   /* read from it; o->rfm points into it */
    crm_time_unit unit;
    int decimals;              /* -1: shortest */
    int partial, merge, skip_bad, quiet;
    const char *keep[MAX_KEEP];   /* --keep columns, as given */
    size_t nkeep;
    crm_keep_rule keep_rule;
    const char *interactions;  /* --interactions FILE */
    int recency_from_given, prospects;
    crm_recency_from recency_from;
    int32_t recent_window;     /* --recent-window in days; 0: not asked */
    int32_t loyalty_period;    /* --loyalty-period in days; 0: not asked */
} rfm_options_t;

static crm_status parse_int_option(const char *option, const char *arg, int lo, int hi, int *out, crm_error *err)
{
    int64_t v;
    if (crm_parse_int64(arg, strlen(arg), &v) != CRM_OK || v < lo || v > hi)
        return crm_error_set(err, CRM_EUSAGE, "%s wants a whole number in %d..%d, got '%s'", option, lo, hi, arg);
    *out = (int)v;
    return CRM_OK;
}

/* One of names (NULL-ended) into *choice. */
static crm_status choose(const char *option, const char *arg, const char *const *names, int *choice, crm_error *err)
{
    return crm_cli_parse_choice(option, arg, names, choice, err) == CRM_OK ? CRM_OK : CRM_EUSAGE;
}

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    static const char *const monetary[] = {"amount", "profit", NULL}, *const rules[] = {"latest", "first", "most", NULL},
                             *const recency[] = {"purchases", "interactions", "both", NULL};
    rfm_options_t *o = ctx;
    /* the options that keep their argument, and the flags */
    const char **text = id == OPT_AS_OF ? &o->as_of : id == OPT_CALIBRATION_END ? &o->calibration_end
                      : id == OPT_THRESHOLDS ? &o->thresholds : id == OPT_BREAKS_FILE ? &o->breaks_file
                      : id == OPT_INTERACTIONS ? &o->interactions
                      : id >= OPT_CUSTOMER && id <= OPT_PROFIT ? &o->column_specs[id - OPT_CUSTOMER] : NULL;
    int *flag = id == OPT_NO_INVOICE ? &o->no_invoice : id == OPT_BREAKS_ONLY ? &o->breaks_only
              : id == OPT_PARTIAL ? &o->partial : id == OPT_MERGE ? &o->merge : id == OPT_SKIP_BAD ? &o->skip_bad
              : id == OPT_PROSPECTS ? &o->prospects : id == OPT_QUIET ? &o->quiet : NULL;
    int i;
    crm_status st;
    if (text || flag)
        return text ? (*text = arg, CRM_OK) : (*flag = 1, CRM_OK);
    switch (id) {
    case OPT_DATE_FORMAT:
        return crm_date_format_set_pattern(&o->date_format, arg, err);
    case OPT_BINS:
        o->bins_given = 1;
        return parse_int_option("--bins", arg, CRM_RFM_MIN_BINS, CRM_RFM_MAX_SCORE_BINS, &o->rfm.bins, err);
    case OPT_BREAKS: {
        const char *dims = "rfm", *hit = arg[0] ? strchr(dims, arg[0]) : NULL;
        if (!hit || arg[1] != '=')
            return crm_error_set(err, CRM_EUSAGE, "--breaks wants r=, f= or m= and numbers, got '%s'", arg);
        o->breaks_text[hit - dims] = arg + 2;
        return CRM_OK;
    }
    case OPT_MONETARY:
        if ((st = choose("--monetary", arg, monetary, &i, err)) == CRM_OK)
            o->rfm.monetary = i == 0 ? CRM_RFM_SCORE_AMOUNT : CRM_RFM_SCORE_PROFIT, o->monetary_given = 1;
        return st;
    case OPT_UNIT:
        if (crm_parse_time_unit(arg, &o->unit, err) != CRM_OK)
            return crm_error_set(err, CRM_EUSAGE, "--unit wants days, weeks, months or years, got '%s'", arg);
        return CRM_OK;
    case OPT_DECIMALS:
        return parse_int_option("--decimals", arg, 0, CRM_DECIMAL_MAX_SCALE, &o->decimals, err);
    case OPT_KEEP:
        if (o->nkeep == MAX_KEEP)
            return crm_error_set(err, CRM_EUSAGE, "--keep is given more than %d times", MAX_KEEP);
        o->keep[o->nkeep++] = arg;
        return CRM_OK;
    case OPT_KEEP_RULE:
        if ((st = choose("--keep-rule", arg, rules, &i, err)) == CRM_OK)
            o->keep_rule = (crm_keep_rule)i;
        return st;
    case OPT_RECENCY_FROM:
        if ((st = choose("--recency-from", arg, recency, &i, err)) == CRM_OK)
            o->recency_from = (crm_recency_from)i, o->recency_from_given = 1;
        return st;
    case OPT_RECENT_WINDOW: case OPT_LOYALTY_PERIOD: {
        crm_duration d;
        double days;
        const char *name = id == OPT_RECENT_WINDOW ? "--recent-window" : "--loyalty-period";
        if (crm_parse_duration(arg, &d, err) != CRM_OK || !((days = crm_duration_in(d, CRM_UNIT_DAY)) >= 0.5) ||
            days > 36525)
            return crm_error_set(err, CRM_EUSAGE, "%s wants a duration of at least one day "
                                 "(90d, 12w, 3m), got '%s'", name, arg);
        /* 3m = 91.3125 days: 91 */
        *(id == OPT_RECENT_WINDOW ? &o->recent_window : &o->loyalty_period) = (int32_t)(days + 0.5);
        return CRM_OK;
    }
    default:
        return crm_error_set(err, CRM_EUSAGE, "unhandled option");
    }
}

/* ---- reading ---- */

typedef struct {
    rfm_options_t *o;
    const crm_common_options *common;
    crm_output_set *outputs;   /* every file the run writes */
    crm_rfm *rfm;
    crm_rfm_input *input;      /* the transactions' reader (not with --merge) */
    crm_progress progress;
    uint64_t rows, bytes_before;
    crm_bad_rows bad;
    crm_interactions *interactions;        /* with --interactions */
    crm_rfm_extras extras;                 /* --recent-window, --loyalty-period: per table row */
    uint64_t interaction_rows, prospects;
    int invoice_keys;          /* the partial files carry invoice_keys; --partial writes them */
} rfm_run;

/* A bad row stops the run with the hint to crm-clean, or is counted. */
static crm_status bad_row(rfm_run *run, crm_error *err)
{
    return crm_cli_bad_row(&run->bad, err);
}

static crm_status skip_or_stop(void *ctx, crm_error *err)
{
    return bad_row(ctx, err);
}

/* ---- partial files ---- */

static int in_shard(void *ctx, const char *customer, size_t len)
{
    return crm_clean_in_shard(ctx, customer, len);
}

/* Every day total of a partial file into the aggregator (made by the first). */
static crm_status add_partials(rfm_run *run, crm_csv_reader *r, int first, crm_error *err)
{
    crm_rfm_partial_reader *p;
    crm_status st = crm_rfm_partial_open(&p, r, err);
    if (st != CRM_OK)
        return st;
    crm_rfm_partial_set_keep(p, in_shard, (void *)&run->common->shard);
    st = crm_rfm_partial_merge(&run->rfm, &run->invoice_keys, p, first, run->o->partial, skip_or_stop, run, err);
    run->rows += crm_rfm_partial_records(p);
    crm_progress_update(&run->progress, run->rows, run->bytes_before + crm_csv_raw_bytes(r));
    crm_rfm_partial_close(p);
    return st;
}

/* ---- the run ---- */

static crm_status start_input(rfm_run *run, crm_csv_reader *r, int first, crm_error *err)
{
    crm_status st = crm_rfm_input_start(run->input, r, first, err);
    run->rfm = crm_rfm_input_aggregator(run->input);
    run->invoice_keys = run->rfm && crm_rfm_get_config(run->rfm)->by_invoice && run->o->partial;
    return st;
}

/* The transactions' reader, told what the options say. */
static crm_status new_input(rfm_run *run, crm_error *err)
{
    const rfm_options_t *o = run->o;
    crm_rfm_input_options in = {.no_invoice = o->no_invoice, .date_format = o->date_format, .keep = o->keep,
                                .nkeep = o->nkeep, .keep_rule = o->keep_rule,
                                .keep_until = o->as_of != NULL || o->calibration_end != NULL, .as_of = o->rfm.as_of,
                                .monetary_profit = o->rfm.monetary == CRM_RFM_SCORE_PROFIT,
                                .invoice_keys = o->partial, .shard = &run->common->shard,
                                .on_bad = skip_or_stop, .bad_ctx = run};
    memcpy(in.columns, o->column_specs, sizeof in.columns);
    return crm_rfm_input_new(&run->input, &in, err);
}

static crm_status read_inputs(rfm_run *run, crm_error *err)
{
    const crm_common_options *common = run->common;
    size_t ninputs = common->ninputs ? common->ninputs : 1;
    crm_status st = CRM_OK;
    for (size_t i = 0; i < ninputs && st == CRM_OK; i++) {
        crm_csv_reader *r;
        if ((st = crm_cli_open_input(common, common->ninputs ? common->inputs[i] : NULL, &r, err)) != CRM_OK)
            break;
        st = run->o->merge ? add_partials(run, r, i == 0, err) : start_input(run, r, i == 0, err);
        const crm_csv_record *rec;
        while (st == CRM_OK && !run->o->merge && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
            st = crm_rfm_input_add(run->input, r, rec, err);
            crm_progress_update(&run->progress, ++run->rows, run->bytes_before + crm_csv_raw_bytes(r));
        }
        run->bytes_before += crm_csv_raw_bytes(r);
        crm_csv_close(r);
    }
    return st;
}

/* Reads the --interactions file once the as-of date is known. */
static crm_status read_interactions(rfm_run *run, crm_error *err)
{
    crm_csv_reader *r;
    const rfm_options_t *o = run->o;
    crm_status st = crm_interactions_new(&run->interactions, o->rfm.as_of, err);
    if (st != CRM_OK || (st = crm_cli_open_input(run->common, o->interactions, &r, err)) != CRM_OK)
        return st;
    crm_rfm_input_options in = {.columns = {o->column_specs[0], NULL, o->column_specs[2]},
                                .date_format = o->date_format, .on_bad = skip_or_stop, .bad_ctx = run};
    st = crm_rfm_interactions_read(run->interactions, r, &in, &run->interaction_rows, err);
    crm_csv_close(r);
    return st;
}

/* ---- writing ---- */

static crm_status write_table(crm_csv_writer *w, rfm_run *run, const crm_rfm_result *res, crm_error *err)
{
    const rfm_options_t *o = run->o;
    crm_rfm_table_options t = {o->unit, o->decimals, crm_rfm_get_config(run->rfm)->with_profit,
                               o->rfm.has_calibration_end, run->interactions, o->prospects, o->rfm.as_of,
                               run->extras.recent, run->extras.previous, run->extras.streak, run->extras.gap_cv,
                               run->input ? crm_rfm_input_attributes(run->input) : NULL,
                               run->input ? crm_rfm_input_keep_names(run->input) : NULL, o->nkeep};
    return crm_rfm_table_write(w, res, &t, &run->prospects, err);
}

static crm_status write_thresholds(crm_output_set *outputs, const char *path, const crm_rfm_result *res,
                                   crm_error *err)
{
    crm_csv_writer *w;
    crm_status st = crm_cli_open_output(outputs, path, -1, &w, err);
    if (st != CRM_OK)
        return st;
    if ((st = crm_rfm_thresholds_write(w, res, err)) != CRM_OK) {
        st = crm_cli_write_failed(w, st, err);
        crm_csv_writer_abort(w);
        return st == CRM_EPIPE ? crm_error_set(err, CRM_EIO, "%s: write failed: closed pipe", path) : st;
    }
    return crm_csv_writer_close(w, err);
}

/* ---- main ---- */

/* What --breaks-only and --breaks-file do not combine with. */
static crm_status check_breaks_options(const rfm_options_t *o, crm_error *err)
{
    int fixed = o->breaks_text[0] || o->breaks_text[1] || o->breaks_text[2];
    if (o->breaks_only && (o->partial || o->thresholds || o->interactions || o->recent_window ||
                           o->loyalty_period || o->breaks_file))
        return crm_error_set(err, CRM_EUSAGE, "--breaks-only writes the breakpoints file alone: not with %s",
                             o->partial ? "--partial" : o->thresholds ? "--thresholds"
                             : o->interactions ? "--interactions" : o->recent_window ? "--recent-window"
                             : o->loyalty_period ? "--loyalty-period" : "--breaks-file");
    if (o->breaks_file && (o->partial || o->as_of || o->calibration_end || fixed))
        return crm_error_set(err, CRM_EUSAGE, "--breaks-file sets the as-of date, the calibration end and the "
                             "breakpoints: not with %s", o->partial ? "--partial" : o->as_of ? "--as-of"
                             : o->calibration_end ? "--calibration-end" : "--breaks");
    if (o->breaks_file && o->recency_from != CRM_RECENCY_FROM_PURCHASES)
        return crm_error_set(err, CRM_EUSAGE, "--breaks-file scores r on the purchase recency: not with --recency-from");
    return CRM_OK;
}

/* --breaks-file: read, checked against --bins and --monetary, into o->rfm. */
static crm_status read_breaks_file(rfm_options_t *o, const crm_common_options *common, crm_error *err)
{
    crm_csv_reader *r;
    crm_status st = crm_cli_open_input(common, o->breaks_file, &r, err);
    if (st != CRM_OK)
        return st;
    st = crm_rfm_breakpoints_read(r, &o->file_breaks, err);
    crm_csv_close(r);
    const crm_rfm_breakpoints *b = &o->file_breaks;
    if (st == CRM_OK && o->bins_given && o->rfm.bins != b->bins)
        return crm_error_set(err, CRM_EUSAGE, "--bins %d, but %s has %d bins", o->rfm.bins, o->breaks_file, b->bins);
    if (st == CRM_OK && o->monetary_given && o->rfm.monetary != b->monetary)
        return crm_error_set(err, CRM_EUSAGE, "--monetary %s, but %s scores m on %s",
                             o->rfm.monetary == CRM_RFM_SCORE_PROFIT ? "profit" : "amount", o->breaks_file,
                             b->monetary == CRM_RFM_SCORE_PROFIT ? "profit" : "amount");
    if (st == CRM_OK)
        crm_rfm_breakpoints_apply(b, &o->rfm);
    return st;
}

static crm_status check_options(rfm_options_t *o, crm_error *err)
{
    crm_status st = check_breaks_options(o, err);
    if (st != CRM_OK)
        return st;
    if (o->nkeep && (o->partial || o->merge))
        return crm_error_set(err, CRM_EUSAGE, "--keep works on transactions, not with --partial or --merge");
    if (o->partial && (o->as_of || o->calibration_end || o->thresholds))
        return crm_error_set(err, CRM_EUSAGE,
                             "--partial writes aggregates before any scoring: give --as-of, --calibration-end "
                             "and --thresholds to the --merge run");
    if (!o->interactions && (o->recency_from_given || o->prospects))
        return crm_error_set(err, CRM_EUSAGE, "%s needs --interactions FILE",
                             o->prospects ? "--prospects" : "--recency-from");
    if ((o->recent_window || o->loyalty_period) && o->partial)
        return crm_error_set(err, CRM_EUSAGE, "%s works on the scoring run: give it to the --merge run, "
                             "not with --partial", o->recent_window ? "--recent-window" : "--loyalty-period");
    if (o->interactions && o->partial)
        return crm_error_set(err, CRM_EUSAGE, "--interactions works on the scoring run: give it to the --merge run, "
                             "not with --partial");
    if (o->interactions && strcmp(o->interactions, "-") == 0)
        return crm_error_set(err, CRM_EUSAGE, "--interactions wants a file: standard input is for the transactions");
    if (o->as_of && o->calibration_end)
        return crm_error_set(err, CRM_EUSAGE,
                             "--as-of and --calibration-end exclude each other (the as-of date is then the day after the calibration end)");
    if (o->as_of && (st = crm_cli_parse_day("--as-of", o->as_of, &o->rfm.as_of, err)) != CRM_OK)
        return st;
    if (o->calibration_end &&
        (st = crm_cli_parse_day("--calibration-end", o->calibration_end, &o->rfm.calibration_end, err)) != CRM_OK)
        return st;
    if (o->calibration_end) {
        o->rfm.has_calibration_end = 1;
        o->rfm.as_of = o->rfm.calibration_end + 1;
    }
    for (int d = 0; d < CRM_RFM_DIMENSIONS && st == CRM_OK; d++)
        if (o->breaks_text[d])
            if ((st = crm_rfm_breaks_parse("rfm"[d], o->breaks_text[d], o->rfm.bins, &o->breaks[d], err)) == CRM_OK)
                o->rfm.breaks[d] = o->breaks[d];
    return st;
}

static void print_notes(const rfm_options_t *o, const rfm_run *run, const crm_rfm_result *res)
{
    if (o->quiet)
        return;
    crm_cli_note_skipped("crm-rfm", &run->bad);
    char day[CRM_DATE_ISO_MAX];
    if (o->rfm.has_calibration_end) {
        crm_datetime_format((crm_datetime){o->rfm.calibration_end, CRM_NO_TIME}, day);
        if (res->customers_left_out)
            fprintf(stderr, "crm-rfm: %" PRIu64 " customer%s with no purchase up to the calibration end %s "
                    "left out (%" PRIu64 " rows)\n", res->customers_left_out,
                    res->customers_left_out == 1 ? "" : "s", day, res->rows_after);
    } else if (res->rows_after) {
        crm_datetime_format((crm_datetime){o->rfm.as_of, CRM_NO_TIME}, day);
        fprintf(stderr, "crm-rfm: %" PRIu64 " row%s dated on or after the as-of date %s left out",
                res->rows_after, res->rows_after == 1 ? "" : "s", day);
        if (res->customers_left_out)
            fprintf(stderr, "; %" PRIu64 " customer%s with no purchase before it", res->customers_left_out,
                    res->customers_left_out == 1 ? "" : "s");
        fputc('\n', stderr);
    }
    if (run->interactions && crm_interactions_rows_after(run->interactions)) {
        uint64_t n = crm_interactions_rows_after(run->interactions);
        crm_datetime_format((crm_datetime){o->rfm.as_of, CRM_NO_TIME}, day);
        fprintf(stderr, "crm-rfm: %" PRIu64 " interaction%s dated on or after the as-of date %s left out\n", n,
                n == 1 ? "" : "s", day);
    }
}

/* --merge --breaks-only: the partial files read side by side, one customer
 * at a time (crm_rfm_partial_breakpoints), into the breakpoints file. */
static crm_status breaks_from_partials(rfm_run *run, crm_csv_writer *w, crm_error *err)
{
    const crm_common_options *common = run->common;
    size_t n = common->ninputs ? common->ninputs : 1;
    crm_csv_reader **readers = calloc(n, sizeof *readers);
    crm_rfm_partial_reader **parts = calloc(n, sizeof *parts);
    crm_status st = readers && parts ? CRM_OK : crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        st = crm_cli_open_input(common, common->ninputs ? common->inputs[i] : NULL, &readers[i], err);
        if (st == CRM_OK && (st = crm_rfm_partial_open(&parts[i], readers[i], err)) == CRM_OK)
            crm_rfm_partial_set_keep(parts[i], in_shard, (void *)&common->shard);
    }
    crm_rfm_breakpoints b;
    if (st == CRM_OK)
        st = crm_rfm_partial_breakpoints(parts, n, &run->o->rfm, run->o->as_of != NULL, skip_or_stop, run, &b, err);
    if (st == CRM_OK)
        st = crm_rfm_breakpoints_write(w, &b, err);
    for (size_t i = 0; i < n && readers && parts; i++) {
        run->rows += parts[i] ? crm_rfm_partial_records(parts[i]) : 0;
        crm_rfm_partial_close(parts[i]);
        crm_csv_close(readers[i]);
    }
    free(readers);
    free(parts);
    return st;
}

/* --breaks-only without --merge: the breakpoints of the table computed. */
static crm_status write_breaks(crm_csv_writer *w, const rfm_run *run, const crm_rfm_result *res, crm_error *err)
{
    int32_t last = run->o->rfm.calibration_end;
    crm_rfm_last_day(run->rfm, &last);
    crm_rfm_breakpoints b;
    crm_rfm_breakpoints_from_result(&b, res, &run->o->rfm, last);
    return crm_rfm_breakpoints_write(w, &b, err);
}

static crm_status run_rfm(rfm_run *run, crm_csv_writer **out, crm_rfm_result *res, crm_error *err)
{
    rfm_options_t *o = run->o;
    crm_status st = check_options(o, err);
    if (st != CRM_OK)
        return st;
    if (o->partial && run->common->escape_formulas)
        return crm_error_set(err, CRM_EUSAGE, "--partial writes a file for --merge to read, not for a spreadsheet: "
                             "give --escape-formulas to the --merge run");
    if (!o->merge && (st = new_input(run, err)) != CRM_OK)
        return st;
    if (o->breaks_file && (st = read_breaks_file(o, run->common, err)) != CRM_OK)
        return st;
    if ((st = crm_cli_open_output(run->outputs, run->common->output, run->common->gzip, out, err)) != CRM_OK)
        return st;
    crm_csv_writer_escape_formulas(*out, run->common->escape_formulas);
    if (o->breaks_only && o->merge)
        return crm_cli_write_failed(*out, breaks_from_partials(run, *out, err), err);
    if ((st = read_inputs(run, err)) != CRM_OK)
        return st;
    if (o->partial)
        return crm_cli_write_failed(*out, crm_rfm_partial_write(*out, run->rfm, run->invoice_keys, err), err);
    int32_t last = 0;
    if (!o->as_of && !o->calibration_end && !o->breaks_file)
        o->rfm.as_of = crm_rfm_last_day(run->rfm, &last) ? last + 1 : 0;
    /* the table is written row by row: rows kept as ids, unless recency is scored again */
    o->rfm.rows_on_demand = o->recency_from == CRM_RECENCY_FROM_PURCHASES;
    if ((st = crm_rfm_finish(run->rfm, &o->rfm, res, err)) != CRM_OK)
        return st;
    if (o->breaks_only)
        return crm_cli_write_failed(*out, write_breaks(*out, run, res, err), err);
    if (o->interactions && (st = read_interactions(run, err)) != CRM_OK)
        return st;
    if (o->recency_from != CRM_RECENCY_FROM_PURCHASES &&
        (st = crm_rfm_rescore_recency(res, &o->rfm, run->interactions, o->recency_from, err)) != CRM_OK)
        return st;
    if ((st = crm_rfm_extras_compute(run->rfm, res, o->rfm.as_of, o->recent_window, o->loyalty_period, &run->extras,
                                     err)) != CRM_OK)
        return st;
    if (o->thresholds && (st = write_thresholds(run->outputs, o->thresholds, res, err)) != CRM_OK)
        return st;
    return crm_cli_write_failed(*out, write_table(*out, run, res, err), err);
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    rfm_options_t o = {0};
    crm_date_format_set(&o.date_format, CRM_DATE_ISO);
    crm_rfm_options_init(&o.rfm);
    o.unit = CRM_UNIT_DAY;
    o.decimals = -1;
    crm_common_options common;
    crm_cli_spec spec = {"crm-rfm", usage, rfm_options, "q", handle_option, &o, 0, 1, 0};
    int exit_code;
    if (!crm_cli_start(&spec, argc, argv, &common, &exit_code))
        return exit_code;
    crm_error err;
    crm_error_clear(&err);
    crm_status st;

    rfm_run run = {.o = &o, .common = &common};
    run.bad.skip = o.skip_bad;
    run.bad.hint = skip_hint;
    /* every file named before anything is read: an output must not replace an input */
    if ((st = crm_cli_start_outputs(&common, &run.outputs, &err)) != CRM_OK ||
        (st = crm_output_set_add_output(run.outputs, "--thresholds", o.thresholds, &err)) != CRM_OK ||
        (st = crm_output_set_add_input(run.outputs, "--interactions", o.interactions, &err)) != CRM_OK ||
        (st = crm_output_set_add_input(run.outputs, "--breaks-file", o.breaks_file, &err)) != CRM_OK) {
        crm_output_set_free(run.outputs);
        return crm_cli_fail("crm-rfm", &err);
    }
    crm_rfm_result res = {0};
    crm_csv_writer *out = NULL;
    crm_report *report = crm_report_new("crm-rfm");
    crm_progress_start(&run.progress, "crm-rfm", common.progress);
    st = run_rfm(&run, &out, &res, &err);
    crm_progress_finish(&run.progress, run.rows, run.bytes_before);
    if (st == CRM_OK && out) {
        st = crm_csv_writer_close(out, &err);
        out = NULL;
    }
    if (out)
        crm_csv_writer_abort(out);  /* a failed run leaves an earlier output in place */
    crm_report_set(report, "rows_in", run.rows);
    crm_report_set(report, "rows_skipped", run.bad.skipped);
    crm_report_set(report, "customers", res.count);
    crm_report_set(report, "rows_after_as_of", res.rows_after);
    crm_report_set(report, "customers_left_out", res.customers_left_out);
    if (o.interactions) {
        crm_report_set(report, "interaction_rows", run.interaction_rows);
        crm_report_set(report, "prospects", run.prospects);
    }
    st = crm_cli_end_run("crm-rfm", run.outputs, report, common.report, st, &err);
    if (st == CRM_OK)
        print_notes(&o, &run, &res);
    crm_report_free(report);
    crm_rfm_result_free(&res);
    if (run.input)
        crm_rfm_input_free(run.input);   /* with the aggregator it made */
    else
        crm_rfm_free(run.rfm);
    crm_interactions_free(run.interactions);
    crm_rfm_extras_free(&run.extras);
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++)
        free(o.breaks[d]);
    if (st != CRM_OK)
        return crm_cli_fail("crm-rfm", &err);
    return 0;
}
