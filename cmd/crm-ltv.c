/* crm-ltv: customer lifetime value.  Reads the customers table (crm-rfm's
 * x, t_x, T, monetary_value), fits a purchase model and a spend model (or
 * takes them from a model file), and adds p_alive, expected_purchases,
 * expected_avg_value, clv (and historic_value) to every row.  Also the
 * seed's simple methods: the cohort table from transactions, the simple
 * margin x rate x lifetime value, and the historic profit.  Options, calls
 * and messages: the tables, files and models are libcrm's (crm/ltv*.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/cli.h"
#include "crm/ltv.h"
#include "crm/ltv_cohort.h"
#include "crm/ltv_cohort_file.h"
#include "crm/ltv_customers_file.h"
#include "crm/ltv_model_file.h"
#include "crm/ltv_partial_file.h"
#include "crm/ltv_validate_file.h"
#include "crm/number.h"
#include "crm/report.h"

static const char usage[] =
    "Usage: crm-ltv [OPTIONS] [FILE]\n"
    "Reads the customers table (crm-rfm output; standard input when no FILE) and adds\n"
    "p_alive, expected_purchases, expected_avg_value, clv (and historic_value when a\n"
    "profit column is present) to every row.\n"
    "\n"
    "Models:\n"
    "      --model M             bgnbd (default), pnbd, mbgnbd, bgbb, or auto: the one with\n"
    "                            the lowest holdout MAE (without holdout columns: BIC)\n"
    "      --validate            fit every model on the calibration columns and compare its\n"
    "                            predictions with x_holdout over duration_holdout\n"
    "      --by-frequency FILE   with --validate: mean actual and predicted holdout purchases\n"
    "                            by calibration x (0..6, 7+) into FILE\n"
    "      --spend S             gamma-gamma (default when there is a monetary_value\n"
    "                            column), observed (each customer's own mean) or none\n"
    "      --unit U              days (default, as crm-rfm), weeks, months or years: the\n"
    "                            unit of t_x and T (for bgbb: the length of one period)\n"
    "      --penalty L           fit with an L2 penalty L on the parameters\n"
    "      --fit-only            print the parameter table instead of scoring\n"
    "      --decimals N          decimals of the --fit-only table (default: all digits)\n"
    "      --save-model FILE     write the fitted parameters (key,value CSV)\n"
    "      --model-file FILE     score with saved parameters, without fitting\n"
    "      --partial             write the fit's mergeable statistics (distinct x, t_x, T with\n"
    "                            their customers; each repeat buyer's x and monetary_value)\n"
    "                            of a table sorted by customer_id, for --merge\n"
    "      --merge               the inputs (FILE...) are --partial files: fit from all of them\n"
    "                            and print the --fit-only table (as one process on the whole\n"
    "                            table, to the last digit); with --partial merge into one\n"
    "Value:\n"
    "      --horizon DUR         prediction horizon with its unit: 12m (default), 52w, 1y\n"
    "      --discount RATE       discount rate, per year unless written 1%/m or 1%/30d\n"
    "                            (default 10%)\n"
    "      --discount-period DUR purchases are discounted at the end of each such period\n"
    "                            (default 1m; bgbb: one period)\n"
    "      --margin RATE|profit  share of spend that is profit (default 100%); 'profit':\n"
    "                            total profit / total monetary over the table\n"
    "Columns (name or 1-based index):\n"
    "      --x COL  --t-x COL  --T COL  --monetary-value COL  --weight COL\n"
    "      --x-holdout COL  --duration-holdout COL\n"
    "      --profit COL (default profit)  --monetary COL (total revenue, default monetary)\n"
    "Other methods:\n"
    "      --method cohort       cohort table from transactions: --by year|month,\n"
    "                            --cost-rate RATE, --acquisition-cost MONEY,\n"
    "                            --marketing-cost MONEY (per retained customer and period),\n"
    "                            --interest RATE (per year), --risk-factor N,\n"
    "                            --customer COL --date COL --amount COL --invoice COL --cost COL\n"
    "      --method simple       margin x purchases per year x lifetime (1 / --churn RATE)\n"
    "      --method historic     the profit to date\n"
    "  -q, --quiet               do not print the fit summary on stderr\n"
    "      --skip-bad            skip unreadable rows, count them and report the first\n"
    "Common:\n"
    "  -o, --output FILE  -z, --gzip  -d, --delimiter C  -t, --tab  --encoding NAME\n"
    "  --no-header  --max-field-size N  --threads N  --progress  --report FILE\n"
    "  --escape-formulas  --shard I/N (with --partial or --model-file)  --help  --version\n";

enum {
    OPT_MODEL = 256, OPT_SPEND, OPT_UNIT, OPT_PENALTY, OPT_FIT_ONLY, OPT_DECIMALS, OPT_SAVE_MODEL,
    OPT_MODEL_FILE, OPT_HORIZON, OPT_DISCOUNT, OPT_DISCOUNT_PERIOD, OPT_MARGIN,
    /* columns, in the order of the crm_ltv_column slots */
    OPT_COL_X, OPT_COL_T_X, OPT_COL_T, OPT_COL_MONETARY_VALUE, OPT_COL_WEIGHT, OPT_COL_PROFIT,
    OPT_COL_MONETARY, OPT_COL_CUSTOMER, OPT_COL_DATE, OPT_COL_AMOUNT, OPT_COL_INVOICE, OPT_COL_COST,
    OPT_COL_X_HOLDOUT, OPT_COL_DURATION_HOLDOUT, OPT_VALIDATE, OPT_BY_FREQUENCY, OPT_METHOD, OPT_BY,
    OPT_COST_RATE, OPT_ACQUISITION_COST, OPT_MARKETING_COST, OPT_INTEREST, OPT_RISK_FACTOR, OPT_CHURN,
    OPT_SKIP_BAD, OPT_PARTIAL, OPT_MERGE, OPT_QUIET = 'q'
};

