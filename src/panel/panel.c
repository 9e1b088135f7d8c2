/* panel.c: loading the panel: from the mmapped cache beside the store when it matches the
 * store exactly, otherwise rebuilt from the store and the cache rewritten; and refreshing the
 * cache at the end of a command that wrote the store, so that the next command maps it.
 *
 * A cache is never trusted blindly: its header must name this store, generation, file size
 * and modification time, and its checksum and every offset and index in it are checked before
 * use (once per cache file: see seal_of), so a stale, truncated, foreign or corrupted cache is
 * rebuilt rather than read. */
#define _GNU_SOURCE /* O_TMPFILE: a cache half written when omen is killed leaves no file */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../store/store.h"
#include "../util/dates.h"
#include "../util/error.h"
#include "block.h"
#include "panel.h"

/* Widths of each section's elements, to check the section lengths. */
static const size_t elem[S_COUNT] = {8, 1, 4, 4, 4, 8, 8, 4, 4, 4, 1, 1, 1, 4, 4, 4, 8, 4,
                                     4, 8, 4, 4, 1, 8, 2, 8, 8, 4, 1, 4, 8, 4, 4, 4, 4};

static bool sections_ok(const omen_block_header *h, size_t len)
{
    const uint64_t counts[S_COUNT] = {(uint64_t)h->n_strings + 1,
                                      h->str_bytes,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_developers,
                                      h->n_developers,
                                      h->n_developers,
                                      (uint64_t)h->n_models + 1,
                                      h->n_parents,
                                      h->n_parents,
                                      (uint64_t)h->n_models + 1,
                                      h->n_annotations,
                                      h->n_annotations,
                                      h->n_annotations,
                                      (uint64_t)h->n_models + 1,
                                      h->nnz,
                                      h->nnz,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      h->n_models,
                                      (uint64_t)h->n_weeks + 1,
                                      h->nnz_week,
                                      h->nnz_week,
                                      h->n_models,
                                      h->n_models};
    for (int k = 0; k < S_COUNT; k++) {
        if (h->off[k] % 64 || h->off[k] > len || h->len[k] > len - h->off[k])
            return false;
        if (h->len[k] != counts[k] * elem[k])
            return false;
    }
    return true;
}

static bool offsets_ok(const uint64_t *off, size_t n, uint64_t end)
{
    if (off[0] != 0 || off[n] != end)
        return false;
    for (size_t i = 0; i < n; i++)
        if (off[i] > off[i + 1])
            return false;
    return true;
}

static bool ids_ok(const uint32_t *ids, size_t n, uint32_t limit, bool none_ok)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= limit && !(none_ok && ids[i] == OMEN_NONE))
            return false;
    return true;
}

/* One model's facts (omen_panel_model_facts). */
static void facts_of(const uint64_t *dl_off, const uint16_t *dl_week, const uint64_t *dl_count,
                     int32_t created, int32_t first_week, size_t m, uint64_t *total,
                     int32_t *created_eff, uint8_t *created_src)
{
    int32_t first = OMEN_NO_DATE;
    uint64_t sum = 0;
    for (uint64_t i = dl_off[m]; i < dl_off[m + 1]; i++) {
        sum += dl_count[i];
        if (first == OMEN_NO_DATE && dl_count[i] > 0)
            first = first_week + 7 * (int32_t)dl_week[i];
    }
    *total = sum;
    if (created != OMEN_NO_DATE && (first == OMEN_NO_DATE || created <= first)) {
        *created_eff = created;
        *created_src = 1;
    } else {
        *created_eff = first;
        *created_src = first == OMEN_NO_DATE ? 0 : 2;
    }
}

void omen_panel_model_facts(const uint64_t *dl_off, const uint16_t *dl_week,
                            const uint64_t *dl_count, const int32_t *created, int32_t first_week,
                            size_t n_models, uint64_t *total, int32_t *created_eff,
                            uint8_t *created_src)
{
    for (size_t m = 0; m < n_models; m++)
        facts_of(dl_off, dl_week, dl_count, created[m], first_week, m, total + m, created_eff + m,
                 created_src + m);
}

/* The stored facts must be those of the downloads beside them. */
static bool facts_ok(const omen_panel *p)
{
    for (size_t m = 0; m < p->n_models; m++) {
        uint64_t total;
        int32_t eff;
        uint8_t src;
        facts_of(p->dl_off, p->dl_week, p->dl_count, p->model_created[m], p->first_week, m, &total,
                 &eff, &src);
        if (total != p->model_total[m] || eff != p->model_created_eff[m] ||
            src != p->model_created_src[m])
            return false;
    }
    return true;
}

