#!/usr/bin/python3
"""Cross-checks `omen annotate` on real Hugging Face metadata against an independent Python
implementation of the heuristic rules (docs/methodology.md, "Annotations").

Data: ../shared/data/real/hf_model_trees_oderinwale (skipped with a message when absent):
  (a) the raw crawl JSON (316 ModelInfo records): each record becomes one Hub API JSON Lines
      record (id, author, createdAt, tags, pipeline_tag, library_name, gated, and the
      card's `language:` list) and is ingested with `omen ingest models`;
  (b) nodes.csv (1,970 models with metadata: license, gated, pipeline tag, library, '|'-joined
      tags, base_model_tags), ingested as tests/suites/real.sh does.
For each, `omen annotate --heuristic` runs on a fresh store and every stored (model, field,
label) is compared with the labels this file derives from the same records. Then the human
labels rule: labels given as human for some of those models keep the heuristic away from
exactly those (model, field) pairs, a second run changes nothing, and --agreement counts match
a pandas computation. The Appendix D option lists of the paper are compared with
`omen annotate --labels`, label by label.
Prints one line per check and "N passed, N failed, N skipped"; exits 1 on any failure.
"""
import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
OMEN = BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD)
OMEN = os.path.join(OMEN, "omen")
REAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "real"))
TREES = os.path.join(REAL, "hf_model_trees_oderinwale")
PAPER = os.path.normpath(os.path.join(ROOT, "..", "shared", "paper",
                                      "economies-of-open-intelligence.txt"))
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def skip(name, why):
    counts["skipped"] += 1
    print(f"  skip {name}: {why}")


