/* dynlib.c: optional libraries loaded on first use (omen_library_load in omen/omen.h).
 *
 * libduckdb, libcurl, libpq and libmicrohttpd are each used by one command only, and linking
 * them made every command pay the dynamic loader for them and the libraries behind them
 * (`omen --help`: 57 ms, then 29 ms, task-clock linked; 14 ms without). Each is dlopen()ed by
 * its command instead, its functions resolved into a table typed by the library's own header;
 * this is the loading and the message that says why it failed, shared by the four. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "omen/omen.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym results fit a function pointer");

__attribute__((format(printf, 3, 4))) static void note(char *why, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(why);
    if (n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + n, cap - n, fmt, ap);
    va_end(ap);
}

bool omen_library_load(const char *const *names, size_t nnames, const char *prefix,
                       const char *const *symbols, void *const *slots, size_t nsymbols,
                       const char *unusable, char *why, size_t cap)
{
    if (cap)
        why[0] = 0;
    void *h = NULL;
    const char *lib = NULL;
    for (size_t i = 0; i < nnames && !h; i++) {
        if (!names[i] || !names[i][0])
            continue;
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h) {
            lib = names[i];
        } else {
            /* glibc's message starts with the name; another libc's might not */
            const char *e = dlerror();
            e = e ? e : "cannot load";
            bool named = strncmp(e, names[i], strlen(names[i])) == 0;
            note(why, cap, "%s%s%s%s", why[0] ? "; " : "", named ? "" : names[i], named ? "" : ": ",
                 e);
        }
    }
    if (!h)
        return false;
    for (size_t i = 0; i < nsymbols; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s%s", prefix, symbols[i]);
        dlerror();
        void *sym = dlsym(h, name);
        if (!sym) {
            const char *e = dlerror();
            why[0] = 0;
            note(why, cap, "%s has no %s (%s), so it is not %s", lib, name,
                 e ? e : "dlsym gave NULL", unusable);
            dlclose(h);
            return false;
        }
        /* dlsym's void * becomes a function pointer through memcpy: ISO C has no cast between
         * them, POSIX guarantees they have the same representation. */
        memcpy(slots[i], &sym, sizeof sym);
    }
    return true;
}
