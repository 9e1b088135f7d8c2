/* read_models.c: the `models` reader: model metadata as CSV or as JSON Lines (Hub API records
 * in camelCase or huggingface_hub's snake_case are both understood, and hub-stats records with
 * their baseModels, safetensors and cardData structs).
 *
 * Both forms fill one record type that is validated in one place. Base models may be given as
 * a list of ids or of `relation:id` items (the Hub's base_model tags), or as the Hub's
 * baseModels struct; they become edges in the order listed. Labels outside omen's vocabularies
 * (relation, gated, license) are kept as given and counted (unmapped.h). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "reader.h"
#include "sources.h"
#include "unmapped.h"

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

/* One base model: its id and its relation, canonical or (unknown) as given. */
typedef struct {
    omen_field parent;
    omen_field relation;
    bool unknown;
} base_item;

static omen_field text_field(const char *s)
{
    return (omen_field){s, strlen(s)};
}

/* Splits "a;finetune:b|c" into items; an item's relation is its prefix (canonical when the
 * alias table knows it, else as given and marked unknown), else the default. Items naming the
 * same parent keep the one with a relation. A URL's "https:" is no relation. */
static size_t split_bases(omen_field f, base_item deflt, base_item *items, size_t max)
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
        base_item it = deflt;
        const char *colon = memchr(item.ptr, ':', item.len);
        bool typed = false;
        if (colon && !(colon + 1 < item.ptr + item.len && colon[1] == '/')) {
            omen_field pre = {item.ptr, (size_t)(colon - item.ptr)};
            const char *canon = omen_relation_canonical(pre.ptr, pre.len);
            it.relation = canon ? text_field(canon) : pre;
            it.unknown = canon == NULL;
            typed = true;
            item.len -= (size_t)(colon + 1 - item.ptr);
            item.ptr = colon + 1;
        }
        it.parent = item;
        size_t k = 0;
        while (k < n && !(items[k].parent.len == item.len &&
                          memcmp(items[k].parent.ptr, item.ptr, item.len) == 0))
            k++;
        if (k < n) {
            if (typed)
                items[k] = it;
            continue;
        }
        if (n < max)
            items[n++] = it;
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

/* Whether a repeat of a model in one listing describes it as its earlier row did. An earlier
 * row a folder run did not read again (its text unchanged since a week before) is compared
 * through the hash of what that week read (reader.h, omen_metadata_seen). */
static bool same_as_earlier(omen_reader *r, const omen_model_row *prev, const omen_model_row *m)
{
    if (!(prev->fields & OMEN_MF_UNCHANGED))
        return same_model(r->rows, prev, m);
    const char *name = omen_intern_str(&r->rows->names, m->name);
    uint32_t id = r->seen ? omen_intern_find(&r->seen->names, name, strlen(name)) : UINT32_MAX;
    return id != UINT32_MAX && r->seen->noedge[id] == (omen_model_row_hash(r->rows, m) | 1);
}

