#!/usr/bin/python3
"""Tests `omen pull` against tests/pull/server.py on 127.0.0.1 (no network).

Always (hand-written listing, tests/fixtures/pull/listing.json, 7 models in pages of 3):
pagination by Link: rel="next"; a 500, a 429 with Retry-After and a connection dropped mid-body,
each followed by success; --limit; an outage (503 from page 2 on) that exhausts the retries, then
a second run that resumes at the saved cursor; a second week's listing differenced into flows;
--parquet with a transfer dropped mid-body and resumed by a Range request (needs libduckdb).
With ../shared/data/real: the listing is built at run time from the real records of
hf_model_trees_oderinwale/raw_*.json (their downloadsAllTime is null there, so 4 x the 30-day
count stands in), served with faults, and what lands in the store is checked record by record.
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
"""
import glob
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
SERVER = os.path.join(ROOT, "tests", "pull", "server.py")
LISTING = os.path.join(ROOT, "tests", "fixtures", "pull", "listing.json")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "real",
                                     "hf_model_trees_oderinwale"))
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    ")[:2000])


def skip(name, why):
    counts["skipped"] += 1
    print(f"  skip {name}: {why}")


class Server:
    def __init__(self, tmp, records, *extra):
        self.log = os.path.join(tmp, f"server{time.monotonic_ns()}.log")
        port_file = self.log + ".port"
        self.p = subprocess.Popen([sys.executable, SERVER, "--records", records, "--port-file",
                                   port_file, "--log", self.log, *extra])
        for _ in range(500):
            if os.path.exists(port_file):
                break
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{open(port_file).read().strip()}"

    def requests(self):
        return [l.split(" ", 2) for l in open(self.log).read().splitlines()] \
            if os.path.exists(self.log) else []

    def stop(self):
        self.p.terminate()
        self.p.wait()


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def flows(db):
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT model, week, downloads FROM weekly_downloads"))
    finally:
        con.close()


