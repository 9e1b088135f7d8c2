/* build.c: builds the serialised panel from the SQLite store in one ordered pass per table.
 *
 * Writing commands build the cache at their end (docs/architecture.md), so this is on the path
 * of every ingest: downloads, in primary-key order (model, week), which is the CSR order, are
 * read on two connections at once, and the panel is kept in parts (the header and each
 * section's own array) that panel.c writes to the cache file directly, with no copy of the
 * whole block in memory. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../store/store.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "../util/intern.h"
#include "block.h"
#include "panel.h"

typedef struct {
    void *p;
    size_t n, cap, size;
} vec;

static void *vec_push(vec *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->p = omen_xrealloc(v->p, v->cap * v->size);
    }
    return (char *)v->p + v->size * v->n++;
}

typedef struct {
    omen_store *st;
    omen_intern strings, devs;
    int64_t *index_of_id; /* store model id -> panel index */
    int64_t max_id;
    vec m_name, m_dev, m_created, m_params, m_bytes, m_pipe, m_lib, m_lic, m_gated, m_psrc, m_flags;
    vec d_country, d_org;
    vec p_off, p_model, p_rel, a_off, a_field, a_value, a_heur, dl_off, dl_week, dl_count;
    int32_t first_week, last_week;
    omen_error *err;
} builder;

#define VEC(T) ((vec){NULL, 0, 0, sizeof(T)})

static uint32_t str_col(builder *b, sqlite3_stmt *q, int col)
{
    const unsigned char *s = sqlite3_column_text(q, col);
    if (!s || !*s)
        return OMEN_NONE;
    return omen_intern_add(&b->strings, (const char *)s, (size_t)sqlite3_column_bytes(q, col));
}

static uint8_t gated_code(const unsigned char *s)
{
    if (!s)
        return OMEN_GATED_UNKNOWN;
    if (strcmp((const char *)s, "no") == 0)
        return OMEN_GATED_NO;
    return strcmp((const char *)s, "manual") == 0 ? OMEN_GATED_MANUAL : OMEN_GATED_AUTO;
}

static uint8_t psrc_code(const unsigned char *s)
{
    if (!s)
        return OMEN_PARAMS_NONE;
    if (strcmp((const char *)s, "estimated") == 0)
        return OMEN_PARAMS_ESTIMATED;
    return strcmp((const char *)s, "official") == 0 ? OMEN_PARAMS_OFFICIAL
                                                    : OMEN_PARAMS_SAFETENSORS;
}

static sqlite3_stmt *prepare(builder *b, const char *sql)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(omen_store_db(b->st), sql, -1, &q, NULL) != SQLITE_OK) {
        omen_error_set(b->err, OMEN_E_SQLITE, "%s: %s", omen_store_path(b->st),
                       sqlite3_errmsg(omen_store_db(b->st)));
        return NULL;
    }
    return q;
}

/* The developer of a model: the models row's, else the namespace of its id. */
static uint32_t developer_of(builder *b, sqlite3_stmt *q)
{
    const char *dev = (const char *)sqlite3_column_text(q, 2);
    size_t len;
    if (dev && *dev) {
        len = (size_t)sqlite3_column_bytes(q, 2);
    } else {
        dev = (const char *)sqlite3_column_text(q, 1);
        const char *slash = strchr(dev, '/');
        len = slash ? (size_t)(slash - dev) : strlen(dev);
    }
    return omen_intern_add(&b->devs, dev, len);
}

