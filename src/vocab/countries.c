/* countries.c: maps what people write in a developer table's country column to one code.
 *
 * The text is reduced to a key (see make_key) and looked up in the generated, sorted table,
 * so "Korea, Republic of", "korea republic of" and "KOREA-REPUBLIC OF" all meet. */
#include "countries.h"

#include <stdlib.h>
#include <string.h>

#define MAX_KEY 128

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int is_cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* The lookup key, as scripts/gen_countries.py computes it: ASCII letters and digits lower-cased,
 * Latin-1 letters folded to ASCII, ASCII punctuation, spaces, Latin-1 symbols (U+0080..U+00BF,
 * e.g. no-break space) and general punctuation (U+2000..U+206F, e.g. a curly apostrophe)
 * dropped, all else kept as is. Returns the key length, or -1 when it does not fit. */
static int make_key(const unsigned char *s, size_t len, char key[MAX_KEY])
{
    size_t k = 0, i = 0;
    while (i < len) {
        unsigned char c = s[i];
        const char *add = NULL;
        size_t used = 1;
        char one[2] = {0, 0};
        if (c < 0x80) {
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
                one[0] = (char)c;
            else if (c >= 'A' && c <= 'Z')
                one[0] = (char)(c - 'A' + 'a');
            add = one;
        } else if (c == 0xc3 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0xbf) {
            add = omen_country_fold[s[i + 1] - 0x80];
            used = 2;
        } else if (c == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0xbf) {
            add = "";
            used = 2;
        } else if (c == 0xe2 && i + 2 < len && (s[i + 1] == 0x80 || s[i + 1] == 0x81) &&
                   is_cont(s[i + 2]) && !(s[i + 1] == 0x81 && s[i + 2] > 0xaf)) {
            add = "";
            used = 3;
        } else {
            one[0] = (char)c;
            add = one;
        }
        size_t n = strlen(add);
        if (k + n >= MAX_KEY)
            return -1;
        memcpy(key + k, add, n);
        k += n;
        i += used;
    }
    key[k] = '\0';
    return (int)k;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(a, ((const omen_country_key *)b)->key);
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(a, ((const omen_country_code *)b)->code);
}

static const char *lookup(const char *key)
{
    const omen_country_key *e =
        bsearch(key, omen_country_keys, omen_country_nkeys, sizeof *e, cmp_key);
    return e ? omen_country_codes[e->code].code : NULL;
}

const char *omen_country_normalize(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    char key[MAX_KEY];
    while (len && is_blank(*u)) {
        u++;
        len--;
    }
    while (len && is_blank(u[len - 1]))
        len--;
    int k = len ? make_key(u, len, key) : 0;
    if (k < 0)
        return NULL;
    /* Nothing but punctuation ("-", "?", "--") says as much as an empty cell. */
    if (k == 0)
        return lookup("unknown");
    /* "NA" is Namibia's code but also how R and spreadsheets write "not available". Only the
     * exact upper-case code means Namibia; "N/A", "n/a", "na", "Na" mean UNKNOWN. */
    if (strcmp(key, "na") == 0)
        return lookup(len == 2 && u[0] == 'N' && u[1] == 'A' ? "na" : "unknown");
    return lookup(key);
}

const char *omen_country_name(const char *code)
{
    if (!code)
        return NULL;
    const omen_country_code *e =
        bsearch(code, omen_country_codes, omen_country_ncodes, sizeof *e, cmp_code);
    return e ? e->name : NULL;
}
