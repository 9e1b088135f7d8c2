/* pull.c: `omen pull`: fetches today's Hub listing (or a hub-stats models.parquet) with libcurl
 * and ingests it as a snapshot, so that a weekly cron job keeps the store current.
 *
 * The listing is paged by the Link: rel="next" header. Every page is appended to a JSON Lines
 * file in a state folder beside the store, and only then is the cursor written (atomically), so
 * an interrupted pull resumes at the first page it had not finished. 429 and 5xx answers and
 * broken transfers are retried with exponential backoff, honouring Retry-After.
 *
 * libcurl is loaded with dlopen() when a pull starts, not linked: as a NEEDED entry it brought
 * some 25 libraries of its own (gnutls, nettle, hogweed, gmp, idn2, ldap, sasl, krb5, ssh2,
 * rtmp, psl, brotli, nghttp2, ...) into every process, and with libpq and libmicrohttpd it was
 * most of the start-up of every command (`omen --help`: 29 ms task-clock linked, 14 ms without,
 * perf stat -r 30 on 2 busy cores; 14.6 M instructions against 4.5 M). curl/curl.h still gives
 * the types and prototypes at compile time. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "omen/omen.h"
#include "../util/error.h"

/* The fields of a listing record omen reads (DESIGN section 4, reader 7). */
static const char *const expand[] = {
    "author",       "createdAt", "downloads",   "downloadsAllTime", "tags",     "pipeline_tag",
    "library_name", "gated",     "safetensors", "usedStorage",      "cardData", NULL};

typedef struct {
    char *buf;
    size_t len, cap;
} buffer;

static void buf_put(buffer *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1 << 16;
        b->buf = omen_xrealloc(b->buf, b->cap);
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    b->buf[b->len] = 0;
}

typedef struct {
    const omen_pull_options *opt;
    omen_pull_report *rep;
    char dir[4096], raw[4200], state[4200];
    char date[11];
    CURL *curl;
} pull;

/* ---------------------------------------------------------------- libcurl, loaded on demand */

/* Every curl_* function this file calls. omen is not linked with -lcurl, so a call that bypasses
 * this table fails at link time rather than at run time. */
#define CURL_FNS(X)                                                                                \
    X(global_init)                                                                                 \
    X(global_cleanup)                                                                              \
    X(easy_init)                                                                                   \
    X(easy_cleanup)                                                                                \
    X(easy_setopt)                                                                                 \
    X(easy_getinfo)                                                                                \
    X(easy_perform)                                                                                \
    X(easy_strerror)

/* curl_NAME is called as curl.NAME, typed by curl.h's own prototype. curl.h's GCC checks of
 * curl_easy_setopt's argument types are a macro over the function name, which calls through
 * this table bypass: each option is given its documented type by hand (1L, (curl_off_t)). */
static struct {
#define CURL_FIELD(name) __typeof__(curl_##name) *name;
    CURL_FNS(CURL_FIELD)
#undef CURL_FIELD
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_loaded;
static char curl_why[2048]; /* why it did not load: each name tried and dlerror() for it */

/* Debian 12's SONAME of libcurl (OpenSSL flavour), the GnuTLS flavour's, then the unversioned
 * name that only the -dev package provides. */
static void curl_load(void)
{
    static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
#define CURL_NAME(name) #name,
#define CURL_SLOT(name) (void *)&curl.name,
    static const char *const symbols[] = {CURL_FNS(CURL_NAME)};
    void *const slots[] = {CURL_FNS(CURL_SLOT)};
#undef CURL_NAME
#undef CURL_SLOT
    curl_loaded = omen_library_load(names, sizeof names / sizeof names[0], "curl_", symbols, slots,
                                    sizeof slots / sizeof slots[0], "a libcurl omen can use",
                                    curl_why, sizeof curl_why);
}

/* Loads libcurl once per process (safe from any thread); fills err when it cannot. */
static omen_status curl_open(omen_error *err)
{
    pthread_once(&curl_once, curl_load);
    if (curl_loaded)
        return OMEN_OK;
    return omen_error_set(err, OMEN_E_IO,
                          "pull needs libcurl, which could not be loaded: %s. Install it "
                          "(Debian, Ubuntu: apt-get install libcurl4) or put libcurl.so.4 on "
                          "LD_LIBRARY_PATH",
                          curl_why);
}

/* ---------------------------------------------------------------- HTTP with retries */

typedef struct {
    buffer body;
    char next[8192];    /* Link: rel="next" target */
    double retry_after; /* seconds, -1 when absent */
    FILE *sink;         /* parquet download: body goes to the file */
} response;

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    response *r = ctx;
    if (r->sink)
        return fwrite(p, size, n, r->sink) * size;
    buf_put(&r->body, p, size * n);
    return size * n;
}

