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
#include "../util/fileio.h"
#include "events.h"
#include "parquet.h"
#include "reader.h"
#include "sources.h"
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
    omen_events *events;    /* events source: the deduplication across files */
    omen_unmapped unmapped; /* metadata values kept as given, across the files */
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
    free(r->data);
    r->data = NULL;
    r->len = 0;
    char *text = NULL;
    size_t len = 0;
    omen_status s = omen_parquet_next(src->ps, 0, &text, &len, r->stream_err);
    if (s != OMEN_OK) {
        r->stream_status = s;
        return false;
    }
    if (!text)
        return false;
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
        if (omen_file_read(fi->path, &data, &len) != 0)
            return omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", fi->path, strerror(errno));
        omen_sha256_hex(data, len, fi->sha);
        fi->bytes = len;
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
                     .stream_err = err};
    in->obs->files[k] = fi->path;
    uint64_t errors_before = in->diag.count;
    size_t start = 0;
    while (start < len && (data[start] == ' ' || data[start] == '\n' || data[start] == '\r' ||
                           data[start] == '\t'))
        start++;
    if (start == len)
        omen_diag_add(&in->diag, fi->path, 1, "the file is empty");
    else if (omen_looks_binary(data, len))
        omen_diag_add(&in->diag, fi->path, 1, "the file is binary, not CSV or JSON Lines text");
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

static omen_status write_all(ingest *in, omen_store *st, size_t nfiles, omen_series_kind kind,
                             omen_error *err)
{
    const omen_ingest_options *opt = in->opt;
    if (omen_store_begin(st, err))
        return OMEN_RUNTIME;
    omen_status s = OMEN_OK;
    if (opt->source == OMEN_SOURCE_DOWNLOADS || opt->source == OMEN_SOURCE_EVENTS ||
        opt->source == OMEN_SOURCE_EVOLUTION || opt->source == OMEN_SOURCE_SNAPSHOT)
        s = omen_series_build(in->obs, &in->rows, kind, opt, st, in->rep, err);
    uint64_t written = 0, edges_deleted = 0;
    if (s == OMEN_OK && opt->source == OMEN_SOURCE_SNAPSHOT)
        s = keep_newer_metadata(in, st, opt->date, &edges_deleted, err);
    if (s == OMEN_OK)
        s = omen_store_write_rows(st, &in->rows, opt->progress, opt->progress_ctx, &written, err);
    written += edges_deleted;
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
    if (s != OMEN_OK) {
        omen_store_rollback(st);
        return s;
    }
    in->rep->rows_written = written;
    return omen_store_commit(st, err);
}

omen_status omen_ingest_files(omen_store *st, const omen_ingest_options *opt,
                              const char *const *paths, size_t npaths, omen_ingest_report *rep,
                              omen_error *err)
{
    memset(rep, 0, sizeof *rep);
    if (npaths == 0 || npaths >= (1u << 16))
        return omen_error_set(err, OMEN_E_USAGE, "give between 1 and 65535 files");
    ingest in = {.opt = opt, .rep = rep};
    omen_ingest_options weekly_opt = *opt;
    weekly_opt.kind = OMEN_KIND_WEEKLY;
    /* The released dataset and Hub listings carry cumulative downloadsAllTime, always. */
    omen_ingest_options cumulative_opt = *opt;
    cumulative_opt.kind = OMEN_KIND_CUMULATIVE;
    if (opt->source == OMEN_SOURCE_EVOLUTION || opt->source == OMEN_SOURCE_SNAPSHOT)
        in.opt = &cumulative_opt;
    if (opt->source == OMEN_SOURCE_SNAPSHOT && !opt->date_given)
        return omen_error_set(err, OMEN_E_USAGE, "a snapshot needs its date (--date YYYY-MM-DD)");
    if (opt->source == OMEN_SOURCE_EVENTS) {
        in.events = omen_events_new(opt);
        in.opt = &weekly_opt; /* the weekly sums are flows, never cumulative counts */
    }
    omen_rows_init(&in.rows);
    omen_diag_init(&in.diag, opt->max_errors > 0 ? (size_t)opt->max_errors : 20, opt->skip_bad);
    in.obs = omen_xcalloc(1, sizeof *in.obs);
    in.obs->conflicts = omen_xcalloc(npaths, sizeof *in.obs->conflicts);
    in.files = omen_xcalloc(npaths, sizeof *in.files);
    omen_status s = OMEN_OK;
    for (size_t k = 0; k < npaths && s == OMEN_OK; k++) {
        in.files[k].path = paths[k];
        if (opt->progress)
            opt->progress(opt->progress_ctx, paths[k], k, npaths);
        s = read_one(&in, k, err);
    }
    omen_series_kind kind = opt->kind;
    if (s == OMEN_OK && opt->source == OMEN_SOURCE_EVENTS) {
        char line[512];
        s = omen_events_finish(in.events, in.obs, err);
        omen_events_summary(in.events, line, sizeof line - 1);
        strcat(line, "\n");
        append(&rep->notes, line);
        kind = OMEN_KIND_WEEKLY;
        omen_series_check(in.obs, &in.rows, &weekly_opt, &in.diag, &rep->notes);
    } else if (s == OMEN_OK &&
               (opt->source == OMEN_SOURCE_DOWNLOADS || in.opt == &cumulative_opt)) {
        kind = omen_series_check(in.obs, &in.rows, in.opt, &in.diag, &rep->notes);
        for (size_t k = 0; k < npaths; k++) {
            in.files[k].rows_bad += in.obs->conflicts[k];
            rep->rows_rejected += in.obs->conflicts[k];
        }
    }
    /* Before the write: the ingests row records them. */
    rep->unmapped = omen_unmapped_text(&in.unmapped, 0);
    rep->unmapped_values = in.unmapped.total;
    if (in.unmapped.total) {
        char line[256];
        snprintf(line, sizeof line,
                 "%llu metadata values (%zu distinct) are outside omen's vocabularies and were "
                 "kept as given (--strict-labels rejects them); they are listed in "
                 "ingests.unmapped\n",
                 (unsigned long long)in.unmapped.total, omen_unmapped_distinct(&in.unmapped));
        append(&rep->notes, line);
    }
    rep->models_seen = in.rows.names.count;
    if (s == OMEN_OK && in.diag.count && !opt->skip_bad) {
        s = omen_error_take(err, OMEN_E_DATA, omen_diag_text(&in.diag));
    } else if (s == OMEN_OK) {
        if (in.diag.count) {
            char line[128];
            snprintf(line, sizeof line,
                     "%llu bad rows skipped (%llu errors listed in the ingests table)\n",
                     (unsigned long long)rep->rows_rejected, (unsigned long long)in.diag.count);
            append(&rep->notes, line);
        }
        s = write_all(&in, st, npaths, kind, err);
    }
    omen_rows_free(&in.rows);
    omen_diag_free(&in.diag);
    free(in.obs->v);
    free(in.obs->conflicts);
    free(in.obs);
    free(in.files);
    omen_index_free(&in.model_rows);
    omen_index_free(&in.developer_rows);
    omen_index_free(&in.edge_last);
    free(in.edge_prev);
    omen_events_free(in.events);
    omen_unmapped_free(&in.unmapped);
    return s;
}
