/* table.c: the result table every analysis returns: typed columns, NULL cells and an ordered
 * meta block. Writing it out is write.c's job. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "table_internal.h"

/* Using a cell with the wrong type or index is a bug in the calling analysis, not a runtime
 * condition: it aborts with a message, as running out of memory does. */
static void contract(const char *what, const omen_table *t, size_t col)
{
    fprintf(stderr, "omen: internal error: %s (table '%s', column %zu)\n", what,
            t && t->name ? t->name : "?", col);
    abort();
}

static omen_table_column *cell_column(const omen_table *t, size_t row, size_t col)
{
    if (!t || col >= t->ncols || row >= t->nrows)
        contract("cell index out of range", t, col);
    return &t->cols[col];
}

omen_table *omen_table_new(const char *name)
{
    omen_table *t = omen_xcalloc(1, sizeof *t);
    t->name = omen_xstrdup(name ? name : "");
    return t;
}

static void free_text_cells(omen_table_column *c, size_t nrows)
{
    if (c->type != OMEN_COL_TEXT)
        return;
    for (size_t r = 0; r < nrows; r++)
        if (!c->null[r])
            free(c->cells[r].s);
}

void omen_table_free(omen_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->ncols; c++) {
        free_text_cells(&t->cols[c], t->nrows);
        free(t->cols[c].name);
        free(t->cols[c].cells);
        free(t->cols[c].null);
    }
    for (size_t m = 0; m < t->nmeta; m++) {
        free(t->meta[m].key);
        if (t->meta[m].type == OMEN_COL_TEXT)
            free(t->meta[m].value.s);
    }
    free(t->cols);
    free(t->meta);
    free(t->name);
    free(t);
}

/* Gives a column room for rowcap cells; cells from `from` on start NULL. */
static void column_reserve(omen_table_column *c, size_t from, size_t rowcap)
{
    c->cells = omen_xrealloc(c->cells, rowcap * sizeof *c->cells);
    c->null = omen_xrealloc(c->null, rowcap);
    memset(c->null + from, 1, rowcap - from);
}

/* A column added after rows (not the intended use, but harmless) gets NULL cells. */
size_t omen_table_add_column(omen_table *t, const char *name, omen_col_type type)
{
    if (t->ncols == t->colcap) {
        t->colcap = t->colcap ? 2 * t->colcap : 8;
        t->cols = omen_xrealloc(t->cols, t->colcap * sizeof *t->cols);
    }
    omen_table_column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->name = omen_xstrdup(name ? name : "");
    c->type = type;
    column_reserve(c, 0, t->rowcap);
    return t->ncols++;
}

size_t omen_table_add_row(omen_table *t)
{
    if (t->nrows == t->rowcap) {
        size_t cap = t->rowcap ? 2 * t->rowcap : 64;
        for (size_t c = 0; c < t->ncols; c++)
            column_reserve(&t->cols[c], t->rowcap, cap);
        t->rowcap = cap;
    }
    for (size_t c = 0; c < t->ncols; c++)
        t->cols[c].null[t->nrows] = 1;
    return t->nrows++;
}

/* ---------------------------------------------------------------- setters */

void omen_table_set_text(omen_table *t, size_t row, size_t col, const char *value)
{
    omen_table_column *c = cell_column(t, row, col);
    if (c->type != OMEN_COL_TEXT)
        contract("set_text on a column that is not text", t, col);
    char *copy = value ? omen_xstrdup(value) : NULL; /* before freeing: value may be the cell */
    if (!c->null[row])
        free(c->cells[row].s);
    c->cells[row].s = copy;
    c->null[row] = copy == NULL;
}

/* set_int also fills REAL columns (download counts are integers until credit is split). */
void omen_table_set_int(omen_table *t, size_t row, size_t col, int64_t value)
{
    omen_table_column *c = cell_column(t, row, col);
    if (c->type == OMEN_COL_REAL) {
        c->cells[row].r = (double)value;
    } else if (c->type == OMEN_COL_INT) {
        c->cells[row].i = value;
    } else {
        contract("set_int on a column that is not int or real", t, col);
    }
    c->null[row] = 0;
}

void omen_table_set_real(omen_table *t, size_t row, size_t col, double value)
{
    omen_table_column *c = cell_column(t, row, col);
    if (c->type != OMEN_COL_REAL)
        contract("set_real on a column that is not real", t, col);
    c->cells[row].r = value;
    c->null[row] = 0;
}

void omen_table_set_date(omen_table *t, size_t row, size_t col, int32_t days)
{
    omen_table_column *c = cell_column(t, row, col);
    if (c->type != OMEN_COL_DATE)
        contract("set_date on a column that is not a date", t, col);
    c->cells[row].i = days;
    c->null[row] = 0;
}

void omen_table_set_bool(omen_table *t, size_t row, size_t col, bool value)
{
    omen_table_column *c = cell_column(t, row, col);
    if (c->type != OMEN_COL_BOOL)
        contract("set_bool on a column that is not bool", t, col);
    c->cells[row].i = value ? 1 : 0;
    c->null[row] = 0;
}

