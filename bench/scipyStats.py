#!/usr/bin/env python3
"""scipy side of `npm run bench` (driven by bench/stats.bench.ts).

Usage:
  scipyStats.py --probe             print {"python", "numpy", "scipy"} versions as JSON
  scipyStats.py MANIFEST.json       run the benchmarks described by the manifest

The manifest is written by the Node side:
  {"warmup": 1, "runs": 5,
   "cases": [{"id": "mannWhitney", "x": "/tmp/.../mw_x.f64", "y": "..."}, ...]}
Each data file is raw little-endian float64. Only the statistical call is timed
(time.perf_counter); inputs are copied before each timed call, outside the timing.
Prints one JSON object to stdout. Exit code 3 means numpy/scipy is missing.
"""
import json
import platform
import statistics
import sys
import time

try:
    import numpy as np
    import scipy
    import scipy.stats as st
except ImportError as exc:  # pragma: no cover - environment check
    sys.stderr.write(f"scipyStats.py: cannot import numpy/scipy ({exc})\n")
    sys.exit(3)


def _mann_whitney(x, y):
    r = st.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="asymptotic")
    return float(r.statistic), float(r.pvalue), {}


def _ks(x, y):
    r = st.ks_2samp(x, y)  # method="auto" -> asymptotic for samples this large
    return float(r.statistic), float(r.pvalue), {}


def _welch(x, y):
    r = st.ttest_ind(x, y, equal_var=False)
    extra = {}
    df = getattr(r, "df", None)  # present on scipy >= 1.11 only
    if df is not None:
        extra["df"] = float(df)
    return float(r.statistic), float(r.pvalue), extra


CASES = {"mannWhitney": _mann_whitney, "ks": _ks, "welch": _welch}


def versions():
    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__}


def run_case(fn, x, y, warmup, runs):
    for _ in range(warmup):
        fn(x.copy(), y.copy())
    times = []
    result = None
    for _ in range(runs):
        xc, yc = x.copy(), y.copy()  # fresh copies, made outside the timing
        t0 = time.perf_counter()
        result = fn(xc, yc)
        times.append((time.perf_counter() - t0) * 1000.0)
        del xc, yc
    stat, p, extra = result
    return {"timesMs": times, "medianMs": statistics.median(times), "statistic": stat, "pValue": p, **extra}


def main(argv):
    if len(argv) == 2 and argv[1] == "--probe":
        print(json.dumps(versions()))
        return 0
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], "r", encoding="utf-8") as fh:
        manifest = json.load(fh)
    warmup = int(manifest.get("warmup", 1))
    runs = int(manifest.get("runs", 5))
    out = {"versions": versions(), "results": {}}
    for case in manifest["cases"]:
        fn = CASES[case["id"]]
        x = np.fromfile(case["x"], dtype="<f8")
        y = np.fromfile(case["y"], dtype="<f8")
        out["results"][case["id"]] = run_case(fn, x, y, warmup, runs)
        del x, y
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
