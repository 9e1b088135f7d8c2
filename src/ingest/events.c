/* events.c: the `events` source: raw download events (model, user, timestamp) become weekly
 * downloads, counting one download per user, model and UTC day, as the paper counts them.
 *
 * A request log can be far larger than memory, so files are streamed (gzip read directly) and
 * the deduplication is an external sort: keys fill a buffer of --memory bytes, each full
 * buffer is sorted, deduplicated and spilled to a run file, and the runs are merged at the
 * end, where the unique (model, day, user) keys are counted per model and ISO week. */
#include "events.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../util/fileio.h"
#include "../util/gzstream.h"

/* A deduplication key: hi = model name id << 32 | (day + DAY_BIAS), lo = 64-bit hash of the
 * user. Sorting by (hi, lo) groups a model's days in order, which the weekly sums need. */
typedef struct {
    uint64_t hi, lo;
} ev_key;

#define DAY_BIAS   (1u << 30)
#define READ_CHUNK (4u << 20)
#define MAX_FAN_IN 64 /* runs merged at once; more are first merged in batches */
#define RUN_BUF    (1u << 16)

struct omen_events {
    ev_key *buf;
    size_t n, cap;
    FILE **runs;
    size_t nruns, runs_cap;
    const char *tmp_dir;
    size_t fan_in;
    uint64_t events, unique, spilled_runs;
};

omen_events *omen_events_new(const omen_ingest_options *opt)
{
    omen_events *ev = omen_xcalloc(1, sizeof *ev);
    uint64_t mem = opt->memory_limit ? opt->memory_limit : (uint64_t)1 << 30;
    /* Three quarters for keys; the rest covers the model names, read buffers and the merge. */
    ev->cap = (size_t)(mem / 4 * 3 / sizeof(ev_key));
    if (ev->cap < 1024)
        ev->cap = 1024;
    /* OMEN_EVENTS_FAN_IN lowers the fan-in so that tests reach the batch merges with small
     * logs; it is a testing knob, not an option. */
    const char *fan = getenv("OMEN_EVENTS_FAN_IN");
    ev->fan_in = fan && atoi(fan) >= 2 && atoi(fan) <= MAX_FAN_IN ? (size_t)atoi(fan) : MAX_FAN_IN;
    ev->tmp_dir = opt->tmp_dir;
    if (!ev->tmp_dir)
        ev->tmp_dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    return ev;
}

void omen_events_free(omen_events *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->nruns; i++)
        if (ev->runs[i])
            fclose(ev->runs[i]);
    free(ev->runs);
    free(ev->buf);
    free(ev);
}

/* ---------------------------------------------------------------- keys and runs */

static inline int key_cmp(const ev_key *a, const ev_key *b)
{
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static void insertion_sort(ev_key *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        ev_key k = v[i];
        size_t j = i;
        while (j > 0 && key_cmp(&k, &v[j - 1]) < 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = k;
    }
}

/* Quicksort with an inlined comparison (qsort's callback costs about 3x on 16-byte keys);
 * median of three, recursion on the smaller side so the stack stays logarithmic. */
static void sort_keys(ev_key *v, size_t n)
{
    while (n > 24) {
        ev_key *a = &v[0], *b = &v[n / 2], *c = &v[n - 1], *m;
        if (key_cmp(a, b) < 0)
            m = key_cmp(b, c) < 0 ? b : key_cmp(a, c) < 0 ? c : a;
        else
            m = key_cmp(a, c) < 0 ? a : key_cmp(b, c) < 0 ? c : b;
        ev_key pivot = *m;
        size_t i = 0, j = n - 1;
        for (;;) {
            while (key_cmp(&v[i], &pivot) < 0)
                i++;
            while (key_cmp(&pivot, &v[j]) < 0)
                j--;
            if (i >= j)
                break;
            ev_key t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        size_t left = j + 1;
        if (left < n - left) {
            sort_keys(v, left);
            v += left;
            n -= left;
        } else {
            sort_keys(v + left, n - left);
            n = left;
        }
    }
    insertion_sort(v, n);
}

static size_t dedupe_sorted(ev_key *v, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (out == 0 || key_cmp(&v[out - 1], &v[i]) != 0)
            v[out++] = v[i];
    return out;
}

/* An unnamed temporary file in the spill folder (unlinked at once, so nothing is left behind
 * even when the process is killed). */
static FILE *temp_file(const char *dir, omen_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/omen-events-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        omen_error_set(err, OMEN_E_IO, "%s: cannot create a spill file: %s", dir, strerror(errno));
        return NULL;
    }
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        close(fd);
        omen_error_set(err, OMEN_E_IO, "%s: cannot open a spill file", dir);
    }
    return f;
}

