/* synth_output.c: writes the generated panel out, either as the five CSV files the ingest
 * readers accept (with a buffered writer: about 1 GB at full scale in seconds) or as one
 * omen_rows batch for the store. Both walk the models in name order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../store/rows.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "synth_internal.h"

/* ---------------------------------------------------------------- annotation rows */

typedef void (*emit_fn)(void *ctx, uint32_t model, const char *field, const char *value);

/* Where emitted annotation rows go: a CSV writer or a rows batch. */
typedef struct {
    const sy_ctx *c;
    void *dst;
} sink;

static void modality(const sy_ctx *c, const sy_model *m, const char **in, int *nin,
                     const char **out)
{
    const char *p = sy_model_pipeline(c, m);
    *nin = 1;
    in[0] = "Text";
    switch (m->cls) {
    case CL_TE:
        *out = strcmp(p, "text-classification") == 0    ? "Text Classification"
               : strcmp(p, "token-classification") == 0 ? "Text Sequence Classification"
               : strcmp(p, "question-answering") == 0   ? "Text Sequence Classification"
                                                        : "Text Embedding";
        break;
    case CL_TG:
        *out = "Text Generation";
        break;
    case CL_IG:
        *out = "Image Generation";
        break;
    case CL_VG:
        *out = "Video Generation";
        break;
    case CL_MG:
        in[(*nin)++] = "Image";
        *out = "Text Generation";
        break;
    case CL_AU:
        if (strcmp(p, "text-to-speech") == 0) {
            *out = "Speech Generation";
        } else {
            in[0] = "Speech";
            *out = strcmp(p, "audio-classification") == 0 ? "Other" : "Text Generation";
        }
        break;
    case CL_IE:
        in[0] = "Image";
        *out = strcmp(p, "object-detection") == 0           ? "Image Bounding Boxes"
               : strcmp(p, "image-segmentation") == 0       ? "Image Segmentation"
               : strcmp(p, "image-feature-extraction") == 0 ? "Image Embedding"
                                                            : "Image Classification";
        break;
    case CL_ME:
        in[(*nin)++] = "Image";
        *out = strcmp(p, "feature-extraction") == 0 ? "Text Embedding" : "Image Embedding";
        break;
    default:
        in[0] = "Tabular";
        *out = "Tabular";
        break;
    }
}

/* Every annotation label of one annotated model, in a fixed order. */
static void model_annotations(const sy_ctx *c, uint32_t mi, emit_fn emit, void *ctx)
{
    const sy_model *m = &c->models[mi];
    const sy_labels *l = &c->labels[m->annot];
    const char *in[2], *out;
    int nin;
    emit(ctx, mi, "gating", sy_gating_labels[l->gating]);
    modality(c, m, in, &nin, &out);
    for (int k = 0; k < nin; k++)
        emit(ctx, mi, "input_modality", in[k]);
    emit(ctx, mi, "output_modality", out);
    for (int k = 0; sy_arch_labels[k]; k++)
        if (l->arch & (1u << k))
            emit(ctx, mi, "architecture", sy_arch_labels[k]);
    for (int k = 0; sy_method_labels[k]; k++)
        if (l->methods & (1u << k))
            emit(ctx, mi, "training_methods", sy_method_labels[k]);
    if (l->data != 0xff)
        emit(ctx, mi, "training_data", sy_data_labels[l->data]);
    const char *langs = sy_lang_str(m->lang);
    while (*langs) {
        char one[32];
        size_t n = strcspn(langs, ";");
        snprintf(one, sizeof one, "%.*s", (int)n, langs);
        emit(ctx, mi, "languages", one);
        langs += n + (langs[n] == ';');
    }
    emit(ctx, mi, "derivation", m->base == SY_NONE ? "No" : sy_str(c, c->models[m->base].name));
}

static void tags_of(const sy_ctx *c, const sy_model *m, char *out, size_t cap)
{
    const char *lib = sy_model_library(c, m), *extra = "";
    if (m->rel == REL_QUANT)
        extra = strcmp(lib, "mlx") == 0 ? ";mlx;4-bit" : ";gguf;quantized";
    else if (m->rel == REL_ADAPTER)
        extra = ";lora;adapter";
    else if (m->rel == REL_MERGE)
        extra = ";merge";
    snprintf(out, cap, "%s%s%s;synthetic%s", lib, lib[0] ? ";" : "", sy_model_pipeline(c, m),
             extra);
}

