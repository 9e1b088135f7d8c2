/* intermediaries.c: `omen intermediaries`: developers at least --threshold of whose downloads
 * go to repackagings (models whose relation to their first base model is quantized, adapter
 * or other), with their downloads, repackaging share and share of all downloads, over the
 * whole range or per window (DESIGN section 5; the paper's section 5, "The Rise of
 * Intermediary Developers"). Who qualifies is decided on the whole range. */
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../util/error.h"
#include "lineage.h"

typedef struct {
    const omen_panel *p;
    const uint8_t *repack;    /* per model */
    const uint8_t *qualifies; /* per developer; NULL in the whole-range pass */
    double *tot, *rep;        /* per developer */
    uint32_t *touched;
    size_t ntouched;
    double all;    /* all downloads of the period */
    omen_table *t; /* NULL: only accumulate */
} inter;

static void accumulate(inter *s, const uint32_t *ids, const double *amounts, size_t n)
{
    const omen_panel *p = s->p;
    for (size_t i = 0; i < n; i++) {
        uint32_t d = p->model_developer[ids[i]];
        s->all += amounts[i];
        if (s->qualifies && !s->qualifies[d])
            continue;
        if (s->tot[d] == 0 && s->rep[d] == 0)
            s->touched[s->ntouched++] = d;
        s->tot[d] += amounts[i];
        if (s->repack[ids[i]])
            s->rep[d] += amounts[i];
    }
}

static void add_row(inter *s, int32_t start, int32_t end, const char *name, uint32_t dev,
                    double tot, double rep)
{
    const omen_panel *p = s->p;
    omen_table *t = s->t;
    size_t r = omen_table_add_row(t), c = 0;
    omen_table_set_date(t, r, c++, start);
    omen_table_set_date(t, r, c++, end);
    omen_table_set_text(t, r, c++, name);
    const char *country = "", *org = "";
    if (dev != OMEN_NONE) { /* as the leaderboard names them */
        country =
            p->dev_country[dev] == OMEN_NONE ? "UNKNOWN" : omen_panel_str(p, p->dev_country[dev]);
        org =
            p->dev_org_type[dev] == OMEN_NONE ? "unknown" : omen_panel_str(p, p->dev_org_type[dev]);
    }
    omen_table_set_text(t, r, c++, country);
    omen_table_set_text(t, r, c++, org);
    omen_table_set_real(t, r, c++, tot);
    omen_table_set_real(t, r, c++, tot > 0 ? rep / tot : 0);
    omen_table_set_real(t, r, c++, s->all > 0 ? tot / s->all : 0);
}

/* Writes the period's qualifying developers, largest first (ties by name), then their sum.
 * An insertion sort, because qsort's comparator could reach the sums only through static
 * state, which server threads would share; the list is the few qualifying developers. The
 * touched list is compacted to them, so call this after every use of the others' sums. */
static void emit(inter *s, const uint8_t *qualifies, int32_t start, int32_t end)
{
    size_t k = 0;
    double tot = 0, rep = 0;
    for (size_t i = 0; i < s->ntouched; i++) {
        uint32_t d = s->touched[i];
        if (qualifies[d] && s->tot[d] > 0)
            s->touched[k++] = d;
    }
    for (size_t i = 1; i < k; i++) {
        uint32_t v = s->touched[i];
        size_t j = i;
        for (; j > 0; j--) {
            uint32_t u = s->touched[j - 1];
            int c = s->tot[u] != s->tot[v] ? (s->tot[u] < s->tot[v] ? 1 : -1)
                                           : strcmp(omen_panel_str(s->p, s->p->dev_name[u]),
                                                    omen_panel_str(s->p, s->p->dev_name[v]));
            if (c <= 0)
                break;
            s->touched[j] = u;
        }
        s->touched[j] = v;
    }
    for (size_t i = 0; i < k; i++) {
        uint32_t d = s->touched[i];
        add_row(s, start, end, omen_panel_str(s->p, s->p->dev_name[d]), d, s->tot[d], s->rep[d]);
        tot += s->tot[d];
        rep += s->rep[d];
    }
    if (s->all > 0)
        add_row(s, start, end, "(all intermediaries)", OMEN_NONE, tot, rep);
}

static void reset(inter *s)
{
    for (size_t i = 0; i < s->ntouched; i++)
        s->tot[s->touched[i]] = s->rep[s->touched[i]] = 0;
    s->ntouched = 0;
    s->all = 0;
}

