#!/usr/bin/python3
"""Cross-checks src/stats against scipy, numpy and scikit-learn (DESIGN.md section 5).

Compiles tests/crosscheck/stats_driver.c against $BUILD/libomen.a (BUILD defaults to build)
into a temporary folder and sends it requests on stdin. Compared to 1e-9 relative:
- chi-squared, p-value and dof against scipy.stats.chi2_contingency (correction on and off)
  and Cramer's V against scipy.stats.contingency.association on generated 2x2 and r x c
  tables: tiny counts, zero cells, counts near 1e12, fractional counts; tables with a zero
  margin must fail where scipy raises;
- weighted means (numpy.average) and weighted quantiles (numpy 2's inverted_cdf with weights,
  ported below since numpy here is 1.24; unweighted also against numpy.quantile) on data with
  ties and zero weights;
- kernel density against scipy.stats.gaussian_kde (weighted and not) on a grid;
- OLS against numpy.polyfit, R^2 against sklearn.metrics.r2_score.
RANSAC is random, so it is compared with sklearn.linear_model.RANSACRegressor over 200 seeds:
on the parameter/byte pairs of ../shared/data/real (skipped when absent) omen's predictions at
the 10th/50th/90th percentile of log10(bytes) and its inlier count (over a few seeds) must lie
in sklearn's range, and the final refit on omen's inliers must equal numpy.polyfit; on
generated lines with outliers the slope must be recovered. Prints one line per check and
"N passed, N failed, N skipped"; exits 1 on any failure.
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.stats
from scipy.stats.contingency import association

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
DRIVER_SRC = os.path.join(ROOT, "tests", "crosscheck", "stats_driver.c")
REAL = os.path.join(os.path.dirname(ROOT), "shared", "data", "real")
LIBS = ["-lsqlite3", "-lcjson", "-lz", "-lcrypto", "-lm", "-lgsl", "-lgslcblas"]
REL = 1e-9
SKLEARN_SEEDS = 200
OMEN_SEEDS = (1, 2, 3, 4, 5)  # the first seeds of the distribution run, checked one by one
counts = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["passed" if ok else "failed"] += 1
    print(f"  {'pass' if ok else 'FAIL'} {name}")
    if not ok and detail:
        print("    " + str(detail).replace("\n", "\n    "))


def skip(name, why):
    counts["skipped"] += 1
    print(f"  skip {name}: {why}")


def close(got, want, atol=0.0):
    got, want = np.atleast_1d(np.asarray(got, float)), np.atleast_1d(np.asarray(want, float))
    if got.shape != want.shape:
        return False, f"shape {got.shape} != {want.shape}"
    bad = ~np.isclose(got, want, rtol=REL, atol=atol, equal_nan=True)
    if bad.any():
        i = int(np.argmax(bad))
        return False, f"{int(bad.sum())} differ, e.g. [{i}] got {got[i]!r} want {want[i]!r}"
    return True, ""


def build_driver(tmp):
    exe = os.path.join(tmp, "stats_driver")
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


class Driver:
    """Batches requests, runs the driver once, hands back its result lines in order."""

    def __init__(self, exe):
        self.exe, self.requests = exe, []

    def add(self, *parts):
        words = []
        for part in parts:
            if isinstance(part, (list, tuple, np.ndarray)):
                words.extend(repr(float(v)) for v in np.ravel(part))
            else:
                words.append(repr(float(part)) if isinstance(part, float) else str(part))
        self.requests.append(" ".join(words))

    def run(self):
        text = "\n".join(self.requests) + "\n"
        self.requests = []
        p = subprocess.run([self.exe], input=text, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"stats_driver exited {p.returncode}: {p.stderr[-500:]}")
        return [line.split() for line in p.stdout.splitlines()]


# ---------------------------------------------------------------- contingency tables

def no_zero_margin(t):
    """Zero cells are kept, but a zero row or column gets a 1 (those tables are tested apart,
    in zero_margin_tables)."""
    t = t.copy()
    for i in np.flatnonzero(t.sum(axis=1) == 0):
        t[i, i % t.shape[1]] = 1.0
    for j in np.flatnonzero(t.sum(axis=0) == 0):
        t[j % t.shape[0], j] = 1.0
    return t


def tables():
    for name, t in raw_tables():
        yield name, no_zero_margin(t)


def raw_tables():
    rng = np.random.default_rng(20260401)
    yield "2x2 textbook", np.array([[10, 20], [30, 40]], float)
    yield "2x2 |O-E| < 0.5", np.array([[5, 5], [5, 6]], float)
    yield "2x2 |O-E| = 0.5 exactly", np.array([[1, 2], [3, 4]], float) * 2 + [[0, 1], [1, 0]]
    yield "2x2 a zero cell", np.array([[0, 7], [3, 9]], float)
    yield "2x2 two zero cells", np.array([[0, 7], [3, 0]], float)
    yield "1x3 (dof 0)", np.array([[3, 4, 5]], float)
    yield "3x1 (dof 0)", np.array([[3], [4], [5]], float)
    for k in range(60):
        yield f"2x2 tiny #{k}", rng.integers(0, 4, (2, 2)).astype(float)
    for k in range(30):
        yield f"2x2 small #{k}", rng.integers(0, 30, (2, 2)).astype(float)
    for k in range(30):
        yield f"2x2 huge #{k}", rng.integers(1, 10**12, (2, 2)).astype(float)
    for k in range(10):
        base = rng.integers(10**11, 10**12)
        yield f"2x2 huge near independence #{k}", np.array(
            [[base, 2 * base], [3 * base, 6 * base + rng.integers(-3, 4)]], float)
    for k in range(30):
        yield f"2x2 fractional #{k}", rng.uniform(0, 5, (2, 2)) * 10.0 ** rng.integers(-3, 9)
    for k in range(20):
        yield f"2x2 downloads-like #{k}", np.floor(rng.lognormal(12, 3, (2, 2))) / \
            rng.integers(1, 4, (2, 2))
    for k in range(60):
        r, c = rng.integers(2, 7, 2)
        kind = k % 4
        if kind == 0:
            t = rng.integers(0, 4, (r, c)).astype(float)
        elif kind == 1:
            t = rng.integers(0, 1000, (r, c)).astype(float)
        elif kind == 2:
            t = rng.integers(0, 10**12, (r, c)).astype(float)
        else:
            t = rng.uniform(0, 3, (r, c)) * 10.0 ** rng.integers(-2, 7)
        t[rng.uniform(size=(r, c)) < 0.2] = 0.0
        yield f"{r}x{c} {['tiny', 'medium', 'huge', 'fractional'][kind]} #{k}", t
    yield "12x9 wide rows (pairwise sums)", rng.uniform(0, 1e6, (12, 9))
    yield "3x40 long rows (pairwise sums)", rng.uniform(0, 1e9, (3, 40))
    yield "2x200 long rows (pairwise sums)", rng.uniform(0, 1e3, (2, 200))


def zero_margin_tables():
    yield "2x2 zero row", np.array([[0, 0], [3, 4]], float)
    yield "2x2 zero column", np.array([[0, 5], [0, 4]], float)
    yield "3x3 zero row", np.array([[1, 2, 3], [0, 0, 0], [4, 5, 6]], float)
    yield "2x2 all zero", np.zeros((2, 2))


def scipy_reference(t, correction):
    res = scipy.stats.chi2_contingency(t, correction=correction)
    chi2, p, dof = float(res[0]), float(res[1]), float(res[2])
    r, c = t.shape
    if min(r, c) < 2:
        v = math.nan  # association() divides by zero there
    elif np.all(t == np.round(t)) and t.max() < 2**62:
        v = association(t.astype(np.int64), method="cramer")
    else:  # association() insists on integers: its own formula on the uncorrected chi2
        plain = scipy.stats.chi2_contingency(t, correction=False)[0]
        v = math.sqrt(plain / t.sum() / (min(r, c) - 1))
    return chi2, p, dof, v


def check_contingency(drv):
    cases = []
    for name, t in tables():
        for correction in (True, False):
            drv.add("chi2", t.shape[0], t.shape[1], int(correction), t.astype(float))
            cases.append((name, t, correction))
    results = drv.run()
    bad = []
    for (name, t, correction), got in zip(cases, results):
        want = scipy_reference(t, correction)
        label = f"{name} correction={correction}"
        if got[1] != "ok":
            bad.append(f"{label}: omen failed, scipy gave {want}")
            continue
        vals = [float(v) for v in got[2:]]
        # chi2 and V near 0 carry cancellation noise only: an absolute floor there; p-values
        # far in the tail are compared down to 1e-300 (GSL keeps denormals scipy flushes).
        for what, g, w, atol in zip(("chi2", "p", "dof", "V"), vals, want,
                                    (1e-12, 1e-300, 0.0, 1e-12)):
            ok, why = close(g, w, atol)
            if not ok:
                bad.append(f"{label} {what}: {why}; table {t.tolist()}")
    check(f"chi2 / p / dof / Cramer's V on {len(cases)} tables vs scipy", not bad,
          "\n".join(bad[:10]))
    yates_small = [r for (n, _, c), r in zip(cases, results) if n == "2x2 |O-E| < 0.5" and c]
    check("2x2 with every |O-E| < 0.5: Yates gives chi2 0, p 1",
          yates_small and float(yates_small[0][2]) == 0.0 and float(yates_small[0][3]) == 1.0,
          yates_small)

    for name, t in zero_margin_tables():
        with np.errstate(invalid="ignore"):
            try:
                res = scipy.stats.chi2_contingency(t)
                raised = t.sum() == 0 and math.isnan(res[0])  # scipy: NaN, no error
            except ValueError:
                raised = True
        drv.add("chi2", t.shape[0], t.shape[1], 1, t)
        got = drv.run()[0]
        check(f"{name}: scipy raises (NaN for all zero) and omen fails",
              raised and got[1] == "fail", got)


# ---------------------------------------------------------------- weighted summaries

def numpy2_weighted_quantile(x, w, qs):
    """numpy 2's np.quantile(x, q, weights=w, method="inverted_cdf") (lib/_function_base_impl
    _quantile, weights branch): stable argsort, cdf = cumsum / cdf[-1], searchsorted left,
    index capped at n - 1."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(x, kind="stable")
    cdf = np.cumsum(w[order], dtype=np.float64)
    cdf /= cdf[-1]
    idx = np.minimum(np.searchsorted(cdf, np.asarray(qs, float), side="left"), len(x) - 1)
    return x[order][idx]


