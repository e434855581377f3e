#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crm/cli.h"
#include "crm/version.h"

/* ---- a command with options of its own ---- */

enum { OPT_AS_OF = 256, OPT_VERBOSE };

static const struct option test_options[] = {
    {"as-of", required_argument, NULL, OPT_AS_OF},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"keep", required_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

typedef struct {
    int calls;
    int ids[8];
    char args[8][64];
} handler_log;

static crm_status test_handler(int id, const char *arg, void *ctx, crm_error *err)
{
    handler_log *log = ctx;
    if (arg && strcmp(arg, "bad") == 0)
        return crm_error_set(err, CRM_EUSAGE, "--as-of: cannot read 'bad' as a date");
    if (log->calls < 8) {
        log->ids[log->calls] = id;
        snprintf(log->args[log->calls], sizeof log->args[0], "%s", arg ? arg : "(null)");
    }
    log->calls++;
    return CRM_OK;
}

static handler_log the_log;

static crm_cli_spec test_spec(size_t max_inputs)
{
    memset(&the_log, 0, sizeof the_log);
    crm_cli_spec spec = {
        .command = "crm-test",
        .usage = "Usage: crm-test [OPTION]... [FILE]...\n",
        .options = test_options,
        .short_options = "k:v",
        .handler = test_handler,
        .ctx = &the_log,
        .max_inputs = max_inputs,
    };
    return spec;
}

/* Parses a NULL-terminated word list as argv (copied: getopt reorders it). */
static char *argv_copy[32];

static crm_status parse_words(const crm_cli_spec *spec, crm_common_options *common, crm_error *err,
                              const char *const *words)
{
    int argc = 0;
    while (words[argc]) {
        argv_copy[argc] = (char *)words[argc];
        argc++;
    }
    argv_copy[argc] = NULL;
    return crm_cli_parse(spec, argc, argv_copy, common, err);
}

#define PARSE(spec, common, err, ...) \
    parse_words((spec), (common), (err), (const char *const[]){"crm-test", __VA_ARGS__, NULL})

/* Parses and expects a usage error with exactly this message. */
static void expect_usage_error(const char *const *words, const char *message)
{
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    assert_int_equal(parse_words(&spec, &common, &err, words), CRM_EUSAGE);
    assert_int_equal(err.status, CRM_EUSAGE);
    assert_string_equal(err.message, message);
}

#define EXPECT_USAGE_ERROR(message, ...) \
    expect_usage_error((const char *const[]){"crm-test", __VA_ARGS__, NULL}, (message))

static void test_defaults(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    assert_int_equal(parse_words(&spec, &common, &err, (const char *const[]){"crm-test", NULL}),
                     CRM_OK);
    assert_null(common.output);
    assert_int_equal(common.gzip, -1);
    assert_int_equal(common.delimiter, ',');
    assert_null(common.encoding);
    assert_int_equal(common.no_header, 0);
    assert_int_equal(common.max_field_size, 0);
    assert_int_equal(common.progress, isatty(STDERR_FILENO) ? 1 : 0);
    assert_null(common.report);
    assert_int_equal(common.help, 0);
    assert_int_equal(common.version, 0);
    assert_int_equal(common.ninputs, 0);
    assert_int_equal(the_log.calls, 0);
}

static void test_common_options(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    assert_int_equal(PARSE(&spec, &common, &err, "-o", "out.csv.gz", "-z", "--encoding", "latin1",
                           "--no-header", "--report=run.json", "--progress", "--help",
                           "--version"),
                     CRM_OK);
    assert_string_equal(common.output, "out.csv.gz");
    assert_int_equal(common.gzip, 1);
    assert_string_equal(common.encoding, "latin1");
    assert_int_equal(common.no_header, 1);
    assert_string_equal(common.report, "run.json");
    assert_int_equal(common.progress, 1);
    assert_int_equal(common.help, 1);
    assert_int_equal(common.version, 1);

    /* Long forms, an unambiguous abbreviation, and the last word winning. */
    assert_int_equal(PARSE(&spec, &common, &err, "--output", "a.csv", "--out=b.csv", "--gzip",
                           "--progress", "--no-progress", "-h"),
                     CRM_OK);
    assert_string_equal(common.output, "b.csv");
    assert_int_equal(common.gzip, 1);
    assert_int_equal(common.progress, 0);
    assert_int_equal(common.help, 1);
}

static void test_command_options_reach_the_handler(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    assert_int_equal(PARSE(&spec, &common, &err, "--as-of", "2011-12-10", "-o", "x.csv",
                           "--verbose", "-k", "5", "-v", "--keep=7"),
                     CRM_OK);
    assert_int_equal(the_log.calls, 5);
    assert_int_equal(the_log.ids[0], OPT_AS_OF);
    assert_string_equal(the_log.args[0], "2011-12-10");
    assert_int_equal(the_log.ids[1], OPT_VERBOSE);
    assert_string_equal(the_log.args[1], "(null)");
    assert_int_equal(the_log.ids[2], 'k');
    assert_string_equal(the_log.args[2], "5");
    assert_int_equal(the_log.ids[3], 'v');
    assert_int_equal(the_log.ids[4], 'k');
    assert_string_equal(the_log.args[4], "7");
    assert_string_equal(common.output, "x.csv");
}

static void test_handler_error_is_returned(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("--as-of: cannot read 'bad' as a date", "--as-of", "bad");
}

static void test_delimiters(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    assert_int_equal(PARSE(&spec, &common, &err, "-t"), CRM_OK);
    assert_int_equal(common.delimiter, '\t');
    /* The two characters backslash and t, as typed in a shell: -d '\t'. */
    assert_int_equal(PARSE(&spec, &common, &err, "-d", "\\t"), CRM_OK);
    assert_int_equal(common.delimiter, '\t');
    assert_int_equal(PARSE(&spec, &common, &err, "--delimiter=tab"), CRM_OK);
    assert_int_equal(common.delimiter, '\t');
    assert_int_equal(PARSE(&spec, &common, &err, "-d", ";"), CRM_OK);
    assert_int_equal(common.delimiter, ';');
    assert_int_equal(PARSE(&spec, &common, &err, "-d|"), CRM_OK);
    assert_int_equal(common.delimiter, '|');
    assert_int_equal(PARSE(&spec, &common, &err, "-t", "-d", ";"), CRM_OK);
    assert_int_equal(common.delimiter, ';');
}

static void test_bad_delimiters(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("-d wants one character, got 'xx'", "-d", "xx");
    EXPECT_USAGE_ERROR("-d wants one character, got ''", "-d", "");
    EXPECT_USAGE_ERROR("-d wants one character, got ';;'", "--delimiter", ";;");
    EXPECT_USAGE_ERROR("-d cannot be '\"': it has a meaning of its own in CSV", "-d", "\"");
    EXPECT_USAGE_ERROR("-d cannot be '\\x0a': it has a meaning of its own in CSV", "-d", "\n");
}

static void test_unknown_options(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("unknown option '--foo'", "--foo");
    EXPECT_USAGE_ERROR("unknown option '--foo'", "--foo=1", "x.csv");
    EXPECT_USAGE_ERROR("unknown option '-x'", "-x");
    EXPECT_USAGE_ERROR("unknown option '-x'", "-zx");
    EXPECT_USAGE_ERROR("unknown option '-x'", "-xz");
    EXPECT_USAGE_ERROR("option '--tab' takes no value", "--tab=1");
    EXPECT_USAGE_ERROR("option '--no' is ambiguous (--no-header, --no-progress, --no-header-out)", "--no");
    EXPECT_USAGE_ERROR("unknown option '--=x'", "--=x");
}

static void test_missing_values(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("option '--output' needs a value", "--output");
    EXPECT_USAGE_ERROR("option '--output' needs a value", "--outp");
    EXPECT_USAGE_ERROR("option '-o' needs a value", "-o");
    EXPECT_USAGE_ERROR("option '-o' needs a value", "-zo");
    EXPECT_USAGE_ERROR("option '--as-of' needs a value", "a.csv", "--as-of");
    EXPECT_USAGE_ERROR("option '--keep' needs a value", "--keep");
    EXPECT_USAGE_ERROR("option '-k' needs a value", "-k");
    EXPECT_USAGE_ERROR("-o wants a file name, got ''", "-o", "");
    EXPECT_USAGE_ERROR("--report wants a file name, got ''", "--report=");
}

static void test_operands(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    /* Options may follow operands (GNU style); operands keep their order. */
    assert_int_equal(PARSE(&spec, &common, &err, "a.csv", "-o", "out.csv", "b.csv.gz", "-", "-t"),
                     CRM_OK);
    assert_int_equal(common.ninputs, 3);
    assert_string_equal(common.inputs[0], "a.csv");
    assert_string_equal(common.inputs[1], "b.csv.gz");
    assert_string_equal(common.inputs[2], "-");
    assert_string_equal(common.output, "out.csv");
    assert_int_equal(common.delimiter, '\t');

    /* After "--" everything is an operand, even words that look like options. */
    assert_int_equal(PARSE(&spec, &common, &err, "-z", "--", "-t", "--foo", "c.csv"), CRM_OK);
    assert_int_equal(common.gzip, 1);
    assert_int_equal(common.delimiter, ',');
    assert_int_equal(common.ninputs, 3);
    assert_string_equal(common.inputs[0], "-t");
    assert_string_equal(common.inputs[1], "--foo");
    assert_string_equal(common.inputs[2], "c.csv");
}

static void test_too_many_inputs(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(1);
    crm_common_options common;
    crm_error err;
    assert_int_equal(PARSE(&spec, &common, &err, "a.csv"), CRM_OK);
    assert_int_equal(common.ninputs, 1);
    assert_int_equal(PARSE(&spec, &common, &err, "a.csv", "b.csv"), CRM_EUSAGE);
    assert_string_equal(err.message, "too many input files (at most 1)");
    spec = test_spec(2);
    assert_int_equal(PARSE(&spec, &common, &err, "a", "b", "c"), CRM_EUSAGE);
    assert_string_equal(err.message, "too many input files (at most 2)");
    /* --help must work whatever else is on the line. */
    assert_int_equal(PARSE(&spec, &common, &err, "a", "b", "c", "--help"), CRM_OK);
    assert_int_equal(common.help, 1);
}

static void test_max_field_size(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    /* 64M = 64 * 1024 * 1024 = 67108864 */
    assert_int_equal(PARSE(&spec, &common, &err, "--max-field-size", "64M"), CRM_OK);
    assert_int_equal(common.max_field_size, 67108864);
    assert_int_equal(PARSE(&spec, &common, &err, "--max-field-size=1000"), CRM_OK);
    assert_int_equal(common.max_field_size, 1000);
    EXPECT_USAGE_ERROR("--max-field-size: cannot read '64MB' as a size (a number of bytes, "
                       "optionally followed by k, M or G)",
                       "--max-field-size", "64MB");
    EXPECT_USAGE_ERROR("--max-field-size must be at least 1 byte", "--max-field-size", "0k");
}

static void test_threads(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    assert_int_equal(PARSE(&spec, &common, &err, "a.csv"), CRM_OK);
    assert_int_equal(common.threads, 0);          /* default: one per core */
    assert_int_equal(PARSE(&spec, &common, &err, "--threads", "1"), CRM_OK);
    assert_int_equal(common.threads, 1);
    assert_int_equal(PARSE(&spec, &common, &err, "--threads=64"), CRM_OK);
    assert_int_equal(common.threads, 64);
    crm_csv_options opts;
    crm_cli_csv_options(&common, &opts);
    assert_int_equal(opts.threads, 64);
    EXPECT_USAGE_ERROR("--threads wants a whole number from 1 to 64, got '0'", "--threads", "0");
    EXPECT_USAGE_ERROR("--threads wants a whole number from 1 to 64, got '65'", "--threads", "65");
    EXPECT_USAGE_ERROR("--threads wants a whole number from 1 to 64, got '2x'", "--threads", "2x");
    EXPECT_USAGE_ERROR("--threads wants a whole number from 1 to 64, got ''", "--threads", "");
}

static void test_parse_size(void **state)
{
    (void)state;
    size_t size = 0;
    crm_error err;
    assert_int_equal(crm_cli_parse_size("512k", &size, &err), CRM_OK);
    assert_int_equal(size, 524288); /* 512 * 1024 */
    assert_int_equal(crm_cli_parse_size("3K", &size, &err), CRM_OK);
    assert_int_equal(size, 3072); /* 3 * 1024 */
    assert_int_equal(crm_cli_parse_size("1G", &size, &err), CRM_OK);
    assert_int_equal(size, 1073741824); /* 1024^3 */
    assert_int_equal(crm_cli_parse_size("2m", &size, &err), CRM_OK);
    assert_int_equal(size, 2097152); /* 2 * 1024^2 */
    assert_int_equal(crm_cli_parse_size("0", &size, &err), CRM_OK);
    assert_int_equal(size, 0);
    assert_int_equal(crm_cli_parse_size("123", &size, &err), CRM_OK);
    assert_int_equal(size, 123);

    const char *unreadable[] = {"", "k", "-1", "+5", " 5", "5 ", "1.5G", "5T", "5kk", "0x10"};
    for (size_t i = 0; i < sizeof unreadable / sizeof unreadable[0]; i++) {
        assert_int_equal(crm_cli_parse_size(unreadable[i], &size, &err), CRM_EUSAGE);
        assert_non_null(strstr(err.message, "as a size"));
    }
    /* 2^64 overflows whichever way it is written; 2^34 G = 2^64 too. */
    assert_int_equal(crm_cli_parse_size("18446744073709551616", &size, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "size '18446744073709551616' is too large");
    assert_int_equal(crm_cli_parse_size("17179869184G", &size, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "size '17179869184G' is too large");
    /* 2^64 - 1, the largest that fits (size_t is 64-bit on the targets). */
    if (sizeof(size_t) == 8) {
        assert_int_equal(crm_cli_parse_size("18446744073709551615", &size, &err), CRM_OK);
        assert_true(size == SIZE_MAX);
    }
}

/* getopt keeps state between calls (inside a cluster like "-zx" above all):
 * a second parse in the same process must start afresh. */
static void test_repeated_calls(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(PARSE(&spec, &common, &err, "-xz", "a.csv"), CRM_EUSAGE);
        assert_string_equal(err.message, "unknown option '-x'");
        assert_int_equal(PARSE(&spec, &common, &err, "-tz", "b.csv"), CRM_OK);
        assert_int_equal(common.delimiter, '\t');
        assert_int_equal(common.gzip, 1);
        assert_int_equal(common.ninputs, 1);
        assert_string_equal(common.inputs[0], "b.csv");
        assert_int_equal(PARSE(&spec, &common, &err, "c.csv"), CRM_OK);
        assert_int_equal(common.delimiter, ',');
        assert_int_equal(common.gzip, -1);
        assert_string_equal(common.inputs[0], "c.csv");
    }
}

static void test_clashing_command_option_is_refused(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    spec.short_options = "o:";
    crm_common_options common;
    crm_error err;
    assert_int_equal(PARSE(&spec, &common, &err, "a.csv"), CRM_EUSAGE);
    assert_string_equal(err.message, "option '-o' of crm-test clashes with a common option");
}

/* ---- what the process prints ---- */

/* Runs fn with the file descriptor fd sent to a temporary file; returns
 * what was written there (static buffer). */
static const char *capture(int fd, void (*fn)(void *), void *arg)
{
    static char text[1024];
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stdout);
    fflush(stderr);
    int saved = dup(fd);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), fd) >= 0);
    fn(arg);
    fflush(stdout);
    fflush(stderr);
    assert_true(dup2(saved, fd) >= 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(text, 1, sizeof text - 1, tmp);
    text[n] = '\0';
    fclose(tmp);
    return text;
}

