/* fuzz_store.h: the tiny synthetic store the query and panel cache drivers load a panel from,
 * made once per process in its scratch folder, and the run of every analysis on a panel. */
#ifndef OMEN_TESTS_FUZZ_STORE_H
#define OMEN_TESTS_FUZZ_STORE_H

#include "fuzz_common.h"

/* A store of the calibrated synthetic panel at a small scale (a few hundred models, every kind
 * of row), reopened read-only so that its file, and so the cache's stamp, never changes. */
static inline omen_store *fz_synth_store(const char *name)
{
    char path[600];
    fz_path(path, sizeof path, name);
    omen_store *st = fz_new_store(path);
    omen_synth_options so = {.scale = 0.0005, .seed = 7};
    omen_synth_report rep;
    omen_error err = {0};
    if (omen_synth_to_store(st, &so, &rep, &err) != OMEN_OK) {
        fprintf(stderr, "fuzz: synth failed: %s\n", err.message);
        abort();
    }
    omen_store_close(st);
    if (omen_store_open(path, OMEN_STORE_READ, &st, &err) != OMEN_OK) {
        fprintf(stderr, "fuzz: cannot reopen the store: %s\n", err.message);
        abort();
    }
    return st;
}

/* Runs analysis a (or every analysis when NULL) on the panel and renders each result, as the
 * CLI and the server do; errors are fine, crashes are not. */
static inline void fz_run_analyses(const omen_panel *p, const omen_query *q,
                                   const omen_analysis *only)
{
    const omen_analysis *a;
    for (size_t i = 0; only ? i == 0 : (a = omen_analysis_at(i)) != NULL; i++) {
        if (only)
            a = only;
        omen_table *t = NULL;
        omen_error err = {0};
        if (a->run(p, q, &t, &err) == OMEN_OK && t) {
            size_t len = 0;
            free(omen_table_to_string(t, OMEN_FORMAT_JSON, &len));
        }
        omen_table_free(t);
        omen_error_clear(&err);
    }
}

#endif
