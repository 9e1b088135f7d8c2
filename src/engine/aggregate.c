/* aggregate.c: downloads per entity per period: sample, --from/--to, the Rolling Window Filter,
 * attribution, levels and windows (DESIGN.md section 5), in one pass over the panel.
 *
 * The pass reads the panel's week-major index (panel.h, omen_week_index): week by week, only
 * the rows the Rolling Window Filter keeps (a prefix of each week's rows), each credited
 * through a per-model table of targets into a dense accumulator per period. Two workers sum
 * alternate periods while the caller's callback measures the finished ones in time order, so
 * the work is linear in the rows counted, no period needs a hash table and no period is kept
 * longer than its turn. docs/architecture.md ("Performance") has the measurements behind the
 * choices. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../metrics/metrics.h"
#include "../util/dates.h"
#include "../util/arena.h"
#include "../util/error.h"
#include "engine.h"

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
    bool borrowed;  /* id is the panel's or the arena's: entity_map_free leaves it */
} entity_map;

static uint32_t intern_name(omen_agg *a, const char *name, uint32_t *ids_by_string,
                            uint32_t string_id, size_t *cap)
{
    if (string_id != OMEN_NONE && ids_by_string[string_id] != OMEN_NONE)
        return ids_by_string[string_id];
    for (size_t e = 0; e < a->nentities; e++)
        if (strcmp(a->names[e], name) == 0)
            return (uint32_t)e;
    if (a->nentities == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        a->names = omen_xrealloc(a->names, *cap * sizeof *a->names);
    }
    a->names[a->nentities] = name;
    if (string_id != OMEN_NONE)
        ids_by_string[string_id] = (uint32_t)a->nentities;
    return (uint32_t)a->nentities++;
}

/* With named false (measured delivery: no ids, so nothing to name) the model and developer levels
 * skip their names, model-sized arrays that a concentration series never reads. */
static void map_single(const omen_panel *p, omen_agg *a, entity_map *em, bool named)
{
    omen_arena *mem = &a->mem;
    size_t n = p->n_models, cap = 0;
    /* One entity per model with weight 1: no offsets or weights (off and weight stay NULL),
     * which spares a query two model-sized arrays to fill and read at random. */
    em->off = NULL;
    em->weight = NULL;
    em->borrowed = true; /* the panel's (developer level) or the arena's */
    em->id = a->level == OMEN_LEVEL_DEVELOPER
                 ? (uint32_t *)(uintptr_t)p->model_developer /* read-only */
                 : omen_arena_take(mem, (n ? n : 1) * sizeof *em->id);
    uint32_t *by_string = NULL;
    if (a->level != OMEN_LEVEL_MODEL && a->level != OMEN_LEVEL_DEVELOPER) {
        by_string = omen_xmalloc((p->n_strings ? p->n_strings : 1) * sizeof *by_string);
        memset(by_string, 0xff, (p->n_strings ? p->n_strings : 1) * sizeof *by_string);
    }
    if (a->level == OMEN_LEVEL_MODEL || a->level == OMEN_LEVEL_DEVELOPER) {
        bool model = a->level == OMEN_LEVEL_MODEL;
        a->nentities = model ? p->n_models : p->n_developers;
        a->names_in_mem = true;
        if (named) {
            a->names = omen_arena_take(mem, (a->nentities ? a->nentities : 1) * sizeof *a->names);
            a->developer =
                omen_arena_take(mem, (a->nentities ? a->nentities : 1) * sizeof *a->developer);
        }
        for (size_t e = 0; e < a->nentities && named; e++) {
            a->names[e] = omen_panel_str(p, model ? p->model_name[e] : p->dev_name[e]);
            a->developer[e] = model ? p->model_developer[e] : (uint32_t)e;
        }
    }
    for (size_t m = 0; m < n && a->level != OMEN_LEVEL_DEVELOPER; m++) {
        uint32_t d = p->model_developer[m], e;
        if (a->level == OMEN_LEVEL_MODEL) {
            e = (uint32_t)m;
        } else if (a->level == OMEN_LEVEL_DEVELOPER) {
            e = d;
        } else {
            uint32_t s = a->level == OMEN_LEVEL_COUNTRY ? p->dev_country[d] : p->dev_org_type[d];
            const char *none = a->level == OMEN_LEVEL_COUNTRY ? "UNKNOWN" : "unknown";
            e = intern_name(a, s == OMEN_NONE ? none : omen_panel_str(p, s), by_string, s, &cap);
        }
        em->id[m] = e;
    }
    free(by_string);
}

