/* lineage.h: the first-parent derivation forest shared by `omen derivations` and `omen
 * intermediaries`: each model's first base model, its depth (derivation steps to its root) and
 * its relation to that parent, with chains ended and cycles cut by the panel's one rule
 * (src/panel/roots.c), as recursive attribution ends and cuts them. */
#ifndef OMEN_ANALYSES_LINEAGE_H
#define OMEN_ANALYSES_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

#include "../panel/panel.h"

#define OMEN_LINEAGE_MAX_RELATIONS 255

typedef struct {
    uint32_t *parent; /* first base model, OMEN_NONE for a root (or a model cut from a cycle) */
    uint32_t *depth;  /* derivation steps from the model to its root; 0 for a root */
    uint8_t *rel;     /* relation to the parent: index into rel_name; 0 = "(none)" for roots */
    const char *rel_name[OMEN_LINEAGE_MAX_RELATIONS + 1]; /* point into the panel */
    size_t nrel;                                          /* including "(none)" at 0 */
    size_t cycles_broken;
    uint32_t max_depth;
} omen_lineage;

/* Fills l for every model of the panel. A model's parent is omen_panel_first_base(): none for
 * the model a cycle of first base models is cut at, which becomes a root. Relations beyond the
 * 255th distinct name count as "other". l owns its arrays; release with omen_lineage_free(). */
void omen_lineage_compute(const omen_panel *p, omen_lineage *l);
void omen_lineage_free(omen_lineage *l);
/* The index of a relation name, or 0 when no model has it. */
uint8_t omen_lineage_rel_find(const omen_lineage *l, const char *name);

#endif
