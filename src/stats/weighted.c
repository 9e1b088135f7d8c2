/* weighted.c: weighted mean, weighted quantiles (numpy 2's inverted_cdf with weights) and the
 * Gaussian kernel density of scipy.stats.gaussian_kde, for the size distributions (Figure 5). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>

#include "stats.h"

#include "../util/error.h"

static double weight(const double *w, size_t i)
{
    return w ? w[i] : 1.0;
}

double omen_stats_weighted_mean(const double *x, const double *w, size_t n)
{
    double sxw = 0.0, sw = 0.0;
    for (size_t i = 0; i < n; i++) {
        sxw += x[i] * weight(w, i);
        sw += weight(w, i);
    }
    return sw == 0.0 ? NAN : sxw / sw;
}

static int cmp_index(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return (i > j) - (i < j);
}

/* numpy's argsort(kind="stable"): GSL's heapsort, then each run of equal values back in input
 * order, so that the cumulative weights are summed in numpy's order. */
static void stable_argsort(const double *x, size_t n, size_t *order)
{
    gsl_sort_index(order, x, 1, n);
    for (size_t a = 0, b; a < n; a = b) {
        for (b = a + 1; b < n && x[order[b]] == x[order[a]]; b++)
            ;
        if (b - a > 1)
            qsort(order + a, b - a, sizeof *order, cmp_index);
    }
}

/* numpy 2 (_quantile, weights given): stable argsort of x, cdf = cumsum(w sorted) / cdf[-1],
 * index = searchsorted(cdf, q, side="left") capped at n - 1. */
void omen_stats_weighted_quantiles(const double *x, const double *w, size_t n, const double *qs,
                                   size_t nq, double *out, size_t *order)
{
    for (size_t k = 0; k < nq; k++)
        out[k] = NAN;
    if (n == 0)
        return;
    stable_argsort(x, n, order);
    double *cdf = omen_xmalloc(n * sizeof *cdf);
    double run = 0.0;
    for (size_t i = 0; i < n; i++)
        cdf[i] = run += weight(w, order[i]);
    double total = cdf[n - 1];
    if (total > 0.0) {
        for (size_t i = 0; i < n; i++)
            cdf[i] /= total;
        for (size_t k = 0; k < nq; k++) {
            size_t lo = 0, hi = n; /* first i with cdf[i] >= q (searchsorted left) */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (cdf[mid] < qs[k])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            out[k] = x[order[lo < n ? lo : n - 1]];
        }
    }
    free(cdf);
}

double omen_stats_weighted_quantile(const double *x, const double *w, size_t n, double q,
                                    size_t *order)
{
    double out;
    omen_stats_weighted_quantiles(x, w, n, &q, 1, &out, order);
    return out;
}

/* ---------------------------------------------------------------- kernel density */

/* The bandwidth of gaussian_kde with Scott's rule: weights normalised to sum 1, neff =
 * 1 / sum(w^2), the variance of np.cov(x, aweights=w) (ddof 1: divided by 1 - sum(w^2)), and
 * h = sqrt(variance) * neff^(-1/5). Returns 0 when it is not a positive finite number. */
static double scott_bandwidth(const double *x, const double *w, size_t n)
{
    double sw = 0.0;
    for (size_t i = 0; i < n; i++)
        sw += weight(w, i);
    double sw2 = 0.0, avg = 0.0;
    for (size_t i = 0; i < n; i++) {
        double wi = weight(w, i) / sw;
        sw2 += wi * wi;
        avg += x[i] * wi;
    }
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - avg;
        ss += d * (d * (weight(w, i) / sw));
    }
    double var = ss / (1.0 - sw2);
    double h = sqrt(var) * pow(1.0 / sw2, -1.0 / 5.0);
    return isfinite(h) && h > 0.0 ? h : 0.0;
}

/* True when every x of positive weight is the same: scipy's covariance is then zero up to
 * rounding and it returns a meaningless spike (or raises); here that is a failure. */
static bool degenerate(const double *x, const double *w, size_t n)
{
    size_t first = n;
    for (size_t i = 0; i < n; i++)
        if (weight(w, i) > 0) {
            if (first == n)
                first = i;
            else if (x[i] != x[first])
                return false;
        }
    return true;
}

bool omen_stats_kde(const double *x, const double *w, size_t n, const double *grid, size_t ngrid,
                    double *density)
{
    for (size_t g = 0; g < ngrid; g++)
        density[g] = 0.0;
    if (n < 2 || degenerate(x, w, n))
        return false;
    double h = scott_bandwidth(x, w, n);
    if (h == 0.0)
        return false;
    double sw = 0.0;
    for (size_t i = 0; i < n; i++)
        sw += weight(w, i);
    /* scipy's gaussian_kernel_estimate: whitened points, exp(-r^2 / 2) * norm per pair. */
    double norm = pow(2.0 * M_PI, -0.5) / h;
    for (size_t g = 0; g < ngrid; g++) {
        double at = grid[g] / h, sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            double r = x[i] / h - at;
            sum += (weight(w, i) / sw) * (exp(-(r * r) / 2.0) * norm);
        }
        density[g] = sum;
    }
    return true;
}
