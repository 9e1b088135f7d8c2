/* fuzz_query.c: libFuzzer target for the query option parser (omen_query_set_for and
 * omen_query_set, src/engine/query.c), which the CLI's options and the server's HTTP parameters
 * both go through, and for the analyses given whatever it accepts. The first input byte picks
 * the analysis; the rest is "name=value" pairs separated by '&' or newlines ("name" alone for a
 * flag). When every pair is accepted the analysis runs on a panel of a tiny synthetic store. */
#include <stdint.h>

#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static omen_panel *panel;

static void init(void)
{
    omen_store *st = fz_synth_store("query.db");
    omen_panel_options po = {.no_cache = true};
    omen_error err = {0};
    if (omen_panel_load(st, &po, &panel, NULL, &err) != OMEN_OK) {
        fprintf(stderr, "fuzz_query: cannot load the panel: %s\n", err.message);
        abort();
    }
    omen_store_close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!panel)
        init();
    if (size < 1)
        return 0;
    size_t na = 0;
    while (omen_analysis_at(na))
        na++;
    const omen_analysis *a = omen_analysis_at(data[0] % na);

    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    omen_query q, loose;
    omen_query_defaults(&q);
    omen_query_defaults(&loose);
    bool all_ok = true;
    /* strsep, not strtok: an empty pair is given to the parser too */
    char *rest = text, *pair;
    while ((pair = strsep(&rest, "&\n")) != NULL) {
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = 0;
        const char *value = eq ? eq + 1 : NULL;
        bool takes_value = false;
        (void)omen_query_is_option(pair, &takes_value);
        omen_error err = {0};
        (void)omen_query_set(&loose, pair, value, &err);
        omen_error_clear(&err);
        if (omen_query_set_for(&q, a->name, pair, value, &err) != OMEN_OK) {
            if (!err.message)
                abort(); /* a refused option must say why */
            all_ok = false;
        }
        omen_error_clear(&err);
    }
    if (all_ok)
        fz_run_analyses(panel, &q, a);
    free(text);
    return 0;
}