#define ARG(name, id) {name, required_argument, NULL, id}
#define FLAG(name, id) {name, no_argument, NULL, id}
static const struct option ltv_options[] = {
    ARG("model", OPT_MODEL), ARG("spend", OPT_SPEND), ARG("unit", OPT_UNIT), ARG("penalty", OPT_PENALTY),
    FLAG("fit-only", OPT_FIT_ONLY), ARG("decimals", OPT_DECIMALS), ARG("save-model", OPT_SAVE_MODEL),
    ARG("model-file", OPT_MODEL_FILE), ARG("horizon", OPT_HORIZON), ARG("discount", OPT_DISCOUNT),
    ARG("discount-period", OPT_DISCOUNT_PERIOD), ARG("margin", OPT_MARGIN), ARG("x", OPT_COL_X),
    ARG("t-x", OPT_COL_T_X), ARG("T", OPT_COL_T), ARG("monetary-value", OPT_COL_MONETARY_VALUE),
    ARG("weight", OPT_COL_WEIGHT), ARG("profit", OPT_COL_PROFIT), ARG("monetary", OPT_COL_MONETARY),
    ARG("customer", OPT_COL_CUSTOMER), ARG("date", OPT_COL_DATE), ARG("amount", OPT_COL_AMOUNT),
    ARG("invoice", OPT_COL_INVOICE), ARG("cost", OPT_COL_COST), ARG("x-holdout", OPT_COL_X_HOLDOUT),
    ARG("duration-holdout", OPT_COL_DURATION_HOLDOUT), FLAG("validate", OPT_VALIDATE),
    ARG("by-frequency", OPT_BY_FREQUENCY), ARG("method", OPT_METHOD), ARG("by", OPT_BY),
    ARG("cost-rate", OPT_COST_RATE), ARG("acquisition-cost", OPT_ACQUISITION_COST),
    ARG("marketing-cost", OPT_MARKETING_COST), ARG("interest", OPT_INTEREST), ARG("risk-factor", OPT_RISK_FACTOR),
    ARG("churn", OPT_CHURN), FLAG("quiet", OPT_QUIET), FLAG("skip-bad", OPT_SKIP_BAD), FLAG("partial", OPT_PARTIAL),
    FLAG("merge", OPT_MERGE), {NULL, 0, NULL, 0},
};

typedef enum { METHOD_MODEL, METHOD_COHORT, METHOD_SIMPLE, METHOD_HISTORIC } ltv_method;
typedef enum { SPEND_DEFAULT, SPEND_GAMMA_GAMMA, SPEND_OBSERVED, SPEND_NONE } spend_kind;

typedef struct {
    ltv_method method;
    crm_ltv_model model;
    int model_given, model_auto, validate;
    const char *by_frequency;
    spend_kind spend;
    crm_time_unit unit;
    double penalty;
    int fit_only;
    int decimals;              /* -1: shortest round trip */
    const char *save_model, *model_file;
    const char *horizon, *discount, *discount_period, *margin;
    const char *columns[CRM_LTV_NCOLUMNS];
    crm_cohort_period by;
    const char *cost_rate, *acquisition_cost, *marketing_cost, *interest, *risk_factor, *churn;
    int quiet, skip_bad;
    int threads;               /* --threads: also for the likelihood (0: one per core) */
    int partial, merge;
} ltv_options_t;

