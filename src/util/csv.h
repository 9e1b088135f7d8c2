/* csv.h: a fast RFC 4180 CSV splitter over a whole in-memory buffer.
 *
 * Hand-written because the splitter is the ingest's hot loop: libcsv's per-byte callbacks run
 * at a fraction of the speed (bench/csv_bench measures both on the same file). Fields are
 * returned as views into the buffer; quoted fields with doubled quotes are unescaped in place,
 * so the buffer must be writable and outlive the fields. */
#ifndef OMEN_UTIL_CSV_H
#define OMEN_UTIL_CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *ptr;
    size_t len;
} omen_field;

typedef struct {
    char *buf;
    size_t len;
    size_t pos;
    uint64_t line;      /* 1-based line number where the current record starts */
    uint64_t next_line; /* line number where the next record starts */
} omen_csv;

typedef enum {
    OMEN_CSV_RECORD = 1,        /* a record was split */
    OMEN_CSV_END = 0,           /* no more records */
    OMEN_CSV_UNTERMINATED = -1, /* a quoted field runs to the end of the buffer */
    OMEN_CSV_TOO_MANY = -2      /* more fields than max_fields */
} omen_csv_result;

void omen_csv_init(omen_csv *csv, char *buf, size_t len);
/* Splits the next record into fields[0..*nfields). Handles quotes, embedded newlines, CRLF
 * and a missing final newline. Empty lines are skipped.
 *
 * Lenient where RFC 4180 is silent: a '"' inside an unquoted field is a literal character;
 * text after a closing quote is appended to the field ("a"b -> ab); a CR before the LF (or
 * before the end of the buffer) outside quotes is dropped, any other CR is data.
 * OMEN_CSV_TOO_MANY fills the first max_fields fields and consumes the whole record, so the
 * caller can report it and go on. OMEN_CSV_UNTERMINATED consumes the rest of the buffer (the
 * next call gives OMEN_CSV_END); csv->line is where the bad record starts. */
omen_csv_result omen_csv_next(omen_csv *csv, omen_field *fields, size_t max_fields,
                              size_t *nfields);

#endif
