/* sources.h: the readers of the released dataset (`evolution`) and of Hub listings
 * (`snapshot`), and the piece of the models reader they share. */
#ifndef OMEN_INGEST_SOURCES_H
#define OMEN_INGEST_SOURCES_H

#include "reader.h"

struct cJSON;

/* The top-level columns each reader reads, NULL-terminated: a Parquet file is read only for
 * these (the rest are reported unused without being read). */
extern const char *const omen_evolution_columns[];
extern const char *const omen_snapshot_columns[];

/* The released dataset: long rows (model, time, downloadsAllTime, metadata...). */
void omen_read_evolution(omen_reader *r);
/* One Hub listing at r->opt->date: JSON Lines (camelCase or snake_case) or CSV text (the form
 * a hub-stats models.parquet takes after parquet.h). */
void omen_read_snapshot(omen_reader *r);
/* What the models reader noticed across the Hub records of one file. */
typedef struct {
    uint64_t bases_differ; /* baseModels and base_model: tags disagree (baseModels used) */
    uint64_t first_differ_line;
    char first_differ[160]; /* the first such model id */
} omen_models_tally;

/* The models reader's handling of one Hub API record (read_models.c): validates it and adds its
 * model row and base-model edges, or reports it at `line`; tally (may be NULL) counts what
 * omen_models_tally_note() then reports as a note of the file. */
void omen_models_json_record(omen_reader *r, const struct cJSON *o, uint64_t line,
                             omen_models_tally *tally);
void omen_models_tally_note(omen_reader *r, const omen_models_tally *tally);

#endif
