/* Unit tests of crm/basket.h and crm/fpgrowth.h (through basket.h).
 *
 * Sources of the expected numbers:
 * - the 7-basket example: derived by hand in the comments below;
 * - groceries: the published arules figures (see tests/data/groceries/README.md
 *   and /work/shared/data/groceries/README.md): 13,492 frequent itemsets at
 *   support 0.001, 5,668 rules at confidence 0.5 with lengths 2:11, 3:1461,
 *   4:3211, 5:939, 6:46, and {honey} => {whole milk} with support 0.001118454,
 *   confidence 0.7333333, lift 2.870009;
 * - closed, maximal and rules on random databases: an independent brute-force
 *   enumeration of every subset of items inside this file. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "crm/basket.h"
#include "crm/basket_itemsets.h"
#include "crm/basket_recommend.h"
#include "crm/basket_rules.h"
#include "crm/csv.h"

/* ---- helpers ---- */

/* cmocka 1.1 has no floating-point assertion. */
#define assert_double_equal(got, want, tolerance) \
    check_near((got), (want), (tolerance), #got, __FILE__, __LINE__)

static void check_near(double got, double want, double tolerance, const char *what,
                       const char *file, int line)
{
    if (!(fabs(got - want) <= tolerance))
        fail_msg("%s:%d: %s is %.17g, want %.17g within %g", file, line, what, got, want,
                 tolerance);
}

/* Builds a database of whole baskets written as strings of one-letter items
 * ("abc" is the basket {a, b, c}). */
static crm_basket_db *letters_db_sharing(const char *const *baskets, size_t n, crm_strtab *items)
{
    crm_basket_db_options o;
    crm_basket_db_options_init(&o);
    o.items = items;
    crm_basket_db *db;
    crm_error err;
    assert_int_equal(crm_basket_db_new(&db, &o, &err), CRM_OK);
    for (size_t i = 0; i < n; i++) {
        const char *names[26];
        size_t lens[26], m = strlen(baskets[i]);
        for (size_t j = 0; j < m; j++) {
            names[j] = baskets[i] + j;
            lens[j] = 1;
        }
        assert_int_equal(crm_basket_db_add(db, names, lens, m, &err), CRM_OK);
    }
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    return db;
}

static crm_basket_db *letters_db(const char *const *baskets, size_t n)
{
    return letters_db_sharing(baskets, n, NULL);
}

static const char *const seven[] = { "abc", "ab", "abd", "be", "ac", "ce", "abde" };

static crm_basket_itemsets *mine(const crm_basket_db *db, uint64_t min_count, size_t max_len,
                                 crm_basket_target target)
{
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    mo.min_count = min_count;
    mo.max_len = max_len;
    mo.target = target;
    crm_basket_itemsets *sets;
    crm_error err;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_OK);
    return sets;
}

/* "{a,b}" for a list of items. */
static void items_text(const crm_basket_db *db, const uint32_t *items, size_t n, char *buf,
                       size_t cap)
{
    char inner[512];
    size_t need = crm_basket_format_items(db, items, n, ',', inner, sizeof inner);
    assert_true(need < sizeof inner);
    snprintf(buf, cap, "{%s}", inner);
}

static void rule_text(const crm_basket_db *db, const crm_basket_rule *r, char *buf, size_t cap)
{
    char x[600], y[600];
    items_text(db, r->antecedent, r->antecedent_size, x, sizeof x);
    items_text(db, r->consequent, r->consequent_size, y, sizeof y);
    snprintf(buf, cap, "%s=>%s", x, y);
}

static uint32_t item_id(const crm_basket_db *db, const char *name)
{
    uint32_t id;
    assert_int_equal(crm_basket_db_find_item(db, name, strlen(name), &id), 1);
    return id;
}

static const crm_basket_rule *find_rule(const crm_basket_db *db, const crm_basket_rules *rules,
                                        const char *text)
{
    char buf[1300];
    for (size_t i = 0; i < crm_basket_rules_count(rules); i++) {
        rule_text(db, crm_basket_rules_get(rules, i), buf, sizeof buf);
        if (strcmp(buf, text) == 0)
            return crm_basket_rules_get(rules, i);
    }
    fail_msg("rule %s not found", text);
    return NULL;
}

/* ---- support threshold ---- */

static void test_min_count_rule(void **state)
{
    (void)state;
    crm_error err;
    uint64_t c;
    /* 0.001 * 9835 = 9.835 -> 10 (groceries; arules mines count >= 10) */
    assert_int_equal(crm_basket_min_count(0.001, 9835, &c, &err), CRM_OK);
    assert_int_equal(c, 10);
    /* 0.07 * 100 is 7.000000000000001 in doubles (a plain ceil would give 8);
     * 0.14 * 100 is 14.000000000000002; 0.29 * 100 is 28.999999999999996 */
    assert_int_equal(crm_basket_min_count(0.07, 100, &c, &err), CRM_OK);
    assert_int_equal(c, 7);
    assert_int_equal(crm_basket_min_count(0.14, 100, &c, &err), CRM_OK);
    assert_int_equal(c, 14);
    assert_int_equal(crm_basket_min_count(0.29, 100, &c, &err), CRM_OK);
    assert_int_equal(c, 29);
    /* 0.25 * 7 = 1.75 -> 2 (the 7-basket example) */
    assert_int_equal(crm_basket_min_count(0.25, 7, &c, &err), CRM_OK);
    assert_int_equal(c, 2);
    /* 0.0001 * 88162 = 8.8162 -> 9 (FIMI retail at 0.01%) */
    assert_int_equal(crm_basket_min_count(0.0001, 88162, &c, &err), CRM_OK);
    assert_int_equal(c, 9);
    /* support 1: every basket */
    assert_int_equal(crm_basket_min_count(1.0, 7, &c, &err), CRM_OK);
    assert_int_equal(c, 7);
    /* a tiny support still needs one basket */
    assert_int_equal(crm_basket_min_count(1e-9, 7, &c, &err), CRM_OK);
    assert_int_equal(c, 1);
}

static void test_min_count_rejects_bad_support(void **state)
{
    (void)state;
    crm_error err;
    uint64_t c;
    assert_int_equal(crm_basket_min_count(0.0, 100, &c, &err), CRM_EUSAGE);
    assert_non_null(strstr(err.message, "above 0 and at most 1"));
    assert_int_equal(crm_basket_min_count(1.5, 100, &c, &err), CRM_EUSAGE);
    assert_non_null(strstr(err.message, "1.5"));
    assert_int_equal(crm_basket_min_count(-0.1, 100, &c, &err), CRM_EUSAGE);
    assert_int_equal(crm_basket_min_count(NAN, 100, &c, &err), CRM_EUSAGE);
    assert_int_equal(crm_basket_min_count(1.0000001, 100, &c, &err), CRM_EUSAGE);
}

/* ---- the 7-basket example ----
 * Baskets {abc, ab, abd, be, ac, ce, abde}, n = 7, support 0.25: count >= 2.
 * Items: a in abc ab abd ac abde = 5; b in abc ab abd be abde = 5;
 *        c in abc ac ce = 3; d in abd abde = 2; e in be ce abde = 3.
 * Pairs: ab 4 (abc ab abd abde), ac 2 (abc ac), ad 2 (abd abde),
 *        bd 2 (abd abde), be 2 (be abde); ae 1, bc 1, ce 1, de 1, cd 0.
 * Triples: abd 2 (abd abde); abc 1, abe 1, ade 1, bde 1, others 0.
 * Frequent: 5 + 5 + 1 = 11 itemsets. */