static omen_status read_models(builder *b)
{
    sqlite3_stmt *q = prepare(b, "SELECT id, name, developer, created, pipeline_tag, library, "
                                 "license, gated, params, params_source, file_bytes, "
                                 "(created IS NOT NULL OR pipeline_tag IS NOT NULL OR library "
                                 "IS NOT NULL OR params IS NOT NULL OR developer IS NOT NULL "
                                 "OR file_bytes IS NOT NULL OR license IS NOT NULL) "
                                 "FROM models ORDER BY id");
    if (!q)
        return OMEN_RUNTIME;
    vec ids = VEC(int64_t);
    while (sqlite3_step(q) == SQLITE_ROW) {
        *(int64_t *)vec_push(&ids) = sqlite3_column_int64(q, 0);
        *(uint32_t *)vec_push(&b->m_name) = str_col(b, q, 1);
        *(uint32_t *)vec_push(&b->m_dev) = developer_of(b, q);
        const unsigned char *c = sqlite3_column_text(q, 3);
        int32_t day = OMEN_NO_DATE;
        if (c)
            omen_date_parse((const char *)c, strlen((const char *)c), &day);
        *(int32_t *)vec_push(&b->m_created) = day;
        *(uint32_t *)vec_push(&b->m_pipe) = str_col(b, q, 4);
        *(uint32_t *)vec_push(&b->m_lib) = str_col(b, q, 5);
        *(uint32_t *)vec_push(&b->m_lic) = str_col(b, q, 6);
        *(uint8_t *)vec_push(&b->m_gated) = gated_code(sqlite3_column_text(q, 7));
        bool has_params = sqlite3_column_type(q, 8) != SQLITE_NULL;
        *(int64_t *)vec_push(&b->m_params) = has_params ? sqlite3_column_int64(q, 8) : -1;
        *(uint8_t *)vec_push(&b->m_psrc) =
            has_params ? psrc_code(sqlite3_column_text(q, 9)) : OMEN_PARAMS_NONE;
        *(int64_t *)vec_push(&b->m_bytes) =
            sqlite3_column_type(q, 10) != SQLITE_NULL ? sqlite3_column_int64(q, 10) : -1;
        *(uint8_t *)vec_push(&b->m_flags) = sqlite3_column_int(q, 11) ? OMEN_MODEL_IN_STORE : 0;
    }
    sqlite3_finalize(q);
    int64_t *v = ids.p;
    b->max_id = ids.n ? v[ids.n - 1] : 0;
    b->index_of_id = omen_xmalloc((size_t)(b->max_id + 1) * sizeof(int64_t));
    memset(b->index_of_id, 0xff, (size_t)(b->max_id + 1) * sizeof(int64_t));
    for (size_t i = 0; i < ids.n; i++)
        b->index_of_id[v[i]] = (int64_t)i;
    free(ids.p);
    return OMEN_OK;
}

static omen_status read_developers(builder *b)
{
    size_t n = b->devs.count;
    b->d_country.n = b->d_org.n = 0;
    for (size_t i = 0; i < n; i++) {
        *(uint32_t *)vec_push(&b->d_country) = OMEN_NONE;
        *(uint32_t *)vec_push(&b->d_org) = OMEN_NONE;
    }
    sqlite3_stmt *q = prepare(b, "SELECT name, country, org_type FROM developers");
    if (!q)
        return OMEN_RUNTIME;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        uint32_t d = omen_intern_find(&b->devs, name, (size_t)sqlite3_column_bytes(q, 0));
        if (d == UINT32_MAX)
            continue; /* a developer with no models is not an entity of the panel */
        ((uint32_t *)b->d_country.p)[d] = str_col(b, q, 1);
        ((uint32_t *)b->d_org.p)[d] = str_col(b, q, 2);
    }
    sqlite3_finalize(q);
    return OMEN_OK;
}

/* Reads (model, a, b) rows ordered by model into CSR offsets plus two columns. */
static omen_status read_csr(builder *b, const char *sql, vec *off, vec *c1, vec *c2, vec *c3,
                            bool first_is_model)
{
    sqlite3_stmt *q = prepare(b, sql);
    if (!q)
        return OMEN_RUNTIME;
    size_t n_models = b->m_name.n, m = 0;
    *(uint64_t *)vec_push(off) = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        if (id < 0 || id > b->max_id || b->index_of_id[id] < 0)
            continue;
        size_t ix = (size_t)b->index_of_id[id];
        while (m < ix) {
            *(uint64_t *)vec_push(off) = c1->n;
            m++;
        }
        if (first_is_model) {
            int64_t pid = sqlite3_column_int64(q, 1);
            if (pid < 0 || pid > b->max_id || b->index_of_id[pid] < 0)
                continue;
            *(uint32_t *)vec_push(c1) = (uint32_t)b->index_of_id[pid];
        } else {
            *(uint32_t *)vec_push(c1) = str_col(b, q, 1);
        }
        *(uint32_t *)vec_push(c2) = str_col(b, q, 2);
        if (c3) {
            const unsigned char *src = sqlite3_column_text(q, 3);
            *(uint8_t *)vec_push(c3) = src && strcmp((const char *)src, "heuristic") == 0;
        }
    }
    sqlite3_finalize(q);
    while (m < n_models) {
        *(uint64_t *)vec_push(off) = c1->n;
        m++;
    }
    return OMEN_OK;
}

