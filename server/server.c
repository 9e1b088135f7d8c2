/* server.c: `omen serve`: libmicrohttpd with a thread pool, the JSON/CSV API over the analysis
 * registry (/api/meta, /api/<analysis>) and the alerts feed (/feed.atom), ETags and 304s, the
 * per-panel result cache, static files from the web folder (never outside it), limits, one log
 * line per request, live reload of the panel when the store changes, and a clean stop on
 * SIGINT/SIGTERM. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "api.h"
#include "live.h"
#include "mhd.h"
#include "omen/server.h"
#include "request.h"

/* Per-request state, created by the URI log callback with the raw (undecoded) target. */
typedef struct {
    char *uri;
    size_t uri_len;
    double t0;
    int status;
    size_t bytes;
    char method[12];
    bool seen, done;
} req;

/* A connection as the head deadline sees it: since when it has been waiting for a request
 * head (its opening, or the end of the previous answer), and whether the head has arrived.
 * The list is guarded by S.conn_lock; a record lives from MHD's STARTED notification to its
 * CLOSED one, which MHD sends before it closes the socket, so fd is open while it is listed. */
typedef struct conn_rec {
    struct conn_rec *prev, *next;
    int fd;
    double since;
    bool waiting, cut;
} conn_rec;

static struct {
    omen_server_options opt;
    char webroot[PATH_MAX];
    pthread_mutex_t lock;        /* guards current */
    pthread_mutex_t reload_lock; /* one reload at a time */
    sv_live *current;
    bool any_host;   /* --allow-host '*' */
    sv_stamp failed; /* the stamp whose load failed: not retried until the file changes */
    pthread_mutex_t log_lock;
    pthread_mutex_t conn_lock; /* guards conns, nlive, ncut */
    conn_rec *conns;
    unsigned nlive;               /* connections listed and not cut */
    unsigned long ncut;           /* cut since the last log line about it */
    pthread_mutex_t compute_lock; /* guards computing */
    pthread_cond_t compute_free;
    unsigned computing, compute_max;
} S;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    if (!S.opt.log)
        return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&S.log_lock);
    vfprintf(S.opt.log, fmt, ap);
    fflush(S.opt.log);
    pthread_mutex_unlock(&S.log_lock);
    va_end(ap);
}

/* The dashboard's policy: its own scripts only (plus the form's inline `return false`, by
 * hash), inline styles (Plot writes <style> elements and style attributes), data: images (the
 * favicon), fetches to this server only, and no framing, plugins, <base> or form posts. */
static const char csp_html[] =
    "default-src 'self'; script-src 'self' 'unsafe-hashes' "
    "'sha256-GZIcz60Uwd6wT3vaYke/atSr53TehbYAPepOa3d03Vw='; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";
/* Everything else is data, never a document: nothing in it may run if a browser opens it. */
static const char csp_data[] = "default-src 'none'; frame-ancestors 'none'; sandbox";

/* Headers on every answer: no content sniffing (a JSON error quoting a parameter must never be
 * taken for HTML) and a policy that lets only the dashboard's pages run anything. */
static void security_headers(struct MHD_Response *resp, bool html)
{
    sv_mhd.add_response_header(resp, "X-Content-Type-Options", "nosniff");
    sv_mhd.add_response_header(resp, "Content-Security-Policy", html ? csp_html : csp_data);
    sv_mhd.add_response_header(resp, "Referrer-Policy", "no-referrer");
}

void omen_server_defaults(omen_server_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->host = "127.0.0.1";
    opt->port = 8080;
    opt->max_conns = 256;
    opt->timeout_s = 30;
    opt->max_url = 4096;
    opt->memory_limit = 32 * 1024;
    opt->cache_bytes = 64u << 20;
    opt->per_ip_conns = 128;
    opt->header_timeout_s = 10;
    opt->max_answer = 32u << 20;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *omen_server_default_web_dir(void)
{
    const char *env = getenv("OMEN_WEB");
    if (env && *env)
        return strdup(env);
    char exe[PATH_MAX], cand[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0; /* exe is now the binary's folder */
            snprintf(cand, sizeof cand, "%s/../share/omen/web", exe);
            if (is_dir(cand))
                return strdup(cand);
            snprintf(cand, sizeof cand, "%s/../web", exe);
            if (is_dir(cand))
                return strdup(cand);
        }
    }
    return strdup("web");
}

