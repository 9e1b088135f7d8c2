#!/usr/bin/env bash
# tests/suites/layers.sh: the layering check of DESIGN.md section 2 (tests/tools/layers.py):
# includes and calls across folders against docs/layers.txt, unique file names (two C files may
# share a base name only as a header and its source), and the folder map of docs/architecture.md
# generated from that table. `--write` rewrites the map. BUILD names the build whose objects are
# checked for calls (skipped when it has none).
set -u
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 tests/tools/layers.py "$@"
