/* Unit tests of lib/basket_tables.c: the tables crm-basket writes, for the
 * baskets {a,b}, {a,c}, {a,b,c}, {b} counted by hand: a 3, b 3, c 2, ab 2,
 * ac 2, bc 1, abc 1 of n = 4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crm/basket_tables.h"

static crm_basket_db *four_baskets(void)
{
    crm_error err;
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    const char *b1[] = {"a", "b"}, *b2[] = {"a", "c"}, *b3[] = {"a", "b", "c"}, *b4[] = {"b"};
    assert_int_equal(crm_basket_db_add(db, b1, NULL, 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, b2, NULL, 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, b3, NULL, 3, &err), CRM_OK);
    assert_int_equal(crm_basket_db_add(db, b4, NULL, 1, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    return db;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_itemsets_and_rules(void **state)
{
    (void)state;
    crm_error err;
    crm_basket_db *db = four_baskets();
    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    mo.min_count = 2;
    crm_basket_itemsets *sets;
    assert_int_equal(crm_basket_mine(db, &mo, &sets, &err), CRM_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/test_basket_tables.%ld.csv", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_basket_write_itemsets(w, sets, ',', NULL, &err), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    assert_string_equal(slurp(path), "items,size,count,support\n{a},1,3,0.75\n{b},1,3,0.75\n{c},1,2,0.5\n"
                                     "\"{a,b}\",2,2,0.5\n\"{a,c}\",2,2,0.5\n");
    /* rules at confidence 1 only: c => a (2 of 2): support 0.5, lift 1 / 0.75,
     * leverage 0.5 - 0.5 x 0.75 = 0.125, conviction inf; with ';' joining items */
    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = 1;
    crm_basket_rules *rules;
    assert_int_equal(crm_basket_rules_generate(sets, &ro, &rules, &err), CRM_OK);
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_basket_write_rules(w, rules, db, ';', NULL, &err), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    assert_string_equal(slurp(path), "antecedent,consequent,count,support,confidence,lift,leverage,conviction\n"
                                     "{c},{a},2,0.5,1,1.3333333333333333,0.125,inf\n");
    unlink(path);
    crm_basket_rules_free(rules);
    crm_basket_itemsets_free(sets);
    crm_basket_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_itemsets_and_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
