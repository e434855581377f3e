/* The rejects file of crm-clean (--rejects): every row the cleaner
 * rejected, as
 *     file,line,reason,detail,<the row byte for byte>
 * under the header "file,line,reason,detail" followed by the input's own
 * header line.  The row is copied as read (line ending included, "\n" added
 * when it had none), so that its fields become the file's last columns and
 * a fixed row can be cut out and fed back.  Only the first four fields are
 * written by the CSV writer (quoted as RFC 4180 needs, and formula-escaped
 * when the writer is); the copied row is never changed.  Writes only;
 * never prints. */
#ifndef CRM_CLEAN_REJECTS_H
#define CRM_CLEAN_REJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "crm/clean.h"
#include "crm/csv.h"

/* input_header: the input's header record, or NULL without one (then the
 * header line is the four names alone). */
crm_status crm_clean_rejects_write_header(crm_csv_writer *w, const crm_csv_record *input_header);

/* One rejected row: input is the file it came from, as messages name it. */
crm_status crm_clean_rejects_write_row(crm_csv_writer *w, const char *input, uint64_t line,
                                       crm_clean_reason reason, const char *detail, const char *raw,
                                       size_t raw_len);

#endif