/* The options whose value is kept as text, parsed where it is used. */
static const char **text_option(ltv_options_t *o, int id)
{
    switch (id) {
    case OPT_BY_FREQUENCY: return &o->by_frequency;
    case OPT_SAVE_MODEL: return &o->save_model;
    case OPT_MODEL_FILE: return &o->model_file;
    case OPT_HORIZON: return &o->horizon;
    case OPT_DISCOUNT: return &o->discount;
    case OPT_DISCOUNT_PERIOD: return &o->discount_period;
    case OPT_MARGIN: return &o->margin;
    case OPT_COST_RATE: return &o->cost_rate;
    case OPT_ACQUISITION_COST: return &o->acquisition_cost;
    case OPT_MARKETING_COST: return &o->marketing_cost;
    case OPT_INTEREST: return &o->interest;
    case OPT_RISK_FACTOR: return &o->risk_factor;
    case OPT_CHURN: return &o->churn;
    default: return id >= OPT_COL_X && id <= OPT_COL_DURATION_HOLDOUT ? &o->columns[id - OPT_COL_X] : NULL;
    }
}

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    ltv_options_t *o = ctx;
    static const char *const spends[] = {"gamma-gamma", "observed", "none", NULL};
    static const char *const methods[] = {"model", "cohort", "simple", "historic", NULL};
    static const char *const periods[] = {"year", "month", NULL};
    const char **text = text_option(o, id);
    int choice = 0;
    int64_t d;
    if (text) {
        *text = arg;
        return CRM_OK;
    }
    switch (id) {
    case OPT_MODEL:
        o->model_given = 1;
        if ((o->model_auto = strcmp(arg, "auto") == 0))
            return (o->model = CRM_LTV_BGNBD), CRM_OK;
        return crm_ltv_model_parse(arg, &o->model, err);
    case OPT_SPEND:
        if (strcmp(arg, "gg") != 0 && crm_cli_parse_choice("--spend", arg, spends, &choice, err) != CRM_OK)
            return CRM_EUSAGE;
        return (o->spend = SPEND_GAMMA_GAMMA + choice), CRM_OK;
    case OPT_UNIT:
        if (crm_parse_time_unit(arg, &o->unit, err) != CRM_OK)
            return crm_error_set(err, CRM_EUSAGE, "--unit wants days, weeks, months or years, got '%s'", arg);
        return CRM_OK;
    case OPT_PENALTY:
        if (crm_parse_double(arg, strlen(arg), NULL, &o->penalty) != CRM_OK || !isfinite(o->penalty) || o->penalty < 0)
            return crm_error_set(err, CRM_EUSAGE, "--penalty wants a number >= 0, got '%s'", arg);
        return CRM_OK;
    case OPT_DECIMALS:
        if (crm_parse_int64(arg, strlen(arg), &d) != CRM_OK || d < 0 || d > 17)
            return crm_error_set(err, CRM_EUSAGE, "--decimals wants a whole number 0..17, got '%s'", arg);
        return (o->decimals = (int)d), CRM_OK;
    case OPT_METHOD:
        if (crm_cli_parse_choice("--method", arg, methods, &choice, err) != CRM_OK)
            return CRM_EUSAGE;
        return (o->method = (ltv_method)choice), CRM_OK;
    case OPT_BY:
        if (crm_cli_parse_choice("--by", arg, periods, &choice, err) != CRM_OK)
            return CRM_EUSAGE;
        return (o->by = choice == 0 ? CRM_COHORT_BY_YEAR : CRM_COHORT_BY_MONTH), CRM_OK;
    case OPT_FIT_ONLY: return (o->fit_only = 1), CRM_OK;
    case OPT_VALIDATE: return (o->validate = 1), CRM_OK;
    case OPT_PARTIAL: return (o->partial = 1), CRM_OK;
    case OPT_MERGE: return (o->merge = 1), CRM_OK;
    case OPT_QUIET: return (o->quiet = 1), CRM_OK;
    case OPT_SKIP_BAD: return (o->skip_bad = 1), CRM_OK;
    default: return crm_error_set(err, CRM_EUSAGE, "unhandled option");
    }
}

typedef struct {
    const crm_common_options *common;
    ltv_options_t *o;
    crm_output_set *outputs;   /* every file the run writes */
    crm_csv_writer *out;
    crm_report *report;
    crm_progress progress;
    uint64_t rows_in, rows_out;
    crm_bad_rows bad;          /* --skip-bad */
} run_t;

static crm_status bad_row_hook(void *ctx, crm_error *err) { return crm_cli_bad_row(&((run_t *)ctx)->bad, err); }

static void progress_hook(void *ctx, uint64_t rows, uint64_t bytes)
{
    crm_progress_update(&((run_t *)ctx)->progress, rows, bytes);
}

static crm_status open_output(run_t *run, crm_error *err)
{
    crm_status st = crm_cli_open_output(run->outputs, run->common->output, run->common->gzip, &run->out, err);
    if (st == CRM_OK)
        crm_csv_writer_escape_formulas(run->out, run->common->escape_formulas);
    return st;
}

