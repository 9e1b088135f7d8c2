/* query.c: the query options as one table (name, argument, default, help, the analyses that
 * read each, and its parser), from which come omen_query_defaults, omen_query_set, every
 * analysis command's --help, the server's parameter check and /api/meta's defaults. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "engine.h"

/* Whether `name` is one of the comma-separated `names`. */
static bool named(const char *names, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = names; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

static omen_status bad(omen_error *err, const char *name, const char *value, const char *allowed)
{
    return omen_error_set(err, OMEN_E_USAGE, "--%s: '%s' is not valid; allowed: %s", name,
                          value ? value : "", allowed);
}

static bool pick(const char *value, const char *const *names, int *out)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(value, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

static omen_status set_level(omen_query *q, const char *v, omen_error *err)
{
    static const char *const levels[] = {"model", "developer", "country", "org_type", NULL};
    int k;
    if (pick(v, levels, &k)) {
        q->level = (omen_level)k;
        return OMEN_OK;
    }
    if (strcmp(v, "org-type") == 0) {
        q->level = OMEN_LEVEL_ORG_TYPE;
        return OMEN_OK;
    }
    if (omen_taxonomy_field_find(v, strlen(v)) && strlen(v) < sizeof q->field) {
        q->level = OMEN_LEVEL_FIELD;
        snprintf(q->field, sizeof q->field, "%s", omen_taxonomy_field_find(v, strlen(v))->name);
        return OMEN_OK;
    }
    return bad(err, "level", v,
               "model, developer, country, org_type, or an annotation field (gating, "
               "input_modality, output_modality, languages, derivation, architecture, "
               "training_methods, training_data, license_class)");
}

static omen_status set_segments(omen_query *q, const char *v, omen_error *err)
{
    uint32_t cuts[OMEN_MAX_SEGMENT_CUTS];
    size_t n = 0;
    const char *p = v;
    while (p && *p) {
        char buf[32];
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        uint64_t x;
        if (len == 0 || len >= sizeof buf || n == OMEN_MAX_SEGMENT_CUTS)
            return bad(err, "segments", v, "up to 8 increasing positive ranks, e.g. 1,10,100,1000");
        memcpy(buf, p, len);
        buf[len] = 0;
        if (!parse_u64(buf, 100000000, &x) || x == 0 || (n && x <= cuts[n - 1]))
            return bad(err, "segments", v, "up to 8 increasing positive ranks, e.g. 1,10,100,1000");
        cuts[n++] = (uint32_t)x;
        p = comma ? comma + 1 : NULL;
    }
    if (n == 0)
        return bad(err, "segments", v, "up to 8 increasing positive ranks, e.g. 1,10,100,1000");
    memcpy(q->cuts, cuts, n * sizeof *cuts);
    q->ncuts = n;
    return OMEN_OK;
}

/* Years that start a segment: 2023,2024,2025 make <=2022, 2023, 2024, >=2025. */
static omen_status set_year_cuts(omen_query *q, const char *v, omen_error *err)
{
    static const char *const allowed =
        "up to 8 increasing years from 1900 to 2999, e.g. 2023,2024,2025";
    int32_t years[OMEN_MAX_SEGMENT_CUTS];
    size_t n = 0;
    const char *p = v;
    while (p && *p) {
        char buf[16];
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        uint64_t x;
        if (len == 0 || len >= sizeof buf || n == OMEN_MAX_SEGMENT_CUTS)
            return bad(err, "cuts", v, allowed);
        memcpy(buf, p, len);
        buf[len] = 0;
        if (!parse_u64(buf, 2999, &x) || x < 1900 || (n && (int32_t)x <= years[n - 1]))
            return bad(err, "cuts", v, allowed);
        years[n++] = (int32_t)x;
        p = comma ? comma + 1 : NULL;
    }
    if (n == 0)
        return bad(err, "cuts", v, allowed);
    memcpy(q->year_cuts, years, n * sizeof *years);
    q->nyear_cuts = n;
    return OMEN_OK;
}

/* An annotation field, or one of the derived fields of the characteristics analyses. */
static omen_status set_field(omen_query *q, const char *v, omen_error *err)
{
    const omen_taxonomy_field *f = omen_taxonomy_field_find(v, strlen(v));
    const char *name = f                                                          ? f->name
                       : strcmp(v, "org_type") == 0 || strcmp(v, "org-type") == 0 ? "org_type"
                       : strcmp(v, "modality") == 0                               ? "modality"
                                                                                  : NULL;
    if (!name)
        return bad(err, "field", v,
                   "org_type, modality, gating, input_modality, output_modality, languages, "
                   "derivation, architecture, training_methods, training_data, license_class");
    snprintf(q->field, sizeof q->field, "%s", name);
    return OMEN_OK;
}

static omen_status set_alpha(omen_query *q, const char *v, omen_error *err)
{
    char *end = NULL;
    errno = 0;
    double x = v ? strtod(v, &end) : 0;
    if (!v || !*v || errno || *end || !(x > 0 && x <= 1))
        return bad(err, "alpha", v, "a number in (0, 1], e.g. 0.001");
    q->alpha = x;
    return OMEN_OK;
}

static omen_status set_date(int32_t *out, const char *name, const char *v, omen_error *err)
{
    if (!v || !omen_date_parse(v, strlen(v), out))
        return bad(err, name, v, "a date YYYY-MM-DD (or YYYY-Www)");
    return OMEN_OK;
}

/* ---------------------------------------------------------------- one setter per option */

static omen_status set_sample(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"population", "head", "all", NULL};
    int k;
    if (!pick(v, names, &k))
        return bad(err, "sample", v, "population, head, all");
    q->sample = (omen_sample)k;
    q->sample_given = true;
    return OMEN_OK;
}

static omen_status set_population_min(omen_query *q, const char *v, omen_error *err)
{
    if (!parse_u64(v, UINT64_MAX / 2, &q->population_min))
        return bad(err, "population-min", v, "a whole number >= 0");
    return OMEN_OK;
}

static omen_status set_head_k(omen_query *q, const char *v, omen_error *err)
{
    uint64_t x;
    if (!parse_u64(v, 1000000, &x) || x == 0)
        return bad(err, "head-k", v, "a whole number from 1 to 1000000");
    q->head_k = (uint32_t)x;
    return OMEN_OK;
}

static omen_status set_rolling(omen_query *q, const char *v, omen_error *err)
{
    uint64_t x;
    if (!parse_u64(v, 100000, &x) || x == 0)
        return bad(err, "rolling", v, "a number of days from 1 to 100000 (or --no-rolling)");
    q->rolling_days = (int32_t)x;
    return OMEN_OK;
}

static omen_status set_no_rolling(omen_query *q, const char *v, omen_error *err)
{
    (void)v, (void)err;
    q->rolling_days = 0;
    return OMEN_OK;
}

static omen_status set_attribution(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"direct", "recursive", NULL};
    int k;
    if (!pick(v, names, &k))
        return bad(err, "attribution", v, "direct, recursive");
    q->attribution = (omen_attribution)k;
    return OMEN_OK;
}

