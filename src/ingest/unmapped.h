/* unmapped.h: the label policy of every ingest. A metadata value outside omen's vocabularies
 * (org type, country, relation, gated, license, modality, a taxonomy label) is kept as given
 * and counted here, so that the ingest can say exactly what it did not understand; with
 * --strict-labels it is a bad row instead.
 *
 * The counter owns its keys; release it with omen_unmapped_free() (NULL-safe fields). */
#ifndef OMEN_INGEST_UNMAPPED_H
#define OMEN_INGEST_UNMAPPED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"

/* Distinct "field=value" keys with how many records carried each. */
typedef struct omen_unmapped {
    char **keys;     /* "field\x1fvalue", heap-owned */
    uint64_t *count; /* per key */
    size_t n, cap;
    uint32_t *slot; /* open addressing: key index + 1, 0 = empty */
    size_t nslots;
    uint64_t total;    /* all values counted */
    uint32_t *journal; /* keys counted since omen_unmapped_begin(), for omen_unmapped_undo() */
    size_t njournal, capjournal;
} omen_unmapped;

/* Counts one value of a field (control characters in it are shown as '?'). */
void omen_unmapped_add(omen_unmapped *u, const char *field, const char *value, size_t len);
/* Adds src's counts to dst (a folder of listings reports one list for all its weeks). */
void omen_unmapped_merge(omen_unmapped *dst, const omen_unmapped *src);
/* A record begins: what is counted from now on can be taken back with omen_unmapped_undo()
 * when the record is rejected for another reason, so the counts are of values kept. Both
 * accept NULL. */
void omen_unmapped_begin(omen_unmapped *u);
void omen_unmapped_undo(omen_unmapped *u);
/* "field=value: count" lines (newline-separated, no final newline), by field, then by count
 * (descending), then value; at most `max_lines` lines (0 = all) and then "... and N more values".
 * NULL when nothing was counted. */
char *omen_unmapped_text(const omen_unmapped *u, size_t max_lines);
void omen_unmapped_free(omen_unmapped *u);
/* Distinct values with a count above 0. */
size_t omen_unmapped_distinct(const omen_unmapped *u);

/* The field as a NUL-terminated text in buf (cut to cap - 1 bytes); returns buf. */
const char *omen_field_text(omen_field f, char *buf, size_t cap);

/* The policy for one value that none of omen's vocabularies or alias tables knows. With
 * --strict-labels it reports `line: <message>` (fmt) as a data error and returns false (the
 * caller rejects the row); otherwise it counts field=value in r->unmapped and returns true (the
 * caller keeps the value as given). */
bool omen_label_unmapped(omen_reader *r, uint64_t line, const char *field, omen_field value,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
