#include "crm/basket_partial.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/number.h"
#include "crm/shard.h"
#include "crm/strtab.h"

typedef struct {
    uint32_t *items;              /* ids in crm_basket_partial.names */
    size_t n, cap;
} edge_basket;

struct crm_basket_partial {
    crm_basket_partial_settings settings;
    int has_settings;
    crm_basket_partial_coverage coverage;
    int has_coverage;
    uint64_t pieces, baskets, slack;
    crm_basket_db_stats stats;
    crm_strtab *sets;             /* itemset texts */
    uint64_t *set_count;
    size_t set_cap;
    crm_strtab *edge_keys;
    edge_basket *edges;
    size_t edges_cap;
    uint64_t edge_items;
    crm_strtab *names;            /* item names of the edges */
    crm_hashset *key_seen;        /* hashes of the counted baskets' keys */
    uint64_t *key_hash;           /* in the order added */
    size_t nkeys, key_cap;
    crm_strtab *key_text;         /* the keys themselves, while every one is known */
    int keys_hashed_only;         /* a key came without its text: write hashes only */
};

static const char *const header[4] = {"record", "key", "value", "count"};
enum { F_RECORD = 0, F_KEY, F_VALUE, F_COUNT };
static const char *const empty_names[] = {"count", "skip", "error"};

uint64_t crm_basket_partial_key_hash(const char *key, size_t len)
{
    return crm_shard_hash(key, len);
}

crm_status crm_basket_partial_new(crm_basket_partial **out, crm_error *err)
{
    crm_basket_partial *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return crm_basket_no_memory(err);
    p->sets = crm_strtab_new(1024);
    p->edge_keys = crm_strtab_new(16);
    p->names = crm_strtab_new(64);
    p->key_seen = crm_hashset_new(1024);
    p->key_text = crm_strtab_new(1024);
    if (!p->sets || !p->edge_keys || !p->names || !p->key_seen || !p->key_text) {
        crm_basket_partial_free(p);
        return crm_basket_no_memory(err);
    }
    *out = p;
    return CRM_OK;
}

void crm_basket_partial_free(crm_basket_partial *p)
{
    if (!p)
        return;
    crm_strtab_free(p->sets);
    free(p->set_count);
    size_t nedges = p->edge_keys ? crm_strtab_count(p->edge_keys) : 0;
    for (size_t i = 0; i < nedges; i++)
        free(p->edges[i].items);
    free(p->edges);
    crm_strtab_free(p->edge_keys);
    crm_strtab_free(p->names);
    crm_hashset_free(p->key_seen);
    free(p->key_hash);
    crm_strtab_free(p->key_text);
    free(p);
}

/* ---- building ---- */

crm_status crm_basket_partial_set_settings(crm_basket_partial *p, const crm_basket_partial_settings *s,
                                           crm_error *err)
{
    if (!p->has_settings) {
        p->settings = *s;
        p->has_settings = 1;
        return CRM_OK;
    }
    const crm_basket_partial_settings *o = &p->settings;
    const char *what = o->phase != s->phase ? "phase" : o->support != s->support ? "support"
                       : o->max_len != s->max_len ? "max_len" : o->separator != s->separator ? "separator"
                       : o->empty != s->empty ? "empty" : NULL;
    if (what)
        return crm_error_set(err, CRM_EDATA, "the %s differs from that of the partials before", what);
    return CRM_OK;
}

crm_status crm_basket_partial_set_coverage(crm_basket_partial *p, const crm_basket_partial_coverage *c,
                                           crm_error *err)
{
    if (!p->has_coverage) {
        p->coverage = *c;
        p->has_coverage = 1;
        return CRM_OK;
    }
    if (memcmp(&p->coverage, c, sizeof *c) != 0)
        return crm_error_set(err, CRM_EDATA, "the candidates differ from those of the partials before (each "
                             "piece's pass 2 must be given the pass-1 files of all pieces)");
    return CRM_OK;
}

