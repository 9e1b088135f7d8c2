/* mhd.c: loads libmicrohttpd with dlopen() when `omen serve` starts and resolves the functions
 * the server calls into sv_mhd (server/mhd.h). Linked, libmicrohttpd and the libraries behind
 * it (gnutls, nettle, hogweed, gmp, p11-kit, ...) were mapped and relocated by every omen
 * process, though only `omen serve` uses them: with libcurl and libpq that was most of every
 * command's start-up (`omen --help`: 29 ms task-clock linked, 14 ms without, perf stat -r 30
 * on 2 busy cores). */
#include "mhd.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

sv_mhd_table sv_mhd;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static bool mhd_loaded;
static char mhd_why[2048]; /* why it did not load: each name tried and dlerror() for it */

__attribute__((format(printf, 1, 2))) static void mhd_note(const char *fmt, ...)
{
    size_t n = strlen(mhd_why);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mhd_why + n, sizeof mhd_why - n, fmt, ap);
    va_end(ap);
}

/* Debian 12's SONAME of libmicrohttpd, then the unversioned name that only libmicrohttpd-dev
 * provides. The library stays loaded until exit. */
static void mhd_load(void)
{
    static const char *const names[] = {"libmicrohttpd.so.12", "libmicrohttpd.so"};
    void *h = NULL;
    const char *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++) {
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h) {
            lib = names[i];
        } else {
            /* glibc's message starts with the name; another libc's might not */
            const char *e = dlerror();
            e = e ? e : "cannot load";
            bool named = strncmp(e, names[i], strlen(names[i])) == 0;
            mhd_note("%s%s%s%s", mhd_why[0] ? "; " : "", named ? "" : names[i], named ? "" : ": ",
                     e);
        }
    }
    if (!h)
        return;
    /* dlsym's void * becomes a function pointer through memcpy: ISO C has no cast between them,
     * POSIX guarantees they have the same representation. */
    void *sym;
#define MHD_RESOLVE(name)                                                                          \
    dlerror();                                                                                     \
    if ((sym = dlsym(h, "MHD_" #name)) == NULL) {                                                  \
        const char *e = dlerror();                                                                 \
        mhd_why[0] = 0;                                                                            \
        mhd_note("%s has no MHD_" #name " (%s), so it is not a libmicrohttpd omen can use", lib,   \
                 e ? e : "dlsym gave NULL");                                                       \
        dlclose(h);                                                                                \
        return;                                                                                    \
    }                                                                                              \
    memcpy(&sv_mhd.name, &sym, sizeof sv_mhd.name);
    SV_MHD_FNS(MHD_RESOLVE)
#undef MHD_RESOLVE
    mhd_loaded = true;
}

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym results fit a function pointer");

const char *sv_mhd_load(void)
{
    pthread_once(&mhd_once, mhd_load);
    return mhd_loaded ? NULL : mhd_why;
}
