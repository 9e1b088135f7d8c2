#!/usr/bin/python3
"""Cross-checks the competition-authority measures of `omen concentration` and the bootstrap
intervals of `--ci` against numpy (issue 16, docs/methodology.md "Monitoring").

The reference takes each period's entity amounts from `omen shares --top <all>` (the engine's
amounts have their own cross-check, test_concentration_pandas.py) and the developer -> country
map from `omen leaderboard`, and recomputes with numpy:
  - CR4 and CR8 (the sum of the 4 and 8 largest shares), the effective number 1/HHI;
  - the Theil index sum s ln(N s) and its decomposition by country: between =
    sum_g S_g ln(S_g N / N_g), within = sum_g S_g T_g;
  - the 2023 Merger Guidelines band of HHI x 10000 and its change from the previous period,
    with the significant-rise flag (> 100 points);
  - bootstrap percentile intervals: numpy resamples each period's amounts the same way
    (rng.choice(x, N, replace=True), the measure on the N draws, np.percentile of the
    replicates). The two run on different random numbers, so they agree within Monte Carlo
    error only: omen's bound must lie between the numpy replicates' order statistics
    R q -/+ 5 sqrt(R q (1 - q)) (a 5-sigma band of the quantile's rank; R = 4000 on both sides).
Data: (a) a generated panel (`omen synth --scale 0.01`, seeded); (b) a hand-built panel of
equal developers whose HHI sits exactly on the Guidelines' thresholds (1/N for N = 5, 9, 10,
11 developers: 2000, 1111, 1000, 909); (c) real data: the TAIDE models' all-time download counts of
../shared/data/real/nctu6_taide_huggingface_stats (differenced into weekly flows by the
ingest), at the model level (skipped when ../shared is absent).
Agreement 1e-9 relative, 1e-12 absolute for the deterministic measures.
"""
import csv
import io
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "real"))
REL, ABS = 1e-9, 1e-12
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def close(got, want):
    return abs(got - want) <= max(REL * abs(want), ABS)


def omen(db, *args):
    out = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"omen {' '.join(args)}: exit {out.returncode}: {out.stderr}")
    return list(csv.DictReader(io.StringIO(out.stdout)))


def amounts_by_period(db, level, window):
    rows = omen(db, "shares", "--level", level, "--window", window, "--top", "1000000",
                "--format", "csv")
    per = {}
    for r in rows:
        if r["entity"] != "(rest)":
            per.setdefault(r["period_start"], []).append((r["entity"], float(r["downloads"])))
    return per


def theil(x):
    s = x / x.sum()
    return float(np.sum(s * np.log(len(x) * s))) if len(x) > 1 else 0.0


def band(h):
    return "highly" if h > 1800 else "moderately" if h >= 1000 else "unconcentrated"


def check_measures(tag, db, level, window):
    per = amounts_by_period(db, level, window)
    conc = omen(db, "concentration", "--level", level, "--window", window, "--entropy",
                "--format", "csv")
    bad, prev = [], None
    for r in conc:
        x = np.array(sorted((a for _, a in per.get(r["period_start"], [])), reverse=True))
        if len(x) == 0:  # no downloads recorded: no band, no change; the next is measured across
            if r["hhi_band"] or r["hhi_change_10000"] or r["significant_rise"]:
                bad.append((r["period_start"], "empty period has a band or change"))
            continue
        s = x / x.sum()
        h = float(np.sum(s * s)) * 10000
        want = {"cr4_share": s[:4].sum(), "cr8_share": s[:8].sum(),
                "effective_entities": 1 / np.sum(s * s), "theil": theil(x)}
        for k, v in want.items():
            if not close(float(r[k]), float(v)):
                bad.append((r["period_start"], k, r[k], v))
        if r["hhi_band"] != band(float(r["hhi_10000"])) or r["hhi_band"] != band(h) and \
                abs(h - 1000) > 1e-6 and abs(h - 1800) > 1e-6:
            bad.append((r["period_start"], "hhi_band", r["hhi_band"], band(h)))
        if prev is None:
            if r["hhi_change_10000"] != "" or r["significant_rise"] != "":
                bad.append((r["period_start"], "first change", r["hhi_change_10000"], ""))
        else:
            change = float(r["hhi_10000"]) - prev
            if not close(float(r["hhi_change_10000"]), change) or \
                    r["significant_rise"] != ("true" if change > 100 else "false"):
                bad.append((r["period_start"], "change", r["hhi_change_10000"], change))
        prev = float(r["hhi_10000"])
    check(f"{tag}: CR4, CR8, 1/HHI, Theil, band, change ({level}, {window}, {len(conc)} periods)",
          not bad and len(conc) > 0, bad[:5])


