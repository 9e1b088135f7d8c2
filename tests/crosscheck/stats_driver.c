/* stats_driver.c: runs src/stats on requests read from stdin, one result line per request, so
 * that tests/crosscheck/test_stats_scipy.py can compare them with scipy, numpy and sklearn.
 *
 * Requests (whitespace-separated numbers, as Python's repr writes them; W is 0 or 1, weights
 * given or not):
 *   chi2 R C CORRECTION t[R*C]          -> "chi2 ok|fail CHI2 P DOF V"
 *   mean N W x[N] [w[N]]                -> "mean M"
 *   quantiles N W NQ x[N] [w[N]] q[NQ]  -> "quantiles Q..."
 *   kde N W NG x[N] [w[N]] grid[NG]     -> "kde ok|fail D..."
 *   ols N x[N] y[N]                     -> "ols ok|fail SLOPE INTERCEPT"
 *   r2 N SLOPE INTERCEPT x[N] y[N]      -> "r2 R2"
 *   ransac N SEED THRESHOLD x[N] y[N]   -> "ransac ok|fail SLOPE INTERCEPT INLIERS TRIALS
 *                                           THRESHOLD MASKSUM" then "mask 0/1..."
 *   pelt N PENALTY MINSEG y[N]          -> "pelt K COST END..." (the K segments' ends)
 *   sigma N y[N]                        -> "sigma SIGMA FALLBACK" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/stats/stats.h"

static double number(void)
{
    double v;
    if (scanf("%lf", &v) != 1) {
        fprintf(stderr, "stats_driver: expected a number\n");
        exit(2);
    }
    return v;
}

static size_t count(void)
{
    return (size_t)number();
}

/* Reads n numbers into a new array (at least one element so that malloc never sees 0). */
static double *numbers(size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        exit(1);
    for (size_t i = 0; i < n; i++)
        v[i] = number();
    return v;
}

static void print_list(const char *name, const double *v, size_t n)
{
    printf("%s", name);
    for (size_t i = 0; i < n; i++)
        printf(" %.17g", v[i]);
    printf("\n");
}

static void do_chi2(void)
{
    size_t r = count(), c = count();
    bool correction = number() != 0;
    double *t = numbers(r * c);
    omen_chi2 out;
    bool ok = omen_stats_chi2_contingency(t, r, c, correction, &out);
    printf("chi2 %s %.17g %.17g %.17g %.17g\n", ok ? "ok" : "fail", out.chi2, out.p_value, out.dof,
           out.cramers_v);
    free(t);
}

static void do_mean(void)
{
    size_t n = count();
    bool weighted = number() != 0;
    double *x = numbers(n), *w = weighted ? numbers(n) : NULL;
    printf("mean %.17g\n", omen_stats_weighted_mean(x, w, n));
    free(x);
    free(w);
}

static void do_quantiles(void)
{
    size_t n = count();
    bool weighted = number() != 0;
    size_t nq = count();
    double *x = numbers(n), *w = weighted ? numbers(n) : NULL, *q = numbers(nq);
    double *out = malloc((nq ? nq : 1) * sizeof *out);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!out || !order)
        exit(1);
    omen_stats_weighted_quantiles(x, w, n, q, nq, out, order);
    /* the single-q entry point must agree with the batch one */
    for (size_t k = 0; k < nq; k++) {
        double one = omen_stats_weighted_quantile(x, w, n, q[k], order);
        if (!(one == out[k] || (one != one && out[k] != out[k])))
            out[k] = -12345.678; /* a value no reference produces: the check fails */
    }
    print_list("quantiles", out, nq);
    free(x);
    free(w);
    free(q);
    free(out);
    free(order);
}

static void do_kde(void)
{
    size_t n = count();
    bool weighted = number() != 0;
    size_t ng = count();
    double *x = numbers(n), *w = weighted ? numbers(n) : NULL, *grid = numbers(ng);
    double *d = malloc((ng ? ng : 1) * sizeof *d);
    if (!d)
        exit(1);
    print_list(omen_stats_kde(x, w, n, grid, ng, d) ? "kde ok" : "kde fail", d, ng);
    free(x);
    free(w);
    free(grid);
    free(d);
}

static void do_ols(void)
{
    size_t n = count();
    double *x = numbers(n), *y = numbers(n), slope = 0, intercept = 0;
    bool ok = omen_stats_ols(x, y, n, &slope, &intercept);
    printf("ols %s %.17g %.17g\n", ok ? "ok" : "fail", slope, intercept);
    free(x);
    free(y);
}

static void do_r2(void)
{
    size_t n = count();
    double slope = number(), intercept = number();
    double *x = numbers(n), *y = numbers(n);
    printf("r2 %.17g\n", omen_stats_r2(x, y, n, slope, intercept));
    free(x);
    free(y);
}

static void do_ransac(void)
{
    size_t n = count();
    uint64_t seed = (uint64_t)number();
    double threshold = number();
    double *x = numbers(n), *y = numbers(n);
    uint8_t *mask = calloc(n ? n : 1, 1);
    if (!mask)
        exit(1);
    omen_ransac r;
    bool ok = omen_stats_ransac_line(x, y, n, threshold, seed, &r, mask);
    size_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += mask[i];
    printf("ransac %s %.17g %.17g %zu %zu %.17g %zu\nmask", ok ? "ok" : "fail", r.slope,
           r.intercept, r.inliers, r.trials, r.threshold, sum);
    for (size_t i = 0; i < n; i++)
        printf(" %d", mask[i]);
    printf("\n");
    free(x);
    free(y);
    free(mask);
}

static void do_pelt(void)
{
    size_t n = count();
    double penalty = number();
    size_t minseg = count();
    double *y = numbers(n), cost;
    size_t *ends = malloc((n + 1) * sizeof *ends);
    if (!ends)
        exit(1);
    size_t k = omen_stats_pelt(y, n, penalty, minseg, ends, &cost);
    printf("pelt %zu %.17g", k, cost);
    for (size_t i = 0; i < k; i++)
        printf(" %zu", ends[i]);
    printf("\n");
    free(y);
    free(ends);
}

static void do_sigma(void)
{
    size_t n = count();
    double *y = numbers(n);
    bool fallback;
    double s = omen_stats_diff_sigma(y, n, &fallback);
    printf("sigma %.17g %d\n", s, fallback ? 1 : 0);
    free(y);
}

int main(void)
{
    static const struct {
        const char *name;
        void (*run)(void);
    } commands[] = {{"chi2", do_chi2},     {"mean", do_mean}, {"quantiles", do_quantiles},
                    {"kde", do_kde},       {"ols", do_ols},   {"r2", do_r2},
                    {"ransac", do_ransac}, {"pelt", do_pelt}, {"sigma", do_sigma}};
    char word[32];
    while (scanf("%31s", word) == 1) {
        size_t k = 0, n = sizeof commands / sizeof commands[0];
        while (k < n && strcmp(word, commands[k].name) != 0)
            k++;
        if (k == n) {
            fprintf(stderr, "stats_driver: unknown request '%s'\n", word);
            return 2;
        }
        commands[k].run();
    }
    return 0;
}
