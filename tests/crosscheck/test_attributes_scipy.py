#!/usr/bin/python3
"""Cross-checks `omen attributes`, `trends`, `orgs` and `modalities` against pandas + scipy.

The reference below is written from docs/methodology.md ("Model characteristics") and
DESIGN.md sections 5 and 6, not from the C code. It reads the store with sqlite3 (models,
developers, downloads, annotations) and recomputes: the effective created date, the Population
and Head Samples, the Rolling Window Filter, the values each model carries per field (human
labels over heuristic ones per model and field, the license class falling back on the Hub
license id, the derivation as No/Derived, the paper's merged rows and modality groups, the
developer's organisation type), the incidence per segment, delta, and
scipy.stats.chi2_contingency (Yates) with scipy.stats.contingency.association(method="cramer").

Data: `omen synth --scale S` (default 0.05, OMEN_CROSSCHECK_SCALE) into a temporary store (or a
copy of OMEN_CROSSCHECK_STORE, a synthetic store made earlier, e.g. at full scale), plus
a seeded file of heuristic labels (some on models with human labels of the same field, which
must be ignored; some on fields the model has no human label for, which must count), ingested
with `omen ingest annotations`.

omen must agree to 1e-9 relative (absolute floor 1e-12). Then, on the same synthetic panel,
every row of the paper's Table 1 (../shared/data/paper/table1.csv) that the generator models
must keep its direction (delta above or below 1 as published; within 0.8-1.25 when published
as 1.0) and land within 0.03 of the published incidence in every segment. Rows where the
synthetic generator (src/synth/) is known to miss are listed in GENERATOR_GAPS with the reason
and counted as skipped while they still miss; one that starts to pass is reported.
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
"""
import datetime as dt
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = os.path.join(ROOT, BUILD, "omen")
TABLE1 = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "paper", "table1.csv"))
SCALE = os.environ.get("OMEN_CROSSCHECK_SCALE", "0.05")
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
    if want is None or (isinstance(want, float) and np.isnan(want)):
        return got is None or (isinstance(got, float) and np.isnan(got))
    if got is None or (isinstance(got, float) and np.isnan(got)):
        return False
    return abs(got - want) <= max(REL * abs(want), ABS)


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def omen_csv(db, *args):
    rc, out, err = omen(db, "--format", "csv", *args)
    if rc != 0:
        raise RuntimeError(f"omen {' '.join(args)}: exit {rc}: {err}")
    return pd.read_csv(io.StringIO(out), float_precision="round_trip", keep_default_na=False,
                       na_values=[""])


def year_of(day):
    return (EPOCH + dt.timedelta(days=int(day))).year


# ================================================================= the store

class Store:
    def __init__(self, db):
        con = sqlite3.connect(db)
        q = lambda sql: pd.read_sql_query(sql, con)  # noqa: E731
        self.models = q("SELECT id, name, developer, created, license FROM models ORDER BY id")
        self.devs = q("SELECT name, country, org_type FROM developers")
        self.dl = q("SELECT model, week, downloads AS n FROM downloads")
        self.ann = q("SELECT model, field, value, source FROM annotations")
        con.close()
        m = self.models
        dev = m["developer"].where(m["developer"].notna() & (m["developer"] != ""),
                                   m["name"].str.split("/").str[0])
        di = self.devs.set_index("name")
        m["dev"] = dev
        m["country"] = di["country"].reindex(dev).fillna("UNKNOWN").replace("", "UNKNOWN").values
        m["org"] = di["org_type"].reindex(dev).fillna("unknown").replace("", "unknown").values
        created = pd.to_datetime(m["created"], errors="coerce")
        m["cday"] = ((created - pd.Timestamp("1970-01-01")).dt.days).astype("float64")
        d = self.dl
        tot = d.groupby("model")["n"].sum()
        first = d[d["n"] > 0].groupby("model")["week"].min()
        m["total"] = tot.reindex(m["id"]).fillna(0).values
        f = first.reindex(m["id"]).astype("float64").values
        c = m["cday"].values
        m["ceff"] = np.where(np.isnan(c), f, np.where(np.isnan(f), c, np.minimum(c, f)))
        self.m = m.set_index("id", drop=False)

    def sample(self, which="head", k=200, minimum=200):
        pop = set(self.m.index[self.m["total"] >= minimum])
        if which == "population":
            return pop
        d = self.dl[(self.dl["n"] > 0) & self.dl["model"].isin(pop)]
        d = d.sort_values(["week", "n", "model"], ascending=[True, False, True])
        return set(d.groupby("week").head(k)["model"])

    def filtered(self, which="head", rolling=365):
        """Downloads of the sample that the Rolling Window Filter keeps."""
        s = self.sample(which)
        d = self.dl[self.dl["model"].isin(s)].copy()
        if rolling:
            ce = self.m["ceff"].reindex(d["model"]).values
            d = d[(d["week"].values - ce) < rolling]
        return d[d["n"] > 0]


