/* labels.h: what `omen annotate` reads from and writes to the store: each model's Hub metadata
 * (with its base models), the human labels, and the replacement of the heuristic labels.
 *
 * Strings handed to callbacks live only during the call; arrays returned through `out` belong
 * to the caller and are released with omen_label_rows_free(). */
#ifndef OMEN_STORE_LABELS_H
#define OMEN_STORE_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One model's Hub metadata as stored; NULL where the store has nothing. Lists (languages,
 * tags, license) are ';'-separated. base_ids[i] was derived by base_rel[i], in position order. */
typedef struct {
    int64_t id;
    const char *name, *pipeline_tag, *library, *license, *gated, *languages, *tags;
    size_t nbase;
    const char *const *base_ids;
    const char *const *base_rel;
} omen_model_meta;

/* Calls fn for every model that has any Hub metadata or a base model, in id order; fn returns
 * false to stop. */
omen_status omen_store_each_model_meta(omen_store *st,
                                       bool (*fn)(void *ctx, const omen_model_meta *m), void *ctx,
                                       omen_error *err);

/* A label of one model: field is an index into omen_taxonomy_fields(); value is heap-owned. */
typedef struct {
    int64_t model;
    uint32_t field;
    char *value;
} omen_label_row;

void omen_label_rows_free(omen_label_row *rows, size_t n);

/* The stored labels of a source ("human" or "heuristic"), sorted by model, field, value. */
omen_status omen_store_labels(omen_store *st, const char *source, omen_label_row **out, size_t *n,
                              omen_error *err);

/* Inside an open transaction: makes the stored heuristic labels exactly rows[0..n) (removing
 * the others, adding the missing ones, so an unchanged set writes nothing). The caller has
 * already dropped the (model, field) pairs that carry human labels. */
omen_status omen_store_replace_heuristics(omen_store *st, const omen_label_row *rows, size_t n,
                                          uint64_t *added, uint64_t *removed, omen_error *err);

#endif
