/* test_table.c: unit tests of the result table: storage, meta order and replacement, and the
 * exact bytes of the aligned-text, CSV and JSON writers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/output/table_internal.h"
#include "omen/omen.h"

/* Every column type, a NULL of each kind, and text that CSV has to quote. */
static omen_table *sample(void)
{
    omen_table *t = omen_table_new("demo");
    omen_table_meta_text(t, "level", "developer");
    omen_table_meta_int(t, "rows", 3);
    omen_table_meta_real(t, "elapsed", 0.25);
    omen_table_meta_bool(t, "synthetic", true);
    omen_table_meta_text(t, "level", "model"); /* replaces, keeps its place */
    size_t name = omen_table_add_column(t, "name", OMEN_COL_TEXT);
    size_t count = omen_table_add_column(t, "count", OMEN_COL_INT);
    size_t share = omen_table_add_column(t, "share", OMEN_COL_REAL);
    size_t week = omen_table_add_column(t, "week", OMEN_COL_DATE);
    size_t flag = omen_table_add_column(t, "flag", OMEN_COL_BOOL);
    size_t r = omen_table_add_row(t);
    omen_table_set_text(t, r, name, "alpha");
    omen_table_set_int(t, r, count, 12);
    omen_table_set_real(t, r, share, 0.5);
    omen_table_set_date(t, r, week, omen_date_days(2024, 1, 1));
    omen_table_set_bool(t, r, flag, true);
    r = omen_table_add_row(t);
    omen_table_set_text(t, r, name, "b,c \"q\"");
    omen_table_set_int(t, r, count, -3);
    omen_table_set_date(t, r, week, omen_date_days(2023, 12, 25));
    omen_table_set_bool(t, r, flag, false);
    r = omen_table_add_row(t);
    omen_table_set_int(t, r, count, 1234567);
    omen_table_set_real(t, r, share, 0.123456789012345678);
    return t;
}

static char *render(const omen_table *t, omen_format f)
{
    size_t len = 0;
    char *s = omen_table_to_string(t, f, &len);
    cr_assert_not_null(s);
    cr_assert_eq(len, strlen(s));
    return s;
}

static void expect_render(const omen_table *t, omen_format f, const char *want)
{
    char *got = render(t, f);
    cr_assert_str_eq(got, want, "got:\n%s\nwant:\n%s", got, want);
    free(got);
}

/* ---------------------------------------------------------------- storage */

Test(table, cells_nulls_and_lookup)
{
    omen_table *t = sample();
    cr_assert_str_eq(omen_table_name(t), "demo");
    cr_assert_eq(omen_table_ncols(t), 5);
    cr_assert_eq(omen_table_nrows(t), 3);
    cr_assert_str_eq(omen_table_col_name(t, 2), "share");
    cr_assert_eq(omen_table_col_type(t, 3), OMEN_COL_DATE);
    cr_assert_eq(omen_table_find(t, "flag"), 4);
    cr_assert_eq(omen_table_find(t, "nope"), (size_t)-1);
    cr_assert(!omen_table_is_null(t, 0, 0));
    cr_assert(omen_table_is_null(t, 2, 0));
    cr_assert_str_eq(omen_table_text(t, 2, 0), "", "text of a NULL is empty");
    cr_assert_str_eq(omen_table_text(t, 1, 0), "b,c \"q\"");
    cr_assert_eq(omen_table_int(t, 2, 1), 1234567);
    cr_assert(omen_table_is_null(t, 1, 2));
    cr_assert(isnan(omen_table_real(t, 1, 2)));
    cr_assert_eq(omen_table_real(t, 0, 2), 0.5);
    cr_assert_eq(omen_table_int(t, 0, 3), omen_date_days(2024, 1, 1));
    cr_assert_eq(omen_table_int(t, 0, 4), 1);
    omen_table_set_text(t, 0, 0, NULL);
    cr_assert(omen_table_is_null(t, 0, 0), "setting NULL text makes the cell NULL");
    omen_table_set_text(t, 1, 0, omen_table_text(t, 1, 0)); /* from itself: copied first */
    cr_assert_str_eq(omen_table_text(t, 1, 0), "b,c \"q\"");
    omen_table_free(t);
    omen_table_free(NULL);
}

