/* crm-segment: the customers table in, the same table out with one segment
 * column per --by (rfm, value, lifecycle, kmeans); --profile sums the
 * segments up. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/clean.h"
#include "crm/cli.h"
#include "crm/csv.h"
#include "crm/kmeans.h"
#include "crm/number.h"
#include "crm/loyalty.h"
#include "crm/report.h"
#include "crm/segment.h"
#include "crm/segment_model.h"
#include "crm/sort.h"
#include "crm/strtab.h"
#include "crm/units.h"

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

enum {
    OPT_BY = 256, OPT_BINS, OPT_MAP, OPT_TOP, OPT_TOP_COUNT, OPT_GROWTH,
    OPT_NEW_TENURE, OPT_MATURE_TENURE, OPT_DECLINING_RECENCY, OPT_LAPSED_RECENCY,
    OPT_RECENT_WINDOW, OPT_GROWING_TREND, OPT_DECLINING_TREND, OPT_DECLINING_P_ALIVE,
    OPT_LAPSED_P_ALIVE, OPT_FEATURES, OPT_TRANSFORM, OPT_NO_ZSCORE, OPT_SEED, OPT_RESTARTS,
    OPT_MAX_ITER, OPT_TOL, OPT_K_RANGE, OPT_SAMPLE, OPT_ORDER, OPT_DESCENDING,
    OPT_R, OPT_F, OPT_M, OPT_VALUE, OPT_PREDICTED, OPT_TENURE, OPT_RECENCY, OPT_FREQUENCY,
    OPT_P_ALIVE, OPT_RECENT, /* the column options run from OPT_R to OPT_RECENT */
    OPT_NO_PREDICTED, OPT_NO_P_ALIVE, OPT_PROFILE, OPT_MARGIN, OPT_GROUP_BY, OPT_CROSSTAB, OPT_SKIP_BAD,
    OPT_SURVEY, OPT_SURVEY_SCALE, OPT_LOYALTY_WEIGHTS, OPT_SAVE_MODEL, OPT_MODEL_FILE,
    OPT_K = 'k', OPT_QUIET = 'q'
};

static const struct option segment_options_table[] = {
    {"by", required_argument, NULL, OPT_BY},
    {"bins", required_argument, NULL, OPT_BINS},
    {"map", required_argument, NULL, OPT_MAP},
    {"top", required_argument, NULL, OPT_TOP},
    {"top-count", required_argument, NULL, OPT_TOP_COUNT},
    {"growth", required_argument, NULL, OPT_GROWTH},
    {"new-tenure", required_argument, NULL, OPT_NEW_TENURE},
    {"mature-tenure", required_argument, NULL, OPT_MATURE_TENURE},
    {"declining-recency", required_argument, NULL, OPT_DECLINING_RECENCY},
    {"lapsed-recency", required_argument, NULL, OPT_LAPSED_RECENCY},
    {"recent-window", required_argument, NULL, OPT_RECENT_WINDOW},
    {"growing-trend", required_argument, NULL, OPT_GROWING_TREND},
    {"declining-trend", required_argument, NULL, OPT_DECLINING_TREND},
    {"declining-p-alive", required_argument, NULL, OPT_DECLINING_P_ALIVE},
    {"lapsed-p-alive", required_argument, NULL, OPT_LAPSED_P_ALIVE},
    {"features", required_argument, NULL, OPT_FEATURES},
    {"transform", required_argument, NULL, OPT_TRANSFORM},
    {"no-zscore", no_argument, NULL, OPT_NO_ZSCORE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"restarts", required_argument, NULL, OPT_RESTARTS},
    {"max-iter", required_argument, NULL, OPT_MAX_ITER},
    {"tol", required_argument, NULL, OPT_TOL},
    {"k-range", required_argument, NULL, OPT_K_RANGE},
    {"sample", required_argument, NULL, OPT_SAMPLE},
    {"order", required_argument, NULL, OPT_ORDER},
    {"descending", no_argument, NULL, OPT_DESCENDING},
    {"r", required_argument, NULL, OPT_R},
    {"f", required_argument, NULL, OPT_F},
    {"m", required_argument, NULL, OPT_M},
    {"value", required_argument, NULL, OPT_VALUE},
    {"predicted", required_argument, NULL, OPT_PREDICTED},
    {"tenure", required_argument, NULL, OPT_TENURE},
    {"recency", required_argument, NULL, OPT_RECENCY},
    {"frequency", required_argument, NULL, OPT_FREQUENCY},
    {"p-alive", required_argument, NULL, OPT_P_ALIVE},
    {"recent", required_argument, NULL, OPT_RECENT},
    {"no-predicted", no_argument, NULL, OPT_NO_PREDICTED},
    {"no-p-alive", no_argument, NULL, OPT_NO_P_ALIVE},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"group-by", required_argument, NULL, OPT_GROUP_BY},
    {"crosstab", required_argument, NULL, OPT_CROSSTAB},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
    {"survey", required_argument, NULL, OPT_SURVEY},
    {"survey-scale", required_argument, NULL, OPT_SURVEY_SCALE},
    {"loyalty-weights", required_argument, NULL, OPT_LOYALTY_WEIGHTS},
    {"save-model", required_argument, NULL, OPT_SAVE_MODEL},
    {"model-file", required_argument, NULL, OPT_MODEL_FILE},
    {NULL, 0, NULL, 0},
};

typedef enum { BY_RFM = 0, BY_VALUE, BY_LIFECYCLE, BY_KMEANS, BY_LOYALTY, BY_COUNT } method;

static const char *const method_names[BY_COUNT] = {"rfm", "value", "lifecycle", "kmeans", "loyalty"};

/* The column options, indexed by id - OPT_R, and the header names used
 * when they are not given (NULL: no default, the column is optional). */
enum { NCOLUMN_OPTIONS = OPT_RECENT - OPT_R + 1 };
enum { COL_R, COL_F, COL_M, COL_VALUE, COL_PREDICTED, COL_TENURE, COL_RECENCY, COL_FREQUENCY,
       COL_P_ALIVE, COL_RECENT };
static const char *const column_defaults[NCOLUMN_OPTIONS] = {
    "r_score", "f_score", "m_score", NULL, "clv", "tenure_days", "recency_days", "frequency",
    "p_alive", NULL};

static const char default_features[] = "recency_days,frequency,monetary";

enum { MAX_FEATURES = 64, MAX_SURVEY_SCORES = 32 };

typedef struct {
    char name[128];
    double lo, hi;
} survey_scale;

typedef struct {
    method by[BY_COUNT];
    size_t nby;
    const char *columns[NCOLUMN_OPTIONS];
    int no_predicted, no_p_alive;
    int margin_given;
    int bins;
    const char *map_path;
    crm_value_options value;
    crm_lifecycle_options life;
    crm_kmeans_options km;
    int k_given, k_auto, k_range_given;
    size_t k_min, k_max, sample;
    const char *features;      /* as given, or NULL */
    const char *order;         /* feature column, or NULL: the first */
    const char *profile_path;
    const char *group_by;      /* --group-by, as given */
    const char *crosstab;      /* --crosstab, as given */
    method crosstab_by;        /* its parts */
    char crosstab_column[256];
    int crosstab_value;        /* 1: value in the cells, 0: customers */
    int quiet;
    int skip_bad;
    crm_loyalty_options loyalty;
    int loyalty_weights_given;
    const char *survey;        /* --survey FILE */
    survey_scale scales[MAX_SURVEY_SCORES];
    size_t nscales;
    const char *save_model;    /* --save-model FILE */
    const char *model_file;    /* --model-file FILE */
    const char *fit_option;    /* the first option given that a saved model sets instead */
    crm_segment_model model;   /* read from model_file */
} segment_options;

/* ---- option values ---- */

static crm_status parse_whole(const char *option, const char *arg, unsigned long long lo,
                              unsigned long long hi, unsigned long long *out, crm_error *err)
{
    int64_t v;
    if (crm_parse_int64(arg, strlen(arg), &v) != CRM_OK || v < 0 ||
        (unsigned long long)v < lo || (unsigned long long)v > hi)
        return crm_error_set(err, CRM_EUSAGE, "%s wants a whole number from %llu to %llu, got '%s'",
                             option, lo, hi, arg);
    *out = (unsigned long long)v;
    return CRM_OK;
}

static crm_status parse_positive(const char *option, const char *arg, double *out, crm_error *err)
{
    double v;
    if (crm_parse_double(arg, strlen(arg), NULL, &v) != CRM_OK || !(v > 0.0) || !isfinite(v))
        return crm_error_set(err, CRM_EUSAGE, "%s wants a number above 0, got '%s'", option, arg);
    *out = v;
    return CRM_OK;
}

static crm_status parse_days(const char *option, const char *arg, double *days, crm_error *err)
{
    crm_duration d;
    if (crm_parse_duration(arg, &d, err) != CRM_OK) {
        crm_error_prefix(err, "%s: ", option);
        return CRM_EUSAGE;
    }
    *days = crm_duration_in(d, CRM_UNIT_DAY);
    return CRM_OK;
}

static crm_status parse_share(const char *option, const char *arg, double *out, crm_error *err)
{
    if (crm_parse_fraction(arg, out, err) != CRM_OK) {
        crm_error_prefix(err, "%s: ", option);
        return CRM_EUSAGE;
    }
    return CRM_OK;
}

static crm_status parse_by(segment_options *o, const char *arg, crm_error *err)
{
    for (int m = 0; m < BY_COUNT; m++) {
        if (strcmp(arg, method_names[m]) != 0)
            continue;
        for (size_t i = 0; i < o->nby; i++)
            if (o->by[i] == (method)m)
                return crm_error_set(err, CRM_EUSAGE, "--by %s is given twice", arg);
        o->by[o->nby++] = (method)m;
        return CRM_OK;
    }
    return crm_error_set(err, CRM_EUSAGE, "--by wants rfm, value, lifecycle, kmeans or loyalty, got '%s'",
                         arg);
}

/* COL=LO:HI */
static crm_status parse_survey_scale(segment_options *o, const char *arg, crm_error *err)
{
    const char *eq = strrchr(arg, '='), *colon = eq ? strchr(eq, ':') : NULL;
    survey_scale *sc = &o->scales[o->nscales];
    if (o->nscales == MAX_SURVEY_SCORES)
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale is given more than %d times", MAX_SURVEY_SCORES);
    if (!eq || !colon || eq == arg || (size_t)(eq - arg) >= sizeof sc->name ||
        crm_parse_double(eq + 1, (size_t)(colon - eq - 1), NULL, &sc->lo) != CRM_OK ||
        crm_parse_double(colon + 1, strlen(colon + 1), NULL, &sc->hi) != CRM_OK || !isfinite(sc->lo) ||
        !isfinite(sc->hi) || !(sc->hi > sc->lo))
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale wants COL=LO:HI with LO below HI (satisfaction=1:5), "
                             "got '%s'", arg);
    snprintf(sc->name, sizeof sc->name, "%.*s", (int)(eq - arg), arg);
    for (size_t i = 0; i < o->nscales; i++)
        if (strcmp(o->scales[i].name, sc->name) == 0)
            return crm_error_set(err, CRM_EUSAGE, "--survey-scale gives column '%s' twice", sc->name);
    o->nscales++;
    return CRM_OK;
}

/* objective=W,subjective=W (either or both) */
static crm_status parse_loyalty_weights(segment_options *o, const char *arg, crm_error *err)
{
    char list[256];
    snprintf(list, sizeof list, "%s", arg);
    int ok = strlen(arg) < sizeof list;
    for (char *save = NULL, *part = strtok_r(list, ",", &save); ok && part; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        double v;
        ok = eq && crm_parse_double(eq + 1, strlen(eq + 1), NULL, &v) == CRM_OK && v >= 0 && isfinite(v);
        if (ok && (size_t)(eq - part) == 9 && strncmp(part, "objective", 9) == 0)
            o->loyalty.objective_weight = v;
        else if (ok && (size_t)(eq - part) == 10 && strncmp(part, "subjective", 10) == 0)
            o->loyalty.subjective_weight = v;
        else
            ok = 0;
    }
    if (!ok || !(o->loyalty.objective_weight + o->loyalty.subjective_weight > 0))
        return crm_error_set(err, CRM_EUSAGE, "--loyalty-weights wants objective=W,subjective=W with numbers >= 0, "
                             "not both 0 (objective=0.7,subjective=0.3), got '%s'", arg);
    o->loyalty_weights_given = 1;
    return CRM_OK;
}

static crm_status parse_k(segment_options *o, const char *arg, crm_error *err)
{
    o->k_given = 1;
    if (strcmp(arg, "auto") == 0) {
        o->k_auto = 1;
        return CRM_OK;
    }
    unsigned long long k = 0;
    crm_status st = parse_whole("-k", arg, 1, 1000000, &k, err);
    if (st != CRM_OK)
        return crm_error_set(err, CRM_EUSAGE, "-k wants a number of clusters from 1 to 1000000 "
                             "or 'auto', got '%s'", arg);
    o->k_auto = 0;
    o->km.k = (size_t)k;
    return CRM_OK;
}

