/* api.c: one API request (/api/<analysis> with decoded parameters) run through the analysis
 * registry exactly as the CLI runs it, and the /api/meta document. The server answers with
 * them, and the report (report/) through the omen_api_* functions at the end of this file, so
 * both produce the same bytes. */
#include "api.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "omen/server.h"

static void buf_put(void *ctx, const char *s, size_t n)
{
    sv_buf_put(ctx, s, n);
}

void sv_buf_json(sv_buf *b, const char *s)
{
    omen_json_quote(s, OMEN_JSON_SCRIPT | OMEN_JSON_U_ESCAPES, buf_put, b);
}

/* The parameters (the options table's names, then "format") that analysis `analysis` reads
 * (NULL: every one), comma-separated; JSON strings when json. */
static void option_names(sv_buf *b, const char *analysis, bool json)
{
    const omen_option *o;
    for (size_t i = 0; (o = omen_option_at(i)) != NULL; i++) {
        if (!omen_option_reads(o, analysis))
            continue;
        sv_buf_puts(b, b->len == 0 ? "" : json ? "," : ", ");
        if (json)
            sv_buf_json(b, o->name);
        else
            sv_buf_puts(b, o->name);
    }
    sv_buf_puts(b, json ? ",\"format\"" : ", format");
}

static void error_json(sv_api_result *r, int status, const char *msg, const char *param,
                       const char *allowed)
{
    sv_buf b = {0};
    sv_buf_puts(&b, "{\"error\":");
    sv_buf_json(&b, msg);
    sv_buf_puts(&b, ",\"parameter\":");
    if (param)
        sv_buf_json(&b, param);
    else
        sv_buf_puts(&b, "null");
    sv_buf_puts(&b, ",\"allowed\":");
    if (allowed)
        sv_buf_json(&b, allowed);
    else
        sv_buf_puts(&b, "null");
    sv_buf_puts(&b, "}\n");
    r->status = status;
    r->body = b.s;
    r->len = b.len;
    r->json = true;
}

/* omen_query_set's messages read "--NAME: 'V' is not valid; allowed: X". */
static void usage_error(sv_api_result *r, const char *msg, const char *param)
{
    const char *allowed = strstr(msg, "allowed: ");
    char name[64] = "";
    if (!param && strncmp(msg, "--", 2) == 0) {
        size_t n = strcspn(msg + 2, ": ");
        if (n < sizeof name) {
            memcpy(name, msg + 2, n);
            name[n] = 0;
            param = name;
        }
    }
    error_json(r, 400, msg, param, allowed ? allowed + 9 : NULL);
}

void sv_api_not_found(sv_api_result *r, const char *path)
{
    sv_buf b = {0}, names = {0};
    sv_buf_printf(&b, "no such API endpoint: %s", path);
    sv_buf_puts(&names, "meta");
    const omen_analysis *a;
    for (size_t i = 0; (a = omen_analysis_at(i)) != NULL; i++)
        sv_buf_printf(&names, ", %s", a->name);
    error_json(r, 404, b.s, NULL, names.s);
    free(b.s);
    free(names.s);
}

bool sv_api_format(const sv_params *ps, bool accept_csv, omen_format *fmt, sv_api_result *r)
{
    *fmt = accept_csv ? OMEN_FORMAT_CSV : OMEN_FORMAT_JSON;
    for (size_t i = 0; i < ps->n; i++) {
        if (strcmp(ps->p[i].key, "format") != 0)
            continue;
        if (strcmp(ps->p[i].value, "csv") == 0) {
            *fmt = OMEN_FORMAT_CSV;
        } else if (strcmp(ps->p[i].value, "json") == 0) {
            *fmt = OMEN_FORMAT_JSON;
        } else {
            error_json(r, 400, "format: not valid", "format", "json, csv");
            return false;
        }
    }
    return true;
}

static bool set_params(omen_query *q, const char *analysis, const sv_params *ps, sv_api_result *r)
{
    omen_error err = {0};
    for (size_t i = 0; i < ps->n; i++) {
        const sv_param *p = &ps->p[i];
        bool takes = false;
        if (strcmp(p->key, "format") == 0)
            continue;
        if (strlen(p->key) != p->klen || strlen(p->value) != p->vlen) {
            error_json(r, 400, "parameter contains a NUL byte", p->key, NULL);
            return false;
        }
        if (!omen_query_is_option(p->key, &takes)) {
            sv_buf b = {0}, names = {0};
            sv_buf_printf(&b, "unknown parameter '%s'", p->key);
            option_names(&names, NULL, false);
            error_json(r, 400, b.s, p->key, names.s);
            free(b.s);
            free(names.s);
            return false;
        }
        if (!omen_option_reads(omen_option_find(p->key), analysis)) {
            sv_buf names = {0};
            option_names(&names, analysis, false);
            omen_query_set_for(q, analysis, p->key, NULL, &err);
            error_json(r, 400, err.message, p->key, names.s);
            omen_error_clear(&err);
            free(names.s);
            return false;
        }
        const char *value = p->value;
        if (!takes) {
            if (strcmp(value, "false") == 0)
                continue;
            if (*value && strcmp(value, "true") != 0) {
                char msg[160];
                snprintf(msg, sizeof msg, "%.60s: a flag takes no value, true or false", p->key);
                error_json(r, 400, msg, p->key, "(empty), true, false");
                return false;
            }
            value = NULL;
        }
        if (omen_query_set_for(q, analysis, p->key, value, &err) != OMEN_OK) {
            usage_error(r, err.message ? err.message : "bad parameter", p->key);
            omen_error_clear(&err);
            return false;
        }
    }
    return true;
}

