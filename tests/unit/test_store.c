/* test_store.c: unit tests of the SQLite store: creation, identity and schema checks, the
 * upserts of a batch of rows (only changed rows count), replaced series, transactions, the
 * generation counter, provenance rows and stored snapshots. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/rows.h"
#include "../../src/store/store.h"
#include "../../src/util/dates.h"
#include "unit_fs.h"

static char *dir;

static void setup(void)
{
    dir = unit_mkdtemp();
}

static void teardown(void)
{
    unit_rmdir(dir);
    dir = NULL;
}

TestSuite(store, .init = setup, .fini = teardown);

/* Writes a batch in its own transaction and returns the rows it changed. */
static uint64_t apply(omen_store *st, const omen_rows *rows)
{
    omen_error err = {0};
    uint64_t n = 0;
    omen_ingest_record rec = {"test", "(unit)", NULL, 0, 0, 0, 0, "", NULL, NULL};
    omen_status s = omen_store_apply(st, rows, &rec, NULL, NULL, &n, &err);
    cr_assert_eq(s, OMEN_OK, "apply: %s", err.message ? err.message : "");
    omen_error_clear(&err);
    return n;
}

static uint32_t name(omen_rows *r, const char *s)
{
    return omen_rows_name(r, s, strlen(s));
}

static uint32_t str(omen_rows *r, const char *s)
{
    return omen_rows_str(r, s, strlen(s));
}

Test(store, open_missing_read_only_is_an_error_and_creates_nothing)
{
    char *path = unit_path(dir, "none.db");
    omen_store *st = (omen_store *)1;
    omen_error err = {0};
    omen_status s = omen_store_open(path, OMEN_STORE_READ, &st, &err);
    cr_assert_eq(s, OMEN_RUNTIME);
    cr_assert_null(st);
    cr_assert_eq(err.code, OMEN_E_STORE);
    cr_assert_not_null(strstr(err.message, "no omen store here yet"), "%s", err.message);
    cr_assert_eq(access(path, F_OK), -1, "nothing may be created");
    omen_error_clear(&err);
    free(path);
}

/* A version 1 store (as omen 1 made it) is read as it is and migrated when opened for writing,
 * keeping its rows and recording the snapshot dates it already holds. */
Test(store, a_version_1_store_migrates_when_written)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "v1.db", &path);
    omen_store_close(st);
    unit_sql_exec(path, "DROP VIEW snapshot_dates; DROP TABLE snapshot_days; "
                        "ALTER TABLE ingests DROP COLUMN unmapped; "
                        "INSERT INTO models(id, name) VALUES(1, 'a/b'); "
                        "INSERT INTO snapshots VALUES(1, 20000, 5), (1, 20007, 9); "
                        "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    omen_error err = {0};
    cr_assert_eq(omen_store_open(path, 0, &st, &err), OMEN_OK, "%s", err.message);
    omen_store_close(st);
    char *v = unit_sql(path, "SELECT value FROM meta WHERE key = 'schema_version'");
    cr_assert_str_eq(v, "1", "a read-only open leaves the store as it is");
    free(v);
    cr_assert_eq(omen_store_open(path, OMEN_STORE_WRITE, &st, &err), OMEN_OK, "%s", err.message);
    omen_store_close(st);
    v = unit_sql(path, "SELECT value FROM meta WHERE key = 'schema_version'");
    cr_assert_str_eq(v, "2");
    free(v);
    v = unit_sql(path, "SELECT group_concat(day) FROM snapshot_days");
    cr_assert_str_eq(v, "20000,20007");
    free(v);
    v = unit_sql(path, "SELECT count(*) FROM pragma_table_info('ingests') WHERE name = 'unmapped'");
    cr_assert_str_eq(v, "1");
    free(v);
    free(path);
}

