/* later.c: snapshot ingests: which models of a batch already have a cumulative observation after
 * a date (an older listing ingested late must not overwrite their newer metadata), and the
 * replacement of a model's base models when a newer listing names others. */
#include <sqlite3.h>
#include <string.h>

#include "../util/error.h"
#include "store_internal.h"

omen_status omen_store_later_snapshots(omen_store *st, const omen_rows *rows, int32_t day,
                                       unsigned char *later, size_t *n, omen_error *err)
{
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT DISTINCT m.name FROM snapshots s JOIN models m "
                           "ON m.id = s.model WHERE s.day > ?",
                           -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "snapshots");
    sqlite3_bind_int(q, 1, day);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        uint32_t id = name ? omen_intern_find(&rows->names, name, strlen(name)) : UINT32_MAX;
        if (id != UINT32_MAX && !later[id]) {
            later[id] = 1;
            (*n)++;
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? OMEN_OK : omen_store_sqlite_error(st, err, "snapshots");
}

static omen_status exec(omen_store *st, const char *sql, omen_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "edges");
    return OMEN_OK;
}

static omen_status fill(omen_store *st, const char *sql, const omen_rows *rows,
                        const unsigned char *skip, bool edges, omen_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "edges");
    size_t n = edges ? rows->nedges : rows->nmodels;
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
        uint32_t child = edges ? rows->edges[i].child : rows->models[i].name;
        if (skip[child] || (!edges && !(rows->models[i].fields & OMEN_MF_TAGS)))
            continue;
        sqlite3_bind_text(q, 1, omen_intern_str(&rows->names, child), -1, SQLITE_STATIC);
        if (edges)
            sqlite3_bind_text(q, 2, omen_intern_str(&rows->names, rows->edges[i].parent), -1,
                              SQLITE_STATIC);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? OMEN_OK : omen_store_sqlite_error(st, err, "edges");
}

omen_status omen_store_replace_edges(omen_store *st, const omen_rows *rows,
                                     const unsigned char *skip, uint64_t *deleted, omen_error *err)
{
    *deleted = 0;
    omen_status s = exec(st,
                         "CREATE TEMP TABLE IF NOT EXISTS edge_children(name TEXT PRIMARY KEY); "
                         "CREATE TEMP TABLE IF NOT EXISTS edge_keep(child TEXT, parent TEXT); "
                         "DELETE FROM edge_children; DELETE FROM edge_keep",
                         err);
    if (s == OMEN_OK)
        s = fill(st, "INSERT OR IGNORE INTO edge_children(name) VALUES(?1)", rows, skip, false,
                 err);
    if (s == OMEN_OK)
        s = fill(st, "INSERT INTO edge_keep(child, parent) VALUES(?1, ?2)", rows, skip, true, err);
    if (s == OMEN_OK)
        s = exec(st,
                 "DELETE FROM edges WHERE child IN (SELECT m.id FROM models m JOIN edge_children "
                 "c ON c.name = m.name) AND NOT EXISTS (SELECT 1 FROM edge_keep k JOIN models c "
                 "ON c.name = k.child JOIN models p ON p.name = k.parent WHERE c.id = "
                 "edges.child AND p.id = edges.parent)",
                 err);
    if (s == OMEN_OK)
        *deleted = (uint64_t)sqlite3_changes(st->db);
    return s;
}
