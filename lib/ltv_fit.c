#include "crm/ltv_fit.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

enum { DEFAULT_STARTS = 3, DEFAULT_MAX_ITER = 1000, NEWTON_STEPS = 8 };

/* Gradient at which BFGS stops: when comparing starting points, and
 * before the Newton steps. */
#define SCREENING_TOL 1e-4
#define POLISH_TOL 1e-8

/* |u| beyond this (theta outside about 4e-18 .. 2e17) is treated as outside
 * the model: the likelihoods lose all precision there long before. */
#define LOG_PARAM_LIMIT 40.0
/* Objective value outside the model.  A finite wall, rising away from the
 * origin, keeps BFGS's line search interpolating finite numbers. */
#define OUTSIDE_WALL 1e10
/* Step in u for gradients by central differences of F: relative 1e-5 in
 * theta balances truncation (h^2) against rounding (eps / h). */
#define GRADIENT_STEP 1e-5
/* Steps in u for Hessians: of the gradient, and of F itself (eps^(1/4)). */
#define HESSIAN_STEP_FROM_GRADIENT 1e-5
#define HESSIAN_STEP_FROM_VALUES 1e-4

typedef struct {
    const crm_ltv_fit_problem *prob;
    double penalty;
    /* The last point evaluated with its gradient: GSL's BFGS often asks for
     * F and then for the gradient at the same point. */
    int cached;
    double cache_u[CRM_LTV_MAX_PARAMS], cache_f, cache_g[CRM_LTV_MAX_PARAMS];
    int edge_stop;   /* the early stop of crm_ltv_fit_problem applies */
} objective;

void crm_ltv_fit_options_init(crm_ltv_fit_options *opts)
{
    opts->penalty = 0.0;
    opts->starts = 0;
    opts->max_iter = 0;
    opts->threads = 0;
}

crm_status crm_ltv_fit_options_check(const crm_ltv_fit_options *opts, crm_error *err)
{
    if (!(opts->penalty >= 0.0) || !isfinite(opts->penalty))
        return crm_error_set(err, CRM_EUSAGE,
                             "the penalty must be a finite number >= 0, not %g", opts->penalty);
    if (opts->starts < 0)
        return crm_error_set(err, CRM_EUSAGE, "the number of starting points must be >= 0, not %d",
                             opts->starts);
    if (opts->max_iter < 0)
        return crm_error_set(err, CRM_EUSAGE, "the iteration limit must be >= 0, not %d",
                             opts->max_iter);
    if (opts->threads < 0)
        return crm_error_set(err, CRM_EUSAGE, "the number of threads must be >= 0, not %d",
                             opts->threads);
    return CRM_OK;
}

static int inside_model(const double *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(u[i]) || fabs(u[i]) > LOG_PARAM_LIMIT)
            return 0;
    return 1;
}

static double wall_value(const double *u, size_t n, double *grad)
{
    double f = OUTSIDE_WALL;
    for (size_t i = 0; i < n; i++) {
        double ui = isfinite(u[i]) ? u[i] : LOG_PARAM_LIMIT;
        f += OUTSIDE_WALL * ui * ui;
        if (grad)
            grad[i] = 2.0 * OUTSIDE_WALL * ui;
    }
    return f;
}

/* F(u) without gradient. */
static double objective_value(const objective *obj, const double *u)
{
    const crm_ltv_fit_problem *p = obj->prob;
    double theta[CRM_LTV_MAX_PARAMS];
    if (!inside_model(u, p->nparams))
        return wall_value(u, p->nparams, NULL);
    double pen = 0.0;
    for (size_t i = 0; i < p->nparams; i++) {
        theta[i] = exp(u[i]);
        pen += theta[i] * theta[i];
    }
    double ll = p->loglik(theta, NULL, p->ctx);
    if (!isfinite(ll))
        return wall_value(u, p->nparams, NULL);
    return -ll / p->total_weight + obj->penalty * pen;
}