static int32_t created_of(const sy_ctx *c, const sy_model *m)
{
    int32_t truth = c->week0 + 7 * m->cweek + m->cday;
    if (truth >= omen_date_days(2022, 3, 2))
        return truth;
    return (m->flags & SY_NOCREATED) ? OMEN_NO_DATE : omen_date_days(2022, 3, 2);
}

/* ---------------------------------------------------------------- CSV writer */

typedef struct {
    FILE *f;
    char *buf;
    size_t n, cap;
    int err;
} wbuf;

static void wb_flush(wbuf *w)
{
    if (w->n && fwrite(w->buf, 1, w->n, w->f) != w->n)
        w->err = errno ? errno : EIO;
    w->n = 0;
}

static void wb_put(wbuf *w, const char *s, size_t len)
{
    if (w->n + len > w->cap)
        wb_flush(w);
    memcpy(w->buf + w->n, s, len);
    w->n += len;
}

static void wb_str(wbuf *w, const char *s)
{
    wb_put(w, s, strlen(s));
}

/* A field, quoted per RFC 4180 when it holds a comma, quote or line break. */
static void wb_field(wbuf *w, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        wb_str(w, s);
        return;
    }
    wb_put(w, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            wb_put(w, "\"", 1);
        wb_put(w, s, 1);
    }
    wb_put(w, "\"", 1);
}

static void wb_u64(wbuf *w, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    wb_put(w, tmp + sizeof tmp - n, (size_t)n);
}

static int wb_open(wbuf *w, const char *dir, const char *name, const char *header)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f)
        return errno ? errno : EIO;
    w->cap = 1 << 22;
    w->buf = omen_xmalloc(w->cap);
    wb_str(w, header);
    return 0;
}

static int wb_close(wbuf *w)
{
    wb_flush(w);
    if (w->f && fclose(w->f) != 0 && !w->err)
        w->err = errno ? errno : EIO;
    free(w->buf);
    return w->err;
}

/* ---------------------------------------------------------------- the five files */

static void write_downloads(const sy_ctx *c, wbuf *w)
{
    char weeks[SY_NWEEKS][12];
    for (int k = 0; k < SY_NWEEKS; k++) {
        omen_date_format(c->week0 + 7 * k, weeks[k]);
        weeks[k][10] = ',';
    }
    for (size_t k = 0; k < c->nmodels && !w->err; k++) {
        uint32_t i = c->order[k];
        const char *name = sy_str(c, c->models[i].name);
        size_t len = strlen(name);
        for (uint64_t r = c->off[i]; r < c->off[i + 1]; r++) {
            wb_put(w, name, len);
            wb_put(w, ",", 1);
            wb_put(w, weeks[c->wk[r]], 11);
            wb_u64(w, c->cnt[r]);
            wb_put(w, "\n", 1);
        }
    }
}

static void write_models(const sy_ctx *c, wbuf *w)
{
    for (size_t k = 0; k < c->nmodels && !w->err; k++) {
        const sy_model *m = &c->models[c->order[k]];
        char day[11], tags[160];
        omen_date_format(created_of(c, m), day);
        tags_of(c, m, tags, sizeof tags);
        wb_field(w, sy_str(c, m->name));
        wb_put(w, ",", 1);
        wb_field(w, sy_str(c, c->devs[m->dev].name));
        wb_put(w, ",", 1);
        wb_str(w, day);
        wb_put(w, ",", 1);
        wb_field(w, sy_model_pipeline(c, m));
        wb_put(w, ",", 1);
        wb_field(w, sy_model_library(c, m));
        wb_put(w, ",", 1);
        wb_field(w, sy_license_id(m->license));
        wb_put(w, ",", 1);
        wb_str(w, sy_gated_str(m->gated));
        wb_put(w, ",", 1);
        if (m->flags & SY_PKNOWN) {
            wb_u64(w, (uint64_t)(m->params + 0.5));
            wb_str(w, ",safetensors,");
        } else {
            wb_str(w, ",,");
        }
        if (!(m->flags & SY_NOBYTES))
            wb_u64(w, (uint64_t)m->bytes);
        wb_put(w, ",", 1);
        wb_field(w, sy_lang_str(m->lang));
        wb_put(w, ",", 1);
        wb_field(w, tags);
        /* The `synthetic` column tells `omen ingest models` to mark the store synthetic. */
        wb_put(w, ",true\n", 6);
    }
}

static const sy_ctx *dev_sort_ctx;

static int dev_by_name(const void *a, const void *b)
{
    const sy_ctx *c = dev_sort_ctx;
    return strcmp(sy_str(c, c->devs[*(const uint32_t *)a].name),
                  sy_str(c, c->devs[*(const uint32_t *)b].name));
}

