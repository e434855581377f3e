/* Unit tests of lib/segment.c: the RFM segment map (default, scaling,
 * parsing, validation, assignment), value tiers, lifecycle stages and the
 * segment profile.
 *
 * Expected names come from the default map's table in crm/segment.h; value
 * tiers and lifecycle stages are worked by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm/segment.h"

/* ---- RFM map ---- */

/* The name the default 5-bin map gives one score cell. */
static const char *default_name(int r, int f, int m)
{
    static crm_rfm_rule rules[CRM_RFM_DEFAULT_RULES];
    static const char *names[CRM_RFM_DEFAULT_RULES + 1];
    size_t count;
    crm_error err;
    assert_int_equal(crm_rfm_default_map(5, rules, &count, &err), CRM_OK);
    size_t nnames = crm_rfm_segment_names(rules, count, names);
    int label = -1;
    assert_int_equal(crm_rfm_assign(rules, count, 5, &r, &f, &m, 1, &label, &err), CRM_OK);
    assert_true(label >= 0 && (size_t)label < nnames);
    return names[label];
}

typedef struct {
    int r, f, m;
    const char *name;
} rfm_example;

/* For every rule: its corner cells, and the cells just outside each of its
 * faces with the neighbour's name (read off the table in segment.h). */
static const rfm_example default_examples[] = {
    /* Champions r 5, f 4-5, m 1-5 */
    { 5, 4, 1, "Champions" }, { 5, 5, 5, "Champions" }, { 5, 4, 5, "Champions" },
    { 5, 5, 1, "Champions" }, { 4, 4, 1, "Loyal" }, { 5, 3, 1, "Potential Loyalist" },
    /* Loyal r 3-4, f 4-5, m 1-5 */
    { 3, 4, 1, "Loyal" }, { 4, 5, 5, "Loyal" }, { 3, 5, 5, "Loyal" }, { 4, 4, 1, "Loyal" },
    { 2, 4, 3, "At Risk" }, { 2, 4, 4, "Can't Lose Them" }, { 3, 3, 1, "Need Attention" },
    { 4, 3, 5, "Potential Loyalist" }, { 5, 5, 3, "Champions" },
    /* Potential Loyalist r 4-5, f 2-3, m 1-5 */
    { 4, 2, 1, "Potential Loyalist" }, { 5, 3, 5, "Potential Loyalist" },
    { 5, 2, 1, "Potential Loyalist" }, { 4, 3, 5, "Potential Loyalist" },
    { 5, 1, 1, "New" }, { 4, 1, 5, "Promising" }, { 3, 2, 1, "Need Attention" },
    { 5, 4, 1, "Champions" }, { 4, 4, 5, "Loyal" },
    /* New r 5, f 1, m 1-5 */
    { 5, 1, 1, "New" }, { 5, 1, 5, "New" }, { 4, 1, 1, "Promising" },
    { 5, 2, 5, "Potential Loyalist" },
    /* Promising r 4, f 1, m 1-5 */
    { 4, 1, 1, "Promising" }, { 4, 1, 5, "Promising" }, { 3, 1, 1, "About To Sleep" },
    { 4, 2, 1, "Potential Loyalist" },
    /* Need Attention r 3, f 2-3, m 1-5 */
    { 3, 2, 1, "Need Attention" }, { 3, 3, 5, "Need Attention" },
    { 3, 2, 5, "Need Attention" }, { 3, 3, 1, "Need Attention" },
    { 2, 2, 5, "Hibernating" }, { 2, 3, 5, "Can't Lose Them" }, { 4, 3, 1, "Potential Loyalist" },
    { 3, 1, 5, "About To Sleep" }, { 3, 4, 5, "Loyal" },
    /* About To Sleep r 3, f 1, m 1-5 */
    { 3, 1, 1, "About To Sleep" }, { 3, 1, 5, "About To Sleep" }, { 2, 1, 1, "Hibernating" },
    /* At Risk r 1-2, f 3-5, m 1-3 */
    { 1, 3, 1, "At Risk" }, { 2, 5, 3, "At Risk" }, { 1, 5, 3, "At Risk" },
    { 2, 3, 1, "At Risk" }, { 1, 3, 3, "At Risk" }, { 2, 5, 1, "At Risk" },
    { 2, 3, 4, "Can't Lose Them" }, { 1, 5, 4, "Can't Lose Them" }, { 1, 2, 3, "Lost" },
    { 2, 2, 1, "Hibernating" }, { 3, 5, 3, "Loyal" }, { 3, 3, 3, "Need Attention" },
    /* Can't Lose Them r 1-2, f 3-5, m 4-5 */
    { 1, 3, 4, "Can't Lose Them" }, { 2, 5, 5, "Can't Lose Them" }, { 1, 5, 5, "Can't Lose Them" },
    { 2, 3, 5, "Can't Lose Them" }, { 3, 5, 5, "Loyal" }, { 1, 2, 5, "Lost" },
    { 2, 2, 4, "Hibernating" },
    /* Hibernating r 2, f 1-2, m 1-5 */
    { 2, 1, 1, "Hibernating" }, { 2, 2, 5, "Hibernating" }, { 2, 3, 1, "At Risk" },
    { 1, 1, 1, "Lost" }, { 3, 2, 5, "Need Attention" },
    /* Lost r 1, f 1-2, m 1-5 */
    { 1, 1, 1, "Lost" }, { 1, 2, 5, "Lost" }, { 1, 1, 5, "Lost" }, { 1, 3, 3, "At Risk" },
    { 2, 1, 5, "Hibernating" },
};

