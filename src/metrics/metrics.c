/* metrics.c: concentration measures (HHI, Gini, top-k, segments, entropy, Lorenz) and the radix
 * sort that orders a period's amounts before they are measured.
 *
 * Sums of doubles are compensated (Neumaier) so a million amounts agree with numpy to ~1e-15
 * relative; whole counts are summed exactly in integers (omen_metrics_measure_counts). */
#include "metrics.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

/* ---------------------------------------------------------------- compensated sums */

/* Neumaier's variant of Kahan summation: also exact when a term is larger than the running
 * sum, which happens with heavy-tailed amounts summed in ascending order. */
typedef struct {
    double s, c;
} ksum;

static inline void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static inline double ksum_value(const ksum *k)
{
    return k->s + k->c;
}

/* Adds the product w*x with its rounding error (fma gives it exactly): the weighted sums of
 * the Gini are then as good as if the products were exact (Ogita, Rump and Oishi's Dot2). */
static inline void ksum_add_product(ksum *k, double w, double x)
{
    double p = w * x;
    ksum_add(k, p);
    k->c += fma(w, x, -p);
}

double omen_metrics_sum(const double *values, size_t n)
{
    ksum k = {0, 0};
    for (size_t i = 0; i < n; i++)
        ksum_add(&k, values[i]);
    return ksum_value(&k);
}

/* ---------------------------------------------------------------- sort */

#define RADIX_BITS   11
#define RADIX_SIZE   (1u << RADIX_BITS)
#define RADIX_MASK   (RADIX_SIZE - 1)
#define RADIX_PASSES 6 /* ceil(64 / 11) */

/* Maps a double's bits to a uint64 that sorts like the double: positives get the sign bit set,
 * negatives are inverted. Amounts are >= 0, but -0.0 and stray negatives then still sort. */
static inline uint64_t to_key(uint64_t bits)
{
    uint64_t mask = (uint64_t)0 - (bits >> 63);
    return bits ^ (mask | ((uint64_t)1 << 63));
}

static inline uint64_t from_key(uint64_t key)
{
    uint64_t mask = (key >> 63) - 1; /* all ones when the sign bit is clear: was negative */
    return key ^ (mask | ((uint64_t)1 << 63));
}

static void insertion_sort(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static inline unsigned digit(uint64_t key, int pass)
{
    return (unsigned)(key >> (pass * RADIX_BITS)) & RADIX_MASK;
}

/* Element i of a buffer of 8-byte items, read and written through memcpy: the caller's array
 * of doubles doubles as a buffer of keys without breaking the aliasing rules. */
static inline uint64_t load_bits(const unsigned char *buf, size_t i)
{
    uint64_t bits;
    memcpy(&bits, buf + 8 * i, sizeof bits);
    return bits;
}

static inline void store_bits(unsigned char *buf, size_t i, uint64_t bits)
{
    memcpy(buf + 8 * i, &bits, sizeof bits);
}

/* All digit histograms in one read of the values. 32-bit counters keep the six histograms in
 * 48 KB, near L1, which counts faster than 64-bit ones. */
static void radix_histograms(const unsigned char *values, size_t n, uint32_t (*hist)[RADIX_SIZE])
{
    for (size_t i = 0; i < n; i++) {
        uint64_t k = to_key(load_bits(values, i));
        for (int p = 0; p < RADIX_PASSES; p++)
            hist[p][digit(k, p)]++;
    }
}

/* Turns counts into bucket offsets. */
static void radix_offsets(uint32_t *hist)
{
    uint32_t sum = 0;
    for (size_t b = 0; b < RADIX_SIZE; b++) {
        uint32_t c = hist[b];
        hist[b] = sum;
        sum += c;
    }
}

/* One stable scatter by the digit of `pass`. The first pass reads doubles (making the keys on
 * the fly) and the last writes doubles, so there is no separate pass in or out. The flags are
 * constants at every call, so the compiler makes four loops without branches. */
static inline void scatter(const unsigned char *src, unsigned char *dst, size_t n, uint32_t *off,
                           int pass, bool from_doubles, bool to_doubles)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t k = load_bits(src, i);
        if (from_doubles)
            k = to_key(k);
        store_bits(dst, off[digit(k, pass)]++, to_doubles ? from_key(k) : k);
    }
}

static void scatter_pass(const unsigned char *src, unsigned char *dst, size_t n, uint32_t *off,
                         int pass, bool first, bool last)
{
    if (first && last)
        scatter(src, dst, n, off, pass, true, true);
    else if (first)
        scatter(src, dst, n, off, pass, true, false);
    else if (last)
        scatter(src, dst, n, off, pass, false, true);
    else
        scatter(src, dst, n, off, pass, false, false);
}

