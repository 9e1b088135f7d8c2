#!/usr/bin/env bash
# bench/events.sh: `omen ingest events` on a generated raw log of OMEN_BENCH_EVENTS events
# (default 100 million, about 4.6 GB of CSV) with --memory 512M: events per second and peak
# RSS, against DuckDB (sql/events_to_weekly.sql's stage through @duckdb/node-api, same memory
# limit) on the same log and pandas on its first OMEN_BENCH_EVENTS_PANDAS events (default 10
# million; pandas holds the log in memory). The weekly tables must be equal: omen's against
# DuckDB's on the whole log, and against pandas' on the prefix; a difference fails the bench.
#
# Sourced by bench/run (adds summary rows with `row`), or run alone:
#   BUILD=build OMEN_BENCH_DIR=/tmp/ev bench/events.sh
set -euo pipefail
if [ -z "${HERE:-}" ]; then # run alone
    HERE=$(cd "$(dirname "$0")" && pwd)
    BUILD=${BUILD:-build}
    PYTHON=${PYTHON:-/usr/bin/python3}
    DATA=${OMEN_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/omen-bench.XXXXXX")}
    mkdir -p "$DATA"
    SUMMARY=()
    row() { SUMMARY+=("$1|$2|$3|$4"); }
    EVENTS_ALONE=1
fi
NODE=${NODE:-node}
OMEN=${OMEN:-$BUILD/omen}
N=${OMEN_BENCH_EVENTS:-100000000}
NP=${OMEN_BENCH_EVENTS_PANDAS:-10000000}
[ "$NP" -gt "$N" ] && NP=$N
EV=$DATA/events
mkdir -p "$EV"
echo "== events: omen ingest events --memory 512M on $N generated events vs DuckDB and pandas =="
echo "machine: nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -s "$EV/log_$N.csv" ]; then
    "$BUILD/bench/events_gen" "$N" 1 >"$EV/log_$N.csv"
fi
head -n $((NP + 1)) "$EV/log_$N.csv" >"$EV/prefix.csv"
bytes=$(stat -c %s "$EV/log_$N.csv")
echo "log: $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }')"

# export_weekly DB OUT: the store's weekly table as model,week,downloads, sorted.
export_weekly() {
    sqlite3 -csv -header "$1" \
        "SELECT model, week, downloads FROM weekly_downloads ORDER BY model, week" >"$2"
}
rm -f "$EV/omen.db" "$EV/prefix.db"
/usr/bin/time -f "%e %M" -o "$EV/time.txt" \
    "$OMEN" --quiet --db "$EV/omen.db" ingest events --memory 512M --tmp "$EV" "$EV/log_$N.csv"
read -r omen_s omen_kb <"$EV/time.txt"
export_weekly "$EV/omen.db" "$EV/omen.csv"
"$OMEN" --quiet --db "$EV/prefix.db" ingest events --memory 512M --tmp "$EV" "$EV/prefix.csv"
export_weekly "$EV/prefix.db" "$EV/omen_prefix.csv"
# DuckDB with omen's budget first; if it runs out of memory there, with 4 GB (and say so).
duck_mem=512MB
if ! /usr/bin/time -f "%e %M" -o "$EV/time_duck.txt" \
    "$NODE" "$HERE/events_duckdb.mjs" "$EV/log_$N.csv" "$EV/duckdb.csv" "$duck_mem" "$EV/duckdb_tmp" \
    >"$EV/duck.txt" 2>"$EV/duck_err.txt"; then
    echo "DuckDB failed at memory_limit $duck_mem: $(grep -m1 -o 'Out of Memory[^(]*' "$EV/duck_err.txt" || head -c 200 "$EV/duck_err.txt"); again with 4GB"
    duck_mem=4GB
    /usr/bin/time -f "%e %M" -o "$EV/time_duck.txt" \
        "$NODE" "$HERE/events_duckdb.mjs" "$EV/log_$N.csv" "$EV/duckdb.csv" "$duck_mem" "$EV/duckdb_tmp" >"$EV/duck.txt"
fi
read -r _ duck_kb <"$EV/time_duck.txt"
duck_s=$(awk '$1 == "duckdb_events_s" { print $2 }' "$EV/duck.txt")
/usr/bin/time -f "%e %M" -o "$EV/time_pandas.txt" \
    "$PYTHON" "$HERE/events_pandas.py" "$EV/prefix.csv" "$EV/pandas.csv" >"$EV/pandas.txt"
read -r _ pandas_kb <"$EV/time_pandas.txt"
pandas_s=$(awk '$1 == "pandas_events_s" { print $2 }' "$EV/pandas.txt")
if ! cmp -s "$EV/omen.csv" "$EV/duckdb.csv"; then
    echo "bench/events.sh: omen's weekly table differs from DuckDB's (files in $EV)" >&2
    exit 1
fi
if ! cmp -s "$EV/omen_prefix.csv" "$EV/pandas.csv"; then
    echo "bench/events.sh: omen's weekly table differs from pandas' (files in $EV)" >&2
    exit 1
fi
echo "weekly tables: omen = DuckDB ($(($(wc -l <"$EV/omen.csv") - 1)) rows), omen = pandas on the prefix"
meps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.3g", n / s / 1e6 }'; }
printf 'omen:   %s s, %s M events/s, peak RSS %.0f MB (--memory 512M)\n' "$omen_s" \
    "$(meps "$N" "$omen_s")" "$(awk -v k="$omen_kb" 'BEGIN { print k / 1024 }')"
printf 'DuckDB: %s s, %s M events/s, peak RSS %.0f MB (memory_limit %s)\n' "$duck_s" \
    "$(meps "$N" "$duck_s")" "$(awk -v k="$duck_kb" 'BEGIN { print k / 1024 }')" "$duck_mem"
printf 'pandas: %s s on %s events, %s M events/s, peak RSS %.0f MB\n' "$pandas_s" "$NP" \
    "$(meps "$NP" "$pandas_s")" "$(awk -v k="$pandas_kb" 'BEGIN { print k / 1024 }')"
row "events dedup: omen vs DuckDB" "$(meps "$N" "$omen_s")" "$(meps "$N" "$duck_s")" "Mev/s"
row "events dedup: omen vs pandas" "$(meps "$N" "$omen_s")" "$(meps "$NP" "$pandas_s")" "Mev/s"
echo
if [ -n "${EVENTS_ALONE:-}" ]; then
    for r in "${SUMMARY[@]}"; do
        IFS='|' read -r name o p unit <<<"$r"
        awk -v n="$name" -v o="$o" -v p="$p" -v u="$unit" \
            'BEGIN { printf "%-32s %8s %s %8s %s %6.1fx\n", n, o, u, p, u, o / p }'
    done
fi
