/* counts_unsorted.c: the HHI and a top-k share of whole counts without sorting them, with the
 * bits omen_metrics_measure_counts gives: for callers that measure many settings of one period
 * and need one measure each (omen robustness), the sort would be most of the cost. */
#include <string.h>

#include "metrics.h"

static int bit_length(uint64_t v)
{
    int b = 0;
    for (; v; v >>= 1)
        b++;
    return b;
}

/* omen_metrics_measure_counts' exact path: the conditions under which it sums in integers. */
static bool exact_path(size_t n, uint64_t total)
{
    return total < ((uint64_t)1 << 53) && n <= UINT32_MAX &&
           bit_length(n) + 2 * bit_length(total) <= 126;
}

bool omen_metrics_hhi_of_sums(size_t n, uint64_t total, omen_u128 squares, double *hhi)
{
    if (n == 0 || total == 0) {
        *hhi = 0;
        return true;
    }
    if (!exact_path(n, total))
        return false;
    /* measure_runs' ratio of the exact sums, rounded once */
    omen_u128 t2 = (omen_u128)total * total;
    double h = (double)((long double)squares / (long double)t2);
    *hhi = h > 1 ? 1 : h;
    return true;
}

/* A min-heap of the k largest counts seen. */
static void sift_down(uint64_t *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < n && h[l] < h[s])
            s = l;
        if (r < n && h[r] < h[s])
            s = r;
        if (s == i)
            return;
        uint64_t t = h[i];
        h[i] = h[s];
        h[s] = t;
        i = s;
    }
}

bool omen_metrics_counts_top(const uint64_t *counts, size_t n, uint64_t total, size_t k,
                             uint64_t *heap, double *share)
{
    if (n == 0 || total == 0) {
        *share = n > 0 && k >= n ? 1 : 0;
        return true;
    }
    if (!exact_path(n, total))
        return false;
    if (k >= n) {
        *share = 1;
        return true;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = counts[i];
        if (m < k) {
            heap[m++] = x;
            if (m == k)
                for (size_t j = k / 2; j-- > 0;)
                    sift_down(heap, k, j);
        } else if (x > heap[0]) {
            heap[0] = x;
            sift_down(heap, k, 0);
        }
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < m; i++)
        sum += heap[i];
    *share = (double)sum / (double)total;
    return true;
}