static omen_status set_merge_policy(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"first", "split", NULL};
    int k;
    if (!pick(v, names, &k))
        return bad(err, "merge-policy", v, "first, split");
    q->merge_policy = (omen_merge_policy)k;
    return OMEN_OK;
}

static omen_status set_window(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"week",       "month",      "quarter", "year",
                                        "trailing52", "cumulative", NULL};
    int k;
    if (!pick(v, names, &k))
        return bad(err, "window", v, "week, month, quarter, year, trailing52, cumulative");
    q->window = (omen_window)k;
    q->window_given = true;
    return OMEN_OK;
}

static omen_status set_from(omen_query *q, const char *v, omen_error *err)
{
    return set_date(&q->from, "from", v, err);
}

static omen_status set_to(omen_query *q, const char *v, omen_error *err)
{
    return set_date(&q->to, "to", v, err);
}

static omen_status set_top(omen_query *q, const char *v, omen_error *err)
{
    uint64_t x;
    if (!parse_u64(v, 1000000, &x) || x == 0)
        return bad(err, "top", v, "a whole number from 1 to 1000000");
    q->top = (uint32_t)x;
    return OMEN_OK;
}

static omen_status set_period(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"all", "last-year", NULL};
    int k;
    if (!pick(v, names, &k))
        return bad(err, "period", v, "all, last-year");
    q->last_year = k == 1;
    return OMEN_OK;
}

