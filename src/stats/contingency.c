/* contingency.c: chi-squared test of independence and Cramer's V on an r x c table, computed
 * in the same order of operations as scipy.stats.chi2_contingency so that cells where the
 * observed count nearly equals the expected one cancel the same way (tested to 1e-9). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "stats.h"

#include "../util/error.h"

/* numpy's pairwise summation (npy_pairwise_sum): scipy's row sums and grand total go through
 * it, and with fractional or huge counts the order of additions shows in the last bits of the
 * expected frequencies, which the O - E differences then magnify. */
static double pairwise_sum(const double *a, size_t n, size_t stride)
{
    if (n < 8) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += a[i * stride];
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (size_t k = 0; k < 8; k++)
            r[k] = a[k * stride];
        size_t i;
        for (i = 8; i < n - n % 8; i += 8)
            for (size_t k = 0; k < 8; k++)
                r[k] += a[(i + k) * stride];
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            s += a[i * stride];
        return s;
    }
    size_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(a, half, stride) + pairwise_sum(a + half * stride, n - half, stride);
}

static void set_nan(omen_chi2 *out)
{
    out->chi2 = out->p_value = out->dof = out->cramers_v = NAN;
}

/* Pearson's statistic sum((O' - E)^2 / E), O' being O moved toward E by min(0.5, |O - E|)
 * when yates (scipy: observed + sign(E - O) * minimum(0.5, |E - O|)). `terms` is scratch. */
static double pearson(const double *table, const double *rowsum, const double *colsum, double total,
                      size_t rows, size_t cols, bool yates, double *terms)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double e = rowsum[i] * colsum[j] / total;
            double o = table[i * cols + j];
            if (yates) {
                double diff = e - o;
                double dir = (diff > 0) - (diff < 0);
                o = o + fmin(0.5, fabs(diff)) * dir;
            }
            terms[i * cols + j] = (o - e) * (o - e) / e;
        }
    return pairwise_sum(terms, rows * cols, 1);
}

static double upper_tail(double chi2, double dof)
{
    if (isnan(chi2))
        return NAN;
    if (isinf(chi2))
        return 0.0;
    return gsl_cdf_chisq_Q(chi2, dof);
}

/* Margins as numpy computes them: each row a pairwise sum over its contiguous cells, each
 * column a running sum down the rows, the total a pairwise sum over the flattened table.
 * False when a margin is zero (scipy: a zero expected frequency) or a count is negative. */
static bool margins(const double *table, size_t rows, size_t cols, double *rowsum, double *colsum,
                    double *total)
{
    for (size_t k = 0; k < rows * cols; k++)
        if (!(table[k] >= 0))
            return false;
    for (size_t i = 0; i < rows; i++)
        rowsum[i] = pairwise_sum(table + i * cols, cols, 1);
    for (size_t j = 0; j < cols; j++) {
        colsum[j] = 0.0;
        for (size_t i = 0; i < rows; i++)
            colsum[j] += table[i * cols + j];
    }
    *total = pairwise_sum(table, rows * cols, 1);
    /* (an all-zero table gives scipy NaN expected frequencies and a NaN result, no error:
     * here it fails like any other zero margin) */
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            if (!(rowsum[i] * colsum[j] / *total > 0.0))
                return false;
    return true;
}

bool omen_stats_chi2_contingency(const double *table, size_t rows, size_t cols, bool correction,
                                 omen_chi2 *out)
{
    set_nan(out);
    if (rows == 0 || cols == 0)
        return false;
    double *rowsum = omen_xmalloc((rows + cols + rows * cols) * sizeof *rowsum);
    double *colsum = rowsum + rows, *terms = colsum + cols, total;
    bool ok = margins(table, rows, cols, rowsum, colsum, &total);
    if (ok) {
        double dof = (double)((rows - 1) * (cols - 1));
        double plain =
            dof == 0 ? 0.0 : pearson(table, rowsum, colsum, total, rows, cols, false, terms);
        bool yates = correction && dof == 1;
        out->dof = dof;
        out->chi2 = yates ? pearson(table, rowsum, colsum, total, rows, cols, true, terms) : plain;
        out->p_value = dof == 0 ? 1.0 : upper_tail(out->chi2, dof);
        /* association() divides by min(r, c) - 1, zero for a single row or column (scipy raises
         * ZeroDivisionError there): V is left NaN. */
        size_t k = rows < cols ? rows : cols;
        out->cramers_v = k < 2 ? NAN : sqrt(plain / total / (double)(k - 1));
    }
    free(rowsum);
    return ok;
}
