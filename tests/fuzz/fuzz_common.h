/* fuzz_common.h: what the libFuzzer drivers that need files share: a scratch folder per process
 * (on tmpfs when there is one, so that writing an input per run costs no disk I/O) removed at
 * exit, writing an input into it, and ingesting a file into a store. Everything is static so
 * each driver takes what it uses. The folder goes under $OMEN_FUZZ_TMP when set (the suite sets
 * it to its own folder and removes that too, since a crashing run never reaches atexit). */
#ifndef OMEN_TESTS_FUZZ_COMMON_H
#define OMEN_TESTS_FUZZ_COMMON_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "omen/omen.h"

static char fz_dir[512];

static inline void fz_rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        remove(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat sb;
        if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
            fz_rm_tree(sub);
        else
            remove(sub);
    }
    closedir(d);
    remove(path);
}

static inline void fz_cleanup(void)
{
    if (fz_dir[0])
        fz_rm_tree(fz_dir);
}

/* The process's scratch folder, made on first use. */
static inline const char *fz_tmpdir(void)
{
    if (fz_dir[0])
        return fz_dir;
    const char *base = getenv("OMEN_FUZZ_TMP");
    struct stat sb;
    if (!base || !*base)
        base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0
                   ? "/dev/shm"
                   : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(fz_dir, sizeof fz_dir, "%s/omen-fuzz-XXXXXX", base);
    if (!mkdtemp(fz_dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fz_cleanup);
    return fz_dir;
}

/* fz_tmpdir()/name into out. */
static inline void fz_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", fz_tmpdir(), name);
}

static inline void fz_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

/* A new, empty store at path (any old one removed first). */
static inline omen_store *fz_new_store(const char *path)
{
    char side[1024];
    remove(path);
    snprintf(side, sizeof side, "%s.panel", path);
    remove(side);
    omen_store *st = NULL;
    omen_error err = {0};
    if (omen_store_open(path, OMEN_STORE_WRITE | OMEN_STORE_CREATE, &st, &err) != OMEN_OK) {
        fprintf(stderr, "fuzz: cannot create the store %s: %s\n", path, err.message);
        abort();
    }
    return st;
}

/* Ingests one file as `source`; the status is not the point (bad input is expected), only that
 * the reader survives it. Snapshots need a date: 2025-01-06. */
static inline omen_status fz_ingest(omen_store *st, omen_source source, const char *path)
{
    omen_ingest_options opt = {.source = source, .date = 20094, .date_given = true};
    omen_ingest_report rep = {0};
    omen_error err = {0};
    const char *paths[1] = {path};
    omen_status s = omen_ingest_files(st, &opt, paths, 1, &rep, &err);
    omen_ingest_report_free(&rep);
    omen_error_clear(&err);
    return s;
}

#endif