static int cmp_double(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

/* Runs the passes whose digit varies, ping-ponging between the caller's array and one buffer
 * (the scratch, or one allocated here). An odd number of passes ends in the buffer and is
 * copied back. */
static void radix_passes(double *values, size_t n, uint32_t (*hist)[RADIX_SIZE], double *scratch)
{
    unsigned char *buf[2] = {(unsigned char *)values, (unsigned char *)scratch};
    int passes[RADIX_PASSES], np = 0;
    uint64_t first = to_key(load_bits(buf[0], 0));
    for (int p = 0; p < RADIX_PASSES; p++)
        if (hist[p][digit(first, p)] != n)
            passes[np++] = p;
    if (np == 0)
        return; /* every key equal */
    unsigned char *own = scratch ? NULL : omen_xmalloc(n * sizeof *values);
    if (own)
        buf[1] = own;
    for (int i = 0; i < np; i++) {
        radix_offsets(hist[passes[i]]);
        scatter_pass(buf[i % 2], buf[(i + 1) % 2], n, hist[passes[i]], passes[i], i == 0,
                     i == np - 1);
    }
    if (np % 2)
        memcpy(values, buf[1], n * sizeof *values);
    free(own);
}

/* LSD radix sort on the IEEE-754 bits, 11 bits a pass. A pass whose digit is the same for every
 * key (the high exponent bits of amounts of similar magnitude, the low mantissa bits of
 * integers) is skipped, so download counts typically take 3 or 4 passes instead of 6. Beyond
 * 2^32 values (32 GB) the 32-bit counters would overflow: qsort takes those. */
void omen_metrics_sort_scratch(double *values, size_t n, double *scratch)
{
    if (n < 64) {
        insertion_sort(values, n);
        return;
    }
    if (n > UINT32_MAX) {
        qsort(values, n, sizeof *values, cmp_double);
        return;
    }
    uint32_t(*hist)[RADIX_SIZE] = omen_xcalloc(RADIX_PASSES, sizeof *hist);
    radix_histograms((const unsigned char *)values, n, hist);
    radix_passes(values, n, hist, scratch);
    free(hist);
}

/* Sorts a copy: the first pass reads `src` and the passes are arranged so the last one writes
 * `dst`, which saves the copy a caller would otherwise make before sorting in place (a pass over
 * every amount of every period). */
void omen_metrics_sort_copy(const double *src, double *dst, size_t n, double *scratch)
{
    if (n < 64 || n > UINT32_MAX) {
        memcpy(dst, src, n * sizeof *dst);
        omen_metrics_sort_scratch(dst, n, scratch);
        return;
    }
    uint32_t(*hist)[RADIX_SIZE] = omen_xcalloc(RADIX_PASSES, sizeof *hist);
    radix_histograms((const unsigned char *)src, n, hist);
    int passes[RADIX_PASSES], np = 0;
    uint64_t first = to_key(load_bits((const unsigned char *)src, 0));
    for (int p = 0; p < RADIX_PASSES; p++)
        if (hist[p][digit(first, p)] != n)
            passes[np++] = p;
    if (np == 0) {
        memcpy(dst, src, n * sizeof *dst);
        free(hist);
        return;
    }
    unsigned char *own = scratch ? NULL : omen_xmalloc(n * sizeof *dst);
    unsigned char *tmp = scratch ? (unsigned char *)scratch : own;
    /* Pass i writes buf[i % 2]; the last (np - 1) must write dst. */
    unsigned char *buf[2] = {np % 2 ? (unsigned char *)dst : tmp,
                             np % 2 ? tmp : (unsigned char *)dst};
    const unsigned char *from = (const unsigned char *)src;
    for (int i = 0; i < np; i++) {
        radix_offsets(hist[passes[i]]);
        scatter_pass(from, buf[i % 2], n, hist[passes[i]], passes[i], i == 0, i == np - 1);
        from = buf[i % 2];
    }
    free(own);
    free(hist);
}

/* The passes of radix_passes without the copy back: the result stays in whichever buffer
 * the last pass wrote. */
double *omen_metrics_sort_spare(double *values, double *spare, size_t n)
{
    if (n < 64 || n > UINT32_MAX) {
        omen_metrics_sort_scratch(values, n, spare);
        return values;
    }
    uint32_t(*hist)[RADIX_SIZE] = omen_xcalloc(RADIX_PASSES, sizeof *hist);
    radix_histograms((const unsigned char *)values, n, hist);
    unsigned char *buf[2] = {(unsigned char *)values, (unsigned char *)spare};
    int passes[RADIX_PASSES], np = 0;
    uint64_t first = to_key(load_bits(buf[0], 0));
    for (int p = 0; p < RADIX_PASSES; p++)
        if (hist[p][digit(first, p)] != n)
            passes[np++] = p;
    for (int i = 0; i < np; i++) {
        radix_offsets(hist[passes[i]]);
        scatter_pass(buf[i % 2], buf[(i + 1) % 2], n, hist[passes[i]], passes[i], i == 0,
                     i == np - 1);
    }
    free(hist);
    return (double *)(void *)buf[np % 2];
}

/* LSD radix passes over whole counts: an integer below 2^33 has 3 significant 11-bit digits,
 * where its IEEE bits vary in 4 (the exponent's and the mantissa's top). The last pass writes
 * each count as a double, exact below 2^53. Returns the buffer holding the result. */
static double *radix_counts(uint64_t *counts, uint64_t *spare, size_t n)
{
    double *as_doubles = (double *)(void *)counts;
    if (n < 64) {
        for (size_t i = 0; i < n; i++)
            as_doubles[i] = (double)counts[i];
        insertion_sort(as_doubles, n);
        return as_doubles;
    }
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= counts[i];
    int digits = 0;
    while (digits < RADIX_PASSES && (any >> (digits * RADIX_BITS)) != 0)
        digits++;
    uint32_t(*hist)[RADIX_SIZE] = omen_xcalloc(RADIX_PASSES, sizeof *hist);
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < digits; p++)
            hist[p][digit(counts[i], p)]++;
    int passes[RADIX_PASSES], np = 0;
    for (int p = 0; p < digits; p++)
        if (hist[p][digit(counts[0], p)] != n)
            passes[np++] = p;
    unsigned char *buf[2] = {(unsigned char *)counts, (unsigned char *)spare};
    for (int i = 0; i < np; i++) {
        uint32_t *off = hist[passes[i]];
        radix_offsets(off);
        const unsigned char *from = buf[i % 2];
        unsigned char *to = buf[(i + 1) % 2];
        int d = passes[i];
        if (i < np - 1) {
            for (size_t j = 0; j < n; j++) {
                uint64_t k = load_bits(from, j);
                store_bits(to, off[digit(k, d)]++, k);
            }
            continue;
        }
        for (size_t j = 0; j < n; j++) { /* the last pass writes doubles */
            uint64_t k = load_bits(from, j), bits;
            double x = (double)k;
            memcpy(&bits, &x, sizeof bits);
            store_bits(to, off[digit(k, d)]++, bits);
        }
    }
    free(hist);
    if (np == 0) /* every count equal */
        for (size_t i = 0; i < n; i++)
            as_doubles[i] = (double)counts[i];
    return (double *)(void *)buf[np % 2];
}

