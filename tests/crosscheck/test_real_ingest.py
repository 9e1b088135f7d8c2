#!/usr/bin/python3
"""Cross-checks the ingest of real Hugging Face data against an independent pandas computation.

Reads ../shared/data/real (skips cleanly when it is absent), ingests with $BUILD/omen into
temporary stores and compares what landed, value by value:
  - nctu6_taide: cumulative all-time counts -> weekly flows (last observation per ISO week per
    model, differenced, the first flow = the first value, decreases clipped to 0), exactly;
    the raw snapshots kept; --baseline-first; --kind auto finds the series cumulative;
  - hf_model_trees_oderinwale: every model of nodes.csv with its developer, created date (UTC
    date of created_at), parameter count (safetensors_total), storage bytes, library, pipeline
    tag, license and gating; the base models named by base_model_tags; every edge of edges.csv
    with its relation and its position (order of first appearance among the child's rows);
  - kb-labb and vismatch: 30-day counts ingested as weekly rows sum per model and ISO week
    exactly; vismatch's wide file, whose first date appears twice, gives the same store.
  - morepeanuts_oslm_analyst/hf_namespaces.csv (70 real namespaces with org type and country):
    every row ingests as a developer (the label policy): Company/University/Non-Profit mapped,
    "Research Lab" kept as given and reported as unmapped (13 rows), "UAE" -> AE; with
    --strict-labels those 13 rows are rejected and nothing is written. Skipped, saying so, when
    the file is absent (its licence forbids copying it into tests/fixtures).
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "real"))
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return pd.read_sql_query(sql, con)
    finally:
        con.close()


def monday(dates):
    d = pd.to_datetime(dates).dt.normalize()
    return (d - pd.to_timedelta(d.dt.weekday, unit="D")).dt.strftime("%Y-%m-%d")


def diff_sets(got, expected, limit=5):
    missing, extra = expected - got, got - expected
    return (f"{len(missing)} expected rows missing, e.g. {sorted(missing)[:limit]}\n"
            f"{len(extra)} unexpected rows, e.g. {sorted(extra)[:limit]}")


def cumulative_flows(obs, baseline_first=False):
    """obs: model, day, cumulative. The reference derivation, written from the definition."""
    o = obs.copy()
    o["week"] = monday(o["day"])
    o = o.sort_values(["model", "day"], kind="stable")
    last = o.groupby(["model", "week"], as_index=False).last()
    last = last.sort_values(["model", "week"])
    prev = last.groupby("model")["cumulative"].shift(1)
    flow = (last["cumulative"] - prev).clip(lower=0)
    first = prev.isna()
    last["flow"] = flow.where(~first, last["cumulative"])
    if baseline_first:
        last = last[~first]
    # a week whose flow is 0 has no row
    return {(r.model, r.week, int(r.flow)) for r in last.itertuples() if r.flow > 0}


def stored_weekly(db):
    w = query(db, "SELECT model, week, downloads FROM weekly_downloads")
    return {(r.model, r.week, int(r.downloads)) for r in w.itertuples()}


def test_nctu6(tmp):
    path = os.path.join(REAL, "nctu6_taide_huggingface_stats", "models_long.csv")
    raw = pd.read_csv(path)
    obs = raw.rename(columns={"model_id": "model", "date": "day",
                              "downloads_all_time": "cumulative"})[["model", "day", "cumulative"]]
    db = os.path.join(tmp, "nctu6.db")
    rc, _, err = omen(db, "ingest", "downloads", "--kind", "cumulative", "--count-column",
                      "downloads_all_time", path)
    check("nctu6: cumulative ingest succeeds", rc == 0, err)
    expected, got = cumulative_flows(obs), stored_weekly(db)
    check(f"nctu6: {len(expected)} weekly flows equal the differenced cumulative series exactly",
          got == expected, diff_sets(got, expected))
    last = obs.sort_values("day").groupby("model")["cumulative"].last()
    sums = query(db, "SELECT model, sum(downloads) AS s FROM weekly_downloads GROUP BY model")
    monotone = (obs.sort_values(["model", "day"]).groupby("model")["cumulative"].diff().dropna()
                >= 0).all()
    if monotone:
        check("nctu6: each model's flows add up to its last all-time count",
              dict(zip(sums.model, sums.s)) == {m: int(v) for m, v in last.items()})
    # Observations are kept where a model's count changes: its first, then every change.
    snaps = query(db, "SELECT model, day, cumulative FROM cumulative_snapshots")
    o = obs.sort_values(["model", "day"], kind="stable")
    changed = o["cumulative"] != o.groupby("model")["cumulative"].shift(1)
    want = {(r.model, r.day, int(r.cumulative)) for r in o[changed].itertuples()}
    check(f"nctu6: the {len(want)} observations that change a count are kept in snapshots",
          {tuple(r) for r in snaps.itertuples(index=False)} == want)
    db2 = os.path.join(tmp, "nctu6_base.db")
    rc, _, err = omen(db2, "ingest", "downloads", "--kind", "cumulative", "--baseline-first",
                      "--count-column", "downloads_all_time", path)
    expected, got = cumulative_flows(obs, baseline_first=True), stored_weekly(db2)
    check("nctu6: --baseline-first drops each model's first flow, the rest unchanged",
          rc == 0 and got == expected, err + diff_sets(got, expected))
    db3 = os.path.join(tmp, "nctu6_auto.db")
    rc, _, err = omen(db3, "ingest", "downloads", "--count-column", "downloads_all_time", path)
    check("nctu6: --kind auto finds the all-time counts cumulative",
          rc == 0 and "kind auto: cumulative" in err and stored_weekly(db3) == stored_weekly(db),
          err)
    # The same series split by date into two files ingested newest first.
    dates = sorted(raw["date"].unique())
    half = dates[len(dates) // 2]
    newer, older = os.path.join(tmp, "newer.csv"), os.path.join(tmp, "older.csv")
    raw[raw["date"] >= half].to_csv(newer, index=False)
    raw[raw["date"] < half].to_csv(older, index=False)
    db4 = os.path.join(tmp, "nctu6_split.db")
    rc1, _, e1 = omen(db4, "ingest", "downloads", "--kind", "cumulative", "--count-column",
                      "downloads_all_time", newer)
    rc2, _, e2 = omen(db4, "ingest", "downloads", "--kind", "cumulative", "--count-column",
                      "downloads_all_time", older)
    check("nctu6: the snapshots in two ingests, newest first, give the same flows",
          rc1 == 0 and rc2 == 0 and stored_weekly(db4) == stored_weekly(db), e1 + e2)


def base_parents(tags):
    """Parent ids named by a base_model_tags cell ("a;finetune:a;adapter:b")."""
    out = set()
    if isinstance(tags, str):
        for item in tags.replace("|", ";").replace(",", ";").split(";"):
            item = item.strip()
            if not item:
                continue
            out.add(item.split(":", 1)[1] if ":" in item else item)
    return out


def test_model_trees(tmp):
    folder = os.path.join(REAL, "hf_model_trees_oderinwale")
    nodes = pd.read_csv(os.path.join(folder, "nodes.csv"))
    edges = pd.read_csv(os.path.join(folder, "edges.csv"))
    # 71 ids of nodes.csv are Hub URLs (a scraper artifact for names with a dot); omen keeps
    # the id part of a URL, and so does the reference.
    nodes["model_id"] = nodes["model_id"].str.replace("https://huggingface.co/", "", regex=False)
    check("model trees: node ids are unique once URLs are stripped", nodes["model_id"].is_unique)
    db = os.path.join(tmp, "trees.db")
    rc, _, err = omen(db, "ingest", "models", os.path.join(folder, "nodes.csv"))
    check("model trees: nodes.csv ingests as models", rc == 0, err)
    m = query(db, "SELECT name, developer, created, params, params_source, file_bytes, library, "
                  "pipeline_tag, license, gated FROM models").set_index("name")
    parents = set().union(*(base_parents(t) for t in nodes["base_model_tags"]))
    check(f"model trees: {len(m)} models = the {len(nodes)} nodes and their base models",
          set(m.index) == set(nodes["model_id"]) | parents,
          diff_sets(set(m.index), set(nodes["model_id"]) | parents))
    n = nodes.set_index("model_id")
    got = m.loc[n.index]

    def same(column, expected, actual, name):
        e = expected.where(expected.notna(), None)
        a = actual.where(actual.notna(), None)
        bad = [(i, x, y) for i, x, y in zip(n.index, e, a) if x != y]
        check(f"model trees: {name} of every node as given ({e.notna().sum()} set)", not bad,
              f"{len(bad)} differ, e.g. {bad[:5]}")

    created = pd.to_datetime(n["created_at"], utc=True).dt.strftime("%Y-%m-%d")
    same("created", created, got["created"], "created date (UTC date of created_at)")
    params = n["safetensors_total"].astype("Int64").astype(object)
    same("params", params, got["params"].astype("Int64").astype(object),
         "parameter count (safetensors_total)")
    check("model trees: a parameter count's source is safetensors",
          set(got.loc[got["params"].notna(), "params_source"]) <= {"safetensors"})
    same("file_bytes", n["used_storage_bytes"].astype("Int64").astype(object),
         got["file_bytes"].astype("Int64").astype(object), "storage bytes (used_storage_bytes)")
    same("developer", n["author"], got["developer"], "developer (author)")
    same("library", n["library_name"], got["library"], "library (library_name)")
    same("pipeline_tag", n["pipeline_tag"], got["pipeline_tag"], "pipeline tag")
    same("license", n["license"], got["license"], "license")
    gated = n["gated"].map(lambda g: None if pd.isna(g) else
                           {"false": "no", "true": "auto"}.get(str(g).lower(), str(g).lower()))
    same("gated", gated, got["gated"], "gating (False -> no)")

    # edges.csv alone: each (parent, child) once, with its relation and position.
    dbe = os.path.join(tmp, "edges.db")
    rc, _, err = omen(dbe, "ingest", "edges", os.path.join(folder, "edges.csv"))
    check("model trees: edges.csv ingests", rc == 0, err)
    first = edges.drop_duplicates(["parent", "child"], keep="first").copy()
    conflicts = edges.groupby(["parent", "child"])["relation"].nunique().max()
    first["position"] = first.groupby("child").cumcount()
    expected = {(r.parent, r.child, r.relation, r.position) for r in first.itertuples()}
    e = query(dbe, "SELECT parent, child, relation, position FROM model_edges")
    got_e = {tuple(r) for r in e.itertuples(index=False)}
    check(f"model trees: {len(expected)} edges with relation and position, exactly "
          f"({len(edges)} rows, repeats with the same relation: {conflicts == 1})",
          got_e == expected and len(e) == len(expected), diff_sets(got_e, expected))
    # nodes, then edges, in one store: every edge of edges.csv with its relation; the others
    # come from the nodes' base_model_tags.
    rc, _, err = omen(db, "ingest", "edges", os.path.join(folder, "edges.csv"))
    both = query(db, "SELECT parent, child, relation FROM model_edges")
    got_b = {tuple(r) for r in both.itertuples(index=False)}
    want = {(r.parent, r.child, r.relation) for r in first.itertuples()}
    tag_pairs = {(p, r.model_id) for r in nodes.itertuples() for p in base_parents(r.base_model_tags)}
    extra = {(p, c) for p, c, _ in got_b - want}
    check("model trees: after nodes and edges, every edge of edges.csv is there as given",
          rc == 0 and want <= got_b, err + diff_sets(got_b & want, want))
    check(f"model trees: the {len(extra)} other edges are base_model_tags of the nodes",
          extra <= tag_pairs, sorted(extra - tag_pairs)[:5])


def weekly_reference(df, count):
    d = df.copy()
    d["week"] = monday(d["date"])
    g = d.groupby(["model_id", "week"])[count].sum()
    return {(m, w, int(v)) for (m, w), v in g.items()}


def test_thirty_day_files(tmp):
    for folder, name in (("kb-labb_huggingface_stats", "models_long.csv"),
                         ("vismatch_daily_downloads", "downloads_long.csv")):
        path = os.path.join(REAL, folder, name)
        df = pd.read_csv(path)
        db = os.path.join(tmp, folder + ".db")
        rc, _, err = omen(db, "ingest", "downloads", "--kind", "weekly", "--count-column",
                          "downloads_30d", path)
        check(f"{folder}: ingests as weekly rows", rc == 0, err)
        expected, got = weekly_reference(df, "downloads_30d"), stored_weekly(db)
        check(f"{folder}: {len(expected)} (model, ISO week) sums exactly as pandas",
              got == expected, diff_sets(got, expected))
    # vismatch's wide file has the first date twice (a duplicate run): the long form of it,
    # duplicates kept, must give the same store as the deduplicated long file.
    wide = pd.read_csv(os.path.join(REAL, "vismatch_daily_downloads", "downloads_wide.csv"))
    dups = int(wide.duplicated("date").sum())
    melted = wide.melt(id_vars="date", var_name="model_id", value_name="downloads_30d")
    melted["model_id"] = "vismatch/" + melted["model_id"]
    melted = melted[melted["downloads_30d"].notna()]
    # a model added later has 0 before it existed in the wide file; the long file omits those
    long = pd.read_csv(os.path.join(REAL, "vismatch_daily_downloads", "downloads_long.csv"))
    keys = set(zip(long["date"], long["model_id"]))
    melted = melted[[k in keys for k in zip(melted["date"], melted["model_id"])]]
    melted["downloads_30d"] = melted["downloads_30d"].astype("int64")
    wide_long = os.path.join(tmp, "vismatch_wide_long.csv")
    melted.to_csv(wide_long, index=False)
    db = os.path.join(tmp, "vismatch_wide.db")
    rc, _, err = omen(db, "ingest", "downloads", "--kind", "weekly", "--count-column",
                      "downloads_30d", wide_long)
    check(f"vismatch: the wide file's rows ({dups} date repeated) ingest with the repeats "
          f"counted once", rc == 0 and stored_weekly(db) ==
          stored_weekly(os.path.join(tmp, "vismatch_daily_downloads.db")) and
          "repeated observations of the same model and date were ignored" in err, err)


def test_namespaces(tmp):
    path = os.path.join(REAL, "morepeanuts_oslm_analyst", "hf_namespaces.csv")
    if not os.path.exists(path):
        counts["skipped"] += 1
        print(f"  skip: {path} is absent")
        return
    src = pd.read_csv(path, dtype=str, keep_default_na=False)
    db = os.path.join(tmp, "ns.db")
    rc, _, err = omen(db, "ingest", "developers", path)
    check(f"namespaces: all {len(src)} rows ingest as developers, none rejected",
          rc == 0 and f"ingested {len(src)} rows (0 rejected)" in err, err)
    labs = int((src["org_type"] == "Research Lab").sum())
    check(f"namespaces: 'Research Lab' kept as given and reported ({labs} rows)",
          labs > 0 and f"unmapped: org_type=Research Lab: {labs}" in err, err)
    # The reference: omen's org types and ISO codes, written out here for this file's values.
    types = {"Company": "company", "University": "university", "Non-Profit": "nonprofit",
             "Research Lab": "Research Lab"}
    codes = {"UAE": "AE"}
    want = {(r.namespace, codes.get(r.country, r.country), types[r.org_type])
            for r in src.itertuples()}
    got = set(query(db, "SELECT name, country, org_type FROM developers").itertuples(index=False,
                                                                                   name=None))
    check("namespaces: every developer with its country and org type", got == want,
          diff_sets(got, want))
    stored = query(db, "SELECT unmapped FROM ingests")["unmapped"].tolist()
    check("namespaces: the ingests row records the unmapped label",
          stored == [f"org_type=Research Lab: {labs}"], stored)
    db2 = os.path.join(tmp, "ns_strict.db")
    rc, _, err = omen(db2, "ingest", "developers", "--strict-labels", path)
    check(f"namespaces: --strict-labels rejects the {labs} rows, exit 3, no store",
          rc == 3 and err.count("org_type 'Research Lab' is not one of") == min(labs, 20) and
          not os.path.exists(db2), err[:300])


def main():
    if not os.path.isdir(REAL):
        print(f"  skip: {REAL} is absent")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    if not os.access(OMEN, os.X_OK):
        check(f"the binary {OMEN} exists", False)
    else:
        with tempfile.TemporaryDirectory(prefix="omen-real-") as tmp:
            test_nctu6(tmp)
            test_model_trees(tmp)
            test_thirty_day_files(tmp)
            test_namespaces(tmp)
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
