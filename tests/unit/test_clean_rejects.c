/* Unit tests of the rejects file (clean_rejects): its header line with and
 * without the input's header, and rows whose first four fields are quoted
 * as RFC 4180 needs while the input row is copied byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/clean_rejects.h"

static char path[64];

static int make_temp_file(void **state)
{
    strcpy(path, "/tmp/crm-test-rejects-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int remove_temp_file(void **state)
{
    return unlink(path);
}

static const char *slurp(void)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static crm_csv_writer *open_writer(void)
{
    crm_csv_writer *w;
    crm_error err;
    assert_int_equal(crm_csv_writer_open(&w, path, 0, ',', &err), CRM_OK);
    return w;
}

static void close_writer(crm_csv_writer *w)
{
    crm_error err;
    assert_int_equal(crm_csv_writer_close(w, &err), CRM_OK);
}

static void test_header_carries_the_input_header(void **state)
{
    const char *csv = "InvoiceNo,\"Stock Code\"\r\n1,A\r\n";
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    crm_csv_reader *r;
    crm_error err;
    assert_int_equal(crm_csv_open_memory(&r, csv, strlen(csv), "t.csv", &opts, &err), CRM_OK);
    crm_csv_writer *w = open_writer();
    assert_int_equal(crm_clean_rejects_write_header(w, crm_csv_header(r)), CRM_OK);
    close_writer(w);
    /* the input header as written (its quotes kept), without its CRLF */
    assert_string_equal(slurp(), "file,line,reason,detail,InvoiceNo,\"Stock Code\"\n");
    crm_csv_close(r);
}

static void test_header_without_input_header(void **state)
{
    crm_csv_writer *w = open_writer();
    assert_int_equal(crm_clean_rejects_write_header(w, NULL), CRM_OK);
    close_writer(w);
    assert_string_equal(slurp(), "file,line,reason,detail\n");
}

static void test_rows_quote_the_detail_and_copy_the_row(void **state)
{
    crm_csv_writer *w = open_writer();
    const char raw1[] = "536365,\"A,B\",6\r\n";
    const char raw2[] = "536366,C,x";   /* the input's last line, without a line ending */
    assert_int_equal(crm_clean_rejects_write_row(w, "in.csv", 7, CRM_REJECT_DUPLICATE,
                                                 "same bytes as an earlier kept row", raw1, sizeof raw1 - 1),
                     CRM_OK);
    assert_int_equal(crm_clean_rejects_write_row(w, "my file.csv", 12, CRM_REJECT_BAD_QUANTITY,
                                                 "column 'Quantity': cannot read 'x, y' as a number", raw2,
                                                 sizeof raw2 - 1),
                     CRM_OK);
    close_writer(w);
    assert_string_equal(slurp(),
                        "in.csv,7,duplicate,same bytes as an earlier kept row,536365,\"A,B\",6\r\n"
                        "my file.csv,12,bad-quantity,\"column 'Quantity': cannot read 'x, y' as a number\","
                        "536366,C,x\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_header_carries_the_input_header, make_temp_file, remove_temp_file),
        cmocka_unit_test_setup_teardown(test_header_without_input_header, make_temp_file, remove_temp_file),
        cmocka_unit_test_setup_teardown(test_rows_quote_the_detail_and_copy_the_row, make_temp_file,
                                        remove_temp_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
