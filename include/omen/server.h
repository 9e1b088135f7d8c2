/* server.h: the entry points of `omen serve` (the HTTP API and the dashboard, server/), and the
 * API without HTTP that `omen report` (report/, omen/report.h) answers its requests with, so
 * that a report holds the bytes the server would send. They live in the omen binary, not in
 * libomen. Ownership: options are borrowed for the call; what a function hands back belongs
 * to the caller as in omen.h; errors are filled as everywhere in omen.h (release with
 * omen_error_clear()). docs/http-api.md documents the behaviour. */
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

/* ---------------------------------------------------------------- the API without HTTP */

/* A store's panel loaded as `omen serve` answers from it. */
typedef struct omen_api omen_api;

/* Loads the store's panel (from its cache beside the store, as omen_panel_load does). The
 * caller closes *out with omen_api_close(). */
omen_status omen_api_open(const char *db, omen_api **out, omen_error *err);
void omen_api_close(omen_api *api);
/* The store version of the server's ETags and /api/meta ("g12-1a2b3c4d"); owned by api. */
const char *omen_api_version(const omen_api *api);
/* The panel's info table (omen_info_table without the store: developer_rows and store NULL),
 * whose facts /api/meta sends; owned by api. */
const omen_table *omen_api_info(const omen_api *api);
/* The canonical key of a request target "/api/<name>?<query>" (the key the web app and the
 * report name answers by; tests/http/canonical_keys.txt). A heap string the caller frees. */
char *omen_api_key(const char *target);
/* Answers GET target ("/api/meta", "/api/<analysis>?<query>") as the server does, in fmt
 * (JSON or CSV: the ?format= parameter is not read). Returns the HTTP status, 200 or the
 * error's (400, 404, 500, with the error JSON as body); *body is a heap string the caller
 * frees, *len its length. */
int omen_api_get(const omen_api *api, const char *target, omen_format fmt, char **body,
                 size_t *len);
/* The result table of GET target, an analysis run with the target's parameters as the server
 * applies them; NULL where the server answers with an error (omen_api_get says which). The
 * caller frees it. */
omen_table *omen_api_table(const omen_api *api, const char *target);
/* Checks a raw (still percent-encoded) URL path of a static file as the server does and
 * writes the decoded path relative to the web folder into out ("" for the root): false for
 * anything that could leave the folder or name a hidden file (no leading '/', backslashes,
 * encoded '/' or '\\', NUL or control bytes, empty, "." or ".." segments or segments starting
 * with '.') and for paths longer than cap - 1. */
bool omen_server_web_path(const char *raw, size_t len, char *out, size_t cap);

#endif
