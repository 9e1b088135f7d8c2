/* read_evolution.c: the `evolution` reader: the paper's released dataset
 * (mmpr/open_model_evolution_data, all_downloads_with_annotations.parquet and its 19 columns as
 * the dataset card lists them), one row per model and week with the cumulative
 * downloadsAllTime and the model's metadata repeated on every row.
 *
 * Counts become observations that series.c differences into weekly flows; the metadata of a
 * model's first row becomes its model row, developer rows, edges and annotations. Later rows
 * that disagree with the first are counted in a note, not rejected: the released files repeat
 * metadata from one crawl, so a difference is an artefact, and the first row decides. A label
 * outside omen's vocabularies (org type, country, relation, modality, language) never costs the
 * row its download: it is kept as given and counted (unmapped.h), unless --strict-labels.
 * The card's columns this reader does not read (_id, annotator, org_model, the country-group
 * columns) are reported unused; docs/data-formats.md says why each is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vocab/countries.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "sources.h"
#include "unmapped.h"

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
    C_DCOUNTRY,
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
    {"derived_org_country", NULL, false},
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
                                              "derived_org_country",
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
 * none. A value that names no country is kept as given in buf (the label policy); false when
 * --strict-labels rejects it. */
static bool country_of(state *st, omen_field f, const char *column, uint64_t line,
                       const char **code, char *buf, size_t cap)
{
    *code = NULL;
    /* A one-item list ("['US']", what a Parquet list of one becomes) is that item. */
    while (f.len && strchr(" []'\"", *f.ptr))
        f.ptr++, f.len--;
    while (f.len && strchr(" []'\"", f.ptr[f.len - 1]))
        f.len--;
    if (!f.len)
        return true;
    for (size_t i = 0; i < f.len; i++)
        if (is_sep(f.ptr[i])) {
            st->multi_country++;
            return true;
        }
    if ((*code = omen_country_normalize(f.ptr, f.len)) != NULL)
        return true;
    if (!omen_label_unmapped(st->r, line, "country", f,
                             "%s '%.*s' is not an ISO 3166-1 code or English country name, "
                             "nor ONLINE, INTL, USER or UNKNOWN",
                             column, (int)f.len, f.ptr))
        return false;
    *code = omen_field_text(f, buf, cap);
    return true;
}

/* Adds a label once per model (several modality pairs repeat their sides). */
static void add_label_once(omen_reader *r, uint32_t model, const char *field, omen_field value,
                           uint64_t line, size_t first)
{
    uint32_t f = omen_rows_str(r->rows, field, strlen(field));
    uint32_t v = omen_rows_str(r->rows, value.ptr, value.len);
    for (size_t i = first; i < r->rows->nannotations; i++)
        if (r->rows->annotations[i].field == f && r->rows->annotations[i].value == v)
            return;
    omen_annotation_row *a = omen_rows_add_annotation(r->rows);
    a->model = model;
    a->field = f;
    a->value = v;
    a->source = omen_rows_str(r->rows, "human", 5);
    a->line = line;
}

static omen_field trim_item(omen_field f)
{
    while (f.len && strchr(" \t[]'\"", *f.ptr))
        f.ptr++, f.len--;
    while (f.len && strchr(" \t[]'\"", f.ptr[f.len - 1]))
        f.len--;
    return f;
}

/* Where the arrow of a modality pair is ("→" or "->"), and its length; NULL if none. */
static const char *find_arrow(omen_field f, size_t *alen)
{
    for (size_t i = 0; i + 1 < f.len; i++) {
        if (f.ptr[i] == '-' && f.ptr[i + 1] == '>') {
            *alen = 2;
            return f.ptr + i;
        }
        if (i + 2 < f.len && memcmp(f.ptr + i, "\xE2\x86\x92", 3) == 0) {
            *alen = 3;
            return f.ptr + i;
        }
    }
    return NULL;
}

/* The next word of one side of a pair, split on + & / ("Text + Image -> Text"). */
static bool next_word(omen_field side, size_t *pos, omen_field *word)
{
    while (*pos < side.len) {
        size_t i = *pos, j = i;
        while (j < side.len && !strchr("+&/", side.ptr[j]))
            j++;
        *pos = j + 1;
        omen_field w = trim_item((omen_field){side.ptr + i, j - i});
        if (w.len) {
            *word = w;
            return true;
        }
    }
    return false;
}