/* Download counts are mostly small: at full scale 99.4% of the weekly developer totals are
 * below 2048 (measured). Those are counted in one histogram and written out in order; only the
 * rest go through the radix passes. One read and one sequential write instead of a histogram
 * read and three scattering passes. */
enum { SMALL_COUNTS = 2048 };

/* Ascending whole counts as runs of equal values: the multiplicities of the small ones (NULL
 * when the counts were not split), then the others sorted as doubles. */
typedef struct {
    const uint32_t *small; /* [SMALL_COUNTS] */
    double *large;
    size_t nlarge;
} count_runs;

/* Splits and sorts counts into runs; `small` is the caller's histogram of SMALL_COUNTS. The
 * sorted doubles are in the memory of counts or of spare (n items each). */
static void runs_of_counts(uint64_t *counts, uint64_t *spare, size_t n, uint32_t *small,
                           count_runs *r)
{
    r->small = NULL;
    r->nlarge = n;
    if (n < 64) {
        r->large = radix_counts(counts, spare, n);
        return;
    }
    memset(small, 0, SMALL_COUNTS * sizeof *small);
    size_t nlarge = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = counts[i];
        if (v < SMALL_COUNTS)
            small[v]++;
        else
            spare[nlarge++] = v;
    }
    if (2 * nlarge > n) { /* mostly large: the radix passes on everything */
        r->large = radix_counts(counts, spare, n);
        return;
    }
    /* The large ones sort in spare, its second part their buffer. */
    r->small = small;
    r->large = radix_counts(spare, spare + nlarge, nlarge);
    r->nlarge = nlarge;
}