# ================================================================= values per model

LICENSE = {"mit": "Open Use", "apache-2.0": "Open Use", "bsd-3-clause": "Open Use",
           "afl-3.0": "Open Use", "cc-by-sa-4.0": "Attribution", "cc-by-4.0": "Attribution",
           "cc-by-3.0": "Attribution", "cc-by-nc-4.0": "Non-commercial",
           "cc-by-nc-sa-4.0": "Non-commercial", "openrail": "Acceptable Usage Policy",
           "openrail++": "Acceptable Usage Policy",
           "creativeml-openrail-m": "Acceptable Usage Policy",
           "bigscience-openrail-m": "Acceptable Usage Policy",
           "llama2": "Acceptable Usage Policy", "llama3.1": "Acceptable Usage Policy",
           "gemma": "Acceptable Usage Policy", "": "Undocumented", "other": "Undocumented",
           "unknown": "Undocumented"}
PAPER_GROUPS = {
    "architecture": {"Transformer: Speech": {"Transformer: Speech Encoder-only",
                                             "Transformer: Speech Decoder-only",
                                             "Transformer: Speech Encoder-Decoder"},
                     "VAE / GAN": {"Variational Autoencoder",
                                   "Generative Adversarial Network (GAN)"},
                     "LSTM / GRU": {"LSTM", "GRU"}},
    "training_data": {"Disclosed & Unavailable": {"Disclosed: unavailable",
                                                  "Partially disclosed: unavailable"}}}
INPUTS = ["Text", "Image", "Video", "Speech", "Tabular", "Other"]
OUTPUTS = ["Text Generation", "Image Generation", "Video Generation", "Speech Generation",
           "Tabular", "Text Classification", "Text Sequence Classification",
           "Image Classification", "Image Segmentation", "Image Bounding Boxes", "Text Embedding",
           "Image Embedding", "Other"]
GEN = {"Text Generation", "Image Generation", "Video Generation", "Speech Generation"}
FIELDS = ["org_type", "training_data", "gating", "license_class", "modality", "input_modality",
          "output_modality", "architecture", "training_methods", "languages", "derivation"]


def labels(st, field):
    """model id -> set of labels of the field: human ones when the model has any."""
    a = st.ann[st.ann["field"] == field]
    human = set(a.loc[a["source"] != "heuristic", "model"])
    a = a[(a["source"] != "heuristic") | ~a["model"].isin(human)]
    return a.groupby("model")["value"].agg(set).to_dict()


def modality_group(ins, outs):
    if not ins and not outs:
        return "Undocumented"
    if (GEN & outs and len(ins) >= 2) or ("Text Generation" in outs and ins & {"Image", "Video"}):
        return "Multimodal Generation"
    if "Video Generation" in outs:
        return "Video Generation"
    if "Image Generation" in outs:
        return "Image Generation"
    if "Speech" in ins or "Speech Generation" in outs:
        return "Audio Models"
    if "Text Generation" in outs and ins == {"Text"}:
        return "Text Generation"
    if ins >= {"Text", "Image"} and outs & {"Text Embedding", "Image Embedding"}:
        return "Multimodal Embedding"
    if "Text" in ins and outs & {"Text Embedding", "Text Classification",
                                 "Text Sequence Classification"}:
        return "Text Embed/Class"
    if "Image" in ins and outs & {"Image Embedding", "Image Classification",
                                  "Image Segmentation", "Image Bounding Boxes"}:
        return "Image Embedding"
    if "Tabular" in ins or "Tabular" in outs:
        return "Tabular Models"
    return "Other"


