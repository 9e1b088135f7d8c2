/* series.c: turns download observations into weekly flows.
 *
 * Weekly series: observations in the same ISO week are summed. Cumulative series: the last
 * observation of each week is kept, and the flow of a week is its count minus the previous
 * kept count (a decrease is clipped to 0 and counted). The raw observations are stored too,
 * and the flows of a model are always re-derived from all its stored observations, so
 * snapshot files may arrive in any order, or twice. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "reader.h"

static int cmp_obs(const void *a, const void *b)
{
    const omen_obs *x = a, *y = b;
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->where < y->where ? -1 : x->where > y->where;
}

static bool sorted(const omen_obs_list *obs)
{
    for (size_t i = 1; i < obs->n; i++)
        if (cmp_obs(&obs->v[i - 1], &obs->v[i]) > 0)
            return false;
    return true;
}

static void note(char **notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(char **notes, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = *notes ? strlen(*notes) : 0, add = strlen(msg);
    *notes = omen_xrealloc(*notes, old + add + 2);
    memcpy(*notes + old, msg, add);
    memcpy(*notes + old + add, "\n", 2);
}

/* Drops exact duplicates (same model, day and count) and reports conflicting ones. */
static void dedupe(omen_obs_list *obs, const omen_rows *rows, omen_diag *diag, char **notes)
{
    size_t out = 0, dups = 0;
    for (size_t i = 0; i < obs->n; i++) {
        omen_obs *o = &obs->v[i];
        if (out && obs->v[out - 1].model == o->model && obs->v[out - 1].day == o->day) {
            const omen_obs *first = &obs->v[out - 1];
            if (first->count != o->count) {
                if (obs->conflicts)
                    obs->conflicts[OMEN_WHERE_FILE(o->where)]++;
                char d[11];
                omen_date_format(o->day, d);
                omen_diag_add(
                    diag, obs->files[OMEN_WHERE_FILE(o->where)], OMEN_WHERE_LINE(o->where),
                    "duplicate key (%s, %s) with conflicting value %llu (%s:%llu says %llu)",
                    omen_intern_str(&rows->names, o->model), d, (unsigned long long)o->count,
                    obs->files[OMEN_WHERE_FILE(first->where)],
                    (unsigned long long)OMEN_WHERE_LINE(first->where),
                    (unsigned long long)first->count);
            }
            dups++;
            continue;
        }
        obs->v[out++] = *o;
    }
    obs->n = out;
    if (dups)
        note(notes, "%zu repeated observations of the same model and date were ignored", dups);
}

omen_series_kind omen_series_check(omen_obs_list *obs, omen_rows *rows,
                                   const omen_ingest_options *opt, omen_diag *diag, char **notes)
{
    if (!sorted(obs))
        qsort(obs->v, obs->n, sizeof *obs->v, cmp_obs);
    dedupe(obs, rows, diag, notes);
    if (opt->kind != OMEN_KIND_AUTO)
        return opt->kind;
    size_t series = 0, decreasing = 0, rising = 0;
    const omen_obs *first_drop = NULL;
    for (size_t i = 0; i < obs->n; i++) {
        if (i == 0 || obs->v[i - 1].model != obs->v[i].model) {
            series++;
            continue;
        }
        if (obs->v[i].count < obs->v[i - 1].count) {
            if (!first_drop)
                first_drop = &obs->v[i];
            if (i < 2 || obs->v[i - 2].model != obs->v[i].model ||
                obs->v[i - 1].count >= obs->v[i - 2].count)
                decreasing++;
        } else if (obs->v[i].count > obs->v[i - 1].count) {
            rising++;
        }
    }
    if (first_drop) {
        note(notes,
             "kind auto: weekly (a series decreases, first %s at %s:%llu; %zu series in all)",
             omen_intern_str(&rows->names, first_drop->model),
             obs->files[OMEN_WHERE_FILE(first_drop->where)],
             (unsigned long long)OMEN_WHERE_LINE(first_drop->where), series);
        return OMEN_KIND_WEEKLY;
    }
    if (!rising) {
        note(notes, "kind auto: weekly (no series has two different values, so none can be "
                    "told cumulative; use --kind to say otherwise)");
        return OMEN_KIND_WEEKLY;
    }
    note(notes, "kind auto: cumulative (all %zu series are non-decreasing)", series);
    return OMEN_KIND_CUMULATIVE;
}

