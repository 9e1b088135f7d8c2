/* credit_targets.c: what each row of the panel's week-major index counts for, in a pass.
 *
 * A row is a (week, rank, count); ranks number the models newest first (those without a date
 * before all). Whether a row counts is decided per rank (the sample and the last-year rule:
 * counted_model) and per week (the Rolling Window Filter keeps a model while Monday - created <
 * DAYS, so the rows a week keeps are a prefix of its rows, found by two binary searches). Where
 * it goes is one table over ranks, the targets: the model's credit (attribution.c) composed with
 * its entities (levels.c), either one entity with weight 1 or a fan of (entity, weight) pairs.
 * Entities get local ids in the order the ranks first reach them, which keeps the workers' reads
 * of their accumulators nearly in order (docs/architecture.md, "Performance"). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../util/arena.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "aggregate_internal.h"

/* Whether model m, of rank r, counts: it is in the sample and, under the last-year rule, its
 * effective created date lies in the year. */
static bool counted_model(const pass *s, uint32_t m, uint32_t r)
{
    if (!s->in[m])
        return false;
    int32_t c = s->wk.created[r];
    return s->created_lo == INT32_MIN || (c != OMEN_NO_DATE && c > s->created_lo);
}

static void fan_push(targets *t, uint32_t e, double w)
{
    if (t->npairs == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->fan_id = omen_xrealloc(t->fan_id, t->cap * sizeof *t->fan_id);
        t->fan_weight = omen_xrealloc(t->fan_weight, t->cap * sizeof *t->fan_weight);
    }
    t->fan_id[t->npairs] = e;
    t->fan_weight[t->npairs++] = w;
}

/* Entities are numbered afresh in the order the ranks first reach them, and the accumulator
 * is indexed by these local ids: a week's rows ascend in rank, so its reads of the accumulator
 * ascend too, and the entities of models created near one another sit near one another
 * (measured: the reads of a developer accumulator indexed by developer were a third of a
 * full-scale series, nearly all cache misses). */
static uint32_t local_id(targets *t, uint32_t *local, uint32_t e, size_t *nlocal)
{
    if (local[e] == OMEN_NONE) {
        local[e] = (uint32_t)*nlocal;
        t->global[(*nlocal)++] = e;
    }
    return local[e];
}

/* Ranks visit models in created order, so each rank's model facts, credit and entity are
 * reads at random: fetched ahead, in two steps (the entity's address needs the root), they
 * overlap instead of waiting one by one (measured: about half of the targets' build time). */
enum { AHEAD = 16 };

static void prefetch_targets(const pass *s, size_t r)
{
    const omen_credit *cr = s->credit;
    size_t n = s->p->n_models;
    if (r + AHEAD < n) {
        uint32_t a = s->wk.order[r + AHEAD];
        __builtin_prefetch(&s->in[a]);
        if (cr->target && !cr->off)
            __builtin_prefetch(&cr->target[a]);
        else if (!cr->target && !s->em->off)
            __builtin_prefetch(&s->em->id[a]);
    }
    if (r + AHEAD / 2 < n && cr->target && !cr->off && !s->em->off)
        __builtin_prefetch(&s->em->id[cr->target[s->wk.order[r + AHEAD / 2]]]);
}

/* The entity of each rank in [r0, r1) when it is one with weight 1, else NONE or FAN (a fan to
 * build): the part of agg_targets_build that reads the model tables at random, run on two threads
 * over halves of the ranks. */
typedef struct {
    const pass *s;
    size_t r0, r1;
    uint32_t *entity;
} rank_span;

static void *entities_of_ranks(void *arg)
{
    const rank_span *h = arg;
    const pass *s = h->s;
    const omen_credit *cr = s->credit;
    const entity_map *em = s->em;
    for (size_t r = h->r0; r < h->r1; r++) {
        prefetch_targets(s, r);
        uint32_t m = s->wk.order[r];
        uint64_t t0, t1;
        omen_credit_range(cr, m, &t0, &t1);
        if (!counted_model(s, m, (uint32_t)r) || t0 == t1) {
            h->entity[r] = OMEN_NONE;
            continue;
        }
        uint32_t root = omen_credit_target(cr, m, t0);
        bool one = t1 == t0 + 1 && omen_credit_weight(cr, t0) == 1.0 &&
                   (!em->off ||
                    (em->off[root + 1] == em->off[root] + 1 && em->weight[em->off[root]] == 1.0));
        uint32_t e = em->off ? em->id[em->off[root]] : em->id[root];
        h->entity[r] = one && e < FAN ? e : FAN;
    }
    return NULL;
}

