/* heuristic_rules.c: the rules of `omen annotate --heuristic` as data tables, and the labels they
 * give one model. Each rule maps one piece of Hub metadata to a label of the paper's Appendix
 * D, spelled exactly as there; only mappings that hold for nearly every model are listed. */
#include "heuristic_rules.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../vocab/taxonomy.h"

enum {
    F_GATING,
    F_INPUT,
    F_OUTPUT,
    F_LANGUAGES,
    F_DERIVATION,
    F_ARCH,
    F_METHODS,
    F_DATA,
    F_LICENSE
};

static const char *const field_names[] = {"gating",           "input_modality", "output_modality",
                                          "languages",        "derivation",     "architecture",
                                          "training_methods", "training_data",  "license_class"};

#define QUANT  "Quantization"
#define PEFT   "Parameter-efficient finetuning"
#define MERGE  "Model Merging"
#define DEC    "Transformer: Text Decoder-only"
#define ENC    "Transformer: Text Encoder-only"
#define ENCDEC "Transformer: Text Encoder-Decoder"

/* Pipeline tag -> input modalities (';'-separated) and output modality; NULL where the task
 * does not say (fill-mask and extractive question answering output neither generated text nor
 * a class; audio classification has no output label in the taxonomy). */
static const struct {
    const char *pipeline, *inputs, *output;
} pipeline_rules[] = {
    {"text-generation", "Text", "Text Generation"},
    {"text2text-generation", "Text", "Text Generation"},
    {"summarization", "Text", "Text Generation"},
    {"translation", "Text", "Text Generation"},
    {"conversational", "Text", "Text Generation"},
    {"fill-mask", "Text", NULL},
    {"question-answering", "Text", NULL},
    {"table-question-answering", "Tabular;Text", NULL},
    {"text-classification", "Text", "Text Classification"},
    {"zero-shot-classification", "Text", "Text Classification"},
    {"token-classification", "Text", "Text Sequence Classification"},
    {"sentence-similarity", "Text", "Text Embedding"},
    {"feature-extraction", "Text", "Text Embedding"},
    {"text-to-image", "Text", "Image Generation"},
    {"image-to-image", "Image", "Image Generation"},
    {"unconditional-image-generation", NULL, "Image Generation"},
    {"text-to-video", "Text", "Video Generation"},
    {"image-to-video", "Image", "Video Generation"},
    {"text-to-speech", "Text", "Speech Generation"},
    {"text-to-audio", "Text", "Speech Generation"},
    {"audio-to-audio", "Speech", "Speech Generation"},
    {"automatic-speech-recognition", "Speech", "Text Generation"},
    {"audio-classification", "Speech", NULL},
    {"voice-activity-detection", "Speech", NULL},
    {"image-classification", "Image", "Image Classification"},
    {"zero-shot-image-classification", "Image;Text", "Image Classification"},
    {"image-segmentation", "Image", "Image Segmentation"},
    {"mask-generation", "Image", "Image Segmentation"},
    {"object-detection", "Image", "Image Bounding Boxes"},
    {"zero-shot-object-detection", "Image;Text", "Image Bounding Boxes"},
    {"image-feature-extraction", "Image", "Image Embedding"},
    {"image-to-text", "Image", "Text Generation"},
    {"image-text-to-text", "Image;Text", "Text Generation"},
    {"visual-question-answering", "Image;Text", "Text Generation"},
    {"document-question-answering", "Image;Text", "Text Generation"},
    {"video-text-to-text", "Video;Text", "Text Generation"},
    {"video-classification", "Video", NULL},
    {"depth-estimation", "Image", NULL},
    {"tabular-classification", "Tabular", "Tabular"},
    {"tabular-regression", "Tabular", "Tabular"},
};

/* Tags (matched whole, ignoring case; a trailing ':' matches a prefix) -> a label. The
 * quantization formats, adapters and merges say how the repository was derived; the model
 * types say the architecture (transformers writes config.model_type as a tag). `fp8` is not
 * here: DeepSeek-V3 and R1 are trained in FP8, not quantized. */