void crm_basket_partial_add_slack(crm_basket_partial *p, uint64_t slack)
{
    p->slack += slack;
}

uint64_t crm_basket_partial_slack(const crm_basket_partial *p)
{
    return p->slack;
}

void crm_basket_partial_add_baskets(crm_basket_partial *p, uint64_t pieces, uint64_t baskets,
                                    const crm_basket_db_stats *stats)
{
    p->pieces += pieces;
    p->baskets += baskets;
    if (stats) {
        p->stats.empty_baskets += stats->empty_baskets;
        p->stats.empty_items += stats->empty_items;
        p->stats.duplicate_items += stats->duplicate_items;
        p->stats.excluded_items += stats->excluded_items;
    }
}

crm_status crm_basket_partial_add_itemset(crm_basket_partial *p, const char *text, size_t len, uint64_t count,
                                          crm_error *err)
{
    uint32_t id;
    int added = crm_strtab_intern(p->sets, text, len, &id);
    if (added < 0 || !crm_array_reserve(&p->set_count, &p->set_cap, (size_t)id + 1, sizeof *p->set_count))
        return crm_basket_no_memory(err);
    if (added)
        p->set_count[id] = 0;
    if (p->set_count[id] > UINT64_MAX - count)
        return crm_error_set(err, CRM_EDATA, "itemset counts add up past 2^64");
    p->set_count[id] += count;
    return CRM_OK;
}

crm_status crm_basket_partial_add_edge(crm_basket_partial *p, const char *key, size_t key_len,
                                       const char *const *items, const size_t *lens, size_t n, crm_error *err)
{
    uint32_t id;
    int added = crm_strtab_intern(p->edge_keys, key, key_len, &id);
    if (added < 0 || !crm_array_reserve(&p->edges, &p->edges_cap, (size_t)id + 1, sizeof *p->edges))
        return crm_basket_no_memory(err);
    edge_basket *e = &p->edges[id];
    if (added)
        memset(e, 0, sizeof *e);
    if (!crm_array_reserve(&e->items, &e->cap, e->n + n + 1, sizeof *e->items))
        return crm_basket_no_memory(err);
    for (size_t i = 0; i < n; i++) {
        if (crm_strtab_intern(p->names, items[i], lens[i], &e->items[e->n]) < 0)
            return crm_basket_no_memory(err);
        e->n++;
    }
    p->edge_items += n;
    return CRM_OK;
}

crm_status crm_basket_partial_add_key(crm_basket_partial *p, const char *key, size_t len, uint64_t hash,
                                      crm_error *err)
{
    int added = crm_hashset_add(p->key_seen, hash);
    if (added < 0)
        return crm_basket_no_memory(err);
    if (!added) {
        char shown[128];
        if (key)
            return crm_error_set(err, CRM_EDATA, "basket '%s' is counted in another piece too",
                                 crm_error_quote(shown, sizeof shown, key, len));
        return crm_error_set(err, CRM_EDATA, "the basket of key hash %016" PRIx64 " is counted in another "
                             "piece too", hash);
    }
    if (!crm_array_reserve(&p->key_hash, &p->key_cap, p->nkeys + 1, sizeof *p->key_hash))
        return crm_basket_no_memory(err);
    p->key_hash[p->nkeys++] = hash;
    if (!key)
        p->keys_hashed_only = 1;
    if (p->keys_hashed_only && p->key_text) {
        crm_strtab_free(p->key_text);   /* a merged file keeps the hashes only */
        p->key_text = NULL;
    }
    uint32_t id;
    if (p->key_text && crm_strtab_intern(p->key_text, key, len, &id) < 0)
        return crm_basket_no_memory(err);
    return CRM_OK;
}

/* ---- reading back ---- */

const crm_basket_partial_settings *crm_basket_partial_settings_get(const crm_basket_partial *p)
{
    return p->has_settings ? &p->settings : NULL;
}

