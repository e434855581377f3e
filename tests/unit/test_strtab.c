#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crm/strtab.h"

static void test_intern_find_get(void **state)
{
    (void)state;
    crm_strtab *t = crm_strtab_new(0);
    assert_non_null(t);
    uint32_t id = 99;

    assert_int_equal(crm_strtab_find(t, "alice", 5, &id), 0);
    assert_int_equal(crm_strtab_intern(t, "alice", 5, &id), 1);
    assert_int_equal(id, 0);
    assert_int_equal(crm_strtab_intern(t, "bob", 3, &id), 1);
    assert_int_equal(id, 1);
    assert_int_equal(crm_strtab_intern(t, "alice", 5, &id), 0);
    assert_int_equal(id, 0);
    /* A prefix is a different string. */
    assert_int_equal(crm_strtab_intern(t, "alice", 4, &id), 1);
    assert_int_equal(id, 2);

    assert_int_equal(crm_strtab_find(t, "bob", 3, &id), 1);
    assert_int_equal(id, 1);
    assert_int_equal(crm_strtab_find(t, "carol", 5, &id), 0);
    assert_int_equal(crm_strtab_count(t), 3);

    size_t len = 0;
    const char *s = crm_strtab_get(t, 0, &len);
    assert_string_equal(s, "alice");
    assert_int_equal(len, 5);
    s = crm_strtab_get(t, 2, &len);
    assert_string_equal(s, "alic");
    assert_int_equal(len, 4);
    assert_null(crm_strtab_get(t, 3, &len));
    assert_int_equal(len, 0);
    assert_true(crm_strtab_memory(t) > 0);
    crm_strtab_free(t);
}