static crm_status parse_k_range(segment_options *o, const char *arg, crm_error *err)
{
    const char *dash = strchr(arg, '-');
    unsigned long long lo = 0, hi = 0;
    char low[32];
    if (!dash || (size_t)(dash - arg) >= sizeof low)
        return crm_error_set(err, CRM_EUSAGE, "--k-range wants LO-HI (e.g. 2-10), got '%s'", arg);
    memcpy(low, arg, (size_t)(dash - arg));
    low[dash - arg] = '\0';
    if (parse_whole("--k-range", low, 2, 1000, &lo, err) != CRM_OK ||
        parse_whole("--k-range", dash + 1, 2, 1000, &hi, err) != CRM_OK || lo > hi)
        return crm_error_set(err, CRM_EUSAGE,
                             "--k-range wants LO-HI with 2 <= LO <= HI <= 1000, got '%s'", arg);
    o->k_min = (size_t)lo;
    o->k_max = (size_t)hi;
    o->k_range_given = 1;
    return CRM_OK;
}

/* BY:COL[:customers|value] */
static crm_status parse_crosstab(segment_options *o, const char *arg, crm_error *err)
{
    const char *colon = strchr(arg, ':');
    size_t i = 0;
    while (colon && i < BY_COUNT &&
           (strlen(method_names[i]) != (size_t)(colon - arg) || strncmp(arg, method_names[i], (size_t)(colon - arg)) != 0))
        i++;
    if (!colon || i == BY_COUNT || colon[1] == '\0' || colon[1] == ':')
        return crm_error_set(err, CRM_EUSAGE, "--crosstab wants BY:COL[:customers|value] with BY one of rfm, value, "
                             "lifecycle, kmeans, got '%s'", arg);
    o->crosstab_by = (method)i;
    const char *col = colon + 1, *cells = strrchr(col, ':');
    o->crosstab_value = 0;
    if (cells && (strcmp(cells, ":value") == 0 || strcmp(cells, ":customers") == 0)) {
        o->crosstab_value = strcmp(cells, ":value") == 0;
    } else {
        cells = col + strlen(col);
    }
    snprintf(o->crosstab_column, sizeof o->crosstab_column, "%.*s", (int)(cells - col), col);
    o->crosstab = arg;
    return CRM_OK;
}

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    segment_options *o = ctx;
    unsigned long long whole = 0;
    crm_status st;
    static const struct { int id; const char *name; } model_sets[] = {
        {OPT_K, "-k"}, {OPT_FEATURES, "--features"}, {OPT_TRANSFORM, "--transform"},
        {OPT_NO_ZSCORE, "--no-zscore"}, {OPT_ORDER, "--order"}, {OPT_DESCENDING, "--descending"},
        {OPT_K_RANGE, "--k-range"}, {OPT_TOP, "--top"}, {OPT_TOP_COUNT, "--top-count"},
        {OPT_GROWTH, "--growth"}, {OPT_MARGIN, "--margin"}};
    for (size_t i = 0; i < sizeof model_sets / sizeof model_sets[0] && !o->fit_option; i++)
        if (model_sets[i].id == id)
            o->fit_option = model_sets[i].name;
    if (id >= OPT_R && id <= OPT_RECENT) {
        o->columns[id - OPT_R] = arg;
        return CRM_OK;
    }
    switch (id) {
    case OPT_BY:
        return parse_by(o, arg, err);
    case OPT_BINS:
        st = parse_whole("--bins", arg, 1, CRM_RFM_MAX_BINS, &whole, err);
        o->bins = (int)whole;
        return st;
    case OPT_MAP:
        o->map_path = arg;
        return CRM_OK;
    case OPT_TOP:
        if ((st = parse_share("--top", arg, &o->value.top_share, err)) == CRM_OK &&
            !(o->value.top_share > 0.0))
            return crm_error_set(err, CRM_EUSAGE, "--top wants a share above 0, got '%s'", arg);
        return st;
    case OPT_TOP_COUNT:
        st = parse_whole("--top-count", arg, 1, SIZE_MAX, &whole, err);
        o->value.top_count = (size_t)whole;
        return st;
    case OPT_GROWTH:
        return parse_positive("--growth", arg, &o->value.growth, err);
    case OPT_MARGIN:
        o->margin_given = 1;
        if ((st = parse_share("--margin", arg, &o->value.margin, err)) == CRM_OK && !(o->value.margin > 0.0))
            return crm_error_set(err, CRM_EUSAGE, "--margin wants a share above 0, got '%s'", arg);
        return st;
    case OPT_NEW_TENURE:
        return parse_days("--new-tenure", arg, &o->life.new_days, err);
    case OPT_MATURE_TENURE:
        return parse_days("--mature-tenure", arg, &o->life.mature_days, err);
    case OPT_DECLINING_RECENCY:
        return parse_days("--declining-recency", arg, &o->life.declining_days, err);
    case OPT_LAPSED_RECENCY:
        return parse_days("--lapsed-recency", arg, &o->life.lapsed_days, err);
    case OPT_RECENT_WINDOW:
        return parse_days("--recent-window", arg, &o->life.recent_days, err);
    case OPT_GROWING_TREND:
        return parse_positive("--growing-trend", arg, &o->life.growing_trend, err);
    case OPT_DECLINING_TREND:
        return parse_positive("--declining-trend", arg, &o->life.declining_trend, err);
    case OPT_DECLINING_P_ALIVE:
        return parse_share("--declining-p-alive", arg, &o->life.declining_p_alive, err);
    case OPT_LAPSED_P_ALIVE:
        return parse_share("--lapsed-p-alive", arg, &o->life.lapsed_p_alive, err);
    case OPT_FEATURES:
        o->features = arg;
        return CRM_OK;
    case OPT_TRANSFORM: {
        static const char *const names[] = {"log1p", "none", NULL};
        int choice;
        if (crm_cli_parse_choice("--transform", arg, names, &choice, err) != CRM_OK)
            return CRM_EUSAGE;
        o->km.transform = choice == 0 ? CRM_KMEANS_TRANSFORM_LOG1P : CRM_KMEANS_TRANSFORM_NONE;
        return CRM_OK;
    }
    case OPT_NO_ZSCORE:
        o->km.zscore = 0;
        return CRM_OK;
    case OPT_SEED:
        st = parse_whole("--seed", arg, 0, 4294967295ull, &whole, err);
        o->km.seed = (unsigned long)whole;
        return st;
    case OPT_RESTARTS:
        st = parse_whole("--restarts", arg, 1, 100000, &whole, err);
        o->km.restarts = (unsigned)whole;
        return st;
    case OPT_MAX_ITER:
        st = parse_whole("--max-iter", arg, 1, 1000000, &whole, err);
        o->km.max_iter = (unsigned)whole;
        return st;
    case OPT_TOL:
        if (crm_parse_double(arg, strlen(arg), NULL, &o->km.tol) != CRM_OK || !(o->km.tol >= 0.0) ||
            !isfinite(o->km.tol))
            return crm_error_set(err, CRM_EUSAGE, "--tol wants a number >= 0, got '%s'", arg);
        return CRM_OK;
    case OPT_K:
        return parse_k(o, arg, err);
    case OPT_K_RANGE:
        return parse_k_range(o, arg, err);
    case OPT_SAMPLE:
        st = parse_whole("--sample", arg, 2, SIZE_MAX, &whole, err);
        o->sample = (size_t)whole;
        return st;
    case OPT_ORDER:
        o->order = arg;
        return CRM_OK;
    case OPT_DESCENDING:
        o->km.order_descending = 1;
        return CRM_OK;
    case OPT_NO_PREDICTED:
        o->no_predicted = 1;
        return CRM_OK;
    case OPT_NO_P_ALIVE:
        o->no_p_alive = 1;
        return CRM_OK;
    case OPT_PROFILE:
        o->profile_path = arg;
        return CRM_OK;
    case OPT_GROUP_BY:
        o->group_by = arg;
        return CRM_OK;
    case OPT_CROSSTAB:
        return parse_crosstab(o, arg, err);
    case OPT_SKIP_BAD:
        o->skip_bad = 1;
        return CRM_OK;
    case OPT_SURVEY:
        o->survey = arg;
        return CRM_OK;
    case OPT_SURVEY_SCALE:
        return parse_survey_scale(o, arg, err);
    case OPT_LOYALTY_WEIGHTS:
        return parse_loyalty_weights(o, arg, err);
    case OPT_SAVE_MODEL:
        o->save_model = arg;
        return CRM_OK;
    case OPT_MODEL_FILE:
        o->model_file = arg;
        return CRM_OK;
    case OPT_QUIET:
        o->quiet = 1;
        return CRM_OK;
    default:
        return crm_error_set(err, CRM_EUSAGE, "unhandled option");
    }
}

static int uses(const segment_options *o, method m)
{
    for (size_t i = 0; i < o->nby; i++)
        if (o->by[i] == m)
            return 1;
    return 0;
}

/* The library checks the thresholds too; here the message names the options. */
static crm_status check_lifecycle_order(const crm_lifecycle_options *l, crm_error *err)
{
    if (l->new_days > l->mature_days)
        return crm_error_set(err, CRM_EUSAGE, "--new-tenure (%g days) is above --mature-tenure "
                             "(%g days)", l->new_days, l->mature_days);
    if (l->declining_days > l->lapsed_days)
        return crm_error_set(err, CRM_EUSAGE, "--declining-recency (%g days) is above "
                             "--lapsed-recency (%g days)", l->declining_days, l->lapsed_days);
    if (l->declining_trend >= l->growing_trend)
        return crm_error_set(err, CRM_EUSAGE, "--declining-trend (%g) must be below "
                             "--growing-trend (%g)", l->declining_trend, l->growing_trend);
    if (l->lapsed_p_alive > l->declining_p_alive)
        return crm_error_set(err, CRM_EUSAGE, "--lapsed-p-alive (%g) is above "
                             "--declining-p-alive (%g)", l->lapsed_p_alive, l->declining_p_alive);
    return CRM_OK;
}