def values(st, field, models, paper_groups=True):
    """model id -> set of values the model carries (never empty)."""
    out = {}
    if field == "org_type":
        org = st.m["org"]
        return {m: {org[m]} for m in models}
    if field == "modality":
        ins, outs = labels(st, "input_modality"), labels(st, "output_modality")
        return {m: {modality_group(ins.get(m, set()), outs.get(m, set()))} for m in models}
    lab = labels(st, field)
    for m in models:
        got = lab.get(m)
        if not got:
            if field == "license_class":
                lic = st.m.at[m, "license"] or ""
                if lic not in LICENSE:
                    raise KeyError(f"license id {lic!r}: add it to LICENSE (omen_license_class)")
                out[m] = {LICENSE[lic]}
            else:
                out[m] = {"(none)"}
            continue
        if field == "derivation":
            got = {"No" if v == "No" else "Derived" for v in got}
        else:
            got = set(got)
            for row, parts in PAPER_GROUPS.get(field, {}).items() if paper_groups else []:
                if got & parts:
                    got.add(row)
        out[m] = got
    return out


# ================================================================= attributes

def seg_labels(cuts):
    out = [f"le{cuts[0] - 1}"]
    for a, b in zip(cuts, cuts[1:]):
        out.append(str(a) if b - a == 1 else f"{a}_{b - 1}")
    return out + [f"ge{cuts[-1]}"]


def reference_attributes(st, d, cuts, unit="downloads", fields=FIELDS):
    """DataFrame of (field, value) -> seg incidences, delta, chi2, p, V."""
    years = np.array([year_of(w) for w in range(int(d["week"].min()), int(d["week"].max()) + 1)])
    wk0 = int(d["week"].min())
    seg = np.searchsorted(np.array(cuts), years[(d["week"].values - wk0)], side="right")
    nseg = len(cuts) + 1
    per = (pd.DataFrame({"model": d["model"].values, "seg": seg, "n": d["n"].values.astype(float)})
           .groupby(["model", "seg"])["n"].sum().unstack(fill_value=0.0)
           .reindex(columns=range(nseg), fill_value=0.0))
    if unit == "models":
        w = (per > 0).astype(float)
        before = (per.iloc[:, :-1].sum(axis=1) > 0).astype(float)
    else:
        w = per
        before = per.iloc[:, :-1].sum(axis=1)
    after = w.iloc[:, -1]
    W = np.column_stack([w.values, before.values, after.values])
    total = W.sum(axis=0)
    rows = []
    models = list(per.index)
    for field in fields:
        vals = values(st, field, models)
        names = sorted({v for s in vals.values() for v in s})
        idx = {v: i for i, v in enumerate(names)}
        carry = np.zeros((len(names), W.shape[1]))
        for i, m in enumerate(models):
            for v in vals[m]:
                carry[idx[v]] += W[i]
        for v in names:
            c = carry[idx[v]]
            inc = [c[s] / total[s] if total[s] > 0 else None for s in range(nseg)]
            cb, ca, tb, ta = c[nseg], c[nseg + 1], total[nseg], total[nseg + 1]
            ib = cb / tb if tb > 0 else 0
            delta = (ca / ta) / ib if tb > 0 and ta > 0 and ib > 0 else None
            table = np.array([[cb, ca], [max(tb - cb, 0), max(ta - ca, 0)]])
            if (table.sum(axis=0) > 0).all() and (table.sum(axis=1) > 0).all():
                chi2, p, _, _ = chi2_contingency(table)
                v_ = association(np.rint(table).astype(np.int64), method="cramer")
            else:
                chi2 = p = v_ = None
            rows.append({"field": field, "value": v, "inc": inc, "delta": delta, "chi2": chi2,
                         "p_value": p, "cramers_v": v_})
    return rows


