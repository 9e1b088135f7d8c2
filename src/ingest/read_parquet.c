/* read_parquet.c: Parquet files through DuckDB's C API, turned into CSV text for the readers.
 *
 * DuckDB is opened in memory with extension autoloading and autoinstalling off (Parquet is
 * built into libduckdb; nothing is ever downloaded), and the settings are checked after opening
 * because a library that silently ignored them would fetch code from the network. */
#include "parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/error.h"

bool omen_is_parquet(const char *data, size_t len)
{
    return len >= 8 && memcmp(data, "PAR1", 4) == 0;
}

void omen_parquet_diag_rows(omen_diag *d, const char *path, size_t from_lines, size_t from_all)
{
    size_t plen = strlen(path);
    char **lists[2] = {d->lines, d->all};
    size_t counts[2] = {d->nlines, d->nall}, from[2] = {from_lines, from_all};
    for (int l = 0; l < 2; l++) {
        for (size_t i = from[l]; lists[l] && i < counts[l]; i++) {
            char *m = lists[l][i];
            if (strncmp(m, path, plen) != 0 || m[plen] != ':')
                continue;
            char *end = NULL;
            unsigned long long line = strtoull(m + plen + 1, &end, 10);
            if (end == m + plen + 1 || *end != ':')
                continue;
            size_t need = plen + strlen(end) + 32;
            char *out = omen_xmalloc(need);
            if (line <= 1)
                snprintf(out, need, "%s%s", path, end);
            else
                snprintf(out, need, "%s:row %llu%s", path, line - 1, end);
            free(m);
            lists[l][i] = out;
        }
    }
}

#ifndef OMEN_HAVE_DUCKDB

const char *omen_parquet_support(void)
{
    return NULL;
}

omen_status omen_parquet_to_csv(const char *path, const char *const *keep, char **out, size_t *len,
                                uint64_t *rows, char **dropped, omen_error *err)
{
    (void)keep;
    *out = *dropped = NULL;
    *len = 0;
    *rows = 0;
    return omen_error_set(err, OMEN_E_UNSUPPORTED,
                          "%s is a Parquet file, and this omen was built without libduckdb: run "
                          "scripts/fetch-duckdb --retry (needs npm and the npm registry), then "
                          "make; or convert the file to CSV",
                          path);
}

#else

#include <duckdb.h>

const char *omen_parquet_support(void)
{
    return duckdb_library_version();
}

typedef struct {
    char *buf;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        while (t->len + n + 1 > t->cap)
            t->cap = t->cap ? t->cap * 2 : 1 << 20;
        t->buf = omen_xrealloc(t->buf, t->cap);
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = 0;
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* One CSV field: quoted when it holds a separator, a quote or outer spaces; line breaks become
 * spaces so that line numbers stay row numbers. */
static void put_field(text *t, const char *s, size_t n)
{
    bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        put(t, s, n);
        return;
    }
    put(t, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = s[i] == '"' ? "\"\"" : (s[i] == '\n' || s[i] == '\r') ? " " : NULL;
        if (!rep)
            continue;
        put(t, s + start, i - start);
        puts_(t, rep);
        start = i + 1;
    }
    put(t, s + start, n - start);
    put(t, "\"", 1);
}

/* SQL text of an identifier or a string literal. */
static void put_quoted(text *t, const char *s, char q)
{
    put(t, &q, 1);
    for (; *s; s++) {
        put(t, s, 1);
        if (*s == q)
            put(t, s, 1);
    }
    put(t, &q, 1);
}

/* Appends the select expressions and header names for one column: structs are flattened one
 * level per nesting (`a.b`), lists joined with ';', everything else cast to text. */
