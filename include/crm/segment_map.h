/* The RFM segment map file of crm-segment --map: a CSV with a header row
 * and one rule per row, segment,r,f,m, each score a range "N", "N-M" or "*"
 * (crm_rfm_parse_range).  The columns are found by those names, else they
 * are the first four.  A formats module: reads and writes the file, never
 * prints. */
#ifndef CRM_SEGMENT_MAP_H
#define CRM_SEGMENT_MAP_H

#include <stddef.h>

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/segment.h"

/* Reads every rule of r for scores 1..bins into *rules (malloc'd, *count
 * rules; the caller frees it, also after a failure).  CRM_EDATA
 * "<file>:<line>: ..." for a bad row, a rule that overlaps an earlier one
 * (at the line of the later), or a map without rules. */
crm_status crm_segment_map_read(crm_csv_reader *r, int bins, crm_rfm_rule **rules, size_t *count,
                                crm_error *err);

/* Opens the file at path (default reader options) and reads it. */
crm_status crm_segment_map_load(const char *path, int bins, crm_rfm_rule **rules, size_t *count,
                                crm_error *err);

/* Writes count rules with their header (segment,r,f,m), each range as "N"
 * or "N-M", so that crm_segment_map_read gives them back. */
crm_status crm_segment_map_write(crm_csv_writer *w, const crm_rfm_rule *rules, size_t count);

#endif
