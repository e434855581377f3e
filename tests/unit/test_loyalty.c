/* Unit tests of lib/loyalty.c: the factors, the combination and the tiers,
 * computed by hand beside each case. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crm/loyalty.h"

static void expect_close(double got, double want)
{
    if (!(fabs(got - want) <= 1e-12))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* C1: periods 3, gap_cv 1, tenure 730, frequency 24: 1, 0.5, 1, 1 ->
 *     objective 0.875; subjective 0.5: 100 (0.7 x 0.875 + 0.3 x 0.5) = 76.25 loyal
 * C2: periods 2, gap_cv NaN, tenure 0, frequency 6: 2/3, 0, 0, 0.5 ->
 *     objective 0.2916667; no answer: 29.17 occasional
 * C3: periods 0, gap_cv 3, tenure 365, frequency 0: 0, 0.25, 1, 0 ->
 *     objective 0.3125; subjective 1: 100 (0.21875 + 0.3) = 51.875 regular */
static void test_assign(void **state)
{
    (void)state;
    double periods[3] = {3, 2, 0}, gap[3] = {1, NAN, 3}, tenure[3] = {730, 0, 365}, freq[3] = {24, 6, 0};
    double subj[3] = {0.5, NAN, 1};
    crm_loyalty_input in = {periods, gap, tenure, freq, subj};
    crm_loyalty_options o;
    crm_loyalty_options_init(&o);
    crm_loyalty_result r[3];
    crm_error err;
    assert_int_equal(crm_loyalty_assign(&in, 3, &o, r, &err), CRM_OK);
    expect_close(r[0].regularity, 0.5);
    expect_close(r[0].objective, 0.875);
    expect_close(r[0].score, 76.25);
    assert_int_equal(r[0].tier, CRM_LOYALTY_LOYAL);
    assert_int_equal(r[0].answered, 1);
    expect_close(r[1].repeat, 2.0 / 3.0);
    expect_close(r[1].objective, (2.0 / 3.0 + 0.5) / 4.0);
    expect_close(r[1].score, 100.0 * (2.0 / 3.0 + 0.5) / 4.0);
    assert_int_equal(r[1].tier, CRM_LOYALTY_OCCASIONAL);
    assert_int_equal(r[1].answered, 0);
    expect_close(r[2].score, 51.875);
    assert_int_equal(r[2].tier, CRM_LOYALTY_REGULAR);
    assert_string_equal(crm_loyalty_tier_name(CRM_LOYALTY_TRANSIENT), "transient");
}

static void test_bad_input(void **state)
{
    (void)state;
    double periods[1] = {-1}, gap[1] = {0}, tenure[1] = {10}, freq[1] = {1}, subj[1] = {1.5};
    crm_loyalty_input in = {periods, gap, tenure, freq, NULL};
    crm_loyalty_options o;
    crm_loyalty_options_init(&o);
    crm_loyalty_result r[1];
    crm_error err;
    assert_int_equal(crm_loyalty_assign(&in, 1, &o, r, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 1: consecutive_periods must be a finite number >= 0, not -1");
    periods[0] = 1;
    in.subjective = subj;
    assert_int_equal(crm_loyalty_assign(&in, 1, &o, r, &err), CRM_EDATA);
    assert_string_equal(err.message, "row 1: the subjective value 1.5 is outside 0..1");
    o.objective_weight = o.subjective_weight = 0;
    assert_int_equal(crm_loyalty_assign(&in, 1, &o, r, &err), CRM_EUSAGE);
}

/* (4-1)/4 = 0.75 and (2-2)/8 = 0; the third is not answered: mean 0.375. */
static void test_subjective(void **state)
{
    (void)state;
    double answers[3] = {4, 2, NAN}, lo[3] = {1, 2, 0}, hi[3] = {5, 10, 1};
    expect_close(crm_loyalty_subjective(answers, lo, hi, 3), 0.375);
    double none[1] = {NAN};
    assert_true(isnan(crm_loyalty_subjective(none, lo, hi, 1)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assign),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_subjective),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
