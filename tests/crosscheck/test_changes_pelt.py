#!/usr/bin/python3
"""Cross-checks `omen changes` and its PELT (src/stats/changepoints.c) against optimal
partitioning written here (Jackson et al. 2005: the O(n^2) dynamic programme that PELT prunes).

1. Random series with planted steps (n from 5 to 200, minimum segment lengths 1 to 8, penalties
   from tiny to large) through tests/crosscheck/stats_driver.c (compiled against
   $BUILD/libomen.a, BUILD defaults to build): the same segment ends as optimal partitioning
   with the same cost (sum of squared deviations from each segment's mean), penalty and minimum
   segment, and the same total cost to 1e-9 relative. Every tenth series has its values
   rounded to 0.1, which makes ties: there a different partition is accepted when its
   penalised cost, summed exactly, is within 1e-12 of optimal partitioning's (rounding decides
   between the two in any floating-point implementation); the others must match exactly. A PELT that prunes at once, as without a
   minimum segment length, must differ from optimal partitioning on some of these series (so
   the comparison can tell an inexact pruning rule).
2. The noise scale against numpy: R's mad(diff(y)) / sqrt(2) (median absolute deviation
   about the median, times 1.4826), or the standard deviation of the differences / sqrt(2)
   where the MAD is 0.
3. `omen changes` on `omen synth --scale 0.02 --seed 1`: for HHI, Gini, top-1 and top-10
   shares of the developer level (direct and recursive attribution, and a settable penalty and
   minimum segment) and the share of the US at the country level, the series is read from
   `omen concentration` / `omen shares` and segmented here: same breaks, the segments' dates,
   lengths, means (1e-12 relative), changes and break dates, and the meta block's n, sigma and
   penalty.
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import io
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
DRIVER_SRC = os.path.join(ROOT, "tests", "crosscheck", "stats_driver.c")
LIBS = ["-lsqlite3", "-lcjson", "-lz", "-lcrypto", "-lm", "-lgsl", "-lgslcblas"]
REL = 1e-9
counts = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def build_driver(tmp):
    exe = os.path.join(tmp, "stats_driver")
    lib = os.path.join(ROOT, BUILD, "libomen.a")
    cmd = ["cc", "-O2", "-Iinclude", DRIVER_SRC, lib, *LIBS, "-o", exe]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0 and ("__asan" in p.stderr or "__ubsan" in p.stderr):
        cmd.insert(1, "-fsanitize=address,undefined")
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    check("driver compiles against " + os.path.join(BUILD, "libomen.a"), p.returncode == 0,
          p.stderr[-2000:])
    return exe if p.returncode == 0 else None


def run_driver(exe, requests):
    text = "\n".join(requests) + "\n"
    p = subprocess.run([exe], input=text, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"stats_driver exited {p.returncode}: {p.stderr[-500:]}")
    return [line.split() for line in p.stdout.splitlines()]


# ---------------------------------------------------------------- the reference

def segment_costs(y, t):
    """C(s..t) for every start s < t: the squared deviations of y[s:t] from its mean."""
    seg = y[:t][::-1]
    k = np.arange(1, t + 1)
    s1, s2 = np.cumsum(seg), np.cumsum(seg * seg)
    return np.maximum(s2 - s1 * s1 / k, 0.0)[::-1]  # index s: y[s:t]


def optimal_partitioning(y, beta, m):
    """F(t) = min over s in {0} and [m, t - m] of F(s) + C(s..t) + beta, F(0) = -beta; the
    earliest s wins a tie. Returns the segments' ends."""
    y = np.asarray(y, float) - np.mean(y)
    n, m = len(y), max(m, 1)
    if n < 2 * m:
        return [n]
    f, last = np.full(n + 1, np.inf), np.zeros(n + 1, int)
    f[0] = -beta
    for t in range(m, n + 1):
        starts = np.array([0] + list(range(m, t - m + 1)))
        v = f[starts] + segment_costs(y, t)[starts] + beta
        i = int(np.argmin(v))  # the first minimum
        f[t], last[t] = v[i], starts[i]
    ends, t = [], n
    while t > 0:
        ends.append(t)
        t = last[t]
    return ends[::-1]


def pelt_pruning_at_once(y, beta, m):
    """PELT that drops a candidate as soon as it is dominated, as without a minimum segment
    length: not exact when m > 1 (a dominated start s may still beat its dominator t for the
    next m - 1 ends, where t cannot start a segment of m values)."""
    y = np.asarray(y, float) - np.mean(y)
    n, m = len(y), max(m, 1)
    if n < 2 * m:
        return [n]
    f, last, cands = np.full(n + 1, np.inf), np.zeros(n + 1, int), []
    f[0] = -beta
    for t in range(m, n + 1):
        if t - m == 0 or t - m >= m:
            cands.append(t - m)
        c = segment_costs(y, t)
        v = np.array([f[s] + c[s] for s in cands])
        i = int(np.argmin(v + beta))
        f[t], last[t] = v[i] + beta, cands[i]
        cands = [s for s, x in zip(cands, v) if x <= f[t]]
    ends, t = [], n
    while t > 0:
        ends.append(t)
        t = last[t]
    return ends[::-1]