/* ---------------------------------------------------------------- downloads
 *
 * The downloads table is read in DL_CHUNKS ranges of model ids. A second connection on a
 * worker thread takes ranges while this thread reads the other tables, then both take what is
 * left: at full scale the table is 38 million rows and sqlite3_step is most of the build, so
 * two cores halve it. Each range keeps its rows as (model id, rows) runs, days and counts;
 * they are joined in id order afterwards, so the result is what one ordered pass gives. Both
 * connections read one snapshot: this thread's read transaction holds the store's shared lock
 * from before the worker starts until the end, so no write can commit in between. */

enum { DL_CHUNKS = 64, CHUNK_TODO = 0, CHUNK_DONE = 1, CHUNK_FAILED = 2 };

typedef struct {
    int64_t lo, hi; /* model ids [lo, hi) */
    vec run_id, run_n, days, counts;
    int32_t min, max; /* of the days' Mondays */
    int state;
} dl_chunk;

typedef struct {
    const char *path;
    dl_chunk *chunks;
    size_t n;
    atomic_size_t next;
    atomic_uint_least64_t rows; /* read so far, for progress */
} dl_job;

static const char dl_sql[] = "SELECT model, week, downloads FROM downloads "
                             "WHERE model >= ?1 AND model < ?2 ORDER BY model, week";

static bool read_chunk(sqlite3_stmt *q, dl_chunk *c, atomic_uint_least64_t *rows)
{
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, c->lo);
    sqlite3_bind_int64(q, 2, c->hi);
    int64_t cur = INT64_MIN;
    uint32_t *run = NULL;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    uint64_t since = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        if (id != cur) {
            cur = id;
            *(int64_t *)vec_push(&c->run_id) = id;
            run = vec_push(&c->run_n);
            *run = 0;
        }
        (*run)++;
        int32_t week = omen_date_week_monday(sqlite3_column_int(q, 1));
        lo = week < lo ? week : lo;
        hi = week > hi ? week : hi;
        *(int32_t *)vec_push(&c->days) = week;
        *(uint64_t *)vec_push(&c->counts) = (uint64_t)sqlite3_column_int64(q, 2);
        if (++since == 65536) {
            atomic_fetch_add(rows, since);
            since = 0;
        }
    }
    atomic_fetch_add(rows, since);
    sqlite3_reset(q);
    c->min = lo;
    c->max = hi;
    if (rc != SQLITE_DONE) {
        c->run_id.n = c->run_n.n = c->days.n = c->counts.n = 0;
        return false;
    }
    return true;
}

/* Takes ranges until none is left; a failed range is left for the main thread to read again
 * on its own connection (a worker that cannot read, e.g. SQLITE_BUSY, changes nothing). */
static void take_chunks(dl_job *j, sqlite3_stmt *q)
{
    for (;;) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n)
            return;
        if (!read_chunk(q, &j->chunks[i], &j->rows)) {
            j->chunks[i].state = CHUNK_FAILED;
            return;
        }
        j->chunks[i].state = CHUNK_DONE;
    }
}

static void *dl_worker(void *arg)
{
    dl_job *j = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open_v2(j->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ==
            SQLITE_OK &&
        sqlite3_busy_timeout(db, 10000) == SQLITE_OK &&
        sqlite3_prepare_v2(db, dl_sql, -1, &q, NULL) == SQLITE_OK)
        take_chunks(j, q);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return NULL;
}

static void dl_progress(dl_job *j, omen_progress_fn progress, void *ctx)
{
    if (progress)
        progress(ctx, "building panel", atomic_load(&j->rows), 0);
}

/* Joins the ranges' runs into the CSR arrays, in model id order (ranges ascend, and so do the
 * runs within one). Rows of a model id absent from models are left out, as before. */
