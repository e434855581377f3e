#include "crm/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/date.h"
#include "crm/version.h"

/* Ids of the common options that have no short letter.  Letters are below
 * 128 and a command's own long-only options use ids from 256 up. */
enum {
    OPT_ENCODING = 200,
    OPT_NO_HEADER,
    OPT_MAX_FIELD_SIZE,
    OPT_THREADS,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_REPORT,
    OPT_VERSION,
    OPT_ESCAPE_FORMULAS,
    OPT_SHARD,
    OPT_HEADER_NAMES,
    OPT_NO_HEADER_OUT,
    OPT_PRECISION
};

static const struct option common_long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"gzip", no_argument, NULL, 'z'},
    {"delimiter", required_argument, NULL, 'd'},
    {"tab", no_argument, NULL, 't'},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"no-header", no_argument, NULL, OPT_NO_HEADER},
    {"max-field-size", required_argument, NULL, OPT_MAX_FIELD_SIZE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"report", required_argument, NULL, OPT_REPORT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"escape-formulas", no_argument, NULL, OPT_ESCAPE_FORMULAS},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"header-names", required_argument, NULL, OPT_HEADER_NAMES},
    {"no-header-out", no_argument, NULL, OPT_NO_HEADER_OUT},
    {"precision", required_argument, NULL, OPT_PRECISION},
};

enum { COMMON_LONG_COUNT = sizeof common_long_options / sizeof common_long_options[0] };

static const char common_short_options[] = "o:zd:th";

/* getopt's state for one parse: the merged tables (freed at the end). */
typedef struct {
    struct option *longs;
    char *shorts;
} option_tables;

static size_t count_long_options(const struct option *options)
{
    size_t n = 0;
    if (options)
        while (options[n].name)
            n++;
    return n;
}

/* A command that reuses a common letter or name would silently lose its
 * option to the common one: refuse it so the mistake shows at once. */
static crm_status check_clashes(const crm_cli_spec *spec, const char *shorts, crm_error *err)
{
    for (const char *c = shorts; *c; c++) {
        if (*c != ':' && strchr(common_short_options, *c))
            return crm_error_set(err, CRM_EUSAGE, "option '-%c' of %s clashes with a common option",
                                 *c, spec->command);
    }
    size_t n = count_long_options(spec->options);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < COMMON_LONG_COUNT; j++) {
            if (strcmp(spec->options[i].name, common_long_options[j].name) == 0)
                return crm_error_set(err, CRM_EUSAGE,
                                     "option '--%s' of %s clashes with a common option",
                                     spec->options[i].name, spec->command);
        }
    }
    return CRM_OK;
}

static crm_status build_tables(const crm_cli_spec *spec, option_tables *tables, crm_error *err)
{
    /* Leading '+', '-' or ':' would change getopt's mode for everyone. */
    const char *own_shorts = spec->short_options ? spec->short_options : "";
    own_shorts += strspn(own_shorts, "+-:");
    crm_status st = check_clashes(spec, own_shorts, err);
    if (st != CRM_OK)
        return st;

    size_t own_longs = count_long_options(spec->options);
    tables->longs = calloc(COMMON_LONG_COUNT + own_longs + 1, sizeof *tables->longs);
    /* ':' first: getopt then reports a missing value as ':' and prints nothing. */
    size_t short_len = 1 + strlen(common_short_options) + strlen(own_shorts);
    tables->shorts = malloc(short_len + 1);
    if (!tables->longs || !tables->shorts)
        return crm_error_set(err, CRM_ENOMEM, "out of memory while reading the options");

    memcpy(tables->longs, common_long_options, sizeof common_long_options);
    if (own_longs > 0)
        memcpy(tables->longs + COMMON_LONG_COUNT, spec->options, own_longs * sizeof *spec->options);
    snprintf(tables->shorts, short_len + 1, ":%s%s", common_short_options, own_shorts);
    return CRM_OK;
}

static void free_tables(option_tables *tables)
{
    free(tables->longs);
    free(tables->shorts);
}

/* The argv element getopt has just finished with, when it can be known.
 * glibc steps optind past an element before reporting a long option's error;
 * a short option inside a cluster ("-xq") may leave optind where it was, so
 * this is used only to look for the "--" of a long option. */
static const char *current_element(int argc, char **argv)
{
    if (optind >= 1 && optind <= argc)
        return argv[optind - 1];
    return "";
}

