/* crm-segment: the customers table in, the same table out with one segment
 * column per --by (rfm, value, lifecycle, kmeans, loyalty); --profile sums
 * the segments up.  Options, calls and messages: the table, the map, the
 * survey, the model file and the profile are formats modules of libcrm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/cli.h"
#include "crm/cli_table.h"
#include "crm/number.h"
#include "crm/report.h"
#include "crm/segment_model.h"
#include "crm/segment_profile.h"
#include "crm/segment_survey.h"
#include "crm/segment_run.h"
#include "crm/segment_table.h"

static const char usage[] =
    "Usage: crm-segment --by METHOD [--by METHOD...] [OPTIONS] [FILE]\n"
    "Reads the customers table (crm-rfm / crm-ltv output; standard input when no FILE)\n"
    "and writes it again, rows in input order and every column as read, with one\n"
    "segment column per --by: 'segment' for one method, segment_<method> for several.\n"
    "\n"
    "  --by rfm|value|lifecycle|kmeans|loyalty   segmentation method (repeatable)\n"
    "RFM (columns r_score, f_score, m_score):\n"
    "      --bins N              scores run 1..N (default 5)\n"
    "      --map FILE            segment map: CSV segment,r,f,m of score ranges (N, N-M, *)\n"
    "Value tiers MVC / MGC / Standard / BZ:\n"
    "      --top SHARE           MVC hold this share of the positive value (default 80%)\n"
    "      --top-count N         MVC are the N most valuable customers instead\n"
    "      --growth F            MGC when predicted > F x value to date (default 1.5)\n"
    "      --margin RATE         the clv is profit at RATE but the value to date is revenue\n"
    "                            (monetary): compare predicted with RATE x monetary\n"
    "Lifecycle stages new / growing / mature / declining / lapsed / prospect (thresholds in days,\n"
    "written with their unit):\n"
    "      --new-tenure D (90d)  --mature-tenure D (365d)  --declining-recency D (180d)\n"
    "      --lapsed-recency D (365d)  --recent-window D (90d)  --growing-trend X (1.5)\n"
    "      --declining-trend X (0.5)  --declining-p-alive P (0.5)  --lapsed-p-alive P (0.1)\n"
    "Loyalty tiers loyal / regular / occasional / transient (crm-segment(1)):\n"
    "      --survey FILE         customer_id and numeric score columns (the subjective value)\n"
    "      --survey-scale COL=LO:HI  a score column's scale (else the lowest and highest seen)\n"
    "      --loyalty-weights objective=W,subjective=W  (default 0.7 and 0.3)\n"
    "      reads consecutive_periods and gap_cv (crm-rfm --loyalty-period), tenure_days,\n"
    "      frequency; adds loyalty_score, loyalty_objective, loyalty_subjective, loyalty_survey\n"
    "K-means clusters 1..k:\n"
    "  -k N|auto                 clusters (auto: best silhouette for k in --k-range)\n"
    "      --features COLS       comma-separated feature columns\n"
    "                            (default recency_days,frequency,monetary)\n"
    "      --transform log1p|none  per-feature transform (default log1p)\n"
    "      --no-zscore           do not standardise the features\n"
    "      --seed N (1)  --restarts N (10)  --max-iter N (300)  --tol X (1e-4)\n"
    "      --k-range LO-HI (2-10)  --sample N (10000)   for -k auto\n"
    "      --order COL           number clusters by this feature's mean (default: the first)\n"
    "      --descending          highest mean first\n"
    "Saved models (k-means and value tiers), so that shards are labelled as one process labels them:\n"
    "      --save-model FILE     write the clusters and the value cut-off fitted here to FILE\n"
    "      --model-file FILE     label with a saved model instead of fitting; --shard I/N is\n"
    "                            then taken (the model sets -k, --features, --transform,\n"
    "                            --no-zscore, --order, --top, --top-count, --growth, --margin)\n"
    "Columns (name or 1-based index):\n"
    "      --r COL  --f COL  --m COL  --value COL (profit, else monetary)\n"
    "      --predicted COL (clv when present)  --no-predicted\n"
    "      --tenure COL  --recency COL  --frequency COL  --p-alive COL (p_alive when present)\n"
    "      --no-p-alive  --recent COL (purchases in the recent window; purchases_recent\n"
    "                            when present, and then purchases_previous: the window\n"
    "                            before it, as crm-rfm --recent-window writes them)\n"
    "Output:\n"
    "      --profile FILE        one row per segment: customers, shares, value, feature means,\n"
    "                            mean p_alive when the table has it\n"
    "      --group-by COL[,COL...]  profile rows per segment and value of these columns\n"
    "      --crosstab BY:COL[:customers|value]  the profile as a wide table instead:\n"
    "                            the BY method's segments down, COL's values across\n"
    "  -q, --quiet               no summary on stderr\n"
    "      --skip-bad            skip unreadable rows, count them and report the first\n"
    "Common:\n"
    "  -o, --output FILE  -z, --gzip  -d, --delimiter C  -t, --tab  --encoding NAME\n"
    "  --no-header  --max-field-size N  --threads N  --progress  --report FILE\n"
    "  --escape-formulas  --shard I/N  --help  --version\n";

typedef struct {
    crm_segment_by by[CRM_SEGMENT_BY_COUNT];
    size_t nby;
    crm_segment_table_spec spec;   /* columns named, features, order, ... */
    crm_segment_settings set;      /* what the methods fit with */
    crm_segment_profile_spec profile;
    const char *profile_path, *map_path, *survey, *save_model, *model_file;
    int k_given, margin_given, weights_given, quiet, skip_bad;
    crm_survey_scale scales[CRM_SURVEY_MAX_SCORES];
    size_t nscales;
    const char *fit_option;        /* the first option given that a saved model sets instead */
    crm_segment_model model;       /* read from model_file */
    crm_segment_saved_kmeans saved_kmeans;   /* its parts, for the methods */
    crm_segment_saved_value saved_value;
} segment_options;

