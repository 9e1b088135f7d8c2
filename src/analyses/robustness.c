/* robustness.c: `omen robustness`: one headline measure recomputed over a grid of definitions,
 * Rolling Window Filter {182, 365, 730 days, off} x population minimum {0, 50, 200, 1000} x
 * attribution {direct, recursive first, recursive split}, for the last year and per period, with
 * the min-max envelope and Kendall's tau-b of each setting's top list against the query's own
 * setting (docs/methodology.md, "Robustness").
 *
 * The settings share the work. Per-model tables (samples, roots, credit lists, entities) are
 * built once per request; per period the week-major rows are read once, up to the widest
 * filter, into per-model sums split by rolling class (the narrowest window that keeps the row),
 * so that a setting's downloads of a model are a prefix sum of its classes. Per attribution,
 * the period's models are then credited once, class of population minimum by class (the
 * samples are nested), and one pass over the entities measures every rolling value of a
 * sample. docs/methodology.md ("Robustness") has the measured times. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../metrics/metrics.h"
#include "../util/arena.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "ranking.h"

/* ---------------------------------------------------------------- the grid */

enum { NGRID_R = 4, NGRID_P = 4, NATTR = 3, MAXR = NGRID_R + 1, MAXP = NGRID_P + 1 };
enum { MAXTOP = 100 }; /* the longest top list compared (--top) */
enum { NWORKERS = 2 }; /* threads measuring the settings of a period */
static const int32_t grid_rolling[NGRID_R] = {182, 365, 730, 0}; /* 0: no filter */
static const uint64_t grid_pop[NGRID_P] = {0, 50, 200, 1000};
static const char *const attr_names[NATTR] = {"direct", "recursive-first", "recursive-split"};

/* The axes: the grid's values and the query's own (the reference setting), which may lie off
 * the grid and is then computed and reported as one more setting. */
typedef struct {
    int32_t roll[MAXR]; /* ascending, 0 (no filter) last */
    size_t nroll;
    uint64_t pop[MAXP]; /* ascending */
    size_t npop;
    size_t ref_r, ref_p, ref_a;
} axes;

static int64_t roll_key(int32_t d)
{
    return d > 0 ? d : INT64_MAX;
}

static size_t add_roll(axes *ax, int32_t d)
{
    size_t i = 0;
    while (i < ax->nroll && roll_key(ax->roll[i]) < roll_key(d))
        i++;
    if (i < ax->nroll && ax->roll[i] == d)
        return i;
    memmove(ax->roll + i + 1, ax->roll + i, (ax->nroll - i) * sizeof *ax->roll);
    ax->roll[i] = d;
    ax->nroll++;
    return i;
}

static size_t add_pop(axes *ax, uint64_t v)
{
    size_t i = 0;
    while (i < ax->npop && ax->pop[i] < v)
        i++;
    if (i < ax->npop && ax->pop[i] == v)
        return i;
    memmove(ax->pop + i + 1, ax->pop + i, (ax->npop - i) * sizeof *ax->pop);
    ax->pop[i] = v;
    ax->npop++;
    return i;
}

static void make_axes(const omen_query *q, axes *ax)
{
    memset(ax, 0, sizeof *ax);
    for (size_t i = 0; i < NGRID_R; i++)
        add_roll(ax, grid_rolling[i]);
    for (size_t i = 0; i < NGRID_P; i++)
        add_pop(ax, grid_pop[i]);
    int32_t ref_roll = q->rolling_days > 0 ? q->rolling_days : 0;
    add_roll(ax, ref_roll);
    add_pop(ax, q->population_min);
    for (size_t i = 0; i < ax->nroll; i++)
        if (ax->roll[i] == ref_roll)
            ax->ref_r = i;
    for (size_t i = 0; i < ax->npop; i++)
        if (ax->pop[i] == q->population_min)
            ax->ref_p = i;
    ax->ref_a = q->attribution == OMEN_ATTRIBUTION_DIRECT ? 0
                : q->merge_policy == OMEN_MERGE_FIRST     ? 1
                                                          : 2;
}

static bool on_grid_roll(int32_t d)
{
    for (size_t i = 0; i < NGRID_R; i++)
        if (grid_rolling[i] == d)
            return true;
    return false;
}

static bool on_grid_pop(uint64_t v)
{
    for (size_t i = 0; i < NGRID_P; i++)
        if (grid_pop[i] == v)
            return true;
    return false;
}

/* A setting is reported when it is on the grid, or is the reference. */
static bool reported(const axes *ax, size_t r, size_t pi, size_t a)
{
    if (r == ax->ref_r && pi == ax->ref_p && a == ax->ref_a)
        return true;
    return on_grid_roll(ax->roll[r]) && on_grid_pop(ax->pop[pi]);
}

/* ---------------------------------------------------------------- entities of a level */

/* The entities a credited model's downloads go to, as the engine's levels define them
 * (docs/methodology.md, "The concentration engine", 6): one entity per model (one[]), or for
 * an annotation field the model's labels sharing its credit equally (CSR off/id/w). */
typedef struct {
    size_t n;
    const char **names; /* [n] */
    uint32_t *one;      /* [n_models], or NULL with the CSR below */
    bool one_borrowed;  /* the panel's model_developer */
    uint64_t *off;      /* [n_models + 1] */
    uint32_t *id;
    double *w;
} entities;

static uint32_t intern(entities *en, const char *name, uint32_t *by_string, uint32_t sid,
                       size_t *cap)
{
    if (sid != OMEN_NONE && by_string[sid] != OMEN_NONE)
        return by_string[sid];
    for (size_t e = 0; e < en->n; e++)
        if (strcmp(en->names[e], name) == 0)
            return (uint32_t)e;
    if (en->n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        en->names = omen_xrealloc(en->names, *cap * sizeof *en->names);
    }
    en->names[en->n] = name;
    if (sid != OMEN_NONE)
        by_string[sid] = (uint32_t)en->n;
    return (uint32_t)en->n++;
}