static int is_long_element(const char *element)
{
    return element[0] == '-' && element[1] == '-' && element[2] != '\0';
}

/* The long option a user typed (possibly abbreviated, possibly with
 * "=value") that has the given id, or NULL. */
static const struct option *typed_long_option(const struct option *longs, const char *element,
                                              int id)
{
    const char *name = element + 2;
    size_t len = strcspn(name, "=");
    for (const struct option *o = longs; o->name; o++) {
        if (o->val == id && o->flag == NULL && strncmp(o->name, name, len) == 0)
            return o;
    }
    return NULL;
}

static crm_status unknown_long_option(const struct option *longs, const char *element,
                                      crm_error *err)
{
    const char *name = element + 2;
    size_t len = strcspn(name, "=");
    char typed[64];
    crm_error_quote(typed, sizeof typed, name, len);

    if (len == 0)
        return crm_error_set(err, CRM_EUSAGE, "unknown option '%s'",
                             crm_error_quote(typed, sizeof typed, element, strlen(element)));

    char matches[256] = "";
    size_t nmatches = 0;
    for (const struct option *o = longs; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        size_t used = strlen(matches);
        snprintf(matches + used, sizeof matches - used, "%s--%s", nmatches ? ", " : "", o->name);
        nmatches++;
    }
    if (nmatches >= 2)
        return crm_error_set(err, CRM_EUSAGE, "option '--%s' is ambiguous (%s)", typed, matches);
    return crm_error_set(err, CRM_EUSAGE, "unknown option '--%s'", typed);
}

/* getopt returned '?': an unknown option, an ambiguous abbreviation, or a
 * value given to a long option that takes none. */
static crm_status bad_option(const struct option *longs, int argc, char **argv, crm_error *err)
{
    const char *element = current_element(argc, argv);
    if (optopt == 0 && is_long_element(element))
        return unknown_long_option(longs, element, err);
    if (optopt != 0 && is_long_element(element) && strchr(element, '=')) {
        const struct option *o = typed_long_option(longs, element, optopt);
        if (o && o->has_arg == no_argument)
            return crm_error_set(err, CRM_EUSAGE, "option '--%s' takes no value", o->name);
    }
    char letter[8];
    char c = (char)optopt;
    crm_error_quote(letter, sizeof letter, &c, 1);
    return crm_error_set(err, CRM_EUSAGE, "unknown option '-%s'", letter);
}

/* getopt returned ':': the option was the last word and wants a value. */
static crm_status missing_value(const struct option *longs, int argc, char **argv, crm_error *err)
{
    const char *element = current_element(argc, argv);
    if (is_long_element(element)) {
        const struct option *o = typed_long_option(longs, element, optopt);
        if (o)
            return crm_error_set(err, CRM_EUSAGE, "option '--%s' needs a value", o->name);
    }
    char letter[8];
    char c = (char)optopt;
    crm_error_quote(letter, sizeof letter, &c, 1);
    return crm_error_set(err, CRM_EUSAGE, "option '-%s' needs a value", letter);
}

static crm_status parse_delimiter(const char *arg, char *delimiter, crm_error *err)
{
    if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0) {
        *delimiter = '\t';
        return CRM_OK;
    }
    char shown[64];
    if (strlen(arg) != 1)
        return crm_error_set(err, CRM_EUSAGE, "-d wants one character, got '%s'",
                             crm_error_quote(shown, sizeof shown, arg, strlen(arg)));
    /* These would make every record ambiguous in CSV. */
    if (arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r')
        return crm_error_set(err, CRM_EUSAGE,
                             "-d cannot be '%s': it has a meaning of its own in CSV",
                             crm_error_quote(shown, sizeof shown, arg, 1));
    *delimiter = arg[0];
    return CRM_OK;
}

static crm_status parse_file_name(const char *option, const char *arg, const char **out,
                                  crm_error *err)
{
    if (arg[0] == '\0')
        return crm_error_set(err, CRM_EUSAGE, "%s wants a file name, got ''", option);
    *out = arg;
    return CRM_OK;
}

