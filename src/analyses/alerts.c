/* alerts.c: `omen alerts`: what changed in the newest week(s) of the watched levels, as a
 * competition authority would read it: a Merger Guidelines band crossed, a significant rise of
 * the HHI, a change point of the HHI confirmed (PELT, as `omen changes`), one entity overtaking
 * another, an entry into a top 10, a share that jumped. Every rule and threshold is in
 * docs/methodology.md, "Alerts"; one row per alert. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../metrics/metrics.h"
#include "../stats/stats.h"
#include "../util/error.h"
#include "../vocab/countries.h"
#include "ranking.h"

enum { KIND_BAND, KIND_RISE, KIND_CHANGE, KIND_OVERTAKE, KIND_TOP10, KIND_JUMP, NKINDS };
static const char *const kind_names[NKINDS] = {"band_crossed", "hhi_rise",    "change_point",
                                               "overtaking",   "top10_entry", "share_jump"};

#define REMEMBERED 20 /* ranks remembered per period, for the rankings' hold */
#define TOP        10 /* top10_entry */
#define LEADERS    5  /* overtaking: among the period's top 5 */
#define MAX_LEVELS 8
/* top10_entry: new to the top 10s of the periods ending in the year before */
#define YEAR_DAYS 364

/* What a later period needs of an earlier one. */
typedef struct {
    int32_t start, end;
    size_t n;    /* entities with downloads; 0: no market in the period */
    double hhi;  /* x 10000, as omen concentration */
    double hhi1; /* on (0, 1], as the series of omen changes */
    size_t ntop; /* ranked entities remembered */
    uint32_t top[REMEMBERED];
} period;

typedef struct {
    int32_t start, end;
    int kind;
    size_t level; /* index among the watched levels */
    char *entity, *other;
    const char *measure;
    double before, after;
    bool has_before;
    char *sentence;
} alert;

typedef struct {
    alert *a;
    size_t n, cap;
} alert_list;

/* One watched level's pass: periods so far, the shares of this period and the one before by
 * entity id (dense: an entity's share is one load), and the buffers of the HHI. */
typedef struct {
    const omen_query *q; /* the level's query */
    size_t level;
    alert_list *out;
    period *per;
    size_t nper, cap;
    double *cur, *prev;
    uint32_t *cur_ids, *prev_ids;
    size_t ncur, nprev, ids_cap;
    uint64_t *counts, *spare;
    double *sorted, *scratch;
    size_t buf_cap;
} watch;

/* ---------------------------------------------------------------- text */

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = omen_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, again);
    va_end(again);
    return s;
}

static char *copy(const char *s)
{
    return s ? omen_xstrdup(s) : NULL;
}

/* 1938.6 -> "1,939" */
static void thousands(double x, char out[32])
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", fabs(x));
    size_t n = strlen(digits), k = 0;
    if (x < 0 && strcmp(digits, "0") != 0)
        out[k++] = '-';
    for (size_t i = 0; i < n && k < 30; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = 0;
}

/* A share as a percentage, with d decimals. */
static void pct(double x, int d, char out[32])
{
    snprintf(out, 32, "%.*f%%", d, 100.0 * x);
}

/* Decimals for one share: 1, or 2 below 1%. */
static int decimals_of(double x)
{
    return fabs(x) < 0.01 ? 2 : 1;
}

/* Decimals enough to tell x from y apart (and 2 below 1%). */
static int decimals(double x, double y)
{
    int d = fabs(x) < 0.01 && fabs(y) < 0.01 ? 2 : 1;
    char a[32], b[32];
    for (; d < 4; d++) {
        pct(x, d, a);
        pct(y, d, b);
        if (strcmp(a, b) != 0)
            break;
    }
    return d;
}

static const char *level_singular(const omen_query *q)
{
    static const char *const names[] = {"model", "developer", "country", "organisation type"};
    return q->level == OMEN_LEVEL_FIELD ? q->field : names[q->level];
}

static const char *level_plural(const omen_query *q, char buf[96])
{
    static const char *const names[] = {"models", "developers", "countries", "organisation types"};
    if (q->level != OMEN_LEVEL_FIELD)
        return names[q->level];
    snprintf(buf, 96, "%s labels", q->field);
    return buf;
}

