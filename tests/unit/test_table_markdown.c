/* test_table_markdown.c: the Markdown writer of the result table (the report's summary.md) and
 * omen_table_select, which picks the columns and rows a summary shows. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "omen/omen.h"

static omen_table *sample(void)
{
    omen_table *t = omen_table_new("demo");
    size_t name = omen_table_add_column(t, "name", OMEN_COL_TEXT);
    size_t n = omen_table_add_column(t, "n", OMEN_COL_INT);
    size_t x = omen_table_add_column(t, "x", OMEN_COL_REAL);
    size_t week = omen_table_add_column(t, "week", OMEN_COL_DATE);
    size_t ok = omen_table_add_column(t, "ok", OMEN_COL_BOOL);
    size_t r = omen_table_add_row(t);
    omen_table_set_text(t, r, name, "a|b\nc");
    omen_table_set_int(t, r, n, -12);
    omen_table_set_real(t, r, x, 3738690.0); /* a count stored as a real */
    omen_table_set_date(t, r, week, omen_date_days(2024, 1, 1));
    omen_table_set_bool(t, r, ok, true);
    r = omen_table_add_row(t);
    omen_table_set_real(t, r, x, 0.00012); /* a p-value */
    omen_table_set_bool(t, r, ok, false);
    r = omen_table_add_row(t);
    omen_table_set_text(t, r, name, "z");
    omen_table_set_real(t, r, x, 42.0); /* whole but small: a share-like value */
    return t;
}

static void expect(const omen_table *t, const char *want)
{
    size_t len = 0;
    char *got = omen_table_to_string(t, OMEN_FORMAT_MARKDOWN, &len);
    cr_assert_eq(len, strlen(got));
    cr_assert_str_eq(got, want, "got:\n%s\nwant:\n%s", got, want);
    free(got);
}

Test(markdown, cells)
{
    omen_table *t = sample();
    expect(t, "| name | n | x | week | ok |\n"
              "|---|---|---|---|---|\n"
              "| a\\|b c | -12 | 3738690 | 2024-01-01 | yes |\n"
              "|  |  | 1.20e-04 |  | no |\n"
              "| z |  | 42.0000 |  |  |\n");
    omen_table_free(t);
}

Test(markdown, no_rows)
{
    omen_table *t = omen_table_new("empty");
    omen_table_add_column(t, "a", OMEN_COL_INT);
    expect(t, "| a |\n|---|\n\n(no rows)\n");
    omen_table_free(t);
}

Test(markdown, select)
{
    omen_table *t = sample();
    const char *cols[] = {"x", "missing", "name"};
    size_t rows[] = {2, 0, 2};
    omen_table *v = omen_table_select(t, "view", cols, 3, rows, 3);
    cr_assert_str_eq(omen_table_name(v), "view");
    cr_assert_eq(omen_table_ncols(v), 2);
    cr_assert_eq(omen_table_nrows(v), 3);
    expect(v, "| x | name |\n|---|---|\n| 42.0000 | z |\n| 3738690 | a\\|b c |\n"
              "| 42.0000 | z |\n");
    omen_table_free(t); /* the view owns copies */
    cr_assert_str_eq(omen_table_text(v, 1, 1), "a|b\nc");
    omen_table_free(v);
}