static void map_field(const omen_panel *p, const char *field, omen_agg *a, entity_map *em)
{
    size_t n = p->n_models, cap = 0, at = 0, room = n + p->n_annotations + 1;
    em->off = omen_xmalloc((n + 1) * sizeof *em->off);
    em->borrowed = false;
    em->id = omen_xmalloc(room * sizeof *em->id);
    em->weight = omen_xmalloc(room * sizeof *em->weight);
    uint32_t *by_string = omen_xmalloc((p->n_strings ? p->n_strings : 1) * sizeof *by_string);
    memset(by_string, 0xff, (p->n_strings ? p->n_strings : 1) * sizeof *by_string);
    for (size_t m = 0; m < n; m++) {
        em->off[m] = at;
        for (uint64_t i = p->annot_off[m]; i < p->annot_off[m + 1]; i++) {
            if (strcmp(omen_panel_str(p, p->annot_field[i]), field) != 0)
                continue;
            uint32_t v = p->annot_value[i];
            uint32_t e = intern_name(a, omen_panel_str(p, v), by_string, v, &cap);
            bool seen = false;
            for (size_t j = em->off[m]; j < at; j++)
                seen |= em->id[j] == e;
            if (!seen)
                em->id[at++] = e;
        }
        if (at == em->off[m])
            em->id[at++] = intern_name(a, "(none)", by_string, OMEN_NONE, &cap);
        for (size_t j = em->off[m]; j < at; j++)
            em->weight[j] = 1.0 / (double)(at - em->off[m]);
    }
    em->off[n] = at;
    free(by_string);
}

static void entity_map_free(entity_map *em)
{
    free(em->off);
    if (!em->borrowed)
        free(em->id);
    free(em->weight);
}

/* ---- periods ---- */

typedef struct {
    size_t nbase;         /* buckets */
    uint32_t *base_of;    /* week index -> bucket, UINT32_MAX when the week is not counted */
    int32_t *start, *end; /* per bucket */
    bool sliding;         /* trailing52 / cumulative: buckets are weeks, periods slide */
} periods;

static int32_t monday(const omen_panel *p, size_t w)
{
    return p->first_week + 7 * (int32_t)w;
}

/* The calendar period of a day: its first and last day. */
static void calendar(omen_window w, int32_t day, int32_t *start, int32_t *end)
{
    int y, m, d;
    omen_date_ymd(day, &y, &m, &d);
    int months = w == OMEN_WINDOW_MONTH ? 1 : w == OMEN_WINDOW_QUARTER ? 3 : 12;
    int first = ((m - 1) / months) * months + 1;
    if (w == OMEN_WINDOW_YEAR)
        first = 1;
    *start = omen_date_days(y, first, 1);
    int ny = y, nm = first + months;
    if (nm > 12) {
        nm -= 12;
        ny++;
    }
    *end = omen_date_days(ny, nm, 1) - 1;
}