/* What a sentence calls an entity: countries and organisation types by their names. */
static void display(const omen_query *q, const char *name, char out[160])
{
    static const char *const special[][2] = {
        {"USER", "unaffiliated users"},
        {"ONLINE", "online organisations"},
        {"INTL", "international organisations"},
        {"UNKNOWN", "developers of unknown country"},
        {"company", "companies"},
        {"university", "universities"},
        {"nonprofit", "nonprofits"},
        {"community", "community organisations"},
        {"government", "governments"},
        {"user", "unaffiliated users"},
        {"unknown", "developers of unknown type"},
    };
    size_t from = q->level == OMEN_LEVEL_COUNTRY ? 0 : 4,
           to = q->level == OMEN_LEVEL_COUNTRY ? 4 : 11;
    if (q->level == OMEN_LEVEL_COUNTRY || q->level == OMEN_LEVEL_ORG_TYPE)
        for (size_t i = from; i < to; i++)
            if (strcmp(name, special[i][0]) == 0) {
                snprintf(out, 160, "%s", special[i][1]);
                return;
            }
    const char *country = q->level == OMEN_LEVEL_COUNTRY ? omen_country_name(name) : NULL;
    if (country) {
        bool the = strncmp(country, "United ", 7) == 0 || strstr(country, "Republic") ||
                   strstr(country, "Islands") || strcmp(country, "Netherlands") == 0 ||
                   strcmp(country, "Philippines") == 0;
        snprintf(out, 160, "%s%s", the ? "the " : "", country);
        return;
    }
    snprintf(out, 160, "%s", name);
}

/* The same at the start of a sentence: a phrase of ours capitalised, a name as it is. */
static void display_first(const omen_query *q, const char *name, char out[160])
{
    display(q, name, out);
    if ((q->level == OMEN_LEVEL_COUNTRY || q->level == OMEN_LEVEL_ORG_TYPE) && out[0] >= 'a' &&
        out[0] <= 'z' && strcmp(out, name) != 0)
        out[0] = (char)(out[0] - 'a' + 'A');
}

/* The day that names a period: its first, or for a sliding window (whose periods share their
 * first day at the start of the range) the Monday of its last week. */
static int32_t anchor(const omen_query *q, int32_t start, int32_t end)
{
    bool sliding = q->window == OMEN_WINDOW_TRAILING52 || q->window == OMEN_WINDOW_CUMULATIVE;
    return sliding ? end - 6 : start;
}

/* "the week of 2025-06-23", "the 52 weeks to 2025-06-29", ... */
static void period_text(const omen_query *q, int32_t start, int32_t end, char out[64])
{
    char s[11], e[11];
    omen_date_format(start, s);
    omen_date_format(end, e);
    switch (q->window) {
    case OMEN_WINDOW_WEEK:
        snprintf(out, 64, "the week of %s", s);
        break;
    case OMEN_WINDOW_MONTH:
        snprintf(out, 64, "the month %.7s", s);
        break;
    case OMEN_WINDOW_QUARTER:
        snprintf(out, 64, "the quarter from %s", s);
        break;
    case OMEN_WINDOW_YEAR:
        snprintf(out, 64, "the year %.4s", s);
        break;
    case OMEN_WINDOW_TRAILING52:
        snprintf(out, 64, "the 52 weeks to %s", e);
        break;
    case OMEN_WINDOW_CUMULATIVE:
        snprintf(out, 64, "all weeks to %s", e);
        break;
    }
}

static const char *before_text(const omen_query *q)
{
    static const char *const names[] = {"the week before", "the month before", "the quarter before",
                                        "the year before", "a week earlier",   "a week earlier"};
    return names[q->window];
}

/* ---------------------------------------------------------------- collecting */

static alert *add_alert(watch *w, const period *c, int kind)
{
    alert_list *l = w->out;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->a = omen_xrealloc(l->a, l->cap * sizeof *l->a);
    }
    alert *a = &l->a[l->n++];
    memset(a, 0, sizeof *a);
    a->start = c->start;
    a->end = c->end;
    a->kind = kind;
    a->level = w->level;
    return a;
}

static void free_alert(alert *a)
{
    free(a->entity);
    free(a->other);
    free(a->sentence);
}

/* ---------------------------------------------------------------- the measures of a period */

static void grow(watch *w, size_t n)
{
    if (n <= w->buf_cap)
        return;
    w->buf_cap = n;
    w->counts = omen_xrealloc(w->counts, n * sizeof *w->counts);
    w->spare = omen_xrealloc(w->spare, n * sizeof *w->spare);
    w->sorted = omen_xrealloc(w->sorted, n * sizeof *w->sorted);
    w->scratch = omen_xrealloc(w->scratch, n * sizeof *w->scratch);
}

/* The HHI by the engine's own path (whole counts exactly, else compensated sums), so that
 * bands and rises are those of `omen concentration` to the bit. */