static void entities_build(const omen_panel *p, const omen_query *q, entities *en)
{
    size_t n = p->n_models, cap = 0;
    memset(en, 0, sizeof *en);
    if (q->level == OMEN_LEVEL_MODEL || q->level == OMEN_LEVEL_DEVELOPER) {
        bool model = q->level == OMEN_LEVEL_MODEL;
        en->n = model ? n : p->n_developers;
        en->names = omen_xmalloc((en->n ? en->n : 1) * sizeof *en->names);
        for (size_t e = 0; e < en->n; e++)
            en->names[e] = omen_panel_str(p, model ? p->model_name[e] : p->dev_name[e]);
        if (model) {
            en->one = omen_xmalloc((n ? n : 1) * sizeof *en->one);
            for (size_t m = 0; m < n; m++)
                en->one[m] = (uint32_t)m;
        } else {
            en->one = (uint32_t *)(uintptr_t)p->model_developer; /* read-only */
            en->one_borrowed = true;
        }
        return;
    }
    size_t ns = p->n_strings ? p->n_strings : 1;
    uint32_t *by_string = omen_xmalloc(ns * sizeof *by_string);
    memset(by_string, 0xff, ns * sizeof *by_string);
    if (q->level != OMEN_LEVEL_FIELD) {
        bool country = q->level == OMEN_LEVEL_COUNTRY;
        en->one = omen_xmalloc((n ? n : 1) * sizeof *en->one);
        for (size_t m = 0; m < n; m++) {
            uint32_t d = p->model_developer[m];
            uint32_t s = country ? p->dev_country[d] : p->dev_org_type[d];
            const char *none = country ? "UNKNOWN" : "unknown";
            en->one[m] =
                intern(en, s == OMEN_NONE ? none : omen_panel_str(p, s), by_string, s, &cap);
        }
        free(by_string);
        return;
    }
    size_t at = 0, room = n + p->n_annotations + 1;
    en->off = omen_xmalloc((n + 1) * sizeof *en->off);
    en->id = omen_xmalloc(room * sizeof *en->id);
    en->w = omen_xmalloc(room * sizeof *en->w);
    for (size_t m = 0; m < n; m++) {
        en->off[m] = at;
        for (uint64_t i = p->annot_off[m]; i < p->annot_off[m + 1]; i++) {
            if (strcmp(omen_panel_str(p, p->annot_field[i]), q->field) != 0)
                continue;
            uint32_t v = p->annot_value[i];
            uint32_t e = intern(en, omen_panel_str(p, v), by_string, v, &cap);
            bool seen = false;
            for (size_t j = en->off[m]; j < at; j++)
                seen |= en->id[j] == e;
            if (!seen)
                en->id[at++] = e;
        }
        if (at == en->off[m])
            en->id[at++] = intern(en, "(none)", by_string, OMEN_NONE, &cap);
        for (size_t j = en->off[m]; j < at; j++)
            en->w[j] = 1.0 / (double)(at - en->off[m]);
    }
    en->off[n] = at;
    free(by_string);
}

static void entities_free(entities *en)
{
    free(en->names);
    if (!en->one_borrowed)
        free(en->one);
    free(en->off);
    free(en->id);
    free(en->w);
}

/* ---------------------------------------------------------------- credit of each attribution */

/* Where a downloaded model's downloads go under one attribution, at the level: to one entity
 * with weight 1 (one[r]; whole counts), or to a fan of (entity, weight) pairs. Indexed by the
 * model's rank in the week-major index (omen_week_index.order), the order a period's models are
 * read in, so that those reads ascend. */
typedef struct {
    uint32_t *one; /* [n_models] by rank (the grid's arena), or NULL with the fans */
    uint64_t *off; /* [n_models + 1] by rank */
    uint32_t *id;
    double *w;
    size_t cycles;
} fanout;

static void fanout_build(const omen_panel *p, const uint32_t *order, const entities *en,
                         omen_attribution at, omen_merge_policy mp, omen_arena *mem, fanout *f)
{
    size_t n = p->n_models;
    memset(f, 0, sizeof *f);
    omen_credit c;
    omen_credit_compute(p, at, mp, &c);
    f->cycles = c.cycles_broken;
    if (!c.off && en->one) { /* one target of weight 1, one entity: whole counts */
        f->one = omen_arena_take(mem, (n ? n : 1) * sizeof *f->one);
        for (size_t r = 0; r < n; r++) {
            uint32_t m = order[r];
            f->one[r] = en->one[c.target ? c.target[m] : m];
        }
        omen_credit_free(&c);
        return;
    }
    size_t cap = n + 16, at_k = 0;
    f->off = omen_xmalloc((n + 1) * sizeof *f->off);
    f->id = omen_xmalloc(cap * sizeof *f->id);
    f->w = omen_xmalloc(cap * sizeof *f->w);
    for (size_t r = 0; r < n; r++) {
        uint32_t m = order[r];
        f->off[r] = at_k;
        uint64_t t0, t1;
        omen_credit_range(&c, m, &t0, &t1);
        for (uint64_t k = t0; k < t1; k++) {
            uint32_t g = omen_credit_target(&c, m, k);
            double cw = omen_credit_weight(&c, k);
            uint64_t j0 = en->off ? en->off[g] : 0, j1 = en->off ? en->off[g + 1] : 1;
            for (uint64_t j = j0; j < j1; j++) {
                if (at_k == cap) {
                    cap *= 2;
                    f->id = omen_xrealloc(f->id, cap * sizeof *f->id);
                    f->w = omen_xrealloc(f->w, cap * sizeof *f->w);
                }
                f->id[at_k] = en->off ? en->id[j] : en->one[g];
                f->w[at_k++] = cw * (en->off ? en->w[j] : 1.0);
            }
        }
    }
    f->off[n] = at_k;
    omen_credit_free(&c);
}

static void fanout_free(fanout *f)
{
    free(f->off);
    free(f->id);
    free(f->w);
}

/* ---------------------------------------------------------------- periods */

typedef struct {
    size_t w0, w1;      /* weeks [w0, w1) of the panel */
    int32_t start, end; /* the period's days */
    bool last_year;
} period;

static int32_t monday_of(const omen_panel *p, size_t w)
{
    return p->first_week + 7 * (int32_t)w;
}

static void calendar(omen_window w, int32_t day, int32_t *start, int32_t *end)
{
    int y, m, d;
    omen_date_ymd(day, &y, &m, &d);
    int months = w == OMEN_WINDOW_MONTH ? 1 : w == OMEN_WINDOW_QUARTER ? 3 : 12;
    int first = ((m - 1) / months) * months + 1;
    *start = omen_date_days(y, first, 1);
    int ny = y, nm = first + months;
    if (nm > 12) {
        nm -= 12;
        ny++;
    }
    *end = omen_date_days(ny, nm, 1) - 1;
}

