/* The customers table (crm-rfm, crm-ltv and crm-segment write it) read into
 * memory by column: columns resolved by header name once, number columns
 * parsed into doubles with file:line messages, text columns interned (a
 * column of countries holds each country once), and every other column of
 * the file kept as text when asked, so a reader can carry customer
 * attributes it does not know (crm-rfm --keep) through to its output.
 *
 * The same reader serves the pipeline's other tables that a program wants
 * whole (rules, cohort tables, validation tables): they are small, and they
 * need the same resolution and the same messages.  Memory: 8 bytes per row
 * per number column and 4 per text column, plus each distinct text once.
 * Never prints, never exits. */
#ifndef CRM_CUSTOMERS_TABLE_H
#define CRM_CUSTOMERS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/error.h"

typedef enum { CRM_TABLE_NUMBER, CRM_TABLE_TEXT } crm_table_type;

/* A column the caller wants.  A required column that is missing is
 * CRM_EDATA naming the file and the header; an optional one is just
 * absent.  Number cells that are empty read as NAN; a cell that is not a
 * number is CRM_EDATA: "<file>:<line>: column '<name>': cannot read '<v>'
 * as a number".  "inf" and "-inf" are read (crm-basket writes an infinite
 * conviction). */
typedef struct {
    const char *name;
    crm_table_type type;
    int required;
} crm_table_column_spec;

typedef struct crm_customers_table crm_customers_table;

/* Reads the whole of r (which stays the caller's to close).  specs[i]
 * becomes column i of the table; with keep_other every header column not
 * named in specs nor in ignore (NULL-ended, may be NULL) follows, as text,
 * in file order. */
crm_status crm_customers_table_read(crm_customers_table **out, crm_csv_reader *r,
                                    const crm_table_column_spec *specs, size_t nspecs, int keep_other,
                                    const char *const *ignore, crm_error *err);
void crm_customers_table_free(crm_customers_table *t);

size_t crm_customers_table_rows(const crm_customers_table *t);
/* Columns: the specs first (present or not), then the kept ones. */
size_t crm_customers_table_columns(const crm_customers_table *t);
/* 1 when column i was in the file. */
int crm_customers_table_has(const crm_customers_table *t, size_t column);
/* The column's name as the header wrote it (the spec's name when absent). */
const char *crm_customers_table_name(const crm_customers_table *t, size_t column);
/* Index of the column named name (specs and kept), or -1. */
long crm_customers_table_find(const crm_customers_table *t, const char *name);
/* A number column's values (NULL for a text or absent column). */
const double *crm_customers_table_numbers(const crm_customers_table *t, size_t column);
/* A text column: the per-row ids of the distinct values, the number of
 * distinct values, and the text of one id.  NULL / 0 when not text or absent. */
const uint32_t *crm_customers_table_ids(const crm_customers_table *t, size_t column);
size_t crm_customers_table_distinct(const crm_customers_table *t, size_t column);
const char *crm_customers_table_value(const crm_customers_table *t, size_t column, uint32_t id);
/* The text of a row's cell ("" when absent or a number column). */
const char *crm_customers_table_text(const crm_customers_table *t, size_t column, size_t row);
/* The input line a row came from, for messages about it. */
uint64_t crm_customers_table_line(const crm_customers_table *t, size_t row);
/* The name of the input, for messages. */
const char *crm_customers_table_input(const crm_customers_table *t);

/* ---- row by row, for readers that stream the table ----
 *
 * A command that scores a table row after row (crm-ltv) resolves its
 * columns once, reads the cells it needs as numbers, and keeps every field
 * of the rows to write them back unchanged in front of the columns it adds. */

/* Hooks of a row-by-row reader.  bad_row is called with the message of a
 * row that cannot be read: it returns CRM_OK to skip the row (and keeps
 * count), or a status to stop with; NULL stops at the first bad row.
 * progress (may be NULL) is called after each row. */
typedef struct {
    crm_status (*bad_row)(void *ctx, crm_error *err);
    void (*progress)(void *ctx, uint64_t rows, uint64_t bytes);
    void *ctx;
} crm_customers_table_hooks;