Test(store, create_sets_meta_and_schema)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    cr_assert_eq(omen_store_generation(st), 0);
    cr_assert_str_eq(omen_store_path(st), path);
    cr_assert_eq(omen_store_schema_version(), 2);
    char *v = omen_store_meta_get(st, "schema_version");
    cr_assert_str_eq(v, "2");
    free(v);
    char *id = omen_store_meta_get(st, "store_id");
    cr_assert_eq(strlen(id), 32);
    cr_assert_eq(strspn(id, "0123456789abcdef"), 32, "hex id: %s", id);
    cr_assert_null(omen_store_meta_get(st, "no-such-key"));
    cr_assert_not(omen_store_is_synthetic(st));
    omen_store_close(st);
    /* every table and view a user may query is there */
    char *t = unit_sql(path, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                             "ORDER BY name");
    cr_assert_str_eq(t, "annotations\ncumulative_snapshots\ndevelopers\ndownloads\nedges\n"
                        "ingests\nmeta\nmodel_annotations\nmodel_edges\nmodels\nsnapshot_dates\n"
                        "snapshot_days\nsnapshots\nweekly_downloads");
    free(t);
    /* reopening keeps the identity */
    omen_error err = {0};
    cr_assert_eq(omen_store_open(path, OMEN_STORE_READ, &st, &err), OMEN_OK);
    char *id2 = omen_store_meta_get(st, "store_id");
    cr_assert_str_eq(id, id2);
    omen_store_close(st);
    /* two stores never share an identity */
    omen_store *other = unit_store(dir, "other.db", NULL);
    char *id3 = omen_store_meta_get(other, "store_id");
    cr_assert_str_neq(id, id3);
    omen_store_close(other);
    omen_store_close(NULL);
    free(id);
    free(id2);
    free(id3);
    free(path);
}

Test(store, refuses_foreign_and_newer_databases)
{
    omen_error err = {0};
    omen_store *st = NULL;
    char *foreign = unit_path(dir, "foreign.db");
    unit_sql_exec(foreign, "CREATE TABLE t(x)");
    cr_assert_eq(omen_store_open(foreign, OMEN_STORE_WRITE | OMEN_STORE_CREATE, &st, &err),
                 OMEN_RUNTIME);
    cr_assert_null(st);
    cr_assert_not_null(strstr(err.message, "an SQLite database of something else"), "%s",
                       err.message);
    cr_assert_eq(omen_store_open(foreign, OMEN_STORE_READ, &st, &err), OMEN_RUNTIME);
    cr_assert_not_null(strstr(err.message, "something else"), "%s", err.message);
    cr_assert_eq(unit_sql_int(foreign, "SELECT count(*) FROM sqlite_master"), 1,
                 "the foreign database is left alone");

    char *text = unit_write(dir, "text.db",
                            "this is not an SQLite file, only some plain text "
                            "that goes on for a little while.\n");
    cr_assert_eq(omen_store_open(text, OMEN_STORE_READ, &st, &err), OMEN_RUNTIME);
    cr_assert_eq(err.code, OMEN_E_STORE);
    cr_assert_not_null(strstr(err.message, "not an omen store"), "%s", err.message);

    char *newer = NULL;
    st = unit_store(dir, "newer.db", &newer);
    omen_store_close(st);
    unit_sql_exec(newer, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    cr_assert_eq(omen_store_open(newer, OMEN_STORE_READ, &st, &err), OMEN_RUNTIME);
    cr_assert_not_null(strstr(err.message, "schema version 99 is newer"), "%s", err.message);
    omen_error_clear(&err);
    free(foreign);
    free(text);
    free(newer);
}

Test(store, models_upsert_only_the_fields_a_row_sets)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    omen_rows r;
    omen_rows_init(&r);
    omen_model_row *m = omen_rows_add_model(&r);
    m->name = name(&r, "acme/alpha");
    m->fields = OMEN_MF_DEVELOPER | OMEN_MF_CREATED | OMEN_MF_PARAMS | OMEN_MF_GATED;
    m->developer = str(&r, "acme");
    m->created = omen_date_days(2023, 1, 1);
    m->params = 7000000000;
    m->params_source = str(&r, "safetensors");
    m->gated = str(&r, "no");
    /* insert of the name + update of the metadata */
    cr_assert_eq(apply(st, &r), 2);
    cr_assert_eq(omen_store_generation(st), 1);
    char *row = unit_sql(path, "SELECT name || '|' || developer || '|' || created || '|' || "
                               "params || '|' || params_source || '|' || gated || '|' || "
                               "ifnull(library, 'NULL') FROM models");
    cr_assert_str_eq(row, "acme/alpha|acme|2023-01-01|7000000000|safetensors|no|NULL");
    free(row);
    /* the same batch again changes nothing and leaves the generation alone */
    cr_assert_eq(apply(st, &r), 0);
    cr_assert_eq(omen_store_generation(st), 1);
    omen_rows_free(&r);

    /* a row that sets only the library keeps every other field */
    omen_rows_init(&r);
    m = omen_rows_add_model(&r);
    m->name = name(&r, "acme/alpha");
    m->fields = OMEN_MF_LIBRARY;
    m->library = str(&r, "transformers");
    cr_assert_eq(apply(st, &r), 1);
    row = unit_sql(path, "SELECT developer || '|' || created || '|' || params || '|' || library "
                         "FROM models");
    cr_assert_str_eq(row, "acme|2023-01-01|7000000000|transformers");
    free(row);
    omen_rows_free(&r);

    /* a field given as empty clears it */
    omen_rows_init(&r);
    m = omen_rows_add_model(&r);
    m->name = name(&r, "acme/alpha");
    m->fields = OMEN_MF_PARAMS;
    cr_assert_eq(apply(st, &r), 1);
    cr_assert_eq(unit_sql_int(path, "SELECT params IS NULL AND params_source IS NULL FROM "
                                    "models"),
                 1);
    cr_assert_eq(omen_store_generation(st), 3);
    omen_rows_free(&r);
    omen_store_close(st);
    free(path);
}

