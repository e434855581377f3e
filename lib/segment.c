#include "crm/segment.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ==== RFM segments ==== */

static const char other_name[] = "Other";

/* The default map in 5-bin scores; see segment.h for the table. */
static const crm_rfm_rule default_map_5[CRM_RFM_DEFAULT_RULES] = {
    { "Champions",          5, 5, 4, 5, 1, 5 },
    { "Loyal",              3, 4, 4, 5, 1, 5 },
    { "Potential Loyalist", 4, 5, 2, 3, 1, 5 },
    { "New",                5, 5, 1, 1, 1, 5 },
    { "Promising",          4, 4, 1, 1, 1, 5 },
    { "Need Attention",     3, 3, 2, 3, 1, 5 },
    { "About To Sleep",     3, 3, 1, 1, 1, 5 },
    { "At Risk",            1, 2, 3, 5, 1, 3 },
    { "Can't Lose Them",    1, 2, 3, 5, 4, 5 },
    { "Hibernating",        2, 2, 1, 2, 1, 5 },
    { "Lost",               1, 1, 1, 2, 1, 5 },
};

/* The 5-bin score that score s of bins stands for: the fifth of the range
 * holding the middle of s's own share of the range. */
static int five_bin_score(int s, int bins)
{
    return ((2 * s - 1) * 5) / (2 * bins) + 1;
}

/* The scores of bins whose 5-bin score lies in lo5..hi5, as a range (they
 * are contiguous since five_bin_score never decreases).  0 when none. */
static int scale_range(int lo5, int hi5, int bins, int *lo, int *hi)
{
    *lo = 0;
    *hi = 0;
    for (int s = 1; s <= bins; s++) {
        int s5 = five_bin_score(s, bins);
        if (s5 >= lo5 && s5 <= hi5) {
            if (*lo == 0)
                *lo = s;
            *hi = s;
        }
    }
    return *lo != 0;
}

static crm_status check_bins(int bins, crm_error *err)
{
    if (bins < 1 || bins > CRM_RFM_MAX_BINS)
        return crm_error_set(err, CRM_EUSAGE, "the number of score bins must be 1..%d, not %d",
                             CRM_RFM_MAX_BINS, bins);
    return CRM_OK;
}

crm_status crm_rfm_default_map(int bins, crm_rfm_rule *rules, size_t *count, crm_error *err)
{
    crm_status status = check_bins(bins, err);
    if (status != CRM_OK)
        return status;
    size_t kept = 0;
    for (size_t i = 0; i < CRM_RFM_DEFAULT_RULES; i++) {
        const crm_rfm_rule *src = &default_map_5[i];
        crm_rfm_rule rule = *src;
        if (scale_range(src->r_lo, src->r_hi, bins, &rule.r_lo, &rule.r_hi)
            && scale_range(src->f_lo, src->f_hi, bins, &rule.f_lo, &rule.f_hi)
            && scale_range(src->m_lo, src->m_hi, bins, &rule.m_lo, &rule.m_hi))
            rules[kept++] = rule;
    }
    *count = kept;
    return CRM_OK;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Reads decimal digits into *value (capped so that it cannot overflow; the
 * caller rejects anything above bins).  Returns the end, or NULL without a
 * digit. */
static const char *read_score(const char *p, long *value)
{
    if (*p < '0' || *p > '9')
        return NULL;
    long v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v < 1000000)
            v = v * 10 + (*p - '0');
        p++;
    }
    *value = v;
    return p;
}

crm_status crm_rfm_parse_range(const char *text, int bins, int *lo, int *hi, crm_error *err)
{
    crm_status status = check_bins(bins, err);
    if (status != CRM_OK)
        return status;
    char quoted[64];
    crm_error_quote(quoted, sizeof quoted, text, strlen(text));
    const char *p = skip_spaces(text);
    if (*p == '*' && *skip_spaces(p + 1) == '\0') {
        *lo = 1;
        *hi = bins;
        return CRM_OK;
    }
    long a, b;
    p = read_score(p, &a);
    if (p) {
        p = skip_spaces(p);
        b = a;
        if (*p == '-') {
            p = read_score(skip_spaces(p + 1), &b);
            if (p)
                p = skip_spaces(p);
        }
    }
    if (!p || *p != '\0')
        return crm_error_set(err, CRM_EDATA,
                             "range '%s' is not a score, two scores joined by '-', or '*'",
                             quoted);
    if (a > b)
        return crm_error_set(err, CRM_EDATA, "range '%s' runs backwards (%ld > %ld)", quoted, a,
                             b);
    if (a < 1 || b > bins)
        return crm_error_set(err, CRM_EDATA, "range '%s' goes outside the scores 1..%d", quoted,
                             bins);
    *lo = (int)a;
    *hi = (int)b;
    return CRM_OK;
}

