/* cmd_synth.c: `omen synth`: the calibrated synthetic panel, into the store or as CSVs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: omen synth [--scale X] [--seed N] [--out DIR]\n"
    "\n"
    "Generates the calibrated synthetic panel (docs/synthetic.md): at full scale about 1.2\n"
    "million models (1,217,143 with seed 1) over 265 weeks from 2020-06-01 with about 2.2\n"
    "billion downloads, invented\n"
    "developer names with real country codes, calibrated to the paper's published figures.\n"
    "Everything built on it is marked synthetic. Deterministic for a seed and scale.\n"
    "\n"
    "Options:\n"
    "  --scale X   fraction of the full scale (default 1.0; 0.1 for a tenth)\n"
    "  --seed N    random seed (default 1)\n"
    "  --out DIR   write downloads.csv, models.csv, developers.csv, edges.csv and\n"
    "              annotations.csv into DIR instead of the store\n";

int cmd_synth(cli_ctx *ctx)
{
    omen_synth_options opt = {
        .scale = 1.0, .seed = 1, .progress = cli_progress, .progress_ctx = ctx};
    const char *out = NULL;
    for (int i = 1; i < ctx->argc; i++) {
        const char *a = ctx->argv[i], *v = i + 1 < ctx->argc ? ctx->argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(a, "--scale") == 0 && v && cli_parse_double(v, &opt.scale) &&
                   opt.scale > 0 && opt.scale <= 4) {
            i++;
        } else if (strcmp(a, "--seed") == 0 && v && cli_parse_u64(v, &opt.seed)) {
            i++;
        } else if (strcmp(a, "--out") == 0 && v) {
            out = v;
            i++;
        } else {
            return cli_usage("synth",
                             "unknown option or bad value: %s (--scale takes a number "
                             "in (0, 4], --seed a whole number)",
                             a);
        }
    }
    omen_error err = {0};
    omen_synth_report rep = {0};
    omen_store *st = NULL;
    omen_status s;
    if (out) {
        s = omen_synth_to_csv(out, &opt, &rep, &err);
    } else {
        s = omen_store_open(ctx->db, OMEN_STORE_WRITE | OMEN_STORE_CREATE, &st, &err);
        if (s == OMEN_OK)
            s = omen_synth_to_store(st, &opt, &rep, &err);
    }
    cli_progress_done();
    int rc = s == OMEN_OK ? 0 : cli_fail(&err, s);
    if (s == OMEN_OK && !ctx->quiet) {
        char first[11], last[11];
        omen_date_format(rep.first_week, first);
        omen_date_format(rep.last_week, last);
        fprintf(stderr,
                "synthetic panel (scale %g, seed %llu): %llu models, %llu developers, %llu "
                "edges, %llu annotations, %llu weekly rows, %llu downloads, %s .. %s -> %s\n",
                opt.scale, (unsigned long long)opt.seed, (unsigned long long)rep.models,
                (unsigned long long)rep.developers, (unsigned long long)rep.edges,
                (unsigned long long)rep.annotations, (unsigned long long)rep.download_rows,
                (unsigned long long)rep.downloads, first, last, out ? out : ctx->db);
    }
    omen_store_close(st);
    if (s == OMEN_OK && !out)
        cli_refresh_panel(ctx, false);
    omen_error_clear(&err);
    return rc;
}
