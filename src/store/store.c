/* store.c: opening, creating and validating the SQLite store; transactions and meta values.
 *
 * The store uses SQLite's rollback journal: a write transaction killed at any point (even by
 * SIGKILL) is rolled back by the next open, so the file is always a committed state. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"
#include "store_internal.h"

int omen_store_schema_version(void)
{
    return omen_schema_version_current;
}

omen_status omen_store_sqlite_error(omen_store *st, omen_error *err, const char *what)
{
    return omen_error_set(err, OMEN_E_SQLITE, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static omen_status exec(omen_store *st, const char *sql, omen_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        omen_status s = omen_error_set(err, OMEN_E_SQLITE, "%s: %s", st->path,
                                       msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return s;
    }
    return OMEN_OK;
}

char *omen_store_meta_get(omen_store *st, const char *key)
{
    sqlite3_stmt *q = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return NULL;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        out = omen_xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return out;
}

static omen_status meta_set(omen_store *st, const char *key, const char *value, omen_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO meta(key, value) VALUES(?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "meta");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? OMEN_OK : omen_store_sqlite_error(st, err, "meta");
}

/* A random identity for the store, so a panel cache copied from another store is refused. */
static void random_id(char out[33])
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t got = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof b) {
        uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 37);
    }
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static omen_status create_schema(omen_store *st, omen_error *err)
{
    char id[33], ver[16], now[32];
    time_t t = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    random_id(id);
    snprintf(ver, sizeof ver, "%d", omen_schema_version_current);
    if (exec(st, "BEGIN IMMEDIATE", err))
        return OMEN_RUNTIME;
    if (exec(st, omen_schema_v1, err) || exec(st, omen_schema_v2, err) ||
        meta_set(st, "schema_version", ver, err) || meta_set(st, "store_id", id, err) ||
        meta_set(st, "generation", "0", err) || meta_set(st, "synthetic", "0", err) ||
        meta_set(st, "created", now, err)) {
        omen_store_rollback(st);
        return OMEN_RUNTIME;
    }
    return exec(st, "COMMIT", err);
}

static bool has_meta(omen_store *st)
{
    sqlite3_stmt *q = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'", -1,
                           &q, NULL) == SQLITE_OK)
        found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return found;
}

/* Brings an older store up to the current schema in one transaction (a store opened only for
 * reading is read as it is: readers do without what a later version added). */
static omen_status migrate(omen_store *st, int from, omen_error *err)
{
    char ver[16];
    snprintf(ver, sizeof ver, "%d", omen_schema_version_current);
    if (exec(st, "BEGIN IMMEDIATE", err))
        return OMEN_RUNTIME;
    if ((from < 2 && exec(st, omen_schema_v2, err)) || meta_set(st, "schema_version", ver, err)) {
        omen_store_rollback(st);
        return OMEN_RUNTIME;
    }
    return exec(st, "COMMIT", err);
}

static omen_status check_schema(omen_store *st, int flags, omen_error *err)
{
    sqlite3_stmt *probe = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &probe, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(probe);
    sqlite3_finalize(probe);
    if (rc != SQLITE_ROW)
        return omen_error_set(err, OMEN_E_STORE, "%s: not an omen store (%s)", st->path,
                              sqlite3_errmsg(st->db));
    if (!has_meta(st)) {
        sqlite3_stmt *q = NULL;
        sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);
        int tables = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 1;
        sqlite3_finalize(q);
        if (tables > 0)
            return omen_error_set(err, OMEN_E_STORE,
                                  "%s: an SQLite database of something else, not an omen store",
                                  st->path);
        if (!(flags & OMEN_STORE_CREATE))
            return omen_error_set(err, OMEN_E_STORE,
                                  "%s: no omen store here yet (run `omen ingest` or `omen synth`)",
                                  st->path);
        return create_schema(st, err);
    }
    char *ver = omen_store_meta_get(st, "schema_version");
    int v = ver ? atoi(ver) : 0;
    free(ver);
    if (v <= 0)
        return omen_error_set(err, OMEN_E_STORE, "%s: not an omen store (no schema version)",
                              st->path);
    if (v > omen_schema_version_current)
        return omen_error_set(err, OMEN_E_STORE,
                              "%s: schema version %d is newer than this omen (%d); upgrade omen",
                              st->path, v, omen_schema_version_current);
    if (v < omen_schema_version_current && (flags & (OMEN_STORE_WRITE | OMEN_STORE_CREATE)))
        return migrate(st, v, err);
    return OMEN_OK;
}