crm_status crm_rfm_parse_rule(const char *name, const char *r, const char *f, const char *m,
                              int bins, crm_rfm_rule *out, crm_error *err)
{
    char quoted[CRM_RFM_NAME_MAX + 16];
    const char *begin = skip_spaces(name);
    size_t len = strlen(begin);
    while (len > 0 && (begin[len - 1] == ' ' || begin[len - 1] == '\t'))
        len--;
    crm_error_quote(quoted, sizeof quoted, begin, len);
    if (len == 0)
        return crm_error_set(err, CRM_EDATA, "the segment name is empty");
    if (len >= CRM_RFM_NAME_MAX)
        return crm_error_set(err, CRM_EDATA, "segment name '%s' is longer than %d bytes", quoted,
                             CRM_RFM_NAME_MAX - 1);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)begin[i] < 0x20 || begin[i] == 0x7f)
            return crm_error_set(err, CRM_EDATA,
                                 "segment name '%s' contains a control character", quoted);
    memset(out->name, 0, sizeof out->name);
    memcpy(out->name, begin, len);
    const char *texts[3] = { r, f, m };
    int *bounds[3][2] = { { &out->r_lo, &out->r_hi }, { &out->f_lo, &out->f_hi },
                          { &out->m_lo, &out->m_hi } };
    static const char axis[3] = { 'r', 'f', 'm' };
    for (int a = 0; a < 3; a++) {
        crm_status status = crm_rfm_parse_range(texts[a], bins, bounds[a][0], bounds[a][1], err);
        if (status != CRM_OK) {
            crm_error_prefix(err, "segment '%s', %c: ", quoted, axis[a]);
            return status;
        }
    }
    return CRM_OK;
}

static int name_is_valid(const crm_rfm_rule *rule)
{
    return rule->name[0] != '\0' && memchr(rule->name, '\0', sizeof rule->name) != NULL;
}

