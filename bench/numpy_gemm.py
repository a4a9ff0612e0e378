#!/usr/bin/env python3
"""OpenBLAS SGEMM through NumPy (float32 matmul), timed like the JMH benchmarks, written as JMH-style
JSON so org.neurokernels.bench.Results can tabulate it next to the JMH runs.

This is the separate, clearly labelled native peer run: OpenBLAS picks its own kernel for this CPU, so
run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in this command only, e.g.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_gemm.py bench/results/openblas-numpy.json
Shapes: square n = 256, 1024, 2048 (param n) and the GemmShapesBenchmark training shapes (param shape).
"""
import json
import os
import sys
import time

import numpy as np

WARMUP, MEASURE, SECONDS = 3, 5, 1.0


def bench(fn):
    """Iterations of ~1 s like JMH's: mean time per call within each iteration; returns ms per call."""
    def iteration():
        calls, t0 = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            t = time.perf_counter() - t0
            if t >= SECONDS:
                return t / calls
    for _ in range(WARMUP):
        iteration()
    samples = [iteration() * 1e3 for _ in range(MEASURE)]
    mean = float(np.mean(samples))
    err = float(3.0 * np.std(samples, ddof=1) / np.sqrt(len(samples)))
    return mean, err, samples


def entry(params, ms, err, samples, name):
    return {
        "jmhVersion": "numpy " + np.__version__, "benchmark": name, "mode": "avgt", "threads": 1, "forks": 1,
        "jvm": sys.executable, "jdkVersion": "Python " + sys.version.split()[0],
        "vmName": "NumPy/OpenBLAS " + np.__config__.CONFIG["Build Dependencies"]["blas"].get("version", "?"),
        "warmupIterations": WARMUP, "warmupTime": "%d s" % SECONDS, "measurementIterations": MEASURE,
        "measurementTime": "%d s" % SECONDS, "params": params,
        "primaryMetric": {"score": ms, "scoreError": err, "scoreUnit": "ms/op", "rawData": [samples]},
    }


def main(out):
    rng = np.random.default_rng(1)
    results = []
    for n in (256, 1024, 2048):
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = np.empty((n, n), np.float32)
        ms, err, s = bench(lambda: np.matmul(a, b, out=c))
        results.append(entry({"impl": "openblas-numpy", "n": str(n)}, ms, err, s, "numpy.matmul square"))
        print("n=%d: %.3f ms, %.1f GFLOP/s" % (n, ms, 2 * n ** 3 / ms / 1e6))
    for shape in ("64x784x256 NT", "64x256x256 NT", "64x256x10 NT", "64x10x256 NN", "64x256x256 NN",
                  "10x64x256 TN", "256x64x256 TN", "256x64x784 TN"):
        m, k, n = (int(x) for x in shape.split()[0].split("x"))
        ta, tb = shape.split()[1][0] == "T", shape.split()[1][1] == "T"
        a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
        oa, ob = (a.T if ta else a), (b.T if tb else b)
        c = np.empty((m, n), np.float32)
        ms, err, s = bench(lambda: np.matmul(oa, ob, out=c))
        results.append(entry({"impl": "openblas-numpy", "shape": shape}, ms, err, s, "numpy.matmul shapes"))
        print("%s: %.4f ms, %.1f GFLOP/s" % (shape, ms, 2 * m * n * k / ms / 1e6))
    with open(out, "w") as f:
        json.dump(results, f, indent=1)
    print("OPENBLAS_CORETYPE=%s; wrote %s" % (os.environ.get("OPENBLAS_CORETYPE", "(unset)"), out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "openblas-numpy.json")