def compare_attributes(label, got, ref, cuts, alpha=0.001, all_rows=True):
    segs = ["seg_" + s for s in seg_labels(cuts)]
    want = [r for r in ref if all_rows or (r["p_value"] is not None and r["p_value"] < alpha)]
    keys_got = set(zip(got["field"], got["value"]))
    keys_want = {(r["field"], r["value"]) for r in want}
    check(f"{label}: rows ({len(keys_want)})", keys_got == keys_want,
          f"omen only: {sorted(keys_got - keys_want)[:8]}; reference only: "
          f"{sorted(keys_want - keys_got)[:8]}")
    check(f"{label}: columns", list(got.columns[1:3]) == ["field", "value"] and
          list(got.columns[3:3 + len(segs)]) == segs and
          list(got.columns[3 + len(segs):]) == ["delta", "chi2", "p_value", "cramers_v",
                                                "significant"], list(got.columns))
    g = got.set_index(["field", "value"])
    bad = []
    for r in want:
        k = (r["field"], r["value"])
        if k not in g.index:
            continue
        row = g.loc[k]
        pairs = list(zip(segs, r["inc"])) + [(c, r[c]) for c in ("delta", "chi2", "p_value",
                                                                   "cramers_v")]
        for col, w in pairs:
            x = row[col]
            x = None if pd.isna(x) else float(x)
            if not close(x, w):
                bad.append(f"{k} {col}: omen {x!r}, reference {w!r}")
        sig = r["p_value"] is not None and r["p_value"] < alpha
        if str(row["significant"]).lower() != str(sig).lower():
            bad.append(f"{k} significant: omen {row['significant']}, reference {sig}")
    check(f"{label}: values to 1e-9", not bad, "\n".join(bad[:12]))


# ================================================================= trends, modalities, orgs

def quarter_start(day):
    d = EPOCH + dt.timedelta(days=int(day))
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1).isoformat()


def year_start(day):
    return f"{year_of(day)}-01-01"


def compare_shares(label, got, want, keys):
    """got: omen rows; want: DataFrame with keys + downloads, share."""
    g = got.set_index(keys)
    w = want.set_index(keys)
    same = set(g.index) == set(w.index)
    check(f"{label}: rows ({len(w)})", same,
          f"omen only {sorted(set(g.index) - set(w.index))[:5]}, reference only "
          f"{sorted(set(w.index) - set(g.index))[:5]}")
    bad = [f"{k}: {col} omen {g.at[k, col]!r} reference {w.at[k, col]!r}"
           for k in w.index if k in g.index for col in ("downloads", "share")
           if not close(float(g.at[k, col]), float(w.at[k, col]))]
    check(f"{label}: downloads and shares to 1e-9", not bad, "\n".join(bad[:10]))


def reference_trends(st, d, field, period_of):
    vals = values(st, field, sorted(set(d["model"])), paper_groups=False)
    per = d.assign(period=[period_of(w) for w in d["week"]])
    tot = per.groupby("period")["n"].sum()
    rows = []
    by = per.groupby(["period", "model"])["n"].sum()
    acc = {}
    for (p, m), n in by.items():
        for v in vals[m]:
            acc[(p, v)] = acc.get((p, v), 0) + n
    for (p, v), n in acc.items():
        rows.append({"period_start": p, "value": v, "downloads": float(n),
                     "share": n / tot[p]})
    return pd.DataFrame(rows)


def combos(st, field, order, models):
    lab = labels(st, field)
    return {m: " + ".join(sorted(lab[m], key=order.index)) if m in lab else "(none)"
            for m in models}


def reference_modalities(st, d):
    models = sorted(set(d["model"]))
    per = d.groupby("model")["n"].sum()
    tot = per.sum()
    rows = []
    for side, field, order in (("input", "input_modality", INPUTS),
                               ("output", "output_modality", OUTPUTS)):
        c = combos(st, field, order, models)
        s = per.groupby(per.index.map(c)).sum()
        for v, n in s.items():
            rows.append({"side": side, "value": v, "downloads": float(n), "share": n / tot})
    return pd.DataFrame(rows)


def reference_orgs(st, d, top=10):
    m = st.m
    x = d.groupby("model")["n"].sum()
    df = pd.DataFrame({"country": m["country"].reindex(x.index).values,
                       "org_type": m["org"].reindex(x.index).values, "n": x.values})
    ct = df.groupby("country")["n"].sum()
    order = sorted(ct.index, key=lambda c: (-ct[c], c))
    keep = set(order[:top])
    df["country"] = df["country"].where(df["country"].isin(keep), "(rest)")
    g = df.groupby(["country", "org_type"])["n"].sum()
    ctot = g.groupby(level=0).sum()
    grand = g.sum()
    rows = [{"country": c, "org_type": o, "downloads": float(n), "share": n / ctot[c],
             "country_share": ctot[c] / grand} for (c, o), n in g.items() if n > 0]
    return pd.DataFrame(rows)


