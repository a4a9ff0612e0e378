#!/usr/bin/env python3
"""Markdown tables of the recurrent-learning runs in bench/learning/recurrent (written by
bench/recurrent-tasks.sh and bench/recurrent-java-vs-opencl.sh), for bench/RESULTS.md.
    python3 bench/recurrent-summary.py [DIR]"""
import glob
import json
import os
import sys

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "learning", "recurrent")
TARGET = {("lif-rnn", "bptt"): 0.005, ("lif-rnn", "eprop"): 0.008, ("lif-rnn", "eprop-random"): 0.015,
          ("rate-rnn", "bptt"): 0.005, ("rate-rnn", "rflo"): 0.01}


def load(name):
    p = os.path.join(d, name)
    return json.load(open(p)) if os.path.exists(p) else None


print("| network | rule | optimizer | NMSE at 2000 | best NMSE (iteration) | target | reached | s/iteration |")
print("|---|---|---|---|---|---|---|---|")
for opt in ("adam", "sgd"):
    for net, rule in (("lif-rnn", "bptt"), ("lif-rnn", "eprop"), ("lif-rnn", "eprop-random"), ("rate-rnn", "bptt"),
                      ("rate-rnn", "eprop"), ("rate-rnn", "eprop-random"), ("rate-rnn", "rflo")):
        rows = load("sine-%s-%s-%s.json" % (net, rule, opt))
        if not rows or not rows[-1].get("final"):
            continue                                 # not run, or still running
        final = rows[-1]
        its = [r for r in rows if not r.get("final")]
        best = min(its, key=lambda r: r["nmse"])
        t = TARGET.get((net, rule))
        reached = "" if t is None or opt != "adam" else ("yes" if final["nmse"] <= t else "no")
        print("| %s | %s | %s | %.5f | %.5f (%d) | %s | %s | %.3f |" % (net, rule, opt, final["nmse"], best["nmse"], best["iteration"],
              "≤ %g" % t if t and opt == "adam" else "", reached, final["seconds"] / len(its)))
print()
print("| LIF rule (Adam) | NMSE at 2000, seeds 1, 2, 3, 4, 5 | median | target |")
print("|---|---|---|---|")
for rule in ("bptt", "eprop", "eprop-random"):
    vals = []
    for seed in (1, 2, 3, 4, 5):
        rows = load("sine-lif-rnn-%s-adam.json" % rule if seed == 1 else "sine-lif-rnn-%s-adam-seed%d.json" % (rule, seed))
        vals.append(rows[-1]["nmse"] if rows and rows[-1].get("final") else None)
    got = sorted(v for v in vals if v is not None)
    med = got[len(got) // 2] if len(got) % 2 else (got[len(got) // 2 - 1] + got[len(got) // 2]) / 2 if got else None
    print("| %s | %s | %s | ≤ %g |" % (rule, ", ".join("%.4f" % v if v is not None else "–" for v in vals),
          "%.4f" % med if med is not None else "–", TARGET[("lif-rnn", rule)]))
print()
print("| network | rule | epochs | test accuracy per epoch (%) | final | s/epoch |")
print("|---|---|---|---|---|---|")
for p in sorted(glob.glob(os.path.join(d, "seqfmnist-*.json"))):
    rows = json.load(open(p))
    name = os.path.basename(p)[len("seqfmnist-"):-len(".json")]
    net, rule = name.split("-rnn-")
    print("| %s-rnn | %s | %d | %s | %.2f | %.0f |" % (net, rule, len(rows), " ".join("%.1f" % (100 * r["test_accuracy"]) for r in rows),
          100 * rows[-1]["test_accuracy"], rows[-1]["seconds"] / len(rows)))
print()
print("| run | java reference | OpenCL (PoCL) |")
print("|---|---|---|")
for base, key, fmt in (("ref-sine-lif-rnn-eprop", "nmse", "NMSE %.5f"), ("ref-sine-rate-rnn-rflo", "nmse", "NMSE %.5f"),
                       ("ref-seqfmnist-rate-rnn-bptt", "test_accuracy", "test accuracy %.4f")):
    cells = []
    for tag in ("java", "opencl"):
        rows = load("%s-%s.json" % (base, tag))
        done = rows and (rows[-1].get("final") or "epoch" in rows[-1])
        cells.append((fmt % rows[-1][key]) + (" (%.0f s)" % rows[-1]["seconds"]) if done else "not run")
    print("| %s | %s | %s |" % (base[4:], cells[0], cells[1]))
