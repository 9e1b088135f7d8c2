/* test_metrics_fast.c: the fast paths of the measures give the same bits as the plain ones:
 * the sort into a copy against the in-place sort, and the fused measures (with and without
 * entropy) against the single-measure functions; and the exact measures of whole counts
 * (omen_metrics_measure_counts) by hand and against the compensated path. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/metrics/metrics.h"

static uint64_t rng = 88172645463325252ull;

static double draw(int kind)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    switch (kind) {
    case 0: /* download counts, heavy tailed */
        return (double)(1 + (rng % 1000) * (rng % 1000) * (rng % 97));
    case 1: /* fractional credit */
        return (double)(rng % 100000) / 7.0 + 1e-3;
    case 3: /* mostly small counts, one in a hundred large (the sort of counts splits them) */
        return rng % 100 == 0 ? (double)(1000000 + rng % 100000) : (double)(rng % 2048);
    default: /* all equal */
        return 5.0;
    }
}

Test(metrics_fast, sort_copy_matches_sort_in_place)
{
    size_t sizes[] = {0, 1, 63, 64, 65, 1000, 4097, 50000};
    for (int kind = 0; kind < 3; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            double *src = malloc((n + 1) * sizeof *src), *keep = malloc((n + 1) * sizeof *keep);
            double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
            double *scratch = malloc((n + 1) * sizeof *scratch);
            for (size_t i = 0; i < n; i++)
                src[i] = draw(kind);
            memcpy(keep, src, n * sizeof *src);
            memcpy(a, src, n * sizeof *src);
            omen_metrics_sort(a, n);
            omen_metrics_sort_copy(src, b, n, s % 2 ? scratch : NULL);
            cr_assert(n == 0 || memcmp(a, b, n * sizeof *a) == 0, "kind %d n %zu: sorted", kind, n);
            cr_assert(n == 0 || memcmp(src, keep, n * sizeof *src) == 0, "kind %d n %zu: source",
                      kind, n);
            free(src);
            free(keep);
            free(a);
            free(b);
            free(scratch);
        }
}

Test(metrics_fast, fused_measures_equal_single_measures_bit_for_bit)
{
    static const uint32_t cuts[4] = {1, 10, 100, 1000};
    size_t sizes[] = {1, 2, 3, 11, 150, 1001, 20000};
    for (int kind = 0; kind < 3; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            double *v = malloc(n * sizeof *v);
            for (size_t i = 0; i < n; i++)
                v[i] = draw(kind);
            omen_metrics_sort(v, n);
            omen_measures with, without;
            omen_metrics_compute(v, n, cuts, 4, &with);
            omen_metrics_compute_ex(v, n, cuts, 4, false, &without);
            cr_assert_eq(with.hhi, omen_metrics_hhi(v, n), "kind %d n %zu: hhi", kind, n);
            cr_assert_eq(with.gini, omen_metrics_gini(v, n), "kind %d n %zu: gini", kind, n);
            cr_assert_eq(with.entropy, omen_metrics_entropy(v, n), "kind %d n %zu", kind, n);
            cr_assert_eq(with.top[1], omen_metrics_top_share(v, n, 10), "kind %d n %zu", kind, n);
            cr_assert_eq(without.entropy, 0.0);
            cr_assert_eq(without.theil, 0.0);
            cr_assert_eq(with.cr4, omen_metrics_top_share(v, n, 4), "kind %d n %zu", kind, n);
            cr_assert_eq(with.cr8, omen_metrics_top_share(v, n, 8), "kind %d n %zu", kind, n);
            without.entropy = with.entropy; /* the entropy and the Theil index built on it */
            without.theil = with.theil;
            cr_assert(memcmp(&with, &without, sizeof with) == 0, "kind %d n %zu: the rest", kind,
                      n);
            free(v);
        }
}

/* The engine's sorts (sorting where the buffers already are, and whole counts as integers) give
 * the bits of the in-place sort. */