/* Options that only make sense together. */
static crm_status check_options(const segment_options *o, crm_error *err)
{
    if (o->nby == 0)
        return crm_error_set(err, CRM_EUSAGE, "say how to segment: --by rfm, value, lifecycle, "
                             "kmeans or loyalty");
    if (!uses(o, BY_LOYALTY) && (o->survey || o->nscales || o->loyalty_weights_given))
        return crm_error_set(err, CRM_EUSAGE, "%s is for --by loyalty",
                             o->survey ? "--survey" : o->nscales ? "--survey-scale" : "--loyalty-weights");
    if (o->nscales && !o->survey)
        return crm_error_set(err, CRM_EUSAGE, "--survey-scale needs --survey FILE");
    if ((o->save_model || o->model_file) && !uses(o, BY_KMEANS) && !uses(o, BY_VALUE))
        return crm_error_set(err, CRM_EUSAGE, "%s is for --by kmeans and --by value",
                             o->save_model ? "--save-model" : "--model-file");
    if (o->save_model && o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--save-model and --model-file exclude each other: "
                             "a model is saved by the run that fits it");
    if (o->model_file && o->fit_option)
        return crm_error_set(err, CRM_EUSAGE, "%s: with --model-file the saved model sets it",
                             o->fit_option);
    if (uses(o, BY_KMEANS) && !o->k_given && !o->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--by kmeans needs -k N or -k auto");
    if (!uses(o, BY_KMEANS) && o->k_given)
        return crm_error_set(err, CRM_EUSAGE, "-k is for --by kmeans");
    if (!uses(o, BY_RFM) && o->map_path)
        return crm_error_set(err, CRM_EUSAGE, "--map is for --by rfm");
    if (!uses(o, BY_VALUE) && o->margin_given)
        return crm_error_set(err, CRM_EUSAGE, "--margin is for --by value");
    if (o->k_range_given && !o->k_auto)
        return crm_error_set(err, CRM_EUSAGE, "--k-range is for -k auto");
    if ((o->group_by || o->crosstab) && !o->profile_path)
        return crm_error_set(err, CRM_EUSAGE, "%s shapes the profile: give --profile FILE",
                             o->group_by ? "--group-by" : "--crosstab");
    if (o->group_by && o->crosstab)
        return crm_error_set(err, CRM_EUSAGE, "--group-by and --crosstab exclude each other (a cross-tab has one "
                             "column of values)");
    if (o->crosstab && !uses(o, o->crosstab_by))
        return crm_error_set(err, CRM_EUSAGE, "--crosstab %s: no --by %s to put down the rows", o->crosstab,
                             method_names[o->crosstab_by]);
    return uses(o, BY_LIFECYCLE) ? check_lifecycle_order(&o->life, err) : CRM_OK;
}

/* ---- the customers table, kept in memory (segments need every row) ---- */

typedef struct {
    size_t ncols;
    size_t nrows;
    char *bytes;           /* every field of every row, back to back */
    size_t used, bytes_cap;
    size_t *row_start;     /* nrows: offset of the row's first field in bytes */
    size_t start_cap;
    uint32_t *lengths;     /* nrows x ncols (a record is at most 64 MB by default) */
    size_t lengths_cap;
    uint64_t *lines;       /* nrows: input line of each row, for messages */
    size_t lines_cap;
} table;

static void table_free(table *t)
{
    free(t->bytes);
    free(t->row_start);
    free(t->lengths);
    free(t->lines);
}

static crm_status table_add(table *t, const crm_csv_record *rec, crm_error *err)
{
    size_t bytes = 0;
    for (size_t j = 0; j < t->ncols; j++)
        bytes += rec->lengths[j];
    if (!crm_array_reserve(&t->bytes, &t->bytes_cap, t->used + bytes, 1) ||
        !crm_array_reserve(&t->row_start, &t->start_cap, t->nrows + 1, sizeof *t->row_start) ||
        !crm_array_reserve(&t->lines, &t->lines_cap, t->nrows + 1, sizeof *t->lines) ||
        !crm_array_reserve(&t->lengths, &t->lengths_cap, (t->nrows + 1) * t->ncols,
                           sizeof *t->lengths))
        return crm_error_set(err, CRM_ENOMEM, "out of memory after %zu customers", t->nrows);
    t->row_start[t->nrows] = t->used;
    t->lines[t->nrows] = rec->line;
    for (size_t j = 0; j < t->ncols; j++) {
        memcpy(t->bytes + t->used, rec->fields[j], rec->lengths[j]);
        t->used += rec->lengths[j];
        t->lengths[t->nrows * t->ncols + j] = (uint32_t)rec->lengths[j];
    }
    t->nrows++;
    return CRM_OK;
}

/* ---- columns and numbers ---- */

/* What the methods read, one array per input column, in row order. */
typedef struct {
    long col[NCOLUMN_OPTIONS];        /* resolved column, -1 when not used */
    long feature_col[MAX_FEATURES];
    const char *feature_names[MAX_FEATURES];
    size_t nfeatures;
    int *r, *f, *m;
    double *value, *predicted, *tenure, *recency, *frequency, *p_alive, *recent;
    double *features;                 /* n x nfeatures */
    crm_decimal *value_exact;         /* for the profile's exact totals */
    int value_is_exact;
    int value_is_profit;              /* the value column is named profit */
    size_t order_feature;
    size_t rows_cap;                  /* rows every array above has room for */
    long previous_col;                /* purchases_previous (crm-rfm --recent-window), or -1 */
    double *previous;
    unsigned char *prospect;          /* with --by lifecycle: 1 for a row without purchases */
    size_t nprospects;
    long periods_col, gap_cv_col, id_col;   /* --by loyalty (id_col with --survey), or -1 */
    double *periods, *gap_cv;         /* gap_cv NaN where empty */
    double *subjective;               /* per row, NaN without an answer (filled after reading) */
    long customer_col;                /* customer_id for --shard and saved value tiers, or -1 */
    unsigned char *at_cutoff_taken;   /* --model-file: 1 where a customer tied at the MVC cut-off
                                         comes at or before the saved one (NULL: all taken) */
} inputs;

static void inputs_free(inputs *in)
{
    free(in->r);
    free(in->f);
    free(in->m);
    free(in->value);
    free(in->predicted);
    free(in->tenure);
    free(in->recency);
    free(in->frequency);
    free(in->p_alive);
    free(in->recent);
    free(in->features);
    free(in->value_exact);
    free(in->previous);
    free(in->prospect);
    free(in->periods);
    free(in->gap_cv);
    free(in->subjective);
    free(in->at_cutoff_taken);
}

/* A column the user named (must exist) or its default header name (used
 * when present, or required when `required`). */
static crm_status resolve(const crm_csv_reader *r, const char *given, const char *fallback,
                          int required, long *col, crm_error *err)
{
    *col = -1;
    if (given) {
        *col = crm_csv_column(r, given, err);
        return *col < 0 ? err->status : CRM_OK;
    }
    if (!fallback)
        return CRM_OK;
    if (crm_csv_optional_column(r, fallback, col, err) != CRM_OK)
        return err->status;
    if (*col < 0 && required) {
        *col = crm_csv_column(r, fallback, err);
        return *col < 0 ? err->status : CRM_OK;
    }
    return CRM_OK;
}

static crm_status resolve_features(const segment_options *o, const crm_csv_reader *r, inputs *in,
                                   int required, crm_error *err)
{
    const char *list = o->features ? o->features : default_features;
    char name[256];
    in->nfeatures = 0;
    if (o->model_file && o->model.has_kmeans) {
        /* the model's features, by name, in its order */
        for (size_t j = 0; j < o->model.d; j++) {
            if (j == MAX_FEATURES)
                return crm_error_set(err, CRM_EDATA, "%s: more than %d kmeans.feature lines", o->model_file,
                                     MAX_FEATURES);
            long col = crm_csv_column(r, o->model.features[j], err);
            if (col < 0) {
                crm_error_prefix(err, "--model-file %s: ", o->model_file);
                return err->status;
            }
            for (size_t i = 0; i < in->nfeatures; i++)
                if (in->feature_col[i] == col)
                    return crm_error_set(err, CRM_EDATA, "%s: kmeans.feature names column '%s' twice", o->model_file,
                                         crm_csv_column_name(r, (size_t)col));
            in->feature_col[in->nfeatures] = col;
            in->feature_names[in->nfeatures++] = crm_csv_column_name(r, (size_t)col);
        }
        in->order_feature = 0;
        return CRM_OK;
    }
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof name)
            return crm_error_set(err, CRM_EUSAGE, "--features wants column names separated by "
                                 "commas, got '%s'", list);
        if (in->nfeatures == MAX_FEATURES)
            return crm_error_set(err, CRM_EUSAGE, "at most %d --features", MAX_FEATURES);
        memcpy(name, p, len);
        name[len] = '\0';
        long col;
        /* Without --by kmeans the features only feed the profile: defaults
         * that are absent are left out. */
        crm_status st = resolve(r, required || o->features ? name : NULL, name, 0, &col, err);
        if (st != CRM_OK)
            return st;
        if (col >= 0) {
            for (size_t j = 0; j < in->nfeatures; j++)
                if (in->feature_col[j] == col)
                    return crm_error_set(err, CRM_EUSAGE, "--features names column '%s' twice",
                                         crm_csv_column_name(r, (size_t)col));
            in->feature_col[in->nfeatures] = col;
            in->feature_names[in->nfeatures] = crm_csv_column_name(r, (size_t)col);
            in->nfeatures++;
        }
        p = comma ? comma + 1 : p + len;
    }
    in->order_feature = 0;
    if (o->order) {
        long col = crm_csv_column(r, o->order, err);
        if (col < 0)
            return err->status;
        size_t j = 0;
        while (j < in->nfeatures && in->feature_col[j] != col)
            j++;
        if (j == in->nfeatures)
            return crm_error_set(err, CRM_EUSAGE, "--order %s is not one of the --features", o->order);
        in->order_feature = j;
    }
    return CRM_OK;
}

static crm_status resolve_columns(const segment_options *o, const crm_csv_reader *r, inputs *in,
                                  crm_error *err)
{
    for (int c = 0; c < NCOLUMN_OPTIONS; c++)
        in->col[c] = -1;
    in->previous_col = in->periods_col = in->gap_cv_col = in->id_col = -1;
    crm_status st = CRM_OK;
    const char *const *given = o->columns;
    if (uses(o, BY_RFM))
        for (int c = COL_R; c <= COL_M && st == CRM_OK; c++)
            st = resolve(r, given[c], column_defaults[c], 1, &in->col[c], err);
    int need_value = uses(o, BY_VALUE);
    if (st == CRM_OK && (need_value || o->profile_path)) {
        if (given[COL_VALUE])
            st = resolve(r, given[COL_VALUE], NULL, 1, &in->col[COL_VALUE], err);
        else if ((st = resolve(r, NULL, "profit", 0, &in->col[COL_VALUE], err)) == CRM_OK &&
                 in->col[COL_VALUE] < 0)
            st = resolve(r, NULL, "monetary", need_value, &in->col[COL_VALUE], err);
        in->value_is_profit = in->col[COL_VALUE] >= 0 &&
                              strcmp(crm_csv_column_name(r, (size_t)in->col[COL_VALUE]), "profit") == 0;
    }
    /* --margin turns revenue into profit: beside a profit column it would
     * count the margin twice. */
    if (st == CRM_OK && o->margin_given && in->value_is_profit)
        return crm_error_set(err, CRM_EUSAGE, "--margin: the value to date is the profit column "
                             "already; --margin is for a table with revenue (monetary) only");

    if (st == CRM_OK && need_value && !o->no_predicted)
        st = resolve(r, given[COL_PREDICTED], column_defaults[COL_PREDICTED], 0,
                     &in->col[COL_PREDICTED], err);
    if (uses(o, BY_LIFECYCLE)) {
        for (int c = COL_TENURE; c <= COL_FREQUENCY && st == CRM_OK; c++)
            st = resolve(r, given[c], column_defaults[c], 1, &in->col[c], err);
        if (st == CRM_OK && !o->no_p_alive)
            st = resolve(r, given[COL_P_ALIVE], column_defaults[COL_P_ALIVE], 0,
                         &in->col[COL_P_ALIVE], err);
        /* crm-rfm --recent-window writes both windows: the trend then
         * follows from the data. */
        if (st == CRM_OK)
            st = resolve(r, given[COL_RECENT], "purchases_recent", 0, &in->col[COL_RECENT], err);
        if (st == CRM_OK && in->col[COL_RECENT] >= 0)
            st = resolve(r, NULL, "purchases_previous", 0, &in->previous_col, err);
    }
    if (uses(o, BY_LOYALTY)) {
        for (int c = COL_TENURE; c <= COL_FREQUENCY && st == CRM_OK; c += COL_FREQUENCY - COL_TENURE)
            if (in->col[c] < 0)
                st = resolve(r, given[c], column_defaults[c], 1, &in->col[c], err);
        if (st == CRM_OK)
            st = resolve(r, NULL, "consecutive_periods", 1, &in->periods_col, err);
        if (st == CRM_OK)
            st = resolve(r, NULL, "gap_cv", 1, &in->gap_cv_col, err);
        if (st == CRM_EDATA)
            crm_error_prefix(err, "--by loyalty (crm-rfm --loyalty-period writes consecutive_periods and gap_cv): ");
        if (st == CRM_OK && o->survey)
            st = resolve(r, NULL, "customer_id", 1, &in->id_col, err);
    }
    if (st == CRM_OK && o->profile_path && !o->no_p_alive && in->col[COL_P_ALIVE] < 0)
        st = resolve(r, given[COL_P_ALIVE], column_defaults[COL_P_ALIVE], 0, &in->col[COL_P_ALIVE], err);
    if (st == CRM_OK && (uses(o, BY_KMEANS) || o->profile_path))
        st = resolve_features(o, r, in, uses(o, BY_KMEANS), err);
    return st;
}

static crm_status number_error(const crm_csv_reader *r, uint64_t line, long col, const char *s,
                               size_t len, const char *what, crm_error *err)
{
    char q[128];
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as %s",
                         crm_csv_input_name(r), (unsigned long long)line,
                         crm_csv_column_name(r, (size_t)col), crm_error_quote(q, sizeof q, s, len),
                         what);
}

static crm_status read_double(const crm_csv_reader *r, const crm_csv_record *rec, long col,
                              double *out, crm_error *err)
{
    const char *s = rec->fields[col];
    size_t len = rec->lengths[col];
    if (crm_parse_double(s, len, NULL, out) != CRM_OK || !isfinite(*out))
        return number_error(r, rec->line, col, s, len, "a number", err);
    return CRM_OK;
}

static crm_status read_score(const crm_csv_reader *r, const crm_csv_record *rec, long col, int bins,
                             int *out, crm_error *err)
{
    const char *s = rec->fields[col];
    size_t len = rec->lengths[col];
    int64_t v;
    if (crm_parse_int64(s, len, &v) != CRM_OK)
        return number_error(r, rec->line, col, s, len, "a score (a whole number)", err);
    if (v < 1 || v > bins)
        return crm_error_set(err, CRM_EDATA,
                             "%s:%llu: column '%s': score %lld is outside 1..%d (--bins %d)",
                             crm_csv_input_name(r), (unsigned long long)rec->line,
                             crm_csv_column_name(r, (size_t)col), (long long)v, bins, bins);
    *out = (int)v;
    return CRM_OK;
}

/* Grows one of the arrays that share in->rows_cap to hold rows rows of
 * row_size bytes; *grown is the shared capacity after it. */
static int reserve_rows(const inputs *in, void *array_ptr, size_t rows, size_t row_size,
                        size_t *grown)
{
    size_t cap = in->rows_cap;
    if (!crm_array_reserve(array_ptr, &cap, rows, row_size))
        return 0;
    *grown = cap;
    return 1;
}