static double measure_hhi(watch *w, const double *amounts, size_t n)
{
    omen_measures m;
    if (n == 0)
        return 0;
    grow(w, n);
    bool whole = true;
    uint64_t total = 0;
    for (size_t i = 0; i < n && whole; i++) {
        double x = amounts[i];
        whole = x == floor(x) && x < 9007199254740992.0;
        if (whole) {
            w->counts[i] = (uint64_t)x;
            total += w->counts[i];
        }
    }
    if (whole && total < 9007199254740992ull) {
        omen_metrics_measure_counts(w->counts, w->spare, n, total, w->q->cuts, w->q->ncuts, false,
                                    &m);
    } else {
        omen_metrics_sort_copy(amounts, w->sorted, n, w->scratch);
        omen_metrics_compute_ex(w->sorted, n, w->q->cuts, w->q->ncuts, false, &m);
    }
    return m.hhi;
}

/* ---------------------------------------------------------------- the rules */

static const char *band_phrase(const char *band)
{
    return strcmp(band, "highly") == 0       ? "highly concentrated"
           : strcmp(band, "moderately") == 0 ? "moderately concentrated"
                                             : "unconcentrated";
}

static const char *band_bounds(const char *band)
{
    return strcmp(band, "highly") == 0       ? "above 1,800"
           : strcmp(band, "moderately") == 0 ? "from 1,000 to 1,800"
                                             : "below 1,000";
}

static void rule_bands(watch *w, size_t k)
{
    const period *c = &w->per[k], *b = &w->per[k - 1];
    if (!c->n || !b->n)
        return;
    const omen_query *q = w->q;
    char when[64], now[32], was[32];
    period_text(q, c->start, c->end, when);
    thousands(c->hhi, now);
    thousands(b->hhi, was);
    const char *band = omen_metrics_merger_band(c->hhi), *old = omen_metrics_merger_band(b->hhi);
    bool held = strcmp(band, old) != 0;
    for (size_t j = 2; held && j <= w->q->hold && j <= k; j++)
        held = w->per[k - j].n && strcmp(omen_metrics_merger_band(w->per[k - j].hhi), old) == 0;
    if (held) {
        alert *a = add_alert(w, c, KIND_BAND);
        a->measure = "hhi_10000";
        a->before = b->hhi;
        a->after = c->hhi;
        a->has_before = true;
        a->sentence = format("Downloads by %s went from %s to %s in %s: HHI %s, from %s %s "
                             "(2023 Merger Guidelines: %s %s, %s %s).",
                             level_singular(q), band_phrase(old), band_phrase(band), when, now, was,
                             before_text(q), band_phrase(old), band_bounds(old), band_phrase(band),
                             band_bounds(band));
    }
    double rise = c->hhi - b->hhi;
    if (rise > OMEN_MERGER_SIGNIFICANT_RISE) {
        char by[32];
        thousands(rise, by);
        alert *a = add_alert(w, c, KIND_RISE);
        a->measure = "hhi_10000";
        a->before = b->hhi;
        a->after = c->hhi;
        a->has_before = true;
        a->sentence =
            format("Downloads by %s grew more concentrated in %s: HHI up %s points to "
                   "%s from %s %s, more than the 100 points the 2023 Merger Guidelines "
                   "call a significant increase (%s).",
                   level_singular(q), when, by, now, was, before_text(q), band_phrase(band));
    }
}

/* Position of entity e among a period's remembered ranks; REMEMBERED when not among them. */
static size_t position(const period *p, uint32_t e)
{
    for (size_t i = 0; i < p->ntop; i++)
        if (p->top[i] == e)
            return i;
    return REMEMBERED;
}

/* The exact rank of e in the previous period (0 when it had no downloads): 1 + the entities
 * with a larger share, or an equal one and a smaller name (the rankings' tie rule). */
static size_t previous_rank(const watch *w, const omen_agg *a, uint32_t e)
{
    double s = w->prev[e];
    if (s <= 0)
        return 0;
    size_t rank = 1;
    for (size_t i = 0; i < w->nprev; i++) {
        uint32_t o = w->prev_ids[i];
        double x = w->prev[o];
        rank += x > s || (x == s && o != e && strcmp(a->names[o], a->names[e]) < 0);
    }
    return rank;
}