/* Picks the rel="next" target out of a Link header: <url>; rel="next", <url>; rel="prev". */
static void parse_link(const char *v, size_t n, char *out, size_t cap)
{
    const char *end = v + n;
    while (v < end) {
        const char *lt = memchr(v, '<', (size_t)(end - v));
        if (!lt)
            return;
        const char *gt = memchr(lt, '>', (size_t)(end - lt));
        if (!gt)
            return;
        const char *stop = memchr(gt, ',', (size_t)(end - gt));
        if (!stop)
            stop = end;
        size_t plen = (size_t)(stop - gt);
        char params[512];
        snprintf(params, sizeof params, "%.*s", (int)(plen < 511 ? plen : 511), gt);
        if ((strstr(params, "rel=\"next\"") || strstr(params, "rel=next")) &&
            (size_t)(gt - lt - 1) < cap) {
            memcpy(out, lt + 1, (size_t)(gt - lt - 1));
            out[gt - lt - 1] = 0;
            return;
        }
        v = stop + 1;
    }
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    response *r = ctx;
    size_t len = size * n;
    if (len > 5 && strncasecmp(p, "link:", 5) == 0)
        parse_link(p + 5, len - 5, r->next, sizeof r->next);
    else if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
        char v[64];
        snprintf(v, sizeof v, "%.*s", (int)(len - 12 < 63 ? len - 12 : 63), p + 12);
        char *e = NULL;
        double s = strtod(v, &e);
        if (e != v && s >= 0)
            r->retry_after = s;
    }
    return len;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* GETs url into r (or r->sink from byte `resume_from`), retrying 429, 5xx and broken
 * transfers. Returns the final HTTP status (200/206) or fails with a message. */
static omen_status get(pull *p, const char *url, response *r, omen_error *err)
{
    const omen_pull_options *opt = p->opt;
    int max = opt->max_retries >= 0 ? opt->max_retries : 6;
    double backoff = opt->backoff > 0 ? opt->backoff : 1.0;
    for (int attempt = 0;; attempt++) {
        r->body.len = 0;
        r->next[0] = 0;
        r->retry_after = -1;
        long from = 0;
        if (r->sink) {
            fflush(r->sink);
            from = ftell(r->sink);
        }
        curl.easy_setopt(p->curl, CURLOPT_URL, url);
        curl.easy_setopt(p->curl, CURLOPT_WRITEDATA, r);
        curl.easy_setopt(p->curl, CURLOPT_HEADERDATA, r);
        curl.easy_setopt(p->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)(r->sink ? from : 0));
        CURLcode cc = curl.easy_perform(p->curl);
        long status = 0;
        curl.easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &status);
        bool ok = cc == CURLE_OK && (status == 200 || (status == 206 && r->sink));
        if (ok)
            return OMEN_OK;
        bool transient = cc != CURLE_OK
                             ? cc != CURLE_URL_MALFORMAT && cc != CURLE_UNSUPPORTED_PROTOCOL
                             : status == 429 || status >= 500;
        char what[256];
        if (cc != CURLE_OK)
            snprintf(what, sizeof what, "%s", curl.easy_strerror(cc));
        else
            snprintf(what, sizeof what, "HTTP %ld", status);
        if (r->sink && cc == CURLE_RANGE_ERROR && from > 0) {
            /* The server cannot resume: start the file again, at once. */
            if (ftruncate(fileno(r->sink), 0) == 0)
                rewind(r->sink);
            attempt--;
            continue;
        }
        if (!transient || attempt >= max)
            return omen_error_set(err, OMEN_E_IO, "%s: %s%s", url, what,
                                  transient ? " (retries exhausted; run omen pull again to "
                                              "resume)"
                                            : "");
        double wait = r->retry_after >= 0 ? r->retry_after : backoff * pow(2, attempt);
        if (wait > 600)
            wait = 600;
        p->rep->retries++;
        if (opt->notify)
            opt->notify(opt->notify_ctx, url, what, wait);
        sleep_s(wait);
    }
}

/* ---------------------------------------------------------------- the resumable state */

typedef struct {
    char next[8192];
    uint64_t pages, models;
    long offset; /* bytes of the raw file that hold whole pages */
} cursor;

