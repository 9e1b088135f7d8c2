/* cli.h: what the command files of the `omen` binary share: global options, output format,
 * error reporting and the terminal progress bar. Only cli/ prints and exits. */
#ifndef OMEN_CLI_H
#define OMEN_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "omen/omen.h"

typedef enum { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON, FORMAT_ATOM } cli_format; /* atom: alerts */

typedef struct {
    const char *db;
    cli_format format;
    bool quiet;
    int argc; /* the command's own arguments, argv[0] = command name */
    char **argv;
} cli_ctx;

/* Each command returns the process exit code. */
int cmd_ingest(cli_ctx *ctx);
/* pull: the Hub listing (or a hub-stats Parquet URL) as today's snapshot */
int cmd_pull(cli_ctx *ctx);
int cmd_info(cli_ctx *ctx);
int cmd_synth(cli_ctx *ctx);
int cmd_serve(cli_ctx *ctx);
int cmd_report(cli_ctx *ctx);
int cmd_annotate(cli_ctx *ctx);
/* every analysis of the registry (omen_analysis_at) that has no command of its own */
int cmd_analysis(cli_ctx *ctx);
/* The usage error for an option that is not in the options table, with the nearest name. */
int cli_unknown_option(const char *cmd, const char *name);
/* sizes estimate [--apply], sizes distribution */
int cmd_sizes(cli_ctx *ctx);

/* After a command wrote the store: leaves the panel cache current (built now when the store
 * changed), unless no_cache; a cache that cannot be written is only a warning. */
void cli_refresh_panel(cli_ctx *ctx, bool no_cache);
/* Prints `omen: <message>` (every line of it) to stderr and returns the exit code. */
int cli_fail(const omen_error *err, omen_status status);
/* Prints a usage error and the hint to use --help; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool cli_is_help(const char *arg);
/* The progress callback for library calls: a bar on stderr when it is a terminal. */
void cli_progress(void *ctx, const char *what, uint64_t done, uint64_t total);
void cli_progress_done(void);
/* Parses a whole decimal number or a float; false on junk. */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_parse_double(const char *s, double *out);
/* Parses a date YYYY-MM-DD (exactly so, a real day of 1970..2199) into days since 1970-01-01;
 * false, with *out unchanged, on anything else. */
bool cli_parse_date(const char *s, int32_t *out);
/* For a typo: the name among names[0..n) closest to word by Damerau-Levenshtein distance
 * (adjacent swaps count 1) when it is close enough to be one (at most 2 edits, fewer than half
 * the word's length), else NULL. */
const char *cli_suggest(const char *word, const char *const *names, size_t n);
/* The same over the words of a list such as an error's "allowed: a, b, or c (d, e)". */
const char *cli_suggest_in(const char *word, const char *list, char *buf, size_t cap);
/* Writes s as a JSON string literal (omen_json_quote). */
void cli_json_string(FILE *out, const char *s);

#endif
