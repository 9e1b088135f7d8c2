/* report.c: `omen report --out DIR`: the dashboard as one HTML file that opens from disk (its
 * classic scripts and stylesheets inlined, every request of web/report-requests.txt answered
 * in window.OMEN_INLINE), the CSV of every API request, and summary.md with the headline
 * numbers. A front of its own beside cli/ and server/: it answers each request through the
 * server's API without HTTP (omen_api_*, omen/server.h), so the inline keys are the server's
 * canonical keys and the data the bytes the server would send, and writes the summary's tables
 * with the library's Markdown writer. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <zlib.h>

#include "omen/omen.h"
#include "omen/report.h"
#include "omen/server.h"

/* A growable text: a stdio stream into memory. */
typedef struct {
    FILE *f;
    char *s;
    size_t len;
} text;

static void text_open(text *t)
{
    t->s = NULL;
    t->len = 0;
    t->f = open_memstream(&t->s, &t->len);
    if (!t->f) {
        fputs("omen: out of memory\n", stderr);
        abort();
    }
}

/* The text so far, NUL-terminated (t->len bytes), valid until the next write. */
static const char *text_str(text *t)
{
    if (fflush(t->f) != 0 || ferror(t->f)) {
        fputs("omen: out of memory\n", stderr);
        abort();
    }
    return t->s;
}

static void text_free(text *t)
{
    if (t->f)
        fclose(t->f);
    free(t->s);
}

static void file_put(void *ctx, const char *s, size_t n)
{
    fwrite(s, 1, n, ctx);
}

/* s as a JSON string that can sit inside <script> ("</" as "<\/"). */
static void put_json(FILE *f, const char *s)
{
    omen_json_quote(s, OMEN_JSON_SCRIPT | OMEN_JSON_U_ESCAPES, file_put, f);
}

/* Reads a whole file into a heap string; NULL (errno set) when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    text b;
    text_open(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, b.f);
    fclose(f);
    text_str(&b);
    fclose(b.f);
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
    if (!omen_server_web_path(path, strlen(path), rel, sizeof rel))
        return NULL;
    snprintf(full, sizeof full, "%s/%s", webroot, rel);
    size_t rl = strlen(webroot);
    if (!realpath(full, real) || strncmp(real, webroot, rl) != 0 || real[rl] != '/')
        return NULL;
    return slurp(real, len);
}

/* "</script" inside inlined code would end the element early: written "<\/script". */
static void put_script_text(FILE *out, const char *s, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<' && i + 7 < len && strncasecmp(s + i + 1, "/script", 7) == 0) {
            fwrite(s + from, 1, i - from, out);
            fputs("<\\/", out);
            from = i + 2;
            i++;
        }
    }
    fwrite(s + from, 1, len - from, out);
}

/* The first "</script>" in s, in any case; NULL when there is none. */
static const char *script_end(const char *s)
{
    for (; *s; s++)
        if (strncasecmp(s, "</script>", 9) == 0)
            return s;
    return NULL;
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
static void build_html(const char *webroot, const char *html, const char *inline_js, FILE *out,
                       FILE *notes)
{
    const char *p = html;
    bool inlined_data = false;
    for (;;) {
        const char *lt = strchr(p, '<');
        if (!lt) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(lt - p), out);
        if (strncmp(lt, "<!--", 4) == 0) { /* comments verbatim: tags in them are text */
            const char *end = strstr(lt + 4, "-->");
            size_t n = end ? (size_t)(end + 3 - lt) : strlen(lt);
            fwrite(lt, 1, n, out);
            p = lt + n;
            continue;
        }
        const char *gt = strchr(lt, '>');
        if (!gt) {
            fputs(lt, out);
            break;
        }
        char ref[1024], rel[64];
        bool script = strncasecmp(lt, "<script", 7) == 0;
        bool link = strncasecmp(lt, "<link", 5) == 0;
        bool head_end = strncasecmp(lt, "</head", 6) == 0;
        if ((script || head_end) && !inlined_data) {
            fputs("<script>\n", out);
            fputs(inline_js, out);
            fputs("</script>\n", out);
            inlined_data = true;
        }
        size_t len = 0;
        char *content = NULL;
        if (script && attr(lt, gt, "src", ref, sizeof ref)) {
            const char *close = script_end(gt);
            content = close ? web_file(webroot, ref, &len) : NULL;
            if (content) {
                fprintf(out, "<script data-src=\"%s\">\n", ref);
                put_script_text(out, content, len);
                fputs("\n</script>", out);
                p = close + 9;
                free(content);
                continue;
            }
            fprintf(notes, "- script `%s` was not inlined (not a local file)\n", ref);
        } else if (link && attr(lt, gt, "rel", rel, sizeof rel) &&
                   strcasecmp(rel, "stylesheet") == 0 && attr(lt, gt, "href", ref, sizeof ref)) {
            content = web_file(webroot, ref, &len);
            if (content) {
                fprintf(out, "<style data-href=\"%s\">\n", ref);
                put_script_text(out, content, len);
                fputs("\n</style>", out);
                p = gt + 1;
                free(content);
                continue;
            }
            fprintf(notes, "- stylesheet `%s` was not inlined (not a local file)\n", ref);
        }
        fwrite(lt, 1, (size_t)(gt - lt + 1), out);
        p = gt + 1;
    }
}