static void make_periods(const omen_panel *p, const omen_query *q, bool whole, int32_t lo,
                         int32_t hi, periods *out)
{
    size_t nw = p->n_weeks;
    out->base_of = omen_xmalloc((nw ? nw : 1) * sizeof *out->base_of);
    out->start = omen_xmalloc((nw ? nw : 1) * sizeof *out->start);
    out->end = omen_xmalloc((nw ? nw : 1) * sizeof *out->end);
    out->nbase = 0;
    out->sliding =
        !whole && (q->window == OMEN_WINDOW_TRAILING52 || q->window == OMEN_WINDOW_CUMULATIVE);
    for (size_t w = 0; w < nw; w++) {
        int32_t mon = monday(p, w);
        out->base_of[w] = UINT32_MAX;
        if (mon < lo || mon > hi)
            continue;
        int32_t s = mon, e = mon + 6;
        if (whole) {
            s = lo;
            e = hi + 6;
        } else if (q->window >= OMEN_WINDOW_MONTH && q->window <= OMEN_WINDOW_YEAR) {
            calendar(q->window, mon, &s, &e);
        }
        if (out->nbase == 0 || out->start[out->nbase - 1] != s) {
            out->start[out->nbase] = s;
            out->end[out->nbase++] = e;
        }
        out->base_of[w] = (uint32_t)(out->nbase - 1);
    }
}

static void periods_free(periods *pd)
{
    free(pd->base_of);
    free(pd->start);
    free(pd->end);
}

/* ---- the pass ---- */

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
    bool whole;  /* every amount a whole count (no fan): set by run_pass */
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
 * overlap instead of waiting one by one (measured: about half of build_targets' time). */
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
 * build): the part of build_targets that reads the model tables at random, run on two threads
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