Test(metrics_fast, spare_and_count_sorts_match_sort_in_place)
{
    size_t sizes[] = {0, 1, 63, 64, 65, 1000, 4097, 50000};
    for (int kind = 0; kind < 5; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            double *want = malloc((n + 1) * sizeof *want), *a = malloc((n + 1) * sizeof *a);
            double *spare = malloc((n + 1) * sizeof *spare);
            uint64_t *c = malloc((n + 1) * sizeof *c), *cspare = malloc((n + 1) * sizeof *c);
            for (size_t i = 0; i < n; i++)
                want[i] = draw(kind);
            memcpy(a, want, n * sizeof *a);
            for (size_t i = 0; i < n; i++)
                c[i] = (uint64_t)want[i];
            omen_metrics_sort(want, n);
            double *got = omen_metrics_sort_spare(a, spare, n);
            cr_assert(got == a || got == spare);
            cr_assert(n == 0 || memcmp(got, want, n * sizeof *a) == 0, "kind %d n %zu: spare", kind,
                      n);
            if (kind != 1) { /* whole counts */
                got = omen_metrics_sort_counts(c, cspare, n);
                cr_assert(got == (double *)(void *)c || got == (double *)(void *)cspare);
                cr_assert(n == 0 || memcmp(got, want, n * sizeof *a) == 0, "kind %d n %zu: counts",
                          kind, n);
            }
            free(want);
            free(a);
            free(spare);
            free(c);
            free(cspare);
        }
}

/* Measures of whole counts given their exact sum are those computed from the values alone. */
Test(metrics_fast, measures_of_counts_with_their_sum_are_the_same_bits)
{
    static const uint32_t cuts[4] = {1, 10, 100, 1000};
    size_t sizes[] = {0, 1, 2, 3, 11, 150, 1001, 20000};
    int kinds[] = {0, 2, 3};
    for (size_t kk = 0; kk < 3; kk++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            int kind = kinds[kk];
            size_t n = sizes[s];
            double *v = malloc((n + 1) * sizeof *v);
            uint64_t total = 0;
            for (size_t i = 0; i < n; i++) {
                v[i] = draw(kind);
                total += (uint64_t)v[i];
            }
            omen_metrics_sort(v, n);
            for (int entropy = 0; entropy < 2; entropy++) {
                omen_measures a, b;
                omen_metrics_compute_ex(v, n, cuts, 4, entropy, &a);
                omen_metrics_compute_counts(v, n, total, cuts, 4, entropy, &b);
                cr_assert(memcmp(&a, &b, sizeof a) == 0, "kind %d n %zu entropy %d", kind, n,
                          entropy);
            }
            free(v);
        }
}

/* ---- omen_metrics_measure_counts: exact sums of whole counts */

static void measure_counts_of(const uint64_t *values, size_t n, const uint32_t *cuts, size_t ncuts,
                              bool entropy, omen_measures *out)
{
    uint64_t *c = malloc((n + 1) * sizeof *c), *spare = malloc((n + 1) * sizeof *spare);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += c[i] = values[i];
    omen_metrics_measure_counts(c, spare, n, total, cuts, ncuts, entropy, out);
    free(c);
    free(spare);
}

/* Counts 2, 1, 1: sum of squares 6 over 4^2; (3*6 - 16) / (2*16); Gini weights -2, 0, 2 over
 * the ascending 1, 1, 2 give 2 / (3*4). */
Test(metrics_fast, exact_measures_of_counts_by_hand)
{
    static const uint32_t cuts[1] = {1};
    omen_measures m;
    measure_counts_of((const uint64_t[]){2, 1, 1}, 3, cuts, 1, false, &m);
    cr_assert_eq(m.entities, 3);
    cr_assert_eq(m.total, 4.0);
    cr_assert_eq(m.hhi, 0.375);
    cr_assert_eq(m.hhi_normalized, 0.0625);
    cr_assert_eq(m.gini, 1.0 / 6.0);
    cr_assert_eq(m.effective, 1.0 / 0.375);
    cr_assert_eq(m.top[0], 0.5);
    cr_assert_eq(m.top[1], 1.0);
    cr_assert_eq(m.nsegments, 2);
    cr_assert_eq(m.segments[0], 0.5);
    cr_assert_eq(m.segments[1], 0.5);
    measure_counts_of((const uint64_t[]){5}, 1, cuts, 1, false, &m);
    cr_assert(m.hhi == 1 && m.hhi_normalized == 1 && m.gini == 0 && m.top[0] == 1);
    measure_counts_of(NULL, 0, cuts, 1, false, &m);
    cr_assert(m.entities == 0 && m.hhi == 0 && m.top[0] == 0 && m.nsegments == 2);
    uint64_t equal[1000];
    for (size_t i = 0; i < 1000; i++)
        equal[i] = 7;
    measure_counts_of(equal, 1000, cuts, 1, false, &m);
    cr_assert_eq(m.hhi, 0.001);
    cr_assert_eq(m.hhi_normalized, 0.0, "an even split: exactly 0, got %g", m.hhi_normalized);
    cr_assert_eq(m.gini, 0.0);
}

