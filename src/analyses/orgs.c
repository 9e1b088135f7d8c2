/* orgs.c: `omen orgs`: for the top countries by downloads, the shares of each organisation
 * type in the country's downloads, plus the remaining countries as one `(rest)` row group (the
 * paper's Figure 4). Country and type are those of the credited model's developer. */
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../vocab/countries.h"
#include "../util/error.h"

#define MAXORG 16

typedef struct {
    const omen_panel *p;
    uint32_t *country_of; /* string id -> dense country, OMEN_NONE when not seen */
    const char **country; /* dense -> code */
    const char *org[MAXORG];
    size_t ncountries, norgs;
    double (*d)[MAXORG]; /* [country][org] */
} orgs_ctx;

static size_t org_index(orgs_ctx *c, uint32_t s)
{
    const char *name = s == OMEN_NONE ? "unknown" : omen_panel_str(c->p, s);
    for (size_t k = 0; k < c->norgs; k++)
        if (strcmp(c->org[k], name) == 0)
            return k;
    if (c->norgs == MAXORG)
        return MAXORG - 1; /* the data model has seven types; a panel cannot hold more */
    c->org[c->norgs] = name;
    return c->norgs++;
}

static size_t country_index(orgs_ctx *c, uint32_t s)
{
    uint32_t key = s == OMEN_NONE ? c->p->n_strings : s; /* the last slot: no country */
    if (c->country_of[key] == OMEN_NONE) {
        c->country[c->ncountries] = s == OMEN_NONE ? "UNKNOWN" : omen_panel_str(c->p, s);
        c->country_of[key] = (uint32_t)c->ncountries++;
    }
    return c->country_of[key];
}

static bool on_range(void *ctx, const omen_agg *a, int32_t start, int32_t end, const uint32_t *ids,
                     const double *amounts, size_t n)
{
    (void)start;
    (void)end;
    orgs_ctx *c = ctx;
    for (size_t i = 0; i < n; i++) {
        uint32_t dev = a->developer[ids[i]];
        size_t k = country_index(c, c->p->dev_country[dev]);
        c->d[k][org_index(c, c->p->dev_org_type[dev])] += amounts[i];
    }
    return true;
}

typedef struct {
    double amount;
    size_t id;
    const char *name;
} ranked;

static int by_amount(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->amount != b->amount)
        return a->amount > b->amount ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The org-type rows of one country (or of the rest): largest type first. */
static void country_rows(omen_table *t, const orgs_ctx *c, const char *code, const char *name,
                         const double *d, double grand)
{
    ranked r[MAXORG];
    double total = 0;
    size_t n = 0;
    for (size_t k = 0; k < c->norgs; k++) {
        total += d[k];
        if (d[k] > 0)
            r[n++] = (ranked){d[k], k, c->org[k]};
    }
    qsort(r, n, sizeof *r, by_amount);
    for (size_t i = 0; i < n; i++) {
        size_t row = omen_table_add_row(t);
        omen_table_set_text(t, row, 0, code);
        omen_table_set_text(t, row, 1, name);
        omen_table_set_text(t, row, 2, r[i].name);
        omen_table_set_real(t, row, 3, r[i].amount);
        omen_table_set_real(t, row, 4, r[i].amount / total);
        omen_table_set_real(t, row, 5, total / grand);
    }
}

static void fill(omen_table *t, const orgs_ctx *c, uint32_t top)
{
    ranked *r = omen_xmalloc((c->ncountries + 1) * sizeof *r);
    double grand = 0, rest[MAXORG] = {0};
    for (size_t k = 0; k < c->ncountries; k++) {
        double sum = 0;
        for (size_t o = 0; o < c->norgs; o++)
            sum += c->d[k][o];
        r[k] = (ranked){sum, k, c->country[k]};
        grand += sum;
    }
    qsort(r, c->ncountries, sizeof *r, by_amount);
    for (size_t i = 0; i < c->ncountries; i++) {
        if (r[i].amount <= 0)
            continue;
        if (i < top) {
            const char *name = omen_country_name(r[i].name);
            country_rows(t, c, r[i].name, name ? name : r[i].name, c->d[r[i].id], grand);
        } else {
            for (size_t o = 0; o < c->norgs; o++)
                rest[o] += c->d[r[i].id][o];
        }
    }
    if (c->ncountries > top)
        country_rows(t, c, "(rest)", "other countries", rest, grand);
    free(r);
}

omen_status omen_orgs(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err)
{
    omen_query qq = *q;
    qq.level = OMEN_LEVEL_DEVELOPER;
    size_t ns = (size_t)p->n_strings + 1, nd = (size_t)p->n_developers + 1;
    orgs_ctx c = {p, omen_xmalloc(ns * sizeof(uint32_t)), omen_xmalloc(nd * sizeof(char *)), {0}, 0,
                  0, omen_xcalloc(nd, sizeof *c.d)};
    memset(c.country_of, 0xff, ns * sizeof(uint32_t));
    omen_table *t = omen_table_new("orgs");
    static const char *const cols[] = {"country",   "name",  "org_type",
                                       "downloads", "share", "country_share"};
    static const omen_col_type types[] = {OMEN_COL_TEXT, OMEN_COL_TEXT, OMEN_COL_TEXT,
                                          OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_REAL};
    for (size_t i = 0; i < 6; i++)
        omen_table_add_column(t, cols[i], types[i]);
    omen_agg agg;
    omen_status s = omen_aggregate(p, &qq, true, on_range, &c, &agg, err);
    if (s == OMEN_OK) {
        fill(t, &c, q->top);
        omen_query_to_meta(p, &qq, &agg, t);
        omen_table_meta_text(t, "level", "country x org_type");
        omen_table_meta_text(t, "window", "whole range");
        omen_table_meta_text(t, "period", q->last_year ? "last-year" : "all");
        omen_table_meta_int(t, "top", q->top);
        omen_table_meta_text(t, "share", "of the country's downloads (country_share: of all)");
        *out = t;
    } else {
        omen_table_free(t);
    }
    omen_agg_free(&agg);
    free(c.country_of);
    free(c.country);
    free(c.d);
    return s;
}