typedef struct {
    crm_error err;
    int exit_code;
} fail_call;

static void call_fail(void *arg)
{
    fail_call *call = arg;
    call->exit_code = crm_cli_fail("crm-test", &call->err);
}

static void test_fail_messages_and_exit_codes(void **state)
{
    (void)state;
    fail_call call;
    crm_error_set(&call.err, CRM_EUSAGE, "unknown option '--foo'");
    assert_string_equal(capture(STDERR_FILENO, call_fail, &call),
                        "crm-test: unknown option '--foo'\n"
                        "Try 'crm-test --help' for more information.\n");
    assert_int_equal(call.exit_code, 2);

    crm_error_set(&call.err, CRM_EDATA, "orders.csv:3: column 'date': cannot read 'x' as a date");
    assert_string_equal(capture(STDERR_FILENO, call_fail, &call),
                        "crm-test: orders.csv:3: column 'date': cannot read 'x' as a date\n");
    assert_int_equal(call.exit_code, 1);

    crm_error_set(&call.err, CRM_EIO, "cannot write out.csv: No space left on device");
    assert_string_equal(capture(STDERR_FILENO, call_fail, &call),
                        "crm-test: cannot write out.csv: No space left on device\n");
    assert_int_equal(call.exit_code, 1);

    /* A closed pipe ends quietly with status 0. */
    crm_error_set(&call.err, CRM_EPIPE, "broken pipe");
    assert_string_equal(capture(STDERR_FILENO, call_fail, &call), "");
    assert_int_equal(call.exit_code, 0);

    crm_error_clear(&call.err);
    assert_string_equal(capture(STDERR_FILENO, call_fail, &call), "");
    assert_int_equal(call.exit_code, 0);
}

