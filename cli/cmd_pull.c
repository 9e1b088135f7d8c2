/* cmd_pull.c: `omen pull`: today's Hub listing (or a hub-stats Parquet file) into the store as
 * a snapshot; run weekly from cron it keeps the store and the dashboard current. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "usage: omen pull [options]\n"
    "\n"
    "Fetches the Hub's model listing (GET <base>/api/models, paged by the Link: rel=\"next\"\n"
    "header, with the fields author, createdAt, downloads, downloadsAllTime, tags,\n"
    "pipeline_tag, library_name, gated, safetensors, usedStorage, cardData) and ingests it as\n"
    "the snapshot of today (UTC), like `omen ingest snapshot`: weekly flows come from\n"
    "differencing downloadsAllTime against the stored snapshots. 429 and 5xx answers and\n"
    "broken transfers are retried with exponential backoff, honouring Retry-After. Pages are\n"
    "kept in <db>.pull/ as they arrive, so an interrupted pull resumes where it stopped when\n"
    "run again (same date). Weekly from cron:\n"
    "  0 6 * * 1  cd /data && omen --db hub.db --quiet pull >>pull.log 2>&1\n"
    "\n"
    "Options:\n"
    "  --base-url URL      the Hub (default https://huggingface.co)\n"
    "  --parquet URL       fetch a hub-stats models.parquet instead of the listing\n"
    "  --limit N           stop after N models (default: the whole listing)\n"
    "  --page-size N       models per page (default 1000)\n"
    "  --date YYYY-MM-DD   the snapshot's date (default today, UTC)\n"
    "  --retries N         retries per request (default 6)\n"
    "  --backoff SECONDS   first wait between retries, doubled each time (default 1)\n"
    "  --state-dir DIR     where pages and the cursor are kept (default <db>.pull)\n"
    "  --keep-raw          keep the fetched JSON Lines or Parquet file after the ingest\n"
    "  --skip-bad          as in omen ingest\n"
    "\n"
    "Exit codes: 0 ok, 1 network or I/O failure (run again to resume), 2 usage, 3 bad data.\n";

static void on_retry(void *ctx, const char *url, const char *what, double wait)
{
    const cli_ctx *c = ctx;
    if (!c->quiet)
        fprintf(stderr, "omen pull: %s: %s; retrying in %.1f s\n", url, what, wait);
}

static void report(const cli_ctx *ctx, const omen_pull_report *rep)
{
    if (ctx->quiet)
        return;
    if (rep->ingest.notes)
        fputs(rep->ingest.notes, stderr);
    fprintf(stderr,
            "pulled %llu models in %llu pages (%.1f MB, %llu retries%s); %llu rows changed in %s",
            (unsigned long long)rep->models, (unsigned long long)rep->pages,
            (double)rep->bytes / 1e6, (unsigned long long)rep->retries,
            rep->resumed ? ", resumed" : "", (unsigned long long)rep->ingest.rows_written, ctx->db);
    if (rep->ingest.decreases_clipped)
        fprintf(stderr, "; %llu decreases clipped to 0",
                (unsigned long long)rep->ingest.decreases_clipped);
    fputc('\n', stderr);
}

/* Parses one option; returns 0 when taken, 2 (after printing) on a usage error. */
static int option(cli_ctx *ctx, omen_pull_options *o, int *i)
{
    const char *a = ctx->argv[*i], *v = *i + 1 < ctx->argc ? ctx->argv[*i + 1] : NULL;
    uint64_t n;
    double d;
    bool valued = true, good = v != NULL;
    if (strcmp(a, "--keep-raw") == 0)
        return o->keep_raw = true, 0;
    if (strcmp(a, "--skip-bad") == 0)
        return o->skip_bad = true, 0;
    if (strcmp(a, "--base-url") == 0 && v)
        o->base_url = v;
    else if (strcmp(a, "--parquet") == 0 && v)
        o->parquet_url = v;
    else if (strcmp(a, "--state-dir") == 0 && v)
        o->state_dir = v;
    else if (strcmp(a, "--limit") == 0 && v)
        good = cli_parse_u64(v, &o->limit) && o->limit > 0;
    else if (strcmp(a, "--page-size") == 0 && v)
        good = cli_parse_u64(v, &n) && n > 0 && n <= 100000 && (o->page_size = (uint32_t)n);
    else if (strcmp(a, "--retries") == 0 && v)
        good = cli_parse_u64(v, &n) && n <= 100 && ((o->max_retries = (int)n), true);
    else if (strcmp(a, "--backoff") == 0 && v)
        good = cli_parse_double(v, &d) && d >= 0 && d <= 600 && ((o->backoff = d), true);
    else if (strcmp(a, "--date") == 0 && v)
        good = (o->date_given = cli_parse_date(v, &o->date));
    else
        valued = false;
    if (valued && good) {
        (*i)++;
        return 0;
    }
    if (valued && !v)
        return cli_usage("pull", "%s needs a value", a);
    if (valued)
        return cli_usage("pull", "bad value: %s %s", a, v);
    return cli_usage("pull", "unknown option: %s", a);
}

int cmd_pull(cli_ctx *ctx)
{
    omen_pull_options o = {.base_url = "https://huggingface.co",
                           .max_retries = -1,
                           .notify = on_retry,
                           .notify_ctx = ctx,
                           .progress = cli_progress,
                           .progress_ctx = ctx};
    for (int i = 1; i < ctx->argc; i++) {
        if (cli_is_help(ctx->argv[i])) {
            fputs(help, stdout);
            return 0;
        }
        int rc = option(ctx, &o, &i);
        if (rc)
            return rc;
    }
    char base[2048];
    snprintf(base, sizeof base, "%s", o.base_url);
    for (size_t n = strlen(base); n && base[n - 1] == '/'; n--)
        base[n - 1] = 0;
    o.base_url = base;
    omen_error err = {0};
    omen_store *st = NULL;
    omen_pull_report rep = {0};
    struct stat sb;
    bool existed = stat(ctx->db, &sb) == 0;
    omen_status s = omen_store_open(ctx->db, OMEN_STORE_WRITE | OMEN_STORE_CREATE, &st, &err);
    if (s == OMEN_OK)
        s = omen_pull(st, ctx->db, &o, &rep, &err);
    cli_progress_done();
    int rc = s == OMEN_OK ? 0 : cli_fail(&err, s);
    if (s == OMEN_OK)
        report(ctx, &rep);
    omen_pull_report_free(&rep);
    omen_error_clear(&err);
    omen_store_close(st);
    if (s == OMEN_OK)
        cli_refresh_panel(ctx, false);
    if (s != OMEN_OK && !existed)
        unlink(ctx->db);
    return rc;
}