const crm_basket_partial_coverage *crm_basket_partial_coverage_get(const crm_basket_partial *p)
{
    return p->has_coverage ? &p->coverage : NULL;
}

uint64_t crm_basket_partial_pieces(const crm_basket_partial *p)
{
    return p->pieces;
}

uint64_t crm_basket_partial_baskets(const crm_basket_partial *p)
{
    return p->baskets;
}

const crm_basket_db_stats *crm_basket_partial_stats(const crm_basket_partial *p)
{
    return &p->stats;
}

size_t crm_basket_partial_itemset_count(const crm_basket_partial *p)
{
    return crm_strtab_count(p->sets);
}

const char *crm_basket_partial_itemset(const crm_basket_partial *p, size_t i, size_t *len, uint64_t *count)
{
    *count = p->set_count[i];
    return crm_strtab_get(p->sets, (uint32_t)i, len);
}

size_t crm_basket_partial_edge_count(const crm_basket_partial *p)
{
    return crm_strtab_count(p->edge_keys);
}

const char *crm_basket_partial_edge(const crm_basket_partial *p, size_t i, size_t *key_len, size_t *nitems)
{
    *nitems = p->edges[i].n;
    return crm_strtab_get(p->edge_keys, (uint32_t)i, key_len);
}

const char *crm_basket_partial_edge_item(const crm_basket_partial *p, size_t i, size_t j, size_t *len)
{
    return crm_strtab_get(p->names, p->edges[i].items[j], len);
}

uint64_t crm_basket_partial_edge_items(const crm_basket_partial *p)
{
    return p->edge_items;
}

crm_status crm_basket_partial_check_edges(const crm_basket_partial *p, crm_error *err)
{
    size_t n = crm_strtab_count(p->edge_keys);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *key = crm_strtab_get(p->edge_keys, (uint32_t)i, &len);
        if (crm_hashset_contains(p->key_seen, crm_basket_partial_key_hash(key, len))) {
            char shown[128];
            return crm_error_set(err, CRM_EDATA, "basket '%s' begins or ends one piece and is counted "
                                 "inside another: the rows of one basket must be contiguous in a split input "
                                 "(see crm-basket(1), SPLIT RUNS)", crm_error_quote(shown, sizeof shown, key, len));
        }
    }
    return CRM_OK;
}

/* ---- writing ---- */

typedef struct {
    crm_csv_writer *w;
    crm_status st;
} row_writer;

static void put_row(row_writer *rw, const char *record, const char *key, size_t key_len, const char *value,
                    size_t value_len, int has_count, uint64_t count)
{
    if (rw->st != CRM_OK)
        return;
    char digits[24];
    size_t dl = has_count ? (size_t)snprintf(digits, sizeof digits, "%" PRIu64, count) : 0;
    const char *fields[4] = {record, key ? key : "", value ? value : "", digits};
    size_t lens[4] = {strlen(record), key ? key_len : 0, value ? value_len : 0, dl};
    rw->st = crm_csv_write_row(rw->w, fields, lens, 4);
}

static void put_text(row_writer *rw, const char *record, const char *value)
{
    put_row(rw, record, NULL, 0, value, strlen(value), 0, 0);
}

static void put_count(row_writer *rw, const char *record, uint64_t count)
{
    put_row(rw, record, NULL, 0, NULL, 0, 1, count);
}

/* "{" text "}" into a growing buffer. */
static int braced(char **buf, size_t *cap, const char *text, size_t len)
{
    if (!crm_array_reserve(buf, cap, len + 3, 1))
        return 0;
    (*buf)[0] = '{';
    memcpy(*buf + 1, text, len);
    (*buf)[len + 1] = '}';
    (*buf)[len + 2] = '\0';
    return 1;
}