double *omen_metrics_sort_counts(uint64_t *counts, uint64_t *spare, size_t n)
{
    if (n > UINT32_MAX) {
        double *as_doubles = (double *)(void *)counts;
        for (size_t i = 0; i < n; i++)
            as_doubles[i] = (double)counts[i];
        omen_metrics_sort_scratch(as_doubles, n, (double *)(void *)spare);
        return as_doubles;
    }
    uint32_t small[SMALL_COUNTS];
    count_runs r;
    runs_of_counts(counts, spare, n, small, &r);
    if (!r.small)
        return r.large;
    /* All go out into counts' memory, small first (the large ones are in spare's). */
    double *out = (double *)(void *)counts;
    size_t at = 0;
    for (uint32_t v = 0; v < SMALL_COUNTS; v++)
        for (uint32_t c = small[v]; c > 0; c--)
            out[at++] = (double)v;
    memcpy(out + at, r.large, r.nlarge * sizeof *out);
    return out;
}

void omen_metrics_sort(double *values, size_t n)
{
    omen_metrics_sort_scratch(values, n, NULL);
}

/* ---------------------------------------------------------------- single measures */

/* Shares are formed before squaring so amounts up to DBL_MAX do not overflow. */
static double hhi_with_total(const double *values, size_t n, double total)
{
    if (n == 0 || !(total > 0))
        return 0;
    ksum k = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double s = values[i] / total;
        ksum_add_product(&k, s, s);
    }
    double h = ksum_value(&k);
    return h > 1 ? 1 : h; /* rounding could lift a single entity's 1.0 a hair above */
}

double omen_metrics_hhi(const double *values, size_t n)
{
    return hhi_with_total(values, n, omen_metrics_sum(values, n));
}

/* G = 2 sum(i x_i) / (N S) - (N + 1) / N is computed in the algebraically identical centred
 * form sum((2i - N - 1) x_i) / (N S): the weights sum to zero, so nothing cancels at the end
 * and an almost equal distribution keeps its small Gini to full relative precision. */
static double gini_with_total(const double *sorted, size_t n, double total)
{
    if (n < 2 || !(total > 0))
        return 0;
    ksum k = {0, 0};
    double w = 1.0 - (double)n; /* 2i - N - 1 at i = 1; exact for N < 2^52 */
    for (size_t i = 0; i < n; i++, w += 2.0)
        ksum_add_product(&k, w, sorted[i]);
    return ksum_value(&k) / ((double)n * total);
}

double omen_metrics_gini(const double *sorted, size_t n)
{
    return gini_with_total(sorted, n, omen_metrics_sum(sorted, n));
}

/* Sum of sorted[lo..hi) over the total; the caller clips the bounds to [0, n]. */
static double range_share(const double *sorted, size_t lo, size_t hi, double total)
{
    if (hi <= lo || !(total > 0))
        return 0;
    ksum k = {0, 0};
    for (size_t i = lo; i < hi; i++)
        ksum_add(&k, sorted[i]);
    return ksum_value(&k) / total;
}

/* Ranks r (1-based, descending) map to ascending index n - r: ranks lo+1..hi are the indices
 * [n - hi, n - lo). Ranks beyond N hold nothing. */
static double rank_share(const double *sorted, size_t n, size_t lo, size_t hi, double total)
{
    if (lo >= n)
        return 0;
    if (hi > n)
        hi = n;
    return range_share(sorted, n - hi, n - lo, total);
}

static double top_share_with_total(const double *sorted, size_t n, size_t k, double total)
{
    if (n == 0)
        return 0;
    if (k >= n)
        return 1;
    return rank_share(sorted, n, 0, k, total);
}

double omen_metrics_top_share(const double *sorted, size_t n, size_t k)
{
    return top_share_with_total(sorted, n, k, omen_metrics_sum(sorted, n));
}

static double entropy_with_total(const double *values, size_t n, double total)
{
    if (n < 2 || !(total > 0))
        return 0;
    ksum k = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double s = values[i] / total;
        if (s > 0)
            ksum_add(&k, -s * log(s));
    }
    return ksum_value(&k);
}

double omen_metrics_entropy(const double *values, size_t n)
{
    return entropy_with_total(values, n, omen_metrics_sum(values, n));
}

/* ---------------------------------------------------------------- Theil */

/* Summed term by term, s_i ln(N s_i), rather than as ln N - entropy: an even split then gives 0
 * to full precision instead of a difference of two nearly equal numbers. */