/* The stored week-major index must be the one the downloads give, byte for byte. */
static bool weeks_ok(const omen_panel *p)
{
    uint64_t rows = omen_week_index_rows(p->dl_count, p->nnz);
    if (rows != p->wk_nnz)
        return false;
    omen_week_index w = {omen_xmalloc((p->n_models ? p->n_models : 1) * sizeof *w.order),
                         omen_xmalloc((p->n_models ? p->n_models : 1) * sizeof *w.created),
                         omen_xmalloc(((size_t)p->n_weeks + 1) * sizeof *w.off),
                         omen_xmalloc((rows ? rows : 1) * sizeof *w.rank),
                         omen_xmalloc((rows ? rows : 1) * sizeof *w.count),
                         0};
    omen_week_index_fill(p->dl_off, p->dl_week, p->dl_count, p->model_created_eff, p->n_models,
                         p->n_weeks, &w);
    bool same = memcmp(w.order, p->wk_order, p->n_models * sizeof *w.order) == 0 &&
                memcmp(w.created, p->wk_created, p->n_models * sizeof *w.created) == 0 &&
                memcmp(w.off, p->wk_off, ((size_t)p->n_weeks + 1) * sizeof *w.off) == 0 &&
                memcmp(w.rank, p->wk_rank, rows * sizeof *w.rank) == 0 &&
                memcmp(w.count, p->wk_count, rows * sizeof *w.count) == 0;
    omen_week_index_free(&w);
    return same;
}

static bool roots_ok(const omen_panel *p)
{
    uint32_t *root = omen_xmalloc((p->n_models ? p->n_models : 1) * sizeof *root);
    bool same = omen_panel_first_roots(p, root) == p->first_cycles &&
                memcmp(root, p->model_root_first, p->n_models * sizeof *root) == 0;
    free(root);
    return same;
}

static bool content_ok(const omen_panel *p, uint64_t str_bytes)
{
    if (!offsets_ok(p->str_off, p->n_strings, str_bytes))
        return false;
    for (uint32_t i = 0; i < p->n_strings; i++)
        if (p->str_off[i + 1] == p->str_off[i] || p->str_blob[p->str_off[i + 1] - 1] != 0)
            return false;
    uint32_t ns = p->n_strings, nm = p->n_models;
    if (!ids_ok(p->model_name, nm, ns, false) ||
        !ids_ok(p->model_developer, nm, p->n_developers, false) ||
        !ids_ok(p->model_pipeline, nm, ns, true) || !ids_ok(p->model_library, nm, ns, true) ||
        !ids_ok(p->model_license, nm, ns, true) ||
        !ids_ok(p->dev_name, p->n_developers, ns, false) ||
        !ids_ok(p->dev_country, p->n_developers, ns, true) ||
        !ids_ok(p->dev_org_type, p->n_developers, ns, true))
        return false;
    if (!offsets_ok(p->parent_off, nm, p->n_parents) ||
        !ids_ok(p->parent_model, p->n_parents, nm, false) ||
        !ids_ok(p->parent_relation, p->n_parents, ns, true))
        return false;
    if (!offsets_ok(p->annot_off, nm, p->n_annotations) ||
        !ids_ok(p->annot_field, p->n_annotations, ns, true) ||
        !ids_ok(p->annot_value, p->n_annotations, ns, true))
        return false;
    if (!offsets_ok(p->dl_off, nm, p->nnz))
        return false;
    for (uint64_t i = 0; i < p->nnz; i++)
        if (p->dl_week[i] >= p->n_weeks)
            return false;
    return facts_ok(p) && weeks_ok(p) && roots_ok(p);
}

/* Eight independent multiply-xorshift lanes over 64-byte chunks: each step is a bijection of
 * the lane for a given word, so any single changed word changes the result, and the lanes
 * keep the multiplier busy (several GB/s, small next to reading the cache from disk). */
static void checksum_chunks(uint64_t lane[8], const unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 64 <= n; i += 64)
        for (int k = 0; k < 8; k++) {
            uint64_t w;
            memcpy(&w, p + i + 8 * (size_t)k, 8);
            lane[k] = (lane[k] ^ w) * 0x9E3779B97F4A7C15ull;
            lane[k] ^= lane[k] >> 29;
        }
}

enum { HEAD_BYTES = (sizeof(omen_block_header) + 63) / 64 * 64 };

uint64_t omen_panel_checksum(const void *block, size_t len)
{
    uint64_t lane[8];
    for (int k = 0; k < 8; k++)
        lane[k] = 0x243F6A8885A308D3ull * (uint64_t)(k + 1);
    const unsigned char *p = block;
    unsigned char chunk[HEAD_BYTES] = {0};
    size_t head = len < HEAD_BYTES ? len : HEAD_BYTES;
    memcpy(chunk, p, head);
    if (head >= offsetof(omen_block_header, checksum) + 8)
        memset(chunk + offsetof(omen_block_header, checksum), 0, 8);
    checksum_chunks(lane, chunk, HEAD_BYTES);
    size_t body = (len - head) / 64 * 64;
    checksum_chunks(lane, p + head, body);
    unsigned char tail[64] = {0};
    memcpy(tail, p + head + body, len - head - body);
    checksum_chunks(lane, tail, 64);
    uint64_t h = (uint64_t)len;
    for (int k = 0; k < 8; k++) {
        h = (h ^ lane[k]) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 33;
    }
    return h;
}

