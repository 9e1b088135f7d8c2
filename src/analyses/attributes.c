/* attributes.c: `omen attributes`: the paper's Table 1. For each value of each characteristic,
 * its incidence (share of filtered downloads going to models that carry it) per time segment,
 * the multiplier delta from before to after the last cut, and a chi-squared test of that shift
 * with Cramer's V (DESIGN.md section 5, docs/methodology.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../stats/stats.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "traits.h"

#define MAXSEG (OMEN_MAX_SEGMENT_CUTS + 1)

/* Downloads per model per segment, filled by one pass of the engine at the model level with
 * yearly periods; only models with downloads are listed. */
typedef struct {
    const omen_query *q;
    size_t nseg;
    double *seg; /* [n_models * nseg] */
    uint8_t *seen;
    uint32_t *list;
    size_t nlist;
} segs;

static size_t segment_of(const omen_query *q, int32_t day)
{
    int y, m, d;
    omen_date_ymd(day, &y, &m, &d);
    size_t s = 0;
    while (s < q->nyear_cuts && y >= q->year_cuts[s])
        s++;
    return s;
}

static bool on_year(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                    const double *amounts, size_t n)
{
    (void)a;
    (void)end;
    segs *c = ctx;
    size_t s = segment_of(c->q, start);
    for (size_t i = 0; i < n; i++) {
        uint32_t m = ids[i];
        if (!c->seen[m]) {
            c->seen[m] = 1;
            c->list[c->nlist++] = m;
        }
        c->seg[(size_t)m * c->nseg + s] += amounts[i];
    }
    return true;
}

/* ---------------------------------------------------------------- rows */

typedef struct {
    int group;
    const char *field;
    char *value;
    double inc[MAXSEG];
    bool has_inc[MAXSEG];
    double delta;
    omen_chi2 chi;
    bool tested, significant;
} row;

typedef struct {
    row *r;
    size_t n, cap;
} rows;

/* A model's weight in each segment and before/after the last cut: its downloads, or 1 for a
 * model with downloads there (--unit models). */
static void weights(const segs *c, uint32_t m, bool models, double *w, double *before,
                    double *after)
{
    const double *x = c->seg + (size_t)m * c->nseg;
    double b = 0;
    bool any = false;
    for (size_t s = 0; s < c->nseg; s++) {
        w[s] = models ? (x[s] > 0) : x[s];
        if (s + 1 < c->nseg) {
            b += x[s];
            any |= x[s] > 0;
        }
    }
    *before = models ? any : b;
    *after = w[c->nseg - 1];
}

static void test_row(row *r, const double *carry, const double *total, size_t nseg, double alpha)
{
    double cb = carry[nseg], ca = carry[nseg + 1], tb = total[nseg], ta = total[nseg + 1];
    for (size_t s = 0; s < nseg; s++) {
        r->has_inc[s] = total[s] > 0;
        r->inc[s] = total[s] > 0 ? carry[s] / total[s] : 0;
    }
    double ib = tb > 0 ? cb / tb : 0, ia = ta > 0 ? ca / ta : 0;
    r->delta = tb > 0 && ta > 0 && ib > 0 ? ia / ib : NAN;
    /* (carries / not) x (before / after); "not" as a difference can dip below 0 by rounding */
    double table[4] = {cb, ca, fmax(tb - cb, 0), fmax(ta - ca, 0)};
    r->tested = omen_stats_chi2_contingency(table, 2, 2, true, &r->chi);
    r->significant = r->tested && r->chi.p_value < alpha;
}

