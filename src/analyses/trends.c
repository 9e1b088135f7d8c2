/* trends.c: `omen trends --field F`: per period, the share of filtered downloads going to
 * models that carry each value of a characteristic (the paper's Figures 7 and 8). The same
 * incidence as `omen attributes`, over --window periods instead of year segments. */
#include <stdlib.h>

#include "../engine/engine.h"
#include "../util/error.h"
#include "traits.h"

typedef struct {
    omen_table *t;
    const omen_traits *tr;
    double *acc; /* [nvalues] */
    omen_trait_tally *order;
} trends_ctx;

static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    (void)a;
    trends_ctx *c = ctx;
    const omen_traits *tr = c->tr;
    double total;
    size_t k = omen_traits_tally(tr, ids, amounts, n, c->acc, c->order, &total);
    for (size_t i = 0; i < k; i++) {
        size_t r = omen_table_add_row(c->t);
        omen_table_set_date(c->t, r, 0, start);
        omen_table_set_date(c->t, r, 1, end);
        omen_table_set_text(c->t, r, 2, tr->names[c->order[i].value]);
        omen_table_set_real(c->t, r, 3, c->order[i].amount);
        omen_table_set_real(c->t, r, 4, c->order[i].amount / total);
    }
    return true;
}

omen_status omen_trends(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err)
{
    if (!q->field[0])
        return omen_error_set(err, OMEN_E_USAGE,
                              "--field is required; allowed: org_type, modality, gating, "
                              "input_modality, output_modality, languages, derivation, "
                              "architecture, training_methods, training_data, license_class");
    if (!omen_traits_known(q->field))
        return omen_error_set(err, OMEN_E_USAGE, "--field: '%s' is not a characteristic", q->field);
    omen_query qq = *q;
    if (!q->sample_given)
        qq.sample = OMEN_SAMPLE_HEAD;
    if (!q->window_given)
        qq.window = OMEN_WINDOW_QUARTER;
    qq.level = OMEN_LEVEL_MODEL;
    omen_traits tr;
    omen_traits_build(p, q->field, 0, &tr);
    omen_table *t = omen_table_new("trends");
    omen_table_add_column(t, "period_start", OMEN_COL_DATE);
    omen_table_add_column(t, "period_end", OMEN_COL_DATE);
    omen_table_add_column(t, "value", OMEN_COL_TEXT);
    omen_table_add_column(t, "downloads", OMEN_COL_REAL);
    omen_table_add_column(t, "share", OMEN_COL_REAL);
    trends_ctx c = {t, &tr, omen_xcalloc(tr.nvalues + 1, sizeof(double)),
                    omen_xmalloc((tr.nvalues + 1) * sizeof(omen_trait_tally))};
    omen_agg agg;
    omen_status s = omen_aggregate(p, &qq, false, on_period, &c, &agg, err);
    if (s == OMEN_OK) {
        omen_query_to_meta(p, &qq, &agg, t);
        omen_table_meta_text(t, "level", q->field);
        omen_table_meta_text(t, "field", q->field);
        omen_table_meta_text(t, "labels", "human over heuristic per (model, field)");
        omen_table_meta_text(t, "share",
                             "downloads of models carrying the value / all downloads of the period"
                             " (multi-label fields can sum above 1)");
        *out = t;
    } else {
        omen_table_free(t);
    }
    omen_agg_free(&agg);
    omen_traits_free(&tr);
    free(c.acc);
    free(c.order);
    return s;
}
