/* read_evolution.c: the `evolution` reader: the paper's released dataset
 * (mmpr/open_model_evolution_data), one row per model and week with the cumulative
 * downloadsAllTime and the model's metadata repeated on every row.
 *
 * Counts become observations that series.c differences into weekly flows; the metadata of a
 * model's first row becomes its model row, developer rows, edges and annotations. Later rows
 * that disagree with the first are counted in a note, not rejected: the released files repeat
 * metadata from one crawl, so a difference is an artefact, and the first row decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/countries.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "../util/taxonomy.h"
#include "sources.h"

enum {
    C_MODEL,
    C_TIME,
    C_COUNT,
    C_AUTHOR,
    C_CREATED,
    C_ORG_TYPE,
    C_COUNTRY,
    C_COUNTRY1,
    C_DAUTHOR,
    C_DCOUNTRY1,
    C_DERIVED,
    C_LANG,
    C_MODALITY,
    NCOL
};

static const char *const a_model[] = {"model_id", "id", "modelId", NULL};
static const char *const a_time[] = {"week", "date", "snapshot_date", NULL};
static const char *const a_count[] = {"downloads_all_time", "cumulative", NULL};
static const char *const a_author[] = {"developer", "namespace", NULL};
static const char *const a_created[] = {"created_at", "createdAt", NULL};

static const omen_column_spec specs[NCOL] = {
    {"model", a_model, true},
    {"time", a_time, true},
    {"downloadsAllTime", a_count, true},
    {"author", a_author, false},
    {"created", a_created, false},
    {"org_type", NULL, false},
    {"org_country", NULL, false},
    {"org_country_single", NULL, false},
    {"derived_author", NULL, false},
    {"derived_org_country_single", NULL, false},
    {"merged_derived_from", NULL, false},
    {"merged_languages", NULL, false},
    {"merged_modality", NULL, false},
};

const char *const omen_evolution_columns[] = {"model",
                                              "model_id",
                                              "id",
                                              "modelId",
                                              "time",
                                              "week",
                                              "date",
                                              "snapshot_date",
                                              "downloadsAllTime",
                                              "downloads_all_time",
                                              "cumulative",
                                              "author",
                                              "developer",
                                              "namespace",
                                              "created",
                                              "created_at",
                                              "createdAt",
                                              "org_type",
                                              "org_country",
                                              "org_country_single",
                                              "derived_author",
                                              "derived_org_country_single",
                                              "merged_derived_from",
                                              "merged_languages",
                                              "merged_modality",
                                              NULL};

/* What a model's first row said, to compare later rows with (string ids, UINT32_MAX = none). */
typedef struct {
    bool seen;
    uint32_t meta; /* id of the row's metadata fields joined */
    uint64_t row;
} first_row;

typedef struct {
    omen_reader *r;
    omen_header h;
    first_row *first;
    size_t nfirst;
    uint64_t differing, first_differing, dev_conflicts, multi_country;
    char first_differing_model[256];
} state;

static bool is_sep(char c)
{
    return c == ',' || c == ';' || c == '|';
}

/* The next item of a list separated by , ; or | (brackets and quotes of "['a', 'b']" dropped);
 * false at the end. */
static bool next_item(omen_field list, size_t *pos, omen_field *item)
{
    while (*pos < list.len) {
        size_t i = *pos, j = i;
        while (j < list.len && !is_sep(list.ptr[j]))
            j++;
        *pos = j + 1;
        omen_field f = {list.ptr + i, j - i};
        while (f.len && strchr(" []'\"", *f.ptr))
            f.ptr++, f.len--;
        while (f.len && strchr(" []'\"", f.ptr[f.len - 1]))
            f.len--;
        if (f.len) {
            *item = f;
            return true;
        }
    }
    return false;
}

/* Sets one developer field, keeping the first value given; a different one is counted. */
static void dev_field(state *st, uint32_t *field, uint32_t value)
{
    if (value == UINT32_MAX)
        return;
    if (*field == UINT32_MAX)
        *field = value;
    else if (*field != value)
        st->dev_conflicts++;
}

