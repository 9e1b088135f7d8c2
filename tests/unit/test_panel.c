/* test_panel.c: unit tests of the columnar panel: its arrays built from a store (CSR downloads,
 * consecutive weeks, developers, parents in position order, annotations), `info`, and the cache
 * beside the store, which is used only when it matches the store exactly and is rebuilt when it
 * is stale, truncated, corrupted or from another store, and which omen_panel_refresh leaves
 * current after a write, byte for byte what a cold rebuild writes. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/panel/block.h"
#include "../../src/panel/panel.h"
#include "../../src/store/store.h"
#include "../../src/util/dates.h"
#include "unit_fs.h"

static char *dir;

static void setup(void)
{
    dir = unit_mkdtemp();
}

static void teardown(void)
{
    unit_rmdir(dir);
    dir = NULL;
}

TestSuite(panel, .init = setup, .fini = teardown);

static void ingest(omen_store *st, omen_source source, omen_series_kind kind, const char *name,
                   const char *text)
{
    char *f = unit_write(dir, name, text);
    omen_ingest_options o = {0};
    o.source = source;
    o.kind = kind;
    char *msg = NULL;
    cr_assert_eq(unit_ingest(st, o, f, &msg, NULL), OMEN_OK, "%s: %s", name, msg);
    free(f);
}

/* A small store: three models with downloads (one week without any in between), metadata,
 * a developer table, edges and annotations. */
static omen_store *small_store(char **path)
{
    omen_store *st = unit_store(dir, "s.db", path);
    ingest(st, OMEN_SOURCE_MODELS, OMEN_KIND_AUTO, "m.csv",
           "model,developer,created,params,gated,base_models,relation\n"
           "acme/a,acme,2023-01-01,7000,no,,\n"
           "acme/b,acme,,,manual,acme/a;uni/c,merge\n"
           "uni/c,,2022-03-02,,,,\n");
    ingest(st, OMEN_SOURCE_DEVELOPERS, OMEN_KIND_AUTO, "d.csv",
           "developer,country,org_type\nacme,US,company\nnobody,FR,user\n");
    ingest(st, OMEN_SOURCE_ANNOTATIONS, OMEN_KIND_AUTO, "a.csv",
           "model,field,value,source\nacme/b,architecture,LSTM,\nacme/b,gating,N/A,heuristic\n");
    ingest(st, OMEN_SOURCE_DOWNLOADS, OMEN_KIND_WEEKLY, "w.csv",
           "model,week,downloads\n"
           "acme/a,2023-01-02,10\n"
           "acme/a,2023-01-16,30\n"
           "uni/c,2023-01-09,5\n"
           "acme/b,2023-01-03,1\n");
    return st;
}

static omen_panel *load(omen_store *st, bool no_cache, bool rebuild, const char **note)
{
    omen_panel_options o = {0};
    o.no_cache = no_cache;
    o.rebuild_cache = rebuild;
    omen_panel *p = NULL;
    omen_error err = {0};
    omen_status s = omen_panel_load(st, &o, &p, note, &err);
    cr_assert_eq(s, OMEN_OK, "panel: %s", err.message ? err.message : "");
    omen_error_clear(&err);
    return p;
}

static int32_t model_index(const omen_panel *p, const char *name)
{
    for (uint32_t m = 0; m < p->n_models; m++)
        if (strcmp(omen_panel_str(p, p->model_name[m]), name) == 0)
            return (int32_t)m;
    return -1;
}

