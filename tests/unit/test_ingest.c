/* test_ingest.c: unit tests of the ingest readers through the library API: field parsers,
 * weekly and cumulative series, the kind decision, every source, the error report (file:line,
 * the first N, how many more) and the all-or-nothing rule, --skip-bad accounting. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ingest/reader.h"
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

TestSuite(ingest, .init = setup, .fini = teardown);
TestSuite(parse);

static omen_field fld(const char *s)
{
    return (omen_field){s, strlen(s)};
}

/* ---------------------------------------------------------------- field parsers */

#define MAX_WHY "above the maximum of 1099511627775 (2^40 - 1)"

Test(parse, counts)
{
    static const struct {
        const char *text;
        uint64_t value;
    } good[] = {{"0", 0},       {"123", 123},  {" 7 ", 7},  {"1.6e7", 16000000},
                {"123.0", 123}, {"1e3", 1000}, {".5e1", 5}, {"1099511627775", 1099511627775ull}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t v = 99;
        const char *why = NULL;
        cr_assert(omen_parse_count(fld(good[i].text), &v, &why), "'%s': %s", good[i].text, why);
        cr_assert_eq(v, good[i].value, "'%s' gave %llu", good[i].text, (unsigned long long)v);
    }
    static const struct {
        const char *text, *why;
    } bad[] = {{"", "empty"},
               {"   ", "empty"},
               {"-3", "negative"},
               {"-0.5", "negative"},
               {"1.5", "not a whole number"},
               {"12.5", "not a whole number"},
               {"abc", "not a number"},
               {"12abc", "not a number"},
               {"1,000", "not a number"},
               {"NaN", "not a number"},
               {"inf", "not a number"},
               {"1e400", "not a number"},
               {"0x10", "not a number"},
               /* issue 17: the documented maximum is 2^40 - 1, so sums of rows stay exact */
               {"1099511627776", MAX_WHY},
               {"1.2e12", MAX_WHY},
               {"9223372036854775807", MAX_WHY},
               {"9223372036854775808", MAX_WHY},
               {"99999999999999999999999", MAX_WHY},
               {"1e19", MAX_WHY}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 99;
        const char *why = NULL;
        cr_assert_not(omen_parse_count(fld(bad[i].text), &v, &why), "'%s' accepted as %llu",
                      bad[i].text, (unsigned long long)v);
        cr_assert_str_eq(why, bad[i].why, "'%s'", bad[i].text);
    }
}

Test(parse, model_ids_and_namespaces)
{
    omen_field f = fld("  https://huggingface.co/acme/alpha ");
    cr_assert(omen_parse_model_id(&f));
    cr_assert(omen_field_eq(f, "acme/alpha"));
    f = fld("huggingface.co/acme/beta");
    cr_assert(omen_parse_model_id(&f));
    cr_assert(omen_field_eq(f, "acme/beta"));
    f = fld("gpt2");
    cr_assert(omen_parse_model_id(&f));
    const char *bad[] = {"", "   ", "acme/my model", "acme/a,b", "acme/\"q\"", "acme/\tx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fld(bad[i]);
        cr_assert_not(omen_parse_model_id(&f), "'%s' accepted", bad[i]);
    }
    cr_assert(omen_field_eq(omen_model_namespace(fld("acme/alpha")), "acme"));
    /* issue 17: what is wrong with an id is said, a long one cut short with its length */
    char why[400], *big = malloc(1000001);
    memset(big, 'x', 1000000);
    big[0] = 'a', big[1] = '/', big[1000000] = 0;
    cr_assert_str_eq(omen_model_id_why(fld(big), why, sizeof why),
                     "model id 'a/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 1000000 bytes "
                     "long, above the maximum of 256");
    free(big);
    cr_assert_str_eq(omen_model_id_why(fld("  "), why, sizeof why), "model id is empty");
    cr_assert_str_eq(omen_model_id_why(fld("a/b c"), why, sizeof why),
                     "model id 'a/b c' has a space, control character, quote or comma");
    cr_assert(omen_field_eq(omen_model_namespace(fld("gpt2")), "gpt2"));
    cr_assert(omen_field_ieq(fld("ACME"), "acme"));
    cr_assert_not(omen_field_eq(fld("ACME"), "acme"));
}