uint64_t omen_panel_checksum_parts(const omen_block_header *h, const void *const src[S_COUNT])
{
    /* The same chunks as omen_panel_checksum reads: the header's, each section's (its last
     * chunk padded with the zeros that align the next section) and a final chunk of zeros. */
    uint64_t lane[8];
    for (int k = 0; k < 8; k++)
        lane[k] = 0x243F6A8885A308D3ull * (uint64_t)(k + 1);
    unsigned char chunk[HEAD_BYTES] = {0};
    memcpy(chunk, h, sizeof *h);
    memset(chunk + offsetof(omen_block_header, checksum), 0, 8);
    checksum_chunks(lane, chunk, HEAD_BYTES);
    for (int k = 0; k < S_COUNT; k++) {
        size_t len = h->len[k], body = len / 64 * 64;
        checksum_chunks(lane, src[k], body);
        if (len > body) {
            unsigned char tail[64] = {0};
            memcpy(tail, (const unsigned char *)src[k] + body, len - body);
            checksum_chunks(lane, tail, 64);
        }
    }
    unsigned char zeros[64] = {0};
    checksum_chunks(lane, zeros, 64);
    uint64_t sum = h->total_size;
    for (int k = 0; k < 8; k++) {
        sum = (sum ^ lane[k]) * 0xFF51AFD7ED558CCDull;
        sum ^= sum >> 33;
    }
    return sum;
}

uint64_t omen_panel_section_sum(const void *section, size_t len)
{
    uint64_t lane[8];
    for (int k = 0; k < 8; k++)
        lane[k] = 0x243F6A8885A308D3ull * (uint64_t)(k + 1);
    size_t body = len / 64 * 64;
    checksum_chunks(lane, section, body);
    unsigned char tail[64] = {0};
    if (len > body)
        memcpy(tail, (const unsigned char *)section + body, len - body);
    checksum_chunks(lane, tail, 64);
    uint64_t h = (uint64_t)len;
    for (int k = 0; k < 8; k++) {
        h = (h ^ lane[k]) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 33;
    }
    return h;
}

/* ---------------------------------------------------------------- the check of every load
 *
 * Every load, sealed or not, verifies each section's sum and range checks every index that a
 * query reads memory with (string, model and developer ids, ranks, week indices, the CSR
 * offsets, the small enumerations), so that no value from the file indexes memory unchecked:
 * the sums find a changed count or date (a disk error, a copy that kept the times, `touch -r`),
 * and the range checks keep a crafted file whose sums agree from reading out of bounds. Both
 * are one pass over each section, a piece at a time while it is in the cache, with loops
 * that accumulate a flag instead of branching so that the compiler vectorises them; two
 * threads take half the bytes each. Measured at full scale (862 MB): see docs/architecture.md,
 * "Loading the cache". */

enum { R_NONE, R_ID, R_ID_OR_NONE, R_U16, R_U8, R_OFF, R_OFF_STRICT };

typedef struct {
    int kind;
    uint64_t limit; /* ids, weeks, enumerations: values < limit; offsets: the last one */
} range_rule;

static void rules_of(const omen_block_header *h, range_rule r[S_COUNT])
{
    for (int k = 0; k < S_COUNT; k++)
        r[k] = (range_rule){R_NONE, 0};
    uint64_t ns = h->n_strings, nm = h->n_models;
    r[S_STR_OFF] = (range_rule){R_OFF_STRICT, h->str_bytes};
    r[S_M_NAME] = r[S_D_NAME] = (range_rule){R_ID, ns};
    r[S_M_PIPE] = r[S_M_LIB] = r[S_M_LIC] = r[S_D_COUNTRY] = r[S_D_ORG] = r[S_P_REL] =
        r[S_A_FIELD] = r[S_A_VALUE] = (range_rule){R_ID_OR_NONE, ns};
    r[S_M_DEV] = (range_rule){R_ID, h->n_developers};
    r[S_P_MODEL] = r[S_W_ORDER] = r[S_W_RANK] = r[S_F_ROOT] = (range_rule){R_ID, nm};
    r[S_M_GATED] = (range_rule){R_U8, OMEN_GATED_MANUAL + 1};
    r[S_M_PSRC] = (range_rule){R_U8, OMEN_PARAMS_OFFICIAL + 1};
    r[S_F_SRC] = (range_rule){R_U8, 3};
    r[S_A_HEUR] = (range_rule){R_U8, 2};
    r[S_P_OFF] = (range_rule){R_OFF, h->n_parents};
    r[S_A_OFF] = (range_rule){R_OFF, h->n_annotations};
    r[S_DL_OFF] = (range_rule){R_OFF, h->nnz};
    r[S_W_OFF] = (range_rule){R_OFF, h->nnz_week};
    r[S_DL_WEEK] = (range_rule){R_U16, h->n_weeks};
}

/* Whether the n elements at p (the piece of a section that starts with element `first`) obey
 * the rule; *prev carries the last offset from piece to piece. */
