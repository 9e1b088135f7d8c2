/* read_downloads.c: the `downloads` reader: long CSV `model,week,downloads` (with aliases).
 *
 * It only gathers observations; whether they are weekly flows or cumulative counts is decided
 * once every file has been read (series.c), because a cumulative series may span many files. */
#include <stdlib.h>
#include <string.h>

#include "../util/dates.h"
#include "../util/error.h"
#include "reader.h"

static const char *const model_alias[] = {"model_id", "id",   "modelId", "model_url",
                                          "repo_id",  "repo", NULL};
static const char *const week_alias[] = {"date", "time", "day", "snapshot_date", "timestamp", NULL};
static const char *const count_alias[] = {"count",      "downloads_all_time", "downloadsAllTime",
                                          "cumulative", "total_downloads",    NULL};

void omen_read_downloads(omen_reader *r)
{
    omen_column_spec specs[3] = {
        {"model", model_alias, true}, {"week", week_alias, true}, {"downloads", count_alias, true}};
    if (r->count_column)
        specs[2] = (omen_column_spec){r->count_column, NULL, true};
    omen_csv csv;
    omen_header h;
    omen_csv_init(&csv, r->data, r->len);
    if (!omen_reader_header(r, &csv, specs, 3, &h))
        return;
    omen_field fields[OMEN_MAX_COLUMNS], last_model = {NULL, 0}, last_date = {NULL, 0};
    uint32_t model_id = 0;
    int32_t day = 0;
    size_t n;
    while (omen_reader_next(r, &csv, fields, &n)) {
        r->rows_read++;
        omen_field model = omen_reader_get(&h, fields, n, 0);
        omen_field date = omen_reader_get(&h, fields, n, 1);
        omen_field count = omen_reader_get(&h, fields, n, 2);
        const char *why = NULL;
        uint64_t value = 0;
        bool ok = true;
        if (!(model.len == last_model.len && model.len &&
              memcmp(model.ptr, last_model.ptr, model.len) == 0)) {
            omen_field id = model;
            if (!omen_parse_model_id(&id)) {
                char idwhy[400];
                omen_reader_error(r, csv.line, "%s", omen_model_id_why(model, idwhy, sizeof idwhy));
                ok = false;
            } else {
                model_id = omen_rows_name(r->rows, id.ptr, id.len);
                last_model = model;
            }
        }
        if (!(date.len == last_date.len && date.len &&
              memcmp(date.ptr, last_date.ptr, date.len) == 0)) {
            if (!omen_date_parse(date.ptr, date.len, &day)) {
                omen_reader_error(r, csv.line,
                                  "week '%.*s' is not a valid date (YYYY-MM-DD or YYYY-Www)",
                                  (int)date.len, date.ptr);
                ok = false;
                last_date.len = 0;
            } else {
                last_date = date;
            }
        }
        if (!omen_parse_count(count, &value, &why)) {
            omen_reader_error(r, csv.line, "downloads '%.*s' is %s", (int)count.len, count.ptr,
                              why);
            ok = false;
        }
        if (!ok) {
            r->rows_bad++;
            last_model.len = 0;
            continue;
        }
        omen_obs_push(r->obs, model_id, day, value, OMEN_WHERE(r->file_index, csv.line));
    }
}