static double theil_with_total(const double *values, size_t n, double total)
{
    if (n < 2 || !(total > 0))
        return 0;
    ksum k = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double s = values[i] / total;
        if (s > 0)
            ksum_add(&k, s * log((double)n * s));
    }
    double t = ksum_value(&k);
    return t > 0 ? t : 0;
}

double omen_metrics_theil(const double *values, size_t n)
{
    return theil_with_total(values, n, omen_metrics_sum(values, n));
}

/* Three passes over the values (group totals and sizes; within-group terms; the groups), each a
 * compensated sum, so between + within equals the one-level index to rounding. */
void omen_metrics_theil_decompose(const double *values, const uint32_t *group, size_t n,
                                  size_t ngroups, omen_theil_parts *out)
{
    memset(out, 0, sizeof *out);
    ksum *sum = omen_xcalloc(ngroups ? ngroups : 1, sizeof *sum);
    ksum *within = omen_xcalloc(ngroups ? ngroups : 1, sizeof *within);
    size_t *count = omen_xcalloc(ngroups ? ngroups : 1, sizeof *count);
    for (size_t i = 0; i < n; i++) {
        ksum_add(&sum[group[i]], values[i]);
        count[group[i]]++;
    }
    double total = omen_metrics_sum(values, n);
    out->theil = theil_with_total(values, n, total);
    for (size_t i = 0; i < n && total > 0; i++) {
        uint32_t g = group[i];
        double xg = ksum_value(&sum[g]), s = values[i] / xg;
        if (s > 0) /* S_g T_g = sum over g of (x_i / X) ln(N_g x_i / X_g) */
            ksum_add(&within[g], values[i] / total * log((double)count[g] * s));
    }
    ksum between = {0, 0}, inside = {0, 0};
    for (size_t g = 0; g < ngroups && total > 0; g++) {
        if (!count[g])
            continue;
        out->groups++;
        double share = ksum_value(&sum[g]) / total;
        if (share > 0)
            ksum_add(&between, share * log(share * (double)n / (double)count[g]));
        ksum_add(&inside, ksum_value(&within[g]));
    }
    out->between = ksum_value(&between);
    out->within = ksum_value(&inside);
    free(sum);
    free(within);
    free(count);
}

/* ---------------------------------------------------------------- Merger Guidelines */

const char *omen_metrics_merger_band(double hhi_10000)
{
    if (hhi_10000 > 1800)
        return "highly";
    if (hhi_10000 >= 1000)
        return "moderately";
    return "unconcentrated";
}

/* ---------------------------------------------------------------- all at once */

/* The measures that read every value (HHI, normalised HHI, Gini, entropy and the last, largest
 * segment) in one loop instead of one loop each. Each measure keeps its own compensated sum fed
 * in the same order with the same operations as its single-measure function above, so the
 * results are bit for bit the same; the loop only lets the sums' dependency chains overlap.
 * `rest` is the end of the last segment's index range [0, rest), 0 for none. */
typedef struct {
    ksum hhi, norm, gini, entropy, rest;
} fused_sums;

static inline __attribute__((always_inline)) void
fused_step(fused_sums *f, double x, double total, double mean, double w, bool entropy, bool rest)
{
    double s = x / total;
    ksum_add_product(&f->hhi, s, s);
    /* Normalised HHI, (H - 1/N) / (1 - 1/N), in its deviation form (see below). */
    double d = (x - mean) / total;
    ksum_add_product(&f->norm, d, d);
    ksum_add_product(&f->gini, w, x);
    if (entropy && s > 0)
        ksum_add(&f->entropy, -s * log(s));
    if (rest)
        ksum_add(&f->rest, x);
}

static inline __attribute__((always_inline)) void
fused_loop(const double *v, size_t n, size_t rest, double total, bool entropy, fused_sums *f)
{
    double mean = total / (double)n, w = 1.0 - (double)n;
    size_t i = 0;
    if (entropy) {
        for (; i < rest; i++, w += 2.0)
            fused_step(f, v[i], total, mean, w, true, true);
        for (; i < n; i++, w += 2.0)
            fused_step(f, v[i], total, mean, w, true, false);
    } else {
        for (; i < rest; i++, w += 2.0)
            fused_step(f, v[i], total, mean, w, false, true);
        for (; i < n; i++, w += 2.0)
            fused_step(f, v[i], total, mean, w, false, false);
    }
}

/* Without -mfma the compiler calls libm's fma() for every product (measured: a fifth of the
 * measures' time); this copy is compiled for the FMA instructions and chosen at run time. fma()
 * is exactly rounded either way, so both copies give the same bits. */