static bool piece_ok(const range_rule *r, const unsigned char *p, size_t first, size_t n,
                     uint64_t *prev)
{
    unsigned bad = 0;
    switch (r->kind) {
    case R_ID: {
        const uint32_t *v = (const uint32_t *)(const void *)p;
        uint32_t lim = r->limit > UINT32_MAX ? UINT32_MAX : (uint32_t)r->limit;
        for (size_t i = 0; i < n; i++)
            bad |= v[i] >= lim;
        break;
    }
    case R_ID_OR_NONE: { /* OMEN_NONE + 1 wraps to 0, which passes */
        const uint32_t *v = (const uint32_t *)(const void *)p;
        uint32_t lim = r->limit >= UINT32_MAX ? UINT32_MAX : (uint32_t)r->limit;
        for (size_t i = 0; i < n; i++)
            bad |= (uint32_t)(v[i] + 1u) > lim;
        break;
    }
    case R_U16: {
        const uint16_t *v = (const uint16_t *)(const void *)p;
        for (size_t i = 0; i < n; i++)
            bad |= v[i] >= r->limit;
        break;
    }
    case R_U8:
        for (size_t i = 0; i < n; i++)
            bad |= p[i] >= r->limit;
        break;
    case R_OFF:
    case R_OFF_STRICT: {
        const uint64_t *v = (const uint64_t *)(const void *)p;
        if (n == 0)
            break;
        if (first == 0)
            bad |= v[0] != 0;
        else
            bad |= r->kind == R_OFF ? v[0] < *prev : v[0] <= *prev;
        if (r->kind == R_OFF)
            for (size_t i = 1; i < n; i++)
                bad |= v[i] < v[i - 1];
        else /* every string has at least its NUL */
            for (size_t i = 1; i < n; i++)
                bad |= v[i] <= v[i - 1];
        *prev = v[n - 1];
        break;
    }
    default:
        break;
    }
    return !bad;
}

enum { PIECE = 64 << 10 }; /* a piece is summed and then checked while it is in the L2 cache */

/* Section k's sum and range checks in one pass. */
static bool section_ok(const omen_block_header *h, const char *base, const range_rule *rules, int k)
{
    const range_rule *r = &rules[k];
    static const size_t width[S_COUNT] = {8, 1, 4, 4, 4, 8, 8, 4, 4, 4, 1, 1, 1, 4, 4, 4, 8, 4,
                                          4, 8, 4, 4, 1, 8, 2, 8, 8, 4, 1, 4, 8, 4, 4, 4, 4};
    const unsigned char *p = (const unsigned char *)base + h->off[k];
    size_t len = h->len[k], w = width[k], body = len / 64 * 64;
    uint64_t lane[8], prev = 0;
    for (int j = 0; j < 8; j++)
        lane[j] = 0x243F6A8885A308D3ull * (uint64_t)(j + 1);
    bool ok = true;
    for (size_t at = 0; at < len && ok; at += PIECE) {
        size_t n = len - at < PIECE ? len - at : PIECE;
        if (at < body)
            checksum_chunks(lane, p + at, (at + n <= body ? n : body - at));
        ok = piece_ok(r, p + at, at / w, n / w, &prev);
    }
    if (!ok)
        return false;
    unsigned char tail[64] = {0};
    if (len > body)
        memcpy(tail, p + body, len - body);
    checksum_chunks(lane, tail, 64);
    uint64_t sum = (uint64_t)len;
    for (int j = 0; j < 8; j++) {
        sum = (sum ^ lane[j]) * 0xFF51AFD7ED558CCDull;
        sum ^= sum >> 33;
    }
    if (sum != h->sum[k])
        return false;
    if ((r->kind == R_OFF || r->kind == R_OFF_STRICT) && prev != r->limit)
        return false; /* the last offset ends the section it indexes */
    return true;
}

typedef struct {
    const omen_block_header *h;
    const char *base;
    const range_rule *rules;
    int ks[S_COUNT], n;
    bool ok;
} verify_job;

static void *verify_run(void *arg)
{
    verify_job *j = arg;
    j->ok = true;
    for (int i = 0; i < j->n && j->ok; i++)
        j->ok = section_ok(j->h, j->base, j->rules, j->ks[i]);
    return NULL;
}

/* Every section's sum and ranges (the header and the section bounds already checked), on two
 * threads given about half the bytes each. */
