/* read_snapshot.c: the `snapshot` reader: one Hub listing at a date, as JSON Lines of Hub API
 * records (camelCase, or huggingface_hub's snake_case) or as CSV text with the same fields
 * (what a hub-stats models.parquet becomes after parquet.h: lists joined by ';', structs
 * flattened to one column per leaf, `safetensors.total`, `baseModels.relation`,
 * `baseModels.models` (the ids), `cardData.license`; this reader nests those columns back
 * into the objects the API sends).
 *
 * Every record goes through the models reader (metadata, base_model:<relation>:<id> edges,
 * license:<id>, safetensors.total) and gives one cumulative observation (model, date,
 * downloadsAllTime); series.c differences a sequence of snapshots into weekly flows. The
 * 30-day `downloads` field is never used: adding up overlapping 30-day windows double counts. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../util/intern.h"
#include "reader.h"
#include "unmapped.h"
#include "sources.h"

/* The keys of a record that omen reads (either spelling); any other key is reported unused. */
static const char *const used_keys[] = {"id",
                                        "modelId",
                                        "model_id",
                                        "model",
                                        "author",
                                        "createdAt",
                                        "created_at",
                                        "downloadsAllTime",
                                        "downloads_all_time",
                                        "tags",
                                        "pipeline_tag",
                                        "pipelineTag",
                                        "library_name",
                                        "libraryName",
                                        "gated",
                                        "safetensors",
                                        "safetensors.total",
                                        "safetensors_total",
                                        "usedStorage",
                                        "used_storage",
                                        "cardData",
                                        "card_data",
                                        "baseModels",
                                        NULL};

const char *const omen_snapshot_columns[] = {"id",
                                             "modelId",
                                             "model_id",
                                             "model",
                                             "author",
                                             "createdAt",
                                             "created_at",
                                             "downloadsAllTime",
                                             "downloads_all_time",
                                             "downloads",
                                             "tags",
                                             "pipeline_tag",
                                             "pipelineTag",
                                             "library_name",
                                             "libraryName",
                                             "gated",
                                             "safetensors",
                                             "safetensors_total",
                                             "usedStorage",
                                             "used_storage",
                                             "cardData",
                                             "card_data",
                                             "baseModels",
                                             NULL};

static const char *const count_keys[] = {"downloadsAllTime", "downloads_all_time", NULL};
static const char *const id_keys[] = {"id", "modelId", "model_id", "model", NULL};

typedef struct {
    omen_reader *r;
    char *unused;        /* comma-separated, each once */
    uint64_t no_count;   /* records without downloadsAllTime */
    uint64_t thirty_day; /* records that carried the 30-day `downloads` */
    omen_models_tally tally;
    bool csv; /* records come from CSV rows (or Parquet), all with the header's keys */
} state;

/* The structs whose flattened leaves ("cardData.license") this reader nests back. */
static const char *const nested[] = {"safetensors", "cardData", "card_data", "baseModels", NULL};

static const char *nested_root(const char *key)
{
    for (const char *const *k = nested; *k; k++) {
        size_t n = strlen(*k);
        if (strncmp(key, *k, n) == 0 && key[n] == '.')
            return *k;
    }
    return NULL;
}

/* A struct's leaf counts as read when its struct is: safetensors.parameters.BF16 is part of
 * the parameter count, cardData.base_model part of what omen may look at. */
static bool known(const char *key)
{
    for (const char *const *k = used_keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return nested_root(key) != NULL;
}

static void note_unused(state *st, const char *key)
{
    if (known(key) || strcmp(key, "downloads") == 0)
        return;
    size_t klen = strlen(key), old = st->unused ? strlen(st->unused) : 0;
    if (klen == 0) /* an empty key names nothing (and strstr would find it forever) */
        return;
    for (const char *p = st->unused; p && (p = strstr(p, key)) != NULL; p += klen)
        if ((p == st->unused || p[-1] == ',') && (p[klen] == ',' || p[klen] == 0))
            return;
    if (old > 4000)
        return;
    st->unused = omen_xrealloc(st->unused, old + klen + 2);
    snprintf(st->unused + old, klen + 2, "%s%s", old ? "," : "", key);
}

static const cJSON *get(const cJSON *o, const char *const *keys)
{
    for (; *keys; keys++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *keys);
        if (v && !cJSON_IsNull(v))
            return v;
    }
    return NULL;
}

/* A record's downloadsAllTime text (ptr NULL when absent) as a count; false, with the record
 * counted or reported, when there is none to observe. */
