/* ranking.h: entities of one period ranked by downloads, shared by the shares, leaderboard and
 * map analyses. Ties rank by name so the order is the same on every machine. */
#ifndef OMEN_ANALYSES_RANKING_H
#define OMEN_ANALYSES_RANKING_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/engine.h"

typedef struct {
    uint32_t id;
    double amount;
} omen_ranked;

/* Copies the period's entities and sorts them by amount, largest first, ties by name. The
 * caller frees the returned array. *total gets the sum of all amounts. */
omen_ranked *omen_rank_entities(const omen_agg *a, const uint32_t *ids, const double *amounts,
                                size_t n, double *total);
/* The top k of the period only (all n when k >= n), in the same order; *rest gets the sum of
 * the others' amounts, largest first (as summing a full ranking's tail). The caller frees the
 * returned array, which holds min(k, n) entries. */
omen_ranked *omen_rank_top(const omen_agg *a, const uint32_t *ids, const double *amounts, size_t n,
                           size_t k, double *total, double *rest);
/* Adds the `country` and `org_type` columns' values for an entity of the model or developer
 * levels (empty for other levels). */
void omen_rank_entity_origin(const omen_panel *p, const omen_agg *a, uint32_t id,
                             const char **country, const char **org_type);

#endif
