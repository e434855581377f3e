/* The segment profile of crm-segment --profile: one row per segment of
 * each method (by, segment, customers, customer_share, value_total,
 * value_share, mean_<feature>..., mean_p_alive when the table has it);
 * with --group-by COL[,COL...] one row per segment and value tuple that
 * has customers (adding segment_share, the group's share of its segment);
 * with --crosstab BY:COL[:customers|value] a wide table, BY's segments
 * down, COL's values across, a total column and a total row.
 *
 * Numbers people read, one format per column: value_total (and the value
 * cells of a cross-tab) is the exact decimal sum of the values when every
 * value is an exact decimal, written with the most decimals any value has
 * (else the double sum with 2 decimals); shares, means and mean_p_alive
 * are rounded to CRM_SEGMENT_PROFILE_DIGITS significant digits, in fixed
 * notation without trailing zeros (crm_csv_write_readable; every digit with
 * --precision full).  A formats module: it writes to a CSV
 * writer the caller opened and closes; never prints. */
#ifndef CRM_SEGMENT_PROFILE_H
#define CRM_SEGMENT_PROFILE_H

#include <stddef.h>

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/segment_method.h"
#include "crm/segment_table.h"

enum { CRM_SEGMENT_PROFILE_DIGITS = CRM_CSV_READABLE_DIGITS };

typedef struct {
    const char *group_by;          /* COL[,COL...], or NULL */
    const char *crosstab;          /* BY:COL[:customers|value] as given, or NULL */
    crm_segment_by crosstab_by;    /* its parts (crm_segment_profile_parse_crosstab) */
    char crosstab_column[256];
    int crosstab_cells_value;      /* 1: value in the cells, 0: customers */
} crm_segment_profile_spec;

/* Parses BY:COL[:customers|value] into p (CRM_EUSAGE when malformed). */
crm_status crm_segment_profile_parse_crosstab(const char *arg, crm_segment_profile_spec *p, crm_error *err);

/* Writes the profile of the nsegs methods over table t, which r read
 * (its header names the group-by columns).  An unknown group-by column is
 * CRM_EDATA naming the input and its columns; a cross-tab of value without
 * a value column is CRM_EUSAGE; a failed write CRM_EIO. */
crm_status crm_segment_profile_write(crm_csv_writer *w, const crm_csv_reader *r, const crm_segment_table *t,
                                     const crm_segment_result *segs, size_t nsegs,
                                     const crm_segment_profile_spec *spec, crm_error *err);

#endif