/* Makes room for row i in every array the methods use. */
static crm_status inputs_reserve(inputs *in, size_t i, crm_error *err)
{
    if (i < in->rows_cap)
        return CRM_OK;
    size_t grown = in->rows_cap;
    int ok = 1;
    void *ints[3] = {&in->r, &in->f, &in->m};
    for (int c = COL_R; c <= COL_M; c++)
        if (in->col[c] >= 0)
            ok &= reserve_rows(in, ints[c - COL_R], i + 1, sizeof(int), &grown);
    void *dbl[] = {NULL, NULL, NULL, &in->value, &in->predicted, &in->tenure, &in->recency,
                   &in->frequency, &in->p_alive, &in->recent};
    for (int c = COL_VALUE; c < NCOLUMN_OPTIONS; c++)
        if (in->col[c] >= 0)
            ok &= reserve_rows(in, dbl[c], i + 1, sizeof(double), &grown);
    if (in->col[COL_VALUE] >= 0)
        ok &= reserve_rows(in, &in->value_exact, i + 1, sizeof *in->value_exact, &grown);
    if (in->nfeatures)
        ok &= reserve_rows(in, &in->features, i + 1, in->nfeatures * sizeof(double), &grown);
    if (in->previous_col >= 0)
        ok &= reserve_rows(in, &in->previous, i + 1, sizeof(double), &grown);
    if (in->col[COL_FREQUENCY] >= 0)
        ok &= reserve_rows(in, &in->prospect, i + 1, 1, &grown);
    if (in->periods_col >= 0) {
        ok &= reserve_rows(in, &in->periods, i + 1, sizeof(double), &grown);
        ok &= reserve_rows(in, &in->gap_cv, i + 1, sizeof(double), &grown);
    }
    if (!ok)
        return crm_error_set(err, CRM_ENOMEM, "out of memory after %zu customers", i);
    in->rows_cap = grown;
    return CRM_OK;
}

/* A prospect (crm-rfm --prospects: no purchase yet, so frequency is empty)
 * has no numbers to read; the lifecycle names it.  Its value counts as 0
 * in a profile. */
static crm_status read_prospect(const segment_options *o, const crm_csv_reader *r,
                                const crm_csv_record *rec, size_t i, inputs *in, crm_error *err)
{
    for (size_t b = 0; b < o->nby; b++)
        if (o->by[b] != BY_LIFECYCLE && o->by[b] != BY_LOYALTY)
            return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': a customer without purchases (a "
                                 "prospect) has no %s segment; segment prospects --by lifecycle or loyalty only",
                                 crm_csv_input_name(r), (unsigned long long)rec->line,
                                 crm_csv_column_name(r, (size_t)in->col[COL_FREQUENCY]), method_names[o->by[b]]);
    double *dbl[] = {NULL, NULL, NULL, in->value, in->predicted, in->tenure, in->recency,
                     in->frequency, in->p_alive, in->recent};
    for (int c = COL_VALUE; c < NCOLUMN_OPTIONS; c++)
        if (in->col[c] >= 0)
            dbl[c][i] = 0.0;
    if (in->col[COL_VALUE] >= 0)
        in->value_exact[i] = crm_decimal_from_int(0);
    if (in->previous_col >= 0)
        in->previous[i] = 0.0;
    for (size_t j = 0; j < in->nfeatures; j++)
        in->features[i * in->nfeatures + j] = 0.0;
    if (in->periods_col >= 0) {
        in->periods[i] = 0.0;     /* no purchase: no objective loyalty */
        in->gap_cv[i] = NAN;
    }
    in->prospect[i] = 1;
    in->nprospects++;
    return CRM_OK;
}

static crm_status read_numbers(const segment_options *o, const crm_csv_reader *r,
                               const crm_csv_record *rec, size_t i, inputs *in, crm_error *err)
{
    crm_status st = inputs_reserve(in, i, err);
    if (st == CRM_OK && in->col[COL_FREQUENCY] >= 0) {
        in->prospect[i] = 0;
        if (rec->lengths[in->col[COL_FREQUENCY]] == 0)
            return read_prospect(o, r, rec, i, in, err);
    }
    if (st == CRM_OK && in->previous_col >= 0)
        st = read_double(r, rec, in->previous_col, &in->previous[i], err);
    if (st == CRM_OK && in->periods_col >= 0) {
        st = read_double(r, rec, in->periods_col, &in->periods[i], err);
        in->gap_cv[i] = NAN;   /* empty: fewer than two gaps */
        if (st == CRM_OK && rec->lengths[in->gap_cv_col] > 0)
            st = read_double(r, rec, in->gap_cv_col, &in->gap_cv[i], err);
    }
    int *ints[3] = {in->r, in->f, in->m};
    for (int c = COL_R; c <= COL_M && st == CRM_OK; c++)
        if (in->col[c] >= 0)
            st = read_score(r, rec, in->col[c], o->bins, &ints[c - COL_R][i], err);
    double *dbl[] = {NULL, NULL, NULL, in->value, in->predicted, in->tenure, in->recency,
                     in->frequency, in->p_alive, in->recent};
    for (int c = COL_VALUE; c < NCOLUMN_OPTIONS && st == CRM_OK; c++)
        if (in->col[c] >= 0)
            st = read_double(r, rec, in->col[c], &dbl[c][i], err);
    if (st == CRM_OK && in->col[COL_VALUE] >= 0 && in->value_is_exact) {
        long c = in->col[COL_VALUE];
        in->value_is_exact = crm_parse_decimal(rec->fields[c], rec->lengths[c], NULL,
                                               &in->value_exact[i]) == CRM_OK;
    }
    for (size_t j = 0; j < in->nfeatures && st == CRM_OK; j++)
        st = read_double(r, rec, in->feature_col[j], &in->features[i * in->nfeatures + j], err);
    return st;
}

/* Library messages name rows as "row N: "; the command names the input
 * line instead, and the input for other data errors. */
static void locate_row_error(crm_error *err, const char *input, const uint64_t *lines, size_t n)
{
    unsigned long long row;
    int used = 0;
    if (sscanf(err->message, "row %llu: %n", &row, &used) != 1 || used == 0 || row == 0 || row > n) {
        if (err->status == CRM_EDATA)
            crm_error_prefix(err, "%s: ", input);   /* about the whole input */
        return;
    }
    memmove(err->message, err->message + used, strlen(err->message + used) + 1);
    crm_error_prefix(err, "%s:%llu: ", input, (unsigned long long)lines[row - 1]);
}

/* ---- the segmentations ---- */

typedef struct {
    method by;
    char column[32];          /* output header name */
    int *labels;
    const char **names;       /* nnames segment names; labels index them */
    size_t nnames;
    char (*number_names)[24]; /* kmeans: "1".."k" */
    crm_rfm_rule *rules;      /* rfm: the map */
    size_t nrules;
    crm_loyalty_result *loyalty;   /* loyalty: per row */
    crm_kmeans_result km;          /* kmeans fitted here: kept for --save-model */
    crm_value_summary value_summary;   /* value tiers fitted here: the cut-off for --save-model */
} segmentation;

static void segmentation_free(segmentation *s)
{
    free(s->loyalty);
    free(s->labels);
    free(s->names);
    free(s->number_names);
    free(s->rules);
    crm_kmeans_result_free(&s->km);
}

/* Reads a segment map: a header row, then segment,r,f,m per row (columns
 * found by those names, else the first four). */
static crm_status load_map(const char *path, int bins, crm_rfm_rule **rules, size_t *count,
                           crm_error *err)
{
    crm_csv_reader *r;
    crm_status st = crm_csv_open(&r, path, NULL, err);
    if (st != CRM_OK)
        return st;
    static const char *const names[4] = {"segment", "r", "f", "m"};
    long col[4] = {0, 1, 2, 3};
    for (int k = 0; k < 4 && st == CRM_OK; k++) {
        st = crm_csv_optional_column(r, names[k], &col[k], err);
        if (col[k] < 0)
            col[k] = k;
    }
    size_t cap = 0;
    *rules = NULL;
    *count = 0;
    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (rec->defect != CRM_CSV_RECORD_OK) {
            st = crm_csv_defect_error(r, rec, err);
            break;
        }
        if (crm_csv_header(r) && (st = crm_csv_check_width(r, rec, crm_csv_header(r)->nfields, err)) != CRM_OK)
            break;
        long need = col[0];
        for (int k = 1; k < 4; k++)
            need = col[k] > need ? col[k] : need;
        if ((size_t)need >= rec->nfields) {
            st = crm_error_set(err, CRM_EDATA, "%s:%llu: expected segment,r,f,m, found %zu field%s",
                               crm_csv_input_name(r), (unsigned long long)rec->line, rec->nfields,
                               rec->nfields == 1 ? "" : "s");
            break;
        }
        if (!crm_array_reserve(rules, &cap, *count + 1, sizeof **rules)) {
            st = crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", path);
            break;
        }
        st = crm_rfm_parse_rule(rec->fields[col[0]], rec->fields[col[1]], rec->fields[col[2]],
                                rec->fields[col[3]], bins, &(*rules)[*count], err);
        if (st != CRM_OK) {
            crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
            break;
        }
        /* Checked as it grows, so that an overlap is reported at the line
         * of the second rule. */
        if ((st = crm_rfm_map_validate(*rules, ++*count, bins, err)) != CRM_OK) {
            crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
            break;
        }
    }
    if (st == CRM_OK && *count == 0)
        st = crm_error_set(err, CRM_EDATA, "%s: the segment map has no rules", crm_csv_input_name(r));
    crm_csv_close(r);
    return st;
}

/* The map, read before the customers so that a bad map file stops the run
 * before a long input is read. */
static crm_status prepare_rfm(const segment_options *o, segmentation *s, crm_error *err)
{
    crm_status st;
    if (o->map_path) {
        if ((st = load_map(o->map_path, o->bins, &s->rules, &s->nrules, err)) != CRM_OK)
            return st;
    } else {
        s->rules = malloc(CRM_RFM_DEFAULT_RULES * sizeof *s->rules);
        if (!s->rules)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        if ((st = crm_rfm_default_map(o->bins, s->rules, &s->nrules, err)) != CRM_OK)
            return st;
    }
    s->names = malloc((s->nrules + 1) * sizeof *s->names);
    if (!s->names)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    s->nnames = crm_rfm_segment_names(s->rules, s->nrules, s->names);
    return CRM_OK;
}

static crm_status segment_rfm(const segment_options *o, const inputs *in, size_t n,
                              segmentation *s, crm_error *err)
{
    return crm_rfm_assign(s->rules, s->nrules, o->bins, in->r, in->f, in->m, n, s->labels, err);
}

static crm_status segment_value(const segment_options *o, const inputs *in, size_t n,
                                segmentation *s, crm_error *err)
{
    s->nnames = CRM_TIER_COUNT;
    s->names = malloc(CRM_TIER_COUNT * sizeof *s->names);
    if (!s->names)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (int t = 0; t < CRM_TIER_COUNT; t++)
        s->names[t] = crm_value_tier_name((crm_value_tier)t);
    const double *predicted = in->col[COL_PREDICTED] >= 0 ? in->predicted : NULL;
    if (o->model_file) {
        const crm_segment_model *m = &o->model;
        crm_value_options v = o->value;
        v.growth = m->growth;
        v.margin = m->margin;
        return crm_value_tiers_from_cutoff(in->value, predicted, n, &v, m->has_mvc, m->mvc_cutoff,
                                           in->at_cutoff_taken, s->labels, err);
    }
    return crm_value_tiers(in->value, predicted, n, &o->value, s->labels, &s->value_summary, err);
}

static crm_status segment_lifecycle(const segment_options *o, const inputs *in, size_t n,
                                    segmentation *s, crm_error *err)
{
    /* The prospect stage is listed (in a profile) only when there are any. */
    s->nnames = in->nprospects ? CRM_STAGE_COUNT : CRM_STAGE_PROSPECT;
    s->names = malloc(CRM_STAGE_COUNT * sizeof *s->names);
    if (!s->names)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (int t = 0; t < CRM_STAGE_COUNT; t++)
        s->names[t] = crm_lifecycle_stage_name((crm_lifecycle_stage)t);
    crm_lifecycle_input li = {in->tenure, in->recency, in->frequency,
                              in->col[COL_RECENT] >= 0 ? in->recent : NULL,
                              in->col[COL_P_ALIVE] >= 0 ? in->p_alive : NULL,
                              in->previous_col >= 0 ? in->previous : NULL, in->prospect};
    crm_status st = crm_lifecycle_assign(&li, n, &o->life, s->labels, err);
    if (st == CRM_EUSAGE)
        crm_error_prefix(err, "lifecycle thresholds: ");
    return st;
}

static crm_status segment_loyalty(const segment_options *o, const inputs *in, size_t n, segmentation *s,
                                  crm_error *err)
{
    s->nnames = CRM_LOYALTY_TIER_COUNT;
    s->names = malloc(CRM_LOYALTY_TIER_COUNT * sizeof *s->names);
    s->loyalty = malloc((n ? n : 1) * sizeof *s->loyalty);
    if (!s->names || !s->loyalty)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (int t = 0; t < CRM_LOYALTY_TIER_COUNT; t++)
        s->names[t] = crm_loyalty_tier_name((crm_loyalty_tier)t);
    crm_loyalty_input li = {in->periods, in->gap_cv, in->tenure, in->frequency, in->subjective};
    crm_status st = crm_loyalty_assign(&li, n, &o->loyalty, s->loyalty, err);
    for (size_t i = 0; i < n && st == CRM_OK; i++)
        s->labels[i] = s->loyalty[i].tier;
    return st;
}