static void column_sql(text *sel, text *hdr, const char *expr, const char *name,
                       duckdb_logical_type type)
{
    duckdb_type id = duckdb_get_type_id(type);
    if (id == DUCKDB_TYPE_STRUCT) {
        idx_t n = duckdb_struct_type_child_count(type);
        for (idx_t i = 0; i < n; i++) {
            char *child = duckdb_struct_type_child_name(type, i);
            duckdb_logical_type ct = duckdb_struct_type_child_type(type, i);
            text e = {0}, nm = {0};
            puts_(&e, "struct_extract(");
            puts_(&e, expr);
            puts_(&e, ", ");
            put_quoted(&e, child, '\'');
            puts_(&e, ")");
            puts_(&nm, name);
            puts_(&nm, ".");
            puts_(&nm, child);
            column_sql(sel, hdr, e.buf, nm.buf, ct);
            free(e.buf);
            free(nm.buf);
            duckdb_destroy_logical_type(&ct);
            duckdb_free(child);
        }
        return;
    }
    if (sel->len)
        puts_(sel, ", ");
    if (hdr->len)
        puts_(hdr, ",");
    if (id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY) {
        puts_(sel, "array_to_string(CAST(");
        puts_(sel, expr);
        puts_(sel, " AS VARCHAR[]), ';')");
    } else {
        puts_(sel, "CAST(");
        puts_(sel, expr);
        puts_(sel, " AS VARCHAR)");
    }
    put_field(hdr, name, strlen(name));
}

static omen_status query(duckdb_connection con, const char *sql, duckdb_result *res,
                         const char *path, omen_error *err)
{
    if (duckdb_query(con, sql, res) == DuckDBSuccess)
        return OMEN_OK;
    omen_status s = omen_error_set(err, OMEN_E_IO, "%s: cannot read as Parquet: %s", path,
                                   duckdb_result_error(res));
    duckdb_destroy_result(res);
    return s;
}

/* Opens an in-memory database that can never download or load extensions, and checks it. */
static omen_status open_db(duckdb_database *db, duckdb_connection *con, omen_error *err)
{
    duckdb_config cfg;
    char *why = NULL;
    if (duckdb_create_config(&cfg) != DuckDBSuccess)
        return omen_error_set(err, OMEN_E_IO, "libduckdb: cannot create a configuration");
    duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
    duckdb_set_config(cfg, "autoload_known_extensions", "false");
    duckdb_set_config(cfg, "allow_community_extensions", "false");
    duckdb_state st = duckdb_open_ext(NULL, db, cfg, &why);
    duckdb_destroy_config(&cfg);
    if (st != DuckDBSuccess) {
        omen_status s =
            omen_error_set(err, OMEN_E_IO, "libduckdb: cannot open: %s", why ? why : "?");
        duckdb_free(why);
        return s;
    }
    if (duckdb_connect(*db, con) != DuckDBSuccess) {
        duckdb_close(db);
        return omen_error_set(err, OMEN_E_IO, "libduckdb: cannot connect");
    }
    duckdb_result res;
    const char *check = "SELECT current_setting('autoinstall_known_extensions')::VARCHAR || ',' "
                        "|| current_setting('autoload_known_extensions')::VARCHAR";
    omen_status s = query(*con, check, &res, "libduckdb", err);
    if (s != OMEN_OK)
        return s;
    duckdb_data_chunk ch = duckdb_fetch_chunk(res);
    bool off = false;
    if (ch && duckdb_data_chunk_get_size(ch) == 1) {
        duckdb_string_t *v = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0));
        const char *p =
            v->value.inlined.length <= 12 ? v->value.inlined.inlined : v->value.pointer.ptr;
        off = v->value.inlined.length == 11 && memcmp(p, "false,false", 11) == 0;
    }
    if (ch)
        duckdb_destroy_data_chunk(&ch);
    duckdb_destroy_result(&res);
    if (!off) {
        duckdb_disconnect(con);
        duckdb_close(db);
        return omen_error_set(err, OMEN_E_IO,
                              "libduckdb did not turn off extension autoloading; refusing to "
                              "use it (it could download code)");
    }
    return OMEN_OK;
}

/* The SELECT that gives every column as text, and the CSV header line. */
static bool wanted(const char *name, const char *const *keep)
{
    if (!keep)
        return true;
    for (; *keep; keep++)
        if (strcasecmp(*keep, name) == 0)
            return true;
    return false;
}