static void build_targets(const pass *s, targets *t)
{
    const omen_credit *cr = s->credit;
    const entity_map *em = s->em;
    size_t n = s->p->n_models, ne = s->agg->nentities, nlocal = 0;
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
    /* Local ids in rank order, and the fans, on this thread. */
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

static void targets_free(targets *t)
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

/* Periods are produced by workers (one per core) and handed to the caller's callback in time
 * order through slots: period k uses slot k % NWORKERS, so each worker owns one slot. A worker
 * sums a period into its own accumulator, waits until its slot is free, and then gathers (and,
 * with omen_aggregate_measured, sorts and measures) the period into the slot; the callback takes
 * the slots in
 * turn. So the callback's measures and the workers' sums share the two cores, and no period is
 * kept longer than its turn. */
enum { NWORKERS = 2 };

/* A period handed over. */
typedef struct {
    uint32_t *ids;   /* the entities (not with sorted delivery) */
    double *amounts; /* their amounts: in buf[0] or buf[1] */
    void *buf[2];    /* 8-byte items: the gathered amounts and the sort's spare */
    size_t n, k;
    omen_measures m; /* measured delivery */
    bool ready;
} slot;

typedef struct {
    pass *s;
    const targets *t;
    uint64_t *row0, *row1; /* [n_weeks] the rows each week counts: [row0, row1) */
    size_t *week0;         /* [nbase + 1] the weeks of base period k: [week0[k], week0[k+1]) */
    slot slots[NWORKERS];
    size_t nworkers;
    bool integral; /* every rank credits one entity with weight 1: sum_counts */
    bool sorting;  /* measured delivery of calendar periods: the workers sort and measure */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
} stream;

typedef struct {
    stream *st;
    size_t id;
    double *acc;         /* [nentities], zero between periods */
    uint64_t *count_acc; /* the same memory, for whole counts (stream.integral) */
    uint32_t *touched;   /* [nentities + 1] local ids first touched in the period */
    uint64_t counted;
} worker;

/* The count of week-major row i of week wk: the saturated ones are read back in full, out of
 * line (omen_week_count), so the summing loops test the saturation without a call. */
static inline uint64_t row_count(const pass *s, const uint32_t *count, uint64_t i, size_t wk)
{
    return count[i] < UINT32_MAX ? count[i] : omen_week_count(s->p, &s->wk, i, wk);
}

/* Whole counts (every model credits one entity with weight 1, no fan): summed as integers,
 * which is exact and cheaper than doubles, then sorted and measured as integers
 * (omen_metrics_measure_counts). The sums equal the doubles' of sum_amounts to the bit as long
 * as they stay below 2^53. */
static size_t sum_counts(worker *w, size_t lo, size_t hi)
{
    const stream *st = w->st;
    const pass *s = st->s;
    const uint32_t *rank = s->wk.rank, *count = s->wk.count, *of_rank = st->t->of_rank;
    uint64_t *acc = w->count_acc, counted = 0;
    uint32_t *ids = w->touched;
    size_t n = 0;
    for (size_t wk = lo; wk < hi; wk++) {
        for (uint64_t i = st->row0[wk]; i < st->row1[wk]; i++) {
            uint32_t e = of_rank[rank[i]];
            if (e == OMEN_NONE)
                continue;
            uint64_t c = row_count(s, count, i, wk);
            counted += c;
            /* Without a branch: whether an entity is new is a coin toss per row (measured: the
             * branch's mispredictions were most of a full-scale pass). */
            uint64_t a = acc[e];
            ids[n] = e;
            n += a == 0;
            acc[e] = a + c;
        }
    }
    w->counted += counted;
    return n;
}

/* Amounts with fractional credit (the split policy, annotation fields): doubles. */
static size_t sum_amounts(worker *w, size_t lo, size_t hi)
{
    const stream *st = w->st;
    const pass *s = st->s;
    const targets *t = st->t;
    const uint32_t *rank = s->wk.rank, *count = s->wk.count, *of_rank = t->of_rank;
    double *acc = w->acc;
    uint32_t *ids = w->touched;
    uint64_t counted = 0;
    size_t n = 0;
    for (size_t wk = lo; wk < hi; wk++) {
        for (uint64_t i = st->row0[wk]; i < st->row1[wk]; i++) {
            uint32_t e = of_rank[rank[i]];
            if (e == OMEN_NONE)
                continue;
            uint64_t c = row_count(s, count, i, wk);
            counted += c;
            if (e < FAN) {
                double a = acc[e];
                ids[n] = e;
                n += a == 0.0;
                acc[e] = a + (double)c;
                continue;
            }
            for (uint64_t j = t->fan_off[e & ~FAN]; j < t->fan_off[(e & ~FAN) + 1]; j++) {
                uint32_t f = t->fan_id[j];
                if (acc[f] == 0.0)
                    ids[n++] = f;
                acc[f] += (double)c * t->fan_weight[j];
            }
        }
    }
    w->counted += counted;
    return n;
}

/* Moves the n entities a worker summed into its slot, in global ids, and clears them from the
 * accumulator; with measured delivery the amounts are sorted and measured there. */
static void fill_slot(worker *w, size_t k, size_t n, slot *sl)
{
    const stream *st = w->st;
    const uint32_t *global = st->t->global, *ids = w->touched;
    size_t kept = 0;
    uint64_t total = 0; /* whole counts: their exact sum */
    if (st->integral) {
        uint64_t *acc = w->count_acc, *gathered = sl->buf[0];
        for (size_t i = 0; i < n; i++) { /* every count is > 0: no entity is dropped */
            uint32_t e = ids[i];
            if (!st->sorting)
                sl->ids[i] = global[e];
            gathered[i] = acc[e];
            total += acc[e];
            acc[e] = 0;
        }
        kept = n;
        if (st->sorting) {
            const omen_query *q = st->s->q;
            omen_metrics_measure_counts(gathered, sl->buf[1], n, total, q->cuts, q->ncuts,
                                        q->entropy, &sl->m);
        } else {
            sl->amounts = sl->buf[1];
            for (size_t i = 0; i < n; i++)
                sl->amounts[i] = (double)gathered[i];
        }
    } else {
        double *acc = w->acc, *gathered = sl->buf[0];
        for (size_t i = 0; i < n; i++) {
            uint32_t e = ids[i];
            if (acc[e] > 0) {
                if (!st->sorting)
                    sl->ids[kept] = global[e];
                gathered[kept++] = acc[e];
            }
            acc[e] = 0.0;
        }
        sl->amounts = st->sorting ? omen_metrics_sort_spare(gathered, sl->buf[1], kept) : gathered;
    }
    const omen_query *q = st->s->q;
    if (st->sorting && !st->integral)
        omen_metrics_compute_ex(sl->amounts, kept, q->cuts, q->ncuts, q->entropy, &sl->m);
    sl->n = kept;
    sl->k = k;
}

/* Sums weeks [lo, hi) into the worker's accumulator; returns the entities touched. */
static size_t sum_weeks(worker *w, size_t lo, size_t hi)
{
    return w->st->integral ? sum_counts(w, lo, hi) : sum_amounts(w, lo, hi);
}

static size_t sum_period(worker *w, size_t k)
{
    return sum_weeks(w, w->st->week0[k], w->st->week0[k + 1]);
}

/* A single period (leaderboards, maps, Lorenz curves: the whole range) is split by weeks
 * between the two workers instead, and the second's sums are added into the first's. Adding
 * counts is exact; fractional amounts are added in another order than one worker would, which
 * moves a sum by an ulp at most. */
typedef struct {
    worker *w;
    size_t lo, hi, n;
} week_span;

static void *sum_span(void *arg)
{
    week_span *h = arg;
    h->n = sum_weeks(h->w, h->lo, h->hi);
    return NULL;
}

static size_t merge_sums(worker *into, size_t n, worker *from, size_t nfrom)
{
    for (size_t i = 0; i < nfrom; i++) {
        uint32_t e = from->touched[i];
        if (from->st->integral) {
            uint64_t v = from->count_acc[e];
            from->count_acc[e] = 0;
            into->touched[n] = e;
            n += into->count_acc[e] == 0;
            into->count_acc[e] += v;
        } else {
            double v = from->acc[e];
            from->acc[e] = 0.0;
            if (into->acc[e] == 0.0)
                into->touched[n++] = e;
            into->acc[e] += v;
        }
    }
    into->counted += from->counted;
    from->counted = 0;
    return n;
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    stream *st = w->st;
    slot *sl = &st->slots[w->id];
    for (size_t k = w->id; k < st->s->pd->nbase; k += st->nworkers) {
        size_t n = sum_period(w, k);
        pthread_mutex_lock(&st->mu);
        while (sl->ready && !st->stop)
            pthread_cond_wait(&st->cv, &st->mu);
        bool stop = st->stop;
        pthread_mutex_unlock(&st->mu);
        if (stop)
            break;
        fill_slot(w, k, n, sl);
        pthread_mutex_lock(&st->mu);
        sl->ready = true;
        pthread_cond_broadcast(&st->cv);
        pthread_mutex_unlock(&st->mu);
    }
    return NULL;
}

/* Hands period k to the callback (calendar windows) or keeps it as week k's bucket (sliding
 * windows: trailing52 and cumulative need every week's list). */
typedef struct {
    omen_period_fn fn;
    omen_measures_fn mfn; /* measured delivery */
    void *ctx;
    bucket *weeks; /* sliding windows: [nbase] owned lists */
} sink;

static bool deliver(pass *s, sink *out, size_t k, const slot *sl)
{
    if (out->mfn && !out->weeks)
        return out->mfn(out->ctx, s->agg, s->pd->start[k], s->pd->end[k], &sl->m);
    if (!out->weeks)
        return out->fn(out->ctx, s->agg, s->pd->start[k], s->pd->end[k], sl->ids, sl->amounts,
                       sl->n);
    bucket *b = &out->weeks[k];
    b->n = b->cap = sl->n;
    b->entity = omen_xmalloc((sl->n ? sl->n : 1) * sizeof *b->entity);
    b->amount = omen_xmalloc((sl->n ? sl->n : 1) * sizeof *b->amount);
    memcpy(b->entity, sl->ids, sl->n * sizeof *b->entity);
    memcpy(b->amount, sl->amounts, sl->n * sizeof *b->amount);
    return true;
}

static void stream_init(stream *st, pass *s, const targets *t)
{
    const omen_panel *p = s->p;
    size_t nw = p->n_weeks, nb = s->pd->nbase;
    memset(st, 0, sizeof *st);
    st->s = s;
    st->t = t;
    st->row0 = omen_arena_take(s->mem, (nw ? nw : 1) * sizeof *st->row0);
    st->row1 = omen_arena_take(s->mem, (nw ? nw : 1) * sizeof *st->row1);
    st->week0 = omen_arena_take(s->mem, (nb + 1) * sizeof *st->week0);
    for (size_t w = 0; w < nw; w++) {
        st->row0[w] = s->wk.off[w];
        st->row1[w] = kept_rows_end(&s->wk, w, kept_ranks(s, w));
        uint32_t b = s->pd->base_of[w];
        if (b != UINT32_MAX) {
            if (st->week0[b + 1] == 0)
                st->week0[b] = w;
            st->week0[b + 1] = w + 1;
        }
    }
    st->nworkers = nb < NWORKERS ? 1 : NWORKERS;
    st->integral = t->nfan == 0;
    st->sorting = s->sorted && !s->pd->sliding;
    /* A period lists each entity the ranks reach at most once: t->nlocal of them. */
    size_t cap = t->nlocal ? t->nlocal : 1;
    for (size_t i = 0; i < st->nworkers; i++) {
        slot *sl = &st->slots[i];
        sl->buf[0] = omen_arena_take(s->mem, cap * sizeof(double));
        sl->buf[1] = omen_arena_take(s->mem, cap * sizeof(double));
        sl->ids = st->sorting ? NULL : omen_arena_take(s->mem, cap * sizeof *sl->ids);
    }
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
}

static void stream_free(stream *st)
{
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->cv);
}