static void test_seven_itemsets(void **state)
{
    (void)state;
    crm_basket_db *db = letters_db(seven, 7);
    assert_int_equal(crm_basket_db_count(db), 7);
    crm_basket_itemsets *sets = mine(db, 2, 0, CRM_BASKET_FREQUENT);
    /* Documented order: size, count descending, names. */
    static const struct {
        const char *items;
        uint64_t count;
    } want[] = { { "{a}", 5 },   { "{b}", 5 },   { "{c}", 3 },   { "{e}", 3 },
                 { "{d}", 2 },   { "{a,b}", 4 }, { "{a,c}", 2 }, { "{a,d}", 2 },
                 { "{b,d}", 2 }, { "{b,e}", 2 }, { "{a,b,d}", 2 } };
    assert_int_equal(crm_basket_itemsets_count(sets), 11);
    for (size_t i = 0; i < 11; i++) {
        const crm_basket_itemset *s = crm_basket_itemsets_get(sets, i);
        char buf[600];
        items_text(db, s->items, s->size, buf, sizeof buf);
        assert_string_equal(buf, want[i].items);
        assert_int_equal(s->count, want[i].count);
        assert_double_equal(s->support, want[i].count / 7.0, 1e-15);
    }
    /* Lookups take items in any order; non-frequent sets give 0. */
    uint32_t ba[2] = { item_id(db, "b"), item_id(db, "a") };
    assert_int_equal(crm_basket_itemsets_lookup(sets, ba, 2), 4);
    uint32_t ce[2] = { item_id(db, "c"), item_id(db, "e") };
    assert_int_equal(crm_basket_itemsets_lookup(sets, ce, 2), 0);
    assert_int_equal(crm_basket_itemsets_lookup(sets, NULL, 0), 7);
    crm_basket_itemsets_free(sets);

    /* max_len 1: the five items; min_len 2: the six larger sets. */
    sets = mine(db, 2, 1, CRM_BASKET_FREQUENT);
    assert_int_equal(crm_basket_itemsets_count(sets), 5);
    crm_basket_itemsets_free(sets);
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    mo.min_count = 2;
    mo.min_len = 2;
    crm_error err;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_OK);
    assert_int_equal(crm_basket_itemsets_count(sets), 6);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);
}

/* Closed (no superset with the same count), from the counts above:
 *   a 5 (ab 4) closed; b 5 closed; c 3 (ac 2) closed; e 3 (be 2) closed;
 *   d 2 = ad 2: not closed; ab 4 (abd 2) closed; ac 2 (abc 1) closed;
 *   ad 2 = abd 2: not; bd 2 = abd 2: not; be 2 (abe 1) closed; abd closed.
 *   -> {a, b, c, e, ab, ac, be, abd}: 8.
 * Maximal (no frequent superset): ac (abc, acd, ace infrequent), be (abe,
 *   bce, bde infrequent), abd (no frequent 4-set) -> 3.
 * Closed with max_len 2 judged in the whole lattice: the 7 closed sets of
 *   at most 2 items (ad and bd stay out: abd has their count). */
static void test_seven_closed_maximal(void **state)
{
    (void)state;
    crm_basket_db *db = letters_db(seven, 7);
    char buf[600];
    static const char *const closed[] = { "{a}",   "{b}",   "{c}",   "{e}",
                                          "{a,b}", "{a,c}", "{b,e}", "{a,b,d}" };
    crm_basket_itemsets *sets = mine(db, 2, 0, CRM_BASKET_CLOSED);
    assert_int_equal(crm_basket_itemsets_count(sets), 8);
    for (size_t i = 0; i < 8; i++) {
        const crm_basket_itemset *s = crm_basket_itemsets_get(sets, i);
        items_text(db, s->items, s->size, buf, sizeof buf);
        assert_string_equal(buf, closed[i]);
    }
    crm_basket_itemsets_free(sets);

    static const char *const maximal[] = { "{a,c}", "{b,e}", "{a,b,d}" };
    sets = mine(db, 2, 0, CRM_BASKET_MAXIMAL);
    assert_int_equal(crm_basket_itemsets_count(sets), 3);
    for (size_t i = 0; i < 3; i++) {
        const crm_basket_itemset *s = crm_basket_itemsets_get(sets, i);
        items_text(db, s->items, s->size, buf, sizeof buf);
        assert_string_equal(buf, maximal[i]);
    }
    crm_basket_itemsets_free(sets);

    sets = mine(db, 2, 2, CRM_BASKET_CLOSED);
    assert_int_equal(crm_basket_itemsets_count(sets), 7);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);
}

/* Rules at support 0.25, confidence 0, one-item consequents (arules'
 * defaults otherwise: minlen 1, so {} => {x} rules come from single items):
 *   from the 5 frequent items: {} => {a}, {b}, {c}, {d}, {e}       5 rules
 *   from the 5 frequent pairs, both directions                    10 rules
 *   from abd: {a,b} => {d}, {a,d} => {b}, {b,d} => {a}             3 rules
 *   total 18.
 * Lift = count * n / (count(X) count(Y)):
 *   {a,b}=>{d}: 2*7/(4*2) = 1.75
 *   {d}=>{a}, {d}=>{b}: 2*7/(2*5) = 1.4 (confidence 1); {a}=>{d}, {b}=>{d}:
 *   1.4 (confidence 0.4); {a,d}=>{b}: 2*7/(2*5) = 1.4, {b,d}=>{a} 1.4 (conf 1)
 *   {a}=>{b}, {b}=>{a}: 4*7/(5*5) = 1.12 (confidence 0.8)
 *   {} => {x}: 1 (confidence 5/7, 5/7, 3/7, 3/7, 2/7 for a, b, c, e, d)
 *   {c}=>{a}, {e}=>{b}: 2*7/(3*5) = 14/15 (confidence 2/3); {a}=>{c},
 *   {b}=>{e}: 14/15 (confidence 0.4)
 * Sorted by lift, then confidence, count, length, antecedent, consequent. */
static void test_seven_rules(void **state)
{
    (void)state;
    crm_basket_db *db = letters_db(seven, 7);
    crm_basket_itemsets *sets = mine(db, 2, 0, CRM_BASKET_FREQUENT);
    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    crm_basket_rules *rules;
    crm_error err;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_OK);
    static const char *const want[] = {
        "{a,b}=>{d}",                                                      /* 1.75 */
        "{d}=>{a}", "{d}=>{b}", "{a,d}=>{b}", "{b,d}=>{a}", "{a}=>{d}", "{b}=>{d}", /* 1.4 */
        "{a}=>{b}", "{b}=>{a}",                                             /* 1.12 */
        "{}=>{a}", "{}=>{b}", "{}=>{c}", "{}=>{e}", "{}=>{d}",              /* 1 */
        "{c}=>{a}", "{e}=>{b}", "{a}=>{c}", "{b}=>{e}"                      /* 14/15 */
    };
    assert_int_equal(crm_basket_rules_count(rules), 18);
    char buf[1300];
    for (size_t i = 0; i < 18; i++) {
        rule_text(db, crm_basket_rules_get(rules, i), buf, sizeof buf);
        assert_string_equal(buf, want[i]);
    }

    /* {a} => {b}: count 4, count(a) 5, count(b) 5, n 7
     *   support 4/7 = 0.571428..., confidence 4/5 = 0.8, lift 0.8/(5/7) = 1.12,
     *   leverage 4/7 - (5/7)(5/7) = 3/49, conviction (1 - 5/7)/(1 - 0.8) = 10/7 */
    const crm_basket_rule *r = find_rule(db, rules, "{a}=>{b}");
    assert_int_equal(r->count, 4);
    assert_int_equal(r->antecedent_count, 5);
    assert_int_equal(r->consequent_count, 5);
    assert_double_equal(r->support, 4.0 / 7, 1e-15);
    assert_double_equal(r->confidence, 0.8, 1e-15);
    assert_double_equal(r->lift, 1.12, 1e-14);
    assert_double_equal(r->leverage, 3.0 / 49, 1e-15);
    assert_double_equal(r->conviction, 10.0 / 7, 1e-14);

    /* {a,b} => {d}: count 2, count(ab) 4, count(d) 2
     *   confidence 0.5, lift 0.5/(2/7) = 1.75, leverage 2/7 - (4/7)(2/7) = 6/49,
     *   conviction (1 - 2/7)/(1 - 0.5) = 10/7 */
    r = find_rule(db, rules, "{a,b}=>{d}");
    assert_double_equal(r->confidence, 0.5, 1e-15);
    assert_double_equal(r->lift, 1.75, 1e-14);
    assert_double_equal(r->leverage, 6.0 / 49, 1e-15);
    assert_double_equal(r->conviction, 10.0 / 7, 1e-14);

    /* {d} => {a}: every basket with d has a: confidence 1, conviction infinite,
     *   lift 1/(5/7) = 1.4, leverage 2/7 - (2/7)(5/7) = 4/49 */
    r = find_rule(db, rules, "{d}=>{a}");
    assert_double_equal(r->confidence, 1.0, 0);
    assert_true(isinf(r->conviction) && r->conviction > 0);
    assert_double_equal(r->lift, 1.4, 1e-14);
    assert_double_equal(r->leverage, 4.0 / 49, 1e-15);

    /* {} => {c}: confidence = support(c) = 3/7, lift 1, leverage 0,
     *   conviction (1 - 3/7)/(1 - 3/7) = 1 */
    r = find_rule(db, rules, "{}=>{c}");
    assert_int_equal(r->antecedent_size, 0);
    assert_int_equal(r->antecedent_count, 7);
    assert_double_equal(r->confidence, 3.0 / 7, 1e-15);
    assert_double_equal(r->lift, 1.0, 0);
    assert_double_equal(r->leverage, 0.0, 0);
    assert_double_equal(r->conviction, 1.0, 0);

    /* Re-sorting by confidence puts the four confidence-1 rules first:
     * {d}=>{a}, {d}=>{b} (length 2), then {a,d}=>{b}, {b,d}=>{a}. */
    crm_basket_rules_sort(rules, CRM_BASKET_BY_CONFIDENCE);
    rule_text(db, crm_basket_rules_get(rules, 0), buf, sizeof buf);
    assert_string_equal(buf, "{d}=>{a}");
    rule_text(db, crm_basket_rules_get(rules, 3), buf, sizeof buf);
    assert_string_equal(buf, "{b,d}=>{a}");
    /* By support (the rule's count): {}=>{a} and {}=>{b} have count 5 (every
     * basket with a, resp. b), then {a}=>{b} and {b}=>{a} count 4, confidence
     * 0.8 both: by antecedent name. */
    crm_basket_rules_sort(rules, CRM_BASKET_BY_SUPPORT);
    static const char *const by_support[] = { "{}=>{a}", "{}=>{b}", "{a}=>{b}", "{b}=>{a}" };
    for (size_t i = 0; i < 4; i++) {
        rule_text(db, crm_basket_rules_get(rules, i), buf, sizeof buf);
        assert_string_equal(buf, by_support[i]);
    }
    crm_basket_rules_free(rules);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);
}

