/* traits.h: the values of one characteristic that each model carries, for the attributes,
 * trends and modalities analyses: annotation fields (human labels win over heuristic ones per
 * model and field), the developer's organisation type, the license class with its fallback on
 * the Hub license id, and the paper's modality groups (docs/methodology.md). */
#ifndef OMEN_ANALYSES_TRAITS_H
#define OMEN_ANALYSES_TRAITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../panel/panel.h"

#define OMEN_TRAIT_NONE "(none)"

/* CSR over models: the values of model m are value[off[m] .. off[m+1]), distinct, never empty
 * (a model without a label carries OMEN_TRAIT_NONE, or the field's own word for it). Owns all
 * its arrays and names; release with omen_traits_free(). */
typedef struct {
    const char *field;
    size_t nvalues;
    char **names; /* value id -> name */
    uint64_t *off;
    uint32_t *value;
} omen_traits;

enum {
    OMEN_TRAITS_PAPER_GROUPS = 1, /* add the paper's merged rows ("LSTM / GRU", ...) */
    OMEN_TRAITS_COMBINE = 2       /* one value per model: its labels joined by " + " */
};

/* Whether `field` is one these analyses know: an annotation field, org_type or modality. */
bool omen_traits_known(const char *field);
/* Builds the values of `field` (omen_traits_known) for every model. */
void omen_traits_build(const omen_panel *p, const char *field, int flags, omen_traits *t);
void omen_traits_free(omen_traits *t);

/* One value's downloads in a period (omen_traits_tally). */
typedef struct {
    double amount;
    uint32_t value;
} omen_trait_tally;

/* A period of the trends and modalities analyses: sums the entities' amounts (model ids) by the
 * values their models carry into acc ([nvalues] zeros, left zero again) and lists the values
 * with downloads in order ([nvalues]), largest first and ties by name. Returns how many;
 * *total gets the period's downloads. */
size_t omen_traits_tally(const omen_traits *t, const uint32_t *ids, const double *amounts, size_t n,
                         double *acc, omen_trait_tally *order, double *total);

/* The fields of Table 1 in the paper's order, NULL-terminated, and the paper's group of each
 * ("Organizations", "Model Access", "Model Modality", "Model Attributes"). */
const char *const *omen_traits_fields(void);
const char *omen_traits_group(const char *field);
int omen_traits_group_rank(const char *field);

#endif
