/* fileio.c: whole-file reads (plain or gzip), SHA-256 for ingest provenance, the binary-input
 * check and a monotonic clock. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "error.h"

#define SNIFF_BYTES OMEN_SNIFF_BYTES
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

/* The line number (1-based) of offset `at`, for messages. */
static uint64_t line_of(const char *buf, size_t at)
{
    uint64_t line = 1;
    for (const char *p = buf, *e = buf + at; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        line++;
    return line;
}

/* Tracks the length of the line in progress over newly added bytes; false when it passes
 * OMEN_MAX_LINE. */
static bool line_ok(const char *from, size_t n, size_t *cur)
{
    const char *first = memchr(from, '\n', n);
    if (first && *cur + (size_t)(first - from) > OMEN_MAX_LINE) {
        *cur += (size_t)(first - from); /* the line that ends here was already too long */
        return false;
    }
    size_t i = n;
    while (i && from[i - 1] != '\n')
        i--;
    *cur = i ? n - i : *cur + n;
    return *cur <= OMEN_MAX_LINE;
}

static int too_long(char *buf, size_t n, size_t cur, char *why, size_t whylen)
{
    snprintf(why, whylen, "line %llu is longer than %zu MiB (the longest line an input may have)",
             (unsigned long long)line_of(buf, n - cur), OMEN_MAX_LINE >> 20);
    free(buf);
    return -2;
}

/* gzip through inflate, not gzread: gzread silently drops whatever follows the last member,
 * and says neither where a stream is corrupt nor that it is cut off. Concatenated members are
 * read in turn; anything else after a member is refused, as is a stream that ends early. */
static int read_gzip(int fd, size_t hint, char **data, size_t *len, char *why, size_t whylen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    unsigned char *in = omen_xmalloc(CHUNK);
    char *buf = NULL;
    size_t n = 0, cap = 0, cur = 0;
    /* Text compresses about 4:1 or better; start there to avoid most regrowth. */
    reserve(&buf, &cap, 0, hint ? (hint < OMEN_MAX_LINE ? hint * 4 : hint) : CHUNK);
    uint64_t read_total = 0, member_start = 0;
    bool eof = false, member_end = false, later_member = false;
    int rc = 0;
    for (;;) {
        if (zs.avail_in == 0 && !eof) {
            ssize_t r = read(fd, in, CHUNK);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                rc = -1;
                break;
            }
            eof = r == 0;
            zs.next_in = in;
            zs.avail_in = (uInt)r;
            read_total += (uint64_t)r;
        }
        uint64_t off = read_total - zs.avail_in; /* compressed bytes consumed */
        if (member_end) {
            if (zs.avail_in == 0 && eof)
                break; /* the last member ended with the file */
            if (zs.avail_in == 0)
                continue;
            inflateReset(&zs);
            member_end = false;
            later_member = true;
            member_start = off;
        }
        if (zs.avail_in == 0 && eof) {
            snprintf(why, whylen,
                     "the gzip stream ends early at byte %llu (a truncated or incomplete file)",
                     (unsigned long long)off);
            rc = -2;
            break;
        }
        reserve(&buf, &cap, n, CHUNK);
        size_t room = cap - n - 1;
        zs.next_out = (Bytef *)buf + n;
        zs.avail_out = (uInt)(room < (1u << 30) ? room : (1u << 30));
        uInt before = zs.avail_out;
        int zr = inflate(&zs, Z_NO_FLUSH);
        size_t got = before - zs.avail_out;
        bool fits = line_ok(buf + n, got, &cur);
        n += got;
        if (!fits) {
            inflateEnd(&zs);
            free(in);
            close(fd);
            return too_long(buf, n, cur, why, whylen);
        }
        if (zr == Z_STREAM_END) {
            member_end = true;
        } else if (zr == Z_DATA_ERROR && later_member && zs.total_out == 0 && zs.msg &&
                   strcmp(zs.msg, "incorrect header check") == 0) {
            snprintf(why, whylen,
                     "data after the end of the gzip stream at byte %llu (not another gzip "
                     "member)",
                     (unsigned long long)member_start);
            rc = -2;
            break;
        } else if (zr == Z_DATA_ERROR) {
            snprintf(why, whylen, "corrupt gzip data near byte %llu: %s",
                     (unsigned long long)(read_total - zs.avail_in),
                     zs.msg ? zs.msg : "invalid data");
            rc = -2;
            break;
        } else if (zr == Z_MEM_ERROR) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
    }
    int e = errno;
    inflateEnd(&zs);
    free(in);
    close(fd);
    if (rc) {
        free(buf);
        errno = e;
        return rc;
    }
    buf = omen_xrealloc(buf, n + 1); /* give back the guess beyond the real size */
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int omen_file_read_checked(const char *path, char **data, size_t *len, char *why, size_t whylen)
{
    why[0] = 0;
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
        return read_gzip(fd, hint, data, len, why, whylen); /* closes fd */
    int rc = read_plain(fd, hint, data, len);
    int e = errno;
    close(fd);
    errno = e;
    /* A plain file's long line costs no more memory than its size, but the rule is the same
     * for every input, compressed or not. */
    if (rc == 0 && *len > OMEN_MAX_LINE) {
        const char *p = *data, *end = *data + *len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = (size_t)((nl ? nl : end) - p);
            if (l > OMEN_MAX_LINE)
                return too_long(*data, (size_t)(p - *data) + l, l, why, whylen);
            if (!nl)
                break;
            p = nl + 1;
        }
    }
    return rc;
}

int omen_file_read(const char *path, char **data, size_t *len)
{
    char why[256];
    int rc = omen_file_read_checked(path, data, len, why, sizeof why);
    if (rc == -2)
        errno = EIO;
    return rc ? -1 : 0;
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
    size_t bad = omen_text_invalid(data, len < SNIFF_BYTES ? len : SNIFF_BYTES);
    if (bad == SIZE_MAX)
        return 0;
    /* A sequence cut off by the sniff's end is judged on the bytes after it. */
    const unsigned char *p = (const unsigned char *)data;
    return utf8_seq(p + bad, len - bad) <= 0;
}

size_t omen_text_invalid(const char *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        /* ASCII without NUL goes eight bytes at a time: most input is ASCII. */
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull) &&
                !((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (p[i] == 0)
            return i;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int n = utf8_seq(p + i, len - i);
        if (n <= 0)
            return i;
        i += (size_t)n;
    }
    return SIZE_MAX;
}

double omen_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