static bool parse_size(omen_reader *r, const record *rec, int col, const char *what, int64_t *out)
{
    uint64_t v;
    const char *why;
    if (!rec->given[col] || rec->v[col].len == 0)
        return true;
    if (!omen_parse_whole(rec->v[col], INT64_MAX, &v, &why)) {
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

static void add_edges(omen_reader *r, const record *rec, uint32_t child, base_item deflt)
{
    base_item items[64];
    size_t n = split_bases(rec->v[C_BASE], deflt, items, 64);
    for (size_t k = 0; k < n; k++) {
        omen_field p = items[k].parent;
        if (!omen_parse_model_id(&p)) {
            omen_reader_error(r, rec->line, "base model id '%.*s' has spaces", (int)p.len, p.ptr);
            continue;
        }
        /* The default relation (the relation column) was counted once for the model. */
        if (items[k].unknown && items[k].relation.ptr != deflt.relation.ptr &&
            !omen_label_unmapped(r, rec->line, "relation", items[k].relation,
                                 "base model relation '%.*s' is not one of finetune, adapter, "
                                 "quantized, merge, continued_pretraining, other",
                                 (int)items[k].relation.len, items[k].relation.ptr))
            continue;
        omen_edge_row *e = omen_rows_add_edge(r->rows);
        e->parent = omen_rows_name(r->rows, p.ptr, p.len);
        e->child = child;
        e->relation = omen_rows_str(r->rows, items[k].relation.ptr, items[k].relation.len);
        e->position = (uint32_t)k;
        e->line = rec->line;
        if (e->parent == child) {
            omen_reader_error(r, rec->line, "model lists itself as its base model");
            r->rows->nedges--;
        }
    }
}

/* Every license id of the record that the license-class mapping does not know (it would say
 * Undocumented of it) goes through the label policy; the id itself is stored as given. */
static void count_licenses(omen_reader *r, const record *rec)
{
    if (!rec->given[C_LIC])
        return;
    omen_field f = rec->v[C_LIC];
    for (size_t i = 0; i < f.len;) {
        size_t j = i;
        while (j < f.len && !is_sep(f.ptr[j]) && f.ptr[j] != ',')
            j++;
        omen_field id = {f.ptr + i, j - i};
        while (id.len && strchr(" []'\"", *id.ptr))
            id.ptr++, id.len--;
        while (id.len && strchr(" []'\"", id.ptr[id.len - 1]))
            id.len--;
        if (id.len && !omen_license_known(id.ptr, id.len))
            omen_label_unmapped(r, rec->line, "license", id,
                                "license '%.*s' is not a license id omen maps to a license "
                                "class (docs/methodology.md)",
                                (int)id.len, id.ptr);
        i = j + 1;
    }
}

/* Validates one record and adds its model row and edges. */
static void add_record(omen_reader *r, record *rec)
{
    omen_rows *rows = r->rows;
    omen_field id = rec->v[C_MODEL];
    uint64_t errors = r->diag->count;
    omen_unmapped_begin(r->unmapped);
    if (!omen_parse_model_id(&id)) {
        char idwhy[400];
        omen_reader_error(r, rec->line, "%s", omen_model_id_why(id, idwhy, sizeof idwhy));
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
    const char *why;
    if (rec->given[C_CREATED] && rec->v[C_CREATED].len &&
        !omen_date_parse_timestamp(rec->v[C_CREATED].ptr, rec->v[C_CREATED].len, &m.created, &why))
        omen_reader_error(r, rec->line, "created '%.*s' is %s", (int)rec->v[C_CREATED].len,
                          rec->v[C_CREATED].ptr, why);
    if (rec->given[C_GATED] && rec->v[C_GATED].len) {
        const char *g;
        omen_field gv = rec->v[C_GATED];
        if (parse_gated(gv, &g))
            m.gated = omen_rows_str(rows, g, strlen(g));
        else if (omen_label_unmapped(r, rec->line, "gated", gv,
                                     "gated '%.*s' is not one of no, auto, manual", (int)gv.len,
                                     gv.ptr))
            m.gated = omen_rows_str(rows, gv.ptr, gv.len);
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
    base_item deflt = {.relation = text_field("other")};
    if (rec->given[C_REL] && rec->v[C_REL].len) {
        const char *canon = omen_relation_canonical(rec->v[C_REL].ptr, rec->v[C_REL].len);
        if (canon)
            deflt.relation = text_field(canon);
        else if (omen_label_unmapped(r, rec->line, "relation", rec->v[C_REL],
                                     "relation '%.*s' is not one of finetune, adapter, "
                                     "quantized, merge, continued_pretraining, other",
                                     (int)rec->v[C_REL].len, rec->v[C_REL].ptr))
            deflt = (base_item){.relation = rec->v[C_REL], .unknown = true};
    }
    count_licenses(r, rec);
    if (r->diag->count != errors) {
        omen_unmapped_undo(r->unmapped);
        r->rows_bad++;
        return;
    }
    uint32_t *slot = omen_index_slot(r->model_rows, m.name);
    if (*slot) {
        const omen_model_row *prev = &rows->models[*slot - 1];
        if (!same_as_earlier(r, prev, &m)) {
            omen_reader_error(r, rec->line,
                              "model '%.*s' is described twice with different "
                              "values (first at line %llu)",
                              (int)id.len, id.ptr, (unsigned long long)prev->line);
            r->rows_bad++;
        }
        omen_unmapped_undo(r->unmapped); /* a repeat adds nothing: its values are not counted */
        return;
    }
    /* The base models are part of the row: if one is rejected, so is the whole row. */
    size_t edges_before = rows->nedges;
    if (rec->given[C_BASE] && rec->v[C_BASE].len)
        add_edges(r, rec, m.name, deflt);
    if (r->diag->count != errors) {
        rows->nedges = edges_before;
        omen_unmapped_undo(r->unmapped);
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
    /* A string is used where cJSON keeps it (alive as long as the record): copying it into
     * the scratch would turn a long one into an empty field, and a 1 MB id into "empty". */
    if (cJSON_IsString(v))
        return (omen_field){v->valuestring, strlen(v->valuestring)};
    char *dst = scratch + *used;
    size_t room = cap - *used;
    int n = 0;
    if (cJSON_IsBool(v))
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

/* Appends text to the scratch buffer as one field; an empty field when it does not fit. */
static omen_field scratch_text(const char *text, size_t len, char *scratch, size_t cap,
                               size_t *used)
{
    if (*used + len + 1 > cap)
        return (omen_field){"", 0};
    char *dst = scratch + *used;
    memcpy(dst, text, len);
    dst[len] = 0;
    *used += len + 1;
    return (omen_field){dst, len};
}

/* The Hub's base_model:<relation>:<id> (or base_model:<id>) tags as "relation:id;id;...". */
static omen_field tag_bases(const cJSON *tags, char *scratch, size_t cap, size_t *used)
{
    char buf[16384];
    size_t nb = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, tags)
    {
        if (!cJSON_IsString(it) || strncmp(it->valuestring, "base_model:", 11) != 0)
            continue;
        const char *rest = it->valuestring + 11;
        if (nb + strlen(rest) + 2 >= sizeof buf)
            break;
        nb += (size_t)snprintf(buf + nb, sizeof buf - nb, "%s%s", nb ? ";" : "", rest);
    }
    return scratch_text(buf, nb, scratch, cap, used);
}

/* The Hub's baseModels struct {relation, models: [{_id, id}, ...]} as "relation:id;...", in the
 * order listed. The models may also be plain ids (a flattened Parquet column gives
 * "id;id"). */
static omen_field struct_bases(const cJSON *bm, char *scratch, size_t cap, size_t *used)
{
    char buf[16384];
    size_t nb = 0;
    const cJSON *rel = cJSON_GetObjectItemCaseSensitive(bm, "relation");
    const char *relation = cJSON_IsString(rel) && *rel->valuestring ? rel->valuestring : NULL;
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(bm, "models"), *it;
    cJSON_ArrayForEach(it, models)
    {
        const cJSON *id = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "id") : it;
        if (!cJSON_IsString(id) || !*id->valuestring)
            continue;
        if (nb + strlen(id->valuestring) + (relation ? strlen(relation) : 0) + 3 >= sizeof buf)
            break;
        nb += (size_t)snprintf(buf + nb, sizeof buf - nb, "%s%s%s%s", nb ? ";" : "",
                               relation ? relation : "", relation ? ":" : "", id->valuestring);
    }
    return scratch_text(buf, nb, scratch, cap, used);
}

/* Whether two base lists name different base models, or different relations where both say
 * one ("base_model:<id>" without a relation agrees with any). Order is not compared: the Hub
 * does not keep its tags in the card's order. */
static bool bases_differ(omen_field a, omen_field b)
{
    base_item x[64], y[64];
    base_item none = {.relation = {"", 0}};
    size_t nx = split_bases(a, none, x, 64), ny = split_bases(b, none, y, 64);
    if (nx != ny)
        return true;
    for (size_t i = 0; i < nx; i++) {
        size_t k = 0;
        while (k < ny && !(x[i].parent.len == y[k].parent.len &&
                           memcmp(x[i].parent.ptr, y[k].parent.ptr, x[i].parent.len) == 0))
            k++;
        if (k == ny)
            return true;
        if (x[i].relation.len && y[k].relation.len &&
            !(x[i].relation.len == y[k].relation.len &&
              strncasecmp(x[i].relation.ptr, y[k].relation.ptr, x[i].relation.len) == 0))
            return true;
    }
    return false;
}

/* The parameter count of a safetensors struct: its total, else the sum of its per-dtype
 * counts ({parameters: {BF16: n, ...}}); numbers or numeric strings. 0 when it has neither. */
static double safetensors_params(const cJSON *st)
{
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(st, "total");
    if (cJSON_IsNumber(total))
        return total->valuedouble;
    if (cJSON_IsString(total) && *total->valuestring)
        return strtod(total->valuestring, NULL);
    double sum = 0;
    const cJSON *it, *params = cJSON_GetObjectItemCaseSensitive(st, "parameters");
    cJSON_ArrayForEach(it, params)
    {
        if (cJSON_IsNumber(it))
            sum += it->valuedouble;
        else if (cJSON_IsString(it))
            sum += strtod(it->valuestring, NULL);
    }
    return sum;
}

static void json_record(omen_reader *r, const cJSON *o, uint64_t line, omen_models_tally *tally)
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
    double params = cJSON_IsObject(st) ? safetensors_params(st) : 0;
    if (!rec.given[C_PARAMS] && params > 0) {
        char num[32];
        int n = snprintf(num, sizeof num, "%.17g", params);
        rec.v[C_PARAMS] = scratch_text(num, (size_t)n, scratch, sizeof scratch, &used);
        rec.given[C_PARAMS] = true;
    }
    /* cardData is an object in the Hub API and in older hub-stats copies, a JSON string in
     * newer ones. */
    const cJSON *card = get(o, (const char *const[]){"cardData", "card_data", NULL});
    cJSON *parsed = NULL;
    if (cJSON_IsString(card)) {
        parsed = cJSON_Parse(card->valuestring);
        card = cJSON_IsObject(parsed) ? parsed : NULL;
    }
    if (card && !rec.given[C_LIC] && cJSON_GetObjectItemCaseSensitive(card, "license")) {
        rec.v[C_LIC] = scalar(cJSON_GetObjectItemCaseSensitive(card, "license"), scratch,
                              sizeof scratch, &used);
        rec.given[C_LIC] = rec.v[C_LIC].len > 0;
    }
    if (card && !rec.given[C_LANG] && cJSON_GetObjectItemCaseSensitive(card, "language")) {
        rec.v[C_LANG] = scalar(cJSON_GetObjectItemCaseSensitive(card, "language"), scratch,
                               sizeof scratch, &used);
        rec.given[C_LANG] = rec.v[C_LANG].len > 0;
    }
    /* parsed stays alive to the end: scalar() points into its strings. */
    /* Base models: an explicit base_models key, else the baseModels struct, else the
     * base_model: tags. The struct wins over the tags: it is the Hub's own resolution of the
     * card's base_model with one relation and the card's order; a disagreement is counted. */
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(o, "tags");
    omen_field from_tags =
        cJSON_IsArray(tags) ? tag_bases(tags, scratch, sizeof scratch, &used) : (omen_field){"", 0};
    const cJSON *bm = get(o, (const char *const[]){"baseModels", "base_models_struct", NULL});
    omen_field from_struct =
        cJSON_IsObject(bm) ? struct_bases(bm, scratch, sizeof scratch, &used) : (omen_field){"", 0};
    if (!rec.given[C_BASE] && (from_struct.len || from_tags.len)) {
        rec.v[C_BASE] = from_struct.len ? from_struct : from_tags;
        rec.given[C_BASE] = true;
        if (tally && from_struct.len && from_tags.len && bases_differ(from_struct, from_tags) &&
            tally->bases_differ++ == 0) {
            const cJSON *id = get(o, k_model);
            snprintf(tally->first_differ, sizeof tally->first_differ, "%s",
                     cJSON_IsString(id) ? id->valuestring : "?");
            tally->first_differ_line = line;
        }
    }
    const cJSON *it, *tag_list = cJSON_IsArray(tags) ? tags : NULL;
    cJSON_ArrayForEach(it, tag_list)
    {
        if (cJSON_IsString(it) && strncmp(it->valuestring, "license:", 8) == 0 &&
            !rec.given[C_LIC]) {
            rec.v[C_LIC] = (omen_field){it->valuestring + 8, strlen(it->valuestring + 8)};
            rec.given[C_LIC] = true;
        }
    }
    if (!rec.given[C_MODEL]) {
        omen_reader_error(r, line, "record has no model id (keys id, model, modelId, model_id)");
        r->rows_bad++;
        cJSON_Delete(parsed);
        return;
    }
    add_record(r, &rec);
    cJSON_Delete(parsed);
}

void omen_models_json_record(omen_reader *r, const cJSON *o, uint64_t line,
                             omen_models_tally *tally)
{
    json_record(r, o, line, tally);
}

void omen_models_tally_note(omen_reader *r, const omen_models_tally *tally)
{
    if (tally->bases_differ)
        omen_reader_note(r,
                         "%s: %llu records list other base models (or relations) in baseModels "
                         "than in their base_model: tags (first: %s, record %llu); baseModels "
                         "was used",
                         r->path, (unsigned long long)tally->bases_differ, tally->first_differ,
                         (unsigned long long)tally->first_differ_line);
}

static void read_jsonl(omen_reader *r)
{
    omen_models_tally tally = {0};
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
            cJSON *o = omen_json_has_nul(p, len) ? NULL : cJSON_ParseWithLength(p, len);
            if (!o && omen_json_has_nul(p, len)) {
                omen_reader_error(r, line, "a JSON string holds a NUL character (\\u0000)");
                r->rows_bad++;
            } else if (!o || !cJSON_IsObject(o)) {
                omen_reader_error(r, line, "not a JSON object");
                r->rows_bad++;
            } else {
                json_record(r, o, line, &tally);
            }
            cJSON_Delete(o);
        }
        p = stop + 1;
    }
    omen_models_tally_note(r, &tally);
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
