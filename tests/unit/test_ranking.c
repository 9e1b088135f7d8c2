/* test_ranking.c: the top-k ranking of shares and leaderboards (src/analyses/ranking.c) equals
 * the head of a full ranking, ties by name included, and its rest is the full ranking's tail
 * summed largest first, to the bit, for whole and fractional amounts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/analyses/ranking.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double draw(int kind)
{
    uint64_t r = next();
    switch (kind) {
    case 0: /* whole counts with many ties */
        return (double)(1 + r % 40);
    case 1: /* heavy tailed whole counts */
        return (double)(1 + (r % 1000) * (r % 1000) * (r % 7));
    default: /* fractional credit, ties too */
        return (double)(1 + r % 50) / (double)(1 + (r >> 20) % 3);
    }
}

Test(ranking, top_k_is_the_head_of_the_full_ranking)
{
    enum { N = 3000 };
    static char names[N][16];
    const char *name_of[N];
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "dev%05zu", (size_t)(next() % 100000));
        name_of[i] = names[i];
    }
    omen_agg a = {0};
    a.names = name_of;
    a.nentities = N;
    size_t sizes[] = {1, 5, 40, 999, N};
    size_t ks[] = {1, 3, 10, 20, 100, 5000};
    for (int kind = 0; kind < 3; kind++)
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t n = sizes[si];
            uint32_t *ids = malloc(n * sizeof *ids);
            double *amounts = malloc(n * sizeof *amounts);
            for (size_t i = 0; i < n; i++) {
                ids[i] = (uint32_t)((i * 7919) % N);
                amounts[i] = draw(kind);
            }
            double total_full;
            omen_ranked *full = omen_rank_entities(&a, ids, amounts, n, &total_full);
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
                size_t k = ks[ki], top = k < n ? k : n;
                double total, rest;
                omen_ranked *r = omen_rank_top(&a, ids, amounts, n, k, &total, &rest);
                cr_assert_eq(total, total_full, "kind %d n %zu k %zu: total", kind, n, k);
                for (size_t i = 0; i < top; i++) {
                    cr_assert_eq(r[i].amount, full[i].amount, "kind %d n %zu k %zu: #%zu", kind, n,
                                 k, i);
                    cr_assert_str_eq(name_of[r[i].id], name_of[full[i].id],
                                     "kind %d n %zu k %zu: #%zu", kind, n, k, i);
                }
                double tail = 0;
                for (size_t i = top; i < n; i++)
                    tail += full[i].amount;
                cr_assert_eq(rest, tail, "kind %d n %zu k %zu: rest %.17g != %.17g", kind, n, k,
                             rest, tail);
                free(r);
            }
            free(full);
            free(ids);
            free(amounts);
        }
}
