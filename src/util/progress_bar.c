/* progress_bar.c: the one-line progress bar that cli/ draws on stderr during long ingests.
 *
 * The line is padded to width - 1 columns: it overwrites a longer previous line after "\r"
 * and never touches the last column, where some terminals wrap. ASCII only, so it reads the
 * same in any locale. */
#include "progress_bar.h"

#include <stdio.h>
#include <string.h>

#define MAX_WIDTH 400
#define MIN_BAR   10

/* Decimal units (1 MB = 10^6 bytes), matching the MB/s that benchmarks report. */
static void human(char *out, size_t cap, uint64_t v, int bytes)
{
    static const char *const byte_units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    static const char *const count_units[] = {"", "k", "M", "G", "T", "P", "E"};
    const char *const *units = bytes ? byte_units : count_units;
    const char *sep = bytes ? " " : "";
    if (v < 1000) {
        snprintf(out, cap, "%llu%s%s", (unsigned long long)v, sep, bytes ? units[0] : "");
        return;
    }
    double x = (double)v;
    int u = 0;
    while (x >= 999.95 && u < 6) {
        x /= 1000.0;
        u++;
    }
    snprintf(out, cap, x < 99.95 ? "%.1f%s%s" : "%.0f%s%s", x, sep, units[u]);
}

/* 3.1 s, 59.9 s, 1m05s, 2h03m. */
static void duration(char *out, size_t cap, double s)
{
    if (s < 0 || s != s)
        s = 0;
    if (s < 59.95) {
        snprintf(out, cap, "%.1f s", s);
    } else if (s < 3600) {
        unsigned t = (unsigned)(s + 0.5);
        snprintf(out, cap, "%um%02us", t / 60, t % 60);
    } else {
        unsigned long t = (unsigned long)(s / 60 + 0.5);
        snprintf(out, cap, "%luh%02lum", t / 60, t % 60);
    }
}

/* The text after the bar: percent, done / total, elapsed and ETA. */
static void stats_text(char *out, size_t cap, uint64_t done, uint64_t total, double elapsed,
                       int bytes, int with_eta)
{
    char d[32], t[32], e[32], eta[32];
    human(d, sizeof d, done, bytes);
    duration(e, sizeof e, elapsed);
    if (!total) {
        snprintf(out, cap, "  %s  %s", d, e);
        return;
    }
    uint64_t shown = done > total ? total : done;
    double frac = (double)shown / (double)total;
    human(t, sizeof t, total, bytes);
    eta[0] = '\0';
    if (with_eta && done > 0 && done < total && elapsed > 0) {
        char rest[24];
        duration(rest, sizeof rest, elapsed * (double)(total - done) / (double)done);
        snprintf(eta, sizeof eta, "  ETA %s", rest);
    }
    snprintf(out, cap, " %3d%%  %s / %s  %s%s", (int)(frac * 100.0), d, t, e, eta);
}

/* Appends the bar "[####....] " filling `cols` columns. */
static size_t bar_text(char *out, int cols, uint64_t done, uint64_t total)
{
    int inner = cols - 3; /* "[", "]", " " */
    uint64_t shown = done > total ? total : done;
    int filled = (int)((double)shown / (double)total * inner);
    size_t n = 0;
    out[n++] = '[';
    for (int i = 0; i < inner; i++)
        out[n++] = i < filled ? '#' : '.';
    out[n++] = ']';
    out[n++] = ' ';
    return n;
}

size_t omen_progress_render(char *out, size_t cap, int width, const char *what, uint64_t done,
                            uint64_t total, double elapsed_s, int bytes)
{
    char line[MAX_WIDTH + 8], stats[160];
    if (!cap)
        return 0;
    if (width > MAX_WIDTH)
        width = MAX_WIDTH;
    int cols = width - 1;
    if (cols < 1)
        cols = 1;
    if (!what)
        what = "";

    stats_text(stats, sizeof stats, done, total, elapsed_s, bytes, 1);
    int stats_len = (int)strlen(stats);
    if (stats_len > cols) {
        stats_text(stats, sizeof stats, done, total, elapsed_s, bytes, 0);
        stats_len = (int)strlen(stats);
    }
    int what_len = (int)strlen(what);
    /* Space goes to the stats first, then the label, then the bar; a label that does not fit
     * is cut, and the stats are cut last of all. */
    if (what_len > cols - stats_len)
        what_len = cols - stats_len > 0 ? cols - stats_len : 0;
    int bar_cols = cols - what_len - stats_len;

    size_t n = 0;
    line[n++] = '\r';
    memcpy(line + n, what, (size_t)what_len);
    n += (size_t)what_len;
    if (total && bar_cols >= MIN_BAR) {
        line[n++] = ' ';
        n += bar_text(line + n, bar_cols, done, total);
        memcpy(line + n, stats + 1, (size_t)stats_len - 1); /* the bar ends in a space */
        n += (size_t)stats_len - 1;
    } else {
        int room = cols - what_len;
        int k = stats_len < room ? stats_len : room;
        memcpy(line + n, stats, (size_t)k);
        n += (size_t)k;
    }
    while ((int)n - 1 < cols)
        line[n++] = ' ';
    size_t len = n < cap - 1 ? n : cap - 1;
    memcpy(out, line, len);
    out[len] = '\0';
    return len;
}