/* Runs analysis a with the request's parameters: true with the table in *out (the analysis's
 * own time in its meta, as the CLI adds it), else false with r holding the error answer. */
static bool run_table(const omen_panel *panel, const omen_analysis *a, const sv_params *ps,
                      omen_table **out, sv_api_result *r)
{
    omen_query q;
    omen_query_defaults(&q);
    if (!set_params(&q, a->name, ps, r))
        return false;
    omen_table *t = NULL;
    omen_error err = {0};
    double t0 = omen_now();
    omen_status s = a->run(panel, &q, &t, &err);
    double elapsed = omen_now() - t0;
    if (s == OMEN_OK)
        omen_table_meta_real(t, "elapsed_s", elapsed);
    else if (s == OMEN_USAGE || s == OMEN_BAD_DATA)
        usage_error(r, err.message ? err.message : "bad request", NULL);
    else
        error_json(r, 500, err.message ? err.message : "internal error", NULL, NULL);
    omen_error_clear(&err);
    if (s != OMEN_OK) {
        omen_table_free(t);
        return false;
    }
    *out = t;
    return true;
}

void sv_api_run(const omen_panel *panel, const omen_analysis *a, const sv_params *ps,
                omen_format fmt, sv_api_result *r)
{
    memset(r, 0, sizeof *r);
    omen_table *t = NULL;
    if (!run_table(panel, a, ps, &t, r))
        return;
    r->body = omen_table_to_string(t, fmt, &r->len);
    r->status = 200;
    r->json = fmt == OMEN_FORMAT_JSON;
    if (!r->body) /* a format the table cannot be written in (atom: alerts only) */
        error_json(r, 500, "the analysis' table cannot be written in this format", NULL, NULL);
    omen_table_free(t);
}

int64_t sv_info_int(const omen_table *info, const char *name)
{
    size_t c = omen_table_find(info, name);
    return c == (size_t)-1 ? 0 : omen_table_int(info, 0, c);
}

/* A date of the info table as a JSON string, or null. */
static void info_date(sv_buf *b, const omen_table *info, const char *name)
{
    size_t c = omen_table_find(info, name);
    if (c == (size_t)-1 || omen_table_is_null(info, 0, c)) {
        sv_buf_puts(b, "null");
        return;
    }
    char d[11];
    omen_date_format((int32_t)omen_table_int(info, 0, c), d);
    sv_buf_printf(b, "\"%s\"", d);
}

/* The options table's defaults: numbers as JSON numbers, the rest as strings. */
static void defaults_json(sv_buf *b)
{
    const omen_option *o;
    bool first = true;
    sv_buf_puts(b, "{");
    for (size_t i = 0; (o = omen_option_at(i)) != NULL; i++) {
        if (!o->def)
            continue;
        sv_buf_puts(b, first ? "" : ",");
        sv_buf_json(b, o->name);
        sv_buf_puts(b, ":");
        if (o->numeric)
            sv_buf_puts(b, o->def);
        else
            sv_buf_json(b, o->def);
        first = false;
    }
    sv_buf_puts(b, "}");
}

