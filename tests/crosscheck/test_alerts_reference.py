#!/usr/bin/python3
"""Cross-checks `omen alerts` against an independent implementation of its rules.

The reference below is written from docs/methodology.md ("Alerts"), not from the C code. It
takes each period's amounts per entity from `omen shares --top 1000000` and the list of periods
from `omen concentration` (the engine those come from has its own cross-check,
test_concentration_pandas.py), and finds the alerts: band_crossed (the 2023 Merger Guidelines
band of HHI x 10000 changed, the old band held for --hold periods), hhi_rise (up more than 100
points), overtaking (among the period's top 5, the pair's order the other way in each of the
--hold periods before, by the top 20 remembered per period), change_point (a break of the HHI series up to the period
that the series up to the period before has at the same value, every break of the --hold ones
before those lying before it; by optimal partitioning from test_changes_pelt.py), top10_entry (in no top 10 of the
periods ending in the 364 days before; more than 10 entities) and share_jump (a share moved
by at least --jump). omen must give the same alerts (period end, kind, level, entity, other) with
before and after equal to 1e-9 relative.

Data: `omen synth --scale 0.02 --seed 11`, every week from the first (--since), the levels
developer, country, org_type and model, under the defaults, --window trailing52 and month,
--hold 1 with --jump 0.01, and recursive attribution without the Rolling Window Filter.
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure."""
import csv
import datetime as dt
import io
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_changes_pelt import diff_sigma, optimal_partitioning  # noqa: E402 (O(n^2), exact)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    ")[:3000])


