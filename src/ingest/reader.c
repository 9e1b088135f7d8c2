/* reader.c: header matching, record splitting with error reporting, and the small field
 * parsers that every ingest reader shares. */
#include "reader.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/error.h"
#include "../util/fileio.h"

static omen_field trim(omen_field f)
{
    while (f.len && isspace((unsigned char)f.ptr[0])) {
        f.ptr++;
        f.len--;
    }
    while (f.len && isspace((unsigned char)f.ptr[f.len - 1]))
        f.len--;
    return f;
}

bool omen_field_eq(omen_field f, const char *s)
{
    return f.len == strlen(s) && memcmp(f.ptr, s, f.len) == 0;
}

bool omen_field_ieq(omen_field f, const char *s)
{
    return f.len == strlen(s) && strncasecmp(f.ptr, s, f.len) == 0;
}

void omen_reader_error(omen_reader *r, uint64_t line, const char *fmt, ...)
{
    /* Sized to the message: the allowed labels of a taxonomy field run past 512 bytes. */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = omen_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    msg[0] = 0;
    va_start(ap, fmt);
    if (n > 0)
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    omen_diag_add(r->diag, r->path, line, "%s", msg);
    free(msg);
}

void omen_reader_note(omen_reader *r, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = r->notes ? strlen(r->notes) : 0, add = strlen(msg);
    r->notes = omen_xrealloc(r->notes, old + add + 2);
    memcpy(r->notes + old, msg, add);
    r->notes[old + add] = '\n';
    r->notes[old + add + 1] = 0;
}

static bool matches(omen_field f, const omen_column_spec *spec)
{
    if (omen_field_ieq(f, spec->name))
        return true;
    for (const char *const *a = spec->aliases; a && *a; a++)
        if (omen_field_ieq(f, *a))
            return true;
    return false;
}

static void add_unused(omen_reader *r, omen_field f)
{
    size_t old = r->unused ? strlen(r->unused) : 0;
    r->unused = omen_xrealloc(r->unused, old + f.len + 2);
    if (old)
        r->unused[old++] = ',';
    memcpy(r->unused + old, f.ptr, f.len);
    r->unused[old + f.len] = 0;
}

/* Skips a UTF-8 byte order mark, which spreadsheet exports put before the first header. */
static void skip_bom(omen_csv *csv)
{
    if (csv->len >= 3 && memcmp(csv->buf, "\xEF\xBB\xBF", 3) == 0)
        csv->pos = 3;
}

bool omen_reader_header(omen_reader *r, omen_csv *csv, const omen_column_spec *specs, size_t nspecs,
                        omen_header *h)
{
    omen_field fields[OMEN_MAX_COLUMNS];
    size_t n = 0;
    skip_bom(csv);
    for (size_t k = 0; k < nspecs; k++)
        h->index[k] = -1;
    uint64_t read_before = r->rows_read, bad_before = r->rows_bad;
    if (!omen_reader_next(r, csv, fields, &n)) {
        r->rows_read = read_before; /* a broken header is not a data row */
        r->rows_bad = bad_before;
        return false;
    }
    h->nfields = n;
    for (size_t i = 0; i < n; i++) {
        omen_field f = trim(fields[i]);
        bool used = false;
        for (size_t k = 0; k < nspecs && !used; k++)
            if (h->index[k] < 0 && matches(f, &specs[k])) {
                h->index[k] = (int)i;
                used = true;
            }
        if (!used)
            add_unused(r, f);
    }
    char missing[512] = "";
    size_t len = 0, nmissing = 0;
    for (size_t k = 0; k < nspecs; k++) {
        if (!specs[k].required || h->index[k] >= 0)
            continue;
        nmissing++;
        len += (size_t)snprintf(missing + len, sizeof missing - len, "%s'%s'", len ? ", " : "",
                                specs[k].name);
        for (const char *const *a = specs[k].aliases; a && *a && len < sizeof missing; a++)
            len += (size_t)snprintf(missing + len, sizeof missing - len, "%s%s",
                                    a == specs[k].aliases ? " (or " : ", ", *a);
        if (specs[k].aliases && specs[k].aliases[0] && len < sizeof missing)
            len += (size_t)snprintf(missing + len, sizeof missing - len, ")");
    }
    if (len) {
        omen_reader_error(r, csv->line, "missing required column%s %s", nmissing > 1 ? "s" : "",
                          missing);
        return false;
    }
    return true;
}

