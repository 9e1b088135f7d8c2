/* read_annotations.c: the `annotations` reader: CSV `model,field,value[,source]`, one row per
 * label, or the wide sheet of `omen annotate --export-head` (one row per model, one column per
 * field, labels joined with ';'), validated against the taxonomy of the paper's Appendix D
 * (src/vocab/taxonomy.c). A label the taxonomy does not have is kept as given and counted
 * (unmapped.h; --strict-labels rejects it); an unknown field or source is always an error, as
 * it says the file is not what the reader takes it for. */
#include <stdio.h>
#include <string.h>

#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "reader.h"
#include "unmapped.h"

static const char *const a_model[] = {"model_id", "id", NULL};
static const char *const a_field[] = {"attribute", "category", NULL};
static const char *const a_value[] = {"label", NULL};

static const char *field_names(void)
{
    static char buf[512];
    if (!buf[0]) {
        size_t n = 0;
        for (const omen_taxonomy_field *f = omen_taxonomy_fields(); f->name; f++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "", f->name);
    }
    return buf;
}

/* Validates and adds one label; false (after reporting it) when the label is bad. */
static bool add_annotation(omen_reader *r, omen_field model, omen_field field, omen_field value,
                           omen_field source, uint64_t line)
{
    const omen_taxonomy_field *f = omen_taxonomy_field_find(field.ptr, field.len);
    const char *label = NULL;
    if (!omen_parse_model_id(&model)) {
        char idwhy[400];
        omen_reader_error(r, line, "%s", omen_model_id_why(model, idwhy, sizeof idwhy));
    } else if (!f) {
        omen_reader_error(r, line, "unknown field '%.*s'; the fields are: %s", (int)field.len,
                          field.ptr, field_names());
    } else if (source.len && !omen_field_eq(source, "human") &&
               !omen_field_eq(source, "heuristic")) {
        omen_reader_error(r, line, "source '%.*s' is not human or heuristic", (int)source.len,
                          source.ptr);
    } else if (value.len == 0) {
        omen_reader_error(r, line, "empty label for field %s", f->name);
    } else if (f->labels && !(label = omen_taxonomy_label(f, value.ptr, value.len)) &&
               !omen_label_unmapped(r, line, f->name, value,
                                    "unknown label '%.*s' for field %s; allowed: %s",
                                    (int)value.len, value.ptr, f->name, omen_taxonomy_allowed(f))) {
        /* reported */
    } else if (!f->labels && !omen_taxonomy_open_ok(f, value.ptr, value.len) &&
               !omen_label_unmapped(r, line, f->name, value, "'%.*s' is not a valid %s value (%s)",
                                    (int)value.len, value.ptr, f->name, omen_taxonomy_allowed(f))) {
        /* reported */
    } else {
        omen_rows *rows = r->rows;
        omen_annotation_row *a = omen_rows_add_annotation(rows);
        a->model = omen_rows_name(rows, model.ptr, model.len);
        a->field = omen_rows_str(rows, f->name, strlen(f->name));
        a->value = label ? omen_rows_str(rows, label, strlen(label))
                         : omen_rows_str(rows, value.ptr, value.len);
        a->source = source.len ? omen_rows_str(rows, source.ptr, source.len)
                               : omen_rows_str(rows, "human", 5);
        a->line = line;
        return true;
    }
    return false;
}

/* The sheet's Hub metadata columns (src/curate/annotation_sheet.c) and its note column: known, so
 * not reported as unused, and not read. */
static const char *const sheet_meta[] = {
    "url",           "developer", "country", "org_type", "created", "downloads",
    "pipeline_tag",  "library",   "license", "gated",    "params",  "base_models",
    "hub_languages", "tags",      "note",    NULL};

enum { S_MODEL, S_FIELD, S_VALUE, S_SOURCE, S_FIELDS };

/* The wide sheet: each non-empty cell of a field column holds ';'-separated labels, all
 * human, and is the model's whole set for that field (labels taken out of the cell are
 * deleted); an empty cell changes nothing. A row with any bad label is one bad row (every bad
 * label is reported) and none of its labels are kept. */
static void read_wide_row(omen_reader *r, const omen_header *h, const omen_field *f, size_t n,
                          uint64_t line)
{
    omen_field model = omen_reader_get(h, f, n, S_MODEL), none = {"", 0};
    size_t before = r->rows->nannotations;
    bool ok = true;
    size_t k = 0;
    for (const omen_taxonomy_field *tf = omen_taxonomy_fields(); tf->name; tf++, k++) {
        omen_field cell = omen_reader_get(h, f, n, S_FIELDS + k);
        omen_field name = {tf->name, strlen(tf->name)};
        for (size_t i = 0; i < cell.len;) {
            const char *end = memchr(cell.ptr + i, ';', cell.len - i);
            size_t len = end ? (size_t)(end - (cell.ptr + i)) : cell.len - i;
            omen_field label = {cell.ptr + i, len};
            while (label.len && (*label.ptr == ' ' || *label.ptr == '\t'))
                label.ptr++, label.len--;
            while (label.len &&
                   (label.ptr[label.len - 1] == ' ' || label.ptr[label.len - 1] == '\t'))
                label.len--;
            if (label.len)
                ok &= add_annotation(r, model, name, label, none, line);
            i += len + 1;
        }
    }
    for (size_t i = before; i < r->rows->nannotations; i++)
        r->rows->annotations[i].replace = true;
    if (!ok)
        r->rows->nannotations = before;
    r->rows_bad += !ok;
}

void omen_read_annotations(omen_reader *r)
{
    omen_column_spec specs[S_FIELDS + 16 + 16];
    size_t ns = 0;
    specs[ns++] = (omen_column_spec){"model", a_model, true};
    specs[ns++] = (omen_column_spec){"field", a_field, false};
    specs[ns++] = (omen_column_spec){"value", a_value, false};
    specs[ns++] = (omen_column_spec){"source", NULL, false};
    size_t nfields = 0;
    for (const omen_taxonomy_field *tf = omen_taxonomy_fields(); tf->name; tf++, nfields++)
        specs[ns++] = (omen_column_spec){tf->name, NULL, false};
    for (const char *const *m = sheet_meta; *m; m++)
        specs[ns++] = (omen_column_spec){*m, NULL, false};
    omen_csv csv;
    omen_header h;
    omen_csv_init(&csv, r->data, r->len);
    if (!omen_reader_header(r, &csv, specs, ns, &h))
        return;
    bool long_form = h.index[S_FIELD] >= 0 && h.index[S_VALUE] >= 0, wide = false;
    for (size_t k = 0; k < nfields; k++)
        wide |= h.index[S_FIELDS + k] >= 0;
    if (long_form == wide) {
        omen_reader_error(r, csv.line,
                          long_form ? "both 'field','value' columns and field columns: use one "
                                      "format, long or the wide sheet"
                                    : "missing required columns 'field' (or attribute, "
                                      "category) and 'value' (or label), or the field columns "
                                      "of the wide sheet (%s)",
                          field_names());
        return;
    }
    omen_field f[OMEN_MAX_COLUMNS];
    size_t n;
    while (omen_reader_next(r, &csv, f, &n)) {
        r->rows_read++;
        if (wide)
            read_wide_row(r, &h, f, n, csv.line);
        else
            r->rows_bad += !add_annotation(
                r, omen_reader_get(&h, f, n, S_MODEL), omen_reader_get(&h, f, n, S_FIELD),
                omen_reader_get(&h, f, n, S_VALUE), omen_reader_get(&h, f, n, S_SOURCE), csv.line);
    }
}
