/* api.h: running one API request through the analysis registry, and the /api/meta document;
 * used by the server (server.c) and, through omen_api_* (include/omen/server.h), by the report
 * (report/). */
#ifndef OMEN_SERVER_API_H
#define OMEN_SERVER_API_H

#include "omen/omen.h"
#include "request.h"

/* A response body: status 200, 400, 404 or 500; body is heap-owned (free). Errors are always
 * JSON {"error", "parameter", "allowed"}. */
typedef struct {
    int status;
    char *body;
    size_t len;
    bool json;
} sv_api_result;

/* Appends s as a JSON string literal through libomen's one escaper (omen_json_quote), with
 * "</" written "<\/" so that it can also sit inside the report's <script>. */
void sv_buf_json(sv_buf *b, const char *s);
/* Picks the output format from ?format= (json, csv) or, when absent, accept_csv. Returns false
 * (and fills r with a 400) for another value. */
bool sv_api_format(const sv_params *ps, bool accept_csv, omen_format *fmt, sv_api_result *r);
/* Applies every parameter (except "format") with omen_query_set, as the CLI applies options
 * (flags take an empty value, "true" or "false"), runs the analysis and fills r. */
void sv_api_run(const omen_panel *panel, const omen_analysis *a, const sv_params *ps,
                omen_format fmt, sv_api_result *r);
/* A 404 naming the endpoints. */
void sv_api_not_found(sv_api_result *r, const char *path);
/* The /api/meta JSON for a panel's info table (omen_info_table) and store version (heap). */
char *sv_meta_json(const omen_table *info, const char *version, size_t *len);
/* The integer (or date, or boolean) of column `name` of the one-row info table; 0 for NULL. */
int64_t sv_info_int(const omen_table *info, const char *name);

#endif