/* Takes the periods from the workers in time order. */
static bool consume(stream *st, sink *out)
{
    bool go = true;
    for (size_t k = 0; k < st->s->pd->nbase && go; k++) {
        slot *sl = &st->slots[k % st->nworkers];
        pthread_mutex_lock(&st->mu);
        while (!(sl->ready && sl->k == k))
            pthread_cond_wait(&st->cv, &st->mu);
        pthread_mutex_unlock(&st->mu);
        go = deliver(st->s, out, k, sl);
        pthread_mutex_lock(&st->mu);
        sl->ready = false;
        st->stop = !go;
        pthread_cond_broadcast(&st->cv);
        pthread_mutex_unlock(&st->mu);
    }
    return go;
}

/* The whole range on two threads, then delivered; false if the second thread cannot start. */
static bool run_single(stream *st, worker *w, sink *out, bool *go)
{
    /* Split where half the rows counted are behind: downloads grow over the years, so the
     * later weeks hold most of them. */
    size_t lo = st->week0[0], hi = st->week0[1], mid = lo;
    uint64_t all = 0, half = 0;
    for (size_t wk = lo; wk < hi; wk++)
        all += st->row1[wk] - st->row0[wk];
    while (mid + 1 < hi && half + (st->row1[mid] - st->row0[mid]) <= all / 2) {
        half += st->row1[mid] - st->row0[mid];
        mid++;
    }
    week_span a = {&w[0], lo, mid, 0}, b = {&w[1], mid, hi, 0};
    pthread_t tid;
    if (pthread_create(&tid, NULL, sum_span, &b) != 0)
        return false;
    sum_span(&a);
    pthread_join(tid, NULL);
    size_t n = merge_sums(&w[0], a.n, &w[1], b.n);
    fill_slot(&w[0], 0, n, &st->slots[0]);
    *go = deliver(st->s, out, 0, &st->slots[0]);
    return true;
}

