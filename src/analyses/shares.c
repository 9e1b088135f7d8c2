/* shares.c: `omen shares`: per period, the top N entities and their download shares plus one
 * `(rest)` row (the stacked areas of the paper's Figure 2). */
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../stats/bootstrap.h"
#include "../util/error.h"
#include "ranking.h"

typedef struct {
    omen_table *t;
    const omen_query *q;
} shares_ctx;

static size_t add(omen_table *t, int32_t start, int32_t end, const char *name, double amount,
                  double total)
{
    size_t r = omen_table_add_row(t);
    omen_table_set_date(t, r, 0, start);
    omen_table_set_date(t, r, 1, end);
    omen_table_set_text(t, r, 2, name);
    omen_table_set_real(t, r, 3, amount);
    omen_table_set_real(t, r, 4, total > 0 ? amount / total : 0.0);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* --ci: bootstrap intervals of the listed entities' shares (rows first .. first + top - 1),
 * resampling the period's entities (src/stats/bootstrap.h); the (rest) row has none. */
static void add_intervals(shares_ctx *c, size_t first, const omen_ranked *r, size_t top,
                          const double *amounts, size_t n, int32_t start)
{
    double *sorted = omen_xmalloc((n ? n : 1) * sizeof *sorted);
    memcpy(sorted, amounts, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    omen_boot_histogram h;
    omen_boot_histogram_build(sorted, n, &h);
    double *mine = omen_xmalloc((top ? top : 1) * 3 * sizeof *mine), *lo = mine + top,
           *hi = lo + top;
    for (size_t i = 0; i < top; i++)
        mine[i] = r[i].amount;
    omen_bootstrap_shares(&h, mine, top, c->q->resamples, c->q->ci, c->q->seed,
                          (uint64_t)(int64_t)start, lo, hi);
    for (size_t i = 0; i < top; i++) {
        omen_table_set_real(c->t, first + i, 5, lo[i]);
        omen_table_set_real(c->t, first + i, 6, hi[i]);
    }
    free(mine);
    omen_boot_histogram_free(&h);
    free(sorted);
}

static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    shares_ctx *c = ctx;
    double total, rest; /* the rest summed directly, not as a difference, to keep precision */
    omen_ranked *r = omen_rank_top(a, ids, amounts, n, c->q->top, &total, &rest);
    size_t top = n < c->q->top ? n : c->q->top, first = omen_table_nrows(c->t);
    for (size_t i = 0; i < top; i++)
        add(c->t, start, end, a->names[r[i].id], r[i].amount, total);
    if (c->q->ci > 0)
        add_intervals(c, first, r, top, amounts, n, start);
    if (n > top)
        add(c->t, start, end, "(rest)", rest, total);
    free(r);
    return true;
}

omen_status omen_shares(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err)
{
    omen_table *t = omen_table_new("shares");
    omen_table_add_column(t, "period_start", OMEN_COL_DATE);
    omen_table_add_column(t, "period_end", OMEN_COL_DATE);
    omen_table_add_column(t, "entity", OMEN_COL_TEXT);
    omen_table_add_column(t, "downloads", OMEN_COL_REAL);
    omen_table_add_column(t, "share", OMEN_COL_REAL);
    if (q->ci > 0) {
        omen_table_add_column(t, "share_lo", OMEN_COL_REAL);
        omen_table_add_column(t, "share_hi", OMEN_COL_REAL);
    }
    shares_ctx c = {t, q};
    omen_agg agg;
    omen_status s = omen_aggregate(p, q, false, on_period, &c, &agg, err);
    if (s == OMEN_OK) {
        omen_query_to_meta(p, q, &agg, t);
        omen_table_meta_int(t, "top", q->top);
        if (q->ci > 0) {
            omen_table_meta_real(t, "ci_level", q->ci);
            omen_table_meta_int(t, "ci_resamples", q->resamples);
            omen_table_meta_int(t, "ci_seed", (int64_t)q->seed);
            omen_table_meta_text(t, "ci_unit", omen_level_name(q));
        }
    }
    omen_agg_free(&agg);
    if (s != OMEN_OK) {
        omen_table_free(t);
        return s;
    }
    *out = t;
    return OMEN_OK;
}