/* F(u) and dF/du: analytic when the model has it, else central differences. */
static double objective_with_gradient(const objective *obj, const double *u, double *grad)
{
    const crm_ltv_fit_problem *p = obj->prob;
    size_t n = p->nparams;
    if (!inside_model(u, n))
        return wall_value(u, n, grad);
    if (p->has_gradient) {
        double theta[CRM_LTV_MAX_PARAMS] = {0}, g[CRM_LTV_MAX_PARAMS] = {0};
        double pen = 0.0;
        for (size_t i = 0; i < n; i++) {
            theta[i] = exp(u[i]);
            pen += theta[i] * theta[i];
        }
        double ll = p->loglik(theta, g, p->ctx);
        int finite = isfinite(ll);
        for (size_t i = 0; i < n; i++)
            finite = finite && isfinite(g[i]);
        if (!finite)
            return wall_value(u, n, grad);
        for (size_t i = 0; i < n; i++)
            grad[i] = theta[i] * (-g[i] / p->total_weight + 2.0 * obj->penalty * theta[i]);
        return -ll / p->total_weight + obj->penalty * pen;
    }
    double f = objective_value(obj, u);
    if (f >= OUTSIDE_WALL)
        return wall_value(u, n, grad);
    double v[CRM_LTV_MAX_PARAMS];
    memcpy(v, u, n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = u[i] + GRADIENT_STEP;
        double fp = objective_value(obj, v);
        v[i] = u[i] - GRADIENT_STEP;
        double fm = objective_value(obj, v);
        v[i] = u[i];
        if (fp >= OUTSIDE_WALL || fm >= OUTSIDE_WALL)
            return wall_value(u, n, grad);
        grad[i] = (fp - fm) / (2.0 * GRADIENT_STEP);
    }
    return f;
}

/* ---- GSL callbacks ---- */

static int cache_hit(const objective *obj, const double *u)
{
    return obj->cached && memcmp(obj->cache_u, u, obj->prob->nparams * sizeof *u) == 0;
}

/* F and gradient at u through the cache. */
static double cached_with_gradient(objective *obj, const double *u, double *grad)
{
    size_t n = obj->prob->nparams;
    if (!cache_hit(obj, u)) {
        obj->cache_f = objective_with_gradient(obj, u, obj->cache_g);
        memcpy(obj->cache_u, u, n * sizeof *u);
        obj->cached = 1;
    }
    if (grad)
        memcpy(grad, obj->cache_g, n * sizeof *grad);
    return obj->cache_f;
}

static double gsl_f(const gsl_vector *x, void *params)
{
    objective *obj = params;
    /* With an analytic gradient the value costs as much as both. */
    if (obj->prob->has_gradient || cache_hit(obj, x->data))
        return cached_with_gradient(obj, x->data, NULL);
    return objective_value(obj, x->data);
}

static void gsl_df(const gsl_vector *x, void *params, gsl_vector *g)
{
    cached_with_gradient(params, x->data, g->data);
}

static void gsl_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
    *f = cached_with_gradient(params, x->data, g->data);
}

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(v[i]);
        if (!(a <= m))
            m = a;   /* NaN propagates as the maximum */
    }
    return m;
}

/* 1 when the run is at u (F = f, gradient g) running to the edge with no
 * gain over the limit (crm_ltv_fit_problem.running_to_edge). */
static int stopped_at_edge(const objective *obj, const double *u, double f, const double *g)
{
    const crm_ltv_fit_problem *p = obj->prob;
    if (!obj->edge_stop || !inside_model(u, p->nparams) || !(-f * p->total_weight <= p->edge_loglik))
        return 0;
    double theta[CRM_LTV_MAX_PARAMS];
    for (size_t i = 0; i < p->nparams; i++)
        theta[i] = exp(u[i]);
    return p->running_to_edge(theta, g, p->ctx);
}

/* Runs BFGS from u (updated in place) until the largest gradient
 * component is below tol, no progress is possible, max_iter, or the run
 * stops at the edge (*at_edge = 1; at_edge may be NULL).  Returns F at u. */
