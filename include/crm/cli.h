/* The options every command shares (DESIGN.md "What every command does the
 * same way"), parsed in one place so that all commands accept them alike:
 *
 *   -o, --output FILE     write FILE atomically instead of standard output
 *   -z, --gzip            compress the output (also when FILE ends in .gz)
 *   -d, --delimiter C     input field delimiter (one character, or \t)
 *   -t, --tab             tab-delimited input
 *       --encoding NAME   input encoding (gbk, gb18030, big5, latin1, ...)
 *       --no-header       the first input row is data
 *       --no-header-out   the main output has no header row (crm_cli_open_main_output)
 *       --precision readable|full  ratios and probabilities to 6 significant
 *                         digits (default) or every digit of the double
 *                         (crm_csv_write_readable)
 *       --header-names A,B,...  with --no-header: the input columns' names (the
 *                         header a piece of a split file has lost)
 *       --max-field-size N  refuse records larger than N bytes (k, M, G)
 *       --threads N       parse the input with N threads (default: one per core)
 *       --progress / --no-progress   progress on stderr (default: if a tty)
 *       --report FILE     JSON summary of the run
 *       --escape-formulas  text fields starting with = + - @ tab CR get a
 *                         leading ' (crm_csv_writer_escape_formulas)
 *       --shard I/N       keep only the customers of shard I of N (crm/shard.h;
 *                         each command applies it with crm_clean_in_shard)
 *   -h, --help            usage on stdout, exit 0
 *       --version         version on stdout, exit 0
 *
 * Knows nothing of CRM: a command describes its own options and receives
 * them through a callback. */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/output.h"
#include "crm/report.h"
#include "crm/shard.h"

enum { CRM_CLI_MAX_THREADS = 64 };

/* The tail of every command's --help: the common options, spelt the same
 * in each.  shard_note is "--shard I/N  " (with any remark) for the
 * commands that take --shard, or "". */
#define CRM_CLI_COMMON_USAGE(shard_note)                                                   \
    "Common:\n"                                                                             \
    "  -o, --output FILE  -z, --gzip  -d, --delimiter C  -t, --tab  --encoding NAME\n"      \
    "  --no-header  --header-names A,B,...  --no-header-out  --max-field-size N\n"         \
    "  --threads N  --progress  --no-progress  --report FILE  --escape-formulas\n"         \
    "  --precision readable|full  "                                                        \
    shard_note "--help  --version\n"

typedef struct {
    const char *output;        /* NULL: standard output */
    int gzip;                  /* -1 by file name, 1 forced by -z */
    char delimiter;            /* ',' */
    const char *encoding;      /* NULL: UTF-8 */
    int no_header;
    const char *header_names;  /* --header-names: "a,b,c", checked (no empty or repeated name) */
    size_t max_field_size;     /* 0: the reader's default */
    int threads;               /* 0: one per core (see crm_csv_options) */
    int progress;              /* 1 on, 0 off */
    const char *report;        /* NULL: no report */
    int escape_formulas;       /* --escape-formulas: set on every CSV writer */
    int no_header_out;         /* --no-header-out: the main output's header row is dropped */
    int full_precision;        /* --precision full: crm_csv_write_readable writes every digit */
    crm_shard shard;           /* --shard I/N; count 0 when not given */
    int help;                  /* --help was given: print usage, exit 0 */
    int version;               /* --version was given */
    const char **inputs;       /* the operands (files); none means stdin */
    size_t ninputs;
} crm_common_options;

/* Called for each option that is the command's own; returns CRM_OK or
 * CRM_EUSAGE with a message in err. `arg` is NULL for flags. */
typedef crm_status (*crm_option_handler)(int id, const char *arg, void *ctx, crm_error *err);

typedef struct {
    const char *command;              /* "crm-clean" */
    const char *usage;                /* full --help text */
    const struct option *options;     /* the command's own, terminated by {0}; ids >= 256 */
    const char *short_options;        /* the command's own short letters, getopt style */
    crm_option_handler handler;
    void *ctx;
    size_t max_inputs;                /* 0: any number of input files */
    int takes_shard;                  /* 1: the command applies --shard; otherwise --shard is a usage
                                         error, so that no command silently ignores it */
    int no_csv_output;                /* 1: the command writes no CSV (crm-report), so --no-header-out
                                         is a usage error rather than ignored */
} crm_cli_spec;

/* Parses argv.  On CRM_EUSAGE err says what is wrong (the command prints it
 * with a hint to --help and exits 2). */
crm_status crm_cli_parse(const crm_cli_spec *spec, int argc, char **argv, crm_common_options *common,
                         crm_error *err);

/* The start of every command's main(): parses argv and answers --help and
 * --version itself.  Returns 1 when the command should run; otherwise 0
 * with *exit_code set (0 after --help/--version, 2 after a usage error,
 * which has been printed). */
int crm_cli_start(const crm_cli_spec *spec, int argc, char **argv, crm_common_options *common,
                  int *exit_code);

/* Parses an option whose value is one of a few words (names: NULL-ended):
 * *index receives the position of arg in names.  CRM_EUSAGE otherwise, with
 * "<option> wants a, b or c, got '<arg>'". */