Test(parse, source_names)
{
    omen_source s;
    cr_assert(omen_source_parse("downloads", &s));
    cr_assert_eq(s, OMEN_SOURCE_DOWNLOADS);
    cr_assert(omen_source_parse("annotations", &s));
    cr_assert_eq(s, OMEN_SOURCE_ANNOTATIONS);
    cr_assert(omen_source_parse("edges", &s));
    cr_assert_eq(s, OMEN_SOURCE_EDGES);
    cr_assert_not(omen_source_parse("Downloads", &s));
    cr_assert_not(omen_source_parse("widgets", &s));
    cr_assert_not(omen_source_parse("", &s));
}

/* ---------------------------------------------------------------- downloads */

static omen_ingest_options downloads(omen_series_kind kind)
{
    omen_ingest_options o = {0};
    o.source = OMEN_SOURCE_DOWNLOADS;
    o.kind = kind;
    return o;
}

Test(ingest, weekly_sums_per_iso_week_on_mondays)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    /* 2023-01-01 is a Sunday: it belongs to the week of Monday 2022-12-26 */
    char *f = unit_write(dir, "w.csv",
                         "model,week,downloads\n"
                         "acme/a,2023-01-01,1\n"
                         "acme/a,2023-01-02,10\n"
                         "acme/a,2023-01-07T23:59:59Z,5\n"
                         "acme/a,2023-01-09T01:00:00+02:00,100\n"
                         "acme/a,2023-W03-7,1000\n");
    omen_ingest_report rep;
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_WEEKLY), f, &msg, &rep), OMEN_OK, "%s", msg);
    cr_assert_eq(rep.rows_read, 5);
    cr_assert_eq(rep.rows_rejected, 0);
    cr_assert_eq(rep.kind_used, OMEN_KIND_WEEKLY);
    cr_assert_eq(rep.models_seen, 1);
    char *t = unit_sql(db, "SELECT week || '=' || downloads FROM weekly_downloads ORDER BY week");
    /* 2023-01-09T01:00+02:00 is 2023-01-08 23:00 UTC: still the week of 2023-01-02 */
    cr_assert_str_eq(t, "2022-12-26=1\n2023-01-02=115\n2023-01-16=1000");
    free(t);
    omen_ingest_report_free(&rep);
    omen_ingest_report_free(&rep); /* safe twice */
    omen_store_close(st);
    free(f);
    free(db);
}

Test(ingest, cumulative_flows_baseline_and_clipping)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *f = unit_write(dir, "c.csv",
                         "model,date,downloads_all_time\n"
                         "acme/a,2023-01-02,100\n"
                         "acme/a,2023-01-04,150\n"
                         "acme/a,2023-01-10,140\n"
                         "acme/a,2023-01-17,200\n"
                         "acme/b,2023-01-03,7\n");
    omen_ingest_report rep;
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_CUMULATIVE), f, &msg, &rep), OMEN_OK);
    cr_assert_eq(rep.kind_used, OMEN_KIND_CUMULATIVE);
    cr_assert_eq(rep.decreases_clipped, 1);
    char *t = unit_sql(db, "SELECT model || ' ' || week || '=' || downloads FROM "
                           "weekly_downloads ORDER BY model, week");
    /* the week of the decrease has a flow of 0: no row */
    cr_assert_str_eq(t, "acme/a 2023-01-02=150\nacme/a 2023-01-16=60\nacme/b 2023-01-02=7");
    free(t);
    cr_assert_eq(unit_sql_int(db, "SELECT count(*) FROM snapshots"), 5);
    omen_ingest_report_free(&rep);

    /* the same observations as a baseline: the first kept week gives no flow */
    omen_ingest_options o = downloads(OMEN_KIND_CUMULATIVE);
    o.baseline_first = true;
    cr_assert_eq(unit_ingest(st, o, f, &msg, &rep), OMEN_OK);
    t = unit_sql(db, "SELECT model || ' ' || week || '=' || downloads FROM weekly_downloads "
                     "ORDER BY model, week");
    cr_assert_str_eq(t, "acme/a 2023-01-16=60");
    free(t);
    omen_ingest_report_free(&rep);
    omen_store_close(st);
    free(f);
    free(db);
}

