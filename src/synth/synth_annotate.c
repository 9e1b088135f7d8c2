/* synth_annotate.c: the human-style annotations of the Head Sample, fitted to Table 1.
 *
 * Once the downloads exist, the Head Sample and each head model's rolling-window downloads per
 * segment are known. A greedy fit then decides, model by model from the most downloaded down,
 * the choices that the paper's annotators (and the Hub's metadata) made: the organisation type
 * of pool developers, which models stay undocumented, license class, gating, training data
 * availability, and every architecture and method row, always within what the model's class
 * and derivation allow. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "synth_internal.h"

#define MAXCAT 12
#define EPS    0.005

const char *const sy_arch_labels[] = {OMEN_ARCH_TF_TEXT_ENCODER_ONLY,
                                      OMEN_ARCH_TF_TEXT_DECODER_ONLY,
                                      OMEN_ARCH_TF_TEXT_ENCODER_DECODER,
                                      OMEN_ARCH_TF_IMAGE_ENCODER_ONLY,
                                      OMEN_ARCH_TF_SPEECH_ENCODER_ONLY,
                                      OMEN_ARCH_TF_SPEECH_ENCODER_DECODER,
                                      OMEN_ARCH_TF_SPEECH_DECODER_ONLY,
                                      OMEN_ARCH_LSTM,
                                      OMEN_ARCH_GRU,
                                      OMEN_ARCH_CNN,
                                      OMEN_ARCH_DIFFUSION_BASED_NETWORK,
                                      OMEN_ARCH_VARIATIONAL_AUTOENCODER,
                                      OMEN_ARCH_MIXTURE_OF_EXPERTS,
                                      OMEN_ARCH_GENERATIVE_ADVERSARIAL_NETWORK_GAN,
                                      OMEN_ARCH_TF_UNKNOWN,
                                      OMEN_ARCH_OTHER,
                                      NULL};
enum {
    AR_ENC,
    AR_DEC,
    AR_ENCDEC,
    AR_IMGENC,
    AR_SPENC,
    AR_SPED,
    AR_SPDEC,
    AR_LSTM,
    AR_GRU,
    AR_CNN,
    AR_DIFF,
    AR_VAE,
    AR_MOE,
    AR_GAN,
    AR_UNKNOWN,
    AR_OTHER
};

const char *const sy_method_labels[] = {OMEN_METHOD_PRE_MASKED_LANGUAGE_MODELING_MLM,
                                        OMEN_METHOD_PRE_CAUSAL_LANGUAGE_MODELING_CLM,
                                        OMEN_METHOD_PRE_CONTRASTIVE_LEARNING,
                                        OMEN_METHOD_PRE_SUPERVISED,
                                        OMEN_METHOD_FT_SUPERVISED,
                                        OMEN_METHOD_PARAMETER_EFFICIENT_FINETUNING,
                                        OMEN_METHOD_KNOWLEDGE_DISTILLATION,
                                        OMEN_METHOD_INSTRUCTION_FINETUNING,
                                        OMEN_METHOD_REINFORCEMENT_LEARNING_FROM_FEEDBACK,
                                        OMEN_METHOD_QUANTIZATION,
                                        OMEN_METHOD_MODEL_MERGING,
                                        OMEN_METHOD_PRE_DENOISING_AUTOENCODER,
                                        OMEN_METHOD_UNDISCLOSED,
                                        NULL};
enum {
    ME_MLM,
    ME_CLM,
    ME_CONTR,
    ME_SUP,
    ME_FT,
    ME_PEFT,
    ME_KD,
    ME_INSTR,
    ME_RLHF,
    ME_QUANT,
    ME_MERGE,
    ME_DENOISE,
    ME_UNDISCLOSED
};

const char *const sy_data_labels[] = {OMEN_DATA_NOT_DISCLOSED, OMEN_DATA_DISCLOSED_UNAVAILABLE,
                                      OMEN_DATA_DISCLOSED_AVAILABLE,
                                      OMEN_DATA_PARTIALLY_DISCLOSED_UNAVAILABLE, NULL};
const char *const sy_gating_labels[] = {OMEN_GATING_N_A, OMEN_GATING_ACCEPT_TO_SHARE_USERNAME_EMAIL,
                                        OMEN_GATING_OTHER_AGREEMENT_INFO_REQUIREMENTS, NULL};

/* ---------------------------------------------------------------- Table 1 targets */

