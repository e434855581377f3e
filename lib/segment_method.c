/* The segmentation methods behind one call: see include/crm/segment_method.h. */
#include "crm/segment_method.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[CRM_SEGMENT_BY_COUNT] = {"rfm", "value", "lifecycle", "kmeans",
                                                               "loyalty"};

const char *crm_segment_method_name(crm_segment_by by)
{
    return by < CRM_SEGMENT_BY_COUNT ? method_names[by] : "";
}

int crm_segment_method_find(const char *name, size_t len)
{
    for (int m = 0; m < CRM_SEGMENT_BY_COUNT; m++)
        if (strlen(method_names[m]) == len && strncmp(name, method_names[m], len) == 0)
            return m;
    return -1;
}

crm_status crm_segment_method_add(crm_segment_by *by, size_t *count, const char *name, crm_error *err)
{
    int m = crm_segment_method_find(name, strlen(name));
    if (m < 0)
        return crm_error_set(err, CRM_EUSAGE, "wants rfm, value, lifecycle, kmeans or loyalty, got '%s'", name);
    for (size_t i = 0; i < *count; i++)
        if (by[i] == (crm_segment_by)m)
            return crm_error_set(err, CRM_EUSAGE, "%s is given twice", name);
    by[(*count)++] = (crm_segment_by)m;
    return CRM_OK;
}

void crm_segment_settings_init(crm_segment_settings *s)
{
    memset(s, 0, sizeof *s);
    s->bins = 5;
    crm_value_options_init(&s->value);
    crm_lifecycle_options_init(&s->life);
    crm_loyalty_options_init(&s->loyalty);
    crm_kmeans_options_init(&s->km);
    s->km.transform = CRM_KMEANS_TRANSFORM_LOG1P;
    s->k_min = CRM_KMEANS_AUTO_K_MIN;
    s->k_max = CRM_KMEANS_AUTO_K_MAX;
    s->sample = CRM_KMEANS_SILHOUETTE_SAMPLE;
}

void crm_segment_result_free(crm_segment_result *s)
{
    free(s->loyalty);
    free(s->labels);
    free(s->names);
    free(s->number_names);
    free(s->rules);
    free(s->silhouette);
    crm_kmeans_result_free(&s->km);
}

