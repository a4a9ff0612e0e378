#!/usr/bin/env python3
"""The GPU kernel families under Oclgrind: every op of the C library's op table (nk_run), the typed
functions the table does not cover (gemm in its four transposes, dense_forward, backward_delta,
dense_update, output_layer, lif_step; dot, frobenius_norm and independently() where the library has them)
and the kernels only the Java library launches (nk_fill, the probes, and nk_dot_partial also with a launch
the hosts do not make; through the OpenCL C API with ctypes), each once on small awkward
shapes, against NumPy references computed here in float64 (exact where the kernel is: copies, gathers,
clamps, Philox bits, spikes and counts; a bound scaled by the reduction length elsewhere).

Oclgrind reports itself as a GPU-type device, so the C library gives it the GPU configuration (TILED
GEMM) and with it the GPU families: nk_gemm with local memory, the scalar elementwise / dynamics / random
kernels (not the ...16 ones), nk_rate_multistep (local memory), output_layer as three launches. This
script asserts that: the configuration is TILED, and every launch it plans (nk_op_plan, nk_gemm_plan,
nk_output_layer_plan) is a kernel of the GPU families and none of the CPU ones. It then prints the set of
kernels it expects to have run on a line "expected kernels: ..." for oclgrind_ops.sh, which compares it
with the kernels Oclgrind actually ran (its instruction counts) and fails on any Oclgrind diagnostic.

    python3 native/tests/oclgrind_ops.py [path/to/libneurokernels.so] [--device SELECTOR] [--tiles 32,16] [--report FILE]

Run it through oclgrind_ops.sh, which points the ICD loader at Oclgrind alone and turns on its checks.
--device opencl:pocl with a tuning store that gives PoCL the TILED configuration runs the same families on
PoCL (quickly, without Oclgrind's checks), which is handy when a reference is in doubt. --tiles reopens
the device with TILED at those other tile sizes (a temporary tuning store under the device's key) and
runs the GEMM-based cases again (default 32,16: with 64 every tile size TILED allows; "" for none).
"""
import argparse
import ctypes
import ctypes.util
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import neurokernels as nk  # noqa: E402

U = 2.0 ** -24
ACT = ("identity", "tanh", "logistic", "relu", "softplus")

# The kernels of the GPU families (what a TILED device plans), and those of the CPU families, which must
# not run here. The Java-only kernels are launched through RawOpenCL below.
GPU_KERNELS = {
    "nk_gemm", "nk_activation", "nk_activation_grad", "nk_hadamard", "nk_axpy", "nk_scale", "nk_copy", "nk_clamp",
    "nk_gather_rows", "nk_column_sums", "nk_mse", "nk_softmax_xent", "nk_sgd_update", "nk_kp_update", "nk_sign_feedback",
    "nk_random_uniform", "nk_philox", "nk_poisson", "nk_lif_step", "nk_rate_step", "nk_izhikevich_step", "nk_rate_multistep",
    "nk_connect", "nk_lif_network", "nk_rnn_grad",
}
JAVA_ONLY_KERNELS = {"nk_dot_partial", "nk_fill", "nk_probe_arith", "nk_probe_math"}
CPU_KERNELS = {"nk_gemm_packed", "nk_pack_a", "nk_pack_b", "nk_gemm_direct", "nk_gemm_direct1", "nk_gemm_dot", "nk_gemm_dot_tile",
               "nk_gemm_pair", "nk_output_layer16", "nk_rate_multistep_cpu"}


def is_cpu_kernel(name):
    return name in CPU_KERNELS or name.endswith("16") or name.endswith("_cpu")


failures = []
planned = set()     # kernels the C library planned for the launches made here
covered = set()     # ops of the table run here


def report(name, ok, text):
    print("%-34s %s %s" % (name, text, "ok" if ok else "FAIL"), flush=True)
    if not ok:
        failures.append(name)


def check(name, got, want, scale, bound):
    """|got - want| / scale <= bound where want is finite; identical where it is not (NaN, +-inf)."""
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    scale = np.broadcast_to(np.asarray(scale, np.float64), want.shape)
    fin = np.isfinite(want)
    same_special = np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(got[~fin & ~np.isnan(want)], want[~fin & ~np.isnan(want)])
    err = np.abs(got[fin] - want[fin]) / scale[fin]
    worst = float(err.max()) if err.size else 0.0
    ok = same_special and np.isfinite(got[fin]).all() and worst <= bound
    report(name, ok, "max normalized error %.3g (bound %.3g)%s" % (worst, bound, "" if same_special else ", NaN/inf differ"))


def exact(name, got, want):
    got, want = np.asarray(got), np.asarray(want)
    if got.dtype.kind == "f":
        ok = got.shape == want.shape and np.array_equal(got, want.astype(got.dtype), equal_nan=True)
    else:
        ok = np.array_equal(got, want)
    bad = "" if ok else " (%d of %d differ)" % (np.count_nonzero(~((got == want) | (np.isnan(got.astype(float)) & np.isnan(want.astype(float))))), want.size)
    report(name, ok, "bit-exact%s" % bad)


def f32(x):
    return np.asarray(x, np.float64).astype(np.float32).astype(np.float64)


# ---- references (float64) ----

def act_ref(a, z):
    z = np.asarray(z, np.float64)
    with np.errstate(all="ignore"):
        if a == "tanh":
            return np.tanh(z)
        if a == "logistic":
            e = np.exp(-np.abs(z))
            return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        if a == "relu":
            return np.where(z < 0, 0.0, z)
        if a == "softplus":
            return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    return z


def dpre_ref(a, z):
    z = np.asarray(z, np.float64)
    with np.errstate(all="ignore"):
        if a == "tanh":
            e = np.exp(-2 * np.abs(z))
            d = 4 * e / (1 + e) ** 2
        elif a == "logistic":
            e = np.exp(-np.abs(z))
            d = e / (1 + e) ** 2
        elif a == "relu":
            d = (z > 0).astype(np.float64)
        elif a == "softplus":
            d = act_ref("logistic", z)
        else:
            d = np.ones_like(z)
    return np.where(np.isnan(z), z, d)


def dpost_ref(a, h):
    h = np.asarray(h, np.float64)
    with np.errstate(all="ignore"):
        if a == "tanh":
            d = (1 - h) * (1 + h)
        elif a == "logistic":
            d = h * (1 - h)
        elif a == "relu":
            d = (h > 0).astype(np.float64)
        elif a == "softplus":
            d = -np.expm1(-h)
        else:
            d = np.ones_like(h)
    return np.where(np.isnan(h), h, d)


PHILOX_M = (0xD2511F53, 0xCD9E8D57)
PHILOX_W = (0x9E3779B9, 0xBB67AE85)
MASK = 0xFFFFFFFF


def philox_ref(ctr, key):
    """Philox4x32-10 of n x 4 counters and n x 2 keys (uint32), as the kernels compute it."""
    c = [np.asarray(ctr, np.uint64)[:, i] for i in range(4)]
    k0, k1 = (np.asarray(key, np.uint64)[:, i] for i in range(2))
    for _ in range(10):
        p0, p1 = np.uint64(PHILOX_M[0]) * c[0], np.uint64(PHILOX_M[1]) * c[2]
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ k0, p1 & np.uint64(MASK), (p0 >> np.uint64(32)) ^ c[3] ^ k1, p0 & np.uint64(MASK)]
        k0, k1 = (k0 + np.uint64(PHILOX_W[0])) & np.uint64(MASK), (k1 + np.uint64(PHILOX_W[1])) & np.uint64(MASK)
    return np.stack(c, axis=1).astype(np.uint32)


def philox_counters(first, stream, step, seed):
    """Philox of counters (first.., stream, step, 0) and key (seed lo, seed hi), one per element of first."""
    first = np.asarray(first, np.uint64).ravel()
    ctr = np.stack([first, np.full_like(first, stream & MASK), np.full_like(first, step & MASK), np.zeros_like(first)], axis=1)
    key = np.tile(np.array([[seed & MASK, seed >> 32]], np.uint64), (first.size, 1))
    return philox_ref(ctr, key)


def normal_ref(g, stream, step, seed):
    """nk_normal of elements g: Box-Muller of lanes 0 and 1 (float64); also the radius, for the bound."""
    w = philox_counters(g, stream, step, seed).astype(np.float64)
    u1 = 1.0 - np.floor(w[:, 0] / 256) * 2.0 ** -24
    u2 = np.floor(w[:, 1] / 256) * 2.0 ** -24
    radius = np.sqrt(-2 * np.log(u1))
    return radius * np.cos(f32(f32(2 * np.pi) * u2)), radius


# ---- the devices ----

class Runner:
    """The C library's device, its launches checked against the GPU families."""

    def __init__(self, dev, raw_name):
        self.dev, self.raw_name = dev, raw_name

    def plan_ok(self, what, kernels):
        bad = [k for k in kernels if k not in GPU_KERNELS or is_cpu_kernel(k)]
        if bad:
            report("plan " + what, False, "plans %s, not the GPU families'" % ", ".join(bad))
        planned.update(kernels)

    def run(self, op, **kw):
        lines = self.dev.plan(op, **kw)
        self.plan_ok(op, [line.split()[0] for line in lines])
        self.dev.run(op, **kw)
        covered.add(op)

    def gemm_plan(self, what, m, n, k, ta=False, tb=False):
        _, launches = self.dev.plan_gemm(m, n, k, ta, tb)
        self.plan_ok(what, [x[0] for x in launches])
        covered.add(what.split()[0])   # the GEMM family and output_layer: the table's composed ops, run by their own functions

    def __getattr__(self, name):
        return getattr(self.dev, name)


