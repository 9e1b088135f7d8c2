/* changes.c: `omen changes`: where a concentration series changes level. The series is one
 * measure of the level per period (--measure: HHI, Gini, top-1, top-10, CR4, CR8, or one
 * entity's share), cut by PELT into segments of constant mean (src/stats/changepoints.c) with a
 * BIC penalty in units of the series' noise variance (docs/methodology.md, "Change points"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../metrics/metrics.h"
#include "../stats/stats.h"
#include "../util/error.h"

/* The series: one value per period with downloads, in time order. */
typedef struct {
    const omen_query *q;
    int32_t *start, *end;
    double *y;
    size_t n, cap, empty; /* empty: periods without downloads, left out of the series */
    uint32_t entity;      /* share: the entity's id, once looked up */
    bool looked_up, found;
} series;

static void push(series *s, int32_t start, int32_t end, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->start = omen_xrealloc(s->start, s->cap * sizeof *s->start);
        s->end = omen_xrealloc(s->end, s->cap * sizeof *s->end);
        s->y = omen_xrealloc(s->y, s->cap * sizeof *s->y);
    }
    s->start[s->n] = start;
    s->end[s->n] = end;
    s->y[s->n++] = v;
}

static bool on_measures(void *ctx, const omen_agg *a, int32_t start, int32_t end,
                        const omen_measures *m)
{
    (void)a;
    series *s = ctx;
    if (m->entities == 0 || !(m->total > 0)) {
        s->empty++;
        return true;
    }
    double v = 0;
    switch (s->q->measure) {
    case OMEN_MEASURE_HHI:
        v = m->hhi;
        break;
    case OMEN_MEASURE_GINI:
        v = m->gini;
        break;
    case OMEN_MEASURE_TOP1:
        v = m->top[0];
        break;
    case OMEN_MEASURE_TOP10:
        v = m->top[1];
        break;
    case OMEN_MEASURE_CR4:
        v = m->cr4;
        break;
    case OMEN_MEASURE_CR8:
        v = m->cr8;
        break;
    case OMEN_MEASURE_SHARE:
        break; /* not measured: on_amounts */
    }
    push(s, start, end, v);
    return true;
}

/* The entity's share: its downloads over the period's (the total summed as omen_metrics_sum
 * does), 0 in a period where it has none. */
static bool on_amounts(void *ctx, const omen_agg *a, int32_t start, int32_t end,
                       const uint32_t *ids, const double *amounts, size_t n)
{
    series *s = ctx;
    if (!s->looked_up) { /* every entity is named before the first period */
        s->looked_up = true;
        for (size_t e = 0; e < a->nentities && !s->found; e++)
            if (a->names[e] && strcmp(a->names[e], s->q->measure_entity) == 0) {
                s->entity = (uint32_t)e;
                s->found = true;
            }
    }
    if (!s->found)
        return false;
    double total = omen_metrics_sum(amounts, n), mine = 0;
    if (n == 0 || !(total > 0)) {
        s->empty++;
        return true;
    }
    for (size_t i = 0; i < n; i++)
        if (ids[i] == s->entity)
            mine += amounts[i];
    push(s, start, end, mine / total);
    return true;
}

static const char *measure_name(const omen_query *q, char *buf, size_t cap)
{
    static const char *const names[] = {"hhi", "gini", "top1", "top10", "cr4", "cr8"};
    if (q->measure == OMEN_MEASURE_SHARE) {
        snprintf(buf, cap, "share:%s", q->measure_entity);
        return buf;
    }
    return names[q->measure];
}

/* One row per segment: its first and last period, its length, its mean, the change of the
 * mean from the segment before, and the break (the first period's start) but for the first. */
