/* The segment profile: see include/crm/segment_profile.h. */
#include "crm/segment_profile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/segment.h"
#include "crm/sort.h"
#include "crm/strtab.h"

/* ---- numbers people read: one format per column ----
 *
 * Money (value_total and the value cells of a cross-tab) is the exact
 * decimal sum, written with the value column's scale: the most decimals
 * any value has (a total of 10 beside one of 120.25 is 10.00).  Without
 * exact values it is the double sum rounded to 2 decimals.  Shares and
 * means are rounded to CRM_SEGMENT_PROFILE_DIGITS significant digits,
 * written without exponent and without trailing zeros. */

static crm_decimal zero_money(const crm_segment_table *in)
{
    return (crm_decimal){0, in->value_scale};
}

static crm_status write_money(crm_csv_writer *w, crm_decimal v)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    return crm_csv_write_field(w, buf, crm_decimal_format(v, buf));
}

static crm_status write_money_double(crm_csv_writer *w, double v)
{
    return crm_csv_write_fixed(w, v, 2);
}

/* Shares and means: readable (CRM_SEGMENT_PROFILE_DIGITS significant
 * digits) or, with --precision full, every digit. */
static crm_status write_rounded(crm_csv_writer *w, double v)
{
    return crm_csv_write_readable(w, v);
}

/* Exact per-segment totals when every value is an exact decimal that adds
 * up without overflow; else 0 and the double totals are printed. */
static int exact_totals(const crm_segment_table *in, const crm_segment_result *s, size_t n, crm_decimal *totals)
{
    if (!in->value_is_exact || in->col[CRM_SEGMENT_COL_VALUE] < 0)
        return 0;
    for (size_t c = 0; c < s->nnames; c++)
        totals[c] = zero_money(in);
    for (size_t i = 0; i < n; i++)
        if (crm_decimal_add(totals[s->labels[i]], in->value_exact[i], &totals[s->labels[i]]) != CRM_OK)
            return 0;
    return 1;
}

/* The model's view beside the segment: where RFM says Lost and p_alive says
 * alive, the two disagree, and the profile shows it.  Empty for an empty
 * segment. */
static void write_mean_p_alive(crm_csv_writer *w, const crm_segment_table *in, const crm_segment_result *s, size_t n,
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
        write_rounded(w, sum / (double)count);
    else
        crm_csv_write_field(w, "", 0);
}

static crm_status write_profile_rows(crm_csv_writer *w, const crm_segment_table *in, const crm_segment_result *s,
                                     size_t n, crm_error *err)
{
    size_t d = in->nfeatures;
    int has_value = in->col[CRM_SEGMENT_COL_VALUE] >= 0;
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
        crm_csv_write_field(w, crm_segment_method_name(s->by), (size_t)-1);
        crm_csv_write_field(w, s->names[c], (size_t)-1);
        crm_csv_write_int(w, (int64_t)stats[c].customers);
        write_rounded(w, stats[c].customer_share);
        if (!has_value) {
            crm_csv_write_field(w, "", 0);
            crm_csv_write_field(w, "", 0);
        } else {
            if (exact) {
                write_money(w, totals[c]);
            } else {
                write_money_double(w, stats[c].value_total);
            }
            write_rounded(w, stats[c].value_share);
        }
        for (size_t j = 0; j < d; j++) {
            if (stats[c].customers)
                write_rounded(w, means[c * d + j]);
            else
                crm_csv_write_field(w, "", 0);
        }
        if (in->col[CRM_SEGMENT_COL_P_ALIVE] >= 0)
            write_mean_p_alive(w, in, s, n, c);
        if (crm_csv_end_row(w) != CRM_OK)
            st = crm_error_set(err, CRM_EIO, "cannot write the profile");
    }
    free(stats);
    free(means);
    free(totals);
    return st;
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

/* Renumbers the groups by the rank of their tuples. */
static crm_status rank_groups(grouping *g, size_t n, crm_error *err)
{
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
    for (size_t i = 0; i < n; i++)
        g->group[i] = rank[g->group[i]];
    free(rank);
    return CRM_OK;
}

