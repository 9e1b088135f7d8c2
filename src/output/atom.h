/* atom.h: the Atom feed (RFC 4287) of an alerts table, for write.c's OMEN_FORMAT_ATOM. Internal
 * to src/output. */
#ifndef OMEN_OUTPUT_ATOM_H
#define OMEN_OUTPUT_ATOM_H

#include <stdbool.h>
#include <stddef.h>

#include "omen/omen.h"

/* Whether t has the columns a feed is made of (those of omen_alerts). */
bool omen_output_atom_fits(const omen_table *t);
/* The feed as a heap string (the caller frees it) of *len bytes; t must fit. */
char *omen_output_atom(const omen_table *t, size_t *len);

#endif