static omen_status set_points(omen_query *q, const char *v, omen_error *err)
{
    uint64_t x;
    if (!parse_u64(v, 100000, &x) || x < 2)
        return bad(err, "points", v, "a whole number from 2 to 100000");
    q->points = (uint32_t)x;
    return OMEN_OK;
}

static omen_status set_entropy(omen_query *q, const char *v, omen_error *err)
{
    (void)v, (void)err;
    q->entropy = true;
    return OMEN_OK;
}

static omen_status set_by(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"download-year", "creation-year", "download-segment",
                                        "creation-segment", NULL};
    int k;
    if (!pick(v, names, &k))
        return bad(err, "by", v,
                   "download-year, creation-year, download-segment, creation-segment");
    q->by_creation = k == 1 || k == 3;
    q->by_segment = k >= 2;
    return OMEN_OK;
}

static omen_status set_density(omen_query *q, const char *v, omen_error *err)
{
    (void)v, (void)err;
    q->density = true;
    return OMEN_OK;
}

static omen_status set_threshold(omen_query *q, const char *v, omen_error *err)
{
    char *end = NULL;
    double t = strtod(v, &end);
    if (end == v || *end || !(t > 0 && t <= 1))
        return bad(err, "threshold", v, "a number in (0, 1]");
    q->threshold = t;
    return OMEN_OK;
}

static omen_status set_seed(omen_query *q, const char *v, omen_error *err)
{
    if (!parse_u64(v, UINT64_MAX, &q->seed))
        return bad(err, "seed", v, "a whole number >= 0");
    return OMEN_OK;
}

static omen_status set_unit(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"downloads", "models", NULL};
    int k;
    if (!pick(v, names, &k))
        return bad(err, "unit", v, "downloads, models");
    q->unit_models = k == 1;
    return OMEN_OK;
}

static omen_status set_all(omen_query *q, const char *v, omen_error *err)
{
    (void)v, (void)err;
    q->all_rows = true;
    return OMEN_OK;
}

static omen_status set_decompose(omen_query *q, const char *v, omen_error *err)
{
    static const char *const levels[] = {"developer", "country", "org_type", NULL};
    int k;
    if (strcmp(v, "org-type") == 0)
        v = "org_type";
    if (!pick(v, levels, &k))
        return bad(err, "decompose", v, "developer, country, org_type");
    q->decompose = true;
    q->decompose_level = (omen_level)(OMEN_LEVEL_DEVELOPER + k);
    return OMEN_OK;
}

static omen_status set_ci(omen_query *q, const char *v, omen_error *err)
{
    char *end = NULL;
    double c = strtod(v, &end);
    if (end == v || *end || !(c > 0 && c < 1))
        return bad(err, "ci", v, "a level between 0 and 1, such as 0.95");
    q->ci = c;
    return OMEN_OK;
}

static omen_status set_resamples(omen_query *q, const char *v, omen_error *err)
{
    uint64_t n;
    if (!parse_u64(v, 100000, &n) || n < 10)
        return bad(err, "resamples", v, "a whole number from 10 to 100000");
    q->resamples = (uint32_t)n;
    return OMEN_OK;
}

/* ---------------------------------------------------------------- alerts */

static omen_status set_since(omen_query *q, const char *v, omen_error *err)
{
    return set_date(&q->since, "since", v, err);
}

static omen_status set_hold(omen_query *q, const char *v, omen_error *err)
{
    uint64_t x;
    if (!parse_u64(v, 52, &x) || x == 0)
        return bad(err, "hold", v, "a whole number of periods from 1 to 52");
    q->hold = (uint32_t)x;
    return OMEN_OK;
}

static omen_status set_jump(omen_query *q, const char *v, omen_error *err)
{
    char *end = NULL;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0 && x < 1))
        return bad(err, "jump", v, "a share between 0 and 1, such as 0.02 (2 percentage points)");
    q->jump = x;
    return OMEN_OK;
}

