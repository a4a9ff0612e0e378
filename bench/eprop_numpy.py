#!/usr/bin/env python3
"""The NumPy peer of `neurokernels train --task sine-waves --network lif-rnn --rule eprop`: one training
iteration of the e-prop paper's pattern-generation task (100 frozen Poisson inputs, 100 LIF neurons, one
leaky readout, 1000 steps, batch 1) with e-prop and symmetric feedback, then an Adam step, in float32 on
OpenBLAS. The same algorithm as the fused kernel: the eligibility traces are computed online, step by step
(e = psi zbar, F = kappa F + e, G += L F), each step vectorized over the N x (N + M) traces with in-place
NumPy operations; the input drive W_in x for all steps is one matrix product before the loop.

With --offline it times a different algorithm with the same gradient: the traces factored out of the time
loop (sum_t L_j^t F_kappa(e_ji)^t = sum_t psi_j^t Lbar_j^t zbar_i^{t-1}, Lbar the learning signal filtered
backwards in time), which stores T x N histories and needs the whole sequence before any update. It is not
e-prop's online form, and is reported only beside it.

    python3 bench/eprop_numpy.py [ROUNDS] [ITERATIONS_PER_ROUND] [--offline]
    python3 bench/eprop_numpy.py --check      (the two algorithms' gradients agree; exit 1 if not)

Prints one JSON object per round: seconds per iteration (the median of the round's iterations).
"""
import json
import sys
import time

import numpy as np

N, M, T = 100, 100, 1000
ALPHA = KAPPA = np.float32(np.exp(-1 / 30))
VTH, GAMMA = np.float32(0.03), np.float32(0.3)
F32 = np.float32


def task(seed=1):
    rng = np.random.default_rng(seed)
    x = (rng.random((T, M)) < 0.05).astype(F32)
    amp, phase = rng.uniform(0.5, 2, 4), rng.uniform(0, 2 * np.pi, 4)
    t = np.arange(T)
    y = sum(a * np.sin(2 * np.pi * t / p + ph) for a, p, ph in zip(amp, (1000, 500, 333, 200), phase))
    y = (y - y[0]) / np.abs(y - y[0]).max()
    return x, y.astype(F32)[:, None]


def init(seed=2):
    rng = np.random.default_rng(seed)
    g = F32(1 - np.exp(-1 / 30))
    w_rec = (g * rng.standard_normal((N, N)) / np.sqrt(N)).astype(F32)
    np.fill_diagonal(w_rec, 0)
    return {"w_in": (g * rng.standard_normal((N, M)) / np.sqrt(M)).astype(F32), "w_rec": w_rec, "b": np.zeros(N, F32),
            "w_out": (g * rng.standard_normal((1, N)) / np.sqrt(N)).astype(F32), "b_out": np.zeros(1, F32)}


def forward(p, x):
    """v, z, psi over the steps and the readout: the part both algorithms share."""
    drive = x @ p["w_in"].T + p["b"]
    v, z = np.zeros(N, F32), np.zeros(N, F32)
    zs, psis = np.empty((T, N), F32), np.empty((T, N), F32)
    for t in range(T):
        v = ALPHA * v + drive[t] + p["w_rec"] @ z - VTH * z
        z = (v > VTH).astype(F32)
        zs[t] = z
        psis[t] = GAMMA / VTH * np.maximum(F32(0), F32(1) - np.abs(v - VTH) / VTH)
    return zs, psis


def online(p, x, target):
    """e-prop as the papers state it: traces updated online every step."""
    drive = x @ p["w_in"].T + p["b"]
    v, z, y = np.zeros(N, F32), np.zeros(N, F32), np.zeros(1, F32)
    zbar, xbar, onebar = np.zeros(N, F32), np.zeros(M, F32), F32(0)
    f_in, f_rec, f_b = np.zeros((N, M), F32), np.zeros((N, N), F32), np.zeros(N, F32)
    g = {k: np.zeros_like(a) for k, a in p.items()}
    e_in, e_rec = np.empty((N, M), F32), np.empty((N, N), F32)
    zf, onef = np.zeros(N, F32), F32(0)
    b_sym = p["w_out"].T
    for t in range(T):
        zbar *= ALPHA
        zbar += z
        xbar *= ALPHA
        xbar += x[t]
        onebar = ALPHA * onebar + 1
        v = ALPHA * v + drive[t] + p["w_rec"] @ z - VTH * z
        z = (v > VTH).astype(F32)
        psi = GAMMA / VTH * np.maximum(F32(0), F32(1) - np.abs(v - VTH) / VTH)
        y = KAPPA * y + p["w_out"] @ z + p["b_out"]
        err = y - target[t]
        learn = (b_sym @ err)[:, None]
        np.multiply.outer(psi, xbar, out=e_in)
        f_in *= KAPPA
        f_in += e_in
        np.multiply(f_in, learn, out=e_in)
        g["w_in"] += e_in
        np.multiply.outer(psi, zbar, out=e_rec)
        np.fill_diagonal(e_rec, 0)
        f_rec *= KAPPA
        f_rec += e_rec
        np.multiply(f_rec, learn, out=e_rec)
        g["w_rec"] += e_rec
        f_b *= KAPPA
        f_b += psi * onebar
        g["b"] += learn[:, 0] * f_b
        zf *= KAPPA
        zf += z
        onef = KAPPA * onef + 1
        g["w_out"] += np.outer(err, zf)
        g["b_out"] += err * onef
    return g


