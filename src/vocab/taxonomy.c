/* taxonomy.c: the labels of the paper's Appendix D verbatim, the license classes with the
 * mapping from Hub license ids, the derivation relations and organisation types, and the alias
 * tables that map other sources' spellings onto them (docs/methodology.md, "Labels outside
 * omen's vocabularies", says why each alias is there and why some values have none). */
#include "taxonomy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const gating[] = {OMEN_GATING_N_A, OMEN_GATING_ACCEPT_TO_SHARE_USERNAME_EMAIL,
                                     OMEN_GATING_OTHER_AGREEMENT_INFO_REQUIREMENTS, NULL};
static const char *const input_modality[] = {"Text",    "Image", "Video", "Speech",
                                             "Tabular", "Other", NULL};
static const char *const output_modality[] = {"Text Generation",
                                              "Image Generation",
                                              "Video Generation",
                                              "Speech Generation",
                                              "Tabular",
                                              "Text Classification",
                                              "Text Sequence Classification",
                                              "Image Classification",
                                              "Image Segmentation",
                                              "Image Bounding Boxes",
                                              "Text Embedding",
                                              "Image Embedding",
                                              "Other",
                                              NULL};
static const char *const architecture[] = {OMEN_ARCH_TF_TEXT_ENCODER_ONLY,
                                           OMEN_ARCH_TF_TEXT_DECODER_ONLY,
                                           OMEN_ARCH_TF_TEXT_ENCODER_DECODER,
                                           OMEN_ARCH_TF_IMAGE_ENCODER_ONLY,
                                           OMEN_ARCH_TF_IMAGE_DECODER_ONLY,
                                           OMEN_ARCH_TF_IMAGE_ENCODER_DECODER,
                                           OMEN_ARCH_TF_SPEECH_ENCODER_ONLY,
                                           OMEN_ARCH_TF_SPEECH_DECODER_ONLY,
                                           OMEN_ARCH_TF_SPEECH_ENCODER_DECODER,
                                           OMEN_ARCH_TF_UNKNOWN,
                                           OMEN_ARCH_LSTM,
                                           OMEN_ARCH_GRU,
                                           OMEN_ARCH_CNN,
                                           OMEN_ARCH_DIFFUSION_BASED_NETWORK,
                                           OMEN_ARCH_VARIATIONAL_AUTOENCODER,
                                           OMEN_ARCH_MIXTURE_OF_EXPERTS,
                                           OMEN_ARCH_GENERATIVE_ADVERSARIAL_NETWORK_GAN,
                                           OMEN_ARCH_UNSURE,
                                           OMEN_ARCH_OTHER,
                                           NULL};
static const char *const training_methods[] = {OMEN_METHOD_PRE_MASKED_LANGUAGE_MODELING_MLM,
                                               OMEN_METHOD_PRE_CAUSAL_LANGUAGE_MODELING_CLM,
                                               OMEN_METHOD_PRE_DENOISING_AUTOENCODER,
                                               OMEN_METHOD_PRE_CONTRASTIVE_LEARNING,
                                               OMEN_METHOD_PRE_VARIATIONAL_AUTOENCODER,
                                               OMEN_METHOD_PRE_MULTIMODAL_JOINT_EMBEDDINGS,
                                               OMEN_METHOD_PRE_SUPERVISED,
                                               OMEN_METHOD_PRE_AUTO_REGRESSIVE_IMAGE_GENERATION,
                                               OMEN_METHOD_PRE_NEXT_SENTENCE_PREDICTION_NSP,
                                               OMEN_METHOD_FT_SUPERVISED,
                                               OMEN_METHOD_FT_PROMPT_BASED_TUNING,
                                               OMEN_METHOD_PARAMETER_EFFICIENT_FINETUNING,
                                               OMEN_METHOD_KNOWLEDGE_DISTILLATION,
                                               OMEN_METHOD_INSTRUCTION_FINETUNING,
                                               OMEN_METHOD_MULTI_TASK_FINETUNING,
                                               OMEN_METHOD_REINFORCEMENT_LEARNING_FROM_FEEDBACK,
                                               OMEN_METHOD_ADVERSARIAL_TRAINING,
                                               OMEN_METHOD_QUANTIZATION,
                                               OMEN_METHOD_MODEL_MERGING,
                                               OMEN_METHOD_UNSURE,
                                               OMEN_METHOD_UNDISCLOSED,
                                               OMEN_METHOD_OTHER,
                                               NULL};