/* The Mondays counted, as the engine takes them (--from/--to clipped to the panel, moved to
 * Mondays inside), then the last year (the weeks whose Monday lies in the 365 days ending at
 * the last Monday) and one period per --window period. Returns the count; *lo and *hi get the
 * Mondays (lo > hi: none). */
static size_t make_periods(const omen_panel *p, const omen_query *q, period **out, int32_t *lo,
                           int32_t *hi)
{
    *out = NULL;
    *lo = 1;
    *hi = 0;
    if (p->n_weeks == 0)
        return 0;
    int32_t first = p->first_week, last = p->first_week + 7 * ((int32_t)p->n_weeks - 1);
    int32_t l = q->from > first ? q->from : first, h = q->to < last ? q->to : last;
    if (omen_date_week_monday(l) != l)
        l = omen_date_week_monday(l) + 7;
    h = omen_date_week_monday(h);
    *lo = l;
    *hi = h;
    if (l > h)
        return 0;
    period *pd = omen_xmalloc((p->n_weeks + 1) * sizeof *pd);
    size_t n = 0;
    size_t wl = (size_t)((l - first) / 7), wh = (size_t)((h - first) / 7);
    int32_t ly = h - 364 > l ? h - 364 : l;
    pd[n++] = (period){(size_t)((ly - first) / 7), wh + 1, ly, h + 6, true};
    for (size_t w = wl; w <= wh; w++) {
        int32_t mon = monday_of(p, w), s = mon, e = mon + 6;
        if (q->window != OMEN_WINDOW_WEEK)
            calendar(q->window, mon, &s, &e);
        if (n > 1 && pd[n - 1].start == s) {
            pd[n - 1].w1 = w + 1;
            continue;
        }
        pd[n++] = (period){w, w + 1, s, e, false};
    }
    *out = pd;
    return n;
}

/* ---------------------------------------------------------------- one period's rows */

/* Per rank, the period's downloads by rolling class: class c holds the rows that the c-th
 * rolling value keeps and the ones before it do not (the last value, no filter, keeps all). */
typedef struct {
    const omen_panel *p;
    const omen_week_index *wk;
    const axes *ax;
    uint64_t *acc;     /* [n_models * nroll] by rank; after rows_sum, prefix sums over classes */
    uint8_t *hit;      /* [n_models] by rank */
    uint32_t *touched; /* ranks with downloads in the period, ascending */
    size_t ntouched;
    /* Population samples are nested (a model in the sample of a minimum is in those of every
     * smaller one): the touched ranks by population class, the largest minimum they reach,
     * ascending within each: by_class[class_off[j] .. class_off[j + 1]). */
    uint32_t *by_class;
    size_t class_off[MAXP + 1];
} rows;

/* The first rank the filter drops in the week of Monday mon (ranks run newest first, so the
 * ranks kept are a prefix), as the engine's kept_ranks. */
static uint32_t kept_ranks(const rows *rs, int32_t mon, int32_t days)
{
    size_t n = rs->p->n_models;
    if (days <= 0)
        return (uint32_t)n;
    int64_t cut = (int64_t)mon - days;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int32_t c = rs->wk->created[mid];
        if (c == OMEN_NO_DATE || c > cut)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

static uint64_t rows_end(const omen_week_index *wk, size_t w, uint32_t ranks)
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

static int ascending_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sums the period's rows, then lists the ranks met in ascending order (sorted when few, else
 * found by a scan of a byte per model) and turns each rank's classes into prefix sums: entry c
 * is then the downloads the c-th rolling value keeps. */
static void rows_sum(rows *rs, const period *pd)
{
    const omen_week_index *wk = rs->wk;
    size_t nr = rs->ax->nroll;
    rs->ntouched = 0;
    for (size_t w = pd->w0; w < pd->w1; w++) {
        int32_t mon = monday_of(rs->p, w);
        uint64_t i = wk->off[w];
        for (size_t c = 0; c < nr; c++) {
            uint64_t end = rs->ax->roll[c] > 0
                               ? rows_end(wk, w, kept_ranks(rs, mon, rs->ax->roll[c]))
                               : wk->off[w + 1];
            for (; i < end; i++) {
                uint32_t r = wk->rank[i];
                uint64_t cnt =
                    wk->count[i] < UINT32_MAX ? wk->count[i] : omen_week_count(rs->p, wk, i, w);
                if (!rs->hit[r]) {
                    rs->hit[r] = 1;
                    rs->touched[rs->ntouched++] = r;
                }
                rs->acc[(size_t)r * nr + c] += cnt;
            }
        }
    }
    size_t n = rs->p->n_models;
    if (rs->ntouched < n / 16) { /* a short period: sorting beats scanning every model */
        qsort(rs->touched, rs->ntouched, sizeof *rs->touched, ascending_u32);
    } else {
        rs->ntouched = 0;
        for (size_t r = 0; r < n; r++)
            if (rs->hit[r])
                rs->touched[rs->ntouched++] = (uint32_t)r;
    }
    for (size_t t = 0; t < rs->ntouched; t++) {
        uint64_t *a = rs->acc + (size_t)rs->touched[t] * nr;
        for (size_t c = 1; c < nr; c++)
            a[c] += a[c - 1];
    }
}

static void rows_clear(rows *rs)
{
    size_t nr = rs->ax->nroll;
    for (size_t t = 0; t < rs->ntouched; t++) {
        uint32_t r = rs->touched[t];
        rs->hit[r] = 0;
        memset(rs->acc + (size_t)r * nr, 0, nr * sizeof *rs->acc);
    }
    rs->ntouched = 0;
}

/* ---------------------------------------------------------------- one setting's measure */

/* What a setting gives in one period. */
typedef struct {
    bool on;
    double value; /* NAN: undefined (a tau of lists with no order) */
    double downloads;
    size_t entities;
    omen_ranked *top; /* the top list, largest first (ties by name), as the leaderboard's */
    size_t ntop;
    double tau;
    size_t common;
} cell;

