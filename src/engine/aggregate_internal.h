/* aggregate_internal.h: what the files of the aggregation pass share, and only they.
 *
 * omen_aggregate (aggregate.c) sets up one pass over the panel's week-major index from four
 * parts: the entities of the query's level (levels.c), the weeks counted and the periods they
 * form (periods.c), where each model's downloads go and which rows of a week the Rolling Window
 * Filter keeps (credit_targets.c), and the workers that sum the rows into periods and hand them
 * over in time order (workers.c). Every array below is owned by the pass's arena or freed by the
 * function named beside it. The functions they share are prefixed agg_. */
#ifndef OMEN_ENGINE_AGGREGATE_INTERNAL_H
#define OMEN_ENGINE_AGGREGATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* The periods are summed by this many workers (one per core; workers.c), which also sizes the
 * query's arena (aggregate.c). */
enum { NWORKERS = 2 };

/* One period's list: each entity once, with its amount. */
typedef struct {
    uint32_t *entity;
    double *amount;
    size_t n, cap;
} bucket;

/* Entity lists per credited model: one entity for the model, developer, country and org type
 * levels, the field's values (credit split equally) for an annotation field. */
typedef struct {
    uint64_t *off; /* [n_models + 1]; NULL: model m maps to id[m] alone, weight 1 */
    uint32_t *id;
    double *weight; /* NULL with off */
    bool borrowed;  /* id is the panel's or the arena's: agg_entity_map_free leaves it */
} entity_map;

/* The weeks counted, grouped into periods. */
typedef struct {
    size_t nbase;         /* buckets */
    uint32_t *base_of;    /* week index -> bucket, UINT32_MAX when the week is not counted */
    int32_t *start, *end; /* per bucket */
    bool sliding;         /* trailing52 / cumulative: buckets are weeks, periods slide */
} periods;

/* One pass: the query, what it counts, and where the results go. */
typedef struct {
    const omen_panel *p;
    const omen_query *q;
    const omen_model_facts *facts;
    const uint8_t *in;
    const omen_credit *credit;
    const entity_map *em;
    const periods *pd;
    int32_t created_lo; /* last-year rule: effective created date must be > created_lo */
    omen_week_index wk;
    bool sorted; /* omen_aggregate_measured: periods are sorted and measured, not listed */
    bool whole;  /* every amount a whole count (no fan): set by agg_run_pass */
    omen_agg *agg;
    omen_arena *mem; /* the working arrays below: agg->mem */
} pass;

/* Where the downloads of the model of each rank go: to one entity with weight 1 (the value
 * itself: every level but an annotation field, under direct attribution or the first base
 * model), nowhere (NONE: outside the sample or the last-year rule, or no credit), or to a fan
 * of (entity, weight) pairs (FAN | i: pairs fan_off[i] .. fan_off[i+1]). */
#define FAN 0x80000000u

typedef struct {
    uint32_t *of_rank;
    uint32_t *global; /* [nentities] the entity of each local id */
    size_t nlocal;    /* local ids given */
    uint64_t *fan_off;
    uint32_t *fan_id;
    double *fan_weight;
    size_t nfan, npairs, cap;
} targets;

/* Where the periods go: to the callback (calendar windows), or kept as each week's bucket
 * (sliding windows: trailing52 and cumulative need every week's list). */
typedef struct {
    omen_period_fn fn;
    omen_measures_fn mfn; /* measured delivery */
    void *ctx;
    bucket *weeks; /* sliding windows: [nbase] owned lists */
} sink;

/* levels.c: the entities of the query's level and each model's list of them. With named false
 * (measured delivery) the model and developer levels leave agg->names and agg->developer NULL. */
void agg_entity_map_build(const omen_panel *p, const omen_query *q, omen_agg *a, entity_map *em,
                          bool named);
void agg_entity_map_free(entity_map *em);

/* periods.c: the Mondays counted ([*lo, *hi]) and the last-year rule's bound, the periods they
 * form, and the periods of a sliding window once every week's bucket is summed. */
void agg_weeks_counted(const omen_panel *p, const omen_query *q, bool whole, int32_t *lo,
                       int32_t *hi, int32_t *created_lo);
void agg_periods_make(const omen_panel *p, const omen_query *q, bool whole, int32_t lo, int32_t hi,
                      periods *out);
void agg_periods_free(periods *pd);
bool agg_emit_sliding(pass *s, const bucket *weeks, const sink *out);

/* credit_targets.c: the targets of every rank (build on this thread and one more), and the end
 * of the rows of week w that the Rolling Window Filter keeps (they start at wk.off[w]). */
void agg_targets_build(const pass *s, targets *t);
void agg_targets_free(targets *t);
uint64_t agg_kept_rows_end(const pass *s, size_t w);

/* workers.c: sums every period and hands it to out in time order; returns the callback's last
 * answer. Sets s->whole and s->agg->downloads_counted. */
bool agg_run_pass(pass *s, sink *out);

#endif
