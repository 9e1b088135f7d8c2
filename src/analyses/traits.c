/* traits.c: which values of a characteristic each model carries (see traits.h): one pass over
 * the annotations per field, values interned through the panel's string ids. */
#include "traits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../vocab/taxonomy.h"

static const char *const table_fields[] = {"org_type",        "training_data", "gating",
                                           "license_class",   "modality",      "input_modality",
                                           "output_modality", "architecture",  "training_methods",
                                           "languages",       "derivation",    NULL};

const char *const *omen_traits_fields(void)
{
    return table_fields;
}

int omen_traits_group_rank(const char *field)
{
    if (strcmp(field, "org_type") == 0)
        return 0;
    if (strcmp(field, "training_data") == 0 || strcmp(field, "gating") == 0 ||
        strcmp(field, "license_class") == 0)
        return 1;
    if (strcmp(field, "modality") == 0 || strcmp(field, "input_modality") == 0 ||
        strcmp(field, "output_modality") == 0)
        return 2;
    return 3;
}

const char *omen_traits_group(const char *field)
{
    static const char *const groups[] = {"Organizations", "Model Access", "Model Modality",
                                         "Model Attributes"};
    return groups[omen_traits_group_rank(field)];
}

bool omen_traits_known(const char *field)
{
    return strcmp(field, "org_type") == 0 || strcmp(field, "modality") == 0 ||
           omen_taxonomy_field_find(field, strlen(field)) != NULL;
}

/* ---------------------------------------------------------------- building */

typedef struct {
    const omen_panel *p;
    omen_traits *t;
    uint32_t *by_string; /* panel string id -> value id */
    size_t cap_names, cap_values, at;
    uint32_t none; /* the id of OMEN_TRAIT_NONE once made: most models of a field lack labels */
} builder;

static uint32_t value_id(builder *b, const char *name, uint32_t sid)
{
    if (sid != OMEN_NONE && b->by_string[sid] != OMEN_NONE)
        return b->by_string[sid];
    if (b->none != OMEN_NONE && strcmp(name, OMEN_TRAIT_NONE) == 0)
        return b->none;
    omen_traits *t = b->t;
    uint32_t v = OMEN_NONE;
    for (size_t i = 0; i < t->nvalues && v == OMEN_NONE; i++)
        if (strcmp(t->names[i], name) == 0)
            v = (uint32_t)i;
    if (v == OMEN_NONE) {
        if (t->nvalues == b->cap_names) {
            b->cap_names = b->cap_names ? 2 * b->cap_names : 16;
            t->names = omen_xrealloc(t->names, b->cap_names * sizeof *t->names);
        }
        t->names[t->nvalues] = omen_xstrdup(name);
        v = (uint32_t)t->nvalues++;
    }
    if (sid != OMEN_NONE)
        b->by_string[sid] = v;
    if (strcmp(name, OMEN_TRAIT_NONE) == 0)
        b->none = v;
    return v;
}

/* Appends a value to model m's list (whose values start at t->off[m]) unless present. */
static void push(builder *b, uint32_t m, uint32_t v)
{
    omen_traits *t = b->t;
    for (size_t j = t->off[m]; j < b->at; j++)
        if (t->value[j] == v)
            return;
    if (b->at == b->cap_values) {
        b->cap_values = 2 * b->cap_values;
        t->value = omen_xrealloc(t->value, b->cap_values * sizeof *t->value);
    }
    t->value[b->at++] = v;
}

/* The string id of an annotation field's name in this panel: strings are interned, so one id
 * names the field; ids seen not to match are remembered so each annotation costs a compare. */
typedef struct {
    const char *name;
    uint32_t yes;
    uint32_t no[32];
    size_t nno;
} field_match;

static bool is_field(const omen_panel *p, field_match *fm, uint32_t sid)
{
    if (sid == fm->yes)
        return true;
    for (size_t i = 0; i < fm->nno; i++)
        if (fm->no[i] == sid)
            return false;
    if (strcmp(omen_panel_str(p, sid), fm->name) == 0) {
        fm->yes = sid;
        return true;
    }
    if (fm->nno < sizeof fm->no / sizeof fm->no[0])
        fm->no[fm->nno++] = sid;
    return false;
}

