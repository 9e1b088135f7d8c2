/* taxonomy_api.c: the annotation taxonomy through the public API (omen.h), for the server's
 * /api/meta and other front ends that may include only include/omen/. */
#include "omen/omen.h"
#include "taxonomy.h"

bool omen_taxonomy_field_at(size_t i, omen_field_info *out)
{
    const omen_taxonomy_field *f = omen_taxonomy_fields();
    for (size_t k = 0; k < i; k++)
        if (!f[k].name)
            return false;
    if (!f[i].name)
        return false;
    out->name = f[i].name;
    out->title = f[i].title;
    out->labels = f[i].labels;
    out->allowed = omen_taxonomy_allowed(&f[i]);
    return true;
}
