/* test_stats.c: unit tests of src/stats on hand-computed cases (chi-squared with and without
 * Yates, failures where scipy raises, weighted quantiles, kernel density, OLS, RANSAC). The
 * comparisons with scipy / numpy / sklearn on generated data are in tests/crosscheck. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../src/stats/stats.h"

static void near(double got, double want, double tol, const char *what)
{
    cr_assert(fabs(got - want) <= tol * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g", what,
              got, want);
}

/* ---------------------------------------------------------------- chi-squared */

/* Expected [[12, 18], [28, 42]]: every |O - E| is 2, 1.5 after Yates' correction. */
static const double TEXTBOOK[4] = {10, 20, 30, 40};
static const double INV_E_SUM = 1.0 / 12 + 1.0 / 18 + 1.0 / 28 + 1.0 / 42;

Test(stats, chi2_2x2_with_yates)
{
    omen_chi2 r;
    cr_assert(omen_stats_chi2_contingency(TEXTBOOK, 2, 2, true, &r));
    near(r.chi2, 1.5 * 1.5 * INV_E_SUM, 1e-14, "chi2");
    near(r.dof, 1, 0, "dof");
    /* with one degree of freedom the upper tail is erfc(sqrt(x / 2)) */
    near(r.p_value, erfc(sqrt(r.chi2 / 2)), 1e-12, "p");
    /* V uses the uncorrected statistic */
    near(r.cramers_v, sqrt(4 * INV_E_SUM / 100), 1e-14, "V");
}

Test(stats, chi2_2x2_without_correction)
{
    omen_chi2 r;
    cr_assert(omen_stats_chi2_contingency(TEXTBOOK, 2, 2, false, &r));
    near(r.chi2, 4 * INV_E_SUM, 1e-14, "chi2");
    near(r.p_value, erfc(sqrt(r.chi2 / 2)), 1e-12, "p");
    near(r.cramers_v, sqrt(r.chi2 / 100), 1e-14, "V");
}

Test(stats, chi2_yates_clamps_small_differences_to_zero)
{
    /* E[0][0] = 10 * 10 / 21 = 4.76: every |O - E| is below 0.5, so Yates moves O onto E */
    const double t[4] = {5, 5, 5, 6};
    omen_chi2 r, plain;
    cr_assert(omen_stats_chi2_contingency(t, 2, 2, true, &r));
    cr_assert_eq(r.chi2, 0.0);
    cr_assert_eq(r.p_value, 1.0);
    cr_assert(omen_stats_chi2_contingency(t, 2, 2, false, &plain));
    cr_assert_gt(plain.chi2, 0.0);
    near(r.cramers_v, plain.cramers_v, 0, "V is the uncorrected one either way");
}

Test(stats, chi2_zero_margin_fails_like_scipy)
{
    const double zero_row[4] = {0, 0, 3, 4}, zero_col[6] = {0, 1, 2, 0, 3, 4}, none[4] = {0};
    omen_chi2 r;
    cr_assert_not(omen_stats_chi2_contingency(zero_row, 2, 2, true, &r));
    cr_assert(isnan(r.chi2) && isnan(r.p_value) && isnan(r.dof) && isnan(r.cramers_v));
    cr_assert_not(omen_stats_chi2_contingency(zero_col, 2, 3, true, &r));
    cr_assert_not(omen_stats_chi2_contingency(none, 2, 2, false, &r));
}

Test(stats, chi2_negative_count_fails)
{
    const double t[4] = {1, -1, 3, 4};
    omen_chi2 r;
    cr_assert_not(omen_stats_chi2_contingency(t, 2, 2, true, &r));
}

Test(stats, chi2_zero_cell_is_fine)
{
    /* rows 7, 12; columns 3, 16; total 19 */
    const double t[4] = {0, 7, 3, 9};
    omen_chi2 r;
    cr_assert(omen_stats_chi2_contingency(t, 2, 2, false, &r));
    double e[4] = {7.0 * 3 / 19, 7.0 * 16 / 19, 12.0 * 3 / 19, 12.0 * 16 / 19}, want = 0;
    for (int k = 0; k < 4; k++)
        want += (t[k] - e[k]) * (t[k] - e[k]) / e[k];
    near(r.chi2, want, 1e-14, "chi2");
}

Test(stats, chi2_dof_zero)
{
    const double row[3] = {3, 4, 5};
    omen_chi2 r;
    cr_assert(omen_stats_chi2_contingency(row, 1, 3, true, &r));
    cr_assert_eq(r.chi2, 0.0);
    cr_assert_eq(r.p_value, 1.0);
    cr_assert_eq(r.dof, 0.0);
    cr_assert(isnan(r.cramers_v), "association() divides by min(r, c) - 1 = 0");
    cr_assert(omen_stats_chi2_contingency(row, 3, 1, false, &r));
    cr_assert_eq(r.dof, 0.0);
}

