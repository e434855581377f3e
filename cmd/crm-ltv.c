/* crm-ltv: customer lifetime value.  Reads the customers table (crm-rfm's
 * x, t_x, T, monetary_value), fits a purchase model and a spend model (or
 * takes them from a model file), and adds p_alive, expected_purchases,
 * expected_avg_value, clv (and historic_value) to every row.  Also the
 * seed's simple methods: the cohort table from transactions, the simple
 * margin x rate x lifetime value, and the historic profit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm/clean.h"
#include "crm/cli.h"
#include "crm/csv.h"
#include "crm/date.h"
#include "crm/ltv.h"
#include "crm/ltv_cohort.h"
#include "crm/ltv_cohort_file.h"
#include "crm/ltv_customers_file.h"
#include "crm/ltv_model_file.h"
#include "crm/ltv_partial.h"
#include "crm/ltv_partial_file.h"
#include "crm/ltv_validate.h"
#include "crm/ltv_validate_file.h"
#include "crm/number.h"
#include "crm/report.h"
#include "crm/strtab.h"
#include "crm/units.h"

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
    /* columns, in the order of the columns[] slots */
    OPT_COL_X, OPT_COL_T_X, OPT_COL_T, OPT_COL_MONETARY_VALUE, OPT_COL_WEIGHT, OPT_COL_PROFIT,
    OPT_COL_MONETARY, OPT_COL_CUSTOMER, OPT_COL_DATE, OPT_COL_AMOUNT, OPT_COL_INVOICE, OPT_COL_COST,
    OPT_COL_X_HOLDOUT, OPT_COL_DURATION_HOLDOUT, OPT_VALIDATE, OPT_BY_FREQUENCY, OPT_METHOD, OPT_BY, OPT_COST_RATE, OPT_ACQUISITION_COST, OPT_MARKETING_COST, OPT_INTEREST,
    OPT_RISK_FACTOR, OPT_CHURN, OPT_SKIP_BAD, OPT_PARTIAL, OPT_MERGE, OPT_QUIET = 'q'
};

static const struct option ltv_options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"spend", required_argument, NULL, OPT_SPEND},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"penalty", required_argument, NULL, OPT_PENALTY},
    {"fit-only", no_argument, NULL, OPT_FIT_ONLY},
    {"decimals", required_argument, NULL, OPT_DECIMALS},
    {"save-model", required_argument, NULL, OPT_SAVE_MODEL},
    {"model-file", required_argument, NULL, OPT_MODEL_FILE},
    {"horizon", required_argument, NULL, OPT_HORIZON},
    {"discount", required_argument, NULL, OPT_DISCOUNT},
    {"discount-period", required_argument, NULL, OPT_DISCOUNT_PERIOD},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"x", required_argument, NULL, OPT_COL_X},
    {"t-x", required_argument, NULL, OPT_COL_T_X},
    {"T", required_argument, NULL, OPT_COL_T},
    {"monetary-value", required_argument, NULL, OPT_COL_MONETARY_VALUE},
    {"weight", required_argument, NULL, OPT_COL_WEIGHT},
    {"profit", required_argument, NULL, OPT_COL_PROFIT},
    {"monetary", required_argument, NULL, OPT_COL_MONETARY},
    {"customer", required_argument, NULL, OPT_COL_CUSTOMER},
    {"date", required_argument, NULL, OPT_COL_DATE},
    {"amount", required_argument, NULL, OPT_COL_AMOUNT},
    {"invoice", required_argument, NULL, OPT_COL_INVOICE},
    {"cost", required_argument, NULL, OPT_COL_COST},
    {"x-holdout", required_argument, NULL, OPT_COL_X_HOLDOUT},
    {"duration-holdout", required_argument, NULL, OPT_COL_DURATION_HOLDOUT},
    {"validate", no_argument, NULL, OPT_VALIDATE},
    {"by-frequency", required_argument, NULL, OPT_BY_FREQUENCY},
    {"method", required_argument, NULL, OPT_METHOD},
    {"by", required_argument, NULL, OPT_BY},
    {"cost-rate", required_argument, NULL, OPT_COST_RATE},
    {"acquisition-cost", required_argument, NULL, OPT_ACQUISITION_COST},
    {"marketing-cost", required_argument, NULL, OPT_MARKETING_COST},
    {"interest", required_argument, NULL, OPT_INTEREST},
    {"risk-factor", required_argument, NULL, OPT_RISK_FACTOR},
    {"churn", required_argument, NULL, OPT_CHURN},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
    {"partial", no_argument, NULL, OPT_PARTIAL},
    {"merge", no_argument, NULL, OPT_MERGE},
    {NULL, 0, NULL, 0},
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
    int unit_given;
    double penalty;
    int fit_only;
    int decimals;              /* -1: shortest round trip */
    const char *save_model, *model_file;
    const char *horizon, *discount, *discount_period, *margin;
    const char *columns[CRM_LTV_NCOLUMNS];
    crm_cohort_period by;
    const char *cost_rate, *acquisition_cost, *marketing_cost, *interest, *risk_factor;
    const char *churn;
    int quiet;
    int skip_bad;
    int threads;               /* --threads: also for the likelihood (0: one per core) */
    int partial, merge;        /* --partial, --merge */
} ltv_options_t;