Test(table, many_rows_grow_and_int_into_real)
{
    omen_table *t = omen_table_new("big");
    omen_table_add_column(t, "i", OMEN_COL_INT);
    omen_table_add_column(t, "x", OMEN_COL_REAL);
    for (int i = 0; i < 10000; i++) {
        size_t r = omen_table_add_row(t);
        omen_table_set_int(t, r, 0, i);
        if (i % 2)
            omen_table_set_int(t, r, 1, i); /* integer downloads into a real column */
    }
    size_t late = omen_table_add_column(t, "late", OMEN_COL_TEXT);
    cr_assert(omen_table_is_null(t, 9999, late), "a late column starts NULL");
    cr_assert_eq(omen_table_nrows(t), 10000);
    cr_assert_eq(omen_table_int(t, 9999, 0), 9999);
    cr_assert_eq(omen_table_real(t, 9999, 1), 9999.0);
    cr_assert(omen_table_is_null(t, 9998, 1));
    omen_table_free(t);
}

/* ---------------------------------------------------------------- writers */

Test(table, csv_exact)
{
    omen_table *t = sample();
    expect_render(t, OMEN_FORMAT_CSV,
                  "name,count,share,week,flag\n"
                  "alpha,12,0.5,2024-01-01,true\n"
                  "\"b,c \"\"q\"\"\",-3,,2023-12-25,false\n"
                  ",1234567,0.123456789012346,,\n");
    omen_table_free(t);
}

Test(table, json_exact)
{
    omen_table *t = sample();
    expect_render(t, OMEN_FORMAT_JSON,
                  "{\"meta\":{\"level\":\"model\",\"rows\":3,\"elapsed\":0.25,\"synthetic\":true},"
                  "\"columns\":[{\"name\":\"name\",\"type\":\"text\"},"
                  "{\"name\":\"count\",\"type\":\"int\"},{\"name\":\"share\",\"type\":\"real\"},"
                  "{\"name\":\"week\",\"type\":\"date\"},{\"name\":\"flag\",\"type\":\"bool\"}],"
                  "\"rows\":[\n"
                  "{\"name\":\"alpha\",\"count\":12,\"share\":0.5,\"week\":\"2024-01-01\","
                  "\"flag\":true},\n"
                  "{\"name\":\"b,c \\\"q\\\"\",\"count\":-3,\"share\":null,\"week\":\"2023-12-25\","
                  "\"flag\":false},\n"
                  "{\"name\":null,\"count\":1234567,\"share\":0.123456789012346,\"week\":null,"
                  "\"flag\":null}\n"
                  "]}\n");
    omen_table_free(t);
}

Test(table, text_view_exact)
{
    omen_table *t = sample();
    expect_render(t, OMEN_FORMAT_TABLE,
                  "# level: model\n"
                  "# rows: 3\n"
                  "# elapsed: 0.25\n"
                  "# synthetic: true\n"
                  "name       count   share  week        flag\n"
                  "-------  -------  ------  ----------  -----\n"
                  "alpha         12  0.5000  2024-01-01  true\n"
                  "b,c \"q\"       -3          2023-12-25  false\n"
                  "         1234567  0.1235              \n");
    omen_table_free(t);
}

Test(table, text_view_caps_long_text_with_ellipsis)
{
    omen_table *t = omen_table_new("long");
    omen_table_add_column(t, "model", OMEN_COL_TEXT);
    omen_table_add_column(t, "n", OMEN_COL_INT);
    char longname[80];
    memset(longname, 'x', 70);
    longname[70] = '\0';
    size_t r = omen_table_add_row(t);
    omen_table_set_text(t, r, 0, longname);
    omen_table_set_int(t, r, 1, 5);
    r = omen_table_add_row(t);
    omen_table_set_text(t, r, 0, "caf\xC3\xA9\nbar"); /* 8 code points, newline shown as space */
    omen_table_set_int(t, r, 1, 1234);
    /* widths count code points: 'café bar' is 8 columns in 9 bytes */
    char want[512], *w = want;
    w += sprintf(w, "model%55s     n\n", "");
    w +=
        sprintf(w, "%.60s  ----\n", "------------------------------------------------------------");
    w += sprintf(w, "%.59s\xE2\x80\xA6     5\n", longname);
    w += sprintf(w, "caf\xC3\xA9 bar%52s  1234\n", "");
    char *got = render(t, OMEN_FORMAT_TABLE);
    cr_assert_str_eq(got, want, "got:\n%s\nwant:\n%s", got, want);
    free(got);
    omen_table_free(t);
}