static int range_is_valid(int lo, int hi, int bins)
{
    return lo >= 1 && lo <= hi && hi <= bins;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

crm_status crm_rfm_map_validate(const crm_rfm_rule *rules, size_t count, int bins,
                                crm_error *err)
{
    crm_status status = check_bins(bins, err);
    if (status != CRM_OK)
        return status;
    if (count == 0)
        return crm_error_set(err, CRM_EDATA, "the segment map has no rules");
    for (size_t i = 0; i < count; i++) {
        const crm_rfm_rule *a = &rules[i];
        if (!name_is_valid(a))
            return crm_error_set(err, CRM_EDATA, "rule %zu has an empty or unterminated name",
                                 i + 1);
        const int lo[3] = { a->r_lo, a->f_lo, a->m_lo }, hi[3] = { a->r_hi, a->f_hi, a->m_hi };
        for (int k = 0; k < 3; k++)
            if (!range_is_valid(lo[k], hi[k], bins))
                return crm_error_set(err, CRM_EDATA,
                                     "segment '%s' (rule %zu): %c range %d-%d is not within "
                                     "1..%d with low <= high", a->name, i + 1, "rfm"[k], lo[k],
                                     hi[k], bins);
    }
    for (size_t i = 0; i < count; i++) {
        for (size_t j = i + 1; j < count; j++) {
            const crm_rfm_rule *a = &rules[i], *b = &rules[j];
            if (strcmp(a->name, b->name) == 0)
                continue;   /* one segment drawn with several boxes */
            int r = max_int(a->r_lo, b->r_lo), f = max_int(a->f_lo, b->f_lo);
            int m = max_int(a->m_lo, b->m_lo);
            if (r <= min_int(a->r_hi, b->r_hi) && f <= min_int(a->f_hi, b->f_hi)
                && m <= min_int(a->m_hi, b->m_hi))
                return crm_error_set(err, CRM_EDATA,
                                     "segments '%s' (rule %zu) and '%s' (rule %zu) overlap at "
                                     "r=%d f=%d m=%d", a->name, i + 1, b->name, j + 1, r, f, m);
        }
    }
    return CRM_OK;
}

size_t crm_rfm_segment_names(const crm_rfm_rule *rules, size_t count, const char **names)
{
    size_t used = 0;
    int has_other = 0;
    for (size_t i = 0; i < count; i++) {
        size_t j = 0;
        while (j < used && strcmp(names[j], rules[i].name) != 0)
            j++;
        if (j == used) {
            names[used++] = rules[i].name;
            has_other |= strcmp(rules[i].name, other_name) == 0;
        }
    }
    if (!has_other)
        names[used++] = other_name;
    return used;
}

crm_status crm_rfm_assign(const crm_rfm_rule *rules, size_t count, int bins, const int *r,
                          const int *f, const int *m, size_t n, int *labels, crm_error *err)
{
    crm_status status = check_bins(bins, err);
    if (status != CRM_OK)
        return status;
    const char **names = malloc((count + 1) * sizeof *names);
    int *rule_label = malloc((count + 1) * sizeof *rule_label);
    if (!names || !rule_label) {
        free(names);
        free(rule_label);
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu segment rules", count);
    }
    size_t nnames = crm_rfm_segment_names(rules, count, names);
    int other = 0;
    for (size_t j = 0; j < nnames; j++) {
        if (strcmp(names[j], other_name) == 0)
            other = (int)j;
        for (size_t i = 0; i < count; i++)
            if (strcmp(rules[i].name, names[j]) == 0)
                rule_label[i] = (int)j;
    }
    for (size_t i = 0; i < n && status == CRM_OK; i++) {
        const int s[3] = { r[i], f[i], m[i] };
        for (int k = 0; k < 3; k++) {
            if (s[k] < 1 || s[k] > bins) {
                status = crm_error_set(err, CRM_EDATA, "row %zu: %c_score %d is outside 1..%d",
                                       i + 1, "rfm"[k], s[k], bins);
                break;
            }
        }
        if (status != CRM_OK)
            break;
        labels[i] = other;
        for (size_t j = 0; j < count; j++) {
            const crm_rfm_rule *rule = &rules[j];
            if (s[0] >= rule->r_lo && s[0] <= rule->r_hi && s[1] >= rule->f_lo
                && s[1] <= rule->f_hi && s[2] >= rule->m_lo && s[2] <= rule->m_hi) {
                labels[i] = rule_label[j];
                break;
            }
        }
    }
    free(names);
    free(rule_label);
    return status;
}

/* ==== value tiers ==== */

static const char *const tier_names[CRM_TIER_COUNT] = { "MVC", "MGC", "Standard", "BZ" };

const char *crm_value_tier_name(crm_value_tier tier)
{
    return (unsigned)tier < CRM_TIER_COUNT ? tier_names[tier] : "?";
}

void crm_value_options_init(crm_value_options *opts)
{
    opts->top_share = 0.8;
    opts->top_count = 0;
    opts->growth = 1.5;
    opts->margin = 1.0;
}

typedef struct {
    double v;
    size_t row;
} ranked;

/* Highest value first; the earlier row first among equal values. */
static int compare_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v > b->v ? -1 : 1;
    return a->row < b->row ? -1 : (a->row > b->row ? 1 : 0);
}

/* The checks both ways of labelling tiers share: options and finite inputs. */
static crm_status check_value_inputs(const double *value, const double *predicted, size_t n,
                                     const crm_value_options *opts, crm_error *err)
{
    if (!(opts->growth > 0.0) || !isfinite(opts->growth))
        return crm_error_set(err, CRM_EUSAGE, "the growth factor must be a positive number, "
                             "not %g", opts->growth);
    if (!(opts->margin > 0.0 && opts->margin <= 1.0))
        return crm_error_set(err, CRM_EUSAGE, "the margin must be above 0 and at most 100%%, not %g",
                             opts->margin);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(value[i]))
            return crm_error_set(err, CRM_EDATA, "row %zu: the value is not a finite number (%g)",
                                 i + 1, value[i]);
        if (predicted && !isfinite(predicted[i]))
            return crm_error_set(err, CRM_EDATA,
                                 "row %zu: the predicted value is not a finite number (%g)",
                                 i + 1, predicted[i]);
    }
    return CRM_OK;
}

