/* synth_models.c: the models of the synthetic panel: how many each stream publishes and when,
 * how popular each one is (its young mass) and how its downloads rise and fade, which base
 * model a derived model comes from, and every model's true parameter count. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "synth_internal.h"

#define LAG           6     /* weeks between a cohort's creation and the volume it serves */
#define POOL_XM       230.0 /* smallest young mass of a pool model */
#define POOL_TMAX     4.0e6 /* truncation of the pool popularity tail */
#define LOW_SHARE     0.012 /* share of young volume that goes to models below 200 downloads */
#define TARGET_MODELS 851000.0
#define BASE_EXP      0.75
#define STAR_MEDIAN   60000.0 /* young mass of a typical pool star at scale 1 */
#define STAR_SIGMA    1.2
#define STAR_EVER     0.25

/* Share of each pool's mass that goes to its stars: the few popular models of small
 * developers that reach the weekly top 200 (the rest follows a truncated Pareto). */
static const double star_share[POOL_N] = {0.5, 0.5, 0.5, 0.5, 0.35};
/* From 2023 the pools' stars are more popular still (the diffusion and LLM communities). */
#define STAR_LATE 1.35
#define KEEP_FRAC 0.90 /* fraction of generated pool models that reach 200 downloads */

size_t sy_model_add(sy_ctx *c)
{
    if (c->nmodels == c->cap_models) {
        c->cap_models = c->cap_models ? c->cap_models * 2 : 65536;
        c->models = omen_xrealloc(c->models, c->cap_models * sizeof *c->models);
    }
    sy_model *m = &c->models[c->nmodels];
    memset(m, 0, sizeof *m);
    m->dev = m->base = m->base2 = m->annot = SY_NONE;
    m->pool = 0xff;
    return c->nmodels++;
}

/* ---------------------------------------------------------------- volumes */

static double knot_week(const sy_ctx *c, int k)
{
    int32_t d = 0;
    omen_date_parse(sy_knot_dates[k], 10, &d);
    return (d - c->week0) / 7.0;
}

/* Linear interpolation of a knot series at week w. */
static double interp(const double *kw, const double *v, double w)
{
    if (w <= kw[0])
        return v[0];
    for (int k = 1; k < SY_NKNOT; k++)
        if (w <= kw[k])
            return v[k - 1] + (v[k] - v[k - 1]) * (w - kw[k - 1]) / (kw[k] - kw[k - 1]);
    return v[SY_NKNOT - 1];
}

void sy_volume_init(sy_ctx *c)
{
    double kw[SY_NKNOT];
    for (int k = 0; k < SY_NKNOT; k++)
        kw[k] = knot_week(c, k);
    c->vol = omen_xcalloc((size_t)c->nstreams * SY_NWEEKS, sizeof *c->vol);
    for (int w = 0; w < SY_NWEEKS; w++) {
        double sum = 0, units = interp(kw, sy_young_units, w);
        double pool = interp(kw, sy_pool_weight, w);
        for (int s = 0; s < c->nstreams; s++) {
            double v[SY_NKNOT];
            for (int k = 0; k < SY_NKNOT; k++)
                v[k] = c->streams[s].share[k];
            c->vol[(size_t)s * SY_NWEEKS + w] =
                interp(kw, v, w) * (c->streams[s].src < 0 ? pool : 1);
            sum += c->vol[(size_t)s * SY_NWEEKS + w];
        }
        for (int s = 0; s < c->nstreams; s++)
            c->vol[(size_t)s * SY_NWEEKS + w] *= units * sy_unit * c->scale / sum;
    }
    for (int s = 0; s < c->nstreams; s++) {
        int32_t from = 0;
        if (!c->streams[s].from || !omen_date_parse(c->streams[s].from, 10, &from))
            continue;
        for (int w = 0; w < SY_NWEEKS && c->week0 + 7 * w < from + LAG * 7; w++)
            c->vol[(size_t)s * SY_NWEEKS + w] = 0;
    }
}

static double vol(const sy_ctx *c, int s, int w)
{
    if (w >= SY_NWEEKS)
        w = SY_NWEEKS - 1;
    return c->vol[(size_t)s * SY_NWEEKS + w];
}

/* ---------------------------------------------------------------- mixes */

