/* Customer attributes, one value per customer: see include/crm/attributes.h. */
#include "crm/attributes.h"

#include <stdlib.h>
#include <string.h>

#include "crm/strtab.h"

enum { NO_VALUE = UINT32_MAX };

typedef struct {
    uint32_t value;
    uint32_t count;
} value_count;

/* One customer's state for one column: the kept value and its day, or
 * (rule most) the counts of the values seen. */
typedef struct {
    int32_t day;
    uint32_t value;
    value_count *counts;
    uint32_t ncounts, cap;
} cell;

struct crm_attributes {
    size_t ncolumns;
    crm_keep_rule rule;
    crm_strtab *customers;
    crm_strtab **values;   /* per column */
    cell *cells;           /* customer * ncolumns + column */
    size_t cap;            /* customers the cells have room for */
};

crm_status crm_attributes_new(crm_attributes **out, size_t ncolumns, crm_keep_rule rule, crm_error *err)
{
    crm_attributes *a = calloc(1, sizeof *a);
    *out = NULL;
    if (a == NULL) return crm_error_set(err, CRM_ENOMEM, "out of memory");
    a->ncolumns = ncolumns;
    a->rule = rule;
    a->customers = crm_strtab_new(1024);
    a->values = calloc(ncolumns ? ncolumns : 1, sizeof *a->values);
    int ok = a->customers != NULL && a->values != NULL;
    for (size_t k = 0; ok && k < ncolumns; k++) ok = (a->values[k] = crm_strtab_new(64)) != NULL;
    if (!ok) {
        crm_attributes_free(a);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    *out = a;
    return CRM_OK;
}

void crm_attributes_free(crm_attributes *a)
{
    if (a == NULL) return;
    size_t n = a->customers ? crm_strtab_count(a->customers) : 0;
    for (size_t i = 0; a->cells != NULL && i < n * a->ncolumns; i++) free(a->cells[i].counts);
    free(a->cells);
    for (size_t k = 0; a->values != NULL && k < a->ncolumns; k++) crm_strtab_free(a->values[k]);
    free(a->values);
    crm_strtab_free(a->customers);
    free(a);
}

static int count_value(cell *c, uint32_t value)
{
    for (uint32_t i = 0; i < c->ncounts; i++)
        if (c->counts[i].value == value) {
            c->counts[i].count++;
            return 0;
        }
    if (c->ncounts == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 2;
        value_count *grown = realloc(c->counts, cap * sizeof *grown);
        if (grown == NULL) return -1;
        c->counts = grown;
        c->cap = cap;
    }
    c->counts[c->ncounts++] = (value_count){value, 1};
    return 0;
}

crm_status crm_attributes_add(crm_attributes *a, const char *customer, size_t customer_len, int32_t day,
                              const char *const *values, const size_t *lens, crm_error *err)
{
    uint32_t cid;
    int added = crm_strtab_intern(a->customers, customer, customer_len, &cid);
    if (added < 0) return crm_error_set(err, CRM_ENOMEM, "out of memory keeping customer attributes");
    if (cid >= a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        cell *grown = realloc(a->cells, cap * a->ncolumns * sizeof *grown);
        if (grown == NULL && a->ncolumns > 0) return crm_error_set(err, CRM_ENOMEM, "out of memory keeping customer attributes");
        for (size_t i = a->cap * a->ncolumns; i < cap * a->ncolumns; i++) grown[i] = (cell){0, NO_VALUE, NULL, 0, 0};
        a->cells = grown;
        a->cap = cap;
    }
    for (size_t k = 0; k < a->ncolumns; k++) {
        if (lens[k] == 0) continue;   /* empty is no value */
        uint32_t vid;
        if (crm_strtab_intern(a->values[k], values[k], lens[k], &vid) < 0)
            return crm_error_set(err, CRM_ENOMEM, "out of memory keeping customer attributes");
        cell *c = &a->cells[(size_t)cid * a->ncolumns + k];
        switch (a->rule) {
        case CRM_KEEP_LATEST:
            if (c->value == NO_VALUE || day >= c->day) c->value = vid, c->day = day;
            break;
        case CRM_KEEP_FIRST:
            if (c->value == NO_VALUE || day < c->day) c->value = vid, c->day = day;
            break;
        case CRM_KEEP_MOST:
            if (count_value(c, vid) < 0) return crm_error_set(err, CRM_ENOMEM, "out of memory keeping customer attributes");
            break;
        }
    }
    return CRM_OK;
}

const char *crm_attributes_get(const crm_attributes *a, const char *customer, size_t customer_len, size_t column,
                               size_t *len)
{
    uint32_t cid;
    *len = 0;
    if (column >= a->ncolumns || !crm_strtab_find(a->customers, customer, customer_len, &cid)) return "";
    const cell *c = &a->cells[(size_t)cid * a->ncolumns + column];
    uint32_t value = c->value;
    if (a->rule == CRM_KEEP_MOST) {
        const char *best = NULL;
        size_t best_len = 0;
        uint32_t best_count = 0;
        for (uint32_t i = 0; i < c->ncounts; i++) {
            size_t l;
            const char *v = crm_strtab_get(a->values[column], c->counts[i].value, &l);
            int cmp = best == NULL ? -1 : memcmp(v, best, l < best_len ? l : best_len);
            if (cmp == 0) cmp = (l > best_len) - (l < best_len);
            if (c->counts[i].count > best_count || (c->counts[i].count == best_count && cmp < 0)) {
                best = v, best_len = l, best_count = c->counts[i].count;
                value = c->counts[i].value;
            }
        }
    }
    if (value == NO_VALUE) return "";
    return crm_strtab_get(a->values[column], value, len);
}
