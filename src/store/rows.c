/* rows.c: the growable arrays of a batch of rows (see rows.h). */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"

void omen_rows_init(omen_rows *r)
{
    memset(r, 0, sizeof *r);
    omen_intern_init(&r->names);
    omen_intern_init(&r->strings);
}

void omen_rows_free(omen_rows *r)
{
    if (!r)
        return;
    omen_intern_free(&r->names);
    omen_intern_free(&r->strings);
    free(r->models);
    free(r->edges);
    free(r->developers);
    free(r->annotations);
    free(r->weekly);
    free(r->snapshots);
    free(r->replace_models);
    free(r->replace_from);
    memset(r, 0, sizeof *r);
}

uint32_t omen_rows_name(omen_rows *r, const char *s, size_t len)
{
    return omen_intern_add(&r->names, s, len);
}

uint32_t omen_rows_str(omen_rows *r, const char *s, size_t len)
{
    return omen_intern_add(&r->strings, s, len);
}

/* Grows *items so one more element of `size` bytes fits; returns a zeroed slot. */
static void *grow(void **items, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        *items = omen_xrealloc(*items, *cap * size);
    }
    void *slot = (char *)*items + (*n)++ * size;
    memset(slot, 0, size);
    return slot;
}

omen_model_row *omen_rows_add_model(omen_rows *r)
{
    omen_model_row *m = grow((void **)&r->models, &r->nmodels, &r->cap_models, sizeof *m);
    m->created = OMEN_NO_DATE;
    m->params = -1;
    m->file_bytes = -1;
    m->developer = m->pipeline_tag = m->library = m->license = UINT32_MAX;
    m->gated = m->params_source = m->languages = m->tags = UINT32_MAX;
    return m;
}

omen_edge_row *omen_rows_add_edge(omen_rows *r)
{
    return grow((void **)&r->edges, &r->nedges, &r->cap_edges, sizeof(omen_edge_row));
}

omen_developer_row *omen_rows_add_developer(omen_rows *r)
{
    omen_developer_row *d =
        grow((void **)&r->developers, &r->ndevelopers, &r->cap_developers, sizeof *d);
    d->country = d->org_type = d->display = UINT32_MAX;
    return d;
}

omen_annotation_row *omen_rows_add_annotation(omen_rows *r)
{
    return grow((void **)&r->annotations, &r->nannotations, &r->cap_annotations,
                sizeof(omen_annotation_row));
}

omen_count_row *omen_rows_add_weekly(omen_rows *r)
{
    return grow((void **)&r->weekly, &r->nweekly, &r->cap_weekly, sizeof(omen_count_row));
}

omen_count_row *omen_rows_add_snapshot(omen_rows *r)
{
    return grow((void **)&r->snapshots, &r->nsnapshots, &r->cap_snapshots, sizeof(omen_count_row));
}

void omen_rows_add_replace(omen_rows *r, uint32_t model)
{
    omen_rows_add_replace_from(r, model, INT32_MIN);
}

void omen_rows_add_replace_from(omen_rows *r, uint32_t model, int32_t from)
{
    size_t cap = r->cap_replace;
    uint32_t *slot =
        grow((void **)&r->replace_models, &r->nreplace, &r->cap_replace, sizeof(uint32_t));
    *slot = model;
    if (r->cap_replace != cap)
        r->replace_from = omen_xrealloc(r->replace_from, r->cap_replace * sizeof(int32_t));
    r->replace_from[r->nreplace - 1] = from;
}