Test(ingest, kind_auto_decides_and_says_why)
{
    omen_store *st = unit_store(dir, "s.db", NULL);
    char *rising = unit_write(dir, "r.csv",
                              "model,date,count\nacme/a,2023-01-02,1\n"
                              "acme/a,2023-01-09,5\nacme/b,2023-01-02,3\n");
    char *falling = unit_write(dir, "f.csv",
                               "model,date,count\nacme/a,2023-01-02,9\n"
                               "acme/a,2023-01-09,5\n");
    char *flat = unit_write(dir, "flat.csv",
                            "model,date,count\nacme/c,2023-01-02,4\n"
                            "acme/c,2023-01-09,4\n");
    omen_ingest_report rep;
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), rising, NULL, &rep), OMEN_OK);
    cr_assert_eq(rep.kind_used, OMEN_KIND_CUMULATIVE);
    cr_assert_not_null(strstr(rep.notes, "kind auto: cumulative (all 2 series are "
                                         "non-decreasing)"),
                       "%s", rep.notes);
    omen_ingest_report_free(&rep);
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), falling, NULL, &rep), OMEN_OK);
    cr_assert_eq(rep.kind_used, OMEN_KIND_WEEKLY);
    cr_assert_not_null(strstr(rep.notes, "kind auto: weekly (a series decreases, first acme/a "
                                         "at "),
                       "%s", rep.notes);
    cr_assert_not_null(strstr(rep.notes, "f.csv:3;"), "%s", rep.notes);
    omen_ingest_report_free(&rep);
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), flat, NULL, &rep), OMEN_OK);
    cr_assert_eq(rep.kind_used, OMEN_KIND_WEEKLY);
    cr_assert_not_null(strstr(rep.notes, "no series has two different values"), "%s", rep.notes);
    omen_ingest_report_free(&rep);
    omen_store_close(st);
    free(rising);
    free(falling);
    free(flat);
}

Test(ingest, cumulative_files_in_any_order_give_the_same_flows)
{
    char *db1 = NULL, *db2 = NULL;
    omen_store *one = unit_store(dir, "one.db", &db1), *two = unit_store(dir, "two.db", &db2);
    char *all = unit_write(dir, "all.csv",
                           "model,date,cumulative\nacme/a,2023-01-02,10\n"
                           "acme/a,2023-01-09,15\nacme/a,2023-01-16,40\n"
                           "acme/a,2023-01-23,41\n");
    char *late = unit_write(dir, "late.csv",
                            "model,date,cumulative\nacme/a,2023-01-23,41\n"
                            "acme/a,2023-01-09,15\n");
    char *early = unit_write(dir, "early.csv",
                             "model,date,cumulative\nacme/a,2023-01-16,40\n"
                             "acme/a,2023-01-02,10\n");
    omen_ingest_options o = downloads(OMEN_KIND_CUMULATIVE);
    cr_assert_eq(unit_ingest(one, o, all, NULL, NULL), OMEN_OK);
    cr_assert_eq(unit_ingest(two, o, late, NULL, NULL), OMEN_OK);
    cr_assert_eq(unit_ingest(two, o, early, NULL, NULL), OMEN_OK);
    const char *q = "SELECT week || '=' || downloads FROM weekly_downloads ORDER BY week";
    char *a = unit_sql(db1, q), *b = unit_sql(db2, q);
    cr_assert_str_eq(a, "2023-01-02=10\n2023-01-09=5\n2023-01-16=25\n2023-01-23=1");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    omen_store_close(one);
    omen_store_close(two);
    free(all);
    free(late);
    free(early);
    free(db1);
    free(db2);
}

Test(ingest, bad_rows_fail_the_whole_ingest_and_write_nothing)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *good = unit_write(dir, "good.csv", "model,week,downloads\nacme/a,2023-01-02,1\n");
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_WEEKLY), good, NULL, NULL), OMEN_OK);
    char *copy = unit_path(dir, "copy.db");
    unit_copy(db, copy);
    int64_t gen = omen_store_generation(st);
    char *bad = unit_write(dir, "bad.csv",
                           "model,week,downloads\n"
                           "acme/a,2023-01-09,5\n"
                           "acme/b,2023-02-30,5\n"
                           "acme/c,2023-01-09,-1\n"
                           "acme/d,2023-01-09,2.5\n");
    char *msg = NULL;
    omen_ingest_report rep;
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_WEEKLY), bad, &msg, &rep), OMEN_BAD_DATA);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "%s:3: week '2023-02-30' is not a valid date (YYYY-MM-DD or YYYY-Www)\n"
             "%s:4: downloads '-1' is negative\n"
             "%s:5: downloads '2.5' is not a whole number",
             bad, bad, bad);
    cr_assert_str_eq(msg, expect);
    cr_assert_eq(rep.rows_read, 4);
    cr_assert_eq(rep.rows_rejected, 3);
    cr_assert_eq(rep.rows_written, 0);
    cr_assert_eq(omen_store_generation(st), gen);
    free(msg);
    omen_ingest_report_free(&rep);
    omen_store_close(st);
    cr_assert(unit_same_file(db, copy), "a rejected ingest changed the store");
    free(good);
    free(bad);
    free(copy);
    free(db);
}

