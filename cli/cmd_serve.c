/* cmd_serve.c: `omen serve`: the dashboard and the JSON/CSV API over HTTP (server/server.c,
 * docs/http-api.md); --open starts the desktop's browser once the server listens. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "omen/server.h"

extern char **environ;

static const char help[] =
    "usage: omen serve [--host ADDR] [--port N] [--web DIR] [--open] [options]\n"
    "\n"
    "Serves the dashboard (the web folder) and the HTTP API: GET /api/meta and /api/<analysis>\n"
    "for every analysis command, with query parameters named like the command's options\n"
    "(/api/concentration?level=country&window=year); JSON, or CSV with ?format=csv or\n"
    "Accept: text/csv. A new ingest into the store is picked up without a restart.\n"
    "Stops cleanly on Ctrl-C (SIGINT) or SIGTERM. One log line per request on stderr.\n"
    "\n"
    "Options:\n"
    "  --host ADDR         address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)\n"
    "  --port N            TCP port (default 8080; 0 picks a free one)\n"
    "  --web DIR           the dashboard folder (default: $OMEN_WEB, the installed\n"
    "                      share/omen/web, web/ beside the build folder, else ./web)\n"
    "  --open              open the dashboard in the browser (xdg-open) once listening\n"
    "  --threads N         request threads (default twice the CPUs, 2 to 16)\n"
    "  --max-connections N concurrent connections (default 256); when full, a new one\n"
    "                      replaces the one that has waited longest for a request head\n"
    "  --max-per-ip N      concurrent connections from one client address (default 128)\n"
    "  --header-timeout S  seconds a connection may take to send a request's head, from\n"
    "                      its opening or the end of the previous answer (default 10)\n"
    "  --timeout S         seconds an idle connection is kept (default 30)\n"
    "  --cache-mb N        result cache per panel in MiB (default 64)\n"
    "  --max-answer-mb N   largest API answer in MiB (default 32); larger ones get 413\n"
    "  --computations N    uncached answers computed at once (default: the CPUs); the\n"
    "                      others wait, so memory stays bounded under load\n"
    "  --allow-host NAME   also answer requests whose Host header is NAME (repeatable;\n"
    "                      '*' for any). By default only localhost, IP addresses and the\n"
    "                      --host name are answered (421 otherwise): a guard against DNS\n"
    "                      rebinding. Needed behind a reverse proxy that keeps the Host\n"
    "                      header, or to reach the server by a DNS name\n"
    "\n"
    "Details: docs/http-api.md.\n";

typedef struct {
    bool open;
    bool quiet;
} ready_ctx;

static void on_ready(const char *url, void *p)
{
    ready_ctx *r = p;
    printf("omen serve: listening on %s (Ctrl-C to stop)\n", url);
    fflush(stdout);
    if (!r->open)
        return;
    char prog[] = "xdg-open", arg[512];
    snprintf(arg, sizeof arg, "%s", url);
    char *argv[] = {prog, arg, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
        fprintf(stderr, "omen serve: --open: xdg-open is not available; open %s\n", url);
}

static bool num(const char *s, uint64_t max, uint64_t *out)
{
    return cli_parse_u64(s, out) && *out <= max;
}

static int parse(cli_ctx *ctx, omen_server_options *o, ready_ctx *r, const char **hosts)
{
    for (int i = 1; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        const char *v = i + 1 < ctx->argc ? ctx->argv[i + 1] : NULL;
        uint64_t n;
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return -1;
        } else if (strcmp(a, "--open") == 0) {
            r->open = true;
            continue;
        } else if (!v) {
            return cli_usage("serve", "unknown option or missing value: '%s'", a);
        } else if (strcmp(a, "--host") == 0) {
            o->host = v;
        } else if (strcmp(a, "--allow-host") == 0 && *v) {
            hosts[o->n_allow_hosts++] = v; /* at most argc of them */
        } else if (strcmp(a, "--web") == 0) {
            o->web_dir = v;
        } else if (strcmp(a, "--port") == 0 && num(v, 65535, &n)) {
            o->port = (int)n;
        } else if (strcmp(a, "--threads") == 0 && num(v, 64, &n) && n > 0) {
            o->threads = (unsigned)n;
        } else if (strcmp(a, "--max-connections") == 0 && num(v, 100000, &n) && n > 0) {
            o->max_conns = (unsigned)n;
        } else if (strcmp(a, "--timeout") == 0 && num(v, 86400, &n) && n > 0) {
            o->timeout_s = (unsigned)n;
        } else if (strcmp(a, "--cache-mb") == 0 && num(v, 1 << 20, &n)) {
            o->cache_bytes = (size_t)n << 20;
        } else if (strcmp(a, "--max-per-ip") == 0 && num(v, 100000, &n) && n > 0) {
            o->per_ip_conns = (unsigned)n;
        } else if (strcmp(a, "--header-timeout") == 0 && num(v, 86400, &n) && n > 0) {
            o->header_timeout_s = (unsigned)n;
        } else if (strcmp(a, "--max-answer-mb") == 0 && num(v, 1 << 20, &n) && n > 0) {
            o->max_answer = (size_t)n << 20;
        } else if (strcmp(a, "--computations") == 0 && num(v, 64, &n) && n > 0) {
            o->computations = (unsigned)n;
        } else {
            return cli_usage("serve", "bad option or value: '%s %s'", a, v);
        }
        i++;
    }
    return 0;
}

int cmd_serve(cli_ctx *ctx)
{
    omen_server_options o;
    omen_server_defaults(&o);
    ready_ctx r = {.quiet = ctx->quiet};
    const char **hosts = calloc((size_t)ctx->argc + 1, sizeof *hosts);
    if (!hosts)
        abort();
    o.allow_hosts = hosts;
    int rc = parse(ctx, &o, &r, hosts);
    if (rc) {
        free(hosts);
        return rc < 0 ? 0 : rc;
    }
    o.db = ctx->db;
    o.log = ctx->quiet ? NULL : stderr;
    o.ready = on_ready;
    o.ready_ctx = &r;
    omen_error err = {0};
    omen_status s = omen_server_run(&o, &err);
    rc = s == OMEN_OK ? 0 : cli_fail(&err, s);
    omen_error_clear(&err);
    free(hosts);
    return rc;
}
