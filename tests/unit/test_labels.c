/* test_labels.c: unit tests of the label policy (unmapped values counted, kept as given, taken
 * back with their rejected record, --strict-labels), the alias tables (org types, modality
 * pairs, license ids), metadata timestamps (epoch by magnitude), and the hub-stats record shapes
 * (baseModels struct against base_model: tags, safetensors parameters, cardData as a string). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ingest/unmapped.h"
#include "../../src/util/dates.h"
#include "../../src/vocab/taxonomy.h"
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

TestSuite(labels, .init = setup, .fini = teardown);

Test(labels, unmapped_counts_sort_and_undo)
{
    omen_unmapped u = {0};
    cr_assert_null(omen_unmapped_text(&u, 0));
    omen_unmapped_add(&u, "org_type", "team", 4);
    omen_unmapped_add(&u, "country", "Atlantis", 8);
    omen_unmapped_add(&u, "org_type", "Research Lab", 12);
    omen_unmapped_add(&u, "org_type", "team", 4);
    /* a record whose values are taken back when it is rejected */
    omen_unmapped_begin(&u);
    omen_unmapped_add(&u, "org_type", "team", 4);
    omen_unmapped_add(&u, "relation", "cloned", 6);
    omen_unmapped_undo(&u);
    omen_unmapped_add(&u, "gated", "a\nb", 3); /* a control byte is shown as '?' */
    char *t = omen_unmapped_text(&u, 0);
    cr_assert_str_eq(t, "country=Atlantis: 1\ngated=a?b: 1\norg_type=team: 2\n"
                        "org_type=Research Lab: 1");
    free(t);
    cr_assert_eq(u.total, 5);
    cr_assert_eq(omen_unmapped_distinct(&u), 4, "relation=cloned was taken back");
    t = omen_unmapped_text(&u, 2);
    cr_assert_str_eq(t, "country=Atlantis: 1\ngated=a?b: 1\n... and 2 more values");
    free(t);
    /* many distinct values: the table grows */
    for (int i = 0; i < 500; i++) {
        char v[16];
        int n = snprintf(v, sizeof v, "v%d", i % 250);
        omen_unmapped_add(&u, "license", v, (size_t)n);
    }
    cr_assert_eq(omen_unmapped_distinct(&u), 254);
    cr_assert_eq(u.total, 505);
    omen_unmapped_free(&u);
    omen_unmapped_free(&u); /* twice is fine */
}

