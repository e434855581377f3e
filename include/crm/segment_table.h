/* The customers table as crm-segment reads and writes it: every row kept
 * whole (its fields written back byte for byte beside the labels), and
 * the columns the methods and the profile read resolved by name and
 * parsed into per-customer arrays: scores as whole numbers in 1..bins,
 * the value to date also as an exact decimal (for the profile's totals),
 * the k-means features, and so on.  A row without purchases (a prospect:
 * frequency empty) is read for --by lifecycle and loyalty only.
 *
 * A formats module over the CSV core and crm/customers_table.h: messages
 * name the file, line, column and value; it never prints or exits. */
#ifndef CRM_SEGMENT_TABLE_H
#define CRM_SEGMENT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/customers_table.h"
#include "crm/error.h"
#include "crm/number.h"
#include "crm/segment_method.h"
#include "crm/segment_model.h"
#include "crm/shard.h"

/* The columns a user can name, and the header names used when not named
 * (NULL: none, the column is looked for otherwise). */
typedef enum {
    CRM_SEGMENT_COL_R, CRM_SEGMENT_COL_F, CRM_SEGMENT_COL_M, CRM_SEGMENT_COL_VALUE,
    CRM_SEGMENT_COL_PREDICTED, CRM_SEGMENT_COL_TENURE, CRM_SEGMENT_COL_RECENCY,
    CRM_SEGMENT_COL_FREQUENCY, CRM_SEGMENT_COL_P_ALIVE, CRM_SEGMENT_COL_RECENT, CRM_SEGMENT_NCOLUMNS
} crm_segment_column;

enum { CRM_SEGMENT_MAX_FEATURES = 64 };

/* What to read. */
typedef struct {
    const crm_segment_by *by;        /* the methods, in --by order */
    size_t nby;
    const char *columns[CRM_SEGMENT_NCOLUMNS];   /* named by the user, or NULL */
    int no_predicted, no_p_alive;    /* do not look for clv / p_alive */
    int margin;                      /* --margin: refused beside a profit column */
    int profile;                     /* a profile is written: value, p_alive and features feed it */
    const char *features;            /* comma-separated, or NULL: recency_days,frequency,monetary */
    const char *order;               /* the feature that numbers the clusters, or NULL: the first */
    const crm_segment_model *model;  /* a saved model (its k-means features are read), or NULL */
    const char *model_file;          /* its name, for messages */
    int survey;                      /* a survey is joined on customer_id */
    int customer_id;                 /* 0: not read; 1: when present; 2: required */
    int bins;                        /* scores run 1..bins */
    const crm_shard *shard;          /* keep this shard's customers, or NULL (count 0): all */
} crm_segment_table_spec;

typedef struct {
    crm_segment_table_spec spec;
    crm_customers_rows *rows;
    long col[CRM_SEGMENT_NCOLUMNS];  /* resolved column, -1 when not read */
    long feature_col[CRM_SEGMENT_MAX_FEATURES];
    const char *feature_names[CRM_SEGMENT_MAX_FEATURES];
    size_t nfeatures, order_feature;
    int *r, *f, *m;
    double *value, *predicted, *tenure, *recency, *frequency, *p_alive, *recent;
    double *features;                /* n x nfeatures */
    crm_decimal *value_exact;        /* for the profile's exact totals */
    int value_is_exact;              /* every value read as an exact decimal */
    int value_scale;                 /* the most decimals of any value read (for the profile) */
    int value_is_profit;             /* the value column is named profit */
    size_t rows_cap;                 /* rows every array above has room for */
    long previous_col;               /* purchases_previous (crm-rfm --recent-window), or -1 */
    double *previous;
    unsigned char *prospect;         /* 1 for a row without purchases */
    size_t nprospects;
    long periods_col, gap_cv_col, id_col;   /* --by loyalty (id_col with a survey), or -1 */
    double *periods, *gap_cv;        /* gap_cv NaN where empty */
    double *subjective;              /* per row, NaN without an answer (crm_segment_table_set_subjective) */
    long customer_col;               /* customer_id, or -1 */
    unsigned char *at_cutoff_taken;  /* crm_segment_table_mark_cutoff_ties, or NULL */
} crm_segment_table;

/* Resolves the columns of spec in r's header (r stays the caller's).
 * Free t with crm_segment_table_free, also after a failure. */
crm_status crm_segment_table_open(crm_segment_table *t, const crm_csv_reader *r,
                                  const crm_segment_table_spec *spec, crm_error *err);
void crm_segment_table_free(crm_segment_table *t);

/* Reads every row of r.  A row that cannot be read goes to bad (NULL:
 * stop), which may skip it; progress (may be NULL) is told the rows kept
 * and the bytes read after each row. */
crm_status crm_segment_table_read(crm_segment_table *t, crm_csv_reader *r, crm_table_bad_row bad,
                                  void *bad_ctx, void (*progress)(void *ctx, uint64_t rows, uint64_t bytes),
                                  void *progress_ctx, crm_error *err);

size_t crm_segment_table_rows(const crm_segment_table *t);

/* The arrays for crm_segment_method_run (NULL where a column is not read). */
void crm_segment_table_data(const crm_segment_table *t, crm_segment_data *d);

/* Takes over subjective (one per row, NaN without an answer). */
void crm_segment_table_set_subjective(crm_segment_table *t, double *subjective);

/* A saved value model ranks the columns it was fitted on: CRM_EDATA unless
 * the value and predicted columns here have the same names. */
crm_status crm_segment_table_check_model(const crm_segment_table *t, const crm_csv_reader *r,
                                         const crm_segment_model *m, const char *model_file, crm_error *err);

/* Which customers tied at a saved MVC cut-off the whole table took: those
 * up to the saved customer, in customer_id byte order. */
crm_status crm_segment_table_mark_cutoff_ties(crm_segment_table *t, const char *last_customer, crm_error *err);

/* The value-tier part of a model fitted on this table (value result s). */
crm_status crm_segment_table_model_value(const crm_segment_table *t, const crm_csv_reader *r,
                                         const crm_segment_result *s, const crm_value_options *v,
                                         crm_segment_model *m, crm_error *err);

/* A method's "row N: " message names the input line instead; other data
 * errors name the input. */
void crm_segment_table_locate_error(const crm_segment_table *t, const char *input, crm_error *err);

/* The output column of each result ("segment" alone, else segment_<method>);
 * CRM_EDATA when the input has a column of that name already. */
crm_status crm_segment_table_name_columns(const crm_csv_reader *r, crm_segment_result *segs, size_t nsegs,
                                          crm_error *err);

/* Writes the table: the header and every row as read, then the segment
 * columns and, for loyalty, loyalty_score (2 decimals), loyalty_objective,
 * loyalty_subjective (4 decimals, empty without an answer), loyalty_survey. */
crm_status crm_segment_table_write(crm_csv_writer *w, const crm_csv_reader *r, const crm_segment_table *t,
                                   const crm_segment_result *segs, size_t nsegs);

#endif