/* MGC among the Standard customers: predicted grows past the value to date. */
static void mark_growable(const double *value, const double *predicted, size_t n,
                          const crm_value_options *opts, int *labels)
{
    for (size_t i = 0; predicted && i < n; i++)
        if (labels[i] == CRM_TIER_STANDARD && predicted[i] > 0.0
            && predicted[i] > opts->growth * (opts->margin * value[i]))
            labels[i] = CRM_TIER_MGC;
}

crm_status crm_value_tiers_from_cutoff(const double *value, const double *predicted, size_t n,
                                       const crm_value_options *opts, int has_mvc, double cutoff,
                                       const unsigned char *at_cutoff_taken, int *labels,
                                       crm_error *err)
{
    crm_status st = check_value_inputs(value, predicted, n, opts, err);
    if (st != CRM_OK)
        return st;
    const double *rank_by = predicted ? predicted : value;
    for (size_t i = 0; i < n; i++) {
        double v = rank_by[i];
        int mvc = has_mvc && v > 0.0 &&
                  (v > cutoff || (v == cutoff && (!at_cutoff_taken || at_cutoff_taken[i])));
        labels[i] = mvc ? CRM_TIER_MVC : v < 0.0 ? CRM_TIER_BZ : CRM_TIER_STANDARD;
    }
    mark_growable(value, predicted, n, opts, labels);
    return CRM_OK;
}

crm_status crm_value_tiers(const double *value, const double *predicted, size_t n,
                           const crm_value_options *opts, int *labels,
                           crm_value_summary *summary, crm_error *err)
{
    if (!(opts->top_share > 0.0 && opts->top_share <= 1.0))
        return crm_error_set(err, CRM_EUSAGE, "the MVC value share must be above 0 and at most "
                             "100%%, not %g", opts->top_share);
    crm_status st = check_value_inputs(value, predicted, n, opts, err);
    if (st != CRM_OK)
        return st;
    const double *rank_by = predicted ? predicted : value;
    size_t npos = 0;
    for (size_t i = 0; i < n; i++)
        npos += rank_by[i] > 0.0;
    ranked *order = malloc((npos ? npos : 1) * sizeof *order);
    if (!order)
        return crm_error_set(err, CRM_ENOMEM, "out of memory ranking %zu customers", n);
    size_t p = 0;
    for (size_t i = 0; i < n; i++) {
        if (rank_by[i] > 0.0)
            order[p++] = (ranked){ rank_by[i], i };
        labels[i] = rank_by[i] < 0.0 ? CRM_TIER_BZ : CRM_TIER_STANDARD;
    }
    qsort(order, npos, sizeof *order, compare_ranked);

    /* The total is summed in the same order as the running sum, so that
     * taking everyone reaches exactly the total. */
    double total = 0.0;
    for (size_t i = 0; i < npos; i++)
        total += order[i].v;
    double target = opts->top_share * total * (1.0 - 1e-12);
    double taken = 0.0, cutoff = 0.0;
    size_t mvc = 0;
    for (size_t i = 0; i < npos; i++) {
        if (opts->top_count > 0 ? i >= opts->top_count : taken >= target)
            break;
        labels[order[i].row] = CRM_TIER_MVC;
        taken += order[i].v;
        cutoff = order[i].v;
        mvc++;
    }
    size_t last_row = mvc ? order[mvc - 1].row : SIZE_MAX;
    int split = mvc > 0 && mvc < npos && order[mvc].v == cutoff;
    free(order);

    mark_growable(value, predicted, n, opts, labels);
    if (summary) {
        memset(summary, 0, sizeof *summary);
        for (size_t i = 0; i < n; i++)
            summary->count[labels[i]]++;
        summary->positive_total = total;
        summary->mvc_total = taken;
        summary->mvc_cutoff = cutoff;
        summary->mvc_last_row = last_row;
        summary->mvc_cutoff_split = split;
    }
    return CRM_OK;
}

/* ==== lifecycle stages ==== */

static const char *const stage_names[CRM_STAGE_COUNT] = { "new", "growing", "mature",
                                                          "declining", "lapsed", "prospect" };

const char *crm_lifecycle_stage_name(crm_lifecycle_stage stage)
{
    return (unsigned)stage < CRM_STAGE_COUNT ? stage_names[stage] : "?";
}

