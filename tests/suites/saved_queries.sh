#!/usr/bin/env bash
# tests/suites/saved_queries.sh: the outputs of a fixed list of queries on `omen synth --scale
# 0.02`, CSV and JSON, compared byte for byte with tests/fixtures/saved_queries/, which were
# captured from the binary before the consolidation of issue 15. A refactoring that moves code
# must leave every one of them identical; a change meant to move numbers or formats regenerates
# them with `--write` and says why in its commit. The JSON meta's elapsed_s is the only field
# blanked: it is the one value that is not a function of the store and the query.
# The last queries run after `annotate --heuristic` and `sizes estimate --apply`, so that what
# those commands write into the store is compared too, through what the analyses then read.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OMEN=$(pwd)/$BUILD/omen
FIX=$(pwd)/tests/fixtures/saved_queries
write=0
[ "${1:-}" = "--write" ] && write=1
pass=0 fail=0 skip=0

if [ ! -x "$OMEN" ]; then
    echo "saved_queries: $OMEN is missing"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
if ! "$OMEN" --db s.db --quiet synth --scale 0.02 >synth.out 2>&1; then
    echo "saved_queries: omen synth failed"
    cat synth.out
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

# name|arguments (word-split; no argument holds a space). Read queries run in CSV and JSON.
READ_QUERIES='
conc_developer_week|concentration --level developer
conc_model_week|concentration --level model
conc_country_month|concentration --level country --window month
conc_org_type_quarter|concentration --level org_type --window quarter
conc_developer_year_recursive|concentration --level developer --window year --attribution recursive
conc_developer_quarter_split|concentration --level developer --window quarter --attribution recursive --merge-policy split
conc_country_trailing52|concentration --level country --window trailing52
conc_developer_cumulative|concentration --level developer --window cumulative
conc_head_norolling_month|concentration --sample head --no-rolling --window month
conc_all_range_entropy|concentration --sample all --from 2023-01-02 --to 2024-06-24 --entropy --segments 1,5,50 --rolling 180
conc_architecture_quarter|concentration --level architecture --window quarter
conc_license_year_split|concentration --level license_class --window year --attribution recursive --merge-policy split
shares_developer_year|shares --level developer --window year --top 5
shares_country_quarter_recursive|shares --level country --window quarter --attribution recursive
shares_model_month|shares --level model --window month --top 3
leaderboard_developer|leaderboard --level developer
leaderboard_model_last_year|leaderboard --level model --period last-year --top 20
leaderboard_country_recursive|leaderboard --level country --attribution recursive
leaderboard_org_type|leaderboard --level org_type
map_all|map
map_last_year|map --period last-year --top 30
lorenz_developer|lorenz --level developer --points 21
lorenz_country|lorenz --level country
attributes_default|attributes
attributes_all_models|attributes --all --unit models
attributes_license_cuts|attributes --field license_class --all --cuts 2022,2024
trends_architecture|trends --field architecture
trends_input_year|trends --field input_modality --window year
trends_org_type|trends --field org_type --window year --sample population
modalities|modalities
modalities_year|modalities --window year
sizes_estimate|sizes estimate
sizes_distribution|sizes distribution
sizes_creation_year|sizes distribution --by creation-year
sizes_download_segment|sizes distribution --by download-segment
sizes_density|sizes distribution --density
derivations|derivations
derivations_year|derivations --window year
orgs|orgs
orgs_last_year|orgs --period last-year --top 5
intermediaries|intermediaries
intermediaries_year|intermediaries --window year --threshold 0.5
changes_developer_hhi|changes --level developer
changes_country_share_recursive|changes --level country --measure share:US --attribution recursive
changes_model_top1_month|changes --level model --measure top1 --window month --min-segment 3
info|info
labels|annotate --labels
agreement|annotate --agreement
export_head|annotate --export-head --head-k 20
'
WRITES='
heuristic|annotate --heuristic
sizes_apply|sizes estimate --apply --no-cache
'
AFTER_QUERIES='
after_info|info
after_agreement|annotate --agreement
after_attributes|attributes --all
after_trends_training|trends --field training_methods --window year
after_sizes_distribution|sizes distribution
after_sizes_estimate|sizes estimate
after_derivations|derivations --window year
'

# Runs one query in one format into $tmp/out/<name>.<fmt> and compares it with the fixture.
check() {
    local name=$1 fmt=$2 args=$3 out
    out=$tmp/out/$name.$fmt
    mkdir -p "$tmp/out"
    # shellcheck disable=SC2086
    if ! "$OMEN" --db s.db --quiet --format "$fmt" $args >"$out" 2>"$out.err"; then
        echo "FAIL $name.$fmt: omen $args exited $? ($(head -c 300 "$out.err"))"
        fail=$((fail + 1))
        return
    fi
    if [ "$fmt" = json ]; then
        sed -E -i 's/"elapsed_s":[-0-9.eE+]+/"elapsed_s":0/g' "$out"
    fi
    if [ "$write" = 1 ]; then
        cp "$out" "$FIX/$name.$fmt"
        pass=$((pass + 1))
    elif [ ! -f "$FIX/$name.$fmt" ]; then
        echo "FAIL $name.$fmt: no fixture $FIX/$name.$fmt (run with --write)"
        fail=$((fail + 1))
    elif cmp -s "$out" "$FIX/$name.$fmt"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name.$fmt: omen $args differs from the fixture:"
        diff "$FIX/$name.$fmt" "$out" | head -n 10
        fail=$((fail + 1))
    fi
}

run_list() {
    local list=$1 fmts=$2 name args fmt
    while IFS='|' read -r name args; do
        [ -n "$name" ] || continue
        for fmt in $fmts; do
            check "$name" "$fmt" "$args"
        done
    done <<<"$list"
}

[ "$write" = 1 ] && rm -f "$FIX"/*.csv "$FIX"/*.json
run_list "$READ_QUERIES" "csv json"
run_list "$WRITES" "csv"
run_list "$AFTER_QUERIES" "csv json"
echo "saved_queries: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