# ================================================================= Table 1 on the synthetic panel

# Table 1 row -> (field, value) in omen's output.
def table1_key(attr):
    if attr.startswith("Organization: "):
        return "org_type", {"Community": "community", "User": "user", "Non-profit": "nonprofit",
                            "University": "university", "Company": "company"}[attr[14:]]
    if attr.startswith("Data Availability: "):
        return "training_data", {"Not Disclosed": "Not disclosed",
                                 "Disclosed & Unavailable": "Disclosed & Unavailable",
                                 "Disclosed & Available": "Disclosed: available"}[attr[19:]]
    if attr.startswith("Model Gating: "):
        return "gating", {"Use Conditions + Share Info": "Other agreement/info requirements",
                          "Accept Conditions": "Accept to share username & email"}[attr[14:]]
    if attr.startswith("License: "):
        return "license_class", attr[9:]
    if attr.startswith("Architecture: "):
        return "architecture", attr[14:]
    if attr.startswith("Methods: "):
        v = attr[9:]
        return "training_methods", "Reinforcement learning from feedback" if v == "RLHF" else v
    return "modality", attr


# Rows the synthetic generator is known to miss (src/synth/ is not this test's to change), as
# measured with seed 1 (scale 0.05 / 0.1).
GENERATOR_GAPS = {
    "Text Generation": "the greedy annotation fit leaves <=2022 at 0.167 (0.05) / 0.173 (0.1) "
                       "against 0.210, and >=2025 at 0.226 / 0.225 against 0.203",
    "Image Generation": "at scale 0.05 the fit leaves >=2025 at 0.195 against 0.230 (delta 0.87 "
                        "against 1.0); met at 0.1",
}


def table1_checks(got):
    if not os.path.exists(TABLE1):
        skip("Table 1", f"{TABLE1} is absent")
        return
    t1 = pd.read_csv(TABLE1)
    g = got.set_index(["field", "value"])
    segs = ["seg_le2022", "seg_2023", "seg_2024", "seg_ge2025"]
    for _, r in t1.iterrows():
        attr = r["attribute"]
        key = table1_key(attr)
        tgt = r[["le2022", "y2023", "y2024", "ge2025"]].to_numpy(dtype=float)
        if key not in g.index:
            ok, detail = False, f"{key} not in omen's output"
            inc, delta = None, None
        else:
            inc = g.loc[key, segs].to_numpy(dtype=float)
            delta = float(g.loc[key, "delta"])
            pd_ = r["delta"]
            side = (delta > 1) if pd_ > 1.05 else (delta < 1) if pd_ < 0.95 else \
                (0.8 <= delta <= 1.25)
            near = bool(np.all(np.abs(inc - tgt) <= 0.03))
            ok = side and near
            detail = (f"published {'/'.join(f'{v:.3f}' for v in tgt)} delta {pd_:.1f}; omen "
                      f"{'/'.join(f'{v:.3f}' for v in inc)} delta {delta:.2f}")
        name = f"Table 1 {attr}"
        if attr in GENERATOR_GAPS:
            if ok:
                check(f"{name} (a known generator gap, met on this panel)", True)
                print(f"    {detail}")
            else:
                skip(name, f"{GENERATOR_GAPS[attr]}; {detail}")
            continue
        check(name, ok, detail)
        if ok:
            print(f"    {detail}")


# ================================================================= main

def heuristic_labels(st, path, seed=7):
    """Heuristic rows for some head models: a conflicting architecture where the model has a
    human one (must be ignored), license classes, training methods and input modalities where
    it has none (must count)."""
    rng = np.random.default_rng(seed)
    has = st.ann.groupby("model")["field"].agg(set)
    names = st.m["name"]
    rows = []
    ids = sorted(st.sample("head"))
    for m in rng.choice(ids, size=min(300, len(ids)), replace=False):
        f = has.get(m, set())
        rows.append((names[m], "architecture", "CNN"))
        if "license_class" not in f and rng.random() < 0.5:
            rows.append((names[m], "license_class", "Non-commercial"))
        if "training_methods" not in f or rng.random() < 0.3:
            rows.append((names[m], "training_methods", "Knowledge distillation"))
    for m in rng.choice(st.m.index[st.m["total"] >= 200], size=200, replace=False):
        if "input_modality" not in has.get(m, set()):
            rows.append((names[m], "input_modality", "Video"))
            rows.append((names[m], "output_modality", "Text Generation"))
    with open(path, "w") as f:
        f.write("model,field,value,source\n")
        for r in rows:
            f.write(f"\"{r[0]}\",{r[1]},{r[2]},heuristic\n")
    return len(rows)


