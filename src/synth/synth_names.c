/* synth_names.c: invented names for every developer and model: pronounceable random syllables
 * for organisations, adjective-noun or syllable handles for users, and model names built from a
 * family stem, a size and a variant, or from the base model's name for derived models. None is
 * a real organisation's name; all are unique. */
#include <gsl/gsl_randist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "synth_internal.h"

#define MAX_NAME  120
#define MAX_STEMS 8

static const char *const onsets[] = {"b",  "br", "c",  "d",  "dr", "f",  "g", "gr", "h",
                                     "j",  "k",  "kr", "l",  "m",  "n",  "p", "pr", "qu",
                                     "r",  "s",  "sh", "st", "t",  "tr", "v", "vr", "z",
                                     "th", "ch", "sk", "fl", "pl", "gl", "bl"};
static const char *const vowels[] = {"a", "e",  "i",  "o",  "u",  "a", "e",
                                     "o", "ia", "eo", "ai", "ou", "y"};
static const char *const codas[] = {"",  "",   "",  "n",  "r",  "l", "x",
                                    "s", "th", "m", "nd", "rk", "v", "k"};
static const char *const adjectives[] = {
    "quiet", "lazy",   "brave", "bright", "cosmic", "crimson", "dusty",  "eager",
    "fuzzy", "gentle", "happy", "hidden", "icy",    "jolly",   "lucky",  "mellow",
    "misty", "nimble", "odd",   "proud",  "rapid",  "rusty",   "silent", "sleepy",
    "sunny", "swift",  "tiny",  "wild",   "witty",  "zesty",   "amber",  "velvet"};
static const char *const nouns[] = {
    "otter",  "panda",  "falcon", "badger", "cedar", "comet", "ember",   "fern",
    "gecko",  "harbor", "heron",  "koala",  "lynx",  "maple", "meadow",  "moth",
    "nebula", "orca",   "pebble", "quokka", "raven", "river", "sparrow", "tiger",
    "tulip",  "walrus", "willow", "yak",    "zebra", "lotus", "canyon",  "glacier"};
static const char *const domains[] = {
    "sentiment", "emotion",   "legal",     "medical",  "clinical",  "finance",    "news",
    "tweet",     "review",    "toxic",     "spam",     "ner",       "pos",        "qa",
    "squad",     "summarize", "translate", "chat",     "code",      "math",       "story",
    "poem",      "anime",     "portrait",  "pixel",    "landscape", "watercolor", "sketch",
    "realistic", "fantasy",   "cyber",     "retro",    "vintage",   "neon",       "dream",
    "voice",     "speech",    "accent",    "bird",     "plant",     "xray",       "satellite",
    "food",      "car",       "face",      "document", "invoice",   "receipt",    "roleplay",
    "reasoning", "agent",     "tutor",     "biomed",   "patent",    "recipe",     "lyrics"};

typedef struct {
    sy_ctx *c;
    uint64_t *slots;
    size_t cap, n;
    char stems[64][MAX_STEMS][24];
} namer;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ? h : 1;
}

static void set_grow(namer *nm)
{
    size_t cap = nm->cap ? nm->cap * 2 : 1 << 16;
    uint64_t *slots = omen_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < nm->cap; i++)
        if (nm->slots[i]) {
            size_t j = nm->slots[i] & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = nm->slots[i];
        }
    free(nm->slots);
    nm->slots = slots;
    nm->cap = cap;
}

/* Adds the name to the set; false if it was there already. */
static bool set_add(namer *nm, const char *s)
{
    if (2 * (nm->n + 1) > nm->cap)
        set_grow(nm);
    uint64_t h = hash_str(s);
    size_t j = h & (nm->cap - 1);
    while (nm->slots[j]) {
        if (nm->slots[j] == h)
            return false;
        j = (j + 1) & (nm->cap - 1);
    }
    nm->slots[j] = h;
    nm->n++;
    return true;
}

