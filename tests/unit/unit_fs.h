/* unit_fs.h: helpers shared by the store, ingest and panel unit tests: a scratch directory
 * under /tmp, small files written into it, whole-file hashes and one-value SQL queries
 * against a store file. Everything is static inline so each test file takes what it uses. */
#ifndef OMEN_TESTS_UNIT_FS_H
#define OMEN_TESTS_UNIT_FS_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "omen/omen.h"

/* Removes a directory tree (plain files and subdirectories, as the tests make them). */
static inline void unit_rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        remove(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *sub = malloc(n);
        snprintf(sub, n, "%s/%s", path, e->d_name);
        struct stat sb;
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
            unit_rm_tree(sub);
        else
            remove(sub);
        free(sub);
    }
    closedir(d);
    rmdir(path);
}

/* A fresh directory /tmp/omen-unit-XXXXXX; the caller removes it with unit_rmdir(). */
static inline char *unit_mkdtemp(void)
{
    char *dir = strdup("/tmp/omen-unit-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    return dir;
}

static inline void unit_rmdir(char *dir)
{
    if (dir)
        unit_rm_tree(dir);
    free(dir);
}

/* dir/name as a heap string. */
static inline char *unit_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Writes text to dir/name and returns the path (heap). */
static inline char *unit_write(const char *dir, const char *name, const char *text)
{
    char *p = unit_path(dir, name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "cannot write %s", p);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return p;
}

/* The whole file as a heap buffer (NULL when absent); *len gets its size. */
static inline char *unit_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = 0;
    if (len)
        *len = got;
    return buf;
}

/* True when the two files have the same bytes (or are both absent). */
static inline bool unit_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = unit_slurp(a, &la), *y = unit_slurp(b, &lb);
    bool same = (!x && !y) || (x && y && la == lb && memcmp(x, y, la) == 0);
    free(x);
    free(y);
    return same;
}

static inline void unit_copy(const char *from, const char *to)
{
    size_t n = 0;
    char *buf = unit_slurp(from, &n);
    cr_assert_not_null(buf, "cannot read %s", from);
    FILE *f = fopen(to, "wb");
    cr_assert_not_null(f);
    fwrite(buf, 1, n, f);
    fclose(f);
    free(buf);
}

/* Runs a query on the store file with a separate connection and returns the first column of
 * every row joined with '\n' (heap; "" when no rows). NULL values print as "NULL". */
static inline char *unit_sql(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "open %s", db);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(h));
    size_t cap = 256, len = 0;
    char *out = calloc(1, cap);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        if (!v)
            v = "NULL";
        size_t n = strlen(v);
        while (len + n + 2 > cap)
            out = realloc(out, cap *= 2);
        if (len)
            out[len++] = '\n';
        memcpy(out + len, v, n + 1);
        len += n;
    }
    sqlite3_finalize(q);
    sqlite3_close(h);
    return out;
}

/* A query that returns one integer. */
static inline long long unit_sql_int(const char *db, const char *sql)
{
    char *s = unit_sql(db, sql);
    long long v = strtoll(s, NULL, 10);
    free(s);
    return v;
}

/* Runs a statement that changes the store, outside omen. */
static inline void unit_sql_exec(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql, msg ? msg : "");
    sqlite3_close(h);
}

/* Opens (creating) the store at dir/name; the caller closes it. */
static inline omen_store *unit_store(const char *dir, const char *name, char **path_out)
{
    char *path = unit_path(dir, name);
    omen_store *st = NULL;
    omen_error err = {0};
    omen_status s = omen_store_open(path, OMEN_STORE_WRITE | OMEN_STORE_CREATE, &st, &err);
    cr_assert_eq(s, OMEN_OK, "open %s: %s", path, err.message ? err.message : "");
    omen_error_clear(&err);
    if (path_out)
        *path_out = path;
    else
        free(path);
    return st;
}

/* Ingests one file with the given options; returns the status, fills *msg (heap, may be
 * NULL) with the error message and *rep with the report (caller frees both). */
static inline omen_status unit_ingest(omen_store *st, omen_ingest_options opt, const char *file,
                                      char **msg, omen_ingest_report *rep)
{
    omen_error err = {0};
    omen_ingest_report local;
    omen_ingest_report *r = rep ? rep : &local;
    const char *files[1] = {file};
    omen_status s = omen_ingest_files(st, &opt, files, 1, r, &err);
    if (msg)
        *msg = err.message ? strdup(err.message) : NULL;
    omen_error_clear(&err);
    if (!rep)
        omen_ingest_report_free(&local);
    return s;
}

#endif
