#!/usr/bin/python3
"""Checks sql/events_to_weekly.sql on a real PostgreSQL server against `omen ingest events`, and
`omen ingest downloads --pg CONNINFO --query SQL` against the CSV route.

The test starts its own PostgreSQL (Debian's postgresql package, any installed major version)
in a temporary folder, listening only on a Unix socket there, and stops it at the end. As root
the server runs as the `postgres` user (PostgreSQL refuses root). Without PostgreSQL the checks
are skipped with a message.

Steps: generate a seeded event log (the generator of test_events_pandas.py: every timestamp
spelling, near-midnight events in several zones, duplicate bursts); load it into a table
`events(model, user_id, ts timestamptz)` with COPY; run sql/events_to_weekly.sql; then
  1. its weekly table, exported with COPY and ingested with `omen ingest downloads`, equals the
     store that `omen ingest events` builds from the same log;
  2. `omen ingest downloads --pg ... --query 'SELECT model, week, downloads FROM
     weekly_downloads'` builds the same store as well;
  3. bad input from the server (a NULL model, a negative count) is exit 3 with the row named
     and the store unchanged; a connection that fails is exit 1.
Prints "N passed, N failed, N skipped"; exits 1 on a failure.
"""
import glob
import hashlib
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_events_pandas as ev  # noqa: E402  (the generator and the pandas reference)

ROOT = ev.ROOT
OMEN = ev.OMEN
counts = ev.counts
check = ev.check


def pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


class Server:
    def __init__(self, bindir, tmp):
        self.bindir, self.dir = bindir, os.path.join(tmp, "pg")
        self.data, self.sock = os.path.join(self.dir, "data"), os.path.join(self.dir, "sock")
        os.makedirs(self.sock)
        self.as_user = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for d in (tmp, self.dir, self.sock):
                os.chown(d, user.pw_uid, user.pw_gid)
            os.chmod(tmp, 0o755)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *cmd, **kw):
        return subprocess.run(self.as_user + list(cmd), capture_output=True, text=True, **kw)

    def start(self):
        r = self.run(os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "omen",
                     "--auth=trust", "-E", "UTF8", "--locale=C")
        if r.returncode:
            return r.stderr
        opts = f"-c listen_addresses='' -k {self.sock} -c fsync=off -c timezone=UTC"
        r = self.run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-o", opts,
                     "-l", os.path.join(self.dir, "log"), "-w", "start")
        return r.stderr if r.returncode else None

    def stop(self):
        self.run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "fast", "stop")

    def conninfo(self, db="postgres"):
        return f"host={self.sock} user=omen dbname={db}"

    def psql(self, sql, db="postgres"):
        return subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-v", "ON_ERROR_STOP=1",
                               "-q", self.conninfo(db)], input=sql, capture_output=True,
                              text=True)


def stored(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT model, week, downloads FROM weekly_downloads "
                       "ORDER BY model, week").fetchall()
    con.close()
    return rows


def main():
    bindir = pg_bin()
    if not bindir or not shutil.which("runuser"):
        print("  skip: PostgreSQL is not installed (Debian package postgresql; "
              "scripts/bootstrap installs it)")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    tmp = tempfile.mkdtemp(prefix="omen-pg-")
    srv = Server(bindir, tmp)
    err = srv.start()
    if err:
        check("PostgreSQL starts in a temporary folder", False, err)
        print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
        return 1
    try:
        return body(srv, tmp)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def body(srv, tmp):
    df = ev.generate(11, 60_000)
    log = os.path.join(tmp, "events.csv")
    ev.write_csv(log, df)
    os.chmod(log, 0o644)
    # Epoch seconds are numbers; everything else is ISO 8601 (no zone = UTC, as in omen).
    load = f"""
        CREATE TABLE raw(model TEXT, user_id TEXT, ts TEXT);
        \\copy raw FROM '{log}' WITH (FORMAT csv, HEADER true)
        CREATE TABLE events AS SELECT model, user_id,
            CASE WHEN ts ~ '^[0-9]+(\\.[0-9]+)?$' THEN to_timestamp(ts::float8)
                 ELSE ts::timestamptz END AS ts FROM raw;
    """
    r = srv.psql(load)
    check("the log loads into PostgreSQL", r.returncode == 0, r.stderr)
    sql = open(os.path.join(ROOT, "sql", "events_to_weekly.sql")).read()
    r = srv.psql(sql)
    check("sql/events_to_weekly.sql runs", r.returncode == 0, r.stderr)
    weekly = os.path.join(tmp, "weekly.csv")
    r = srv.psql(f"\\copy (SELECT model, week, downloads FROM weekly_downloads ORDER BY 1, 2) "
                 f"TO '{weekly}' WITH (FORMAT csv, HEADER true)")
    check("its weekly table exports", r.returncode == 0, r.stderr)

    a, b, c = (os.path.join(tmp, f"{n}.db") for n in "abc")
    r = ev.omen(a, "ingest", "events", "--memory", "1M", log)
    check("omen ingest events: exit 0", r.returncode == 0, r.stderr)
    r = ev.omen(b, "ingest", "downloads", "--kind", "weekly", weekly)
    check("omen ingest downloads of the SQL's output: exit 0", r.returncode == 0, r.stderr)
    want = stored(a)
    check("the SQL's weekly table equals omen's own (%d rows)" % len(want),
          want and stored(b) == want)
    ref = ev.reference(df)
    check("and both equal pandas", [tuple(x) for x in ref.itertuples(index=False)] == want)

    q = "SELECT model, week, downloads FROM weekly_downloads"
    r = ev.omen(c, "ingest", "downloads", "--kind", "weekly", "--pg", srv.conninfo(), "--query", q)
    check("omen ingest downloads --pg: exit 0", r.returncode == 0, r.stderr)
    check("--pg gives the same store", stored(c) == want)
    con = sqlite3.connect(c)
    src = con.execute("SELECT file FROM ingests ORDER BY id DESC LIMIT 1").fetchone()[0]
    con.close()
    check("the ingests table names the database, not a password",
          src.startswith("postgresql:") and "dbname=postgres" in src, src)

    before = hashlib.sha256(open(c, "rb").read()).hexdigest()
    r = ev.omen(c, "ingest", "downloads", "--pg", srv.conninfo(), "--query",
                "SELECT * FROM (VALUES ('org/x', DATE '2024-05-06', 5), (NULL, DATE "
                "'2024-05-06', 1), ('org/y', DATE '2024-05-06', -2)) AS t(model, week, downloads)")
    after = hashlib.sha256(open(c, "rb").read()).hexdigest()
    check("bad rows from the server: exit 3 naming rows 2 and 3",
          r.returncode == 3 and ":2: model id" in r.stderr and ":3: downloads '-2'" in r.stderr,
          r.stderr)
    check("bad rows from the server: the store is unchanged", before == after)
    r = ev.omen(c, "ingest", "downloads", "--pg", f"host={tmp}/nowhere dbname=x", "--query", q)
    check("a failed connection: exit 1 with libpq's reason",
          r.returncode == 1 and "cannot connect" in r.stderr, r.stderr)
    r = ev.omen(c, "ingest", "downloads", "--pg", srv.conninfo(), "--query", "SELECT nonsense")
    check("a failed query: exit 1 with the server's message",
          r.returncode == 1 and "query failed" in r.stderr, r.stderr)
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