/* All values of one field: sums per value in one walk over the models with downloads. */
static void field_rows(const omen_panel *p, const segs *c, const char *field, rows *out)
{
    omen_traits t;
    omen_traits_build(p, field, OMEN_TRAITS_PAPER_GROUPS, &t);
    size_t width = c->nseg + 2; /* segments, before, after */
    double *carry = omen_xcalloc(t.nvalues * width + 1, sizeof *carry);
    double total[MAXSEG + 2] = {0}, w[MAXSEG + 2];
    bool models = c->q->unit_models;
    for (size_t i = 0; i < c->nlist; i++) {
        uint32_t m = c->list[i];
        weights(c, m, models, w, &w[c->nseg], &w[c->nseg + 1]);
        for (size_t s = 0; s < width; s++)
            total[s] += w[s];
        for (uint64_t j = t.off[m]; j < t.off[m + 1]; j++)
            for (size_t s = 0; s < width; s++)
                carry[t.value[j] * width + s] += w[s];
    }
    for (size_t v = 0; v < t.nvalues; v++) {
        double any = 0;
        for (size_t s = 0; s < c->nseg; s++)
            any += carry[v * width + s];
        if (any <= 0)
            continue; /* a label no model of the sample with counted downloads carries */
        if (out->n == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 64;
            out->r = omen_xrealloc(out->r, out->cap * sizeof *out->r);
        }
        row *r = &out->r[out->n++];
        memset(r, 0, sizeof *r);
        r->group = omen_traits_group_rank(field);
        r->field = field;
        r->value = omen_xstrdup(t.names[v]);
        test_row(r, carry + v * width, total, c->nseg, c->q->alpha);
    }
    free(carry);
    omen_traits_free(&t);
}

/* The paper's order: by group, then the largest rise first; ties by field and value. */
static int by_group_delta(const void *x, const void *y)
{
    const row *a = x, *b = y;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    bool na = isnan(a->delta), nb = isnan(b->delta);
    if (na != nb)
        return na ? 1 : -1;
    if (!na && a->delta != b->delta)
        return a->delta > b->delta ? -1 : 1;
    int k = strcmp(a->field, b->field);
    return k ? k : strcmp(a->value, b->value);
}

/* ---------------------------------------------------------------- table */

static void segment_label(const omen_query *q, size_t s, char *out, size_t cap)
{
    size_t k = q->nyear_cuts;
    if (s == 0)
        snprintf(out, cap, "le%d", (int)q->year_cuts[0] - 1);
    else if (s == k)
        snprintf(out, cap, "ge%d", (int)q->year_cuts[k - 1]);
    else if (q->year_cuts[s] - q->year_cuts[s - 1] == 1)
        snprintf(out, cap, "%d", (int)q->year_cuts[s - 1]);
    else
        snprintf(out, cap, "%d_%d", (int)q->year_cuts[s - 1], (int)q->year_cuts[s] - 1);
}

static omen_table *new_table(const omen_query *q, size_t nseg)
{
    omen_table *t = omen_table_new("attributes");
    omen_table_add_column(t, "group", OMEN_COL_TEXT);
    omen_table_add_column(t, "field", OMEN_COL_TEXT);
    omen_table_add_column(t, "value", OMEN_COL_TEXT);
    for (size_t s = 0; s < nseg; s++) {
        char label[32], name[40];
        segment_label(q, s, label, sizeof label);
        snprintf(name, sizeof name, "seg_%s", label);
        omen_table_add_column(t, name, OMEN_COL_REAL);
    }
    static const char *const tail[] = {"delta", "chi2", "p_value", "cramers_v"};
    for (size_t i = 0; i < 4; i++)
        omen_table_add_column(t, tail[i], OMEN_COL_REAL);
    omen_table_add_column(t, "significant", OMEN_COL_BOOL);
    return t;
}

