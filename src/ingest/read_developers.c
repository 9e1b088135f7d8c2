/* read_developers.c: the `developers` reader: CSV `developer,country,org_type[,name]`.
 *
 * Countries are normalised to ISO alpha-2 or ONLINE/INTL/USER/UNKNOWN; organisation types to
 * the data model's seven through the alias table of taxonomy.c. A value neither knows is kept
 * as given and counted (unmapped.h), or rejects the row with --strict-labels. A developer
 * listed twice must say the same thing both times. */
#include <string.h>

#include "../vocab/countries.h"
#include "../util/error.h"
#include "../vocab/taxonomy.h"
#include "reader.h"
#include "unmapped.h"

static const char *const a_dev[] = {"author", "namespace", "hf_org", "org", "organization", NULL};
static const char *const a_country[] = {"country_code", "org_country", "org_country_single",
                                        "region", NULL};
static const char *const a_type[] = {"type", "organization_type", "org_type_single", NULL};
static const char *const a_name[] = {"display_name", "organization_name", NULL};

static void add_developer(omen_reader *r, omen_field dev, omen_field country, omen_field type,
                          omen_field name, uint64_t line)
{
    uint64_t errors = r->diag->count;
    const char *code = NULL, *org = NULL;
    if (dev.len == 0 || memchr(dev.ptr, '/', dev.len) || memchr(dev.ptr, ' ', dev.len))
        omen_reader_error(r, line, "developer '%.*s' is not a Hub namespace", (int)dev.len,
                          dev.ptr);
    char country_text[256], type_text[256];
    if (country.len && !(code = omen_country_normalize(country.ptr, country.len)) &&
        omen_label_unmapped(r, line, "country", country,
                            "country '%.*s' is not an ISO 3166-1 code or English country name, "
                            "nor ONLINE, INTL, USER or UNKNOWN",
                            (int)country.len, country.ptr))
        code = omen_field_text(country, country_text, sizeof country_text);
    if (type.len && !(org = omen_org_type_parse(type.ptr, type.len)) &&
        omen_label_unmapped(r, line, "org_type", type,
                            "org_type '%.*s' is not one of company, university, nonprofit, "
                            "community, government, user, unknown",
                            (int)type.len, type.ptr))
        org = omen_field_text(type, type_text, sizeof type_text);
    if (r->diag->count != errors) {
        r->rows_bad++;
        return;
    }
    omen_rows *rows = r->rows;
    uint32_t name_id = omen_rows_str(rows, dev.ptr, dev.len);
    uint32_t c = code ? omen_rows_str(rows, code, strlen(code)) : UINT32_MAX;
    uint32_t t = org ? omen_rows_str(rows, org, strlen(org)) : UINT32_MAX;
    uint32_t d = name.len ? omen_rows_str(rows, name.ptr, name.len) : UINT32_MAX;
    uint32_t *slot = omen_index_slot(r->developer_rows, name_id);
    if (*slot) {
        const omen_developer_row *p = &rows->developers[*slot - 1];
        if (p->country != c || p->org_type != t || p->display != d) {
            omen_reader_error(r, line,
                              "developer '%.*s' is listed twice with different values (first "
                              "at line %llu)",
                              (int)dev.len, dev.ptr, (unsigned long long)p->line);
            r->rows_bad++;
        }
        return;
    }
    omen_developer_row *row = omen_rows_add_developer(rows);
    *row = (omen_developer_row){name_id, c, t, d, line};
    *slot = (uint32_t)rows->ndevelopers;
}

void omen_read_developers(omen_reader *r)
{
    const omen_column_spec specs[4] = {{"developer", a_dev, true},
                                       {"country", a_country, false},
                                       {"org_type", a_type, false},
                                       {"name", a_name, false}};
    omen_csv csv;
    omen_header h;
    omen_csv_init(&csv, r->data, r->len);
    if (!omen_reader_header(r, &csv, specs, 4, &h))
        return;
    omen_field f[OMEN_MAX_COLUMNS];
    size_t n;
    while (omen_reader_next(r, &csv, f, &n)) {
        r->rows_read++;
        add_developer(r, omen_reader_get(&h, f, n, 0), omen_reader_get(&h, f, n, 1),
                      omen_reader_get(&h, f, n, 2), omen_reader_get(&h, f, n, 3), csv.line);
    }
}
