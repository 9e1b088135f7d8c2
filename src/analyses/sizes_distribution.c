/* sizes_distribution.c: `omen sizes distribution` (the paper's Figure 5 and Table 1's size
 * row): per year, the mean, quartiles and kernel density of model sizes, weighted by each
 * week's downloads in the year of the week (--by download-year) or by model in the year of
 * its effective created date (--by creation-year). Stored estimates count as sizes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../stats/stats.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "sizes.h"

typedef struct {
    const omen_panel *p;
    const omen_query *q;
    omen_table *t;
    double *x, *w, *lx; /* per period, at most one entry per model */
    size_t *order;
    double *grid, *density;
    size_t ngrid;
    double weight_all, weight_sized, weight_estimated; /* over all periods, for the meta */
    /* --by download-segment: a segment's downloads per model, summed over its years */
    double *acc;
    uint32_t *touched;
    size_t ntouched;
    int cur_seg;
} dist;

static int year_of(int32_t day)
{
    int y, m, d;
    omen_date_ymd(day, &y, &m, &d);
    return y;
}

/* The --cuts segment of a year: 0 before the first cut, k from the k-th cut on. */
static int segment_of(const omen_query *q, int year)
{
    int k = 0;
    while ((size_t)k < q->nyear_cuts && year >= q->year_cuts[k])
        k++;
    return k;
}

/* Table 1's labels: le2022, 2023, 2024, ge2025 (2023_2024 for a span of years). */
static void segment_label(const omen_query *q, int k, char *out, size_t cap)
{
    size_t n = q->nyear_cuts;
    if (k == 0)
        snprintf(out, cap, "le%d", (int)q->year_cuts[0] - 1);
    else if ((size_t)k == n)
        snprintf(out, cap, "ge%d", (int)q->year_cuts[n - 1]);
    else if (q->year_cuts[k] - q->year_cuts[k - 1] == 1)
        snprintf(out, cap, "%d", (int)q->year_cuts[k - 1]);
    else
        snprintf(out, cap, "%d_%d", (int)q->year_cuts[k - 1], (int)q->year_cuts[k] - 1);
}

/* The first cell of a row: the year, or the segment's label. */
static void key_cell(const dist *s, size_t r, int key)
{
    if (!s->q->by_segment) {
        omen_table_set_int(s->t, r, 0, key);
        return;
    }
    char label[32];
    segment_label(s->q, key, label, sizeof label);
    omen_table_set_text(s->t, r, 0, label);
}

/* One year's (or segment's) summary row, or its density rows with --density. all_weight: the
 * weight of every model, sized or not (for the coverage column). */
static void year_rows(dist *s, int year, size_t n, double all_weight, double estimated)
{
    omen_table *t = s->t;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s->w[i];
    if (s->q->density) {
        for (size_t i = 0; i < n; i++)
            s->lx[i] = log10(s->x[i]);
        if (n < 2 || !omen_stats_kde(s->lx, s->w, n, s->grid, s->ngrid, s->density))
            return;
        for (size_t g = 0; g < s->ngrid; g++) {
            size_t r = omen_table_add_row(t);
            key_cell(s, r, year);
            omen_table_set_real(t, r, 1, s->grid[g]);
            omen_table_set_real(t, r, 2, s->density[g]);
        }
        return;
    }
    static const double qs[] = {0.25, 0.5, 0.75};
    double quart[3];
    size_t r = omen_table_add_row(t), c = 1;
    key_cell(s, r, year);
    omen_table_set_int(t, r, c++, (int64_t)n);
    omen_table_set_real(t, r, c++, sum);
    if (n > 0 && sum > 0) {
        omen_stats_weighted_quantiles(s->x, s->w, n, qs, 3, quart, s->order);
        omen_table_set_real(t, r, c++, omen_stats_weighted_mean(s->x, s->w, n));
        for (size_t k = 0; k < 3; k++)
            omen_table_set_real(t, r, c++, quart[k]);
        omen_table_set_real(t, r, c++, estimated / sum);
    } else {
        c += 5;
    }
    omen_table_set_real(t, r, c++, all_weight > 0 ? sum / all_weight : 0);
}

/* Sizes and weights of the models in acc into x, w; the rows of one segment. */
static void flush_segment(dist *s)
{
    const omen_panel *p = s->p;
    size_t k = 0;
    double all = 0, est = 0;
    for (size_t i = 0; i < s->ntouched; i++) {
        uint32_t m = s->touched[i];
        double a = s->acc[m];
        s->acc[m] = 0;
        all += a;
        if (p->model_params[m] <= 0)
            continue;
        s->x[k] = (double)p->model_params[m];
        s->w[k++] = a;
        est += p->model_params_source[m] == OMEN_PARAMS_ESTIMATED ? a : 0;
    }
    s->weight_all += all;
    for (size_t i = 0; i < k; i++)
        s->weight_sized += s->w[i];
    s->weight_estimated += est;
    if (s->ntouched)
        year_rows(s, s->cur_seg, k, all, est);
    s->ntouched = 0;
}