static uint32_t *dev_order(const sy_ctx *c)
{
    uint32_t *ord = omen_xmalloc((c->ndevs + 1) * sizeof *ord);
    for (size_t i = 0; i < c->ndevs; i++)
        ord[i] = (uint32_t)i;
    dev_sort_ctx = c;
    qsort(ord, c->ndevs, sizeof *ord, dev_by_name);
    return ord;
}

static void write_developers(const sy_ctx *c, wbuf *w)
{
    uint32_t *ord = dev_order(c);
    for (size_t k = 0; k < c->ndevs; k++) {
        const sy_dev *d = &c->devs[ord[k]];
        wb_field(w, sy_str(c, d->name));
        wb_put(w, ",", 1);
        wb_str(w, d->country);
        wb_put(w, ",", 1);
        wb_str(w, sy_org_str(d->org));
        wb_put(w, ",", 1);
        wb_field(w, sy_str(c, d->display));
        wb_put(w, "\n", 1);
    }
    free(ord);
}

static void edge_row(const sy_ctx *c, wbuf *w, uint32_t parent, const sy_model *child, int rel)
{
    wb_field(w, sy_str(c, c->models[parent].name));
    wb_put(w, ",", 1);
    wb_field(w, sy_str(c, child->name));
    wb_put(w, ",", 1);
    wb_str(w, sy_relation_str(rel));
    wb_put(w, "\n", 1);
}

static void write_edges(const sy_ctx *c, wbuf *w)
{
    for (size_t k = 0; k < c->nmodels; k++) {
        const sy_model *m = &c->models[c->order[k]];
        if (m->base != SY_NONE)
            edge_row(c, w, m->base, m, m->rel);
        if (m->base2 != SY_NONE)
            edge_row(c, w, m->base2, m, m->rel);
    }
}

static void emit_csv(void *ctx, uint32_t model, const char *field, const char *value)
{
    const sink *k = ctx;
    const sy_ctx *c = k->c;
    wbuf *w = k->dst;
    wb_field(w, sy_str(c, c->models[model].name));
    wb_put(w, ",", 1);
    wb_str(w, field);
    wb_put(w, ",", 1);
    wb_field(w, value);
    wb_put(w, "\n", 1);
}

static void write_annotations(sy_ctx *c, wbuf *w)
{
    sink ctx = {c, w};
    for (size_t k = 0; k < c->nmodels; k++)
        if (c->models[c->order[k]].flags & SY_ANNOT)
            model_annotations(c, c->order[k], emit_csv, &ctx);
}

static void count_annotation(void *ctx, uint32_t model, const char *field, const char *value)
{
    (void)model;
    (void)field;
    (void)value;
    (*(uint64_t *)ctx)++;
}

static void count_annotations(sy_ctx *c)
{
    c->nannotations = 0;
    for (size_t k = 0; k < c->nmodels; k++)
        if (c->models[k].flags & SY_ANNOT)
            model_annotations(c, (uint32_t)k, count_annotation, &c->nannotations);
}

omen_status sy_write_csv(sy_ctx *c, const char *dir, omen_error *err)
{
    static const struct {
        const char *file, *header;
        int which;
    } files[] = {
        {"developers.csv", "developer,country,org_type,name\n", 0},
        {"models.csv",
         "model,developer,created,pipeline_tag,library,license,gated,params,params_source,"
         "file_bytes,languages,tags,synthetic\n",
         1},
        {"edges.csv", "parent,child,relation\n", 2},
        {"annotations.csv", "model,field,value\n", 3},
        {"downloads.csv", "model,week,downloads\n", 4},
    };
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return omen_error_set(err, OMEN_E_IO, "%s: cannot create directory: %s", dir,
                              strerror(errno));
    count_annotations(c);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        wbuf w;
        int e = wb_open(&w, dir, files[k].file, files[k].header);
        if (!e) {
            sy_progress(c, files[k].file, k, 5);
            switch (files[k].which) {
            case 0:
                write_developers(c, &w);
                break;
            case 1:
                write_models(c, &w);
                break;
            case 2:
                write_edges(c, &w);
                break;
            case 3:
                write_annotations(c, &w);
                break;
            default:
                write_downloads(c, &w);
                break;
            }
        }
        e = e ? e : wb_close(&w);
        if (e)
            return omen_error_set(err, OMEN_E_IO, "%s/%s: cannot write: %s", dir, files[k].file,
                                  strerror(e));
    }
    return OMEN_OK;
}