static void test_default_map_examples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof default_examples / sizeof default_examples[0]; i++) {
        const rfm_example *e = &default_examples[i];
        const char *got = default_name(e->r, e->f, e->m);
        if (strcmp(got, e->name) != 0)
            fail_msg("r=%d f=%d m=%d: expected '%s', got '%s'", e->r, e->f, e->m, e->name, got);
    }
}

/* Counts how many cells of bins^3 each segment takes. */
static void count_cells(const crm_rfm_rule *rules, size_t count, int bins, const char **names,
                        size_t nnames, size_t *cells)
{
    memset(cells, 0, nnames * sizeof *cells);
    crm_error err;
    for (int r = 1; r <= bins; r++)
        for (int f = 1; f <= bins; f++)
            for (int m = 1; m <= bins; m++) {
                int label;
                assert_int_equal(crm_rfm_assign(rules, count, bins, &r, &f, &m, 1, &label, &err),
                                 CRM_OK);
                cells[label]++;
            }
}

static void test_default_map_partitions_cells(void **state)
{
    (void)state;
    crm_rfm_rule rules[CRM_RFM_DEFAULT_RULES];
    const char *names[CRM_RFM_DEFAULT_RULES + 1];
    size_t count, cells[CRM_RFM_DEFAULT_RULES + 1];
    crm_error err;
    assert_int_equal(crm_rfm_default_map(5, rules, &count, &err), CRM_OK);
    assert_int_equal(count, 11);
    assert_int_equal(crm_rfm_map_validate(rules, count, 5, &err), CRM_OK);
    size_t nnames = crm_rfm_segment_names(rules, count, names);
    assert_int_equal(nnames, 12);
    assert_string_equal(names[11], "Other");
    /* Box volumes from the table: Champions 1*2*5 = 10, Loyal 2*2*5 = 20,
     * Potential Loyalist 20, New 5, Promising 5, Need Attention 10,
     * About To Sleep 5, At Risk 2*3*3 = 18, Can't Lose Them 2*3*2 = 12,
     * Hibernating 10, Lost 10: 125 in all, none Other. */
    static const size_t expected[12] = { 10, 20, 20, 5, 5, 10, 5, 18, 12, 10, 10, 0 };
    count_cells(rules, count, 5, names, nnames, cells);
    assert_memory_equal(cells, expected, sizeof expected);
}

static void test_default_map_scaled_to_10_bins(void **state)
{
    (void)state;
    /* s5 = floor((2s - 1) * 5 / 20) + 1: s 1-2 -> 1, 3-4 -> 2, 5-6 -> 3,
     * 7-8 -> 4, 9-10 -> 5, so every range doubles: Champions r 9-10,
     * f 7-10; Can't Lose Them r 1-4, f 5-10, m 7-10. */
    crm_rfm_rule rules[CRM_RFM_DEFAULT_RULES];
    const char *names[CRM_RFM_DEFAULT_RULES + 1];
    size_t count, cells[CRM_RFM_DEFAULT_RULES + 1];
    crm_error err;
    assert_int_equal(crm_rfm_default_map(10, rules, &count, &err), CRM_OK);
    assert_int_equal(count, 11);
    assert_string_equal(rules[0].name, "Champions");
    assert_int_equal(rules[0].r_lo, 9);
    assert_int_equal(rules[0].r_hi, 10);
    assert_int_equal(rules[0].f_lo, 7);
    assert_int_equal(rules[0].f_hi, 10);
    assert_int_equal(rules[0].m_lo, 1);
    assert_int_equal(rules[0].m_hi, 10);
    assert_string_equal(rules[8].name, "Can't Lose Them");
    assert_int_equal(rules[8].r_lo, 1);
    assert_int_equal(rules[8].r_hi, 4);
    assert_int_equal(rules[8].f_lo, 5);
    assert_int_equal(rules[8].m_lo, 7);
    assert_int_equal(crm_rfm_map_validate(rules, count, 10, &err), CRM_OK);
    /* Every 5-bin cell becomes 2*2*2 cells: 8 times the 5-bin counts. */
    size_t nnames = crm_rfm_segment_names(rules, count, names);
    static const size_t expected[12] = { 80, 160, 160, 40, 40, 80, 40, 144, 96, 80, 80, 0 };
    count_cells(rules, count, 10, names, nnames, cells);
    assert_memory_equal(cells, expected, sizeof expected);
}