def u(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def table_ops(r, rng):
    """Every op of nk_run's table (lif_step through its typed function: the table's entry takes derived
    parameters)."""
    d = r.dev
    m, n = 17, 33                        # 561 elements: three work-groups of 256, the last one partial
    x = u(rng, m, n, lo=-6, hi=6)
    x[0, :4] = [np.nan, np.inf, -np.inf, 0.0]
    xb = d.put(x)
    for a in ACT:
        yb = d.buffer(m, n)
        r.run("activation", x=xb, y=yb, activation=a)
        check("activation %s" % a, yb.download(), act_ref(a, x), np.abs(act_ref(a, x)) + 2.0 ** -100, 32 * U)
    for a in ACT:
        yb = d.buffer(m, n)
        r.run("activation_grad", x=xb, y=yb, activation=a, from_output=False)
        check("activation_grad %s (pre)" % a, yb.download(), dpre_ref(a, x), np.abs(dpre_ref(a, x)) + 2.0 ** -100, 32 * U)
        h = f32(act_ref(a, x)).astype(np.float32)
        yb = d.buffer(m, n)
        r.run("activation_grad", x=d.put(h), y=yb, activation=a, from_output=True)
        check("activation_grad %s (post)" % a, yb.download(), dpost_ref(a, h), np.abs(dpost_ref(a, h)) + 2.0 ** -100, 32 * U)

    x, y = u(rng, m, n), u(rng, m, n)
    zb = d.buffer(m, n)
    r.run("hadamard", x=d.put(x), y=d.put(y), z=zb)
    exact("hadamard", zb.download(), x * y)
    yb = d.put(y)
    r.run("axpy", x=d.put(x), y=yb, alpha=-1.75)
    check("axpy", yb.download(), -1.75 * x.astype(np.float64) + y, 1.75 * np.abs(x) + np.abs(y), 2 * U)
    yb = d.buffer(m, n)
    r.run("scale", x=d.put(x), y=yb, alpha=0.3)
    exact("scale", yb.download(), np.float32(0.3) * x)
    x[1, 1] = np.nan
    yb = d.buffer(m, n)
    r.run("copy", x=d.put(x), y=yb)
    exact("copy", yb.download(), x)
    yb = d.buffer(m, n)
    r.run("clamp", x=d.put(x), y=yb, lo=-0.5, hi=0.25)
    exact("clamp", yb.download(), np.where(x < -0.5, np.float32(-0.5), np.where(x > 0.25, np.float32(0.25), x)))

    xs = u(rng, 13, 33)
    idx = rng.integers(0, 13, (1, 19)).astype(np.float32)
    idx[0, :5] = [-1, 2.5, 13, np.nan, 12]           # invalid indices give NaN rows
    ob = d.buffer(19, 33)
    r.run("gather_rows", x=d.put(xs), index=d.put(idx), out=ob)
    valid = (idx[0] >= 0) & (idx[0] < 13) & (idx[0] == np.floor(idx[0]))
    want = np.full((19, 33), np.nan, np.float32)
    want[valid] = xs[idx[0, valid].astype(int)]
    exact("gather_rows", ob.download(), want)

    xs = u(rng, 19, 300)                              # two work-groups over the columns
    sb = d.buffer(1, 300)
    r.run("column_sums", x=d.put(xs), s=sb)
    check("column_sums", sb.download(), xs.astype(np.float64).sum(axis=0, keepdims=True), np.abs(xs).sum(axis=0, keepdims=True), (19 + 2) * U)

    yv, tv = u(rng, 261, 7), u(rng, 261, 7)          # 261 rows: two work-groups
    gb, lb = d.buffer(261, 7), d.buffer(261, 1)
    r.run("mse", y=d.put(yv), targets=d.put(tv), grad=gb, loss=lb)
    dd = yv.astype(np.float64) - tv
    check("mse grad", gb.download(), dd / 261, (np.abs(dd) + 2.0 ** -100) / 261, 3 * U)
    check("mse loss", lb.download(), 0.5 * (dd ** 2).sum(axis=1, keepdims=True), (dd ** 2).sum(axis=1, keepdims=True) + 2.0 ** -100, (7 + 3) * U)

    rows, c = 261, 11
    logits = u(rng, rows, c, lo=-20, hi=20)
    t = np.eye(c, dtype=np.float32)[rng.integers(0, c, rows)]
    t[0] = 0.5 * t[0] + 0.5 / c                     # one soft target row
    pb, gb, lb = d.buffer(rows, c), d.buffer(rows, c), d.buffer(rows, 1)
    r.run("softmax_xent", logits=d.put(logits), targets=d.put(t), probs=pb, grad=gb, loss=lb)
    softmax_checks("softmax_xent", logits.astype(np.float64), t, pb, gb, lb, 0.0)

    # learning rules
    w0, g0, v0, b0 = u(rng, 9, 70), u(rng, 9, 70), u(rng, 9, 70), u(rng, 9, 70)
    for mom in (0.0, 0.9):
        wb, vb = d.put(w0), d.put(v0)
        r.run("sgd_update", w=wb, grad=d.put(g0), velocity=vb if mom else None, lr=0.1, weight_decay=0.01, momentum=mom)
        tt = mom * v0.astype(np.float64) + g0 if mom else g0.astype(np.float64)
        check("sgd_update w mu=%g" % mom, wb.download(), w0 - 0.1 * (tt + 0.01 * w0), np.abs(w0) + 0.1 * (np.abs(tt) + mom * np.abs(v0) + 0.01 * np.abs(w0)), 4 * U)
        if mom:
            check("sgd_update velocity", vb.download(), tt, mom * np.abs(v0) + np.abs(g0), 2 * U)
        wb, bb, vb = d.put(w0), d.put(b0), d.put(v0)
        r.run("kp_update", w=wb, b=bb, grad=d.put(g0), velocity=vb if mom else None, lr=0.05, weight_decay=0.2, momentum=mom)
        s = 0.05 * (np.abs(tt) + mom * np.abs(v0))
        check("kp_update w mu=%g" % mom, wb.download(), w0 - 0.05 * (tt + 0.2 * w0), np.abs(w0) + s + 0.01 * np.abs(w0), 4 * U)
        check("kp_update b mu=%g" % mom, bb.download(), b0 - 0.05 * (tt + 0.2 * b0), np.abs(b0) + s + 0.01 * np.abs(b0), 4 * U)
        if mom:
            check("kp_update velocity", vb.download(), tt, mom * np.abs(v0) + np.abs(g0), 2 * U)
    w = u(rng, 9, 70)
    w[0, :3] = [0.0, -0.0, np.nan]
    rr = u(rng, 9, 70)
    bb = d.buffer(9, 70)
    r.run("sign_feedback", w=d.put(w), b=bb, scale=0.5)
    sgn = np.where(w > 0, 1.0, np.where(w < 0, -1.0, w)).astype(np.float32)
    exact("sign_feedback (scale)", bb.download(), np.float32(0.5) * sgn)
    bb = d.buffer(9, 70)
    r.run("sign_feedback", w=d.put(w), r=d.put(rr), b=bb)
    exact("sign_feedback (|r|)", bb.download(), np.abs(rr) * sgn)

    # random numbers: Philox bits, exact
    seed = 0x0123456789ABCDEF
    ob = d.buffer(m, n)
    r.run("random_uniform", out=ob, rows=m, cols=n, seed=seed, stream=3, draw=11, lo=-2.0, hi=5.0)
    e = np.arange(m * n)
    lanes = philox_counters(e // 4, 3, 11, seed)[np.arange(m * n), e % 4]
    uu = (lanes >> 8).astype(np.float64) * 2.0 ** -24
    # 7 u - 2 is exact in double (a multiple of 2^-24 below 2^3), so one rounding to float as the kernel's fma
    want = np.minimum((7.0 * uu - 2.0).astype(np.float32), np.nextafter(np.float32(5), np.float32(-2)))
    exact("random_uniform", ob.download(), want.reshape(m, n))
    ctr = rng.integers(0, 2 ** 32, (23, 4), dtype=np.uint64).astype(np.uint32)
    key = rng.integers(0, 2 ** 32, (23, 2), dtype=np.uint64).astype(np.uint32)
    ob = d.buffer(23, 4)
    r.run("philox4x32_10", counter=d.put(ctr), key=d.put(key), out=ob)
    exact("philox4x32_10", ob.download(np.uint32), philox_ref(ctr, key))

    # dynamics
    rates = u(rng, 1, n, lo=0, hi=1)
    cnt = rng.integers(0, 5, (m, n)).astype(np.float32)
    sb, cb = d.buffer(m, n), d.put(cnt)
    r.run("poisson", rate=d.put(rates), count=cb, spikes=sb, dt=0.5, seed=seed, stream=1, step=4)
    x0 = philox_counters(np.arange(m * n), 1, 4, seed)[:, 0].reshape(m, n)
    spikes = ((x0 >> 8).astype(np.float64) * 2.0 ** -24 < (rates * np.float32(0.5))).astype(np.float32)
    exact("poisson spikes", sb.download(), spikes)
    exact("poisson count", cb.download(), cnt + spikes)

    for method, ns in ((True, 0.3), (False, 0.0)):
        r0, x0_, c0, tau0 = u(rng, m, n), u(rng, m, n, lo=-2, hi=2), u(rng, 1, n, lo=0.05, hi=0.95), u(rng, 1, n, lo=5, hi=50)
        rb = d.put(r0)
        r.run("rate_step", r=rb, x=d.put(x0_), c=d.put(c0), tau=d.put(tau0) if ns else None, activation="tanh", exp_euler=method,
              noise_scale=ns, seed=17, stream=2, step=9)
        fx = np.tanh(x0_.astype(np.float64))
        nxt = c0 * r0.astype(np.float64) + (1 - c0.astype(np.float64)) * fx if method else r0 + c0 * (fx - r0)
        scale = np.abs(r0) + 1
        if ns:
            z, radius = normal_ref(np.arange(m * n), 2, 9, 17)
            nxt = nxt + ns / tau0.astype(np.float64) * z.reshape(m, n)
            scale = scale + ns / tau0 * (radius.reshape(m, n) + 1)
        check("rate_step %s noise %g" % ("exp-Euler" if method else "Euler", ns), rb.download(), nxt, scale, 64 * U)

    reductions(r, rng)
    izhikevich(r, rng)
    rate_multistep(r, rng, 3, 20, 4, 6, 0.0, 0)
    rate_multistep(r, rng, 2, 33, 0, 5, 0.2, 2)
    lif(r, rng)
    if "connect" in r.dev.ops():
        connect(r)
    if "lif_network" in r.dev.ops():
        lif_network(r, rng)
    if "rnn_grad" in r.dev.ops():
        rnn_grad(r, rng)


def lane_index(q, switch_bug):
    """Lane q % 4 of Philox; under Oclgrind 21.10's misexecution of a `switch` on a 2-bit value (see
    SWITCH_PROBE) a chain `(q & 3) == 0 ? x.x : (q & 3) == 1 ? x.y : ...` takes x.w for lanes 0 and 1 from q = 4 on."""
    idx = q & 3
    return np.where(switch_bug & (q >= 4) & (idx < 2), 3, idx)


def irwin_hall(j, stream, c, word, seed):
    """nk_connect's approximate standard normal for slot c of row j: four Philox lanes' 24 high bits summed."""
    x = philox_ref(np.array([[j, stream, c, word]], np.uint64), np.array([[seed & MASK, seed >> 32]], np.uint64))[0]
    total = int(sum(int(v) >> 8 for v in x))
    return np.float32(np.float32(np.float32(total) * np.float32(5.9604644775390625e-8) - np.float32(2.0)) * np.float32(1.7320508))


def fma32(a, b, c):
    """fma in float32: the exact product and sum in float64 (a float32 product is exact there), rounded once more."""
    return np.float32(np.float64(a) * np.float64(b) + np.float64(c))


def connect_ref(table, rows, row0, post0, n_post, rule, degree, p, autapses, seed, stream, weight, weight_sd, delay, delay_sd, max_delay,
                switch_bug=False):
    """nk_connect: the table (targets, weights, delays: n x k; count: n x 1) after appending one projection."""
    t, w, dl, count = (a.copy() for a in table)
    k = t.shape[1]
    threshold = int(np.float32(p) * np.float32(16777216.0))
    for r in range(rows):
        j = row0 + r
        self_ = j - post0
        if rule == 2:
            chosen = [r]
        elif rule == 0:
            excluded = not autapses and 0 <= self_ < n_post
            choices = n_post - 1 if excluded else n_post
            q = np.arange(degree)
            ctr = np.stack([np.full(degree, j), np.full(degree, stream), q >> 2, np.zeros(degree, int)], axis=1).astype(np.uint64)
            key = np.tile(np.array([[seed & MASK, seed >> 32]], np.uint64), (degree, 1))
            lanes = philox_ref(ctr, key)[np.arange(degree), lane_index(q, switch_bug)].astype(np.uint64) if degree else np.zeros(0, np.uint64)
            chosen = [int((int(x) * choices) >> 32) for x in lanes]
            chosen = [c + 1 if excluded and c >= self_ else c for c in chosen]
        elif rule == 3:
            chosen = []
            d_ = np.arange(degree)
            key = np.tile(np.array([[seed & MASK, seed >> 32]], np.uint64), (degree, 1))
            for post in range(n_post):
                ctr = np.stack([np.full(degree, post0 + post), np.full(degree, stream), d_ >> 2, np.full(degree, 5)], axis=1).astype(np.uint64)
                lanes = philox_ref(ctr, key)[d_, lane_index(d_, switch_bug)].astype(np.uint64)
                self_post = post0 + post - row0
                excl = not autapses and 0 <= self_post < rows
                for x in lanes:
                    src = int((int(x) * (rows - 1 if excl else rows)) >> 32)
                    if excl and src >= self_post:
                        src += 1
                    if src == r:
                        chosen.append(post)
        else:
            post = np.arange(n_post)
            ctr = np.stack([np.full(n_post, j), np.full(n_post, stream), post >> 2, np.ones(n_post, int)], axis=1).astype(np.uint64)
            key = np.tile(np.array([[seed & MASK, seed >> 32]], np.uint64), (n_post, 1))
            lanes = philox_ref(ctr, key)[post, lane_index(post, switch_bug)]
            keep = ((lanes >> 8) < threshold) & (autapses | (post != self_))
            chosen = list(post[keep])
        c0 = count[j, 0]
        c = (int(c0) if c0 < k else k) if c0 >= 0 else 0
        for target in chosen:
            if c < k:
                wq = np.float32(weight)
                if weight_sd != 0:
                    wq = fma32(np.float32(weight_sd), irwin_hall(j, stream, c, 3, seed), np.float32(weight))
                    if (wq < 0) if weight >= 0 else (wq > 0):
                        wq = np.float32(0)
                d = np.float32(delay)
                if delay_sd != 0:
                    d = fma32(np.float32(delay_sd), irwin_hall(j, stream, c, 4, seed), np.float32(delay))
                d = np.floor(np.float32(d + np.float32(0.5)))
                t[j, c], w[j, c], dl[j, c] = post0 + target, wq, min(max(d, 1.0), max_delay)
            c += 1
        if c < k:
            t[j, c], w[j, c], dl[j, c] = -1, 0, 0
        count[j, 0] = c
    return t, w, dl, count


SWITCH_PROBE = b"""__kernel void nk_switch_probe(__global uint* out) {
    const int q = (int) get_global_id(0);
    out[q] = (q & 3) == 0 ? 10u : (q & 3) == 1 ? 11u : (q & 3) == 2 ? 12u : 13u;
}
"""


def simulator_switch_bug(name):
    """Whether the OpenCL device misexecutes the chain above (clang makes it a `switch` on the 2-bit value
    q & 3, which Oclgrind 21.10 compares unmasked: q = 4, 5 take the default branch): 10 11 12 13 13 13 12 13."""
    raw = RawOpenCL(name, "", sources=[SWITCH_PROBE])
    out = raw.buffer(np.zeros(8, np.uint32))
    raw.launch("nk_switch_probe", 8, 8, out)
    planned.add("nk_switch_probe")
    got = raw.read(out, 8, np.uint32)
    raw.close()
    if np.array_equal(got, [10, 11, 12, 13] * 2):
        return False
    if not np.array_equal(got, [10, 11, 12, 13, 13, 13, 12, 13]):
        report("switch probe", False, "unexpected result %s" % got.tolist())
    print("(this OpenCL device misexecutes a switch on a 2-bit value, as Oclgrind 21.10 does; no kernel relies on one)")
    return True


def connect(r):
    """connect's three rules, appended one projection after another into one table (rows partly filled, some
    overflowing), with fixed and distributed weights and delays; Philox bits, so exact. nk_connect picks a
    Philox lane by indexing an array, not with a chain of conditionals that clang turns into a switch (which
    Oclgrind 21.10 misexecutes; the probe reports whether this simulator does), so its tables must be exact
    here too."""
    d = r.dev
    simulator_switch_bug(r.raw_name)
    seed = 0xFEDCBA9876543210
    n, k = 90, 12
    rng = np.random.default_rng(3)
    table = [rng.uniform(-5, 5, (n, k)).astype(np.float32) for _ in range(3)]
    table.append(rng.integers(0, 4, (n, 1)).astype(np.float32))
    table[3][:3, 0] = [np.nan, -2, k + 3]
    bufs = [d.put(a) for a in table]
    cases = [dict(rows=37, row0=0, post0=0, n_post=50, rule=0, degree=6, p=0.1, autapses=False, stream=2, weight=0.25, weight_sd=0.05,
                  delay=3.0, delay_sd=1.5, max_delay=6),
             dict(rows=40, row0=50, post0=0, n_post=50, rule=0, degree=9, p=0.1, autapses=True, stream=0, weight=-1.5, weight_sd=0.0,
                  delay=2.0, delay_sd=0.0, max_delay=6),
             dict(rows=33, row0=10, post0=5, n_post=41, rule=1, degree=1, p=0.15, autapses=False, stream=7, weight=2.0, weight_sd=1.0,
                  delay=7.5, delay_sd=3.0, max_delay=9),
             dict(rows=5, row0=80, post0=3, n_post=9, rule=2, degree=1, p=0.1, autapses=True, stream=1, weight=0.5, weight_sd=0.0,
                  delay=1.2, delay_sd=0.0, max_delay=6),
             dict(rows=20, row0=60, post0=55, n_post=30, rule=3, degree=5, p=0.1, autapses=False, stream=5, weight=-0.7, weight_sd=0.1,
                  delay=2.5, delay_sd=1.0, max_delay=6)]
    for c in cases:
        r.run("connect", targets=bufs[0], weights=bufs[1], delays=bufs[2], count=bufs[3], seed=seed, **c)
        table = connect_ref(table, seed=seed, **c)
        tag = "connect rule %d rows %d..%d n_post=%d" % (c["rule"], c["row0"], c["row0"] + c["rows"] - 1, c["n_post"])
        for name, buf, want in zip(("targets", "weights", "delays", "count"), bufs, table):
            exact(tag + " " + name, buf.download(), want)
    if not (table[3] > k).any():
        report("connect data", False, "no row overflowed k: pick other cases")


def lif_network(r, rng):
    """lif_network: 300 neurons (more than the 256 work-items: chunks of two), 12 steps from step 5, 3 delay
    slots and delays of 1 to 3 steps per synapse (a few outside), a table with rows of every length, three
    populations (two with a Poisson background, some ids outside) and a recording buffer that overflows."""
    d = r.dev
    n, ne, k, delay, steps, step0, cap, npop, m = 300, 240, 8, 3, 12, 5, 20, 3, 5
    seed, stream, w_bg = 0x0123456789ABCDEF, 4, 0.75
    dt, tau_m, tau_e, tau_i, cm = 0.5, 20.0, 5.0, 10.0, 1.0
    prm = dict(p22=f32(np.exp(-dt / tau_m)), p21e=f32(p21(dt, tau_m, tau_e, cm)), p21i=f32(p21(dt, tau_m, tau_i, cm)),
               p20=f32(-np.expm1(-dt / tau_m) * tau_m / cm), p11e=f32(np.exp(-dt / tau_e)), p11i=f32(np.exp(-dt / tau_i)),
               v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.5, refractory_steps=4,
               rate_decay=f32(np.exp(-dt / 100)), rate_gain=f32(1 / 100))
    st = {"v": u(rng, 1, n, lo=-70, hi=-50.5), "i_e": u(rng, 1, n, lo=0, hi=3), "i_i": u(rng, 1, n, lo=-1, hi=0),
          "refractory": rng.integers(0, 3, (1, n)).astype(np.float32), "rate": u(rng, 1, n, lo=0, hi=0.05),
          "count": rng.integers(0, 5, (1, n)).astype(np.float32),
          "ring_e": u(rng, delay, n, lo=0, hi=2), "ring_i": u(rng, delay, n, lo=-2, hi=0)}
    st["v"][0, ::7] = u(rng, 1, len(range(0, n, 7)), lo=-49, hi=-45)
    lengths = rng.integers(0, k + 1, n)
    lengths[:3] = [0, k, 1]
    targets = np.full((n, k), -1.0, np.float32)
    weights = np.zeros((n, k), np.float32)
    delays = rng.integers(1, delay + 1, (n, k)).astype(np.float32)
    delays[rng.random((n, k)) < 0.03] = 0.0                 # outside 1 .. d: delivers nothing
    delays[rng.random((n, k)) < 0.03] = delay + 1
    for j in range(n):
        targets[j, :lengths[j]] = rng.integers(0, n, lengths[j])
        weights[j, :lengths[j]] = 1.5 if j < ne else -3.0
        weights[j, lengths[j]:] = 99.0                      # past the -1: never delivered
    pop_id = (np.arange(n) * npop // n).astype(np.float32)[None, :]
    pop_id[0, ::37] = -1
    pop_id[0, 5::41] = npop
    bg = np.ones((npop, m), np.float32)                     # population 2: no background
    for p_, lam in ((0, 0.4), (1, 1.3)):
        pk = np.exp(-lam) * np.cumprod(np.r_[1.0, lam / np.arange(1, m)])
        bg[p_] = np.cumsum(pk).astype(np.float32)
    rec0, nrec0 = np.full((cap, 2), -7.0, np.float32), np.array([[3, 5]], np.float32)   # 3 recorded of 5 so far
    bufs = {key: d.put(a) for key, a in st.items()}
    recb, nrecb, spk, pop = d.put(rec0), d.put(nrec0), d.buffer(1, n), d.buffer(steps, npop)
    r.run("lif_network", targets=d.put(targets), weights=d.put(weights), delays=d.put(delays), pop_id=d.put(pop_id), bg=d.put(bg),
          rec=recb, nrec=nrecb, spikes=spk, pop=pop, steps=steps, step0=step0, rec_capacity=cap, w_bg=w_bg, seed=seed, stream=stream,
          **bufs, **prm)
    # reference: the kernel's order of operations in float64
    v, ie, ii, rr, rate, count = (st[key].astype(np.float64)[0].copy() for key in ("v", "i_e", "i_i", "refractory", "rate", "count"))
    ring_e, ring_i = st["ring_e"].astype(np.float64), st["ring_i"].astype(np.float64)
    rec, recorded, total = rec0.astype(np.float64).copy(), 3, 5
    popr = np.zeros((steps, npop))
    margin = np.inf
    valid = (pop_id[0] >= 0) & (pop_id[0] < npop)
    pid = np.where(valid, pop_id[0], 0).astype(int)
    events_total = 0
    for t in range(steps):
        slot = (step0 + t) % delay
        se, si = ring_e[slot].copy(), ring_i[slot].copy()
        jj = np.arange(n)
        ctr = np.stack([jj >> 2, np.full(n, step0 + t), np.full(n, stream), np.full(n, 2)], axis=1).astype(np.uint64)
        lanes = philox_ref(ctr, np.tile(np.array([[seed & MASK, seed >> 32]], np.uint64), (n, 1)))[jj, jj & 3]
        uu = (lanes >> 8).astype(np.float64) * 2.0 ** -24
        cdf = bg[pid].astype(np.float64)
        events = np.where(valid, (uu[:, None] >= cdf).sum(axis=1), 0)
        events_total += events.sum()
        se = se + events * w_bg
        ring_e[slot] = 0
        ring_i[slot] = 0
        integ = prm["v_rest"] + prm["p22"] * (v - prm["v_rest"]) + prm["p21e"] * ie + prm["p21i"] * ii + prm["p20"] * prm["i_offset"]
        refr = rr > 0
        if (~refr).any():
            margin = min(margin, np.abs(integ - prm["v_thresh"])[~refr].min())
        vn, rn = np.where(refr, prm["v_reset"], integ), np.where(refr, rr - 1, rr)
        ie, ii = prm["p11e"] * ie + se, prm["p11i"] * ii + si
        s = vn >= prm["v_thresh"]
        v, rr = np.where(s, prm["v_reset"], vn), np.where(s, prm["refractory_steps"], rn)
        rate = prm["rate_decay"] * rate + prm["rate_gain"] * s
        count = count + s
        for j in np.flatnonzero(s):
            if valid[j]:
                popr[t, pid[j]] += 1
            if recorded < cap:
                rec[recorded] = (step0 + t, j)
                recorded += 1
            total += 1
            for q in range(k):
                if targets[j, q] < 0:
                    break
                if not 1 <= delays[j, q] <= delay:
                    continue
                out = (slot + int(delays[j, q])) % delay
                if weights[j, q] >= 0:
                    ring_e[out, int(targets[j, q])] += weights[j, q]
                else:
                    ring_i[out, int(targets[j, q])] += weights[j, q]
    if margin < 1e-3:
        report("lif_network data", False, "a voltage within %g of threshold: pick other data" % margin)
    tag = "lif_network n=%d steps=%d" % (n, steps)
    bound = steps * 16 * U
    check(tag + " v", bufs["v"].download()[0], v, 65 + np.abs(v), bound)
    check(tag + " i_e", bufs["i_e"].download()[0], ie, np.abs(ie) + 20, bound)
    check(tag + " i_i", bufs["i_i"].download()[0], ii, np.abs(ii) + 20, bound)
    check(tag + " rate", bufs["rate"].download()[0], rate, np.abs(rate) + prm["rate_gain"], bound)
    check(tag + " ring_e", bufs["ring_e"].download(), ring_e, np.abs(ring_e) + 20, bound)
    check(tag + " ring_i", bufs["ring_i"].download(), ring_i, np.abs(ring_i) + 20, bound)
    exact(tag + " refractory", bufs["refractory"].download()[0], rr)
    exact(tag + " count", bufs["count"].download()[0], count)
    exact(tag + " spikes (last step)", spk.download()[0], s.astype(np.float64))
    exact(tag + " pop", pop.download(), popr)
    exact(tag + " rec", recb.download(), rec)
    exact(tag + " nrec", nrecb.download(), np.array([[recorded, total]], np.float64))
    print("(lif_network: %d spikes, %d recorded, %d background events)" % (total - 5, recorded - 3, events_total))


def rnn_grad_model(net, rule, objective, w_in, w_rec, bias, w_out, b_out, fb, rs, x, tgt, steps, alpha, kappa, v_th, gamma, refr,
                   stop_reset, act):
    """rnn_grad in float64, vectorized over the batch, written from the equations (docs/recurrent-learning.md),
    not from the kernel: y, z, d, grad (W_in, W_rec, b, W_out, b_out), loss, traces (F then P), and the smallest
    |v - v_th| met (LIF)."""
    B, n, m, k = x.shape[0], w_in.shape[0], w_in.shape[1], w_out.shape[0]
    lif, c = net == 1, (1.0 if net == 1 else 1.0 - alpha)
    w_in, w_out, bias, b_out = (a.astype(np.float64) for a in (w_in, w_out, bias, b_out))
    w_rec = w_rec.astype(np.float64) * (1 - np.eye(n) if lif else 1)
    fb = None if fb is None else fb.astype(np.float64)
    R = np.zeros(n) if rs is None else rs.astype(np.float64)[0]
    X = x.astype(np.float64).reshape(B, steps, m)
    T = tgt.astype(np.float64).reshape(B, steps, k)
    Y, Z, D = np.zeros((B, steps, k)), np.zeros((B, steps, n)), np.zeros((B, steps, n))
    g_in, g_rec, g_b, g_out, g_bout = np.zeros((B, n, m)), np.zeros((B, n, n)), np.zeros((B, n)), np.zeros((B, k, n)), np.zeros((B, k))
    F = [np.zeros((B, n, m)), np.zeros((B, n, n)), np.zeros((B, n, 1))]
    P = [np.zeros((B, n, m)), np.zeros((B, n, n)), np.zeros((B, n, 1))]
    q = [np.zeros((B, m)), np.zeros((B, n)), np.zeros((B, 1))]
    zf, onef = np.zeros((B, n)), 0.0
    h, prev, ref, y, loss, margin = np.zeros((B, n)), np.zeros((B, n)), np.zeros((B, n)), np.zeros((B, k)), np.zeros(B), np.inf

    def errors(t, yt):
        last = t == steps - 1
        if objective == 0:
            e = yt - T[:, t]
            return e, 0.5 * (e * e).sum(1)
        if not last:
            return np.zeros_like(yt), np.zeros(B)
        lse = np.log(np.exp(yt - yt.max(1, keepdims=True)).sum(1, keepdims=True)) + yt.max(1, keepdims=True)
        return np.exp(yt - lse) - T[:, t], -(T[:, t] * (yt - lse)).sum(1)

    for t in range(steps):
        a = bias + prev @ w_rec.T + X[:, t] @ w_in.T
        if lif:
            v = alpha * h + a - v_th * prev
            h = v
            margin = min(margin, float(np.abs(v - v_th).min()))
            refr_now = ref > 0
            ref = np.where(refr_now, ref - 1, ref)
            z = np.where(refr_now, 0.0, (v > v_th).astype(np.float64))
            d = np.where(refr_now, 0.0, gamma / v_th * np.maximum(0, 1 - np.abs(v - v_th) / v_th))
            ref = np.where(z > 0, refr, ref)
        else:
            h = alpha * h + (1 - alpha) * a
            z, d = act_ref(act, h), dpre_ref(act, h)
        y = kappa * y + b_out + z @ w_out.T
        err, l = errors(t, y)
        loss += l
        Y[:, t], Z[:, t], D[:, t] = y, z, d
        if rule in (1, 2):
            u_now = [X[:, t], prev, np.ones((B, 1))]
            L = err @ fb.T
            zf = kappa * zf + z
            onef = kappa * onef + 1
            g_out += err[:, :, None] * zf[:, None, :]
            g_bout += err * onef
            grads = [g_in, g_rec, g_b[:, :, None]]
            for s_ in range(3):
                q[s_] = u_now[s_] if rule == 2 else alpha * q[s_] + c * u_now[s_]
                e = d[:, :, None] * q[s_][:, None, :]
                if rule == 2:
                    P[s_] = alpha * P[s_] + c * e
                    e = P[s_]
                if lif and s_ == 1:
                    e = e * (1 - np.eye(n))
                F[s_] = kappa * F[s_] + e
                grads[s_] += L[:, :, None] * F[s_] + R[None, :, None] * e
        prev = z
    if rule == 0:
        dy, dnext = np.zeros((B, k)), np.zeros((B, n))
        for t in range(steps - 1, -1, -1):
            err, _ = errors(t, Y[:, t])
            dy = err + kappa * dy
            g_bout += dy
            g_out += dy[:, :, None] * Z[:, t][:, None, :]
            dz = R + dy @ w_out + c * dnext @ w_rec
            if lif and not stop_reset:
                dz = dz - v_th * dnext
            dv = D[:, t] * dz + alpha * dnext
            da = c * dv
            g_b += da
            g_in += da[:, :, None] * X[:, t][:, None, :]
            if t > 0:
                g_rec += (da[:, :, None] * Z[:, t - 1][:, None, :]) * (1 - np.eye(n) if lif else 1)
            dnext = dv
    grad = np.concatenate([g.reshape(B, -1) for g in (g_in, g_rec, g_b, g_out, g_bout)], 1)
    traces = np.concatenate([a.reshape(B, -1) for a in F + P], 1)
    return dict(y=Y.reshape(B, -1), z=Z.reshape(B, -1), d=D.reshape(B, -1), grad=grad, loss=loss[:, None], traces=traces), margin


def rnn_grad(r, rng):
    """rnn_grad: 70 units (more than the 64 work-items: two per work-item for some), a batch of 2 over 6 steps,
    the rate network (BPTT with a last-step cross-entropy, RFLO) and the LIF network (BPTT with the reset's
    gradient and refractoriness, e-prop with a rate signal), against the float64 model above."""
    d = r.dev
    B, steps, n, m, k = 2, 6, 70, 3, 2
    for net, rule, objective, act, refr, with_rs, stop in ((0, 0, 1, "tanh", 0, False, False), (0, 2, 0, "logistic", 0, False, False),
                                                           (1, 0, 0, "tanh", 2, True, False), (1, 1, 0, "tanh", 1, True, False),
                                                           (1, 0, 1, "tanh", 0, False, True)):
        alpha, kappa, v_th, gamma = f32(0.9 if net else 0.8), f32(0.85), f32(0.4), f32(0.3)
        w_in, w_rec = u(rng, n, m, lo=-1.5 / m, hi=3.0 / m), u(rng, n, n, lo=-1.0 / n, hi=1.0 / n)
        bias, w_out, b_out = u(rng, 1, n, lo=-0.1, hi=0.1), u(rng, k, n, lo=-0.12, hi=0.12), u(rng, 1, k)
        fb = u(rng, n, k, lo=-0.12, hi=0.12) if rule in (1, 2) else None
        rs = u(rng, 1, n, lo=-0.05, hi=0.05) if with_rs else None
        x = u(rng, B, steps * m, lo=0, hi=1)
        tgt = u(rng, B, steps * k)
        if objective == 1:
            tgt = np.zeros((B, steps * k), np.float32)
            tgt[np.arange(B)[:, None], np.arange(steps)[None, :] * k + rng.integers(0, k, (B, steps))] = 1
        want, margin = rnn_grad_model(net, rule, objective, w_in, w_rec, bias, w_out, b_out, fb, rs, x, tgt, steps, alpha, kappa, v_th, gamma,
                                      refr, stop, act)
        tag = "rnn_grad %s %s obj=%d" % (("rate", "lif")[net], ("bptt", "eprop", "rflo")[rule], objective)
        if net == 1 and margin < 1e-4:
            report(tag + " data", False, "a voltage within %g of threshold: pick other data" % margin)
            continue
        outs = {"y": d.buffer(B, steps * k), "z": d.buffer(B, steps * n), "d": d.buffer(B, steps * n),
                "grad": d.buffer(B, n * m + n * n + n + k * n + k), "loss": d.buffer(B, 1), "traces": d.buffer(B, 2 * n * (n + m + 1))}
        kw = dict(w_in=d.put(w_in), w_rec=d.put(w_rec), bias=d.put(bias), w_out=d.put(w_out), b_out=d.put(b_out), x=d.put(x), target=d.put(tgt),
                  network=net, steps=steps, activation=act, alpha=alpha, kappa=kappa, v_th=v_th, gamma=gamma, refractory_steps=refr, rule=rule,
                  stop_reset=stop, objective=objective, **outs)
        if fb is not None:
            kw["feedback"] = d.put(fb)
        if rs is not None:
            kw["rate_signal"] = d.put(rs)
        r.run("rnn_grad", **kw)
        for name, buf in outs.items():
            w = want[name]
            check(tag + " " + name, buf.download().reshape(w.shape), w, max(float(np.abs(w).max()), 1e-30), 16 * U * steps * (n + m + k + 1))
        if net == 1:
            print("(%s: %d spikes)" % (tag, int(want["z"].sum())))


def reductions(r, rng):
    """nk_dot and nk_frobenius_norm (nk_dot_partial, partial sums added in double on the host), where the library
    has them; 257 x 256 elements take all 256 work-groups and stride past them."""
    d = r.dev
    if not (hasattr(d, "dot") and hasattr(d._nk, "nk_dot")):
        print("(this library has no nk_dot: nk_dot_partial runs through the OpenCL C API only)")
        return
    for shape in ((17, 33), (1, 5), (257, 256)):
        x, y = u(rng, *shape), u(rng, *shape)
        got = d.dot(d.put(x), d.put(y))
        n = x.size
        check("dot %dx%d" % shape, got, (x.astype(np.float64) * y).sum(), np.abs(x * y.astype(np.float64)).sum(), (n + 4) * U)
    x = u(rng, 17, 33)
    got = d.frobenius_norm(d.put(x))
    check("frobenius_norm 17x33", got, np.sqrt((x.astype(np.float64) ** 2).sum()), np.sqrt((x.astype(np.float64) ** 2).sum()), (x.size + 6) * U)
    planned.add("nk_dot_partial")   # no plan query for dot; oclgrind_ops.sh sees what ran


def softmax_checks(name, z, t, pb, gb, lb, e):
    """nk_softmax_xent's outputs against float64; e: the logits' own error bound (in units of U), per row."""
    rows, c = z.shape
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    loss = -np.where(t != 0, t * logp, 0).sum(axis=1, keepdims=True)
    check(name + " probs", pb.download(), p, (c + 32) + 2 * e, U)
    check(name + " grad", gb.download(), (p - t) / rows, ((c + 32) + 2 * e) / rows, U)
    spread = z.max(axis=1, keepdims=True) - z.min(axis=1, keepdims=True)
    check(name + " loss", lb.download(), loss, (2 * c + 32) * (1 + spread + np.abs(loss)) + 2 * e * np.abs(t).sum(axis=1, keepdims=True), U)
    return p


def izhikevich(r, rng):
    d = r.dev
    m, n = 3, 45
    v = u(rng, m, n, lo=-80, hi=29)
    v[:, ::5] = u(rng, m, 9, lo=31, hi=35)           # some neurons fire (v >= 30 entering the step)
    uz = u(rng, m, n, lo=-16, hi=-4)
    abcd = np.vstack([u(rng, 1, n, lo=0.02, hi=0.1), u(rng, 1, n, lo=0.2, hi=0.25), u(rng, 1, n, lo=-65, hi=-50), u(rng, 1, n, lo=2, hi=8)])
    cnt = rng.integers(0, 5, (m, n)).astype(np.float32)
    for inputs in (True, False):
        iz, syn = u(rng, m, n, lo=0, hi=10), u(rng, m, n, lo=-2, hi=2)
        vb, ub, sb, cb = d.put(v), d.put(uz), d.buffer(m, n), d.put(cnt)
        extra = dict(i_ext=d.put(iz), syn=d.put(syn)) if inputs else {}
        r.run("izhikevich_step", v=vb, u=ub, abcd=d.put(abcd), spikes=sb, count=cb, dt=0.5, **extra)
        vv, uu = v.astype(np.float64), uz.astype(np.float64)
        fire = vv >= 30
        s = fire.astype(np.float64)
        vv = np.where(fire, abcd[2], vv)
        uu = np.where(fire, uu + abcd[3], uu)
        cur = (iz.astype(np.float64) + syn) if inputs else 0.0
        for _ in range(2):
            vv = vv + 0.25 * ((0.04 * vv + 5) * vv + 140 - uu + cur)
        uu = uu + 0.5 * abcd[0] * (abcd[1] * vv - uu)
        tag = "izhikevich_step%s" % ("" if inputs else " (no inputs)")
        check(tag + " v", vb.download(), vv, 1e4, 64 * U)
        check(tag + " u", ub.download(), uu, 1e3, 64 * U)
        exact(tag + " spikes", sb.download(), s)
        exact(tag + " count", cb.download(), cnt + s)


def rate_multistep(r, rng, batch, n, m, steps, ns, record_every):
    d = r.dev
    r0, wr, bias = u(rng, batch, n), u(rng, n, n) * np.float32(0.3), u(rng, 1, n)
    c, tau = u(rng, 1, n, lo=0.1, hi=0.5), u(rng, 1, n, lo=5, hi=50)
    wi, uu = u(rng, max(m, 1), n), u(rng, steps * batch, max(m, 1))
    rec = d.buffer(steps // record_every * batch, n) if record_every else None
    rb = d.put(r0)
    kw = dict(r=rb, w_rec_t=d.put(wr), bias=d.put(bias), c=d.put(c), steps=steps, activation="logistic", exp_euler=True,
              noise_scale=ns, seed=99, stream=5, step0=7, record_every=record_every)
    if m:
        kw.update(w_in_t=d.put(wi), u=d.put(uu))
    if ns:
        kw.update(tau=d.put(tau))
    if rec is not None:
        kw.update(rec=rec)
    r.run("rate_multistep", **kw)
    rr = r0.astype(np.float64)
    recs = []
    for t in range(steps):
        x = bias + rr @ wr
        if m:
            x = x + uu[t * batch:(t + 1) * batch].astype(np.float64) @ wi
        rr = c * rr + (1 - c.astype(np.float64)) * act_ref("logistic", x)
        if ns:
            z, _ = normal_ref(np.arange(batch * n), 5, 7 + t, 99)
            rr = rr + ns / tau.astype(np.float64) * z.reshape(batch, n)
        if record_every and (t + 1) % record_every == 0:
            recs.append(rr.copy())
    bound = steps * ((n + m + 10) * 4 * U + (64 * U * 7 * ns / 5 if ns else 0))
    tag = "rate_multistep %dx%d m=%d" % (batch, n, m)
    check(tag, rb.download(), rr, 1.0, bound)
    if record_every:
        check(tag + " rec", rec.download(), np.vstack(recs), 1.0, bound)


def p21(h, tau_m, tau_s, cm):
    dd = 1 / tau_m - 1 / tau_s
    if abs(dd) * h < 1e-12:
        return h / cm * np.exp(-h / tau_m)
    return tau_m * tau_s / (cm * (tau_s - tau_m)) * np.exp(-h / tau_m) * np.expm1(h * dd)


def lif(r, rng):
    d = r.dev
    m, n = 3, 50
    prm = dict(tau_m=20.0, cm=1.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=2.0, tau_syn_e=5.0, tau_syn_i=3.0, i_offset=0.1)
    dt, tau_rate = 0.1, 100.0
    p22, p20 = f32(np.exp(-dt / 20)), f32(-np.expm1(-dt / 20) * 20)
    p21e, p21i = f32(p21(dt, 20, 5, 1)), f32(p21(dt, 20, 3, 1))
    p11e, p11i = f32(np.exp(-dt / 5)), f32(np.exp(-dt / 3))
    steps_ref, decay, gain = 20, f32(np.exp(-dt / tau_rate)), f32(1 / tau_rate)
    v = u(rng, m, n, lo=-70, hi=-52)
    v[:, ::4] = u(rng, m, 13, lo=-49, hi=-45)       # these fire
    st = {"v": v, "i_e": u(rng, m, n, lo=0, hi=1), "i_i": u(rng, m, n, lo=-1, hi=0),
          "refractory": rng.integers(0, 3, (m, n)).astype(np.float32), "rate": u(rng, m, n, lo=0, hi=0.05),
          "count": rng.integers(0, 5, (m, n)).astype(np.float32)}
    for inputs in (True, False):
        ext = {"i_ext": u(rng, m, n, lo=0, hi=2), "syn_e": u(rng, m, n, lo=0, hi=0.5), "syn_i": u(rng, m, n, lo=-0.5, hi=0)}
        bufs = {k: d.put(a) for k, a in st.items()}
        spk = d.buffer(m, n)
        kw = {k: d.put(a) for k, a in ext.items()} if inputs else {}
        d.lif_step(nk.LifParams(*prm.values()), dt, tau_rate, bufs["v"], bufs["i_e"], bufs["i_i"], bufs["refractory"], spk, bufs["rate"],
                   bufs["count"], **kw)
        covered.add("lif_step")
        planned.add("nk_lif_step")  # no plan query for lif_step (derived parameters); oclgrind_ops.sh sees what ran
        x = ext["i_ext"] if inputs else 0.0
        se, si = (ext["syn_e"], ext["syn_i"]) if inputs else (0.0, 0.0)
        v0, e0, i0, r0 = (st[k].astype(np.float64) for k in ("v", "i_e", "i_i", "refractory"))
        integ = -65 + p22 * (v0 + 65) + p21e * e0 + p21i * i0 + p20 * (f32(0.1) + x)
        refr = r0 > 0
        margin = np.abs(integ - (-50))[~refr].min()
        if margin < 1e-3:
            report("lif_step data", False, "a voltage within %g of threshold: pick other data" % margin)
        vn, rn = np.where(refr, -65.0, integ), np.where(refr, r0 - 1, r0)
        fire = vn >= -50
        s = fire.astype(np.float64)
        tag = "lif_step%s" % ("" if inputs else " (no inputs)")
        check(tag + " v", bufs["v"].download(), np.where(fire, -65.0, vn), 65 + np.abs(v0) + 1, 8 * U)
        check(tag + " i_e", bufs["i_e"].download(), p11e * e0 + se, np.abs(e0) + np.abs(se) + 2.0 ** -100, 3 * U)
        check(tag + " i_i", bufs["i_i"].download(), p11i * i0 + si, np.abs(i0) + np.abs(si) + 2.0 ** -100, 3 * U)
        check(tag + " rate", bufs["rate"].download(), decay * st["rate"] + gain * s, np.abs(st["rate"]) + gain, 3 * U)
        exact(tag + " spikes", spk.download(), s)
        exact(tag + " refractory", bufs["refractory"].download(), np.where(fire, steps_ref, rn))
        exact(tag + " count", bufs["count"].download(), st["count"] + s)


# ---- the GEMM-based typed functions ----

GEMM_SHAPES = [(33, 70, 65), (70, 17, 20), (1, 33, 5), (17, 1, 33), (5, 3, 1)]   # m x n x k


def gemm_cases(r, rng, tag=""):
    d = r.dev
    cases = [(s, ta, tb) for s in GEMM_SHAPES[1:] for ta in (False, True) for tb in (False, True)]
    cases.insert(0, (GEMM_SHAPES[0], False, False))
    cases.insert(1, (GEMM_SHAPES[0], True, True))
    for (m, n, k), ta, tb in cases:
        a = u(rng, *((k, m) if ta else (m, k)))
        b = u(rng, *((n, k) if tb else (k, n)))
        c0 = u(rng, m, n)
        beta = -0.5 if (ta != tb) else 0.0
        if beta == 0:
            c0[:] = np.nan                        # not read when beta is 0
        name = "gemm%s %dx%dx%d %s%s beta=%g" % (tag, m, n, k, "T" if ta else "N", "T" if tb else "N", beta)
        r.gemm_plan(name, m, n, k, ta, tb)
        cb = d.put(c0)
        d.gemm(d.put(a), d.put(b), cb, trans_a=ta, trans_b=tb, alpha=1.5, beta=beta)
        oa, ob = (a.T if ta else a).astype(np.float64), (b.T if tb else b).astype(np.float64)
        want = 1.5 * oa @ ob + (beta * c0 if beta else 0)
        scale = 1.5 * np.abs(oa) @ np.abs(ob) + (abs(beta) * np.abs(c0) if beta else 0) + 2.0 ** -100
        check(name, cb.download(), want, scale, (k + 5) * U)


def dense_cases(r, rng, tag=""):
    d = r.dev
    # dense_forward: with bias and pre, and without either (k = 70: five k tiles of 16, the last partial)
    for (rows, out, k), a, with_bias in (((17, 33, 70), "tanh", True), ((66, 9, 20), "softplus", False), ((5, 70, 3), "relu", True)):
        x, w, bias = u(rng, rows, k), u(rng, out, k), u(rng, 1, out)
        ob = d.buffer(rows, out)
        pre = d.buffer(rows, out) if with_bias else None
        r.gemm_plan("dense_forward", rows, out, k, False, True)
        d.dense_forward(d.put(x), d.put(w), d.put(bias) if with_bias else None, a, ob, pre)
        z = x.astype(np.float64) @ w.T.astype(np.float64) + (bias if with_bias else 0)
        s = np.abs(x) @ np.abs(w.T) + (np.abs(bias) if with_bias else 0) + 2.0 ** -100
        name = "dense_forward%s %dx%dx%d %s" % (tag, rows, out, k, a)
        if pre is not None:
            check(name + " pre", pre.download(), z, s, (k + 5) * U)
        check(name + " out", ob.download(), act_ref(a, z), s + np.abs(act_ref(a, z)), (k + 5 + 32) * U)

    # backward_delta: op(m) = m or m^T, the derivative from z or from h = f(z)
    for (rows, p, q), trans_m, a, from_output in (((19, 12, 45), False, "logistic", False), ((70, 20, 9), True, "tanh", True),
                                                  ((3, 1, 66), False, "softplus", True)):
        dl = u(rng, rows, p)
        mm = u(rng, q, p) if trans_m else u(rng, p, q)
        z = u(rng, rows, q, lo=-3, hi=3)
        av = f32(act_ref(a, z)).astype(np.float32) if from_output else z
        ob = d.buffer(rows, q)
        r.gemm_plan("backward_delta", rows, q, p, False, trans_m)
        d.backward_delta(d.put(dl), d.put(mm), d.put(av), a, ob, trans_m=trans_m, from_output=from_output)
        om = (mm.T if trans_m else mm).astype(np.float64)
        g = dpost_ref(a, av) if from_output else dpre_ref(a, av)
        name = "backward_delta%s %dx%dx%d%s %s %s" % (tag, rows, q, p, " m^T" if trans_m else "", a, "from h" if from_output else "from z")
        check(name, ob.download(), (dl.astype(np.float64) @ om) * g, (np.abs(dl) @ np.abs(om)) * np.abs(g) + 2.0 ** -100, (p + 39) * U)

    # dense_update: one fused launch, op(A) = delta^T; w of 70 columns spans two column tiles (the bias is
    # stepped by the first only), 66 outputs two row tiles
    for rows, outs, ins, mom, with_b, with_fb in ((33, 9, 70, 0.9, True, True), (20, 66, 14, 0.0, True, False), (7, 5, 3, 0.5, False, True)):
        dl, hh, w0 = u(rng, rows, outs), u(rng, rows, ins), u(rng, outs, ins)
        b0, vw0, vb0, fb0 = u(rng, 1, outs), u(rng, outs, ins), u(rng, 1, outs), u(rng, outs, ins)
        wb, bb, vwb, vbb, fbb = d.put(w0), d.put(b0), d.put(vw0), d.put(vb0), d.put(fb0)
        r.gemm_plan("dense_update", outs, ins, rows, True, False)
        lr, decay = 0.1, 0.01
        d.dense_update(d.put(dl), d.put(hh), wb, lr, decay, mom, b=bb if with_b else None, vw=vwb if mom else None,
                       vb=vbb if (mom and with_b) else None, feedback=fbb if with_fb else None)
        gw = dl.T.astype(np.float64) @ hh
        gb = dl.astype(np.float64).sum(axis=0, keepdims=True)
        tw = mom * vw0 + gw if mom else gw
        tb = mom * vb0 + gb if mom else gb
        s_w = np.abs(dl).T @ np.abs(hh) + mom * np.abs(vw0)
        s_b = np.abs(dl).sum(axis=0, keepdims=True) + mom * np.abs(vb0)
        name = "dense_update%s %dx%dx%d mu=%g%s%s" % (tag, outs, ins, rows, mom, " b" if with_b else "", " feedback" if with_fb else "")
        check(name + " w", wb.download(), w0 - lr * (tw + decay * w0), np.abs(w0) + lr * (s_w + decay * np.abs(w0)), (rows + 8) * U)
        if with_fb:
            check(name + " feedback", fbb.download(), fb0 - lr * (tw + decay * fb0), np.abs(fb0) + lr * (s_w + decay * np.abs(fb0)), (rows + 8) * U)
        else:
            exact(name + " feedback untouched", fbb.download(), fb0)
        if mom:
            check(name + " velocity_w", vwb.download(), tw, s_w, (rows + 4) * U)
        else:
            exact(name + " velocity_w untouched", vwb.download(), vw0)
        if with_b:
            check(name + " b", bb.download(), b0 - lr * tb, np.abs(b0) + lr * s_b, (rows + 8) * U)
        else:
            exact(name + " b untouched", bb.download(), b0)
        if mom and with_b:
            check(name + " velocity_b", vbb.download(), tb, s_b, (rows + 4) * U)
        else:
            exact(name + " velocity_b untouched", vbb.download(), vb0)


def independent_cases(r, rng, tag=""):
    """Ops inside dev.independently() (nk_independent_begin/end), where the library has it: it pairs only the
    one-launch GEMM kernels of the CPU families, so on a TILED device every GEMM is still its own nk_gemm."""
    d = r.dev
    if not (hasattr(d, "independently") and hasattr(d._nk, "nk_independent_begin")):
        return
    x1, w1, x2, w2 = u(rng, 9, 20), u(rng, 14, 20), u(rng, 5, 33), u(rng, 3, 33)
    o1, o2 = d.buffer(9, 14), d.buffer(5, 3)
    r.gemm_plan("independently", 9, 14, 20, False, True)
    r.gemm_plan("independently", 5, 3, 33, False, True)
    with d.independently():
        d.dense_forward(d.put(x1), d.put(w1), None, "identity", o1)
        d.dense_forward(d.put(x2), d.put(w2), None, "identity", o2)
    for name, o, x, w in (("independently%s 9x14x20" % tag, o1, x1, w1), ("independently%s 5x3x33" % tag, o2, x2, w2)):
        check(name, o.download(), x.astype(np.float64) @ w.T, np.abs(x) @ np.abs(w.T) + 2.0 ** -100, (x.shape[1] + 5) * U)


def output_layer_cases(r, rng, tag=""):
    """output_layer: on a TILED device three launches whatever the classes (the one-launch kernel is the CPU
    family's): the dense forward GEMM into the logits scratch, nk_softmax_xent, the backward delta GEMM."""
    d = r.dev
    for rows, c, q, a, with_b, with_m in ((19, 10, 37, "tanh", True, True), (70, 20, 9, "logistic", False, True), (5, 3, 66, "relu", True, False)):
        _, launches = r.plan_output_layer(rows, c, q)
        r.plan_ok("output_layer", [x[0] for x in launches])
        r.gemm_plan("output_layer forward", rows, c, q, False, True)
        if with_m:
            r.gemm_plan("output_layer backward", rows, q, c, False, False)
        hz = u(rng, rows, q, lo=-3, hi=3)
        hh = f32(act_ref(a, hz)).astype(np.float32)
        w, bias, mm = u(rng, c, q) * np.float32(0.5), u(rng, 1, c), u(rng, c, q)
        t = np.eye(c, dtype=np.float32)[rng.integers(0, c, rows)]
        pb, gb, lb = d.buffer(rows, c), d.buffer(rows, c), d.buffer(rows, 1)
        db = d.buffer(rows, q) if with_m else None
        d.output_layer(d.put(hh), d.put(w), d.put(t), pb, gb, lb, b=d.put(bias) if with_b else None, m=d.put(mm) if with_m else None,
                       delta=db, activation=a)
        z = hh.astype(np.float64) @ w.T.astype(np.float64) + (bias if with_b else 0)
        e = (q + 5) * (np.abs(hh) @ np.abs(w).T + (np.abs(bias) if with_b else 0)).max(axis=1, keepdims=True)
        name = "output_layer%s %dx%dx%d %s" % (tag, rows, c, q, a)
        p = softmax_checks(name, z, t, pb, gb, lb, e)
        if with_m:
            g = (p - t) / rows
            dp = dpost_ref(a, hh)
            s = ((c + 39) * (np.abs(g) @ np.abs(mm)) + ((c + 32) + 2 * e) / rows * np.abs(mm).sum(axis=0)) * np.abs(dp) + 2.0 ** -100
            check(name + " delta", db.download(), (g @ mm) * dp, s, U)


# ---- kernels only the Java library launches, through the OpenCL C API ----

class RawOpenCL:
    """The kernels of kernels-opencl/ (sources.txt order, the device's GEMM defines) on the OpenCL device
    whose platform or device name contains `name`, launched by hand as KernelDevice.java launches them."""

    def __init__(self, name, options, sources=None):
        P, I32, U32, SZ = ctypes.c_void_p, ctypes.c_int32, ctypes.c_uint32, ctypes.c_size_t
        path = ctypes.util.find_library("OpenCL") or "libOpenCL.so.1"
        cl = self.cl = ctypes.CDLL(path)
        sig = {
            "clGetPlatformIDs": (I32, [U32, P, ctypes.POINTER(U32)]),
            "clGetPlatformInfo": (I32, [P, U32, SZ, P, ctypes.POINTER(SZ)]),
            "clGetDeviceIDs": (I32, [P, ctypes.c_uint64, U32, P, ctypes.POINTER(U32)]),
            "clGetDeviceInfo": (I32, [P, U32, SZ, P, ctypes.POINTER(SZ)]),
            "clCreateContext": (P, [P, U32, ctypes.POINTER(P), P, P, ctypes.POINTER(I32)]),
            "clCreateCommandQueue": (P, [P, P, ctypes.c_uint64, ctypes.POINTER(I32)]),
            "clCreateProgramWithSource": (P, [P, U32, ctypes.POINTER(ctypes.c_char_p), P, ctypes.POINTER(I32)]),
            "clBuildProgram": (I32, [P, U32, ctypes.POINTER(P), ctypes.c_char_p, P, P]),
            "clGetProgramBuildInfo": (I32, [P, P, U32, SZ, P, ctypes.POINTER(SZ)]),
            "clCreateKernel": (P, [P, ctypes.c_char_p, ctypes.POINTER(I32)]),
            "clSetKernelArg": (I32, [P, U32, SZ, P]),
            "clCreateBuffer": (P, [P, ctypes.c_uint64, SZ, P, ctypes.POINTER(I32)]),
            "clEnqueueNDRangeKernel": (I32, [P, P, U32, P, ctypes.POINTER(SZ), ctypes.POINTER(SZ), U32, P, P]),
            "clEnqueueReadBuffer": (I32, [P, P, U32, SZ, SZ, P, U32, P, P]),
            "clFinish": (I32, [P]),
        }
        for fn in ("clReleaseMemObject", "clReleaseKernel", "clReleaseProgram", "clReleaseCommandQueue", "clReleaseContext"):
            sig[fn] = (I32, [P])
        for fn, (res, args) in sig.items():
            getattr(cl, fn).restype, getattr(cl, fn).argtypes = res, args
        self.mems, self.kernels = [], {}
        count = U32()
        self.ok(cl.clGetPlatformIDs(0, None, ctypes.byref(count)), "clGetPlatformIDs")
        platforms = (P * count.value)()
        self.ok(cl.clGetPlatformIDs(count.value, platforms, None), "clGetPlatformIDs")
        found = []
        for p in platforms:
            nd = U32()
            if cl.clGetDeviceIDs(p, 0xFFFFFFFF, 0, None, ctypes.byref(nd)) != 0:
                continue
            devices = (P * nd.value)()
            cl.clGetDeviceIDs(p, 0xFFFFFFFF, nd.value, devices, None)
            for dv in devices:
                # as nk_open matches opencl:NAME: device name, platform name, vendor or version
                names = " | ".join([self.info(cl.clGetDeviceInfo, dv, 0x102B)] + [self.info(cl.clGetPlatformInfo, p, w) for w in (0x0902, 0x0903, 0x0901)])
                if name.lower() in names.lower():
                    found.append((p, dv, names))
        if len(found) != 1:
            raise RuntimeError("RawOpenCL: %d OpenCL devices match %r" % (len(found), name))
        platform, self.device, self.name = found[0]
        err = I32()
        props = (P * 3)(0x1084, platform, 0)
        dev_arr = (P * 1)(self.device)
        self.ctx = cl.clCreateContext(props, 1, dev_arr, None, None, ctypes.byref(err))
        self.ok(err.value, "clCreateContext")
        self.queue = cl.clCreateCommandQueue(self.ctx, self.device, 0, ctypes.byref(err))
        self.ok(err.value, "clCreateCommandQueue")
        if sources is None:
            with open(os.path.join(ROOT, "kernels-opencl", "sources.txt")) as f:
                files = [line.strip() for line in f if line.strip() and not line.startswith("#")]
            sources = []
            for fname in files:
                with open(os.path.join(ROOT, "kernels-opencl", fname), "rb") as f:
                    sources.append(f.read())
        texts = (ctypes.c_char_p * len(sources))(*sources)
        self.program = cl.clCreateProgramWithSource(self.ctx, len(sources), texts, None, ctypes.byref(err))
        self.ok(err.value, "clCreateProgramWithSource")
        status = cl.clBuildProgram(self.program, 1, dev_arr, options.encode(), None, None)
        if status != 0:
            log = ctypes.create_string_buffer(65536)
            cl.clGetProgramBuildInfo(self.program, self.device, 0x1183, len(log), log, None)
            raise RuntimeError("RawOpenCL: build failed (%d): %s" % (status, log.value.decode("utf-8", "replace")))

    @staticmethod
    def info(fn, handle, what):
        out = ctypes.create_string_buffer(1024)
        return out.value.decode("utf-8", "replace") if fn(handle, what, len(out), out, None) == 0 else ""

    @staticmethod
    def ok(status, what):
        if status != 0:
            raise RuntimeError("RawOpenCL: %s failed with OpenCL error %d" % (what, status))

    def buffer(self, array):
        """A read-write buffer holding a copy of array (float32 or uint32)."""
        a = np.ascontiguousarray(array)
        err = ctypes.c_int32()
        mem = self.cl.clCreateBuffer(self.ctx, 1 | 0x20, a.nbytes, a.ctypes.data, ctypes.byref(err))
        self.ok(err.value, "clCreateBuffer")
        self.mems.append(mem)
        return ctypes.c_void_p(mem)

    def read(self, mem, count, dtype=np.float32):
        out = np.empty(count, dtype)
        self.ok(self.cl.clEnqueueReadBuffer(self.queue, mem, 1, 0, out.nbytes, out.ctypes.data, 0, None, None), "clEnqueueReadBuffer")
        return out

    def launch(self, kernel, global_size, local_size, *args):
        """args: ctypes.c_void_p (a buffer), int (int), float (float)."""
        if kernel not in self.kernels:
            err = ctypes.c_int32()
            self.kernels[kernel] = self.cl.clCreateKernel(self.program, kernel.encode(), ctypes.byref(err))
            self.ok(err.value, "clCreateKernel(%s)" % kernel)
        k = self.kernels[kernel]
        for i, a in enumerate(args):
            v = a if isinstance(a, ctypes.c_void_p) else ctypes.c_int32(a) if isinstance(a, int) else ctypes.c_float(a)
            self.ok(self.cl.clSetKernelArg(k, i, ctypes.sizeof(v), ctypes.byref(v)), "clSetKernelArg(%s, %d)" % (kernel, i))
        g, l = (ctypes.c_size_t * 1)(global_size), (ctypes.c_size_t * 1)(local_size)
        self.ok(self.cl.clEnqueueNDRangeKernel(self.queue, k, 1, None, g, l, 0, None, None), "clEnqueueNDRangeKernel(%s)" % kernel)
        self.ok(self.cl.clFinish(self.queue), "clFinish")

    def close(self):
        for mem in self.mems:
            self.cl.clReleaseMemObject(mem)
        for k in self.kernels.values():
            self.cl.clReleaseKernel(k)
        self.cl.clReleaseProgram(self.program)
        self.cl.clReleaseCommandQueue(self.queue)
        self.cl.clReleaseContext(self.ctx)


def java_only(raw, rng):
    """nk_dot_partial, nk_fill and the probes, with KernelDevice.java's launches (dotImpl, fill, probes)."""
    for rows, cols, groups in ((17, 33, None), (1, 5, None), (17, 33, 1)):
        # Java: groups = min(256, ceil(n / 256)); a single group over 561 elements also runs the stride loop
        n = rows * cols
        groups = groups or max(1, min(256, (n + 255) // 256))
        x, y = u(rng, rows, cols), u(rng, rows, cols)
        part = raw.buffer(np.full(256, np.nan, np.float32))
        raw.launch("nk_dot_partial", groups * 256, 256, rows, cols, raw.buffer(x), 0, cols, raw.buffer(y), 0, cols, part, 0, 256)
        partial = raw.read(part, 256)
        got = partial[:groups].astype(np.float64).sum()
        check("nk_dot_partial %dx%d %d group(s)" % (rows, cols, groups), got, (x.astype(np.float64) * y).sum(), np.abs(x * y.astype(np.float64)).sum(), (n + 4) * U)
        exact("nk_dot_partial untouched partials", partial[groups:], np.full(256 - groups, np.nan, np.float32))
    # nk_fill on a 5 x 7 view at offset 13 of a 9 x 12 matrix: the rest untouched
    base = u(rng, 9, 12)
    mem = raw.buffer(base)
    raw.launch("nk_fill", 256, 256, 5, 7, mem, 13, 12, 2.5)
    want = base.copy().ravel()
    for i in range(5):
        want[13 + i * 12:13 + i * 12 + 7] = 2.5
    exact("nk_fill (a view)", raw.read(mem, 9 * 12), want)
    # the probes: values one of the behaviours the report allows (flush or not, contract or not)
    inp = np.array([2.0 ** -70, 2.0 ** -70, 2.0 ** -130, 1 + 2.0 ** -13, 1 - 2.0 ** -13, -1], np.float32)
    out = raw.buffer(np.full(3, np.nan, np.float32))
    raw.launch("nk_probe_arith", 1, 1, raw.buffer(inp), out)
    o = raw.read(out, 3)
    ok = o[0] in (np.float32(2.0 ** -140), 0) and o[1] in (np.float32(2.0 ** -130), 0) and o[2] in (0, np.float32(-2.0 ** -26))
    report("nk_probe_arith", ok, "%s" % o.tolist())
    xs = np.concatenate([np.linspace(-10, 10, 19), np.linspace(0.01, 3, 18)]).astype(np.float32)
    refs = [np.exp, np.tanh, np.log1p, np.expm1, np.log]
    for fn, ref in enumerate(refs):
        arg = np.abs(xs) + np.float32(0.001) if fn in (2, 4) else xs
        out = raw.buffer(np.zeros(arg.size, np.float32))
        raw.launch("nk_probe_math", 256, 256, arg.size, fn, raw.buffer(arg), out)
        want = ref(arg.astype(np.float64))
        check("nk_probe_math %s" % ref.__name__, raw.read(out, arg.size), want, np.abs(want) + 2.0 ** -100, 8 * U)
    planned.update(JAVA_ONLY_KERNELS)


def open_device(selector, library):
    dev = nk.open(selector, library=library)
    config = dev.gemm_config()
    print("neurokernels %s on %s (%s): GEMM %s, %s" % (nk.__version__, dev.selector, dev.name, config[0], config[1]), flush=True)
    if not config[0].startswith("TILED"):
        report("gemm_config", False, "%r: not the GPU configuration (TILED), so the GPU families would not run" % config[0])
    return dev


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("library", nargs="?", help="path to libneurokernels.so (else the one the package finds)")
    ap.add_argument("--device", default="opencl:oclgrind", help="selector (default opencl:oclgrind)")
    ap.add_argument("--tiles", default="32,16", help="other TILED tile sizes to run the GEMM cases with (comma-separated, '' for none)")
    ap.add_argument("--report", metavar="FILE", help="write the report to FILE, not stdout (oclgrind_ops.sh: stdout and stderr are "
                                                      "Oclgrind's, its instruction counts and its diagnostics)")
    args = ap.parse_args()
    if args.report:
        sys.stdout = open(args.report, "w", buffering=1)
    t0 = time.time()
    rng = np.random.default_rng(2024)
    # the Philox reference against Random123's known answers
    kat = philox_ref(np.array([[0, 0, 0, 0], [MASK] * 4], np.uint32), np.array([[0, 0], [MASK, MASK]], np.uint32))
    if not np.array_equal(kat, np.array([[0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
                                         [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]], np.uint32)):
        report("philox reference", False, "fails Random123's known answers")

    name = args.device.split(":", 1)[1] if args.device.count(":") == 1 else "oclgrind"
    dev = open_device(args.device, args.library)
    r = Runner(dev, name)
    table_ops(r, rng)
    gemm_cases(r, rng)
    dense_cases(r, rng)
    independent_cases(r, rng)
    output_layer_cases(r, rng)
    defines = dev.gemm_config()[1]
    key = dev.tuning_key
    dev.close()
    print("-- %.1f s: the op table and the GEMM-based functions" % (time.time() - t0), flush=True)

    raw = RawOpenCL(name, defines)
    java_only(raw, rng)
    raw.close()

    saved = os.environ.get("NK_TUNING_FILE")
    for ts in [int(s) for s in args.tiles.split(",") if s.strip()]:
        with tempfile.TemporaryDirectory(prefix="nk-oclgrind-") as tmp:
            store = os.path.join(tmp, "gemm-tuning.properties")
            with open(store, "w") as f:
                f.write("%s=TILED mr=8 nr=32 ts=%d\n" % (key.replace(":", "\\:").replace("=", "\\=").replace(" ", "\\ "), ts))
            os.environ["NK_TUNING_FILE"] = store
            dev = open_device(args.device, args.library)
            if "ts=%d" % ts not in dev.gemm_config()[0]:
                report("tuned TILED ts=%d" % ts, False, "the device did not take the tuning store: %s" % dev.gemm_config()[0])
            r = Runner(dev, name)
            gemm_cases(r, rng, " ts=%d" % ts)
            dense_cases(r, rng, " ts=%d" % ts)
            output_layer_cases(r, rng, " ts=%d" % ts)
            dev.close()
        if saved is None:
            os.environ.pop("NK_TUNING_FILE", None)
        else:
            os.environ["NK_TUNING_FILE"] = saved

    with nk.open(args.device, library=args.library) as dev:
        ops = dev.ops()
    missing = sorted(set(ops) - covered)
    if missing:
        report("op table coverage", False, "ops of dev.ops() this script does not run: %s (add a case)" % ", ".join(missing))
    # the kernels of ops this library does not have yet (an older build) are not expected
    expected = (GPU_KERNELS | JAVA_ONLY_KERNELS | (planned & {"nk_switch_probe"})) - {kern for op, kern in (("connect", "nk_connect"), ("lif_network", "nk_lif_network"))
                                                    if op not in ops}
    if planned != expected:
        report("kernel coverage", False, "planned %s; never planned %s" % (sorted(planned - expected), sorted(expected - planned)))
    print("expected kernels: %s" % " ".join(sorted(planned)))
    print("-- %.1f s in all" % (time.time() - t0))
    if failures:
        print("FAILED (%d): %s" % (len(failures), ", ".join(failures)))
        sys.exit(1)
    print("every GPU-family kernel agrees with its reference")


if __name__ == "__main__":
    main()
