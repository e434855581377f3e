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
#include "crm/segment_run.h"
#include "crm/segment_survey.h"
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
    CRM_CLI_COMMON_USAGE("--shard I/N  ");

typedef struct {
    crm_segment_by by[CRM_SEGMENT_BY_COUNT];
    size_t nby;
    int uses[CRM_SEGMENT_BY_COUNT], fits;    /* which methods; fits: kmeans or value */
    crm_segment_run_spec run;      /* the table's columns, the settings, the map, ... */
    crm_segment_settings set;      /* what the methods fit with */
    crm_segment_profile_spec profile;
    const char *profile_path, *survey;
    int quiet, skip_bad;
    crm_survey_scale scales[CRM_SURVEY_MAX_SCORES];
    size_t nscales;
    const char *fit_option;        /* the first option given that a saved model sets instead */
    crm_segment_model model;       /* read from --model-file */
} segment_options;

static crm_status parse_by(void *ctx, const char *arg, crm_error *err)
{
    segment_options *o = ctx;
    crm_status st = crm_segment_method_add(o->by, &o->nby, arg, err);
    if (st != CRM_OK)
        crm_error_prefix(err, "--by ");
    return st;
}

static crm_status parse_k(void *ctx, const char *arg, crm_error *err)
{
    crm_segment_settings *set = &((segment_options *)ctx)->set;
    int64_t k = 0;
    set->k_auto = strcmp(arg, "auto") == 0;
    if (!set->k_auto && (crm_parse_int64(arg, strlen(arg), &k) != CRM_OK || k < 1 || k > 1000000))
        return crm_error_set(err, CRM_EUSAGE, "-k wants a number of clusters from 1 to 1000000 or 'auto', got '%s'",
                             arg);
    set->km.k = set->k_auto ? 0 : (size_t)k;
    return CRM_OK;
}