/* Entity sums of the settings of one (attribution, sample): per entity one sum per rolling
 * value, in 8-byte items read as whole counts (one[]) or as doubles (fans). */
typedef struct {
    void *acc;     /* [n_entities * nroll] */
    uint8_t *seen; /* [n_entities] */
    uint32_t *list;
    size_t nlist;
    /* a setting's gathered amounts (measured) */
    double *amounts, *dspare;
    uint64_t *counts, *cspare;
    struct tally *tally; /* [MAXR] */
} sums;

typedef struct {
    const omen_panel *p;
    const omen_query *q;
    const axes *ax;
    const entities *en;
    uint32_t share_id; /* OMEN_METRIC_SHARE: the entity */
} measure_ctx;

/* Adds the period's models of `ranks` to their entities' sums: those in the sample (mask & bit,
 * by rank), or all of them without a mask. */
static void sums_add(sums *s, const rows *rs, const fanout *f, const uint32_t *ranks, size_t nranks,
                     const uint8_t *mask, unsigned bit, size_t nr)
{
    for (size_t t = 0; t < nranks; t++) {
        uint32_t r = ranks[t];
        if (mask && !(mask[r] & bit))
            continue;
        const uint64_t *v = rs->acc + (size_t)r * nr;
        if (f->one) {
            uint32_t e = f->one[r];
            if (e == OMEN_NONE)
                continue;
            if (!s->seen[e]) {
                s->seen[e] = 1;
                s->list[s->nlist++] = e;
            }
            uint64_t *acc = (uint64_t *)s->acc + (size_t)e * nr;
            for (size_t c = 0; c < nr; c++)
                acc[c] += v[c];
            continue;
        }
        for (uint64_t k = f->off[r]; k < f->off[r + 1]; k++) {
            uint32_t e = f->id[k];
            double w = f->w[k];
            if (!s->seen[e]) {
                s->seen[e] = 1;
                s->list[s->nlist++] = e;
            }
            double *acc = (double *)s->acc + (size_t)e * nr;
            for (size_t c = 0; c < nr; c++)
                acc[c] += (double)v[c] * w;
        }
    }
}

static void sums_clear(sums *s, size_t nr)
{
    for (size_t i = 0; i < s->nlist; i++) {
        uint32_t e = s->list[i];
        s->seen[e] = 0;
        memset((uint64_t *)s->acc + (size_t)e * nr, 0, nr * sizeof(uint64_t));
    }
    s->nlist = 0;
}

/* Whether entity a ranks before b: more downloads, then the name (the leaderboard's order). */
static bool before(const measure_ctx *mc, omen_ranked a, omen_ranked b)
{
    if (a.amount != b.amount)
        return a.amount > b.amount;
    return strcmp(mc->en->names[a.id], mc->en->names[b.id]) < 0;
}

/* A heap of the best k so far whose root is the last of them. */
static void sift_down(const measure_ctx *mc, omen_ranked *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && before(mc, h[w], h[l]))
            w = l;
        if (r < n && before(mc, h[w], h[r]))
            w = r;
        if (w == i)
            return;
        omen_ranked t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void heap_offer(const measure_ctx *mc, omen_ranked *h, size_t *n, size_t k, omen_ranked x)
{
    if (*n < k) {
        h[(*n)++] = x;
        if (*n == k)
            for (size_t j = k / 2; j-- > 0;)
                sift_down(mc, h, k, j);
    } else if (k > 0 && before(mc, x, h[0])) {
        h[0] = x;
        sift_down(mc, h, k, 0);
    }
}

/* The heap's entries in order, best first (a heap sort; a heap not yet full is sorted whole). */
static omen_ranked *heap_list(const measure_ctx *mc, omen_ranked *h, size_t n, size_t k)
{
    if (n < k)
        for (size_t j = n / 2; j-- > 0;)
            sift_down(mc, h, n, j);
    for (size_t m = n; m > 1; m--) {
        omen_ranked t = h[0];
        h[0] = h[m - 1];
        h[m - 1] = t;
        sift_down(mc, h, m - 1, 0);
    }
    omen_ranked *out = omen_xmalloc((n ? n : 1) * sizeof *out);
    memcpy(out, h, n * sizeof *out);
    return out;
}

/* Neumaier's compensated sum, as metrics.c keeps its sums of fractional amounts. */
typedef struct {
    double s, c;
} csum;

static inline void csum_add(csum *k, double x)
{
    double t = k->s + x;
    k->c += fabs(k->s) >= fabs(x) ? (k->s - t) + x : (x - t) + k->s;
    k->s = t;
}

/* One pass over a group's entities gives every rolling value's count of entities, total, sum
 * of squares (the HHI), the amount of the share's entity and the top list. */
typedef struct tally {
    size_t n;
    uint64_t total;        /* whole counts */
    omen_u128 squares;     /* whole counts */
    csum dtotal, dsquares; /* fractional amounts */
    double share_amount;
    omen_ranked heap[MAXTOP];
    size_t nheap;
} tally;

/* The measures that need every amount in order (the Gini; a top-k share beyond the top list,
 * or of counts too large for the exact sums): rolling value c gathered and measured as
 * `omen concentration` measures a period. */
static double measured(const measure_ctx *mc, sums *s, bool whole, size_t c)
{
    size_t nr = mc->ax->nroll, n = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < s->nlist; i++) {
        uint32_t e = s->list[i];
        if (whole) {
            uint64_t v = ((const uint64_t *)s->acc)[(size_t)e * nr + c];
            if (v > 0) {
                s->counts[n++] = v;
                total += v;
            }
        } else {
            double x = ((const double *)s->acc)[(size_t)e * nr + c];
            if (x > 0)
                s->amounts[n++] = x;
        }
    }
    const omen_query *q = mc->q;
    if (n == 0)
        return 0;
    double share;
    if (whole && q->metric == OMEN_METRIC_TOP &&
        omen_metrics_counts_top(s->counts, n, total, q->metric_k, s->cspare, &share))
        return share;
    uint32_t cuts[1] = {q->metric == OMEN_METRIC_TOP ? q->metric_k : 1};
    omen_measures m;
    if (whole) {
        omen_metrics_measure_counts(s->counts, s->cspare, n, total, cuts, 1, false, &m);
    } else {
        double *sorted = omen_metrics_sort_spare(s->amounts, s->dspare, n);
        omen_metrics_compute_ex(sorted, n, cuts, 1, false, &m);
    }
    return q->metric == OMEN_METRIC_HHI    ? m.hhi
           : q->metric == OMEN_METRIC_GINI ? m.gini
           : q->metric_k >= n              ? 1.0
                                           : m.segments[0];
}

