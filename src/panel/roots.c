/* roots.c: the one rule for derivation roots and cycles (DESIGN section 5): a chain of base
 * models ends at a model without one, and a cycle is cut at its model of smallest id (bytewise),
 * which becomes a root. Recursive attribution (both merge policies), `omen derivations` and
 * `omen intermediaries` all take their chains from here.
 *
 * Along first base models the derivation graph is functional: its cycles are disjoint, so each
 * is cut once, and one walk per model up to a known root gives every root in linear time. Those
 * roots depend on the edges alone, not on any query, so the cache holds them: a full-scale query
 * spent a tenth of its time on this walk. Along every base model (the split policy) a
 * depth-first search cuts one cycle at a time until none is left. */
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "panel.h"

bool omen_panel_cut_before(const omen_panel *p, uint32_t a, uint32_t b)
{
    return strcmp(omen_panel_str(p, p->model_name[a]), omen_panel_str(p, p->model_name[b])) < 0;
}

uint64_t omen_panel_first_roots(const omen_panel *p, uint32_t *root)
{
    size_t n = p->n_models;
    uint64_t broken = 0;
    uint8_t *state = omen_xcalloc(n ? n : 1, 1); /* 0 new, 1 on the walked path, 2 rooted */
    uint32_t *path = omen_xmalloc((n ? n : 1) * sizeof *path);
    for (uint32_t s = 0; s < n; s++) {
        size_t len = 0;
        uint32_t m = s, r;
        for (;;) {
            if (state[m] == 2) {
                r = root[m];
                break;
            }
            if (state[m] == 1) { /* back on the path: m's cycle is path[at..len) */
                size_t at = len;
                while (path[at - 1] != m)
                    at--;
                r = m;
                for (size_t i = at; i < len; i++)
                    if (omen_panel_cut_before(p, path[i], r))
                        r = path[i];
                broken++;
                break;
            }
            state[m] = 1;
            path[len++] = m;
            if (p->parent_off[m] == p->parent_off[m + 1]) {
                r = m;
                break;
            }
            m = p->parent_model[p->parent_off[m]];
        }
        for (size_t i = 0; i < len; i++) {
            root[path[i]] = r;
            state[path[i]] = 2;
        }
    }
    free(state);
    free(path);
    return broken;
}

const uint32_t *omen_panel_first_roots_of(const omen_panel *p, uint64_t *cycles, bool *owned)
{
    if (p->model_root_first) {
        *cycles = p->first_cycles;
        *owned = false;
        return p->model_root_first;
    }
    uint32_t *root = omen_xmalloc((p->n_models ? p->n_models : 1) * sizeof *root);
    *cycles = omen_panel_first_roots(p, root);
    *owned = true;
    return root;
}

/* A model with a base model is its own root only where its cycle was cut: otherwise its root
 * is its first base model's, and that is m only if m follows from itself. */
uint32_t omen_panel_first_base(const omen_panel *p, const uint32_t *root, uint32_t m)
{
    if (p->parent_off[m] == p->parent_off[m + 1] || root[m] == m)
        return OMEN_NONE;
    return p->parent_model[p->parent_off[m]];
}

/* Iterative DFS over every base-model edge of the models not cut yet; on a back edge, cuts the
 * cycle's smallest model and returns true (the caller runs it again until no cycle is left). */
static bool cut_one_cycle(const omen_panel *p, uint8_t *cut, uint8_t *state, uint32_t *stack,
                          size_t *pos)
{
    memset(state, 0, p->n_models);
    for (uint32_t s = 0; s < p->n_models; s++) {
        if (state[s])
            continue;
        size_t depth = 0;
        stack[depth] = s;
        pos[depth++] = 0;
        state[s] = 1;
        while (depth) {
            uint32_t m = stack[depth - 1];
            size_t k = cut[m] ? 0 : (size_t)(p->parent_off[m + 1] - p->parent_off[m]);
            if (pos[depth - 1] == k) {
                state[m] = 2;
                depth--;
                continue;
            }
            uint32_t q = p->parent_model[p->parent_off[m] + pos[depth - 1]++];
            if (state[q] == 1) {
                uint32_t min = q;
                for (size_t i = depth; i-- > 0 && stack[i] != q;)
                    if (omen_panel_cut_before(p, stack[i], min))
                        min = stack[i];
                cut[min] = 1;
                return true;
            }
            if (state[q] == 0) {
                state[q] = 1;
                stack[depth] = q;
                pos[depth++] = 0;
            }
        }
    }
    return false;
}

size_t omen_panel_cut_cycles(const omen_panel *p, uint8_t *cut)
{
    size_t n = p->n_models ? p->n_models : 1, broken = 0;
    uint8_t *state = omen_xmalloc(n);
    uint32_t *stack = omen_xmalloc(n * sizeof *stack);
    size_t *pos = omen_xmalloc(n * sizeof *pos);
    while (cut_one_cycle(p, cut, state, stack, pos))
        broken++;
    free(state);
    free(stack);
    free(pos);
    return broken;
}
