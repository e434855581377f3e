/* A command's own options described by a table: each entry names the
 * option, the kind of value it takes and where the value goes, so that a
 * command lists its options once instead of writing an option enum, a
 * getopt table and a switch.  The values are checked the same way in every
 * command that uses it, with messages that name the option:
 *
 *   whole numbers   "--bins wants a whole number from 1 to 1000, got 'x'"
 *   positive        "--growth wants a number above 0, got 'x'"
 *   non-negative    "--tol wants a number >= 0, got 'x'"
 *   shares          crm_parse_fraction ("80%", "0.8"), prefixed "--top: "
 *   positive shares also "--top wants a share above 0, got '0'"
 *   durations       crm_parse_duration in days ("90d", "12w"), prefixed
 *   ranges          "--k-range wants LO-HI with 2 <= LO <= HI <= 1000, got 'x'"
 *
 * Old spellings: an entry with .deprecated_for = "--new-name" is a hidden
 * alias kept so that old command lines (cron jobs) keep working.  It acts
 * exactly like the entry it names (give it the same kind and target) and,
 * when used, prints one line on stderr:
 *
 *   crm-basket: --top is deprecated; use --per-customer (same meaning)
 *
 * A command leaves its aliases out of --help; crm(7) lists them.
 *
 * Core: knows nothing of CRM.  Used with crm/cli.h: the table gives the
 * getopt options and the handler of crm_cli_spec. */
#ifndef CRM_CLI_TABLE_H
#define CRM_CLI_TABLE_H

#include <getopt.h>
#include <stddef.h>

#include "crm/error.h"

typedef enum {
    CRM_CLI_FLAG,            /* no value: *(int *)target = (int)lo */
    CRM_CLI_TEXT,            /* *(const char **)target = the value */
    CRM_CLI_INT,             /* whole number lo..hi into an int */
    CRM_CLI_UNSIGNED,        /* ... into an unsigned */
    CRM_CLI_ULONG,           /* ... into an unsigned long */
    CRM_CLI_SIZE,            /* ... into a size_t */
    CRM_CLI_POSITIVE,        /* finite double above 0 */
    CRM_CLI_NONNEGATIVE,     /* finite double >= 0 */
    CRM_CLI_SHARE,           /* a fraction (crm_parse_fraction) into a double */
    CRM_CLI_POSITIVE_SHARE,  /* a fraction above 0 */
    CRM_CLI_DAYS,            /* a duration, in days, into a double */
    CRM_CLI_RANGE,           /* LO-HI, lo <= LO <= HI <= hi: LO into the size_t target, HI into
                                the size_t target2 */
    CRM_CLI_CHOICE,          /* one of the words choices (crm_cli_parse_choice): values[i] (or i
                                when values is NULL) into an int */
    CRM_CLI_CALL             /* call(ctx, value, err) */
} crm_cli_kind;

typedef struct {
    const char *name;        /* as a user writes it: "--bins", or "-k" for a short option only */
    char letter;             /* short option letter, or 0 */
    crm_cli_kind kind;
    void *target;
    unsigned long long lo, hi;   /* whole numbers: the range; CRM_CLI_FLAG: the value set */
    crm_status (*call)(void *ctx, const char *value, crm_error *err);
    int *given;              /* set to 1 when the option is given (may be NULL) */
    const char **first;      /* when the option is given and *first is NULL: its name,
                                so a command can tell which of a group came first (may be NULL) */
    void *target2;           /* CRM_CLI_RANGE: where HI goes */
    const char *example;     /* CRM_CLI_RANGE: shown when the value is not LO-HI ("2-10") */
    const char *const *choices;   /* CRM_CLI_CHOICE: the words, NULL-ended */
    const int *values;            /* CRM_CLI_CHOICE: the value of each word, or NULL */
    const int *needs;        /* the option makes sense only when *needs is non-zero (checked by
                                crm_cli_table_check, after every option is read), or NULL */
    const char *needs_what;  /* what it needs, for "<option> is for <needs_what>" */
    const char *deprecated_for;   /* a hidden old spelling of this option, or NULL */
} crm_cli_entry;

typedef struct {
    const char *command;     /* "crm-segment", for the deprecation note */
    const crm_cli_entry *entries;
    size_t count;
    void *ctx;               /* for CRM_CLI_CALL entries */
    struct option *longs;    /* for crm_cli_spec.options */
    char shorts[64];         /* for crm_cli_spec.short_options */
    unsigned char *given;    /* per entry: 1 once given */
} crm_cli_table;

/* Builds the getopt tables of count entries.  CRM_ENOMEM, or CRM_EUSAGE
 * for more short letters than fit. */
crm_status crm_cli_table_init(crm_cli_table *t, const char *command, const crm_cli_entry *entries, size_t count,
                              void *ctx, crm_error *err);
void crm_cli_table_free(crm_cli_table *t);

/* The crm_option_handler of a table (ctx: the crm_cli_table). */
crm_status crm_cli_table_handle(int id, const char *value, void *ctx, crm_error *err);

/* After parsing: CRM_EUSAGE "<option> is for <needs_what>" for the first
 * entry (in table order) that was given while its *needs is 0. */
crm_status crm_cli_table_check(const crm_cli_table *t, crm_error *err);

#endif
