#!/usr/bin/env bash
# tests/suites/browser.sh: the dashboard's tests: tests/browser/unit.mjs (node only: canonical
# request keys, CSV number format, web/report-requests.txt) and tests/browser/run.mjs (Debian's
# chromium through playwright-core against `omen serve`; screenshots in tests/artifacts/browser/).
# Skips with a message when node, chromium, web/node_modules or web/vendor are missing.
# Ends with one "N passed, N failed, N skipped" line over both.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD
pass=0 fail=0 skip=0

# Adds the counts of the last "N passed, N failed[, N skipped]" line of $1 to the totals.
add() {
    local line p f s
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$1" | tail -n 1)
    if [ -z "$line" ]; then
        fail=$((fail + 1))
        return
    fi
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
    f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)
    pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
}

if ! command -v node >/dev/null 2>&1; then
    echo "browser: node is missing: dashboard tests skipped"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

out=$(node tests/browser/unit.mjs 2>&1)
rc=$?
echo "$out"
add "$out"
[ $rc -ne 0 ] && ! grep -qE '[1-9][0-9]* failed' <<<"$(tail -n 1 <<<"$out")" && fail=$((fail + 1))

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    echo "browser: $chromium is missing (scripts/bootstrap installs Debian's chromium): browser tests skipped"
    skip=$((skip + 1))
elif [ ! -d web/node_modules/playwright-core ]; then
    echo "browser: web/node_modules is missing (scripts/bootstrap runs npm ci --prefix web): browser tests skipped"
    skip=$((skip + 1))
elif [ ! -f web/vendor/.stamp ]; then
    echo "browser: web/vendor/ is missing (make web copies the libraries): browser tests skipped"
    skip=$((skip + 1))
elif [ ! -x "$BUILD/omen" ]; then
    echo "browser: $BUILD/omen is missing: browser tests skipped"
    skip=$((skip + 1))
else
    out=$(node tests/browser/run.mjs 2>&1)
    rc=$?
    echo "$out"
    add "$out"
    [ $rc -ne 0 ] && ! grep -qE '[1-9][0-9]* failed' <<<"$(tail -n 1 <<<"$out")" && fail=$((fail + 1))
fi

echo "browser: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
