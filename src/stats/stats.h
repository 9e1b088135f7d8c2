/* stats.h: the statistics of the characteristics analyses (DESIGN.md section 5), each defined
 * as the scipy / scikit-learn / numpy function named beside it, and tested against it. GSL
 * underneath. Depends only on util. Nothing here allocates what the caller must free, except
 * where a comment says so. */
#ifndef OMEN_STATS_STATS_H
#define OMEN_STATS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- contingency tables */

typedef struct {
    double chi2;      /* the statistic (Yates-corrected when dof == 1 and correction) */
    double p_value;   /* upper tail of chi-squared with dof degrees of freedom */
    double dof;       /* (rows - 1) * (cols - 1) */
    double cramers_v; /* as scipy.stats.contingency.association(table, method="cramer") */
} omen_chi2;

/* scipy.stats.chi2_contingency(table, correction=correction) on a rows x cols table of
 * non-negative counts (row-major; counts may be fractional download sums). Returns false,
 * leaving *out NaN, where scipy raises: a row or column sums to zero (an expected frequency of
 * zero), or a count is negative; also for an all-zero table (scipy returns NaN there). dof == 0
 * gives chi2 0, p 1 as scipy does, and cramers_v NaN (association() divides by zero there). */
bool omen_stats_chi2_contingency(const double *table, size_t rows, size_t cols, bool correction,
                                 omen_chi2 *out);

/* ---------------------------------------------------------------- weighted summaries */

/* sum(w x) / sum(w); NaN when sum(w) == 0. w may be NULL (all ones). */
double omen_stats_weighted_mean(const double *x, const double *w, size_t n);

/* Quantile q in [0, 1] of x weighted by w (NULL = all ones): numpy 2's
 * np.quantile(x, q, weights=w, method="inverted_cdf"), i.e. the smallest x whose cumulative
 * weight reaches q * sum(w) (exactly: the first i, x sorted stably, with cumsum(w)[i] / sum(w)
 * >= q; so q == 0 gives the smallest x even when its weight is zero, as numpy does). `order` is
 * a caller-provided scratch of n indexes; x and w are not modified. NaN when n == 0 or
 * sum(w) == 0. For several q at once use omen_stats_weighted_quantiles, which sorts once. */
double omen_stats_weighted_quantile(const double *x, const double *w, size_t n, double q,
                                    size_t *order);
void omen_stats_weighted_quantiles(const double *x, const double *w, size_t n, const double *qs,
                                   size_t nq, double *out, size_t *order);

/* Gaussian kernel density as scipy.stats.gaussian_kde(x, weights=w) with Scott's rule
 * (bandwidth factor neff^(-1/5), neff = sum(w)^2 / sum(w^2), weighted covariance with
 * scipy's ddof), evaluated at grid[0..ngrid) into density. Returns false (density all zero)
 * when n < 2 or the weighted variance is zero (every x of positive weight equal: scipy then
 * raises or returns a spike of rounding noise). Costs n * ngrid exponentials. */
bool omen_stats_kde(const double *x, const double *w, size_t n, const double *grid, size_t ngrid,
                    double *density);

/* ---------------------------------------------------------------- regression */

/* Ordinary least squares y = intercept + slope x (GSL gsl_fit_linear); false when n < 2 or x
 * is constant (slope and intercept then untouched). */
bool omen_stats_ols(const double *x, const double *y, size_t n, double *slope, double *intercept);

/* Coefficient of determination of a line on (x, y), as sklearn.metrics.r2_score (constant y:
 * 1 when the line fits it exactly, else 0; NaN when n == 0). */
double omen_stats_r2(const double *x, const double *y, size_t n, double slope, double intercept);

typedef struct {
    double slope, intercept; /* the final fit: OLS on the inliers of the best trial */
    size_t inliers;          /* count of the best trial's inliers */
    size_t trials;           /* trials run (sklearn's n_trials_) */
    double threshold;        /* residual threshold used (MAD of y unless given) */
} omen_ransac;

/* sklearn.linear_model.RANSACRegressor() with its defaults and a LinearRegression base on one
 * feature: min_samples 2, residual_threshold = median(|y - median(y)|) when threshold <= 0,
 * absolute-error loss, max_trials 100, stop_probability 0.99 with sklearn's dynamic trial count,
 * ties in inlier count broken by the higher R^2 on the inliers. Random subsets from a GSL
 * mt19937 generator seeded with `seed` (so results are deterministic but are not numpy's
 * draws; GSL maps seed 0 to its default 4357). A pair with equal x gives the slope-0 line
 * through their mean, as LinearRegression's minimum-norm solution does. inlier_mask (may be
 * NULL) gets 1 for the final inliers. Returns false when n < 2 or no trial found a consensus
 * set (sklearn raises; e.g. NaN residuals). */
bool omen_stats_ransac_line(const double *x, const double *y, size_t n, double threshold,
                            uint64_t seed, omen_ransac *out, uint8_t *inlier_mask);

/* ---------------------------------------------------------------- change points */

/* The noise standard deviation of a series whose mean changes in steps: R's
 * mad(diff(y)) / sqrt(2), the median absolute deviation (about the median, times 1.4826) of
 * the first differences, which a few steps do not move, divided by sqrt(2) since a difference
 * of two independent values has twice their variance. Where that is 0 (more than half the
 * differences equal) it falls back to the standard deviation of the differences / sqrt(2),
 * and sets *fallback (may be NULL); 0 only for a constant series (or n < 3). */
double omen_stats_diff_sigma(const double *y, size_t n, bool *fallback);

/* Changes in the mean of y[0..n) by PELT (Killick, Fearnhead & Eckley 2012): the partition
 * into segments of at least min_segment values (0 counts as 1) that minimises the sum over
 * segments of the squared deviations from the segment's mean, plus `penalty` (in the units of
 * y squared) per change point. Exact: the same partition as optimal partitioning (Jackson et
 * al. 2005), the earliest start of the last segment winning a tie; pruning with K = 0, a
 * candidate leaving only min_segment values after it was found dominated. Writes the segments'
 * exclusive ends in time order into ends (room for n / min_segment + 1; ends[k - 1] = n) and
 * returns their number k (0 when n == 0); a series shorter than 2 * min_segment is one
 * segment. *cost (may be NULL) gets the sum of squared deviations of the partition, without
 * penalties. */
size_t omen_stats_pelt(const double *y, size_t n, double penalty, size_t min_segment, size_t *ends,
                       double *cost);

#endif
