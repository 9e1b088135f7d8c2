/* events_gen.c: a seeded raw download log for the events benchmark: `events_gen N SEED` writes
 * N events `model,user,timestamp` as CSV to stdout, over 28 days from 2025-06-02, with
 * heavy-tailed models and users and repeat downloads, in the two spellings logs use (ISO 8601
 * with Z and epoch seconds). Not a calibrated panel: only the shape a log's deduplication sees. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t rng_state;

static uint64_t next(void) /* xorshift64*: fast and good enough for shapes */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static double uniform(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

/* An index in [0, n) with a power-law tilt towards 0 (larger k = heavier head). */
static uint64_t skewed(uint64_t n, double k)
{
    double u = uniform(), x = u;
    for (int i = 1; i < (int)k; i++)
        x *= u;
    return (uint64_t)(x * (double)n) % n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: events_gen N SEED\n");
        return 2;
    }
    uint64_t n = strtoull(argv[1], NULL, 10);
    rng_state = strtoull(argv[2], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
    const int64_t start = 1748822400; /* 2025-06-02T00:00:00Z, a Monday */
    static char buf[1 << 20];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    fputs("model,user,timestamp\n", stdout);
    uint64_t last_model = 0, last_user = 0;
    int64_t last_t = start;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t model, user;
        int64_t t;
        if (i && uniform() < 0.15) { /* a retry or a re-download soon after */
            model = last_model, user = last_user;
            t = last_t + (int64_t)(next() % 7200);
        } else {
            model = skewed(200000, 3);
            user = skewed(20000000, 2);
            t = start + (int64_t)(next() % (28 * 86400));
        }
        if (t >= start + 28 * 86400)
            t = start + 28 * 86400 - 1;
        if (next() & 1) {
            time_t tt = (time_t)t;
            struct tm tm;
            gmtime_r(&tt, &tm);
            printf("org%llu/model-%llu,u%llu,%04d-%02d-%02dT%02d:%02d:%02dZ\n",
                   (unsigned long long)(model % 5000), (unsigned long long)model,
                   (unsigned long long)user, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                   tm.tm_hour, tm.tm_min, tm.tm_sec);
        } else {
            printf("org%llu/model-%llu,u%llu,%lld\n", (unsigned long long)(model % 5000),
                   (unsigned long long)model, (unsigned long long)user, (long long)t);
        }
        last_model = model, last_user = user, last_t = t;
    }
    return fflush(stdout) != 0;
}
