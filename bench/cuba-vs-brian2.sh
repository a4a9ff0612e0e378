#!/usr/bin/env bash
# The Vogels-Abbott CUBA network, neurokernels (`simulate`, lif_network on one OpenCL device) against
# Brian2 (bench/cuba_brian2.py: Cython target, one thread) on the same machine, in ROUNDS alternating rounds
# at 4000 neurons and 1 s of network time; then neurokernels alone at 40,000 and 400,000 neurons (time per
# simulated second as the network grows). Both sides report the time of the simulation steps alone (network
# construction and code generation excluded) and their population rates. Writes bench/results/cuba-brian2.{txt,json}.
# Needs the CLI jar (./neurokernels builds it) and python3-brian (./neurokernels setup).
# Usage: bench/cuba-vs-brian2.sh [ROUNDS] [SELECTOR]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
selector="${2:-opencl:pocl}"
py="${PYTHON:-/usr/bin/python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out=bench/results/cuba-brian2.txt
{
  echo "# CUBA network, neurokernels on $selector vs Brian2 $("$py" -c 'import brian2; print(brian2.__version__)' 2>/dev/null), $(date -u +%Y-%m-%dT%H:%MZ), $rounds alternating rounds"
  for r in $(seq 1 "$rounds"); do
    ./neurokernels simulate --neurons 4000 --ms 1000 --device "$selector" --json "$tmp/nk-$r.json" > /dev/null
    "$py" bench/cuba_brian2.py 4000 1000 2>/dev/null | tail -n 1 > "$tmp/brian2-$r.json"
    echo "round $r: neurokernels $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f s, E %.2f Hz, I %.2f Hz" % (d["wall_seconds"], d["rate_excitatory_hz"], d["rate_inhibitory_hz"]))' "$tmp/nk-$r.json");" \
         "Brian2 $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f s, E %.2f Hz, I %.2f Hz" % (d["wall_seconds"], d["rate_excitatory_hz"], d["rate_inhibitory_hz"]))' "$tmp/brian2-$r.json")"
  done
  for n in 40000 400000; do
    ms=$([ "$n" -ge 400000 ] && echo 200 || echo 1000)
    ./neurokernels simulate --neurons "$n" --ms "$ms" --device "$selector" --json "$tmp/nk-$n.json" > /dev/null
  done
  python3 - "$tmp" "$rounds" bench/results/cuba-brian2.json <<'PY'
import json, statistics, sys
tmp, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for r in range(1, rounds + 1):
    nk, b2 = json.load(open(f"{tmp}/nk-{r}.json")), json.load(open(f"{tmp}/brian2-{r}.json"))
    rows.append({"round": r, "neurokernels": nk, "brian2": b2, "ratio": nk["wall_seconds"] / b2["wall_seconds"]})
scaling = []
for n in (4000, 40000, 400000):
    runs = [x["neurokernels"] for x in rows] if n == 4000 else [json.load(open(f"{tmp}/nk-{n}.json"))]
    per_second = statistics.median(x["wall_seconds"] / (x["ms"] / 1000) for x in runs)
    scaling.append({"neurons": n, "wall_seconds_per_simulated_second": per_second,
                    "rate_excitatory_hz": runs[0]["rate_excitatory_hz"], "rate_inhibitory_hz": runs[0]["rate_inhibitory_hz"]})
median = statistics.median(x["ratio"] for x in rows)
json.dump({"rounds": rows, "median_ratio_neurokernels_over_brian2": median, "scaling": scaling}, open(out, "w"), indent=1)
print("## summary at 4000 neurons: median neurokernels %.3f s, Brian2 %.3f s per simulated second; median ratio %.2f (below 1: neurokernels faster)"
      % (statistics.median(x["neurokernels"]["wall_seconds"] for x in rows), statistics.median(x["brian2"]["wall_seconds"] for x in rows), median))
print("## excitatory rate: neurokernels %.2f Hz, Brian2 %.2f Hz (medians)" % (statistics.median(x["neurokernels"]["rate_excitatory_hz"] for x in rows),
                                                                             statistics.median(x["brian2"]["rate_excitatory_hz"] for x in rows)))
for s in scaling:
    print("## scaling: %7d neurons: %.2f s per simulated second (E %.2f Hz)" % (s["neurons"], s["wall_seconds_per_simulated_second"], s["rate_excitatory_hz"]))
PY
} | tee "$out"