/* A write killed in the middle of its commit leaves a hot journal that only a read-write
 * connection may roll back; a read-only open would fail with SQLITE_READONLY_ROLLBACK. This
 * rolls it back with a short read-write connection, so that reading after a crash works. */
static bool hot_journal_rolled_back(const char *path)
{
    sqlite3 *db = NULL;
    bool ok = false;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        ok = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) == SQLITE_OK;
    }
    sqlite3_close(db);
    return ok;
}

omen_status omen_store_open(const char *path, int flags, omen_store **out, omen_error *err)
{
    *out = NULL;
    struct stat sb;
    if (!(flags & OMEN_STORE_CREATE) && stat(path, &sb) != 0)
        return omen_error_set(err, OMEN_E_STORE,
                              "%s: no omen store here yet (run `omen ingest` or `omen synth`)",
                              path);
    /* SQLite says "unable to open database file" or, at the first write, "attempt to write a
     * readonly database" when the trouble is the folder (missing, or not writable: the journal
     * is created there) or the file's permissions: name what is wrong before it can. */
    if (flags & (OMEN_STORE_WRITE | OMEN_STORE_CREATE)) {
        char dir[4096];
        const char *slash = strrchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : 0;
        if (n >= sizeof dir)
            n = sizeof dir - 1;
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(n ? n : 1) : 1, slash ? path : ".");
        struct stat ds;
        if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode))
            return omen_error_set(err, OMEN_E_STORE, "%s: the store's folder %s does not exist",
                                  path, dir);
        if (access(dir, W_OK | X_OK) != 0)
            return omen_error_set(err, OMEN_E_STORE,
                                  "%s: cannot write in the store's folder %s (%s): SQLite keeps "
                                  "its journal next to the store",
                                  path, dir, strerror(errno));
        if (access(path, F_OK) == 0 && access(path, W_OK) != 0)
            return omen_error_set(err, OMEN_E_STORE, "%s: the store file is not writable (%s)",
                                  path, strerror(errno));
    }
    omen_store *st = omen_xcalloc(1, sizeof *st);
    st->path = omen_xstrdup(path);
    int oflags = (flags & (OMEN_STORE_WRITE | OMEN_STORE_CREATE))
                     ? SQLITE_OPEN_READWRITE |
                           ((flags & OMEN_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0) |
                           SQLITE_OPEN_NOMUTEX
                     : SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
        omen_status s = omen_error_set(err, OMEN_E_SQLITE, "%s: cannot open: %s", path,
                                       st->db ? sqlite3_errmsg(st->db) : "out of memory");
        omen_store_close(st);
        return s;
    }
    sqlite3_busy_timeout(st->db, 10000);
    if (!(oflags & SQLITE_OPEN_READWRITE) &&
        sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) ==
            SQLITE_READONLY &&
        sqlite3_extended_errcode(st->db) == SQLITE_READONLY_ROLLBACK) {
        sqlite3_close(st->db);
        st->db = NULL;
        if (!hot_journal_rolled_back(path) ||
            sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
            omen_status s = omen_error_set(err, OMEN_E_SQLITE,
                                           "%s: an interrupted write must be rolled back, and "
                                           "this process cannot write to the store",
                                           path);
            omen_store_close(st);
            return s;
        }
        sqlite3_busy_timeout(st->db, 10000);
    }
    exec(st, "PRAGMA cache_size = -262144", NULL);
    omen_status s = check_schema(st, flags, err);
    if (s != OMEN_OK) {
        omen_store_close(st);
        return s;
    }
    char *gen = omen_store_meta_get(st, "generation");
    st->generation = gen ? strtoll(gen, NULL, 10) : 0;
    free(gen);
    *out = st;
    return OMEN_OK;
}