static double run_bfgs(objective *obj, double *u, double tol, int max_iter, int *iterations,
                       int *at_edge)
{
    if (at_edge)
        *at_edge = 0;
    size_t n = obj->prob->nparams;
    gsl_multimin_function_fdf fn = {gsl_f, gsl_df, gsl_fdf, n, obj};
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
    gsl_vector_view start = gsl_vector_view_array(u, n);
    double f = GSL_POSINF;
    if (!s)
        return f;
    /* First step 0.1 in log scale; line search tolerance 0.1 as GSL
     * recommends for bfgs2. */
    if (gsl_multimin_fdfminimizer_set(s, &fn, &start.vector, 0.1, 0.1) == GSL_SUCCESS) {
        int edge = stopped_at_edge(obj, s->x->data, s->f, s->gradient->data);
        for (int it = 0; it < max_iter && !edge; it++) {
            (*iterations)++;
            if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
                break;
            if (max_abs(s->gradient->data, n) < tol)
                break;
            edge = stopped_at_edge(obj, s->x->data, s->f, s->gradient->data);
        }
        if (at_edge)
            *at_edge = edge;
        const gsl_vector *x = gsl_multimin_fdfminimizer_x(s);
        f = gsl_multimin_fdfminimizer_minimum(s);
        memcpy(u, x->data, n * sizeof *u);
    }
    gsl_multimin_fdfminimizer_free(s);
    return f;
}

/* Nelder-Mead from u (updated in place), for when BFGS stalls. */
static void run_simplex(objective *obj, double *u, int max_iter, int *iterations)
{
    size_t n = obj->prob->nparams;
    gsl_multimin_function fn = {gsl_f, n, obj};
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n);
    if (!s)
        return;
    gsl_vector_view start = gsl_vector_view_array(u, n);
    gsl_vector *step = gsl_vector_alloc(n);
    if (step) {
        gsl_vector_set_all(step, 0.5);
        if (gsl_multimin_fminimizer_set(s, &fn, &start.vector, step) == GSL_SUCCESS) {
            for (int it = 0; it < max_iter; it++) {
                (*iterations)++;
                if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
                    break;
                if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-10) == GSL_SUCCESS)
                    break;
            }
            memcpy(u, gsl_multimin_fminimizer_x(s)->data, n * sizeof *u);
        }
        gsl_vector_free(step);
    }
    gsl_multimin_fminimizer_free(s);
}

/* Hessian of F in u at u (n x n, row-major), from the gradient when the
 * model has an analytic one, else from values.  Returns 0 when a value
 * outside the model was met. */
static int hessian_in_u(const objective *obj, const double *u, double *h)
{
    size_t n = obj->prob->nparams;
    double v[CRM_LTV_MAX_PARAMS];
    memcpy(v, u, n * sizeof *v);
    if (obj->prob->has_gradient) {
        const double step = HESSIAN_STEP_FROM_GRADIENT;
        double gp[CRM_LTV_MAX_PARAMS], gm[CRM_LTV_MAX_PARAMS];
        for (size_t j = 0; j < n; j++) {
            v[j] = u[j] + step;
            double fp = objective_with_gradient(obj, v, gp);
            v[j] = u[j] - step;
            double fm = objective_with_gradient(obj, v, gm);
            v[j] = u[j];
            if (fp >= OUTSIDE_WALL || fm >= OUTSIDE_WALL)
                return 0;
            for (size_t i = 0; i < n; i++)
                h[i * n + j] = (gp[i] - gm[i]) / (2.0 * step);
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++) {
                double m = 0.5 * (h[i * n + j] + h[j * n + i]);
                h[i * n + j] = h[j * n + i] = m;
            }
        return 1;
    }
    const double step = HESSIAN_STEP_FROM_VALUES;
    double f0 = objective_value(obj, u);
    if (f0 >= OUTSIDE_WALL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = u[i] + step;
        double fp = objective_value(obj, v);
        v[i] = u[i] - step;
        double fm = objective_value(obj, v);
        v[i] = u[i];
        if (fp >= OUTSIDE_WALL || fm >= OUTSIDE_WALL)
            return 0;
        h[i * n + i] = (fp - 2.0 * f0 + fm) / (step * step);
        for (size_t j = 0; j < i; j++) {
            double f4[4];
            const double si[4] = {1, 1, -1, -1}, sj[4] = {1, -1, 1, -1};
            for (int k = 0; k < 4; k++) {
                v[i] = u[i] + si[k] * step;
                v[j] = u[j] + sj[k] * step;
                f4[k] = objective_value(obj, v);
                if (f4[k] >= OUTSIDE_WALL)
                    return 0;
            }
            v[i] = u[i];
            v[j] = u[j];
            h[i * n + j] = h[j * n + i] = (f4[0] - f4[1] - f4[2] + f4[3]) / (4.0 * step * step);
        }
    }
    return 1;
}

