/* report.c: `omen report --out DIR`: the dashboard as one HTML file that opens from disk (its
 * classic scripts and stylesheets inlined, every request of web/report-requests.txt answered
 * in window.OMEN_INLINE), the CSV of every API request, and summary.md with the headline
 * numbers. The inline keys are the server's canonical keys (request.c). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <zlib.h>

#include "api.h"
#include "live.h"
#include "omen/server.h"
#include "request.h"

static omen_status fail(omen_error *err, omen_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static omen_status fail(omen_error *err, omen_errcode code, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    omen_error_clear(err);
    err->code = code;
    err->message = strdup(tmp);
    return omen_error_status(code);
}

/* Reads a whole file into a heap string; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    sv_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sv_buf_put(&b, chunk, n);
    fclose(f);
    if (!b.s)
        sv_buf_put(&b, "", 0);
    if (len)
        *len = b.len;
    return b.s;
}

static bool write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* A local file of the web folder named by a URL path or an attribute; NULL when the name is
 * remote, unsafe, or the file is missing. */
static char *web_file(const char *webroot, const char *ref, size_t *len)
{
    if (strstr(ref, "://") || strncmp(ref, "//", 2) == 0 || strncmp(ref, "data:", 5) == 0)
        return NULL;
    char path[PATH_MAX], rel[PATH_MAX], full[PATH_MAX * 2], real[PATH_MAX];
    const char *q = strpbrk(ref, "?#");
    size_t n = q ? (size_t)(q - ref) : strlen(ref);
    while (n >= 2 && ref[0] == '.' && ref[1] == '/') {
        ref += 2;
        n -= 2;
    }
    if (n + 2 >= sizeof path)
        return NULL;
    snprintf(path, sizeof path, "%s%.*s", ref[0] == '/' ? "" : "/", (int)n, ref);
    if (!sv_static_path(path, strlen(path), rel, sizeof rel))
        return NULL;
    snprintf(full, sizeof full, "%s/%s", webroot, rel);
    size_t rl = strlen(webroot);
    if (!realpath(full, real) || strncmp(real, webroot, rl) != 0 || real[rl] != '/')
        return NULL;
    return slurp(real, len);
}

/* "</script" inside inlined code would end the element early. */
static void put_script_text(sv_buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<' && i + 7 < len && strncasecmp(s + i + 1, "/script", 7) == 0) {
            sv_buf_puts(out, "<\\/");
            i++;
            continue;
        }
        sv_buf_put(out, s + i, 1);
    }
}

