/* gzstream.c: streaming gzip (or plain) input with the checks of util/fileio.c's whole-file
 * reader: concatenated members are read in turn; anything else after a member, a stream that
 * ends early, and corrupt data are refused with the compressed byte offset. */
#include "gzstream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "error.h"

#define IN_CHUNK (1u << 18)

struct omen_gzstream {
    int fd;
    z_stream zs;
    unsigned char *in;
    uint64_t read_total, member_start;
    bool sniffed, gzip, eof, member_end, later_member, done, zinit;
};

omen_gzstream *omen_gzstream_open(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    omen_gzstream *z = omen_xcalloc(1, sizeof *z);
    z->fd = fd;
    z->in = omen_xmalloc(IN_CHUNK);
    return z;
}

bool omen_gzstream_is_gzip(const omen_gzstream *z)
{
    return z->gzip;
}

void omen_gzstream_close(omen_gzstream *z)
{
    if (!z)
        return;
    if (z->zinit)
        inflateEnd(&z->zs);
    close(z->fd);
    free(z->in);
    free(z);
}

/* Fills the input buffer when it is empty. Returns -1 on a read error. */
static int fill(omen_gzstream *z)
{
    if (z->zs.avail_in || z->eof)
        return 0;
    ssize_t r;
    do
        r = read(z->fd, z->in, IN_CHUNK);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    z->eof = r == 0;
    z->zs.next_in = z->in;
    z->zs.avail_in = (uInt)r;
    z->read_total += (uint64_t)r;
    return 0;
}

/* The first bytes tell gzip (1f 8b) from plain text. */
static int sniff(omen_gzstream *z)
{
    z->sniffed = true;
    while (z->zs.avail_in < 2 && !z->eof) { /* a read may return a single byte */
        size_t have = z->zs.avail_in;
        if (have)
            memmove(z->in, z->zs.next_in, have);
        ssize_t r;
        do
            r = read(z->fd, z->in + have, IN_CHUNK - have);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return -1;
        z->eof = r == 0;
        z->zs.next_in = z->in;
        z->zs.avail_in = (uInt)(have + (size_t)r);
        z->read_total += (uint64_t)r;
    }
    z->gzip = z->zs.avail_in >= 2 && z->in[0] == 0x1f && z->in[1] == 0x8b;
    if (z->gzip) {
        if (inflateInit2(&z->zs, 15 + 16) != Z_OK) {
            errno = ENOMEM;
            return -1;
        }
        z->zinit = true;
    }
    return 0;
}

static long read_plain(omen_gzstream *z, char *buf, size_t cap)
{
    if (fill(z) < 0)
        return -1;
    size_t n = z->zs.avail_in < cap ? z->zs.avail_in : cap;
    memcpy(buf, z->zs.next_in, n);
    z->zs.next_in += n;
    z->zs.avail_in -= (uInt)n;
    return (long)n;
}

/* One step of inflate at the member boundaries; returns bytes decoded, or -1/-2 as the read. */
static long inflate_some(omen_gzstream *z, char *buf, size_t cap, char *why, size_t whylen)
{
    uint64_t off = z->read_total - z->zs.avail_in; /* compressed bytes consumed */
    if (z->member_end) {
        if (z->zs.avail_in == 0 && z->eof) {
            z->done = true; /* the last member ended with the file */
            return 0;
        }
        if (z->zs.avail_in == 0)
            return 0;
        inflateReset(&z->zs);
        z->member_end = false;
        z->later_member = true;
        z->member_start = off;
    }
    if (z->zs.avail_in == 0 && z->eof) {
        snprintf(why, whylen,
                 "the gzip stream ends early at byte %llu (a truncated or incomplete file)",
                 (unsigned long long)off);
        return -2;
    }
    z->zs.next_out = (Bytef *)buf;
    z->zs.avail_out = (uInt)(cap < (1u << 30) ? cap : (1u << 30));
    int zr = inflate(&z->zs, Z_NO_FLUSH);
    long got = (long)((cap < (1u << 30) ? cap : (1u << 30)) - z->zs.avail_out);
    if (zr == Z_STREAM_END) {
        z->member_end = true;
    } else if (zr == Z_DATA_ERROR && z->later_member && z->zs.total_out == 0 && z->zs.msg &&
               strcmp(z->zs.msg, "incorrect header check") == 0) {
        snprintf(why, whylen,
                 "data after the end of the gzip stream at byte %llu (not another gzip member)",
                 (unsigned long long)z->member_start);
        return -2;
    } else if (zr == Z_DATA_ERROR) {
        snprintf(why, whylen, "corrupt gzip data near byte %llu: %s",
                 (unsigned long long)(z->read_total - z->zs.avail_in),
                 z->zs.msg ? z->zs.msg : "invalid data");
        return -2;
    } else if (zr == Z_MEM_ERROR) {
        errno = ENOMEM;
        return -1;
    }
    return got;
}

long omen_gzstream_read(omen_gzstream *z, char *buf, size_t cap, char *why, size_t whylen)
{
    if (cap == 0 || z->done)
        return 0;
    if (!z->sniffed && sniff(z) < 0)
        return -1;
    if (!z->gzip)
        return read_plain(z, buf, cap);
    for (;;) { /* until some output, the end, or an error */
        if (fill(z) < 0)
            return -1;
        long got = inflate_some(z, buf, cap, why, whylen);
        if (got != 0 || z->done)
            return got;
    }
}
