/* info.c: `omen info`: what the panel holds, in one pass over its arrays, and the one fact
 * the panel cannot know (the store's developer rows). engine/info_table.c makes the table. */
#include <sqlite3.h>
#include <string.h>

#include "../store/store.h"
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

void omen_panel_store_info_of(omen_store *store, omen_panel_store_info *out)
{
    sqlite3_stmt *st = NULL;
    out->path = omen_store_path(store);
    out->developer_rows = -1;
    if (sqlite3_prepare_v2(omen_store_db(store), "SELECT count(*) FROM developers", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        out->developer_rows = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
}