/* The value of attribute `name` inside the tag text [tag, end); false when absent. */
static bool attr(const char *tag, const char *end, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = tag; p + nl < end; p++) {
        if (strncasecmp(p, name, nl) != 0 || (p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n'))
            continue;
        const char *v = p + nl;
        while (v < end && *v == ' ')
            v++;
        if (*v != '=')
            continue;
        v++;
        while (v < end && *v == ' ')
            v++;
        char quote = (*v == '"' || *v == '\'') ? *v++ : 0;
        const char *e = v;
        while (e < end && (quote ? *e != quote : (*e != ' ' && *e != '>')))
            e++;
        size_t n = (size_t)(e - v);
        if (n >= cap)
            return false;
        memcpy(out, v, n);
        out[n] = 0;
        return true;
    }
    return false;
}

/* Copies index.html with OMEN_INLINE before the first script, local classic scripts and
 * stylesheets inlined; the rest verbatim. */
static void build_html(const char *webroot, const char *html, const char *inline_js, sv_buf *out,
                       sv_buf *notes)
{
    const char *p = html;
    bool inlined_data = false;
    for (;;) {
        const char *lt = strchr(p, '<');
        if (!lt) {
            sv_buf_puts(out, p);
            break;
        }
        sv_buf_put(out, p, (size_t)(lt - p));
        if (strncmp(lt, "<!--", 4) == 0) { /* comments verbatim: tags in them are text */
            const char *end = strstr(lt + 4, "-->");
            size_t n = end ? (size_t)(end + 3 - lt) : strlen(lt);
            sv_buf_put(out, lt, n);
            p = lt + n;
            continue;
        }
        const char *gt = strchr(lt, '>');
        if (!gt) {
            sv_buf_puts(out, lt);
            break;
        }
        char ref[1024], rel[64];
        bool script = strncasecmp(lt, "<script", 7) == 0;
        bool link = strncasecmp(lt, "<link", 5) == 0;
        bool head_end = strncasecmp(lt, "</head", 6) == 0;
        if ((script || head_end) && !inlined_data) {
            sv_buf_puts(out, "<script>\n");
            sv_buf_puts(out, inline_js);
            sv_buf_puts(out, "</script>\n");
            inlined_data = true;
        }
        size_t len = 0;
        char *content = NULL;
        if (script && attr(lt, gt, "src", ref, sizeof ref)) {
            const char *close = sv_strcasestr(gt, "</script>");
            content = close ? web_file(webroot, ref, &len) : NULL;
            if (content) {
                sv_buf_printf(out, "<script data-src=\"%s\">\n", ref);
                put_script_text(out, content, len);
                sv_buf_puts(out, "\n</script>");
                p = close + 9;
                free(content);
                continue;
            }
            sv_buf_printf(notes, "- script `%s` was not inlined (not a local file)\n", ref);
        } else if (link && attr(lt, gt, "rel", rel, sizeof rel) &&
                   strcasecmp(rel, "stylesheet") == 0 && attr(lt, gt, "href", ref, sizeof ref)) {
            content = web_file(webroot, ref, &len);
            if (content) {
                sv_buf_printf(out, "<style data-href=\"%s\">\n", ref);
                put_script_text(out, content, len);
                sv_buf_puts(out, "\n</style>");
                p = gt + 1;
                free(content);
                continue;
            }
            sv_buf_printf(notes, "- stylesheet `%s` was not inlined (not a local file)\n", ref);
        }
        sv_buf_put(out, lt, (size_t)(gt - lt + 1));
        p = gt + 1;
    }
}

/* A file name for a key: "/api/concentration?level=country" -> "concentration_level-country". */
static void csv_name(const char *key, char *out, size_t cap, sv_buf *used)
{
    const char *k = strncmp(key, "/api/", 5) == 0 ? key + 5 : key;
    size_t n = 0;
    for (; *k && n + 16 < cap && n < 120; k++) {
        char c = *k;
        if (c == '=')
            c = '-';
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.'))
            c = '_';
        if (c == '_' && n && out[n - 1] == '_')
            continue;
        out[n++] = c;
    }
    out[n] = 0;
    char probe[300];
    snprintf(probe, sizeof probe, "\n%s.csv\n", out);
    if (used->s && strstr(used->s, probe)) /* a collision (or a long key cut short) */
        snprintf(out + n, cap - n, "_%08llx",
                 sv_fnv(SV_FNV_SEED, key, strlen(key)) & 0xffffffffULL);
    sv_buf_printf(used, "\n%s.csv\n", out);
}

typedef struct {
    const omen_report_options *opt;
    char webroot[PATH_MAX];
    sv_live *live;
    sv_buf inline_js, notes, used_names;
    omen_report_summary *sum;
    size_t entries;
} report;

/* Appends the base64 of data[0..len). */
static void put_base64(sv_buf *out, const unsigned char *data, size_t len)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (i + 1 < len ? (unsigned)data[i + 1] << 8 : 0) |
                     (i + 2 < len ? data[i + 2] : 0);
        q[0] = abc[v >> 18 & 63];
        q[1] = abc[v >> 12 & 63];
        q[2] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        q[3] = i + 2 < len ? abc[v & 63] : '=';
        sv_buf_put(out, q, 4);
    }
}

/* One OMEN_INLINE entry. The value is the JSON gzipped and in base64, a string "gz:<base64>"
 * that the page inflates (DecompressionStream) and parses only when a view asks for that key:
 * the page no longer parses every view's data as one large object literal when it opens, and
 * the file is several times smaller. A value that does not compress is inlined as JSON. */
