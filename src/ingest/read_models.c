/* read_models.c: the `models` reader: model metadata as CSV or as JSON Lines (Hub API records
 * in camelCase or huggingface_hub's snake_case are both understood).
 *
 * Both forms fill one record type that is validated in one place. Base models may be given as
 * a list of ids or of `relation:id` items (the Hub's base_model tags); they become edges in
 * the order listed. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../util/taxonomy.h"
#include "reader.h"
#include "sources.h"

enum {
    C_MODEL,
    C_DEV,
    C_CREATED,
    C_BASE,
    C_REL,
    C_PIPE,
    C_LIB,
    C_LIC,
    C_GATED,
    C_PARAMS,
    C_PSRC,
    C_BYTES,
    C_LANG,
    C_TAGS,
    C_SYNTH,
    NCOL
};

static const char *const a_model[] = {"model_id", "id", "modelId", "repo_id", NULL};
static const char *const a_dev[] = {"author", "namespace", NULL};
static const char *const a_created[] = {"created_at", "createdAt", NULL};
static const char *const a_base[] = {"base_model", "base_model_tags", "base_models_list", NULL};
static const char *const a_rel[] = {"base_model_relation", NULL};
static const char *const a_lib[] = {"library_name", NULL};
static const char *const a_lic[] = {"licenses", NULL};
static const char *const a_params[] = {"safetensors_total", "safetensors.total", "num_parameters",
                                       NULL};
static const char *const a_bytes[] = {"used_storage_bytes", "usedStorage", "used_storage", NULL};
static const char *const a_lang[] = {"language", NULL};

static const omen_column_spec specs[NCOL] = {
    {"model", a_model, true},       {"developer", a_dev, false},    {"created", a_created, false},
    {"base_models", a_base, false}, {"relation", a_rel, false},     {"pipeline_tag", NULL, false},
    {"library", a_lib, false},      {"license", a_lic, false},      {"gated", NULL, false},
    {"params", a_params, false},    {"params_source", NULL, false}, {"file_bytes", a_bytes, false},
    {"languages", a_lang, false},   {"tags", NULL, false},          {"synthetic", NULL, false},
};

/* One model's fields as text, whichever form they came in; `given` marks present fields. */
typedef struct {
    omen_field v[NCOL];
    bool given[NCOL];
    uint64_t line;
} record;

static bool is_sep(char c)
{
    return c == ';' || c == '|';
}

/* Normalises a `;`- or `|`-separated list (or a JSON-ish "['a', 'b']") to "a;b". */
static uint32_t list_str(omen_rows *rows, omen_field f)
{
    char *buf = omen_xmalloc(f.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < f.len; i++) {
        char c = f.ptr[i];
        if (c == '[' || c == ']' || c == '\'' || c == '"')
            continue;
        if (is_sep(c) || c == ',') {
            while (n && buf[n - 1] == ' ')
                n--;
            if (n && buf[n - 1] != ';')
                buf[n++] = ';';
            while (i + 1 < f.len && f.ptr[i + 1] == ' ')
                i++;
            continue;
        }
        buf[n++] = c;
    }
    while (n && (buf[n - 1] == ';' || buf[n - 1] == ' '))
        n--;
    uint32_t id = omen_rows_str(rows, buf, n);
    free(buf);
    return id;
}

static bool parse_gated(omen_field f, const char **out)
{
    static const char *const no[] = {"no", "false", "0", "none", "n/a", NULL};
    for (const char *const *p = no; *p; p++)
        if (omen_field_ieq(f, *p))
            return (*out = "no"), true;
    if (omen_field_ieq(f, "auto") || omen_field_ieq(f, "true") || omen_field_ieq(f, "1"))
        return (*out = "auto"), true;
    if (omen_field_ieq(f, "manual"))
        return (*out = "manual"), true;
    return false;
}

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
                                                {NULL, NULL}};

/* The canonical relation for a spelling, or NULL. */
static const char *relation_of(omen_field f)
{
    static const char *const rel[] = {
        "finetune", "adapter", "quantized", "merge", "continued_pretraining", "other", NULL};
    for (const char *const *r = rel; *r; r++)
        if (omen_field_ieq(f, *r))
            return *r;
    for (size_t i = 0; relation_alias[i][0]; i++)
        if (omen_field_ieq(f, relation_alias[i][0]))
            return relation_alias[i][1];
    return NULL;
}