static void add_developer(state *st, omen_field name, const char *country, const char *org,
                          uint64_t line)
{
    omen_reader *r = st->r;
    omen_rows *rows = r->rows;
    if (!name.len || memchr(name.ptr, '/', name.len) || memchr(name.ptr, ' ', name.len))
        return;
    uint32_t c = country ? omen_rows_str(rows, country, strlen(country)) : UINT32_MAX;
    uint32_t t = org ? omen_rows_str(rows, org, strlen(org)) : UINT32_MAX;
    if (c == UINT32_MAX && t == UINT32_MAX)
        return;
    uint32_t id = omen_rows_str(rows, name.ptr, name.len);
    uint32_t *slot = omen_index_slot(r->developer_rows, id);
    if (!*slot) {
        *omen_rows_add_developer(rows) = (omen_developer_row){id, c, t, UINT32_MAX, line};
        *slot = (uint32_t)rows->ndevelopers;
        return;
    }
    omen_developer_row *d = &rows->developers[*slot - 1];
    dev_field(st, &d->country, c);
    dev_field(st, &d->org_type, t);
}

/* A country column's value as a code; multi-valued values (org_country lists several) give
 * none. Returns false when the value is not a country at all. */
static bool country_of(state *st, omen_field f, const char **code)
{
    *code = NULL;
    if (!f.len)
        return true;
    for (size_t i = 0; i < f.len; i++)
        if (is_sep(f.ptr[i])) {
            st->multi_country++;
            return true;
        }
    *code = omen_country_normalize(f.ptr, f.len);
    return *code != NULL;
}

static void add_annotation(omen_reader *r, uint32_t model, const char *field, const char *value,
                           uint64_t line)
{
    omen_annotation_row *a = omen_rows_add_annotation(r->rows);
    a->model = model;
    a->field = omen_rows_str(r->rows, field, strlen(field));
    a->value = omen_rows_str(r->rows, value, strlen(value));
    a->source = omen_rows_str(r->rows, "human", 5);
    a->line = line;
}

/* merged_languages -> `languages`; merged_modality -> input_modality when the label is one,
 * else output_modality. Unknown labels are errors (the taxonomy is closed). */
static void add_labels(omen_reader *r, uint32_t model, const omen_field *v, uint64_t line)
{
    const omen_taxonomy_field *lang = omen_taxonomy_field_find("languages", 9);
    const omen_taxonomy_field *in = omen_taxonomy_field_find("input_modality", 14);
    const omen_taxonomy_field *out = omen_taxonomy_field_find("output_modality", 15);
    omen_field item;
    size_t pos = 0;
    char buf[128];
    while (next_item(v[C_LANG], &pos, &item)) {
        if (!omen_taxonomy_open_ok(lang, item.ptr, item.len)) {
            omen_reader_error(r, line, "merged_languages: '%.*s' is not a valid languages value",
                              (int)item.len, item.ptr);
            continue;
        }
        snprintf(buf, sizeof buf, "%.*s", (int)item.len, item.ptr);
        add_annotation(r, model, "languages", buf, line);
    }
    pos = 0;
    while (next_item(v[C_MODALITY], &pos, &item)) {
        const char *l = omen_taxonomy_label(in, item.ptr, item.len);
        const char *field = "input_modality";
        if (!l) {
            l = omen_taxonomy_label(out, item.ptr, item.len);
            field = "output_modality";
        }
        if (!l)
            omen_reader_error(r, line,
                              "merged_modality: '%.*s' is not a label of input_modality (%s) "
                              "or output_modality (%s)",
                              (int)item.len, item.ptr, omen_taxonomy_allowed(in),
                              omen_taxonomy_allowed(out));
        else
            add_annotation(r, model, field, l, line);
    }
}

const char *omen_relation_canonical(const char *s, size_t len);

/* merged_derived_from -> edges in the order listed; `relation:id` items carry their relation,
 * plain ids get `other` (the released files do not say how a model was derived). */