static void add_inline(report *r, const char *key, const char *json, size_t len)
{
    sv_buf_puts(&r->inline_js, r->entries++ ? ",\n" : "");
    sv_buf_json(&r->inline_js, key);
    sv_buf_puts(&r->inline_js, ": ");
    z_stream z = {0};
    unsigned char *gz = NULL;
    size_t glen = 0;
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK) {
        size_t cap = deflateBound(&z, (uLong)len);
        gz = malloc(cap);
        z.next_in = (Bytef *)(uintptr_t)json;
        z.avail_in = (uInt)len;
        z.next_out = gz;
        z.avail_out = (uInt)cap;
        if (gz && deflate(&z, Z_FINISH) == Z_STREAM_END)
            glen = cap - z.avail_out;
        deflateEnd(&z);
    }
    if (glen && glen * 4 / 3 + 8 < len) {
        sv_buf_puts(&r->inline_js, "\"gz:");
        put_base64(&r->inline_js, gz, glen);
        sv_buf_puts(&r->inline_js, "\"");
    } else {
        put_script_text(&r->inline_js, json, len);
    }
    free(gz);
}

static omen_status api_request(report *r, const char *line, omen_error *err)
{
    char *key = sv_canonical_target(line, strlen(line));
    const char *q = strchr(key, '?');
    size_t plen = q ? (size_t)(q - key) : strlen(key);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(plen - 5 < 63 ? plen - 5 : 63), key + 5);
    if (strcmp(name, "meta") == 0) {
        add_inline(r, key, r->live->meta_json, r->live->meta_len);
        r->sum->computed++;
        free(key);
        return OMEN_OK;
    }
    const omen_analysis *a = omen_analysis_find(name);
    if (!a) {
        sv_buf_printf(&r->notes, "- `%s`: no analysis `%s` in this build; skipped\n", key, name);
        r->sum->skipped++;
        free(key);
        return OMEN_OK;
    }
    sv_params ps;
    sv_query_parse(q ? q + 1 : "", q ? strlen(q + 1) : 0, &ps);
    sv_api_result json, csv;
    sv_api_run(r->live->panel, a, &ps, OMEN_FORMAT_JSON, &json);
    omen_status s = OMEN_OK;
    if (json.status != 200) {
        sv_buf_printf(&r->notes, "- `%s`: HTTP %d: %.*s; skipped\n", key, json.status,
                      (int)(json.len > 300 ? 300 : json.len), json.body);
        r->sum->skipped++;
    } else {
        add_inline(r, key, json.body, json.len);
        sv_api_run(r->live->panel, a, &ps, OMEN_FORMAT_CSV, &csv);
        char fname[200], path[PATH_MAX + 256];
        csv_name(key, fname, sizeof fname, &r->used_names);
        snprintf(path, sizeof path, "%s/csv/%s.csv", r->opt->out_dir, fname);
        if (!write_file(path, csv.body, csv.len))
            s = fail(err, OMEN_E_IO, "%s: cannot write: %s", path, strerror(errno));
        r->sum->csv_files++;
        r->sum->computed++;
        free(csv.body);
    }
    free(json.body);
    sv_params_free(&ps);
    free(key);
    return s;
}

static void asset_request(report *r, const char *line)
{
    size_t len;
    char *content = web_file(r->webroot, line, &len);
    if (!content) {
        sv_buf_printf(&r->notes, "- asset `%s` not found in the web folder; skipped\n", line);
        r->sum->skipped++;
        return;
    }
    const char *dot = strrchr(line, '.');
    if (dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".topojson") == 0)) {
        add_inline(r, line, content, len);
    } else { /* anything else goes in as a string */
        sv_buf_puts(&r->inline_js, r->entries++ ? ",\n" : "");
        sv_buf_json(&r->inline_js, line);
        sv_buf_puts(&r->inline_js, ": ");
        sv_buf_json(&r->inline_js, content);
    }
    r->sum->assets++;
    free(content);
}

static const char default_requests[] = "/api/meta\n"
                                       "/api/leaderboard?level=country\n"
                                       "/api/leaderboard?level=developer\n"
                                       "/api/leaderboard?level=model\n"
                                       "/api/map\n"
                                       "/api/concentration?level=model\n"
                                       "/api/concentration?level=developer\n"
                                       "/api/concentration?level=country\n"
                                       "/api/shares?level=developer\n"
                                       "/api/shares?level=country\n";