def check_decompose(tag, db, window):
    per = amounts_by_period(db, "developer", window)
    country = {r["entity"]: r["country"] for r in omen(db, "leaderboard", "--level", "developer",
                                                       "--top", "1000000", "--format", "csv")}
    conc = omen(db, "concentration", "--level", "developer", "--window", window, "--decompose",
                "country", "--format", "csv")
    bad = []
    for r in conc:
        ent = per.get(r["period_start"], [])
        if not ent:
            continue
        x = np.array([a for _, a in ent])
        g = np.array([country.get(e) or "UNKNOWN" for e, _ in ent])
        total, n = x.sum(), len(x)
        between = within = 0.0
        for k in np.unique(g):
            xg = x[g == k]
            sg = xg.sum() / total
            between += sg * math.log(sg * n / len(xg))
            within += sg * theil(xg)
        want = {"theil": theil(x), "theil_between": between, "theil_within": within,
                "groups": len(np.unique(g))}
        for k, v in want.items():
            if not close(float(r[k]), float(v)):
                bad.append((r["period_start"], k, r[k], v))
        if not close(float(r["theil_between"]) + float(r["theil_within"]), float(r["theil"])):
            bad.append((r["period_start"], "between + within != theil"))
    check(f"{tag}: Theil decomposition by country ({window}, {len(conc)} periods)",
          not bad and len(conc) > 0, bad[:5])


R = 4000


def replicate_measures(x, rng):
    n = len(x)
    draws = np.sort(rng.choice(x, size=(R, n), replace=True), axis=1)
    tot = draws.sum(axis=1)
    hhi = (draws ** 2).sum(axis=1) / tot ** 2
    i = np.arange(1, n + 1)
    gini = 2 * (draws * i).sum(axis=1) / (n * tot) - (n + 1) / n if n > 1 else np.zeros(R)
    desc = draws[:, ::-1]
    out = {"hhi": hhi, "gini": gini}
    for name, k in (("top1_share", 1), ("cr4_share", 4), ("cr8_share", 8), ("top10_share", 10),
                    ("top100_share", 100)):
        out[name] = desc[:, :k].sum(axis=1) / tot
    return out


def within_mc(got, reps, q):
    s = np.sort(reps)
    sigma = 5 * math.sqrt(R * q * (1 - q))
    lo = s[max(0, int(math.floor(R * q - sigma)))]
    hi = s[min(R - 1, int(math.ceil(R * q + sigma)))]
    return lo - 1e-12 <= got <= hi + 1e-12


def check_bootstrap(tag, db, level, window, periods=6):
    per = amounts_by_period(db, level, window)
    conc = omen(db, "concentration", "--level", level, "--window", window, "--ci", "0.9",
                "--resamples", str(R), "--format", "csv")
    rng = np.random.default_rng(7)
    bad, done = [], 0
    for r in conc[-periods:]:
        x = np.array([a for _, a in per.get(r["period_start"], [])])
        if len(x) < 2:
            continue
        reps = replicate_measures(x, rng)
        for name, v in reps.items():
            for side, q in (("lo", 0.05), ("hi", 0.95)):
                got = float(r[f"{name}_{side}"])
                if not within_mc(got, v, q):
                    bad.append((r["period_start"], f"{name}_{side}", got,
                                float(np.percentile(v, 100 * q))))
        done += 1
    check(f"{tag}: bootstrap 90% intervals vs numpy resampling ({level}, {window}, {done} periods,"
          f" 7 measures x 2 bounds)", not bad and done > 0, bad[:6])


