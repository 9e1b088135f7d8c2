/* engine.h: from (panel, query) to downloads per entity per period, the input of every
 * concentration analysis (DESIGN.md section 5).
 *
 * The engine selects the sample, applies the Rolling Window Filter and --from/--to, credits
 * each download to an entity through the attribution rule, and groups weeks into periods. An
 * omen_agg owns all its arrays; release it with omen_agg_free(). */
#ifndef OMEN_ENGINE_ENGINE_H
#define OMEN_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../metrics/metrics.h"
#include "../panel/panel.h"
#include "../util/arena.h"
#include "omen/omen.h"

/* Per-model facts every query needs, computed once per panel (and stored in its cache, from
 * which omen_model_facts_compute borrows them: treat the arrays as read-only). */
typedef struct {
    uint64_t *total;      /* all downloads of the model, unfiltered */
    int32_t *created_eff; /* min(created, first week with downloads > 0); OMEN_NO_DATE if neither */
    uint8_t *created_src; /* 0 none, 1 reported, 2 first download week (earlier or no date) */
    bool borrowed;        /* the arrays are the panel's: omen_model_facts_free leaves them */
} omen_model_facts;

void omen_model_facts_compute(const omen_panel *p, omen_model_facts *f);
void omen_model_facts_free(omen_model_facts *f);

/* The models an analysis sees: in[m] != 0. Returns the count. */
size_t omen_sample_select(const omen_panel *p, const omen_model_facts *f, omen_sample sample,
                          uint64_t population_min, uint32_t head_k, uint8_t *in);

/* Credit of a model: the entities (model indexes) that receive its downloads, with weights
 * summing to 1. CSR over models; when every model credits one model with weight 1 (direct
 * attribution, the first base model), off and weight are NULL and model m credits target[m],
 * and under direct attribution target is NULL too (m credits itself): model-sized arrays that
 * say nothing cost a full-scale query their page faults. */
typedef struct {
    uint64_t *off; /* [n_models + 1] */
    uint32_t *target;
    double *weight;
    size_t cycles_broken;
    bool borrowed; /* target is the panel's: omen_credit_free leaves it */
} omen_credit;

/* Model m's credit is entries [*t0, *t1) (omen_credit_range); entry k goes to model
 * omen_credit_target with weight omen_credit_weight. These read the NULL forms above. */
static inline uint32_t omen_credit_target(const omen_credit *c, uint32_t m, uint64_t k)
{
    return c->target ? c->target[k] : m;
}
static inline double omen_credit_weight(const omen_credit *c, uint64_t k)
{
    return c->weight ? c->weight[k] : 1.0;
}
static inline void omen_credit_range(const omen_credit *c, uint32_t m, uint64_t *t0, uint64_t *t1)
{
    *t0 = c->off ? c->off[m] : m;
    *t1 = c->off ? c->off[m + 1] : (uint64_t)m + 1;
}

void omen_credit_compute(const omen_panel *p, omen_attribution a, omen_merge_policy mp,
                         omen_credit *c);
void omen_credit_free(omen_credit *c);

/* The entities of an aggregation and what was filtered, for naming rows and the meta block.
 * Owns its arrays; release with omen_agg_free(). */
typedef struct {
    omen_level level;
    size_t nentities;
    const char **names;  /* entity -> name (points into the panel or static strings) */
    uint32_t *developer; /* model and developer levels: the entity's developer index */
    size_t nperiods;
    size_t models_in_sample;
    size_t cycles_broken;
    double downloads_in_range;     /* sample downloads in the weeks counted, before the filter */
    double downloads_counted;      /* after the Rolling Window Filter (and last-year rule) */
    int32_t first_week, last_week; /* Mondays of the weeks counted */
    bool names_in_mem;             /* names and developer are taken from mem */
    omen_arena mem;                /* the aggregation's working memory */
} omen_agg;

/* Receives one period: amounts[i] > 0 for entity ids[i], in no particular order. The arrays
 * are the engine's and valid only during the call. Returns false to stop. */
typedef bool (*omen_period_fn)(void *ctx, const omen_agg *agg, int32_t start, int32_t end,
                               const uint32_t *ids, const double *amounts, size_t n);

/* Aggregates the panel for the query and calls fn once per period in time order. With
 * whole_range, all weeks in range form one period (leaderboards, maps, Lorenz curves); with
 * q->last_year as well, the period is the 365 days ending at the last week counted and only
 * models whose effective created date lies in it count. */
omen_status omen_aggregate(const omen_panel *p, const omen_query *q, bool whole_range,
                           omen_period_fn fn, void *ctx, omen_agg *agg, omen_error *err);
/* Receives one period's measures (omen_aggregate_measured). Returns false to stop. */
typedef bool (*omen_measures_fn)(void *ctx, const omen_agg *agg, int32_t start, int32_t end,
                                 const omen_measures *m);

/* As omen_aggregate (periods by the query's window), but the engine measures each period itself
 * (omen_metrics_compute_ex with the query's cuts and entropy flag) and fn receives the measures
 * in time order: a concentration series. The sorting and measuring run on the engine's workers
 * beside the summing. With no ids to name, agg->names and agg->developer may be NULL. */
omen_status omen_aggregate_measured(const omen_panel *p, const omen_query *q, omen_measures_fn fn,
                                    void *ctx, omen_agg *agg, omen_error *err);
void omen_agg_free(omen_agg *a);

/* Names used in meta blocks and headers. */
const char *omen_level_name(const omen_query *q);
const char *omen_window_name(omen_window w);
const char *omen_sample_name(omen_sample s);

/* Adds the filters and definitions in force to a result table's meta block. */
void omen_query_to_meta(const omen_panel *p, const omen_query *q, const omen_agg *a, omen_table *t);

#endif
