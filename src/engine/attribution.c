/* attribution.c: Recursive Model Attribution (the paper's section 2): which root models receive
 * the credit for a model's downloads.
 *
 * `first` follows the first listed base model to the root; `split` divides credit equally among
 * the base models at every step. Where chains end and where cycles are cut is the panel's one
 * rule (src/panel/roots.c), which also holds the `first` roots. */
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "engine.h"

/* The base-model graph of the split policy, with the models where cycles were cut treated as
 * roots. */
typedef struct {
    const omen_panel *p;
    uint8_t *cut; /* 1: treated as a root */
} graph;

static size_t nparents(const graph *g, uint32_t m)
{
    return g->cut[m] ? 0 : (size_t)(g->p->parent_off[m + 1] - g->p->parent_off[m]);
}

static uint32_t parent(const graph *g, uint32_t m, size_t j)
{
    return g->p->parent_model[g->p->parent_off[m] + j];
}

/* Topological order, parents before children (the graph is acyclic after the cuts). */
static uint32_t *parents_first_order(const graph *g)
{
    const omen_panel *p = g->p;
    size_t n = p->n_models;
    uint32_t *order = omen_xmalloc((n ? n : 1) * sizeof *order);
    uint8_t *done = omen_xcalloc(n ? n : 1, 1);
    uint32_t *stack = omen_xmalloc((n ? n : 1) * sizeof *stack);
    size_t *pos = omen_xmalloc((n ? n : 1) * sizeof *pos), k = 0;
    for (uint32_t s = 0; s < n; s++) {
        if (done[s])
            continue;
        size_t depth = 0;
        stack[depth] = s;
        pos[depth++] = 0;
        done[s] = 1;
        while (depth) {
            uint32_t m = stack[depth - 1];
            if (pos[depth - 1] == nparents(g, m)) {
                order[k++] = m;
                depth--;
                continue;
            }
            uint32_t q = parent(g, m, pos[depth - 1]++);
            if (!done[q]) {
                done[q] = 1;
                stack[depth] = q;
                pos[depth++] = 0;
            }
        }
    }
    free(done);
    free(stack);
    free(pos);
    return order;
}

typedef struct {
    uint32_t target;
    double weight;
} share;

static int by_target(const void *a, const void *b)
{
    const share *x = a, *y = b;
    return x->target < y->target ? -1 : x->target > y->target;
}

/* Credit lists are built parents first: a model's list is its parents' lists, each scaled by
 * 1/k (k = its number of base models), merged by target. */
static void build_lists(const graph *g, omen_credit *c)
{
    const omen_panel *p = g->p;
    size_t n = p->n_models;
    uint32_t *order = parents_first_order(g);
    share **lists = omen_xcalloc(n ? n : 1, sizeof *lists);
    size_t *len = omen_xcalloc(n ? n : 1, sizeof *len), total = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t m = order[i];
        size_t k = nparents(g, m);
        if (k == 0) {
            lists[m] = omen_xmalloc(sizeof(share));
            lists[m][0] = (share){m, 1.0};
            len[m] = 1;
        } else {
            size_t sum = 0;
            for (size_t j = 0; j < k; j++)
                sum += len[parent(g, m, j)];
            share *l = omen_xmalloc(sum * sizeof *l);
            size_t at = 0;
            for (size_t j = 0; j < k; j++) {
                uint32_t q = parent(g, m, j);
                for (size_t t = 0; t < len[q]; t++)
                    l[at++] = (share){lists[q][t].target, lists[q][t].weight / (double)k};
            }
            qsort(l, at, sizeof *l, by_target);
            size_t out = 0;
            for (size_t t = 0; t < at; t++) {
                if (out && l[out - 1].target == l[t].target)
                    l[out - 1].weight += l[t].weight;
                else
                    l[out++] = l[t];
            }
            lists[m] = l;
            len[m] = out;
        }
        total += len[m];
    }
    c->off = omen_xmalloc((n + 1) * sizeof *c->off);
    c->target = omen_xmalloc((total ? total : 1) * sizeof *c->target);
    c->weight = omen_xmalloc((total ? total : 1) * sizeof *c->weight);
    size_t at = 0;
    for (size_t m = 0; m < n; m++) {
        c->off[m] = at;
        for (size_t t = 0; t < len[m]; t++) {
            c->target[at] = lists[m][t].target;
            c->weight[at++] = lists[m][t].weight;
        }
        free(lists[m]);
    }
    c->off[n] = at;
    free(lists);
    free(len);
    free(order);
}

void omen_credit_compute(const omen_panel *p, omen_attribution a, omen_merge_policy mp,
                         omen_credit *c)
{
    memset(c, 0, sizeof *c);
    if (a == OMEN_ATTRIBUTION_DIRECT)
        return;                   /* every model credits itself: no arrays (see omen_credit) */
    if (mp == OMEN_MERGE_FIRST) { /* one root per model: the panel's (see roots.c) */
        uint64_t cycles;
        bool owned;
        const uint32_t *root = omen_panel_first_roots_of(p, &cycles, &owned);
        c->target = (uint32_t *)(uintptr_t)root; /* read-only when borrowed */
        c->borrowed = !owned;
        c->cycles_broken = (size_t)cycles;
        return;
    }
    graph g = {p, omen_xcalloc(p->n_models ? p->n_models : 1, 1)};
    c->cycles_broken = omen_panel_cut_cycles(p, g.cut);
    build_lists(&g, c);
    free(g.cut);
}

void omen_credit_free(omen_credit *c)
{
    free(c->off);
    if (!c->borrowed)
        free(c->target);
    free(c->weight);
    memset(c, 0, sizeof *c);
}
