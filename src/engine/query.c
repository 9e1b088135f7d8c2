/* query.c: the query options shared by the CLI and the HTTP API: defaults, parsing with
 * messages that name the allowed values, and the --help text. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "engine.h"

void omen_query_defaults(omen_query *q)
{
    memset(q, 0, sizeof *q);
    q->sample = OMEN_SAMPLE_POPULATION;
    q->population_min = 200;
    q->head_k = 200;
    q->rolling_days = 365;
    q->attribution = OMEN_ATTRIBUTION_DIRECT;
    q->merge_policy = OMEN_MERGE_FIRST;
    q->level = OMEN_LEVEL_DEVELOPER;
    q->window = OMEN_WINDOW_WEEK;
    q->from = INT32_MIN;
    q->to = INT32_MAX;
    static const uint32_t cuts[] = {1, 10, 100, 1000};
    memcpy(q->cuts, cuts, sizeof cuts);
    q->ncuts = 4;
    q->top = 10;
    q->points = 101;
    q->threshold = 0.8;
    q->seed = 42;
    static const int32_t years[] = {2023, 2024, 2025};
    memcpy(q->year_cuts, years, sizeof years);
    q->nyear_cuts = 3;
    q->alpha = 0.001;
}

static const struct {
    const char *name, *arg, *help;
} options[] = {
    {"sample", "S", "models seen: population, head or all (default population)"},
    {"population-min", "N", "Population Sample: total downloads at least N (default 200)"},
    {"head-k", "K", "Head Sample: union of each week's top K models (default 200)"},
    {"rolling", "DAYS",
     "Rolling Window Filter: count a model's downloads for DAYS days after "
     "its effective created date (default 365)"},
    {"no-rolling", NULL, "turn the Rolling Window Filter off"},
    {"attribution", "A",
     "direct (the model itself) or recursive (the root of its "
     "derivation chain) (default direct)"},
    {"merge-policy", "P",
     "recursive attribution with several base models: first or split "
     "(default first)"},
    {"level", "L",
     "model, developer, country, org_type or an annotation field (default "
     "developer)"},
    {"window", "W", "week, month, quarter, year, trailing52 or cumulative (default week)"},
    {"from", "DATE", "first week (by its Monday) to count (default: the panel's first)"},
    {"to", "DATE", "last week (by its Monday) to count (default: the panel's last)"},
    {"segments", "CUTS", "rank cuts of the segments (default 1,10,100,1000)"},
    {"top", "N", "entities per period (shares) or rows (leaderboard, map) (default 10)"},
    {"period", "P", "leaderboard and map: all or last-year (default all)"},
    {"points", "N", "lorenz: points on the curve (default 101)"},
    {"entropy", NULL,
     "concentration: add Shannon entropy and the effective number of "
     "entities (1/HHI)"},
    {"by", "B",
     "sizes: download-year (download-weighted), creation-year, or the --cuts segments: "
     "download-segment, creation-segment (default download-year)"},
    {"density", NULL, "sizes: kernel density of log10(params) per year (violins), long form"},
    {"threshold", "X",
     "intermediaries: repackaging share of a developer's downloads (default "
     "0.8)"},
    {"seed", "N", "sizes estimate: seed of RANSAC and the validation split (default 42)"},
    {"field", "F",
     "attributes, trends: an annotation field, org_type or modality (attributes: default "
     "all fields)"},
    {"cuts", "YEARS", "attributes: years that start a new segment (default 2023,2024,2025)"},
    {"alpha", "P", "attributes: keep rows with p-value below P (default 0.001)"},
    {"unit", "U", "attributes: count downloads or models (default downloads)"},
    {"all", NULL, "attributes: keep every row, significant or not"},
};

bool omen_query_is_option(const char *name, bool *takes_value)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (strcmp(options[i].name, name) == 0) {
            if (takes_value)
                *takes_value = options[i].arg != NULL;
            return true;
        }
    return false;
}

const char *omen_query_help(void)
{
    static char text[8192];
    if (text[0])
        return text;
    size_t n = 0;
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        char left[40];
        snprintf(left, sizeof left, "--%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        n += (size_t)snprintf(text + n, sizeof text - n, "  %-22s %s\n", left, options[i].help);
    }
    return text;
}

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

size_t omen_query_help_for(const char *names, char *out, size_t cap)
{
    size_t n = 0;
    if (cap)
        out[0] = 0;
    for (size_t i = 0; i < sizeof options / sizeof options[0] && n < cap; i++) {
        if (names && !named(names, options[i].name))
            continue;
        char left[40];
        snprintf(left, sizeof left, "--%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        n += (size_t)snprintf(out + n, cap - n, "  %-22s %s\n", left, options[i].help);
    }
    return n < cap ? n : cap ? cap - 1 : 0;
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

omen_status omen_query_set(omen_query *q, const char *name, const char *v, omen_error *err)
{
    uint64_t x;
    int k;
    static const char *const samples[] = {"population", "head", "all", NULL};
    static const char *const attributions[] = {"direct", "recursive", NULL};
    static const char *const policies[] = {"first", "split", NULL};
    static const char *const windows[] = {"week",       "month",      "quarter", "year",
                                          "trailing52", "cumulative", NULL};
    static const char *const periods[] = {"all", "last-year", NULL};
    static const char *const units[] = {"downloads", "models", NULL};
    bool takes;
    if (!omen_query_is_option(name, &takes))
        return omen_error_set(err, OMEN_E_USAGE, "unknown option --%s", name);
    if (takes && !v)
        return omen_error_set(err, OMEN_E_USAGE, "--%s needs a value", name);
    if (strcmp(name, "sample") == 0) {
        if (!pick(v, samples, &k))
            return bad(err, name, v, "population, head, all");
        q->sample = (omen_sample)k;
        q->sample_given = true;
    } else if (strcmp(name, "population-min") == 0) {
        if (!parse_u64(v, UINT64_MAX / 2, &q->population_min))
            return bad(err, name, v, "a whole number >= 0");
    } else if (strcmp(name, "head-k") == 0) {
        if (!parse_u64(v, 1000000, &x) || x == 0)
            return bad(err, name, v, "a whole number from 1 to 1000000");
        q->head_k = (uint32_t)x;
    } else if (strcmp(name, "rolling") == 0) {
        if (!parse_u64(v, 100000, &x) || x == 0)
            return bad(err, name, v, "a number of days from 1 to 100000 (or --no-rolling)");
        q->rolling_days = (int32_t)x;
    } else if (strcmp(name, "no-rolling") == 0) {
        q->rolling_days = 0;
    } else if (strcmp(name, "attribution") == 0) {
        if (!pick(v, attributions, &k))
            return bad(err, name, v, "direct, recursive");
        q->attribution = (omen_attribution)k;
    } else if (strcmp(name, "merge-policy") == 0) {
        if (!pick(v, policies, &k))
            return bad(err, name, v, "first, split");
        q->merge_policy = (omen_merge_policy)k;
    } else if (strcmp(name, "level") == 0) {
        return set_level(q, v, err);
    } else if (strcmp(name, "window") == 0) {
        if (!pick(v, windows, &k))
            return bad(err, name, v, "week, month, quarter, year, trailing52, cumulative");
        q->window = (omen_window)k;
        q->window_given = true;
    } else if (strcmp(name, "from") == 0) {
        return set_date(&q->from, name, v, err);
    } else if (strcmp(name, "to") == 0) {
        return set_date(&q->to, name, v, err);
    } else if (strcmp(name, "segments") == 0) {
        return set_segments(q, v, err);
    } else if (strcmp(name, "top") == 0) {
        if (!parse_u64(v, 1000000, &x) || x == 0)
            return bad(err, name, v, "a whole number from 1 to 1000000");
        q->top = (uint32_t)x;
    } else if (strcmp(name, "period") == 0) {
        if (!pick(v, periods, &k))
            return bad(err, name, v, "all, last-year");
        q->last_year = k == 1;
    } else if (strcmp(name, "entropy") == 0) {
        q->entropy = true;
    } else if (strcmp(name, "by") == 0) {
        static const char *const bys[] = {"download-year", "creation-year", "download-segment",
                                          "creation-segment", NULL};
        if (!pick(v, bys, &k))
            return bad(err, name, v,
                       "download-year, creation-year, download-segment, creation-segment");
        q->by_creation = k == 1 || k == 3;
        q->by_segment = k >= 2;
    } else if (strcmp(name, "density") == 0) {
        q->density = true;
    } else if (strcmp(name, "threshold") == 0) {
        char *end = NULL;
        double t = strtod(v, &end);
        if (end == v || *end || !(t > 0 && t <= 1))
            return bad(err, name, v, "a number in (0, 1]");
        q->threshold = t;
    } else if (strcmp(name, "seed") == 0) {
        if (!parse_u64(v, UINT64_MAX, &q->seed))
            return bad(err, name, v, "a whole number >= 0");
    } else if (strcmp(name, "points") == 0) {
        if (!parse_u64(v, 100000, &x) || x < 2)
            return bad(err, name, v, "a whole number from 2 to 100000");
        q->points = (uint32_t)x;
    } else if (strcmp(name, "field") == 0) {
        return set_field(q, v, err);
    } else if (strcmp(name, "cuts") == 0) {
        return set_year_cuts(q, v, err);
    } else if (strcmp(name, "alpha") == 0) {
        return set_alpha(q, v, err);
    } else if (strcmp(name, "unit") == 0) {
        if (!pick(v, units, &k))
            return bad(err, name, v, "downloads, models");
        q->unit_models = k == 1;
    } else if (strcmp(name, "all") == 0) {
        q->all_rows = true;
    }
    return OMEN_OK;
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
