#include "crm/rfm_breaks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/number.h"
#include "crm/strtab.h"

void crm_rfm_breakpoints_from_result(crm_rfm_breakpoints *b, const crm_rfm_result *res, const crm_rfm_options *o,
                                     int32_t holdout_end)
{
    memset(b, 0, sizeof *b);
    b->bins = o->bins;
    b->monetary = o->monetary;
    b->as_of = o->as_of;
    b->has_calibration_end = o->has_calibration_end;
    b->calibration_end = o->calibration_end;
    b->holdout_end = o->has_calibration_end ? (o->has_holdout_end ? o->holdout_end : holdout_end) : 0;
    b->customers = res->count;
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++) {
        b->from_quantiles[d] = res->from_quantiles[d];
        b->has_breaks[d] = res->breaks[d] != NULL;
        if (res->breaks[d])
            memcpy(b->breaks[d], res->breaks[d], (size_t)(o->bins - 1) * sizeof b->breaks[d][0]);
    }
}

void crm_rfm_breakpoints_apply(const crm_rfm_breakpoints *b, crm_rfm_options *o)
{
    o->bins = b->bins;
    o->monetary = b->monetary;
    o->as_of = b->as_of;
    o->has_calibration_end = b->has_calibration_end;
    o->calibration_end = b->calibration_end;
    o->has_holdout_end = b->has_calibration_end;
    o->holdout_end = b->holdout_end;
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++) {
        o->breaks[d] = b->has_breaks[d] ? b->breaks[d] : NULL;
        o->breaks_from_quantiles[d] = b->from_quantiles[d];
    }
}

crm_status crm_rfm_breaks_parse(char dimension, const char *text, int bins, double **out, crm_error *err)
{
    size_t want = (size_t)bins - 1, got = 0;
    double *b = malloc(want * sizeof *b);
    *out = b;
    if (!b)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    int ok = 1;
    for (const char *p = text; ok; got++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        ok = got < want && crm_parse_double(p, len, NULL, &b[got]) == CRM_OK && isfinite(b[got]) &&
             (got == 0 || b[got] >= b[got - 1]);
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!ok || got + 1 != want)
        return crm_error_set(err, CRM_EUSAGE, "--breaks %c= wants %zu numbers in increasing order (ties allowed) "
                             "for --bins %d, got '%s'", dimension, want, bins, text);
    return CRM_OK;
}

/* ---- counts of values ---- */

/* Per dimension the distinct values, interned by their 8 bytes (the
 * string table gives each a dense id), and the customers of each. */
typedef struct {
    crm_strtab *ids;
    uint64_t *counts;
    size_t cap;
    uint64_t total;
} value_counts;

struct crm_rfm_values {
    value_counts dim[CRM_RFM_DIMENSIONS];
};

crm_status crm_rfm_values_new(crm_rfm_values **out, crm_error *err)
{
    crm_rfm_values *v = calloc(1, sizeof *v);
    for (int d = 0; v && d < CRM_RFM_DIMENSIONS; d++)
        if (!(v->dim[d].ids = crm_strtab_new(1024))) {
            crm_rfm_values_free(v);
            v = NULL;
        }
    if (!v)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    *out = v;
    return CRM_OK;
}

void crm_rfm_values_free(crm_rfm_values *v)
{
    if (!v)
        return;
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++) {
        crm_strtab_free(v->dim[d].ids);
        free(v->dim[d].counts);
    }
    free(v);
}

crm_status crm_rfm_values_add(crm_rfm_values *v, crm_rfm_dimension d, double value, crm_error *err)
{
    value_counts *c = &v->dim[d];
    if (!isfinite(value))
        return crm_error_set(err, CRM_EUSAGE, "a value to score must be finite");
    if (value == 0)
        value = 0;   /* -0 and 0 are one value */
    uint32_t id;
    int added = crm_strtab_intern(c->ids, (const char *)&value, sizeof value, &id);
    if (added < 0)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (id >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        uint64_t *grown = realloc(c->counts, cap * sizeof *grown);
        if (!grown)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        memset(grown + c->cap, 0, (cap - c->cap) * sizeof *grown);
        c->counts = grown;
        c->cap = cap;
    }
    c->counts[id]++;
    c->total++;
    return CRM_OK;
}

uint64_t crm_rfm_values_total(const crm_rfm_values *v, crm_rfm_dimension d)
{
    return v->dim[d].total;
}

size_t crm_rfm_values_distinct(const crm_rfm_values *v, crm_rfm_dimension d)
{
    return crm_strtab_count(v->dim[d].ids);
}

typedef struct {
    double value;
    uint64_t count;
} counted_value;

static int compare_counted(const void *pa, const void *pb)
{
    double x = ((const counted_value *)pa)->value, y = ((const counted_value *)pb)->value;
    return (x > y) - (x < y);
}

/* The value at 0-based rank of the sorted list, walking forward from *at
 * (ranks asked for never decrease); *below: customers before sorted[*at]. */
static double value_at(const counted_value *sorted, size_t *at, uint64_t *below, uint64_t rank)
{
    while (*below + sorted[*at].count <= rank) {
        *below += sorted[*at].count;
        (*at)++;
    }
    return sorted[*at].value;
}