void omen_store_close(omen_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

const char *omen_store_path(const omen_store *st)
{
    return st->path;
}

int64_t omen_store_generation(const omen_store *st)
{
    return st->generation;
}

sqlite3 *omen_store_db(omen_store *st)
{
    return st->db;
}

omen_status omen_store_begin(omen_store *st, omen_error *err)
{
    if (exec(st, "BEGIN IMMEDIATE", err))
        return OMEN_RUNTIME;
    st->in_txn = true;
    return OMEN_OK;
}

omen_status omen_store_commit(omen_store *st, omen_error *err)
{
    omen_status s = exec(st, "COMMIT", err);
    if (s != OMEN_OK) {
        omen_store_rollback(st);
        return s;
    }
    st->in_txn = false;
    char *gen = omen_store_meta_get(st, "generation");
    st->generation = gen ? strtoll(gen, NULL, 10) : st->generation;
    free(gen);
    return OMEN_OK;
}

void omen_store_rollback(omen_store *st)
{
    if (sqlite3_get_autocommit(st->db) == 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_txn = false;
}

omen_status omen_store_touch(omen_store *st, bool synthetic, omen_error *err)
{
    char buf[32];
    char *gen = omen_store_meta_get(st, "generation");
    snprintf(buf, sizeof buf, "%lld", (long long)(gen ? strtoll(gen, NULL, 10) + 1 : 1));
    free(gen);
    if (meta_set(st, "generation", buf, err))
        return OMEN_RUNTIME;
    if (synthetic && meta_set(st, "synthetic", "1", err))
        return OMEN_RUNTIME;
    return OMEN_OK;
}

bool omen_store_any(omen_store *st, const char *sql, int32_t param)
{
    sqlite3_stmt *q = NULL;
    bool found = true;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int(q, 1, param);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}

omen_status omen_store_record_ingest(omen_store *st, const omen_ingest_record *rec, omen_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO ingests(at, source, file, sha256, bytes, rows_read, "
                           "rows_rejected, rows_written, options, rejects, unmapped) VALUES "
                           "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &q, NULL) != SQLITE_OK)
        return omen_store_sqlite_error(st, err, "ingests");
    sqlite3_bind_text(q, 1, rec->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, rec->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, rec->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)rec->bytes);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)rec->rows_read);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)rec->rows_rejected);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)rec->rows_written);
    sqlite3_bind_text(q, 8, rec->options, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 9, rec->rejects, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 10, rec->unmapped, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? OMEN_OK : omen_store_sqlite_error(st, err, "ingests");
}

omen_status omen_store_apply(omen_store *st, const omen_rows *rows, const omen_ingest_record *rec,
                             omen_progress_fn progress, void *ctx, uint64_t *written,
                             omen_error *err)
{
    uint64_t n = 0;
    if (omen_store_begin(st, err))
        return OMEN_RUNTIME;
    omen_ingest_record r = *rec;
    omen_status s = omen_store_write_rows(st, rows, progress, ctx, &n, err);
    r.rows_written = n;
    if (s == OMEN_OK)
        s = omen_store_record_ingest(st, &r, err);
    if (s == OMEN_OK && (n > 0 || (rows->synthetic && !omen_store_is_synthetic(st))))
        s = omen_store_touch(st, rows->synthetic, err);
    if (s != OMEN_OK) {
        omen_store_rollback(st);
        return s;
    }
    if (written)
        *written = n;
    return omen_store_commit(st, err);
}

bool omen_store_is_synthetic(omen_store *st)
{
    char *v = omen_store_meta_get(st, "synthetic");
    bool yes = v && strcmp(v, "1") == 0;
    free(v);
    return yes;
}