static size_t count_rules(const crm_basket_itemsets *sets, const crm_basket_rule_options *ro)
{
    crm_basket_rules *rules;
    crm_error err;
    assert_int_equal(crm_basket_rules_generate(sets, ro, &rules, &err), CRM_OK);
    size_t n = crm_basket_rules_count(rules);
    crm_basket_rules_free(rules);
    return n;
}

static void test_seven_rule_options(void **state)
{
    (void)state;
    crm_basket_db *db = letters_db(seven, 7);
    crm_basket_itemsets *sets = mine(db, 2, 0, CRM_BASKET_FREQUENT);
    crm_basket_rule_options ro;

    /* min_len 2 drops the five {} => {x}: 13. */
    crm_basket_rule_options_init(&ro);
    ro.min_len = 2;
    assert_int_equal(count_rules(sets, &ro), 13);

    /* Two-item consequents add {} => {pair} for the 5 pairs and
     * {d}=>{a,b}, {b}=>{a,d}, {a}=>{b,d} from abd: 18 + 8 = 26. */
    crm_basket_rule_options_init(&ro);
    ro.max_consequent = 2;
    assert_int_equal(count_rules(sets, &ro), 26);
    ro.max_consequent = 0;   /* no limit: also {} => {a,b,d}: 27 */
    assert_int_equal(count_rules(sets, &ro), 27);

    /* {d} => {a,b}: count 2, count(d) 2, count(ab) 4: confidence 1,
     * lift 1/(4/7) = 1.75 */
    crm_basket_rule_options_init(&ro);
    ro.max_consequent = 2;
    crm_basket_rules *rules;
    crm_error err;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_OK);
    const crm_basket_rule *r = find_rule(db, rules, "{d}=>{a,b}");
    assert_int_equal(r->consequent_count, 4);
    assert_double_equal(r->lift, 1.75, 1e-14);
    crm_basket_rules_free(rules);

    /* min_confidence 0.8: the four confidence-1 rules and {a}=>{b}, {b}=>{a}. */
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = 0.8;
    assert_int_equal(count_rules(sets, &ro), 6);
    /* min_lift 1.4: lift 1.75 and the six of lift 1.4 (exactly 7/5: a rule at
     * the threshold passes). */
    crm_basket_rule_options_init(&ro);
    ro.min_lift = 1.4;
    assert_int_equal(count_rules(sets, &ro), 7);

    /* Consequent d only: {}=>{d}, {a}=>{d}, {b}=>{d}, {a,b}=>{d}. */
    uint32_t d = item_id(db, "d"), a = item_id(db, "a");
    crm_basket_rule_options_init(&ro);
    ro.consequent_items = &d;
    ro.n_consequent_items = 1;
    assert_int_equal(count_rules(sets, &ro), 4);
    /* Antecedent within {a}: the five {} => {x} and {a}=>{b}, {a}=>{c}, {a}=>{d}. */
    crm_basket_rule_options_init(&ro);
    ro.antecedent_items = &a;
    ro.n_antecedent_items = 1;
    assert_int_equal(count_rules(sets, &ro), 8);
    /* Both: {a} => {d} and {} => {d}. */
    ro.consequent_items = &d;
    ro.n_consequent_items = 1;
    assert_int_equal(count_rules(sets, &ro), 2);

    /* Bad options. */
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = 1.5;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_EUSAGE);
    assert_null(rules);
    crm_basket_rule_options_init(&ro);
    ro.min_lift = -1;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_EUSAGE);
    uint32_t unknown = 1000;
    crm_basket_rule_options_init(&ro);
    ro.consequent_items = &unknown;
    ro.n_consequent_items = 1;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_EUSAGE);
    assert_non_null(strstr(err.message, "1000"));

    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);
}

/* ---- groceries: the published arules figures ---- */

static crm_basket_db *load_groceries(void)
{
    crm_csv_options co;
    crm_csv_options_init(&co);
    co.no_header = 1;
    crm_csv_reader *reader;
    crm_error err;
    crm_status st = crm_csv_open(&reader, CRM_TEST_DATA "/groceries/groceries.csv", &co, &err);
    if (st != CRM_OK)
        fail_msg("%s", err.message);
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    const crm_csv_record *rec;
    while ((st = crm_csv_next(reader, &rec, &err)) == CRM_OK && rec) {
        st = crm_basket_db_add(db, (const char *const *)rec->fields, rec->lengths, rec->nfields,
                               &err);
        if (st != CRM_OK)
            break;
    }
    if (st != CRM_OK)
        fail_msg("%s", err.message);
    crm_csv_close(reader);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    return db;
}

static void test_groceries(void **state)
{
    (void)state;
    crm_basket_db *db = load_groceries();
    /* README: 9,835 baskets, 169 items, 43,367 item occurrences. */
    const crm_basket_db_stats *stats = crm_basket_db_stats_get(db);
    assert_int_equal(stats->baskets, 9835);
    assert_int_equal(stats->items, 169);
    assert_int_equal(stats->occurrences, 43367);
    assert_int_equal(stats->duplicate_items, 0);
    assert_int_equal(stats->empty_baskets, 0);

    crm_error err;
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    assert_int_equal(crm_basket_min_count(0.001, 9835, &mo.min_count, &err), CRM_OK);
    crm_basket_itemsets *sets;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_OK);
    assert_int_equal(crm_basket_itemsets_count(sets), 13492);

    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = 0.5;
    crm_basket_rules *rules;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_OK);
    assert_int_equal(crm_basket_rules_count(rules), 5668);
    size_t by_length[16] = { 0 };
    for (size_t i = 0; i < crm_basket_rules_count(rules); i++) {
        const crm_basket_rule *r = crm_basket_rules_get(rules, i);
        size_t len = r->antecedent_size + r->consequent_size;
        assert_true(len < 16);
        by_length[len]++;
    }
    assert_int_equal(by_length[1], 0);
    assert_int_equal(by_length[2], 11);
    assert_int_equal(by_length[3], 1461);
    assert_int_equal(by_length[4], 3211);
    assert_int_equal(by_length[5], 939);
    assert_int_equal(by_length[6], 46);
    assert_int_equal(by_length[7], 0);

    /* Published to 7 significant digits: within half a unit of the last. */
    const crm_basket_rule *honey = find_rule(db, rules, "{honey}=>{whole milk}");
    assert_double_equal(honey->support, 0.001118454, 0.5e-9);
    assert_double_equal(honey->confidence, 0.7333333, 0.5e-7);
    assert_double_equal(honey->lift, 2.870009, 0.5e-6);

    /* Rules are in the documented order: lift never increases. */
    for (size_t i = 1; i < crm_basket_rules_count(rules); i++)
        assert_true(crm_basket_rules_get(rules, i - 1)->lift >=
                    crm_basket_rules_get(rules, i)->lift);
    crm_basket_rules_free(rules);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);
}

/* ---- random databases against brute force ----
 * Up to 12 items named "i00".."i11" (so name order is index order); every
 * subset of items is a bit mask and its count is found by scanning the
 * baskets: an independent computation of every frequent, closed and maximal
 * itemset and of every rule. */

