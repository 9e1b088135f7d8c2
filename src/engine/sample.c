/* sample.c: per-model facts (total downloads, effective created date) and the Population and
 * Head samples of the paper's section 2. */
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "engine.h"

/* The Hub reports 2022-03-02 as the created date of models older than its records, so the
 * effective created date is the earlier of the reported date and the first week with downloads
 * (DESIGN section 5). The panel cache holds the facts (computed when it is built); they are
 * borrowed from it, not copied: reading every download per query to recompute them cost a
 * tenth of a full-scale concentration series. */
void omen_model_facts_compute(const omen_panel *p, omen_model_facts *f)
{
    memset(f, 0, sizeof *f);
    if (p->model_total && p->model_created_eff && p->model_created_src) {
        /* Read-only through these pointers (the cache is mapped read-only). */
        f->total = (uint64_t *)(uintptr_t)p->model_total;
        f->created_eff = (int32_t *)(uintptr_t)p->model_created_eff;
        f->created_src = (uint8_t *)(uintptr_t)p->model_created_src;
        f->borrowed = true;
        return;
    }
    size_t n = p->n_models;
    f->total = omen_xmalloc((n ? n : 1) * sizeof *f->total);
    f->created_eff = omen_xmalloc((n ? n : 1) * sizeof *f->created_eff);
    f->created_src = omen_xmalloc(n ? n : 1);
    omen_panel_model_facts(p->dl_off, p->dl_week, p->dl_count, p->model_created, p->first_week, n,
                           f->total, f->created_eff, f->created_src);
}

void omen_model_facts_free(omen_model_facts *f)
{
    if (!f->borrowed) {
        free(f->total);
        free(f->created_eff);
        free(f->created_src);
    }
    memset(f, 0, sizeof *f);
}

/* A min-heap of (count, model) per week keeps that week's top k as the models stream by; ties
 * keep the model with the smaller index (the one seen first). The heap's root is the worst
 * entry: the smallest count and, among equal counts, the largest index, so that a tie at the
 * k-th place evicts the model listed last. */
typedef struct {
    uint64_t count;
    uint32_t model;
} entry;

static inline bool worse(entry a, entry b)
{
    return a.count < b.count || (a.count == b.count && a.model > b.model);
}

static void sift_down(entry *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < n && worse(h[l], h[s]))
            s = l;
        if (r < n && worse(h[r], h[s]))
            s = r;
        if (s == i)
            return;
        entry t = h[i];
        h[i] = h[s];
        h[s] = t;
        i = s;
    }
}

static void sift_up(entry *h, size_t i)
{
    while (i > 0 && worse(h[i], h[(i - 1) / 2])) {
        entry t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static void head_sample(const omen_panel *p, uint32_t k, uint8_t *in)
{
    /* No week can hold more than the Population models: a --head-k beyond them would only
     * allocate heaps that stay empty (n_weeks * k entries). */
    size_t npop = 0;
    for (uint32_t m = 0; m < p->n_models; m++)
        npop += in[m] != 0;
    if (k > npop)
        k = (uint32_t)npop;
    if (k == 0) {
        memset(in, 0, p->n_models);
        return;
    }
    entry *heaps = omen_xmalloc((size_t)p->n_weeks * k * sizeof *heaps);
    size_t *size = omen_xcalloc(p->n_weeks ? p->n_weeks : 1, sizeof *size);
    for (uint32_t m = 0; m < p->n_models; m++) {
        if (!in[m])
            continue;
        for (uint64_t i = p->dl_off[m]; i < p->dl_off[m + 1]; i++) {
            uint64_t c = p->dl_count[i];
            if (c == 0)
                continue;
            size_t w = p->dl_week[i];
            entry *h = heaps + w * k;
            if (size[w] < k) {
                h[size[w]] = (entry){c, m};
                sift_up(h, size[w]++);
            } else if (c > h[0].count) { /* a tie loses: m comes after every model held */
                h[0] = (entry){c, m};
                sift_down(h, k, 0);
            }
        }
    }
    memset(in, 0, p->n_models);
    for (size_t w = 0; w < p->n_weeks; w++)
        for (size_t j = 0; j < size[w]; j++)
            in[heaps[w * k + j].model] = 1;
    free(heaps);
    free(size);
}

size_t omen_sample_select(const omen_panel *p, const omen_model_facts *f, omen_sample sample,
                          uint64_t population_min, uint32_t head_k, uint8_t *in)
{
    for (uint32_t m = 0; m < p->n_models; m++)
        in[m] = sample == OMEN_SAMPLE_ALL || f->total[m] >= population_min;
    if (sample == OMEN_SAMPLE_HEAD && p->n_weeks)
        head_sample(p, head_k, in);
    size_t count = 0;
    for (uint32_t m = 0; m < p->n_models; m++)
        count += in[m] != 0;
    return count;
}
