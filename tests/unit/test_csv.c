/* test_csv.c: unit tests of the CSV splitter: quoting, line endings, line numbers, limits. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/csv.h"

#define MAXF 8

/* A writable copy with no terminator after it, so reads past the end show under ASan. */
static char *dup_buf(const char *s, size_t len)
{
    char *b = malloc(len ? len : 1);
    memcpy(b, s, len);
    return b;
}

static int field_is(const omen_field *f, const char *want)
{
    return f->len == strlen(want) && memcmp(f->ptr, want, f->len) == 0;
}

static void expect_record(omen_csv *csv, uint64_t line, size_t n, const char *const *want)
{
    omen_field f[MAXF];
    size_t nf = 99;
    omen_csv_result r = omen_csv_next(csv, f, MAXF, &nf);
    cr_assert_eq(r, OMEN_CSV_RECORD, "expected a record at line %llu, got %d",
                 (unsigned long long)line, r);
    cr_assert_eq(csv->line, line, "record line %llu, want %llu", (unsigned long long)csv->line,
                 (unsigned long long)line);
    cr_assert_eq(nf, n, "line %llu: %zu fields, want %zu", (unsigned long long)line, nf, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(field_is(&f[i], want[i]), "line %llu field %zu: got '%.*s', want '%s'",
                  (unsigned long long)line, i, (int)f[i].len, f[i].ptr, want[i]);
}

static void expect_end(omen_csv *csv)
{
    omen_field f[MAXF];
    size_t nf;
    cr_assert_eq(omen_csv_next(csv, f, MAXF, &nf), OMEN_CSV_END);
    cr_assert_eq(omen_csv_next(csv, f, MAXF, &nf), OMEN_CSV_END, "END must be sticky");
}

#define REC(csv, line, ...)                                                                        \
    do {                                                                                           \
        const char *const w_[] = {__VA_ARGS__};                                                    \
        expect_record(csv, line, sizeof w_ / sizeof w_[0], w_);                                    \
    } while (0)

Test(csv, plain_records)
{
    const char s[] = "model,week,downloads\norg/a,2024-01-01,12\norg/b,2024-01-08,0\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "model", "week", "downloads");
    REC(&c, 2, "org/a", "2024-01-01", "12");
    REC(&c, 3, "org/b", "2024-01-08", "0");
    expect_end(&c);
    free(b);
}

Test(csv, missing_final_newline_and_empty_fields)
{
    const char s[] = "a,,c\n,,\nx,y,";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "a", "", "c");
    REC(&c, 2, "", "", "");
    REC(&c, 3, "x", "y", "");
    expect_end(&c);
    free(b);
}

Test(csv, crlf_and_empty_lines)
{
    const char s[] = "\r\n\na,b\r\n\r\n\r\nc,d\r\ne,\"f\"\r\n\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 3, "a", "b");
    REC(&c, 6, "c", "d");
    REC(&c, 7, "e", "f");
    expect_end(&c);
    free(b);
}

Test(csv, lone_cr_stays_in_field)
{
    const char s[] = "a\rb,c\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "a\rb", "c");
    expect_end(&c);
    free(b);
}

Test(csv, quoted_fields_and_doubled_quotes)
{
    const char s[] = "\"org/a,b\",\"say \"\"hi\"\"\",\"\"\n\"\"\"\",x\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "org/a,b", "say \"hi\"", "");
    REC(&c, 2, "\"", "x");
    expect_end(&c);
    free(b);
}

Test(csv, embedded_newlines_count_lines)
{
    /* Record 2 spans lines 2-4; record 3 starts on line 5, record 4 (after a blank) on 7. */
    const char s[] = "h1,h2\n\"multi\nline\r\nvalue\",2\nnext,3\n\nlast,\"a\n\"\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "h1", "h2");
    REC(&c, 2, "multi\nline\r\nvalue", "2");
    cr_assert_eq(c.next_line, 5);
    REC(&c, 5, "next", "3");
    REC(&c, 7, "last", "a\n");
    cr_assert_eq(c.next_line, 9);
    expect_end(&c);
    free(b);
}