static void print_number(char *buf, double v)
{
    crm_double_format(v, buf);
}

/* Clusters are named 1..k. */
static crm_status number_names(segmentation *s, size_t k, crm_error *err)
{
    s->nnames = k;
    s->names = malloc(k * sizeof *s->names);
    s->number_names = malloc(k * sizeof *s->number_names);
    if (!s->names || !s->number_names)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t c = 0; c < k; c++) {
        snprintf(s->number_names[c], sizeof s->number_names[c], "%zu", c + 1);
        s->names[c] = s->number_names[c];
    }
    return CRM_OK;
}

static crm_status segment_kmeans(const segment_options *o, const inputs *in, size_t n,
                                 segmentation *s, crm_report *report, crm_error *err)
{
    crm_kmeans_options km = o->km;
    km.feature_names = in->feature_names;
    km.order_feature = in->order_feature;
    crm_kmeans_result res;
    crm_status st;
    if (o->model_file) {
        const crm_segment_model *m = &o->model;
        st = crm_kmeans_assign(in->features, n, m->d, m->transform, m->zscore, m->shift, m->scale,
                               m->centers, m->rank, m->k, in->feature_names, s->labels, err);
        if (st == CRM_OK)
            st = number_names(s, m->k, err);
        if (st == CRM_OK && !o->quiet)
            fprintf(stderr, "crm-segment: kmeans: k=%zu from %s\n", m->k, o->model_file);
        return st;
    }
    double started = crm_clock_seconds();
    size_t best_k = 0;
    double scores[1000];
    size_t k_min = o->k_min, k_max = o->k_max;
    if (o->k_auto) {
        if (!o->k_range_given && k_max >= n)
            k_max = n > 2 ? n - 1 : 2;   /* the default range, cut to the data */
        if (k_max < k_min)
            k_min = k_max;
        st = crm_kmeans_auto(in->features, n, in->nfeatures, &km, k_min, k_max, o->sample, scores,
                             &best_k, &res, err);
    } else {
        st = crm_kmeans_fit(in->features, n, in->nfeatures, &km, &res, err);
    }
    if (st == CRM_EUSAGE && strstr(err->message, "clusters asked for") != NULL)
        err->status = st = CRM_EDATA;   /* too few customers: about the data, exit 1 */
    if (st != CRM_OK)
        return st;
    double seconds = crm_clock_seconds() - started;
    memcpy(s->labels, res.labels, n * sizeof *s->labels);
    if ((st = number_names(s, res.k, err)) != CRM_OK) {
        crm_kmeans_result_free(&res);
        return st;
    }
    char inertia[CRM_NUMBER_TEXT_MAX], text[CRM_NUMBER_TEXT_MAX];
    print_number(inertia, res.inertia);
    if (!o->quiet) {
        for (size_t k = k_min; o->k_auto && k <= k_max; k++) {
            crm_double_format_fixed(scores[k - k_min], 4, text);
            fprintf(stderr, "crm-segment: kmeans: k=%zu silhouette %s%s\n", k, text,
                    k == best_k ? " (chosen)" : "");
        }
        fprintf(stderr, "crm-segment: kmeans: k=%zu, inertia %s, %u iterations%s, restart %u of %u "
                "kept\n", res.k, inertia, res.iterations, res.converged ? "" : " (not converged)",
                res.best_restart + 1, km.restarts);
    }
    if (report) {
        crm_report_set(report, "kmeans_k", res.k);
        crm_report_set_text(report, "kmeans_inertia", inertia);
        crm_report_set(report, "kmeans_iterations", res.iterations);
        crm_double_format_fixed(seconds, 3, text);
        crm_report_set_text(report, "kmeans_seconds", text);
    }
    s->km = res;   /* for --save-model; freed with the segmentation */
    return CRM_OK;
}

static crm_status run_method(const segment_options *o, const inputs *in, size_t n, segmentation *s,
                             crm_report *report, crm_error *err)
{
    s->labels = malloc((n ? n : 1) * sizeof *s->labels);
    if (!s->labels)
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", n);
    switch (s->by) {
    case BY_RFM:
        return segment_rfm(o, in, n, s, err);
    case BY_VALUE:
        return segment_value(o, in, n, s, err);
    case BY_LIFECYCLE:
        return segment_lifecycle(o, in, n, s, err);
    case BY_LOYALTY:
        return segment_loyalty(o, in, n, s, err);
    default:
        return segment_kmeans(o, in, n, s, report, err);
    }
}

/* ---- output ---- */

static const char *const loyalty_columns[4] = {"loyalty_score", "loyalty_objective", "loyalty_subjective",
                                               "loyalty_survey"};

/* The score with two decimals, the values 0..1 with four: numbers people
 * read, without binary noise. */
static crm_status write_loyalty(crm_csv_writer *w, const crm_loyalty_result *l)
{
    crm_status st = crm_csv_write_fixed(w, l->score, 2);
    if (st == CRM_OK) st = crm_csv_write_fixed(w, l->objective, 4);
    if (st == CRM_OK) st = l->answered ? crm_csv_write_fixed(w, l->subjective, 4) : crm_csv_write_field(w, "", 0);
    if (st == CRM_OK) st = crm_csv_write_int(w, l->answered);
    return st;
}

static crm_status write_table(crm_csv_writer *w, const crm_csv_reader *r, const table *t,
                              const segmentation *segs, size_t nsegs)
{
    crm_status st = CRM_OK;
    const crm_csv_record *h = crm_csv_header(r);
    if (h) {
        for (size_t j = 0; j < t->ncols && st == CRM_OK; j++)
            st = crm_csv_write_field(w, h->fields[j], h->lengths[j]);
        for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
            st = crm_csv_write_field(w, segs[s].column, (size_t)-1);
        for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
            if (segs[s].loyalty)
                for (size_t k = 0; k < 4 && st == CRM_OK; k++)
                    st = crm_csv_write_field(w, loyalty_columns[k], (size_t)-1);
        if (st == CRM_OK)
            st = crm_csv_end_row(w);
    }
    for (size_t i = 0; i < t->nrows && st == CRM_OK; i++) {
        const char *p = t->bytes + t->row_start[i];
        for (size_t j = 0; j < t->ncols && st == CRM_OK; j++) {
            size_t len = t->lengths[i * t->ncols + j];
            st = crm_csv_write_field(w, p, len);
            p += len;
        }
        for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
            st = crm_csv_write_field(w, segs[s].names[segs[s].labels[i]], (size_t)-1);
        for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
            if (segs[s].loyalty)
                st = write_loyalty(w, &segs[s].loyalty[i]);
        if (st == CRM_OK)
            st = crm_csv_end_row(w);
    }
    return st;
}

/* Exact per-segment totals when every value is an exact decimal that adds
 * up without overflow; else 0 and the double totals are printed. */
static int exact_totals(const inputs *in, const segmentation *s, size_t n, crm_decimal *totals)
{
    if (!in->value_is_exact || in->col[COL_VALUE] < 0)
        return 0;
    for (size_t c = 0; c < s->nnames; c++)
        totals[c] = crm_decimal_from_int(0);
    for (size_t i = 0; i < n; i++)
        if (crm_decimal_add(totals[s->labels[i]], in->value_exact[i], &totals[s->labels[i]]) != CRM_OK)
            return 0;
    return 1;
}

/* The model's view beside the segment: where RFM says Lost and p_alive says
 * alive, the two disagree, and the profile shows it.  Empty for an empty
 * segment. */
static void write_mean_p_alive(crm_csv_writer *w, const inputs *in, const segmentation *s, size_t n,
                               size_t segment)
{
    double sum = 0.0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if ((size_t)s->labels[i] == segment) {
            sum += in->p_alive[i];
            count++;
        }
    if (count)
        crm_csv_write_double(w, sum / (double)count);
    else
        crm_csv_write_field(w, "", 0);
}

static crm_status write_profile_rows(crm_csv_writer *w, const inputs *in, const segmentation *s,
                                     size_t n, crm_error *err)
{
    size_t d = in->nfeatures;
    int has_value = in->col[COL_VALUE] >= 0;
    crm_segment_stats *stats = malloc(s->nnames * sizeof *stats);
    double *means = malloc((s->nnames * d != 0 ? s->nnames * d : 1) * sizeof *means);
    crm_decimal *totals = malloc(s->nnames * sizeof *totals);
    crm_status st = CRM_OK;
    if (!stats || !means || !totals)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (st == CRM_OK)
        st = crm_segment_profile(s->labels, n, s->nnames, has_value ? in->value : NULL,
                                 d ? in->features : NULL, d, stats, means, err);
    int exact = st == CRM_OK && has_value && exact_totals(in, s, n, totals);
    for (size_t c = 0; c < s->nnames && st == CRM_OK; c++) {
        crm_csv_write_field(w, method_names[s->by], (size_t)-1);
        crm_csv_write_field(w, s->names[c], (size_t)-1);
        crm_csv_write_int(w, (int64_t)stats[c].customers);
        crm_csv_write_double(w, stats[c].customer_share);
        if (!has_value) {
            crm_csv_write_field(w, "", 0);
            crm_csv_write_field(w, "", 0);
        } else {
            if (exact) {
                char buf[CRM_NUMBER_TEXT_MAX];
                size_t len = crm_decimal_format(totals[c], buf);
                crm_csv_write_field(w, buf, len);
            } else {
                crm_csv_write_double(w, stats[c].value_total);
            }
            crm_csv_write_double(w, stats[c].value_share);
        }
        for (size_t j = 0; j < d; j++) {
            if (stats[c].customers)
                crm_csv_write_double(w, means[c * d + j]);
            else
                crm_csv_write_field(w, "", 0);
        }
        if (in->col[COL_P_ALIVE] >= 0)
            write_mean_p_alive(w, in, s, n, c);
        if (crm_csv_end_row(w) != CRM_OK)
            st = crm_error_set(err, CRM_EIO, "cannot write the profile");
    }
    free(stats);
    free(means);
    free(totals);
    return st;
}

static crm_status write_profile(crm_output_set *outputs, const char *path, const inputs *in,
                                const segmentation *segs, size_t nsegs, size_t n, int escape_formulas,
                                crm_error *err)
{
    crm_csv_writer *w;
    crm_status st = crm_cli_open_output(outputs, path, -1, &w, err);
    if (st != CRM_OK)
        return st;
    crm_csv_writer_escape_formulas(w, escape_formulas);
    static const char *const head[] = {"by", "segment", "customers", "customer_share",
                                       "value_total", "value_share"};
    for (size_t j = 0; j < sizeof head / sizeof head[0]; j++)
        crm_csv_write_field(w, head[j], (size_t)-1);
    for (size_t j = 0; j < in->nfeatures; j++) {
        char name[300];
        snprintf(name, sizeof name, "mean_%s", in->feature_names[j]);
        crm_csv_write_field(w, name, (size_t)-1);
    }
    if (in->col[COL_P_ALIVE] >= 0)
        crm_csv_write_field(w, "mean_p_alive", (size_t)-1);
    if (crm_csv_end_row(w) != CRM_OK)
        st = crm_error_set(err, CRM_EIO, "cannot write the profile");
    for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
        st = write_profile_rows(w, in, &segs[s], n, err);
    if (st != CRM_OK) {
        st = crm_cli_write_failed(w, st, err);
        crm_csv_writer_abort(w);
        return st;
    }
    return crm_csv_writer_close(w, err);
}

/* ---- profiles by customer attribute (--group-by, --crosstab) ---- */

enum { MAX_GROUP_BY = 8 };

/* Each row's group: the tuple of its values in the group-by columns, as a
 * dense id ranked in byte order of the values (first column first). */
typedef struct {
    long cols[MAX_GROUP_BY];
    const char *names[MAX_GROUP_BY];
    size_t ncols;
    crm_strtab *tuples;       /* length-prefixed values, so no separator is ambiguous */
    uint32_t *group;          /* per row: the rank of its tuple */
    uint32_t *by_rank;        /* rank -> tuple id */
    size_t ngroups;
} grouping;

static void grouping_free(grouping *g)
{
    crm_strtab_free(g->tuples);
    free(g->group);
    free(g->by_rank);
}

/* The k-th value of a tuple. */
static const char *tuple_value(const grouping *g, uint32_t id, size_t k, uint32_t *len)
{
    const char *p = crm_strtab_get(g->tuples, id, NULL);
    for (size_t i = 0;; i++) {
        memcpy(len, p, sizeof *len);
        if (i == k) return p + sizeof *len;
        p += sizeof *len + *len;
    }
}