/* ---------------------------------------------------------------- the live panel */

static sv_live *acquire(void)
{
    pthread_mutex_lock(&S.lock);
    sv_live *l = S.current;
    sv_live_retain(l);
    pthread_mutex_unlock(&S.lock);
    return l;
}

/* Reloads the panel when the store file changed since the current panel was loaded. Cheap
 * when nothing changed (one stat); a reload blocks only the requests that see the change. */
static void maybe_reload(void)
{
    sv_stamp now;
    if (!sv_stamp_read(S.opt.db, &now))
        return;
    pthread_mutex_lock(&S.lock);
    bool same = sv_stamp_equal(&now, &S.current->stamp) || sv_stamp_equal(&now, &S.failed);
    pthread_mutex_unlock(&S.lock);
    if (same)
        return;
    pthread_mutex_lock(&S.reload_lock);
    pthread_mutex_lock(&S.lock);
    same = sv_stamp_equal(&now, &S.current->stamp);
    pthread_mutex_unlock(&S.lock);
    if (!same) {
        double t0 = omen_now();
        sv_live *fresh = NULL;
        omen_error err = {0};
        if (sv_live_load(S.opt.db, S.opt.cache_bytes, &fresh, &err) == OMEN_OK) {
            pthread_mutex_lock(&S.lock);
            sv_live *old = S.current;
            S.current = fresh;
            pthread_mutex_unlock(&S.lock);
            sv_live_release(old);
            logf_("omen serve: store changed: panel reloaded (%s, %.0f ms)\n", fresh->version,
                  (omen_now() - t0) * 1e3);
        } else {
            pthread_mutex_lock(&S.lock);
            S.failed = now;
            pthread_mutex_unlock(&S.lock);
            logf_("omen serve: store changed but could not be loaded (keeping the old panel): "
                  "%s\n",
                  err.message ? err.message : "?");
            omen_error_clear(&err);
        }
    }
    pthread_mutex_unlock(&S.reload_lock);
}

/* ---------------------------------------------------------------- responses */

/* An uncacheable answer (an error) owning body. */
static struct MHD_Response *buf_response(int status, char *body, size_t len, const char *type)
{
    struct MHD_Response *resp =
        sv_mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    security_headers(resp, false);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    return resp;
}

static enum MHD_Result send_buf(struct MHD_Connection *c, req *r, int status, char *body,
                                size_t len, const char *type)
{
    struct MHD_Response *resp = buf_response(status, body, len, type);
    enum MHD_Result ret = sv_mhd.queue_response(c, (unsigned)status, resp);
    sv_mhd.destroy_response(resp);
    r->status = status;
    r->bytes = len;
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, req *r, int status, const char *msg)
{
    sv_buf b = {0};
    sv_buf_puts(&b, "{\"error\":");
    sv_buf_json(&b, msg);
    sv_buf_puts(&b, ",\"parameter\":null,\"allowed\":null}\n");
    return send_buf(c, r, status, b.s, b.len, "application/json");
}

static enum MHD_Result send_result(struct MHD_Connection *c, req *r, sv_api_result *res)
{
    return send_buf(c, r, res->status, res->body, res->len,
                    res->json ? "application/json" : "text/csv; charset=utf-8");
}

/* Whether an If-None-Match header lists etag (or is "*"); weak prefixes compare equal. */
static bool etag_matches(struct MHD_Connection *c, const char *etag)
{
    const char *inm = sv_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    if (!inm)
        return false;
    if (strcmp(inm, "*") == 0)
        return true;
    const char *p = strstr(inm, etag);
    return p != NULL;
}

/* html: the 304 revalidates an HTML page. Browsers replace a cached answer's headers with the
 * 304's, so it must carry the same policy as the 200 did (a data policy on a page's 304
 * sandboxed the dashboard on its second load). */
static enum MHD_Result send_304(struct MHD_Connection *c, req *r, const char *etag, bool html)
{
    struct MHD_Response *resp = sv_mhd.create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    security_headers(resp, html);
    enum MHD_Result ret = sv_mhd.queue_response(c, MHD_HTTP_NOT_MODIFIED, resp);
    sv_mhd.destroy_response(resp);
    r->status = MHD_HTTP_NOT_MODIFIED;
    return ret;
}

static bool header_has(struct MHD_Connection *c, const char *name, const char *token)
{
    const char *v = sv_mhd.lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v && sv_strcasestr(v, token) != NULL;
}

