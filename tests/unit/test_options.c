/* test_options.c: the query options table (src/engine/query.c): its defaults are the
 * documented ones, every reader it names is a registered analysis, and setting an option an
 * analysis does not read is a usage error that names the analyses that do. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "omen/omen.h"

Test(options, defaults_are_the_documented_ones)
{
    omen_query q;
    omen_query_defaults(&q);
    cr_assert_eq(q.sample, OMEN_SAMPLE_POPULATION);
    cr_assert(!q.sample_given && !q.window_given);
    cr_assert_eq(q.population_min, 200);
    cr_assert_eq(q.head_k, 200);
    cr_assert_eq(q.rolling_days, 365);
    cr_assert_eq(q.attribution, OMEN_ATTRIBUTION_DIRECT);
    cr_assert_eq(q.merge_policy, OMEN_MERGE_FIRST);
    cr_assert_eq(q.level, OMEN_LEVEL_DEVELOPER);
    cr_assert_eq(q.window, OMEN_WINDOW_WEEK);
    cr_assert_eq(q.from, INT32_MIN);
    cr_assert_eq(q.to, INT32_MAX);
    cr_assert_eq(q.ncuts, 4);
    cr_assert_eq(q.cuts[3], 1000);
    cr_assert_eq(q.top, 10);
    cr_assert(!q.last_year && !q.entropy && !q.density && !q.all_rows && !q.unit_models);
    cr_assert(!q.by_creation && !q.by_segment);
    cr_assert_eq(q.points, 101);
    cr_assert(q.threshold == 0.8);
    cr_assert_eq(q.seed, 42);
    cr_assert_eq(q.nyear_cuts, 3);
    cr_assert_eq(q.year_cuts[0], 2023);
    cr_assert(q.alpha == 0.001);
    cr_assert_eq(q.field[0], 0);
}

Test(options, readers_are_registered_analyses)
{
    const omen_option *o;
    for (size_t i = 0; (o = omen_option_at(i)) != NULL; i++) {
        cr_assert(o->help && o->readers && *o->readers, "--%s", o->name);
        if (strcmp(o->readers, "*") == 0)
            continue;
        char buf[512];
        snprintf(buf, sizeof buf, "%s", o->readers);
        for (char *save = NULL, *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save))
            cr_assert(omen_analysis_find(r) != NULL, "--%s names '%s', not an analysis", o->name,
                      r);
    }
    /* every analysis reads at least the common filters */
    const omen_analysis *a;
    for (size_t i = 0; (a = omen_analysis_at(i)) != NULL; i++) {
        char list[1024];
        omen_analysis_options(a, list, sizeof list);
        cr_assert(strncmp(list, "sample,population-min,head-k,rolling,no-rolling,", 48) == 0,
                  "%s: %s", a->name, list);
    }
}

Test(options, an_option_not_read_is_a_usage_error)
{
    omen_query q;
    omen_query_defaults(&q);
    omen_error err = {0};
    cr_assert_eq(omen_query_set_for(&q, "concentration", "alpha", "0.5", &err), OMEN_USAGE);
    cr_assert_str_eq(err.message, "--alpha is read by attributes, not by concentration");
    omen_error_clear(&err);
    cr_assert_eq(omen_query_set_for(&q, "attributes", "alpha", "0.5", &err), OMEN_OK);
    cr_assert(q.alpha == 0.5);
    cr_assert_eq(omen_query_set_for(&q, "shares", "top", "3", &err), OMEN_OK);
    cr_assert_eq(omen_query_set_for(&q, "shares", "nosuch", "3", &err), OMEN_USAGE);
    cr_assert_str_eq(err.message, "unknown option --nosuch");
    omen_error_clear(&err);
}

Test(options, help_lists_what_the_analysis_reads)
{
    char h[8192];
    omen_query_help_for("trends", h, sizeof h);
    cr_assert(strstr(h, "  --window W ") && strstr(h, "(default quarter)"));
    cr_assert(strstr(h, "--field F") && !strstr(h, "--alpha") && !strstr(h, "--top"));
}