/* The pass: workers on threads of their own, or, if a thread cannot be started, every period
 * summed and delivered in turn on this one. Returns the callback's last answer. */
static bool run_pass(pass *s, sink *out)
{
    targets t;
    build_targets(s, &t);
    s->whole = t.nfan == 0;
    stream st;
    stream_init(&st, s, &t);
    size_t nlocal = t.nlocal;
    worker w[NWORKERS];
    bool single = s->pd->nbase == 1 && st.week0[1] - st.week0[0] >= 2;
    if (single)
        st.nworkers = NWORKERS; /* both sum the one period: run_single */
    for (size_t i = 0; i < st.nworkers; i++) {
        void *acc = omen_arena_take(s->mem, (nlocal ? nlocal : 1) * sizeof(double));
        /* one more than the entities: the sums write an id before they know it is new */
        uint32_t *touched = omen_arena_take(s->mem, (nlocal + 1) * sizeof(uint32_t));
        w[i] = (worker){&st, i, acc, acc, touched, 0};
    }
    bool go = true;
    if (single && run_single(&st, w, out, &go)) {
        s->agg->downloads_counted = (double)w[0].counted;
        stream_free(&st);
        targets_free(&t);
        return go;
    }
    pthread_t tid[NWORKERS];
    size_t started = 0;
    while (started < st.nworkers &&
           pthread_create(&tid[started], NULL, run_worker, &w[started]) == 0)
        started++;
    if (started == st.nworkers) {
        go = consume(&st, out);
        for (size_t i = 0; i < started; i++)
            pthread_join(tid[i], NULL);
    } else {
        pthread_mutex_lock(&st.mu);
        st.stop = true;
        pthread_cond_broadcast(&st.cv);
        pthread_mutex_unlock(&st.mu);
        for (size_t i = 0; i < started; i++)
            pthread_join(tid[i], NULL);
        /* Start over on this thread alone (a worker stopped between its sum and its slot may
         * have left amounts behind: a fresh accumulator). */
        void *fresh = omen_arena_take(s->mem, (nlocal ? nlocal : 1) * sizeof(double));
        w[0].acc = fresh;
        w[0].count_acc = fresh;
        w[0].counted = 0;
        for (size_t k = 0; k < s->pd->nbase && go; k++) {
            size_t n = sum_period(&w[0], k);
            fill_slot(&w[0], k, n, &st.slots[0]);
            go = deliver(s, out, k, &st.slots[0]);
        }
        for (size_t i = 1; i < st.nworkers; i++)
            w[i].counted = 0;
    }
    uint64_t counted = 0;
    for (size_t i = 0; i < st.nworkers; i++)
        counted += w[i].counted;
    s->agg->downloads_counted = (double)counted;
    stream_free(&st);
    targets_free(&t);
    return go;
}

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

