#include "crm/basket_tables.h"

#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/number.h"

/* Growable text buffer for item fields. */
typedef struct {
    char *text;
    size_t cap;
} text_buffer;

/* Room for `need` bytes of text (crm_array_reserve grows it the shared way). */
static crm_status reserve(text_buffer *b, size_t need, crm_error *err)
{
    if (!crm_array_reserve(&b->text, &b->cap, need, 1))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

/* "{a,b}": the item names in name order joined by the separator, inside
 * braces.  Items never contain the separator (they are refused on input),
 * so stripping the outer braces and splitting gives the items back. */
static crm_status format_set(const crm_basket_db *db, char sep, const uint32_t *items, size_t n,
                             text_buffer *b, size_t at, size_t *len, crm_error *err)
{
    for (;;) {
        size_t room = b->cap > at + 2 ? b->cap - at - 2 : 0;
        size_t need = crm_basket_format_items(db, items, n, sep, room ? b->text + at + 1 : NULL,
                                              room);
        if (need < room) {
            b->text[at] = '{';
            b->text[at + 1 + need] = '}';
            b->text[at + 2 + need] = '\0';
            *len = need + 2;
            return CRM_OK;
        }
        crm_status st = reserve(b, at + need + 3, err);
        if (st != CRM_OK)
            return st;
    }
}

/* The labels of a set's items (the item's name where it has none), in the
 * set's order, joined by " | ": for people, since a label may hold the
 * separator (the item columns are the ones to split). */
static crm_status format_labels(const crm_basket_db *labels, const uint32_t *items, size_t n,
                                text_buffer *b, size_t at, size_t *len, crm_error *err)
{
    size_t used = at;
    for (size_t i = 0; i < n; i++) {
        size_t l;
        const char *text = crm_basket_db_item_label(labels, items[i], &l);
        if (!text)
            text = crm_basket_db_item_name(labels, items[i], &l);
        crm_status st = reserve(b, used + l + 4, err);
        if (st != CRM_OK)
            return st;
        if (i > 0) {
            memcpy(b->text + used, " | ", 3);
            used += 3;
        }
        memcpy(b->text + used, text, l);
        used += l;
    }
    *len = used - at;
    return CRM_OK;
}

/* Supports are count / n for few distinct counts, and the shortest
 * round-trip text of a double is costly (a quarter of a whole run on FIMI
 * retail at 0.01%), so each count's text is kept in a small direct-mapped
 * cache. */
enum { SUPPORT_CACHE = 4096 };

typedef struct {
    uint64_t count[SUPPORT_CACHE];     /* count + 1; 0 = empty slot */
    unsigned char len[SUPPORT_CACHE];
    char text[SUPPORT_CACHE][CRM_NUMBER_TEXT_MAX];
} support_cache;

static crm_status write_support(crm_csv_writer *w, support_cache *c, uint64_t count, double support)
{
    size_t slot = (size_t)(count % SUPPORT_CACHE);
    if (c->count[slot] != count + 1) {
        c->len[slot] = (unsigned char)crm_double_format(support, c->text[slot]);
        c->count[slot] = count + 1;
    }
    return crm_csv_write_field(w, c->text[slot], c->len[slot]);
}

static crm_status write_header(crm_csv_writer *w, const char *const *names, size_t n)
{
    return crm_csv_write_row(w, names, NULL, n);
}

crm_status crm_basket_write_itemsets(crm_csv_writer *w, const crm_basket_itemsets *sets, char sep,
                                     const crm_basket_db *labels, crm_error *err)
{
    static const char *const header[] = {"items", "size", "count", "support", "labels"};
    crm_status st = write_header(w, header, labels ? 5 : 4);
    const crm_basket_db *db = crm_basket_itemsets_db(sets);
    text_buffer b = {NULL, 0};
    support_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    size_t n = crm_basket_itemsets_count(sets);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        const crm_basket_itemset *s = crm_basket_itemsets_get(sets, i);
        size_t len;
        if ((st = format_set(db, sep, s->items, s->size, &b, 0, &len, err)) != CRM_OK)
            break;
        size_t ll = 0;
        if (labels && (st = format_labels(labels, s->items, s->size, &b, len, &ll, err)) != CRM_OK)
            break;
        if ((st = crm_csv_write_field(w, b.text, len)) != CRM_OK ||
            (st = crm_csv_write_int(w, (int64_t)s->size)) != CRM_OK ||
            (st = crm_csv_write_int(w, (int64_t)s->count)) != CRM_OK ||
            (st = write_support(w, cache, s->count, s->support)) != CRM_OK ||
            (labels && (st = crm_csv_write_field(w, b.text + len, ll)) != CRM_OK) ||
            (st = crm_csv_end_row(w)) != CRM_OK)
            break;   /* the writer's status, for the caller to name */
    }
    free(cache);
    free(b.text);
    return st;
}