static const char *const training_data[] = {
    OMEN_DATA_NOT_DISCLOSED, OMEN_DATA_PARTIALLY_DISCLOSED_UNAVAILABLE,
    OMEN_DATA_DISCLOSED_UNAVAILABLE, OMEN_DATA_DISCLOSED_AVAILABLE, NULL};
static const char *const license_class[] = {OMEN_LICENSE_OPEN,         OMEN_LICENSE_AUP,
                                            OMEN_LICENSE_ATTRIBUTION,  OMEN_LICENSE_NONCOMMERCIAL,
                                            OMEN_LICENSE_UNDOCUMENTED, NULL};

static const omen_taxonomy_field fields[] = {
    {"gating", "Model Gating", gating},
    {"input_modality", "Input Modality", input_modality},
    {"output_modality", "Output Modality", output_modality},
    {"languages", "Languages", NULL},
    {"derivation", "Model Derivation", NULL},
    {"architecture", "Architecture", architecture},
    {"training_methods", "Training Methods", training_methods},
    {"training_data", "Training Data Availability", training_data},
    {"license_class", "License", license_class},
    {NULL, NULL, NULL},
};

const omen_taxonomy_field *omen_taxonomy_fields(void)
{
    return fields;
}

static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static bool same(const char *a, const char *b, size_t blen)
{
    return strlen(a) == blen && strncasecmp(a, b, blen) == 0;
}

const omen_taxonomy_field *omen_taxonomy_field_find(const char *name, size_t len)
{
    trim(&name, &len);
    for (const omen_taxonomy_field *f = fields; f->name; f++)
        if (same(f->name, name, len))
            return f;
    return NULL;
}

const char *omen_taxonomy_label(const omen_taxonomy_field *f, const char *value, size_t len)
{
    if (!f->labels)
        return NULL;
    trim(&value, &len);
    for (const char *const *l = f->labels; *l; l++)
        if (same(*l, value, len))
            return *l;
    return NULL;
}

/* Languages are ISO 639 codes ("en", "zh-Hant"), programming languages ("python", "c++",
 * "c#") or "multilingual": a token of letters, digits and + # - . _ , at most 40 bytes. A
 * derivation is "No" or a model id, so any single token without spaces. */
bool omen_taxonomy_open_ok(const omen_taxonomy_field *f, const char *value, size_t len)
{
    trim(&value, &len);
    if (f->labels || len == 0 || len > 200)
        return false;
    bool languages = strcmp(f->name, "languages") == 0;
    if (languages && len > 40)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (languages && !(isalnum(c) || strchr("+#-._", c)))
            return false;
        if (!languages && (isspace(c) || c < 32))
            return false;
    }
    return true;
}

const char *omen_taxonomy_allowed(const omen_taxonomy_field *f)
{
    static char buf[sizeof fields / sizeof fields[0]][2048];
    size_t ix = (size_t)(f - fields);
    char *out = buf[ix];
    if (out[0])
        return out;
    if (!f->labels) {
        snprintf(out, sizeof buf[0], "%s",
                 strcmp(f->name, "languages") == 0
                     ? "ISO language codes, programming languages or multilingual"
                     : "No or a base model id");
        return out;
    }
    size_t used = 0;
    for (const char *const *l = f->labels; *l && used < sizeof buf[0]; l++)
        used += (size_t)snprintf(out + used, sizeof buf[0] - used, "%s%s",
                                 l == f->labels ? "" : ", ", *l);
    return out;
}

static bool prefix(const char *p, const char *s, size_t len)
{
    size_t n = strlen(p);
    return len >= n && strncasecmp(p, s, n) == 0;
}

/* Classes follow the paper's Figure 8: permissive licenses are Open Use; licenses that attach
 * a use policy (Llama, Gemma, OpenRAIL, ...) are Acceptable Usage Policy; CC-BY style licenses
 * that only ask for credit are Attribution; anything non-commercial is Non-commercial; no
 * license, "unknown" or "other" is Undocumented. */