Test(table, text_view_keeps_long_meta_whole)
{
    omen_table *t = omen_table_new("meta");
    char value[101];
    memset(value, 'v', 100);
    value[100] = '\0';
    omen_table_meta_text(t, "filters", value);
    char want[128];
    snprintf(want, sizeof want, "# filters: %s\n", value);
    expect_render(t, OMEN_FORMAT_TABLE, want);
    omen_table_free(t);
}

Test(table, csv_quotes_commas_quotes_newlines)
{
    omen_table *t = omen_table_new("q");
    omen_table_add_column(t, "a,b", OMEN_COL_TEXT);
    omen_table_add_column(t, "c", OMEN_COL_TEXT);
    const char *vals[] = {"plain",    "with,comma", "say \"hi\"", "two\nlines",
                          "cr\rhere", "",           " spaced "};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        size_t r = omen_table_add_row(t);
        omen_table_set_text(t, r, 0, vals[i]);
        omen_table_set_text(t, r, 1, "x");
    }
    expect_render(t, OMEN_FORMAT_CSV,
                  "\"a,b\",c\n"
                  "plain,x\n"
                  "\"with,comma\",x\n"
                  "\"say \"\"hi\"\"\",x\n"
                  "\"two\nlines\",x\n"
                  "\"cr\rhere\",x\n"
                  ",x\n"
                  " spaced ,x\n");
    omen_table_free(t);
}

Test(table, json_escapes_controls_quotes_and_bad_utf8)
{
    omen_table *t = omen_table_new("esc");
    omen_table_add_column(t, "s\"k", OMEN_COL_TEXT);
    const char *vals[] = {
        "q\"b\\s/",          "\t\n\r\b\f",       "\x01\x1f\x7f",   "caf\xC3\xA9 \xE2\x82\xAC",
        "bad\xFFx",          "cut\xE2\x82",      "\xED\xA0\x80",   "\xF0\x9F\x98\x80",
        "\xC0\xAF overlong", "\xF4\x90\x80\x80", "end\xF0\x9F\x98"};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        omen_table_set_text(t, omen_table_add_row(t), 0, vals[i]);
    expect_render(t, OMEN_FORMAT_JSON,
                  "{\"meta\":{},\"columns\":[{\"name\":\"s\\\"k\",\"type\":\"text\"}],\"rows\":[\n"
                  "{\"s\\\"k\":\"q\\\"b\\\\s/\"},\n"
                  "{\"s\\\"k\":\"\\t\\n\\r\\b\\f\"},\n"
                  "{\"s\\\"k\":\"\\u0001\\u001f\x7f\"},\n"
                  "{\"s\\\"k\":\"caf\xC3\xA9 \xE2\x82\xAC\"},\n"
                  "{\"s\\\"k\":\"bad\xEF\xBF\xBDx\"},\n"
                  "{\"s\\\"k\":\"cut\xEF\xBF\xBD\"},\n"
                  "{\"s\\\"k\":\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"},\n"
                  "{\"s\\\"k\":\"\xF0\x9F\x98\x80\"},\n"
                  "{\"s\\\"k\":\"\xEF\xBF\xBD\xEF\xBF\xBD overlong\"},\n"
                  "{\"s\\\"k\":\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"},\n"
                  "{\"s\\\"k\":\"end\xEF\xBF\xBD\"}\n"
                  "]}\n");
    omen_table_free(t);
}

Test(table, json_non_finite_reals_are_null)
{
    omen_table *t = omen_table_new("nf");
    omen_table_meta_real(t, "nan", NAN);
    omen_table_add_column(t, "x", OMEN_COL_REAL);
    double v[] = {NAN, INFINITY, -INFINITY, -0.0, 1e300, 1e-7, 123456789012345678.0};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        omen_table_set_real(t, omen_table_add_row(t), 0, v[i]);
    expect_render(t, OMEN_FORMAT_JSON,
                  "{\"meta\":{\"nan\":null},\"columns\":[{\"name\":\"x\",\"type\":\"real\"}],"
                  "\"rows\":[\n{\"x\":null},\n{\"x\":null},\n{\"x\":null},\n{\"x\":-0},\n"
                  "{\"x\":1e+300},\n{\"x\":1e-07},\n{\"x\":1.23456789012346e+17}\n]}\n");
    omen_table_free(t);
}