Test(store, developers_edges_annotations_upsert)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    omen_rows r;
    omen_rows_init(&r);
    omen_developer_row *d = omen_rows_add_developer(&r);
    d->name = str(&r, "acme");
    d->country = str(&r, "US");
    d->org_type = str(&r, "company");
    omen_edge_row *e = omen_rows_add_edge(&r);
    e->parent = name(&r, "acme/alpha");
    e->child = name(&r, "acme/alpha-ft");
    e->relation = str(&r, "finetune");
    e->position = 0;
    omen_annotation_row *a = omen_rows_add_annotation(&r);
    a->model = name(&r, "acme/alpha");
    a->field = str(&r, "architecture");
    a->value = str(&r, "LSTM");
    a->source = str(&r, "human");
    /* 2 models + 1 developer + 1 edge + 1 annotation */
    cr_assert_eq(apply(st, &r), 5);
    cr_assert_eq(apply(st, &r), 0);
    omen_rows_free(&r);

    /* a developer row without a country keeps the stored one; a new display name lands */
    omen_rows_init(&r);
    d = omen_rows_add_developer(&r);
    d->name = str(&r, "acme");
    d->display = str(&r, "Acme Corp");
    e = omen_rows_add_edge(&r);
    e->parent = name(&r, "acme/alpha");
    e->child = name(&r, "acme/alpha-ft");
    e->relation = str(&r, "adapter");
    cr_assert_eq(apply(st, &r), 2);
    char *t = unit_sql(path, "SELECT name || '|' || country || '|' || org_type || '|' || "
                             "display_name FROM developers");
    cr_assert_str_eq(t, "acme|US|company|Acme Corp");
    free(t);
    t = unit_sql(path, "SELECT parent || '>' || child || ':' || relation || '@' || position "
                       "FROM model_edges");
    cr_assert_str_eq(t, "acme/alpha>acme/alpha-ft:adapter@0");
    free(t);
    omen_rows_free(&r);
    omen_store_close(st);
    free(path);
}