static void build_weekly(omen_obs_list *obs, omen_rows *rows)
{
    for (size_t i = 0; i < obs->n; i++) {
        const omen_obs *o = &obs->v[i];
        int32_t week = omen_date_week_monday(o->day);
        if (rows->nweekly && rows->weekly[rows->nweekly - 1].model == o->model &&
            rows->weekly[rows->nweekly - 1].day == week) {
            rows->weekly[rows->nweekly - 1].count += o->count;
            continue;
        }
        omen_count_row *w = omen_rows_add_weekly(rows);
        *w = (omen_count_row){o->model, week, o->count};
    }
}

/* Merges the stored observations of a model with the new ones (new wins on the same day). */
static omen_count_row *merge(const omen_count_row *old, size_t nold, const omen_obs *v, size_t nv,
                             size_t *n)
{
    omen_count_row *out = omen_xmalloc((nold + nv) * sizeof *out);
    size_t i = 0, j = 0, k = 0;
    while (i < nold || j < nv) {
        if (j == nv || (i < nold && old[i].day < v[j].day)) {
            out[k++] = old[i++];
            continue;
        }
        if (i < nold && old[i].day == v[j].day)
            i++;
        out[k++] = (omen_count_row){v[j].model, v[j].day, v[j].count};
        j++;
    }
    *n = k;
    return out;
}

/* The flows of one model's merged, day-sorted cumulative series. */
static void derive_flows(omen_rows *rows, uint32_t model, const omen_count_row *s, size_t n,
                         bool baseline_first, uint64_t *clipped)
{
    bool have_prev = false;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t week = omen_date_week_monday(s[i].day);
        if (i + 1 < n && omen_date_week_monday(s[i + 1].day) == week)
            continue; /* keep the week's last observation */
        uint64_t flow;
        if (!have_prev) {
            have_prev = true;
            prev = s[i].count;
            if (baseline_first)
                continue;
            flow = s[i].count;
        } else if (s[i].count < prev) {
            (*clipped)++;
            flow = 0;
        } else {
            flow = s[i].count - prev;
        }
        prev = s[i].count;
        omen_count_row *w = omen_rows_add_weekly(rows);
        *w = (omen_count_row){model, week, flow};
    }
}

static omen_status build_cumulative(omen_obs_list *obs, omen_rows *rows,
                                    const omen_ingest_options *opt, omen_store *store,
                                    omen_ingest_report *rep, omen_error *err)
{
    for (size_t i = 0; i < obs->n;) {
        size_t j = i;
        while (j < obs->n && obs->v[j].model == obs->v[i].model) {
            omen_count_row *s = omen_rows_add_snapshot(rows);
            *s = (omen_count_row){obs->v[j].model, obs->v[j].day, obs->v[j].count};
            j++;
        }
        uint32_t model = obs->v[i].model;
        omen_count_row *old = NULL, *merged;
        size_t nold = 0, n = 0;
        if (store && omen_store_snapshots_of(store, omen_intern_str(&rows->names, model), &old,
                                             &nold, err) != OMEN_OK)
            return OMEN_RUNTIME;
        merged = merge(old, nold, obs->v + i, j - i, &n);
        derive_flows(rows, model, merged, n, opt->baseline_first, &rep->decreases_clipped);
        omen_rows_add_replace(rows, model);
        free(old);
        free(merged);
        i = j;
    }
    return OMEN_OK;
}

omen_status omen_series_build(omen_obs_list *obs, omen_rows *rows, omen_series_kind kind,
                              const omen_ingest_options *opt, struct omen_store *store,
                              omen_ingest_report *rep, omen_error *err)
{
    rep->kind_used = kind;
    if (kind == OMEN_KIND_CUMULATIVE)
        return build_cumulative(obs, rows, opt, store, rep, err);
    build_weekly(obs, rows);
    return OMEN_OK;
}
