/* intern.c: the string table that turns model, developer and label names into dense ids.
 *
 * The hash is wyhash (final4, public domain, by Wang Yi), written out here so util depends on
 * nothing; it is fast on the short keys the panel holds and mixes well into the low bits that
 * linear probing uses. */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

#define MIN_SLOTS 16

/* ---------------------------------------------------------------- wyhash */

__extension__ typedef unsigned __int128 u128;

static const uint64_t wyp[4] = {0x2d358dccaa6c78a5ull, 0x8bb84b93962eacc9ull, 0x4b33a62ed433d4a3ull,
                                0x4d5a2da51de1aa47ull};

static inline void wymum(uint64_t *a, uint64_t *b)
{
    u128 r = (u128)*a * *b;
    *a = (uint64_t)r;
    *b = (uint64_t)(r >> 64);
}

static inline uint64_t wymix(uint64_t a, uint64_t b)
{
    wymum(&a, &b);
    return a ^ b;
}

/* Little-endian reads, so a hash is the same on every host. */
static inline uint64_t wyr8(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t wyr4(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline uint64_t wyr3(const uint8_t *p, size_t k)
{
    return ((uint64_t)p[0] << 16) | ((uint64_t)p[k >> 1] << 8) | p[k - 1];
}

static uint64_t wyhash(const void *key, size_t len, uint64_t seed)
{
    const uint8_t *p = key;
    uint64_t a, b;
    seed ^= wymix(seed ^ wyp[0], wyp[1]);
    if (len <= 16) {
        if (len >= 4) {
            a = (wyr4(p) << 32) | wyr4(p + ((len >> 3) << 2));
            b = (wyr4(p + len - 4) << 32) | wyr4(p + len - 4 - ((len >> 3) << 2));
        } else if (len > 0) {
            a = wyr3(p, len);
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = len;
        if (i >= 48) {
            uint64_t see1 = seed, see2 = seed;
            do {
                seed = wymix(wyr8(p) ^ wyp[1], wyr8(p + 8) ^ seed);
                see1 = wymix(wyr8(p + 16) ^ wyp[2], wyr8(p + 24) ^ see1);
                see2 = wymix(wyr8(p + 32) ^ wyp[3], wyr8(p + 40) ^ see2);
                p += 48;
                i -= 48;
            } while (i >= 48);
            seed ^= see1 ^ see2;
        }
        while (i > 16) {
            seed = wymix(wyr8(p) ^ wyp[1], wyr8(p + 8) ^ seed);
            i -= 16;
            p += 16;
        }
        a = wyr8(p + i - 16);
        b = wyr8(p + i - 8);
    }
    a ^= wyp[1];
    b ^= seed;
    wymum(&a, &b);
    return wymix(a ^ wyp[0] ^ len, b ^ wyp[1]);
}

uint64_t omen_hash_bytes(const void *p, size_t len)
{
    return wyhash(p, len, 0);
}

/* ---------------------------------------------------------------- table */

void omen_intern_init(omen_intern *t)
{
    memset(t, 0, sizeof *t);
}

void omen_intern_free(omen_intern *t)
{
    if (!t)
        return;
    free(t->blob);
    free(t->offsets);
    free(t->lens);
    free(t->slots);
    free(t->slot_hash);
    memset(t, 0, sizeof *t);
}

static int same(const omen_intern *t, uint32_t id, const char *s, size_t len)
{
    return t->lens[id] == len && memcmp(t->blob + t->offsets[id], s, len) == 0;
}

/* The slot holding the string, or the empty slot where it would go. */
static size_t probe(const omen_intern *t, uint64_t h, const char *s, size_t len)
{
    size_t mask = t->nslots - 1, i = (size_t)h & mask;
    while (t->slots[i]) {
        if (t->slot_hash[i] == h && same(t, t->slots[i] - 1, s, len))
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static void rehash(omen_intern *t, size_t nslots)
{
    uint32_t *slots = omen_xcalloc(nslots, sizeof *slots);
    uint64_t *hashes = omen_xmalloc(nslots * sizeof *hashes);
    size_t mask = nslots - 1;
    for (size_t j = 0; j < t->nslots; j++) {
        if (!t->slots[j])
            continue;
        size_t i = (size_t)t->slot_hash[j] & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = t->slots[j];
        hashes[i] = t->slot_hash[j];
    }
    free(t->slots);
    free(t->slot_hash);
    t->slots = slots;
    t->slot_hash = hashes;
    t->nslots = nslots;
}

/* Keeps the load at or under 0.7 after one more insertion. */
static void reserve_slot(omen_intern *t)
{
    size_t n = t->nslots ? t->nslots : MIN_SLOTS;
    while ((uint64_t)(t->count + 1) * 10 > (uint64_t)n * 7)
        n *= 2;
    if (n != t->nslots)
        rehash(t, n);
}

static void reserve_id(omen_intern *t)
{
    if (t->count < t->cap_ids)
        return;
    if (t->count >= UINT32_MAX - 2)
        abort(); /* ids are uint32 and UINT32_MAX means absent: 4 billion names is a bug */
    uint64_t cap = t->cap_ids ? (uint64_t)t->cap_ids * 2 : 1024;
    if (cap > UINT32_MAX - 1)
        cap = UINT32_MAX - 1;
    t->cap_ids = (uint32_t)cap;
    /* offsets has one extra entry: offsets[count] = blob_len. */
    t->offsets = omen_xrealloc(t->offsets, ((size_t)cap + 1) * sizeof *t->offsets);
    t->lens = omen_xrealloc(t->lens, (size_t)cap * sizeof *t->lens);
}

static void append_blob(omen_intern *t, const char *s, size_t len)
{
    if (t->blob_cap - t->blob_len < len + 1) {
        /* s may point into the blob itself (re-interning a stored string). */
        uintptr_t us = (uintptr_t)s, ub = (uintptr_t)t->blob;
        size_t from = t->blob && us >= ub && us < ub + t->blob_len ? (size_t)(us - ub) : SIZE_MAX;
        size_t cap = t->blob_cap ? t->blob_cap : 4096;
        while (cap - t->blob_len < len + 1)
            cap *= 2;
        t->blob = omen_xrealloc(t->blob, cap);
        t->blob_cap = cap;
        if (from != SIZE_MAX)
            s = t->blob + from;
    }
    memcpy(t->blob + t->blob_len, s, len);
    t->blob[t->blob_len + len] = '\0';
    t->blob_len += len + 1;
}

uint32_t omen_intern_add(omen_intern *t, const char *s, size_t len)
{
    if (len > UINT32_MAX - 1)
        abort(); /* lens are uint32: a 4 GB name is not a name */
    if (!len)
        s = ""; /* callers may pass (NULL, 0) */
    uint64_t h = omen_hash_bytes(s, len);
    reserve_slot(t);
    size_t i = probe(t, h, s, len);
    if (t->slots[i])
        return t->slots[i] - 1;
    reserve_id(t);
    uint32_t id = t->count++;
    t->offsets[id] = t->blob_len;
    t->lens[id] = (uint32_t)len;
    append_blob(t, s, len);
    t->offsets[t->count] = t->blob_len;
    t->slots[i] = id + 1;
    t->slot_hash[i] = h;
    return id;
}

uint32_t omen_intern_find(const omen_intern *t, const char *s, size_t len)
{
    if (!t->nslots)
        return UINT32_MAX;
    if (!len)
        s = "";
    size_t i = probe(t, omen_hash_bytes(s, len), s, len);
    return t->slots[i] ? t->slots[i] - 1 : UINT32_MAX;
}
