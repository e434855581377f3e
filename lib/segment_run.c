/* One crm-segment run: see include/crm/segment_run.h. */
#include "crm/segment_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/number.h"
#include "crm/segment_map.h"

static int uses(const crm_segment_table_spec *s, crm_segment_by m)
{
    for (size_t i = 0; i < s->nby; i++)
        if (s->by[i] == m)
            return 1;
    return 0;
}

/* The map of each RFM result: read from the file, or the default. */
static crm_status prepare_maps(crm_segment_run *run, crm_error *err)
{
    int bins = run->spec.settings->bins;
    crm_status st = CRM_OK;
    for (size_t s = 0; s < run->nsegs && st == CRM_OK; s++) {
        crm_rfm_rule *rules = NULL;
        size_t count = 0;
        if (run->segs[s].by != CRM_SEGMENT_BY_RFM)
            continue;
        if (run->spec.map_path && (st = crm_segment_map_load(run->spec.map_path, bins, &rules, &count, err)) != CRM_OK)
            free(rules);
        else
            st = crm_segment_method_set_map(&run->segs[s], bins, rules, count, err);
    }
    return st;
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

crm_status crm_segment_run_check(const crm_segment_run_spec *spec, crm_error *err)
{
    const crm_segment_table_spec *t = &spec->table;
    const crm_segment_settings *set = spec->settings;
    int shard = t->shard && t->shard->count;
    if (uses(t, CRM_SEGMENT_BY_KMEANS) && !set->k_auto && set->km.k == 0 && !t->model_file)
        return crm_error_set(err, CRM_EUSAGE, "--by kmeans needs -k N or -k auto");
    if (uses(t, CRM_SEGMENT_BY_LIFECYCLE) && check_lifecycle_order(&set->life, err) != CRM_OK)
        return CRM_EUSAGE;
    if (shard && spec->save_model)
        return crm_error_set(err, CRM_EUSAGE, "--save-model fits on every customer: run it without --shard, "
                             "then label the shards with --model-file");
    for (size_t b = 0; shard && b < t->nby; b++)
        if ((t->by[b] == CRM_SEGMENT_BY_KMEANS || t->by[b] == CRM_SEGMENT_BY_VALUE) && !t->model_file)
            return crm_error_set(err, CRM_EUSAGE, "--shard: --by %s fits on every customer; label a shard with "
                                 "--model-file FILE saved from all of them (--save-model)",
                                 crm_segment_method_name(t->by[b]));
    return CRM_OK;
}

crm_status crm_segment_run_open(crm_segment_run *run, const crm_csv_reader *r, const crm_segment_run_spec *spec,
                                crm_error *err)
{
    memset(run, 0, sizeof *run);
    run->spec = *spec;
    crm_segment_table_spec *t = &run->spec.table;
    const crm_segment_model *m = t->model;
    int value = uses(t, CRM_SEGMENT_BY_VALUE);
    /* a shard keeps its customers by id; so do saved value tiers tied at the cut-off */
    int cutoff_ties = m && value && m->cutoff_customer;
    t->customer_id = (t->shard && t->shard->count) || cutoff_ties ? 2 : spec->save_model != NULL && value;
    t->bins = spec->settings->bins;
    run->nsegs = t->nby;
    for (size_t s = 0; s < t->nby; s++)
        run->segs[s].by = t->by[s];
    crm_status st = crm_segment_table_name_columns(r, run->segs, run->nsegs, err);
    if (st == CRM_OK)
        st = crm_segment_table_open(&run->table, r, t, err);
    if (st == CRM_OK && m && value)
        st = crm_segment_table_check_model(&run->table, r, m, t->model_file, err);
    return st == CRM_OK ? prepare_maps(run, err) : st;
}

crm_status crm_segment_run_read(crm_segment_run *run, crm_csv_reader *r, crm_survey *survey, crm_table_bad_row bad,
                                void *bad_ctx, void (*progress)(void *ctx, uint64_t rows, uint64_t bytes),
                                void *progress_ctx, crm_error *err)
{
    crm_segment_table *t = &run->table;
    const crm_segment_model *m = run->spec.table.model;
    crm_status st = crm_segment_table_read(t, r, bad, bad_ctx, progress, progress_ctx, err);
    if (st == CRM_OK && survey) {
        double *subjective = NULL;
        st = crm_survey_subjective(survey, t->rows, t->id_col, &subjective, err);
        crm_segment_table_set_subjective(t, subjective);
    }
    if (st == CRM_OK && m && m->cutoff_customer && uses(&run->spec.table, CRM_SEGMENT_BY_VALUE))
        st = crm_segment_table_mark_cutoff_ties(t, m->cutoff_customer, err);
    return st;
}

crm_status crm_segment_run_label(crm_segment_run *run, size_t s, const char *input, crm_error *err)
{
    crm_segment_data d;
    crm_segment_table_data(&run->table, &d);
    double started = crm_clock_seconds();
    crm_status st = crm_segment_method_run(&run->segs[s], &d, crm_segment_table_rows(&run->table), run->spec.settings,
                                           err);
    run->seconds[s] = crm_clock_seconds() - started;
    if (st != CRM_OK)
        crm_segment_table_locate_error(&run->table, input, err);
    return st;
}

crm_status crm_segment_run_model(const crm_segment_run *run, const crm_csv_reader *r, crm_segment_model *m,
                                 crm_error *err)
{
    const crm_segment_settings *set = run->spec.settings;
    crm_status st = CRM_OK;
    for (size_t b = 0; b < run->nsegs && st == CRM_OK; b++) {
        const crm_segment_result *seg = &run->segs[b];
        if (seg->by == CRM_SEGMENT_BY_KMEANS)
            st = crm_segment_model_set_kmeans(m, &seg->km, run->table.feature_names, set->km.transform,
                                              set->km.zscore, err);
        else if (seg->by == CRM_SEGMENT_BY_VALUE)
            st = crm_segment_table_model_value(&run->table, r, seg, &set->value, m, err);
    }
    return st;
}

crm_status crm_segment_run_save_model(const crm_segment_run *run, const crm_csv_reader *r, crm_output *out,
                                      crm_error *err)
{
    crm_segment_model m = {0};
    crm_status st = crm_segment_run_model(run, r, &m, err);
    if (st == CRM_OK)
        st = crm_segment_model_write(&m, out, err);
    crm_segment_model_free(&m);
    return st;
}

void crm_segment_run_report_counts(const crm_segment_run *run, crm_report *report)
{
    /* the customers of each segment, grouped by the output column:
     * "segment_rfm": {"Champions": 113, ...}, every name listed, 0 too */
    size_t n = crm_segment_table_rows(&run->table);
    for (size_t s = 0; s < run->nsegs; s++) {
        const crm_segment_result *seg = &run->segs[s];
        size_t *counts = calloc(seg->nnames ? seg->nnames : 1, sizeof *counts);
        if (!counts)
            continue;   /* a few bytes short: the report lacks this group, the files are whole */
        crm_segment_result_counts(seg, n, counts);
        for (size_t c = 0; c < seg->nnames; c++)
            crm_report_set_in(report, seg->column, seg->names[c], counts[c]);
        free(counts);
    }
}

void crm_segment_run_report(const crm_segment_run *run, crm_report *report)
{
    char text[CRM_NUMBER_TEXT_MAX];
    for (size_t s = 0; s < run->nsegs; s++) {
        const crm_kmeans_result *km = &run->segs[s].km;
        if (run->segs[s].by != CRM_SEGMENT_BY_KMEANS || km->k == 0)
            continue;   /* labelled with a saved model: nothing fitted */
        crm_report_set(report, "kmeans_k", km->k);
        crm_double_format(km->inertia, text);
        crm_report_set_text(report, "kmeans_inertia", text);
        crm_report_set(report, "kmeans_iterations", km->iterations);
        crm_double_format_fixed(run->seconds[s], 3, text);
        crm_report_set_text(report, "kmeans_seconds", text);
    }
}

void crm_segment_run_free(crm_segment_run *run)
{
    crm_segment_table_free(&run->table);
    for (size_t s = 0; s < run->nsegs; s++)
        crm_segment_result_free(&run->segs[s]);
    run->nsegs = 0;
}

char *crm_segment_run_counts_text(const crm_segment_result *s, size_t n)
{
    size_t *counts = calloc(s->nnames ? s->nnames : 1, sizeof *counts);
    size_t cap = strlen(crm_segment_method_name(s->by)) + 2;
    for (size_t c = 0; c < s->nnames; c++)
        cap += strlen(s->names[c]) + 24;
    char *text = malloc(cap);
    if (!counts || !text) {
        free(counts);
        free(text);
        return NULL;
    }
    crm_segment_result_counts(s, n, counts);
    size_t len = (size_t)snprintf(text, cap, "%s:", crm_segment_method_name(s->by));
    for (size_t c = 0; c < s->nnames; c++)
        len += (size_t)snprintf(text + len, cap - len, "%s %s %zu", c ? "," : "", s->names[c], counts[c]);
    free(counts);
    return text;
}

enum { LINE_MAX_BYTES = 4096 };

void crm_segment_run_summary(const crm_segment_run *run, const crm_survey *v, crm_segment_run_line line, void *ctx)
{
    size_t n = crm_segment_table_rows(&run->table);
    const crm_loyalty_options *w = &run->spec.settings->loyalty;
    char text[LINE_MAX_BYTES];
    for (size_t s = 0; s < run->nsegs; s++) {
        const crm_segment_result *seg = &run->segs[s];
        char *counts = crm_segment_run_counts_text(seg, n);
        line(ctx, counts ? counts : "out of memory");
        free(counts);
        if (!seg->loyalty)
            continue;
        size_t answered = 0;
        for (size_t i = 0; i < n; i++)
            answered += (size_t)seg->loyalty[i].answered;
        if (!v)
            snprintf(text, sizeof text, "loyalty: objective value alone (no --survey)");
        else
            snprintf(text, sizeof text, "loyalty: %zu of %zu customers with a survey answer (weights objective %g, "
                     "subjective %g); %zu survey row%s for customers not in the table", answered, n,
                     w->objective_weight, w->subjective_weight, v->nrows - v->matched,
                     v->nrows - v->matched == 1 ? "" : "s");
        line(ctx, text);
    }
}

void crm_segment_run_kmeans_lines(const crm_segment_run *run, const crm_segment_result *s, crm_segment_run_line line,
                                  void *ctx)
{
    const crm_segment_settings *set = run->spec.settings;
    const crm_segment_table_spec *t = &run->spec.table;
    char number[CRM_NUMBER_TEXT_MAX], text[LINE_MAX_BYTES];
    if (t->model) {
        snprintf(text, sizeof text, "kmeans: k=%zu from %s", t->model->k, t->model_file);
        line(ctx, text);
        return;
    }
    for (size_t k = s->k_min; set->k_auto && k <= s->k_max; k++) {
        crm_double_format_fixed(s->silhouette[k - s->k_min], 4, number);
        snprintf(text, sizeof text, "kmeans: k=%zu silhouette %s%s", k, number, k == s->best_k ? " (chosen)" : "");
        line(ctx, text);
    }
    crm_double_format(s->km.inertia, number);
    snprintf(text, sizeof text, "kmeans: k=%zu, inertia %s, %u iterations%s, restart %u of %u kept", s->km.k, number,
             s->km.iterations, s->km.converged ? "" : " (not converged)", s->km.best_restart + 1, set->km.restarts);
    line(ctx, text);
}
