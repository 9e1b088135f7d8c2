/* lorenz.c: `omen lorenz`: the Lorenz curve of one level over the whole range, at evenly
 * spaced population shares. */
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../metrics/metrics.h"
#include "../util/error.h"

typedef struct {
    omen_table *t;
    const omen_query *q;
    double gini;
    size_t n;
} lorenz_ctx;

/* The Gini of the sorted amounts; of whole counts it is the exact one that `omen concentration`
 * gives them (omen_metrics_measure_counts), so the two commands print the same digits. */
static double gini_of(const double *sorted, size_t n)
{
    uint64_t *counts = omen_xmalloc(2 * (n ? n : 1) * sizeof *counts), total = 0;
    bool whole = true;
    for (size_t i = 0; i < n && whole; i++) {
        double x = sorted[i];
        whole = x >= 1 && x < 0x1p53 && x == (double)(uint64_t)x;
        total += counts[i] = whole ? (uint64_t)x : 0;
    }
    omen_measures m;
    if (whole && total < ((uint64_t)1 << 53))
        omen_metrics_measure_counts(counts, counts + n, n, total, NULL, 0, false, &m);
    else
        m.gini = omen_metrics_gini(sorted, n);
    free(counts);
    return m.gini;
}

static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    (void)a;
    (void)ids;
    (void)start;
    (void)end;
    lorenz_ctx *c = ctx;
    double *v = omen_xmalloc((n ? n : 1) * sizeof *v);
    memcpy(v, amounts, n * sizeof *v);
    omen_metrics_sort(v, n);
    size_t pts = c->q->points;
    double *pop = omen_xmalloc(pts * sizeof *pop), *share = omen_xmalloc(pts * sizeof *share);
    omen_metrics_lorenz(v, n, pts, pop, share);
    for (size_t j = 0; j < pts; j++) {
        size_t r = omen_table_add_row(c->t);
        omen_table_set_real(c->t, r, 0, pop[j]);
        omen_table_set_real(c->t, r, 1, share[j]);
    }
    c->gini = gini_of(v, n);
    c->n = n;
    free(v);
    free(pop);
    free(share);
    return true;
}

omen_status omen_lorenz(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err)
{
    omen_table *t = omen_table_new("lorenz");
    omen_table_add_column(t, "population_share", OMEN_COL_REAL);
    omen_table_add_column(t, "download_share", OMEN_COL_REAL);
    lorenz_ctx c = {t, q, 0, 0};
    omen_agg agg;
    omen_status s = omen_aggregate(p, q, true, on_period, &c, &agg, err);
    if (s == OMEN_OK) {
        omen_query_to_meta(p, q, &agg, t);
        omen_table_meta_int(t, "entities", (int64_t)c.n);
        omen_table_meta_real(t, "gini", c.gini);
    }
    omen_agg_free(&agg);
    if (s != OMEN_OK) {
        omen_table_free(t);
        return s;
    }
    *out = t;
    return OMEN_OK;
}
