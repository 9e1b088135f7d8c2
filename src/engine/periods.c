/* periods.c: the weeks a query counts and the periods it reports (DESIGN.md section 5).
 *
 * --from and --to are clipped to the panel and moved to Mondays; with `--period last-year` the
 * whole range narrows to the 365 days ending at its last week. The weeks then form the query's
 * periods: one per week, calendar month, quarter or year, or all of them as one (leaderboards,
 * maps, Lorenz curves). Sliding windows (trailing52, cumulative) are summed week by week, then
 * formed here from the weeks' lists with a running sum per entity. */
#include <stdlib.h>

#include "../metrics/metrics.h"
#include "../util/arena.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "aggregate_internal.h"

/* The Mondays counted: --from/--to clipped to the panel; last-year narrows to 365 days. A
 * --from or --to inside a week is moved to the first or last Monday in [from, to], so that
 * first_week and last_week (and the meta block's from and to) are Mondays of weeks counted. */
void agg_weeks_counted(const omen_panel *p, const omen_query *q, bool whole, int32_t *lo,
                       int32_t *hi, int32_t *created_lo)
{
    int32_t first = p->first_week, last = p->first_week + 7 * ((int32_t)p->n_weeks - 1);
    *lo = q->from > first ? q->from : first;
    *hi = q->to < last ? q->to : last;
    if (omen_date_week_monday(*lo) != *lo)
        *lo = omen_date_week_monday(*lo) + 7;
    *hi = omen_date_week_monday(*hi);
    *created_lo = INT32_MIN;
    if (whole && q->last_year) {
        int32_t end = omen_date_week_monday(*hi);
        *hi = end;
        *created_lo = end - 365;
        if (*lo <= *created_lo)
            *lo = *created_lo + 1;
    }
}

/* The Monday of week w of the panel. */
static int32_t monday(const omen_panel *p, size_t w)
{
    return p->first_week + 7 * (int32_t)w;
}

/* The calendar period of a day: its first and last day. */
static void calendar(omen_window w, int32_t day, int32_t *start, int32_t *end)
{
    int y, m, d;
    omen_date_ymd(day, &y, &m, &d);
    int months = w == OMEN_WINDOW_MONTH ? 1 : w == OMEN_WINDOW_QUARTER ? 3 : 12;
    int first = ((m - 1) / months) * months + 1;
    if (w == OMEN_WINDOW_YEAR)
        first = 1;
    *start = omen_date_days(y, first, 1);
    int ny = y, nm = first + months;
    if (nm > 12) {
        nm -= 12;
        ny++;
    }
    *end = omen_date_days(ny, nm, 1) - 1;
}

/* The periods of the weeks [lo, hi]: calendar periods (month, quarter, year), weeks (week,
 * trailing52, cumulative: the sliding windows are formed from them afterwards), or with whole one
 * period of them all. */
void agg_periods_make(const omen_panel *p, const omen_query *q, bool whole, int32_t lo, int32_t hi,
                      periods *out)
{
    size_t nw = p->n_weeks;
    out->base_of = omen_xmalloc((nw ? nw : 1) * sizeof *out->base_of);
    out->start = omen_xmalloc((nw ? nw : 1) * sizeof *out->start);
    out->end = omen_xmalloc((nw ? nw : 1) * sizeof *out->end);
    out->nbase = 0;
    out->sliding =
        !whole && (q->window == OMEN_WINDOW_TRAILING52 || q->window == OMEN_WINDOW_CUMULATIVE);
    for (size_t w = 0; w < nw; w++) {
        int32_t mon = monday(p, w);
        out->base_of[w] = UINT32_MAX;
        if (mon < lo || mon > hi)
            continue;
        int32_t s = mon, e = mon + 6;
        if (whole) {
            s = lo;
            e = hi + 6;
        } else if (q->window >= OMEN_WINDOW_MONTH && q->window <= OMEN_WINDOW_YEAR) {
            calendar(q->window, mon, &s, &e);
        }
        if (out->nbase == 0 || out->start[out->nbase - 1] != s) {
            out->start[out->nbase] = s;
            out->end[out->nbase++] = e;
        }
        out->base_of[w] = (uint32_t)(out->nbase - 1);
    }
}

