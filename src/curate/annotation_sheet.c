/* annotation_sheet.c: the annotation sheet of `omen annotate --export-head` (the Head Sample,
 * one row per model, one column per taxonomy field pre-filled with the human labels read from
 * the store, plus the Hub metadata an annotator needs) and the taxonomy itself as a table
 * (`--labels`). */
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../store/labels.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"

/* The sheet's metadata columns, before the field columns; `hub_languages` is the Hub's
 * language list, not the `languages` field. ingest annotations knows these names and skips
 * them (read_annotations.c). */
static const char *const meta_cols[] = {
    "url",     "developer", "country", "org_type", "created",     "downloads",     "pipeline_tag",
    "library", "license",   "gated",   "params",   "base_models", "hub_languages", "tags"};
enum {
    M_URL,
    M_DEV,
    M_COUNTRY,
    M_ORG,
    M_CREATED,
    M_DL,
    M_PIPE,
    M_LIB,
    M_LIC,
    M_GATED,
    M_PARAMS,
    M_BASE,
    M_LANG,
    M_TAGS,
    M_N
};

typedef struct {
    uint32_t model;
    uint64_t total;
    const char *name;
    char *languages, *tags; /* from the store (the panel does not carry them) */
} sheet_row;

static int by_downloads(const void *pa, const void *pb)
{
    const sheet_row *a = pa, *b = pb;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int by_name(const void *pa, const void *pb)
{
    return strcmp(((const sheet_row *const *)pa)[0]->name, ((const sheet_row *const *)pb)[0]->name);
}

typedef struct {
    sheet_row **sorted; /* by name, for the lookup */
    size_t n;
} lookup;

static bool on_meta(void *ctx, const omen_model_meta *m)
{
    lookup *l = ctx;
    sheet_row key = {.name = m->name}, *pkey = &key;
    sheet_row **hit = bsearch(&pkey, l->sorted, l->n, sizeof *l->sorted, by_name);
    if (hit) {
        (*hit)->languages = m->languages ? omen_xstrdup(m->languages) : NULL;
        (*hit)->tags = m->tags ? omen_xstrdup(m->tags) : NULL;
    }
    return true;
}

/* Appends s to a ';'-separated list in buf. */
static void join(char *buf, size_t cap, const char *s)
{
    size_t used = strlen(buf);
    if (used + strlen(s) + 2 < cap)
        snprintf(buf + used, cap - used, "%s%s", used ? ";" : "", s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The human labels of model m in field f, ';'-joined: closed fields in the taxonomy's order,
 * open fields sorted. */
static void human_labels(const omen_panel *p, uint32_t m, const omen_taxonomy_field *f, char *buf,
                         size_t cap)
{
    const char *vals[256];
    size_t n = 0;
    buf[0] = 0;
    for (uint64_t i = p->annot_off[m]; i < p->annot_off[m + 1] && n < 256; i++)
        if (!p->annot_heuristic[i] && strcmp(omen_panel_str(p, p->annot_field[i]), f->name) == 0)
            vals[n++] = omen_panel_str(p, p->annot_value[i]);
    if (f->labels) {
        for (const char *const *l = f->labels; *l; l++)
            for (size_t k = 0; k < n; k++)
                if (strcmp(vals[k], *l) == 0) {
                    join(buf, cap, *l);
                    break;
                }
        return;
    }
    qsort(vals, n, sizeof *vals, cmp_str);
    for (size_t k = 0; k < n; k++)
        if (k == 0 || strcmp(vals[k], vals[k - 1]) != 0)
            join(buf, cap, vals[k]);
}

static void base_models(const omen_panel *p, uint32_t m, char *buf, size_t cap)
{
    buf[0] = 0;
    for (uint64_t i = p->parent_off[m]; i < p->parent_off[m + 1]; i++) {
        char item[512];
        snprintf(item, sizeof item, "%s:%s", omen_panel_str(p, p->parent_relation[i]),
                 omen_panel_str(p, p->model_name[p->parent_model[i]]));
        join(buf, cap, item);
    }
}

static const char *gated_name(uint8_t g)
{
    return g == OMEN_GATED_NO       ? "no"
           : g == OMEN_GATED_AUTO   ? "auto"
           : g == OMEN_GATED_MANUAL ? "manual"
                                    : NULL;
}

static void text_or_null(omen_table *t, size_t r, size_t c, const char *s)
{
    if (s && *s)
        omen_table_set_text(t, r, c, s);
}

static void fill_meta(omen_table *t, size_t r, const omen_panel *p, const sheet_row *row)
{
    uint32_t m = row->model, d = p->model_developer[m];
    char buf[8192];
    snprintf(buf, sizeof buf, "https://huggingface.co/%s", row->name);
    size_t c = 1;
    omen_table_set_text(t, r, 0, row->name);
    omen_table_set_text(t, r, c + M_URL, buf);
    text_or_null(t, r, c + M_DEV, omen_panel_str(p, p->dev_name[d]));
    text_or_null(t, r, c + M_COUNTRY, omen_panel_str(p, p->dev_country[d]));
    text_or_null(t, r, c + M_ORG, omen_panel_str(p, p->dev_org_type[d]));
    if (p->model_created[m] != OMEN_NO_DATE)
        omen_table_set_date(t, r, c + M_CREATED, p->model_created[m]);
    omen_table_set_int(t, r, c + M_DL, (int64_t)row->total);
    text_or_null(t, r, c + M_PIPE, omen_panel_str(p, p->model_pipeline[m]));
    text_or_null(t, r, c + M_LIB, omen_panel_str(p, p->model_library[m]));
    text_or_null(t, r, c + M_LIC, omen_panel_str(p, p->model_license[m]));
    text_or_null(t, r, c + M_GATED, gated_name(p->model_gated[m]));
    if (p->model_params[m] >= 0)
        omen_table_set_int(t, r, c + M_PARAMS, p->model_params[m]);
    base_models(p, m, buf, sizeof buf);
    text_or_null(t, r, c + M_BASE, buf);
    text_or_null(t, r, c + M_LANG, row->languages);
    text_or_null(t, r, c + M_TAGS, row->tags);
}

static omen_table *sheet_table(const omen_panel *p, const sheet_row *rows, size_t n)
{
    omen_table *t = omen_table_new("annotation_sheet");
    omen_table_add_column(t, "model", OMEN_COL_TEXT);
    for (size_t k = 0; k < M_N; k++)
        omen_table_add_column(t, meta_cols[k],
                              k == M_CREATED               ? OMEN_COL_DATE
                              : k == M_DL || k == M_PARAMS ? OMEN_COL_INT
                                                           : OMEN_COL_TEXT);
    const omen_taxonomy_field *f = omen_taxonomy_fields();
    size_t first_field = omen_table_ncols(t);
    for (size_t k = 0; f[k].name; k++)
        omen_table_add_column(t, f[k].name, OMEN_COL_TEXT);
    size_t c_note = omen_table_add_column(t, "note", OMEN_COL_TEXT);
    (void)c_note;
    char buf[8192];
    for (size_t i = 0; i < n; i++) {
        size_t r = omen_table_add_row(t);
        fill_meta(t, r, p, &rows[i]);
        for (size_t k = 0; f[k].name; k++) {
            human_labels(p, rows[i].model, &f[k], buf, sizeof buf);
            text_or_null(t, r, first_field + k, buf);
        }
    }
    return t;
}

omen_status omen_annotate_sheet(omen_store *st, const omen_panel *p, const omen_query *q,
                                omen_table **out, omen_error *err)
{
    *out = NULL;
    omen_model_facts facts;
    omen_model_facts_compute(p, &facts);
    uint8_t *in = omen_xcalloc(p->n_models ? p->n_models : 1, 1);
    size_t n = omen_sample_select(p, &facts, OMEN_SAMPLE_HEAD, q->population_min, q->head_k, in);
    sheet_row *rows = omen_xcalloc(n ? n : 1, sizeof *rows);
    sheet_row **sorted = omen_xcalloc(n ? n : 1, sizeof *sorted);
    size_t k = 0;
    for (uint32_t m = 0; m < p->n_models; m++)
        if (in[m])
            rows[k++] =
                (sheet_row){m, facts.total[m], omen_panel_str(p, p->model_name[m]), NULL, NULL};
    qsort(rows, n, sizeof *rows, by_downloads);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &rows[i];
    qsort(sorted, n, sizeof *sorted, by_name);
    lookup l = {sorted, n};
    omen_status s = n ? omen_store_each_model_meta(st, on_meta, &l, err) : OMEN_OK;
    if (s == OMEN_OK) {
        *out = sheet_table(p, rows, n);
        omen_table_meta_text(*out, "sample", "head");
        omen_table_meta_int(*out, "head_k", q->head_k);
        omen_table_meta_int(*out, "population_min", (int64_t)q->population_min);
        omen_table_meta_int(*out, "models", (int64_t)n);
        omen_table_meta_text(*out, "order", "total downloads, descending");
    }
    for (size_t i = 0; i < n; i++) {
        free(rows[i].languages);
        free(rows[i].tags);
    }
    free(rows);
    free(sorted);
    free(in);
    omen_model_facts_free(&facts);
    return s;
}

omen_status omen_annotate_labels(omen_table **out)
{
    omen_table *t = omen_table_new("taxonomy");
    omen_table_add_column(t, "field", OMEN_COL_TEXT);
    omen_table_add_column(t, "title", OMEN_COL_TEXT);
    omen_table_add_column(t, "kind", OMEN_COL_TEXT);
    omen_table_add_column(t, "label", OMEN_COL_TEXT);
    for (const omen_taxonomy_field *f = omen_taxonomy_fields(); f->name; f++) {
        /* An open field gets one row that says what it takes instead of a label. */
        const char *const open[] = {omen_taxonomy_allowed(f), NULL};
        for (const char *const *l = f->labels ? f->labels : open; *l; l++) {
            size_t r = omen_table_add_row(t);
            omen_table_set_text(t, r, 0, f->name);
            omen_table_set_text(t, r, 1, f->title);
            omen_table_set_text(t, r, 2, f->labels ? "label" : "open");
            omen_table_set_text(t, r, 3, *l);
        }
    }
    omen_table_meta_text(t, "source", "the paper's Appendix D, verbatim (src/vocab/taxonomy.c)");
    *out = t;
    return OMEN_OK;
}