static int tuple_compare(const void *ctx, const void *a, const void *b)
{
    const grouping *g = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    for (size_t k = 0; k < g->ncols; k++) {
        uint32_t lx, ly;
        const char *vx = tuple_value(g, x, k, &lx), *vy = tuple_value(g, y, k, &ly);
        int c = memcmp(vx, vy, lx < ly ? lx : ly);
        if (c == 0) c = (lx > ly) - (lx < ly);
        if (c != 0) return c;
    }
    return 0;
}

static crm_status build_grouping(grouping *g, const char *spec, const crm_csv_reader *r, const table *t,
                                 crm_error *err)
{
    char list[1024];
    snprintf(list, sizeof list, "%s", spec);
    for (char *save = NULL, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        if (g->ncols == MAX_GROUP_BY)
            return crm_error_set(err, CRM_EUSAGE, "--group-by names more than %d columns", MAX_GROUP_BY);
        long c = crm_csv_column(r, name, err);
        if (c < 0)
            return err->status;
        g->names[g->ncols] = crm_csv_column_name(r, (size_t)c);
        g->cols[g->ncols++] = c;
    }
    if (g->ncols == 0)
        return crm_error_set(err, CRM_EUSAGE, "--group-by wants column names, got '%s'", spec);
    g->tuples = crm_strtab_new(64);
    g->group = malloc((t->nrows ? t->nrows : 1) * sizeof *g->group);
    char *key = NULL;
    size_t key_cap = 0;
    for (size_t i = 0; g->tuples && g->group && i < t->nrows; i++) {
        size_t len = 0;
        for (size_t k = 0; k < g->ncols; k++) {
            size_t at = t->row_start[i];
            for (long j = 0; j < g->cols[k]; j++) at += t->lengths[i * t->ncols + (size_t)j];
            uint32_t flen = t->lengths[i * t->ncols + (size_t)g->cols[k]];
            if (!crm_array_reserve(&key, &key_cap, len + sizeof flen + flen, 1)) {
                free(key);
                return crm_error_set(err, CRM_ENOMEM, "out of memory");
            }
            memcpy(key + len, &flen, sizeof flen);
            memcpy(key + len + sizeof flen, t->bytes + at, flen);
            len += sizeof flen + flen;
        }
        if (crm_strtab_intern(g->tuples, key, len, &g->group[i]) < 0)
            break;
    }
    free(key);
    if (!g->tuples || !g->group)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    g->ngroups = crm_strtab_count(g->tuples);
    g->by_rank = malloc((g->ngroups ? g->ngroups : 1) * sizeof *g->by_rank);
    uint32_t *rank = malloc((g->ngroups ? g->ngroups : 1) * sizeof *rank);
    if (!g->by_rank || !rank) {
        free(rank);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < g->ngroups; k++)
        g->by_rank[k] = (uint32_t)k;
    crm_sort_stable(g->by_rank, g->ngroups, sizeof *g->by_rank, tuple_compare, g);
    for (size_t k = 0; k < g->ngroups; k++)
        rank[g->by_rank[k]] = (uint32_t)k;
    for (size_t i = 0; i < t->nrows; i++)
        g->group[i] = rank[g->group[i]];
    free(rank);
    return CRM_OK;
}

/* Per segment and group: stats, exact totals when they can be had, means. */
typedef struct {
    int *labels;
    size_t nlabels;
    crm_segment_stats *stats;
    double *means;
    crm_decimal *totals;
    int exact;
} cells;

static crm_status count_cells(const inputs *in, const segmentation *s, const grouping *g, size_t n, cells *c,
                              crm_error *err)
{
    size_t d = in->nfeatures;
    c->nlabels = s->nnames * g->ngroups;
    c->labels = malloc((n ? n : 1) * sizeof *c->labels);
    c->stats = malloc((c->nlabels ? c->nlabels : 1) * sizeof *c->stats);
    c->means = malloc((c->nlabels * d != 0 ? c->nlabels * d : 1) * sizeof *c->means);
    c->totals = malloc((c->nlabels ? c->nlabels : 1) * sizeof *c->totals);
    if (!c->labels || !c->stats || !c->means || !c->totals || c->nlabels > INT32_MAX)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        c->labels[i] = (int)((size_t)s->labels[i] * g->ngroups + g->group[i]);
    int has_value = in->col[COL_VALUE] >= 0;
    crm_status st = crm_segment_profile(c->labels, n, c->nlabels, has_value ? in->value : NULL,
                                        d ? in->features : NULL, d, c->stats, c->means, err);
    c->exact = 0;
    if (st == CRM_OK && has_value && in->value_is_exact) {
        c->exact = 1;
        for (size_t k = 0; k < c->nlabels; k++)
            c->totals[k] = crm_decimal_from_int(0);
        for (size_t i = 0; i < n && c->exact; i++)
            c->exact = crm_decimal_add(c->totals[c->labels[i]], in->value_exact[i], &c->totals[c->labels[i]]) == CRM_OK;
    }
    return st;
}

static void cells_free(cells *c)
{
    free(c->labels);
    free(c->stats);
    free(c->means);
    free(c->totals);
}

static void write_total(crm_csv_writer *w, const cells *c, size_t k, int has_value)
{
    if (!has_value) {
        crm_csv_write_field(w, "", 0);
    } else if (c->exact) {
        char buf[CRM_NUMBER_TEXT_MAX];
        crm_csv_write_field(w, buf, crm_decimal_format(c->totals[k], buf));
    } else {
        crm_csv_write_double(w, c->stats[k].value_total);
    }
}

/* by, segment, COL..., customers, customer_share, segment_share, value_total,
 * value_share, mean_...: one row per segment and group that has customers. */
static crm_status write_group_rows(crm_csv_writer *w, const inputs *in, const segmentation *s, const grouping *g,
                                   size_t n, crm_error *err)
{
    cells c = {0};
    crm_status st = count_cells(in, s, g, n, &c, err);
    int has_value = in->col[COL_VALUE] >= 0;
    size_t d = in->nfeatures;
    for (size_t seg = 0; seg < s->nnames && st == CRM_OK; seg++) {
        size_t in_segment = 0;
        for (size_t k = 0; k < g->ngroups; k++)
            in_segment += c.stats[seg * g->ngroups + k].customers;
        for (size_t k = 0; k < g->ngroups && st == CRM_OK; k++) {
            size_t at = seg * g->ngroups + k;
            const crm_segment_stats *cs = &c.stats[at];
            if (cs->customers == 0)
                continue;
            crm_csv_write_field(w, method_names[s->by], (size_t)-1);
            crm_csv_write_field(w, s->names[seg], (size_t)-1);
            for (size_t j = 0; j < g->ncols; j++) {
                uint32_t len;
                const char *v = tuple_value(g, g->by_rank[k], j, &len);
                crm_csv_write_field(w, v, len);
            }
            crm_csv_write_int(w, (int64_t)cs->customers);
            crm_csv_write_double(w, cs->customer_share);
            crm_csv_write_double(w, (double)cs->customers / (double)in_segment);
            write_total(w, &c, at, has_value);
            if (has_value)
                crm_csv_write_double(w, cs->value_share);
            else
                crm_csv_write_field(w, "", 0);
            for (size_t j = 0; j < d; j++)
                crm_csv_write_double(w, c.means[at * d + j]);
            if (crm_csv_end_row(w) != CRM_OK)
                st = crm_error_set(err, CRM_EIO, "cannot write the profile");
        }
    }
    cells_free(&c);
    return st;
}

/* segment, <each value of the column>, total: customers (or value) per cell,
 * and a last row of totals. */
static crm_status write_crosstab(crm_csv_writer *w, const segment_options *o, const inputs *in,
                                 const segmentation *s, const grouping *g, size_t n, crm_error *err)
{
    if (o->crosstab_value && in->col[COL_VALUE] < 0)
        return crm_error_set(err, CRM_EUSAGE, "--crosstab %s needs a value column (--value COL)", o->crosstab);
    cells c = {0};
    crm_status st = count_cells(in, s, g, n, &c, err);
    crm_decimal *sums = calloc(g->ngroups + 1, sizeof *sums);
    double *dsums = calloc(g->ngroups + 1, sizeof *dsums);
    if (st == CRM_OK && (!sums || !dsums))
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_csv_write_field(w, s->column, (size_t)-1);
    for (size_t k = 0; k < g->ngroups; k++) {
        uint32_t len;
        const char *v = tuple_value(g, g->by_rank[k], 0, &len);
        crm_csv_write_field(w, v, len);
    }
    crm_csv_write_field(w, "total", 5);
    crm_csv_end_row(w);
    for (size_t seg = 0; seg <= s->nnames && st == CRM_OK; seg++) {
        int total_row = seg == s->nnames;
        crm_csv_write_field(w, total_row ? "total" : s->names[seg], (size_t)-1);
        crm_decimal row = crm_decimal_from_int(0);
        double drow = 0;
        for (size_t k = 0; k <= g->ngroups; k++) {
            int total_col = k == g->ngroups;
            crm_decimal v = total_col ? row : total_row ? sums[k] : c.totals[seg * g->ngroups + k];
            double dv = total_col ? drow : total_row ? dsums[k] : o->crosstab_value
                        ? c.stats[seg * g->ngroups + k].value_total : (double)c.stats[seg * g->ngroups + k].customers;
            if (o->crosstab_value && c.exact) {
                char buf[CRM_NUMBER_TEXT_MAX];
                crm_csv_write_field(w, buf, crm_decimal_format(v, buf));
            } else if (o->crosstab_value) {
                crm_csv_write_double(w, dv);
            } else {
                crm_csv_write_int(w, (int64_t)dv);
            }
            if (!total_col) {
                if (c.exact && o->crosstab_value) crm_decimal_add(row, v, &row);
                drow += dv;
                if (!total_row) {
                    if (c.exact && o->crosstab_value) crm_decimal_add(sums[k], v, &sums[k]);
                    dsums[k] += dv;
                }
            }
        }
        if (crm_csv_end_row(w) != CRM_OK)
            st = crm_error_set(err, CRM_EIO, "cannot write the profile");
    }
    free(sums);
    free(dsums);
    cells_free(&c);
    return st;
}

static crm_status write_grouped_profile(crm_output_set *outputs, const segment_options *o, const crm_csv_reader *r, const table *t,
                                        const inputs *in, const segmentation *segs, size_t nsegs,
                                        int escape_formulas, crm_error *err)
{
    grouping g = {0};
    crm_status st = build_grouping(&g, o->crosstab ? o->crosstab_column : o->group_by, r, t, err);
    crm_csv_writer *w = NULL;
    if (st == CRM_OK)
        st = crm_cli_open_output(outputs, o->profile_path, -1, &w, err);
    if (st == CRM_OK)
        crm_csv_writer_escape_formulas(w, escape_formulas);
    if (st == CRM_OK && o->crosstab) {
        for (size_t s = 0; s < nsegs; s++)
            if (segs[s].by == o->crosstab_by)
                st = write_crosstab(w, o, in, &segs[s], &g, t->nrows, err);
    } else if (st == CRM_OK) {
        static const char *const head[] = {"by", "segment"};
        static const char *const counts[] = {"customers", "customer_share", "segment_share", "value_total",
                                             "value_share"};
        for (size_t j = 0; j < 2; j++)
            crm_csv_write_field(w, head[j], (size_t)-1);
        for (size_t j = 0; j < g.ncols; j++)
            crm_csv_write_field(w, g.names[j], (size_t)-1);
        for (size_t j = 0; j < 5; j++)
            crm_csv_write_field(w, counts[j], (size_t)-1);
        for (size_t j = 0; j < in->nfeatures; j++) {
            char name[300];
            snprintf(name, sizeof name, "mean_%s", in->feature_names[j]);
            crm_csv_write_field(w, name, (size_t)-1);
        }
        if (crm_csv_end_row(w) != CRM_OK)
            st = crm_error_set(err, CRM_EIO, "cannot write the profile");
        for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
            st = write_group_rows(w, in, &segs[s], &g, t->nrows, err);
    }
    grouping_free(&g);
    if (w == NULL)
        return st;
    if (st != CRM_OK) {
        st = crm_cli_write_failed(w, st, err);
        crm_csv_writer_abort(w);
        return st;
    }
    return crm_csv_writer_close(w, err);
}

static void print_counts(const segmentation *s, size_t n)
{
    size_t *counts = calloc(s->nnames, sizeof *counts);
    if (!counts)
        return;
    for (size_t i = 0; i < n; i++)
        counts[s->labels[i]]++;
    fprintf(stderr, "crm-segment: %s:", method_names[s->by]);
    for (size_t c = 0; c < s->nnames; c++)
        fprintf(stderr, "%s %s %zu", c ? "," : "", s->names[c], counts[c]);
    fputc('\n', stderr);
    free(counts);
}

/* ---- the survey (--by loyalty --survey FILE) ---- */

/* customer_id and score columns: one row per customer, answers as numbers
 * (NaN where empty), and each column's scale. */
typedef struct {
    crm_strtab *ids;           /* customer -> survey row */
    uint64_t *lines;           /* per survey row: its input line */
    double *answers;           /* rows x nscores */
    size_t nscores, nrows, answers_cap, lines_cap;
    double lo[MAX_SURVEY_SCORES], hi[MAX_SURVEY_SCORES];
    int scale_given[MAX_SURVEY_SCORES];
    long cols[MAX_SURVEY_SCORES];
    size_t matched;            /* survey rows whose customer is in the table */
} survey;

