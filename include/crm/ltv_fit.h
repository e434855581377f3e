/* Maximum-likelihood fitting of a model with positive parameters, shared by
 * the purchase models (crm/ltv_models.h) and the spend model
 * (crm/ltv_spend.h).
 *
 * The parameters theta are optimised on the log scale, u = log(theta), so
 * that every point the optimiser tries is a valid parameter vector.  The
 * objective is the negative log-likelihood per customer,
 *
 *     F(u) = -LL(theta) / W + penalty * sum(theta_i^2),
 *
 * W being the total weight (number of customers).  The L2 penalty on the
 * natural parameters is the one Python's lifetimes calls penalizer_coef.
 * From each starting point GSL's BFGS (gsl_multimin_fdfminimizer_vector_bfgs2)
 * runs on F; the best end point is kept; when its gradient is not small,
 * Nelder-Mead (gsl_multimin_fminimizer_nmsimplex2) takes over from there and
 * BFGS polishes again.  The fit has converged when the gradient of F with
 * respect to u is below CRM_LTV_FIT_GRADIENT_TOL in every coordinate, the
 * Hessian there is positive definite (a proper maximum), no parameter has
 * run off to the edge of the parameter space (more than a factor
 * e^CRM_LTV_FIT_EDGE from its scale), and no standard error exceeds
 * CRM_LTV_FIT_MAX_RELATIVE_SE times its parameter.  The "maximum" of a
 * likelihood that the data cannot identify lies at zero or infinity, where
 * the likelihood flattens out: the gradient test alone would accept a point
 * on the way there.
 *
 * Standard errors are the square roots of the diagonal of the inverse of the
 * Hessian of the (penalised) negative log-likelihood -LL + W * penalty *
 * sum(theta^2) at the optimum, in the natural parameters, by central
 * differences (of the analytic gradient when the model has one, else of the
 * log-likelihood), inverted by Cholesky (gsl_linalg).
 *
 * Pure computation: no files, no printing, no exit. */
#ifndef CRM_LTV_FIT_H
#define CRM_LTV_FIT_H

#include <stddef.h>

#include "crm/error.h"

enum { CRM_LTV_MAX_PARAMS = 4 };

/* Largest |dF/du_i| at which a fit counts as converged. */
#define CRM_LTV_FIT_GRADIENT_TOL 1e-6
/* |log(theta_i / scale_i)| beyond which a fit has run off to the edge. */
#define CRM_LTV_FIT_EDGE 15.0
/* Largest standard error, relative to its parameter, of a converged fit:
 * beyond it the data do not determine the parameter even in order of
 * magnitude.  (CDNOW's least determined, Pareto/NBD's beta, has 0.53.) */
#define CRM_LTV_FIT_MAX_RELATIVE_SE 100.0

typedef struct {
    double penalty;   /* L2 penalty coefficient, >= 0; 0 (default) for none */
    int starts;       /* starting points to try, 1..the model's list; 0: default 3 */
    int max_iter;     /* iterations per optimiser run; 0: default 1000 */
    int threads;      /* threads a model may evaluate its likelihood on: 0 one per
                         core (at most 8), 1 none.  The result does not depend on it:
                         the threads compute independent terms, added up in one
                         fixed order. */
} crm_ltv_fit_options;

typedef struct {
    size_t nparams;
    double params[CRM_LTV_MAX_PARAMS];   /* the estimates, natural scale */
    double se[CRM_LTV_MAX_PARAMS];       /* standard errors; NaN when se_ok is 0 */
    double loglik;          /* log-likelihood at params (without the penalty) */
    double total_weight;    /* W: customers the likelihood is over */
    size_t rows;            /* distinct rows the likelihood was evaluated on */
    int iterations;         /* optimiser iterations, all runs together */
    int converged;          /* 1 when the fit converged (see above) */
    double gradient_max;    /* largest |dF/du_i| at params */
    int se_ok;              /* 1 when the Hessian was positive definite */
    int used_simplex;       /* 1 when the Nelder-Mead fallback ran */
} crm_ltv_fit_result;

/* The model's weighted log-likelihood at theta (natural scale, all > 0).
 * When gradient is not NULL (only for problems with has_gradient), also the
 * derivatives dLL/dtheta_i.  Returns a non-finite value where the
 * likelihood cannot be evaluated. */
typedef double (*crm_ltv_loglik_fn)(const double *theta, double *gradient, void *ctx);

typedef struct {
    const char *name;          /* "BG/NBD", for messages */
    size_t nparams;            /* 1..CRM_LTV_MAX_PARAMS */
    crm_ltv_loglik_fn loglik;
    int has_gradient;          /* 0: gradients by central differences */
    void *ctx;
    double total_weight;       /* W > 0 */
    const double *starts;      /* nstarts rows of nparams starting values, natural scale */
    size_t nstarts;
    const char *const *param_names;   /* for messages */
    const double *scales;      /* typical size of each parameter in the data's units (alpha
                                  is a time, gamma money); NULL for all 1 */
    /* Optional early stop at the edge of the parameter space, for a model
     * whose supremum there is a known limit model (crm/ltv_models.h): a run
     * of the optimiser stops as soon as it reaches a point where
     * running_to_edge(theta, grad_u, ctx) is 1 (the model's own test that
     * the point is next to the edge and the gradient grad_u of F in u
     * pushes it further out) and the log-likelihood is no higher than
     * edge_loglik, the limit's maximum.  On the way there the likelihood
     * only creeps up towards edge_loglik: following it gains nothing, and
     * the end point would be judged "ran off to the edge" anyway.  When the
     * best run stopped so, the fit returns that error at once.  Used only
     * without a penalty; NULL (or edge_loglik not finite) for none. */
    int (*running_to_edge)(const double *theta, const double *grad_u, void *ctx);
    double edge_loglik;
} crm_ltv_fit_problem;

void crm_ltv_fit_options_init(crm_ltv_fit_options *opts);

/* Checks the options: CRM_EUSAGE for a negative or non-finite penalty, or
 * negative starts, max_iter or threads. */
crm_status crm_ltv_fit_options_check(const crm_ltv_fit_options *opts, crm_error *err);

/* Maximises the likelihood.  Fills *res in every case where a finite
 * likelihood was found.  Returns CRM_EDATA when no starting point gives a
 * finite likelihood, or when the fit did not converge: res->converged is
 * then 0, res holds the best point found, and the message says why:
 *   "the BG/NBD fit did not converge after N iterations (largest gradient
 *    G at the best point found); the data may not identify the model"
 *   "the BG/NBD fit ran off to the edge of the parameter space (r = 6e-11):
 *    the data cannot identify the model"
 *   "the BG/NBD fit ended where the likelihood has no proper maximum (its
 *    Hessian is not positive definite): the data cannot identify the model"
 *   "the BG/NBD fit leaves a undetermined (a = 7.5e-07 with standard error
 *    0.00029): the data cannot identify the model"
 * (No remedy is suggested here: a penalty keeps parameters from running
 * off to infinity, not to 0, and does not apply to every model; the
 * caller advises one only after trying it.)
 * opts may be NULL for the defaults. */
crm_status crm_ltv_fit_maximize(const crm_ltv_fit_problem *prob, const crm_ltv_fit_options *opts,
                                crm_ltv_fit_result *res, crm_error *err);

#endif