/* ---------------------------------------------------------------- the API */

static void api_headers(struct MHD_Response *resp, const char *type, bool gz, const char *etag,
                        const char *version)
{
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
    sv_mhd.add_response_header(resp, "X-Omen-Store-Version", version);
    security_headers(resp, false);
    if (gz)
        sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
}

/* Whether Accept-Encoding admits gzip (listed, and not with q=0). */
static bool accepts_gzip(struct MHD_Connection *c)
{
    const char *v = sv_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    const char *g = v ? sv_strcasestr(v, "gzip") : NULL;
    if (!g)
        return false;
    g += 4;
    while (*g == ' ' || *g == ';')
        g++;
    if (strncasecmp(g, "q=", 2) != 0)
        return true;
    return strtod(g + 2, NULL) > 0;
}

/* gzip of body[0..len) (zlib, level 6) in a heap buffer; NULL if it does not pay. */
static char *gzip_body(const char *body, size_t len, size_t *out_len)
{
    z_stream z = {0};
    if (len < 1024 || deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (!out)
        abort();
    z.next_in = (Bytef *)(uintptr_t)body;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || *out_len >= len) {
        free(out);
        return NULL;
    }
    return out;
}

/* Uncached computations run at most --computations at once (default: the CPUs): each holds an
 * analysis's working memory and then its answer, so 300 concurrent requests for large answers
 * queue here instead of all growing at once (4.5 GB for 300 x top=1000 before). */
static void compute_begin(void)
{
    pthread_mutex_lock(&S.compute_lock);
    while (S.computing >= S.compute_max)
        pthread_cond_wait(&S.compute_free, &S.compute_lock);
    S.computing++;
    pthread_mutex_unlock(&S.compute_lock);
}

static void compute_end(void)
{
    pthread_mutex_lock(&S.compute_lock);
    S.computing--;
    pthread_cond_signal(&S.compute_free);
    pthread_mutex_unlock(&S.compute_lock);
}

/* Replaces an answer larger than --max-answer-mb with a 413 naming `top` when the request set
 * it (rows per period times periods is what makes an answer large). */
static void too_large(sv_api_result *res, const sv_params *ps)
{
    bool top = false;
    for (size_t i = 0; i < ps->n; i++)
        top |= ps->p[i].klen == 3 && memcmp(ps->p[i].key, "top", 3) == 0;
    sv_buf msg = {0}, b = {0};
    sv_buf_printf(&msg,
                  "the answer is %.1f MiB, over this server's limit of %zu MiB (omen serve "
                  "--max-answer-mb): ask for fewer rows (a smaller top, a longer window or a "
                  "shorter period), or run the analysis with the CLI",
                  (double)res->len / (1 << 20), S.opt.max_answer >> 20);
    sv_buf_puts(&b, "{\"error\":");
    sv_buf_json(&b, msg.s);
    sv_buf_puts(&b, top ? ",\"parameter\":\"top\",\"allowed\":null}\n"
                        : ",\"parameter\":null,\"allowed\":null}\n");
    free(msg.s);
    free(res->body);
    res->body = b.s;
    res->len = b.len;
    res->status = MHD_HTTP_CONTENT_TOO_LARGE;
    res->json = true;
}

/* Answers a valid API request: 304 when the client has it, else from the cache, else runs the
 * analysis and caches the answer. One cache entry per representation: format and gzip. */