Test(labels, org_type_aliases)
{
    static const char *const map[][2] = {{"Company", "company"},
                                         {"University", "university"},
                                         {"Non-Profit", "nonprofit"},
                                         {"NGO", "nonprofit"},
                                         {"user", "user"},
                                         {" Individual ", "user"},
                                         {"Corporation", "company"},
                                         {"", "unknown"},
                                         {"Governmental", "government"},
                                         {"academia", "university"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const char *got = omen_org_type_parse(map[i][0], strlen(map[i][0]));
        cr_assert(got && strcmp(got, map[i][1]) == 0, "'%s' -> %s", map[i][0], got);
    }
    /* no alias on purpose: what they are is not clear */
    static const char *const none[] = {"Research Lab", "team", "Classroom", "robot"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        cr_assert_null(omen_org_type_parse(none[i], strlen(none[i])), "%s", none[i]);
}

Test(labels, modality_words)
{
    cr_assert_str_eq(omen_modality_input("Text", 4), "Text");
    cr_assert_str_eq(omen_modality_input(" audio ", 7), "Speech");
    cr_assert_null(omen_modality_input("3D", 2));
    static const char *const out[][3] = {
        {"Text", "Text", "Text Generation"},
        {"Video", "Image", "Video Generation"},
        {"Audio", "Text", "Speech Generation"},
        {"Classification", "Image", "Image Classification"},
        {"classification", "Text", "Text Classification"},
        {"Embedding", "Text", "Text Embedding"},
        {"Embeddings", "Image", "Image Embedding"},
        {"Segmentation", "Image", "Image Segmentation"},
        {"Object Detection", "Image", "Image Bounding Boxes"},
        {"Token Classification", "Text", "Text Sequence Classification"},
        {"Text Generation", "Image", "Text Generation"},
        {"Tabular", "Tabular", "Tabular"}};
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        const char *got = omen_modality_output(out[i][0], strlen(out[i][0]), out[i][1]);
        cr_assert(got && strcmp(got, out[i][2]) == 0, "%s -> %s gave %s", out[i][1], out[i][0],
                  got);
    }
    /* classification of speech or of nothing named: no Appendix D label */
    cr_assert_null(omen_modality_output("Classification", 14, "Speech"));
    cr_assert_null(omen_modality_output("Classification", 14, NULL));
    cr_assert_null(omen_modality_output("Point Cloud", 11, "Image"));
}

Test(labels, license_ids_known_or_not)
{
    static const char *const known[] = {"mit",   "apache-2.0", "llama3.1", "cc-by-nc-4.0",
                                        "other", "unknown",    "",         "cc-by-4.0",
                                        "gemma"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        cr_assert(omen_license_known(known[i], strlen(known[i])), "%s", known[i]);
    cr_assert_not(omen_license_known("my-own-license", 14));
    cr_assert_str_eq(omen_license_class("my-own-license", 14), OMEN_LICENSE_UNDOCUMENTED);
}

Test(labels, timestamps_by_magnitude)
{
    static const struct {
        const char *text;
        const char *date;
    } good[] = {{"2024-05-06 00:00:00+00", "2024-05-06"},
                {"1714953600", "2024-05-06"},          /* seconds */
                {"1714953600000", "2024-05-06"},       /* milliseconds */
                {"1714953600000000", "2024-05-06"},    /* microseconds */
                {"1714953600000000000", "2024-05-06"}, /* nanoseconds */
                {"1714953600.0", "2024-05-06"},
                {" 1714953600 ", "2024-05-06"},
                {"100000000", "1973-03-03"}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int32_t d = 0;
        const char *why = NULL;
        cr_assert(omen_date_parse_timestamp(good[i].text, strlen(good[i].text), &d, &why),
                  "'%s': %s", good[i].text, why);
        char buf[11];
        omen_date_format(d, buf);
        cr_assert_str_eq(buf, good[i].date, "'%s'", good[i].text);
    }
    static const struct {
        const char *text, *why_has;
    } bad[] = {
        {"20240506", "too small"},    {"99999999", "too small"}, {"99999999999999999999", "not"},
        {"9999999999", "after 2199"}, {"-1714953600", "not"},    {"1714953600.5", "not"},
        {"yesterday", "not"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t d = 0;
        const char *why = NULL;
        cr_assert_not(omen_date_parse_timestamp(bad[i].text, strlen(bad[i].text), &d, &why),
                      "'%s' accepted", bad[i].text);
        cr_assert(why && strstr(why, bad[i].why_has), "'%s': %s", bad[i].text, why);
    }
    /* an observation date stays strict: a bare number is no date there */
    int32_t d;
    cr_assert_not(omen_date_parse("1714953600", 10, &d));
}

static omen_ingest_options opts(omen_source src, bool strict)
{
    omen_ingest_options o = {0};
    o.source = src;
    o.strict_labels = strict;
    return o;
}

Test(labels, developers_kept_as_given_or_rejected_when_strict)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "d.db", &db);
    char *f = unit_write(dir, "d.csv",
                         "developer,country,org_type\n"
                         "shlab,CN,Research Lab\n"
                         "tii,UAE,Research Lab\n"
                         "bigsci,FR,Non-Profit\n"
                         "x,Atlantis,team\n");
    omen_ingest_report rep;
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, opts(OMEN_SOURCE_DEVELOPERS, true), f, &msg, &rep), OMEN_BAD_DATA);
    cr_assert(msg && strstr(msg, "d.csv:2: org_type 'Research Lab' is not one of") &&
                  strstr(msg, "d.csv:5: country 'Atlantis' is not an ISO") &&
                  strstr(msg, "d.csv:5: org_type 'team'"),
              "%s", msg);
    free(msg);
    omen_ingest_report_free(&rep);
    cr_assert_eq(unit_ingest(st, opts(OMEN_SOURCE_DEVELOPERS, false), f, &msg, &rep), OMEN_OK, "%s",
                 msg);
    cr_assert_eq(rep.rows_rejected, 0);
    cr_assert_eq(rep.unmapped_values, 4);
    cr_assert_str_eq(rep.unmapped, "country=Atlantis: 1\norg_type=Research Lab: 2\n"
                                   "org_type=team: 1");
    cr_assert(strstr(rep.notes, "4 metadata values (3 distinct)"), "%s", rep.notes);
    omen_ingest_report_free(&rep);
    char *t = unit_sql(db, "SELECT name || ' ' || country || ' ' || org_type FROM developers "
                           "ORDER BY name");
    cr_assert_str_eq(t, "bigsci FR nonprofit\nshlab CN Research Lab\ntii AE Research Lab\n"
                        "x Atlantis team");
    free(t);
    t = unit_sql(db, "SELECT unmapped FROM ingests ORDER BY id DESC LIMIT 1");
    cr_assert_str_eq(t, "country=Atlantis: 1\norg_type=Research Lab: 2\norg_type=team: 1");
    free(t);
    omen_store_close(st);
    free(db);
    free(f);
}

