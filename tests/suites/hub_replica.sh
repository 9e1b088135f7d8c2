#!/usr/bin/env bash
# tests/suites/hub_replica.sh: the Hub replica generator of bench/hub-replica (issue 13 item 5).
# 2,000 models x 3 weeks, twice with the same seed: the files must be byte-identical (and a
# third run with another seed must differ); the schema must be hub-stats' (struct baseModels
# and safetensors, list tags and siblings, JSON cardData, TIMESTAMPTZ createdAt); every
# surviving model's downloadsAllTime never decreases; new models appear and some disappear;
# derivations and licenses are in the tags; a --stale week is a byte-identical copy of the week
# before; a cache is extended, not redone. Skips cleanly when libduckdb is absent.
set -u
cd "$(dirname "$0")/../.." || exit 2
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
finish() {
    echo "$pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
    exit
}
NTESTS=11
if [ ! -f "$DUCKDB_DIR/include/duckdb.h" ] || [ ! -f "$DUCKDB_DIR/lib/libduckdb.so" ]; then
    skip=$NTESTS
    echo "  skipped $NTESTS Hub replica tests: libduckdb is absent from $DUCKDB_DIR (scripts/fetch-duckdb)"
    finish
fi
export BUILD=$tmp/build DUCKDB_DIR
gen() { bench/hub-replica --threads 2 --models 2000 --weeks 3 "$@"; }
if ! out=$(gen --out "$tmp/a" --seed 7 2>&1); then
    bad "bench/hub-replica runs" "$out"
    skip=$((NTESTS - 1))
    finish
fi
ok "bench/hub-replica writes 3 weeks of 2,000 models"
SQL=$BUILD/bench/duckdb_sql
q() { "$SQL" "$@" 2>&1 | tail -n 1; }
W0=$tmp/a/models/2024-07-01/models.parquet
W1=$tmp/a/models/2024-07-08/models.parquet
W2=$tmp/a/models/2024-07-15/models.parquet

gen --out "$tmp/b" --seed 7 >/dev/null 2>&1
gen --out "$tmp/c" --seed 8 >/dev/null 2>&1
if cmp -s "$W2" "$tmp/b/models/2024-07-15/models.parquet" && cmp -s "$W0" "$tmp/b/models/2024-07-01/models.parquet"; then
    ok "the same seed gives byte-identical files"
else
    bad "the same seed gives byte-identical files" "$(cmp "$W2" "$tmp/b/models/2024-07-15/models.parquet")"
fi
if ! cmp -s "$W2" "$tmp/c/models/2024-07-15/models.parquet"; then ok "another seed gives other data"; else
    bad "another seed gives the same file"
fi

schema=$(q "SELECT string_agg(column_name || ' ' || column_type, '; ') FROM (DESCRIBE SELECT * FROM '$W1')")
missing=""
for c in "id VARCHAR" "author VARCHAR" "createdAt TIMESTAMP WITH TIME ZONE" "lastModified TIMESTAMP WITH TIME ZONE" \
    "downloads BIGINT" "downloadsAllTime BIGINT" "likes BIGINT" "tags VARCHAR[]" "pipeline_tag VARCHAR" \
    "library_name VARCHAR" "baseModels STRUCT(models STRUCT(_id VARCHAR, id VARCHAR)[], relation VARCHAR)" \
    "safetensors STRUCT(parameters STRUCT(BF16 BIGINT" "cardData VARCHAR" "siblings STRUCT(rfilename VARCHAR)[]" \
    "gguf STRUCT(" "config STRUCT(" "usedStorage BIGINT"; do
    grep -qF "$c" <<<"$schema" || missing+="$c; "
done
if [ -z "$missing" ]; then ok "the schema is hub-stats models.parquet's"; else bad "schema lacks: $missing" "$schema"; fi

