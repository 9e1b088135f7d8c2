/* cmd_analysis.c: the analysis commands of the registry (omen_analysis_find): one option
 * parser over omen_query_set_for() (an option the analysis does not read is a usage error),
 * --help from the options table, one runner, output through the result table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_help(const omen_analysis *a)
{
    static char opts[8192];
    omen_query_help_for(a->name, opts, sizeof opts);
    printf("usage: omen %s [options]\n\n%s\n\nOptions (defaults in brackets):\n%s", a->name,
           a->synopsis, opts);
    printf("  %-22s %s\n  %-22s %s\n", "--rebuild-cache", "rebuild the panel cache first",
           "--no-cache", "build the panel from the store, use no cache");
    printf("\nColumns: %s\n", a->columns);
    printf("\nDefinitions: docs/methodology.md. Output: --format table|csv|json%s (global).\n",
           strcmp(a->name, "alerts") == 0 ? "|atom" : "");
}

int cli_unknown_option(const char *cmd, const char *name)
{
    char names[8192] = "rebuild-cache no-cache", hint[64];
    const omen_option *o;
    for (size_t i = 0; (o = omen_option_at(i)) != NULL; i++) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, " %s", o->name);
    }
    if (cli_suggest_in(name, names, hint, sizeof hint))
        return cli_usage(cmd, "unknown option '--%s'; did you mean '--%s'?", name, hint);
    return cli_usage(cmd, "unknown option '--%s'", name);
}

static int parse(cli_ctx *ctx, const omen_analysis *a, omen_query *q, omen_panel_options *popt,
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
            return cli_unknown_option(a->name, name);
        if (takes)
            value = eq ? eq + 1 : (i + 1 < ctx->argc ? ctx->argv[++i] : NULL);
        if (omen_query_set_for(q, a->name, name, value, &err) != OMEN_OK) {
            /* a value not among the allowed ones: suggest the nearest ("did you mean") */
            const char *allowed = err.message ? strstr(err.message, "allowed: ") : NULL;
            char hint[64];
            int rc = allowed && value && cli_suggest_in(value, allowed + 9, hint, sizeof hint)
                         ? cli_usage(a->name, "%s; did you mean '%s'?", err.message, hint)
                         : cli_usage(a->name, "%s", err.message);
            omen_error_clear(&err);
            return rc;
        }
    }
    return 0;
}

static int run(cli_ctx *ctx, const omen_analysis *a)
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
    double t0 = omen_now();
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
        omen_table_meta_real(table, "elapsed_s", omen_now() - t0);
        omen_format f = ctx->format == FORMAT_JSON   ? OMEN_FORMAT_JSON
                        : ctx->format == FORMAT_CSV  ? OMEN_FORMAT_CSV
                        : ctx->format == FORMAT_ATOM ? OMEN_FORMAT_ATOM
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
    const omen_analysis *a = omen_analysis_find(ctx->argv[0]);
    return a ? run(ctx, a) : cli_usage(NULL, "unknown command '%s'", ctx->argv[0]);
}
