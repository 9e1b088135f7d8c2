#!/usr/bin/python3
"""The pandas peer of `omen concentration --level developer` (weekly HHI, Gini, top-k shares and
entity counts), vectorised pandas/numpy written from the definitions of docs/methodology.md
("The concentration engine").

usage: concentration_pandas.py IN_DIR OUT_DIR

IN_DIR holds models.csv, edges.csv and downloads.csv as bench/concentration_export.sh writes them
from omen's store. Reading them is not timed; each computation is timed from the loaded arrays to
the per-week result, best of 3. Writes OUT_DIR/pandas_<name>.csv and prints `pandas_<name>_s
SECONDS` per query.

The (week, developer) groups number 10-20 million at full scale, where a pandas hash groupby
takes several times longer than sorting: grouping is done by sorting int64 keys (numpy) and
summing runs with np.add.reduceat, the fastest vectorised form we found."""
import os
import sys
import time

import numpy as np
import pandas as pd

in_dir, out_dir = sys.argv[1], sys.argv[2]
POPULATION_MIN = 200

# Loading, untimed: the store's tables as omen's panel holds them: created dates as days since
# 1970-01-01 (like the weeks), each model's developer (the models row's, else the namespace of
# its id) as a dense integer id, downloads in model-major order (the panel's CSR).
models = pd.read_csv(os.path.join(in_dir, "models.csv"), dtype={"id": "int64", "name": str,
                     "developer": str, "created": str}, keep_default_na=False,
                     na_values={"developer": [""], "created": [""]})
created = pd.to_datetime(models["created"], format="%Y-%m-%d", errors="coerce")
developer = models["developer"].where(models["developer"].notna(),
                                      models["name"].str.split("/", n=1).str[0])
edges = pd.read_csv(os.path.join(in_dir, "edges.csv"), dtype="int64")
downloads = (pd.read_csv(os.path.join(in_dir, "downloads.csv"),
                         dtype={"model": "int64", "week": "int64", "downloads": "int64"})
             .sort_values(["model", "week"], kind="stable"))
N_IDS = int(max(models["id"].max(), edges[["child", "parent"]].to_numpy().max())) + 1
NO_DATE = np.iinfo(np.int64).min
created_of = np.full(N_IDS, NO_DATE, dtype=np.int64)  # by store id
created_of[models["id"].to_numpy()] = np.where(
    created.notna(), (created - pd.Timestamp("1970-01-01")).dt.days.fillna(0), NO_DATE)
dev_of = np.full(N_IDS, -1, dtype=np.int64)
dev_of[models["id"].to_numpy()] = pd.factorize(developer)[0]
N_DEV = int(dev_of.max()) + 1
name_of = pd.Series(models["name"].to_numpy(), index=models["id"].to_numpy())
dl_model = downloads["model"].to_numpy()
dl_week = downloads["week"].to_numpy()
dl_count = downloads["downloads"].to_numpy()
del downloads


def roots_first_policy(sample_ids):
    """Root of each sample model's chain of first base models. Pointer doubling: after k rounds
    each model points 2^k steps up its chain. A chain that runs into a cycle ends at the cycle's
    model with the smallest id (name), which is treated as a root."""
    first = (edges.sort_values(["child", "position", "parent"], kind="stable")
             .drop_duplicates("child"))
    parent = np.arange(N_IDS)
    parent[first["child"].to_numpy()] = first["parent"].to_numpy()
    up = parent.copy()
    for _ in range(int(np.ceil(np.log2(max(N_IDS, 2)))) + 1):
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    root = up[sample_ids]
    in_cycle = parent[root] != root  # after > N_IDS steps a chain sits on its cycle, or a root
    if in_cycle.any():
        cycle_min = {}
        for start in np.unique(root[in_cycle]):
            nodes, m = [int(start)], int(parent[start])
            while m != start:
                nodes.append(m)
                m = int(parent[m])
            cycle_min[int(start)] = min(nodes, key=lambda x: name_of[x])
        root = root.copy()
        root[in_cycle] = [cycle_min[int(r)] for r in root[in_cycle]]
    return root