static crm_status parse_money_option(const char *option, const char *arg, double *out, crm_error *err)
{
    if (crm_parse_double(arg, strlen(arg), NULL, out) != CRM_OK || !isfinite(*out) || *out < 0)
        return crm_error_set(err, CRM_EUSAGE, "%s wants an amount >= 0, got '%s'", option, arg);
    return CRM_OK;
}

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    ltv_options_t *o = ctx;
    if (id >= OPT_COL_X && id <= OPT_COL_DURATION_HOLDOUT) {
        o->columns[id - OPT_COL_X] = arg;
        return CRM_OK;
    }
    switch (id) {
    case OPT_MODEL:
        o->model_given = 1;
        o->model_auto = strcmp(arg, "auto") == 0;
        if (o->model_auto) {
            o->model = CRM_LTV_BGNBD;
            return CRM_OK;
        }
        return crm_ltv_model_parse(arg, &o->model, err);
    case OPT_VALIDATE: o->validate = 1; return CRM_OK;
    case OPT_BY_FREQUENCY: o->by_frequency = arg; return CRM_OK;
    case OPT_SPEND: {
        static const char *const names[] = {"gamma-gamma", "observed", "none", NULL};
        static const spend_kind kinds[] = {SPEND_GAMMA_GAMMA, SPEND_OBSERVED, SPEND_NONE};
        int choice = 0;
        if (strcmp(arg, "gg") != 0 && crm_cli_parse_choice("--spend", arg, names, &choice, err) != CRM_OK)
            return CRM_EUSAGE;
        o->spend = kinds[choice];
        return CRM_OK;
    }
    case OPT_UNIT:
        o->unit_given = 1;
        if (crm_parse_time_unit(arg, &o->unit, err) != CRM_OK)
            return crm_error_set(err, CRM_EUSAGE, "--unit wants days, weeks, months or years, got '%s'", arg);
        return CRM_OK;
    case OPT_PENALTY:
        if (crm_parse_double(arg, strlen(arg), NULL, &o->penalty) != CRM_OK || !isfinite(o->penalty) ||
            o->penalty < 0)
            return crm_error_set(err, CRM_EUSAGE, "--penalty wants a number >= 0, got '%s'", arg);
        return CRM_OK;
    case OPT_FIT_ONLY:
        o->fit_only = 1;
        return CRM_OK;
    case OPT_DECIMALS: {
        int64_t d;
        if (crm_parse_int64(arg, strlen(arg), &d) != CRM_OK || d < 0 || d > 17)
            return crm_error_set(err, CRM_EUSAGE, "--decimals wants a whole number 0..17, got '%s'", arg);
        o->decimals = (int)d;
        return CRM_OK;
    }
    case OPT_PARTIAL: o->partial = 1; return CRM_OK;
    case OPT_MERGE: o->merge = 1; return CRM_OK;
    case OPT_SAVE_MODEL: o->save_model = arg; return CRM_OK;
    case OPT_MODEL_FILE: o->model_file = arg; return CRM_OK;
    case OPT_HORIZON: o->horizon = arg; return CRM_OK;
    case OPT_DISCOUNT: o->discount = arg; return CRM_OK;
    case OPT_DISCOUNT_PERIOD: o->discount_period = arg; return CRM_OK;
    case OPT_MARGIN: o->margin = arg; return CRM_OK;
    case OPT_METHOD: {
        static const char *const names[] = {"model", "cohort", "simple", "historic", NULL};
        static const ltv_method methods[] = {METHOD_MODEL, METHOD_COHORT, METHOD_SIMPLE, METHOD_HISTORIC};
        int choice;
        if (crm_cli_parse_choice("--method", arg, names, &choice, err) != CRM_OK)
            return CRM_EUSAGE;
        o->method = methods[choice];
        return CRM_OK;
    }
    case OPT_BY: {
        static const char *const names[] = {"year", "month", NULL};
        int choice;
        if (crm_cli_parse_choice("--by", arg, names, &choice, err) != CRM_OK)
            return CRM_EUSAGE;
        o->by = choice == 0 ? CRM_COHORT_BY_YEAR : CRM_COHORT_BY_MONTH;
        return CRM_OK;
    }
    case OPT_COST_RATE: o->cost_rate = arg; return CRM_OK;
    case OPT_ACQUISITION_COST: o->acquisition_cost = arg; return CRM_OK;
    case OPT_MARKETING_COST: o->marketing_cost = arg; return CRM_OK;
    case OPT_INTEREST: o->interest = arg; return CRM_OK;
    case OPT_RISK_FACTOR: o->risk_factor = arg; return CRM_OK;
    case OPT_CHURN: o->churn = arg; return CRM_OK;
    case OPT_QUIET: o->quiet = 1; return CRM_OK;
    case OPT_SKIP_BAD: o->skip_bad = 1; return CRM_OK;
    default:
        return crm_error_set(err, CRM_EUSAGE, "unhandled option");
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

static crm_status bad_row_hook(void *ctx, crm_error *err)
{
    return crm_cli_bad_row(&((run_t *)ctx)->bad, err);
}

static void progress_hook(void *ctx, uint64_t rows, uint64_t bytes)
{
    crm_progress_update(&((run_t *)ctx)->progress, rows, bytes);
}

/* The customers table (crm/ltv_customers_file.h), with the columns this
 * run needs. */
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
    return crm_ltv_customers_read(*r, &spec, &hooks, t, err);
}