static void add_run(omen_events *ev, FILE *f)
{
    if (ev->nruns == ev->runs_cap) {
        ev->runs_cap = ev->runs_cap ? ev->runs_cap * 2 : 16;
        ev->runs = omen_xrealloc(ev->runs, ev->runs_cap * sizeof *ev->runs);
    }
    ev->runs[ev->nruns++] = f;
}

/* Sorts and deduplicates the buffer and writes it out as one run. */
static omen_status spill(omen_events *ev, omen_error *err)
{
    if (ev->n == 0)
        return OMEN_OK;
    sort_keys(ev->buf, ev->n);
    size_t n = dedupe_sorted(ev->buf, ev->n);
    FILE *f = temp_file(ev->tmp_dir, err);
    if (!f)
        return OMEN_RUNTIME;
    if (fwrite(ev->buf, sizeof *ev->buf, n, f) != n || fflush(f) != 0) {
        fclose(f);
        return omen_error_set(err, OMEN_E_IO, "%s: cannot write a spill file: %s", ev->tmp_dir,
                              strerror(errno));
    }
    rewind(f);
    add_run(ev, f);
    ev->spilled_runs++;
    ev->n = 0;
    return OMEN_OK;
}

static omen_status add_key(omen_events *ev, uint32_t model, int32_t day, uint64_t user,
                           omen_error *err)
{
    /* Pages of the buffer are touched only as keys arrive, so small logs stay small. */
    if (!ev->buf)
        ev->buf = omen_xmalloc(ev->cap * sizeof *ev->buf);
    if (ev->n == ev->cap && spill(ev, err) != OMEN_OK)
        return OMEN_RUNTIME;
    ev->buf[ev->n++] =
        (ev_key){((uint64_t)model << 32) | (uint32_t)(day + (int32_t)DAY_BIAS), user};
    ev->events++;
    return OMEN_OK;
}

/* ---------------------------------------------------------------- merging */

typedef struct {
    FILE *f;
    ev_key buf[RUN_BUF / sizeof(ev_key)];
    size_t pos, len;
} run_reader;

static bool run_next(run_reader *r, ev_key *out)
{
    if (r->pos == r->len) {
        r->len = fread(r->buf, sizeof(ev_key), sizeof r->buf / sizeof r->buf[0], r->f);
        r->pos = 0;
        if (r->len == 0)
            return false;
    }
    *out = r->buf[r->pos++];
    return true;
}

/* A k-way merge of sorted runs through a binary heap of their heads; emit() sees every
 * distinct key once, in order. */
typedef omen_status (*emit_fn)(void *ctx, const ev_key *k, omen_error *err);

typedef struct {
    ev_key key;
    size_t run;
} heap_item;

