/* estimates.c: stores estimated parameter counts (`omen sizes estimate --apply`) in one
 * transaction, never over a reported (safetensors or official) count. */
#include "store_internal.h"

/* A row changes only when it has no count or an estimate that differs, so that applying the
 * same fit twice changes nothing and leaves the generation (and the panel cache) as it is. */
static const char update_sql[] =
    "UPDATE models SET params = ?1, params_source = 'estimated' WHERE name = ?2 AND "
    "(params IS NULL OR params_source = 'estimated') AND "
    "(params IS NOT ?1 OR params_source IS NOT 'estimated')";

omen_status omen_store_set_estimated_params(omen_store *st, const char *const *names,
                                            const int64_t *params, size_t n,
                                            const omen_ingest_record *rec, uint64_t *changed,
                                            omen_error *err)
{
    uint64_t c = 0;
    sqlite3_stmt *q = NULL;
    if (omen_store_begin(st, err))
        return OMEN_RUNTIME;
    if (sqlite3_prepare_v2(st->db, update_sql, -1, &q, NULL) != SQLITE_OK) {
        omen_status s = omen_store_sqlite_error(st, err, "models");
        omen_store_rollback(st);
        return s;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(q, 1, params[i]);
        sqlite3_bind_text(q, 2, names[i], -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE) {
            omen_status s = omen_store_sqlite_error(st, err, "models");
            sqlite3_finalize(q);
            omen_store_rollback(st);
            return s;
        }
        c += (uint64_t)sqlite3_changes(st->db);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (c == 0) { /* nothing changed: leave the file byte for byte as it was */
        omen_store_rollback(st);
        if (changed)
            *changed = 0;
        return OMEN_OK;
    }
    omen_ingest_record r = *rec;
    r.rows_written = c;
    omen_status s = omen_store_record_ingest(st, &r, err);
    if (s == OMEN_OK)
        s = omen_store_touch(st, false, err);
    if (s != OMEN_OK) {
        omen_store_rollback(st);
        return s;
    }
    if (changed)
        *changed = c;
    return omen_store_commit(st, err);
}
