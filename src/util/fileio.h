/* fileio.h: reading whole input files and hashing them.
 *
 * Inputs are read whole into memory (ingest validates a file completely before writing), with
 * gzip (.gz) decompressed through zlib. SHA-256 comes from OpenSSL's libcrypto. */
#ifndef OMEN_UTIL_FILEIO_H
#define OMEN_UTIL_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Reads the file into a NUL-terminated heap buffer the caller frees with free(). Returns 0, or
 * -1 with errno set (EISDIR for a directory, EIO for a corrupt or truncated gzip stream).
 * Gzip is recognised by its magic bytes, not the file name. */
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
/* Wall-clock seconds, monotonic. */
double omen_now(void);

#endif
