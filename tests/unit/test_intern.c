/* test_intern.c: unit tests of string interning and the hash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/util/intern.h"

Test(intern, dense_ids_and_lookup)
{
    omen_intern t;
    omen_intern_init(&t);
    cr_assert_eq(omen_intern_find(&t, "x", 1), UINT32_MAX, "an empty table finds nothing");
    cr_assert_eq(omen_intern_add(&t, "meta-llama/Llama-2-7b", 21), 0);
    cr_assert_eq(omen_intern_add(&t, "google/gemma-2b", 15), 1);
    cr_assert_eq(omen_intern_add(&t, "meta-llama/Llama-2-7b", 21), 0);
    cr_assert_eq(omen_intern_add(&t, "", 0), 2);
    cr_assert_eq(omen_intern_add(&t, NULL, 0), 2, "(NULL, 0) is the empty string");
    cr_assert_eq(t.count, 3);
    cr_assert_eq(omen_intern_find(&t, "google/gemma-2b", 15), 1);
    cr_assert_eq(omen_intern_find(&t, "google/gemma-2", 14), UINT32_MAX);
    cr_assert_str_eq(omen_intern_str(&t, 1), "google/gemma-2b");
    cr_assert_str_eq(omen_intern_str(&t, 2), "");
    cr_assert_eq(t.lens[0], 21);
    cr_assert_eq(t.offsets[t.count], t.blob_len);
    omen_intern_free(&t);
    omen_intern_free(NULL);
}

Test(intern, embedded_nul_and_prefixes_differ)
{
    omen_intern t;
    omen_intern_init(&t);
    uint32_t a = omen_intern_add(&t, "ab\0c", 4);
    uint32_t b = omen_intern_add(&t, "ab", 2);
    uint32_t c = omen_intern_add(&t, "ab\0d", 4);
    cr_assert(a != b && b != c && a != c);
    cr_assert_eq(omen_intern_find(&t, "ab\0c", 4), a);
    omen_intern_free(&t);
}

Test(intern, adding_a_stored_string_while_growing)
{
    /* The source pointer lies inside the blob that the add may reallocate. */
    omen_intern t;
    omen_intern_init(&t);
    char name[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(name, sizeof name, "org%d/model", i);
        uint32_t id = omen_intern_add(&t, name, (size_t)n);
        uint32_t prefix = omen_intern_add(&t, omen_intern_str(&t, id), (size_t)n - 2);
        name[n - 2] = '\0';
        cr_assert_str_eq(omen_intern_str(&t, prefix), name);
    }
    omen_intern_free(&t);
}

Test(intern, million_strings_round_trip)
{
    enum { N = 1000000 };
    omen_intern t;
    omen_intern_init(&t);
    char s[64];
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(s, sizeof s, "developer-%u/model-%u", i % 9973, i);
        cr_assert_eq(omen_intern_add(&t, s, (size_t)n), i);
    }
    cr_assert_eq(t.count, N);
    cr_assert((double)t.count / (double)t.nslots <= 0.7, "load factor above 0.7");
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(s, sizeof s, "developer-%u/model-%u", i % 9973, i);
        cr_assert_eq(omen_intern_find(&t, s, (size_t)n), i);
        cr_assert_eq(t.lens[i], (uint32_t)n);
        cr_assert_eq(memcmp(omen_intern_str(&t, i), s, (size_t)n + 1), 0);
        if (i % 10 == 0)
            cr_assert_eq(omen_intern_add(&t, s, (size_t)n), i, "re-adding must not duplicate");
    }
    cr_assert_eq(t.count, N);
    cr_assert_eq(omen_intern_find(&t, "developer-0/model-1000000", 25), UINT32_MAX);
    omen_intern_free(&t);
}

Test(intern, hash_is_stable_and_spreads)
{
    /* Fixed values: the hash may be persisted (panel cache), so it must not change silently. */
    cr_assert_eq(omen_hash_bytes("", 0), 0x93228a4de0eec5a2ULL);
    cr_assert_eq(omen_hash_bytes("omen", 4), 0xfaf1ced973ebd6ddULL);
    cr_assert_eq(omen_hash_bytes("meta-llama/Llama-2-7b-chat-hf", 29), 0xd0f8dac94574eea3ULL);
    cr_assert_eq(
        omen_hash_bytes("0123456789012345678901234567890123456789012345678901234567890123", 64),
        0xf07c22f1d682aefdULL);
    cr_assert_neq(omen_hash_bytes("a", 1), omen_hash_bytes("b", 1));
    cr_assert_neq(omen_hash_bytes("ab", 2), omen_hash_bytes("ba", 2));
    /* Low 16 bits over 100k similar keys: no bucket should be badly overloaded. */
    static unsigned counts[1 << 16];
    char s[32];
    unsigned worst = 0;
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(s, sizeof s, "model-%d", i);
        unsigned b = (unsigned)(omen_hash_bytes(s, (size_t)n) & 0xffff);
        if (++counts[b] > worst)
            worst = counts[b];
    }
    cr_assert(worst <= 12, "a low-bit bucket got %u of 100k keys", worst);
}
