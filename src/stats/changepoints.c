/* changepoints.c: changes in the mean of a series by PELT (Killick, Fearnhead & Eckley 2012)
 * with the cost of a segment = the sum of squared deviations from its mean, a penalty per
 * change point and a minimum segment length; and the noise scale that the penalty is measured
 * in (docs/methodology.md, "Change points"). */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

#include "../util/error.h"

/* ---------------------------------------------------------------- the noise scale */

/* R's mad(): the median absolute deviation times 1.4826 (about 1 / qnorm(0.75)), so that it
 * estimates the standard deviation of normal data. */
#define OMEN_MAD_CONSTANT 1.4826

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* R's median: the middle value, or the mean of the two middle ones. Sorts v. */
static double median_sorting(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double omen_stats_diff_sigma(const double *y, size_t n, bool *fallback)
{
    if (fallback)
        *fallback = false;
    if (n < 2)
        return 0;
    size_t m = n - 1;
    double *d = omen_xmalloc(m * sizeof *d), mean = 0;
    for (size_t i = 0; i < m; i++) {
        d[i] = y[i + 1] - y[i];
        mean += d[i];
    }
    mean /= (double)m;
    double ss = 0; /* for the fallback: the standard deviation of the differences */
    for (size_t i = 0; i < m; i++)
        ss += (d[i] - mean) * (d[i] - mean);
    double center = median_sorting(d, m);
    for (size_t i = 0; i < m; i++)
        d[i] = fabs(d[i] - center);
    double mad = OMEN_MAD_CONSTANT * median_sorting(d, m);
    free(d);
    if (mad > 0)
        return mad / sqrt(2.0);
    if (fallback)
        *fallback = true;
    return m >= 2 ? sqrt(ss / (double)(m - 1)) / sqrt(2.0) : 0;
}

/* ---------------------------------------------------------------- PELT */

/* Prefix sums of the series centred on its mean (the cost is shift-invariant, and centring
 * keeps S2 - S1^2 / len from cancelling away the digits of a series far from 0), in long
 * double. */
typedef struct {
    long double *s1, *s2;
} prefix;

static double seg_cost(const prefix *p, size_t from, size_t to)
{
    long double s = p->s1[to] - p->s1[from], q = p->s2[to] - p->s2[from];
    long double c = q - s * s / (long double)(to - from);
    return c > 0 ? (double)c : 0.0;
}

#define NOT_PRUNED ((size_t)-1)

size_t omen_stats_pelt(const double *y, size_t n, double penalty, size_t min_segment, size_t *ends,
                       double *cost)
{
    size_t m = min_segment ? min_segment : 1;
    if (cost)
        *cost = 0;
    if (n == 0)
        return 0;
    prefix p = {omen_xmalloc((n + 1) * sizeof *p.s1), omen_xmalloc((n + 1) * sizeof *p.s2)};
    long double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (long double)n;
    p.s1[0] = p.s2[0] = 0;
    for (size_t i = 0; i < n; i++) {
        long double v = (long double)y[i] - mean;
        p.s1[i + 1] = p.s1[i] + v;
        p.s2[i + 1] = p.s2[i] + v * v;
    }
    size_t k = 0;
    if (n < 2 * m) { /* no room for two segments of m: one segment, even if shorter than m */
        ends[k++] = n;
        if (cost)
            *cost = seg_cost(&p, 0, n);
        free(p.s1);
        free(p.s2);
        return k;
    }
    /* F[t]: the least penalised cost of y[0..t) cut into segments of at least m values, each
     * segment costing its squared deviations plus the penalty (F[0] = -penalty, so that k
     * segments pay k - 1 penalties); last[t]: where its last segment starts. Only t = 0 and
     * t >= m have a partition. */
    double *f = omen_xmalloc((n + 1) * sizeof *f), *val = omen_xmalloc((n + 1) * sizeof *val);
    size_t *last = omen_xmalloc((n + 1) * sizeof *last);
    size_t *cand = omen_xmalloc((n + 1) * sizeof *cand),
           *pruned = omen_xmalloc((n + 1) * sizeof *pruned);
    size_t ncand = 0;
    /* Pruning only ever drops a candidate that is strictly worse; the slack keeps rounding in
     * the costs (which add up only to rounding) from dropping one that is as good. */
    double slack = 1e-10 * (seg_cost(&p, 0, n) + fabs(penalty)) + 1e-300;
    f[0] = -penalty;
    last[0] = 0;
    for (size_t t = m; t <= n; t++) {
        /* The start t - m becomes a candidate once the last segment can be m long. */
        size_t fresh = t - m;
        if (fresh == 0 || fresh >= m) {
            cand[ncand] = fresh;
            pruned[ncand++] = NOT_PRUNED;
        }
        double best = INFINITY;
        size_t arg = 0, keep = 0;
        for (size_t i = 0; i < ncand; i++) {
            /* A candidate found dominated at time s is beaten, for every t >= s + m, by s
             * itself as the start of the last segment (Killick et al. 2012, Theorem 3.1 with
             * K = 0, the cost being additive: C(a..t) >= C(a..s) + C(s..t)). Before s + m,
             * s cannot start a last segment of m values, so the candidate stays until then:
             * pruning at once would not be exact with a minimum segment length. */
            if (pruned[i] != NOT_PRUNED && pruned[i] + m <= t)
                continue;
            double v = f[cand[i]] + seg_cost(&p, cand[i], t);
            if (v + penalty < best) { /* strict: the earliest start wins a tie */
                best = v + penalty;
                arg = cand[i];
            }
            cand[keep] = cand[i];
            pruned[keep] = pruned[i];
            val[keep++] = v;
        }
        ncand = keep;
        f[t] = best;
        last[t] = arg;
        for (size_t i = 0; i < ncand; i++)
            if (pruned[i] == NOT_PRUNED && val[i] > best + slack)
                pruned[i] = t;
    }
    /* Back from n: the segment ends, then reversed into time order. */
    for (size_t t = n; t > 0; t = last[t])
        ends[k++] = t;
    for (size_t i = 0; i < k / 2; i++) {
        size_t tmp = ends[i];
        ends[i] = ends[k - 1 - i];
        ends[k - 1 - i] = tmp;
    }
    if (cost) {
        double c = 0;
        for (size_t i = 0, from = 0; i < k; from = ends[i++])
            c += seg_cost(&p, from, ends[i]);
        *cost = c;
    }
    free(f);
    free(val);
    free(last);
    free(cand);
    free(pruned);
    free(p.s1);
    free(p.s2);
    return k;
}
