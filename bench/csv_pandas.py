#!/usr/bin/python3
# csv_pandas.py: the pandas peer for bench/csv_bench: times pandas.read_csv on the same file.
#
# Usage: /usr/bin/python3 bench/csv_pandas.py FILE. Prints "pandas  <MB/s> MB/s" (10^6 bytes,
# best of 3, like csv_bench) and the sum of the downloads column as a cross-check.

import os
import sys
import time

import pandas as pd

RUNS = 3


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: csv_pandas.py FILE")
    path = sys.argv[1]
    size = os.path.getsize(path)
    best = float("inf")
    total = 0
    for _ in range(RUNS):
        t0 = time.perf_counter()
        df = pd.read_csv(path)
        dt = time.perf_counter() - t0
        best = min(best, dt)
        total = int(df["downloads"].sum())
        rows = len(df)
        del df
    print("pandas    %8.1f MB/s  (best of %d, %d rows, sum %d, pandas %s)"
          % (size / 1e6 / best, RUNS, rows, total, pd.__version__))


if __name__ == "__main__":
    main()
