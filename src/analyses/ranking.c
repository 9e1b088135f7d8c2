/* ranking.c: sorting a period's entities by downloads (see ranking.h). */
#include "ranking.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

/* qsort has no context argument in C11; thread-local so that analyses running in several
 * threads at once (the HTTP server) do not sort by each other's names. */
static _Thread_local const omen_agg *sort_agg;

static int by_amount(const void *x, const void *y)
{
    const omen_ranked *a = x, *b = y;
    if (a->amount != b->amount)
        return a->amount > b->amount ? -1 : 1;
    return strcmp(sort_agg->names[a->id], sort_agg->names[b->id]);
}

omen_ranked *omen_rank_entities(const omen_agg *a, const uint32_t *ids, const double *amounts,
                                size_t n, double *total)
{
    omen_ranked *r = omen_xmalloc((n ? n : 1) * sizeof *r);
    double sum = 0, comp = 0;
    for (size_t i = 0; i < n; i++) {
        r[i] = (omen_ranked){ids[i], amounts[i]};
        double y = amounts[i] - comp, t = sum + y; /* Kahan: totals agree with pandas */
        comp = (t - sum) - y;
        sum = t;
    }
    sort_agg = a;
    qsort(r, n, sizeof *r, by_amount);
    *total = sum;
    return r;
}

static int by_name(const void *x, const void *y)
{
    const omen_ranked *a = x, *b = y;
    return strcmp(sort_agg->names[a->id], sort_agg->names[b->id]);
}

/* The k-th largest amount: a min-heap of the k largest seen so far. Most amounts of a period
 * are below the heap's root and cost one comparison. */
static double kth_largest(const double *amounts, size_t n, size_t k, double *heap)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double x = amounts[i];
        if (m == k && x <= heap[0])
            continue;
        size_t at;
        if (m < k) { /* sift up */
            at = m++;
            while (at > 0 && heap[(at - 1) / 2] > x) {
                heap[at] = heap[(at - 1) / 2];
                at = (at - 1) / 2;
            }
        } else { /* replace the root, sift down */
            at = 0;
            for (;;) {
                size_t c = 2 * at + 1;
                if (c >= m)
                    break;
                if (c + 1 < m && heap[c + 1] < heap[c])
                    c++;
                if (heap[c] >= x)
                    break;
                heap[at] = heap[c];
                at = c;
            }
        }
        heap[at] = x;
    }
    return heap[0];
}

static int ascending(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Only the top k are ranked: the k-th largest amount is found with a heap, the entities above
 * it are in, those equal to it compete by name, and only the k chosen are sorted (a full
 * ranking compared names across every tie of a period's long tail of small amounts: 4.7 s of a
 * 265-week `omen shares` at full scale). The rest are summed largest first, as a full ranking
 * would; whole amounts (no fractional credit) sum exactly in any order, so only fractional ones
 * are sorted for it. */
omen_ranked *omen_rank_top(const omen_agg *a, const uint32_t *ids, const double *amounts, size_t n,
                           size_t k, double *total, double *rest)
{
    if (k >= n) {
        omen_ranked *r = omen_rank_entities(a, ids, amounts, n, total);
        *rest = 0;
        return r;
    }
    omen_ranked *r = omen_xmalloc((k ? k : 1) * sizeof *r);
    double *heap = omen_xmalloc((k ? k : 1) * sizeof *heap);
    double cut = k ? kth_largest(amounts, n, k, heap) : INFINITY;
    free(heap);
    omen_ranked *tied = NULL;
    double *below = NULL, sum = 0, comp = 0, whole_rest = 0;
    size_t at = 0, ntied = 0, nbelow = 0, tied_cap = 0;
    bool whole = true;
    for (size_t i = 0; i < n; i++) {
        double x = amounts[i], y = x - comp, t = sum + y; /* Kahan, as omen_rank_entities */
        comp = (t - sum) - y;
        sum = t;
        whole = whole && x == floor(x) && x < 9007199254740992.0;
        if (x > cut) {
            r[at++] = (omen_ranked){ids[i], x};
        } else if (x == cut) {
            if (ntied == tied_cap) {
                tied_cap = tied_cap ? 2 * tied_cap : 64;
                tied = omen_xrealloc(tied, tied_cap * sizeof *tied);
            }
            tied[ntied++] = (omen_ranked){ids[i], x};
        } else {
            whole_rest += x;
        }
    }
    sort_agg = a;
    qsort(tied, ntied, sizeof *tied, by_name);
    size_t from_tied = k - at;
    for (size_t i = 0; i < from_tied; i++)
        r[at++] = tied[i];
    qsort(r, k, sizeof *r, by_amount);
    if (whole) { /* exact: the order of the sum does not matter */
        *rest = whole_rest;
        if (ntied > from_tied)
            *rest += cut * (double)(ntied - from_tied);
    } else {
        below = omen_xmalloc((n - k) * sizeof *below);
        for (size_t i = from_tied; i < ntied; i++)
            below[nbelow++] = cut;
        for (size_t i = 0; i < n; i++)
            if (amounts[i] < cut)
                below[nbelow++] = amounts[i];
        qsort(below, nbelow, sizeof *below, ascending);
        double s = 0;
        for (size_t i = nbelow; i-- > 0;)
            s += below[i];
        *rest = s;
    }
    *total = sum;
    free(tied);
    free(below);
    return r;
}

void omen_rank_entity_origin(const omen_panel *p, const omen_agg *a, uint32_t id,
                             const char **country, const char **org_type)
{
    *country = *org_type = "";
    if (!a->developer)
        return;
    uint32_t d = a->developer[id];
    *country = p->dev_country[d] == OMEN_NONE ? "UNKNOWN" : omen_panel_str(p, p->dev_country[d]);
    *org_type = p->dev_org_type[d] == OMEN_NONE ? "unknown" : omen_panel_str(p, p->dev_org_type[d]);
}