static int uses(const segment_options *o, crm_segment_by m)
{
    for (size_t i = 0; i < o->nby; i++)
        if (o->by[i] == m)
            return 1;
    return 0;
}

static crm_status parse_by(void *ctx, const char *arg, crm_error *err)
{
    segment_options *o = ctx;
    int m = crm_segment_method_find(arg, strlen(arg));
    if (m < 0)
        return crm_error_set(err, CRM_EUSAGE, "--by wants rfm, value, lifecycle, kmeans or loyalty, got '%s'", arg);
    if (uses(o, (crm_segment_by)m))
        return crm_error_set(err, CRM_EUSAGE, "--by %s is given twice", arg);
    o->by[o->nby++] = (crm_segment_by)m;
    return CRM_OK;
}

static int whole_in(const char *s, size_t len, int64_t lo, int64_t hi, size_t *out)
{
    int64_t v;
    if (crm_parse_int64(s, len, &v) != CRM_OK || v < lo || v > hi)
        return 0;
    *out = (size_t)v;
    return 1;
}

static crm_status parse_k(void *ctx, const char *arg, crm_error *err)
{
    segment_options *o = ctx;
    o->set.k_auto = strcmp(arg, "auto") == 0;
    if (!o->set.k_auto && !whole_in(arg, strlen(arg), 1, 1000000, &o->set.km.k))
        return crm_error_set(err, CRM_EUSAGE, "-k wants a number of clusters from 1 to 1000000 or 'auto', got '%s'",
                             arg);
    return CRM_OK;
}

static crm_status parse_k_range(void *ctx, const char *arg, crm_error *err)
{
    segment_options *o = ctx;
    const char *dash = strchr(arg, '-');
    if (!dash || dash - arg >= 32)
        return crm_error_set(err, CRM_EUSAGE, "--k-range wants LO-HI (e.g. 2-10), got '%s'", arg);
    if (!whole_in(arg, (size_t)(dash - arg), 2, 1000, &o->set.k_min) ||
        !whole_in(dash + 1, strlen(dash + 1), 2, 1000, &o->set.k_max) || o->set.k_min > o->set.k_max)
        return crm_error_set(err, CRM_EUSAGE, "--k-range wants LO-HI with 2 <= LO <= HI <= 1000, got '%s'", arg);
    o->set.k_range_given = 1;
    return CRM_OK;
}

