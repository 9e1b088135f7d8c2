#!/usr/bin/python3
"""Cross-checks the concentration engine against an independent pandas implementation.

The reference below is written from docs/methodology.md ("The concentration engine") and
DESIGN.md section 5, not from the C code: Population and Head samples, --from/--to, the
effective created date min(created, first week with downloads > 0), the Rolling Window Filter,
direct and recursive attribution (--merge-policy first and split, cycles broken at the
bytewise smallest id, a base model without a row of its own as a root with its namespace as
developer), the levels model, developer, country, org_type and an annotation field (a model's
labels share its credit equally), the windows week, month, quarter, year, trailing52 and
cumulative, and the measures (HHI, x10000, normalised, Gini, top-1/10/100 shares, rank
segments, entity counts). Leaderboards (--period all and last-year), shares and the map are
checked too.

Data:
  (a) generated panels, seeded: a few thousand models with derivation trees (merges of two and
      three models, three cycles, base models with no row of their own), developers with a
      country, with an empty one and with no row, created dates mid-week, missing, later
      than the first downloads, and the Hub's 2022-03-02 placeholder on models downloaded
      before it; annotations with one to three labels. Written as CSV and ingested with
      `omen ingest`; the reference reads the same CSV files.
  (b) the real model trees of <repo>/../shared/data/real/hf_model_trees_oderinwale (nodes.csv
      as models, edges.csv as edges) with seeded synthetic weekly downloads per model and
      seeded countries per namespace. The reference takes the models, developers, created
      dates and base-model lists from the store those files were ingested into (the ingest of
      these files has its own cross-check, test_real_ingest.py). Skipped when the folder is
      absent.

omen must agree to 1e-9 relative with an absolute floor of 1e-12. CSV is read with
float_precision="round_trip" and without NA parsing (the country code NA is Namibia).
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
OMEN_CROSSCHECK_MODELS sets the size of the first generated panel (default 3000).
"""
import datetime as dt
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "real"))
REL, ABS = 1e-9, 1e-12
EPOCH = dt.date(1970, 1, 1)
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def skip(name, why):
    counts["skipped"] += 1
    print(f"  skip {name}: {why}")


def close(got, want):
    return abs(got - want) <= max(REL * abs(want), ABS)


def day(text):
    return (dt.date.fromisoformat(text) - EPOCH).days


def iso(d):
    return (EPOCH + dt.timedelta(days=int(d))).isoformat()


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def read_csv(text):
    return pd.read_csv(io.StringIO(text), float_precision="round_trip", keep_default_na=False,
                       na_values=[])


# ================================================================= the reference

class Panel:
    """The inputs of the engine, as plain Python and pandas data.

    order: model names in the store's order (ties at the Head Sample's k-th place go to the
    model listed first); developer: model -> developer (a model without a row: its namespace);
    created: model -> day number or None; parents: model -> ordered base models;
    country, org_type: developer -> value (absent: no value); labels: field -> model -> labels;
    downloads: DataFrame model, week (day number of the Monday), n.
    """

    def __init__(self, order, developer, created, parents, country, org_type, labels, downloads):
        self.order = list(order)
        self.index = {m: i for i, m in enumerate(self.order)}
        self.developer = developer
        self.created = created
        self.parents = parents
        self.country = country
        self.org_type = org_type
        self.labels = labels
        d = downloads.groupby(["model", "week"], as_index=False)["n"].sum()
        self.dl = d
        self.first_week = int(d["week"].min())
        self.last_week = int(d["week"].max())
        self.weeks = list(range(self.first_week, self.last_week + 1, 7))
        self.total = d.groupby("model")["n"].sum()
        first_pos = d[d["n"] > 0].groupby("model")["week"].min()
        ce = {}
        for m in set(self.order) | set(first_pos.index):
            c, f = self.created.get(m), first_pos.get(m)
            f = None if f is None or pd.isna(f) else int(f)
            ce[m] = f if c is None else (c if f is None else min(c, f))
        self.created_eff = ce

    def dev_of(self, m):
        d = self.developer.get(m)
        if d:
            return d
        return m.split("/", 1)[0] if "/" in m else m


_accepted = {}


def accepted(command):
    """The options `omen COMMAND --help` lists."""
    if command not in _accepted:
        p = subprocess.run([OMEN, command, "--help"], capture_output=True, text=True)
        _accepted[command] = set(re.findall(r"^\s+(--[a-z0-9-]+)", p.stdout, re.M))
    return _accepted[command]