/* The cells of one group (attribution a, sample j): cells[r] for the rolling values r. */
static void measure_group(const measure_ctx *mc, sums *s, bool whole, size_t a, size_t j,
                          cell *cells)
{
    const axes *ax = mc->ax;
    const omen_query *q = mc->q;
    size_t nr = ax->nroll, k = q->top;
    bool want[MAXR];
    tally *ty = s->tally;
    for (size_t c = 0; c < nr; c++) {
        want[c] = reported(ax, c, j, a);
        memset(&ty[c], 0, sizeof ty[c]);
    }
    for (size_t i = 0; i < s->nlist; i++) {
        uint32_t e = s->list[i];
        for (size_t c = 0; c < nr; c++) {
            if (!want[c])
                continue;
            tally *t = &ty[c];
            double x;
            if (whole) {
                uint64_t v = ((const uint64_t *)s->acc)[(size_t)e * nr + c];
                if (v == 0)
                    continue;
                t->total += v;
                t->squares += (omen_u128)v * v;
                x = (double)v;
            } else {
                x = ((const double *)s->acc)[(size_t)e * nr + c];
                if (!(x > 0))
                    continue;
                csum_add(&t->dtotal, x);
                csum_add(&t->dsquares, x * x);
            }
            t->n++;
            if (e == mc->share_id)
                t->share_amount = x;
            heap_offer(mc, t->heap, &t->nheap, k, (omen_ranked){e, x});
        }
    }
    for (size_t c = 0; c < nr; c++) {
        if (!want[c])
            continue;
        tally *t = &ty[c];
        cell *out = &cells[c];
        out->on = true;
        out->ntop = t->nheap;
        out->top = heap_list(mc, t->heap, t->nheap, k);
        out->entities = t->n;
        double total = whole ? (double)t->total : t->dtotal.s + t->dtotal.c;
        out->downloads = total;
        out->value = 0;
        if (t->n == 0) /* no downloads counted: no market to measure (left empty, not 0) */
            out->value = NAN;
        if (t->n == 0 || q->metric == OMEN_METRIC_LEADERBOARD)
            continue;
        if (q->metric == OMEN_METRIC_SHARE) {
            out->value = t->share_amount / total;
        } else if (q->metric == OMEN_METRIC_HHI && whole &&
                   omen_metrics_hhi_of_sums(t->n, t->total, t->squares, &out->value)) {
            /* the bits of `omen concentration` */
        } else if (q->metric == OMEN_METRIC_HHI && !whole) {
            double h = (t->dsquares.s + t->dsquares.c) / (total * total);
            out->value = h > 1 ? 1 : h;
        } else if (q->metric == OMEN_METRIC_TOP && (q->metric_k >= t->n || q->metric_k <= k)) {
            /* the k largest are the top list's first k: their sum, as measure_counts sums them
             * (exact for whole counts) */
            if (q->metric_k >= t->n) {
                out->value = 1;
            } else if (whole && t->total < ((uint64_t)1 << 53)) {
                uint64_t sum = 0;
                for (size_t i = 0; i < q->metric_k; i++)
                    sum += (uint64_t)out->top[i].amount;
                out->value = (double)sum / (double)t->total;
            } else {
                csum sk = {0, 0};
                for (size_t i = q->metric_k; i-- > 0;)
                    csum_add(&sk, out->top[i].amount);
                out->value = (sk.s + sk.c) / total;
            }
        } else {
            out->value = measured(mc, s, whole, c);
        }
    }
}

/* ---------------------------------------------------------------- Kendall's tau-b */

/* Competition ranks of a top list (equal amounts share the smaller rank). */
static void list_ranks(const cell *c, size_t *rank)
{
    for (size_t i = 0; i < c->ntop; i++)
        rank[i] = i > 0 && c->top[i].amount == c->top[i - 1].amount ? rank[i - 1] : i + 1;
}

/* Tau-b of two top lists over the union of their entities: an entity's rank in a list, or
 * k + 1 (tied below the list) when it is not in it; NAN when either ranking is constant (no
 * pair ordered), as scipy.stats.kendalltau gives. *common gets the entities in both. */
static double tau_b(const cell *a, const cell *b, size_t k, size_t *common)
{
    size_t n = 0, ra[MAXTOP], rb[MAXTOP], x[2 * MAXTOP], y[2 * MAXTOP];
    list_ranks(a, ra);
    list_ranks(b, rb);
    *common = 0;
    for (size_t i = 0; i < a->ntop; i++) {
        x[n] = ra[i];
        y[n] = k + 1;
        for (size_t j = 0; j < b->ntop; j++)
            if (b->top[j].id == a->top[i].id) {
                y[n] = rb[j];
                ++*common;
            }
        n++;
    }
    for (size_t j = 0; j < b->ntop; j++) {
        bool in_a = false;
        for (size_t i = 0; i < a->ntop && !in_a; i++)
            in_a = a->top[i].id == b->top[j].id;
        if (!in_a) {
            x[n] = k + 1;
            y[n++] = rb[j];
        }
    }
    double concordant = 0, discordant = 0, tied_x = 0, tied_y = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int dx = (x[i] > x[j]) - (x[i] < x[j]), dy = (y[i] > y[j]) - (y[i] < y[j]);
            tied_x += dx == 0;
            tied_y += dy == 0;
            if (dx * dy > 0)
                concordant++;
            else if (dx * dy < 0)
                discordant++;
        }
    double pairs = (double)n * (double)(n - 1) / 2.0;
    double den = sqrt((pairs - tied_x) * (pairs - tied_y));
    if (n < 2 || !(den > 0))
        return NAN;
    double t = (concordant - discordant) / den;
    return t > 1 ? 1 : t < -1 ? -1 : t;
}

/* ---------------------------------------------------------------- the analysis */