/* Each level as --level takes it, kept in its canonical name; at most 8, none twice. */
static omen_status set_levels(omen_query *q, const char *v, omen_error *err)
{
    static const char *const allowed =
        "up to 8 of model, developer, country, org_type and the annotation fields, "
        "comma-separated";
    char out[sizeof q->levels] = "";
    size_t n = 0, used = 0;
    for (const char *p = v; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char name[64];
        omen_query one = {0};
        if (len == 0 || len >= sizeof name || n == 8)
            return bad(err, "levels", v, allowed);
        memcpy(name, p, len);
        name[len] = 0;
        if (set_level(&one, name, NULL) != OMEN_OK)
            return bad(err, "levels", v, allowed);
        const char *canon = omen_level_name(&one);
        size_t clen = strlen(canon);
        for (const char *o = out; *o;) { /* a level named twice is a mistake, not a wish */
            size_t olen = strcspn(o, ",");
            if (olen == clen && strncmp(o, canon, clen) == 0)
                return bad(err, "levels", v, allowed);
            o += olen + (o[olen] == ',');
        }
        if (used + clen + 2 > sizeof out)
            return bad(err, "levels", v, allowed);
        used += (size_t)snprintf(out + used, sizeof out - used, "%s%s", n ? "," : "", canon);
        n++;
        p = comma ? comma + 1 : NULL;
    }
    if (n == 0)
        return bad(err, "levels", v, allowed);
    memcpy(q->levels, out, sizeof out);
    return OMEN_OK;
}

/* An absolute http(s) address without spaces, quotes or angle brackets (it goes into XML
 * attributes and a reader follows it). */
static omen_status set_link(omen_query *q, const char *v, omen_error *err)
{
    size_t len = v ? strlen(v) : 0;
    bool ok = len < sizeof q->link &&
              (strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0) &&
              len > (size_t)(v[4] == 's' ? 8 : 7);
    for (size_t i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        ok = c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}", c);
    }
    if (!ok)
        return bad(err, "link", v,
                   "an absolute http:// or https:// address of the dashboard (ASCII, no spaces)");
    memcpy(q->link, v, len + 1);
    return OMEN_OK;
}

/* hhi, gini, top1, top10, cr4, cr8, or share:<entity> (the entity's name at the level, taken
 * as given: whether it exists shows only when the series is built). */
static omen_status set_measure(omen_query *q, const char *v, omen_error *err)
{
    static const char *const names[] = {"hhi", "gini", "top1", "top10", "cr4", "cr8", NULL};
    static const char *const allowed = "hhi, gini, top1, top10, cr4, cr8, share:<entity>";
    int k;
    if (v && pick(v, names, &k)) {
        q->measure = (omen_measure)k;
        q->measure_entity[0] = 0;
        return OMEN_OK;
    }
    if (v && strncmp(v, "share:", 6) == 0 && v[6] && strlen(v + 6) < sizeof q->measure_entity) {
        q->measure = OMEN_MEASURE_SHARE;
        snprintf(q->measure_entity, sizeof q->measure_entity, "%s", v + 6);
        return OMEN_OK;
    }
    return bad(err, "measure", v, allowed);
}

static omen_status set_penalty(omen_query *q, const char *v, omen_error *err)
{
    if (v && strcmp(v, "bic") == 0) {
        q->penalty_bic = true;
        q->penalty = 0;
        return OMEN_OK;
    }
    char *end = NULL;
    errno = 0;
    double x = v ? strtod(v, &end) : 0;
    if (!v || !*v || errno || *end || !(x >= 0 && x <= 1e12))
        return bad(err, "penalty", v, "bic, or a number >= 0 (per change point, in sigma^2)");
    q->penalty_bic = false;
    q->penalty = x;
    return OMEN_OK;
}

static omen_status set_min_segment(omen_query *q, const char *v, omen_error *err)
{
    uint64_t x;
    if (!parse_u64(v, 10000, &x) || x == 0)
        return bad(err, "min-segment", v, "a whole number of periods from 1 to 10000");
    q->min_segment = (uint32_t)x;
    return OMEN_OK;
}