/* Local ids in rank order, and the fans, on this thread. */
static void number_entities(const pass *s, targets *t, uint32_t *local)
{
    const omen_credit *cr = s->credit;
    const entity_map *em = s->em;
    size_t n = s->p->n_models, nlocal = 0;
    for (size_t r = 0; r < n; r++) {
        uint32_t e = t->of_rank[r];
        if (e == OMEN_NONE)
            continue;
        if (e != FAN) {
            t->of_rank[r] = local_id(t, local, e, &nlocal);
            continue;
        }
        uint32_t m = s->wk.order[r];
        uint64_t t0, t1;
        omen_credit_range(cr, m, &t0, &t1);
        for (uint64_t k = t0; k < t1; k++) {
            uint32_t g = omen_credit_target(cr, m, k);
            uint64_t j0 = em->off ? em->off[g] : g, j1 = em->off ? em->off[g + 1] : (uint64_t)g + 1;
            for (uint64_t j = j0; j < j1; j++)
                fan_push(t, local_id(t, local, em->id[j], &nlocal),
                         omen_credit_weight(cr, k) * (em->weight ? em->weight[j] : 1.0));
        }
        t->of_rank[r] = FAN | (uint32_t)t->nfan;
        t->fan_off[++t->nfan] = t->npairs;
    }
    t->nlocal = nlocal;
}

void agg_targets_build(const pass *s, targets *t)
{
    size_t n = s->p->n_models, ne = s->agg->nentities;
    memset(t, 0, sizeof *t);
    t->of_rank = omen_arena_take(s->mem, (n ? n : 1) * sizeof *t->of_rank);
    t->global = omen_arena_take(s->mem, (ne ? ne : 1) * sizeof *t->global);
    uint32_t *local = omen_arena_take(s->mem, (ne ? ne : 1) * sizeof *local);
    memset(local, 0xff, (ne ? ne : 1) * sizeof *local);
    t->fan_off = omen_arena_take(s->mem, (n + 1) * sizeof *t->fan_off);
    t->fan_off[0] = 0;
    rank_span half[2] = {{s, 0, n / 2, t->of_rank}, {s, n / 2, n, t->of_rank}};
    pthread_t tid;
    bool threaded = n >= 4096 && pthread_create(&tid, NULL, entities_of_ranks, &half[1]) == 0;
    entities_of_ranks(&half[0]);
    if (threaded)
        pthread_join(tid, NULL);
    else
        entities_of_ranks(&half[1]);
    number_entities(s, t, local);
}

void agg_targets_free(targets *t)
{
    free(t->fan_id);
    free(t->fan_weight);
}

/* The ranks week w keeps: the Rolling Window Filter keeps a model while Monday - created <
 * DAYS, and ranks run from the newest model (no date first), so the kept ranks are [0, R). */
static uint32_t kept_ranks(const pass *s, size_t w)
{
    size_t n = s->p->n_models;
    if (s->q->rolling_days <= 0)
        return (uint32_t)n;
    int64_t cut = (int64_t)s->p->first_week + 7 * (int64_t)w - s->q->rolling_days;
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first rank whose created date is <= cut */
        size_t mid = lo + (hi - lo) / 2;
        int32_t c = s->wk.created[mid];
        if (c == OMEN_NO_DATE || c > cut)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* The end of week w's kept rows: its rows are in increasing rank. */
static uint64_t kept_rows_end(const omen_week_index *wk, size_t w, uint32_t ranks)
{
    uint64_t lo = wk->off[w], hi = wk->off[w + 1];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (wk->rank[mid] < ranks)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t agg_kept_rows_end(const pass *s, size_t w)
{
    return kept_rows_end(&s->wk, w, kept_ranks(s, w));
}
