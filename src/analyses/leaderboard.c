/* leaderboard.c: `omen leaderboard` and `omen map`: entities ranked by downloads over the whole
 * range or the last year (the paper's Figure 1). Tied amounts share the smaller rank
 * (competition ranking: 1, 2, 2, 4). */
#include <stdlib.h>

#include "../engine/engine.h"
#include "../vocab/countries.h"
#include "ranking.h"

typedef struct {
    const omen_panel *p;
    omen_table *t;
    const omen_query *q;
    bool map;
    bool model_level;
} board;

static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    (void)start;
    (void)end;
    board *b = ctx;
    double total, rest;
    size_t top = b->map || n < b->q->top ? n : b->q->top;
    omen_ranked *r = omen_rank_top(a, ids, amounts, n, top, &total, &rest);
    bool origin = a->developer != NULL;
    size_t rank = 1;
    for (size_t i = 0; i < top; i++) {
        if (i > 0 && r[i].amount != r[i - 1].amount)
            rank = i + 1;
        omen_table *t = b->t;
        size_t row = omen_table_add_row(t), k = 0;
        omen_table_set_int(t, row, k++, (int64_t)rank);
        omen_table_set_text(t, row, k++, a->names[r[i].id]);
        if (b->map) {
            const char *name = omen_country_name(a->names[r[i].id]);
            omen_table_set_text(t, row, k++, name ? name : a->names[r[i].id]);
        }
        omen_table_set_real(t, row, k++, r[i].amount);
        omen_table_set_real(t, row, k++, total > 0 ? r[i].amount / total : 0.0);
        if (origin) {
            const char *country, *org;
            omen_rank_entity_origin(b->p, a, r[i].id, &country, &org);
            omen_table_set_text(t, row, k++, country);
            omen_table_set_text(t, row, k++, org);
        }
        if (b->model_level) /* the Hub's task tag: what kind of model it is (Figure 1's symbols) */
            omen_table_set_text(t, row, k++, omen_panel_str(b->p, b->p->model_pipeline[r[i].id]));
    }
    free(r);
    return true;
}

static omen_status run(const omen_panel *p, const omen_query *q, bool map, omen_table **out,
                       omen_error *err)
{
    omen_table *t = omen_table_new(map ? "map" : "leaderboard");
    omen_table_add_column(t, "rank", OMEN_COL_INT);
    omen_table_add_column(t, map ? "country" : "entity", OMEN_COL_TEXT);
    if (map)
        omen_table_add_column(t, "name", OMEN_COL_TEXT);
    omen_table_add_column(t, "downloads", OMEN_COL_REAL);
    omen_table_add_column(t, "share", OMEN_COL_REAL);
    if (!map && (q->level == OMEN_LEVEL_MODEL || q->level == OMEN_LEVEL_DEVELOPER)) {
        omen_table_add_column(t, "country", OMEN_COL_TEXT);
        omen_table_add_column(t, "org_type", OMEN_COL_TEXT);
    }
    bool model_level = !map && q->level == OMEN_LEVEL_MODEL;
    if (model_level)
        omen_table_add_column(t, "pipeline_tag", OMEN_COL_TEXT);
    board b = {p, t, q, map, model_level};
    omen_agg agg;
    omen_status s = omen_aggregate(p, q, true, on_period, &b, &agg, err);
    if (s == OMEN_OK) {
        omen_query_to_meta(p, q, &agg, t);
        omen_table_meta_text(t, "period", q->last_year ? "last-year" : "all");
        if (!map)
            omen_table_meta_int(t, "top", q->top);
    }
    omen_agg_free(&agg);
    if (s != OMEN_OK) {
        omen_table_free(t);
        return s;
    }
    *out = t;
    return OMEN_OK;
}

omen_status omen_leaderboard(const omen_panel *p, const omen_query *q, omen_table **out,
                             omen_error *err)
{
    return run(p, q, false, out, err);
}

omen_status omen_map(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err)
{
    omen_query cq = *q;
    cq.level = OMEN_LEVEL_COUNTRY;
    return run(p, &cq, true, out, err);
}
