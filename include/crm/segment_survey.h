/* The loyalty survey of crm-segment --by loyalty --survey FILE: a CSV with
 * customer_id and numeric score columns, one row per customer, an empty
 * cell for a question not answered.  Each score column has a scale: given
 * (COL=LO:HI, answers outside it are bad data) or else the lowest and
 * highest answer seen, which must differ.  A formats module: reads the
 * file, never prints. */
#ifndef CRM_SEGMENT_SURVEY_H
#define CRM_SEGMENT_SURVEY_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv.h"
#include "crm/customers_table.h"
#include "crm/error.h"
#include "crm/strtab.h"

enum { CRM_SURVEY_MAX_SCORES = 32 };

typedef struct {
    char name[128];
    double lo, hi;
} crm_survey_scale;

typedef struct {
    crm_strtab *ids;           /* customer -> survey row */
    uint64_t *lines;           /* per survey row: its input line */
    double *answers;           /* rows x nscores, NaN where empty */
    size_t nscores, nrows, answers_cap, lines_cap;
    double lo[CRM_SURVEY_MAX_SCORES], hi[CRM_SURVEY_MAX_SCORES];
    int scale_given[CRM_SURVEY_MAX_SCORES];
    long cols[CRM_SURVEY_MAX_SCORES];
    size_t matched;            /* survey rows whose customer crm_survey_subjective found */
} crm_survey;

/* Parses a scale written COL=LO:HI with LO below HI (CRM_EUSAGE otherwise). */
crm_status crm_survey_parse_scale(const char *text, crm_survey_scale *out, crm_error *err);

/* Parses one more scale into scales[*count] (room for
 * CRM_SURVEY_MAX_SCORES); CRM_EUSAGE when malformed, one too many, or a
 * column given twice. */
crm_status crm_survey_add_scale(crm_survey_scale *scales, size_t *count, const char *text, crm_error *err);

/* Reads the survey from r with the given scales (each must name a score
 * column).  A bad row goes to bad (NULL: stop), which may skip it.  Free v
 * with crm_survey_free, also after a failure. */
crm_status crm_survey_read(crm_survey *v, crm_csv_reader *r, const crm_survey_scale *scales, size_t nscales,
                           crm_table_bad_row bad, void *bad_ctx, crm_error *err);
void crm_survey_free(crm_survey *v);

/* The subjective value (crm_loyalty_subjective) of each of the n customers
 * whose ids rows holds in column id_col: NaN without an answer.  Counts
 * the survey rows matched. */
crm_status crm_survey_subjective(crm_survey *v, const crm_customers_rows *rows, long id_col, double **out,
                                 crm_error *err);

#endif
