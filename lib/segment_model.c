#include "crm/segment_model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/number.h"

void crm_segment_model_free(crm_segment_model *m)
{
    if (!m)
        return;
    for (size_t j = 0; m->features && j < m->d; j++)
        free(m->features[j]);
    free(m->features);
    free(m->shift);
    free(m->scale);
    free(m->centers);
    free(m->rank);
    free(m->value_column);
    free(m->predicted_column);
    free(m->cutoff_customer);
    memset(m, 0, sizeof *m);
}

/* ---- writing ---- */

typedef struct {
    char *text;
    size_t len, cap;
    int failed;
} text_buffer;

static void put(text_buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text_buffer *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->failed || need < 0 || !crm_array_reserve(&b->text, &b->cap, b->len + (size_t)need + 1, 1)) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->text + b->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

static void put_number(text_buffer *b, const char *before, double v)
{
    char num[CRM_NUMBER_TEXT_MAX];
    crm_double_format(v, num);
    put(b, "%s%s", before, num);
}

static void put_list(text_buffer *b, const char *key, const double *v, size_t count)
{
    put(b, "%s=", key);
    for (size_t j = 0; j < count; j++)
        put_number(b, j ? "," : "", v[j]);
    put(b, "\n");
}

static int one_line(const char *s)
{
    return s && *s && !strpbrk(s, "\r\n");
}

crm_status crm_segment_model_format(const crm_segment_model *m, char **text, size_t *len,
                                    crm_error *err)
{
    text_buffer b = {0};
    *text = NULL;
    *len = 0;
    put(&b, "# crm-segment model (crm-segment(1), --model-file)\nformat=%s\n",
        CRM_SEGMENT_MODEL_FORMAT);
    if (m->has_kmeans) {
        for (size_t j = 0; j < m->d; j++) {
            if (!one_line(m->features[j])) {
                free(b.text);
                return crm_error_set(err, CRM_EUSAGE, "feature %zu: a model cannot save an empty "
                                     "column name or one with a line break", j + 1);
            }
            put(&b, "kmeans.feature=%s\n", m->features[j]);
        }
        put(&b, "kmeans.transform=%s\n",
            m->transform == CRM_KMEANS_TRANSFORM_LOG1P ? "log1p" : "none");
        put(&b, "kmeans.zscore=%d\n", m->zscore ? 1 : 0);
        put_list(&b, "kmeans.shift", m->shift, m->d);
        put_list(&b, "kmeans.scale", m->scale, m->d);
        put(&b, "kmeans.k=%zu\n", m->k);
        /* One line per centre in the fitted run's order, which decides
         * equal distances; the first number is the cluster it is. */
        for (size_t c = 0; c < m->k; c++) {
            put(&b, "kmeans.center=%zu", m->rank[c] + 1);
            for (size_t j = 0; j < m->d; j++)
                put_number(&b, ",", m->centers[c * m->d + j]);
            put(&b, "\n");
        }
    }
    if (m->has_value) {
        if (!one_line(m->value_column) || (m->predicted_column && !one_line(m->predicted_column)) ||
            (m->cutoff_customer && strpbrk(m->cutoff_customer, "\r\n"))) {
            free(b.text);
            return crm_error_set(err, CRM_EUSAGE, "value tiers: a model cannot save a column name "
                                 "or customer id with a line break");
        }
        put(&b, "value.value=%s\n", m->value_column);
        put(&b, "value.predicted=%s\n", m->predicted_column ? m->predicted_column : "");
        put_number(&b, "value.growth=", m->growth);
        put_number(&b, "\nvalue.margin=", m->margin);
        put(&b, "\nvalue.mvc=%d\n", m->has_mvc ? 1 : 0);
        if (m->has_mvc) {
            put_number(&b, "value.cutoff=", m->mvc_cutoff);
            put(&b, "\n");
            if (m->cutoff_customer)
                put(&b, "value.cutoff_customer=%s\n", m->cutoff_customer);
        }
    }
    if (b.failed) {
        free(b.text);
        return crm_error_set(err, CRM_ENOMEM, "out of memory writing the model");
    }
    *text = b.text;
    *len = b.len;
    return CRM_OK;
}

/* ---- reading ---- */

typedef struct {
    unsigned long line;
    crm_error *err;
} place;

/* A message about line p->line of the model: "N: what". */
__attribute__((format(printf, 2, 3)))
static crm_status bad(const place *p, const char *fmt, ...)
{
    crm_error_set(p->err, CRM_EDATA, "%lu: ", p->line);
    size_t used = strlen(p->err->message);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message + used, sizeof p->err->message - used, fmt, ap);
    va_end(ap);
    return CRM_EDATA;
}

