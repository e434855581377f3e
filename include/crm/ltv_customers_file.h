/* The customers table as crm-ltv reads it and writes it back scored.
 *
 * Reading: the columns of the model summary (x, t_x, T, monetary_value),
 * the optional weight, profit, monetary and holdout columns, resolved by
 * header name (the defaults below) or by the names the caller gives; each
 * row's numbers read with file:line messages and checked for the purchase
 * model; every field of the row kept, so that the scores follow the input's
 * own columns unchanged.  A shard keeps only its customers; a partial
 * (crm/ltv_partial.h) receives every customer read.
 *
 * Writing: the input's columns, then p_alive, expected_purchases (6
 * decimals), expected_avg_value, clv (2 decimals; empty without a spend
 * model) and historic_value (the profit, when the table has it); or the
 * simple and historic methods' columns.
 *
 * Formats layer: uses the CSV core; never prints, never exits. */
#ifndef CRM_LTV_CUSTOMERS_FILE_H
#define CRM_LTV_CUSTOMERS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/customers_table.h"
#include "crm/error.h"
#include "crm/ltv.h"
#include "crm/ltv_models.h"
#include "crm/ltv_partial.h"
#include "crm/shard.h"

/* The columns crm-ltv knows: slots of crm_ltv_customers_spec.columns and
 * crm_ltv_customers.col.  The cohort method's transaction columns
 * (customer .. cost) are here too, so that every column has one name and
 * one option. */
typedef enum {
    CRM_LTV_COL_X, CRM_LTV_COL_T_X, CRM_LTV_COL_T, CRM_LTV_COL_MONETARY_VALUE, CRM_LTV_COL_WEIGHT,
    CRM_LTV_COL_PROFIT, CRM_LTV_COL_MONETARY, CRM_LTV_COL_CUSTOMER, CRM_LTV_COL_DATE, CRM_LTV_COL_AMOUNT,
    CRM_LTV_COL_INVOICE, CRM_LTV_COL_COST, CRM_LTV_COL_X_HOLDOUT, CRM_LTV_COL_DURATION_HOLDOUT,
    CRM_LTV_NCOLUMNS
} crm_ltv_column;

/* The default header name of a slot ("x", "t_x", "T", ..., NULL for the
 * weight, which has none) and the option that names it ("--x", "--t-x"),
 * for the message about a missing column. */
const char *crm_ltv_column_default(crm_ltv_column slot);
const char *crm_ltv_column_option(crm_ltv_column slot);

typedef struct {
    const char *columns[CRM_LTV_NCOLUMNS];  /* a header name or 1-based index; NULL: the default */
    unsigned required;                      /* bit 1u << slot: the column must be present (the
                                               duration_holdout column is whenever x_holdout is) */
    int summary;                            /* read x, t_x, T and check each row for `model` */
    crm_ltv_model model;
    int keep_rows;                          /* keep every field, for the writers below */
    crm_ltv_partial *partial;               /* NULL, or every customer read is added here */
    const crm_shard *shard;                 /* NULL or count 0: every customer */
} crm_ltv_customers_spec;

typedef struct {
    crm_ltv_customer *c;                    /* n customers (weight 1 unless a weight column) */
    uint64_t *lines;                        /* the input line of each */
    double *profit, *monetary;              /* NULL when the column is absent */
    double *x_holdout, *duration_holdout;   /* NULL when the columns are absent */
    size_t n, cap;
    crm_customers_table_store *rows;        /* keep_rows: every field of every row */
    size_t ncolumns;                        /* fields of the input's rows */
    long col[CRM_LTV_NCOLUMNS];             /* field of each slot, -1 when absent */
    char *input_name;                       /* for messages */
    double total_profit, total_monetary;    /* over the rows read */
    crm_ltv_customer *spend_c;              /* merged partials: the spend model's rows (else c) */
    size_t spend_n;
    double one_time;                        /* merged partials: customers with x = 0 */
} crm_ltv_customers;

/* Reads the rest of r (the caller closes it) into t, which the caller has
 * zeroed.  A row that cannot be read (broken quoting, the wrong number of
 * fields, a value that is not a number, a history the model refuses, a
 * holdout count that is not a whole number >= 0 or a negative duration)
 * goes to hooks->bad_row with a message naming the file, line and column;
 * a skipped row leaves nothing behind. */
crm_status crm_ltv_customers_read(crm_csv_reader *r, const crm_ltv_customers_spec *spec,
                                  const crm_customers_table_hooks *hooks, crm_ltv_customers *t, crm_error *err);
void crm_ltv_customers_free(crm_ltv_customers *t);

/* The scored table: r's header and the kept rows, then the predictions
 * p[0..t->n) (with_value 0: expected_avg_value and clv empty).  The
 * writer's status. */
crm_status crm_ltv_customers_write_scores(crm_csv_writer *w, const crm_csv_reader *r, const crm_ltv_customers *t,
                                          const crm_ltv_prediction *p, int with_value);

/* --method simple: purchases_per_year (x / T in years), expected_lifetime
 * (1 / churn) and clv (crm_ltv_simple_value of margin x purchases per year
 * x monetary_value); per_year is the number of the data's time units in a
 * year.  The writer's status. */
crm_status crm_ltv_customers_write_simple(crm_csv_writer *w, const crm_csv_reader *r, const crm_ltv_customers *t,
                                          double margin, double churn_per_year, double discount_per_year,
                                          double per_year);

/* --method historic: historic_value, the profit column, or without it
 * margin x monetary.  The writer's status. */
crm_status crm_ltv_customers_write_historic(crm_csv_writer *w, const crm_csv_reader *r,
                                            const crm_ltv_customers *t, double margin);

/* --margin profit: the table's total profit / total monetary (0 when
 * negative: a loss-making table has no future profit to discount).
 * CRM_EDATA naming the table without both columns or with a total
 * monetary that is not positive. */
crm_status crm_ltv_customers_profit_margin(const crm_ltv_customers *t, double *margin, crm_error *err);

#endif