Test(ingest, error_list_is_capped_with_a_count_of_the_rest)
{
    omen_store *st = unit_store(dir, "s.db", NULL);
    char text[4096] = "model,week,downloads\n";
    for (int i = 0; i < 30; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "acme/m%d,2023-01-02,x\n", i);
    char *f = unit_write(dir, "many.csv", text);
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_WEEKLY), f, &msg, NULL), OMEN_BAD_DATA);
    int lines = 0;
    for (const char *p = msg; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 20, "20 errors, then the count line: %s", msg);
    cr_assert_not_null(strstr(msg, "... and 10 more errors"), "%s", msg);
    free(msg);
    omen_ingest_options o = downloads(OMEN_KIND_WEEKLY);
    o.max_errors = 3;
    cr_assert_eq(unit_ingest(st, o, f, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "many.csv:4: downloads 'x' is not a number\n"
                                   "... and 27 more errors"),
                       "%s", msg);
    free(msg);
    omen_store_close(st);
    free(f);
}

Test(ingest, skip_bad_writes_good_rows_and_records_every_reject)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char text[4096] = "model,week,downloads\nacme/good,2023-01-02,5\n";
    for (int i = 0; i < 25; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "acme/bad%d,2023-01-02,-1\n", i);
    char *f = unit_write(dir, "mixed.csv", text);
    omen_ingest_options o = downloads(OMEN_KIND_WEEKLY);
    o.skip_bad = true;
    omen_ingest_report rep;
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, o, f, &msg, &rep), OMEN_OK, "%s", msg);
    cr_assert_eq(rep.rows_read, 26);
    cr_assert_eq(rep.rows_rejected, 25);
    cr_assert_not_null(strstr(rep.notes, "25 bad rows skipped"), "%s", rep.notes);
    cr_assert_eq(unit_sql_int(db, "SELECT count(*) FROM models"), 1);
    cr_assert_eq(unit_sql_int(db, "SELECT sum(downloads) FROM downloads"), 5);
    cr_assert_eq(unit_sql_int(db, "SELECT rows_rejected FROM ingests"), 25);
    cr_assert_eq(unit_sql_int(db, "SELECT length(rejects) - length(replace(rejects, char(10), "
                                  "'')) + 1 FROM ingests"),
                 25, "every reject is recorded, not only the first 20");
    omen_ingest_report_free(&rep);
    omen_store_close(st);
    free(f);
    free(db);
}

Test(ingest, file_level_problems)
{
    omen_store *st = unit_store(dir, "s.db", NULL);
    char *empty = unit_write(dir, "empty.csv", "\n  \n");
    char *header = unit_write(dir, "header.csv", "model,week,downloads\r\n");
    char *cols = unit_write(dir, "cols.csv", "model,when,n\nacme/a,2023-01-02,1\n");
    char *trunc = unit_write(dir, "trunc.csv", "model,week,downloads\nacme/a,2023-01-02,\"1");
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), empty, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "empty.csv:1: the file is empty"), "%s", msg);
    free(msg);
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), header, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "header.csv:2: no data rows after the header"), "%s", msg);
    free(msg);
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), cols, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "cols.csv:1: missing required columns 'week' (or date, "), "%s",
                       msg);
    cr_assert_not_null(strstr(msg, "'downloads' (or count, "), "%s", msg);
    free(msg);
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), trunc, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "trunc.csv:2: a quoted field is not closed"), "%s", msg);
    free(msg);
    /* binary input */
    char *bin = unit_path(dir, "bin.csv");
    FILE *fp = fopen(bin, "wb");
    fwrite("model,week\n\0\1\2\3", 1, 15, fp);
    fclose(fp);
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), bin, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "bin.csv:1: the file is binary"), "%s", msg);
    free(msg);
    /* an unreadable file is an I/O error, not bad data */
    char *none = unit_path(dir, "none.csv");
    cr_assert_eq(unit_ingest(st, downloads(OMEN_KIND_AUTO), none, &msg, NULL), OMEN_RUNTIME);
    cr_assert_not_null(strstr(msg, "cannot read"), "%s", msg);
    free(msg);
    /* no files at all */
    omen_error err = {0};
    omen_ingest_report rep;
    omen_ingest_options o = downloads(OMEN_KIND_AUTO);
    cr_assert_eq(omen_ingest_files(st, &o, NULL, 0, &rep, &err), OMEN_USAGE);
    omen_error_clear(&err);
    cr_assert_eq(omen_store_generation(st), 0);
    omen_store_close(st);
    free(empty);
    free(header);
    free(cols);
    free(trunc);
    free(bin);
    free(none);
}

