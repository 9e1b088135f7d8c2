/* cmd_annotate.c: `omen annotate`: the annotation sheet of the Head Sample, heuristic labels
 * from Hub metadata, their agreement with human labels, and the taxonomy itself. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: omen annotate --export-head [--out FILE] [--head-k K] [--population-min N]\n"
    "       omen annotate --heuristic | --agreement | --labels\n"
    "\n"
    "The annotation taxonomy of the paper's Appendix D and the labels of the store.\n"
    "\n"
    "  --export-head        write the Head Sample as an annotation sheet (CSV, whatever\n"
    "                       --format says): one row per model by total downloads, Hub metadata\n"
    "                       columns (url, developer, country, org_type, created, downloads,\n"
    "                       pipeline_tag, library, license, gated, params, base_models,\n"
    "                       hub_languages, tags), one column per taxonomy field pre-filled with\n"
    "                       the human labels (several joined with ';'), and a note column.\n"
    "                       Fill it in and load it with `omen ingest annotations FILE`.\n"
    "  --out FILE           write the sheet to FILE instead of stdout\n"
    "  --head-k K           the Head Sample's top K per week (default 200)\n"
    "  --population-min N   the Population Sample's minimum total downloads (default 200)\n"
    "  --heuristic          label every model from its Hub metadata (pipeline tag, library,\n"
    "                       tags, base-model relations, license, gated, languages) as source\n"
    "                       'heuristic', replacing the previous heuristic labels, never where a\n"
    "                       human labelled the same model and field. One transaction; prints\n"
    "                       per field: models, labels, models_human_kept.\n"
    "  --agreement          per field: human_models, heuristic_models, both, exact,\n"
    "                       exact_share, overlap, overlap_share (the rules run on the stored\n"
    "                       metadata, compared with the human labels)\n"
    "  --labels             the taxonomy: field, title, kind, label\n"
    "  --rebuild-cache, --no-cache   as for the analyses (--export-head reads the panel)\n"
    "\n"
    "Rules and definitions: docs/methodology.md (\"Annotations\"); the sheet: "
    "docs/data-formats.md.\n";

typedef enum { MODE_NONE, MODE_EXPORT, MODE_HEURISTIC, MODE_AGREEMENT, MODE_LABELS } mode;

typedef struct {
    mode mode;
    const char *out;
    omen_query q;
    omen_panel_options popt;
} opts;

static int set_mode(opts *o, mode m, const char *arg)
{
    if (o->mode != MODE_NONE && o->mode != m)
        return cli_usage("annotate", "%s cannot be combined with another mode", arg);
    o->mode = m;
    return 0;
}

static int parse(cli_ctx *ctx, opts *o, bool *help_asked)
{
    omen_error err = {0};
    for (int i = 1; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        int rc = 0;
        if (cli_is_help(a)) {
            *help_asked = true;
            return 0;
        } else if (strcmp(a, "--export-head") == 0) {
            rc = set_mode(o, MODE_EXPORT, a);
        } else if (strcmp(a, "--heuristic") == 0) {
            rc = set_mode(o, MODE_HEURISTIC, a);
        } else if (strcmp(a, "--agreement") == 0) {
            rc = set_mode(o, MODE_AGREEMENT, a);
        } else if (strcmp(a, "--labels") == 0) {
            rc = set_mode(o, MODE_LABELS, a);
        } else if (strcmp(a, "--rebuild-cache") == 0) {
            o->popt.rebuild_cache = true;
        } else if (strcmp(a, "--no-cache") == 0) {
            o->popt.no_cache = true;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "--head-k") == 0 ||
                   strcmp(a, "--population-min") == 0) {
            if (i + 1 >= ctx->argc)
                return cli_usage("annotate", "%s needs a value", a);
            const char *v = ctx->argv[++i];
            if (a[2] == 'o') {
                o->out = v;
            } else if (omen_query_set(&o->q, a + 2, v, &err) != OMEN_OK) {
                rc = cli_usage("annotate", "%s", err.message);
                omen_error_clear(&err);
            }
        } else {
            return cli_usage("annotate", "unexpected argument '%s'", a);
        }
        if (rc)
            return rc;
    }
    if (o->mode == MODE_NONE)
        return cli_usage("annotate", "say what to do: --export-head, --heuristic, --agreement "
                                     "or --labels");
    if (o->out && o->mode != MODE_EXPORT)
        return cli_usage("annotate", "--out goes with --export-head");
    return 0;
}

static omen_format format_of(const cli_ctx *ctx, mode m)
{
    if (m == MODE_EXPORT || ctx->format == FORMAT_CSV)
        return OMEN_FORMAT_CSV;
    return ctx->format == FORMAT_JSON ? OMEN_FORMAT_JSON : OMEN_FORMAT_TABLE;
}

static omen_status run_mode(cli_ctx *ctx, opts *o, omen_store *st, omen_table **t, omen_error *err)
{
    omen_panel *panel = NULL;
    omen_status s = OMEN_OK;
    switch (o->mode) {
    case MODE_EXPORT:
        s = omen_panel_load(st, &o->popt, &panel, NULL, err);
        cli_progress_done();
        if (s == OMEN_OK)
            s = omen_annotate_sheet(st, panel, &o->q, t, err);
        omen_panel_free(panel);
        return s;
    case MODE_HEURISTIC:
        s = omen_annotate_heuristic(st, t, err);
        if (s == OMEN_OK && !ctx->quiet) {
            int64_t labels = 0;
            size_t c = omen_table_find(*t, "labels");
            for (size_t r = 0; r < omen_table_nrows(*t); r++)
                labels += omen_table_int(*t, r, c);
            fprintf(stderr, "%lld heuristic labels stored in %s\n", (long long)labels, ctx->db);
        }
        return s;
    case MODE_AGREEMENT:
        return omen_annotate_agreement(st, t, err);
    default:
        return omen_annotate_labels(t);
    }
}

int cmd_annotate(cli_ctx *ctx)
{
    opts o = {.mode = MODE_NONE};
    omen_query_defaults(&o.q);
    o.popt.progress = cli_progress;
    o.popt.progress_ctx = ctx;
    bool help_asked = false;
    int rc = parse(ctx, &o, &help_asked);
    if (rc || help_asked) {
        if (help_asked)
            fputs(help, stdout);
        return rc;
    }
    omen_error err = {0};
    omen_store *st = NULL;
    omen_table *t = NULL;
    omen_status s = OMEN_OK;
    if (o.mode != MODE_LABELS)
        s = omen_store_open(ctx->db, o.mode == MODE_HEURISTIC ? OMEN_STORE_WRITE : OMEN_STORE_READ,
                            &st, &err);
    if (s == OMEN_OK)
        s = run_mode(ctx, &o, st, &t, &err);
    FILE *out = stdout;
    if (s == OMEN_OK && o.out && !(out = fopen(o.out, "w"))) {
        fprintf(stderr, "omen annotate: cannot write %s\n", o.out);
        rc = OMEN_RUNTIME;
    } else if (s == OMEN_OK) {
        s = omen_table_write(t, format_of(ctx, o.mode), out, &err);
        if (out != stdout && fclose(out) != 0 && s == OMEN_OK) {
            fprintf(stderr, "omen annotate: cannot write %s\n", o.out);
            rc = OMEN_RUNTIME;
        }
    }
    if (s != OMEN_OK)
        rc = cli_fail(&err, s);
    omen_table_free(t);
    omen_store_close(st);
    if (s == OMEN_OK && o.mode == MODE_HEURISTIC)
        cli_refresh_panel(ctx, o.popt.no_cache);
    omen_error_clear(&err);
    return rc;
}