Test(panel, arrays_built_from_the_store)
{
    omen_store *st = small_store(NULL);
    const char *note = NULL;
    omen_panel *p = load(st, true, false, &note);
    cr_assert_str_eq(note, "panel built from the store (no cache)");
    cr_assert_eq(p->n_models, 3);
    cr_assert_eq(p->n_developers, 2, "acme and uni; `nobody` has no models");
    cr_assert_eq(p->first_week, omen_date_days(2023, 1, 2));
    cr_assert_eq(p->n_weeks, 3, "weeks are consecutive, the empty one included");
    cr_assert_eq(p->nnz, 4);
    cr_assert_not(p->synthetic);
    int32_t a = model_index(p, "acme/a"), b = model_index(p, "acme/b"), c = model_index(p, "uni/c");
    cr_assert(a >= 0 && b >= 0 && c >= 0);
    /* CSR: acme/a has weeks 0 and 2 */
    cr_assert_eq(p->dl_off[a + 1] - p->dl_off[a], 2);
    cr_assert_eq(p->dl_week[p->dl_off[a]], 0);
    cr_assert_eq(p->dl_count[p->dl_off[a]], 10);
    cr_assert_eq(p->dl_week[p->dl_off[a] + 1], 2);
    cr_assert_eq(p->dl_count[p->dl_off[a] + 1], 30);
    cr_assert_eq(p->dl_week[p->dl_off[c]], 1);
    cr_assert_eq(p->dl_off[p->n_models], p->nnz);
    /* metadata */
    cr_assert_eq(p->model_created[a], omen_date_days(2023, 1, 1));
    cr_assert_eq(p->model_created[b], OMEN_NO_DATE);
    cr_assert_eq(p->model_params[a], 7000);
    cr_assert_eq(p->model_params_source[a], OMEN_PARAMS_SAFETENSORS);
    cr_assert_eq(p->model_params[b], -1);
    cr_assert_eq(p->model_gated[a], OMEN_GATED_NO);
    cr_assert_eq(p->model_gated[b], OMEN_GATED_MANUAL);
    cr_assert_eq(p->model_gated[c], OMEN_GATED_UNKNOWN);
    /* developers: the models row's, else the namespace; country from the developer table */
    uint32_t da = p->model_developer[a], dc = p->model_developer[c];
    cr_assert_eq(p->model_developer[b], da);
    cr_assert_str_eq(omen_panel_str(p, p->dev_name[da]), "acme");
    cr_assert_str_eq(omen_panel_str(p, p->dev_name[dc]), "uni");
    cr_assert_str_eq(omen_panel_str(p, p->dev_country[da]), "US");
    cr_assert_str_eq(omen_panel_str(p, p->dev_org_type[da]), "company");
    cr_assert_eq(p->dev_country[dc], OMEN_NONE);
    /* parents in position order */
    cr_assert_eq(p->parent_off[b + 1] - p->parent_off[b], 2);
    cr_assert_eq(p->parent_model[p->parent_off[b]], (uint32_t)a);
    cr_assert_eq(p->parent_model[p->parent_off[b] + 1], (uint32_t)c);
    cr_assert_str_eq(omen_panel_str(p, p->parent_relation[p->parent_off[b]]), "merge");
    cr_assert_eq(p->parent_off[a + 1], p->parent_off[a]);
    /* annotations */
    cr_assert_eq(p->n_annotations, 2);
    cr_assert_eq(p->annot_off[b + 1] - p->annot_off[b], 2);
    uint64_t k = p->annot_off[b];
    bool heur_found = false;
    for (uint64_t i = k; i < k + 2; i++)
        if (strcmp(omen_panel_str(p, p->annot_field[i]), "gating") == 0)
            heur_found = p->annot_heuristic[i] == 1;
    cr_assert(heur_found);
    omen_panel_free(p);
    omen_panel_free(NULL);
    omen_store_close(st);
}

Test(panel, info_of_a_store)
{
    omen_store *st = small_store(NULL);
    omen_panel *p = load(st, true, false, NULL);
    omen_info in;
    omen_info_compute(p, &in);
    cr_assert_eq(in.models, 3);
    cr_assert_eq(in.developers, 2);
    cr_assert_eq(in.weeks, 3);
    cr_assert_eq(in.first_week, omen_date_days(2023, 1, 2));
    cr_assert_eq(in.last_week, omen_date_days(2023, 1, 16));
    cr_assert_eq(in.downloads, 46);
    cr_assert_eq(in.developers_with_country, 1);
    cr_assert_float_eq(in.share_downloads_country_mapped, 41.0 / 46.0, 1e-12);
    cr_assert_float_eq(in.share_created, 2.0 / 3.0, 1e-12);
    cr_assert_float_eq(in.share_params, 1.0 / 3.0, 1e-12);
    cr_assert_float_eq(in.share_derived, 1.0 / 3.0, 1e-12);
    cr_assert_float_eq(in.share_annotated, 1.0 / 3.0, 1e-12);
    cr_assert_eq(in.edges, 2);
    cr_assert_eq(in.annotations, 2);
    cr_assert_eq(in.generation, omen_store_generation(st));
    cr_assert_eq(in.schema_version, 2);
    cr_assert_not(in.synthetic);
    omen_panel_free(p);
    omen_store_close(st);
}

Test(panel, empty_store_and_store_without_downloads)
{
    omen_store *st = unit_store(dir, "s.db", NULL);
    omen_panel *p = load(st, true, false, NULL);
    omen_info in;
    omen_info_compute(p, &in);
    cr_assert_eq(in.models, 0);
    cr_assert_eq(in.weeks, 0);
    cr_assert_eq(in.first_week, INT32_MIN);
    cr_assert_eq(in.last_week, INT32_MIN);
    cr_assert_eq(in.downloads, 0);
    omen_panel_free(p);
    ingest(st, OMEN_SOURCE_MODELS, OMEN_KIND_AUTO, "m.csv", "model\nacme/a\n");
    p = load(st, false, false, NULL);
    omen_info_compute(p, &in);
    cr_assert_eq(in.models, 1);
    cr_assert_eq(in.weeks, 0);
    cr_assert_eq(in.first_week, INT32_MIN);
    omen_panel_free(p);
    omen_store_close(st);
}

/* info as a comparable string */
static void info_of(const omen_panel *p, char *out, size_t cap)
{
    omen_info in;
    omen_info_compute(p, &in);
    snprintf(out, cap, "%llu %llu %llu %d %d %llu %llu %.6f %.6f %llu %llu %d %lld",
             (unsigned long long)in.models, (unsigned long long)in.developers,
             (unsigned long long)in.weeks, in.first_week, in.last_week,
             (unsigned long long)in.downloads, (unsigned long long)in.developers_with_country,
             in.share_downloads_country_mapped, in.share_created, (unsigned long long)in.edges,
             (unsigned long long)in.annotations, (int)in.synthetic, (long long)in.generation);
}

