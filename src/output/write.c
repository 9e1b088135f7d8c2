/* write.c: the writers of a result table (aligned text, CSV, JSON, Markdown) into a FILE* or a
 * heap string, through one buffered sink (and the Atom feed of atom.c for alerts tables).
 *
 * The JSON writer is hand-written rather than built on cJSON: cJSON_PrintUnformatted needs a
 * tree with a heap node and a key copy for every cell before it prints anything. Measured on a
 * 200,000-row, 10-column table (2 M cells, 49 MB of JSON): this writer takes 0.07 s into a
 * FILE (no memory beyond its 64 KB buffer) and 0.25 s into a heap string (+47 MB, the string
 * itself); the cJSON tree plus cJSON_PrintUnformatted takes 1.8 s and +304 MB. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "atom.h"
#include "table_internal.h"

/* ---------------------------------------------------------------- buffered sink */

/* Bytes go into buf; with a FILE the buffer is flushed when full, without one it grows (the
 * heap string of omen_table_to_string). */
typedef struct {
    char *buf;
    size_t len, cap;
    FILE *f;
    int error; /* errno of the first failed write, 0 if none */
} sink;

#define SINK_FILE_BUFFER (64 * 1024)

static void sink_flush(sink *s)
{
    if (s->f && s->len) {
        if (!s->error && fwrite(s->buf, 1, s->len, s->f) != s->len)
            s->error = errno ? errno : EIO;
        s->len = 0;
    }
}

/* Makes room for n more bytes. */
static inline char *sink_room(sink *s, size_t n)
{
    if (s->len + n > s->cap) {
        sink_flush(s);
        if (s->len + n > s->cap) {
            size_t cap = s->cap ? s->cap : 256;
            while (cap < s->len + n)
                cap *= 2;
            s->buf = omen_xrealloc(s->buf, cap);
            s->cap = cap;
        }
    }
    return s->buf + s->len;
}

static inline void sink_put(sink *s, const char *p, size_t n)
{
    memcpy(sink_room(s, n), p, n);
    s->len += n;
}

static inline void sink_str(sink *s, const char *p)
{
    sink_put(s, p, strlen(p));
}

static inline void sink_char(sink *s, char c)
{
    *sink_room(s, 1) = c;
    s->len++;
}

static void sink_spaces(sink *s, size_t n)
{
    memset(sink_room(s, n), ' ', n);
    s->len += n;
}

/* ---------------------------------------------------------------- numbers */

static size_t format_int(char out[24], int64_t v)
{
    char tmp[24];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}

/* Exact powers of ten: 10^k for k <= 22 is representable, which the fast path relies on. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The 15 significant digits of a (1e-4 <= a < 1e15) as an integer m in [1e14, 1e15) with the
 * decimal exponent e of its first digit, rounded exactly as printf does. a * 10^(14-e) is
 * computed with its exact rounding error (fma); only when the product lies within 1e-12 of a
 * rounding midpoint do we give up (returns 0) and let snprintf decide. */
static uint64_t digits15(double a, int *e_out)
{
    int e = 14;
    while (e > 0 && a < pow10_exact[e])
        e--;
    if (e == 0 && a < 1.0) {
        e = -1;
        while (e > -4 && a * pow10_exact[-e] < 1.0)
            e--;
    }
    double scale = pow10_exact[14 - e];
    double p = a * scale;
    double err = fma(a, scale, -p);
    double r = floor(p);
    double d = (p - r) + err;
    if (fabs(d - 0.5) < 1e-12)
        return 0;
    uint64_t m = (uint64_t)r + (d > 0.5);
    if (m < 100000000000000ULL || m >= 1000000000000000ULL)
        return 0; /* e misjudged near a power of ten, or rounded up to 10^15 */
    *e_out = e;
    return m;
}

/* "%.15g" in fixed notation from the digits: trailing zeros and a bare point dropped. */
static size_t fixed_from_digits(char out[32], bool negative, uint64_t m, int e)
{
    char dig[15];
    for (int i = 14; i >= 0; i--, m /= 10)
        dig[i] = (char)('0' + m % 10);
    int ndig = 15;
    while (ndig > 1 && dig[ndig - 1] == '0')
        ndig--;
    size_t n = 0;
    if (negative)
        out[n++] = '-';
    if (e >= 0) {
        for (int i = 0; i <= e; i++)
            out[n++] = dig[i];
        if (ndig > e + 1)
            out[n++] = '.';
        for (int i = e + 1; i < ndig; i++)
            out[n++] = dig[i];
    } else {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = -1; i > e; i--)
            out[n++] = '0';
        for (int i = 0; i < ndig; i++)
            out[n++] = dig[i];
    }
    out[n] = '\0';
    return n;
}

