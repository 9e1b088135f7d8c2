/* fileio.h: reading whole input files and hashing them.
 *
 * Inputs are read whole into memory (ingest validates a file completely before writing), with
 * gzip (.gz) decompressed through zlib. SHA-256 comes from OpenSSL's libcrypto. */
#ifndef OMEN_UTIL_FILEIO_H
#define OMEN_UTIL_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "omen/omen.h"

/* The longest line an input may have, in bytes: no record of any source comes near it (a Hub
 * record with its card is tens of KiB), and a bound keeps a gzip bomb of one huge line from
 * taking the memory (docs/data-formats.md, "Text rules"). */
#define OMEN_MAX_LINE ((size_t)16 << 20)

/* Reads the file into a NUL-terminated heap buffer the caller frees with free(). Returns 0;
 * -1 with errno set when the system cannot read it (EISDIR for a directory); or -2 when the
 * content is bad input, with why saying what and where: a corrupt or truncated gzip stream
 * (the compressed byte offset), data after the gzip stream that is not another gzip member,
 * or a line longer than OMEN_MAX_LINE (its line number). Gzip is recognised by its magic
 * bytes, not the file name. */
int omen_file_read_checked(const char *path, char **data, size_t *len, char *why, size_t whylen);
/* omen_file_read_checked with bad content reported as -1 and errno EIO. */
int omen_file_read(const char *path, char **data, size_t *len);
/* Hex SHA-256 of the buffer into out (65 bytes with the NUL). */
void omen_sha256_hex(const void *data, size_t len, char out[65]);
/* Hex SHA-256 of a file's bytes as they are on disk (no gzip decoding), read in 4 MiB pieces so
 * that a file of gigabytes is never held whole; *bytes gets its size. Returns 0, or -1 with errno
 * set. */
int omen_sha256_file(const char *path, char out[65], uint64_t *bytes);
/* True when the buffer looks binary: a NUL byte anywhere, or invalid UTF-8 (overlong forms
 * and surrogates included) in the first 64 KiB. A UTF-8 BOM is text. */
int omen_looks_binary(const char *data, size_t len);
/* The offset of the first byte that is not UTF-8 text (a NUL, or invalid UTF-8 including
 * overlong forms, surrogates and a sequence cut off by the end), or SIZE_MAX when the whole
 * buffer is text. Every reader holds its input to this one rule. */
size_t omen_text_invalid(const char *data, size_t len);
/* How many bytes of text the binary sniff looks at: a bad byte within them means a binary
 * file rather than one stray byte. */
#define OMEN_SNIFF_BYTES ((size_t)64 * 1024)
/* omen_now(), the monotonic clock in seconds, is declared in omen.h (the fronts use it too). */

#endif
