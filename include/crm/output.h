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

/* The sticky status of the writes so far; when it is a failure, err names
 * the file and the cause ("out.csv: write failed: No space left on device"). */
crm_status crm_output_status(const crm_output *out, crm_error *err);

/* The name used in messages: the path, or "<stdout>". */
const char *crm_output_name(const crm_output *out);

/* ---- the files of one run, committed together ----
 *
 * A run names every file it reads and writes first, so that an output that
 * would replace an input or another output is refused before anything is
 * read.  Its outputs are opened through the set: crm_output_commit() then
 * only finishes an output (flush, fsync, close) and crm_output_set_commit()
 * renames all of them into place once the whole run succeeded, then fsyncs
 * their directories.  A run that fails frees the set, which removes every
 * temporary file and leaves the old files as they were.
 *
 * Names are compared as files (device and inode, so hard and symbolic links
 * count) and as paths (for files that do not exist yet).  Devices and FIFOs
 * (/dev/null, /dev/stdout) are written directly and are not compared. */
typedef struct crm_output_set crm_output_set;

crm_output_set *crm_output_set_new(void);

/* Frees the set; outputs not yet committed are discarded. */
void crm_output_set_free(crm_output_set *set);

/* Names a file the run reads: label is how a message names it ("--cost-table",
 * "the input").  path "-" is standard input (compared when it is a regular
 * file); NULL (an option not given) is ignored.  CRM_EUSAGE when it is a
 * registered output. */
crm_status crm_output_set_add_input(crm_output_set *set, const char *label, const char *path,
                                    crm_error *err);

/* Names a file the run will write ("-": standard output).  CRM_EUSAGE, with
 * a message naming both labels and the file, when it is an input or
 * another output of the run. */
crm_status crm_output_set_add_output(crm_output_set *set, const char *label, const char *path,
                                     crm_error *err);

/* Opens an output that belongs to the set (see crm_output_open). */
crm_status crm_output_set_open(crm_output_set *set, crm_output **out, const char *path, int gzip,
                               crm_error *err);

/* Renames every output of the set into place, in the order they were
 * opened, and fsyncs their directories.  Every output must have been
 * finished by crm_output_commit() first. */
crm_status crm_output_set_commit(crm_output_set *set, crm_error *err);

/* 1 when an output other than standard output met a closed pipe: the
 * command then ends as a write to a closed pipe does (SIGPIPE). */
int crm_output_set_closed_pipe(const crm_output_set *set);

/* SIGTERM, SIGINT and SIGHUP (unless ignored, as under nohup) remove every
 * temporary file of every open output and end the process with that signal
 * (exit status 128 + signal); the old files stay.  The handler only unlinks
 * names prepared beforehand and re-raises the signal. */
void crm_output_remove_on_signals(void);

#endif
