/* omen.h: the public API of libomen, the only header that cli/, server/ and report/ include.
 *
 * It is also the API reference. Ownership rule: every object a function hands back through an
 * `out` pointer belongs to the caller, who releases it with the matching NULL-safe `_free` or
 * `_close`; strings inside a returned object live as long as the object. Functions never print
 * and never exit: they return an omen_status and fill an omen_error. */
#ifndef OMEN_OMEN_H
#define OMEN_OMEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OMEN_VERSION "0.1.0"

/* ---------------------------------------------------------------- errors */

/* Statuses map one to one onto the CLI's exit codes. */
typedef enum {
    OMEN_OK = 0,
    OMEN_RUNTIME = 1, /* I/O, SQLite, out of disk: not the user's data */
    OMEN_USAGE = 2,   /* a bad option or argument */
    OMEN_BAD_DATA = 3 /* the input data is wrong; nothing was written */
} omen_status;

/* Numbered error codes (zstd style); omen_error_name() gives the short text. */
typedef enum {
    OMEN_E_NONE = 0,
    OMEN_E_IO = 10,         /* a file could not be opened, read or written */
    OMEN_E_SQLITE = 11,     /* the store reported an error */
    OMEN_E_STORE = 12,      /* the store is not an omen store, or of a newer schema */
    OMEN_E_CACHE = 13,      /* the panel cache could not be written (the panel still loads) */
    OMEN_E_USAGE = 20,      /* an option or argument is not valid */
    OMEN_E_DATA = 30,       /* one or more rows of input are wrong: see the message */
    OMEN_E_EMPTY = 31,      /* the input has no data rows */
    OMEN_E_BINARY = 32,     /* the input is not text */
    OMEN_E_COLUMNS = 33,    /* required columns are missing */
    OMEN_E_UNSUPPORTED = 40 /* a format this build cannot read */
} omen_errcode;

/* The error filled by failing calls. `message` is heap-owned by the error: release it with
 * omen_error_clear(). For data errors it holds up to 20 lines `file:line: reason`, then a line
 * saying how many more there were. */
typedef struct {
    omen_errcode code;
    char *message;
} omen_error;

void omen_error_clear(omen_error *err);
const char *omen_error_name(omen_errcode code);
omen_status omen_error_status(omen_errcode code);
/* Replaces err's message with the printf-style text and sets its code; returns
 * omen_error_status(code). A NULL err is allowed (the message is dropped). The library and the
 * fronts' own entry points (omen_server_run, omen_report_write) fill errors with it. */
