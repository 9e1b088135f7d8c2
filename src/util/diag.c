/* diag.c: the error collector behind `file:line: reason` reports.
 *
 * Messages beyond `keep` are only counted (unless keep_all), so a file with millions of bad
 * rows costs no memory for the ones nobody will read. */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void omen_diag_init(omen_diag *d, size_t keep, int keep_all)
{
    memset(d, 0, sizeof *d);
    d->keep = keep;
    d->keep_all = keep_all;
    if (keep)
        d->lines = omen_xcalloc(keep, sizeof *d->lines);
}

void omen_diag_free(omen_diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nlines; i++)
        free(d->lines[i]);
    free(d->lines);
    for (size_t i = 0; i < d->nall; i++)
        free(d->all[i]);
    free(d->all);
    memset(d, 0, sizeof *d);
}

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return omen_xstrdup("(error message could not be formatted)");
    char *s = omen_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* "file:line: ", "file: " (line 0: the file as a whole) or "line N: " (no file name). */
__attribute__((format(printf, 3, 0))) static char *format_message(const char *file, uint64_t line,
                                                                  const char *fmt, va_list ap)
{
    char head[48];
    char *reason = vformat(fmt, ap);
    if (!file && !line)
        return reason;
    if (line)
        snprintf(head, sizeof head, "%s%llu: ", file ? ":" : "line ", (unsigned long long)line);
    else
        snprintf(head, sizeof head, ": ");
    size_t flen = file ? strlen(file) : 0, hlen = strlen(head), rlen = strlen(reason);
    char *msg = omen_xmalloc(flen + hlen + rlen + 1);
    memcpy(msg, file ? file : "", flen);
    memcpy(msg + flen, head, hlen);
    memcpy(msg + flen + hlen, reason, rlen + 1);
    free(reason);
    return msg;
}

void omen_diag_add(omen_diag *d, const char *file, uint64_t line, const char *fmt, ...)
{
    int want_line = d->nlines < d->keep, want_all = d->keep_all != 0;
    d->count++;
    if (!want_line && !want_all)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = format_message(file, line, fmt, ap);
    va_end(ap);
    if (want_all) {
        if (d->nall == d->cap_all) {
            d->cap_all = d->cap_all ? d->cap_all * 2 : 64;
            d->all = omen_xrealloc(d->all, d->cap_all * sizeof *d->all);
        }
        d->all[d->nall++] = want_line ? omen_xstrdup(msg) : msg;
    }
    if (want_line)
        d->lines[d->nlines++] = msg;
}

char *omen_diag_text(const omen_diag *d)
{
    size_t total = 1;
    for (size_t i = 0; i < d->nlines; i++)
        total += strlen(d->lines[i]) + 1;
    uint64_t more = d->count - d->nlines;
    char tail[64] = "";
    if (more)
        snprintf(tail, sizeof tail, "... and %llu more error%s", (unsigned long long)more,
                 more == 1 ? "" : "s");
    total += strlen(tail);
    char *out = omen_xmalloc(total), *p = out;
    for (size_t i = 0; i < d->nlines; i++) {
        size_t n = strlen(d->lines[i]);
        memcpy(p, d->lines[i], n);
        p += n;
        *p++ = '\n';
    }
    if (more) {
        memcpy(p, tail, strlen(tail));
        p += strlen(tail);
    } else if (p > out) {
        p--; /* no newline after the last line */
    }
    *p = '\0';
    return out;
}
