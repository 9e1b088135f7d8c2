/* metrics.h: concentration measures over the positive amounts of one period.
 *
 * Pure functions on arrays of doubles (fractional credit makes amounts non-integral), and on
 * whole counts (omen_metrics_measure_counts: exact integer sums). The
 * definitions are DESIGN.md section 5 and docs/methodology.md. Entities with amount 0 are not
 * entities of the period: callers pass only positive amounts. */
#ifndef OMEN_METRICS_METRICS_H
#define OMEN_METRICS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sorts values ascending in place (a radix sort on the IEEE bits: values are >= 0). */
void omen_metrics_sort(double *values, size_t n);
/* The same with a caller's scratch array of n doubles (contents ignored, then undefined), for
 * callers sorting period after period: the sort needs an n-sized buffer, and a fresh one costs
 * a page fault per 4 KB, which can take longer than the sort itself (measured: 8 MB of fresh
 * pages 25 ms, the sort of 10^6 doubles in a warm buffer 11-18 ms). NULL allocates. */
void omen_metrics_sort_scratch(double *values, size_t n, double *scratch);
/* Sorts src (left as it is) into dst (n doubles, not overlapping src); scratch as above. */
void omen_metrics_sort_copy(const double *src, double *dst, size_t n, double *scratch);
/* For callers that keep two n-sized buffers anyway: sorts `values` ascending using `spare`
 * and returns whichever of the two holds the result (no copy back); both are overwritten. */
double *omen_metrics_sort_spare(double *values, double *spare, size_t n);
/* The same for whole counts: returns the counts sorted ascending as doubles (exact below 2^53),
 * in the memory of `counts` or of `spare`. The radix passes run on the integers, which need
 * fewer of them than their doubles. */
double *omen_metrics_sort_counts(uint64_t *counts, uint64_t *spare, size_t n);

/* Everything the concentration table reports for one period, from values sorted ascending.
 * A period with no entities (N = 0) gives 0 for every measure, the top shares included. */
typedef struct {
    size_t entities;       /* N: entities with a positive amount */
    double total;          /* sum of the amounts */
    double hhi;            /* sum of squared shares, in (0, 1]; 0 when N = 0 */
    double hhi_normalized; /* (H - 1/N) / (1 - 1/N); 1 when N = 1; 0 when N = 0 */
    double gini;           /* 2 sum(i x_i) / (N sum x) - (N + 1) / N with i = 1..N ascending */
    double entropy;        /* Shannon entropy of the shares, natural log */
    double effective;      /* 1 / HHI, the effective number of entities */
    double top[3];         /* top-1, top-10, top-100 shares (1 when k >= N) */
    double cr4, cr8;       /* concentration ratios: top-4 and top-8 shares (1 when k >= N) */
    double theil;          /* Theil T = sum s_i ln(N s_i) = ln N - entropy; with entropy only */
    double segments[9];    /* shares of the rank segments given (see omen_metrics_compute) */
    size_t nsegments;      /* number of segments filled: ncuts + 1 */
} omen_measures;

/* Computes all measures from `sorted` (ascending, all > 0, length n). `cuts` are the rank cuts
 * of the segments (e.g. 1, 10, 100, 1000 give ranks 1, 2-10, 11-100, 101-1000 and the rest);
 * at most 8 cuts, strictly increasing. */
void omen_metrics_compute(const double *sorted, size_t n, const uint32_t *cuts, size_t ncuts,
                          omen_measures *out);
/* The same, with the entropy (a logarithm per value) only when `entropy` is true; otherwise
 * out->entropy is 0. */
void omen_metrics_compute_ex(const double *sorted, size_t n, const uint32_t *cuts, size_t ncuts,
                             bool entropy, omen_measures *out);
/* The same for whole counts whose sum the caller has (exact below 2^53): the same bits as
 * omen_metrics_compute_ex, one pass fewer. */
void omen_metrics_compute_counts(const double *sorted, size_t n, uint64_t total,
                                 const uint32_t *cuts, size_t ncuts, bool entropy,
                                 omen_measures *out);

/* All measures of whole counts (n values > 0 whose exact sum is `total`), which it sorts: the
 * shares (top-k, segments) and the entropy are those of omen_metrics_compute_counts to the bit;
 * the HHI, the normalised HHI and the Gini are ratios of exact integer sums rounded once, so
 * they may differ from its compensated sums in the last bit (and are correctly rounded but for
 * a double rounding near a tie). Falls back to omen_metrics_compute_counts, and its bits, when
 * the sums could pass 128 bits or the total 2^53. Overwrites counts and spare (n each). */
void omen_metrics_measure_counts(uint64_t *counts, uint64_t *spare, size_t n, uint64_t total,
                                 const uint32_t *cuts, size_t ncuts, bool entropy,
                                 omen_measures *out);

/* Single measures of whole counts with the bits omen_metrics_measure_counts gives, without its
 * sort (counts_unsorted.c). The HHI from the exact sums of n counts (> 0): their total and the
 * sum of their squares; the share of the k largest of n counts (unsorted, > 0) whose exact sum
 * is `total` (heap: k counts of scratch). Each returns false, with nothing set, when
 * measure_counts would not take its exact path (a total of 2^53 or more): measure then. */
__extension__ typedef unsigned __int128 omen_u128;
bool omen_metrics_hhi_of_sums(size_t n, uint64_t total, omen_u128 squares, double *hhi);
bool omen_metrics_counts_top(const uint64_t *counts, size_t n, uint64_t total, size_t k,
                             uint64_t *heap, double *share);

/* Compensated (Neumaier) sum of the values: the total every share above is taken of. */
double omen_metrics_sum(const double *values, size_t n);

/* Single measures, for callers that need only one (values need not be sorted unless said). */
double omen_metrics_hhi(const double *values, size_t n);
double omen_metrics_gini(const double *sorted, size_t n);
double omen_metrics_top_share(const double *sorted, size_t n, size_t k);
double omen_metrics_entropy(const double *values, size_t n);
/* Theil index T = sum s_i ln(N s_i) of the positive values (0 for N < 2), in [0, ln N]. */
double omen_metrics_theil(const double *values, size_t n);

/* The Theil index of values that fall into groups, with its exact decomposition
 * T = between + within: between = sum_g S_g ln(S_g N / N_g), within = sum_g S_g T_g, where S_g
 * is group g's share of the total, N_g its number of values and T_g the Theil index inside it.
 * group[i] < ngroups is value i's group. `groups` counts the groups with a value. */
typedef struct {
    double theil, between, within;
    size_t groups;
} omen_theil_parts;
void omen_metrics_theil_decompose(const double *values, const uint32_t *group, size_t n,
                                  size_t ngroups, omen_theil_parts *out);

/* The 2023 U.S. DOJ/FTC Merger Guidelines band of an HHI on the 0-10,000 scale: "highly" above
 * 1800, "moderately" from 1000 to 1800, "unconcentrated" below 1000. A static string. */
const char *omen_metrics_merger_band(double hhi_10000);
/* The Guidelines' "significant increase": a rise of more than 100 points (0-10,000 scale). */
#define OMEN_MERGER_SIGNIFICANT_RISE 100.0

/* Lorenz curve of sorted values at `points` evenly spaced population shares 0, 1/(points-1),
 * ..., 1: out_pop[j] = j/(points-1), out_share[j] = share of the total held by the poorest
 * out_pop[j] of the entities (linear between entities). points >= 2. */
void omen_metrics_lorenz(const double *sorted, size_t n, size_t points, double *out_pop,
                         double *out_share);

#endif
