/* Loyalty score: objective factors from the customers table, a subjective
 * value from a survey, combined by weight (see loyalty.h). */
#include "crm/loyalty.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm/number.h"

static const char *const tier_names[CRM_LOYALTY_TIER_COUNT] = {"loyal", "regular", "occasional", "transient"};

const char *crm_loyalty_tier_name(crm_loyalty_tier tier)
{
    return (unsigned)tier < CRM_LOYALTY_TIER_COUNT ? tier_names[tier] : "?";
}

void crm_loyalty_options_init(crm_loyalty_options *opts)
{
    opts->loyal_periods = 3.0;
    opts->tenure_full_days = 365.0;
    opts->frequency_full = 12.0;
    opts->objective_weight = 0.7;
    opts->subjective_weight = 0.3;
}

static crm_status check_options(const crm_loyalty_options *o, crm_error *err)
{
    if (!(o->loyal_periods > 0) || !(o->tenure_full_days > 0) || !(o->frequency_full > 0) ||
        !isfinite(o->loyal_periods) || !isfinite(o->tenure_full_days) || !isfinite(o->frequency_full))
        return crm_error_set(err, CRM_EUSAGE, "the loyalty scales must be finite numbers above 0");
    if (!(o->objective_weight >= 0) || !(o->subjective_weight >= 0) || !isfinite(o->objective_weight) ||
        !isfinite(o->subjective_weight) || o->objective_weight + o->subjective_weight <= 0)
        return crm_error_set(err, CRM_EUSAGE, "the loyalty weights must be finite numbers >= 0, not both 0");
    return CRM_OK;
}

static double capped(double v, double full) { return v >= full ? 1.0 : v / full; }

crm_status crm_loyalty_assign(const crm_loyalty_input *in, size_t n, const crm_loyalty_options *o,
                              crm_loyalty_result *out, crm_error *err)
{
    crm_status st = check_options(o, err);
    if (st != CRM_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        const struct {
            const char *name;
            double v;
        } all[] = {{"consecutive_periods", in->consecutive_periods[i]},
                   {"tenure_days", in->tenure_days[i]},
                   {"frequency", in->frequency[i]},
                   {"gap_cv", isnan(in->gap_cv[i]) ? 0.0 : in->gap_cv[i]}};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            if (!(all[k].v >= 0) || !isfinite(all[k].v))
                return crm_error_set(err, CRM_EDATA, "row %zu: %s must be a finite number >= 0, not %g", i + 1,
                                     all[k].name, all[k].v);
        crm_loyalty_result *r = &out[i];
        r->repeat = capped(in->consecutive_periods[i], o->loyal_periods);
        r->regularity = isnan(in->gap_cv[i]) ? 0.0 : 1.0 / (1.0 + in->gap_cv[i]);
        r->tenure = capped(in->tenure_days[i], o->tenure_full_days);
        r->frequency = capped(in->frequency[i], o->frequency_full);
        r->objective = (r->repeat + r->regularity + r->tenure + r->frequency) / 4.0;
        r->subjective = in->subjective ? in->subjective[i] : NAN;
        if (!isnan(r->subjective) && !(r->subjective >= 0 && r->subjective <= 1))
            return crm_error_set(err, CRM_EDATA, "row %zu: the subjective value %g is outside 0..1", i + 1,
                                 r->subjective);
        r->answered = !isnan(r->subjective);
        r->score = r->answered ? 100.0 * (o->objective_weight * r->objective + o->subjective_weight * r->subjective) /
                                     (o->objective_weight + o->subjective_weight)
                               : 100.0 * r->objective;
        r->tier = r->score >= 75 ? CRM_LOYALTY_LOYAL
                  : r->score >= 50 ? CRM_LOYALTY_REGULAR
                  : r->score >= 25 ? CRM_LOYALTY_OCCASIONAL
                                   : CRM_LOYALTY_TRANSIENT;
    }
    return CRM_OK;
}

double crm_loyalty_subjective(const double *answers, const double *lo, const double *hi, size_t ncols)
{
    double sum = 0.0;
    size_t count = 0;
    for (size_t j = 0; j < ncols; j++)
        if (!isnan(answers[j]) && hi[j] > lo[j]) {
            sum += (answers[j] - lo[j]) / (hi[j] - lo[j]);
            count++;
        }
    return count ? sum / (double)count : NAN;
}

crm_status crm_loyalty_parse_weights(const char *arg, crm_loyalty_options *opts, crm_error *err)
{
    char list[256];
    snprintf(list, sizeof list, "%s", arg);
    int ok = strlen(arg) < sizeof list;
    for (char *save = NULL, *part = strtok_r(list, ",", &save); ok && part; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        double v;
        ok = eq && crm_parse_double(eq + 1, strlen(eq + 1), NULL, &v) == CRM_OK && v >= 0 && isfinite(v);
        if (ok && (size_t)(eq - part) == 9 && strncmp(part, "objective", 9) == 0)
            opts->objective_weight = v;
        else if (ok && (size_t)(eq - part) == 10 && strncmp(part, "subjective", 10) == 0)
            opts->subjective_weight = v;
        else
            ok = 0;
    }
    if (!ok || !(opts->objective_weight + opts->subjective_weight > 0))
        return crm_error_set(err, CRM_EUSAGE, "wants objective=W,subjective=W with numbers >= 0, "
                             "not both 0 (objective=0.7,subjective=0.3), got '%s'", arg);
    return CRM_OK;
}
