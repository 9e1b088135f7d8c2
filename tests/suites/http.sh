#!/usr/bin/env bash
# tests/suites/http.sh: the server and the report. Builds and runs the canonical-key check
# against tests/http/canonical_keys.txt (the examples the web app tests its JS with) and the
# request-parsing fuzz driver (seeded random inputs, ASan/UBSan when clang has them), then
# tests/http/test_http.py against `omen serve` on a small synthetic store, then the hardening
# tests (tests/http/test_headers.py, test_slowloris.py, test_big_answers.py).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD
PY=/usr/bin/python3
pass=0 fail=0 skip=0
work=$(mktemp -d /tmp/omen-http-suite-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Adds a "N passed, N failed[, N skipped]" line's counts to the totals.
add() {
    local line=$1
    pass=$((pass + $(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)))
    fail=$((fail + $(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)))
    skip=$((skip + $(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)))
}

CC_T=${CC:-cc}
SAN=""
if command -v clang >/dev/null; then
    CC_T=clang
    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
fi
FLAGS="-std=c11 -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra -Iinclude"

if $CC_T $FLAGS -o "$work/canonical_check" tests/http/canonical_check.c server/request.c 2>"$work/cc.log"; then
    out=$("$work/canonical_check" tests/http/canonical_keys.txt)
    echo "$out"
    add "$(tail -n 1 <<<"$out")"
else
    cat "$work/cc.log"
    echo "  FAIL canonical_check does not build"
    fail=$((fail + 1))
fi

# shellcheck disable=SC2086
if $CC_T $FLAGS $SAN -o "$work/fuzz_request" tests/fuzz/fuzz_request.c server/request.c 2>"$work/fz.log"; then
    seed=${OMEN_FUZZ_SEED:-$RANDOM}
    echo "fuzz_request: seed $seed (OMEN_FUZZ_SEED=$seed repeats it)"
    if "$work/fuzz_request" "$seed" "${OMEN_FUZZ_ITERS:-100000}"; then
        pass=$((pass + 1))
    else
        echo "  FAIL fuzz_request broke a property or crashed (seed above)"
        fail=$((fail + 1))
    fi
else
    cat "$work/fz.log"
    echo "  FAIL fuzz_request does not build"
    fail=$((fail + 1))
fi

$PY tests/http/test_http.py 2>&1 | tee "$work/http.log"
line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$work/http.log" | tail -n 1)
if [ -n "$line" ]; then
    add "$line"
else
    echo "  FAIL test_http.py printed no summary"
    fail=$((fail + 1))
fi

# The hardening tests (issue 17): security headers and the Host check, slow clients, large
# answers under concurrency. Each starts its own server on a free port (--port 0).
for t in tests/http/test_headers.py tests/http/test_slowloris.py tests/http/test_big_answers.py; do
    [ -f "$t" ] || continue
    $PY "$t" 2>&1 | tee "$work/t.log"
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$work/t.log" | tail -n 1)
    if [ -n "$line" ]; then
        add "$line"
    else
        echo "  FAIL $t printed no summary"
        fail=$((fail + 1))
    fi
done

echo "http: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