static enum MHD_Result api_answer(struct MHD_Connection *c, req *r, sv_live *l,
                                  const omen_analysis *a, const sv_params *ps, omen_format fmt,
                                  const char *canon)
{
    bool gz = accepts_gzip(c);
    char etag[96], key_fmt = !a                        ? 'm'
                             : fmt == OMEN_FORMAT_CSV  ? 'c'
                             : fmt == OMEN_FORMAT_ATOM ? 'a'
                                                       : 'j';
    unsigned long long h = sv_fnv(sv_fnv(SV_FNV_SEED, &key_fmt, 1), canon, strlen(canon));
    snprintf(etag, sizeof etag, "\"%s-%016llx%s\"", l->version, h, gz ? "-gz" : "");
    if (etag_matches(c, etag))
        return send_304(c, r, etag, false);
    size_t klen = strlen(canon);
    char *ckey = malloc(klen + 3);
    if (!ckey)
        abort();
    ckey[0] = key_fmt;
    ckey[1] = gz ? 'z' : '-';
    memcpy(ckey + 2, canon, klen + 1);
    int queued = MHD_NO;
    unsigned status = 0;
    bool claimed = false;
    if (sv_cache_queue_or_claim(l, ckey, c, &queued, &status, &r->bytes, &claimed)) {
        r->status = (int)status;
        free(ckey);
        return (enum MHD_Result)queued;
    }
    sv_api_result res = {0};
    struct MHD_Response *resp;
    if (!a) {
        res.status = 200;
        res.json = true;
        res.len = l->meta_len;
        res.body = malloc(res.len + 1);
        memcpy(res.body, l->meta_json, res.len + 1);
    } else {
        compute_begin();
        sv_api_run(l->panel, a, ps, fmt, &res);
        if (res.status == 200 && res.len > S.opt.max_answer)
            too_large(&res, ps);
        compute_end();
    }
    if (res.status != 200) {
        resp = buf_response(res.status, res.body, res.len, "application/json");
    } else {
        size_t zlen = 0;
        char *z = gz ? gzip_body(res.body, res.len, &zlen) : NULL;
        if (z) {
            free(res.body);
            res.body = z;
            res.len = zlen;
        }
        resp = sv_mhd.create_response_from_buffer(res.len, res.body, MHD_RESPMEM_MUST_FREE);
        api_headers(resp,
                    fmt == OMEN_FORMAT_ATOM ? "application/atom+xml; charset=utf-8"
                    : res.json              ? "application/json"
                                            : "text/csv; charset=utf-8",
                    z != NULL, etag, l->version);
    }
    enum MHD_Result ret = sv_mhd.queue_response(c, (unsigned)res.status, resp);
    r->status = res.status;
    r->bytes = res.len;
    /* the requests that asked for the same key meanwhile get this response too */
    sv_cache_finish(l, ckey, (unsigned)res.status, resp, etag, res.len);
    free(ckey);
    return ret;
}

static enum MHD_Result api(struct MHD_Connection *c, req *r, const char *path, size_t plen,
                           const char *qs, size_t qlen)
{
    maybe_reload();
    sv_live *l = acquire();
    sv_params ps;
    sv_query_parse(qs, qlen, &ps);
    sv_api_result res = {0};
    enum MHD_Result ret;
    char name[64];
    size_t nlen = plen - 5;
    const omen_analysis *a = NULL;
    bool meta = false;
    if (nlen < sizeof name) {
        memcpy(name, path + 5, nlen);
        name[nlen] = 0;
        meta = strcmp(name, "meta") == 0;
        a = meta ? NULL : omen_analysis_find(name);
    }
    omen_format fmt = OMEN_FORMAT_JSON;
    if (!meta && !a) {
        char shown[128];
        snprintf(shown, sizeof shown, "%.*s", (int)(plen < 100 ? plen : 100), path);
        sv_api_not_found(&res, shown);
        ret = send_result(c, r, &res);
    } else if (!sv_api_format(&ps, header_has(c, "Accept", "text/csv"), &fmt, &res)) {
        ret = send_result(c, r, &res);
    } else {
        char *canon = sv_canonical_key(path, plen, &ps, "format");
        ret = api_answer(c, r, l, a, &ps, fmt, canon);
        free(canon);
    }
    sv_params_free(&ps);
    sv_live_release(l);
    return ret;
}

/* GET /feed.atom: `omen alerts --format atom` on the served store, its query parameters the
 * options of alerts (/feed.atom?levels=country&since=2025-01-01), cached and revalidated as an
 * API answer. Links in it are relative to the feed's address unless link= says otherwise. */
static enum MHD_Result feed(struct MHD_Connection *c, req *r, const char *qs, size_t qlen)
{
    maybe_reload();
    sv_live *l = acquire();
    sv_params ps;
    sv_query_parse(qs, qlen, &ps);
    char *canon = sv_canonical_key("/feed.atom", 10, &ps, "format");
    enum MHD_Result ret =
        api_answer(c, r, l, omen_analysis_find("alerts"), &ps, OMEN_FORMAT_ATOM, canon);
    free(canon);
    sv_params_free(&ps);
    sv_live_release(l);
    return ret;
}

/* ---------------------------------------------------------------- static files */

/* Resolves rel inside the web folder; false when missing, not a regular file, or (through a
 * symlink) outside the folder. */
