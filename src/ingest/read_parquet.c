/* read_parquet.c: Parquet files through DuckDB's C API, turned into CSV text for the readers.
 *
 * DuckDB is opened in memory with extension autoloading and autoinstalling off (Parquet is
 * built into libduckdb; nothing is ever downloaded), and the settings are checked after opening
 * because a library that silently ignored them would fetch code from the network.
 *
 * libduckdb is loaded with dlopen() the first time a Parquet file is read, not linked: as a
 * NEEDED entry it (with libstdc++) made every process start pay the dynamic linker for the one
 * input format that uses it (`omen --help`: 55 M instructions and 57 ms task-clock linked,
 * 14.6 M and 19 ms loaded on demand; callgrind, perf stat -r 20). duckdb.h still gives the
 * types and prototypes at compile time. */
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

struct omen_parquet_stream {
    int unused;
};

omen_status omen_parquet_open(const char *path, const char *const *keep, omen_parquet_stream **out,
                              uint64_t *rows, char **dropped, omen_error *err)
{
    (void)keep;
    *out = NULL;
    *rows = 0;
    *dropped = NULL;
    return omen_error_set(err, OMEN_E_UNSUPPORTED,
                          "%s is a Parquet file, and this omen was built without libduckdb: run "
                          "scripts/fetch-duckdb --retry (needs npm and the npm registry), then "
                          "make; or convert the file to CSV",
                          path);
}

omen_status omen_parquet_next(omen_parquet_stream *s, size_t block_bytes, char **text, size_t *len,
                              omen_error *err)
{
    (void)s;
    (void)block_bytes;
    (void)err;
    *text = NULL;
    *len = 0;
    return OMEN_OK;
}

void omen_parquet_recycle(omen_parquet_stream *s, char *block)
{
    (void)s;
    free(block);
}

uint64_t omen_parquet_rows_done(const omen_parquet_stream *s)
{
    (void)s;
    return 0;
}

void omen_parquet_close(omen_parquet_stream *s)
{
    (void)s;
}

#else

#include <limits.h>
#include <pthread.h>
#include <unistd.h>

#include <duckdb.h>

/* The absolute path of $(DUCKDB_DIR)/lib/libduckdb.so at build time; the Makefile passes it. */
#ifndef OMEN_DUCKDB_LIB
#define OMEN_DUCKDB_LIB ""
#endif

/* Every duckdb_* function this file calls. omen is not linked with -lduckdb, so a call that
 * bypasses this table fails at link time rather than at run time. */
#define DUCK_FUNCTIONS(X)                                                                          \
    X(library_version)                                                                             \
    X(create_config)                                                                               \
    X(set_config)                                                                                  \
    X(destroy_config)                                                                              \
    X(open_ext)                                                                                    \
    X(connect)                                                                                     \
    X(disconnect)                                                                                  \
    X(close)                                                                                       \
    X(free)                                                                                        \
    X(query)                                                                                       \
    X(result_error)                                                                                \
    X(destroy_result)                                                                              \
    X(column_count)                                                                                \
    X(column_name)                                                                                 \
    X(column_logical_type)                                                                         \
    X(get_type_id)                                                                                 \
    X(struct_type_child_count)                                                                     \
    X(struct_type_child_name)                                                                      \
    X(struct_type_child_type)                                                                      \
    X(destroy_logical_type)                                                                        \
    X(fetch_chunk)                                                                                 \
    X(data_chunk_get_size)                                                                         \
    X(data_chunk_get_vector)                                                                       \
    X(destroy_data_chunk)                                                                          \
    X(vector_get_data)                                                                             \
    X(vector_get_validity)                                                                         \
    X(validity_row_is_valid)                                                                       \
    X(prepare)                                                                                     \
    X(prepare_error)                                                                               \
    X(destroy_prepare)                                                                             \
    X(pending_prepared_streaming)                                                                  \
    X(pending_error)                                                                               \
    X(execute_pending)                                                                             \
    X(destroy_pending)                                                                             \
    X(result_is_streaming)

