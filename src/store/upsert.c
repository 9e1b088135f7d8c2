/* upsert.c: writes a batch of validated rows into the store inside an open transaction.
 *
 * Every statement is an upsert that changes a row only when a value differs, so re-ingesting
 * the same rows writes nothing and leaves the generation (and so the panel cache) alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "store_internal.h"

typedef struct {
    omen_store *st;
    const omen_rows *rows;
    int64_t *ids; /* store id per batch name id */
    uint64_t written;
    omen_progress_fn progress;
    void *ctx;
    omen_error *err;
} writer;

static sqlite3_stmt *prepare(writer *w, const char *sql)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(w->st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        omen_store_sqlite_error(w->st, w->err, "prepare");
        return NULL;
    }
    return q;
}

/* Steps a bound statement, counts the rows it changed and resets it. */
static omen_status step(writer *w, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        omen_status s = omen_store_sqlite_error(w->st, w->err, what);
        sqlite3_reset(q);
        return s;
    }
    w->written += (uint64_t)sqlite3_changes(w->st->db);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return OMEN_OK;
}

static void bind_str(writer *w, sqlite3_stmt *q, int col, uint32_t id)
{
    if (id == UINT32_MAX)
        sqlite3_bind_null(q, col);
    else
        sqlite3_bind_text(q, col, omen_intern_str(&w->rows->strings, id), -1, SQLITE_STATIC);
}

/* Marks the names that some row of the batch refers to. A reader may have interned the name
 * of a row it then rejected (--skip-bad); such a name must not become a model of its own. */
static unsigned char *used_names(const omen_rows *r)
{
    unsigned char *used = omen_xcalloc(r->names.count ? r->names.count : 1, 1);
    for (size_t i = 0; i < r->nmodels; i++)
        used[r->models[i].name] = 1;
    for (size_t i = 0; i < r->nedges; i++)
        used[r->edges[i].parent] = used[r->edges[i].child] = 1;
    for (size_t i = 0; i < r->nannotations; i++)
        used[r->annotations[i].model] = 1;
    for (size_t i = 0; i < r->nweekly; i++)
        used[r->weekly[i].model] = 1;
    for (size_t i = 0; i < r->nsnapshots; i++)
        used[r->snapshots[i].model] = 1;
    for (size_t i = 0; i < r->nreplace; i++)
        used[r->replace_models[i]] = 1;
    return used;
}

/* The store ids of the batch's names already in the store: one pass over the models table when
 * the batch is large (a Hub listing names two million models; looking each up in the name index
 * cost twice as long as reading the table), one lookup per name otherwise. */