size_t omen_output_format_real(char out[32], double x)
{
    double a = fabs(x);
    if (a >= 1e-4 && a < 1e15) {
        int e;
        uint64_t m = digits15(a, &e);
        if (m)
            return fixed_from_digits(out, x < 0, m, e);
    } else if (x == 0 && !signbit(x)) {
        out[0] = '0';
        out[1] = '\0';
        return 1;
    }
    int n = snprintf(out, 32, "%.15g", x);
    return n > 0 ? (size_t)n : 0;
}

static void put_int(sink *s, int64_t v)
{
    char *p = sink_room(s, 24);
    s->len += format_int(p, v);
}

static void put_real(sink *s, double v)
{
    char *p = sink_room(s, 32);
    s->len += omen_output_format_real(p, v);
}

static void put_date(sink *s, int64_t days)
{
    char d[11];
    omen_date_format((int32_t)days, d);
    sink_str(s, d);
}

/* ---------------------------------------------------------------- JSON */

static void sink_put_fn(void *ctx, const char *p, size_t n)
{
    sink_put(ctx, p, n);
}

/* A JSON string, through omen's one escaper (util/json.c). */
static void json_string(sink *s, const char *str)
{
    omen_json_quote(str, 0, sink_put_fn, s);
}

static void json_real(sink *s, double v)
{
    if (isfinite(v))
        put_real(s, v);
    else
        sink_put(s, "null", 4);
}

static void json_cell(sink *s, const omen_table_column *c, size_t row)
{
    if (c->null[row]) {
        sink_put(s, "null", 4);
        return;
    }
    const omen_cell *v = &c->cells[row];
    switch (c->type) {
    case OMEN_COL_TEXT:
        json_string(s, v->s);
        break;
    case OMEN_COL_INT:
        put_int(s, v->i);
        break;
    case OMEN_COL_REAL:
        json_real(s, v->r);
        break;
    case OMEN_COL_DATE:
        sink_char(s, '"');
        put_date(s, v->i);
        sink_char(s, '"');
        break;
    case OMEN_COL_BOOL:
        sink_str(s, v->i ? "true" : "false");
        break;
    }
}

static void json_meta_value(sink *s, const omen_table_meta_entry *e)
{
    switch (e->type) {
    case OMEN_COL_TEXT:
        json_string(s, e->value.s);
        break;
    case OMEN_COL_REAL:
        json_real(s, e->value.r);
        break;
    case OMEN_COL_BOOL:
        sink_str(s, e->value.i ? "true" : "false");
        break;
    default:
        put_int(s, e->value.i);
        break;
    }
}

static const char *type_name(omen_col_type type)
{
    switch (type) {
    case OMEN_COL_TEXT:
        return "text";
    case OMEN_COL_INT:
        return "int";
    case OMEN_COL_REAL:
        return "real";
    case OMEN_COL_DATE:
        return "date";
    case OMEN_COL_BOOL:
        return "bool";
    }
    return "text";
}

static void json_header(sink *s, const omen_table *t)
{
    sink_str(s, "{\"meta\":{");
    for (size_t m = 0; m < t->nmeta; m++) {
        if (m)
            sink_char(s, ',');
        json_string(s, t->meta[m].key);
        sink_char(s, ':');
        json_meta_value(s, &t->meta[m]);
    }
    sink_str(s, "},\"columns\":[");
    for (size_t c = 0; c < t->ncols; c++) {
        sink_str(s, c ? ",{\"name\":" : "{\"name\":");
        json_string(s, t->cols[c].name);
        sink_str(s, ",\"type\":\"");
        sink_str(s, type_name(t->cols[c].type));
        sink_str(s, "\"}");
    }
    sink_str(s, "],\"rows\":[");
}

/* Compact JSON with one row per line: valid for any parser, and diff- and grep-friendly. The
 * row keys ("name":) are escaped once, not once per cell. */
