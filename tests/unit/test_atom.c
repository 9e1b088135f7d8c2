/* test_atom.c: unit tests of the Atom writer of alerts tables (src/output/atom.c): which tables
 * it takes, XML escaping of text from the store (markup, quotes, control bytes, invalid UTF-8,
 * the non-characters U+FFFE/U+FFFF), percent-encoded id segments, the links, and the feed's
 * updated time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omen/omen.h"

/* An alerts table (the columns of omen_alerts) with one row of hostile text. */
static omen_table *alerts_table(const char *entity, const char *sentence)
{
    static const char *const cols[] = {"period_start", "period_end", "kind",    "level",
                                       "entity",       "other",      "measure", "before",
                                       "after",        "sentence",   "view"};
    static const omen_col_type types[] = {
        OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_TEXT, OMEN_COL_TEXT, OMEN_COL_TEXT, OMEN_COL_TEXT,
        OMEN_COL_TEXT, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_TEXT, OMEN_COL_TEXT};
    omen_table *t = omen_table_new("alerts");
    omen_table_meta_bool(t, "synthetic", false);
    omen_table_meta_text(t, "level", "org_type");
    omen_table_meta_text(t, "newest_end", "2025-03-09");
    omen_table_meta_text(t, "settings", "");
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        omen_table_add_column(t, cols[i], types[i]);
    size_t r = omen_table_add_row(t);
    omen_table_set_date(t, r, 0, omen_date_days(2025, 2, 10));
    omen_table_set_date(t, r, 1, omen_date_days(2025, 2, 16));
    omen_table_set_text(t, r, 2, "share_jump");
    omen_table_set_text(t, r, 3, "org_type");
    omen_table_set_text(t, r, 4, entity);
    omen_table_set_text(t, r, 6, "share");
    omen_table_set_real(t, r, 7, 0.25);
    omen_table_set_real(t, r, 8, 0.5);
    omen_table_set_text(t, r, 9, sentence);
    omen_table_set_text(t, r, 10, "#view=orgs&window=week");
    return t;
}

static bool has(const char *s, const char *part)
{
    return strstr(s, part) != NULL;
}

Test(atom, only_alerts_tables)
{
    omen_table *t = omen_table_new("concentration");
    omen_table_add_column(t, "period_start", OMEN_COL_DATE);
    size_t len = 99;
    cr_assert_null(omen_table_to_string(t, OMEN_FORMAT_ATOM, &len));
    omen_error err = {0};
    FILE *f = tmpfile();
    cr_assert_eq(omen_table_write(t, OMEN_FORMAT_ATOM, f, &err), OMEN_USAGE);
    cr_assert(has(err.message, "not of concentration"), "%s", err.message);
    fclose(f);
    omen_error_clear(&err);
    omen_table_free(t);
}

Test(atom, escapes_text_and_attributes)
{
    omen_table *t = alerts_table("R&D <lab> \"x\" a/b c\xc3\xa9",
                                 "R&D <lab> 'x' \"y\" ok\x01\x7f tab\tend\r"
                                 "bad\xff over\xc0\xaf nonchar\xef\xbf\xbe surrogate\xed\xa0\x80 "
                                 "cut\xe2\x82");
    size_t len = 0;
    char *s = omen_table_to_string(t, OMEN_FORMAT_ATOM, &len);
    cr_assert_not_null(s);
    cr_assert_eq(len, strlen(s));
    cr_assert(has(s, "<title type=\"text\">R&amp;D &lt;lab&gt; 'x' \"y\" ok\xef\xbf\xbd\x7f "
                     "tab\tend&#13;bad\xef\xbf\xbd over\xef\xbf\xbd\xef\xbf\xbd nonchar"
                     "\xef\xbf\xbd surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd cut"
                     "\xef\xbf\xbd\xef\xbf\xbd</title>"),
              "%s", s);
    /* the entity in the content, escaped; in the id, percent-encoded (UTF-8 bytes too) */
    cr_assert(has(s, "\nentity: R&amp;D &lt;lab&gt; \"x\" a/b c\xc3\xa9\n"), "%s", s);
    cr_assert(has(s, "<id>tag:omen.invalid,2025:alert/2025-02-16/share_jump/org_type/"
                     "R%26D%20%3Clab%3E%20%22x%22%20a%2Fb%20c%C3%A9</id>"),
              "%s", s);
    /* the view's & in an attribute, relative to the feed without --link */
    cr_assert(has(s, "href=\"./#view=orgs&amp;window=week\""), "%s", s);
    cr_assert(has(s, "<updated>2025-03-10T00:00:00Z</updated>\n  <author>"), "%s", s);
    cr_assert(has(s, "<updated>2025-02-17T00:00:00Z</updated>\n    <published>"), "%s", s);
    cr_assert(has(s, "\nshare before: 0.25\nshare after: 0.5</content>"), "%s", s);
    cr_assert(!has(s, "SYNTHETIC"));
    free(s);
    omen_table_free(t);
}

Test(atom, link_settings_and_synthetic)
{
    omen_table *t = alerts_table("CN", "China passed the United States.");
    omen_table_meta_bool(t, "synthetic", true);
    omen_table_meta_text(t, "settings", "rolling=off;attribution=recursive");
    omen_table_meta_text(t, "link", "https://omen.example.org/a?b=1&c=2");
    omen_table_meta_text(t, "newest_end", "2025-01-01"); /* older than the alert: it wins */
    char *s = omen_table_to_string(t, OMEN_FORMAT_ATOM, NULL);
    cr_assert(has(s, "<id>tag:omen.invalid,2025:alerts/rolling=off;attribution=recursive</id>"),
              "%s", s);
    cr_assert(has(s, "alert/rolling=off;attribution=recursive/2025-02-16/share_jump/org_type/CN<"),
              "%s", s);
    cr_assert(has(s, "href=\"https://omen.example.org/a?b=1&amp;c=2#view=orgs&amp;window=week\""),
              "%s", s);
    cr_assert(has(s, "<title type=\"text\">omen alerts: org_type (SYNTHETIC DATA)</title>"), "%s",
              s);
    cr_assert(has(s, "<title type=\"text\">[SYNTHETIC DATA] China passed"), "%s", s);
    cr_assert(has(s, "<updated>2025-02-17T00:00:00Z</updated>\n  <author>"), "%s", s);
    free(s);
    omen_table_free(t);
}