/* duckdb_NAME is called as duck.NAME, typed by duckdb.h's own prototype. */
static struct {
#define DUCK_FIELD(name) __typeof__(duckdb_##name) *name;
    DUCK_FUNCTIONS(DUCK_FIELD)
#undef DUCK_FIELD
} duck;

static pthread_once_t duck_once = PTHREAD_ONCE_INIT;
static bool duck_loaded;
static char duck_error[4096]; /* why it did not load: the paths tried and dlerror() for each */

/* The places the rpaths used to name, in their order: beside an installed binary
 * ($ORIGIN/../lib/omen, $ORIGIN being the executable's directory as /proc/self/exe gives it,
 * which is what ld.so uses), the build tree's library, then the dlopen search path
 * (LD_LIBRARY_PATH, ld.so.cache, /usr/lib). */
static void duck_load(void)
{
    char origin[PATH_MAX + 64] = "";
    ssize_t n = readlink("/proc/self/exe", origin, PATH_MAX);
    origin[n > 0 ? n : 0] = 0;
    char *slash = strrchr(origin, '/');
    if (slash)
        strcpy(slash, "/../lib/omen/libduckdb.so");
    else
        origin[0] = 0;
    const char *paths[] = {origin, OMEN_DUCKDB_LIB, "libduckdb.so"};
#define DUCK_NAME(name) #name,
#define DUCK_SLOT(name) (void *)&duck.name,
    static const char *const symbols[] = {DUCK_FUNCTIONS(DUCK_NAME)};
    void *const slots[] = {DUCK_FUNCTIONS(DUCK_SLOT)};
#undef DUCK_NAME
#undef DUCK_SLOT
    duck_loaded =
        omen_library_load(paths, sizeof paths / sizeof paths[0], "duckdb_", symbols, slots,
                          sizeof slots / sizeof slots[0], "the DuckDB 1.x C API omen was built for",
                          duck_error, sizeof duck_error);
}

/* Loads libduckdb once per process (safe from any thread); fills err when it cannot. */
static omen_status duck_open(const char *path, omen_error *err)
{
    pthread_once(&duck_once, duck_load);
    if (duck_loaded)
        return OMEN_OK;
    return omen_error_set(err, OMEN_E_IO,
                          "%s is a Parquet file, and libduckdb could not be loaded: %s. Run "
                          "scripts/fetch-duckdb --retry, then make (or make install), or put "
                          "libduckdb.so on LD_LIBRARY_PATH; or convert the file to CSV",
                          path, duck_error);
}

const char *omen_parquet_support(void)
{
    static char why[sizeof duck_error + 32];
    pthread_once(&duck_once, duck_load);
    if (duck_loaded)
        return duck.library_version();
    snprintf(why, sizeof why, "cannot be loaded: %s", duck_error);
    return why;
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
    duckdb_type id = duck.get_type_id(type);
    if (id == DUCKDB_TYPE_STRUCT) {
        idx_t n = duck.struct_type_child_count(type);
        for (idx_t i = 0; i < n; i++) {
            char *child = duck.struct_type_child_name(type, i);
            duckdb_logical_type ct = duck.struct_type_child_type(type, i);
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
            duck.destroy_logical_type(&ct);
            duck.free(child);
        }
        return;
    }
    if (sel->len)
        puts_(sel, ", ");
    if (hdr->len)
        puts_(hdr, ",");
    if (id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY) {
        /* Items joined with ';'. An item that is a struct (hub-stats baseModels.models is a
         * list of {_id, id}) becomes its `id`: its text would be "{'_id': x, 'id': y}". The
         * element type is not known here, so the test is on the item's text, and only items
         * whose text starts with '{' pay for the JSON (plain strings, such as tags, do not). */
        puts_(sel, "array_to_string(list_transform(");
        puts_(sel, expr);
        puts_(sel, ", x -> CASE WHEN starts_with(CAST(x AS VARCHAR), '{') THEN "
                   "coalesce(json_extract_string(to_json(x), '$.id'), CAST(x AS VARCHAR)) "
                   "ELSE CAST(x AS VARCHAR) END), ';')");
    } else {
        puts_(sel, "CAST(");
        puts_(sel, expr);
        puts_(sel, " AS VARCHAR)");
    }
    put_field(hdr, name, strlen(name));
}