Test(ingest, count_column_and_unused_columns)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *f = unit_write(dir, "two.csv",
                         "date,model_id,downloads_30d,downloads_all_time,extra\n"
                         "2023-01-02,acme/a,5,100,x\n"
                         "2023-01-09,acme/a,7,120,y\n");
    omen_ingest_options o = downloads(OMEN_KIND_CUMULATIVE);
    omen_ingest_report rep;
    cr_assert_eq(unit_ingest(st, o, f, NULL, &rep), OMEN_OK);
    cr_assert_str_eq(rep.unused_columns, "downloads_30d,extra;");
    cr_assert_eq(unit_sql_int(db, "SELECT sum(downloads) FROM downloads"), 120);
    omen_ingest_report_free(&rep);
    o = downloads(OMEN_KIND_WEEKLY);
    o.count_column = "downloads_30d";
    cr_assert_eq(unit_ingest(st, o, f, NULL, &rep), OMEN_OK);
    cr_assert_str_eq(rep.unused_columns, "downloads_all_time,extra;");
    cr_assert_eq(unit_sql_int(db, "SELECT sum(downloads) FROM downloads"), 12);
    omen_ingest_report_free(&rep);
    omen_store_close(st);
    free(f);
    free(db);
}

/* ---------------------------------------------------------------- other sources */

static omen_ingest_options source(omen_source s)
{
    omen_ingest_options o = {0};
    o.source = s;
    return o;
}

Test(ingest, models_csv_and_jsonl)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *csv = unit_write(
        dir, "m.csv",
        "model,author,created_at,base_models,relation,safetensors_total,"
        "library_name,gated,languages\n"
        "acme/a,acme,2023-03-01 10:00:00+00:00,,,1000,transformers,True,\"['en', 'fr']\"\n"
        "acme/b,acme,2023-03-02,acme/a|merge:acme/c,finetune,,,,\n");
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_MODELS), csv, &msg, NULL), OMEN_OK, "%s", msg);
    char *t = unit_sql(db, "SELECT name || '|' || ifnull(created, '') || '|' || ifnull(params, "
                           "'') || '|' || ifnull(gated, '') || '|' || ifnull(languages, '') "
                           "FROM models ORDER BY name");
    cr_assert_str_eq(t, "acme/a|2023-03-01|1000|auto|en;fr\nacme/b|2023-03-02|||\nacme/c||||");
    free(t);
    t = unit_sql(db, "SELECT child || '<' || parent || ':' || relation || '@' || position FROM "
                     "model_edges ORDER BY child, position");
    cr_assert_str_eq(t, "acme/b<acme/a:finetune@0\nacme/b<acme/c:merge@1");
    free(t);
    char *jl = unit_write(dir, "m.jsonl",
                          "{\"id\": \"acme/d\", \"createdAt\": \"2023-04-01T23:30:00-01:00\", "
                          "\"safetensors\": {\"total\": 42}, \"tags\": [\"base_model:adapter:"
                          "acme/a\", \"license:cc-by-4.0\"], \"gated\": false}\n"
                          "\n"
                          "{\"modelId\": \"acme/e\", \"usedStorage\": 77, \"card_data\": null}\n");
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_MODELS), jl, &msg, NULL), OMEN_OK, "%s", msg);
    t = unit_sql(db, "SELECT name || '|' || ifnull(created, '') || '|' || ifnull(params, '') || "
                     "'|' || ifnull(license, '') || '|' || ifnull(gated, '') || '|' || "
                     "ifnull(file_bytes, '') FROM models WHERE name IN ('acme/d', 'acme/e') "
                     "ORDER BY name");
    cr_assert_str_eq(t, "acme/d|2023-04-02|42|cc-by-4.0|no|\nacme/e|||||77");
    free(t);
    t = unit_sql(db, "SELECT parent || ':' || relation FROM model_edges WHERE child = 'acme/d'");
    cr_assert_str_eq(t, "acme/a:adapter");
    free(t);
    omen_store_close(st);
    free(csv);
    free(jl);
    free(db);
}

