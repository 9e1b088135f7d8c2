/* bootstrap.h: bootstrap percentile intervals of concentration measures and shares.
 *
 * One period's amounts are resampled with replacement (N draws from the N entities, each
 * equally likely, as numpy's rng.choice(x, N, replace=True)). The draws are made on the
 * histogram of distinct amounts, not entity by entity: a multinomial draw of how many copies
 * each distinct amount gets (sequential binomials, as gsl_ran_multinomial), so a resample costs
 * the number of distinct amounts, which whole download counts keep far below N. The interval
 * is numpy's np.percentile(replicates, [100 a/2, 100 (1 - a/2)]) (linear interpolation) for
 * a = 1 - level. Replicates come from GSL's MT19937 seeded with (seed, stream), so a period's
 * interval does not depend on the other periods asked for. docs/methodology.md "Uncertainty". */
#ifndef OMEN_STATS_BOOTSTRAP_H
#define OMEN_STATS_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

/* The measures a concentration row reports intervals for. */
typedef enum {
    OMEN_BOOT_HHI,
    OMEN_BOOT_GINI,
    OMEN_BOOT_TOP1,
    OMEN_BOOT_CR4,
    OMEN_BOOT_CR8,
    OMEN_BOOT_TOP10,
    OMEN_BOOT_TOP100,
    OMEN_BOOT_NMEASURES
} omen_boot_measure;

typedef struct {
    double lo[OMEN_BOOT_NMEASURES], hi[OMEN_BOOT_NMEASURES];
} omen_boot_intervals;

/* The amounts of one period as a histogram: distinct values ascending with their counts. Built
 * from amounts sorted ascending (all > 0). Owns its arrays: omen_boot_histogram_free. */
typedef struct {
    double *value;
    uint32_t *count;
    size_t bins, n;
} omen_boot_histogram;

void omen_boot_histogram_build(const double *sorted, size_t n, omen_boot_histogram *h);
void omen_boot_histogram_free(omen_boot_histogram *h);

/* Intervals of HHI, Gini and the top-k shares at `level` from `resamples` resamples. With
 * n == 0 every bound is 0. Deterministic for (seed, stream). */
void omen_bootstrap_measures(const omen_boot_histogram *h, uint32_t resamples, double level,
                             uint64_t seed, uint64_t stream, omen_boot_intervals *out);

/* Intervals of the shares of k given entities (their amounts in `amounts`, each one of the
 * histogram's values). In each resample an entity's copies are binomial among the copies its
 * value's bin received (the copies of a bin fall on its entities uniformly), which is the
 * entity's count in a resample drawn entity by entity. lo and hi have k elements. */
void omen_bootstrap_shares(const omen_boot_histogram *h, const double *amounts, size_t k,
                           uint32_t resamples, double level, uint64_t seed, uint64_t stream,
                           double *lo, double *hi);

/* np.percentile(x, 100 q) of sorted x (linear interpolation); NaN when n == 0. */
double omen_boot_percentile(const double *sorted, size_t n, double q);

#endif
