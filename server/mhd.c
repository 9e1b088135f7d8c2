/* mhd.c: loads libmicrohttpd with dlopen() when `omen serve` starts and resolves the functions
 * the server calls into sv_mhd (server/mhd.h). Linked, libmicrohttpd and the libraries behind
 * it (gnutls, nettle, hogweed, gmp, p11-kit, ...) were mapped and relocated by every omen
 * process, though only `omen serve` uses them: with libcurl and libpq that was most of every
 * command's start-up (`omen --help`: 29 ms task-clock linked, 14 ms without, perf stat -r 30
 * on 2 busy cores). */
#include "mhd.h"

#include <pthread.h>
#include <stdbool.h>

#include "omen/omen.h"

sv_mhd_table sv_mhd;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static bool mhd_loaded;
static char mhd_why[2048]; /* why it did not load: each name tried and dlerror() for it */

/* Debian 12's SONAME of libmicrohttpd, then the unversioned name that only libmicrohttpd-dev
 * provides. */
static void mhd_load(void)
{
    static const char *const names[] = {"libmicrohttpd.so.12", "libmicrohttpd.so"};
#define MHD_NAME(name) #name,
#define MHD_SLOT(name) (void *)&sv_mhd.name,
    static const char *const symbols[] = {SV_MHD_FNS(MHD_NAME)};
    void *const slots[] = {SV_MHD_FNS(MHD_SLOT)};
#undef MHD_NAME
#undef MHD_SLOT
    mhd_loaded = omen_library_load(names, sizeof names / sizeof names[0], "MHD_", symbols, slots,
                                   sizeof slots / sizeof slots[0], "a libmicrohttpd omen can use",
                                   mhd_why, sizeof mhd_why);
}

const char *sv_mhd_load(void)
{
    pthread_once(&mhd_once, mhd_load);
    return mhd_loaded ? NULL : mhd_why;
}