uint32_t sy_name_add(sy_ctx *c, const char *s, size_t len)
{
    if (c->names_len + len + 1 > c->names_cap) {
        c->names_cap = (c->names_cap ? c->names_cap : 1 << 20) * 2 + len;
        c->names = omen_xrealloc(c->names, c->names_cap);
    }
    uint32_t off = (uint32_t)c->names_len;
    memcpy(c->names + off, s, len);
    c->names[off + len] = '\0';
    c->names_len += len + 1;
    return off;
}

#define PICK(arr) (arr)[gsl_rng_uniform_int(c->rng, sizeof(arr) / sizeof((arr)[0]))]

static void word(sy_ctx *c, int nsyl, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < nsyl; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", PICK(onsets), PICK(vowels));
    snprintf(out + n, cap - n, "%s", PICK(codas));
}

/* ---------------------------------------------------------------- developers */

static void user_handle(sy_ctx *c, char *out, size_t cap)
{
    double u = gsl_rng_uniform(c->rng);
    char a[24], b[24];
    if (u < 0.35) {
        snprintf(out, cap, "%s-%s", PICK(adjectives), PICK(nouns));
    } else if (u < 0.7) {
        word(c, 2, a, sizeof a);
        snprintf(out, cap, "%s%02d", a, (int)gsl_rng_uniform_int(c->rng, 100));
    } else {
        word(c, 2, a, sizeof a);
        word(c, 2, b, sizeof b);
        snprintf(out, cap, "%s-%s", a, b);
    }
}

static const char *const styles[][2] = {{"", ""},
                                        {"-ai", " AI"},
                                        {"labs", " Labs"},
                                        {"-research", " Research"},
                                        {"-community", " Community"},
                                        {"", ""},
                                        {"-nlp", " NLP Group"},
                                        {"-foundation", " Foundation"},
                                        {"-institute", " Institute"},
                                        {"-collective", " Collective"},
                                        {"-lab", " Lab"}};

static int pool_style(sy_ctx *c, int pool)
{
    switch (pool) {
    case POOL_USER:
        return 5;
    case POOL_CO:
        return (int)gsl_rng_uniform_int(c->rng, 3);
    case POOL_UNIV:
        return gsl_rng_uniform(c->rng) < 0.5 ? 6 : 10;
    case POOL_NP:
        return gsl_rng_uniform(c->rng) < 0.5 ? 7 : 8;
    default:
        return gsl_rng_uniform(c->rng) < 0.5 ? 4 : 9;
    }
}

static void dev_name(namer *nm, sy_dev *d, int style)
{
    sy_ctx *c = nm->c;
    char handle[64], display[80], w[24];
    for (int tries = 0;; tries++) {
        if (style == 5) {
            user_handle(c, handle, sizeof handle);
            snprintf(display, sizeof display, "%s", handle);
        } else {
            word(c, 2 + (gsl_rng_uniform(c->rng) < 0.4), w, sizeof w);
            snprintf(handle, sizeof handle, "%s%s", w, styles[style][0]);
            snprintf(display, sizeof display, "%c%s%s", w[0] - 32, w + 1, styles[style][1]);
        }
        if (tries > 3)
            snprintf(handle + strlen(handle), sizeof handle - strlen(handle), "%d", tries);
        if (set_add(nm, handle))
            break;
    }
    d->name = sy_name_add(c, handle, strlen(handle));
    d->display = sy_name_add(c, display, strlen(display));
}

static void devs_name(namer *nm)
{
    sy_ctx *c = nm->c;
    for (size_t i = 0; i < c->ndevs; i++) {
        sy_dev *d = &c->devs[i];
        int style = d->named ? c->named[i].style : pool_style(c, d->pool);
        dev_name(nm, d, style);
        if (d->named && i < 64)
            for (int k = 0; k < MAX_STEMS; k++)
                word(c, 2, nm->stems[i][k], sizeof nm->stems[i][k]);
    }
}

/* ---------------------------------------------------------------- models */