const char *omen_relation_canonical(const char *s, size_t len);
const char *omen_relation_canonical(const char *s, size_t len)
{
    omen_field f = {s, len};
    return relation_of(f);
}

typedef struct {
    omen_field parent;
    const char *relation;
} base_item;

/* Splits "a;finetune:b|c" into items; an item's relation is its prefix when that prefix is a
 * relation, else the default. Items naming the same parent keep the one with a relation. */
static size_t split_bases(omen_field f, const char *deflt, base_item *items, size_t max,
                          bool *bad_rel)
{
    size_t n = 0, i = 0;
    while (i < f.len) {
        size_t j = i;
        while (j < f.len && !is_sep(f.ptr[j]) && f.ptr[j] != ',')
            j++;
        omen_field item = {f.ptr + i, j - i};
        while (item.len && (isspace((unsigned char)*item.ptr) || *item.ptr == '[' ||
                            *item.ptr == '\'' || *item.ptr == '"'))
            item.ptr++, item.len--;
        while (item.len &&
               (isspace((unsigned char)item.ptr[item.len - 1]) || item.ptr[item.len - 1] == ']' ||
                item.ptr[item.len - 1] == '\'' || item.ptr[item.len - 1] == '"'))
            item.len--;
        i = j + 1;
        if (!item.len)
            continue;
        const char *rel = deflt, *colon = memchr(item.ptr, ':', item.len);
        bool typed = false;
        if (colon) {
            omen_field pre = {item.ptr, (size_t)(colon - item.ptr)};
            rel = relation_of(pre);
            if (!rel) {
                *bad_rel = true;
                rel = deflt;
            }
            typed = true;
            item.len -= (size_t)(colon + 1 - item.ptr);
            item.ptr = colon + 1;
        }
        size_t k = 0;
        while (k < n && !(items[k].parent.len == item.len &&
                          memcmp(items[k].parent.ptr, item.ptr, item.len) == 0))
            k++;
        if (k < n) {
            if (typed)
                items[k].relation = rel;
            continue;
        }
        if (n < max)
            items[n++] = (base_item){item, rel};
    }
    return n;
}

static bool same_model(const omen_rows *rows, const omen_model_row *a, const omen_model_row *b)
{
    (void)rows;
    return a->fields == b->fields && a->created == b->created && a->params == b->params &&
           a->file_bytes == b->file_bytes && a->developer == b->developer &&
           a->pipeline_tag == b->pipeline_tag && a->library == b->library &&
           a->license == b->license && a->gated == b->gated &&
           a->params_source == b->params_source && a->languages == b->languages &&
           a->tags == b->tags;
}