def summary_data():
    rng = np.random.default_rng(99)
    yield "n=1", np.array([4.2]), np.array([3.0])
    yield "n=2", np.array([1.0, 2.0]), np.array([1.0, 1.0])
    yield "ties", rng.integers(0, 10, 200).astype(float), rng.integers(0, 5, 200).astype(float)
    yield "ties, integer weights", rng.integers(0, 4, 57).astype(float), \
        rng.integers(1, 3, 57).astype(float)
    yield "zero weights", rng.normal(size=300), np.where(rng.uniform(size=300) < 0.3, 0.0,
                                                         rng.lognormal(0, 2, 300))
    yield "leading zero weights", np.arange(10.0), np.array([0, 0, 0, 1, 1, 1, 1, 0, 0, 0.0])
    yield "log10 sizes, downloads", rng.normal(9, 1, 5000), np.floor(rng.lognormal(5, 3, 5000))
    yield "heavy weights", rng.uniform(0, 1, 1000), rng.pareto(0.7, 1000)
    yield "negative x", rng.normal(-5, 3, 777), rng.uniform(0, 1, 777)


QS = [0.0, 1e-9, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.999, 1.0]


def check_summaries(drv):
    cases = []
    for name, x, w in summary_data():
        qs = QS + list(np.random.default_rng(len(x)).uniform(size=8))
        drv.add("mean", len(x), 1, x, w)
        drv.add("mean", len(x), 0, x)
        drv.add("quantiles", len(x), 1, len(qs), x, w, qs)
        drv.add("quantiles", len(x), 0, len(qs), x, qs)
        cases.append((name, x, w, qs))
    results = drv.run()
    for k, (name, x, w, qs) in enumerate(cases):
        mean_w, mean_u, quant_w, quant_u = results[4 * k: 4 * k + 4]
        check(f"{name}: weighted mean vs numpy.average",
              *close(float(mean_w[1]), np.average(x, weights=w) if w.sum() else math.nan))
        check(f"{name}: unweighted mean vs numpy.mean", *close(float(mean_u[1]), np.mean(x)))
        got = [float(v) for v in quant_w[1:]]
        check(f"{name}: weighted quantiles vs numpy 2 inverted_cdf",
              *close(got, numpy2_weighted_quantile(x, w, qs)))
        got = [float(v) for v in quant_u[1:]]
        check(f"{name}: unweighted quantiles vs numpy.quantile(method='inverted_cdf')",
              *close(got, np.quantile(x, qs, method="inverted_cdf")))
    drv.add("quantiles", 3, 1, 2, [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [0.5, 1.0])
    drv.add("mean", 3, 1, [1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    drv.add("quantiles", 0, 1, 1, [0.5])
    q, m, e = drv.run()
    check("all weights zero: quantiles and mean are NaN",
          all(math.isnan(float(v)) for v in q[1:] + m[1:]), (q, m))
    check("no data: quantile is NaN", math.isnan(float(e[1])), e)


def kde_data():
    rng = np.random.default_rng(5)
    yield "n=2", np.array([1.0, 2.0]), None
    yield "normal n=50", rng.normal(0, 1, 50), None
    yield "log10 sizes n=2000 weighted", rng.normal(9, 1.2, 2000), rng.lognormal(4, 2.5, 2000)
    yield "bimodal weighted with zeros", np.concatenate([rng.normal(7, .3, 300),
                                                         rng.normal(11, .5, 300)]), \
        np.where(rng.uniform(size=600) < 0.2, 0.0, rng.uniform(0, 10, 600))
    yield "ties", rng.integers(6, 12, 400).astype(float), rng.integers(1, 100, 400).astype(float)


def check_kde(drv):
    cases = []
    for name, x, w in kde_data():
        grid = np.linspace(x.min() - 3, x.max() + 3, 64)
        if w is None:
            drv.add("kde", len(x), 0, len(grid), x, grid)
        else:
            drv.add("kde", len(x), 1, len(grid), x, w, grid)
        cases.append((name, x, w, grid))
    for (name, x, w, grid), got in zip(cases, drv.run()):
        want = scipy.stats.gaussian_kde(x, weights=w)(grid)
        ok = got[1] == "ok"
        check(f"kde {name} vs scipy gaussian_kde", ok and close([float(v) for v in got[2:]],
                                                                  want, 1e-300)[0],
              close([float(v) for v in got[2:]], want, 1e-300)[1] if ok else got[:2])
    drv.add("kde", 5, 0, 2, [3.0] * 5, [2.0, 3.0])
    drv.add("kde", 1, 0, 1, [3.0], [3.0])
    drv.add("kde", 3, 1, 1, [3.0, 4.0, 5.0], [0.0, 2.0, 0.0], [3.0])
    for name, got in zip(("constant x (scipy: a rounding-noise spike)", "n=1",
                          "one point of positive weight"), drv.run()):
        check(f"kde {name}: fails with zero density",
              got[1] == "fail" and all(float(v) == 0 for v in got[2:]), got)


# ---------------------------------------------------------------- regression

def check_ols_r2(drv):
    from sklearn.metrics import r2_score
    rng = np.random.default_rng(11)
    cases = []
    for n in (2, 3, 10, 1000):
        x = rng.normal(9, 1, n)
        y = 0.9 * x + 0.5 + rng.normal(0, 0.3, n)
        drv.add("ols", n, x, y)
        drv.add("r2", n, 0.8, 1.0, x, y)
        cases.append((n, x, y))
    results = drv.run()
    for k, (n, x, y) in enumerate(cases):
        ols, r2 = results[2 * k: 2 * k + 2]
        slope, icpt = np.polyfit(x, y, 1)
        check(f"ols n={n} vs numpy.polyfit",
              *close([float(ols[2]), float(ols[3])], [slope, icpt], 1e-12))
        check(f"r2 n={n} vs sklearn r2_score", *close(float(r2[1]), r2_score(y, 0.8 * x + 1.0)))
    drv.add("ols", 3, [2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
    drv.add("r2", 3, 0.0, 5.0, [1.0, 2.0, 3.0], [5.0, 5.0, 5.0])
    drv.add("r2", 3, 0.0, 4.0, [1.0, 2.0, 3.0], [5.0, 5.0, 5.0])
    ols, r2_exact, r2_off = drv.run()
    check("ols with constant x fails", ols[1] == "fail", ols)
    check("r2 of constant y: 1 when exact, 0 otherwise (sklearn force_finite)",
          float(r2_exact[1]) == r2_score([5, 5, 5], [5, 5, 5]) and
          float(r2_off[1]) == r2_score([5, 5, 5], [4, 4, 4]), (r2_exact, r2_off))


def dynamic_max_trials(inliers, n):
    from sklearn.linear_model._ransac import _dynamic_max_trials
    return min(100, _dynamic_max_trials(inliers, n, 2, 0.99))


def run_ransac(drv, x, y, seeds, threshold=0.0):
    for seed in seeds:
        drv.add("ransac", len(x), seed, threshold, x, y)
    lines = drv.run()
    out = []
    for head, mask in zip(lines[0::2], lines[1::2]):
        out.append({"ok": head[1] == "ok", "slope": float(head[2]), "intercept": float(head[3]),
                    "inliers": int(head[4]), "trials": int(head[5]),
                    "threshold": float(head[6]), "masksum": int(head[7]),
                    "mask": np.array([int(v) for v in mask[1:]], bool)})
    return out


def sklearn_ransac(x, y, seeds, points):
    from sklearn.linear_model import RANSACRegressor
    preds, inliers, trials = [], [], []
    for seed in seeds:
        r = RANSACRegressor(random_state=seed).fit(x[:, None], y)
        preds.append(r.predict(points[:, None]))
        inliers.append(int(r.inlier_mask_.sum()))
        trials.append(r.n_trials_)
    return np.array(preds), np.array(inliers), np.array(trials)


def compare_ransac(drv, name, x, y):
    """omen over OMEN_SEEDS against sklearn over SKLEARN_SEEDS random states."""
    points = np.percentile(x, [10, 50, 90])
    preds, inliers, trials = sklearn_ransac(x, y, range(SKLEARN_SEEDS), points)
    many = run_ransac(drv, x, y, range(1, SKLEARN_SEEDS + 1))
    runs = many[:len(OMEN_SEEDS)]
    mad = np.median(np.abs(y - np.median(y)))
    check(f"{name}: every seed finds a consensus set", all(r["ok"] for r in runs))
    check(f"{name}: threshold is the MAD of y", *close([r["threshold"] for r in runs],
                                                       [mad] * len(runs)))
    for r, seed in zip(runs, OMEN_SEEDS):
        got = r["slope"] * points + r["intercept"]
        inside = (got >= preds.min(0) - 1e-9) & (got <= preds.max(0) + 1e-9)
        check(f"{name} seed {seed}: predictions at p10/p50/p90 of x within sklearn's range "
              f"over {SKLEARN_SEEDS} seeds", inside.all(),
              f"omen {got.tolist()}, sklearn min {preds.min(0).tolist()} max "
              f"{preds.max(0).tolist()}")
        check(f"{name} seed {seed}: {r['inliers']} inliers within sklearn's "
              f"{inliers.min()}..{inliers.max()}",
              inliers.min() <= r["inliers"] <= inliers.max() and r["masksum"] == r["inliers"])
        slope, icpt = np.polyfit(x[r["mask"]], y[r["mask"]], 1)
        check(f"{name} seed {seed}: final fit = numpy.polyfit on its inliers",
              *close([r["slope"], r["intercept"]], [slope, icpt], 1e-12))
        check(f"{name} seed {seed}: {r['trials']} trials as sklearn's dynamic count allows",
              dynamic_max_trials(r["inliers"], len(x)) <= r["trials"] <= 100)
    # the distributions over seeds: omen's median lies in sklearn's interquartile range
    many_inliers = [r["inliers"] for r in many]
    many_preds = np.array([r["slope"] * points + r["intercept"] for r in many])
    q1, q3 = np.percentile(inliers, [25, 75])
    check(f"{name}: median inliers over {len(many)} omen seeds {np.median(many_inliers)} in "
          f"sklearn's interquartile range {q1}..{q3}", q1 <= np.median(many_inliers) <= q3)
    q1, q3 = np.percentile(preds, [25, 75], axis=0)
    med = np.median(many_preds, axis=0)
    check(f"{name}: median predictions over {len(many)} omen seeds in sklearn's interquartile "
          f"range", ((q1 - 1e-9 <= med) & (med <= q3 + 1e-9)).all(),
          f"omen {med.tolist()}, sklearn q1 {q1.tolist()} q3 {q3.tolist()}")
    many_trials = np.median([r["trials"] for r in many])
    check(f"{name}: median trials over {len(many)} omen seeds {many_trials} within sklearn's "
          f"n_trials_ range {trials.min()}..{trials.max()}",
          trials.min() <= many_trials <= trials.max())
    check(f"{name}: same seed, same result",
          run_ransac(drv, x, y, [OMEN_SEEDS[0]])[0]["slope"] == runs[0]["slope"])


def real_pairs():
    import pandas as pd
    path = os.path.join(REAL, "hf_model_trees_oderinwale", "nodes.csv")
    if os.path.exists(path):
        d = pd.read_csv(path, usecols=["safetensors_total", "used_storage_bytes"])
        d = d[(d.safetensors_total > 0) & (d.used_storage_bytes > 0)]
        yield "hf_model_trees (safetensors params ~ usedStorage)", \
            np.log10(d.used_storage_bytes.to_numpy(float)), \
            np.log10(d.safetensors_total.to_numpy(float))
    else:
        skip("RANSAC on hf_model_trees_oderinwale", f"{path} absent")
    path = os.path.join(REAL, "lmstudio_model_catalog", "files_params_bytes_all_history.csv")
    if os.path.exists(path):
        d = pd.read_csv(path, usecols=["num_parameters_nominal_int", "size_bytes"])
        d = d[(d.num_parameters_nominal_int > 0) & (d.size_bytes > 0)]
        yield "lmstudio_model_catalog (nominal params ~ GGUF/GGML bytes)", \
            np.log10(d.size_bytes.to_numpy(float)), \
            np.log10(d.num_parameters_nominal_int.to_numpy(float))
    else:
        skip("RANSAC on lmstudio_model_catalog", f"{path} absent")


def check_ransac(drv):
    rng = np.random.default_rng(3)
    n = 500
    x = rng.uniform(7, 12, n)
    y = 0.98 * x + 0.2 + rng.normal(0, 0.05, n)
    out = rng.uniform(size=n) < 0.25
    # beyond the MAD threshold (about 1.2 here) so that they are outliers to sklearn as well
    y[out] += rng.choice([-1, 1], out.sum()) * rng.uniform(2, 5, out.sum())
    for r in run_ransac(drv, x, y, range(1, 6)):
        check(f"generated line, 25% outliers: slope {r['slope']:.4f} ~ 0.98, no outlier kept",
              abs(r["slope"] - 0.98) < 0.01 and not (r["mask"] & out).any())
    compare_ransac(drv, "generated line", x, y)
    for name, bx, by in real_pairs():
        compare_ransac(drv, name, bx, by)
    nan_y = np.array([1.0, 2.0, 3.0, 4.0])
    r = run_ransac(drv, nan_y, nan_y * np.nan, [1])[0]
    check("no consensus set (NaN residuals): fails as sklearn raises", not r["ok"])
    r = run_ransac(drv, np.array([1.0]), np.array([1.0]), [1])[0]
    check("n=1: fails", not r["ok"])
    r = run_ransac(drv, np.array([1.0, 2.0, 3.0, 10.0]), np.array([2.0, 4.0, 6.0, 0.0]), [1],
                   threshold=0.5)[0]
    check("given threshold 0.5: the outlier is left out", r["ok"] and r["inliers"] == 3 and
          r["threshold"] == 0.5 and abs(r["slope"] - 2) < 1e-12, r)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_driver(tmp)
        if exe:
            drv = Driver(exe)
            check_contingency(drv)
            check_summaries(drv)
            check_kde(drv)
            check_ols_r2(drv)
            check_ransac(drv)
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