/* The value string ids of model m for the field: its human labels if it has any, else its
 * heuristic ones. Returns the count (at most cap). */
static size_t labels_of(const omen_panel *p, field_match *fm, uint32_t m, uint32_t *out, size_t cap)
{
    bool human = false;
    for (uint64_t i = p->annot_off[m]; i < p->annot_off[m + 1] && !human; i++)
        human = is_field(p, fm, p->annot_field[i]) && !p->annot_heuristic[i];
    size_t n = 0;
    for (uint64_t i = p->annot_off[m]; i < p->annot_off[m + 1]; i++)
        if (is_field(p, fm, p->annot_field[i]) && (!human || !p->annot_heuristic[i]) && n < cap)
            out[n++] = p->annot_value[i];
    return n;
}

/* The paper's Table 1 merges some labels into one row; a model carrying any part carries it. */
static const struct {
    const char *field, *row, *parts[4];
} paper_groups[] = {
    {"architecture",
     "Transformer: Speech",
     {"Transformer: Speech Encoder-only", "Transformer: Speech Decoder-only",
      "Transformer: Speech Encoder-Decoder", NULL}},
    {"architecture",
     "VAE / GAN",
     {"Variational Autoencoder", "Generative Adversarial Network (GAN)", NULL, NULL}},
    {"architecture", "LSTM / GRU", {"LSTM", "GRU", NULL, NULL}},
    {"training_data",
     "Disclosed & Unavailable",
     {"Disclosed: unavailable", "Partially disclosed: unavailable", NULL, NULL}},
};

static void add_paper_groups(builder *b, uint32_t m, const uint32_t *sids, size_t n)
{
    for (size_t g = 0; g < sizeof paper_groups / sizeof paper_groups[0]; g++) {
        if (strcmp(paper_groups[g].field, b->t->field) != 0)
            continue;
        bool any = false;
        for (size_t i = 0; i < n && !any; i++)
            for (size_t k = 0; paper_groups[g].parts[k] && !any; k++)
                any = strcmp(omen_panel_str(b->p, sids[i]), paper_groups[g].parts[k]) == 0;
        if (any)
            push(b, m, value_id(b, paper_groups[g].row, OMEN_NONE));
    }
}

/* Position of a label in the field's taxonomy order (open fields: none, sorted by name). */
static int label_rank(const omen_taxonomy_field *f, const char *s)
{
    for (int k = 0; f && f->labels && f->labels[k]; k++)
        if (strcmp(f->labels[k], s) == 0)
            return k;
    return 1000;
}

static void sort_labels(const omen_panel *p, const omen_taxonomy_field *f, uint32_t *sids, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            const char *a = omen_panel_str(p, sids[j - 1]), *c = omen_panel_str(p, sids[j]);
            int ra = label_rank(f, a), rc = label_rank(f, c);
            if (ra < rc || (ra == rc && strcmp(a, c) <= 0))
                break;
            uint32_t x = sids[j - 1];
            sids[j - 1] = sids[j];
            sids[j] = x;
        }
}

/* One value per model: its labels in taxonomy order joined by " + ". */
static void add_combined(builder *b, const omen_taxonomy_field *f, uint32_t m, uint32_t *sids,
                         size_t n)
{
    if (n == 1) {
        push(b, m, value_id(b, omen_panel_str(b->p, sids[0]), sids[0]));
        return;
    }
    sort_labels(b->p, f, sids, n);
    char buf[1024];
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? " + " : "",
                                omen_panel_str(b->p, sids[i]));
    push(b, m, value_id(b, buf, OMEN_NONE));
}

