/* modalities.c: `omen modalities`: the shares of downloads by input and by output modality
 * (the paper's Figure 6). A model's modality on each side is the combination of its labels
 * ("Text + Image"), so the shares of a side sum to 1 in every period. */
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../util/error.h"
#include "traits.h"

typedef struct {
    omen_table *t;
    omen_traits side[2]; /* input, output */
    double *acc;
    omen_trait_tally *order;
} mod_ctx;

static void emit_side(mod_ctx *c, int side, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    const omen_traits *tr = &c->side[side];
    double total;
    size_t k = omen_traits_tally(tr, ids, amounts, n, c->acc, c->order, &total);
    for (size_t i = 0; i < k; i++) {
        size_t r = omen_table_add_row(c->t);
        omen_table_set_date(c->t, r, 0, start);
        omen_table_set_date(c->t, r, 1, end);
        omen_table_set_text(c->t, r, 2, side ? "output" : "input");
        omen_table_set_text(c->t, r, 3, tr->names[c->order[i].value]);
        omen_table_set_real(c->t, r, 4, c->order[i].amount);
        omen_table_set_real(c->t, r, 5, c->order[i].amount / total);
    }
}

static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    (void)a;
    emit_side(ctx, 0, start, end, ids, amounts, n);
    emit_side(ctx, 1, start, end, ids, amounts, n);
    return true;
}

omen_status omen_modalities(const omen_panel *p, const omen_query *q, omen_table **out,
                            omen_error *err)
{
    omen_query qq = *q;
    if (!q->sample_given)
        qq.sample = OMEN_SAMPLE_HEAD;
    qq.level = OMEN_LEVEL_MODEL;
    mod_ctx c;
    memset(&c, 0, sizeof c);
    omen_traits_build(p, "input_modality", OMEN_TRAITS_COMBINE, &c.side[0]);
    omen_traits_build(p, "output_modality", OMEN_TRAITS_COMBINE, &c.side[1]);
    size_t nv = c.side[0].nvalues > c.side[1].nvalues ? c.side[0].nvalues : c.side[1].nvalues;
    c.acc = omen_xcalloc(nv + 1, sizeof *c.acc);
    c.order = omen_xmalloc((nv + 1) * sizeof *c.order);
    c.t = omen_table_new("modalities");
    static const char *const cols[] = {"period_start", "period_end", "side",
                                       "value",        "downloads",  "share"};
    static const omen_col_type types[] = {OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_TEXT,
                                          OMEN_COL_TEXT, OMEN_COL_REAL, OMEN_COL_REAL};
    for (size_t i = 0; i < 6; i++)
        omen_table_add_column(c.t, cols[i], types[i]);
    omen_agg agg;
    omen_status s = omen_aggregate(p, &qq, !q->window_given, on_period, &c, &agg, err);
    if (s == OMEN_OK) {
        omen_query_to_meta(p, &qq, &agg, c.t);
        omen_table_meta_text(c.t, "level", "input_modality, output_modality");
        if (!q->window_given)
            omen_table_meta_text(c.t, "window", "whole range");
        omen_table_meta_text(c.t, "labels", "human over heuristic per (model, field)");
        omen_table_meta_text(c.t, "value", "the model's labels of the side joined by ' + '");
        *out = c.t;
    } else {
        omen_table_free(c.t);
    }
    omen_agg_free(&agg);
    omen_traits_free(&c.side[0]);
    omen_traits_free(&c.side[1]);
    free(c.acc);
    free(c.order);
    return s;
}
