/* report.h: the entry point of `omen report` (report/), the static snapshot of the dashboard
 * for people who cannot run a server. It lives in the omen binary, not in libomen, and answers
 * its requests through the server's API without HTTP (omen/server.h). Ownership: options are
 * borrowed for the call; errors are filled as everywhere in omen.h (release with
 * omen_error_clear()). docs/http-api.md documents the behaviour. */
#ifndef OMEN_REPORT_H
#define OMEN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "omen/omen.h"

typedef struct {
    const char *db;       /* the store */
    const char *out_dir;  /* created if missing */
    const char *web_dir;  /* NULL: omen_server_default_web_dir() */
    const char *requests; /* the list of keys to precompute; NULL: <web_dir>/report-requests.txt */
} omen_report_options;

typedef struct {
    size_t requests, computed, skipped, assets, csv_files;
    bool fallback_html; /* web/index.html was missing: a plain page was written instead */
} omen_report_summary;

/* Writes <out_dir>/index.html (the dashboard with OMEN_INLINE data and its scripts and styles
 * inlined), <out_dir>/csv/<key>.csv for every API request, and <out_dir>/summary.md. */
omen_status omen_report_write(const omen_report_options *opt, omen_report_summary *summary,
                              omen_error *err);

#endif
