#!/usr/bin/env bash
# tests/suites/snapshots.sh: folders of weekly Hub listings (`omen ingest snapshot DIR`) and
# Parquet read in blocks. A folder in hfmlsoc/hub_weekly_snapshots' layout
# (models/<date>/models.parquet), written here from the JSON Lines fixtures with libduckdb, must
# give the store that the same listings give one by one; a Parquet file cut into many small blocks
# (OMEN_PARQUET_BLOCK_BYTES) the store that one block gives. Every way a folder can be wrong (a
# name that is not a date, a week without its listing, a file cut short or corrupt inside, an
# unreadable file, --date with a folder) is an error naming the path, with the store byte for
# byte as it was. The flows themselves (stale copies included) are checked against pandas in
# tests/crosscheck/test_snapshots_pandas.py.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
case $BUILD in /*) OMEN=$BUILD/omen ;; *) OMEN=$PWD/$BUILD/omen ;; esac
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

ok() {
    pass=$((pass + 1))
    echo "  pass $1"
}
bad() {
    fail=$((fail + 1))
    echo "  FAIL $1"
    [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2" | head -20
}
dump() {
    sqlite3 "$1" "SELECT model, week, downloads FROM weekly_downloads ORDER BY 1, 2;
        SELECT name, developer, created, license, params, file_bytes, gated, library FROM models ORDER BY 1;
        SELECT c.name, p.name, e.relation FROM edges e JOIN models c ON c.id = e.child
            JOIN models p ON p.id = e.parent ORDER BY 1, 2"
}
# refused NAME WANT_RC PATTERN DIR [extra args]: the folder ingest into a copy of a good store
# must exit WANT_RC with PATTERN in its message and leave the store byte for byte as it was.
refused() {
    local name=$1 want=$2 pattern=$3 dir=$4
    shift 4
    cp "$tmp/good.db" "$tmp/try.db"
    local out rc
    out=$("$OMEN" --db "$tmp/try.db" ingest snapshot "$@" "$dir" 2>&1)
    rc=$?
    if [ $rc -eq "$want" ] && grep -qF -- "$pattern" <<<"$out" && cmp -s "$tmp/good.db" "$tmp/try.db"; then
        ok "$name: exit $want, the path named, the store unchanged"
    else
        bad "$name (exit $rc, want $want, '$pattern')" "$out"
    fi
}

DAYS="2025-01-06 2025-01-13 2025-01-20 2025-02-03"
FX=tests/fixtures/snapshots

# ---- a flat folder of JSON Lines = the same files one by one
mkdir -p "$tmp/flat"
for d in $DAYS; do
    cp "$FX/hub_$d.jsonl" "$tmp/flat/$d.jsonl"
    "$OMEN" --db "$tmp/one.db" -q ingest snapshot --date "$d" "$FX/hub_$d.jsonl"
done
echo "notes about this folder" >"$tmp/flat/README.md"
out=$("$OMEN" --db "$tmp/good.db" ingest snapshot "$tmp/flat" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(dump "$tmp/good.db")" = "$(dump "$tmp/one.db")" ] &&
    grep -q "README.md: not a listing" <<<"$out" &&
    grep -q "no listing for the weeks between 2025-01-20 and 2025-02-03" <<<"$out" &&
    grep -q "4 snapshot dates ingested, 0 already there, 0 stale" <<<"$out"; then
    ok "a flat folder = its files one by one (flows, models, edges); README and the gap reported"
else
    bad "flat folder (exit $rc)" "$out"$'\n'"$(diff <(dump "$tmp/good.db") <(dump "$tmp/one.db"))"
fi
dates=$(sqlite3 "$tmp/good.db" "SELECT group_concat(day, ' ') FROM (SELECT day FROM snapshot_dates ORDER BY day)")
[ "$dates" = "$DAYS" ] && ok "snapshot_dates records the four dates" || bad "snapshot_dates: $dates"

# ---- a new week added to the folder: only it is read
cp "$tmp/good.db" "$tmp/grow.db"
mkdir -p "$tmp/grow"
cp "$tmp"/flat/*.jsonl "$tmp/grow/"
sed 's/"downloadsAllTime":\([0-9]*\)/"downloadsAllTime":\15/' "$FX/hub_2025-02-03.jsonl" >"$tmp/grow/2025-02-10.jsonl"
out=$("$OMEN" --db "$tmp/grow.db" ingest snapshot "$tmp/grow" 2>&1)
if grep -q "1 snapshot dates ingested, 4 already there" <<<"$out" &&
    [ "$(sqlite3 "$tmp/grow.db" "SELECT count(*) FROM weekly_downloads WHERE week = '2025-02-10'")" -gt 0 ]; then
    ok "a folder with one more week: the four known dates skipped, the new one ingested"
else
    bad "growing folder" "$out"
fi

# ---- a decrease of downloadsAllTime: named with its file, clipped (no download lost)
mkdir -p "$tmp/down"
cp "$tmp"/flat/*.jsonl "$tmp/down/"
sed 's/"id":"acme\/base-7b",\(.*\)"downloadsAllTime":[0-9]*/"id":"acme\/base-7b",\1"downloadsAllTime":5/' \
    "$FX/hub_2025-02-03.jsonl" >"$tmp/down/2025-02-03.jsonl"