/* hhi, gini, topK or crK (the top-K share), share:ENTITY, leaderboard. */
static omen_status set_metric(omen_query *q, const char *v, omen_error *err)
{
    static const char *const allowed =
        "hhi, gini, topK or crK (the top-K share: top1, top10, cr4, ...), share:ENTITY (an "
        "entity's share at --level, e.g. share:US), leaderboard";
    uint64_t k;
    if (!v)
        return bad(err, "metric", v, allowed);
    if (strcmp(v, "hhi") == 0) {
        q->metric = OMEN_METRIC_HHI;
    } else if (strcmp(v, "gini") == 0) {
        q->metric = OMEN_METRIC_GINI;
    } else if (strcmp(v, "leaderboard") == 0) {
        q->metric = OMEN_METRIC_LEADERBOARD;
    } else if ((strncmp(v, "top", 3) == 0 || strncmp(v, "cr", 2) == 0) &&
               parse_u64(v + (v[0] == 't' ? 3 : 2), 1000000, &k) && k > 0) {
        q->metric = OMEN_METRIC_TOP;
        q->metric_k = (uint32_t)k;
    } else if (strncmp(v, "share:", 6) == 0 && v[6] && strlen(v + 6) < sizeof q->metric_entity) {
        q->metric = OMEN_METRIC_SHARE;
        snprintf(q->metric_entity, sizeof q->metric_entity, "%s", v + 6);
    } else {
        return bad(err, "metric", v, allowed);
    }
    return OMEN_OK;
}

/* ---------------------------------------------------------------- the table */

/* Readers: every analysis takes the filters of DESIGN section 5 ("*"), including those that
 * fix some of them for their own definition and say so in their meta block (derivations,
 * intermediaries and sizes count direct attribution); the dashboard sends the filters to
 * every view. The other options name the analyses whose code reads the field. */
#define EVERY       "*"
#define RANKED      "concentration,shares,leaderboard,lorenz,changes,robustness"
#define WHOLE_RANGE "leaderboard,map,lorenz,orgs,modalities"

typedef omen_status (*setter)(omen_query *q, const char *v, omen_error *err);