class Query:
    def __init__(self, **kw):
        self.sample = kw.get("sample", "population")
        self.population_min = kw.get("population_min", 200)
        self.head_k = kw.get("head_k", 200)
        self.rolling = kw.get("rolling", 365)  # None: --no-rolling
        self.attribution = kw.get("attribution", "direct")
        self.merge = kw.get("merge", "first")
        self.level = kw.get("level", "developer")
        self.window = kw.get("window", "week")
        self.frm = kw.get("frm")
        self.to = kw.get("to")
        self.cuts = kw.get("cuts", [1, 10, 100, 1000])
        self.top = kw.get("top", 10)
        self.last_year = kw.get("last_year", False)

    def args(self, command="concentration"):
        """The query as options of `command`: only those it reads (an option an analysis does not
        read is a usage error, and its --help lists the ones it does)."""
        return [x for opt in self._options() if opt[0] in accepted(command) for x in opt]

    def _options(self):
        a = self._all()
        out, i = [], 0
        while i < len(a):
            if i + 1 < len(a) and not a[i + 1].startswith("--"):
                out.append(a[i:i + 2])
                i += 2
            else:
                out.append(a[i:i + 1])
                i += 1
        return out

    def _all(self):
        a = ["--sample", self.sample, "--population-min", str(self.population_min),
             "--head-k", str(self.head_k), "--attribution", self.attribution,
             "--merge-policy", self.merge, "--level", self.level, "--window", self.window,
             "--segments", ",".join(map(str, self.cuts)), "--top", str(self.top)]
        a += ["--no-rolling"] if self.rolling is None else ["--rolling", str(self.rolling)]
        if self.frm:
            a += ["--from", self.frm]
        if self.to:
            a += ["--to", self.to]
        if self.last_year:
            a += ["--period", "last-year"]
        return a

    def describe(self):
        parts = [f"{self.level}", f"{self.window}", f"sample {self.sample}"]
        if self.sample == "head":
            parts.append(f"k {self.head_k}")
        if self.population_min != 200:
            parts.append(f"min {self.population_min}")
        parts.append("no rolling" if self.rolling is None else f"rolling {self.rolling}")
        parts.append(self.attribution + ("/" + self.merge if self.attribution == "recursive"
                                         else ""))
        if self.frm or self.to:
            parts.append(f"{self.frm or ''}..{self.to or ''}")
        if self.cuts != [1, 10, 100, 1000]:
            parts.append("segments " + ",".join(map(str, self.cuts)))
        if self.last_year:
            parts.append("last-year")
        return ", ".join(parts)


def sample(panel, q):
    """Population: total downloads over the whole panel >= the minimum. Head: the union over
    weeks of each week's top k Population models with downloads that week (ties: the model
    listed first in the store)."""
    models = set(panel.order)
    if q.sample == "all":
        return models
    pop = {m for m in models if int(panel.total.get(m, 0)) >= q.population_min}
    if q.sample == "population":
        return pop
    d = panel.dl[(panel.dl["n"] > 0) & panel.dl["model"].isin(pop)].copy()
    d["order"] = d["model"].map(panel.index)
    d = d.sort_values(["week", "n", "order"], ascending=[True, False, True])
    return set(d.groupby("week").head(q.head_k)["model"])