out=$("$OMEN" --db "$tmp/down.db" ingest snapshot "$tmp/down" 2>&1)
if [ $? -eq 0 ] && grep -q "$tmp/down/2025-02-03.jsonl: downloadsAllTime of acme/base-7b goes down from 2600 to 5 on 2025-02-03: clipped to a flow of 0" <<<"$out"; then
    ok "a decrease is named with its file, model, counts and date, and clipped"
else
    bad "decrease in a folder" "$out"
fi

# ---- labels outside the vocabularies: one count over the folder's weeks
mkdir -p "$tmp/labels"
for d in 2025-01-06 2025-01-13; do
    sed 's/"license:apache-2.0"/"license:weird-1"/' "$FX/hub_$d.jsonl" >"$tmp/labels/$d.jsonl"
done
out=$("$OMEN" --db "$tmp/labels.db" ingest snapshot "$tmp/labels" 2>&1)
if grep -qx "unmapped: license=weird-1: 4" <<<"$out" && [ "$(grep -c '^unmapped:' <<<"$out")" -eq 1 ] &&
    [ "$(grep -c 'metadata values (1 distinct) are outside' <<<"$out")" -eq 1 ]; then
    ok "an unknown license in two weeks of a folder: one line and one note, counted over both (4)"
else
    bad "unmapped labels over a folder" "$out"
fi

# ---- the layout's errors, found before anything is read
mkdir -p "$tmp/notdate/models/2025-01-06" "$tmp/notdate/models/2025-13-06"
cp "$FX/hub_2025-01-06.jsonl" "$tmp/notdate/models/2025-01-06/models.jsonl"
cp "$FX/hub_2025-01-13.jsonl" "$tmp/notdate/models/2025-13-06/models.jsonl"
refused "a dated folder whose name is not a date" 3 "2025-13-06: '2025-13-06' is not a date" "$tmp/notdate"
mkdir -p "$tmp/missing/models/2025-01-06" "$tmp/missing/models/2025-01-13"
cp "$FX/hub_2025-01-06.jsonl" "$tmp/missing/models/2025-01-06/models.jsonl"
refused "a week whose listing is missing" 3 "models/2025-01-13: the week's listing is missing" "$tmp/missing"
mkdir -p "$tmp/dangling"
cp "$FX/hub_2025-01-06.jsonl" "$tmp/dangling/2025-01-06.jsonl"
ln -s "$tmp/nowhere.jsonl" "$tmp/dangling/2025-01-13.jsonl"
refused "an unreadable week (a dangling link)" 1 "2025-01-13.jsonl: cannot read" "$tmp/dangling"
refused "--date with a folder" 2 "is a folder: its snapshots take their dates from their paths" "$tmp/flat" --date 2025-01-06
mkdir -p "$tmp/twice"
cp "$FX/hub_2025-01-06.jsonl" "$tmp/twice/2025-01-06.jsonl"
mkdir -p "$tmp/twice/2025-01-06" && cp "$FX/hub_2025-01-06.jsonl" "$tmp/twice/2025-01-06/models.jsonl"
refused "two listings of one date" 3 "two listings of 2025-01-06" "$tmp/twice"

# ---- Parquet: the hub_weekly_snapshots layout, blocks, files cut short or corrupt
NPQ=8
SQL=$tmp/duckdb_sql
if ! "$OMEN" --version | grep -q '^parquet: libduckdb' || [ ! -f "$DUCKDB_DIR/include/duckdb.h" ] ||
    ! cc -std=c11 -O1 -isystem "$DUCKDB_DIR/include" -o "$SQL" tests/tools/duckdb_sql.c \
        -L"$DUCKDB_DIR/lib" -lduckdb -Wl,-rpath,"$(cd "$DUCKDB_DIR/lib" && pwd)" 2>/dev/null; then
    skip=$((skip + NPQ))
    echo "  skipped $NPQ Parquet folder tests: no libduckdb in this build (scripts/fetch-duckdb --retry, then make)"
