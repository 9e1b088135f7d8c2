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
    l->info = omen_info_table(panel, NULL);
    unsigned long long h = sv_fnv(SV_FNV_SEED, &stamp, sizeof stamp);
    snprintf(l->version, sizeof l->version, "g%lld-%08llx",
             (long long)sv_info_int(l->info, "generation"), h & 0xffffffffULL);
    l->meta_json = sv_meta_json(l->info, l->version, &l->meta_len);
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
    free(l->inflight); /* empty: every flight is settled before its request lets go of l */
    pthread_cond_destroy(&l->done);
    pthread_mutex_destroy(&l->cache_lock);
    free(l->meta_json);
    omen_table_free(l->info);
    omen_panel_free(l->panel);
    free(l);
}

/* Queues the cached answer for key if there is one; call with cache_lock held. */
static bool queue_locked(sv_live *l, const char *key, struct MHD_Connection *c, int *queued,
                         unsigned *status, size_t *bytes)
{
    for (size_t i = 0; i < l->ncache; i++)
        if (strcmp(l->cache[i].key, key) == 0) {
            l->cache[i].used = ++l->clock;
            *queued = sv_mhd.queue_response(c, l->cache[i].status, l->cache[i].resp);
            *bytes = l->cache[i].bytes;
            *status = l->cache[i].status;
            return true;
        }
    return false;
}

static sv_flight *find_flight(const sv_live *l, const char *key)
{
    for (size_t i = 0; i < l->ninflight; i++)
        if (strcmp(l->inflight[i]->key, key) == 0)
            return l->inflight[i];
    return NULL;
}

static void settle_locked(sv_live *l, sv_flight *f);

bool sv_cache_queue_or_claim(sv_live *l, const char *key, struct MHD_Connection *c, int *queued,
                             unsigned *status, size_t *bytes, bool *claimed)
{
    *claimed = false;
    pthread_mutex_lock(&l->cache_lock);
    if (queue_locked(l, key, c, queued, status, bytes)) {
        pthread_mutex_unlock(&l->cache_lock);
        return true;
    }
    sv_flight *f = find_flight(l, key);
    if (f) {
        f->waiters++;
        while (!f->finished)
            pthread_cond_wait(&l->done, &l->cache_lock);
        *queued = sv_mhd.queue_response(c, f->status, f->resp);
        *status = f->status;
        *bytes = f->bytes;
        if (--f->waiters == 0)
            settle_locked(l, f);
        pthread_mutex_unlock(&l->cache_lock);
        return true;
    }
    if (l->ninflight == l->inflight_cap) {
        l->inflight_cap = l->inflight_cap ? 2 * l->inflight_cap : 16;
        l->inflight = realloc(l->inflight, l->inflight_cap * sizeof *l->inflight);
        if (!l->inflight)
            abort();
    }
    f = calloc(1, sizeof *f);
    if (!f || !(f->key = strdup(key)))
        abort();
    l->inflight[l->ninflight++] = f;
    *claimed = true;
    pthread_mutex_unlock(&l->cache_lock);
    return false;
}

static void remove_at(sv_live *l, size_t i)
{
    sv_mhd.destroy_response(l->cache[i].resp);
    free(l->cache[i].key);
    if (!l->cache[i].big)
        l->cache_bytes -= l->cache[i].bytes;
    l->cache[i] = l->cache[--l->ncache];
}

static void evict_one(sv_live *l)
{
    size_t victim = 0;
    for (size_t i = 1; i < l->ncache; i++)
        if (l->cache[i].used < l->cache[victim].used)
            victim = i;
    remove_at(l, victim);
}

/* Moves a finished flight's response into the cache or destroys it, and forgets the flight;
 * call with cache_lock held, when no request waits for it any more. */
static void settle_locked(sv_live *l, sv_flight *f)
{
    enum { MAX_ENTRIES = 1024 };
    /* What this panel will answer again is kept: 200s and the request's own errors (a 413
     * costs the whole build to find out). An answer over a quarter of the budget goes to the
     * one slot for a large answer, outside the budget, replacing the previous one: the
     * requests queued behind its computation on the same thread find it there instead of
     * computing it again, and one large view cannot flush the cache. */
    bool keep = f->status < 500;
    bool big = f->bytes > l->cache_budget / 4;
    for (size_t i = 0; keep && i < l->ncache; i++)
        if (strcmp(l->cache[i].key, f->key) == 0)
            keep = false; /* cached meanwhile (a request after a reload of the same panel) */
    if (keep) {
        for (size_t i = 0; big && i < l->ncache; i++)
            if (l->cache[i].big) {
                remove_at(l, i);
                break;
            }
        while (l->ncache &&
               ((!big && l->cache_bytes + f->bytes > l->cache_budget) || l->ncache >= MAX_ENTRIES))
            evict_one(l);
        if (l->ncache == l->cache_cap) {
            l->cache_cap = l->cache_cap ? l->cache_cap * 2 : 64;
            l->cache = realloc(l->cache, l->cache_cap * sizeof *l->cache);
            if (!l->cache)
                abort();
        }
        sv_cache_entry *e = &l->cache[l->ncache++];
        e->key = f->key;
        f->key = NULL;
        e->resp = f->resp;
        snprintf(e->etag, sizeof e->etag, "%s", f->etag);
        e->bytes = f->bytes;
        e->status = f->status;
        e->big = big;
        e->used = ++l->clock;
        if (!big)
            l->cache_bytes += f->bytes;
    } else {
        sv_mhd.destroy_response(f->resp); /* each connection that queued it holds its own */
    }
    for (size_t i = 0; i < l->ninflight; i++)
        if (l->inflight[i] == f) {
            l->inflight[i] = l->inflight[--l->ninflight];
            break;
        }
    free(f->key);
    free(f);
}

void sv_cache_finish(sv_live *l, const char *key, unsigned status, struct MHD_Response *resp,
                     const char *etag, size_t bytes)
{
    pthread_mutex_lock(&l->cache_lock);
    sv_flight *f = NULL;
    for (size_t i = 0; i < l->ninflight && !f; i++)
        if (!l->inflight[i]->finished && strcmp(l->inflight[i]->key, key) == 0)
            f = l->inflight[i];
    if (!f) { /* not claimed: cannot happen; keep the reference count right anyway */
        pthread_mutex_unlock(&l->cache_lock);
        sv_mhd.destroy_response(resp);
        return;
    }
    f->finished = true;
    f->status = status;
    f->resp = resp;
    snprintf(f->etag, sizeof f->etag, "%s", etag ? etag : "");
    f->bytes = bytes;
    if (f->waiters)
        pthread_cond_broadcast(&l->done);
    else
        settle_locked(l, f);
    pthread_mutex_unlock(&l->cache_lock);
}
