/* server.h: the entry points of `omen serve` (the HTTP API and the dashboard, server/server.c)
 * and `omen report` (the static snapshot, server/report.c). Both live in the omen binary, not
 * in libomen. Ownership: options are borrowed for the call; errors are filled as everywhere in
 * omen.h (release with omen_error_clear()). docs/http-api.md documents the behaviour. */
#ifndef OMEN_SERVER_H
#define OMEN_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "omen/omen.h"

typedef struct {
    const char *db;            /* the store */
    const char *host;          /* address to bind (default "127.0.0.1") */
    int port;                  /* default 8080; 0 picks a free port (tests) */
    const char *web_dir;       /* the dashboard's folder; NULL: omen_server_default_web_dir() */
    unsigned threads;          /* MHD thread pool size; 0 = the number of online CPUs */
    unsigned max_conns;        /* concurrent connections (default 256) */
    unsigned timeout_s;        /* idle seconds before a connection is closed (default 30) */
    size_t max_url;            /* longest request target accepted (default 4096; else 414) */
    size_t memory_limit;       /* per-connection memory for the request head (default 32 KiB) */
    size_t cache_bytes;        /* result cache budget per panel (default 64 MiB) */
    unsigned per_ip_conns;     /* concurrent connections per client address (default 128) */
    unsigned header_timeout_s; /* seconds to send a request head (default 10) */
    size_t max_answer;         /* largest API answer built, in bytes (default 32 MiB; else 413) */
    unsigned computations;     /* uncached answers computed at once (0 = the number of CPUs) */
    const char *const *allow_hosts; /* extra Host names answered (borrowed; "*" = any) */
    size_t n_allow_hosts;
    FILE *log;                                 /* one line per request; NULL = no log */
    void (*ready)(const char *url, void *ctx); /* called once listening (may be NULL) */
    void *ready_ctx;
} omen_server_options;

/* Fills the documented defaults (db, web_dir and log stay NULL). */
void omen_server_defaults(omen_server_options *opt);

/* Loads the panel, listens, and serves until SIGINT or SIGTERM arrives (then stops accepting,
 * finishes the requests in flight and returns OMEN_OK). The calling thread must not block
 * SIGINT/SIGTERM handling elsewhere: the function blocks both signals in every thread it
 * starts and waits for them itself. */
omen_status omen_server_run(const omen_server_options *opt, omen_error *err);

/* The web folder to serve when none is given: $OMEN_WEB, else <prefix>/share/omen/web next to
 * the binary's bin/, else web/ beside the binary's folder (a build tree), else ./web.
 * Returns a heap string the caller frees. */
char *omen_server_default_web_dir(void);

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