def roots_cut(panel, q):
    """The models treated as roots to break cycles: in every cycle of the base-model graph
    (the first base model only, under `first`), the one with the smallest id."""
    if q.merge == "first":
        succ = {m: ps[:1] for m, ps in panel.parents.items() if ps}
    else:
        succ = {m: list(ps) for m, ps in panel.parents.items() if ps}
    # Tarjan's strongly connected components, iteratively.
    index, low, on, stack, comps, counter = {}, {}, set(), [], [], [0]
    for root in list(succ):
        if root in index:
            continue
        work = [(root, iter(succ.get(root, [])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ.get(w, []))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(comp)
    cut = set()
    for comp in comps:
        members = set(comp)
        inner = [sum(p in members for p in succ[m]) for m in comp]
        if any(k != 1 for k in inner):
            raise ValueError(f"the reference handles simple cycles only: {sorted(comp)[:6]}")
        cut.add(min(comp))
    return cut


def credits(panel, q):
    """model -> {root: weight}, weights summing to 1."""
    if q.attribution == "direct":
        return None
    cut = roots_cut(panel, q)
    memo = {}

    def base(m):
        if m in cut:
            return []
        ps = panel.parents.get(m, [])
        return ps[:1] if q.merge == "first" else ps

    for start in panel.dl["model"].unique():
        if start in memo:
            continue
        stack = [start]
        while stack:
            m = stack[-1]
            if m in memo:
                stack.pop()
                continue
            ps = base(m)
            todo = [p for p in ps if p not in memo]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            if not ps:
                memo[m] = {m: 1.0}
                continue
            acc = defaultdict(float)
            for p in ps:
                for r, w in memo[p].items():
                    acc[r] += w / len(ps)
            memo[m] = dict(acc)
    return memo


def entities_of(panel, q, root):
    """The level's entities of a credited model with their weights."""
    if q.level == "model":
        return [(root, 1.0)]
    dev = panel.dev_of(root)
    if q.level == "developer":
        return [(dev, 1.0)]
    if q.level == "country":
        return [(panel.country.get(dev) or "UNKNOWN", 1.0)]
    if q.level == "org_type":
        return [(panel.org_type.get(dev) or "unknown", 1.0)]
    labels = list(dict.fromkeys(panel.labels.get(q.level, {}).get(root, [])))
    if not labels:
        return [("(none)", 1.0)]
    return [(v, 1.0 / len(labels)) for v in labels]


def range_weeks(panel, q, whole=False):
    lo = day(q.frm) if q.frm else panel.first_week
    hi = day(q.to) if q.to else panel.last_week
    weeks = [w for w in panel.weeks if lo <= w <= hi]
    created_lo = None
    if whole and q.last_year and weeks:
        to = weeks[-1]  # the last week counted
        created_lo = to - 365
        weeks = [w for w in weeks if w > created_lo]
    return weeks, created_lo


def weekly(panel, q, weeks, created_lo=None):
    """DataFrame week, entity, amount of the downloads counted."""
    d = panel.dl[(panel.dl["n"] > 0) & panel.dl["week"].isin(set(weeks))]
    d = d[d["model"].isin(sample(panel, q))].copy()
    ce = d["model"].map(panel.created_eff)
    if q.rolling is not None:
        d = d[(d["week"] - ce) < q.rolling]
        ce = ce[d.index]
    if created_lo is not None:
        d = d[(ce > created_lo) & (ce <= weeks[-1])]
    if d.empty:
        return pd.DataFrame({"week": [], "entity": [], "amount": []})
    cred = credits(panel, q)
    rows = []
    for m in d["model"].unique():
        for root, w in (cred[m].items() if cred is not None else [(m, 1.0)]):
            for e, w2 in entities_of(panel, q, root):
                rows.append((m, e, w * w2))
    ct = pd.DataFrame(rows, columns=["model", "entity", "weight"])
    x = d.merge(ct, on="model")
    x["amount"] = x["n"].astype(float) * x["weight"]
    return x.groupby(["week", "entity"], as_index=False)["amount"].sum()


def calendar(window, w):
    d = EPOCH + dt.timedelta(days=w)
    months = {"month": 1, "quarter": 3, "year": 12}[window]
    first = 1 if window == "year" else (d.month - 1) // months * months + 1
    start = dt.date(d.year, first, 1)
    ny, nm = (d.year + 1, first + months - 12) if first + months > 12 else (d.year, first + months)
    end = dt.date(ny, nm, 1) - dt.timedelta(days=1)
    return (start - EPOCH).days, (end - EPOCH).days


def periods(panel, q, whole=False):
    """[(start, end, Series entity -> amount > 0)] in time order."""
    weeks, created_lo = range_weeks(panel, q, whole)
    wk = weekly(panel, q, weeks, created_lo)
    if not weeks:
        return []
    ents = sorted(wk["entity"].unique())
    col = {e: i for i, e in enumerate(ents)}
    row = {w: i for i, w in enumerate(weeks)}
    mat = np.zeros((len(weeks), max(len(ents), 1)))
    np.add.at(mat, (wk["week"].map(row).to_numpy(), wk["entity"].map(col).to_numpy()),
              wk["amount"].to_numpy())
    names = np.array(ents + ([] if ents else [""]), dtype=object)
    groups = []  # (start, end, week rows)
    if whole:
        groups.append((weeks[0], weeks[-1] + 6, list(range(len(weeks)))))
    elif q.window == "week":
        groups = [(w, w + 6, [i]) for i, w in enumerate(weeks)]
    elif q.window in ("month", "quarter", "year"):
        for i, w in enumerate(weeks):
            s, e = calendar(q.window, w)
            if groups and groups[-1][0] == s:
                groups[-1][2].append(i)
            else:
                groups.append((s, e, [i]))
    elif q.window == "trailing52":
        for i, w in enumerate(weeks):
            rows = [j for j, v in enumerate(weeks) if w - 51 * 7 <= v <= w]
            groups.append((max(w - 51 * 7, weeks[0]), w + 6, rows))
    elif q.window == "cumulative":
        groups = [(weeks[0], w + 6, list(range(i + 1))) for i, w in enumerate(weeks)]
    out = []
    for s, e, rows in groups:
        v = mat[rows].sum(axis=0)
        keep = v > 0
        out.append((s, e, pd.Series(v[keep], index=names[keep])))
    return out


def measures(amounts, cuts):
    x = np.sort(amounts.to_numpy(dtype=float))
    n = len(x)
    r = {"entities": n, "downloads": float(x.sum()) if n else 0.0}
    segs = ["seg_" + (f"{lo}" if lo == hi else f"{lo}_{hi}")
            for lo, hi in zip([1] + [c + 1 for c in cuts[:-1]], cuts)] + ["seg_rest"]
    if n == 0:
        for k in ["hhi", "hhi_10000", "hhi_normalized", "gini", "top1_share", "top10_share",
                  "top100_share", *segs]:
            r[k] = 0.0
        return r
    total = x.sum()
    s = x / total
    hhi = float(np.sum(s * s))
    r["hhi"], r["hhi_10000"] = hhi, hhi * 10000
    r["hhi_normalized"] = 1.0 if n == 1 else (hhi - 1 / n) / (1 - 1 / n)
    i = np.arange(1, n + 1)
    r["gini"] = 0.0 if n == 1 else 2 * np.sum(i * x) / (n * total) - (n + 1) / n
    desc = x[::-1]
    for k in (1, 10, 100):
        r[f"top{k}_share"] = 1.0 if k >= n else desc[:k].sum() / total
    bounds = [0, *cuts]
    for name, lo, hi in zip(segs, bounds, bounds[1:] + [max(n, bounds[-1])]):
        r[name] = desc[lo:hi].sum() / total if lo < n else 0.0
    return r


def ranked(amounts):
    """Entities by downloads, largest first, ties by name."""
    df = pd.DataFrame({"entity": amounts.index, "amount": amounts.to_numpy()})
    return df.sort_values(["amount", "entity"], ascending=[False, True], kind="stable")


# ================================================================= comparisons

def compare_concentration(label, db, panel, q):
    name = f"{label}: concentration ({q.describe()})"
    rc, out, err = omen(db, "--format", "csv", "concentration", *q.args("concentration"))
    if rc != 0:
        check(name, False, err)
        return
    got = read_csv(out)
    ref = periods(panel, q)
    problems = []
    if len(got) != len(ref):
        problems.append(f"{len(got)} periods, expected {len(ref)}")
    for (s, e, amounts), (_, g) in zip(ref, got.iterrows()):
        if g["period_start"] != iso(s) or g["period_end"] != iso(e):
            problems.append(f"period {g['period_start']}..{g['period_end']}, "
                            f"expected {iso(s)}..{iso(e)}")
            continue
        if g["level"] != q.level:
            problems.append(f"{iso(s)}: level {g['level']}")
        for k, want in measures(amounts, q.cuts).items():
            if k not in g:
                problems.append(f"no column {k}")
            elif k == "entities" and int(g[k]) != want:
                problems.append(f"{iso(s)}: entities {g[k]}, expected {want}")
            elif not close(float(g[k]), want):
                problems.append(f"{iso(s)}: {k} {g[k]!r}, expected {want!r}")
    check(f"{name}: {len(ref)} periods", not problems,
          "\n".join(problems[:8]) + (f"\n... {len(problems)} in all" if len(problems) > 8 else ""))


def compare_listing(rows, amounts, top, what):
    """Rows of one period (entity, downloads, share) against the reference amounts: the same
    downloads and shares, in descending order, the reference's top entities up to near-ties at
    the cut."""
    problems = []
    total = float(amounts.sum())
    r = ranked(amounts)
    want = r.head(top)
    if len(rows) != len(want):
        problems.append(f"{what}: {len(rows)} rows, expected {len(want)}")
    last = None
    for _, g in rows.iterrows():
        e = g["entity"]
        if e not in amounts.index:
            problems.append(f"{what}: {e!r} is not an entity of the period")
            continue
        if not close(float(g["downloads"]), float(amounts[e])):
            problems.append(f"{what}: {e!r} downloads {g['downloads']!r}, expected {amounts[e]!r}")
        if not close(float(g["share"]), float(amounts[e]) / total):
            problems.append(f"{what}: {e!r} share {g['share']!r}, expected {amounts[e] / total!r}")
        if last is not None and float(g["downloads"]) > last * (1 + REL):
            problems.append(f"{what}: {e!r} out of order")
        last = float(g["downloads"])
    if len(want) and len(rows):
        cut = float(want["amount"].iloc[-1])
        if float(rows["downloads"].min()) < cut * (1 - REL):
            problems.append(f"{what}: lists an entity below the top {top} (cut {cut!r})")
    return problems


def compare_shares(label, db, panel, q):
    name = f"{label}: shares --top {q.top} ({q.describe()})"
    rc, out, err = omen(db, "--format", "csv", "shares", *q.args("shares"))
    if rc != 0:
        check(name, False, err)
        return
    got = read_csv(out)
    problems = []
    ref = periods(panel, q)
    for s, e, amounts in ref:
        rows = got[(got["period_start"] == iso(s)) & (got["period_end"] == iso(e))]
        rest = rows[rows["entity"] == "(rest)"]
        listed = rows[rows["entity"] != "(rest)"]
        problems += compare_listing(listed, amounts, q.top, iso(s))
        n = len(amounts)
        if n > q.top:
            r = ranked(amounts)
            want = float(r["amount"].iloc[q.top:].sum())
            total = float(amounts.sum())
            if len(rest) != 1:
                problems.append(f"{iso(s)}: no (rest) row")
            else:
                # The rest is computed from the entities omen listed, which may differ from
                # the reference's at a near-tie: compare against the same listing.
                want = total - float(amounts[listed["entity"]].sum())
                if not close(float(rest["downloads"].iloc[0]), want) and \
                        abs(float(rest["downloads"].iloc[0]) - want) > REL * total:
                    problems.append(f"{iso(s)}: (rest) {rest['downloads'].iloc[0]!r}, "
                                    f"expected {want!r}")
                if abs(float(rest["share"].iloc[0]) - want / total) > max(REL * want / total,
                                                                          REL * 1e-3, ABS):
                    problems.append(f"{iso(s)}: (rest) share {rest['share'].iloc[0]!r}")
        elif len(rest):
            problems.append(f"{iso(s)}: a (rest) row with {n} entities and --top {q.top}")
    nrows = sum(min(len(a), q.top) + (len(a) > q.top) for _, _, a in ref)
    if len(got) != nrows:
        problems.append(f"{len(got)} rows, expected {nrows}")
    check(f"{name}: {len(ref)} periods, {nrows} rows", not problems,
          "\n".join(problems[:8]) + (f"\n... {len(problems)} in all" if len(problems) > 8 else ""))


def rank_ok(rank, amount, all_amounts):
    """Competition ranking: 1 + the entities with more downloads (near-ties either way)."""
    above_sure = int(np.sum(all_amounts > amount * (1 + REL) + ABS))
    above_maybe = int(np.sum(all_amounts > amount * (1 - REL) - ABS)) - 1
    return above_sure + 1 <= rank <= max(above_maybe, above_sure) + 1


def compare_leaderboard(label, db, panel, q, command="leaderboard"):
    what = "map" if command == "map" else "leaderboard"
    if command == "map":
        q = Query(**{**q.__dict__, "level": "country", "frm": q.frm, "to": q.to,
                     "last_year": q.last_year})
    name = f"{label}: {what} ({q.describe()}, top {q.top})"
    args = q.args(command)
    rc, out, err = omen(db, "--format", "csv", command, *args)
    if rc != 0:
        check(name, False, err)
        return
    got = read_csv(out)
    ref = periods(panel, q, whole=True)
    amounts = ref[0][2] if ref else pd.Series(dtype=float)
    problems = []
    if command == "map":
        got = got.rename(columns={"country": "entity"})
        if list(got.columns) != ["rank", "entity", "name", "downloads", "share"]:
            problems.append(f"columns {list(got.columns)}")
        if (got["name"] == "").any():
            problems.append("a country without a name")
        top = len(amounts)
    else:
        top = q.top
    problems += compare_listing(got, amounts, top, what)
    values = amounts.to_numpy(dtype=float)
    for _, g in got.iterrows():
        if g["entity"] in amounts.index and not rank_ok(int(g["rank"]), float(amounts[g["entity"]]),
                                                        values):
            problems.append(f"{g['entity']!r}: rank {g['rank']}")
        if q.level in ("model", "developer") and command != "map":
            dev = g["entity"] if q.level == "developer" else panel.dev_of(g["entity"])
            want = (panel.country.get(dev) or "UNKNOWN", panel.org_type.get(dev) or "unknown")
            if (g["country"], g["org_type"]) != want:
                problems.append(f"{g['entity']!r}: {g['country']}, {g['org_type']}, expected {want}")
    check(f"{name}: {len(got)} rows of {len(amounts)} entities", not problems,
          "\n".join(problems[:8]) + (f"\n... {len(problems)} in all" if len(problems) > 8 else ""))


# ================================================================= generated panels

COUNTRIES = ["US", "CN", "FR", "DE", "GB", "KR", "JP", "IN", "CA", "IL", "NA", "ONLINE", "INTL",
             "USER"]
ORG_TYPES = ["company", "university", "nonprofit", "community", "government", "user"]
ARCH = ["Transformer: Text Decoder-only", "Transformer: Text Encoder-only", "CNN",
        "Diffusion-based Network", "Mixture-of-Experts"]
RELATIONS = ["finetune", "adapter", "quantized", "merge", "continued_pretraining", "other"]
ARTIFACT = day("2022-03-02")


def generate(folder, seed, n_models, n_devs=250, first="2021-01-04", n_weeks=130):
    """Writes models.csv, developers.csv, annotations.csv and downloads.csv; returns the Panel
    the reference sees (the store order is read back from the store later)."""
    rng = np.random.default_rng(seed)
    start = day(first)
    mondays = [start + 7 * i for i in range(n_weeks)]
    devs = [f"dev{i:03d}" for i in range(n_devs - 3)] + ["Zeta", "alpha", "Org.X"]
    dev_weight = 1.0 / np.arange(1, len(devs) + 1) ** 0.9
    dev_weight /= dev_weight.sum()
    country, org_type, dev_rows = {}, {}, []
    for d in devs:
        u = rng.random()
        if u < 0.80:
            c, o = COUNTRIES[rng.integers(len(COUNTRIES))], ORG_TYPES[rng.integers(len(ORG_TYPES))]
            if rng.random() < 0.1:
                o = ""
            dev_rows.append((d, c, o))
        elif u < 0.90:
            c, o = "", ORG_TYPES[rng.integers(len(ORG_TYPES))] if rng.random() < 0.5 else ""
            dev_rows.append((d, c, o))
        else:
            continue  # no row at all
        if c:
            country[d] = c
        if o:
            org_type[d] = o
    # Two base models that have no row, one of whose namespace has a developers row.
    dev_rows.append(("ghost1", "KR", "company"))
    country["ghost1"], org_type["ghost1"] = "KR", "company"
    ghosts = ["ghost0/base", "ghost1/base-a", "ghost1/base-b", "ghost2/root"]

    names, developer, created, parents, labels = [], {}, {}, {}, defaultdict(dict)
    model_rows, dl_rows = [], []
    for i in range(n_models):
        d = devs[rng.choice(len(devs), p=dev_weight)]
        m = f"{d}/model-{i}" if rng.random() > 0.01 else f"legacy{i}"
        names.append(m)
        dev_col = ""
        if rng.random() < 0.05:
            dev_col = devs[rng.integers(len(devs))]
            developer[m] = dev_col
        s = int(rng.integers(0, n_weeks - 1))
        u = rng.random()
        if u < 0.10:
            c, first_dl = None, s
        elif u < 0.17 and mondays[s] < ARTIFACT:
            c, first_dl = ARTIFACT, s  # the placeholder, downloaded long before
        elif u < 0.22:
            first_dl = s
            c = mondays[s] + int(rng.integers(1, 90))  # created after its first downloads
        else:
            c = mondays[s] + int(rng.integers(0, 7))  # any weekday of its first week
            first_dl = min(n_weeks - 1, s + int(rng.integers(0, 3)))
        if c is not None:
            created[m] = c
        length = int(min(n_weeks - first_dl, 1 + rng.geometric(1 / 40)))
        scale = float(rng.lognormal(2.5, 2.2))
        decay = float(rng.uniform(0.0, 0.06))
        for k in range(length):
            n = int(scale * np.exp(-decay * k) * rng.lognormal(0, 0.6))
            if n > 0 or rng.random() < 0.05:
                dl_rows.append((m, iso(mondays[first_dl + k]), n))
        base, relation = [], ""
        if i > 20 and rng.random() < 0.45:
            k = 1 if rng.random() < 0.85 else (2 if rng.random() < 0.65 else 3)
            base = [names[j] for j in rng.choice(i, size=k, replace=False)]
            if rng.random() < 0.05:
                base[int(rng.integers(len(base)))] = ghosts[int(rng.integers(len(ghosts)))]
            base = list(dict.fromkeys(base))
            relation = "merge" if len(base) > 1 else RELATIONS[int(rng.integers(len(RELATIONS)))]
        parents[m] = base
        if rng.random() < 0.3:
            k = int(rng.integers(1, 4))
            labels["architecture"][m] = list(rng.choice(ARCH, size=k, replace=False))
        model_rows.append([m, dev_col, "" if c is None else iso(c), ";".join(base), relation])
    # Three cycles among models without base models: of 3, 2 and 4 models.
    free = [j for j in range(n_models) if not parents[names[j]] and "legacy" not in names[j]]
    picks = rng.choice(free, size=9, replace=False)
    for group in (picks[:3], picks[3:5], picks[5:9]):
        for a, b in zip(group, np.roll(group, -1)):
            parents[names[a]] = [names[b]]
            model_rows[a][3], model_rows[a][4] = names[b], "finetune"
    pd.DataFrame(model_rows, columns=["model", "developer", "created", "base_models", "relation"]
                 ).to_csv(os.path.join(folder, "models.csv"), index=False)
    pd.DataFrame(dev_rows, columns=["developer", "country", "org_type"]).to_csv(
        os.path.join(folder, "developers.csv"), index=False)
    ann = [(m, "architecture", v) for m, vs in labels["architecture"].items() for v in vs]
    pd.DataFrame(ann, columns=["model", "field", "value"]).to_csv(
        os.path.join(folder, "annotations.csv"), index=False)
    dl = pd.DataFrame(dl_rows, columns=["model", "week", "downloads"])
    dl.to_csv(os.path.join(folder, "downloads.csv"), index=False)
    downloads = pd.DataFrame({"model": dl["model"], "week": dl["week"].map(day),
                              "n": dl["downloads"].astype(np.int64)})
    return dict(developer=developer, created=created, parents=parents, country=country,
                org_type=org_type, labels=dict(labels), downloads=downloads)


def store_order(db):
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT name FROM models ORDER BY id")]
    finally:
        con.close()


def ingest(db, folder, files):
    for source, name, extra in files:
        rc, _, err = omen(db, "-q", "ingest", source, *extra, os.path.join(folder, name))
        if rc != 0:
            return err
    return ""


GENERATED_QUERIES = [
    Query(),
    Query(level="model", rolling=None),
    Query(rolling=180, attribution="recursive", merge="first"),
    Query(level="country", attribution="recursive", merge="split"),
    Query(level="org_type", attribution="recursive", merge="split", window="month"),
    Query(sample="head", head_k=15, window="trailing52", attribution="recursive"),
    Query(sample="all", level="model", window="cumulative", rolling=None),
    Query(level="country", window="quarter", attribution="recursive", frm="2021-06-09",
          to="2022-09-30"),
    Query(window="year", population_min=1000, cuts=[1, 5, 50]),
    Query(level="architecture", attribution="recursive", merge="split", window="month"),
    Query(level="developer", window="trailing52", rolling=None, frm="2021-03-01",
          to="2022-12-31"),
    Query(level="model", sample="head", head_k=40, rolling=90, attribution="recursive",
          merge="split", window="quarter"),
]


def test_generated(tmp, seed, n_models, queries):
    label = f"generated seed {seed}"
    folder = os.path.join(tmp, f"gen{seed}")
    os.mkdir(folder)
    data = generate(folder, seed, n_models)
    db = os.path.join(folder, "omen.db")
    err = ingest(db, folder, [("models", "models.csv", []),
                              ("developers", "developers.csv", []),
                              ("annotations", "annotations.csv", []),
                              ("downloads", "downloads.csv", ["--kind", "weekly"])])
    check(f"{label}: {n_models} models, {len(data['downloads'])} download rows ingest", not err,
          err)
    if err:
        return
    panel = Panel(store_order(db), **data)
    cut = roots_cut(panel, Query(attribution="recursive"))
    check(f"{label}: the reference sees {len(panel.order)} models, {len(panel.weeks)} weeks, "
          f"3 cycles (cut at {', '.join(sorted(cut))})",
          len(panel.order) >= n_models and len(cut) == 3)
    rc, out, _ = omen(db, "--format", "json", "leaderboard", "--attribution", "recursive")
    broken = json.loads(out)["meta"].get("cycles_broken") if rc == 0 else None
    check(f"{label}: omen breaks the 3 cycles too", broken == 3, f"cycles_broken {broken}")
    for q in queries:
        compare_concentration(label, db, panel, q)
    q = Query(rolling=None, attribution="recursive", merge="split", window="quarter", top=7)
    compare_shares(label, db, panel, q)
    compare_shares(label, db, panel, Query(level="country", top=5, window="trailing52"))
    compare_shares(label, db, panel, Query(level="model", top=20, sample="head", head_k=10))
    for q in [Query(top=25), Query(level="model", top=30, attribution="recursive"),
              Query(level="model", top=30, last_year=True),
              Query(top=15, last_year=True, attribution="recursive", merge="split"),
              Query(level="org_type", last_year=True, to="2022-06-15"),
              Query(level="architecture", last_year=True, frm="2022-09-01",
                    attribution="recursive", merge="split"),
              Query(level="country", rolling=None, frm="2021-05-01", to="2022-01-31")]:
        compare_leaderboard(label, db, panel, q)
    for q in [Query(), Query(last_year=True), Query(attribution="recursive", last_year=True,
                                                    rolling=180),
              Query(sample="all", rolling=None, to="2021-12-31")]:
        compare_leaderboard(label, db, panel, q, command="map")


# ================================================================= real model trees

def test_real_trees(tmp):
    folder = os.path.join(REAL, "hf_model_trees_oderinwale")
    label = "real model trees"
    if not os.path.isdir(folder):
        skip(label, f"{folder} is absent")
        return
    db = os.path.join(tmp, "trees.db")
    err = ingest(db, folder, [("models", "nodes.csv", []), ("edges", "edges.csv", [])])
    if err:
        check(f"{label}: nodes.csv and edges.csv ingest", False, err)
        return
    con = sqlite3.connect(db)
    models = pd.read_sql_query("SELECT name, developer, created FROM models ORDER BY id", con)
    edges = pd.read_sql_query("SELECT child, parent FROM model_edges ORDER BY child, position",
                              con)
    con.close()
    rng = np.random.default_rng(20250422)
    # Countries per namespace, seeded: most with one, some empty, some with no row.
    ns = sorted({(d if isinstance(d, str) and d else (n.split("/", 1)[0] if "/" in n else n))
                 for n, d in zip(models["name"], models["developer"])})
    dev_rows, country, org_type = [], {}, {}
    for d in ns:
        u = rng.random()
        if u < 0.85:
            c = COUNTRIES[rng.integers(len(COUNTRIES))] if u < 0.75 else ""
            o = ORG_TYPES[rng.integers(len(ORG_TYPES))]
            dev_rows.append((d, c, o))
            if c:
                country[d] = c
            org_type[d] = o
    pd.DataFrame(dev_rows, columns=["developer", "country", "org_type"]).to_csv(
        os.path.join(tmp, "trees_developers.csv"), index=False)
    # Weekly downloads per model, seeded, around the created date (before it for some, the
    # 2022-03-02 placeholders among them); models without a date anywhere in the panel.
    first, n_weeks = day("2022-01-03"), 180
    mondays = [first + 7 * i for i in range(n_weeks)]
    rows = []
    for name, created in zip(models["name"], models["created"]):
        if rng.random() < 0.15:
            continue  # no downloads (base models referred to only)
        if isinstance(created, str) and created:
            c = day(created)
            s = int(np.clip((c - first) // 7 + rng.integers(-30, 4), 0, n_weeks - 1))
        else:
            s = int(rng.integers(0, n_weeks))
        length = int(min(n_weeks - s, 1 + rng.geometric(1 / 30)))
        scale = float(rng.lognormal(3.0, 2.0))
        for k in range(length):
            n = int(scale * rng.lognormal(0, 0.7))
            if n > 0:
                rows.append((name, iso(mondays[s + k]), n))
    dl = pd.DataFrame(rows, columns=["model", "week", "downloads"])
    dl.to_csv(os.path.join(tmp, "trees_downloads.csv"), index=False)
    err = ingest(db, tmp, [("developers", "trees_developers.csv", []),
                           ("downloads", "trees_downloads.csv", ["--kind", "weekly"])])
    check(f"{label}: {len(models)} models, {len(edges)} edges, {len(dl)} synthetic download "
          "rows ingest", not err, err)
    if err:
        return
    parents = defaultdict(list)
    for c, p in zip(edges["child"], edges["parent"]):
        parents[c].append(p)
    developer = {n: d for n, d in zip(models["name"], models["developer"])
                 if isinstance(d, str) and d}
    created = {n: day(c) for n, c in zip(models["name"], models["created"])
               if isinstance(c, str) and c}
    panel = Panel(store_order(db), developer, created, dict(parents), country, org_type, {},
                  pd.DataFrame({"model": dl["model"], "week": dl["week"].map(day),
                                "n": dl["downloads"].astype(np.int64)}))
    for q in [Query(),
              Query(level="model", attribution="recursive"),
              Query(attribution="recursive", merge="split", rolling=180),
              Query(level="country", attribution="recursive", window="month", rolling=None),
              Query(level="org_type", sample="head", head_k=25, window="trailing52"),
              Query(level="model", sample="all", window="cumulative", frm="2023-01-01",
                    to="2024-06-30")]:
        compare_concentration(label, db, panel, q)
    compare_shares(label, db, panel, Query(attribution="recursive", window="quarter", top=10))
    compare_leaderboard(label, db, panel, Query(level="model", attribution="recursive", top=50))
    compare_leaderboard(label, db, panel, Query(attribution="recursive", top=50, last_year=True))
    compare_leaderboard(label, db, panel, Query(attribution="recursive", last_year=True),
                        command="map")
    compare_leaderboard(label, db, panel, Query(rolling=None), command="map")


def main():
    if not os.path.exists(OMEN):
        print(f"{OMEN} is missing: build it first")
        print("0 passed, 1 failed")
        return 1
    n = int(os.environ.get("OMEN_CROSSCHECK_MODELS", "3000"))
    with tempfile.TemporaryDirectory(prefix="omen-conc-") as tmp:
        test_generated(tmp, 1, n, GENERATED_QUERIES)
        test_generated(tmp, 2, max(n // 2, 200), GENERATED_QUERIES[:6])
        test_real_trees(tmp)
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