static omen_status run_requests(report *r, const char *list, omen_error *err)
{
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        p += n;
        p += strspn(p, "\r\n");
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
            s[--l] = 0;
        if (!*s || *s == '#')
            continue;
        r->sum->requests++;
        if (strncmp(s, "/api/", 5) == 0) {
            if (api_request(r, s, err) != OMEN_OK)
                return omen_error_status(err->code);
        } else {
            asset_request(r, s);
        }
    }
    return OMEN_OK;
}

/* ---------------------------------------------------------------- summary.md */

static void cell(sv_buf *b, const omen_table *t, size_t row, size_t col)
{
    if (omen_table_is_null(t, row, col))
        return;
    char d[11];
    switch (omen_table_col_type(t, col)) {
    case OMEN_COL_TEXT:
        sv_buf_puts(b, omen_table_text(t, row, col));
        break;
    case OMEN_COL_INT:
        sv_buf_printf(b, "%lld", (long long)omen_table_int(t, row, col));
        break;
    case OMEN_COL_REAL: {
        double v = omen_table_real(t, row, col);
        if (v == (double)(long long)v && v > -1e15 && v < 1e15 && (v >= 100 || v <= -100))
            sv_buf_printf(b, "%lld", (long long)v); /* a count stored as real */
        else if (v != 0 && v > -0.001 && v < 0.001)
            sv_buf_printf(b, "%.2e", v); /* p-values */
        else
            sv_buf_printf(b, "%.4f", v);
        break;
    }
    case OMEN_COL_DATE:
        omen_date_format((int32_t)omen_table_int(t, row, col), d);
        sv_buf_puts(b, d);
        break;
    case OMEN_COL_BOOL:
        sv_buf_puts(b, omen_table_int(t, row, col) ? "yes" : "no");
        break;
    }
}

static omen_table *run_named(report *r, const char *name, const char *qs)
{
    const omen_analysis *a = omen_analysis_find(name);
    if (!a)
        return NULL;
    omen_query q;
    omen_query_defaults(&q);
    sv_params ps;
    sv_query_parse(qs, strlen(qs), &ps);
    omen_error err = {0};
    bool ok = true;
    for (size_t i = 0; i < ps.n && ok; i++)
        ok = omen_query_set_for(&q, name, ps.p[i].key, *ps.p[i].value ? ps.p[i].value : NULL,
                                &err) == OMEN_OK;
    sv_params_free(&ps);
    omen_table *t = NULL;
    if (!ok || a->run(r->live->panel, &q, &t, &err) != OMEN_OK) {
        omen_table_free(t);
        t = NULL;
    }
    omen_error_clear(&err);
    return t;
}

/* A Markdown table of the named columns (those that exist) of up to max rows; rows where
 * only_col is false are left out when only_col is given. */
static void md_table(sv_buf *b, const omen_table *t, const char *const *cols, size_t max,
                     const char *only_col)
{
    size_t idx[16], n = 0;
    for (size_t i = 0; cols[i] && n < 16; i++)
        if (omen_table_find(t, cols[i]) != (size_t)-1)
            idx[n++] = omen_table_find(t, cols[i]);
    size_t only = only_col ? omen_table_find(t, only_col) : (size_t)-1;
    for (size_t i = 0; i < n; i++)
        sv_buf_printf(b, "| %s ", omen_table_col_name(t, idx[i]));
    sv_buf_puts(b, "|\n");
    for (size_t i = 0; i < n; i++)
        sv_buf_puts(b, "|---");
    sv_buf_puts(b, "|\n");
    size_t shown = 0;
    for (size_t row = 0; row < omen_table_nrows(t) && shown < max; row++) {
        if (only != (size_t)-1 && !omen_table_int(t, row, only))
            continue;
        for (size_t i = 0; i < n; i++) {
            sv_buf_puts(b, "| ");
            cell(b, t, row, idx[i]);
            sv_buf_puts(b, " ");
        }
        sv_buf_puts(b, "|\n");
        shown++;
    }
    if (shown == 0)
        sv_buf_puts(b, "\n(no rows)\n");
    sv_buf_puts(b, "\n");
}

static void leaders(report *r, sv_buf *b, const char *level, const char *title)
{
    static const char *const cols[] = {"rank",      "entity", "country", "org_type",
                                       "downloads", "share",  NULL};
    for (int last = 0; last < 2; last++) {
        char qs[96];
        snprintf(qs, sizeof qs, "level=%s&top=10%s", level, last ? "&period=last-year" : "");
        omen_table *t = run_named(r, "leaderboard", qs);
        if (!t)
            continue;
        sv_buf_printf(b, "### %s, %s\n\n", title, last ? "last year" : "all time");
        md_table(b, t, cols, 10, NULL);
        omen_table_free(t);
    }
}

