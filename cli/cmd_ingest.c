/* cmd_ingest.c: `omen ingest SOURCE FILE...`. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "usage: omen ingest SOURCE [options] FILE...\n"
    "       omen ingest snapshot [options] DIR\n"
    "\n"
    "Loads files into the store in one transaction. Every file is validated whole first: on\n"
    "any bad row nothing is written, the first errors are listed as file:line: reason, and\n"
    "the exit code is 3. Re-ingesting the same rows changes nothing.\n"
    "\n"
    "Sources:\n"
    "  downloads     CSV model,week,downloads (aliases: model_id/id, date/time, count,\n"
    "                downloads_all_time); week = the Monday of the date's ISO week\n"
    "  models        CSV or JSON Lines of model metadata: model, developer, created,\n"
    "                base_models, relation, pipeline_tag, library, license, gated, params,\n"
    "                params_source, file_bytes, languages, tags (Hub API keys accepted)\n"
    "  developers    CSV developer,country,org_type[,name]\n"
    "  edges         CSV parent,child,relation\n"
    "  annotations   CSV model,field,value[,source] validated against the taxonomy\n"
    "  events        raw download events, CSV model,user,timestamp or JSON Lines (plain or\n"
    "                gzip; timestamp ISO 8601, no zone = UTC, or epoch seconds): one download\n"
    "                per user, model and UTC day, summed per ISO week; streamed with bounded\n"
    "                memory (larger logs spill sorted runs to disk)\n"
    "  evolution     the paper's released dataset (CSV or Parquet): model, time,\n"
    "                downloadsAllTime (cumulative: differenced into weekly flows), author,\n"
    "                created, org_type, org_country(_single), derived_author,\n"
    "                derived_org_country_single, merged_derived_from (edges),\n"
    "                merged_languages, merged_modality (annotations); lists may be Parquet\n"
    "                lists or text split on , ; or |\n"
    "  snapshot      one Hub listing at --date: JSON Lines of Hub API records (camelCase or\n"
    "                snake_case), CSV, or hub-stats models.parquet; a sequence of snapshots\n"
    "                becomes weekly flows by differencing downloadsAllTime (never by adding\n"
    "                the 30-day downloads); tags base_model:<relation>:<id> become edges,\n"
    "                license:<id> the license, safetensors.total the parameter count.\n"
    "                Or one DIR of dated listings, each date from its path:\n"
    "                DIR/models/<YYYY-MM-DD>/models.parquet (hfmlsoc/hub_weekly_snapshots)\n"
    "                or DIR/<YYYY-MM-DD>.parquet|.jsonl|.csv: ingested in date order in one\n"
    "                transaction, dates already in the store skipped, a listing that is a\n"
    "                stale copy of the one before found and its week's downloads shared\n"
    "\n"
    "Any source also reads Parquet (detected by its magic bytes) when omen was built with\n"
    "libduckdb (`omen --version` says); errors then say file:row N.\n"
    "\n"
    "Options:\n"
    "  --kind K            downloads: weekly, cumulative or auto (default auto: cumulative\n"
    "                      when every model's series never decreases)\n"
    "  --baseline-first    cumulative: the first observation is a baseline, not a flow\n"
    "                      (default: the first observation's flow is its value)\n"
    "  --count-column C    downloads: read counts from column C\n"
    "  --skip-bad          write the good rows, record the rejected ones in `ingests`\n"
    "  --strict-labels     a metadata value outside omen's vocabularies (org type, country,\n"
    "                      relation, gated, license, modality, taxonomy label) rejects its\n"
    "                      row; by default it is kept as given and listed on stderr and in\n"
    "                      the ingests table as field=value: count (docs/methodology.md)\n"
    "  --max-errors N      list at most N errors (default 20)\n"
    "  --memory SIZE       events: memory for deduplication before spilling, e.g. 512M, 2G\n"
    "                      (default 1G)\n"
    "  --tmp DIR           events: where spilled runs go (default $TMPDIR or /tmp)\n"
    "  --date YYYY-MM-DD   snapshot: the date of the listing (required for a file)\n"
    "  --pg CONNINFO       downloads: read from PostgreSQL instead of files (libpq connection\n"
    "                      string, e.g. 'host=db dbname=hub'); needs --query\n"
    "  --query SQL         with --pg: a query giving model, week, downloads\n";

/* "512M", "2G", "1048576", "64k" -> bytes; false on junk or below 1 MiB. */
static bool parse_size(const char *v, uint64_t *out)
{
    char *end;
    double x = strtod(v, &end);
    uint64_t mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1ull << 10;
    else if (*end == 'm' || *end == 'M')
        mult = 1ull << 20;
    else if (*end == 'g' || *end == 'G')
        mult = 1ull << 30;
    if (mult > 1)
        end++;
    if (*end == 'i' || *end == 'B')
        end += *end == 'i' && end[1] == 'B' ? 2 : 1;
    if (end == v || *end || !(x > 0) || x * (double)mult < (double)(1 << 20) ||
        x * (double)mult > 1e15)
        return false;
    *out = (uint64_t)(x * (double)mult);
    return true;
}

