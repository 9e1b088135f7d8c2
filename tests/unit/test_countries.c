/* test_countries.c: unit tests of country normalisation: codes, names, aliases, specials. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/vocab/countries.h"

static const char *norm(const char *s)
{
    return omen_country_normalize(s, strlen(s));
}

static void expect(const char *text, const char *code)
{
    const char *got = norm(text);
    cr_assert(got != NULL, "'%s' should map to %s, got NULL", text, code);
    cr_assert_str_eq(got, code, "'%s' mapped to %s, want %s", text, got, code);
}

static void expect_none(const char *text)
{
    const char *got = norm(text);
    cr_assert_null(got, "'%s' should not be a country, got %s", text, got ? got : "");
}

Test(countries, codes)
{
    expect("DE", "DE");
    expect("de", "DE");
    expect("DEU", "DE");
    expect("usa", "US");
    expect("GBR", "GB");
    expect(" fr ", "FR");
    expect("CN", "CN");
}

Test(countries, iso_names)
{
    expect("Germany", "DE");
    expect("germany", "DE");
    expect("Federal Republic of Germany", "DE");
    expect("Korea, Republic of", "KR");
    expect("Korea Republic of", "KR");
    expect("Iran, Islamic Republic of", "IR");
    expect("Taiwan, Province of China", "TW");
    expect("Viet Nam", "VN");
    expect("United Kingdom of Great Britain and Northern Ireland", "GB");
    expect("Côte d'Ivoire", "CI");
    expect("Cote d’Ivoire", "CI");
    expect("CÔTE D'IVOIRE", "CI");
    expect("Åland Islands", "AX");
    expect("Curaçao", "CW");
    expect("Bolivia, Plurinational State of", "BO");
    expect("Congo", "CG");
    expect("Congo, The Democratic Republic of the", "CD");
    expect("Niger", "NE");
    expect("Nigeria", "NG");
}

Test(countries, aliases)
{
    expect("USA", "US");
    expect("U.S.A.", "US");
    expect("US", "US");
    expect("United States of America", "US");
    expect("United States", "US");
    expect("America", "US");
    expect("UK", "GB");
    expect("Great Britain", "GB");
    expect("Britain", "GB");
    expect("England", "GB");
    expect("Scotland", "GB");
    expect("Russia", "RU");
    expect("Russian Federation", "RU");
    expect("South Korea", "KR");
    expect("Korea", "KR");
    expect("North Korea", "KP");
    expect("Taiwan", "TW");
    expect("Iran", "IR");
    expect("Vietnam", "VN");
    expect("Syria", "SY");
    expect("Laos", "LA");
    expect("Bolivia", "BO");
    expect("Venezuela", "VE");
    expect("Tanzania", "TZ");
    expect("Moldova", "MD");
    expect("Czech Republic", "CZ");
    expect("Czechia", "CZ");
    expect("Turkey", "TR");
    expect("Türkiye", "TR");
    expect("Hong Kong", "HK");
    expect("Macau", "MO");
    expect("Palestine", "PS");
    expect("Ivory Coast", "CI");
    expect("Holland", "NL");
    expect("The Netherlands", "NL");
    expect("UAE", "AE");
    expect("Emirates", "AE");
    expect("Saudi Arabia", "SA");
    expect("People's Republic of China", "CN");
    expect("PRC", "CN");
    expect("Mainland China", "CN");
    expect("China", "CN");
}

Test(countries, specials)
{
    expect("Online", "ONLINE");
    expect("online", "ONLINE");
    expect("ONLINE", "ONLINE");
    expect("International", "INTL");
    expect("Intl", "INTL");
    expect("Multinational", "INTL");
    expect("Global", "INTL");
    expect("INTL", "INTL");
    expect("User", "USER");
    expect("Individual", "USER");
    expect("Unaffiliated", "USER");
    expect("Individual contributor", "USER");
    expect("USER", "USER");
    expect("Unknown", "UNKNOWN");
    expect("UNKNOWN", "UNKNOWN");
    expect("none", "UNKNOWN");
    expect("NaN", "UNKNOWN");
    expect("-", "UNKNOWN");
    expect("", "UNKNOWN");
    expect("   ", "UNKNOWN");
    cr_assert_str_eq(omen_country_normalize(NULL, 0), "UNKNOWN");
}

Test(countries, na_is_namibia_only_when_exact)
{
    expect("NA", "NA");
    expect(" NA ", "NA");
    expect("N/A", "UNKNOWN");
    expect("n/a", "UNKNOWN");
    expect("na", "UNKNOWN");
    expect("Na", "UNKNOWN");
    expect("N.A.", "UNKNOWN");
    expect("Namibia", "NA");
    expect("NAM", "NA");
}

Test(countries, not_countries)
{
    expect_none("Atlantis");
    expect_none("XX");
    expect_none("Germany2");
    expect_none("日本");
    char longtext[300];
    memset(longtext, 'a', sizeof longtext);
    cr_assert_null(omen_country_normalize(longtext, sizeof longtext));
}

Test(countries, names_and_canonical_pointers)
{
    cr_assert_str_eq(omen_country_name("DE"), "Germany");
    cr_assert_str_eq(omen_country_name("KR"), "South Korea");
    cr_assert_str_eq(omen_country_name("US"), "United States");
    cr_assert_str_eq(omen_country_name("INTL"), "International");
    cr_assert_str_eq(omen_country_name("UNKNOWN"), "Unknown");
    cr_assert_null(omen_country_name("ZZ"));
    cr_assert_null(omen_country_name(NULL));
    /* Every code's name leads back to the code, and results are the table's own strings. */
    for (size_t i = 0; i < omen_country_ncodes; i++) {
        const char *code = omen_country_codes[i].code;
        const char *name = omen_country_name(code);
        cr_assert_not_null(name, "%s has no name", code);
        cr_assert_eq(norm(name), code, "'%s' does not map back to %s", name, code);
        cr_assert_eq(norm(code), code);
    }
}

Test(countries, table_sorted)
{
    for (size_t i = 1; i < omen_country_nkeys; i++)
        cr_assert(strcmp(omen_country_keys[i - 1].key, omen_country_keys[i].key) < 0,
                  "keys out of order at %zu", i);
    for (size_t i = 1; i < omen_country_ncodes; i++)
        cr_assert(strcmp(omen_country_codes[i - 1].code, omen_country_codes[i].code) < 0);
    cr_assert_geq(omen_country_ncodes, 249 + 5);
}
