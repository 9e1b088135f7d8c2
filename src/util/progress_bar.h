/* progress_bar.h: renders a one-line terminal progress bar into a buffer.
 *
 * Library code only reports progress through callbacks; cli/ decides whether stderr is a
 * terminal and writes the line this renders. */
#ifndef OMEN_UTIL_PROGRESS_BAR_H
#define OMEN_UTIL_PROGRESS_BAR_H

#include <stddef.h>
#include <stdint.h>

/* "\r<what> [#####.....]  42%  1.2 GB / 2.9 GB  3.1 s  ETA 4.4 s" fitted to `width` columns. With
 * total 0, a count and the elapsed time. Returns the number of bytes written (without the NUL).
 * Units are decimal (KB = 1000 bytes; counts use k, M, G). The line is padded to width - 1
 * columns so it overwrites a longer previous one; when narrow, the bar goes first, then the
 * ETA, then the label is cut. */
size_t omen_progress_render(char *out, size_t cap, int width, const char *what, uint64_t done,
                            uint64_t total, double elapsed_s, int bytes);

#endif
