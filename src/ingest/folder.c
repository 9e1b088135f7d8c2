/* folder.c: finds the dated listings of a folder of Hub snapshots.
 *
 * hfmlsoc/hub_weekly_snapshots keeps one folder per week, `models/<YYYY-MM-DD>/models.parquet`,
 * the date being the start of the week the listing stands for. Everything that can be wrong
 * with the layout is found here, before a single listing is read, so that a bad folder costs
 * seconds and leaves the store alone. */
#include "folder.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "../util/fileio.h"

static const char *const listing_ext[] = {".parquet",  ".jsonl",   ".json",   ".csv",
                                          ".jsonl.gz", ".json.gz", ".csv.gz", NULL};

bool omen_is_folder(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The length of name without a listing extension, or 0 when it has none. */
static size_t stem_len(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = listing_ext; *e; e++) {
        size_t k = strlen(*e);
        if (n > k && strcmp(name + n - k, *e) == 0)
            return n - k;
    }
    return 0;
}

/* A date that the name is exactly (YYYY-MM-DD), into *day. */
static bool name_is_date(const char *s, size_t len, int32_t *day)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    return omen_date_parse(s, len, day);
}

typedef struct {
    omen_snapshot_file *v;
    size_t n, cap;
    char *notes;
} listing;

static void note(listing *l, const char *line)
{
    size_t old = l->notes ? strlen(l->notes) : 0, add = strlen(line);
    l->notes = omen_xrealloc(l->notes, old + add + 2);
    memcpy(l->notes + old, line, add);
    memcpy(l->notes + old + add, "\n", 2);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = omen_xmalloc(n);
    snprintf(p, n, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b);
    return p;
}

/* A Parquet file ends with its magic too; a copy cut short does not. */
static bool parquet_cut_short(const char *path, uint64_t bytes)
{
    char head[4], tail[4];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    bool bad =
        pread(fd, head, 4, 0) == 4 && memcmp(head, "PAR1", 4) == 0 &&
        (bytes < 12 || pread(fd, tail, 4, (off_t)bytes - 4) != 4 || memcmp(tail, "PAR1", 4) != 0);
    close(fd);
    return bad;
}

static omen_status add(listing *l, char *path, int32_t day, omen_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || access(path, R_OK) != 0) {
        omen_status s = omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", path,
                                       strerror(errno ? errno : EACCES));
        free(path);
        return s;
    }
    if (parquet_cut_short(path, (uint64_t)sb.st_size)) {
        omen_status s = omen_error_set(err, OMEN_E_DATA,
                                       "%s: a Parquet file cut short (it does not end with its "
                                       "magic bytes): copy it again",
                                       path);
        free(path);
        return s;
    }
    if (l->n == l->cap)
        l->v = omen_xrealloc(l->v, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof *l->v);
    l->v[l->n++] = (omen_snapshot_file){.path = path, .day = day, .bytes = (uint64_t)sb.st_size};
    return OMEN_OK;
}

/* The one listing inside a dated folder: models.parquet, else the only listing file. */
static omen_status dated_folder(listing *l, const char *path, int32_t day, omen_error *err)
{
    char *preferred = join(path, "models.parquet");
    if (access(preferred, F_OK) == 0)
        return add(l, preferred, day, err);
    free(preferred);
    DIR *d = opendir(path);
    if (!d)
        return omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", path, strerror(errno));
    char *found = NULL;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !stem_len(e->d_name))
            continue;
        count++;
        free(found);
        found = join(path, e->d_name);
    }
    closedir(d);
    if (count == 1)
        return add(l, found, day, err);
    free(found);
    if (count)
        return omen_error_set(err, OMEN_E_DATA,
                              "%s: %d listings in one dated folder: keep one (models.parquet)",
                              path, count);
    return omen_error_set(err, OMEN_E_DATA,
                          "%s: the week's listing is missing (no models.parquet, .jsonl or .csv "
                          "in this folder)",
                          path);
}

static int by_day(const void *a, const void *b)
{
    const omen_snapshot_file *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

static omen_status walk(listing *l, const char *root, omen_error *err)
{
    DIR *d = opendir(root);
    if (!d)
        return omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", root, strerror(errno));
    omen_status s = OMEN_OK;
    struct dirent *e;
    while (s == OMEN_OK && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.')
            continue;
        char *path = join(root, name);
        bool is_dir = omen_is_folder(path);
        size_t stem = is_dir ? strlen(name) : stem_len(name);
        int32_t day;
        if (!is_dir && !stem) {
            char line[2048];
            snprintf(line, sizeof line, "%s: not a listing (no .parquet, .jsonl or .csv): ignored",
                     path);
            note(l, line);
            free(path);
        } else if (!name_is_date(name, stem, &day)) {
            s = omen_error_set(err, OMEN_E_DATA,
                               "%s: '%.*s' is not a date (YYYY-MM-DD): a snapshot folder names "
                               "each week's listing by its date",
                               path, (int)stem, name);
            free(path);
        } else if (is_dir) {
            s = dated_folder(l, path, day, err);
            free(path);
        } else {
            s = add(l, path, day, err);
        }
    }
    closedir(d);
    return s;
}

omen_status omen_snapshot_folder_list(const char *dir, omen_snapshot_file **files, size_t *n,
                                      char **notes, omen_error *err)
{
    listing l = {0};
    *files = NULL;
    *n = 0;
    *notes = NULL;
    char *models = join(dir, "models");
    omen_status s = walk(&l, omen_is_folder(models) ? models : dir, err);
    free(models);
    if (s == OMEN_OK && l.n == 0)
        s = omen_error_set(err, OMEN_E_EMPTY,
                           "%s: no dated listings (models/<YYYY-MM-DD>/models.parquet or "
                           "<YYYY-MM-DD>.parquet / .jsonl / .csv)",
                           dir);
    if (s == OMEN_OK) {
        qsort(l.v, l.n, sizeof *l.v, by_day);
        for (size_t i = 1; i < l.n && s == OMEN_OK; i++) {
            char a[11], b[11];
            omen_date_format(l.v[i - 1].day, a);
            omen_date_format(l.v[i].day, b);
            if (l.v[i].day == l.v[i - 1].day)
                s = omen_error_set(err, OMEN_E_DATA, "%s and %s: two listings of %s",
                                   l.v[i - 1].path, l.v[i].path, a);
            else if (omen_date_week_monday(l.v[i].day) - omen_date_week_monday(l.v[i - 1].day) >
                     7) {
                char line[256];
                snprintf(line, sizeof line,
                         "no listing for the weeks between %s and %s: their downloads land in "
                         "the week of the later one",
                         a, b);
                note(&l, line);
            }
        }
    }
    if (s != OMEN_OK) {
        omen_snapshot_folder_free(l.v, l.n);
        free(l.notes);
        return s;
    }
    *files = l.v;
    *n = l.n;
    *notes = l.notes;
    return OMEN_OK;
}

omen_status omen_snapshot_file_hash(omen_snapshot_file *f, omen_error *err)
{
    if (f->sha256[0])
        return OMEN_OK;
    uint64_t bytes = 0;
    if (omen_sha256_file(f->path, f->sha256, &bytes) != 0)
        return omen_error_set(err, OMEN_E_IO, "%s: cannot read: %s", f->path, strerror(errno));
    return OMEN_OK;
}

void omen_snapshot_folder_free(omen_snapshot_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i].path);
    free(files);
}