void agg_periods_free(periods *pd)
{
    free(pd->base_of);
    free(pd->start);
    free(pd->end);
}

/* The measures of a sliding window's amounts; whole counts (exact in the doubles of the running
 * sums, below 2^53) are measured as counts, like the calendar periods' (metrics.h). */
static void measure_window(const pass *s, const double *amounts, size_t n, void *buf, void *spare,
                           omen_measures *m)
{
    const omen_query *q = s->q;
    if (s->whole) {
        uint64_t *counts = buf, total = 0;
        for (size_t i = 0; i < n; i++)
            total += counts[i] = (uint64_t)amounts[i];
        omen_metrics_measure_counts(counts, spare, n, total, q->cuts, q->ncuts, q->entropy, m);
        return;
    }
    omen_metrics_sort_copy(amounts, buf, n, spare);
    omen_metrics_compute_ex(buf, n, q->cuts, q->ncuts, q->entropy, m);
}

/* trailing52 and cumulative: a running sum per entity plus a count of the weeks in the window
 * where it had downloads, so an entity leaves the period exactly when that count drops to 0
 * (floating-point subtraction alone could leave a residue). Each week's bucket lists an entity
 * once (workers.c). */
bool agg_emit_sliding(pass *s, const bucket *weeks, const sink *out)
{
    size_t ne = s->agg->nentities, nb = s->pd->nbase;
    size_t room = ne ? ne : 1;
    double *run = omen_arena_take(s->mem, room * sizeof *run);
    uint32_t *weeks_in = omen_arena_take(s->mem, room * sizeof *weeks_in);
    uint32_t *present = omen_arena_take(s->mem, room * sizeof *present);
    uint32_t *where = omen_arena_take(s->mem, room * sizeof *where);
    double *amounts = omen_arena_take(s->mem, room * sizeof *amounts);
    void *sorted = s->sorted ? omen_arena_take(s->mem, room * sizeof(double)) : NULL;
    void *scratch = s->sorted ? omen_arena_take(s->mem, room * sizeof(double)) : NULL;
    size_t npresent = 0;
    bool go = true, trailing = s->q->window == OMEN_WINDOW_TRAILING52;
    for (size_t k = 0; k < nb && go; k++) {
        const bucket *b = &weeks[k];
        for (size_t i = 0; i < b->n; i++) {
            uint32_t e = b->entity[i];
            run[e] += b->amount[i];
            if (weeks_in[e]++ == 0) {
                where[e] = (uint32_t)npresent;
                present[npresent++] = e;
            }
        }
        if (trailing && k >= 52) {
            const bucket *old = &weeks[k - 52];
            for (size_t i = 0; i < old->n; i++) {
                uint32_t e = old->entity[i];
                run[e] -= old->amount[i];
                if (--weeks_in[e] == 0) {
                    run[e] = 0.0;
                    uint32_t last = present[--npresent];
                    present[where[e]] = last;
                    where[last] = where[e];
                }
            }
        }
        for (size_t i = 0; i < npresent; i++)
            amounts[i] = run[present[i]] > 0 ? run[present[i]] : 0.0;
        int32_t start = trailing ? s->pd->start[k] - 51 * 7 : s->pd->start[0];
        if (trailing && start < s->pd->start[0])
            start = s->pd->start[0];
        if (sorted) {
            omen_measures m;
            measure_window(s, amounts, npresent, sorted, scratch, &m);
            go = out->mfn(out->ctx, s->agg, start, s->pd->end[k], &m);
        } else {
            go = out->fn(out->ctx, s->agg, start, s->pd->end[k], present, amounts, npresent);
        }
    }
    return go;
}