Test(csv, quoted_field_crlf_after_closing_quote)
{
    const char s[] = "\"a\"\r\n\"b\r\"\r\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "a");
    REC(&c, 2, "b\r"); /* a CR inside quotes is data */
    expect_end(&c);
    free(b);
}

Test(csv, lenient_quotes)
{
    /* A quote inside an unquoted field is literal; text after a closing quote is appended. */
    const char s[] = "ab\"c,\"x\"yz,5\"\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "ab\"c", "xyz", "5\"");
    expect_end(&c);
    free(b);
}

Test(csv, unterminated_quote)
{
    const char s[] = "a,b\n\"open,\nnever closed\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_field f[MAXF];
    size_t nf;
    omen_csv_init(&c, b, sizeof s - 1);
    REC(&c, 1, "a", "b");
    cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_UNTERMINATED);
    cr_assert_eq(c.line, 2, "the error is reported at the line the record starts on");
    cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_END);
    free(b);
}

Test(csv, too_many_fields_skips_the_record)
{
    const char s[] = "1,2,3,4\n5,6\n";
    char *b = dup_buf(s, sizeof s - 1);
    omen_csv c;
    omen_field f[3];
    size_t nf;
    omen_csv_init(&c, b, sizeof s - 1);
    cr_assert_eq(omen_csv_next(&c, f, 3, &nf), OMEN_CSV_TOO_MANY);
    cr_assert_eq(nf, 3);
    cr_assert(field_is(&f[2], "3"));
    cr_assert_eq(omen_csv_next(&c, f, 3, &nf), OMEN_CSV_RECORD);
    cr_assert_eq(c.line, 2);
    cr_assert_eq(nf, 2);
    cr_assert(field_is(&f[0], "5") && field_is(&f[1], "6"));
    free(b);
}

Test(csv, empty_buffer_and_only_blank_lines)
{
    omen_csv c;
    omen_field f[MAXF];
    size_t nf;
    omen_csv_init(&c, NULL, 0);
    cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_END);
    char b[] = "\n\r\n\n";
    omen_csv_init(&c, b, 4);
    cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_END);
}

Test(csv, long_fields_cross_word_boundaries)
{
    /* Fields of every length 0..40, so each delimiter position within an 8-byte word is hit. */
    size_t cap = 64 * 1024, n = 0;
    char *b = malloc(cap);
    for (int len = 0; len <= 40; len++) {
        for (int i = 0; i < len; i++)
            b[n++] = (char)('a' + i % 26);
        b[n++] = ',';
        for (int i = 0; i < 40 - len; i++)
            b[n++] = 'z';
        b[n++] = '\n';
    }
    omen_csv c;
    omen_field f[MAXF];
    size_t nf;
    omen_csv_init(&c, b, n);
    for (int len = 0; len <= 40; len++) {
        cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_RECORD);
        cr_assert_eq(nf, 2);
        cr_assert_eq(f[0].len, (size_t)len);
        cr_assert_eq(f[1].len, (size_t)(40 - len));
        cr_assert_eq(c.line, (uint64_t)len + 1);
    }
    cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_END);
    free(b);
}

Test(csv, many_records_line_numbers)
{
    size_t n = 0, cap = 100000 * 40;
    char *b = malloc(cap);
    for (int i = 0; i < 100000; i++) {
        if (i % 7 == 3)
            n += (size_t)snprintf(b + n, cap - n, "\"m,%d\nx\",%d\r\n", i, i);
        else
            n += (size_t)snprintf(b + n, cap - n, "m%d,%d\n", i, i);
    }
    omen_csv c;
    omen_field f[MAXF];
    size_t nf;
    uint64_t line = 1;
    omen_csv_init(&c, b, n);
    for (int i = 0; i < 100000; i++) {
        cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_RECORD);
        cr_assert_eq(c.line, line);
        cr_assert_eq(nf, 2);
        cr_assert_eq(strtol(f[1].ptr, NULL, 10), i);
        line += i % 7 == 3 ? 2 : 1;
    }
    cr_assert_eq(omen_csv_next(&c, f, MAXF, &nf), OMEN_CSV_END);
    free(b);
}
