/* atom.c: an alerts table as an Atom feed (RFC 4287) that a feed reader can subscribe to: one
 * entry per alert, its title the alert's sentence, its link the dashboard's view of it, its id a
 * tag: URI (RFC 4151) that stays the same every time the feed is written again. The table's
 * text is data from the store (model ids, names), so everything is XML-escaped, invalid UTF-8
 * and characters XML 1.0 forbids become U+FFFD, and id segments are percent-encoded. */
#include "atom.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "table_internal.h"

/* The tagging entity of every id: omen has no domain of its own, and a name under .invalid
 * (RFC 2606) can never be someone else's. */
#define TAG "tag:omen.invalid,2025:"

typedef struct {
    char *s;
    size_t len, cap;
} buf;

static void put(buf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = omen_xrealloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void puts_(buf *b, const char *p)
{
    put(b, p, strlen(p));
}

/* The length of the valid UTF-8 sequence at p (1-4) and its code point; 0 when invalid
 * (overlong forms, surrogates, above U+10FFFF, truncated). */
static size_t utf8(const unsigned char *p, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (n == 0 || c >= 0xf5)
        return 0;
    uint32_t v = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Text as XML character data (attr: as an attribute value in double quotes). */
static void xml(buf *b, const char *s, bool attr)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char c = *p;
        if (c < 0x80) {
            const char *esc = c == '&'            ? "&amp;"
                              : c == '<'          ? "&lt;"
                              : c == '>'          ? "&gt;"
                              : c == '"' && attr  ? "&quot;"
                              : c == '\r'         ? "&#13;" /* else a parser reads \n */
                              : c == '\t' && attr ? "&#9;"  /* else a space */
                              : c == '\n' && attr ? "&#10;"
                              : c < 0x20 && c != '\t' && c != '\n' ? replacement
                                                                   : NULL;
            if (esc)
                puts_(b, esc);
            else
                put(b, (const char *)p, 1);
            p++;
            continue;
        }
        uint32_t cp = 0;
        size_t n = utf8(p, &cp);
        if (n == 0 || cp == 0xfffe || cp == 0xffff) { /* not characters of XML 1.0 */
            puts_(b, replacement);
            p += n ? n : 1;
        } else {
            put(b, (const char *)p, n);
            p += n;
        }
    }
}

/* A segment of a tag: URI: unreserved characters as they are, ';', '=' and ',' too (the
 * settings), every other byte as %XX. */
static void pct_encode(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~;=,", c)) {
            put(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(b, e, 3);
        }
    }
}

static const omen_table_meta_entry *meta(const omen_table *t, const char *key)
{
    for (size_t i = 0; i < t->nmeta; i++)
        if (strcmp(t->meta[i].key, key) == 0)
            return &t->meta[i];
    return NULL;
}

static const char *meta_text(const omen_table *t, const char *key)
{
    const omen_table_meta_entry *e = meta(t, key);
    return e && e->type == OMEN_COL_TEXT ? e->value.s : NULL;
}

/* RFC 3339 at midnight UTC of a day; an alert is dated the day after its period's last day,
 * when the period is complete. */
static void timestamp(buf *b, int32_t days)
{
    char d[11];
    omen_date_format(days, d);
    puts_(b, d);
    puts_(b, "T00:00:00Z");
}

static const char *const needed[] = {"period_start", "period_end", "kind",    "level",
                                     "entity",       "other",      "measure", "before",
                                     "after",        "sentence",   "view"};
enum { START, END, KIND, LEVEL, ENTITY, OTHER, MEASURE, BEFORE, AFTER, SENTENCE, VIEW, NNEEDED };

bool omen_output_atom_fits(const omen_table *t)
{
    static const omen_col_type types[NNEEDED] = {
        OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_TEXT, OMEN_COL_TEXT, OMEN_COL_TEXT, OMEN_COL_TEXT,
        OMEN_COL_TEXT, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_TEXT, OMEN_COL_TEXT};
    for (size_t i = 0; i < NNEEDED; i++) {
        size_t c = omen_table_find(t, needed[i]);
        if (c == (size_t)-1 || omen_table_col_type(t, c) != types[i])
            return false;
    }
    return true;
}

/* The dashboard's address an alert's view (a URL hash) is appended to: --link, or the feed's
 * own folder ("./"), which a reader resolves against the address it fetched the feed from. */
static void href(buf *b, const char *base, const char *view)
{
    xml(b, base, true);
    xml(b, view, true);
}