r=$(q "SELECT count(*) FILTER (WHERE json_valid(cardData) AND json_extract_string(cardData, '\$.license') IS NOT NULL)
    || ' ' || count(*) FILTER (WHERE author IS NULL) || ' ' || count(*) FILTER (WHERE gguf IS NOT NULL)
    || ' ' || count(*) FILTER (WHERE len(siblings) >= 3) FROM '$W1'")
read -r cards noauthor ggufs sibs <<<"$r"
if [ "${cards:-0}" -gt 500 ] && [ "${noauthor:-0}" -gt 50 ] && [ "${ggufs:-0}" -gt 20 ] && [ "${sibs:-0}" -gt 1500 ]; then
    ok "cardData is JSON with licenses, some authors are NULL, some gguf, siblings listed ($r)"
else
    bad "cardData JSON / NULL authors / gguf / siblings: $r"
fi

r=$(q "SELECT count(*) FILTER (WHERE baseModels IS NOT NULL AND list_contains(tags, 'base_model:' || baseModels.relation || ':' || baseModels.models[1].id))
    || ' ' || count(*) FILTER (WHERE baseModels IS NOT NULL) || ' ' || count(DISTINCT baseModels.relation)
    || ' ' || count(*) FILTER (WHERE len(list_filter(tags, t -> t LIKE 'license:%')) = 1) FROM '$W1'")
read -r agree derived relations licensed <<<"$r"
if [ "${derived:-0}" -gt 300 ] && [ "$agree" = "$derived" ] && [ "${relations:-0}" = 4 ] && [ "${licensed:-0}" -gt 500 ]; then
    ok "derivations (4 relations) agree between baseModels and base_model: tags; license: tags ($r)"
else
    bad "derivations and licenses: agree derived relations licensed = $r"
fi

r=$(q "SELECT count(*) FILTER (WHERE b.downloadsAllTime < a.downloadsAllTime) || ' '
    || count(*) FILTER (WHERE b.downloadsAllTime = a.downloadsAllTime) || ' ' || count(*)
    FROM '$W1' a JOIN '$W2' b USING (id)")
read -r down same both <<<"$r"
if [ "$down" = 0 ] && [ "${both:-0}" -gt 1900 ] && [ "${same:-0}" -gt 0 ]; then
    ok "downloadsAllTime never decreases; some models have no downloads in a week ($r)"
else
    bad "downloadsAllTime over a week: decreased same joined = $r"
fi

r=$(q "SELECT (SELECT count(*) FROM '$W2' WHERE id NOT IN (SELECT id FROM '$W1')) || ' '
    || (SELECT count(*) FROM '$W1' WHERE id NOT IN (SELECT id FROM '$W2')) || ' '
    || (SELECT count(DISTINCT id) = count(*) FROM '$W2')")
read -r born gone unique <<<"$r"
if [ "${born:-0}" -eq 20 ] && [ "${unique:-}" = true ]; then
    ok "20 new models a week, ids unique, $gone deleted"
else
    bad "new / deleted / unique ids: $r"
fi
# deletions are rare at 0.02% a week: check them on a larger rate
gen --out "$tmp/d" --seed 7 --delete-rate 0.05 >/dev/null 2>&1
r=$(q "SELECT count(*) FROM '$tmp/d/models/2024-07-08/models.parquet' WHERE id NOT IN (SELECT id FROM '$tmp/d/models/2024-07-15/models.parquet')")
if [ "${r:-0}" -gt 20 ]; then ok "models are deleted ($r of 2,000 at --delete-rate 0.05)"; else bad "deleted models: $r"; fi

gen --out "$tmp/e" --seed 7 --stale 1 --layout flat >/dev/null 2>&1
n_same=0
cmp -s "$tmp/e/2024-07-01.parquet" "$tmp/e/2024-07-08.parquet" && n_same=$((n_same + 1))
cmp -s "$tmp/e/2024-07-08.parquet" "$tmp/e/2024-07-15.parquet" && n_same=$((n_same + 1))
if [ "$n_same" = 1 ]; then
    ok "--stale 1 --layout flat: one week is a copy of the week before"
else
    bad "--stale 1: $n_same copies"
fi

# extending the cache to 4 weeks keeps the 3 written and adds one, equal to a fresh 4-week run
out=$(bench/hub-replica --threads 2 --models 2000 --weeks 4 --out "$tmp/a" --seed 7 2>&1)
bench/hub-replica --threads 2 --models 2000 --weeks 4 --out "$tmp/f" --seed 7 >/dev/null 2>&1
if [ "$(wc -l <<<"$out")" = 1 ] && cmp -s "$tmp/a/models/2024-07-22/models.parquet" "$tmp/f/models/2024-07-22/models.parquet"; then
    ok "a cached replica is extended by the missing week only, as a fresh run writes it"
else
    bad "extending the cache" "$out"
fi
finish