static crm_status read_number(const place *p, const char *key, const char *s, size_t len,
                              double *out)
{
    char text[128];
    if (len >= sizeof text ||
        crm_parse_double(s, len, NULL, out) != CRM_OK || !isfinite(*out)) {
        snprintf(text, sizeof text, "%.*s", (int)(len < sizeof text ? len : sizeof text - 1), s);
        return bad(p, "%s: cannot read '%.64s' as a number", key, text);
    }
    return CRM_OK;
}

/* Reads exactly count comma-separated numbers. */
static crm_status read_numbers(const place *p, const char *key, const char *value, double *out,
                               size_t count)
{
    const char *s = value;
    for (size_t j = 0; j < count; j++) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if ((j + 1 < count) != (comma != NULL))
            return bad(p, "%s: expected one number per feature, got '%.64s'", key, value);
        crm_status st = read_number(p, key, s, len, &out[j]);
        if (st != CRM_OK)
            return st;
        s = comma ? comma + 1 : s + len;
    }
    return CRM_OK;
}

static crm_status read_whole(const place *p, const char *key, const char *value, size_t lo,
                             size_t hi, size_t *out)
{
    int64_t v;
    if (crm_parse_int64(value, strlen(value), &v) != CRM_OK || v < (int64_t)lo || (uint64_t)v > hi)
        return bad(p, "%s: expected a whole number in range, got '%.64s'", key, value);
    *out = (size_t)v;
    return CRM_OK;
}

static char *copy(const char *s)
{
    size_t len = strlen(s);
    char *c = malloc(len + 1);
    if (c)
        memcpy(c, s, len + 1);
    return c;
}

enum { SEEN_FORMAT, SEEN_TRANSFORM, SEEN_ZSCORE, SEEN_SHIFT, SEEN_SCALE, SEEN_K, SEEN_VALUE,
       SEEN_PREDICTED, SEEN_GROWTH, SEEN_MARGIN, SEEN_MVC, SEEN_CUTOFF, SEEN_CUTOFF_CUSTOMER,
       SEEN_COUNT };
static const char *const single_keys[SEEN_COUNT] = {
    "format", "kmeans.transform", "kmeans.zscore", "kmeans.shift", "kmeans.scale", "kmeans.k",
    "value.value", "value.predicted", "value.growth", "value.margin", "value.mvc", "value.cutoff",
    "value.cutoff_customer"};

typedef struct {
    crm_segment_model *m;
    int seen[SEEN_COUNT];
    char *shift_text, *scale_text;   /* read once the features are known */
    char **center_text;              /* one per kmeans.center line */
    unsigned long *center_line, shift_line, scale_line;
    size_t ncenters, centers_cap, center_lines_cap, features_cap;
} reading;

static void reading_free(reading *r)
{
    free(r->shift_text);
    free(r->scale_text);
    for (size_t c = 0; c < r->ncenters; c++)
        free(r->center_text[c]);
    free(r->center_text);
    free(r->center_line);
}

