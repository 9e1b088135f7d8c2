/* error.h: filling an omen_error (declared in the public header) from library code. */
#ifndef OMEN_UTIL_ERROR_H
#define OMEN_UTIL_ERROR_H

#include "omen/omen.h"

/* Replaces err's message with the printf-style text; returns omen_error_status(code). A NULL
 * err is allowed (the message is dropped). */
omen_status omen_error_set(omen_error *err, omen_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Takes ownership of a heap message. */
omen_status omen_error_take(omen_error *err, omen_errcode code, char *message);
/* Out of memory aborts with a message: callers of these never see NULL (said to the compiler
 * too, so that sanitizer builds do not warn of null pointers that cannot happen). */
__attribute__((returns_nonnull)) void *omen_xmalloc(size_t n);
__attribute__((returns_nonnull)) void *omen_xcalloc(size_t n, size_t size);
__attribute__((returns_nonnull)) void *omen_xrealloc(void *p, size_t n);
__attribute__((returns_nonnull)) char *omen_xstrdup(const char *s);
__attribute__((returns_nonnull)) char *omen_xstrndup(const char *s, size_t n);

#endif