typedef struct {
    const omen_panel *p;
    const omen_query *q;
    axes ax;
    entities en;
    fanout fan[NATTR];
    uint8_t *mask; /* [n_models] by rank: bit j set when the model is in the sample of pop[j] */
    size_t in_sample[MAXP];
    omen_model_facts facts;
    omen_week_index wk;
    bool wk_owned;
    rows rs;
    sums su[NWORKERS];
    measure_ctx mc;
    omen_arena mem; /* the model- and entity-sized working arrays */
} grid;

static void sums_init(sums *s, size_t ne, size_t nr, omen_arena *mem)
{
    ne = ne ? ne : 1;
    s->acc = omen_arena_take(mem, ne * nr * sizeof(uint64_t));
    s->seen = omen_arena_take(mem, ne);
    s->list = omen_arena_take(mem, ne * sizeof *s->list);
    s->nlist = 0;
    s->amounts = omen_arena_take(mem, ne * sizeof *s->amounts);
    s->dspare = omen_arena_take(mem, ne * sizeof *s->dspare);
    s->counts = omen_arena_take(mem, ne * sizeof *s->counts);
    s->cspare = omen_arena_take(mem, ne * sizeof *s->cspare);
    s->tally = omen_arena_take(mem, MAXR * sizeof *s->tally);
}

/* What grid_init takes from its arena, at most (address space: only pages touched cost). */
static size_t arena_bound(size_t n_models, size_t n_entities, size_t nr)
{
    size_t n = n_models ? n_models : 1, ne = n_entities ? n_entities : 1;
    size_t per_model = 2 + nr * 8 + 1 + 2 * 4 + NATTR * 4; /* mask, in, rows, fans' one */
    size_t per_entity = nr * 8 + 1 + 4 + 4 * 8;
    return n * per_model + NWORKERS * (ne * per_entity + MAXR * sizeof(struct tally)) + 64 * 64 +
           (1u << 20);
}

static void grid_free(grid *g)
{
    entities_free(&g->en);
    for (size_t a = 0; a < NATTR; a++)
        fanout_free(&g->fan[a]);
    if (g->wk_owned)
        omen_week_index_free(&g->wk);
    omen_model_facts_free(&g->facts);
    omen_arena_free(&g->mem);
}

static void grid_init(grid *g, const omen_panel *p, const omen_query *q)
{
    memset(g, 0, sizeof *g);
    g->p = p;
    g->q = q;
    make_axes(q, &g->ax);
    omen_model_facts_compute(p, &g->facts);
    size_t n = p->n_models, room = n ? n : 1;
    omen_week_index_of(p, g->facts.created_eff, &g->wk, &g->wk_owned);
    entities_build(p, q, &g->en);
    size_t nr = g->ax.nroll;
    omen_arena *mem = &g->mem;
    omen_arena_init(mem, arena_bound(n, g->en.n, nr));
    const uint32_t *order = g->wk.order;
    g->mask = omen_arena_take(mem, room);
    uint8_t *in = omen_arena_take(mem, room);
    for (size_t j = 0; j < g->ax.npop; j++) {
        g->in_sample[j] = omen_sample_select(p, &g->facts, q->sample, g->ax.pop[j], q->head_k, in);
        for (size_t r = 0; r < n; r++)
            g->mask[r] |= (uint8_t)(in[order[r]] ? 1u << j : 0);
    }
    fanout_build(p, order, &g->en, OMEN_ATTRIBUTION_DIRECT, OMEN_MERGE_FIRST, mem, &g->fan[0]);
    fanout_build(p, order, &g->en, OMEN_ATTRIBUTION_RECURSIVE, OMEN_MERGE_FIRST, mem, &g->fan[1]);
    fanout_build(p, order, &g->en, OMEN_ATTRIBUTION_RECURSIVE, OMEN_MERGE_SPLIT, mem, &g->fan[2]);
    g->rs = (rows){p,
                   &g->wk,
                   &g->ax,
                   omen_arena_take(mem, room * nr * sizeof(uint64_t)),
                   omen_arena_take(mem, room),
                   omen_arena_take(mem, room * sizeof(uint32_t)),
                   0,
                   omen_arena_take(mem, room * sizeof(uint32_t)),
                   {0}};
    for (size_t i = 0; i < NWORKERS; i++)
        sums_init(&g->su[i], g->en.n, nr, mem);
    g->mc = (measure_ctx){p, q, &g->ax, &g->en, OMEN_NONE};
}

/* The settings of one period are done in groups: per attribution, the sums of the models of a
 * sample, then one measure per rolling value. Population samples are nested, so one group per
 * attribution adds the models class by class, from the largest minimum down, and measures each
 * sample on the way (each model is credited once); Head Samples are not, and take one group per
 * (attribution, sample). Two workers take the groups in turn, each with sums of its own; the
 * cells they fill are distinct, so the result does not depend on who did what. */
enum { NESTED = MAXP }; /* a group's sample: every population class in turn */

static bool any_reported(const axes *ax, size_t j, size_t a)
{
    for (size_t r = 0; r < ax->nroll; r++)
        if (reported(ax, r, j, a))
            return true;
    return false;
}

typedef struct {
    grid *g;
    cell *cells;
    size_t group[NATTR * MAXP][2]; /* (attribution, sample) */
    size_t ngroups, next;
    pthread_mutex_t mu;
} period_work;

typedef struct {
    period_work *pw;
    sums *su;
} worker;

static void *work_groups(void *arg)
{
    worker *w = arg;
    period_work *pw = w->pw;
    grid *g = pw->g;
    const axes *ax = &g->ax;
    size_t nr = ax->nroll;
    for (;;) {
        pthread_mutex_lock(&pw->mu);
        size_t k = pw->next < pw->ngroups ? pw->next++ : pw->ngroups;
        pthread_mutex_unlock(&pw->mu);
        if (k == pw->ngroups)
            return NULL;
        size_t a = pw->group[k][0], j = pw->group[k][1];
        const rows *rs = &g->rs;
        bool whole = g->fan[a].one != NULL;
        if (j == NESTED) { /* every sample in turn, largest minimum first, adding each class */
            for (size_t c = ax->npop; c-- > 0;) {
                size_t lo = rs->class_off[c], hi = rs->class_off[c + 1];
                sums_add(w->su, rs, &g->fan[a], rs->by_class + lo, hi - lo, NULL, 0, nr);
                if (any_reported(ax, c, a))
                    measure_group(&g->mc, w->su, whole, a, c, &pw->cells[(a * ax->npop + c) * nr]);
            }
        } else {
            sums_add(w->su, rs, &g->fan[a], rs->touched, rs->ntouched, g->mask, 1u << j, nr);
            measure_group(&g->mc, w->su, whole, a, j, &pw->cells[(a * ax->npop + j) * nr]);
        }
        sums_clear(w->su, nr);
    }
}