static void put_settings(row_writer *rw, const crm_basket_partial *p)
{
    char text[CRM_NUMBER_TEXT_MAX], sep[2] = {p->settings.separator, '\0'};
    put_text(rw, "phase", p->settings.phase == 1 ? "1" : "2");
    crm_double_format(p->settings.support, text);
    put_text(rw, "support", text);
    snprintf(text, sizeof text, "%zu", p->settings.max_len);
    put_text(rw, "max_len", text);
    put_text(rw, "separator", sep);
    put_text(rw, "empty", empty_names[p->settings.empty]);
    put_count(rw, "pieces", p->pieces);
    put_count(rw, "baskets", p->baskets);
    if (p->settings.phase == 1)
        put_count(rw, "slack", p->slack);
    put_count(rw, "empty_baskets", p->stats.empty_baskets);
    put_count(rw, "empty_items", p->stats.empty_items);
    put_count(rw, "duplicate_items", p->stats.duplicate_items);
    put_count(rw, "excluded_items", p->stats.excluded_items);
    if (p->has_coverage) {
        char digest[17];
        snprintf(digest, sizeof digest, "%016" PRIx64, p->coverage.digest);
        put_row(rw, "candidates", digest, 16, NULL, 0, 1, p->coverage.count);
        put_count(rw, "covered_pieces", p->coverage.pieces);
        put_count(rw, "covered_baskets", p->coverage.baskets);
        put_count(rw, "covered_edge_items", p->coverage.edge_items);
    }
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static crm_status put_keys(row_writer *rw, const crm_basket_partial *p, crm_error *err)
{
    char hex[17];
    if (p->key_text) {   /* a piece's own keys, in its order */
        for (size_t i = 0; i < p->nkeys && rw->st == CRM_OK; i++) {
            size_t len;
            const char *key = crm_strtab_get(p->key_text, (uint32_t)i, &len);
            snprintf(hex, sizeof hex, "%016" PRIx64, p->key_hash[i]);
            put_row(rw, "basket", key, len, hex, 16, 0, 0);
        }
        return CRM_OK;
    }
    /* hashes only: sorted, so that a merge's file does not depend on the
     * order of its inputs' keys */
    uint64_t *sorted = malloc((p->nkeys ? p->nkeys : 1) * sizeof *sorted);
    if (!sorted)
        return crm_basket_no_memory(err);
    memcpy(sorted, p->key_hash, p->nkeys * sizeof *sorted);
    qsort(sorted, p->nkeys, sizeof *sorted, compare_u64);
    for (size_t i = 0; i < p->nkeys && rw->st == CRM_OK; i++) {
        snprintf(hex, sizeof hex, "%016" PRIx64, sorted[i]);
        put_row(rw, "basket", NULL, 0, hex, 16, 0, 0);
    }
    free(sorted);
    return CRM_OK;
}

crm_status crm_basket_partial_write(const crm_basket_partial *p, crm_csv_writer *w, crm_error *err)
{
    if (!p->has_settings)
        return crm_error_set(err, CRM_EUSAGE, "a partial needs its settings before it is written");
    row_writer rw = {w, crm_csv_write_row(w, header, NULL, 4)};
    put_settings(&rw, p);
    char *buf = NULL;
    size_t cap = 0;
    crm_status st = CRM_OK;
    size_t nsets = crm_strtab_count(p->sets);
    for (size_t i = 0; i < nsets && rw.st == CRM_OK && st == CRM_OK; i++) {
        size_t len;
        const char *text = crm_strtab_get(p->sets, (uint32_t)i, &len);
        if (!braced(&buf, &cap, text, len))
            st = crm_basket_no_memory(err);
        else
            put_row(&rw, "itemset", NULL, 0, buf, len + 2, 1, p->set_count[i]);
    }
    size_t nedges = crm_strtab_count(p->edge_keys);
    for (size_t i = 0; i < nedges && rw.st == CRM_OK && st == CRM_OK; i++) {
        size_t key_len, used = 0;
        const char *key = crm_strtab_get(p->edge_keys, (uint32_t)i, &key_len);
        const edge_basket *e = &p->edges[i];
        for (size_t j = 0; j < e->n && st == CRM_OK; j++) {
            size_t len;
            const char *name = crm_strtab_get(p->names, e->items[j], &len);
            if (!crm_array_reserve(&buf, &cap, used + len + 1, 1))
                st = crm_basket_no_memory(err);
            else {
                if (j > 0)
                    buf[used++] = p->settings.separator;
                memcpy(buf + used, name, len);
                used += len;
            }
        }
        /* braced() copies, so the joined names go through a second buffer */
        char *joined = st == CRM_OK && used ? malloc(used) : NULL;
        if (st == CRM_OK && used && !joined)
            st = crm_basket_no_memory(err);
        if (joined)
            memcpy(joined, buf, used);
        if (st == CRM_OK && !braced(&buf, &cap, joined ? joined : "", used))
            st = crm_basket_no_memory(err);
        free(joined);
        if (st == CRM_OK)
            put_row(&rw, "edge", key, key_len, buf, used + 2, 0, 0);
    }
    free(buf);
    if (st == CRM_OK && rw.st == CRM_OK)
        st = put_keys(&rw, p, err);
    return st != CRM_OK ? st : rw.st;
}

/* ---- reading ---- */

typedef struct {
    crm_basket_partial *p;
    const crm_csv_reader *r;
    const crm_csv_record *rec;
    crm_basket_partial_settings settings;   /* this file's, as its rows come */
    unsigned seen;                           /* which settings rows this file gave */
    crm_basket_partial_coverage coverage;
    unsigned covered;
    const char **names;
    size_t *lens, names_cap, lens_cap;
} file_reader;

enum { SEEN_PHASE = 1, SEEN_SUPPORT = 2, SEEN_MAX_LEN = 4, SEEN_SEPARATOR = 8, SEEN_EMPTY = 16, SEEN_ALL = 31 };
enum { COVER_CANDIDATES = 1, COVER_PIECES = 2, COVER_BASKETS = 4, COVER_EDGE_ITEMS = 8, COVER_ALL = 15 };

static crm_status field_error(const file_reader *f, size_t field, const char *what, crm_error *err)
{
    char shown[160];
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': '%s' %s", crm_csv_input_name(f->r),
                         (unsigned long long)f->rec->line, header[field],
                         crm_error_quote(shown, sizeof shown, f->rec->fields[field], f->rec->lengths[field]),
                         what);
}

