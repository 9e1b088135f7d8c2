/* parquet.h: Parquet input through DuckDB's C API (libduckdb, optional at build time).
 *
 * A Parquet file is turned into CSV text in memory (lists joined by ';', struct fields
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

/* Converts the Parquet file at path to CSV text with a header row. keep (NULL-terminated,
 * matched case-insensitively; NULL = every column) names the top-level columns wanted, so that
 * bulky ones a reader ignores (hub-stats' `siblings`) are never read; the others are listed in
 * *dropped (comma-separated, NULL when none). *out and *dropped are heap-owned by the caller
 * (free()); *rows is the number of data rows. Without libduckdb in the build it fails with
 * OMEN_E_UNSUPPORTED (exit 1) saying how to get it. */
omen_status omen_parquet_to_csv(const char *path, const char *const *keep, char **out, size_t *len,
                                uint64_t *rows, char **dropped, omen_error *err);

/* Rewrites the diag messages of `path` from index from_lines (kept lines) and from_all (all
 * lines) on, from "path:L: reason" to "path:row L-1: reason" (L = 1, the header, loses the
 * number: "path: reason"). */
void omen_parquet_diag_rows(omen_diag *d, const char *path, size_t from_lines, size_t from_all);

#endif
