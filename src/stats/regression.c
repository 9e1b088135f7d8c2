/* regression.c: least squares, R^2 and RANSAC on one feature, the last following
 * sklearn.linear_model.RANSACRegressor.fit step by step (model size estimation, DESIGN 5). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "stats.h"

#include "../util/error.h"

static bool constant(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0])
            return false;
    return true;
}

bool omen_stats_ols(const double *x, const double *y, size_t n, double *slope, double *intercept)
{
    if (n < 2 || constant(x, n))
        return false;
    double cov00, cov01, cov11, sumsq;
    gsl_fit_linear(x, 1, y, 1, n, intercept, slope, &cov00, &cov01, &cov11, &sumsq);
    return true;
}

/* sklearn.metrics.r2_score with force_finite: a constant y scores 1 when fitted exactly, else
 * 0. */
double omen_stats_r2(const double *x, const double *y, size_t n, double slope, double intercept)
{
    if (n == 0)
        return NAN;
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    double ss_res = 0.0, ss_tot = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = y[i] - (x[i] * slope + intercept), d = y[i] - mean;
        ss_res += r * r;
        ss_tot += d * d;
    }
    if (ss_tot == 0.0)
        return ss_res == 0.0 ? 1.0 : 0.0;
    return 1.0 - ss_res / ss_tot;
}

/* ---------------------------------------------------------------- RANSAC */

/* LinearRegression().fit on (x, y): centred least squares; when x is constant lstsq's
 * minimum-norm answer is slope 0 through the mean of y, which sklearn then uses as a model. */
static void linear_regression(const double *x, const double *y, size_t n, double *slope,
                              double *intercept)
{
    if (!omen_stats_ols(x, y, n, slope, intercept)) {
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += y[i];
        *slope = 0.0;
        *intercept = mean / (double)n;
    }
}

/* numpy.median(|y - median(y)|): the middle value, or the mean of the two middle ones. */
static double median_sorted(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

static double mad(const double *y, size_t n)
{
    double *s = omen_xmalloc(n * sizeof *s);
    memcpy(s, y, n * sizeof *s);
    gsl_sort(s, 1, n);
    double med = median_sorted(s, n);
    for (size_t i = 0; i < n; i++)
        s[i] = fabs(y[i] - med);
    gsl_sort(s, 1, n);
    double m = median_sorted(s, n);
    free(s);
    return m;
}

/* sklearn's _dynamic_max_trials for min_samples 2. */
static double dynamic_max_trials(size_t inliers, size_t n, double probability)
{
    double ratio = (double)inliers / (double)n;
    double nom = fmax(DBL_EPSILON, 1.0 - probability);
    double denom = fmax(DBL_EPSILON, 1.0 - ratio * ratio);
    if (nom == 1.0)
        return 0.0;
    if (denom == 1.0)
        return INFINITY;
    return fabs(ceil(log(nom) / log(denom)));
}

/* One trial's consensus: inlier flags, count, and the trial model's R^2 on its inliers. */
typedef struct {
    size_t count;
    double score;
} consensus;

static consensus classify(const double *x, const double *y, size_t n, double slope,
                          double intercept, double threshold, uint8_t *mask, double *xi, double *yi)
{
    consensus c = {0, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        mask[i] = fabs(y[i] - (x[i] * slope + intercept)) <= threshold;
        if (mask[i]) {
            xi[c.count] = x[i];
            yi[c.count++] = y[i];
        }
    }
    if (c.count)
        c.score = omen_stats_r2(xi, yi, c.count, slope, intercept);
    return c;
}

typedef struct {
    uint8_t *mask, *best_mask;
    double *xi, *yi;
} ransac_scratch;

/* The trial loop of RANSACRegressor.fit with its defaults (max_trials 100, stop_probability
 * 0.99, no validity callbacks, infinite max_skips / stop_n_inliers / stop_score). Returns the
 * best trial's inlier count (0: no consensus set) and leaves its flags in s->best_mask. */
static size_t trial_loop(const double *x, const double *y, size_t n, double threshold, gsl_rng *rng,
                         ransac_scratch *s, size_t *trials)
{
    size_t best = 1; /* sklearn starts n_inliers_best at 1: a trial needs one inlier */
    double best_score = -INFINITY, max_trials = 100;
    bool found = false;
    for (*trials = 0; (double)*trials < max_trials;) {
        ++*trials;
        size_t i = gsl_rng_uniform_int(rng, n), j = gsl_rng_uniform_int(rng, n - 1);
        j += j >= i;
        double sx[2] = {x[i], x[j]}, sy[2] = {y[i], y[j]}, slope, intercept;
        linear_regression(sx, sy, 2, &slope, &intercept);
        consensus c = classify(x, y, n, slope, intercept, threshold, s->mask, s->xi, s->yi);
        if (c.count < best)
            continue;
        if (c.count == best && c.score < best_score)
            continue;
        best = c.count;
        best_score = c.score;
        found = true;
        memcpy(s->best_mask, s->mask, n);
        max_trials = fmin(max_trials, dynamic_max_trials(best, n, 0.99));
    }
    return found ? best : 0;
}

bool omen_stats_ransac_line(const double *x, const double *y, size_t n, double threshold,
                            uint64_t seed, omen_ransac *out, uint8_t *inlier_mask)
{
    memset(out, 0, sizeof *out);
    out->slope = out->intercept = out->threshold = NAN;
    if (n < 2)
        return false;
    out->threshold = threshold > 0 ? threshold : mad(y, n);
    ransac_scratch s = {omen_xmalloc(n), omen_xmalloc(n), omen_xmalloc(n * sizeof(double)),
                        omen_xmalloc(n * sizeof(double))};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        abort(); /* out of memory inside GSL (which has already said so on stderr) */
    gsl_rng_set(rng, (unsigned long)seed);
    size_t best = trial_loop(x, y, n, out->threshold, rng, &s, &out->trials);
    gsl_rng_free(rng);
    if (best) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (s.best_mask[i]) {
                s.xi[k] = x[i];
                s.yi[k++] = y[i];
            }
        linear_regression(s.xi, s.yi, k, &out->slope, &out->intercept);
        out->inliers = best;
        if (inlier_mask)
            memcpy(inlier_mask, s.best_mask, n);
    }
    free(s.mask);
    free(s.best_mask);
    free(s.xi);
    free(s.yi);
    return best > 0;
}
