/* The LTV model file: a fitted purchase model (and Gamma-Gamma spend model)
 * as key,value CSV lines, so that a model fitted once scores later runs,
 * shards and other programs (crm-ltv --save-model / --model-file).
 *
 *   key,value
 *   format,crm-ltv model 1
 *   model,bgnbd                     (bgnbd, pnbd, mbgnbd, bgbb)
 *   unit,weeks                      (the unit of t_x and T it was fitted on)
 *   r,0.2426 / r.se,0.0126 ...      (the four parameters and their standard errors)
 *   loglik,... / n,...              (the fit's log-likelihood and customers)
 *   spend.p,... spend.q,... spend.gamma,... (their .se), spend.loglik, spend.n
 *   date,2026-01-31                 (the day of the fit)
 *
 * Numbers are written with the shortest text that reads back to the same
 * double, so a loaded model scores to the last bit as the fitted one.  A
 * parameter that has no meaning at the model's no-dropout edge is left out.
 * Also the --fit-only table (model, parameter, estimate, std_error).
 * Formats layer: uses the CSV core; never prints, never exits. */
#ifndef CRM_LTV_MODEL_FILE_H
#define CRM_LTV_MODEL_FILE_H

#include "crm/csv.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/ltv_customers_file.h"
#include "crm/ltv_models.h"
#include "crm/ltv_spend.h"
#include "crm/units.h"

typedef struct {
    crm_ltv_model model;
    crm_time_unit unit;
    double params[CRM_LTV_MAX_PARAMS], se[CRM_LTV_MAX_PARAMS];   /* NaN: not given */
    double loglik, n;
    int has_spend;                     /* the three spend parameters are set */
    double spend_params[3], spend_se[3], spend_loglik, spend_n;
    char date[CRM_DATE_ISO_MAX];       /* "" when unknown */
} crm_ltv_model_file;

/* The model's word in the file and in crm-ltv's tables: "bgnbd", "pnbd",
 * "mbgnbd", "bgbb". */
const char *crm_ltv_model_key(crm_ltv_model model);

/* f from a purchase fit (spend left out) dated today: the UTC day of
 * SOURCE_DATE_EPOCH when that is set (reproducible files), else the clock. */
void crm_ltv_model_file_from_fit(crm_ltv_model_file *f, crm_ltv_model model, crm_time_unit unit,
                                 const crm_ltv_fit_result *fit);
/* Adds the Gamma-Gamma fit. */
void crm_ltv_model_file_set_spend(crm_ltv_model_file *f, const crm_ltv_fit_result *spend);

/* Writes the file's lines to w; returns the writer's status (the caller
 * closes or aborts w). */
crm_status crm_ltv_model_file_write(crm_csv_writer *w, const crm_ltv_model_file *f);

/* Writes the file to path atomically (gzip when it ends in .gz). */
crm_status crm_ltv_model_file_save(const char *path, const crm_ltv_model_file *f, crm_error *err);

/* Reads path.  CRM_EDATA naming the file (and the line and value where a
 * line is bad): not key,value, a line with other than two fields, a number
 * that does not read, a missing key, a parameter that is not positive, a
 * no-dropout edge that is not one, Gamma-Gamma parameters without q > 1.
 * Unknown keys are ignored (files of later versions may add some). */
crm_status crm_ltv_model_file_load(const char *path, crm_ltv_model_file *f, crm_error *err);

/* The model fits data in `unit` (and is `model` when model_given):
 * CRM_EUSAGE for another model, CRM_EDATA for another unit, naming path. */
crm_status crm_ltv_model_file_check(const crm_ltv_model_file *f, const char *path, int model_given,
                                    crm_ltv_model model, crm_time_unit unit, crm_error *err);

/* The --fit-only table: model, parameter, estimate, std_error, one row per
 * parameter (spend ones as "Gamma-Gamma"); decimals < 0: the shortest
 * round-trip text; empty cells for unknown values.  The writer's status. */
crm_status crm_ltv_model_file_write_table(crm_csv_writer *w, const crm_ltv_model_file *f, int decimals);

/* ---- fitting a model file from a customers table ---- */

/* Receives the texts that explain a fit (lines ending in '\n', as
 * crm_ltv_fit_describe writes them); always: a text a run should show even
 * when told to be quiet (a model left out of a comparison). */
typedef void (*crm_ltv_note_fn)(void *ctx, int always, const char *text);

typedef struct {
    crm_ltv_model model;
    crm_time_unit unit;             /* of the table's t_x and T */
    crm_ltv_fit_options fit;        /* the purchase fit's; the spend fit takes its threads, no penalty */
    int with_spend;                 /* fit the Gamma-Gamma spend model too */
    crm_ltv_note_fn note;           /* NULL: no explanations */
    void *ctx;
} crm_ltv_fit_spec;

/* What the fits found, beside the model file: for run reports. */
typedef struct {
    crm_ltv_fit_diagnosis purchase;
    int has_spend;
    crm_ltv_spend_result spend;
} crm_ltv_fit_summary;

/* The purchase model spec->model fitted on t's customers
 * (crm_ltv_fit_advised), explained through spec->note.  Errors name t. */
crm_status crm_ltv_model_file_fit_purchase(const crm_ltv_fit_spec *spec, const crm_ltv_customers *t,
                                           crm_ltv_fit_diagnosis *diag, crm_error *err);

/* f from t: the purchase fit (or `given`, a fit already made, NULL to fit
 * here) and, with spec->with_spend, the Gamma-Gamma fit on t's repeat
 * buyers (t->spend_c when the customers are merged partials).  summary
 * may be NULL.  Errors name t. */
crm_status crm_ltv_model_file_fit(crm_ltv_model_file *f, const crm_ltv_fit_spec *spec, const crm_ltv_customers *t,
                                  const crm_ltv_fit_diagnosis *given, crm_ltv_fit_summary *summary, crm_error *err);

#endif