Test(panel, cache_written_then_used)
{
    char *path = NULL;
    omen_store *st = small_store(&path);
    char *cache = unit_path(dir, "s.db.panel");
    const char *note = NULL;
    omen_panel *p = load(st, true, false, &note);
    cr_assert_eq(access(cache, F_OK), -1, "--no-cache writes no cache");
    char fresh[512], cached[512];
    info_of(p, fresh, sizeof fresh);
    omen_panel_free(p);
    p = load(st, false, false, &note);
    cr_assert_str_eq(note, "panel rebuilt from the store; cache written");
    cr_assert(p->mapped, "a rebuilt panel is the cache file it has just written, mapped");
    omen_panel_free(p);
    p = load(st, false, false, &note);
    cr_assert_str_eq(note, "panel loaded from cache");
    cr_assert(p->mapped);
    info_of(p, cached, sizeof cached);
    cr_assert_str_eq(cached, fresh);
    omen_panel_free(p);
    p = load(st, false, true, &note);
    cr_assert_str_eq(note, "panel rebuilt from the store; cache written");
    omen_panel_free(p);
    omen_store_close(st);
    free(cache);
    free(path);
}

/* The VmFlags line of the mapping that starts at addr, from /proc/self/smaps; "" if none. */
static void vm_flags_of(const void *addr, char *out, size_t size)
{
    char want[32], line[512];
    snprintf(want, sizeof want, "%lx-", (unsigned long)(uintptr_t)addr);
    out[0] = '\0';
    FILE *f = fopen("/proc/self/smaps", "r");
    bool in = false;
    while (f && fgets(line, sizeof line, f)) {
        if (strchr(line, '-') && strncmp(line, want, strlen(want)) == 0)
            in = true;
        else if (in && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(out, size, "%s", line + 8);
            break;
        }
    }
    if (f)
        fclose(f);
}

/* The mapped cache asks for 2 MiB folios (MADV_HUGEPAGE): in 4 KiB folios a full-scale query
 * was twice as slow (docs/architecture.md, "Performance"). The kernel shows the advice as the
 * flag "hg" of the mapping. */
Test(panel, cached_panel_is_mapped_with_huge_page_advice)
{
    if (access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0 ||
        access("/proc/self/smaps", R_OK) != 0)
        cr_skip_test("this kernel has no transparent huge pages or no /proc/self/smaps");
    omen_store *st = small_store(NULL);
    const char *note = NULL;
    omen_panel_free(load(st, false, false, &note));
    omen_panel *p = load(st, false, false, &note);
    cr_assert_str_eq(note, "panel loaded from cache");
    char flags[512];
    vm_flags_of(p->block, flags, sizeof flags);
    cr_assert_neq(flags[0], '\0', "the cache's mapping is in /proc/self/smaps");
    cr_assert(strstr(flags, " hg") != NULL, "VmFlags of the cache's mapping:%s", flags);
    omen_panel_free(p);
    omen_store_close(st);
}

/* Loads with the cache in place and checks that the panel was rebuilt and equals a fresh one. */
static void expect_rebuilt(omen_store *st, const char *why)
{
    const char *note = NULL;
    omen_panel *fresh = load(st, true, false, NULL);
    omen_panel *p = load(st, false, false, &note);
    cr_assert_str_eq(note, "panel rebuilt from the store; cache written", "%s", why);
    char a[512], b[512];
    info_of(fresh, a, sizeof a);
    info_of(p, b, sizeof b);
    cr_assert_str_eq(a, b, "%s", why);
    cr_assert_eq(p->nnz, fresh->nnz);
    cr_assert_eq(memcmp(p->dl_count, fresh->dl_count, p->nnz * sizeof *p->dl_count), 0, "%s", why);
    omen_panel_free(fresh);
    omen_panel_free(p);
    /* and the rewritten cache is good */
    p = load(st, false, false, &note);
    cr_assert_str_eq(note, "panel loaded from cache", "%s", why);
    omen_panel_free(p);
}

Test(panel, stale_cache_is_rebuilt)
{
    char *path = NULL;
    omen_store *st = small_store(&path);
    omen_panel_free(load(st, false, false, NULL));
    /* data changed through omen: the generation moved */
    ingest(st, OMEN_SOURCE_DOWNLOADS, OMEN_KIND_WEEKLY, "more.csv",
           "model,week,downloads\nacme/a,2023-01-23,1000\n");
    expect_rebuilt(st, "after an ingest");
    omen_store_close(st);
    /* data changed behind omen's back (same generation): the file's size or time moved */
    unit_sql_exec(path, "UPDATE downloads SET downloads = downloads + 1");
    omen_error err = {0};
    cr_assert_eq(omen_store_open(path, OMEN_STORE_READ, &st, &err), OMEN_OK);
    expect_rebuilt(st, "after an outside UPDATE");
    omen_store_close(st);
    free(path);
}

