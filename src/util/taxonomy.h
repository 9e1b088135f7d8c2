/* taxonomy.h: the annotation taxonomy of the paper's Appendix D, as data.
 *
 * Fields with a closed label set (gating, modalities, architecture, training methods, training
 * data availability, license class) are validated label by label; `languages` takes ISO codes,
 * programming languages or "multilingual"; `derivation` takes "No" or a base model id. */
#ifndef OMEN_UTIL_TAXONOMY_H
#define OMEN_UTIL_TAXONOMY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name;          /* machine name used in files: "architecture" */
    const char *title;         /* the paper's heading: "Architecture" */
    const char *const *labels; /* NULL-terminated; NULL for an open field */
} omen_taxonomy_field;

/* All fields, terminated by an entry with name NULL. */
const omen_taxonomy_field *omen_taxonomy_fields(void);
const omen_taxonomy_field *omen_taxonomy_field_find(const char *name, size_t len);
/* The canonical spelling of a label (matching ignores case and surrounding space), or NULL if
 * the field does not allow it. Open fields return NULL too: check them with
 * omen_taxonomy_open_ok(). */
const char *omen_taxonomy_label(const omen_taxonomy_field *f, const char *value, size_t len);
bool omen_taxonomy_open_ok(const omen_taxonomy_field *f, const char *value, size_t len);
/* "a, b, c" list of the allowed labels, for error messages (static buffer per field). */
const char *omen_taxonomy_allowed(const omen_taxonomy_field *f);

/* License classes and the mapping from Hub license ids (DESIGN section 6). */
#define OMEN_LICENSE_OPEN          "Open Use"
#define OMEN_LICENSE_AUP           "Acceptable Usage Policy"
#define OMEN_LICENSE_ATTRIBUTION   "Attribution"
#define OMEN_LICENSE_NONCOMMERCIAL "Non-commercial"
#define OMEN_LICENSE_UNDOCUMENTED  "Undocumented"
const char *omen_license_class(const char *license_id, size_t len);
/* Whether the mapping knows the id (a class from its tables, or none/unknown/other); an id it
 * does not know gets Undocumented too, and the ingest counts it as unmapped. */
bool omen_license_known(const char *license_id, size_t len);

/* Derivation relations of the data model, and whether a string is one. */
bool omen_relation_valid(const char *s, size_t len);
/* The organisation types of the data model; returns the canonical spelling or NULL. */
const char *omen_org_type_parse(const char *s, size_t len);

/* The released dataset's modality pairs ("Text -> Image"): one word of the input side as an
 * input_modality label, one word of the output side as an output_modality label (classification
 * and embeddings take the input side's medium: "Image -> Classification" is Image
 * Classification). NULL when no label means it. */
const char *omen_modality_input(const char *s, size_t len);
const char *omen_modality_output(const char *s, size_t len, const char *input);

#endif
