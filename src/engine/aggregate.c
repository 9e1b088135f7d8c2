/* aggregate.c: downloads per entity per period: sample, --from/--to, the Rolling Window Filter,
 * attribution, levels and windows (DESIGN.md section 5), in one pass over the panel.
 *
 * The pass goes entity by entity (the models feeding each entity are read in turn, so each
 * model's weeks are read sequentially) and appends one (entity, amount) pair per period the
 * entity has downloads in to that period's bucket (a calendar period, or a week for trailing52
 * and cumulative windows). The buckets are sized exactly by a first, cheaper pass over the
 * weeks, both passes split across two threads by entity, and a calendar bucket is then the
 * period's list as it stands: the work is linear in the downloads counted and no period needs
 * a hash table. docs/architecture.md ("Performance") has the measurements behind the choices. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "engine.h"

typedef struct {
    uint32_t *entity;
    double *amount;
    size_t n, cap;
} bucket;

/* All buckets live in one anonymous mapping sized by count_half's bounds. Transparent huge
 * pages are asked for because the kernel's 4 KiB first-touch faults were the largest single
 * cost of a full-scale run on a virtual machine (measured: 66.8k faults, about a sixth of the
 * time); the bounds are upper limits, so a bucket never grows. */
typedef struct {
    void *base;
    size_t len;
} bucket_store;

static void bucket_add(bucket *b, uint32_t e, double v)
{
    if (b->n == b->cap)
        abort(); /* count_half's bound is an upper limit: this cannot happen */
    b->entity[b->n] = e;
    b->amount[b->n++] = v;
}

/* Entity lists per credited model: one entity for the model, developer, country and org type
 * levels, the field's values (credit split equally) for an annotation field. */