Test(panel, truncated_corrupted_or_foreign_cache_is_rebuilt)
{
    char *path = NULL;
    omen_store *st = small_store(&path);
    char *cache = unit_path(dir, "s.db.panel");
    omen_panel_free(load(st, false, false, NULL));
    size_t len = 0;
    char *good = unit_slurp(cache, &len);
    cr_assert_not_null(good);
    const omen_block_header *h = (const void *)good;
    cr_assert_eq(h->total_size, len);

    /* truncated at several points, down to nothing */
    size_t cuts[] = {len - 1, len / 2, sizeof(omen_block_header), 100, 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        FILE *f = fopen(cache, "wb");
        fwrite(good, 1, cuts[i], f);
        fclose(f);
        expect_rebuilt(st, "truncated");
    }
    /* one byte flipped: in the header, in a string, in the download counts, in a week index */
    size_t spots[] = {offsetof(omen_block_header, first_week),
                      offsetof(omen_block_header, synthetic),
                      h->off[S_STR_BLOB] + 1,
                      h->off[S_DL_COUNT],
                      h->off[S_DL_COUNT] + 9,
                      h->off[S_DL_WEEK],
                      h->off[S_M_CREATED] + 2,
                      h->off[S_M_PARAMS] + 1,
                      len - 1};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        char *bad = malloc(len);
        memcpy(bad, good, len);
        bad[spots[i]] ^= 0x10;
        FILE *f = fopen(cache, "wb");
        fwrite(bad, 1, len, f);
        fclose(f);
        free(bad);
        char why[64];
        snprintf(why, sizeof why, "byte %zu flipped", spots[i]);
        expect_rebuilt(st, why);
    }
    /* the cache of another store with the same data */
    char *other_path = NULL;
    omen_store *other = unit_store(dir, "other.db", &other_path);
    omen_store_close(other);
    unit_copy(path, other_path); /* same bytes, so same size and store id ... */
    unit_sql_exec(other_path, "UPDATE meta SET value = 'feedfeedfeedfeedfeedfeedfeedfeed' "
                              "WHERE key = 'store_id'");
    omen_error err = {0};
    cr_assert_eq(omen_store_open(other_path, OMEN_STORE_READ, &other, &err), OMEN_OK);
    omen_panel_free(load(other, false, false, NULL));
    omen_store_close(other);
    char *other_cache = unit_path(dir, "other.db.panel");
    unit_copy(other_cache, cache);
    expect_rebuilt(st, "a cache from another store");
    omen_store_close(st);
    free(good);
    free(cache);
    free(other_cache);
    free(other_path);
    free(path);
}

/* Writes bytes over the cache in place and gives it back the modification time it had: the
 * seal is kept, as by a disk error or a copy that keeps times (`touch -r`). */
static void overwrite_keeping_time(const char *cache, const char *bytes, size_t len)
{
    struct stat sb;
    cr_assert_eq(stat(cache, &sb), 0);
    FILE *f = fopen(cache, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
    struct timespec times[2] = {sb.st_atim, sb.st_mtim};
    cr_assert_eq(utimensat(AT_FDCWD, cache, times, 0), 0);
}

/* A sealed cache is not trusted unchecked (issue 17, item 1): a count changed with the seal
 * kept is found by its section's sum, and an index out of range is refused even in a file
 * whose sums and checksum were made to agree, so neither is read. */
Test(panel, sealed_cache_changed_with_its_time_kept_is_rebuilt)
{
    char *path = NULL;
    omen_store *st = small_store(&path);
    char *cache = unit_path(dir, "s.db.panel");
    omen_panel_free(load(st, false, false, NULL));
    const char *note = NULL;
    omen_panel_free(load(st, false, false, &note));
    cr_assert_str_eq(note, "panel loaded from cache", "the cache is sealed");
    size_t len = 0;
    char *good = unit_slurp(cache, &len);
    const omen_block_header *h = (const void *)good;
    /* counts, dates and ids: each must be found although the file's time is the seal */
    size_t spots[] = {h->off[S_DL_COUNT],      h->off[S_W_COUNT], h->off[S_F_TOTAL] + 1,
                      h->off[S_M_CREATED] + 2, h->off[S_W_RANK],  h->off[S_M_DEV]};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        char *bad = malloc(len);
        memcpy(bad, good, len);
        bad[spots[i]] ^= 0x40;
        overwrite_keeping_time(cache, bad, len);
        free(bad);
        char why[64];
        snprintf(why, sizeof why, "byte %zu flipped, time kept", spots[i]);
        expect_rebuilt(st, why);
    }
    /* crafted: a rank and a week index out of range, with every sum and the checksum made to
     * agree, so that only the range checks stand between the file and a read out of bounds */
    size_t at[] = {h->off[S_W_RANK], h->off[S_DL_WEEK], h->off[S_F_ROOT], h->off[S_DL_OFF] + 8};
    int sec[] = {S_W_RANK, S_DL_WEEK, S_F_ROOT, S_DL_OFF};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        char *bad = malloc(len);
        memcpy(bad, good, len);
        omen_block_header *bh = (void *)bad;
        memset(bad + at[i], 0xFF, sec[i] == S_DL_WEEK ? 2 : sec[i] == S_DL_OFF ? 8 : 4);
        bh->sum[sec[i]] = omen_panel_section_sum(bad + bh->off[sec[i]], bh->len[sec[i]]);
        bh->checksum = omen_panel_checksum(bad, len);
        overwrite_keeping_time(cache, bad, len);
        /* the seal follows the checksum: give the file the seal of its new content */
        struct stat sb;
        cr_assert_eq(stat(cache, &sb), 0);
        int64_t sec_of = bh->db_mtime_ns / 1000000000 - (bh->db_mtime_ns % 1000000000 < 0);
        struct timespec times[2] = {
            sb.st_atim,
            {.tv_sec = (time_t)sec_of, .tv_nsec = (long)(1 + bh->checksum % 999999999u)}};
        cr_assert_eq(utimensat(AT_FDCWD, cache, times, 0), 0);
        free(bad);
        char why[64];
        snprintf(why, sizeof why, "section %d out of range, sums agreeing", sec[i]);
        expect_rebuilt(st, why);
    }
    omen_store_close(st);
    free(good);
    free(cache);
    free(path);
}

