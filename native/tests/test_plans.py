#!/usr/bin/env python3
"""One plan per call: the C library and the Java API must plan the same launches (kernel, compiler
defines, global and local work sizes) for the same device, shape and configuration. For each GEMM
configuration (the CPU default, then tuned PACKED, TILED -- the GPU family -- and TILED with another tile,
each stored in a temporary tuning store under the device's key, so both hosts also read the same store
the same way) and a matrix of shapes and transposes, it asks the Java side (`neurokernels plan gemm
--json`) and the C side (nk_plan_gemm through the package) and requires identical answers.

    python3 native/tests/test_plans.py [path/to/libneurokernels.so]
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import neurokernels as nk  # noqa: E402

LIB = sys.argv[1] if len(sys.argv) > 1 else None
SELECTOR = "opencl:pocl"
SHAPES = [f"{m}x{k}x{n}:{op}"
          for (m, k, n) in [(1, 1, 1), (64, 784, 256), (64, 256, 256), (64, 256, 10), (64, 10, 256), (10, 64, 256),
                            (256, 64, 784), (15, 17, 16), (16, 1000, 3), (33, 65, 129), (127, 128, 129), (512, 512, 512),
                            (1024, 1024, 1024), (2048, 7, 2048), (3, 4096, 5)]
          for op in ("NN", "NT", "TN", "TT")]
# the second as `neurokernels tune` writes it (Properties escapes), the others plain
CONFIGS = [None, "PACKED mr\\=4 nr\\=64 ts\\=64", "PACKED mr=12 nr=32 ts=64", "TILED mr=8 nr=32 ts=64", "TILED mr=8 nr=32 ts=32"]


# output_layer: rows x classes x width, around the 16 classes of its one-launch CPU kernel
OUTPUT_SHAPES = ["%dx%dx%d" % (r, c, q) for r in (1, 64, 257) for c in (1, 10, 16, 17, 100) for q in (3, 256)]


def java_plans(env, family="gemm", shapes=SHAPES):
    cmd = [os.path.join(ROOT, "neurokernels"), "plan", family, "--device", SELECTOR, "--json"]
    for s in shapes:
        cmd += ["--shape", s]
    out = subprocess.run(cmd, check=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return {p["shape"]: (p["defines"], [(l["kernel"], *l["global"], *l["local"]) for l in p["launches"]]) for p in json.loads(out)}


def java_op_plans(env):
    cmd = [os.path.join(ROOT, "neurokernels"), "plan", "ops", "--device", SELECTOR, "--json"]
    out = subprocess.run(cmd, check=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return json.loads(out)


def c_op_plan(dev, case):
    """nk_op_plan for one of Java's cases: fresh buffers of its shapes, its parameters as text."""
    bufs = {name: dev.buffer(r, c) for name, (r, c) in case["shapes"].items()}
    try:
        return dev.plan(case["op"], **bufs, **case["params"])
    finally:
        for b in bufs.values():
            b.free()


def c_output_plans(dev):
    plans = {}
    for s in OUTPUT_SHAPES:
        rows, c, q = (int(x) for x in s.split("x"))
        defines, launches = dev.plan_output_layer(rows, c, q)
        plans[s] = (defines, [tuple(l) for l in launches])
    return plans


def c_plans(dev):
    plans = {}
    for s in SHAPES:
        dims, op = s.split(":")
        m, k, n = (int(x) for x in dims.split("x"))
        defines, launches = dev.plan_gemm(m, n, k, op[0] == "T", op[1] == "T")
        plans[s] = (defines, [tuple(l) for l in launches])
    return plans


failures = 0
compared = 0
with tempfile.TemporaryDirectory(prefix="nk-plans-") as work:
    key = None
    for config in CONFIGS:
        env = dict(os.environ)
        store = os.path.join(work, "tuning.properties")
        if config is not None:
            with open(store, "w") as f:
                f.write("%s=%s\n" % (key, config))
            env["NK_TUNING_FILE"] = store
        os.environ.clear()
        os.environ.update(env)  # the C library reads NK_TUNING_FILE from this process's environment
        dev = nk.open(SELECTOR, library=LIB)
        key = dev.tuning_key
        c, c_out = c_plans(dev), c_output_plans(dev)
        if config in (None, "TILED mr=8 nr=32 ts=64"):
            # every op with a launch plan over its conformance cases: kernel, work sizes and every argument
            cases = java_op_plans(env)
            label = config or "default"
            for case in cases:
                compared += 1
                got = c_op_plan(dev, case)
                if got != case["launches"]:
                    failures += 1
                    print("DIFFERENT  %-24s %s %s\n  C    %s\n  Java %s" % (label, case["op"], case["shapes"], got, case["launches"]))
            kernels = sorted({l.split()[0] for case in cases for l in case["launches"]})
            print("%-26s %d op cases of %d ops: same launches and arguments from C and Java (kernels %s)"
                  % (label, len(cases), len({case["op"] for case in cases}), ", ".join(kernels)))
        dev.close()
        j, j_out = java_plans(env), java_plans(env, "output_layer", OUTPUT_SHAPES)
        label = config or "default"
        for shapes, cp, jp in ((SHAPES, c, j), (OUTPUT_SHAPES, c_out, j_out)):
            for s in shapes:
                compared += 1
                if cp[s] != jp[s]:
                    failures += 1
                    print("DIFFERENT  %-24s %-16s\n  C    %s\n  Java %s" % (label, s, cp[s], jp[s]))
        fused = sum(1 for s in OUTPUT_SHAPES if c_out[s][1][0][0] == "nk_output_layer16")
        print("%-26s output_layer: %d of %d shapes one launch" % (label, fused, len(OUTPUT_SHAPES)))
        kernels = sorted({l[0] for s in SHAPES for l in c[s][1]})
        print("%-26s %d shapes: same plan from C and Java (%s; kernels %s)" % (label, len(SHAPES), c[SHAPES[0]][0], ", ".join(kernels)))
print("%d plans compared, %d different" % (compared, failures))
sys.exit(1 if failures else 0)
