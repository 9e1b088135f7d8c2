/* ingest.c: `omen ingest`: reads every file whole, validates all of it, then writes the batch
 * in one transaction with a provenance row per file.
 *
 * Validation happens before the store is touched, so a rejected ingest leaves the store file
 * byte for byte as it was; with --skip-bad the good rows are written and the rejects recorded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "../util/error.h"
#include "../util/dates.h"
#include "../util/fileio.h"
#include "events.h"
#include "parquet.h"
#include "reader.h"
#include "sources.h"
#include "folder.h"
#include "unmapped.h"

static const char *const source_names[] = {"downloads",   "models", "developers", "edges",
                                           "annotations", "events", "evolution",  "snapshot"};

bool omen_source_parse(const char *name, omen_source *out)
{
    for (size_t i = 0; i < sizeof source_names / sizeof source_names[0]; i++)
        if (strcmp(name, source_names[i]) == 0) {
            *out = (omen_source)i;
            return true;
        }
    return false;
}

void omen_ingest_report_free(omen_ingest_report *rep)
{
    if (!rep)
        return;
    free(rep->notes);
    free(rep->unused_columns);
    free(rep->unmapped);
    rep->notes = rep->unused_columns = rep->unmapped = NULL;
}

static void append(char **dst, const char *text)
{
    if (!text || !*text)
        return;
    size_t old = *dst ? strlen(*dst) : 0, add = strlen(text);
    *dst = omen_xrealloc(*dst, old + add + 1);
    memcpy(*dst + old, text, add + 1);
}

typedef struct {
    char sha[65];
    uint64_t bytes, rows_read, rows_bad;
    const char *path;
} file_info;

typedef struct {
    const omen_ingest_options *opt;
    omen_rows rows;
    omen_diag diag;
    omen_obs_list *obs;
    omen_index model_rows, developer_rows, edge_last;
    uint32_t *edge_prev;
    file_info *files;
    omen_ingest_report *rep;
    omen_events *events;      /* events source: the deduplication across files */
    omen_unmapped unmapped;   /* metadata values kept as given, across the files */
    bool quiet_progress;      /* a week of a folder: the folder's bar is the one shown */
    omen_series_memo *memo;   /* a week of a folder: the last observations of the run */
    omen_metadata_seen *seen; /* a week of a folder: what the run wrote of each model */
} ingest;

static void (*const readers[])(omen_reader *) = {omen_read_downloads,   omen_read_models,
                                                 omen_read_developers,  omen_read_edges,
                                                 omen_read_annotations, NULL,
                                                 omen_read_evolution,   omen_read_snapshot};

/* Streams one events file into the deduplication (events are never held whole), or reads the
 * rows of a PostgreSQL query (downloads --pg); neither is read whole into memory first. */
static omen_status read_events(ingest *in, size_t k, omen_error *err)
{
    file_info *fi = &in->files[k];
    omen_reader r = {.path = fi->path,
                     .rows = &in->rows,
                     .diag = &in->diag,
                     .opt = in->opt,
                     .obs = in->obs,
                     .file_index = (uint16_t)k};
    in->obs->files[k] = fi->path;
    uint64_t errors_before = in->diag.count;
    omen_status s =
        in->opt->pg_conninfo
            ? omen_read_pg(&r, in->opt->pg_conninfo, in->opt->pg_query, fi->sha, &fi->bytes, err)
            : omen_events_read(in->events, &r, fi->sha, &fi->bytes, err);
    if (s == OMEN_OK && fi->bytes && r.rows_read == 0 && in->diag.count == errors_before)
        omen_diag_add(&in->diag, fi->path, 2, "no data rows after the header");
    in->rep->bytes_read += fi->bytes;
    fi->rows_read = r.rows_read;
    fi->rows_bad = r.rows_bad;
    in->rep->rows_read += r.rows_read;
    in->rep->rows_rejected += r.rows_bad;
    if (r.unused) {
        char line[1024];
        snprintf(line, sizeof line, "%s: columns not used: %s\n", fi->path, r.unused);
        append(&in->rep->notes, line);
    }
    append(&in->rep->notes, r.notes);
    free(r.notes);
    free(r.unused);
    return s;
}

/* Whether the file starts with Parquet's magic, read from its first bytes only. */
static bool file_is_parquet(const char *path)
{
    char head[8];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return omen_is_parquet(head, n);
}

/* A Parquet file read block by block: the reader's refill hook. */
typedef struct {
    omen_parquet_stream *ps;
    const omen_ingest_options *opt;
    const char *path;
    uint64_t rows;
} parquet_source;