static void rule_top10(watch *w, const omen_agg *ag, size_t k)
{
    const period *c = &w->per[k];
    const omen_query *q = w->q;
    if (c->n <= TOP || !w->per[k - 1].n)
        return;
    for (size_t i = 0; i < TOP && i < c->ntop; i++) {
        uint32_t e = c->top[i];
        bool fresh = true; /* in no top 10 of the year before */
        for (size_t j = 1; fresh && j <= k && w->per[k - j].end >= c->end - YEAR_DAYS; j++)
            fresh = position(&w->per[k - j], e) >= TOP;
        if (!fresh)
            continue;
        size_t was = previous_rank(w, ag, e);
        char name[160], when[64], share[32], plural[96], before[64];
        display_first(q, ag->names[e], name);
        period_text(q, c->start, c->end, when);
        pct(w->cur[e], decimals_of(w->cur[e]), share);
        if (was)
            snprintf(before, sizeof before, "rank %zu %s", was, before_text(q));
        else
            snprintf(before, sizeof before, "no downloads %s", before_text(q));
        alert *a = add_alert(w, c, KIND_TOP10);
        a->entity = copy(ag->names[e]);
        a->measure = "rank";
        a->before = (double)was;
        a->has_before = was > 0;
        a->after = (double)(i + 1);
        a->sentence = format("%s entered the top %d %s at rank %zu in %s, with %s of downloads "
                             "(%s).",
                             name, TOP, level_plural(q, plural), i + 1, when, share, before);
    }
}

/* Whether x ranked above y in a period, by the remembered ranks: x among them and y below it
 * or not among them. */
static bool ranked_above(const period *p, uint32_t x, uint32_t y)
{
    size_t px = position(p, x);
    return px < REMEMBERED && px < position(p, y);
}

static void rule_overtaking(watch *w, const omen_agg *ag, size_t k)
{
    const period *c = &w->per[k];
    const omen_query *q = w->q;
    if (!w->per[k - 1].n)
        return;
    size_t lead = c->ntop < LEADERS ? c->ntop : LEADERS;
    for (size_t i = 0; i < lead; i++)
        for (size_t j = i + 1; j < lead; j++) {
            uint32_t x = c->top[i], y = c->top[j];
            if (!(w->cur[x] > w->cur[y]))
                continue; /* a tie broken by name is no overtaking */
            bool held = true;
            for (size_t t = 1; held && t <= q->hold && t <= k; t++)
                held = ranked_above(&w->per[k - t], y, x);
            if (!held)
                continue;
            char nx[160], ny[160], when[64], sx[32], sy[32], px[32], py[32];
            display_first(q, ag->names[x], nx);
            display(q, ag->names[y], ny);
            period_text(q, c->start, c->end, when);
            int d = decimals(w->cur[x], w->cur[y]), e = decimals(w->prev[x], w->prev[y]);
            pct(w->cur[x], d, sx);
            pct(w->cur[y], d, sy);
            pct(w->prev[x], e, px);
            pct(w->prev[y], e, py);
            alert *a = add_alert(w, c, KIND_OVERTAKE);
            a->entity = copy(ag->names[x]);
            a->other = copy(ag->names[y]);
            a->measure = "share";
            a->before = w->prev[x];
            a->after = w->cur[x];
            a->has_before = true;
            a->sentence = format("%s passed %s in downloads by %s in %s: %s against %s (%s "
                                 "against %s %s).",
                                 nx, ny, level_singular(q), when, sx, sy, px, py, before_text(q));
        }
}

static void jump_alert(watch *w, const omen_agg *ag, size_t k, uint32_t e)
{
    const period *c = &w->per[k];
    const omen_query *q = w->q;
    double was = w->prev[e], now = w->cur[e], d = now - was;
    char name[160], when[64], sn[32], sw[32];
    display_first(q, ag->names[e], name);
    period_text(q, c->start, c->end, when);
    int dec = decimals(now, was);
    pct(now, dec, sn);
    pct(was, dec, sw);
    alert *a = add_alert(w, c, KIND_JUMP);
    a->entity = copy(ag->names[e]);
    a->measure = "share";
    a->before = was;
    a->after = now;
    a->has_before = true;
    size_t len = strlen(name);
    a->sentence = format("%s'%s share of downloads by %s %s %.1f percentage points to %s in %s "
                         "(%s %s).",
                         name, len && name[len - 1] == 's' ? "" : "s", level_singular(q),
                         d > 0 ? "rose" : "fell", 100.0 * fabs(d), sn, when, sw, before_text(q));
}

/* "At least X": a change planted as exactly X counts, whatever the rounding of the shares. */
static bool jumped(const watch *w, uint32_t e)
{
    return fabs(w->cur[e] - w->prev[e]) >= w->q->jump * (1 - 1e-9);
}

static void rule_jumps(watch *w, const omen_agg *ag, size_t k)
{
    if (!w->per[k].n || !w->per[k - 1].n)
        return;
    for (size_t i = 0; i < w->ncur; i++)
        if (jumped(w, w->cur_ids[i]))
            jump_alert(w, ag, k, w->cur_ids[i]);
    for (size_t i = 0; i < w->nprev; i++) /* gone: no downloads in this period */
        if (w->cur[w->prev_ids[i]] == 0 && jumped(w, w->prev_ids[i]))
            jump_alert(w, ag, k, w->prev_ids[i]);
}