def tiny(tmp):
    records = json.load(open(LISTING))
    expect = sorted((r["id"], "2025-01-06", r["downloadsAllTime"]) for r in records)
    # pagination with a 500, a 429 (Retry-After: 1) and a dropped connection
    s = Server(tmp, LISTING, "--page-size", "3", "--faults", "500@0,429@1,drop@2")
    db = os.path.join(tmp, "t.db")
    rc, _, err = omen(db, "pull", "--base-url", s.url + "/", "--date", "2025-01-06",
                      "--backoff", "0.01", "--page-size", "3")
    reqs = s.requests()
    s.stop()
    check("pull over 3 pages with a 500, a 429 and a dropped connection succeeds", rc == 0, err)
    check("every model and its downloadsAllTime landed as that week's flow", flows(db) == expect,
          f"{flows(db)}\n{expect}")
    check("each failed page was asked again and then answered",
          [(r[0], r[1]) for r in reqs] == [("0", "500"), ("0", "200"), ("1", "429"),
                                           ("1", "200"), ("2", "drop"), ("2", "200")], reqs)
    check("the first request asks for the listing's fields (expand[]) and the page size",
          reqs and "limit=3" in reqs[0][2] and "expand%5B%5D=downloadsAllTime" in reqs[0][2]
          and "expand%5B%5D=safetensors" in reqs[0][2], reqs[:1])
    check("Retry-After is honoured (the wait after the 429 is 1 s, others back off)",
          "HTTP 429; retrying in 1.0 s" in err and "HTTP 500; retrying in 0.0 s" in err, err)
    check("the state folder is gone after a complete pull", not os.path.exists(db + ".pull"))
    con = sqlite3.connect(db)
    edges = sorted(con.execute(
        "SELECT c.name, p.name, e.relation FROM edges e JOIN models c ON c.id = e.child "
        "JOIN models p ON p.id = e.parent"))
    lic = dict(con.execute("SELECT name, license FROM models"))
    con.close()
    check("base_model:<relation>:<id> tags became edges with their relation", edges == [
        ("acme/base-7b-instruct", "acme/base-7b", "finetune"),
        ("kumo/chat-1", "acme/base-7b", "adapter"), ("mix/merged", "acme/base-7b", "merge"),
        ("mix/merged", "kumo/chat-1", "merge"), ("solo/base-7b-gguf", "acme/base-7b", "quantized")],
        edges)
    check("license:<id> tags became licenses", lic.get("lab/vision") == "cc-by-nc-4.0"
          and lic.get("kumo/chat-1") == "llama3.1", lic)

    # --limit
    s = Server(tmp, LISTING, "--page-size", "3")
    db2 = os.path.join(tmp, "limit.db")
    rc, _, err = omen(db2, "pull", "--base-url", s.url, "--date", "2025-01-06", "--limit", "4")
    reqs = s.requests()
    s.stop()
    check("--limit 4 stops after 4 models and 2 pages",
          rc == 0 and len(flows(db2)) == 4 and len(reqs) == 2, f"{err}\n{reqs}")

    # an outage from page 2 on: retries exhausted, exit 1, state kept; the next run resumes
    s = Server(tmp, LISTING, "--page-size", "3", "--down-from", "2")
    db3 = os.path.join(tmp, "resume.db")
    rc, _, err = omen(db3, "pull", "--base-url", s.url, "--date", "2025-01-06", "--retries", "2",
                      "--backoff", "0.01")
    s.stop()
    state = os.path.join(db3 + ".pull", "2025-01-06.state")
    saved = open(state).read() if os.path.exists(state) else ""
    check("an outage exhausts the retries: exit 1, 'run omen pull again to resume'",
          rc == 1 and "run omen pull again to resume" in err, err)
    check("the cursor and the 2 pages fetched are kept beside the store",
          "pages 2\n" in saved and "models 6\n" in saved and "cursor=2" in saved, saved)
    # the same address (the state belongs to one base URL)
    s = Server(tmp, LISTING, "--page-size", "3", "--port", s.url.rsplit(":", 1)[1])
    rc, _, err = omen(db3, "pull", "--base-url", s.url, "--date", "2025-01-06")
    reqs = s.requests()
    s.stop()
    check("the next run resumes at page 2 (no page fetched twice) and completes",
          rc == 0 and [r[0] for r in reqs] == ["2"] and "resumed" in err, f"{err}\n{reqs}")
    check("the resumed pull stores the same flows as an uninterrupted one", flows(db3) == expect)

    # a week later: flows are the differences of downloadsAllTime
    s = Server(tmp, LISTING, "--page-size", "3", "--add", "10")
    rc, _, err = omen(db, "pull", "--base-url", s.url, "--date", "2025-01-13")
    s.stop()
    week2 = sorted((m, w, d) for m, w, d in flows(db) if w == "2025-01-13")
    want = sorted((r["id"], "2025-01-13", 10 * (i + 1)) for i, r in enumerate(records))
    check("a second weekly pull adds flows = the differences of downloadsAllTime",
          rc == 0 and week2 == want, f"{err}\n{week2}\n{want}")
    return db


def parquet(tmp, db):
    rc, out, _ = omen(db, "--version")
    if "parquet: libduckdb" not in out:
        return skip("pull --parquet", "this omen was built without libduckdb")
    duck = os.path.join(ROOT, "third_party", "duckdb")
    tool = os.path.join(tmp, "duckdb_sql")
    cc = subprocess.run(["cc", "-std=c11", "-isystem", f"{duck}/include", "-o", tool,
                         os.path.join(ROOT, "tests", "tools", "duckdb_sql.c"), f"-L{duck}/lib",
                         "-lduckdb", f"-Wl,-rpath,{duck}/lib"], capture_output=True, text=True)
    if cc.returncode:
        return skip("pull --parquet", f"cannot build the fixture writer: {cc.stderr[:200]}")
    pq = os.path.join(tmp, "models.parquet")
    subprocess.run([tool, f"COPY (SELECT id, author, createdAt AS created_at, downloadsAllTime, "
                    f"tags FROM read_json('{LISTING}', format = 'array')) TO '{pq}' "
                    "(FORMAT parquet)"], check=True, capture_output=True)
    s = Server(tmp, LISTING, "--parquet", pq, "--parquet-faults", "drop")
    dbp = os.path.join(tmp, "pq.db")
    rc, _, err = omen(dbp, "pull", "--parquet", s.url + "/models.parquet", "--date",
                      "2025-01-06", "--backoff", "0.01")
    reqs = s.requests()
    s.stop()
    check("pull --parquet: a dropped transfer resumes with a Range request and ingests",
          rc == 0 and [r[1] for r in reqs][:2] == ["drop", "206"]
          and flows(dbp) == flows(os.path.join(tmp, "resume.db")), f"{err}\n{reqs}")