/* ---------------------------------------------------------------- rows for the store */

static uint32_t rstr(omen_rows *r, const char *s)
{
    return s && *s ? omen_rows_str(r, s, strlen(s)) : UINT32_MAX;
}

static void emit_row(void *ctx, uint32_t model, const char *field, const char *value)
{
    const sink *k = ctx;
    const sy_ctx *c = k->c;
    omen_rows *r = k->dst;
    const char *name = sy_str(c, c->models[model].name);
    omen_annotation_row *a = omen_rows_add_annotation(r);
    a->model = omen_rows_name(r, name, strlen(name));
    a->field = rstr(r, field);
    a->value = rstr(r, value);
    a->source = rstr(r, "human");
}

static void fill_model(sy_ctx *c, omen_rows *r, const sy_model *m)
{
    char tags[160];
    const char *name = sy_str(c, m->name);
    omen_model_row *row = omen_rows_add_model(r);
    row->name = omen_rows_name(r, name, strlen(name));
    row->fields = OMEN_MF_DEVELOPER | OMEN_MF_CREATED | OMEN_MF_PIPELINE | OMEN_MF_LIBRARY |
                  OMEN_MF_LICENSE | OMEN_MF_GATED | OMEN_MF_PARAMS | OMEN_MF_BYTES |
                  OMEN_MF_LANGUAGES | OMEN_MF_TAGS;
    row->created = created_of(c, m);
    row->params = (m->flags & SY_PKNOWN) ? (int64_t)(m->params + 0.5) : -1;
    row->file_bytes = (m->flags & SY_NOBYTES) ? -1 : m->bytes;
    row->developer = rstr(r, sy_str(c, c->devs[m->dev].name));
    row->pipeline_tag = rstr(r, sy_model_pipeline(c, m));
    row->library = rstr(r, sy_model_library(c, m));
    row->license = rstr(r, sy_license_id(m->license));
    row->gated = rstr(r, sy_gated_str(m->gated));
    row->params_source = (m->flags & SY_PKNOWN) ? rstr(r, "safetensors") : UINT32_MAX;
    row->languages = rstr(r, sy_lang_str(m->lang));
    tags_of(c, m, tags, sizeof tags);
    row->tags = rstr(r, tags);
}

static void fill_edges(sy_ctx *c, omen_rows *r, const sy_model *m)
{
    uint32_t parents[2] = {m->base, m->base2};
    for (uint32_t k = 0; k < 2; k++) {
        if (parents[k] == SY_NONE)
            continue;
        const char *p = sy_str(c, c->models[parents[k]].name), *ch = sy_str(c, m->name);
        omen_edge_row *e = omen_rows_add_edge(r);
        e->parent = omen_rows_name(r, p, strlen(p));
        e->child = omen_rows_name(r, ch, strlen(ch));
        e->relation = rstr(r, sy_relation_str(m->rel));
        e->position = k;
    }
}

static void fill_developers(sy_ctx *c, omen_rows *r)
{
    for (size_t i = 0; i < c->ndevs; i++) {
        const sy_dev *d = &c->devs[i];
        omen_developer_row *row = omen_rows_add_developer(r);
        row->name = rstr(r, sy_str(c, d->name));
        row->country = rstr(r, d->country);
        row->org_type = rstr(r, sy_org_str(d->org));
        row->display = rstr(r, sy_str(c, d->display));
    }
}

/* Names are interned in name order first, so name ids follow the sort order and the weekly
 * rows come out sorted by model, then week. */
void sy_fill_rows(sy_ctx *c, void *rows)
{
    omen_rows *r = rows;
    r->synthetic = true;
    for (size_t k = 0; k < c->nmodels; k++) {
        const char *name = sy_str(c, c->models[c->order[k]].name);
        omen_rows_name(r, name, strlen(name));
    }
    fill_developers(c, r);
    sink ctx = {c, r};
    c->nannotations = 0;
    for (size_t k = 0; k < c->nmodels; k++) {
        uint32_t i = c->order[k];
        const sy_model *m = &c->models[i];
        fill_model(c, r, m);
        fill_edges(c, r, m);
        if (m->flags & SY_ANNOT)
            model_annotations(c, i, emit_row, &ctx);
        uint32_t id = (uint32_t)k;
        for (uint64_t q = c->off[i]; q < c->off[i + 1]; q++) {
            omen_count_row *w = omen_rows_add_weekly(r);
            w->model = id;
            w->day = c->week0 + 7 * c->wk[q];
            w->count = c->cnt[q];
        }
    }
    c->nannotations = r->nannotations;
}