/* Lists the touched ranks by population class (counting sort: ascending within a class). */
static void by_class(rows *rs, const uint8_t *mask, size_t npop)
{
    size_t count[MAXP + 1] = {0};
    for (size_t t = 0; t < rs->ntouched; t++)
        count[__builtin_popcount(mask[rs->touched[t]])]++;
    /* class j holds the models with j + 1 bits (in the samples of minima 0..j); none with 0 */
    rs->class_off[0] = 0;
    for (size_t j = 0; j < npop; j++)
        rs->class_off[j + 1] = rs->class_off[j] + count[j + 1];
    size_t at[MAXP];
    memcpy(at, rs->class_off, npop * sizeof *at);
    for (size_t t = 0; t < rs->ntouched; t++) {
        uint32_t r = rs->touched[t];
        unsigned b = (unsigned)__builtin_popcount(mask[r]);
        if (b > 0)
            rs->by_class[at[b - 1]++] = r;
    }
}

/* Every setting of one period: cells[(a * npop + j) * nroll + r]. */
static void run_period(grid *g, const period *pd, cell *cells)
{
    const axes *ax = &g->ax;
    rows_sum(&g->rs, pd);
    period_work pw = {.g = g, .cells = cells};
    if (g->q->sample == OMEN_SAMPLE_POPULATION)
        by_class(&g->rs, g->mask, ax->npop);
    /* split credit first: its groups (fans, fractional sums) take longest */
    for (size_t a = NATTR; a-- > 0;) {
        if (g->q->sample == OMEN_SAMPLE_POPULATION) {
            pw.group[pw.ngroups][0] = a;
            pw.group[pw.ngroups++][1] = NESTED;
            continue;
        }
        for (size_t j = 0; j < ax->npop; j++)
            if (any_reported(ax, j, a)) {
                pw.group[pw.ngroups][0] = a;
                pw.group[pw.ngroups++][1] = j;
            }
    }
    pthread_mutex_init(&pw.mu, NULL);
    worker w[NWORKERS];
    for (size_t i = 0; i < NWORKERS; i++)
        w[i] = (worker){&pw, &g->su[i]};
    pthread_t tid;
    bool threaded = pd->w1 - pd->w0 >= 4 && pthread_create(&tid, NULL, work_groups, &w[1]) == 0;
    work_groups(&w[0]);
    if (threaded)
        pthread_join(tid, NULL);
    pthread_mutex_destroy(&pw.mu);
    rows_clear(&g->rs);
}

static void add_columns(omen_table *t)
{
    static const char *const names[] = {
        "period",      "period_start", "period_end",  "rolling",    "population_min",
        "attribution", "reference",    "value",       "min",        "max",
        "entities",    "downloads",    "kendall_tau", "top_common", "top_entities"};
    static const omen_col_type types[] = {
        OMEN_COL_TEXT, OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_TEXT, OMEN_COL_INT,
        OMEN_COL_TEXT, OMEN_COL_BOOL, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL,
        OMEN_COL_INT,  OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_INT,  OMEN_COL_TEXT};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        omen_table_add_column(t, names[i], types[i]);
}

/* The rows of one period: tau against the reference, the envelope, then one row a setting. */
static void emit_period(grid *g, const period *pd, cell *cells, omen_table *t)
{
    const axes *ax = &g->ax;
    const omen_query *q = g->q;
    size_t nr = ax->nroll, np = ax->npop;
    const cell *ref = &cells[(ax->ref_a * np + ax->ref_p) * nr + ax->ref_r];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < NATTR * np * nr; i++) {
        cell *c = &cells[i];
        if (!c->on)
            continue;
        c->tau = tau_b(ref, c, q->top, &c->common);
        if (q->metric == OMEN_METRIC_LEADERBOARD)
            c->value = c->entities ? c->tau : NAN;
        if (!isnan(c->value)) {
            lo = c->value < lo ? c->value : lo;
            hi = c->value > hi ? c->value : hi;
        }
    }
    char list[MAXTOP * 300];
    for (size_t r = 0; r < nr; r++)
        for (size_t j = 0; j < np; j++)
            for (size_t a = 0; a < NATTR; a++) {
                const cell *c = &cells[(a * np + j) * nr + r];
                if (!c->on)
                    continue;
                size_t row = omen_table_add_row(t), k = 0;
                char roll[16];
                if (ax->roll[r] > 0)
                    snprintf(roll, sizeof roll, "%d", ax->roll[r]);
                else
                    snprintf(roll, sizeof roll, "off");
                omen_table_set_text(t, row, k++,
                                    pd->last_year ? "last-year" : omen_window_name(q->window));
                omen_table_set_date(t, row, k++, pd->start);
                omen_table_set_date(t, row, k++, pd->end);
                omen_table_set_text(t, row, k++, roll);
                omen_table_set_int(t, row, k++, (int64_t)ax->pop[j]);
                omen_table_set_text(t, row, k++, attr_names[a]);
                omen_table_set_bool(t, row, k++, c == ref);
                if (!isnan(c->value))
                    omen_table_set_real(t, row, k, c->value);
                k++;
                if (lo <= hi) {
                    omen_table_set_real(t, row, k, lo);
                    omen_table_set_real(t, row, k + 1, hi);
                }
                k += 2;
                omen_table_set_int(t, row, k++, (int64_t)c->entities);
                omen_table_set_real(t, row, k++, c->downloads);
                if (!isnan(c->tau))
                    omen_table_set_real(t, row, k, c->tau);
                k++;
                omen_table_set_int(t, row, k++, (int64_t)c->common);
                size_t at = 0;
                list[0] = 0;
                for (size_t i = 0; i < c->ntop; i++) {
                    const char *name = g->en.names[c->top[i].id];
                    if (at + strlen(name) + 2 > sizeof list)
                        break; /* names of 300 bytes each: not reached */
                    at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ";" : "", name);
                }
                omen_table_set_text(t, row, k++, list);
            }
}