static crm_status parse_max_field_size(const char *arg, size_t *out, crm_error *err)
{
    size_t size;
    crm_status st = crm_cli_parse_size(arg, &size, err);
    if (st != CRM_OK) {
        crm_error_prefix(err, "--max-field-size: ");
        return st;
    }
    if (size == 0)
        return crm_error_set(err, CRM_EUSAGE, "--max-field-size must be at least 1 byte");
    *out = size;
    return CRM_OK;
}

/* Parsing threads: 1 parses on the calling thread only. */
static crm_status parse_threads(const char *arg, int *out, crm_error *err)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || errno != 0 || n < 1 || n > CRM_CLI_MAX_THREADS)
        return crm_error_set(err, CRM_EUSAGE, "--threads wants a whole number from 1 to %d, got '%s'",
                             CRM_CLI_MAX_THREADS, arg);
    *out = (int)n;
    return CRM_OK;
}

/* --header-names: names separated by commas, each one not empty and not
 * seen before (a repeated name could not be looked up), and none that
 * could not stand in a header row written with the delimiter. */
static crm_status check_header_names(const char *names, char delimiter, crm_error *err)
{
    char shown[128];
    for (const char *name = names;;) {
        size_t len = strcspn(name, ",");
        crm_error_quote(shown, sizeof shown, name, len);
        if (len == 0)
            return crm_error_set(err, CRM_EUSAGE, "--header-names: an empty name in '%s'",
                                 crm_error_quote(shown, sizeof shown, names, strlen(names)));
        for (size_t i = 0; i < len; i++)
            if (name[i] == '"' || name[i] == '\n' || name[i] == '\r' || name[i] == delimiter)
                return crm_error_set(err, CRM_EUSAGE,
                                     "--header-names: the name '%s' has a quote, a line break or the "
                                     "delimiter in it",
                                     shown);
        for (const char *earlier = names; earlier < name;) {
            size_t earlier_len = strcspn(earlier, ",");
            if (earlier_len == len && memcmp(earlier, name, len) == 0)
                return crm_error_set(err, CRM_EUSAGE, "--header-names: the name '%s' appears twice",
                                     shown);
            earlier += earlier_len + 1;
        }
        if (name[len] == '\0')
            return CRM_OK;
        name += len + 1;
    }
}

/* Handles one option returned by getopt_long. */
static crm_status handle_option(const crm_cli_spec *spec, const option_tables *tables, int id,
                                int argc, char **argv, crm_common_options *common, crm_error *err)
{
    switch (id) {
    case 0: /* a command's option with a flag pointer: getopt has set it */
        return CRM_OK;
    case '?':
        return bad_option(tables->longs, argc, argv, err);
    case ':':
        return missing_value(tables->longs, argc, argv, err);
    case 'o':
        return parse_file_name("-o", optarg, &common->output, err);
    case 'z':
        common->gzip = 1;
        return CRM_OK;
    case 'd':
        return parse_delimiter(optarg, &common->delimiter, err);
    case 't':
        common->delimiter = '\t';
        return CRM_OK;
    case OPT_ENCODING:
        common->encoding = optarg;
        return CRM_OK;
    case OPT_NO_HEADER:
        common->no_header = 1;
        return CRM_OK;
    case OPT_MAX_FIELD_SIZE:
        return parse_max_field_size(optarg, &common->max_field_size, err);
    case OPT_THREADS:
        return parse_threads(optarg, &common->threads, err);
    case OPT_PROGRESS:
        common->progress = 1;
        return CRM_OK;
    case OPT_NO_PROGRESS:
        common->progress = 0;
        return CRM_OK;
    case OPT_REPORT:
        return parse_file_name("--report", optarg, &common->report, err);
    case 'h':
        common->help = 1;
        return CRM_OK;
    case OPT_VERSION:
        common->version = 1;
        return CRM_OK;
    case OPT_ESCAPE_FORMULAS:
        common->escape_formulas = 1;
        return CRM_OK;
    case OPT_SHARD:
        return crm_shard_parse(optarg, &common->shard, err);
    case OPT_HEADER_NAMES:
        common->header_names = optarg;
        return CRM_OK;
    case OPT_NO_HEADER_OUT:
        common->no_header_out = 1;
        return CRM_OK;
    case OPT_PRECISION: {
        static const char *const precisions[] = {"readable", "full", NULL};
        return crm_cli_parse_choice("--precision", optarg, precisions, &common->full_precision, err);
    }
    default:
        break;
    }
    if (!spec->handler)
        return crm_error_set(err, CRM_EUSAGE, "option %d of %s has no handler", id, spec->command);
    crm_status st = spec->handler(id, optarg, spec->ctx, err);
    if (st != CRM_OK && err->message[0] == '\0')
        crm_error_set(err, st, "invalid option value '%s'", optarg ? optarg : "");
    return st;
}