static omen_status plan(duckdb_connection con, const char *path, const char *const *keep, text *sql,
                        text *hdr, text *skipped, omen_error *err)
{
    text from = {0}, probe = {0};
    puts_(&from, " FROM read_parquet(");
    put_quoted(&from, path, '\'');
    puts_(&from, ")");
    puts_(&probe, "SELECT *");
    puts_(&probe, from.buf);
    puts_(&probe, " LIMIT 0");
    duckdb_result res;
    omen_status s = query(con, probe.buf, &res, path, err);
    free(probe.buf);
    if (s != OMEN_OK) {
        free(from.buf);
        return s;
    }
    text sel = {0};
    for (idx_t c = 0; c < duckdb_column_count(&res); c++) {
        if (!wanted(duckdb_column_name(&res, c), keep)) {
            if (skipped->len)
                puts_(skipped, ",");
            puts_(skipped, duckdb_column_name(&res, c));
            continue;
        }
        duckdb_logical_type t = duckdb_column_logical_type(&res, c);
        text e = {0};
        put_quoted(&e, duckdb_column_name(&res, c), '"');
        column_sql(&sel, hdr, e.buf, duckdb_column_name(&res, c), t);
        free(e.buf);
        duckdb_destroy_logical_type(&t);
    }
    duckdb_destroy_result(&res);
    puts_(sql, "SELECT ");
    puts_(sql, sel.len ? sel.buf : "NULL");
    puts_(sql, from.buf);
    put(hdr, "\n", 1);
    free(sel.buf);
    free(from.buf);
    return OMEN_OK;
}

static void put_chunk(text *out, duckdb_data_chunk ch, idx_t ncols)
{
    idx_t n = duckdb_data_chunk_get_size(ch);
    duckdb_string_t *data[OMEN_PARQUET_MAX_COLS];
    uint64_t *valid[OMEN_PARQUET_MAX_COLS];
    for (idx_t c = 0; c < ncols; c++) {
        duckdb_vector v = duckdb_data_chunk_get_vector(ch, c);
        data[c] = duckdb_vector_get_data(v);
        valid[c] = duckdb_vector_get_validity(v);
    }
    for (idx_t r = 0; r < n; r++) {
        for (idx_t c = 0; c < ncols; c++) {
            if (c)
                put(out, ",", 1);
            if (valid[c] && !duckdb_validity_row_is_valid(valid[c], r))
                continue;
            const duckdb_string_t *s = &data[c][r];
            uint32_t len = s->value.inlined.length;
            put_field(out, len <= 12 ? s->value.inlined.inlined : s->value.pointer.ptr, len);
        }
        put(out, "\n", 1);
    }
}

omen_status omen_parquet_to_csv(const char *path, const char *const *keep, char **out, size_t *len,
                                uint64_t *rows, char **dropped, omen_error *err)
{
    *out = *dropped = NULL;
    *len = 0;
    *rows = 0;
    duckdb_database db;
    duckdb_connection con;
    omen_status s = open_db(&db, &con, err);
    if (s != OMEN_OK)
        return s;
    text sql = {0}, csv = {0}, skipped = {0};
    s = plan(con, path, keep, &sql, &csv, &skipped, err);
    duckdb_result res;
    if (s == OMEN_OK)
        s = query(con, sql.buf, &res, path, err);
    if (s == OMEN_OK) {
        idx_t ncols = duckdb_column_count(&res);
        if (ncols > OMEN_PARQUET_MAX_COLS) {
            s = omen_error_set(err, OMEN_E_UNSUPPORTED, "%s: more than %d columns", path,
                               OMEN_PARQUET_MAX_COLS);
        } else {
            duckdb_data_chunk ch;
            while ((ch = duckdb_fetch_chunk(res)) != NULL) {
                *rows += duckdb_data_chunk_get_size(ch);
                put_chunk(&csv, ch, ncols);
                duckdb_destroy_data_chunk(&ch);
            }
        }
        duckdb_destroy_result(&res);
    }
    free(sql.buf);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    if (s != OMEN_OK) {
        free(csv.buf);
        free(skipped.buf);
        return s;
    }
    *dropped = skipped.buf;
    *out = csv.buf;
    *len = csv.len;
    return OMEN_OK;
}

#endif