static void metric_name(const omen_query *q, char *out, size_t cap)
{
    switch (q->metric) {
    case OMEN_METRIC_HHI:
        snprintf(out, cap, "hhi");
        break;
    case OMEN_METRIC_GINI:
        snprintf(out, cap, "gini");
        break;
    case OMEN_METRIC_TOP:
        snprintf(out, cap, "top%u", q->metric_k);
        break;
    case OMEN_METRIC_SHARE:
        snprintf(out, cap, "share:%s", q->metric_entity);
        break;
    case OMEN_METRIC_LEADERBOARD:
        snprintf(out, cap, "leaderboard");
        break;
    }
}

static void add_meta(const grid *g, const period *pds, size_t nper, int32_t lo, int32_t hi,
                     omen_table *t)
{
    const omen_panel *p = g->p;
    const omen_query *q = g->q;
    const axes *ax = &g->ax;
    char buf[512], d[11];
    omen_table_meta_bool(t, "synthetic", p->synthetic);
    metric_name(q, buf, sizeof buf);
    omen_table_meta_text(t, "metric", buf);
    omen_table_meta_text(t, "level", omen_level_name(q));
    omen_table_meta_text(t, "window", omen_window_name(q->window));
    omen_table_meta_text(t, "sample", omen_sample_name(q->sample));
    if (q->sample == OMEN_SAMPLE_HEAD)
        omen_table_meta_int(t, "head_k", q->head_k);
    omen_table_meta_text(t, "grid_rolling", "182,365,730,off");
    omen_table_meta_text(t, "grid_population_min", "0,50,200,1000");
    omen_table_meta_text(t, "grid_attribution", "direct,recursive-first,recursive-split");
    if (q->rolling_days > 0)
        omen_table_meta_int(t, "reference_rolling", q->rolling_days);
    else
        omen_table_meta_text(t, "reference_rolling", "off");
    omen_table_meta_int(t, "reference_population_min", (int64_t)q->population_min);
    omen_table_meta_text(t, "reference_attribution", attr_names[ax->ref_a]);
    size_t settings = 0;
    for (size_t r = 0; r < ax->nroll; r++)
        for (size_t j = 0; j < ax->npop; j++)
            for (size_t a = 0; a < NATTR; a++)
                settings += reported(ax, r, j, a);
    omen_table_meta_int(t, "settings", (int64_t)settings);
    omen_table_meta_int(t, "top", q->top);
    omen_table_meta_text(t, "created_date", "min(created, first week with downloads)");
    if (lo <= hi) {
        omen_date_format(lo, d);
        omen_table_meta_text(t, "from", d);
        omen_date_format(hi, d);
        omen_table_meta_text(t, "to", d);
    }
    if (nper > 0) {
        omen_date_format(pds[0].start, d);
        omen_table_meta_text(t, "last_year_from", d);
        omen_date_format(hi, d);
        omen_table_meta_text(t, "last_year_to", d);
    }
    size_t at = 0;
    buf[0] = 0;
    for (size_t j = 0; j < ax->npop && at < sizeof buf; j++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%llu:%zu", j ? "," : "",
                               (unsigned long long)ax->pop[j], g->in_sample[j]);
    omen_table_meta_text(t, "models_in_sample", buf);
    if (g->fan[1].cycles)
        omen_table_meta_int(t, "cycles_broken_first", (int64_t)g->fan[1].cycles);
    if (g->fan[2].cycles)
        omen_table_meta_int(t, "cycles_broken_split", (int64_t)g->fan[2].cycles);
    omen_table_meta_int(t, "store_generation", p->generation);
}

omen_status omen_robustness(const omen_panel *p, const omen_query *q, omen_table **out,
                            omen_error *err)
{
    if (q->sample == OMEN_SAMPLE_ALL)
        return omen_error_set(err, OMEN_E_USAGE,
                              "--sample: 'all' is not valid for robustness, whose grid varies the "
                              "population minimum; allowed: population, head");
    if (q->window == OMEN_WINDOW_TRAILING52 || q->window == OMEN_WINDOW_CUMULATIVE)
        return omen_error_set(err, OMEN_E_USAGE,
                              "--window: '%s' is not valid for robustness; allowed: week, month, "
                              "quarter, year",
                              omen_window_name(q->window));
    if (q->top > MAXTOP)
        return omen_error_set(err, OMEN_E_USAGE,
                              "--top: '%u' is not valid for robustness; allowed: 1 to %d", q->top,
                              MAXTOP);
    if (q->level == OMEN_LEVEL_FIELD && !q->field[0])
        return omen_error_set(err, OMEN_E_USAGE, "--level: an annotation field must be named");
    omen_query qq = *q;
    if (!q->window_given)
        qq.window = OMEN_WINDOW_YEAR;
    grid g;
    grid_init(&g, p, &qq);
    if (qq.metric == OMEN_METRIC_SHARE) {
        for (size_t e = 0; e < g.en.n && g.mc.share_id == OMEN_NONE; e++)
            if (strcmp(g.en.names[e], qq.metric_entity) == 0)
                g.mc.share_id = (uint32_t)e;
        if (g.mc.share_id == OMEN_NONE) {
            omen_status s =
                omen_error_set(err, OMEN_E_USAGE, "--metric: no %s named '%s' in the panel",
                               omen_level_name(&qq), qq.metric_entity);
            grid_free(&g);
            return s;
        }
    }
    period *pds;
    int32_t lo, hi;
    size_t nper = make_periods(p, &qq, &pds, &lo, &hi);
    omen_table *t = omen_table_new("robustness");
    add_columns(t);
    size_t ncells = NATTR * g.ax.npop * g.ax.nroll;
    cell *cells = omen_xmalloc(ncells * sizeof *cells);
    for (size_t k = 0; k < nper; k++) {
        memset(cells, 0, ncells * sizeof *cells);
        run_period(&g, &pds[k], cells);
        emit_period(&g, &pds[k], cells, t);
        for (size_t i = 0; i < ncells; i++)
            free(cells[i].top);
    }
    add_meta(&g, pds, nper, lo, hi, t);
    free(cells);
    free(pds);
    grid_free(&g);
    *out = t;
    return OMEN_OK;
}