static bool sections_verified(const omen_block_header *h, const char *base)
{
    range_rule rules[S_COUNT];
    rules_of(h, rules);
    if (h->n_strings && base[h->off[S_STR_BLOB] + h->str_bytes - 1] != 0)
        return false; /* the last string ends inside the blob, so every string does */
    if (!h->n_strings && h->str_bytes)
        return false;
    int order[S_COUNT];
    for (int k = 0; k < S_COUNT; k++)
        order[k] = k;
    for (int a = 1; a < S_COUNT; a++) /* largest first, then each to the lighter thread */
        for (int b = a; b > 0 && h->len[order[b]] > h->len[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    verify_job job[2] = {{h, base, rules, {0}, 0, true}, {h, base, rules, {0}, 0, true}};
    uint64_t load[2] = {0, 0};
    for (int i = 0; i < S_COUNT; i++) {
        int t = load[1] < load[0];
        job[t].ks[job[t].n++] = order[i];
        load[t] += h->len[order[i]];
    }
    pthread_t helper;
    bool threaded =
        load[1] >= (4u << 20) && pthread_create(&helper, NULL, verify_run, &job[1]) == 0;
    verify_run(&job[0]);
    if (threaded)
        pthread_join(helper, NULL);
    else
        verify_run(&job[1]);
    return job[0].ok && job[1].ok;
}

#define AT(T, k) ((const T *)(base + h->off[k]))

static bool header_ok(const omen_block_header *h, size_t len)
{
    return len >= sizeof *h && memcmp(h->magic, OMEN_BLOCK_MAGIC, 8) == 0 &&
           h->version == OMEN_BLOCK_VERSION && h->header_size == sizeof *h &&
           h->total_size == len && sections_ok(h, len) && h->n_weeks <= 65535;
}

/* How much of a block attach checks beyond its header and section bounds. */
enum {
    CHECK_BUILT,    /* the block omen has just built or written: nothing more */
    CHECK_SECTIONS, /* a cache sealed as omen wrote it (see sealed): every section's sum and
                       the ranges of every index (sections_verified), on every load */
    CHECK_FULL      /* anything else: the block's checksum, the sections, and that every
                       derived section is what its sources give (content_ok) */
};

static bool attach(omen_panel *p, void *block, size_t len, int check)
{
    const char *base = block;
    const omen_block_header *h = block;
    if (!header_ok(h, len) ||
        (check == CHECK_FULL && h->checksum != omen_panel_checksum(block, len)))
        return false;
    if (check != CHECK_BUILT && !sections_verified(h, base))
        return false;
    memset(p, 0, sizeof *p);
    p->n_models = h->n_models;
    p->n_developers = h->n_developers;
    p->n_strings = h->n_strings;
    p->n_weeks = h->n_weeks;
    p->first_week = h->first_week;
    p->nnz = h->nnz;
    p->n_parents = h->n_parents;
    p->n_annotations = h->n_annotations;
    p->synthetic = h->synthetic != 0;
    p->generation = h->generation;
    p->schema_version = h->schema_version;
    p->str_off = AT(uint64_t, S_STR_OFF);
    p->str_blob = AT(char, S_STR_BLOB);
    p->model_name = AT(uint32_t, S_M_NAME);
    p->model_developer = AT(uint32_t, S_M_DEV);
    p->model_created = AT(int32_t, S_M_CREATED);
    p->model_params = AT(int64_t, S_M_PARAMS);
    p->model_file_bytes = AT(int64_t, S_M_BYTES);
    p->model_pipeline = AT(uint32_t, S_M_PIPE);
    p->model_library = AT(uint32_t, S_M_LIB);
    p->model_license = AT(uint32_t, S_M_LIC);
    p->model_gated = AT(uint8_t, S_M_GATED);
    p->model_params_source = AT(uint8_t, S_M_PSRC);
    p->model_flags = AT(uint8_t, S_M_FLAGS);
    p->dev_name = AT(uint32_t, S_D_NAME);
    p->dev_country = AT(uint32_t, S_D_COUNTRY);
    p->dev_org_type = AT(uint32_t, S_D_ORG);
    p->parent_off = AT(uint64_t, S_P_OFF);
    p->parent_model = AT(uint32_t, S_P_MODEL);
    p->parent_relation = AT(uint32_t, S_P_REL);
    p->annot_off = AT(uint64_t, S_A_OFF);
    p->annot_field = AT(uint32_t, S_A_FIELD);
    p->annot_value = AT(uint32_t, S_A_VALUE);
    p->annot_heuristic = AT(uint8_t, S_A_HEUR);
    p->dl_off = AT(uint64_t, S_DL_OFF);
    p->dl_week = AT(uint16_t, S_DL_WEEK);
    p->dl_count = AT(uint64_t, S_DL_COUNT);
    p->model_total = AT(uint64_t, S_F_TOTAL);
    p->model_created_eff = AT(int32_t, S_F_CREATED);
    p->model_created_src = AT(uint8_t, S_F_SRC);
    p->wk_order = AT(uint32_t, S_W_ORDER);
    p->wk_created = AT(int32_t, S_W_CREATED);
    p->wk_off = AT(uint64_t, S_W_OFF);
    p->wk_rank = AT(uint32_t, S_W_RANK);
    p->wk_count = AT(uint32_t, S_W_COUNT);
    p->wk_nnz = h->nnz_week;
    p->model_root_first = AT(uint32_t, S_F_ROOT);
    p->first_cycles = h->first_cycles;
    p->block = block;
    p->block_len = len;
    return check != CHECK_FULL || content_ok(p, h->str_bytes);
}

bool omen_panel_attach(omen_panel *p, void *block, size_t len)
{
    return attach(p, block, len, CHECK_FULL);
}

static char *cache_path(omen_store *st)
{
    const char *db = omen_store_path(st);
    char *path = omen_xmalloc(strlen(db) + 8);
    sprintf(path, "%s.panel", db);
    return path;
}

static bool stamp_matches(const omen_block_header *h, const omen_panel_stamp *s)
{
    return strncmp(h->store_id, s->store_id, sizeof h->store_id) == 0 &&
           h->generation == s->generation && h->db_size == s->db_size &&
           h->db_mtime_ns == s->db_mtime_ns;
}

/* The seal of a cache file: the modification time omen gives the file when it has written it,
 * derived from the content (the store's modification second and the block's checksum), so a
 * rebuilt cache is the same file byte for byte. Any later write to the file through the file
 * system (a truncation, a flipped byte, a copy over it) sets its time to the present and breaks
 * the seal; an intact seal lets a load skip the checksum and the content checks, which read the
 * whole file (measured: a tenth of a full-scale query). A file system that cannot store the
 * nanoseconds never shows the seal, and its caches are checked completely on every load. */
static struct timespec seal_of(const omen_block_header *h)
{
    int64_t sec = h->db_mtime_ns / 1000000000;
    if (h->db_mtime_ns % 1000000000 < 0)
        sec--;
    return (struct timespec){.tv_sec = (time_t)sec,
                             .tv_nsec = (long)(1 + h->checksum % 999999999u)};
}

static bool sealed(const struct stat *sb, const omen_block_header *h)
{
    struct timespec seal = seal_of(h);
    return sb->st_mtim.tv_sec == seal.tv_sec && sb->st_mtim.tv_nsec == seal.tv_nsec &&
           (uint64_t)sb->st_size == h->total_size;
}

/* Asks the kernel to read the cache into the page cache in 2 MiB folios and map them with one
 * page-table entry each. A query reads hundreds of megabytes of the file, and mapping them 4 KiB
 * at a time was most of its cost (measured on this project's VM: reading 200 MB of the mapped
 * cache took 110 ms in 4 KiB folios, 9 ms in 2 MiB folios; a full-scale concentration series
 * 0.33 s and 0.18 s). Folios read in before this advice keep their size until the kernel drops
 * them. A kernel that cannot do it for files says EINVAL, which changes nothing: advice only. */
static void prefer_huge_pages(void *map, size_t len)
{
#ifdef MADV_HUGEPAGE
    (void)madvise(map, len, MADV_HUGEPAGE);
#else
    (void)map;
    (void)len;
#endif
}

static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strcpy(omen_xmalloc(2), ".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = omen_xmalloc(n + 1);
    memcpy(dir, path, n);
    dir[n] = 0;
    return dir;
}

/* What is at the cache's path must be a regular file (or nothing): a FIFO there would hang
 * every command on its open, and a socket or device is not ours to read or replace. Someone
 * put it there, so omen says so and leaves it, rather than renaming a new cache over it. */
static omen_status cache_kind_ok(const char *path, omen_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode))
        return OMEN_OK; /* absent, or unusable as before: rebuilt, and the write says why */
    const char *what = S_ISFIFO(sb.st_mode)                         ? "a FIFO"
                       : S_ISSOCK(sb.st_mode)                       ? "a socket"
                       : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device"
                                                                    : "not a regular file";
    return omen_error_set(err, OMEN_E_IO,
                          "%s: the panel cache's path holds %s, not a cache file; omen neither "
                          "reads nor replaces it: remove it (or use --no-cache)",
                          path, what);
}