static void entry(buf *b, const omen_table *t, const size_t *col, size_t r, const char *base,
                  const char *settings, bool synthetic)
{
    const char *kind = omen_table_text(t, r, col[KIND]), *level = omen_table_text(t, r, col[LEVEL]);
    const char *measure = omen_table_text(t, r, col[MEASURE]);
    int32_t end = (int32_t)omen_table_int(t, r, col[END]);
    char d[11], e[11], num[32];
    omen_date_format((int32_t)omen_table_int(t, r, col[START]), d);
    omen_date_format(end, e);
    puts_(b, "  <entry>\n    <id>" TAG "alert/");
    if (settings && *settings) {
        pct_encode(b, settings);
        puts_(b, "/");
    }
    puts_(b, e); /* periods of sliding windows share their first day, never their last */
    puts_(b, "/");
    pct_encode(b, kind);
    puts_(b, "/");
    pct_encode(b, level);
    for (int k = ENTITY; k <= OTHER; k++)
        if (!omen_table_is_null(t, r, col[k])) {
            puts_(b, "/");
            pct_encode(b, omen_table_text(t, r, col[k]));
        }
    puts_(b, "</id>\n    <title type=\"text\">");
    if (synthetic)
        puts_(b, "[SYNTHETIC DATA] ");
    xml(b, omen_table_text(t, r, col[SENTENCE]), false);
    puts_(b, "</title>\n    <updated>");
    timestamp(b, end + 1);
    puts_(b, "</updated>\n    <published>");
    timestamp(b, end + 1);
    puts_(b, "</published>\n    <link rel=\"alternate\" type=\"text/html\" href=\"");
    href(b, base, omen_table_text(t, r, col[VIEW]));
    puts_(b, "\"/>\n    <category term=\"");
    xml(b, kind, true);
    puts_(b, "\" scheme=\"" TAG "kind\"/>\n    <category term=\"");
    xml(b, level, true);
    puts_(b, "\" scheme=\"" TAG "level\"/>\n    <summary type=\"text\">");
    xml(b, omen_table_text(t, r, col[SENTENCE]), false);
    puts_(b, "</summary>\n    <content type=\"text\">");
    if (synthetic)
        puts_(b, "SYNTHETIC DATA: not Hugging Face's downloads.\n");
    xml(b, omen_table_text(t, r, col[SENTENCE]), false);
    puts_(b, "\n\nperiod: ");
    puts_(b, d);
    puts_(b, " to ");
    puts_(b, e);
    puts_(b, "\nkind: ");
    xml(b, kind, false);
    puts_(b, "\nlevel: ");
    xml(b, level, false);
    for (int k = ENTITY; k <= OTHER; k++)
        if (!omen_table_is_null(t, r, col[k])) {
            puts_(b, k == ENTITY ? "\nentity: " : "\nother: ");
            xml(b, omen_table_text(t, r, col[k]), false);
        }
    for (int k = BEFORE; k <= AFTER; k++) {
        puts_(b, "\n");
        xml(b, measure, false);
        puts_(b, k == BEFORE ? " before: " : " after: ");
        if (omen_table_is_null(t, r, col[k])) {
            puts_(b, "none");
        } else {
            omen_output_format_real(num, omen_table_real(t, r, col[k]));
            puts_(b, num);
        }
    }
    puts_(b, "</content>\n  </entry>\n");
}

char *omen_output_atom(const omen_table *t, size_t *len)
{
    buf b = {0};
    size_t col[NNEEDED];
    for (size_t i = 0; i < NNEEDED; i++)
        col[i] = omen_table_find(t, needed[i]);
    const omen_table_meta_entry *syn = meta(t, "synthetic");
    bool synthetic = syn && syn->type == OMEN_COL_BOOL && syn->value.i;
    const char *link = meta_text(t, "link"), *base = link ? link : "./";
    const char *settings = meta_text(t, "settings"), *levels = meta_text(t, "level");
    const char *window = meta_text(t, "window");
    /* updated: when the newest period the alerts were sought in was complete, or the newest
     * alert's if later */
    int32_t updated = INT32_MIN, day;
    const char *newest = meta_text(t, "newest_end");
    if (newest && omen_date_parse(newest, strlen(newest), &day))
        updated = day + 1;
    for (size_t r = 0; r < omen_table_nrows(t); r++)
        if ((day = (int32_t)omen_table_int(t, r, col[END]) + 1) > updated)
            updated = day;
    puts_(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
              "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>" TAG "alerts");
    if (settings && *settings) {
        puts_(&b, "/");
        pct_encode(&b, settings);
    }
    puts_(&b, "</id>\n  <title type=\"text\">omen alerts: ");
    xml(&b, levels ? levels : "", false);
    if (synthetic)
        puts_(&b, " (SYNTHETIC DATA)");
    puts_(&b, "</title>\n  <subtitle type=\"text\">What changed in downloads of open models on "
              "Hugging Face, per ");
    xml(&b, window ? window : "week", false);
    puts_(&b, ": Merger Guidelines bands crossed, significant HHI rises, change points, "
              "overtakings, entries into a top 10 and share jumps (docs/methodology.md, "
              "Alerts).");
    if (settings && *settings) {
        puts_(&b, " Settings: ");
        xml(&b, settings, false);
        puts_(&b, ".");
    }
    if (synthetic)
        puts_(&b, " SYNTHETIC DATA: not Hugging Face's downloads.");
    puts_(&b, "</subtitle>\n  <updated>");
    timestamp(&b, updated == INT32_MIN ? 0 : updated);
    puts_(&b, "</updated>\n  <author>\n    <name>omen</name>\n  </author>\n"
              "  <generator version=\"" OMEN_VERSION "\">omen</generator>\n"
              "  <link rel=\"alternate\" type=\"text/html\" href=\"");
    href(&b, base, "");
    puts_(&b, "\"/>\n");
    for (size_t r = 0; r < omen_table_nrows(t); r++)
        entry(&b, t, col, r, base, settings, synthetic);
    puts_(&b, "</feed>\n");
    *len = b.len;
    return b.s;
}
