#!/usr/bin/env python3
"""Every op the C API exposes, on opencl:pocl, against reference vectors from the Java library: inputs are
drawn here, the reference outputs come from `neurokernels run OP --device java` (the double-accumulating
reference), and the C library's outputs must agree within the op's documented kind of bound (a
normalized error for the GEMM-based ops, bit-exact for Philox and the uniform generator). It uses the
neurokernels package of this source tree (native/python) and the library given as the first argument
(else the one the package finds).

    python3 native/tests/test_ops.py [path/to/libneurokernels.so]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import neurokernels as nk  # noqa: E402

U = 2.0 ** -24
# NK_TEST_DEVICE: another device (ctest ops_vs_java_reference_cuda runs it on cuda:0, the CPU stand-in)
dev = nk.open(os.environ.get("NK_TEST_DEVICE", "opencl:pocl"), library=sys.argv[1] if len(sys.argv) > 1 else None)
print("neurokernels %s on %s (%s)" % (nk.__version__, dev.selector, dev.name))
rng = np.random.default_rng(5)
work = tempfile.mkdtemp(prefix="nk-ops-")
failures = []


def reference(op, inputs, params, outputs):
    """Runs op on the java device through the CLI; returns the named outputs."""
    cmd = [os.path.join(ROOT, "neurokernels"), "run", op, "--device", "java"]
    for name, arr in inputs.items():
        path = os.path.join(work, "%s-%s.npy" % (op, name))
        np.save(path, arr)
        cmd += ["--in", "%s=%s" % (name, path)]
    for k, v in params.items():
        cmd += ["--param", "%s=%s" % (k, v)]
    for name in outputs:
        cmd += ["--out", "%s=%s" % (name, os.path.join(work, "%s-out-%s.npy" % (op, name)))]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {name: np.load(os.path.join(work, "%s-out-%s.npy" % (op, name))) for name in outputs}


def check(op, got, want, scale, bound):
    err = np.max(np.abs(got.astype(np.float64) - want) / scale)
    ok = err <= bound and not np.isnan(got).any()
    print("%-16s max normalized error %.3g (bound %.3g) %s" % (op, err, bound, "ok" if ok else "FAIL"))
    if not ok:
        failures.append(op)


def u(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


# gemm, transposed and with beta
a, b, c0 = u(40, 23), u(31, 40), u(23, 31)
want = reference("gemm", {"a": a, "b": b, "c": c0}, {"trans_a": "true", "trans_b": "true", "alpha": "1.5", "beta": "-0.5"}, ["c"])["c"]
c = dev.put(c0)
dev.gemm(dev.put(a), dev.put(b), c, trans_a=True, trans_b=True, alpha=1.5, beta=-0.5)
check("gemm", c.download(), want, 1.5 * np.abs(a.T) @ np.abs(b.T) + 0.5 * np.abs(c0), (40 + 5) * U)

# dense_forward with bias and tanh
x, w, bias = u(17, 70), u(33, 70), u(1, 33)
ref = reference("dense_forward", {"x": x, "w": w, "bias": bias}, {"activation": "tanh"}, ["out", "pre"])
out, pre = dev.buffer(17, 33), dev.buffer(17, 33)
dev.dense_forward(dev.put(x), dev.put(w), dev.put(bias), "tanh", out, pre)
s = np.abs(x) @ np.abs(w.T) + np.abs(bias)
check("dense_forward", pre.download(), ref["pre"], s, (70 + 5) * U)
check("dense_forward", out.download(), ref["out"], s + np.abs(ref["out"]), (70 + 5 + 32) * U)

# backward_delta (feedback alignment: m is the fixed B), derivative from the pre-activation
d, m, z = u(19, 12), u(12, 45), u(19, 45, lo=-3, hi=3)
want = reference("backward_delta", {"delta": d, "m": m, "a": z}, {"activation": "logistic"}, ["out"])["out"]
o = dev.buffer(19, 45)
dev.backward_delta(dev.put(d), dev.put(m), dev.put(z), "logistic", o)
g = np.exp(-np.abs(z.astype(np.float64))) / (1 + np.exp(-np.abs(z.astype(np.float64)))) ** 2
check("backward_delta", o.download(), want, (np.abs(d) @ np.abs(m)) * g + 1e-30, (12 + 39) * U)

# sgd_update with momentum, and Kolen-Pollack
w0, gr, v0, b0 = u(9, 14), u(9, 14), u(9, 14), u(9, 14)
ref = reference("sgd_update", {"w": w0, "grad": gr, "velocity": v0}, {"lr": "0.1", "weight_decay": "0.01", "momentum": "0.9"}, ["w", "velocity"])
wb, vb = dev.put(w0), dev.put(v0)
dev.sgd_update(wb, dev.put(gr), 0.1, 0.01, 0.9, vb)
t = 0.9 * np.abs(v0) + np.abs(gr)
check("sgd_update", wb.download(), ref["w"], np.abs(w0) + 0.1 * (t + 0.01 * np.abs(w0)), 4 * U)
check("sgd_update", vb.download(), ref["velocity"], t, 2 * U)
ref = reference("kp_update", {"w": w0, "b": b0, "grad": gr}, {"lr": "0.05", "weight_decay": "0.2"}, ["w", "b"])
wb, bb = dev.put(w0), dev.put(b0)
dev.kp_update(wb, bb, dev.put(gr), 0.05, 0.2)
check("kp_update", wb.download(), ref["w"], np.abs(w0) + 0.05 * (np.abs(gr) + 0.2 * np.abs(w0)), 4 * U)
check("kp_update", bb.download(), ref["b"], np.abs(b0) + 0.05 * (np.abs(gr) + 0.2 * np.abs(b0)), 4 * U)

# dense_update with momentum, a bias and a Kolen-Pollack feedback matrix: one fused launch
dl, hh, w0, b0 = u(33, 9), u(33, 14), u(9, 14), u(1, 9)
vw0, vb0, fb0 = u(9, 14), u(1, 9), u(9, 14)
ref = reference("dense_update", {"delta": dl, "h": hh, "w": w0, "b": b0, "velocity_w": vw0, "velocity_b": vb0, "feedback": fb0},
                {"lr": "0.1", "weight_decay": "0.01", "momentum": "0.9"}, ["w", "b", "velocity_w", "velocity_b", "feedback"])
wb, bb, vwb, vbb, fbb = dev.put(w0), dev.put(b0), dev.put(vw0), dev.put(vb0), dev.put(fb0)
dev.dense_update(dev.put(dl), dev.put(hh), wb, 0.1, 0.01, 0.9, b=bb, vw=vwb, vb=vbb, feedback=fbb)
s_w = np.abs(dl).T @ np.abs(hh) + 0.9 * np.abs(vw0)
s_b = np.abs(dl).sum(axis=0, keepdims=True) + 0.9 * np.abs(vb0)
k = 33
check("dense_update", wb.download(), ref["w"], np.abs(w0) + 0.1 * (s_w + 0.01 * np.abs(w0)), (k + 8) * U)
check("dense_update", fbb.download(), ref["feedback"], np.abs(fb0) + 0.1 * (s_w + 0.01 * np.abs(fb0)), (k + 8) * U)
check("dense_update", vwb.download(), ref["velocity_w"], s_w, (k + 4) * U)
check("dense_update", bb.download(), ref["b"], np.abs(b0) + 0.1 * s_b, (k + 8) * U)
check("dense_update", vbb.download(), ref["velocity_b"], s_b, (k + 4) * U)

# softmax_xent with one-hot targets
logits = u(21, 10, lo=-20, hi=20)
targets = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 21)]
ref = reference("softmax_xent", {"logits": logits, "targets": targets}, {}, ["probs", "grad", "loss"])
pb, gb, lb = dev.buffer(21, 10), dev.buffer(21, 10), dev.buffer(21, 1)
dev.softmax_xent(dev.put(logits), dev.put(targets), pb, gb, lb)
check("softmax_xent", pb.download(), ref["probs"], 1.0, (10 + 32) * U)
check("softmax_xent", gb.download(), ref["grad"], 1.0 / 21, (10 + 32) * U)
spread = logits.max(axis=1, keepdims=True) - logits.min(axis=1, keepdims=True)
check("softmax_xent", lb.download(), ref["loss"], 1 + spread + np.abs(ref["loss"]), (20 + 32) * U)

# output_layer: one launch (10 classes) and three (20 classes), with a bias and a feedback matrix, tanh below
for c in (10, 20):
    rows, q = 19, 37
    hh = np.tanh(u(rows, q, lo=-3, hi=3)).astype(np.float32)
    w, bias, m = u(c, q) * np.float32(0.5), u(1, c), u(c, q)
    targets = np.eye(c, dtype=np.float32)[rng.integers(0, c, rows)]
    ref = reference("output_layer", {"h": hh, "w": w, "b": bias, "targets": targets, "m": m}, {"activation": "tanh"},
                    ["probs", "grad", "loss", "delta"])
    pb, gb, lb, db = dev.buffer(rows, c), dev.buffer(rows, c), dev.buffer(rows, 1), dev.buffer(rows, q)
    dev.output_layer(dev.put(hh), dev.put(w), dev.put(targets), pb, gb, lb, b=dev.put(bias), m=dev.put(m), delta=db, activation="tanh")
    e = (q + 5) * (np.abs(hh) @ np.abs(w).T + np.abs(bias)).max(axis=1, keepdims=True)  # logits' bound / u, per row
    z = hh.astype(np.float64) @ w.T + bias
    check("output_layer", pb.download(), ref["probs"], (c + 32) + 2 * e, U)
    check("output_layer", gb.download(), ref["grad"], ((c + 32) + 2 * e) / rows, U)
    check("output_layer", lb.download(), ref["loss"], (2 * c + 32) * (1 + np.ptp(z, axis=1, keepdims=True) + np.abs(ref["loss"])) + 2 * e, U)
    dpost = (1 - hh.astype(np.float64)) * (1 + hh)
    s_delta = ((c + 39) * (np.abs(ref["grad"]) @ np.abs(m)) + ((c + 32) + 2 * e) / rows * np.abs(m).sum(axis=0)) * np.abs(dpost)
    check("output_layer", db.download(), ref["delta"], s_delta + 1e-30, U)

# random_uniform and philox4x32_10: bit-exact
want = reference("random_uniform", {}, {"rows": "13", "cols": "7", "seed": "123456789", "stream": "3", "draw": "11", "lo": "-2", "hi": "5"}, ["out"])["out"]
rb = dev.buffer(13, 7)
dev.random_uniform(rb, 123456789, 3, 11, -2.0, 5.0)
check("random_uniform", rb.download(), want, 1.0, 0.0)
ctr = rng.integers(0, 2 ** 32, (6, 4), dtype=np.uint64).astype(np.uint32)
key = rng.integers(0, 2 ** 32, (6, 2), dtype=np.uint64).astype(np.uint32)
want = reference("philox4x32_10", {"counter": ctr, "key": key}, {}, ["out"])["out"]
ob = dev.buffer(6, 4)
dev.philox(dev.put(ctr), dev.put(key), ob)
same = np.array_equal(ob.download(np.uint32), want)
print("%-16s bit-exact %s" % ("philox4x32_10", "ok" if same else "FAIL"))
if not same:
    failures.append("philox4x32_10")

# lif_step: voltages away from threshold (no ties), every state variable
n = 50
state = {"v": u(1, n, lo=-70, hi=-52), "i_e": u(1, n, lo=0, hi=1), "i_i": u(1, n, lo=-1, hi=0),
         "refractory": rng.integers(0, 3, (1, n)).astype(np.float32), "rate": u(1, n, lo=0, hi=0.05),
         "count": rng.integers(0, 5, (1, n)).astype(np.float32), "i_ext": u(1, n, lo=0, hi=2)}
prm = {"tau_m": "20", "cm": "1", "v_rest": "-65", "v_reset": "-65", "v_thresh": "-50", "tau_refrac": "2",
       "tau_syn_E": "5", "tau_syn_I": "5", "i_offset": "0", "dt": "0.1", "tau_rate": "100"}
ref = reference("lif_step", state, prm, ["v", "i_e", "i_i", "refractory", "spikes", "rate", "count"])
bufs = {k: dev.put(arr) for k, arr in state.items()}
spk = dev.buffer(1, n)
dev.lif_step(nk.LifParams(20, 1, -65, -65, -50, 2, 5, 5, 0), 0.1, 100.0, bufs["v"], bufs["i_e"], bufs["i_i"], bufs["refractory"],
             spk, bufs["rate"], bufs["count"], i_ext=bufs["i_ext"])
check("lif_step", bufs["v"].download(), ref["v"], 65 + np.abs(state["v"]) + 1, 8 * U)
check("lif_step", bufs["i_e"].download(), ref["i_e"], np.abs(state["i_e"]) + 1e-30, 3 * U)
for name, buf in (("spikes", spk), ("refractory", bufs["refractory"]), ("count", bufs["count"])):
    check("lif_step " + name, buf.download(), ref[name], 1.0, 0.0)

# rate_step with noise (exponential Euler)
n = 40
r0, x0, c0, tau0 = u(3, n), u(3, n, lo=-2, hi=2), u(1, n, lo=0.05, hi=0.95), u(1, n, lo=5, hi=50)
want = reference("rate_step", {"r": r0, "x": x0, "c": c0, "tau": tau0},
                 {"activation": "tanh", "exp_euler": "true", "noise_scale": "0.3", "seed": "17", "stream": "2", "step": "9"}, ["r"])["r"]
rb = dev.put(r0)
dev.rate_step("tanh", True, rb, dev.put(x0), dev.put(c0), dev.put(tau0), 0.3, 17, 2, 9)
check("rate_step", rb.download(), want, np.abs(r0) + 1 + 6 * 0.3 / tau0, 40 * U)

# izhikevich_step: spikes and counts exact, v and u within their bound
vz, uz = u(2, n, lo=-80, hi=35), u(2, n, lo=-16, hi=-4)
abcd = np.vstack([u(1, n, lo=0.02, hi=0.1), u(1, n, lo=0.2, hi=0.25), u(1, n, lo=-65, hi=-50), u(1, n, lo=2, hi=8)])
cz, iz = rng.integers(0, 5, (2, n)).astype(np.float32), u(2, n, lo=0, hi=10)
ref = reference("izhikevich_step", {"v": vz, "u": uz, "count": cz, "abcd": abcd, "i_ext": iz}, {"dt": "1"}, ["v", "u", "spikes", "count"])
vb, ub, sb, cb = dev.put(vz), dev.put(uz), dev.buffer(2, n), dev.put(cz)
dev.izhikevich_step(1.0, vb, ub, dev.put(abcd), sb, cb, i_ext=dev.put(iz))
check("izhikevich_step", vb.download(), ref["v"], 1e4, 64 * U)
check("izhikevich_step spikes", sb.download(), ref["spikes"], 1.0, 0.0)
check("izhikevich_step count", cb.download(), ref["count"], 1.0, 0.0)

# poisson: bit-exact spikes
rates, counts = u(1, n, lo=0, hi=1), rng.integers(0, 5, (3, n)).astype(np.float32)
ref = reference("poisson", {"rate": rates, "count": counts}, {"dt": "0.5", "seed": "8", "stream": "1", "step": "4"}, ["spikes", "count"])
sb, cb = dev.buffer(3, n), dev.put(counts)
dev.poisson(0.5, dev.put(rates), 8, 1, 4, sb, cb)
check("poisson spikes", sb.download(), ref["spikes"], 1.0, 0.0)
check("poisson count", cb.download(), ref["count"], 1.0, 0.0)

# ops reached by name through nk_run (the C library's generated table), each against the Java reference:
# the op added by docs/adding-an-op.md, and ops that have no typed C function
x = u(9, 13)
want = reference("clamp", {"x": x}, {"lo": "-0.5", "hi": "0.25"}, ["y"])["y"]
yb = dev.buffer(9, 13)
dev.run("clamp", x=dev.put(x), y=yb, lo=-0.5, hi=0.25)
check("clamp (nk_run)", yb.download(), want, 1.0, 0.0)
xs, idx = u(11, 6), rng.integers(0, 11, (1, 17)).astype(np.float32)
want = reference("gather_rows", {"x": xs, "index": idx}, {}, ["out"])["out"]
ob = dev.buffer(17, 6)
dev.run("gather_rows", x=dev.put(xs), index=dev.put(idx), out=ob)
check("gather_rows (nk_run)", ob.download(), want, 1.0, 0.0)
want = reference("column_sums", {"x": xs}, {}, ["s"])["s"]
sb = dev.buffer(1, 6)
dev.run("column_sums", x=dev.put(xs), s=sb)
check("column_sums (nk_run)", sb.download(), want, np.abs(xs).sum(axis=0, keepdims=True), (11 + 2) * U)
nr, b_, m_, steps = 20, 3, 4, 5
r0, wr, bi, cc, wi, uu = u(b_, nr), u(nr, nr) * 0.3, u(1, nr), u(1, nr, lo=0.1, hi=0.5), u(m_, nr), u(steps * b_, m_)
prm = {"steps": str(steps), "activation": "tanh", "exp_euler": "true"}
want = reference("rate_multistep", {"r": r0, "w_rec_t": wr, "bias": bi, "c": cc, "w_in_t": wi, "u": uu}, prm, ["r"])["r"]
rb = dev.put(r0)
dev.run("rate_multistep", r=rb, w_rec_t=dev.put(wr), bias=dev.put(bi), c=dev.put(cc), w_in_t=dev.put(wi), u=dev.put(uu), steps=steps,
        activation="tanh", exp_euler=True)
# rates stay within [-1, 1]; each step sums nr + m_ + 1 terms of the drive: a bound of 4 u per term and step
check("rate_multistep (nk_run)", rb.download(), want, 1.0, steps * (nr + m_ + 10) * U * 4)

# dot and frobenius_norm: partial sums on the device, added in double on the host
x, y = u(37, 29), u(37, 29)
want = reference("dot", {"x": x, "y": y}, {}, ["r"])["r"]
check("dot", np.array([[dev.dot(dev.put(x), dev.put(y))]], np.float32), want, np.abs(x * y).sum(), (37 * 29 + 4) * U)
want = reference("frobenius_norm", {"x": x}, {}, ["r"])["r"]
check("frobenius_norm", np.array([[dev.frobenius_norm(dev.put(x))]], np.float32), want, np.sqrt((x.astype(np.float64) ** 2).sum()), (37 * 29 + 4) * U)

# every other op of the C library's table, by name through nk_run, on the first case of its conformance set
# (`neurokernels plan ops --json` names the shapes and parameters): inputs of magnitude [0.1, 1) with random
# signs (uint32 tensors random bits), the outputs against the Java reference within 64 u of the scale of
# the values. The ops' own bounds are checked on the Java side, which plans the same launches
# (ctest plans_match_java); this shows the C library binds and launches them right.
covered = {"clamp", "gather_rows", "column_sums", "rate_multistep", "sgd_update", "kp_update", "softmax_xent", "random_uniform",
           "philox4x32_10", "lif_step", "rate_step", "izhikevich_step", "poisson"}
table = dev.ops()
cases = json.loads(subprocess.run([os.path.join(ROOT, "neurokernels"), "plan", "ops", "--device", "opencl:pocl", "--json"], check=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout)
seen = set()
for case in cases:
    op = case["op"]
    if op in covered or op in seen:
        continue
    seen.add(op)
    tensors, params = table[op]
    inputs, outs, bufs = {}, [], {}
    for name, role, optional in tensors:
        if name not in case["shapes"]:
            continue
        r, c = case["shapes"][name]
        if role == "out":
            outs.append(name)
            bufs[name] = dev.put(np.full((r, c), np.nan, np.float32))   # poisoned: an element never written fails
        else:
            inputs[name] = (rng.uniform(0.1, 1.0, (r, c)) * rng.choice([-1.0, 1.0], (r, c))).astype(np.float32)
            bufs[name] = dev.put(inputs[name])
            if role == "inout":
                outs.append(name)
    ref = reference(op, inputs, case["params"], outs)
    dev.run(op, **bufs, **case["params"])
    for name in outs:
        got = bufs[name].download()
        scale = max([1e-30, np.abs(ref[name]).max()] + [np.abs(a).max() for a in inputs.values()])   # connect has no inputs, and may output all zeros
        check("%s %s (nk_run)" % (op, name), got, ref[name], scale, 64 * U)
print("through nk_run, besides the ops above: %s" % ", ".join(sorted(seen)))

dev.close()
if failures:
    print("FAILED:", ", ".join(failures))
    sys.exit(1)
print("every exposed op agrees with the Java reference")
