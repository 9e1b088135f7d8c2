/* fuzz_timestamp.c: libFuzzer target for the timestamp parsers: the events reader's
 * (parse_timestamp in src/ingest/events.c: epoch seconds or ISO 8601) and the models' created
 * date (omen_date_parse_timestamp, src/util/dates.c). parse_timestamp is static, so events.c is
 * compiled into this driver (the Makefile leaves events.o out of its link for that reason).
 * Checked properties: epoch seconds of plain digits give their day; an accepted day is a
 * valid calendar day that omen_date_ymd can split. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../src/ingest/events.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_day(int32_t day, const uint8_t *in, size_t n)
{
    int y, m, d;
    omen_date_ymd(day, &y, &m, &d);
    if (!omen_date_valid(y, m, d)) {
        fprintf(stderr, "fuzz_timestamp: day %d is no calendar day for input (%zu bytes)\n",
                (int)day, n);
        (void)in;
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    int32_t day = 0;
    if (parse_timestamp(s, size, &day)) {
        check_day(day, data, size);
        bool digits = size > 0 && size <= 12;
        for (size_t i = 0; i < size && digits; i++)
            digits = s[i] >= '0' && s[i] <= '9';
        if (digits && day != (int32_t)(strtoll(s, NULL, 10) / 86400)) {
            fprintf(stderr, "fuzz_timestamp: '%s' is not day %d\n", s, (int)day);
            abort();
        }
    }
    const char *why = NULL;
    if (omen_date_parse_timestamp(s, size, &day, &why))
        check_day(day, data, size);
    free(s);
    return 0;
}
