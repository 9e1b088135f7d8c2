/* test_util_misc.c: unit tests of diag, the progress bar and fileio (plain, gzip, sha256). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../src/util/diag.h"
#include "../../src/util/fileio.h"
#include "../../src/util/progress_bar.h"

/* ---------------------------------------------------------------- diag */

Test(diag, keeps_first_and_counts_rest)
{
    omen_diag d;
    omen_diag_init(&d, 2, 0);
    omen_diag_add(&d, "downloads.csv", 3, "negative count %d", -5);
    omen_diag_add(&d, "downloads.csv", 7, "unknown week format '%s'", "2024-13");
    omen_diag_add(&d, "downloads.csv", 9, "dropped");
    omen_diag_add(&d, "downloads.csv", 10, "dropped");
    cr_assert_eq(d.count, 4);
    cr_assert_eq(d.nlines, 2);
    cr_assert_null(d.all);
    char *t = omen_diag_text(&d);
    cr_assert_str_eq(t, "downloads.csv:3: negative count -5\n"
                        "downloads.csv:7: unknown week format '2024-13'\n"
                        "... and 2 more errors");
    free(t);
    omen_diag_free(&d);
    omen_diag_free(NULL);
}

Test(diag, formats_and_keep_all)
{
    omen_diag d;
    omen_diag_init(&d, 1, 1);
    omen_diag_add(&d, "f.csv", 0, "no header");
    omen_diag_add(&d, NULL, 12, "bad");
    omen_diag_add(&d, NULL, 0, "plain");
    cr_assert_eq(d.nall, 3);
    cr_assert_str_eq(d.all[0], "f.csv: no header");
    cr_assert_str_eq(d.all[1], "line 12: bad");
    cr_assert_str_eq(d.all[2], "plain");
    char *t = omen_diag_text(&d);
    cr_assert_str_eq(t, "f.csv: no header\n... and 2 more errors");
    free(t);
    omen_diag_free(&d);

    omen_diag_init(&d, 20, 0);
    t = omen_diag_text(&d);
    cr_assert_str_eq(t, "");
    free(t);
    omen_diag_add(&d, "a", 1, "x");
    t = omen_diag_text(&d);
    cr_assert_str_eq(t, "a:1: x", "no trailing newline, no 'more' line");
    free(t);
    omen_diag_free(&d);
}

/* ---------------------------------------------------------------- progress */

Test(progress, bar_percent_bytes_eta)
{
    char out[512];
    size_t n =
        omen_progress_render(out, sizeof out, 80, "ingest", 1200000000ULL, 2900000000ULL, 3.1, 1);
    cr_assert_eq(n, strlen(out));
    cr_assert_eq(out[0], '\r');
    cr_assert_eq(n, 80, "the line fills width - 1 columns after the CR: got %zu", n);
    cr_assert_not_null(strstr(out, "ingest ["), "%s", out);
    cr_assert_not_null(strstr(out, "]  41%  1.2 GB / 2.9 GB  3.1 s  ETA 4.4 s"), "%s", out);
    const char *open = strchr(out, '['), *close = strchr(out, ']');
    int hashes = 0, dots = 0;
    for (const char *p = open + 1; p < close; p++) {
        hashes += *p == '#';
        dots += *p == '.';
    }
    cr_assert_eq(hashes + dots, (int)(close - open - 1));
    cr_assert(hashes * 100 / (hashes + dots) >= 38 && hashes * 100 / (hashes + dots) <= 42,
              "%d of %d filled", hashes, hashes + dots);
}

Test(progress, counts_unknown_total_and_narrow)
{
    char out[512];
    omen_progress_render(out, sizeof out, 60, "rows", 1234567, 0, 75, 0);
    cr_assert_not_null(strstr(out, "\rrows  1.2M  1m15s"), "%s", out);
    cr_assert_null(strchr(out, '['), "no bar without a total");
    omen_progress_render(out, sizeof out, 60, "rows", 999, 2000, 1, 0);
    cr_assert_not_null(strstr(out, " 49%  999 / 2.0k  1.0 s  ETA 1.0 s"), "%s", out);
    omen_progress_render(out, sizeof out, 60, "rows", 5, 5, 7200, 0);
    cr_assert_not_null(strstr(out, "100%  5 / 5  2h00m"), "%s", out);
    cr_assert_null(strstr(out, "ETA"), "no ETA when done");
    /* Too narrow for a bar: the stats survive, the label is cut. */
    size_t n = omen_progress_render(out, sizeof out, 30, "a-very-long-phase-name", 50, 100, 1, 1);
    cr_assert_eq(n, 30);
    cr_assert_null(strchr(out, '['));
    cr_assert_not_null(strstr(out, "50 B / 100 B"), "%s", out);
    /* A small buffer truncates but stays terminated. */
    char tiny[8];
    n = omen_progress_render(tiny, sizeof tiny, 80, "x", 1, 2, 1, 0);
    cr_assert_eq(n, 7);
    cr_assert_eq(tiny[7], '\0');
}

