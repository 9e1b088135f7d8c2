/* live.c: loading the panel the server answers from, its reference count, and its bounded
 * LRU cache of finished MHD responses (MHD reference-counts responses, so one cached response
 * can be queued on many connections at once). */
#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"
#include "mhd.h"
#include "request.h"

bool sv_stamp_read(const char *db, sv_stamp *out)
{
    struct stat st;
    if (stat(db, &st) != 0)
        return false;
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->size = (int64_t)st.st_size;
    out->ino = (int64_t)st.st_ino;
    return true;
}

bool sv_stamp_equal(const sv_stamp *a, const sv_stamp *b)
{
    return a->mtime_ns == b->mtime_ns && a->size == b->size && a->ino == b->ino;
}

omen_status sv_live_load(const char *db, size_t cache_budget, sv_live **out, omen_error *err)
{
    sv_stamp stamp = {0};
    sv_stamp_read(db, &stamp); /* before the load: a write during it shows as a later change */
    omen_store *st = NULL;
    omen_panel *panel = NULL;
    omen_panel_options popt = {0};
    omen_status s = omen_store_open(db, OMEN_STORE_READ, &st, err);
    if (s == OMEN_OK)
        s = omen_panel_load(st, &popt, &panel, NULL, err);
    omen_store_close(st);
    if (s != OMEN_OK)
        return s;
    sv_live *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    l->panel = panel;
    l->stamp = stamp;
    omen_info_compute(panel, &l->info);
    unsigned long long h = sv_fnv(SV_FNV_SEED, &stamp, sizeof stamp);
    snprintf(l->version, sizeof l->version, "g%lld-%08llx", (long long)l->info.generation,
             h & 0xffffffffULL);
    l->meta_json = sv_meta_json(&l->info, l->version, &l->meta_len);
    atomic_init(&l->refs, 1);
    pthread_mutex_init(&l->cache_lock, NULL);
    pthread_cond_init(&l->done, NULL);
    l->cache_budget = cache_budget;
    *out = l;
    return OMEN_OK;
}

void sv_live_retain(sv_live *l)
{
    atomic_fetch_add(&l->refs, 1);
}

void sv_live_release(sv_live *l)
{
    if (!l || atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    /* Only `omen serve` fills the cache, so `omen report` never calls into libmicrohttpd here
     * and runs without it loaded. */
    for (size_t i = 0; i < l->ncache; i++) {
        sv_mhd.destroy_response(l->cache[i].resp);
        free(l->cache[i].key);
    }
    free(l->cache);
    free(l->inflight);
    pthread_cond_destroy(&l->done);
    pthread_mutex_destroy(&l->cache_lock);
    free(l->meta_json);
    omen_panel_free(l->panel);
    free(l);
}

/* Queues the cached answer for key if there is one; call with cache_lock held. */
static bool queue_locked(sv_live *l, const char *key, struct MHD_Connection *c, int *queued,
                         size_t *bytes)
{
    for (size_t i = 0; i < l->ncache; i++)
        if (strcmp(l->cache[i].key, key) == 0) {
            l->cache[i].used = ++l->clock;
            *queued = sv_mhd.queue_response(c, MHD_HTTP_OK, l->cache[i].resp);
            *bytes = l->cache[i].bytes;
            return true;
        }
    return false;
}

static bool is_inflight(const sv_live *l, const char *key)
{
    for (size_t i = 0; i < l->ninflight; i++)
        if (strcmp(l->inflight[i], key) == 0)
            return true;
    return false;
}

bool sv_cache_queue_or_claim(sv_live *l, const char *key, struct MHD_Connection *c, int *queued,
                             size_t *bytes, bool *claimed)
{
    *claimed = false;
    pthread_mutex_lock(&l->cache_lock);
    for (;;) {
        if (queue_locked(l, key, c, queued, bytes)) {
            pthread_mutex_unlock(&l->cache_lock);
            return true;
        }
        if (!is_inflight(l, key))
            break;
        pthread_cond_wait(&l->done, &l->cache_lock);
    }
    if (l->ninflight == l->inflight_cap) {
        l->inflight_cap = l->inflight_cap ? 2 * l->inflight_cap : 16;
        l->inflight = realloc(l->inflight, l->inflight_cap * sizeof *l->inflight);
        if (!l->inflight)
            abort();
    }
    l->inflight[l->ninflight] = strdup(key);
    if (!l->inflight[l->ninflight++])
        abort();
    *claimed = true;
    pthread_mutex_unlock(&l->cache_lock);
    return false;
}

/* Drops key from the in-flight list and wakes its waiters; call with cache_lock held. */
static void unclaim_locked(sv_live *l, const char *key)
{
    for (size_t i = 0; i < l->ninflight; i++)
        if (strcmp(l->inflight[i], key) == 0) {
            free(l->inflight[i]);
            l->inflight[i] = l->inflight[--l->ninflight];
            pthread_cond_broadcast(&l->done);
            return;
        }
}

void sv_cache_unclaim(sv_live *l, const char *key)
{
    pthread_mutex_lock(&l->cache_lock);
    unclaim_locked(l, key);
    pthread_mutex_unlock(&l->cache_lock);
}

static void evict_one(sv_live *l)
{
    size_t victim = 0;
    for (size_t i = 1; i < l->ncache; i++)
        if (l->cache[i].used < l->cache[victim].used)
            victim = i;
    sv_mhd.destroy_response(l->cache[victim].resp);
    free(l->cache[victim].key);
    l->cache_bytes -= l->cache[victim].bytes;
    l->cache[victim] = l->cache[--l->ncache];
}

void sv_cache_put(sv_live *l, const char *key, struct MHD_Response *resp, const char *etag,
                  size_t bytes)
{
    enum { MAX_ENTRIES = 1024 };
    pthread_mutex_lock(&l->cache_lock);
    bool keep = bytes <= l->cache_budget / 4;
    for (size_t i = 0; keep && i < l->ncache; i++)
        if (strcmp(l->cache[i].key, key) == 0)
            keep = false; /* another thread computed it meanwhile */
    if (keep) {
        while (l->ncache && (l->cache_bytes + bytes > l->cache_budget || l->ncache >= MAX_ENTRIES))
            evict_one(l);
        if (l->ncache == l->cache_cap) {
            l->cache_cap = l->cache_cap ? l->cache_cap * 2 : 64;
            l->cache = realloc(l->cache, l->cache_cap * sizeof *l->cache);
            if (!l->cache)
                abort();
        }
        sv_cache_entry *e = &l->cache[l->ncache++];
        e->key = strdup(key);
        if (!e->key)
            abort();
        e->resp = resp;
        snprintf(e->etag, sizeof e->etag, "%s", etag);
        e->bytes = bytes;
        e->used = ++l->clock;
        l->cache_bytes += bytes;
    }
    unclaim_locked(l, key);
    pthread_mutex_unlock(&l->cache_lock);
    if (!keep)
        sv_mhd.destroy_response(resp);
}
