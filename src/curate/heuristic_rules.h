/* heuristic_rules.h: the rules of `omen annotate --heuristic`, which read taxonomy labels off a
 * model's Hub metadata (pipeline tag, library, tags, base-model relations, license, gated,
 * languages). The rules are tables in heuristic_rules.c; docs/methodology.md lists them in prose.
 */
#ifndef OMEN_CURATE_HEURISTIC_RULES_H
#define OMEN_CURATE_HEURISTIC_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "../store/labels.h"

/* Receives one label: `field` indexes omen_taxonomy_fields(); `label` (len bytes, not
 * necessarily NUL-terminated) is valid only during the call. A label may come more than once. */
typedef void (*omen_heuristic_emit)(void *ctx, uint32_t field, const char *label, size_t len);

/* Applies every rule to one model's metadata. */
void omen_heuristic_labels(const omen_model_meta *m, omen_heuristic_emit emit, void *ctx);

/* Checks that every label the rule tables name is a label of its field, spelled as in the
 * taxonomy; returns how many are not and writes the first into bad (for the unit tests). */
size_t omen_heuristic_rules_check(char *bad, size_t cap);

#endif
