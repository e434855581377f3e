/* The raw export as crm-clean reads it, before and beside the cleaner:
 * the columns and conditions a user names, resolved against its header;
 * its first rows looked at for the width and the date format; and the
 * checks that several exports have one header.  Uses the CSV reader only;
 * never prints. */
#ifndef CRM_CLEAN_EXPORT_H
#define CRM_CLEAN_EXPORT_H

#include <stddef.h>

#include "crm/clean.h"
#include "crm/csv.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/report.h"

/* The schema columns named by the user (by header name or 1-based index,
 * crm_csv_column), in the order customer, invoice, date, product,
 * quantity, price, amount; NULL leaves a column as it is in cols. */
crm_status crm_clean_export_columns(const crm_csv_reader *r, const char *const specs[7],
                                    crm_clean_columns *cols, crm_error *err);

typedef enum {
    CRM_CLEAN_RANGE,     /* --range COL=MIN:MAX (either bound may be empty, not both) */
    CRM_CLEAN_KEEP_IF,   /* --keep-if COL=VALUE */
    CRM_CLEAN_DROP_IF    /* --drop-if COL=VALUE */
} crm_clean_condition_kind;

typedef struct {
    crm_clean_condition_kind kind;
    const char *arg;             /* as written: COL=MIN:MAX or COL=VALUE */
} crm_clean_condition;

/* A condition as written, its column resolved in r's header: fills *range
 * for CRM_CLEAN_RANGE, else *filter (whose value points into arg).
 * CRM_EUSAGE for a malformed one, the lookup's error for an unknown
 * column. */
crm_status crm_clean_export_condition(const crm_csv_reader *r, crm_clean_condition_kind kind,
                                      const char *arg, crm_clean_range *range,
                                      crm_clean_filter *filter, crm_error *err);

/* Looks at the first rows, at most max_rows of them (kept and replayed by
 * the reader, so that standard input works too): *first_width is the
 * field count of the first record that is not broken (0 when there is
 * none), and with detect the date format of date_column is decided
 * (crm_date_detector, prefer as there) into *format. */
crm_status crm_clean_export_look_ahead(crm_csv_reader *r, long date_column, int detect, int prefer,
                                       size_t max_rows, crm_date_format *format, size_t *first_width,
                                       crm_error *err);

/* What a user named for an export, resolved once its header is read. */
typedef struct {
    const char *columns[7];      /* as crm_clean_export_columns takes them */
    const crm_clean_condition *conditions;
    size_t nconditions;
    int detect_dates;            /* 0: cfg->date_format is set already */
    int prefer_dates;            /* for the detector (crm_date_detector_init) */
    size_t look_rows;            /* rows looked at, at most */
} crm_clean_export_spec;

/* All of the above for the first export r: cfg->columns from spec->columns
 * (the rest left to detection, whose repeated names are checked), the
 * conditions into ranges and filters (room for nconditions each; cfg
 * points at them), and the look-ahead (the date format into cfg). */
crm_status crm_clean_export_resolve(crm_csv_reader *r, const crm_clean_export_spec *spec,
                                    crm_clean_config *cfg, crm_clean_range *ranges,
                                    crm_clean_filter *filters, size_t *first_width, crm_error *err);

/* CRM_EDATA unless r has the same header fields as first (or both none). */
crm_status crm_clean_export_same_header(const crm_csv_reader *first, const crm_csv_reader *r,
                                        crm_error *err);

/* A schema column that detection left CRM_CLEAN_AMBIGUOUS because the
 * header repeats its name ("Quantity" twice) is CRM_EDATA with the shared
 * lookup's "appears twice" message; two different names that both fit
 * (CustomerID and "Customer ID") are left to the cleaner's message. */
crm_status crm_clean_export_repeated_names(const crm_csv_reader *r, const crm_clean_columns *detected,
                                           crm_error *err);

/* Pushes every record of r, input number `input` of the run
 * (crm_cleaner_set_input), to the cleaner (crm_cleaner_push), the
 * duplicate rule's memory asked for a few rows ahead (crm_csv_peek_raw).
 * For progress, *rows counts the records and *bytes the input bytes: what
 * r read is added to it at the end. */
crm_status crm_clean_export_push_all(crm_cleaner *c, crm_csv_reader *r, uint32_t input,
                                     crm_progress *progress, uint64_t *rows, uint64_t *bytes,
                                     crm_error *err);

/* The first reading of --returns net: every record to crm_cleaner_prescan. */
crm_status crm_clean_export_prescan_all(crm_cleaner *c, crm_csv_reader *r, crm_error *err);

/* The run's counts in a --report: rows_in, rows_out, rows_rejected and the
 * rejected rows by reason. */
void crm_clean_export_report(crm_report *rep, const crm_clean_counts *k);

/* Column names for input without a header, "#1", "#2", ... as the reader
 * names them in messages; NULL when out of memory. */
char **crm_clean_export_numbered_names(size_t n);
void crm_clean_export_free_names(char **names, size_t n);

#endif
