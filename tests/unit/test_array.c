/* Unit tests of the array module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "crm/array.h"

static void test_reserve_doubles_from_sixteen(void **state)
{
    int *v = NULL;
    size_t cap = 0;
    assert_int_equal(crm_array_reserve(&v, &cap, 1, sizeof *v), 1);
    assert_int_equal(cap, 16);
    v[15] = 7;
    /* 17 needs one doubling: 32; 100 needs 16 -> 32 -> 64 -> 128 */
    assert_int_equal(crm_array_reserve(&v, &cap, 17, sizeof *v), 1);
    assert_int_equal(cap, 32);
    assert_int_equal(v[15], 7);
    assert_int_equal(crm_array_reserve(&v, &cap, 100, sizeof *v), 1);
    assert_int_equal(cap, 128);
    /* enough room already: nothing changes */
    int *before = v;
    assert_int_equal(crm_array_reserve(&v, &cap, 128, sizeof *v), 1);
    assert_ptr_equal(v, before);
    free(v);
}

static void test_reserve_refuses_overflowing_sizes(void **state)
{
    double *v = NULL;
    size_t cap = 0;
    assert_int_equal(crm_array_reserve(&v, &cap, SIZE_MAX / 4, sizeof *v), 0);
    assert_null(v);
    assert_int_equal(cap, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_doubles_from_sixteen),
        cmocka_unit_test(test_reserve_refuses_overflowing_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
