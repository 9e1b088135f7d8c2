/* json.c: the one JSON string escaper of omen (RFC 8259), used by the table writers, the
 * server's answers and errors, /api/meta, `omen info` and the report: quotes, backslashes and
 * control characters escaped (the short forms \n, \t, ... where JSON has them, or on request
 * all as \u00XX), invalid UTF-8 replaced by U+FFFD so that the output always parses, and on
 * request "</" written "<\/" so that a string can sit inside an HTML <script> element. */
#include <stdbool.h>
#include <string.h>

#include "omen/omen.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid; *bad gets the length of the
 * maximal invalid prefix to replace by one U+FFFD (the WHATWG / Unicode 'maximal subpart'). */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end, size_t *bad)
{
    unsigned c = p[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else {
        *bad = 1;
        return 0;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (p + i >= end || p[i] < lo || p[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

/* Bytes that go out as they are, as bits of a table: PLAIN for printable ASCII other than '"'
 * and '\\', SCRIPT_PLAIN for those but '/' (which OMEN_JSON_SCRIPT looks at). NUL is neither,
 * so a scan stops at the end of the string without a length check. */
enum { PLAIN = 1, SCRIPT_PLAIN = 2 };
#define CLASS(c)                                                                                   \
    ((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\'                                        \
         ? PLAIN | ((c) != '/' ? SCRIPT_PLAIN : 0)                                                 \
         : 0)
#define CLASS4(c)  CLASS(c), CLASS((c) + 1), CLASS((c) + 2), CLASS((c) + 3)
#define CLASS16(c) CLASS4(c), CLASS4((c) + 4), CLASS4((c) + 8), CLASS4((c) + 12)
#define CLASS64(c) CLASS16(c), CLASS16((c) + 16), CLASS16((c) + 32), CLASS16((c) + 48)
static const unsigned char json_class[256] = {CLASS64(0), CLASS64(64), CLASS64(128), CLASS64(192)};

/* The escape of an ASCII byte that cannot go out as it is: '"' and '\\' always, a control
 * character by its short form (\n, ...) where JSON has one, else (or with u_only) \u00XX. */
static void escape_ascii(omen_put_fn put, void *ctx, unsigned char c, bool u_only)
{
    static const char hex[] = "0123456789abcdef";
    const char *e = NULL;
    switch (c) {
    case '"':
        e = "\\\"";
        break;
    case '\\':
        e = "\\\\";
        break;
    case '\b':
        e = "\\b";
        break;
    case '\f':
        e = "\\f";
        break;
    case '\n':
        e = "\\n";
        break;
    case '\r':
        e = "\\r";
        break;
    case '\t':
        e = "\\t";
        break;
    default:
        break;
    }
    if (e && (c >= 0x20 || !u_only)) {
        put(ctx, e, 2);
    } else {
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        put(ctx, u, 6);
    }
}

void omen_json_quote(const char *str, unsigned flags, omen_put_fn put, void *ctx)
{
    const unsigned char *start = (const unsigned char *)str, *p = start, *end = NULL;
    unsigned plain = flags & OMEN_JSON_SCRIPT ? SCRIPT_PLAIN : PLAIN;
    bool u_only = (flags & OMEN_JSON_U_ESCAPES) != 0;
    put(ctx, "\"", 1);
    for (;;) {
        const unsigned char *run = p;
        while (json_class[*p] & plain)
            p++;
        if (p > run)
            put(ctx, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        if (*p == '/') { /* only with OMEN_JSON_SCRIPT */
            bool after_lt = p > start && p[-1] == '<';
            put(ctx, after_lt ? "\\/" : "/", after_lt ? 2u : 1u);
            p++;
        } else if (*p < 0x80) {
            escape_ascii(put, ctx, *p++, u_only);
        } else {
            if (!end)
                end = p + strlen((const char *)p);
            size_t bad = 0, n = utf8_sequence(p, end, &bad);
            if (n) {
                put(ctx, (const char *)p, n);
                p += n;
            } else {
                put(ctx, "\xEF\xBF\xBD", 3);
                p += bad;
            }
        }
    }
    put(ctx, "\"", 1);
}
