/* fuzz_jsonl.c: libFuzzer target for the JSON Lines readers (models, snapshot and events, each
 * detecting JSON Lines by a leading '{'), through the public ingest path so that a reader sees
 * exactly what `omen ingest` gives it (binary check, BOM, whole-file validation, the write).
 * The first input byte picks the source, the rest is the file. The store lives on tmpfs and is
 * remade every few thousand runs, since accepted inputs add rows to it. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static omen_store *store;
static char store_path[600], input_path[600];
static unsigned runs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const omen_source sources[] = {OMEN_SOURCE_MODELS, OMEN_SOURCE_SNAPSHOT,
                                          OMEN_SOURCE_EVENTS};
    if (size < 1)
        return 0;
    if (!store || ++runs % 4096 == 0) {
        if (store)
            omen_store_close(store);
        fz_path(store_path, sizeof store_path, "jsonl.db");
        fz_path(input_path, sizeof input_path, "input.jsonl");
        store = fz_new_store(store_path);
    }
    fz_write(input_path, data + 1, size - 1);
    fz_ingest(store, sources[data[0] % 3], input_path);
    return 0;
}