static crm_status where(const file_reader *f, crm_status st, crm_error *err)
{
    if (st != CRM_OK && st != CRM_ENOMEM)
        crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(f->r), (unsigned long long)f->rec->line);
    return st;
}

static int field_is(const file_reader *f, size_t field, const char *text)
{
    size_t len = strlen(text);
    return f->rec->lengths[field] == len && memcmp(f->rec->fields[field], text, len) == 0;
}

static crm_status read_count(const file_reader *f, size_t field, uint64_t *out, crm_error *err)
{
    const char *s = f->rec->fields[field];
    size_t len = f->rec->lengths[field];
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return field_error(f, field, "is not a count (a whole number)", err);
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (len == 0)
        return field_error(f, field, "is not a count (a whole number)", err);
    *out = v;
    return CRM_OK;
}

static crm_status read_hex(const file_reader *f, size_t field, uint64_t *out, crm_error *err)
{
    const char *s = f->rec->fields[field];
    if (f->rec->lengths[field] != 16 || strspn(s, "0123456789abcdef") != 16)
        return field_error(f, field, "is not a key hash (16 lower-case hex digits)", err);
    *out = strtoull(s, NULL, 16);
    return CRM_OK;
}

/* A setting row: parsed into this file's settings. */
static crm_status read_setting(file_reader *f, const char *name, crm_error *err)
{
    const char *v = f->rec->fields[F_VALUE];
    size_t len = f->rec->lengths[F_VALUE];
    crm_basket_partial_settings *s = &f->settings;
    if (strcmp(name, "phase") == 0) {
        if (!field_is(f, F_VALUE, "1") && !field_is(f, F_VALUE, "2"))
            return field_error(f, F_VALUE, "is not a phase (1 or 2)", err);
        s->phase = v[0] - '0';
        f->seen |= SEEN_PHASE;
    } else if (strcmp(name, "support") == 0) {
        if (crm_parse_double(v, len, NULL, &s->support) != CRM_OK || !(s->support > 0 && s->support <= 1))
            return field_error(f, F_VALUE, "is not a support (a fraction above 0, at most 1)", err);
        f->seen |= SEEN_SUPPORT;
    } else if (strcmp(name, "max_len") == 0) {
        uint64_t n;
        crm_status st = read_count(f, F_VALUE, &n, err);
        if (st != CRM_OK)
            return st;
        s->max_len = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
        f->seen |= SEEN_MAX_LEN;
    } else if (strcmp(name, "separator") == 0) {
        if (len != 1 || v[0] == '{' || v[0] == '}' || v[0] == '\n' || v[0] == '\r')
            return field_error(f, F_VALUE, "is not an item separator (one character)", err);
        s->separator = v[0];
        f->seen |= SEEN_SEPARATOR;
    } else {
        int k = 0;
        while (k < 3 && !field_is(f, F_VALUE, empty_names[k]))
            k++;
        if (k == 3)
            return field_error(f, F_VALUE, "is not an empty-basket policy (count, skip or error)", err);
        s->empty = (crm_basket_empty_policy)k;
        f->seen |= SEEN_EMPTY;
    }
    if ((f->seen & SEEN_ALL) == SEEN_ALL) {
        f->seen |= 32;
        crm_status st = crm_basket_partial_set_settings(f->p, s, err);
        if (st != CRM_OK)
            return where(f, st, err);
    }
    return CRM_OK;
}

