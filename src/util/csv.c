/* csv.c: the RFC 4180 splitter behind every CSV reader.
 *
 * Delimiters are searched 16 bytes at a time with SSE2 (8 at a time with SWAR elsewhere): a
 * block is tested for ',', '\n' and '"' at once, so a `model,week,downloads` line costs a few
 * loads. Quoted fields, rare in practice, go through memchr. */
#include "csv.h"

#include <string.h>
#if defined(__SSE2__) && !defined(OMEN_CSV_SWAR) /* OMEN_CSV_SWAR: test the portable path */
#include <emmintrin.h>
#endif

#define ONES 0x0101010101010101ULL
#define LOWS 0x7f7f7f7f7f7f7f7fULL

/* High bit set in each byte of x that is zero. Exact (no false positives from borrows), so the
 * lowest set bit always marks the first match. */
static inline uint64_t zero_bytes(uint64_t x)
{
    return ~(((x & LOWS) + LOWS) | x | LOWS);
}

static inline uint64_t special_bytes(uint64_t w)
{
    return zero_bytes(w ^ (ONES * ',')) | zero_bytes(w ^ (ONES * '\n')) |
           zero_bytes(w ^ (ONES * '"'));
}

static inline uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The first ',', '\n' or '"' in [p, end), or end. */
static inline char *find_special(char *p, const char *end)
{
#if defined(__SSE2__) && !defined(OMEN_CSV_SWAR)
    const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n'), qu = _mm_set1_epi8('"');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, nl)),
                                 _mm_cmpeq_epi8(v, qu));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (end - p >= 8) {
        uint64_t m = special_bytes(load64(p));
        if (m)
            return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
    while (p < end && *p != ',' && *p != '\n' && *p != '"')
        p++;
    return p;
}

static uint64_t count_newlines(const char *p, const char *end)
{
    uint64_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

void omen_csv_init(omen_csv *csv, char *buf, size_t len)
{
    csv->buf = buf;
    csv->len = len;
    csv->pos = 0;
    csv->line = 0;
    csv->next_line = 1;
}

/* Skips empty lines (LF, CRLF, and a lone CR at the very end of the buffer). */
static void skip_empty_lines(omen_csv *csv)
{
    const char *b = csv->buf;
    size_t pos = csv->pos, len = csv->len;
    for (;;) {
        if (pos < len && b[pos] == '\n') {
            pos++;
        } else if (pos + 1 < len && b[pos] == '\r' && b[pos + 1] == '\n') {
            pos += 2;
        } else if (pos + 1 == len && b[pos] == '\r') {
            pos++;
            break;
        } else {
            break;
        }
        csv->next_line++;
    }
    csv->pos = pos;
}

/* Where a field ends: at a ',' (more fields follow), a '\n' or the end of the buffer. */
typedef enum { END_COMMA, END_LINE, END_BUFFER } field_end;

typedef struct {
    char *p;           /* scan position */
    char *end;         /* end of buffer */
    uint64_t newlines; /* newlines seen inside quoted fields of this record */
} cursor;

/* Unquoted text from `start` up to the next delimiter, appended at `w` (which is `start` for a
 * plain unquoted field, or the write position after a quoted part). A quote inside unquoted
 * text is kept as a literal character: lenient, like most readers. */
static field_end scan_unquoted(cursor *c, char *start, char **w_end)
{
    char *w = start, *p = c->p, *q;
    for (;;) {
        q = find_special(p, c->end);
        if (q == c->end || *q != '"')
            break;
        q++; /* a literal quote: keep scanning past it */
        if (w != p)
            memmove(w, p, (size_t)(q - p));
        w += q - p;
        p = q;
    }
    if (w != p)
        memmove(w, p, (size_t)(q - p));
    w += q - p;
    field_end how = q == c->end ? END_BUFFER : (*q == ',' ? END_COMMA : END_LINE);
    /* CRLF: the CR belongs to the line end, not the field; so does a lone CR at the end. */
    if (how != END_COMMA && w > start && w[-1] == '\r')
        w--;
    c->p = q + (how == END_BUFFER ? 0 : 1);
    *w_end = w;
    return how;
}

/* A quoted field; c->p is just past the opening quote. The content is unescaped in place
 * starting at the opening quote's position `dst`. Returns -1 if the quote never closes. */
static int scan_quoted(cursor *c, char *dst, char **w_end, field_end *how)
{
    char *w = dst, *p = c->p;
    for (;;) {
        char *q = memchr(p, '"', (size_t)(c->end - p));
        if (!q) {
            c->newlines += count_newlines(p, c->end);
            c->p = c->end;
            return -1;
        }
        c->newlines += count_newlines(p, q);
        memmove(w, p, (size_t)(q - p));
        w += q - p;
        if (q + 1 < c->end && q[1] == '"') {
            *w++ = '"';
            p = q + 2;
            continue;
        }
        c->p = q + 1;
        break;
    }
    /* After the closing quote comes a delimiter; anything else is appended as unquoted text. */
    *how = scan_unquoted(c, w, w_end);
    return 0;
}

omen_csv_result omen_csv_next(omen_csv *csv, omen_field *fields, size_t max_fields, size_t *nfields)
{
    skip_empty_lines(csv);
    *nfields = 0;
    if (csv->pos >= csv->len)
        return OMEN_CSV_END;
    csv->line = csv->next_line;

    cursor c = {csv->buf + csv->pos, csv->buf + csv->len, 0};
    size_t n = 0;
    int too_many = 0;
    field_end how;
    do {
        char *start = c.p, *w;
        if (start < c.end && *start == '"') {
            c.p = start + 1;
            if (scan_quoted(&c, start, &w, &how) < 0) {
                csv->pos = csv->len;
                csv->next_line += c.newlines;
                *nfields = n;
                return OMEN_CSV_UNTERMINATED;
            }
        } else {
            how = scan_unquoted(&c, start, &w);
        }
        if (n < max_fields) {
            fields[n].ptr = start;
            fields[n].len = (size_t)(w - start);
            n++;
        } else {
            too_many = 1;
        }
    } while (how == END_COMMA);

    csv->pos = (size_t)(c.p - csv->buf);
    csv->next_line += c.newlines + (how == END_LINE);
    *nfields = n;
    return too_many ? OMEN_CSV_TOO_MANY : OMEN_CSV_RECORD;
}
