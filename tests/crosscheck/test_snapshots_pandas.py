#!/usr/bin/python3
"""Cross-checks `omen ingest snapshot` against pandas: weekly flows from a sequence of Hub listings.

Generates random listings (seeded) at eight dates, two of them in the same ISO week, in the API's
camelCase and huggingface_hub's snake_case by turns; models appear late, disappear and come back,
and some counts go down (a reset). The files are ingested one by one in a shuffled order, one of
them twice. The reference, written here from the definition with pandas: per model keep the last
observation of each ISO week, difference consecutive kept values, clip decreases to 0, the first
flow is the first value. The 30-day `downloads` field holds noise and must not matter.
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
"""
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def generate(rng):
    dates = ["2024-03-04", "2024-03-11", "2024-03-13", "2024-03-18", "2024-04-01", "2024-04-08",
             "2024-04-22", "2024-05-06"]
    models = [f"org{i % 9}/model-{i}" for i in range(60)]
    listings, obs = {d: [] for d in dates}, []
    for m in models:
        total = rng.randrange(0, 5000)
        born = rng.randrange(0, 4)
        away = set(rng.sample(range(len(dates)), rng.randrange(0, 3)))
        for k, d in enumerate(dates):
            total += int(rng.paretovariate(1.1) * 20)
            if rng.random() < 0.05:
                total = max(0, total - rng.randrange(1, 400))  # a reset or correction
            if k < born or k in away:
                continue
            listings[d].append((m, total))
            obs.append((m, d, total))
    return dates, listings, pd.DataFrame(obs, columns=["model", "day", "cumulative"])


def write(path, rows, camel, rng):
    with open(path, "w") as f:
        for m, total in rows:
            noise = rng.randrange(0, 10**6)
            if camel:
                rec = {"id": m, "author": m.split("/")[0], "createdAt": "2024-01-02T00:00:00.000Z",
                       "downloads": noise, "downloadsAllTime": total, "tags": ["license:mit"],
                       "likes": 3}
            else:
                rec = {"id": m, "author": m.split("/")[0], "created_at": "2024-01-02T00:00:00+00:00",
                       "downloads": noise, "downloads_all_time": total, "tags": ["license:mit"],
                       "card_data": {"license": "mit"}}
            f.write(json.dumps(rec) + "\n")


def reference(obs):
    o = obs.copy()
    d = pd.to_datetime(o["day"])
    o["week"] = (d - pd.to_timedelta(d.dt.weekday, unit="D")).dt.strftime("%Y-%m-%d")
    o = o.sort_values(["model", "day"], kind="stable")
    last = o.groupby(["model", "week"], as_index=False).last().sort_values(["model", "week"])
    prev = last.groupby("model")["cumulative"].shift(1)
    flow = (last["cumulative"] - prev).clip(lower=0)
    last["flow"] = flow.where(prev.notna(), last["cumulative"])
    clipped = int(((last["cumulative"] - prev) < 0).sum())
    return {(r.model, r.week, int(r.flow)) for r in last.itertuples()}, clipped


def main():
    if not os.path.exists(OMEN):
        print(f"  skip: {OMEN} is not built")
        counts["skipped"] += 1
        return
    rng = random.Random(20240304)
    dates, listings, obs = generate(rng)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for k, d in enumerate(dates):
            files[d] = os.path.join(tmp, f"hub_{d}.jsonl")
            write(files[d], listings[d], k % 2 == 0, rng)
        order = dates[:]
        rng.shuffle(order)
        order.insert(3, order[0])  # one listing twice
        db = os.path.join(tmp, "s.db")
        rcs = []
        for d in order:
            rc, _, err = omen(db, "ingest", "snapshot", "--date", d, files[d])
            rcs.append((d, rc, err.strip()[-300:]))
        bad = [x for x in rcs if x[1] != 0]
        check(f"{len(order)} snapshot ingests (shuffled, one repeated) succeed", not bad, bad)
        expected, clipped = reference(obs)
        con = sqlite3.connect(db)
        got = {tuple(r) for r in con.execute("SELECT model, week, downloads FROM weekly_downloads")}
        missing, extra = expected - got, got - expected
        check(f"weekly flows equal pandas ({len(expected)} model-weeks)", not missing and not extra,
              f"missing {sorted(missing)[:5]}\nextra {sorted(extra)[:5]}")
        snaps = {tuple(r) for r in con.execute("SELECT model, day, cumulative FROM cumulative_snapshots")}
        raw = {(r.model, r.day, int(r.cumulative)) for r in obs.itertuples()}
        check(f"raw snapshots kept ({len(raw)} observations)", snaps == raw,
              f"{len(snaps ^ raw)} differ")
        # the same listings with other 30-day `downloads` noise: the same flows
        db3 = os.path.join(tmp, "noise.db")
        for k, d in enumerate(dates):
            other = os.path.join(tmp, f"other_{d}.jsonl")
            write(other, listings[d], k % 2 == 1, random.Random(k))
            omen(db3, "-q", "ingest", "snapshot", "--date", d, other)
        got3 = {tuple(r) for r in sqlite3.connect(db3).execute(
            "SELECT model, week, downloads FROM weekly_downloads")}
        check("the 30-day downloads (noise here) and the spelling do not change the flows",
              got3 == got)
        check(f"the test data has resets ({clipped} clipped decreases) and gaps", clipped > 0)
        # all at once in another store, in date order: same flows
        db2 = os.path.join(tmp, "t.db")
        for d in dates:
            omen(db2, "-q", "ingest", "snapshot", "--date", d, files[d])
        con2 = sqlite3.connect(db2)
        got2 = {tuple(r) for r in con2.execute("SELECT model, week, downloads FROM weekly_downloads")}
        check("the order of ingests does not matter", got2 == got)
        rc, _, err = omen(db2, "ingest", "snapshot", "--date", dates[-1], files[dates[-1]])
        check("re-ingesting a listing changes nothing", rc == 0 and "; 0 rows changed" in err, err)


if __name__ == "__main__":
    main()
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    sys.exit(1 if counts["failed"] else 0)
