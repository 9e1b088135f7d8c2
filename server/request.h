/* request.h: the server's hand-written request parsing: query-string decoding (as the browser's
 * URLSearchParams does), the canonical request key shared with the web app and the report
 * (tests/http/canonical_keys.txt), static-file path checks, and a growable string (api.h
 * appends JSON strings to it). Pure functions with no MHD and no libomen in them, so the fuzz
 * target and the canonical-key check link them alone. */
#ifndef OMEN_SERVER_REQUEST_H
#define OMEN_SERVER_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* A growable NUL-terminated string; free(b.s) releases it. */
typedef struct {
    char *s;
    size_t len, cap;
} sv_buf;

void sv_buf_put(sv_buf *b, const char *s, size_t n);
void sv_buf_puts(sv_buf *b, const char *s);
void sv_buf_printf(sv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the bytes s[0..n) encoded as JavaScript's encodeURIComponent does (UTF-8 bytes
 * percent-encoded with upper-case hex, except A-Z a-z 0-9 - _ . ! ~ * ' ( )). */
void sv_buf_component(sv_buf *b, const char *s, size_t n);

/* One decoded query parameter. key/value are heap NUL-terminated; they may hold a NUL byte
 * (from %00), so the lengths are the truth. */
typedef struct {
    char *key, *value;
    size_t klen, vlen;
} sv_param;

typedef struct {
    sv_param *p;
    size_t n;
} sv_params;

/* Decodes the query string qs[0..len) (without the '?'): split on '&', empty pieces dropped,
 * split at the first '=', '+' -> space, %XX decoded, an invalid escape kept literally. The
 * caller releases *out with sv_params_free(). */
void sv_query_parse(const char *qs, size_t len, sv_params *out);
void sv_params_free(sv_params *ps);
/* Percent-decodes in[0..len) into out (at least len + 1 bytes); plus != 0 turns '+' into a
 * space. Returns the decoded length; out is NUL-terminated. */
size_t sv_percent_decode(const char *in, size_t len, char *out, bool plus);

/* The canonical key of a request: path, then (when there are parameters) '?' and the k=v
 * pairs encoded with encodeURIComponent, sorted by encoded key (byte order, stable), joined
 * by '&'. `skip` (may be NULL) names one parameter left out (the server's "format").
 * The caller frees the result. */
char *sv_canonical_key(const char *path, size_t plen, const sv_params *ps, const char *skip);
/* The same from a raw request target "/path?query". */
char *sv_canonical_target(const char *target, size_t len);

/* Checks a raw (still percent-encoded) URL path for a static file and writes the decoded path
 * relative to the web folder into out ("" for the root). Rejects (returns false) anything that
 * could leave the folder or name a hidden file: no leading '/', backslashes, encoded '/' or
 * '\\' (%2f, %5c), NUL or control bytes, empty, "." or ".." segments or segments starting
 * with '.', and paths longer than cap - 1. */
bool sv_static_path(const char *raw, size_t len, char *out, size_t cap);

/* The Content-Type for a file name by its extension ("application/octet-stream" if unknown). */
const char *sv_content_type(const char *name);

/* Case-insensitive strstr (ASCII); NULL when absent. */
const char *sv_strcasestr(const char *hay, const char *needle);

/* 64-bit FNV-1a of bytes, chained through h (start with SV_FNV_SEED). */
#define SV_FNV_SEED 1469598103934665603ULL
unsigned long long sv_fnv(unsigned long long h, const void *data, size_t n);

#endif
