/* test_counts_unsorted.c: the HHI and top-k shares of whole counts without a sort
 * (src/metrics/counts_unsorted.c, for omen robustness) give the bits of
 * omen_metrics_measure_counts, which `omen concentration` measures with, on random counts of
 * several shapes and sizes, in any order; and they decline a total past the exact range. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/metrics/metrics.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t draw(int kind)
{
    uint64_t r = next();
    switch (kind) {
    case 0: /* heavy tailed */
        return 1 + (r % 1000) * (r % 1000) * (r % 97);
    case 1: /* mostly small counts (measure_counts keeps them as runs) */
        return r % 100 == 0 ? 1000000 + r % 100000 : 1 + r % 2048;
    case 2: /* many ties */
        return 1 + r % 3;
    default: /* large, near 2^40 */
        return ((uint64_t)1 << 40) - (r % 1000000);
    }
}

Test(counts_unsorted, same_bits_as_measure_counts)
{
    size_t sizes[] = {1, 2, 3, 10, 11, 63, 64, 65, 1000, 4097, 50000};
    size_t ks[] = {1, 4, 10, 100, 1000};
    for (int kind = 0; kind < 4; kind++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            uint64_t *c = malloc(n * sizeof *c), *work = malloc(n * sizeof *work);
            uint64_t *spare = malloc(n * sizeof *spare), *heap = malloc(1000 * sizeof *heap);
            uint64_t total = 0;
            omen_u128 squares = 0;
            for (size_t i = 0; i < n; i++) {
                c[i] = draw(kind);
                total += c[i];
                squares += (omen_u128)c[i] * c[i];
            }
            for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
                uint32_t cut = (uint32_t)ks[j];
                omen_measures m;
                memcpy(work, c, n * sizeof *c);
                omen_metrics_measure_counts(work, spare, n, total, &cut, 1, false, &m);
                double hhi = -1, top = -1;
                if (total >= (uint64_t)1 << 53) { /* measure_counts' compensated path */
                    cr_assert(!omen_metrics_hhi_of_sums(n, total, squares, &hhi) && hhi == -1);
                    cr_assert(
                        ks[j] >= n ||
                        (!omen_metrics_counts_top(c, n, total, ks[j], heap, &top) && top == -1));
                    continue;
                }
                cr_assert(omen_metrics_hhi_of_sums(n, total, squares, &hhi));
                cr_assert(omen_metrics_counts_top(c, n, total, ks[j], heap, &top));
                double want_top = ks[j] >= n ? 1.0 : m.segments[0];
                cr_assert(memcmp(&hhi, &m.hhi, sizeof hhi) == 0,
                          "kind %d n %zu: hhi %.17g vs %.17g", kind, n, hhi, m.hhi);
                cr_assert(memcmp(&top, &want_top, sizeof top) == 0,
                          "kind %d n %zu k %zu: top %.17g vs %.17g", kind, n, ks[j], top, want_top);
                if (ks[j] == 10)
                    cr_assert(memcmp(&top, &m.top[1], sizeof top) == 0);
            }
            free(c);
            free(work);
            free(spare);
            free(heap);
        }
}

Test(counts_unsorted, empty_and_beyond_the_exact_range)
{
    double v = -1;
    cr_assert(omen_metrics_hhi_of_sums(0, 0, 0, &v) && v == 0);
    cr_assert(omen_metrics_counts_top(NULL, 0, 0, 10, NULL, &v) && v == 0);
    uint64_t big[2] = {(uint64_t)1 << 53, 1}, heap[1];
    v = -1;
    cr_assert(!omen_metrics_hhi_of_sums(2, big[0] + big[1], 0, &v) && v == -1);
    cr_assert(!omen_metrics_counts_top(big, 2, big[0] + big[1], 1, heap, &v) && v == -1);
}