/* 64-bit FNV-1a: the stable hash that tells apart the CSV file names of keys that collide. */
static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* A file name for a key: "/api/concentration?level=country" -> "concentration_level-country". */
static void csv_name(const char *key, char *out, size_t cap, text *used)
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
    if (strstr(text_str(used), probe)) /* a collision (or a long key cut short) */
        snprintf(out + n, cap - n, "_%08llx", fnv1a(key) & 0xffffffffULL);
    fprintf(used->f, "\n%s.csv\n", out);
}

typedef struct {
    const omen_report_options *opt;
    char webroot[PATH_MAX];
    omen_api *api;
    text inline_js, notes, used_names;
    omen_report_summary *sum;
    size_t entries;
} report;

/* Appends the base64 of data[0..len). */
static void put_base64(FILE *out, const unsigned char *data, size_t len)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4096];
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (i + 1 < len ? (unsigned)data[i + 1] << 8 : 0) |
                     (i + 2 < len ? data[i + 2] : 0);
        q[n++] = abc[v >> 18 & 63];
        q[n++] = abc[v >> 12 & 63];
        q[n++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        q[n++] = i + 2 < len ? abc[v & 63] : '=';
        if (n == sizeof q) {
            fwrite(q, 1, n, out);
            n = 0;
        }
    }
    fwrite(q, 1, n, out);
}

/* One OMEN_INLINE entry. The value is the JSON gzipped and in base64, a string "gz:<base64>"
 * that the page inflates (DecompressionStream) and parses only when a view asks for that key:
 * the page no longer parses every view's data as one large object literal when it opens, and
 * the file is several times smaller. A value that does not compress is inlined as JSON. */
static void add_inline(report *r, const char *key, const char *json, size_t len)
{
    FILE *js = r->inline_js.f;
    fputs(r->entries++ ? ",\n" : "", js);
    put_json(js, key);
    fputs(": ", js);
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
        fputs("\"gz:", js);
        put_base64(js, gz, glen);
        fputs("\"", js);
    } else {
        put_script_text(js, json, len);
    }
    free(gz);
}

static omen_status api_request(report *r, const char *line, omen_error *err)
{
    char *key = omen_api_key(line);
    const char *q = strchr(key, '?');
    size_t plen = q ? (size_t)(q - key) : strlen(key);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(plen - 5 < 63 ? plen - 5 : 63), key + 5);
    char *json = NULL;
    size_t len = 0;
    if (strcmp(name, "meta") == 0) {
        omen_api_get(r->api, key, OMEN_FORMAT_JSON, &json, &len);
        add_inline(r, key, json, len);
        r->sum->computed++;
        free(json);
        free(key);
        return OMEN_OK;
    }
    if (!omen_analysis_find(name)) {
        fprintf(r->notes.f, "- `%s`: no analysis `%s` in this build; skipped\n", key, name);
        r->sum->skipped++;
        free(key);
        return OMEN_OK;
    }
    int status = omen_api_get(r->api, key, OMEN_FORMAT_JSON, &json, &len);
    omen_status s = OMEN_OK;
    if (status != 200) {
        fprintf(r->notes.f, "- `%s`: HTTP %d: %.*s; skipped\n", key, status,
                (int)(len > 300 ? 300 : len), json);
        r->sum->skipped++;
    } else {
        add_inline(r, key, json, len);
        char *csv = NULL;
        size_t csv_len = 0;
        omen_api_get(r->api, key, OMEN_FORMAT_CSV, &csv, &csv_len);
        char fname[200], path[PATH_MAX + 256];
        csv_name(key, fname, sizeof fname, &r->used_names);
        snprintf(path, sizeof path, "%s/csv/%s.csv", r->opt->out_dir, fname);
        if (!write_file(path, csv, csv_len))
            s = omen_error_set(err, OMEN_E_IO, "%s: cannot write: %s", path, strerror(errno));
        r->sum->csv_files++;
        r->sum->computed++;
        free(csv);
    }
    free(json);
    free(key);
    return s;
}