static bool parse_size(omen_reader *r, const record *rec, int col, const char *what, int64_t *out)
{
    uint64_t v;
    const char *why;
    if (!rec->given[col] || rec->v[col].len == 0)
        return true;
    if (!omen_parse_count(rec->v[col], &v, &why)) {
        omen_reader_error(r, rec->line, "%s '%.*s' is %s", what, (int)rec->v[col].len,
                          rec->v[col].ptr, why);
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static uint32_t opt_str(omen_rows *rows, const record *rec, int col)
{
    if (!rec->given[col] || rec->v[col].len == 0)
        return UINT32_MAX;
    return omen_rows_str(rows, rec->v[col].ptr, rec->v[col].len);
}

static void add_edges(omen_reader *r, const record *rec, uint32_t child, const char *deflt)
{
    base_item items[64];
    bool bad_rel = false;
    size_t n = split_bases(rec->v[C_BASE], deflt, items, 64, &bad_rel);
    if (bad_rel) {
        omen_reader_error(r, rec->line,
                          "base model relation not one of finetune, adapter, "
                          "quantized, merge, continued_pretraining, other");
        return;
    }
    for (size_t k = 0; k < n; k++) {
        omen_field p = items[k].parent;
        if (!omen_parse_model_id(&p)) {
            omen_reader_error(r, rec->line, "base model id '%.*s' has spaces", (int)p.len, p.ptr);
            continue;
        }
        omen_edge_row *e = omen_rows_add_edge(r->rows);
        e->parent = omen_rows_name(r->rows, p.ptr, p.len);
        e->child = child;
        e->relation = omen_rows_str(r->rows, items[k].relation, strlen(items[k].relation));
        e->position = (uint32_t)k;
        e->line = rec->line;
        if (e->parent == child) {
            omen_reader_error(r, rec->line, "model lists itself as its base model");
            r->rows->nedges--;
        }
    }
}

/* Validates one record and adds its model row and edges. */
static void add_record(omen_reader *r, record *rec)
{
    omen_rows *rows = r->rows;
    omen_field id = rec->v[C_MODEL];
    uint64_t errors = r->diag->count;
    if (!omen_parse_model_id(&id)) {
        omen_reader_error(r, rec->line, "model id '%.*s' is empty or has spaces", (int)id.len,
                          id.ptr);
        r->rows_bad++;
        return;
    }
    /* omen synth marks its rows, so a store built from its CSV files says it is synthetic. */
    if (rec->given[C_SYNTH] &&
        (omen_field_ieq(rec->v[C_SYNTH], "true") || omen_field_eq(rec->v[C_SYNTH], "1")))
        rows->synthetic = true;
    omen_model_row m = {0};
    m.created = OMEN_NO_DATE;
    m.params = m.file_bytes = -1;
    m.name = omen_rows_name(rows, id.ptr, id.len);
    m.line = rec->line;
    m.developer = opt_str(rows, rec, C_DEV);
    m.pipeline_tag = opt_str(rows, rec, C_PIPE);
    m.library = opt_str(rows, rec, C_LIB);
    m.license = rec->given[C_LIC] && rec->v[C_LIC].len ? list_str(rows, rec->v[C_LIC]) : UINT32_MAX;
    m.languages =
        rec->given[C_LANG] && rec->v[C_LANG].len ? list_str(rows, rec->v[C_LANG]) : UINT32_MAX;
    m.tags = rec->given[C_TAGS] && rec->v[C_TAGS].len ? list_str(rows, rec->v[C_TAGS]) : UINT32_MAX;
    m.gated = m.params_source = UINT32_MAX;
    static const struct {
        int col;
        uint32_t bit;
    } flags[] = {{C_DEV, OMEN_MF_DEVELOPER},  {C_CREATED, OMEN_MF_CREATED},
                 {C_PIPE, OMEN_MF_PIPELINE},  {C_LIB, OMEN_MF_LIBRARY},
                 {C_LIC, OMEN_MF_LICENSE},    {C_GATED, OMEN_MF_GATED},
                 {C_PARAMS, OMEN_MF_PARAMS},  {C_BYTES, OMEN_MF_BYTES},
                 {C_LANG, OMEN_MF_LANGUAGES}, {C_TAGS, OMEN_MF_TAGS}};
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        if (rec->given[flags[k].col])
            m.fields |= flags[k].bit;
    if (rec->given[C_CREATED] && rec->v[C_CREATED].len &&
        !omen_date_parse(rec->v[C_CREATED].ptr, rec->v[C_CREATED].len, &m.created))
        omen_reader_error(r, rec->line, "created '%.*s' is not a valid date",
                          (int)rec->v[C_CREATED].len, rec->v[C_CREATED].ptr);
    if (rec->given[C_GATED] && rec->v[C_GATED].len) {
        const char *g;
        if (!parse_gated(rec->v[C_GATED], &g))
            omen_reader_error(r, rec->line, "gated '%.*s' is not one of no, auto, manual",
                              (int)rec->v[C_GATED].len, rec->v[C_GATED].ptr);
        else
            m.gated = omen_rows_str(rows, g, strlen(g));
    }
    parse_size(r, rec, C_PARAMS, "params", &m.params);
    parse_size(r, rec, C_BYTES, "file_bytes", &m.file_bytes);
    if (m.params >= 0) {
        omen_field src = rec->given[C_PSRC] ? rec->v[C_PSRC] : (omen_field){"", 0};
        if (src.len == 0)
            src = (omen_field){"safetensors", 11};
        if (!omen_field_eq(src, "safetensors") && !omen_field_eq(src, "estimated") &&
            !omen_field_eq(src, "official"))
            omen_reader_error(r, rec->line,
                              "params_source '%.*s' is not one of safetensors, "
                              "estimated, official",
                              (int)src.len, src.ptr);
        m.params_source = omen_rows_str(rows, src.ptr, src.len);
    }
    const char *deflt = "other";
    if (rec->given[C_REL] && rec->v[C_REL].len && !(deflt = relation_of(rec->v[C_REL]))) {
        omen_reader_error(r, rec->line,
                          "relation '%.*s' is not one of finetune, adapter, "
                          "quantized, merge, continued_pretraining, other",
                          (int)rec->v[C_REL].len, rec->v[C_REL].ptr);
        deflt = "other";
    }
    if (r->diag->count != errors) {
        r->rows_bad++;
        return;
    }
    uint32_t *slot = omen_index_slot(r->model_rows, m.name);
    if (*slot) {
        const omen_model_row *prev = &rows->models[*slot - 1];
        if (!same_model(rows, prev, &m)) {
            omen_reader_error(r, rec->line,
                              "model '%.*s' is described twice with different "
                              "values (first at line %llu)",
                              (int)id.len, id.ptr, (unsigned long long)prev->line);
            r->rows_bad++;
        }
        return;
    }
    /* The base models are part of the row: if one is rejected, so is the whole row. */
    size_t edges_before = rows->nedges;
    if (rec->given[C_BASE] && rec->v[C_BASE].len)
        add_edges(r, rec, m.name, deflt);
    if (r->diag->count != errors) {
        rows->nedges = edges_before;
        r->rows_bad++;
        return;
    }
    *omen_rows_add_model(rows) = m;
    *slot = (uint32_t)rows->nmodels;
}

static void read_csv(omen_reader *r)
{
    omen_csv csv;
    omen_header h;
    omen_csv_init(&csv, r->data, r->len);
    if (!omen_reader_header(r, &csv, specs, NCOL, &h))
        return;
    omen_field fields[OMEN_MAX_COLUMNS];
    size_t n;
    while (omen_reader_next(r, &csv, fields, &n)) {
        r->rows_read++;
        record rec = {.line = csv.line};
        for (int c = 0; c < NCOL; c++) {
            rec.given[c] = h.index[c] >= 0;
            rec.v[c] = omen_reader_get(&h, fields, n, (size_t)c);
        }
        add_record(r, &rec);
    }
}

/* ---- JSON Lines ---- */

static const cJSON *get(const cJSON *o, const char *const *keys)
{
    for (; *keys; keys++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *keys);
        if (v && !cJSON_IsNull(v))
            return v;
    }
    return NULL;
}

/* Text of a JSON scalar, kept alive in a per-line scratch buffer. */
static omen_field scalar(const cJSON *v, char *scratch, size_t cap, size_t *used)
{
    omen_field f = {"", 0};
    if (!v)
        return f;
    char *dst = scratch + *used;
    size_t room = cap - *used;
    int n = 0;
    if (cJSON_IsString(v))
        n = snprintf(dst, room, "%s", v->valuestring);
    else if (cJSON_IsBool(v))
        n = snprintf(dst, room, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNumber(v))
        n = snprintf(dst, room, "%.17g", v->valuedouble);
    else if (cJSON_IsArray(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v) if (cJSON_IsString(it) && (size_t)n < room) n +=
            snprintf(dst + n, room - (size_t)n, "%s%s", n ? ";" : "", it->valuestring);
    }
    if (n < 0 || (size_t)n >= room)
        return f;
    *used += (size_t)n + 1;
    f.ptr = dst;
    f.len = (size_t)n;
    return f;
}

/* Splits the Hub's tags into base_model:<relation>:<id> edges, license:<id> and the rest. */
static void split_tags(const cJSON *tags, record *rec, char *scratch, size_t cap, size_t *used)
{
    char *base = scratch + *used;
    size_t nb = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, tags)
    {
        if (!cJSON_IsString(it) || strncmp(it->valuestring, "base_model:", 11) != 0)
            continue;
        const char *rest = it->valuestring + 11;
        if (*used + nb + strlen(rest) + 2 >= cap)
            break;
        nb += (size_t)snprintf(base + nb, cap - *used - nb, "%s%s", nb ? ";" : "", rest);
    }
    if (nb && !rec->given[C_BASE]) {
        rec->v[C_BASE] = (omen_field){base, nb};
        rec->given[C_BASE] = true;
        *used += nb + 1;
    }
    cJSON_ArrayForEach(it, tags)
    {
        if (cJSON_IsString(it) && strncmp(it->valuestring, "license:", 8) == 0 &&
            !rec->given[C_LIC]) {
            rec->v[C_LIC] = (omen_field){it->valuestring + 8, strlen(it->valuestring + 8)};
            rec->given[C_LIC] = true;
        }
    }
}