static crm_status parse_transform(void *ctx, const char *arg, crm_error *err)
{
    static const char *const names[] = {"log1p", "none", NULL};
    int choice;
    if (crm_cli_parse_choice("--transform", arg, names, &choice, err) != CRM_OK)
        return CRM_EUSAGE;
    ((segment_options *)ctx)->set.km.transform = choice == 0 ? CRM_KMEANS_TRANSFORM_LOG1P : CRM_KMEANS_TRANSFORM_NONE;
    return CRM_OK;
}

static crm_status parse_survey_scale(void *ctx, const char *arg, crm_error *err)
{
    segment_options *o = ctx;
    if (o->nscales == CRM_SURVEY_MAX_SCORES)
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale is given more than %d times", CRM_SURVEY_MAX_SCORES);
    crm_survey_scale *sc = &o->scales[o->nscales];
    crm_status st = crm_survey_parse_scale(arg, sc, err);
    for (size_t i = 0; i < o->nscales && st == CRM_OK; i++)
        if (strcmp(o->scales[i].name, sc->name) == 0)
            return crm_error_set(err, CRM_EUSAGE, "--survey-scale gives column '%s' twice", sc->name);
    o->nscales += st == CRM_OK;
    return st;
}

static crm_status parse_weights(void *ctx, const char *arg, crm_error *err)
{
    crm_status st = crm_loyalty_parse_weights(arg, &((segment_options *)ctx)->set.loyalty, err);
    if (st != CRM_OK)
        crm_error_prefix(err, "--loyalty-weights ");
    return st;
}

static crm_status parse_crosstab(void *ctx, const char *arg, crm_error *err)
{
    return crm_segment_profile_parse_crosstab(arg, &((segment_options *)ctx)->profile, err);
}

/* The options, in the order of --help.  Those a saved model sets note
 * themselves in fit_option. */