bool omen_reader_next(omen_reader *r, omen_csv *csv, omen_field *fields, size_t *nfields)
{
    for (;;) {
        omen_csv_result res = omen_csv_next(csv, fields, OMEN_MAX_COLUMNS, nfields);
        if (res == OMEN_CSV_RECORD)
            return true;
        if (res == OMEN_CSV_END) {
            if (!r->refill || !r->refill(r))
                return false;
            /* Blocks hold whole lines, so the numbering simply goes on. */
            uint64_t next = csv->next_line;
            omen_csv_init(csv, r->data, r->len);
            csv->next_line = next;
            continue;
        }
        if (res == OMEN_CSV_UNTERMINATED) {
            omen_reader_error(
                r, csv->line,
                "a quoted field is not closed before the end of the file (truncated file?)");
            /* The cut-off record is a rejected row, so --skip-bad counts it. */
            r->rows_read++;
            r->rows_bad++;
            return false;
        }
        omen_reader_error(r, csv->line, "more than %d fields", OMEN_MAX_COLUMNS);
        r->rows_read++;
        r->rows_bad++;
    }
}

omen_field omen_reader_get(const omen_header *h, const omen_field *fields, size_t nfields, size_t k)
{
    omen_field none = {"", 0};
    int i = h->index[k];
    if (i < 0 || (size_t)i >= nfields)
        return none;
    return trim(fields[i]);
}

bool omen_parse_count(omen_field f, uint64_t *out, const char **why)
{
    return omen_parse_whole(f, OMEN_MAX_COUNT, out, why);
}

bool omen_parse_whole(omen_field f, uint64_t max, uint64_t *out, const char **why)
{
    const char *too_large = max == OMEN_MAX_COUNT ? "above the maximum of 1099511627775 (2^40 - 1)"
                                                  : "too large (above 2^63 - 1)";
    f = trim(f);
    if (f.len == 0) {
        *why = "empty";
        return false;
    }
    if (f.ptr[0] == '-') {
        *why = "negative";
        return false;
    }
    uint64_t v = 0;
    size_t i = 0;
    for (; i < f.len && isdigit((unsigned char)f.ptr[i]); i++) {
        if (v > (UINT64_MAX - 9) / 10) {
            *why = too_large;
            return false;
        }
        v = v * 10 + (uint64_t)(f.ptr[i] - '0');
    }
    if (i == f.len && i > 0) {
        if (v > max) {
            *why = too_large;
            return false;
        }
        *out = v;
        return true;
    }
    /* Decimal or exponent forms written by spreadsheets and pandas: must be whole. */
    char buf[64];
    if (f.len >= sizeof buf) {
        *why = "not a number";
        return false;
    }
    memcpy(buf, f.ptr, f.len);
    buf[f.len] = 0;
    char *end = NULL;
    double d = strtod(buf, &end);
    /* strtod also reads hexadecimal ("0x10"), which no count column means. */
    if (end == buf || *end || !isfinite(d) || !(isdigit((unsigned char)buf[0]) || buf[0] == '.') ||
        strpbrk(buf, "xX")) {
        *why = "not a number";
        return false;
    }
    if (d < 0) {
        *why = "negative";
        return false;
    }
    if (d != floor(d)) {
        *why = "not a whole number";
        return false;
    }
    if (d > (double)max) {
        *why = too_large;
        return false;
    }
    *out = (uint64_t)d;
    return true;
}

bool omen_parse_model_id(omen_field *f)
{
    *f = trim(*f);
    static const char *const prefixes[] = {"https://huggingface.co/", "http://huggingface.co/",
                                           "huggingface.co/", NULL};
    for (const char *const *p = prefixes; *p; p++) {
        size_t n = strlen(*p);
        if (f->len > n && strncasecmp(f->ptr, *p, n) == 0) {
            f->ptr += n;
            f->len -= n;
            break;
        }
    }
    if (f->len == 0 || f->len > OMEN_MAX_MODEL_ID)
        return false;
    for (size_t i = 0; i < f->len; i++) {
        unsigned char c = (unsigned char)f->ptr[i];
        if (c <= ' ' || c == 127 || c == '"' || c == ',')
            return false;
    }
    return true;
}

omen_field omen_model_namespace(omen_field id)
{
    const char *slash = memchr(id.ptr, '/', id.len);
    if (slash)
        id.len = (size_t)(slash - id.ptr);
    return id;
}

uint32_t *omen_index_slot(omen_index *ix, uint32_t id)
{
    if (id >= ix->cap) {
        size_t cap = ix->cap ? ix->cap : 1024;
        while (cap <= id)
            cap *= 2;
        ix->row_of = omen_xrealloc(ix->row_of, cap * sizeof(uint32_t));
        memset(ix->row_of + ix->cap, 0, (cap - ix->cap) * sizeof(uint32_t));
        ix->cap = cap;
    }
    return &ix->row_of[id];
}

void omen_index_free(omen_index *ix)
{
    free(ix->row_of);
    ix->row_of = NULL;
    ix->cap = 0;
}

