#include "crm/basket_rules_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/number.h"


/* The rules CSV as write_rules writes it; the measures in the order of
 * crm_basket_measure, after count. */
enum { SAVED_ANTECEDENT = 0, SAVED_CONSEQUENT, SAVED_COUNT, SAVED_FIRST_MEASURE, SAVED_COLUMNS = 8 };
static const char *const saved_columns[SAVED_COLUMNS] = {
    "antecedent", "consequent", "count", "support", "confidence", "lift", "leverage", "conviction"
};

/* A rule read from the file, its items interned in the shared item table
 * (run->items), so that the customers' database, finished afterwards, knows
 * them all: a consequent product no customer bought is still offered. */
typedef struct {
    uint64_t line;
    size_t at;                     /* first item in saved_rules.items: X then Y */
    size_t nx, ny;
    uint64_t count;
    double measure[SAVED_COLUMNS - SAVED_FIRST_MEASURE];
} saved_rule;

struct crm_basket_saved_rules {
    saved_rule *rule;
    size_t n, cap;
    uint32_t *items;
    size_t nitems, items_cap;
    char *input;                   /* the rules file's name, for messages */
    crm_strtab *names;             /* the shared item table the items are interned in */
    const crm_strtab *exclude;
    uint64_t excluded;             /* rules left out for an excluded item */
    char sep;
};
typedef struct crm_basket_saved_rules saved_rules;

void crm_basket_saved_rules_free(crm_basket_saved_rules *s)
{
    if (!s)
        return;
    free(s->rule);
    free(s->items);
    free(s->input);
    free(s);
}

size_t crm_basket_saved_rules_count(const crm_basket_saved_rules *s)
{
    return s->n;
}

uint64_t crm_basket_saved_rules_excluded(const crm_basket_saved_rules *s)
{
    return s->excluded;
}

const char *crm_basket_saved_rules_input(const crm_basket_saved_rules *s)
{
    return s->input;
}

static crm_status saved_field_error(const crm_csv_reader *r, const crm_csv_record *rec, size_t column,
                                    size_t field, const char *what, crm_error *err)
{
    char shown[256];
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': '%s' %s", crm_csv_input_name(r),
                         (unsigned long long)rec->line, saved_columns[column],
                         crm_error_quote(shown, sizeof shown, rec->fields[field], rec->lengths[field]),
                         what);
}

/* "{a,b}" (or "{}"): the items between the braces, split on the separator. */
static crm_status read_saved_side(saved_rules *s, const crm_csv_reader *r,
                                  const crm_csv_record *rec, size_t column, size_t field,
                                  size_t *n, crm_error *err)
{
    const char *text = rec->fields[field];
    size_t len = rec->lengths[field];
    char sep = s->sep, what[160];
    *n = 0;
    if (len < 2 || text[0] != '{' || text[len - 1] != '}') {
        snprintf(what, sizeof what, "is not a set of items written {a%cb} (joined by the item "
                 "separator '%c')", sep, sep);
        return saved_field_error(r, rec, column, field, what, err);
    }
    if (len == 2)
        return CRM_OK;
    const char *p = text + 1, *end = text + len - 1;
    for (;;) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        size_t item_len = (size_t)((q ? q : end) - p);
        uint32_t id;
        if (item_len == 0)
            return saved_field_error(r, rec, column, field, "has an empty item name", err);
        if (!crm_array_reserve(&s->items, &s->items_cap, s->nitems + 1, sizeof *s->items) ||
            crm_strtab_intern(s->names, p, item_len, &id) < 0)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        for (size_t i = s->rule[s->n].at; i < s->nitems; i++) {
            if (s->items[i] == id) {
                char shown[120];
                int other_side = column == SAVED_CONSEQUENT && i < s->rule[s->n].at + s->rule[s->n].nx;
                snprintf(what, sizeof what,
                         other_side ? "has the item '%s' of the antecedent too" : "repeats the item '%s'",
                         crm_error_quote(shown, sizeof shown, p, item_len));
                return saved_field_error(r, rec, column, field, what, err);
            }
        }
        s->items[s->nitems++] = id;
        ++*n;
        if (!q)
            return CRM_OK;
        p = q + 1;
    }
}