static bool state_read(pull *p, cursor *c)
{
    FILE *f = fopen(p->state, "r");
    if (!f)
        return false;
    char line[8300], base[4096] = "";
    bool good = false;
    memset(c, 0, sizeof *c);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (strncmp(line, "base ", 5) == 0)
            snprintf(base, sizeof base, "%.4095s", line + 5);
        else if (strncmp(line, "next ", 5) == 0)
            snprintf(c->next, sizeof c->next, "%.8191s", line + 5);
        else if (strncmp(line, "pages ", 6) == 0)
            c->pages = strtoull(line + 6, NULL, 10);
        else if (strncmp(line, "models ", 7) == 0)
            c->models = strtoull(line + 7, NULL, 10);
        else if (strncmp(line, "offset ", 7) == 0)
            c->offset = strtol(line + 7, NULL, 10), good = true;
    }
    fclose(f);
    return good && strcmp(base, p->opt->base_url) == 0;
}

static omen_status state_write(pull *p, const cursor *c, omen_error *err)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", p->state);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return omen_error_set(err, OMEN_E_IO, "%s: %s", tmp, strerror(errno));
    fprintf(f, "omen-pull 1\ndate %s\nbase %s\nnext %s\npages %llu\nmodels %llu\noffset %ld\n",
            p->date, p->opt->base_url, c->next, (unsigned long long)c->pages,
            (unsigned long long)c->models, c->offset);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, p->state) != 0)
        return omen_error_set(err, OMEN_E_IO, "%s: %s", p->state, strerror(errno));
    return OMEN_OK;
}

/* ---------------------------------------------------------------- the listing */

static void first_url(pull *p, char *out, size_t cap, uint32_t page)
{
    size_t n = (size_t)snprintf(out, cap, "%s/api/models?limit=%u", p->opt->base_url, page);
    for (const char *const *e = expand; *e && n < cap; e++)
        n += (size_t)snprintf(out + n, cap - n, "&expand%%5B%%5D=%s", *e);
}

/* Appends a page's records as JSON lines; false when the body is not a JSON array. */
static bool append_page(FILE *raw, const char *body, uint64_t room, uint64_t *added)
{
    cJSON *arr = cJSON_Parse(body);
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return false;
    }
    const cJSON *it;
    *added = 0;
    cJSON_ArrayForEach(it, arr)
    {
        if (*added >= room)
            break;
        char *line = cJSON_PrintUnformatted(it);
        fputs(line, raw);
        fputc('\n', raw);
        free(line);
        (*added)++;
    }
    cJSON_Delete(arr);
    return true;
}

static omen_status fetch_listing(pull *p, omen_error *err)
{
    const omen_pull_options *opt = p->opt;
    uint32_t page = opt->page_size ? opt->page_size : 1000;
    cursor c;
    if (state_read(p, &c)) {
        p->rep->resumed = true;
        p->rep->pages = c.pages;
        p->rep->models = c.models;
    } else {
        memset(&c, 0, sizeof c);
        first_url(p, c.next, sizeof c.next,
                  opt->limit && opt->limit < page ? (uint32_t)opt->limit : page);
    }
    FILE *raw = fopen(p->raw, c.offset ? "r+" : "w");
    if (!raw || ftruncate(fileno(raw), c.offset) != 0 || fseek(raw, c.offset, SEEK_SET) != 0) {
        if (raw)
            fclose(raw);
        return omen_error_set(err, OMEN_E_IO, "%s: %s", p->raw, strerror(errno));
    }
    omen_status s = OMEN_OK;
    response r = {0};
    while (s == OMEN_OK && c.next[0] && !(opt->limit && c.models >= opt->limit)) {
        s = get(p, c.next, &r, err);
        if (s != OMEN_OK)
            break;
        uint64_t added = 0, room = opt->limit ? opt->limit - c.models : UINT64_MAX;
        if (!append_page(raw, r.body.buf ? r.body.buf : "", room, &added)) {
            s = omen_error_set(err, OMEN_E_IO, "%s: the answer is not a JSON array of models",
                               c.next);
            break;
        }
        p->rep->bytes += r.body.len;
        if (fflush(raw) != 0 || fsync(fileno(raw)) != 0) {
            s = omen_error_set(err, OMEN_E_IO, "%s: %s", p->raw, strerror(errno));
            break;
        }
        c.offset = ftell(raw);
        c.pages++;
        c.models += added;
        snprintf(c.next, sizeof c.next, "%s", r.next);
        s = state_write(p, &c, err);
        p->rep->pages = c.pages;
        p->rep->models = c.models;
        if (opt->progress)
            opt->progress(opt->progress_ctx, "pull", c.models, opt->limit);
    }
    free(r.body.buf);
    if (fclose(raw) != 0 && s == OMEN_OK)
        s = omen_error_set(err, OMEN_E_IO, "%s: %s", p->raw, strerror(errno));
    return s;
}