/* The measures of a sliding window's amounts; whole counts (exact in the doubles of the running
 * sums, below 2^53) are measured as counts, like the calendar periods' (metrics.h). */
static void measure_window(const pass *s, const double *amounts, size_t n, void *buf, void *spare,
                           omen_measures *m)
{
    const omen_query *q = s->q;
    if (s->whole) {
        uint64_t *counts = buf, total = 0;
        for (size_t i = 0; i < n; i++)
            total += counts[i] = (uint64_t)amounts[i];
        omen_metrics_measure_counts(counts, spare, n, total, q->cuts, q->ncuts, q->entropy, m);
        return;
    }
    omen_metrics_sort_copy(amounts, buf, n, spare);
    omen_metrics_compute_ex(buf, n, q->cuts, q->ncuts, q->entropy, m);
}

/* trailing52 and cumulative: a running sum per entity plus a count of the weeks in the window
 * where it had downloads, so an entity leaves the period exactly when that count drops to 0
 * (floating-point subtraction alone could leave a residue). Each week's bucket lists an entity
 * once (sum_period). */
static bool emit_sliding(pass *s, const bucket *weeks, const sink *out)
{
    size_t ne = s->agg->nentities, nb = s->pd->nbase;
    size_t room = ne ? ne : 1;
    double *run = omen_arena_take(s->mem, room * sizeof *run);
    uint32_t *weeks_in = omen_arena_take(s->mem, room * sizeof *weeks_in);
    uint32_t *present = omen_arena_take(s->mem, room * sizeof *present);
    uint32_t *where = omen_arena_take(s->mem, room * sizeof *where);
    double *amounts = omen_arena_take(s->mem, room * sizeof *amounts);
    void *sorted = s->sorted ? omen_arena_take(s->mem, room * sizeof(double)) : NULL;
    void *scratch = s->sorted ? omen_arena_take(s->mem, room * sizeof(double)) : NULL;
    size_t npresent = 0;
    bool go = true, trailing = s->q->window == OMEN_WINDOW_TRAILING52;
    for (size_t k = 0; k < nb && go; k++) {
        const bucket *b = &weeks[k];
        for (size_t i = 0; i < b->n; i++) {
            uint32_t e = b->entity[i];
            run[e] += b->amount[i];
            if (weeks_in[e]++ == 0) {
                where[e] = (uint32_t)npresent;
                present[npresent++] = e;
            }
        }
        if (trailing && k >= 52) {
            const bucket *old = &weeks[k - 52];
            for (size_t i = 0; i < old->n; i++) {
                uint32_t e = old->entity[i];
                run[e] -= old->amount[i];
                if (--weeks_in[e] == 0) {
                    run[e] = 0.0;
                    uint32_t last = present[--npresent];
                    present[where[e]] = last;
                    where[last] = where[e];
                }
            }
        }
        for (size_t i = 0; i < npresent; i++)
            amounts[i] = run[present[i]] > 0 ? run[present[i]] : 0.0;
        int32_t start = trailing ? s->pd->start[k] - 51 * 7 : s->pd->start[0];
        if (trailing && start < s->pd->start[0])
            start = s->pd->start[0];
        if (sorted) {
            omen_measures m;
            measure_window(s, amounts, npresent, sorted, scratch, &m);
            go = out->mfn(out->ctx, s->agg, start, s->pd->end[k], &m);
        } else {
            go = out->fn(out->ctx, s->agg, start, s->pd->end[k], present, amounts, npresent);
        }
    }
    return go;
}

