/* workers.c: the aggregation pass itself: the rows counted, summed into periods on two workers.
 *
 * The pass reads the panel's week-major index (panel.h, omen_week_index) week by week: only
 * the rows the Rolling Window Filter keeps (a prefix of each week's rows), each sent by the
 * targets (credit_targets.c) into a dense accumulator per worker. Periods are produced by the
 * workers (one per core) and handed to the caller's callback in time order through slots:
 * period k uses slot k % NWORKERS, so each worker owns one slot. A worker sums a period into its
 * own accumulator, waits until its slot is free, and then gathers (and, with
 * omen_aggregate_measured, sorts and measures) the period into the slot; the callback takes the
 * slots in turn. So the callback's measures and the workers' sums share the two cores, the work
 * is linear in the rows counted, no period needs a hash table and no period is kept longer than
 * its turn. docs/architecture.md ("Performance") has the measurements behind the choices. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../metrics/metrics.h"
#include "../util/arena.h"
#include "../util/error.h"
#include "aggregate_internal.h"

/* A period handed over. */
typedef struct {
    uint32_t *ids;   /* the entities (not with sorted delivery) */
    double *amounts; /* their amounts: in buf[0] or buf[1] */
    void *buf[2];    /* 8-byte items: the gathered amounts and the sort's spare */
    size_t n, k;
    omen_measures m; /* measured delivery */
    bool ready;
} slot;

/* What the workers and the callback's thread share. */
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

/* One worker: its accumulator and the entities it touched in the period it sums. */
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
        st->row1[w] = agg_kept_rows_end(s, w);
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

/* The workers' accumulators and lists, one of each per worker. */
static void workers_init(stream *st, worker *w)
{
    pass *s = st->s;
    size_t nlocal = st->t->nlocal;
    for (size_t i = 0; i < st->nworkers; i++) {
        void *acc = omen_arena_take(s->mem, (nlocal ? nlocal : 1) * sizeof(double));
        /* one more than the entities: the sums write an id before they know it is new */
        uint32_t *touched = omen_arena_take(s->mem, (nlocal + 1) * sizeof(uint32_t));
        w[i] = (worker){st, i, acc, acc, touched, 0};
    }
}

/* Every period on the workers' threads, taken here in time order; false if a thread cannot be
 * started (those that were are stopped first). */
static bool run_threads(stream *st, worker *w, sink *out, bool *go)
{
    pthread_t tid[NWORKERS];
    size_t started = 0;
    while (started < st->nworkers &&
           pthread_create(&tid[started], NULL, run_worker, &w[started]) == 0)
        started++;
    if (started == st->nworkers) {
        *go = consume(st, out);
    } else {
        pthread_mutex_lock(&st->mu);
        st->stop = true;
        pthread_cond_broadcast(&st->cv);
        pthread_mutex_unlock(&st->mu);
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    return started == st->nworkers;
}

/* Every period summed and delivered in turn on this thread alone, from a fresh accumulator (a
 * worker stopped between its sum and its slot may have left amounts behind). */
static bool run_alone(stream *st, worker *w, sink *out)
{
    pass *s = st->s;
    size_t nlocal = st->t->nlocal;
    void *fresh = omen_arena_take(s->mem, (nlocal ? nlocal : 1) * sizeof(double));
    w[0].acc = fresh;
    w[0].count_acc = fresh;
    w[0].counted = 0;
    bool go = true;
    for (size_t k = 0; k < s->pd->nbase && go; k++) {
        size_t n = sum_period(&w[0], k);
        fill_slot(&w[0], k, n, &st->slots[0]);
        go = deliver(s, out, k, &st->slots[0]);
    }
    for (size_t i = 1; i < st->nworkers; i++)
        w[i].counted = 0;
    return go;
}

/* The pass: workers on threads of their own, or, if a thread cannot be started, every period
 * summed and delivered in turn on this one. */
bool agg_run_pass(pass *s, sink *out)
{
    targets t;
    agg_targets_build(s, &t);
    s->whole = t.nfan == 0;
    stream st;
    stream_init(&st, s, &t);
    worker w[NWORKERS];
    bool single = s->pd->nbase == 1 && st.week0[1] - st.week0[0] >= 2;
    if (single)
        st.nworkers = NWORKERS; /* both sum the one period: run_single */
    workers_init(&st, w);
    bool go = true;
    if (!(single && run_single(&st, w, out, &go)) && !run_threads(&st, w, out, &go))
        go = run_alone(&st, w, out);
    uint64_t counted = 0; /* run_single leaves the second worker's count at 0 (merge_sums) */
    for (size_t i = 0; i < st.nworkers; i++)
        counted += w[i].counted;
    s->agg->downloads_counted = (double)counted;
    stream_free(&st);
    agg_targets_free(&t);
    return go;
}
