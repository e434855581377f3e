/* Unit tests of crm-rfm's partial aggregates under row splits (crm/rfm.h:
 * crm_rfm_invoice_key, crm_rfm_keep_invoice_keys): an invoice whose lines are
 * cut across parts counts once when the day totals carry their invoice keys,
 * and twice without them (the hand count beside each case). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "crm/rfm.h"

enum { MAX_TOTALS = 16, MAX_KEYS = 16 };

/* Day totals copied out of crm_rfm_each_day (their keys copied too). */
typedef struct {
    crm_rfm_day_total t[MAX_TOTALS];
    char customer[MAX_TOTALS][8];
    uint64_t keys[MAX_TOTALS][MAX_KEYS];
    size_t n;
} totals;

static crm_status collect(void *ctx, const crm_rfm_day_total *t, crm_error *err)
{
    (void)err;
    totals *c = ctx;
    assert_true(c->n < MAX_TOTALS && t->customer_len < 8 && t->ninvoice_keys <= MAX_KEYS);
    memcpy(c->customer[c->n], t->customer, t->customer_len);
    if (t->ninvoice_keys)
        memcpy(c->keys[c->n], t->invoice_keys, t->ninvoice_keys * sizeof *t->invoice_keys);
    c->t[c->n] = *t;
    c->t[c->n].customer = c->customer[c->n];
    c->t[c->n].invoice_keys = c->keys[c->n];
    c->n++;
    return CRM_OK;
}

static void add_line(crm_rfm *a, const char *customer, const char *invoice, int32_t day)
{
    crm_rfm_line line = {customer, strlen(customer), invoice, strlen(invoice), day, {100, 2}, {0, 0}};
    assert_int_equal(crm_rfm_add(a, &line, NULL), CRM_OK);
}

static crm_rfm *new_part(int keep_keys)
{
    crm_rfm_config cfg = {1, 0};
    crm_rfm *a;
    assert_int_equal(crm_rfm_new(&a, &cfg, NULL), CRM_OK);
    if (keep_keys)
        assert_int_equal(crm_rfm_keep_invoice_keys(a, NULL), CRM_OK);
    return a;
}

/* Customer A: invoice 7 on day 100 cut across the two parts (2 lines in the
 * first, 1 in the second), invoice 8 on day 101 in the second: frequency 2 by
 * hand.  Without keys the cut invoice counts in each part: 3. */
static uint64_t merged_frequency(int keep_keys, totals *first)
{
    crm_rfm *p1 = new_part(keep_keys), *p2 = new_part(keep_keys), *merged = new_part(0);
    add_line(p1, "A", "7", 100);
    add_line(p1, "A", "7", 100);
    add_line(p2, "A", "7", 100);
    add_line(p2, "A", "8", 101);
    totals c1 = {0}, c2 = {0};
    assert_int_equal(crm_rfm_each_day(p1, collect, &c1, NULL), CRM_OK);
    assert_int_equal(crm_rfm_each_day(p2, collect, &c2, NULL), CRM_OK);
    for (size_t i = 0; i < c1.n; i++)
        assert_int_equal(crm_rfm_add_day(merged, &c1.t[i], NULL), CRM_OK);
    for (size_t i = 0; i < c2.n; i++)
        assert_int_equal(crm_rfm_add_day(merged, &c2.t[i], NULL), CRM_OK);
    crm_rfm_options o;
    crm_rfm_options_init(&o);
    o.as_of = 102;
    crm_rfm_result r;
    assert_int_equal(crm_rfm_finish(merged, &o, &r, NULL), CRM_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.rows_in, 4);
    uint64_t f = r.customers[0].frequency;
    crm_rfm_result_free(&r);
    if (first)
        *first = c1;
    crm_rfm_free(p1);
    crm_rfm_free(p2);
    crm_rfm_free(merged);
    return f;
}

static void test_cut_invoice_counts_once_with_keys(void **state)
{
    (void)state;
    totals c1;
    assert_int_equal(merged_frequency(1, &c1), 2);
    /* the first part's one day total names invoice 7 by its key */
    assert_int_equal(c1.n, 1);
    assert_true(c1.t[0].has_invoice_keys);
    assert_int_equal(c1.t[0].ninvoice_keys, 1);
    assert_int_equal(c1.t[0].invoices, 1);
    assert_true(c1.keys[0][0] == crm_rfm_invoice_key("A", 1, "7", 1, 100));
}

static void test_cut_invoice_counts_twice_without_keys(void **state)
{
    (void)state;
    assert_int_equal(merged_frequency(0, NULL), 3);
}

static void test_invoice_keys(void **state)
{
    (void)state;
    /* the customer is part of the key; the day only for an empty invoice id */
    assert_true(crm_rfm_invoice_key("A", 1, "7", 1, 100) == crm_rfm_invoice_key("A", 1, "7", 1, 5));
    assert_true(crm_rfm_invoice_key("A", 1, "7", 1, 100) != crm_rfm_invoice_key("B", 1, "7", 1, 100));
    assert_true(crm_rfm_invoice_key("A", 1, "", 0, 100) != crm_rfm_invoice_key("A", 1, "", 0, 101));
    assert_true(crm_rfm_invoice_key("A", 1, "", 0, 100) == crm_rfm_invoice_key("A", 1, "", 0, 100));
}

static void test_keys_sorted_within_a_day(void **state)
{
    (void)state;
    crm_rfm *a = new_part(1);
    add_line(a, "A", "9", 100);
    add_line(a, "A", "1", 100);
    add_line(a, "A", "5", 100);
    add_line(a, "A", "1", 100);   /* seen: not counted, not listed again */
    totals c = {0};
    assert_int_equal(crm_rfm_each_day(a, collect, &c, NULL), CRM_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.t[0].ninvoice_keys, 3);
    assert_int_equal(c.t[0].invoices, 3);
    assert_true(c.keys[0][0] < c.keys[0][1] && c.keys[0][1] < c.keys[0][2]);
    crm_rfm_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_invoice_counts_once_with_keys),
        cmocka_unit_test(test_cut_invoice_counts_twice_without_keys),
        cmocka_unit_test(test_invoice_keys),
        cmocka_unit_test(test_keys_sorted_within_a_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