enum { STALE_TEMP_SECONDS = 15 * 60 };

/* Removes the temporary files of cache writes that were killed (STORE.panel.tmp.PID, named by
 * omen versions before O_TMPFILE, and still by the fallback and by publish, which names the
 * anonymous file for the moment of its rename): those whose process is gone, or that nobody
 * has written to for STALE_TEMP_SECONDS (the process id may have been reused; a live write
 * touches its file every 8 MiB). Each is up to the size of a cache (850 MB at full scale).
 * Only regular files are removed, and never this process's own. */
static void remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t nlen = strlen(name);
    char *dir = folder_of(path);
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return;
    }
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strncmp(n, name, nlen) != 0 || strncmp(n + nlen, ".tmp.", 5) != 0)
            continue;
        const char *digits = n + nlen + 5;
        char *end = NULL;
        errno = 0;
        long pid = strtol(digits, &end, 10);
        if (end == digits || *end || errno || pid <= 0 || pid == (long)getpid())
            continue;
        char *full = omen_xmalloc(strlen(dir) + strlen(n) + 2);
        sprintf(full, "%s/%s", dir, n);
        struct stat sb;
        bool gone = kill((pid_t)pid, 0) != 0 && errno == ESRCH;
        if (lstat(full, &sb) == 0 && S_ISREG(sb.st_mode) &&
            (gone || now - sb.st_mtim.tv_sec > STALE_TEMP_SECONDS))
            unlink(full);
        free(full);
    }
    closedir(d);
    free(dir);
}