/* ---- units, horizon, discounting ---- */

typedef struct {
    crm_ltv_clv_options clv;
    double margin;
    int margin_from_profit;
} value_options;

/* --margin: a share ("30%", "0.3"), or "profit" for the table's own
 * profit / monetary ratio; without the option the margin is 1. */
static crm_status parse_margin(const char *arg, double *margin, int *from_profit, crm_error *err)
{
    *margin = 1.0;
    *from_profit = arg && strcmp(arg, "profit") == 0;
    if (arg && !*from_profit && crm_parse_fraction(arg, margin, err) != CRM_OK)
        return crm_error_set(err, CRM_EUSAGE, "--margin wants a share such as 30%% or 0.3, or 'profit', got '%s'",
                             arg);
    return CRM_OK;
}

static crm_status parse_value_options(const ltv_options_t *o, crm_ltv_model model, value_options *v,
                                      crm_error *err)
{
    crm_ltv_clv_options_init(&v->clv);
    crm_duration horizon, period;
    crm_rate discount;
    crm_status st;
    if ((st = crm_parse_duration(o->horizon ? o->horizon : "12m", &horizon, err)) != CRM_OK)
        return st;
    v->clv.horizon = crm_duration_in(horizon, o->unit);
    if (o->discount_period) {
        if ((st = crm_parse_duration(o->discount_period, &period, err)) != CRM_OK)
            return st;
        v->clv.period = crm_duration_in(period, o->unit);
    } else {
        v->clv.period = model == CRM_LTV_BGBB ? 1.0 : crm_duration_in((crm_duration){1, CRM_UNIT_MONTH}, o->unit);
    }
    /* A rate per any duration, "1%/30d" (lifetimes' month with freq='D'), as well as per unit. */
    double rate_days;
    const char *slash = o->discount ? strchr(o->discount, '/') : NULL;
    crm_duration per;
    char share[64];
    if (slash && (size_t)(slash - o->discount) < sizeof share && slash[1] >= '0' && slash[1] <= '9') {
        snprintf(share, sizeof share, "%.*s", (int)(slash - o->discount), o->discount);
        if (crm_parse_fraction(share, &discount.value, err) != CRM_OK || crm_parse_duration(slash + 1, &per, err) != CRM_OK ||
            !(per.count > 0))
            return crm_error_set(err, CRM_EUSAGE, "--discount wants a rate such as 10%%, 1%%/m or 1%%/30d, got '%s'",
                                 o->discount);
        rate_days = crm_duration_in(per, CRM_UNIT_DAY);
    } else {
        if ((st = crm_parse_rate(o->discount ? o->discount : "10%", CRM_UNIT_YEAR, &discount, err)) != CRM_OK)
            return st;
        rate_days = crm_time_unit_days(discount.per);
    }
    /* The rate per discounting period: (1 + rate)^(period / rate's period) - 1. */
    double period_days = v->clv.period * crm_time_unit_days(o->unit);
    v->clv.discount_rate = expm1(log1p(discount.value) * period_days / rate_days);
    if ((st = parse_margin(o->margin, &v->margin, &v->margin_from_profit, err)) != CRM_OK)
        return st;
    v->clv.margin = v->margin;
    return CRM_OK;
}

/* ---- the model file (crm/ltv_model_file.h), written as one of the run's files ---- */

static crm_status save_model(crm_output_set *outputs, const char *path, const crm_ltv_model_file *f, crm_error *err)
{
    crm_csv_writer *w;
    crm_status st = crm_cli_open_output(outputs, path, -1, &w, err);
    if (st != CRM_OK)
        return st;
    if ((st = crm_ltv_model_file_write(w, f)) != CRM_OK) {
        st = crm_cli_write_failed(w, st, err);
        crm_csv_writer_abort(w);
        return st == CRM_EPIPE ? crm_error_set(err, CRM_EIO, "%s: write failed: closed pipe", path) : st;
    }
    return crm_csv_writer_close(w, err);
}

/* ---- fitting ---- */

/* Where each model's no-dropout edge lies, and what the model is there. */
static const char *const dropout_edge[] = {
    "a -> 0 (dropout probability p = 0)", "s -> 0 or beta -> infinity (dropout rate mu = 0)",
    "a -> 0 (dropout probability p = 0)", "gamma -> 0 (dropout probability theta = 0)"};

