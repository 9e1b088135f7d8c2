#!/usr/bin/python3
"""Checks the paper's shapes on the synthetic panel with omen's own commands.

Generates `omen synth --scale $OMEN_SHAPES_SCALE --seed 1` (default scale 0.1; 1 is the full
panel and takes longer) into a temporary store and measures what the paper reports:
  - developer HHI (Rolling Window Filter 365 days, recursive attribution, weekly, averaged
    per calendar year of the week's Monday): highest in 2021 among 2021..2025 (2020 is the
    panel's first half year, where every model is new to the filter; it is printed, not
    tested), falling every year through 2024, rising again in 2025 (section 3, Figure 3);
  - China's share of last-year downloads (`omen map --period last-year`): 0.17 within 0.05
    (Figure 1);
  - the share of developers outside the top 20 (`omen shares --level developer --top 20
    --attribution recursive`, the (rest) row, 0 in a week without one, averaged per year):
    about 0.20 in 2021 (within 0.05) and above 0.50 in 2025 ("the Rest category of developers
    grew from 20% to over 50%", section 3).
These test the generator and the engine together. Every measured number is printed.
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import io
import os
import subprocess
import sys
import tempfile

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
SCALE = os.environ.get("OMEN_SHAPES_SCALE", "0.1")
SEED = "1"
CHINA_SHARE, CHINA_TOL = 0.17, 0.05
REST_2021, REST_TOL, REST_2025_MIN = 0.20, 0.05, 0.50
counts = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"omen {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def table(db, *args):
    return pd.read_csv(io.StringIO(omen(db, "--format", "csv", *args)),
                       float_precision="round_trip", keep_default_na=False, na_values=[])


def fmt(series):
    return ", ".join(f"{y} {v:.4f}" for y, v in series.items())


def developer_hhi(db):
    c = table(db, "concentration", "--level", "developer", "--rolling", "365",
              "--attribution", "recursive", "--window", "week")
    c["year"] = c["period_start"].str[:4].astype(int)
    by_year = c.groupby("year")["hhi"].mean()
    print(f"  developer HHI per year (weekly mean): {fmt(by_year)}")
    years = [y for y in range(2021, 2026) if y in by_year.index]
    check("developer HHI: the panel covers 2021 to 2025", years == list(range(2021, 2026)),
          f"years {list(by_year.index)}")
    if years != list(range(2021, 2026)):
        return
    h = by_year
    check(f"developer HHI highest in 2021 among 2021-2025 ({h[2021]:.4f})",
          h[2021] == max(h[y] for y in years), fmt(h))
    falling = all(h[y] > h[y + 1] for y in range(2021, 2024))
    check("developer HHI falls every year from 2021 through 2024 "
          f"({h[2021]:.4f} > {h[2022]:.4f} > {h[2023]:.4f} > {h[2024]:.4f})", falling, fmt(h))
    check(f"developer HHI rises again in 2025 ({h[2024]:.4f} -> {h[2025]:.4f})",
          h[2025] > h[2024], fmt(h))


def china_share(db):
    m = table(db, "map", "--period", "last-year")
    cn = m.loc[m["country"] == "CN", "share"]
    share = float(cn.iloc[0]) if len(cn) else 0.0
    top = ", ".join(f"{r.country} {r.share:.4f}" for r in m.head(6).itertuples())
    print(f"  last-year country shares: {top}")
    check(f"China's share of last-year downloads {share:.4f} is {CHINA_SHARE} +- {CHINA_TOL}",
          abs(share - CHINA_SHARE) <= CHINA_TOL, top)


def rest_share(db):
    s = table(db, "shares", "--level", "developer", "--top", "20", "--attribution", "recursive")
    periods = s[["period_start"]].drop_duplicates()
    rest = s[s["entity"] == "(rest)"][["period_start", "share"]]
    per = periods.merge(rest, on="period_start", how="left").fillna({"share": 0.0})
    per["year"] = per["period_start"].str[:4].astype(int)
    by_year = per.groupby("year")["share"].mean()
    print(f"  share of developers outside the top 20 per year: {fmt(by_year)}")
    r21, r25 = by_year.get(2021, float("nan")), by_year.get(2025, float("nan"))
    check(f"outside the top 20 in 2021: {r21:.4f} is {REST_2021} +- {REST_TOL}",
          abs(r21 - REST_2021) <= REST_TOL, fmt(by_year))
    check(f"outside the top 20 in 2025: {r25:.4f} is above {REST_2025_MIN}",
          r25 > REST_2025_MIN, fmt(by_year))
    check(f"outside the top 20 rises from 2021 to 2025 ({r21:.4f} -> {r25:.4f})", r25 > r21)


def main():
    if not os.path.exists(OMEN):
        print(f"{OMEN} is missing: build it first")
        print("0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="omen-shapes-") as tmp:
        db = os.path.join(tmp, "synth.db")
        try:
            omen(db, "-q", "synth", "--scale", SCALE, "--seed", SEED)
            check(f"omen synth --scale {SCALE} --seed {SEED}", True)
            for test in (developer_hhi, china_share, rest_share):
                test(db)
        except RuntimeError as e:
            check("omen runs", False, str(e))
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
