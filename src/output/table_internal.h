/* table_internal.h: the storage of omen_table, shared by table.c (building) and write.c (the
 * writers). Nothing outside src/output includes it: everyone else uses include/omen/omen.h. */
#ifndef OMEN_OUTPUT_TABLE_INTERNAL_H
#define OMEN_OUTPUT_TABLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "omen/omen.h"

/* A cell: TEXT uses s (heap-owned), REAL uses r, INT, DATE and BOOL use i. */
typedef union {
    int64_t i;
    double r;
    char *s;
} omen_cell;

/* A column stores its cells contiguously; null[row] is 1 for a NULL cell. */
typedef struct {
    char *name;
    omen_col_type type;
    omen_cell *cells;
    uint8_t *null;
} omen_table_column;

/* A meta entry; type is one of TEXT, INT, REAL, BOOL. */
typedef struct {
    char *key;
    omen_col_type type;
    omen_cell value;
} omen_table_meta_entry;

struct omen_table {
    char *name;
    omen_table_column *cols;
    size_t ncols, colcap;
    size_t nrows, rowcap; /* every column's arrays hold rowcap cells */
    omen_table_meta_entry *meta;
    size_t nmeta, metacap;
};

/* Writes x as printf's "%.15g" would (same bytes), NUL-terminated, into out (32 bytes);
 * returns the length. Common values take a fast exact path instead of snprintf. */
size_t omen_output_format_real(char out[32], double x);

#endif