def offline(p, x, target):
    """The same gradient with the traces factored out of the loop (stores T x N histories)."""
    zs, psis = forward(p, x)
    y = np.zeros((T, 1), F32)
    acc = np.zeros(1, F32)
    out = zs @ p["w_out"].T + p["b_out"]
    for t in range(T):
        acc = KAPPA * acc + out[t]
        y[t] = acc
    err = y - target
    learn = err @ p["w_out"]                       # T x N, symmetric feedback
    lbar = np.empty_like(learn)
    acc = np.zeros(N, F32)
    for t in range(T - 1, -1, -1):                 # backward filter of the learning signal
        acc = KAPPA * acc + learn[t]
        lbar[t] = acc
    zprev = np.vstack([np.zeros((1, N), F32), zs[:-1]])
    zbar, xbar = np.empty_like(zprev), np.empty_like(x)
    a1, a2 = np.zeros(N, F32), np.zeros(M, F32)
    for t in range(T):
        a1 = ALPHA * a1 + zprev[t]
        a2 = ALPHA * a2 + x[t]
        zbar[t], xbar[t] = a1, a2
    onebar = ((1 - ALPHA ** np.arange(1, T + 1, dtype=np.float64)) / (1 - ALPHA)).astype(F32)   # 1bar^t
    w = psis * lbar
    g_rec = w.T @ zbar
    np.fill_diagonal(g_rec, 0)
    onef = ((1 - KAPPA ** np.arange(1, T + 1, dtype=np.float64)) / (1 - KAPPA)).astype(F32)   # F_kappa(1)^t
    zf = np.empty_like(zs)
    acc = np.zeros(N, F32)
    for t in range(T):
        acc = KAPPA * acc + zs[t]
        zf[t] = acc
    return {"w_in": w.T @ xbar, "w_rec": g_rec, "b": (w * onebar[:, None]).sum(0),
            "w_out": err.T @ zf, "b_out": err.T @ onef}


class Adam:
    def __init__(self, p, lr=3e-4):
        self.lr, self.t = lr, 0
        self.m = {k: np.zeros_like(a) for k, a in p.items()}
        self.v = {k: np.zeros_like(a) for k, a in p.items()}

    def step(self, p, g):
        self.t += 1
        c1, c2 = 1 - 0.9 ** self.t, 1 - 0.999 ** self.t
        for k in p:
            self.m[k] = 0.9 * self.m[k] + 0.1 * g[k]
            self.v[k] = 0.999 * self.v[k] + 0.001 * g[k] * g[k]
            p[k] -= (self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + 1e-8)).astype(F32)
        if "w_rec" in p:
            np.fill_diagonal(p["w_rec"], 0)


def main():
    if "--check" in sys.argv:
        x, target = task()
        p = init()
        a, b = online(p, x, target), offline(p, x, target)
        worst = max(float(np.abs(a[k] - b[k]).max() / max(np.abs(a[k]).max(), 1e-30)) for k in a)
        print(json.dumps({"check": "online vs offline gradient", "max_relative_difference": worst}))
        sys.exit(0 if worst < 1e-3 else 1)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 3
    per_round = int(args[1]) if len(args) > 1 else 10
    algorithm = offline if "--offline" in sys.argv else online
    x, target = task()
    p = init()
    opt = Adam(p)
    for _ in range(2):                              # warm-up
        opt.step(p, algorithm(p, x, target))
    for r in range(rounds):
        times = []
        for _ in range(per_round):
            t0 = time.perf_counter()
            opt.step(p, algorithm(p, x, target))
            times.append(time.perf_counter() - t0)
        print(json.dumps({"peer": "numpy", "algorithm": algorithm.__name__, "round": r, "iterations": per_round,
                          "seconds_per_iteration": float(np.median(times)), "numpy": np.__version__}), flush=True)


if __name__ == "__main__":
    main()