static bool parquet_refill(omen_reader *r)
{
    parquet_source *src = r->stream;
    omen_parquet_recycle(src->ps, r->data);
    r->data = NULL;
    r->len = 0;
    char *text = NULL;
    size_t len = 0;
    uint64_t before = omen_parquet_rows_done(src->ps);
    omen_status s = omen_parquet_next(src->ps, 0, &text, &len, r->stream_err);
    if (s != OMEN_OK) {
        r->stream_status = s;
        return false;
    }
    if (!text)
        return false;
    /* Every block is held to the text rule of the first (a NUL or invalid UTF-8 inside a
     * Parquet string would otherwise reach the rows): the block's lines are rows before+1... */
    size_t bad = omen_text_invalid(text, len);
    if (bad != SIZE_MAX) {
        uint64_t row = before + 1;
        for (const char *p = text, *e = text + bad; (p = memchr(p, '\n', (size_t)(e - p))); p++)
            row++;
        omen_diag_add(r->diag, src->path, row + 1, /* line row + 1: the header is line 1 */
                      "a text value holds byte 0x%02x, %s: every input must be UTF-8 text "
                      "throughout",
                      (unsigned char)text[bad], text[bad] ? "not UTF-8" : "a NUL");
        free(text);
        return false;
    }
    r->data = text;
    r->len = len;
    if (src->opt->progress)
        src->opt->progress(src->opt->progress_ctx, src->path, omen_parquet_rows_done(src->ps),
                           src->rows);
    return true;
}

/* Adds what a reader found about the file to the file's record and the report. */
static void finish_file(ingest *in, file_info *fi, omen_reader *r, char *dropped)
{
    if (dropped) {
        append(&r->unused, r->unused ? "," : "");
        append(&r->unused, dropped);
        free(dropped);
    }
    fi->rows_read = r->rows_read;
    fi->rows_bad = r->rows_bad;
    in->rep->rows_read += r->rows_read;
    in->rep->rows_rejected += r->rows_bad;
    in->rep->rows_unchanged += r->rows_unchanged;
    if (r->unused) {
        char line[1024];
        snprintf(line, sizeof line, "%s: columns not used: %s\n", fi->path, r->unused);
        append(&in->rep->notes, line);
        append(&in->rep->unused_columns, r->unused);
        append(&in->rep->unused_columns, ";");
    }
    append(&in->rep->notes, r->notes);
    free(r->notes);
    free(r->unused);
    r->notes = r->unused = NULL;
}

/* Reads and parses one file into the batch. I/O problems are runtime errors; anything wrong
 * with the content goes to the diag. A text file is read whole; a Parquet file is read as CSV
 * text in blocks of whole rows (parquet.h), hashed from disk, so that a listing of gigabytes
 * never sits in memory whole. */
