/* sizes.c: `omen sizes estimate` and `omen sizes distribution` (the paper's section 4.2,
 * Figure 5 and Table 1's size row): parameter counts estimated from file bytes by RANSAC, and
 * the download-weighted (by download year) or model-weighted (by creation year) distribution
 * of sizes, with kernel densities on log10(params) for violins. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../stats/stats.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "sizes.h"

/* A count reported by the Hub or the developer: the only training data of the fit, and never
 * replaced by an estimate. */
bool omen_sizes_reported(const omen_panel *p, uint32_t m)
{
    uint8_t s = p->model_params_source[m];
    return p->model_params[m] > 0 && (s == OMEN_PARAMS_SAFETENSORS || s == OMEN_PARAMS_OFFICIAL);
}

/* The fit: RANSAC on the 80% of the pairs a seeded shuffle keeps for training, validated by
 * R^2 on the other 20% (sklearn's train_test_split sizes: ceil(0.2 n) held out). With fewer
 * than 5 pairs nothing is held out and the validation R^2 is NaN. */
omen_status omen_sizes_fit(const omen_panel *p, uint64_t seed, omen_sizes_model *fit,
                           omen_error *err)
{
    memset(fit, 0, sizeof *fit);
    size_t n = 0, nm = p->n_models;
    double *x = omen_xmalloc((nm ? nm : 1) * sizeof *x),
           *y = omen_xmalloc((nm ? nm : 1) * sizeof *y);
    size_t *idx = omen_xmalloc((nm ? nm : 1) * sizeof *idx);
    for (uint32_t m = 0; m < nm; m++)
        if (omen_sizes_reported(p, m) && p->model_file_bytes[m] > 0)
            idx[n++] = m;
    fit->pairs = n;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, (unsigned long)seed);
    if (n >= 5)
        gsl_ran_shuffle(rng, idx, n, sizeof *idx);
    gsl_rng_free(rng);
    fit->test = n >= 5 ? (size_t)ceil(0.2 * (double)n) : 0;
    fit->train = n - fit->test;
    /* Training pairs first, held-out pairs after them. */
    for (size_t i = 0; i < n; i++) {
        size_t m = idx[(i + fit->test) % n];
        x[i] = log10((double)p->model_file_bytes[m]);
        y[i] = log10((double)p->model_params[m]);
    }
    free(idx);
    omen_ransac r;
    bool ok = fit->train >= 2 && omen_stats_ransac_line(x, y, fit->train, 0, seed, &r, NULL);
    if (ok) {
        fit->slope = r.slope;
        fit->intercept = r.intercept;
        fit->inliers = r.inliers;
        fit->trials = r.trials;
        fit->threshold = r.threshold;
        fit->validation_r2 = fit->test >= 2 ? omen_stats_r2(x + fit->train, y + fit->train,
                                                            fit->test, r.slope, r.intercept)
                                            : NAN;
    }
    free(x);
    free(y);
    if (!ok)
        return omen_error_set(err, OMEN_E_DATA,
                              "sizes estimate: %zu models have both a reported parameter count and "
                              "file bytes; RANSAC needs at least 2 with two distinct byte sizes",
                              n);
    fit->ok = true;
    return OMEN_OK;
}

int64_t omen_sizes_predict(const omen_sizes_model *fit, int64_t file_bytes)
{
    double v = pow(10.0, fit->intercept + fit->slope * log10((double)file_bytes));
    return v >= 9.2e18 ? INT64_MAX : v < 1 ? 1 : (int64_t)llround(v);
}

/* A model gets an estimate when it has file bytes and no reported count. */
bool omen_sizes_estimable(const omen_panel *p, uint32_t m)
{
    return !omen_sizes_reported(p, m) && p->model_file_bytes[m] > 0;
}

/* ---- coverage ---- */

typedef struct {
    const omen_panel *p;
    double dl_all, dl_before, dl_after;
} cover;

static bool on_cover(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                     const double *amounts, size_t n)
{
    (void)a;
    (void)start;
    (void)end;
    cover *c = ctx;
    for (size_t i = 0; i < n; i++) {
        uint32_t m = ids[i];
        bool before = omen_sizes_reported(c->p, m);
        bool after = before || omen_sizes_estimable(c->p, m) || c->p->model_params[m] > 0;
        c->dl_all += amounts[i];
        c->dl_before += before ? amounts[i] : 0;
        c->dl_after += after ? amounts[i] : 0;
    }
    return true;
}