void crm_lifecycle_options_init(crm_lifecycle_options *opts)
{
    opts->new_days = 90.0;
    opts->mature_days = 365.0;
    opts->declining_days = 180.0;
    opts->lapsed_days = 365.0;
    opts->recent_days = 90.0;
    opts->growing_trend = 1.5;
    opts->declining_trend = 0.5;
    opts->declining_p_alive = 0.5;
    opts->lapsed_p_alive = 0.1;
}

static crm_status check_lifecycle_options(const crm_lifecycle_options *o, crm_error *err)
{
    const struct {
        const char *name;
        double v;
    } all[] = {
        { "new_days", o->new_days },           { "mature_days", o->mature_days },
        { "declining_days", o->declining_days }, { "lapsed_days", o->lapsed_days },
        { "recent_days", o->recent_days },     { "growing_trend", o->growing_trend },
        { "declining_trend", o->declining_trend },
        { "declining_p_alive", o->declining_p_alive },
        { "lapsed_p_alive", o->lapsed_p_alive },
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(all[i].v >= 0.0) || !isfinite(all[i].v))
            return crm_error_set(err, CRM_EUSAGE,
                                 "lifecycle threshold %s must be a finite number >= 0, not %g",
                                 all[i].name, all[i].v);
    if (!(o->recent_days > 0.0))
        return crm_error_set(err, CRM_EUSAGE, "the recent window must be longer than 0 days");
    if (o->new_days > o->mature_days)
        return crm_error_set(err, CRM_EUSAGE, "new_days (%g) is above mature_days (%g)",
                             o->new_days, o->mature_days);
    if (o->declining_days > o->lapsed_days)
        return crm_error_set(err, CRM_EUSAGE, "declining_days (%g) is above lapsed_days (%g)",
                             o->declining_days, o->lapsed_days);
    if (o->declining_trend >= o->growing_trend)
        return crm_error_set(err, CRM_EUSAGE,
                             "declining_trend (%g) must be below growing_trend (%g)",
                             o->declining_trend, o->growing_trend);
    if (o->declining_p_alive > 1.0 || o->lapsed_p_alive > o->declining_p_alive)
        return crm_error_set(err, CRM_EUSAGE,
                             "p_alive thresholds must satisfy lapsed (%g) <= declining (%g) <= 1",
                             o->lapsed_p_alive, o->declining_p_alive);
    return CRM_OK;
}

static crm_status check_lifecycle_row(const crm_lifecycle_input *in, size_t i, crm_error *err)
{
    const struct {
        const char *name;
        const double *v;
    } all[] = {
        { "tenure_days", in->tenure_days },   { "recency_days", in->recency_days },
        { "frequency", in->frequency },       { "recent frequency", in->recent_frequency },
        { "p_alive", in->p_alive },           { "previous frequency", in->previous_frequency },
    };
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        if (all[k].v && (!(all[k].v[i] >= 0.0) || !isfinite(all[k].v[i])))
            return crm_error_set(err, CRM_EDATA, "row %zu: %s must be a finite number >= 0, not %g",
                                 i + 1, all[k].name, all[k].v[i]);
    if (in->recency_days[i] > in->tenure_days[i])
        return crm_error_set(err, CRM_EDATA, "row %zu: recency_days %g is above tenure_days %g",
                             i + 1, in->recency_days[i], in->tenure_days[i]);
    if (in->recent_frequency && in->recent_frequency[i] > in->frequency[i])
        return crm_error_set(err, CRM_EDATA, "row %zu: recent frequency %g is above frequency %g",
                             i + 1, in->recent_frequency[i], in->frequency[i]);
    if (in->recent_frequency && in->previous_frequency &&
        in->recent_frequency[i] + in->previous_frequency[i] > in->frequency[i])
        return crm_error_set(err, CRM_EDATA,
                             "row %zu: recent frequency %g plus previous frequency %g is above frequency %g",
                             i + 1, in->recent_frequency[i], in->previous_frequency[i], in->frequency[i]);
    if (in->p_alive && in->p_alive[i] > 1.0)
        return crm_error_set(err, CRM_EDATA, "row %zu: p_alive %g is above 1", i + 1,
                             in->p_alive[i]);
    return CRM_OK;
}

