/* read_edges.c: the `edges` reader: CSV `parent,child,relation` (a model's base models in
 * the order their rows appear; the relation defaults to `other` when the column is absent, and
 * a relation outside the data model's six is kept as given and counted, see unmapped.h). */
#include <string.h>

#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "reader.h"
#include "unmapped.h"

static const char *const a_parent[] = {"base_model", "source", "from", NULL};
static const char *const a_child[] = {"model", "target", "to", "model_id", NULL};
static const char *const a_rel[] = {"type", "edge_type", NULL};

static void add_edge(omen_reader *r, omen_field parent, omen_field child, omen_field rel,
                     bool has_rel, uint64_t line)
{
    const char *relation = has_rel && rel.len ? omen_relation_canonical(rel.ptr, rel.len) : "other";
    bool ok = true;
    if (!omen_parse_model_id(&parent) || !omen_parse_model_id(&child)) {
        omen_reader_error(r, line, "parent and child must be model ids without spaces");
        ok = false;
    } else if (parent.len == child.len && memcmp(parent.ptr, child.ptr, child.len) == 0) {
        omen_reader_error(r, line, "model '%.*s' is its own parent", (int)child.len, child.ptr);
        ok = false;
    }
    char rel_text[128];
    if (ok && !relation) {
        if (omen_label_unmapped(r, line, "relation", rel,
                                "relation '%.*s' is not one of finetune, adapter, quantized, "
                                "merge, continued_pretraining, other",
                                (int)rel.len, rel.ptr))
            relation = omen_field_text(rel, rel_text, sizeof rel_text);
        else
            ok = false;
    }
    if (!ok) {
        r->rows_bad++;
        return;
    }
    omen_rows *rows = r->rows;
    uint32_t p = omen_rows_name(rows, parent.ptr, parent.len);
    uint32_t c = omen_rows_name(rows, child.ptr, child.len);
    uint32_t rel_id = omen_rows_str(rows, relation, strlen(relation));
    uint32_t position = 0;
    uint32_t *last = omen_index_slot(r->edge_last, c);
    for (uint32_t i = *last; i; i = (*r->edge_prev)[i - 1]) {
        const omen_edge_row *e = &rows->edges[i - 1];
        if (e->parent == p) {
            if (e->relation != rel_id) {
                omen_reader_error(r, line,
                                  "edge %.*s -> %.*s is listed twice with different "
                                  "relations (first at line %llu)",
                                  (int)parent.len, parent.ptr, (int)child.len, child.ptr,
                                  (unsigned long long)e->line);
                r->rows_bad++;
            }
            return;
        }
        if (e->position >= position)
            position = e->position + 1;
    }
    *omen_rows_add_edge(rows) = (omen_edge_row){p, c, rel_id, position, line};
    *r->edge_prev = omen_xrealloc(*r->edge_prev, rows->cap_edges * sizeof(uint32_t));
    (*r->edge_prev)[rows->nedges - 1] = *last;
    *last = (uint32_t)rows->nedges;
}

void omen_read_edges(omen_reader *r)
{
    const omen_column_spec specs[3] = {
        {"parent", a_parent, true}, {"child", a_child, true}, {"relation", a_rel, false}};
    omen_csv csv;
    omen_header h;
    omen_csv_init(&csv, r->data, r->len);
    if (!omen_reader_header(r, &csv, specs, 3, &h))
        return;
    omen_field f[OMEN_MAX_COLUMNS];
    size_t n;
    while (omen_reader_next(r, &csv, f, &n)) {
        r->rows_read++;
        add_edge(r, omen_reader_get(&h, f, n, 0), omen_reader_get(&h, f, n, 1),
                 omen_reader_get(&h, f, n, 2), h.index[2] >= 0, csv.line);
    }
}
