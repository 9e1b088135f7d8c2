#!/usr/bin/python3
"""events_pandas.py: the pandas peer of `omen ingest events` for bench/events.sh: read the
generated log (ISO 8601 UTC times ending in Z, or epoch seconds), take each event's UTC day,
drop_duplicates on (user, model, day) and count per model and ISO week.

usage: events_pandas.py LOG.csv OUT.csv
Prints `pandas_events_s SECONDS` (read + parse + deduplicate + sum) and writes the weekly table
as model,week,downloads sorted by model and week. Holds the whole log in memory, so
bench/events.sh gives it a prefix of the log, not the whole."""
import sys
import time

import pandas as pd

log, out = sys.argv[1:3]
t0 = time.perf_counter()
df = pd.read_csv(log, dtype=str, keep_default_na=False)
ts = df["timestamp"]
epoch = ts.str.fullmatch(r"[0-9]+")
secs = pd.Series(0, index=df.index, dtype="int64")
secs[epoch] = ts[epoch].astype("int64")
iso = pd.to_datetime(ts[~epoch].str.rstrip("Z"), format="%Y-%m-%dT%H:%M:%S")
secs[~epoch] = (iso - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
df["day"] = secs // 86400
df = df.drop_duplicates(["user", "model", "day"])
df["week"] = df["day"] - (df["day"] + 3) % 7  # 1970-01-01 was a Thursday: Monday = day - (day+3)%7
w = df.groupby(["model", "week"]).size().reset_index(name="downloads")
seconds = time.perf_counter() - t0
w["week"] = pd.to_datetime(w["week"], unit="D").dt.strftime("%Y-%m-%d")
w.sort_values(["model", "week"]).to_csv(out, index=False)
print(f"pandas_events_s {seconds:.3f}")
