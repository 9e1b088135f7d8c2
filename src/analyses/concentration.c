/* concentration.c: `omen concentration`: HHI, Gini, top-k shares and rank segments of one
 * level per period (the paper's Figure 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../metrics/metrics.h"
#include "../util/error.h"

typedef struct {
    omen_table *t;
    const omen_query *q;
} conc;

/* Segment names follow the cuts: 1,10,100,1000 give seg_1, seg_2_10, seg_11_100, seg_101_1000
 * and seg_rest (the CSV columns of DESIGN section 8). */
static void add_segment_columns(omen_table *t, const omen_query *q)
{
    uint32_t lo = 1;
    for (size_t i = 0; i < q->ncuts; i++) {
        char name[48];
        if (lo == q->cuts[i])
            snprintf(name, sizeof name, "seg_%u", lo);
        else
            snprintf(name, sizeof name, "seg_%u_%u", lo, q->cuts[i]);
        omen_table_add_column(t, name, OMEN_COL_REAL);
        lo = q->cuts[i] + 1;
    }
    omen_table_add_column(t, "seg_rest", OMEN_COL_REAL);
}

/* The engine measures each period (omen_aggregate_measured). */
static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end,
                      const omen_measures *measured)
{
    (void)a;
    conc *c = ctx;
    omen_measures m = *measured;
    omen_table *t = c->t;
    size_t r = omen_table_add_row(t), k = 0;
    omen_table_set_date(t, r, k++, start);
    omen_table_set_date(t, r, k++, end);
    omen_table_set_text(t, r, k++, omen_level_name(c->q));
    omen_table_set_int(t, r, k++, (int64_t)m.entities);
    omen_table_set_real(t, r, k++, m.total);
    omen_table_set_real(t, r, k++, m.hhi);
    omen_table_set_real(t, r, k++, m.hhi * 10000.0);
    omen_table_set_real(t, r, k++, m.hhi_normalized);
    omen_table_set_real(t, r, k++, m.gini);
    for (int i = 0; i < 3; i++)
        omen_table_set_real(t, r, k++, m.top[i]);
    for (size_t i = 0; i < m.nsegments; i++)
        omen_table_set_real(t, r, k++, m.segments[i]);
    if (c->q->entropy) {
        omen_table_set_real(t, r, k++, m.entropy);
        omen_table_set_real(t, r, k++, m.effective);
    }
    return true;
}

omen_status omen_concentration(const omen_panel *p, const omen_query *q, omen_table **out,
                               omen_error *err)
{
    omen_table *t = omen_table_new("concentration");
    static const char *const cols[] = {
        "period_start", "period_end",     "level", "entities",   "downloads",   "hhi",
        "hhi_10000",    "hhi_normalized", "gini",  "top1_share", "top10_share", "top100_share"};
    static const omen_col_type types[] = {
        OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_TEXT, OMEN_COL_INT,  OMEN_COL_REAL, OMEN_COL_REAL,
        OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        omen_table_add_column(t, cols[i], types[i]);
    add_segment_columns(t, q);
    if (q->entropy) {
        omen_table_add_column(t, "entropy", OMEN_COL_REAL);
        omen_table_add_column(t, "effective_entities", OMEN_COL_REAL);
    }
    conc c = {t, q};
    omen_agg agg;
    omen_status s = omen_aggregate_measured(p, q, on_period, &c, &agg, err);
    if (s == OMEN_OK)
        omen_query_to_meta(p, q, &agg, t);
    omen_agg_free(&agg);
    if (s != OMEN_OK) {
        omen_table_free(t);
        return s;
    }
    *out = t;
    return OMEN_OK;
}
