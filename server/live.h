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
    unsigned status; /* 200, or the request's own error (4xx) */
    bool big;        /* the one large answer kept outside the budget */
    uint64_t used;   /* LRU clock */
} sv_cache_entry;

/* One answer being computed. Requests for its key wait for it and queue the same response,
 * whatever its size or status (an answer too large for the cache, or a 413, is still computed
 * once for all the requests that arrive meanwhile); the last of them settles it: into the
 * cache (a 200 within the cache's entry limit) or destroyed. */
typedef struct {
    char *key;
    bool finished;
    unsigned waiters; /* requests blocked on it or not yet done queueing it */
    unsigned status;
    struct MHD_Response *resp; /* owned by the flight until settled */
    char etag[64];
    size_t bytes;
} sv_flight;

typedef struct {
    omen_panel *panel;
    omen_table *info; /* omen_info_table of the panel (no store facts) */
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
     * computing it again (300 clients asking for one new view cost one computation) */
    sv_flight **inflight;
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
 * result in *queued, the status in *status). On a miss it either claims the key (returns false
 * with *claimed = true: the caller computes the answer and must end with sv_cache_finish) or,
 * when another request is computing it, waits for that one and queues its answer, whatever
 * its status. */
bool sv_cache_queue_or_claim(sv_live *l, const char *key, struct MHD_Connection *c, int *queued,
                             unsigned *status, size_t *bytes, bool *claimed);
/* Ends a claim: takes over the caller's reference to resp (the caller must not destroy it
 * after this; it may already have queued it, as MHD_queue_response takes its own reference),
 * hands it to the requests waiting for key, and, once the last of them has queued it, keeps a
 * 200 or 4xx in the cache (within the budget, evicting the least recently used entries; an
 * answer over a quarter of the budget in the single slot for a large one, outside the budget,
 * replacing the previous) and destroys a 5xx. */
void sv_cache_finish(sv_live *l, const char *key, unsigned status, struct MHD_Response *resp,
                     const char *etag, size_t bytes);

#endif
