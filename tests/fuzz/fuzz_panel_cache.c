/* fuzz_panel_cache.c: libFuzzer target for the panel cache loader (src/panel/panel.c): a valid
 * cache of a tiny synthetic store is built once, then each input patches its bytes and the file
 * is written beside the store with the modification time it had, so the seal the loader trusts
 * is kept (a flipped byte with `touch -r`, a restore that keeps times); then the panel is loaded
 * and `info`, concentration, leaderboard and shares run on it. The input is a list of 5-byte
 * patches: a little-endian offset (taken modulo the cache's size) and a byte XORed in there.
 * Patching bytes of a known-good cache, rather than taking whole files as inputs, keeps every input
 * close to a cache the loader accepts and keeps the corpus valid across changes of the cache's
 * layout. */
#include <stdint.h>
#include <sys/stat.h>

#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static omen_store *store;
static char cache[600];
static uint8_t *good, *work;
static size_t good_len;
static struct timespec good_mtime;

static void init(void)
{
    store = fz_synth_store("cache.db");
    fz_path(cache, sizeof cache, "cache.db.panel");
    omen_panel_options po = {0};
    omen_panel *p = NULL;
    const char *note = NULL;
    omen_error err = {0};
    if (omen_panel_load(store, &po, &p, &note, &err) != OMEN_OK) {
        fprintf(stderr, "fuzz_panel_cache: cannot build the panel: %s\n", err.message);
        abort();
    }
    omen_panel_free(p);
    FILE *f = fopen(cache, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        fprintf(stderr, "fuzz_panel_cache: no cache was written (%s)\n", note);
        abort();
    }
    good_len = (size_t)sb.st_size;
    good_mtime = sb.st_mtim;
    good = malloc(good_len);
    work = malloc(good_len);
    if (fread(good, 1, good_len, f) != good_len)
        abort();
    fclose(f);
    /* The unpatched cache must load as it is, else every run would only test the rebuild. */
    if (omen_panel_load(store, &po, &p, &note, &err) != OMEN_OK || !strstr(note, "from cache")) {
        fprintf(stderr, "fuzz_panel_cache: the fresh cache is not used (%s)\n", note);
        abort();
    }
    omen_panel_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        init();
    memcpy(work, good, good_len);
    for (size_t i = 0; i + 5 <= size; i += 5) {
        uint32_t off = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
                       (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
        work[off % good_len] ^= data[i + 4];
    }
    /* Written in place of the cache with its old time: what `touch -r` leaves. */
    int fd = open(cache, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, work, good_len) != (ssize_t)good_len)
        abort();
    struct timespec times[2] = {good_mtime, good_mtime};
    if (futimens(fd, times) != 0)
        abort();
    close(fd);

    omen_panel_options po = {0};
    omen_panel *p = NULL;
    omen_error err = {0};
    if (omen_panel_load(store, &po, &p, NULL, &err) == OMEN_OK) {
        omen_info info;
        omen_info_compute(p, &info);
        omen_query q;
        omen_query_defaults(&q);
        /* The analyses the corrupted caches of issue 17 crashed (all sixteen would make a run
         * ten times slower) */
        static const char *const names[] = {"concentration", "leaderboard", "shares"};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            fz_run_analyses(p, &q, omen_analysis_find(names[i]));
        omen_panel_free(p);
    }
    omen_error_clear(&err);
    return 0;
}
