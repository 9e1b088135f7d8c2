/* server.c: `omen serve`: libmicrohttpd with a thread pool, the JSON/CSV API over the analysis
 * registry (/api/meta, /api/<analysis>), ETags and 304s, the per-panel result cache, static
 * files from the web folder (never outside it), limits, one log line per request, live reload
 * of the panel when the store changes, and a clean stop on SIGINT/SIGTERM. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
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

static struct {
    omen_server_options opt;
    char webroot[PATH_MAX];
    pthread_mutex_t lock;        /* guards current */
    pthread_mutex_t reload_lock; /* one reload at a time */
    sv_live *current;
    sv_stamp failed; /* the stamp whose load failed: not retried until the file changes */
    pthread_mutex_t log_lock;
} S;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
        double t0 = now_s();
        sv_live *fresh = NULL;
        omen_error err = {0};
        if (sv_live_load(S.opt.db, S.opt.cache_bytes, &fresh, &err) == OMEN_OK) {
            pthread_mutex_lock(&S.lock);
            sv_live *old = S.current;
            S.current = fresh;
            pthread_mutex_unlock(&S.lock);
            sv_live_release(old);
            logf_("omen serve: store changed: panel reloaded (%s, %.0f ms)\n", fresh->version,
                  (now_s() - t0) * 1e3);
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

static enum MHD_Result send_buf(struct MHD_Connection *c, req *r, int status, char *body,
                                size_t len, const char *type)
{
    struct MHD_Response *resp =
        sv_mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
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

static enum MHD_Result send_304(struct MHD_Connection *c, req *r, const char *etag)
{
    struct MHD_Response *resp = sv_mhd.create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
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

static void api_headers(struct MHD_Response *resp, bool json, bool gz, const char *etag,
                        const char *version)
{
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                               json ? "application/json" : "text/csv; charset=utf-8");
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
    sv_mhd.add_response_header(resp, "X-Omen-Store-Version", version);
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

/* Answers a valid API request: 304 when the client has it, else from the cache, else runs the
 * analysis and caches the answer. One cache entry per representation: format and gzip. */
static enum MHD_Result api_answer(struct MHD_Connection *c, req *r, sv_live *l,
                                  const omen_analysis *a, const sv_params *ps, omen_format fmt,
                                  const char *canon)
{
    bool gz = accepts_gzip(c);
    char etag[96], key_fmt = !a ? 'm' : fmt == OMEN_FORMAT_CSV ? 'c' : 'j';
    unsigned long long h = sv_fnv(sv_fnv(SV_FNV_SEED, &key_fmt, 1), canon, strlen(canon));
    snprintf(etag, sizeof etag, "\"%s-%016llx%s\"", l->version, h, gz ? "-gz" : "");
    if (etag_matches(c, etag))
        return send_304(c, r, etag);
    size_t klen = strlen(canon);
    char *ckey = malloc(klen + 3);
    if (!ckey)
        abort();
    ckey[0] = key_fmt;
    ckey[1] = gz ? 'z' : '-';
    memcpy(ckey + 2, canon, klen + 1);
    int queued = MHD_NO;
    enum MHD_Result ret;
    bool claimed = false;
    if (sv_cache_queue_or_claim(l, ckey, c, &queued, &r->bytes, &claimed)) {
        r->status = 200;
        free(ckey);
        return (enum MHD_Result)queued;
    }
    sv_api_result res = {0};
    if (!a) {
        res.status = 200;
        res.json = true;
        res.len = l->meta_len;
        res.body = malloc(res.len + 1);
        memcpy(res.body, l->meta_json, res.len + 1);
    } else {
        sv_api_run(l->panel, a, ps, fmt, &res);
    }
    if (res.status != 200) {
        ret = send_result(c, r, &res);
        sv_cache_unclaim(l, ckey);
    } else {
        size_t zlen = 0;
        char *z = gz ? gzip_body(res.body, res.len, &zlen) : NULL;
        if (z) {
            free(res.body);
            res.body = z;
            res.len = zlen;
        }
        struct MHD_Response *resp =
            sv_mhd.create_response_from_buffer(res.len, res.body, MHD_RESPMEM_MUST_FREE);
        api_headers(resp, res.json, z != NULL, etag, l->version);
        ret = sv_mhd.queue_response(c, MHD_HTTP_OK, resp);
        r->status = 200;
        r->bytes = res.len;
        sv_cache_put(l, ckey, resp, etag, res.len);
    }
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
    if (etag_matches(c, etag))
        return send_304(c, r, etag);
    int fd = open(gz ? realgz : real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return send_error(c, r, MHD_HTTP_NOT_FOUND, "not found");
    struct MHD_Response *resp = sv_mhd.create_response_from_fd64((uint64_t)use->st_size, fd);
    if (!resp) {
        close(fd);
        return send_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot send the file");
    }
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, sv_content_type(rel));
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    sv_mhd.add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    sv_mhd.add_response_header(resp, "X-Content-Type-Options", "nosniff");
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
    r->t0 = now_s();
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
    if (!get) /* at once: the connection is closed after it, the body never read */
        return send_error(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are allowed");
    if (r->uri_len > S.opt.max_url)
        return send_error(c, r, MHD_HTTP_URI_TOO_LONG, "request target too long");
    const char *q = memchr(r->uri, '?', r->uri_len);
    size_t plen = q ? (size_t)(q - r->uri) : r->uri_len;
    if (plen >= 5 && strncmp(r->uri, "/api/", 5) == 0)
        return api(c, r, r->uri, plen, q ? q + 1 : "", q ? r->uri_len - plen - 1 : 0);
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
    (void)c;
    req *r = *con_cls;
    if (!r)
        return;
    char shown[201];
    size_t n = r->uri_len < 200 ? r->uri_len : 200;
    for (size_t i = 0; i < n; i++)
        shown[i] = (unsigned char)r->uri[i] < 0x20 || r->uri[i] == 0x7f ? '?' : r->uri[i];
    shown[n] = 0;
    logf_("%s %s%s %d %zu %.1fms%s\n", r->method[0] ? r->method : "-", shown,
          r->uri_len > 200 ? "..." : "", r->status, r->bytes, (now_s() - r->t0) * 1e3,
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

static omen_status fail(omen_error *err, omen_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static omen_status fail(omen_error *err, omen_errcode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sv_buf b = {0};
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sv_buf_puts(&b, tmp);
    if (err) {
        omen_error_clear(err);
        err->code = code;
        err->message = b.s;
    } else {
        free(b.s);
    }
    return omen_error_status(code);
}

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
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, S.opt.max_conns,
        MHD_OPTION_CONNECTION_TIMEOUT, S.opt.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        S.opt.memory_limit, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_END);
    if (!d)
        *s = fail(err, OMEN_E_IO, "cannot listen on %s port %d: %s", S.opt.host, S.opt.port,
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
        return fail(err, OMEN_E_IO,
                    "serve needs libmicrohttpd, which could not be loaded: %s. Install it (Debian, "
                    "Ubuntu: apt-get install libmicrohttpd12) or put libmicrohttpd.so.12 on "
                    "LD_LIBRARY_PATH",
                    why);
    S.opt = *opt;
    pthread_mutex_init(&S.lock, NULL);
    pthread_mutex_init(&S.reload_lock, NULL);
    pthread_mutex_init(&S.log_lock, NULL);
    char *web = opt->web_dir ? strdup(opt->web_dir) : omen_server_default_web_dir();
    bool web_ok = realpath(web, S.webroot) && is_dir(S.webroot);
    omen_status s = OMEN_OK;
    if (!web_ok)
        s = fail(err, OMEN_E_USAGE, "web folder '%s' not found (--web DIR)", web);
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
        return fail(err, OMEN_E_USAGE, "cannot resolve host '%s'", opt->host);
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
        logf_("omen serve: panel %s (%llu models, %s), web %s\n", S.current->version,
              (unsigned long long)S.current->info.models,
              S.current->info.synthetic ? "synthetic" : "real data", S.webroot);
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
