/* roots.c: the root of every model along first base models (Recursive Model Attribution under
 * the `first` merge policy, DESIGN section 5), stored in the panel cache.
 *
 * With one base model per step the derivation graph is functional: its cycles are disjoint, so
 * each is cut once at its smallest model (by name), as the general DFS of the engine cuts it,
 * and one walk per model up to a known root gives every root in linear time. The roots depend
 * on the edges alone, not on any query, so the cache holds them: a full-scale query spent a
 * tenth of its time on this walk. */
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "panel.h"

static int name_cmp(const omen_panel *p, uint32_t a, uint32_t b)
{
    return strcmp(omen_panel_str(p, p->model_name[a]), omen_panel_str(p, p->model_name[b]));
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
                    if (name_cmp(p, path[i], r) < 0)
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
