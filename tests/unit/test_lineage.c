/* test_lineage.c: the first-parent forest of `omen derivations` and `omen intermediaries` must
 * end every chain where the engine's recursive attribution (first policy) ends it: same roots,
 * same cycles cut, on random graphs full of cycles and missing parents. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/analyses/lineage.h"
#include "../../src/engine/engine.h"
#include "unit_fs.h"

static omen_panel *random_panel(char *dir, unsigned seed, size_t n)
{
    size_t cap = 64 + n * 64, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv + len, cap - len, "parent,child,relation\n");
    static const char *const rel[] = {"finetune", "quantized", "adapter", "merge", "other"};
    srand(seed);
    for (size_t c = 0; c < n; c++) {
        int k = rand() % 10;
        if (k < 3)
            continue; /* a root */
        /* mostly earlier models (trees), sometimes any model (cycles), or a model that is
         * only ever referred to (no row of its own) */
        unsigned p = k < 7 && c ? (unsigned)(rand() % (int)c) : (unsigned)(rand() % (int)n);
        const char *ns = k == 9 ? "ghost" : "m";
        if (p == c && k != 9)
            continue; /* ingest refuses a model as its own parent */
        len += (size_t)snprintf(csv + len, cap - len, "%s/%u,m/%zu,%s\n", ns, p, c, rel[k % 5]);
    }
    char *f = unit_write(dir, "e.csv", csv);
    omen_store *st = unit_store(dir, "l.db", NULL);
    omen_ingest_options o = {0};
    o.source = OMEN_SOURCE_EDGES;
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, o, f, &msg, NULL), OMEN_OK, "%s", msg ? msg : "");
    omen_panel_options po = {.no_cache = true};
    omen_panel *p = NULL;
    omen_error err = {0};
    cr_assert_eq(omen_panel_load(st, &po, &p, NULL, &err), OMEN_OK);
    omen_store_close(st);
    free(f);
    free(csv);
    return p;
}

Test(lineage, same_roots_and_cuts_as_the_engine)
{
    for (unsigned seed = 1; seed <= 20; seed++) {
        char *dir = unit_mkdtemp();
        omen_panel *p = random_panel(dir, seed, 60 + seed * 7);
        omen_lineage l;
        omen_lineage_compute(p, &l);
        omen_credit c;
        omen_credit_compute(p, OMEN_ATTRIBUTION_RECURSIVE, OMEN_MERGE_FIRST, &c);
        cr_expect_eq(l.cycles_broken, c.cycles_broken, "seed %u: cycles", seed);
        for (uint32_t m = 0; m < p->n_models; m++) {
            uint32_t r = m, steps = 0;
            while (l.parent[r] != OMEN_NONE) {
                cr_assert_eq(l.depth[r], l.depth[l.parent[r]] + 1, "seed %u: depth", seed);
                cr_assert_neq(l.rel[r], 0);
                r = l.parent[r];
                steps++;
            }
            uint64_t t0, t1;
            omen_credit_range(&c, m, &t0, &t1);
            cr_expect_eq(t1, t0 + 1, "seed %u: one root under the first policy", seed);
            cr_expect_eq(r, omen_credit_target(&c, m, t0), "seed %u: root of %s", seed,
                         omen_panel_str(p, p->model_name[m]));
            cr_expect_eq(l.depth[m], steps);
            cr_expect(l.depth[m] <= l.max_depth);
        }
        omen_credit_free(&c);
        omen_lineage_free(&l);
        omen_panel_free(p);
        unit_rmdir(dir);
    }
}

Test(lineage, relations_by_name)
{
    char *dir = unit_mkdtemp();
    omen_panel *p = random_panel(dir, 3, 50);
    omen_lineage l;
    omen_lineage_compute(p, &l);
    cr_expect_str_eq(l.rel_name[0], "(none)");
    for (size_t i = 1; i < l.nrel; i++)
        cr_expect_eq(omen_lineage_rel_find(&l, l.rel_name[i]), i);
    cr_expect_eq(omen_lineage_rel_find(&l, "no such relation"), 0);
    omen_lineage_free(&l);
    omen_panel_free(p);
    unit_rmdir(dir);
}
