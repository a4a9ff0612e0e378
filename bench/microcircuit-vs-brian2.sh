#!/usr/bin/env bash
# The Potjans-Diesmann microcircuit, neurokernels (`simulate --network microcircuit`, lif_network on one
# OpenCL device) against Brian2 (bench/microcircuit_brian2.py: the same construction, Cython target, one
# thread) on the same machine, in ROUNDS alternating rounds at SCALE (1 = 77,169 neurons) for MS ms. Each
# side reports its construction time, its simulation time (real-time factor = wall seconds per simulated
# second) and its rates per population after the first 100 ms, against the published ones. Brian2 runs
# under a time limit (BRIAN2_LIMIT seconds, default 1800); where it does not finish, the report says so.
# Writes bench/results/microcircuit.{txt,json}. Needs the CLI jar and python3-brian (./neurokernels setup).
# Usage: bench/microcircuit-vs-brian2.sh [ROUNDS] [SCALE] [MS] [SELECTOR]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-1}"
scale="${2:-1}"
ms="${3:-1000}"
selector="${4:-opencl:pocl}"
limit="${BRIAN2_LIMIT:-1800}"
py="${PYTHON:-/usr/bin/python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
neurons=$(python3 -c "print(max(770, round(77169 * float('$scale'))))")
out=bench/results/microcircuit.txt
mkdir -p bench/results
{
  echo "# Potjans-Diesmann microcircuit at scale $scale ($neurons neurons), $ms ms: neurokernels on $selector vs Brian2 $("$py" -c 'import brian2; print(brian2.__version__)' 2>/dev/null), $(date -u +%Y-%m-%dT%H:%MZ), $rounds alternating rounds"
  for r in $(seq 1 "$rounds"); do
    ./neurokernels simulate --network microcircuit --neurons "$neurons" --ms "$ms" --device "$selector" --json "$tmp/nk-$r.json" > /dev/null
    if timeout "$limit" "$py" bench/microcircuit_brian2.py "$scale" "$ms" 100 2>"$tmp/brian2-$r.err" | tail -n 1 > "$tmp/brian2-$r.json" && [ -s "$tmp/brian2-$r.json" ]; then :; else
      echo "{\"failed\": \"did not finish within $limit s or failed: $(tail -n 1 "$tmp/brian2-$r.err" | tr -d '"\\')\"}" > "$tmp/brian2-$r.json"
    fi
  done
  python3 - "$tmp" "$rounds" bench/results/microcircuit.json <<'PY'
import json, statistics, sys
tmp, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
names = ["L2/3e", "L2/3i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
reference = dict(zip(names, [0.97, 2.87, 4.75, 5.40, 8.14, 9.08, 0.99, 7.52]))
rows = []
for r in range(1, rounds + 1):
    nk, b2 = json.load(open(f"{tmp}/nk-{r}.json")), json.load(open(f"{tmp}/brian2-{r}.json"))
    rows.append({"round": r, "neurokernels": nk, "brian2": b2})
    line = "round %d: neurokernels build %.1f s, simulation %.1f s (real-time factor %.1f)" % (r, nk["build_seconds"], nk["wall_seconds"], nk["real_time_factor"])
    if "failed" in b2:
        line += "; Brian2 %s" % b2["failed"]
    else:
        line += "; Brian2 build %.1f s, simulation %.1f s (real-time factor %.1f); ratio %.2f" % (
            b2["build_seconds"], b2["wall_seconds"], b2["real_time_factor"], nk["wall_seconds"] / b2["wall_seconds"])
    print(line)
print("population  published  neurokernels  Brian2 (Hz, round 1)")
for p in names:
    b2 = rows[0]["brian2"]
    print("%-10s %10.2f %13.2f %8s" % (p, reference[p], rows[0]["neurokernels"]["rates_hz"][p], "-" if "failed" in b2 else "%.2f" % b2["rates_hz"][p]))
json.dump({"rounds": rows, "published_rates_hz": reference}, open(out, "w"), indent=1)
PY
} | tee "$out"
