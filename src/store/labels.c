/* labels.c: the store side of `omen annotate`: Hub metadata per model, stored labels by source,
 * and replacing the heuristic labels as a set (so a re-run that finds the same labels writes
 * nothing and leaves the generation, and so the panel cache, alone). */
#include "labels.h"

#include <stdlib.h>
#include <string.h>

#include "../vocab/taxonomy.h"
#include "store_internal.h"

static const char *col(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

typedef struct {
    char **ids, **rel;
    size_t n, cap;
} bases;

static void bases_clear(bases *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->ids[i]);
        free(b->rel[i]);
    }
    b->n = 0;
}

static void bases_read(bases *b, sqlite3_stmt *q, int64_t model)
{
    bases_clear(b);
    sqlite3_bind_int64(q, 1, model);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (b->n == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 8;
            b->ids = omen_xrealloc(b->ids, b->cap * sizeof *b->ids);
            b->rel = omen_xrealloc(b->rel, b->cap * sizeof *b->rel);
        }
        b->ids[b->n] = omen_xstrdup(col(q, 0) ? col(q, 0) : "");
        b->rel[b->n] = omen_xstrdup(col(q, 1) ? col(q, 1) : "other");
        b->n++;
    }
    sqlite3_reset(q);
}

omen_status omen_store_each_model_meta(omen_store *st,
                                       bool (*fn)(void *ctx, const omen_model_meta *m), void *ctx,
                                       omen_error *err)
{
    sqlite3_stmt *q = NULL, *e = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, name, pipeline_tag, library, license, gated, languages, "
                           "tags FROM models m WHERE pipeline_tag IS NOT NULL OR library IS NOT "
                           "NULL OR license IS NOT NULL OR gated IS NOT NULL OR languages IS NOT "
                           "NULL OR tags IS NOT NULL OR EXISTS(SELECT 1 FROM edges e WHERE "
                           "e.child = m.id) ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "SELECT p.name, e.relation FROM edges e JOIN models p ON p.id = "
                           "e.parent WHERE e.child = ? ORDER BY e.position, p.name",
                           -1, &e, NULL) != SQLITE_OK) {
        omen_status s = omen_store_sqlite_error(st, err, "model metadata");
        sqlite3_finalize(q);
        return s;
    }
    bases b = {0};
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        bases_read(&b, e, id);
        omen_model_meta m = {.id = id,
                             .name = col(q, 1),
                             .pipeline_tag = col(q, 2),
                             .library = col(q, 3),
                             .license = col(q, 4),
                             .gated = col(q, 5),
                             .languages = col(q, 6),
                             .tags = col(q, 7),
                             .nbase = b.n,
                             .base_ids = (const char *const *)b.ids,
                             .base_rel = (const char *const *)b.rel};
        if (!fn(ctx, &m)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    omen_status s = rc == SQLITE_DONE ? OMEN_OK : omen_store_sqlite_error(st, err, "models");
    bases_clear(&b);
    free(b.ids);
    free(b.rel);
    sqlite3_finalize(q);
    sqlite3_finalize(e);
    return s;
}

void omen_label_rows_free(omen_label_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i].value);
    free(rows);
}

omen_status omen_store_labels(omen_store *st, const char *source, omen_label_row **out, size_t *n,
                              omen_error *err)
{
    sqlite3_stmt *q = NULL;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT model, field, value FROM annotations WHERE source = ? "
                           "ORDER BY model, field, value",
                           -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "annotations");
    sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    size_t cap = 0;
    const omen_taxonomy_field *fields = omen_taxonomy_fields();
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *fname = col(q, 1), *value = col(q, 2);
        const omen_taxonomy_field *f =
            fname ? omen_taxonomy_field_find(fname, strlen(fname)) : NULL;
        if (!f || !value) /* written by hand with sqlite3: not a field omen knows */
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            *out = omen_xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = (omen_label_row){sqlite3_column_int64(q, 0), (uint32_t)(f - fields),
                                          omen_xstrdup(value)};
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        omen_label_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
        return omen_store_sqlite_error(st, err, "annotations");
    }
    return OMEN_OK;
}

static omen_status exec(omen_store *st, const char *sql, uint64_t *changes, omen_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "heuristic labels");
    if (changes)
        *changes = (uint64_t)sqlite3_changes(st->db);
    return OMEN_OK;
}

omen_status omen_store_replace_heuristics(omen_store *st, const omen_label_row *rows, size_t n,
                                          uint64_t *added, uint64_t *removed, omen_error *err)
{
    const omen_taxonomy_field *fields = omen_taxonomy_fields();
    sqlite3_stmt *q = NULL;
    omen_status s = exec(st,
                         "CREATE TEMP TABLE IF NOT EXISTS heur_new(model INTEGER, field TEXT, "
                         "value TEXT, PRIMARY KEY(model, field, value)) WITHOUT ROWID; "
                         "DELETE FROM heur_new",
                         NULL, err);
    if (s == OMEN_OK && sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO heur_new VALUES(?,?,?)",
                                           -1, &q, NULL) != SQLITE_OK)
        s = omen_store_sqlite_error(st, err, "heuristic labels");
    for (size_t i = 0; s == OMEN_OK && i < n; i++) {
        sqlite3_bind_int64(q, 1, rows[i].model);
        sqlite3_bind_text(q, 2, fields[rows[i].field].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, rows[i].value, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            s = omen_store_sqlite_error(st, err, "heuristic labels");
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (s == OMEN_OK)
        s = exec(st,
                 "DELETE FROM annotations WHERE source = 'heuristic' AND NOT EXISTS(SELECT 1 "
                 "FROM heur_new n WHERE n.model = annotations.model AND n.field = "
                 "annotations.field AND n.value = annotations.value)",
                 removed, err);
    if (s == OMEN_OK)
        s = exec(st,
                 "INSERT OR IGNORE INTO annotations(model, field, value, source) "
                 "SELECT model, field, value, 'heuristic' FROM heur_new",
                 added, err);
    if (s == OMEN_OK)
        s = exec(st, "DROP TABLE heur_new", NULL, err);
    return s;
}
