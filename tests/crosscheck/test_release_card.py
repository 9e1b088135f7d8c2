#!/usr/bin/python3
"""Cross-checks the released dataset's ingest (`omen ingest evolution`) against pandas.

Reads tests/fixtures/evolution/card.csv, a small file made here from the dataset card of
mmpr/open_model_evolution_data (its 19 columns and vocabularies: org_type user/company/team,
annotator user/team/free, "A → B" modality pairs, time as a date or a TIMESTAMPTZ text), and
computes independently with pandas, from the definitions of docs/methodology.md:
  - weekly flows: per model, the last downloadsAllTime of each ISO week (weeks start on Monday,
    times are UTC), differenced between consecutive kept weeks, the first flow being the first
    value, decreases clipped to 0;
  - per ISO week, by developer (the author column), by country (org_country_single, else a
    single-valued org_country, as ISO codes; none is UNKNOWN) and by model: the HHI (sum of
    squared shares over entities with downloads > 0), the top-1 share and the entity count.
Then it ingests the file into a temporary store and compares with
`omen concentration --level L --window week --population-min 0 --no-rolling --format csv`.
Also: nothing is rejected, every row is read, and org_type `team` is reported as unmapped.
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
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
CARD = os.path.join(ROOT, "tests", "fixtures", "evolution", "card.csv")
counts = {"passed": 0, "failed": 0, "skipped": 0}

# The country names the fixture uses, as omen's codes (ISO 3166-1 alpha-2 or its specials).
CODES = {"United States of America": "US", "China": "CN", "Japan": "JP", "France": "FR",
         "Germany": "DE", "Online": "ONLINE", "International": "INTL"}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def reference_flows(df):
    """(model, week) -> weekly flow, from the cumulative counts."""
    df = df.copy()
    # Each text on its own: the file mixes dates and timestamps with a zone.
    stamps = [pd.Timestamp(t) for t in df["time"]]
    stamps = [(t.tz_convert("UTC").tz_localize(None) if t.tzinfo else t).normalize() for t in stamps]
    day = pd.Series(stamps, index=df.index)
    df["week"] = day - pd.to_timedelta(day.dt.weekday, unit="D")
    df["day"] = day
    df = df.sort_values(["model", "day"], kind="stable")
    last = df.groupby(["model", "week"], sort=True).tail(1).sort_values(["model", "week"])
    prev = last.groupby("model")["downloadsAllTime"].shift(1)
    flow = (last["downloadsAllTime"] - prev.fillna(0)).clip(lower=0)
    out = last[["model", "week"]].copy()
    out["flow"] = flow.astype("int64")
    return out


def country_of(row):
    single = row["org_country_single"]
    if isinstance(single, str) and single:
        return CODES[single]
    many = row["org_country"]
    if isinstance(many, str) and many and not any(c in many for c in ",;|"):
        return CODES[many.strip("[]' ")]
    return "UNKNOWN"


def reference_concentration(flows, entity):
    f = flows.assign(entity=entity)
    g = f[f["flow"] > 0].groupby(["week", "entity"])["flow"].sum().reset_index()
    rows = {}
    for week, part in g.groupby("week"):
        total = part["flow"].sum()
        shares = part["flow"] / total
        rows[week.strftime("%Y-%m-%d")] = (len(part), int(total), float((shares ** 2).sum()),
                                           float(shares.max()))
    return rows


def main():
    if not os.path.exists(OMEN):
        counts["skipped"] += 1
        print(f"  skipped: no {OMEN} (build it first)")
        return
    raw = pd.read_csv(CARD, dtype=str, keep_default_na=False)
    check("the fixture has the card's 19 columns", len(raw.columns) == 19, list(raw.columns))
    raw["downloadsAllTime"] = raw["downloadsAllTime"].astype("int64")
    flows = reference_flows(raw)
    first = raw.drop_duplicates("model").set_index("model")
    dev = flows["model"].map(first["author"])
    country = flows["model"].map(first.apply(country_of, axis=1))
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "card.db")
        rc, _, err = omen(db, "ingest", "evolution", CARD)
        check("the card-shaped file ingests whole (exit 0, 0 rejected)",
              rc == 0 and f"ingested {len(raw)} rows (0 rejected)" in err, err)
        check("org_type team is kept and reported as unmapped",
              "unmapped: org_type=team:" in err, err)
        for level, entity in (("developer", dev), ("country", country), ("model", flows["model"])):
            want = reference_concentration(flows, entity)
            rc, out, err = omen(db, "--format", "csv", "concentration", "--level", level,
                                "--window", "week", "--population-min", "0", "--no-rolling")
            if rc != 0:
                check(f"concentration --level {level} runs", False, err)
                continue
            got = pd.read_csv(io.StringIO(out))
            got = {r.period_start: (int(r.entities), int(round(r.downloads)), float(r.hhi),
                                    float(r.top1_share)) for r in got.itertuples()}
            check(f"{level}: the same weeks ({len(want)})", set(got) == set(want),
                  sorted(set(got) ^ set(want)))
            bad = [w for w in want if w in got and not (
                got[w][0] == want[w][0] and got[w][1] == want[w][1] and
                abs(got[w][2] - want[w][2]) < 1e-9 and abs(got[w][3] - want[w][3]) < 1e-9)]
            check(f"{level}: weekly HHI, top-1 share, entities and downloads = pandas", not bad,
                  "\n".join(f"{w}: omen {got[w]} pandas {want[w]}" for w in bad[:5]))
        check("the fixture's concentration is not trivial (several developers a week)",
              max(v[0] for v in reference_concentration(flows, dev).values()) >= 4)


if __name__ == "__main__":
    main()
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    sys.exit(1 if counts["failed"] else 0)