char *sv_meta_json(const omen_table *info, const char *version, size_t *len)
{
    sv_buf b = {0};
    sv_buf_printf(&b, "{\"omen_version\":\"%s\",\"store_version\":", OMEN_VERSION);
    sv_buf_json(&b, version);
    sv_buf_printf(&b, ",\"generation\":%lld,\"schema_version\":%lld,\"synthetic\":%s,",
                  (long long)sv_info_int(info, "generation"),
                  (long long)sv_info_int(info, "schema_version"),
                  sv_info_int(info, "synthetic") ? "true" : "false");
    sv_buf_puts(&b, "\"first_week\":");
    info_date(&b, info, "first_week");
    sv_buf_puts(&b, ",\"last_week\":");
    info_date(&b, info, "last_week");
    sv_buf_printf(&b,
                  ",\"models\":%lld,\"developers\":%lld,\"weeks\":%lld,\"downloads\":%lld,"
                  "\"levels\":[\"model\",\"developer\",\"country\",\"org_type\"",
                  (long long)sv_info_int(info, "models"),
                  (long long)sv_info_int(info, "developers"), (long long)sv_info_int(info, "weeks"),
                  (long long)sv_info_int(info, "downloads"));
    omen_field_info f;
    for (size_t i = 0; omen_taxonomy_field_at(i, &f); i++)
        sv_buf_printf(&b, ",\"%s\"", f.name);
    sv_buf_puts(&b, "],\"fields\":[");
    for (size_t i = 0; omen_taxonomy_field_at(i, &f); i++) {
        sv_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        sv_buf_json(&b, f.name);
        sv_buf_puts(&b, ",\"title\":");
        sv_buf_json(&b, f.title);
        sv_buf_puts(&b, ",\"labels\":");
        if (f.labels) {
            sv_buf_puts(&b, "[");
            for (size_t k = 0; f.labels[k]; k++) {
                sv_buf_puts(&b, k ? "," : "");
                sv_buf_json(&b, f.labels[k]);
            }
            sv_buf_puts(&b, "]");
        } else {
            sv_buf_puts(&b, "null");
        }
        sv_buf_puts(&b, ",\"allowed\":");
        sv_buf_json(&b, f.allowed);
        sv_buf_puts(&b, "}");
    }
    sv_buf_puts(&b, "],\"windows\":[\"week\",\"month\",\"quarter\",\"year\",\"trailing52\","
                    "\"cumulative\"],\"defaults\":");
    defaults_json(&b);
    sv_buf_puts(&b, ",\"parameters\":[");
    sv_buf names = {0};
    option_names(&names, NULL, true);
    sv_buf_puts(&b, names.s);
    free(names.s);
    sv_buf_puts(&b, "],\"analyses\":[");
    const omen_analysis *a;
    for (size_t i = 0; (a = omen_analysis_at(i)) != NULL; i++) {
        sv_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        sv_buf_json(&b, a->name);
        sv_buf_puts(&b, ",\"synopsis\":");
        sv_buf_json(&b, a->synopsis);
        sv_buf_puts(&b, ",\"columns\":");
        sv_buf_json(&b, a->columns);
        sv_buf_puts(&b, "}");
    }
    sv_buf_puts(&b, "]}\n");
    *len = b.len;
    return b.s;
}

/* ---------------------------------------------------------------- the API without HTTP */

struct omen_api {
    sv_live *live;
};

omen_status omen_api_open(const char *db, omen_api **out, omen_error *err)
{
    sv_live *live = NULL;
    omen_status s = sv_live_load(db, 0, &live, err);
    if (s != OMEN_OK)
        return s;
    *out = calloc(1, sizeof **out);
    if (!*out)
        abort();
    (*out)->live = live;
    return OMEN_OK;
}

void omen_api_close(omen_api *api)
{
    if (!api)
        return;
    sv_live_release(api->live);
    free(api);
}

const char *omen_api_version(const omen_api *api)
{
    return api->live->version;
}

const omen_table *omen_api_info(const omen_api *api)
{
    return api->live->info;
}

char *omen_api_key(const char *target)
{
    return sv_canonical_target(target, strlen(target));
}

bool omen_server_web_path(const char *raw, size_t len, char *out, size_t cap)
{
    return sv_static_path(raw, len, out, cap);
}

/* The analysis /api/<name> names, as the server finds it: NULL for /api/meta (*meta set) and
 * for names that are none. */
static const omen_analysis *endpoint(const char *target, size_t plen, bool *meta)
{
    char name[64];
    *meta = false;
    if (plen < 5 || strncmp(target, "/api/", 5) != 0 || plen - 5 >= sizeof name)
        return NULL;
    memcpy(name, target + 5, plen - 5);
    name[plen - 5] = 0;
    *meta = strcmp(name, "meta") == 0;
    return *meta ? NULL : omen_analysis_find(name);
}

int omen_api_get(const omen_api *api, const char *target, omen_format fmt, char **body, size_t *len)
{
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);
    bool meta;
    const omen_analysis *a = endpoint(target, plen, &meta);
    sv_api_result r = {0};
    if (meta) {
        r.status = 200;
        r.len = api->live->meta_len;
        r.body = malloc(r.len + 1);
        if (!r.body)
            abort();
        memcpy(r.body, api->live->meta_json, r.len + 1);
    } else if (!a) {
        char shown[128];
        snprintf(shown, sizeof shown, "%.*s", (int)(plen < 100 ? plen : 100), target);
        sv_api_not_found(&r, shown);
    } else {
        sv_params ps;
        sv_query_parse(q ? q + 1 : "", q ? strlen(q + 1) : 0, &ps);
        sv_api_run(api->live->panel, a, &ps, fmt, &r);
        sv_params_free(&ps);
    }
    *body = r.body;
    *len = r.len;
    return r.status;
}

omen_table *omen_api_table(const omen_api *api, const char *target)
{
    const char *q = strchr(target, '?');
    bool meta;
    const omen_analysis *a = endpoint(target, q ? (size_t)(q - target) : strlen(target), &meta);
    if (!a)
        return NULL;
    sv_params ps;
    sv_query_parse(q ? q + 1 : "", q ? strlen(q + 1) : 0, &ps);
    omen_table *t = NULL;
    sv_api_result r = {0};
    if (!run_table(api->live->panel, a, &ps, &t, &r))
        free(r.body);
    sv_params_free(&ps);
    return t;
}