Test(stats, chi2_larger_tables_ignore_correction)
{
    /* dof 2: no Yates; the upper tail of chi-squared(2) is exp(-x / 2) */
    const double t[6] = {10, 20, 30, 25, 15, 5};
    omen_chi2 with, without;
    cr_assert(omen_stats_chi2_contingency(t, 2, 3, true, &with));
    cr_assert(omen_stats_chi2_contingency(t, 2, 3, false, &without));
    cr_assert_eq(with.chi2, without.chi2);
    near(with.dof, 2, 0, "dof");
    near(with.p_value, exp(-with.chi2 / 2), 1e-12, "p");
    near(with.cramers_v, sqrt(with.chi2 / 105 / 1), 1e-14, "V");
}

/* ---------------------------------------------------------------- weighted summaries */

Test(stats, weighted_mean)
{
    const double x[3] = {1, 2, 3}, w[3] = {0, 1, 3}, zero[3] = {0};
    near(omen_stats_weighted_mean(x, w, 3), 11.0 / 4, 1e-15, "weighted");
    near(omen_stats_weighted_mean(x, NULL, 3), 2, 1e-15, "unweighted");
    cr_assert(isnan(omen_stats_weighted_mean(x, zero, 3)));
    cr_assert(isnan(omen_stats_weighted_mean(x, NULL, 0)));
}

Test(stats, unweighted_quantiles_are_inverted_cdf)
{
    const double x[4] = {3, 1, 2, 4}, qs[6] = {0, 0.25, 0.26, 0.5, 0.51, 1};
    const double want[6] = {1, 1, 2, 2, 3, 4};
    double out[6];
    size_t order[4];
    omen_stats_weighted_quantiles(x, NULL, 4, qs, 6, out, order);
    for (int k = 0; k < 6; k++)
        near(out[k], want[k], 0, "quantile");
    cr_assert_eq(x[0], 3, "x is not modified");
}

Test(stats, weighted_quantiles_skip_zero_weights_except_at_zero)
{
    /* cdf over x sorted: [0, 0.25, 1] */
    const double x[3] = {3, 1, 2}, w[3] = {3, 0, 1};
    size_t order[3];
    near(omen_stats_weighted_quantile(x, w, 3, 0.2, order), 2, 0, "q 0.2");
    near(omen_stats_weighted_quantile(x, w, 3, 0.25, order), 2, 0, "q 0.25");
    near(omen_stats_weighted_quantile(x, w, 3, 0.26, order), 3, 0, "q 0.26");
    near(omen_stats_weighted_quantile(x, w, 3, 1, order), 3, 0, "q 1");
    /* numpy's searchsorted finds the first cdf >= 0: the zero-weight minimum */
    near(omen_stats_weighted_quantile(x, w, 3, 0, order), 1, 0, "q 0");
}

Test(stats, weighted_quantile_of_nothing_is_nan)
{
    const double x[2] = {1, 2}, w[2] = {0, 0};
    size_t order[2];
    cr_assert(isnan(omen_stats_weighted_quantile(x, w, 2, 0.5, order)));
    cr_assert(isnan(omen_stats_weighted_quantile(x, NULL, 0, 0.5, order)));
}

/* ---------------------------------------------------------------- kernel density */

static double normal_pdf(double z)
{
    return exp(-z * z / 2) / sqrt(2 * M_PI);
}

Test(stats, kde_two_points_scott)
{
    /* variance 0.5 (ddof 1), neff 2: h = sqrt(0.5) * 2^(-1/5) */
    const double x[2] = {0, 1}, grid[3] = {-1, 0.5, 2};
    double d[3], h = sqrt(0.5) * pow(2, -0.2);
    cr_assert(omen_stats_kde(x, NULL, 2, grid, 3, d));
    for (int g = 0; g < 3; g++)
        near(d[g], (normal_pdf(grid[g] / h) + normal_pdf((grid[g] - 1) / h)) / (2 * h), 1e-14,
             "density");
}

Test(stats, kde_weighted_integrates_to_one)
{
    double x[50], w[50], grid[2001], d[2001], area = 0;
    for (int i = 0; i < 50; i++) {
        x[i] = sin(i * 1.7) * 3 + (i % 7);
        w[i] = 1 + (i % 5);
    }
    for (int g = 0; g < 2001; g++)
        grid[g] = -20 + 40.0 * g / 2000;
    cr_assert(omen_stats_kde(x, w, 50, grid, 2001, d));
    for (int g = 1; g < 2001; g++)
        area += (d[g] + d[g - 1]) / 2 * (grid[g] - grid[g - 1]);
    near(area, 1, 1e-6, "area");
}

Test(stats, kde_degenerate_fails)
{
    const double same[3] = {2, 2, 2}, x[3] = {1, 2, 3}, one[3] = {0, 5, 0}, grid[1] = {2};
    double d[1] = {7};
    cr_assert_not(omen_stats_kde(same, NULL, 3, grid, 1, d));
    cr_assert_eq(d[0], 0);
    cr_assert_not(omen_stats_kde(x, NULL, 1, grid, 1, d));
    cr_assert_not(omen_stats_kde(x, one, 3, grid, 1, d));
}

