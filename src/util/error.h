/* error.h: filling an omen_error (declared in the public header) from library code. */
#ifndef OMEN_UTIL_ERROR_H
#define OMEN_UTIL_ERROR_H

#include "omen/omen.h"

/* omen_error_set() fills an error from a printf-style text (omen.h: the fronts use it too). */
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