static crm_status write_model(crm_csv_writer *w, const void *f) { return crm_ltv_model_file_write(w, f); }

/* A second output of the run (--save-model, --by-frequency), written whole. */
static crm_status write_file(run_t *run, const char *path, crm_status (*write)(crm_csv_writer *, const void *),
                             const void *what, crm_error *err)
{
    crm_csv_writer *w;
    crm_status st = crm_cli_open_output(run->outputs, path, -1, &w, err);
    if (st == CRM_OK && (st = write(w, what)) != CRM_OK) {
        st = crm_cli_write_failed(w, st, err);
        crm_csv_writer_abort(w);
        /* a model file cut short by a closed pipe is a failure, not a quiet end */
        return st == CRM_EPIPE && write == write_model ? crm_error_set(err, CRM_EIO, "%s: write failed: closed pipe",
                                                                       path) : st;
    }
    return st == CRM_OK ? crm_csv_writer_close(w, err) : st;
}

typedef struct {
    const crm_ltv_candidate *c;
    size_t n;
} candidates;

static crm_status write_by_frequency(crm_csv_writer *w, const void *what)
{
    const candidates *c = what;
    return crm_ltv_validate_file_write_by_frequency(w, c->c, c->n);
}

/* The customers table (crm/ltv_customers_file.h), with the columns this run needs. */
static crm_status read_customers(run_t *run, int keep_rows, crm_ltv_partial *partial, const crm_shard *shard,
                                 crm_csv_reader **r, crm_ltv_customers *t, crm_error *err)
{
    const ltv_options_t *o = run->o;
    const crm_common_options *common = run->common;
    crm_status st = crm_cli_open_input(common, common->ninputs ? common->inputs[0] : NULL, r, err);
    if (st != CRM_OK)
        return st;
    int summary = o->method != METHOD_HISTORIC;
    int spend = o->method == METHOD_SIMPLE ||
                (o->method == METHOD_MODEL && (o->spend == SPEND_GAMMA_GAMMA || o->spend == SPEND_OBSERVED));
    crm_ltv_customers_spec spec = {.summary = summary, .model = o->model, .keep_rows = keep_rows,
                                   .partial = partial, .shard = shard};
    memcpy(spec.columns, o->columns, sizeof spec.columns);
    spec.required = (summary ? 7u : 0u) | (spend ? 1u << CRM_LTV_COL_MONETARY_VALUE : 0u) |
                    (o->validate ? 1u << CRM_LTV_COL_X_HOLDOUT : 0u);
    crm_customers_table_hooks hooks = {bad_row_hook, progress_hook, run};
    crm_status rs = crm_ltv_customers_read(*r, &spec, &hooks, t, err);
    run->rows_in = t->n + run->bad.skipped;
    return rs;
}

/* --horizon, --discount, --discount-period and --margin for `model`. */
static crm_status value_options(const ltv_options_t *o, crm_ltv_model model, crm_ltv_clv_options *clv,
                                int *margin_from_profit, crm_error *err)
{
    double margin;
    crm_status st = crm_ltv_clv_options_parse(clv, model, o->unit, o->horizon, o->discount, o->discount_period, err);
    if (st == CRM_OK && (st = crm_ltv_margin_parse(o->margin, &margin, margin_from_profit, err)) == CRM_OK)
        clv->margin = margin;
    return st == CRM_OK ? crm_ltv_clv_options_check(model, clv, err) : st;
}

/* ---- fitting (crm/ltv_model_file.h), explained on stderr ---- */

static void note_hook(void *ctx, int always, const char *text)
{
    const ltv_options_t *o = ((run_t *)ctx)->o;
    while ((always || !o->quiet) && *text) {
        size_t len = strcspn(text, "\n");
        fprintf(stderr, "crm-ltv: %.*s\n", (int)len, text);
        text += len + (text[len] == '\n');
    }
}

static crm_ltv_fit_spec fit_spec(run_t *run)
{
    const ltv_options_t *o = run->o;
    crm_ltv_fit_spec spec = {.model = o->model, .unit = o->unit, .with_spend = o->spend == SPEND_GAMMA_GAMMA,
                             .note = note_hook, .ctx = run};
    crm_ltv_fit_options_init(&spec.fit);
    spec.fit.penalty = o->penalty;
    spec.fit.threads = o->threads;
    return spec;
}

/* The purchase model (fitted here, or given when --model auto has fitted
 * it) and the spend model, into f; the run's report learns about them. */
