/* test_taxonomy.c: unit tests of the taxonomy data: license classes from Hub license ids
 * (DESIGN section 6 and the Hub's own ids), label lookup and the closed/open fields. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/vocab/taxonomy.h"

static const char *cls(const char *id)
{
    return omen_license_class(id, strlen(id));
}

/* The pairs DESIGN section 6 names, then the Hub license ids seen on real model cards. */
Test(taxonomy, license_classes_of_the_design)
{
    static const char *const cases[][2] = {
        {"mit", OMEN_LICENSE_OPEN},
        {"apache-2.0", OMEN_LICENSE_OPEN},
        {"llama2", OMEN_LICENSE_AUP},
        {"llama3", OMEN_LICENSE_AUP},
        {"llama3.1", OMEN_LICENSE_AUP},
        {"llama3.2", OMEN_LICENSE_AUP},
        {"llama3.3", OMEN_LICENSE_AUP},
        {"llama4", OMEN_LICENSE_AUP},
        {"gemma", OMEN_LICENSE_AUP},
        {"openrail", OMEN_LICENSE_AUP},
        {"openrail++", OMEN_LICENSE_AUP},
        {"creativeml-openrail-m", OMEN_LICENSE_AUP},
        {"bigscience-openrail-m", OMEN_LICENSE_AUP},
        {"bigscience-bloom-rail-1.0", OMEN_LICENSE_AUP},
        {"bigcode-openrail-m", OMEN_LICENSE_AUP},
        {"cc-by-4.0", OMEN_LICENSE_ATTRIBUTION},
        {"cc-by-2.0", OMEN_LICENSE_ATTRIBUTION},
        {"cc-by-sa-4.0", OMEN_LICENSE_ATTRIBUTION},
        {"cc-by-nd-4.0", OMEN_LICENSE_ATTRIBUTION},
        {"odc-by", OMEN_LICENSE_ATTRIBUTION},
        {"cc-by-nc-4.0", OMEN_LICENSE_NONCOMMERCIAL},
        {"cc-by-nc-sa-4.0", OMEN_LICENSE_NONCOMMERCIAL},
        {"cc-by-nc-nd-4.0", OMEN_LICENSE_NONCOMMERCIAL},
        {"cc-by-nc-2.0", OMEN_LICENSE_NONCOMMERCIAL},
        {"fair-noncommercial-research-license", OMEN_LICENSE_NONCOMMERCIAL},
        {"", OMEN_LICENSE_UNDOCUMENTED},
        {"none", OMEN_LICENSE_UNDOCUMENTED},
        {"other", OMEN_LICENSE_UNDOCUMENTED},
        {"unknown", OMEN_LICENSE_UNDOCUMENTED},
        {"bsd", OMEN_LICENSE_OPEN},
        {"bsd-2-clause", OMEN_LICENSE_OPEN},
        {"bsd-3-clause", OMEN_LICENSE_OPEN},
        {"bsd-3-clause-clear", OMEN_LICENSE_OPEN},
        {"bsd-4-clause", OMEN_LICENSE_OPEN},
        {"cc0-1.0", OMEN_LICENSE_OPEN},
        {"unlicense", OMEN_LICENSE_OPEN},
        {"afl-3.0", OMEN_LICENSE_OPEN},
        {"artistic-2.0", OMEN_LICENSE_OPEN},
        {"gpl-3.0", OMEN_LICENSE_OPEN},
        {"lgpl-3.0", OMEN_LICENSE_OPEN},
        {"mpl-2.0", OMEN_LICENSE_OPEN},
        {"wtfpl", OMEN_LICENSE_OPEN},
        {"bsl-1.0", OMEN_LICENSE_OPEN},
        {"ms-pl", OMEN_LICENSE_OPEN},
        {"pddl", OMEN_LICENSE_OPEN},
        {"deepfloyd-if-license", OMEN_LICENSE_AUP},
        {"a-license-nobody-knows", OMEN_LICENSE_UNDOCUMENTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_str_eq(cls(cases[i][0]), cases[i][1], "license '%s'", cases[i][0]);
}

/* The Hub's tag form, case and surrounding space do not change the class. */
Test(taxonomy, license_spellings)
{
    cr_expect_str_eq(cls("license:mit"), OMEN_LICENSE_OPEN);
    cr_expect_str_eq(cls("  Apache-2.0 "), OMEN_LICENSE_OPEN);
    cr_expect_str_eq(cls("license:cc-by-nc-4.0"), OMEN_LICENSE_NONCOMMERCIAL);
    cr_expect_str_eq(cls("LLAMA3.1"), OMEN_LICENSE_AUP);
    cr_expect_str_eq(cls("license:"), OMEN_LICENSE_UNDOCUMENTED);
    /* "nc" must be a whole dash-separated part: "ncsa" is the permissive NCSA license. */
    cr_expect_str_eq(cls("ncsa"), OMEN_LICENSE_OPEN);
}

/* Every class is a label of the license_class field, so mapped classes are ingestible. */
Test(taxonomy, classes_are_labels)
{
    const omen_taxonomy_field *f = omen_taxonomy_field_find("license_class", 13);
    cr_assert_not_null(f);
    const char *ids[] = {"mit", "llama2", "cc-by-4.0", "cc-by-nc-4.0", "other"};
    for (size_t i = 0; i < 5; i++) {
        const char *c = cls(ids[i]);
        cr_expect_eq(omen_taxonomy_label(f, c, strlen(c)), c, "%s", c);
    }
}

Test(taxonomy, labels_and_open_fields)
{
    const omen_taxonomy_field *tm = omen_taxonomy_field_find(" training_methods ", 18);
    cr_assert_not_null(tm);
    cr_expect_str_eq(omen_taxonomy_label(tm, "quantization", 12), "Quantization");
    cr_expect_null(omen_taxonomy_label(tm, "Quantisation", 12));
    const omen_taxonomy_field *lang = omen_taxonomy_field_find("languages", 9);
    cr_expect(omen_taxonomy_open_ok(lang, "zh-Hant", 7));
    cr_expect(omen_taxonomy_open_ok(lang, "c++", 3));
    cr_expect_not(omen_taxonomy_open_ok(lang, "en us", 5));
    const omen_taxonomy_field *der = omen_taxonomy_field_find("derivation", 10);
    cr_expect(omen_taxonomy_open_ok(der, "google/bert-base-uncased", 24));
    cr_expect_not(omen_taxonomy_open_ok(der, "a b", 3));
    cr_expect_null(omen_taxonomy_field_find("modality", 8));
}
