#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "crm/report.h"

/* ---- helpers ---- */

static char temp_dir[64];

static int make_temp_dir(void **state)
{
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/crm-test-report-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static void remove_file_in_temp_dir(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    unlink(path);
}

static int remove_temp_dir(void **state)
{
    (void)state;
    DIR *dir = opendir(temp_dir);
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                remove_file_in_temp_dir(e->d_name);
        }
        closedir(dir);
    }
    return rmdir(temp_dir);
}

static char *read_whole_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static size_t count_files_in_temp_dir(void)
{
    size_t n = 0;
    DIR *dir = opendir(temp_dir);
    assert_non_null(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(dir);
    return n;
}

/* Writes r to <temp_dir>/name and returns the file's text. */
static const char *write_and_read(const crm_report *r, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    crm_error err;
    crm_error_clear(&err);
    assert_int_equal(crm_report_write(r, path, &err), CRM_OK);
    const char *text = read_whole_file(path);
    assert_non_null(text);
    return text;
}

/* Skips "<digits>.<3 digits>" at p; NULL when it is not there. */
static const char *skip_seconds(const char *p)
{
    if (*p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p++ != '.')
        return NULL;
    for (int i = 0; i < 3; i++, p++) {
        if (*p < '0' || *p > '9')
            return NULL;
    }
    return p;
}

/* Checks the timing fields that end every report (their values vary). */
static void assert_timing_tail(const char *tail)
{
    static const char seconds[] = "  \"seconds\": ";
    static const char cpu[] = ",\n  \"cpu_seconds\": ";
    static const char rss[] = ",\n  \"max_rss_kb\": ";
    assert_memory_equal(tail, seconds, strlen(seconds));
    const char *p = skip_seconds(tail + strlen(seconds));
    assert_non_null(p);
    assert_memory_equal(p, cpu, strlen(cpu));
    p = skip_seconds(p + strlen(cpu));
    assert_non_null(p);
    assert_memory_equal(p, rss, strlen(rss));
    p += strlen(rss);
    assert_true(*p >= '1' && *p <= '9'); /* a running process uses some memory */
    while (*p >= '0' && *p <= '9')
        p++;
    assert_string_equal(p, "\n}\n");
}

/* Checks that text starts with head and ends with the timing fields. */
static void assert_report_text(const char *text, const char *head)
{
    size_t head_len = strlen(head);
    if (strncmp(text, head, head_len) != 0)
        fail_msg("report differs from the expected text:\n%s\n--- expected to start with:\n%s",
                 text, head);
    assert_timing_tail(text + head_len);
}

/* ---- report ---- */

static void test_counters_in_insertion_order(void **state)
{
    (void)state;
    crm_report *r = crm_report_new("crm-test");
    assert_non_null(r);
    crm_report_set(r, "rows_in", 1);
    crm_report_set(r, "rows_out", 7);
    crm_report_set(r, "rows_rejected", 3);
    crm_report_set(r, "rows_in", 10); /* set again: new value, first place kept */
    crm_report_set_text(r, "input", "orders.csv");
    crm_report_add_reason(r, "duplicate", 2);
    crm_report_add_reason(r, "bad date", 1);
    crm_report_add_reason(r, "duplicate", 3); /* counts add up: 2 + 3 = 5 */
    crm_report_set(r, "customers", 0);

    const char *text = write_and_read(r, "order.json");
    assert_report_text(text, "{\n"
                             "  \"command\": \"crm-test\",\n"
                             "  \"status\": \"ok\",\n"
                             "  \"input\": \"orders.csv\",\n"
                             "  \"rows_in\": 10,\n"
                             "  \"rows_out\": 7,\n"
                             "  \"rows_rejected\": 3,\n"
                             "  \"customers\": 0,\n"
                             "  \"rejected\": {\n"
                             "    \"duplicate\": 5,\n"
                             "    \"bad date\": 1\n"
                             "  },\n");
    crm_report_free(r);
}

static void test_status_and_empty_rejected(void **state)
{
    (void)state;
    crm_report *r = crm_report_new("crm-rfm");
    crm_report_set_text(r, "input", "a.csv");
    crm_report_set_text(r, "status", "ok");
    crm_report_set_text(r, "status", "failed"); /* replaced, and always second */
    crm_report_set(r, "rows_in", 18446744073709551615u); /* 2^64 - 1 prints in full */
    const char *text = write_and_read(r, "status.json");
    assert_report_text(text, "{\n"
                             "  \"command\": \"crm-rfm\",\n"
                             "  \"status\": \"failed\",\n"
                             "  \"input\": \"a.csv\",\n"
                             "  \"rows_in\": 18446744073709551615,\n"
                             "  \"rejected\": {},\n");
    crm_report_free(r);
}

static void test_groups_after_rejected(void **state)
{
    (void)state;
    crm_report *r = crm_report_new("crm-segment");
    crm_report_set(r, "rows_in", 4);
    crm_report_set_in(r, "segment_rfm", "Champions", 3);
    crm_report_set_in(r, "segment_kmeans", "1", 4);
    crm_report_set_in(r, "segment_rfm", "Can't \"Lose\" Them", 0);   /* zero kept, name escaped */
    crm_report_set_in(r, "segment_rfm", "Champions", 2);            /* set again: replaced in place */
    const char *text = write_and_read(r, "groups.json");
    assert_report_text(text, "{\n"
                             "  \"command\": \"crm-segment\",\n"
                             "  \"status\": \"ok\",\n"
                             "  \"rows_in\": 4,\n"
                             "  \"rejected\": {},\n"
                             "  \"segment_rfm\": {\n"
                             "    \"Champions\": 2,\n"
                             "    \"Can't \\\"Lose\\\" Them\": 0\n"
                             "  },\n"
                             "  \"segment_kmeans\": {\n"
                             "    \"1\": 4\n"
                             "  },\n");
    crm_report_free(r);
}

static void test_json_escaping(void **state)
{
    (void)state;
    crm_report *r = crm_report_new("crm-test");
    crm_report_add_reason(r, "say \"hi\"\nbye", 2);
    crm_report_add_reason(r, "back\\slash\ttab\x01", 1);
    /* "café" in UTF-8 passes as it is; a Latin-1 byte, an overlong
     * encoding and a UTF-16 surrogate are not UTF-8 and become U+FFFD. */
    crm_report_set_text(r, "input", "caf\xc3\xa9 caf\xe9 \xc0\xaf \xed\xa0\x80.csv");
    const char *text = write_and_read(r, "escape.json");
    assert_report_text(text, "{\n"
                             "  \"command\": \"crm-test\",\n"
                             "  \"status\": \"ok\",\n"
                             "  \"input\": \"caf\xc3\xa9 caf\\ufffd \\ufffd\\ufffd "
                             "\\ufffd\\ufffd\\ufffd.csv\",\n"
                             "  \"rejected\": {\n"
                             "    \"say \\\"hi\\\"\\u000abye\": 2,\n"
                             "    \"back\\\\slash\\u0009tab\\u0001\": 1\n"
                             "  },\n");
    crm_report_free(r);
}

static void test_write_replaces_atomically(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/run.json", temp_dir);
    FILE *old = fopen(path, "w");
    assert_non_null(old);
    fputs("old report\n", old);
    fclose(old);
    size_t files_before = count_files_in_temp_dir();

    crm_report *r = crm_report_new("crm-test");
    crm_report_set(r, "rows_in", 5);
    crm_error err;
    assert_int_equal(crm_report_write(r, path, &err), CRM_OK);
    const char *text = read_whole_file(path);
    assert_non_null(text);
    assert_report_text(text, "{\n"
                             "  \"command\": \"crm-test\",\n"
                             "  \"status\": \"ok\",\n"
                             "  \"rows_in\": 5,\n"
                             "  \"rejected\": {},\n");
    /* No temporary file left beside it. */
    assert_int_equal(count_files_in_temp_dir(), files_before);

    /* A directory that does not exist: an error naming the file, nothing written. */
    char bad[160];
    snprintf(bad, sizeof bad, "%s/missing/run.json", temp_dir);
    crm_error_clear(&err);
    assert_true(crm_report_write(r, bad, &err) != CRM_OK);
    assert_true(err.status != CRM_OK);
    assert_non_null(strstr(err.message, "missing/run.json"));
    assert_int_equal(count_files_in_temp_dir(), files_before);
    crm_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_in_insertion_order),
        cmocka_unit_test(test_status_and_empty_rejected),
        cmocka_unit_test(test_groups_after_rejected),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_write_replaces_atomically),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