static crm_status build_grouping(grouping *g, const char *spec, const crm_csv_reader *r,
                                 const crm_customers_rows *rows, crm_error *err)
{
    char list[1024];
    size_t n = crm_customers_rows_count(rows);
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
    g->group = malloc((n ? n : 1) * sizeof *g->group);
    char *key = NULL;
    size_t key_cap = 0;
    for (size_t i = 0; g->tuples && g->group && i < n; i++) {
        size_t len = 0;
        for (size_t k = 0; k < g->ncols; k++) {
            size_t field_len;
            const char *field = crm_customers_rows_field(rows, i, (size_t)g->cols[k], &field_len);
            uint32_t flen = (uint32_t)field_len;
            if (!crm_array_reserve(&key, &key_cap, len + sizeof flen + flen, 1)) {
                free(key);
                return crm_error_set(err, CRM_ENOMEM, "out of memory");
            }
            memcpy(key + len, &flen, sizeof flen);
            if (flen)
                memcpy(key + len + sizeof flen, field, flen);
            len += sizeof flen + flen;
        }
        if (crm_strtab_intern(g->tuples, key, len, &g->group[i]) < 0)
            break;
    }
    free(key);
    if (!g->tuples || !g->group)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return rank_groups(g, n, err);
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

static crm_status count_cells(const crm_segment_table *in, const crm_segment_result *s, const grouping *g, size_t n, cells *c,
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
    int has_value = in->col[CRM_SEGMENT_COL_VALUE] >= 0;
    crm_status st = crm_segment_profile(c->labels, n, c->nlabels, has_value ? in->value : NULL,
                                        d ? in->features : NULL, d, c->stats, c->means, err);
    c->exact = 0;
    if (st == CRM_OK && has_value && in->value_is_exact) {
        c->exact = 1;
        for (size_t k = 0; k < c->nlabels; k++)
            c->totals[k] = zero_money(in);
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
        write_money(w, c->totals[k]);
    } else {
        write_money_double(w, c->stats[k].value_total);
    }
}

/* by, segment, COL..., customers, customer_share, segment_share, value_total,
 * value_share, mean_...: one row per segment and group that has customers. */
static crm_status write_group_rows(crm_csv_writer *w, const crm_segment_table *in, const crm_segment_result *s, const grouping *g,
                                   size_t n, crm_error *err)
{
    cells c = {0};
    crm_status st = count_cells(in, s, g, n, &c, err);
    int has_value = in->col[CRM_SEGMENT_COL_VALUE] >= 0;
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
            crm_csv_write_field(w, crm_segment_method_name(s->by), (size_t)-1);
            crm_csv_write_field(w, s->names[seg], (size_t)-1);
            for (size_t j = 0; j < g->ncols; j++) {
                uint32_t len;
                const char *v = tuple_value(g, g->by_rank[k], j, &len);
                crm_csv_write_field(w, v, len);
            }
            crm_csv_write_int(w, (int64_t)cs->customers);
            write_rounded(w, cs->customer_share);
            write_rounded(w, (double)cs->customers / (double)in_segment);
            write_total(w, &c, at, has_value);
            if (has_value)
                write_rounded(w, cs->value_share);
            else
                crm_csv_write_field(w, "", 0);
            for (size_t j = 0; j < d; j++)
                write_rounded(w, c.means[at * d + j]);
            if (crm_csv_end_row(w) != CRM_OK)
                st = crm_error_set(err, CRM_EIO, "cannot write the profile");
        }
    }
    cells_free(&c);
    return st;
}

/* segment, <each value of the column>, total: customers (or value) per cell,
 * and a last row of totals. */
