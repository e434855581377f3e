#include "crm/rfm_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/number.h"

/* The header names crm-rfm writes itself: a kept column may not repeat one. */
const char *const crm_rfm_table_names[] = {
    "customer_id", "first_date", "last_date", "recency_days", "frequency", "monetary", "avg_order_value",
    "tenure_days", "r_score", "f_score", "m_score", "rfm_score", "profit", "avg_profit", "x", "t_x", "T",
    "monetary_value", "x_holdout", "monetary_holdout", "duration_holdout", "interactions", "last_interaction",
    "interaction_recency_days", "purchases_recent", "purchases_previous", "consecutive_periods", "gap_cv", NULL};


static crm_status write_decimal(crm_csv_writer *w, crm_decimal d)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t len = crm_decimal_format(d, buf);
    return crm_csv_write_field(w, buf, len);
}

static crm_status write_day(crm_csv_writer *w, int32_t day)
{
    char buf[CRM_DATE_ISO_MAX];
    crm_datetime dt = {day, CRM_NO_TIME};
    size_t len = crm_datetime_format(dt, buf);
    return crm_csv_write_field(w, buf, len);
}

typedef struct {
    crm_csv_writer *w;
    const crm_rfm_table_options *opts;
    int64_t unit_mul, unit_div;   /* days * mul / div is the value in the unit */
} table_writer;

/* A duration in days, in the unit asked for. */
static crm_status write_duration(const table_writer *t, int64_t days)
{
    if (t->opts->decimals < 0)
        return crm_csv_write_double(t->w, (double)days / crm_time_unit_days(t->opts->unit));
    crm_decimal d;
    if (crm_rfm_ratio(crm_decimal_from_int(days), t->unit_mul, t->unit_div, t->opts->decimals, &d) != CRM_OK)
        return crm_csv_write_fixed(t->w, (double)days / crm_time_unit_days(t->opts->unit), t->opts->decimals);
    return write_decimal(t->w, d);
}

/* A mean sum / count (0 when count is 0), as a double or rounded exactly. */
static crm_status write_mean(const table_writer *t, double mean, crm_decimal sum, uint64_t count)
{
    if (t->opts->decimals < 0)
        return crm_csv_write_double(t->w, mean);
    crm_decimal d = {0, t->opts->decimals};
    if (count && (count > INT64_MAX || crm_rfm_ratio(sum, 1, (int64_t)count, t->opts->decimals, &d) != CRM_OK))
        return crm_csv_write_fixed(t->w, mean, t->opts->decimals);
    return write_decimal(t->w, d);
}

static crm_status write_fields(crm_csv_writer *w, const char *const *names, size_t n)
{
    crm_status st = CRM_OK;
    for (size_t i = 0; i < n && st == CRM_OK; i++)
        st = crm_csv_write_field(w, names[i], (size_t)-1);
    return st;
}

static crm_status write_header(const table_writer *t)
{
    static const char *const head[] = {"customer_id", "first_date", "last_date", "recency_days", "frequency",
                                       "monetary", "avg_order_value", "tenure_days", "r_score", "f_score",
                                       "m_score", "rfm_score"};
    static const char *const profit[] = {"profit", "avg_profit"};
    static const char *const model[] = {"x", "t_x", "T", "monetary_value"};
    static const char *const holdout[] = {"x_holdout", "monetary_holdout", "duration_holdout"};
    crm_status st = write_fields(t->w, head, 12);
    if (st == CRM_OK && t->opts->with_profit)
        st = write_fields(t->w, profit, 2);
    if (st == CRM_OK)
        st = write_fields(t->w, model, 4);
    if (st == CRM_OK && t->opts->with_holdout)
        st = write_fields(t->w, holdout, 3);
    if (st == CRM_OK && t->opts->interactions)
        st = write_fields(t->w, crm_rfm_table_names + 21, 3);
    if (st == CRM_OK && t->opts->recent)
        st = write_fields(t->w, crm_rfm_table_names + 24, 2);
    if (st == CRM_OK && t->opts->streak)
        st = write_fields(t->w, crm_rfm_table_names + 26, 2);
    if (st == CRM_OK)
        st = write_fields(t->w, t->opts->keep_names, t->opts->nkeep);
    return st == CRM_OK ? crm_csv_end_row(t->w) : st;
}

