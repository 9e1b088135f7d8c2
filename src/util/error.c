/* error.c: omen_error handling and the allocation wrappers that abort on out of memory. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void omen_error_clear(omen_error *err)
{
    if (!err)
        return;
    free(err->message);
    err->message = NULL;
    err->code = OMEN_E_NONE;
}

const char *omen_error_name(omen_errcode code)
{
    switch (code) {
    case OMEN_E_NONE:
        return "no error";
    case OMEN_E_IO:
        return "i/o error";
    case OMEN_E_SQLITE:
        return "store error";
    case OMEN_E_STORE:
        return "not an omen store";
    case OMEN_E_CACHE:
        return "panel cache error";
    case OMEN_E_USAGE:
        return "usage error";
    case OMEN_E_DATA:
        return "bad input data";
    case OMEN_E_EMPTY:
        return "empty input";
    case OMEN_E_BINARY:
        return "binary input";
    case OMEN_E_COLUMNS:
        return "missing columns";
    case OMEN_E_UNSUPPORTED:
        return "unsupported format";
    }
    return "unknown error";
}

omen_status omen_error_status(omen_errcode code)
{
    if (code == OMEN_E_NONE)
        return OMEN_OK;
    if (code == OMEN_E_USAGE)
        return OMEN_USAGE;
    if (code >= 30 && code < 40)
        return OMEN_BAD_DATA;
    return OMEN_RUNTIME;
}

omen_status omen_error_take(omen_error *err, omen_errcode code, char *message)
{
    if (err) {
        free(err->message);
        err->code = code;
        err->message = message;
    } else {
        free(message);
    }
    return omen_error_status(code);
}

omen_status omen_error_set(omen_error *err, omen_errcode code, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = omen_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(msg, n > 0 ? (size_t)n + 1 : 1, fmt, again);
    va_end(again);
    return omen_error_take(err, code, msg);
}

static void *check(void *p, size_t n)
{
    if (!p && n) {
        fprintf(stderr, "omen: out of memory (asked for %zu bytes)\n", n);
        abort();
    }
    return p;
}

void *omen_xmalloc(size_t n)
{
    return check(malloc(n ? n : 1), n);
}

void *omen_xcalloc(size_t n, size_t size)
{
    return check(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *omen_xrealloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1), n);
}

char *omen_xstrdup(const char *s)
{
    return omen_xstrndup(s, strlen(s));
}

char *omen_xstrndup(const char *s, size_t n)
{
    char *p = omen_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}