static void write_json(sink *s, const omen_table *t)
{
    json_header(s, t);
    sink keys = {0};
    size_t *key_end = omen_xmalloc((t->ncols + 1) * sizeof *key_end);
    for (size_t c = 0; c < t->ncols; c++) {
        sink_char(&keys, c ? ',' : '{');
        json_string(&keys, t->cols[c].name);
        sink_char(&keys, ':');
        key_end[c] = keys.len;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        sink_str(s, r ? ",\n" : "\n");
        size_t from = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            sink_put(s, keys.buf + from, key_end[c] - from);
            from = key_end[c];
            json_cell(s, &t->cols[c], r);
        }
        if (!t->ncols)
            sink_char(s, '{');
        sink_char(s, '}');
    }
    sink_str(s, t->nrows ? "\n]}\n" : "]}\n");
    free(key_end);
    free(keys.buf);
}

/* ---------------------------------------------------------------- CSV */

/* RFC 4180: a field is quoted only when it holds a comma, a quote or a line break. */
static void csv_text(sink *s, const char *str)
{
    if (!str[strcspn(str, ",\"\r\n")]) {
        sink_str(s, str);
        return;
    }
    sink_char(s, '"');
    for (const char *p = str; *p; p++) {
        if (*p == '"')
            sink_char(s, '"');
        sink_char(s, *p);
    }
    sink_char(s, '"');
}

static void csv_cell(sink *s, const omen_table_column *c, size_t row)
{
    if (c->null[row])
        return;
    const omen_cell *v = &c->cells[row];
    switch (c->type) {
    case OMEN_COL_TEXT:
        csv_text(s, v->s);
        break;
    case OMEN_COL_INT:
        put_int(s, v->i);
        break;
    case OMEN_COL_REAL:
        put_real(s, v->r);
        break;
    case OMEN_COL_DATE:
        put_date(s, v->i);
        break;
    case OMEN_COL_BOOL:
        sink_str(s, v->i ? "true" : "false");
        break;
    }
}

static void write_csv(sink *s, const omen_table *t)
{
    if (!t->ncols)
        return;
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            sink_char(s, ',');
        csv_text(s, t->cols[c].name);
    }
    sink_char(s, '\n');
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                sink_char(s, ',');
            csv_cell(s, &t->cols[c], r);
        }
        sink_char(s, '\n');
    }
}

/* ---------------------------------------------------------------- aligned text */

#define TEXT_CAP 60 /* display columns a text cell may take; longer text ends in an ellipsis */

/* Display width of UTF-8 text, one column per code point (wide CJK is not measured). */
static size_t utf8_width(const char *str)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)str; *p; p++)
        w += (*p & 0xC0) != 0x80;
    return w;
}

/* Writes text with control characters as spaces (a newline would break the layout), at most
 * `cap` columns (0: no cap); returns the columns written. */
static size_t put_plain_text(sink *s, const char *str, size_t cap)
{
    size_t w = utf8_width(str), cols = 0;
    bool cut = cap && w > cap;
    size_t limit = cut ? cap - 1 : w;
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        bool starts = (*p & 0xC0) != 0x80;
        if (starts && cols == limit)
            break;
        cols += starts;
        sink_char(s, *p < 0x20 || *p == 0x7F ? ' ' : (char)*p);
    }
    if (cut) {
        sink_put(s, "\xE2\x80\xA6", 3); /* U+2026 HORIZONTAL ELLIPSIS */
        cols++;
    }
    return cols;
}

static bool right_aligned(omen_col_type type)
{
    return type == OMEN_COL_INT || type == OMEN_COL_REAL;
}

/* A real column of whole counts (downloads summed as reals, weights): every value integral
 * and below 2^53, and some value above 1 so that shares and indices, which live in [0, 1],
 * keep their decimals even when they happen to be 0 or 1. The text view prints such a column
 * as integers ("3738690", not "3738690.0000"); CSV and JSON are not affected. */
static bool whole_column(const omen_table_column *c, size_t nrows)
{
    if (c->type != OMEN_COL_REAL)
        return false;
    bool big = false;
    for (size_t r = 0; r < nrows; r++) {
        if (c->null[r])
            continue;
        double v = c->cells[r].r;
        if (!isfinite(v) || fabs(v) >= 9007199254740992.0 || v != floor(v))
            return false;
        big = big || fabs(v) > 1;
    }
    return big;
}

