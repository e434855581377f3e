/* Status codes and error messages shared by every libcrm module.
 *
 * A function that can fail returns a crm_status and, when it fails, fills a
 * caller-owned crm_error with one complete sentence naming what went wrong
 * (file, line, column, value where they are known).  Commands print the
 * message prefixed by their own name and map the status to an exit code. */
#ifndef CRM_ERROR_H
#define CRM_ERROR_H

#include <stddef.h>

typedef enum {
    CRM_OK = 0,
    CRM_EDATA,    /* the input is not what it must be: bad row, bad value */
    CRM_EUSAGE,   /* the caller asked for something impossible: bad option */
    CRM_EIO,      /* reading or writing failed (disk full, missing file) */
    CRM_ENOMEM,   /* out of memory, or a configured size limit exceeded */
    CRM_EPIPE     /* the reader of our output went away: not an error to report */
} crm_status;

enum { CRM_ERROR_MAX = 1024 };

typedef struct {
    crm_status status;
    char message[CRM_ERROR_MAX];
} crm_error;

/* Clears err (no-op on NULL). */
void crm_error_clear(crm_error *err);

/* Sets err->status and formats err->message; returns status so that callers
 * can write `return crm_error_set(err, CRM_EDATA, "...", ...);`. */
crm_status crm_error_set(crm_error *err, crm_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefixes an existing message ("orders.csv:12: " + message). */
void crm_error_prefix(crm_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The process exit status DESIGN.md gives for a status:
 * 0 success (and EPIPE), 1 bad data or failed run, 2 bad usage. */
int crm_status_exit_code(crm_status status);

/* Writes a value into buf for quoting in an error message: control bytes
 * and bytes that are not valid UTF-8 become \xNN, and values longer than the
 * buffer are cut with "...". */
const char *crm_error_quote(char *buf, size_t bufsize, const char *value, size_t len);

#endif