static void set_defaults(crm_common_options *common)
{
    memset(common, 0, sizeof *common);
    common->gzip = -1;
    common->delimiter = ',';
    common->progress = isatty(STDERR_FILENO) ? 1 : 0;
}

crm_status crm_cli_parse(const crm_cli_spec *spec, int argc, char **argv, crm_common_options *common,
                         crm_error *err)
{
    crm_error scratch;
    if (!err)
        err = &scratch;
    crm_error_clear(err);
    set_defaults(common);

    option_tables tables = {NULL, NULL};
    crm_status st = build_tables(spec, &tables, err);
    if (st != CRM_OK) {
        free_tables(&tables);
        return st;
    }

    /* optind = 0 makes glibc (and musl) start afresh, so that a process can
     * parse several argument vectors (the unit tests do). */
    optind = 0;
    opterr = 0;
    for (;;) {
        int id = getopt_long(argc, argv, tables.shorts, tables.longs, NULL);
        if (id == -1)
            break;
        st = handle_option(spec, &tables, id, argc, argv, common, err);
        if (st != CRM_OK)
            break;
    }
    free_tables(&tables);
    if (st != CRM_OK)
        return st;

    /* getopt has moved the operands behind the options: they are the tail. */
    if (optind < argc) {
        common->inputs = (const char **)(argv + optind);
        common->ninputs = (size_t)(argc - optind);
    }
    if (!common->help && !common->version && common->header_names) {
        if (!common->no_header)
            return crm_error_set(err, CRM_EUSAGE,
                                 "--header-names names the columns of input without a header row: "
                                 "give --no-header too");
        st = check_header_names(common->header_names, common->delimiter, err);
        if (st != CRM_OK)
            return st;
    }
    if (!common->help && !common->version && common->shard.count && !spec->takes_shard)
        return crm_error_set(err, CRM_EUSAGE,
                             "--shard is not taken by %s yet: its results would differ from one "
                             "process's; run it on the merged output", spec->command);
    if (!common->help && !common->version && (common->no_header_out || common->full_precision) &&
        spec->no_csv_output)
        return crm_error_set(err, CRM_EUSAGE, "%s is for commands that write CSV; %s does not",
                             common->no_header_out ? "--no-header-out" : "--precision", spec->command);
    if (!common->help && !common->version && spec->max_inputs > 0
        && common->ninputs > spec->max_inputs)
        return crm_error_set(err, CRM_EUSAGE, "too many input files (at most %zu)",
                             spec->max_inputs);
    return CRM_OK;
}

/* Reads digits and an optional k/M/G suffix.  Returns 0 when s is not
 * written that way; *overflow says the digits did not fit in 64 bits. */
static int read_size(const char *s, uint64_t *value, unsigned *shift, int *overflow)
{
    const char *p = s;
    *value = 0;
    *shift = 0;
    *overflow = 0;
    if (*p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (*value > (UINT64_MAX - digit) / 10)
            *overflow = 1;
        else
            *value = *value * 10 + digit;
    }
    if (*p == '\0')
        return 1;
    static const char suffixes[] = "kKmMgG"; /* pairs: 2^10, 2^20, 2^30 */
    const char *suffix = strchr(suffixes, *p);
    if (!suffix || p[1] != '\0')
        return 0;
    *shift = 10 * (unsigned)((suffix - suffixes) / 2 + 1);
    return 1;
}

crm_status crm_cli_parse_size(const char *s, size_t *out, crm_error *err)
{
    char shown[64];
    uint64_t value;
    unsigned shift;
    int overflow;
    if (!read_size(s, &value, &shift, &overflow))
        return crm_error_set(err, CRM_EUSAGE,
                             "cannot read '%s' as a size "
                             "(a number of bytes, optionally followed by k, M or G)",
                             crm_error_quote(shown, sizeof shown, s, strlen(s)));
    if (overflow || value > (SIZE_MAX >> shift))
        return crm_error_set(err, CRM_EUSAGE, "size '%s' is too large",
                             crm_error_quote(shown, sizeof shown, s, strlen(s)));
    *out = (size_t)value << shift;
    return CRM_OK;
}

