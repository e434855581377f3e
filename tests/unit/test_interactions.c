/* Unit tests of lib/interactions.c: counts and last days before the as-of
 * date, prospects in byte order, and the recency R scores. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crm/interactions.h"

/* as_of 100: "b" on days 90 and 95 (2, last 95), "a" on 99, "c" on 100
 * (on the as-of date: left out, so "c" is unknown). */
static void test_counts_and_order(void **state)
{
    (void)state;
    crm_interactions *a;
    crm_error err;
    assert_int_equal(crm_interactions_new(&a, 100, &err), CRM_OK);
    assert_int_equal(crm_interactions_add(a, "b", 1, 95, &err), CRM_OK);
    assert_int_equal(crm_interactions_add(a, "b", 1, 90, &err), CRM_OK);
    assert_int_equal(crm_interactions_add(a, "a", 1, 99, &err), CRM_OK);
    assert_int_equal(crm_interactions_add(a, "c", 1, 100, &err), CRM_OK);
    assert_int_equal(crm_interactions_rows_after(a), 1);
    crm_interaction_summary s;
    assert_int_equal(crm_interactions_get(a, "b", 1, &s), 1);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.last_day, 95);
    assert_int_equal(crm_interactions_get(a, "c", 1, &s), 0);
    uint32_t *ids;
    size_t n, len;
    assert_int_equal(crm_interactions_sorted(a, &ids, &n, &err), CRM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(crm_interactions_customer(a, ids[0], &len, &s), "a");
    assert_string_equal(crm_interactions_customer(a, ids[1], &len, &s), "b");
    free(ids);
    crm_interactions_free(a);
}

/* Two customers of a table as of 100: "a" last bought on 80 and visited on
 * 99; "z" last bought on 90 and never visited.
 *   purchases     20, 10
 *   interactions  1, NaN
 *   both          1 (the visit is later), 10 */
static void test_recency(void **state)
{
    (void)state;
    crm_interactions *a;
    crm_error err;
    assert_int_equal(crm_interactions_new(&a, 100, &err), CRM_OK);
    assert_int_equal(crm_interactions_add(a, "a", 1, 99, &err), CRM_OK);
    crm_rfm_customer rows[2] = {{0}};
    rows[0].customer_id = "a";
    rows[0].customer_len = 1;
    rows[0].last_day = 80;
    rows[0].recency_days = 20;
    rows[1].customer_id = "z";
    rows[1].customer_len = 1;
    rows[1].last_day = 90;
    rows[1].recency_days = 10;
    crm_rfm_result res = {0};
    res.customers = rows;
    res.count = 2;
    double r[2];
    crm_interactions_recency(a, &res, 100, CRM_RECENCY_FROM_PURCHASES, r);
    assert_true(r[0] == 20 && r[1] == 10);
    crm_interactions_recency(a, &res, 100, CRM_RECENCY_FROM_INTERACTIONS, r);
    assert_true(r[0] == 1 && isnan(r[1]));
    crm_interactions_recency(a, &res, 100, CRM_RECENCY_FROM_BOTH, r);
    assert_true(r[0] == 1 && r[1] == 10);
    crm_interactions_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_order),
        cmocka_unit_test(test_recency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