/* ---------------------------------------------------------------- regression */

Test(stats, ols_and_r2)
{
    const double x[4] = {0, 1, 2, 3}, y[4] = {1, 3, 5, 7}, yn[4] = {1, 2, 2, 3};
    double slope, icpt;
    cr_assert(omen_stats_ols(x, y, 4, &slope, &icpt));
    near(slope, 2, 1e-14, "slope");
    near(icpt, 1, 1e-14, "intercept");
    near(omen_stats_r2(x, y, 4, 2, 1), 1, 0, "exact");
    /* yn: mean 2, SS_tot 2; the line 0.6 x + 1.1 leaves residuals -0.1, 0.3, -0.3, 0.1 */
    cr_assert(omen_stats_ols(x, yn, 4, &slope, &icpt));
    near(slope, 0.6, 1e-14, "slope");
    near(icpt, 1.1, 1e-14, "intercept");
    near(omen_stats_r2(x, yn, 4, slope, icpt), 1 - 0.2 / 2, 1e-14, "r2");
    near(omen_stats_r2(x, yn, 4, 0, 2), 0, 1e-15, "the mean scores 0");
}

Test(stats, ols_degenerate_fails)
{
    const double x[3] = {2, 2, 2}, y[3] = {1, 2, 3};
    double slope, icpt;
    cr_assert_not(omen_stats_ols(x, y, 3, &slope, &icpt));
    cr_assert_not(omen_stats_ols(x, y, 1, &slope, &icpt));
}

Test(stats, r2_constant_y_as_sklearn)
{
    const double x[3] = {1, 2, 3}, y[3] = {5, 5, 5};
    cr_assert_eq(omen_stats_r2(x, y, 3, 0, 5), 1.0);
    cr_assert_eq(omen_stats_r2(x, y, 3, 0, 4), 0.0);
}

Test(stats, ransac_recovers_a_line_through_outliers)
{
    double x[23], y[23];
    for (int i = 0; i < 20; i++) {
        x[i] = i;
        y[i] = 2 * i + 1;
    }
    const double ox[3] = {3, 9, 15}, oy[3] = {80, -60, 200};
    for (int k = 0; k < 3; k++) {
        x[20 + k] = ox[k];
        y[20 + k] = oy[k];
    }
    for (uint64_t seed = 1; seed <= 5; seed++) {
        omen_ransac r;
        uint8_t mask[23];
        cr_assert(omen_stats_ransac_line(x, y, 23, 0, seed, &r, mask));
        near(r.slope, 2, 1e-12, "slope");
        near(r.intercept, 1, 1e-12, "intercept");
        cr_assert_eq(r.inliers, 20);
        for (int i = 0; i < 23; i++)
            cr_assert_eq(mask[i], i < 20);
        cr_assert(r.trials >= 1 && r.trials <= 100);
    }
}

Test(stats, ransac_threshold_is_mad_and_seed_is_deterministic)
{
    const double x[5] = {1, 2, 3, 4, 5}, y[5] = {1, 2, 3, 4, 100};
    omen_ransac a, b;
    cr_assert(omen_stats_ransac_line(x, y, 5, 0, 7, &a, NULL));
    /* median 3, |y - 3| = [2, 1, 0, 1, 97], median 1 */
    near(a.threshold, 1, 0, "MAD");
    cr_assert(omen_stats_ransac_line(x, y, 5, 0, 7, &b, NULL));
    cr_assert(memcmp(&a, &b, sizeof a) == 0);
    cr_assert(omen_stats_ransac_line(x, y, 5, 0.25, 7, &b, NULL));
    near(b.threshold, 0.25, 0, "given threshold");
    cr_assert_eq(b.inliers, 4);
}

Test(stats, ransac_without_consensus_fails)
{
    const double x[3] = {1, 2, 3}, y[3] = {NAN, NAN, NAN};
    omen_ransac r;
    cr_assert_not(omen_stats_ransac_line(x, y, 3, 0, 1, &r, NULL));
    cr_assert_not(omen_stats_ransac_line(x, y, 1, 0, 1, &r, NULL));
    cr_assert_eq(r.inliers, 0);
}

Test(stats, ransac_ties_in_inlier_count_go_to_the_better_fit)
{
    /* Two groups of 5: a noisy one near y = 0 and an exact one at y = 10. A pair inside either
     * group gives 5 inliers; the exact group scores R^2 1, so it must win whenever the trial
     * loop (16 trials at an inlier ratio of 0.5) meets it, whatever came first. */
    const double x[10] = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4};
    const double y[10] = {0.1, -0.1, 0.05, -0.05, 0.1, 10, 10, 10, 10, 10};
    int exact = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        omen_ransac r;
        cr_assert(omen_stats_ransac_line(x, y, 10, 1.0, seed, &r, NULL));
        cr_assert_eq(r.inliers, 5);
        exact += r.intercept == 10 && r.slope == 0;
    }
    cr_assert_geq(exact, 18, "the exact group won for %d of 20 seeds", exact);
}