/* Cholesky factorisation of the n x n matrix a (copied); on success solves
 * a x = b into x (when b) and/or writes the inverse into inv (when inv). */
static int cholesky_solve_invert(const double *a, size_t n, const double *b, double *x,
                                 double *inv)
{
    gsl_matrix *m = gsl_matrix_alloc(n, n);
    if (!m)
        return 0;
    memcpy(m->data, a, n * n * sizeof *a);
    int ok = gsl_linalg_cholesky_decomp1(m) == GSL_SUCCESS;
    if (ok && b) {
        gsl_vector_const_view bv = gsl_vector_const_view_array(b, n);
        gsl_vector_view xv = gsl_vector_view_array(x, n);
        ok = gsl_linalg_cholesky_solve(m, &bv.vector, &xv.vector) == GSL_SUCCESS;
    }
    if (ok && inv) {
        ok = gsl_linalg_cholesky_invert(m) == GSL_SUCCESS;
        if (ok)
            memcpy(inv, m->data, n * n * sizeof *inv);
    }
    gsl_matrix_free(m);
    return ok;
}

/* Newton steps take the BFGS end point to the optimum within rounding:
 * BFGS stops with a small gradient, which on flat ridges (Pareto/NBD's
 * beta) still leaves the parameters off in the fourth digit.  The Hessian
 * is computed once, at the start, and kept (a chord method: each further
 * step costs one gradient); it is returned in h for the standard errors,
 * the point moving by far less than the Hessian's own precision.  A step is
 * kept only if F does not get worse.  Returns 0 when the Hessian could not
 * be computed or is not positive definite (no proper maximum). */
static int newton_polish(const objective *obj, double *u, double *f, double *h)
{
    size_t n = obj->prob->nparams;
    double g[CRM_LTV_MAX_PARAMS], step[CRM_LTV_MAX_PARAMS], v[CRM_LTV_MAX_PARAMS];
    if (!hessian_in_u(obj, u, h))
        return 0;
    objective_with_gradient(obj, u, g);
    for (int it = 0; it < NEWTON_STEPS; it++) {
        if (!cholesky_solve_invert(h, n, g, step, NULL))
            return 0;
        for (size_t i = 0; i < n; i++)
            v[i] = u[i] - step[i];
        double gv[CRM_LTV_MAX_PARAMS];
        double fv = objective_with_gradient(obj, v, gv);
        if (!(fv <= *f))
            break;
        memcpy(u, v, n * sizeof *u);
        memcpy(g, gv, n * sizeof *g);
        *f = fv;
        if (max_abs(step, n) < 1e-12)
            break;
    }
    return 1;
}

