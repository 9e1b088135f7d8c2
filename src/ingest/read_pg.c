/* read_pg.c: `omen ingest downloads --pg CONNINFO --query SQL`: the weekly table read straight
 * from PostgreSQL (libpq), for teams that keep the panel, or the output of
 * sql/events_to_weekly.sql, in a database server.
 *
 * Rows arrive in libpq's single-row mode, so a large result is never held whole, and become the
 * same observations as a downloads CSV: the series logic, validation and transaction after
 * that are shared. Result columns are found by name (model, week, downloads, with the CSV
 * reader's aliases) or, failing that, taken as the first three.
 *
 * libpq is loaded with dlopen() the first time --pg is used, not linked: as a NEEDED entry it
 * brought its own libraries (openssl, gssapi, krb5, ldap, sasl, ...) into every process, and
 * with libcurl and libmicrohttpd it was most of the start-up of every command (`omen --help`:
 * 29 ms task-clock linked, 14 ms without, perf stat -r 30 on 2 busy cores). libpq-fe.h still
 * gives the types and prototypes at compile time. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../util/fileio.h"
#include "reader.h"

/* ---------------------------------------------------------------- libpq, loaded on demand */

/* Every PQ* function this file calls. omen is not linked with -lpq, so a call that bypasses this
 * table fails at link time rather than at run time. */
#define PQ_FNS(X)                                                                                  \
    X(connectdb)                                                                                   \
    X(status)                                                                                      \
    X(errorMessage)                                                                                \
    X(finish)                                                                                      \
    X(sendQuery)                                                                                   \
    X(setSingleRowMode)                                                                            \
    X(getResult)                                                                                   \
    X(resultStatus)                                                                                \
    X(resultErrorMessage)                                                                          \
    X(clear)                                                                                       \
    X(db)                                                                                          \
    X(host)                                                                                        \
    X(fnumber)                                                                                     \
    X(nfields)                                                                                     \
    X(fname)                                                                                       \
    X(getvalue)                                                                                    \
    X(getlength)                                                                                   \
    X(getisnull)

/* PQname is called as pq.name, typed by libpq-fe.h's own prototype. */
static struct {
#define PQ_FIELD(name) __typeof__(PQ##name) *name;
    PQ_FNS(PQ_FIELD)
#undef PQ_FIELD
} pq;

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static bool pq_loaded;
static char pq_why[2048]; /* why it did not load: each name tried and dlerror() for it */

/* Debian 12's SONAME of libpq, then the unversioned name that only libpq-dev provides. */
static void pq_load(void)
{
    static const char *const names[] = {"libpq.so.5", "libpq.so"};
#define PQ_NAME(name) #name,
#define PQ_SLOT(name) (void *)&pq.name,
    static const char *const symbols[] = {PQ_FNS(PQ_NAME)};
    void *const slots[] = {PQ_FNS(PQ_SLOT)};
#undef PQ_NAME
#undef PQ_SLOT
    pq_loaded = omen_library_load(names, sizeof names / sizeof names[0], "PQ", symbols, slots,
                                  sizeof slots / sizeof slots[0], "a libpq omen can use", pq_why,
                                  sizeof pq_why);
}

/* Loads libpq once per process (safe from any thread); fills err when it cannot. */
static omen_status pq_open(omen_error *err)
{
    pthread_once(&pq_once, pq_load);
    if (pq_loaded)
        return OMEN_OK;
    return omen_error_set(err, OMEN_E_IO,
                          "--pg needs libpq, which could not be loaded: %s. Install it (Debian, "
                          "Ubuntu: apt-get install libpq5) or put libpq.so.5 on LD_LIBRARY_PATH",
                          pq_why);
}

/* ---------------------------------------------------------------- the query */

static int find_column(const PGresult *res, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        int c = pq.fnumber(res, names[i]);
        if (c >= 0)
            return c;
    }
    return -1;
}

/* The three columns of the first result row; false with a data error when they are not there. */
static bool map_columns(omen_reader *r, const PGresult *res, int col[3])
{
    static const char *const model[] = {"model", "model_id", "repo_id", "id", NULL};
    static const char *const week[] = {"week", "date", "day", "time", NULL};
    static const char *const count[] = {"downloads", "count", "n", NULL};
    col[0] = find_column(res, model);
    col[1] = find_column(res, week);
    col[2] = find_column(res, count);
    if (col[0] >= 0 && col[1] >= 0 && col[2] >= 0)
        return true;
    if (pq.nfields(res) >= 3) {
        col[0] = 0, col[1] = 1, col[2] = 2;
        omen_reader_note(r,
                         "%s: columns not named model, week, downloads: took the first three "
                         "(%s, %s, %s)\n",
                         r->path, pq.fname(res, 0), pq.fname(res, 1), pq.fname(res, 2));
        return true;
    }
    omen_reader_error(r, 1, "the query gives %d columns; it needs model, week, downloads",
                      pq.nfields(res));
    return false;
}

