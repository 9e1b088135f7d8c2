/* panel.h: the columnar in-memory panel that every analysis reads (DESIGN section 1).
 *
 * All strings live in one interned table; models, developers and weekly downloads are dense
 * arrays indexed by small integers. Weekly downloads are model-major (CSR): the weeks of model
 * m are dl_week[dl_off[m] .. dl_off[m+1]) with counts in dl_count. The arrays point into one
 * block, either a heap buffer or the mmapped cache file; the panel owns it. */
#ifndef OMEN_PANEL_PANEL_H
#define OMEN_PANEL_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omen/omen.h"

#define OMEN_NONE UINT32_MAX

enum { OMEN_GATED_UNKNOWN = 0, OMEN_GATED_NO, OMEN_GATED_AUTO, OMEN_GATED_MANUAL };
enum { OMEN_PARAMS_NONE = 0, OMEN_PARAMS_SAFETENSORS, OMEN_PARAMS_ESTIMATED, OMEN_PARAMS_OFFICIAL };

struct omen_panel {
    uint32_t n_models, n_developers, n_strings, n_weeks;
    int32_t first_week; /* day number of week 0's Monday; weeks are consecutive */
    uint64_t nnz, n_parents, n_annotations;
    bool synthetic;
    int64_t generation;
    int schema_version;

    const uint64_t *str_off; /* [n_strings + 1] offsets into str_blob */
    const char *str_blob;

    const uint32_t *model_name;      /* string id */
    const uint32_t *model_developer; /* developer index */
    const int32_t *model_created;    /* day as reported, OMEN_NO_DATE if none */
    const int64_t *model_params;     /* -1 unknown */
    const int64_t *model_file_bytes; /* -1 unknown */
    const uint32_t *model_pipeline, *model_library, *model_license; /* string id or OMEN_NONE */
    const uint8_t *model_gated, *model_params_source;
    const uint8_t *model_flags; /* OMEN_MODEL_* */

    const uint32_t *dev_name;     /* string id */
    const uint32_t *dev_country;  /* string id of the canonical code, OMEN_NONE if not given */
    const uint32_t *dev_org_type; /* string id, OMEN_NONE if not given */

    const uint64_t *parent_off;      /* [n_models + 1] */
    const uint32_t *parent_model;    /* model index, in position order */
    const uint32_t *parent_relation; /* string id */

    const uint64_t *annot_off;   /* [n_models + 1] */
    const uint32_t *annot_field; /* string id */
    const uint32_t *annot_value; /* string id */
    const uint8_t *annot_heuristic;

    const uint64_t *dl_off; /* [n_models + 1] */
    const uint16_t *dl_week;
    const uint64_t *dl_count;

    /* Per-model facts (see omen_panel_model_facts), stored in the cache; NULL in a panel put
     * together by hand, where the engine computes them. */
    const uint64_t *model_total;      /* all downloads of the model */
    const int32_t *model_created_eff; /* effective created date, OMEN_NO_DATE if none */
    const uint8_t *model_created_src; /* 0 none, 1 reported, 2 first download week */

    /* The root of each model along first base models and the cycles cut to find them (see
     * omen_panel_first_roots), stored in the cache; NULL in a panel put together by hand. */
    const uint32_t *model_root_first;
    uint64_t first_cycles;

    /* The week-major index of the downloads (see omen_week_index), stored in the cache; all
     * NULL in a panel put together by hand, where the engine builds it. */
    const uint32_t *wk_order;  /* [n_models] */
    const int32_t *wk_created; /* [n_models] */
    const uint64_t *wk_off;    /* [n_weeks + 1] */
    const uint32_t *wk_rank, *wk_count;
    uint64_t wk_nnz;

    void *block; /* owned: heap buffer or mapping */
    size_t block_len;
    bool mapped;
};

enum { OMEN_MODEL_IN_STORE = 1 /* has a models row with metadata, not only a reference */ };

static inline const char *omen_panel_str(const omen_panel *p, uint32_t id)
{
    return id == OMEN_NONE ? "" : p->str_blob + p->str_off[id];
}

/* Builds the serialised panel block from the store (heap buffer the caller frees). */
omen_status omen_panel_build_block(omen_store *store, omen_progress_fn progress, void *ctx,
                                   void **block, size_t *len, omen_error *err);
/* A 64-bit checksum of a serialised block (its header's checksum field counts as zero), so
 * that a cache corrupted where no range check can see it (a count, a date) is not trusted. */
uint64_t omen_panel_checksum(const void *block, size_t len);
/* The facts every query needs per model: its total downloads and its effective created date,
 * min(reported created date, Monday of the first week with downloads > 0) (DESIGN section 5),
 * with the source of that date (0 none, 1 reported, 2 first download week). Computed when the
 * block is built; the engine reads them from the panel. */