static const char *classify_license(const char *id, size_t len, bool *known)
{
    *known = true;
    trim(&id, &len);
    if (prefix("license:", id, len)) {
        id += 8;
        len -= 8;
    }
    if (len == 0 || same("unknown", id, len) || same("other", id, len) || same("none", id, len))
        return OMEN_LICENSE_UNDOCUMENTED;
    static const char *const open[] = {"mit",
                                       "apache-2.0",
                                       "apache",
                                       "bsd",
                                       "bsd-2-clause",
                                       "bsd-3-clause",
                                       "bsd-3-clause-clear",
                                       "isc",
                                       "unlicense",
                                       "cc0-1.0",
                                       "wtfpl",
                                       "zlib",
                                       "postgresql",
                                       "bsl-1.0",
                                       "mpl-2.0",
                                       "lgpl",
                                       "lgpl-3.0",
                                       "lgpl-2.1",
                                       "lgpl-lr",
                                       "gpl",
                                       "gpl-2.0",
                                       "gpl-3.0",
                                       "agpl-3.0",
                                       "afl-3.0",
                                       "artistic-2.0",
                                       "ecl-2.0",
                                       "epl-1.0",
                                       "epl-2.0",
                                       "eupl-1.1",
                                       "ms-pl",
                                       "ncsa",
                                       "odbl",
                                       "pddl",
                                       "ofl-1.1",
                                       "osl-3.0",
                                       "c-uda",
                                       "cdla-permissive-1.0",
                                       "cdla-permissive-2.0",
                                       "cdla-sharing-1.0",
                                       "etalab-2.0",
                                       "lppl-1.3c",
                                       "gfdl",
                                       "openmdw",
                                       NULL};
    for (const char *const *l = open; *l; l++)
        if (same(*l, id, len))
            return OMEN_LICENSE_OPEN;
    /* Families the Hub spells with variants ("bsd-4-clause", "apache-1.1"). */
    if (prefix("bsd", id, len) || prefix("apache-", id, len))
        return OMEN_LICENSE_OPEN;
    for (size_t i = 0; i + 2 <= len; i++)
        if (strncasecmp(id + i, "nc", 2) == 0 && (i == 0 || id[i - 1] == '-') &&
            (i + 2 == len || id[i + 2] == '-'))
            return OMEN_LICENSE_NONCOMMERCIAL;
    /* Every CC BY variant without NC asks for credit (share-alike and no-derivatives add
     * terms, but the class the paper draws is about attribution); so does ODC-By. */
    if (prefix("cc-by", id, len) || same("odc-by", id, len))
        return OMEN_LICENSE_ATTRIBUTION;
    static const char *const aup[] = {"llama",
                                      "gemma",
                                      "openrail",
                                      "creativeml-openrail",
                                      "bigscience",
                                      "bigcode-openrail",
                                      "deepfloyd",
                                      "apple-ascl",
                                      "intel-research",
                                      "h-research",
                                      "fair-noncommercial",
                                      "qwen",
                                      "tongyi",
                                      "deepseek",
                                      "falcon",
                                      "mistral",
                                      "nvidia",
                                      "stabilityai",
                                      "stable-",
                                      "flux",
                                      "health",
                                      "lucide",
                                      "AML",
                                      NULL};
    for (const char *const *l = aup; *l; l++)
        if (prefix(*l, id, len))
            return strncasecmp(id, "fair-noncommercial", 18) == 0 ? OMEN_LICENSE_NONCOMMERCIAL
                                                                  : OMEN_LICENSE_AUP;
    *known = false;
    return OMEN_LICENSE_UNDOCUMENTED;
}

const char *omen_license_class(const char *id, size_t len)
{
    bool known;
    return classify_license(id, len, &known);
}

bool omen_license_known(const char *id, size_t len)
{
    bool known;
    classify_license(id, len, &known);
    return known;
}

bool omen_relation_valid(const char *s, size_t len)
{
    static const char *const rel[] = {
        "finetune", "adapter", "quantized", "merge", "continued_pretraining", "other", NULL};
    for (const char *const *l = rel; *l; l++)
        if (same(*l, s, len))
            return true;
    return false;
}

/* Other sources' spellings of the relations (docs/methodology.md, "Labels outside omen's
 * vocabularies"). */
static const char *const relation_alias[][2] = {{"finetuned", "finetune"},
                                                {"fine-tune", "finetune"},
                                                {"finetunes", "finetune"},
                                                {"adapters", "adapter"},
                                                {"lora", "adapter"},
                                                {"quantization", "quantized"},
                                                {"quantizations", "quantized"},
                                                {"quant", "quantized"},
                                                {"merges", "merge"},
                                                {"merged", "merge"},
                                                {"continued-pretraining", "continued_pretraining"},
                                                {"continued pretraining", "continued_pretraining"},
                                                {"fine-tuned", "finetune"},
                                                {"fine_tune", "finetune"},
                                                {"quantised", "quantized"},
                                                {"quantize", "quantized"},
                                                {"adapter-model", "adapter"},
                                                {"merge-model", "merge"},
                                                {NULL, NULL}};

const char *omen_relation_canonical(const char *s, size_t len)
{
    static const char *const rel[] = {
        "finetune", "adapter", "quantized", "merge", "continued_pretraining", "other", NULL};
    for (const char *const *r = rel; *r; r++)
        if (same(*r, s, len)) /* exactly, case ignored: fields come untrimmed */
            return *r;
    for (size_t i = 0; relation_alias[i][0]; i++)
        if (same(relation_alias[i][0], s, len))
            return relation_alias[i][1];
    return NULL;
}

