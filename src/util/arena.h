/* arena.h: working memory for one query: a bump allocator over one anonymous mapping in 2 MiB
 * pages (transparent huge pages, where the system allows them).
 *
 * A first touch of a 4 KiB page costs microseconds on the virtual machines omen is measured on
 * (18 us each, measured), and a full-scale concentration series touched thousands of them in
 * model- and entity-sized arrays; taken from an arena, those arrays fault once per 2 MiB.
 * Everything taken is released at once by omen_arena_free. Under AddressSanitizer each take is
 * its own heap block instead, so overruns are still caught. */
#ifndef OMEN_UTIL_ARENA_H
#define OMEN_UTIL_ARENA_H

#include <stddef.h>

typedef struct {
    char *map;
    size_t len, used;
    void **blocks; /* AddressSanitizer builds: the heap blocks taken */
    size_t nblocks;
} omen_arena;

/* Reserves room for at most `capacity` bytes of takes (address space only: pages cost nothing
 * until they are touched). */
void omen_arena_init(omen_arena *a, size_t capacity);
/* `bytes` of zeroed memory, 64-byte aligned, owned by the arena. Taking more than the capacity
 * given to omen_arena_init aborts (a bug, like running out of memory). */
void *omen_arena_take(omen_arena *a, size_t bytes);
/* Releases everything taken; the arena may be initialised again. NULL-safe. */
void omen_arena_free(omen_arena *a);

#endif
