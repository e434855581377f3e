/* Unit tests of the html core module and the chart module's axis steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "crm/chart.h"
#include "crm/html.h"

static void test_text_and_attributes_are_escaped(void **state)
{
    (void)state;
    crm_html *h = crm_html_new();
    crm_html_open(h, "p");
    crm_html_attr(h, "title", "a\"b'<c>&");
    crm_html_text(h, "Tom & Jerry <script>", (size_t)-1);
    crm_html_close(h);
    assert_string_equal(crm_html_data(h, NULL),
                        "<p title=\"a&quot;b&#39;&lt;c&gt;&amp;\">Tom &amp; Jerry &lt;script&gt;</p>");
    crm_error err;
    assert_int_equal(crm_html_status(h, &err), CRM_OK);
    crm_html_free(h);
}

static void test_empty_elements(void **state)
{
    (void)state;
    /* SVG shapes and void elements close themselves; an empty cell does not
     * (HTML would read <td/> as an open cell) */
    crm_html *h = crm_html_new();
    crm_html_open(h, "svg");
    crm_html_open(h, "rect");
    crm_html_attr_number(h, "x", 1.25, 1);   /* 1.25 is exact in binary: half away from zero, 1.3 */
    crm_html_close(h);
    crm_html_close(h);
    crm_html_open(h, "td");
    crm_html_close(h);
    crm_html_open(h, "meta");
    crm_html_close(h);
    assert_string_equal(crm_html_data(h, NULL), "<svg><rect x=\"1.3\"/></svg><td></td><meta/>");
    assert_int_equal(crm_html_depth(h), 0);
    crm_html_free(h);
}

static void test_bad_nesting_is_reported(void **state)
{
    (void)state;
    crm_html *h = crm_html_new();
    crm_html_close(h);
    crm_error err;
    assert_int_equal(crm_html_status(h, &err), CRM_EUSAGE);
    crm_html_free(h);
    h = crm_html_new();
    crm_html_text(h, "x", 1);
    crm_html_attr(h, "a", "b");   /* no start tag open */
    assert_int_equal(crm_html_status(h, &err), CRM_EUSAGE);
    crm_html_free(h);
}

static void test_numbers_ignore_binary_noise(void **state)
{
    (void)state;
    crm_html *h = crm_html_new();
    crm_html_number(h, 0.1 + 0.2, 2);   /* 0.30000000000000004 */
    crm_html_text(h, " ", 1);
    crm_html_number(h, NAN, 2);         /* nothing for a missing number */
    crm_html_text(h, "|", 1);
    assert_string_equal(crm_html_data(h, NULL), "0.30 |");
    crm_html_free(h);
}

static void test_tick_steps(void **state)
{
    (void)state;
    /* max / ticks rounded up to 1, 2 or 5 times a power of ten */
    assert_true(fabs(crm_chart_tick_step(100, 5) - 20) < 1e-12);    /* 20 */
    assert_true(fabs(crm_chart_tick_step(87, 5) - 20) < 1e-12);     /* 17.4 -> 20 */
    assert_true(fabs(crm_chart_tick_step(1, 5) - 0.2) < 1e-12);     /* 0.2 */
    assert_true(fabs(crm_chart_tick_step(1234, 5) - 500) < 1e-9);   /* 246.8 -> 500 */
    assert_true(fabs(crm_chart_tick_step(3, 5) - 1) < 1e-12);       /* 0.6 -> 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_attributes_are_escaped),
        cmocka_unit_test(test_empty_elements),
        cmocka_unit_test(test_bad_nesting_is_reported),
        cmocka_unit_test(test_numbers_ignore_binary_noise),
        cmocka_unit_test(test_tick_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
