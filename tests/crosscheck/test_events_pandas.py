#!/usr/bin/python3
"""Cross-checks `omen ingest events` against pandas.

The reference is the paper's counting rule written with pandas, not from the C code: parse each
timestamp to a UTC instant (ISO 8601 with a zone, no zone = UTC, a bare date, or epoch seconds),
take its UTC day, `drop_duplicates` on (user, model, day), and count per model and ISO week
(the Monday). Generated logs, seeded, have events near midnight in several time zones, duplicate
bursts, users active on many models, and every timestamp spelling.

omen must give exactly the same weekly table:
  - in memory (default --memory), and with --memory 1M (the log spills sorted runs and merges
    them), and with the merge fan-in lowered to 3 (batch merges of runs);
  - from one CSV, from the same events split over three files (duplicates across files), from
    gzip, and from JSON Lines.
Bad rows (missing user, bad timestamp, bad model id) give exit 3, `file:line: reason`, and the
store byte for byte as it was. Prints "N passed, N failed, N skipped"; exits 1 on a failure.
"""
import datetime as dt
import gzip
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    ")[:2000])


def omen(db, *args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True, errors="replace", env=e)


def generate(seed, n):
    """Events as (model, user, instant UTC seconds, text of the timestamp)."""
    rng = np.random.default_rng(seed)
    models = [f"org{i % 7}/model-{i}" for i in range(60)]
    users = [f"user{i:05d}" for i in range(3000)]
    start = int(dt.datetime(2024, 4, 29, tzinfo=dt.timezone.utc).timestamp())
    # Popular models and users are far more frequent (heavy tails, as real logs are).
    mw = 1.0 / np.arange(1, len(models) + 1) ** 1.1
    uw = 1.0 / np.arange(1, len(users) + 1) ** 0.7
    mi = rng.choice(len(models), n, p=mw / mw.sum())
    ui = rng.choice(len(users), n, p=uw / uw.sum())
    t = start + rng.integers(0, 45 * 86400, n)
    # Near midnight UTC: a tenth of the events within 90 s of a day boundary.
    near = rng.random(n) < 0.1
    t[near] = (t[near] // 86400) * 86400 + rng.integers(-90, 90, near.sum())
    # Duplicate bursts: repeat a fifth of the events a few seconds later.
    burst = rng.random(n) < 0.2
    mi = np.concatenate([mi, mi[burst]])
    ui = np.concatenate([ui, ui[burst]])
    t = np.concatenate([t, t[burst] + rng.integers(0, 5, burst.sum())])
    order = rng.permutation(len(t))
    mi, ui, t = mi[order], ui[order], t[order]
    style = rng.integers(0, 6, len(t))
    texts = []
    for k in range(len(t)):
        inst = dt.datetime.fromtimestamp(int(t[k]), dt.timezone.utc)
        s = style[k]
        if s == 0:
            texts.append(inst.strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif s == 1:
            texts.append(str(int(t[k])))
        elif s == 2:
            tz = dt.timezone(dt.timedelta(hours=5, minutes=30))
            texts.append(inst.astimezone(tz).isoformat())
        elif s == 3:
            tz = dt.timezone(dt.timedelta(hours=-8))
            texts.append(inst.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S.123-08:00"))
        elif s == 4:
            texts.append(inst.strftime("%Y-%m-%d %H:%M:%S"))  # no zone: UTC
        else:
            texts.append(f"{int(t[k])}.25")
    return pd.DataFrame(
        {
            "model": [models[i] for i in mi],
            "user": [users[i] for i in ui],
            "instant": t,
            "timestamp": texts,
        }
    )


def reference(df):
    """The counting rule with pandas, from an independent parse of the timestamp texts."""
    def parse(s):
        if s.replace(".", "", 1).isdigit():
            return pd.Timestamp(float(s), unit="s", tz="UTC")
        ts = pd.Timestamp(s)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")

    day = df["timestamp"].map(parse).map(lambda x: x.normalize().tz_localize(None))
    d = pd.DataFrame({"model": df["model"], "user": df["user"], "day": day})
    d = d.drop_duplicates(["user", "model", "day"])
    d["week"] = d["day"] - pd.to_timedelta(d["day"].dt.weekday, unit="D")
    out = d.groupby(["model", "week"]).size().reset_index(name="downloads")
    out["week"] = out["week"].dt.strftime("%Y-%m-%d")
    return out.sort_values(["model", "week"]).reset_index(drop=True)


def stored(db):
    con = sqlite3.connect(db)
    out = pd.read_sql_query(
        "SELECT model, week, downloads FROM weekly_downloads ORDER BY model, week", con
    )
    con.close()
    return out


def same(name, got, want):
    ok = got.shape == want.shape and (got.values == want.values).all()
    detail = ""
    if not ok:
        m = got.merge(want, on=["model", "week"], how="outer", suffixes=("_omen", "_pandas"))
        detail = m[m["downloads_omen"] != m["downloads_pandas"]].head(10).to_string()
    check(name, ok, detail)


def write_csv(path, df):
    df[["model", "user", "timestamp"]].to_csv(path, index=False)


def main():
    if not os.access(OMEN, os.X_OK):
        print(f"{OMEN} is missing: run make first")
        print("0 passed, 1 failed, 0 skipped")
        return 1
    tmp = tempfile.mkdtemp(prefix="omen-events-")
    df = generate(7, 200_000)
    want = reference(df)
    print(f"  {len(df)} events, {len(want)} weekly rows, "
          f"{int(want['downloads'].sum())} downloads after deduplication")
    # The parse of the test itself: pandas' instants must equal the generator's.
    check("reference parses every timestamp to its instant's UTC day",
          reference(df.assign(timestamp=df["instant"].astype(str))).equals(want))

    one = os.path.join(tmp, "events.csv")
    write_csv(one, df)
    runs = [
        ("in memory", [one], []),
        ("spilling at --memory 1M", [one], ["--memory", "1M"]),
    ]
    for k, (name, files, opts) in enumerate(runs):
        db = os.path.join(tmp, f"run{k}.db")
        r = omen(db, "ingest", "events", *opts, *files)
        check(f"{name}: exit 0", r.returncode == 0, r.stderr)
        same(f"{name}: weekly table equals pandas", stored(db), want)
        if "--memory" in opts:
            check(f"{name}: the report says runs were spilled", "spilled" in r.stderr, r.stderr)
        else:
            check(f"{name}: the report counts duplicates",
                  f"{len(df)} read" in r.stderr
                  and f"{int(want['downloads'].sum())} downloads counted" in r.stderr, r.stderr)

    db = os.path.join(tmp, "fan.db")
    r = omen(db, "ingest", "events", "--memory", "1M", one, env={"OMEN_EVENTS_FAN_IN": "3"})
    check("batch merges (fan-in 3): exit 0, more than 3 runs",
          r.returncode == 0 and any(f"; {n} sorted runs" in r.stderr for n in range(4, 99)),
          r.stderr)
    same("batch merges (fan-in 3): weekly table equals pandas", stored(db), want)

    parts = []
    for k in range(3):
        p = os.path.join(tmp, f"part{k}.csv")
        write_csv(p, df.iloc[k::3])
        parts.append(p)
    db = os.path.join(tmp, "parts.db")
    r = omen(db, "ingest", "events", "--memory", "1M", *parts)
    check("three files, duplicates across them: exit 0", r.returncode == 0, r.stderr)
    same("three files: weekly table equals pandas", stored(db), want)

    gz = os.path.join(tmp, "events.csv.gz")
    with open(one, "rb") as f, gzip.open(gz, "wb") as g:
        g.write(f.read())
    db = os.path.join(tmp, "gz.db")
    r = omen(db, "ingest", "events", gz)
    check("gzip: exit 0", r.returncode == 0, r.stderr)
    same("gzip: weekly table equals pandas", stored(db), want)

    jl = os.path.join(tmp, "events.jsonl")
    with open(jl, "w") as f:
        for m, u, inst, ts in df.itertuples(index=False):
            # numbers for epoch seconds, strings otherwise
            t = float(ts) if ts.replace(".", "", 1).isdigit() else ts
            f.write(json.dumps({"model": m, "user": u, "timestamp": t}) + "\n")
    db = os.path.join(tmp, "jl.db")
    r = omen(db, "ingest", "events", "--memory", "1M", jl)
    check("JSON Lines: exit 0", r.returncode == 0, r.stderr)
    same("JSON Lines: weekly table equals pandas", stored(db), want)

    # Bad rows: exit 3, file:line, and the store unchanged.
    bad = os.path.join(tmp, "bad.csv")
    with open(bad, "w") as f:
        f.write("model,user,timestamp\n")
        f.write("org/a,u1,2024-05-06T10:00:00Z\n")
        f.write("org/a,,2024-05-06T10:00:00Z\n")
        f.write("org/a,u2,yesterday\n")
        f.write("bad id,u3,2024-05-06\n")
    db = os.path.join(tmp, "run0.db")  # the in-memory store from above
    before = hashlib.sha256(open(db, "rb").read()).hexdigest()
    r = omen(db, "ingest", "events", bad)
    after = hashlib.sha256(open(db, "rb").read()).hexdigest()
    check("bad rows: exit 3", r.returncode == 3, r.returncode)
    check("bad rows: each named as file:line",
          f"{bad}:3: user is empty" in r.stderr and f"{bad}:4: timestamp 'yesterday'" in r.stderr
          and f"{bad}:5: model id 'bad id'" in r.stderr, r.stderr)
    check("bad rows: the store is byte for byte unchanged", before == after)
    r = omen(db, "ingest", "events", "--skip-bad", bad)
    check("--skip-bad writes the good row", r.returncode == 0 and "3 rejected" in r.stderr, r.stderr)

    fuzz(tmp)
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


def fuzz(tmp, rounds=120):
    """Seeded mutations of a small valid log (bytes flipped, inserted, cut; quotes, NULs,
    CR, huge fields, gzip headers): every run must exit 0 or 3 (never crash, never 1), and a
    run that exits 3 must leave the store as it was."""
    rng = np.random.default_rng(99)
    base = open(os.path.join(tmp, "part0.csv"), "rb").read()[:4000]
    extras = [b'"', b"\x00", b"\r", b"\n", b",", b"{", b"\x1f\x8b", b"9" * 40, b"Z", b"+99:99"]
    db = os.path.join(tmp, "fuzz.db")
    r = omen(db, "ingest", "events", os.path.join(tmp, "part1.csv"))
    bad = []
    for k in range(rounds):
        data = bytearray(base)
        for _ in range(int(rng.integers(1, 8))):
            op, pos = int(rng.integers(0, 4)), int(rng.integers(0, max(1, len(data))))
            if op == 0 and data:
                data[pos] = int(rng.integers(0, 256))
            elif op == 1:
                data[pos:pos] = extras[int(rng.integers(0, len(extras)))]
            elif op == 2:
                del data[pos:pos + int(rng.integers(1, 50))]
            else:
                data = data[:pos]
        path = os.path.join(tmp, f"fuzz{k % 4}.csv")
        open(path, "wb").write(bytes(data))
        before = hashlib.sha256(open(db, "rb").read()).hexdigest()
        r = omen(db, "ingest", "events", path)
        if r.returncode not in (0, 2, 3):
            bad.append((k, r.returncode, r.stderr[-300:]))
        elif r.returncode == 3 and hashlib.sha256(open(db, "rb").read()).hexdigest() != before:
            bad.append((k, "store changed on exit 3", ""))
    check(f"fuzz: {rounds} mutated logs exit 0 or 3 with the store kept on 3", not bad, bad[:3])


if __name__ == "__main__":
    sys.exit(main())
