/* snapshots.c: what the store keeps of cumulative series besides the flows: the stored
 * observations around a window of weeks (what a re-derivation of flows needs), and the record
 * of every snapshot date ingested, stale copies included (`snapshot_days`).
 *
 * Observations are kept only where a count changes (methodology.md, "How cumulative
 * observations are stored"), so the observation a flow is measured from may lie weeks back:
 * the window query asks for the last one before the window as well as all those in it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct omen_snapshot_reader {
    omen_store *st;
    sqlite3_stmt *window;
};

omen_status omen_store_snapshot_reader_open(omen_store *st, omen_snapshot_reader **out,
                                            omen_error *err)
{
    *out = NULL;
    sqlite3_stmt *q = NULL;
    /* One statement per model: the base (the last observation before ?2) and every observation
     * from ?2 on; the subquery and the range scan both use the (model, day) key. */
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT s.day, s.cumulative FROM snapshots s WHERE s.model = "
            "(SELECT id FROM models WHERE name = ?1) AND s.day >= coalesce((SELECT max(day) FROM "
            "snapshots WHERE model = (SELECT id FROM models WHERE name = ?1) AND day < ?2), ?2) "
            "ORDER BY s.day",
            -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "snapshots");
    omen_snapshot_reader *r = omen_xcalloc(1, sizeof *r);
    r->st = st;
    r->window = q;
    *out = r;
    return OMEN_OK;
}

omen_status omen_store_snapshot_window(omen_snapshot_reader *r, const char *model, int32_t from,
                                       bool *has_base, omen_count_row *base, omen_count_row **after,
                                       size_t *n, size_t *cap, omen_error *err)
{
    *has_base = false;
    *n = 0;
    sqlite3_bind_text(r->window, 1, model, -1, SQLITE_STATIC);
    sqlite3_bind_int(r->window, 2, from);
    int rc;
    while ((rc = sqlite3_step(r->window)) == SQLITE_ROW) {
        omen_count_row row = {0, sqlite3_column_int(r->window, 0),
                              (uint64_t)sqlite3_column_int64(r->window, 1)};
        if (row.day < from) {
            *has_base = true;
            *base = row;
            continue;
        }
        if (*n == *cap)
            *after = omen_xrealloc(*after, (*cap = *cap ? *cap * 2 : 64) * sizeof **after);
        (*after)[(*n)++] = row;
    }
    sqlite3_reset(r->window);
    if (rc != SQLITE_DONE)
        return omen_store_sqlite_error(r->st, err, "snapshots");
    return OMEN_OK;
}

void omen_store_snapshot_reader_close(omen_snapshot_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->window);
    free(r);
}

omen_status omen_store_stale_days(omen_store *st, int32_t **days, size_t *n, omen_error *err)
{
    *days = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT day FROM snapshot_days WHERE stale ORDER BY day", -1, &q,
                           NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "snapshot_days");
    size_t cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap)
            *days = omen_xrealloc(*days, (cap = cap ? cap * 2 : 16) * sizeof **days);
        (*days)[(*n)++] = sqlite3_column_int(q, 0);
    }
    sqlite3_finalize(q);
    return OMEN_OK;
}

omen_status omen_store_snapshot_day(omen_store *st, int32_t day, bool before,
                                    omen_snapshot_day *out, omen_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = NULL;
    const char *sql = before ? "SELECT day, coalesce(sha256, ''), coalesce(bytes, 0), stale, "
                               "coalesce(file, '') FROM snapshot_days WHERE day < ?1 "
                               "ORDER BY day DESC LIMIT 1"
                             : "SELECT day, coalesce(sha256, ''), coalesce(bytes, 0), stale, "
                               "coalesce(file, '') FROM snapshot_days WHERE day = ?1";
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "snapshot_days");
    sqlite3_bind_int(q, 1, day);
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->found = true;
        out->day = sqlite3_column_int(q, 0);
        snprintf(out->sha256, sizeof out->sha256, "%s", (const char *)sqlite3_column_text(q, 1));
        out->bytes = (uint64_t)sqlite3_column_int64(q, 2);
        out->stale = sqlite3_column_int(q, 3) != 0;
        snprintf(out->file, sizeof out->file, "%s", (const char *)sqlite3_column_text(q, 4));
    }
    sqlite3_finalize(q);
    return OMEN_OK;
}

bool omen_store_has_snapshots(omen_store *st)
{
    return omen_store_any(st, "SELECT 1 FROM snapshots LIMIT 1", 0);
}

omen_status omen_store_record_snapshot_day(omen_store *st, const omen_snapshot_day *d,
                                           uint64_t records, omen_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO snapshot_days(day, file, sha256, bytes, records, stale) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(day) DO UPDATE SET "
                           "file = ?2, sha256 = ?3, bytes = ?4, records = ?5, stale = ?6",
                           -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "snapshot_days");
    sqlite3_bind_int(q, 1, d->day);
    sqlite3_bind_text(q, 2, d->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, d->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)d->bytes);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)records);
    sqlite3_bind_int(q, 6, d->stale);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? OMEN_OK : omen_store_sqlite_error(st, err, "snapshot_days");
}
