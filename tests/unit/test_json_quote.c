/* test_json_quote.c: omen's one JSON string escaper (src/util/json.c): short forms, other
 * control characters as \u00XX (all of them with OMEN_JSON_U_ESCAPES), invalid UTF-8 as U+FFFD,
 * and "</" as "<\/" only with OMEN_JSON_SCRIPT. */
#include <criterion/criterion.h>
#include <string.h>

#include "omen/omen.h"

static void put(void *ctx, const char *s, size_t n)
{
    strncat(ctx, s, n);
}

static const char *quote(const char *s, unsigned flags)
{
    static char out[256];
    out[0] = 0;
    omen_json_quote(s, flags, put, out);
    return out;
}

Test(json_quote, escapes)
{
    cr_assert_str_eq(quote("", 0), "\"\"");
    cr_assert_str_eq(quote("a\"b\\c", 0), "\"a\\\"b\\\\c\"");
    cr_assert_str_eq(quote("l1\nl2\t\x01\x7f", 0), "\"l1\\nl2\\t\\u0001\x7f\"");
    cr_assert_str_eq(quote("caf\xc3\xa9 \xff!", 0), "\"caf\xc3\xa9 \xef\xbf\xbd!\"");
    cr_assert_str_eq(quote("\xe2\x82", 0), "\"\xef\xbf\xbd\""); /* cut off: one U+FFFD */
    cr_assert_str_eq(quote("\xed\xa0\x80", 0),
                     "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* surrogate */
}

Test(json_quote, u_escapes)
{
    cr_assert_str_eq(quote("l1\nl2\t\x01\"\\", OMEN_JSON_U_ESCAPES),
                     "\"l1\\u000al2\\u0009\\u0001\\\"\\\\\"");
}

Test(json_quote, script)
{
    cr_assert_str_eq(quote("</script> a/b", 0), "\"</script> a/b\"");
    cr_assert_str_eq(quote("</script> a/b", OMEN_JSON_SCRIPT), "\"<\\/script> a/b\"");
    cr_assert_str_eq(quote("/x</", OMEN_JSON_SCRIPT | OMEN_JSON_U_ESCAPES), "\"/x<\\/\"");
}

/* Strings longer than the escaper's buffer come out whole, escapes included. */
Test(json_quote, long)
{
    static char in[3001], want[6100], got[6100];
    size_t w = 0;
    want[w++] = '"';
    for (size_t i = 0; i < 3000; i++) {
        in[i] = i % 7 == 3 ? '\n' : (char)('a' + i % 26);
        if (in[i] == '\n') {
            want[w++] = '\\';
            want[w++] = 'n';
        } else {
            want[w++] = in[i];
        }
    }
    want[w++] = '"';
    got[0] = 0;
    omen_json_quote(in, 0, put, got);
    cr_assert_str_eq(got, want);
}