static void segment_rows(omen_table *t, const series *s, const size_t *ends, size_t k)
{
    double previous = 0;
    for (size_t i = 0, from = 0; i < k; from = ends[i++]) {
        size_t r = omen_table_add_row(t);
        long double sum = 0;
        for (size_t j = from; j < ends[i]; j++)
            sum += s->y[j];
        double mean = (double)(sum / (long double)(ends[i] - from));
        omen_table_set_int(t, r, 0, (int64_t)i + 1);
        omen_table_set_date(t, r, 1, s->start[from]);
        omen_table_set_date(t, r, 2, s->end[ends[i] - 1]);
        omen_table_set_int(t, r, 3, (int64_t)(ends[i] - from));
        omen_table_set_real(t, r, 4, mean);
        if (i > 0) {
            omen_table_set_real(t, r, 5, mean - previous);
            omen_table_set_date(t, r, 6, s->start[from]);
        }
        previous = mean;
    }
}

omen_status omen_changes(const omen_panel *p, const omen_query *q, omen_table **out,
                         omen_error *err)
{
    series s = {.q = q};
    omen_agg agg;
    omen_status st = q->measure == OMEN_MEASURE_SHARE
                         ? omen_aggregate(p, q, false, on_amounts, &s, &agg, err)
                         : omen_aggregate_measured(p, q, on_measures, &s, &agg, err);
    if (st == OMEN_OK && q->measure == OMEN_MEASURE_SHARE && s.looked_up && !s.found)
        st = omen_error_set(err, OMEN_E_USAGE, "--measure: no entity '%s' at level %s",
                            q->measure_entity, omen_level_name(q));
    if (st != OMEN_OK) {
        omen_agg_free(&agg);
        free(s.start), free(s.end), free(s.y);
        return st;
    }
    omen_table *t = omen_table_new("changes");
    static const char *const cols[] = {"segment", "start",  "end",  "periods",
                                       "mean",    "change", "break"};
    static const omen_col_type types[] = {OMEN_COL_INT,  OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_INT,
                                          OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_DATE};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        omen_table_add_column(t, cols[i], types[i]);

    /* The penalty is beta sigma^2: beta per change point on the series divided by its noise
     * standard deviation sigma, as the BIC of a normal mean model with known variance. */
    bool fallback = false;
    double sigma = omen_stats_diff_sigma(s.y, s.n, &fallback);
    double beta = q->penalty_bic ? (s.n > 1 ? 2.0 * log((double)s.n) : 0) : q->penalty;
    size_t minseg = q->min_segment ? q->min_segment : 1;
    size_t *ends = omen_xmalloc((s.n / minseg + 2) * sizeof *ends), k = 0;
    double cost = 0;
    if (sigma > 0) {
        k = omen_stats_pelt(s.y, s.n, beta * sigma * sigma, minseg, ends, &cost);
    } else if (s.n > 0) { /* a constant series (or one value): one segment */
        ends[k++] = s.n;
    }
    segment_rows(t, &s, ends, k);

    omen_query_to_meta(p, q, &agg, t);
    char name[300];
    omen_table_meta_text(t, "measure", measure_name(q, name, sizeof name));
    omen_table_meta_text(t, "method", "PELT, cost = sum of squared deviations from the mean");
    omen_table_meta_int(t, "series_periods", (int64_t)s.n);
    omen_table_meta_int(t, "empty_periods", (int64_t)s.empty);
    omen_table_meta_real(t, "sigma", sigma);
    omen_table_meta_text(t, "sigma_rule",
                         fallback ? "sd(diff(y)) / sqrt(2) (mad(diff(y)) is 0)"
                                  : "mad(diff(y)) / sqrt(2)");
    omen_table_meta_text(t, "penalty_rule", q->penalty_bic ? "bic: 2 ln n" : "given");
    omen_table_meta_real(t, "penalty", beta);
    omen_table_meta_real(t, "penalty_scaled", beta * sigma * sigma);
    omen_table_meta_int(t, "min_segment", (int64_t)minseg);
    omen_table_meta_int(t, "breaks", k ? (int64_t)k - 1 : 0);
    omen_table_meta_real(t, "cost", sigma > 0 ? cost / (sigma * sigma) : 0);

    free(ends);
    omen_agg_free(&agg);
    free(s.start), free(s.end), free(s.y);
    *out = t;
    return OMEN_OK;
}