#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("fma"))) static void fused_fma(const double *v, size_t n, size_t rest,
                                                     double total, bool entropy, fused_sums *f)
{
    fused_loop(v, n, rest, total, entropy, f);
}
#endif

static void fused_plain(const double *v, size_t n, size_t rest, double total, bool entropy,
                        fused_sums *f)
{
    fused_loop(v, n, rest, total, entropy, f);
}

static void fused(const double *v, size_t n, size_t rest, double total, bool entropy, fused_sums *f)
{
    memset(f, 0, sizeof *f);
#if defined(__GNUC__) && defined(__x86_64__)
    if (__builtin_cpu_supports("fma")) {
        fused_fma(v, n, rest, total, entropy, f);
        return;
    }
#endif
    fused_plain(v, n, rest, total, entropy, f);
}

static double clamp1(double h)
{
    return h > 1 ? 1 : h;
}

/* (H - 1/N) / (1 - 1/N) is computed in the algebraically identical deviation form
 * N/(N-1) * sum (s_i - 1/N)^2 (the shares sum to 1): nothing cancels, so a nearly even split
 * keeps its small value to full relative precision (shares 0.4, 0.3, 0.3 give 0.01, where
 * the direct form printed 0.0100000000000001). 1 when N = 1 (the formula is 0/0). */
static void compute(const double *sorted, size_t n, double total_known, bool known,
                    const uint32_t *cuts, size_t ncuts, bool entropy, omen_measures *out);

void omen_metrics_compute_ex(const double *sorted, size_t n, const uint32_t *cuts, size_t ncuts,
                             bool entropy, omen_measures *out)
{
    compute(sorted, n, 0, false, cuts, ncuts, entropy, out);
}

/* The compensated sum of whole counts below 2^53 is their exact sum, which the caller may know
 * already: the measures' first pass over the values is then skipped, with the same bits. */
void omen_metrics_compute_counts(const double *sorted, size_t n, uint64_t total,
                                 const uint32_t *cuts, size_t ncuts, bool entropy,
                                 omen_measures *out)
{
    bool exact = total < ((uint64_t)1 << 53);
    compute(sorted, n, (double)total, exact, cuts, ncuts, entropy, out);
}

/* Theil T = ln N - H: the measures have the entropy at hand, and a second logarithm per value
 * would double their cost; the difference loses only digits of a T near 0. */
static double theil_of_entropy(size_t n, double entropy)
{
    double t = n >= 2 ? log((double)n) - entropy : 0;
    return t > 0 ? t : 0;
}

static void compute(const double *sorted, size_t n, double total_known, bool known,
                    const uint32_t *cuts, size_t ncuts, bool entropy, omen_measures *out)
{
    memset(out, 0, sizeof *out);
    out->entities = n;
    out->total = known ? total_known : omen_metrics_sum(sorted, n);
    double total = out->total;
    if (ncuts > 8)
        ncuts = 8;
    /* The segments but the last are ranks up to the largest cut: short sums of their own. */
    size_t lo = 0;
    for (size_t j = 0; j < ncuts; j++) {
        size_t hi = cuts[j];
        out->segments[j] = hi > lo ? rank_share(sorted, n, lo, hi, total) : 0;
        if (hi > lo)
            lo = hi;
    }
    out->nsegments = ncuts + 1;
    static const size_t ks[3] = {1, 10, 100};
    for (int i = 0; i < 3; i++)
        out->top[i] = top_share_with_total(sorted, n, ks[i], total);
    out->cr4 = top_share_with_total(sorted, n, 4, total);
    out->cr8 = top_share_with_total(sorted, n, 8, total);
    if (n == 0 || !(total > 0))
        return; /* every remaining measure is 0, as their functions above give */
    size_t rest = lo < n ? n - lo : 0;
    fused_sums f;
    fused(sorted, n, rest, total, entropy, &f);
    out->segments[ncuts] = rest ? ksum_value(&f.rest) / total : 0;
    out->hhi = clamp1(ksum_value(&f.hhi));
    out->hhi_normalized = n == 1 ? 1 : clamp1(ksum_value(&f.norm) * ((double)n / (double)(n - 1)));
    out->gini = n < 2 ? 0 : ksum_value(&f.gini) / ((double)n * total);
    out->entropy = entropy && n >= 2 ? ksum_value(&f.entropy) : 0;
    out->theil = entropy ? theil_of_entropy(n, out->entropy) : 0;
    out->effective = out->hhi > 0 ? 1.0 / out->hhi : 0;
}

