#!/usr/bin/python3
"""Cross-checks `omen robustness` (issue 16, point 4) against independent references.

`omen robustness --metric M` recomputes one measure over the grid Rolling Window Filter {182,
365, 730, off} x population minimum {0, 50, 200, 1000} x attribution {direct, recursive-first,
recursive-split}, for the last year (the weeks whose Monday lies in the 365 days ending at the
last week counted) and each --window period, with the envelope and Kendall's tau-b of each
setting's top list against the reference setting (docs/methodology.md, "Robustness").

Data: the seeded generated panels of test_concentration_pandas.py (derivation trees with merges,
cycles and base models without a row of their own, created dates that need the effective-date
repair, developers without a country), written as CSV and ingested with `omen ingest`.

Checks:
  1. every row of several queries (metrics hhi, gini, top-k, share:ENTITY, leaderboard; levels
     developer, model, country, an annotation field; population and head samples; windows year
     and quarter; a reference off the grid) against the pandas reference engine of
     test_concentration_pandas.py, which reads the same CSV files: each setting's value,
     entities, downloads, top list, the envelope, and Kendall's tau-b recomputed with
     scipy.stats.kendalltau from the reference's own top lists (an entity missing from one list
     ranks k + 1 in it, tied with the others missing); 1e-9 relative;
  2. the reference cell equals the plain commands' value exactly (the same printed digits):
     `omen concentration --window year` per year and `--window cumulative --from <last year's
     first Monday>` for the last year (hhi, gini, top1_share, top10_share), and `omen
     leaderboard` (its top 10 and an entity's share);
  3. all 48 settings of --metric hhi against `omen concentration` run with the setting's own
     options: the same digits for whole counts (direct, recursive-first), 1e-12 for split credit;
  4. --metric leaderboard at the model level: each setting's kendall_tau against
     scipy.stats.kendalltau of the lists `omen leaderboard --level model --top 10` prints for
     that setting and for the reference.
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
"""
import io
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_concentration_pandas as ref  # noqa: E402  (the reference engine; its main() does not run)

OMEN = ref.OMEN
REL, ABS = 1e-9, 1e-12
counts = {"passed": 0, "failed": 0, "skipped": 0}
ATTRIBUTION = {"direct": ("direct", "first"), "recursive-first": ("recursive", "first"),
               "recursive-split": ("recursive", "split")}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def close(got, want, rel=REL):
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got is None or (isinstance(got, float) and math.isnan(got))
    if got is None or (isinstance(got, float) and math.isnan(got)):
        return False
    return abs(got - want) <= max(rel * abs(want), ABS)


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def read_csv(text):
    """Every column as text (exact digits), empty cells as ""."""
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[])


def num(text):
    return float(text) if text != "" else None


def setting_args(rolling, pop, attribution):
    a, mp = ATTRIBUTION[attribution]
    args = ["--no-rolling"] if rolling == "off" else ["--rolling", rolling]
    return args + ["--population-min", str(pop), "--attribution", a, "--merge-policy", mp]


# ================================================================= the reference

def amounts_by_period(panel, level, rolling, pop, attribution, sample, head_k, periods, extra):
    """{(period, start): Series entity -> amount > 0} for one setting, from the pandas engine."""
    a, mp = ATTRIBUTION[attribution]
    q = ref.Query(level=level, rolling=None if rolling == "off" else int(rolling),
                  population_min=int(pop), attribution=a,
                  merge=mp, sample=sample, head_k=head_k, frm=extra.get("frm"),
                  to=extra.get("to"))
    weeks, _ = ref.range_weeks(panel, q)
    wk = ref.weekly(panel, q, weeks)
    out = {}
    for (period, start, end) in periods:
        s, e = ref.day(start), ref.day(end)
        x = wk[(wk["week"] >= s) & (wk["week"] <= e)] if len(wk) else wk
        v = x.groupby("entity")["amount"].sum() if len(x) else pd.Series(dtype=float)
        out[(period, start)] = v[v > 0]
    return out


def ranked_list(amounts, k):
    r = ref.ranked(amounts).head(k)
    return list(r["entity"]), list(r["amount"])


def list_ranks(amounts):
    """Competition ranks of a list's amounts (equal amounts share the smaller rank)."""
    ranks = []
    for i, x in enumerate(amounts):
        ranks.append(ranks[-1] if i and x == amounts[i - 1] else i + 1)
    return ranks


def tau_of_lists(a, a_amounts, b, b_amounts, k):
    """Kendall's tau-b over the union of two top-k lists, k + 1 for an entity a list lacks."""
    ra, rb = dict(zip(a, list_ranks(a_amounts))), dict(zip(b, list_ranks(b_amounts)))
    union = list(a) + [e for e in b if e not in ra]
    x = [ra.get(e, k + 1) for e in union]
    y = [rb.get(e, k + 1) for e in union]
    if len(union) < 2:
        return float("nan"), len(set(a) & set(b))
    t = kendalltau(x, y)[0]
    return float(t), len(set(a) & set(b))


