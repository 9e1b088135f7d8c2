#!/usr/bin/env bash
# concentration_export.sh DB DIR: writes the store's models, edges and downloads tables (integer
# keys, weeks as days since 1970-01-01, created dates as the source gave them) as CSV into DIR,
# the input that the DuckDB and pandas peers of `omen concentration` load. Uses the sqlite3 CLI.
set -euo pipefail
db=$1
dir=$2
mkdir -p "$dir"
sqlite3 -readonly -csv -header "$db" "SELECT id, name, developer, created FROM models" >"$dir/models.csv"
sqlite3 -readonly -csv -header "$db" "SELECT child, parent, position FROM edges" >"$dir/edges.csv"
sqlite3 -readonly -csv -header "$db" "SELECT model, week, downloads FROM downloads" >"$dir/downloads.csv"