static omen_status read_one(ingest *in, size_t k, omen_error *err)
{
    file_info *fi = &in->files[k];
    if (in->opt->source == OMEN_SOURCE_EVENTS || in->opt->pg_conninfo)
        return read_events(in, k, err);
    char *data = NULL, *parquet_dropped = NULL;
    size_t len = 0;
    bool parquet = file_is_parquet(fi->path);
    parquet_source src = {.opt = in->opt, .path = fi->path};
    if (parquet) {
        if (omen_sha256_file(fi->path, fi->sha, &fi->bytes) != 0)
            return omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", fi->path, strerror(errno));
        const char *const *keep = in->opt->source == OMEN_SOURCE_SNAPSHOT ? omen_snapshot_columns
                                  : in->opt->source == OMEN_SOURCE_EVOLUTION
                                      ? omen_evolution_columns
                                      : NULL;
        omen_status ps =
            omen_parquet_open(fi->path, keep, &src.ps, &src.rows, &parquet_dropped, err);
        if (ps == OMEN_OK)
            ps = omen_parquet_next(src.ps, 0, &data, &len, err);
        if (ps != OMEN_OK) {
            omen_parquet_close(src.ps);
            free(parquet_dropped);
            return ps;
        }
    } else {
        char why[256];
        int rc = omen_file_read_checked(fi->path, &data, &len, why, sizeof why);
        if (rc == -2) /* bad content (a broken gzip, a huge line) is bad input, not an I/O error */
            return omen_error_set(err, OMEN_E_DATA, "%s: %s", fi->path, why);
        if (rc != 0)
            return omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", fi->path, strerror(errno));
        omen_sha256_hex(data, len, fi->sha);
        fi->bytes = len;
        /* A UTF-8 byte order mark (spreadsheet exports) is not part of the first header or
         * record: dropped here once, so that every reader, CSV or JSON Lines, sees the same. */
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
            memmove(data, data + 3, len - 2);
            len -= 3;
        }
    }
    in->rep->bytes_read += fi->bytes;
    size_t diag_lines = in->diag.nlines, diag_all = in->diag.nall;
    omen_reader r = {.path = fi->path,
                     .data = data,
                     .len = len,
                     .rows = &in->rows,
                     .diag = &in->diag,
                     .opt = in->opt,
                     .obs = in->obs,
                     .file_index = (uint16_t)k,
                     .model_rows = &in->model_rows,
                     .developer_rows = &in->developer_rows,
                     .edge_last = &in->edge_last,
                     .edge_prev = &in->edge_prev,
                     .count_column = in->opt->count_column,
                     .unmapped = &in->unmapped,
                     .refill = parquet ? parquet_refill : NULL,
                     .stream = parquet ? &src : NULL,
                     .stream_err = err,
                     .seen = in->seen};
    in->obs->files[k] = fi->path;
    uint64_t errors_before = in->diag.count;
    size_t start = 0;
    while (start < len && (data[start] == ' ' || data[start] == '\n' || data[start] == '\r' ||
                           data[start] == '\t'))
        start++;
    size_t bad = start == len ? SIZE_MAX : omen_text_invalid(data, len);
    if (start == len)
        omen_diag_add(&in->diag, fi->path, 1, "the file is empty");
    else if (bad != SIZE_MAX)
        omen_report_not_text(&in->diag, fi->path, data, bad);
    else
        readers[in->opt->source](&r);
    if (start < len && r.rows_read == 0 && in->diag.count == errors_before &&
        r.stream_status == OMEN_OK)
        omen_diag_add(&in->diag, fi->path, 2, "no data rows after the header");
    if (parquet)
        omen_parquet_diag_rows(&in->diag, fi->path, diag_lines, diag_all);
    finish_file(in, fi, &r, parquet_dropped);
    free(r.data);
    omen_parquet_close(src.ps);
    return r.stream_status;
}

static const char *kind_name(omen_series_kind k)
{
    return k == OMEN_KIND_CUMULATIVE ? "cumulative" : k == OMEN_KIND_WEEKLY ? "weekly" : "auto";
}

/* Every reject of one file (with --skip-bad the diag keeps them all, not only the first 20),
 * newline-separated; NULL when the file had none. */
static char *file_rejects(const omen_diag *d, const char *path)
{
    size_t plen = strlen(path);
    char *out = NULL;
    for (size_t i = 0; i < d->nall; i++) {
        if (strncmp(d->all[i], path, plen) != 0 || d->all[i][plen] != ':')
            continue;
        if (out)
            append(&out, "\n");
        append(&out, d->all[i]);
    }
    return out;
}

/* An older listing ingested after a newer one adds its downloads, not its metadata: models with
 * a stored observation after its date keep what the newer listing said (fields and edges). */
static omen_status keep_newer_metadata(ingest *in, omen_store *st, int32_t day, uint64_t *deleted,
                                       omen_error *err)
{
    omen_rows *rows = &in->rows;
    unsigned char *later = omen_xcalloc(rows->names.count + 1, 1);
    size_t n = 0, k = 0;
    omen_status s = omen_store_later_snapshots(st, rows, day, later, &n, err);
    if (s == OMEN_OK)
        s = omen_store_replace_edges(st, rows, later, deleted, err);
    if (s == OMEN_OK && n) {
        for (size_t i = 0; i < rows->nmodels; i++)
            if (later[rows->models[i].name])
                rows->models[i].fields = 0;
        for (size_t i = 0; i < rows->nedges; i++)
            if (!later[rows->edges[i].child])
                rows->edges[k++] = rows->edges[i];
        rows->nedges = k;
        char line[200];
        snprintf(line, sizeof line,
                 "%zu models have a later snapshot in the store: their metadata from this "
                 "listing was not applied\n",
                 n);
        append(&in->rep->notes, line);
    }
    free(later);
    return s;
}

/* Names the first decrease of a cumulative count, so that a user can look at it: a decrease
 * is clipped to a flow of 0, not rejected (methodology.md, "Decreases"). */