static omen_status find_ids(writer *w, const unsigned char *used)
{
    const omen_intern *names = &w->rows->names;
    omen_status s = OMEN_OK;
    if (names->count > 50000) {
        sqlite3_stmt *all = prepare(w, "SELECT id, name FROM models");
        if (!all)
            return OMEN_RUNTIME;
        int rc;
        while ((rc = sqlite3_step(all)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(all, 1);
            uint32_t i = omen_intern_find(names, name, (size_t)sqlite3_column_bytes(all, 1));
            if (i != UINT32_MAX && used[i])
                w->ids[i] = sqlite3_column_int64(all, 0);
        }
        if (rc != SQLITE_DONE)
            s = omen_store_sqlite_error(w->st, w->err, "models");
        sqlite3_finalize(all);
        return s;
    }
    sqlite3_stmt *find = prepare(w, "SELECT id FROM models WHERE name = ?");
    if (!find)
        return OMEN_RUNTIME;
    for (uint32_t i = 0; i < names->count; i++) {
        if (!used[i])
            continue;
        sqlite3_bind_text(find, 1, omen_intern_str(names, i), -1, SQLITE_STATIC);
        if (sqlite3_step(find) == SQLITE_ROW)
            w->ids[i] = sqlite3_column_int64(find, 0);
        sqlite3_reset(find);
    }
    sqlite3_finalize(find);
    return s;
}

static omen_status resolve_names(writer *w)
{
    const omen_intern *names = &w->rows->names;
    unsigned char *used = used_names(w->rows);
    w->ids = omen_xcalloc(names->count ? names->count : 1, sizeof *w->ids);
    for (uint32_t i = 0; i < names->count; i++)
        w->ids[i] = -1;
    omen_status s = find_ids(w, used);
    sqlite3_stmt *add = s == OMEN_OK ? prepare(w, "INSERT INTO models(name) VALUES(?)") : NULL;
    if (s == OMEN_OK && !add)
        s = OMEN_RUNTIME;
    for (uint32_t i = 0; s == OMEN_OK && i < names->count; i++) {
        if (!used[i] || w->ids[i] >= 0)
            continue;
        sqlite3_bind_text(add, 1, omen_intern_str(names, i), -1, SQLITE_STATIC);
        s = step(w, add, "models");
        w->ids[i] = sqlite3_last_insert_rowid(w->st->db);
    }
    free(used);
    sqlite3_finalize(add);
    return s;
}

/* Each column becomes `CASE WHEN ?set THEN ?value ELSE col END`, and the row is updated only
 * when some column would change. Parameters: ?1 id, then (set, value) pairs per column. */
static const char *const model_cols[] = {"developer",  "created",   "pipeline_tag", "library",
                                         "license",    "gated",     "params",       "params_source",
                                         "file_bytes", "languages", "tags"};
enum { NCOLS = sizeof model_cols / sizeof model_cols[0] };

static char *model_update_sql(void)
{
    size_t cap = 8192, len = 0;
    char *sql = omen_xmalloc(cap);
    len += (size_t)snprintf(sql + len, cap - len, "UPDATE models SET ");
    for (int c = 0; c < NCOLS; c++)
        len += (size_t)snprintf(sql + len, cap - len, "%s%s = CASE WHEN ?%d THEN ?%d ELSE %s END",
                                c ? ", " : "", model_cols[c], 2 + 2 * c, 3 + 2 * c, model_cols[c]);
    len += (size_t)snprintf(sql + len, cap - len, " WHERE id = ?1 AND (0");
    for (int c = 0; c < NCOLS; c++)
        len += (size_t)snprintf(sql + len, cap - len, " OR (?%d AND %s IS NOT ?%d)", 2 + 2 * c,
                                model_cols[c], 3 + 2 * c);
    snprintf(sql + len, cap - len, ")");
    return sql;
}

static void bind_model(writer *w, sqlite3_stmt *q, const omen_model_row *m)
{
    static const uint32_t bit[NCOLS] = {OMEN_MF_DEVELOPER, OMEN_MF_CREATED, OMEN_MF_PIPELINE,
                                        OMEN_MF_LIBRARY,   OMEN_MF_LICENSE, OMEN_MF_GATED,
                                        OMEN_MF_PARAMS,    OMEN_MF_PARAMS,  OMEN_MF_BYTES,
                                        OMEN_MF_LANGUAGES, OMEN_MF_TAGS};
    const uint32_t strs[NCOLS] = {m->developer, 0, m->pipeline_tag,  m->library, m->license,
                                  m->gated,     0, m->params_source, 0,          m->languages,
                                  m->tags};
    sqlite3_bind_int64(q, 1, w->ids[m->name]);
    for (int c = 0; c < NCOLS; c++) {
        int set = (m->fields & bit[c]) != 0, col = 3 + 2 * c;
        sqlite3_bind_int(q, 2 + 2 * c, set);
        if (c == 1 && m->created != OMEN_NO_DATE) {
            char d[11];
            omen_date_format(m->created, d);
            sqlite3_bind_text(q, col, d, -1, SQLITE_TRANSIENT);
        } else if (c == 6 && m->params >= 0) {
            sqlite3_bind_int64(q, col, m->params);
        } else if (c == 8 && m->file_bytes >= 0) {
            sqlite3_bind_int64(q, col, m->file_bytes);
        } else if (c != 1 && c != 6 && c != 8) {
            bind_str(w, q, col, strs[c]);
        } else {
            sqlite3_bind_null(q, col);
        }
    }
}

static omen_status write_models(writer *w)
{
    if (!w->rows->nmodels)
        return OMEN_OK;
    char *sql = model_update_sql();
    sqlite3_stmt *q = prepare(w, sql);
    free(sql);
    omen_status s = q ? OMEN_OK : OMEN_RUNTIME;
    for (size_t i = 0; s == OMEN_OK && i < w->rows->nmodels; i++) {
        if (!w->rows->models[i].fields)
            continue; /* a row that sets nothing changes nothing */
        bind_model(w, q, &w->rows->models[i]);
        s = step(w, q, "models");
    }
    sqlite3_finalize(q);
    return s;
}

static omen_status write_developers(writer *w)
{
    if (!w->rows->ndevelopers)
        return OMEN_OK;
    sqlite3_stmt *q = prepare(
        w, "INSERT INTO developers(name, country, org_type, display_name) VALUES(?1, ?2, ?3, ?4) "
           "ON CONFLICT(name) DO UPDATE SET country = coalesce(?2, country), "
           "org_type = coalesce(?3, org_type), display_name = coalesce(?4, display_name) "
           "WHERE coalesce(?2, country) IS NOT country OR coalesce(?3, org_type) IS NOT org_type "
           "OR coalesce(?4, display_name) IS NOT display_name");
    omen_status s = q ? OMEN_OK : OMEN_RUNTIME;
    for (size_t i = 0; s == OMEN_OK && i < w->rows->ndevelopers; i++) {
        const omen_developer_row *d = &w->rows->developers[i];
        bind_str(w, q, 1, d->name);
        bind_str(w, q, 2, d->country);
        bind_str(w, q, 3, d->org_type);
        bind_str(w, q, 4, d->display);
        s = step(w, q, "developers");
    }
    sqlite3_finalize(q);
    return s;
}

static omen_status write_edges(writer *w)
{
    if (!w->rows->nedges)
        return OMEN_OK;
    sqlite3_stmt *q =
        prepare(w, "INSERT INTO edges(child, parent, relation, position) VALUES(?1, ?2, ?3, ?4) "
                   "ON CONFLICT(child, parent) DO UPDATE SET relation = ?3, position = ?4 "
                   "WHERE relation IS NOT ?3 OR position IS NOT ?4");
    omen_status s = q ? OMEN_OK : OMEN_RUNTIME;
    for (size_t i = 0; s == OMEN_OK && i < w->rows->nedges; i++) {
        const omen_edge_row *e = &w->rows->edges[i];
        sqlite3_bind_int64(q, 1, w->ids[e->child]);
        sqlite3_bind_int64(q, 2, w->ids[e->parent]);
        bind_str(w, q, 3, e->relation);
        sqlite3_bind_int(q, 4, (int)e->position);
        s = step(w, q, "edges");
    }
    sqlite3_finalize(q);
    return s;
}

/* Rows marked `replace` (the wide sheet): the stored labels of their (model, field, source)
 * that the batch does not carry are deleted, so a label an annotator took out of a cell goes.
 * Deletes only what differs, so re-ingesting the same sheet changes nothing. */
static omen_status replace_annotations(writer *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->rows->nannotations; i++)
        n += w->rows->annotations[i].replace;
    if (!n)
        return OMEN_OK;
    if (sqlite3_exec(w->st->db,
                     "CREATE TEMP TABLE IF NOT EXISTS annot_keep(model INTEGER, field TEXT, "
                     "value TEXT, source TEXT); DELETE FROM annot_keep",
                     NULL, NULL, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(w->st, w->err, "annotations");
    sqlite3_stmt *q = prepare(w, "INSERT INTO annot_keep VALUES(?, ?, ?, ?)");
    omen_status s = q ? OMEN_OK : OMEN_RUNTIME;
    uint64_t written = w->written;
    for (size_t i = 0; s == OMEN_OK && i < w->rows->nannotations; i++) {
        const omen_annotation_row *a = &w->rows->annotations[i];
        if (!a->replace)
            continue;
        sqlite3_bind_int64(q, 1, w->ids[a->model]);
        bind_str(w, q, 2, a->field);
        bind_str(w, q, 3, a->value);
        bind_str(w, q, 4, a->source);
        s = step(w, q, "annotations");
    }
    sqlite3_finalize(q);
    w->written = written; /* the scratch rows are not changes of the store */
    sqlite3_stmt *del = s == OMEN_OK ? prepare(w, "DELETE FROM annotations AS a WHERE EXISTS("
                                                  "SELECT 1 FROM annot_keep k WHERE k.model = "
                                                  "a.model AND k.field = a.field AND k.source = "
                                                  "a.source) AND NOT EXISTS(SELECT 1 FROM "
                                                  "annot_keep k WHERE k.model = a.model AND "
                                                  "k.field = a.field AND k.source = a.source AND "
                                                  "k.value = a.value)")
                                     : NULL;
    if (s == OMEN_OK)
        s = del ? step(w, del, "annotations") : OMEN_RUNTIME;
    sqlite3_finalize(del);
    if (s == OMEN_OK &&
        sqlite3_exec(w->st->db, "DROP TABLE annot_keep", NULL, NULL, NULL) != SQLITE_OK)
        s = omen_store_sqlite_error(w->st, w->err, "annotations");
    return s;
}

static omen_status write_annotations(writer *w)
{
    if (!w->rows->nannotations)
        return OMEN_OK;
    sqlite3_stmt *q = prepare(w, "INSERT OR IGNORE INTO annotations(model, field, value, source) "
                                 "VALUES(?, ?, ?, ?)");
    omen_status s = q ? OMEN_OK : OMEN_RUNTIME;
    for (size_t i = 0; s == OMEN_OK && i < w->rows->nannotations; i++) {
        const omen_annotation_row *a = &w->rows->annotations[i];
        sqlite3_bind_int64(q, 1, w->ids[a->model]);
        bind_str(w, q, 2, a->field);
        bind_str(w, q, 3, a->value);
        bind_str(w, q, 4, a->source);
        s = step(w, q, "annotations");
    }
    sqlite3_finalize(q);
    return s == OMEN_OK ? replace_annotations(w) : s;
}

static omen_status write_counts(writer *w, const omen_count_row *rows, size_t n, const char *sql,
                                const char *what)
{
    if (!n)
        return OMEN_OK;
    sqlite3_stmt *q = prepare(w, sql);
    omen_status s = q ? OMEN_OK : OMEN_RUNTIME;
    for (size_t i = 0; s == OMEN_OK && i < n; i++) {
        sqlite3_bind_int64(q, 1, w->ids[rows[i].model]);
        sqlite3_bind_int(q, 2, rows[i].day);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)rows[i].count);
        s = step(w, q, what);
        if (w->progress && (i & 0xFFFFF) == 0)
            w->progress(w->ctx, "writing", i, n);
    }
    if (w->progress && s == OMEN_OK)
        w->progress(w->ctx, "writing", n, n);
    sqlite3_finalize(q);
    return s;
}