/* Organisation rows, by pool kind (user, company, university, nonprofit, community). */
static const double org_t[POOL_N][SY_NSEG] = {{.165, .340, .396, .387},
                                              {.692, .449, .417, .370},
                                              {.096, .091, .085, .092},
                                              {.047, .041, .064, .054},
                                              {.000, .079, .038, .096}};
/* Modality groups by class, then Undocumented. */
static const double mod_t[CL_N + 1][SY_NSEG] = {{.752, .285, .269, .229}, {.210, .110, .125, .203},
                                                {.003, .279, .250, .230}, {.000, .004, .008, .018},
                                                {.000, .008, .013, .033}, {.010, .074, .090, .092},
                                                {.002, .148, .125, .066}, {.003, .021, .021, .021},
                                                {.001, .000, .001, .001}, {.019, .071, .097, .106}};
/* License classes: Open Use, Acceptable Usage Policy, Attribution, Non-commercial,
 * Undocumented (the last but one is what the others leave). */
static const double lic_t[5][SY_NSEG] = {{.814, .541, .583, .551},
                                         {.000, .145, .097, .097},
                                         {.002, .006, .033, .030},
                                         {.011, .013, .010, .010},
                                         {.173, .295, .277, .312}};
/* Gating: N/A, Accept, Other (N/A is what the annotated models leave). */
static const double gate_t[3][SY_NSEG] = {
    {.981, .914, .859, .858}, {.000, .010, .033, .024}, {.000, .005, .011, .012}};
/* Training data: Not disclosed, Disclosed & Unavailable, Disclosed & Available, no label. */
static const double data_t[4][SY_NSEG] = {{.098, .234, .316, .431},
                                          {.021, .012, .022, .029},
                                          {.793, .585, .535, .398},
                                          {.069, .098, .030, .036}};

enum {
    B_MOE,
    B_DEC,
    B_SPEECH,
    B_DIFF,
    B_VAEGAN,
    B_ENCDEC,
    B_CNN,
    B_ENC,
    B_LSTM,
    B_QUANT,
    B_RLHF,
    B_INSTR,
    B_PEFT,
    B_CONTR,
    B_MERGE,
    NBIN
};
static const double bin_t[NBIN][SY_NSEG] = {
    {.000, .001, .004, .016}, {.081, .074, .102, .208}, {.008, .038, .069, .077},
    {.001, .200, .189, .195}, {.000, .051, .026, .028}, {.118, .053, .055, .048},
    {.001, .113, .146, .088}, {.768, .434, .377, .328}, {.004, .002, .002, .002},
    {.000, .011, .038, .122}, {.001, .005, .014, .041}, {.001, .025, .041, .065},
    {.007, .061, .065, .088}, {.021, .058, .117, .102}, {.000, .038, .014, .013}};

/* ---------------------------------------------------------------- the greedy fit */

typedef struct {
    int ncat;
    const double (*t)[SY_NSEG];
    double cur[MAXCAT][SY_NSEG];
} fit;

typedef struct {
    uint32_t *idx;        /* head models, most downloaded first */
    double (*x)[SY_NSEG]; /* share of the segment's head downloads, per idx */
    size_t n;
} head_view;

/* Change of the fit's cost when sgn * x is added to category k: a chi-squared style sum of
 * squared deviations from the targets, each scaled by the target. */
static double delta_sgn(const fit *f, int k, const double *x, double sgn)
{
    double d = 0;
    for (int s = 0; s < SY_NSEG; s++) {
        double t = f->t[k][s], sc = 1 / sqrt(t + EPS);
        double a = (f->cur[k][s] - t) * sc, b = (f->cur[k][s] + sgn * x[s] - t) * sc;
        d += b * b - a * a;
    }
    return d;
}

static double delta(const fit *f, int k, const double *x)
{
    return delta_sgn(f, k, x, 1);
}