static void then_and_now(report *r, sv_buf *b)
{
    static const char *const levels[] = {"model", "developer", "country"};
    static const char *const cols[] = {"period_start", "entities",   "hhi",         "hhi_10000",
                                       "gini",         "top1_share", "top10_share", NULL};
    sv_buf_puts(b, "## Concentration, then and now (calendar years; the last may be partial)\n\n");
    for (size_t i = 0; i < 3; i++) {
        char qs[64];
        snprintf(qs, sizeof qs, "level=%s&window=year", levels[i]);
        omen_table *t = run_named(r, "concentration", qs);
        if (!t || omen_table_nrows(t) == 0) {
            omen_table_free(t);
            continue;
        }
        /* first and last rows only: copy them into a two-row view */
        omen_table *v = omen_table_new("then_now");
        size_t n = 0, src[8];
        for (size_t c = 0; cols[c]; c++)
            if ((src[n] = omen_table_find(t, cols[c])) != (size_t)-1)
                omen_table_add_column(v, cols[c], omen_table_col_type(t, src[n])), n++;
        size_t rows[2] = {0, omen_table_nrows(t) - 1};
        for (size_t k = 0; k < (rows[1] ? 2u : 1u); k++) {
            size_t row = omen_table_add_row(v);
            for (size_t c = 0; c < n; c++) {
                if (omen_table_is_null(t, rows[k], src[c]))
                    continue;
                switch (omen_table_col_type(t, src[c])) {
                case OMEN_COL_REAL:
                    omen_table_set_real(v, row, c, omen_table_real(t, rows[k], src[c]));
                    break;
                case OMEN_COL_TEXT:
                    omen_table_set_text(v, row, c, omen_table_text(t, rows[k], src[c]));
                    break;
                case OMEN_COL_DATE:
                    omen_table_set_date(v, row, c, (int32_t)omen_table_int(t, rows[k], src[c]));
                    break;
                default:
                    omen_table_set_int(v, row, c, omen_table_int(t, rows[k], src[c]));
                }
            }
        }
        sv_buf_printf(b, "### Level: %s\n\n", levels[i]);
        md_table(b, v, cols, 2, NULL);
        omen_table_free(v);
        omen_table_free(t);
    }
}

static void table1(report *r, sv_buf *b)
{
    if (!omen_analysis_find("attributes")) {
        sv_buf_puts(b, "## Table 1\n\nThe `attributes` analysis is not in this build.\n\n");
        return;
    }
    omen_table *t = run_named(r, "attributes", "");
    sv_buf_puts(b, "## Table 1: attribute incidence, significant rows\n\n");
    if (!t) {
        sv_buf_puts(b, "(the analysis failed on this store)\n\n");
        return;
    }
    const char *cols[24];
    size_t n = 0;
    for (size_t c = 0; c < omen_table_ncols(t) && n < 23; c++)
        cols[n++] = omen_table_col_name(t, c);
    cols[n] = NULL;
    md_table(b, t, cols, 200,
             omen_table_find(t, "significant") != (size_t)-1 ? "significant" : NULL);
    omen_table_free(t);
}

