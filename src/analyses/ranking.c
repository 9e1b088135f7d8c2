/* ranking.c: sorting a period's entities by downloads (see ranking.h). */
#include "ranking.h"

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