static omen_status join_chunks(builder *b, dl_job *j)
{
    uint64_t rows = 0;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < j->n; i++) {
        rows += j->chunks[i].days.n;
        if (j->chunks[i].days.n) {
            lo = j->chunks[i].min < lo ? j->chunks[i].min : lo;
            hi = j->chunks[i].max > hi ? j->chunks[i].max : hi;
        }
    }
    b->first_week = rows ? lo : 0;
    b->last_week = rows ? hi : -7;
    if ((b->last_week - b->first_week) / 7 + 1 > 65535)
        return omen_error_set(b->err, OMEN_E_STORE, "the panel spans more than 65535 weeks");
    size_t n_models = b->m_name.n, m = 0;
    b->dl_off.p = omen_xmalloc((n_models + 1) * sizeof(uint64_t));
    b->dl_off.n = b->dl_off.cap = n_models + 1;
    b->dl_week.p = omen_xmalloc((rows ? rows : 1) * sizeof(uint16_t));
    b->dl_count.p = omen_xmalloc((rows ? rows : 1) * sizeof(uint64_t));
    b->dl_week.cap = b->dl_count.cap = rows;
    uint64_t *off = b->dl_off.p, *count = b->dl_count.p;
    uint16_t *week = b->dl_week.p;
    uint64_t at = 0;
    off[0] = 0;
    for (size_t i = 0; i < j->n; i++) {
        dl_chunk *c = &j->chunks[i];
        const int64_t *ids = c->run_id.p;
        const uint32_t *ns = c->run_n.p;
        const int32_t *days = c->days.p;
        const uint64_t *counts = c->counts.p;
        size_t from = 0;
        for (size_t r = 0; r < c->run_id.n; from += ns[r], r++) {
            int64_t id = ids[r];
            if (id < 0 || id > b->max_id || b->index_of_id[id] < 0)
                continue;
            size_t ix = (size_t)b->index_of_id[id];
            while (m < ix)
                off[++m] = at;
            for (uint32_t k = 0; k < ns[r]; k++)
                week[at + k] = (uint16_t)((days[from + k] - b->first_week) / 7);
            memcpy(count + at, counts + from, ns[r] * sizeof *count);
            at += ns[r];
        }
        free(c->run_id.p);
        free(c->run_n.p);
        free(c->days.p);
        free(c->counts.p);
        memset(c, 0, sizeof *c);
    }
    while (m < n_models)
        off[++m] = at;
    b->dl_week.n = b->dl_count.n = at;
    return OMEN_OK;
}

/* The id span of the downloads, cut into ranges of equal width. */
static omen_status plan_chunks(builder *b, dl_job *j)
{
    sqlite3_stmt *q = prepare(b, "SELECT min(model), max(model) FROM downloads");
    if (!q)
        return OMEN_RUNTIME;
    int64_t lo = 0, hi = -1;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        lo = sqlite3_column_int64(q, 0);
        hi = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    j->n = hi < lo ? 0 : DL_CHUNKS;
    j->chunks = omen_xcalloc(DL_CHUNKS, sizeof *j->chunks);
    uint64_t span = (uint64_t)(hi - lo) + 1;
    for (size_t i = 0; i < j->n; i++) {
        dl_chunk *c = &j->chunks[i];
        c->lo = lo + (int64_t)(span * i / DL_CHUNKS);
        c->hi = i + 1 == DL_CHUNKS ? hi + 1 : lo + (int64_t)(span * (i + 1) / DL_CHUNKS);
        c->run_id = VEC(int64_t);
        c->run_n = VEC(uint32_t);
        c->days = VEC(int32_t);
        c->counts = VEC(uint64_t);
    }
    return OMEN_OK;
}