static bool within_ulps(double a, double b, double ulps)
{
    return fabs(a - b) <= ulps * 2.220446049250313e-16 * fabs(b);
}

/* The shares and the entropy are the compensated path's bits (the shares are exact integer sums
 * over the total); the HHI, normalised HHI and Gini agree with it to its own error
 * (tests/crosscheck/test_metrics_numpy.py checks them against exact fractions); past 2^53 it
 * is that path. */
Test(metrics_fast, exact_measures_of_counts_against_the_compensated_path)
{
    static const uint32_t cuts[4] = {1, 10, 100, 1000};
    size_t sizes[] = {1, 2, 3, 11, 63, 64, 65, 150, 1001, 20000};
    for (int kind = 0; kind < 4; kind += 3)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            uint64_t *c = malloc(n * sizeof *c);
            double *v = malloc(n * sizeof *v);
            for (size_t i = 0; i < n; i++)
                v[i] = (double)(c[i] = (uint64_t)draw(kind) + 1);
            omen_metrics_sort(v, n);
            omen_measures without;
            measure_counts_of(c, n, cuts, 4, false, &without);
            for (int entropy = 0; entropy < 2; entropy++) {
                omen_measures a, b;
                omen_metrics_compute_ex(v, n, cuts, 4, entropy, &a);
                measure_counts_of(c, n, cuts, 4, entropy, &b);
                cr_assert(memcmp(&a.entropy, &b.entropy, sizeof a.entropy) == 0,
                          "kind %d n %zu: entropy", kind, n);
                cr_assert(memcmp(&a.theil, &b.theil, sizeof a.theil) == 0, "kind %d n %zu: theil",
                          kind, n);
                cr_assert(a.cr4 == b.cr4 && a.cr8 == b.cr8, "kind %d n %zu: cr4, cr8", kind, n);
                /* asking for the entropy moves no other measure */
                b.entropy = 0;
                b.theil = 0;
                cr_assert(memcmp(&b, &without, sizeof b) == 0, "kind %d n %zu", kind, n);
                cr_assert(a.entities == b.entities && a.total == b.total, "kind %d n %zu", kind, n);
                cr_assert(memcmp(a.top, b.top, sizeof a.top) == 0, "kind %d n %zu: top", kind, n);
                cr_assert(a.nsegments == b.nsegments &&
                              memcmp(a.segments, b.segments, sizeof a.segments) == 0,
                          "kind %d n %zu: segments", kind, n);
                cr_assert(within_ulps(b.hhi, a.hhi, 4), "kind %d n %zu: hhi %.17g %.17g", kind, n,
                          b.hhi, a.hhi);
                cr_assert(within_ulps(b.gini, a.gini, 4), "kind %d n %zu: gini", kind, n);
                cr_assert(fabs(b.hhi_normalized - a.hhi_normalized) <= 1e-15 * a.hhi + 1e-300,
                          "kind %d n %zu: normalised hhi %.17g %.17g", kind, n, b.hhi_normalized,
                          a.hhi_normalized);
            }
            free(c);
            free(v);
        }
    /* a total past 2^53: the compensated path, bit for bit */
    uint64_t big[3] = {(uint64_t)1 << 52, (uint64_t)1 << 52, 3};
    double vb[3] = {3.0, 4503599627370496.0, 4503599627370496.0};
    omen_measures a, b;
    omen_metrics_compute_ex(vb, 3, cuts, 4, false, &a);
    measure_counts_of(big, 3, cuts, 4, false, &b);
    cr_assert(memcmp(&a, &b, sizeof a) == 0);
}
