/* unmapped.c: counts the metadata values an ingest kept as given because no vocabulary or
 * alias table of omen knows them, and applies --strict-labels.
 *
 * Counting is per record that carried the value (a developer row, a model, an edge, a label),
 * so a count says how much of the input a value touches. */
#include "unmapped.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static void grow(omen_unmapped *u)
{
    size_t n = u->nslots ? u->nslots * 2 : 64;
    uint32_t *slot = omen_xcalloc(n, sizeof *slot);
    for (size_t k = 0; k < u->n; k++) {
        size_t i = hash(u->keys[k], strlen(u->keys[k])) & (n - 1);
        while (slot[i])
            i = (i + 1) & (n - 1);
        slot[i] = (uint32_t)k + 1;
    }
    free(u->slot);
    u->slot = slot;
    u->nslots = n;
}

static void journal(omen_unmapped *u, size_t k)
{
    if (u->njournal == u->capjournal) {
        u->capjournal = u->capjournal ? u->capjournal * 2 : 16;
        u->journal = omen_xrealloc(u->journal, u->capjournal * sizeof *u->journal);
    }
    u->journal[u->njournal++] = (uint32_t)k;
}

/* The index of a key, added with a count of 0 when new. */
static size_t key_index(omen_unmapped *u, const char *key, size_t klen)
{
    if (2 * (u->n + 1) > u->nslots)
        grow(u);
    size_t i = hash(key, klen) & (u->nslots - 1);
    while (u->slot[i]) {
        size_t k = u->slot[i] - 1;
        if (strcmp(u->keys[k], key) == 0)
            return k;
        i = (i + 1) & (u->nslots - 1);
    }
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 16;
        u->keys = omen_xrealloc(u->keys, u->cap * sizeof *u->keys);
        u->count = omen_xrealloc(u->count, u->cap * sizeof *u->count);
    }
    u->keys[u->n] = omen_xmalloc(klen + 1);
    memcpy(u->keys[u->n], key, klen + 1);
    u->count[u->n] = 0;
    u->slot[i] = (uint32_t)++u->n;
    return u->n - 1;
}

void omen_unmapped_add(omen_unmapped *u, const char *field, const char *value, size_t len)
{
    /* One key text, "field\x1fvalue": a value may hold '=' or ':' but never a control byte. */
    size_t flen = strlen(field);
    if (len > 512)
        len = 512;
    char key[600];
    memcpy(key, field, flen);
    key[flen] = '\x1f';
    for (size_t i = 0; i < len; i++)
        key[flen + 1 + i] = (unsigned char)value[i] < 32 ? '?' : value[i];
    size_t klen = flen + 1 + len;
    key[klen] = 0;
    size_t k = key_index(u, key, klen);
    u->count[k]++;
    u->total++;
    journal(u, k);
}

void omen_unmapped_merge(omen_unmapped *dst, const omen_unmapped *src)
{
    for (size_t i = 0; i < src->n; i++) {
        if (!src->count[i])
            continue;
        size_t k = key_index(dst, src->keys[i], strlen(src->keys[i]));
        dst->count[k] += src->count[i];
        dst->total += src->count[i];
    }
}

void omen_unmapped_begin(omen_unmapped *u)
{
    if (u)
        u->njournal = 0;
}

void omen_unmapped_undo(omen_unmapped *u)
{
    if (!u)
        return;
    for (size_t j = 0; j < u->njournal; j++) {
        u->count[u->journal[j]]--;
        u->total--;
    }
    u->njournal = 0;
}

static const omen_unmapped *sort_ctx;

static int by_field_count(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const char *kx = sort_ctx->keys[x], *ky = sort_ctx->keys[y];
    size_t fx = strcspn(kx, "\x1f"), fy = strcspn(ky, "\x1f");
    int c = strncmp(kx, ky, fx < fy ? fx : fy);
    if (c || fx != fy)
        return c ? c : (fx < fy ? -1 : 1);
    if (sort_ctx->count[x] != sort_ctx->count[y])
        return sort_ctx->count[x] > sort_ctx->count[y] ? -1 : 1;
    return strcmp(kx + fx, ky + fy);
}

char *omen_unmapped_text(const omen_unmapped *u, size_t max_lines)
{
    if (!u || !u->n)
        return NULL;
    /* Keys whose every count was taken back (omen_unmapped_undo) are left out. */
    size_t *order = omen_xmalloc(u->n * sizeof *order), n = 0;
    for (size_t k = 0; k < u->n; k++)
        if (u->count[k])
            order[n++] = k;
    if (!n) {
        free(order);
        return NULL;
    }
    sort_ctx = u;
    qsort(order, n, sizeof *order, by_field_count);
    size_t shown = max_lines && max_lines < n ? max_lines : n, cap = 64, len = 0;
    for (size_t k = 0; k < shown; k++)
        cap += strlen(u->keys[order[k]]) + 24;
    char *out = omen_xmalloc(cap);
    for (size_t k = 0; k < shown; k++) {
        const char *key = u->keys[order[k]];
        size_t f = strcspn(key, "\x1f");
        len += (size_t)snprintf(out + len, cap - len, "%.*s=%s: %llu\n", (int)f, key, key + f + 1,
                                (unsigned long long)u->count[order[k]]);
    }
    if (shown < n)
        len += (size_t)snprintf(out + len, cap - len, "... and %zu more values\n", n - shown);
    out[len - 1] = 0; /* lines are separated, not terminated: the text is a column's value */
    free(order);
    return out;
}

size_t omen_unmapped_distinct(const omen_unmapped *u)
{
    size_t n = 0;
    for (size_t k = 0; u && k < u->n; k++)
        n += u->count[k] > 0;
    return n;
}

void omen_unmapped_free(omen_unmapped *u)
{
    if (!u)
        return;
    for (size_t k = 0; k < u->n; k++)
        free(u->keys[k]);
    free(u->keys);
    free(u->count);
    free(u->slot);
    free(u->journal);
    memset(u, 0, sizeof *u);
}

const char *omen_field_text(omen_field f, char *buf, size_t cap)
{
    size_t n = f.len < cap - 1 ? f.len : cap - 1;
    memcpy(buf, f.ptr, n);
    buf[n] = 0;
    return buf;
}

bool omen_label_unmapped(omen_reader *r, uint64_t line, const char *field, omen_field value,
                         const char *fmt, ...)
{
    if (r->opt && r->opt->strict_labels) {
        char msg[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        omen_reader_error(r, line, "%s", msg);
        return false;
    }
    if (r->unmapped)
        omen_unmapped_add(r->unmapped, field, value.ptr, value.len);
    return true;
}