static crm_status fit_models(run_t *run, const crm_ltv_customers *t, const crm_ltv_fit_diagnosis *given,
                             crm_ltv_model_file *f, crm_error *err)
{
    crm_ltv_fit_spec spec = fit_spec(run);
    crm_ltv_fit_summary s;
    crm_status st = crm_ltv_model_file_fit(f, &spec, t, given, &s, err);
    if (st != CRM_OK)
        return st;
    crm_report_set_text(run->report, "model", crm_ltv_model_key(spec.model));
    crm_report_set_text(run->report, "dropout", crm_ltv_dropout_key(s.purchase.verdict));
    crm_report_set(run->report, "fit_iterations", (uint64_t)s.purchase.fit.iterations);
    if (s.has_spend) {
        crm_report_set(run->report, "spend_used", s.spend.used);
        crm_report_set(run->report, "spend_one_time", s.spend.one_time);
        crm_report_set(run->report, "spend_nonpositive", s.spend.nonpositive);
    }
    return CRM_OK;
}

/* --model auto: the lowest holdout MAE, or without holdout columns the
 * lowest BIC; the first in bgnbd, mbgnbd, pnbd, bgbb order on a tie. */
static size_t choose_model(run_t *run, const crm_ltv_customers *t, const crm_ltv_candidate *c, size_t n)
{
    int by_mae = t->x_holdout != NULL;
    size_t best = crm_ltv_best_candidate(c, n, by_mae);
    char text[1024];
    crm_ltv_candidates_describe(text, sizeof text, c, n, best, by_mae);
    note_hook(run, 0, text);
    crm_report_set_text(run->report, "auto_model", crm_ltv_model_key(c[best].model));
    crm_report_set_text(run->report, "auto_criterion", by_mae ? "holdout-mae" : "bic");
    return best;
}

/* ---- the runs ---- */

static crm_status run_validate(run_t *run, crm_error *err)
{
    ltv_options_t *o = run->o;
    if (o->fit_only || o->model_file || o->save_model || o->model_given)
        return crm_error_set(err, CRM_EUSAGE, "--validate fits every model itself: it excludes --model, --fit-only, "
                             "--model-file and --save-model");
    crm_csv_reader *r = NULL;
    crm_ltv_customers t = {0};
    crm_ltv_candidate c[CRM_LTV_MAX_CANDIDATES];
    size_t n = 0;
    crm_ltv_fit_spec spec = fit_spec(run);
    crm_status st = read_customers(run, 0, NULL, NULL, &r, &t, err);
    run->rows_in = t.n;
    if (st == CRM_OK)
        st = crm_ltv_validate_file_fit(&spec, &t, c, &n, err);
    if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK) {
        st = crm_cli_write_failed(run->out, crm_ltv_validate_file_write(run->out, c, n), err);
        for (size_t k = 0; k < n; k++)
            run->rows_out += (uint64_t)c[k].ok;
    }
    candidates all = {c, n};
    if (st == CRM_OK && o->by_frequency)
        st = write_file(run, o->by_frequency, write_by_frequency, &all, err);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    return st;
}

/* --merge: every input into p; *has_spend: they were made from tables with
 * monetary_value (all of them, or none). */
static crm_status read_partials(run_t *run, crm_ltv_partial *p, int *has_spend, char *first_name, size_t name_size,
                                crm_error *err)
{
    const crm_common_options *common = run->common;
    size_t ninputs = common->ninputs ? common->ninputs : 1, with_spend = 0;
    crm_status st = CRM_OK;
    for (size_t i = 0; i < ninputs && st == CRM_OK; i++) {
        crm_csv_reader *r;
        if ((st = crm_cli_open_input(common, common->ninputs ? common->inputs[i] : NULL, &r, err)) != CRM_OK)
            break;
        if (i == 0)
            snprintf(first_name, name_size, "%s", crm_csv_input_name(r));
        int spend = 0;
        st = crm_ltv_partial_file_read(r, p, &spend, &run->rows_in, err);
        with_spend += (size_t)spend;
        crm_csv_close(r);
    }
    if (st == CRM_OK && with_spend != 0 && with_spend != ninputs)
        st = crm_error_set(err, CRM_EDATA, "%zu of the %zu partials come from a table with monetary_value and the "
                           "others not: make them all from the same kind of table", with_spend, ninputs);
    *has_spend = with_spend != 0;
    return st;
}