static void add_row(omen_reader *r, const PGresult *res, const int col[3], uint64_t row)
{
    r->rows_read++;
    omen_field model = {pq.getvalue(res, 0, col[0]), (size_t)pq.getlength(res, 0, col[0])};
    omen_field week = {pq.getvalue(res, 0, col[1]), (size_t)pq.getlength(res, 0, col[1])};
    omen_field count = {pq.getvalue(res, 0, col[2]), (size_t)pq.getlength(res, 0, col[2])};
    int32_t day = 0;
    uint64_t value = 0;
    const char *why = NULL;
    bool ok = true;
    omen_field id = model;
    if (pq.getisnull(res, 0, col[0]) || !omen_parse_model_id(&id)) {
        char idwhy[400];
        omen_reader_error(r, row, "%s", omen_model_id_why(model, idwhy, sizeof idwhy));
        ok = false;
    }
    if (!omen_date_parse(week.ptr, week.len, &day)) {
        omen_reader_error(r, row, "week '%.*s' is not a valid date", (int)week.len, week.ptr);
        ok = false;
    }
    if (!omen_parse_count(count, &value, &why)) {
        omen_reader_error(r, row, "downloads '%.*s' is %s", (int)count.len, count.ptr, why);
        ok = false;
    }
    if (!ok) {
        r->rows_bad++;
        return;
    }
    omen_obs_push(r->obs, omen_rows_name(r->rows, id.ptr, id.len), day, value,
                  OMEN_WHERE(r->file_index, row));
}

omen_status omen_read_pg(omen_reader *r, const char *conninfo, const char *query, char sha[65],
                         uint64_t *bytes, omen_error *err)
{
    omen_status s = pq_open(err);
    if (s != OMEN_OK)
        return s;
    PGconn *pg = pq.connectdb(conninfo);
    if (pq.status(pg) != CONNECTION_OK) {
        s = omen_error_set(err, OMEN_E_IO, "PostgreSQL: cannot connect: %s", pq.errorMessage(pg));
        pq.finish(pg);
        return s;
    }
    if (!pq.sendQuery(pg, query) || !pq.setSingleRowMode(pg)) {
        s = omen_error_set(err, OMEN_E_IO, "PostgreSQL: cannot send the query: %s",
                           pq.errorMessage(pg));
        pq.finish(pg);
        return s;
    }
    int col[3] = {-1, -1, -1};
    bool mapped = false, usable = true;
    uint64_t row = 0, total = 0;
    PGresult *res;
    while ((res = pq.getResult(pg)) != NULL) {
        ExecStatusType st = pq.resultStatus(res);
        if (st == PGRES_SINGLE_TUPLE && usable) {
            row++;
            if (!mapped) {
                usable = map_columns(r, res, col);
                mapped = true;
            }
            if (usable) {
                add_row(r, res, col, row);
                for (int c = 0; c < 3; c++)
                    total += (uint64_t)pq.getlength(res, 0, col[c]) + 1;
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && s == OMEN_OK) {
            s = omen_error_set(err, OMEN_E_IO, "PostgreSQL: the query failed: %s",
                               pq.resultErrorMessage(res));
        }
        pq.clear(res);
    }
    if (s == OMEN_OK && row == 0)
        omen_reader_note(r, "%s: the query returned no rows\n", r->path);
    /* Provenance: what was asked of which database (the password never goes in the store). */
    char what[512];
    snprintf(what, sizeof what, "dbname=%s host=%s query=", pq.db(pg),
             pq.host(pg) ? pq.host(pg) : "");
    size_t wl = strlen(what), ql = strlen(query);
    char *text = omen_xmalloc(wl + ql + 1);
    memcpy(text, what, wl);
    memcpy(text + wl, query, ql + 1);
    omen_sha256_hex(text, wl + ql, sha);
    free(text);
    *bytes = total;
    pq.finish(pg);
    return s;
}