static void print_fit_notes(const ltv_options_t *o, const crm_ltv_customers *t, const crm_ltv_fit_diagnosis *dg)
{
    const crm_ltv_fit_result *res = &dg->fit;
    const char *name = crm_ltv_model_name(o->model);
    const char *pen = o->penalty > 0 ? " (penalised)" : "";
    if (dg->verdict == CRM_LTV_NO_REPEATS) {
        fprintf(stderr, "crm-ltv: %s: none of the %.15g customers has a repeat purchase, so the %s likelihood is "
                "highest where the purchase rate is 0: expected_purchases and clv are 0 and p_alive is 1 for "
                "everyone\n", t->input_name, res->total_weight, name);
        return;
    }
    if (dg->verdict == CRM_LTV_DROPOUT_EVIDENT) {
        fprintf(stderr, "crm-ltv: %s fit on %.15g customers (%s): log-likelihood %.3f, converged in %d iterations%s\n",
                name, res->total_weight, crm_time_unit_name(o->unit), res->loglik, res->iterations, pen);
    } else {
        int bb = o->model == CRM_LTV_BGBB;
        fprintf(stderr, "crm-ltv: %s: the data show no sign of customers leaving within the observation window; "
                "p_alive is 1 for everyone\n", t->input_name);
        if (dg->verdict == CRM_LTV_DROPOUT_AT_EDGE)
            fprintf(stderr, "crm-ltv: the %s likelihood has no proper maximum inside its parameter space: it is highest "
                    "on the edge %s (its best point found gains %.3f in log-likelihood over it)", name, dropout_edge[o->model], dg->lr_statistic / 2);
        else
            fprintf(stderr, "crm-ltv: the best %s fit (%s = %.3g) gains only %.3f in log-likelihood over the edge %s, "
                    "less than the %.2f that would show dropout", name, crm_ltv_model_param_name(o->model, 2),
                    dg->full.params[2], dg->lr_statistic / 2, dropout_edge[o->model], CRM_LTV_DROPOUT_LR_CRITICAL / 2);
        fprintf(stderr, "; scoring with the model there, the %s without dropout: %s = %.4g, %s = %.4g, %s = 0 "
                "(log-likelihood %.3f on %.15g customers, %s%s)\n", bb ? "beta-binomial" : "NBD",
                crm_ltv_model_param_name(o->model, 0), res->params[0], crm_ltv_model_param_name(o->model, 1),
                res->params[1], crm_ltv_model_param_name(o->model, 2), res->loglik, res->total_weight,
                crm_time_unit_name(o->unit), pen);
    }
    for (size_t i = 0; i < 4; i++)
        if (dg->weak & (1u << i))
            fprintf(stderr, "crm-ltv: note: the data hardly determine %s: %s = %.3g has a standard error of %.3g, "
                    "larger than itself\n", crm_ltv_model_param_name(o->model, i), crm_ltv_model_param_name(o->model, i),
                    res->params[i], res->se[i]);
}

/* A failed fit: advise a penalty only when a fit with it works. */
static crm_status fit_failed(const ltv_options_t *o, const crm_ltv_customers *t, const crm_ltv_fit_options *fo,
                             crm_status st, crm_error *err)
{
    static const double penalties[] = {0.001, 0.01, 0.1};
    for (size_t i = 0; st == CRM_EDATA && o->penalty == 0 && i < sizeof penalties / sizeof *penalties; i++) {
        crm_ltv_fit_options trial = *fo;
        trial.penalty = penalties[i];
        crm_ltv_fit_diagnosis dg;
        crm_error ignored;
        if (crm_ltv_fit_diagnosed(o->model, t->c, t->n, &trial, &dg, &ignored) == CRM_OK) {
            size_t len = strlen(err->message);
            snprintf(err->message + len, sizeof err->message - len, "; with --penalty %g it fits", penalties[i]);
            break;
        }
    }
    crm_error_prefix(err, "%s: ", t->input_name);
    return st;
}

static void fit_options(const ltv_options_t *o, crm_ltv_fit_options *fo)
{
    crm_ltv_fit_options_init(fo);
    fo->penalty = o->penalty;
    fo->threads = o->threads;
}

/* The purchase model o->model on the table (its notes on stderr). */
static crm_status fit_purchase(const ltv_options_t *o, const crm_ltv_customers *t, crm_ltv_fit_diagnosis *dg,
                               crm_error *err)
{
    crm_ltv_fit_options fo;
    fit_options(o, &fo);
    crm_status st = crm_ltv_fit_diagnosed(o->model, t->c, t->n, &fo, dg, err);
    if (st != CRM_OK)
        return fit_failed(o, t, &fo, st, err);
    if (!o->quiet)
        print_fit_notes(o, t, dg);
    return CRM_OK;
}

/* The purchase model (fitted here, or given when --model auto has fitted
 * it) and the spend model. */
static crm_status fit_models(const ltv_options_t *o, const crm_ltv_customers *t, int want_spend,
                             const crm_ltv_fit_diagnosis *given, crm_ltv_model_file *f, crm_report *report,
                             crm_error *err)
{
    crm_ltv_fit_options fo;
    fit_options(o, &fo);
    crm_ltv_fit_diagnosis fitted;
    crm_status st;
    if (!given && (st = fit_purchase(o, t, &fitted, err)) != CRM_OK)
        return st;
    const crm_ltv_fit_diagnosis dg = given ? *given : fitted;
    const crm_ltv_fit_result res = dg.fit;
    crm_ltv_model_file_from_fit(f, o->model, o->unit, &res);
    crm_report_set_text(report, "model", crm_ltv_model_key(o->model));
    crm_report_set_text(report, "dropout", crm_ltv_dropout_key(dg.verdict));
    crm_report_set(report, "fit_iterations", (uint64_t)res.iterations);
    if (!want_spend)
        return CRM_OK;
    crm_ltv_spend_result sres;
    fo.penalty = 0;   /* the penalty is for the purchase model */
    if ((st = crm_ltv_spend_fit(t->spend_c ? t->spend_c : t->c, t->spend_c ? t->spend_n : t->n, &fo, &sres,
                                err)) != CRM_OK) {
        crm_error_prefix(err, "%s: ", t->input_name);
        return st;
    }
    if (t->spend_c)
        sres.one_time = (size_t)t->one_time;   /* the merged spend rows are the repeat buyers only */
    crm_ltv_model_file_set_spend(f, &sres.fit);
    if (!o->quiet)
        fprintf(stderr, "crm-ltv: Gamma-Gamma fit on %zu repeat buyers: log-likelihood %.3f; %zu one-time buyers "
                "and %zu with monetary_value <= 0 get the population mean spend %.2f\n",
                sres.used, sres.fit.loglik, sres.one_time, sres.nonpositive, sres.population_mean);
    crm_report_set(report, "spend_used", sres.used);
    crm_report_set(report, "spend_one_time", sres.one_time);
    crm_report_set(report, "spend_nonpositive", sres.nonpositive);
    return CRM_OK;
}