static bool resolve(const char *rel, char out[PATH_MAX], struct stat *st)
{
    char full[PATH_MAX * 2];
    snprintf(full, sizeof full, "%s/%s", S.webroot, rel);
    if (!realpath(full, out))
        return false;
    size_t n = strlen(S.webroot);
    if (strncmp(out, S.webroot, n) != 0 || out[n] != '/')
        return false;
    return stat(out, st) == 0 && S_ISREG(st->st_mode);
}

static enum MHD_Result static_file(struct MHD_Connection *c, req *r, const char *path, size_t plen)
{
    char rel[PATH_MAX], real[PATH_MAX], realgz[PATH_MAX];
    if (!sv_static_path(path, plen, rel, sizeof rel - 16))
        return send_error(c, r, MHD_HTTP_BAD_REQUEST, "bad path");
    size_t n = strlen(rel);
    if (n == 0 || rel[n - 1] == '/')
        strcat(rel, "index.html");
    struct stat st, stgz;
    if (!resolve(rel, real, &st))
        return send_error(c, r, MHD_HTTP_NOT_FOUND, "not found");
    char relgz[PATH_MAX + 4];
    snprintf(relgz, sizeof relgz, "%s.gz", rel);
    bool has_gz = resolve(relgz, realgz, &stgz);
    bool gz = has_gz && accepts_gzip(c);
    const struct stat *use = gz ? &stgz : &st;
    int64_t stamp[4] = {(int64_t)use->st_size, (int64_t)use->st_mtim.tv_sec,
                        (int64_t)use->st_mtim.tv_nsec, (int64_t)use->st_ino};
    char etag[48];
    snprintf(etag, sizeof etag, "\"f%s-%016llx\"", gz ? "z" : "",
             sv_fnv(SV_FNV_SEED, stamp, sizeof stamp));
    const char *type = sv_content_type(rel);
    bool html = strncmp(type, "text/html", 9) == 0;
    if (etag_matches(c, etag))
        return send_304(c, r, etag, html);
    int fd = open(gz ? realgz : real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return send_error(c, r, MHD_HTTP_NOT_FOUND, "not found");
    struct MHD_Response *resp = sv_mhd.create_response_from_fd64((uint64_t)use->st_size, fd);
    if (!resp) {
        close(fd);
        return send_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot send the file");
    }
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    security_headers(resp, html);
    if (has_gz)
        sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (gz)
        sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    enum MHD_Result ret = sv_mhd.queue_response(c, MHD_HTTP_OK, resp);
    sv_mhd.destroy_response(resp);
    r->status = 200;
    r->bytes = (size_t)use->st_size;
    return ret;
}

/* ---------------------------------------------------------------- Host check */

/* Whether a Host header names this server. A page on another site can point its own DNS name
 * at 127.0.0.1 (DNS rebinding) and then read the API as same-origin; its requests still carry
 * that name in Host, so only names this server is known by are answered: localhost, the --host
 * name, --allow-host names, and any IP address literal (a rebinding page cannot make a browser
 * send one). The port is not compared. No Host at all (HTTP/1.0 clients) passes: browsers
 * always send one. */
static bool host_allowed(const char *host)
{
    if (!host || S.any_host)
        return true;
    char name[256];
    const char *port;
    if (host[0] == '[') { /* [v6]:port */
        const char *close = strchr(host, ']');
        if (!close || (size_t)(close - host - 1) >= sizeof name)
            return false;
        memcpy(name, host + 1, (size_t)(close - host - 1));
        name[close - host - 1] = 0;
        unsigned char a6[16];
        if (inet_pton(AF_INET6, name, a6) != 1)
            return false;
        port = close + 1;
        if (*port && *port != ':')
            return false;
    } else {
        const char *colon = strchr(host, ':');
        size_t n = colon ? (size_t)(colon - host) : strlen(host);
        if (n == 0 || n >= sizeof name)
            return false;
        memcpy(name, host, n);
        name[n] = 0;
        port = colon ? colon : "";
    }
    if (*port == ':' && (!port[1] || strspn(port + 1, "0123456789") != strlen(port + 1)))
        return false;
    if (host[0] == '[')
        return true;
    unsigned char a4[4];
    if (inet_pton(AF_INET, name, a4) == 1)
        return true;
    size_t n = strlen(name);
    if (name[n - 1] == '.') /* the absolute form of a name */
        name[--n] = 0;
    if (strcasecmp(name, "localhost") == 0 || strcasecmp(name, S.opt.host) == 0)
        return true;
    for (size_t i = 0; i < S.opt.n_allow_hosts; i++)
        if (strcasecmp(name, S.opt.allow_hosts[i]) == 0)
            return true;
    return false;
}

static enum MHD_Result send_bad_host(struct MHD_Connection *c, req *r, const char *host)
{
    sv_buf b = {0}, msg = {0}, allowed = {0};
    sv_buf_printf(&msg,
                  "Host '%.100s' is not served here: this server answers localhost, IP addresses, "
                  "its --host name and the names given with --allow-host (a guard against DNS "
                  "rebinding)",
                  host);
    sv_buf_printf(&allowed, "localhost, an IP address, %s", S.opt.host);
    for (size_t i = 0; i < S.opt.n_allow_hosts; i++)
        sv_buf_printf(&allowed, ", %s", S.opt.allow_hosts[i]);
    sv_buf_puts(&b, "{\"error\":");
    sv_buf_json(&b, msg.s);
    sv_buf_puts(&b, ",\"parameter\":\"Host\",\"allowed\":");
    sv_buf_json(&b, allowed.s);
    sv_buf_puts(&b, "}\n");
    free(msg.s);
    free(allowed.s);
    return send_buf(c, r, MHD_HTTP_MISDIRECTED_REQUEST, b.s, b.len, "application/json");
}

/* ---------------------------------------------------------------- connections */

/* Slow clients. libmicrohttpd 0.9.75 closes only idle connections (--timeout), so a client
 * that trickles a header byte now and then holds its connection for ever, and a few hundred
 * of them (slowloris) fill the connection table. Three bounds: MHD's per-address limit
 * (--max-per-ip); a deadline for each request head (--header-timeout), checked once a second
 * by the main thread; and, when the table is full, a new connection replaces the one that has
 * waited longest for its head, so the connections that are sending requests and receiving
 * answers are never the ones dropped. A connection is cut with shutdown(): MHD sees the end of
 * the stream on its next read and closes it itself. */
static void cut_locked(conn_rec *r)
{
    shutdown(r->fd, SHUT_RDWR);
    r->cut = true;
    S.nlive--;
    S.ncut++;
}

static conn_rec *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        sv_mhd.get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Marks the connection as waiting for a head (from now) or as having received one. */
static void conn_waiting(struct MHD_Connection *c, bool waiting)
{
    conn_rec *r = conn_of(c);
    if (!r)
        return;
    pthread_mutex_lock(&S.conn_lock);
    r->waiting = waiting;
    r->since = omen_now();
    pthread_mutex_unlock(&S.conn_lock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            sv_mhd.get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci)
            return;
        conn_rec *r = calloc(1, sizeof *r);
        if (!r)
            abort();
        r->fd = ci->connect_fd;
        r->since = omen_now();
        r->waiting = true;
        pthread_mutex_lock(&S.conn_lock);
        r->next = S.conns;
        if (S.conns)
            S.conns->prev = r;
        S.conns = r;
        if (++S.nlive > S.opt.max_conns) {
            conn_rec *victim = NULL; /* the longest wait for a head; this one if none waits */
            for (conn_rec *p = S.conns; p; p = p->next)
                if (p->waiting && !p->cut && (!victim || p->since < victim->since))
                    victim = p;
            cut_locked(victim ? victim : r);
        }
        pthread_mutex_unlock(&S.conn_lock);
        *socket_context = r;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        conn_rec *r = *socket_context;
        pthread_mutex_lock(&S.conn_lock);
        if (r->prev)
            r->prev->next = r->next;
        else
            S.conns = r->next;
        if (r->next)
            r->next->prev = r->prev;
        if (!r->cut)
            S.nlive--;
        pthread_mutex_unlock(&S.conn_lock);
        free(r);
        *socket_context = NULL;
    }
}