static crm_status read_saved_number(const crm_csv_reader *r, const crm_csv_record *rec,
                                    size_t column, size_t field, double *v, crm_error *err)
{
    const char *text = rec->fields[field];
    size_t len = rec->lengths[field];
    crm_basket_measure m = (crm_basket_measure)(column - SAVED_FIRST_MEASURE);
    /* write_rules writes an infinite conviction as "inf" (arules: "Inf") */
    if (len == 3 && (memcmp(text, "inf", 3) == 0 || memcmp(text, "Inf", 3) == 0))
        *v = HUGE_VAL;
    else if (crm_parse_double(text, len, NULL, v) != CRM_OK)
        return saved_field_error(r, rec, column, field, "is not a number", err);
    const char *range = crm_basket_measure_range(m, *v);
    if (range) {
        char what[128];
        snprintf(what, sizeof what, "is out of range: a %s is %s", crm_basket_measure_name(m), range);
        return saved_field_error(r, rec, column, field, what, err);
    }
    return CRM_OK;
}

static crm_status read_saved_rule(saved_rules *s, const crm_csv_reader *r,
                                  const crm_csv_record *rec, const long *col, crm_error *err)
{
    if (!crm_array_reserve(&s->rule, &s->cap, s->n + 1, sizeof *s->rule))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    saved_rule *rule = &s->rule[s->n];
    memset(rule, 0, sizeof *rule);
    rule->line = rec->line;
    rule->at = s->nitems;
    crm_status st = read_saved_side(s, r, rec, SAVED_ANTECEDENT, (size_t)col[SAVED_ANTECEDENT],
                                    &rule->nx, err);
    if (st == CRM_OK)
        st = read_saved_side(s, r, rec, SAVED_CONSEQUENT, (size_t)col[SAVED_CONSEQUENT],
                             &rule->ny, err);
    if (st != CRM_OK)
        return st;
    if (rule->ny == 0)
        return saved_field_error(r, rec, SAVED_CONSEQUENT, (size_t)col[SAVED_CONSEQUENT],
                                 "has no items; a rule predicts at least one", err);
    const char *text = rec->fields[col[SAVED_COUNT]];
    size_t len = rec->lengths[col[SAVED_COUNT]];
    int64_t count;
    if (len == 0 || strspn(text, "0123456789") < len || crm_parse_int64(text, len, &count) != CRM_OK)
        return saved_field_error(r, rec, SAVED_COUNT, (size_t)col[SAVED_COUNT],
                                 "is not a count of baskets (a whole number)", err);
    rule->count = (uint64_t)count;
    for (size_t c = SAVED_FIRST_MEASURE; c < SAVED_COLUMNS && st == CRM_OK; c++)
        st = read_saved_number(r, rec, c, (size_t)col[c], &rule->measure[c - SAVED_FIRST_MEASURE],
                               err);
    if (st == CRM_OK && s->exclude) {
        for (size_t i = rule->at; i < s->nitems; i++) {
            size_t name_len;
            uint32_t id;
            const char *name = crm_strtab_get(s->names, s->items[i], &name_len);
            if (crm_strtab_find(s->exclude, name, name_len, &id)) {
                s->nitems = rule->at; /* a rule about an excluded item is left out */
                s->excluded++;
                return CRM_OK;
            }
        }
    }
    if (st == CRM_OK)
        s->n++;
    return st;
}

