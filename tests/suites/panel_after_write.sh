#!/usr/bin/env bash
# tests/suites/panel_after_write.sh: the panel cache after a command that writes the store.
#
# Every writing command (ingest, synth, pull, annotate --heuristic, sizes estimate --apply)
# leaves the cache `<store>.panel` current, so that the next command maps it: the cache must
# exist, the next query must use it (it is not rewritten: same inode and seal), its numbers must
# be those of a cold rebuild (`--rebuild-cache`) and of a panel built without any cache
# (`--no-cache`), and the file must be byte for byte the one a cold rebuild writes. A cache that
# cannot be written is a warning: the ingest still succeeds and its rows are in the store.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in
/*) OMEN=$BUILD/omen ;;
*) OMEN=$ROOT/$BUILD/omen ;;
esac
PY=/usr/bin/python3
FIX=$ROOT/tests/fixtures
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
skipped() {
    skip=$((skip + 1))
    echo "  skip $1"
}
finish() {
    echo "panel_after_write: $pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
    exit
}

if [ ! -x "$OMEN" ]; then
    ko "binary $OMEN is missing"
    finish
fi

work=$(mktemp -d /tmp/omen-paw-XXXXXX)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# The numbers a user reads, from the panel as the command finds it (options: --no-cache ...).
numbers() {
    local db=$1
    shift
    "$OMEN" --db "$db" -q --format csv info "$@" | grep -v '^store,'
    "$OMEN" --db "$db" -q --format csv concentration --level developer "$@"
    "$OMEN" --db "$db" -q --format csv concentration --level country --attribution recursive "$@"
    "$OMEN" --db "$db" -q --format csv leaderboard --level model "$@"
}

# Identity of the cache file: inode, size and modification time (its seal). A query that
# rebuilt the cache would have renamed a new file into place.
ident() { stat -c '%i %s %.9Y' "$1.panel" 2>/dev/null; }

# After WHAT wrote DB: the cache is there and current, the next query maps it, its numbers are
# a cold rebuild's and --no-cache's, and the file is the cold rebuild's, byte for byte.
check_after() {
    local db=$1 what=$2 id0 id1 cached cold none
    if [ ! -f "$db.panel" ]; then
        ko "$what: no panel cache was left beside the store"
        return
    fi
    if ls "$db".panel.tmp* >/dev/null 2>&1; then
        ko "$what: a temporary file was left beside the cache" "$(ls -la "$db".panel.tmp*)"
    fi
    id0=$(ident "$db")
    cached=$(numbers "$db")
    id1=$(ident "$db")
    if [ "$id0" != "$id1" ]; then
        ko "$what: the next query rebuilt the cache instead of using it" "$id0 -> $id1"
        return
    fi
    cp "$db.panel" written.panel
    none=$(numbers "$db" --no-cache)
    "$OMEN" --db "$db" -q info --rebuild-cache >/dev/null
    cold=$(numbers "$db")
    if [ "$cached" != "$cold" ] || [ "$cached" != "$none" ]; then
        ko "$what: the numbers from the cache differ from a rebuild's" \
            "$(diff <(echo "$cached") <(echo "$cold") | head; diff <(echo "$cached") <(echo "$none") | head)"
        return
    fi
    if ! cmp -s written.panel "$db.panel"; then
        ko "$what: the cache left by the write is not the cold rebuild's, byte for byte" \
            "$(cmp written.panel "$db.panel")"
        return
    fi
    ok "$what: cache current, used by the next query, numbers and bytes of a cold rebuild"
}

# ---------------------------------------------------------------- synth

if out=$("$OMEN" --db s.db -q synth --scale 0.01 --seed 7 2>&1); then
    check_after s.db "synth --scale 0.01"
else
    ko "synth --scale 0.01" "$out"
fi
if out=$("$OMEN" --db x.db -q synth --scale 0.001 --out csv 2>&1) && [ ! -e x.db.panel ]; then
    ok "synth --out DIR writes no cache (the store is not written)"
else
    ko "synth --out DIR" "$out"
fi

# ---------------------------------------------------------------- ingest

"$OMEN" --db i.db -q ingest models "$FIX/models.csv" &&
    check_after i.db "ingest models (the first write, a new store)"
"$OMEN" --db i.db -q ingest developers "$FIX/developers.csv" &&
    check_after i.db "ingest developers"
"$OMEN" --db i.db -q ingest edges "$FIX/edges.csv" && check_after i.db "ingest edges"
"$OMEN" --db i.db -q ingest downloads --kind weekly "$FIX/downloads_weekly.csv" &&
    check_after i.db "ingest downloads"
"$OMEN" --db i.db -q ingest annotations "$FIX/annotations.csv" &&
    check_after i.db "ingest annotations"
# more rows into the synthetic store: a new week for a few of its models and a new model
first=$(sqlite3 s.db "SELECT name FROM models ORDER BY id LIMIT 3" | paste -sd' ')
{
    echo "model,week,downloads"
    for m in $first; do echo "$m,2030-01-07,12345"; done
    echo "brand/new-model,2030-01-14,99"
} >more.csv
if out=$("$OMEN" --db s.db -q ingest downloads --kind weekly more.csv 2>&1); then
    check_after s.db "ingest downloads into the synthetic store"
else
    ko "ingest downloads into the synthetic store" "$out"
fi
# a second ingest of the same rows: the cache is current already, or rebuilt equal
"$OMEN" --db s.db -q ingest downloads --kind weekly more.csv && check_after s.db "the same rows again"
# a failed ingest writes nothing and leaves the cache as it was
id0=$(ident s.db)
printf 'model,week,downloads\na/b,not-a-week,1\n' >bad.csv
if ! "$OMEN" --db s.db -q ingest downloads bad.csv >/dev/null 2>&1 && [ "$(ident s.db)" = "$id0" ]; then
    ok "a failed ingest leaves the cache as it was"
else
    ko "a failed ingest changed the cache"
fi
out=$("$OMEN" --db i.db -q ingest downloads --kind weekly more.csv 2>&1)
if [ -z "$out" ]; then
    ok "--quiet: the build after an ingest prints nothing"
else
    ko "--quiet: the build after an ingest printed" "$out"
fi

# ---------------------------------------------------------------- curation commands

if "$OMEN" --db s.db -q annotate --heuristic >/dev/null; then
    check_after s.db "annotate --heuristic"
else
    ko "annotate --heuristic"
fi
if "$OMEN" --db s.db -q sizes estimate --apply >/dev/null; then
    check_after s.db "sizes estimate --apply"
else
    ko "sizes estimate --apply"
fi
# --no-cache on a writing command: no cache is built at its end (the old one goes stale)
cp s.db nc.db
"$OMEN" --db nc.db -q info >/dev/null
"$OMEN" --db nc.db -q ingest downloads --kind weekly more.csv >/dev/null
rm -f nc.db.panel
if "$OMEN" --db nc.db -q annotate --heuristic --no-cache >/dev/null && [ ! -e nc.db.panel ]; then
    ok "annotate --heuristic --no-cache builds no cache"
else
    ko "annotate --heuristic --no-cache built a cache"
fi

# ---------------------------------------------------------------- pull

if [ -x "$PY" ] && [ -f "$ROOT/tests/pull/server.py" ]; then
    "$PY" "$ROOT/tests/pull/server.py" --records "$FIX/pull/listing.json" --port-file port \
        --log server.log --page-size 3 &
    server_pid=$!
    for _ in $(seq 100); do
        [ -s port ] && break
        sleep 0.05
    done
    if [ -s port ] && out=$("$OMEN" --db p.db -q pull --base-url "http://127.0.0.1:$(cat port)" \
        --date 2025-01-06 --state-dir pstate 2>&1); then
        check_after p.db "pull"
    else
        ko "pull from the replay server" "$out"
    fi
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
else
    skipped "pull: needs /usr/bin/python3 and tests/pull/server.py"
fi

# ---------------------------------------------------------------- a cache that cannot be written

# A folder where the cache file would go stops the rename for root as well (a read-only folder
# would also stop the store's own journal).
cp i.db w.db
rm -rf w.db.panel
mkdir w.db.panel
before=$(sqlite3 w.db "SELECT count(*) FROM downloads")
printf 'model,week,downloads\nzz/top,2031-03-03,5\n' >one.csv
out=$("$OMEN" --db w.db -q ingest downloads --kind weekly one.csv 2>&1)
rc=$?
after=$(sqlite3 w.db "SELECT count(*) FROM downloads")
if [ "$rc" -eq 0 ] && [ "$after" -eq $((before + 1)) ] && grep -q "warning" <<<"$out" &&
    grep -q "could not be written" <<<"$out"; then
    ok "a cache that cannot be written: the ingest succeeds with a warning"
else
    ko "a cache that cannot be written (rc $rc, rows $before -> $after)" "$out"
fi
if [ -z "$(ls -A w.db.panel)" ] && ! ls w.db.panel.tmp* >/dev/null 2>&1; then
    ok "a cache that cannot be written leaves no temporary file"
else
    ko "a cache that cannot be written left files" "$(ls -la w.db.panel* w.db.panel/)"
fi
rmdir w.db.panel
if [ "$(numbers w.db)" = "$(numbers w.db --no-cache)" ] && [ -f w.db.panel ]; then
    ok "the next command builds the panel and the cache"
else
    ko "the next command after a failed cache write"
fi
if [ "$(id -u)" -ne 0 ]; then
    mkdir ro && cp i.db ro/r.db && rm -f ro/r.db.panel && "$OMEN" --db ro/r.db -q info >/dev/null
    chmod a-w ro
    out=$("$OMEN" --db ro/r.db -q annotate --heuristic 2>&1)
    rc=$?
    chmod u+w ro
    if [ "$rc" -ne 0 ] && grep -q "readonly\|read-only\|unable to open" <<<"$out"; then
        ok "a read-only folder: the write itself fails (SQLite's journal), as before"
    elif [ "$rc" -eq 0 ] && grep -q "warning" <<<"$out"; then
        ok "a read-only folder: the write succeeds with a warning about the cache"
    else
        ko "a read-only folder (rc $rc)" "$out"
    fi
else
    skipped "a read-only folder: running as root, which writes anyway"
fi

finish
