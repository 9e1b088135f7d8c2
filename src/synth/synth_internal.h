/* synth_internal.h: types shared by the files of the synthetic panel generator (src/synth/):
 * the calibration tables, the generated developers and models, and the phases that fill them.
 * Everything is owned by one sy_ctx, released with sy_ctx_free(). */
#ifndef OMEN_SYNTH_INTERNAL_H
#define OMEN_SYNTH_INTERNAL_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omen/omen.h"

#define SY_NWEEKS  265 /* weeks 2020-06-01 .. 2025-06-23 */
#define SY_NSEG    4   /* Table 1 segments: <=2022, 2023, 2024, >=2025 */
#define SY_NKNOT   11  /* calibration knots (see synth_tables.c) */
#define SY_HEAD_K  200 /* top models per week in the Head Sample */
#define SY_POP_MIN 200 /* Population Sample: total downloads at least this */
#define SY_NONE    UINT32_MAX

typedef enum { CL_TE, CL_TG, CL_IG, CL_VG, CL_MG, CL_AU, CL_IE, CL_ME, CL_TB, CL_N } sy_class;
typedef enum {
    REL_ROOT,
    REL_FT,
    REL_ADAPTER,
    REL_QUANT,
    REL_MERGE,
    REL_CP,
    REL_OTHER,
    REL_N
} sy_rel;
typedef enum {
    ORG_COMPANY,
    ORG_UNIV,
    ORG_NONPROFIT,
    ORG_COMMUNITY,
    ORG_GOV,
    ORG_USER,
    ORG_UNKNOWN,
    ORG_N
} sy_org;
typedef enum { POOL_USER, POOL_CO, POOL_UNIV, POOL_NP, POOL_CMTY, POOL_N } sy_pool;

/* A named developer: an invented organisation with a fixed role in the calibration. */
typedef struct {
    const char *role;    /* what it stands in for, for docs and debugging only */
    const char *country; /* ISO 3166-1 alpha-2, ONLINE, INTL or USER */
    sy_org org;
    int style;        /* naming style, see synth_names.c */
    int family_words; /* how many distinct model family names it uses */
} sy_named_def;

/* A stream: one developer (or pool of small developers) publishing one class of model with
 * one mix of derivations, with its share of the young (rolling-window) downloads over time. */
typedef struct {
    const char *key;
    int src; /* >= 0: named developer index; < 0: pool -(pool + 1) */
    sy_class cls;
    const char *rel;   /* relation mix: "root=.3 ft=.6 d2:ft=.1" */
    const char *sizes; /* root sizes "110e6:.6 340e6:.4" (params:weight), optionally per
                        * era "before 2023 | 2023 | from 2024" (a missing era repeats the
                        * one before); a leading ! applies them to derived models too */
    float per_year;    /* releases per year for named developers (0 for pools) */
    float tau;         /* median decay of weekly downloads after release, weeks */
    float ever;        /* mean evergreen fraction (long slow tail) */
    float pre;         /* share of the pre-panel volume (models created before 2020-06) */
    float share[SY_NKNOT];
    int base_own;     /* derived models take bases of their own developer */
    int window;       /* bases were created at most this many weeks before (0 = 104) */
    int base_cls;     /* class of the bases; -1 = the stream's class */
    const char *from; /* no models before this date (NULL: the knots decide) */
} sy_stream_def;

/* The parsed relation mix and size tables of a stream (eras: before 2023, 2023, from 2024). */
typedef struct {
    double p_rel[3][REL_N]; /* [depth][relation]; depth 0 only REL_ROOT */
    double size_val[3][8], size_w[3][8];
    int nsize[3];
} sy_stream_mix;

enum {
    SY_PRE = 1,
    SY_POP = 2,
    SY_HEAD = 4,
    SY_ANNOT = 8,
    SY_PKNOWN = 16,
    SY_NOBYTES = 32,
    SY_NOCREATED = 64
};

/* Label sets of an annotated model: bit i = label i of the lists in synth_annotate.c. */
typedef struct {
    uint32_t arch, methods;
    uint8_t data, gating; /* category indices, 0xff = none */
} sy_labels;