static void test_empty_and_binary_strings(void **state)
{
    (void)state;
    crm_strtab *t = crm_strtab_new(4);
    uint32_t id;
    /* Strings that differ only after or around a NUL byte are distinct. */
    static const char a_nul_b[] = {'a', '\0', 'b'};
    static const char a_nul_c[] = {'a', '\0', 'c'};
    static const char a_nul[] = {'a', '\0'};

    assert_int_equal(crm_strtab_intern(t, "", 0, &id), 1);
    assert_int_equal(id, 0);
    assert_int_equal(crm_strtab_intern(t, a_nul_b, 3, &id), 1);
    assert_int_equal(id, 1);
    assert_int_equal(crm_strtab_intern(t, a_nul_c, 3, &id), 1);
    assert_int_equal(id, 2);
    assert_int_equal(crm_strtab_intern(t, a_nul, 2, &id), 1);
    assert_int_equal(id, 3);
    assert_int_equal(crm_strtab_intern(t, "a", 1, &id), 1);
    assert_int_equal(id, 4);
    assert_int_equal(crm_strtab_intern(t, a_nul_b, 3, &id), 0);
    assert_int_equal(id, 1);
    assert_int_equal(crm_strtab_intern(t, "", 0, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(crm_strtab_count(t), 5);

    size_t len = 99;
    const char *s = crm_strtab_get(t, 0, &len);
    assert_int_equal(len, 0);
    assert_int_equal(s[0], '\0');
    s = crm_strtab_get(t, 1, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(s, a_nul_b, 3);
    assert_int_equal(s[3], '\0');
    crm_strtab_free(t);
}

/* Longer than a string chunk (1 MiB): gets its own chunk. */
static void test_long_string(void **state)
{
    (void)state;
    size_t big = (size_t)3 << 20;
    char *s = malloc(big);
    assert_non_null(s);
    memset(s, 'x', big);
    s[big - 1] = 'y';
    crm_strtab *t = crm_strtab_new(0);
    uint32_t id;
    assert_int_equal(crm_strtab_intern(t, "short", 5, &id), 1);
    assert_int_equal(crm_strtab_intern(t, s, big, &id), 1);
    assert_int_equal(id, 1);
    assert_int_equal(crm_strtab_intern(t, "after", 5, &id), 1);
    assert_int_equal(id, 2);
    size_t len;
    const char *got = crm_strtab_get(t, 1, &len);
    assert_int_equal(len, big);
    assert_memory_equal(got, s, big);
    assert_string_equal(crm_strtab_get(t, 0, NULL), "short");
    assert_string_equal(crm_strtab_get(t, 2, NULL), "after");
    assert_true(crm_strtab_memory(t) > big);
    crm_strtab_free(t);
    free(s);
}

enum { MANY = 1000000 };

/* One million distinct strings through many resizes from the smallest
 * table: ids come out 0..n-1 in order, stay the same when the strings come
 * again, and pointers taken before the growth stay valid. */
static void test_growth_keeps_ids_dense_and_stable(void **state)
{
    (void)state;
    crm_strtab *t = crm_strtab_new(0);
    char buf[32];
    uint32_t id;
    const char *first = NULL;
    for (uint32_t i = 0; i < MANY; i++) {
        int n = snprintf(buf, sizeof buf, "cust-%u", i);
        assert_int_equal(crm_strtab_intern(t, buf, (size_t)n, &id), 1);
        assert_int_equal(id, i);
        if (i == 0)
            first = crm_strtab_get(t, 0, NULL);
    }
    assert_int_equal(crm_strtab_count(t), MANY);
    assert_ptr_equal(crm_strtab_get(t, 0, NULL), first);
    assert_string_equal(first, "cust-0");

    for (uint32_t i = 0; i < MANY; i++) {
        int n = snprintf(buf, sizeof buf, "cust-%u", i);
        assert_int_equal(crm_strtab_intern(t, buf, (size_t)n, &id), 0);
        assert_int_equal(id, i);
        size_t len;
        const char *s = crm_strtab_get(t, i, &len);
        assert_int_equal(len, (size_t)n);
        assert_string_equal(s, buf);
    }
    assert_int_equal(crm_strtab_find(t, "cust-1000000", 12, &id), 0);
    assert_int_equal(crm_strtab_count(t), MANY);
    crm_strtab_free(t);
}

static void test_hashset_key_zero(void **state)
{
    (void)state;
    crm_hashset *s = crm_hashset_new(0);
    assert_int_equal(crm_hashset_count(s), 0);
    assert_int_equal(crm_hashset_add(s, 0), 1);
    assert_int_equal(crm_hashset_add(s, 0), 0);
    assert_int_equal(crm_hashset_count(s), 1);
    assert_int_equal(crm_hashset_add(s, 1), 1);
    assert_int_equal(crm_hashset_add(s, UINT64_MAX), 1);
    assert_int_equal(crm_hashset_add(s, 0), 0);
    assert_int_equal(crm_hashset_add(s, 1), 0);
    assert_int_equal(crm_hashset_count(s), 3);
    crm_hashset_free(s);
}

/* contains agrees with add across growth: every key added is found, and
 * keys never added (the odd ones) are not, 0 included. */
static void test_hashset_contains(void **state)
{
    (void)state;
    crm_hashset *s = crm_hashset_new(0);
    assert_false(crm_hashset_contains(s, 0));
    for (uint64_t k = 2; k <= 200000; k += 2)
        assert_int_equal(crm_hashset_add(s, k * 0x9e3779b97f4a7c15ull), 1);
    for (uint64_t k = 1; k <= 200001; k++)
        assert_int_equal(crm_hashset_contains(s, k * 0x9e3779b97f4a7c15ull), k % 2 == 0);
    assert_false(crm_hashset_contains(s, 0));
    assert_int_equal(crm_hashset_add(s, 0), 1);
    assert_true(crm_hashset_contains(s, 0));
    crm_hashset_free(s);
}

/* Keys with no entropy in their low bits or in their high bits (multiples of
 * 2^40, small consecutive numbers) would all share a slot under a plain
 * mask; each is added twice and must be counted once. */
static void test_hashset_structured_keys(void **state)
{
    (void)state;
    crm_hashset *s = crm_hashset_new(0);
    const uint64_t n = 50000;
    for (int round = 0; round < 2; round++) {
        int expect_new = round == 0;
        for (uint64_t i = 1; i <= n; i++) {
            assert_int_equal(crm_hashset_add(s, i << 40), expect_new);
            assert_int_equal(crm_hashset_add(s, i), expect_new);
            assert_int_equal(crm_hashset_add(s, ~i), expect_new);
        }
    }
    /* 3 families of n keys: i<<40 >= 2^40, i <= 50000 and ~i near 2^64 do not
     * overlap. */
    assert_int_equal(crm_hashset_count(s), 3 * n);
    crm_hashset_free(s);
}

/* Prefetching is only a hint: it must change nothing, whether the key is in
 * the set or not, and on a set whose shards have grown many times (500000
 * keys: 2^14 slots in each of the 64 shards). */
static void test_hashset_prefetch_changes_nothing(void **state)
{
    (void)state;
    crm_hashset *s = crm_hashset_new(0);
    const uint64_t n = 500000;
    crm_hashset_prefetch(s, 42);
    crm_hashset_prefetch(s, 0);
    assert_int_equal(crm_hashset_count(s), 0);
    for (int round = 0; round < 2; round++) {
        int expect_new = round == 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t key = i * UINT64_C(0x9e3779b97f4a7c15);   /* i = 0 gives key 0 */
            crm_hashset_prefetch(s, key);
            assert_int_equal(crm_hashset_add(s, key), expect_new);
        }
        assert_int_equal(crm_hashset_count(s), n);
    }
    crm_hashset_free(s);
}

/* A weak hash (a sum of bytes, or one that ignores a position) gives
 * collisions on strings this similar; 64 good bits should give none among a
 * million (expected number about 10^12 / 2^65, i.e. 3e-8). */
static void test_hash_has_no_collisions_on_similar_strings(void **state)
{
    (void)state;
    crm_hashset *s = crm_hashset_new(MANY);
    char buf[32];
    for (uint32_t i = 0; i < MANY; i++) {
        int n = snprintf(buf, sizeof buf, "%07u", i);
        assert_int_equal(crm_hashset_add(s, crm_hash_bytes(buf, (size_t)n, 0)), 1);
    }
    assert_int_equal(crm_hashset_count(s), MANY);
    crm_hashset_free(s);
}

static void test_hash_properties(void **state)
{
    (void)state;
    static const char a_nul[] = {'a', '\0'};
    /* Same bytes at any alignment give the same hash. */
    char buf[64];
    const char *text = "customer 17850, invoice 536365";
    size_t len = strlen(text);
    uint64_t h = crm_hash_bytes(text, len, 7);
    for (size_t offset = 1; offset < 9; offset++) {
        memcpy(buf + offset, text, len);
        assert_true(crm_hash_bytes(buf + offset, len, 7) == h);
    }
    /* The seed, the length and every byte matter. */
    assert_true(crm_hash_bytes(text, len, 8) != h);
    assert_true(crm_hash_bytes("a", 1, 0) != crm_hash_bytes(a_nul, 2, 0));
    assert_true(crm_hash_bytes("", 0, 0) != crm_hash_bytes("", 0, 1));
    memcpy(buf, text, len);
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 1;
        assert_true(crm_hash_bytes(buf, len, 7) != h);
        buf[i] ^= 1;
    }
}

/* Regression pins: these values were computed once with this very
 * implementation (they are not an independent reference).  They exist so
 * that an accidental change of the function, or a machine on which it
 * reads words differently, fails here: hashes may be stored or compared
 * across runs, so they must not drift. */
static void test_hash_regression_pins(void **state)
{
    (void)state;
    assert_true(crm_hash_bytes("", 0, 0) == UINT64_C(0x39d336ffcf47f289));
    assert_true(crm_hash_bytes("a", 1, 0) == UINT64_C(0xe561579c5f982c21));
    assert_true(crm_hash_bytes("17850", 5, 0) == UINT64_C(0x09568d569264756a));
    assert_true(crm_hash_bytes("WHITE HANGING HEART T-LIGHT HOLDER", 34, 0)
                == UINT64_C(0x04c5e4fc53cc2f0b));
    assert_true(crm_hash_bytes("12345678", 8, 42) == UINT64_C(0xa77e7b8ecd900eb3));
}

/* The memory bound of crm/strtab.h: below 23.2 bytes per key at every size
 * past a few thousand keys, checked every 997 keys up to 1.6 million (the
 * 64 shards double at about 0.7 x 2^k x 64 keys: 734,003 and 1,468,006
 * for k = 14 and 15 are crossed, so the set is seen just before and just
 * after its doublings).  One big table would hold 23 bytes per key after a
 * doubling and 34 while it doubles (old and new slots at once); a shard
 * doubling holds only 1/64 of the slots twice. */
static void test_hashset_memory_per_key(void **state)
{
    (void)state;
    crm_hashset *s = crm_hashset_new(0);
    const uint64_t n = 1600000;
    double worst = 0;
    for (uint64_t i = 1; i <= n; i++) {
        /* keys as a 64-bit hash gives them */
        uint64_t key = crm_hash_bytes(&i, sizeof i, 7);
        assert_int_equal(crm_hashset_add(s, key), 1);
        if (i % 997 == 0 && i >= 100000) {
            double per_key = (double)crm_hashset_memory(s) / (double)crm_hashset_count(s);
            worst = per_key > worst ? per_key : worst;
        }
    }
    assert_int_equal(crm_hashset_count(s), n);
    assert_true(worst < 23.2);
    /* and at least the 8 bytes of the key: nothing was lost */
    assert_true((double)crm_hashset_memory(s) / (double)n >= 8.0);
    uint64_t again = 12345;
    assert_int_equal(crm_hashset_add(s, crm_hash_bytes(&again, sizeof again, 7)), 0);
    crm_hashset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intern_find_get),
        cmocka_unit_test(test_empty_and_binary_strings),
        cmocka_unit_test(test_long_string),
        cmocka_unit_test(test_growth_keeps_ids_dense_and_stable),
        cmocka_unit_test(test_hashset_key_zero),
        cmocka_unit_test(test_hashset_contains),
        cmocka_unit_test(test_hashset_structured_keys),
        cmocka_unit_test(test_hashset_prefetch_changes_nothing),
        cmocka_unit_test(test_hashset_memory_per_key),
        cmocka_unit_test(test_hash_has_no_collisions_on_similar_strings),
        cmocka_unit_test(test_hash_properties),
        cmocka_unit_test(test_hash_regression_pins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