static crm_status take_line(reading *r, const place *p, const char *key, const char *value)
{
    crm_segment_model *m = r->m;
    crm_error *err = p->err;
    if (strcmp(key, "kmeans.feature") == 0 || strcmp(key, "kmeans.center") == 0) {
        int feature = key[7] == 'f';
        if (!*value)
            return bad(p, "%s: empty value", key);
        char *c = copy(value);
        if (!c)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        m->has_kmeans = 1;
        if (feature) {
            if (!crm_array_reserve(&m->features, &r->features_cap, m->d + 1, sizeof *m->features)) {
                free(c);
                return crm_error_set(err, CRM_ENOMEM, "out of memory");
            }
            m->features[m->d++] = c;
            return CRM_OK;
        }
        if (!crm_array_reserve(&r->center_text, &r->centers_cap, r->ncenters + 1,
                               sizeof *r->center_text) ||
            !crm_array_reserve(&r->center_line, &r->center_lines_cap, r->ncenters + 1,
                               sizeof *r->center_line)) {
            free(c);
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        }
        r->center_line[r->ncenters] = p->line;
        r->center_text[r->ncenters++] = c;
        return CRM_OK;
    }
    int which = 0;
    while (which < SEEN_COUNT && strcmp(key, single_keys[which]) != 0)
        which++;
    if (which == SEEN_COUNT)
        return bad(p, "unknown key '%.64s'", key);
    if (r->seen[which])
        return bad(p, "%s is given twice", key);
    if (which != SEEN_FORMAT && !r->seen[SEEN_FORMAT])
        return bad(p, "the first setting must be format=" CRM_SEGMENT_MODEL_FORMAT ", not %s", key);
    r->seen[which] = 1;
    if (strncmp(key, "kmeans.", 7) == 0)
        m->has_kmeans = 1;
    else if (which != SEEN_FORMAT)
        m->has_value = 1;
    size_t whole = 0;
    crm_status st = CRM_OK;
    switch (which) {
    case SEEN_FORMAT:
        if (strcmp(value, CRM_SEGMENT_MODEL_FORMAT) != 0)
            return bad(p, "%s: expected '" CRM_SEGMENT_MODEL_FORMAT "', got '%.64s'", key, value);
        return CRM_OK;
    case SEEN_TRANSFORM:
        if (strcmp(value, "log1p") != 0 && strcmp(value, "none") != 0)
            return bad(p, "%s: expected log1p or none, got '%.64s'", key, value);
        m->transform = value[0] == 'l' ? CRM_KMEANS_TRANSFORM_LOG1P : CRM_KMEANS_TRANSFORM_NONE;
        return CRM_OK;
    case SEEN_ZSCORE:
    case SEEN_MVC:
        if ((st = read_whole(p, key, value, 0, 1, &whole)) == CRM_OK) {
            if (which == SEEN_ZSCORE)
                m->zscore = (int)whole;
            else
                m->has_mvc = (int)whole;
        }
        return st;
    case SEEN_SHIFT:
    case SEEN_SCALE: {
        char *c = copy(value);
        if (!c)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        *(which == SEEN_SHIFT ? &r->shift_text : &r->scale_text) = c;
        *(which == SEEN_SHIFT ? &r->shift_line : &r->scale_line) = p->line;
        return CRM_OK;
    }
    case SEEN_K:
        return read_whole(p, key, value, 1, 1000000, &m->k);
    case SEEN_VALUE:
    case SEEN_PREDICTED:
    case SEEN_CUTOFF_CUSTOMER: {
        if (which == SEEN_VALUE && !*value)
            return bad(p, "%s: empty column name", key);
        if (which == SEEN_PREDICTED && !*value)
            return CRM_OK;   /* ranked by the value to date */
        char *c = copy(value);
        if (!c)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        *(which == SEEN_VALUE ? &m->value_column
                              : which == SEEN_PREDICTED ? &m->predicted_column : &m->cutoff_customer) = c;
        return CRM_OK;
    }
    case SEEN_GROWTH:
        if ((st = read_number(p, key, value, strlen(value), &m->growth)) == CRM_OK && !(m->growth > 0))
            return bad(p, "%s: the growth factor must be above 0, got '%.64s'", key, value);
        return st;
    case SEEN_MARGIN:
        if ((st = read_number(p, key, value, strlen(value), &m->margin)) == CRM_OK &&
            !(m->margin > 0 && m->margin <= 1))
            return bad(p, "%s: the margin must be above 0 and at most 1, got '%.64s'", key, value);
        return st;
    default: /* SEEN_CUTOFF */
        if ((st = read_number(p, key, value, strlen(value), &m->mvc_cutoff)) == CRM_OK &&
            !(m->mvc_cutoff > 0))
            return bad(p, "%s: the MVC cut-off must be above 0, got '%.64s'", key, value);
        return st;
    }
}

static crm_status missing(crm_error *err, const char *key)
{
    return crm_error_set(err, CRM_EDATA, "%s is missing", key);
}

