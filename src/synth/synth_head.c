/* synth_head.c: what the engine will see of the generated downloads: totals, the Population
 * Sample, created dates with the Hub's 2022-03-02 artifact, created_effective, rolling-window
 * downloads per Table 1 segment, and the Head Sample (union of the weekly top 200). The head
 * is computed exactly as DESIGN section 5 defines it so that annotations can be fitted to it. */
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "synth_internal.h"

#define NO_CREATED_SHARE 0.03 /* old models with no created date at all */

int sy_week_segment(const sy_ctx *c, int w)
{
    int y, m, d;
    omen_date_ymd(c->week0 + 7 * w, &y, &m, &d);
    return y <= 2022 ? 0 : y >= 2025 ? 3 : y - 2022;
}

/* The created date the Hub reports: the true day, or 2022-03-02 (or nothing) before that. */
static int32_t stored_created(const sy_ctx *c, const sy_model *m)
{
    int32_t truth = c->week0 + 7 * m->cweek + m->cday;
    if (truth >= omen_date_days(2022, 3, 2))
        return truth;
    return (m->flags & SY_NOCREATED) ? OMEN_NO_DATE : omen_date_days(2022, 3, 2);
}

int sy_mk_day(const sy_ctx *c, int w)
{
    return c->week0 + 7 * w;
}

static void model_stats(sy_ctx *c, sy_model *m, size_t i, const int *seg)
{
    uint64_t tot = 0;
    int first = -1;
    for (uint64_t r = c->off[i]; r < c->off[i + 1]; r++) {
        tot += c->cnt[r];
        if (first < 0)
            first = c->wk[r];
    }
    m->total = tot;
    c->ndownloads += tot;
    if (tot >= SY_POP_MIN)
        m->flags |= SY_POP;
    int32_t created = stored_created(c, m);
    int32_t eff = created;
    if (first >= 0 && (eff == OMEN_NO_DATE || sy_mk_day(c, first) < eff))
        eff = sy_mk_day(c, first);
    if (eff == OMEN_NO_DATE)
        eff = c->week0 + 7 * (m->cweek < 0 ? 0 : m->cweek);
    m->eff = eff;
    double *sd = c->segdl[i];
    for (uint64_t r = c->off[i]; r < c->off[i + 1]; r++)
        if (sy_mk_day(c, c->wk[r]) - eff < 365)
            sd[seg[c->wk[r]]] += c->cnt[r];
}

void sy_panel_stats(sy_ctx *c)
{
    int seg[SY_NWEEKS];
    for (int w = 0; w < SY_NWEEKS; w++)
        seg[w] = sy_week_segment(c, w);
    int32_t cut = omen_date_days(2022, 3, 2);
    for (size_t i = 0; i < c->nmodels; i++) {
        sy_model *m = &c->models[i];
        if (c->week0 + 7 * m->cweek + m->cday < cut && gsl_rng_uniform(c->rng) < NO_CREATED_SHARE)
            m->flags |= SY_NOCREATED;
    }
    c->segdl = omen_xcalloc(c->nmodels ? c->nmodels : 1, sizeof *c->segdl);
    c->ndownloads = 0;
    for (size_t i = 0; i < c->nmodels; i++)
        model_stats(c, &c->models[i], i, seg);
}

/* ---------------------------------------------------------------- head sample */

typedef struct {
    uint32_t cnt[SY_HEAD_K];
    uint32_t model[SY_HEAD_K];
    int n;
} heap;

static void sift_down(heap *h, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, s = i;
        if (l < h->n && h->cnt[l] < h->cnt[s])
            s = l;
        if (r < h->n && h->cnt[r] < h->cnt[s])
            s = r;
        if (s == i)
            return;
        uint32_t tc = h->cnt[i], tm = h->model[i];
        h->cnt[i] = h->cnt[s];
        h->model[i] = h->model[s];
        h->cnt[s] = tc;
        h->model[s] = tm;
        i = s;
    }
}

static void sift_up(heap *h, int i)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h->cnt[p] <= h->cnt[i])
            return;
        uint32_t tc = h->cnt[i], tm = h->model[i];
        h->cnt[i] = h->cnt[p];
        h->model[i] = h->model[p];
        h->cnt[p] = tc;
        h->model[p] = tm;
        i = p;
    }
}

static void heap_offer(heap *h, uint32_t cnt, uint32_t model)
{
    if (h->n < SY_HEAD_K) {
        h->cnt[h->n] = cnt;
        h->model[h->n] = model;
        sift_up(h, h->n++);
    } else if (cnt > h->cnt[0]) {
        h->cnt[0] = cnt;
        h->model[0] = model;
        sift_down(h, 0);
    }
}

void sy_head_sample(sy_ctx *c)
{
    heap *hs = omen_xcalloc(SY_NWEEKS, sizeof *hs);
    for (size_t i = 0; i < c->nmodels; i++) {
        if (!(c->models[i].flags & SY_POP))
            continue;
        for (uint64_t r = c->off[i]; r < c->off[i + 1]; r++)
            heap_offer(&hs[c->wk[r]], c->cnt[r], (uint32_t)i);
    }
    for (int w = 0; w < SY_NWEEKS; w++)
        for (int k = 0; k < hs[w].n; k++)
            c->models[hs[w].model[k]].flags |= SY_HEAD;
    free(hs);
    c->nhead = 0;
    for (size_t i = 0; i < c->nmodels; i++)
        if (c->models[i].flags & SY_HEAD)
            c->nhead++;
    c->head = omen_xmalloc((c->nhead ? c->nhead : 1) * sizeof *c->head);
    size_t k = 0;
    for (size_t i = 0; i < c->nmodels; i++)
        if (c->models[i].flags & SY_HEAD)
            c->head[k++] = (uint32_t)i;
}