/* DuckDB's message up to its first line break: what follows is the SQL omen wrote ("LINE 1:
 * SELECT ..."), which says nothing about the file. */
static const char *first_line(const char *msg, char *buf, size_t cap)
{
    if (!msg)
        return "?";
    size_t n = strcspn(msg, "\n");
    while (n && msg[n - 1] == ' ')
        n--;
    snprintf(buf, cap, "%.*s", (int)n, msg);
    return buf;
}

/* A query on the file: when DuckDB cannot read it (a truncated file, a corrupt footer), that is
 * bad input, named by the file. */
static omen_status query(duckdb_connection con, const char *sql, duckdb_result *res,
                         const char *path, omen_error *err)
{
    if (duck.query(con, sql, res) == DuckDBSuccess)
        return OMEN_OK;
    char why[1024];
    omen_status s = omen_error_set(err, OMEN_E_DATA, "%s: cannot read as Parquet: %s", path,
                                   first_line(duck.result_error(res), why, sizeof why));
    duck.destroy_result(res);
    return s;
}

/* Opens an in-memory database that can never download or load extensions, and checks it. */
static omen_status open_db(duckdb_database *db, duckdb_connection *con, omen_error *err)
{
    duckdb_config cfg;
    char *why = NULL;
    if (duck.create_config(&cfg) != DuckDBSuccess)
        return omen_error_set(err, OMEN_E_IO, "libduckdb: cannot create a configuration");
    duck.set_config(cfg, "autoinstall_known_extensions", "false");
    duck.set_config(cfg, "autoload_known_extensions", "false");
    duck.set_config(cfg, "allow_community_extensions", "false");
    duckdb_state st = duck.open_ext(NULL, db, cfg, &why);
    duck.destroy_config(&cfg);
    if (st != DuckDBSuccess) {
        omen_status s =
            omen_error_set(err, OMEN_E_IO, "libduckdb: cannot open: %s", why ? why : "?");
        duck.free(why);
        return s;
    }
    if (duck.connect(*db, con) != DuckDBSuccess) {
        duck.close(db);
        return omen_error_set(err, OMEN_E_IO, "libduckdb: cannot connect");
    }
    duckdb_result res;
    const char *check = "SELECT current_setting('autoinstall_known_extensions')::VARCHAR || ',' "
                        "|| current_setting('autoload_known_extensions')::VARCHAR";
    omen_status s = query(*con, check, &res, "libduckdb", err);
    if (s != OMEN_OK)
        return s;
    duckdb_data_chunk ch = duck.fetch_chunk(res);
    bool off = false;
    if (ch && duck.data_chunk_get_size(ch) == 1) {
        duckdb_string_t *v = duck.vector_get_data(duck.data_chunk_get_vector(ch, 0));
        const char *p =
            v->value.inlined.length <= 12 ? v->value.inlined.inlined : v->value.pointer.ptr;
        off = v->value.inlined.length == 11 && memcmp(p, "false,false", 11) == 0;
    }
    if (ch)
        duck.destroy_data_chunk(&ch);
    duck.destroy_result(&res);
    if (!off) {
        duck.disconnect(con);
        duck.close(db);
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
    for (idx_t c = 0; c < duck.column_count(&res); c++) {
        if (!wanted(duck.column_name(&res, c), keep)) {
            if (skipped->len)
                puts_(skipped, ",");
            puts_(skipped, duck.column_name(&res, c));
            continue;
        }
        duckdb_logical_type t = duck.column_logical_type(&res, c);
        text e = {0};
        put_quoted(&e, duck.column_name(&res, c), '"');
        column_sql(&sel, hdr, e.buf, duck.column_name(&res, c), t);
        free(e.buf);
        duck.destroy_logical_type(&t);
    }
    duck.destroy_result(&res);
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
    idx_t n = duck.data_chunk_get_size(ch);
    duckdb_string_t *data[OMEN_PARQUET_MAX_COLS];
    uint64_t *valid[OMEN_PARQUET_MAX_COLS];
    for (idx_t c = 0; c < ncols; c++) {
        duckdb_vector v = duck.data_chunk_get_vector(ch, c);
        data[c] = duck.vector_get_data(v);
        valid[c] = duck.vector_get_validity(v);
    }
    for (idx_t r = 0; r < n; r++) {
        for (idx_t c = 0; c < ncols; c++) {
            if (c)
                put(out, ",", 1);
            if (valid[c] && !duck.validity_row_is_valid(valid[c], r))
                continue;
            const duckdb_string_t *s = &data[c][r];
            uint32_t len = s->value.inlined.length;
            put_field(out, len <= 12 ? s->value.inlined.inlined : s->value.pointer.ptr, len);
        }
        put(out, "\n", 1);
    }
}

/* Runs sql as a streaming query. A failure here is the file's fault (DuckDB has read its
 * footer and schema by now): bad input, naming the file. */
static omen_status stream_query(duckdb_connection con, const char *sql, duckdb_result *res,
                                const char *path, omen_error *err)
{
    duckdb_prepared_statement prep = NULL;
    duckdb_pending_result pending = NULL;
    omen_status st = OMEN_OK;
    char why[1024];
    if (duck.prepare(con, sql, &prep) != DuckDBSuccess) {
        st = omen_error_set(err, OMEN_E_DATA, "%s: cannot read as Parquet: %s", path,
                            first_line(duck.prepare_error(prep), why, sizeof why));
    } else if (duck.pending_prepared_streaming(prep, &pending) != DuckDBSuccess) {
        st = omen_error_set(
            err, OMEN_E_DATA, "%s: cannot read as Parquet: %s", path,
            first_line(pending ? duck.pending_error(pending) : NULL, why, sizeof why));
    } else if (duck.execute_pending(pending, res) != DuckDBSuccess) {
        st = omen_error_set(err, OMEN_E_DATA, "%s: cannot read as Parquet: %s", path,
                            first_line(duck.result_error(res), why, sizeof why));
        duck.destroy_result(res);
    }
    if (pending)
        duck.destroy_pending(&pending);
    duck.destroy_prepare(&prep);
    return st;
}

struct omen_parquet_stream {
    duckdb_database db;
    duckdb_connection con;
    duckdb_result res;
    bool have_result, header_sent, finished;
    idx_t ncols;
    text header;
    char *path;
    uint64_t rows_done;
    uint64_t *group_end; /* rows up to the end of each row group (footer_rows) */
    size_t ngroups;
    char *sql;   /* the streaming query, read again by locate_failure */
    text lent;   /* the last block returned (its buffer and capacity) */
    char *spare; /* a block given back (omen_parquet_recycle), capacity spare_cap */
    size_t spare_cap;
};

void omen_parquet_close(omen_parquet_stream *s)
{
    if (!s)
        return;
    if (s->have_result)
        duck.destroy_result(&s->res);
    duck.disconnect(&s->con);
    duck.close(&s->db);
    free(s->header.buf);
    free(s->path);
    free(s->group_end);
    free(s->sql);
    free(s->spare);
    free(s);
}

void omen_parquet_recycle(omen_parquet_stream *s, char *block)
{
    if (!block)
        return;
    if (!s || block != s->lent.buf || s->spare) {
        free(block);
        return;
    }
    s->spare = block;
    s->spare_cap = s->lent.cap;
    s->lent = (text){0};
}

/* The row count from the footer: cheap (no data page is read), and it gives the progress bar its
 * end. */
/* The rows of each row group, from the footer: their sum is the file's row count (for the
 * progress bar), and an error while decoding names the row group it happened in. */
static omen_status footer_rows(omen_parquet_stream *s, uint64_t *rows, omen_error *err)
{
    text sql = {0};
    puts_(&sql, "SELECT CAST(any_value(row_group_num_rows) AS VARCHAR) FROM parquet_metadata(");
    put_quoted(&sql, s->path, '\'');
    puts_(&sql, ") GROUP BY row_group_id ORDER BY row_group_id");
    duckdb_result res;
    omen_status st = query(s->con, sql.buf, &res, s->path, err);
    free(sql.buf);
    if (st != OMEN_OK)
        return st;
    *rows = 0;
    size_t cap = 0;
    for (duckdb_data_chunk ch; (ch = duck.fetch_chunk(res));) {
        idx_t n = duck.data_chunk_get_size(ch);
        duckdb_string_t *v = duck.vector_get_data(duck.data_chunk_get_vector(ch, 0));
        for (idx_t i = 0; i < n; i++) {
            const char *p = v[i].value.inlined.length <= 12 ? v[i].value.inlined.inlined
                                                            : v[i].value.pointer.ptr;
            if (s->ngroups == cap) {
                cap = cap ? 2 * cap : 16;
                s->group_end = omen_xrealloc(s->group_end, cap * sizeof *s->group_end);
            }
            *rows += strtoull(p, NULL, 10);
            s->group_end[s->ngroups++] = *rows;
        }
        duck.destroy_data_chunk(&ch);
    }
    duck.destroy_result(&res);
    return OMEN_OK;
}

/* " in row group G (rows A-B)" for the row after `done`, or "" when the footer did not say. */
static void row_group_of(const omen_parquet_stream *s, uint64_t done, char *out, size_t cap)
{
    out[0] = 0;
    for (size_t g = 0; g < s->ngroups; g++)
        if (s->group_end[g] > done) {
            snprintf(out, cap, " in row group %zu (rows %llu-%llu)", g,
                     (unsigned long long)(g ? s->group_end[g - 1] + 1 : 1),
                     (unsigned long long)s->group_end[g]);
            return;
        }
}

/* Where a decoding error lies. DuckDB decodes row groups ahead of what has been fetched (on
 * several threads, and a streaming result buffers ahead even on one), so the rows fetched when
 * it fails do not say which group is bad. On this error path only, each row group is read
 * again alone (DuckDB skips the others by file_row_number), with omen's own columns, until one
 * fails. Fills out with row_group_of's text, or "" when none fails alone. */
static void locate_failure(omen_parquet_stream *s, char *out, size_t cap)
{
    out[0] = 0;
    const char *from = s->sql ? strstr(s->sql, " FROM read_parquet(") : NULL;
    for (size_t g = 0; from && g < s->ngroups; g++) {
        text q = {0};
        puts_(&q, "SELECT sum(hash(t)) FROM (");
        put(&q, s->sql, (size_t)(from - s->sql));
        puts_(&q, " FROM read_parquet(");
        put_quoted(&q, s->path, '\'');
        char where[128];
        snprintf(where, sizeof where,
                 ", file_row_number = true) WHERE file_row_number BETWEEN %llu AND %llu) t",
                 (unsigned long long)(g ? s->group_end[g - 1] : 0),
                 (unsigned long long)(s->group_end[g] - 1));
        puts_(&q, where);
        duckdb_result res;
        duckdb_state st = duck.query(s->con, q.buf, &res);
        duck.destroy_result(&res);
        free(q.buf);
        if (st != DuckDBSuccess) {
            row_group_of(s, g ? s->group_end[g - 1] : 0, out, cap);
            return;
        }
    }
}

/* Adds the row group of a decoding failure to err's "cannot read as Parquet" message. */
static void name_row_group(omen_parquet_stream *s, omen_error *err)
{
    char group[96];
    locate_failure(s, group, sizeof group);
    const char *key = "cannot read as Parquet";
    char *at = err && err->message && group[0] ? strstr(err->message, key) : NULL;
    if (!at)
        return;
    size_t head = (size_t)(at - err->message) + strlen(key);
    size_t need = strlen(err->message) + strlen(group) + 1;
    char *m = omen_xmalloc(need);
    snprintf(m, need, "%.*s%s%s", (int)head, err->message, group, err->message + head);
    free(err->message);
    err->message = m;
}

omen_status omen_parquet_open(const char *path, const char *const *keep, omen_parquet_stream **out,
                              uint64_t *rows, char **dropped, omen_error *err)
{
    *out = NULL;
    *dropped = NULL;
    *rows = 0;
    omen_status st = duck_open(path, err);
    if (st != OMEN_OK)
        return st;
    omen_parquet_stream *s = omen_xcalloc(1, sizeof *s);
    s->path = omen_xstrdup(path);
    st = open_db(&s->db, &s->con, err);
    if (st != OMEN_OK) {
        free(s->path);
        free(s);
        return st;
    }
    text sql = {0}, skipped = {0};
    st = plan(s->con, path, keep, &sql, &s->header, &skipped, err);
    if (st == OMEN_OK)
        st = footer_rows(s, rows, err);
    /* A streaming result: DuckDB decodes row groups as chunks are fetched, so neither it nor
     * omen holds the file whole (duckdb_query would materialise every row first). */
    if (st == OMEN_OK) {
        s->sql = omen_xstrdup(sql.buf);
        st = stream_query(s->con, sql.buf, &s->res, path, err);
        if (st != OMEN_OK)
            name_row_group(s, err);
    }
    free(sql.buf);
    if (st == OMEN_OK) {
        s->have_result = true;
        s->ncols = duck.column_count(&s->res);
        if (s->ncols > OMEN_PARQUET_MAX_COLS)
            st = omen_error_set(err, OMEN_E_UNSUPPORTED, "%s: more than %d columns", path,
                                OMEN_PARQUET_MAX_COLS);
    }
    if (st != OMEN_OK) {
        free(skipped.buf);
        omen_parquet_close(s);
        return st;
    }
    *dropped = skipped.buf;
    *out = s;
    return OMEN_OK;
}

omen_status omen_parquet_next(omen_parquet_stream *s, size_t block_bytes, char **out, size_t *len,
                              omen_error *err)
{
    *out = NULL;
    *len = 0;
    /* OMEN_PARQUET_BLOCK_BYTES lets the tests cut a small file into many blocks, so that the
     * seams between blocks are exercised (tests/suites/snapshots.sh). */
    const char *env = getenv("OMEN_PARQUET_BLOCK_BYTES");
    if (!block_bytes)
        block_bytes = env && atol(env) > 0 ? (size_t)atol(env) : (size_t)32 << 20;
    /* Room for the block and the chunk that crosses its end, in the buffer given back. */
    text t = {.buf = s->spare, .cap = s->spare_cap};
    s->spare = NULL;
    if (t.cap < block_bytes + (block_bytes >> 2)) {
        free(t.buf);
        t.cap = block_bytes + (block_bytes >> 2);
        t.buf = omen_xmalloc(t.cap);
    }
    if (!s->header_sent) {
        put(&t, s->header.buf, s->header.len);
        s->header_sent = true;
    }
    while (!s->finished && t.len < block_bytes) {
        duckdb_data_chunk ch = duck.fetch_chunk(s->res);
        if (!ch) {
            s->finished = true;
            const char *msg = duck.result_error(&s->res);
            if (msg && *msg) {
                char why[1024];
                free(t.buf);
                omen_status st = omen_error_set(
                    err, OMEN_E_DATA, "%s: cannot read as Parquet after row %llu: %s", s->path,
                    (unsigned long long)s->rows_done, first_line(msg, why, sizeof why));
                name_row_group(s, err);
                return st;
            }
            break;
        }
        s->rows_done += duck.data_chunk_get_size(ch);
        put_chunk(&t, ch, s->ncols);
        duck.destroy_data_chunk(&ch);
    }
    if (!t.len) {
        free(t.buf);
        return OMEN_OK;
    }
    *out = t.buf;
    *len = t.len;
    s->lent = t;
    return OMEN_OK;
}

uint64_t omen_parquet_rows_done(const omen_parquet_stream *s)
{
    return s->rows_done;
}

#endif