/* The k-means part, once every line is read. */
static crm_status finish_kmeans(reading *r, crm_error *err)
{
    crm_segment_model *m = r->m;
    static const int need[] = {SEEN_TRANSFORM, SEEN_ZSCORE, SEEN_SHIFT, SEEN_SCALE, SEEN_K};
    if (m->d == 0)
        return missing(err, "kmeans.feature");
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!r->seen[need[i]])
            return missing(err, single_keys[need[i]]);
    if (r->ncenters != m->k)
        return crm_error_set(err, CRM_EDATA, "kmeans.k is %zu, but there are %zu kmeans.center lines",
                             m->k, r->ncenters);
    size_t d = m->d, k = m->k;
    m->shift = malloc(d * sizeof *m->shift);
    m->scale = malloc(d * sizeof *m->scale);
    m->centers = malloc(k * d * sizeof *m->centers);
    m->rank = malloc(k * sizeof *m->rank);
    double *row = malloc((d + 1) * sizeof *row);
    if (!m->shift || !m->scale || !m->centers || !m->rank || !row) {
        free(row);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    place p = {r->shift_line, err};
    crm_status st = read_numbers(&p, "kmeans.shift", r->shift_text, m->shift, d);
    p.line = r->scale_line;
    if (st == CRM_OK)
        st = read_numbers(&p, "kmeans.scale", r->scale_text, m->scale, d);
    for (size_t j = 0; st == CRM_OK && j < d; j++)
        if (!(m->scale[j] > 0))
            st = bad(&p, "%s: every deviation must be above 0, got '%.64s'", "kmeans.scale", r->scale_text);
    unsigned char *used = calloc(k, 1);
    if (!used && st == CRM_OK)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t c = 0; st == CRM_OK && c < k; c++) {
        p.line = r->center_line[c];
        st = read_numbers(&p, "kmeans.center", r->center_text[c], row, d + 1);
        if (st == CRM_OK && !(row[0] >= 1 && row[0] <= (double)k && row[0] == floor(row[0])))
            st = bad(&p, "%s: the first number must be the cluster, 1..k, in '%.64s'", "kmeans.center",
                     r->center_text[c]);
        if (st == CRM_OK && used[(size_t)row[0] - 1])
            st = bad(&p, "%s: cluster number given twice in '%.64s'", "kmeans.center", r->center_text[c]);
        if (st == CRM_OK) {
            used[(size_t)row[0] - 1] = 1;
            m->rank[c] = (size_t)row[0] - 1;
            memcpy(m->centers + c * d, row + 1, d * sizeof *row);
        }
    }
    free(used);
    free(row);
    return st;
}

static crm_status finish_value(reading *r, crm_error *err)
{
    crm_segment_model *m = r->m;
    static const int need[] = {SEEN_VALUE, SEEN_PREDICTED, SEEN_GROWTH, SEEN_MARGIN, SEEN_MVC};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!r->seen[need[i]])
            return missing(err, single_keys[need[i]]);
    if (m->has_mvc && !r->seen[SEEN_CUTOFF])
        return missing(err, "value.cutoff (value.mvc is 1)");
    if (!m->has_mvc && (r->seen[SEEN_CUTOFF] || r->seen[SEEN_CUTOFF_CUSTOMER]))
        return crm_error_set(err, CRM_EDATA, "value.mvc is 0, so there can be no value.cutoff%s",
                             r->seen[SEEN_CUTOFF] ? "" : "_customer");
    return CRM_OK;
}

crm_status crm_segment_model_parse(const char *text, size_t len, crm_segment_model *m,
                                   crm_error *err)
{
    memset(m, 0, sizeof *m);
    reading r = {.m = m};
    place p = {0, err};
    crm_status st = CRM_OK;
    char *line = malloc(len + 1);
    if (!line)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t at = 0; at < len && st == CRM_OK;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        p.line++;
        memcpy(line, text + at, n);
        line[n] = '\0';
        at += n + (nl != NULL);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (memchr(line, '\0', n)) {
            st = bad(&p, "a NUL byte in the line");
            break;
        }
        if (n == 0 || line[0] == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            st = bad(&p, "expected key=value, got '%.64s'", line);
            break;
        }
        *eq = '\0';
        st = take_line(&r, &p, line, eq + 1);
    }
    free(line);
    if (st == CRM_OK && !r.seen[SEEN_FORMAT])
        st = crm_error_set(err, CRM_EDATA, "not a crm-segment model: no format=" CRM_SEGMENT_MODEL_FORMAT
                           " line");
    if (st == CRM_OK && !m->has_kmeans && !m->has_value)
        st = crm_error_set(err, CRM_EDATA, "the model has neither kmeans nor value settings");
    if (st == CRM_OK && m->has_kmeans)
        st = finish_kmeans(&r, err);
    if (st == CRM_OK && m->has_value)
        st = finish_value(&r, err);
    reading_free(&r);
    return st;
}

/* ---- the file ---- */

static crm_status read_whole_file(const char *path, char **text, size_t *len, crm_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return crm_error_set(err, CRM_EIO, "%s: %s", path, strerror(errno));
    size_t cap = 0;
    int ok = 1;
    *text = NULL;
    *len = 0;
    while (ok) {
        ok = crm_array_reserve(text, &cap, *len + 65536, 1);
        size_t got = ok ? fread(*text + *len, 1, cap - *len, f) : 0;
        *len += got;
        if (got == 0)
            break;
    }
    int failed = !ok || ferror(f);
    fclose(f);
    if (!failed)
        return CRM_OK;
    free(*text);
    *text = NULL;
    return ok ? crm_error_set(err, CRM_EIO, "%s: read failed", path)
              : crm_error_set(err, CRM_ENOMEM, "out of memory reading %s", path);
}