static bool read_count(state *st, omen_field count_text, uint64_t line, uint64_t *count)
{
    omen_reader *r = st->r;
    if (!count_text.ptr) {
        st->no_count++;
        return false;
    }
    const char *why = "not a number";
    if (!count_text.len || !omen_parse_count(count_text, count, &why)) {
        omen_reader_error(r, line, "downloadsAllTime '%.*s' is %s", (int)count_text.len,
                          count_text.ptr, why);
        r->rows_bad++;
        return false;
    }
    return true;
}

/* The cumulative observation of a record: its downloadsAllTime text for the model of its id
 * text. */
static void observe(state *st, omen_field count_text, omen_field id, uint64_t line)
{
    omen_reader *r = st->r;
    uint64_t count;
    if (!read_count(st, count_text, line, &count))
        return;
    if (!omen_parse_model_id(&id))
        return; /* the models reader reported it */
    uint32_t model = omen_rows_name(r->rows, id.ptr, id.len);
    omen_obs_push(r->obs, model, r->opt->date, count, OMEN_WHERE(r->file_index, line));
}

/* One record: metadata through the models reader, then the cumulative observation. */
static void record(state *st, const cJSON *o, uint64_t line)
{
    omen_reader *r = st->r;
    uint64_t bad = r->rows_bad;
    const cJSON *it;
    /* A CSV record's keys are its header's, which read_csv notes once. */
    if (!st->csv)
        cJSON_ArrayForEach(it, o) if (it->string) note_unused(st, it->string);
    if (cJSON_GetObjectItemCaseSensitive(o, "downloads"))
        st->thirty_day++;
    omen_models_json_record(r, o, line, &st->tally);
    if (r->rows_bad != bad)
        return;
    const cJSON *c = get(o, count_keys);
    char text[64];
    omen_field f = {NULL, 0};
    if (cJSON_IsNumber(c))
        f = (omen_field){text, (size_t)snprintf(text, sizeof text, "%.17g", c->valuedouble)};
    else if (cJSON_IsString(c))
        f = (omen_field){c->valuestring, strlen(c->valuestring)};
    else if (c)
        f = (omen_field){"", 0};
    omen_field id = {"", 0};
    const cJSON *idv = get(o, id_keys);
    if (cJSON_IsString(idv))
        id = (omen_field){idv->valuestring, strlen(idv->valuestring)};
    observe(st, f, id, line);
}

static void read_jsonl(state *st)
{
    omen_reader *r = st->r;
    uint64_t line = 0;
    char *p = r->data, *end = r->data + r->len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        size_t len = (size_t)(stop - p);
        line++;
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
                record(st, o, line);
            }
            cJSON_Delete(o);
        }
        p = stop + 1;
    }
}

/* A CSV cell as the JSON value the API would have sent: tags become an array, cardData an
 * object when it holds JSON, empty cells are absent. */
static void add_cell(cJSON *o, const char *key, omen_field v)
{
    if (!v.len)
        return;
    char *s = omen_xmalloc(v.len + 1);
    memcpy(s, v.ptr, v.len);
    s[v.len] = 0;
    if (strcmp(key, "tags") == 0) {
        cJSON *arr = cJSON_AddArrayToObject(o, key);
        for (char *tok = strtok(s, ";|,"); tok; tok = strtok(NULL, ";|,")) {
            while (*tok == ' ' || *tok == '[' || *tok == '\'' || *tok == '"')
                tok++;
            size_t n = strlen(tok);
            while (n && strchr(" ]'\"", tok[n - 1]))
                tok[--n] = 0;
            if (n)
                cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
        }
    } else if (nested_root(key)) {
        /* "a.b.c" -> o.a.b.c; baseModels.models holds the ids joined with ';'. */
        cJSON *parent = o;
        char *path = omen_xmalloc(strlen(key) + 1);
        strcpy(path, key);
        char *leaf = path;
        for (char *dot; (dot = strchr(leaf, '.')) != NULL; leaf = dot + 1) {
            *dot = 0;
            cJSON *child = cJSON_GetObjectItemCaseSensitive(parent, leaf);
            if (!cJSON_IsObject(child)) {
                cJSON_DeleteItemFromObjectCaseSensitive(parent, leaf);
                child = cJSON_AddObjectToObject(parent, leaf);
            }
            parent = child;
        }
        if (strcmp(key, "baseModels.models") == 0) {
            cJSON *arr = cJSON_AddArrayToObject(parent, leaf);
            for (char *tok = strtok(s, ";"); tok; tok = strtok(NULL, ";"))
                if (*tok)
                    cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
        } else {
            cJSON_AddStringToObject(parent, leaf, s);
        }
        free(path);
    } else if (strcmp(key, "cardData") == 0 || strcmp(key, "card_data") == 0) {
        cJSON *card = cJSON_Parse(s);
        if (card && cJSON_IsObject(card))
            cJSON_AddItemToObject(o, key, card);
        else {
            cJSON_Delete(card);
            cJSON_AddStringToObject(o, key, s);
        }
    } else {
        cJSON_AddStringToObject(
            o, strcmp(key, "safetensors.total") == 0 ? "safetensors_total" : key, s);
    }
    free(s);
}

