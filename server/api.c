/* api.c: one API request (/api/<analysis> with decoded parameters) run through the analysis
 * registry exactly as the CLI runs it, and the /api/meta document. Shared by the server and
 * the report writer, so both produce the same bytes. */
#include "api.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

void sv_api_run(const omen_panel *panel, const omen_analysis *a, const sv_params *ps,
                omen_format fmt, sv_api_result *r)
{
    memset(r, 0, sizeof *r);
    omen_query q;
    omen_query_defaults(&q);
    if (!set_params(&q, a->name, ps, r))
        return;
    omen_table *t = NULL;
    omen_error err = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    omen_status s = a->run(panel, &q, &t, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (s == OMEN_OK) /* as the CLI does; this server's is the analysis alone */
        omen_table_meta_real(t, "elapsed_s",
                             (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (s == OMEN_USAGE || s == OMEN_BAD_DATA) {
        usage_error(r, err.message ? err.message : "bad request", NULL);
    } else if (s != OMEN_OK) {
        error_json(r, 500, err.message ? err.message : "internal error", NULL, NULL);
    } else {
        r->body = omen_table_to_string(t, fmt, &r->len);
        r->status = 200;
        r->json = fmt == OMEN_FORMAT_JSON;
        if (!r->body) /* a format the table cannot be written in (atom: alerts only) */
            error_json(r, 500, "the analysis' table cannot be written in this format", NULL, NULL);
    }
    omen_error_clear(&err);
    omen_table_free(t);
}

static void date_or_null(sv_buf *b, int32_t days)
{
    if (days == INT32_MIN || days == INT32_MAX) {
        sv_buf_puts(b, "null");
        return;
    }
    char d[11];
    omen_date_format(days, d);
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

char *sv_meta_json(const omen_info *info, const char *version, size_t *len)
{
    sv_buf b = {0};
    sv_buf_printf(&b, "{\"omen_version\":\"%s\",\"store_version\":", OMEN_VERSION);
    sv_buf_json(&b, version);
    sv_buf_printf(&b, ",\"generation\":%lld,\"schema_version\":%d,\"synthetic\":%s,",
                  (long long)info->generation, info->schema_version,
                  info->synthetic ? "true" : "false");
    sv_buf_puts(&b, "\"first_week\":");
    date_or_null(&b, info->first_week);
    sv_buf_puts(&b, ",\"last_week\":");
    date_or_null(&b, info->last_week);
    sv_buf_printf(&b,
                  ",\"models\":%llu,\"developers\":%llu,\"weeks\":%llu,\"downloads\":%llu,"
                  "\"levels\":[\"model\",\"developer\",\"country\",\"org_type\"",
                  (unsigned long long)info->models, (unsigned long long)info->developers,
                  (unsigned long long)info->weeks, (unsigned long long)info->downloads);
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
