#!/usr/bin/python3
"""Compares omen's `concentration` CSV with the peers' per-week results (bench/concentration_*).

usage: concentration_check.py LABEL OMEN_CSV PEER_CSV...

Per week: entity count and downloads exactly; HHI, Gini and top-1/10/100 shares to 1e-9
relative (|a - b| <= 1e-9 max(|a|, |b|), or both within 1e-15 of 0). Prints `LABEL: numbers
agree (W weeks, P peers)` and exits 0, or prints the first difference and exits 1."""
import csv
import sys
from datetime import date

REL, ABS = 1e-9, 1e-15
EPOCH = date(1970, 1, 1).toordinal()
COLUMNS = ["entities", "downloads", "hhi", "gini", "top1_share", "top10_share", "top100_share"]


def read_omen(path):
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            week = date.fromisoformat(r["period_start"]).toordinal() - EPOCH
            out[week] = {c: r[c] for c in COLUMNS}
    return out


def read_peer(path):
    with open(path, newline="") as f:
        return {int(r["week"]): {c: r[c] for c in COLUMNS} for r in csv.DictReader(f)}


def same(col, a, b):
    if col in ("entities", "downloads"):
        return float(a) == float(b)
    x, y = float(a), float(b)
    return abs(x - y) <= max(REL * max(abs(x), abs(y)), ABS)


def main():
    label, omen_path, peers = sys.argv[1], sys.argv[2], sys.argv[3:]
    omen = read_omen(omen_path)
    for path in peers:
        peer = read_peer(path)
        if sorted(omen) != sorted(peer):
            only_o = sorted(set(omen) - set(peer))[:3]
            only_p = sorted(set(peer) - set(omen))[:3]
            print(f"{label}: weeks differ: omen has {len(omen)}, {path} has {len(peer)} "
                  f"(only omen: {only_o}, only peer: {only_p}; days since 1970-01-01)")
            return 1
        for week in sorted(omen):
            for col in COLUMNS:
                a, b = omen[week][col], peer[week][col]
                if not same(col, a, b):
                    day = date.fromordinal(week + EPOCH).isoformat()
                    print(f"{label}: first difference: week {day} {col}: omen {a}, {path} {b}")
                    return 1
    print(f"{label}: numbers agree ({len(omen)} weeks, {len(peers)} peers, "
          f"1e-9 relative)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