/* A FIFO in place of the cache is refused at once with a message that names it, instead of
 * hanging every command on its open; --no-cache does not look at it. */
Test(panel, fifo_in_place_of_the_cache_is_refused, .timeout = 20)
{
    omen_store *st = small_store(NULL);
    char *cache = unit_path(dir, "s.db.panel");
    cr_assert_eq(mkfifo(cache, 0644), 0);
    for (int rebuild = 0; rebuild < 2; rebuild++) {
        omen_panel_options o = {0};
        o.rebuild_cache = rebuild;
        omen_panel *p = NULL;
        omen_error err = {0};
        cr_assert_neq(omen_panel_load(st, &o, &p, NULL, &err), OMEN_OK);
        cr_assert_null(p);
        cr_assert(err.message && strstr(err.message, "a FIFO"), "%s", err.message);
        omen_error_clear(&err);
        cr_assert_neq(omen_panel_refresh(st, &o, NULL, &err), OMEN_OK);
        omen_error_clear(&err);
    }
    struct stat sb;
    cr_assert_eq(stat(cache, &sb), 0);
    cr_assert(S_ISFIFO(sb.st_mode), "left in place");
    omen_panel_free(load(st, true, false, NULL));
    omen_store_close(st);
    free(cache);
}

/* The named temporary file of a cache write that was killed is removed by the next load:
 * when its process is gone, or when nobody has written to it for a long time; a recent one
 * of a live process is left alone. */
Test(panel, stale_cache_temporaries_are_removed)
{
    omen_store *st = small_store(NULL);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    cr_assert(child > 0);
    waitpid(child, NULL, 0); /* its process id is now free */
    char name[64];
    snprintf(name, sizeof name, "s.db.panel.tmp.%ld", (long)child);
    char *dead = unit_write(dir, name, "half a cache");
    snprintf(name, sizeof name, "s.db.panel.tmp.%ld", (long)getppid());
    char *live = unit_write(dir, name, "being written");
    char *old = unit_write(dir, "s.db.panel.tmp.1", "abandoned long ago, pid reused");
    struct timespec times[2] = {{.tv_sec = time(NULL) - 3600}, {.tv_sec = time(NULL) - 3600}};
    cr_assert_eq(utimensat(AT_FDCWD, old, times, 0), 0);
    char *other = unit_write(dir, "t.db.panel.tmp.999999999", "another store's");
    omen_panel_free(load(st, false, false, NULL));
    cr_assert_neq(access(dead, F_OK), 0, "a dead process's temporary is removed");
    cr_assert_neq(access(old, F_OK), 0, "an old temporary is removed");
    cr_assert_eq(access(live, F_OK), 0, "a live process's recent temporary is kept");
    cr_assert_eq(access(other, F_OK), 0, "another cache's temporary is not ours");
    omen_store_close(st);
    free(dead);
    free(live);
    free(old);
    free(other);
}

Test(panel, attach_checks_the_block)
{
    omen_store *st = small_store(NULL);
    void *block = NULL;
    size_t len = 0;
    omen_error err = {0};
    cr_assert_eq(omen_panel_build_block(st, NULL, NULL, &block, &len, &err), OMEN_OK);
    cr_assert_eq(len % 64, 0);
    omen_panel p;
    cr_assert(omen_panel_attach(&p, block, len));
    cr_assert_eq(p.n_models, 3);
    cr_assert_not(omen_panel_attach(&p, block, len - 64), "wrong length");
    cr_assert_not(omen_panel_attach(&p, block, 16), "shorter than a header");
    omen_block_header *h = block;
    /* the checksum ignores its own field, and catches a change anywhere else */
    uint64_t sum = h->checksum;
    h->checksum = 12345;
    cr_assert_eq(omen_panel_checksum(block, len), sum);
    h->checksum = sum;
    for (size_t i = 0; i < len; i += 61) {
        if (i >= offsetof(omen_block_header, checksum) &&
            i < offsetof(omen_block_header, checksum) + 8)
            continue;
        ((unsigned char *)block)[i] ^= 1;
        cr_assert_neq(omen_panel_checksum(block, len), sum, "byte %zu", i);
        cr_assert_not(omen_panel_attach(&p, block, len), "byte %zu", i);
        ((unsigned char *)block)[i] ^= 1;
    }
    cr_assert(omen_panel_attach(&p, block, len));
    memcpy(h->magic, "NOTPNL!", 8);
    cr_assert_not(omen_panel_attach(&p, block, len));
    free(block);
    omen_store_close(st);
}

