/* refresh.c: the end of every command that writes the store (ingest, synth, pull, annotate
 * --heuristic, sizes estimate --apply): the panel cache is left current, so that the next
 * command maps it instead of rebuilding the panel from the store (docs/architecture.md, "The
 * panel and its cache"). A cache that cannot be written is a warning: the write succeeded. */
#include <stdio.h>

#include "cli.h"

void cli_refresh_panel(cli_ctx *ctx, bool no_cache)
{
    if (no_cache)
        return;
    omen_panel_options opt = {.progress = cli_progress, .progress_ctx = ctx};
    omen_error err = {0};
    omen_store *st = NULL;
    /* A handle of its own, opened after the writer's was closed: the cache's stamp is then that
     * of the store file as the next command finds it. */
    omen_status s = omen_store_open(ctx->db, OMEN_STORE_READ, &st, &err);
    if (s == OMEN_OK)
        s = omen_panel_refresh(st, &opt, NULL, &err);
    cli_progress_done();
    if (s != OMEN_OK)
        fprintf(stderr,
                "omen: warning: %s; the store was written, and the next command will build the "
                "panel from it\n",
                err.message ? err.message : "the panel cache could not be written");
    omen_store_close(st);
    omen_error_clear(&err);
}
