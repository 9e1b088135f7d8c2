/* bootstrap.c: bootstrap percentile intervals on the histogram of a period's amounts (see
 * bootstrap.h). A resample is a multinomial draw over the distinct amounts; each measure is
 * then read from the bins in one pass: sums for the HHI, rank positions of runs for the Gini,
 * a walk down from the largest bin for the top-k shares. */
#include "bootstrap.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

void omen_boot_histogram_build(const double *sorted, size_t n, omen_boot_histogram *h)
{
    memset(h, 0, sizeof *h);
    h->n = n;
    h->value = omen_xmalloc((n ? n : 1) * sizeof *h->value);
    h->count = omen_xmalloc((n ? n : 1) * sizeof *h->count);
    for (size_t i = 0; i < n; i++) {
        if (h->bins && h->value[h->bins - 1] == sorted[i]) {
            h->count[h->bins - 1]++;
            continue;
        }
        h->value[h->bins] = sorted[i];
        h->count[h->bins++] = 1;
    }
}

void omen_boot_histogram_free(omen_boot_histogram *h)
{
    free(h->value);
    free(h->count);
    memset(h, 0, sizeof *h);
}

/* SplitMix64 of (seed, stream): MT19937 takes a 32-bit seed, and neighbouring streams (periods)
 * must not start from neighbouring seeds. */
static gsl_rng *rng_for(uint64_t seed, uint64_t stream)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        abort(); /* out of memory, as omen_xmalloc */
    gsl_rng_set(r, (unsigned long)(z & 0xffffffffu) ? (unsigned long)(z & 0xffffffffu) : 4357);
    return r;
}

/* One resample: copies[j] of bin j, summing to h->n (gsl_ran_multinomial's sequential
 * binomials, with the bins' counts as weights). */
static void draw(gsl_rng *r, const omen_boot_histogram *h, const double *weight, unsigned *copies)
{
    gsl_ran_multinomial(r, h->bins, (unsigned)h->n, weight, copies);
}

static void measure(const omen_boot_histogram *h, const unsigned *copies, double *out)
{
    double total = 0, squares = 0, ranked = 0, pos = 1, n = (double)h->n;
    for (size_t j = 0; j < h->bins; j++) {
        double c = copies[j], v = h->value[j];
        total += c * v;
        squares += c * v * v;
        ranked += v * (c * pos + c * (c - 1) / 2); /* positions pos .. pos + c - 1, ascending */
        pos += c;
    }
    out[OMEN_BOOT_HHI] = total > 0 ? squares / (total * total) : 0;
    out[OMEN_BOOT_GINI] = h->n > 1 && total > 0 ? 2 * ranked / (n * total) - (n + 1) / n : 0;
    static const size_t ks[] = {1, 4, 8, 10, 100};
    static const int at[] = {OMEN_BOOT_TOP1, OMEN_BOOT_CR4, OMEN_BOOT_CR8, OMEN_BOOT_TOP10,
                             OMEN_BOOT_TOP100};
    double held = 0;
    size_t taken = 0, next = 0;
    for (size_t j = h->bins; j-- > 0 && next < 5;) {
        size_t c = copies[j];
        while (next < 5 && taken + c >= ks[next]) {
            out[at[next]] =
                total > 0 ? (held + (double)(ks[next] - taken) * h->value[j]) / total : 0;
            next++;
        }
        held += (double)c * h->value[j];
        taken += c;
    }
    for (; next < 5; next++)
        out[at[next]] = total > 0 ? 1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double omen_boot_percentile(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

/* Sorts each of the m replicate series (resamples long, one after the other) and reads the
 * interval's bounds. */
static void bounds(double *reps, size_t m, uint32_t resamples, double level, double *lo, double *hi)
{
    double a = (1 - level) / 2;
    for (size_t k = 0; k < m; k++) {
        double *x = reps + k * resamples;
        qsort(x, resamples, sizeof *x, cmp_double);
        lo[k] = omen_boot_percentile(x, resamples, a);
        hi[k] = omen_boot_percentile(x, resamples, 1 - a);
    }
}

static double *bin_weights(const omen_boot_histogram *h)
{
    double *w = omen_xmalloc((h->bins ? h->bins : 1) * sizeof *w);
    for (size_t j = 0; j < h->bins; j++)
        w[j] = h->count[j];
    return w;
}

void omen_bootstrap_measures(const omen_boot_histogram *h, uint32_t resamples, double level,
                             uint64_t seed, uint64_t stream, omen_boot_intervals *out)
{
    memset(out, 0, sizeof *out);
    if (h->n == 0 || resamples == 0)
        return;
    gsl_rng *r = rng_for(seed, stream);
    double *w = bin_weights(h);
    unsigned *copies = omen_xmalloc(h->bins * sizeof *copies);
    double *reps = omen_xmalloc((size_t)resamples * OMEN_BOOT_NMEASURES * sizeof *reps);
    for (uint32_t b = 0; b < resamples; b++) {
        double m[OMEN_BOOT_NMEASURES];
        draw(r, h, w, copies);
        measure(h, copies, m);
        for (size_t k = 0; k < OMEN_BOOT_NMEASURES; k++)
            reps[k * resamples + b] = m[k];
    }
    bounds(reps, OMEN_BOOT_NMEASURES, resamples, level, out->lo, out->hi);
    free(reps);
    free(copies);
    free(w);
    gsl_rng_free(r);
}

/* The bin of an amount: binary search on the ascending values. */
static size_t bin_of(const omen_boot_histogram *h, double v)
{
    size_t lo = 0, hi = h->bins;
    while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->value[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void omen_bootstrap_shares(const omen_boot_histogram *h, const double *amounts, size_t k,
                           uint32_t resamples, double level, uint64_t seed, uint64_t stream,
                           double *lo, double *hi)
{
    memset(lo, 0, k * sizeof *lo);
    memset(hi, 0, k * sizeof *hi);
    if (h->n == 0 || resamples == 0 || k == 0)
        return;
    gsl_rng *r = rng_for(seed, stream);
    double *w = bin_weights(h);
    unsigned *copies = omen_xmalloc(h->bins * sizeof *copies);
    size_t *bin = omen_xmalloc(k * sizeof *bin);
    double *reps = omen_xmalloc((size_t)resamples * k * sizeof *reps);
    for (size_t e = 0; e < k; e++)
        bin[e] = bin_of(h, amounts[e]);
    for (uint32_t b = 0; b < resamples; b++) {
        draw(r, h, w, copies);
        double total = 0;
        for (size_t j = 0; j < h->bins; j++)
            total += copies[j] * h->value[j];
        for (size_t e = 0; e < k; e++) {
            unsigned c = copies[bin[e]], mine = 0;
            if (c)
                mine = gsl_ran_binomial(r, 1.0 / h->count[bin[e]], c);
            reps[e * resamples + b] = total > 0 ? mine * amounts[e] / total : 0;
        }
    }
    bounds(reps, k, resamples, level, lo, hi);
    free(reps);
    free(bin);
    free(copies);
    free(w);
    gsl_rng_free(r);
}