static crm_status need_settings(const file_reader *f, crm_error *err)
{
    if (f->seen & 32)
        return CRM_OK;
    return crm_error_set(err, CRM_EDATA, "%s:%llu: column 'record': '%s' comes before the settings rows "
                         "(phase, support, max_len, separator, empty)", crm_csv_input_name(f->r),
                         (unsigned long long)f->rec->line, f->rec->fields[F_RECORD]);
}

/* "{a,b}": the names between the braces; empty names refused. */
static crm_status read_items(file_reader *f, int allow_empty, size_t *n, crm_error *err)
{
    const char *text = f->rec->fields[F_VALUE];
    size_t len = f->rec->lengths[F_VALUE];
    char sep = f->p->settings.separator;
    *n = 0;
    if (len < 2 || text[0] != '{' || text[len - 1] != '}')
        return field_error(f, F_VALUE, "is not a set of items written {a,b}", err);
    if (len == 2)
        return allow_empty ? CRM_OK : field_error(f, F_VALUE, "has no items", err);
    const char *p = text + 1, *end = text + len - 1;
    for (;;) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        size_t l = (size_t)((q ? q : end) - p);
        if (l == 0)
            return field_error(f, F_VALUE, "has an empty item name", err);
        if (!crm_array_reserve(&f->names, &f->names_cap, *n + 1, sizeof *f->names) ||
            !crm_array_reserve(&f->lens, &f->lens_cap, *n + 1, sizeof *f->lens))
            return crm_basket_no_memory(err);
        f->names[*n] = p;
        f->lens[(*n)++] = l;
        if (!q)
            return CRM_OK;
        p = q + 1;
    }
}

static int name_less(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c < 0 || (c == 0 && al < bl);
}

