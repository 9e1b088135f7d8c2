/* weeks.c: the week-major index of the panel's downloads (panel.h, omen_week_index).
 *
 * The panel keeps downloads model-major, which is what per-model facts and most analyses
 * read. A concentration series reads them the other way: week by week, only the rows whose
 * model passes the Rolling Window Filter, into one dense accumulator per period. Ranking the
 * models by effective created date (newest first) makes the rows a week keeps a prefix of its
 * rows, and listing them in rank order makes the reads of per-model tables ascend. The index
 * costs 8 bytes a row in the cache (uint32 rank and count); counts that do not fit 32 bits are
 * saturated and read back from the model-major arrays, so no input is out of reach. It is built
 * on two threads, since a writing command builds it at its end (docs/architecture.md). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "panel.h"

uint64_t omen_week_index_rows(const uint64_t *dl_count, uint64_t nnz)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < nnz; i++)
        n += dl_count[i] > 0;
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Ranks: effective created date descending, no date first (it passes any filter), then model
 * index. The key puts "how much older than the newest possible date" above the index. */
static void rank_models(const int32_t *created_eff, size_t n, uint32_t *order)
{
    uint64_t *key = omen_xmalloc((n ? n : 1) * sizeof *key);
    for (size_t m = 0; m < n; m++) {
        int32_t c = created_eff[m] == OMEN_NO_DATE ? INT32_MAX : created_eff[m];
        uint64_t older = (uint64_t)((int64_t)INT32_MAX - (int64_t)c);
        key[m] = older << 32 | (uint64_t)m;
    }
    qsort(key, n, sizeof *key, cmp_u64);
    for (size_t r = 0; r < n; r++)
        order[r] = (uint32_t)key[r];
    free(key);
}

/* One half of the ranks: its rows per week (count), then its rows in place (scatter, from
 * next[w], its first position in week w). */
typedef struct {
    const uint64_t *dl_off, *dl_count;
    const uint16_t *dl_week;
    omen_week_index *out;
    size_t r0, r1, n_weeks;
    uint64_t *per_week; /* [n_weeks]: the next position of each week in the index */
} half;

static void *run_half(void *arg)
{
    half *h = arg;
    const uint32_t *order = h->out->order;
    uint64_t *at = h->per_week;
    /* Models in rank order: each week's rows come out in increasing rank. */
    uint32_t *rank = h->out->rank, *count = h->out->count;
    for (size_t r = h->r0; r < h->r1; r++) {
        uint32_t m = order[r];
        for (uint64_t i = h->dl_off[m]; i < h->dl_off[m + 1]; i++) {
            uint64_t c = h->dl_count[i];
            if (c == 0)
                continue;
            uint64_t k = at[h->dl_week[i]]++;
            rank[k] = (uint32_t)r;
            count[k] = c < UINT32_MAX ? (uint32_t)c : UINT32_MAX;
        }
    }
    return NULL;
}

/* Runs both halves, the second on a thread of its own (on this one if none can start). */
static void run_both(half h[2])
{
    pthread_t t;
    bool started = pthread_create(&t, NULL, run_half, &h[1]) == 0;
    run_half(&h[0]);
    if (started)
        pthread_join(t, NULL);
    else
        run_half(&h[1]);
}

enum { PARALLEL_MIN_ROWS = 1 << 20 }; /* below this a thread costs more than it saves */