static void sift_down(heap_item *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && key_cmp(&h[l].key, &h[m].key) < 0)
            m = l;
        if (l + 1 < n && key_cmp(&h[l + 1].key, &h[m].key) < 0)
            m = l + 1;
        if (m == i)
            return;
        heap_item t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static omen_status merge(FILE **runs, size_t k, emit_fn emit, void *ctx, omen_error *err)
{
    run_reader *rd = omen_xcalloc(k, sizeof *rd);
    heap_item *h = omen_xmalloc((k ? k : 1) * sizeof *h);
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        rd[i].f = runs[i];
        if (run_next(&rd[i], &h[n].key))
            h[n++].run = i;
    }
    for (size_t i = n / 2; i-- > 0;)
        sift_down(h, n, i);
    ev_key last = {0, 0};
    bool have = false;
    omen_status s = OMEN_OK;
    while (n && s == OMEN_OK) {
        ev_key k0 = h[0].key;
        if (!have || key_cmp(&last, &k0) != 0)
            s = emit(ctx, &k0, err);
        last = k0;
        have = true;
        if (!run_next(&rd[h[0].run], &h[0].key))
            h[0] = h[--n];
        sift_down(h, n, 0);
    }
    for (size_t i = 0; s == OMEN_OK && i < k; i++)
        if (ferror(runs[i]))
            s = omen_error_set(err, OMEN_E_IO, "cannot read back a spill file");
    free(rd);
    free(h);
    return s;
}

static omen_status emit_to_file(void *ctx, const ev_key *k, omen_error *err)
{
    if (fwrite(k, sizeof *k, 1, (FILE *)ctx) != 1)
        return omen_error_set(err, OMEN_E_IO, "cannot write a spill file: %s", strerror(errno));
    return OMEN_OK;
}

/* Keeps the fan-in of the final merge at ev->fan_in by merging the oldest runs into one
 * (each key is then read and written once more). */
static omen_status reduce_runs(omen_events *ev, omen_error *err)
{
    size_t k = ev->fan_in;
    while (ev->nruns > k) {
        FILE *out = temp_file(ev->tmp_dir, err);
        if (!out)
            return OMEN_RUNTIME;
        omen_status s = merge(ev->runs, k, emit_to_file, out, err);
        if (s == OMEN_OK && fflush(out) != 0)
            s = omen_error_set(err, OMEN_E_IO, "cannot write a spill file: %s", strerror(errno));
        if (s != OMEN_OK) {
            fclose(out);
            return s;
        }
        rewind(out);
        for (size_t i = 0; i < k; i++)
            fclose(ev->runs[i]);
        memmove(ev->runs, ev->runs + k, (ev->nruns - k) * sizeof *ev->runs);
        ev->nruns -= k;
        add_run(ev, out);
    }
    return OMEN_OK;
}

/* Counting unique keys per (model, ISO week) as they come out of the merge, in key order. */
typedef struct {
    omen_events *ev;
    omen_obs_list *obs;
    uint32_t model;
    int32_t week;
    uint64_t count;
} weekly_sum;

static void flush_week(weekly_sum *w)
{
    if (!w->count)
        return;
    omen_obs_push(w->obs, w->model, w->week, w->count, OMEN_WHERE(0, 0));
    w->count = 0;
}

static omen_status emit_weekly(void *ctx, const ev_key *k, omen_error *err)
{
    (void)err;
    weekly_sum *w = ctx;
    uint32_t model = (uint32_t)(k->hi >> 32);
    int32_t week = omen_date_week_monday((int32_t)((uint32_t)k->hi - DAY_BIAS));
    if (model != w->model || week != w->week) {
        flush_week(w);
        w->model = model;
        w->week = week;
    }
    w->count++;
    w->ev->unique++;
    return OMEN_OK;
}

omen_status omen_events_finish(omen_events *ev, omen_obs_list *obs, omen_error *err)
{
    omen_status s = OMEN_OK;
    if (ev->nruns) /* spill the tail too, so the merge sees only runs */
        s = spill(ev, err);
    if (s == OMEN_OK)
        s = reduce_runs(ev, err);
    weekly_sum w = {.ev = ev, .obs = obs, .model = UINT32_MAX};
    if (s != OMEN_OK)
        return s;
    if (ev->nruns) {
        s = merge(ev->runs, ev->nruns, emit_weekly, &w, err);
    } else {
        sort_keys(ev->buf, ev->n);
        size_t n = dedupe_sorted(ev->buf, ev->n);
        for (size_t i = 0; i < n; i++)
            emit_weekly(&w, &ev->buf[i], err);
    }
    flush_week(&w);
    free(ev->buf);
    ev->buf = NULL;
    return s;
}