static crm_status read_itemset(file_reader *f, crm_error *err)
{
    size_t n;
    uint64_t count;
    crm_status st = read_items(f, 0, &n, err);
    if (st == CRM_OK)
        st = read_count(f, F_COUNT, &count, err);
    if (st != CRM_OK)
        return st;
    /* the text is the itemset's identity: its names strictly in byte order */
    for (size_t i = 1; i < n; i++) {
        if (!name_less(f->names[i - 1], f->lens[i - 1], f->names[i], f->lens[i]))
            return field_error(f, F_VALUE, "does not list its items once each in byte order", err);
    }
    const char *text = f->rec->fields[F_VALUE] + 1;
    return where(f, crm_basket_partial_add_itemset(f->p, text, f->rec->lengths[F_VALUE] - 2, count, err), err);
}

static crm_status read_edge(file_reader *f, crm_error *err)
{
    size_t n;
    if (f->rec->lengths[F_KEY] == 0)
        return field_error(f, F_KEY, "is not a basket key (empty)", err);
    crm_status st = read_items(f, 1, &n, err);
    if (st != CRM_OK)
        return st;
    return where(f, crm_basket_partial_add_edge(f->p, f->rec->fields[F_KEY], f->rec->lengths[F_KEY], f->names,
                                                f->lens, n, err), err);
}

static crm_status read_key(file_reader *f, crm_error *err)
{
    uint64_t hash = 0;
    crm_status st = read_hex(f, F_VALUE, &hash, err);
    if (st != CRM_OK)
        return st;
    size_t len = f->rec->lengths[F_KEY];
    if (len && crm_basket_partial_key_hash(f->rec->fields[F_KEY], len) != hash)
        return field_error(f, F_VALUE, "is not the hash of the key", err);
    st = crm_basket_partial_add_key(f->p, len ? f->rec->fields[F_KEY] : NULL, len, hash, err);
    if (st == CRM_EDATA) {
        crm_error_prefix(err, "%s:%llu: column '%s': ", crm_csv_input_name(f->r), (unsigned long long)f->rec->line,
                         header[len ? F_KEY : F_VALUE]);
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, ": the rows of one basket must be contiguous "
                 "in a split input (see crm-basket(1), SPLIT RUNS)");
    }
    return st;
}

static crm_status read_covered(file_reader *f, const char *name, crm_error *err)
{
    uint64_t v;
    crm_status st = read_count(f, F_COUNT, &v, err);
    if (st != CRM_OK)
        return st;
    if (strcmp(name, "candidates") == 0) {
        if ((st = read_hex(f, F_KEY, &f->coverage.digest, err)) != CRM_OK)
            return st;
        f->coverage.count = v;
        f->covered |= COVER_CANDIDATES;
    } else if (strcmp(name, "covered_pieces") == 0) {
        f->coverage.pieces = v;
        f->covered |= COVER_PIECES;
    } else if (strcmp(name, "covered_baskets") == 0) {
        f->coverage.baskets = v;
        f->covered |= COVER_BASKETS;
    } else {
        f->coverage.edge_items = v;
        f->covered |= COVER_EDGE_ITEMS;
    }
    if (f->covered == COVER_ALL) {
        f->covered = 0;
        return where(f, crm_basket_partial_set_coverage(f->p, &f->coverage, err), err);
    }
    return CRM_OK;
}

static crm_status read_sum(file_reader *f, const char *name, crm_error *err)
{
    uint64_t v;
    crm_status st = read_count(f, F_COUNT, &v, err);
    if (st != CRM_OK)
        return st;
    crm_basket_db_stats s = {0};
    uint64_t *target = strcmp(name, "pieces") == 0 ? &f->p->pieces : strcmp(name, "baskets") == 0 ? &f->p->baskets
                     : strcmp(name, "slack") == 0 ? &f->p->slack
                     : strcmp(name, "empty_baskets") == 0 ? &s.empty_baskets
                     : strcmp(name, "empty_items") == 0 ? &s.empty_items
                     : strcmp(name, "duplicate_items") == 0 ? &s.duplicate_items : &s.excluded_items;
    if (target == &f->p->pieces || target == &f->p->baskets || target == &f->p->slack) {
        if (*target > UINT64_MAX - v)
            return field_error(f, F_COUNT, "adds up past 2^64", err);
        *target += v;
        return CRM_OK;
    }
    *target = v;
    crm_basket_partial_add_baskets(f->p, 0, 0, &s);
    return CRM_OK;
}

