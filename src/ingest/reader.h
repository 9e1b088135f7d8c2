/* reader.h: what every ingest reader shares: the per-file context, header matching with
 * column aliases, and the small parsers for counts, lists and ids.
 *
 * A reader turns one file into rows of an omen_rows batch and reports each bad row to the
 * diag as `file:line: reason`; it never touches the store. */
#ifndef OMEN_INGEST_READER_H
#define OMEN_INGEST_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "omen/omen.h"
#include "../store/rows.h"
#include "../util/csv.h"
#include "../util/diag.h"

/* One download observation as read: a weekly flow or a cumulative count at a date. `where`
 * packs the file index (high 16 bits) and line (low 48 bits) for error messages. */
typedef struct {
    uint32_t model; /* name id in rows->names */
    int32_t day;
    uint64_t count;
    uint64_t where;
} omen_obs;

typedef struct {
    omen_obs *v;
    size_t n, cap;
    const char *files[1 << 16];
    size_t nfiles;
    uint64_t *conflicts; /* per file: observations rejected as conflicting duplicates */
} omen_obs_list;

/* Appends one observation (growing the list by doubling). */
void omen_obs_push(omen_obs_list *obs, uint32_t model, int32_t day, uint64_t count, uint64_t where);

#define OMEN_WHERE(file, line) (((uint64_t)(file) << 48) | ((line)&0xFFFFFFFFFFFFull))
#define OMEN_WHERE_FILE(w)     ((size_t)((w) >> 48))
#define OMEN_WHERE_LINE(w)     ((w)&0xFFFFFFFFFFFFull)

/* A dense map from an interned id to a row index + 1 (0 = none), spanning the files of one
 * ingest, so a duplicate key is found in O(1). */
typedef struct {
    uint32_t *row_of;
    size_t cap;
} omen_index;

uint32_t *omen_index_slot(omen_index *ix, uint32_t id);
void omen_index_free(omen_index *ix);

typedef struct omen_reader omen_reader;
struct omen_reader {
    const char *path;
    char *data; /* whole file (or the current block of one), writable, NUL-terminated */
    size_t len;
    omen_rows *rows;
    omen_diag *diag;
    const omen_ingest_options *opt;
    uint64_t rows_read;
    uint64_t rows_bad;       /* rows with at least one error */
    uint64_t rows_unchanged; /* a folder week: rows read for their counts only (seen) */
    char *notes;             /* heap text appended with reader_note() */
    char *unused;            /* comma-separated unused columns */
    omen_obs_list *obs;      /* downloads: observations gathered across the files */
    uint16_t file_index;
    omen_index *model_rows;     /* models: name id -> model row */
    omen_index *developer_rows; /* developers: string id -> developer row */
    omen_index *edge_last;      /* edges: child name id -> its last edge row */
    uint32_t **edge_prev;       /* edges: row -> previous row of the same child + 1 */
    const char *count_column;   /* downloads: --count-column, or NULL */
    /* Metadata values kept as given (the label policy, unmapped.h), counted across the files
     * of one ingest; NULL counts nothing. */
    struct omen_unmapped *unmapped;
    /* A file read in blocks of whole lines (Parquet): called when the current block is used up,
     * it replaces data and len with the next block (freeing the old one) and returns false at
     * the end or on an error (stream_status and stream_err then say which). NULL for a file
     * read whole. Readers that go through omen_reader_next never see the seams. */
    bool (*refill)(omen_reader *r);
    void *stream;
    omen_status stream_status;
    omen_error *stream_err;
    /* A week of a folder run: what the run read of each model before (NULL otherwise). */
    struct omen_metadata_seen *seen;
};

/* A column a reader understands: its canonical name and accepted aliases (NULL-terminated). */
typedef struct {
    const char *name;
    const char *const *aliases;
    bool required;
} omen_column_spec;

enum { OMEN_MAX_COLUMNS = 256 };

/* The header matched against the specs: index[k] is the field position of spec k, -1 absent. */
typedef struct {
    int index[32];
    size_t nfields;
} omen_header;

/* Reads the header record and matches it. Missing required columns are one data error naming
 * them; unknown columns are listed in r->unused. Returns false when the file cannot be read
 * further (empty, missing columns). */
bool omen_reader_header(omen_reader *r, omen_csv *csv, const omen_column_spec *specs, size_t nspecs,
                        omen_header *h);
/* Splits the next data record; reports malformed records (unterminated quote, too many
 * fields) itself and skips them. Returns false at the end. */
bool omen_reader_next(omen_reader *r, omen_csv *csv, omen_field *fields, size_t *nfields);
/* The field of spec k in the current record, trimmed; empty when the column is absent. */
omen_field omen_reader_get(const omen_header *h, const omen_field *fields, size_t nfields,
                           size_t k);

