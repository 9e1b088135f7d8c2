/* build.c: builds the serialised panel from the SQLite store in one ordered pass per table.
 *
 * Downloads are read in primary-key order (model, week), which is the CSR order, so the
 * largest table streams straight into its arrays. */
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

/* One ordered pass over the largest table: days are collected first and turned into week
 * indexes afterwards, so no separate scan is needed for the first and last week. */
static omen_status read_downloads(builder *b, omen_progress_fn progress, void *ctx)
{
    sqlite3_stmt *q =
        prepare(b, "SELECT model, week, downloads FROM downloads ORDER BY model, week");
    if (!q)
        return OMEN_RUNTIME;
    size_t n_models = b->m_name.n, m = 0;
    vec days = VEC(int32_t);
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    *(uint64_t *)vec_push(&b->dl_off) = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        if (id < 0 || id > b->max_id || b->index_of_id[id] < 0)
            continue;
        size_t ix = (size_t)b->index_of_id[id];
        while (m < ix) {
            *(uint64_t *)vec_push(&b->dl_off) = days.n;
            m++;
        }
        int32_t week = omen_date_week_monday(sqlite3_column_int(q, 1));
        lo = week < lo ? week : lo;
        hi = week > hi ? week : hi;
        *(int32_t *)vec_push(&days) = week;
        *(uint64_t *)vec_push(&b->dl_count) = (uint64_t)sqlite3_column_int64(q, 2);
        if (progress && (days.n & 0xFFFFF) == 0)
            progress(ctx, "building panel", days.n, 0);
    }
    sqlite3_finalize(q);
    while (m < n_models) {
        *(uint64_t *)vec_push(&b->dl_off) = days.n;
        m++;
    }
    b->first_week = days.n ? lo : 0;
    b->last_week = days.n ? hi : -7;
    if ((b->last_week - b->first_week) / 7 + 1 > 65535) {
        free(days.p);
        return omen_error_set(b->err, OMEN_E_STORE, "the panel spans more than 65535 weeks");
    }
    b->dl_week.p = omen_xmalloc((days.n ? days.n : 1) * sizeof(uint16_t));
    b->dl_week.n = b->dl_week.cap = days.n;
    const int32_t *d = days.p;
    uint16_t *w = b->dl_week.p;
    for (size_t i = 0; i < days.n; i++)
        w[i] = (uint16_t)((d[i] - b->first_week) / 7);
    free(days.p);
    return OMEN_OK;
}

static size_t align64(size_t x)
{
    return (x + 63) & ~(size_t)63;
}