/* Maps the cache read-only; NULL when it is absent, stale or malformed. */
static omen_panel *try_cache(const char *path, const omen_panel_stamp *stamp)
{
    /* O_NONBLOCK: a FIFO put in place of the cache after cache_kind_ok must not hang us */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat sb;
    void *map = MAP_FAILED;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
        (size_t)sb.st_size >= sizeof(omen_block_header))
        map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    prefer_huge_pages(map, (size_t)sb.st_size);
    omen_panel *p = omen_xcalloc(1, sizeof *p);
    const omen_block_header *h = map;
    if (!stamp_matches(h, stamp) ||
        !attach(p, map, (size_t)sb.st_size,
                header_ok(h, (size_t)sb.st_size) && sealed(&sb, h) ? CHECK_SECTIONS : CHECK_FULL)) {
        munmap(map, (size_t)sb.st_size);
        free(p);
        return NULL;
    }
    p->mapped = true;
    return p;
}

/* Writes all of fd's iovecs, resuming after short writes. */
static bool writev_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        for (size_t left = (size_t)w; left;) {
            size_t take = left < iov->iov_len ? left : iov->iov_len;
            iov->iov_base = (char *)iov->iov_base + take;
            iov->iov_len -= take;
            left -= take;
            if (iov->iov_len == 0) {
                iov++;
                n--;
            }
        }
        while (n > 0 && iov->iov_len == 0) {
            iov++;
            n--;
        }
    }
    return true;
}

enum { WRITE_WINDOW = 8 << 20 };

/* Writes the block that the parts lay out, straight from the sections' own arrays, in pieces
 * of 8 MiB at 8 MiB boundaries: one large write per piece keeps the file in the page cache in
 * 2 MiB folios, as one write of the whole block did (see prefer_huge_pages), without the copy
 * of the whole block into one buffer (850 MB at full scale). */
static bool write_parts(int fd, const omen_panel_parts *pp, omen_progress_fn progress, void *ctx)
{
    static const unsigned char zeros[64];
    const omen_block_header *h = omen_panel_parts_header(pp);
    const void *const *src = omen_panel_parts_sections(pp);
    unsigned char head[HEAD_BYTES] = {0};
    memcpy(head, h, sizeof *h);
    struct iovec seg[2 * S_COUNT + 2];
    int nseg = 0;
    seg[nseg++] = (struct iovec){head, HEAD_BYTES};
    uint64_t pos = HEAD_BYTES;
    for (int k = 0; k <= S_COUNT; k++) {
        uint64_t at = k < S_COUNT ? h->off[k] : h->total_size;
        if (at < pos || at - pos >= 64)
            return false; /* not the layout of build.c: sections 64-byte aligned, in order */
        if (at > pos)
            seg[nseg++] = (struct iovec){(void *)(uintptr_t)zeros, at - pos};
        if (k < S_COUNT && h->len[k])
            seg[nseg++] = (struct iovec){(void *)(uintptr_t)src[k], h->len[k]};
        pos = at + (k < S_COUNT ? h->len[k] : 0);
    }
    int si = 0;
    size_t so = 0;
    uint64_t done = 0;
    while (si < nseg) {
        struct iovec iov[2 * S_COUNT + 2];
        int n = 0;
        size_t want = 0;
        while (si < nseg && want < WRITE_WINDOW) {
            size_t take = seg[si].iov_len - so;
            take = take < WRITE_WINDOW - want ? take : WRITE_WINDOW - want;
            iov[n++] = (struct iovec){(char *)seg[si].iov_base + so, take};
            want += take;
            so += take;
            if (so == seg[si].iov_len) {
                si++;
                so = 0;
            }
        }
        if (!writev_all(fd, iov, n))
            return false;
        done += want;
        if (progress)
            progress(ctx, "writing panel cache", done, h->total_size);
    }
    return true;
}

/* A new file beside the cache: anonymous (O_TMPFILE) where the file system allows, so that
 * omen killed while writing leaves nothing behind; else named (*named, the caller frees). */
static int open_temp(const char *path, char **named)
{
    *named = NULL;
#ifdef O_TMPFILE
    char *dir = folder_of(path);
    int fd = open(dir, O_TMPFILE | O_RDWR, 0644);
    free(dir);
    if (fd >= 0)
        return fd;
#endif
    *named = omen_xmalloc(strlen(path) + 32);
    sprintf(*named, "%s.tmp.%ld", path, (long)getpid());
    return open(*named, O_RDWR | O_CREAT | O_TRUNC, 0644);
}

/* Puts the written file in place of the cache with one rename, so that a reader never sees
 * half a cache; an anonymous file is first linked under a temporary name. */
