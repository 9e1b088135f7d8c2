/* folder.h: a folder of dated Hub listings (hfmlsoc/hub_weekly_snapshots' layout, or a flat
 * folder of <date>.parquet / .jsonl files) as the list of snapshots to ingest, in date order. */
#ifndef OMEN_INGEST_FOLDER_H
#define OMEN_INGEST_FOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omen/omen.h"

/* One listing of the folder: its date comes from its path. */
typedef struct {
    char *path;
    int32_t day;
    uint64_t bytes;
    char sha256[65]; /* "" until omen_snapshot_file_hash() */
    bool skip;       /* already in the store, same file */
} omen_snapshot_file;

/* Whether path names a directory. */
bool omen_is_folder(const char *path);

/* Lists the dated listings under dir, sorted by date: `dir/models/<YYYY-MM-DD>/models.parquet`,
 * `dir/<YYYY-MM-DD>/<one listing>` or `dir/<YYYY-MM-DD>.<parquet|jsonl|json|csv>[.gz]`.
 * A dated folder with no listing in it, a folder or data file whose name is not a date, two
 * listings of one date, an unreadable file and a Parquet file cut short (no closing magic) are
 * errors naming the path (bad input, or I/O for an unreadable file), found before anything is
 * read; other files (a README) are listed in *notes with the gaps between dates. *files and
 * *notes are heap-owned by the caller (omen_snapshot_folder_free, free). */
omen_status omen_snapshot_folder_list(const char *dir, omen_snapshot_file **files, size_t *n,
                                      char **notes, omen_error *err);
/* Fills f->sha256 from the file (once). */
omen_status omen_snapshot_file_hash(omen_snapshot_file *f, omen_error *err);
void omen_snapshot_folder_free(omen_snapshot_file *files, size_t n);

/* Ingests every listing of the folder that the store does not have yet, in date order, in one
 * transaction (ingest.c). */
omen_status omen_ingest_snapshot_folder(omen_store *st, const omen_ingest_options *opt,
                                        const char *dir, omen_ingest_report *rep, omen_error *err);

#endif
