/* arena.c: the query arena (arena.h): one mapping aligned to 2 MiB and advised into huge pages,
 * handed out front to back. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "error.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ON_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ON_HEAP 1
#endif
#endif

enum { HUGE_PAGE = 2u << 20 };

static size_t round_up(size_t x, size_t to)
{
    return (x + to - 1) / to * to;
}

void omen_arena_init(omen_arena *a, size_t capacity)
{
    memset(a, 0, sizeof *a);
#ifndef ARENA_ON_HEAP
    /* One huge page of slack to align the start: a huge page needs an aligned 2 MiB range. */
    size_t len = round_up(capacity ? capacity : 1, HUGE_PAGE) + HUGE_PAGE;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (map == MAP_FAILED) {
        fprintf(stderr, "omen: out of memory (could not map %zu bytes)\n", len);
        abort();
    }
    uintptr_t start = round_up((uintptr_t)map, HUGE_PAGE);
#ifdef MADV_HUGEPAGE
    madvise((void *)start, len - (start - (uintptr_t)map), MADV_HUGEPAGE); /* advice only */
#endif
    a->map = map;
    a->len = len;
    a->used = start - (uintptr_t)map;
#else
    (void)round_up;
    a->len = capacity;
#endif
}

void *omen_arena_take(omen_arena *a, size_t bytes)
{
#ifndef ARENA_ON_HEAP
    size_t at = round_up(a->used, 64);
    if (bytes > a->len || at > a->len - bytes) {
        fprintf(stderr, "omen: arena overrun (%zu bytes asked, %zu left)\n", bytes,
                a->len > at ? a->len - at : 0);
        abort();
    }
    a->used = at + bytes;
    return a->map + at;
#else
    if (bytes > a->len - a->used) {
        fprintf(stderr, "omen: arena overrun (%zu bytes asked, %zu left)\n", bytes,
                a->len - a->used);
        abort();
    }
    a->used += round_up(bytes, 64);
    a->blocks = omen_xrealloc(a->blocks, (a->nblocks + 1) * sizeof *a->blocks);
    return a->blocks[a->nblocks++] = omen_xcalloc(bytes ? bytes : 1, 1);
#endif
}

void omen_arena_free(omen_arena *a)
{
    if (!a)
        return;
    if (a->map)
        munmap(a->map, a->len);
    for (size_t i = 0; i < a->nblocks; i++)
        free(a->blocks[i]);
    free(a->blocks);
    memset(a, 0, sizeof *a);
}
