/* read_pg.c: `omen ingest downloads --pg CONNINFO --query SQL`: the weekly table read straight
 * from PostgreSQL (libpq), for teams that keep the panel, or the output of
 * sql/events_to_weekly.sql, in a database server.
 *
 * Rows arrive in libpq's single-row mode, so a large result is never held whole, and become the
 * same observations as a downloads CSV: the series logic, validation and transaction after
 * that are shared. Result columns are found by name (model, week, downloads, with the CSV
 * reader's aliases) or, failing that, taken as the first three. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../util/fileio.h"
#include "reader.h"

static int find_column(const PGresult *res, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        int c = PQfnumber(res, names[i]);
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
    if (PQnfields(res) >= 3) {
        col[0] = 0, col[1] = 1, col[2] = 2;
        omen_reader_note(r,
                         "%s: columns not named model, week, downloads: took the first three "
                         "(%s, %s, %s)\n",
                         r->path, PQfname(res, 0), PQfname(res, 1), PQfname(res, 2));
        return true;
    }
    omen_reader_error(r, 1, "the query gives %d columns; it needs model, week, downloads",
                      PQnfields(res));
    return false;
}

static void add_row(omen_reader *r, const PGresult *res, const int col[3], uint64_t row)
{
    r->rows_read++;
    omen_field model = {PQgetvalue(res, 0, col[0]), (size_t)PQgetlength(res, 0, col[0])};
    omen_field week = {PQgetvalue(res, 0, col[1]), (size_t)PQgetlength(res, 0, col[1])};
    omen_field count = {PQgetvalue(res, 0, col[2]), (size_t)PQgetlength(res, 0, col[2])};
    int32_t day = 0;
    uint64_t value = 0;
    const char *why = NULL;
    bool ok = true;
    omen_field id = model;
    if (PQgetisnull(res, 0, col[0]) || !omen_parse_model_id(&id)) {
        omen_reader_error(r, row, "model id '%.*s' is empty or has spaces", (int)model.len,
                          model.ptr);
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
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        omen_status s =
            omen_error_set(err, OMEN_E_IO, "PostgreSQL: cannot connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return s;
    }
    if (!PQsendQuery(pg, query) || !PQsetSingleRowMode(pg)) {
        omen_status s = omen_error_set(err, OMEN_E_IO, "PostgreSQL: cannot send the query: %s",
                                       PQerrorMessage(pg));
        PQfinish(pg);
        return s;
    }
    omen_status s = OMEN_OK;
    int col[3] = {-1, -1, -1};
    bool mapped = false, usable = true;
    uint64_t row = 0, total = 0;
    PGresult *res;
    while ((res = PQgetResult(pg)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE && usable) {
            row++;
            if (!mapped) {
                usable = map_columns(r, res, col);
                mapped = true;
            }
            if (usable) {
                add_row(r, res, col, row);
                for (int c = 0; c < 3; c++)
                    total += (uint64_t)PQgetlength(res, 0, col[c]) + 1;
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && s == OMEN_OK) {
            s = omen_error_set(err, OMEN_E_IO, "PostgreSQL: the query failed: %s",
                               PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    if (s == OMEN_OK && row == 0)
        omen_reader_note(r, "%s: the query returned no rows\n", r->path);
    /* Provenance: what was asked of which database (the password never goes in the store). */
    char what[512];
    snprintf(what, sizeof what, "dbname=%s host=%s query=", PQdb(pg), PQhost(pg) ? PQhost(pg) : "");
    size_t wl = strlen(what), ql = strlen(query);
    char *text = omen_xmalloc(wl + ql + 1);
    memcpy(text, what, wl);
    memcpy(text + wl, query, ql + 1);
    omen_sha256_hex(text, wl + ql, sha);
    free(text);
    *bytes = total;
    PQfinish(pg);
    return s;
}