const char *omen_org_type_parse(const char *s, size_t len)
{
    static const char *const types[] = {"company",    "university", "nonprofit", "community",
                                        "government", "user",       "unknown",   NULL};
    trim(&s, &len);
    if (len == 0)
        return "unknown";
    for (const char *const *l = types; *l; l++)
        if (same(*l, s, len))
            return *l;
    /* Common spellings from other sources (Epoch's "Industry", "Academia", the paper's labels). */
    /* "Research Lab", "team", "Classroom" have no alias on purpose: a research lab may be a
     * company's, a university's, a government's or a collective's, and the released dataset
     * does not say what its "team" is; they are kept as given and counted. */
    static const char *const alias[][2] = {{"industry", "company"},
                                           {"corporate", "company"},
                                           {"corporation", "company"},
                                           {"enterprise", "company"},
                                           {"academia", "university"},
                                           {"academic", "university"},
                                           {"non-profit", "nonprofit"},
                                           {"non profit", "nonprofit"},
                                           {"non_profit", "nonprofit"},
                                           {"not-for-profit", "nonprofit"},
                                           {"non-profit organization", "nonprofit"},
                                           {"nonprofit organization", "nonprofit"},
                                           {"ngo", "nonprofit"},
                                           {"research collective", "community"},
                                           {"individual", "user"},
                                           {"unaffiliated", "user"},
                                           {"person", "user"},
                                           {"gov", "government"},
                                           {"governmental", "government"},
                                           {NULL, NULL}};
    for (size_t i = 0; alias[i][0]; i++)
        if (same(alias[i][0], s, len))
            return alias[i][1];
    return NULL;
}

/* ---- modality pairs ("Text -> Image") of the released dataset */

static bool word_is(const char *s, size_t len, const char *w)
{
    return same(w, s, len);
}

const char *omen_modality_input(const char *s, size_t len)
{
    trim(&s, &len);
    const char *l = omen_taxonomy_label(&fields[1], s, len);
    if (l)
        return l;
    /* Appendix D has one label for sound, Speech; audio is what the released pairs call it. */
    if (word_is(s, len, "audio") || word_is(s, len, "sound"))
        return "Speech";
    if (word_is(s, len, "table") || word_is(s, len, "tabular data"))
        return "Tabular";
    if (word_is(s, len, "images"))
        return "Image";
    return NULL;
}

const char *omen_modality_output(const char *s, size_t len, const char *input)
{
    trim(&s, &len);
    const char *l = omen_taxonomy_label(&fields[2], s, len);
    if (l)
        return l;
    /* A generated medium is "<Medium> Generation". */
    static const char *const gen[][2] = {
        {"text", "Text Generation"},
        {"image", "Image Generation"},
        {"images", "Image Generation"},
        {"video", "Video Generation"},
        {"speech", "Speech Generation"},
        {"audio", "Speech Generation"},
        {"tabular", "Tabular"},
        {"table", "Tabular"},
        {"segmentation", "Image Segmentation"},
        {"segmentation mask", "Image Segmentation"},
        {"mask", "Image Segmentation"},
        {"bounding boxes", "Image Bounding Boxes"},
        {"bounding box", "Image Bounding Boxes"},
        {"boxes", "Image Bounding Boxes"},
        {"object detection", "Image Bounding Boxes"},
        {"detection", "Image Bounding Boxes"},
        {"token classification", "Text Sequence Classification"},
        {"sequence classification", "Text Sequence Classification"},
        {"sequence labeling", "Text Sequence Classification"},
        {NULL, NULL}};
    for (size_t i = 0; gen[i][0]; i++)
        if (word_is(s, len, gen[i][0]))
            return gen[i][1];
    /* Classification and embeddings are named by what they classify or embed: the input side.
     * Appendix D has them for text and image only; from another input they are not mapped. */
    bool text = input && strcmp(input, "Text") == 0, image = input && strcmp(input, "Image") == 0;
    if (word_is(s, len, "classification") || word_is(s, len, "class") || word_is(s, len, "label") ||
        word_is(s, len, "labels"))
        return text ? "Text Classification" : image ? "Image Classification" : NULL;
    if (word_is(s, len, "embedding") || word_is(s, len, "embeddings") ||
        word_is(s, len, "vector") || word_is(s, len, "vectors"))
        return text ? "Text Embedding" : image ? "Image Embedding" : NULL;
    return NULL;
}