static crm_status parse_survey_scale(void *ctx, const char *arg, crm_error *err)
{
    return crm_survey_add_scale(((segment_options *)ctx)->scales, &((segment_options *)ctx)->nscales, arg, err);
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

static const char *const transforms[] = {"log1p", "none", NULL};
static const int transform_kinds[] = {CRM_KMEANS_TRANSFORM_LOG1P, CRM_KMEANS_TRANSFORM_NONE};

/* The options.  The first ones make sense only with some methods ("-k is
 * for --by kmeans"), checked in this order; those a saved model sets note
 * themselves in fit_option (FIT). */
#define FOR(m, what) .needs = &o->uses[CRM_SEGMENT_BY_##m], .needs_what = what
#define FOR_LOYALTY FOR(LOYALTY, "--by loyalty")
#define FOR_MODELS .needs = &o->fits, .needs_what = "--by kmeans and --by value"
#define VALUE(n, k, t) {.name = n, .kind = k, .target = t}
#define WHOLE(n, k, t, l, h) {.name = n, .kind = k, .target = t, .lo = l, .hi = h}
#define COLUMN(n, c) VALUE(n, CRM_CLI_TEXT, &o->run.table.columns[CRM_SEGMENT_COL_##c])
#define FIT .first = &o->fit_option
enum { MAX_OPTIONS = 64 };
static size_t option_table(segment_options *o, crm_cli_entry *t)
{
    crm_value_options *v = &o->set.value;
    crm_lifecycle_options *l = &o->set.life;
    crm_kmeans_options *km = &o->set.km;
    crm_segment_table_spec *c = &o->run.table;
    const crm_cli_entry entries[] = {
        {"--survey", .kind = CRM_CLI_TEXT, .target = &o->survey, FOR_LOYALTY},
        {"--survey-scale", .kind = CRM_CLI_CALL, .call = parse_survey_scale, FOR_LOYALTY},
        {"--loyalty-weights", .kind = CRM_CLI_CALL, .call = parse_weights, FOR_LOYALTY},
        {"--save-model", .kind = CRM_CLI_TEXT, .target = &o->run.save_model, FOR_MODELS},
        {"--model-file", .kind = CRM_CLI_TEXT, .target = &c->model_file, FOR_MODELS},
        {"-k", 'k', CRM_CLI_CALL, .call = parse_k, FIT, FOR(KMEANS, "--by kmeans")},
        {"--map", .kind = CRM_CLI_TEXT, .target = &o->run.map_path, FOR(RFM, "--by rfm")},
        {"--margin", .kind = CRM_CLI_POSITIVE_SHARE, .target = &v->margin, .given = &c->margin, FIT,
         FOR(VALUE, "--by value")},
        {"--k-range", .kind = CRM_CLI_RANGE, .target = &o->set.k_min, .target2 = &o->set.k_max, .lo = 2, .hi = 1000,
         .example = "2-10", .given = &o->set.k_range_given, FIT, .needs = &o->set.k_auto, .needs_what = "-k auto"},
        {"--by", .kind = CRM_CLI_CALL, .call = parse_by},
        WHOLE("--bins", CRM_CLI_INT, &o->set.bins, 1, CRM_RFM_MAX_BINS),
        {"--top", .kind = CRM_CLI_POSITIVE_SHARE, .target = &v->top_share, FIT},
        {"--top-count", .kind = CRM_CLI_SIZE, .target = &v->top_count, .lo = 1, .hi = SIZE_MAX, FIT},
        {"--growth", .kind = CRM_CLI_POSITIVE, .target = &v->growth, FIT},
        VALUE("--new-tenure", CRM_CLI_DAYS, &l->new_days),
        VALUE("--mature-tenure", CRM_CLI_DAYS, &l->mature_days),
        VALUE("--declining-recency", CRM_CLI_DAYS, &l->declining_days),
        VALUE("--lapsed-recency", CRM_CLI_DAYS, &l->lapsed_days),
        VALUE("--recent-window", CRM_CLI_DAYS, &l->recent_days),
        VALUE("--growing-trend", CRM_CLI_POSITIVE, &l->growing_trend),
        VALUE("--declining-trend", CRM_CLI_POSITIVE, &l->declining_trend),
        VALUE("--declining-p-alive", CRM_CLI_SHARE, &l->declining_p_alive),
        VALUE("--lapsed-p-alive", CRM_CLI_SHARE, &l->lapsed_p_alive),
        {"--features", .kind = CRM_CLI_TEXT, .target = &c->features, FIT},
        {"--transform", .kind = CRM_CLI_CHOICE, .target = &km->transform, .choices = transforms,
         .values = transform_kinds, FIT},
        {"--no-zscore", .kind = CRM_CLI_FLAG, .target = &km->zscore, .lo = 0, FIT},
        WHOLE("--seed", CRM_CLI_ULONG, &km->seed, 0, 4294967295ull),
        WHOLE("--restarts", CRM_CLI_UNSIGNED, &km->restarts, 1, 100000),
        WHOLE("--max-iter", CRM_CLI_UNSIGNED, &km->max_iter, 1, 1000000),
        VALUE("--tol", CRM_CLI_NONNEGATIVE, &km->tol),
        WHOLE("--sample", CRM_CLI_SIZE, &o->set.sample, 2, SIZE_MAX),
        {"--order", .kind = CRM_CLI_TEXT, .target = &c->order, FIT},
        {"--descending", .kind = CRM_CLI_FLAG, .target = &km->order_descending, .lo = 1, FIT},
        COLUMN("--r", R), COLUMN("--f", F), COLUMN("--m", M), COLUMN("--value", VALUE),
        COLUMN("--predicted", PREDICTED), COLUMN("--tenure", TENURE), COLUMN("--recency", RECENCY),
        COLUMN("--frequency", FREQUENCY), COLUMN("--p-alive", P_ALIVE), COLUMN("--recent", RECENT),
        WHOLE("--no-predicted", CRM_CLI_FLAG, &c->no_predicted, 1, 0),
        WHOLE("--no-p-alive", CRM_CLI_FLAG, &c->no_p_alive, 1, 0),
        VALUE("--profile", CRM_CLI_TEXT, &o->profile_path),
        VALUE("--group-by", CRM_CLI_TEXT, &o->profile.group_by),
        {"--crosstab", .kind = CRM_CLI_CALL, .call = parse_crosstab},
        {"--quiet", 'q', CRM_CLI_FLAG, .target = &o->quiet, .lo = 1},
        WHOLE("--skip-bad", CRM_CLI_FLAG, &o->skip_bad, 1, 0),
    };
    _Static_assert(sizeof entries / sizeof entries[0] <= MAX_OPTIONS, "room for every option in main");
    memcpy(t, entries, sizeof entries);
    return sizeof entries / sizeof entries[0];
}

/* Options that only make sense together; then what the run checks itself. */
static crm_status check_options(segment_options *o, const crm_cli_table *table, const crm_shard *shard, crm_error *err)
{
    const char *p = o->profile.crosstab, *model_file = o->run.table.model_file;
    crm_segment_table_spec *t = &o->run.table;
    for (size_t b = 0; b < o->nby; b++)
        o->uses[o->by[b]] = 1;
    o->fits = o->uses[CRM_SEGMENT_BY_KMEANS] || o->uses[CRM_SEGMENT_BY_VALUE];
    t->by = o->by;
    t->nby = o->nby;
    t->profile = o->profile_path != NULL;
    t->model = model_file ? &o->model : NULL;
    t->survey = o->survey != NULL;
    t->shard = shard;
    o->run.settings = &o->set;
    if (o->nby == 0)
        return crm_error_set(err, CRM_EUSAGE, "say how to segment: --by rfm, value, lifecycle, kmeans or loyalty");
    if (crm_cli_table_check(table, err) != CRM_OK)
        return CRM_EUSAGE;
    if (o->nscales && !o->survey)
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale needs --survey FILE");
    if (o->run.save_model && model_file)
        return crm_error_set(err, CRM_EUSAGE, "--save-model and --model-file exclude each other: "
                             "a model is saved by the run that fits it");
    if (model_file && o->fit_option)
        return crm_error_set(err, CRM_EUSAGE, "%s: with --model-file the saved model sets it", o->fit_option);
    if ((o->profile.group_by || p) && !o->profile_path)
        return crm_error_set(err, CRM_EUSAGE, "%s shapes the profile: give --profile FILE",
                             o->profile.group_by ? "--group-by" : "--crosstab");
    if (o->profile.group_by && p)
        return crm_error_set(err, CRM_EUSAGE, "--group-by and --crosstab exclude each other (a cross-tab has one "
                             "column of values)");
    if (p && !o->uses[o->profile.crosstab_by])
        return crm_error_set(err, CRM_EUSAGE, "--crosstab %s: no --by %s to put down the rows", p,
                             crm_segment_method_name(o->profile.crosstab_by));
    return crm_segment_run_check(&o->run, err);
}

/* ---- the run ---- */

typedef struct {
    segment_options *o;
    const crm_common_options *common;
    crm_output_set *outputs;   /* every file the run writes */
    crm_csv_reader *reader;
    crm_segment_run run;
    crm_progress progress;
    crm_report *report;
    crm_bad_rows bad;          /* --skip-bad */
    crm_survey survey;         /* --survey */
} segment_job;

static crm_status bad_row(void *bad, crm_error *err) { return crm_cli_bad_row(bad, err); }
static void progress(void *p, uint64_t rows, uint64_t bytes) { crm_progress_update(p, rows, bytes); }

/* --model-file: read and checked whole before the long input is read. */
static crm_status load_model(segment_options *o, const char *path, crm_error *err)
{
    crm_status st = crm_segment_model_load(path, &o->model, err);
    if (st == CRM_OK && (st = crm_segment_model_check_methods(&o->model, o->by, o->nby, path, err)) == CRM_OK)
        crm_segment_model_settings(&o->model, &o->set);
    return st;
}

/* The survey is read before the table, so that a bad survey stops first. */
static crm_status read_survey(segment_job *job, crm_error *err)
{
    crm_csv_reader *r = NULL;
    crm_status st = crm_cli_open_input(job->common, job->o->survey, &r, err);
    if (st == CRM_OK)
        st = crm_survey_read(&job->survey, r, job->o->scales, job->o->nscales, bad_row, &job->bad, err);
    crm_csv_close(r);
    return st;
}

static void say(void *ctx, const char *text) { fprintf(stderr, "crm-segment: %s\n", text); }

/* Closes a CSV output after its writing ended with st (or aborts it). */
static crm_status finish_output(crm_csv_writer *w, crm_status st, crm_error *err)
{
    if (st == CRM_OK)
        return crm_csv_writer_close(w, err);
    st = st == CRM_EPIPE ? crm_error_set(err, CRM_EPIPE, "closed pipe") : crm_cli_write_failed(w, st, err);
    crm_csv_writer_abort(w);
    return st;
}

/* After the labels: the model, the profile, then the table. */
static crm_status write_outputs(segment_job *job, crm_error *err)
{
    const segment_options *o = job->o;
    crm_segment_run *run = &job->run;
    crm_output *model;
    crm_csv_writer *w;
    crm_status st = CRM_OK;
    if (o->run.save_model && (st = crm_output_set_open(job->outputs, &model, o->run.save_model, 0, err)) == CRM_OK &&
        (st = crm_segment_run_save_model(run, job->reader, model, err)) == CRM_OK)
        st = crm_output_commit(model, err);
    if (st == CRM_OK && o->profile_path &&
        (st = crm_cli_open_output(job->outputs, o->profile_path, -1, &w, err)) == CRM_OK) {
        crm_csv_writer_escape_formulas(w, job->common->escape_formulas);
        crm_csv_writer_full_precision(w, job->common->full_precision);
        st = crm_segment_profile_write(w, job->reader, &run->table, run->segs, run->nsegs, &o->profile, err);
        st = finish_output(w, st, err);
    }
    if (st != CRM_OK ||
        (st = crm_cli_open_main_output(job->outputs, job->common, &w, err)) != CRM_OK)
        return st;
    return finish_output(w, crm_segment_table_write(w, job->reader, &run->table, run->segs, run->nsegs), err);
}

static crm_status run_segment(segment_job *job, crm_error *err)
{
    segment_options *o = job->o;
    const char *path = job->common->ninputs ? job->common->inputs[0] : NULL, *model = o->run.table.model_file;
    crm_status st;
    if ((model && (st = load_model(o, model, err)) != CRM_OK) ||
        (st = crm_cli_open_input(job->common, path, &job->reader, err)) != CRM_OK ||
        (st = crm_segment_run_open(&job->run, job->reader, &o->run, err)) != CRM_OK ||
        (o->survey && (st = read_survey(job, err)) != CRM_OK) ||
        (st = crm_segment_run_read(&job->run, job->reader, o->survey ? &job->survey : NULL, bad_row, &job->bad,
                                   progress, &job->progress, err)) != CRM_OK)
        return st;
    crm_progress_finish(&job->progress, crm_segment_table_rows(&job->run.table), crm_csv_raw_bytes(job->reader));
    for (size_t s = 0; s < job->run.nsegs; s++) {
        if ((st = crm_segment_run_label(&job->run, s, crm_csv_input_name(job->reader), err)) != CRM_OK)
            return st;
        if (job->run.segs[s].by == CRM_SEGMENT_BY_KMEANS && !o->quiet)
            crm_segment_run_kmeans_lines(&job->run, &job->run.segs[s], say, NULL);
    }
    return write_outputs(job, err);
}

/* Every file named before anything is read: an output must not replace an input. */
static crm_status start_outputs(const segment_options *o, const crm_common_options *common, crm_output_set **set,
                                crm_error *err)
{
    const struct { const char *label, *path; int input; } files[] = {
        {"--map", o->run.map_path, 1}, {"--survey", o->survey, 1}, {"--model-file", o->run.table.model_file, 1},
        {"--profile", o->profile_path, 0}, {"--save-model", o->run.save_model, 0}};
    crm_status st = crm_cli_start_outputs(common, set, err);
    for (size_t i = 0; i < sizeof files / sizeof files[0] && st == CRM_OK; i++)
        st = files[i].input ? crm_output_set_add_input(*set, files[i].label, files[i].path, err)
                            : crm_output_set_add_output(*set, files[i].label, files[i].path, err);
    if (st != CRM_OK)
        crm_output_set_free(*set);
    return st;
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    segment_options o = {0};
    crm_segment_settings_init(&o.set);
    crm_cli_entry entries[MAX_OPTIONS];
    crm_cli_table table;
    crm_error err;
    crm_error_clear(&err);
    if (crm_cli_table_init(&table, "crm-segment", entries, option_table(&o, entries), &o, &err) != CRM_OK)
        return crm_cli_fail("crm-segment", &err);
    crm_common_options common;
    crm_cli_spec spec = {"crm-segment", usage, table.longs, table.shorts, crm_cli_table_handle, &table, 1, 1, 0};
    int exit_code;
    int go = crm_cli_start(&spec, argc, argv, &common, &exit_code);
    crm_status st = go ? check_options(&o, &table, &common.shard, &err) : CRM_OK;
    crm_cli_table_free(&table);
    if (!go)
        return exit_code;
    o.set.km.threads = common.threads;   /* the assignment step too; same output on any */
    segment_job job = {.o = &o, .common = &common, .bad.skip = o.skip_bad};
    if (st != CRM_OK || start_outputs(&o, &common, &job.outputs, &err) != CRM_OK)
        return crm_cli_fail("crm-segment", &err);
    job.report = crm_report_new("crm-segment");
    crm_progress_start(&job.progress, "crm-segment", common.progress);
    st = run_segment(&job, &err);   /* a failed run leaves any earlier output in place */
    size_t n = crm_segment_table_rows(&job.run.table);
    crm_segment_run_report(&job.run, job.report);
    if (st == CRM_OK)
        crm_segment_run_report_counts(&job.run, job.report);
    crm_report_set(job.report, "rows_in", n + job.bad.skipped);
    crm_report_set(job.report, "rows_out", st == CRM_OK ? n : 0);
    crm_report_set(job.report, "rows_skipped", job.bad.skipped);
    st = crm_cli_end_run("crm-segment", job.outputs, job.report, common.report, st, &err);
    if (st == CRM_OK && !o.quiet) {   /* counts only for a run whose files were all written */
        crm_cli_note_skipped("crm-segment", &job.bad);
        fprintf(stderr, "crm-segment: %zu customers\n", n);
        crm_segment_run_summary(&job.run, o.survey ? &job.survey : NULL, say, NULL);
    }
    crm_report_free(job.report);
    crm_csv_close(job.reader);
    crm_segment_run_free(&job.run);
    crm_survey_free(&job.survey);
    crm_segment_model_free(&o.model);
    return st != CRM_OK ? crm_cli_fail("crm-segment", &err) : 0;
}