/* The purchase trend of customer i (see segment.h); 0 when undefined. */
static int lifecycle_trend(const crm_lifecycle_input *in, size_t i,
                           const crm_lifecycle_options *o, double *trend)
{
    if (in->recent_frequency && in->previous_frequency) {
        double recent = in->recent_frequency[i], previous = in->previous_frequency[i];
        if (!(in->tenure_days[i] >= 2.0 * o->recent_days) || (recent == 0.0 && previous == 0.0))
            return 0;
        *trend = previous == 0.0 ? INFINITY : recent / previous;
        return 1;
    }
    if (!in->recent_frequency || !(in->tenure_days[i] > o->recent_days))
        return 0;
    double recent = in->recent_frequency[i];
    double earlier = in->frequency[i] - recent;
    if (recent == 0.0 && earlier == 0.0)
        return 0;
    if (earlier == 0.0) {
        *trend = INFINITY;
        return 1;
    }
    *trend = (recent / o->recent_days) / (earlier / (in->tenure_days[i] - o->recent_days));
    return 1;
}

crm_status crm_lifecycle_assign(const crm_lifecycle_input *in, size_t n,
                                const crm_lifecycle_options *opts, int *labels,
                                crm_error *err)
{
    crm_status status = check_lifecycle_options(opts, err);
    if (status != CRM_OK)
        return status;
    for (size_t i = 0; i < n; i++) {
        if (in->prospect && in->prospect[i]) {
            labels[i] = (int)CRM_STAGE_PROSPECT;
            continue;
        }
        status = check_lifecycle_row(in, i, err);
        if (status != CRM_OK)
            return status;
        double tenure = in->tenure_days[i], recency = in->recency_days[i];
        int has_p = in->p_alive != NULL;
        double p_alive = has_p ? in->p_alive[i] : 1.0;
        double trend = 0.0;
        int has_trend = lifecycle_trend(in, i, opts, &trend);
        crm_lifecycle_stage stage;
        if (recency > opts->lapsed_days || (has_p && p_alive < opts->lapsed_p_alive))
            stage = CRM_STAGE_LAPSED;
        else if (tenure <= opts->new_days)
            stage = CRM_STAGE_NEW;
        else if (recency > opts->declining_days || (has_p && p_alive < opts->declining_p_alive)
                 || (has_trend && trend <= opts->declining_trend))
            stage = CRM_STAGE_DECLINING;
        else if ((has_trend && trend >= opts->growing_trend) || tenure <= opts->mature_days)
            stage = CRM_STAGE_GROWING;
        else
            stage = CRM_STAGE_MATURE;
        labels[i] = (int)stage;
    }
    return CRM_OK;
}

/* ==== profile ==== */

crm_status crm_segment_profile(const int *labels, size_t n, size_t nlabels, const double *value,
                               const double *features, size_t d, crm_segment_stats *stats,
                               double *means, crm_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0 || (size_t)labels[i] >= nlabels)
            return crm_error_set(err, CRM_EUSAGE, "row %zu: segment %d is outside 0..%zu", i + 1,
                                 labels[i], nlabels ? nlabels - 1 : 0);
        if (value && !isfinite(value[i]))
            return crm_error_set(err, CRM_EDATA, "row %zu: the value is not a finite number (%g)",
                                 i + 1, value[i]);
        for (size_t j = 0; features && j < d; j++)
            if (!isfinite(features[i * d + j]))
                return crm_error_set(err, CRM_EDATA,
                                     "row %zu: feature %zu is not a finite number (%g)", i + 1,
                                     j + 1, features[i * d + j]);
    }
    memset(stats, 0, nlabels * sizeof *stats);
    if (features)
        memset(means, 0, nlabels * d * sizeof *means);
    double grand = 0.0;
    for (size_t i = 0; i < n; i++) {
        crm_segment_stats *s = &stats[labels[i]];
        s->customers++;
        if (value) {
            s->value_total += value[i];
            grand += value[i];
        }
        for (size_t j = 0; features && j < d; j++)
            means[(size_t)labels[i] * d + j] += features[i * d + j];
    }
    for (size_t c = 0; c < nlabels; c++) {
        crm_segment_stats *s = &stats[c];
        s->customer_share = n ? (double)s->customers / (double)n : 0.0;
        s->value_share = grand != 0.0 ? s->value_total / grand : 0.0;
        for (size_t j = 0; features && j < d; j++)
            means[c * d + j] = s->customers ? means[c * d + j] / (double)s->customers : NAN;
    }
    return CRM_OK;
}
