/* info.c: `omen info`: what the panel holds, in one pass over its arrays. */
#include <string.h>

#include "../util/dates.h"
#include "panel.h"

void omen_info_compute(const omen_panel *p, omen_info *out)
{
    memset(out, 0, sizeof *out);
    out->models = p->n_models;
    out->developers = p->n_developers;
    out->weeks = p->nnz ? p->n_weeks : 0;
    out->first_week = p->nnz ? p->first_week : OMEN_NO_DATE;
    out->last_week = p->nnz ? p->first_week + 7 * (int32_t)(p->n_weeks - 1) : OMEN_NO_DATE;
    out->edges = p->n_parents;
    out->annotations = p->n_annotations;
    out->synthetic = p->synthetic;
    out->generation = p->generation;
    out->schema_version = p->schema_version;
    uint64_t created = 0, params = 0, derived = 0, annotated = 0, mapped = 0;
    for (uint32_t d = 0; d < p->n_developers; d++)
        out->developers_with_country += p->dev_country[d] != OMEN_NONE;
    for (uint32_t m = 0; m < p->n_models; m++) {
        uint64_t sum = 0;
        for (uint64_t i = p->dl_off[m]; i < p->dl_off[m + 1]; i++)
            sum += p->dl_count[i];
        out->downloads += sum;
        if (p->dev_country[p->model_developer[m]] != OMEN_NONE)
            mapped += sum;
        created += p->model_created[m] != OMEN_NO_DATE;
        params += p->model_params[m] >= 0;
        derived += p->parent_off[m + 1] > p->parent_off[m];
        annotated += p->annot_off[m + 1] > p->annot_off[m];
    }
    double n = p->n_models ? (double)p->n_models : 1.0;
    out->share_created = (double)created / n;
    out->share_params = (double)params / n;
    out->share_derived = (double)derived / n;
    out->share_annotated = (double)annotated / n;
    out->share_downloads_country_mapped =
        out->downloads ? (double)mapped / (double)out->downloads : 0.0;
}
