/* synth_downloads.c: the weekly download counts of every model: its expected curve times a
 * lognormal weekly shock, drawn as a Poisson count; only nonzero weeks are kept.
 *
 * Models are cut into fixed chunks, each with its own generator seeded from (seed, chunk), so
 * the counts do not depend on how many threads draw them. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "synth_internal.h"

#define CHUNK    4096
#define NTHREADS 2

typedef struct {
    uint16_t *wk;
    uint32_t *cnt;
    uint32_t *nrow; /* rows per model of the chunk */
    size_t n, cap;
} chunk_buf;

typedef struct {
    const sy_ctx *c;
    const double *gw;
    chunk_buf *bufs;
    size_t nchunks;
    int thread;
} job;

static void push(chunk_buf *b, int w, uint64_t k)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 65536;
        b->wk = omen_xrealloc(b->wk, b->cap * sizeof *b->wk);
        b->cnt = omen_xrealloc(b->cnt, b->cap * sizeof *b->cnt);
    }
    b->wk[b->n] = (uint16_t)w;
    b->cnt[b->n++] = k > UINT32_MAX ? UINT32_MAX : (uint32_t)k;
}

/* Draws one model's weeks; returns the number of rows added. */
static uint32_t model_rows(const sy_model *m, const double *gw, gsl_rng *r, chunk_buf *b)
{
    size_t before = b->n;
    int start = m->cweek < 0 ? 0 : m->cweek;
    double sigma = m->pool == 0xff ? 0.15 : 0.35, base = m->t * m->ynorm;
    for (int w = start; w < SY_NWEEKS; w++) {
        int age = (m->flags & SY_PRE) ? w : w - m->cweek;
        double lam = base * sy_shape(m, age);
        if (lam < 0.01 && age > 6)
            break;
        double x =
            lam * gw[w] * exp(sigma * gsl_ran_gaussian_ziggurat(r, 1.0) - 0.5 * sigma * sigma);
        uint64_t k = x < 1e6 ? gsl_ran_poisson(r, x) : (uint64_t)llround(x);
        if (k)
            push(b, w, k);
    }
    return (uint32_t)(b->n - before);
}

static void run_chunk(const sy_ctx *c, const double *gw, size_t k, chunk_buf *b)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, (unsigned long)(c->opt.seed * 1000003ULL + 7919ULL * (k + 1)));
    size_t lo = k * CHUNK, hi = lo + CHUNK < c->nmodels ? lo + CHUNK : c->nmodels;
    b->nrow = omen_xmalloc((hi - lo) * sizeof *b->nrow);
    for (size_t i = lo; i < hi; i++)
        b->nrow[i - lo] = model_rows(&c->models[i], gw, r, b);
    gsl_rng_free(r);
}

static void *worker(void *arg)
{
    job *j = arg;
    for (size_t k = (size_t)j->thread; k < j->nchunks; k += NTHREADS)
        run_chunk(j->c, j->gw, k, &j->bufs[k]);
    return NULL;
}

/* A mild market-wide weekly factor: holiday dips and a little noise. */
static void week_factors(sy_ctx *c, double *gw)
{
    for (int w = 0; w < SY_NWEEKS; w++) {
        int y, mo, d;
        omen_date_ymd(c->week0 + 7 * w, &y, &mo, &d);
        double f = 1 + 0.03 * gsl_ran_gaussian(c->rng, 1.0);
        if ((mo == 12 && d >= 20) || (mo == 1 && d <= 3))
            f *= 0.8;
        gw[w] = f;
    }
}

/* Concatenates the chunks in model order into the CSR arrays. */
static void gather(sy_ctx *c, chunk_buf *bufs, size_t nchunks)
{
    size_t total = 0;
    for (size_t k = 0; k < nchunks; k++)
        total += bufs[k].n;
    c->off = omen_xmalloc((c->nmodels + 1) * sizeof *c->off);
    c->wk = omen_xmalloc((total + 1) * sizeof *c->wk);
    c->cnt = omen_xmalloc((total + 1) * sizeof *c->cnt);
    size_t pos = 0, mi = 0;
    for (size_t k = 0; k < nchunks; k++) {
        chunk_buf *b = &bufs[k];
        memcpy(c->wk + pos, b->wk, b->n * sizeof *b->wk);
        memcpy(c->cnt + pos, b->cnt, b->n * sizeof *b->cnt);
        size_t p = pos;
        size_t lo = k * CHUNK, hi = lo + CHUNK < c->nmodels ? lo + CHUNK : c->nmodels;
        for (size_t i = lo; i < hi; i++) {
            c->off[mi++] = p;
            p += b->nrow[i - lo];
        }
        pos += b->n;
        free(b->wk);
        free(b->cnt);
        free(b->nrow);
    }
    c->off[c->nmodels] = pos;
    c->nrows = total;
}

void sy_downloads_generate(sy_ctx *c)
{
    double gw[SY_NWEEKS];
    week_factors(c, gw);
    size_t nchunks = (c->nmodels + CHUNK - 1) / CHUNK;
    chunk_buf *bufs = omen_xcalloc(nchunks ? nchunks : 1, sizeof *bufs);
    pthread_t th[NTHREADS];
    job jobs[NTHREADS];
    int started = 0;
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (job){c, gw, bufs, nchunks, t};
        if (t > 0 && pthread_create(&th[t], NULL, worker, &jobs[t]) == 0)
            started |= 1 << t;
    }
    worker(&jobs[0]);
    for (int t = 1; t < NTHREADS; t++) {
        if (started & (1 << t))
            pthread_join(th[t], NULL);
        else
            worker(&jobs[t]);
    }
    gather(c, bufs, nchunks);
    free(bufs);
}