Test(store, weekly_rows_upsert_and_replaced_series)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    int32_t w1 = omen_date_days(2023, 1, 2), w2 = w1 + 7, w3 = w1 + 14;
    omen_rows r;
    omen_rows_init(&r);
    uint32_t a = name(&r, "acme/a"), b = name(&r, "acme/b");
    *omen_rows_add_weekly(&r) = (omen_count_row){a, w1, 10};
    *omen_rows_add_weekly(&r) = (omen_count_row){a, w2, 20};
    *omen_rows_add_weekly(&r) = (omen_count_row){a, w3, 30};
    *omen_rows_add_weekly(&r) = (omen_count_row){b, w1, 5};
    cr_assert_eq(apply(st, &r), 6);
    omen_rows_free(&r);

    /* model a is replaced by a series without w3 and a new w2: w3 goes, w2 changes, w1 stays;
     * model b, not replaced, keeps its row */
    omen_rows_init(&r);
    a = name(&r, "acme/a");
    *omen_rows_add_weekly(&r) = (omen_count_row){a, w1, 10};
    *omen_rows_add_weekly(&r) = (omen_count_row){a, w2, 25};
    omen_rows_add_replace(&r, a);
    cr_assert_eq(apply(st, &r), 2);
    char *t = unit_sql(path, "SELECT model || '|' || week || '|' || downloads FROM "
                             "weekly_downloads ORDER BY model, week");
    cr_assert_str_eq(t, "acme/a|2023-01-02|10\nacme/a|2023-01-09|25\nacme/b|2023-01-02|5");
    free(t);
    /* the same replacement again changes nothing */
    cr_assert_eq(apply(st, &r), 0);
    omen_rows_free(&r);
    omen_store_close(st);
    free(path);
}

Test(store, names_only_of_rejected_rows_do_not_become_models)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    omen_rows r;
    omen_rows_init(&r);
    name(&r, "acme/rejected"); /* interned by a reader, then its row was rejected */
    uint32_t a = name(&r, "acme/kept");
    *omen_rows_add_weekly(&r) = (omen_count_row){a, omen_date_days(2023, 1, 2), 1};
    cr_assert_eq(apply(st, &r), 2);
    char *t = unit_sql(path, "SELECT name FROM models");
    cr_assert_str_eq(t, "acme/kept");
    free(t);
    omen_rows_free(&r);
    omen_store_close(st);
    free(path);
}

Test(store, rollback_leaves_the_file_as_it_was)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    char *copy = unit_path(dir, "copy.db");
    unit_copy(path, copy);
    omen_error err = {0};
    omen_rows r;
    omen_rows_init(&r);
    *omen_rows_add_weekly(&r) = (omen_count_row){name(&r, "acme/a"), 19358, 3};
    uint64_t n = 0;
    cr_assert_eq(omen_store_begin(st, &err), OMEN_OK);
    cr_assert_eq(omen_store_write_rows(st, &r, NULL, NULL, &n, &err), OMEN_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(omen_store_touch(st, false, &err), OMEN_OK);
    omen_store_rollback(st);
    omen_store_rollback(st); /* harmless outside a transaction */
    cr_assert_eq(omen_store_generation(st), 0);
    omen_store_close(st);
    cr_assert(unit_same_file(path, copy), "the store changed after a rollback");
    omen_rows_free(&r);
    free(copy);
    free(path);
}

Test(store, touch_synthetic_and_provenance)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    omen_error err = {0};
    omen_rows r;
    omen_rows_init(&r);
    r.synthetic = true;
    *omen_rows_add_weekly(&r) = (omen_count_row){name(&r, "acme/a"), 19358, 3};
    uint64_t n = 0;
    omen_ingest_record rec = {"synth", "(synth)", NULL, 10, 1, 0, 0, "scale=0.1", NULL, NULL};
    cr_assert_eq(omen_store_apply(st, &r, &rec, NULL, NULL, &n, &err), OMEN_OK);
    cr_assert_eq(n, 2);
    cr_assert(omen_store_is_synthetic(st));
    cr_assert_eq(omen_store_generation(st), 1);
    char *t = unit_sql(path, "SELECT source || '|' || file || '|' || bytes || '|' || rows_read "
                             "|| '|' || rows_written || '|' || options || '|' || "
                             "ifnull(rejects, 'NULL') || '|' || length(at) FROM ingests");
    cr_assert_str_eq(t, "synth|(synth)|10|1|2|scale=0.1|NULL|20");
    free(t);
    omen_rows_free(&r);
    omen_store_close(st);
    free(path);
}

