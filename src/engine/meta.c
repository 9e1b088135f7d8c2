/* meta.c: the filters and definitions in force, written into every result's meta block so a
 * number can always be traced to the choices that produced it. */
#include <stdio.h>

#include "../util/dates.h"
#include "engine.h"

void omen_query_to_meta(const omen_panel *p, const omen_query *q, const omen_agg *a, omen_table *t)
{
    char d[11];
    omen_table_meta_bool(t, "synthetic", p->synthetic);
    omen_table_meta_text(t, "level", omen_level_name(q));
    omen_table_meta_text(t, "window", omen_window_name(q->window));
    omen_table_meta_text(t, "sample", omen_sample_name(q->sample));
    omen_table_meta_int(t, "population_min", (int64_t)q->population_min);
    if (q->sample == OMEN_SAMPLE_HEAD)
        omen_table_meta_int(t, "head_k", q->head_k);
    if (q->rolling_days > 0)
        omen_table_meta_int(t, "rolling_days", q->rolling_days);
    else
        omen_table_meta_text(t, "rolling_days", "off");
    omen_table_meta_text(t, "attribution",
                         q->attribution == OMEN_ATTRIBUTION_DIRECT ? "direct" : "recursive");
    if (q->attribution == OMEN_ATTRIBUTION_RECURSIVE)
        omen_table_meta_text(t, "merge_policy",
                             q->merge_policy == OMEN_MERGE_FIRST ? "first" : "split");
    omen_table_meta_text(t, "created_date", "min(created, first week with downloads)");
    if (a->first_week <= a->last_week) {
        omen_date_format(a->first_week, d);
        omen_table_meta_text(t, "from", d);
        omen_date_format(a->last_week, d);
        omen_table_meta_text(t, "to", d);
    }
    omen_table_meta_int(t, "models_in_sample", (int64_t)a->models_in_sample);
    omen_table_meta_real(t, "downloads_in_range", a->downloads_in_range);
    omen_table_meta_real(t, "downloads_counted", a->downloads_counted);
    if (a->cycles_broken)
        omen_table_meta_int(t, "cycles_broken", (int64_t)a->cycles_broken);
    omen_table_meta_int(t, "store_generation", p->generation);
}