/* --partial writes a shard's statistics; --merge fits them as one process. */
static crm_status run_partial_or_merge(run_t *run, crm_error *err)
{
    ltv_options_t *o = run->o;
    crm_ltv_partial *p = NULL;
    crm_status st = crm_ltv_partial_new(&p, err);
    crm_ltv_customers t = {0};
    crm_csv_reader *r = NULL;
    char first_name[256] = "";
    int has_spend = 0;
    if (st == CRM_OK && o->merge) {
        st = read_partials(run, p, &has_spend, first_name, sizeof first_name, err);
    } else if (st == CRM_OK) {
        st = read_customers(run, 0, p, &run->common->shard, &r, &t, err);
        has_spend = t.col[CRM_LTV_COL_MONETARY_VALUE] >= 0;
    }
    if (st == CRM_OK && o->partial) {
        if ((st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_partial_file_write(run->out, p, has_spend, &run->rows_out, err),
                                      err);
    } else if (st == CRM_OK) {
        crm_ltv_customers_free(&t);
        memset(&t, 0, sizeof t);
        crm_ltv_model_file f = {0};
        if ((st = crm_ltv_partial_file_customers(p, has_spend, first_name, &t, err)) == CRM_OK &&
            o->spend == SPEND_DEFAULT)
            o->spend = has_spend ? SPEND_GAMMA_GAMMA : SPEND_NONE;
        if (st == CRM_OK)
            st = fit_models(run, &t, NULL, &f, err);
        if (st == CRM_OK && o->save_model)
            st = write_file(run, o->save_model, write_model, &f, err);
        if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_model_file_write_table(run->out, &f, o->decimals), err);
    }
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    crm_ltv_partial_free(p);
    return st;
}

/* The purchase and spend model: from --model-file, or fitted (--model auto:
 * the best candidate). */
static crm_status get_model(run_t *run, const crm_ltv_customers *t, crm_ltv_clv_options *clv, int *from_profit,
                            crm_ltv_model_file *f, crm_error *err)
{
    ltv_options_t *o = run->o;
    crm_ltv_candidate cand[CRM_LTV_MAX_CANDIDATES];
    const crm_ltv_fit_diagnosis *auto_fit = NULL;
    size_t n = 0;
    crm_status st = CRM_OK;
    if (o->model_file && o->spend == SPEND_GAMMA_GAMMA && !f->has_spend)
        return crm_error_set(err, CRM_EDATA, "%s has no Gamma-Gamma parameters: fit them with --spend "
                             "gamma-gamma --save-model, or score with --spend observed", o->model_file);
    crm_ltv_fit_spec spec = fit_spec(run);
    if (o->model_auto && (st = crm_ltv_validate_file_fit(&spec, t, cand, &n, err)) == CRM_OK) {
        size_t best = choose_model(run, t, cand, n);
        o->model = cand[best].model;
        auto_fit = &cand[best].dg;
        if (!o->fit_only && (st = value_options(o, o->model, clv, from_profit, err)) != CRM_OK)
            auto_fit = NULL;
    }
    if (st == CRM_OK && !o->model_file)
        st = fit_models(run, t, auto_fit, f, err);
    if (st == CRM_OK && o->save_model)
        st = write_file(run, o->save_model, write_model, f, err);
    return st;
}

