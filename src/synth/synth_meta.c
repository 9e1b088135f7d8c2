/* synth_meta.c: the Hub metadata of every synthetic model: license id, gating, languages,
 * pipeline tag, library, whether the safetensors parameter count is known, and the storage
 * bytes (parameters times bytes per parameter, with the outliers that make the RANSAC size
 * regression of DESIGN section 5 necessary). */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "synth_internal.h"

#define PARAMS_KNOWN_SHARE 0.236
#define NO_BYTES_SHARE     0.02

enum { LC_OPEN, LC_AUP, LC_ATTR, LC_NC, LC_UNDOC, LC_N };

static const struct {
    const char *id;
    int cls;
} licenses[] = {
    {"apache-2.0", LC_OPEN},    {"mit", LC_OPEN},
    {"bsd-3-clause", LC_OPEN},  {"afl-3.0", LC_OPEN},
    {"openrail", LC_AUP},       {"creativeml-openrail-m", LC_AUP},
    {"openrail++", LC_AUP},     {"bigscience-openrail-m", LC_AUP},
    {"llama3.1", LC_AUP},       {"llama2", LC_AUP},
    {"gemma", LC_AUP},          {"cc-by-4.0", LC_ATTR},
    {"cc-by-sa-4.0", LC_ATTR}, /* every CC BY variant is Attribution (docs/methodology.md) */
    {"cc-by-3.0", LC_ATTR},     {"cc-by-nc-4.0", LC_NC},
    {"cc-by-nc-sa-4.0", LC_NC}, {"", LC_UNDOC},
    {"other", LC_UNDOC},        {"unknown", LC_UNDOC},
};
const int sy_nlicenses = (int)(sizeof licenses / sizeof licenses[0]);

const char *sy_license_id(int idx)
{
    return licenses[idx].id;
}

int sy_license_class_of(int idx)
{
    return licenses[idx].cls;
}

static const char *const langs[] = {"",
                                    "en",
                                    "multilingual",
                                    "zh",
                                    "en;zh",
                                    "de",
                                    "fr",
                                    "es",
                                    "ja",
                                    "ko",
                                    "ru",
                                    "ar",
                                    "hi",
                                    "pt",
                                    "it",
                                    "nl",
                                    "tr",
                                    "vi",
                                    "en;fr;de;es;it"};

const char *sy_lang_str(int idx)
{
    return langs[idx];
}

const char *sy_gated_str(int g)
{
    static const char *const s[] = {"no", "auto", "manual"};
    return s[g];
}

const char *sy_relation_str(int rel)
{
    static const char *const s[REL_N] = {
        "", "finetune", "adapter", "quantized", "merge", "continued_pretraining", "other"};
    return s[rel];
}

const char *sy_org_str(int org)
{
    static const char *const s[ORG_N] = {"company",    "university", "nonprofit", "community",
                                         "government", "user",       "unknown"};
    return s[org];
}

/* ---------------------------------------------------------------- pipeline and library */

static bool stream_is(const sy_ctx *c, const sy_model *m, const char *prefix)
{
    return strncmp(c->streams[m->stream].key, prefix, strlen(prefix)) == 0;
}

static const sy_model *root_of(const sy_ctx *c, const sy_model *m)
{
    for (int k = 0; k < 8 && m->base != SY_NONE; k++)
        m = &c->models[m->base];
    return m;
}

static bool embedding_stream(const sy_ctx *c, const sy_model *m)
{
    return stream_is(c, m, "te_st") || stream_is(c, m, "te_baai") || stream_is(c, m, "te_jina") ||
           stream_is(c, m, "te_qw");
}

/* The pipeline tag follows the class; `c` is needed to tell families apart. */
static const char *pipeline_of(const sy_ctx *c, const sy_model *m, unsigned h)
{
    switch (m->cls) {
    case CL_TE:
        if (embedding_stream(c, m) || embedding_stream(c, root_of(c, m)))
            return h % 3 ? "sentence-similarity" : "feature-extraction";
        if (m->rel == REL_ROOT || m->rel == REL_CP)
            return "fill-mask";
        return h % 20 < 12   ? "text-classification"
               : h % 20 < 17 ? "token-classification"
                             : "question-answering";
    case CL_TG: {
        const sy_model *r = root_of(c, m);
        return stream_is(c, r, "tg_g_t5") || stream_is(c, r, "tg_m_bart") ? "text2text-generation"
                                                                          : "text-generation";
    }
    case CL_IG:
        return "text-to-image";
    case CL_VG:
        return h % 3 ? "text-to-video" : "image-to-video";
    case CL_MG:
        return "image-text-to-text";
    case CL_AU:
        return h % 10 < 7   ? "automatic-speech-recognition"
               : h % 10 < 9 ? "text-to-speech"
                            : "audio-classification";
    case CL_IE:
        if (stream_is(c, m, "ie_o") || stream_is(c, m, "ie_laion"))
            return "zero-shot-image-classification";
        return h % 10 < 5   ? "image-classification"
               : h % 10 < 7 ? "object-detection"
               : h % 10 < 8 ? "image-segmentation"
                            : "image-feature-extraction";
    case CL_ME:
        return h % 2 ? "zero-shot-image-classification" : "feature-extraction";
    default:
        return "tabular-classification";
    }
}