static const struct {
    const char *tag;
    int field;
    const char *label;
} tag_rules[] = {
    {"gguf", F_METHODS, QUANT},
    {"gptq", F_METHODS, QUANT},
    {"awq", F_METHODS, QUANT},
    {"mlx", F_METHODS, QUANT},
    {"exl2", F_METHODS, QUANT},
    {"exl3", F_METHODS, QUANT},
    {"bnb", F_METHODS, QUANT},
    {"bitsandbytes", F_METHODS, QUANT},
    {"4-bit", F_METHODS, QUANT},
    {"8-bit", F_METHODS, QUANT},
    {"base_model:quantized:", F_METHODS, QUANT},
    {"lora", F_METHODS, PEFT},
    {"peft", F_METHODS, PEFT},
    {"base_model:adapter:", F_METHODS, PEFT},
    {"merge", F_METHODS, MERGE},
    {"mergekit", F_METHODS, MERGE},
    {"base_model:merge:", F_METHODS, MERGE},
    {"moe", F_ARCH, "Mixture-of-Experts"},
    {"mixtral", F_ARCH, "Mixture-of-Experts"},
    {"qwen2_moe", F_ARCH, "Mixture-of-Experts"},
    {"qwen3_moe", F_ARCH, "Mixture-of-Experts"},
    {"deepseek_v2", F_ARCH, "Mixture-of-Experts"},
    {"deepseek_v3", F_ARCH, "Mixture-of-Experts"},
    {"dbrx", F_ARCH, "Mixture-of-Experts"},
    {"olmoe", F_ARCH, "Mixture-of-Experts"},
    {"granitemoe", F_ARCH, "Mixture-of-Experts"},
    {"phimoe", F_ARCH, "Mixture-of-Experts"},
    {"llama", F_ARCH, DEC},
    {"mistral", F_ARCH, DEC},
    {"qwen2", F_ARCH, DEC},
    {"qwen3", F_ARCH, DEC},
    {"gemma", F_ARCH, DEC},
    {"gemma2", F_ARCH, DEC},
    {"phi", F_ARCH, DEC},
    {"phi3", F_ARCH, DEC},
    {"gpt2", F_ARCH, DEC},
    {"gpt_neox", F_ARCH, DEC},
    {"bloom", F_ARCH, DEC},
    {"falcon", F_ARCH, DEC},
    {"bert", F_ARCH, ENC},
    {"roberta", F_ARCH, ENC},
    {"xlm-roberta", F_ARCH, ENC},
    {"distilbert", F_ARCH, ENC},
    {"deberta-v2", F_ARCH, ENC},
    {"electra", F_ARCH, ENC},
    {"mpnet", F_ARCH, ENC},
    {"t5", F_ARCH, ENCDEC},
    {"mt5", F_ARCH, ENCDEC},
    {"bart", F_ARCH, ENCDEC},
    {"marian", F_ARCH, ENCDEC},
    {"whisper", F_ARCH, "Transformer: Speech Encoder-Decoder"},
    {"wav2vec2", F_ARCH, "Transformer: Speech Encoder-only"},
    {"vit", F_ARCH, "Transformer: Image Encoder-only"},
};

/* Library (and pipeline tag, NULL = any) -> a label, where the pair leaves no doubt. */
static const struct {
    const char *library, *pipeline;
    int field;
    const char *label;
} library_rules[] = {
    {"diffusers", NULL, F_ARCH, "Diffusion-based Network"},
    {"sentence-transformers", NULL, F_ARCH, ENC},
    {"peft", NULL, F_METHODS, PEFT},
    {"transformers", "text-generation", F_ARCH, DEC},
    {"mlx", "text-generation", F_ARCH, DEC},
    {"transformers", "text2text-generation", F_ARCH, ENCDEC},
    {"transformers", "translation", F_ARCH, ENCDEC},
    {"transformers", "summarization", F_ARCH, ENCDEC},
    {"transformers", "fill-mask", F_ARCH, ENC},
};

/* Base-model relation -> training method of the derivation (finetune and continued
 * pretraining do not say which method). Every relation also gives derivation = the base id. */
static const struct {
    const char *relation, *label;
} relation_rules[] = {
    {"quantized", QUANT},
    {"adapter", PEFT},
    {"merge", MERGE},
};

/* The Hub's gated values (as stored: no, auto, manual) -> Appendix D's gating labels: `auto`
 * grants access once the user shares username and email; `manual` adds the author's review
 * and usually a form or terms. */
static const struct {
    const char *gated, *label;
} gating_rules[] = {
    {"no", "N/A"},
    {"auto", "Accept to share username & email"},
    {"manual", "Other agreement/info requirements"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Appendix D: "If there are clearly over 50 languages, then simply mark it as multilingual". */
enum { MULTILINGUAL_OVER = 50 };

static void emit_str(omen_heuristic_emit emit, void *ctx, int field, const char *label)
{
    emit(ctx, (uint32_t)field, label, strlen(label));
}

/* Calls fn on each trimmed, non-empty item of a ';'-separated list. */
static void each_item(const char *list, void (*fn)(void *, const char *, size_t), void *arg)
{
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        size_t n = len;
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n)
            fn(arg, s, n);
        p = end ? end + 1 : NULL;
    }
}

static bool ieq(const char *a, const char *b, size_t blen)
{
    return strlen(a) == blen && strncasecmp(a, b, blen) == 0;
}

typedef struct {
    omen_heuristic_emit emit;
    void *ctx;
    const omen_model_meta *m;
    size_t count; /* languages: valid items */
    bool any_license;
} run;

static void on_tag(void *arg, const char *t, size_t n)
{
    run *r = arg;
    for (size_t i = 0; i < N(tag_rules); i++) {
        size_t k = strlen(tag_rules[i].tag);
        bool prefix = tag_rules[i].tag[k - 1] == ':';
        if (prefix ? (n > k && strncasecmp(t, tag_rules[i].tag, k) == 0)
                   : ieq(tag_rules[i].tag, t, n))
            emit_str(r->emit, r->ctx, tag_rules[i].field, tag_rules[i].label);
    }
}

static void on_license(void *arg, const char *id, size_t n)
{
    run *r = arg;
    r->any_license = true;
    emit_str(r->emit, r->ctx, F_LICENSE, omen_license_class(id, n));
}

