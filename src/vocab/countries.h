/* countries.h: normalises a country given as an ISO 3166-1 alpha-2 code, alpha-3 code or an
 * English name ("Germany", "United States of America", "Korea, Republic of") to alpha-2, and
 * maps the special origins: ONLINE, INTL (International, Multinational), USER (Individual,
 * Unaffiliated) and UNKNOWN. The table comes from Debian's iso-codes (see countries_table.c). */
#ifndef OMEN_VOCAB_COUNTRIES_H
#define OMEN_VOCAB_COUNTRIES_H

#include <stdbool.h>
#include <stddef.h>

/* Returns the canonical code (a static string) or NULL if the text names no country. An
 * empty text gives "UNKNOWN". Matching ignores case, surrounding spaces and punctuation, and
 * folds Latin-1 accents ("Cote d'Ivoire"). "NA" exactly (upper case) is Namibia; "N/A", "n/a",
 * "na" are UNKNOWN. Kosovo is XK (user-assigned, not in ISO 3166-1, but what data sets use). */
const char *omen_country_normalize(const char *s, size_t len);
/* The English name of a canonical code, or NULL. */
const char *omen_country_name(const char *code);

/* The generated table (countries_table.c, from scripts/gen_countries.py); internal to
 * countries.c. Codes are sorted by code, keys bytewise by key; a key is the text lower-cased
 * with accents folded and everything but letters and digits dropped. */
typedef struct {
    const char *code, *name;
} omen_country_code;
typedef struct {
    const char *key;
    unsigned short code; /* index into omen_country_codes */
} omen_country_key;
extern const omen_country_code omen_country_codes[];
extern const size_t omen_country_ncodes;
extern const omen_country_key omen_country_keys[];
extern const size_t omen_country_nkeys;
extern const char *const omen_country_fold[64]; /* U+00C0..U+00FF -> ASCII */

#endif
