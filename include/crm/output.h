/* Byte output: standard output or a file written atomically, optionally
 * gzip-compressed.
 *
 * A named file is written to a temporary file in the same directory and
 * renamed over the target only by crm_output_commit(), so a reader of the
 * target never sees half a result and a failed run leaves the old file in
 * place.  Write errors are sticky and reported by commit: nothing is lost
 * silently.  A closed pipe on standard output is reported as CRM_EPIPE, which
 * commands treat as a quiet, successful end.  Knows nothing of CSV or CRM. */
#ifndef CRM_OUTPUT_H
#define CRM_OUTPUT_H

#include <stddef.h>

#include "crm/error.h"

typedef struct crm_output crm_output;

/* gzip: 1 compress, 0 plain, -1 compress when path ends in ".gz".
 * path NULL or "-" writes standard output. */
crm_status crm_output_open(crm_output **out, const char *path, int gzip, crm_error *err);

/* Buffered write.  Returns the sticky status: once a write failed, every
 * later call returns the same failure without writing. */
crm_status crm_output_write(crm_output *out, const void *data, size_t len);

/* Flushes, finishes the gzip stream, fsyncs and renames the temporary file
 * onto the target; then frees out.  On failure the temporary file is
 * removed, the target is untouched and err names the file and the cause. */
crm_status crm_output_commit(crm_output *out, crm_error *err);

/* Discards everything written (removes the temporary file) and frees out. */
void crm_output_abort(crm_output *out);

/* The name used in messages: the path, or "<stdout>". */
const char *crm_output_name(const crm_output *out);

#endif
