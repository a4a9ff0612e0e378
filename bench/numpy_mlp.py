#!/usr/bin/env python3
"""The peer of `neurokernels train` for speed: the same 784-256-256-10 tanh MLP trained with feedback
alignment (FA) in NumPy float32 on OpenBLAS, batch 64, SGD lr 0.05, on Fashion-MNIST. It times one epoch's
training loop the way the trainer does (batch assembly, forward, FA backward, updates; no data loading,
no evaluation) and prints the test accuracy after it, to show it trains.

Run with OpenBLAS choosing its own kernel for this CPU (OPENBLAS_CORETYPE unset in this command only):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_mlp.py [EPOCHS] [OUT.json]
"""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


def load(split):
    x = idx(os.path.join(DATA, split + "-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255.0
    y = idx(os.path.join(DATA, split + "-labels-idx1-ubyte.gz")).astype(np.int64)
    return x, y


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    out = sys.argv[2] if len(sys.argv) > 2 else None
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    rng = np.random.default_rng(1)
    sizes = [784, 256, 256, 10]
    W, b, B = [], [], []
    for i in range(3):
        s = np.sqrt(6.0 / (sizes[i] + sizes[i + 1]))
        W.append(rng.uniform(-s, s, (sizes[i + 1], sizes[i])).astype(np.float32))
        b.append(np.zeros(sizes[i + 1], np.float32))
        B.append(rng.uniform(-s, s, (sizes[i + 1], sizes[i])).astype(np.float32))  # FA feedback, shape of W
    lr, batch = np.float32(0.05), 64
    eye = np.eye(10, dtype=np.float32)
    times = []
    for epoch in range(epochs):
        order = rng.permutation(len(xtr))
        t0 = time.perf_counter()
        for start in range(0, len(xtr), batch):
            idx_ = order[start:start + batch]
            x, y = xtr[idx_], eye[ytr[idx_]]
            n = np.float32(len(idx_))
            h0 = x
            a1 = h0 @ W[0].T + b[0]; h1 = np.tanh(a1)
            a2 = h1 @ W[1].T + b[1]; h2 = np.tanh(a2)
            a3 = h2 @ W[2].T + b[2]
            p = np.exp(a3 - a3.max(axis=1, keepdims=True)); p /= p.sum(axis=1, keepdims=True)
            d3 = (p - y) / n
            d2 = (d3 @ B[2]) * (1 - h2 * h2)
            d1 = (d2 @ B[1]) * (1 - h1 * h1)
            for (Wl, bl, d, h) in ((W[2], b[2], d3, h2), (W[1], b[1], d2, h1), (W[0], b[0], d1, h0)):
                Wl -= lr * (d.T @ h)
                bl -= lr * d.sum(axis=0)
        times.append(time.perf_counter() - t0)
        h = np.tanh(xte @ W[0].T + b[0]); h = np.tanh(h @ W[1].T + b[1])
        acc = float(((h @ W[2].T + b[2]).argmax(axis=1) == yte).mean())
        print("epoch %d: %.3f s, test accuracy %.2f%%" % (epoch + 1, times[-1], 100 * acc))
    result = {"impl": "numpy-openblas", "rule": "fa", "batch": batch, "seconds_per_epoch": times, "test_accuracy": acc,
              "numpy": np.__version__, "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)")}
    if out:
        with open(out, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
