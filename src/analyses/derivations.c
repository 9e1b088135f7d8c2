/* derivations.c: `omen derivations` (the paper's Figure 9): how downloads spread over the steps
 * of derivation chains. A model d steps from its root (first base models, cycles cut as the
 * engine cuts them) puts its downloads at depth 1..d under the relation of each step, counted
 * from the root; at the depths beyond d they count as "(none)", so every depth sums to 1. */
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../util/error.h"
#include "lineage.h"

typedef struct {
    const omen_panel *p;
    const omen_lineage *l;
    omen_table *t;      /* NULL: only the totals */
    double *cell;       /* [(max_depth + 1) * nrel]: downloads by (depth, relation) */
    double deep2;       /* downloads of models 2+ steps deep, over the periods seen */
    double total;       /* all downloads, over the periods seen */
    double last_share2; /* the last period's share 2+ deep (sliding windows) */
    size_t *order;      /* relations by name, "(none)" last */
} deriv;

/* Walks each model's chain once: the step at depth k is the relation of the ancestor k steps
 * from the root, so a model at depth d credits depths d, d-1, ..., 1 on its way up. */
static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    (void)a;
    deriv *s = ctx;
    const omen_lineage *l = s->l;
    size_t nrel = l->nrel;
    memset(s->cell, 0, (l->max_depth + 1) * nrel * sizeof *s->cell);
    double total = 0, deep2 = 0;
    uint32_t dmax = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t m = ids[i];
        total += amounts[i];
        if (l->depth[m] >= 2)
            deep2 += amounts[i];
        if (l->depth[m] > dmax)
            dmax = l->depth[m];
        for (; l->depth[m] > 0; m = l->parent[m])
            s->cell[l->depth[m] * nrel + l->rel[m]] += amounts[i];
    }
    s->total += total;
    s->deep2 += deep2;
    s->last_share2 = total > 0 ? deep2 / total : 0;
    if (!s->t || total <= 0)
        return true;
    if (dmax == 0)
        dmax = 1; /* depth 1 is shown even when nothing is derived: all "(none)" */
    for (uint32_t d = 1; d <= dmax; d++) {
        double *row = s->cell + (size_t)d * nrel, derived = 0;
        for (size_t r = 1; r < nrel; r++)
            derived += row[r];
        row[0] = total - derived > 0 ? total - derived : 0;
        for (size_t k = 0; k < nrel; k++) {
            size_t r = s->order[k];
            if (row[r] <= 0)
                continue;
            size_t i = omen_table_add_row(s->t), c = 0;
            omen_table_set_date(s->t, i, c++, start);
            omen_table_set_date(s->t, i, c++, end);
            omen_table_set_int(s->t, i, c++, d);
            omen_table_set_text(s->t, i, c++, l->rel_name[r]);
            omen_table_set_real(s->t, i, c++, row[r]);
            omen_table_set_real(s->t, i, c++, row[r] / total);
        }
    }
    return true;
}

/* "(none)" sorts last, the relations by name before it (insertion sort: a handful of names,
 * and no static state, so that server threads can run this at once). */
static bool before(const omen_lineage *l, size_t x, size_t y)
{
    if ((x == 0) != (y == 0))
        return y == 0;
    return strcmp(l->rel_name[x], l->rel_name[y]) < 0;
}

static void sort_relations(const omen_lineage *l, size_t *order)
{
    for (size_t i = 0; i < l->nrel; i++) {
        size_t v = i, j = i;
        for (; j > 0 && before(l, v, order[j - 1]); j--)
            order[j] = order[j - 1];
        order[j] = v;
    }
}

static omen_table *new_table(void)
{
    omen_table *t = omen_table_new("derivations");
    omen_table_add_column(t, "period_start", OMEN_COL_DATE);
    omen_table_add_column(t, "period_end", OMEN_COL_DATE);
    omen_table_add_column(t, "depth", OMEN_COL_INT);
    omen_table_add_column(t, "relation", OMEN_COL_TEXT);
    omen_table_add_column(t, "downloads", OMEN_COL_REAL);
    omen_table_add_column(t, "share", OMEN_COL_REAL);
    return t;
}

/* Downloads are the model's own (direct attribution at the model level) whatever the query
 * says: the chain is the point of the analysis. */
static omen_query model_query(const omen_query *q)
{
    omen_query m = *q;
    m.level = OMEN_LEVEL_MODEL;
    m.attribution = OMEN_ATTRIBUTION_DIRECT;
    m.last_year = false;
    return m;
}

omen_status omen_derivations(const omen_panel *p, const omen_query *q, omen_table **out,
                             omen_error *err)
{
    omen_lineage l;
    omen_lineage_compute(p, &l);
    size_t order[OMEN_LINEAGE_MAX_RELATIONS + 1];
    sort_relations(&l, order);
    omen_table *t = new_table();
    deriv s = {p, &l, t, omen_xcalloc((l.max_depth + 1) * l.nrel, sizeof(double)), 0, 0, 0, order};
    omen_query mq = model_query(q);
    omen_agg agg;
    bool windowed = q->window_given;
    omen_status st = omen_aggregate(p, &mq, !windowed, on_period, &s, &agg, err);
    bool sliding = q->window == OMEN_WINDOW_TRAILING52 || q->window == OMEN_WINDOW_CUMULATIVE;
    double share2 = s.total > 0 ? s.deep2 / s.total : 0;
    if (windowed && sliding)
        share2 = s.last_share2;
    if (st == OMEN_OK) {
        omen_query_to_meta(p, &mq, &agg, t);
        if (!windowed)
            omen_table_meta_text(t, "window", "all (whole range)");
        omen_table_meta_text(t, "chain",
                             "first base model to the root; depth counted from the root");
        omen_table_meta_real(t, "share_2plus_deep", share2);
        omen_table_meta_text(t, "share_2plus_deep_over",
                             windowed && sliding ? "the last period" : "all periods");
        omen_table_meta_int(t, "max_depth", l.max_depth);
        if (l.cycles_broken)
            omen_table_meta_int(t, "cycles_broken", (int64_t)l.cycles_broken);
    }
    omen_agg_free(&agg);
    free(s.cell);
    omen_lineage_free(&l);
    if (st != OMEN_OK) {
        omen_table_free(t);
        return st;
    }
    *out = t;
    return OMEN_OK;
}
