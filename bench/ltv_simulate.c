/* ltv_simulate: draws customers from the BG/NBD process (Fader, Hardie &
 * Lee 2005), or with --pnbd from the Pareto/NBD process, with GSL's random
 * number generator (MT19937, seeded), for bench/ltv.sh.
 *
 *   ltv_simulate N SEED [P1 P2 P3 P4] [--pnbd] [--days] [--weeks-min W] [--weeks-max W]
 *
 * BG/NBD (default parameters r, alpha, a, b = FHL's CDNOW 0.243, 4.414,
 * 0.793, 2.426):
 * Each customer: purchase rate lambda ~ Gamma(r, scale 1/alpha) per week,
 * drop-out probability p ~ Beta(a, b); first purchase at time 0; then
 * purchases at the times of a Poisson process of rate lambda, and after each
 * repeat purchase the customer drops out with probability p.
 * Pareto/NBD (r, alpha, s, beta, default 0.553, 10.578, 0.606, 11.669):
 * lambda as above, death rate mu ~ Gamma(s, scale 1/beta), the customer's
 * lifetime Exponential(mu), purchases at rate lambda while alive.  The customer
 * is observed for T weeks, T uniform in [weeks-min, weeks-max] (default
 * 13..39, customers acquired over half a year).  With --days every time is
 * rounded down to whole days, as crm-rfm counts them (weeks = days / 7).
 * Spend: Gamma-Gamma with p = 6.25, q = 3.74, gamma = 15.44 (Fader & Hardie
 * 2013's CDNOW estimates): nu ~ Gamma(q, scale 1/gamma), the mean of x
 * purchases ~ Gamma(p x, scale 1/(nu x)).
 *
 * Writes customer_id,x,t_x,T,monetary_value on stdout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static double to_days(double weeks, int days)
{
    return days ? floor(weeks * 7.0) / 7.0 : weeks;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ltv_simulate N SEED [P1 P2 P3 P4] [--pnbd] [--days] [--weeks-min W] [--weeks-max W]\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    unsigned long seed = strtoul(argv[2], NULL, 10);
    double par[4] = {0.243, 4.414, 0.793, 2.426};
    double wmin = 13, wmax = 39;
    int days = 0, np = 0, pnbd = 0;
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], "--pnbd") == 0)
            pnbd = 1;
    if (pnbd) {
        par[0] = 0.553, par[1] = 10.578, par[2] = 0.606, par[3] = 11.669;
    }
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--pnbd") == 0)
            continue;
        if (strcmp(argv[i], "--days") == 0)
            days = 1;
        else if (strcmp(argv[i], "--weeks-min") == 0 && i + 1 < argc)
            wmin = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--weeks-max") == 0 && i + 1 < argc)
            wmax = strtod(argv[++i], NULL);
        else if (np < 4)
            par[np++] = strtod(argv[i], NULL);
    }
    const double r = par[0], alpha = par[1], a = par[2], b = par[3];
    const double gg_p = 6.25, gg_q = 3.74, gg_gamma = 15.44;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    printf("customer_id,x,t_x,T,monetary_value\n");
    for (long i = 0; i < n; i++) {
        double lambda = gsl_ran_gamma(rng, r, 1.0 / alpha);
        /* BG/NBD: p the drop-out probability; Pareto/NBD: a lifetime. */
        double p = pnbd ? 0.0 : gsl_ran_beta(rng, a, b);
        double life = pnbd ? gsl_ran_exponential(rng, 1.0 / gsl_ran_gamma(rng, a, 1.0 / b)) : INFINITY;
        double T = wmin + (wmax - wmin) * gsl_rng_uniform(rng);
        double t = 0, t_x = 0;
        long x = 0;
        for (;;) {
            t += gsl_ran_exponential(rng, 1.0 / lambda);
            if (t > T || t > life)
                break;
            x++;
            t_x = t;
            if (!pnbd && gsl_rng_uniform(rng) < p)
                break;
        }
        double zbar = 0;
        if (x > 0) {
            double nu = gsl_ran_gamma(rng, gg_q, 1.0 / gg_gamma);
            zbar = gsl_ran_gamma(rng, gg_p * (double)x, 1.0 / (nu * (double)x));
        }
        double Tw = to_days(T, days), txw = to_days(t_x, days);
        if (days && txw == 0 && x > 0)
            x = 0;   /* repeat purchases on the first day merge with it */
        if (x == 0)
            txw = 0, zbar = 0;
        printf("%ld,%ld,%.17g,%.17g,%.2f\n", i + 1, x, txw, Tw, zbar);
    }
    gsl_rng_free(rng);
    return 0;
}
