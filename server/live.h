/* live.h: the panel the server answers from, reference-counted so that a reload (a new ingest
 * into the store) swaps in a new panel while requests in flight finish on the old one; each
 * panel carries its own bounded result cache, so a swap also invalidates the cache. */
#ifndef OMEN_SERVER_LIVE_H
#define OMEN_SERVER_LIVE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "omen/omen.h"

struct MHD_Response;
struct MHD_Connection;

/* What identifies the store file's state: a commit changes size or mtime. */
typedef struct {
    int64_t mtime_ns, size, ino;
} sv_stamp;

typedef struct {
    char *key; /* "j/api/..." or "c/api/...": format letter + canonical key */
    struct MHD_Response *resp;
    char etag[64];
    size_t bytes;
    uint64_t used; /* LRU clock */
} sv_cache_entry;

typedef struct {
    omen_panel *panel;
    omen_info info;
    sv_stamp stamp;
    char version[48]; /* the store version in ETags and /api/meta */
    char *meta_json;
    size_t meta_len;
    atomic_int refs;
    pthread_mutex_t cache_lock;
    sv_cache_entry *cache;
    size_t ncache, cache_cap, cache_bytes, cache_budget;
    uint64_t clock;
    /* keys being computed: a request for one of them waits for that answer instead of
     * computing it again (32 clients asking for one new view cost one computation) */
    char **inflight;
    size_t ninflight, inflight_cap;
    pthread_cond_t done;
} sv_live;

/* Stats the store file; false if it cannot be read. */
bool sv_stamp_read(const char *db, sv_stamp *out);
bool sv_stamp_equal(const sv_stamp *a, const sv_stamp *b);

/* Loads the store's panel into a new sv_live with one reference (the caller's). */
omen_status sv_live_load(const char *db, size_t cache_budget, sv_live **out, omen_error *err);
void sv_live_retain(sv_live *l);
/* Drops one reference; the last one frees the panel and the cached responses. */
void sv_live_release(sv_live *l);

/* Cache look-up: when key is cached, queues its response (status 200) on the connection
 * under the cache lock, so that no eviction can free it meanwhile, and returns true (the MHD
 * result in *queued). On a miss it either claims the key (returns false with *claimed = true:
 * the caller computes it and must end with sv_cache_put or sv_cache_unclaim) or, when another
 * request is computing it, waits for that one and queues its answer. */
bool sv_cache_queue_or_claim(sv_live *l, const char *key, struct MHD_Connection *c, int *queued,
                             size_t *bytes, bool *claimed);
/* Gives up a claim without an answer to cache (an error); wakes the waiters. */
void sv_cache_unclaim(sv_live *l, const char *key);
/* Takes over the caller's reference to resp under key (the caller must not destroy it after
 * this), evicting the least recently used entries beyond the budget; a response larger than a
 * quarter of the budget is destroyed at once instead of kept (after MHD_queue_response took
 * its own reference, that is safe). */
void sv_cache_put(sv_live *l, const char *key, struct MHD_Response *resp, const char *etag,
                  size_t bytes);

#endif