static void survey_free(survey *v)
{
    crm_strtab_free(v->ids);
    free(v->lines);
    free(v->answers);
}

static crm_status survey_columns(const segment_options *o, const crm_csv_reader *r, long *id_col, survey *v,
                                 crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r);
    if (!h)
        return crm_error_set(err, CRM_EUSAGE, "--survey: the survey needs a header (customer_id and score names)");
    if ((*id_col = crm_csv_column(r, "customer_id", err)) < 0)
        return err->status;
    for (size_t j = 0; j < h->nfields; j++) {
        if ((long)j == *id_col)
            continue;
        if (v->nscores == MAX_SURVEY_SCORES)
            return crm_error_set(err, CRM_EDATA, "%s: more than %d score columns", crm_csv_input_name(r),
                                 MAX_SURVEY_SCORES);
        v->cols[v->nscores] = (long)j;
        v->lo[v->nscores] = INFINITY;
        v->hi[v->nscores] = -INFINITY;
        for (size_t k = 0; k < o->nscales; k++)
            if (strcmp(o->scales[k].name, h->fields[j]) == 0) {
                v->lo[v->nscores] = o->scales[k].lo;
                v->hi[v->nscores] = o->scales[k].hi;
                v->scale_given[v->nscores] = 1;
            }
        v->nscores++;
    }
    if (v->nscores == 0)
        return crm_error_set(err, CRM_EDATA, "%s: no score column beside customer_id", crm_csv_input_name(r));
    for (size_t k = 0; k < o->nscales; k++) {
        size_t j = 0;
        while (j < v->nscores && strcmp(h->fields[v->cols[j]], o->scales[k].name) != 0)
            j++;
        if (j == v->nscores)
            return crm_error_set(err, CRM_EUSAGE, "--survey-scale %s: the survey has no score column '%s'",
                                 o->scales[k].name, o->scales[k].name);
    }
    return CRM_OK;
}

/* One survey row; a bad one stops the run or is skipped (err set). */
static crm_status survey_row(const crm_csv_reader *r, const crm_csv_record *rec, long id_col, survey *v,
                             crm_error *err)
{
    char q[128];
    const char *name = crm_csv_input_name(r);
    unsigned long long line = (unsigned long long)rec->line;
    if (rec->defect != CRM_CSV_RECORD_OK)
        return crm_csv_defect_error(r, rec, err);
    if (crm_csv_check_width(r, rec, crm_csv_header(r)->nfields, err) != CRM_OK)
        return err->status;
    if (rec->nfields < crm_csv_header(r)->nfields)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: expected %zu fields, found %zu", name, line,
                             crm_csv_header(r)->nfields, rec->nfields);
    if (rec->lengths[id_col] == 0)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column 'customer_id': empty customer id", name, line);
    double row[MAX_SURVEY_SCORES];
    for (size_t j = 0; j < v->nscores; j++) {
        const char *f = rec->fields[v->cols[j]];
        size_t len = rec->lengths[v->cols[j]];
        const char *col = crm_csv_column_name(r, (size_t)v->cols[j]);
        row[j] = NAN;
        if (len == 0)
            continue;   /* not answered */
        if (crm_parse_double(f, len, NULL, &row[j]) != CRM_OK || !isfinite(row[j]))
            return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a number", name, line,
                                 col, crm_error_quote(q, sizeof q, f, len));
        if (v->scale_given[j] && (row[j] < v->lo[j] || row[j] > v->hi[j])) {
            char lo[CRM_NUMBER_TEXT_MAX], hi[CRM_NUMBER_TEXT_MAX];
            crm_double_format(v->lo[j], lo);
            crm_double_format(v->hi[j], hi);
            return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': score '%s' is outside its scale %s..%s",
                                 name, line, col, crm_error_quote(q, sizeof q, f, len), lo, hi);
        }
    }
    uint32_t id;
    int fresh = crm_strtab_intern(v->ids, rec->fields[id_col], rec->lengths[id_col], &id);
    if (fresh < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (!fresh)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column 'customer_id': customer '%s' appears twice (first on "
                             "line %llu)", name, line, crm_error_quote(q, sizeof q, rec->fields[id_col],
                                                                       rec->lengths[id_col]),
                             (unsigned long long)v->lines[id]);
    if (!crm_array_reserve(&v->answers, &v->answers_cap, (v->nrows + 1) * v->nscores, sizeof *v->answers) ||
        !crm_array_reserve(&v->lines, &v->lines_cap, v->nrows + 1, sizeof *v->lines))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t j = 0; j < v->nscores; j++) {
        v->answers[v->nrows * v->nscores + j] = row[j];
        if (!v->scale_given[j] && !isnan(row[j])) {
            v->lo[j] = row[j] < v->lo[j] ? row[j] : v->lo[j];
            v->hi[j] = row[j] > v->hi[j] ? row[j] : v->hi[j];
        }
    }
    v->lines[v->nrows++] = rec->line;
    return CRM_OK;
}

static crm_status read_survey(const segment_options *o, const crm_common_options *common, crm_bad_rows *bad,
                              survey *v, crm_error *err)
{
    crm_csv_reader *r;
    long id_col = -1;
    if (!(v->ids = crm_strtab_new(1024)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_status st = crm_cli_open_input(common, o->survey, &r, err);
    if (st != CRM_OK)
        return st;
    st = survey_columns(o, r, &id_col, v, err);
    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        if ((st = survey_row(r, rec, id_col, v, err)) == CRM_EDATA)
            st = crm_cli_bad_row(bad, err);
    /* A column without a given scale takes the lowest and highest answer
     * seen; it needs two different ones. */
    for (size_t j = 0; j < v->nscores && st == CRM_OK; j++)
        if (!v->scale_given[j] && !(v->hi[j] > v->lo[j]))
            st = crm_error_set(err, CRM_EDATA, "%s: column '%s': %s: give its scale with --survey-scale %s=LO:HI",
                               crm_csv_input_name(r), crm_csv_column_name(r, (size_t)v->cols[j]),
                               v->hi[j] < v->lo[j] ? "no answers" : "every answer is the same",
                               crm_csv_column_name(r, (size_t)v->cols[j]));
    crm_csv_close(r);
    return st;
}

/* The field of row i in column col of the kept table. */
static const char *table_field(const table *t, size_t i, long col, size_t *len)
{
    size_t at = t->row_start[i];
    for (long j = 0; j < col; j++)
        at += t->lengths[i * t->ncols + (size_t)j];
    *len = t->lengths[i * t->ncols + (size_t)col];
    return t->bytes + at;
}

/* Each customer's subjective value: NaN without a survey answer. */
static crm_status join_survey(const table *t, inputs *in, survey *v, crm_error *err)
{
    in->subjective = malloc((t->nrows ? t->nrows : 1) * sizeof *in->subjective);
    if (!in->subjective)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nrows; i++) {
        size_t len;
        const char *id = table_field(t, i, in->id_col, &len);
        uint32_t row;
        in->subjective[i] = NAN;
        if (crm_strtab_find(v->ids, id, len, &row)) {
            in->subjective[i] = crm_loyalty_subjective(v->answers + (size_t)row * v->nscores, v->lo, v->hi,
                                                       v->nscores);
            v->matched++;
        }
    }
    return CRM_OK;
}

static void print_loyalty_note(const segment_options *o, const segmentation *s, const survey *v, size_t n)
{
    if (!s->loyalty)
        return;
    if (!o->survey) {
        fprintf(stderr, "crm-segment: loyalty: objective value alone (no --survey)\n");
        return;
    }
    size_t answered = 0;
    for (size_t i = 0; i < n; i++)
        answered += (size_t)s->loyalty[i].answered;
    fprintf(stderr, "crm-segment: loyalty: %zu of %zu customers with a survey answer (weights objective %g, "
            "subjective %g); %zu survey row%s for customers not in the table\n", answered, n,
            o->loyalty.objective_weight, o->loyalty.subjective_weight, v->nrows - v->matched,
            v->nrows - v->matched == 1 ? "" : "s");
}

/* ---- the run ---- */

typedef struct {
    segment_options *o;
    crm_output_set *outputs;   /* every file the run writes */
    const crm_common_options *common;
    crm_csv_reader *reader;
    crm_csv_writer *out;
    table t;
    inputs in;
    segmentation segs[BY_COUNT];
    size_t nsegs;
    crm_progress progress;
    crm_report *report;
    crm_bad_rows bad;          /* --skip-bad */
    survey survey;             /* --survey */
} segment_run;

/* The output column of each --by; refuses a name the input already has. */
static crm_status name_columns(segment_run *run, crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(run->reader);
    for (size_t s = 0; s < run->nsegs; s++) {
        segmentation *seg = &run->segs[s];
        if (run->nsegs == 1)
            snprintf(seg->column, sizeof seg->column, "segment");
        else
            snprintf(seg->column, sizeof seg->column, "segment_%s", method_names[seg->by]);
        for (size_t j = 0; h && j < h->nfields; j++)
            if (strcmp(h->fields[j], seg->column) == 0)
                return crm_error_set(err, CRM_EDATA,
                                     "%s: the input already has a column '%s' (column %zu); "
                                     "crm-segment would write a second one",
                                     crm_csv_input_name(run->reader), seg->column, j + 1);
    }
    return CRM_OK;
}

/* --shard I/N: the customer's shard, by the rule every command shares. */
static int in_shard(const segment_run *run, const crm_csv_record *rec)
{
    long c = run->in.customer_col;
    return !run->common->shard.count ||
           crm_clean_in_shard(&run->common->shard, rec->fields[c], rec->lengths[c]);
}

static crm_status read_table(segment_run *run, crm_error *err)
{
    crm_csv_reader *r = run->reader;
    const crm_csv_record *rec;
    crm_status st;
    run->in.value_is_exact = 1;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (run->t.ncols == 0 && run->t.nrows == 0 && !crm_csv_header(r))
            run->t.ncols = rec->nfields;   /* --no-header: the first row sets the width */
        /* a row that cannot be read stops the run or is skipped; its
         * numbers were written where the next row's go */
        int value_was_exact = run->in.value_is_exact;
        if (rec->defect == CRM_CSV_RECORD_OK && crm_csv_check_width(r, rec, run->t.ncols, err) == CRM_OK &&
            !in_shard(run, rec))
            continue;   /* another shard's customer */
        if ((rec->defect != CRM_CSV_RECORD_OK && (st = crm_csv_defect_error(r, rec, err))) ||
            (st = crm_csv_check_width(r, rec, run->t.ncols, err)) != CRM_OK ||
            (st = read_numbers(run->o, r, rec, run->t.nrows, &run->in, err)) != CRM_OK) {
            run->in.value_is_exact = value_was_exact;
            if (st != CRM_EDATA || (st = crm_cli_bad_row(&run->bad, err)) != CRM_OK)
                return st;
            continue;
        }
        if ((st = table_add(&run->t, rec, err)) != CRM_OK)
            return st;
        crm_progress_update(&run->progress, run->t.nrows, crm_csv_raw_bytes(r));
    }
    return st;
}

/* --model-file: read and checked whole before the customers, so that a bad
 * model stops the run before a long input is read. */
