#!/usr/bin/env bash
# tests/suites/real.sh: the ingest on real Hugging Face data from ../shared/data/real (skipped,
# and counted as skipped, when that folder is absent).
#
# The value-by-value comparisons with an independent pandas computation live in
# tests/crosscheck/test_real_ingest.py; this suite checks the command line on the same files:
# every file ingests with the right exit code and report, re-ingesting changes nothing, the
# interconnects region table (regions such as `eu` and `other` are not countries) is refused
# with --strict-labels (exit 3 naming exactly its bad rows, the store untouched) and --skip-bad
# then keeps its good rows; by default (the label policy) every row ingests, `eu` and `other`
# kept as given and reported.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in
/*) OMEN=$BUILD/omen ;;
*) OMEN=$ROOT/$BUILD/omen ;;
esac
REAL=$(cd "$ROOT/.." && pwd)/shared/data/real
pass=0 fail=0 skip=0

ok() {
    pass=$((pass + 1))
    echo "  pass $1"
}
ko() {
    fail=$((fail + 1))
    echo "  FAIL $1"
    if [ -n "${2:-}" ]; then sed 's/^/    /' <<<"$2"; fi
}
finish() {
    echo "real: $pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
    exit
}

if [ ! -d "$REAL" ]; then
    echo "  skip: $REAL is absent (the real data sets are not part of the repository)"
    skip=1
    finish
fi
if [ ! -x "$OMEN" ]; then
    ko "binary $OMEN is missing"
    finish
fi

work=$(mktemp -d /tmp/omen-real-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
ln -s "$REAL" real

# Runs omen, keeping exit code, stdout and stderr in RC, OUT, ERR.
run() {
    OUT=$("$OMEN" "$@" 2>err.txt)
    RC=$?
    ERR=$(cat err.txt)
}
generation() {
    "$OMEN" --db "$1" info --format json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["generation"])'
}
data_hash() {
    for t in models developers edges annotations downloads snapshots; do
        sqlite3 "$1" "SELECT * FROM $t ORDER BY 1, 2"
    done | sha256sum
}

# ---------------------------------------------------------------- every file ingests

NCTU=real/nctu6_taide_huggingface_stats/models_long.csv
run --db r.db ingest downloads --kind cumulative --count-column downloads_all_time "$NCTU"
if [ $RC -eq 0 ] && grep -qE '^ingested 199 rows \(0 rejected\) from 0\.0 MB; [0-9]+ rows changed in r\.db; cumulative series$' <<<"$ERR" &&
    grep -qx "$NCTU: columns not used: organization,downloads_30d" <<<"$ERR"; then
    ok "nctu6 all-time counts ingest as a cumulative series (199 rows, unused columns named)"
else
    ko "nctu6 cumulative ingest (exit $RC)" "$ERR"
fi
snap=$(sqlite3 r.db "SELECT count(*), count(DISTINCT model) FROM snapshots")
# Only observations that change a model's count are kept: 121 of the 199 (counted with pandas:
# each model's first, then every change).
[ "$snap" = "121|12" ] && ok "nctu6: the 121 of 199 observations that change a count kept, 12 models" ||
    ko "nctu6 snapshots: $snap"

run --db r.db ingest models real/hf_model_trees_oderinwale/nodes.csv
if [ $RC -eq 0 ] && grep -q '^ingested 2053 rows (0 rejected)' <<<"$ERR"; then
    ok "model trees: 2053 nodes ingest as models"
else
    ko "model trees nodes (exit $RC)" "$ERR"
fi
run --db r.db ingest edges real/hf_model_trees_oderinwale/edges.csv
if [ $RC -eq 0 ] && grep -q '^ingested 8136 rows (0 rejected)' <<<"$ERR" &&
    grep -qx 'real/hf_model_trees_oderinwale/edges.csv: columns not used: snapshot' <<<"$ERR"; then
    ok "model trees: 8136 edge rows ingest"
else
    ko "model trees edges (exit $RC)" "$ERR"
fi
n=$(sqlite3 r.db "SELECT count(*) FROM models WHERE name LIKE 'http%'")
[ "$n" = 0 ] && ok "model trees: Hub URLs in ids are reduced to the id" || ko "$n ids kept as URLs"

for f in real/kb-labb_huggingface_stats/models_long.csv real/vismatch_daily_downloads/downloads_long.csv; do
    run --db r.db ingest downloads --kind weekly --count-column downloads_30d "$f"
    if [ $RC -eq 0 ] && grep -q 'weekly series$' <<<"$ERR"; then
        ok "$(basename "$(dirname "$f")"): 30-day counts ingest as weekly rows"
    else
        ko "$f (exit $RC)" "$ERR"
    fi
done
# 30-day counts that move up and down are never taken for cumulative
run --db auto.db ingest downloads --count-column downloads_30d real/kb-labb_huggingface_stats/models_long.csv
grep -q '^kind auto: weekly (a series decreases, first ' <<<"$ERR" && [ $RC -eq 0 ] &&
    ok "kb-labb: --kind auto says weekly, and why" || ko "kb-labb auto (exit $RC)" "$ERR"

# ---------------------------------------------------------------- re-ingest changes nothing

gen=$(generation r.db)
before=$(data_hash r.db)
all_zero=1
for args in "downloads --kind cumulative --count-column downloads_all_time $NCTU" \
    "models real/hf_model_trees_oderinwale/nodes.csv" \
    "downloads --kind weekly --count-column downloads_30d real/kb-labb_huggingface_stats/models_long.csv"; do
    # shellcheck disable=SC2086
    run --db r.db ingest $args
    grep -q '; 0 rows changed in r.db' <<<"$ERR" || all_zero=0
done
if [ $all_zero = 1 ] && [ "$(data_hash r.db)" = "$before" ] && [ "$(generation r.db)" = "$gen" ]; then
    ok "re-ingesting real files changes no row and not the generation ($gen)"
else
    ko "re-ingest changed the store" "$ERR"
fi

info=$("$OMEN" --db r.db info 2>&1) && [ "$info" = "$("$OMEN" --db r.db info --no-cache 2>&1)" ] &&
    ok "info on the real store (cached and not) agrees" || ko "info on the real store" "$info"

# ---------------------------------------------------------------- regions are not countries

REG=real/interconnects_tracked_models/metadata_organization_regions.csv
cp r.db r.before
run --db r.db ingest developers --strict-labels "$REG"
# the rows whose region is eu or other, as physical line numbers
bad_lines=$(awk -F, 'NR > 1 && ($2 == "eu" || $2 == "other") { print NR }' "$REG")
nbad=$(wc -l <<<"$bad_lines")
expect=$({
    echo "omen: bad input data, nothing written:"
    awk -F, -v f="$REG" 'NR > 1 && ($2 == "eu" || $2 == "other") {
        printf "%s:%d: country '\''%s'\'' is not an ISO 3166-1 code or English country name, nor ONLINE, INTL, USER or UNKNOWN\n", f, NR, $2
    }' "$REG" | head -n 20
    echo "... and $((nbad - 20)) more errors"
})
if [ $RC -eq 3 ] && [ "$ERR" = "$expect" ]; then
    ok "interconnects regions: exit 3, the first 20 of the $nbad eu/other rows named, then the count"
else
    ko "interconnects regions (exit $RC)" "$(diff <(echo "$expect") <(echo "$ERR"))"
fi
cmp -s r.db r.before && ok "interconnects regions: the store is byte for byte unchanged" ||
    ko "the refused ingest changed the store"
run --db regions.db ingest developers --strict-labels "$REG"
[ $RC -eq 3 ] && [ ! -e regions.db ] && ok "interconnects regions: no store is created" ||
    ko "a refused first ingest left a store behind"

run --db r.db ingest developers --skip-bad --strict-labels "$REG"
good=$(awk -F, 'NR > 1 && $2 != "eu" && $2 != "other"' "$REG" | wc -l)
got=$(sqlite3 r.db "SELECT count(*) FROM developers")
countries=$(sqlite3 r.db "SELECT group_concat(country || '=' || n) FROM (SELECT country, count(*) AS n FROM developers GROUP BY country ORDER BY country)")
exp_countries=$(awk -F, 'NR > 1 { c[$2]++ } END { printf "CN=%d,UNKNOWN=%d,US=%d", c["china"], c["unknown"], c["us"] }' "$REG")
rej=$(sqlite3 r.db "SELECT rows_rejected, length(rejects) - length(replace(rejects, char(10), '')) + 1 FROM ingests ORDER BY id DESC LIMIT 1")
if [ $RC -eq 0 ] && [ "$got" = "$good" ] && [ "$countries" = "$exp_countries" ] && [ "$rej" = "$nbad|$nbad" ]; then
    ok "interconnects regions --skip-bad: $good developers (us -> US, china -> CN), $nbad rejects recorded"
else
    ko "interconnects --skip-bad (exit $RC): $got developers ($countries), rejects $rej" "$ERR"
fi
# by default: every row, eu and other kept as given and counted
run --db labels.db ingest developers "$REG"
all=$(awk 'NR > 1' "$REG" | wc -l)
got=$(sqlite3 labels.db "SELECT count(*) FROM developers")
exp_unmapped=$(awk -F, 'NR > 1 { c[$2]++ } END { printf "country=eu: %d\ncountry=other: %d", c["eu"], c["other"] }' "$REG")
unmapped=$(sqlite3 labels.db "SELECT unmapped FROM ingests")
if [ $RC -eq 0 ] && [ "$got" = "$all" ] && [ "$unmapped" = "$exp_unmapped" ] &&
    grep -q "^unmapped: country=eu: " <<<"$ERR" && grep -q "ingested $all rows (0 rejected)" <<<"$ERR"; then
    ok "interconnects regions by default: all $all developers, eu and other kept as given and reported"
else
    ko "interconnects regions by default (exit $RC): $got developers, unmapped '$unmapped'" "$ERR"
fi
finish