#define COLUMN(name, c) {name, 0, CRM_CLI_TEXT, &o->spec.columns[c], 0, 0, NULL, NULL, NULL}
static size_t option_table(segment_options *o, crm_cli_entry *t)
{
    crm_value_options *v = &o->set.value;
    crm_lifecycle_options *l = &o->set.life;
    crm_kmeans_options *km = &o->set.km;
    const crm_cli_entry entries[] = {
        {"--by", 0, CRM_CLI_CALL, NULL, 0, 0, parse_by, NULL, NULL},
        {"--bins", 0, CRM_CLI_INT, &o->set.bins, 1, CRM_RFM_MAX_BINS, NULL, NULL, NULL},
        {"--map", 0, CRM_CLI_TEXT, &o->map_path, 0, 0, NULL, NULL, NULL},
        {"--top", 0, CRM_CLI_POSITIVE_SHARE, &v->top_share, 0, 0, NULL, NULL, &o->fit_option},
        {"--top-count", 0, CRM_CLI_SIZE, &v->top_count, 1, SIZE_MAX, NULL, NULL, &o->fit_option},
        {"--growth", 0, CRM_CLI_POSITIVE, &v->growth, 0, 0, NULL, NULL, &o->fit_option},
        {"--margin", 0, CRM_CLI_POSITIVE_SHARE, &v->margin, 0, 0, NULL, &o->margin_given, &o->fit_option},
        {"--new-tenure", 0, CRM_CLI_DAYS, &l->new_days, 0, 0, NULL, NULL, NULL},
        {"--mature-tenure", 0, CRM_CLI_DAYS, &l->mature_days, 0, 0, NULL, NULL, NULL},
        {"--declining-recency", 0, CRM_CLI_DAYS, &l->declining_days, 0, 0, NULL, NULL, NULL},
        {"--lapsed-recency", 0, CRM_CLI_DAYS, &l->lapsed_days, 0, 0, NULL, NULL, NULL},
        {"--recent-window", 0, CRM_CLI_DAYS, &l->recent_days, 0, 0, NULL, NULL, NULL},
        {"--growing-trend", 0, CRM_CLI_POSITIVE, &l->growing_trend, 0, 0, NULL, NULL, NULL},
        {"--declining-trend", 0, CRM_CLI_POSITIVE, &l->declining_trend, 0, 0, NULL, NULL, NULL},
        {"--declining-p-alive", 0, CRM_CLI_SHARE, &l->declining_p_alive, 0, 0, NULL, NULL, NULL},
        {"--lapsed-p-alive", 0, CRM_CLI_SHARE, &l->lapsed_p_alive, 0, 0, NULL, NULL, NULL},
        {"--survey", 0, CRM_CLI_TEXT, &o->survey, 0, 0, NULL, NULL, NULL},
        {"--survey-scale", 0, CRM_CLI_CALL, NULL, 0, 0, parse_survey_scale, NULL, NULL},
        {"--loyalty-weights", 0, CRM_CLI_CALL, NULL, 0, 0, parse_weights, &o->weights_given, NULL},
        {"-k", 'k', CRM_CLI_CALL, NULL, 0, 0, parse_k, &o->k_given, &o->fit_option},
        {"--features", 0, CRM_CLI_TEXT, &o->spec.features, 0, 0, NULL, NULL, &o->fit_option},
        {"--transform", 0, CRM_CLI_CALL, NULL, 0, 0, parse_transform, NULL, &o->fit_option},
        {"--no-zscore", 0, CRM_CLI_FLAG, &km->zscore, 0, 0, NULL, NULL, &o->fit_option},
        {"--seed", 0, CRM_CLI_ULONG, &km->seed, 0, 4294967295ull, NULL, NULL, NULL},
        {"--restarts", 0, CRM_CLI_UNSIGNED, &km->restarts, 1, 100000, NULL, NULL, NULL},
        {"--max-iter", 0, CRM_CLI_UNSIGNED, &km->max_iter, 1, 1000000, NULL, NULL, NULL},
        {"--tol", 0, CRM_CLI_NONNEGATIVE, &km->tol, 0, 0, NULL, NULL, NULL},
        {"--k-range", 0, CRM_CLI_CALL, NULL, 0, 0, parse_k_range, NULL, &o->fit_option},
        {"--sample", 0, CRM_CLI_SIZE, &o->set.sample, 2, SIZE_MAX, NULL, NULL, NULL},
        {"--order", 0, CRM_CLI_TEXT, &o->spec.order, 0, 0, NULL, NULL, &o->fit_option},
        {"--descending", 0, CRM_CLI_FLAG, &km->order_descending, 1, 0, NULL, NULL, &o->fit_option},
        {"--save-model", 0, CRM_CLI_TEXT, &o->save_model, 0, 0, NULL, NULL, NULL},
        {"--model-file", 0, CRM_CLI_TEXT, &o->model_file, 0, 0, NULL, NULL, NULL},
        COLUMN("--r", CRM_SEGMENT_COL_R), COLUMN("--f", CRM_SEGMENT_COL_F), COLUMN("--m", CRM_SEGMENT_COL_M),
        COLUMN("--value", CRM_SEGMENT_COL_VALUE), COLUMN("--predicted", CRM_SEGMENT_COL_PREDICTED),
        COLUMN("--tenure", CRM_SEGMENT_COL_TENURE), COLUMN("--recency", CRM_SEGMENT_COL_RECENCY),
        COLUMN("--frequency", CRM_SEGMENT_COL_FREQUENCY), COLUMN("--p-alive", CRM_SEGMENT_COL_P_ALIVE),
        COLUMN("--recent", CRM_SEGMENT_COL_RECENT),
        {"--no-predicted", 0, CRM_CLI_FLAG, &o->spec.no_predicted, 1, 0, NULL, NULL, NULL},
        {"--no-p-alive", 0, CRM_CLI_FLAG, &o->spec.no_p_alive, 1, 0, NULL, NULL, NULL},
        {"--profile", 0, CRM_CLI_TEXT, &o->profile_path, 0, 0, NULL, NULL, NULL},
        {"--group-by", 0, CRM_CLI_TEXT, &o->profile.group_by, 0, 0, NULL, NULL, NULL},
        {"--crosstab", 0, CRM_CLI_CALL, NULL, 0, 0, parse_crosstab, NULL, NULL},
        {"--quiet", 'q', CRM_CLI_FLAG, &o->quiet, 1, 0, NULL, NULL, NULL},
        {"--skip-bad", 0, CRM_CLI_FLAG, &o->skip_bad, 1, 0, NULL, NULL, NULL},
    };
    memcpy(t, entries, sizeof entries);
    return sizeof entries / sizeof entries[0];
}