/* An input word: its input_modality label, else kept as given (or false: rejected). */
static bool input_label(omen_reader *r, uint32_t model, omen_field w, uint64_t line, size_t first,
                        const char **label)
{
    const omen_taxonomy_field *in = omen_taxonomy_field_find("input_modality", 14);
    *label = omen_modality_input(w.ptr, w.len);
    if (*label) {
        add_label_once(r, model, "input_modality", (omen_field){*label, strlen(*label)}, line,
                       first);
        return true;
    }
    if (!omen_label_unmapped(r, line, "input_modality", w,
                             "merged_modality: '%.*s' is not a label of input_modality (%s)",
                             (int)w.len, w.ptr, omen_taxonomy_allowed(in)))
        return false;
    add_label_once(r, model, "input_modality", w, line, first);
    return true;
}

/* One "A -> B" pair: every input word, then every output word mapped with the pair's inputs
 * (classification and embeddings are named by their input medium). */
static void modality_pair(omen_reader *r, uint32_t model, omen_field item, const char *arrow,
                          size_t alen, uint64_t line, size_t first)
{
    const omen_taxonomy_field *out = omen_taxonomy_field_find("output_modality", 15);
    omen_field left = {item.ptr, (size_t)(arrow - item.ptr)};
    omen_field right = {arrow + alen, item.len - (size_t)(arrow + alen - item.ptr)};
    const char *inputs[8];
    size_t nin = 0, pos = 0;
    omen_field w;
    while (next_word(left, &pos, &w)) {
        const char *l = NULL;
        if (!input_label(r, model, w, line, first, &l))
            return;
        if (l && nin < 8)
            inputs[nin++] = l;
    }
    pos = 0;
    while (next_word(right, &pos, &w)) {
        bool mapped = false;
        for (size_t k = 0; k < (nin ? nin : 1); k++) {
            const char *l = omen_modality_output(w.ptr, w.len, nin ? inputs[k] : NULL);
            if (l) {
                add_label_once(r, model, "output_modality", (omen_field){l, strlen(l)}, line,
                               first);
                mapped = true;
            }
        }
        if (mapped)
            continue;
        if (!omen_label_unmapped(r, line, "output_modality", w,
                                 "merged_modality: '%.*s' is not a label of output_modality (%s)",
                                 (int)w.len, w.ptr, omen_taxonomy_allowed(out)))
            return;
        add_label_once(r, model, "output_modality", w, line, first);
    }
}

/* merged_languages -> `languages`; merged_modality -> input_modality and output_modality: an
 * "A -> B" (or "A → B") pair gives both sides, a bare label the field it is a label of. Values
 * no label means are kept as given and counted (a bare one as output_modality). */
static void add_labels(omen_reader *r, uint32_t model, const omen_field *v, uint64_t line)
{
    const omen_taxonomy_field *lang = omen_taxonomy_field_find("languages", 9);
    const omen_taxonomy_field *out = omen_taxonomy_field_find("output_modality", 15);
    omen_field item;
    size_t pos = 0, first = r->rows->nannotations;
    while (next_item(v[C_LANG], &pos, &item)) {
        if (!omen_taxonomy_open_ok(lang, item.ptr, item.len) &&
            !omen_label_unmapped(r, line, "languages", item,
                                 "merged_languages: '%.*s' is not a valid languages value",
                                 (int)item.len, item.ptr))
            continue;
        add_label_once(r, model, "languages", item, line, first);
    }
    pos = 0;
    while (next_item(v[C_MODALITY], &pos, &item)) {
        size_t alen = 0;
        const char *arrow = find_arrow(item, &alen);
        if (arrow) {
            modality_pair(r, model, item, arrow, alen, line, first);
            continue;
        }
        const char *l = omen_modality_input(item.ptr, item.len);
        if (l) {
            add_label_once(r, model, "input_modality", (omen_field){l, strlen(l)}, line, first);
            continue;
        }
        l = omen_taxonomy_label(out, item.ptr, item.len);
        if (l)
            add_label_once(r, model, "output_modality", (omen_field){l, strlen(l)}, line, first);
        else if (omen_label_unmapped(
                     r, line, "output_modality", item,
                     "merged_modality: '%.*s' is not a label of input_modality "
                     "(%s) or output_modality (%s)",
                     (int)item.len, item.ptr,
                     omen_taxonomy_allowed(omen_taxonomy_field_find("input_modality", 14)),
                     omen_taxonomy_allowed(out)))
            add_label_once(r, model, "output_modality", item, line, first);
    }
}

