/* Unit tests of the sort module.  Expected orders are worked out by hand in
 * the comments beside them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "crm/sort.h"

typedef struct {
    int key;
    int tag;   /* input position, to see stability */
} pair;

static int compare_keys(const void *ctx, const void *a, const void *b)
{
    (void)ctx;
    const pair *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static void test_stable_keeps_equal_elements_in_order(void **state)
{
    (void)state;
    /* keys 3 1 3 2 1 3 2 at positions 0..6: sorted by key, ties in input
     * order: 1(1) 1(4) 2(3) 2(6) 3(0) 3(2) 3(5).  Seven elements: the last
     * run of each merge pass is short, which the merge must handle. */
    pair v[] = { { 3, 0 }, { 1, 1 }, { 3, 2 }, { 2, 3 }, { 1, 4 }, { 3, 5 }, { 2, 6 } };
    const int key[] = { 1, 1, 2, 2, 3, 3, 3 };
    const int tag[] = { 1, 4, 3, 6, 0, 2, 5 };
    assert_int_equal(crm_sort_stable(v, 7, sizeof *v, compare_keys, NULL), 0);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(v[i].key, key[i]);
        assert_int_equal(v[i].tag, tag[i]);
    }
}

static int compare_by_rank(const void *ctx, const void *a, const void *b)
{
    const int *rank = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return rank[x] - rank[y];
}

static void test_stable_passes_the_context(void **state)
{
    (void)state;
    /* indices 0..3 ordered by rank {2, 0, 3, 1}: 1 (0), 3 (1), 0 (2), 2 (3) */
    const int rank[] = { 2, 0, 3, 1 };
    size_t idx[] = { 0, 1, 2, 3 };
    assert_int_equal(crm_sort_stable(idx, 4, sizeof *idx, compare_by_rank, rank), 0);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 3);
    assert_int_equal(idx[2], 0);
    assert_int_equal(idx[3], 2);
}

static void test_unique_u32_short_and_long(void **state)
{
    (void)state;
    /* short list (insertion sort): 5 3 5 1 3 -> 1 3 5 */
    uint32_t a[] = { 5, 3, 5, 1, 3 };
    assert_int_equal(crm_sort_unique_u32(a, 5), 3);
    assert_int_equal(a[0], 1);
    assert_int_equal(a[1], 3);
    assert_int_equal(a[2], 5);
    /* 40 values (qsort path): i * 7 mod 20 for i = 0..39 covers 0..19 twice
     * (7 is prime to 20), so 20 unique values 0..19 */
    uint32_t b[40];
    for (uint32_t i = 0; i < 40; i++)
        b[i] = i * 7 % 20;
    assert_int_equal(crm_sort_unique_u32(b, 40), 20);
    for (uint32_t i = 0; i < 20; i++)
        assert_int_equal(b[i], i);
}

static void test_compare_lists_and_descending(void **state)
{
    (void)state;
    const uint32_t ab[] = { 1, 2 }, abc[] = { 1, 2, 3 }, ac[] = { 1, 3 };
    assert_true(crm_compare_u32_lists(ab, 2, abc, 3) < 0);   /* a prefix first */
    assert_true(crm_compare_u32_lists(abc, 3, ab, 2) > 0);
    assert_true(crm_compare_u32_lists(abc, 3, ac, 2) < 0);   /* 2 < 3 at position 1 */
    assert_int_equal(crm_compare_u32_lists(ab, 2, ab, 2), 0);
    assert_int_equal(crm_compare_u32_lists(NULL, 0, NULL, 0), 0);
    assert_int_equal(crm_compare_double_desc(2.0, 1.0), -1);   /* larger first */
    assert_int_equal(crm_compare_double_desc(1.0, 2.0), 1);
    assert_int_equal(crm_compare_double_desc(1.5, 1.5), 0);
    assert_int_equal(crm_compare_u64_desc(UINT64_MAX, 0), -1);
    assert_int_equal(crm_compare_u64_desc(3, 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stable_keeps_equal_elements_in_order),
        cmocka_unit_test(test_stable_passes_the_context),
        cmocka_unit_test(test_unique_u32_short_and_long),
        cmocka_unit_test(test_compare_lists_and_descending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