Test(labels, hub_records_basemodels_epochs_carddata)
{
    char *db = NULL;
    omen_store *st = unit_store(dir, "h.db", &db);
    char *f = unit_write(
        dir, "m.jsonl",
        /* baseModels and tags agree; createdAt in epoch milliseconds; cardData a JSON string */
        "{\"id\":\"k/chat\",\"createdAt\":1714953600000,\"tags\":[\"base_model:a/base\","
        "\"base_model:finetune:a/base\"],\"cardData\":\"{\\\"license\\\": \\\"mit\\\"}\","
        "\"baseModels\":{\"models\":[{\"_id\":\"1\",\"id\":\"a/"
        "base\"}],\"relation\":\"finetune\"}}\n"
        /* they disagree: baseModels wins (both its parents, in its order, its relation) */
        "{\"id\":\"s/mix\",\"createdAt\":\"2025-01-20T00:00:00Z\",\"tags\":[\"base_model:merge:"
        "a/base\"],\"baseModels\":{\"models\":[{\"_id\":\"2\",\"id\":\"k/chat\"},{\"_id\":\"1\","
        "\"id\":\"a/base\"}],\"relation\":\"merge\"},\"safetensors\":{\"parameters\":{\"BF16\":"
        "1000,\"F32\":24}}}\n"
        /* tags only; an epoch in seconds */
        "{\"id\":\"q/gguf\",\"createdAt\":1714953600,\"tags\":[\"base_model:quantized:k/chat\"]}\n"
        /* an unknown relation in baseModels is kept as given */
        "{\"id\":\"n/distill\",\"baseModels\":{\"models\":[{\"id\":\"a/base\"}],\"relation\":"
        "\"distillation\"}}\n");
    omen_ingest_report rep;
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, opts(OMEN_SOURCE_MODELS, false), f, &msg, &rep), OMEN_OK, "%s",
                 msg);
    cr_assert(strstr(rep.notes, "1 records list other base models (or relations) in baseModels "
                                "than in their base_model: tags (first: s/mix, record 2)"),
              "%s", rep.notes);
    cr_assert_str_eq(rep.unmapped, "relation=distillation: 1");
    omen_ingest_report_free(&rep);
    char *t = unit_sql(db, "SELECT c.name || '<' || p.name || ':' || e.relation || ':' || "
                           "e.position FROM edges e JOIN models c ON c.id = e.child JOIN models "
                           "p ON p.id = e.parent ORDER BY c.name, e.position");
    cr_assert_str_eq(t, "k/chat<a/base:finetune:0\nn/distill<a/base:distillation:0\n"
                        "q/gguf<k/chat:quantized:0\ns/mix<k/chat:merge:0\ns/mix<a/base:merge:1");
    free(t);
    t = unit_sql(db, "SELECT name || ' ' || coalesce(created, '-') || ' ' || coalesce(license, "
                     "'-') || ' ' || coalesce(params, '-') FROM models ORDER BY name");
    cr_assert_str_eq(t, "a/base - - -\nk/chat 2024-05-06 mit -\nn/distill - - -\n"
                        "q/gguf 2024-05-06 - -\ns/mix 2025-01-20 - 1024");
    free(t);
    /* a timestamp after 2199 is a clear error naming the value and the units tried */
    char *g = unit_write(dir, "g.jsonl", "{\"id\":\"z/z\",\"createdAt\":99999999999}\n");
    cr_assert_eq(unit_ingest(st, opts(OMEN_SOURCE_MODELS, false), g, &msg, &rep), OMEN_BAD_DATA);
    cr_assert(msg && strstr(msg, "g.jsonl:1: created '99999999999' is an epoch timestamp after "
                                 "2199"),
              "%s", msg);
    free(msg);
    omen_ingest_report_free(&rep);
    omen_store_close(st);
    free(db);
    free(f);
    free(g);
}