/* Reads every table. The worker reads downloads while this thread reads the metadata. */
static omen_status read_store(builder *b, bool parallel, omen_progress_fn progress, void *ctx)
{
    dl_job j = {.path = omen_store_path(b->st)};
    atomic_init(&j.next, 0);
    atomic_init(&j.rows, 0);
    omen_status s = plan_chunks(b, &j);
    pthread_t worker;
    bool started =
        s == OMEN_OK && parallel && j.n > 1 && pthread_create(&worker, NULL, dl_worker, &j) == 0;
    if (s == OMEN_OK)
        s = read_models(b);
    if (s == OMEN_OK)
        s = read_developers(b);
    if (s == OMEN_OK)
        s = read_csr(b, "SELECT child, parent, relation FROM edges ORDER BY child, position",
                     &b->p_off, &b->p_model, &b->p_rel, NULL, true);
    if (s == OMEN_OK)
        s = read_csr(b, "SELECT model, field, value, source FROM annotations ORDER BY model",
                     &b->a_off, &b->a_field, &b->a_value, &b->a_heur, false);
    sqlite3_stmt *q = s == OMEN_OK ? prepare(b, dl_sql) : NULL;
    if (s == OMEN_OK && !q)
        s = OMEN_RUNTIME;
    /* Take ranges alongside the worker; then read again what it could not. */
    for (;;) {
        size_t i = s == OMEN_OK ? atomic_fetch_add(&j.next, 1) : j.n;
        if (i >= j.n)
            break;
        j.chunks[i].state = read_chunk(q, &j.chunks[i], &j.rows) ? CHUNK_DONE : CHUNK_FAILED;
        dl_progress(&j, progress, ctx);
    }
    if (started)
        pthread_join(worker, NULL);
    for (size_t i = 0; s == OMEN_OK && i < j.n; i++) {
        if (j.chunks[i].state != CHUNK_DONE && !read_chunk(q, &j.chunks[i], &j.rows))
            s = omen_error_set(b->err, OMEN_E_SQLITE, "%s: %s", omen_store_path(b->st),
                               sqlite3_errmsg(omen_store_db(b->st)));
        dl_progress(&j, progress, ctx);
    }
    sqlite3_finalize(q);
    if (s == OMEN_OK)
        s = join_chunks(b, &j);
    for (size_t i = 0; i < j.n; i++) {
        free(j.chunks[i].run_id.p);
        free(j.chunks[i].run_n.p);
        free(j.chunks[i].days.p);
        free(j.chunks[i].counts.p);
    }
    free(j.chunks);
    return s;
}

/* ---------------------------------------------------------------- the parts of a block */

static size_t align64(size_t x)
{
    return (x + 63) & ~(size_t)63;
}

struct omen_panel_parts {
    builder b;
    omen_block_header h;
    const void *src[S_COUNT];
    void *own[16]; /* what the derived sections point into */
    size_t n_own;
};

static void *own(omen_panel_parts *pp, size_t bytes)
{
    void *p = omen_xmalloc(bytes ? bytes : 1);
    pp->own[pp->n_own++] = p;
    return p;
}

/* Derives what queries read from the cache (per-model facts, the week-major index, the first
 * roots), lays out the sections behind the header, and seals the header with the checksum of
 * the block as it will be laid out. */