def total_cost(y, ends):
    y = np.asarray(y, float)
    return sum(float(((y[a:b] - y[a:b].mean()) ** 2).sum()) for a, b in zip([0] + ends[:-1], ends))


def penalised(y, ends, beta):
    """The penalised cost of a partition, summed exactly (fractions of the doubles)."""
    from fractions import Fraction
    total = Fraction(0)
    for a, b in zip([0] + ends[:-1], ends):
        seg = [Fraction(float(v)) for v in y[a:b]]
        mean = sum(seg) / len(seg)
        total += sum((v - mean) ** 2 for v in seg)
    return float(total + Fraction(beta) * (len(ends) - 1))


def diff_sigma(y):
    d = np.diff(np.asarray(y, float))
    if len(d) == 0:
        return 0.0, False
    mad = 1.4826 * np.median(np.abs(d - np.median(d)))
    if mad > 0:
        return mad / math.sqrt(2), False
    return (float(np.std(d, ddof=1)) / math.sqrt(2) if len(d) >= 2 else 0.0), True


# ---------------------------------------------------------------- 1, 2: the driver

def planted_series(rng):
    n = int(rng.integers(5, 201))
    level, y = 0.0, np.empty(n)
    for i in range(n):
        if rng.random() < 0.06:
            level += rng.normal(0, 3)
        y[i] = level + rng.normal()
    return y


def check_pelt(exe):
    rng = np.random.default_rng(20261204)
    cases, requests = [], []
    for k in range(600):
        y = planted_series(rng)
        if k % 10 == 0:
            y = np.round(y, 1)  # ties among values
        if k % 25 == 0:
            y = y + 1e6  # far from 0
        m = int(rng.integers(1, 9))
        beta = float(rng.choice([0.05, 0.3, 1.0, 2 * math.log(len(y)), 25.0]))
        cases.append((y, beta, m))
        requests.append(f"pelt {len(y)} {beta!r} {m} " + " ".join(repr(float(v)) for v in y))
    out = run_driver(exe, requests)
    same = ties = cost_ok = 0
    first_bad = None
    at_once_differs = 0
    for k, ((y, beta, m), words) in enumerate(zip(cases, out)):
        ends = [int(w) for w in words[3:]]
        want = optimal_partitioning(y, beta, m)
        if ends == want:
            same += 1
        elif k % 10 == 0 and abs(penalised(y, ends, beta) - penalised(y, want, beta)) <= 1e-12 * (
                1 + abs(penalised(y, want, beta))):
            ties += 1  # values rounded to 0.1: two partitions whose costs differ by rounding
        elif first_bad is None:
            first_bad = f"n {len(y)} beta {beta} m {m}: omen {ends}, OP {want}"
        got_cost, want_cost = float(words[2]), total_cost(y, want)
        if math.isclose(got_cost, want_cost, rel_tol=REL, abs_tol=1e-9 * (1 + abs(want_cost))):
            cost_ok += 1
        if pelt_pruning_at_once(y, beta, m) != want:
            at_once_differs += 1
    check(f"PELT = optimal partitioning on {same} of {len(cases)} planted series ({ties} "
          "with values rounded to 0.1 tie: another partition whose cost differs from OP's by "
          "less than 1e-12, exactly summed)", same + ties == len(cases), first_bad)
    check(f"total cost = OP's to 1e-9 on {cost_ok} of {len(cases)}", cost_ok == len(cases))
    check(f"pruning at once differs from OP on {at_once_differs} of {len(cases)} series (the "
          "comparison tells an inexact rule)", at_once_differs > 0)
    # a planted case the BIC finds exactly
    y = np.concatenate([np.zeros(40), np.full(30, 4.0), np.full(50, 1.5)])
    y = y + np.random.default_rng(7).normal(0, 0.5, len(y))
    words = run_driver(exe, [f"pelt {len(y)} {2 * math.log(len(y)) * 0.25!r} 4 "
                             + " ".join(repr(float(v)) for v in y)])[0]
    check("planted steps at 40 and 70 found", [int(w) for w in words[3:]] == [40, 70, 120], words)


def check_sigma(exe):
    rng = np.random.default_rng(5)
    series = [rng.normal(size=int(rng.integers(3, 300))) for _ in range(50)]
    series += [np.array([1, 2, 3, 4, 10.0]), np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1.0]),
               np.array([2, 2, 2.0]), np.round(rng.normal(size=40), 0)]
    out = run_driver(exe, [f"sigma {len(y)} " + " ".join(repr(float(v)) for v in y)
                           for y in series])
    bad = []
    for y, words in zip(series, out):
        want, fallback = diff_sigma(y)
        if not (math.isclose(float(words[1]), want, rel_tol=REL, abs_tol=1e-300)
                and int(words[2]) == int(fallback)):
            bad.append(f"n {len(y)}: omen {words[1:]}, numpy {want!r} {fallback}")
    check(f"sigma = mad(diff(y)) / sqrt(2) (or sd fallback) on {len(series)} series", not bad,
          "\n".join(bad[:5]))


