/* fuzz_gzip.c: libFuzzer target for the input file reader with its gzip decoding
 * (omen_file_read, src/util/fileio.c), then the binary check every reader applies to what it
 * returns, and for the streaming decoder of the events reader (src/util/gzstream.c). The input
 * is written to a file on tmpfs and read back. Checked properties: the buffer is
 * NUL-terminated; a file that does not start with gzip's magic comes back unchanged; the
 * streaming decoder, read in small pieces, accepts exactly what the whole-file reader accepts
 * (but for its line-length bound, which the streaming reader applies itself) with the same
 * bytes. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "../../src/util/fileio.h"
#include "../../src/util/gzstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[600];

/* The stream read in pieces of 7 bytes (seams everywhere): 0 and the bytes, or -2 when bad. */
static int read_streamed(char **out, size_t *len)
{
    omen_gzstream *z = omen_gzstream_open(path);
    if (!z)
        abort();
    size_t cap = 64, n = 0;
    char *buf = malloc(cap), why[256];
    long got;
    while ((got = omen_gzstream_read(z, buf + n, cap - n < 7 ? cap - n : 7, why, sizeof why)) > 0) {
        n += (size_t)got;
        if (cap - n < 8)
            buf = realloc(buf, cap *= 2);
    }
    omen_gzstream_close(z);
    if (got < 0) {
        free(buf);
        return got == -2 ? -2 : -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static void same_as_streamed(int rc, const char *why, const char *whole, size_t len)
{
    char *s = NULL;
    size_t slen = 0;
    int src = read_streamed(&s, &slen);
    if (rc == -2 && strstr(why, "longer than"))
        rc = src; /* the bound on lines is the whole-file reader's own */
    if ((rc == 0) != (src == 0))
        abort(); /* one accepts what the other refuses */
    if (rc == 0 && src == 0 && (slen != len || memcmp(s, whole, len) != 0))
        abort();
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        fz_path(path, sizeof path, "input.gz");
    fz_write(path, data, size);
    char *out = NULL, why[256] = "";
    size_t len = 0;
    int rc = omen_file_read_checked(path, &out, &len, why, sizeof why);
    same_as_streamed(rc, why, out, len);
    if (rc != 0)
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