def real(tmp):
    raws = sorted(glob.glob(os.path.join(REAL, "raw_*.json")))
    if not raws:
        return skip("replay of real Hub records", f"{REAL}/raw_*.json is absent")
    records, seen = [], set()
    for path in raws:
        for m in json.load(open(path))["models"]:
            try:
                info = json.loads(m["metadata"])
            except (TypeError, ValueError):
                continue
            if info["id"] in seen:
                continue
            seen.add(info["id"])
            records.append({
                "_id": info.get("_id"), "id": info["id"], "author": info.get("author"),
                "createdAt": info.get("created_at"), "downloads": info.get("downloads"),
                "downloadsAllTime": 4 * (info.get("downloads") or 0), "likes": info.get("likes"),
                "tags": info.get("tags") or [], "pipeline_tag": info.get("pipeline_tag"),
                "library_name": info.get("library_name"), "gated": info.get("gated"),
                "safetensors": info.get("safetensors"), "usedStorage": info.get("usedStorage"),
                "cardData": info.get("cardData")})
    listing = os.path.join(tmp, "real.json")
    json.dump(records, open(listing, "w"))
    s = Server(tmp, listing, "--page-size", "50", "--faults", "429@1,drop@3,503@5")
    db = os.path.join(tmp, "real.db")
    rc, _, err = omen(db, "pull", "--base-url", s.url, "--date", "2025-04-21", "--page-size",
                      "50", "--backoff", "0.01")
    s.stop()
    check(f"replay of {len(records)} real Hub records with faults: pull succeeds", rc == 0, err)
    con = sqlite3.connect(db)
    got = {r[0]: r[1:] for r in con.execute("SELECT name, license, params, developer FROM models")}
    edges = set(con.execute("SELECT c.name, p.name, e.relation FROM edges e JOIN models c ON "
                            "c.id = e.child JOIN models p ON p.id = e.parent"))
    week = dict(con.execute("SELECT model, downloads FROM weekly_downloads"))
    con.close()
    rel = {"finetune", "adapter", "quantized", "merge"}
    bad, want_edges = [], set()
    for r in records:
        lic = next((t[8:] for t in r["tags"] if t.startswith("license:")), None)
        params = (r["safetensors"] or {}).get("total")
        want = (lic, params, r["author"])
        if got.get(r["id"]) != want:
            bad.append((r["id"], got.get(r["id"]), want))
        for t in r["tags"]:
            parts = t.split(":")
            if parts[0] == "base_model" and len(parts) == 3 and parts[1] in rel:
                want_edges.add((r["id"], parts[2], parts[1]))
    check("every real record's license, safetensors.total and author landed", not bad, bad[:5])
    typed = {e for e in edges if e[2] != "other"}
    check(f"the base_model:<relation>:<id> tags gave exactly {len(want_edges)} typed edges",
          typed == want_edges, f"missing {sorted(want_edges - typed)[:3]} extra "
          f"{sorted(typed - want_edges)[:3]}")
    # a flow of 0 (a model never downloaded) is no row
    check("each model's flow is its downloadsAllTime",
          all(week.get(r["id"], 0) == r["downloadsAllTime"] for r in records))


def main():
    if not os.path.exists(OMEN):
        return skip("pull", f"{OMEN} is not built")
    tmp = tempfile.mkdtemp(prefix="omen-pull-")
    try:
        db = tiny(tmp)
        parquet(tmp, db)
        real(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    print(f"pull: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    sys.exit(1 if counts["failed"] else 0)
