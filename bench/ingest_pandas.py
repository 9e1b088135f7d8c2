#!/usr/bin/python3
"""The pandas peer of `omen ingest downloads`: read the same CSV, put each row in its ISO week
(the Monday), sum per (model, week), and write the weekly table into a fresh SQLite file in one
transaction, as omen does. Prints `pandas_ingest <seconds>` and the row count it wrote."""
import sqlite3
import sys
import time

import pandas as pd

path, db = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_csv(path, dtype={"model": "string", "downloads": "int64"}, parse_dates=["week"])
days = (df["week"] - pd.Timestamp("1970-01-01")).dt.days
df["week"] = days - (days + 3) % 7  # 1970-01-01 was a Thursday
weekly = df.groupby(["model", "week"], sort=True)["downloads"].sum().reset_index()
con = sqlite3.connect(db)
con.execute("CREATE TABLE models(id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
con.execute("CREATE TABLE downloads(model INTEGER, week INTEGER, downloads INTEGER, "
            "PRIMARY KEY(model, week)) WITHOUT ROWID")
names = weekly["model"].unique()
ids = pd.Series(range(1, len(names) + 1), index=names)
with con:
    con.executemany("INSERT INTO models VALUES(?, ?)", zip(ids.tolist(), names.tolist()))
    con.executemany("INSERT INTO downloads VALUES(?, ?, ?)",
                    zip(ids[weekly["model"]].tolist(), weekly["week"].tolist(),
                        weekly["downloads"].tolist()))
con.close()
print(f"pandas_ingest {time.perf_counter() - t0:.2f}")
print(f"pandas_rows {len(weekly)}")