void omen_events_summary(const omen_events *ev, char *out, size_t size)
{
    snprintf(out, size,
             "events: %llu read, %llu duplicates of a (user, model, UTC day) dropped, %llu "
             "downloads counted%s",
             (unsigned long long)ev->events, (unsigned long long)(ev->events - ev->unique),
             (unsigned long long)ev->unique, ev->spilled_runs ? "" : "; no spill needed");
    if (ev->spilled_runs) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "; %llu sorted runs spilled to %s and merged",
                 (unsigned long long)ev->spilled_runs, ev->tmp_dir);
    }
}

/* ---------------------------------------------------------------- parsing */

/* 64-bit FNV-1a with a murmur finaliser: users are only compared for equality within one
 * (model, day), where two different ids collide with probability 2^-64 per pair. */
static uint64_t user_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* Epoch seconds (digits with an optional fraction, or a JSON number) or an ISO 8601 date or
 * datetime (a zone shifts it to UTC; none means UTC). Gives the UTC day. */
static bool parse_timestamp(const char *s, size_t len, int32_t *day)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i > 0 && (i == len || s[i] == '.')) {
        size_t j = i + (i < len);
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j != len || i > 12)
            return false;
        int64_t secs = 0;
        for (size_t k = 0; k < i; k++)
            secs = secs * 10 + (s[k] - '0');
        if (secs >= (int64_t)86400 * 365 * 230)
            return false;
        *day = (int32_t)(secs / 86400);
        return true;
    }
    return omen_date_parse(s, len, day);
}

typedef struct {
    omen_events *ev;
    omen_reader *r;
    omen_error *err;
    int is_json; /* -1 undecided */
    omen_header h;
    bool have_header;
    bool fatal;
} file_state;

static const char *const model_alias[] = {"model_id", "repo_id", "repo", "id", NULL};
static const char *const user_alias[] = {"user_id", "client", "client_id", "ip_hash", NULL};
static const char *const time_alias[] = {"time", "ts", "datetime", "date", "event_time", NULL};
static const omen_column_spec specs[3] = {
    {"model", model_alias, true}, {"user", user_alias, true}, {"timestamp", time_alias, true}};

static void one_event(file_state *fs, uint64_t line, omen_field model, omen_field user,
                      omen_field ts)
{
    omen_reader *r = fs->r;
    int32_t day;
    r->rows_read++;
    omen_field id = model;
    bool ok = true;
    if (!omen_parse_model_id(&id)) {
        char idwhy[400];
        omen_reader_error(r, line, "%s", omen_model_id_why(model, idwhy, sizeof idwhy));
        ok = false;
    }
    if (user.len == 0) {
        omen_reader_error(r, line, "user is empty");
        ok = false;
    }
    if (!parse_timestamp(ts.ptr, ts.len, &day)) {
        omen_reader_error(r, line,
                          "timestamp '%.*s' is not ISO 8601 (2024-05-01T12:00:00Z) or epoch "
                          "seconds",
                          (int)ts.len, ts.ptr);
        ok = false;
    }
    if (!ok) {
        r->rows_bad++;
        return;
    }
    uint32_t m = omen_rows_name(r->rows, id.ptr, id.len);
    if (add_key(fs->ev, m, day, user_hash(user.ptr, user.len), fs->err) != OMEN_OK)
        fs->fatal = true;
}

static omen_field json_text(const cJSON *o, const char *const *names, char *num, size_t cap)
{
    for (size_t i = 0; names[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, names[i]);
        if (cJSON_IsString(v))
            return (omen_field){v->valuestring, strlen(v->valuestring)};
        if (cJSON_IsNumber(v)) {
            snprintf(num, cap, "%.3f", v->valuedouble);
            return (omen_field){num, strlen(num)};
        }
    }
    return (omen_field){"", 0};
}