crm_status crm_rfm_values_breaks(const crm_rfm_values *v, crm_rfm_dimension d, int bins, double offset,
                                 double *breaks, crm_error *err)
{
    const value_counts *c = &v->dim[d];
    size_t n = crm_strtab_count(c->ids);
    if (c->total == 0 || bins < CRM_RFM_MIN_BINS)
        return crm_error_set(err, CRM_EUSAGE, "no values to compute breakpoints from");
    counted_value *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t len;
        memcpy(&sorted[i].value, crm_strtab_get(c->ids, (uint32_t)i, &len), sizeof sorted[i].value);
        sorted[i].value += offset;
        sorted[i].count = c->counts[i];
    }
    qsort(sorted, n, sizeof *sorted, compare_counted);
    /* crm_rfm_quantile_breaks, with x[k] the value of rank k: the same
     * whole-number h and the same expression, so the same doubles. */
    size_t at = 0;
    uint64_t below = 0;
    for (int j = 1; j < bins; j++) {
        uint64_t scaled = (c->total - 1) * (uint64_t)j;
        uint64_t lo = scaled / (uint64_t)bins, rem = scaled % (uint64_t)bins;
        double x_lo = value_at(sorted, &at, &below, lo);
        if (rem == 0) {
            breaks[j - 1] = x_lo;
            continue;
        }
        size_t at_hi = at;
        uint64_t below_hi = below;
        double x_hi = value_at(sorted, &at_hi, &below_hi, lo + 1);
        breaks[j - 1] = x_lo + (double)rem / bins * (x_hi - x_lo);
    }
    free(sorted);
    return CRM_OK;
}

/* ---- breakpoints from customers streamed one at a time ---- */

struct crm_rfm_breaks_builder {
    crm_rfm_options o;
    int as_of_known;
    crm_rfm_values *values;
};

crm_status crm_rfm_breaks_builder_new(crm_rfm_breaks_builder **out, const crm_rfm_options *o, int as_of_known,
                                      crm_error *err)
{
    if (o->bins < CRM_RFM_MIN_BINS || o->bins > CRM_RFM_MAX_SCORE_BINS)
        return crm_error_set(err, CRM_EUSAGE, "the number of bins must lie in %d..%d, got %d",
                             CRM_RFM_MIN_BINS, CRM_RFM_MAX_SCORE_BINS, o->bins);
    crm_rfm_breaks_builder *b = calloc(1, sizeof *b);
    if (!b)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    b->o = *o;
    b->as_of_known = as_of_known || o->has_calibration_end;
    crm_status st = crm_rfm_values_new(&b->values, err);
    if (st != CRM_OK) {
        free(b);
        return st;
    }
    *out = b;
    return CRM_OK;
}

void crm_rfm_breaks_builder_free(crm_rfm_breaks_builder *b)
{
    if (!b)
        return;
    crm_rfm_values_free(b->values);
    free(b);
}

crm_status crm_rfm_breaks_builder_add(crm_rfm_breaks_builder *b, const crm_rfm_customer *row, crm_error *err)
{
    /* recency = as_of - last_day: by -last_day until as_of is known */
    double recency = b->as_of_known ? (double)row->recency_days : -(double)row->last_day;
    crm_decimal m = b->o.monetary == CRM_RFM_SCORE_PROFIT ? row->profit : row->monetary;
    crm_status st = crm_rfm_values_add(b->values, CRM_RFM_R, recency, err);
    if (st == CRM_OK)
        st = crm_rfm_values_add(b->values, CRM_RFM_F, (double)row->frequency, err);
    if (st == CRM_OK)
        st = crm_rfm_values_add(b->values, CRM_RFM_M, crm_decimal_to_double(m), err);
    return st;
}

crm_status crm_rfm_breaks_builder_finish(crm_rfm_breaks_builder *b, int has_last_day, int32_t last_day,
                                         crm_rfm_breakpoints *out, crm_error *err)
{
    const crm_rfm_options *o = &b->o;
    memset(out, 0, sizeof *out);
    out->bins = o->bins;
    out->monetary = o->monetary;
    /* the default of one process: the day after the last purchase, 0 without any */
    out->as_of = b->as_of_known ? o->as_of : has_last_day ? last_day + 1 : 0;
    out->has_calibration_end = o->has_calibration_end;
    out->calibration_end = o->calibration_end;
    if (o->has_calibration_end)
        out->holdout_end = o->has_holdout_end ? o->holdout_end : has_last_day ? last_day : o->calibration_end;
    out->customers = crm_rfm_values_total(b->values, CRM_RFM_F);
    size_t nb = (size_t)o->bins - 1;
    crm_status st = CRM_OK;
    for (int d = 0; d < CRM_RFM_DIMENSIONS && st == CRM_OK; d++) {
        out->from_quantiles[d] = o->breaks[d] == NULL || o->breaks_from_quantiles[d];
        if (o->breaks[d]) {
            memcpy(out->breaks[d], o->breaks[d], nb * sizeof out->breaks[d][0]);
            out->has_breaks[d] = 1;
        } else if (out->customers) {
            double offset = d == CRM_RFM_R && !b->as_of_known ? (double)out->as_of : 0.0;
            st = crm_rfm_values_breaks(b->values, (crm_rfm_dimension)d, o->bins, offset, out->breaks[d], err);
            out->has_breaks[d] = 1;
        }
    }
    return st;
}
