#!/usr/bin/env bash
# tests/suites/permissions.sh: what omen says when the store's folder or file cannot be written
# (issue 17, item 10: SQLite's "attempt to write a readonly database" named neither). Tests run
# as root on CI, and root ignores permission bits, so the folder and the file are made
# immutable with chattr +i, which binds root too; where the file system cannot (tmpfs) and the
# user is not root, chmod does; otherwise the tests are skipped with the reason. Each refused
# write must fail (exit 1, a store error) with the message naming what is wrong, and leave the store's bytes
# as they were. Ends with one "N passed, N failed, N skipped" line.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OMEN=$(pwd)/$BUILD/omen
FX=$(pwd)/tests/fixtures
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "  pass $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/omen-perm.XXXXXX")
lock() { chattr +i "$1" 2>/dev/null && return 0; [ "$(id -u)" != 0 ] && chmod a-w "$1"; }
unlock() { chattr -i "$1" 2>/dev/null; chmod u+w "$1" 2>/dev/null; }
trap 'unlock "$tmp/ro"; unlock "$tmp/rw/s.db"; rm -rf "$tmp"' EXIT

mkdir -p "$tmp/ro" "$tmp/rw"
if ! lock "$tmp/ro"; then
    skip=2
    echo "  skipped 2: neither chattr +i (file system) nor chmod (root ignores it) makes a folder unwritable here"
else
    out=$("$OMEN" --db "$tmp/ro/s.db" ingest downloads "$FX/downloads_weekly.csv" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] && grep -q "cannot write in the store's folder $tmp/ro" <<<"$out" &&
        ! grep -qi "readonly database" <<<"$out" && [ ! -e "$tmp/ro/s.db" ]; then
        ok "an unwritable folder: named as such (exit $rc), no store made"
    else
        bad "unwritable folder (exit $rc)" "$out"
    fi
    unlock "$tmp/ro"
    "$OMEN" --db "$tmp/rw/s.db" -q ingest downloads "$FX/downloads_weekly.csv" >/dev/null 2>&1
    before=$(sha256sum "$tmp/rw/s.db")
    if lock "$tmp/rw/s.db"; then
        out=$("$OMEN" --db "$tmp/rw/s.db" ingest downloads "$FX/downloads_flat.csv" 2>&1)
        rc=$?
        if [ $rc -ne 0 ] && grep -q "the store file is not writable" <<<"$out" &&
            [ "$(sha256sum "$tmp/rw/s.db")" = "$before" ]; then
            ok "an unwritable store file: named as such (exit $rc), its bytes as they were"
        else
            bad "unwritable store file (exit $rc)" "$out"
        fi
        unlock "$tmp/rw/s.db"
    else
        skip=$((skip + 1))
        echo "  skipped 1: the store file cannot be made unwritable here"
    fi
fi
echo "permissions: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