crm_status crm_segment_model_load(const char *path, crm_segment_model *m, crm_error *err)
{
    char *text = NULL;
    size_t len = 0;
    memset(m, 0, sizeof *m);
    crm_status st = read_whole_file(path, &text, &len, err);
    if (st != CRM_OK)
        return st;
    /* line messages start with the number: "path:3: ..."; others "path: ..." */
    if ((st = crm_segment_model_parse(text, len, m, err)) != CRM_OK)
        crm_error_prefix(err, err->message[0] >= '0' && err->message[0] <= '9' ? "%s:" : "%s: ", path);
    free(text);
    return st;
}

crm_status crm_segment_model_write(const crm_segment_model *m, crm_output *out, crm_error *err)
{
    char *text = NULL;
    size_t len = 0;
    crm_status st = crm_segment_model_format(m, &text, &len, err);
    if (st == CRM_OK && crm_output_write(out, text, len) != CRM_OK)
        st = crm_output_status(out, err);
    free(text);
    return st;
}

crm_status crm_segment_model_set_kmeans(crm_segment_model *m, const crm_kmeans_result *res,
                                        const char *const *names, crm_kmeans_transform_kind transform,
                                        int zscore, crm_error *err)
{
    size_t k = res->k, d = res->d;
    m->has_kmeans = 1;
    m->d = d;
    m->k = k;
    m->transform = transform;
    m->zscore = zscore;
    m->features = calloc(d ? d : 1, sizeof *m->features);
    m->shift = malloc((d ? d : 1) * sizeof *m->shift);
    m->scale = malloc((d ? d : 1) * sizeof *m->scale);
    m->centers = malloc((k * d != 0 ? k * d : 1) * sizeof *m->centers);
    m->rank = malloc((k ? k : 1) * sizeof *m->rank);
    int ok = m->features && m->shift && m->scale && m->centers && m->rank;
    for (size_t j = 0; ok && j < d; j++)
        ok = (m->features[j] = copy(names[j])) != NULL;
    if (!ok)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    memcpy(m->shift, res->shift, d * sizeof *m->shift);
    memcpy(m->scale, res->scale, d * sizeof *m->scale);
    memcpy(m->rank, res->rank, k * sizeof *m->rank);
    /* centre c is cluster rank[c]: the file lists them in the fitted
     * run's order, which decides equal distances */
    for (size_t c = 0; c < k; c++)
        memcpy(m->centers + c * d, res->centers + res->rank[c] * d, d * sizeof *m->centers);
    return CRM_OK;
}

crm_status crm_segment_model_set_value(crm_segment_model *m, const crm_value_summary *summary,
                                       const char *value_column, const char *predicted_column,
                                       double growth, double margin, const char *customer, crm_error *err)
{
    m->has_value = 1;
    m->growth = growth;
    m->margin = margin;
    m->has_mvc = summary->mvc_last_row != SIZE_MAX;
    m->mvc_cutoff = summary->mvc_cutoff;
    m->value_column = copy(value_column);
    m->predicted_column = predicted_column ? copy(predicted_column) : NULL;
    m->cutoff_customer = customer ? copy(customer) : NULL;
    if (!m->value_column || (predicted_column && !m->predicted_column) || (customer && !m->cutoff_customer))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

void crm_segment_model_settings(const crm_segment_model *m, crm_segment_settings *set)
{
    if (m->has_kmeans) {
        set->kmeans_storage = (crm_segment_saved_kmeans){m->k, m->d, m->transform, m->zscore, m->shift, m->scale,
                                                         m->centers, m->rank};
        set->saved_kmeans = &set->kmeans_storage;
    }
    if (m->has_value) {
        set->value_storage = (crm_segment_saved_value){m->has_mvc, m->mvc_cutoff};
        set->saved_value = &set->value_storage;
        set->value.growth = m->growth;
        set->value.margin = m->margin;
    }
}

crm_status crm_segment_model_check_methods(const crm_segment_model *m, const crm_segment_by *by, size_t nby,
                                           const char *path, crm_error *err)
{
    for (size_t b = 0; b < nby; b++)
        if ((by[b] == CRM_SEGMENT_BY_KMEANS && !m->has_kmeans) || (by[b] == CRM_SEGMENT_BY_VALUE && !m->has_value))
            return crm_error_set(err, CRM_EDATA, "%s: the model has no %s settings (save it with --by %s --save-model)",
                                 path, crm_segment_method_name(by[b]), crm_segment_method_name(by[b]));
    return CRM_OK;
}
