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

static omen_series_kind decide_kind(omen_obs_list *obs, omen_rows *rows,
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

/* Observations of one week are summed (build_weekly): each is at most OMEN_MAX_COUNT, and so
 * must their sum be, so that no stored count is above the documented maximum and the sums
 * over a panel stay exact (docs/methodology.md, "Count maximum"). */
omen_series_kind omen_series_check(omen_obs_list *obs, omen_rows *rows,
                                   const omen_ingest_options *opt, omen_diag *diag, char **notes)
{
    omen_series_kind kind = decide_kind(obs, rows, opt, diag, notes);
    if (kind != OMEN_KIND_WEEKLY)
        return kind;
    uint64_t sum = 0;
    for (size_t i = 0; i < obs->n; i++) {
        const omen_obs *o = &obs->v[i];
        bool same = i && obs->v[i - 1].model == o->model &&
                    omen_date_week_monday(obs->v[i - 1].day) == omen_date_week_monday(o->day);
        uint64_t before = same ? sum : 0;
        sum = before + o->count; /* both at most 2^40 - 1: cannot wrap */
        if (sum > OMEN_MAX_COUNT && before <= OMEN_MAX_COUNT)
            omen_diag_add(diag, obs->files[OMEN_WHERE_FILE(o->where)], OMEN_WHERE_LINE(o->where),
                          "the downloads of %s in its week sum to %llu, above the maximum %llu",
                          omen_intern_str(&rows->names, o->model), (unsigned long long)sum,
                          (unsigned long long)OMEN_MAX_COUNT);
        if (sum > OMEN_MAX_COUNT)
            sum = OMEN_MAX_COUNT + 1; /* reported once per week; stays below any wrap */
    }
    return kind;
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

/* One observation of a model's merged series: stored, new, or new over a stored one of the
 * same day (which it replaces). */
typedef struct {
    int32_t day;
    uint64_t count;
    bool fresh;       /* from this batch */
    bool over_stored; /* a stored observation of the same day is replaced */
    uint64_t where;   /* a fresh one's file and line */
} point;

/* Merges the stored observations from the window's start with the new ones (new wins on the
 * same day). */
static point *merge(const omen_count_row *old, size_t nold, const omen_obs *v, size_t nv, size_t *n)
{
    point *out = omen_xmalloc((nold + nv) * sizeof *out);
    size_t i = 0, j = 0, k = 0;
    while (i < nold || j < nv) {
        if (j == nv || (i < nold && old[i].day < v[j].day)) {
            out[k++] = (point){old[i].day, old[i].count, false, false, 0};
            i++;
            continue;
        }
        bool same = i < nold && old[i].day == v[j].day;
        if (same)
            i++;
        out[k++] = (point){v[j].day, v[j].count, true, same, v[j].where};
        j++;
    }
    *n = k;
    return out;
}

/* Whether the Monday `week` is a stale week (a reused copy of the previous listing). */
static bool is_stale(const omen_series_ctx *c, int32_t week)
{
    size_t lo = 0, hi = c->nstale;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int32_t w = omen_date_week_monday(c->stale[mid]);
        if (w == week)
            return true;
        if (w < week)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Adds a week's flow; when the weeks just before it were stale copies, the flow is shared
 * equally among them and it (remainder to the latest weeks), since the listing of a stale week
 * says nothing about its own downloads (methodology.md, "Folders of weekly snapshots"). Zero
 * flows are not rows. */
static void add_flow(omen_rows *rows, const omen_series_ctx *c, uint32_t model, int32_t prev_week,
                     int32_t week, uint64_t flow, int32_t *lowest)
{
    int32_t first = week;
    while (c->nstale && first - 7 > prev_week && is_stale(c, first - 7))
        first -= 7;
    uint64_t parts = (uint64_t)(week - first) / 7 + 1, share = flow / parts, extra = flow % parts;
    for (int32_t w = first; w <= week; w += 7) {
        uint64_t k = (uint64_t)(w - first) / 7, f = share + (k >= parts - extra ? 1 : 0);
        if (!f)
            continue;
        omen_count_row *row = omen_rows_add_weekly(rows);
        *row = (omen_count_row){model, w, f};
        if (w < *lowest)
            *lowest = w;
    }
}

/* The flows of one model over a window of its merged, day-sorted series, measured from `base`
 * (the last observation before the window) when there is one. Also picks the new observations
 * worth storing: those that change the count (or replace a stored one, or start the series). */
static void derive_window(omen_rows *rows, const omen_series_ctx *c, uint32_t model, const point *s,
                          size_t n, const omen_count_row *base, bool has_base, bool baseline_first,
                          omen_series_stats *st, int32_t *lowest, size_t *last_kept)
{
    *last_kept = SIZE_MAX;
    bool have_prev = has_base;
    uint64_t prev = has_base ? base->count : 0;
    int32_t prev_week = has_base ? omen_date_week_monday(base->day) : INT32_MIN;
    bool have_last = has_base;
    uint64_t last = prev; /* the count of the observation just before, for what to store */
    for (size_t i = 0; i < n; i++) {
        if (s[i].fresh) {
            bool changes = !have_last || s[i].count != last;
            if (changes)
                st->changed++;
            if (changes || s[i].over_stored) {
                omen_count_row *r = omen_rows_add_snapshot(rows);
                *r = (omen_count_row){model, s[i].day, s[i].count};
                *last_kept = i;
            }
        } else {
            *last_kept = i;
        }
        have_last = true;
        last = s[i].count;
        int32_t week = omen_date_week_monday(s[i].day);
        if (i + 1 < n && omen_date_week_monday(s[i + 1].day) == week)
            continue; /* keep the week's last observation */
        if (!have_prev) {
            have_prev = true;
            prev = s[i].count;
            prev_week = week;
            if (!baseline_first && prev)
                add_flow(rows, c, model, INT32_MIN, week, prev, lowest);
            continue;
        }
        uint64_t flow = 0;
        if (s[i].count < prev && !st->clipped++) {
            st->drop_model = model;
            st->drop_day = s[i].day;
            st->drop_from = prev;
            st->drop_to = s[i].count;
            st->drop_where = s[i].fresh ? s[i].where : UINT64_MAX;
        } else if (s[i].count >= prev)
            flow = s[i].count - prev;
        if (flow)
            add_flow(rows, c, model, prev_week, week, flow, lowest);
        prev = s[i].count;
        prev_week = week;
    }
}

void omen_series_memo_free(omen_series_memo *m)
{
    if (!m)
        return;
    omen_intern_free(&m->names);
    free(m->day);
    free(m->count);
    memset(m, 0, sizeof *m);
}

/* The memo's last observation of a model when it settles the window: the model is known to
 * have nothing stored on or after `from`, so the base is all the store could add. */
static bool memo_window(const omen_series_memo *m, const char *name, int32_t from, bool *has_base,
                        omen_count_row *base)
{
    if (!m)
        return false;
    uint32_t id = omen_intern_find(&m->names, name, strlen(name));
    if (id == UINT32_MAX) {
        *has_base = false;
        return m->complete;
    }
    if (m->day[id] >= from)
        return false;
    *has_base = true;
    *base = (omen_count_row){0, m->day[id], m->count[id]};
    return true;
}

static void memo_note(omen_series_memo *m, const char *name, const point *last)
{
    if (!m)
        return;
    uint32_t id = omen_intern_add(&m->names, name, strlen(name));
    if (id >= m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1 << 16;
        while (cap <= id)
            cap *= 2;
        m->day = omen_xrealloc(m->day, cap * sizeof *m->day);
        m->count = omen_xrealloc(m->count, cap * sizeof *m->count);
        for (size_t i = m->cap; i < cap; i++)
            m->day[i] = INT32_MIN;
        m->cap = cap;
    }
    if (last->day >= m->day[id]) {
        m->day[id] = last->day;
        m->count[id] = last->count;
    }
}

/* Each model's new observations re-derive its flows from the week of the first of them on,
 * against what the store holds around that window; nothing before the window is touched, so a
 * new week costs a few rows per model however long the history. */
static omen_status build_cumulative(omen_obs_list *obs, omen_rows *rows,
                                    const omen_ingest_options *opt, const omen_series_ctx *c,
                                    omen_store *store, omen_series_stats *st, omen_error *err)
{
    omen_snapshot_reader *reader = NULL;
    if (store && omen_store_snapshot_reader_open(store, &reader, err) != OMEN_OK)
        return OMEN_RUNTIME;
    omen_count_row *after = NULL;
    size_t cap = 0;
    omen_status s = OMEN_OK;
    for (size_t i = 0; i < obs->n && s == OMEN_OK;) {
        size_t j = i;
        while (j < obs->n && obs->v[j].model == obs->v[i].model)
            j++;
        uint32_t model = obs->v[i].model;
        int32_t from = omen_date_week_monday(obs->v[i].day);
        omen_count_row base = {0};
        bool has_base = false;
        size_t nafter = 0;
        const char *name = omen_intern_str(&rows->names, model);
        if (reader && !memo_window(c->memo, name, from, &has_base, &base))
            s = omen_store_snapshot_window(reader, name, from, &has_base, &base, &after, &nafter,
                                           &cap, err);
        if (s != OMEN_OK)
            break;
        size_t n = 0;
        point *merged = merge(after, nafter, obs->v + i, j - i, &n);
        int32_t lowest = from;
        size_t kept;
        derive_window(rows, c, model, merged, n, &base, has_base, opt->baseline_first && !has_base,
                      st, &lowest, &kept);
        /* Stored flows from the window on are replaced; with nothing stored there (a new week
         * after all the model's observations), there is nothing to delete. */
        if (nafter)
            omen_rows_add_replace_from(rows, model, lowest);
        /* The memo mirrors the store: the last observation kept, not the last one seen (an
         * unchanged count is not stored, and a stale week's must not become a base). */
        if (kept != SIZE_MAX)
            memo_note(c->memo, name, &merged[kept]);
        free(merged);
        if (c->progress && ((i ^ j) >> 16))
            c->progress(c->progress_ctx, "deriving weekly flows", j, obs->n);
        i = j;
    }
    free(after);
    omen_store_snapshot_reader_close(reader);
    return s;
}

omen_status omen_series_build(omen_obs_list *obs, omen_rows *rows, omen_series_kind kind,
                              const omen_ingest_options *opt, const omen_series_ctx *ctx,
                              struct omen_store *store, omen_ingest_report *rep,
                              omen_series_stats *stats, omen_error *err)
{
    rep->kind_used = kind;
    omen_series_ctx none = {0};
    omen_series_stats scratch = {0};
    if (!stats)
        stats = &scratch;
    if (kind == OMEN_KIND_CUMULATIVE) {
        omen_status s = build_cumulative(obs, rows, opt, ctx ? ctx : &none, store, stats, err);
        rep->decreases_clipped += stats->clipped;
        return s;
    }
    build_weekly(obs, rows);
    return OMEN_OK;
}