static int parse_kind(const char *v, omen_series_kind *k)
{
    if (strcmp(v, "weekly") == 0)
        *k = OMEN_KIND_WEEKLY;
    else if (strcmp(v, "cumulative") == 0)
        *k = OMEN_KIND_CUMULATIVE;
    else if (strcmp(v, "auto") == 0)
        *k = OMEN_KIND_AUTO;
    else
        return 0;
    return 1;
}

/* The name a PostgreSQL source goes by in messages and the ingests table: the connection
 * string without its password. */
static void pg_label(const char *conninfo, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "postgresql:");
    for (const char *p = conninfo; *p && n + 1 < size;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (e > p && strncmp(p, "password=", 9) != 0)
            n += (size_t)snprintf(out + n, size - n, "%s%.*s", n > 11 ? " " : "", (int)(e - p), p);
        p = e;
    }
}

static void print_report(const cli_ctx *ctx, const omen_ingest_options *opt,
                         const omen_ingest_report *rep)
{
    if (ctx->quiet)
        return;
    if (rep->notes)
        fputs(rep->notes, stderr);
    /* The values kept as given, one "unmapped: field=value: count" line each; a long list is
     * cut here (the ingests table has all of it). */
    size_t shown = 0;
    for (const char *p = rep->unmapped; p && *p; shown++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (shown == 30) {
            size_t more = 1; /* lines are separated by newlines, the last has none */
            for (; *p; p++)
                more += *p == '\n';
            fprintf(stderr, "unmapped: ... and %zu more lines (SELECT unmapped FROM ingests)\n",
                    more);
            break;
        }
        fprintf(stderr, "unmapped: %.*s\n", (int)len, p);
        p += len + (nl != NULL);
    }
    fprintf(stderr, "ingested %llu rows (%llu rejected) from %.1f MB; %llu rows changed in %s",
            (unsigned long long)rep->rows_read, (unsigned long long)rep->rows_rejected,
            (double)rep->bytes_read / 1e6, (unsigned long long)rep->rows_written, ctx->db);
    if (opt->source == OMEN_SOURCE_DOWNLOADS || opt->source == OMEN_SOURCE_EVENTS ||
        opt->source == OMEN_SOURCE_EVOLUTION || opt->source == OMEN_SOURCE_SNAPSHOT)
        fprintf(stderr, "; %s series",
                rep->kind_used == OMEN_KIND_CUMULATIVE ? "cumulative" : "weekly");
    if (rep->decreases_clipped)
        fprintf(stderr, "; %llu decrease%s clipped to 0",
                (unsigned long long)rep->decreases_clipped, rep->decreases_clipped == 1 ? "" : "s");
    if (rep->snapshots_ingested || rep->snapshots_skipped)
        fprintf(stderr, "; %llu snapshot dates ingested, %llu already there, %llu stale",
                (unsigned long long)rep->snapshots_ingested,
                (unsigned long long)rep->snapshots_skipped,
                (unsigned long long)rep->stale_snapshots);
    fputc('\n', stderr);
}