static void test_default_map_scaled_to_3_bins(void **state)
{
    (void)state;
    /* s5 = floor((2s - 1) * 5 / 6) + 1: 1 -> 1, 2 -> 3, 3 -> 5.  Promising
     * (r 4) and Hibernating (r 2) keep no r score and are dropped; the other
     * nine cover the 27 cells: r 3: New, Potential Loyalist, Champions by
     * f = 1, 2, 3; r 2: About To Sleep, Need Attention, Loyal; r 1: Lost,
     * then At Risk (m 1-2) or Can't Lose Them (m 3) for f 2-3. */
    crm_rfm_rule rules[CRM_RFM_DEFAULT_RULES];
    const char *names[CRM_RFM_DEFAULT_RULES + 1];
    size_t count, cells[CRM_RFM_DEFAULT_RULES + 1];
    crm_error err;
    assert_int_equal(crm_rfm_default_map(3, rules, &count, &err), CRM_OK);
    assert_int_equal(count, 9);
    for (size_t i = 0; i < count; i++) {
        assert_string_not_equal(rules[i].name, "Promising");
        assert_string_not_equal(rules[i].name, "Hibernating");
    }
    assert_int_equal(crm_rfm_map_validate(rules, count, 3, &err), CRM_OK);
    size_t nnames = crm_rfm_segment_names(rules, count, names);
    assert_int_equal(nnames, 10);
    /* Champions, Loyal, Potential Loyalist, New, Need Attention,
     * About To Sleep: 3 m values each; At Risk 2*2, Can't Lose Them 2*1,
     * Lost 3; Other 0. */
    static const size_t expected[10] = { 3, 3, 3, 3, 3, 3, 4, 2, 3, 0 };
    count_cells(rules, count, 3, names, nnames, cells);
    assert_memory_equal(cells, expected, sizeof expected);
}

static void test_parse_range(void **state)
{
    (void)state;
    int lo, hi;
    crm_error err;
    assert_int_equal(crm_rfm_parse_range("4-5", 5, &lo, &hi, &err), CRM_OK);
    assert_true(lo == 4 && hi == 5);
    assert_int_equal(crm_rfm_parse_range(" 2 - 3 ", 5, &lo, &hi, &err), CRM_OK);
    assert_true(lo == 2 && hi == 3);
    assert_int_equal(crm_rfm_parse_range("3", 5, &lo, &hi, &err), CRM_OK);
    assert_true(lo == 3 && hi == 3);
    assert_int_equal(crm_rfm_parse_range("*", 7, &lo, &hi, &err), CRM_OK);
    assert_true(lo == 1 && hi == 7);
    assert_int_equal(crm_rfm_parse_range("1-10", 10, &lo, &hi, &err), CRM_OK);
    assert_true(lo == 1 && hi == 10);
}

static void test_parse_range_malformed(void **state)
{
    (void)state;
    int lo, hi;
    crm_error err;
    assert_int_equal(crm_rfm_parse_range("5-2", 5, &lo, &hi, &err), CRM_EDATA);
    assert_string_equal(err.message, "range '5-2' runs backwards (5 > 2)");
    assert_int_equal(crm_rfm_parse_range("0-3", 5, &lo, &hi, &err), CRM_EDATA);
    assert_string_equal(err.message, "range '0-3' goes outside the scores 1..5");
    assert_int_equal(crm_rfm_parse_range("4-6", 5, &lo, &hi, &err), CRM_EDATA);
    assert_string_equal(err.message, "range '4-6' goes outside the scores 1..5");
    static const char *const bad[] = { "", "  ", "x", "3-", "-3", "3-4-5", "3..4", "2.5",
                                       "* 1", "1e1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char expected[128];
        snprintf(expected, sizeof expected,
                 "range '%s' is not a score, two scores joined by '-', or '*'", bad[i]);
        assert_int_equal(crm_rfm_parse_range(bad[i], 5, &lo, &hi, &err), CRM_EDATA);
        assert_string_equal(err.message, expected);
    }
}

static void test_parse_rule(void **state)
{
    (void)state;
    crm_rfm_rule rule;
    crm_error err;
    assert_int_equal(crm_rfm_parse_rule("  Big Spenders ", "*", "1-2", "5", 5, &rule, &err),
                     CRM_OK);
    assert_string_equal(rule.name, "Big Spenders");
    assert_true(rule.r_lo == 1 && rule.r_hi == 5 && rule.f_lo == 1 && rule.f_hi == 2
                && rule.m_lo == 5 && rule.m_hi == 5);
    assert_int_equal(crm_rfm_parse_rule("Big", "1", "3-1", "5", 5, &rule, &err), CRM_EDATA);
    assert_string_equal(err.message, "segment 'Big', f: range '3-1' runs backwards (3 > 1)");
    assert_int_equal(crm_rfm_parse_rule(" ", "1", "1", "1", 5, &rule, &err), CRM_EDATA);
    assert_string_equal(err.message, "the segment name is empty");
    char long_name[100];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    assert_int_equal(crm_rfm_parse_rule(long_name, "1", "1", "1", 5, &rule, &err), CRM_EDATA);
    assert_non_null(strstr(err.message, "is longer than 63 bytes"));
    assert_int_equal(crm_rfm_parse_rule("a\tb\x01", "1", "1", "1", 5, &rule, &err), CRM_EDATA);
    assert_string_equal(err.message, "segment name 'a\\x09b\\x01' contains a control character");
}

