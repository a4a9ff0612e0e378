#!/usr/bin/env python3
"""The peer of `neurokernels simulate --network microcircuit`: the Potjans-Diesmann cortical microcircuit in
Brian2 (Cython target, one thread), built as neurokernels builds it (java/.../dynamics/Microcircuit.java):
iaf_psc_exp neurons (tau_m 10 ms, C_m 250 pF, E_L = V_reset = -65 mV, V_th -50 mV, t_ref 2 ms, tau_syn
0.5 ms, exact integration), each ordered pair of a projection connected with probability K / (N_pre N_post)
(K the paper's synapse count; divided by SCALE below full size, at most 1), weights normal around 87.8 pA
(0.15 mV PSP; twice that from L4e to L2/3e; -4 times that from inhibitory neurons; relative sd 0.1, clipped
at zero), delays normal (1.5 ms E, 0.75 ms I, relative sd 0.5, at least one step), a Poisson background of
K_ext inputs at 8 Hz per neuron, initial V normal (-58 mV, sd 10 mV), dt 0.1 ms. The random draws are
Brian2's, so the network is a different realization of the same law.

Reports network construction and simulation time separately, and the rates per population after TRANSIENT
ms (code generation is compiled by a 1 ms warm-up run that is not timed). Prints one JSON line.

    /usr/bin/python3 bench/microcircuit_brian2.py [SCALE] [MS] [TRANSIENT]
"""
import json
import math
import sys
import time

import brian2 as b2
import numpy as np

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
ms = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0
transient = float(sys.argv[3]) if len(sys.argv) > 3 else 100.0
b2.prefs.codegen.target = "cython"
b2.defaultclock.dt = 0.1 * b2.ms
b2.seed(1)

names = ["L2/3e", "L2/3i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
sizes = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
prob = [[0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
        [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
        [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
        [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
        [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
        [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
        [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
        [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]]
k_ext = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
tau_m, tau_s, c_m = 10.0, 0.5, 0.25          # ms, ms, nF
a = tau_m * tau_s / (tau_m - tau_s)
t_peak = math.log(tau_m / tau_s) * a
w = 0.15 / (a / c_m * (math.exp(-t_peak / tau_m) - math.exp(-t_peak / tau_s)))   # nA for a 0.15 mV PSP

t0 = time.perf_counter()
n = [max(1, round(s * scale)) for s in sizes]
eqs = """
dv/dt = (-65*mV - v) / (10*ms) + (ie + ii) / (250*pF) : volt (unless refractory)
die/dt = -ie / (0.5*ms) : amp
dii/dt = -ii / (0.5*ms) : amp
"""
group = b2.NeuronGroup(sum(n), eqs, threshold="v >= -50*mV", reset="v = -65*mV", refractory=2 * b2.ms, method="exact")
group.v = "-58*mV + 10*mV * randn()"
first = np.concatenate([[0], np.cumsum(n)])
pops = [group[first[p]:first[p + 1]] for p in range(8)]
objects = [group]
for p in range(8):
    bg = b2.PoissonInput(pops[p], "ie", N=k_ext[p], rate=8 * b2.Hz, weight=w * b2.nA)
    objects.append(bg)
synapses = 0
for target in range(8):
    for source in range(8):
        c = prob[target][source]
        if c == 0:
            continue
        k = math.log(1 - c) / math.log(1 - 1 / (sizes[source] * sizes[target]))
        p = min(1.0, k / (sizes[source] * sizes[target]) / scale)
        weight = w if source % 2 == 0 else -4 * w
        if source == 2 and target == 0:
            weight *= 2
        delay = 1.5 if source % 2 == 0 else 0.75
        syn = b2.Synapses(pops[source], pops[target], "weight : amp", on_pre=("ie += weight" if weight > 0 else "ii += weight"))
        syn.connect(condition="i != j" if source == target else None, p=p)
        wv = weight + 0.1 * abs(weight) * np.random.default_rng(100 * target + source).standard_normal(len(syn))
        syn.weight = (np.maximum(wv, 0) if weight > 0 else np.minimum(wv, 0)) * b2.nA
        dv = delay + 0.5 * delay * np.random.default_rng(1000 + 100 * target + source).standard_normal(len(syn))
        syn.delay = np.maximum(dv, 0.1) * b2.ms
        synapses += len(syn)
        objects.append(syn)
spikes = b2.SpikeMonitor(group)
objects.append(spikes)
net = b2.Network(*objects)
net.run(1 * b2.ms)                      # compiles the generated code (cached across runs)
build = time.perf_counter() - t0
before = int(spikes.num_spikes)
t1 = time.perf_counter()
net.run(ms * b2.ms)
seconds = time.perf_counter() - t1
i = np.asarray(spikes.i)[before:]
t = np.asarray(spikes.t / b2.ms)[before:] - 1.0
keep = t >= transient
rates = {}
for p in range(8):
    count = np.count_nonzero(keep & (i >= first[p]) & (i < first[p + 1]))
    rates[names[p]] = count / n[p] / ((ms - transient) / 1000)
print(json.dumps({"neurons": int(sum(n)), "synapses": int(synapses), "ms": ms, "transient_ms": transient, "build_seconds": build,
                  "wall_seconds": seconds, "real_time_factor": seconds / (ms / 1000), "rates_hz": rates}))