void omen_panel_model_facts(const uint64_t *dl_off, const uint16_t *dl_week,
                            const uint64_t *dl_count, const int32_t *created, int32_t first_week,
                            size_t n_models, uint64_t *total, int32_t *created_eff,
                            uint8_t *created_src);
/* The one rule for derivation chains and cycles (roots.c): a chain ends at a model without a
 * base model, and a cycle is cut at its model of smallest id, which becomes a root.
 * omen_panel_cut_before says whether model a comes before model b in that order (bytewise ids). */
bool omen_panel_cut_before(const omen_panel *p, uint32_t a, uint32_t b);
/* The root of every model when each follows its first base model (Recursive Model Attribution,
 * `first` policy): root[m], with each cycle cut. Returns the number of cycles cut. */
uint64_t omen_panel_first_roots(const omen_panel *p, uint32_t *root);
/* The panel's first-base-model roots: the cache's (*owned false), or computed on the heap
 * (*owned true: the caller frees them); *cycles receives the number of cycles cut. */
const uint32_t *omen_panel_first_roots_of(const omen_panel *p, uint64_t *cycles, bool *owned);
/* The first base model to follow from m, given the roots above, or OMEN_NONE when m has no
 * base model or m's chain is cut here (m is the model its cycle was cut at). */
uint32_t omen_panel_first_base(const omen_panel *p, const uint32_t *root, uint32_t m);
/* Every base model followed (the `split` policy): sets cut[m] to 1 for each model where a cycle
 * is cut, until no cycle is left; cut[] (n_models, zeroed by the caller) then marks the models
 * treated as roots. Returns the number of cycles cut. */
size_t omen_panel_cut_cycles(const omen_panel *p, uint8_t *cut);

/* The week-major index: the downloads again, week by week, so that a query reads only the rows
 * that its Rolling Window Filter keeps. Models are ranked by effective created date, newest
 * first (models with no date first of all, then by index); order[r] is the model of rank r and
 * created[r] its date (read in rank order where a query would jump between models).
 * The rows of week w with downloads > 0 are rank[off[w] .. off[w+1]) in increasing rank, with
 * their counts in count, saturated at UINT32_MAX (omen_week_count reads the full count then).
 * Since a row counts under the filter when its model was created less than DAYS before the
 * week's Monday, the rows kept are a prefix of each week's rows. */
typedef struct {
    uint32_t *order;  /* [n_models] */
    int32_t *created; /* [n_models] the effective created date of the model of each rank */
    uint64_t *off;    /* [n_weeks + 1] */
    uint32_t *rank;   /* [nnz] */
    uint32_t *count;  /* [nnz] */
    uint64_t nnz;
} omen_week_index;

/* The rows of the index: downloads rows with a count > 0. */
uint64_t omen_week_index_rows(const uint64_t *dl_count, uint64_t nnz);
/* Fills an index whose arrays the caller has sized (n_models twice, n_weeks + 1 and
 * omen_week_index_rows entries twice). */
void omen_week_index_fill(const uint64_t *dl_off, const uint16_t *dl_week, const uint64_t *dl_count,
                          const int32_t *created_eff, size_t n_models, size_t n_weeks,
                          omen_week_index *out);
/* The panel's index, borrowed from its cache (*owned false) or built on the heap (*owned true:
 * release with omen_week_index_free). */
void omen_week_index_of(const omen_panel *p, const int32_t *created_eff, omen_week_index *out,
                        bool *owned);
void omen_week_index_free(omen_week_index *w);
/* The full count of row i of week w when count[i] is saturated. */
uint64_t omen_week_count(const omen_panel *p, const omen_week_index *w, uint64_t i, size_t week);

/* Points the panel's arrays into a block after checking it completely, checksum included;
 * false if the block is malformed in any way (the caller rebuilds). */
bool omen_panel_attach(omen_panel *p, void *block, size_t len);
/* Identity of the store that a cache must match. */
typedef struct {
    char store_id[40];
    int64_t generation;
    int64_t db_size, db_mtime_ns;
} omen_panel_stamp;
omen_status omen_panel_stamp_of(omen_store *store, omen_panel_stamp *stamp, omen_error *err);

/* What `omen info` says of the store itself, beside what the panel holds (info.c): its path
 * (borrowed from the store) and its developer rows, what `omen ingest developers` loaded with
 * or without models yet (the panel holds only the developers its models name); -1 when the
 * store cannot say. One read-only count on the store's connection. */
typedef struct {
    const char *path;
    int64_t developer_rows;
} omen_panel_store_info;
void omen_panel_store_info_of(omen_store *store, omen_panel_store_info *out);

#endif