static void note_decrease(ingest *in, const omen_series_stats *st)
{
    char line[1400], day[11];
    omen_date_format(st->drop_day, day);
    const char *file = st->drop_where == UINT64_MAX
                           ? "the store"
                           : in->obs->files[OMEN_WHERE_FILE(st->drop_where)];
    char where[1100];
    if (st->drop_where == UINT64_MAX || in->opt->source == OMEN_SOURCE_SNAPSHOT)
        snprintf(where, sizeof where, "%s", file);
    else
        snprintf(where, sizeof where, "%s:%llu", file,
                 (unsigned long long)OMEN_WHERE_LINE(st->drop_where));
    snprintf(line, sizeof line,
             "%s: downloadsAllTime of %s goes down from %llu to %llu on %s: clipped to a flow "
             "of 0 (%llu decrease%s in all, the first named)\n",
             where, omen_intern_str(&in->rows.names, st->drop_model),
             (unsigned long long)st->drop_from, (unsigned long long)st->drop_to, day,
             (unsigned long long)st->clipped, st->clipped == 1 ? "" : "s");
    append(&in->rep->notes, line);
}

/* A snapshot date whose listing changed no model's count is a stale copy of an earlier listing
 * (hfmlsoc/hub_weekly_snapshots reuses one for two folders now and then): its week's downloads
 * are not known, so they are shared with the next real week's instead of reading as a week of
 * zero followed by a double one. Builds the flows, and again with the day marked stale when it
 * turns out to be one (only models with observations after it then change). */
static omen_status build_flows(ingest *in, omen_store *st, omen_series_kind kind, bool *stale,
                               omen_error *err)
{
    const omen_ingest_options *opt = in->opt;
    omen_series_ctx ctx = {
        .progress = opt->progress, .progress_ctx = opt->progress_ctx, .memo = in->memo};
    int32_t *days = NULL;
    size_t ndays = 0;
    omen_status s = OMEN_OK;
    if (kind == OMEN_KIND_CUMULATIVE && omen_store_stale_days(st, &days, &ndays, err) != OMEN_OK)
        return OMEN_RUNTIME;
    ctx.stale = days;
    ctx.nstale = ndays;
    omen_series_stats stats = {0};
    s = omen_series_build(in->obs, &in->rows, kind, opt, &ctx, st, in->rep, &stats, err);
    if (s == OMEN_OK && stats.clipped)
        note_decrease(in, &stats);
    *stale = s == OMEN_OK && opt->source == OMEN_SOURCE_SNAPSHOT && in->obs->n && !stats.changed;
    if (*stale) {
        days = omen_xrealloc(days, (ndays + 1) * sizeof *days);
        size_t k = ndays++;
        while (k && days[k - 1] > opt->date) {
            days[k] = days[k - 1];
            k--;
        }
        days[k] = opt->date;
        ctx.stale = days;
        ctx.nstale = ndays;
        in->rows.nweekly = in->rows.nsnapshots = in->rows.nreplace = 0;
        omen_series_stats again = {0};
        in->rep->decreases_clipped -= stats.clipped;
        s = omen_series_build(in->obs, &in->rows, kind, opt, &ctx, st, in->rep, &again, err);
    }
    free(days);
    return s;
}

/* A week of a folder lists two million models whose metadata and base models mostly did not
 * change since the week before: a model whose row and edges hash as the run last wrote them is
 * left out of the batch's writes (its fields cleared, its edges dropped), which saves an update
 * and an edge upsert per model per week. A first sighting in the run is always written. */
static void drop_unchanged_metadata(ingest *in)
{
    omen_rows *rows = &in->rows;
    omen_metadata_seen *seen = in->seen;
    size_t nnames = rows->names.count ? rows->names.count : 1;
    uint64_t *edge_hash = omen_xcalloc(nnames, sizeof *edge_hash);
    for (size_t i = 0; i < rows->nedges; i++) {
        const omen_edge_row *e = &rows->edges[i];
        uint64_t h = edge_hash[e->child] ? edge_hash[e->child] : 0xcbf29ce484222325ull;
        h = omen_fnv(h, omen_intern_str(&rows->names, e->parent),
                     strlen(omen_intern_str(&rows->names, e->parent)) + 1);
        h = omen_fnv_str(h, &rows->strings, e->relation);
        edge_hash[e->child] = omen_fnv(h, &e->position, sizeof e->position);
    }
    unsigned char *same = omen_xcalloc(nnames, 1);
    for (size_t i = 0; i < rows->nmodels; i++) {
        omen_model_row *m = &rows->models[i];
        if (m->fields & OMEN_MF_UNCHANGED) { /* its row was not read again: the text is the same */
            m->fields = 0;
            same[m->name] = 1;
            continue;
        }
        uint64_t noedge = omen_model_row_hash(rows, m);
        /* 0 marks a model not seen yet */
        uint64_t h = omen_fnv(noedge, &edge_hash[m->name], sizeof edge_hash[m->name]) | 1;
        const char *name = omen_intern_str(&rows->names, m->name);
        uint32_t id = omen_metadata_seen_slot(seen, name, strlen(name));
        if (seen->hash[id] == h) {
            m->fields = 0;
            same[m->name] = 1;
        }
        seen->hash[id] = h;
        seen->noedge[id] = noedge | 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < rows->nedges; i++)
        if (!same[rows->edges[i].child])
            rows->edges[k++] = rows->edges[i];
    rows->nedges = k;
    free(same);
    free(edge_hash);
}