void crm_segment_result_counts(const crm_segment_result *s, size_t n, size_t *counts)
{
    memset(counts, 0, s->nnames * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        counts[s->labels[i]]++;
}

crm_status crm_segment_method_set_map(crm_segment_result *s, int bins, crm_rfm_rule *rules, size_t count,
                                      crm_error *err)
{
    s->rules = rules;
    s->nrules = count;
    if (!rules) {
        if (!(s->rules = malloc(CRM_RFM_DEFAULT_RULES * sizeof *s->rules)))
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        crm_status st = crm_rfm_default_map(bins, s->rules, &s->nrules, err);
        if (st != CRM_OK)
            return st;
    }
    if (!(s->names = malloc((s->nrules + 1) * sizeof *s->names)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    s->nnames = crm_rfm_segment_names(s->rules, s->nrules, s->names);
    return CRM_OK;
}

/* The names of a method whose labels are an enum with a name function. */
static crm_status enum_names(crm_segment_result *s, size_t count, size_t listed, const char *(*name)(int),
                             crm_error *err)
{
    s->nnames = listed;
    if (!(s->names = malloc(count * sizeof *s->names)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t t = 0; t < count; t++)
        s->names[t] = name((int)t);
    return CRM_OK;
}

static const char *tier_name(int t) { return crm_value_tier_name((crm_value_tier)t); }
static const char *stage_name(int t) { return crm_lifecycle_stage_name((crm_lifecycle_stage)t); }
static const char *loyalty_name(int t) { return crm_loyalty_tier_name((crm_loyalty_tier)t); }

static crm_status segment_value(crm_segment_result *s, const crm_segment_data *d, size_t n,
                                const crm_segment_settings *set, crm_error *err)
{
    crm_status st = enum_names(s, CRM_TIER_COUNT, CRM_TIER_COUNT, tier_name, err);
    if (st != CRM_OK)
        return st;
    if (set->saved_value)
        return crm_value_tiers_from_cutoff(d->value, d->predicted, n, &set->value, set->saved_value->has_mvc,
                                           set->saved_value->cutoff, d->at_cutoff_taken, s->labels, err);
    return crm_value_tiers(d->value, d->predicted, n, &set->value, s->labels, &s->value_summary, err);
}

static crm_status segment_lifecycle(crm_segment_result *s, const crm_segment_data *d, size_t n,
                                    const crm_segment_settings *set, crm_error *err)
{
    /* The prospect stage is listed (in a profile) only when there are any. */
    crm_status st = enum_names(s, CRM_STAGE_COUNT, d->nprospects ? CRM_STAGE_COUNT : CRM_STAGE_PROSPECT,
                               stage_name, err);
    if (st != CRM_OK)
        return st;
    crm_lifecycle_input li = {d->tenure, d->recency, d->frequency, d->recent, d->p_alive, d->previous,
                              d->prospect};
    st = crm_lifecycle_assign(&li, n, &set->life, s->labels, err);
    if (st == CRM_EUSAGE)
        crm_error_prefix(err, "lifecycle thresholds: ");
    return st;
}

static crm_status segment_loyalty(crm_segment_result *s, const crm_segment_data *d, size_t n,
                                  const crm_segment_settings *set, crm_error *err)
{
    crm_status st = enum_names(s, CRM_LOYALTY_TIER_COUNT, CRM_LOYALTY_TIER_COUNT, loyalty_name, err);
    if (st != CRM_OK)
        return st;
    if (!(s->loyalty = malloc((n ? n : 1) * sizeof *s->loyalty)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_loyalty_input li = {d->periods, d->gap_cv, d->tenure, d->frequency, d->subjective};
    st = crm_loyalty_assign(&li, n, &set->loyalty, s->loyalty, err);
    for (size_t i = 0; i < n && st == CRM_OK; i++)
        s->labels[i] = s->loyalty[i].tier;
    return st;
}

/* Clusters are named 1..k. */
static crm_status number_names(crm_segment_result *s, size_t k, crm_error *err)
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

static crm_status segment_kmeans(crm_segment_result *s, const crm_segment_data *d, size_t n,
                                 const crm_segment_settings *set, crm_error *err)
{
    const crm_segment_saved_kmeans *m = set->saved_kmeans;
    crm_status st;
    if (m) {
        st = crm_kmeans_assign(d->features, n, m->d, m->transform, m->zscore, m->shift, m->scale, m->centers,
                               m->rank, m->k, d->feature_names, s->labels, err);
        return st == CRM_OK ? number_names(s, m->k, err) : st;
    }
    crm_kmeans_options km = set->km;
    km.feature_names = d->feature_names;
    km.order_feature = d->order_feature;
    s->k_min = set->k_min;
    s->k_max = set->k_max;
    if (set->k_auto) {
        if (!set->k_range_given && s->k_max >= n)
            s->k_max = n > 2 ? n - 1 : 2;   /* the default range, cut to the data */
        if (s->k_max < s->k_min)
            s->k_min = s->k_max;
        if (!(s->silhouette = malloc((s->k_max - s->k_min + 1) * sizeof *s->silhouette)))
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        st = crm_kmeans_auto(d->features, n, d->nfeatures, &km, s->k_min, s->k_max, set->sample, s->silhouette,
                             &s->best_k, &s->km, err);
    } else {
        st = crm_kmeans_fit(d->features, n, d->nfeatures, &km, &s->km, err);
    }
    if (st == CRM_EUSAGE && strstr(err->message, "clusters asked for") != NULL)
        err->status = st = CRM_EDATA;   /* too few customers: about the data */
    if (st != CRM_OK)
        return st;
    memcpy(s->labels, s->km.labels, n * sizeof *s->labels);
    return number_names(s, s->km.k, err);
}

crm_status crm_segment_method_run(crm_segment_result *s, const crm_segment_data *d, size_t n,
                                  const crm_segment_settings *set, crm_error *err)
{
    if (!(s->labels = malloc((n ? n : 1) * sizeof *s->labels)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory for %zu customers", n);
    switch (s->by) {
    case CRM_SEGMENT_BY_RFM:
        return crm_rfm_assign(s->rules, s->nrules, set->bins, d->r, d->f, d->m, n, s->labels, err);
    case CRM_SEGMENT_BY_VALUE:
        return segment_value(s, d, n, set, err);
    case CRM_SEGMENT_BY_LIFECYCLE:
        return segment_lifecycle(s, d, n, set, err);
    case CRM_SEGMENT_BY_LOYALTY:
        return segment_loyalty(s, d, n, set, err);
    case CRM_SEGMENT_BY_KMEANS:
        return segment_kmeans(s, d, n, set, err);
    default:
        return crm_error_set(err, CRM_EUSAGE, "no such segmentation method");
    }
}