def omen(db, *args):
    r = subprocess.run([OMEN, "--db", db, "--format", "csv", *args], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise RuntimeError(f"omen {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return list(csv.DictReader(io.StringIO(r.stdout)))


def band(h):
    return "highly" if h > 1800 else "moderately" if h >= 1000 else "unconcentrated"


def change_points(periods, hhi, hold, wanted, sliding, m=4):
    """change_point: the breaks of optimal partitioning (the same segmentation as PELT) of the
    HHI series up to each wanted period, with the BIC penalty 2 ln n sigma^2, that the
    segmentation up to the period before has at the same value, while every break of the
    --hold ones before those two lies before it, and that no earlier period confirmed. hhi: end -> HHI (0-1) of the periods with downloads."""
    ends = [e for _, e in periods]
    # a break is named by its period's first day, or with a sliding window (periods sharing
    # their first day) by the Monday of its last week
    starts = {e: (e - dt.timedelta(days=6) if sliding else st) for st, e in periods}
    y, upto, period_of = [], [], []
    for e in ends:
        if e in hhi:
            period_of.append(e)
            y.append(hhi[e])
        upto.append(len(y))
    cache = {}

    def breaks(k):
        if k not in cache:
            n = upto[k]
            sigma = diff_sigma(y[:n])[0] if n else 0.0
            beta = 2 * math.log(n) if n > 1 else 0.0
            cache[k] = (optimal_partitioning(y[:n], beta * sigma * sigma, m)[:-1]
                        if sigma > 0 else [])
        return cache[k]

    out, once = [], set()
    for k, e in enumerate(ends):
        if k == 0 or e not in hhi:
            continue
        b = breaks(k)
        for i, x in enumerate(b):
            if x not in breaks(k - 1) or x in once:
                continue
            if any(b2 >= x for j in range(2, min(hold + 1, k) + 1) for b2 in breaks(k - j)):
                continue
            once.add(x)  # a break is confirmed once, even if revised away and back
            if e not in wanted:
                continue
            lo, hi = (b[i - 1] if i else 0), (b[i + 1] if i + 1 < len(b) else upto[k])
            before = sum(y[lo:x]) / (x - lo) * 10000
            after = sum(y[x:hi]) / (hi - x) * 10000
            out.append((e, "change_point", "", starts[period_of[x]].isoformat(), before, after))
    return out


def reference(periods, amounts, hold, jump, top=10, leaders=5, remembered=20):
    """periods: [(start, end)] in order; amounts: end -> {entity: amount}. Alerts are dated by
    their period's last day (sliding windows' periods share first days)."""
    out, per = [], []
    for k, (start, end) in enumerate(periods):
        am = amounts.get(end, {})
        total = sum(am.values())
        sh = {e: a / total for e, a in am.items()} if total > 0 else {}
        hhi = sum(s * s for s in sh.values()) * 10000
        rank = sorted(sh, key=lambda e: (-am[e], e.encode()))
        per.append({"end": end, "sh": sh, "hhi": hhi, "rank": rank[:remembered],
                    "n": len(sh)})
        if k == 0:
            continue
        c, b = per[k], per[k - 1]
        if not c["n"] or not b["n"]:
            continue
        old, new = band(b["hhi"]), band(c["hhi"])
        held = old != new and all(per[k - j]["n"] and band(per[k - j]["hhi"]) == old
                                  for j in range(2, min(hold, k) + 1))
        if held:
            out.append((end, "band_crossed", "", "", b["hhi"], c["hhi"]))
        if c["hhi"] - b["hhi"] > 100:
            out.append((end, "hhi_rise", "", "", b["hhi"], c["hhi"]))
        lead = rank[:leaders]
        for i, x in enumerate(lead):
            for y in lead[i + 1:]:
                if not sh[x] > sh[y]:
                    continue

                def above(p, u, v):
                    r = p["rank"]
                    return u in r and (v not in r or r.index(u) < r.index(v))

                if all(above(per[k - t], y, x) for t in range(1, min(hold, k) + 1)):
                    out.append((end, "overtaking", x, y, b["sh"].get(x, 0), sh[x]))
        if c["n"] > top:
            for i, e in enumerate(rank[:top]):
                fresh = True
                for j in range(1, k + 1):
                    if per[k - j]["end"] < end - dt.timedelta(days=364):
                        break
                    fresh = fresh and e not in per[k - j]["rank"][:top]
                if fresh:
                    ps = b["sh"]
                    r = (1 + sum(1 for o in ps if ps[o] > ps[e] or (ps[o] == ps[e] and
                                                                   o.encode() < e.encode()))
                         if e in ps else None)
                    out.append((end, "top10_entry", e, "", r, i + 1))
        for e in set(sh) | set(b["sh"]):
            d = sh.get(e, 0) - b["sh"].get(e, 0)
            if abs(d) >= jump * (1 - 1e-9):
                out.append((end, "share_jump", e, "", b["sh"].get(e, 0), sh.get(e, 0)))
    return out


def close(a, b, rel):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(rel * abs(b), 1e-12)


def compare(db, name, levels, opts, hold=4, jump=0.02, since=None):
    """All kinds from `since` on (default: the first period), change points included."""
    want = []
    for level in levels:
        conc = omen(db, "concentration", "--level", level, *opts)
        # a period without downloads is no period: the one after it is compared with the last
        # one that had downloads
        periods = [(dt.date.fromisoformat(r["period_start"]),
                    dt.date.fromisoformat(r["period_end"])) for r in conc
                   if int(r["entities"]) > 0]
        since = since or periods[0][0]
        hhi = {dt.date.fromisoformat(r["period_end"]): float(r["hhi"]) for r in conc
               if int(r["entities"]) > 0}
        amounts = {}
        for r in omen(db, "shares", "--level", level, "--top", "1000000", *opts):
            if r["entity"] != "(rest)":
                amounts.setdefault(dt.date.fromisoformat(r["period_end"]), {})[r["entity"]] = \
                    float(r["downloads"])
        wanted = {e for _, e in periods if e >= since}
        found = reference(periods, amounts, hold, jump)
        found += change_points(periods, hhi, hold, wanted,
                               any(w in opts for w in ("trailing52", "cumulative")))
        for a in found:
            if a[0] >= since:
                want.append((a[0].isoformat(), a[1], level, a[2], a[3], a[4], a[5]))
    args = ["alerts", "--levels", ",".join(levels), "--since", since.isoformat(),
            "--hold", str(hold), "--jump", str(jump), *opts]
    got = [(r["period_end"], r["kind"], r["level"], r["entity"], r["other"],
            float(r["before"]) if r["before"] != "" else None, float(r["after"]))
           for r in omen(db, *args)]
    key = lambda a: a[:5]
    gk, wk = sorted(map(key, got)), sorted(map(key, want))
    check(f"{name}: the same {len(want)} alerts", gk == wk,
          f"omen only: {sorted(set(gk) - set(wk))[:10]}\nreference only: "
          f"{sorted(set(wk) - set(gk))[:10]}")
    wmap = {key(a): a for a in want}
    bad = [(g, wmap[key(g)]) for g in got if key(g) in wmap and not (
        close(g[5], wmap[key(g)][5], 1e-9) and close(g[6], wmap[key(g)][6], 1e-9))]
    check(f"{name}: before and after to 1e-9", not bad, bad[:5])
    kinds = sorted({a[1] for a in want})
    print(f"    kinds: {', '.join(kinds)}")
    return kinds


def main():
    if not os.access(OMEN, os.X_OK):
        check("binary " + OMEN, False, "missing")
        return 1
    with tempfile.TemporaryDirectory(prefix="omen-alerts-") as tmp:
        db = os.path.join(tmp, "s.db")
        subprocess.run([OMEN, "--db", db, "-q", "synth", "--scale", "0.02", "--seed", "11"],
                       check=True, capture_output=True)
        levels = ["developer", "country", "org_type", "model"]
        seen = set()
        seen.update(compare(db, "week, defaults", levels, []))
        seen.update(compare(db, "week, hold 2, since 2024", ["developer", "country"], [], hold=2,
                            since=dt.date(2024, 1, 1)))
        seen.update(compare(db, "trailing52", levels, ["--window", "trailing52"]))
        seen.update(compare(db, "month", levels, ["--window", "month"]))
        seen.update(compare(db, "hold 1, jump 0.01", ["country", "org_type"], [], hold=1,
                            jump=0.01))
        seen.update(compare(db, "recursive, no rolling", ["developer", "country"],
                            ["--attribution", "recursive", "--no-rolling"]))
        every = {"band_crossed", "hhi_rise", "change_point", "overtaking", "top10_entry",
                 "share_jump"}
        check("every kind occurs in some comparison", every <= seen, sorted(every - seen))
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
