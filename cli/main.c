/* main.c: the `omen` command line: global options, command dispatch and exit codes
 * (0 ok, 1 runtime error, 2 usage error, 3 bad input data). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_head[] =
    "usage: omen [--db PATH] [--format table|csv|json] [--quiet] COMMAND [options]\n"
    "\n"
    "Traces power and participation in the open model economy: a weekly panel of Hugging Face\n"
    "model downloads joined with model metadata (the paper \"Economies of Open Intelligence\").\n"
    "\n"
    "Commands:\n";

static const char usage_tail[] =
    "\n"
    "Global options (before or after the command):\n"
    "  --db PATH       the store (default: $OMEN_DB, else ./omen.db)\n"
    "  --format F      table (default on a terminal), csv (default otherwise) or json;\n"
    "                  atom: an Atom feed of `omen alerts`\n"
    "  --quiet         no progress bar or notes on stderr\n"
    "  --version       print the version\n"
    "\n"
    "`omen COMMAND --help` documents each command. Exit codes: 0 ok, 1 runtime error,\n"
    "2 usage error, 3 bad input data.\n";

int cli_fail(const omen_error *err, omen_status status)
{
    cli_progress_done();
    const char *msg = err && err->message ? err->message : "unknown error";
    fprintf(stderr, "omen: %s",
            status == OMEN_BAD_DATA ? "bad input data, nothing written:\n" : "");
    if (status == OMEN_BAD_DATA)
        fprintf(stderr, "%s\n", msg);
    else
        fprintf(stderr, "%s\n", msg);
    return (int)status;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "omen%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `omen %s%s--help`)\n", cmd ? cmd : "", cmd ? " " : "");
    return OMEN_USAGE;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped: names
 * are short, so a fixed row is enough; longer words are "far". */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= MAX || lb >= MAX)
        return MAX;
    size_t d[MAX + 1][MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

const char *cli_suggest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3, len = word ? strlen(word) : 0;
    for (size_t i = 0; word && i < n; i++) {
        size_t dist = edit_distance(word, names[i]);
        if (dist > 0 && dist < best_d && 2 * dist < len) {
            best = names[i];
            best_d = dist;
        }
    }
    return best;
}

const char *cli_suggest_in(const char *word, const char *list, char *buf, size_t cap)
{
    /* the words of the list: runs of letters, digits, '_' and '-' */
    const char *names[128];
    static char words[4096];
    size_t n = 0, w = 0;
    for (const char *p = list; p && *p && n < 128;) {
        size_t k = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
        if (k && w + k + 1 < sizeof words) {
            memcpy(words + w, p, k);
            words[w + k] = 0;
            names[n++] = words + w;
            w += k + 1;
        }
        p += k ? k : 1;
    }
    const char *s = cli_suggest(word, names, n);
    if (!s || !cap)
        return NULL;
    snprintf(buf, cap, "%s", s);
    return buf;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool cli_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool cli_parse_date(const char *s, int32_t *out)
{
    int y, m, d, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] || n != 10 || m < 1 ||
        m > 12 || d < 1 || y < 1970 || y > 2199)
        return false;
    int32_t days = omen_date_days(y, m, d);
    char back[11];
    omen_date_format(days, back);
    if (strcmp(back, s) != 0)
        return false; /* 2025-02-30 */
    *out = days;
    return true;
}

static void file_put(void *ctx, const char *s, size_t n)
{
    fwrite(s, 1, n, ctx);
}

void cli_json_string(FILE *out, const char *s)
{
    omen_json_quote(s, OMEN_JSON_U_ESCAPES, file_put, out);
}

/* The commands that are not an analysis of the registry, in the order of `omen --help`; the
 * analyses are listed where `run` is NULL. `covers` names the analyses a command runs itself
 * (`omen sizes distribution` is the registry's "sizes"), which the list then leaves out. */