Test(ingest, models_conflicts_and_bad_values)
{
    omen_store *st = unit_store(dir, "s.db", NULL);
    char *f = unit_write(dir, "m.csv",
                         "model,created,params\n"
                         "acme/a,2023-01-01,5\n"
                         "acme/a,2023-01-01,5\n"
                         "acme/a,2023-01-02,5\n"
                         "acme/b,someday,1.5\n");
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_MODELS), f, &msg, NULL), OMEN_BAD_DATA);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "%s:4: model 'acme/a' is described twice with different values (first at line 2)\n"
             "%s:5: created 'someday' is not a valid date\n"
             "%s:5: params '1.5' is not a whole number",
             f, f, f);
    cr_assert_str_eq(msg, expect);
    free(msg);
    omen_store_close(st);
    free(f);
}

Test(ingest, developers_countries_and_types)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *f = unit_write(dir, "d.csv",
                         "hf_org,country_code,type\n"
                         "a,de,Academia\n"
                         "b,United Kingdom,company\n"
                         "c,ONLINE,community\n"
                         "d,USER,\n"
                         "a,Germany,university\n");
    char *msg = NULL;
    omen_ingest_report rep;
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_DEVELOPERS), f, &msg, &rep), OMEN_OK, "%s",
                 msg);
    cr_assert_eq(rep.rows_read, 5);
    omen_ingest_report_free(&rep);
    char *t = unit_sql(db, "SELECT name || '|' || ifnull(country, '') || '|' || "
                           "ifnull(org_type, '') FROM developers ORDER BY name");
    cr_assert_str_eq(t, "a|DE|university\nb|GB|company\nc|ONLINE|community\nd|USER|");
    free(t);
    char *bad = unit_write(dir, "bad.csv",
                           "developer,country,org_type\n"
                           "acme/x,US,company\n"
                           "e,Narnia,company\n"
                           "f,FR,guild\n");
    /* with --strict-labels: by default Narnia and guild are kept as given (test_labels.c) */
    omen_ingest_options strict = source(OMEN_SOURCE_DEVELOPERS);
    strict.strict_labels = true;
    cr_assert_eq(unit_ingest(st, strict, bad, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "bad.csv:2: developer 'acme/x' is not a Hub namespace"), "%s",
                       msg);
    cr_assert_not_null(strstr(msg, "bad.csv:3: country 'Narnia' is not an ISO 3166-1 code"), "%s",
                       msg);
    cr_assert_not_null(strstr(msg, "bad.csv:4: org_type 'guild' is not one of company, "), "%s",
                       msg);
    free(msg);
    omen_store_close(st);
    free(f);
    free(bad);
    free(db);
}

Test(ingest, edges_positions_relations_and_conflicts)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *f = unit_write(dir, "e.csv",
                         "source,target,edge_type\n"
                         "p/one,c/merged,merges\n"
                         "p/two,c/merged,merge\n"
                         "p/one,c/merged,merge\n"
                         "p/three,c/merged,Merge\n"
                         "p/one,c/lora,LoRA\n");
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_EDGES), f, &msg, NULL), OMEN_OK, "%s", msg);
    char *t = unit_sql(db, "SELECT child || '<' || parent || ':' || relation || '@' || position "
                           "FROM model_edges ORDER BY child, position");
    cr_assert_str_eq(t, "c/lora<p/one:adapter@0\nc/merged<p/one:merge@0\n"
                        "c/merged<p/two:merge@1\nc/merged<p/three:merge@2");
    free(t);
    /* no relation column: other */
    char *plain = unit_write(dir, "p.csv", "parent,child\np/x,c/y\n");
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_EDGES), plain, &msg, NULL), OMEN_OK);
    cr_assert_eq(unit_sql_int(db, "SELECT count(*) FROM model_edges WHERE child = 'c/y' AND "
                                  "relation = 'other'"),
                 1);
    char *bad = unit_write(dir, "b.csv",
                           "parent,child,relation\n"
                           "p/one,c/z,finetune\n"
                           "p/one,c/z,quantized\n"
                           "c/z,c/z,finetune\n");
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_EDGES), bad, &msg, NULL), OMEN_BAD_DATA);
    cr_assert_not_null(strstr(msg, "b.csv:3: edge p/one -> c/z is listed twice with different "
                                   "relations (first at line 2)"),
                       "%s", msg);
    cr_assert_not_null(strstr(msg, "b.csv:4: model 'c/z' is its own parent"), "%s", msg);
    free(msg);
    omen_store_close(st);
    free(f);
    free(plain);
    free(bad);
    free(db);
}