static void annotated(builder *b, int flags)
{
    const omen_panel *p = b->p;
    const char *field = b->t->field;
    const omen_taxonomy_field *f = omen_taxonomy_field_find(field, strlen(field));
    bool license = strcmp(field, "license_class") == 0;
    bool derivation = strcmp(field, "derivation") == 0;
    field_match fm = {field, OMEN_NONE, {0}, 0};
    uint32_t sids[64];
    for (uint32_t m = 0; m < p->n_models; m++) {
        b->t->off[m] = b->at;
        size_t n = labels_of(p, &fm, m, sids, sizeof sids / sizeof sids[0]);
        if (n == 0 && license) {
            uint32_t l = p->model_license[m];
            const char *id = omen_panel_str(p, l);
            push(b, m, value_id(b, omen_license_class(id, strlen(id)), OMEN_NONE));
        } else if (n == 0) {
            push(b, m, value_id(b, OMEN_TRAIT_NONE, OMEN_NONE));
        } else if (derivation) {
            for (size_t i = 0; i < n; i++) {
                bool no = strcmp(omen_panel_str(p, sids[i]), "No") == 0;
                push(b, m, value_id(b, no ? "No" : "Derived", OMEN_NONE));
            }
        } else if (flags & OMEN_TRAITS_COMBINE) {
            add_combined(b, f, m, sids, n);
        } else {
            for (size_t i = 0; i < n; i++)
                push(b, m, value_id(b, omen_panel_str(p, sids[i]), sids[i]));
            if (flags & OMEN_TRAITS_PAPER_GROUPS)
                add_paper_groups(b, m, sids, n);
        }
    }
}

static void org_types(builder *b)
{
    const omen_panel *p = b->p;
    for (uint32_t m = 0; m < p->n_models; m++) {
        b->t->off[m] = b->at;
        uint32_t s = p->dev_org_type[p->model_developer[m]];
        push(b, m, value_id(b, s == OMEN_NONE ? "unknown" : omen_panel_str(p, s), s));
    }
}

/* ---------------------------------------------------------------- modality groups */

enum { IN_TEXT = 1, IN_IMAGE = 2, IN_VIDEO = 4, IN_SPEECH = 8, IN_TABULAR = 16 };
enum {
    OUT_TEXT_GEN = 1,
    OUT_IMAGE_GEN = 2,
    OUT_VIDEO_GEN = 4,
    OUT_SPEECH_GEN = 8,
    OUT_TABULAR = 16,
    OUT_TEXT_CLS = 32,
    OUT_TEXT_SEQ = 64,
    OUT_IMAGE_CLS = 128,
    OUT_IMAGE_SEG = 256,
    OUT_IMAGE_BOX = 512,
    OUT_TEXT_EMB = 1024,
    OUT_IMAGE_EMB = 2048,
    OUT_OTHER = 4096
};

/* Bits of a model's labels in a field, in the taxonomy's label order. */
static unsigned label_bits(const omen_panel *p, field_match *fm, const omen_taxonomy_field *f,
                           uint32_t m, size_t *n)
{
    uint32_t sids[64];
    *n = labels_of(p, fm, m, sids, sizeof sids / sizeof sids[0]);
    unsigned bits = 0;
    for (size_t i = 0; i < *n; i++) {
        int k = label_rank(f, omen_panel_str(p, sids[i]));
        if (k < 31)
            bits |= 1u << k;
    }
    return bits;
}

