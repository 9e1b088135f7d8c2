/* levels.c: the entities a query's downloads are credited to, by level (DESIGN.md section 5).
 *
 * At the model and developer levels an entity is a model or a developer of the panel; at the
 * country and org type levels, a value of the developer's column ("UNKNOWN" or "unknown" when it
 * has none); for an annotation field, each value the field takes ("(none)" for a model without
 * one), a model with several values crediting each equally. The entity_map built here says, for
 * every model, which entities receive what it is credited; omen_agg's names name them. */
#include <stdlib.h>
#include <string.h>

#include "../util/arena.h"
#include "../util/error.h"
#include "aggregate_internal.h"

/* The entity named name (string string_id of the panel, or OMEN_NONE for a name omen adds),
 * added when new. */
static uint32_t intern_name(omen_agg *a, const char *name, uint32_t *ids_by_string,
                            uint32_t string_id, size_t *cap)
{
    if (string_id != OMEN_NONE && ids_by_string[string_id] != OMEN_NONE)
        return ids_by_string[string_id];
    for (size_t e = 0; e < a->nentities; e++)
        if (strcmp(a->names[e], name) == 0)
            return (uint32_t)e;
    if (a->nentities == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        a->names = omen_xrealloc(a->names, *cap * sizeof *a->names);
    }
    a->names[a->nentities] = name;
    if (string_id != OMEN_NONE)
        ids_by_string[string_id] = (uint32_t)a->nentities;
    return (uint32_t)a->nentities++;
}

/* The model and developer levels: one entity per model or developer, named from the panel. With
 * named false (measured delivery: no ids, so nothing to name) they skip their names, model-sized
 * arrays that a concentration series never reads. */
static void name_models_or_developers(const omen_panel *p, omen_agg *a, bool named)
{
    omen_arena *mem = &a->mem;
    bool model = a->level == OMEN_LEVEL_MODEL;
    a->nentities = model ? p->n_models : p->n_developers;
    a->names_in_mem = true;
    if (named) {
        a->names = omen_arena_take(mem, (a->nentities ? a->nentities : 1) * sizeof *a->names);
        a->developer =
            omen_arena_take(mem, (a->nentities ? a->nentities : 1) * sizeof *a->developer);
    }
    for (size_t e = 0; e < a->nentities && named; e++) {
        a->names[e] = omen_panel_str(p, model ? p->model_name[e] : p->dev_name[e]);
        a->developer[e] = model ? p->model_developer[e] : (uint32_t)e;
    }
}

/* Every level but an annotation field: one entity per model. */
static void map_single(const omen_panel *p, omen_agg *a, entity_map *em, bool named)
{
    omen_arena *mem = &a->mem;
    size_t n = p->n_models, cap = 0;
    /* One entity per model with weight 1: no offsets or weights (off and weight stay NULL),
     * which spares a query two model-sized arrays to fill and read at random. */
    em->off = NULL;
    em->weight = NULL;
    em->borrowed = true; /* the panel's (developer level) or the arena's */
    em->id = a->level == OMEN_LEVEL_DEVELOPER
                 ? (uint32_t *)(uintptr_t)p->model_developer /* read-only */
                 : omen_arena_take(mem, (n ? n : 1) * sizeof *em->id);
    uint32_t *by_string = NULL;
    if (a->level != OMEN_LEVEL_MODEL && a->level != OMEN_LEVEL_DEVELOPER) {
        by_string = omen_xmalloc((p->n_strings ? p->n_strings : 1) * sizeof *by_string);
        memset(by_string, 0xff, (p->n_strings ? p->n_strings : 1) * sizeof *by_string);
    }
    if (a->level == OMEN_LEVEL_MODEL || a->level == OMEN_LEVEL_DEVELOPER)
        name_models_or_developers(p, a, named);
    for (size_t m = 0; m < n && a->level != OMEN_LEVEL_DEVELOPER; m++) {
        uint32_t d = p->model_developer[m], e;
        if (a->level == OMEN_LEVEL_MODEL) {
            e = (uint32_t)m;
        } else if (a->level == OMEN_LEVEL_DEVELOPER) {
            e = d;
        } else {
            uint32_t s = a->level == OMEN_LEVEL_COUNTRY ? p->dev_country[d] : p->dev_org_type[d];
            const char *none = a->level == OMEN_LEVEL_COUNTRY ? "UNKNOWN" : "unknown";
            e = intern_name(a, s == OMEN_NONE ? none : omen_panel_str(p, s), by_string, s, &cap);
        }
        em->id[m] = e;
    }
    free(by_string);
}

/* An annotation field: each model credits the values of the field it has, equally, or "(none)"
 * when it has none. */
static void map_field(const omen_panel *p, const char *field, omen_agg *a, entity_map *em)
{
    size_t n = p->n_models, cap = 0, at = 0, room = n + p->n_annotations + 1;
    em->off = omen_xmalloc((n + 1) * sizeof *em->off);
    em->borrowed = false;
    em->id = omen_xmalloc(room * sizeof *em->id);
    em->weight = omen_xmalloc(room * sizeof *em->weight);
    uint32_t *by_string = omen_xmalloc((p->n_strings ? p->n_strings : 1) * sizeof *by_string);
    memset(by_string, 0xff, (p->n_strings ? p->n_strings : 1) * sizeof *by_string);
    for (size_t m = 0; m < n; m++) {
        em->off[m] = at;
        for (uint64_t i = p->annot_off[m]; i < p->annot_off[m + 1]; i++) {
            if (strcmp(omen_panel_str(p, p->annot_field[i]), field) != 0)
                continue;
            uint32_t v = p->annot_value[i];
            uint32_t e = intern_name(a, omen_panel_str(p, v), by_string, v, &cap);
            bool seen = false;
            for (size_t j = em->off[m]; j < at; j++)
                seen |= em->id[j] == e;
            if (!seen)
                em->id[at++] = e;
        }
        if (at == em->off[m])
            em->id[at++] = intern_name(a, "(none)", by_string, OMEN_NONE, &cap);
        for (size_t j = em->off[m]; j < at; j++)
            em->weight[j] = 1.0 / (double)(at - em->off[m]);
    }
    em->off[n] = at;
    free(by_string);
}

void agg_entity_map_build(const omen_panel *p, const omen_query *q, omen_agg *a, entity_map *em,
                          bool named)
{
    if (q->level == OMEN_LEVEL_FIELD)
        map_field(p, q->field, a, em);
    else
        map_single(p, a, em, named);
}

void agg_entity_map_free(entity_map *em)
{
    free(em->off);
    if (!em->borrowed)
        free(em->id);
    free(em->weight);
}