crm_status crm_basket_write_rules(crm_csv_writer *w, const crm_basket_rules *rules, const crm_basket_db *db,
                                  char sep, const crm_basket_db *labels, crm_error *err)
{
    static const char *const header[] = {"antecedent", "consequent", "count", "support",
                                         "confidence", "lift", "leverage", "conviction",
                                         "antecedent_label", "consequent_label"};
    crm_status st = write_header(w, header, labels ? 10 : 8);
    text_buffer b = {NULL, 0};
    support_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        st = crm_error_set(err, CRM_ENOMEM, "out of memory");
    size_t n = crm_basket_rules_count(rules);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        const crm_basket_rule *r = crm_basket_rules_get(rules, i);
        size_t xl, yl;
        if ((st = format_set(db, sep, r->antecedent, r->antecedent_size, &b, 0, &xl, err)) != CRM_OK ||
            (st = format_set(db, sep, r->consequent, r->consequent_size, &b, xl, &yl, err)) != CRM_OK)
            break;
        size_t xll = 0, yll = 0;
        if (labels &&
            ((st = format_labels(labels, r->antecedent, r->antecedent_size, &b, xl + yl, &xll, err)) != CRM_OK ||
             (st = format_labels(labels, r->consequent, r->consequent_size, &b, xl + yl + xll, &yll, err)) != CRM_OK))
            break;
        if ((st = crm_csv_write_field(w, b.text, xl)) != CRM_OK ||
            (st = crm_csv_write_field(w, b.text + xl, yl)) != CRM_OK ||
            (st = crm_csv_write_int(w, (int64_t)r->count)) != CRM_OK ||
            (st = write_support(w, cache, r->count, r->support)) != CRM_OK ||
            (st = crm_csv_write_double(w, r->confidence)) != CRM_OK ||
            (st = crm_csv_write_double(w, r->lift)) != CRM_OK ||
            (st = crm_csv_write_double(w, r->leverage)) != CRM_OK ||
            (st = crm_csv_write_double(w, r->conviction)) != CRM_OK ||
            (labels && ((st = crm_csv_write_field(w, b.text + xl + yl, xll)) != CRM_OK ||
                        (st = crm_csv_write_field(w, b.text + xl + yl + xll, yll)) != CRM_OK)) ||
            (st = crm_csv_end_row(w)) != CRM_OK)
            break;   /* the writer's status, for the caller to name */
    }
    free(cache);
    free(b.text);
    return st;
}

crm_status crm_basket_write_recommendations(crm_csv_writer *w, const crm_basket_recommendations *recs,
                                            const crm_basket_rules *rules, const crm_basket_db *customers,
                                            char sep, const crm_basket_db *labels, crm_error *err)
{
    static const char *const header[] = {"customer_id", "product_id", "score", "rule", "label"};
    crm_status st = write_header(w, header, labels ? 5 : 4);
    text_buffer b = {NULL, 0};
    size_t n = crm_basket_recommendations_count(recs);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        const crm_basket_recommendation *rec = crm_basket_recommendations_get(recs, i);
        const crm_basket_rule *r = crm_basket_rules_get(rules, rec->rule);
        size_t key_len, product_len, xl, yl;
        const char *key = crm_basket_db_basket_key(customers, rec->customer, &key_len);
        const char *product = crm_basket_db_item_name(customers, rec->product, &product_len);
        if ((st = format_set(customers, sep, r->antecedent, r->antecedent_size, &b, 0, &xl, err)) != CRM_OK)
            break;
        /* "{a,b} => {c}" */
        if ((st = reserve(&b, xl + 4, err)) != CRM_OK)
            break;
        memcpy(b.text + xl, " => ", 4);
        if ((st = format_set(customers, sep, r->consequent, r->consequent_size, &b, xl + 4, &yl,
                             err)) != CRM_OK)
            break;
        if ((st = crm_csv_write_field(w, key, key_len)) != CRM_OK ||
            (st = crm_csv_write_field(w, product, product_len)) != CRM_OK ||
            (st = crm_csv_write_double(w, rec->score)) != CRM_OK ||
            (st = crm_csv_write_field(w, b.text, xl + 4 + yl)) != CRM_OK)
            break;   /* the writer's status, for the caller to name */
        size_t ll = 0;
        if (st == CRM_OK && labels) {
            const char *label = crm_basket_db_item_label(labels, rec->product, &ll);
            if ((st = crm_csv_write_field(w, label ? label : "", ll)) != CRM_OK)
                break;   /* the writer's status, for the caller to name */
        }
        if (st == CRM_OK && (st = crm_csv_end_row(w)) != CRM_OK)
            break;   /* the writer's status, for the caller to name */
    }
    free(b.text);
    return st;
}