static void summary(report *r, sv_buf *b)
{
    const omen_table *in = r->live->info;
    char f[11] = "?", l[11] = "?";
    if (!omen_table_is_null(in, 0, omen_table_find(in, "first_week"))) {
        omen_date_format((int32_t)sv_info_int(in, "first_week"), f);
        omen_date_format((int32_t)sv_info_int(in, "last_week"), l);
    }
    sv_buf_printf(b,
                  "# omen report\n\n%s"
                  "Store `%s` (version %s): %lld models, %lld developers, %lld weeks from %s "
                  "to %s, %lld downloads. Defaults in force: Population Sample (>= 200 "
                  "downloads), Rolling Window Filter 365 days, direct attribution "
                  "(docs/methodology.md).\n\n",
                  sv_info_int(in, "synthetic") ? "> **Synthetic data** (omen synth): the numbers "
                                                 "below illustrate the method, they describe no "
                                                 "real ecosystem.\n\n"
                                               : "",
                  r->opt->db, r->live->version, (long long)sv_info_int(in, "models"),
                  (long long)sv_info_int(in, "developers"), (long long)sv_info_int(in, "weeks"), f,
                  l, (long long)sv_info_int(in, "downloads"));
    sv_buf_puts(b, "## Download shares\n\n");
    leaders(r, b, "country", "Countries");
    leaders(r, b, "developer", "Developers");
    then_and_now(r, b);
    table1(r, b);
    sv_buf_printf(b,
                  "## Files\n\n- `index.html`: the dashboard with the data inlined (opens from "
                  "disk)\n- `csv/`: the CSV of every view (%zu files)\n\n",
                  r->sum->csv_files);
    if (r->notes.len)
        sv_buf_printf(b, "## Notes\n\n%s\n", r->notes.s);
}

static const char fallback_html[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>omen report</title>"
    "</head>\n<body><h1>omen report</h1><p>The dashboard (web/index.html) was not found when "
    "this report was written; the data is below as JSON and in csv/.</p><pre id=\"data\">"
    "</pre>\n<script>document.getElementById('data').textContent = "
    "JSON.stringify(window.OMEN_INLINE, null, 1);</script>\n</body></html>\n";

omen_status omen_report_write(const omen_report_options *opt, omen_report_summary *sum,
                              omen_error *err)
{
    report r = {.opt = opt, .sum = sum};
    memset(sum, 0, sizeof *sum);
    char *web = opt->web_dir ? strdup(opt->web_dir) : omen_server_default_web_dir();
    bool have_web = realpath(web, r.webroot) != NULL;
    free(web);
    char csvdir[PATH_MAX + 8];
    snprintf(csvdir, sizeof csvdir, "%s/csv", opt->out_dir);
    if ((mkdir(opt->out_dir, 0777) != 0 && errno != EEXIST) ||
        (mkdir(csvdir, 0777) != 0 && errno != EEXIST))
        return fail(err, OMEN_E_IO, "%s: cannot create: %s", opt->out_dir, strerror(errno));
    omen_status s = sv_live_load(opt->db, 0, &r.live, err);
    if (s != OMEN_OK)
        return s;
    char listpath[PATH_MAX + 32];
    snprintf(listpath, sizeof listpath, "%s/report-requests.txt", r.webroot);
    char *list = slurp(opt->requests ? opt->requests : listpath, NULL);
    if (!list && opt->requests) {
        sv_live_release(r.live);
        return fail(err, OMEN_E_IO, "%s: cannot read: %s", opt->requests, strerror(errno));
    }
    if (!list)
        sv_buf_printf(&r.notes, "- %s is missing: a default list of requests was used\n", listpath);
    char when[32];
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    sv_buf_printf(&r.inline_js, "window.OMEN_INLINE_DATE = \"%s\";\nwindow.OMEN_INLINE = {\n",
                  when);
    s = run_requests(&r, list ? list : default_requests, err);
    sv_buf_puts(&r.inline_js, "\n};\n");
    char *html = have_web ? slurp(strcat(strcpy(listpath, r.webroot), "/index.html"), NULL) : NULL;
    sv_buf page = {0}, md = {0};
    if (s == OMEN_OK) {
        sum->fallback_html = html == NULL;
        if (!html)
            sv_buf_puts(&r.notes, "- web/index.html not found: index.html is a plain data page\n");
        build_html(r.webroot, html ? html : fallback_html, r.inline_js.s, &page, &r.notes);
        summary(&r, &md);
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/index.html", opt->out_dir);
        if (!write_file(path, page.s, page.len))
            s = fail(err, OMEN_E_IO, "%s: cannot write: %s", path, strerror(errno));
        snprintf(path, sizeof path, "%s/summary.md", opt->out_dir);
        if (s == OMEN_OK && !write_file(path, md.s, md.len))
            s = fail(err, OMEN_E_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    free(page.s);
    free(md.s);
    free(html);
    free(list);
    free(r.inline_js.s);
    free(r.notes.s);
    free(r.used_names.s);
    sv_live_release(r.live);
    return s;
}