static int popcount(unsigned x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* The Table 1 modality row of a model from its input and output labels, first rule that
 * matches (docs/methodology.md, "Modality groups"). */
static const char *modality_group(unsigned in, size_t nin, unsigned out, size_t nout)
{
    unsigned gen = OUT_TEXT_GEN | OUT_IMAGE_GEN | OUT_VIDEO_GEN | OUT_SPEECH_GEN;
    if (nin == 0 && nout == 0)
        return "Undocumented";
    if (((out & gen) && popcount(in) >= 2) ||
        ((out & OUT_TEXT_GEN) && (in & (IN_IMAGE | IN_VIDEO))))
        return "Multimodal Generation";
    if (out & OUT_VIDEO_GEN)
        return "Video Generation";
    if (out & OUT_IMAGE_GEN)
        return "Image Generation";
    if ((in & IN_SPEECH) || (out & OUT_SPEECH_GEN))
        return "Audio Models";
    if ((out & OUT_TEXT_GEN) && in == IN_TEXT)
        return "Text Generation";
    if ((in & IN_TEXT) && (in & IN_IMAGE) && (out & (OUT_TEXT_EMB | OUT_IMAGE_EMB)))
        return "Multimodal Embedding";
    if ((in & IN_TEXT) && (out & (OUT_TEXT_EMB | OUT_TEXT_CLS | OUT_TEXT_SEQ)))
        return "Text Embed/Class";
    if ((in & IN_IMAGE) && (out & (OUT_IMAGE_EMB | OUT_IMAGE_CLS | OUT_IMAGE_SEG | OUT_IMAGE_BOX)))
        return "Image Embedding";
    if ((in & IN_TABULAR) || (out & OUT_TABULAR))
        return "Tabular Models";
    return "Other";
}

static void modality_groups(builder *b)
{
    const omen_panel *p = b->p;
    const omen_taxonomy_field *fi = omen_taxonomy_field_find("input_modality", 14);
    const omen_taxonomy_field *fo = omen_taxonomy_field_find("output_modality", 15);
    field_match mi = {"input_modality", OMEN_NONE, {0}, 0};
    field_match mo = {"output_modality", OMEN_NONE, {0}, 0};
    for (uint32_t m = 0; m < p->n_models; m++) {
        b->t->off[m] = b->at;
        size_t nin, nout;
        unsigned in = label_bits(p, &mi, fi, m, &nin), out = label_bits(p, &mo, fo, m, &nout);
        push(b, m, value_id(b, modality_group(in, nin, out, nout), OMEN_NONE));
    }
}

void omen_traits_build(const omen_panel *p, const char *field, int flags, omen_traits *t)
{
    memset(t, 0, sizeof *t);
    t->field = field;
    size_t ns = p->n_strings ? p->n_strings : 1;
    builder b = {p, t,        omen_xmalloc(ns * sizeof(uint32_t)), 0, (size_t)p->n_models + 16,
                 0, OMEN_NONE};
    memset(b.by_string, 0xff, ns * sizeof(uint32_t));
    t->off = omen_xmalloc(((size_t)p->n_models + 1) * sizeof *t->off);
    t->value = omen_xmalloc(b.cap_values * sizeof *t->value);
    if (strcmp(field, "org_type") == 0)
        org_types(&b);
    else if (strcmp(field, "modality") == 0)
        modality_groups(&b);
    else
        annotated(&b, flags);
    t->off[p->n_models] = b.at;
    free(b.by_string);
}

void omen_traits_free(omen_traits *t)
{
    for (size_t i = 0; i < t->nvalues; i++)
        free(t->names[i]);
    free(t->names);
    free(t->off);
    free(t->value);
    memset(t, 0, sizeof *t);
}

/* qsort has no context argument in C11; thread-local so that analyses running in several
 * threads at once (the HTTP server) do not sort by each other's names. */
static _Thread_local const omen_traits *sort_traits;

static int by_amount(const void *x, const void *y)
{
    const omen_trait_tally *a = x, *b = y;
    if (a->amount != b->amount)
        return a->amount > b->amount ? -1 : 1;
    return strcmp(sort_traits->names[a->value], sort_traits->names[b->value]);
}

size_t omen_traits_tally(const omen_traits *t, const uint32_t *ids, const double *amounts, size_t n,
                         double *acc, omen_trait_tally *order, double *total)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += amounts[i];
        for (uint64_t j = t->off[ids[i]]; j < t->off[ids[i] + 1]; j++)
            acc[t->value[j]] += amounts[i];
    }
    size_t k = 0;
    for (size_t v = 0; v < t->nvalues; v++) {
        if (acc[v] > 0)
            order[k++] = (omen_trait_tally){acc[v], (uint32_t)v};
        acc[v] = 0;
    }
    sort_traits = t;
    qsort(order, k, sizeof *order, by_amount);
    *total = sum;
    return k;
}