/* Cuts the connections whose head is overdue; logs how many were cut since the last call. */
static void reap_slow(void)
{
    double now = omen_now();
    pthread_mutex_lock(&S.conn_lock);
    for (conn_rec *p = S.conns; p; p = p->next)
        if (p->waiting && !p->cut && now - p->since > S.opt.header_timeout_s)
            cut_locked(p);
    unsigned long n = S.ncut;
    S.ncut = 0;
    pthread_mutex_unlock(&S.conn_lock);
    if (n)
        logf_("omen serve: closed %lu connection%s that sent no request head in %u s or were "
              "replaced by a newer one at the connection limit\n",
              n, n == 1 ? "" : "s", S.opt.header_timeout_s);
}

/* ---------------------------------------------------------------- MHD callbacks */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    req *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->uri_len = strlen(uri);
    r->uri = strdup(uri);
    if (!r->uri)
        abort();
    r->t0 = omen_now();
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    (void)upload_data;
    req *r = *con_cls;
    if (!r)
        *con_cls = r = on_uri(NULL, url, c);
    if (!r->seen && !r->done) /* the first call: the head is complete */
        conn_waiting(c, false);
    snprintf(r->method, sizeof r->method, "%s", method);
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (!r->seen && get) {
        /* MHD 0.9.75 closes the connection after a response queued in the first call, so
         * keep-alive needs the answer in the second (after the empty body). */
        r->seen = true;
        return MHD_YES;
    }
    if (r->done || *upload_data_size) {
        *upload_data_size = 0; /* a body we do not read */
        return MHD_YES;
    }
    r->done = true;
    const char *host = sv_mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host_allowed(host))
        return send_bad_host(c, r, host);
    if (!get) /* at once: the connection is closed after it, the body never read */
        return send_error(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are allowed");
    if (r->uri_len > S.opt.max_url)
        return send_error(c, r, MHD_HTTP_URI_TOO_LONG, "request target too long");
    const char *q = memchr(r->uri, '?', r->uri_len);
    size_t plen = q ? (size_t)(q - r->uri) : r->uri_len;
    if (plen >= 5 && strncmp(r->uri, "/api/", 5) == 0)
        return api(c, r, r->uri, plen, q ? q + 1 : "", q ? r->uri_len - plen - 1 : 0);
    if (plen == 10 && strncmp(r->uri, "/feed.atom", 10) == 0)
        return feed(c, r, q ? q + 1 : "", q ? r->uri_len - plen - 1 : 0);
    if (plen == 4 && strncmp(r->uri, "/api", 4) == 0) {
        sv_api_result res;
        sv_api_not_found(&res, "/api");
        return send_result(c, r, &res);
    }
    return static_file(c, r, r->uri, plen);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    conn_waiting(c, true); /* the next request's head is due from now */
    req *r = *con_cls;
    if (!r)
        return;
    char shown[201];
    size_t n = r->uri_len < 200 ? r->uri_len : 200;
    for (size_t i = 0; i < n; i++)
        shown[i] = (unsigned char)r->uri[i] < 0x20 || r->uri[i] == 0x7f ? '?' : r->uri[i];
    shown[n] = 0;
    logf_("%s %s%s %d %zu %.1fms%s\n", r->method[0] ? r->method : "-", shown,
          r->uri_len > 200 ? "..." : "", r->status, r->bytes, (omen_now() - r->t0) * 1e3,
          toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    free(r->uri);
    free(r);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (!S.opt.log)
        return;
    pthread_mutex_lock(&S.log_lock);
    fputs("omen serve: ", S.opt.log);
    vfprintf(S.opt.log, fmt, ap);
    fflush(S.opt.log);
    pthread_mutex_unlock(&S.log_lock);
}

/* ---------------------------------------------------------------- run */

static struct MHD_Daemon *start(struct sockaddr_storage *addr, omen_error *err, omen_status *s)
{
    unsigned threads = S.opt.threads;
    if (!threads) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu > 0 ? (unsigned)(2 * ncpu) : 2;
        threads = threads > 16 ? 16 : threads < 2 ? 2 : threads;
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (addr->ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = sv_mhd.start_daemon(
        flags, (uint16_t)S.opt.port, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        S.opt.max_conns + (S.opt.max_conns / 8 > 16 ? S.opt.max_conns / 8 : 16),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, S.opt.per_ip_conns, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, NULL, MHD_OPTION_CONNECTION_TIMEOUT, S.opt.timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, S.opt.memory_limit, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
        NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!d)
        *s = omen_error_set(err, OMEN_E_IO, "cannot listen on %s port %d: %s", S.opt.host,
                            S.opt.port,
                            errno ? strerror(errno) : "libmicrohttpd refused the options");
    return d;
}

static bool resolve_host(struct sockaddr_storage *addr)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", S.opt.port);
    if (getaddrinfo(S.opt.host, port, &hints, &res) != 0 || !res)
        return false;
    memset(addr, 0, sizeof *addr);
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return true;
}

/* Waits for SIGINT/SIGTERM; checks the store for changes every second meanwhile, so a reload
 * happens even before the next request asks. */
static int wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM)
            return sig;
        reap_slow();
        maybe_reload();
    }
}

