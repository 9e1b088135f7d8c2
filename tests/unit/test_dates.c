/* test_dates.c: unit tests of day arithmetic, ISO weeks and the date parser. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/util/dates.h"
#include "omen/omen.h"

static int32_t D(int y, int m, int d)
{
    return omen_date_days(y, m, d);
}

static bool parse(const char *s, int32_t *out)
{
    return omen_date_parse(s, strlen(s), out);
}

static void expect_parse(const char *s, int32_t want)
{
    int32_t got = 12345;
    cr_assert(parse(s, &got), "'%s' should parse", s);
    char g[11], w[11];
    omen_date_format(got, g);
    omen_date_format(want, w);
    cr_assert_eq(got, want, "'%s' parsed as %s, want %s", s, g, w);
}

static void expect_reject(const char *s)
{
    int32_t got = 777;
    cr_assert(!parse(s, &got), "'%s' should be rejected", s);
    cr_assert_eq(got, 777, "a rejected parse must leave *days alone");
}

Test(dates, epoch_and_known_days)
{
    cr_assert_eq(D(1970, 1, 1), 0);
    cr_assert_eq(D(1970, 1, 2), 1);
    cr_assert_eq(D(1969, 12, 31), -1);
    cr_assert_eq(D(2000, 3, 1), 11017);
    cr_assert_eq(D(2024, 2, 29), 19782);
    cr_assert_eq(D(2199, 12, 31), 84005);
}

Test(dates, round_trip_every_day)
{
    int y, m, d;
    for (int32_t days = D(1900, 1, 1); days <= D(2400, 12, 31); days++) {
        omen_date_ymd(days, &y, &m, &d);
        cr_assert(omen_date_valid(y, m, d));
        cr_assert_eq(D(y, m, d), days);
    }
}

Test(dates, format)
{
    char out[11];
    omen_date_format(D(2024, 2, 29), out);
    cr_assert_str_eq(out, "2024-02-29");
    omen_date_format(0, out);
    cr_assert_str_eq(out, "1970-01-01");
    omen_date_format(-1, out);
    cr_assert_str_eq(out, "1969-12-31");
    omen_date_format(OMEN_NO_DATE, out);
    cr_assert_str_eq(out, "");
}

Test(dates, weekday_and_monday)
{
    cr_assert_eq(omen_date_weekday(0), 3); /* Thursday */
    cr_assert_eq(omen_date_weekday(D(2024, 1, 1)), 0);
    cr_assert_eq(omen_date_weekday(D(2024, 1, 7)), 6);
    cr_assert_eq(omen_date_weekday(-4), 6); /* 1969-12-28, a Sunday */
    cr_assert_eq(omen_date_week_monday(D(2020, 12, 31)), D(2020, 12, 28));
    cr_assert_eq(omen_date_week_monday(D(2021, 1, 3)), D(2020, 12, 28));
    cr_assert_eq(omen_date_week_monday(D(2021, 1, 4)), D(2021, 1, 4));
    cr_assert_eq(omen_date_week_monday(0), D(1969, 12, 29));
}

Test(dates, leap_years)
{
    cr_assert(omen_date_valid(2024, 2, 29));
    cr_assert(!omen_date_valid(2023, 2, 29));
    cr_assert(!omen_date_valid(2100, 2, 29));
    cr_assert(omen_date_valid(2000, 2, 29));
    cr_assert(!omen_date_valid(2023, 4, 31));
    cr_assert(!omen_date_valid(2023, 13, 1));
    cr_assert(!omen_date_valid(2023, 0, 1));
    cr_assert(!omen_date_valid(2023, 1, 0));
    expect_parse("2024-02-29", D(2024, 2, 29));
    expect_reject("2023-02-29");
    expect_reject("2100-02-29");
    expect_reject("2023-02-30");
}

Test(dates, plain_and_slash_forms)
{
    expect_parse("2024-01-15", D(2024, 1, 15));
    expect_parse("2024/01/15", D(2024, 1, 15));
    expect_parse("  2024-01-15 ", D(2024, 1, 15));
    expect_parse("1970-01-01", 0);
    expect_parse("2199-12-31", D(2199, 12, 31));
    expect_reject("1969-12-31");
    expect_reject("2200-01-01");
    expect_reject("2024-1-15");
    expect_reject("2024-01-5");
    expect_reject("2024/01-15");
    expect_reject("2024-01-15x");
    expect_reject("20240115");
    expect_reject("");
    expect_reject("1700000000"); /* epoch seconds are not a date format */
    expect_reject("2024/01/15T10:00");
}

Test(dates, datetimes_and_zones)
{
    expect_parse("2024-01-15T10:20", D(2024, 1, 15));
    expect_parse("2024-01-15T10:20:30", D(2024, 1, 15));
    expect_parse("2024-01-15 10:20:30.123456", D(2024, 1, 15));
    expect_parse("2024-01-15T23:59:59Z", D(2024, 1, 15));
    expect_parse("2024-01-01T01:00:00+02:00", D(2023, 12, 31));
    expect_parse("2024-01-01T01:00:00.5+0200", D(2023, 12, 31));
    expect_parse("2023-12-31T22:30:00-02:00", D(2024, 1, 1));
    expect_parse("2023-12-31T21:59:59-02:00", D(2023, 12, 31));
    expect_parse("2024-02-28T23:00:00-01:00", D(2024, 2, 29));
    expect_parse("2024-03-01T00:30:00+01:00", D(2024, 2, 29));
    expect_parse("2024-01-15T10:20:30+00:00", D(2024, 1, 15));
    expect_reject("2024-01-15T24:00");
    expect_reject("2024-01-15T10:60");
    expect_reject("2024-01-15T10");
    expect_reject("2024-01-15T10:20:30+2");
    expect_reject("2024-01-15T10:20:30+25:00");
    expect_reject("2024-01-15T10:20:30.");
    expect_reject("2024-01-15T10:20:30Zjunk");
}

Test(dates, iso_weeks)
{
    expect_parse("2026-W01", D(2025, 12, 29));
    expect_parse("2020-W53", D(2020, 12, 28));
    expect_parse("2020-W53-4", D(2020, 12, 31));
    expect_parse("2020-W53-7", D(2021, 1, 3));
    expect_parse("2021-W01", D(2021, 1, 4));
    expect_parse("2024-W01", D(2024, 1, 1));
    expect_parse("2024-W01-7", D(2024, 1, 7));
    expect_parse("2015-W53", D(2015, 12, 28));
    expect_parse("2009-W01", D(2008, 12, 29));
    expect_parse("1970-W01", D(1969, 12, 29));
    expect_reject("2021-W53"); /* 2021 has 52 ISO weeks */
    expect_reject("2024-W00");
    expect_reject("2024-W54");
    expect_reject("2024-W1");
    expect_reject("2024-W01-0");
    expect_reject("2024-W01-8");
    expect_reject("2024-W01-");
    expect_reject("2024W01");
}

Test(dates, week_of_parsed_dates)
{
    int32_t d;
    cr_assert(parse("2020-12-31", &d));
    cr_assert_eq(omen_date_week_monday(d), D(2020, 12, 28));
    cr_assert_eq(omen_date_weekday(d), 3);
    cr_assert(parse("2021-01-03", &d));
    cr_assert_eq(omen_date_weekday(d), 6);
    cr_assert_eq(omen_date_week_monday(d), D(2020, 12, 28));
}
