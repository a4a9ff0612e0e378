#!/usr/bin/env python3
"""Derives the coefficients of nk_tanh16 (kernels-opencl/common.cl): tanh(x) ~ x P(x^2) / Q(x^2) on
[0, 9], P and Q of degree 4 in t = x^2, Q(0) = 1, fitted for minimax relative error by Lawson's iteratively
reweighted least squares in double; beyond |x| >= 9 float32 tanh rounds to +-1. Then evaluates the float32
formula as the kernel does (Horner with fma, one division, a product, min(y, 1)) on every 7th float in
[2^-14, 12] against tanh in double and prints the largest error in ulp (about 5; the ops promise 16).
Below 2^-14, tanh(x) = x in float32 and P(0) / Q(0) = 1 - 2e-8 keeps that.
    python3 kernels-opencl/tools/fit_tanh.py
"""
import numpy as np

X_MAX = 9.0
M = N = 4


def fit(iters=60):
    x = np.concatenate([np.linspace(1e-4, 1, 4000), np.linspace(1, X_MAX, 8000)])
    t = x * x
    g = np.tanh(x) / x
    w = np.ones_like(x)
    for _ in range(iters):
        a = np.hstack([np.stack([t ** i for i in range(M + 1)], 1), np.stack([-g * t ** j for j in range(1, N + 1)], 1)])
        sw = np.sqrt(w) / g
        c, *_ = np.linalg.lstsq(a * sw[:, None], g * sw, rcond=None)
        p = sum(c[i] * t ** i for i in range(M + 1))
        q = 1 + sum(c[M + j] * t ** j for j in range(1, N + 1))
        err = np.abs(p / q - g) / g
        w = w * err
        w /= w.sum()
    return c[:M + 1], np.concatenate([[1.0], c[M + 1:]])


def fma32(a, b, c):
    """float32 fma: the product of two float32 is exact in double, then one rounding."""
    return (a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64)).astype(np.float32)


def tanh32(x, p, q):
    ax = np.abs(x).astype(np.float32)
    t = (ax * ax).astype(np.float32)
    pp = np.full_like(t, np.float32(p[-1]))
    for ci in p[-2::-1]:
        pp = fma32(pp, t, np.full_like(t, np.float32(ci)))
    qq = np.full_like(t, np.float32(q[-1]))
    for ci in q[-2::-1]:
        qq = fma32(qq, t, np.full_like(t, np.float32(ci)))
    y = np.minimum((ax * (pp / qq).astype(np.float32)).astype(np.float32), np.float32(1))
    y = np.where(ax >= np.float32(X_MAX), np.float32(1), y)
    return np.copysign(y, x)


def main():
    p, q = fit()
    bits = np.arange(np.float32(2 ** -14).view(np.int32), np.float32(12).view(np.int32), 7, dtype=np.int32)
    xs = bits.view(np.float32)
    ref = np.tanh(xs.astype(np.float64))
    y = tanh32(xs, p, q)
    ulp = np.abs(y.astype(np.float64) - ref) / np.spacing(np.abs(ref.astype(np.float32))).astype(np.float64)
    print("P (t^0..t^4):", ", ".join("%.9ef" % v for v in p))
    print("Q (t^0..t^4):", ", ".join("%.9ef" % v for v in q))
    print("max error %.2f ulp at x = %.7g over %d floats" % (ulp.max(), xs[ulp.argmax()], xs.size))


if __name__ == "__main__":
    main()
