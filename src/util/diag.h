/* diag.h: collects data errors as `file:line: reason` lines, keeping the first few.
 *
 * Readers report every bad row here and go on, so one run lists the first 20 problems of a
 * file instead of stopping at the first. */
#ifndef OMEN_UTIL_DIAG_H
#define OMEN_UTIL_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char **lines; /* the first `keep` messages, heap-owned */
    size_t nlines, keep;
    uint64_t count; /* all errors reported, kept or not */
    char **all;     /* with keep_all: every message (for --skip-bad provenance) */
    size_t nall, cap_all;
    int keep_all;
} omen_diag;

void omen_diag_init(omen_diag *d, size_t keep, int keep_all);
void omen_diag_free(omen_diag *d);
void omen_diag_add(omen_diag *d, const char *file, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A newly allocated text: the kept lines, then "... and N more errors" if any were dropped. */
char *omen_diag_text(const omen_diag *d);

#endif
