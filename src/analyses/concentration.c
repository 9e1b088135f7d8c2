/* concentration.c: `omen concentration`: HHI, Gini, top-k shares and rank segments of one
 * level per period (the paper's Figure 3), with the measures a competition authority reads:
 * CR4 and CR8, the effective number of entities, the 2023 Merger Guidelines band and the
 * change of HHI from the previous period; on request the Theil index and its decomposition
 * into between and within groups (--decompose), and bootstrap intervals (--ci). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../metrics/metrics.h"
#include "../stats/bootstrap.h"
#include "../util/error.h"

typedef struct {
    omen_table *t;
    const omen_query *q;
    double prev_hhi; /* the previous period's HHI x 10000, or < 0 before the first */
} conc;

/* Segment names follow the cuts: 1,10,100,1000 give seg_1, seg_2_10, seg_11_100, seg_101_1000
 * and seg_rest (the CSV columns of DESIGN section 8). */
static void add_segment_columns(omen_table *t, const omen_query *q)
{
    uint32_t lo = 1;
    for (size_t i = 0; i < q->ncuts; i++) {
        char name[48];
        if (lo == q->cuts[i])
            snprintf(name, sizeof name, "seg_%u", lo);
        else
            snprintf(name, sizeof name, "seg_%u_%u", lo, q->cuts[i]);
        omen_table_add_column(t, name, OMEN_COL_REAL);
        lo = q->cuts[i] + 1;
    }
    omen_table_add_column(t, "seg_rest", OMEN_COL_REAL);
}

static const char *const ci_names[OMEN_BOOT_NMEASURES] = {
    "hhi", "gini", "top1_share", "cr4_share", "cr8_share", "top10_share", "top100_share"};

static void add_columns(omen_table *t, const omen_query *q)
{
    static const char *const cols[] = {
        "period_start", "period_end",     "level", "entities",   "downloads",   "hhi",
        "hhi_10000",    "hhi_normalized", "gini",  "top1_share", "top10_share", "top100_share"};
    static const omen_col_type types[] = {
        OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_TEXT, OMEN_COL_INT,  OMEN_COL_REAL, OMEN_COL_REAL,
        OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        omen_table_add_column(t, cols[i], types[i]);
    add_segment_columns(t, q);
    omen_table_add_column(t, "cr4_share", OMEN_COL_REAL);
    omen_table_add_column(t, "cr8_share", OMEN_COL_REAL);
    omen_table_add_column(t, "effective_entities", OMEN_COL_REAL);
    omen_table_add_column(t, "hhi_band", OMEN_COL_TEXT);
    omen_table_add_column(t, "hhi_change_10000", OMEN_COL_REAL);
    omen_table_add_column(t, "significant_rise", OMEN_COL_BOOL);
    if (q->entropy)
        omen_table_add_column(t, "entropy", OMEN_COL_REAL);
    if (q->entropy || q->decompose)
        omen_table_add_column(t, "theil", OMEN_COL_REAL);
    if (q->decompose) {
        omen_table_add_column(t, "theil_between", OMEN_COL_REAL);
        omen_table_add_column(t, "theil_within", OMEN_COL_REAL);
        omen_table_add_column(t, "groups", OMEN_COL_INT);
    }
    for (size_t k = 0; q->ci > 0 && k < OMEN_BOOT_NMEASURES; k++) {
        char name[48];
        snprintf(name, sizeof name, "%s_lo", ci_names[k]);
        omen_table_add_column(t, name, OMEN_COL_REAL);
        snprintf(name, sizeof name, "%s_hi", ci_names[k]);
        omen_table_add_column(t, name, OMEN_COL_REAL);
    }
}

/* The Merger Guidelines' reading of the period: its band, and the change from the previous
 * period with entities (none for the first). A period without entities (a week with no
 * downloads recorded) has neither, and the next change is measured across it. */
static void set_guidelines(conc *c, size_t r, size_t k, const omen_measures *m)
{
    omen_table *t = c->t;
    double h = m->hhi * 10000.0;
    if (!m->entities)
        return;
    omen_table_set_text(t, r, k, omen_metrics_merger_band(h));
    if (c->prev_hhi >= 0) {
        omen_table_set_real(t, r, k + 1, h - c->prev_hhi);
        omen_table_set_bool(t, r, k + 2, h - c->prev_hhi > OMEN_MERGER_SIGNIFICANT_RISE);
    }
    c->prev_hhi = h;
}

/* The engine measures each period (omen_aggregate_measured). */
static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end,
                      const omen_measures *measured)
{
    (void)a;
    conc *c = ctx;
    omen_measures m = *measured;
    omen_table *t = c->t;
    size_t r = omen_table_add_row(t), k = 0;
    omen_table_set_date(t, r, k++, start);
    omen_table_set_date(t, r, k++, end);
    omen_table_set_text(t, r, k++, omen_level_name(c->q));
    omen_table_set_int(t, r, k++, (int64_t)m.entities);
    omen_table_set_real(t, r, k++, m.total);
    omen_table_set_real(t, r, k++, m.hhi);
    omen_table_set_real(t, r, k++, m.hhi * 10000.0);
    omen_table_set_real(t, r, k++, m.hhi_normalized);
    omen_table_set_real(t, r, k++, m.gini);
    for (int i = 0; i < 3; i++)
        omen_table_set_real(t, r, k++, m.top[i]);
    for (size_t i = 0; i < m.nsegments; i++)
        omen_table_set_real(t, r, k++, m.segments[i]);
    omen_table_set_real(t, r, k++, m.cr4);
    omen_table_set_real(t, r, k++, m.cr8);
    omen_table_set_real(t, r, k++, m.effective);
    set_guidelines(c, r, k, &m);
    k += 3;
    if (c->q->entropy)
        omen_table_set_real(t, r, k++, m.entropy);
    if (c->q->entropy && !c->q->decompose)
        omen_table_set_real(t, r, k++, m.theil);
    return true;
}