static void call_error(void *arg)
{
    crm_cli_error("crm-test", arg);
}

static void call_version(void *arg)
{
    (void)arg;
    crm_cli_print_version("crm-test");
}

static void test_error_and_version_lines(void **state)
{
    (void)state;
    assert_string_equal(capture(STDERR_FILENO, call_error, "no input"), "crm-test: no input\n");
    assert_string_equal(capture(STDOUT_FILENO, call_version, NULL),
                        "crm-test (crm) " CRM_VERSION "\n");
}

static void test_init_process_ignores_sigpipe(void **state)
{
    (void)state;
    crm_cli_init_process();
    struct sigaction current;
    assert_int_equal(sigaction(SIGPIPE, NULL, &current), 0);
    assert_true(current.sa_handler == SIG_IGN);
}

static void test_parse_day(void **state)
{
    crm_error err;
    int32_t day;
    /* 2011-12-10 is day 15318 since 1970-01-01: date -u -d 2011-12-10 +%s gives 1323475200 = 15318 x 86400 */
    assert_int_equal(crm_cli_parse_day("--as-of", "2011-12-10", &day, &err), CRM_OK);
    assert_int_equal(day, 15318);
    assert_int_equal(crm_cli_parse_day("--as-of", "2011-02-30", &day, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--as-of wants a date as YYYY-MM-DD, got '2011-02-30'");
}

static void test_parse_choice(void **state)
{
    static const char *const names[] = {"drop", "keep", "net", NULL};
    crm_error err;
    int choice = -1;
    assert_int_equal(crm_cli_parse_choice("--returns", "net", names, &choice, &err), CRM_OK);
    assert_int_equal(choice, 2);
    assert_int_equal(crm_cli_parse_choice("--returns", "maybe", names, &choice, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--returns wants drop, keep or net, got 'maybe'");
    static const char *const two[] = {"amount", "profit", NULL};
    assert_int_equal(crm_cli_parse_choice("--monetary", "", two, &choice, &err), CRM_EUSAGE);
    assert_string_equal(err.message, "--monetary wants amount or profit, got ''");
}

/* --skip-bad, shared by every command that reads rows: without it a bad
 * row's message gets the hint and its status comes back; with it rows are
 * counted, the first message kept and err cleared. */
static void test_bad_rows(void **state)
{
    (void)state;
    crm_error err;
    crm_bad_rows stop = {0, "; or pass --skip-bad", 0, {0}};
    crm_error_set(&err, CRM_EDATA, "in.csv:3: expected 2 fields, found 3");
    assert_int_equal(crm_cli_bad_row(&stop, &err), CRM_EDATA);
    assert_string_equal(err.message, "in.csv:3: expected 2 fields, found 3; or pass --skip-bad");
    assert_int_equal(stop.skipped, 0);

    crm_bad_rows no_hint = {0, NULL, 0, {0}};
    crm_error_set(&err, CRM_EDATA, "in.csv:4: bad");
    assert_int_equal(crm_cli_bad_row(&no_hint, &err), CRM_EDATA);
    assert_string_equal(err.message, "in.csv:4: bad");

    crm_bad_rows skip = {1, "; or pass --skip-bad", 0, {0}};
    crm_error_set(&err, CRM_EDATA, "in.csv:5: first");
    assert_int_equal(crm_cli_bad_row(&skip, &err), CRM_OK);
    assert_int_equal(err.status, CRM_OK);
    crm_error_set(&err, CRM_EDATA, "in.csv:9: second");
    assert_int_equal(crm_cli_bad_row(&skip, &err), CRM_OK);
    assert_int_equal(skip.skipped, 2);
    assert_string_equal(skip.first.message, "in.csv:5: first");   /* no hint: it was skipped */
}

static void test_header_names(void **state)
{
    (void)state;
    crm_cli_spec spec = test_spec(0);
    crm_common_options common;
    crm_error err;
    assert_null((PARSE(&spec, &common, &err, "in.csv"), common.header_names));
    assert_int_equal(PARSE(&spec, &common, &err, "--no-header", "--header-names", "id,date,amount"), CRM_OK);
    assert_string_equal(common.header_names, "id,date,amount");
    crm_csv_options opts;
    crm_cli_csv_options(&common, &opts);
    assert_int_equal(opts.no_header, 1);
    assert_string_equal(opts.header_names, "id,date,amount");
    /* one name is a header too; names are case-sensitive, as in a header row */
    assert_int_equal(PARSE(&spec, &common, &err, "--header-names=id", "--no-header"), CRM_OK);
    assert_int_equal(PARSE(&spec, &common, &err, "--no-header", "--header-names=ID,id"), CRM_OK);

    EXPECT_USAGE_ERROR("--header-names names the columns of input without a header row: give --no-header too",
                       "--header-names", "a,b");
    EXPECT_USAGE_ERROR("--header-names: the name 'a' appears twice", "--no-header", "--header-names", "a,b,a");
    EXPECT_USAGE_ERROR("--header-names: an empty name in 'a,,b'", "--no-header", "--header-names", "a,,b");
    EXPECT_USAGE_ERROR("--header-names: an empty name in 'a,'", "--no-header", "--header-names", "a,");
    EXPECT_USAGE_ERROR("--header-names: an empty name in ''", "--no-header", "--header-names", "");
    EXPECT_USAGE_ERROR("--header-names: the name 'b\"c' has a quote, a line break or the delimiter in it",
                       "--no-header", "--header-names", "a,b\"c");
    EXPECT_USAGE_ERROR("--header-names: the name 'a;b' has a quote, a line break or the delimiter in it",
                       "--no-header", "-d", ";", "--header-names", "a;b,c");
    EXPECT_USAGE_ERROR("option '--header-names' needs a value", "--no-header", "--header-names");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_common_options),
        cmocka_unit_test(test_command_options_reach_the_handler),
        cmocka_unit_test(test_handler_error_is_returned),
        cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_bad_delimiters),
        cmocka_unit_test(test_unknown_options),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_operands),
        cmocka_unit_test(test_too_many_inputs),
        cmocka_unit_test(test_max_field_size),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_repeated_calls),
        cmocka_unit_test(test_clashing_command_option_is_refused),
        cmocka_unit_test(test_fail_messages_and_exit_codes),
        cmocka_unit_test(test_error_and_version_lines),
        cmocka_unit_test(test_init_process_ignores_sigpipe),
        cmocka_unit_test(test_parse_day),
        cmocka_unit_test(test_parse_choice),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_header_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