void omen_metrics_compute(const double *sorted, size_t n, const uint32_t *cuts, size_t ncuts,
                          omen_measures *out)
{
    omen_metrics_compute_ex(sorted, n, cuts, ncuts, true, out);
}

/* ---------------------------------------------------------------- whole counts, exactly */

/* Whole counts have exact sums in integers: the sum of squares and the Gini's weighted sum are
 * kept in 128 bits, and each measure is one ratio of integers rounded at the end, nearer the
 * true value than any sum of rounded shares. They are summed over runs of equal counts, so the
 * work is in the distinct counts, not the entities (measured: the compensated sums over every
 * entity were a fifth of a full-scale weekly series). */
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

/* Sums of the ascending counts before the indices that the shares need (at most the 8 cuts,
 * the 3 top-k, CR4, CR8 and N): sum[j] = the sum over indices < at[j]. */
typedef struct {
    size_t at[14];
    uint64_t sum[14];
    size_t n;
} prefix_sums;

static void prefix_want(prefix_sums *pf, size_t at)
{
    size_t j = 0;
    while (j < pf->n && pf->at[j] < at)
        j++;
    if (j < pf->n && pf->at[j] == at)
        return;
    memmove(pf->at + j + 1, pf->at + j, (pf->n - j) * sizeof *pf->at);
    pf->at[j] = at;
    pf->n++;
}

static uint64_t prefix_of(const prefix_sums *pf, size_t at)
{
    for (size_t j = 0; j < pf->n; j++)
        if (pf->at[j] == at)
            return pf->sum[j];
    return 0; /* not asked for: not reached */
}

typedef struct {
    u128 squares;    /* sum x^2 */
    i128 gini;       /* sum (2i - N - 1) x_i, i = 1..N ascending */
    uint64_t before; /* sum of the counts before the next run */
    size_t at;       /* index of the next run */
    size_t next;     /* first prefix not yet reached */
} exact_sums;

/* A run of c counts equal to v at indices [at, at + c): its weights 2i - N - 1 (i = at + 1 ..
 * at + c) sum to c (2 at + c - N). */
static void add_run(exact_sums *x, prefix_sums *pf, uint64_t v, size_t c, size_t n)
{
    while (x->next < pf->n && pf->at[x->next] <= x->at + c) {
        pf->sum[x->next] = x->before + v * (uint64_t)(pf->at[x->next] - x->at);
        x->next++;
    }
    uint64_t vc = v * (uint64_t)c;
    x->squares += (u128)v * vc;
    x->gini += (i128)vc * ((i128)(2 * x->at + c) - (i128)n);
    x->before += vc;
    x->at += c;
}

static double ratio(u128 num, u128 den)
{
    return (double)((long double)num / (long double)den);
}

/* The share of ranks lo+1..hi (descending), as rank_share. */
static double runs_rank_share(const prefix_sums *pf, size_t n, size_t lo, size_t hi, uint64_t total)
{
    if (lo >= n)
        return 0;
    if (hi > n)
        hi = n;
    if (hi <= lo)
        return 0;
    return (double)(prefix_of(pf, n - lo) - prefix_of(pf, n - hi)) / (double)total;
}