static void write_row(omen_table *t, const row *r, size_t nseg)
{
    size_t i = omen_table_add_row(t), k = 0;
    omen_table_set_text(t, i, k++, omen_traits_group(r->field));
    omen_table_set_text(t, i, k++, r->field);
    omen_table_set_text(t, i, k++, r->value);
    for (size_t s = 0; s < nseg; s++, k++)
        if (r->has_inc[s])
            omen_table_set_real(t, i, k, r->inc[s]);
    if (!isnan(r->delta))
        omen_table_set_real(t, i, k, r->delta);
    k++;
    if (r->tested) {
        omen_table_set_real(t, i, k, r->chi.chi2);
        omen_table_set_real(t, i, k + 1, r->chi.p_value);
        omen_table_set_real(t, i, k + 2, r->chi.cramers_v);
    }
    omen_table_set_bool(t, i, k + 3, r->significant);
}

static void add_meta(omen_table *t, const omen_query *q, size_t tested, size_t significant)
{
    char cuts[128];
    size_t n = 0;
    for (size_t i = 0; i < q->nyear_cuts; i++)
        n +=
            (size_t)snprintf(cuts + n, sizeof cuts - n, "%s%d", i ? "," : "", (int)q->year_cuts[i]);
    omen_table_meta_text(t, "level", "model (the characteristics of the credited model)");
    omen_table_meta_text(t, "window", "segments");
    omen_table_meta_text(t, "cuts", cuts);
    omen_table_meta_text(t, "field", q->field[0] ? q->field : "all");
    omen_table_meta_text(t, "unit", q->unit_models ? "models" : "downloads");
    omen_table_meta_real(t, "alpha", q->alpha);
    omen_table_meta_text(t, "rows", q->all_rows ? "all" : "significant (p < alpha)");
    omen_table_meta_int(t, "rows_tested", (int64_t)tested);
    omen_table_meta_int(t, "rows_significant", (int64_t)significant);
    omen_table_meta_text(t, "labels", "human over heuristic per (model, field)");
    omen_table_meta_text(t, "test",
                         "chi-squared on (carries, not) x (before, after the last cut), Yates");
}

omen_status omen_attributes(const omen_panel *p, const omen_query *q, omen_table **out,
                            omen_error *err)
{
    if (q->field[0] && !omen_traits_known(q->field))
        return omen_error_set(err, OMEN_E_USAGE, "--field: '%s' is not a characteristic", q->field);
    omen_query qq = *q;
    if (!q->sample_given)
        qq.sample = OMEN_SAMPLE_HEAD;
    qq.level = OMEN_LEVEL_MODEL;
    qq.window = OMEN_WINDOW_YEAR;
    size_t nm = p->n_models ? p->n_models : 1;
    segs c = {&qq,
              qq.nyear_cuts + 1,
              omen_xcalloc(nm * (qq.nyear_cuts + 1), sizeof(double)),
              omen_xcalloc(nm, 1),
              omen_xmalloc(nm * sizeof(uint32_t)),
              0};
    omen_agg agg;
    omen_status s = omen_aggregate(p, &qq, false, on_year, &c, &agg, err);
    rows rs = {NULL, 0, 0};
    if (s == OMEN_OK) {
        if (q->field[0]) {
            field_rows(p, &c, q->field, &rs);
        } else {
            for (const char *const *f = omen_traits_fields(); *f; f++)
                field_rows(p, &c, *f, &rs);
        }
        if (rs.n) /* qsort(NULL, 0) is undefined behaviour (a store with no downloads) */
            qsort(rs.r, rs.n, sizeof *rs.r, by_group_delta);
        omen_table *t = new_table(&qq, c.nseg);
        size_t nsig = 0;
        for (size_t i = 0; i < rs.n; i++) {
            nsig += rs.r[i].significant;
            if (rs.r[i].significant || q->all_rows)
                write_row(t, &rs.r[i], c.nseg);
        }
        omen_query_to_meta(p, &qq, &agg, t);
        add_meta(t, &qq, rs.n, nsig);
        *out = t;
    }
    for (size_t i = 0; i < rs.n; i++)
        free(rs.r[i].value);
    free(rs.r);
    omen_agg_free(&agg);
    free(c.seg);
    free(c.seen);
    free(c.list);
    return s;
}
