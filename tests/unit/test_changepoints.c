/* test_changepoints.c: unit tests of PELT and the noise scale (src/stats/changepoints.c):
 * planted steps, the minimum segment length, the edge cases, and PELT against optimal
 * partitioning (Jackson et al. 2005) written out here in O(n^2) on random series. The
 * cross-check against an independent Python implementation is
 * tests/crosscheck/test_changes_pelt.py. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../src/stats/stats.h"

/* A small deterministic generator (xorshift64*) and Box-Muller normals. */
static uint64_t rng_state = 88172645463325252ull;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static double normal(void)
{
    double u = uniform(), v = uniform();
    return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* Optimal partitioning: F(t) = min over the starts s of a last segment of at least m values
 * of F(s) + C(s..t) + beta, the cost summed directly from the segment's mean. */
static double direct_cost(const double *y, size_t from, size_t to)
{
    double mean = 0, c = 0;
    for (size_t i = from; i < to; i++)
        mean += y[i];
    mean /= (double)(to - from);
    for (size_t i = from; i < to; i++)
        c += (y[i] - mean) * (y[i] - mean);
    return c;
}

static size_t optimal_partitioning(const double *y, size_t n, double beta, size_t m, size_t *ends)
{
    if (n < 2 * m) {
        ends[0] = n;
        return 1;
    }
    double *f = malloc((n + 1) * sizeof *f);
    size_t *last = malloc((n + 1) * sizeof *last), k = 0;
    f[0] = -beta;
    for (size_t t = m; t <= n; t++) {
        f[t] = INFINITY;
        for (size_t s = 0; s + m <= t; s = s ? s + 1 : m) {
            double v = f[s] + direct_cost(y, s, t) + beta;
            if (v < f[t]) {
                f[t] = v;
                last[t] = s;
            }
        }
    }
    for (size_t t = n; t > 0; t = last[t])
        ends[k++] = t;
    for (size_t i = 0; i < k / 2; i++) {
        size_t x = ends[i];
        ends[i] = ends[k - 1 - i];
        ends[k - 1 - i] = x;
    }
    free(f);
    free(last);
    return k;
}

Test(changepoints, planted_steps_are_found)
{
    /* means 0, 5, 2 over 30, 20, 25 values, noise sd 0.5: the BIC penalty 2 ln n finds the
     * two steps exactly */
    double y[75];
    for (size_t i = 0; i < 75; i++)
        y[i] = (i < 30 ? 0 : i < 50 ? 5 : 2) + 0.5 * normal();
    size_t ends[76];
    double cost;
    size_t k = omen_stats_pelt(y, 75, 2 * log(75.0) * 0.25, 4, ends, &cost);
    cr_assert_eq(k, 3);
    cr_assert_eq(ends[0], 30);
    cr_assert_eq(ends[1], 50);
    cr_assert_eq(ends[2], 75);
    double want = direct_cost(y, 0, 30) + direct_cost(y, 30, 50) + direct_cost(y, 50, 75);
    cr_assert(fabs(cost - want) <= 1e-9 * want, "cost %.17g, want %.17g", cost, want);
}

Test(changepoints, minimum_segment_is_respected)
{
    /* a 2-value blip: found with m = 1 or 2, absorbed with m = 3 */
    double y[20] = {0};
    y[9] = y[10] = 10;
    size_t ends[21];
    size_t k = omen_stats_pelt(y, 20, 1.0, 2, ends, NULL);
    cr_assert_eq(k, 3);
    cr_assert_eq(ends[0], 9);
    cr_assert_eq(ends[1], 11);
    k = omen_stats_pelt(y, 20, 1.0, 3, ends, NULL);
    for (size_t i = 0, from = 0; i < k; from = ends[i++])
        cr_assert_geq(ends[i] - from, 3, "segment %zu has %zu values", i, ends[i] - from);
    cr_assert_eq(ends[k - 1], 20);
}

Test(changepoints, edge_cases)
{
    size_t ends[8];
    double cost = -1;
    cr_assert_eq(omen_stats_pelt(NULL, 0, 1.0, 4, ends, &cost), 0);
    cr_assert_eq(cost, 0);
    /* shorter than two minimum segments: one segment */
    const double short_y[7] = {0, 0, 0, 9, 9, 9, 9};
    cr_assert_eq(omen_stats_pelt(short_y, 7, 0.1, 4, ends, NULL), 1);
    cr_assert_eq(ends[0], 7);
    /* a constant series: one segment at any penalty */
    const double flat[6] = {3, 3, 3, 3, 3, 3};
    cr_assert_eq(omen_stats_pelt(flat, 6, 0.0, 1, ends, &cost), 1);
    cr_assert_eq(cost, 0);
    /* distinct values, no penalty, m = 1 (0 counts as 1): every value is a segment */
    const double distinct[5] = {1, 4, 2, 8, 5};
    cr_assert_eq(omen_stats_pelt(distinct, 5, 0.0, 0, ends, NULL), 5);
    /* a huge penalty: one segment */
    cr_assert_eq(omen_stats_pelt(distinct, 5, 1e9, 1, ends, NULL), 1);
}

Test(changepoints, far_from_zero_does_not_lose_the_steps)
{
    /* the same steps on top of 1e9: the prefix sums are centred, so nothing cancels away */
    double y[40];
    for (size_t i = 0; i < 40; i++)
        y[i] = 1e9 + (i < 20 ? 0.0 : 1.0) + 0.01 * (double)(i % 3);
    size_t ends[41];
    cr_assert_eq(omen_stats_pelt(y, 40, 0.5, 4, ends, NULL), 2);
    cr_assert_eq(ends[0], 20);
}

Test(changepoints, pelt_equals_optimal_partitioning)
{
    /* random planted series with every minimum segment length from 1 to 6 and penalties from
     * tiny (many segments: where pruning with a minimum length is delicate) to large */
    static const double betas[] = {0.05, 0.5, 2.0, 8.0, 40.0};
    double y[150];
    size_t a[151], b[151];
    for (int rep = 0; rep < 300; rep++) {
        size_t n = 5 + (size_t)(uniform() * 140), m = 1 + (size_t)(uniform() * 6);
        double level = 0;
        for (size_t i = 0; i < n; i++) {
            if (uniform() < 0.08)
                level += 3 * normal();
            y[i] = level + normal();
        }
        double beta = betas[rep % 5];
        size_t ka = omen_stats_pelt(y, n, beta, m, a, NULL);
        size_t kb = optimal_partitioning(y, n, beta, m, b);
        cr_assert_eq(ka, kb, "rep %d (n %zu, m %zu, beta %g): %zu segments, OP %zu", rep, n, m,
                     beta, ka, kb);
        for (size_t i = 0; i < ka; i++)
            cr_assert_eq(a[i], b[i], "rep %d: segment %zu ends at %zu, OP %zu", rep, i, a[i], b[i]);
    }
}

Test(changepoints, diff_sigma)
{
    bool fallback = true;
    /* differences 1, -1, 2, -2, 1: median 1, absolute deviations 0, 2, 1, 3, 0: median 1 */
    const double y[6] = {0, 1, 0, 2, 0, 1};
    cr_assert_float_eq(omen_stats_diff_sigma(y, 6, &fallback), 1.4826 / sqrt(2.0), 1e-15);
    cr_assert(!fallback);
    /* differences 1, 1, 1, 6: MAD 0, so the sd of the differences (2.5) / sqrt(2) */
    const double z[5] = {1, 2, 3, 4, 10};
    cr_assert_float_eq(omen_stats_diff_sigma(z, 5, &fallback), 2.5 / sqrt(2.0), 1e-15);
    cr_assert(fallback);
    const double flat[4] = {2, 2, 2, 2};
    cr_assert_eq(omen_stats_diff_sigma(flat, 4, NULL), 0);
    cr_assert_eq(omen_stats_diff_sigma(flat, 1, NULL), 0);
}
