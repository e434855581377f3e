/* Options described by a table: see include/crm/cli_table.h. */
#include "crm/cli_table.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/cli.h"
#include "crm/number.h"
#include "crm/units.h"

enum { FIRST_LONG_ID = 256 };

crm_status crm_cli_table_init(crm_cli_table *t, const char *command, const crm_cli_entry *entries, size_t count,
                              void *ctx, crm_error *err)
{
    memset(t, 0, sizeof *t);
    t->command = command;
    t->entries = entries;
    t->count = count;
    t->ctx = ctx;
    t->given = calloc(count + 1, 1);
    if (!(t->longs = calloc(count + 1, sizeof *t->longs)) || !t->given)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    size_t nlong = 0, nshort = 0;
    for (size_t i = 0; i < count; i++) {
        const crm_cli_entry *e = &entries[i];
        int has_value = e->kind != CRM_CLI_FLAG;
        int id = e->letter ? e->letter : FIRST_LONG_ID + (int)i;
        if (e->letter) {
            if (nshort + 3 > sizeof t->shorts)
                return crm_error_set(err, CRM_EUSAGE, "too many short options");
            t->shorts[nshort++] = e->letter;
            if (has_value)
                t->shorts[nshort++] = ':';
        }
        if (strncmp(e->name, "--", 2) == 0)
            t->longs[nlong++] = (struct option){e->name + 2, has_value ? required_argument : no_argument, NULL, id};
    }
    return CRM_OK;
}

void crm_cli_table_free(crm_cli_table *t)
{
    free(t->longs);
    free(t->given);
    t->longs = NULL;
    t->given = NULL;
}

static crm_status parse_whole(const char *name, const char *value, unsigned long long lo, unsigned long long hi,
                              unsigned long long *out, crm_error *err)
{
    int64_t v;
    if (crm_parse_int64(value, strlen(value), &v) != CRM_OK || v < 0 || (unsigned long long)v < lo ||
        (unsigned long long)v > hi)
        return crm_error_set(err, CRM_EUSAGE, "%s wants a whole number from %llu to %llu, got '%s'", name, lo, hi,
                             value);
    *out = (unsigned long long)v;
    return CRM_OK;
}

static crm_status parse_real(const char *name, const char *value, int positive, double *out, crm_error *err)
{
    double v;
    int ok = crm_parse_double(value, strlen(value), NULL, &v) == CRM_OK && isfinite(v) &&
             (positive ? v > 0.0 : v >= 0.0);
    if (!ok)
        return crm_error_set(err, CRM_EUSAGE, positive ? "%s wants a number above 0, got '%s'"
                                                       : "%s wants a number >= 0, got '%s'", name, value);
    *out = v;
    return CRM_OK;
}

static crm_status parse_share(const char *name, const char *value, int positive, double *out, crm_error *err)
{
    if (crm_parse_fraction(value, out, err) != CRM_OK) {
        crm_error_prefix(err, "%s: ", name);
        return CRM_EUSAGE;
    }
    if (positive && !(*out > 0.0))
        return crm_error_set(err, CRM_EUSAGE, "%s wants a share above 0, got '%s'", name, value);
    return CRM_OK;
}

static crm_status parse_days(const char *name, const char *value, double *days, crm_error *err)
{
    crm_duration d;
    if (crm_parse_duration(value, &d, err) != CRM_OK) {
        crm_error_prefix(err, "%s: ", name);
        return CRM_EUSAGE;
    }
    *days = crm_duration_in(d, CRM_UNIT_DAY);
    return CRM_OK;
}

/* Whole numbers into the target's own type. */
static crm_status store_whole(const crm_cli_entry *e, const char *name, const char *value, crm_error *err)
{
    unsigned long long v = 0;
    crm_status st = parse_whole(name, value, e->lo, e->hi, &v, err);
    if (st != CRM_OK)
        return st;
    switch (e->kind) {
    case CRM_CLI_INT: *(int *)e->target = (int)v; break;
    case CRM_CLI_UNSIGNED: *(unsigned *)e->target = (unsigned)v; break;
    case CRM_CLI_ULONG: *(unsigned long *)e->target = (unsigned long)v; break;
    default: *(size_t *)e->target = (size_t)v; break;
    }
    return CRM_OK;
}