typedef struct {
    uint64_t *off; /* [n_models + 1]; NULL: model m maps to id[m] alone, weight 1 */
    uint32_t *id;
    double *weight; /* NULL with off */
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

static void map_single(const omen_panel *p, omen_agg *a, entity_map *em)
{
    size_t n = p->n_models, cap = 0;
    /* One entity per model with weight 1: no offsets or weights (off and weight stay NULL),
     * which spares a query two model-sized arrays to fill and read at random. */
    em->off = NULL;
    em->weight = NULL;
    em->id = omen_xmalloc((n ? n : 1) * sizeof *em->id);
    uint32_t *by_string = NULL;
    if (a->level != OMEN_LEVEL_MODEL && a->level != OMEN_LEVEL_DEVELOPER) {
        by_string = omen_xmalloc((p->n_strings ? p->n_strings : 1) * sizeof *by_string);
        memset(by_string, 0xff, (p->n_strings ? p->n_strings : 1) * sizeof *by_string);
    }
    if (a->level == OMEN_LEVEL_MODEL || a->level == OMEN_LEVEL_DEVELOPER) {
        bool model = a->level == OMEN_LEVEL_MODEL;
        a->nentities = model ? p->n_models : p->n_developers;
        a->names = omen_xmalloc((a->nentities ? a->nentities : 1) * sizeof *a->names);
        a->developer = omen_xmalloc((a->nentities ? a->nentities : 1) * sizeof *a->developer);
        for (size_t e = 0; e < a->nentities; e++) {
            a->names[e] = omen_panel_str(p, model ? p->model_name[e] : p->dev_name[e]);
            a->developer[e] = model ? p->model_developer[e] : (uint32_t)e;
        }
    }
    for (size_t m = 0; m < n; m++) {
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
    bucket *buckets;
    bucket_store store;
    omen_agg *agg;
} pass;

/* The last week index whose downloads of model m count, or -1 when none do: the Rolling
 * Window Filter keeps weeks with Monday - created < DAYS, and a model's weeks are sorted, so
 * the readers below stop at this week instead of testing every row. */
static int64_t last_counted_week(const pass *s, uint32_t m)
{
    int32_t c = s->facts->created_eff[m];
    if (s->created_lo != INT32_MIN && (c == OMEN_NO_DATE || c <= s->created_lo))
        return -1;
    if (s->q->rolling_days <= 0 || c == OMEN_NO_DATE)
        return (int64_t)s->p->n_weeks;
    int64_t x = (int64_t)s->q->rolling_days + c - s->p->first_week - 1; /* 7w <= x */
    return x >= 0 ? x / 7 : -((-x + 6) / 7);
}

/* Which models feed each entity, with what weight: CSR over entities. first[k] marks a model's
 * first feed, where its downloads are counted once for the meta block. */
typedef struct {
    uint64_t *off;
    uint32_t *model;
    double *weight;
    uint8_t *first;
} feeds;

static void build_feeds(const pass *s, size_t ne, feeds *f)
{
    const omen_panel *p = s->p;
    const omen_credit *cr = s->credit;
    const entity_map *em = s->em;
    f->off = omen_xcalloc(ne + 1, sizeof *f->off);
    for (int fill = 0; fill < 2; fill++) {
        if (fill) {
            for (size_t e = 0; e < ne; e++)
                f->off[e + 1] += f->off[e];
            size_t n = f->off[ne] ? f->off[ne] : 1;
            f->model = omen_xmalloc(n * sizeof *f->model);
            f->weight = omen_xmalloc(n * sizeof *f->weight);
            f->first = omen_xmalloc(n);
        }
        uint64_t *next = fill ? omen_xmalloc((ne + 1) * sizeof *next) : NULL;
        if (fill)
            memcpy(next, f->off, (ne + 1) * sizeof *next);
        for (uint32_t m = 0; m < p->n_models; m++) {
            if (!s->in[m] || p->dl_off[m] == p->dl_off[m + 1])
                continue;
            uint8_t first = 1;
            for (uint64_t t = cr->off[m]; t < cr->off[m + 1]; t++) {
                uint32_t root = cr->target[t];
                uint64_t j0 = em->off ? em->off[root] : root;
                uint64_t j1 = em->off ? em->off[root + 1] : (uint64_t)root + 1;
                for (uint64_t j = j0; j < j1; j++) {
                    uint32_t e = em->id[j];
                    if (!fill) {
                        f->off[e + 1]++;
                        continue;
                    }
                    f->model[next[e]] = m;
                    f->weight[next[e]] = cr->weight[t] * (em->weight ? em->weight[j] : 1.0);
                    f->first[next[e]++] = first;
                    first = 0;
                }
            }
        }
        free(next);
    }
}

static void feeds_free(feeds *f)
{
    free(f->off);
    free(f->model);
    free(f->weight);
    free(f->first);
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

/* The work of fill_buckets splits by entity into two halves, one per core (the machine the
 * budget is measured on has two): each half counts and fills its own part of every bucket, the
 * second half's part right behind the first's, so a bucket stays one array in entity order. */
typedef struct {
    pass *s;
    const feeds *f;
    size_t e0, e1;    /* entities [e0, e1) */
    uint64_t *bound;  /* [nbase] entries per period, counted by count_half */
    bucket *part;     /* [nbase] this half's part of each bucket */
    int64_t *last;    /* [feeds] last counted week of each feed's model */
    uint64_t counted; /* downloads counted (meta block) */
    bool fill;        /* false: count_half, true: fill_half */
} half;

/* Room for every bucket, counted exactly: the periods each entity has rows in (an upper bound
 * only where a row holds 0 downloads). Bounds by rows instead (an earlier version) left most of
 * each bucket's reserve unused, and huge pages zeroed it anyway (measured: a quarter of a
 * full-scale run in the kernel's page clearing); reading the weeks twice costs less. */
static void count_half(half *h)
{
    const omen_panel *p = h->s->p;
    const feeds *f = h->f;
    size_t nb = h->s->pd->nbase;
    uint8_t *seen = omen_xcalloc(nb ? nb : 1, 1);
    uint32_t *list = omen_xmalloc((nb ? nb : 1) * sizeof *list);
    for (size_t e = h->e0; e < h->e1; e++) {
        size_t nt = 0;
        for (uint64_t k = f->off[e]; k < f->off[e + 1]; k++) {
            uint32_t m = f->model[k];
            int64_t last = h->last[k] = last_counted_week(h->s, m);
            for (uint64_t i = p->dl_off[m]; i < p->dl_off[m + 1] && p->dl_week[i] <= last; i++) {
                uint32_t b = h->s->pd->base_of[p->dl_week[i]];
                if (b != UINT32_MAX && !seen[b]) {
                    seen[b] = 1;
                    list[nt++] = b;
                }
            }
        }
        for (size_t t = 0; t < nt; t++) {
            h->bound[list[t]]++;
            seen[list[t]] = 0;
        }
    }
    free(seen);
    free(list);
}

/* Entity by entity: the weeks of every model that feeds it are summed into a small dense array
 * of base periods, and only the entity's non-zero periods are appended to the buckets. Reading
 * each model's weeks is sequential, and the buckets receive one entry per (entity, period)
 * instead of one per download row, in increasing entity order with no entity twice. */
static void fill_half(half *h)
{
    const omen_panel *p = h->s->p;
    const feeds *f = h->f;
    size_t nb = h->s->pd->nbase;
    double *acc = omen_xcalloc(nb ? nb : 1, sizeof *acc);
    uint32_t *touched = omen_xmalloc((nb ? nb : 1) * sizeof *touched);
    for (size_t e = h->e0; e < h->e1; e++) {
        size_t nt = 0;
        for (uint64_t k = f->off[e]; k < f->off[e + 1]; k++) {
            uint32_t m = f->model[k];
            double w = f->weight[k];
            bool first = f->first[k];
            int64_t last = h->last[k];
            for (uint64_t i = p->dl_off[m]; i < p->dl_off[m + 1] && p->dl_week[i] <= last; i++) {
                uint32_t b = h->s->pd->base_of[p->dl_week[i]];
                if (b == UINT32_MAX)
                    continue;
                uint64_t c = p->dl_count[i];
                if (first)
                    h->counted += c;
                if (c == 0)
                    continue;
                if (acc[b] == 0.0)
                    touched[nt++] = b;
                acc[b] += (double)c * w;
            }
        }
        for (size_t t = 0; t < nt; t++) {
            uint32_t b = touched[t];
            if (acc[b] > 0)
                bucket_add(&h->part[b], (uint32_t)e, acc[b]);
            acc[b] = 0.0;
        }
    }
    free(acc);
    free(touched);
}

static void *run_half(void *arg)
{
    half *h = arg;
    if (h->fill)
        fill_half(h);
    else
        count_half(h);
    return NULL;
}

/* Runs both halves, the second on a thread of its own (or after the first if none starts). */
static void run_halves(half *h, bool fill)
{
    h[0].fill = h[1].fill = fill;
    pthread_t t;
    bool threaded = h[1].e0 < h[1].e1 && pthread_create(&t, NULL, run_half, &h[1]) == 0;
    run_half(&h[0]);
    if (threaded)
        pthread_join(t, NULL);
    else
        run_half(&h[1]);
}

/* All buckets share one anonymous mapping with no gaps, so the memory touched is the memory
 * used; each bucket is the first half's part followed by the second's. */
static void reserve_buckets(pass *s, half *h)
{
    size_t nb = s->pd->nbase, total = 0;
    for (size_t b = 0; b < nb; b++) {
        s->buckets[b].cap = (size_t)(h[0].bound[b] + h[1].bound[b]);
        total += s->buckets[b].cap;
    }
    size_t len = total * (sizeof(uint32_t) + sizeof(double)) + 64;
    void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        base = omen_xmalloc(len), len = 0; /* len 0: free() it, not munmap() */
    else
        madvise(base, len, MADV_HUGEPAGE);
    s->store = (bucket_store){base, len};
    double *amounts = base;
    uint32_t *entities = (uint32_t *)(amounts + total);
    for (size_t b = 0; b < nb; b++) {
        bucket *all = &s->buckets[b];
        all->amount = amounts;
        all->entity = entities;
        h[0].part[b] = (bucket){entities, amounts, 0, (size_t)h[0].bound[b]};
        h[1].part[b] =
            (bucket){entities + h[0].bound[b], amounts + h[0].bound[b], 0, (size_t)h[1].bound[b]};
        amounts += all->cap;
        entities += all->cap;
    }
}

/* Joins the halves' parts: the second moves down where the first used less than its room. */
static void join_parts(pass *s, const half *h)
{
    for (size_t b = 0; b < s->pd->nbase; b++) {
        bucket *all = &s->buckets[b];
        const bucket *a = &h[0].part[b], *z = &h[1].part[b];
        if (a->n < a->cap && z->n) {
            memmove(all->entity + a->n, z->entity, z->n * sizeof *z->entity);
            memmove(all->amount + a->n, z->amount, z->n * sizeof *z->amount);
        }
        all->n = a->n + z->n;
    }
}

static void fill_buckets(pass *s)
{
    size_t ne = s->agg->nentities, nb = s->pd->nbase;
    feeds f = {0};
    build_feeds(s, ne, &f);
    /* The split point balances the models read, the bulk of the work. */
    size_t mid = 0;
    while (mid < ne && f.off[mid] < f.off[ne] / 2)
        mid++;
    int64_t *last = omen_xmalloc((f.off[ne] ? f.off[ne] : 1) * sizeof *last);
    half h[2];
    for (int i = 0; i < 2; i++)
        h[i] = (half){s,
                      &f,
                      i ? mid : 0,
                      i ? ne : mid,
                      omen_xcalloc(nb ? nb : 1, sizeof(uint64_t)),
                      omen_xcalloc(nb ? nb : 1, sizeof(bucket)),
                      last,
                      0,
                      false};
    run_halves(h, false);
    reserve_buckets(s, h);
    run_halves(h, true);
    join_parts(s, h);
    s->agg->downloads_counted = (double)(h[0].counted + h[1].counted);
    s->agg->downloads_in_range = in_range_total(s);
    for (int i = 0; i < 2; i++) {
        free(h[i].bound);
        free(h[i].part);
    }
    free(last);
    feeds_free(&f);
}

/* Sums a bucket into acc (dense) and lists the entities it touched. */
static size_t sum_bucket(const bucket *b, double *acc, uint32_t *touched)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) {
        uint32_t e = b->entity[i];
        if (acc[e] == 0.0)
            touched[n++] = e;
        acc[e] += b->amount[i];
    }
    return n;
}

/* A bucket holds each entity of its period once, with a positive amount (fill_buckets): it is
 * the period's list as it stands. */
static bool emit_calendar(pass *s, omen_period_fn fn, void *ctx)
{
    bool go = true;
    for (size_t k = 0; k < s->pd->nbase && go; k++) {
        const bucket *b = &s->buckets[k];
        go = fn(ctx, s->agg, s->pd->start[k], s->pd->end[k], b->entity, b->amount, b->n);
    }
    return go;
}

/* trailing52 and cumulative: a running sum per entity plus a count of the weeks in the window
 * where it had downloads, so an entity leaves the period exactly when that count drops to 0
 * (floating-point subtraction alone could leave a residue). */
static bool emit_sliding(pass *s, omen_period_fn fn, void *ctx)
{
    size_t ne = s->agg->nentities, nb = s->pd->nbase;
    double *run = omen_xcalloc(ne ? ne : 1, sizeof *run);
    uint32_t *weeks_in = omen_xcalloc(ne ? ne : 1, sizeof *weeks_in);
    uint32_t *present = omen_xmalloc((ne ? ne : 1) * sizeof *present);
    uint32_t *where = omen_xmalloc((ne ? ne : 1) * sizeof *where);
    double *acc = omen_xcalloc(ne ? ne : 1, sizeof *acc);
    uint32_t *touched = omen_xmalloc((ne ? ne : 1) * sizeof *touched);
    double *amounts = omen_xmalloc((ne ? ne : 1) * sizeof *amounts);
    /* Each week's bucket is reduced to unique entities once, in place. */
    for (size_t k = 0; k < nb; k++) {
        bucket *b = &s->buckets[k];
        size_t n = sum_bucket(b, acc, touched);
        for (size_t i = 0; i < n; i++) {
            b->entity[i] = touched[i];
            b->amount[i] = acc[touched[i]];
            acc[touched[i]] = 0.0;
        }
        b->n = n;
    }
    size_t npresent = 0;
    bool go = true, trailing = s->q->window == OMEN_WINDOW_TRAILING52;
    for (size_t k = 0; k < nb && go; k++) {
        const bucket *b = &s->buckets[k];
        for (size_t i = 0; i < b->n; i++) {
            uint32_t e = b->entity[i];
            run[e] += b->amount[i];
            if (weeks_in[e]++ == 0) {
                where[e] = (uint32_t)npresent;
                present[npresent++] = e;
            }
        }
        if (trailing && k >= 52) {
            const bucket *old = &s->buckets[k - 52];
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
        go = fn(ctx, s->agg, start, s->pd->end[k], present, amounts, npresent);
    }
    free(run);
    free(weeks_in);
    free(present);
    free(where);
    free(acc);
    free(touched);
    free(amounts);
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

omen_status omen_aggregate(const omen_panel *p, const omen_query *q, bool whole, omen_period_fn fn,
                           void *ctx, omen_agg *agg, omen_error *err)
{
    memset(agg, 0, sizeof *agg);
    agg->level = q->level;
    if (q->level == OMEN_LEVEL_FIELD && !q->field[0])
        return omen_error_set(err, OMEN_E_USAGE, "--level: an annotation field must be named");
    omen_model_facts facts;
    omen_model_facts_compute(p, &facts);
    uint8_t *in = omen_xmalloc(p->n_models ? p->n_models : 1);
    agg->models_in_sample =
        omen_sample_select(p, &facts, q->sample, q->population_min, q->head_k, in);
    omen_credit credit;
    omen_credit_compute(p, q->attribution, q->merge_policy, &credit);
    agg->cycles_broken = credit.cycles_broken;
    entity_map em;
    if (q->level == OMEN_LEVEL_FIELD)
        map_field(p, q->field, agg, &em);
    else
        map_single(p, agg, &em);
    int32_t lo, hi, created_lo;
    range(p, q, whole, &lo, &hi, &created_lo);
    periods pd;
    make_periods(p, q, whole, lo, hi, &pd);
    agg->first_week = lo;
    agg->last_week = hi;
    pass s = {p,         q,          &facts,
              in,        &credit,    &em,
              &pd,       created_lo, omen_xcalloc(pd.nbase ? pd.nbase : 1, sizeof(bucket)),
              {NULL, 0}, agg};
    fill_buckets(&s);
    agg->nperiods = pd.nbase;
    if (pd.sliding)
        emit_sliding(&s, fn, ctx);
    else
        emit_calendar(&s, fn, ctx);
    if (s.store.len)
        munmap(s.store.base, s.store.len);
    else
        free(s.store.base);
    free(s.buckets);
    periods_free(&pd);
    entity_map_free(&em);
    omen_credit_free(&credit);
    omen_model_facts_free(&facts);
    free(in);
    return OMEN_OK;
}

void omen_agg_free(omen_agg *a)
{
    free(a->names);
    free(a->developer);
    memset(a, 0, sizeof *a);
}