typedef struct {
    float t; /* young mass: expected downloads in the first 52 weeks of life */
    float tau, rise, ever, tau_e;
    float ynorm;   /* 1 / sum of the shape over the first 52 weeks */
    int16_t cweek; /* true creation week (negative before the panel) */
    uint16_t stream;
    uint8_t cls, rel, depth, pool; /* pool kind, 0xff for named developers */
    uint8_t flags, license, gated, lang;
    uint8_t cday;   /* day of the week of creation, 0 = Monday */
    uint8_t lclass; /* license class fitted on the Head Sample + 1; 0 = not fitted */
    uint8_t pad[2];
    uint32_t dev; /* developer index */
    uint32_t base, base2;
    uint32_t annot; /* index into ctx->labels, SY_NONE when not annotated */
    double params;  /* true parameter count */
    int64_t bytes;  /* used storage */
    uint64_t total; /* realised downloads */
    int32_t eff;    /* created_effective, days */
    uint32_t name;  /* offset of "dev/name" in ctx->names */
} sy_model;

typedef struct {
    uint8_t named; /* 1 for named developers */
    uint8_t org, pool;
    const char *country;
    uint32_t name, display; /* offsets into ctx->names */
} sy_dev;

typedef struct {
    omen_synth_options opt;
    double scale;
    gsl_rng *rng;
    int32_t week0; /* days of 2020-06-01 */

    const sy_named_def *named;
    int nnamed;
    const sy_stream_def *streams;
    int nstreams;
    sy_stream_mix *mix;
    double *vol; /* [stream][week]: target young volume in downloads per week */

    sy_model *models;
    size_t nmodels, cap_models;
    sy_dev *devs;
    size_t ndevs, cap_devs;

    /* downloads, model-major: weeks wk[off[m] .. off[m+1]) */
    uint64_t *off;
    uint16_t *wk;
    uint32_t *cnt;
    size_t nrows, cap_rows;

    double (*segdl)[SY_NSEG]; /* per model rolling-filtered downloads per segment */
    uint32_t *head;           /* head model indices */
    size_t nhead;
    sy_labels *labels;
    size_t nlabels;

    char *names; /* NUL-terminated strings */
    size_t names_len, names_cap;
    uint32_t *order; /* models sorted by name */
    uint64_t nedges, nannotations, ndownloads;
} sy_ctx;

/* synth_tables.c */
extern const sy_named_def sy_named[];
extern const int sy_nnamed;
extern const sy_stream_def sy_streams[];
extern const int sy_nstreams;
extern const char *const sy_knot_dates[SY_NKNOT];
extern const double sy_young_units[SY_NKNOT];
extern const double sy_pre_units;
extern const double sy_pool_weight[SY_NKNOT];
extern const double sy_unit;

/* synth_models.c */
void sy_volume_init(sy_ctx *c);
void sy_models_generate(sy_ctx *c);
void sy_bases_assign(sy_ctx *c);
void sy_sizes_assign(sy_ctx *c);
size_t sy_model_add(sy_ctx *c);
double sy_shape(const sy_model *m, int age);

/* synth_downloads.c */
void sy_downloads_generate(sy_ctx *c);

/* synth_head.c */
int sy_week_segment(const sy_ctx *c, int w);
void sy_panel_stats(sy_ctx *c);
void sy_head_sample(sy_ctx *c);

/* synth_annotate.c */
void sy_annotate_head(sy_ctx *c);
extern const char *const sy_arch_labels[];
extern const char *const sy_method_labels[];
extern const char *const sy_data_labels[];
extern const char *const sy_gating_labels[];

/* synth_developers.c */
void sy_named_devs_create(sy_ctx *c);
void sy_pool_devs_assign(sy_ctx *c);

/* synth_meta.c */
void sy_metadata_assign(sy_ctx *c);
const char *sy_license_id(int idx);
const char *sy_gated_str(int g);
const char *sy_lang_str(int idx);
const char *sy_model_pipeline(const sy_ctx *c, const sy_model *m);
const char *sy_model_library(const sy_ctx *c, const sy_model *m);
const char *sy_relation_str(int rel);
const char *sy_org_str(int org);
int sy_license_class_of(int idx);
extern const int sy_nlicenses;

/* synth_names.c */
uint32_t sy_name_add(sy_ctx *c, const char *s, size_t len);
void sy_names_assign(sy_ctx *c);
static inline const char *sy_str(const sy_ctx *c, uint32_t off)
{
    return c->names + off;
}

/* synth_output.c */
omen_status sy_write_csv(sy_ctx *c, const char *dir, omen_error *err);
void sy_fill_rows(sy_ctx *c, void *rows);

/* synth.c */
void sy_progress(sy_ctx *c, const char *what, uint64_t done, uint64_t total);
int sy_mk_day(const sy_ctx *c, int w);

#endif
