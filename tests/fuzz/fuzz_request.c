/* clang-format off */
/* Run: clang -g -O1 -fsanitize=fuzzer,address,undefined -DOMEN_LIBFUZZER -Iinclude tests/fuzz/fuzz_request.c server/request.c -o /tmp/fuzz_request && /tmp/fuzz_request -max_total_time=60 */
/* clang-format on */
/* fuzz_request.c: libFuzzer target for the server's hand-written request parsing
 * (server/request.c): query-string decoding, canonical keys and static path checks. Without
 * -DOMEN_LIBFUZZER it builds a seeded random-input driver (tests/suites/http.sh runs it for a
 * few seconds under ASan/UBSan in `make test`). Checked properties: canonical keys are fixed
 * points and hold only encodeURIComponent's characters; decoded pairs survive an encode/parse
 * round trip; an accepted static path can never leave the web folder. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *in, size_t n)
{
    fprintf(stderr, "fuzz_request: %s for input (%zu bytes): ", what, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, (unsigned char)in[i] >= 0x20 && in[i] < 0x7f ? "%c" : "\\x%02x",
                (unsigned char)in[i]);
    fputc('\n', stderr);
    abort();
}

static void check_canonical(const char *in, size_t n)
{
    const char *q = memchr(in, '?', n);
    size_t plen = q ? (size_t)(q - in) : n;
    if (memchr(in, 0, plen))
        return; /* a path with NUL is refused before it gets here */
    char *key = sv_canonical_target(in, n);
    size_t klen = strlen(key);
    char *again = sv_canonical_target(key, klen);
    if (strcmp(key, again) != 0)
        fail("canonical key is not a fixed point", in, n);
    for (size_t i = plen; i < klen; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x21 || c > 0x7e || c == '+' || c == '#')
            fail("canonical query holds a character encodeURIComponent escapes", in, n);
    }
    free(again);
    free(key);
}

static void check_roundtrip(const char *in, size_t n)
{
    sv_params ps, back;
    sv_query_parse(in, n, &ps);
    sv_buf b = {0};
    for (size_t i = 0; i < ps.n; i++) {
        if (ps.p[i].klen > n || ps.p[i].vlen > n)
            fail("decoded longer than the input", in, n);
        sv_buf_put(&b, i ? "&" : "", i ? 1 : 0);
        sv_buf_component(&b, ps.p[i].key, ps.p[i].klen);
        sv_buf_put(&b, "=", 1);
        sv_buf_component(&b, ps.p[i].value, ps.p[i].vlen);
    }
    sv_query_parse(b.s ? b.s : "", b.len, &back);
    bool same = back.n == ps.n;
    for (size_t i = 0; same && i < ps.n; i++) /* an empty key with an empty value is a piece */
        same = back.p[i].klen == ps.p[i].klen && back.p[i].vlen == ps.p[i].vlen &&
               memcmp(back.p[i].key, ps.p[i].key, ps.p[i].klen) == 0 &&
               memcmp(back.p[i].value, ps.p[i].value, ps.p[i].vlen) == 0;
    if (!same)
        fail("encode/parse round trip changed the pairs", in, n);
    sv_params_free(&ps);
    sv_params_free(&back);
    free(b.s);
}

static void check_path(const char *in, size_t n)
{
    char out[512];
    if (!sv_static_path(in, n, out, sizeof out))
        return;
    size_t len = strlen(out);
    /* no absolute path, no backslash, no empty segment, no segment starting with '.' (which
     * covers "." and ".."); "a..b" inside a name is harmless */
    if (out[0] == '/' || strchr(out, '\\') || strstr(out, "//") || (len && out[0] == '.') ||
        strstr(out, "/."))
        fail("an unsafe static path was accepted", in, n);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)out[i] < 0x20)
            fail("a control byte in an accepted path", in, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    check_canonical(in, size);
    check_roundtrip(in, size);
    check_path(in, size);
    return 0;
}

#ifndef OMEN_LIBFUZZER
/* Seeded random inputs over an alphabet rich in the characters that matter. */
int main(int argc, char **argv)
{
    unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    long iters = argc > 2 ? atol(argv[2]) : 200000;
    static const char alphabet[] = "%%%2e2E2f2F5c5C00aA0.?&=+/\\ #~!*'()-_zZé\x01\x7f";
    char buf[256];
    for (long it = 0; it < iters; it++) {
        size_t n = 0, len;
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        len = seed % sizeof buf;
        if (seed % 3 == 0)
            buf[n++] = '/';
        while (n < len) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            buf[n++] = (seed >> 8) % 16 == 0 ? (char)(seed >> 16)
                                             : alphabet[(seed >> 20) % (sizeof alphabet - 1)];
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    }
    printf("fuzz_request: %ld random inputs, no property broken\n", iters);
    return 0;
}
#endif