def metric_value(metric, amounts):
    n = len(amounts)
    if n == 0:
        return None
    total = float(amounts.sum())
    if metric in ("hhi", "gini"):
        return ref.measures(amounts, [1, 10, 100, 1000])[metric]
    if metric.startswith("top") or metric.startswith("cr"):
        k = int(metric[3:] if metric.startswith("top") else metric[2:])
        desc = np.sort(amounts.to_numpy(dtype=float))[::-1]
        return 1.0 if k >= n else float(desc[:k].sum()) / total
    if metric.startswith("share:"):
        return float(amounts.get(metric[6:], 0.0)) / total
    return None  # leaderboard: the tau


def near_tie_lists(got, want, amounts):
    """Two top lists that differ only where the reference's amounts are near-ties."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if g == w:
            continue
        if g not in amounts.index or w not in amounts.index:
            return False
        if not close(float(amounts[g]), float(amounts[w]), 1e-9):
            return False
    return True


# ================================================================= 1. every row

def compare_grid(label, db, panel, metric, level="developer", window="year", sample="population",
                 head_k=200, top=10, ref_setting=("365", 200, "direct"), extra=None):
    extra = extra or {}
    args = ["--format", "csv", "robustness", "--metric", metric, "--level", level,
            "--window", window, "--sample", sample, "--head-k", str(head_k), "--top", str(top)]
    r_roll, r_pop, r_attr = ref_setting
    args += setting_args(r_roll, r_pop, r_attr)
    for k in ("frm", "to"):
        if extra.get(k):
            args += ["--from" if k == "frm" else "--to", extra[k]]
    name = (f"{label}: robustness --metric {metric} --level {level} --window {window}"
            f"{' --sample head --head-k ' + str(head_k) if sample == 'head' else ''}"
            f"{' --top ' + str(top) if top != 10 else ''}, reference {'/'.join(map(str, ref_setting))}"
            f"{' ' + str(extra) if extra else ''}")
    rc, out, err = omen(db, *args)
    if rc != 0:
        check(name, False, err)
        return None
    got = read_csv(out)
    periods = list(dict.fromkeys(zip(got["period"], got["period_start"], got["period_end"])))
    settings = list(dict.fromkeys(zip(got["rolling"], got["population_min"], got["attribution"])))
    grid = [(r, str(p), a) for r in ("182", "365", "730", "off") for p in (0, 50, 200, 1000)
            for a in ("direct", "recursive-first", "recursive-split")]
    problems = []
    want_settings = sorted(set(grid) | {(r_roll, str(r_pop), r_attr)},
                           key=lambda s: (s[0] == "off", int(s[0]) if s[0] != "off" else 0,
                                          int(s[1]), list(ATTRIBUTION).index(s[2])))
    if settings != want_settings:
        problems.append(f"settings {settings[:5]}..., expected {want_settings[:5]}...")
    ref_amounts = {s: amounts_by_period(panel, level, *s, sample, head_k, periods, extra)
                   for s in settings}
    ref_key = (r_roll, str(r_pop), r_attr)
    near_ties = 0
    for (period, start, end) in periods:
        rows = got[(got["period"] == period) & (got["period_start"] == start)]
        base = ref_amounts[ref_key][(period, start)]
        base_list, base_amt = ranked_list(base, top)
        values = []
        for _, g in rows.iterrows():
            s = (g["rolling"], g["population_min"], g["attribution"])
            amounts = ref_amounts[s][(period, start)]
            where = f"{period} {start} {'/'.join(s)}"
            if (g["reference"] == "true") != (s == ref_key):
                problems.append(f"{where}: reference {g['reference']}")
            lst, amt = ranked_list(amounts, top)
            got_list = [x for x in g["top_entities"].split(";") if x] if g["top_entities"] else []
            tau, common = tau_of_lists(base_list, base_amt, lst, amt, top)
            same_lists = got_list == lst
            if not same_lists:
                if near_tie_lists(got_list, lst, amounts):
                    near_ties += 1
                else:
                    problems.append(f"{where}: top {got_list}, expected {lst}")
            want = metric_value(metric, amounts)
            if metric == "leaderboard":
                want = tau if len(amounts) else None
            if len(amounts) and want is not None and not math.isnan(want):
                values.append(want)
            if same_lists and not close(num(g["kendall_tau"]), tau):
                problems.append(f"{where}: tau {g['kendall_tau']}, expected {tau!r}")
            if same_lists and int(g["top_common"]) != common:
                problems.append(f"{where}: top_common {g['top_common']}, expected {common}")
            if (metric != "leaderboard" or same_lists) and not close(num(g["value"]), want):
                problems.append(f"{where}: value {g['value']!r}, expected {want!r}")
            if int(g["entities"]) != len(amounts):
                problems.append(f"{where}: {g['entities']} entities, expected {len(amounts)}")
            if not close(float(g["downloads"]), float(amounts.sum())):
                problems.append(f"{where}: downloads {g['downloads']}, expected {amounts.sum()!r}")
        lo, hi = (min(values), max(values)) if values else (None, None)
        for _, g in rows.iterrows():
            if not close(num(g["min"]), lo) or not close(num(g["max"]), hi):
                problems.append(f"{period} {start}: envelope {g['min']}..{g['max']}, "
                                f"expected {lo!r}..{hi!r}")
                break
    check(f"{name}: {len(periods)} periods x {len(settings)} settings"
          f"{f' ({near_ties} top lists differ only at near-ties)' if near_ties else ''}",
          not problems and len(periods) > 1,
          "\n".join(problems[:8]) + (f"\n... {len(problems)} in all" if len(problems) > 8 else ""))
    return got


# ================================================================= 2. the reference cell

def compare_reference_cell(label, db):
    problems = []
    for metric, column in (("hhi", "hhi"), ("gini", "gini"), ("top1", "top1_share"),
                           ("top10", "top10_share")):
        rc, out, err = omen(db, "--format", "csv", "robustness", "--metric", metric)
        if rc:
            problems.append(err)
            continue
        got = read_csv(out)
        mine = got[got["reference"] == "true"]
        rc, out, _ = omen(db, "--format", "csv", "concentration", "--window", "year")
        years = read_csv(out).set_index("period_start")
        for _, g in mine.iterrows():
            if g["period"] == "last-year":
                rc, out, _ = omen(db, "--format", "csv", "concentration", "--window",
                                  "cumulative", "--from", g["period_start"])
                want = read_csv(out).iloc[-1]
                if want["period_start"] != g["period_start"] or want["period_end"] != g["period_end"]:
                    problems.append(f"last year {g['period_start']}..{g['period_end']} vs "
                                    f"{want['period_start']}..{want['period_end']}")
            else:
                want = years.loc[g["period_start"]]
            if g["value"] != want[column]:
                problems.append(f"{metric} {g['period']} {g['period_start']}: {g['value']} vs "
                                f"concentration's {want[column]}")
    rc, out, _ = omen(db, "--format", "csv", "robustness", "--metric", "leaderboard",
                      "--level", "model")
    got = read_csv(out)
    for _, g in got[got["reference"] == "true"].iterrows():
        end = ref.iso(ref.day(g["period_end"]) - 6) if g["period"] == "last-year" else g["period_end"]
        rc, out, _ = omen(db, "--format", "csv", "leaderboard", "--level", "model", "--from",
                          g["period_start"], "--to", end)
        board = read_csv(out)
        if ";".join(board["entity"]) != g["top_entities"]:
            problems.append(f"model top 10 {g['period']} {g['period_start']}: {g['top_entities']}"
                            f" vs leaderboard {';'.join(board['entity'])}")
        if g["value"] != "1" or g["kendall_tau"] != "1":
            problems.append(f"the reference's tau against itself: {g['value']}")
        if g["period"] == "last-year":
            e = board["entity"].iloc[1]
            rc, out, _ = omen(db, "--format", "csv", "robustness", "--level", "model",
                              "--metric", f"share:{e}")
            mine = read_csv(out)
            mine = mine[(mine["reference"] == "true") & (mine["period"] == "last-year")]
            if mine["value"].iloc[0] != board["share"].iloc[1]:
                problems.append(f"share:{e}: {mine['value'].iloc[0]} vs leaderboard's "
                                f"{board['share'].iloc[1]}")
    check(f"{label}: the reference cell equals `omen concentration` (hhi, gini, top1, top10; "
          "year and cumulative) and `omen leaderboard` (top 10, a share) to the digit",
          not problems, "\n".join(problems[:8]))


# ================================================================= 3. every hhi setting

def compare_settings_to_concentration(label, db):
    rc, out, err = omen(db, "--format", "csv", "robustness", "--metric", "hhi")
    if rc:
        check(f"{label}: robustness --metric hhi", False, err)
        return
    got = read_csv(out)
    got = got[got["period"] == "year"]
    problems, cells = [], 0
    for (r, p, a), rows in got.groupby(["rolling", "population_min", "attribution"], sort=False):
        rc, out, _ = omen(db, "--format", "csv", "concentration", "--window", "year",
                          *setting_args(r, p, a))
        conc = read_csv(out).set_index("period_start")
        for _, g in rows.iterrows():
            cells += 1
            w = conc.loc[g["period_start"]]
            if int(w["entities"]) == 0:
                ok = g["value"] == "" and g["entities"] == "0"
            elif a == "recursive-split":
                ok = close(float(g["value"]), float(w["hhi"]), 1e-12)
            else:
                ok = g["value"] == w["hhi"] and g["downloads"] == w["downloads"]
            if not ok or g["entities"] != w["entities"]:
                problems.append(f"{r}/{p}/{a} {g['period_start']}: {g['value']} ({g['entities']}) "
                                f"vs {w['hhi']} ({w['entities']})")
    check(f"{label}: {cells} yearly cells of --metric hhi equal `omen concentration` run with "
          "each setting's options (split credit to 1e-12)", not problems and cells >= 48,
          "\n".join(problems[:8]))


# ================================================================= 4. tau from leaderboards

def compare_tau_to_leaderboards(label, db):
    rc, out, err = omen(db, "--format", "csv", "robustness", "--metric", "leaderboard",
                        "--level", "model")
    if rc:
        check(f"{label}: robustness --metric leaderboard --level model", False, err)
        return
    got = read_csv(out)
    ly = got[got["period"] == "last-year"]
    start, end = ly["period_start"].iloc[0], ref.iso(ref.day(ly["period_end"].iloc[0]) - 6)

    def board(*opts):
        rc, out, _ = omen(db, "--format", "csv", "leaderboard", "--level", "model", "--top", "10",
                          "--from", start, "--to", end, *opts)
        b = read_csv(out)
        return list(b["entity"]), [int(x) for x in b["rank"]]

    base, base_rank = board()
    problems, done = [], 0
    for s in [("182", "0", "direct"), ("730", "50", "recursive-first"),
              ("off", "1000", "direct"), ("off", "0", "recursive-first"),
              ("365", "200", "recursive-first"), ("182", "1000", "recursive-first")]:
        lst, rank = board(*setting_args(*s))
        ra, rb = dict(zip(base, base_rank)), dict(zip(lst, rank))
        union = base + [e for e in lst if e not in ra]
        want = kendalltau([ra.get(e, 11) for e in union], [rb.get(e, 11) for e in union])[0]
        row = ly[(ly["rolling"] == s[0]) & (ly["population_min"] == s[1]) &
                 (ly["attribution"] == s[2])].iloc[0]
        done += 1
        if not close(num(row["kendall_tau"]), float(want)) or not close(num(row["value"]),
                                                                        float(want)):
            problems.append(f"{'/'.join(s)}: tau {row['kendall_tau']}, scipy {want!r} "
                            f"({lst} vs {base})")
        if row["top_entities"] != ";".join(lst):
            problems.append(f"{'/'.join(s)}: top {row['top_entities']} vs leaderboard {lst}")
    check(f"{label}: kendall_tau of {done} settings (last year, model level) equals "
          "scipy.stats.kendalltau of `omen leaderboard` lists", not problems,
          "\n".join(problems[:8]))


# ================================================================= main

def main():
    if not os.path.exists(OMEN):
        print(f"{OMEN} is missing: build it first")
        print("0 passed, 1 failed")
        return 1
    n = int(os.environ.get("OMEN_CROSSCHECK_MODELS", "1500"))
    with tempfile.TemporaryDirectory(prefix="omen-rob-") as tmp:
        label = "generated seed 3"
        folder = os.path.join(tmp, "gen")
        os.mkdir(folder)
        data = ref.generate(folder, 3, n)
        db = os.path.join(folder, "omen.db")
        err = ref.ingest(db, folder, [("models", "models.csv", []),
                                      ("developers", "developers.csv", []),
                                      ("annotations", "annotations.csv", []),
                                      ("downloads", "downloads.csv", ["--kind", "weekly"])])
        check(f"{label}: {n} models ingest", not err, err)
        if err:
            return 1
        panel = ref.Panel(ref.store_order(db), **data)
        # a developer and a country present in the panel, for share:
        dev = ref.ranked(panel.dl.assign(d=panel.dl["model"].map(panel.dev_of))
                         .groupby("d")["n"].sum()).iloc[3]["entity"]
        compare_grid(label, db, panel, "hhi")
        compare_grid(label, db, panel, "gini", level="model")
        compare_grid(label, db, panel, "top4", level="country", window="quarter",
                     extra={"frm": "2022-01-01"})
        compare_grid(label, db, panel, f"share:{dev}")
        compare_grid(label, db, panel, "share:US", level="country",
                     ref_setting=("off", 50, "recursive-split"))
        compare_grid(label, db, panel, "leaderboard", level="model", top=5)
        compare_grid(label, db, panel, "leaderboard", sample="head", head_k=25)
        compare_grid(label, db, panel, "hhi", level="architecture",
                     ref_setting=("90", 100, "recursive-first"), extra={"to": "2022-12-31"})
        compare_reference_cell(label, db)
        compare_settings_to_concentration(label, db)
        compare_tau_to_leaderboards(label, db)
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