static void json_record(omen_reader *r, const cJSON *o, uint64_t line)
{
    static const char *const k_model[] = {"model", "id", "modelId", "model_id", NULL};
    static const char *const k_dev[] = {"developer", "author", NULL};
    static const char *const k_created[] = {"created", "createdAt", "created_at", NULL};
    static const char *const k_base[] = {"base_models", "base_model", NULL};
    static const char *const k_rel[] = {"relation", NULL};
    static const char *const k_pipe[] = {"pipeline_tag", "pipelineTag", NULL};
    static const char *const k_lib[] = {"library", "library_name", "libraryName", NULL};
    static const char *const k_lic[] = {"license", NULL};
    static const char *const k_gated[] = {"gated", NULL};
    static const char *const k_params[] = {"params", "safetensors_total", NULL};
    static const char *const k_psrc[] = {"params_source", NULL};
    static const char *const k_bytes[] = {"file_bytes", "usedStorage", "used_storage", NULL};
    static const char *const k_lang[] = {"languages", "language", NULL};
    static const char *const k_tags[] = {"tags", NULL};
    static const char *const k_synth[] = {"synthetic", NULL};
    static const char *const *keys[NCOL] = {k_model, k_dev,   k_created, k_base,  k_rel,
                                            k_pipe,  k_lib,   k_lic,     k_gated, k_params,
                                            k_psrc,  k_bytes, k_lang,    k_tags,  k_synth};
    char scratch[65536];
    size_t used = 0;
    record rec = {.line = line};
    for (int c = 0; c < NCOL; c++) {
        const cJSON *v = get(o, keys[c]);
        rec.given[c] = v != NULL;
        rec.v[c] = scalar(v, scratch, sizeof scratch, &used);
    }
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "safetensors");
    const cJSON *total = st ? cJSON_GetObjectItemCaseSensitive(st, "total") : NULL;
    if (!rec.given[C_PARAMS] && total) {
        rec.v[C_PARAMS] = scalar(total, scratch, sizeof scratch, &used);
        rec.given[C_PARAMS] = true;
    }
    const cJSON *card = get(o, (const char *const[]){"cardData", "card_data", NULL});
    if (card && !rec.given[C_LIC] && cJSON_GetObjectItemCaseSensitive(card, "license")) {
        rec.v[C_LIC] = scalar(cJSON_GetObjectItemCaseSensitive(card, "license"), scratch,
                              sizeof scratch, &used);
        rec.given[C_LIC] = true;
    }
    if (card && !rec.given[C_LANG] && cJSON_GetObjectItemCaseSensitive(card, "language")) {
        rec.v[C_LANG] = scalar(cJSON_GetObjectItemCaseSensitive(card, "language"), scratch,
                               sizeof scratch, &used);
        rec.given[C_LANG] = true;
    }
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(o, "tags");
    if (cJSON_IsArray(tags))
        split_tags(tags, &rec, scratch, sizeof scratch, &used);
    if (!rec.given[C_MODEL]) {
        omen_reader_error(r, line, "record has no model id (keys id, model, modelId, model_id)");
        r->rows_bad++;
        return;
    }
    add_record(r, &rec);
}

void omen_models_json_record(omen_reader *r, const cJSON *o, uint64_t line)
{
    json_record(r, o, line);
}

static void read_jsonl(omen_reader *r)
{
    uint64_t line = 0;
    char *p = r->data, *end = r->data + r->len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        line++;
        size_t len = (size_t)(stop - p);
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (len) {
            r->rows_read++;
            cJSON *o = cJSON_ParseWithLength(p, len);
            if (!o || !cJSON_IsObject(o)) {
                omen_reader_error(r, line, "not a JSON object");
                r->rows_bad++;
            } else {
                json_record(r, o, line);
            }
            cJSON_Delete(o);
        }
        p = stop + 1;
    }
}

void omen_read_models(omen_reader *r)
{
    const char *p = r->data;
    while (p < r->data + r->len && isspace((unsigned char)*p))
        p++;
    if (*p == '{')
        read_jsonl(r);
    else
        read_csv(r);
}
