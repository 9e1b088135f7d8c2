/* aggregate.c: downloads per entity per period, the input of every concentration analysis:
 * sample, --from/--to, the Rolling Window Filter, attribution, levels and windows (DESIGN.md
 * section 5), in one pass over the panel.
 *
 * This file sets the pass up and tears it down, in the order a query is defined: the sample
 * (sample.c), each model's credit (attribution.c), the entities of the level (levels.c), the
 * weeks counted and their periods (periods.c); then the targets of every model and the rows
 * each week keeps (credit_targets.c), summed into periods on two workers (workers.c). What the
 * parts share is in aggregate_internal.h. */
#include <stdlib.h>
#include <string.h>

#include "../util/arena.h"
#include "../util/error.h"
#include "aggregate_internal.h"

/* The downloads of the sample in the weeks counted, before the filters (meta block). Over the
 * whole panel they are the models' totals, which the panel holds: no row is read. */
static double in_range_total(const pass *s)
{
    const omen_panel *p = s->p;
    bool all = true;
    for (size_t w = 0; w < p->n_weeks && all; w++)
        all = s->pd->base_of[w] != UINT32_MAX;
    uint64_t sum = 0;
    for (uint32_t m = 0; m < p->n_models; m++) {
        if (!s->in[m])
            continue;
        if (all) {
            sum += s->facts->total[m];
            continue;
        }
        for (uint64_t i = p->dl_off[m]; i < p->dl_off[m + 1]; i++)
            if (s->pd->base_of[p->dl_week[i]] != UINT32_MAX)
                sum += p->dl_count[i];
    }
    return (double)sum;
}

/* An upper bound on what a query takes from its arena (address space: only the pages touched
 * cost anything). Entities are at most the models, the developers, or the strings plus the
 * names omen adds ("UNKNOWN", "(none)"). */
static size_t arena_bound(const omen_panel *p, const omen_query *q)
{
    size_t n = p->n_models, nw = p->n_weeks,
           ne = q->level == OMEN_LEVEL_MODEL       ? n
                : q->level == OMEN_LEVEL_DEVELOPER ? p->n_developers
                                                   : (size_t)p->n_strings + 2;
    ne = ne ? ne : 1;
    size_t per_model = 1 + 4 + 4 + 8; /* in, entity ids, ranks' targets, fans */
    size_t per_entity = 8 + 4 + 4 + 4 + NWORKERS * (8 + 4 + 8 + 8 + 4) + 7 * 8;
    return n * per_model + ne * per_entity + nw * 3 * 8 + 64 * 64 + (1u << 20);
}

/* Runs the pass into out's callback; a sliding window's weeks are kept as buckets through the
 * pass and formed into periods after it. */
static void run(pass *s, omen_period_fn fn, omen_measures_fn mfn, void *ctx)
{
    const periods *pd = s->pd;
    sink out = {fn, mfn, ctx,
                pd->sliding ? omen_xcalloc(pd->nbase ? pd->nbase : 1, sizeof(bucket)) : NULL};
    agg_run_pass(s, &out);
    if (!pd->sliding)
        return;
    agg_emit_sliding(s, out.weeks, &out);
    for (size_t k = 0; k < pd->nbase; k++) {
        free(out.weeks[k].entity);
        free(out.weeks[k].amount);
    }
    free(out.weeks);
}

/* One of fn and mfn is given: listed or measured delivery. */
static omen_status aggregate(const omen_panel *p, const omen_query *q, bool whole,
                             omen_period_fn fn, omen_measures_fn mfn, void *ctx, omen_agg *agg,
                             omen_error *err)
{
    bool sorted = mfn != NULL;
    memset(agg, 0, sizeof *agg);
    agg->level = q->level;
    if (q->level == OMEN_LEVEL_FIELD && !q->field[0])
        return omen_error_set(err, OMEN_E_USAGE, "--level: an annotation field must be named");
    omen_arena_init(&agg->mem, arena_bound(p, q));
    omen_model_facts facts;
    omen_model_facts_compute(p, &facts);
    uint8_t *in = omen_arena_take(&agg->mem, p->n_models ? p->n_models : 1);
    agg->models_in_sample =
        omen_sample_select(p, &facts, q->sample, q->population_min, q->head_k, in);
    omen_credit credit;
    omen_credit_compute(p, q->attribution, q->merge_policy, &credit);
    agg->cycles_broken = credit.cycles_broken;
    entity_map em;
    agg_entity_map_build(p, q, agg, &em, !sorted);
    int32_t lo, hi, created_lo;
    agg_weeks_counted(p, q, whole, &lo, &hi, &created_lo);
    periods pd;
    agg_periods_make(p, q, whole, lo, hi, &pd);
    agg->first_week = lo;
    agg->last_week = hi;
    pass s = {p, q, &facts, in, &credit, &em, &pd, created_lo, {0}, sorted, false, agg, &agg->mem};
    bool owned;
    omen_week_index_of(p, facts.created_eff, &s.wk, &owned);
    agg->nperiods = pd.nbase;
    agg->downloads_in_range = in_range_total(&s);
    run(&s, fn, mfn, ctx);
    if (owned)
        omen_week_index_free(&s.wk);
    agg_periods_free(&pd);
    agg_entity_map_free(&em);
    omen_credit_free(&credit);
    omen_model_facts_free(&facts);
    return OMEN_OK;
}

omen_status omen_aggregate(const omen_panel *p, const omen_query *q, bool whole, omen_period_fn fn,
                           void *ctx, omen_agg *agg, omen_error *err)
{
    return aggregate(p, q, whole, fn, NULL, ctx, agg, err);
}

omen_status omen_aggregate_measured(const omen_panel *p, const omen_query *q, omen_measures_fn fn,
                                    void *ctx, omen_agg *agg, omen_error *err)
{
    return aggregate(p, q, false, NULL, fn, ctx, agg, err);
}

void omen_agg_free(omen_agg *a)
{
    if (!a->names_in_mem) {
        free(a->names);
        free(a->developer);
    }
    omen_arena_free(&a->mem);
    memset(a, 0, sizeof *a);
}