/* ---------------------------------------------------------------- meta */

/* The entry for key, appended at the end when new; an old text value is released. */
static omen_table_meta_entry *meta_slot(omen_table *t, const char *key)
{
    for (size_t m = 0; m < t->nmeta; m++) {
        if (strcmp(t->meta[m].key, key) == 0) {
            if (t->meta[m].type == OMEN_COL_TEXT)
                free(t->meta[m].value.s);
            return &t->meta[m];
        }
    }
    if (t->nmeta == t->metacap) {
        t->metacap = t->metacap ? 2 * t->metacap : 16;
        t->meta = omen_xrealloc(t->meta, t->metacap * sizeof *t->meta);
    }
    omen_table_meta_entry *e = &t->meta[t->nmeta++];
    e->key = omen_xstrdup(key);
    return e;
}

void omen_table_meta_text(omen_table *t, const char *key, const char *value)
{
    char *copy = omen_xstrdup(value ? value : ""); /* before meta_slot frees an old value */
    omen_table_meta_entry *e = meta_slot(t, key);
    e->type = OMEN_COL_TEXT;
    e->value.s = copy;
}

void omen_table_meta_int(omen_table *t, const char *key, int64_t value)
{
    omen_table_meta_entry *e = meta_slot(t, key);
    e->type = OMEN_COL_INT;
    e->value.i = value;
}

void omen_table_meta_real(omen_table *t, const char *key, double value)
{
    omen_table_meta_entry *e = meta_slot(t, key);
    e->type = OMEN_COL_REAL;
    e->value.r = value;
}

void omen_table_meta_bool(omen_table *t, const char *key, bool value)
{
    omen_table_meta_entry *e = meta_slot(t, key);
    e->type = OMEN_COL_BOOL;
    e->value.i = value ? 1 : 0;
}

/* ---------------------------------------------------------------- getters */

const char *omen_table_name(const omen_table *t)
{
    return t->name;
}

size_t omen_table_ncols(const omen_table *t)
{
    return t->ncols;
}

size_t omen_table_nrows(const omen_table *t)
{
    return t->nrows;
}

const char *omen_table_col_name(const omen_table *t, size_t col)
{
    return col < t->ncols ? t->cols[col].name : NULL;
}

omen_col_type omen_table_col_type(const omen_table *t, size_t col)
{
    if (col >= t->ncols)
        contract("column index out of range", t, col);
    return t->cols[col].type;
}

bool omen_table_is_null(const omen_table *t, size_t row, size_t col)
{
    return cell_column(t, row, col)->null[row] != 0;
}

/* "" for a NULL cell and for columns that are not text. */
const char *omen_table_text(const omen_table *t, size_t row, size_t col)
{
    const omen_table_column *c = cell_column(t, row, col);
    if (c->type != OMEN_COL_TEXT || c->null[row])
        return "";
    return c->cells[row].s;
}

/* INT, DATE (days) and BOOL (0/1) cells; a REAL cell truncated; 0 for NULL and text. */
int64_t omen_table_int(const omen_table *t, size_t row, size_t col)
{
    const omen_table_column *c = cell_column(t, row, col);
    if (c->null[row] || c->type == OMEN_COL_TEXT)
        return 0;
    if (c->type == OMEN_COL_REAL)
        return (int64_t)c->cells[row].r;
    return c->cells[row].i;
}

/* REAL cells; integer-like cells converted; NaN for NULL and text. */
double omen_table_real(const omen_table *t, size_t row, size_t col)
{
    const omen_table_column *c = cell_column(t, row, col);
    if (c->null[row] || c->type == OMEN_COL_TEXT)
        return NAN;
    if (c->type == OMEN_COL_REAL)
        return c->cells[row].r;
    return (double)c->cells[row].i;
}

size_t omen_table_find(const omen_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return c;
    return (size_t)-1;
}

/* ---------------------------------------------------------------- selection */

omen_table *omen_table_select(const omen_table *t, const char *name, const char *const *cols,
                              size_t ncols, const size_t *rows, size_t nrows)
{
    omen_table *v = omen_table_new(name);
    size_t *src = omen_xmalloc((ncols ? ncols : 1) * sizeof *src);
    size_t n = 0;
    for (size_t i = 0; i < ncols; i++) {
        size_t c = omen_table_find(t, cols[i]);
        if (c == (size_t)-1)
            continue;
        src[n++] = c;
        omen_table_add_column(v, t->cols[c].name, t->cols[c].type);
    }
    for (size_t k = 0; k < nrows; k++) {
        size_t row = omen_table_add_row(v);
        for (size_t i = 0; i < n; i++) {
            const omen_table_column *from = cell_column(t, rows[k], src[i]);
            if (from->null[rows[k]])
                continue;
            omen_table_column *to = &v->cols[i];
            to->cells[row] = from->cells[rows[k]];
            if (from->type == OMEN_COL_TEXT)
                to->cells[row].s = omen_xstrdup(from->cells[rows[k]].s);
            to->null[row] = 0;
        }
    }
    free(src);
    return v;
}
