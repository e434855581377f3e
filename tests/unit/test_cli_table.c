/* Unit tests of lib/cli_table.c: options described by a table, parsed by
 * crm_cli_parse, each kind checked with a message naming the option. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "crm/cli.h"
#include "crm/cli_table.h"

typedef struct {
    int bins, flag, mode, uses_it, given;
    unsigned restarts;
    size_t lo, hi;
    double share, days, tol;
    const char *text, *first, *called;
} values;

static const char *const modes[] = {"log1p", "none", NULL};
static const int mode_values[] = {7, 9};

static crm_status remember(void *ctx, const char *value, crm_error *err)
{
    (void)err;
    ((values *)ctx)->called = value;
    return CRM_OK;
}

static size_t entries_of(values *v, crm_cli_entry *t)
{
    const crm_cli_entry e[] = {
        {"--bins", .kind = CRM_CLI_INT, .target = &v->bins, .lo = 1, .hi = 1000, .first = &v->first},
        {"--restarts", .kind = CRM_CLI_UNSIGNED, .target = &v->restarts, .lo = 1, .hi = 10, .first = &v->first},
        {"-x", 'x', CRM_CLI_FLAG, .target = &v->flag, .lo = 1},
        {"--mode", .kind = CRM_CLI_CHOICE, .target = &v->mode, .choices = modes, .values = mode_values},
        {"--range", .kind = CRM_CLI_RANGE, .target = &v->lo, .target2 = &v->hi, .lo = 2, .hi = 1000,
         .example = "2-10", .given = &v->given},
        {"--top", .kind = CRM_CLI_POSITIVE_SHARE, .target = &v->share, .needs = &v->uses_it, .needs_what = "--by x"},
        {"--window", .kind = CRM_CLI_DAYS, .target = &v->days},
        {"--tol", .kind = CRM_CLI_NONNEGATIVE, .target = &v->tol},
        {"--name", .kind = CRM_CLI_TEXT, .target = &v->text},
        {"--call", .kind = CRM_CLI_CALL, .call = remember},
        /* an old spelling of --bins: same target, checked the same way */
        {"--nbins", .kind = CRM_CLI_INT, .target = &v->bins, .lo = 1, .hi = 1000, .first = &v->first,
         .deprecated_for = "--bins"},
    };
    memcpy(t, e, sizeof e);
    return sizeof e / sizeof e[0];
}

/* Parses argv (NULL-ended) into v; the status, with err. */
static crm_status parse(char **argv, values *v, crm_error *err)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    crm_cli_entry entries[16];
    crm_cli_table t;
    memset(v, 0, sizeof *v);
    assert_int_equal(crm_cli_table_init(&t, "crm-test", entries, entries_of(v, entries), v, err), CRM_OK);
    crm_cli_spec spec = {"crm-test", "usage\n", t.longs, t.shorts, crm_cli_table_handle, &t, 0, 0, 0};
    crm_common_options common;
    crm_status st = crm_cli_parse(&spec, argc, argv, &common, err);
    if (st == CRM_OK)
        st = crm_cli_table_check(&t, err);
    crm_cli_table_free(&t);
    return st;
}

static void test_kinds(void **state)
{
    (void)state;
    char *argv[] = {"crm-test", "--restarts", "3", "--bins", "10", "-x", "--mode", "none", "--range", "3-7",
                    "--window", "2w", "--tol", "0", "--name", "n", "--call", "c", NULL};
    values v;
    crm_error err;
    assert_int_equal(parse(argv, &v, &err), CRM_OK);
    assert_int_equal(v.bins, 10);
    assert_int_equal(v.restarts, 3);
    assert_int_equal(v.flag, 1);
    assert_int_equal(v.mode, 9);
    assert_true(v.lo == 3 && v.hi == 7 && v.given == 1);
    assert_true(v.days == 14.0);   /* 2 weeks */
    assert_true(v.tol == 0.0);
    assert_string_equal(v.text, "n");
    assert_string_equal(v.called, "c");
    assert_string_equal(v.first, "--restarts");   /* the first given of its group */
}

static void expect_usage(char **argv, const char *message)
{
    values v;
    crm_error err;
    assert_int_equal(parse(argv, &v, &err), CRM_EUSAGE);
    assert_string_equal(err.message, message);
}

static void test_messages(void **state)
{
    (void)state;
    expect_usage((char *[]){"t", "--bins", "0", NULL}, "--bins wants a whole number from 1 to 1000, got '0'");
    expect_usage((char *[]){"t", "--range", "5", NULL}, "--range wants LO-HI (e.g. 2-10), got '5'");
    expect_usage((char *[]){"t", "--range", "7-3", NULL}, "--range wants LO-HI with 2 <= LO <= HI <= 1000, got '7-3'");
    expect_usage((char *[]){"t", "--mode", "log", NULL}, "--mode wants log1p or none, got 'log'");
    expect_usage((char *[]){"t", "--tol", "-1", NULL}, "--tol wants a number >= 0, got '-1'");
    expect_usage((char *[]){"t", "--top", "0", NULL}, "--top wants a share above 0, got '0'");
    /* given without what it is for */
    expect_usage((char *[]){"t", "--top", "50%", NULL}, "--top is for --by x");
}

/* The old spelling stores where the new one does, with the same checks;
 * the note it prints on stderr is checked by the CLI tests. */
static void test_deprecated_alias(void **state)
{
    (void)state;
    char *argv[] = {"crm-test", "--nbins", "12", NULL};
    values v;
    crm_error err;
    assert_int_equal(parse(argv, &v, &err), CRM_OK);
    assert_int_equal(v.bins, 12);
    assert_string_equal(v.first, "--nbins");
    char *bad[] = {"crm-test", "--nbins", "0", NULL};
    assert_int_equal(parse(bad, &v, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--nbins wants a whole number from 1 to 1000, got '0'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_deprecated_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