static void drain(struct MHD_Daemon *d)
{
    sv_mhd.quiesce_daemon(d);
    for (int i = 0; i < 50; i++) { /* up to 5 s for the requests in flight */
        const union MHD_DaemonInfo *info =
            sv_mhd.get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    sv_mhd.stop_daemon(d);
}

omen_status omen_server_run(const omen_server_options *opt, omen_error *err)
{
    /* libmicrohttpd is loaded here, not linked (server/mhd.c says why), before any thread. */
    const char *why = sv_mhd_load();
    if (why)
        return omen_error_set(
            err, OMEN_E_IO,
            "serve needs libmicrohttpd, which could not be loaded: %s. Install it (Debian, "
            "Ubuntu: apt-get install libmicrohttpd12) or put libmicrohttpd.so.12 on "
            "LD_LIBRARY_PATH",
            why);
    S.opt = *opt;
#ifdef __GLIBC__
    /* Answers and their tables are large, short-lived blocks freed by other threads. glibc
     * raises its mmap threshold after each such free, so later ones come from the arenas and
     * their pages stay resident after free; a fixed threshold keeps them mapped and returned
     * (8 concurrent builds of a 100 MB answer, 2 at a time: peak RSS +397 to +438 MiB without,
     * +340 to +376 MiB with; tests/http/test_big_answers.py). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    for (size_t i = 0; i < opt->n_allow_hosts; i++)
        S.any_host |= strcmp(opt->allow_hosts[i], "*") == 0;
    pthread_mutex_init(&S.lock, NULL);
    pthread_mutex_init(&S.reload_lock, NULL);
    pthread_mutex_init(&S.log_lock, NULL);
    pthread_mutex_init(&S.conn_lock, NULL);
    pthread_mutex_init(&S.compute_lock, NULL);
    pthread_cond_init(&S.compute_free, NULL);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    S.compute_max = opt->computations ? opt->computations : ncpu > 0 ? (unsigned)ncpu : 1;
    char *web = opt->web_dir ? strdup(opt->web_dir) : omen_server_default_web_dir();
    bool web_ok = realpath(web, S.webroot) && is_dir(S.webroot);
    omen_status s = OMEN_OK;
    if (!web_ok)
        s = omen_error_set(err, OMEN_E_USAGE, "web folder '%s' not found (--web DIR)", web);
    free(web);
    if (s != OMEN_OK)
        return s;
    omen_field_info fi; /* builds the taxonomy's static texts before any thread reads them */
    for (size_t i = 0; omen_taxonomy_field_at(i, &fi); i++)
        ;
    (void)omen_query_help();
    s = sv_live_load(opt->db, opt->cache_bytes, &S.current, err);
    if (s != OMEN_OK)
        return s;
    struct sockaddr_storage addr;
    if (!resolve_host(&addr)) {
        sv_live_release(S.current);
        return omen_error_set(err, OMEN_E_USAGE, "cannot resolve host '%s'", opt->host);
    }
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old); /* MHD's threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = start(&addr, err, &s);
    if (d) {
        const union MHD_DaemonInfo *info = sv_mhd.get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        int port = info ? info->port : opt->port;
        char url[300];
        bool v6 = strchr(opt->host, ':') != NULL;
        snprintf(url, sizeof url, "http://%s%s%s:%d/", v6 ? "[" : "", opt->host, v6 ? "]" : "",
                 port);
        logf_("omen serve: panel %s (%lld models, %s), web %s\n", S.current->version,
              (long long)sv_info_int(S.current->info, "models"),
              sv_info_int(S.current->info, "synthetic") ? "synthetic" : "real data", S.webroot);
        if (opt->ready)
            opt->ready(url, opt->ready_ctx);
        int sig = wait_for_signal();
        logf_("omen serve: %s: finishing requests in flight, then stopping\n",
              sig == SIGINT ? "SIGINT" : "SIGTERM");
        drain(d);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    sv_live_release(S.current);
    S.current = NULL;
    return s;
}
