/* canonical_check.c: checks the server's canonical request key (server/request.c) against the
 * examples shared with the web app, tests/http/canonical_keys.txt (target TAB key per line).
 * Built and run by tests/suites/http.sh; prints "canonical: N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/request.h"

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/http/canonical_keys.txt";
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        printf("canonical: 0 passed, 1 failed\n");
        return 1;
    }
    char line[4096];
    int pass = 0, fail = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = 0;
        char *got = sv_canonical_target(line, strlen(line));
        if (strcmp(got, tab + 1) == 0) {
            pass++;
        } else {
            fail++;
            printf("  FAIL %s\n    want %s\n    got  %s\n", line, tab + 1, got);
        }
        /* canonical keys are fixed points */
        char *again = sv_canonical_target(got, strlen(got));
        if (strcmp(again, got) == 0) {
            pass++;
        } else {
            fail++;
            printf("  FAIL not idempotent: %s -> %s\n", got, again);
        }
        free(again);
        free(got);
    }
    fclose(f);
    printf("canonical: %d passed, %d failed\n", pass, fail);
    return fail != 0;
}
