/* The tables of crm-ltv --validate: one row per model compared
 *   model, customers, actual_total, predicted_total (4 decimals), mae,
 *   rmse (6), loglik, bic (3), dropout
 * and the calibration-vs-holdout table by frequency (--by-frequency)
 *   model, x (0 .. 6, 7+), customers, actual_mean, predicted_mean (6).
 * Formats layer: uses the CSV core; never prints, never exits. */
#ifndef CRM_LTV_VALIDATE_FILE_H
#define CRM_LTV_VALIDATE_FILE_H

#include <stddef.h>

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/ltv_model_file.h"
#include "crm/ltv_models.h"
#include "crm/ltv_validate.h"

/* The verdict's word in the tables and the --report: "evident",
 * "at-edge", "not-significant", "no-repeats". */
const char *crm_ltv_dropout_key(crm_ltv_dropout_verdict verdict);

/* The validation table of the candidates that are ok.  The writer's status. */
crm_status crm_ltv_validate_file_write(crm_csv_writer *w, const crm_ltv_candidate *c, size_t n);

/* The by-frequency table of the candidates that are ok.  The writer's status. */
crm_status crm_ltv_validate_file_write_by_frequency(crm_csv_writer *w, const crm_ltv_candidate *c, size_t n);

/* Why --model auto chose c[best], in one line (with '\n'): the lowest
 * holdout MAE (by_mae) or BIC, and the others' figures. */
void crm_ltv_candidates_describe(char *buf, size_t size, const crm_ltv_candidate *c, size_t n, size_t best,
                                 int by_mae);

/* Fits every candidate model (crm_ltv_candidate_models; spec->model is
 * ignored) on t and, when t has holdout columns, validates it.  A model
 * that cannot be fitted is left out (ok 0) with a note given always;
 * CRM_EDATA when none could be fitted.  *n: the candidates in c. */
crm_status crm_ltv_validate_file_fit(const crm_ltv_fit_spec *spec, const crm_ltv_customers *t, crm_ltv_candidate *c,
                                     size_t *n, crm_error *err);

#endif
