"""hub_pandas.py: the pandas peer of `omen ingest snapshot` for one week of the Hub replica
(bench/hub). Debian 12 packages neither pyarrow nor fastparquet, so pandas cannot read Parquet
here: it reads the same two weeks exported once to CSV by DuckDB (bench/hub does the export, not
timed; list columns joined with ';', baseModels as base_relation and base_models,
safetensors.total as safetensors_total). Reads this week's CSV (the columns omen reads) and the
previous week's id and downloadsAllTime, and computes each model's weekly flow: downloadsAllTime
minus last week's, the count itself for a model seen for the first time, a decrease clipped to 0.

usage: python3 bench/hub_pandas.py PREV.csv CUR.csv
prints: pandas_hub_s SECONDS rows N flow_sum S new K clipped C
"""
import sys
import time

import pandas as pd


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: hub_pandas.py PREV.csv CUR.csv")
    prev_path, cur_path = sys.argv[1:]
    t0 = time.perf_counter()
    cur = pd.read_csv(
        cur_path,
        dtype={"id": str, "author": str, "tags": str, "pipeline_tag": str, "library_name": str,
               "base_relation": str, "base_models": str, "safetensors_total": "Int64",
               "usedStorage": "Int64", "cardData": str, "downloadsAllTime": "int64"},
        parse_dates=["createdAt"],
        keep_default_na=False, na_values=[""],
    )
    prev = pd.read_csv(prev_path, usecols=["id", "downloadsAllTime"],
                       dtype={"id": str, "downloadsAllTime": "int64"})
    prev = prev.rename(columns={"downloadsAllTime": "prev_all_time"})
    flows = cur.merge(prev, on="id", how="left")
    is_new = flows["prev_all_time"].isna()
    diff = flows["downloadsAllTime"] - flows["prev_all_time"].fillna(0).astype("int64")
    flows["clipped"] = ~is_new & (diff < 0)
    flows["flow"] = diff.where(~is_new, flows["downloadsAllTime"]).clip(lower=0)
    seconds = time.perf_counter() - t0
    print(f"pandas_hub_s {seconds:.3f} rows {len(flows)} flow_sum {int(flows['flow'].sum())} "
          f"new {int(is_new.sum())} clipped {int(flows['clipped'].sum())}")


if __name__ == "__main__":
    main()