/* What a week of a folder run needs to find rows it has read before (reader.h,
 * omen_metadata_seen): the columns of the id, the counts and the 30-day downloads, and a hash
 * of the header that every row's hash starts from. `on` is false when the file cannot take the
 * shortcut: outside a folder run, or a header with several id columns (which one names the
 * model then depends on the row) or a `synthetic` column (which marks the whole batch). */
typedef struct {
    bool on;
    int id;
    int count[2];                /* count_keys in order, -1 absent */
    bool skip[OMEN_MAX_COLUMNS]; /* columns left out of a row's hash: the counts */
    int thirty_day;              /* the `downloads` column, -1 absent */
    uint64_t seed;
} row_memo;

static void row_memo_init(row_memo *m, const omen_reader *r, char *const *names, size_t nh)
{
    memset(m, 0, sizeof *m);
    m->id = m->count[0] = m->count[1] = m->thirty_day = -1;
    int ids = 0;
    bool synthetic = false;
    m->seed = omen_hash_bytes("omen listing row", 16);
    for (size_t i = 0; i < nh; i++) {
        for (const char *const *k = id_keys; *k; k++)
            if (strcmp(names[i], *k) == 0)
                m->id = (int)i, ids++;
        for (int k = 0; k < 2; k++)
            if (strcmp(names[i], count_keys[k]) == 0)
                m->count[k] = (int)i, m->skip[i] = true;
        if (strcmp(names[i], "downloads") == 0)
            m->thirty_day = (int)i, m->skip[i] = true;
        synthetic |= strcmp(names[i], "synthetic") == 0;
        m->seed = omen_hash_mix(m->seed ^ omen_hash_bytes(names[i], strlen(names[i])));
    }
    m->on = r->seen && ids == 1 && !synthetic;
}

/* The hash of a row's text, every column but the counts, never 0. */
static uint64_t row_hash(const row_memo *m, const omen_field *f, size_t n)
{
    uint64_t h = omen_hash_mix(m->seed ^ n);
    for (size_t i = 0; i < n; i++)
        if (!m->skip[i])
            h = omen_hash_mix(h ^ omen_hash_bytes(f[i].ptr, f[i].len) ^ ((uint64_t)i << 56));
    return h | 1;
}

static omen_field cell(const omen_field *f, size_t n, int col)
{
    return col >= 0 && (size_t)col < n ? f[col] : (omen_field){"", 0};
}

/* A row whose text (all but its counts) is the one a week before read cleanly: it stands for
 * the same model row, so only its counts are read (and the batch writes nothing of its
 * metadata, as for any unchanged row). False when the row must be read in full. */
static bool read_again_unneeded(state *st, const row_memo *m, const omen_field *f, size_t n,
                                size_t nh, uint64_t line, uint64_t hash)
{
    omen_reader *r = st->r;
    omen_field id = cell(f, n, m->id);
    if (n > nh || !id.len || !omen_parse_model_id(&id))
        return false;
    uint32_t sid = omen_intern_find(&r->seen->names, id.ptr, id.len);
    if (sid == UINT32_MAX || r->seen->raw[sid] != hash)
        return false;
    uint32_t name = omen_rows_name(r->rows, id.ptr, id.len);
    uint32_t *slot = omen_index_slot(r->model_rows, name);
    if (*slot) /* a repeat in this listing: compared in full */
        return false;
    omen_model_row *row = omen_rows_add_model(r->rows);
    *row = (omen_model_row){.name = name,
                            .fields = OMEN_MF_UNCHANGED,
                            .created = OMEN_NO_DATE,
                            .params = -1,
                            .file_bytes = -1,
                            .developer = UINT32_MAX,
                            .pipeline_tag = UINT32_MAX,
                            .library = UINT32_MAX,
                            .license = UINT32_MAX,
                            .gated = UINT32_MAX,
                            .params_source = UINT32_MAX,
                            .languages = UINT32_MAX,
                            .tags = UINT32_MAX,
                            .line = line};
    *slot = (uint32_t)r->rows->nmodels;
    r->rows_unchanged++;
    if (cell(f, n, m->thirty_day).len)
        st->thirty_day++;
    omen_field text = cell(f, n, m->count[0]);
    if (!text.len)
        text = cell(f, n, m->count[1]);
    uint64_t count;
    if (read_count(st, text.len ? text : (omen_field){NULL, 0}, line, &count))
        omen_obs_push(r->obs, name, r->opt->date, count, OMEN_WHERE(r->file_index, line));
    return true;
}