crm_status crm_basket_saved_rules_read(const char *path, const crm_csv_options *csv, char separator,
                                       crm_strtab *items, const crm_strtab *exclude,
                                       crm_basket_saved_rules **out, crm_error *err)
{
    crm_csv_options opts = *csv;
    /* The file is crm-basket's own output, whatever the transactions look like. */
    opts.delimiter = ',';
    opts.no_header = 0;
    opts.encoding = NULL;
    saved_rules *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return crm_basket_no_memory(err);
    s->names = items;
    s->exclude = exclude;
    s->sep = separator;
    crm_csv_reader *r;
    crm_status st = crm_csv_open(&r, path, &opts, err);
    if (st != CRM_OK) {
        free(s);
        return st;
    }
    s->input = strdup(crm_csv_input_name(r));
    const crm_csv_record *header = crm_csv_header(r);
    long col[SAVED_COLUMNS] = {0};
    size_t need = 0;
    if (!s->input)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    else if (!header || header->nfields == 0)
        st = crm_error_set(err, CRM_EDATA, "%s: the rules file is empty; expected the header "
                           "antecedent,consequent,count,support,confidence,lift,leverage,"
                           "conviction", s->input);
    for (size_t c = 0; c < SAVED_COLUMNS && st == CRM_OK; c++) {
        /* exact names: the header is crm-basket's own */
        size_t found = 0, len = strlen(saved_columns[c]);
        for (size_t f = 0; f < header->nfields; f++) {
            if (header->lengths[f] == len && memcmp(header->fields[f], saved_columns[c], len) == 0) {
                col[c] = (long)f;
                found++;
            }
        }
        if (found != 1)
            st = crm_error_set(err, CRM_EDATA, "%s:1: column '%s' %s the rules header; crm-basket "
                               "writes antecedent,consequent,count,support,confidence,lift,"
                               "leverage,conviction", s->input, saved_columns[c],
                               found ? "appears twice in" : "is missing from");
        else if ((size_t)col[c] + 1 > need)
            need = (size_t)col[c] + 1;
    }
    const crm_csv_record *rec;
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if ((st = crm_csv_check_record(r, rec, need, header->nfields, err)) == CRM_OK)
            st = read_saved_rule(s, r, rec, col, err);
    }
    crm_csv_close(r);
    if (st != CRM_OK) {
        crm_basket_saved_rules_free(s);
        return st;
    }
    *out = s;
    return CRM_OK;
}

/* The saved rules as library rules over the customers' database, filtered
 * by --min-confidence/--min-lift and sorted by --sort as mining would. */
crm_status crm_basket_saved_rules_build(const crm_basket_saved_rules *s, const crm_basket_db *db,
                                        const crm_basket_rule_options *opts, crm_basket_rules **out,
                                        crm_error *err)
{
    crm_basket_rules *rules;
    crm_status st = crm_basket_rules_new(db, &rules, err);
    if (st != CRM_OK)
        return st;
    const char **names = NULL;
    size_t *lens = NULL, cap = 0, lens_cap = 0;
    for (size_t i = 0; i < s->n && st == CRM_OK; i++) {
        const saved_rule *sr = &s->rule[i];
        size_t k = sr->nx + sr->ny;
        if (!crm_array_reserve(&names, &cap, k, sizeof *names) ||
            !crm_array_reserve(&lens, &lens_cap, k, sizeof *lens)) {
            st = crm_error_set(err, CRM_ENOMEM, "out of memory");
            break;
        }
        for (size_t j = 0; j < k; j++)
            names[j] = crm_strtab_get(s->names, s->items[sr->at + j], &lens[j]);
        crm_basket_named_rule nr = {
            names, lens, sr->nx, names + sr->nx, lens + sr->nx, sr->ny, sr->count,
            sr->measure[CRM_BASKET_MEASURE_SUPPORT], sr->measure[CRM_BASKET_MEASURE_CONFIDENCE],
            sr->measure[CRM_BASKET_MEASURE_LIFT], sr->measure[CRM_BASKET_MEASURE_LEVERAGE],
            sr->measure[CRM_BASKET_MEASURE_CONVICTION]
        };
        int kept;
        st = crm_basket_rules_add_named(rules, &nr, &kept, err);
        if (st != CRM_OK)
            crm_error_prefix(err, "%s:%llu: ", s->input, (unsigned long long)sr->line);
    }
    free(names);
    free(lens);
    if (st == CRM_OK)
        st = crm_basket_rules_finish(rules, opts, err);
    if (st != CRM_OK) {
        crm_basket_rules_free(rules);
        return st;
    }
    *out = rules;
    return CRM_OK;
}