static void lay_out(omen_panel_parts *pp)
{
    builder *b = &pp->b;
    omen_block_header *h = &pp->h;
    size_t len[S_COUNT];
    omen_intern *s = &b->strings;
    uint32_t *dev_names = own(pp, (b->devs.count + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < b->devs.count; i++) {
        const char *name = omen_intern_str(&b->devs, i);
        dev_names[i] = omen_intern_add(s, name, strlen(name));
    }
    /* After the developer names, the last strings to be interned. */
    uint64_t *str_off = own(pp, ((size_t)s->count + 1) * sizeof(uint64_t));
    for (uint32_t i = 0; i <= s->count; i++)
        str_off[i] = i < s->count ? s->offsets[i] : s->blob_len;
    const vec *vecs[S_COUNT] = {NULL,         NULL,        &b->m_name,  &b->m_dev,  &b->m_created,
                                &b->m_params, &b->m_bytes, &b->m_pipe,  &b->m_lib,  &b->m_lic,
                                &b->m_gated,  &b->m_psrc,  &b->m_flags, NULL,       &b->d_country,
                                &b->d_org,    &b->p_off,   &b->p_model, &b->p_rel,  &b->a_off,
                                &b->a_field,  &b->a_value, &b->a_heur,  &b->dl_off, &b->dl_week,
                                &b->dl_count, NULL,        NULL,        NULL,       NULL,
                                NULL,         NULL,        NULL,        NULL,       NULL};
    for (int k = 0; k < S_COUNT; k++) {
        pp->src[k] = vecs[k] ? vecs[k]->p : NULL;
        len[k] = vecs[k] ? vecs[k]->n * vecs[k]->size : 0;
    }
    pp->src[S_STR_OFF] = str_off;
    len[S_STR_OFF] = ((size_t)s->count + 1) * sizeof(uint64_t);
    pp->src[S_STR_BLOB] = s->blob;
    len[S_STR_BLOB] = s->blob_len;
    pp->src[S_D_NAME] = dev_names;
    len[S_D_NAME] = b->devs.count * sizeof(uint32_t);
    size_t nm = b->m_name.n;
    uint64_t *total = own(pp, nm * sizeof *total);
    int32_t *created_eff = own(pp, nm * sizeof *created_eff);
    uint8_t *created_src = own(pp, nm);
    omen_panel_model_facts(b->dl_off.p, b->dl_week.p, b->dl_count.p, b->m_created.p, b->first_week,
                           nm, total, created_eff, created_src);
    pp->src[S_F_TOTAL] = total;
    len[S_F_TOTAL] = nm * sizeof *total;
    pp->src[S_F_CREATED] = created_eff;
    len[S_F_CREATED] = nm * sizeof *created_eff;
    pp->src[S_F_SRC] = created_src;
    len[S_F_SRC] = nm;
    h->nnz_week = omen_week_index_rows(b->dl_count.p, b->dl_count.n);
    omen_week_index wk = {own(pp, nm * sizeof(uint32_t)),
                          own(pp, nm * sizeof(int32_t)),
                          own(pp, ((size_t)h->n_weeks + 1) * sizeof(uint64_t)),
                          own(pp, h->nnz_week * sizeof(uint32_t)),
                          own(pp, h->nnz_week * sizeof(uint32_t)),
                          0};
    omen_week_index_fill(b->dl_off.p, b->dl_week.p, b->dl_count.p, created_eff, nm, h->n_weeks,
                         &wk);
    pp->src[S_W_ORDER] = wk.order;
    len[S_W_ORDER] = nm * sizeof(uint32_t);
    pp->src[S_W_CREATED] = wk.created;
    len[S_W_CREATED] = nm * sizeof(int32_t);
    pp->src[S_W_OFF] = wk.off;
    len[S_W_OFF] = ((size_t)h->n_weeks + 1) * sizeof(uint64_t);
    pp->src[S_W_RANK] = wk.rank;
    pp->src[S_W_COUNT] = wk.count;
    len[S_W_RANK] = len[S_W_COUNT] = h->nnz_week * sizeof(uint32_t);
    /* The roots walk the graph by names: through a view of the parts. */
    omen_panel view = {0};
    view.n_models = (uint32_t)nm;
    view.str_off = str_off;
    view.str_blob = s->blob;
    view.model_name = b->m_name.p;
    view.parent_off = b->p_off.p;
    view.parent_model = b->p_model.p;
    uint32_t *root = own(pp, nm * sizeof *root);
    h->first_cycles = omen_panel_first_roots(&view, root);
    pp->src[S_F_ROOT] = root;
    len[S_F_ROOT] = nm * sizeof *root;
    size_t pos = align64(sizeof *h);
    for (int k = 0; k < S_COUNT; k++) {
        h->off[k] = pos;
        h->len[k] = len[k];
        pos = align64(pos + len[k]);
    }
    h->total_size = pos;
    h->n_strings = s->count;
    h->str_bytes = s->blob_len;
    for (int k = 0; k < S_COUNT; k++)
        h->sum[k] = omen_panel_section_sum(pp->src[k], h->len[k]);
    h->checksum = omen_panel_checksum_parts(h, pp->src);
}

const omen_block_header *omen_panel_parts_header(const omen_panel_parts *pp)
{
    return &pp->h;
}

const void *const *omen_panel_parts_sections(const omen_panel_parts *pp)
{
    return pp->src;
}

void omen_panel_parts_block(const omen_panel_parts *pp, void **block, size_t *len)
{
    const omen_block_header *h = &pp->h;
    char *out = omen_xcalloc(1, h->total_size);
    memcpy(out, h, sizeof *h);
    for (int k = 0; k < S_COUNT; k++)
        if (h->len[k])
            memcpy(out + h->off[k], pp->src[k], h->len[k]);
    *block = out;
    *len = h->total_size;
}

static void builder_free(builder *b)
{
    omen_intern_free(&b->strings);
    omen_intern_free(&b->devs);
    free(b->index_of_id);
    vec *all[] = {&b->m_name,  &b->m_dev,  &b->m_created, &b->m_params, &b->m_bytes, &b->m_pipe,
                  &b->m_lib,   &b->m_lic,  &b->m_gated,   &b->m_psrc,   &b->m_flags, &b->d_country,
                  &b->d_org,   &b->p_off,  &b->p_model,   &b->p_rel,    &b->a_off,   &b->a_field,
                  &b->a_value, &b->a_heur, &b->dl_off,    &b->dl_week,  &b->dl_count};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->p);
}