static void json_line(file_state *fs, char *line, size_t len, uint64_t lineno)
{
    static const char *const model_keys[] = {"model", "model_id", "repo_id", "repo", "id", NULL};
    static const char *const user_keys[] = {"user", "user_id", "client", "client_id", NULL};
    static const char *const time_keys[] = {"timestamp", "time", "ts", "datetime", "date", NULL};
    if (omen_json_has_nul(line, len)) {
        fs->r->rows_read++;
        fs->r->rows_bad++;
        omen_reader_error(fs->r, lineno, "a JSON string holds a NUL character (\\u0000)");
        return;
    }
    cJSON *o = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(o)) {
        fs->r->rows_read++;
        fs->r->rows_bad++;
        omen_reader_error(fs->r, lineno, "not a JSON object");
        cJSON_Delete(o);
        return;
    }
    char n1[64], n2[64], n3[64];
    one_event(fs, lineno, json_text(o, model_keys, n1, sizeof n1),
              json_text(o, user_keys, n2, sizeof n2), json_text(o, time_keys, n3, sizeof n3));
    cJSON_Delete(o);
}

/* Parses the complete records of buf[0..len) (the caller guarantees len ends at a record
 * boundary unless at_eof); returns how many bytes were consumed. */
static size_t parse_chunk(file_state *fs, char *buf, size_t len, uint64_t line0, bool at_eof)
{
    omen_reader *r = fs->r;
    if (fs->is_json < 0) {
        size_t i = 0;
        while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
            i++;
        fs->is_json = i < len && buf[i] == '{';
    }
    if (fs->is_json) {
        size_t pos = 0;
        uint64_t line = line0;
        while (pos < len && !fs->fatal) {
            char *nl = memchr(buf + pos, '\n', len - pos);
            if (!nl && !at_eof)
                break;
            size_t end = nl ? (size_t)(nl - buf) : len;
            size_t s = pos;
            while (s < end && (buf[s] == ' ' || buf[s] == '\t' || buf[s] == '\r'))
                s++;
            if (s < end)
                json_line(fs, buf + s, end - s, line);
            line++;
            pos = nl ? end + 1 : len;
        }
        return pos;
    }
    omen_csv csv;
    omen_csv_init(&csv, buf, len);
    csv.line = csv.next_line = line0;
    if (!fs->have_header) {
        if (!omen_reader_header(r, &csv, specs, 3, &fs->h)) {
            fs->fatal = true;
            return len;
        }
        fs->have_header = true;
    }
    omen_field fields[OMEN_MAX_COLUMNS];
    size_t n, consumed = csv.pos;
    for (;;) {
        size_t start = csv.pos;
        omen_csv_result res = omen_csv_next(&csv, fields, OMEN_MAX_COLUMNS, &n);
        if (res == OMEN_CSV_END)
            break;
        if (res == OMEN_CSV_UNTERMINATED && !at_eof) {
            consumed = start; /* the record goes on in the next chunk */
            break;
        }
        if (res == OMEN_CSV_UNTERMINATED) {
            r->rows_read++;
            r->rows_bad++;
            omen_reader_error(r, csv.line, "a quoted field is not closed before the end");
        } else if (res == OMEN_CSV_TOO_MANY) {
            r->rows_read++;
            r->rows_bad++;
            omen_reader_error(r, csv.line, "more than %d fields", OMEN_MAX_COLUMNS);
        } else {
            one_event(fs, csv.line, omen_reader_get(&fs->h, fields, n, 0),
                      omen_reader_get(&fs->h, fields, n, 1), omen_reader_get(&fs->h, fields, n, 2));
        }
        consumed = csv.pos;
        if (fs->fatal)
            break;
    }
    return consumed;
}