static void add_sgn(fit *f, int k, const double *x, double sgn)
{
    for (int s = 0; s < SY_NSEG; s++)
        f->cur[k][s] += sgn * x[s];
}

static void add(fit *f, int k, const double *x)
{
    add_sgn(f, k, x, 1);
}

/* Best eligible category (bit k of `mask`) for a model. */
static int choose(const fit *f, unsigned mask, const double *x)
{
    int best = -1;
    double bd = 0;
    for (int k = 0; k < f->ncat; k++) {
        if (!(mask & (1u << k)))
            continue;
        double d = delta(f, k, x);
        if (best < 0 || d < bd) {
            best = k;
            bd = d;
        }
    }
    return best;
}

static const sy_ctx *sort_ctx;
static double (*sort_x)[SY_NSEG];

static int by_weight(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double wi = 0, wj = 0;
    for (int s = 0; s < SY_NSEG; s++) {
        wi += sort_x[i][s];
        wj += sort_x[j][s];
    }
    if (wi != wj)
        return wi > wj ? -1 : 1;
    return i < j ? -1 : 1;
}

static void view_build(sy_ctx *c, head_view *v)
{
    double tot[SY_NSEG] = {0};
    for (size_t k = 0; k < c->nhead; k++)
        for (int s = 0; s < SY_NSEG; s++)
            tot[s] += c->segdl[c->head[k]][s];
    double(*x)[SY_NSEG] = omen_xcalloc(c->nhead + 1, sizeof *x);
    for (size_t k = 0; k < c->nhead; k++)
        for (int s = 0; s < SY_NSEG; s++)
            x[k][s] = tot[s] > 0 ? c->segdl[c->head[k]][s] / tot[s] : 0;
    size_t *ord = omen_xmalloc((c->nhead + 1) * sizeof *ord);
    for (size_t k = 0; k < c->nhead; k++)
        ord[k] = k;
    sort_ctx = c;
    sort_x = x;
    qsort(ord, c->nhead, sizeof *ord, by_weight);
    v->n = c->nhead;
    v->idx = omen_xmalloc((c->nhead + 1) * sizeof *v->idx);
    v->x = omen_xcalloc(c->nhead + 1, sizeof *v->x);
    for (size_t k = 0; k < c->nhead; k++) {
        v->idx[k] = c->head[ord[k]];
        memcpy(v->x[k], x[ord[k]], sizeof v->x[k]);
    }
    free(ord);
    free(x);
}

/* Runs a partition fit: `mask_of` gives each model's eligible categories (one bit set means
 * the category is fixed); the chosen category is returned in out[k] (-1 for none). */
static void partition(sy_ctx *c, const head_view *v, fit *f,
                      unsigned (*mask_of)(const sy_ctx *, const sy_model *), int *out)
{
    for (size_t k = 0; k < v->n; k++) {
        unsigned mk = mask_of(c, &c->models[v->idx[k]]);
        out[k] = -1;
        if (mk && !(mk & (mk - 1))) {
            out[k] = __builtin_ctz(mk);
            add(f, out[k], v->x[k]);
        }
    }
    for (size_t k = 0; k < v->n; k++) {
        unsigned mk = mask_of(c, &c->models[v->idx[k]]);
        if (!mk || !(mk & (mk - 1)))
            continue;
        out[k] = choose(f, mk, v->x[k]);
        add(f, out[k], v->x[k]);
    }
    /* local search: move single models while that lowers the cost */
    for (int pass = 0; pass < 6; pass++) {
        int moved = 0;
        for (size_t k = 0; k < v->n; k++) {
            unsigned mk = mask_of(c, &c->models[v->idx[k]]);
            if (!mk || !(mk & (mk - 1)))
                continue;
            add_sgn(f, out[k], v->x[k], -1);
            double stay = delta(f, out[k], v->x[k]);
            int best = choose(f, mk, v->x[k]);
            if (delta(f, best, v->x[k]) < stay - 1e-12) {
                out[k] = best;
                moved++;
            }
            add(f, out[k], v->x[k]);
        }
        if (!moved)
            break;
    }
}

/* ---------------------------------------------------------------- eligibility */