static void add_edges(omen_reader *r, uint32_t child, omen_field list, uint64_t line)
{
    omen_field item;
    size_t pos = 0;
    uint32_t position = 0;
    while (next_item(list, &pos, &item)) {
        const char *rel = "other", *colon = memchr(item.ptr, ':', item.len);
        if (colon) {
            const char *canon = omen_relation_canonical(item.ptr, (size_t)(colon - item.ptr));
            if (!canon) {
                omen_reader_error(r, line, "merged_derived_from: '%.*s' has an unknown relation",
                                  (int)item.len, item.ptr);
                continue;
            }
            rel = canon;
            item.len -= (size_t)(colon + 1 - item.ptr);
            item.ptr = colon + 1;
        }
        if (!omen_parse_model_id(&item)) {
            omen_reader_error(r, line, "merged_derived_from: '%.*s' is not a model id",
                              (int)item.len, item.ptr);
            continue;
        }
        uint32_t parent = omen_rows_name(r->rows, item.ptr, item.len);
        if (parent == child)
            continue; /* the released files list some models as derived from themselves */
        omen_edge_row *e = omen_rows_add_edge(r->rows);
        *e = (omen_edge_row){parent, child, omen_rows_str(r->rows, rel, strlen(rel)), position++,
                             line};
    }
}

/* The metadata of a model's first row: model row, developers, edges, annotations. */
static void first_metadata(state *st, uint32_t model, const omen_field *v, uint64_t line)
{
    omen_reader *r = st->r;
    uint64_t errors = r->diag->count;
    size_t nedges = r->rows->nedges, nann = r->rows->nannotations;
    omen_model_row m = {.name = model, .created = OMEN_NO_DATE, .params = -1, .file_bytes = -1};
    m.developer = m.pipeline_tag = m.library = m.license = m.gated = m.params_source = m.languages =
        m.tags = UINT32_MAX;
    m.line = line;
    if (v[C_AUTHOR].len) {
        m.fields |= OMEN_MF_DEVELOPER;
        m.developer = omen_rows_str(r->rows, v[C_AUTHOR].ptr, v[C_AUTHOR].len);
    }
    if (v[C_CREATED].len) {
        if (!omen_date_parse(v[C_CREATED].ptr, v[C_CREATED].len, &m.created))
            omen_reader_error(r, line, "created '%.*s' is not a valid date", (int)v[C_CREATED].len,
                              v[C_CREATED].ptr);
        m.fields |= OMEN_MF_CREATED;
    }
    const char *country = NULL, *dcountry = NULL, *org = NULL;
    omen_field cf = v[C_COUNTRY1].len ? v[C_COUNTRY1] : v[C_COUNTRY];
    if (!country_of(st, cf, &country))
        omen_reader_error(r, line,
                          "country '%.*s' is not an ISO 3166-1 code or English country name, "
                          "nor ONLINE, INTL, USER or UNKNOWN",
                          (int)cf.len, cf.ptr);
    if (!country_of(st, v[C_DCOUNTRY1], &dcountry))
        omen_reader_error(r, line, "derived_org_country_single '%.*s' is not a country",
                          (int)v[C_DCOUNTRY1].len, v[C_DCOUNTRY1].ptr);
    if (v[C_ORG_TYPE].len && !(org = omen_org_type_parse(v[C_ORG_TYPE].ptr, v[C_ORG_TYPE].len)))
        omen_reader_error(r, line,
                          "org_type '%.*s' is not one of company, university, nonprofit, "
                          "community, government, user, unknown",
                          (int)v[C_ORG_TYPE].len, v[C_ORG_TYPE].ptr);
    add_edges(r, model, v[C_DERIVED], line);
    add_labels(r, model, v, line);
    if (r->diag->count != errors) {
        r->rows->nedges = nedges;
        r->rows->nannotations = nann;
        r->rows_bad++;
        return;
    }
    *omen_rows_add_model(r->rows) = m;
    omen_field author = v[C_AUTHOR].len ? v[C_AUTHOR] : omen_model_namespace(v[C_MODEL]);
    add_developer(st, author, country, org, line);
    add_developer(st, v[C_DAUTHOR], dcountry, NULL, line);
}

/* The row's metadata fields joined, interned: equal ids mean the same metadata. */
static uint32_t meta_id(omen_reader *r, const omen_field *v)
{
    static const int cols[] = {C_AUTHOR,  C_CREATED,   C_ORG_TYPE, C_COUNTRY, C_COUNTRY1,
                               C_DAUTHOR, C_DCOUNTRY1, C_DERIVED,  C_LANG,    C_MODALITY};
    char buf[8192];
    size_t n = 0;
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        omen_field f = v[cols[k]];
        size_t take = f.len < sizeof buf - n - 1 ? f.len : sizeof buf - n - 1;
        memcpy(buf + n, f.ptr, take);
        n += take;
        if (n < sizeof buf - 1)
            buf[n++] = '\x1f';
    }
    return omen_rows_str(r->rows, buf, n);
}

