/* rows.h: the batch of validated rows that readers and the synthetic generator produce and that
 * the store writes in one transaction.
 *
 * Models are referred to by an interned name id (batch->names), so a batch with 30 million
 * download rows carries each model id string once. The batch owns everything in it; release
 * it with omen_rows_free(). */
#ifndef OMEN_STORE_ROWS_H
#define OMEN_STORE_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/intern.h"

/* Which optional model fields a row sets; absent fields keep what the store has. */
enum {
    OMEN_MF_DEVELOPER = 1 << 0,
    OMEN_MF_CREATED = 1 << 1,
    OMEN_MF_PIPELINE = 1 << 2,
    OMEN_MF_LIBRARY = 1 << 3,
    OMEN_MF_LICENSE = 1 << 4,
    OMEN_MF_GATED = 1 << 5,
    OMEN_MF_PARAMS = 1 << 6,
    OMEN_MF_BYTES = 1 << 7,
    OMEN_MF_LANGUAGES = 1 << 8,
    OMEN_MF_TAGS = 1 << 9,
    /* Not a field: the row stands for one whose listing text a folder run has already read
     * and found unchanged (reader.h, omen_metadata_seen); it sets nothing. Cleared before any
     * write. */
    OMEN_MF_UNCHANGED = 1 << 30
};

typedef struct {
    uint32_t name;      /* id in rows->names */
    uint32_t fields;    /* OMEN_MF_* set by this row */
    int32_t created;    /* days, OMEN_NO_DATE if unknown */
    int64_t params;     /* parameter count, -1 unknown */
    int64_t file_bytes; /* -1 unknown */
    /* The strings below are ids in rows->strings (UINT32_MAX = none). */
    uint32_t developer, pipeline_tag, library, license, gated, params_source, languages, tags;
    uint64_t line;
} omen_model_row;

typedef struct {
    uint32_t parent, child; /* ids in rows->names */
    uint32_t relation;      /* id in rows->strings */
    uint32_t position;      /* 0 = first listed base model */
    uint64_t line;
} omen_edge_row;

typedef struct {
    uint32_t name;     /* developer name, id in rows->strings */
    uint32_t country;  /* canonical code, id in rows->strings, UINT32_MAX = not given */
    uint32_t org_type; /* id in rows->strings, UINT32_MAX = not given */
    uint32_t display;  /* id in rows->strings, UINT32_MAX = not given */
    uint64_t line;
} omen_developer_row;

typedef struct {
    uint32_t model;        /* id in rows->names */
    uint32_t field, value; /* ids in rows->strings */
    uint32_t source;       /* id in rows->strings: "human" or "heuristic" */
    uint64_t line;
    bool replace; /* the batch's labels of this (model, field, source) are all of them: stored
                   * ones not in the batch are deleted (the wide annotation sheet) */
} omen_annotation_row;

/* A weekly flow (week = Monday) or a cumulative observation (day = observation date). */
typedef struct {
    uint32_t model; /* id in rows->names */
    int32_t day;
    uint64_t count;
} omen_count_row;

typedef struct {
    omen_intern names;   /* model ids */
    omen_intern strings; /* everything else */
    omen_model_row *models;
    size_t nmodels, cap_models;
    omen_edge_row *edges;
    size_t nedges, cap_edges;
    omen_developer_row *developers;
    size_t ndevelopers, cap_developers;
    omen_annotation_row *annotations;
    size_t nannotations, cap_annotations;
    omen_count_row *weekly; /* flows to upsert, one per (model, week), sorted by model id, week */
    size_t nweekly, cap_weekly;
    omen_count_row *snapshots; /* raw cumulative observations to keep */
    size_t nsnapshots, cap_snapshots;
    /* Models whose weekly rows are replaced (cumulative series re-derived): their stored weekly
     * rows from week replace_from[i] on that the batch does not carry are deleted before this
     * batch's rows are written (INT32_MIN: all of them). */
    uint32_t *replace_models;
    int32_t *replace_from;
    size_t nreplace, cap_replace;
    bool synthetic; /* mark the store as holding synthetic data */
} omen_rows;

void omen_rows_init(omen_rows *r);
void omen_rows_free(omen_rows *r);
uint32_t omen_rows_name(omen_rows *r, const char *s, size_t len);
uint32_t omen_rows_str(omen_rows *r, const char *s, size_t len);
omen_model_row *omen_rows_add_model(omen_rows *r);
omen_edge_row *omen_rows_add_edge(omen_rows *r);
omen_developer_row *omen_rows_add_developer(omen_rows *r);
omen_annotation_row *omen_rows_add_annotation(omen_rows *r);
omen_count_row *omen_rows_add_weekly(omen_rows *r);
omen_count_row *omen_rows_add_snapshot(omen_rows *r);
void omen_rows_add_replace(omen_rows *r, uint32_t model);
/* Replaces the model's weekly rows from the week starting on day `from` on. */
void omen_rows_add_replace_from(omen_rows *r, uint32_t model, int32_t from);

#endif
