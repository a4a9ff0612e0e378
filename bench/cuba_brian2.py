#!/usr/bin/env python3
"""The peer of `neurokernels simulate`: the Vogels-Abbott CUBA network in Brian2 (Cython target, one
thread), with the same neurons and synapses as neurokernels' (PyNN VAbenchmarks parameters: IF_curr_exp
cells, cm 0.2 nF, tau_m 20 ms, v_rest -49 mV, v_reset -60 mV, v_thresh -50 mV, 5 ms refractory, current
synapses with tau 5 ms (E) and 10 ms (I), 0.0162 nA and -0.09 nA, each ordered pair connected with
probability 80 / N, initial V uniform in [-60, -50) mV, dt 0.1 ms). The generated code is compiled by a
short warm-up run first; the time reported is that of the measured run alone, as `simulate` reports the
time of its steps. Prints one JSON line: neurons, ms, wall_seconds, rate_excitatory_hz, rate_inhibitory_hz.

    /usr/bin/python3 bench/cuba_brian2.py [N] [MS]
"""
import json
import sys
import time

import brian2 as b2

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
ms = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0
b2.prefs.codegen.target = "cython"
b2.defaultclock.dt = 0.1 * b2.ms
b2.seed(1)
ne = n * 4 // 5
eqs = """
dv/dt = (v_rest - v) / tau_m + (ie + ii) / c_m : volt (unless refractory)
die/dt = -ie / tau_e : amp
dii/dt = -ii / tau_i : amp
"""
params = dict(v_rest=-49 * b2.mV, tau_m=20 * b2.ms, c_m=0.2 * b2.nF, tau_e=5 * b2.ms, tau_i=10 * b2.ms)
group = b2.NeuronGroup(n, eqs, threshold="v >= -50*mV", reset="v = -60*mV", refractory=5 * b2.ms, method="exact", namespace=params)
group.v = "-60*mV + 10*mV * rand()"
p = min(1.0, 80.0 / n)
exc = b2.Synapses(group[:ne], group, on_pre="ie += 0.0162*nA")
exc.connect(condition="i != j", p=p)
inh = b2.Synapses(group[ne:], group, on_pre="ii -= 0.09*nA")
inh.connect(condition="i + %d != j" % ne, p=p)
spikes = b2.SpikeMonitor(group)
net = b2.Network(group, exc, inh, spikes)
net.run(1 * b2.ms)                      # compiles the generated code (cached across runs)
before_e = int((spikes.i < ne).sum())
before_i = int(spikes.num_spikes) - before_e
t0 = time.perf_counter()
net.run(ms * b2.ms)
seconds = time.perf_counter() - t0
count_e = int((spikes.i < ne).sum()) - before_e
count_i = int(spikes.num_spikes) - before_e - before_i - count_e
print(json.dumps({"neurons": n, "ms": ms, "wall_seconds": seconds,
                  "rate_excitatory_hz": count_e / ne / (ms / 1000), "rate_inhibitory_hz": count_i / (n - ne) / (ms / 1000)}))
