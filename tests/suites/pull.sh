#!/usr/bin/env bash
# tests/suites/pull.sh: `omen pull` against a replaying server on 127.0.0.1 (tests/pull/).
exec /usr/bin/python3 "$(dirname "$0")/../pull/test_pull.py"