/* Writes the batch inside the caller's transaction: flows, rows, a provenance row per file and,
 * for a snapshot, the record of its date. */
static omen_status write_batch(ingest *in, omen_store *st, size_t nfiles, omen_series_kind kind,
                               omen_error *err)
{
    const omen_ingest_options *opt = in->opt;
    omen_status s = OMEN_OK;
    bool stale = false;
    if (opt->source == OMEN_SOURCE_DOWNLOADS || opt->source == OMEN_SOURCE_EVENTS ||
        opt->source == OMEN_SOURCE_EVOLUTION || opt->source == OMEN_SOURCE_SNAPSHOT)
        s = build_flows(in, st, kind, &stale, err);
    uint64_t written = 0, edges_deleted = 0;
    if (s == OMEN_OK && in->seen)
        drop_unchanged_metadata(in);
    if (s == OMEN_OK && opt->source == OMEN_SOURCE_SNAPSHOT)
        s = keep_newer_metadata(in, st, opt->date, &edges_deleted, err);
    if (s == OMEN_OK)
        s = omen_store_write_rows(st, &in->rows, opt->progress, opt->progress_ctx, &written, err);
    written += edges_deleted;
    if (s == OMEN_OK && opt->source == OMEN_SOURCE_SNAPSHOT) {
        omen_snapshot_day d = {
            .found = true, .day = opt->date, .bytes = in->files[0].bytes, .stale = stale};
        memcpy(d.sha256, in->files[0].sha, sizeof d.sha256);
        snprintf(d.file, sizeof d.file, "%s", in->files[0].path);
        s = omen_store_record_snapshot_day(st, &d, in->files[0].rows_read, err);
        if (stale) {
            char line[256], day[11];
            omen_date_format(opt->date, day);
            snprintf(line, sizeof line,
                     "%s: the listing of %s changes no model's downloadsAllTime: a stale copy; "
                     "its week shares the next listing's downloads\n",
                     in->files[0].path, day);
            append(&in->rep->notes, line);
            in->rep->stale_snapshots++;
            written++; /* the recorded stale day changes how later flows are shared */
        }
    }
    char options[128];
    snprintf(options, sizeof options, "kind=%s baseline_first=%d skip_bad=%d", kind_name(kind),
             opt->baseline_first, opt->skip_bad);
    for (size_t k = 0; s == OMEN_OK && k < nfiles; k++) {
        char *rejects = file_rejects(&in->diag, in->files[k].path);
        omen_ingest_record rec = {source_names[opt->source],
                                  in->files[k].path,
                                  in->files[k].sha,
                                  in->files[k].bytes,
                                  in->files[k].rows_read,
                                  in->files[k].rows_bad,
                                  k == 0 ? written : 0,
                                  options,
                                  rejects,
                                  k == 0 ? in->rep->unmapped : NULL};
        s = omen_store_record_ingest(st, &rec, err);
        free(rejects);
    }
    if (s == OMEN_OK && (written || (in->rows.synthetic && !omen_store_is_synthetic(st))))
        s = omen_store_touch(st, in->rows.synthetic, err);
    in->rep->rows_written += written;
    return s;
}

/* The options an ingest runs with: the released dataset and Hub listings carry cumulative
 * downloadsAllTime, always; event counts are flows. */
static void effective_options(const omen_ingest_options *opt, omen_ingest_options *eff)
{
    *eff = *opt;
    if (opt->source == OMEN_SOURCE_EVOLUTION || opt->source == OMEN_SOURCE_SNAPSHOT)
        eff->kind = OMEN_KIND_CUMULATIVE;
    if (opt->source == OMEN_SOURCE_EVENTS)
        eff->kind = OMEN_KIND_WEEKLY;
}