def run_starts(sorted_keys):
    """Indexes where a run of equal keys starts."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def concentration(rolling, recursive):
    # Population Sample (total >= 200) and effective created date = min(created, first week
    # with downloads > 0), per model from its run of rows.
    starts = run_starts(dl_model)
    ids = dl_model[starts]
    total = np.add.reduceat(dl_count, starts)
    big = np.iinfo(np.int64).max
    first = np.minimum.reduceat(np.where(dl_count > 0, dl_week, big), starts)
    in_sample = total >= POPULATION_MIN
    sample_ids = ids[in_sample]
    c, f = created_of[sample_ids], first[in_sample]
    created_eff = np.where((c != NO_DATE) & ((f == big) | (c <= f)), c, f)

    # Credited model, then its developer (by store id).
    root = roots_first_policy(sample_ids) if recursive else sample_ids
    entity = np.full(N_IDS, -1, dtype=np.int64)
    entity[sample_ids] = dev_of[root]
    limit = np.full(N_IDS, big, dtype=np.int64)  # weeks counted: week - created_eff < rolling
    if rolling is not None:
        limit[sample_ids] = np.where(created_eff == big, big, created_eff + rolling)

    # Downloads per (week, developer): sort int64 keys, sum runs.
    e = entity[dl_model]
    keep = (e >= 0) & (dl_count > 0) & (dl_week < limit[dl_model])
    w0 = int(dl_week.min())
    key = (dl_week[keep] - w0) // 7 * N_DEV + e[keep]
    order = np.argsort(key)
    key, amount = key[order], dl_count[keep][order]
    s = run_starts(key)
    week_ix, amount = key[s] // N_DEV, np.add.reduceat(amount, s)

    # Per week, amounts descending: key week << 53 | (2^53 - 1 - amount) (amounts < 2^53).
    top = (1 << 53) - 1
    order = np.argsort((week_ix << 53) | (top - amount))
    week_ix, amount = week_ix[order], amount[order]
    s = run_starts(week_ix)
    n = np.diff(np.r_[s, len(amount)])
    tot = np.add.reduceat(amount, s)
    n_row = np.repeat(n, n).astype(np.float64)
    tot_row = np.repeat(tot, n).astype(np.float64)
    rank = np.arange(len(amount)) - np.repeat(s, n) + 1  # descending rank
    x = amount.astype(np.float64)
    share = x / tot_row
    per_week = pd.DataFrame({
        "entities": n,
        "downloads": tot,
        "hhi": np.add.reduceat(share * share, s),
        # Gini = 2 sum(i x_i) / (N S) - (N + 1) / N, i ascending = N + 1 - rank.
        "gini": np.add.reduceat((n_row + 1 - 2 * rank) * x / (n_row * tot_row), s),
        "top1_share": np.add.reduceat(np.where(rank <= 1, share, 0.0), s),
        "top10_share": np.add.reduceat(np.where(rank <= 10, share, 0.0), s),
        "top100_share": np.add.reduceat(np.where(rank <= 100, share, 0.0), s),
    }, index=w0 + 7 * week_ix[s])
    all_weeks = np.arange(w0, dl_week.max() + 7, 7)
    per_week = per_week.reindex(all_weeks, fill_value=0)
    per_week.index.name = "week"
    return per_week


queries = [("rolling_recursive", 365, True), ("direct_norolling", None, False)]
for name, rolling, recursive in queries:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        result = concentration(rolling, recursive)
        best = min(best, time.perf_counter() - t0)
    result.to_csv(os.path.join(out_dir, f"pandas_{name}.csv"), float_format="%.17g")
    print(f"pandas_{name}_s {best:.4f}")