Test(panel, stamp_names_the_store)
{
    char *path = NULL;
    omen_store *st = small_store(&path);
    omen_panel_stamp a, b;
    omen_error err = {0};
    cr_assert_eq(omen_panel_stamp_of(st, &a, &err), OMEN_OK);
    char *id = omen_store_meta_get(st, "store_id");
    cr_assert_str_eq(a.store_id, id);
    cr_assert_eq(a.generation, omen_store_generation(st));
    cr_assert(a.db_size > 0);
    ingest(st, OMEN_SOURCE_DOWNLOADS, OMEN_KIND_WEEKLY, "x.csv",
           "model,week,downloads\nacme/z,2023-01-02,1\n");
    cr_assert_eq(omen_panel_stamp_of(st, &b, &err), OMEN_OK);
    cr_assert_eq(b.generation, a.generation + 1);
    free(id);
    omen_store_close(st);
    free(path);
}

/* The week-major index (panel.h): every row with downloads > 0 once, under its week, in
 * increasing rank; ranks order models by effective created date, newest first and undated
 * first of all; counts past 32 bits are saturated and read back in full. */
Test(panel, week_index_lists_every_row_by_week_and_rank)
{
    omen_store *st = small_store(NULL);
    ingest(st, OMEN_SOURCE_DOWNLOADS, OMEN_KIND_WEEKLY, "big.csv",
           "model,week,downloads\nacme/a,2023-01-09,5000000000\nuni/c,2023-01-16,0\n");
    omen_panel *p = load(st, false, true, NULL);
    cr_assert_not_null(p->wk_order);
    uint32_t *rank_of = malloc(p->n_models * sizeof *rank_of);
    for (uint32_t r = 0; r < p->n_models; r++)
        rank_of[p->wk_order[r]] = r;
    for (uint32_t r = 0; r < p->n_models; r++)
        cr_assert_eq(p->wk_created[r], p->model_created_eff[p->wk_order[r]]);
    for (uint32_t r = 0; r + 1 < p->n_models; r++) {
        int32_t x = p->model_created_eff[p->wk_order[r]],
                y = p->model_created_eff[p->wk_order[r + 1]];
        cr_assert(x == OMEN_NO_DATE || (y != OMEN_NO_DATE && x >= y), "rank %u", r);
    }
    omen_week_index wk;
    bool borrowed_not_owned = true;
    omen_week_index_of(p, p->model_created_eff, &wk, &borrowed_not_owned);
    cr_assert_not(borrowed_not_owned, "a cached panel lends its index");
    uint64_t rows = 0;
    for (uint32_t m = 0; m < p->n_models; m++)
        for (uint64_t i = p->dl_off[m]; i < p->dl_off[m + 1]; i++) {
            if (p->dl_count[i] == 0)
                continue;
            rows++;
            size_t w = p->dl_week[i];
            bool found = false;
            for (uint64_t j = p->wk_off[w]; j < p->wk_off[w + 1]; j++)
                if (p->wk_rank[j] == rank_of[m]) {
                    cr_assert_eq(omen_week_count(p, &wk, j, w), p->dl_count[i]);
                    found = true;
                }
            cr_assert(found, "model %u week %zu", m, w);
        }
    cr_assert_eq(p->wk_nnz, rows, "rows with 0 downloads are left out");
    cr_assert_eq(p->wk_off[p->n_weeks], rows);
    for (size_t w = 0; w < p->n_weeks; w++)
        for (uint64_t j = p->wk_off[w]; j + 1 < p->wk_off[w + 1]; j++)
            cr_assert_lt(p->wk_rank[j], p->wk_rank[j + 1]);
    /* week 1: acme/a (created 2023-01-01) ranks before uni/c (2022-03-02) */
    cr_assert_eq(p->wk_order[p->wk_rank[p->wk_off[1]]], (uint32_t)model_index(p, "acme/a"));
    cr_assert_eq(p->wk_count[p->wk_off[1]], UINT32_MAX, "5e9 is saturated");
    /* A panel without the index (put together by hand) gets the same one built on the heap. */
    omen_panel bare = *p;
    bare.wk_order = NULL;
    omen_week_index built;
    bool owned = false;
    omen_week_index_of(&bare, p->model_created_eff, &built, &owned);
    cr_assert(owned);
    cr_assert_eq(built.nnz, p->wk_nnz);
    cr_assert_arr_eq(built.order, p->wk_order, p->n_models * sizeof *built.order);
    cr_assert_arr_eq(built.created, p->wk_created, p->n_models * sizeof *built.created);
    cr_assert_arr_eq(built.off, p->wk_off, (p->n_weeks + 1) * sizeof *built.off);
    cr_assert_arr_eq(built.rank, p->wk_rank, p->wk_nnz * sizeof *built.rank);
    cr_assert_arr_eq(built.count, p->wk_count, p->wk_nnz * sizeof *built.count);
    omen_week_index_free(&built);
    free(rank_of);
    omen_panel_free(p);
    omen_store_close(st);
}

