/* gzstream.h: a file read piece by piece, gzip decoded when it is gzip (by its magic bytes),
 * held to the same rules as omen_file_read_checked: a corrupt or truncated stream and data
 * after the last gzip member are bad input, with the compressed byte offset. For readers that
 * stream inputs larger than memory (raw download events); zlib's gzread would end quietly at
 * trailing data, dropping it unseen. */
#ifndef OMEN_UTIL_GZSTREAM_H
#define OMEN_UTIL_GZSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct omen_gzstream omen_gzstream;

/* Opens path for reading; NULL with errno set when the system cannot. Free with
 * omen_gzstream_close. */
omen_gzstream *omen_gzstream_open(const char *path);
/* Reads up to cap decoded bytes into buf. Returns the count (> 0), 0 at the end of the input,
 * -1 with errno set on a read error, or -2 when the content is bad, with why saying what and
 * where (as omen_file_read_checked). */
long omen_gzstream_read(omen_gzstream *z, char *buf, size_t cap, char *why, size_t whylen);
/* Whether the input is gzip (known after the first read). */
bool omen_gzstream_is_gzip(const omen_gzstream *z);
void omen_gzstream_close(omen_gzstream *z);

#endif