static crm_status write_crosstab(crm_csv_writer *w, const crm_segment_profile_spec *o, const crm_segment_table *in,
                                 const crm_segment_result *s, const grouping *g, size_t n, crm_error *err)
{
    if (o->crosstab_cells_value && in->col[CRM_SEGMENT_COL_VALUE] < 0)
        return crm_error_set(err, CRM_EUSAGE, "--crosstab %s needs a value column (--value COL)", o->crosstab);
    cells c = {0};
    crm_status st = count_cells(in, s, g, n, &c, err);
    crm_decimal *sums = calloc(g->ngroups + 1, sizeof *sums);
    double *dsums = calloc(g->ngroups + 1, sizeof *dsums);
    if (st == CRM_OK && (!sums || !dsums))
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t k = 0; sums && k <= g->ngroups; k++)
        sums[k] = zero_money(in);
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
        crm_decimal row = zero_money(in);
        double drow = 0;
        for (size_t k = 0; k <= g->ngroups; k++) {
            int total_col = k == g->ngroups;
            crm_decimal v = total_col ? row : total_row ? sums[k] : c.totals[seg * g->ngroups + k];
            double dv = total_col ? drow : total_row ? dsums[k] : o->crosstab_cells_value
                        ? c.stats[seg * g->ngroups + k].value_total : (double)c.stats[seg * g->ngroups + k].customers;
            if (o->crosstab_cells_value && c.exact) {
                write_money(w, v);
            } else if (o->crosstab_cells_value) {
                write_money_double(w, dv);
            } else {
                crm_csv_write_int(w, (int64_t)dv);
            }
            if (!total_col) {
                if (c.exact && o->crosstab_cells_value) crm_decimal_add(row, v, &row);
                drow += dv;
                if (!total_row) {
                    if (c.exact && o->crosstab_cells_value) crm_decimal_add(sums[k], v, &sums[k]);
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

crm_status crm_segment_profile_parse_crosstab(const char *arg, crm_segment_profile_spec *p, crm_error *err)
{
    const char *colon = strchr(arg, ':');
    int by = colon ? crm_segment_method_find(arg, (size_t)(colon - arg)) : -1;
    if (by < 0 || colon[1] == '\0' || colon[1] == ':')
        return crm_error_set(err, CRM_EUSAGE, "--crosstab wants BY:COL[:customers|value] with BY one of rfm, value, "
                             "lifecycle, kmeans, got '%s'", arg);
    p->crosstab_by = (crm_segment_by)by;
    const char *col = colon + 1, *kind = strrchr(col, ':');
    p->crosstab_cells_value = 0;
    if (kind && (strcmp(kind, ":value") == 0 || strcmp(kind, ":customers") == 0))
        p->crosstab_cells_value = strcmp(kind, ":value") == 0;
    else
        kind = col + strlen(col);
    snprintf(p->crosstab_column, sizeof p->crosstab_column, "%.*s", (int)(kind - col), col);
    p->crosstab = arg;
    return CRM_OK;
}

static crm_status write_mean_names(crm_csv_writer *w, const crm_segment_table *in)
{
    crm_status st = CRM_OK;
    for (size_t j = 0; j < in->nfeatures && st == CRM_OK; j++) {
        char name[300];
        snprintf(name, sizeof name, "mean_%s", in->feature_names[j]);
        st = crm_csv_write_field(w, name, (size_t)-1);
    }
    return st;
}

static crm_status write_plain(crm_csv_writer *w, const crm_segment_table *in, const crm_segment_result *segs,
                              size_t nsegs, crm_error *err)
{
    static const char *const head[] = {"by", "segment", "customers", "customer_share", "value_total",
                                       "value_share"};
    crm_status st = CRM_OK;
    for (size_t j = 0; j < sizeof head / sizeof head[0]; j++)
        crm_csv_write_field(w, head[j], (size_t)-1);
    write_mean_names(w, in);
    if (in->col[CRM_SEGMENT_COL_P_ALIVE] >= 0)
        crm_csv_write_field(w, "mean_p_alive", (size_t)-1);
    if (crm_csv_end_row(w) != CRM_OK)
        st = crm_error_set(err, CRM_EIO, "cannot write the profile");
    for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
        st = write_profile_rows(w, in, &segs[s], crm_segment_table_rows(in), err);
    return st;
}

static crm_status write_grouped(crm_csv_writer *w, const crm_segment_table *in, const crm_segment_result *segs,
                                size_t nsegs, const grouping *g, crm_error *err)
{
    static const char *const head[] = {"by", "segment"};
    static const char *const counts[] = {"customers", "customer_share", "segment_share", "value_total",
                                         "value_share"};
    crm_status st = CRM_OK;
    for (size_t j = 0; j < 2; j++)
        crm_csv_write_field(w, head[j], (size_t)-1);
    for (size_t j = 0; j < g->ncols; j++)
        crm_csv_write_field(w, g->names[j], (size_t)-1);
    for (size_t j = 0; j < 5; j++)
        crm_csv_write_field(w, counts[j], (size_t)-1);
    write_mean_names(w, in);
    if (crm_csv_end_row(w) != CRM_OK)
        st = crm_error_set(err, CRM_EIO, "cannot write the profile");
    for (size_t s = 0; s < nsegs && st == CRM_OK; s++)
        st = write_group_rows(w, in, &segs[s], g, crm_segment_table_rows(in), err);
    return st;
}

crm_status crm_segment_profile_write(crm_csv_writer *w, const crm_csv_reader *r, const crm_segment_table *t,
                                     const crm_segment_result *segs, size_t nsegs,
                                     const crm_segment_profile_spec *spec, crm_error *err)
{
    if (!spec->group_by && !spec->crosstab)
        return write_plain(w, t, segs, nsegs, err);
    grouping g = {0};
    crm_status st = build_grouping(&g, spec->crosstab ? spec->crosstab_column : spec->group_by, r, t->rows, err);
    if (st == CRM_OK && !spec->crosstab)
        st = write_grouped(w, t, segs, nsegs, &g, err);
    for (size_t s = 0; st == CRM_OK && spec->crosstab && s < nsegs; s++)
        if (segs[s].by == spec->crosstab_by)
            st = write_crosstab(w, spec, t, &segs[s], &g, crm_segment_table_rows(t), err);
    grouping_free(&g);
    return st;
}
