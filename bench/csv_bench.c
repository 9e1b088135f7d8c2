/* csv_bench.c: CSV splitting throughput of omen_csv_next against libcsv on the same buffer.
 *
 * Usage: csv_bench [FILE]. A missing FILE is first generated (seeded, ~500 MB of
 * `model,week,downloads`, some fields quoted); with no argument a temporary file is used.
 * Prints MB/s (10^6 bytes) of each, best of 3, and the ratio; bench/run parses the lines that
 * start with "omen_csv" and "libcsv". */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/util/csv.h"
#include "../src/util/fileio.h"

#define TARGET_BYTES (500ull * 1000 * 1000)
#define RUNS         3

typedef struct {
    uint64_t records, fields, sum;
} tally;

/* ---------------------------------------------------------------- generator */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Heavy-tailed counts, like real downloads: most small, a few in the millions. */
static uint64_t downloads(uint64_t *s)
{
    uint64_t r = splitmix(s);
    int bits = (int)(r % 24);
    return (r >> 8) & ((1ULL << bits) - 1);
}

static int generate(const char *path)
{
    static const char *const words[] = {"llama", "bert",  "gpt2", "mistral", "qwen",
                                        "phi",   "gemma", "t5",   "whisper", "stable-diffusion"};
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    setvbuf(f, NULL, _IOFBF, 1 << 22);
    uint64_t seed = 20240101, written = 0, row = 0;
    written += (uint64_t)fprintf(f, "model,week,downloads\n");
    while (written < TARGET_BYTES) {
        uint64_t r = splitmix(&seed);
        unsigned org = (unsigned)(r % 50000), model = (unsigned)((r >> 20) % 1000000);
        const char *w = words[(r >> 40) % 10];
        int week = (int)((r >> 50) % 265);
        int y = 2020 + week / 53, wk = week % 52 + 1;
        int day = 1 + (wk * 7) % 28, mon = 1 + wk / 5 % 12;
        int n;
        if (row % 20 == 7) /* a name with a comma: must be quoted */
            n = fprintf(f, "\"org%u/%s, v%u\",%04d-%02d-%02d,%llu\n", org, w, model, y, mon, day,
                        (unsigned long long)downloads(&seed));
        else if (row % 200 == 13) /* doubled quotes inside */
            n = fprintf(f, "\"org%u/%s \"\"%u\"\"\",%04d-%02d-%02d,%llu\n", org, w, model, y, mon,
                        day, (unsigned long long)downloads(&seed));
        else
            n = fprintf(f, "org%u/%s-%u,%04d-%02d-%02d,%llu\n", org, w, model, y, mon, day,
                        (unsigned long long)downloads(&seed));
        if (n < 0)
            break;
        written += (uint64_t)n;
        row++;
    }
    return fclose(f) == 0 && written >= TARGET_BYTES ? 0 : -1;
}

/* ---------------------------------------------------------------- parsers */

static uint64_t parse_u64(const char *p, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)p[i] - '0';
        if (d > 9)
            return 0;
        v = v * 10 + d;
    }
    return v;
}

static tally run_omen(char *buf, size_t len)
{
    tally t = {0, 0, 0};
    omen_csv csv;
    omen_field f[8];
    size_t n;
    omen_csv_result r;
    omen_csv_init(&csv, buf, len);
    while ((r = omen_csv_next(&csv, f, 8, &n)) != OMEN_CSV_END) {
        if (r < 0)
            break;
        t.records++;
        t.fields += n;
        if (n >= 3)
            t.sum += parse_u64(f[2].ptr, f[2].len);
    }
    return t;
}

typedef struct {
    tally t;
    size_t col;
} libcsv_ctx;

static void on_field(void *s, size_t len, void *data)
{
    libcsv_ctx *c = data;
    if (c->col == 2)
        c->t.sum += parse_u64(s, len);
    c->col++;
    c->t.fields++;
}

static void on_row(int ch, void *data)
{
    libcsv_ctx *c = data;
    (void)ch;
    c->col = 0;
    c->t.records++;
}

static tally run_libcsv(char *buf, size_t len)
{
    struct csv_parser p;
    libcsv_ctx c = {{0, 0, 0}, 0};
    if (csv_init(&p, 0) != 0)
        return c.t;
    csv_parse(&p, buf, len, on_field, on_row, &c);
    csv_fini(&p, on_field, on_row, &c);
    csv_free(&p);
    return c.t;
}

/* Best of RUNS on a fresh copy each time (omen unescapes in place). */
static double best_mbps(tally (*fn)(char *, size_t), const char *src, char *work, size_t len,
                        tally *out)
{
    double best = 1e30;
    for (int i = 0; i < RUNS; i++) {
        memcpy(work, src, len);
        double t0 = omen_now();
        *out = fn(work, len);
        double dt = omen_now() - t0;
        if (dt < best)
            best = dt;
    }
    return (double)len / 1e6 / best;
}

int main(int argc, char **argv)
{
    char tmpdir[] = "/tmp/omen-csv-bench.XXXXXX", path[512];
    int own = argc < 2;
    if (own) {
        if (!mkdtemp(tmpdir)) {
            perror("csv_bench: mkdtemp");
            return 1;
        }
        snprintf(path, sizeof path, "%s/downloads.csv", tmpdir);
    } else {
        snprintf(path, sizeof path, "%s", argv[1]);
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "csv_bench: generating %s ...\n", path);
        double t0 = omen_now();
        if (generate(path) != 0) {
            fprintf(stderr, "csv_bench: cannot write %s: %s\n", path, strerror(errno));
            return 1;
        }
        fprintf(stderr, "csv_bench: generated in %.1f s\n", omen_now() - t0);
    }
    char *data;
    size_t len;
    if (omen_file_read(path, &data, &len) != 0) {
        fprintf(stderr, "csv_bench: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *work = malloc(len + 1);
    if (!work) {
        fprintf(stderr, "csv_bench: out of memory\n");
        return 1;
    }
    tally a, b;
    double omen = best_mbps(run_omen, data, work, len, &a);
    double lib = best_mbps(run_libcsv, data, work, len, &b);
    printf("file      %s  %.1f MB  %llu records  %llu fields\n", path, (double)len / 1e6,
           (unsigned long long)a.records, (unsigned long long)a.fields);
    printf("omen_csv  %8.1f MB/s  (best of %d, sum %llu)\n", omen, RUNS, (unsigned long long)a.sum);
    printf("libcsv    %8.1f MB/s  (best of %d, sum %llu)\n", lib, RUNS, (unsigned long long)b.sum);
    printf("ratio     %8.2fx  omen_csv / libcsv\n", omen / lib);
    int agree = a.records == b.records && a.fields == b.fields && a.sum == b.sum;
    if (!agree)
        fprintf(stderr, "csv_bench: omen and libcsv disagree (records %llu vs %llu)\n",
                (unsigned long long)a.records, (unsigned long long)b.records);
    free(work);
    free(data);
    if (own) {
        unlink(path);
        rmdir(tmpdir);
    }
    return agree ? 0 : 1;
}
