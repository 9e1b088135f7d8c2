#!/usr/bin/env bash
# tests/suites/fuzz.sh: runs every libFuzzer driver of tests/fuzz/ (built by `make fuzz-build`
# into build-fuzz/fuzz/ with ASan and UBSan) on its seed corpus in tests/fuzz/corpus/<driver>/
# for a bounded time: FUZZ_SECONDS each (3 in `make test`, so that the nine drivers add well under
# a minute; `make fuzz` sets 600 and FUZZ_LONG=1). The seed folders are only read: what a run
# adds to the corpus goes to a scratch folder, or under build-fuzz/corpus/ with FUZZ_LONG, where
# the next long run starts from it. A crashing input is kept in tests/artifacts/fuzz/ (in
# tests/fuzz/crashes/ with FUZZ_LONG, to be committed as a reproducer), and the reproducers in
# tests/fuzz/crashes/<driver>-* are run again first, so a fixed crash stays fixed. Skips with a
# message when clang or libFuzzer is missing. Ends with one "N passed, N failed, N skipped" line.
set -u
cd "$(dirname "$0")/../.."
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-3}
LONG=${FUZZ_LONG:-0}
pass=0 fail=0 skip=0

# libFuzzer comes with clang's runtime (Debian: libclang-rt-*-dev, in scripts/bootstrap).
if ! command -v clang >/dev/null 2>&1 ||
    ! printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' |
    clang -fsanitize=fuzzer,address,undefined -x c -o /dev/null - 2>/dev/null; then
    echo "fuzz: clang with libFuzzer is missing (scripts/bootstrap installs libclang-rt-14-dev): skipped"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/omen-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The drivers make their scratch folders here, so a crashed run leaves nothing behind.
export OMEN_FUZZ_TMP=$work
if [ "$LONG" = 1 ]; then
    artifacts=tests/fuzz/crashes
else
    artifacts=tests/artifacts/fuzz
fi
mkdir -p "$artifacts"

if [ "$LONG" != 1 ] && ! make -s --no-print-directory fuzz-build FUZZ_BUILD="$FUZZ_BUILD" \
    >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log"
    echo "  FAIL the fuzz drivers do not build"
    echo "fuzz: 0 passed, 1 failed, 0 skipped"
    exit 1
fi

# Options every run shares: bounded time and memory, no leak false alarms from libraries that
# keep memory until exit (SQLite's, DuckDB's caches are freed at close; leaks are still found).
opts=(-max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 -timeout=20 -print_final_stats=0)

for src in tests/fuzz/fuzz_*.c; do
    d=$(basename "$src" .c)
    bin=$FUZZ_BUILD/fuzz/$d
    if [ ! -x "$bin" ]; then
        # Only fuzz_parquet is left out of the build on purpose (no libduckdb).
        echo "  SKIP $d: not built (fuzz_parquet needs libduckdb: scripts/fetch-duckdb)"
        skip=$((skip + 1))
        continue
    fi
    seeds=tests/fuzz/corpus/$d
    mkdir -p "$seeds"
    # Reproducers of crashes found before: each must run clean now.
    repro_ok=1
    for r in tests/fuzz/crashes/"$d"-*; do
        [ -f "$r" ] || continue
        if ! "$bin" -runs=1 "$r" >"$work/$d.repro.log" 2>&1; then
            echo "  FAIL $d: reproducer $r still crashes"
            grep -E 'ERROR|SUMMARY|#[0-9] ' "$work/$d.repro.log" | head -n 12
            repro_ok=0
        fi
    done
    if [ "$LONG" = 1 ]; then
        grown=$FUZZ_BUILD/corpus/$d
    else
        grown=$work/corpus-$d
    fi
    mkdir -p "$grown"
    start=$(date +%s%N)
    "$bin" "${opts[@]}" -artifact_prefix="$artifacts/$d-" "$grown" "$seeds" >"$work/$d.log" 2>&1
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    took=$((ms / 1000)).$((ms % 1000 / 100))
    runs=$(grep -oE '^Done [0-9]+ runs' "$work/$d.log" | grep -oE '[0-9]+' | tail -n 1)
    if [ $rc -eq 0 ] && [ $repro_ok = 1 ]; then
        echo "  ok   $d: ${runs:-?} runs in ${took} s"
        pass=$((pass + 1))
    else
        if [ $rc -ne 0 ]; then
            echo "  FAIL $d: exit $rc after ${took} s; the input is in $artifacts/$d-*"
            grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x|fuzz_' "$work/$d.log" | head -n 25
        fi
        fail=$((fail + 1))
    fi
done

echo "fuzz: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
