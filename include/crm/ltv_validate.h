/* Holdout validation of a purchase model (crm/ltv_models.h): a model fitted
 * on the calibration period predicts each customer's purchases in the
 * holdout period that follows, and the predictions are compared with the
 * purchases made.
 *
 * For customer i with calibration history (x, t_x, T), x_holdout purchases
 * in the holdout period and its length d (in the data's unit; crm-rfm
 * --calibration-end writes x_holdout and duration_holdout), the prediction
 * is the conditional expectation E[Y(d) | x, t_x, T]
 * (crm_ltv_expected_purchases), as Python lifetimes'
 * conditional_expected_number_of_purchases_up_to_time computes it.  With
 * weights w (customers a row stands for) and W = sum w:
 *
 *   actual_total = sum w x_holdout       predicted_total = sum w E
 *   mae  = sum w |x_holdout - E| / W     rmse = sqrt(sum w (x_holdout - E)^2 / W)
 *
 * and by calibration frequency (x = 0, 1, ..., CRM_LTV_VALIDATE_BINS - 2,
 * and CRM_LTV_VALIDATE_BINS - 1 or more in the last bin) the mean actual
 * and mean predicted holdout purchases: the table behind lifetimes'
 * plot_calibration_purchases_vs_holdout_purchases.
 *
 * Pure computation: no files, no printing, no exit. */
#ifndef CRM_LTV_VALIDATE_H
#define CRM_LTV_VALIDATE_H

#include <stddef.h>

#include "crm/error.h"
#include "crm/ltv_models.h"

enum { CRM_LTV_VALIDATE_BINS = 8 };   /* x = 0..6 and 7+ */

typedef struct {
    double customers;          /* W */
    double actual_total, predicted_total;
    double mae, rmse;
    double bin_customers[CRM_LTV_VALIDATE_BINS];        /* weight in each bin */
    double bin_actual_mean[CRM_LTV_VALIDATE_BINS];      /* NaN for an empty bin */
    double bin_predicted_mean[CRM_LTV_VALIDATE_BINS];
} crm_ltv_validation;

/* The figures above for n customers.  CRM_EDATA "customer row N: ..." for
 * a history the model refuses (crm_ltv_check_customer), a holdout count
 * that is not a whole number >= 0 or a duration that is not >= 0 (for
 * BG/BB not whole), a prediction that cannot be computed at params, or
 * no customers of positive weight. */
crm_status crm_ltv_validate(crm_ltv_model model, const double *params, const crm_ltv_customer *c,
                            const double *x_holdout, const double *duration_holdout, size_t n,
                            crm_ltv_validation *out, crm_error *err);

/* ---- choosing a model (crm-ltv --validate and --model auto) ---- */

enum { CRM_LTV_MAX_CANDIDATES = 4 };

typedef struct {
    crm_ltv_model model;
    int ok;                      /* fitted, and validated when there are holdout columns */
    crm_ltv_fit_diagnosis dg;    /* the fit */
    crm_ltv_validation val;      /* the holdout figures (when there are holdout columns) */
    double bic;                  /* crm_ltv_bic of dg.fit */
} crm_ltv_candidate;

/* The models worth comparing on these customers, into out (at most
 * CRM_LTV_MAX_CANDIDATES): bgnbd, mbgnbd, pnbd, and bgbb when the data are
 * discrete: not in days (in_days 0), and every row whole periods that BG/BB
 * accepts (duration_holdout, when not NULL, whole too).  The number. */
size_t crm_ltv_candidate_models(int in_days, const crm_ltv_customer *c, const double *duration_holdout, size_t n,
                                crm_ltv_model *out);

/* The Bayesian information criterion -2 LL + k log W of a fit with k the
 * parameters it estimated (4; 2 at the no-dropout edge; 0 without repeat
 * purchases) and W the customers' total weight. */
double crm_ltv_bic(const crm_ltv_fit_result *fit);

/* The candidate with the lowest holdout MAE (by_mae) or the lowest BIC,
 * among those ok; the first on a tie.  n when none is ok. */
size_t crm_ltv_best_candidate(const crm_ltv_candidate *c, size_t n, int by_mae);

#endif