static int is_header(const crm_csv_record *rec)
{
    if (rec->nfields != 4)
        return 0;
    for (size_t i = 0; i < 4; i++) {
        if (rec->lengths[i] != strlen(header[i]) || memcmp(rec->fields[i], header[i], rec->lengths[i]) != 0)
            return 0;
    }
    return 1;
}

static crm_status read_row(file_reader *f, crm_error *err)
{
    static const char *const settings[] = {"phase", "support", "max_len", "separator", "empty", NULL};
    static const char *const sums[] = {"pieces", "baskets", "slack", "empty_baskets", "empty_items", "duplicate_items",
                                       "excluded_items", NULL};
    static const char *const covers[] = {"candidates", "covered_pieces", "covered_baskets", "covered_edge_items",
                                         NULL};
    const char *name = f->rec->fields[F_RECORD];
    if (is_header(f->rec)) {   /* concatenated partials: the next file starts */
        f->seen = 0;
        f->covered = 0;
        return CRM_OK;
    }
    for (size_t i = 0; settings[i]; i++) {
        if (strcmp(name, settings[i]) == 0)
            return read_setting(f, name, err);
    }
    crm_status st = need_settings(f, err);
    if (st != CRM_OK)
        return st;
    for (size_t i = 0; sums[i]; i++) {
        if (strcmp(name, sums[i]) == 0)
            return read_sum(f, name, err);
    }
    for (size_t i = 0; covers[i]; i++) {
        if (strcmp(name, covers[i]) == 0)
            return read_covered(f, name, err);
    }
    if (strcmp(name, "itemset") == 0)
        return read_itemset(f, err);
    if (strcmp(name, "edge") == 0)
        return read_edge(f, err);
    if (strcmp(name, "basket") == 0)
        return read_key(f, err);
    return field_error(f, F_RECORD, "is not a record of a crm-basket partial file", err);
}

crm_status crm_basket_partial_read(crm_basket_partial *p, const char *path, const crm_csv_options *opts,
                                   crm_error *err)
{
    crm_csv_options o = *opts;
    o.delimiter = ',';   /* the file is crm-basket's own */
    o.no_header = 0;
    o.encoding = NULL;
    crm_csv_reader *r;
    crm_status st = crm_csv_open(&r, path, &o, err);
    if (st != CRM_OK)
        return st;
    file_reader f = {.p = p, .r = r};
    const crm_csv_record *h = crm_csv_header(r);
    if (!h || !is_header(h))
        st = crm_error_set(err, CRM_EDATA, "%s:1: not a crm-basket partial file (expected the header "
                           "record,key,value,count)", crm_csv_input_name(r));
    while (st == CRM_OK && (st = crm_csv_next(r, &f.rec, err)) == CRM_OK && f.rec) {
        if (f.rec->defect != CRM_CSV_RECORD_OK)
            st = crm_csv_defect_error(r, f.rec, err);
        else if ((st = crm_csv_check_width(r, f.rec, 4, err)) == CRM_OK)
            st = read_row(&f, err);
    }
    if (st == CRM_OK && !(f.seen & 32))
        st = crm_error_set(err, CRM_EDATA, "%s: no settings rows: not a crm-basket partial file",
                           crm_csv_input_name(r));
    if (st == CRM_OK && f.covered)
        st = crm_error_set(err, CRM_EDATA, "%s: the candidates and covered_* rows of pass 2 are incomplete",
                           crm_csv_input_name(r));
    free(f.names);
    free(f.lens);
    crm_csv_close(r);
    return st;
}