Test(ingest, annotations_against_the_taxonomy)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *f = unit_write(dir, "a.csv",
                         "model_id,attribute,label,source\n"
                         "acme/a,training_methods,QUANTIZATION,heuristic\n"
                         "acme/a,languages,zh-Hant,\n"
                         "acme/a,derivation,No,human\n"
                         "acme/a,license_class,non-commercial,\n");
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, source(OMEN_SOURCE_ANNOTATIONS), f, &msg, NULL), OMEN_OK, "%s",
                 msg);
    char *t = unit_sql(db, "SELECT field || '=' || value || '/' || source FROM "
                           "model_annotations ORDER BY field");
    cr_assert_str_eq(t, "derivation=No/human\nlanguages=zh-Hant/human\n"
                        "license_class=Non-commercial/human\n"
                        "training_methods=Quantization/heuristic");
    free(t);
    char *bad = unit_write(dir, "b.csv",
                           "model,field,value,source\n"
                           "acme/a,training_methods,Vibes,\n"
                           "acme/a,colour,red,\n"
                           "acme/a,languages,english please,\n"
                           "acme/a,gating,N/A,robot\n");
    /* with --strict-labels: by default Vibes and 'english please' are kept as given */
    omen_ingest_options strict = source(OMEN_SOURCE_ANNOTATIONS);
    strict.strict_labels = true;
    cr_assert_eq(unit_ingest(st, strict, bad, &msg, NULL), OMEN_BAD_DATA);
    /* the whole list of allowed labels, however long, ends the message */
    cr_assert_not_null(strstr(msg, "b.csv:2: unknown label 'Vibes' for field training_methods; "
                                   "allowed: Pretraining: Masked Language Modeling (MLM), "),
                       "%s", msg);
    cr_assert_not_null(strstr(msg, "Model Merging, Unsure, Undisclosed, Other\n"), "%s", msg);
    cr_assert_not_null(strstr(msg, "b.csv:3: unknown field 'colour'; the fields are: gating, "),
                       "%s", msg);
    cr_assert_not_null(strstr(msg, "b.csv:4: 'english please' is not a valid languages value"),
                       "%s", msg);
    cr_assert_not_null(strstr(msg, "b.csv:5: source 'robot' is not human or heuristic"), "%s", msg);
    free(msg);
    omen_store_close(st);
    free(f);
    free(bad);
    free(db);
}

Test(ingest, several_files_are_one_transaction)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "s.db", &db);
    char *a = unit_write(dir, "a.csv", "model,week,downloads\nacme/a,2023-01-02,1\n");
    char *b = unit_write(dir, "b.csv", "model,week,downloads\nacme/b,2023-01-02,zero\n");
    omen_ingest_options o = downloads(OMEN_KIND_WEEKLY);
    const char *files[2] = {a, b};
    omen_ingest_report rep;
    omen_error err = {0};
    cr_assert_eq(omen_ingest_files(st, &o, files, 2, &rep, &err), OMEN_BAD_DATA);
    cr_assert_eq(err.code, OMEN_E_DATA);
    omen_error_clear(&err);
    omen_ingest_report_free(&rep);
    cr_assert_eq(unit_sql_int(db, "SELECT count(*) FROM models"), 0);
    cr_assert_eq(unit_sql_int(db, "SELECT count(*) FROM ingests"), 0);
    files[1] = a;
    cr_assert_eq(omen_ingest_files(st, &o, files, 2, &rep, &err), OMEN_OK);
    cr_assert_eq(unit_sql_int(db, "SELECT count(*) FROM ingests"), 2);
    cr_assert_eq(unit_sql_int(db, "SELECT sum(downloads) FROM downloads"), 1,
                 "identical rows in two files are one observation");
    omen_ingest_report_free(&rep);
    omen_store_close(st);
    free(a);
    free(b);
    free(db);
}