/* A non-text cell as the text view shows it; returns the length (0 for NULL). */
static size_t view_scalar(const omen_table_column *c, size_t row, bool whole, char out[64])
{
    out[0] = '\0';
    if (c->null[row])
        return 0;
    const omen_cell *v = &c->cells[row];
    switch (c->type) {
    case OMEN_COL_INT:
        return format_int(out, v->i);
    case OMEN_COL_REAL: {
        if (whole)
            return format_int(out, (int64_t)v->r);
        /* %.4f of 1e300 is 300 digits long: beyond 1e40 the exponent form keeps cells narrow */
        int n = snprintf(out, 64, fabs(v->r) < 1e40 ? "%.4f" : "%.4e", v->r);
        return n > 0 ? (size_t)n : 0;
    }
    case OMEN_COL_DATE:
        omen_date_format((int32_t)v->i, out);
        return strlen(out);
    case OMEN_COL_BOOL:
        strcpy(out, v->i ? "true" : "false");
        return strlen(out);
    case OMEN_COL_TEXT:
        break;
    }
    return 0;
}

static size_t view_width(const omen_table_column *c, size_t row, bool whole)
{
    if (c->type == OMEN_COL_TEXT) {
        if (c->null[row])
            return 0;
        size_t w = utf8_width(c->cells[row].s);
        return w > TEXT_CAP ? TEXT_CAP : w;
    }
    char tmp[64];
    return view_scalar(c, row, whole, tmp);
}

/* Writes one aligned cell padded to width; the last column gets no trailing spaces. */
static void view_cell(sink *s, const omen_table_column *c, const char *text, size_t width,
                      bool last)
{
    bool right = right_aligned(c->type);
    size_t w = right ? utf8_width(text) : 0;
    if (right && w < width)
        sink_spaces(s, width - w);
    w = put_plain_text(s, text, TEXT_CAP);
    if (!right && !last && w < width)
        sink_spaces(s, width - w);
}

static void view_meta(sink *s, const omen_table *t)
{
    for (size_t m = 0; m < t->nmeta; m++) {
        const omen_table_meta_entry *e = &t->meta[m];
        sink_str(s, "# ");
        put_plain_text(s, e->key, 0); /* meta is read whole: no cap */
        sink_str(s, ": ");
        switch (e->type) {
        case OMEN_COL_TEXT:
            put_plain_text(s, e->value.s, 0);
            break;
        case OMEN_COL_REAL:
            put_real(s, e->value.r);
            break;
        case OMEN_COL_BOOL:
            sink_str(s, e->value.i ? "true" : "false");
            break;
        default:
            put_int(s, e->value.i);
            break;
        }
        sink_char(s, '\n');
    }
}

static void view_header(sink *s, const omen_table *t, const size_t *width)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            sink_spaces(s, 2);
        view_cell(s, &t->cols[c], t->cols[c].name, width[c], c + 1 == t->ncols);
    }
    sink_char(s, '\n');
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            sink_spaces(s, 2);
        memset(sink_room(s, width[c]), '-', width[c]);
        s->len += width[c];
    }
    sink_char(s, '\n');
}

static void write_view(sink *s, const omen_table *t)
{
    view_meta(s, t);
    if (!t->ncols)
        return;
    size_t *width = omen_xmalloc(t->ncols * sizeof *width);
    bool *whole = omen_xmalloc(t->ncols * sizeof *whole);
    for (size_t c = 0; c < t->ncols; c++) {
        size_t w = utf8_width(t->cols[c].name);
        width[c] = w > TEXT_CAP ? TEXT_CAP : w;
        whole[c] = whole_column(&t->cols[c], t->nrows);
        for (size_t r = 0; r < t->nrows; r++) {
            size_t cw = view_width(&t->cols[c], r, whole[c]);
            if (cw > width[c])
                width[c] = cw;
        }
    }
    view_header(s, t, width);
    char tmp[64];
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const omen_table_column *col = &t->cols[c];
            if (c)
                sink_spaces(s, 2);
            const char *text = col->type != OMEN_COL_TEXT ? tmp
                               : col->null[r]             ? ""
                                                          : col->cells[r].s;
            if (col->type != OMEN_COL_TEXT)
                view_scalar(col, r, whole[c], tmp);
            view_cell(s, col, text, width[c], c + 1 == t->ncols);
        }
        sink_char(s, '\n');
    }
    free(whole);
    free(width);
}