# ---------------------------------------------------------------- 3: omen changes

def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"omen {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def csv(db, *args):
    return pd.read_csv(io.StringIO(omen(db, "--format", "csv", *args)),
                       float_precision="round_trip", keep_default_na=False, na_values=[])


def check_changes(db, name, series, args, beta=None, m=4):
    """series: DataFrame of period_start, period_end, y (periods with downloads)."""
    y = series["y"].to_numpy(float)
    n = len(y)
    sigma, _ = diff_sigma(y)
    beta = 2 * math.log(n) if beta is None else beta
    want = optimal_partitioning(y, beta * sigma * sigma, m) if sigma > 0 else [n]
    got = csv(db, "changes", *args)
    meta = json.loads(omen(db, "--format", "json", "changes", *args))["meta"]
    starts = [0] + want[:-1]
    ok_rows = len(got) == len(want)
    detail = ""
    for i, (a, b) in enumerate(zip(starts, want)):
        if not ok_rows:
            break
        row, mean = got.iloc[i], float(np.mean(y[a:b]))
        ok_rows = (row["start"] == series["period_start"].iloc[a]
                   and row["end"] == series["period_end"].iloc[b - 1]
                   and int(row["periods"]) == b - a
                   and math.isclose(float(row["mean"]), mean, rel_tol=1e-12)
                   and (row["break"] == "" if i == 0 else row["break"] == row["start"]))
        if ok_rows and i > 0:
            ok_rows = math.isclose(float(row["change"]), mean - float(got.iloc[i - 1]["mean"]),
                                   rel_tol=1e-9, abs_tol=1e-15)
        if not ok_rows:
            detail = f"segment {i + 1}: omen {row.to_dict()}, want {series['period_start'].iloc[a]}..{b - a} mean {mean!r}"
    if len(got) != len(want):
        detail = (f"omen breaks {list(got['break'][1:])}, OP "
                  f"{[series['period_start'].iloc[e] for e in want[:-1]]}")
    breaks = ", ".join(series["period_start"].iloc[e] for e in want[:-1])
    check(f"{name}: {len(want) - 1} breaks as OP ({breaks[:60]}{'...' if len(breaks) > 60 else ''})",
          ok_rows, detail)
    ok_meta = (meta["series_periods"] == n and meta["breaks"] == len(want) - 1
               and math.isclose(meta["sigma"], sigma, rel_tol=1e-12)
               and math.isclose(meta["penalty"], beta, rel_tol=1e-12)
               and meta["min_segment"] == m)
    check(f"{name}: meta n {n}, sigma {sigma:.6g}, penalty {beta:.6g}", ok_meta,
          {k: meta.get(k) for k in ("series_periods", "breaks", "sigma", "penalty", "min_segment")})


def check_panel():
    if not os.access(OMEN, os.X_OK):
        check(f"{OMEN} exists", False)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "s.db")
        omen(db, "--quiet", "synth", "--scale", "0.02", "--seed", "1")
        for attribution in ("direct", "recursive"):
            conc = csv(db, "concentration", "--level", "developer", "--attribution", attribution)
            conc = conc[conc["entities"] > 0]
            for measure, column in (("hhi", "hhi"), ("gini", "gini"), ("top1", "top1_share"),
                                    ("top10", "top10_share")):
                if attribution == "recursive" and measure != "hhi":
                    continue
                s = conc[["period_start", "period_end"]].assign(y=conc[column]).reset_index(drop=True)
                check_changes(db, f"developer {measure} ({attribution})", s,
                              ["--level", "developer", "--measure", measure, "--attribution",
                               attribution])
            if attribution == "direct":
                s = conc[["period_start", "period_end"]].assign(y=conc["hhi"]).reset_index(drop=True)
                check_changes(db, "developer hhi, --penalty 40 --min-segment 8", s,
                              ["--level", "developer", "--penalty", "40", "--min-segment", "8"],
                              beta=40.0, m=8)
        shares = csv(db, "shares", "--level", "country", "--top", "1000")
        weeks = shares.groupby(["period_start", "period_end"], as_index=False)["downloads"].sum()
        weeks = weeks[weeks["downloads"] > 0]
        us = shares[shares["entity"] == "US"][["period_start", "share"]]
        s = weeks.merge(us, on="period_start", how="left").fillna({"share": 0.0})
        s = s.sort_values("period_start").reset_index(drop=True).rename(columns={"share": "y"})
        check_changes(db, "country share:US", s, ["--level", "country", "--measure", "share:US"])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_driver(tmp)
        if exe:
            check_pelt(exe)
            check_sigma(exe)
    check_panel()
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