static const char *library_of(const sy_ctx *c, const sy_model *m, unsigned h)
{
    if (m->rel == REL_QUANT) {
        if (stream_is(c, m, "tg_mlx") || stream_is(c, m, "mg_mlx"))
            return "mlx";
        if (stream_is(c, m, "tg_qw_q"))
            return h % 2 ? "transformers" : "gguf";
        return "gguf";
    }
    switch (m->cls) {
    case CL_TE:
        return embedding_stream(c, m) || embedding_stream(c, root_of(c, m))
                   ? "sentence-transformers"
                   : "transformers";
    case CL_TG:
        return m->rel == REL_ADAPTER ? "peft" : "transformers";
    case CL_IG:
    case CL_VG:
        return m->rel == REL_OTHER ? "" : "diffusers";
    case CL_IE:
        if (m->pool == POOL_CO)
            return h % 2 ? "timm" : "ultralytics";
        return "transformers";
    case CL_ME:
        return h % 2 ? "open_clip" : "transformers";
    case CL_TB:
        return h % 2 ? "sklearn" : "keras";
    default:
        return "transformers";
    }
}

static unsigned model_hash(const sy_ctx *c, const sy_model *m)
{
    uint64_t x = (uint64_t)(m - c->models) * 0x9E3779B97F4A7C15ULL + c->opt.seed;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 29;
    return (unsigned)(x & 0xffffffffu);
}

/* ---------------------------------------------------------------- licenses */

static int license_in_class(sy_ctx *c, const sy_model *m, int cls)
{
    int cand[8], n = 0;
    for (int i = 0; i < sy_nlicenses && n < 8; i++)
        if (licenses[i].cls == cls)
            cand[n++] = i;
    if (cls == LC_AUP) {
        bool image = m->cls == CL_IG || m->cls == CL_VG;
        int lo = image ? 0 : 3, hi = image ? 3 : n; /* image: openrail family */
        return cand[lo + (int)gsl_rng_uniform_int(c->rng, (unsigned long)(hi - lo))];
    }
    double u = gsl_rng_uniform(c->rng);
    if (cls == LC_OPEN)
        return cand[u < 0.55 ? 0 : u < 0.85 ? 1 : 2 + (int)(u * 100) % (n - 2)];
    return cand[(int)(u * n) % n];
}

static int license_class_draw(sy_ctx *c, const sy_model *m)
{
    static const double text[LC_N] = {.62, 0, .02, .03, .33};
    static const double gen_new[LC_N] = {.45, .18, .03, .04, .30};
    static const double gen_old[LC_N] = {.55, 0, .0, .05, .40};
    static const double image[LC_N] = {.20, .45, 0, .05, .30};
    const double *p = text;
    if (m->cls == CL_TG || m->cls == CL_MG)
        p = m->cweek >= (omen_date_days(2023, 1, 1) - c->week0) / 7 ? gen_new : gen_old;
    else if (m->cls == CL_IG || m->cls == CL_VG)
        p = image;
    double u = gsl_rng_uniform(c->rng);
    for (int k = 0; k < LC_N - 1; k++)
        if ((u -= p[k]) < 0)
            return k;
    return LC_UNDOC;
}

static void license_assign(sy_ctx *c, sy_model *m)
{
    if (m->lclass) {
        m->license = (uint8_t)license_in_class(c, m, m->lclass - 1);
        return;
    }
    if (m->base != SY_NONE && gsl_rng_uniform(c->rng) < 0.6) {
        m->license = c->models[m->base].license;
        return;
    }
    m->license = (uint8_t)license_in_class(c, m, license_class_draw(c, m));
}

/* ---------------------------------------------------------------- gating, languages */

static void gated_assign(sy_ctx *c, sy_model *m)
{
    if (m->flags & SY_ANNOT)
        return; /* set with the gating annotation */
    bool org = m->pool == 0xff && c->named[m->dev].org != ORG_COMMUNITY &&
               c->named[m->dev].org != ORG_USER;
    bool gen = m->cls == CL_TG || m->cls == CL_MG || m->cls == CL_IG || m->cls == CL_VG;
    double u = gsl_rng_uniform(c->rng);
    if (org && gen && m->cweek >= (omen_date_days(2022, 12, 1) - c->week0) / 7)
        m->gated = u < 0.12 ? 1 : u < 0.15 ? 2 : 0;
    else
        m->gated = u < 0.003 ? 1 : 0;
}

