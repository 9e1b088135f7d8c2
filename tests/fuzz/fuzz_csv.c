/* clang-format off */
/* Run: clang -g -O1 -fsanitize=fuzzer,address -Iinclude tests/fuzz/fuzz_csv.c src/util/csv.c src/util/dates.c -o /tmp/fuzz_csv && /tmp/fuzz_csv -max_total_time=60 */
/* clang-format on */
/* fuzz_csv.c: libFuzzer target for the CSV splitter and the date parser. The splitter is
 * checked against a byte-at-a-time reference with the same (lenient) rules, and parsed dates
 * must round-trip through omen_date_format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/csv.h"
#include "../../src/util/dates.h"
#include "omen/omen.h"

#define MAXF 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---------------------------------------------------------------- reference splitter */

typedef struct {
    const char *s;
    size_t len, pos;
    uint64_t next_line;
} ref;

typedef struct {
    char *text; /* fields back to back */
    size_t off[MAXF + 1];
    size_t n;
    uint64_t line;
    int result;
} ref_record;

/* One record, by the rules in csv.h: see csv.c for the why of each. */
static void ref_next(ref *r, ref_record *out)
{
    const char *s = r->s;
    size_t len = r->len, w = 0;
    out->n = 0;
    for (;;) {
        if (r->pos < len && s[r->pos] == '\n') {
            r->pos++;
            r->next_line++;
        } else if (r->pos + 1 < len && s[r->pos] == '\r' && s[r->pos + 1] == '\n') {
            r->pos += 2;
            r->next_line++;
        } else if (r->pos + 1 == len && s[r->pos] == '\r') {
            r->pos++;
        } else {
            break;
        }
    }
    if (r->pos >= len) {
        out->result = OMEN_CSV_END;
        return;
    }
    out->line = r->next_line;
    int too_many = 0;
    for (;;) {
        size_t fstart = w;
        size_t unq_start;
        if (r->pos < len && s[r->pos] == '"') {
            r->pos++;
            for (;;) {
                if (r->pos >= len) {
                    out->result = OMEN_CSV_UNTERMINATED;
                    return;
                }
                char c = s[r->pos];
                if (c == '"') {
                    if (r->pos + 1 < len && s[r->pos + 1] == '"') {
                        out->text[w++] = '"';
                        r->pos += 2;
                        continue;
                    }
                    r->pos++;
                    break;
                }
                if (c == '\n')
                    r->next_line++;
                out->text[w++] = c;
                r->pos++;
            }
        }
        unq_start = w;
        while (r->pos < len && s[r->pos] != ',' && s[r->pos] != '\n')
            out->text[w++] = s[r->pos++];
        int comma = r->pos < len && s[r->pos] == ',';
        int newline = r->pos < len && s[r->pos] == '\n';
        if (!comma && w > unq_start && out->text[w - 1] == '\r')
            w--;
        if (out->n < MAXF) {
            out->off[out->n] = fstart;
            out->off[out->n + 1] = w;
            out->n++;
        } else {
            too_many = 1;
            w = fstart;
        }
        if (r->pos < len)
            r->pos++; /* the ',' or '\n' */
        if (!comma) {
            r->next_line += newline;
            break;
        }
    }
    out->result = too_many ? OMEN_CSV_TOO_MANY : OMEN_CSV_RECORD;
}

static void fuzz_csv(const uint8_t *data, size_t size)
{
    /* Exact-size heap copies, so ASan sees any read past the end. */
    char *buf = malloc(size ? size : 1), *text = malloc(size + 1);
    memcpy(buf, data, size);
    omen_csv csv;
    omen_field f[MAXF];
    size_t nf;
    ref r = {(const char *)data, size, 0, 1};
    ref_record rr = {text, {0}, 0, 0, 0};
    omen_csv_init(&csv, buf, size);
    for (;;) {
        size_t before = csv.pos;
        omen_csv_result res = omen_csv_next(&csv, f, MAXF, &nf);
        ref_next(&r, &rr);
        if ((int)res != rr.result)
            abort();
        if (res == OMEN_CSV_END || res == OMEN_CSV_UNTERMINATED) {
            if (res == OMEN_CSV_UNTERMINATED && csv.line != rr.line)
                abort();
            break;
        }
        if (csv.pos <= before || csv.pos > size || csv.pos != r.pos)
            abort();
        if (csv.line != rr.line || csv.next_line != r.next_line || nf != rr.n)
            abort();
        for (size_t i = 0; i < nf; i++) {
            size_t n = rr.off[i + 1] - rr.off[i];
            if (f[i].ptr < buf || f[i].ptr + f[i].len > buf + size)
                abort();
            if (f[i].len != n || memcmp(f[i].ptr, text + rr.off[i], n) != 0)
                abort();
        }
    }
    free(buf);
    free(text);
}

/* ---------------------------------------------------------------- dates */

static void fuzz_date(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    memcpy(s, data, size);
    int32_t days = 42;
    if (omen_date_parse(s, size, &days)) {
        int y, m, d;
        char out[11];
        omen_date_ymd(days, &y, &m, &d);
        if (!omen_date_valid(y, m, d) || y < 1969 || y > 2200)
            abort();
        if (omen_date_days(y, m, d) != days)
            abort();
        omen_date_format(days, out);
        int32_t again = 0;
        if (y >= 1970 && y <= 2199 && (!omen_date_parse(out, 10, &again) || again != days))
            abort();
        int32_t mon = omen_date_week_monday(days);
        if (omen_date_weekday(mon) != 0 || days - mon < 0 || days - mon > 6)
            abort();
    } else if (days != 42) {
        abort();
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_csv(data, size);
    if (size <= 64)
        fuzz_date(data, size);
    return 0;
}