/* interactions, last_interaction, interaction_recency_days: 0 and empty
 * for a customer without an interaction before the as-of date. */
static crm_status write_interaction_columns(const table_writer *t, const char *customer, size_t len)
{
    crm_interaction_summary s;
    if (!crm_interactions_get(t->opts->interactions, customer, len, &s)) {
        crm_status st = crm_csv_write_int(t->w, 0);
        if (st == CRM_OK) st = crm_csv_write_field(t->w, "", 0);
        return st == CRM_OK ? crm_csv_write_field(t->w, "", 0) : st;
    }
    crm_status st = crm_csv_write_int(t->w, (int64_t)s.count);
    if (st == CRM_OK) st = write_day(t->w, s.last_day);
    return st == CRM_OK ? crm_csv_write_int(t->w, (int64_t)t->opts->as_of - s.last_day) : st;
}

/* A prospect: seen in the interactions only, so every purchase column is
 * empty. */
static crm_status write_prospect(const table_writer *t, const char *customer, size_t len)
{
    size_t empty = 12 - 1 + 4 + (t->opts->with_profit ? 2 : 0) + (t->opts->with_holdout ? 3 : 0);
    crm_status st = crm_csv_write_field(t->w, customer, len);
    for (size_t i = 0; i < empty && st == CRM_OK; i++)
        st = crm_csv_write_field(t->w, "", 0);
    if (st == CRM_OK)
        st = write_interaction_columns(t, customer, len);
    for (int i = 0; i < (t->opts->recent ? 2 : 0) + (t->opts->streak ? 2 : 0) && st == CRM_OK; i++)
        st = crm_csv_write_field(t->w, "", 0);
    for (size_t k = 0; k < t->opts->nkeep && st == CRM_OK; k++)
        st = crm_csv_write_field(t->w, "", 0);
    return st == CRM_OK ? crm_csv_end_row(t->w) : st;
}

static crm_status write_customer(const table_writer *t, const crm_rfm_result *res, size_t i, crm_error *err)
{
    crm_rfm_customer row;
    if (crm_rfm_result_row(res, i, &row, err) != CRM_OK)
        return err->status;
    const crm_rfm_customer *c = &row;
    crm_csv_writer *w = t->w;
    char score[48];
    const int *s = c->score;
    snprintf(score, sizeof score, res->bins <= 9 ? "%d%d%d" : "%d-%d-%d", s[0], s[1], s[2]);
    crm_status st = crm_csv_write_field(w, c->customer_id, c->customer_len);
    if (st == CRM_OK) st = write_day(w, c->first_day);
    if (st == CRM_OK) st = write_day(w, c->last_day);
    if (st == CRM_OK) st = crm_csv_write_int(w, c->recency_days);
    if (st == CRM_OK) st = crm_csv_write_int(w, (int64_t)c->frequency);
    if (st == CRM_OK) st = write_decimal(w, c->monetary);
    if (st == CRM_OK) st = write_decimal(w, c->avg_order_value);
    if (st == CRM_OK) st = crm_csv_write_int(w, c->tenure_days);
    for (int d = 0; d < CRM_RFM_DIMENSIONS && st == CRM_OK; d++)
        st = crm_csv_write_int(w, s[d]);
    if (st == CRM_OK) st = crm_csv_write_field(w, score, (size_t)-1);
    if (st == CRM_OK && t->opts->with_profit) {
        st = write_decimal(w, c->profit);
        if (st == CRM_OK) st = write_decimal(w, c->avg_profit);
    }
    if (st == CRM_OK) st = crm_csv_write_int(w, (int64_t)c->x);
    if (st == CRM_OK) st = write_duration(t, c->t_x_days);
    if (st == CRM_OK) st = write_duration(t, c->T_days);
    if (st == CRM_OK) st = write_mean(t, c->monetary_value, c->repeat_amount, c->x);
    if (st == CRM_OK && t->opts->with_holdout) {
        st = crm_csv_write_int(w, (int64_t)c->x_holdout);
        if (st == CRM_OK) st = write_mean(t, c->monetary_holdout, c->holdout_amount, c->x_holdout);
        if (st == CRM_OK) st = write_duration(t, res->duration_holdout_days);
    }
    if (st == CRM_OK && t->opts->interactions)
        st = write_interaction_columns(t, c->customer_id, c->customer_len);
    if (st == CRM_OK && t->opts->recent) {
        st = crm_csv_write_int(w, (int64_t)t->opts->recent[i]);
        if (st == CRM_OK) st = crm_csv_write_int(w, (int64_t)t->opts->previous[i]);
    }
    if (st == CRM_OK && t->opts->streak) {
        st = crm_csv_write_int(w, (int64_t)t->opts->streak[i]);
        /* four decimals: a ratio people read (empty without two gaps) */
        if (st == CRM_OK)
            st = isnan(t->opts->gap_cv[i]) ? crm_csv_write_field(w, "", 0) : crm_csv_write_fixed(w, t->opts->gap_cv[i], 4);
    }
    for (size_t k = 0; k < t->opts->nkeep && st == CRM_OK; k++) {
        size_t len;
        const char *v = crm_attributes_get(t->opts->attributes, c->customer_id, c->customer_len, k, &len);
        st = crm_csv_write_field(w, v, len);
    }
    return st == CRM_OK ? crm_csv_end_row(w) : st;
}