static uint64_t count_lines(const char *s, size_t n)
{
    uint64_t k = 0;
    for (const char *p = s, *e = s + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        k++;
    return k;
}

omen_status omen_events_read(omen_events *ev, omen_reader *r, char sha[65], uint64_t *bytes,
                             omen_error *err)
{
    omen_gzstream *gz = omen_gzstream_open(r->path);
    if (!gz)
        return omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", r->path, strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    size_t cap = READ_CHUNK, have = 0;
    char *buf = omen_xmalloc(cap + 1);
    file_state fs = {.ev = ev, .r = r, .err = err, .is_json = -1};
    uint64_t line = 1, total = 0;
    omen_status s = OMEN_OK;
    bool eof = false;
    uint64_t base = 0; /* offset of buf[0] in the (decompressed) file */
    while (!eof && !fs.fatal) {
        if (cap - have < READ_CHUNK / 2) { /* a record longer than the chunk: grow */
            if (have > OMEN_MAX_LINE) {    /* the same bound as every reader (fileio.h) */
                omen_reader_error(r, line,
                                  "line %llu is longer than %zu MiB (the longest line an input "
                                  "may have)",
                                  (unsigned long long)line, OMEN_MAX_LINE >> 20);
                break;
            }
            cap *= 2;
            buf = omen_xrealloc(buf, cap + 1);
        }
        char why[256];
        long got = omen_gzstream_read(gz, buf + have, cap - have, why, sizeof why);
        if (got < 0) {
            /* A corrupt, cut or trailed stream is bad input (exit 3), as for every reader. */
            s = got == -1 ? omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", r->path,
                                           strerror(errno))
                          : omen_error_set(err, OMEN_E_DATA, "%s: %s", r->path, why);
            break;
        }
        EVP_DigestUpdate(md, buf + have, (size_t)got);
        bool first = total == 0;
        total += (uint64_t)got;
        have += (size_t)got;
        eof = got == 0;
        if (total == 0 && eof)
            break;
        /* A UTF-8 byte order mark is not part of the header (as for every reader). */
        if (first && have >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
            memmove(buf, buf + 3, have - 3);
            have -= 3;
            base = 3;
        }
        buf[have] = 0;
        size_t upto = have;
        if (!eof) { /* whole lines only; a quoted newline is carried over by parse_chunk */
            while (upto > 0 && buf[upto - 1] != '\n')
                upto--;
            if (upto == 0)
                continue;
        }
        /* The text rule of every reader: UTF-8 throughout, no NUL (a model id must not be
         * stored as invalid UTF-8). Lines carried over are checked again; that is rare. */
        size_t bad = omen_text_invalid(buf, upto);
        if (bad != SIZE_MAX) {
            uint64_t at = base + bad;
            unsigned byte = (unsigned char)buf[bad];
            if (at < OMEN_SNIFF_BYTES)
                omen_reader_error(r, 1,
                                  "the file is binary, not CSV or JSON Lines text (byte 0x%02x "
                                  "at offset %llu, line %llu, is %s)",
                                  byte, (unsigned long long)at,
                                  (unsigned long long)(line + count_lines(buf, bad)),
                                  byte ? "not UTF-8" : "a NUL");
            else
                omen_reader_error(r, line + count_lines(buf, bad),
                                  "byte 0x%02x at offset %llu is %s: every input must be UTF-8 "
                                  "text throughout",
                                  byte, (unsigned long long)at, byte ? "not UTF-8" : "a NUL");
            break;
        }
        char keep = buf[upto];
        buf[upto] = 0;
        size_t used = parse_chunk(&fs, buf, upto, line, eof);
        buf[upto] = keep;
        line += count_lines(buf, used);
        memmove(buf, buf + used, have - used);
        have -= used;
        base += used;
        if (eof && have) /* an unterminated record at the very end was reported */
            have = 0;
    }
    if (fs.fatal && s == OMEN_OK && err->code)
        s = OMEN_RUNTIME;
    unsigned char digest[32];
    unsigned int dlen = 0;
    EVP_DigestFinal_ex(md, digest, &dlen);
    EVP_MD_CTX_free(md);
    for (unsigned i = 0; i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", digest[i]);
    *bytes = total;
    omen_gzstream_close(gz);
    free(buf);
    if (s == OMEN_OK && total == 0)
        omen_diag_add(r->diag, r->path, 1, "the file is empty");
    return s;
}