/* merged_derived_from -> edges in the order listed; `relation:id` items carry their relation
 * (kept as given when omen does not know it), plain ids get `other` (the released files do not
 * say how a model was derived). */
static void add_edges(omen_reader *r, uint32_t child, omen_field list, uint64_t line)
{
    omen_field item;
    size_t pos = 0;
    uint32_t position = 0;
    while (next_item(list, &pos, &item)) {
        omen_field rel = {"other", 5};
        const char *colon = memchr(item.ptr, ':', item.len);
        if (colon && !(colon + 1 < item.ptr + item.len && colon[1] == '/')) {
            omen_field given = {item.ptr, (size_t)(colon - item.ptr)};
            const char *canon = omen_relation_canonical(given.ptr, given.len);
            if (canon)
                rel = (omen_field){canon, strlen(canon)};
            else if (omen_label_unmapped(r, line, "relation", given,
                                         "merged_derived_from: '%.*s' has an unknown relation",
                                         (int)item.len, item.ptr))
                rel = given;
            else
                continue;
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
        *e = (omen_edge_row){parent, child, omen_rows_str(r->rows, rel.ptr, rel.len), position++,
                             line};
    }
}

/* The metadata of a model's first row: model row, developers, edges, annotations. */
static void first_metadata(state *st, uint32_t model, const omen_field *v, uint64_t line)
{
    omen_reader *r = st->r;
    uint64_t errors = r->diag->count;
    omen_unmapped_begin(r->unmapped);
    size_t nedges = r->rows->nedges, nann = r->rows->nannotations;
    omen_model_row m = {.name = model, .created = OMEN_NO_DATE, .params = -1, .file_bytes = -1};
    m.developer = m.pipeline_tag = m.library = m.license = m.gated = m.params_source = m.languages =
        m.tags = UINT32_MAX;
    m.line = line;
    if (v[C_AUTHOR].len) {
        m.fields |= OMEN_MF_DEVELOPER;
        m.developer = omen_rows_str(r->rows, v[C_AUTHOR].ptr, v[C_AUTHOR].len);
    }
    const char *why;
    if (v[C_CREATED].len) {
        if (!omen_date_parse_timestamp(v[C_CREATED].ptr, v[C_CREATED].len, &m.created, &why))
            omen_reader_error(r, line, "created '%.*s' is %s", (int)v[C_CREATED].len,
                              v[C_CREATED].ptr, why);
        m.fields |= OMEN_MF_CREATED;
    }
    const char *country = NULL, *dcountry = NULL, *org = NULL;
    char cbuf[128], dbuf[128], obuf[128];
    omen_field cf = v[C_COUNTRY1].len ? v[C_COUNTRY1] : v[C_COUNTRY];
    omen_field df = v[C_DCOUNTRY1].len ? v[C_DCOUNTRY1] : v[C_DCOUNTRY];
    /* Each reports its own error under --strict-labels; the row is then rejected below. */
    country_of(st, cf, "country", line, &country, cbuf, sizeof cbuf);
    country_of(st, df, v[C_DCOUNTRY1].len ? "derived_org_country_single" : "derived_org_country",
               line, &dcountry, dbuf, sizeof dbuf);
    omen_field ot = v[C_ORG_TYPE];
    if (ot.len && !(org = omen_org_type_parse(ot.ptr, ot.len)) &&
        omen_label_unmapped(r, line, "org_type", ot,
                            "org_type '%.*s' is not one of company, university, nonprofit, "
                            "community, government, user, unknown",
                            (int)ot.len, ot.ptr))
        org = omen_field_text(ot, obuf, sizeof obuf);
    add_edges(r, model, v[C_DERIVED], line);
    add_labels(r, model, v, line);
    if (r->diag->count != errors) {
        r->rows->nedges = nedges;
        r->rows->nannotations = nann;
        omen_unmapped_undo(r->unmapped);
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
    static const int cols[] = {C_AUTHOR,   C_CREATED, C_ORG_TYPE,  C_COUNTRY,
                               C_COUNTRY1, C_DAUTHOR, C_DCOUNTRY1, C_DCOUNTRY,
                               C_DERIVED,  C_LANG,    C_MODALITY};
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
    char idwhy[400];
    if (!omen_parse_model_id(&id))
        omen_reader_error(r, line, "%s", omen_model_id_why(v[C_MODEL], idwhy, sizeof idwhy));
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