static int week_of(const sy_ctx *c, int y, int m, int d)
{
    return (omen_date_days(y, m, d) - c->week0) / 7;
}

static bool is_named(const sy_model *m)
{
    return m->pool == 0xff;
}

static sy_org named_org(const sy_ctx *c, const sy_model *m)
{
    return c->named[m->dev].org;
}

static unsigned org_mask(const sy_ctx *c, const sy_model *m)
{
    if (is_named(m)) {
        switch (named_org(c, m)) {
        case ORG_USER:
            return 1u << POOL_USER;
        case ORG_COMPANY:
            return 1u << POOL_CO;
        case ORG_UNIV:
            return 1u << POOL_UNIV;
        case ORG_NONPROFIT:
            return 1u << POOL_NP;
        case ORG_COMMUNITY:
            return 1u << POOL_CMTY;
        default:
            return 0;
        }
    }
    unsigned all = (1u << POOL_N) - 1;
    return m->cweek < week_of(c, 2022, 12, 1) ? all & ~(1u << POOL_CMTY) : all;
}

static unsigned modality_mask(const sy_ctx *c, const sy_model *m)
{
    bool undoc_ok = !is_named(m) || named_org(c, m) == ORG_COMMUNITY || named_org(c, m) == ORG_USER;
    return (1u << m->cls) | (undoc_ok ? 1u << CL_N : 0);
}

static bool generative(const sy_model *m)
{
    return m->cls == CL_TG || m->cls == CL_MG || m->cls == CL_IG || m->cls == CL_VG;
}

static unsigned license_mask(const sy_ctx *c, const sy_model *m)
{
    unsigned all = 0x1f;
    if (!generative(m) || m->cweek < week_of(c, 2022, 8, 1))
        all &= ~2u;
    return all;
}

static unsigned gating_mask(const sy_ctx *c, const sy_model *m)
{
    if (!(m->flags & SY_ANNOT))
        return 0;
    bool org = is_named(m) && named_org(c, m) != ORG_COMMUNITY && named_org(c, m) != ORG_USER;
    if (org && (generative(m) || m->cls == CL_AU) && m->cweek >= week_of(c, 2022, 12, 1))
        return 7;
    return 1;
}

static unsigned data_mask(const sy_ctx *c, const sy_model *m)
{
    (void)c;
    return (m->flags & SY_ANNOT) ? 0xf : 0;
}

/* 0: never, 1: may, 2: must. */
static int bin_elig(const sy_ctx *c, const sy_model *m, int a)
{
    bool gen_text = m->cls == CL_TG || m->cls == CL_MG;
    bool image = m->cls == CL_IG || m->cls == CL_VG;
    int late = m->cweek >= week_of(c, 2022, 6, 1);
    switch (a) {
    case B_MOE:
        return gen_text && m->params >= 40e9 && m->cweek >= week_of(c, 2023, 10, 1);
    case B_DEC:
        return gen_text;
    case B_SPEECH:
        return m->cls == CL_AU;
    case B_DIFF:
        return image;
    case B_VAEGAN:
        return image;
    case B_ENCDEC:
        return m->cls == CL_TG || m->cls == CL_TE;
    case B_CNN:
        return image || m->cls == CL_IE || m->cls == CL_AU;
    case B_ENC:
        return m->cls == CL_TE || m->cls == CL_IE || m->cls == CL_ME || m->cls == CL_MG;
    case B_LSTM:
        return (m->cls == CL_TE || m->cls == CL_AU || m->cls == CL_TG) &&
               m->cweek < week_of(c, 2022, 6, 1);
    case B_QUANT:
        return m->rel == REL_QUANT ? 2 : (m->rel == REL_OTHER || (gen_text && late)) ? 1 : 0;
    case B_RLHF:
        return gen_text && late;
    case B_INSTR:
        return gen_text && late;
    case B_PEFT:
        if (m->rel == REL_ADAPTER)
            return 2;
        return m->rel == REL_FT || m->rel == REL_MERGE ||
               (!is_named(m) && (gen_text || image || m->cls == CL_AU));
    case B_CONTR:
        return m->cls == CL_TE || m->cls == CL_IE || m->cls == CL_ME || m->cls == CL_AU;
    case B_MERGE:
        return m->rel == REL_MERGE ? 2 : (m->rel == REL_FT && (gen_text || image));
    }
    return 0;
}