omen_status omen_error_set(omen_error *err, omen_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- progress */

/* A progress callback: `done` of `total` units (bytes or rows) of the phase named `what`.
 * Library code calls it at most a few hundred times per phase; total 0 means unknown. */
typedef void (*omen_progress_fn)(void *ctx, const char *what, uint64_t done, uint64_t total);

/* Renders a one-line progress bar ("\r<what> [####....]  42%  1.2 GB / 2.9 GB  3.1 s") fitted
 * to `width` columns into out; bytes != 0 prints done/total as sizes. Returns the length. */
size_t omen_progress_render(char *out, size_t cap, int width, const char *what, uint64_t done,
                            uint64_t total, double elapsed_s, int bytes);

/* ---------------------------------------------------------------- store */

/* The SQLite store of record. Opened read-only unless OMEN_STORE_WRITE is given. */
typedef struct omen_store omen_store;

enum { OMEN_STORE_READ = 0, OMEN_STORE_WRITE = 1, OMEN_STORE_CREATE = 2 };

/* Opens (and with OMEN_STORE_CREATE creates and migrates) the store at path. The caller owns
 * *out and closes it with omen_store_close(). */
omen_status omen_store_open(const char *path, int flags, omen_store **out, omen_error *err);
void omen_store_close(omen_store *store);
const char *omen_store_path(const omen_store *store);
/* A counter that rises with every write transaction that changed data. */
int64_t omen_store_generation(const omen_store *store);
int omen_store_schema_version(void);

/* ---------------------------------------------------------------- ingest */

typedef enum {
    OMEN_SOURCE_DOWNLOADS,
    OMEN_SOURCE_MODELS,
    OMEN_SOURCE_DEVELOPERS,
    OMEN_SOURCE_EDGES,
    OMEN_SOURCE_ANNOTATIONS,
    OMEN_SOURCE_EVENTS,    /* raw download events: model,user,timestamp (streamed, deduplicated) */
    OMEN_SOURCE_EVOLUTION, /* the paper's released dataset (long: model x week, cumulative) */
    OMEN_SOURCE_SNAPSHOT   /* one Hub listing at a date (JSON Lines, CSV or hub-stats Parquet) */
} omen_source;

typedef enum { OMEN_KIND_AUTO, OMEN_KIND_WEEKLY, OMEN_KIND_CUMULATIVE } omen_series_kind;

typedef struct {
    omen_source source;
    omen_series_kind kind;    /* downloads only */
    bool baseline_first;      /* cumulative: the first observation is a baseline, not a flow */
    bool skip_bad;            /* write the good rows, record the rejects in `ingests` */
    int max_errors;           /* how many errors the message lists; 0 means 20 */
    const char *count_column; /* downloads: the column holding the counts, NULL = by alias */
    uint64_t memory_limit;    /* events: bytes for deduplication before spilling (0 = 1 GiB) */
    const char *tmp_dir;      /* events: where spilled runs go (NULL = $TMPDIR or /tmp) */
    const char *pg_conninfo;  /* downloads: read from PostgreSQL instead of files (libpq) */
    const char *pg_query;     /* with pg_conninfo: SQL giving model, week, downloads */
    omen_progress_fn progress;
    void *progress_ctx;
    int32_t date;    /* snapshot: the listing's date, days since 1970-01-01 */
    bool date_given; /* snapshot: date is set (required for a file, taken from paths in a folder) */
    bool strict_labels; /* a metadata label outside omen's vocabularies rejects its row */
} omen_ingest_options;

/* What an ingest did. Strings are heap-owned: release with omen_ingest_report_free(). */
typedef struct {
    uint64_t bytes_read;
    uint64_t rows_read;
    uint64_t rows_rejected;
    uint64_t rows_written; /* rows inserted or changed in the store */
    uint64_t models_seen;
    uint64_t decreases_clipped; /* cumulative series: decreases clipped to 0 */
    omen_series_kind kind_used;
    char *notes;              /* human-readable lines: decisions, unused columns, rejects */
    char *unused_columns;     /* comma-separated, per file */
    char *unmapped;           /* "field=value: count" lines: labels kept as given, not understood */
    uint64_t unmapped_values; /* how many values those lines count in all */
    /* A folder of snapshots: dates ingested, dates skipped (already in the store), and listings
     * found to be stale copies of the one before (their week shares the next one's downloads). */
    uint64_t snapshots_ingested, snapshots_skipped, stale_snapshots;
    /* A folder: listing rows whose text, apart from their counts, was that of a row the run had
     * read cleanly in an earlier week; only their counts were read again. */
    uint64_t rows_unchanged;
} omen_ingest_report;

/* Reads every file, validates it whole, and writes all of them in one transaction. On bad data
 * (unless skip_bad) nothing is written and OMEN_BAD_DATA is returned with the first errors.
 * A snapshot source given one folder ingests its dated listings (docs/data-formats.md, "Folders
 * of snapshots") in date order, skipping the dates the store has, in one transaction. */
omen_status omen_ingest_files(omen_store *store, const omen_ingest_options *opt,
                              const char *const *paths, size_t npaths, omen_ingest_report *report,
                              omen_error *err);
void omen_ingest_report_free(omen_ingest_report *report);
/* "downloads", "models", ... -> source; returns false for an unknown name. */
bool omen_source_parse(const char *name, omen_source *out);
/* The version of the libduckdb this omen reads Parquet with ("v1.5.6"); "cannot be loaded:
 * <why>" when it was built with libduckdb but cannot load it; NULL when it was built without
 * (Parquet input then fails with OMEN_E_UNSUPPORTED, exit 1). Static string. */
const char *omen_parquet_support(void);

/* Loads an optional library on first use (libduckdb, libcurl, libpq, libmicrohttpd: omen is not
 * linked with them, so that other commands do not pay for them at start-up): the first of
 * `names` (library names or paths; NULL or "" skipped) that dlopen() accepts, then
 * prefix+symbols[i] into the function pointer at slots[i] for each of the nsymbols. Returns
 * true; else false, with `why` (cap bytes) naming each library tried and dlerror() for it, or
 * the missing function ("..., so it is not <unusable>"). A loaded library stays loaded. Not
 * thread-safe: call it once per process, under pthread_once. */
bool omen_library_load(const char *const *names, size_t nnames, const char *prefix,
                       const char *const *symbols, void *const *slots, size_t nsymbols,
                       const char *unusable, char *why, size_t cap);

/* ---------------------------------------------------------------- live pulls (omen pull) */

/* Told before each retry: the URL, what went wrong ("HTTP 429", a transfer error) and the wait. */
typedef void (*omen_pull_notify_fn)(void *ctx, const char *url, const char *what, double wait_s);

typedef struct {
    const char *base_url;    /* the Hub, e.g. "https://huggingface.co" (no trailing slash) */
    const char *parquet_url; /* instead of the listing: a hub-stats models.parquet URL */
    uint64_t limit;          /* stop after this many models (0 = the whole listing) */
    uint32_t page_size;      /* models per page (0 = 1000) */
    int32_t date;            /* the snapshot's date (days since 1970-01-01) ... */
    bool date_given;         /* ... when set; otherwise today (UTC) */
    int max_retries;         /* per request, for 429, 5xx and broken transfers (-1 = 6) */
    double backoff;          /* first wait in seconds, doubled each retry (0 = 1 s) */
    const char *state_dir;   /* where pages and the cursor are kept (NULL = <db>.pull) */
    bool keep_raw;           /* keep the fetched JSON Lines / Parquet after the ingest */
    bool skip_bad;           /* as omen ingest --skip-bad */
    omen_pull_notify_fn notify;
    void *notify_ctx;
    omen_progress_fn progress;
    void *progress_ctx;
} omen_pull_options;

/* What a pull did; release with omen_pull_report_free() (it owns raw_path and ingest). */
typedef struct {
    uint64_t pages, models, bytes, retries;
    bool resumed;              /* an interrupted pull of the same date was continued */
    char *raw_path;            /* the fetched file (removed after the ingest unless keep_raw) */
    omen_ingest_report ingest; /* the snapshot ingest */
} omen_pull_report;

/* Fetches the listing page by page (Link: rel="next") or the Parquet file, keeping what it has
 * in the state folder so that a failed or interrupted pull resumes where it stopped, then
 * ingests it as a snapshot (omen_ingest_files, one transaction). db_path names the state folder
 * when opt->state_dir is NULL. Network failures after the retries are OMEN_RUNTIME. */
omen_status omen_pull(omen_store *store, const char *db_path, const omen_pull_options *opt,
                      omen_pull_report *report, omen_error *err);
void omen_pull_report_free(omen_pull_report *report);

/* ---------------------------------------------------------------- synthetic panel */

typedef struct {
    double scale;  /* 1.0 = full scale: ~851,000 models, 265 weeks */
    uint64_t seed; /* same seed, same panel */
    omen_progress_fn progress;
    void *progress_ctx;
} omen_synth_options;

typedef struct {
    uint64_t models, developers, edges, annotations, download_rows, downloads;
    int32_t first_week, last_week; /* days since 1970-01-01 */
} omen_synth_report;

/* Generates the calibrated synthetic panel into the store (one transaction) ... */
omen_status omen_synth_to_store(omen_store *store, const omen_synth_options *opt,
                                omen_synth_report *report, omen_error *err);
/* ... or as downloads.csv, models.csv, developers.csv, edges.csv, annotations.csv in dir. */
omen_status omen_synth_to_csv(const char *dir, const omen_synth_options *opt,
                              omen_synth_report *report, omen_error *err);

/* ---------------------------------------------------------------- panel */

/* The columnar in-memory panel, loaded from the cache beside the store or rebuilt from it. */
typedef struct omen_panel omen_panel;

typedef struct {
    bool no_cache;      /* build from the store, write no cache */
    bool rebuild_cache; /* ignore an existing cache */
    omen_progress_fn progress;
    void *progress_ctx;
} omen_panel_options;

/* The caller owns *out and releases it with omen_panel_free(). `cache_note` (may be NULL) gets
 * a static string saying whether the cache was used, rebuilt, or could not be written. */
omen_status omen_panel_load(omen_store *store, const omen_panel_options *opt, omen_panel **out,
                            const char **cache_note, omen_error *err);
void omen_panel_free(omen_panel *panel);
/* Leaves the panel cache beside the store current, for a command that has written the store
 * (and closed its writing handle, so that the store file no longer changes): builds and writes
 * the cache when it is absent or stale (always with rebuild_cache; never with no_cache), so
 * that the next command maps it. The cache is what a cold rebuild writes, byte for byte. When
 * it cannot be written the status is that of OMEN_E_CACHE: the store is as the command left
 * it, and the next command builds the panel. `note` (may be NULL) as for omen_panel_load. */
omen_status omen_panel_refresh(omen_store *store, const omen_panel_options *opt, const char **note,
                               omen_error *err);

/* ---------------------------------------------------------------- result tables */

/* One result type for every analysis: named, typed columns and a `meta` block (the filters and
 * definitions in force, counts, the synthetic flag, elapsed time). The CLI prints it as an
 * aligned table, CSV or JSON; the server sends JSON or CSV; the report writes Markdown. The
 * table owns its cells and meta; release it with omen_table_free(). Text passed in is copied. */
typedef struct omen_table omen_table;

typedef enum {
    OMEN_COL_TEXT,
    OMEN_COL_INT,
    OMEN_COL_REAL,
    OMEN_COL_DATE, /* days since 1970-01-01, written YYYY-MM-DD */
    OMEN_COL_BOOL
} omen_col_type;

/* OMEN_FORMAT_ATOM is an Atom feed (RFC 4287) of an alerts table (omen_alerts), one entry per
 * alert; other tables cannot be written as one (omen_table_write: OMEN_USAGE). */
typedef enum {
    OMEN_FORMAT_TABLE,
    OMEN_FORMAT_CSV,
    OMEN_FORMAT_JSON,
    OMEN_FORMAT_MARKDOWN, /* for people to read in a document (the report's summary.md) */
    OMEN_FORMAT_ATOM
} omen_format;

omen_table *omen_table_new(const char *name);
void omen_table_free(omen_table *t);
/* Adds a column; returns its index. Columns must all be added before the first row. */
size_t omen_table_add_column(omen_table *t, const char *name, omen_col_type type);
/* Appends a row of NULL cells; returns its index. */
size_t omen_table_add_row(omen_table *t);
void omen_table_set_text(omen_table *t, size_t row, size_t col, const char *value);
void omen_table_set_int(omen_table *t, size_t row, size_t col, int64_t value);
void omen_table_set_real(omen_table *t, size_t row, size_t col, double value);
void omen_table_set_date(omen_table *t, size_t row, size_t col, int32_t days);
void omen_table_set_bool(omen_table *t, size_t row, size_t col, bool value);
/* Meta entries keep the order they were added in; setting a key again replaces its value. */
void omen_table_meta_text(omen_table *t, const char *key, const char *value);
void omen_table_meta_int(omen_table *t, const char *key, int64_t value);
void omen_table_meta_real(omen_table *t, const char *key, double value);
void omen_table_meta_bool(omen_table *t, const char *key, bool value);

const char *omen_table_name(const omen_table *t);
size_t omen_table_ncols(const omen_table *t);
size_t omen_table_nrows(const omen_table *t);
const char *omen_table_col_name(const omen_table *t, size_t col);
omen_col_type omen_table_col_type(const omen_table *t, size_t col);
/* Cell access: is_null, then the getter of the column's type (text of a NULL is ""). */
bool omen_table_is_null(const omen_table *t, size_t row, size_t col);
const char *omen_table_text(const omen_table *t, size_t row, size_t col);
int64_t omen_table_int(const omen_table *t, size_t row, size_t col);
double omen_table_real(const omen_table *t, size_t row, size_t col);
/* Finds a column by name; returns (size_t)-1 when absent. */
size_t omen_table_find(const omen_table *t, const char *name);
/* A new table named `name` of the columns of t named in cols[0..ncols) that t has (in the
 * order given; the others are left out) and of the rows rows[0..nrows) of t (in that order;
 * a row may repeat), cells and types copied, no meta. The caller frees it. */
omen_table *omen_table_select(const omen_table *t, const char *name, const char *const *cols,
                              size_t ncols, const size_t *rows, size_t nrows);

/* Writes the table to out. CSV: a header row and RFC 4180 rows, reals with 15 significant
 * digits, no meta. JSON: {"meta": {...}, "columns": [{"name", "type"}...], "rows": [{...}...]}.
 * Table: the meta as "# key: value" lines, then aligned columns, reals with 4 decimals.
 * Markdown: a pipe table ("| a | b |", "|---|---|", one line per row; "\n(no rows)\n" after
 * the header when there are none), no meta; text with '|' escaped and line breaks as spaces,
 * NULL empty, booleans yes/no, reals with 4 decimals except whole numbers of magnitude 100 or
 * more (counts, written as integers) and magnitudes below 0.001 (p-values, as "%.2e"). */
omen_status omen_table_write(const omen_table *t, omen_format format, FILE *out, omen_error *err);
/* Writes into a heap string the caller frees (for the server and the report); NULL for
 * OMEN_FORMAT_ATOM and a table that is not an alerts table. */
char *omen_table_to_string(const omen_table *t, omen_format format, size_t *len);

/* ---------------------------------------------------------------- info */

/* What the panel holds, in one pass over its arrays (omen_info_table gives it as a table). */
typedef struct {
    uint64_t models, developers, weeks, downloads;
    int32_t first_week, last_week; /* days since 1970-01-01; INT32_MIN when there are none */
    uint64_t developers_with_country;
    double share_downloads_country_mapped; /* downloads whose developer has a country */
    double share_created, share_params, share_derived, share_annotated; /* of models */
    uint64_t edges, annotations;
    bool synthetic;
    int64_t generation;
    int schema_version;
} omen_info;

void omen_info_compute(const omen_panel *panel, omen_info *out);

/* `omen info` and the facts of the server's /api/meta: a new result table "info" of one row
 * (no meta), which the caller releases with omen_table_free(). Its columns, in this order:
 * models, developers, weeks (int), first_week, last_week (date; NULL when the panel has no
 * downloads), downloads (int), synthetic (bool), developers_with_country, developer_rows
 * (int), share_downloads_country_mapped, share_models_created, share_models_params,
 * share_models_derived, share_models_annotated (real, in [0, 1]), edges, annotations,
 * generation, schema_version (int), store (text). `developers` counts the developers that
 * models name, `developer_rows` the store's developer rows (0 when the store cannot say) and
 * `store` is its path; both are NULL when store is NULL. The panel must be loaded from store. */
omen_table *omen_info_table(const omen_panel *panel, omen_store *store);

/* ---------------------------------------------------------------- JSON text */

/* Where a writer puts its bytes: n bytes at s (not NUL-terminated). */
typedef void (*omen_put_fn)(void *ctx, const char *s, size_t n);

enum {
    OMEN_JSON_SCRIPT = 1,   /* also write "</" as "<\/", for text inside an HTML <script> */
    OMEN_JSON_U_ESCAPES = 2 /* every control character as \u00XX (the form of the server's
                               answers and `omen info`), not JSON's short forms such as \n */
};

/* The one JSON string escaper of omen: puts s as a JSON string literal, quotes included, through
 * put (RFC 8259: quote, backslash and control characters escaped, with JSON's short forms such
 * as \n unless OMEN_JSON_U_ESCAPES; invalid UTF-8 replaced by U+FFFD, so the output always
 * parses). The table writers, the server, the report and the CLI all use it. */
void omen_json_quote(const char *s, unsigned flags, omen_put_fn put, void *ctx);

/* ---------------------------------------------------------------- queries and analyses */

typedef enum { OMEN_SAMPLE_POPULATION, OMEN_SAMPLE_HEAD, OMEN_SAMPLE_ALL } omen_sample;
typedef enum { OMEN_ATTRIBUTION_DIRECT, OMEN_ATTRIBUTION_RECURSIVE } omen_attribution;
typedef enum { OMEN_MERGE_FIRST, OMEN_MERGE_SPLIT } omen_merge_policy;
typedef enum {
    OMEN_LEVEL_MODEL,
    OMEN_LEVEL_DEVELOPER,
    OMEN_LEVEL_COUNTRY,
    OMEN_LEVEL_ORG_TYPE,
    OMEN_LEVEL_FIELD /* an annotation field, named in omen_query.field */
} omen_level;
typedef enum {
    OMEN_WINDOW_WEEK,
    OMEN_WINDOW_MONTH,
    OMEN_WINDOW_QUARTER,
    OMEN_WINDOW_YEAR,
    OMEN_WINDOW_TRAILING52,
    OMEN_WINDOW_CUMULATIVE
} omen_window;

/* The series of `omen changes` (--measure): a concentration measure of the level per period,
 * or one entity's share of it. */
typedef enum {
    OMEN_MEASURE_HHI,
    OMEN_MEASURE_GINI,
    OMEN_MEASURE_TOP1,
    OMEN_MEASURE_TOP10,
    OMEN_MEASURE_CR4,
    OMEN_MEASURE_CR8,
    OMEN_MEASURE_SHARE /* the share of the entity named in omen_query.measure_entity */
} omen_measure;

#define OMEN_MAX_SEGMENT_CUTS 8

/* The measure `omen robustness` recomputes over its grid of definitions (--metric). */
typedef enum {
    OMEN_METRIC_HHI,        /* hhi: sum of squared shares, 0-1 */
    OMEN_METRIC_GINI,       /* gini */
    OMEN_METRIC_TOP,        /* topK (or crK): the top-K share, K in metric_k */
    OMEN_METRIC_SHARE,      /* share:ENTITY: one entity's share, its name in metric_entity */
    OMEN_METRIC_LEADERBOARD /* leaderboard: Kendall's tau-b of the top lists */
} omen_metric;

/* Everything an analysis is asked: the filters and definitions of DESIGN.md section 5 and the
 * options of the commands. omen_query_defaults() gives the documented defaults; option text
 * from the CLI and from HTTP query parameters goes through omen_query_set(), so both accept
 * exactly the same names and values. The query borrows `field`. */
typedef struct {
    omen_sample sample;
    uint64_t population_min; /* default 200 */
    uint32_t head_k;         /* default 200 */
    int32_t rolling_days;    /* default 365; 0 = no Rolling Window Filter */
    omen_attribution attribution;
    omen_merge_policy merge_policy;
    omen_level level;
    char field[64]; /* the annotation field when level is OMEN_LEVEL_FIELD */
    omen_window window;
    int32_t from, to;                     /* days since 1970-01-01; INT32_MIN / INT32_MAX = open */
    uint32_t cuts[OMEN_MAX_SEGMENT_CUTS]; /* segment rank cuts, default 1,10,100,1000 */
    size_t ncuts;
    uint32_t top;      /* shares: entities per period (default 10); leaderboard: rows (10) */
    bool last_year;    /* leaderboard/map --period last-year */
    uint32_t points;   /* lorenz: points on the curve (default 101) */
    bool entropy;      /* concentration: add entropy and effective_entities columns */
    bool sample_given; /* the user chose --sample (analyses with another default keep it) */
    /* characteristics (attributes, trends, orgs, modalities) */
    int32_t year_cuts[OMEN_MAX_SEGMENT_CUTS]; /* attributes: segment years (2023,2024,2025) */
    size_t nyear_cuts;
    double alpha;      /* attributes: significance level (default 0.001) */
    bool unit_models;  /* attributes: --unit models (counts of models, not downloads) */
    bool all_rows;     /* attributes: --all keeps the rows that are not significant */
    bool window_given; /* the user chose --window (trends, modalities have other defaults) */
    /* sizes, derivations, intermediaries */
    bool by_creation; /* sizes: --by creation-year (model-weighted), else download-year */
    bool density;     /* sizes: --density gives kernel density rows for violins */
    bool by_segment;  /* sizes: --by download-segment|creation-segment (the --cuts segments) */
    double threshold; /* intermediaries: repackaging share of a developer (default 0.8) */
    uint64_t seed;    /* sizes estimate: RANSAC and the validation split (default 42); the
                         bootstrap of --ci */
    /* monitoring (concentration, shares) */
    bool decompose;             /* concentration --decompose: Theil between/within ... */
    omen_level decompose_level; /* ... the groups (developer, country or org_type) */
    double ci;                  /* --ci: bootstrap interval level in (0, 1); 0 = none */
    uint32_t resamples;         /* --resamples: bootstrap resamples (default 1000) */
    /* alerts (docs/methodology.md, "Alerts") */
    int32_t since;    /* --since: the first week reported (INT32_MIN: only the newest) */
    uint32_t hold;    /* --hold: periods a state must have held before its change is news (4) */
    double jump;      /* --jump: the change of a share that is a jump (default 0.02) */
    char levels[128]; /* --levels: the levels watched, canonical names, comma-separated */
    char link[512];   /* --link: the dashboard's address, for the links of --format atom */
    /* changes */
    omen_measure measure;     /* --measure (default hhi) */
    char measure_entity[256]; /* --measure share:<entity>: the entity's name at the level */
    double penalty;           /* --penalty X: per change point, in units of sigma^2 */
    bool penalty_bic;         /* --penalty bic (the default): 2 ln n */
    uint32_t min_segment;     /* --min-segment N: periods (default 4) */
    /* robustness */
    omen_metric metric;      /* --metric (default hhi) */
    uint32_t metric_k;       /* OMEN_METRIC_TOP: K */
    char metric_entity[256]; /* OMEN_METRIC_SHARE: the entity's name at the level */
} omen_query;

/* One query option, a row of the table every front derives its options from: the parser
 * (omen_query_set), each analysis command's --help (omen_query_help_for), the server's
 * parameter check and /api/meta's defaults and parameters. Rows are static, owned by libomen. */
typedef struct {
    const char *name;      /* the CLI name without dashes, also the HTTP parameter: "top" */
    const char *arg;       /* the value's placeholder in --help ("N"); NULL for a flag */
    const char *help;      /* the --help line, without its "(default ...)" */
    const char *def;       /* the default as option text, applied by omen_query_defaults; NULL
                              when the option has none */
    const char *def_shown; /* what --help shows in brackets instead of "default <def>" */
    bool numeric;          /* the default is a number (a JSON number in /api/meta) */
    const char *readers;   /* the analyses that read it, comma-separated; "*": every analysis */
} omen_option;

/* The i-th option in table order (the order of --help); NULL past the last. */
const omen_option *omen_option_at(size_t i);
/* The option named `name` (without dashes); NULL when there is none. */
const omen_option *omen_option_find(const char *name);
/* Whether analysis `analysis` (a registry name; NULL: any) reads option o. */
bool omen_option_reads(const omen_option *o, const char *analysis);

/* The table's defaults (from and to open, no field). */
void omen_query_defaults(omen_query *q);
/* Sets one option by its CLI name without dashes (a row of the table); `value` is NULL for
 * flags. Bad names or values give OMEN_USAGE with a message naming the option and the allowed
 * values ("--NAME: 'V' is not valid; allowed: X"). */
omen_status omen_query_set(omen_query *q, const char *name, const char *value, omen_error *err);
/* The same for the options analysis `analysis` reads: another known option gives OMEN_USAGE
 * "--NAME is read by A, B and C, not by ANALYSIS". The CLI and the server set options so. */
omen_status omen_query_set_for(omen_query *q, const char *analysis, const char *name,
                               const char *value, omen_error *err);
/* Whether `name` is a query option, and whether it takes a value. */
bool omen_query_is_option(const char *name, bool *takes_value);
/* One line per option for --help texts: "  --rolling DAYS   ... (default 365)\n..." (static). */
const char *omen_query_help(void);
/* The --help lines of the options analysis `analysis` reads (NULL: every option), with the
 * defaults it applies itself, into out (cap bytes, NUL-terminated, truncated if short);
 * returns the length. */
size_t omen_query_help_for(const char *analysis, char *out, size_t cap);

/* The analyses of the concentration engine. Each returns a new result table in *out. */
omen_status omen_concentration(const omen_panel *p, const omen_query *q, omen_table **out,
                               omen_error *err);
omen_status omen_shares(const omen_panel *p, const omen_query *q, omen_table **out,
                        omen_error *err);
omen_status omen_leaderboard(const omen_panel *p, const omen_query *q, omen_table **out,
                             omen_error *err);
omen_status omen_map(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err);
omen_status omen_lorenz(const omen_panel *p, const omen_query *q, omen_table **out,
                        omen_error *err);
/* The model-characteristics analyses (the paper's section 4; docs/methodology.md). */
omen_status omen_attributes(const omen_panel *p, const omen_query *q, omen_table **out,
                            omen_error *err);
omen_status omen_trends(const omen_panel *p, const omen_query *q, omen_table **out,
                        omen_error *err);
omen_status omen_orgs(const omen_panel *p, const omen_query *q, omen_table **out, omen_error *err);
omen_status omen_modalities(const omen_panel *p, const omen_query *q, omen_table **out,
                            omen_error *err);
/* Model sizes, derivations and intermediaries (docs/methodology.md, "Model size" ...). */
omen_status omen_sizes_estimate(const omen_panel *p, const omen_query *q, omen_table **out,
                                omen_error *err);
omen_status omen_sizes_distribution(const omen_panel *p, const omen_query *q, omen_table **out,
                                    omen_error *err);
/* `omen sizes estimate --apply`: fits as omen_sizes_estimate does, then stores the estimate of
 * every model with file bytes and no reported count (params_source 'estimated'; safetensors and
 * official counts are never touched) in one transaction; *changed gets the rows whose value
 * changed (0 on a second run: the store's generation then stays). The store must be open for
 * writing; the panel must be loaded from it. *out as omen_sizes_estimate. */
omen_status omen_sizes_apply(omen_store *store, const omen_panel *p, const omen_query *q,
                             omen_table **out, uint64_t *changed, omen_error *err);
omen_status omen_derivations(const omen_panel *p, const omen_query *q, omen_table **out,
                             omen_error *err);
omen_status omen_intermediaries(const omen_panel *p, const omen_query *q, omen_table **out,
                                omen_error *err);
/* `omen changes`: the segments of a measure's series by PELT (docs/methodology.md, "Change
 * points"). */
omen_status omen_changes(const omen_panel *p, const omen_query *q, omen_table **out,
                         omen_error *err);
/* One measure (q->metric) over a grid of definitions (Rolling Window Filter x population minimum
 * x attribution), per period, with its envelope and Kendall's tau-b of each setting's top list
 * against the query's own setting (docs/methodology.md, "Robustness"). */
omen_status omen_robustness(const omen_panel *p, const omen_query *q, omen_table **out,
                            omen_error *err);
/* What changed in the newest week(s) (--since): bands crossed, significant HHI rises, change
 * points confirmed, entries into a top 10, share jumps, overtakings (docs/methodology.md,
 * "Alerts"); one row per alert. OMEN_FORMAT_ATOM writes the table as a feed. */
omen_status omen_alerts(const omen_panel *p, const omen_query *q, omen_table **out,
                        omen_error *err);

/* An analysis by name: the CLI runs it as `omen <name>`, the server as `/api/<name>`. The
 * registry owns the entries (static); `synopsis` and `columns` are the --help texts; the
 * options each reads come from the options table (omen_option_reads). */
typedef omen_status (*omen_analysis_fn)(const omen_panel *p, const omen_query *q, omen_table **out,
                                        omen_error *err);
typedef struct {
    const char *name;
    omen_analysis_fn run;
    const char *synopsis;
    const char *columns;
    const char *brief; /* one line for `omen --help`'s list of commands */
    const char *args;  /* the options it requires, for that list ("--field F"); NULL: none */
} omen_analysis;

/* NULL when no analysis has that name. */
const omen_analysis *omen_analysis_find(const char *name);
/* The i-th analysis in registry order; NULL past the last, so `for (i = 0; (a = at(i)); i++)`. */
const omen_analysis *omen_analysis_at(size_t i);
/* The query options the analysis reads (the table's readers), comma-separated, into out (cap
 * bytes, NUL-terminated); returns the length. */
size_t omen_analysis_options(const omen_analysis *a, char *out, size_t cap);

/* ---------------------------------------------------------------- annotation */

/* `omen annotate` (docs/methodology.md, "Annotations"). Each returns a new result table in
 * *out that the caller frees with omen_table_free().
 *
 * The sheet: the Head Sample (q->head_k, q->population_min), one row per model by total
 * downloads, Hub metadata columns and one column per taxonomy field holding the model's human
 * labels joined with ';' (the wide format `omen ingest annotations` reads back). */
omen_status omen_annotate_sheet(omen_store *store, const omen_panel *p, const omen_query *q,
                                omen_table **out, omen_error *err);
/* Replaces the store's heuristic labels (source 'heuristic') by those the rules read off the
 * Hub metadata now, except for (model, field) pairs that carry human labels; one transaction.
 * The store must be open for writing. The table counts models and labels per field. */
omen_status omen_annotate_heuristic(omen_store *store, omen_table **out, omen_error *err);
/* Per field: models with human labels, models the rules label, and of the models with both
 * how many label sets agree exactly and how many overlap. */
omen_status omen_annotate_agreement(omen_store *store, omen_table **out, omen_error *err);
/* The taxonomy: one row per (field, label); open fields one row saying what they take. */
omen_status omen_annotate_labels(omen_table **out);

/* ---------------------------------------------------------------- taxonomy */

/* One field of the annotation taxonomy (DESIGN section 6). All strings are static. */
typedef struct {
    const char *name;          /* machine name, also a --level/--field value: "architecture" */
    const char *title;         /* the paper's heading: "Architecture" */
    const char *const *labels; /* NULL-terminated allowed labels; NULL for an open field */
    const char *allowed;       /* the allowed values as one line of text */
} omen_field_info;

/* The i-th taxonomy field in order; false past the last. (Call once from one thread before
 * sharing: the first call per field builds its `allowed` text.) */
bool omen_taxonomy_field_at(size_t i, omen_field_info *out);

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 for a proleptic Gregorian date. */
int32_t omen_date_days(int year, int month, int day);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL) for days since 1970-01-01. */
void omen_date_format(int32_t days, char out[11]);

/* ---------------------------------------------------------------- clock */

/* Seconds on the monotonic clock, for elapsed times (its zero is arbitrary). */
double omen_now(void);

#ifdef __cplusplus
}
#endif
#endif