static crm_rfm_rule make_rule(const char *name, int r_lo, int r_hi, int f_lo, int f_hi,
                              int m_lo, int m_hi)
{
    crm_rfm_rule rule;
    memset(&rule, 0, sizeof rule);
    snprintf(rule.name, sizeof rule.name, "%s", name);
    rule.r_lo = r_lo;
    rule.r_hi = r_hi;
    rule.f_lo = f_lo;
    rule.f_hi = f_hi;
    rule.m_lo = m_lo;
    rule.m_hi = m_hi;
    return rule;
}

static void test_map_overlap(void **state)
{
    (void)state;
    crm_error err;
    /* A: r 3-5, f 1-2, m *; B: r 1-3, f 2-5, m 1-1.  Shared: r 3, f 2, m 1. */
    crm_rfm_rule rules[3] = {
        make_rule("A", 3, 5, 1, 2, 1, 5),
        make_rule("C", 1, 1, 1, 1, 1, 1),
        make_rule("B", 1, 3, 2, 5, 1, 1),
    };
    assert_int_equal(crm_rfm_map_validate(rules, 3, 5, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "segments 'A' (rule 1) and 'B' (rule 3) overlap at r=3 f=2 m=1");
    /* Touching boxes do not overlap. */
    rules[2] = make_rule("B", 1, 2, 2, 5, 1, 1);
    assert_int_equal(crm_rfm_map_validate(rules, 3, 5, &err), CRM_OK);
    /* Two boxes of one segment may overlap: the name is the same either way. */
    rules[2] = make_rule("A", 1, 4, 1, 5, 1, 1);
    rules[1] = make_rule("C", 1, 1, 1, 1, 2, 2);
    assert_int_equal(crm_rfm_map_validate(rules, 3, 5, &err), CRM_OK);
}

static void test_map_malformed(void **state)
{
    (void)state;
    crm_error err;
    crm_rfm_rule rules[2] = { make_rule("A", 1, 5, 1, 5, 1, 2), make_rule("B", 1, 5, 1, 5, 4, 3) };
    assert_int_equal(crm_rfm_map_validate(rules, 2, 5, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "segment 'B' (rule 2): m range 4-3 is not within 1..5 with low <= high");
    rules[1] = make_rule("B", 0, 5, 1, 5, 3, 3);
    assert_int_equal(crm_rfm_map_validate(rules, 2, 5, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "segment 'B' (rule 2): r range 0-5 is not within 1..5 with low <= high");
    rules[1] = make_rule("B", 1, 5, 1, 6, 3, 3);
    assert_int_equal(crm_rfm_map_validate(rules, 2, 5, &err), CRM_EDATA);
    assert_string_equal(err.message,
                        "segment 'B' (rule 2): f range 1-6 is not within 1..5 with low <= high");
    rules[1] = make_rule("", 1, 5, 1, 5, 3, 3);
    assert_int_equal(crm_rfm_map_validate(rules, 2, 5, &err), CRM_EDATA);
    assert_string_equal(err.message, "rule 2 has an empty or unterminated name");
    memset(rules[1].name, 'x', sizeof rules[1].name);
    assert_int_equal(crm_rfm_map_validate(rules, 2, 5, &err), CRM_EDATA);
    assert_string_equal(err.message, "rule 2 has an empty or unterminated name");
    assert_int_equal(crm_rfm_map_validate(rules, 0, 5, &err), CRM_EDATA);
    assert_string_equal(err.message, "the segment map has no rules");
    assert_int_equal(crm_rfm_map_validate(rules, 1, 0, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the number of score bins must be 1..1000, not 0");
}

static void test_custom_map_assign(void **state)
{
    (void)state;
    /* Two boxes of "Top" and one of "Other": cells in none also go to
     * "Other", which is then listed once, where the rule put it. */
    crm_rfm_rule rules[3] = {
        make_rule("Top", 3, 3, 1, 3, 1, 3),
        make_rule("Other", 1, 1, 1, 1, 1, 1),
        make_rule("Top", 1, 2, 3, 3, 3, 3),
    };
    crm_error err;
    assert_int_equal(crm_rfm_map_validate(rules, 3, 3, &err), CRM_OK);
    const char *names[4];
    assert_int_equal(crm_rfm_segment_names(rules, 3, names), 2);
    assert_string_equal(names[0], "Top");
    assert_string_equal(names[1], "Other");
    const int r[4] = { 3, 1, 2, 2 }, f[4] = { 2, 1, 3, 2 }, m[4] = { 1, 1, 3, 2 };
    int labels[4];
    assert_int_equal(crm_rfm_assign(rules, 3, 3, r, f, m, 4, labels, &err), CRM_OK);
    static const int expected[4] = { 0, 1, 0, 1 };
    assert_memory_equal(labels, expected, sizeof expected);
}

static void test_assign_bad_score(void **state)
{
    (void)state;
    crm_rfm_rule rules[CRM_RFM_DEFAULT_RULES];
    size_t count;
    crm_error err;
    assert_int_equal(crm_rfm_default_map(5, rules, &count, &err), CRM_OK);
    const int r[2] = { 5, 3 }, f[2] = { 5, 6 }, m[2] = { 5, 1 };
    int labels[2];
    assert_int_equal(crm_rfm_assign(rules, count, 5, r, f, m, 2, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: f_score 6 is outside 1..5");
    const int r0[1] = { 0 };
    assert_int_equal(crm_rfm_assign(rules, count, 5, r0, f, m, 1, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 1: r_score 0 is outside 1..5");
}

/* ---- value tiers ---- */

static void test_value_tiers_without_prediction(void **state)
{
    (void)state;
    /* Positive values: 50 + 300 + 100 + 400 + 100 + 30 + 20 = 1000; 80% is
     * 800.  Highest first: 400 (row 5), 300 (row 1), 100 (row 3), 100 (row 6,
     * after row 3 on the tie), ...  Running sum 400, 700, 800: 800 reaches
     * 800, so MVC = rows 5, 1, 3 (0-based); row 2 (-20) is BZ; the zeros and
     * the rest are Standard (no prediction: no MGC). */
    const double value[10] = { 50, 300, -20, 100, 0, 400, 100, 30, 20, 0 };
    int labels[10];
    crm_value_options o;
    crm_value_options_init(&o);
    crm_value_summary s;
    crm_error err;
    assert_int_equal(crm_value_tiers(value, NULL, 10, &o, labels, &s, &err), CRM_OK);
    const int S = CRM_TIER_STANDARD, M = CRM_TIER_MVC, B = CRM_TIER_BZ;
    const int expected[10] = { S, M, B, M, S, M, S, S, S, S };
    assert_memory_equal(labels, expected, sizeof expected);
    assert_int_equal(s.count[CRM_TIER_MVC], 3);
    assert_int_equal(s.count[CRM_TIER_BZ], 1);
    assert_int_equal(s.count[CRM_TIER_STANDARD], 6);
    assert_int_equal(s.count[CRM_TIER_MGC], 0);
    assert_true(s.positive_total == 1000.0 && s.mvc_total == 800.0 && s.mvc_cutoff == 100.0);

    /* 70%: 700 is reached after 400 + 300. */
    o.top_share = 0.7;
    assert_int_equal(crm_value_tiers(value, NULL, 10, &o, labels, &s, &err), CRM_OK);
    assert_int_equal(s.count[CRM_TIER_MVC], 2);
    assert_int_equal(labels[3], S);
    /* 81%: 810 needs the fourth (row 6, 100): 900. */
    o.top_share = 0.81;
    assert_int_equal(crm_value_tiers(value, NULL, 10, &o, labels, &s, &err), CRM_OK);
    assert_int_equal(s.count[CRM_TIER_MVC], 4);
    assert_int_equal(labels[6], M);
    /* top_count 5: 400, 300, 100 (row 3), 100 (row 6), 50 (row 0). */
    o.top_count = 5;
    assert_int_equal(crm_value_tiers(value, NULL, 10, &o, labels, &s, &err), CRM_OK);
    const int expected5[10] = { M, M, B, M, S, M, M, S, S, S };
    assert_memory_equal(labels, expected5, sizeof expected5);
    /* More than there are positive values: only the 7 positive ones. */
    o.top_count = 9;
    assert_int_equal(crm_value_tiers(value, NULL, 10, &o, labels, &s, &err), CRM_OK);
    assert_int_equal(s.count[CRM_TIER_MVC], 7);
    assert_int_equal(labels[4], S);
}

static void test_value_tiers_with_prediction(void **state)
{
    (void)state;
    /* Ranked by predicted (clv).  Positive: 500 (r0) + 250 (r1) + 120 (r3) +
     * 300 (r4) + 30 (r5) + 100 (r6) = 1300; 80% = 1040.  500, 800, 1050:
     * MVC = r0, r4, r1.  BZ: r2 (predicted -10).  MGC (growth 1.5): r3 (120 >
     * 1.5 * 0), r5 (30 > 1.5 * -40 = -60); r6: 100 > 120 fails; r7:
     * predicted 0 is not above 0.  Standard: r6, r7. */
    const double value[8] = { 100, 200, 50, 0, 300, -40, 80, 10 };
    const double predicted[8] = { 500, 250, -10, 120, 300, 30, 100, 0 };
    int labels[8];
    crm_value_options o;
    crm_value_options_init(&o);
    crm_value_summary s;
    crm_error err;
    assert_int_equal(crm_value_tiers(value, predicted, 8, &o, labels, &s, &err), CRM_OK);
    const int S = CRM_TIER_STANDARD, M = CRM_TIER_MVC, B = CRM_TIER_BZ, G = CRM_TIER_MGC;
    const int expected[8] = { M, M, B, G, M, G, S, S };
    assert_memory_equal(labels, expected, sizeof expected);
    assert_true(s.positive_total == 1300.0 && s.mvc_total == 1050.0 && s.mvc_cutoff == 250.0);
    /* growth 1.2: r6 has 100 > 96 and becomes MGC. */
    o.growth = 1.2;
    assert_int_equal(crm_value_tiers(value, predicted, 8, &o, labels, &s, &err), CRM_OK);
    assert_int_equal(labels[6], G);
    assert_int_equal(s.count[CRM_TIER_MGC], 3);
    /* top_count 2: r0, r4; r1 (250 > 1.2 * 200 = 240) is then MGC. */
    o.top_count = 2;
    assert_int_equal(crm_value_tiers(value, predicted, 8, &o, labels, &s, &err), CRM_OK);
    assert_int_equal(labels[1], G);
    assert_int_equal(s.count[CRM_TIER_MVC], 2);
    assert_string_equal(crm_value_tier_name(CRM_TIER_MVC), "MVC");
    assert_string_equal(crm_value_tier_name(CRM_TIER_MGC), "MGC");
    assert_string_equal(crm_value_tier_name(CRM_TIER_STANDARD), "Standard");
    assert_string_equal(crm_value_tier_name(CRM_TIER_BZ), "BZ");
}

static void test_value_tiers_bad_input(void **state)
{
    (void)state;
    const double value[3] = { 1, NAN, 3 };
    const double ok[3] = { 1, 2, 3 };
    const double predicted[3] = { 1, 2, INFINITY };
    int labels[3];
    crm_value_options o;
    crm_value_options_init(&o);
    crm_error err;
    assert_int_equal(crm_value_tiers(value, NULL, 3, &o, labels, NULL, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: the value is not a finite number (nan)");
    assert_int_equal(crm_value_tiers(ok, predicted, 3, &o, labels, NULL, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 3: the predicted value is not a finite number (inf)");
    o.top_share = 0.0;
    assert_int_equal(crm_value_tiers(ok, NULL, 3, &o, labels, NULL, &err), CRM_EUSAGE);
    o.top_share = 1.2;
    assert_int_equal(crm_value_tiers(ok, NULL, 3, &o, labels, NULL, &err), CRM_EUSAGE);
    assert_string_equal(err.message,
                        "the MVC value share must be above 0 and at most 100%, not 1.2");
    crm_value_options_init(&o);
    o.growth = 0.0;
    assert_int_equal(crm_value_tiers(ok, NULL, 3, &o, labels, NULL, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "the growth factor must be a positive number, not 0");
}

/* ---- lifecycle ---- */

typedef struct {
    double tenure, recency, frequency, recent, p_alive;
    crm_lifecycle_stage stage;
} life_example;

static void run_life_examples(const life_example *ex, size_t n, int with_recent, int with_p,
                              const crm_lifecycle_options *o)
{
    double tenure[16], recency[16], frequency[16], recent[16], p_alive[16];
    int labels[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        tenure[i] = ex[i].tenure;
        recency[i] = ex[i].recency;
        frequency[i] = ex[i].frequency;
        recent[i] = ex[i].recent;
        p_alive[i] = ex[i].p_alive;
    }
    crm_lifecycle_input in = { tenure, recency, frequency, with_recent ? recent : NULL,
                               with_p ? p_alive : NULL, NULL, NULL };
    crm_error err;
    assert_int_equal(crm_lifecycle_assign(&in, n, o, labels, &err), CRM_OK);
    for (size_t i = 0; i < n; i++)
        if (labels[i] != (int)ex[i].stage)
            fail_msg("example %zu: expected %s, got %s", i + 1,
                     crm_lifecycle_stage_name(ex[i].stage),
                     crm_lifecycle_stage_name((crm_lifecycle_stage)labels[i]));
}

static void test_lifecycle_without_trend(void **state)
{
    (void)state;
    crm_lifecycle_options o;
    crm_lifecycle_options_init(&o);
    /* Defaults: new <= 90 days of tenure, growing <= 365, declining when
     * recency > 180, lapsed when recency > 365. */
    const life_example ex[] = {
        { 400, 366, 1, 0, 0, CRM_STAGE_LAPSED },     /* 366 > 365 */
        { 400, 365, 1, 0, 0, CRM_STAGE_DECLINING },  /* 365 is not lapsed, > 180 */
        { 60, 10, 2, 0, 0, CRM_STAGE_NEW },
        { 90, 0, 1, 0, 0, CRM_STAGE_NEW },           /* tenure 90 <= 90 */
        { 91, 0, 1, 0, 0, CRM_STAGE_GROWING },       /* 91 > 90, <= 365 */
        { 300, 181, 3, 0, 0, CRM_STAGE_DECLINING },  /* 181 > 180 */
        { 300, 180, 3, 0, 0, CRM_STAGE_GROWING },    /* 180 is not declining */
        { 365, 30, 5, 0, 0, CRM_STAGE_GROWING },     /* tenure 365 <= 365 */
        { 366, 30, 5, 0, 0, CRM_STAGE_MATURE },      /* 366 > 365 */
        { 80, 80, 1, 0, 0, CRM_STAGE_NEW },
    };
    run_life_examples(ex, sizeof ex / sizeof ex[0], 0, 0, &o);
}

static void test_lifecycle_with_trend_and_p_alive(void **state)
{
    (void)state;
    crm_lifecycle_options o;
    crm_lifecycle_options_init(&o);
    /* Window and tenure chosen so the trend is exact in binary: recent_days
     * 64, tenure 320, so trend = (recent / 64) / (earlier / 256)
     * = 4 * recent / earlier.  mature_days 300 so tenure alone is mature. */
    o.recent_days = 64;
    o.mature_days = 300;
    const life_example ex[] = {
        { 320, 10, 11, 3, 1, CRM_STAGE_GROWING },    /* 4 * 3 / 8 = 1.5 >= 1.5 */
        { 320, 10, 12, 3, 1, CRM_STAGE_MATURE },     /* 4 * 3 / 9 = 1.33 */
        { 320, 10, 9, 1, 1, CRM_STAGE_DECLINING },   /* 4 * 1 / 8 = 0.5 <= 0.5 */
        { 320, 10, 8, 1, 1, CRM_STAGE_MATURE },      /* 4 * 1 / 7 = 0.57 */
        { 320, 10, 5, 0, 1, CRM_STAGE_DECLINING },   /* 0 / 5 = 0 */
        { 320, 10, 0, 0, 1, CRM_STAGE_MATURE },      /* no purchases: no trend */
        { 320, 10, 2, 2, 1, CRM_STAGE_GROWING },     /* none before the window: +inf */
        { 60, 10, 2, 2, 1, CRM_STAGE_NEW },          /* tenure below the window */
        /* p_alive: lapsed below 0.1, declining below 0.5. */
        { 320, 10, 12, 3, 0.09, CRM_STAGE_LAPSED },
        { 320, 10, 12, 3, 0.1, CRM_STAGE_DECLINING },
        { 320, 10, 12, 3, 0.49, CRM_STAGE_DECLINING },
        { 320, 10, 12, 3, 0.5, CRM_STAGE_MATURE },
        { 60, 10, 2, 2, 0.05, CRM_STAGE_LAPSED },    /* lapsed comes before new */
        { 60, 10, 2, 2, 0.3, CRM_STAGE_NEW },        /* new comes before declining */
    };
    run_life_examples(ex, sizeof ex / sizeof ex[0], 1, 1, &o);
    assert_string_equal(crm_lifecycle_stage_name(CRM_STAGE_MATURE), "mature");
}

/* The two windows of crm-rfm --recent-window (90 days each, the default):
 * trend = recent / previous, defined from a tenure of 180 days on; and the
 * prospect flag before every other rule.
 *   1: tenure 400, recency 5, 6 purchases in the last window, 2 before: trend 3 -> growing
 *      (over the whole tenure it would be (6/90) / ((20-6)/310) = 1.48: mature)
 *   2: tenure 400, recency 100, 0 and 4: trend 0 -> declining
 *   3: tenure 400, recency 10, 3 and 3: trend 1 -> mature
 *   4: tenure 170 (< 180), recency 10, 3 and 0: no trend -> growing (tenure <= 365)
 *   5: tenure 400, recency 10, 2 and 0: +inf -> growing
 *   6: a prospect (its other numbers 0 and not read) -> prospect */
static void test_lifecycle_two_windows_and_prospects(void **state)
{
    (void)state;
    double tenure[6] = { 400, 400, 400, 170, 400, 0 }, recency[6] = { 5, 100, 10, 10, 10, 0 };
    double frequency[6] = { 20, 10, 12, 3, 9, 0 }, recent[6] = { 6, 0, 3, 3, 2, 0 };
    double previous[6] = { 2, 4, 3, 0, 0, 0 };
    unsigned char prospect[6] = { 0, 0, 0, 0, 0, 1 };
    crm_lifecycle_input in = { tenure, recency, frequency, recent, NULL, previous, prospect };
    crm_lifecycle_options o;
    crm_lifecycle_options_init(&o);
    int labels[6];
    crm_error err;
    assert_int_equal(crm_lifecycle_assign(&in, 6, &o, labels, &err), CRM_OK);
    const crm_lifecycle_stage want[6] = { CRM_STAGE_GROWING, CRM_STAGE_DECLINING, CRM_STAGE_MATURE,
                                          CRM_STAGE_GROWING, CRM_STAGE_GROWING, CRM_STAGE_PROSPECT };
    for (int i = 0; i < 6; i++)
        assert_int_equal(labels[i], want[i]);
    in.previous_frequency = NULL;
    assert_int_equal(crm_lifecycle_assign(&in, 6, &o, labels, &err), CRM_OK);
    assert_int_equal(labels[0], CRM_STAGE_MATURE);
    in.previous_frequency = previous;
    previous[2] = 10;
    assert_int_equal(crm_lifecycle_assign(&in, 6, &o, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 3: recent frequency 3 plus previous frequency 10 is above frequency 12");
    assert_string_equal(crm_lifecycle_stage_name(CRM_STAGE_PROSPECT), "prospect");
}

static void test_lifecycle_bad_input(void **state)
{
    (void)state;
    double tenure[2] = { 100, 100 }, recency[2] = { 10, 10 }, frequency[2] = { 3, 3 };
    double recent[2] = { 1, 1 }, p_alive[2] = { 0.5, 0.5 };
    crm_lifecycle_input in = { tenure, recency, frequency, recent, p_alive, NULL, NULL };
    crm_lifecycle_options o;
    crm_lifecycle_options_init(&o);
    int labels[2];
    crm_error err;
    recency[1] = 120;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: recency_days 120 is above tenure_days 100");
    recency[1] = 10;
    recent[0] = 4;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 1: recent frequency 4 is above frequency 3");
    recent[0] = 1;
    p_alive[1] = 1.2;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: p_alive 1.2 is above 1");
    p_alive[1] = 0.5;
    tenure[0] = -1;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 1: tenure_days must be a finite number >= 0, not -1");
    tenure[0] = 100;
    frequency[1] = NAN;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 2: frequency must be a finite number >= 0, not nan");
    frequency[1] = 3;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_OK);
    o.new_days = 400;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "new_days (400) is above mature_days (365)");
    crm_lifecycle_options_init(&o);
    o.declining_trend = 2;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EUSAGE);
    crm_lifecycle_options_init(&o);
    o.lapsed_p_alive = 0.6;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EUSAGE);
    crm_lifecycle_options_init(&o);
    o.recent_days = 0;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EUSAGE);
    crm_lifecycle_options_init(&o);
    o.declining_days = 400;
    assert_int_equal(crm_lifecycle_assign(&in, 2, &o, labels, &err), CRM_EUSAGE);
}

/* ---- profile ---- */

static void test_profile(void **state)
{
    (void)state;
    /* Segment 0: rows 0, 2, 4 (values 10, 20, 30; features (1, 10), (3, 30),
     * (5, 50): means 3, 30); segment 1: row 1 (-5); segment 2: row 3 (0);
     * segment 3: nobody.  Value over everyone 55: shares 60/55, -5/55, 0. */
    const int labels[5] = { 0, 1, 0, 2, 0 };
    const double value[5] = { 10, -5, 20, 0, 30 };
    const double features[10] = { 1, 10, 2, 20, 3, 30, 4, 40, 5, 50 };
    crm_segment_stats stats[4];
    double means[8];
    crm_error err;
    assert_int_equal(crm_segment_profile(labels, 5, 4, value, features, 2, stats, means, &err),
                     CRM_OK);
    assert_int_equal(stats[0].customers, 3);
    assert_true(fabs(stats[0].customer_share - 0.6) < 1e-15);
    assert_true(stats[0].value_total == 60.0);
    assert_true(fabs(stats[0].value_share - 60.0 / 55.0) < 1e-15);
    assert_true(means[0] == 3.0 && means[1] == 30.0);
    assert_int_equal(stats[1].customers, 1);
    assert_true(stats[1].value_total == -5.0);
    assert_true(fabs(stats[1].value_share + 5.0 / 55.0) < 1e-15);
    assert_true(means[2] == 2.0 && means[3] == 20.0);
    assert_true(stats[2].value_total == 0.0 && stats[2].value_share == 0.0);
    assert_int_equal(stats[3].customers, 0);
    assert_true(stats[3].customer_share == 0.0 && stats[3].value_total == 0.0);
    assert_true(isnan(means[6]) && isnan(means[7]));

    /* Without value or features: counts only. */
    assert_int_equal(crm_segment_profile(labels, 5, 4, NULL, NULL, 0, stats, NULL, &err),
                     CRM_OK);
    assert_int_equal(stats[0].customers, 3);
    assert_true(stats[0].value_share == 0.0);
}

static void test_profile_bad_input(void **state)
{
    (void)state;
    const int labels[3] = { 0, 4, 1 };
    const double value[3] = { 1, 2, NAN };
    crm_segment_stats stats[4];
    crm_error err;
    assert_int_equal(crm_segment_profile(labels, 3, 4, NULL, NULL, 0, stats, NULL, &err),
                     CRM_EUSAGE);
    assert_string_equal(err.message, "row 2: segment 4 is outside 0..3");
    const int ok[3] = { 0, 1, 1 };
    assert_int_equal(crm_segment_profile(ok, 3, 4, value, NULL, 0, stats, NULL, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 3: the value is not a finite number (nan)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_map_examples),
        cmocka_unit_test(test_default_map_partitions_cells),
        cmocka_unit_test(test_default_map_scaled_to_10_bins),
        cmocka_unit_test(test_default_map_scaled_to_3_bins),
        cmocka_unit_test(test_parse_range),
        cmocka_unit_test(test_parse_range_malformed),
        cmocka_unit_test(test_parse_rule),
        cmocka_unit_test(test_map_overlap),
        cmocka_unit_test(test_map_malformed),
        cmocka_unit_test(test_custom_map_assign),
        cmocka_unit_test(test_assign_bad_score),
        cmocka_unit_test(test_value_tiers_without_prediction),
        cmocka_unit_test(test_value_tiers_with_prediction),
        cmocka_unit_test(test_value_tiers_bad_input),
        cmocka_unit_test(test_lifecycle_without_trend),
        cmocka_unit_test(test_lifecycle_with_trend_and_p_alive),
        cmocka_unit_test(test_lifecycle_bad_input),
        cmocka_unit_test(test_lifecycle_two_windows_and_prospects),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_profile_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
