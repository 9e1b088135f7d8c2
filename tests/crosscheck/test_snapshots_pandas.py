#!/usr/bin/python3
"""Cross-checks `omen ingest snapshot` against pandas: weekly flows from a sequence of Hub listings.

Generates random listings (seeded) at eight dates, two of them in the same ISO week, in the API's
camelCase and huggingface_hub's snake_case by turns; models appear late, disappear and come back,
and some counts go down (a reset). The files are ingested one by one in a shuffled order, one of
them twice. The reference, written here from the definition with pandas: per model keep the last
observation of each ISO week, difference consecutive kept values, clip decreases to 0, the first
flow is the first value; a flow of 0 is no row. The 30-day `downloads` field holds noise and must
not matter. Observations are stored only where a count changes: the stored ones must be raw ones
and include every change. The same listings as a folder (`omen ingest snapshot DIR`) give the same
flows in one run; a folder where one week is a stale copy of the week before gives the flows of
the pandas reference with that week's listing treated as unknown and the next week's flow shared
equally between the two weeks (remainder to the later one).
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
    return {(r.model, r.week, int(r.flow)) for r in last.itertuples() if r.flow > 0}, clipped


def change_points(obs):
    """The observations a change-only store must hold: each model's first, then every change."""
    o = obs.sort_values(["model", "day"], kind="stable")
    prev = o.groupby("model")["cumulative"].shift(1)
    keep = o[prev.isna() | (o["cumulative"] != prev)]
    return {(r.model, r.day, int(r.cumulative)) for r in keep.itertuples()}


def spread_stale(flows, stale_week):
    """The reference flows when stale_week's listing is a copy of the week before: a model's flow
    of the week after is shared equally with the stale week (remainder to the later week)."""
    nxt = (pd.Timestamp(stale_week) + pd.Timedelta(days=7)).strftime("%Y-%m-%d")
    out = set()
    for m, w, f in flows:
        if w != nxt:
            out.add((m, w, f))
            continue
        share, extra = divmod(f, 2)
        if share:
            out.add((m, stale_week, share))
        if share + extra:
            out.add((m, nxt, share + extra))
    return out


def folder_checks(tmp, dates, listings, files, got):
    """omen ingest snapshot DIR on a flat folder and on the hub_weekly_snapshots layout."""
    flat = os.path.join(tmp, "flat")
    os.makedirs(flat)
    for d in dates:
        os.symlink(files[d], os.path.join(flat, f"{d}.jsonl"))
    db = os.path.join(tmp, "folder.db")
    rc, _, err = omen(db, "ingest", "snapshot", flat)
    fl = {tuple(r) for r in sqlite3.connect(db).execute(
        "SELECT model, week, downloads FROM weekly_downloads")}
    check("a flat folder of <date>.jsonl ingests in one run, with the same flows", rc == 0 and fl == got,
          err[-400:])
    before = open(db, "rb").read()
    rc, _, err = omen(db, "ingest", "snapshot", flat)
    check("the folder again: every date skipped, the store unchanged",
          rc == 0 and "already in the store" in err and open(db, "rb").read() == before, err[-300:])
    # the hub_weekly_snapshots layout, one Monday a week, week 3 a byte-identical stale copy
    mondays = ["2024-06-03", "2024-06-10", "2024-06-17", "2024-06-24", "2024-07-01"]
    rng = random.Random(7)
    state, obs = {}, []
    hub = os.path.join(tmp, "hub")
    for k, d in enumerate(mondays):
        os.makedirs(os.path.join(hub, "models", d))
        path = os.path.join(hub, "models", d, "models.jsonl")
        if k == 2:
            with open(path, "w") as f:
                f.write(open(os.path.join(hub, "models", mondays[1], "models.jsonl")).read())
            continue
        rows = []
        for i in range(40):
            m = f"org{i % 5}/w-{i}"
            state[m] = state.get(m, rng.randrange(0, 300)) + int(rng.paretovariate(1.2) * 30)
            rows.append((m, state[m]))
            obs.append((m, d, state[m]))
        write(path, rows, True, rng)
    db = os.path.join(tmp, "hub.db")
    rc, _, err = omen(db, "ingest", "snapshot", hub)
    flows = {tuple(r) for r in sqlite3.connect(db).execute(
        "SELECT model, week, downloads FROM weekly_downloads")}
    ref, _ = reference(pd.DataFrame(obs, columns=["model", "day", "cumulative"]))
    want = spread_stale(ref, mondays[2])
    check("a byte-identical stale copy: its week shares the next week's downloads (pandas)",
          rc == 0 and "stale copy" in err and flows == want,
          f"{err[-300:]}\nmissing {sorted(want - flows)[:4]}\nextra {sorted(flows - want)[:4]}")
    total = sum(f for _, _, f in flows)
    check("no download lost or added by the sharing", total == sum(f for _, _, f in ref))
    # the same copy with its lines in another order: found stale by its content
    src = os.path.join(hub, "models", mondays[2], "models.jsonl")
    lines = open(src).read().splitlines()
    hub2 = os.path.join(tmp, "hub2")
    for d in mondays:
        os.makedirs(os.path.join(hub2, "models", d))
        body = open(os.path.join(hub, "models", d, "models.jsonl")).read()
        if d == mondays[2]:
            body = "\n".join(reversed(lines)) + "\n"
        open(os.path.join(hub2, "models", d, "models.jsonl"), "w").write(body)
    db = os.path.join(tmp, "hub2.db")
    rc, _, err = omen(db, "ingest", "snapshot", hub2)
    flows2 = {tuple(r) for r in sqlite3.connect(db).execute(
        "SELECT model, week, downloads FROM weekly_downloads")}
    check("a stale copy with other bytes is found by its content", rc == 0 and flows2 == want,
          err[-300:])
    stale = sqlite3.connect(db).execute("SELECT day FROM snapshot_dates WHERE stale").fetchall()
    check("snapshot_dates records the stale day", stale == [(mondays[2],)], stale)


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
        need = change_points(obs)
        check(f"stored observations are raw ones and hold every change ({len(need)} of "
              f"{len(raw)}; {len(snaps)} stored)", snaps <= raw and need <= snaps,
              f"not raw {sorted(snaps - raw)[:3]}; missing {sorted(need - snaps)[:3]}")
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
        snaps2 = {tuple(r) for r in con2.execute("SELECT model, day, cumulative FROM cumulative_snapshots")}
        check("in date order, exactly the changes are stored", snaps2 == need,
              f"{len(snaps2 ^ need)} differ")
        folder_checks(tmp, dates, listings, files, got)


if __name__ == "__main__":
    main()
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    sys.exit(1 if counts["failed"] else 0)
