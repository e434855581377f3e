/* The report page: one self-contained HTML file (inline CSS and SVG, no
 * script, nothing fetched) drawn from the pipeline's tables.  Sections, each
 * written only when its columns are there:
 *
 *   headline   customers, revenue, repeat-purchase rate, top-20% share
 *   pareto     the Pareto (Lorenz) curve of monetary with the 80/20 point
 *   rfm-grid   r_score x f_score: customers per cell (value in the table)
 *   segments   customers and value share per segment column
 *              (segment, segment_rfm, segment_value, segment_lifecycle,
 *              segment_kmeans)
 *   attributes segment x each kept customer attribute (crm-rfm --keep)
 *   ltv        CLV histogram, top customers, P(alive) by x and t_x
 *   validation actual vs predicted totals per model (--validation)
 *   cohort     retention by cohort and period, cumulative LTV per customer
 *   rules      the top rules by lift, and cross-sell coverage when the
 *              transactions were given
 *
 * Every chart is a <figure> holding its SVG and the table of its numbers.
 * The page is a pure function of its inputs: no clock, no environment.
 * Never prints, never exits. */
#ifndef CRM_REPORT_PAGE_H
#define CRM_REPORT_PAGE_H

#include <stddef.h>

#include "crm/csv.h"
#include "crm/customers_table.h"
#include "crm/error.h"
#include "crm/output.h"

typedef enum {
    CRM_PAGE_CUSTOMERS = 0,
    CRM_PAGE_RULES,
    CRM_PAGE_COHORT,
    CRM_PAGE_VALIDATION,
    CRM_PAGE_NTABLES
} crm_report_page_table;

/* The columns the page reads from each table, for crm_customers_table_read,
 * and whether the table's other columns are kept (the customers table keeps
 * its attributes) with the known columns to leave out of them. */
typedef struct {
    const crm_table_column_spec *specs;
    size_t nspecs;
    int keep_other;
    const char *const *ignore;
} crm_report_page_columns;

void crm_report_page_columns_of(crm_report_page_table table, crm_report_page_columns *out);

typedef struct crm_report_page_cross_sell crm_report_page_cross_sell;

typedef struct {
    const char *title;      /* NULL: "Customer report" */
    const char *as_of;      /* shown under the title when set; NULL: no date anywhere */
    const crm_customers_table *tables[CRM_PAGE_NTABLES];   /* customers required, others NULL */
    const crm_report_page_cross_sell *cross_sell;          /* NULL without transactions */
} crm_report_page_input;

/* How many top rules the page shows (and cross-sell coverage counts). */
enum { CRM_REPORT_PAGE_TOP_RULES = 15 };

/* Cross-sell coverage of the top rules: for each, the customers who bought
 * every item of the antecedent and also the consequent, and those who
 * bought the antecedent but not yet the consequent (the offer's audience).
 * Reads the transactions (customer_id, product_id) once; memory grows with
 * the customers who bought an item of those rules. */
crm_status crm_report_page_cross_sell_read(crm_report_page_cross_sell **out, const crm_customers_table *rules,
                                           crm_csv_reader *transactions, crm_error *err);
void crm_report_page_cross_sell_free(crm_report_page_cross_sell *c);

/* Checks the tables for what the page needs beyond their columns (whole
 * periods, scores) and writes the page to out (not committed: the caller
 * commits).  Errors name the file and line. */
crm_status crm_report_page_write(const crm_report_page_input *in, crm_output *out, crm_error *err);

#endif