def check_share_intervals(tag, db):
    rows = omen(db, "shares", "--level", "developer", "--window", "year", "--top", "3", "--ci",
                "0.9", "--resamples", str(R), "--format", "csv")
    per = amounts_by_period(db, "developer", "year")
    rng = np.random.default_rng(11)
    bad, done = [], 0
    for r in rows[-4:]:
        if r["entity"] == "(rest)":
            continue
        ent = per[r["period_start"]]
        x = np.array([a for _, a in ent])
        me = [i for i, (e, _) in enumerate(ent) if e == r["entity"]][0]
        idx = rng.integers(0, len(x), size=(R, len(x)))
        share = (idx == me).sum(axis=1) * x[me] / x[idx].sum(axis=1)
        for side, q in (("lo", 0.05), ("hi", 0.95)):
            if not within_mc(float(r[f"share_{side}"]), share, q):
                bad.append((r["period_start"], r["entity"], side, r[f"share_{side}"],
                            float(np.percentile(share, 100 * q))))
        done += 1
    check(f"{tag}: bootstrap intervals of shares vs numpy ({done} entities)",
          not bad and done > 0, bad[:4])


def equal_panel(tmp):
    """Weeks of N equal developers for N = 11, 10, 9, 5: HHI 909.09, 1000, 1111.1, 2000."""
    db = os.path.join(tmp, "equal.db")
    weeks = {"2024-01-01": 11, "2024-01-08": 10, "2024-01-15": 9, "2024-01-22": 5}
    with open(os.path.join(tmp, "equal.csv"), "w") as f:
        f.write("model,week,downloads\n")
        for w, n in weeks.items():
            for d in range(n):
                f.write(f"dev{d}/m,{w},1000\n")
    with open(os.path.join(tmp, "equal_models.csv"), "w") as f:
        f.write("model,developer,created\n")
        for d in range(11):
            f.write(f"dev{d}/m,dev{d},2023-12-01\n")
    for src, path in (("models", "equal_models.csv"), ("downloads", "equal.csv")):
        subprocess.run([OMEN, "--db", db, "ingest", src, os.path.join(tmp, path)], check=True,
                       capture_output=True)
    return db


def check_thresholds(db):
    conc = omen(db, "concentration", "--level", "developer", "--population-min", "0",
                "--no-rolling", "--format", "csv")
    got = [(r["hhi_band"], r["significant_rise"]) for r in conc]
    want = [("unconcentrated", ""), ("moderately", "false"), ("moderately", "true"),
            ("highly", "true")]
    check("hand-built panel: bands at HHI 909, 1000 (moderately from 1000 on), 1111, 2000 and "
          "rises of 90.9 (not significant), 111.1 and 888.9", got == want,
          f"got {got}, want {want}")


def main():
    if not os.access(OMEN, os.X_OK):
        print(f"monitoring crosscheck: {OMEN} not built")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "s.db")
        subprocess.run([OMEN, "--db", db, "synth", "--scale", "0.01"], check=True,
                       capture_output=True)
        for level, window in (("developer", "month"), ("developer", "year"), ("model", "quarter"),
                              ("country", "week")):
            check_measures("generated", db, level, window)
        check_decompose("generated", db, "quarter")
        check_decompose("generated", db, "year")
        check_bootstrap("generated", db, "developer", "year")
        check_bootstrap("generated", db, "model", "quarter")
        check_share_intervals("generated", db)
        check_thresholds(equal_panel(tmp))
        real = os.path.join(REAL, "nctu6_taide_huggingface_stats", "models_long.csv")
        if os.path.exists(real):
            rdb = os.path.join(tmp, "real.db")
            subprocess.run([OMEN, "--db", rdb, "ingest", "downloads", "--kind", "cumulative",
                            "--count-column", "downloads_all_time", real], check=True,
                           capture_output=True)
            check_measures("real (nctu6)", rdb, "model", "week")
            check_bootstrap("real (nctu6)", rdb, "model", "month")
        else:
            counts["skipped"] += 1
            print(f"  skip real (nctu6): {real} is absent")
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
