/* heuristic_labels.c: `omen annotate --heuristic` and `--agreement`: the rules of
 * heuristic_rules.c run over every model's stored Hub metadata; the labels replace the stored
 * heuristic ones (never where a human labelled the same model and field), or are compared with
 * the human labels. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../store/labels.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "heuristic_rules.h"

typedef struct {
    omen_label_row *v;
    size_t n, cap;
    int64_t model;
    size_t model_start; /* first row of the current model, for de-duplication */
    uint64_t scanned;
} collect;

static void on_label(void *ctx, uint32_t field, const char *label, size_t len)
{
    collect *c = ctx;
    for (size_t i = c->model_start; i < c->n; i++)
        if (c->v[i].field == field && strlen(c->v[i].value) == len &&
            strncasecmp(c->v[i].value, label, len) == 0)
            return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->v = omen_xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = (omen_label_row){c->model, field, omen_xstrndup(label, len)};
}

static bool on_model(void *ctx, const omen_model_meta *m)
{
    collect *c = ctx;
    c->model = m->id;
    c->model_start = c->n;
    c->scanned++;
    omen_heuristic_labels(m, on_label, c);
    return true;
}

static int cmp_pair(const omen_label_row *a, const omen_label_row *b)
{
    if (a->model != b->model)
        return a->model < b->model ? -1 : 1;
    return a->field < b->field ? -1 : a->field > b->field;
}

static int cmp_row(const void *pa, const void *pb)
{
    const omen_label_row *a = pa, *b = pb;
    int c = cmp_pair(a, b);
    return c ? c : strcasecmp(a->value, b->value);
}

/* The rules' labels for every model of the store, sorted by (model, field, value). */
static omen_status propose(omen_store *st, collect *c, omen_error *err)
{
    omen_status s = omen_store_each_model_meta(st, on_model, c, err);
    if (s == OMEN_OK && c->n)
        qsort(c->v, c->n, sizeof *c->v, cmp_row);
    return s;
}

static omen_status human(omen_store *st, omen_label_row **h, size_t *nh, omen_error *err)
{
    omen_status s = omen_store_labels(st, "human", h, nh, err);
    if (s == OMEN_OK && *nh)
        qsort(*h, *nh, sizeof **h, cmp_row);
    return s;
}

/* Whether rows (sorted) hold a label of a's (model, field). */
static bool has_pair(const omen_label_row *rows, size_t n, const omen_label_row *a)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_pair(&rows[mid], a) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && cmp_pair(&rows[lo], a) == 0;
}

/* The end of the (model, field) group that starts at i. */
static size_t group_end(const omen_label_row *rows, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && cmp_pair(&rows[j], &rows[i]) == 0)
        j++;
    return j;
}

typedef struct {
    uint64_t models, labels, kept_human;
} heur_count;

static void count_rows(const omen_label_row *keep, size_t nkeep, heur_count *cnt)
{
    for (size_t i = 0; i < nkeep; i = group_end(keep, nkeep, i)) {
        cnt[keep[i].field].models++;
        cnt[keep[i].field].labels += group_end(keep, nkeep, i) - i;
    }
}

static omen_table *heuristic_table(const heur_count *cnt, uint64_t scanned, uint64_t added,
                                   uint64_t removed, size_t total)
{
    omen_table *t = omen_table_new("annotate_heuristic");
    size_t c_field = omen_table_add_column(t, "field", OMEN_COL_TEXT);
    size_t c_models = omen_table_add_column(t, "models", OMEN_COL_INT);
    size_t c_labels = omen_table_add_column(t, "labels", OMEN_COL_INT);
    size_t c_kept = omen_table_add_column(t, "models_human_kept", OMEN_COL_INT);
    const omen_taxonomy_field *f = omen_taxonomy_fields();
    for (size_t k = 0; f[k].name; k++) {
        size_t r = omen_table_add_row(t);
        omen_table_set_text(t, r, c_field, f[k].name);
        omen_table_set_int(t, r, c_models, (int64_t)cnt[k].models);
        omen_table_set_int(t, r, c_labels, (int64_t)cnt[k].labels);
        omen_table_set_int(t, r, c_kept, (int64_t)cnt[k].kept_human);
    }
    omen_table_meta_text(t, "source", "heuristic");
    omen_table_meta_text(t, "rule",
                         "human labels of a (model, field) win: no heuristic label is "
                         "stored where a human one exists");
    omen_table_meta_int(t, "models_scanned", (int64_t)scanned);
    omen_table_meta_int(t, "labels_stored", (int64_t)total);
    omen_table_meta_int(t, "labels_added", (int64_t)added);
    omen_table_meta_int(t, "labels_removed", (int64_t)removed);
    return t;
}

static omen_status write_heuristics(omen_store *st, collect *c, omen_table **out, omen_error *err)
{
    omen_label_row *h = NULL;
    size_t nh = 0, nkeep = 0;
    heur_count cnt[16] = {{0}};
    omen_status s = human(st, &h, &nh, err);
    /* Drop the proposals of (model, field) pairs a human labelled, compacting in place. */
    for (size_t i = 0; s == OMEN_OK && i < c->n;) {
        size_t end = group_end(c->v, c->n, i);
        bool drop = has_pair(h, nh, &c->v[i]);
        cnt[c->v[i].field].kept_human += drop;
        for (size_t j = i; j < end; j++) {
            if (drop)
                free(c->v[j].value);
            else
                c->v[nkeep++] = c->v[j];
        }
        i = end;
    }
    if (s == OMEN_OK)
        c->n = nkeep;
    omen_label_rows_free(h, nh);
    uint64_t added = 0, removed = 0;
    if (s == OMEN_OK)
        s = omen_store_replace_heuristics(st, c->v, c->n, &added, &removed, err);
    omen_ingest_record rec = {.source = "heuristic",
                              .file = "(omen annotate --heuristic)",
                              .rows_read = c->scanned,
                              .rows_written = added + removed};
    if (s == OMEN_OK)
        s = omen_store_record_ingest(st, &rec, err);
    if (s == OMEN_OK && added + removed > 0)
        s = omen_store_touch(st, false, err);
    if (s == OMEN_OK) {
        count_rows(c->v, c->n, cnt);
        *out = heuristic_table(cnt, c->scanned, added, removed, c->n);
    }
    return s;
}

