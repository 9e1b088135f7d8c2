/* lineage.c: first base models as a forest: each model's parent is the first base model the
 * panel's one rule follows from it (src/panel/roots.c: none where a cycle is cut), and from it
 * every model's depth and its relation to its parent, in time linear in the models. */
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
    uint64_t cycles;
    bool owned;
    const uint32_t *root = omen_panel_first_roots_of(p, &cycles, &owned);
    for (uint32_t m = 0; m < n; m++) {
        /* Every relation of a first base model is named, in model order, even where a cycle is
         * cut, so that the relations and their order do not depend on the cuts. */
        uint8_t rel = p->parent_off[m + 1] > p->parent_off[m]
                          ? rel_index(p, l, p->parent_relation[p->parent_off[m]])
                          : 0;
        l->parent[m] = omen_panel_first_base(p, root, m);
        l->rel[m] = l->parent[m] != OMEN_NONE ? rel : 0;
    }
    l->cycles_broken = (size_t)cycles;
    if (owned)
        free((void *)(uintptr_t)root);
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
