/* Unit tests of lib/basket_rules_file.c: a rules file read back and built
 * over a customers' database, and its bad rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crm/basket_rules_file.h"

static const char *write_text(const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/test_basket_rules_file.%ld.csv", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define HEADER "antecedent,consequent,count,support,confidence,lift,leverage,conviction\n"

/* Two rules, c => a (confidence 1) and b => a (2/3, lift 8/9); with
 * --exclude c the first is left out.  Built at min_confidence 0.5 over a
 * database that knows a, b and c: one rule. */
static void test_read_and_build(void **state)
{
    (void)state;
    crm_error err;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    const char *path = write_text(HEADER "{c},{a},2,0.5,1,1.3333333333333333,0.125,inf\n"
                                         "{b},{a},2,0.5,0.6666666666666666,0.8888888888888888,-0.0625,0.75\n");
    crm_strtab *items = crm_strtab_new(16), *exclude = crm_strtab_new(4);
    uint32_t id;
    assert_int_equal(crm_strtab_intern(exclude, "c", 1, &id), 1);
    crm_basket_saved_rules *s;
    assert_int_equal(crm_basket_saved_rules_read(path, &opts, ',', items, exclude, &s, &err), CRM_OK);
    assert_int_equal(crm_basket_saved_rules_count(s), 1);
    assert_int_equal(crm_basket_saved_rules_excluded(s), 1);
    crm_basket_db_options o;
    crm_basket_db_options_init(&o);
    o.items = items;
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, &o, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add_pair(db, "x", 1, "b", 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = 0.5;
    crm_basket_rules *rules;
    assert_int_equal(crm_basket_saved_rules_build(s, db, &ro, &rules, &err), CRM_OK);
    assert_int_equal(crm_basket_rules_count(rules), 1);
    assert_int_equal(crm_basket_rules_get(rules, 0)->count, 2);
    crm_basket_rules_free(rules);
    crm_basket_db_free(db);
    crm_basket_saved_rules_free(s);
    crm_strtab_free(items);
    crm_strtab_free(exclude);
    unlink(path);
}

static void expect_error(const char *text, const char *message)
{
    crm_error err;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    const char *path = write_text(text);
    crm_strtab *items = crm_strtab_new(16);
    crm_basket_saved_rules *s;
    assert_int_equal(crm_basket_saved_rules_read(path, &opts, ',', items, NULL, &s, &err), CRM_EDATA);
    assert_null(s);
    assert_string_equal(strchr(err.message, ':') + 1, message);
    crm_strtab_free(items);
    unlink(path);
}

static void test_bad_rows(void **state)
{
    (void)state;
    expect_error(HEADER "{a},{b},2,0.5,high,1,0,1\n", "2: column 'confidence': 'high' is not a number");
    expect_error(HEADER "{a},{b},2.5,0.5,1,1,0,1\n", "2: column 'count': '2.5' is not a count of baskets (a whole "
                                                     "number)");
    expect_error(HEADER "{a},{},2,0.5,1,1,0,1\n", "2: column 'consequent': '{}' has no items; a rule predicts at "
                                                  "least one");
    expect_error(HEADER "\"{a,b}\",{a},2,0.5,1,1,0,1\n", "2: column 'consequent': '{a}' has the item 'a' of the "
                                                         "antecedent too");
    expect_error("antecedent,consequent,count\n", "1: column 'support' is missing from the rules header; "
                 "crm-basket writes antecedent,consequent,count,support,confidence,lift,leverage,conviction");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_and_build),
        cmocka_unit_test(test_bad_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
