/* cmd_report.c: `omen report --out DIR`: the static snapshot of the dashboard for people who
 * cannot run a server (report/report.c writes it). */
#include <string.h>

#include "cli.h"
#include "omen/report.h"

static const char help[] =
    "usage: omen report --out DIR [--web DIR] [--requests FILE]\n"
    "\n"
    "Writes a static snapshot of the dashboard:\n"
    "  DIR/index.html   the dashboard's own front end in one file that opens from disk, with\n"
    "                   its scripts and styles inlined and the data of every view in it\n"
    "  DIR/csv/*.csv    the CSV of every view (one per API request)\n"
    "  DIR/summary.md   the headline numbers: country and developer shares (all time, last\n"
    "                   year), concentration then and now, Table 1's significant rows\n"
    "\n"
    "Options:\n"
    "  --out DIR        the output folder (created if missing; files in it are replaced)\n"
    "  --web DIR        the dashboard folder (default as for `omen serve`)\n"
    "  --requests FILE  the requests to precompute, one canonical key a line (default:\n"
    "                   WEB/report-requests.txt, kept by the web app)\n";

int cmd_report(cli_ctx *ctx)
{
    omen_report_options o = {.db = ctx->db};
    for (int i = 1; i < ctx->argc; i++) {
        const char *a = ctx->argv[i];
        const char *v = i + 1 < ctx->argc ? ctx->argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        } else if (!v) {
            return cli_usage("report", "unknown option or missing value: '%s'", a);
        } else if (strcmp(a, "--out") == 0) {
            o.out_dir = v;
        } else if (strcmp(a, "--web") == 0) {
            o.web_dir = v;
        } else if (strcmp(a, "--requests") == 0) {
            o.requests = v;
        } else {
            return cli_usage("report", "unknown option '%s'", a);
        }
        i++;
    }
    if (!o.out_dir)
        return cli_usage("report", "--out DIR is required");
    omen_report_summary sum;
    omen_error err = {0};
    omen_status s = omen_report_write(&o, &sum, &err);
    if (s != OMEN_OK) {
        int rc = cli_fail(&err, s);
        omen_error_clear(&err);
        return rc;
    }
    if (!ctx->quiet)
        fprintf(stderr,
                "omen report: %s/index.html (%zu requests: %zu computed, %zu assets, %zu "
                "skipped%s), %zu CSV files, summary.md\n",
                o.out_dir, sum.requests, sum.computed, sum.assets, sum.skipped,
                sum.fallback_html ? "; no web/index.html: plain data page" : "", sum.csv_files);
    return 0;
}