/* --by download-segment: years arrive in order and a segment is a run of years, so a model's
 * downloads are summed until the segment changes. */
static bool on_segment_year(dist *s, int year, const uint32_t *ids, const double *amounts, size_t n)
{
    int seg = segment_of(s->q, year);
    if (seg != s->cur_seg)
        flush_segment(s);
    s->cur_seg = seg;
    for (size_t i = 0; i < n; i++) {
        if (s->acc[ids[i]] == 0)
            s->touched[s->ntouched++] = ids[i];
        s->acc[ids[i]] += amounts[i];
    }
    return true;
}

/* --by download-year: the engine's yearly periods at the model level. */
static bool on_year(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                    const double *amounts, size_t n)
{
    (void)a;
    (void)end;
    dist *s = ctx;
    if (s->q->by_segment)
        return on_segment_year(s, year_of(start), ids, amounts, n);
    const omen_panel *p = s->p;
    size_t k = 0;
    double all = 0, est = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t m = ids[i];
        all += amounts[i];
        if (p->model_params[m] <= 0)
            continue;
        s->x[k] = (double)p->model_params[m];
        s->w[k++] = amounts[i];
        if (p->model_params_source[m] == OMEN_PARAMS_ESTIMATED)
            est += amounts[i];
    }
    s->weight_all += all;
    for (size_t i = 0; i < k; i++)
        s->weight_sized += s->w[i];
    s->weight_estimated += est;
    year_rows(s, year_of(start), k, all, est);
    return true;
}

/* The density grid: --points evenly spaced points over the log10 sizes of the sample's sized
 * models, half a decade of margin each side, the same for every year so violins compare. */