/* ---------------------------------------------------------------- change points */

/* The HHI series of omen changes (the periods with downloads), PELT's breaks for each prefix
 * (computed once), for the change points of a level after its pass. */
typedef struct {
    double *y;         /* the series */
    size_t *upto;      /* period k -> values in periods up to k */
    size_t *period_of; /* series index -> period */
    size_t **breaks;   /* period k -> the breaks of the series up to k (series indexes) */
    size_t *nbreaks;
    bool *done;
    bool *confirmed; /* series index -> a change point there was confirmed */
    size_t *ends;    /* PELT's scratch */
} series;

static void series_build(const watch *w, series *s)
{
    size_t n = w->nper ? w->nper : 1;
    s->y = omen_xmalloc(n * sizeof *s->y);
    s->upto = omen_xmalloc(n * sizeof *s->upto);
    s->period_of = omen_xmalloc(n * sizeof *s->period_of);
    s->breaks = omen_xcalloc(n, sizeof *s->breaks);
    s->nbreaks = omen_xcalloc(n, sizeof *s->nbreaks);
    s->done = omen_xcalloc(n, sizeof *s->done);
    s->confirmed = omen_xcalloc(n, sizeof *s->confirmed);
    s->ends = omen_xmalloc((n + 2) * sizeof *s->ends);
    size_t m = 0;
    for (size_t k = 0; k < w->nper; k++) {
        if (w->per[k].n) {
            s->period_of[m] = k;
            s->y[m++] = w->per[k].hhi1;
        }
        s->upto[k] = m;
    }
}

static void series_free(watch *w, series *s)
{
    for (size_t k = 0; k < w->nper; k++)
        free(s->breaks[k]);
    free(s->y), free(s->upto), free(s->period_of), free(s->breaks), free(s->nbreaks);
    free(s->done), free(s->confirmed), free(s->ends);
}

/* The breaks (the series index where a segment starts, but the first) of the series up to
 * period k, exactly as `omen changes --to <period k>` finds them: PELT with the penalty
 * beta sigma^2, beta = 2 ln n (--penalty bic) or --penalty, sigma from the weekly differences,
 * segments of at least --min-segment values. */
static const size_t *breaks_upto(const watch *w, series *s, size_t k, size_t *nb)
{
    if (!s->done[k]) {
        const omen_query *q = w->q;
        size_t n = s->upto[k], minseg = q->min_segment ? q->min_segment : 1, count = 0;
        double sigma = omen_stats_diff_sigma(s->y, n, NULL);
        double beta = q->penalty_bic ? (n > 1 ? 2.0 * log((double)n) : 0) : q->penalty;
        if (sigma > 0)
            count = omen_stats_pelt(s->y, n, beta * sigma * sigma, minseg, s->ends, NULL);
        s->nbreaks[k] = count ? count - 1 : 0;
        s->breaks[k] = omen_xmalloc((count ? count : 1) * sizeof *s->breaks[k]);
        memcpy(s->breaks[k], s->ends, s->nbreaks[k] * sizeof *s->ends);
        s->done[k] = true;
    }
    *nb = s->nbreaks[k];
    return s->breaks[k];
}

static double mean_of(const double *y, size_t from, size_t to)
{
    long double sum = 0; /* as omen changes averages a segment */
    for (size_t i = from; i < to; i++)
        sum += y[i];
    return to > from ? (double)(sum / (long double)(to - from)) : 0;
}

static bool has_break(const size_t *b, size_t n, size_t x)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] == x)
            return true;
    return false;
}

/* A break of the series up to period k is confirmed in k when the segmentation up to the
 * period before has it too, at the same value (the newest data no longer move it), every
 * break of the --hold segmentations before those two lies before it (it is new, and no old
 * break that a revision of the segmentation brought back), and no period before k confirmed it
 * (a break revised away and back is confirmed once). Run on every period from the first, so
 * that the last rule holds however late --since is; report: k is a period reported. When a series
 * steps, the first segmentations cannot start a segment there yet (it would be shorter than
 * --min-segment), so a break first shows up earlier and moves with each new period until the new
 * level fills a minimum segment: a break seen once is provisional. */