else
    for d in $DAYS; do
        mkdir -p "$tmp/hub/models/$d"
        "$SQL" "COPY (SELECT id, author, CAST(coalesce(createdAt, created_at) AS TIMESTAMPTZ) AS createdAt,
                downloads, CAST(coalesce(downloadsAllTime, downloads_all_time) AS BIGINT) AS downloadsAllTime,
                CAST(tags AS VARCHAR[]) AS tags, pipeline_tag, library_name, safetensors,
                CAST(coalesce(usedStorage, used_storage) AS BIGINT) AS usedStorage,
                [{'rfilename': 'config.json'}, {'rfilename': 'model.safetensors'}] AS siblings
                FROM read_json('$FX/hub_$d.jsonl', union_by_name = true,
                     columns = {id: 'VARCHAR', author: 'VARCHAR', createdAt: 'VARCHAR', created_at: 'VARCHAR',
                     downloads: 'BIGINT', downloadsAllTime: 'BIGINT', downloads_all_time: 'BIGINT',
                     tags: 'VARCHAR[]', pipeline_tag: 'VARCHAR', library_name: 'VARCHAR',
                     safetensors: 'STRUCT(parameters MAP(VARCHAR, BIGINT), total BIGINT)',
                     usedStorage: 'BIGINT', used_storage: 'BIGINT'}))
                TO '$tmp/hub/models/$d/models.parquet' (FORMAT parquet)" >/dev/null
    done
    out=$("$OMEN" --db "$tmp/hub.db" ingest snapshot "$tmp/hub" 2>&1)
    rc=$?
    flows() { sqlite3 "$1" "SELECT model, week, downloads FROM weekly_downloads ORDER BY 1, 2"; }
    if [ $rc -eq 0 ] && [ "$(flows "$tmp/hub.db")" = "$(flows "$tmp/one.db")" ]; then
        ok "models/<date>/models.parquet folder = the JSON Lines one by one (flows)"
    else
        bad "hub layout Parquet folder (exit $rc)" "$out"$'\n'"$(diff <(flows "$tmp/hub.db") <(flows "$tmp/one.db"))"
    fi
    "$SQL" "COPY (SELECT 'org' || (i % 37) || '/m' || i AS id, i * 7 AS downloadsAllTime,
            ['license:mit', 'base_model:finetune:org1/m' || (i + 1)] AS tags,
            repeat('x', i % 90) AS description FROM range(5000) t(i))
            TO '$tmp/many.parquet' (FORMAT parquet, ROW_GROUP_SIZE 700)" >/dev/null
    "$OMEN" --db "$tmp/block1.db" -q ingest snapshot --date 2025-03-03 "$tmp/many.parquet"
    OMEN_PARQUET_BLOCK_BYTES=3000 "$OMEN" --db "$tmp/blocks.db" -q ingest snapshot --date 2025-03-03 "$tmp/many.parquet"
    n=$(sqlite3 "$tmp/blocks.db" "SELECT count(*) FROM models WHERE created IS NULL AND name LIKE 'org%'")
    if [ "$(dump "$tmp/blocks.db")" = "$(dump "$tmp/block1.db")" ] && [ "$n" -ge 5000 ]; then
        ok "a Parquet file read in blocks of 3000 bytes = read in one block ($n models, 8 row groups)"
    else
        bad "Parquet blocks differ ($n models)" "$(diff <(dump "$tmp/blocks.db") <(dump "$tmp/block1.db") | head)"
    fi
    mkdir -p "$tmp/short/models/2025-01-06" "$tmp/short/models/2025-01-13"
    cp "$tmp/hub/models/2025-01-06/models.parquet" "$tmp/short/models/2025-01-06/"
    head -c 700 "$tmp/hub/models/2025-01-13/models.parquet" >"$tmp/short/models/2025-01-13/models.parquet"
    refused "a Parquet week cut short" 3 "2025-01-13/models.parquet: a Parquet file cut short" "$tmp/short"
    # corrupt inside: the same size and both magics, the data pages overwritten
    mkdir -p "$tmp/corrupt/models/2025-01-06" "$tmp/corrupt/models/2025-01-13"
    cp "$tmp/hub/models/2025-01-06/models.parquet" "$tmp/corrupt/models/2025-01-06/"
    f=$tmp/corrupt/models/2025-01-13/models.parquet
    cp "$tmp/hub/models/2025-01-13/models.parquet" "$f"
    size=$(stat -c %s "$f")
    head -c $((size / 2)) /dev/zero | tr '\0' 'g' | dd of="$f" bs=1 seek=4 conv=notrunc status=none
    refused "a Parquet week corrupt inside (after an earlier good week)" 3 "2025-01-13/models.parquet: cannot read as Parquet" "$tmp/corrupt"
    # a Parquet file corrupt in its second row group (rows 2049-4096): the error names it
    # (DuckDB decodes ahead, so omen reads the groups again alone on this error path)
    "$SQL" "COPY (SELECT 'org' || (i % 37) || '/m' || i AS id, i * 7 AS downloadsAllTime,
            repeat('x', i % 90) AS description FROM range(5000) t(i))
            TO '$tmp/groups.parquet' (FORMAT parquet, ROW_GROUP_SIZE 2048)" >/dev/null
    gsize=$(stat -c %s "$tmp/groups.parquet")
    off=$("$SQL" "SELECT min(data_page_offset) FROM parquet_metadata('$tmp/groups.parquet')
                  WHERE row_group_id = 1 AND path_in_schema = 'downloadsAllTime'")
    printf 'GARBAGEGARBAGEGARBAGEGARBAGE' | dd of="$tmp/groups.parquet" bs=1 seek=$((off + 8)) conv=notrunc status=none
    cp "$tmp/good.db" "$tmp/try.db"
    out=$("$OMEN" --db "$tmp/try.db" ingest snapshot --date 2025-03-03 "$tmp/groups.parquet" 2>&1)
    rc=$?
    if [ $rc -eq 3 ] && grep -q "groups.parquet: cannot read as Parquet in row group 1 (rows 2049-4096)" <<<"$out" &&
        cmp -s "$tmp/good.db" "$tmp/try.db" && [ "$(stat -c %s "$tmp/groups.parquet")" = "$gsize" ]; then
        ok "a Parquet file corrupt in its second row group: exit 3, row group 1 (rows 2049-4096) named, store unchanged"
    else
        bad "corrupt row group (exit $rc)" "$out"
    fi
    # a NUL inside a Parquet string of a later block: refused like a NUL in any text input
    "$SQL" "COPY (SELECT 'org' || (i % 37) || '/m' || i || CASE WHEN i = 4000 THEN chr(0) || 'x' ELSE '' END
            AS id, i * 7 AS downloadsAllTime FROM range(5000) t(i))
            TO '$tmp/nul.parquet' (FORMAT parquet, ROW_GROUP_SIZE 700)" >/dev/null
    cp "$tmp/good.db" "$tmp/try.db"
    out=$(OMEN_PARQUET_BLOCK_BYTES=3000 "$OMEN" --db "$tmp/try.db" ingest snapshot --date 2025-03-03 "$tmp/nul.parquet" 2>&1)
    rc=$?
    if [ $rc -eq 3 ] && grep -q "nul.parquet:row 4001: a text value holds byte 0x00, a NUL" <<<"$out" &&
        cmp -s "$tmp/good.db" "$tmp/try.db"; then
        ok "a NUL in a Parquet string after the first block: exit 3, its row named, store unchanged"
    else
        bad "NUL in a later Parquet block (exit $rc)" "$out"
    fi
    # A folder run reads a row whose text (apart from its counts) is one an earlier week read
    # cleanly for its counts only. Four weeks in hub-stats' schema where some rows change and
    # most do not: tags added, a license that alternates, a base model and relation that change,
    # a label kept as given every week, a model missing for a week, new models, a repeat of an
    # unchanged row (the same, and with another value), a decrease. The folder must give the
    # store, the rejects and the unmapped counts that the weeks give one by one.
    for w in 0 1 2 3; do
        d=$(date -u -d "2025-01-06 + $((7 * w)) days" +%F)
        mkdir -p "$tmp/chg/models/$d"
        "$SQL" "COPY (SELECT 'org' || (i % 9) || '/m' || i AS id,
                CASE WHEN i % 29 = 0 THEN NULL ELSE 'org' || (i % 9) END AS author,
                TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i) DAY AS createdAt,
                CAST(i * 10 + $w * (i % 5) + CASE WHEN i % 31 = 0 AND $w = 2 THEN 3 ELSE 0 END AS BIGINT) AS downloadsAllTime,
                CAST(i + $w AS BIGINT) AS downloads,
                list_concat(['license:' || CASE WHEN i % 11 = 0 AND $w % 2 = 1 THEN 'mit' ELSE 'apache-2.0' END],
                    CASE WHEN i % 7 = 0 AND $w >= 2 THEN ['new-tag'] ELSE [] END,
                    CASE WHEN i % 4 = 0 THEN ['base_model:finetune:org1/m' || (i + 1 + CASE WHEN i % 13 = 0 AND $w = 3 THEN 2 ELSE 0 END)] ELSE [] END) AS tags,
                CASE WHEN i = 6 AND $w = 3 AND dup = 1 THEN 'text-classification' ELSE 'text-generation' END AS pipeline_tag,
                'transformers' AS library_name,
                CASE WHEN i % 17 = 0 THEN 'weird-value' ELSE 'false' END AS gated,
                {'parameters': {'BF16': i * 1000}, 'total': i * 1000 + CASE WHEN i % 3 = 0 THEN 0 ELSE 7 END} AS safetensors,
                CAST(i * 100 AS BIGINT) AS usedStorage,
                '{\"license\": \"' || CASE WHEN i % 11 = 0 AND $w % 2 = 1 THEN 'mit' ELSE 'apache-2.0' END || '\", \"language\": [\"en\", \"fr\"]}' AS cardData,
                CASE WHEN i % 4 = 0 THEN {'relation': CASE WHEN i % 13 = 0 AND $w = 3 THEN 'merge' ELSE 'finetune' END,
                    'models': [{'_id': 'x', 'id': 'org1/m' || (i + 1 + CASE WHEN i % 13 = 0 AND $w = 3 THEN 2 ELSE 0 END)}]} END AS baseModels
                FROM (SELECT i, 0 AS dup FROM range(CASE WHEN $w >= 2 THEN 200 ELSE 150 END) t(i)
                      UNION ALL SELECT i, 1 AS dup FROM range(5, 7) t(i) WHERE $w = 3) s
                WHERE NOT (i % 19 = 0 AND $w = 1) ORDER BY i, dup)
                TO '$tmp/chg/models/$d/models.parquet' (FORMAT parquet)" >/dev/null
        "$OMEN" --db "$tmp/chg-one.db" ingest snapshot --skip-bad --date "$d" "$tmp/chg/models/$d/models.parquet" >>"$tmp/chg-one.out" 2>&1
    done
    full() {
        dump "$1"
        sqlite3 "$1" "SELECT name, pipeline_tag, languages, tags, params_source FROM models ORDER BY 1;
            SELECT c.name, e.position FROM edges e JOIN models c ON c.id = e.child ORDER BY 1, 2;
            SELECT name, country, org_type FROM developers ORDER BY 1;
            SELECT rows_read, rows_rejected, unmapped, rejects FROM ingests WHERE file LIKE '%chg%' ORDER BY id"
    }
    out=$("$OMEN" --db "$tmp/chg.db" ingest snapshot --skip-bad "$tmp/chg" 2>&1)
    rc=$?
    unmapped_one=$(grep -o 'gated=weird-value: [0-9]*' "$tmp/chg-one.out" | awk '{ s += $2 } END { print s }')
    unchanged=$(grep -o '^[0-9]* of [0-9]* listing rows were, apart from their counts' <<<"$out" | cut -d' ' -f1)
    if [ $rc -eq 0 ] && [ "$(full "$tmp/chg.db")" = "$(full "$tmp/chg-one.db")" ] &&
        grep -q "unmapped: gated=weird-value: $unmapped_one\$" <<<"$out" && [ "$unmapped_one" -gt 0 ] &&
        grep -q "ingested 694 rows (1 rejected)" <<<"$out" &&
        grep -q "described twice with different values" <(sqlite3 "$tmp/chg.db" "SELECT rejects FROM ingests") &&
        [ "${unchanged:-0}" -gt 300 ]; then
        ok "a folder whose rows mostly repeat: $unchanged of 694 rows read for their counts only, the store, rejects and unmapped counts ($unmapped_one) as the weeks one by one"
    else
        bad "folder with unchanged rows (exit $rc, $unchanged unchanged)" "$out"$'\n'"$(diff <(full "$tmp/chg.db") <(full "$tmp/chg-one.db") | head)"
    fi
    # a single truncated Parquet file: bad input, not an I/O error
    head -c 900 "$tmp/many.parquet" >"$tmp/cut.parquet"
    cp "$tmp/good.db" "$tmp/try.db"
    out=$("$OMEN" --db "$tmp/try.db" ingest snapshot --date 2025-03-03 "$tmp/cut.parquet" 2>&1)
    rc=$?
    if [ $rc -eq 3 ] && grep -q "cut.parquet: cannot read as Parquet" <<<"$out" && ! grep -q "LINE 1" <<<"$out" &&
        cmp -s "$tmp/good.db" "$tmp/try.db"; then
        ok "a truncated Parquet file: exit 3, the file named, DuckDB's SQL not echoed, store unchanged"
    else
        bad "truncated Parquet file (exit $rc)" "$out"
    fi
fi

echo "snapshots: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