/* Standard errors from h, the Hessian of F in u at u. */
static int standard_errors_from_hessian(const objective *obj, const double *u, const double *h_u,
                                        double *se)
{
    const crm_ltv_fit_problem *p = obj->prob;
    size_t n = p->nparams;
    double h[CRM_LTV_MAX_PARAMS * CRM_LTV_MAX_PARAMS], inv[CRM_LTV_MAX_PARAMS * CRM_LTV_MAX_PARAMS];
    double g[CRM_LTV_MAX_PARAMS], theta[CRM_LTV_MAX_PARAMS];
    for (size_t i = 0; i < n; i++) {
        se[i] = NAN;
        theta[i] = exp(u[i]);
    }
    objective_with_gradient(obj, u, g);
    /* From u to theta: d2F/du_i du_j = theta_i theta_j d2F/dtheta_i dtheta_j
     * + [i == j] theta_i dF/dtheta_i, and the likelihood is W times F. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double hij = h_u[i * n + j] - (i == j ? g[i] : 0.0);
            h[i * n + j] = p->total_weight * hij / (theta[i] * theta[j]);
        }
    if (!cholesky_solve_invert(h, n, NULL, NULL, inv))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!(inv[i * n + i] > 0.0))
            return 0;
    }
    for (size_t i = 0; i < n; i++)
        se[i] = sqrt(inv[i * n + i]);
    return 1;
}

static const char *param_name(const crm_ltv_fit_problem *prob, size_t i)
{
    return prob->param_names && prob->param_names[i] ? prob->param_names[i] : "a parameter";
}

/* The result of a fit whose best run stopped at the edge (see
 * crm_ltv_fit_problem): that point, without standard errors, and the error
 * naming the parameter furthest from its scale. */
static crm_status stop_at_edge(const objective *obj, const double *u, double f, int iterations,
                               crm_ltv_fit_result *res, crm_error *err)
{
    const crm_ltv_fit_problem *prob = obj->prob;
    size_t n = prob->nparams;
    double g[CRM_LTV_MAX_PARAMS];
    objective_with_gradient(obj, u, g);
    res->nparams = n;
    size_t far = 0;
    double far_by = -1.0;
    for (size_t i = 0; i < n; i++) {
        res->params[i] = exp(u[i]);
        res->se[i] = NAN;
        double by = fabs(u[i] - log(prob->scales ? prob->scales[i] : 1.0));
        if (by > far_by) {
            far_by = by;
            far = i;
        }
    }
    res->loglik = -f * prob->total_weight;
    res->total_weight = prob->total_weight;
    res->iterations = iterations;
    res->gradient_max = max_abs(g, n);
    res->se_ok = 0;
    res->used_simplex = 0;
    res->converged = 0;
    return crm_error_set(err, CRM_EDATA,
                         "the %s fit ran off to the edge of the parameter space (%s = %.3g): "
                         "the data cannot identify the model",
                         prob->name, param_name(prob, far), res->params[far]);
}

static crm_status maximize(const crm_ltv_fit_problem *prob, const crm_ltv_fit_options *opts,
                           crm_ltv_fit_result *res, crm_error *err)
{
    size_t n = prob->nparams;
    int starts = opts->starts > 0 ? opts->starts : DEFAULT_STARTS;
    int max_iter = opts->max_iter > 0 ? opts->max_iter : DEFAULT_MAX_ITER;
    if ((size_t)starts > prob->nstarts)
        starts = (int)prob->nstarts;
    objective obj = {prob, opts->penalty, 0, {0}, 0.0, {0}, 0};
    obj.edge_stop = prob->running_to_edge && isfinite(prob->edge_loglik) && opts->penalty == 0;

    /* Every start is taken to where the gradient is small enough to tell
     * the best optimum (F is then within about 1e-8 of its local minimum);
     * only the best one is followed to full precision. */
    double best_u[CRM_LTV_MAX_PARAMS] = {0};
    double best_f = GSL_POSINF;
    int iterations = 0, best_at_edge = 0;
    for (int k = 0; k < starts; k++) {
        double u[CRM_LTV_MAX_PARAMS];
        for (size_t i = 0; i < n; i++)
            u[i] = log(prob->starts[(size_t)k * n + i]);
        int at_edge;
        double f = run_bfgs(&obj, u, SCREENING_TOL, max_iter, &iterations, &at_edge);
        if (f < best_f) {
            best_f = f;
            best_at_edge = at_edge;
            memcpy(best_u, u, sizeof best_u);
        }
    }
    if (!(best_f < OUTSIDE_WALL))
        return crm_error_set(err, CRM_EDATA,
                             "the %s likelihood cannot be evaluated at any starting point; "
                             "the data may not suit this model",
                             prob->name);
    /* Newton's method finishes from here in a step or two. */
    if (!best_at_edge)
        best_f = run_bfgs(&obj, best_u, POLISH_TOL, max_iter, &iterations, &best_at_edge);
    if (best_at_edge)
        return stop_at_edge(&obj, best_u, best_f, iterations, res, err);

    double g[CRM_LTV_MAX_PARAMS];
    objective_with_gradient(&obj, best_u, g);
    res->used_simplex = 0;
    if (max_abs(g, n) > CRM_LTV_FIT_GRADIENT_TOL) {
        res->used_simplex = 1;
        run_simplex(&obj, best_u, max_iter, &iterations);
        best_f = run_bfgs(&obj, best_u, POLISH_TOL, max_iter, &iterations, NULL);
    }
    best_f = objective_value(&obj, best_u);
    double hessian[CRM_LTV_MAX_PARAMS * CRM_LTV_MAX_PARAMS];
    int curved = newton_polish(&obj, best_u, &best_f, hessian);
    objective_with_gradient(&obj, best_u, g);

    res->nparams = n;
    for (size_t i = 0; i < n; i++)
        res->params[i] = exp(best_u[i]);
    double pen = 0.0;
    for (size_t i = 0; i < n; i++)
        pen += res->params[i] * res->params[i];
    res->loglik = -(best_f - opts->penalty * pen) * prob->total_weight;
    res->total_weight = prob->total_weight;
    res->iterations = iterations;
    res->gradient_max = max_abs(g, n);
    res->se_ok = curved && inside_model(best_u, n) &&
                 standard_errors_from_hessian(&obj, best_u, hessian, res->se);
    res->converged = 0;
    if (!(res->gradient_max <= CRM_LTV_FIT_GRADIENT_TOL) || !inside_model(best_u, n))
        return crm_error_set(err, CRM_EDATA,
                             "the %s fit did not converge after %d iterations (largest gradient "
                             "%.3g at the best point found); the data may not identify the model",
                             prob->name, iterations, res->gradient_max);
    for (size_t i = 0; i < n; i++) {
        double scale = prob->scales ? prob->scales[i] : 1.0;
        if (fabs(best_u[i] - log(scale)) > CRM_LTV_FIT_EDGE)
            return crm_error_set(err, CRM_EDATA,
                                 "the %s fit ran off to the edge of the parameter space (%s = %.3g): "
                                 "the data cannot identify the model",
                                 prob->name, param_name(prob, i), res->params[i]);
    }
    if (!res->se_ok)
        return crm_error_set(err, CRM_EDATA,
                             "the %s fit ended where the likelihood has no proper maximum (its "
                             "Hessian is not positive definite): the data cannot identify the "
                             "model",
                             prob->name);
    for (size_t i = 0; i < n; i++) {
        if (res->se[i] > CRM_LTV_FIT_MAX_RELATIVE_SE * res->params[i])
            return crm_error_set(err, CRM_EDATA,
                                 "the %s fit leaves %s undetermined (%s = %.3g with standard "
                                 "error %.3g): the data cannot identify the model",
                                 prob->name, param_name(prob, i), param_name(prob, i),
                                 res->params[i], res->se[i]);
    }
    res->converged = 1;
    return CRM_OK;
}

crm_status crm_ltv_fit_maximize(const crm_ltv_fit_problem *prob, const crm_ltv_fit_options *opts,
                                crm_ltv_fit_result *res, crm_error *err)
{
    crm_ltv_fit_options defaults;
    if (!opts) {
        crm_ltv_fit_options_init(&defaults);
        opts = &defaults;
    }
    memset(res, 0, sizeof *res);
    for (size_t i = 0; i < CRM_LTV_MAX_PARAMS; i++)
        res->params[i] = res->se[i] = NAN;
    res->loglik = NAN;
    crm_status st = crm_ltv_fit_options_check(opts, err);
    if (st != CRM_OK)
        return st;
    if (prob->nparams < 1 || prob->nparams > CRM_LTV_MAX_PARAMS || prob->nstarts < 1 ||
        !(prob->total_weight > 0.0))
        return crm_error_set(err, CRM_EUSAGE, "the %s fit was called without data or starting points",
                             prob->name);
    /* GSL's default handler aborts; here every failure is a status. */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    st = maximize(prob, opts, res, err);
    gsl_set_error_handler(old);
    return st;
}