void omen_obs_push(omen_obs_list *obs, uint32_t model, int32_t day, uint64_t count, uint64_t where)
{
    if (obs->n == obs->cap) {
        obs->cap = obs->cap ? obs->cap * 2 : 1 << 16;
        obs->v = omen_xrealloc(obs->v, obs->cap * sizeof *obs->v);
    }
    obs->v[obs->n++] = (omen_obs){model, day, count, where};
}

void omen_report_not_text(omen_diag *d, const char *path, const char *data, size_t bad)
{
    uint64_t line = 1;
    for (const char *p = data, *e = data + bad; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        line++;
    unsigned byte = (unsigned char)data[bad];
    /* Within the sniffed start the whole file is judged (a binary file); later, one stray byte
     * is named where it is. Either way the file is refused: one rule for every reader. */
    if (bad < OMEN_SNIFF_BYTES)
        omen_diag_add(d, path, 1,
                      "the file is binary, not CSV or JSON Lines text (byte 0x%02x at offset %zu, "
                      "line %llu, is %s)",
                      byte, bad, (unsigned long long)line, byte ? "not UTF-8" : "a NUL");
    else
        omen_diag_add(d, path, line,
                      "byte 0x%02x at offset %zu is %s: every input must be UTF-8 text "
                      "throughout",
                      byte, bad, byte ? "not UTF-8" : "a NUL");
}

bool omen_json_has_nul(const char *s, size_t len)
{
    /* Only an escape can put a NUL in a JSON string (a raw one fails the text check); an
     * escaped backslash ("\\u0000") is skipped as a pair, so it is not mistaken for one. */
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '\\')
            continue;
        if (s[i + 1] == 'u' && i + 5 < len && memcmp(s + i + 2, "0000", 4) == 0)
            return true;
        i++;
    }
    return false;
}

const char *omen_model_id_why(omen_field raw, char *buf, size_t cap)
{
    omen_field id = raw;
    if (omen_parse_model_id(&id)) {
        snprintf(buf, cap, "model id '%.*s' is valid", (int)id.len, id.ptr);
        return buf;
    }
    /* What omen_parse_model_id refused, named: a long id is shown cut short (a 1 MB id in a
     * message helps nobody), with its length. */
    id = trim(raw);
    if (id.len == 0)
        snprintf(buf, cap, "model id is empty");
    else if (id.len > OMEN_MAX_MODEL_ID)
        snprintf(buf, cap, "model id '%.40s...' is %zu bytes long, above the maximum of %d", id.ptr,
                 id.len, OMEN_MAX_MODEL_ID);
    else
        snprintf(buf, cap, "model id '%.*s' has a space, control character, quote or comma",
                 (int)(id.len < 300 ? id.len : 300), id.ptr);
    return buf;
}

uint32_t omen_metadata_seen_slot(omen_metadata_seen *s, const char *name, size_t len)
{
    uint32_t id = omen_intern_add(&s->names, name, len);
    if (id >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1 << 16;
        while (cap <= id)
            cap *= 2;
        uint64_t **arrays[] = {&s->hash, &s->noedge, &s->raw};
        for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
            *arrays[k] = omen_xrealloc(*arrays[k], cap * sizeof **arrays[k]);
            memset(*arrays[k] + s->cap, 0, (cap - s->cap) * sizeof **arrays[k]);
        }
        s->cap = cap;
    }
    return id;
}

void omen_metadata_seen_free(omen_metadata_seen *s)
{
    omen_intern_free(&s->names);
    free(s->hash);
    free(s->noedge);
    free(s->raw);
}

uint64_t omen_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

uint64_t omen_fnv_str(uint64_t h, const omen_intern *t, uint32_t id)
{
    if (id == UINT32_MAX)
        return omen_fnv(h, "\xff", 1);
    const char *s = omen_intern_str(t, id);
    return omen_fnv(h, s, strlen(s) + 1);
}

uint64_t omen_model_row_hash(const omen_rows *rows, const omen_model_row *m)
{
    uint32_t fields = m->fields & ~(uint32_t)OMEN_MF_UNCHANGED;
    uint64_t h = omen_fnv(0xcbf29ce484222325ull, &fields, sizeof fields);
    h = omen_fnv(h, &m->created, sizeof m->created);
    h = omen_fnv(h, &m->params, sizeof m->params);
    h = omen_fnv(h, &m->file_bytes, sizeof m->file_bytes);
    const uint32_t strs[] = {m->developer, m->pipeline_tag,  m->library,   m->license,
                             m->gated,     m->params_source, m->languages, m->tags};
    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++)
        h = omen_fnv_str(h, &rows->strings, strs[k]);
    return h;
}
