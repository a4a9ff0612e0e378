#!/usr/bin/env python3
"""neurokernels from Python (the neurokernels package: ctypes and NumPy over the C API): a GEMM, a LIF
population for 1000 steps and one feedback-alignment backward step, each checked against NumPy.

    python3 native/examples/example.py [path/to/libneurokernels.so]

It uses an installed neurokernels package (pip install ./native/python) when there is one, else the
package in this source tree; ctest puts the source tree first on PYTHONPATH. Without an argument the
package finds the library (NEUROKERNELS_LIBRARY, the system loader, pkg-config, /usr/local/lib). The
device is opencl:pocl, or the selector in NEUROKERNELS_DEVICE.
"""
import os
import sys

import numpy as np

try:
    import neurokernels as nk
except ImportError:  # not installed: the package of this source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
    import neurokernels as nk

dev = nk.open(os.environ.get("NEUROKERNELS_DEVICE", "opencl:pocl"), library=sys.argv[1] if len(sys.argv) > 1 else None)
print("neurokernels %s (%s) on %s (%s), library %s" % (nk.__version__, os.path.dirname(nk.__file__), dev.selector, dev.name,
                                                       dev.library.path))
rng = np.random.default_rng(0)

# 1. GEMM: C = A^T B with awkward sizes
a = rng.uniform(-1, 1, (67, 131)).astype(np.float32)
b = rng.uniform(-1, 1, (67, 29)).astype(np.float32)
c = dev.buffer(131, 29)
dev.gemm(dev.put(a), dev.put(b), c, trans_a=True)
want = a.T.astype(np.float64) @ b
err = np.max(np.abs(c.download() - want) / (np.abs(a.T) @ np.abs(b)))
assert err < 72 * 2.0 ** -24, err
print("gemm 131x67x29: max normalized error %.2e" % err)

# 2. A LIF population (IF_curr_exp, PyNN defaults, tau_refrac 2 ms) under constant currents, 1000 steps of 0.1 ms
p = nk.LifParams(20.0, 1.0, -65.0, -65.0, -50.0, 2.0, 5.0, 5.0, 0.0)
n, dt, steps = 64, 0.1, 1000
current = np.linspace(0.5, 3.0, n).astype(np.float32)
v, ie, ii, refr = dev.put(np.full(n, -65.0, np.float32)), dev.buffer(1, n), dev.buffer(1, n), dev.buffer(1, n)
spikes, rate, count, i_ext = dev.buffer(1, n), dev.buffer(1, n), dev.buffer(1, n), dev.put(current)
for _ in range(steps):
    dev.lif_step(p, dt, 100.0, v, ie, ii, refr, spikes, rate, count, i_ext=i_ext)
got = count.download()[0]
# the same exact integration in NumPy (float64): V <- v_rest + P22 (V - v_rest) + R (1 - P22) I, reset, refractory
R, p22 = p.tau_m / p.cm, np.exp(-dt / p.tau_m)
vv, rr, cc = np.full(n, -65.0), np.zeros(n), np.zeros(n)
for _ in range(steps):
    integ = p.v_rest + p22 * (vv - p.v_rest) + R * (1 - p22) * current.astype(np.float64)
    vv = np.where(rr > 0, p.v_reset, integ)
    rr = np.where(rr > 0, rr - 1, rr)
    fire = vv >= p.v_thresh
    cc += fire
    vv = np.where(fire, p.v_reset, vv)
    rr = np.where(fire, round(p.tau_refrac / dt), rr)
assert np.max(np.abs(got - cc)) <= 1, (got, cc)  # a threshold tie may move one spike by a step
print("lif: %d spikes in 100 ms over %d neurons, NumPy %d" % (got.sum(), n, cc.sum()))

# 3. One feedback-alignment backward step: delta_1 = (delta_2 B) * tanh'(z_1), then the update of W_2
batch, hidden, out = 32, 48, 10
z1 = rng.uniform(-2, 2, (batch, hidden)).astype(np.float32)
d2 = rng.uniform(-0.1, 0.1, (batch, out)).astype(np.float32)
B = rng.uniform(-0.3, 0.3, (out, hidden)).astype(np.float32)
W2 = rng.uniform(-0.3, 0.3, (out, hidden)).astype(np.float32)
d1 = dev.buffer(batch, hidden)
dev.backward_delta(dev.put(d2), dev.put(B), dev.put(z1), "tanh", d1)
want = (d2.astype(np.float64) @ B) * (1 - np.tanh(z1.astype(np.float64)) ** 2)
assert np.max(np.abs(d1.download() - want)) < 1e-5, np.max(np.abs(d1.download() - want))
h1 = np.tanh(z1)
grad, w2 = dev.buffer(out, hidden), dev.put(W2)
dev.gemm(dev.put(d2), dev.put(h1), grad, trans_a=True)   # grad W_2 = delta_2^T h_1
dev.sgd_update(w2, grad, 0.05)
want_w2 = W2 - 0.05 * (d2.T.astype(np.float64) @ h1)
assert np.max(np.abs(w2.download() - want_w2)) < 1e-5
print("fa backward step: delta and W update agree with NumPy")
dev.close()
print("example passed")