/* First-base-model roots (roots.c): acme/b's first base model is acme/a, a root; a cycle is cut
 * at its model of smallest name, which roots the whole cycle and the models leading into it. */
Test(panel, first_roots_follow_first_base_models_and_cut_cycles)
{
    omen_store *st = small_store(NULL);
    ingest(st, OMEN_SOURCE_MODELS, OMEN_KIND_AUTO, "cyc.csv",
           "model,developer,base_models,relation\n"
           "z/x,z,z/y,finetune\nz/y,z,z/w,finetune\nz/w,z,z/x,finetune\nz/tail,z,z/y,adapter\n");
    omen_panel *p = load(st, false, true, NULL);
    cr_assert_not_null(p->model_root_first);
    int32_t a = model_index(p, "acme/a"), b = model_index(p, "acme/b"), c = model_index(p, "uni/c");
    cr_assert_eq(p->model_root_first[b], (uint32_t)a);
    cr_assert_eq(p->model_root_first[a], (uint32_t)a);
    cr_assert_eq(p->model_root_first[c], (uint32_t)c);
    int32_t w = model_index(p, "z/w");
    const char *names[] = {"z/x", "z/y", "z/w", "z/tail"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(p->model_root_first[model_index(p, names[i])], (uint32_t)w, "%s", names[i]);
    cr_assert_eq(p->first_cycles, 1);
    uint32_t *again = malloc(p->n_models * sizeof *again);
    cr_assert_eq(omen_panel_first_roots(p, again), 1);
    cr_assert_arr_eq(again, p->model_root_first, p->n_models * sizeof *again);
    free(again);
    omen_panel_free(p);
    omen_store_close(st);
}

static omen_status refresh(omen_store *st, bool no_cache, bool rebuild, const char **note,
                           omen_error *err)
{
    omen_panel_options o = {0};
    o.no_cache = no_cache;
    o.rebuild_cache = rebuild;
    return omen_panel_refresh(st, &o, note, err);
}

/* After a write, omen_panel_refresh leaves the cache that a cold rebuild writes, byte for byte
 * and sealed, so that the next load maps it; a current cache is left as it is. */
Test(panel, refresh_writes_the_cold_rebuilds_cache)
{
    char *path = NULL;
    omen_store *st = small_store(&path);
    char *cache = unit_path(dir, "s.db.panel");
    omen_error err = {0};
    const char *note = NULL;
    cr_assert_eq(refresh(st, true, false, &note, &err), OMEN_OK);
    cr_assert_eq(access(cache, F_OK), -1, "no_cache: no cache");
    cr_assert_eq(refresh(st, false, false, &note, &err), OMEN_OK, "%s", err.message);
    cr_assert_str_eq(note, "panel cache written");
    size_t len = 0, cold_len = 0;
    char *written = unit_slurp(cache, &len);
    struct stat before, after;
    cr_assert_eq(stat(cache, &before), 0);
    cr_assert_eq(refresh(st, false, false, &note, &err), OMEN_OK);
    cr_assert_str_eq(note, "panel cache already current");
    cr_assert_eq(stat(cache, &after), 0);
    cr_assert(before.st_ino == after.st_ino && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec,
              "a current cache is not rewritten");
    omen_panel *p = load(st, false, false, &note);
    cr_assert_str_eq(note, "panel loaded from cache", "the next command maps it");
    omen_panel_free(p);
    /* a cold rebuild writes the same bytes, and they check out completely */
    omen_panel_free(load(st, false, true, &note));
    cr_assert_str_eq(note, "panel rebuilt from the store; cache written");
    char *cold = unit_slurp(cache, &cold_len);
    cr_assert_eq(cold_len, len);
    cr_assert_eq(memcmp(cold, written, len), 0, "the refreshed cache is the cold rebuild's");
    omen_panel full;
    cr_assert(omen_panel_attach(&full, cold, cold_len), "the written cache passes the full check");
    /* a write makes it stale; the refresh after it rebuilds it */
    ingest(st, OMEN_SOURCE_DOWNLOADS, OMEN_KIND_WEEKLY, "more.csv",
           "model,week,downloads\nacme/a,2023-01-23,1000\nnew/d,2023-01-30,7\n");
    omen_store_close(st);
    cr_assert_eq(omen_store_open(path, OMEN_STORE_READ, &st, &err), OMEN_OK);
    cr_assert_eq(refresh(st, false, false, &note, &err), OMEN_OK);
    cr_assert_str_eq(note, "panel cache written");
    p = load(st, false, false, &note);
    cr_assert_str_eq(note, "panel loaded from cache");
    cr_assert_eq(p->n_models, 4);
    omen_panel_free(p);
    /* no temporary file is left beside the cache */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c tmp >/dev/null", dir);
    cr_assert_neq(system(cmd), 0, "a temporary file was left in %s", dir);
    omen_store_close(st);
    omen_error_clear(&err);
    free(written);
    free(cold);
    free(cache);
    free(path);
}

/* A cache that cannot be written (here a folder stands where the file would go, which stops
 * root too) is OMEN_E_CACHE from refresh, and the panel still loads, from the store. */
Test(panel, refresh_that_cannot_write_says_so)
{
    omen_store *st = small_store(NULL);
    char *cache = unit_path(dir, "s.db.panel");
    cr_assert_eq(mkdir(cache, 0755), 0);
    omen_error err = {0};
    const char *note = NULL;
    omen_status s = refresh(st, false, false, &note, &err);
    cr_assert_eq(s, omen_error_status(OMEN_E_CACHE));
    cr_assert_eq(err.code, OMEN_E_CACHE);
    cr_assert_not_null(strstr(err.message, "could not be written"), "%s", err.message);
    omen_error_clear(&err);
    omen_panel *p = load(st, false, false, &note);
    cr_assert_str_eq(note,
                     "panel rebuilt from the store; the cache could not be written beside it");
    cr_assert_not(p->mapped);
    cr_assert_eq(p->n_models, 3);
    omen_panel_free(p);
    rmdir(cache);
    omen_store_close(st);
    free(cache);
}

/* The parts of a block carry the checksum of the block they lay out. */
Test(panel, parts_checksum_is_the_blocks)
{
    omen_store *st = small_store(NULL);
    omen_panel_parts *pp = NULL;
    omen_error err = {0};
    cr_assert_eq(omen_panel_build_parts(st, NULL, NULL, &pp, &err), OMEN_OK);
    void *block = NULL;
    size_t len = 0;
    omen_panel_parts_block(pp, &block, &len);
    cr_assert_eq(len, omen_panel_parts_header(pp)->total_size);
    cr_assert_eq(omen_panel_checksum(block, len), omen_panel_parts_header(pp)->checksum);
    omen_panel p;
    cr_assert(omen_panel_attach(&p, block, len));
    free(block);
    omen_panel_parts_free(pp);
    omen_store_close(st);
}

/* Above a million rows the week-major index is filled on two threads; it must be the index
 * that one pass in rank order gives (reference below). */
Test(panel, week_index_on_two_threads_is_the_one_pass_index)
{
    enum { MODELS = 150000, WEEKS = 40 };
    uint64_t *off = malloc((MODELS + 1) * sizeof *off);
    uint16_t *week = malloc((size_t)MODELS * WEEKS * sizeof *week);
    uint64_t *count = malloc((size_t)MODELS * WEEKS * sizeof *count);
    int32_t *created = malloc(MODELS * sizeof *created);
    uint64_t x = 88172645463325252ull, n = 0;
    for (size_t m = 0; m < MODELS; m++) {
        off[m] = n;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        created[m] = x % 11 == 0 ? OMEN_NO_DATE : (int32_t)(19000 + x % 900);
        size_t first = x % WEEKS, len = (x >> 8) % (WEEKS - first + 1);
        for (size_t w = first; w < first + len; w++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            week[n] = (uint16_t)w;
            count[n++] = x % 5 == 0 ? 0 : x % 7 == 0 ? 5000000000ull : x % 100000;
        }
    }
    off[MODELS] = n;
    cr_assert_gt(n, 1 << 20, "enough rows for two threads (%llu)", (unsigned long long)n);
    uint64_t rows = omen_week_index_rows(count, n);
    omen_week_index w = {malloc(MODELS * 4), malloc(MODELS * 4), malloc((WEEKS + 1) * 8),
                         malloc(rows * 4),   malloc(rows * 4),   0};
    omen_week_index_fill(off, week, count, created, MODELS, WEEKS, &w);
    cr_assert_eq(w.nnz, rows);
    /* reference: every week's rows in rank order, one model after another */
    uint64_t *at = calloc(WEEKS + 1, sizeof *at);
    for (uint64_t i = 0; i < n; i++)
        at[week[i] + 1] += count[i] > 0;
    for (size_t k = 0; k < WEEKS; k++)
        at[k + 1] += at[k];
    cr_assert_arr_eq(at, w.off, (WEEKS + 1) * sizeof *at);
    for (uint32_t r = 0; r < MODELS; r++) {
        uint32_t m = w.order[r];
        cr_assert_eq(w.created[r], created[m]);
        for (uint64_t i = off[m]; i < off[m + 1]; i++) {
            if (count[i] == 0)
                continue;
            uint64_t k = at[week[i]]++;
            cr_assert_eq(w.rank[k], r, "row %llu", (unsigned long long)k);
            cr_assert_eq(w.count[k], count[i] < UINT32_MAX ? count[i] : UINT32_MAX);
        }
    }
    omen_week_index_free(&w);
    free(at);
    free(off);
    free(week);
    free(count);
    free(created);
}