/* Resolves a column: `given` (a header name or a 1-based index the user
 * named) must exist; without it default_name (may be NULL) is looked up.
 * *out is -1 when absent; a required column that is absent is CRM_EDATA
 * "<file>: no column '<default_name>'; name it with <option> COL" and a
 * hint listing the header. */
crm_status crm_customers_table_column(const crm_csv_reader *r, const char *given, const char *default_name,
                                      const char *option, int required, long *out, crm_error *err);

/* Field col of rec as a finite number; CRM_EDATA "<file>:<line>: column
 * '<name>': cannot read '<v>' as a number" otherwise (empty included). */
crm_status crm_customers_table_cell(const crm_csv_reader *r, const crm_csv_record *rec, long col, double *out,
                                    crm_error *err);

/* Whole rows kept for pass-through: every field's bytes in one buffer. */
typedef struct crm_customers_table_store crm_customers_table_store;

crm_customers_table_store *crm_customers_table_store_new(void);
void crm_customers_table_store_free(crm_customers_table_store *s);
/* Appends rec's fields.  Every row must have as many fields as the first
 * (crm_csv_check_width first): CRM_EDATA otherwise. */
crm_status crm_customers_table_store_add(crm_customers_table_store *s, const crm_csv_record *rec,
                                         crm_error *err);
size_t crm_customers_table_store_rows(const crm_customers_table_store *s);
/* Writes the fields of row (0-based) to w without ending the row, so that
 * the caller's columns follow.  The writer's status. */
crm_status crm_customers_table_store_write(crm_csv_writer *w, const crm_customers_table_store *s, size_t row);

/* The header of such an output: r's first ncolumns column names, then
 * added[0..nadded), and the end of the row. */
crm_status crm_customers_table_write_header(crm_csv_writer *w, const crm_csv_reader *r, size_t ncolumns,
                                            const char *const *added, size_t nadded);

/* ---- rows kept whole, for commands that write the table again ----
 *
 * crm-segment writes every input field back byte for byte beside its
 * labels: crm_customers_rows keeps each record's fields back to back (4
 * bytes of length per field, plus the bytes), in input order, with the
 * input line of each row for messages. */
typedef struct crm_customers_rows crm_customers_rows;

/* A store for records of ncols fields (0: set later with
 * crm_customers_rows_set_width, e.g. by the first row of a headerless
 * input).  NULL when out of memory. */
crm_customers_rows *crm_customers_rows_new(size_t ncols);
void crm_customers_rows_free(crm_customers_rows *t);
void crm_customers_rows_set_width(crm_customers_rows *t, size_t ncols);
size_t crm_customers_rows_width(const crm_customers_rows *t);
size_t crm_customers_rows_count(const crm_customers_rows *t);
/* Keeps the first width fields of rec (which has at least that many). */
crm_status crm_customers_rows_add(crm_customers_rows *t, const crm_csv_record *rec, crm_error *err);
/* The field of row i in column col (*len bytes, not NUL-terminated). */
const char *crm_customers_rows_field(const crm_customers_rows *t, size_t i, size_t col, size_t *len);
/* The input line of each row (count entries). */
const uint64_t *crm_customers_rows_lines(const crm_customers_rows *t);
/* Writes the fields of row i to w (the caller ends the row). */
crm_status crm_customers_rows_write(const crm_customers_rows *t, size_t i, crm_csv_writer *w);

/* A column the user named (given: must exist) or else its default header
 * name fallback (used when present, or required when required is 1; NULL:
 * no default).  *col is -1 when the column is not used. */
crm_status crm_customers_table_resolve(const crm_csv_reader *r, const char *given, const char *fallback,
                                       int required, long *col, crm_error *err);

/* A finite number from field col of rec, or CRM_EDATA "<file>:<line>:
 * column '<name>': cannot read '<v>' as a number". */
crm_status crm_customers_table_parse_number(const crm_csv_reader *r, const crm_csv_record *rec, long col,
                                            double *out, crm_error *err);

/* What a reader does with a row it cannot read: err says what is wrong;
 * return CRM_OK (err cleared) to skip it, or a status to stop with. */
typedef crm_status (*crm_table_bad_row)(void *ctx, crm_error *err);

#endif