static void asset_request(report *r, const char *line)
{
    size_t len;
    char *content = web_file(r->webroot, line, &len);
    if (!content) {
        fprintf(r->notes.f, "- asset `%s` not found in the web folder; skipped\n", line);
        r->sum->skipped++;
        return;
    }
    const char *dot = strrchr(line, '.');
    if (dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".topojson") == 0)) {
        add_inline(r, line, content, len);
    } else { /* anything else goes in as a string */
        fputs(r->entries++ ? ",\n" : "", r->inline_js.f);
        put_json(r->inline_js.f, line);
        fputs(": ", r->inline_js.f);
        put_json(r->inline_js.f, content);
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

/* A Markdown table of the named columns (the first 16 that exist) of up to max rows; rows where
 * only_col is false are left out when only_col is given. */
static void md_table(FILE *out, const omen_table *t, const char *const *cols, size_t max,
                     const char *only_col)
{
    const char *names[16];
    size_t n = 0;
    for (size_t i = 0; cols[i] && n < 16; i++)
        if (omen_table_find(t, cols[i]) != (size_t)-1)
            names[n++] = cols[i];
    size_t only = only_col ? omen_table_find(t, only_col) : (size_t)-1;
    size_t nrows = omen_table_nrows(t), shown = 0;
    size_t *rows = malloc((nrows ? nrows : 1) * sizeof *rows);
    if (!rows)
        abort();
    for (size_t row = 0; row < nrows && shown < max; row++)
        if (only == (size_t)-1 || omen_table_int(t, row, only))
            rows[shown++] = row;
    omen_table *v = omen_table_select(t, omen_table_name(t), names, n, rows, shown);
    omen_table_write(v, OMEN_FORMAT_MARKDOWN, out, NULL);
    fputs("\n", out);
    omen_table_free(v);
    free(rows);
}

static void leaders(report *r, FILE *out, const char *level, const char *title)
{
    static const char *const cols[] = {"rank",      "entity", "country", "org_type",
                                       "downloads", "share",  NULL};
    for (int last = 0; last < 2; last++) {
        char target[128];
        snprintf(target, sizeof target, "/api/leaderboard?level=%s&top=10%s", level,
                 last ? "&period=last-year" : "");
        omen_table *t = omen_api_table(r->api, target);
        if (!t)
            continue;
        fprintf(out, "### %s, %s\n\n", title, last ? "last year" : "all time");
        md_table(out, t, cols, 10, NULL);
        omen_table_free(t);
    }
}

static void then_and_now(report *r, FILE *out)
{
    static const char *const levels[] = {"model", "developer", "country"};
    static const char *const cols[] = {"period_start", "entities",   "hhi",         "hhi_10000",
                                       "gini",         "top1_share", "top10_share", NULL};
    fputs("## Concentration, then and now (calendar years; the last may be partial)\n\n", out);
    for (size_t i = 0; i < 3; i++) {
        char target[96];
        snprintf(target, sizeof target, "/api/concentration?level=%s&window=year", levels[i]);
        omen_table *t = omen_api_table(r->api, target);
        if (!t || omen_table_nrows(t) == 0) {
            omen_table_free(t);
            continue;
        }
        /* first and last rows only */
        size_t rows[2] = {0, omen_table_nrows(t) - 1};
        omen_table *v = omen_table_select(t, "then_now", cols, sizeof cols / sizeof cols[0] - 1,
                                          rows, rows[1] ? 2 : 1);
        fprintf(out, "### Level: %s\n\n", levels[i]);
        md_table(out, v, cols, 2, NULL);
        omen_table_free(v);
        omen_table_free(t);
    }
}

static void table1(report *r, FILE *out)
{
    if (!omen_analysis_find("attributes")) {
        fputs("## Table 1\n\nThe `attributes` analysis is not in this build.\n\n", out);
        return;
    }
    omen_table *t = omen_api_table(r->api, "/api/attributes");
    fputs("## Table 1: attribute incidence, significant rows\n\n", out);
    if (!t) {
        fputs("(the analysis failed on this store)\n\n", out);
        return;
    }
    const char *cols[24];
    size_t n = 0;
    for (size_t c = 0; c < omen_table_ncols(t) && n < 23; c++)
        cols[n++] = omen_table_col_name(t, c);
    cols[n] = NULL;
    md_table(out, t, cols, 200,
             omen_table_find(t, "significant") != (size_t)-1 ? "significant" : NULL);
    omen_table_free(t);
}

/* The integer (date, boolean) of column `name` of the one-row info table; 0 for NULL. */
static int64_t info(const omen_table *t, const char *name)
{
    size_t c = omen_table_find(t, name);
    return c == (size_t)-1 ? 0 : omen_table_int(t, 0, c);
}

static void summary(report *r, FILE *out)
{
    const omen_table *in = omen_api_info(r->api);
    char f[11] = "?", l[11] = "?";
    size_t first = omen_table_find(in, "first_week");
    if (first != (size_t)-1 && !omen_table_is_null(in, 0, first)) {
        omen_date_format((int32_t)info(in, "first_week"), f);
        omen_date_format((int32_t)info(in, "last_week"), l);
    }
    fprintf(out,
            "# omen report\n\n%s"
            "Store `%s` (version %s): %lld models, %lld developers, %lld weeks from %s to %s, "
            "%lld downloads. Defaults in force: Population Sample (>= 200 downloads), Rolling "
            "Window Filter 365 days, direct attribution (docs/methodology.md).\n\n",
            info(in, "synthetic") ? "> **Synthetic data** (omen synth): the numbers below "
                                    "illustrate the method, they describe no real ecosystem.\n\n"
                                  : "",
            r->opt->db, omen_api_version(r->api), (long long)info(in, "models"),
            (long long)info(in, "developers"), (long long)info(in, "weeks"), f, l,
            (long long)info(in, "downloads"));
    fputs("## Download shares\n\n", out);
    leaders(r, out, "country", "Countries");
    leaders(r, out, "developer", "Developers");
    then_and_now(r, out);
    table1(r, out);
    fprintf(out,
            "## Files\n\n- `index.html`: the dashboard with the data inlined (opens from "
            "disk)\n- `csv/`: the CSV of every view (%zu files)\n\n",
            r->sum->csv_files);
    const char *notes = text_str(&r->notes);
    if (r->notes.len)
        fprintf(out, "## Notes\n\n%s\n", notes);
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
        return omen_error_set(err, OMEN_E_IO, "%s: cannot create: %s", opt->out_dir,
                              strerror(errno));
    omen_status s = omen_api_open(opt->db, &r.api, err);
    if (s != OMEN_OK)
        return s;
    char listpath[PATH_MAX + 32];
    snprintf(listpath, sizeof listpath, "%s/report-requests.txt", r.webroot);
    char *list = slurp(opt->requests ? opt->requests : listpath, NULL);
    if (!list && opt->requests) {
        s = omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", opt->requests, strerror(errno));
        omen_api_close(r.api);
        return s;
    }
    text_open(&r.inline_js);
    text_open(&r.notes);
    text_open(&r.used_names);
    if (!list)
        fprintf(r.notes.f, "- %s is missing: a default list of requests was used\n", listpath);
    char when[32];
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    fprintf(r.inline_js.f, "window.OMEN_INLINE_DATE = \"%s\";\nwindow.OMEN_INLINE = {\n", when);
    s = run_requests(&r, list ? list : default_requests, err);
    fputs("\n};\n", r.inline_js.f);
    char *html = have_web ? slurp(strcat(strcpy(listpath, r.webroot), "/index.html"), NULL) : NULL;
    text page, md;
    text_open(&page);
    text_open(&md);
    if (s == OMEN_OK) {
        sum->fallback_html = html == NULL;
        if (!html)
            fputs("- web/index.html not found: index.html is a plain data page\n", r.notes.f);
        build_html(r.webroot, html ? html : fallback_html, text_str(&r.inline_js), page.f,
                   r.notes.f);
        summary(&r, md.f);
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/index.html", opt->out_dir);
        const char *body = text_str(&page);
        if (!write_file(path, body, page.len))
            s = omen_error_set(err, OMEN_E_IO, "%s: cannot write: %s", path, strerror(errno));
        snprintf(path, sizeof path, "%s/summary.md", opt->out_dir);
        body = text_str(&md);
        if (s == OMEN_OK && !write_file(path, body, md.len))
            s = omen_error_set(err, OMEN_E_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    text_free(&page);
    text_free(&md);
    free(html);
    free(list);
    text_free(&r.inline_js);
    text_free(&r.notes);
    text_free(&r.used_names);
    omen_api_close(r.api);
    return s;
}