/* ---------------------------------------------------------------- Markdown */

/* Text in a pipe table: '|' escaped, line breaks and other control characters as spaces. */
static void md_text(sink *s, const char *str)
{
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        if (*p == '|')
            sink_put(s, "\\|", 2);
        else
            sink_char(s, *p < 0x20 || *p == 0x7F ? ' ' : (char)*p);
    }
}

/* A real for people: a whole count stored as a real as an integer, a p-value in exponent form,
 * anything else with 4 decimals. */
static void md_real(sink *s, double v)
{
    char out[64];
    if (v > -1e15 && v < 1e15 && (v >= 100 || v <= -100) && v == (double)(long long)v)
        snprintf(out, sizeof out, "%lld", (long long)v);
    else if (v != 0 && v > -0.001 && v < 0.001)
        snprintf(out, sizeof out, "%.2e", v);
    else
        snprintf(out, sizeof out, "%.4f", v);
    sink_str(s, out);
}

static void md_cell(sink *s, const omen_table_column *c, size_t row)
{
    if (c->null[row])
        return;
    const omen_cell *v = &c->cells[row];
    switch (c->type) {
    case OMEN_COL_TEXT:
        md_text(s, v->s);
        break;
    case OMEN_COL_INT:
        put_int(s, v->i);
        break;
    case OMEN_COL_REAL:
        md_real(s, v->r);
        break;
    case OMEN_COL_DATE:
        put_date(s, v->i);
        break;
    case OMEN_COL_BOOL:
        sink_str(s, v->i ? "yes" : "no");
        break;
    }
}

static void write_markdown(sink *s, const omen_table *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        sink_str(s, "| ");
        md_text(s, t->cols[c].name);
        sink_char(s, ' ');
    }
    sink_str(s, "|\n");
    for (size_t c = 0; c < t->ncols; c++)
        sink_str(s, "|---");
    sink_str(s, "|\n");
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            sink_str(s, "| ");
            md_cell(s, &t->cols[c], r);
            sink_char(s, ' ');
        }
        sink_str(s, "|\n");
    }
    if (!t->nrows)
        sink_str(s, "\n(no rows)\n");
}

/* ---------------------------------------------------------------- entry points */

static void write_any(sink *s, const omen_table *t, omen_format format)
{
    switch (format) {
    case OMEN_FORMAT_CSV:
        write_csv(s, t);
        break;
    case OMEN_FORMAT_JSON:
        write_json(s, t);
        break;
    case OMEN_FORMAT_TABLE:
        write_view(s, t);
        break;
    case OMEN_FORMAT_MARKDOWN:
        write_markdown(s, t);
        break;
    case OMEN_FORMAT_ATOM: { /* atom.c; callers check omen_output_atom_fits first */
        size_t n;
        char *feed = omen_output_atom(t, &n);
        sink_put(s, feed, n);
        free(feed);
        break;
    }
    }
}

omen_status omen_table_write(const omen_table *t, omen_format format, FILE *out, omen_error *err)
{
    if (format == OMEN_FORMAT_ATOM && !omen_output_atom_fits(t))
        return omen_error_set(err, OMEN_E_USAGE,
                              "--format atom is a feed of alerts (omen alerts), not of %s",
                              t->name && *t->name ? t->name : "this table");
    sink s = {.buf = omen_xmalloc(SINK_FILE_BUFFER), .cap = SINK_FILE_BUFFER, .f = out};
    write_any(&s, t, format);
    sink_flush(&s);
    free(s.buf);
    /* stdio buffers too: errors such as EPIPE or ENOSPC may only surface on the flush */
    errno = 0;
    if (fflush(out) != 0 && !s.error)
        s.error = errno ? errno : EIO;
    if (s.error || ferror(out))
        return omen_error_set(err, OMEN_E_IO, "writing the %s table: %s",
                              t->name && *t->name ? t->name : "result",
                              strerror(s.error ? s.error : EIO));
    return OMEN_OK;
}

char *omen_table_to_string(const omen_table *t, omen_format format, size_t *len)
{
    if (format == OMEN_FORMAT_ATOM && !omen_output_atom_fits(t))
        return NULL;
    sink s = {0};
    write_any(&s, t, format);
    sink_char(&s, '\0');
    if (len)
        *len = s.len - 1;
    return s.buf;
}
