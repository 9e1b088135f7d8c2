/* cmd_analysis.c: the analysis commands (concentration, shares, leaderboard, map, lorenz): one
 * option parser over omen_query_set(), one runner, output through the result table. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

typedef omen_status (*analysis_fn)(const omen_panel *, const omen_query *, omen_table **,
                                   omen_error *);

typedef struct {
    const char *name;
    analysis_fn run;
    const char *synopsis;
    const char *columns;
} analysis;

static const analysis analyses[] = {
    {"concentration", omen_concentration,
     "HHI (0-1, x10000, normalised), Gini, top-1/10/100 shares and rank segments of one level\n"
     "per period (the paper's Figure 3).",
     "period_start,period_end,level,entities,downloads,hhi,hhi_10000,hhi_normalized,gini,\n"
     "top1_share,top10_share,top100_share,seg_1,seg_2_10,seg_11_100,seg_101_1000,seg_rest\n"
     "(segment columns follow --segments; --entropy adds entropy,effective_entities)"},
    {"shares", omen_shares,
     "The top N entities of each period with their download shares, and a (rest) row (the\n"
     "stacked areas of the paper's Figure 2).",
     "period_start,period_end,entity,downloads,share"},
    {"leaderboard", omen_leaderboard,
     "Entities ranked by downloads over the range (--period all) or the last year of it\n"
     "(--period last-year: weeks in the 365 days ending at --to, models created in them), as in\n"
     "the paper's Figure 1. Tied downloads share a rank.",
     "rank,entity,downloads,share (plus country,org_type for the model and developer levels)"},
    {"map", omen_map,
     "Every country's share of downloads over the range or the last year (the map of the\n"
     "paper's Figure 1). The level is always country.",
     "rank,country,name,downloads,share"},
    {"lorenz", omen_lorenz,
     "The Lorenz curve of one level over the range, at --points evenly spaced population\n"
     "shares; the Gini coefficient is in the meta block.",
     "population_share,download_share"},
};

static void print_help(const analysis *a)
{
    printf("usage: omen %s [options]\n\n%s\n\nOptions (defaults in brackets):\n%s", a->name,
           a->synopsis, omen_query_help());
    printf("  %-22s %s\n  %-22s %s\n", "--rebuild-cache", "rebuild the panel cache first",
           "--no-cache", "build the panel from the store, use no cache");
    printf("\nColumns: %s\n", a->columns);
    printf("\nDefinitions: docs/methodology.md. Output: --format table|csv|json (global).\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse(cli_ctx *ctx, const analysis *a, omen_query *q, omen_panel_options *popt,
                 bool *help)
{
    omen_error err = {0};
    for (int i = 1; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        bool takes = false;
        if (cli_is_help(arg)) {
            *help = true;
            return 0;
        }
        if (strcmp(arg, "--rebuild-cache") == 0) {
            popt->rebuild_cache = true;
            continue;
        }
        if (strcmp(arg, "--no-cache") == 0) {
            popt->no_cache = true;
            continue;
        }
        /* --name value and --name=value */
        char name[64];
        const char *value = NULL, *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (strncmp(arg, "--", 2) != 0 || len - 2 >= sizeof name)
            return cli_usage(a->name, "unexpected argument '%s'", arg);
        memcpy(name, arg + 2, len - 2);
        name[len - 2] = 0;
        if (!omen_query_is_option(name, &takes))
            return cli_usage(a->name, "unknown option '--%s'", name);
        if (takes)
            value = eq ? eq + 1 : (i + 1 < ctx->argc ? ctx->argv[++i] : NULL);
        if (omen_query_set(q, name, value, &err) != OMEN_OK) {
            int rc = cli_usage(a->name, "%s", err.message);
            omen_error_clear(&err);
            return rc;
        }
    }
    return 0;
}

static int run(cli_ctx *ctx, const analysis *a)
{
    omen_query q;
    omen_query_defaults(&q);
    omen_panel_options popt = {.progress = cli_progress, .progress_ctx = ctx};
    bool help = false;
    int rc = parse(ctx, a, &q, &popt, &help);
    if (rc || help) {
        if (help)
            print_help(a);
        return rc;
    }
    double t0 = now();
    omen_error err = {0};
    omen_store *st = NULL;
    omen_panel *panel = NULL;
    omen_table *table = NULL;
    omen_status s = omen_store_open(ctx->db, OMEN_STORE_READ, &st, &err);
    if (s == OMEN_OK)
        s = omen_panel_load(st, &popt, &panel, NULL, &err);
    cli_progress_done();
    if (s == OMEN_OK)
        s = a->run(panel, &q, &table, &err);
    if (s == OMEN_OK) {
        omen_table_meta_real(table, "elapsed_s", now() - t0);
        omen_format f = ctx->format == FORMAT_JSON  ? OMEN_FORMAT_JSON
                        : ctx->format == FORMAT_CSV ? OMEN_FORMAT_CSV
                                                    : OMEN_FORMAT_TABLE;
        s = omen_table_write(table, f, stdout, &err);
    }
    rc = s == OMEN_OK ? 0 : cli_fail(&err, s);
    omen_table_free(table);
    omen_panel_free(panel);
    omen_store_close(st);
    omen_error_clear(&err);
    return rc;
}

int cmd_analysis(cli_ctx *ctx)
{
    for (size_t i = 0; i < sizeof analyses / sizeof analyses[0]; i++)
        if (strcmp(analyses[i].name, ctx->argv[0]) == 0)
            return run(ctx, &analyses[i]);
    return cli_usage(NULL, "unknown command '%s'", ctx->argv[0]);
}