void crm_cli_note_deprecated(const char *command, const char *old_name, const char *new_name)
{
    fprintf(stderr, "%s: %s is deprecated; use %s (same meaning)\n", command, old_name, new_name);
}

void crm_cli_error(const char *command, const char *message)
{
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", command, message);
}

static const char *status_fallback_message(crm_status status)
{
    switch (status) {
    case CRM_EDATA:
        return "bad input data";
    case CRM_EUSAGE:
        return "bad usage";
    case CRM_EIO:
        return "input or output failed";
    case CRM_ENOMEM:
        return "out of memory";
    default:
        return "failed";
    }
}

int crm_cli_fail(const char *command, const crm_error *err)
{
    if (err->status == CRM_OK || err->status == CRM_EPIPE)
        return crm_status_exit_code(err->status);
    const char *message = err->message[0] ? err->message : status_fallback_message(err->status);
    crm_cli_error(command, message);
    if (err->status == CRM_EUSAGE)
        fprintf(stderr, "Try '%s --help' for more information.\n", command);
    return crm_status_exit_code(err->status);
}

void crm_cli_init_process(void)
{
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    crm_output_remove_on_signals();
}

crm_status crm_cli_start_outputs(const crm_common_options *common, crm_output_set **setp,
                                 crm_error *err)
{
    crm_output_set *set = crm_output_set_new();
    *setp = set;
    if (!set)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    crm_status st = CRM_OK;
    if (common->ninputs == 0)
        st = crm_output_set_add_input(set, "standard input", "-", err);
    for (size_t i = 0; i < common->ninputs && st == CRM_OK; i++) {
        const char *path = common->inputs[i];
        st = crm_output_set_add_input(set, strcmp(path, "-") == 0 ? "standard input" : "the input", path,
                                      err);
    }
    if (st == CRM_OK)
        st = crm_output_set_add_output(set, common->output ? "-o" : "standard output",
                                       common->output ? common->output : "-", err);
    if (st == CRM_OK)
        st = crm_output_set_add_output(set, "--report", common->report, err);
    return st;
}