/* ---------------------------------------------------------------- fits */

static void fit_orgs(sy_ctx *c, const head_view *v)
{
    fit f = {POOL_N, org_t, {{0}}};
    int *out = omen_xmalloc((v->n + 1) * sizeof *out);
    partition(c, v, &f, org_mask, out);
    for (size_t k = 0; k < v->n; k++)
        if (!is_named(&c->models[v->idx[k]]) && out[k] >= 0)
            c->models[v->idx[k]].pool = (uint8_t)out[k];
    free(out);
}

static void fit_modality(sy_ctx *c, const head_view *v)
{
    fit f = {CL_N + 1, mod_t, {{0}}};
    int *out = omen_xmalloc((v->n + 1) * sizeof *out);
    partition(c, v, &f, modality_mask, out);
    for (size_t k = 0; k < v->n; k++)
        if (out[k] >= 0 && out[k] != CL_N)
            c->models[v->idx[k]].flags |= SY_ANNOT;
    free(out);
}

static void fit_license(sy_ctx *c, const head_view *v)
{
    fit f = {5, lic_t, {{0}}};
    int *out = omen_xmalloc((v->n + 1) * sizeof *out);
    partition(c, v, &f, license_mask, out);
    for (size_t k = 0; k < v->n; k++)
        if (out[k] >= 0)
            c->models[v->idx[k]].lclass = (uint8_t)(out[k] + 1);
    free(out);
}

static void fit_gating_data(sy_ctx *c, const head_view *v)
{
    fit g = {3, gate_t, {{0}}}, d = {4, data_t, {{0}}};
    int *go = omen_xmalloc((v->n + 1) * sizeof *go),
        *dout = omen_xmalloc((v->n + 1) * sizeof *dout);
    partition(c, v, &g, gating_mask, go);
    partition(c, v, &d, data_mask, dout);
    for (size_t k = 0; k < v->n; k++) {
        sy_model *m = &c->models[v->idx[k]];
        if (!(m->flags & SY_ANNOT))
            continue;
        sy_labels *l = &c->labels[m->annot];
        l->gating = (uint8_t)(go[k] < 0 ? 0 : go[k]);
        l->data = dout[k] == 3 || dout[k] < 0 ? 0xff : (uint8_t)dout[k];
        if (l->data == 1 && gsl_rng_uniform(c->rng) < 0.5)
            l->data = 3;      /* partially disclosed: unavailable */
        m->gated = l->gating; /* 0 no, 1 auto, 2 manual */
    }
    free(go);
    free(dout);
}

/* One binary row: musts first, then each eligible model if it brings the row closer. */
static void fit_binary(sy_ctx *c, const head_view *v, int a, bool *on)
{
    const double(*t)[SY_NSEG] = &bin_t[a];
    fit f = {1, t, {{0}}};
    for (size_t k = 0; k < v->n; k++) {
        const sy_model *m = &c->models[v->idx[k]];
        on[k] = (m->flags & SY_ANNOT) && bin_elig(c, m, a) == 2;
        if (on[k])
            add(&f, 0, v->x[k]);
    }
    for (int pass = 0; pass < 6; pass++) {
        int moved = 0;
        for (size_t k = 0; k < v->n; k++) {
            const sy_model *m = &c->models[v->idx[k]];
            if (!(m->flags & SY_ANNOT) || bin_elig(c, m, a) != 1)
                continue;
            double sgn = on[k] ? -1 : 1;
            if (delta_sgn(&f, 0, v->x[k], sgn) < -1e-12) {
                on[k] = !on[k];
                add_sgn(&f, 0, v->x[k], sgn);
                moved++;
            }
        }
        if (!moved)
            break;
    }
}

