/* info_table.c: `omen info` as a result table, the one place that says which facts of a store
 * `omen info` prints and the server's /api/meta sends (panel/info.c computes them). */
#include <stdint.h>

#include "../panel/panel.h"
#include "omen/omen.h"

/* The columns, in the order `omen info` prints them. */
enum {
    MODELS,
    DEVELOPERS,
    WEEKS,
    FIRST_WEEK,
    LAST_WEEK,
    DOWNLOADS,
    SYNTHETIC,
    DEVELOPERS_WITH_COUNTRY,
    DEVELOPER_ROWS,
    SHARE_MAPPED,
    SHARE_CREATED,
    SHARE_PARAMS,
    SHARE_DERIVED,
    SHARE_ANNOTATED,
    EDGES,
    ANNOTATIONS,
    GENERATION,
    SCHEMA_VERSION,
    STORE,
    NCOLS
};

static const struct {
    const char *name;
    omen_col_type type;
} columns[NCOLS] = {
    [MODELS] = {"models", OMEN_COL_INT},
    [DEVELOPERS] = {"developers", OMEN_COL_INT},
    [WEEKS] = {"weeks", OMEN_COL_INT},
    [FIRST_WEEK] = {"first_week", OMEN_COL_DATE},
    [LAST_WEEK] = {"last_week", OMEN_COL_DATE},
    [DOWNLOADS] = {"downloads", OMEN_COL_INT},
    [SYNTHETIC] = {"synthetic", OMEN_COL_BOOL},
    [DEVELOPERS_WITH_COUNTRY] = {"developers_with_country", OMEN_COL_INT},
    [DEVELOPER_ROWS] = {"developer_rows", OMEN_COL_INT},
    [SHARE_MAPPED] = {"share_downloads_country_mapped", OMEN_COL_REAL},
    [SHARE_CREATED] = {"share_models_created", OMEN_COL_REAL},
    [SHARE_PARAMS] = {"share_models_params", OMEN_COL_REAL},
    [SHARE_DERIVED] = {"share_models_derived", OMEN_COL_REAL},
    [SHARE_ANNOTATED] = {"share_models_annotated", OMEN_COL_REAL},
    [EDGES] = {"edges", OMEN_COL_INT},
    [ANNOTATIONS] = {"annotations", OMEN_COL_INT},
    [GENERATION] = {"generation", OMEN_COL_INT},
    [SCHEMA_VERSION] = {"schema_version", OMEN_COL_INT},
    [STORE] = {"store", OMEN_COL_TEXT},
};

static void set_date(omen_table *t, size_t col, int32_t days)
{
    if (days != INT32_MIN) /* no downloads: NULL */
        omen_table_set_date(t, 0, col, days);
}

omen_table *omen_info_table(const omen_panel *panel, omen_store *store)
{
    omen_info in;
    omen_info_compute(panel, &in);
    omen_table *t = omen_table_new("info");
    for (size_t c = 0; c < NCOLS; c++)
        omen_table_add_column(t, columns[c].name, columns[c].type);
    omen_table_add_row(t);
    omen_table_set_int(t, 0, MODELS, (int64_t)in.models);
    omen_table_set_int(t, 0, DEVELOPERS, (int64_t)in.developers);
    omen_table_set_int(t, 0, WEEKS, (int64_t)in.weeks);
    set_date(t, FIRST_WEEK, in.first_week);
    set_date(t, LAST_WEEK, in.last_week);
    omen_table_set_int(t, 0, DOWNLOADS, (int64_t)in.downloads);
    omen_table_set_bool(t, 0, SYNTHETIC, in.synthetic);
    omen_table_set_int(t, 0, DEVELOPERS_WITH_COUNTRY, (int64_t)in.developers_with_country);
    omen_table_set_real(t, 0, SHARE_MAPPED, in.share_downloads_country_mapped);
    omen_table_set_real(t, 0, SHARE_CREATED, in.share_created);
    omen_table_set_real(t, 0, SHARE_PARAMS, in.share_params);
    omen_table_set_real(t, 0, SHARE_DERIVED, in.share_derived);
    omen_table_set_real(t, 0, SHARE_ANNOTATED, in.share_annotated);
    omen_table_set_int(t, 0, EDGES, (int64_t)in.edges);
    omen_table_set_int(t, 0, ANNOTATIONS, (int64_t)in.annotations);
    omen_table_set_int(t, 0, GENERATION, in.generation);
    omen_table_set_int(t, 0, SCHEMA_VERSION, in.schema_version);
    if (store) {
        omen_panel_store_info st;
        omen_panel_store_info_of(store, &st);
        omen_table_set_int(t, 0, DEVELOPER_ROWS, st.developer_rows >= 0 ? st.developer_rows : 0);
        omen_table_set_text(t, 0, STORE, st.path);
    }
    return t;
}
