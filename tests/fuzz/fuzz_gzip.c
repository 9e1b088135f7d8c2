/* fuzz_gzip.c: libFuzzer target for the input file reader with its gzip decoding
 * (omen_file_read, src/util/fileio.c), then the binary check every reader applies to what it
 * returns. The input is written to a file on tmpfs and read back. Checked properties: the buffer
 * is NUL-terminated; a file that does not start with gzip's magic comes back unchanged. */
#include <stdint.h>

#include "fuzz_common.h"
#include "../../src/util/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[600];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        fz_path(path, sizeof path, "input.gz");
    fz_write(path, data, size);
    char *out = NULL;
    size_t len = 0;
    if (omen_file_read(path, &out, &len) != 0)
        return 0;
    if (out[len] != 0)
        abort(); /* every reader relies on the terminating NUL */
    bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (!gzip && (len != size || memcmp(out, data, size) != 0))
        abort(); /* plain text is given as is */
    (void)omen_looks_binary(out, len);
    free(out);
    return 0;
}
