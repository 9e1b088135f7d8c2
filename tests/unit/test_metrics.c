/* test_metrics.c: unit tests of the concentration measures on hand-computed cases, and of the
 * radix sort against qsort on awkward data (zeros, denormals, huge values, duplicates). */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/metrics/metrics.h"

static const uint32_t CUTS[4] = {1, 10, 100, 1000};

static void near(double got, double want, double tol, const char *what)
{
    cr_assert(fabs(got - want) <= tol, "%s: got %.17g, want %.17g", what, got, want);
}

static omen_measures measure(const double *sorted, size_t n)
{
    omen_measures m;
    omen_metrics_compute(sorted, n, CUTS, 4, &m);
    return m;
}

/* ---------------------------------------------------------------- hand-computed cases */

Test(metrics, empty_period_is_all_zero)
{
    omen_measures m = measure(NULL, 0);
    cr_assert_eq(m.entities, 0);
    cr_assert_eq(m.total, 0);
    cr_assert_eq(m.hhi, 0);
    cr_assert_eq(m.hhi_normalized, 0);
    cr_assert_eq(m.gini, 0);
    cr_assert_eq(m.effective, 0);
    cr_assert_eq(m.top[0], 0);
    cr_assert_eq(m.nsegments, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(m.segments[i], 0);
}

Test(metrics, single_entity)
{
    double v[1] = {1234.5};
    omen_measures m = measure(v, 1);
    cr_assert_eq(m.entities, 1);
    cr_assert_eq(m.total, 1234.5);
    cr_assert_eq(m.hhi, 1.0);
    cr_assert_eq(m.hhi_normalized, 1.0, "1 when N = 1 (the formula is 0/0)");
    cr_assert_eq(m.gini, 0.0);
    cr_assert_eq(m.entropy, 0.0);
    cr_assert_eq(m.effective, 1.0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(m.top[i], 1.0);
    cr_assert_eq(m.segments[0], 1.0);
    for (int i = 1; i < 5; i++)
        cr_assert_eq(m.segments[i], 0.0, "segments beyond N hold nothing");
}

Test(metrics, two_equal_entities)
{
    double v[2] = {7, 7};
    omen_measures m = measure(v, 2);
    cr_assert_eq(m.hhi, 0.5);
    cr_assert_eq(m.hhi_normalized, 0.0);
    cr_assert_eq(m.gini, 0.0);
    near(m.entropy, log(2.0), 1e-15, "entropy");
    cr_assert_eq(m.effective, 2.0);
    cr_assert_eq(m.top[0], 0.5);
    cr_assert_eq(m.top[1], 1.0);
    cr_assert_eq(m.segments[0], 0.5);
    cr_assert_eq(m.segments[1], 0.5);
}

Test(metrics, gini_of_1_2_3_4_is_a_quarter)
{
    /* 2 * (1 + 4 + 9 + 16) / (4 * 10) - 5/4 = 60/40 - 5/4 = 1/4 */
    double v[4] = {1, 2, 3, 4};
    cr_assert_eq(omen_metrics_gini(v, 4), 0.25);
    omen_measures m = measure(v, 4);
    cr_assert_eq(m.gini, 0.25);
    cr_assert_eq(m.total, 10);
    near(m.hhi, 0.3, 1e-15, "hhi = (1 + 4 + 9 + 16) / 100");
    near(m.hhi_normalized, (0.3 - 0.25) / 0.75, 1e-15, "normalised hhi");
    cr_assert_eq(m.top[0], 0.4);
}

Test(metrics, gini_extremes)
{
    double v[5] = {0.5, 0.5, 0.5, 0.5, 98};
    /* one entity nearly everything: G -> (N-1)/N as the others shrink */
    near(omen_metrics_gini(v, 5), (2.0 * (0.5 + 1 + 1.5 + 2 + 490) / (5 * 100)) - 1.2, 1e-15,
         "gini");
    double eq[100];
    for (int i = 0; i < 100; i++)
        eq[i] = 3.25;
    cr_assert_eq(omen_metrics_gini(eq, 100), 0.0, "equal amounts give exactly 0");
}

Test(metrics, hhi_of_shares_half_three_two_tenths)
{
    double v[3] = {20, 30, 50};
    near(omen_metrics_hhi(v, 3), 0.38, 1e-15, "0.25 + 0.09 + 0.04");
    double unsorted[3] = {50, 20, 30};
    near(omen_metrics_hhi(unsorted, 3), 0.38, 1e-15, "order does not matter");
    omen_measures m = measure(v, 3);
    near(m.hhi_normalized, (0.38 - 1.0 / 3) / (1 - 1.0 / 3), 1e-15, "normalised");
    near(m.hhi_normalized, 0.07, 1e-15, "(0.38 - 1/3) / (2/3) = 0.07");
    near(m.effective, 1 / 0.38, 1e-12, "effective number");
}

Test(metrics, top_k_at_and_beyond_n)
{
    double v[3] = {1, 1, 2};
    cr_assert_eq(omen_metrics_top_share(v, 3, 0), 0.0);
    cr_assert_eq(omen_metrics_top_share(v, 3, 1), 0.5);
    cr_assert_eq(omen_metrics_top_share(v, 3, 2), 0.75);
    cr_assert_eq(omen_metrics_top_share(v, 3, 3), 1.0);
    cr_assert_eq(omen_metrics_top_share(v, 3, 100), 1.0);
    omen_measures m = measure(v, 3);
    cr_assert_eq(m.top[1], 1.0);
    cr_assert_eq(m.top[2], 1.0);
}

/* 1500 entities with amount = rank-dependent value, so each segment's sum is known in closed
 * form: ascending values 1..1500, rank r holds 1501 - r. */
Test(metrics, segments_on_1500_entities)
{
    size_t n = 1500;
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (double)(i + 1);
    omen_measures m = measure(v, n);
    double total = 1500.0 * 1501 / 2;
    /* sum of ranks a..b = sum of values (1501-b)..(1501-a) */
    double want[5];
    double bounds[6] = {0, 1, 10, 100, 1000, 1500};
    for (int s = 0; s < 5; s++) {
        double hi = 1501 - (bounds[s] + 1), lo = 1501 - bounds[s + 1];
        want[s] = (lo + hi) * (hi - lo + 1) / 2 / total;
    }
    cr_assert_eq(m.nsegments, 5);
    double sum = 0;
    for (int s = 0; s < 5; s++) {
        near(m.segments[s], want[s], 1e-15, "segment");
        sum += m.segments[s];
    }
    near(sum, 1.0, 1e-15, "segments sum to 1");
    near(m.segments[0], 1500 / total, 1e-16, "rank 1 is the largest");
    near(m.top[1], m.segments[0] + m.segments[1], 1e-15, "top-10 = ranks 1..10");
    near(m.top[2], m.segments[0] + m.segments[1] + m.segments[2], 1e-15, "top-100");
    free(v);
}

Test(metrics, segments_beyond_n_are_zero_and_rest)
{
    double v[12];
    for (int i = 0; i < 12; i++)
        v[i] = 1;
    omen_measures m = measure(v, 12);
    near(m.segments[0], 1.0 / 12, 1e-16, "rank 1");
    near(m.segments[1], 9.0 / 12, 1e-15, "ranks 2-10");
    near(m.segments[2], 2.0 / 12, 1e-15, "ranks 11-12 of 11-100");
    cr_assert_eq(m.segments[3], 0.0);
    cr_assert_eq(m.segments[4], 0.0);
    uint32_t none[1];
    omen_metrics_compute(v, 12, none, 0, &m);
    cr_assert_eq(m.nsegments, 1);
    cr_assert_eq(m.segments[0], 1.0, "no cuts: one segment, everything");
}

Test(metrics, ties_do_not_depend_on_order)
{
    double v[6] = {2, 2, 2, 5, 5, 5};
    omen_measures m = measure(v, 6);
    cr_assert_eq(m.top[0], 5.0 / 21);
    near(m.segments[1], 16.0 / 21, 1e-15, "ranks 2-6");
    /* 2 * (2 + 4 + 6 + 20 + 25 + 30) / (6 * 21) - 7/6 */
    near(m.gini, 2.0 * 87 / 126 - 7.0 / 6, 1e-15, "gini with ties");
}

Test(metrics, entropy_of_uniform_is_ln_n)
{
    for (size_t n = 1; n <= 1000; n *= 10) {
        double *v = malloc(n * sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = 42;
        near(omen_metrics_entropy(v, n), log((double)n), 1e-12, "ln N");
        omen_measures m = measure(v, n);
        near(m.effective, (double)n, 1e-9, "effective number N");
        free(v);
    }
    double w[3] = {1, 1, 2}; /* shares 1/4, 1/4, 1/2 */
    near(omen_metrics_entropy(w, 3), 1.5 * log(2.0), 1e-15, "H = 3/2 ln 2");
}

Test(metrics, lorenz_endpoints_and_interpolation)
{
    double v[4] = {1, 2, 3, 4};
    double pop[5], share[5];
    omen_metrics_lorenz(v, 4, 5, pop, share);
    /* points at 0, 1/4, ..., 1 land on the entities: cumulative 1, 3, 6, 10 of 10 */
    double want[5] = {0, 0.1, 0.3, 0.6, 1};
    for (int j = 0; j < 5; j++) {
        near(pop[j], j / 4.0, 0, "population share");
        near(share[j], want[j], 1e-15, "lorenz share");
    }
    double p3[3], s3[3];
    omen_metrics_lorenz(v, 4, 3, p3, s3);
    cr_assert_eq(s3[0], 0.0);
    near(s3[1], 0.3, 1e-15, "half of the entities hold 3 of 10");
    cr_assert_eq(s3[2], 1.0);
    /* between entities: 9 points put 1/8 halfway into the first entity: 0.5 of 1 of 10 */
    double p9[9], s9[9];
    omen_metrics_lorenz(v, 4, 9, p9, s9);
    near(s9[1], 0.05, 1e-15, "halfway into entity 1");
    near(s9[3], 0.2, 1e-15, "halfway into entity 2: (1 + 1) / 10");
    near(s9[7], 0.8, 1e-15, "halfway into entity 4: (6 + 2) / 10");
    cr_assert_eq(s9[8], 1.0);
}

Test(metrics, lorenz_single_and_empty)
{
    double v[1] = {9};
    double pop[3], share[3];
    omen_metrics_lorenz(v, 1, 3, pop, share);
    cr_assert_eq(share[0], 0.0);
    near(share[1], 0.5, 1e-15, "one entity: the diagonal");
    cr_assert_eq(share[2], 1.0);
    omen_metrics_lorenz(NULL, 0, 3, pop, share);
    cr_assert_eq(share[1], 0.5, "no entities: the line of equality");
}

Test(metrics, compensated_sum)
{
    /* 1e16 + many 1s: a naive sum loses every 1 */
    size_t n = 1001;
    double *v = malloc(n * sizeof *v);
    v[0] = 1e16;
    for (size_t i = 1; i < n; i++)
        v[i] = 1;
    cr_assert_eq(omen_metrics_sum(v, n), 1e16 + 1000);
    free(v);
}

/* ---------------------------------------------------------------- sort */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform01(void)
{
    return (double)(rng() >> 11) * 0x1.0p-53;
}

/* A mix of the values radix sorts get wrong first: zeros, denormals, the largest doubles,
 * duplicates, integers (shared low bits) and heavy tails. */
static double awkward(int kind)
{
    switch (kind % 8) {
    case 0:
        return 0.0;
    case 1:
        return DBL_TRUE_MIN * (double)(rng() % 1000 + 1); /* denormal */
    case 2:
        return DBL_MAX * uniform01();
    case 3:
        return (double)(rng() % 50); /* duplicates */
    case 4:
        return floor(exp(20 * uniform01()));
    case 5:
        return DBL_MIN * (1 + uniform01());
    case 6:
        return 1e300 * uniform01();
    default:
        return uniform01();
    }
}

static void check_sorted_like_qsort(double *v, size_t n)
{
    double *want = malloc((n ? n : 1) * sizeof *want);
    memcpy(want, v, n * sizeof *v);
    qsort(want, n, sizeof *want, cmp_double);
    omen_metrics_sort(v, n);
    cr_assert(memcmp(v, want, n * sizeof *v) == 0, "radix sort differs from qsort (n = %zu)", n);
    free(want);
}

Test(metrics_sort, matches_qsort_on_awkward_data)
{
    size_t sizes[] = {0, 1, 2, 3, 63, 64, 65, 100, 1000, 4097, 100000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        double *v = malloc((n ? n : 1) * sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = awkward((int)(rng() % 8));
        check_sorted_like_qsort(v, n);
        free(v);
    }
}

Test(metrics_sort, single_kind_data_skips_passes_correctly)
{
    size_t n = 20000;
    double *v = malloc(n * sizeof *v);
    for (int kind = 0; kind < 8; kind++) {
        for (size_t i = 0; i < n; i++)
            v[i] = awkward(kind);
        check_sorted_like_qsort(v, n);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (double)(n - i); /* descending integers */
    check_sorted_like_qsort(v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = 5.0; /* every digit shared: no pass at all */
    check_sorted_like_qsort(v, n);
    free(v);
}

Test(metrics_sort, negative_zero_and_negatives_still_sort)
{
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (i % 3 ? 1.0 : -1.0) * (double)(i % 17);
    omen_metrics_sort(v, 100);
    for (int i = 1; i < 100; i++)
        cr_assert(v[i - 1] <= v[i], "position %d", i);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Prints the speed for the record: with a reused scratch buffer (how the engine sorts period
 * after period) and with the allocating call (which pays a page fault per 4 KB of its fresh
 * buffer). Asserts only that radix beats qsort. */
Test(metrics_sort, faster_than_qsort_on_a_million)
{
    size_t n = 1000000;
    double *src = malloc(n * sizeof *src), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    double *scratch = malloc(n * sizeof *scratch);
    for (size_t i = 0; i < n; i++)
        src[i] = floor(exp(25 * uniform01())) + uniform01();
    for (size_t i = 0; i < n; i++)
        scratch[i] = 1.0; /* touched, as a reused buffer is (memset 0 would become calloc) */
    memcpy(a, src, n * sizeof *a);
    double t0 = seconds();
    omen_metrics_sort(a, n);
    double alloc = seconds() - t0;
    memcpy(a, src, n * sizeof *a);
    t0 = seconds();
    omen_metrics_sort_scratch(a, n, scratch);
    double warm = seconds() - t0;
    memcpy(b, src, n * sizeof *b);
    t0 = seconds();
    qsort(b, n, sizeof *b, cmp_double);
    double tq = seconds() - t0;
    cr_assert(memcmp(a, b, n * sizeof *a) == 0);
    cr_log_info("sort 1e6 doubles: radix %.1f M/s with scratch, %.1f M/s allocating; qsort %.1f "
                "M/s",
                n / warm / 1e6, n / alloc / 1e6, n / tq / 1e6);
    cr_assert(warm < tq, "radix %.3f s vs qsort %.3f s", warm, tq);
    free(src);
    free(a);
    free(b);
    free(scratch);
}

Test(metrics_sort, scratch_variant_matches)
{
    for (size_t n = 60; n < 5000; n = n * 3 + 1) {
        double *v = malloc(n * sizeof *v), *scratch = malloc(n * sizeof *scratch);
        for (size_t i = 0; i < n; i++) {
            v[i] = awkward((int)(rng() % 8));
            scratch[i] = -1.0; /* garbage the sort must not read */
        }
        double *want = malloc(n * sizeof *want);
        memcpy(want, v, n * sizeof *v);
        qsort(want, n, sizeof *want, cmp_double);
        omen_metrics_sort_scratch(v, n, scratch);
        cr_assert(memcmp(v, want, n * sizeof *v) == 0, "n = %zu", n);
        free(v);
        free(want);
        free(scratch);
    }
}

/* The 2023 Merger Guidelines bands at their thresholds: 1000 is moderately, 1800 still
 * moderately, just above 1800 highly. */
Test(metrics, merger_bands_at_thresholds)
{
    cr_assert_str_eq(omen_metrics_merger_band(0), "unconcentrated");
    cr_assert_str_eq(omen_metrics_merger_band(999.999), "unconcentrated");
    cr_assert_str_eq(omen_metrics_merger_band(1000), "moderately");
    cr_assert_str_eq(omen_metrics_merger_band(1800), "moderately");
    cr_assert_str_eq(omen_metrics_merger_band(1800.001), "highly");
    cr_assert_str_eq(omen_metrics_merger_band(10000), "highly");
}

/* Theil: 0 for an even split, ln N for one entity holding (nearly) all; the decomposition adds
 * up, and groups holding equal totals of equal members have no between part. */
Test(metrics, theil_and_decomposition)
{
    double even[] = {5, 5, 5, 5};
    cr_assert_float_eq(omen_metrics_theil(even, 4), 0, 1e-15);
    double x[] = {1, 2, 3, 10, 20, 64};
    uint32_t g[] = {0, 0, 1, 1, 2, 2};
    omen_theil_parts t;
    omen_metrics_theil_decompose(x, g, 6, 3, &t);
    cr_assert_float_eq(t.theil, omen_metrics_theil(x, 6), 1e-15);
    cr_assert_float_eq(t.between + t.within, t.theil, 1e-14);
    cr_assert_eq(t.groups, 3);
    double y[] = {1, 3, 1, 3};
    uint32_t h[] = {0, 0, 1, 1};
    omen_metrics_theil_decompose(y, h, 4, 2, &t);
    cr_assert_float_eq(t.between, 0, 1e-15);
    cr_assert_float_eq(t.within, t.theil, 1e-15);
}