static crm_status run_model(run_t *run, crm_error *err)
{
    ltv_options_t *o = run->o;
    if (o->partial || o->merge)
        return run_partial_or_merge(run, err);
    if (o->validate)
        return run_validate(run, err);
    if (o->by_frequency)
        return crm_error_set(err, CRM_EUSAGE, "--by-frequency belongs to --validate");
    if (o->model_auto && o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--model auto fits the models; it excludes --model-file");
    if (o->fit_only && o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--fit-only and --model-file exclude each other");
    crm_ltv_model_file f = {0};
    crm_ltv_clv_options clv;
    int from_profit = 0;
    crm_status st;
    if (o->model_file && ((st = crm_ltv_model_file_load(o->model_file, &f, err)) != CRM_OK ||
                          (st = crm_ltv_model_file_check(&f, o->model_file, o->model_given, o->model, o->unit, err)) !=
                              CRM_OK))
        return st;
    if (o->model_file)
        o->model = f.model;
    if (!o->fit_only && (st = value_options(o, o->model, &clv, &from_profit, err)) != CRM_OK)
        return st;
    crm_csv_reader *r = NULL;
    crm_ltv_customers t = {0};
    crm_ltv_prediction *pred = NULL;
    size_t bad = 0;
    st = read_customers(run, !o->fit_only, NULL, &run->common->shard, &r, &t, err);
    if (st == CRM_OK && o->spend == SPEND_DEFAULT)
        o->spend = t.col[CRM_LTV_COL_MONETARY_VALUE] >= 0 ? SPEND_GAMMA_GAMMA : SPEND_NONE;
    if (st == CRM_OK)
        st = get_model(run, &t, &clv, &from_profit, &f, err);
    if (st == CRM_OK && o->fit_only) {
        if ((st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_model_file_write_table(run->out, &f, o->decimals), err);
    } else if (st == CRM_OK) {
        if (!(pred = malloc((t.n ? t.n : 1) * sizeof *pred)))
            st = crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", t.n);
        if (st == CRM_OK && from_profit)
            st = crm_ltv_customers_profit_margin(&t, &clv.margin, err);
        if (st == CRM_OK && (st = crm_ltv_predict_shared(f.model, f.params, o->spend == SPEND_GAMMA_GAMMA ?
                                                         f.spend_params : NULL, &clv, t.c, t.n, o->threads, pred,
                                                         &bad, err)) == CRM_EDATA)
            crm_error_prefix(err, "%s:%llu: ", t.input_name, (unsigned long long)t.lines[bad]);
        if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_customers_write_scores(run->out, r, &t, pred,
                                                                               o->spend != SPEND_NONE), err);
        if (st == CRM_OK)
            run->rows_out = t.n;
    }
    free(pred);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    return st;
}

/* Simple: margin x purchases per year x value per purchase over 1 / churn
 * years, discounted; historic: the profit to date. */
static crm_status run_simple_or_historic(run_t *run, crm_error *err)
{
    ltv_options_t *o = run->o;
    int simple = o->method == METHOD_SIMPLE, from_profit;
    double churn = 0, discount = 0, margin;
    crm_status st;
    if ((simple && (st = crm_ltv_simple_rates_parse(o->churn, o->discount, &churn, &discount, err)) != CRM_OK) ||
        (st = crm_ltv_margin_parse(o->margin, &margin, &from_profit, err)) != CRM_OK)
        return st;
    crm_csv_reader *r = NULL;
    crm_ltv_customers t = {0};
    st = read_customers(run, 1, NULL, NULL, &r, &t, err);
    if (st == CRM_OK && from_profit)
        st = crm_ltv_customers_profit_margin(&t, &margin, err);
    if (st == CRM_OK && !simple && !t.profit && !(t.monetary && o->margin))
        st = crm_error_set(err, CRM_EDATA, "%s: no column 'profit'; name it with --profit COL, or give "
                           "--margin RATE to take that share of column 'monetary'", t.input_name);
    double per_year = crm_time_unit_days(CRM_UNIT_YEAR) / crm_time_unit_days(o->unit);
    if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK)
        st = crm_cli_write_failed(run->out, simple ? crm_ltv_customers_write_simple(run->out, r, &t, margin, churn,
                                                                                    discount, per_year)
                                                   : crm_ltv_customers_write_historic(run->out, r, &t, margin), err);
    if (st == CRM_OK)
        run->rows_out = t.n;
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    return st;
}

static crm_status run_cohort(run_t *run, crm_error *err)
{
    const ltv_options_t *o = run->o;
    crm_cohort_options opts;
    crm_status st = crm_cohort_options_parse(&opts, o->by, o->cost_rate, o->acquisition_cost, o->marketing_cost,
                                             o->interest, o->risk_factor, err);
    if (st != CRM_OK)
        return st;
    crm_cohort *cohort = crm_cohort_new(o->by);
    crm_csv_reader *r = NULL;
    crm_cohort_row *rows = NULL;
    size_t n = 0;
    crm_customers_table_hooks hooks = {bad_row_hook, progress_hook, run};
    if (!cohort)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if ((st = crm_cli_open_input(run->common, run->common->ninputs ? run->common->inputs[0] : NULL, &r, err)) ==
            CRM_OK &&
        (st = crm_ltv_cohort_file_read(r, o->columns, cohort, &hooks, &run->rows_in, err)) == CRM_OK &&
        (st = crm_cohort_table(cohort, &opts, &rows, &n, err)) == CRM_OK && (st = open_output(run, err)) == CRM_OK) {
        if (crm_cohort_revenue_based(cohort, &opts)) {
            static const char text[] = "no line has a cost and no --cost-rate was given: cost_rate and "
                                       "direct_cost are empty, and gross_profit, npv_profit, cumulative_npv "
                                       "and ltv_per_customer are revenue less acquisition and marketing costs";
            if (!o->quiet)
                fprintf(stderr, "crm-ltv: note: %s\n", text);
            crm_report_set_text(run->report, "note", text);
        }
        st = crm_cli_write_failed(run->out, crm_ltv_cohort_file_write(run->out, rows, n, o->by), err);
        run->rows_out = n;
    }
    crm_csv_close(r);
    free(rows);
    crm_cohort_free(cohort);
    return st;
}

/* --partial and --merge: what they exclude, and one input otherwise. */
static crm_status check_partial_options(const ltv_options_t *o, const crm_common_options *common, crm_error *err)
{
    if (!o->merge && common->ninputs > 1)
        return crm_error_set(err, CRM_EUSAGE, "too many input files (at most 1; several are for --merge)");
    if (common->shard.count && !(o->partial && !o->merge) && !o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--shard: a fit needs every customer; write a shard's statistics with "
                             "--partial (fit them with --merge), or score a shard with --model-file");
    if (common->shard.count && o->margin && strcmp(o->margin, "profit") == 0)
        return crm_error_set(err, CRM_EUSAGE, "--shard: --margin profit is the whole table's profit over its "
                             "revenue; give the margin as a rate");
    if (!o->partial && !o->merge)
        return CRM_OK;
    const char *which = o->merge ? "--merge" : "--partial";
    if (o->method != METHOD_MODEL)
        return crm_error_set(err, CRM_EUSAGE, "%s belongs to --method model", which);
    if (o->validate || o->model_file || o->model_auto || o->by_frequency)
        return crm_error_set(err, CRM_EUSAGE, "%s: %s needs the customers themselves", which,
                             o->validate ? "--validate" : o->model_file ? "--model-file"
                             : o->model_auto ? "--model auto" : "--by-frequency");
    if (o->columns[CRM_LTV_COL_WEIGHT])
        return crm_error_set(err, CRM_EUSAGE, "%s: --weight is not taken: weights that are not whole numbers "
                             "would add up in another order than in one process", which);
    if (o->partial && !o->merge && (o->fit_only || o->save_model))
        return crm_error_set(err, CRM_EUSAGE, "--partial writes statistics, not a fit: give %s to the --merge run",
                             o->fit_only ? "--fit-only" : "--save-model");
    if (o->merge && o->spend == SPEND_OBSERVED)
        return crm_error_set(err, CRM_EUSAGE, "--merge: --spend observed scores each customer's own mean: there is "
                             "no spend model to merge");
    if (o->partial && o->merge && o->save_model)
        return crm_error_set(err, CRM_EUSAGE, "--merge --partial writes statistics, not a fit: give --save-model to "
                             "the last --merge run");
    return CRM_OK;
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    ltv_options_t o = {0};
    o.unit = CRM_UNIT_DAY;   /* crm-rfm's default */
    o.decimals = -1;
    crm_common_options common;
    crm_cli_spec spec = {"crm-ltv", usage, ltv_options, "q", handle_option, &o, 0, 1, 0};
    int exit_code;
    if (!crm_cli_start(&spec, argc, argv, &common, &exit_code))
        return exit_code;
    o.threads = common.threads;
    crm_error err;
    crm_error_clear(&err);
    crm_status st;
    if (o.method != METHOD_MODEL && (o.fit_only || o.model_file || o.save_model)) {
        crm_error_set(&err, CRM_EUSAGE, "--fit-only, --save-model and --model-file belong to --method model");
        return crm_cli_fail("crm-ltv", &err);
    }
    if (check_partial_options(&o, &common, &err) != CRM_OK)
        return crm_cli_fail("crm-ltv", &err);
    run_t run = {.common = &common, .o = &o};
    run.bad.skip = o.skip_bad;
    /* every file named before anything is read: an output must not replace an input */
    if ((st = crm_cli_start_outputs(&common, &run.outputs, &err)) != CRM_OK ||
        (st = crm_output_set_add_input(run.outputs, "--model-file", o.model_file, &err)) != CRM_OK ||
        (st = crm_output_set_add_output(run.outputs, "--save-model", o.save_model, &err)) != CRM_OK ||
        (st = crm_output_set_add_output(run.outputs, "--by-frequency", o.by_frequency, &err)) != CRM_OK) {
        crm_output_set_free(run.outputs);
        return crm_cli_fail("crm-ltv", &err);
    }
    run.report = crm_report_new("crm-ltv");
    crm_progress_start(&run.progress, "crm-ltv", common.progress);
    switch (o.method) {
    case METHOD_MODEL: st = run_model(&run, &err); break;
    case METHOD_COHORT: st = run_cohort(&run, &err); break;
    default: st = run_simple_or_historic(&run, &err); break;
    }
    crm_progress_finish(&run.progress, run.rows_in, 0);
    if (run.out) {
        if (st == CRM_OK)
            st = crm_csv_writer_close(run.out, &err);
        else
            crm_csv_writer_abort(run.out);   /* a failed run leaves an older -o FILE in place */
    }
    if (run.report && common.report) {
        crm_error rerr;
        crm_report_set(run.report, "rows_in", run.rows_in);
        crm_report_set(run.report, "rows_out", run.rows_out);
        crm_report_set(run.report, "rows_skipped", run.bad.skipped);
        crm_report_set_text(run.report, "status", st == CRM_OK || st == CRM_EPIPE ? "ok" : "failed");
        if (crm_report_write(run.report, common.report, &rerr) != CRM_OK && st == CRM_OK) {
            err = rerr;
            st = rerr.status;
        }
    }
    crm_report_set(run.report, "rows_in", run.rows_in);
    crm_report_set(run.report, "rows_out", run.rows_out);
    st = crm_cli_end_run("crm-ltv", run.outputs, run.report, common.report, st, &err);
    crm_report_free(run.report);
    if (st == CRM_OK && !o.quiet)
        crm_cli_note_skipped("crm-ltv", &run.bad);
    if (st != CRM_OK)
        return crm_cli_fail("crm-ltv", &err);
    return 0;
}