/* After a row was read in full: remembers its text's hash when the reading was clean (one new
 * model row; no error, value kept as given or disagreement counted), forgets it otherwise. */
static void remember_row(state *st, const row_memo *m, const omen_field *f, size_t n, uint64_t hash,
                         bool clean)
{
    omen_field id = cell(f, n, m->id);
    if (!id.len || !omen_parse_model_id(&id))
        return;
    uint32_t sid = omen_metadata_seen_slot(st->r->seen, id.ptr, id.len);
    st->r->seen->raw[sid] = clean ? hash : 0;
}

static cJSON *csv_object(char *const *names, size_t nh, const omen_field *f, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < n && i < nh; i++)
        add_cell(o, names[i], f[i]);
    return o;
}

static void read_csv(state *st)
{
    omen_reader *r = st->r;
    st->csv = true;
    omen_csv csv;
    omen_csv_init(&csv, r->data, r->len);
    omen_field f[OMEN_MAX_COLUMNS];
    size_t nh = 0, n;
    if (omen_csv_next(&csv, f, OMEN_MAX_COLUMNS, &nh) != OMEN_CSV_RECORD) {
        omen_reader_error(r, 1, "no header row");
        return;
    }
    char *names[OMEN_MAX_COLUMNS];
    bool have_id = false;
    for (size_t i = 0; i < nh; i++) {
        names[i] = omen_xmalloc(f[i].len + 1);
        memcpy(names[i], f[i].ptr, f[i].len);
        names[i][f[i].len] = 0;
        for (const char *const *k = id_keys; *k; k++)
            have_id |= strcmp(names[i], *k) == 0;
    }
    if (!have_id)
        omen_reader_error(r, 1, "missing required column id (or modelId, model_id, model)");
    row_memo memo;
    row_memo_init(&memo, r, names, nh);
    while (have_id && omen_reader_next(r, &csv, f, &n)) {
        r->rows_read++;
        uint64_t hash = memo.on ? row_hash(&memo, f, n) : 0;
        if (memo.on && read_again_unneeded(st, &memo, f, n, nh, csv.line, hash))
            continue;
        uint64_t errors = r->diag->count, unmapped = r->unmapped ? r->unmapped->total : 0;
        uint64_t differ = st->tally.bases_differ;
        size_t models = r->rows->nmodels;
        cJSON *o = csv_object(names, nh, f, n);
        record(st, o, csv.line);
        cJSON_Delete(o);
        if (memo.on)
            remember_row(st, &memo, f, n, hash,
                         r->diag->count == errors && r->rows->nmodels == models + 1 &&
                             (!r->unmapped || r->unmapped->total == unmapped) &&
                             st->tally.bases_differ == differ && n <= nh);
    }
    for (size_t i = 0; i < nh; i++) {
        if (have_id)
            note_unused(st, names[i]);
        free(names[i]);
    }
}

void omen_read_snapshot(omen_reader *r)
{
    state st = {.r = r};
    const char *p = r->data;
    while (p < r->data + r->len && isspace((unsigned char)*p))
        p++;
    if (*p == '{')
        read_jsonl(&st);
    else
        read_csv(&st);
    if (st.unused) {
        free(r->unused);
        r->unused = st.unused;
    }
    if (st.thirty_day)
        omen_reader_note(r,
                         "%s: the 30-day `downloads` of %llu records is not used (flows come "
                         "from differencing downloadsAllTime between snapshots)",
                         r->path, (unsigned long long)st.thirty_day);
    omen_models_tally_note(r, &st.tally);
    if (st.no_count)
        omen_reader_note(r,
                         "%s: %llu records have no downloadsAllTime: their metadata was read, "
                         "but they add no downloads",
                         r->path, (unsigned long long)st.no_count);
}
