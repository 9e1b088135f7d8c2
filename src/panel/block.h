/* block.h: the layout of a serialised panel: a fixed header, then 64-byte aligned sections.
 * The same bytes are the panel cache file, so a cache loads with one mmap. */
#ifndef OMEN_PANEL_BLOCK_H
#define OMEN_PANEL_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "omen/omen.h"

#define OMEN_BLOCK_MAGIC   "OMENPNL"
#define OMEN_BLOCK_VERSION 5 /* 3: per-model facts; 4: week-major index, roots; 5: sum[] */

enum {
    S_STR_OFF,
    S_STR_BLOB,
    S_M_NAME,
    S_M_DEV,
    S_M_CREATED,
    S_M_PARAMS,
    S_M_BYTES,
    S_M_PIPE,
    S_M_LIB,
    S_M_LIC,
    S_M_GATED,
    S_M_PSRC,
    S_M_FLAGS,
    S_D_NAME,
    S_D_COUNTRY,
    S_D_ORG,
    S_P_OFF,
    S_P_MODEL,
    S_P_REL,
    S_A_OFF,
    S_A_FIELD,
    S_A_VALUE,
    S_A_HEUR,
    S_DL_OFF,
    S_DL_WEEK,
    S_DL_COUNT,
    S_F_TOTAL,   /* per-model facts, derived from the sections above at build time so that a */
    S_F_CREATED, /* query does not read every download to find them (omen_panel_model_facts) */
    S_F_SRC,
    S_W_ORDER, /* the week-major index (weeks.c), derived from the sections above as well: */
    S_W_OFF,   /* with it a query reads, per week, only the rows the Rolling Window Filter */
    S_W_RANK,  /* keeps */
    S_W_COUNT,
    S_F_ROOT,    /* the root of each model along first base models (roots.c) */
    S_W_CREATED, /* the week-major index's created dates by rank */
    S_COUNT
};

typedef struct {
    char magic[8];
    uint32_t version, header_size;
    char store_id[40];
    int64_t generation, db_size, db_mtime_ns;
    uint64_t total_size;
    uint32_t n_models, n_developers, n_strings, n_weeks;
    int32_t first_week;
    uint32_t synthetic;
    int32_t schema_version, pad;
    uint64_t nnz, n_parents, n_annotations, str_bytes;
    uint64_t nnz_week;     /* rows of the week-major index: the downloads rows with a count > 0 */
    uint64_t first_cycles; /* cycles cut to find the roots of S_F_ROOT */
    uint64_t checksum;     /* omen_panel_checksum() of the whole block, this field taken as 0 */
    uint64_t off[S_COUNT], len[S_COUNT];
    /* omen_panel_section_sum of each section: every load verifies them (two threads, each
     * section's sum fused with its range checks), so a cache changed with its seal kept is
     * caught without the full check; the block's checksum covers them with the header. */
    uint64_t sum[S_COUNT];
} omen_block_header;

/* A panel built from the store in parts (build.c): the header, sealed with the checksum of the
 * block as it will be laid out, and each section's bytes in an array of its own. The cache
 * file is written from the parts directly (panel.c), with no copy of the whole block in
 * memory; omen_panel_parts_block copies them into one heap block. The parts own their arrays:
 * omen_panel_parts_free (NULL-safe) releases them. */
typedef struct omen_panel_parts omen_panel_parts;
omen_status omen_panel_build_parts(omen_store *store, omen_progress_fn progress, void *ctx,
                                   omen_panel_parts **out, omen_error *err);
const omen_block_header *omen_panel_parts_header(const omen_panel_parts *pp);
/* Section k's bytes: h->len[k] of them, to be laid out at h->off[k]. */
const void *const *omen_panel_parts_sections(const omen_panel_parts *pp);
/* The block laid out on the heap (the caller frees it); its length is the header's total_size. */
void omen_panel_parts_block(const omen_panel_parts *pp, void **block, size_t *len);
void omen_panel_parts_free(omen_panel_parts *pp);
/* The checksum of one section's len bytes (the multiply-xorshift lanes of omen_panel_checksum,
 * the last chunk padded with zeros, finished with len). */
uint64_t omen_panel_section_sum(const void *section, size_t len);
/* omen_panel_checksum of the block that h and its sections lay out, without laying it out. */
uint64_t omen_panel_checksum_parts(const omen_block_header *h, const void *const src[S_COUNT]);

#endif