omen_query omen_sizes_model_query(const omen_query *q)
{
    omen_query m = *q;
    m.level = OMEN_LEVEL_MODEL;
    m.attribution = OMEN_ATTRIBUTION_DIRECT;
    m.last_year = false;
    return m;
}

static void estimate_row(omen_table *t, const omen_sizes_model *fit, size_t fitted, double before,
                         double after)
{
    static const char *const cols[] = {"slope",         "intercept",     "inliers",
                                       "fitted",        "validation_r2", "coverage_before",
                                       "coverage_after"};
    for (size_t c = 0; c < 7; c++)
        omen_table_add_column(t, cols[c], c == 2 || c == 3 ? OMEN_COL_INT : OMEN_COL_REAL);
    size_t r = omen_table_add_row(t);
    omen_table_set_real(t, r, 0, fit->slope);
    omen_table_set_real(t, r, 1, fit->intercept);
    omen_table_set_int(t, r, 2, (int64_t)fit->inliers);
    omen_table_set_int(t, r, 3, (int64_t)fitted);
    if (!isnan(fit->validation_r2))
        omen_table_set_real(t, r, 4, fit->validation_r2);
    omen_table_set_real(t, r, 5, before);
    omen_table_set_real(t, r, 6, after);
}

static void estimate_meta(omen_table *t, const omen_query *q, const omen_sizes_model *fit,
                          const cover *c, size_t applicable)
{
    omen_table_meta_text(t, "model", "log10(params) = intercept + slope * log10(file_bytes)");
    omen_table_meta_text(t, "training_data",
                         "models with a safetensors or official count and file bytes");
    omen_table_meta_int(t, "training_pairs", (int64_t)fit->pairs);
    omen_table_meta_int(t, "fit_on", (int64_t)fit->train);
    omen_table_meta_int(t, "held_out", (int64_t)fit->test);
    omen_table_meta_int(t, "seed", (int64_t)q->seed);
    omen_table_meta_int(t, "ransac_trials", (int64_t)fit->trials);
    omen_table_meta_real(t, "ransac_threshold", fit->threshold);
    omen_table_meta_text(t, "coverage_of",
                         "models in the sample (fitted: those given an estimate)");
    omen_table_meta_real(t, "coverage_downloads_before",
                         c->dl_all > 0 ? c->dl_before / c->dl_all : 0);
    omen_table_meta_real(t, "coverage_downloads_after",
                         c->dl_all > 0 ? c->dl_after / c->dl_all : 0);
    omen_table_meta_int(t, "estimable_models_in_panel", (int64_t)applicable);
}

omen_status omen_sizes_estimate(const omen_panel *p, const omen_query *q, omen_table **out,
                                omen_error *err)
{
    omen_sizes_model fit;
    omen_status st = omen_sizes_fit(p, q->seed, &fit, err);
    if (st != OMEN_OK)
        return st;
    omen_query mq = omen_sizes_model_query(q);
    cover c = {p, 0, 0, 0};
    omen_agg agg;
    st = omen_aggregate(p, &mq, true, on_cover, &c, &agg, err);
    if (st != OMEN_OK) {
        omen_agg_free(&agg);
        return st;
    }
    /* Model coverage over the sample: the engine's sample, selected again (cheap, and the
     * aggregation does not hand its selection out). */
    omen_model_facts facts;
    omen_model_facts_compute(p, &facts);
    uint8_t *in = omen_xmalloc(p->n_models ? p->n_models : 1);
    omen_sample_select(p, &facts, q->sample, q->population_min, q->head_k, in);
    size_t nin = 0, before = 0, after = 0, fitted = 0, applicable = 0;
    for (uint32_t m = 0; m < p->n_models; m++) {
        bool est = omen_sizes_estimable(p, m);
        applicable += est;
        if (!in[m])
            continue;
        nin++;
        before += omen_sizes_reported(p, m);
        after += omen_sizes_reported(p, m) || est || p->model_params[m] > 0;
        fitted += est;
    }
    free(in);
    omen_model_facts_free(&facts);
    omen_table *t = omen_table_new("sizes-estimate");
    estimate_row(t, &fit, fitted, nin ? (double)before / (double)nin : 0,
                 nin ? (double)after / (double)nin : 0);
    omen_query_to_meta(p, &mq, &agg, t);
    omen_table_meta_text(t, "window", "all (whole range)");
    estimate_meta(t, q, &fit, &c, applicable);
    omen_agg_free(&agg);
    *out = t;
    return OMEN_OK;
}