static int rel_of(const char *s, size_t n)
{
    static const char *const names[REL_N] = {"root",  "ft", "adapter", "quant",
                                             "merge", "cp", "other"};
    for (int r = 0; r < REL_N; r++)
        if (strlen(names[r]) == n && strncmp(names[r], s, n) == 0)
            return r;
    return -1;
}

/* "root=.3 ft=.6 d2:ft=.1" -> probabilities; a bare name has weight 1. */
static void parse_rel(const char *spec, sy_stream_mix *mx)
{
    const char *p = spec;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int depth = 1;
        if (strncmp(p, "d2:", 3) == 0) {
            depth = 2;
            p += 3;
        }
        size_t n = strcspn(p, "= ");
        int r = rel_of(p, n);
        p += n;
        double w = 1;
        if (*p == '=') {
            char *end;
            w = strtod(p + 1, &end);
            p = end;
        }
        if (r == REL_ROOT)
            depth = 0;
        if (r >= 0)
            mx->p_rel[depth][r] += w;
    }
}

static void parse_sizes(const char *spec, sy_stream_mix *mx)
{
    const char *p = spec[0] == '!' ? spec + 1 : spec;
    int era = 0;
    while (*p) {
        while (*p == ' ')
            p++;
        if (*p == '|') {
            era += era < 2;
            p++;
            continue;
        }
        char *end;
        double v = strtod(p, &end);
        if (end == p || mx->nsize[era] >= 8)
            break;
        double w = *end == ':' ? strtod(end + 1, &end) : 1;
        mx->size_val[era][mx->nsize[era]] = v;
        mx->size_w[era][mx->nsize[era]++] = w;
        p = end;
    }
    for (int e = era + 1; e < 3; e++) { /* later eras repeat the last table given */
        memcpy(mx->size_val[e], mx->size_val[era], sizeof mx->size_val[0]);
        memcpy(mx->size_w[e], mx->size_w[era], sizeof mx->size_w[0]);
        mx->nsize[e] = mx->nsize[era];
    }
}

static void mixes_init(sy_ctx *c)
{
    c->mix = omen_xcalloc((size_t)c->nstreams, sizeof *c->mix);
    for (int s = 0; s < c->nstreams; s++) {
        parse_rel(c->streams[s].rel, &c->mix[s]);
        parse_sizes(c->streams[s].sizes, &c->mix[s]);
    }
}

static void draw_relation(sy_ctx *c, int s, sy_model *m)
{
    const sy_stream_mix *mx = &c->mix[s];
    double tot = 0;
    for (int d = 0; d < 3; d++)
        for (int r = 0; r < REL_N; r++)
            tot += mx->p_rel[d][r];
    double u = gsl_rng_uniform(c->rng) * tot;
    for (int d = 0; d < 3; d++)
        for (int r = 0; r < REL_N; r++) {
            u -= mx->p_rel[d][r];
            if (u < 0 && mx->p_rel[d][r] > 0) {
                m->depth = (uint8_t)d;
                m->rel = (uint8_t)r;
                return;
            }
        }
    m->depth = 0;
    m->rel = REL_ROOT;
}

/* ---------------------------------------------------------------- shapes */

/* The weekly shape of an in-panel model at age a (weeks): a rise over `rise` weeks, a decay
 * with time constant tau, and an evergreen share decaying slowly; not normalised. For models
 * created before the panel, `age` counts from the panel start and only the slow part is left. */
double sy_shape(const sy_model *m, int age)
{
    if (m->flags & SY_PRE)
        return exp(-age / m->tau);
    double up = 1 - exp(-(age + 1) / m->rise);
    return up * ((1 - m->ever) * exp(-age / m->tau) + m->ever * exp(-age / m->tau_e));
}

static void shape_normalise(sy_model *m)
{
    double sum = 0;
    for (int a = 0; a < 52; a++)
        sum += sy_shape(m, a);
    m->ynorm = (float)(1 / sum);
}

static void draw_shape(sy_ctx *c, int s, sy_model *m)
{
    const sy_stream_def *d = &c->streams[s];
    m->rise = (float)(0.5 + 2.5 * gsl_rng_uniform(c->rng));
    m->tau = (float)(d->tau * gsl_ran_lognormal(c->rng, 0, d->src >= 0 ? 0.3 : 0.5));
    double e = d->ever * gsl_ran_exponential(c->rng, 1.0);
    m->ever = (float)(e > 0.9 ? 0.9 : e);
    m->tau_e = (float)(80 + 170 * gsl_rng_uniform(c->rng));
    shape_normalise(m);
}

