#!/usr/bin/python3
"""Cross-checks src/metrics against numpy and scipy, computed here from the definitions
(DESIGN.md section 5) without looking at the C code.

Compiles tests/crosscheck/metrics_driver.c against $BUILD/libomen.a (BUILD defaults to build)
into a temporary folder, feeds it seeded arrays (lognormal and Pareto heavy tails, uniform,
N = 1..5, N = 10^6, ties, fractional credit, integers, extremes) and compares HHI, normalised
HHI, Gini (the definition, and the mean-absolute-difference form on small N), top-1/10/100,
rank segments, entropy (scipy.stats.entropy), the effective number and the Lorenz curve
(numpy.interp) to 1e-9 relative. For whole counts it also checks the engine's exact measures
(omen_metrics_measure_counts) against numpy and against exact fractions (Python integers).
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import math
import os
import subprocess
import sys
import tempfile
from fractions import Fraction

import numpy as np
import scipy.stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
DRIVER_SRC = os.path.join(ROOT, "tests", "crosscheck", "metrics_driver.c")
LIBS = ["-lsqlite3", "-lcjson", "-lz", "-lcrypto", "-lm", "-lgsl", "-lgslcblas"]
REL, ABS = 1e-9, 1e-12  # the absolute floor is for measures that are exactly 0
counts = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def close(got, want):
    got, want = np.atleast_1d(np.asarray(got, float)), np.atleast_1d(np.asarray(want, float))
    if got.shape != want.shape:
        return False, f"shape {got.shape} != {want.shape}"
    bad = ~np.isclose(got, want, rtol=REL, atol=ABS)
    if bad.any():
        i = int(np.argmax(bad))
        return False, f"{int(bad.sum())} differ, e.g. [{i}] got {got[i]!r} want {want[i]!r}"
    return True, ""


def build_driver(tmp):
    exe = os.path.join(tmp, "metrics_driver")
    lib = os.path.join(ROOT, BUILD, "libomen.a")
    cmd = ["cc", "-O2", "-Iinclude", DRIVER_SRC, lib, *LIBS, "-o", exe]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0 and ("__asan" in p.stderr or "__ubsan" in p.stderr):
        # make asan / ubsan builds: the library needs the sanitizer runtimes at link time
        cmd.insert(1, "-fsanitize=address,undefined")
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    check("driver compiles against " + os.path.join(BUILD, "libomen.a"), p.returncode == 0,
          p.stderr[-2000:])
    return exe if p.returncode == 0 else None


def run_driver(exe, values, cuts=(1, 10, 100, 1000), points=101):
    text = "\n".join(map(repr, (float(v) for v in values))) + "\n"
    args = [exe, "--cuts", ",".join(map(str, cuts)), "--lorenz", str(points)]
    p = subprocess.run(args, input=text, capture_output=True, text=True, check=True)
    out = {}
    for line in p.stdout.splitlines():
        key, *vals = line.split()
        out[key] = [float(v) for v in vals]
    return out


# ---------------------------------------------------------------- reference (from definitions)

def reference(values, cuts, points):
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    total = np.sum(x)
    s = x / total
    hhi = np.sum(s * s)
    ref = {"n": n, "total": math.fsum(x), "hhi": hhi, "effective": 1.0 / hhi}
    ref["hhi_normalized"] = 1.0 if n == 1 else (hhi - 1.0 / n) / (1.0 - 1.0 / n)
    i = np.arange(1, n + 1, dtype=np.float64)
    ref["gini"] = 0.0 if n == 1 else 2.0 * np.sum(i * x) / (n * total) - (n + 1.0) / n
    desc = x[::-1]
    ref["top"] = [1.0 if k >= n else np.sum(desc[:k]) / total for k in (1, 10, 100)]
    bounds = [0, *cuts, max(n, cuts[-1] if cuts else 0)]
    ref["segments"] = [np.sum(desc[a:b]) / total if a < n else 0.0
                       for a, b in zip(bounds[:-1], bounds[1:])]
    ref["entropy"] = scipy.stats.entropy(x)
    pop = np.linspace(0.0, 1.0, points)
    xp = np.arange(n + 1, dtype=np.float64) / n
    fp = np.concatenate([[0.0], np.cumsum(x)]) / total
    ref["lorenz_pop"], ref["lorenz_share"] = pop, np.interp(pop, xp, fp)
    return ref


def gini_mean_abs_difference(values):
    """G = sum_i sum_j |x_i - x_j| / (2 N^2 mean): independent of sorting and ranks."""
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    return np.abs(x[:, None] - x[None, :]).sum() / (2.0 * n * n * x.mean())


# ---------------------------------------------------------------- the arrays

def arrays():
    rng = np.random.default_rng(20240601)
    yield "n=1", [3.5]
    yield "n=2 equal", [7.0, 7.0]
    yield "n=3 fractional", [1 / 3, 2 / 3, 1.0]
    yield "n=4 integers", [4.0, 1.0, 3.0, 2.0]
    yield "n=5 one giant", [1e-3, 2e-3, 5e-3, 1.0, 1e9]
    for n in range(1, 6):
        yield f"tiny lognormal n={n}", rng.lognormal(3.0, 2.0, n)
    yield "all equal n=1000", np.full(1000, 12.5)
    yield "ties n=2000", np.repeat(rng.integers(1, 50, 40).astype(float), 50)
    yield "uniform n=5000", rng.uniform(0.001, 1.0, 5000)
    yield "lognormal sigma 2 n=1000", rng.lognormal(5.0, 2.0, 1000)
    yield "lognormal sigma 3 n=100000", rng.lognormal(5.0, 3.0, 100000)
    yield "pareto a=1.1 n=10000", rng.pareto(1.1, 10000) + 1.0
    yield "pareto a=0.8 n=1500", rng.pareto(0.8, 1500) + 1.0
    yield "integer downloads n=1500", np.floor(rng.lognormal(4.0, 2.5, 1500)) + 1.0
    yield "integer downloads n=200000", np.floor(rng.lognormal(8.0, 3.0, 200_000)) + 1.0
    yield "counts past 2^32 n=5000", rng.integers(1, 2**40, 5000).astype(float)
    yield "equal counts n=300", np.full(300, 77.0)
    yield "weekly totals, mostly below 2048, n=50000", np.floor(rng.lognormal(2.5, 2.0, 50000)) + 1.0
    yield "counts n=63 (below the histogram)", np.floor(rng.lognormal(3.0, 2.0, 63)) + 1.0
    yield "split credit n=20000", rng.integers(1, 1000, 20000) / rng.integers(1, 7, 20000)
    yield "tiny and huge", np.concatenate([rng.uniform(1e-12, 1e-9, 500),
                                           rng.uniform(1e12, 1e15, 20)])
    yield "lognormal n=1000000", rng.lognormal(6.0, 2.5, 1_000_000)


def compare(exe, name, values, cuts=(1, 10, 100, 1000), points=101):
    got = run_driver(exe, values, cuts, points)
    ref = reference(values, list(cuts), points)
    n = len(values)
    check(f"{name}: sort matches qsort", got["sorted_like_qsort"] == [1.0])
    check(f"{name}: sort with a spare buffer matches qsort", got["spare_sorted_like_qsort"] == [1.0])
    if "counts_sorted_like_qsort" in got:
        check(f"{name}: sort of whole counts matches qsort",
              got["counts_sorted_like_qsort"] == [1.0])
    check(f"{name}: N", got["n"] == [n], f"{got['n']} != {n}")
    scalars = ["total", "hhi", "hhi_normalized", "gini", "entropy", "effective"]
    for key in scalars:
        ok, why = close(got[key], ref[key])
        check(f"{name}: {key}", ok, why)
    for key, ref_key in [("hhi_unsorted", "hhi"), ("entropy_unsorted", "entropy"),
                         ("gini_single", "gini"), ("top", "top"), ("top_single", "top"),
                         ("segments", "segments"), ("lorenz_pop", "lorenz_pop"),
                         ("lorenz_share", "lorenz_share")]:
        ok, why = close(got[key], ref[ref_key])
        check(f"{name}: {key}", ok, why)
    if n <= 3000:
        want = 0.0 if n == 1 else gini_mean_abs_difference(values)
        ok, why = close(got["gini"], want)
        check(f"{name}: gini = mean absolute difference form", ok, why)
    ok, why = close(sum(got["segments"]), 1.0)
    check(f"{name}: segments sum to 1", ok, why)
    if "counts_hhi" in got:
        compare_counts(name, values, got, ref)


def exact_measures(values):
    """HHI, normalised HHI and Gini of whole counts as exact fractions (Python integers)."""
    x = sorted(int(v) for v in values)
    n, total = len(x), sum(x)
    squares = sum(v * v for v in x)
    weighted = sum((2 * i - n - 1) * v for i, v in enumerate(x, start=1))
    return {"hhi": Fraction(squares, total * total),
            "hhi_normalized": Fraction(1) if n == 1 else
            Fraction(n * squares - total * total, (n - 1) * total * total),
            "gini": Fraction(0) if n == 1 else Fraction(weighted, n * total)}


def compare_counts(name, values, got, ref):
    """omen_metrics_measure_counts: numpy's values to 1e-9, the shares the same bits as
    omen_metrics_compute's, and the HHI, normalised HHI and Gini within one ulp of the exact
    fractions (correctly rounded but for a double rounding near a tie)."""
    for key in ["total", "hhi", "hhi_normalized", "gini", "effective", "top", "segments"]:
        ok, why = close(got["counts_" + key], ref[key])
        check(f"{name}: counts {key} = numpy", ok, why)
    for key in ["n", "total", "top", "segments"]:
        check(f"{name}: counts {key} = omen_metrics_compute's, bit for bit",
              got["counts_" + key] == got[key], f"{got['counts_' + key]} != {got[key]}")
    for key, exact in exact_measures(values).items():
        value = got["counts_" + key][0]
        err = abs(Fraction(value) - exact)
        check(f"{name}: counts {key} within one ulp of the exact fraction",
              err <= Fraction(math.ulp(float(exact))), f"{value!r} vs {float(exact)!r}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_driver(tmp)
        if exe:
            for name, values in arrays():
                compare(exe, name, values)
            rng = np.random.default_rng(7)
            compare(exe, "custom cuts 2,5,50", rng.lognormal(2.0, 1.5, 300), cuts=(2, 5, 50))
            compare(exe, "cuts beyond N", rng.uniform(1, 2, 30), cuts=(1, 10, 100, 1000, 5000))
            compare(exe, "lorenz 7 points", rng.lognormal(2.0, 1.0, 10), points=7)
            compare(exe, "lorenz 1001 points n=3", [1.0, 2.0, 7.0], points=1001)
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