/* ---------------------------------------------------------------- hub-stats Parquet */

static omen_status fetch_parquet(pull *p, omen_error *err)
{
    char part[4300];
    snprintf(part, sizeof part, "%s.part", p->raw);
    struct stat sb;
    if (stat(p->raw, &sb) == 0) {
        p->rep->resumed = true;
        return OMEN_OK; /* downloaded whole before, the ingest was what failed */
    }
    FILE *f = fopen(part, "a");
    if (!f)
        return omen_error_set(err, OMEN_E_IO, "%s: %s", part, strerror(errno));
    if (ftell(f) > 0)
        p->rep->resumed = true;
    response r = {.sink = f};
    omen_status s = get(p, p->opt->parquet_url, &r, err);
    if (s == OMEN_OK)
        p->rep->bytes = (uint64_t)ftell(f);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (s == OMEN_OK && (!ok || rename(part, p->raw) != 0))
        s = omen_error_set(err, OMEN_E_IO, "%s: %s", p->raw, strerror(errno));
    return s;
}

/* ---------------------------------------------------------------- the whole pull */

void omen_pull_report_free(omen_pull_report *rep)
{
    if (!rep)
        return;
    omen_ingest_report_free(&rep->ingest);
    free(rep->raw_path);
    rep->raw_path = NULL;
}

static omen_status setup(pull *p, const char *db_path, omen_error *err)
{
    const omen_pull_options *opt = p->opt;
    if (opt->state_dir)
        snprintf(p->dir, sizeof p->dir, "%s", opt->state_dir);
    else
        snprintf(p->dir, sizeof p->dir, "%s.pull", db_path);
    if (mkdir(p->dir, 0777) != 0 && errno != EEXIST)
        return omen_error_set(err, OMEN_E_IO, "%s: %s", p->dir, strerror(errno));
    int32_t day = opt->date_given ? opt->date : (int32_t)(time(NULL) / 86400);
    omen_date_format(day, p->date);
    snprintf(p->raw, sizeof p->raw, "%s/%s.%s", p->dir, p->date,
             opt->parquet_url ? "parquet" : "jsonl");
    snprintf(p->state, sizeof p->state, "%s/%s.state", p->dir, p->date);
    p->rep->raw_path = omen_xstrdup(p->raw);
    p->curl = curl.easy_init();
    if (!p->curl)
        return omen_error_set(err, OMEN_E_IO, "libcurl: cannot start");
    curl.easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(p->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(p->curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl.easy_setopt(p->curl, CURLOPT_USERAGENT, "omen/" OMEN_VERSION);
    curl.easy_setopt(p->curl, CURLOPT_ACCEPT_ENCODING, "");
    curl.easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT, 30L);
    /* A stalled transfer (under 1 byte/s for a minute) counts as broken and is retried. */
    curl.easy_setopt(p->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl.easy_setopt(p->curl, CURLOPT_LOW_SPEED_TIME, 60L);
    curl.easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
    return OMEN_OK;
}

omen_status omen_pull(omen_store *store, const char *db_path, const omen_pull_options *opt,
                      omen_pull_report *rep, omen_error *err)
{
    memset(rep, 0, sizeof *rep);
    if (!opt->base_url || !*opt->base_url)
        return omen_error_set(err, OMEN_E_USAGE, "pull: no base URL");
    omen_status s = curl_open(err);
    if (s != OMEN_OK)
        return s;
    pull p = {.opt = opt, .rep = rep};
    curl.global_init(CURL_GLOBAL_DEFAULT);
    s = setup(&p, db_path, err);
    if (s == OMEN_OK)
        s = opt->parquet_url ? fetch_parquet(&p, err) : fetch_listing(&p, err);
    if (p.curl)
        curl.easy_cleanup(p.curl);
    curl.global_cleanup();
    if (s != OMEN_OK)
        return s;
    omen_ingest_options io = {.source = OMEN_SOURCE_SNAPSHOT,
                              .kind = OMEN_KIND_CUMULATIVE,
                              .skip_bad = opt->skip_bad,
                              .progress = opt->progress,
                              .progress_ctx = opt->progress_ctx,
                              .date = opt->date_given ? opt->date : (int32_t)(time(NULL) / 86400),
                              .date_given = true};
    const char *paths[1] = {p.raw};
    s = omen_ingest_files(store, &io, paths, 1, &rep->ingest, err);
    if (s != OMEN_OK)
        return s; /* the raw file and state stay: fix and run again */
    remove(p.state);
    if (!opt->keep_raw) {
        remove(p.raw);
        rmdir(p.dir); /* only when empty */
    }
    return OMEN_OK;
}