static void count_language(void *arg, const char *s, size_t n)
{
    run *r = arg;
    const omen_taxonomy_field *f = &omen_taxonomy_fields()[F_LANGUAGES];
    r->count += omen_taxonomy_open_ok(f, s, n);
}

static void on_language(void *arg, const char *s, size_t n)
{
    run *r = arg;
    if (omen_taxonomy_open_ok(&omen_taxonomy_fields()[F_LANGUAGES], s, n))
        r->emit(r->ctx, F_LANGUAGES, s, n);
}

static void on_input(void *arg, const char *s, size_t n)
{
    run *r = arg;
    r->emit(r->ctx, F_INPUT, s, n);
}

static void pipeline_labels(run *r, const char *pipe)
{
    for (size_t i = 0; pipe && i < N(pipeline_rules); i++) {
        if (strcasecmp(pipeline_rules[i].pipeline, pipe) != 0)
            continue;
        each_item(pipeline_rules[i].inputs, on_input, r);
        if (pipeline_rules[i].output)
            emit_str(r->emit, r->ctx, F_OUTPUT, pipeline_rules[i].output);
    }
}

static void library_labels(run *r, const char *lib, const char *pipe)
{
    for (size_t i = 0; lib && i < N(library_rules); i++)
        if (strcasecmp(library_rules[i].library, lib) == 0 &&
            (!library_rules[i].pipeline ||
             (pipe && strcasecmp(library_rules[i].pipeline, pipe) == 0)))
            emit_str(r->emit, r->ctx, library_rules[i].field, library_rules[i].label);
}

static void base_labels(run *r)
{
    const omen_taxonomy_field *der = &omen_taxonomy_fields()[F_DERIVATION];
    for (size_t b = 0; b < r->m->nbase; b++) {
        const char *id = r->m->base_ids[b];
        if (omen_taxonomy_open_ok(der, id, strlen(id)))
            emit_str(r->emit, r->ctx, F_DERIVATION, id);
        for (size_t i = 0; i < N(relation_rules); i++)
            if (strcasecmp(relation_rules[i].relation, r->m->base_rel[b]) == 0)
                emit_str(r->emit, r->ctx, F_METHODS, relation_rules[i].label);
    }
}

void omen_heuristic_labels(const omen_model_meta *m, omen_heuristic_emit emit, void *ctx)
{
    run r = {.emit = emit, .ctx = ctx, .m = m};
    pipeline_labels(&r, m->pipeline_tag);
    library_labels(&r, m->library, m->pipeline_tag);
    each_item(m->tags, on_tag, &r);
    base_labels(&r);
    for (size_t i = 0; m->gated && i < N(gating_rules); i++)
        if (strcasecmp(gating_rules[i].gated, m->gated) == 0)
            emit_str(emit, ctx, F_GATING, gating_rules[i].label);
    each_item(m->license, on_license, &r);
    /* No license among the Hub's tags is what the paper calls Undocumented; without tags the
     * metadata may just not have been collected, so nothing is said. */
    if (!r.any_license && m->tags)
        emit_str(emit, ctx, F_LICENSE, OMEN_LICENSE_UNDOCUMENTED);
    each_item(m->languages, count_language, &r);
    if (r.count > MULTILINGUAL_OVER)
        emit_str(emit, ctx, F_LANGUAGES, "multilingual");
    else
        each_item(m->languages, on_language, &r);
}

static size_t check(int field, const char *label, char *bad, size_t cap, size_t nbad)
{
    const omen_taxonomy_field *f = &omen_taxonomy_fields()[field];
    const char *canon = omen_taxonomy_label(f, label, strlen(label));
    if (canon && strcmp(canon, label) == 0 && strcmp(f->name, field_names[field]) == 0)
        return nbad;
    if (nbad == 0)
        snprintf(bad, cap, "%s: '%s'", field_names[field], label);
    return nbad + 1;
}

static size_t check_list(int field, const char *list, char *bad, size_t cap, size_t nbad)
{
    char buf[128];
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s", (int)len, p);
        nbad = check(field, buf, bad, cap, nbad);
        p = end ? end + 1 : NULL;
    }
    return nbad;
}

size_t omen_heuristic_rules_check(char *bad, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < N(pipeline_rules); i++) {
        n = check_list(F_INPUT, pipeline_rules[i].inputs, bad, cap, n);
        if (pipeline_rules[i].output)
            n = check(F_OUTPUT, pipeline_rules[i].output, bad, cap, n);
    }
    for (size_t i = 0; i < N(tag_rules); i++)
        n = check(tag_rules[i].field, tag_rules[i].label, bad, cap, n);
    for (size_t i = 0; i < N(library_rules); i++)
        n = check(library_rules[i].field, library_rules[i].label, bad, cap, n);
    for (size_t i = 0; i < N(relation_rules); i++)
        n = check(F_METHODS, relation_rules[i].label, bad, cap, n);
    for (size_t i = 0; i < N(gating_rules); i++)
        n = check(F_GATING, gating_rules[i].label, bad, cap, n);
    return n;
}