/* ---- output ---- */

/* Predictions row by row, so that a failure names the input line.  Rows
 * with the same history (x, t_x, T) share the purchase-model values: with
 * times in whole days (crm-rfm) a million customers have only some 130,000
 * histories, and the CLV sums a dozen hypergeometric functions per history.
 * The distinct histories are evaluated first, on --threads
 * (crm_ltv_predict_history_values); clv = margin x spend x discounted is
 * what crm_ltv_clv computes, bit for bit. */
static crm_status score(const crm_ltv_customers *t, const crm_ltv_model_file *f, const double *spend_params,
                        const crm_ltv_clv_options *clv, int threads, crm_ltv_prediction *out,
                        crm_error *err)
{
    crm_strtab *seen = crm_strtab_new(t->n / 4 + 16);
    uint32_t *history_of = malloc((t->n ? t->n : 1) * sizeof *history_of);
    crm_ltv_customer *histories = malloc((t->n ? t->n : 1) * sizeof *histories);
    crm_ltv_history_value *values = malloc((t->n ? t->n : 1) * sizeof *values);
    crm_ltv_clv_options per_unit = *clv;
    per_unit.margin = 1.0;
    crm_status st = CRM_OK;
    size_t nhistories = 0;
    if (!seen || !history_of || !histories || !values)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", t->n);
    for (size_t i = 0; i < t->n && st == CRM_OK; i++) {
        const crm_ltv_customer *c = &t->c[i];
        double key[3] = {c->x, c->t_x, c->T};
        int fresh = crm_strtab_intern(seen, (const char *)key, sizeof key, &history_of[i]);
        if (fresh < 0)
            st = crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", t->n);
        else if (fresh)
            histories[nhistories++] = *c;
    }
    if (st == CRM_OK)
        st = crm_ltv_predict_history_values(f->model, f->params, &per_unit, histories, nhistories,
                                            threads, values, err);
    for (size_t i = 0; i < t->n && st == CRM_OK; i++) {
        const crm_ltv_customer *c = &t->c[i];
        const crm_ltv_history_value *h = &values[history_of[i]];
        crm_ltv_prediction *o = &out[i];
        o->p_alive = h->p_alive;
        o->expected_purchases = h->expected_purchases;
        o->expected_avg_value = spend_params ? crm_ltv_spend_expected(spend_params, c->x, c->monetary_value)
                                             : c->monetary_value;
        o->clv = clv->margin * o->expected_avg_value * h->discounted;
        if (!isfinite(o->p_alive) || !isfinite(o->expected_purchases) || !isfinite(o->expected_avg_value) ||
            !isfinite(o->clv))
            st = crm_error_set(err, CRM_EDATA,
                               "%s:%llu: the %s predictions cannot be computed for x = %g, t_x = %g, T = %g "
                               "at these parameters",
                               t->input_name, (unsigned long long)t->lines[i], crm_ltv_model_name(f->model),
                               c->x, c->t_x, c->T);
    }
    crm_strtab_free(seen);
    free(history_of);
    free(histories);
    free(values);
    return st;
}

/* ---- the methods ---- */


static crm_status open_output(run_t *run, crm_error *err)
{
    crm_status st = crm_cli_open_output(run->outputs, run->common->output, run->common->gzip, &run->out, err);
    if (st == CRM_OK)
        crm_csv_writer_escape_formulas(run->out, run->common->escape_formulas);
    return st;
}

static crm_status resolve_margin(value_options *v, const crm_ltv_customers *t, crm_error *err)
{
    if (!v->margin_from_profit)
        return CRM_OK;
    if (!t->profit || !t->monetary)
        return crm_error_set(err, CRM_EDATA, "%s: --margin profit needs a profit and a monetary column "
                             "(name them with --profit COL and --monetary COL)", t->input_name);
    if (!(t->total_monetary > 0))
        return crm_error_set(err, CRM_EDATA, "%s: --margin profit: the total of column monetary is not positive",
                             t->input_name);
    v->margin = t->total_profit / t->total_monetary;
    if (v->margin < 0)
        v->margin = 0;   /* a loss-making table has no future profit to discount */
    v->clv.margin = v->margin;
    return CRM_OK;
}

