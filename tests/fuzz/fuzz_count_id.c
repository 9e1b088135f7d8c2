/* fuzz_count_id.c: libFuzzer target for the small field parsers every reader shares
 * (src/ingest/reader.c): omen_parse_count, omen_parse_model_id and omen_model_namespace.
 * Checked properties: a count accepted from plain digits is their value; an accepted model id
 * is non-empty, lies inside the field, and holds no space or control character; a namespace
 * lies inside the id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ingest/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const uint8_t *in, size_t n)
{
    fprintf(stderr, "fuzz_count_id: %s for input (%zu bytes): ", what, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, in[i] >= 0x20 && in[i] < 0x7f ? "%c" : "\\x%02x", in[i]);
    fputc('\n', stderr);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private, NUL-terminated copy: readers give fields inside a writable buffer. */
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = 0;

    omen_field f = {buf, size};
    uint64_t v = 0;
    const char *why = NULL;
    if (omen_parse_count(f, &v, &why)) {
        bool digits = size > 0 && size < 20;
        for (size_t i = 0; i < size && digits; i++)
            digits = buf[i] >= '0' && buf[i] <= '9';
        if (digits && v != strtoull(buf, NULL, 10))
            fail("a count of plain digits is not their value", data, size);
    } else if (!why) {
        fail("a refused count gives no reason", data, size);
    }

    omen_field id = {buf, size};
    if (omen_parse_model_id(&id)) {
        if (id.len == 0)
            fail("an accepted model id is empty", data, size);
        if (id.ptr < buf || id.ptr + id.len > buf + size)
            fail("an accepted model id lies outside its field", data, size);
        for (size_t i = 0; i < id.len; i++)
            if ((unsigned char)id.ptr[i] <= 0x20 || id.ptr[i] == 0x7f)
                fail("an accepted model id holds a space or control character", data, size);
        omen_field ns = omen_model_namespace(id);
        if (ns.len > id.len || ns.ptr < id.ptr || ns.ptr + ns.len > id.ptr + id.len)
            fail("a namespace lies outside its id", data, size);
    }
    free(buf);
    return 0;
}