static void ingest_init(ingest *in, const omen_ingest_options *opt, size_t npaths,
                        omen_ingest_report *rep)
{
    memset(in, 0, sizeof *in);
    in->opt = opt;
    in->rep = rep;
    if (opt->source == OMEN_SOURCE_EVENTS)
        in->events = omen_events_new(opt);
    omen_rows_init(&in->rows);
    omen_diag_init(&in->diag, opt->max_errors > 0 ? (size_t)opt->max_errors : 20, opt->skip_bad);
    in->obs = omen_xcalloc(1, sizeof *in->obs);
    in->obs->conflicts = omen_xcalloc(npaths, sizeof *in->obs->conflicts);
    in->files = omen_xcalloc(npaths, sizeof *in->files);
}

static void ingest_free(ingest *in)
{
    omen_rows_free(&in->rows);
    omen_diag_free(&in->diag);
    free(in->obs->v);
    free(in->obs->conflicts);
    free(in->obs);
    free(in->files);
    omen_index_free(&in->model_rows);
    omen_index_free(&in->developer_rows);
    omen_index_free(&in->edge_last);
    free(in->edge_prev);
    omen_events_free(in->events);
    omen_unmapped_free(&in->unmapped);
}

/* One line saying how many metadata values were kept as given (the values: rep->unmapped). */
static void note_unmapped(omen_ingest_report *rep, const omen_unmapped *u)
{
    if (!u->total)
        return;
    char line[256];
    snprintf(line, sizeof line,
             "%llu metadata values (%zu distinct) are outside omen's vocabularies and were kept "
             "as given (--strict-labels rejects them); they are listed in ingests.unmapped\n",
             (unsigned long long)u->total, omen_unmapped_distinct(u));
    append(&rep->notes, line);
}

/* Reads and validates every file of the batch; decides the series kind. OMEN_OK with
 * *kind set when the batch may be written. */
static omen_status ingest_read(ingest *in, const char *const *paths, size_t npaths,
                               omen_series_kind *kind, omen_error *err)
{
    const omen_ingest_options *opt = in->opt;
    omen_ingest_report *rep = in->rep;
    omen_status s = OMEN_OK;
    for (size_t k = 0; k < npaths && s == OMEN_OK; k++) {
        in->files[k].path = paths[k];
        if (opt->progress && !in->quiet_progress)
            opt->progress(opt->progress_ctx, paths[k], k, npaths);
        s = read_one(in, k, err);
    }
    *kind = opt->kind;
    if (s == OMEN_OK && opt->source == OMEN_SOURCE_EVENTS) {
        char line[512];
        s = omen_events_finish(in->events, in->obs, err);
        omen_events_summary(in->events, line, sizeof line - 1);
        strcat(line, "\n");
        append(&rep->notes, line);
        *kind = OMEN_KIND_WEEKLY;
        omen_series_check(in->obs, &in->rows, opt, &in->diag, &rep->notes);
    } else if (s == OMEN_OK &&
               (opt->source == OMEN_SOURCE_DOWNLOADS || opt->source == OMEN_SOURCE_EVOLUTION ||
                opt->source == OMEN_SOURCE_SNAPSHOT)) {
        *kind = omen_series_check(in->obs, &in->rows, opt, &in->diag, &rep->notes);
        for (size_t k = 0; k < npaths; k++) {
            in->files[k].rows_bad += in->obs->conflicts[k];
            rep->rows_rejected += in->obs->conflicts[k];
        }
    }
    /* Before the write: the ingests row records them. */
    free(rep->unmapped);
    rep->unmapped = omen_unmapped_text(&in->unmapped, 0);
    rep->unmapped_values += in->unmapped.total;
    if (!in->quiet_progress) /* a folder says it once, for all its weeks */
        note_unmapped(rep, &in->unmapped);
    rep->models_seen += in->rows.names.count;
    if (s == OMEN_OK && in->diag.count && !opt->skip_bad)
        return omen_error_take(err, OMEN_E_DATA, omen_diag_text(&in->diag));
    if (s == OMEN_OK && in->diag.count) {
        char line[128];
        snprintf(line, sizeof line,
                 "%llu bad rows skipped (%llu errors listed in the ingests table)\n",
                 (unsigned long long)rep->rows_rejected, (unsigned long long)in->diag.count);
        append(&rep->notes, line);
    }
    return s;
}

