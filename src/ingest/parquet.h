/* parquet.h: Parquet input through DuckDB's C API (libduckdb, optional at build time).
 *
 * A Parquet file is turned into CSV text block by block (lists joined by ';', struct fields
 * flattened to `parent.child` columns, newlines inside values replaced by spaces), so every
 * reader validates Parquet and CSV the same way. Data row N of the Parquet file is line N + 1 of
 * that text; omen_parquet_diag_rows() rewrites messages to say `file:row N:`. */
#ifndef OMEN_INGEST_PARQUET_H
#define OMEN_INGEST_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omen/omen.h"
#include "../util/diag.h"

/* The widest Parquet file read (after flattening structs). */
#define OMEN_PARQUET_MAX_COLS 256

/* Whether the bytes start with Parquet's magic "PAR1". */
bool omen_is_parquet(const char *data, size_t len);

/* A Parquet file read as CSV text in blocks of whole rows, so that a file of gigabytes is
 * never converted whole (DuckDB reads it row group by row group underneath). */
typedef struct omen_parquet_stream omen_parquet_stream;

/* Opens the Parquet file at path. keep (NULL-terminated, matched case-insensitively; NULL =
 * every column) names the top-level columns wanted, so that bulky ones a reader ignores
 * (hub-stats' `siblings`) are never read; the others are listed in *dropped (comma-separated,
 * NULL when none; heap, the caller frees it). *rows gets the row count from the file's footer.
 * A file DuckDB cannot read (truncated, corrupt footer) is bad input: OMEN_E_DATA naming the
 * file. Without libduckdb in the build it fails with OMEN_E_UNSUPPORTED (exit 1) saying how to
 * get it. */
omen_status omen_parquet_open(const char *path, const char *const *keep, omen_parquet_stream **out,
                              uint64_t *rows, char **dropped, omen_error *err);
/* The next block: the header line first, then whole rows, about `block_bytes` at a time (0 =
 * 32 MiB). *text (heap, NUL-terminated, owned by the caller) is NULL at the end. A row group
 * that cannot be decoded is bad input (OMEN_E_DATA naming the file and the first row of the
 * block). */
omen_status omen_parquet_next(omen_parquet_stream *s, size_t block_bytes, char **text, size_t *len,
                              omen_error *err);
/* Gives a block's text back once it is read (instead of free()): the next block is written
 * into it, which spares a 32 MiB allocation, its growth by copying and its page faults per
 * block. Text that is not the stream's last block is freed. */
void omen_parquet_recycle(omen_parquet_stream *s, char *block);
/* Rows returned so far. */
uint64_t omen_parquet_rows_done(const omen_parquet_stream *s);
void omen_parquet_close(omen_parquet_stream *s);

/* Rewrites the diag messages of `path` from index from_lines (kept lines) and from_all (all
 * lines) on, from "path:L: reason" to "path:row L-1: reason" (L = 1, the header, loses the
 * number: "path: reason"). */
void omen_parquet_diag_rows(omen_diag *d, const char *path, size_t from_lines, size_t from_all);

#endif
