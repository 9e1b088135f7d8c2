/* read_annotations.c: the `annotations` reader: CSV `model,field,value[,source]`, one row per
 * label, validated against the taxonomy of the paper's Appendix D (src/util/taxonomy.c). */
#include <stdio.h>
#include <string.h>

#include "../util/error.h"
#include "../util/taxonomy.h"
#include "reader.h"

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

static void add_annotation(omen_reader *r, omen_field model, omen_field field, omen_field value,
                           omen_field source, uint64_t line)
{
    const omen_taxonomy_field *f = omen_taxonomy_field_find(field.ptr, field.len);
    const char *label = NULL;
    if (!omen_parse_model_id(&model)) {
        omen_reader_error(r, line, "model id '%.*s' is empty or has spaces", (int)model.len,
                          model.ptr);
    } else if (!f) {
        omen_reader_error(r, line, "unknown field '%.*s'; the fields are: %s", (int)field.len,
                          field.ptr, field_names());
    } else if (f->labels && !(label = omen_taxonomy_label(f, value.ptr, value.len))) {
        omen_reader_error(r, line, "unknown label '%.*s' for field %s; allowed: %s", (int)value.len,
                          value.ptr, f->name, omen_taxonomy_allowed(f));
    } else if (!f->labels && !omen_taxonomy_open_ok(f, value.ptr, value.len)) {
        omen_reader_error(r, line, "'%.*s' is not a valid %s value (%s)", (int)value.len, value.ptr,
                          f->name, omen_taxonomy_allowed(f));
    } else if (source.len && !omen_field_eq(source, "human") &&
               !omen_field_eq(source, "heuristic")) {
        omen_reader_error(r, line, "source '%.*s' is not human or heuristic", (int)source.len,
                          source.ptr);
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
        return;
    }
    r->rows_bad++;
}

void omen_read_annotations(omen_reader *r)
{
    const omen_column_spec specs[4] = {{"model", a_model, true},
                                       {"field", a_field, true},
                                       {"value", a_value, true},
                                       {"source", NULL, false}};
    omen_csv csv;
    omen_header h;
    omen_csv_init(&csv, r->data, r->len);
    if (!omen_reader_header(r, &csv, specs, 4, &h))
        return;
    omen_field f[OMEN_MAX_COLUMNS];
    size_t n;
    while (omen_reader_next(r, &csv, f, &n)) {
        r->rows_read++;
        add_annotation(r, omen_reader_get(&h, f, n, 0), omen_reader_get(&h, f, n, 1),
                       omen_reader_get(&h, f, n, 2), omen_reader_get(&h, f, n, 3), csv.line);
    }
}
