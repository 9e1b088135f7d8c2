/* lineage.c: first base models as a forest (every model has at most one first parent, so the
 * graph is functional and its cycles are disjoint): cut each cycle at its smallest id, then
 * give every model its depth and its relation to its parent, in time linear in the models. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "lineage.h"

static uint8_t rel_index(const omen_panel *p, omen_lineage *l, uint32_t sid)
{
    const char *name = omen_panel_str(p, sid);
    for (size_t i = 1; i < l->nrel; i++)
        if (strcmp(l->rel_name[i], name) == 0)
            return (uint8_t)i;
    if (l->nrel <= OMEN_LINEAGE_MAX_RELATIONS) {
        l->rel_name[l->nrel] = name;
        return (uint8_t)l->nrel++;
    }
    return omen_lineage_rel_find(l, "other");
}

/* Follows parents from s; a walk that comes back to a model of its own path has found a
 * cycle, which is cut at its bytewise smallest id (state: 0 new, 1 on this walk, 2 done). The
 * walk is marked done before the cut, while the cycle still closes, so that no model of it is
 * left marked as on a walk. */
static void cut_cycles_from(const omen_panel *p, omen_lineage *l, uint8_t *state, uint32_t s)
{
    uint32_t m = s;
    while (m != OMEN_NONE && state[m] == 0) {
        state[m] = 1;
        m = l->parent[m];
    }
    bool cycle = m != OMEN_NONE && state[m] == 1;
    for (uint32_t c = s; c != OMEN_NONE && state[c] == 1; c = l->parent[c])
        state[c] = 2;
    if (!cycle)
        return;
    uint32_t min = m;
    for (uint32_t c = l->parent[m]; c != m; c = l->parent[c])
        if (strcmp(omen_panel_str(p, p->model_name[c]), omen_panel_str(p, p->model_name[min])) < 0)
            min = c;
    l->parent[min] = OMEN_NONE;
    l->rel[min] = 0;
    l->cycles_broken++;
}

/* Depth by walking up to the first model whose depth is known, then back down the path. */
static void depths(omen_lineage *l, size_t n, uint32_t *path)
{
    uint8_t *known = omen_xcalloc(n ? n : 1, 1);
    for (uint32_t s = 0; s < n; s++) {
        size_t len = 0;
        uint32_t m = s;
        while (m != OMEN_NONE && !known[m]) {
            path[len++] = m;
            m = l->parent[m];
        }
        uint32_t d = m == OMEN_NONE ? 0 : l->depth[m] + 1;
        while (len--) {
            uint32_t c = path[len];
            l->depth[c] = l->parent[c] == OMEN_NONE ? 0 : d;
            d = l->depth[c] + 1;
            known[c] = 1;
            if (l->depth[c] > l->max_depth)
                l->max_depth = l->depth[c];
        }
    }
    free(known);
}

void omen_lineage_compute(const omen_panel *p, omen_lineage *l)
{
    size_t n = p->n_models;
    memset(l, 0, sizeof *l);
    l->parent = omen_xmalloc((n ? n : 1) * sizeof *l->parent);
    l->depth = omen_xcalloc(n ? n : 1, sizeof *l->depth);
    l->rel = omen_xcalloc(n ? n : 1, 1);
    l->rel_name[0] = "(none)";
    l->nrel = 1;
    for (size_t m = 0; m < n; m++) {
        bool has = p->parent_off[m + 1] > p->parent_off[m];
        l->parent[m] = has ? p->parent_model[p->parent_off[m]] : OMEN_NONE;
        l->rel[m] = has ? rel_index(p, l, p->parent_relation[p->parent_off[m]]) : 0;
    }
    uint8_t *state = omen_xcalloc(n ? n : 1, 1);
    for (uint32_t s = 0; s < n; s++)
        if (state[s] == 0)
            cut_cycles_from(p, l, state, s);
    free(state);
    uint32_t *path = omen_xmalloc((n ? n : 1) * sizeof *path);
    depths(l, n, path);
    free(path);
}

void omen_lineage_free(omen_lineage *l)
{
    free(l->parent);
    free(l->depth);
    free(l->rel);
    memset(l, 0, sizeof *l);
}

uint8_t omen_lineage_rel_find(const omen_lineage *l, const char *name)
{
    for (size_t i = 1; i < l->nrel; i++)
        if (strcmp(l->rel_name[i], name) == 0)
            return (uint8_t)i;
    return 0;
}