static void unit_ratio(crm_time_unit unit, int64_t *mul, int64_t *div)
{
    /* A month is 365.25 / 12 days and a year 365.25 days (crm_time_unit_days). */
    switch (unit) {
    case CRM_UNIT_WEEK: *mul = 1; *div = 7; break;
    case CRM_UNIT_MONTH: *mul = 48; *div = 1461; break;
    case CRM_UNIT_YEAR: *mul = 4; *div = 1461; break;
    default: *mul = 1; *div = 1; break;
    }
}

static int compare_bytes(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

crm_status crm_rfm_table_write(crm_csv_writer *w, const crm_rfm_result *res, const crm_rfm_table_options *o,
                               uint64_t *prospects, crm_error *err)
{
    table_writer t = {w, o, 1, 1};
    unit_ratio(o->unit, &t.unit_mul, &t.unit_div);
    uint32_t *prospect = NULL;
    size_t nprospects = 0, p = 0;
    *prospects = 0;
    if (o->prospects && crm_interactions_sorted(o->interactions, &prospect, &nprospects, err) != CRM_OK)
        return err->status;
    crm_status st = write_header(&t);
    /* Both lists are in byte order of the ids: merged, the table stays sorted. */
    for (size_t i = 0; (i < res->count || p < nprospects) && st == CRM_OK;) {
        size_t len = 0, row_len = 0;
        crm_interaction_summary s;
        const char *id = p < nprospects ? crm_interactions_customer(o->interactions, prospect[p], &len, &s) : NULL;
        const char *row_id = i < res->count ? crm_rfm_result_id(res, i, &row_len) : NULL;
        int c = !id ? -1 : i == res->count ? 1 : compare_bytes(row_id, row_len, id, len);
        if (c <= 0)
            st = write_customer(&t, res, i++, err);
        if (c == 0)
            p++;
        if (c > 0) {
            st = write_prospect(&t, id, len);
            p++;
            (*prospects)++;
        }
    }
    free(prospect);
    return st;
}

/* dimension,index,probability,value: one row per breakpoint. */
crm_status crm_rfm_thresholds_write(crm_csv_writer *w, const crm_rfm_result *res, crm_error *err)
{
    (void)err;
    static const char *const head[] = {"dimension", "index", "probability", "value"};
    crm_status st = write_fields(w, head, 4);
    if (st == CRM_OK)
        st = crm_csv_end_row(w);
    for (int d = 0; d < CRM_RFM_DIMENSIONS && st == CRM_OK; d++) {
        for (int j = 1; res->breaks[d] && j < res->bins && st == CRM_OK; j++) {
            char dim[2] = {"rfm"[d], '\0'};
            st = crm_csv_write_field(w, dim, 1);
            if (st == CRM_OK) st = crm_csv_write_int(w, j);
            if (st == CRM_OK)
                st = res->from_quantiles[d] ? crm_csv_write_double(w, (double)j / res->bins)
                                            : crm_csv_write_field(w, "", 0);
            if (st == CRM_OK) st = crm_csv_write_double(w, res->breaks[d][j - 1]);
            if (st == CRM_OK) st = crm_csv_end_row(w);
        }
    }
    return st;
}