omen_status omen_ingest_files(omen_store *st, const omen_ingest_options *opt,
                              const char *const *paths, size_t npaths, omen_ingest_report *rep,
                              omen_error *err)
{
    memset(rep, 0, sizeof *rep);
    if (npaths == 0 || npaths >= (1u << 16))
        return omen_error_set(err, OMEN_E_USAGE, "give between 1 and 65535 files");
    if (opt->source == OMEN_SOURCE_SNAPSHOT && npaths == 1 && omen_is_folder(paths[0]))
        return omen_ingest_snapshot_folder(st, opt, paths[0], rep, err);
    if (opt->source == OMEN_SOURCE_SNAPSHOT && !opt->date_given)
        return omen_error_set(err, OMEN_E_USAGE,
                              "a snapshot file needs its date (--date YYYY-MM-DD), or give a "
                              "folder of dated snapshots");
    omen_ingest_options eff;
    effective_options(opt, &eff);
    ingest in;
    ingest_init(&in, &eff, npaths, rep);
    omen_series_kind kind;
    omen_status s = ingest_read(&in, paths, npaths, &kind, err);
    if (s == OMEN_OK) {
        if (omen_store_begin(st, err)) {
            s = OMEN_RUNTIME;
        } else {
            s = write_batch(&in, st, npaths, kind, err);
            if (s == OMEN_OK)
                s = omen_store_commit(st, err);
            else
                omen_store_rollback(st);
        }
    }
    ingest_free(&in);
    return s;
}

/* ---------------------------------------------------------------- folders of snapshots */

/* One dated listing of a folder, as it is ingested. */
static omen_status ingest_week(omen_store *st, const omen_ingest_options *opt,
                               const omen_snapshot_file *f, omen_series_memo *memo,
                               omen_metadata_seen *seen, omen_unmapped *unmapped,
                               omen_ingest_report *total, omen_error *err)
{
    omen_ingest_options eff;
    effective_options(opt, &eff);
    eff.date = f->day;
    eff.date_given = true;
    eff.progress = NULL; /* the folder's bar counts the weeks */
    omen_ingest_report rep = {0};
    ingest in;
    ingest_init(&in, &eff, 1, &rep);
    in.quiet_progress = true;
    in.memo = memo;
    in.seen = seen;
    const char *path = f->path;
    omen_series_kind kind;
    omen_status s = ingest_read(&in, &path, 1, &kind, err);
    if (s == OMEN_OK)
        s = write_batch(&in, st, 1, kind, err);
    omen_unmapped_merge(unmapped, &in.unmapped);
    ingest_free(&in);
    total->bytes_read += rep.bytes_read;
    total->rows_read += rep.rows_read;
    total->rows_rejected += rep.rows_rejected;
    total->rows_written += rep.rows_written;
    total->models_seen =
        rep.models_seen > total->models_seen ? rep.models_seen : total->models_seen;
    total->decreases_clipped += rep.decreases_clipped;
    total->stale_snapshots += rep.stale_snapshots;
    total->rows_unchanged += rep.rows_unchanged;
    total->unmapped_values += rep.unmapped_values;
    total->kind_used = rep.kind_used;
    append(&total->notes, rep.notes);

    if (rep.unused_columns && !total->unused_columns)
        append(&total->unused_columns, rep.unused_columns);
    omen_ingest_report_free(&rep);
    return s;
}

/* Whether listing i is byte for byte the listing before it (in the folder, or the store's
 * latest date before it), with no later date in the store whose flows would have to be shared
 * anew (then it is read, and found stale by its content). Hashes only files of equal size. */
static omen_status identical_to_previous(omen_store *st, omen_snapshot_file *files, size_t i,
                                         bool *copy, omen_error *err)
{
    *copy = false;
    omen_snapshot_day prev, later;
    omen_status s = omen_store_snapshot_day(st, files[i].day, true, &prev, err);
    if (s == OMEN_OK)
        s = omen_store_snapshot_day(st, INT32_MAX, true, &later, err);
    if (s != OMEN_OK || !prev.found || later.day > files[i].day)
        return s;
    if (i > 0 && files[i - 1].day == prev.day && !files[i - 1].sha256[0] &&
        files[i - 1].bytes == files[i].bytes)
        s = omen_snapshot_file_hash(&files[i - 1], err);
    const char *prev_sha = i > 0 && files[i - 1].day == prev.day && files[i - 1].sha256[0]
                               ? files[i - 1].sha256
                               : prev.sha256;
    if (s != OMEN_OK || prev.bytes != files[i].bytes || !prev_sha[0])
        return s;
    s = omen_snapshot_file_hash(&files[i], err);
    *copy = s == OMEN_OK && strcmp(prev_sha, files[i].sha256) == 0;
    return s;
}

