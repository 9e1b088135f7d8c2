/* listing_update.c: what a snapshot listing may change of what the store holds. A listing
 * ingested late must not overwrite newer metadata: the models of a batch that already have a
 * cumulative observation after its date are found first; then the base models of the others are
 * replaced where the listing names others. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "store_internal.h"

omen_status omen_store_later_snapshots(omen_store *st, const omen_rows *rows, int32_t day,
                                       unsigned char *later, size_t *n, omen_error *err)
{
    *n = 0;
    /* The usual case, listings ingested in date order, needs no scan of the observations. */
    if (!omen_store_any(st, "SELECT 1 FROM snapshot_days WHERE day > ?1 LIMIT 1", day) &&
        !omen_store_any(st, "SELECT 1 FROM snapshots WHERE day > ?1 LIMIT 1", day))
        return OMEN_OK;
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

typedef struct {
    uint32_t child, parent; /* name ids of the batch */
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->child != y->child)
        return x->child < y->child ? -1 : 1;
    return (x->parent > y->parent) - (x->parent < y->parent);
}

/* The stored edges of the batch's listed models that the batch no longer lists are found in one
 * pass over the edges table, matched against the batch in memory, and deleted one by one: at
 * Hub scale a listing names two million models and changes a handful of base models, so the
 * pass, not the deletes, is the cost (it replaced temporary tables of every model's name). */
omen_status omen_store_replace_edges(omen_store *st, const omen_rows *rows,
                                     const unsigned char *skip, uint64_t *deleted, omen_error *err)
{
    *deleted = 0;
    if (!omen_store_any(st, "SELECT 1 FROM edges LIMIT 1", 0))
        return OMEN_OK;
    size_t nnames = rows->names.count ? rows->names.count : 1, nlisted = 0;
    unsigned char *listed = omen_xcalloc(nnames, 1);
    for (size_t i = 0; i < rows->nmodels; i++)
        if ((rows->models[i].fields & OMEN_MF_TAGS) && !skip[rows->models[i].name])
            listed[rows->models[i].name] = 1, nlisted++;
    if (!nlisted) { /* a folder week in which no model's tags changed: nothing to replace */
        free(listed);
        return OMEN_OK;
    }
    pair *keep = omen_xmalloc((rows->nedges ? rows->nedges : 1) * sizeof *keep);
    for (size_t i = 0; i < rows->nedges; i++)
        keep[i] = (pair){rows->edges[i].child, rows->edges[i].parent};
    qsort(keep, rows->nedges, sizeof *keep, cmp_pair);
    sqlite3_stmt *scan = NULL, *del = NULL;
    omen_status s = OMEN_OK;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT e.child, e.parent, c.name, p.name FROM edges e JOIN models c "
                           "ON c.id = e.child JOIN models p ON p.id = e.parent",
                           -1, &scan, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM edges WHERE child = ?1 AND parent = ?2", -1, &del,
                           NULL) != SQLITE_OK)
        s = omen_store_sqlite_error(st, err, "edges");
    int64_t(*gone)[2] = NULL;
    size_t ngone = 0, cap = 0;
    int rc = SQLITE_DONE;
    while (s == OMEN_OK && (rc = sqlite3_step(scan)) == SQLITE_ROW) {
        const char *cname = (const char *)sqlite3_column_text(scan, 2);
        uint32_t c = omen_intern_find(&rows->names, cname, (size_t)sqlite3_column_bytes(scan, 2));
        if (c == UINT32_MAX || !listed[c])
            continue;
        const char *pname = (const char *)sqlite3_column_text(scan, 3);
        pair key = {c,
                    omen_intern_find(&rows->names, pname, (size_t)sqlite3_column_bytes(scan, 3))};
        if (key.parent != UINT32_MAX && bsearch(&key, keep, rows->nedges, sizeof *keep, cmp_pair))
            continue;
        if (ngone == cap)
            gone = omen_xrealloc(gone, (cap = cap ? cap * 2 : 64) * sizeof *gone);
        gone[ngone][0] = sqlite3_column_int64(scan, 0);
        gone[ngone][1] = sqlite3_column_int64(scan, 1);
        ngone++;
    }
    if (s == OMEN_OK && rc != SQLITE_DONE)
        s = omen_store_sqlite_error(st, err, "edges");
    for (size_t i = 0; s == OMEN_OK && i < ngone; i++) {
        sqlite3_bind_int64(del, 1, gone[i][0]);
        sqlite3_bind_int64(del, 2, gone[i][1]);
        if (sqlite3_step(del) != SQLITE_DONE)
            s = omen_store_sqlite_error(st, err, "edges");
        *deleted += (uint64_t)sqlite3_changes(st->db);
        sqlite3_reset(del);
    }
    sqlite3_finalize(scan);
    sqlite3_finalize(del);
    free(gone);
    free(keep);
    free(listed);
    return s;
}