crm_status crm_cli_open_output(crm_output_set *set, const char *path, int gzip, crm_csv_writer **w,
                               crm_error *err)
{
    *w = NULL;
    crm_output *out;
    crm_status st = crm_output_set_open(set, &out, path, gzip, err);
    if (st != CRM_OK)
        return st;
    *w = crm_csv_writer_new(out, ',');
    if (!*w)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

crm_status crm_cli_open_main_output(crm_output_set *set, const crm_common_options *common, crm_csv_writer **w,
                                    crm_error *err)
{
    crm_status st = crm_cli_open_output(set, common->output, common->gzip, w, err);
    if (st != CRM_OK)
        return st;
    crm_csv_writer_escape_formulas(*w, common->escape_formulas);
    crm_csv_writer_skip_header(*w, common->no_header_out);
    crm_csv_writer_full_precision(*w, common->full_precision);
    return CRM_OK;
}

crm_status crm_cli_write_failed(crm_csv_writer *w, crm_status st, crm_error *err)
{
    if (st == CRM_OK || st == CRM_EPIPE)
        return st;
    /* write errors are sticky in the output, which knows the file and errno */
    crm_status written = w ? crm_output_status(crm_csv_writer_output(w), err) : CRM_OK;
    if (written != CRM_OK)
        return written;
    /* not the output's failure: keep what the caller said about it */
    if (err->status == st && err->message[0])
        return st;
    return crm_error_set(err, st, st == CRM_ENOMEM ? "out of memory" : "cannot write the output");
}

crm_status crm_cli_end_run(const char *command, crm_output_set *set, crm_report *report,
                           const char *report_path, crm_status st, crm_error *err)
{
    if (st == CRM_OK && set)
        st = crm_output_set_commit(set, err);
    int closed_pipe = st != CRM_OK && crm_output_set_closed_pipe(set);
    crm_output_set_free(set);   /* removes what was not committed */
    if (closed_pipe) {
        /* as a program without a SIGPIPE handler would end, files removed */
        fflush(stdout);
        signal(SIGPIPE, SIG_DFL);
        raise(SIGPIPE);
    }
    if (!report_path)
        return st;
    int ok = st == CRM_OK || st == CRM_EPIPE;
    crm_report_set_text(report, "status", ok ? "ok" : "failed");
    if (!ok)
        crm_report_set_text(report, "error",
                            err->message[0] ? err->message : status_fallback_message(st));
    crm_error rerr;
    crm_error_clear(&rerr);
    if (crm_report_write(report, report_path, &rerr) != CRM_OK) {
        if (ok) {
            *err = rerr;
            return rerr.status;
        }
        crm_cli_error(command, rerr.message);
    }
    return st;
}

void crm_cli_print_version(const char *command)
{
    printf("%s (crm) %s\n", command, CRM_VERSION);
}

int crm_cli_start(const crm_cli_spec *spec, int argc, char **argv, crm_common_options *common,
                  int *exit_code)
{
    crm_error err;
    crm_error_clear(&err);
    *exit_code = 0;
    if (crm_cli_parse(spec, argc, argv, common, &err) != CRM_OK) {
        *exit_code = crm_cli_fail(spec->command, &err);
        return 0;
    }
    if (common->help) {
        fputs(spec->usage, stdout);
        return 0;
    }
    if (common->version) {
        crm_cli_print_version(spec->command);
        return 0;
    }
    /* The operands' size, so that --progress can show percent and ETA. */
    if (common->progress)
        crm_progress_expect_bytes(crm_progress_inputs_size(common->inputs, common->ninputs));
    return 1;
}

crm_status crm_cli_parse_day(const char *option, const char *arg, int32_t *day, crm_error *err)
{
    crm_date_format iso;
    crm_datetime dt;
    crm_date_format_set(&iso, CRM_DATE_ISO);
    if (crm_date_parse(&iso, arg, strlen(arg), &dt) != CRM_OK)
        return crm_error_set(err, CRM_EUSAGE, "%s wants a date as YYYY-MM-DD, got '%s'", option, arg);
    *day = dt.days;
    return CRM_OK;
}

void crm_cli_csv_options(const crm_common_options *common, crm_csv_options *opts)
{
    crm_csv_options_init(opts);
    opts->delimiter = common->delimiter;
    opts->encoding = common->encoding;
    opts->no_header = common->no_header;
    opts->header_names = common->header_names;
    if (common->max_field_size)
        opts->max_record_bytes = common->max_field_size;
    opts->threads = common->threads;
}

crm_status crm_cli_open_input(const crm_common_options *common, const char *path, crm_csv_reader **r,
                              crm_error *err)
{
    crm_csv_options opts;
    crm_cli_csv_options(common, &opts);
    return crm_csv_open(r, path, &opts, err);
}

crm_status crm_cli_parse_choice(const char *option, const char *arg, const char *const *names, int *index,
                                crm_error *err)
{
    for (int i = 0; names[i]; i++) {
        if (strcmp(arg, names[i]) == 0) {
            *index = i;
            return CRM_OK;
        }
    }
    char wanted[256] = "", shown[128];
    size_t used = 0;
    for (int i = 0; names[i] && used < sizeof wanted; i++) {
        const char *joint = i == 0 ? "" : names[i + 1] ? ", " : " or ";
        int n = snprintf(wanted + used, sizeof wanted - used, "%s%s", joint, names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return crm_error_set(err, CRM_EUSAGE, "%s wants %s, got '%s'", option, wanted,
                         crm_error_quote(shown, sizeof shown, arg, strlen(arg)));
}

crm_status crm_cli_bad_row(crm_bad_rows *bad, crm_error *err)
{
    if (!bad->skip) {
        size_t len = strlen(err->message), hint = bad->hint ? strlen(bad->hint) : 0;
        if (hint > 0 && len + hint < sizeof err->message)
            memcpy(err->message + len, bad->hint, hint + 1);
        return err->status;
    }
    if (bad->skipped++ == 0)
        bad->first = *err;
    crm_error_clear(err);
    return CRM_OK;
}

void crm_cli_note_skipped(const char *command, const crm_bad_rows *bad)
{
    if (bad->skipped == 0)
        return;
    fflush(stdout);
    fprintf(stderr, "%s: skipped %llu bad row%s; the first: %s\n", command,
            (unsigned long long)bad->skipped, bad->skipped == 1 ? "" : "s", bad->first.message);
}