void omen_panel_parts_free(omen_panel_parts *pp)
{
    if (!pp)
        return;
    builder_free(&pp->b);
    for (size_t i = 0; i < pp->n_own; i++)
        free(pp->own[i]);
    free(pp);
}

omen_status omen_panel_build_parts(omen_store *st, omen_progress_fn progress, void *ctx,
                                   omen_panel_parts **out, omen_error *err)
{
    *out = NULL;
    omen_panel_parts *pp = omen_xcalloc(1, sizeof *pp);
    builder *b = &pp->b;
    b->st = st;
    b->err = err;
    omen_intern_init(&b->strings);
    omen_intern_init(&b->devs);
    b->m_name = b->m_dev = b->m_pipe = b->m_lib = b->m_lic = VEC(uint32_t);
    b->m_created = VEC(int32_t);
    b->m_params = b->m_bytes = VEC(int64_t);
    b->m_gated = b->m_psrc = b->m_flags = b->a_heur = VEC(uint8_t);
    b->d_country = b->d_org = b->p_model = b->p_rel = b->a_field = b->a_value = VEC(uint32_t);
    b->p_off = b->a_off = b->dl_off = b->dl_count = VEC(uint64_t);
    b->dl_week = VEC(uint16_t);
    /* One read transaction over the whole build (see the downloads above); inside a
     * transaction of the caller's, whose changes another connection would not see, the
     * downloads are read on this connection alone. */
    sqlite3 *db = omen_store_db(st);
    bool own_txn =
        sqlite3_get_autocommit(db) && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    omen_panel_stamp stamp;
    omen_status s = omen_panel_stamp_of(st, &stamp, err);
    if (s == OMEN_OK)
        s = read_store(b, own_txn && sqlite3_threadsafe(), progress, ctx);
    bool synthetic = s == OMEN_OK && omen_store_is_synthetic(st);
    if (own_txn)
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (s != OMEN_OK) {
        omen_panel_parts_free(pp);
        return s;
    }
    omen_block_header *h = &pp->h;
    memcpy(h->magic, OMEN_BLOCK_MAGIC, 8);
    h->version = OMEN_BLOCK_VERSION;
    h->header_size = sizeof *h;
    memcpy(h->store_id, stamp.store_id, sizeof h->store_id);
    h->generation = stamp.generation;
    h->db_size = stamp.db_size;
    h->db_mtime_ns = stamp.db_mtime_ns;
    h->n_models = (uint32_t)b->m_name.n;
    h->n_developers = b->devs.count;
    h->first_week = b->first_week;
    h->n_weeks = (uint32_t)((b->last_week - b->first_week) / 7 + 1);
    h->synthetic = synthetic;
    h->schema_version = omen_store_schema_version();
    h->nnz = b->dl_week.n;
    h->n_parents = b->p_model.n;
    h->n_annotations = b->a_field.n;
    lay_out(pp);
    *out = pp;
    return OMEN_OK;
}

omen_status omen_panel_build_block(omen_store *st, omen_progress_fn progress, void *ctx,
                                   void **block, size_t *len, omen_error *err)
{
    omen_panel_parts *pp = NULL;
    omen_status s = omen_panel_build_parts(st, progress, ctx, &pp, err);
    if (s == OMEN_OK)
        omen_panel_parts_block(pp, block, len);
    omen_panel_parts_free(pp);
    return s;
}

omen_status omen_panel_stamp_of(omen_store *st, omen_panel_stamp *stamp, omen_error *err)
{
    memset(stamp, 0, sizeof *stamp);
    char *id = omen_store_meta_get(st, "store_id");
    if (id)
        strncpy(stamp->store_id, id, sizeof stamp->store_id - 1);
    free(id);
    stamp->generation = omen_store_generation(st);
    struct stat sb;
    if (stat(omen_store_path(st), &sb) != 0)
        return omen_error_set(err, OMEN_E_IO, "%s: cannot stat the store", omen_store_path(st));
    stamp->db_size = (int64_t)sb.st_size;
    stamp->db_mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    return OMEN_OK;
}
