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

#endif