Test(store, snapshots_of_a_model_sorted_by_day)
{
    omen_store *st = unit_store(dir, "s.db", NULL);
    omen_rows r;
    omen_rows_init(&r);
    uint32_t a = name(&r, "acme/a");
    *omen_rows_add_snapshot(&r) = (omen_count_row){a, 19400, 30};
    *omen_rows_add_snapshot(&r) = (omen_count_row){a, 19300, 10};
    *omen_rows_add_snapshot(&r) = (omen_count_row){name(&r, "acme/b"), 19350, 7};
    cr_assert_eq(apply(st, &r), 5);
    omen_count_row *v = NULL, base = {0};
    size_t n = 0, cap = 0;
    bool has_base = true;
    omen_error err = {0};
    omen_snapshot_reader *rd = NULL;
    cr_assert_eq(omen_store_snapshot_reader_open(st, &rd, &err), OMEN_OK);
    /* a window from before the first observation: every one, by day, and no base */
    cr_assert_eq(omen_store_snapshot_window(rd, "acme/a", 0, &has_base, &base, &v, &n, &cap, &err),
                 OMEN_OK);
    cr_assert_not(has_base);
    cr_assert_eq(n, 2);
    cr_assert_eq(v[0].day, 19300);
    cr_assert_eq(v[0].count, 10);
    cr_assert_eq(v[1].day, 19400);
    cr_assert_eq(v[1].count, 30);
    /* a window between them: the earlier is its base, the later in it */
    cr_assert_eq(
        omen_store_snapshot_window(rd, "acme/a", 19350, &has_base, &base, &v, &n, &cap, &err),
        OMEN_OK);
    cr_assert(has_base);
    cr_assert_eq(base.day, 19300);
    cr_assert_eq(base.count, 10);
    cr_assert_eq(n, 1);
    cr_assert_eq(v[0].day, 19400);
    free(v);
    v = NULL;
    cap = 0;
    cr_assert_eq(
        omen_store_snapshot_window(rd, "acme/none", 0, &has_base, &base, &v, &n, &cap, &err),
        OMEN_OK);
    cr_assert_eq(n, 0);
    cr_assert_null(v);
    cr_assert_not(has_base);
    omen_store_snapshot_reader_close(rd);
    omen_rows_free(&r);
    omen_store_close(st);
}

Test(store, read_only_store_refuses_writes)
{
    char *path = NULL;
    omen_store *st = unit_store(dir, "s.db", &path);
    omen_store_close(st);
    omen_error err = {0};
    cr_assert_eq(omen_store_open(path, OMEN_STORE_READ, &st, &err), OMEN_OK);
    omen_rows r;
    omen_rows_init(&r);
    *omen_rows_add_weekly(&r) = (omen_count_row){name(&r, "acme/a"), 19358, 3};
    omen_ingest_record rec = {"test", "(unit)", NULL, 0, 0, 0, 0, "", NULL, NULL};
    omen_status s = omen_store_apply(st, &r, &rec, NULL, NULL, NULL, &err);
    cr_assert_eq(s, OMEN_RUNTIME);
    cr_assert_eq(err.code, OMEN_E_SQLITE);
    omen_error_clear(&err);
    omen_rows_free(&r);
    omen_store_close(st);
    cr_assert_eq(unit_sql_int(path, "SELECT count(*) FROM models"), 0);
    free(path);
}