def main():
    if not os.path.exists(OMEN):
        print(f"{OMEN} is missing: build it first")
        print("0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="omen-attr-") as tmp:
        db = os.path.join(tmp, "omen.db")
        given = os.environ.get("OMEN_CROSSCHECK_STORE")
        if given:  # a synthetic store made earlier (e.g. full scale): copied, never changed
            shutil.copyfile(given, db)
            rc, err = 0, ""
        else:
            rc, _, err = omen(db, "-q", "synth", "--scale", SCALE)
        check(f"synthetic store ({given or 'omen synth --scale ' + SCALE})", rc == 0, err)
        if rc != 0:
            print(f"{counts['passed']} passed, {counts['failed']} failed, "
                  f"{counts['skipped']} skipped")
            return 1
        # Table 1 first, on the generator's own (human) labels.
        print(f"Table 1 on the synthetic panel (scale {SCALE}):")
        table1_checks(omen_csv(db, "attributes", "--all"))
        st = Store(db)
        path = os.path.join(tmp, "heuristic.csv")
        n = heuristic_labels(st, path)
        rc, _, err = omen(db, "-q", "ingest", "annotations", path)
        check(f"ingest {n} heuristic labels", rc == 0, err)
        st = Store(db)
        print("attributes vs pandas + scipy:")
        d = st.filtered("head")
        cuts = [2023, 2024, 2025]
        ref = reference_attributes(st, d, cuts)
        compare_attributes("attributes --all", omen_csv(db, "attributes", "--all"), ref, cuts)
        compare_attributes("attributes (p < 0.001)", omen_csv(db, "attributes"), ref, cuts,
                           all_rows=False)
        compare_attributes("attributes --alpha 1e-30", omen_csv(db, "attributes", "--alpha",
                                                                "1e-30"), ref, cuts,
                           alpha=1e-30, all_rows=False)
        ref = reference_attributes(st, d, cuts, unit="models")
        compare_attributes("attributes --unit models --all",
                           omen_csv(db, "attributes", "--unit", "models", "--all"), ref, cuts)
        dp = st.filtered("population", rolling=None)
        ref = reference_attributes(st, dp, [2024], fields=["architecture", "license_class"])
        got = pd.concat([omen_csv(db, "attributes", "--all", "--cuts", "2024", "--sample",
                                  "population", "--no-rolling", "--field", f)
                         for f in ("architecture", "license_class")])
        compare_attributes("attributes --cuts 2024 --sample population --no-rolling", got, ref,
                           [2024])
        print("trends, modalities, orgs vs pandas:")
        for field, window, period_of in (("architecture", None, quarter_start),
                                         ("license_class", "year", year_start),
                                         ("training_data", "year", year_start),
                                         ("training_methods", None, quarter_start)):
            args = ["trends", "--field", field] + (["--window", window] if window else [])
            got = omen_csv(db, *args)
            got["period_start"] = got["period_start"].astype(str)
            compare_shares(f"trends --field {field} ({window or 'quarter'})", got,
                           reference_trends(st, d, field, period_of), ["period_start", "value"])
        got = omen_csv(db, "modalities")
        compare_shares("modalities", got, reference_modalities(st, d), ["side", "value"])
        got = omen_csv(db, "orgs")
        want = reference_orgs(st, st.filtered("population"))
        compare_shares("orgs", got, want, ["country", "org_type"])
        bad = [k for k in want.index if not close(
            float(got.set_index(["country", "org_type"]).at[tuple(want.loc[k, ["country",
                                                                                "org_type"]]),
                                                         "country_share"]),
            float(want.at[k, "country_share"]))]
        check("orgs: country_share to 1e-9", not bad, str(bad[:5]))
        got = omen_csv(db, "orgs", "--top", "3", "--sample", "head")
        compare_shares("orgs --top 3 --sample head", got, reference_orgs(st, d, top=3),
                       ["country", "org_type"])
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