/* The label bit a binary row sets, with the variants a row stands for. */
static void set_binary(sy_ctx *c, const sy_model *m, sy_labels *l, int a)
{
    double u = gsl_rng_uniform(c->rng);
    switch (a) {
    case B_MOE:
        l->arch |= 1u << AR_MOE;
        break;
    case B_DEC:
        l->arch |= 1u << AR_DEC;
        break;
    case B_SPEECH:
        l->arch |= 1u << (u < 0.5 ? AR_SPED : u < 0.85 ? AR_SPENC : AR_SPDEC);
        break;
    case B_DIFF:
        l->arch |= 1u << AR_DIFF;
        break;
    case B_VAEGAN:
        l->arch |= 1u << (m->params < 300e6 || u < 0.6 ? AR_VAE : AR_GAN);
        break;
    case B_ENCDEC:
        l->arch |= 1u << AR_ENCDEC;
        break;
    case B_CNN:
        l->arch |= 1u << AR_CNN;
        break;
    case B_ENC:
        l->arch |= 1u << AR_ENC;
        break;
    case B_LSTM:
        l->arch |= 1u << (u < 0.7 ? AR_LSTM : AR_GRU);
        break;
    case B_QUANT:
        l->methods |= 1u << ME_QUANT;
        break;
    case B_RLHF:
        l->methods |= 1u << ME_RLHF;
        break;
    case B_INSTR:
        l->methods |= 1u << ME_INSTR;
        break;
    case B_PEFT:
        l->methods |= 1u << ME_PEFT;
        break;
    case B_CONTR:
        l->methods |= 1u << ME_CONTR;
        break;
    case B_MERGE:
        l->methods |= 1u << ME_MERGE;
        break;
    }
}

/* Labels outside Table 1 that make each annotation complete and coherent. */
static void complete_labels(const sy_model *m, sy_labels *l)
{
    static const int arch_fallback[CL_N] = {AR_UNKNOWN, AR_UNKNOWN, AR_OTHER,  AR_OTHER, AR_IMGENC,
                                            AR_OTHER,   AR_IMGENC,  AR_IMGENC, AR_OTHER};
    if (m->cls == CL_IE || m->cls == CL_ME || m->cls == CL_MG)
        l->arch |= 1u << AR_IMGENC;
    if (!l->arch)
        l->arch |= 1u << arch_fallback[m->cls];
    if (m->rel == REL_FT)
        l->methods |= 1u << ME_FT;
    if (m->rel == REL_CP && m->cls == CL_TE)
        l->methods |= 1u << ME_KD;
    if (m->rel == REL_ROOT) {
        if (m->cls == CL_TE)
            l->methods |= 1u << ME_MLM;
        else if (m->cls == CL_TG || m->cls == CL_MG)
            l->methods |= 1u << ME_CLM;
        else if (m->cls == CL_IE || m->cls == CL_AU)
            l->methods |= 1u << ME_SUP;
        else if (m->cls == CL_IG || m->cls == CL_VG)
            l->methods |= 1u << ME_DENOISE;
    }
    if (!l->methods)
        l->methods |= 1u << ME_UNDISCLOSED;
}

static void fit_binaries(sy_ctx *c, const head_view *v)
{
    bool *on = omen_xmalloc((v->n + 1) * sizeof *on);
    for (int a = 0; a < NBIN; a++) {
        fit_binary(c, v, a, on);
        for (size_t k = 0; k < v->n; k++)
            if (on[k]) {
                const sy_model *m = &c->models[v->idx[k]];
                set_binary(c, m, &c->labels[m->annot], a);
            }
    }
    for (size_t k = 0; k < v->n; k++) {
        const sy_model *m = &c->models[v->idx[k]];
        if (m->flags & SY_ANNOT)
            complete_labels(m, &c->labels[m->annot]);
    }
    free(on);
}

void sy_annotate_head(sy_ctx *c)
{
    head_view v;
    view_build(c, &v);
    fit_orgs(c, &v);
    fit_modality(c, &v);
    c->nlabels = 0;
    for (size_t k = 0; k < v.n; k++)
        if (c->models[v.idx[k]].flags & SY_ANNOT)
            c->models[v.idx[k]].annot = (uint32_t)c->nlabels++;
    c->labels = omen_xcalloc(c->nlabels + 1, sizeof *c->labels);
    fit_license(c, &v);
    fit_gating_data(c, &v);
    fit_binaries(c, &v);
    free(v.idx);
    free(v.x);
}
