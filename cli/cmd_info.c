/* cmd_info.c: `omen info`: what the store holds, from the panel (cached beside the store): the
 * library's info table (omen_info_table), printed as key/value lines or one JSON object. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: omen info [--rebuild-cache] [--no-cache]\n"
    "\n"
    "Reports the models, developers, weeks, first and last week, total downloads, countries\n"
    "mapped, the shares of models with a created date, a parameter count, a base model and\n"
    "annotations, and whether the data is synthetic. `developers` counts the developers that\n"
    "models name (the ones every analysis sees), `developer_rows` the store's developer rows\n"
    "(what `omen ingest developers` loaded, with or without models yet). Loads the panel from\n"
    "its cache beside the store (rebuilt automatically when the store has changed).\n"
    "\n"
    "Options:\n"
    "  --rebuild-cache   rebuild the panel cache even if it is current\n"
    "  --no-cache        build the panel from the store without reading or writing a cache\n";

/* One value of the info table as `omen info` prints it: "null" for NULL, reals with 4
 * decimals; *quoted says whether JSON wants it as a string. */
static const char *value(const omen_table *t, size_t c, char out[64], bool *quoted)
{
    *quoted = false;
    if (omen_table_is_null(t, 0, c))
        return "null";
    switch (omen_table_col_type(t, c)) {
    case OMEN_COL_TEXT:
        *quoted = true;
        return omen_table_text(t, 0, c);
    case OMEN_COL_REAL:
        snprintf(out, 64, "%.4f", omen_table_real(t, 0, c));
        return out;
    case OMEN_COL_DATE:
        omen_date_format((int32_t)omen_table_int(t, 0, c), out);
        *quoted = true;
        return out;
    case OMEN_COL_BOOL:
        return omen_table_int(t, 0, c) ? "true" : "false";
    case OMEN_COL_INT:
        break;
    }
    snprintf(out, 64, "%lld", (long long)omen_table_int(t, 0, c));
    return out;
}

/* The one row of the info table as key/value lines (table, CSV) or one JSON object. */
static void print(cli_format f, const omen_table *t)
{
    char buf[64];
    bool quoted;
    if (f == FORMAT_CSV)
        printf("key,value\n");
    else if (f == FORMAT_JSON)
        printf("{");
    for (size_t c = 0; c < omen_table_ncols(t); c++) {
        const char *key = omen_table_col_name(t, c), *v = value(t, c, buf, &quoted);
        if (f == FORMAT_JSON) {
            printf("%s\"%s\": ", c ? ", " : "", key);
            if (quoted)
                cli_json_string(stdout, v);
            else
                fputs(v, stdout);
        } else if (f == FORMAT_CSV) {
            printf("%s,%s\n", key, omen_table_is_null(t, 0, c) ? "" : v);
        } else {
            printf("%-31s %s\n", key, v);
        }
    }
    if (f == FORMAT_JSON)
        printf("}\n");
}

int cmd_info(cli_ctx *ctx)
{
    omen_panel_options popt = {.progress = cli_progress, .progress_ctx = ctx};
    for (int i = 1; i < ctx->argc; i++) {
        if (cli_is_help(ctx->argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(ctx->argv[i], "--rebuild-cache") == 0) {
            popt.rebuild_cache = true;
        } else if (strcmp(ctx->argv[i], "--no-cache") == 0) {
            popt.no_cache = true;
        } else {
            return cli_usage("info", "unknown option '%s'", ctx->argv[i]);
        }
    }
    omen_error err = {0};
    omen_store *st = NULL;
    omen_panel *panel = NULL;
    const char *note = NULL;
    omen_status s = omen_store_open(ctx->db, OMEN_STORE_READ, &st, &err);
    if (s == OMEN_OK)
        s = omen_panel_load(st, &popt, &panel, &note, &err);
    cli_progress_done();
    int rc = 0;
    if (s != OMEN_OK) {
        rc = cli_fail(&err, s);
    } else {
        omen_table *t = omen_info_table(panel, st);
        print(ctx->format, t);
        omen_table_free(t);
        if (!ctx->quiet && note && strstr(note, "could not"))
            fprintf(stderr, "omen: %s\n", note);
    }
    omen_panel_free(panel);
    omen_store_close(st);
    omen_error_clear(&err);
    return rc;
}