static crm_status load_model(segment_options *o, crm_error *err)
{
    FILE *f = fopen(o->model_file, "rb");
    if (!f)
        return crm_error_set(err, CRM_EIO, "%s: %s", o->model_file, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    int ok = 1;
    while (ok) {
        ok = crm_array_reserve(&text, &cap, len + 65536, 1);
        size_t got = ok ? fread(text + len, 1, cap - len, f) : 0;
        len += got;
        if (got == 0)
            break;
    }
    int failed = !ok || ferror(f);
    fclose(f);
    crm_status st = CRM_OK;
    if (failed)
        st = ok ? crm_error_set(err, CRM_EIO, "%s: read failed", o->model_file)
                : crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", o->model_file);
    else if ((st = crm_segment_model_parse(text, len, &o->model, err)) != CRM_OK)
        crm_error_prefix(err, err->message[0] >= '0' && err->message[0] <= '9' ? "%s:" : "%s: ",
                         o->model_file);
    free(text);
    for (size_t b = 0; b < o->nby && st == CRM_OK; b++)
        if ((o->by[b] == BY_KMEANS && !o->model.has_kmeans) || (o->by[b] == BY_VALUE && !o->model.has_value))
            st = crm_error_set(err, CRM_EDATA, "%s: the model has no %s settings (save it with --by %s "
                               "--save-model)", o->model_file, method_names[o->by[b]], method_names[o->by[b]]);
    return st;
}

/* A saved value model ranks the columns it was fitted on: the same names here. */
static crm_status check_model_columns(const segment_options *o, const crm_csv_reader *r, const inputs *in,
                                      crm_error *err)
{
    const crm_segment_model *m = &o->model;
    const char *value = crm_csv_column_name(r, (size_t)in->col[COL_VALUE]);
    const char *predicted = in->col[COL_PREDICTED] >= 0 ? crm_csv_column_name(r, (size_t)in->col[COL_PREDICTED])
                                                        : NULL;
    if (strcmp(value, m->value_column) != 0)
        return crm_error_set(err, CRM_EDATA, "%s: the model's value to date is column '%s', but here it is '%s'",
                             o->model_file, m->value_column, value);
    if ((predicted == NULL) != (m->predicted_column == NULL) ||
        (predicted && strcmp(predicted, m->predicted_column) != 0))
        return crm_error_set(err, CRM_EDATA, "%s: the model ranks by %s%s%s, but here by %s%s%s", o->model_file,
                             m->predicted_column ? "column '" : "the value to date",
                             m->predicted_column ? m->predicted_column : "", m->predicted_column ? "'" : "",
                             predicted ? "column '" : "the value to date", predicted ? predicted : "",
                             predicted ? "'" : "");
    return CRM_OK;
}

/* Byte order of customer ids, the order the tables are sorted in. */
static int compare_ids(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* Which customers tied at a saved MVC cut-off the whole table took: those
 * up to the saved customer, in customer_id order. */
static crm_status mark_cutoff_ties(const segment_options *o, const table *t, inputs *in, crm_error *err)
{
    const char *last = o->model.cutoff_customer;
    in->at_cutoff_taken = malloc(t->nrows ? t->nrows : 1);
    if (!in->at_cutoff_taken)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nrows; i++) {
        size_t len;
        const char *id = table_field(t, i, in->customer_col, &len);
        in->at_cutoff_taken[i] = compare_ids(id, len, last, strlen(last)) <= 0;
    }
    return CRM_OK;
}

/* --save-model: the fitted k-means and value cut-off of this run. */
static crm_status save_model(segment_run *run, crm_error *err)
{
    const segment_options *o = run->o;
    const inputs *in = &run->in;
    crm_segment_model m = {0};
    char *customer = NULL;
    crm_status st = CRM_OK;
    for (size_t b = 0; b < run->nsegs; b++) {
        const segmentation *seg = &run->segs[b];
        if (seg->by == BY_KMEANS) {
            const crm_kmeans_result *res = &seg->km;
            m.has_kmeans = 1;
            m.d = res->d;
            m.k = res->k;
            m.features = (char **)in->feature_names;
            m.transform = o->km.transform;
            m.zscore = o->km.zscore;
            m.shift = res->shift;
            m.scale = res->scale;
            m.rank = res->rank;
            /* centres in the fitted run's order: centre c is cluster rank[c] */
            m.centers = malloc(res->k * res->d * sizeof *m.centers);
            if (!m.centers) {
                st = crm_error_set(err, CRM_ENOMEM, "out of memory");
                break;
            }
            for (size_t c = 0; c < res->k; c++)
                memcpy(m.centers + c * res->d, res->centers + res->rank[c] * res->d, res->d * sizeof *m.centers);
        } else if (seg->by == BY_VALUE) {
            const crm_value_summary *v = &seg->value_summary;
            m.has_value = 1;
            m.value_column = (char *)crm_csv_column_name(run->reader, (size_t)in->col[COL_VALUE]);
            m.predicted_column = in->col[COL_PREDICTED] >= 0
                                     ? (char *)crm_csv_column_name(run->reader, (size_t)in->col[COL_PREDICTED])
                                     : NULL;
            m.growth = o->value.growth;
            m.margin = o->value.margin;
            m.has_mvc = v->mvc_last_row != SIZE_MAX;
            m.mvc_cutoff = v->mvc_cutoff;
            if (v->mvc_cutoff_split) {
                /* Customers tie at the cut-off and only the earlier rows were
                 * taken: the last one taken tells the shards where to stop. */
                size_t len;
                if (in->customer_col < 0) {
                    st = crm_error_set(err, CRM_EDATA, "%s: value tiers: customers tie at the MVC cut-off and "
                                       "only some are MVC; saving the model needs a customer_id column to tell "
                                       "them apart", crm_csv_input_name(run->reader));
                    break;
                }
                const char *id = table_field(&run->t, v->mvc_last_row, in->customer_col, &len);
                if (!(customer = malloc(len + 1))) {
                    st = crm_error_set(err, CRM_ENOMEM, "out of memory");
                    break;
                }
                memcpy(customer, id, len);
                customer[len] = '\0';
                m.cutoff_customer = customer;
            }
        }
    }
    char *text = NULL;
    size_t len = 0;
    crm_output *out = NULL;
    if (st == CRM_OK)
        st = crm_segment_model_format(&m, &text, &len, err);
    if (st == CRM_OK && (st = crm_output_set_open(run->outputs, &out, o->save_model, 0, err)) == CRM_OK) {
        crm_output_write(out, text, len);
        st = crm_output_commit(out, err);
    }
    free(text);
    free(customer);
    free(m.centers);
    return st;
}

static crm_status run_segment(segment_run *run, crm_error *err)
{
    segment_options *o = run->o;
    crm_status st;
    const char *path = run->common->ninputs ? run->common->inputs[0] : NULL;
    if (o->model_file && (st = load_model(o, err)) != CRM_OK)
        return st;
    if ((st = crm_cli_open_input(run->common, path, &run->reader, err)) != CRM_OK)
        return st;
    const crm_csv_record *h = crm_csv_header(run->reader);
    run->t.ncols = h ? h->nfields : 0;
    run->nsegs = o->nby;
    for (size_t s = 0; s < o->nby; s++)
        run->segs[s].by = o->by[s];
    if ((st = name_columns(run, err)) != CRM_OK ||
        (st = resolve_columns(o, run->reader, &run->in, err)) != CRM_OK)
        return st;
    int cutoff_ties = o->model_file && uses(o, BY_VALUE) && o->model.cutoff_customer;
    run->in.customer_col = -1;
    if ((run->common->shard.count || cutoff_ties || (o->save_model && uses(o, BY_VALUE))) &&
        (st = resolve(run->reader, NULL, "customer_id", run->common->shard.count || cutoff_ties,
                      &run->in.customer_col, err)) != CRM_OK)
        return st;
    if (o->model_file && uses(o, BY_VALUE) && (st = check_model_columns(o, run->reader, &run->in, err)) != CRM_OK)
        return st;
    for (size_t s = 0; s < run->nsegs; s++)
        if (run->segs[s].by == BY_RFM && (st = prepare_rfm(o, &run->segs[s], err)) != CRM_OK)
            return st;
    /* The survey is read first, so that a bad survey stops before a long table. */
    if (o->survey && (st = read_survey(o, run->common, &run->bad, &run->survey, err)) != CRM_OK)
        return st;
    if ((st = read_table(run, err)) != CRM_OK)
        return st;
    if (o->survey && (st = join_survey(&run->t, &run->in, &run->survey, err)) != CRM_OK)
        return st;
    if (cutoff_ties && (st = mark_cutoff_ties(o, &run->t, &run->in, err)) != CRM_OK)
        return st;
    crm_progress_finish(&run->progress, run->t.nrows, crm_csv_raw_bytes(run->reader));
    size_t n = run->t.nrows;
    for (size_t s = 0; s < run->nsegs; s++) {
        if ((st = run_method(o, &run->in, n, &run->segs[s], run->report, err)) != CRM_OK) {
            locate_row_error(err, crm_csv_input_name(run->reader), run->t.lines, n);
            return st;
        }
    }
    if (o->save_model && (st = save_model(run, err)) != CRM_OK)
        return st;
    if (o->profile_path && (o->group_by || o->crosstab) &&
        (st = write_grouped_profile(run->outputs, o, run->reader, &run->t, &run->in, run->segs, run->nsegs,
                                    run->common->escape_formulas, err)) != CRM_OK)
        return st;
    if (o->profile_path && !o->group_by && !o->crosstab &&
        (st = write_profile(run->outputs, o->profile_path, &run->in, run->segs, run->nsegs, n,
                            run->common->escape_formulas, err)) != CRM_OK)
        return st;
    if ((st = crm_cli_open_output(run->outputs, run->common->output, run->common->gzip, &run->out, err)) !=
        CRM_OK)
        return st;
    crm_csv_writer_escape_formulas(run->out, run->common->escape_formulas);
    st = write_table(run->out, run->reader, &run->t, run->segs, run->nsegs);
    if (st != CRM_OK && st != CRM_EPIPE)
        return crm_cli_write_failed(run->out, st, err);
    if (st == CRM_EPIPE)
        return crm_error_set(err, CRM_EPIPE, "closed pipe");
    st = crm_csv_writer_close(run->out, err);
    run->out = NULL;
    return st;
}

/* --shard keeps one shard's customers; the methods must label them as one
 * process labels the whole table.  RFM, lifecycle and loyalty look at one
 * customer at a time (a --survey is read whole, so its scales are those of
 * every answer); k-means and value tiers need a model saved from all. */
static crm_status check_shard(const segment_options *o, const crm_shard *shard, crm_error *err)
{
    if (!shard->count)
        return CRM_OK;
    if (o->save_model)
        return crm_error_set(err, CRM_EUSAGE, "--save-model fits on every customer: run it without --shard, "
                             "then label the shards with --model-file");
    for (size_t b = 0; b < o->nby; b++) {
        if ((o->by[b] == BY_KMEANS || o->by[b] == BY_VALUE) && !o->model_file)
            return crm_error_set(err, CRM_EUSAGE, "--shard: --by %s fits on every customer; label a shard with "
                                 "--model-file FILE saved from all of them (--save-model)", method_names[o->by[b]]);
    }
    return CRM_OK;
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    segment_options o = {0};
    o.bins = 5;
    crm_value_options_init(&o.value);
    crm_lifecycle_options_init(&o.life);
    crm_loyalty_options_init(&o.loyalty);
    crm_kmeans_options_init(&o.km);
    o.km.transform = CRM_KMEANS_TRANSFORM_LOG1P;
    o.k_min = CRM_KMEANS_AUTO_K_MIN;
    o.k_max = CRM_KMEANS_AUTO_K_MAX;
    o.sample = CRM_KMEANS_SILHOUETTE_SAMPLE;
    crm_common_options common;
    crm_cli_spec spec = {"crm-segment", usage, segment_options_table, "k:q", handle_option, &o, 1, 1};
    int exit_code;
    if (!crm_cli_start(&spec, argc, argv, &common, &exit_code))
        return exit_code;
    o.km.threads = common.threads;   /* the assignment step too; same output on any */
    crm_error err;
    crm_error_clear(&err);
    crm_status st;
    if ((st = check_options(&o, &err)) != CRM_OK || (st = check_shard(&o, &common.shard, &err)) != CRM_OK)
        return crm_cli_fail("crm-segment", &err);

    segment_run run = {.o = &o, .common = &common};
    run.bad.skip = o.skip_bad;
    /* every file named before anything is read: an output must not replace an input */
    if ((st = crm_cli_start_outputs(&common, &run.outputs, &err)) != CRM_OK ||
        (st = crm_output_set_add_input(run.outputs, "--map", o.map_path, &err)) != CRM_OK ||
        (st = crm_output_set_add_input(run.outputs, "--survey", o.survey, &err)) != CRM_OK ||
        (st = crm_output_set_add_input(run.outputs, "--model-file", o.model_file, &err)) != CRM_OK ||
        (st = crm_output_set_add_output(run.outputs, "--profile", o.profile_path, &err)) != CRM_OK ||
        (st = crm_output_set_add_output(run.outputs, "--save-model", o.save_model, &err)) != CRM_OK) {
        crm_output_set_free(run.outputs);
        return crm_cli_fail("crm-segment", &err);
    }
    run.report = crm_report_new("crm-segment");
    crm_progress_start(&run.progress, "crm-segment", common.progress);
    st = run_segment(&run, &err);
    if (run.out)
        crm_csv_writer_abort(run.out);   /* a failed run leaves any earlier output in place */
    crm_report_set(run.report, "rows_in", run.t.nrows + run.bad.skipped);
    crm_report_set(run.report, "rows_out", st == CRM_OK ? run.t.nrows : 0);
    crm_report_set(run.report, "rows_skipped", run.bad.skipped);
    st = crm_cli_end_run("crm-segment", run.outputs, run.report, common.report, st, &err);
    /* counts only for a run whose files were all written */
    if (st == CRM_OK && !o.quiet) {
        crm_cli_note_skipped("crm-segment", &run.bad);
        fprintf(stderr, "crm-segment: %zu customers\n", run.t.nrows);
        for (size_t s = 0; s < run.nsegs; s++) {
            print_counts(&run.segs[s], run.t.nrows);
            print_loyalty_note(&o, &run.segs[s], &run.survey, run.t.nrows);
        }
    }
    crm_report_free(run.report);
    crm_csv_close(run.reader);
    table_free(&run.t);
    inputs_free(&run.in);
    survey_free(&run.survey);
    for (size_t s = 0; s < run.nsegs; s++)
        segmentation_free(&run.segs[s]);
    crm_segment_model_free(&o.model);
    if (st != CRM_OK)
        return crm_cli_fail("crm-segment", &err);
    return 0;
}