static void size_tag(double p, char *out, size_t cap)
{
    if (p >= 1e12)
        snprintf(out, cap, "%.0ft", p / 1e12);
    else if (p >= 9.5e9)
        snprintf(out, cap, "%.0fb", p / 1e9);
    else if (p >= 1e9)
        snprintf(out, cap, "%.1fb", p / 1e9);
    else
        snprintf(out, cap, "%.0fm", p / 1e6);
    char *dot = strstr(out, ".0");
    if (dot)
        memmove(dot, dot + 2, strlen(dot + 2) + 1);
}

static const char *size_word(double p)
{
    return p < 15e6 ? "tiny" : p < 40e6 ? "small" : p < 150e6 ? "base" : p < 500e6 ? "large" : "xl";
}

static const char *version_of(const sy_ctx *c, const sy_model *m)
{
    static const char *const v[] = {"1", "1.5", "2", "2.5", "3", "3.5", "4"};
    int half = (m->cweek - (omen_date_days(2023, 1, 1) - c->week0) / 7) / 26;
    return v[half < 0 ? 0 : half > 6 ? 6 : half];
}

static void named_root(namer *nm, const sy_model *m, char *out, size_t cap)
{
    sy_ctx *c = nm->c;
    int fams = c->named[m->dev].family_words > 0 ? c->named[m->dev].family_words : 1;
    const char *stem = nm->stems[m->dev][m->stream % (unsigned)fams % MAX_STEMS];
    char st[16];
    size_tag(m->params, st, sizeof st);
    const char *ver = version_of(c, m);
    switch (m->cls) {
    case CL_TE:
        snprintf(
            out, cap, "%s-%s%s", stem, size_word(m->params),
            PICK(((const char *[]){"", "-uncased", "-cased", "-v2", "-multilingual", "-embed"})));
        break;
    case CL_TG:
        if (m->cweek < (omen_date_days(2023, 1, 1) - c->week0) / 7)
            snprintf(out, cap, "%s-%s", stem, size_word(m->params));
        else
            snprintf(out, cap, "%s%s-%s%s", stem, ver, st,
                     PICK(((const char *[]){"", "-instruct", "-instruct", "-chat", "-base"})));
        break;
    case CL_IG:
        if (m->params < 300e6)
            snprintf(out, cap, "%s-vae-ft", stem);
        else
            snprintf(out, cap, "%s-%s%s", stem, m->params > 3e9 ? "xl-" : "v", ver);
        break;
    case CL_VG:
        snprintf(out, cap, "%s%s-%s-%s", stem, ver, PICK(((const char *[]){"t2v", "i2v"})), st);
        break;
    case CL_MG:
        snprintf(out, cap, "%s%s-vl-%s-instruct", stem, ver, st);
        break;
    case CL_AU:
        snprintf(out, cap, "%s-%s%s", stem, size_word(m->params),
                 PICK(((const char *[]){"", ".en", "-v2", "-v3"})));
        break;
    case CL_IE:
        snprintf(out, cap, "%s-%s-patch%d-224", stem, size_word(m->params),
                 14 + 2 * (int)gsl_rng_uniform_int(c->rng, 2));
        break;
    case CL_ME:
        snprintf(out, cap, "%s-%s-patch14-384", stem, size_word(m->params));
        break;
    default:
        snprintf(out, cap, "%s-tabular", stem);
        break;
    }
}

static void pool_root(namer *nm, const sy_model *m, char *out, size_t cap)
{
    sy_ctx *c = nm->c;
    char w[24], st[16];
    word(c, 2, w, sizeof w);
    size_tag(m->params, st, sizeof st);
    double u = gsl_rng_uniform(c->rng);
    if (u < 0.4)
        snprintf(out, cap, "%s-%s", PICK(domains), w);
    else if (u < 0.7)
        snprintf(out, cap, "%s-%s-%s", w, PICK(domains), st);
    else
        snprintf(out, cap, "%s-%s", w, size_word(m->params));
}

static const char *short_of(const sy_ctx *c, uint32_t model)
{
    const char *full = sy_str(c, c->models[model].name), *slash = strchr(full, '/');
    return slash ? slash + 1 : full;
}