/* ---------------------------------------------------------------- the second pass */

/* --decompose and --ci need each entity's amount, which the measured pass does not deliver: a
 * second pass over the same periods (omen_aggregate) fills their columns in the rows the
 * first pass made, found by period start. */
/* One period's bootstrap, run after the pass on the worker threads (bootstrap_all). */
typedef struct {
    size_t row;
    int32_t start;
    omen_boot_histogram h;
    omen_boot_intervals ci;
} ci_job;

typedef struct {
    omen_table *t;
    const omen_query *q;
    const omen_panel *p;
    size_t row;
    ci_job *jobs;
    size_t njobs, jobs_cap;
    uint32_t *group_of; /* entity -> dense group (built on the first period) */
    size_t ngroups;
    double *sorted;
    uint32_t *group;
    size_t cap;
} second;

/* Dense group numbers of the entities: the developer of a model, the country or org type of a
 * model's or a developer's developer (the entity's developer is agg->developer). */
static void build_groups(second *s, const omen_agg *a)
{
    const omen_panel *p = s->p;
    s->group_of = omen_xmalloc((a->nentities ? a->nentities : 1) * sizeof *s->group_of);
    size_t nkeys =
        s->q->decompose_level == OMEN_LEVEL_DEVELOPER ? p->n_developers : p->n_strings + 1;
    uint32_t *dense = omen_xmalloc((nkeys ? nkeys : 1) * sizeof *dense);
    memset(dense, 0xff, (nkeys ? nkeys : 1) * sizeof *dense);
    for (size_t e = 0; e < a->nentities; e++) {
        uint32_t d = a->developer[e], key = d;
        if (s->q->decompose_level != OMEN_LEVEL_DEVELOPER) {
            uint32_t v = s->q->decompose_level == OMEN_LEVEL_COUNTRY ? p->dev_country[d]
                                                                     : p->dev_org_type[d];
            key = v == OMEN_NONE ? (uint32_t)p->n_strings : v; /* UNKNOWN / unknown: one group */
        }
        if (dense[key] == OMEN_NONE)
            dense[key] = (uint32_t)s->ngroups++;
        s->group_of[e] = dense[key];
    }
    free(dense);
}

typedef struct {
    double amount;
    uint32_t group;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    double x = ((const entry *)a)->amount, y = ((const entry *)b)->amount;
    return (x > y) - (x < y);
}

/* Keeps the period's histogram for bootstrap_all. */
static void queue_ci(second *s, size_t r, int32_t start)
{
    if (s->njobs == s->jobs_cap) {
        s->jobs_cap = s->jobs_cap ? 2 * s->jobs_cap : 64;
        s->jobs = omen_xrealloc(s->jobs, s->jobs_cap * sizeof *s->jobs);
    }
    ci_job *j = &s->jobs[s->njobs++];
    j->row = r;
    j->start = start;
    omen_boot_histogram_build(s->sorted, s->cap, &j->h);
}

enum { CI_THREADS = 2 };

typedef struct {
    second *s;
    size_t first;
} ci_worker;

/* Each period's resamples come from its own stream (seed, period start), so the split of the
 * periods among threads does not change a digit. */
static void *run_ci_jobs(void *arg)
{
    ci_worker *w = arg;
    const omen_query *q = w->s->q;
    for (size_t i = w->first; i < w->s->njobs; i += CI_THREADS) {
        ci_job *j = &w->s->jobs[i];
        omen_bootstrap_measures(&j->h, q->resamples, q->ci, q->seed, (uint64_t)(int64_t)j->start,
                                &j->ci);
    }
    return NULL;
}