static int whole_in(const char *s, size_t len, unsigned long long lo, unsigned long long hi, size_t *out)
{
    int64_t v;
    if (crm_parse_int64(s, len, &v) != CRM_OK || v < 0 || (unsigned long long)v < lo || (unsigned long long)v > hi)
        return 0;
    *out = (size_t)v;
    return 1;
}

static crm_status parse_range(const crm_cli_entry *e, const char *value, crm_error *err)
{
    const char *dash = strchr(value, '-');
    size_t *lo = e->target, *hi = e->target2;
    if (!dash || dash - value >= 32)
        return crm_error_set(err, CRM_EUSAGE, "%s wants LO-HI (e.g. %s), got '%s'", e->name, e->example, value);
    if (!whole_in(value, (size_t)(dash - value), e->lo, e->hi, lo) ||
        !whole_in(dash + 1, strlen(dash + 1), e->lo, e->hi, hi) || *lo > *hi)
        return crm_error_set(err, CRM_EUSAGE, "%s wants LO-HI with %llu <= LO <= HI <= %llu, got '%s'", e->name,
                             e->lo, e->hi, value);
    return CRM_OK;
}

static crm_status store(const crm_cli_table *t, const crm_cli_entry *e, const char *value, crm_error *err)
{
    const char *name = e->name;
    switch (e->kind) {
    case CRM_CLI_FLAG:
        *(int *)e->target = (int)e->lo;
        return CRM_OK;
    case CRM_CLI_TEXT:
        *(const char **)e->target = value;
        return CRM_OK;
    case CRM_CLI_INT:
    case CRM_CLI_UNSIGNED:
    case CRM_CLI_ULONG:
    case CRM_CLI_SIZE:
        return store_whole(e, name, value, err);
    case CRM_CLI_POSITIVE:
    case CRM_CLI_NONNEGATIVE:
        return parse_real(name, value, e->kind == CRM_CLI_POSITIVE, e->target, err);
    case CRM_CLI_SHARE:
    case CRM_CLI_POSITIVE_SHARE:
        return parse_share(name, value, e->kind == CRM_CLI_POSITIVE_SHARE, e->target, err);
    case CRM_CLI_DAYS:
        return parse_days(name, value, e->target, err);
    case CRM_CLI_RANGE:
        return parse_range(e, value, err);
    case CRM_CLI_CHOICE: {
        int i;
        if (crm_cli_parse_choice(name, value, e->choices, &i, err) != CRM_OK)
            return CRM_EUSAGE;
        *(int *)e->target = e->values ? e->values[i] : i;
        return CRM_OK;
    }
    default:
        return e->call(t->ctx, value, err);
    }
}

crm_status crm_cli_table_handle(int id, const char *value, void *ctx, crm_error *err)
{
    const crm_cli_table *t = ctx;
    for (size_t i = 0; i < t->count; i++) {
        const crm_cli_entry *e = &t->entries[i];
        if (id != (e->letter ? e->letter : FIRST_LONG_ID + (int)i))
            continue;
        t->given[i] = 1;
        if (e->given)
            *e->given = 1;
        if (e->first && !*e->first)
            *e->first = e->name;
        if (e->deprecated_for)
            crm_cli_note_deprecated(t->command ? t->command : "crm", e->name, e->deprecated_for);
        return store(t, e, value, err);
    }
    return crm_error_set(err, CRM_EUSAGE, "unhandled option");
}

crm_status crm_cli_table_check(const crm_cli_table *t, crm_error *err)
{
    for (size_t i = 0; i < t->count; i++) {
        const crm_cli_entry *e = &t->entries[i];
        if (t->given[i] && e->needs && !*e->needs)
            return crm_error_set(err, CRM_EUSAGE, "%s is for %s", e->name, e->needs_what);
    }
    return CRM_OK;
}