static void derived_name(namer *nm, const sy_model *m, char *out, size_t cap)
{
    sy_ctx *c = nm->c;
    char b[48];
    snprintf(b, sizeof b, "%s", short_of(c, m->base));
    /* keep the base's first two name parts, so chains of derivations stay short */
    char *dash = strchr(b, '-');
    if (dash && (dash = strchr(dash + 1, '-')))
        *dash = '\0';
    const char *key = c->streams[m->stream].key;
    switch (m->rel) {
    case REL_QUANT:
        if (strstr(key, "mlx"))
            snprintf(out, cap, "%s-%s", b,
                     PICK(((const char *[]){"4bit", "8bit", "mlx-4bit", "6bit"})));
        else if (strstr(key, "qw_q"))
            snprintf(out, cap, "%s-%s", b,
                     PICK(((const char *[]){"AWQ", "GPTQ-Int4", "GGUF", "FP8"})));
        else
            snprintf(out, cap, "%s-%s", b,
                     PICK(((const char *[]){"GGUF", "GGUF", "Q4_K_M-GGUF", "i1-GGUF"})));
        break;
    case REL_ADAPTER:
        snprintf(out, cap, "%s-%s-lora", PICK(domains), b);
        break;
    case REL_MERGE:
        snprintf(out, cap, "%s-%s-merge", b,
                 m->base2 != SY_NONE ? short_of(c, m->base2) : PICK(domains));
        break;
    case REL_CP:
        snprintf(out, cap, "%s-%s", b, PICK(domains));
        break;
    case REL_OTHER:
        snprintf(out, cap, "%s%s", b, PICK(((const char *[]){"_repackaged", "-fp8", "_comfy"})));
        break;
    default:
        if (gsl_rng_uniform(c->rng) < 0.5)
            snprintf(out, cap, "%s-finetuned-%s", b, PICK(domains));
        else
            snprintf(out, cap, "%s-%s", PICK(domains), b);
        break;
    }
}

static void model_name(namer *nm, sy_model *m)
{
    sy_ctx *c = nm->c;
    char stem[MAX_NAME], full[MAX_NAME + 72];
    if (m->base != SY_NONE)
        derived_name(nm, m, stem, sizeof stem);
    else if (m->pool == 0xff)
        named_root(nm, m, stem, sizeof stem);
    else
        pool_root(nm, m, stem, sizeof stem);
    const char *dev = sy_str(c, c->devs[m->dev].name);
    snprintf(full, sizeof full, "%s/%s", dev, stem);
    size_t len = strlen(full);
    for (int k = 2; !set_add(nm, full); k++)
        snprintf(full + len, sizeof full - len, "-%d", k);
    m->name = sy_name_add(c, full, strlen(full));
}

static const sy_model *cmp_models;
static const char *sort_names;

static int by_cweek(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (cmp_models[i].cweek != cmp_models[j].cweek)
        return cmp_models[i].cweek < cmp_models[j].cweek ? -1 : 1;
    return i < j ? -1 : 1;
}

static int by_name(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    return strcmp(sort_names + cmp_models[i].name, sort_names + cmp_models[j].name);
}

void sy_names_assign(sy_ctx *c)
{
    namer *nm = omen_xcalloc(1, sizeof *nm);
    nm->c = c;
    devs_name(nm);
    uint32_t *ord = omen_xmalloc((c->nmodels + 1) * sizeof *ord);
    for (size_t i = 0; i < c->nmodels; i++)
        ord[i] = (uint32_t)i;
    cmp_models = c->models;
    qsort(ord, c->nmodels, sizeof *ord, by_cweek);
    for (size_t k = 0; k < c->nmodels; k++)
        model_name(nm, &c->models[ord[k]]);
    sort_names = c->names;
    qsort(ord, c->nmodels, sizeof *ord, by_name);
    c->order = ord;
    free(nm->slots);
    free(nm);
}
