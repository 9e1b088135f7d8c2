/* store.h: library-internal access to the SQLite store: transactions, writing a batch of rows,
 * provenance records, meta values and the raw handle that the panel builder reads.
 *
 * Every write goes through omen_store_begin() .. omen_store_commit(); on any error the caller
 * calls omen_store_rollback() and the file is as it was. */
#ifndef OMEN_STORE_STORE_H
#define OMEN_STORE_STORE_H

#include <sqlite3.h>

#include "omen/omen.h"
#include "../util/error.h"
#include "rows.h"

/* One row of the `ingests` provenance table. Strings are borrowed. */
typedef struct {
    const char *source; /* "downloads", "models", ..., "synth" */
    const char *file;   /* path as given, or "(synth)" */
    const char *sha256; /* hex, or NULL */
    uint64_t bytes, rows_read, rows_rejected, rows_written;
    const char *options;  /* e.g. "kind=cumulative skip_bad=1" */
    const char *rejects;  /* newline-separated `file:line: reason`, or NULL */
    const char *unmapped; /* newline-separated `field=value: count` of labels kept as given */
} omen_ingest_record;

sqlite3 *omen_store_db(omen_store *store);
omen_status omen_store_begin(omen_store *store, omen_error *err);
omen_status omen_store_commit(omen_store *store, omen_error *err);
void omen_store_rollback(omen_store *store);

/* Writes the batch inside an open transaction: models upserted (only the fields a row sets),
 * developers, edges, annotations, snapshots and weekly rows upserted; models listed in
 * replace_models lose their stored weekly rows first. Adds to *written the rows that changed. */
omen_status omen_store_write_rows(omen_store *store, const omen_rows *rows,
                                  omen_progress_fn progress, void *progress_ctx, uint64_t *written,
                                  omen_error *err);
/* Inside an open transaction: appends a provenance row. */
omen_status omen_store_record_ingest(omen_store *store, const omen_ingest_record *rec,
                                     omen_error *err);
/* Inside an open transaction: bumps the generation (call when data changed) and sets the
 * synthetic flag when asked. */
omen_status omen_store_touch(omen_store *store, bool synthetic, omen_error *err);

/* Convenience for whole batches (synth): begin, write, record, touch, commit. */
omen_status omen_store_apply(omen_store *store, const omen_rows *rows,
                             const omen_ingest_record *rec, omen_progress_fn progress,
                             void *progress_ctx, uint64_t *written, omen_error *err);

/* One transaction: stores params[i] as the 'estimated' count of model names[i] where the model
 * has no count or an estimate (a safetensors or official count is never replaced). When a row
 * changed, records `rec` in `ingests` and bumps the generation; when none did, the file is left
 * byte for byte as it was. *changed gets the rows changed. */
omen_status omen_store_set_estimated_params(omen_store *store, const char *const *names,
                                            const int64_t *params, size_t n,
                                            const omen_ingest_record *rec, uint64_t *changed,
                                            omen_error *err);

/* Whether the store holds synthetic data (meta `synthetic` = 1). */
bool omen_store_is_synthetic(omen_store *store);

/* ---- snapshot listings (listing_update.c) ---- */

/* Inside or outside a transaction: sets later[id] = 1 (later has rows->names.count bytes) for
 * each model of the batch with a stored cumulative observation after `day`; *n counts them. */
omen_status omen_store_later_snapshots(omen_store *store, const omen_rows *rows, int32_t day,
                                       unsigned char *later, size_t *n, omen_error *err);
/* Inside a transaction: for each model of the batch whose row gives its tags (a Hub listing
 * record) and that skip[] does not mark, deletes its stored edges that the batch does not list
 * again (its base models changed); *deleted counts them. Unchanged edges are not touched. */
omen_status omen_store_replace_edges(omen_store *store, const omen_rows *rows,
                                     const unsigned char *skip, uint64_t *deleted, omen_error *err);

/* ---- cumulative series (snapshots.c) ---- */

/* Reads the stored observations that a re-derivation of one model's flows needs. */
typedef struct omen_snapshot_reader omen_snapshot_reader;
omen_status omen_store_snapshot_reader_open(omen_store *store, omen_snapshot_reader **out,
                                            omen_error *err);
/* The stored observations of `model` (by name) that its flows from day `from` (a Monday) on
 * depend on: *base, the last one before `from` (*has_base false when there is none), and every
 * one on or after `from`, by day, into *after (grown as needed: *cap is its capacity; the caller
 * frees it). */
omen_status omen_store_snapshot_window(omen_snapshot_reader *r, const char *model, int32_t from,
                                       bool *has_base, omen_count_row *base, omen_count_row **after,
                                       size_t *n, size_t *cap, omen_error *err);
void omen_store_snapshot_reader_close(omen_snapshot_reader *r);

/* One snapshot date as `snapshot_days` records it. */
typedef struct {
    bool found;
    int32_t day;
    char sha256[65];
    uint64_t bytes;
    bool stale; /* a copy of the previous listing: its week's downloads are not known */
    char file[1024];
} omen_snapshot_day;
/* The days recorded as stale, ascending (heap array the caller frees). */
omen_status omen_store_stale_days(omen_store *store, int32_t **days, size_t *n, omen_error *err);
/* The record of `day` (before = false), or of the latest day before it (before = true);
 * out->found is false when there is none. */
omen_status omen_store_snapshot_day(omen_store *store, int32_t day, bool before,
                                    omen_snapshot_day *out, omen_error *err);
/* Whether the store holds any cumulative observation. */
bool omen_store_has_snapshots(omen_store *store);
/* Inside a transaction: records (or replaces) the snapshot date d->day. */
omen_status omen_store_record_snapshot_day(omen_store *store, const omen_snapshot_day *d,
                                           uint64_t records, omen_error *err);

/* Meta values (NULL when absent; the returned string is heap-owned by the caller). */
char *omen_store_meta_get(omen_store *store, const char *key);

#endif