static void rule_changes(watch *w, series *s, size_t k, bool report)
{
    const omen_query *q = w->q;
    const period *c = &w->per[k];
    if (k == 0 || !c->n)
        return;
    size_t nb, np;
    const size_t *b = breaks_upto(w, s, k, &nb);
    for (size_t i = 0; i < nb; i++) {
        const size_t *pb = breaks_upto(w, s, k - 1, &np);
        bool confirmed = has_break(pb, np, b[i]);
        for (size_t j = 2; confirmed && j <= q->hold + 1 && j <= k; j++) {
            pb = breaks_upto(w, s, k - j, &np);
            confirmed = np == 0 || pb[np - 1] < b[i];
        }
        if (!confirmed || s->confirmed[b[i]])
            continue;
        s->confirmed[b[i]] = true; /* a break is confirmed once, even if revised away and back */
        if (!report)
            continue;
        size_t from = i ? b[i - 1] : 0, to = i + 1 < nb ? b[i + 1] : s->upto[k];
        double before = mean_of(s->y, from, b[i]) * 10000.0;
        double after = mean_of(s->y, b[i], to) * 10000.0;
        const period *at = &w->per[s->period_of[b[i]]];
        char when[64], since[64], now[32], was[32], day[11];
        period_text(q, c->start, c->end, when);
        period_text(q, at->start, at->end, since);
        thousands(after, now);
        thousands(before, was);
        omen_date_format(anchor(q, at->start, at->end), day);
        alert *a = add_alert(w, c, KIND_CHANGE);
        a->other = copy(day);
        a->measure = "hhi_10000";
        a->before = before;
        a->after = after;
        a->has_before = true;
        a->sentence = format("The concentration of downloads by %s changed level from %s on, a "
                             "change point that the data up to %s confirm: HHI %s on average "
                             "since, against %s before (PELT on the HHI of each %s, as omen "
                             "changes finds it).",
                             level_singular(q), since, when, now, was, omen_window_name(q->window));
    }
}

/* ---------------------------------------------------------------- the pass */

static bool on_period(void *ctx, const omen_agg *ag, int32_t start, int32_t end,
                      const uint32_t *ids, const double *amounts, size_t n)
{
    watch *w = ctx;
    if (n == 0) /* no market (a gap in the data): the next period is compared with the last one
                   that had downloads, as omen concentration's hhi_change_10000 */
        return true;
    if (!w->cur) {
        size_t ne = ag->nentities ? ag->nentities : 1;
        w->cur = omen_xcalloc(ne, sizeof *w->cur);
        w->prev = omen_xcalloc(ne, sizeof *w->prev);
    }
    if (n > w->ids_cap) {
        w->ids_cap = n;
        w->cur_ids = omen_xrealloc(w->cur_ids, n * sizeof *w->cur_ids);
        w->prev_ids = omen_xrealloc(w->prev_ids, n * sizeof *w->prev_ids);
    }
    if (w->nper == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 64;
        w->per = omen_xrealloc(w->per, w->cap * sizeof *w->per);
    }
    period *c = &w->per[w->nper];
    memset(c, 0, sizeof *c);
    c->start = start;
    c->end = end;
    c->n = n;
    double total = 0, rest = 0;
    omen_ranked *r = omen_rank_top(ag, ids, amounts, n, REMEMBERED, &total, &rest);
    c->ntop = n < REMEMBERED ? n : REMEMBERED;
    for (size_t i = 0; i < c->ntop; i++)
        c->top[i] = r[i].id;
    free(r);
    c->hhi1 = measure_hhi(w, amounts, n);
    c->hhi = c->hhi1 * 10000.0;
    for (size_t i = 0; i < n; i++) {
        w->cur[ids[i]] = total > 0 ? amounts[i] / total : 0;
        w->cur_ids[i] = ids[i];
    }
    w->ncur = n;
    size_t k = w->nper++;
    if (k > 0) {
        rule_bands(w, k);
        rule_overtaking(w, ag, k);
        rule_top10(w, ag, k);
        rule_jumps(w, ag, k);
    }
    for (size_t i = 0; i < w->nprev; i++) /* the period before is forgotten */
        w->prev[w->prev_ids[i]] = 0;
    double *t = w->prev;
    w->prev = w->cur;
    w->cur = t;
    uint32_t *ti = w->prev_ids;
    w->prev_ids = w->cur_ids;
    w->cur_ids = ti;
    w->nprev = w->ncur;
    w->ncur = 0;
    return true;
}

static void watch_free(watch *w)
{
    free(w->per);
    free(w->cur);
    free(w->prev);
    free(w->cur_ids);
    free(w->prev_ids);
    free(w->counts);
    free(w->spare);
    free(w->sorted);
    free(w->scratch);
}

/* ---------------------------------------------------------------- the table */

/* The dashboard's view of an alert (web/app.js keeps its state in the URL's hash): the
 * market-share areas for an entity at the developer or country level, the concentration charts
 * for a market, the organisation types, or the characteristics of a field; the year up to the
 * alert's period, with the filters of the query. */
