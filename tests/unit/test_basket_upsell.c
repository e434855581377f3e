/* Unit tests of lib/basket_upsell.c, computed by hand beside each case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crm/basket_upsell.h"

static crm_decimal price(int64_t cents) { return (crm_decimal){cents, 2}; }

/* Catalog: K1 1.00, K2 2.00, K3 3.00 in K; L1 5.00 in L.
 * Customers: x bought K1 and L1; y bought K2; w bought K1, K2.
 * K buyers x, y, w = 3; K2 bought by y, w (2), K3 by nobody.
 * x: dearer than K1 in K: K2 2/3, K3 0/3; L has nothing dearer.
 * y: K3 0/3.  w: dearest K2: K3 0/3.  With top 1, x keeps K2 only. */
static void test_offers(void **state)
{
    (void)state;
    crm_error err;
    crm_upsell_catalog *c;
    assert_int_equal(crm_upsell_catalog_new(&c, &err), CRM_OK);
    const char *names[4] = {"K1", "K2", "K3", "L1"}, *cats[4] = {"K", "K", "K", "L"};
    int64_t cents[4] = {100, 200, 300, 500};
    for (int i = 0; i < 4; i++)
        assert_int_equal(crm_upsell_catalog_add(c, names[i], 2, cats[i], 1, price(cents[i]), &err), CRM_OK);
    assert_int_equal(crm_upsell_catalog_add(c, "K1", 2, "K", 1, price(100), &err), CRM_EDATA);
    assert_string_equal(err.message, "product 'K1' appears twice");
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    const char *pairs[5][2] = {{"x", "K1"}, {"x", "L1"}, {"y", "K2"}, {"w", "K1"}, {"w", "K2"}};
    for (int i = 0; i < 5; i++)
        assert_int_equal(crm_basket_db_add_pair(db, pairs[i][0], 1, pairs[i][1], 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    crm_upsell *offers;
    size_t n;
    assert_int_equal(crm_basket_upsell(db, c, 0, &offers, &n, &err), CRM_OK);
    assert_int_equal(n, 4);
    size_t len;
    const char *want[4] = {"K2", "K3", "K3", "K3"};
    const size_t customer[4] = {0, 0, 1, 2};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(crm_upsell_catalog_product(c, offers[i].product, &len), want[i]);
        assert_int_equal(offers[i].customer, customer[i]);
        assert_int_equal(offers[i].category_buyers, 3);
    }
    assert_true(offers[0].buyers == 2 && offers[0].score == 2.0 / 3.0);
    assert_string_equal(crm_upsell_catalog_product(c, offers[3].above, &len), "K2");
    free(offers);
    assert_int_equal(crm_basket_upsell(db, c, 1, &offers, &n, &err), CRM_OK);
    assert_int_equal(n, 3);
    free(offers);
    crm_basket_db_free(db);
    crm_upsell_catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