/* ---- --validate and --model auto ---- */

/* Fits every candidate model (and validates it when the table has holdout
 * columns); a model that cannot be fitted is left out with a note. */
static crm_status fit_candidates(ltv_options_t *o, const crm_ltv_customers *t, crm_ltv_candidate *c, size_t *n, crm_error *err)
{
    crm_ltv_model models[CRM_LTV_MAX_CANDIDATES];
    size_t m = crm_ltv_candidate_models(o->unit == CRM_UNIT_DAY, t->c, t->duration_holdout, t->n, models), fitted = 0;
    crm_ltv_model asked = o->model;
    crm_status st = CRM_OK;
    for (size_t k = 0; k < m && st == CRM_OK; k++) {
        crm_error e;
        o->model = c[k].model = models[k];
        c[k].ok = 0;
        st = fit_purchase(o, t, &c[k].dg, &e);
        if (st == CRM_EDATA) {
            fprintf(stderr, "crm-ltv: %s is left out: %s\n", crm_ltv_model_name(models[k]), e.message);
            st = CRM_OK;
            continue;
        }
        if (st != CRM_OK) {
            *err = e;
            break;
        }
        const crm_ltv_fit_result *f = &c[k].dg.fit;
        c[k].bic = crm_ltv_bic(f);
        if (t->x_holdout && (st = crm_ltv_validate(models[k], f->params, t->c, t->x_holdout, t->duration_holdout,
                                                   t->n, &c[k].val, err)) != CRM_OK)
            crm_error_prefix(err, "%s: ", t->input_name);
        c[k].ok = st == CRM_OK;
        fitted += c[k].ok;
    }
    o->model = asked;
    *n = m;
    if (st == CRM_OK && fitted == 0)
        st = crm_error_set(err, CRM_EDATA, "%s: no model could be fitted", t->input_name);
    return st;
}

/* lifetimes' calibration-vs-holdout table, one row per model and x bin. */
static crm_status write_by_frequency(crm_output_set *outputs, const char *path, const crm_ltv_candidate *c, size_t n,
                                     crm_error *err)
{
    crm_csv_writer *w;
    crm_status st = crm_cli_open_output(outputs, path, -1, &w, err);
    if (st != CRM_OK)
        return st;
    if ((st = crm_ltv_validate_file_write_by_frequency(w, c, n)) != CRM_OK) {
        st = crm_cli_write_failed(w, st, err);
        crm_csv_writer_abort(w);
        return st;
    }
    return crm_csv_writer_close(w, err);
}

/* --model auto: the lowest holdout MAE, or without holdout columns the
 * lowest BIC; the first in bgnbd, mbgnbd, pnbd, bgbb order on a tie. */
static size_t choose_model(const crm_ltv_customers *t, const crm_ltv_candidate *c, size_t n, crm_report *report, int quiet)
{
    int by_mae = t->x_holdout != NULL;
    size_t best = crm_ltv_best_candidate(c, n, by_mae);
    if (!quiet) {
        fprintf(stderr, "crm-ltv: --model auto: %s, with the lowest %s, %.6g", crm_ltv_model_name(c[best].model),
                by_mae ? "holdout MAE" : "BIC", by_mae ? c[best].val.mae : c[best].bic);
        const char *sep = " (";
        for (size_t k = 0; k < n; k++)
            if (c[k].ok && k != best) {
                fprintf(stderr, "%s%s %.6g", sep, crm_ltv_model_name(c[k].model), by_mae ? c[k].val.mae : c[k].bic);
                sep = ", ";
            }
        fprintf(stderr, "%s%s\n", sep[0] == ',' ? ")" : "",
                by_mae ? "" : "; no holdout columns, so chosen by fit and size");
    }
    crm_report_set_text(report, "auto_model", crm_ltv_model_key(c[best].model));
    crm_report_set_text(report, "auto_criterion", by_mae ? "holdout-mae" : "bic");
    return best;
}

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
    crm_status st = read_customers(run, 0, NULL, NULL, &r, &t, err);
    run->rows_in = t.n;
    if (st == CRM_OK)
        st = fit_candidates(o, &t, c, &n, err);
    if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK) {
        st = crm_cli_write_failed(run->out, crm_ltv_validate_file_write(run->out, c, n), err);
        for (size_t k = 0; k < n; k++)
            run->rows_out += (uint64_t)c[k].ok;
    }
    if (st == CRM_OK && o->by_frequency)
        st = write_by_frequency(run->outputs, o->by_frequency, c, n, err);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    return st;
}

/* ---- --partial and --merge: the fit's statistics, shard by shard ---- */