def omen(db, *args):
    p = subprocess.run([OMEN, "--db", db, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def query(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# ================================================================= the rules, written again

PIPELINE = {  # pipeline tag: (inputs, output)
    "text-generation": (["Text"], "Text Generation"),
    "text2text-generation": (["Text"], "Text Generation"),
    "summarization": (["Text"], "Text Generation"),
    "translation": (["Text"], "Text Generation"),
    "conversational": (["Text"], "Text Generation"),
    "fill-mask": (["Text"], None),
    "question-answering": (["Text"], None),
    "table-question-answering": (["Tabular", "Text"], None),
    "text-classification": (["Text"], "Text Classification"),
    "zero-shot-classification": (["Text"], "Text Classification"),
    "token-classification": (["Text"], "Text Sequence Classification"),
    "sentence-similarity": (["Text"], "Text Embedding"),
    "feature-extraction": (["Text"], "Text Embedding"),
    "text-to-image": (["Text"], "Image Generation"),
    "image-to-image": (["Image"], "Image Generation"),
    "unconditional-image-generation": ([], "Image Generation"),
    "text-to-video": (["Text"], "Video Generation"),
    "image-to-video": (["Image"], "Video Generation"),
    "text-to-speech": (["Text"], "Speech Generation"),
    "text-to-audio": (["Text"], "Speech Generation"),
    "audio-to-audio": (["Speech"], "Speech Generation"),
    "automatic-speech-recognition": (["Speech"], "Text Generation"),
    "audio-classification": (["Speech"], None),
    "voice-activity-detection": (["Speech"], None),
    "image-classification": (["Image"], "Image Classification"),
    "zero-shot-image-classification": (["Image", "Text"], "Image Classification"),
    "image-segmentation": (["Image"], "Image Segmentation"),
    "mask-generation": (["Image"], "Image Segmentation"),
    "object-detection": (["Image"], "Image Bounding Boxes"),
    "zero-shot-object-detection": (["Image", "Text"], "Image Bounding Boxes"),
    "image-feature-extraction": (["Image"], "Image Embedding"),
    "image-to-text": (["Image"], "Text Generation"),
    "image-text-to-text": (["Image", "Text"], "Text Generation"),
    "visual-question-answering": (["Image", "Text"], "Text Generation"),
    "document-question-answering": (["Image", "Text"], "Text Generation"),
    "video-text-to-text": (["Video", "Text"], "Text Generation"),
    "video-classification": (["Video"], None),
    "depth-estimation": (["Image"], None),
    "tabular-classification": (["Tabular"], "Tabular"),
    "tabular-regression": (["Tabular"], "Tabular"),
}
Q, P, M = "Quantization", "Parameter-efficient finetuning", "Model Merging"
MOE = "Mixture-of-Experts"
DEC, ENC = "Transformer: Text Decoder-only", "Transformer: Text Encoder-only"
ED = "Transformer: Text Encoder-Decoder"
TAG_METHOD = {t: Q for t in ("gguf", "gptq", "awq", "mlx", "exl2", "exl3", "bnb", "bitsandbytes",
                             "4-bit", "8-bit")}
TAG_METHOD.update({"lora": P, "peft": P, "merge": M, "mergekit": M})
TAG_PREFIX_METHOD = {"base_model:quantized:": Q, "base_model:adapter:": P, "base_model:merge:": M}
TAG_ARCH = {t: MOE for t in ("moe", "mixtral", "qwen2_moe", "qwen3_moe", "deepseek_v2",
                             "deepseek_v3", "dbrx", "olmoe", "granitemoe", "phimoe")}
TAG_ARCH.update({t: DEC for t in ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi",
                                  "phi3", "gpt2", "gpt_neox", "bloom", "falcon")})
TAG_ARCH.update({t: ENC for t in ("bert", "roberta", "xlm-roberta", "distilbert", "deberta-v2",
                                  "electra", "mpnet")})
TAG_ARCH.update({t: ED for t in ("t5", "mt5", "bart", "marian")})
TAG_ARCH.update({"whisper": "Transformer: Speech Encoder-Decoder",
                 "wav2vec2": "Transformer: Speech Encoder-only",
                 "vit": "Transformer: Image Encoder-only"})
LIBRARY = {("diffusers", None): ("architecture", "Diffusion-based Network"),
           ("sentence-transformers", None): ("architecture", ENC),
           ("peft", None): ("training_methods", P),
           ("transformers", "text-generation"): ("architecture", DEC),
           ("mlx", "text-generation"): ("architecture", DEC),
           ("transformers", "text2text-generation"): ("architecture", ED),
           ("transformers", "translation"): ("architecture", ED),
           ("transformers", "summarization"): ("architecture", ED),
           ("transformers", "fill-mask"): ("architecture", ENC)}
RELATION = {"quantized": Q, "adapter": P, "merge": M}
GATING = {"no": "N/A", "auto": "Accept to share username & email",
          "manual": "Other agreement/info requirements"}
OPEN = {"mit", "apache-2.0", "apache", "isc", "unlicense", "cc0-1.0", "wtfpl", "zlib",
        "postgresql", "bsl-1.0", "mpl-2.0", "lgpl", "lgpl-3.0", "lgpl-2.1", "lgpl-lr", "gpl",
        "gpl-2.0", "gpl-3.0", "agpl-3.0", "afl-3.0", "artistic-2.0", "ecl-2.0", "epl-1.0",
        "epl-2.0", "eupl-1.1", "ms-pl", "ncsa", "odbl", "pddl", "ofl-1.1", "osl-3.0", "c-uda",
        "cdla-permissive-1.0", "cdla-permissive-2.0", "cdla-sharing-1.0", "etalab-2.0",
        "lppl-1.3c", "gfdl", "openmdw"}
AUP_PREFIX = ("llama", "gemma", "openrail", "creativeml-openrail", "bigscience", "bigcode-openrail",
              "deepfloyd", "apple-ascl", "intel-research", "h-research", "qwen", "tongyi",
              "deepseek", "falcon", "mistral", "nvidia", "stabilityai", "stable-", "flux",
              "health", "lucide", "aml")


def license_class(lic):
    lic = lic.strip().lower()
    if lic.startswith("license:"):
        lic = lic[8:]
    if lic in ("", "unknown", "other", "none"):
        return "Undocumented"
    if lic in OPEN or lic.startswith("bsd") or lic.startswith("apache-"):
        return "Open Use"
    if "nc" in lic.split("-"):
        return "Non-commercial"
    if lic.startswith("cc-by") or lic == "odc-by":
        return "Attribution"
    if lic.startswith("fair-noncommercial"):
        return "Non-commercial"
    if lic.startswith(AUP_PREFIX):
        return "Acceptable Usage Policy"
    return "Undocumented"


def language_ok(s):
    return 0 < len(s) <= 40 and all(c.isascii() and (c.isalnum() or c in "+#-._") for c in s)


def rules(rec):
    """rec: pipeline, library, license (list), gated, languages (list), tags (list or None),
    bases (list of (id, relation)). Returns the set of (field, label)."""
    out = set()
    pipe, lib = rec["pipeline"], rec["library"]
    if pipe in PIPELINE:
        ins, o = PIPELINE[pipe]
        out |= {("input_modality", i) for i in ins}
        if o:
            out.add(("output_modality", o))
    for (l, p), fl in LIBRARY.items():
        if lib and lib.lower() == l and (p is None or (pipe or "").lower() == p):
            out.add(fl)
    for t in rec["tags"] or []:
        t = t.strip().lower()
        if t in TAG_METHOD:
            out.add(("training_methods", TAG_METHOD[t]))
        if t in TAG_ARCH:
            out.add(("architecture", TAG_ARCH[t]))
        for pre, label in TAG_PREFIX_METHOD.items():
            if t.startswith(pre) and len(t) > len(pre):
                out.add(("training_methods", label))
    for base, rel in rec["bases"]:
        if base and " " not in base:
            out.add(("derivation", base))
        if rel in RELATION:
            out.add(("training_methods", RELATION[rel]))
    if rec["gated"] in GATING:
        out.add(("gating", GATING[rec["gated"]]))
    lics = [x for x in rec["license"] if x.strip()]
    out |= {("license_class", license_class(x)) for x in lics}
    if not lics and rec["tags"] is not None:
        out.add(("license_class", "Undocumented"))
    langs = [x.strip() for x in rec["languages"] if language_ok(x.strip())]
    if len(langs) > 50:
        out.add(("languages", "multilingual"))
    else:
        out |= {("languages", x) for x in langs}
    return out


def expected(records):
    return {(name, f, v) for name, rec in records.items() for f, v in rules(rec)}


# ================================================================= the data, read twice


def card_languages(card):
    """The `language:` entry of a model card's YAML header (a scalar or a list)."""
    if not card:
        return []
    m = re.search(r"^language:[ \t]*(.*)$", card, re.M)
    if not m:
        return []
    if m.group(1).strip():
        v = m.group(1).strip().strip("[]")
        return [x.strip().strip("'\"") for x in v.split(",") if x.strip()]
    items = []
    for line in card[m.end():].splitlines()[1:]:
        mm = re.match(r"^\s*-\s*(.+)$", line)
        if not mm:
            break
        items.append(mm.group(1).strip().strip("'\""))
    return items


def raw_records():
    """The raw crawl as Hub API records (for omen) and as rule inputs (for the rules here)."""
    path = [f for f in os.listdir(TREES) if f.startswith("raw_") and f.endswith(".json")][0]
    data = json.load(open(os.path.join(TREES, path)))
    jsonl, recs = [], {}
    for m in data["models"]:
        if not m.get("metadata") or m["metadata"] == "N/A":  # 14 records were not fetched
            continue
        md = json.loads(m["metadata"])
        tags = md.get("tags") or []
        gated = md.get("gated")
        langs = card_languages(md.get("card_data") or "")
        jsonl.append({"id": md["id"], "author": md.get("author"), "createdAt": md.get("created_at"),
                      "tags": tags, "pipeline_tag": md.get("pipeline_tag"),
                      "library_name": md.get("library_name"), "gated": gated,
                      "languages": langs})
        typed, untyped = {}, []
        for t in tags:
            if not t.startswith("base_model:"):
                continue
            rest = t[11:]
            rel, _, pid = rest.partition(":")
            if pid:
                typed.setdefault(pid, rel)
            else:
                untyped.append(rest)
        bases = list(typed.items()) + [(u, "other") for u in untyped if u not in typed]
        lic = [t[8:] for t in tags if t.startswith("license:")][:1]
        recs[md["id"]] = {"pipeline": md.get("pipeline_tag"), "library": md.get("library_name"),
                          "license": lic,
                          "gated": {False: "no", True: "auto"}.get(gated, gated),
                          "languages": langs, "tags": tags, "bases": bases}
    return jsonl, recs


def node_records():
    recs = {}
    for r in csv.DictReader(open(os.path.join(TREES, "nodes.csv"), newline="")):
        if r["has_metadata"] != "1":
            continue
        typed, untyped = {}, []
        for item in filter(None, (x.strip() for x in r["base_model_tags"].split(";"))):
            rel, _, pid = item.partition(":")
            if pid and "/" not in rel:
                typed.setdefault(pid, rel)
            else:
                untyped.append(item)
        bases = list(typed.items()) + [(u, "other") for u in untyped if u not in typed]
        gated = {"false": "no", "true": "auto"}.get(r["gated"].lower(), r["gated"] or None)
        recs[r["model_id"]] = {"pipeline": r["pipeline_tag"] or None,
                               "library": r["library_name"] or None,
                               "license": [x for x in r["license"].split(";") if x],
                               "gated": gated, "languages": [],
                               "tags": r["tags"].split("|") if r["tags"] else None,
                               "bases": bases}
    return recs


def stored(db, source="heuristic"):
    return set(query(db, f"SELECT model, field, value FROM model_annotations "
                         f"WHERE source = '{source}'"))


def diff(got, want, limit=6):
    return (f"{len(want - got)} expected labels missing, e.g. {sorted(want - got)[:limit]}\n"
            f"{len(got - want)} unexpected labels, e.g. {sorted(got - want)[:limit]}")


# ================================================================= checks


def heuristic_matches(tmp, name, ingest_args, want):
    db = os.path.join(tmp, name + ".db")
    rc, _, err = omen(db, "-q", "ingest", *ingest_args)
    if rc != 0:
        check(f"{name}: ingest", False, err)
        return None
    rc, out, err = omen(db, "-q", "annotate", "--heuristic")
    got = stored(db)
    check(f"{name}: --heuristic stores exactly the rules' {len(want)} labels", rc == 0 and got == want,
          err if rc else diff(got, want))
    per_field = {r["field"]: int(r["labels"]) for r in csv.DictReader(out.splitlines())}
    by_field = pd.Series([f for _, f, _ in want]).value_counts().to_dict()
    check(f"{name}: labels per field as printed", all(per_field.get(f, 0) == by_field.get(f, 0)
                                                      for f in per_field), (per_field, by_field))
    return db


def human_rule(db, want):
    """Human labels for a deterministic fifth of the models: no heuristic label of those pairs
    survives the next run, all others stay, and a third run changes nothing."""
    models = sorted({m for m, _, _ in want})[::5]
    rows = []
    for m in models:
        rows.append((m, "architecture", "Other"))
        rows.append((m, "license_class", "Open Use"))
        rows.append((m, "gating", "N/A"))
    path = db + ".human.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "field", "value"])
        w.writerows(rows)
    rc, _, err = omen(db, "-q", "ingest", "annotations", path)
    if rc != 0:
        check("human labels ingest", False, err)
        return
    omen(db, "-q", "annotate", "--heuristic")
    pairs = {(m, f) for m, f, _ in rows}
    keep = {t for t in want if (t[0], t[1]) not in pairs}
    got = stored(db)
    check(f"human labels win: {len(want) - len(keep)} heuristic labels of {len(pairs)} human "
          f"(model, field) pairs removed, the other {len(keep)} kept", got == keep, diff(got, keep))
    check("human labels untouched", stored(db, "human") == set(rows))
    gen = query(db, "SELECT value FROM meta WHERE key = 'generation'")
    rc, out, _ = omen(db, "-q", "--format", "json", "annotate", "--heuristic")
    meta = json.loads(out)["meta"] if rc == 0 else {}
    check("a second run adds and removes nothing",
          meta.get("labels_added") == 0 and meta.get("labels_removed") == 0 and
          query(db, "SELECT value FROM meta WHERE key = 'generation'") == gen, meta)
    # --agreement, recomputed with pandas from the rules' labels and the human labels.
    h = pd.DataFrame(rows, columns=["model", "field", "value"])
    r = pd.DataFrame(sorted(want), columns=["model", "field", "value"])
    hs = h.groupby(["model", "field"])["value"].apply(lambda s: frozenset(s.str.lower()))
    rs = r.groupby(["model", "field"])["value"].apply(lambda s: frozenset(s.str.lower()))
    both = pd.concat([hs.rename("h"), rs.rename("r")], axis=1, join="inner")
    rc, out, err = omen(db, "annotate", "--agreement")
    got = {x["field"]: x for x in csv.DictReader(out.splitlines())}
    ok = rc == 0
    for field in ("architecture", "license_class", "gating"):
        b = both.xs(field, level="field") if field in both.index.get_level_values(1) else both[:0]
        exp = (len(hs.xs(field, level="field")), len(rs.xs(field, level="field")), len(b),
               int(sum(x == y for x, y in zip(b["h"], b["r"]))),
               int(sum(bool(x & y) for x, y in zip(b["h"], b["r"]))))
        g = got.get(field, {})
        have = tuple(int(g.get(k, -1)) for k in ("human_models", "heuristic_models", "both",
                                                 "exact", "overlap"))
        if have != exp:
            ok = False
            err += f"\n{field}: omen {have}, pandas {exp}"
    check("--agreement counts match pandas (architecture, license_class, gating)", ok, err)


def appendix_d():
    """The option lists of Appendix D in the paper, by section."""
    text = open(PAPER, encoding="utf-8").read()
    text = text[text.index("## D Annotation Taxonomy"):]
    sections = {"Model Gating": "gating", "Multi-label Input Options": "input_modality",
                "Multi-label Output Options": "output_modality", "D.5 Architecture": "architecture",
                "D.6 Training Methods": "training_methods"}
    out = {}
    for head, field in sections.items():
        i = text.index(head)
        j = text.index("Options", i) if "Options" not in head else i
        block = text[j:].split("\n", 1)[1]
        labels = []
        for line in block.splitlines():
            s = line.strip()
            if s.startswith("- "):
                labels.append(s[2:].strip())
            elif s and labels:
                break
        out[field] = labels
    i = text.index("D.7 Training Data Availability")
    out["training_data"] = re.findall(r"^- \*\*(.+?)\*\*", text[i:], re.M)
    return out


def labels_match():
    if not os.path.exists(PAPER):
        skip("Appendix D labels", f"{PAPER} is absent")
        return
    rc, out, err = omen(os.devnull, "annotate", "--labels", "--format", "csv")
    have = {}
    for r in csv.DictReader(out.splitlines()):
        if r["kind"] == "label":
            have.setdefault(r["field"], []).append(r["label"])
    for field, labels in appendix_d().items():
        check(f"Appendix D {field}: {len(labels)} labels verbatim, in order",
              rc == 0 and have.get(field) == labels, f"paper {labels}\nomen  {have.get(field)}")


def main():
    if not os.access(OMEN, os.X_OK):
        check(f"binary {OMEN}", False)
    else:
        labels_match()
        if not os.path.isdir(TREES):
            skip("real metadata", f"{TREES} is absent (the real data sets are not part of the "
                                  "repository)")
        else:
            with tempfile.TemporaryDirectory(prefix="omen-annot-") as tmp:
                jsonl, recs = raw_records()
                path = os.path.join(tmp, "raw.jsonl")
                with open(path, "w") as f:
                    for r in jsonl:
                        f.write(json.dumps(r) + "\n")
                want = expected(recs)
                print(f"  (raw JSON: {len(recs)} models, {len(want)} labels; languages on "
                      f"{sum(1 for r in recs.values() if r['languages'])} models)")
                heuristic_matches(tmp, "raw-json", ["models", path], want)
                nodes = node_records()
                want = expected(nodes)
                db = heuristic_matches(tmp, "nodes-csv", ["models", os.path.join(TREES, "nodes.csv")],
                                       want)
                if db:
                    human_rule(db, want)
    print(f"annotate real: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
