/* cmd_sizes.c: `omen sizes estimate [--apply]` and `omen sizes distribution`: the registry's
 * "sizes-estimate" and "sizes" analyses, plus --apply, which stores the estimates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: omen sizes estimate [--apply] [--seed N] [options]\n"
    "       omen sizes distribution [--by download-year|creation-year|download-segment|\n"
    "                               creation-segment] [--cuts YEARS] [--density] [options]\n"
    "\n"
    "estimate      RANSAC on log10(params) ~ log10(file_bytes) (scikit-learn's defaults), fitted\n"
    "              on a seeded 80% of the models with a reported count and file bytes, validated\n"
    "              by R^2 on the other 20%; coverage of sizes before and after. --apply stores\n"
    "              the estimates (params_source 'estimated'; reported counts are never touched)\n"
    "              in one transaction.\n"
    "distribution  sizes per year, download-weighted by download year or per model by creation\n"
    "              year (or per Table 1 segment of --cuts): mean, quartiles; --density: kernel\n"
    "              density of log10(params) for violins.\n"
    "\n"
    "`omen sizes estimate --help` and `omen sizes distribution --help` list every option.\n"
    "Definitions: docs/methodology.md (\"Model size\").\n";

/* The subcommand's arguments (without --apply) with the registry's name in argv[0], for
 * cmd_analysis. */
static int delegate(cli_ctx *ctx, const char *name)
{
    cli_ctx sub = *ctx;
    sub.argv = calloc((size_t)ctx->argc + 1, sizeof *sub.argv);
    sub.argc = 0;
    sub.argv[sub.argc++] = (char *)(uintptr_t)name;
    for (int i = 2; i < ctx->argc; i++)
        if (strcmp(ctx->argv[i], "--apply") != 0)
            sub.argv[sub.argc++] = ctx->argv[i];
    int rc = cmd_analysis(&sub);
    free(sub.argv);
    return rc;
}

static bool parse(cli_ctx *ctx, omen_query *q, omen_panel_options *popt, int *rc)
{
    omen_error err = {0};
    for (int i = 2; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        bool takes = false;
        if (strcmp(arg, "--apply") == 0)
            continue;
        if (strcmp(arg, "--rebuild-cache") == 0 || strcmp(arg, "--no-cache") == 0) {
            popt->rebuild_cache |= arg[2] == 'r';
            popt->no_cache |= arg[2] == 'n';
            continue;
        }
        char name[64];
        const char *value = NULL, *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (strncmp(arg, "--", 2) != 0 || len - 2 >= sizeof name) {
            *rc = cli_usage("sizes estimate", "unexpected argument '%s'", arg);
            return false;
        }
        memcpy(name, arg + 2, len - 2);
        name[len - 2] = 0;
        if (!omen_query_is_option(name, &takes)) {
            *rc = cli_unknown_option("sizes estimate", name);
            return false;
        }
        if (takes)
            value = eq ? eq + 1 : (i + 1 < ctx->argc ? ctx->argv[++i] : NULL);
        if (omen_query_set_for(q, "sizes-estimate", name, value, &err) != OMEN_OK) {
            *rc = cli_usage("sizes estimate", "%s", err.message);
            omen_error_clear(&err);
            return false;
        }
    }
    return true;
}

static omen_format format_of(const cli_ctx *ctx)
{
    return ctx->format == FORMAT_JSON  ? OMEN_FORMAT_JSON
           : ctx->format == FORMAT_CSV ? OMEN_FORMAT_CSV
                                       : OMEN_FORMAT_TABLE;
}

/* --apply: the store is opened for writing; the panel is loaded from it, fitted, and the
 * estimates written in one transaction (the next command's panel cache sees a new generation
 * when a value changed). */
static int apply(cli_ctx *ctx)
{
    omen_query q;
    omen_query_defaults(&q);
    omen_panel_options popt = {.progress = cli_progress, .progress_ctx = ctx};
    int rc = 0;
    if (!parse(ctx, &q, &popt, &rc))
        return rc;
    omen_error err = {0};
    omen_store *st = NULL;
    omen_panel *panel = NULL;
    omen_table *t = NULL;
    uint64_t changed = 0;
    omen_status s = omen_store_open(ctx->db, OMEN_STORE_WRITE, &st, &err);
    if (s == OMEN_OK)
        s = omen_panel_load(st, &popt, &panel, NULL, &err);
    cli_progress_done();
    if (s == OMEN_OK)
        s = omen_sizes_apply(st, panel, &q, &t, &changed, &err);
    if (s == OMEN_OK)
        s = omen_table_write(t, format_of(ctx), stdout, &err);
    if (s == OMEN_OK && !ctx->quiet)
        fprintf(stderr, "omen: estimates stored; %llu rows changed%s\n",
                (unsigned long long)changed, changed ? "" : " (the store is unchanged)");
    rc = s == OMEN_OK ? 0 : cli_fail(&err, s);
    omen_table_free(t);
    omen_panel_free(panel);
    omen_store_close(st);
    if (s == OMEN_OK)
        cli_refresh_panel(ctx, popt.no_cache);
    omen_error_clear(&err);
    return rc;
}

int cmd_sizes(cli_ctx *ctx)
{
    if (ctx->argc < 2 || cli_is_help(ctx->argv[1])) {
        fputs(help, ctx->argc < 2 ? stderr : stdout);
        return ctx->argc < 2 ? OMEN_USAGE : 0;
    }
    const char *sub = ctx->argv[1];
    if (strcmp(sub, "distribution") == 0)
        return delegate(ctx, "sizes");
    if (strcmp(sub, "estimate") != 0)
        return cli_usage("sizes", "unknown subcommand '%s' (estimate or distribution)", sub);
    bool do_apply = false, help_asked = false;
    for (int i = 2; i < ctx->argc; i++) {
        do_apply |= strcmp(ctx->argv[i], "--apply") == 0;
        help_asked |= cli_is_help(ctx->argv[i]);
    }
    if (help_asked)
        printf("--apply also stores the estimates (see `omen sizes --help`).\n\n");
    if (!do_apply || help_asked)
        return delegate(ctx, "sizes-estimate");
    return apply(ctx);
}