crm_status crm_cli_parse_choice(const char *option, const char *arg, const char *const *names, int *index,
                                crm_error *err);

/* Parses an option's calendar day written YYYY-MM-DD into days since
 * 1970-01-01; CRM_EUSAGE naming the option otherwise. */
crm_status crm_cli_parse_day(const char *option, const char *arg, int32_t *day, crm_error *err);

/* Reader options from the common options (-d/-t, --encoding, --no-header,
 * --header-names, --max-field-size), for commands that adjust them before
 * opening. */
void crm_cli_csv_options(const crm_common_options *common, crm_csv_options *opts);

/* Opens an input file (NULL or "-": standard input) with the common reader
 * options: every command reads its inputs the same way. */
crm_status crm_cli_open_input(const crm_common_options *common, const char *path, crm_csv_reader **r,
                              crm_error *err);

/* Parses a size with an optional k/M/G suffix (powers of 1024). */
crm_status crm_cli_parse_size(const char *s, size_t *out, crm_error *err);

/* The note an old spelling of an option prints (crm(7) VOCABULARY):
 * "<command>: <old> is deprecated; use <new> (same meaning)". */
void crm_cli_note_deprecated(const char *command, const char *old_name, const char *new_name);

/* Prints "<command>: <message>\n" on stderr. */
void crm_cli_error(const char *command, const char *message);

/* Stops a command the DESIGN.md way: prints err (unless EPIPE), returns the
 * exit code for it. */
int crm_cli_fail(const char *command, const crm_error *err);

/* Sets up the process for pipelines: SIGPIPE ignored so that a closed pipe
 * becomes EPIPE (ended quietly with status 0); SIGXFSZ ignored so that a
 * file size limit is a write error naming the file; SIGTERM, SIGINT and
 * SIGHUP remove the run's temporary files (crm_output_remove_on_signals). */
void crm_cli_init_process(void);

/* ---- the files of a run (DESIGN.md: all files of one run commit together) ----
 *
 * A command starts the set before it reads anything, adds its own files
 * (--cost-table as an input, --rejects as an output, ...), opens every output
 * through the set and ends with crm_cli_end_run. */

/* A new set with the operands (standard input when none) as inputs and -o
 * (standard output when absent) and --report as outputs.  CRM_EUSAGE when
 * an output names an input or another output. */
crm_status crm_cli_start_outputs(const crm_common_options *common, crm_output_set **set,
                                 crm_error *err);

/* Opens a CSV output (',' delimited) of the run. */
crm_status crm_cli_open_output(crm_output_set *set, const char *path, int gzip, crm_csv_writer **w,
                               crm_error *err);

/* Opens the run's main output (-o, or standard output) as CSV with the
 * common output options applied: -z, --escape-formulas, --no-header-out,
 * --precision.
 * Every command opens its main output this way, so that each option means
 * the same in all of them. */
crm_status crm_cli_open_main_output(crm_output_set *set, const crm_common_options *common, crm_csv_writer **w,
                                    crm_error *err);

/* After a write to w returned st: when st is a failure of w's output (other
 * than a closed standard output), sets err to name the file and the cause
 * ("out.csv: write failed: No space left on device").  Returns the status
 * to stop with; CRM_OK and CRM_EPIPE pass through. */
crm_status crm_cli_write_failed(crm_csv_writer *w, crm_status st, crm_error *err);

/* Ends a run: when st is CRM_OK commits every output of the set, otherwise
 * discards them (old files stay); frees the set.  Then, last, writes the
 * --report (report_path, when given) with "status" "ok" or "failed" and,
 * for a failed run, "error" with the message.  A named output that met a
 * closed pipe ends the process here by SIGPIPE, its files removed.  Returns
 * the run's status, with err; a report that cannot be written fails a run
 * that had succeeded, and is printed on its own when the run failed
 * anyway. */
crm_status crm_cli_end_run(const char *command, crm_output_set *set, crm_report *report,
                           const char *report_path, crm_status st, crm_error *err);

/* The version line for --version. */
void crm_cli_print_version(const char *command);

/* Bad rows in the commands that read rows (crm-rfm, crm-ltv, crm-segment,
 * crm-basket): each takes --skip-bad, and each handles a row it cannot read
 * (broken quoting, the wrong number of fields, an unreadable value) through
 * crm_cli_bad_row, so that all of them stop or skip alike. */
typedef struct {
    int skip;                  /* --skip-bad was given */
    const char *hint;          /* appended to the message of a row that stops the run, or NULL */
    uint64_t skipped;
    crm_error first;           /* the first row skipped */
} crm_bad_rows;

/* err says what is wrong with a row.  Without --skip-bad: returns err's
 * status, the hint appended to its message.  With it: counts the row,
 * keeps the first message, clears err and returns CRM_OK. */
crm_status crm_cli_bad_row(crm_bad_rows *bad, crm_error *err);

/* "<command>: skipped N bad row(s); the first: <message>" on stderr, when
 * any row was skipped. */
void crm_cli_note_skipped(const char *command, const crm_bad_rows *bad);

#endif