enum { BF_MAX_ITEMS = 12, BF_MAX_BASKETS = 200 };

typedef struct {
    int nitems;
    int nbaskets;
    unsigned basket[BF_MAX_BASKETS];
    uint64_t count[1 << BF_MAX_ITEMS];
    int bit_of[64];               /* item id -> bit */
} brute;

static void brute_fill(brute *b, crm_basket_db **out, unsigned long seed, int nitems, int nbaskets)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    b->nitems = nitems;
    b->nbaskets = nbaskets;
    /* Item probabilities from 0.1 to 0.6, and a planted pattern {0,1,2} in a
     * third of the baskets, so that closed sets differ from frequent ones. */
    for (int t = 0; t < nbaskets; t++) {
        unsigned m = 0;
        for (int i = 0; i < nitems; i++) {
            double p = 0.1 + 0.5 * i / (nitems - 1);
            if (gsl_rng_uniform(rng) < p)
                m |= 1u << i;
        }
        if (gsl_rng_uniform(rng) < 0.33)
            m |= 7u;
        b->basket[t] = m;
    }
    gsl_rng_free(rng);
    for (unsigned mask = 0; mask < (1u << nitems); mask++) {
        b->count[mask] = 0;
        for (int t = 0; t < nbaskets; t++)
            b->count[mask] += (b->basket[t] & mask) == mask;
    }

    crm_basket_db *db;
    crm_error err;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    char names[BF_MAX_ITEMS][16];
    for (int i = 0; i < nitems; i++)
        snprintf(names[i], sizeof names[i], "i%02d", i);
    for (int t = 0; t < nbaskets; t++) {
        const char *items[BF_MAX_ITEMS];
        size_t n = 0;
        for (int i = 0; i < nitems; i++) {
            if (b->basket[t] >> i & 1)
                items[n++] = names[i];
        }
        /* An empty basket counts in n (the default policy), as in brute. */
        assert_int_equal(crm_basket_db_add(db, items, NULL, n, &err), CRM_OK);
    }
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    for (int i = 0; i < 64; i++)
        b->bit_of[i] = -1;
    for (int i = 0; i < nitems; i++) {
        uint32_t id;
        if (crm_basket_db_find_item(db, names[i], 3, &id))
            b->bit_of[id] = i;
    }
    *out = db;
}

static unsigned mask_of(const brute *b, const uint32_t *items, size_t n)
{
    unsigned m = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(items[i] < 64 && b->bit_of[items[i]] >= 0);
        m |= 1u << b->bit_of[items[i]];
    }
    return m;
}

/* Whether mask is a reported itemset of the target in brute force. */
static int brute_is(const brute *b, unsigned mask, uint64_t min_count, crm_basket_target target)
{
    if (mask == 0 || b->count[mask] < min_count)
        return 0;
    /* every proper superset: mask plus a non-empty subset of the rest */
    unsigned rest = ((1u << b->nitems) - 1) & ~mask;
    for (unsigned add = rest; add; add = (add - 1) & rest) {
        unsigned super = mask | add;
        if (target == CRM_BASKET_CLOSED && b->count[super] == b->count[mask])
            return 0;
        if (target == CRM_BASKET_MAXIMAL && b->count[super] >= min_count)
            return 0;
    }
    return 1;
}

static int popcount(unsigned m)
{
    int n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
}

static void check_itemsets_against_brute(const brute *b, const crm_basket_db *db,
                                         uint64_t min_count, size_t max_len,
                                         crm_basket_target target)
{
    crm_basket_itemsets *sets = mine(db, min_count, max_len, target);
    size_t expected = 0;
    for (unsigned mask = 1; mask < (1u << b->nitems); mask++) {
        if ((max_len == 0 || (size_t)popcount(mask) <= max_len) &&
            brute_is(b, mask, min_count, target))
            expected++;
    }
    assert_int_equal(crm_basket_itemsets_count(sets), expected);
    unsigned char *seen = calloc(1u << b->nitems, 1);
    for (size_t i = 0; i < crm_basket_itemsets_count(sets); i++) {
        const crm_basket_itemset *s = crm_basket_itemsets_get(sets, i);
        unsigned mask = mask_of(b, s->items, s->size);
        assert_int_equal(popcount(mask), s->size);
        assert_false(seen[mask]);
        seen[mask] = 1;
        assert_int_equal(s->count, b->count[mask]);
        assert_true(brute_is(b, mask, min_count, target));
        if (i > 0) {
            /* documented order: size ascending, then count descending */
            const crm_basket_itemset *p = crm_basket_itemsets_get(sets, i - 1);
            assert_true(p->size < s->size || (p->size == s->size && p->count >= s->count));
        }
    }
    free(seen);
    crm_basket_itemsets_free(sets);
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void check_rules_against_brute(const brute *b, const crm_basket_db *db, uint64_t min_count,
                                      double min_conf, size_t max_consequent)
{
    crm_basket_itemsets *sets = mine(db, min_count, 0, CRM_BASKET_FREQUENT);
    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = min_conf;
    ro.max_consequent = max_consequent;
    crm_basket_rules *rules;
    crm_error err;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_OK);

    /* Expected: every frequent Z and non-empty Y within it, |Y| limited. */
    double n = b->nbaskets;
    size_t expected = 0;
    unsigned all = (1u << b->nitems) - 1;
    for (unsigned z = 1; z <= all; z++) {
        if (b->count[z] < min_count)
            continue;
        for (unsigned y = z; y; y = (y - 1) & z) {
            if (max_consequent && (size_t)popcount(y) > max_consequent)
                continue;
            if ((double)b->count[z] / (double)b->count[z & ~y] >= min_conf)
                expected++;
        }
    }
    assert_int_equal(crm_basket_rules_count(rules), expected);

    /* Each rule is valid, distinct, and its measures follow the definitions. */
    uint64_t *seen = calloc(expected ? expected : 1, sizeof *seen);
    for (size_t i = 0; i < crm_basket_rules_count(rules); i++) {
        const crm_basket_rule *r = crm_basket_rules_get(rules, i);
        unsigned x = mask_of(b, r->antecedent, r->antecedent_size);
        unsigned y = mask_of(b, r->consequent, r->consequent_size);
        assert_int_equal(x & y, 0);
        assert_true(y != 0);
        seen[i] = (uint64_t)x << 32 | y;
        double cz = b->count[x | y], cx = b->count[x], cy = b->count[y];
        assert_true(cz >= min_count);
        assert_int_equal(r->count, b->count[x | y]);
        assert_int_equal(r->antecedent_count, b->count[x]);
        assert_int_equal(r->consequent_count, b->count[y]);
        double conf = cz / cx;
        assert_true(conf >= min_conf);
        assert_double_equal(r->support, cz / n, 1e-12);
        assert_double_equal(r->confidence, conf, 1e-12);
        assert_double_equal(r->lift, conf / (cy / n), 1e-12);
        assert_double_equal(r->leverage, cz / n - (cx / n) * (cy / n), 1e-12);
        if (cz == cx)
            assert_true(isinf(r->conviction));
        else
            assert_double_equal(r->conviction, (1 - cy / n) / (1 - conf), 1e-9);
    }
    qsort(seen, crm_basket_rules_count(rules), sizeof *seen, compare_u64);
    for (size_t i = 1; i < crm_basket_rules_count(rules); i++)
        assert_true(seen[i - 1] != seen[i]);
    free(seen);
    crm_basket_rules_free(rules);
    crm_basket_itemsets_free(sets);
}

static void test_random_against_brute_force(void **state)
{
    (void)state;
    static const struct {
        unsigned long seed;
        int nitems, nbaskets;
        uint64_t min_count;
    } cases[] = { { 1, 8, 40, 3 }, { 2, 10, 100, 5 }, { 3, 12, 200, 8 }, { 4, 12, 60, 2 },
                  { 5, 6, 15, 1 } };
    brute *b = malloc(sizeof *b);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        crm_basket_db *db;
        brute_fill(b, &db, cases[c].seed, cases[c].nitems, cases[c].nbaskets);
        uint64_t mc = cases[c].min_count;
        for (crm_basket_target t = CRM_BASKET_FREQUENT; t <= CRM_BASKET_MAXIMAL; t++) {
            check_itemsets_against_brute(b, db, mc, 0, t);
            check_itemsets_against_brute(b, db, mc, 3, t);
        }
        check_rules_against_brute(b, db, mc, 0.0, 1);
        check_rules_against_brute(b, db, mc, 0.6, 2);
        check_rules_against_brute(b, db, mc, 0.3, 0);
        crm_basket_db_free(db);
    }
    free(b);
}