static void bootstrap_all(second *s)
{
    ci_worker w[CI_THREADS];
    pthread_t tid[CI_THREADS];
    bool started[CI_THREADS] = {false};
    for (size_t i = 1; i < CI_THREADS; i++) {
        w[i] = (ci_worker){s, i};
        started[i] = pthread_create(&tid[i], NULL, run_ci_jobs, &w[i]) == 0;
    }
    w[0] = (ci_worker){s, 0};
    run_ci_jobs(&w[0]);
    for (size_t i = 1; i < CI_THREADS; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            run_ci_jobs(&w[i]); /* no thread: the same jobs here */
    }
    size_t k0 = omen_table_find(s->t, "hhi_lo");
    for (size_t i = 0; i < s->njobs; i++) {
        ci_job *j = &s->jobs[i];
        for (size_t m = 0, k = k0; m < OMEN_BOOT_NMEASURES; m++) {
            omen_table_set_real(s->t, j->row, k++, j->ci.lo[m]);
            omen_table_set_real(s->t, j->row, k++, j->ci.hi[m]);
        }
        omen_boot_histogram_free(&j->h);
    }
    free(s->jobs);
}

static bool on_amounts(void *ctx, const omen_agg *a, int32_t start, int32_t end,
                       const uint32_t *ids, const double *amounts, size_t n)
{
    (void)end;
    second *s = ctx;
    if (s->q->decompose && !s->group_of)
        build_groups(s, a);
    while (s->row < omen_table_nrows(s->t) && omen_table_int(s->t, s->row, 0) < start)
        s->row++;
    if (s->row >= omen_table_nrows(s->t) || omen_table_int(s->t, s->row, 0) != start)
        return true; /* not a row of the first pass (cannot happen: same periods) */
    entry *e = omen_xmalloc((n ? n : 1) * sizeof *e);
    for (size_t i = 0; i < n; i++)
        e[i] = (entry){amounts[i], s->group_of ? s->group_of[ids[i]] : 0};
    qsort(e, n, sizeof *e, cmp_entry); /* the order of the values' sums does not hang on ids */
    s->sorted = omen_xrealloc(s->sorted, (n ? n : 1) * sizeof *s->sorted);
    s->group = omen_xrealloc(s->group, (n ? n : 1) * sizeof *s->group);
    for (size_t i = 0; i < n; i++) {
        s->sorted[i] = e[i].amount;
        s->group[i] = e[i].group;
    }
    s->cap = n;
    free(e);
    size_t k = omen_table_find(s->t, "theil");
    if (s->q->decompose) {
        omen_theil_parts parts;
        omen_metrics_theil_decompose(s->sorted, s->group, n, s->ngroups, &parts);
        omen_table_set_real(s->t, s->row, k, parts.theil);
        omen_table_set_real(s->t, s->row, k + 1, parts.between);
        omen_table_set_real(s->t, s->row, k + 2, parts.within);
        omen_table_set_int(s->t, s->row, k + 3, (int64_t)parts.groups);
    }
    if (s->q->ci > 0)
        queue_ci(s, s->row, start);
    s->row++;
    return true;
}

static omen_status check_decompose(const omen_query *q, omen_error *err)
{
    if (!q->decompose)
        return OMEN_OK;
    bool finer = (q->level == OMEN_LEVEL_MODEL) ||
                 (q->level == OMEN_LEVEL_DEVELOPER && q->decompose_level != OMEN_LEVEL_DEVELOPER);
    if (finer)
        return OMEN_OK;
    return omen_error_set(err, OMEN_E_USAGE,
                          "--decompose needs groups that hold whole entities: --level model by "
                          "developer, country or org_type, or --level developer by country or "
                          "org_type (not --level %s)",
                          omen_level_name(q));
}

static omen_status second_pass(const omen_panel *p, const omen_query *q, omen_table *t,
                               omen_error *err)
{
    second s = {.t = t, .q = q, .p = p};
    omen_agg agg;
    omen_status st = omen_aggregate(p, q, false, on_amounts, &s, &agg, err);
    omen_agg_free(&agg);
    if (q->ci > 0)
        bootstrap_all(&s); /* also frees the histograms when the pass failed */
    free(s.group_of);
    free(s.sorted);
    free(s.group);
    return st;
}

omen_status omen_concentration(const omen_panel *p, const omen_query *q, omen_table **out,
                               omen_error *err)
{
    omen_status s = check_decompose(q, err);
    if (s != OMEN_OK)
        return s;
    omen_table *t = omen_table_new("concentration");
    add_columns(t, q);
    conc c = {t, q, -1};
    omen_agg agg;
    s = omen_aggregate_measured(p, q, on_period, &c, &agg, err);
    if (s == OMEN_OK)
        omen_query_to_meta(p, q, &agg, t);
    omen_agg_free(&agg);
    if (s == OMEN_OK && (q->decompose || q->ci > 0))
        s = second_pass(p, q, t, err);
    if (s == OMEN_OK && q->ci > 0) {
        omen_table_meta_real(t, "ci_level", q->ci);
        omen_table_meta_int(t, "ci_resamples", q->resamples);
        omen_table_meta_int(t, "ci_seed", (int64_t)q->seed);
        omen_table_meta_text(t, "ci_unit", omen_level_name(q));
    }
    if (s == OMEN_OK && q->decompose) {
        static const char *const names[] = {"model", "developer", "country", "org_type"};
        omen_table_meta_text(t, "decompose", names[q->decompose_level]);
    }
    if (s != OMEN_OK) {
        omen_table_free(t);
        return s;
    }
    *out = t;
    return OMEN_OK;
}
