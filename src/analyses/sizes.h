/* sizes.h: the parameter-count model of `omen sizes estimate`, shared by the analysis and by
 * --apply, which stores its estimates. */
#ifndef OMEN_ANALYSES_SIZES_H
#define OMEN_ANALYSES_SIZES_H

#include <stdbool.h>
#include <stdint.h>

#include "../panel/panel.h"

typedef struct {
    bool ok;
    double slope, intercept; /* log10(params) = intercept + slope * log10(file_bytes) */
    size_t pairs, train, test, inliers, trials;
    double threshold;     /* RANSAC's residual threshold (MAD of the training y) */
    double validation_r2; /* on the held-out pairs; NaN when fewer than 2 */
} omen_sizes_model;

/* Fits the model on the panel's reported counts (OMEN_E_DATA when too few). */
omen_status omen_sizes_fit(const omen_panel *p, uint64_t seed, omen_sizes_model *fit,
                           omen_error *err);
/* The estimate for a file size in bytes (> 0), rounded to a whole count. */
int64_t omen_sizes_predict(const omen_sizes_model *fit, int64_t file_bytes);
bool omen_sizes_reported(const omen_panel *p, uint32_t m);
bool omen_sizes_estimable(const omen_panel *p, uint32_t m);
/* The query an analysis of model sizes runs: the model level, direct attribution. */
omen_query omen_sizes_model_query(const omen_query *q);

#endif
