#!/usr/bin/env bash
# tests/cli/saved_queries.sh BIN OUTDIR: writes the outputs of a fixed list of queries (every
# analysis as CSV and JSON, `omen info` in every format, /api/meta, every --help text, the
# report's summary.md) on `omen synth --scale 0.02`, one file each, so that two builds can be
# compared with `diff -r` (issue 15: a consolidation must not change numbers or formats).
# elapsed_s (a timing) and the store version (it hashes the file's inode and mtime) are blanked; everything else is kept as written.
set -u
BIN=$(realpath "$1")
OUT=$2
mkdir -p "$OUT"
work=$(mktemp -d /tmp/omen-saved-XXXXXX)
trap 'kill "$srv" 2>/dev/null; rm -rf "$work"' EXIT
srv=
db=$work/s.db
"$BIN" --quiet --db "$db" synth --scale 0.02 >/dev/null 2>&1
norm() { sed -E "s|$work|WORK|g; s/\"elapsed_s\":( ?)[-0-9.e+]+/\"elapsed_s\":\10/; s/^# elapsed_s: .*/# elapsed_s: 0/"; }
run() { # name, then the arguments
    local name=$1
    shift
    "$BIN" --quiet --db "$db" "$@" >"$work/o" 2>"$work/e"
    echo "rc=$?" >"$OUT/$name.rc"
    norm <"$work/o" >"$OUT/$name.out"
    sed "s|$work|WORK|g" "$work/e" >"$OUT/$name.err"
}
analyses="concentration shares leaderboard map lorenz attributes trends orgs modalities
          derivations intermediaries"
for a in $analyses; do
    for f in csv json; do run "$a.$f" --format "$f" "$a"; done
    run "$a.help" "$a" --help
done
for f in csv json; do
    run "sizes_distribution.$f" --format "$f" sizes distribution
    run "sizes_estimate.$f" --format "$f" sizes estimate
done
for f in table csv json; do run "info.$f" --format "$f" info; done
for c in info ingest pull synth annotate sizes serve report; do run "$c.help" "$c" --help; done
run "sizes_distribution.help" sizes distribution --help
run "sizes_estimate.help" sizes estimate --help
run "main.help" --help
run "concentration.level_country_year.csv" --format csv concentration --level country --window year
run "trends.field_gating.csv" --format csv trends --field gating
run "attributes.all.csv" --format csv attributes --all --unit models
# /api/meta from `omen serve` on a free port
"$BIN" --db "$db" serve --port 0 --web "$work" >"$work/serve.out" 2>&1 &
srv=$!
for _ in $(seq 100); do
    url=$(grep -oE 'http://127.0.0.1:[0-9]+' "$work/serve.out" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.1
done
curl -s "$url/api/meta" | sed -E 's/"g[0-9]+-[0-9a-f]+"/"STORE_VERSION"/' >"$OUT/api_meta.json"
curl -s "$url/api/concentration?level=country&window=year" | norm >"$OUT/api_concentration.json"
curl -s "$url/api/concentration?alpha=0.5" | norm >"$OUT/api_concentration_alpha.json"
curl -s "$url/api/nothing" >"$OUT/api_404.json"
curl -s "$url/api/shares?bogus=1" >"$OUT/api_unknown_param.json"
kill "$srv"
wait "$srv" 2>/dev/null
srv=
"$BIN" --quiet --db "$db" report --out "$work/rep" --web /nonexistent >/dev/null 2>&1
sed -E "s|$work|WORK|g; s/version g[0-9]+-[0-9a-f]+/version STORE_VERSION/" "$work/rep/summary.md" >"$OUT/report_summary.md"
(cd "$work/rep/csv" && ls) >"$OUT/report_csv_list.txt"