void omen_week_index_fill(const uint64_t *dl_off, const uint16_t *dl_week, const uint64_t *dl_count,
                          const int32_t *created_eff, size_t n_models, size_t n_weeks,
                          omen_week_index *out)
{
    rank_models(created_eff, n_models, out->order);
    for (size_t r = 0; r < n_models; r++)
        out->created[r] = created_eff[out->order[r]];
    /* Two halves of the ranks with about as many rows each, filled at once (the index is a
     * second's work at full scale): the second half's rows of a week follow the first's. The
     * rows per week of each half are counted in model order, a sequential read. */
    uint64_t nnz = dl_off[n_models], before = 0;
    size_t split = 0;
    if (nnz >= PARALLEL_MIN_ROWS)
        while (split < n_models && before < nnz / 2) {
            uint32_t m = out->order[split++];
            before += dl_off[m + 1] - dl_off[m];
        }
    uint8_t *second = omen_xcalloc(n_models ? n_models : 1, 1);
    for (size_t r = split; r < n_models; r++)
        second[out->order[r]] = 1;
    uint64_t *per = omen_xcalloc(2 * (n_weeks ? n_weeks : 1), sizeof *per);
    for (size_t m = 0; m < n_models; m++) {
        uint64_t *cnt = per + (second[m] ? n_weeks : 0);
        for (uint64_t i = dl_off[m]; i < dl_off[m + 1]; i++)
            cnt[dl_week[i]] += dl_count[i] > 0;
    }
    free(second);
    uint64_t *off = out->off;
    off[0] = 0;
    for (size_t w = 0; w < n_weeks; w++) {
        uint64_t first = per[w], rest = per[n_weeks + w];
        per[w] = off[w];
        per[n_weeks + w] = off[w] + first;
        off[w + 1] = off[w] + first + rest;
    }
    out->nnz = off[n_weeks];
    half h[2] = {{dl_off, dl_count, dl_week, out, 0, split, n_weeks, per},
                 {dl_off, dl_count, dl_week, out, split, n_models, n_weeks, per + n_weeks}};
    if (split > 0)
        run_both(h);
    else
        run_half(&h[1]);
    free(per);
}

void omen_week_index_of(const omen_panel *p, const int32_t *created_eff, omen_week_index *out,
                        bool *owned)
{
    if (p->wk_order && p->wk_created && p->wk_off && p->wk_rank && p->wk_count) {
        /* Read-only through these pointers (the cache is mapped read-only). */
        *out = (omen_week_index){
            (uint32_t *)(uintptr_t)p->wk_order, (int32_t *)(uintptr_t)p->wk_created,
            (uint64_t *)(uintptr_t)p->wk_off,   (uint32_t *)(uintptr_t)p->wk_rank,
            (uint32_t *)(uintptr_t)p->wk_count, p->wk_nnz};
        *owned = false;
        return;
    }
    uint64_t rows = omen_week_index_rows(p->dl_count, p->nnz);
    out->order = omen_xmalloc((p->n_models ? p->n_models : 1) * sizeof *out->order);
    out->created = omen_xmalloc((p->n_models ? p->n_models : 1) * sizeof *out->created);
    out->off = omen_xmalloc(((size_t)p->n_weeks + 1) * sizeof *out->off);
    out->rank = omen_xmalloc((rows ? rows : 1) * sizeof *out->rank);
    out->count = omen_xmalloc((rows ? rows : 1) * sizeof *out->count);
    omen_week_index_fill(p->dl_off, p->dl_week, p->dl_count, created_eff, p->n_models, p->n_weeks,
                         out);
    *owned = true;
}

void omen_week_index_free(omen_week_index *w)
{
    free(w->order);
    free(w->created);
    free(w->off);
    free(w->rank);
    free(w->count);
    memset(w, 0, sizeof *w);
}

uint64_t omen_week_count(const omen_panel *p, const omen_week_index *w, uint64_t i, size_t week)
{
    if (w->count[i] < UINT32_MAX)
        return w->count[i];
    uint32_t m = w->order[w->rank[i]];
    uint64_t lo = p->dl_off[m], hi = p->dl_off[m + 1];
    while (lo < hi) { /* a model's weeks are sorted */
        uint64_t mid = lo + (hi - lo) / 2;
        if (p->dl_week[mid] < week)
            lo = mid + 1;
        else
            hi = mid;
    }
    return p->dl_count[lo];
}
