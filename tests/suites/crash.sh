#!/usr/bin/env bash
# tests/suites/crash.sh: crash safety of the store and distrust of the panel cache.
#
# An ingest of a large file is SIGKILLed at several moments (while parsing, while writing the
# transaction, and during the commit itself, when the store file is already being rewritten);
# after each kill the store must pass `PRAGMA integrity_check`, hold exactly the data it held
# before, and `omen info` must work straight away. Then a panel cache that is truncated,
# corrupted, copied from another store or stale must be rebuilt, never trusted: `omen info`
# must print what `omen info --no-cache` prints, and the rebuilt cache must be the good one.
# CRASH_ROWS sets the size of the large files (default 2,500,000 rows).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in
/*) OMEN=$BUILD/omen ;;
*) OMEN=$ROOT/$BUILD/omen ;;
esac
PY=/usr/bin/python3
ROWS=${CRASH_ROWS:-2500000}
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
    echo "crash: $pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
    exit
}

if [ ! -x "$OMEN" ]; then
    ko "binary $OMEN is missing"
    finish
fi
for tool in sqlite3 awk sha256sum; do
    if ! command -v $tool >/dev/null; then
        ko "needs $tool"
        finish
    fi
done

work=$(mktemp -d /tmp/omen-crash-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# A long CSV of weekly downloads: MODELS models x 50 consecutive weeks from week FIRST
# (counted from 2020-01-06), counts that depend on SEED.
gen() {
    local out=$1 models=$2 first=$3 seed=$4 dates
    dates=$(for i in $(seq "$first" $((first + 49))); do
        date -u -d "2020-01-06 + $((i * 7)) days" +%F
    done | paste -sd' ')
    awk -v dates="$dates" -v n="$models" -v seed="$seed" 'BEGIN {
        split(dates, d, " "); print "model,week,downloads"
        for (m = 0; m < n; m++)
            for (w = 1; w <= 50; w++)
                printf "org%d/model-%d,%s,%d\n", m % 997, m, d[w], (m * 7919 + w * 104729 + seed * 31) % 100000
    }' >"$out"
}

# Everything a store holds, as one line: row counts, the total, and a hash of every table.
state() {
    local db=$1
    {
        sqlite3 "$db" "SELECT count(*), sum(downloads) FROM downloads"
        for t in meta models developers edges annotations downloads snapshots; do
            sqlite3 "$db" "SELECT * FROM $t ORDER BY 1, 2"
        done | sha256sum
    } | paste -sd' '
}

# Runs `omen info` and `omen info --no-cache`; both must work and agree.
info_agrees() {
    local db=$1 what=$2 a b
    if ! a=$("$OMEN" --db "$db" info 2>&1); then
        ko "$what: omen info failed" "$a"
        return 1
    fi
    b=$("$OMEN" --db "$db" info --no-cache 2>&1)
    if [ "$a" != "$b" ]; then
        ko "$what: omen info differs from omen info --no-cache" "$(diff <(echo "$a") <(echo "$b"))"
        return 1
    fi
    return 0
}

# ---------------------------------------------------------------- crash safety of the store

models=$((ROWS / 50))
gen big1.csv "$models" 0 1
gen big2.csv "$models" 20 2
echo "  (two files of $((models * 50)) rows, $(du -m big1.csv | cut -f1) MB each)"

if out=$("$OMEN" --db omen.db -q ingest downloads --kind weekly big1.csv 2>&1); then
    ok "the first large ingest"
else
    ko "the first large ingest" "$out"
    finish
fi
before=$(state omen.db)
cp omen.db backup.db

# Starts the second ingest on DB and kills it with SIGKILL (a Python helper, to watch the files
# closely): `after S` S seconds after the start, `journal S` S seconds after the write
# transaction began (the rollback journal appeared), `commit` as soon as the store file itself
# changes; `measure` lets it run and prints when the journal appeared and when it ended.
# Prints the phase it was killed in (parsing, writing, commit) or `ended RC`.
cat >killer.py <<'EOF'
import os, signal, subprocess, sys, time
omen, db, mode = sys.argv[1], sys.argv[2], sys.argv[3]
arg = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
journal = db + "-journal"
st0 = os.stat(db)
t0 = time.monotonic()
p = subprocess.Popen([omen, "--db", db, "-q", "ingest", "downloads", "--kind", "weekly",
                      "big2.csv"])
seen = gone = None
def changed():
    s = os.stat(db)
    return s.st_mtime_ns != st0.st_mtime_ns or s.st_size != st0.st_size
while p.poll() is None:
    now = time.monotonic() - t0
    if seen is None and os.path.exists(journal):
        seen = now
    elif seen is not None and gone is None and not os.path.exists(journal):
        gone = now  # committed: what follows is the panel cache's build (not a store write)
    fire = (mode == "after" and now >= arg) or \
           (mode == "journal" and seen is not None and now >= seen + arg) or \
           (mode == "commit" and changed())
    if fire:
        phase = "commit" if changed() else "writing" if os.path.exists(journal) else "parsing"
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        # The store changed and no journal is left: the commit was complete before the kill
        # landed (the process was exiting: under ASan its leak check takes a while), so the
        # ingest won the race, as when it ended.
        if p.returncode == -signal.SIGKILL and changed() and not os.path.exists(journal):
            print("ended after its commit")
        else:
            print(phase if p.returncode == -signal.SIGKILL else f"ended {p.returncode}")
        sys.exit(0)
    time.sleep(0.0005 if mode == "commit" else 0.005)
end = time.monotonic() - t0
if mode == "measure":
    print(f"{seen if seen is not None else end:.3f} {gone if gone is not None else end:.3f}")
else:
    print(f"ended {p.returncode}")
EOF

# When the write transaction of a second ingest begins and ends (its commit), on a copy; the
# ingest then builds the panel cache, which writes nothing to the store.
cp omen.db timing.db
read -r TJ T < <($PY killer.py "$OMEN" timing.db measure)
after_full=$(state timing.db)
rm -f timing.db timing.db-journal
TW=$(awk -v a="$TJ" -v b="$T" 'BEGIN { printf "%.3f", b - a }')
echo "  (a second ingest commits after ${T}s, of which ${TW}s in its write transaction)"

# Checks the store after a kill: info works first (it may meet a hot journal), then the file
# is intact and holds exactly what it held before the killed ingest.
check_after_kill() {
    local what=$1 now integ
    info_agrees omen.db "$what" || return
    integ=$(sqlite3 omen.db "PRAGMA integrity_check" 2>&1)
    if [ "$integ" != "ok" ]; then
        ko "$what: integrity_check" "$integ"
        return
    fi
    now=$(state omen.db)
    if [ "$now" != "$before" ]; then
        ko "$what: the store changed" "before: $before"$'\n'"after:  $now"
        return
    fi
    ok "$what: store intact, data as before, info works"
}

# Back to the state before, when an ingest finished before it could be killed.
restore() {
    cp backup.db omen.db
    rm -f omen.db-journal omen.db.panel
}

# Kills with MODE and ARG; when the ingest wins the race (a loaded machine; or the kill landed
# after the commit, while the process was exiting), restores the store and tries again with
# half the delay, twice, before counting a skip.
kill_and_check() {
    local mode=$1 arg=$2 label=$3 try phase
    for try in 1 2 3; do
        phase=$($PY killer.py "$OMEN" omen.db "$mode" "$arg")
        case $phase in
        ended*)
            restore
            arg=$(awk -v a="$arg" 'BEGIN { printf "%.3f", a / 2 }')
            ;;
        *)
            check_after_kill "SIGKILL $label ($phase)"
            return
            ;;
        esac
    done
    skip=$((skip + 1))
    echo "  skip SIGKILL $label: the ingest ended first every time"
}

kill_and_check after "$(awk -v t="$TJ" 'BEGIN { printf "%.3f", t * 0.3 }')" "while parsing"
for f in 0.05 0.35 0.65 0.9; do
    d=$(awk -v t="$TW" -v f="$f" 'BEGIN { printf "%.3f", t * f }')
    kill_and_check journal "$d" "${d}s into the write transaction"
done
# Killed during the commit: the moment the store file itself starts to change. Then the file
# is half rewritten and only the hot journal can bring it back.
for i in 1 2; do
    kill_and_check commit 0 "during the commit #$i"
done

# After all that, the store still takes the ingest and ends where an uninterrupted one does.
if out=$("$OMEN" --db omen.db -q ingest downloads --kind weekly big2.csv 2>&1) &&
    [ "$(state omen.db)" = "$after_full" ]; then
    ok "the interrupted ingest, run again to the end, gives the uninterrupted result"
else
    ko "the ingest after the kills" "$out"
fi
info_agrees omen.db "info after the completed ingest" && ok "info after the completed ingest"
rm -f omen.db* backup.db big1.csv big2.csv killer.py

# ---------------------------------------------------------------- the panel cache

gen c1.csv 4000 0 3
gen c2.csv 4000 10 4
gen o1.csv 500 5 5
"$OMEN" --db c.db -q ingest downloads --kind weekly c1.csv
"$OMEN" --db other.db -q ingest downloads --kind weekly o1.csv
info_agrees c.db "first info (cache written)" && ok "first info writes a cache that agrees"
cp -p c.db.panel good.panel # -p: keeps the seal (the modification time omen gave it)
info_agrees c.db "info from the cache" && cmp -s c.db.panel good.panel &&
    ok "a current cache is used and left as it is"

# Puts `bad` in place of the cache, then info must agree with --no-cache and the cache must
# be rewritten to the good one.
expect_rebuilt() {
    local what=$1
    info_agrees c.db "$what" || return
    if ! cmp -s c.db.panel good.panel; then
        ko "$what: the cache was not rebuilt"
        return
    fi
    ok "$what: rebuilt, not trusted"
}

size=$(stat -c %s good.panel)
for cut in $((size / 2)) $((size - 1)) 100 0; do
    head -c "$cut" good.panel >c.db.panel
    expect_rebuilt "cache truncated to $cut bytes"
done
for at in $((size / 2)) $((size * 3 / 4)) $((size - 8)) 200; do
    cp good.panel c.db.panel
    $PY -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(4); f.seek(int(sys.argv[2]))
f.write(bytes(x ^ 0xA5 for x in b)); f.close()' c.db.panel "$at"
    expect_rebuilt "cache with 4 bytes flipped at $at"
done
dd if=/dev/urandom of=c.db.panel bs=1k count=64 status=none
expect_rebuilt "cache replaced by random bytes"
"$OMEN" --db other.db info >/dev/null
cp other.db.panel c.db.panel
expect_rebuilt "cache copied from another store"

# Changed with the seal kept (a disk error, a copy that keeps times): found all the same.
for at in $((size / 2)) $((size - 8)); do
    cp -p good.panel c.db.panel
    $PY -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(4); f.seek(int(sys.argv[2]))
f.write(bytes(x ^ 0xA5 for x in b)); f.close()' c.db.panel "$at"
    touch -r good.panel c.db.panel
    expect_rebuilt "cache with 4 bytes flipped at $at, its time kept (touch -r)"
done
# A FIFO in place of the cache: refused at once with a message, not a hang, and left there.
rm -f c.db.panel && mkfifo c.db.panel
out=$(timeout 20 "$OMEN" --db c.db info 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && printf '%s' "$out" | grep -q "a FIFO" && [ -p c.db.panel ]; then
    ok "a FIFO in place of the cache is refused at once"
else
    ko "a FIFO in place of the cache (exit $rc)" "$out"
fi
rm -f c.db.panel && cp -p good.panel c.db.panel
# The temporary file of a killed cache write (its process gone) is removed by the next command.
sh -c 'exit 0' & dead=$!
wait "$dead"
printf 'half' >"c.db.panel.tmp.$dead"
"$OMEN" --db c.db info >/dev/null 2>&1
if [ ! -e "c.db.panel.tmp.$dead" ]; then
    ok "a killed cache write's temporary file is removed"
else
    ko "a killed cache write's temporary file is left behind"
fi

# Stale: the store changed after the cache was written (through omen, and behind its back).
"$OMEN" --db c.db -q ingest downloads --kind weekly c2.csv
cp good.panel c.db.panel
if info_agrees c.db "stale cache after an ingest" && ! cmp -s c.db.panel good.panel; then
    ok "stale cache after an ingest: rebuilt, not trusted"
fi
cp c.db.panel good.panel
sqlite3 c.db "UPDATE downloads SET downloads = downloads + 1 WHERE model = 1"
if info_agrees c.db "stale cache after an outside UPDATE" && ! cmp -s c.db.panel good.panel; then
    ok "stale cache after an UPDATE behind omen's back: rebuilt, not trusted"
fi
finish