static void measure_runs(const count_runs *r, size_t n, uint64_t total, const uint32_t *cuts,
                         size_t ncuts, omen_measures *out)
{
    memset(out, 0, sizeof *out);
    out->entities = n;
    out->total = (double)total;
    ncuts = ncuts > 8 ? 8 : ncuts;
    out->nsegments = ncuts + 1;
    static const size_t ks[3] = {1, 10, 100};
    if (n == 0 || total == 0) { /* as compute gives: every measure 0 but a top-k holding all */
        for (int i = 0; i < 3; i++)
            out->top[i] = n > 0 && ks[i] >= n ? 1 : 0;
        out->cr4 = n > 0 && n <= 4 ? 1 : 0;
        out->cr8 = n > 0 && n <= 8 ? 1 : 0;
        return;
    }
    prefix_sums pf = {.n = 0};
    prefix_want(&pf, n);
    for (size_t j = 0; j < ncuts; j++)
        prefix_want(&pf, n - (cuts[j] < n ? cuts[j] : n));
    for (int i = 0; i < 3; i++)
        prefix_want(&pf, n - (ks[i] < n ? ks[i] : n));
    prefix_want(&pf, n - (4 < n ? 4 : n));
    prefix_want(&pf, n - (8 < n ? 8 : n));
    exact_sums x = {0, 0, 0, 0, 0};
    for (uint32_t v = 0; r->small && v < SMALL_COUNTS; v++)
        if (r->small[v])
            add_run(&x, &pf, v, r->small[v], n);
    for (size_t i = 0; i < r->nlarge; i++)
        add_run(&x, &pf, (uint64_t)r->large[i], 1, n);
    size_t lo = 0;
    for (size_t j = 0; j < ncuts; j++) {
        size_t hi = cuts[j];
        out->segments[j] = hi > lo ? runs_rank_share(&pf, n, lo, hi, total) : 0;
        if (hi > lo)
            lo = hi;
    }
    size_t rest = lo < n ? n - lo : 0;
    out->segments[ncuts] = rest ? (double)prefix_of(&pf, rest) / (double)total : 0;
    for (int i = 0; i < 3; i++)
        out->top[i] = ks[i] >= n ? 1 : runs_rank_share(&pf, n, 0, ks[i], total);
    out->cr4 = 4 >= n ? 1 : runs_rank_share(&pf, n, 0, 4, total);
    out->cr8 = 8 >= n ? 1 : runs_rank_share(&pf, n, 0, 8, total);
    u128 t2 = (u128)total * total;
    out->hhi = clamp1(ratio(x.squares, t2));
    /* (H - 1/N) / (1 - 1/N) = (N sum x^2 - S^2) / ((N - 1) S^2): N sum x^2 >= S^2 (Cauchy-Schwarz),
     * an exact difference, so an even split gives its small value to full precision. */
    out->hhi_normalized = n == 1 ? 1 : clamp1(ratio((u128)n * x.squares - t2, (u128)(n - 1) * t2));
    out->gini = n < 2 ? 0 : (double)((long double)x.gini / (long double)((u128)n * total));
    out->effective = out->hhi > 0 ? 1.0 / out->hhi : 0;
}

static int bit_length(uint64_t v)
{
    int b = 0;
    for (; v; v >>= 1)
        b++;
    return b;
}

void omen_metrics_measure_counts(uint64_t *counts, uint64_t *spare, size_t n, uint64_t total,
                                 const uint32_t *cuts, size_t ncuts, bool entropy,
                                 omen_measures *out)
{
    /* 128 bits hold N sum x^2 <= N S^2 when its bits fit, and counts past 2^53 are not exact as
     * doubles: those go the compensated way. */
    bool exact = total < ((uint64_t)1 << 53) && n <= UINT32_MAX &&
                 bit_length(n) + 2 * bit_length(total) <= 126;
    if (!exact) {
        omen_metrics_compute_counts(omen_metrics_sort_counts(counts, spare, n), n, total, cuts,
                                    ncuts, entropy, out);
        return;
    }
    uint32_t small[SMALL_COUNTS];
    count_runs r = {NULL, NULL, n};
    if (entropy) /* a logarithm per entity: every count in order, as omen_metrics_compute sums */
        r.large = omen_metrics_sort_counts(counts, spare, n);
    else
        runs_of_counts(counts, spare, n, small, &r);
    measure_runs(&r, n, total, cuts, ncuts, out);
    if (entropy) {
        out->entropy = entropy_with_total(r.large, n, (double)total);
        out->theil = theil_of_entropy(n, out->entropy);
    }
}

/* ---------------------------------------------------------------- Lorenz */

/* The curve through (k/N, L_k), L_k the share of the k smallest amounts, read at evenly spaced
 * population shares. Positions are computed as j*N/(points-1) to avoid accumulating steps. */
void omen_metrics_lorenz(const double *sorted, size_t n, size_t points, double *out_pop,
                         double *out_share)
{
    if (points == 0)
        return;
    if (points == 1) {
        out_pop[0] = 1;
        out_share[0] = 1;
        return;
    }
    double total = omen_metrics_sum(sorted, n);
    double last = (double)(points - 1);
    ksum cum = {0, 0}; /* sum of sorted[0..k) */
    size_t k = 0;
    for (size_t j = 0; j < points; j++) {
        out_pop[j] = (double)j / last;
        if (n == 0 || !(total > 0)) {
            out_share[j] = out_pop[j]; /* no amounts: no inequality, the line of equality */
            continue;
        }
        double t = (double)j * (double)n / last;
        size_t whole = (size_t)t;
        if (whole > n)
            whole = n;
        while (k < whole)
            ksum_add(&cum, sorted[k++]);
        double share = ksum_value(&cum) / total;
        if (k < n)
            share += (t - (double)k) * sorted[k] / total;
        out_share[j] = share;
    }
    if (n > 0 && total > 0)
        out_share[points - 1] = 1;
}