/* The rules of the 7-basket example (count >= 2), mined over an item table
 * that the customers' databases of the recommendation tests share. */
typedef struct {
    crm_strtab *items;
    crm_basket_db *mined;
    crm_basket_itemsets *sets;
    crm_basket_rules *rules;
    crm_basket_rule_options ro;   /* what the rules were generated with */
} seven_rules;

static void seven_rules_mine(seven_rules *f, size_t min_len)
{
    f->items = crm_strtab_new(16);
    assert_non_null(f->items);
    f->mined = letters_db_sharing(seven, 7, f->items);
    f->sets = mine(f->mined, 2, 0, CRM_BASKET_FREQUENT);
    crm_basket_rule_options_init(&f->ro);
    f->ro.min_len = min_len;
    crm_error err;
    assert_int_equal(crm_basket_rules_generate(f->sets, &f->ro, &f->rules, &err), CRM_OK);
}

static void seven_rules_free(seven_rules *f)
{
    crm_basket_rules_free(f->rules);
    crm_basket_itemsets_free(f->sets);
    crm_basket_db_free(f->mined);
    crm_strtab_free(f->items);
}

/* ---- recommendations on a hand-built example ----
 * Rules from the 7-basket example (support 0.25, confidence 0, lengths >= 2;
 * the 13 rules with their measures derived in test_seven_rules):
 *   {a}=>{b} .8/1.12  {b}=>{a} .8/1.12  {a}=>{c} .4/(14/15)  {c}=>{a} (2/3)/(14/15)
 *   {a}=>{d} .4/1.4   {d}=>{a} 1/1.4    {b}=>{d} .4/1.4      {d}=>{b} 1/1.4
 *   {b}=>{e} .4/(14/15) {e}=>{b} (2/3)/(14/15)
 *   {a,b}=>{d} .5/1.75  {a,d}=>{b} 1/1.4  {b,d}=>{a} 1/1.4    (confidence/lift)
 * Customers (long rows, interleaved, one repeated):
 *   ann bought a    -> b (.8, {a}=>{b}), then d and c at .4: lift 1.4 beats
 *                      14/15, so d before c
 *   bob bought a,b  -> d by {a,b}=>{d} (.5, beats {a}=>{d} and {b}=>{d} at .4),
 *                      then c ({a}=>{c} .4) and e ({b}=>{e} .4), tie: by name
 *   cid bought x    -> nothing (x is in no rule)
 *   dan bought d    -> a and b by {d}=>{a}, {d}=>{b} (1 each): by name
 *   eve bought a-e  -> nothing left to buy
 * By lift, top 1: ann d (1.4), bob d (1.75), dan a (1.4; b ties, a by name). */
