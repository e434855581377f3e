/* Unit tests of the shard module: the hash is FNV-1a 64 (the published test
 * vectors of Fowler, Noll and Vo: "" cbf29ce484222325, "a" af63dc4c8601ec8c,
 * "foobar" 85944171f73967e8), shards count from 1, and the normalised
 * customer id decides (crm_clean_in_shard). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "crm/clean.h"
#include "crm/shard.h"

static void test_fnv1a_vectors(void **state)
{
    (void)state;
    assert_true(crm_shard_hash("", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(crm_shard_hash("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(crm_shard_hash("foobar", 6) == UINT64_C(0x85944171f73967e8));
}

static void test_shard_of(void **state)
{
    (void)state;
    /* 0xaf63dc4c8601ec8c = 12638187200555641996: mod 4 = 0 (shard 1 of 4),
     * mod 3 = 1 (shard 2 of 3), by hand from the decimal digits. */
    assert_int_equal(crm_shard_of("a", 1, 4), 1);
    assert_int_equal(crm_shard_of("a", 1, 3), 2);
    assert_int_equal(crm_shard_of("anything", 8, 1), 1);
    crm_shard s = {2, 3};
    assert_true(crm_shard_keeps(&s, "a", 1));
    s.index = 1;
    assert_false(crm_shard_keeps(&s, "a", 1));
    assert_true(crm_shard_keeps(NULL, "a", 1));
    crm_shard off = {0, 0};
    assert_true(crm_shard_keeps(&off, "a", 1));
}

static void test_parse(void **state)
{
    (void)state;
    crm_shard s;
    crm_error err;
    assert_int_equal(crm_shard_parse("3/4", &s, &err), CRM_OK);
    assert_int_equal(s.index, 3);
    assert_int_equal(s.count, 4);
    assert_int_equal(crm_shard_parse("1000000/1000000", &s, &err), CRM_OK);
    const char *bad[] = {"5/4", "0/0", "x", "0/4", "1/", "/4", "+1/4", "1/4 ", "1/1000001", "", "1//4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        crm_error_clear(&err);
        assert_int_equal(crm_shard_parse(bad[i], &s, &err), CRM_EUSAGE);
        assert_non_null(strstr(err.message, "--shard wants I/N with 1 <= I <= N <= 1000000, got '"));
    }
}

static void test_normalised_id(void **state)
{
    (void)state;
    size_t n;
    const char *s = crm_clean_customer_id(" 17850.0 ", 9, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(s, "17850", 5);
    s = crm_clean_customer_id("17850.5", 7, &n);
    assert_int_equal(n, 7);   /* not an integer written as a float: kept */
    s = crm_clean_customer_id("A1.0", 4, &n);
    assert_int_equal(n, 4);   /* not all digits: kept */
    s = crm_clean_customer_id("   ", 3, &n);
    assert_int_equal(n, 0);
    for (uint32_t i = 1; i <= 7; i++) {
        crm_shard sh = {i, 7};
        assert_int_equal(crm_clean_in_shard(&sh, "17850.00", 8), crm_clean_in_shard(&sh, "17850", 5));
        assert_int_equal(crm_clean_in_shard(&sh, "17850", 5), crm_shard_keeps(&sh, "17850", 5));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fnv1a_vectors),
        cmocka_unit_test(test_shard_of),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_normalised_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