static const struct {
    const char *name, *usage, *brief, *covers;
    int (*run)(cli_ctx *);
} commands[] = {
    {"ingest", "ingest SOURCE FILE...",
     "load downloads, models, developers, edges, annotations, events, evolution (the released "
     "dataset) or snapshot (a Hub listing)",
     NULL, cmd_ingest},
    {"pull", "pull", "fetch today's Hub listing and ingest it as a snapshot", NULL, cmd_pull},
    {"synth", "synth", "generate the calibrated synthetic panel", NULL, cmd_synth},
    {"info", "info", "what the store holds", NULL, cmd_info},
    {NULL, NULL, NULL, NULL, NULL},
    {"sizes", "sizes estimate|distribution",
     "parameter counts from file bytes (RANSAC); sizes per year", "sizes,sizes-estimate",
     cmd_sizes},
    {"annotate", "annotate", "annotation sheet, heuristic labels, agreement, taxonomy", NULL,
     cmd_annotate},
    {"serve", "serve", "the dashboard and the HTTP API (http://127.0.0.1:8080/)", NULL, cmd_serve},
    {"report", "report --out DIR", "the dashboard as one HTML file with the data, CSVs, summary",
     NULL, cmd_report},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* One line of the list, the text wrapped to 94 columns under its own indent. */
static void usage_line(FILE *out, const char *left, const char *text)
{
    enum { INDENT = 26, WIDTH = 94 };
    if (strlen(left) > 23)
        fprintf(out, "  %s\n%*s", left, INDENT, "");
    else
        fprintf(out, "  %-23s ", left);
    size_t col = INDENT;
    for (const char *p = text; *p;) {
        size_t w = strcspn(p, " ");
        if (col > INDENT && col + 1 + w > WIDTH) {
            fprintf(out, "\n%*s", INDENT, "");
            col = INDENT;
        } else if (col > INDENT) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", (int)w, p);
        col += w;
        p += w;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

static bool covered(const char *analysis)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *c = commands[i].covers;
        size_t n = strlen(analysis);
        for (const char *p = c; p && (p = strstr(p, analysis)) != NULL; p += n)
            if ((p == c || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
                return true;
    }
    return false;
}

/* `omen --help`: every command, the registry's analyses among them. */
static void print_usage(FILE *out)
{
    fputs(usage_head, out);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (commands[i].run) {
            usage_line(out, commands[i].usage, commands[i].brief);
            continue;
        }
        const omen_analysis *a;
        for (size_t k = 0; (a = omen_analysis_at(k)) != NULL; k++)
            if (!covered(a->name)) {
                char left[64];
                snprintf(left, sizeof left, "%s%s%s", a->name, a->args ? " " : "",
                         a->args ? a->args : "");
                usage_line(out, left, a->brief);
            }
    }
    fputs(usage_tail, out);
}

/* Takes the global options out of argv wherever they stand; what is left is the command. */
static int parse_globals(int argc, char **argv, cli_ctx *ctx)
{
    ctx->db = getenv("OMEN_DB") && *getenv("OMEN_DB") ? getenv("OMEN_DB") : "omen.db";
    ctx->format = isatty(STDOUT_FILENO) ? FORMAT_TABLE : FORMAT_CSV;
    ctx->argv = calloc((size_t)argc + 1, sizeof *ctx->argv);
    ctx->argc = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < argc)
                ctx->argv[ctx->argc++] = argv[i++];
            break;
        } else if (strcmp(a, "--db") == 0 || strcmp(a, "--format") == 0) {
            if (i + 1 >= argc)
                return cli_usage(NULL, "%s needs a value", a);
            const char *v = argv[++i];
            if (a[2] == 'd') {
                ctx->db = v;
            } else if (strcmp(v, "table") == 0) {
                ctx->format = FORMAT_TABLE;
            } else if (strcmp(v, "csv") == 0) {
                ctx->format = FORMAT_CSV;
            } else if (strcmp(v, "json") == 0) {
                ctx->format = FORMAT_JSON;
            } else if (strcmp(v, "atom") == 0) {
                ctx->format = FORMAT_ATOM;
            } else {
                return cli_usage(NULL, "--format must be table, csv, json or atom, not '%s'", v);
            }
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            ctx->quiet = true;
        } else {
            ctx->argv[ctx->argc++] = argv[i];
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    int rc = parse_globals(argc, argv, &ctx);
    if (rc == 0 &&
        (ctx.argc == 0 || cli_is_help(ctx.argv[0]) || strcmp(ctx.argv[0], "help") == 0)) {
        print_usage(ctx.argc == 0 ? stderr : stdout);
        rc = ctx.argc == 0 ? OMEN_USAGE : 0;
    } else if (rc == 0 && strcmp(ctx.argv[0], "--version") == 0) {
        printf("omen %s\n", OMEN_VERSION);
        printf("parquet: %s%s\n", omen_parquet_support() ? "libduckdb " : "",
               omen_parquet_support() ? omen_parquet_support()
                                      : "not built in (scripts/fetch-duckdb --retry, then make)");
    } else if (rc == 0 && ctx.format == FORMAT_ATOM && strcmp(ctx.argv[0], "alerts") != 0) {
        rc = cli_usage(NULL,
                       "--format atom is the feed of `omen alerts`; %s writes table, csv or "
                       "json",
                       ctx.argv[0]);
    } else if (rc == 0) {
        size_t i = 0, n = NCOMMANDS;
        while (i < n && (!commands[i].name || strcmp(commands[i].name, ctx.argv[0]) != 0))
            i++;
        if (i < n)
            rc = commands[i].run(&ctx);
        else if (omen_analysis_find(ctx.argv[0]))
            rc = cmd_analysis(&ctx);
        else {
            const char *known[64];
            size_t k = 0;
            for (size_t j = 0; j < n && k < 64; j++)
                if (commands[j].name)
                    known[k++] = commands[j].name;
            for (size_t j = 0; omen_analysis_at(j) && k < 64; j++)
                known[k++] = omen_analysis_at(j)->name;
            const char *hint = cli_suggest(ctx.argv[0], known, k);
            if (hint)
                rc = cli_usage(NULL, "unknown command '%s'; did you mean '%s'?", ctx.argv[0], hint);
            else
                rc = cli_usage(NULL, "unknown command '%s'", ctx.argv[0]);
        }
    }
    free(ctx.argv);
    return rc;
}