static char *view_of(const omen_query *q, const alert *a)
{
    char from[11], to[11], extra[160] = "";
    int32_t at = anchor(q, a->start, a->end);
    omen_date_format(at - 364, from);
    omen_date_format(at, to);
    const char *view;
    bool entity = a->entity != NULL;
    switch (q->level) {
    case OMEN_LEVEL_MODEL:
        view = entity ? "overview" : "concentration";
        break;
    case OMEN_LEVEL_DEVELOPER:
    case OMEN_LEVEL_COUNTRY:
        view = entity ? "shares" : "concentration";
        break;
    case OMEN_LEVEL_ORG_TYPE:
        view = "orgs";
        break;
    default:
        view = "characteristics";
        snprintf(extra, sizeof extra, "&field=%s", q->field);
        break;
    }
    size_t n = strlen(extra);
    if (q->rolling_days == 0)
        n += (size_t)snprintf(extra + n, sizeof extra - n, "&rolling=off");
    if (q->attribution == OMEN_ATTRIBUTION_RECURSIVE)
        n += (size_t)snprintf(extra + n, sizeof extra - n, "&attribution=recursive");
    if (q->population_min != 200)
        snprintf(extra + n, sizeof extra - n, "&popmin=%llu",
                 (unsigned long long)q->population_min);
    return format("#view=%s&window=%s&from=%s&to=%s%s", view, omen_window_name(q->window), from, to,
                  extra);
}

static int cmp_alert(const void *x, const void *y)
{
    const alert *a = x, *b = y;
    if (a->end != b->end) /* sliding windows' periods share starts, never ends */
        return a->end < b->end ? -1 : 1;
    if (a->level != b->level)
        return a->level < b->level ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcmp(a->entity ? a->entity : "", b->entity ? b->entity : "");
    return c ? c : strcmp(a->other ? a->other : "", b->other ? b->other : "");
}

static void add_columns(omen_table *t)
{
    static const char *const cols[] = {"period_start", "period_end", "kind",    "level",
                                       "entity",       "other",      "measure", "before",
                                       "after",        "sentence",   "view"};
    static const omen_col_type types[] = {
        OMEN_COL_DATE, OMEN_COL_DATE, OMEN_COL_TEXT, OMEN_COL_TEXT, OMEN_COL_TEXT, OMEN_COL_TEXT,
        OMEN_COL_TEXT, OMEN_COL_REAL, OMEN_COL_REAL, OMEN_COL_TEXT, OMEN_COL_TEXT};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        omen_table_add_column(t, cols[i], types[i]);
}

/* The settings that change the numbers, when they are not the defaults: they tell one feed
 * (and its entries' ids) from another's on the same store ("" for the defaults). */
static void settings_key(const omen_query *q, char out[256])
{
    omen_query d;
    omen_query_defaults(&d);
    size_t n = 0;
    out[0] = 0;
#define KEY(...) n += (size_t)snprintf(out + n, 256 - n, __VA_ARGS__)
    if (q->window != d.window)
        KEY("%swindow=%s", n ? ";" : "", omen_window_name(q->window));
    if (q->sample != d.sample)
        KEY("%ssample=%s", n ? ";" : "", omen_sample_name(q->sample));
    if (q->sample == OMEN_SAMPLE_HEAD && q->head_k != d.head_k)
        KEY("%shead-k=%u", n ? ";" : "", q->head_k);
    if (q->population_min != d.population_min)
        KEY("%spopulation-min=%llu", n ? ";" : "", (unsigned long long)q->population_min);
    if (q->rolling_days != d.rolling_days) {
        if (q->rolling_days)
            KEY("%srolling=%d", n ? ";" : "", q->rolling_days);
        else
            KEY("%srolling=off", n ? ";" : "");
    }
    if (q->attribution != d.attribution)
        KEY("%sattribution=recursive", n ? ";" : "");
    if (q->attribution == OMEN_ATTRIBUTION_RECURSIVE && q->merge_policy != d.merge_policy)
        KEY("%smerge-policy=split", n ? ";" : "");
    if (q->from != d.from) {
        char f[11];
        omen_date_format(q->from, f);
        KEY("%sfrom=%s", n ? ";" : "", f);
    }
#undef KEY
}