static const struct {
    omen_option o;
    setter set;
} table[] = {
    {{"sample", "S", "models seen: population, head or all", "population", NULL, false, EVERY},
     set_sample},
    {{"population-min", "N", "Population Sample: total downloads at least N", "200", NULL, true,
      EVERY},
     set_population_min},
    {{"head-k", "K", "Head Sample: union of each week's top K models", "200", NULL, true, EVERY},
     set_head_k},
    {{"rolling", "DAYS",
      "Rolling Window Filter: count a model's downloads for DAYS days after its effective "
      "created date",
      "365", NULL, true, EVERY},
     set_rolling},
    {{"no-rolling", NULL, "turn the Rolling Window Filter off", NULL, NULL, false, EVERY},
     set_no_rolling},
    {{"attribution", "A",
      "direct (the model itself) or recursive (the root of its derivation chain)", "direct", NULL,
      false, EVERY},
     set_attribution},
    {{"merge-policy", "P", "recursive attribution with several base models: first or split",
      "first", NULL, false, EVERY},
     set_merge_policy},
    {{"level", "L", "model, developer, country, org_type or an annotation field", "developer", NULL,
      false, RANKED},
     set_level},
    {{"window", "W", "week, month, quarter, year, trailing52 or cumulative", "week", NULL, false,
      "concentration,shares,trends,modalities,derivations,intermediaries,alerts,changes,robustness"},
     set_window},
    {{"from", "DATE", "first week (by its Monday) to count", NULL, "default: the panel's first",
      false, EVERY},
     set_from},
    {{"to", "DATE", "last week (by its Monday) to count", NULL, "default: the panel's last", false,
      EVERY},
     set_to},
    {{"segments", "CUTS", "rank cuts of the segments", "1,10,100,1000", NULL, false,
      "concentration"},
     set_segments},
    {{"top", "N",
      "entities per period (shares), rows (leaderboard, map), countries (orgs) or the top lists "
      "Kendall's tau compares (robustness)",
      "10", NULL, true, "shares,leaderboard,map,orgs,robustness"},
     set_top},
    {{"period", "P",
      "the whole range (all) or its last year (last-year: the weeks in the 365 days ending at "
      "--to)",
      "all", NULL, false, WHOLE_RANGE},
     set_period},
    {{"points", "N", "points on the Lorenz curve, or grid points per year of --density", "101",
      NULL, true, "lorenz,sizes"},
     set_points},
    {{"entropy", NULL, "add Shannon entropy and the Theil index", NULL, NULL, false,
      "concentration"},
     set_entropy},
    {{"by", "B",
      "download-year (download-weighted), creation-year, or the --cuts segments: "
      "download-segment, creation-segment",
      "download-year", NULL, false, "sizes"},
     set_by},
    {{"density", NULL, "kernel density of log10(params) per year (violins), long form", NULL, NULL,
      false, "sizes"},
     set_density},
    {{"threshold", "X", "repackaging share of a developer's downloads", "0.8", NULL, true,
      "intermediaries"},
     set_threshold},
    {{"seed", "N", "seed of RANSAC and the validation split, and of the bootstrap (--ci)", "42",
      NULL, true, "sizes-estimate,concentration,shares"},
     set_seed},
    {{"decompose", "G",
      "add the Theil index split into between and within groups G (developer, country or "
      "org_type)",
      NULL, NULL, false, "concentration"},
     set_decompose},
    {{"ci", "LEVEL", "bootstrap percentile intervals at LEVEL (e.g. 0.95), resampling entities",
      NULL, NULL, false, "concentration,shares"},
     set_ci},
    {{"resamples", "N", "bootstrap resamples of --ci", "1000", NULL, true, "concentration,shares"},
     set_resamples},
    {{"field", "F", "an annotation field, org_type or modality", NULL,
      "attributes: default all fields", false, "attributes,trends"},
     set_field},
    {{"cuts", "YEARS", "years that start a new segment, for attributes and sizes --by *-segment",
      "2023,2024,2025", NULL, false, "attributes,sizes"},
     set_year_cuts},
    {{"alpha", "P", "keep rows with p-value below P", "0.001", NULL, true, "attributes"},
     set_alpha},
    {{"unit", "U", "count downloads or models", "downloads", NULL, false, "attributes"}, set_unit},
    {{"all", NULL, "keep every row, significant or not", NULL, NULL, false, "attributes"}, set_all},
    {{"since", "DATE", "report the periods from the one holding DATE on", NULL,
      "default: the newest only", false, "alerts"},
     set_since},
    {{"levels", "LIST", "the levels watched (model, developer, country, org_type, fields)",
      "developer,country,org_type", NULL, false, "alerts"},
     set_levels},
    {{"hold", "N", "periods a band or ranking must have held before its change is an alert", "4",
      NULL, true, "alerts"},
     set_hold},
    {{"jump", "X", "a change of a share by at least X (0.02: 2 percentage points) is a jump",
      "0.02", NULL, true, "alerts"},
     set_jump},
    {{"link", "URL", "the dashboard's address, for the links of --format atom", NULL,
      "default: relative to the feed", false, "alerts"},
     set_link},
    {{"measure", "M",
      "the series to segment: hhi, gini, top1, top10, cr4, cr8 or share:<entity> (an entity of "
      "--level)",
      "hhi", NULL, false, "changes"},
     set_measure},
    {{"penalty", "X", "per change point, in units of the noise variance: bic (2 ln n) or a number",
      "bic", NULL, false, "changes,alerts"},
     set_penalty},
    {{"min-segment", "N", "the fewest periods a segment may have", "4", NULL, true,
      "changes,alerts"},
     set_min_segment},
    {{"metric", "M",
      "the measure recomputed over the grid: hhi, gini, topK (crK), share:ENTITY or leaderboard",
      "hhi", NULL, false, "robustness"},
     set_metric},
};

#define NOPTIONS (sizeof table / sizeof table[0])

/* Defaults an analysis applies itself when the option is not given (sample_given,
 * window_given; docs/methodology.md "Model characteristics"): --help shows these. */
static const struct {
    const char *analysis, *option, *shown;
} own_defaults[] = {
    {"attributes", "sample", "default head"},
    {"trends", "sample", "default head"},
    {"trends", "window", "default quarter"},
    {"modalities", "sample", "default head"},
    {"modalities", "window", "default none: the whole range"},
    {"derivations", "window", "default none: the whole range"},
    {"intermediaries", "window", "default none: the whole range"},
    {"robustness", "window", "default year; the last year is always added"},
};

const omen_option *omen_option_at(size_t i)
{
    return i < NOPTIONS ? &table[i].o : NULL;
}

static size_t index_of(const char *name)
{
    for (size_t i = 0; name && i < NOPTIONS; i++)
        if (strcmp(table[i].o.name, name) == 0)
            return i;
    return NOPTIONS;
}