/* Lays the gathered arrays out into one block behind the header. */
static void serialise(builder *b, omen_block_header *h, void **out, size_t *out_len)
{
    const void *src[S_COUNT];
    size_t len[S_COUNT];
    omen_intern *s = &b->strings;
    uint64_t *str_off = omen_xmalloc((s->count + 1) * sizeof(uint64_t));
    for (uint32_t i = 0; i <= s->count; i++)
        str_off[i] = i < s->count ? s->offsets[i] : s->blob_len;
    uint32_t *dev_names = omen_xmalloc((b->devs.count + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < b->devs.count; i++) {
        const char *name = omen_intern_str(&b->devs, i);
        dev_names[i] = omen_intern_add(s, name, strlen(name));
    }
    /* Interning developer names may have added strings: redo the offsets. */
    str_off = omen_xrealloc(str_off, (s->count + 1) * sizeof(uint64_t));
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
        src[k] = vecs[k] ? vecs[k]->p : NULL;
        len[k] = vecs[k] ? vecs[k]->n * vecs[k]->size : 0;
    }
    src[S_STR_OFF] = str_off;
    len[S_STR_OFF] = (s->count + 1) * sizeof(uint64_t);
    src[S_STR_BLOB] = s->blob;
    len[S_STR_BLOB] = s->blob_len;
    src[S_D_NAME] = dev_names;
    len[S_D_NAME] = b->devs.count * sizeof(uint32_t);
    size_t nm = b->m_name.n;
    uint64_t *total = omen_xmalloc((nm ? nm : 1) * sizeof *total);
    int32_t *created_eff = omen_xmalloc((nm ? nm : 1) * sizeof *created_eff);
    uint8_t *created_src = omen_xmalloc(nm ? nm : 1);
    omen_panel_model_facts(b->dl_off.p, b->dl_week.p, b->dl_count.p, b->m_created.p, b->first_week,
                           nm, total, created_eff, created_src);
    src[S_F_TOTAL] = total;
    len[S_F_TOTAL] = nm * sizeof *total;
    src[S_F_CREATED] = created_eff;
    len[S_F_CREATED] = nm * sizeof *created_eff;
    src[S_F_SRC] = created_src;
    len[S_F_SRC] = nm;
    /* The week-major index is written straight into the block below (it is the largest part
     * after the downloads themselves: no second copy on the heap). */
    h->nnz_week = omen_week_index_rows(b->dl_count.p, b->dl_count.n);
    len[S_W_ORDER] = nm * sizeof(uint32_t);
    len[S_W_OFF] = ((size_t)h->n_weeks + 1) * sizeof(uint64_t);
    len[S_W_RANK] = len[S_W_COUNT] = h->nnz_week * sizeof(uint32_t);
    len[S_F_ROOT] = nm * sizeof(uint32_t);
    len[S_W_CREATED] = nm * sizeof(int32_t);
    size_t pos = align64(sizeof *h);
    for (int k = 0; k < S_COUNT; k++) {
        h->off[k] = pos;
        h->len[k] = len[k];
        pos = align64(pos + len[k]);
    }
    h->total_size = pos;
    h->n_strings = s->count;
    h->str_bytes = s->blob_len;
    char *block = omen_xcalloc(1, pos);
    memcpy(block, h, sizeof *h);
    for (int k = 0; k < S_COUNT; k++)
        if (len[k] && src[k])
            memcpy(block + h->off[k], src[k], len[k]);
    omen_week_index wk = {(uint32_t *)(void *)(block + h->off[S_W_ORDER]),
                          (int32_t *)(void *)(block + h->off[S_W_CREATED]),
                          (uint64_t *)(void *)(block + h->off[S_W_OFF]),
                          (uint32_t *)(void *)(block + h->off[S_W_RANK]),
                          (uint32_t *)(void *)(block + h->off[S_W_COUNT]),
                          0};
    omen_week_index_fill(b->dl_off.p, b->dl_week.p, b->dl_count.p, created_eff, nm, h->n_weeks,
                         &wk);
    /* The roots walk the graph by names: through a view of the block laid out so far. */
    omen_panel view = {0};
    view.n_models = (uint32_t)nm;
    view.str_off = (const uint64_t *)(const void *)(block + h->off[S_STR_OFF]);
    view.str_blob = block + h->off[S_STR_BLOB];
    view.model_name = (const uint32_t *)(const void *)(block + h->off[S_M_NAME]);
    view.parent_off = (const uint64_t *)(const void *)(block + h->off[S_P_OFF]);
    view.parent_model = (const uint32_t *)(const void *)(block + h->off[S_P_MODEL]);
    h->first_cycles = omen_panel_first_roots(&view, (uint32_t *)(void *)(block + h->off[S_F_ROOT]));
    ((omen_block_header *)(void *)block)->first_cycles = h->first_cycles;
    ((omen_block_header *)(void *)block)->checksum = omen_panel_checksum(block, pos);
    free(str_off);
    free(dev_names);
    free(total);
    free(created_eff);
    free(created_src);
    *out = block;
    *out_len = pos;
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

omen_status omen_panel_build_block(omen_store *st, omen_progress_fn progress, void *ctx,
                                   void **block, size_t *len, omen_error *err)
{
    builder b = {.st = st, .err = err};
    omen_intern_init(&b.strings);
    omen_intern_init(&b.devs);
    b.m_name = b.m_dev = b.m_pipe = b.m_lib = b.m_lic = VEC(uint32_t);
    b.m_created = VEC(int32_t);
    b.m_params = b.m_bytes = VEC(int64_t);
    b.m_gated = b.m_psrc = b.m_flags = b.a_heur = VEC(uint8_t);
    b.d_country = b.d_org = b.p_model = b.p_rel = b.a_field = b.a_value = VEC(uint32_t);
    b.p_off = b.a_off = b.dl_off = b.dl_count = VEC(uint64_t);
    b.dl_week = VEC(uint16_t);
    omen_panel_stamp stamp;
    omen_status s = omen_panel_stamp_of(st, &stamp, err);
    if (s == OMEN_OK)
        s = read_models(&b);
    if (s == OMEN_OK)
        s = read_developers(&b);
    if (s == OMEN_OK)
        s = read_csr(&b, "SELECT child, parent, relation FROM edges ORDER BY child, position",
                     &b.p_off, &b.p_model, &b.p_rel, NULL, true);
    if (s == OMEN_OK)
        s = read_csr(&b, "SELECT model, field, value, source FROM annotations ORDER BY model",
                     &b.a_off, &b.a_field, &b.a_value, &b.a_heur, false);
    if (s == OMEN_OK)
        s = read_downloads(&b, progress, ctx);
    if (s == OMEN_OK) {
        omen_block_header h = {0};
        memcpy(h.magic, OMEN_BLOCK_MAGIC, 8);
        h.version = OMEN_BLOCK_VERSION;
        h.header_size = sizeof h;
        memcpy(h.store_id, stamp.store_id, sizeof h.store_id);
        h.generation = stamp.generation;
        h.db_size = stamp.db_size;
        h.db_mtime_ns = stamp.db_mtime_ns;
        h.n_models = (uint32_t)b.m_name.n;
        h.n_developers = b.devs.count;
        h.first_week = b.first_week;
        h.n_weeks = (uint32_t)((b.last_week - b.first_week) / 7 + 1);
        h.synthetic = omen_store_is_synthetic(st);
        h.schema_version = omen_store_schema_version();
        h.nnz = b.dl_week.n;
        h.n_parents = b.p_model.n;
        h.n_annotations = b.a_field.n;
        serialise(&b, &h, block, len);
    }
    builder_free(&b);
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
