/* metrics_driver.c: reads amounts from stdin and prints every measure of src/metrics, so that
 * tests/crosscheck/test_metrics_numpy.py can compare them with numpy and scipy.
 *
 * Usage: metrics_driver [--cuts 1,10,100,1000] [--lorenz POINTS] < values (whitespace-separated,
 * as Python's repr writes them). Output: one "name value..." line per measure, %.17g; when the
 * values are whole counts, also the measures of omen_metrics_measure_counts ("counts_..."). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/metrics/metrics.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *read_values(size_t *n_out)
{
    size_t n = 0, cap = 1024;
    double *v = malloc(cap * sizeof *v);
    double x;
    while (v && scanf("%lf", &x) == 1) {
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            if (!v)
                break;
        }
        v[n++] = x;
    }
    if (!v) {
        fprintf(stderr, "metrics_driver: out of memory\n");
        exit(1);
    }
    *n_out = n;
    return v;
}

static size_t parse_cuts(const char *s, uint32_t *cuts)
{
    size_t n = 0;
    while (*s && n < 8) {
        char *end;
        cuts[n++] = (uint32_t)strtoul(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
        if (end == s && *s != '\0')
            break;
    }
    return n;
}

static void print_list(const char *name, const double *v, size_t n)
{
    printf("%s", name);
    for (size_t i = 0; i < n; i++)
        printf(" %.17g", v[i]);
    printf("\n");
}

/* Keys are prefixed: "" for omen_metrics_compute, "counts_" for omen_metrics_measure_counts. */
static void print_measures(const char *pre, const omen_measures *m)
{
    printf("%sn %zu\n", pre, m->entities);
    printf("%stotal %.17g\n%shhi %.17g\n%shhi_normalized %.17g\n%sgini %.17g\n", pre, m->total, pre,
           m->hhi, pre, m->hhi_normalized, pre, m->gini);
    printf("%sentropy %.17g\n%seffective %.17g\n", pre, m->entropy, pre, m->effective);
    char key[32];
    snprintf(key, sizeof key, "%stop", pre);
    print_list(key, m->top, 3);
    snprintf(key, sizeof key, "%ssegments", pre);
    print_list(key, m->segments, m->nsegments);
}

int main(int argc, char **argv)
{
    uint32_t cuts[8] = {1, 10, 100, 1000};
    size_t ncuts = 4, points = 101;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--cuts") == 0)
            ncuts = parse_cuts(argv[i + 1], cuts);
        else if (strcmp(argv[i], "--lorenz") == 0)
            points = strtoul(argv[i + 1], NULL, 10);
    }
    size_t n;
    double *v = read_values(&n);
    /* the single measures that accept any order, before sorting */
    printf("hhi_unsorted %.17g\n", omen_metrics_hhi(v, n));
    printf("entropy_unsorted %.17g\n", omen_metrics_entropy(v, n));
    double *want = malloc((n ? n : 1) * sizeof *want);
    memcpy(want, v, n * sizeof *v);
    qsort(want, n, sizeof *want, cmp_double);
    /* the engine's sorts: with a spare buffer, and of whole counts (when the values are) */
    double *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
    memcpy(a, v, n * sizeof *v);
    double *got = omen_metrics_sort_spare(a, b, n);
    printf("spare_sorted_like_qsort %d\n", memcmp(got, want, n * sizeof *v) == 0);
    bool whole = true;
    for (size_t i = 0; i < n && whole; i++)
        whole = v[i] >= 1 && v[i] < 9007199254740992.0 && v[i] == (double)(uint64_t)v[i];
    if (whole) {
        uint64_t *c = malloc((n ? n : 1) * sizeof *c), *spare = malloc((n ? n : 1) * sizeof *spare);
        for (size_t i = 0; i < n; i++)
            c[i] = (uint64_t)v[i];
        got = omen_metrics_sort_counts(c, spare, n);
        printf("counts_sorted_like_qsort %d\n", memcmp(got, want, n * sizeof *v) == 0);
        /* the measures of whole counts, as the engine takes them (entropy apart) */
        uint64_t total = 0;
        for (size_t i = 0; i < n; i++)
            total += c[i] = (uint64_t)v[i];
        omen_measures cm;
        omen_metrics_measure_counts(c, spare, n, total, cuts, ncuts, false, &cm);
        print_measures("counts_", &cm);
        free(c);
        free(spare);
    }
    free(a);
    free(b);
    omen_metrics_sort(v, n);
    printf("sorted_like_qsort %d\n", memcmp(v, want, n * sizeof *v) == 0);
    omen_measures m;
    omen_metrics_compute(v, n, cuts, ncuts, &m);
    print_measures("", &m);
    printf("gini_single %.17g\n", omen_metrics_gini(v, n));
    double tops[3] = {omen_metrics_top_share(v, n, 1), omen_metrics_top_share(v, n, 10),
                      omen_metrics_top_share(v, n, 100)};
    print_list("top_single", tops, 3);
    double *pop = malloc(points * sizeof *pop), *share = malloc(points * sizeof *share);
    omen_metrics_lorenz(v, n, points, pop, share);
    print_list("lorenz_pop", pop, points);
    print_list("lorenz_share", share, points);
    free(pop);
    free(share);
    free(want);
    free(v);
    return 0;
}
