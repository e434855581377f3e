/* Byte input: a file, standard input or a memory buffer, decompressed when
 * it is gzip (recognised by its magic bytes, also on a pipe) and converted to
 * UTF-8 when another encoding is named.  Everything above this module sees
 * plain UTF-8 bytes.  Knows nothing of CSV or of CRM. */
#ifndef CRM_INPUT_H
#define CRM_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"

typedef struct crm_input crm_input;

/* path NULL or "-" reads standard input.  encoding NULL, "", "utf-8" or
 * "utf8" means no conversion, unless the input starts with a UTF-16 or
 * UTF-32 byte order mark (then it is converted from that); otherwise any
 * name iconv knows (gbk, gb18030, big5, latin1, ...).  An unknown encoding
 * is CRM_EUSAGE. */
crm_status crm_input_open(crm_input **out, const char *path, const char *encoding, crm_error *err);

/* Reads from an already open descriptor (not closed by crm_input_close). */
crm_status crm_input_open_fd(crm_input **out, int fd, const char *display_name,
                             const char *encoding, crm_error *err);

/* Copies a stream that cannot be read twice (path NULL or "-": standard
 * input; or a FIFO) into a temporary file, removed at once so that nothing
 * is left behind whatever ends the process, and returns its descriptor
 * (the caller closes it), at offset 0.  The bytes are copied as they are
 * (gzip stays gzip).  The file goes to $TMPDIR, else /tmp. */
crm_status crm_input_spool(const char *path, int *fd, crm_error *err);

/* 1 when path names something that can be read twice (a regular file). */
int crm_input_rereadable(const char *path);

/* Reads from memory (not copied: data must outlive the input).  Used by the
 * fuzz targets and the unit tests. */
crm_status crm_input_open_memory(crm_input **out, const void *data, size_t len,
                                 const char *display_name, const char *encoding, crm_error *err);

/* Reads up to cap bytes of decoded input into buf; *got is 0 only at the end.
 * A truncated gzip stream, a read error or bytes invalid in the named
 * encoding are errors that name the input. */
crm_status crm_input_read(crm_input *in, void *buf, size_t cap, size_t *got, crm_error *err);

/* The name used in messages: the path, or "<stdin>". */
const char *crm_input_name(const crm_input *in);

/* Bytes taken from the underlying file so far (compressed bytes for gzip),
 * for progress reports. */
uint64_t crm_input_raw_bytes(const crm_input *in);

/* 1 when the input was recognised as gzip. */
int crm_input_is_gzip(const crm_input *in);

void crm_input_close(crm_input *in);

#endif