static bool publish(int fd, const char *named, const char *path)
{
    if (named)
        return rename(named, path) == 0;
    char proc[64], *tmp = omen_xmalloc(strlen(path) + 32);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
    unlink(tmp);
    bool ok = linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0;
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

/* Writes the cache from the parts and seals it; returns the open file (read-write), or -1
 * with errno's message in *why when the cache cannot be written. */
static int write_cache(const char *path, const omen_panel_parts *pp, omen_progress_fn progress,
                       void *ctx, const char **why)
{
    char *named = NULL;
    int fd = open_temp(path, &named);
    bool ok = fd >= 0 && write_parts(fd, pp, progress, ctx);
    if (ok) {
        struct timespec times[2] = {{.tv_sec = 0, .tv_nsec = UTIME_OMIT},
                                    seal_of(omen_panel_parts_header(pp))};
        futimens(fd, times); /* no seal: every load checks the file completely */
        ok = publish(fd, named, path);
    }
    if (!ok) {
        *why = strerror(errno ? errno : EIO);
        if (fd >= 0)
            close(fd);
        if (named)
            unlink(named);
        fd = -1;
    }
    free(named);
    return fd;
}

/* The panel on the file just written: mapped, with no check of what was just built. */
static omen_panel *map_written(int fd, size_t len)
{
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return NULL;
    prefer_huge_pages(map, len);
    omen_panel *p = omen_xcalloc(1, sizeof *p);
    if (!attach(p, map, len, CHECK_BUILT)) {
        munmap(map, len);
        free(p);
        return NULL;
    }
    p->mapped = true;
    return p;
}

omen_status omen_panel_load(omen_store *st, const omen_panel_options *opt, omen_panel **out,
                            const char **note, omen_error *err)
{
    omen_panel_options none = {0};
    if (!opt)
        opt = &none;
    *out = NULL;
    omen_panel_stamp stamp;
    omen_status s = omen_panel_stamp_of(st, &stamp, err);
    if (s != OMEN_OK)
        return s;
    char *path = cache_path(st);
    if (!opt->no_cache) {
        if ((s = cache_kind_ok(path, err)) != OMEN_OK) {
            free(path);
            return s;
        }
        remove_stale_temps(path);
    }
    if (!opt->no_cache && !opt->rebuild_cache && (*out = try_cache(path, &stamp))) {
        if (note)
            *note = "panel loaded from cache";
        free(path);
        return OMEN_OK;
    }
    omen_panel_parts *pp = NULL;
    s = omen_panel_build_parts(st, opt->progress, opt->progress_ctx, &pp, err);
    if (s != OMEN_OK) {
        free(path);
        return s;
    }
    /* Written first and then mapped: the panel is the cache file, and no block is copied. */
    const char *why = NULL;
    int fd = opt->no_cache ? -1 : write_cache(path, pp, opt->progress, opt->progress_ctx, &why);
    omen_panel *p = NULL;
    if (fd >= 0) {
        p = map_written(fd, omen_panel_parts_header(pp)->total_size);
        close(fd);
    }
    if (!p) {
        void *block = NULL;
        size_t len = 0;
        omen_panel_parts_block(pp, &block, &len);
        p = omen_xcalloc(1, sizeof *p);
        if (!attach(p, block, len, CHECK_BUILT)) {
            free(block);
            free(p);
            omen_panel_parts_free(pp);
            free(path);
            return omen_error_set(err, OMEN_E_STORE,
                                  "internal error: the panel built from %s "
                                  "does not check out",
                                  omen_store_path(st));
        }
    }
    omen_panel_parts_free(pp);
    if (note)
        *note = opt->no_cache ? "panel built from the store (no cache)"
                : fd >= 0     ? "panel rebuilt from the store; cache written"
                              : "panel rebuilt from the store; the cache could not be written "
                                "beside it";
    free(path);
    *out = p;
    return OMEN_OK;
}

omen_status omen_panel_refresh(omen_store *st, const omen_panel_options *opt, const char **note,
                               omen_error *err)
{
    omen_panel_options none = {0};
    if (!opt)
        opt = &none;
    if (note)
        *note = "no panel cache (asked for none)";
    if (opt->no_cache)
        return OMEN_OK;
    omen_panel_stamp stamp;
    omen_status s = omen_panel_stamp_of(st, &stamp, err);
    if (s != OMEN_OK)
        return s;
    char *path = cache_path(st);
    if ((s = cache_kind_ok(path, err)) != OMEN_OK) {
        free(path);
        return s;
    }
    remove_stale_temps(path);
    omen_panel *current = opt->rebuild_cache ? NULL : try_cache(path, &stamp);
    if (current) {
        omen_panel_free(current);
        if (note)
            *note = "panel cache already current";
        free(path);
        return OMEN_OK;
    }
    omen_panel_parts *pp = NULL;
    s = omen_panel_build_parts(st, opt->progress, opt->progress_ctx, &pp, err);
    const char *why = NULL;
    int fd = s == OMEN_OK ? write_cache(path, pp, opt->progress, opt->progress_ctx, &why) : -1;
    omen_panel_parts_free(pp);
    if (fd >= 0) {
        close(fd);
        if (note)
            *note = "panel cache written";
    } else if (s == OMEN_OK) {
        s = omen_error_set(err, OMEN_E_CACHE, "%s: the panel cache could not be written (%s)", path,
                           why);
    }
    free(path);
    return s;
}

void omen_panel_free(omen_panel *p)
{
    if (!p)
        return;
    if (p->mapped)
        munmap(p->block, p->block_len);
    else
        free(p->block);
    free(p);
}
