/* fileio.c: whole-file reads (plain or gzip), SHA-256 for ingest provenance, the binary-input
 * check and a monotonic clock. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "error.h"

#define SNIFF_BYTES (64 * 1024)
#define CHUNK       (1u << 20)

/* Grows *buf so that at least `need` more bytes (plus the final NUL) fit after len. */
static void reserve(char **buf, size_t *cap, size_t len, size_t need)
{
    if (*cap - len > need)
        return;
    size_t c = *cap ? *cap : CHUNK;
    while (c - len <= need)
        c *= 2;
    *buf = omen_xrealloc(*buf, c);
    *cap = c;
}

/* Plain files: one read of the known size, then on until EOF (the file may grow, and pipes
 * have no size). */
static int read_plain(int fd, size_t hint, char **data, size_t *len)
{
    char *buf = NULL;
    size_t n = 0, cap = 0;
    reserve(&buf, &cap, 0, hint ? hint + 1 : CHUNK);
    for (;;) {
        reserve(&buf, &cap, n, 1);
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

/* gzip, including concatenated members; a corrupt or truncated stream is EIO. */
static int read_gzip(int fd, size_t hint, char **data, size_t *len)
{
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    gzbuffer(gz, 256 * 1024);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    /* Text compresses about 4:1 or better; start there to avoid most regrowth. */
    reserve(&buf, &cap, 0, hint ? hint * 4 : CHUNK);
    int err = 0;
    for (;;) {
        reserve(&buf, &cap, n, CHUNK);
        size_t want = cap - n - 1;
        if (want > (1u << 30))
            want = 1u << 30;
        int r = gzread(gz, buf + n, (unsigned)want);
        if (r < 0) {
            err = 1;
            break;
        }
        if (r == 0) {
            int zerr;
            gzerror(gz, &zerr);
            err = zerr != Z_OK;
            break;
        }
        n += (size_t)r;
    }
    gzclose_r(gz);
    if (err) {
        free(buf);
        errno = EIO;
        return -1;
    }
    buf = omen_xrealloc(buf, n + 1); /* give back the guess beyond the real size */
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int omen_file_read(const char *path, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int bad = fstat(fd, &st) < 0 ? errno : (S_ISDIR(st.st_mode) ? EISDIR : 0);
    if (bad) {
        close(fd);
        errno = bad;
        return -1;
    }
    size_t hint = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    unsigned char magic[2];
    ssize_t m = pread(fd, magic, 2, 0);
    if (m == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        return read_gzip(fd, hint, data, len); /* gzclose closes fd */
    int rc = read_plain(fd, hint, data, len);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

void omen_sha256_hex(const void *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
        abort(); /* only fails when libcrypto cannot allocate */
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int omen_sha256_file(const char *path, char out[65], uint64_t *bytes)
{
    static const char hex[] = "0123456789abcdef";
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        abort(); /* only fails when libcrypto cannot allocate */
    size_t cap = (size_t)4 << 20;
    unsigned char *buf = omen_xmalloc(cap);
    uint64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, cap)) > 0 || (n < 0 && errno == EINTR)) {
        if (n < 0)
            continue;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += (uint64_t)n;
    }
    int saved = errno;
    free(buf);
    close(fd);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    *bytes = total;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid, -1 if cut off by the end. */
static int utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    int n;
    unsigned lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0; /* continuation byte or overlong 2-byte form */
    if (c < 0xe0) {
        n = 2;
    } else if (c < 0xf0) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (c < 0xf5) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((size_t)i >= avail)
            return -1;
        unsigned b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b & 0xc0) != 0x80)
            return 0;
    }
    return n;
}

/* A NUL anywhere makes the buffer binary (memchr is cheap, and a NUL breaks every text
 * reader); UTF-8 is checked over the first 64 KiB only. A sequence straddling the 64 KiB mark
 * is checked whole; one cut off by the end of the buffer is invalid. */
int omen_looks_binary(const char *data, size_t len)
{
    if (memchr(data, '\0', len))
        return 1;
    const unsigned char *p = (const unsigned char *)data;
    size_t lim = len < SNIFF_BYTES ? len : SNIFF_BYTES;
    size_t i = 0;
    while (i < lim) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int n = utf8_seq(p + i, len - i);
        if (n <= 0)
            return 1;
        i += (size_t)n;
    }
    return 0;
}

double omen_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
