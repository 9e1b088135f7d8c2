/* events.h: the `events` source (raw download events to weekly downloads with an external
 * sort); see events.c. An omen_events owns its key buffer and spill files; release it with
 * omen_events_free(). */
#ifndef OMEN_INGEST_EVENTS_H
#define OMEN_INGEST_EVENTS_H

#include "reader.h"

typedef struct omen_events omen_events;

/* Budget from opt->memory_limit (0 = 1 GiB), spill folder from opt->tmp_dir. */
omen_events *omen_events_new(const omen_ingest_options *opt);
void omen_events_free(omen_events *ev);
/* Streams one file (plain or gzip; CSV model,user,timestamp or JSON Lines), reporting bad rows
 * to r->diag and interning models into r->rows. sha gets the SHA-256 of the decompressed
 * bytes, *bytes their count. Errors are I/O (unreadable file, full spill folder). */
omen_status omen_events_read(omen_events *ev, omen_reader *r, char sha[65], uint64_t *bytes,
                             omen_error *err);
/* Merges everything read into obs: one observation per model and ISO week (day = Monday,
 * count = unique (user, day) pairs of the model in that week). */
omen_status omen_events_finish(omen_events *ev, omen_obs_list *obs, omen_error *err);
/* One line for the report: events read, duplicates dropped, spills. */
void omen_events_summary(const omen_events *ev, char *out, size_t size);

#endif