static void test_recommend(void **state)
{
    (void)state;
    seven_rules f;
    seven_rules_mine(&f, 2);
    crm_strtab *items = f.items;
    crm_basket_rules *rules = f.rules;
    crm_error err;
    assert_int_equal(crm_basket_rules_count(rules), 13);

    crm_basket_db_options dbo;
    crm_basket_db_options_init(&dbo);
    dbo.items = items;
    crm_basket_db *customers;
    assert_int_equal(crm_basket_db_new(&customers, &dbo, &err), CRM_OK);
    static const char *const rows[][2] = { { "ann", "a" }, { "bob", "a" }, { "cid", "x" },
                                           { "bob", "b" }, { "dan", "d" }, { "eve", "a" },
                                           { "eve", "b" }, { "eve", "c" }, { "eve", "d" },
                                           { "eve", "e" }, { "ann", "a" } };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(crm_basket_db_add_pair(customers, rows[i][0], strlen(rows[i][0]),
                                                rows[i][1], 1, &err),
                         CRM_OK);
    assert_int_equal(crm_basket_db_finish(customers, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(customers), 5);
    assert_int_equal(crm_basket_db_stats_get(customers)->duplicate_items, 1);

    crm_basket_recommend_options opts;
    crm_basket_recommend_options_init(&opts);
    crm_basket_recommendations *recs;
    assert_int_equal(crm_basket_recommend(customers, rules, &opts, &recs, &err), CRM_OK);
    static const struct {
        const char *customer, *product, *rule;
        double score;
    } want[] = { { "ann", "b", "{a}=>{b}", 0.8 },   { "ann", "d", "{a}=>{d}", 0.4 },
                 { "ann", "c", "{a}=>{c}", 0.4 },   { "bob", "d", "{a,b}=>{d}", 0.5 },
                 { "bob", "c", "{a}=>{c}", 0.4 },   { "bob", "e", "{b}=>{e}", 0.4 },
                 { "dan", "a", "{d}=>{a}", 1.0 },   { "dan", "b", "{d}=>{b}", 1.0 } };
    size_t nwant = sizeof want / sizeof want[0];
    assert_int_equal(crm_basket_recommendations_count(recs), nwant);
    char buf[1300];
    for (size_t i = 0; i < nwant; i++) {
        const crm_basket_recommendation *r = crm_basket_recommendations_get(recs, i);
        size_t len;
        assert_string_equal(crm_basket_db_basket_key(customers, r->customer, &len),
                            want[i].customer);
        assert_string_equal(crm_basket_db_item_name(customers, r->product, &len),
                            want[i].product);
        assert_double_equal(r->score, want[i].score, 1e-15);
        rule_text(f.mined, crm_basket_rules_get(rules, r->rule), buf, sizeof buf);
        assert_string_equal(buf, want[i].rule);
    }
    crm_basket_recommendations_free(recs);

    opts.score = CRM_BASKET_SCORE_LIFT;
    opts.top_n = 1;
    assert_int_equal(crm_basket_recommend(customers, rules, &opts, &recs, &err), CRM_OK);
    assert_int_equal(crm_basket_recommendations_count(recs), 3);
    const crm_basket_recommendation *r = crm_basket_recommendations_get(recs, 1);
    size_t len;
    assert_string_equal(crm_basket_db_basket_key(customers, r->customer, &len), "bob");
    assert_string_equal(crm_basket_db_item_name(customers, r->product, &len), "d");
    assert_double_equal(r->score, 1.75, 1e-14);
    r = crm_basket_recommendations_get(recs, 2);
    assert_string_equal(crm_basket_db_basket_key(customers, r->customer, &len), "dan");
    assert_string_equal(crm_basket_db_item_name(customers, r->product, &len), "a");
    crm_basket_recommendations_free(recs);

    /* min_score 0.5 by confidence: ann b, bob d, dan a, dan b. */
    crm_basket_recommend_options_init(&opts);
    opts.min_score = 0.5;
    assert_int_equal(crm_basket_recommend(customers, rules, &opts, &recs, &err), CRM_OK);
    assert_int_equal(crm_basket_recommendations_count(recs), 4);
    crm_basket_recommendations_free(recs);

    /* Without rules of length 3, bob's d comes from {a}=>{d} or {b}=>{d}, equal
     * in confidence (.4) and lift (1.4): the earlier rule in the rule order,
     * {a}=>{d}, is the one reported. */
    crm_basket_rules *short_rules;
    f.ro.max_len = 2;
    assert_int_equal(crm_basket_rules_generate(f.sets, &f.ro, &short_rules, &err), CRM_OK);
    crm_basket_recommend_options_init(&opts);
    assert_int_equal(crm_basket_recommend(customers, short_rules, &opts, &recs, &err), CRM_OK);
    int found = 0;
    for (size_t i = 0; i < crm_basket_recommendations_count(recs); i++) {
        r = crm_basket_recommendations_get(recs, i);
        if (strcmp(crm_basket_db_basket_key(customers, r->customer, &len), "bob") == 0 &&
            strcmp(crm_basket_db_item_name(customers, r->product, &len), "d") == 0) {
            rule_text(f.mined, crm_basket_rules_get(short_rules, r->rule), buf, sizeof buf);
            assert_string_equal(buf, "{a}=>{d}");
            found = 1;
        }
    }
    assert_true(found);
    crm_basket_recommendations_free(recs);
    crm_basket_rules_free(short_rules);

    /* Customers with their own item table cannot use these rules. */
    crm_basket_db *alone = letters_db(seven, 1);
    crm_basket_recommend_options_init(&opts);
    assert_int_equal(crm_basket_recommend(alone, rules, &opts, &recs, &err), CRM_EUSAGE);
    assert_null(recs);
    crm_basket_db_free(alone);

    crm_basket_db_free(customers);
    seven_rules_free(&f);
}

/* With {} => {x} rules (min_len 1), a customer who bought nothing in any
 * rule still gets the most frequent items: cid (bought x) gets a and b
 * (confidence 5/7 each, lift 1, by name), top 2. */
static void test_recommend_unconditional_rules(void **state)
{
    (void)state;
    seven_rules f;
    seven_rules_mine(&f, 1);
    crm_strtab *items = f.items;
    crm_basket_rules *rules = f.rules;
    crm_error err;
    crm_basket_db_options dbo;
    crm_basket_db_options_init(&dbo);
    dbo.items = items;
    crm_basket_db *customers;
    assert_int_equal(crm_basket_db_new(&customers, &dbo, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_pair(customers, "cid", 3, "x", 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(customers, &err), CRM_OK);
    crm_basket_recommend_options opts;
    crm_basket_recommend_options_init(&opts);
    opts.top_n = 2;
    crm_basket_recommendations *recs;
    assert_int_equal(crm_basket_recommend(customers, rules, &opts, &recs, &err), CRM_OK);
    assert_int_equal(crm_basket_recommendations_count(recs), 2);
    size_t len;
    const crm_basket_recommendation *r = crm_basket_recommendations_get(recs, 0);
    assert_string_equal(crm_basket_db_item_name(customers, r->product, &len), "a");
    assert_double_equal(r->score, 5.0 / 7, 1e-15);
    r = crm_basket_recommendations_get(recs, 1);
    assert_string_equal(crm_basket_db_item_name(customers, r->product, &len), "b");
    crm_basket_recommendations_free(recs);
    crm_basket_db_free(customers);
    seven_rules_free(&f);
}

/* ---- rules read back (crm_basket_rules_new / _add_named / _finish) ---- */

/* A named copy of a rule, as a caller reading a rules file would give it. */
static void named_from(const crm_basket_db *db, const crm_basket_rule *r, const char **names,
                       size_t *lens, crm_basket_named_rule *out)
{
    for (size_t j = 0; j < r->antecedent_size; j++)
        names[j] = crm_basket_db_item_name(db, r->antecedent[j], &lens[j]);
    for (size_t j = 0; j < r->consequent_size; j++)
        names[r->antecedent_size + j] =
            crm_basket_db_item_name(db, r->consequent[j], &lens[r->antecedent_size + j]);
    *out = (crm_basket_named_rule){ names, lens, r->antecedent_size,
                                    names + r->antecedent_size, lens + r->antecedent_size,
                                    r->consequent_size, r->count, r->support, r->confidence,
                                    r->lift, r->leverage, r->conviction };
}

/* The 13 rules of test_recommend, mined from `seven`, handed back by name in
 * reverse order against the customers' database (sharing the item table)
 * give the same rules in the same order and the same recommendations: ann
 * (bought a) gets b first with {a}=>{b}, confidence count(ab)/count(a) =
 * 4/5 = 0.8 (ab in abc, ab, abd, abde; a also in ac). */
static void test_rules_read_back_equal_mined(void **state)
{
    (void)state;
    seven_rules f;
    seven_rules_mine(&f, 2);
    crm_strtab *items = f.items;
    crm_basket_rules *rules = f.rules;
    crm_error err;
    size_t n = crm_basket_rules_count(rules);
    assert_int_equal(n, 13);
    static const char *const customer_baskets[] = { "a", "ab", "d", "abcde" };
    crm_basket_db *customers = letters_db_sharing(customer_baskets, 4, items);

    crm_basket_rules *back;
    assert_int_equal(crm_basket_rules_new(customers, &back, &err), CRM_OK);
    for (size_t i = n; i-- > 0;) {
        const char *names[8];
        size_t lens[8];
        crm_basket_named_rule nr;
        named_from(f.mined, crm_basket_rules_get(rules, i), names, lens, &nr);
        int kept = -1;
        assert_int_equal(crm_basket_rules_add_named(back, &nr, &kept, &err), CRM_OK);
        assert_int_equal(kept, 1);
    }
    assert_int_equal(crm_basket_rules_finish(back, &f.ro, &err), CRM_OK);
    assert_ptr_equal(crm_basket_rules_db(back), customers);
    assert_int_equal(crm_basket_rules_count(back), n);
    char want[1300], got[1300];
    for (size_t i = 0; i < n; i++) {
        const crm_basket_rule *a = crm_basket_rules_get(rules, i);
        const crm_basket_rule *b = crm_basket_rules_get(back, i);
        rule_text(f.mined, a, want, sizeof want);
        rule_text(customers, b, got, sizeof got);
        assert_string_equal(got, want);
        assert_int_equal(b->count, a->count);
        assert_true(b->confidence == a->confidence && b->lift == a->lift &&
                    b->support == a->support && b->leverage == a->leverage &&
                    b->conviction == a->conviction);
        assert_int_equal(b->antecedent_count, 0);   /* not known when read back */
    }

    crm_basket_recommend_options opts;
    crm_basket_recommend_options_init(&opts);
    crm_basket_recommendations *from_mined, *from_back;
    assert_int_equal(crm_basket_recommend(customers, rules, &opts, &from_mined, &err), CRM_OK);
    assert_int_equal(crm_basket_recommend(customers, back, &opts, &from_back, &err), CRM_OK);
    size_t nrecs = crm_basket_recommendations_count(from_mined);
    assert_true(nrecs > 0);
    assert_int_equal(crm_basket_recommendations_count(from_back), nrecs);
    for (size_t i = 0; i < nrecs; i++) {
        const crm_basket_recommendation *a = crm_basket_recommendations_get(from_mined, i);
        const crm_basket_recommendation *b = crm_basket_recommendations_get(from_back, i);
        assert_int_equal(b->customer, a->customer);
        assert_int_equal(b->product, a->product);
        assert_true(b->score == a->score);
        assert_int_equal(b->rule, a->rule);
    }
    const crm_basket_recommendation *first = crm_basket_recommendations_get(from_back, 0);
    size_t len;
    assert_int_equal(first->customer, 0);
    assert_string_equal(crm_basket_db_item_name(customers, first->product, &len), "b");
    assert_double_equal(first->score, 0.8, 1e-15);
    rule_text(customers, crm_basket_rules_get(back, first->rule), got, sizeof got);
    assert_string_equal(got, "{a}=>{b}");
    crm_basket_recommendations_free(from_mined);
    crm_basket_recommendations_free(from_back);
    crm_basket_rules_free(back);
    crm_basket_db_free(customers);
    seven_rules_free(&f);
}

static crm_status add_one(crm_basket_rules *rules, const char *x, const char *y, double confidence,
                          double lift, int *kept, crm_error *err)
{
    /* x and y: one-letter items each, as in letters_db ("" for {}). */
    const char *xs[8], *ys[8];
    size_t xl[8], yl[8], nx = strlen(x), ny = strlen(y);
    for (size_t i = 0; i < nx; i++) {
        xs[i] = x + i;
        xl[i] = 1;
    }
    for (size_t i = 0; i < ny; i++) {
        ys[i] = y + i;
        yl[i] = 1;
    }
    crm_basket_named_rule nr = { xs, xl, nx, ys, yl, ny, 1, 0.5, confidence, lift, 0, 1 };
    return crm_basket_rules_add_named(rules, &nr, kept, err);
}

/* Unknown items drop a rule; filters and measure ranges; misuse. */
static void test_rules_read_back_checks(void **state)
{
    (void)state;
    static const char *const baskets[] = { "ab", "c" };
    crm_basket_db *db = letters_db(baskets, 2);
    crm_error err;
    crm_basket_rules *rules;
    int kept = -1;

    crm_basket_db *open_db;
    assert_int_equal(crm_basket_db_new(&open_db, NULL, &err), CRM_OK);
    assert_int_equal(crm_basket_rules_new(open_db, &rules, &err), CRM_EUSAGE);
    assert_null(rules);
    crm_basket_db_free(open_db);

    assert_int_equal(crm_basket_rules_new(db, &rules, &err), CRM_OK);
    assert_int_equal(add_one(rules, "x", "a", 0.5, 1, &kept, &err), CRM_OK);
    assert_int_equal(kept, 0);                      /* x unknown: dropped */
    assert_int_equal(add_one(rules, "a", "z", 0.5, 1, &kept, &err), CRM_OK);
    assert_int_equal(kept, 0);                      /* z unknown: dropped */
    assert_int_equal(add_one(rules, "ba", "c", 0.5, 2, &kept, &err), CRM_OK);
    assert_int_equal(kept, 1);
    assert_int_equal(add_one(rules, "", "c", 0.9, 0.5, &kept, &err), CRM_OK);
    assert_int_equal(kept, 1);
    assert_int_equal(add_one(rules, "a", "b", 0.7, 1.5, &kept, &err), CRM_OK);
    assert_int_equal(kept, 1);

    /* bad rules: errors, nothing added */
    assert_int_equal(add_one(rules, "a", "", 0.5, 1, &kept, &err), CRM_EDATA);
    assert_int_equal(add_one(rules, "aa", "b", 0.5, 1, &kept, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "item 'a' appears twice in the antecedent"));
    assert_int_equal(add_one(rules, "a", "ca", 0.5, 1, &kept, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "both the antecedent and the consequent"));
    assert_int_equal(add_one(rules, "a", "b", 1.5, 1, &kept, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "confidence 1.5 is not between 0 and 1"));
    assert_int_equal(add_one(rules, "a", "b", 0.5, -1, &kept, &err), CRM_EDATA);
    assert_int_equal(add_one(rules, "a", "b", 0.5, NAN, &kept, &err), CRM_EDATA);
    assert_int_equal(add_one(rules, "a", "b", 0.5, HUGE_VAL, &kept, &err), CRM_EDATA);
    assert_int_equal(kept, 0);
    const char *empty_name[] = { "" };
    const char *b_name[] = { "b" };
    crm_basket_named_rule nr = { empty_name, NULL, 1, b_name, NULL, 1, 1, 0.5, 0.5, 1, 0, 1 };
    assert_int_equal(crm_basket_rules_add_named(rules, &nr, &kept, &err), CRM_EDATA);

    /* min_lift 1 drops {}=>{c} (lift .5); order by lift: {a,b}=>{c} (2)
     * before {a}=>{b} (1.5). */
    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.min_lift = 1;
    assert_int_equal(crm_basket_rules_finish(rules, &ro, &err), CRM_OK);
    assert_int_equal(crm_basket_rules_count(rules), 2);
    char got[1300];
    rule_text(db, crm_basket_rules_get(rules, 0), got, sizeof got);
    assert_string_equal(got, "{a,b}=>{c}");
    rule_text(db, crm_basket_rules_get(rules, 1), got, sizeof got);
    assert_string_equal(got, "{a}=>{b}");
    assert_int_equal(add_one(rules, "a", "b", 0.5, 1, &kept, &err), CRM_EUSAGE);
    assert_int_equal(crm_basket_rules_finish(rules, &ro, &err), CRM_EUSAGE);
    crm_basket_rules_free(rules);

    /* min_confidence 0.8 keeps only {}=>{c} (0.9); a bad option is a usage error */
    assert_int_equal(crm_basket_rules_new(db, &rules, &err), CRM_OK);
    assert_int_equal(add_one(rules, "", "c", 0.9, 0.5, &kept, &err), CRM_OK);
    assert_int_equal(add_one(rules, "a", "b", 0.7, 1.5, &kept, &err), CRM_OK);
    ro.min_lift = 0;
    ro.min_confidence = 1.2;
    assert_int_equal(crm_basket_rules_finish(rules, &ro, &err), CRM_EUSAGE);
    ro.min_confidence = 0.8;
    assert_int_equal(crm_basket_rules_finish(rules, &ro, &err), CRM_OK);
    assert_int_equal(crm_basket_rules_count(rules), 1);
    assert_int_equal(crm_basket_rules_get(rules, 0)->antecedent_size, 0);
    crm_basket_rules_free(rules);

    /* the ranges at their bounds (leverage lies in [-1/4, 1/4]) */
    assert_null(crm_basket_measure_range(CRM_BASKET_MEASURE_SUPPORT, 0));
    assert_null(crm_basket_measure_range(CRM_BASKET_MEASURE_CONFIDENCE, 1));
    assert_non_null(crm_basket_measure_range(CRM_BASKET_MEASURE_CONFIDENCE, -0.01));
    assert_null(crm_basket_measure_range(CRM_BASKET_MEASURE_LEVERAGE, 0.25));
    assert_null(crm_basket_measure_range(CRM_BASKET_MEASURE_LEVERAGE, -0.25));
    assert_non_null(crm_basket_measure_range(CRM_BASKET_MEASURE_LEVERAGE, 0.26));
    assert_null(crm_basket_measure_range(CRM_BASKET_MEASURE_CONVICTION, HUGE_VAL));
    assert_non_null(crm_basket_measure_range(CRM_BASKET_MEASURE_CONVICTION, -1));
    assert_non_null(crm_basket_measure_range(CRM_BASKET_MEASURE_SUPPORT, NAN));
    assert_string_equal(crm_basket_measure_name(CRM_BASKET_MEASURE_LIFT), "lift");
    crm_basket_db_free(db);
}

/* ---- bad input and the documented handling ---- */

static void test_empty_baskets_policy(void **state)
{
    (void)state;
    crm_error err;
    const char *ab[] = { "a", "b" };
    const char *blank[] = { "" };

    /* Default: counted in n.  Baskets {a,b}, {""} (a blank line), {} -> n = 3,
     * so support(a) = 1/3. */
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, ab, NULL, 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, blank, NULL, 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, NULL, NULL, 0, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(db), 3);
    assert_int_equal(crm_basket_db_stats_get(db)->empty_baskets, 2);
    assert_int_equal(crm_basket_db_stats_get(db)->empty_items, 1);
    crm_basket_itemsets *sets = mine(db, 1, 0, CRM_BASKET_FREQUENT);
    assert_int_equal(crm_basket_itemsets_count(sets), 3);   /* a, b, ab */
    assert_double_equal(crm_basket_itemsets_get(sets, 0)->support, 1.0 / 3, 1e-15);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);

    /* Skip: left out of n. */
    crm_basket_db_options o;
    crm_basket_db_options_init(&o);
    o.empty = CRM_BASKET_EMPTY_SKIP;
    assert_int_equal(crm_basket_db_new(&db, &o, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, ab, NULL, 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, blank, NULL, 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(db), 1);
    assert_int_equal(crm_basket_db_stats_get(db)->empty_baskets, 1);
    crm_basket_db_free(db);

    /* Error: names the basket by its number. */
    o.empty = CRM_BASKET_EMPTY_ERROR;
    assert_int_equal(crm_basket_db_new(&db, &o, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, ab, NULL, 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, blank, NULL, 1, &err), CRM_EDATA);
    assert_string_equal(err.message, "basket 2 has no items");
    crm_basket_db_free(db);

    /* Pairs: a key whose only item is empty is an empty basket; the error
     * names the key. */
    assert_int_equal(crm_basket_db_new(&db, &o, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_pair(db, "inv1", 4, "a", 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_pair(db, "inv2", 4, "", 0, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_EDATA);
    assert_string_equal(err.message, "basket 'inv2' has no items");
    crm_basket_db_free(db);

    /* Pairs with skip: inv2 disappears, inv3 becomes basket 1. */
    o.empty = CRM_BASKET_EMPTY_SKIP;
    assert_int_equal(crm_basket_db_new(&db, &o, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_pair(db, "inv1", 4, "a", 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_pair(db, "inv2", 4, "", 0, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_pair(db, "inv3", 4, "b", 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    assert_int_equal(crm_basket_db_count(db), 2);
    size_t len;
    assert_string_equal(crm_basket_db_basket_key(db, 1, &len), "inv3");
    crm_basket_db_free(db);
}

static void test_item_separator_and_duplicates(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    const char *bad[] = { "milk", "bread, white" };
    assert_int_equal(crm_basket_db_add(db, bad, NULL, 2, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "item 'bread, white' contains the item separator ','"));
    crm_basket_db_free(db);

    /* With another separator the same item is fine, and joins back. */
    crm_basket_db_options o;
    crm_basket_db_options_init(&o);
    o.item_separator = '|';
    assert_int_equal(crm_basket_db_new(&db, &o, &err), CRM_OK);
    const char *dup[] = { "milk", "bread, white", "milk" };
    assert_int_equal(crm_basket_db_add(db, dup, NULL, 3, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    /* the repeated milk counts once: one basket of two items */
    assert_int_equal(crm_basket_db_stats_get(db)->duplicate_items, 1);
    assert_int_equal(crm_basket_db_stats_get(db)->occurrences, 2);
    size_t size;
    crm_basket_db_basket(db, 0, &size);
    assert_int_equal(size, 2);
    assert_int_equal(crm_basket_db_item_count(db, item_id(db, "milk")), 1);
    assert_int_equal(crm_basket_db_item_count(db, item_id(db, "bread, white")), 1);
    uint32_t both[2] = { item_id(db, "bread, white"), item_id(db, "milk") };
    char buf[64];
    assert_int_equal(crm_basket_format_items(db, both, 2, '|', buf, sizeof buf), 17);
    assert_string_equal(buf, "bread, white|milk");
    /* A short buffer is cut and terminated; the return value is the need. */
    assert_int_equal(crm_basket_format_items(db, both, 2, '|', buf, 6), 17);
    assert_string_equal(buf, "bread");
    crm_basket_db_free(db);
}

static void test_exclude_and_labels(void **state)
{
    (void)state;
    /* Whole baskets {A, POST}, {POST}: POST is left out, so the second basket
     * is empty (counted in n by default) and A is in 1 of 2 baskets. */
    crm_strtab *exclude = crm_strtab_new(4);
    uint32_t id;
    assert_true(crm_strtab_intern(exclude, "POST", 4, &id) == 1);
    crm_basket_db_options opts;
    crm_basket_db_options_init(&opts);
    opts.exclude = exclude;
    crm_basket_db *db;
    crm_error err;
    assert_int_equal(crm_basket_db_new(&db, &opts, &err), CRM_OK);
    const char *b1[] = {"A", "POST"}, *b2[] = {"POST"};
    assert_int_equal(crm_basket_db_add(db, b1, NULL, 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, b2, NULL, 1, &err), CRM_OK);
    /* Labels: "x" and "y" twice each, "z" once: a tie goes to the
     * byte-smaller "x", whatever the order of the votes; blanks are trimmed
     * and an empty label or an excluded item gets no vote. */
    const char *votes[] = {"y", " x", "z", "x ", "y", "   "};
    for (size_t i = 0; i < sizeof votes / sizeof *votes; i++)
        assert_int_equal(crm_basket_db_add_label(db, "A", 1, votes[i], strlen(votes[i]), &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_label(db, "POST", 4, "postage", 7, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    const crm_basket_db_stats *k = crm_basket_db_stats_get(db);
    assert_int_equal(k->baskets, 2);
    assert_int_equal(k->empty_baskets, 1);
    assert_int_equal(k->excluded_items, 2);
    assert_int_equal(k->items, 1);
    assert_false(crm_basket_db_find_item(db, "POST", 4, &id));
    assert_true(crm_basket_db_find_item(db, "A", 1, &id));
    size_t len;
    const char *label = crm_basket_db_item_label(db, id, &len);
    assert_non_null(label);
    assert_int_equal(len, 1);
    assert_memory_equal(label, "x", 1);
    crm_basket_db_free(db);
    crm_strtab_free(exclude);
}

static void test_usage_errors(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *db;
    const char *a[] = { "a" };
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    crm_basket_itemsets *sets;
    /* mining before the input ends */
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_EUSAGE);
    assert_int_equal(crm_basket_db_add(db, a, NULL, 1, &err), CRM_OK);
    /* whole baskets and pairs do not mix */
    assert_int_equal(crm_basket_db_add_pair(db, "k", 1, "a", 1, &err), CRM_EUSAGE);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    /* nothing is added after the end */
    assert_int_equal(crm_basket_db_add(db, a, NULL, 1, &err), CRM_EUSAGE);
    /* a minimum count of 0 */
    mo.min_count = 0;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_EUSAGE);
    assert_null(sets);
    /* min_len above max_len */
    crm_basket_mine_options_init(&mo);
    mo.min_len = 3;
    mo.max_len = 2;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_EUSAGE);
    /* a count above n: no itemsets, no error */
    crm_basket_mine_options_init(&mo);
    mo.min_count = 2;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_OK);
    assert_int_equal(crm_basket_itemsets_count(sets), 0);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);

    /* An empty input mines to nothing. */
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    sets = mine(db, 1, 0, CRM_BASKET_FREQUENT);
    assert_int_equal(crm_basket_itemsets_count(sets), 0);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);
}

/* The limits of crm/basket_itemsets.h: exact counts at the boundary, which
 * limit stopped a call, and a budget that is all given back when the
 * results are freed (so a long-lived caller can mine again). */
static void test_limits(void **state)
{
    (void)state;
    crm_fpgrowth_budget b = { 100, 0, 0, 0 };
    assert_int_equal(crm_fpgrowth_budget_charge(&b, 60), 1);
    assert_int_equal(crm_fpgrowth_budget_charge(&b, 41), 0);
    assert_int_equal(b.exceeded, 1);
    assert_int_equal(b.bytes, 60);
    assert_int_equal(crm_fpgrowth_budget_charge(&b, 40), 1);
    crm_fpgrowth_budget_release(&b, 100);
    assert_int_equal(b.bytes, 0);
    assert_int_equal(b.peak, 100);
    assert_int_equal(crm_fpgrowth_budget_charge(NULL, SIZE_MAX), 1);

    crm_basket_db *db = letters_db(seven, 7);
    crm_basket_limits limits;
    crm_basket_limits_init(&limits);
    assert_int_equal(limits.max_itemsets, 5000000);
    assert_int_equal(limits.max_rules, 5000000);
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    mo.min_count = 2;
    mo.limits = &limits;
    crm_basket_itemsets *sets = NULL;
    crm_error err;
    /* 11 frequent itemsets at count >= 2 (test_seven_itemsets) */
    limits.max_itemsets = 10;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_ENOMEM);
    assert_null(sets);
    assert_int_equal(limits.reached, CRM_BASKET_TOO_MANY_ITEMSETS);
    assert_string_equal(err.message, "more than 10 itemsets are frequent at the minimum count 2");
    assert_int_equal(limits.memory.bytes, 0);
    limits.max_itemsets = 11;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_OK);
    assert_int_equal(limits.reached, CRM_BASKET_WITHIN_LIMITS);
    assert_int_equal(crm_basket_itemsets_count(sets), 11);
    assert_true(limits.memory.bytes > 0);
    size_t kept = limits.memory.bytes;

    /* 18 rules at confidence 0 (test_seven_rules) */
    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.limits = &limits;
    crm_basket_rules *rules = NULL;
    limits.max_rules = 17;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_ENOMEM);
    assert_null(rules);
    assert_int_equal(limits.reached, CRM_BASKET_TOO_MANY_RULES);
    assert_string_equal(err.message, "more than 17 rules pass the filters");
    assert_int_equal(limits.memory.bytes, kept);
    limits.max_rules = 18;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_OK);
    assert_int_equal(crm_basket_rules_count(rules), 18);
    assert_true(limits.memory.bytes > kept);
    /* A budget spent by the itemsets leaves no room for the rules. */
    crm_basket_rules *more = NULL;
    limits.memory.max_bytes = limits.memory.bytes;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &more, &err), CRM_ENOMEM);
    assert_int_equal(limits.reached, CRM_BASKET_OVER_MEMORY);
    crm_basket_rules_free(rules);
    crm_basket_itemsets_free(sets);
    assert_int_equal(limits.memory.bytes, 0);

    /* Not even the recoded baskets fit one byte. */
    limits.memory.max_bytes = 1;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_ENOMEM);
    assert_int_equal(limits.reached, CRM_BASKET_OVER_MEMORY);
    assert_int_equal(limits.memory.bytes, 0);
    /* The FP-growth arena's first block does not fit 1 MiB. */
    limits.memory.max_bytes = 1 << 20;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_ENOMEM);
    assert_int_equal(limits.reached, CRM_BASKET_OVER_MEMORY);
    assert_string_equal(err.message, "mining frequent itemsets needs more than the memory budget "
                                     "of 1 MiB (0 MiB in use)");
    assert_int_equal(limits.memory.bytes, 0);
    crm_basket_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min_count_rule),
        cmocka_unit_test(test_exclude_and_labels),
        cmocka_unit_test(test_min_count_rejects_bad_support),
        cmocka_unit_test(test_seven_itemsets),
        cmocka_unit_test(test_seven_closed_maximal),
        cmocka_unit_test(test_seven_rules),
        cmocka_unit_test(test_seven_rule_options),
        cmocka_unit_test(test_groceries),
        cmocka_unit_test(test_random_against_brute_force),
        cmocka_unit_test(test_recommend),
        cmocka_unit_test(test_recommend_unconditional_rules),
        cmocka_unit_test(test_rules_read_back_equal_mined),
        cmocka_unit_test(test_rules_read_back_checks),
        cmocka_unit_test(test_empty_baskets_policy),
        cmocka_unit_test(test_item_separator_and_duplicates),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