static void row(state *st, const omen_field *fields, size_t nf, uint64_t line)
{
    omen_reader *r = st->r;
    omen_field v[NCOL];
    for (size_t c = 0; c < NCOL; c++)
        v[c] = omen_reader_get(&st->h, fields, nf, c);
    uint64_t errors = r->diag->count;
    int32_t day = 0;
    uint64_t count = 0;
    const char *why = NULL;
    omen_field id = v[C_MODEL];
    if (!omen_parse_model_id(&id))
        omen_reader_error(r, line, "model id '%.*s' is empty or has spaces", (int)id.len, id.ptr);
    if (!omen_date_parse(v[C_TIME].ptr, v[C_TIME].len, &day))
        omen_reader_error(r, line, "time '%.*s' is not a valid date", (int)v[C_TIME].len,
                          v[C_TIME].ptr);
    if (!omen_parse_count(v[C_COUNT], &count, &why))
        omen_reader_error(r, line, "downloadsAllTime '%.*s' is %s", (int)v[C_COUNT].len,
                          v[C_COUNT].ptr, why);
    if (r->diag->count != errors) {
        r->rows_bad++;
        return;
    }
    v[C_MODEL] = id;
    uint32_t model = omen_rows_name(r->rows, id.ptr, id.len);
    if (model >= st->nfirst) {
        size_t n = st->nfirst ? st->nfirst : 1024;
        while (n <= model)
            n *= 2;
        st->first = omen_xrealloc(st->first, n * sizeof *st->first);
        memset(st->first + st->nfirst, 0, (n - st->nfirst) * sizeof *st->first);
        st->nfirst = n;
    }
    first_row *f = &st->first[model];
    uint32_t meta = meta_id(r, v);
    if (!f->seen) {
        uint64_t bad = r->rows_bad;
        first_metadata(st, model, v, line);
        if (r->rows_bad != bad)
            return;
        *f = (first_row){true, meta, line};
    } else if (f->meta != meta && st->differing++ == 0) {
        st->first_differing = line;
        snprintf(st->first_differing_model, sizeof st->first_differing_model, "%.*s", (int)id.len,
                 id.ptr);
    }
    omen_obs_push(r->obs, model, day, count, OMEN_WHERE(r->file_index, line));
}

void omen_read_evolution(omen_reader *r)
{
    state st = {.r = r};
    size_t models = r->rows->nmodels, devs = r->rows->ndevelopers, edges = r->rows->nedges,
           labels = r->rows->nannotations, obs = r->obs->n;
    omen_csv csv;
    omen_csv_init(&csv, r->data, r->len);
    if (!omen_reader_header(r, &csv, specs, NCOL, &st.h))
        return;
    omen_field fields[OMEN_MAX_COLUMNS];
    size_t n;
    while (omen_reader_next(r, &csv, fields, &n)) {
        r->rows_read++;
        row(&st, fields, n, csv.line);
    }
    omen_reader_note(r,
                     "%s: %zu observations of downloadsAllTime, %zu models, %zu developers with "
                     "a country or org_type, %zu edges, %zu annotations",
                     r->path, r->obs->n - obs, r->rows->nmodels - models,
                     r->rows->ndevelopers - devs, r->rows->nedges - edges,
                     r->rows->nannotations - labels);
    if (st.differing)
        omen_reader_note(r,
                         "%s: %llu rows disagree with their model's first row on metadata "
                         "(first: %s, record %llu); the first row's values were kept",
                         r->path, (unsigned long long)st.differing, st.first_differing_model,
                         (unsigned long long)st.first_differing);
    if (st.dev_conflicts)
        omen_reader_note(r,
                         "%s: %llu times a developer's country or org_type differed from the "
                         "value first given for it; the first value was kept",
                         r->path, (unsigned long long)st.dev_conflicts);
    if (st.multi_country)
        omen_reader_note(r,
                         "%s: %llu models list several countries in org_country and none in "
                         "org_country_single; their developers got no country",
                         r->path, (unsigned long long)st.multi_country);
    free(st.first);
}