int cmd_ingest(cli_ctx *ctx)
{
    omen_ingest_options opt = {0};
    opt.kind = OMEN_KIND_AUTO;
    opt.progress = cli_progress;
    opt.progress_ctx = ctx;
    const char **files = calloc((size_t)ctx->argc, sizeof *files);
    size_t nfiles = 0;
    const char *source = NULL;
    for (int i = 1; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        const char *v = i + 1 < ctx->argc ? ctx->argv[i + 1] : NULL;
        uint64_t n;
        if (cli_is_help(a)) {
            fputs(help, stdout);
            free(files);
            return 0;
        } else if (strcmp(a, "--kind") == 0 && v && parse_kind(v, &opt.kind)) {
            i++;
        } else if (strcmp(a, "--count-column") == 0 && v) {
            opt.count_column = v;
            i++;
        } else if (strcmp(a, "--max-errors") == 0 && v && cli_parse_u64(v, &n) && n > 0 &&
                   n < 100000) {
            opt.max_errors = (int)n;
            i++;
        } else if (strcmp(a, "--memory") == 0 && v && parse_size(v, &opt.memory_limit)) {
            i++;
        } else if (strcmp(a, "--pg") == 0 && v) {
            opt.pg_conninfo = v;
            i++;
        } else if (strcmp(a, "--query") == 0 && v) {
            opt.pg_query = v;
            i++;
        } else if (strcmp(a, "--date") == 0 && v && cli_parse_date(v, &opt.date)) {
            opt.date_given = true;
            i++;
        } else if (strcmp(a, "--tmp") == 0 && v) {
            opt.tmp_dir = v;
            i++;
        } else if (strcmp(a, "--baseline-first") == 0) {
            opt.baseline_first = true;
        } else if (strcmp(a, "--skip-bad") == 0) {
            opt.skip_bad = true;
        } else if (strcmp(a, "--strict-labels") == 0) {
            opt.strict_labels = true;
        } else if (a[0] == '-' && a[1]) {
            /* Name the value only for the options that take one. */
            bool valued = strcmp(a, "--kind") == 0 || strcmp(a, "--count-column") == 0 ||
                          strcmp(a, "--max-errors") == 0 || strcmp(a, "--memory") == 0 ||
                          strcmp(a, "--tmp") == 0 || strcmp(a, "--pg") == 0 ||
                          strcmp(a, "--query") == 0 || strcmp(a, "--date") == 0;
            free(files);
            if (valued && !v)
                return cli_usage("ingest", "%s needs a value", a);
            return cli_usage("ingest", "%s: %s%s%s", valued ? "bad value" : "unknown option", a,
                             valued ? " " : "", valued ? v : "");
        } else if (!source) {
            source = a;
        } else {
            files[nfiles++] = a;
        }
    }
    if (!source || !omen_source_parse(source, &opt.source)) {
        free(files);
        return cli_usage("ingest",
                         "SOURCE must be downloads, models, developers, edges, "
                         "annotations, events, evolution or snapshot%s%s",
                         source ? ", not " : "", source ? source : "");
    }
    char label[600];
    if ((opt.pg_conninfo != NULL) != (opt.pg_query != NULL) ||
        (opt.pg_conninfo && (opt.source != OMEN_SOURCE_DOWNLOADS || nfiles))) {
        free(files);
        return cli_usage("ingest", "--pg and --query go together, with the downloads source and "
                                   "no files");
    }
    if (opt.pg_conninfo) {
        pg_label(opt.pg_conninfo, label, sizeof label);
        files[nfiles++] = label;
    }
    if (nfiles == 0) {
        free(files);
        return cli_usage("ingest", "no files given");
    }
    omen_error err = {0};
    omen_store *st = NULL;
    omen_ingest_report rep = {0};
    /* Opening creates the store; a failed first ingest removes it again, so that bad data
     * leaves no file behind (with an existing store, nothing was written to it). */
    struct stat sb;
    bool existed = stat(ctx->db, &sb) == 0;
    omen_status s = omen_store_open(ctx->db, OMEN_STORE_WRITE | OMEN_STORE_CREATE, &st, &err);
    if (s == OMEN_OK)
        s = omen_ingest_files(st, &opt, files, nfiles, &rep, &err);
    cli_progress_done();
    int rc = s == OMEN_OK ? 0 : cli_fail(&err, s);
    if (s == OMEN_OK)
        print_report(ctx, &opt, &rep);
    omen_ingest_report_free(&rep);
    omen_error_clear(&err);
    omen_store_close(st);
    if (s == OMEN_OK)
        cli_refresh_panel(ctx, false);
    if (s != OMEN_OK && !existed)
        unlink(ctx->db);
    free(files);
    return rc;
}