const omen_option *omen_option_find(const char *name)
{
    return omen_option_at(index_of(name));
}

bool omen_option_reads(const omen_option *o, const char *analysis)
{
    return o && (!analysis || strcmp(o->readers, EVERY) == 0 || named(o->readers, analysis));
}

void omen_query_defaults(omen_query *q)
{
    memset(q, 0, sizeof *q);
    q->from = INT32_MIN;
    q->to = INT32_MAX;
    q->since = INT32_MIN;
    for (size_t i = 0; i < NOPTIONS; i++)
        if (table[i].o.def)
            (void)table[i].set(q, table[i].o.def, NULL);
    q->sample_given = q->window_given = false; /* set by the setters, but not by the user */
}

bool omen_query_is_option(const char *name, bool *takes_value)
{
    const omen_option *o = omen_option_find(name);
    if (o && takes_value)
        *takes_value = o->arg != NULL;
    return o != NULL;
}

omen_status omen_query_set(omen_query *q, const char *name, const char *v, omen_error *err)
{
    size_t i = index_of(name);
    if (i == NOPTIONS)
        return omen_error_set(err, OMEN_E_USAGE, "unknown option --%s", name);
    if (table[i].o.arg && !v)
        return omen_error_set(err, OMEN_E_USAGE, "--%s needs a value", name);
    return table[i].set(q, v, err);
}

/* "a, b and c" from the readers of option i. */
static void readers_text(size_t i, char *out, size_t cap)
{
    const char *r = table[i].o.readers;
    size_t n = 0, k = 0, count = 1;
    for (const char *p = r; *p; p++)
        count += *p == ',';
    out[0] = 0;
    for (const char *p = r; p && *p && n < cap; k++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        n += (size_t)snprintf(out + n, cap - n, "%s%.*s",
                              k == 0           ? ""
                              : k + 1 == count ? " and "
                                               : ", ",
                              (int)len, p);
        p = comma ? comma + 1 : NULL;
    }
}

omen_status omen_query_set_for(omen_query *q, const char *analysis, const char *name, const char *v,
                               omen_error *err)
{
    size_t i = index_of(name);
    if (i < NOPTIONS && !omen_option_reads(&table[i].o, analysis)) {
        char who[512];
        readers_text(i, who, sizeof who);
        return omen_error_set(err, OMEN_E_USAGE, "--%s is read by %s, not by %s", name, who,
                              analysis);
    }
    return omen_query_set(q, name, v, err);
}

size_t omen_query_help_for(const char *analysis, char *out, size_t cap)
{
    size_t n = 0;
    if (cap)
        out[0] = 0;
    for (size_t i = 0; i < NOPTIONS && n < cap; i++) {
        const omen_option *o = &table[i].o;
        if (!omen_option_reads(o, analysis))
            continue;
        char left[40], paren[96] = "";
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        if (o->def_shown)
            snprintf(paren, sizeof paren, " (%s)", o->def_shown);
        else if (o->def)
            snprintf(paren, sizeof paren, " (default %s)", o->def);
        for (size_t k = 0; analysis && k < sizeof own_defaults / sizeof own_defaults[0]; k++)
            if (strcmp(own_defaults[k].analysis, analysis) == 0 &&
                strcmp(own_defaults[k].option, o->name) == 0)
                snprintf(paren, sizeof paren, " (%s)", own_defaults[k].shown);
        n += (size_t)snprintf(out + n, cap - n, "  %-22s %s%s\n", left, o->help, paren);
    }
    return n < cap ? n : cap ? cap - 1 : 0;
}

const char *omen_query_help(void)
{
    static char text[16384];
    if (!text[0])
        omen_query_help_for(NULL, text, sizeof text);
    return text;
}

const char *omen_level_name(const omen_query *q)
{
    static const char *const names[] = {"model", "developer", "country", "org_type"};
    return q->level == OMEN_LEVEL_FIELD ? q->field : names[q->level];
}

const char *omen_window_name(omen_window w)
{
    static const char *const names[] = {"week", "month",      "quarter",
                                        "year", "trailing52", "cumulative"};
    return names[w];
}

const char *omen_sample_name(omen_sample s)
{
    static const char *const names[] = {"population", "head", "all"};
    return names[s];
}
