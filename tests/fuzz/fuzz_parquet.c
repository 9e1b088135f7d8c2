/* fuzz_parquet.c: libFuzzer target for the Parquet-to-rows path: the input is written as a file
 * and ingested as models, then as a snapshot, so it goes through libduckdb (parquet.h: the file
 * turned into CSV text block by block, lists and structs flattened) and then the readers. Built
 * only when libduckdb is in the build (the Makefile's HAVE_DUCKDB); DuckDB itself is not
 * instrumented, so the coverage is that of omen's side of the path. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static omen_store *store;
static char store_path[600], input_path[600];
static unsigned runs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store || ++runs % 1024 == 0) {
        if (store)
            omen_store_close(store);
        fz_path(store_path, sizeof store_path, "parquet.db");
        fz_path(input_path, sizeof input_path, "input.parquet");
        store = fz_new_store(store_path);
    }
    fz_write(input_path, data, size);
    fz_ingest(store, OMEN_SOURCE_MODELS, input_path);
    fz_ingest(store, OMEN_SOURCE_SNAPSHOT, input_path);
    return 0;
}
