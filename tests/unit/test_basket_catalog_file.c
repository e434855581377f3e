/* Unit tests of lib/basket_catalog_file.c: a catalog read back, its bad
 * rows, and the up-sell table written from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crm/basket_catalog_file.h"

static char path[256], out_path[256];

static void write_text(const char *text)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, sizeof path, "%s/test_basket_catalog_file.%ld.csv", dir, (long)getpid());
    snprintf(out_path, sizeof out_path, "%s/test_basket_catalog_file.%ld.out", dir, (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int skipped;
static crm_status skip_row(void *ctx, crm_error *err)
{
    (void)ctx;
    (void)err;
    skipped++;
    return CRM_OK;
}

/* K1 1.00 and K2 2.50 in K, with a name column passed through.  Customer x
 * bought K1, y bought K1 and K2: x is offered K2, dearer than K1, bought by
 * 1 (y) of the 2 buyers of K: score 0.5000. */
static void test_read_and_write(void **state)
{
    (void)state;
    crm_error err;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.threads = 1;
    write_text("product_id,name,category,price\nK1,mug,K,1.00\nK2,big mug,K,2.50\n");
    crm_basket_catalog_file *cat;
    assert_int_equal(crm_basket_catalog_file_read(path, &opts, NULL, NULL, &cat, &err), CRM_OK);
    assert_int_equal(crm_upsell_catalog_count(crm_basket_catalog_file_products(cat)), 2);
    assert_string_equal(crm_basket_catalog_file_name(cat), path);
    crm_basket_db *db;
    assert_int_equal(crm_basket_db_new(&db, NULL, &err), CRM_OK);
    const char *pairs[3][2] = {{"x", "K1"}, {"y", "K1"}, {"y", "K2"}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(crm_basket_db_add_pair(db, pairs[i][0], 1, pairs[i][1], 2, &err), CRM_OK);
    assert_int_equal(crm_basket_db_finish(db, &err), CRM_OK);
    crm_upsell *offers;
    size_t n;
    assert_int_equal(crm_basket_upsell(db, crm_basket_catalog_file_products(cat), 0, &offers, &n, &err), CRM_OK);
    crm_csv_writer *w;
    assert_int_equal(crm_csv_writer_open(&w, out_path, 0, ',', &err), CRM_OK);
    assert_int_equal(crm_basket_write_upsell(w, cat, db, offers, n, &err), CRM_OK);
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
    FILE *f = fopen(out_path, "r");
    char text[1024];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    assert_string_equal(text, "customer_id,product_id,category,price,score,reason,name\n"
                              "x,K2,K,2.50,0.5000,\"dearer than K1 (1.00), the dearest bought in K; 1 of 2 buyers "
                              "of K bought it\",big mug\n");
    free(offers);
    crm_basket_db_free(db);
    crm_basket_catalog_file_free(cat);
    unlink(path);
    unlink(out_path);
}

static void test_bad_rows(void **state)
{
    (void)state;
    crm_error err;
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    write_text("product_id,category,price\nK1,K,cheap\nK2,,1\nK3,K,1\n");
    crm_basket_catalog_file *cat;
    assert_int_equal(crm_basket_catalog_file_read(path, &opts, NULL, NULL, &cat, &err), CRM_EDATA);
    assert_string_equal(strchr(err.message, ':') + 1, "2: column 'price': cannot read 'cheap' as a price (a "
                                                      "number >= 0)");
    skipped = 0;
    assert_int_equal(crm_basket_catalog_file_read(path, &opts, skip_row, NULL, &cat, &err), CRM_OK);
    assert_int_equal(skipped, 2);   /* the bad price and the empty category */
    assert_int_equal(crm_upsell_catalog_count(crm_basket_catalog_file_products(cat)), 1);
    crm_basket_catalog_file_free(cat);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_and_write),
        cmocka_unit_test(test_bad_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
