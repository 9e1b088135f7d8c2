/* synth.c: `omen synth`, the calibrated synthetic panel (DESIGN section 7, docs/synthetic.md):
 * runs the generation phases in order and hands the result to the store or to CSV files.
 * The same seed and scale always give the same panel, byte for byte. */
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/rows.h"
#include "../store/store.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "synth_internal.h"

void sy_progress(sy_ctx *c, const char *what, uint64_t done, uint64_t total)
{
    if (c->opt.progress)
        c->opt.progress(c->opt.progress_ctx, what, done, total);
}

static void ctx_free(sy_ctx *c)
{
    if (c->rng)
        gsl_rng_free(c->rng);
    free(c->mix);
    free(c->vol);
    free(c->models);
    free(c->devs);
    free(c->off);
    free(c->wk);
    free(c->cnt);
    free(c->segdl);
    free(c->head);
    free(c->labels);
    free(c->names);
    free(c->order);
    memset(c, 0, sizeof *c);
}

/* Rolling-window downloads of one model per calendar year 2020..2025, and those of the last
 * year's window (weeks after to - 365 days, for models created in that window). */
static void year_downloads(const sy_ctx *c, size_t i, double y[6], double *ly)
{
    const sy_model *m = &c->models[i];
    int32_t to = c->week0 + 7 * (SY_NWEEKS - 1);
    *ly = 0;
    for (int k = 0; k < 6; k++)
        y[k] = 0;
    for (uint64_t r = c->off[i]; r < c->off[i + 1]; r++) {
        int32_t day = c->week0 + 7 * c->wk[r];
        if (day - m->eff >= 365)
            continue;
        int yy, mo, dd;
        omen_date_ymd(day, &yy, &mo, &dd);
        y[yy - 2020] += c->cnt[r];
        if (day > to - 365 && m->eff > to - 365)
            *ly += c->cnt[r];
    }
}

/* A side file for calibration work: one line per model with its stream and what the
 * generator knows about it. Written only when OMEN_SYNTH_DEBUG names a path. */
static void debug_dump(const sy_ctx *c)
{
    const char *path = getenv("OMEN_SYNTH_DEBUG");
    FILE *f = path && *path ? fopen(path, "w") : NULL;
    if (!f)
        return;
    fprintf(f, "model,stream,class,relation,depth,head,annotated,true_params,young_mass,pop,"
               "total,dev,org,country,root,base,s0,s1,s2,s3,y2020,y2021,y2022,y2023,y2024,y2025,"
               "last_year\n");
    for (size_t k = 0; k < c->nmodels; k++) {
        size_t i = c->order[k];
        const sy_model *m = &c->models[i], *r = m;
        for (int d = 0; d < 8 && r->base != SY_NONE; d++)
            r = &c->models[r->base];
        double y[6], ly;
        year_downloads(c, i, y, &ly);
        const sy_dev *dv = &c->devs[m->dev];
        fprintf(f, "%s,%s,%d,%s,%d,%d,%d,%.0f,%.1f,%d,%llu,%s,%s,%s,%s,%s,%.0f,%.0f,%.0f,%.0f",
                sy_str(c, m->name), c->streams[m->stream].key, m->cls,
                m->rel ? sy_relation_str(m->rel) : "root", m->depth, !!(m->flags & SY_HEAD),
                !!(m->flags & SY_ANNOT), m->params, m->t, !!(m->flags & SY_POP),
                (unsigned long long)m->total, sy_str(c, dv->name), sy_org_str(dv->org), dv->country,
                sy_str(c, r->name), m->base != SY_NONE ? sy_str(c, c->models[m->base].name) : "",
                c->segdl[i][0], c->segdl[i][1], c->segdl[i][2], c->segdl[i][3]);
        for (int yy = 0; yy < 6; yy++)
            fprintf(f, ",%.0f", y[yy]);
        fprintf(f, ",%.0f\n", ly);
    }
    fclose(f);
}

static omen_status generate(sy_ctx *c, const omen_synth_options *opt, omen_error *err)
{
    memset(c, 0, sizeof *c);
    if (!opt || !(opt->scale > 0) || opt->scale > 4)
        return omen_error_set(err, OMEN_E_USAGE, "synth: scale must be in (0, 4]");
    c->opt = *opt;
    c->scale = opt->scale;
    c->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(c->rng, (unsigned long)opt->seed);
    c->week0 = omen_date_days(2020, 6, 1);
    c->named = sy_named;
    c->nnamed = sy_nnamed;
    c->streams = sy_streams;
    c->nstreams = sy_nstreams;
    sy_progress(c, "synth: models", 0, 6);
    sy_named_devs_create(c);
    sy_volume_init(c);
    sy_models_generate(c);
    sy_bases_assign(c);
    sy_sizes_assign(c);
    sy_progress(c, "synth: downloads", 1, 6);
    sy_downloads_generate(c);
    sy_progress(c, "synth: head sample", 2, 6);
    sy_panel_stats(c);
    sy_head_sample(c);
    sy_progress(c, "synth: annotations", 3, 6);
    sy_annotate_head(c);
    sy_pool_devs_assign(c);
    sy_metadata_assign(c);
    sy_progress(c, "synth: names", 4, 6);
    sy_names_assign(c);
    debug_dump(c);
    return OMEN_OK;
}

static void fill_report(const sy_ctx *c, omen_synth_report *rep)
{
    if (!rep)
        return;
    rep->models = c->nmodels;
    rep->developers = c->ndevs;
    rep->edges = c->nedges;
    rep->annotations = c->nannotations;
    rep->download_rows = c->nrows;
    rep->downloads = c->ndownloads;
    rep->first_week = c->week0;
    rep->last_week = c->week0 + 7 * (SY_NWEEKS - 1);
}

omen_status omen_synth_to_csv(const char *dir, const omen_synth_options *opt,
                              omen_synth_report *report, omen_error *err)
{
    sy_ctx c;
    omen_status s = generate(&c, opt, err);
    if (s == OMEN_OK) {
        s = sy_write_csv(&c, dir, err);
        sy_progress(&c, "synth: written", 6, 6);
        fill_report(&c, report);
    }
    ctx_free(&c);
    return s;
}

omen_status omen_synth_to_store(omen_store *store, const omen_synth_options *opt,
                                omen_synth_report *report, omen_error *err)
{
    sy_ctx c;
    omen_status s = generate(&c, opt, err);
    if (s != OMEN_OK) {
        ctx_free(&c);
        return s;
    }
    omen_rows rows;
    omen_rows_init(&rows);
    sy_fill_rows(&c, &rows);
    char options[96];
    snprintf(options, sizeof options, "scale=%g seed=%llu", c.scale,
             (unsigned long long)c.opt.seed);
    uint64_t nrows =
        rows.nmodels + rows.ndevelopers + rows.nedges + rows.nannotations + rows.nweekly;
    omen_ingest_record rec = {
        .source = "synth", .file = "(synth)", .rows_read = nrows, .options = options};
    /* the generator's own arrays are no longer needed while the store writes */
    fill_report(&c, report);
    ctx_free(&c);
    uint64_t written = 0;
    s = omen_store_apply(store, &rows, &rec, opt->progress, opt->progress_ctx, &written, err);
    omen_rows_free(&rows);
    return s;
}
