/* synth_developers.c: the developers of the synthetic panel: the named (invented)
 * organisations of the calibration, and the pools of small developers (unaffiliated users,
 * small companies, universities, nonprofits, online communities) among whom pool models are
 * spread with a heavy-tailed number of models each. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "synth_internal.h"

typedef struct {
    const char *code;
    double w;
} weighted;

/* Where small organisations are based (real ISO 3166-1 alpha-2 codes). */
static const weighted co_countries[] = {
    {"US", 56}, {"CN", 16}, {"DE", 4}, {"FR", 3}, {"GB", 3}, {"KR", 5}, {"JP", 5},
    {"IN", 5},  {"CA", 4},  {"IL", 2}, {"SG", 2}, {"AE", 1}, {"NL", 2}, {"CH", 2},
    {"ES", 2},  {"IT", 2},  {"SE", 1}, {"RU", 2}, {"BR", 2}, {"VN", 1}, {"TW", 2},
    {"PL", 1},  {"FI", 1},  {"TR", 1}, {"ID", 1}, {"AU", 1}, {NULL, 0}};
static const weighted univ_countries[] = {
    {"US", 35}, {"CN", 12}, {"DE", 8}, {"GB", 7}, {"FR", 5}, {"KR", 4}, {"JP", 4}, {"IN", 4},
    {"CA", 4},  {"CH", 3},  {"NL", 3}, {"SG", 2}, {"IL", 2}, {"IT", 2}, {"ES", 2}, {"SE", 2},
    {"AU", 2},  {"BR", 1},  {"TW", 2}, {"HK", 2}, {"FI", 1}, {"DK", 1}, {NULL, 0}};
static const weighted np_countries[] = {{"US", 40}, {"DE", 10}, {"FR", 8}, {"GB", 6}, {"CN", 5},
                                        {"CA", 3},  {"NL", 2},  {"CH", 2}, {"IN", 2}, {"JP", 2},
                                        {"ES", 2},  {"SE", 1},  {NULL, 0}};
static const weighted cmty_countries[] = {{"ONLINE", 6}, {"INTL", 4}, {NULL, 0}};

/* Models per developer on average, and the skew of the assignment (larger = more skewed). */
static const double per_dev[POOL_N] = {3.0, 6.0, 5.0, 5.0, 8.0};
static const double skew[POOL_N] = {2.2, 1.8, 1.6, 1.6, 1.5};

static size_t dev_add(sy_ctx *c)
{
    if (c->ndevs == c->cap_devs) {
        c->cap_devs = c->cap_devs ? c->cap_devs * 2 : 1024;
        c->devs = omen_xrealloc(c->devs, c->cap_devs * sizeof *c->devs);
    }
    memset(&c->devs[c->ndevs], 0, sizeof c->devs[0]);
    return c->ndevs++;
}

void sy_named_devs_create(sy_ctx *c)
{
    for (int i = 0; i < c->nnamed; i++) {
        size_t di = dev_add(c);
        sy_dev *d = &c->devs[di];
        d->named = 1;
        d->org = (uint8_t)c->named[i].org;
        d->pool = 0xff;
        d->country = c->named[i].country;
    }
}

static const char *pick(sy_ctx *c, const weighted *list)
{
    double tot = 0;
    for (const weighted *p = list; p->code; p++)
        tot += p->w;
    double u = gsl_rng_uniform(c->rng) * tot;
    const weighted *p = list;
    for (; p[1].code; p++)
        if ((u -= p->w) < 0)
            break;
    return p->code;
}

static void pool_dev_set(sy_ctx *c, sy_dev *d, int pool)
{
    static const uint8_t org[POOL_N] = {ORG_USER, ORG_COMPANY, ORG_UNIV, ORG_NONPROFIT,
                                        ORG_COMMUNITY};
    d->pool = (uint8_t)pool;
    d->org = org[pool];
    switch (pool) {
    case POOL_USER:
        d->country = "USER";
        break;
    case POOL_CO: {
        double u = gsl_rng_uniform(c->rng);
        if (u < 0.01) {
            d->country = "UNKNOWN";
            d->org = ORG_UNKNOWN;
        } else {
            d->country = pick(c, co_countries);
            if (u < 0.02)
                d->org = ORG_GOV;
        }
        break;
    }
    case POOL_UNIV:
        d->country = pick(c, univ_countries);
        break;
    case POOL_NP:
        d->country = pick(c, np_countries);
        break;
    default:
        d->country = pick(c, cmty_countries);
        break;
    }
}

/* Spreads one pool's models over its developers: index ~ D * u^skew, so a few developers
 * publish many models and most publish one or two. */
static void assign_pool(sy_ctx *c, int pool)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nmodels; i++)
        n += c->models[i].pool == pool;
    if (n == 0)
        return;
    size_t nd = (size_t)ceil(n / per_dev[pool]), first = c->ndevs;
    uint32_t *used = omen_xcalloc(nd, sizeof *used);
    uint32_t *pick_of = omen_xmalloc(c->nmodels * sizeof *pick_of);
    for (size_t i = 0; i < c->nmodels; i++) {
        if (c->models[i].pool != pool)
            continue;
        size_t k = (size_t)(nd * pow(gsl_rng_uniform(c->rng), skew[pool]));
        k = k >= nd ? nd - 1 : k;
        pick_of[i] = (uint32_t)k;
        used[k] = 1;
    }
    /* only developers with at least one model exist */
    for (size_t k = 0; k < nd; k++) {
        if (!used[k])
            continue;
        size_t di = dev_add(c);
        pool_dev_set(c, &c->devs[di], pool);
        used[k] = (uint32_t)(di - first + 1);
    }
    for (size_t i = 0; i < c->nmodels; i++)
        if (c->models[i].pool == pool)
            c->models[i].dev = (uint32_t)(first + used[pick_of[i]] - 1);
    free(used);
    free(pick_of);
}

void sy_pool_devs_assign(sy_ctx *c)
{
    for (int p = 0; p < POOL_N; p++)
        assign_pool(c, p);
}