/* ---------------------------------------------------------------- popularity */

/* Truncated Pareto with minimum POOL_XM and exponent alpha, by inversion. */
static double pareto_draw(sy_ctx *c, double alpha)
{
    double u = gsl_rng_uniform_pos(c->rng);
    double lo = pow(POOL_XM / POOL_TMAX, alpha);
    return POOL_XM * pow(1 - u * (1 - lo), -1 / alpha);
}

static double pareto_mean(double alpha)
{
    double xm = POOL_XM, xmax = POOL_TMAX;
    double norm = 1 - pow(xm / xmax, alpha);
    return alpha * pow(xm, alpha) / (alpha - 1) * (pow(xm, 1 - alpha) - pow(xmax, 1 - alpha)) /
           norm;
}

/* The pool tail exponent that makes the pools' mass come out in the target number of models. */
static double solve_alpha(double mass, double count)
{
    double want = mass / count, lo = 1.02, hi = 4.0;
    if (want <= POOL_XM * 1.01)
        return hi;
    for (int i = 0; i < 60; i++) {
        double mid = 0.5 * (lo + hi);
        if (pareto_mean(mid) > want)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double pre_mass(const sy_ctx *c, int s, double tau)
{
    double first = c->streams[s].pre * sy_pre_units * sy_unit * c->scale, sum = 0;
    for (int w = 0; w < 52; w++)
        sum += exp(-w / tau);
    return first * sum;
}

static double star_frac(const sy_ctx *c, int s, int w)
{
    double f = star_share[-c->streams[s].src - 1];
    if (w >= (omen_date_days(2023, 1, 1) - c->week0) / 7)
        f *= STAR_LATE;
    return f > 0.8 ? 0.8 : f;
}

/* The mass of the pools that follows the Pareto body (stars excluded). */
static double pool_mass(const sy_ctx *c)
{
    double mass = 0;
    for (int s = 0; s < c->nstreams; s++) {
        if (c->streams[s].src >= 0)
            continue;
        mass += pre_mass(c, s, 40) * (1 - star_frac(c, s, 0));
        for (int w = 0; w < SY_NWEEKS; w++)
            mass += vol(c, s, w + LAG) * (1 - star_frac(c, s, w));
    }
    return mass;
}

static double star_median(const sy_ctx *c)
{
    return STAR_MEDIAN * sqrt(c->scale);
}

static double star_draw(sy_ctx *c)
{
    return gsl_ran_lognormal(c->rng, log(star_median(c)), STAR_SIGMA);
}

static double star_mean(const sy_ctx *c)
{
    return star_median(c) * exp(0.5 * STAR_SIGMA * STAR_SIGMA);
}

/* ---------------------------------------------------------------- generation */

static int src_pool(int src)
{
    return src < 0 ? -src - 1 : 0xff;
}

static sy_model *new_model(sy_ctx *c, int s, int cweek, double t)
{
    size_t i = sy_model_add(c);
    sy_model *m = &c->models[i];
    const sy_stream_def *d = &c->streams[s];
    m->stream = (uint16_t)s;
    m->cls = (uint8_t)d->cls;
    m->cweek = (int16_t)cweek;
    m->cday = (uint8_t)gsl_rng_uniform_int(c->rng, 7);
    m->t = (float)t;
    m->pool = (uint8_t)src_pool(d->src);
    m->dev = d->src >= 0 ? (uint32_t)d->src : SY_NONE;
    draw_relation(c, s, m);
    draw_shape(c, s, m);
    return m;
}

/* Models created before 2020-06-01: already at their steady, slowly fading level. */
static void gen_pre(sy_ctx *c, int s, double alpha)
{
    const sy_stream_def *d = &c->streams[s];
    if (d->pre <= 0)
        return;
    bool named = d->src >= 0;
    double tau_med = named ? 150 : 40;
    double mass = pre_mass(c, s, tau_med);
    size_t first = c->nmodels;
    double sf = named ? 0 : star_share[-d->src - 1];
    int n = named ? (int)ceil(d->per_year * 2.5 * pow(c->scale, 0.35))
                  : (int)gsl_ran_poisson(c->rng, mass * (1 - sf) / pareto_mean(alpha));
    int nstar = named ? 0 : (int)gsl_ran_poisson(c->rng, mass * sf / star_mean(c));
    double wsum = 0;
    for (int i = 0; i < n + nstar; i++) {
        double w = named   ? pow(gsl_rng_uniform_pos(c->rng), -1.2)
                   : i < n ? pareto_draw(c, alpha)
                           : star_draw(c);
        sy_model *m = new_model(c, s, -1 - (int)gsl_rng_uniform_int(c->rng, 150), w);
        m->flags |= SY_PRE;
        m->tau = (float)(tau_med * gsl_ran_lognormal(c->rng, 0, 0.5));
        shape_normalise(m);
        wsum += w;
    }
    if (named && wsum > 0)
        for (size_t i = first; i < c->nmodels; i++)
            c->models[i].t = (float)(c->models[i].t / wsum * mass);
}

/* Most pool models fade for good (no evergreen tail), which keeps the weekly rows few. */
static void no_tail(sy_model *m)
{
    m->ever = 0;
    shape_normalise(m);
}

/* Popular pool models keep a slow tail of (partly automated) downloads for years. */
static void star_tail(sy_ctx *c, sy_model *m)
{
    double e = STAR_EVER * gsl_ran_exponential(c->rng, 1.0);
    m->ever = (float)(e > 0.9 ? 0.9 : e);
    shape_normalise(m);
}

static void gen_pool(sy_ctx *c, int s, double alpha)
{
    double mean = pareto_mean(alpha);
    for (int w = 0; w < SY_NWEEKS; w++) {
        double mass = vol(c, s, w + LAG), sf = star_frac(c, s, w);
        if (mass <= 0)
            continue;
        unsigned n = gsl_ran_poisson(c->rng, mass * (1 - sf) / mean);
        for (unsigned i = 0; i < n; i++)
            no_tail(new_model(c, s, w, pareto_draw(c, alpha)));
        n = gsl_ran_poisson(c->rng, mass * sf / star_mean(c));
        for (unsigned i = 0; i < n; i++)
            star_tail(c, new_model(c, s, w, star_draw(c)));
    }
}

/* A release of a named developer: one model, or a family of a few sizes sharing the mass. */
static void release(sy_ctx *c, int s, int w, double mass)
{
    const sy_stream_def *d = &c->streams[s];
    int k = d->per_year > 50 ? 1 : 1 + (int)gsl_ran_poisson(c->rng, 2.0);
    double wt[8], sum = 0;
    k = k > 8 ? 8 : k;
    /* a family: one main model and smaller siblings (sizes, variants) */
    for (int i = 0; i < k; i++)
        sum += wt[i] = pow(gsl_rng_uniform_pos(c->rng), 2.5);
    for (int i = 0; i < k; i++)
        new_model(c, s, w, mass * wt[i] / sum);
}

/* A named developer's releases: the first when its stream starts, then a Poisson process;
 * each release carries the stream's volume until the next one, so the mass stays in time. */
static void gen_named(sy_ctx *c, int s)
{
    const sy_stream_def *d = &c->streams[s];
    double rate = d->per_year * pow(c->scale, 0.35) / 52.0;
    int rel[SY_NWEEKS], n = 0;
    rate = rate < 3.0 / 52 ? 3.0 / 52 : rate;
    /* releases every 1/rate weeks, jittered (a Poisson process would make the shares of
     * developers with few releases swing too much between seeds) */
    double next = 0;
    for (int w = 0; w < SY_NWEEKS; w++) {
        if (vol(c, s, w + LAG) <= 0)
            continue;
        if (n == 0 || rate >= 1 || w >= next) {
            rel[n++] = w;
            next = w + (0.7 + 0.6 * gsl_rng_uniform(c->rng)) / rate;
        }
    }
    for (int i = 0; i < n; i++) {
        /* the volume level at the release, not the (perhaps much larger) future volume */
        int gap = (i + 1 < n ? rel[i + 1] : SY_NWEEKS) - rel[i];
        int mid = rel[i] + LAG + (gap < 8 ? gap : 8) / 2;
        double mass = gap * vol(c, s, mid);
        /* weekly-releasing streams split their mass across several models a week */
        int per = rate > 1 ? (int)gsl_ran_poisson(c->rng, rate) + 1 : 1;
        for (int k = 0; k < per; k++)
            release(c, s, rel[i], mass / per * gsl_ran_lognormal(c->rng, 0, 0.3));
    }
}

/* Models that never reach the Population Sample's 200 downloads: pool models of any stream. */
static void gen_low(sy_ctx *c)
{
    for (int w = 0; w < SY_NWEEKS; w++) {
        double tot = 0, all = 0;
        for (int s = 0; s < c->nstreams; s++) {
            all += vol(c, s, w + LAG);
            if (c->streams[s].src < 0)
                tot += vol(c, s, w + LAG);
        }
        if (tot <= 0)
            continue;
        unsigned n = gsl_ran_poisson(c->rng, LOW_SHARE * all / 95.0);
        for (unsigned i = 0; i < n; i++) {
            double u = gsl_rng_uniform(c->rng) * tot;
            int s = 0;
            for (; s < c->nstreams - 1; s++)
                if (c->streams[s].src < 0 && (u -= vol(c, s, w + LAG)) < 0)
                    break;
            if (c->streams[s].src >= 0)
                continue;
            no_tail(new_model(c, s, w, 20 + 150 * gsl_rng_uniform(c->rng)));
        }
    }
}

void sy_models_generate(sy_ctx *c)
{
    mixes_init(c);
    double target = TARGET_MODELS * c->scale / KEEP_FRAC;
    double alpha = solve_alpha(pool_mass(c), target);
    for (int s = 0; s < c->nstreams; s++) {
        gen_pre(c, s, alpha);
        if (c->streams[s].src >= 0)
            gen_named(c, s);
        else
            gen_pool(c, s, alpha);
    }
    gen_low(c);
}

/* ---------------------------------------------------------------- bases */

typedef struct {
    uint32_t *idx;
    int16_t *week;
    double *pref; /* pref[i] = sum of t over idx[0 .. i) */
    size_t n;
} cand_list;

static const sy_model *cmp_models;

static int by_week(const void *a, const void *b)
{
    const sy_model *x = &cmp_models[*(const uint32_t *)a], *y = &cmp_models[*(const uint32_t *)b];
    if (x->cweek != y->cweek)
        return x->cweek < y->cweek ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Candidates of a class at a depth (dev != SY_NONE: only that developer's models). */
static void cand_build(sy_ctx *c, cand_list *l, int cls, int depth, uint32_t dev)
{
    l->n = 0;
    l->idx = omen_xmalloc((c->nmodels + 1) * sizeof *l->idx);
    for (size_t i = 0; i < c->nmodels; i++) {
        const sy_model *m = &c->models[i];
        /* second steps build on finetunes, continued pretraining and merges, not on
         * quantizations, adapters or repackagings */
        bool usable = depth == 0 || m->rel == REL_FT || m->rel == REL_CP || m->rel == REL_MERGE;
        if (m->cls == cls && m->depth == depth && usable && (dev == SY_NONE || m->dev == dev))
            l->idx[l->n++] = (uint32_t)i;
    }
    cmp_models = c->models;
    qsort(l->idx, l->n, sizeof *l->idx, by_week);
    l->week = omen_xmalloc((l->n + 1) * sizeof *l->week);
    l->pref = omen_xmalloc((l->n + 1) * sizeof *l->pref);
    l->pref[0] = 0;
    for (size_t i = 0; i < l->n; i++) {
        l->week[i] = c->models[l->idx[i]].cweek;
        /* popular bases attract derivatives, a little less than in proportion */
        l->pref[i + 1] = l->pref[i] + pow(c->models[l->idx[i]].t, BASE_EXP);
    }
}

static void cand_free(cand_list *l)
{
    free(l->idx);
    free(l->week);
    free(l->pref);
}

static size_t lower_week(const cand_list *l, int w)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->week[mid] < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A candidate created in [w - window, w), weighted by young mass; SY_NONE if there is none. */
static uint32_t cand_pick(sy_ctx *c, const cand_list *l, int w, int window)
{
    size_t hi = lower_week(l, w), lo = lower_week(l, w - window);
    if (lo >= hi)
        lo = 0;
    if (lo >= hi)
        return SY_NONE;
    double a = l->pref[lo], b = l->pref[hi];
    double u = a + gsl_rng_uniform(c->rng) * (b - a);
    size_t i = lo, j = hi - 1;
    while (i < j) {
        size_t mid = (i + j) / 2;
        if (l->pref[mid + 1] <= u)
            i = mid + 1;
        else
            j = mid;
    }
    return l->idx[i];
}

static void assign_one(sy_ctx *c, sy_model *m, const cand_list *l)
{
    const sy_stream_def *d = &c->streams[m->stream];
    int window = d->window ? d->window : 104;
    uint32_t b = cand_pick(c, l, m->cweek, window);
    if (b == SY_NONE) {
        m->depth = 0;
        m->rel = REL_ROOT;
        return;
    }
    m->base = b;
    m->depth = (uint8_t)(c->models[b].depth + 1);
    if (m->rel == REL_MERGE)
        for (int tries = 0; tries < 4 && m->base2 == SY_NONE; tries++) {
            uint32_t b2 = cand_pick(c, l, m->cweek, window);
            if (b2 != b)
                m->base2 = b2;
        }
}

/* Assigns the bases of every derived model at one depth. */
static void assign_depth(sy_ctx *c, int depth)
{
    cand_list lists[CL_N];
    cand_list *own = omen_xcalloc((size_t)c->nstreams, sizeof *own);
    for (int k = 0; k < CL_N; k++)
        cand_build(c, &lists[k], k, depth - 1, SY_NONE);
    for (size_t i = 0; i < c->nmodels; i++) {
        sy_model *m = &c->models[i];
        if (m->depth != depth)
            continue;
        const sy_stream_def *d = &c->streams[m->stream];
        int bc = d->base_cls >= 0 ? d->base_cls : (int)d->cls;
        if (d->base_own) {
            if (!own[m->stream].idx)
                cand_build(c, &own[m->stream], bc, depth - 1, m->dev);
            assign_one(c, m, &own[m->stream]);
        } else {
            assign_one(c, m, &lists[bc]);
        }
    }
    for (int k = 0; k < CL_N; k++)
        cand_free(&lists[k]);
    for (int s = 0; s < c->nstreams; s++)
        cand_free(&own[s]);
    free(own);
}

void sy_bases_assign(sy_ctx *c)
{
    assign_depth(c, 1);
    assign_depth(c, 2);
    for (size_t i = 0; i < c->nmodels; i++) {
        sy_model *m = &c->models[i];
        c->nedges += m->base != SY_NONE;
        c->nedges += m->base2 != SY_NONE;
    }
}

/* ---------------------------------------------------------------- sizes */

static double size_draw(sy_ctx *c, const sy_stream_mix *mx, int era)
{
    double tot = 0, u;
    int n = mx->nsize[era];
    for (int i = 0; i < n; i++)
        tot += mx->size_w[era][i];
    if (n == 0)
        return 110e6;
    u = gsl_rng_uniform(c->rng) * tot;
    int i = 0;
    for (; i < n - 1; i++)
        if ((u -= mx->size_w[era][i]) < 0)
            break;
    return mx->size_val[era][i];
}

static void size_one(sy_ctx *c, sy_model *m)
{
    const sy_stream_def *d = &c->streams[m->stream];
    const sy_stream_mix *mx = &c->mix[m->stream];
    bool override = d->sizes[0] == '!';
    if (m->base == SY_NONE || override) {
        int era = (m->cweek >= (omen_date_days(2023, 1, 1) - c->week0) / 7) +
                  (m->cweek >= (omen_date_days(2024, 1, 1) - c->week0) / 7);
        m->params = size_draw(c, mx, era) * gsl_ran_lognormal(c->rng, 0, 0.02);
        return;
    }
    double bp = c->models[m->base].params;
    if (m->rel == REL_ADAPTER) {
        double f = 0.002 + 0.03 * gsl_rng_uniform(c->rng);
        m->params = bp * f < 2e5 ? 2e5 : bp * f;
    } else {
        m->params = bp * (1 + 0.002 * gsl_rng_uniform(c->rng));
    }
}

void sy_sizes_assign(sy_ctx *c)
{
    uint32_t *ord = omen_xmalloc(c->nmodels * sizeof *ord);
    for (size_t i = 0; i < c->nmodels; i++)
        ord[i] = (uint32_t)i;
    cmp_models = c->models;
    qsort(ord, c->nmodels, sizeof *ord, by_week);
    for (size_t k = 0; k < c->nmodels; k++)
        size_one(c, &c->models[ord[k]]);
    free(ord);
}