void omen_reader_error(omen_reader *r, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void omen_reader_note(omen_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The largest download count a row may give, weekly or cumulative: 2^40 - 1 (about 1.1
 * trillion; no model's all-time count approaches it). Bounding every row keeps every sum of
 * the store exact in 64 bits (docs/methodology.md, "Count maximum"). */
#define OMEN_MAX_COUNT ((UINT64_C(1) << 40) - 1)
/* A non-negative whole number ("123", "1.6e7" and "123.0" are whole; "1.5", "-3", "" are not)
 * of at most OMEN_MAX_COUNT. Returns false with a reason. */
bool omen_parse_count(omen_field f, uint64_t *out, const char **why);
/* The same for a whole number of at most `max` (sizes: parameters, bytes, which real models
 * carry past 2^40: a repository of 1.3 TB). */
bool omen_parse_whole(omen_field f, uint64_t max, uint64_t *out, const char **why);
/* Strips "https://huggingface.co/" and surrounding spaces from a model id; false if empty or
 * it contains spaces or control characters. */
bool omen_parse_model_id(omen_field *f);
/* The longest model id accepted, in bytes (the Hub's limit is 96 per part). */
enum { OMEN_MAX_MODEL_ID = 256 };
/* What is wrong with a model id omen_parse_model_id refused, as a message into buf. */
const char *omen_model_id_why(omen_field raw, char *buf, size_t cap);
/* The namespace of a model id ("org" of "org/name"), or the id itself for legacy ids. */
omen_field omen_model_namespace(omen_field id);
bool omen_field_eq(omen_field f, const char *s);
/* Reports a file that is not UTF-8 text (a NUL or invalid UTF-8 at offset bad) to the diag. */
void omen_report_not_text(omen_diag *d, const char *path, const char *data, size_t bad);
/* Whether a JSON text holds the escape \u0000: a NUL inside a string, which C strings would
 * cut short, so every JSON reader refuses the record. */
bool omen_json_has_nul(const char *s, size_t len);
bool omen_field_ieq(omen_field f, const char *s);

/* The readers, one per source. JSON Lines is detected by a leading '{' (models only). */
void omen_read_downloads(omen_reader *r);
void omen_read_models(omen_reader *r);
void omen_read_developers(omen_reader *r);
void omen_read_edges(omen_reader *r);
void omen_read_annotations(omen_reader *r);
/* downloads --pg: runs `query` on the PostgreSQL server of `conninfo` (libpq) and gathers the
 * rows (model, week, downloads) as observations, like the CSV reader; r->path labels them. sha
 * gets the SHA-256 of the database name, host and query; *bytes the size of the values read.
 * Connection and query failures are runtime errors. */
omen_status omen_read_pg(omen_reader *r, const char *conninfo, const char *query, char sha[65],
                         uint64_t *bytes, omen_error *err);

/* After all download files are read, in two steps. omen_series_check sorts the observations,
 * reports conflicting duplicates to diag and decides the series kind (writing why into
 * *notes). omen_series_build fills rows->weekly (weekly kind: flows summed per ISO week) or
 * rows->snapshots plus re-derived flows (cumulative kind: it reads the observations already
 * stored around each model's new ones, so call it inside the write transaction). Only flows
 * above zero become rows, and only observations that change a count are kept. */
struct omen_store;
/* What a cumulative build knows beyond the observations: the snapshot days recorded as stale
 * copies (ascending; their weeks share the next real week's downloads) and a progress hook. */
/* What a run over many listings (a folder) remembers of each model between them: its last
 * observation, so that a listing later than every stored one needs no lookup in the store.
 * `complete` says the memo knows every model the store has observations of (the store had none
 * when the run began), so a model it lacks has none. */
typedef struct {
    omen_intern names;
    int32_t *day; /* per name: the last observation's day */
    uint64_t *count;
    size_t cap;
    bool complete;
} omen_series_memo;
void omen_series_memo_free(omen_series_memo *m);

/* What a folder run remembers of each model's listing row between weeks, per name:
 *   hash:   the metadata and base models it last listed (the batch leaves a model whose hash
 *           is unchanged out of its writes);
 *   noedge: the same without the base models (what decides whether two rows of one listing
 *           describe a model the same way);
 *   raw:    a hash of the listing row's text (every column read but the download counts), set
 *           only when reading that row was clean: one model row, no error, no value kept as
 *           given, nothing counted in a note. A row of a later week whose text hashes the same
 *           would be read to the same model row, so it is not parsed again (0 = parse it).
 * Ids are those of `names`; the arrays grow together (omen_metadata_seen_slot). */
typedef struct omen_metadata_seen {
    omen_intern names;
    uint64_t *hash, *noedge, *raw;
    size_t cap;
} omen_metadata_seen;
/* The id of name in s, added (with zeroed hashes) when new. */
uint32_t omen_metadata_seen_slot(omen_metadata_seen *s, const char *name, size_t len);
void omen_metadata_seen_free(omen_metadata_seen *s);
/* A 64-bit FNV-1a step over bytes, and over an interned string (its NUL included; a missing
 * one, UINT32_MAX, as one 0xff byte). */
uint64_t omen_fnv(uint64_t h, const void *p, size_t n);
uint64_t omen_fnv_str(uint64_t h, const omen_intern *t, uint32_t id);
/* The hash of a model row's fields, not its base models (the `noedge` of omen_metadata_seen;
 * the FNV-1a state that the base models' hash continues), never 0 once or'ed with 1. */
uint64_t omen_model_row_hash(const omen_rows *rows, const omen_model_row *m);

typedef struct {
    const int32_t *stale;
    size_t nstale;
    omen_progress_fn progress;
    void *progress_ctx;
    omen_series_memo *memo; /* NULL outside a folder run */
} omen_series_ctx;
/* What a cumulative build found: new observations that changed a model's count (or started its
 * series), and decreases clipped to 0. */
typedef struct {
    uint64_t changed, clipped;
    /* The first decrease: model (name id), day, the counts, and where the lower one was read
     * (OMEN_WHERE; UINT64_MAX when it was a stored observation). */
    uint32_t drop_model;
    int32_t drop_day;
    uint64_t drop_from, drop_to, drop_where;
} omen_series_stats;
omen_series_kind omen_series_check(omen_obs_list *obs, omen_rows *rows,
                                   const omen_ingest_options *opt, omen_diag *diag, char **notes);
omen_status omen_series_build(omen_obs_list *obs, omen_rows *rows, omen_series_kind kind,
                              const omen_ingest_options *opt, const omen_series_ctx *ctx,
                              struct omen_store *store, omen_ingest_report *rep,
                              omen_series_stats *stats, omen_error *err);

#endif
