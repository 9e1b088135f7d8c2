/* store_internal.h: the store handle's fields, shared by the files of src/store only. */
#ifndef OMEN_STORE_INTERNAL_H
#define OMEN_STORE_INTERNAL_H

#include "store.h"

struct omen_store {
    sqlite3 *db;
    char *path;
    int64_t generation;
    bool in_txn;
};

omen_status omen_store_sqlite_error(omen_store *st, omen_error *err, const char *what);
/* Whether sql (a `SELECT 1 ... LIMIT 1` with at most one int parameter ?1) finds a row; true when
 * it cannot be asked, so that callers skipping work on "no" do the full work in doubt. */
bool omen_store_any(omen_store *st, const char *sql, int32_t param);

#endif
