#!/usr/bin/env bash
# tests/suites/parquet.sh: Parquet input through libduckdb. The fixtures are written here, by a
# tiny C program linked to the same libduckdb (tests/tools/duckdb_sql.c): the released dataset's
# layout (lists, DATE and DOUBLE columns) and the hub-stats models.parquet layout (tags list,
# safetensors struct, TIMESTAMPTZ). The same data as CSV / JSON Lines must give the same store
# and the same concentration and leaderboard numbers. omen dlopen()s libduckdb only when it reads
# Parquet, so the binary must not list it (or libstdc++) as NEEDED: that cost every start-up.
# Without libduckdb in the build, it checks that a Parquet file is refused with exit 1 and a
# message saying how to get it, and skips the rest with a message.
# The other libraries omen dlopen()s are checked here too, in every build: libcurl (omen pull),
# libpq (ingest --pg) and libmicrohttpd (omen serve) must not be NEEDED, and with them made
# unloadable (or symbol-less) in a private mount namespace their command must exit 1 naming the
# library while omen --help still runs (skipped where unshare cannot make the namespace).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
case $BUILD in /*) OMEN=$BUILD/omen ;; *) OMEN=$PWD/$BUILD/omen ;; esac
PY=/usr/bin/python3
DUCKDB_DIR=${DUCKDB_DIR:-third_party/duckdb}
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
    pass=$((pass + 1))
    echo "  pass $1"
}
bad() {
    fail=$((fail + 1))
    echo "  FAIL $1"
    [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2" | head -20
}
# same NAME CMD1 CMD2: both commands' stdout must be equal (and non-empty).
same() {
    local a b
    a=$(bash -c "$2" 2>&1)
    b=$(bash -c "$3" 2>&1)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "$1"; else bad "$1" "$(diff <(echo "$a") <(echo "$b"))"; fi
}

# ---- libcurl, libpq and libmicrohttpd are loaded by the commands that use them, not at start-up
# (linked, they and 30 libraries behind them made `omen --help` take 29 ms instead of 14 ms)
if ! command -v readelf >/dev/null; then
    skip=$((skip + 1))
    echo "  skipped the NEEDED check of libcurl, libpq, libmicrohttpd: no readelf (binutils)"
elif needed=$(readelf -d "$OMEN" | grep NEEDED) &&
    ! grep -qE 'libcurl|libpq|libmicrohttpd|libgnutls|libnettle|libgssapi|libldap' <<<"$needed"; then
    ok "omen does not link libcurl, libpq or libmicrohttpd (NEEDED; each is dlopen()ed by its command)"
else
    bad "omen lists libcurl, libpq, libmicrohttpd or their dependencies as NEEDED" "$needed"
fi

# hidden WITH CMD...: runs CMD in a private mount namespace where every file the dlopen names of
# the three libraries resolve to (ldconfig's cache) is WITH instead: /dev/null cannot be loaded,
# libz loads but has none of their functions.
hidden() {
    local with=$1
    shift
    # shellcheck disable=SC2016,SC2086 # the inner script expands its own $1; USERNS is 0 or 1 word
    unshare $USERNS -m sh -c 'with=$1; shift
        for n in libcurl.so.4 libcurl-gnutls.so.4 libcurl.so libpq.so.5 libpq.so \
                 libmicrohttpd.so.12 libmicrohttpd.so; do
            for f in $(ldconfig -p | awk -v n="$n" "\$1 == n { print \$NF }"); do
                mount --bind "$with" "$(realpath "$f")" || exit 99
            done
        done
        exec "$@"' sh "$with" "$@"
}
LIBZ=$(realpath "$(ldconfig -p | awk '$1 == "libz.so.1" { print $NF; exit }')" 2>/dev/null)
USERNS=""
unshare -m true 2>/dev/null || USERNS=-r
if [ -z "$LIBZ" ] || ! hidden /dev/null true 2>/dev/null; then
    skip=$((skip + 4))
    echo "  skipped 4 tests of omen without libcurl, libpq, libmicrohttpd: unshare cannot make a" \
        "mount namespace here"
else
    out=$(hidden /dev/null "$OMEN" --help 2>&1 >/dev/null)
    rc=$?
    if [ $rc -eq 0 ]; then ok "omen --help runs with libcurl, libpq and libmicrohttpd unloadable"; else
        bad "omen --help with the libraries unloadable: exit $rc" "$out"
    fi
    # lib CMD...: the command must exit 1 naming the library, both when it cannot be loaded and
    # when it has not the functions omen calls.
    lib() {
        local name=$1 first=$2 o1 o2 r1 r2
        shift 2
        o1=$(cd "$tmp" && hidden /dev/null timeout 20 "$OMEN" --db "$tmp/lib.db" "$@" 2>&1)
        r1=$?
        o2=$(cd "$tmp" && hidden "$LIBZ" timeout 20 "$OMEN" --db "$tmp/lib.db" "$@" 2>&1)
        r2=$?
        if [ $r1 -eq 1 ] && grep -q "needs $name, which could not be loaded: $first: " <<<"$o1" &&
            [ $r2 -eq 1 ] && grep -q "could not be loaded: $first has no " <<<"$o2"; then
            ok "omen $1 without $name (unloadable, or without its functions): exit 1 naming it"
        else
            bad "omen $1 without $name: exit $r1 and $r2" "$o1"$'\n'"$o2"
        fi
    }
    lib libcurl libcurl.so.4 pull --base-url http://127.0.0.1:9 --retries 0
    lib libpq libpq.so.5 ingest downloads --pg 'dbname=omen_none' --query 'SELECT 1'
    lib libmicrohttpd libmicrohttpd.so.12 serve --port 0
fi

NTESTS=18
if ! "$OMEN" --version | grep -q '^parquet: libduckdb'; then
    # "PAR1" at both ends is all omen looks at before handing a file to DuckDB.
    printf 'PAR1\0\0\0\0PAR1' >"$tmp/x.parquet"
    out=$("$OMEN" --db "$tmp/n.db" ingest evolution "$tmp/x.parquet" 2>&1)
    rc=$?
    if [ $rc -eq 1 ] && grep -q 'built without libduckdb: run scripts/fetch-duckdb' <<<"$out" &&
        [ ! -e "$tmp/n.db" ]; then
        ok "without libduckdb a Parquet file is refused (exit 1) naming scripts/fetch-duckdb"
    else
        bad "without libduckdb a Parquet file is refused (exit $rc)" "$out"
    fi
    skip=$NTESTS
    echo "  skipped $NTESTS Parquet tests: this omen was built without libduckdb" \
        "(scripts/fetch-duckdb --retry, then make)"
    echo "parquet: $pass passed, $fail failed, $skip skipped"
    [ $fail -eq 0 ]
    exit
fi

# ---- libduckdb is loaded when a Parquet file is read, not when omen starts
if ! command -v readelf >/dev/null; then
    skip=$((skip + 1))
    echo "  skipped the NEEDED check: no readelf (binutils)"
elif needed=$(readelf -d "$OMEN" | grep NEEDED) &&
    ! grep -qE 'libduckdb|libstdc\+\+' <<<"$needed"; then
    ok "omen does not link libduckdb or libstdc++ (NEEDED; loaded with dlopen for Parquet only)"
else
    bad "omen lists libduckdb or libstdc++ as NEEDED (start-up pays for them)" "$needed"
fi

SQL=$tmp/duckdb_sql
if [ ! -f "$DUCKDB_DIR/include/duckdb.h" ] ||
    ! cc -std=c11 -O1 -isystem "$DUCKDB_DIR/include" -o "$SQL" tests/tools/duckdb_sql.c \
        -L"$DUCKDB_DIR/lib" -lduckdb -Wl,-rpath,"$(cd "$DUCKDB_DIR/lib" && pwd)" 2>"$tmp/cc.err"; then
    echo "  skipped $NTESTS Parquet tests: cannot build the fixture writer against $DUCKDB_DIR"
    cat "$tmp/cc.err" 2>/dev/null | head -5
    echo "parquet: $pass passed, $fail failed, $((skip + NTESTS)) skipped"
    [ $fail -eq 0 ]
    exit
fi

# ---- the released dataset: a random panel as CSV, and the same rows as Parquet with lists
$PY - "$tmp" <<'EOF'
import random, sys, datetime as dt
random.seed(7)
out = sys.argv[1]
countries = ["US", "CN", "FR", "DE", "JP", "KR", "AE", "USER"]
types = ["company", "university", "nonprofit", "community", "user"]
devs = [(f"dev{i}", random.choice(countries), random.choice(types)) for i in range(40)]
mods = ["Text", "Image", "Text Generation", "Text Embedding", "Speech"]
langs = ["en", "zh", "fr", "de", "ja", "multilingual"]
models = []
for i in range(300):
    d = random.choice(devs)
    parent = random.choice(models)[0] if models and random.random() < 0.3 else ""
    rel = random.choice(["finetune", "quantized", "adapter", ""]) if parent else ""
    models.append((f"{d[0]}/m{i}", d, parent, rel))
start = dt.date(2023, 1, 2)
with open(f"{out}/evo.csv", "w") as f:
    f.write("model,author,time,created,downloadsAllTime,org_type,org_country,org_country_single,"
            "derived_author,derived_org_country_single,merged_derived_from,merged_languages,"
            "merged_modality,likes\n")
    for name, d, parent, rel in models:
        total = 0
        first = random.randrange(0, 20)
        created = start + dt.timedelta(days=7 * first - random.randrange(0, 30))
        ls = ";".join(random.sample(langs, random.randrange(0, 3)))
        ms = "|".join(random.sample(mods, random.randrange(1, 3)))
        derived = (rel + ":" if rel else "") + parent if parent else ""
        for w in range(first, 30):
            total += int(random.paretovariate(1.2) * 10)
            day = start + dt.timedelta(days=7 * w + random.randrange(0, 7))
            f.write(f"{name},{d[0]},{day},{created},{total},{d[2]},{d[1]},{d[1]},{d[0]},{d[1]},"
                    f"{derived},{ls},\"{ms}\",{random.randrange(100)}\n")
EOF
"$SQL" "COPY (SELECT model, author, CAST(time AS DATE) AS time, CAST(created AS DATE) AS created,
        CAST(downloadsAllTime AS DOUBLE) AS downloadsAllTime, org_type, org_country,
        org_country_single, derived_author, derived_org_country_single,
        CASE WHEN merged_derived_from = '' THEN [] ELSE [merged_derived_from] END AS merged_derived_from,
        CASE WHEN merged_languages = '' THEN [] ELSE string_split(merged_languages, ';') END AS merged_languages,
        string_split(merged_modality, '|') AS merged_modality, CAST(likes AS INTEGER) AS likes
        FROM read_csv('$tmp/evo.csv', all_varchar = true))
        TO '$tmp/evo.parquet' (FORMAT parquet)" >/dev/null || bad "writing evo.parquet"

"$OMEN" --db "$tmp/csv.db" -q ingest evolution "$tmp/evo.csv"
HOME=$tmp/home "$OMEN" --db "$tmp/pq.db" -q ingest evolution "$tmp/evo.parquet"
rc=$?
if [ $rc -eq 0 ]; then ok "the released dataset's layout ingests from Parquet"; else bad "ingest evo.parquet: exit $rc"; fi
dump() {
    sqlite3 "$1" "SELECT model, week, downloads FROM weekly_downloads ORDER BY 1, 2;
        SELECT name, country, org_type FROM developers ORDER BY 1;
        SELECT c.name, p.name, e.relation, e.position FROM edges e JOIN models c ON c.id = e.child
            JOIN models p ON p.id = e.parent ORDER BY 1, 4;
        SELECT m.name, a.field, a.value FROM annotations a JOIN models m ON m.id = a.model ORDER BY 1, 2, 3;
        SELECT name, developer, created FROM models ORDER BY 1"
}
same "Parquet and CSV give the same flows, developers, edges, annotations, models" \
    "$(declare -f dump); dump $tmp/csv.db" "$(declare -f dump); dump $tmp/pq.db"
for level in developer country model; do
    same "concentration --level $level: Parquet = CSV" \
        "$OMEN --db $tmp/csv.db --format csv concentration --level $level --window month --population-min 0 --attribution recursive" \
        "$OMEN --db $tmp/pq.db --format csv concentration --level $level --window month --population-min 0 --attribution recursive"
done
same "leaderboard (developers, last year): Parquet = CSV" \
    "$OMEN --db $tmp/csv.db --format csv leaderboard --level developer --period last-year --top 20" \
    "$OMEN --db $tmp/pq.db --format csv leaderboard --level developer --period last-year --top 20"
if [ ! -e "$tmp/home/.duckdb" ]; then ok "DuckDB installed or loaded no extensions (no ~/.duckdb)"; else bad "DuckDB created ~/.duckdb"; fi

# ---- a bad row in Parquet is named by its row number; the store is unchanged
"$SQL" "COPY (SELECT * REPLACE (CASE WHEN model = (SELECT max(model) FROM '$tmp/evo.parquet') THEN -1.0 ELSE downloadsAllTime END AS downloadsAllTime)
        FROM '$tmp/evo.parquet' ORDER BY model, time) TO '$tmp/bad.parquet' (FORMAT parquet)" >/dev/null
row=$("$SQL" "SELECT min(r) FROM (SELECT row_number() OVER () AS r, model FROM '$tmp/bad.parquet') WHERE model = (SELECT max(model) FROM '$tmp/bad.parquet')")
cp "$tmp/pq.db" "$tmp/before.db"
out=$("$OMEN" --db "$tmp/pq.db" ingest evolution "$tmp/bad.parquet" 2>&1)
rc=$?
if [ $rc -eq 3 ] && grep -q "bad.parquet:row $row: downloadsAllTime '-1.0' is negative" <<<"$out" &&
    cmp -s "$tmp/pq.db" "$tmp/before.db"; then
    ok "a bad Parquet row: exit 3, file:row $row: reason, store unchanged"
else
    bad "a bad Parquet row (exit $rc, row $row)" "$out"
fi

# ---- hub-stats models.parquet: snapshots as Parquet = the same snapshots as JSON Lines
ok_hub=1
for d in 2025-01-06 2025-01-13 2025-01-20 2025-02-03; do
    "$SQL" "COPY (SELECT id, author, CAST(coalesce(createdAt, created_at) AS TIMESTAMPTZ) AS created_at,
            downloads, CAST(coalesce(downloadsAllTime, downloads_all_time) AS BIGINT) AS downloadsAllTime,
            CAST(tags AS VARCHAR[]) AS tags, pipeline_tag, library_name, CAST(gated AS VARCHAR) AS gated,
            safetensors, CAST(coalesce(usedStorage, used_storage) AS BIGINT) AS usedStorage,
            0 AS likes, 'abc' AS sha
            FROM read_json('tests/fixtures/snapshots/hub_$d.jsonl', union_by_name = true,
                 columns = {id: 'VARCHAR', author: 'VARCHAR', createdAt: 'VARCHAR', created_at: 'VARCHAR',
                 downloads: 'BIGINT', downloadsAllTime: 'BIGINT', downloads_all_time: 'BIGINT',
                 tags: 'VARCHAR[]', pipeline_tag: 'VARCHAR', library_name: 'VARCHAR', gated: 'VARCHAR',
                 safetensors: 'STRUCT(parameters MAP(VARCHAR, BIGINT), total BIGINT)',
                 usedStorage: 'BIGINT', used_storage: 'BIGINT'}))
            TO '$tmp/models_$d.parquet' (FORMAT parquet)" >/dev/null || ok_hub=0
    "$OMEN" --db "$tmp/hub_pq.db" -q ingest snapshot --date $d "$tmp/models_$d.parquet" || ok_hub=0
    "$OMEN" --db "$tmp/hub_js.db" -q ingest snapshot --date $d "tests/fixtures/snapshots/hub_$d.jsonl" || ok_hub=0
done
if [ $ok_hub -eq 1 ]; then ok "hub-stats layout snapshots ingest from Parquet"; else bad "hub-stats layout ingest"; fi
hubdump() {
    sqlite3 "$1" "SELECT model, week, downloads FROM weekly_downloads ORDER BY 1, 2;
        SELECT name, developer, created, license, params, file_bytes, gated, library, pipeline_tag FROM models ORDER BY 1;
        SELECT c.name, p.name, e.relation FROM edges e JOIN models c ON c.id = e.child
            JOIN models p ON p.id = e.parent ORDER BY 1, 2"
}
same "hub-stats Parquet = JSON Lines: flows, models (license, params, bytes), edges" \
    "$(declare -f hubdump); hubdump $tmp/hub_pq.db" "$(declare -f hubdump); hubdump $tmp/hub_js.db"

# ---- the release as its card describes it: 19 columns, time as TIMESTAMPTZ, created as
# TIMESTAMP, lists, "A → B" modality pairs, org_type team, annotator (tests/fixtures/evolution/
# card.csv, made here from the card's schema and vocabularies): the whole file ingests, no row
# lost, the same store as the CSV.
"$SQL" "COPY (SELECT _id, model, author, CAST(time AS TIMESTAMPTZ) AS time,
        CAST(created AS TIMESTAMP) AS created, CAST(downloadsAllTime AS BIGINT) AS downloadsAllTime,
        annotator, org_model, org_type, org_country, derived_author, org_country_single,
        derived_org_country, derived_org_country_single, merged_country_groups_single,
        merged_derived_country_groups_single,
        CASE WHEN merged_derived_from = '' THEN [] ELSE string_split(regexp_replace(merged_derived_from, '[\[\] '']', '', 'g'), ',') END AS merged_derived_from,
        CASE WHEN merged_languages = '' THEN [] ELSE string_split(regexp_replace(merged_languages, '[\[\] '']', '', 'g'), ',') END AS merged_languages,
        string_split(regexp_replace(merged_modality, '[;,] ', '|', 'g'), '|') AS merged_modality
        FROM read_csv('tests/fixtures/evolution/card.csv', all_varchar = true))
        TO '$tmp/card.parquet' (FORMAT parquet)" >/dev/null || bad "writing card.parquet"
types=$("$SQL" "SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM '$tmp/card.parquet')")
if grep -q 'time TIMESTAMP WITH TIME ZONE' <<<"$types" && grep -q 'created TIMESTAMP,' <<<"$types" &&
    grep -q 'merged_modality VARCHAR\[\]' <<<"$types" && [ "$(tr ',' '\n' <<<"$types" | wc -l)" -eq 19 ]; then
    ok "card.parquet has the card's 19 columns (time TIMESTAMPTZ, created TIMESTAMP, lists)"
else
    bad "card.parquet's columns" "$types"
fi
"$OMEN" --db "$tmp/card_csv.db" -q ingest evolution tests/fixtures/evolution/card.csv
out=$("$OMEN" --db "$tmp/card_pq.db" ingest evolution "$tmp/card.parquet" 2>&1)
rc=$?
rows=$(sqlite3 "$tmp/card_pq.db" "SELECT rows_read || '|' || rows_rejected FROM ingests")
if [ $rc -eq 0 ] && [ "$rows" = "115|0" ] && grep -q '^ingested 115 rows (0 rejected)' <<<"$out" &&
    grep -q '^unmapped: org_type=team: 4$' <<<"$out" &&
    grep -q 'columns not used: .*_id' <<<"$out" && grep -q 'annotator' <<<"$out" &&
    [ "$(sqlite3 "$tmp/card_pq.db" "SELECT unmapped FROM ingests")" = "org_type=team: 4" ]; then
    ok "the card-shaped release ingests whole from Parquet: 115 rows, none rejected, team reported"
else
    bad "card.parquet ingest (exit $rc, rows $rows)" "$out"
fi
same "card: Parquet and CSV give the same flows, developers, edges, annotations, models" \
    "$(declare -f dump); dump $tmp/card_csv.db" "$(declare -f dump); dump $tmp/card_pq.db"
got=$(sqlite3 "$tmp/card_pq.db" "SELECT m.name || ' ' || a.field || '=' || a.value FROM annotations a
    JOIN models m ON m.id = a.model WHERE a.field LIKE '%modality'
    AND m.name IN ('kumo/video-gen', 'lab7/cls-base', 'lab7/whisper-ft', 'acme/embed-s') ORDER BY 1" | tr '\n' ',')
want="acme/embed-s input_modality=Text,acme/embed-s output_modality=Text Embedding,\
kumo/video-gen input_modality=Image,kumo/video-gen input_modality=Text,kumo/video-gen output_modality=Video Generation,\
lab7/cls-base input_modality=Image,lab7/cls-base output_modality=Image Classification,\
lab7/whisper-ft input_modality=Speech,lab7/whisper-ft output_modality=Text Generation,"
if [ "$got" = "$want" ]; then ok "modality pairs (→ and ->, several in a cell) split into Appendix D input and output labels"; else
    bad "modality pairs" "got  $got"$'\n'"want $want"; fi
# every flow the cumulative series give, from the CSV with pandas-free arithmetic in SQL
want=$(sqlite3 "$tmp/card_csv.db" "SELECT sum(downloads) FROM weekly_downloads")
last=$("$SQL" "SELECT sum(m) FROM (SELECT max(downloadsAllTime) AS m FROM '$tmp/card.parquet' GROUP BY model)")
if [ -n "$want" ] && [ "$want" = "$last" ]; then ok "no download lost: the flows sum to the last cumulative counts ($last)"; else
    bad "flows sum $want, last counts sum $last"; fi

# ---- hub-stats models.parquet as it is: baseModels {models: [{_id, id}], relation},
# safetensors {parameters {BF16, F32}, total}, cardData a JSON string, no author, gated, private
# or sha; the same listing as Hub API JSON Lines gives the same store
HS=tests/fixtures/hubstats/models_2025-03-03.jsonl
"$SQL" "COPY (SELECT id, CAST(createdAt AS TIMESTAMPTZ) AS createdAt, downloads, downloadsAllTime, tags,
        pipeline_tag, library_name, safetensors, usedStorage, cardData, baseModels
        FROM read_json('$HS', columns = {id: 'VARCHAR', createdAt: 'VARCHAR', downloads: 'BIGINT',
             downloadsAllTime: 'BIGINT', tags: 'VARCHAR[]', pipeline_tag: 'VARCHAR', library_name: 'VARCHAR',
             safetensors: 'STRUCT(parameters STRUCT(BF16 BIGINT, F32 BIGINT), total BIGINT)',
             usedStorage: 'BIGINT', cardData: 'VARCHAR',
             baseModels: 'STRUCT(models STRUCT(_id VARCHAR, id VARCHAR)[], relation VARCHAR)'}))
        TO '$tmp/hs.parquet' (FORMAT parquet)" >/dev/null || bad "writing hs.parquet"
# older copies: cardData a struct, createdAt an INT64 of epoch milliseconds
"$SQL" "COPY (SELECT * REPLACE (epoch_ms(createdAt) AS createdAt,
        CAST(json_transform(cardData, '{\"license\": \"VARCHAR\", \"language\": \"VARCHAR[]\"}') AS STRUCT(license VARCHAR, language VARCHAR[])) AS cardData)
        FROM '$tmp/hs.parquet') TO '$tmp/hs_old.parquet' (FORMAT parquet)" >/dev/null || bad "writing hs_old.parquet"
"$OMEN" --db "$tmp/hs_js.db" -q ingest snapshot --date 2025-03-03 "$HS"
"$OMEN" --db "$tmp/hs_pq.db" -q ingest snapshot --date 2025-03-03 "$tmp/hs.parquet"
rc1=$?
"$OMEN" --db "$tmp/hs_old.db" -q ingest snapshot --date 2025-03-03 "$tmp/hs_old.parquet"
rc2=$?
hsdump() {
    sqlite3 "$1" "SELECT model, week, downloads FROM weekly_downloads ORDER BY 1, 2;
        SELECT name, created, license, params, languages FROM models ORDER BY 1;
        SELECT c.name, p.name, e.relation, e.position FROM edges e JOIN models c ON c.id = e.child
            JOIN models p ON p.id = e.parent ORDER BY 1, 4"
}
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]; then ok "hub-stats as it is (struct baseModels, safetensors, cardData) ingests from Parquet"; else
    bad "hub-stats Parquet ingest: exit $rc1 and $rc2"; fi
same "hub-stats: Parquet = JSON Lines (edges from baseModels in order, params, cardData license)" \
    "$(declare -f hsdump); hsdump $tmp/hs_js.db" "$(declare -f hsdump); hsdump $tmp/hs_pq.db"
same "hub-stats older copy (cardData a struct, createdAt epoch ms) = JSON Lines" \
    "$(declare -f hsdump); hsdump $tmp/hs_js.db" "$(declare -f hsdump); hsdump $tmp/hs_old.db"
edges=$(sqlite3 "$tmp/hs_pq.db" "SELECT c.name || '<' || p.name || ':' || e.relation FROM edges e
    JOIN models c ON c.id = e.child JOIN models p ON p.id = e.parent ORDER BY c.name, e.position" | tr '\n' ' ')
devs=$("$OMEN" --db "$tmp/hs_pq.db" --format csv info | grep '^developers,')
top=$("$OMEN" --db "$tmp/hs_pq.db" --format csv leaderboard --level developer --population-min 0 | sed -n 2p | cut -d, -f2)
if [ "$edges" = "kumo/chat-1<acme/base-7b:finetune nori/distill-1<acme/base-7b:distillation quant/chat-1-gguf<kumo/chat-1:adapter solo/merge-2<kumo/chat-1:merge solo/merge-2<acme/base-7b:merge " ] &&
    [ "$devs" = "developers,5" ] && [ "$top" = "acme" ]; then
    ok "baseModels give every base model in order with its relation; developers from id namespaces (5), leaderboard by developer"
else
    bad "hub-stats edges / developers" "$edges"$'\n'"$devs top=$top"
fi

echo "parquet: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