static void lang_assign(sy_ctx *c, sy_model *m)
{
    if (m->base != SY_NONE && gsl_rng_uniform(c->rng) < 0.8) {
        m->lang = c->models[m->base].lang;
        return;
    }
    double u = gsl_rng_uniform(c->rng);
    bool cn = strcmp(c->devs[m->dev].country, "CN") == 0;
    if (m->cls == CL_IG || m->cls == CL_VG || m->cls == CL_IE || m->cls == CL_TB) {
        m->lang = u < 0.6 ? 0 : 1;
        return;
    }
    if (cn) {
        m->lang = u < 0.6 ? 4 : u < 0.85 ? 3 : 2;
        return;
    }
    if (u < 0.62)
        m->lang = 1;
    else if (u < 0.72)
        m->lang = 2;
    else if (u < 0.75)
        m->lang = 18;
    else if (u < 0.80)
        m->lang = 0;
    else
        m->lang = (uint8_t)(3 + (int)((u - 0.8) / 0.2 * 15));
}

/* ---------------------------------------------------------------- sizes */

/* Popular models more often carry safetensors metadata. */
static double params_known_p(const sy_model *m, double pool_p)
{
    if (m->rel == REL_QUANT)
        return 0.03;
    if (m->rel == REL_OTHER)
        return 0.3;
    if (m->pool == 0xff)
        return 0.92;
    double p = pool_p + 0.12 * log10(m->t > 230 ? m->t / 230 : 1);
    return p > 0.9 ? 0.9 : p;
}

static double pool_known_p(const sy_ctx *c)
{
    double lo = 0, hi = 1;
    for (int it = 0; it < 30; it++) { /* the base rate that gives the target share */
        double mid = 0.5 * (lo + hi), known = 0;
        for (size_t i = 0; i < c->nmodels; i++)
            known += params_known_p(&c->models[i], mid);
        if (known > PARAMS_KNOWN_SHARE * c->nmodels)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

static double log_uniform(sy_ctx *c, double lo, double hi)
{
    return lo * pow(hi / lo, gsl_rng_uniform(c->rng));
}

/* Bytes per parameter: fp16 around 2, fp32 and multi-format repositories above, quantized
 * below, and a few repositories full of checkpoints far above. */
static double bytes_per_param(sy_ctx *c, const sy_model *m)
{
    if (m->rel == REL_QUANT)
        return 0.5 + 0.3 * gsl_rng_uniform(c->rng);
    if (m->rel == REL_OTHER)
        return 1.0 + gsl_rng_uniform(c->rng);
    double bpp = 2 * gsl_ran_lognormal(c->rng, 0, 0.08), u = gsl_rng_uniform(c->rng);
    double fp32 = m->cweek < (omen_date_days(2022, 6, 1) - c->week0) / 7 ? 0.30 : 0.07;
    /* repositories full of checkpoints are rarely the popular ones */
    double junk = m->pool == 0xff || m->t > 20000 ? 0.005 : 0.04;
    if (u < fp32)
        bpp *= 2;
    else if (u < fp32 + 0.08)
        bpp *= log_uniform(c, 1.5, 3);
    else if (u < fp32 + 0.08 + junk)
        bpp *= log_uniform(c, 3, 40);
    return bpp;
}

static void size_meta(sy_ctx *c, sy_model *m, double pool_p)
{
    if (gsl_rng_uniform(c->rng) < params_known_p(m, pool_p))
        m->flags |= SY_PKNOWN;
    if (gsl_rng_uniform(c->rng) < NO_BYTES_SHARE)
        m->flags |= SY_NOBYTES;
    m->bytes = (int64_t)(m->params * bytes_per_param(c, m) + log_uniform(c, 2e4, 2e7));
}

/* ---------------------------------------------------------------- all */

static const sy_model *order_models;

static int by_cweek(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (order_models[i].cweek != order_models[j].cweek)
        return order_models[i].cweek < order_models[j].cweek ? -1 : 1;
    return i < j ? -1 : 1;
}

void sy_metadata_assign(sy_ctx *c)
{
    double pool_p = pool_known_p(c);
    uint32_t *ord = omen_xmalloc((c->nmodels + 1) * sizeof *ord);
    for (size_t i = 0; i < c->nmodels; i++)
        ord[i] = (uint32_t)i;
    order_models = c->models;
    qsort(ord, c->nmodels, sizeof *ord, by_cweek);
    for (size_t k = 0; k < c->nmodels; k++) {
        sy_model *m = &c->models[ord[k]];
        license_assign(c, m);
        gated_assign(c, m);
        lang_assign(c, m);
        size_meta(c, m, pool_p);
    }
    free(ord);
}

/* Pipeline tag and library for output (stable per model: hashed, not drawn). */
const char *sy_model_pipeline(const sy_ctx *c, const sy_model *m)
{
    return pipeline_of(c, m, model_hash(c, m));
}

const char *sy_model_library(const sy_ctx *c, const sy_model *m)
{
    return library_of(c, m, model_hash(c, m) >> 8);
}
