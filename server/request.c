/* request.c: query-string decoding, canonical request keys, static path checks and the small
 * string buffer of the server. The canonical key must match the web app's JS byte for byte
 * (tests/http/canonical_keys.txt holds the shared examples). */
#include "request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("omen: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void reserve(sv_buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void sv_buf_put(sv_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void sv_buf_puts(sv_buf *b, const char *s)
{
    sv_buf_put(b, s, strlen(s));
}

void sv_buf_printf(sv_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("-_.!~*'()", c) != NULL;
}

void sv_buf_component(sv_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    reserve(b, 3 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c && unreserved(c)) {
            b->s[b->len++] = (char)c;
        } else {
            b->s[b->len++] = '%';
            b->s[b->len++] = hex[c >> 4];
            b->s[b->len++] = hex[c & 15];
        }
    }
    b->s[b->len] = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t sv_percent_decode(const char *in, size_t len, char *out, bool plus)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (in[i] == '%' && i + 2 < len && (hi = hexval(in[i + 1])) >= 0 &&
            (lo = hexval(in[i + 2])) >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = plus && in[i] == '+' ? ' ' : in[i];
        }
    }
    out[n] = 0;
    return n;
}

static char *decode(const char *s, size_t len, size_t *out_len)
{
    char *out = xrealloc(NULL, len + 1);
    *out_len = sv_percent_decode(s, len, out, true);
    return out;
}

void sv_query_parse(const char *qs, size_t len, sv_params *out)
{
    out->p = NULL;
    out->n = 0;
    size_t cap = 0, i = 0;
    while (i < len) {
        const char *piece = qs + i;
        const char *amp = memchr(piece, '&', len - i);
        size_t plen = amp ? (size_t)(amp - piece) : len - i;
        i += plen + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(piece, '=', plen);
        size_t klen = eq ? (size_t)(eq - piece) : plen;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->p = xrealloc(out->p, cap * sizeof *out->p);
        }
        sv_param *p = &out->p[out->n++];
        p->key = decode(piece, klen, &p->klen);
        p->value = eq ? decode(eq + 1, plen - klen - 1, &p->vlen) : decode("", 0, &p->vlen);
    }
}

void sv_params_free(sv_params *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->p[i].key);
        free(ps->p[i].value);
    }
    free(ps->p);
    ps->p = NULL;
    ps->n = 0;
}

typedef struct {
    char *key, *value; /* encoded */
    size_t index;
} enc_pair;

static int cmp_pair(const void *a, const void *b)
{
    const enc_pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

char *sv_canonical_key(const char *path, size_t plen, const sv_params *ps, const char *skip)
{
    enc_pair *pairs = xrealloc(NULL, (ps->n ? ps->n : 1) * sizeof *pairs);
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const sv_param *p = &ps->p[i];
        if (skip && p->klen == strlen(skip) && memcmp(p->key, skip, p->klen) == 0)
            continue;
        sv_buf k = {0}, v = {0};
        sv_buf_component(&k, p->key, p->klen);
        sv_buf_component(&v, p->value, p->vlen);
        pairs[n++] = (enc_pair){k.s, v.s, i};
    }
    qsort(pairs, n, sizeof *pairs, cmp_pair);
    sv_buf out = {0};
    sv_buf_put(&out, path, plen);
    for (size_t i = 0; i < n; i++) {
        sv_buf_put(&out, i ? "&" : "?", 1);
        sv_buf_puts(&out, pairs[i].key);
        sv_buf_put(&out, "=", 1);
        sv_buf_puts(&out, pairs[i].value);
        free(pairs[i].key);
        free(pairs[i].value);
    }
    free(pairs);
    return out.s;
}

char *sv_canonical_target(const char *target, size_t len)
{
    const char *q = memchr(target, '?', len);
    size_t plen = q ? (size_t)(q - target) : len;
    sv_params ps;
    sv_query_parse(q ? q + 1 : "", q ? len - plen - 1 : 0, &ps);
    char *key = sv_canonical_key(target, plen, &ps, NULL);
    sv_params_free(&ps);
    return key;
}

static bool has_escape(const char *raw, size_t len, const char *esc)
{
    for (size_t i = 0; i + 2 < len; i++)
        if (raw[i] == '%' && raw[i + 1] == esc[0] &&
            (raw[i + 2] == esc[1] || raw[i + 2] == (char)(esc[1] - 'A' + 'a')))
            return true;
    return false;
}

bool sv_static_path(const char *raw, size_t len, char *out, size_t cap)
{
    if (len == 0 || raw[0] != '/' || len >= cap || memchr(raw, '\\', len))
        return false;
    if (has_escape(raw, len, "2F") || has_escape(raw, len, "5C") || has_escape(raw, len, "00"))
        return false;
    size_t n = sv_percent_decode(raw + 1, len - 1, out, false);
    if (memchr(out, '\\', n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            return false;
    /* every segment must be a plain name; only the last may be empty ("dir/") */
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && out[i] != '/')
            continue;
        size_t seg = i - start;
        if ((seg == 0 && i < n) || (seg > 0 && out[start] == '.'))
            return false;
        start = i + 1;
    }
    return true;
}

const char *sv_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".topojson", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".md", "text/markdown; charset=utf-8"},
        {".csv", "text/csv; charset=utf-8"},
        {".wasm", "application/wasm"},
    };
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

unsigned long long sv_fnv(unsigned long long h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

const char *sv_strcasestr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return n == 0 ? hay : NULL;
}