/* ---------------------------------------------------------------- fileio */

static char *temp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/omen-test-%ld-%s", (long)getpid(), name);
    return path;
}

Test(fileio, sha256_known_vectors)
{
    char hex[65];
    omen_sha256_hex("abc", 3, hex);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    omen_sha256_hex("", 0, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(fileio, read_plain_and_gzip)
{
    const char text[] = "model,week,downloads\norg/a,2024-01-01,5\n";
    char *p = temp_path("plain.csv");
    FILE *f = fopen(p, "wb");
    fwrite(text, 1, sizeof text - 1, f);
    fclose(f);
    char *data;
    size_t len;
    cr_assert_eq(omen_file_read(p, &data, &len), 0);
    cr_assert_eq(len, sizeof text - 1);
    cr_assert_str_eq(data, text);
    free(data);
    unlink(p);

    /* gzip, two members concatenated, and large enough to need several reads. */
    p = temp_path("big.csv.gz");
    size_t n = 3000000;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    gzFile gz = gzopen(p, "wb");
    gzwrite(gz, big, (unsigned)(n / 2));
    gzclose(gz);
    gz = gzopen(p, "ab");
    gzwrite(gz, big + n / 2, (unsigned)(n - n / 2));
    gzclose(gz);
    cr_assert_eq(omen_file_read(p, &data, &len), 0);
    cr_assert_eq(len, n);
    cr_assert_eq(memcmp(data, big, n), 0);
    cr_assert_eq(data[n], '\0');
    free(data);

    /* Truncated gzip (cut inside the last member) is an error, not a short file. */
    FILE *g = fopen(p, "r+b");
    fseek(g, 0, SEEK_END);
    long size = ftell(g);
    fclose(g);
    cr_assert_eq(truncate(p, size - 12), 0);
    errno = 0;
    cr_assert_eq(omen_file_read(p, &data, &len), -1);
    cr_assert_eq(errno, EIO);
    unlink(p);
    free(big);
}

Test(fileio, read_errors_and_empty)
{
    char *data;
    size_t len;
    errno = 0;
    cr_assert_eq(omen_file_read("/nonexistent/omen/file.csv", &data, &len), -1);
    cr_assert_eq(errno, ENOENT);
    cr_assert_eq(omen_file_read("/tmp", &data, &len), -1);
    cr_assert_eq(errno, EISDIR);
    char *p = temp_path("empty.csv");
    fclose(fopen(p, "wb"));
    cr_assert_eq(omen_file_read(p, &data, &len), 0);
    cr_assert_eq(len, 0);
    cr_assert_eq(data[0], '\0');
    free(data);
    unlink(p);
}

Test(fileio, looks_binary)
{
    cr_assert(!omen_looks_binary("model,week\n", 11));
    cr_assert(!omen_looks_binary("\xef\xbb\xbfmodel,week\n", 14), "a BOM is fine");
    cr_assert(
        !omen_looks_binary("Türkiye,Côte d’Ivoire,日本,😀", strlen("Türkiye,Côte d’Ivoire,日本,😀")));
    cr_assert(omen_looks_binary("a\0b", 3));
    cr_assert(omen_looks_binary("caf\xe9", 4), "Latin-1 is not UTF-8");
    cr_assert(omen_looks_binary("\xc0\xaf", 2), "overlong");
    cr_assert(omen_looks_binary("\xed\xa0\x80", 3), "surrogate");
    cr_assert(omen_looks_binary("\xf4\x90\x80\x80", 4), "above U+10FFFF");
    cr_assert(omen_looks_binary("ab\xe2\x82", 4), "cut off at the end");
    cr_assert(omen_looks_binary("\x1f\x8b\x08\x00", 4), "gzip magic");
    /* Invalid UTF-8 after 64 KiB is not looked at; a NUL anywhere is. */
    size_t n = 70000;
    char *b = malloc(n);
    memset(b, 'x', n);
    b[68000] = (char)0xff;
    cr_assert(!omen_looks_binary(b, n));
    b[69000] = '\0';
    cr_assert(omen_looks_binary(b, n));
    free(b);
}

Test(fileio, monotonic_clock)
{
    double a = omen_now();
    usleep(20000);
    double b = omen_now();
    cr_assert(b - a >= 0.015 && b - a < 5.0, "elapsed %f", b - a);
}