static bool on_period(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                      const double *amounts, size_t n)
{
    (void)a;
    inter *s = ctx;
    accumulate(s, ids, amounts, n);
    if (s->t) {
        emit(s, s->qualifies, start, end);
        reset(s);
    }
    return true;
}

static omen_table *new_table(void)
{
    omen_table *t = omen_table_new("intermediaries");
    omen_table_add_column(t, "period_start", OMEN_COL_DATE);
    omen_table_add_column(t, "period_end", OMEN_COL_DATE);
    omen_table_add_column(t, "developer", OMEN_COL_TEXT);
    omen_table_add_column(t, "country", OMEN_COL_TEXT);
    omen_table_add_column(t, "org_type", OMEN_COL_TEXT);
    omen_table_add_column(t, "downloads", OMEN_COL_REAL);
    omen_table_add_column(t, "repackaging_share", OMEN_COL_REAL);
    omen_table_add_column(t, "share", OMEN_COL_REAL);
    return t;
}

/* quantized, adapter and other: the relations of a model that re-packs another's weights
 * rather than training them further. */
static uint8_t *repackagings(const omen_panel *p, const omen_lineage *l)
{
    uint8_t q = omen_lineage_rel_find(l, "quantized"), ad = omen_lineage_rel_find(l, "adapter"),
            o = omen_lineage_rel_find(l, "other");
    uint8_t *r = omen_xcalloc(p->n_models ? p->n_models : 1, 1);
    for (size_t m = 0; m < p->n_models; m++)
        r[m] = l->rel[m] != 0 && (l->rel[m] == q || l->rel[m] == ad || l->rel[m] == o);
    return r;
}

static void add_meta(omen_table *t, const omen_query *q, size_t count, double share)
{
    omen_table_meta_real(t, "threshold", q->threshold);
    omen_table_meta_text(t, "repackaging_relations",
                         "quantized, adapter, other (to the first base model)");
    omen_table_meta_text(t, "qualified_on", "the whole range");
    omen_table_meta_int(t, "intermediaries", (int64_t)count);
    omen_table_meta_real(t, "share_all_intermediaries", share);
}

omen_status omen_intermediaries(const omen_panel *p, const omen_query *q, omen_table **out,
                                omen_error *err)
{
    omen_lineage l;
    omen_lineage_compute(p, &l);
    size_t nd = p->n_developers ? p->n_developers : 1;
    uint8_t *repack = repackagings(p, &l), *qual = omen_xcalloc(nd, 1);
    inter s = {p,
               repack,
               NULL,
               omen_xcalloc(nd, sizeof(double)),
               omen_xcalloc(nd, sizeof(double)),
               omen_xmalloc(nd * sizeof(uint32_t)),
               0,
               0,
               NULL};
    omen_query mq = *q;
    mq.level = OMEN_LEVEL_MODEL;
    mq.attribution = OMEN_ATTRIBUTION_DIRECT;
    mq.last_year = false;
    omen_agg agg, wagg;
    memset(&wagg, 0, sizeof wagg);
    omen_table *t = new_table();
    omen_status st = omen_aggregate(p, &mq, true, on_period, &s, &agg, err);
    size_t count = 0;
    double sum = 0;
    for (size_t i = 0; st == OMEN_OK && i < s.ntouched; i++) {
        uint32_t d = s.touched[i];
        qual[d] = s.tot[d] > 0 && s.rep[d] / s.tot[d] >= q->threshold;
        count += qual[d];
        sum += qual[d] ? s.tot[d] : 0;
    }
    double share = s.all > 0 ? sum / s.all : 0;
    s.t = t;
    if (st == OMEN_OK && !q->window_given) {
        emit(&s, qual, agg.first_week, agg.last_week + 6);
    } else if (st == OMEN_OK) {
        reset(&s);
        s.qualifies = qual;
        st = omen_aggregate(p, &mq, false, on_period, &s, &wagg, err);
    }
    if (st == OMEN_OK) {
        omen_query_to_meta(p, &mq, &agg, t);
        if (!q->window_given)
            omen_table_meta_text(t, "window", "all (whole range)");
        add_meta(t, q, count, share);
    }
    omen_agg_free(&agg);
    omen_agg_free(&wagg);
    free(s.tot);
    free(s.rep);
    free(s.touched);
    free(repack);
    free(qual);
    omen_lineage_free(&l);
    if (st != OMEN_OK) {
        omen_table_free(t);
        return st;
    }
    *out = t;
    return OMEN_OK;
}