Test(table, meta_replace_keeps_order_and_may_change_type)
{
    omen_table *t = omen_table_new("m");
    omen_table_meta_text(t, "a", "1");
    omen_table_meta_int(t, "b", 2);
    omen_table_meta_text(t, "c", "3");
    omen_table_meta_real(t, "a", 1.5);
    omen_table_meta_text(t, "b", "two");
    omen_table_meta_bool(t, "c", false);
    omen_table_meta_int(t, "d", -4);
    expect_render(t, OMEN_FORMAT_JSON,
                  "{\"meta\":{\"a\":1.5,\"b\":\"two\",\"c\":false,\"d\":-4},\"columns\":[],"
                  "\"rows\":[]}\n");
    expect_render(t, OMEN_FORMAT_TABLE, "# a: 1.5\n# b: two\n# c: false\n# d: -4\n");
    expect_render(t, OMEN_FORMAT_CSV, "");
    omen_table_free(t);
}

Test(table, empty_table_has_header_only)
{
    omen_table *t = omen_table_new("e");
    omen_table_add_column(t, "rank", OMEN_COL_INT);
    omen_table_add_column(t, "entity", OMEN_COL_TEXT);
    expect_render(t, OMEN_FORMAT_CSV, "rank,entity\n");
    expect_render(t, OMEN_FORMAT_TABLE, "rank  entity\n----  ------\n");
    expect_render(t, OMEN_FORMAT_JSON,
                  "{\"meta\":{},\"columns\":[{\"name\":\"rank\",\"type\":\"int\"},"
                  "{\"name\":\"entity\",\"type\":\"text\"}],\"rows\":[]}\n");
    omen_table_free(t);
}

Test(table, write_to_file_matches_string)
{
    omen_table *t = sample();
    for (int f = OMEN_FORMAT_TABLE; f <= OMEN_FORMAT_JSON; f++) {
        FILE *tmp = tmpfile();
        cr_assert_not_null(tmp);
        omen_error err = {0};
        cr_assert_eq(omen_table_write(t, (omen_format)f, tmp, &err), OMEN_OK);
        long size = ftell(tmp);
        rewind(tmp);
        char *buf = calloc(1, (size_t)size + 1);
        cr_assert_eq(fread(buf, 1, (size_t)size, tmp), (size_t)size);
        char *want = render(t, (omen_format)f);
        cr_assert_str_eq(buf, want);
        free(want);
        free(buf);
        fclose(tmp);
    }
    omen_table_free(t);
}

Test(table, write_error_is_runtime_io)
{
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        cr_skip_test("no /dev/full");
    omen_table *t = sample();
    omen_error err = {0};
    cr_assert_eq(omen_table_write(t, OMEN_FORMAT_CSV, full, &err), OMEN_RUNTIME);
    cr_assert_eq(err.code, OMEN_E_IO);
    cr_assert_not_null(strstr(err.message, "No space"), "%s", err.message);
    omen_error_clear(&err);
    fclose(full);
    omen_table_free(t);
}

/* ---------------------------------------------------------------- real formatting */

static uint64_t rng_state = 12345;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void expect_like_printf(double x)
{
    char got[32], want[64];
    omen_output_format_real(got, x);
    snprintf(want, sizeof want, "%.15g", x);
    cr_assert_str_eq(got, want, "%.17g", x);
}

Test(table, real_format_is_printf_15g)
{
    double fixed[] = {0,
                      1,
                      -1,
                      0.1,
                      0.5,
                      1e-4,
                      9.99999999999999e-5,
                      1e-5,
                      1e14,
                      1e15,
                      999999999999999.5,
                      123456789012345.6,
                      0.3,
                      2.0 / 3,
                      1e-300,
                      5e-324,
                      1.7976931348623157e308,
                      0.000123,
                      99.9999999999999999,
                      0.38000000000000006,
                      9.9999999999999995e-5};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        expect_like_printf(fixed[i]);
        expect_like_printf(-fixed[i]);
    }
    for (int i = 0; i < 1000000; i++) {
        uint64_t bits = rng();
        double x;
        switch (i % 4) {
        case 0:
            memcpy(&x, &bits, sizeof x);
            break; /* any double at all */
        case 1:
            x = (double)(bits >> 11) * 0x1.0p-53;
            break;
        case 2:
            x = ldexp((double)(bits >> 11), (int)(bits % 80) - 70);
            break;
        default:
            x = (double)(bits % 1000000) / 1000.0;
            break; /* short decimals */
        }
        if (isnan(x))
            continue;
        char got[32], want[64];
        omen_output_format_real(got, x);
        snprintf(want, sizeof want, "%.15g", x);
        if (strcmp(got, want) != 0)
            cr_assert_fail("%.17g: got %s, printf %s", x, got, want);
    }
}
