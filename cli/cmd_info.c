/* cmd_info.c: `omen info`: what the store holds, from the panel (cached beside the store). */
#include <sqlite3.h>
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

typedef struct {
    const char *key;
    char value[64];
    int numeric; /* 1 number, 0 string, 2 boolean */
} kv;

static void date_or_null(int32_t d, char out[64])
{
    if (d == INT32_MIN)
        snprintf(out, 64, "null");
    else
        omen_date_format(d, out);
}

/* The store's developer rows. The panel knows only the developers its models name, so right
 * after `omen ingest developers` (before any model) `developers` is 0 although the user just
 * loaded some: this count says what the store holds. One read-only query beside the panel
 * (the panel has no developer without a model); -1 when the store cannot say. */
static long long store_developers(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT count(*) FROM developers", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

static size_t collect(const omen_info *in, const char *db, kv *v)
{
    size_t n = 0;
    long long rows = store_developers(db);
#define NUM(k, fmt, x) (v[n].key = k, v[n].numeric = 1, snprintf(v[n].value, 64, fmt, x), n++)
    NUM("models", "%llu", (unsigned long long)in->models);
    NUM("developers", "%llu", (unsigned long long)in->developers);
    NUM("weeks", "%llu", (unsigned long long)in->weeks);
    v[n].key = "first_week";
    v[n].numeric = in->first_week == INT32_MIN;
    date_or_null(in->first_week, v[n++].value);
    v[n].key = "last_week";
    v[n].numeric = in->last_week == INT32_MIN;
    date_or_null(in->last_week, v[n++].value);
    NUM("downloads", "%llu", (unsigned long long)in->downloads);
    v[n].key = "synthetic";
    v[n].numeric = 2;
    snprintf(v[n++].value, 64, "%s", in->synthetic ? "true" : "false");
    NUM("developers_with_country", "%llu", (unsigned long long)in->developers_with_country);
    NUM("developer_rows", "%lld", rows >= 0 ? rows : 0LL);
    NUM("share_downloads_country_mapped", "%.4f", in->share_downloads_country_mapped);
    NUM("share_models_created", "%.4f", in->share_created);
    NUM("share_models_params", "%.4f", in->share_params);
    NUM("share_models_derived", "%.4f", in->share_derived);
    NUM("share_models_annotated", "%.4f", in->share_annotated);
    NUM("edges", "%llu", (unsigned long long)in->edges);
    NUM("annotations", "%llu", (unsigned long long)in->annotations);
    NUM("generation", "%lld", (long long)in->generation);
    NUM("schema_version", "%d", in->schema_version);
#undef NUM
    v[n].key = "store";
    v[n].numeric = 0;
    snprintf(v[n++].value, 64, "%s", db);
    return n;
}

static void print(cli_format f, const kv *v, size_t n)
{
    if (f == FORMAT_JSON) {
        printf("{");
        for (size_t i = 0; i < n; i++) {
            printf("%s\"%s\": ", i ? ", " : "", v[i].key);
            if (v[i].numeric)
                printf("%s", v[i].value);
            else
                cli_json_string(stdout, v[i].value);
        }
        printf("}\n");
    } else if (f == FORMAT_CSV) {
        printf("key,value\n");
        for (size_t i = 0; i < n; i++)
            printf("%s,%s\n", v[i].key, strcmp(v[i].value, "null") ? v[i].value : "");
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%-31s %s\n", v[i].key, v[i].value);
    }
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
        omen_info info;
        omen_info_compute(panel, &info);
        kv v[32];
        size_t n = collect(&info, ctx->db, v);
        print(ctx->format, v, n);
        if (!ctx->quiet && note && strstr(note, "could not"))
            fprintf(stderr, "omen: %s\n", note);
    }
    omen_panel_free(panel);
    omen_store_close(st);
    omen_error_clear(&err);
    return rc;
}
