/* sizes_apply.c: `omen sizes estimate --apply`: the estimate of every model with file bytes
 * and no reported count (the sizes analysis, src/analyses/sizes.c), written to the store in one
 * transaction. Curation, not an analysis: analyses never write the store. */
#include <stdio.h>
#include <stdlib.h>

#include "../store/store.h"
#include "../util/error.h"
#include "../analyses/sizes.h"

omen_status omen_sizes_apply(omen_store *store, const omen_panel *p, const omen_query *q,
                             omen_table **out, uint64_t *changed, omen_error *err)
{
    omen_table *t = NULL;
    omen_sizes_model fit;
    omen_status st = omen_sizes_fit(p, q->seed, &fit, err);
    if (st == OMEN_OK)
        st = omen_sizes_estimate(p, q, &t, err);
    if (st != OMEN_OK)
        return st;
    size_t n = p->n_models ? p->n_models : 1, k = 0;
    const char **names = omen_xmalloc(n * sizeof *names);
    int64_t *params = omen_xmalloc(n * sizeof *params);
    for (uint32_t m = 0; m < p->n_models; m++) {
        if (!omen_sizes_estimable(p, m))
            continue;
        names[k] = omen_panel_str(p, p->model_name[m]);
        params[k++] = omen_sizes_predict(&fit, p->model_file_bytes[m]);
    }
    char opts[160];
    snprintf(opts, sizeof opts, "seed=%llu slope=%.17g intercept=%.17g",
             (unsigned long long)q->seed, fit.slope, fit.intercept);
    omen_ingest_record rec = {
        "sizes-estimate", "(omen sizes estimate --apply)", NULL, 0, k, 0, 0, opts, NULL, NULL};
    uint64_t c = 0;
    st = omen_store_set_estimated_params(store, names, params, k, &rec, &c, err);
    free(names);
    free(params);
    if (st != OMEN_OK) {
        omen_table_free(t);
        return st;
    }
    omen_table_meta_int(t, "applied_models", (int64_t)k);
    omen_table_meta_int(t, "applied_changed", (int64_t)c);
    if (changed)
        *changed = c;
    *out = t;
    return OMEN_OK;
}