/* Replaced models: their stored weekly rows that the batch does not carry are deleted; the
 * rows it does carry are upserted afterwards, so an unchanged series changes nothing. The
 * batch's weekly rows are sorted by model, so each model's weeks are one run found by bsearch. */
static size_t first_row_of(const omen_rows *r, uint32_t model)
{
    size_t lo = 0, hi = r->nweekly;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->weekly[mid].model < model)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static omen_status delete_replaced(writer *w)
{
    if (!w->rows->nreplace)
        return OMEN_OK;
    sqlite3_stmt *del = prepare(w, "DELETE FROM downloads WHERE model = ?1 AND week >= ?3 AND "
                                   "week NOT IN (SELECT value FROM json_each(?2))");
    omen_status s = del ? OMEN_OK : OMEN_RUNTIME;
    const omen_rows *r = w->rows;
    size_t cap = 4096;
    char *list = omen_xmalloc(cap);
    for (size_t i = 0; s == OMEN_OK && i < r->nreplace; i++) {
        uint32_t m = r->replace_models[i];
        size_t len = 0;
        list[len++] = '[';
        for (size_t j = first_row_of(r, m); j < r->nweekly && r->weekly[j].model == m; j++) {
            if (len + 24 > cap)
                list = omen_xrealloc(list, cap *= 2);
            len += (size_t)snprintf(list + len, cap - len, "%s%d", len > 1 ? "," : "",
                                    r->weekly[j].day);
        }
        list[len++] = ']';
        list[len] = 0;
        sqlite3_bind_int64(del, 1, w->ids[m]);
        sqlite3_bind_text(del, 2, list, -1, SQLITE_STATIC);
        sqlite3_bind_int(del, 3, r->replace_from[i]);
        s = step(w, del, "downloads");
    }
    free(list);
    sqlite3_finalize(del);
    return s;
}

omen_status omen_store_write_rows(omen_store *st, const omen_rows *rows, omen_progress_fn progress,
                                  void *ctx, uint64_t *written, omen_error *err)
{
    writer w = {st, rows, NULL, 0, progress, ctx, err};
    omen_status s = resolve_names(&w);
    if (s == OMEN_OK)
        s = write_models(&w);
    if (s == OMEN_OK)
        s = write_developers(&w);
    if (s == OMEN_OK)
        s = write_edges(&w);
    if (s == OMEN_OK)
        s = write_annotations(&w);
    if (s == OMEN_OK)
        s = write_counts(&w, rows->snapshots, rows->nsnapshots,
                         "INSERT INTO snapshots(model, day, cumulative) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(model, day) DO UPDATE SET cumulative = ?3 "
                         "WHERE cumulative <> ?3",
                         "snapshots");
    if (s == OMEN_OK)
        s = delete_replaced(&w);
    if (s == OMEN_OK)
        s = write_counts(&w, rows->weekly, rows->nweekly,
                         "INSERT INTO downloads(model, week, downloads) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(model, week) DO UPDATE SET downloads = ?3 "
                         "WHERE downloads <> ?3",
                         "downloads");
    free(w.ids);
    *written += w.written;
    return s;
}