/* The Mondays counted: --from/--to clipped to the panel; last-year narrows to 365 days. A
 * --from or --to inside a week is moved to the first or last Monday in [from, to], so that
 * first_week and last_week (and the meta block's from and to) are Mondays of weeks counted. */
static void range(const omen_panel *p, const omen_query *q, bool whole, int32_t *lo, int32_t *hi,
                  int32_t *created_lo)
{
    int32_t first = p->first_week, last = p->first_week + 7 * ((int32_t)p->n_weeks - 1);
    *lo = q->from > first ? q->from : first;
    *hi = q->to < last ? q->to : last;
    if (omen_date_week_monday(*lo) != *lo)
        *lo = omen_date_week_monday(*lo) + 7;
    *hi = omen_date_week_monday(*hi);
    *created_lo = INT32_MIN;
    if (whole && q->last_year) {
        int32_t end = omen_date_week_monday(*hi);
        *hi = end;
        *created_lo = end - 365;
        if (*lo <= *created_lo)
            *lo = *created_lo + 1;
    }
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
    if (q->level == OMEN_LEVEL_FIELD)
        map_field(p, q->field, agg, &em);
    else
        map_single(p, agg, &em, !sorted);
    int32_t lo, hi, created_lo;
    range(p, q, whole, &lo, &hi, &created_lo);
    periods pd;
    make_periods(p, q, whole, lo, hi, &pd);
    agg->first_week = lo;
    agg->last_week = hi;
    pass s = {p, q, &facts, in, &credit, &em, &pd, created_lo, {0}, sorted, false, agg, &agg->mem};
    bool owned;
    omen_week_index_of(p, facts.created_eff, &s.wk, &owned);
    agg->nperiods = pd.nbase;
    agg->downloads_in_range = in_range_total(&s);
    sink out = {fn, mfn, ctx,
                pd.sliding ? omen_xcalloc(pd.nbase ? pd.nbase : 1, sizeof(bucket)) : NULL};
    run_pass(&s, &out);
    if (pd.sliding) {
        emit_sliding(&s, out.weeks, &out);
        for (size_t k = 0; k < pd.nbase; k++) {
            free(out.weeks[k].entity);
            free(out.weeks[k].amount);
        }
        free(out.weeks);
    }
    if (owned)
        omen_week_index_free(&s.wk);
    periods_free(&pd);
    entity_map_free(&em);
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