/* The library checks the thresholds too; here the message names the options. */
static crm_status check_lifecycle_order(const crm_lifecycle_options *l, crm_error *err)
{
    if (l->new_days > l->mature_days)
        return crm_error_set(err, CRM_EUSAGE, "--new-tenure (%g days) is above --mature-tenure (%g days)",
                             l->new_days, l->mature_days);
    if (l->declining_days > l->lapsed_days)
        return crm_error_set(err, CRM_EUSAGE, "--declining-recency (%g days) is above --lapsed-recency (%g days)",
                             l->declining_days, l->lapsed_days);
    if (l->declining_trend >= l->growing_trend)
        return crm_error_set(err, CRM_EUSAGE, "--declining-trend (%g) must be below --growing-trend (%g)",
                             l->declining_trend, l->growing_trend);
    if (l->lapsed_p_alive > l->declining_p_alive)
        return crm_error_set(err, CRM_EUSAGE, "--lapsed-p-alive (%g) is above --declining-p-alive (%g)",
                             l->lapsed_p_alive, l->declining_p_alive);
    return CRM_OK;
}

/* Options that only make sense together. */
static crm_status check_options(const segment_options *o, const crm_shard *shard, crm_error *err)
{
    const char *save = o->save_model ? "--save-model" : "--model-file", *p = o->profile.crosstab;
    if (o->nby == 0)
        return crm_error_set(err, CRM_EUSAGE, "say how to segment: --by rfm, value, lifecycle, kmeans or loyalty");
    if (!uses(o, CRM_SEGMENT_BY_LOYALTY) && (o->survey || o->nscales || o->weights_given))
        return crm_error_set(err, CRM_EUSAGE, "%s is for --by loyalty",
                             o->survey ? "--survey" : o->nscales ? "--survey-scale" : "--loyalty-weights");
    if (o->nscales && !o->survey)
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale needs --survey FILE");
    if ((o->save_model || o->model_file) && !uses(o, CRM_SEGMENT_BY_KMEANS) && !uses(o, CRM_SEGMENT_BY_VALUE))
        return crm_error_set(err, CRM_EUSAGE, "%s is for --by kmeans and --by value", save);
    if (o->save_model && o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--save-model and --model-file exclude each other: "
                             "a model is saved by the run that fits it");
    if (o->model_file && o->fit_option)
        return crm_error_set(err, CRM_EUSAGE, "%s: with --model-file the saved model sets it", o->fit_option);
    if (uses(o, CRM_SEGMENT_BY_KMEANS) && !o->k_given && !o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--by kmeans needs -k N or -k auto");
    if (!uses(o, CRM_SEGMENT_BY_KMEANS) && o->k_given)
        return crm_error_set(err, CRM_EUSAGE, "-k is for --by kmeans");
    if (!uses(o, CRM_SEGMENT_BY_RFM) && o->map_path)
        return crm_error_set(err, CRM_EUSAGE, "--map is for --by rfm");
    if (!uses(o, CRM_SEGMENT_BY_VALUE) && o->margin_given)
        return crm_error_set(err, CRM_EUSAGE, "--margin is for --by value");
    if (o->set.k_range_given && !o->set.k_auto)
        return crm_error_set(err, CRM_EUSAGE, "--k-range is for -k auto");
    if ((o->profile.group_by || p) && !o->profile_path)
        return crm_error_set(err, CRM_EUSAGE, "%s shapes the profile: give --profile FILE",
                             o->profile.group_by ? "--group-by" : "--crosstab");
    if (o->profile.group_by && p)
        return crm_error_set(err, CRM_EUSAGE, "--group-by and --crosstab exclude each other (a cross-tab has one "
                             "column of values)");
    if (p && !uses(o, o->profile.crosstab_by))
        return crm_error_set(err, CRM_EUSAGE, "--crosstab %s: no --by %s to put down the rows", p,
                             crm_segment_method_name(o->profile.crosstab_by));
    if (uses(o, CRM_SEGMENT_BY_LIFECYCLE) && check_lifecycle_order(&o->set.life, err) != CRM_OK)
        return CRM_EUSAGE;
    /* --shard keeps one shard's customers, labelled as one process labels
     * the whole table: RFM, lifecycle and loyalty look at one customer at a
     * time (a --survey is read whole); k-means and value tiers need a model
     * saved from all. */
    if (shard->count && o->save_model)
        return crm_error_set(err, CRM_EUSAGE, "--save-model fits on every customer: run it without --shard, "
                             "then label the shards with --model-file");
    for (size_t b = 0; shard->count && b < o->nby; b++)
        if ((o->by[b] == CRM_SEGMENT_BY_KMEANS || o->by[b] == CRM_SEGMENT_BY_VALUE) && !o->model_file)
            return crm_error_set(err, CRM_EUSAGE, "--shard: --by %s fits on every customer; label a shard with "
                                 "--model-file FILE saved from all of them (--save-model)",
                                 crm_segment_method_name(o->by[b]));
    return CRM_OK;
}

/* ---- the run ---- */

typedef struct {
    segment_options *o;
    const crm_common_options *common;
    crm_output_set *outputs;   /* every file the run writes */
    crm_csv_reader *reader;
    crm_csv_writer *out;
    crm_segment_run run;
    crm_progress progress;
    crm_report *report;
    crm_bad_rows bad;          /* --skip-bad */
    crm_survey survey;         /* --survey */
} segment_job;

static crm_status bad_row(void *bad, crm_error *err) { return crm_cli_bad_row(bad, err); }
static void progress(void *p, uint64_t rows, uint64_t bytes) { crm_progress_update(p, rows, bytes); }

/* --model-file: read and checked whole before the customers, so that a bad
 * model stops the run before a long input is read. */
static crm_status load_model(segment_options *o, crm_error *err)
{
    crm_status st = crm_segment_model_load(o->model_file, &o->model, err);
    if (st == CRM_OK && (st = crm_segment_model_check_methods(&o->model, o->by, o->nby, o->model_file, err)) == CRM_OK)
        crm_segment_model_settings(&o->model, &o->set, &o->saved_kmeans, &o->saved_value);
    return st;
}

/* The survey is read before the table, so that a bad survey stops first. */
static crm_status read_survey(segment_job *job, crm_error *err)
{
    crm_csv_reader *r;
    crm_status st = crm_cli_open_input(job->common, job->o->survey, &r, err);
    if (st != CRM_OK)
        return st;
    st = crm_survey_read(&job->survey, r, job->o->scales, job->o->nscales, bad_row, &job->bad, err);
    crm_csv_close(r);
    return st;
}

static void note_kmeans(const segment_job *job, const crm_segment_result *s, double seconds)
{
    const segment_options *o = job->o;
    char inertia[CRM_NUMBER_TEXT_MAX], text[CRM_NUMBER_TEXT_MAX];
    if (o->model_file) {
        if (!o->quiet)
            fprintf(stderr, "crm-segment: kmeans: k=%zu from %s\n", o->model.k, o->model_file);
        return;
    }
    crm_double_format(s->km.inertia, inertia);
    for (size_t k = s->k_min; !o->quiet && o->set.k_auto && k <= s->k_max; k++) {
        crm_double_format_fixed(s->silhouette[k - s->k_min], 4, text);
        fprintf(stderr, "crm-segment: kmeans: k=%zu silhouette %s%s\n", k, text, k == s->best_k ? " (chosen)" : "");
    }
    if (!o->quiet)
        fprintf(stderr, "crm-segment: kmeans: k=%zu, inertia %s, %u iterations%s, restart %u of %u kept\n", s->km.k,
                inertia, s->km.iterations, s->km.converged ? "" : " (not converged)", s->km.best_restart + 1,
                o->set.km.restarts);
    crm_report_set(job->report, "kmeans_k", s->km.k);
    crm_report_set_text(job->report, "kmeans_inertia", inertia);
    crm_report_set(job->report, "kmeans_iterations", s->km.iterations);
    crm_double_format_fixed(seconds, 3, text);
    crm_report_set_text(job->report, "kmeans_seconds", text);
}

/* --save-model: the fitted k-means and value cut-off of this run. */
static crm_status save_model(segment_job *job, crm_error *err)
{
    crm_segment_model m = {0};
    crm_output *out;
    crm_status st = crm_segment_run_model(&job->run, job->reader, &m, err);
    if (st == CRM_OK && (st = crm_output_set_open(job->outputs, &out, job->o->save_model, 0, err)) == CRM_OK &&
        (st = crm_segment_model_write(&m, out, err)) == CRM_OK)
        st = crm_output_commit(out, err);
    crm_segment_model_free(&m);
    return st;
}

/* Closes a CSV output after its writing ended with st (or aborts it). */
static crm_status finish_output(crm_csv_writer *w, crm_status st, crm_error *err)
{
    if (st == CRM_OK)
        return crm_csv_writer_close(w, err);
    st = st == CRM_EPIPE ? crm_error_set(err, CRM_EPIPE, "closed pipe") : crm_cli_write_failed(w, st, err);
    crm_csv_writer_abort(w);
    return st;
}

static crm_status write_profile(segment_job *job, crm_error *err)
{
    const segment_options *o = job->o;
    crm_segment_profile_groups *g = NULL;
    crm_csv_writer *w = NULL;
    crm_status st = crm_segment_profile_group(&g, job->reader, &job->run.table, &o->profile, err);
    if (st == CRM_OK && (st = crm_cli_open_output(job->outputs, o->profile_path, -1, &w, err)) == CRM_OK) {
        crm_csv_writer_escape_formulas(w, job->common->escape_formulas);
        st = crm_segment_profile_write(w, &job->run.table, job->run.segs, job->run.nsegs, &o->profile, g, err);
        st = finish_output(w, st, err);
    }
    crm_segment_profile_groups_free(g);
    return st;
}

static crm_status label(segment_job *job, crm_error *err)
{
    for (size_t s = 0; s < job->run.nsegs; s++) {
        double started = crm_clock_seconds();
        crm_status st = crm_segment_run_label(&job->run, s, crm_csv_input_name(job->reader), err);
        if (st != CRM_OK)
            return st;
        if (job->run.segs[s].by == CRM_SEGMENT_BY_KMEANS)
            note_kmeans(job, &job->run.segs[s], crm_clock_seconds() - started);
    }
    return CRM_OK;
}

static crm_status run_segment(segment_job *job, crm_error *err)
{
    segment_options *o = job->o;
    const char *path = job->common->ninputs ? job->common->inputs[0] : NULL;
    crm_segment_table_spec *t = &o->spec;
    t->by = o->by;
    t->nby = o->nby;
    t->margin = o->margin_given;
    t->profile = o->profile_path != NULL;
    t->model = o->model_file ? &o->model : NULL;
    t->model_file = o->model_file;
    t->survey = o->survey != NULL;
    t->shard = &job->common->shard;
    crm_segment_run_spec spec = {*t, &o->set, o->map_path, o->save_model != NULL};
    crm_status st;
    if ((o->model_file && (st = load_model(o, err)) != CRM_OK) ||
        (st = crm_cli_open_input(job->common, path, &job->reader, err)) != CRM_OK ||
        (st = crm_segment_run_open(&job->run, job->reader, &spec, err)) != CRM_OK ||
        (o->survey && (st = read_survey(job, err)) != CRM_OK) ||
        (st = crm_segment_run_read(&job->run, job->reader, o->survey ? &job->survey : NULL, bad_row, &job->bad,
                                   progress, &job->progress, err)) != CRM_OK)
        return st;
    crm_progress_finish(&job->progress, crm_segment_table_rows(&job->run.table), crm_csv_raw_bytes(job->reader));
    if ((st = label(job, err)) != CRM_OK || (o->save_model && (st = save_model(job, err)) != CRM_OK) ||
        (o->profile_path && (st = write_profile(job, err)) != CRM_OK) ||
        (st = crm_cli_open_output(job->outputs, job->common->output, job->common->gzip, &job->out, err)) != CRM_OK)
        return st;
    crm_csv_writer *out = job->out;
    job->out = NULL;
    crm_csv_writer_escape_formulas(out, job->common->escape_formulas);
    st = crm_segment_table_write(out, job->reader, &job->run.table, job->run.segs, job->run.nsegs);
    return finish_output(out, st, err);
}

static void print_counts(const crm_segment_result *s, size_t n)
{
    size_t *counts = calloc(s->nnames ? s->nnames : 1, sizeof *counts);
    if (!counts)
        return;
    crm_segment_result_counts(s, n, counts);
    fprintf(stderr, "crm-segment: %s:", crm_segment_method_name(s->by));
    for (size_t c = 0; c < s->nnames; c++)
        fprintf(stderr, "%s %s %zu", c ? "," : "", s->names[c], counts[c]);
    fputc('\n', stderr);
    free(counts);
}

static void print_loyalty_note(const segment_options *o, const crm_segment_result *s, const crm_survey *v, size_t n)
{
    size_t answered = 0;
    if (!s->loyalty)
        return;
    if (!o->survey) {
        fprintf(stderr, "crm-segment: loyalty: objective value alone (no --survey)\n");
        return;
    }
    for (size_t i = 0; i < n; i++)
        answered += (size_t)s->loyalty[i].answered;
    fprintf(stderr, "crm-segment: loyalty: %zu of %zu customers with a survey answer (weights objective %g, "
            "subjective %g); %zu survey row%s for customers not in the table\n", answered, n,
            o->set.loyalty.objective_weight, o->set.loyalty.subjective_weight, v->nrows - v->matched,
            v->nrows - v->matched == 1 ? "" : "s");
}

/* Every file named before anything is read: an output must not replace an input. */
static crm_status start_outputs(const segment_options *o, const crm_common_options *common, crm_output_set **set,
                                crm_error *err)
{
    crm_status st;
    if ((st = crm_cli_start_outputs(common, set, err)) != CRM_OK ||
        (st = crm_output_set_add_input(*set, "--map", o->map_path, err)) != CRM_OK ||
        (st = crm_output_set_add_input(*set, "--survey", o->survey, err)) != CRM_OK ||
        (st = crm_output_set_add_input(*set, "--model-file", o->model_file, err)) != CRM_OK ||
        (st = crm_output_set_add_output(*set, "--profile", o->profile_path, err)) != CRM_OK ||
        (st = crm_output_set_add_output(*set, "--save-model", o->save_model, err)) != CRM_OK) {
        crm_output_set_free(*set);
        *set = NULL;
    }
    return st;
}

static void free_job(segment_job *job)
{
    crm_report_free(job->report);
    crm_csv_close(job->reader);
    crm_segment_run_free(&job->run);
    crm_survey_free(&job->survey);
    crm_segment_model_free(&job->o->model);
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    segment_options o = {0};
    crm_segment_settings_init(&o.set);
    crm_cli_entry entries[64];
    crm_cli_table table;
    crm_error err;
    crm_error_clear(&err);
    if (crm_cli_table_init(&table, entries, option_table(&o, entries), &o, &err) != CRM_OK)
        return crm_cli_fail("crm-segment", &err);
    crm_common_options common;
    crm_cli_spec spec = {"crm-segment", usage, table.longs, table.shorts, crm_cli_table_handle, &table, 1, 1};
    int exit_code;
    int go = crm_cli_start(&spec, argc, argv, &common, &exit_code);
    crm_cli_table_free(&table);
    if (!go)
        return exit_code;
    o.set.km.threads = common.threads;   /* the assignment step too; same output on any */
    segment_job job = {.o = &o, .common = &common};
    job.bad.skip = o.skip_bad;
    if (check_options(&o, &common.shard, &err) != CRM_OK || start_outputs(&o, &common, &job.outputs, &err) != CRM_OK)
        return crm_cli_fail("crm-segment", &err);
    job.report = crm_report_new("crm-segment");
    crm_progress_start(&job.progress, "crm-segment", common.progress);
    crm_status st = run_segment(&job, &err);
    if (job.out)
        crm_csv_writer_abort(job.out);   /* a failed run leaves any earlier output in place */
    size_t n = crm_segment_table_rows(&job.run.table);
    crm_report_set(job.report, "rows_in", n + job.bad.skipped);
    crm_report_set(job.report, "rows_out", st == CRM_OK ? n : 0);
    crm_report_set(job.report, "rows_skipped", job.bad.skipped);
    st = crm_cli_end_run("crm-segment", job.outputs, job.report, common.report, st, &err);
    /* counts only for a run whose files were all written */
    if (st == CRM_OK && !o.quiet) {
        crm_cli_note_skipped("crm-segment", &job.bad);
        fprintf(stderr, "crm-segment: %zu customers\n", n);
        for (size_t s = 0; s < job.run.nsegs; s++) {
            print_counts(&job.run.segs[s], n);
            print_loyalty_note(&o, &job.run.segs[s], &job.survey, n);
        }
    }
    free_job(&job);
    return st != CRM_OK ? crm_cli_fail("crm-segment", &err) : 0;
}