omen_status omen_annotate_heuristic(omen_store *st, omen_table **out, omen_error *err)
{
    *out = NULL;
    collect c = {0};
    omen_status s = omen_store_begin(st, err);
    if (s != OMEN_OK)
        return s;
    s = propose(st, &c, err);
    if (s == OMEN_OK)
        s = write_heuristics(st, &c, out, err);
    if (s == OMEN_OK)
        s = omen_store_commit(st, err);
    else
        omen_store_rollback(st);
    if (s != OMEN_OK) {
        omen_table_free(*out);
        *out = NULL;
    }
    omen_label_rows_free(c.v, c.n);
    return s;
}

/* ---------------------------------------------------------------- agreement */

typedef struct {
    uint64_t human, heur, both, exact, overlap;
} agree_count;

/* Distinct values (case-insensitively) of a sorted group. */
static size_t distinct(const omen_label_row *g, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += i == 0 || strcasecmp(g[i].value, g[i - 1].value) != 0;
    return d;
}

static size_t common(const omen_label_row *a, size_t na, const omen_label_row *b, size_t nb)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        int c = strcasecmp(a[i].value, b[j].value);
        if (c == 0) {
            k++;
            const char *v = a[i].value;
            while (i < na && strcasecmp(a[i].value, v) == 0)
                i++;
            while (j < nb && strcasecmp(b[j].value, v) == 0)
                j++;
        } else if (c < 0) {
            i++;
        } else {
            j++;
        }
    }
    return k;
}

/* Walks the two sorted arrays group by group ((model, field) pairs). */
static void agree(const omen_label_row *h, size_t nh, const omen_label_row *r, size_t nr,
                  agree_count *cnt)
{
    size_t i = 0, j = 0;
    while (i < nh || j < nr) {
        int c = i >= nh ? 1 : j >= nr ? -1 : cmp_pair(&h[i], &r[j]);
        size_t ei = c <= 0 ? group_end(h, nh, i) : i, ej = c >= 0 ? group_end(r, nr, j) : j;
        uint32_t f = c <= 0 ? h[i].field : r[j].field;
        cnt[f].human += c <= 0;
        cnt[f].heur += c >= 0;
        if (c == 0) {
            size_t k = common(h + i, ei - i, r + j, ej - j);
            cnt[f].both++;
            cnt[f].overlap += k > 0;
            cnt[f].exact += k == distinct(h + i, ei - i) && k == distinct(r + j, ej - j);
        }
        i = ei;
        j = ej;
    }
}

static void share(omen_table *t, size_t row, size_t col, uint64_t k, uint64_t n)
{
    if (n)
        omen_table_set_real(t, row, col, (double)k / (double)n);
}

static omen_table *agreement_table(const agree_count *cnt)
{
    omen_table *t = omen_table_new("annotate_agreement");
    const char *names[] = {"field", "human_models", "heuristic_models", "both",
                           "exact", "exact_share",  "overlap",          "overlap_share"};
    const omen_col_type types[] = {OMEN_COL_TEXT, OMEN_COL_INT,  OMEN_COL_INT, OMEN_COL_INT,
                                   OMEN_COL_INT,  OMEN_COL_REAL, OMEN_COL_INT, OMEN_COL_REAL};
    for (size_t k = 0; k < 8; k++)
        omen_table_add_column(t, names[k], types[k]);
    const omen_taxonomy_field *f = omen_taxonomy_fields();
    for (size_t k = 0; f[k].name; k++) {
        size_t r = omen_table_add_row(t);
        omen_table_set_text(t, r, 0, f[k].name);
        omen_table_set_int(t, r, 1, (int64_t)cnt[k].human);
        omen_table_set_int(t, r, 2, (int64_t)cnt[k].heur);
        omen_table_set_int(t, r, 3, (int64_t)cnt[k].both);
        omen_table_set_int(t, r, 4, (int64_t)cnt[k].exact);
        share(t, r, 5, cnt[k].exact, cnt[k].both);
        omen_table_set_int(t, r, 6, (int64_t)cnt[k].overlap);
        share(t, r, 7, cnt[k].overlap, cnt[k].both);
    }
    omen_table_meta_text(t, "heuristic", "the rules applied now to the stored Hub metadata");
    omen_table_meta_text(t, "exact",
                         "the model's label sets of the field are equal (ignoring case)");
    omen_table_meta_text(t, "overlap", "the label sets share at least one label");
    return t;
}

omen_status omen_annotate_agreement(omen_store *st, omen_table **out, omen_error *err)
{
    *out = NULL;
    collect c = {0};
    omen_label_row *h = NULL;
    size_t nh = 0;
    omen_status s = propose(st, &c, err);
    if (s == OMEN_OK)
        s = human(st, &h, &nh, err);
    if (s == OMEN_OK) {
        agree_count cnt[16] = {{0}};
        agree(h, nh, c.v, c.n, cnt);
        *out = agreement_table(cnt);
        omen_table_meta_int(*out, "models_scanned", (int64_t)c.scanned);
    }
    omen_label_rows_free(h, nh);
    omen_label_rows_free(c.v, c.n);
    return s;
}
