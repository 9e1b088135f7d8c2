/* intern.h: string interning: each distinct string gets a dense id 0, 1, 2, ...
 *
 * Open addressing on a 64-bit hash; the strings are copied into one growing blob, so ids and
 * offsets stay valid as the table grows. The table owns its copies; omen_intern_free() releases
 * everything. */
#ifndef OMEN_UTIL_INTERN_H
#define OMEN_UTIL_INTERN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *blob; /* strings, each NUL-terminated */
    size_t blob_len, blob_cap;
    uint64_t *offsets; /* offsets[id] into blob; offsets[count] = blob_len */
    uint32_t *lens;
    uint32_t count, cap_ids;
    uint32_t *slots; /* id + 1, 0 = empty */
    uint64_t *slot_hash;
    size_t nslots;
} omen_intern;

void omen_intern_init(omen_intern *t);
void omen_intern_free(omen_intern *t);
/* Returns the id of the string, adding it if new. (NULL, 0) is the empty string; s may point
 * into the table's own blob. */
uint32_t omen_intern_add(omen_intern *t, const char *s, size_t len);
/* Returns the id, or UINT32_MAX if absent. */
uint32_t omen_intern_find(const omen_intern *t, const char *s, size_t len);
static inline const char *omen_intern_str(const omen_intern *t, uint32_t id)
{
    return t->blob + t->offsets[id];
}
/* wyhash (final4), seed 0, reading bytes little-endian: the same value on every host, so it
 * may be persisted. */
uint64_t omen_hash_bytes(const void *p, size_t len);
/* splitmix64's finaliser: folds one more 64-bit value into a running hash, h = mix(h ^ v). */
static inline uint64_t omen_hash_mix(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

#endif