/* A listing identical to the one before: its date is recorded as stale without reading it. */
static omen_status record_stale_copy(omen_store *st, const omen_snapshot_file *f,
                                     omen_ingest_report *rep, omen_error *err)
{
    omen_snapshot_day d = {.found = true, .day = f->day, .bytes = f->bytes, .stale = true};
    memcpy(d.sha256, f->sha256, sizeof d.sha256);
    snprintf(d.file, sizeof d.file, "%s", f->path);
    omen_status s = omen_store_record_snapshot_day(st, &d, 0, err);
    omen_ingest_record rec = {.source = "snapshot",
                              .file = f->path,
                              .sha256 = f->sha256,
                              .bytes = f->bytes,
                              .options = "stale copy: identical to the listing before it"};
    if (s == OMEN_OK)
        s = omen_store_record_ingest(st, &rec, err);
    if (s == OMEN_OK)
        s = omen_store_touch(st, false, err);
    char line[1200], day[11];
    omen_date_format(f->day, day);
    snprintf(line, sizeof line,
             "%s: the listing of %s is byte for byte the one before it: a stale copy; its week "
             "shares the next listing's downloads\n",
             f->path, day);
    append(&rep->notes, line);
    rep->stale_snapshots++;
    return s;
}

omen_status omen_ingest_snapshot_folder(omen_store *st, const omen_ingest_options *opt,
                                        const char *dir, omen_ingest_report *rep, omen_error *err)
{
    memset(rep, 0, sizeof *rep);
    if (opt->date_given)
        return omen_error_set(err, OMEN_E_USAGE,
                              "%s is a folder: its snapshots take their dates from their paths "
                              "(--date is for one file)",
                              dir);
    omen_snapshot_file *files = NULL;
    size_t n = 0;
    char *notes = NULL;
    omen_status s = omen_snapshot_folder_list(dir, &files, &n, &notes, err);
    append(&rep->notes, notes);
    free(notes);
    if (s != OMEN_OK)
        return s;
    /* What the store already has is skipped: the same date with the same bytes. */
    size_t todo = 0, skipped = 0;
    for (size_t i = 0; i < n && s == OMEN_OK; i++) {
        omen_snapshot_day have;
        s = omen_store_snapshot_day(st, files[i].day, false, &have, err);
        if (s == OMEN_OK && have.found && have.bytes == files[i].bytes)
            s = omen_snapshot_file_hash(&files[i], err);
        if (s == OMEN_OK && have.found && strcmp(have.sha256, files[i].sha256) == 0) {
            files[i].skip = true;
            skipped++;
        } else {
            todo++;
        }
    }
    if (s == OMEN_OK && skipped) {
        char line[160];
        snprintf(line, sizeof line,
                 "%zu of %zu snapshot dates are already in the store with the same file: "
                 "skipped\n",
                 skipped, n);
        append(&rep->notes, line);
    }
    if (s == OMEN_OK && todo && omen_store_begin(st, err))
        s = OMEN_RUNTIME;
    /* Weeks after the first need no lookups of last observations: the run remembers them. */
    omen_series_memo memo = {0};
    omen_intern_init(&memo.names);
    memo.complete = s == OMEN_OK && !omen_store_has_snapshots(st);
    omen_metadata_seen seen = {0};
    omen_intern_init(&seen.names);
    omen_unmapped unmapped = {0};
    size_t done = 0;
    for (size_t i = 0; s == OMEN_OK && i < n; i++) {
        if (files[i].skip)
            continue;
        if (opt->progress)
            opt->progress(opt->progress_ctx, "snapshots", done, todo);
        bool copy = false;
        s = identical_to_previous(st, files, i, &copy, err);
        if (s == OMEN_OK)
            s = copy ? record_stale_copy(st, &files[i], rep, err)
                     : ingest_week(st, opt, &files[i], &memo, &seen, &unmapped, rep, err);
        done++;
    }
    omen_series_memo_free(&memo);
    omen_metadata_seen_free(&seen);
    rep->unmapped = omen_unmapped_text(&unmapped, 0);
    note_unmapped(rep, &unmapped);
    if (rep->rows_unchanged) {
        char line[200];
        snprintf(line, sizeof line,
                 "%llu of %llu listing rows were, apart from their counts, the text of a row an "
                 "earlier week gave: only their counts were read\n",
                 (unsigned long long)rep->rows_unchanged, (unsigned long long)rep->rows_read);
        append(&rep->notes, line);
    }
    omen_unmapped_free(&unmapped);
    if (todo) {
        if (s == OMEN_OK)
            s = omen_store_commit(st, err);
        else
            omen_store_rollback(st);
    }
    if (s == OMEN_OK && opt->progress)
        opt->progress(opt->progress_ctx, "snapshots", todo, todo);
    rep->snapshots_ingested = s == OMEN_OK ? todo : 0;
    rep->snapshots_skipped = skipped;
    omen_snapshot_folder_free(files, n);
    return s;
}