static void make_grid(dist *s, const uint8_t *in)
{
    const omen_panel *p = s->p;
    double lo = INFINITY, hi = -INFINITY;
    for (uint32_t m = 0; m < p->n_models; m++) {
        if (!in[m] || p->model_params[m] <= 0)
            continue;
        double v = log10((double)p->model_params[m]);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (lo > hi)
        lo = hi = 9;
    lo = floor(lo) - 0.5;
    hi = ceil(hi) + 0.5;
    s->ngrid = s->q->points;
    s->grid = omen_xmalloc(s->ngrid * sizeof *s->grid);
    s->density = omen_xmalloc(s->ngrid * sizeof *s->density);
    for (size_t g = 0; g < s->ngrid; g++)
        s->grid[g] = lo + (hi - lo) * (double)g / (double)(s->ngrid - 1);
}

/* --by creation-year: models of the sample grouped by the year of their effective created
 * date inside --from/--to, one weight each. */
static void by_creation(dist *s, const omen_model_facts *f, const uint8_t *in, const omen_query *q)
{
    const omen_panel *p = s->p;
    int ymin = 1 << 30, ymax = -(1 << 30);
    int16_t *yr = omen_xmalloc((p->n_models ? p->n_models : 1) * sizeof *yr);
    for (uint32_t m = 0; m < p->n_models; m++) {
        int32_t c = f->created_eff[m];
        yr[m] = INT16_MIN;
        if (!in[m] || c == OMEN_NO_DATE || c < q->from || c > q->to)
            continue;
        int y = s->q->by_segment ? segment_of(q, year_of(c)) : year_of(c);
        yr[m] = (int16_t)y;
        ymin = y < ymin ? y : ymin;
        ymax = y > ymax ? y : ymax;
    }
    for (int y = ymin; y <= ymax; y++) {
        size_t k = 0, all = 0;
        double est = 0;
        for (uint32_t m = 0; m < p->n_models; m++) {
            if (yr[m] != y)
                continue;
            all++;
            if (p->model_params[m] <= 0)
                continue;
            s->x[k] = (double)p->model_params[m];
            s->w[k++] = 1.0;
            est += p->model_params_source[m] == OMEN_PARAMS_ESTIMATED;
        }
        s->weight_all += (double)all;
        s->weight_sized += (double)k;
        s->weight_estimated += est;
        if (all)
            year_rows(s, y, k, (double)all, est);
    }
    free(yr);
}

static omen_table *new_table(const omen_query *q)
{
    omen_table *t = omen_table_new("sizes");
    if (q->by_segment)
        omen_table_add_column(t, "segment", OMEN_COL_TEXT);
    else
        omen_table_add_column(t, "year", OMEN_COL_INT);
    if (q->density) {
        omen_table_add_column(t, "log10_params", OMEN_COL_REAL);
        omen_table_add_column(t, "density", OMEN_COL_REAL);
        return t;
    }
    omen_table_add_column(t, "models", OMEN_COL_INT);
    omen_table_add_column(t, "weight", OMEN_COL_REAL);
    omen_table_add_column(t, "mean", OMEN_COL_REAL);
    omen_table_add_column(t, "p25", OMEN_COL_REAL);
    omen_table_add_column(t, "median", OMEN_COL_REAL);
    omen_table_add_column(t, "p75", OMEN_COL_REAL);
    omen_table_add_column(t, "share_estimated", OMEN_COL_REAL);
    omen_table_add_column(t, "coverage", OMEN_COL_REAL);
    return t;
}

static void dist_meta(omen_table *t, const omen_query *q, const dist *s)
{
    static const char *const by[] = {"download-year", "creation-year", "download-segment",
                                     "creation-segment"};
    omen_table_meta_text(t, "by", by[(q->by_segment ? 2 : 0) + (q->by_creation ? 1 : 0)]);
    if (q->by_segment) {
        char cuts[96];
        size_t n = 0;
        for (size_t i = 0; i < q->nyear_cuts && n < sizeof cuts; i++)
            n += (size_t)snprintf(cuts + n, sizeof cuts - n, "%s%d", i ? "," : "",
                                  (int)q->year_cuts[i]);
        omen_table_meta_text(t, "cuts", cuts);
    }
    omen_table_meta_text(t, "weight",
                         q->by_creation ? "models (one each)"
                                        : "downloads of each week, in the week's year");
    omen_table_meta_text(t, "size",
                         "parameter count: reported (safetensors, official) or stored "
                         "estimate (omen sizes estimate --apply)");
    omen_table_meta_text(t, "quantiles", "weighted, numpy inverted_cdf");
    omen_table_meta_real(t, "coverage", s->weight_all > 0 ? s->weight_sized / s->weight_all : 0);
    omen_table_meta_real(t, "share_estimated",
                         s->weight_sized > 0 ? s->weight_estimated / s->weight_sized : 0);
    if (q->density) {
        omen_table_meta_text(t, "density",
                             "scipy gaussian_kde on log10(params), Scott's rule, weighted");
        omen_table_meta_int(t, "grid_points", (int64_t)s->ngrid);
        omen_table_meta_real(t, "grid_from", s->grid[0]);
        omen_table_meta_real(t, "grid_to", s->grid[s->ngrid - 1]);
    }
}

omen_status omen_sizes_distribution(const omen_panel *p, const omen_query *q, omen_table **out,
                                    omen_error *err)
{
    size_t n = p->n_models ? p->n_models : 1;
    omen_query mq = omen_sizes_model_query(q);
    mq.window = OMEN_WINDOW_YEAR;
    omen_table *t = new_table(q);
    dist s = {p,
              q,
              t,
              omen_xmalloc(n * sizeof(double)),
              omen_xmalloc(n * sizeof(double)),
              omen_xmalloc(n * sizeof(double)),
              omen_xmalloc(n * sizeof(size_t)),
              NULL,
              NULL,
              0,
              0,
              0,
              0,
              NULL,
              NULL,
              0,
              -1};
    omen_model_facts facts;
    omen_model_facts_compute(p, &facts);
    uint8_t *in = omen_xmalloc(n);
    size_t nin = omen_sample_select(p, &facts, q->sample, q->population_min, q->head_k, in);
    if (q->density)
        make_grid(&s, in);
    omen_agg agg;
    memset(&agg, 0, sizeof agg);
    omen_status st = OMEN_OK;
    if (q->by_creation) {
        agg.models_in_sample = nin;
        agg.first_week = 1, agg.last_week = 0; /* no download range */
        by_creation(&s, &facts, in, q);
    } else {
        if (q->by_segment) {
            s.acc = omen_xcalloc(n, sizeof(double));
            s.touched = omen_xmalloc(n * sizeof(uint32_t));
        }
        st = omen_aggregate(p, &mq, false, on_year, &s, &agg, err);
        if (st == OMEN_OK && q->by_segment)
            flush_segment(&s);
    }
    if (st == OMEN_OK) {
        omen_query_to_meta(p, &mq, &agg, t);
        if (q->by_creation)
            omen_table_meta_text(t, "rolling_days", "n/a (models, not downloads)");
        dist_meta(t, q, &s);
    }
    omen_agg_free(&agg);
    omen_model_facts_free(&facts);
    free(in);
    free(s.x);
    free(s.w);
    free(s.lx);
    free(s.order);
    free(s.grid);
    free(s.density);
    free(s.acc);
    free(s.touched);
    if (st != OMEN_OK) {
        omen_table_free(t);
        return st;
    }
    *out = t;
    return OMEN_OK;
}
