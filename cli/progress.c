/* progress.c: the terminal progress bar, drawn on stderr only when it is a terminal and at
 * most ten times a second. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

static struct {
    int tty; /* -1 unknown, 0 no, 1 yes */
    double start, last;
    char what[64];
    int drawn;
} bar = {-1, 0, 0, "", 0};

static int width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

void cli_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    const cli_ctx *c = ctx;
    if (bar.tty < 0)
        bar.tty = isatty(STDERR_FILENO) && !(c && c->quiet);
    if (!bar.tty)
        return;
    double t = omen_now();
    if (strncmp(bar.what, what, sizeof bar.what - 1) != 0) {
        snprintf(bar.what, sizeof bar.what, "%s", what);
        bar.start = t;
        bar.last = 0;
    }
    if (t - bar.last < 0.1 && !(total && done >= total))
        return;
    bar.last = t;
    char line[512];
    size_t n =
        omen_progress_render(line, sizeof line, width() - 1, what, done, total, t - bar.start, 0);
    fwrite(line, 1, n, stderr);
    fflush(stderr);
    bar.drawn = 1;
}

void cli_progress_done(void)
{
    if (bar.drawn)
        fputs("\r\033[K", stderr);
    bar.drawn = 0;
    bar.what[0] = 0;
}