/* Reads every --merge input into p; *has_spend: they were made from tables
 * with monetary_value (all of them, or none). */
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
        run->rows_in = t.n + run->bad.skipped;
        has_spend = t.col[CRM_LTV_COL_MONETARY_VALUE] >= 0;
    }
    if (st == CRM_OK && o->partial) {
        if ((st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_partial_file_write(run->out, p, has_spend, &run->rows_out, err),
                                      err);
    } else if (st == CRM_OK) {
        /* the fit of one process, from the merged statistics */
        crm_ltv_customers_free(&t);
        memset(&t, 0, sizeof t);
        if ((st = crm_ltv_partial_file_customers(p, has_spend, first_name, &t, err)) == CRM_OK && o->spend == SPEND_DEFAULT)
            o->spend = has_spend ? SPEND_GAMMA_GAMMA : SPEND_NONE;
        crm_ltv_model_file f = {0};
        if (st == CRM_OK)
            st = fit_models(o, &t, o->spend == SPEND_GAMMA_GAMMA, NULL, &f, run->report, err);
        if (st == CRM_OK && o->save_model)
            st = save_model(run->outputs, o->save_model, &f, err);
        if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_model_file_write_table(run->out, &f, o->decimals), err);
    }
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    crm_ltv_partial_free(p);
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
    crm_ltv_model_file f = {0};
    crm_ltv_candidate cand[CRM_LTV_MAX_CANDIDATES];
    const crm_ltv_fit_diagnosis *auto_fit = NULL;
    crm_status st;
    if (o->fit_only && o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--fit-only and --model-file exclude each other");
    if (o->model_file) {
        if ((st = crm_ltv_model_file_load(o->model_file, &f, err)) != CRM_OK ||
            (st = crm_ltv_model_file_check(&f, o->model_file, o->model_given, o->model, o->unit, err)) != CRM_OK)
            return st;
        o->model = f.model;
    }
    value_options v;
    if (!o->fit_only && ((st = parse_value_options(o, o->model, &v, err)) != CRM_OK ||
                         (st = crm_ltv_clv_options_check(o->model, &v.clv, err)) != CRM_OK))
        return st;

    crm_csv_reader *r = NULL;
    crm_ltv_customers t = {0};
    crm_ltv_prediction *pred = NULL;
    st = read_customers(run, !o->fit_only, NULL, &run->common->shard, &r, &t, err);
    run->rows_in = t.n + run->bad.skipped;
    if (st == CRM_OK && o->spend == SPEND_DEFAULT)
        o->spend = t.col[CRM_LTV_COL_MONETARY_VALUE] >= 0 ? SPEND_GAMMA_GAMMA : SPEND_NONE;
    if (st == CRM_OK && o->model_file && o->spend == SPEND_GAMMA_GAMMA && !f.has_spend)
        st = crm_error_set(err, CRM_EDATA, "%s has no Gamma-Gamma parameters: fit them with --spend "
                           "gamma-gamma --save-model, or score with --spend observed", o->model_file);
    if (st == CRM_OK && o->model_auto) {
        size_t n = 0;
        if ((st = fit_candidates(o, &t, cand, &n, err)) == CRM_OK) {
            size_t best = choose_model(&t, cand, n, run->report, o->quiet);
            o->model = cand[best].model;
            auto_fit = &cand[best].dg;
            if (!o->fit_only && ((st = parse_value_options(o, o->model, &v, err)) != CRM_OK ||
                                 (st = crm_ltv_clv_options_check(o->model, &v.clv, err)) != CRM_OK))
                auto_fit = NULL;
        }
    }
    if (st == CRM_OK && !o->model_file)
        st = fit_models(o, &t, o->spend == SPEND_GAMMA_GAMMA, auto_fit, &f, run->report, err);
    if (st == CRM_OK && o->save_model)
        st = save_model(run->outputs, o->save_model, &f, err);
    if (st == CRM_OK && o->fit_only) {
        if ((st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_model_file_write_table(run->out, &f, o->decimals), err);
    } else if (st == CRM_OK) {
        pred = malloc((t.n ? t.n : 1) * sizeof *pred);
        if (!pred)
            st = crm_error_set(err, CRM_ENOMEM, "out of memory for %zu predictions", t.n);
        if (st == CRM_OK)
            st = resolve_margin(&v, &t, err);
        if (st == CRM_OK)
            st = score(&t, &f, o->spend == SPEND_GAMMA_GAMMA ? f.spend_params : NULL, &v.clv, o->threads, pred, err);
        if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK)
            st = crm_cli_write_failed(run->out, crm_ltv_customers_write_scores(run->out, r, &t, pred, o->spend != SPEND_NONE), err);
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
    int simple = o->method == METHOD_SIMPLE;
    crm_status st;
    crm_rate churn = {0, CRM_UNIT_YEAR}, discount = {0, CRM_UNIT_YEAR};
    value_options v;
    if (simple) {
        if (!o->churn)
            return crm_error_set(err, CRM_EUSAGE, "--method simple needs --churn RATE (per year, e.g. 20%%)");
        if ((st = crm_parse_rate(o->churn, CRM_UNIT_YEAR, &churn, err)) != CRM_OK)
            return st;
        /* A churn rate per month c is a yearly churn of 1 - (1 - c)^12. */
        churn.value = -expm1(log1p(-fmin(churn.value, 1.0)) * crm_time_unit_days(CRM_UNIT_YEAR) /
                             crm_time_unit_days(churn.per));
        if (!(churn.value > 0 && churn.value <= 1))
            return crm_error_set(err, CRM_EUSAGE, "--churn wants a rate above 0 and at most 100%%, got '%s'",
                                 o->churn);
        if ((st = crm_parse_rate(o->discount ? o->discount : "10%", CRM_UNIT_YEAR, &discount, err)) != CRM_OK)
            return st;
        discount.value = crm_rate_per(discount, CRM_UNIT_YEAR);
    }
    if ((st = parse_margin(o->margin, &v.margin, &v.margin_from_profit, err)) != CRM_OK)
        return st;
    crm_csv_reader *r = NULL;
    crm_ltv_customers t = {0};
    st = read_customers(run, 1, NULL, NULL, &r, &t, err);
    run->rows_in = t.n + run->bad.skipped;
    if (st == CRM_OK)
        st = resolve_margin(&v, &t, err);
    if (st == CRM_OK && !simple && !t.profit && !(t.monetary && o->margin))
        st = crm_error_set(err, CRM_EDATA, "%s: no column 'profit'; name it with --profit COL, or give "
                           "--margin RATE to take that share of column 'monetary'", t.input_name);
    double per_year = crm_time_unit_days(CRM_UNIT_YEAR) / crm_time_unit_days(o->unit);
    if (st == CRM_OK && (st = open_output(run, err)) == CRM_OK)
        st = simple ? crm_ltv_customers_write_simple(run->out, r, &t, v.margin, churn.value, discount.value, per_year)
                    : crm_ltv_customers_write_historic(run->out, r, &t, v.margin);
    if (st == CRM_OK)
        run->rows_out = t.n;
    else if (run->out && err->message[0] == '\0')
        st = crm_cli_write_failed(run->out, st, err);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    return st;
}

/* ---- cohort ---- */

static crm_status parse_cohort_options(const ltv_options_t *o, crm_cohort_options *c, crm_error *err)
{
    crm_cohort_options_init(c);
    crm_status st = CRM_OK;
    if (o->cost_rate && crm_parse_fraction(o->cost_rate, &c->cost_rate, err) != CRM_OK) {
        /* A cost rate may exceed 100% (every sale at a loss). */
        crm_rate rate;
        if (crm_parse_rate(o->cost_rate, CRM_UNIT_YEAR, &rate, err) != CRM_OK || strchr(o->cost_rate, '/'))
            return crm_error_set(err, CRM_EUSAGE, "--cost-rate wants a share of revenue such as 60%%, got '%s'",
                                 o->cost_rate);
        c->cost_rate = rate.value;
    }
    if ((o->acquisition_cost &&
         (st = parse_money_option("--acquisition-cost", o->acquisition_cost, &c->acquisition_cost, err)) != CRM_OK) ||
        (o->marketing_cost &&
         (st = parse_money_option("--marketing-cost", o->marketing_cost, &c->marketing_cost, err)) != CRM_OK))
        return st;
    if (o->interest) {
        crm_rate rate;
        if ((st = crm_parse_rate(o->interest, CRM_UNIT_YEAR, &rate, err)) != CRM_OK)
            return st;
        c->interest = crm_rate_per(rate, o->by == CRM_COHORT_BY_YEAR ? CRM_UNIT_YEAR : CRM_UNIT_MONTH);
    }
    if (o->risk_factor &&
        (crm_parse_double(o->risk_factor, strlen(o->risk_factor), NULL, &c->risk_factor) != CRM_OK ||
         !isfinite(c->risk_factor) || c->risk_factor < 0))
        return crm_error_set(err, CRM_EUSAGE, "--risk-factor wants a number >= 0 such as 1.5, got '%s'",
                             o->risk_factor);
    return crm_cohort_options_check(c, err);
}

static crm_status read_transactions(run_t *run, crm_cohort *cohort, crm_error *err)
{
    crm_csv_reader *r;
    const crm_common_options *common = run->common;
    crm_status st = crm_cli_open_input(common, common->ninputs ? common->inputs[0] : NULL, &r, err);
    if (st != CRM_OK)
        return st;
    crm_customers_table_hooks hooks = {bad_row_hook, progress_hook, run};
    st = crm_ltv_cohort_file_read(r, run->o->columns, cohort, &hooks, &run->rows_in, err);
    crm_csv_close(r);
    return st;
}

static crm_status run_cohort(run_t *run, crm_error *err)
{
    crm_cohort_options opts;
    crm_status st = parse_cohort_options(run->o, &opts, err);
    if (st != CRM_OK)
        return st;
    crm_cohort *cohort = crm_cohort_new(run->o->by);
    if (!cohort)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_cohort_row *rows = NULL;
    size_t n = 0;
    if ((st = read_transactions(run, cohort, err)) == CRM_OK &&
        (st = crm_cohort_table(cohort, &opts, &rows, &n, err)) == CRM_OK &&
        (st = open_output(run, err)) == CRM_OK) {
        if (crm_cohort_revenue_based(cohort, &opts)) {
            static const char note[] = "no line has a cost and no --cost-rate was given: cost_rate and "
                                       "direct_cost are empty, and gross_profit, npv_profit, cumulative_npv "
                                       "and ltv_per_customer are revenue less acquisition and marketing costs";
            if (!run->o->quiet)
                fprintf(stderr, "crm-ltv: note: %s\n", note);
            if (run->report)
                crm_report_set_text(run->report, "note", note);
        }
        st = crm_cli_write_failed(run->out, crm_ltv_cohort_file_write(run->out, rows, n, run->o->by), err);
        run->rows_out = n;
    }
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
    crm_cli_spec spec = {"crm-ltv", usage, ltv_options, "q", handle_option, &o, 0, 1};
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