static void write_meta(omen_table *t, const omen_query *q, int32_t newest)
{
    char d[11], key[256];
    omen_table_meta_text(t, "level", q->levels);
    if (q->since != INT32_MIN) {
        omen_date_format(q->since, d);
        omen_table_meta_text(t, "since", d);
    } else {
        omen_table_meta_text(t, "since", "the newest period");
    }
    if (newest != INT32_MIN) {
        omen_date_format(newest, d);
        omen_table_meta_text(t, "newest_end", d); /* the last day of the newest period */
    }
    omen_table_meta_int(t, "hold", q->hold);
    omen_table_meta_real(t, "jump", q->jump);
    omen_table_meta_real(t, "hhi_rise_points", OMEN_MERGER_SIGNIFICANT_RISE);
    omen_table_meta_int(t, "top", TOP);
    omen_table_meta_int(t, "overtaking_among", LEADERS);
    omen_table_meta_int(t, "ranks_remembered", REMEMBERED);
    if (q->penalty_bic)
        omen_table_meta_text(t, "penalty", "bic: 2 ln n");
    else
        omen_table_meta_real(t, "penalty", q->penalty);
    omen_table_meta_int(t, "min_segment", q->min_segment ? q->min_segment : 1);
    settings_key(q, key);
    omen_table_meta_text(t, "settings", key);
    if (q->link[0])
        omen_table_meta_text(t, "link", q->link);
}

static void to_table(omen_table *t, const omen_query *levels, alert_list *l, const omen_query *q,
                     int32_t newest)
{
    qsort(l->a, l->n, sizeof *l->a, cmp_alert);
    for (size_t i = 0; i < l->n; i++) {
        alert *a = &l->a[i];
        bool keep = q->since != INT32_MIN ? a->end >= q->since : a->end == newest;
        if (!keep)
            continue;
        const omen_query *lq = &levels[a->level];
        size_t r = omen_table_add_row(t);
        omen_table_set_date(t, r, 0, a->start);
        omen_table_set_date(t, r, 1, a->end);
        omen_table_set_text(t, r, 2, kind_names[a->kind]);
        omen_table_set_text(t, r, 3, omen_level_name(lq));
        if (a->entity)
            omen_table_set_text(t, r, 4, a->entity);
        if (a->other)
            omen_table_set_text(t, r, 5, a->other);
        omen_table_set_text(t, r, 6, a->measure);
        if (a->has_before)
            omen_table_set_real(t, r, 7, a->before);
        omen_table_set_real(t, r, 8, a->after);
        omen_table_set_text(t, r, 9, a->sentence);
        char *view = view_of(lq, a);
        omen_table_set_text(t, r, 10, view);
        free(view);
    }
}

/* The watched levels as queries: each is the query with --level set to one of --levels. */
static omen_status level_queries(const omen_query *q, omen_query *out, size_t *n, omen_error *err)
{
    *n = 0;
    for (const char *p = q->levels; *p && *n < MAX_LEVELS;) {
        size_t len = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        out[*n] = *q;
        omen_status s = omen_query_set(&out[*n], "level", name, err);
        if (s != OMEN_OK)
            return s;
        (*n)++;
        p += len + (p[len] == ',');
    }
    if (*n == 0)
        return omen_error_set(err, OMEN_E_USAGE, "--levels: no level to watch");
    return OMEN_OK;
}

omen_status omen_alerts(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err)
{
    omen_query levels[MAX_LEVELS];
    size_t nlevels;
    omen_status s = level_queries(q, levels, &nlevels, err);
    if (s != OMEN_OK)
        return s;
    omen_table *t = omen_table_new("alerts");
    add_columns(t);
    alert_list list = {0};
    int32_t newest = INT32_MIN;
    for (size_t i = 0; i < nlevels && s == OMEN_OK; i++) {
        watch w = {.q = &levels[i], .level = i, .out = &list};
        omen_agg agg;
        s = omen_aggregate(p, &levels[i], false, on_period, &w, &agg, err);
        if (s == OMEN_OK && i == 0)
            omen_query_to_meta(p, &levels[i], &agg, t);
        if (s == OMEN_OK && w.nper) { /* change points, from the start: each break once */
            series ser;
            series_build(&w, &ser);
            for (size_t k = 0; k < w.nper; k++)
                rule_changes(&w, &ser, k,
                             q->since != INT32_MIN ? w.per[k].end >= q->since : k + 1 == w.nper);
            series_free(&w, &ser);
        }
        if (s == OMEN_OK && w.nper && w.per[w.nper - 1].end > newest)
            newest = w.per[w.nper - 1].end;
        omen_agg_free(&agg);
        watch_free(&w);
    }
    if (s == OMEN_OK) {
        write_meta(t, q, newest);
        to_table(t, levels, &list, q, newest);
    }
    for (size_t i = 0; i < list.n; i++)
        free_alert(&list.a[i]);
    free(list.a);
    if (s != OMEN_OK) {
        omen_table_free(t);
        return s;
    }
    *out = t;
    return OMEN_OK;
}
