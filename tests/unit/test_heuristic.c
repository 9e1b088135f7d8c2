/* test_heuristic.c: unit tests of the rules of `omen annotate --heuristic`: every label they
 * name is an Appendix D label spelled exactly as the taxonomy spells it, and what they read off
 * one model's metadata. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/curate/heuristic_rules.h"
#include "../../src/vocab/taxonomy.h"

Test(heuristic, rule_labels_are_taxonomy_labels)
{
    char bad[256] = "";
    cr_expect_eq(omen_heuristic_rules_check(bad, sizeof bad), 0, "first bad label: %s", bad);
}

/* Collects "field=label" lines in emission order. */
static void collect(void *ctx, uint32_t field, const char *label, size_t len)
{
    char *out = ctx;
    size_t used = strlen(out);
    snprintf(out + used, 4096 - used, "%s=%.*s\n", omen_taxonomy_fields()[field].name, (int)len,
             label);
}

static bool has(const char *out, const char *line)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s\n", line);
    return strstr(out, buf) != NULL;
}

Test(heuristic, a_quantized_gated_model)
{
    const char *ids[] = {"org/base"}, *rel[] = {"quantized"};
    omen_model_meta m = {.id = 1,
                         .name = "org/base-GGUF",
                         .pipeline_tag = "image-text-to-text",
                         .library = NULL,
                         .license = "llama3.2;cc-by-nc-4.0",
                         .gated = "manual",
                         .languages = "en; de ;not a code",
                         .tags = "GGUF;llama;conversational",
                         .nbase = 1,
                         .base_ids = ids,
                         .base_rel = rel};
    char out[4096] = "";
    omen_heuristic_labels(&m, collect, out);
    const char *want[] = {"input_modality=Image",
                          "input_modality=Text",
                          "output_modality=Text Generation",
                          "architecture=Transformer: Text Decoder-only",
                          "training_methods=Quantization",
                          "derivation=org/base",
                          "gating=Other agreement/info requirements",
                          "license_class=Acceptable Usage Policy",
                          "license_class=Non-commercial",
                          "languages=en",
                          "languages=de"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(has(out, want[i]), "missing %s in:\n%s", want[i], out);
    cr_expect_not(strstr(out, "not a code"), "%s", out);
    cr_expect_not(strstr(out, "Undocumented"), "%s", out);
}

/* Nothing is guessed from absence, except a missing license when the Hub's tags are known. */
Test(heuristic, absence)
{
    omen_model_meta bare = {.id = 2, .name = "a/b"};
    char out[4096] = "";
    omen_heuristic_labels(&bare, collect, out);
    cr_expect_str_eq(out, "");
    omen_model_meta tagged = {
        .id = 3, .name = "a/c", .tags = "region:us", .pipeline_tag = "any-to-any"};
    omen_heuristic_labels(&tagged, collect, out);
    cr_expect_str_eq(out, "license_class=Undocumented\n");
}

/* fp8 is a training precision (DeepSeek-V3), not a quantization; base_model: tags count. */
Test(heuristic, tags)
{
    omen_model_meta m = {.id = 4,
                         .name = "a/d",
                         .tags = "fp8;base_model:merge:x/y;base_model:adapter:x/z;deepseek_v3",
                         .library = "peft"};
    char out[4096] = "";
    omen_heuristic_labels(&m, collect, out);
    cr_expect_not(strstr(out, "Quantization"), "%s", out);
    cr_expect(has(out, "training_methods=Model Merging"), "%s", out);
    cr_expect(has(out, "training_methods=Parameter-efficient finetuning"), "%s", out);
    cr_expect(has(out, "architecture=Mixture-of-Experts"), "%s", out);
}
