#!/usr/bin/env bash
# One training iteration of the e-prop paper's pattern-generation task (1000 steps, 100 LIF neurons, 100
# inputs, batch 1, e-prop with symmetric feedback, Adam) in two implementations timed in one run on this
# machine, alternating: `neurokernels train --task sine-waves` on the OpenCL device (the fused rnn_grad, the
# gradient summed and Adam on the host) and bench/eprop_numpy.py (the same online algorithm in NumPy float32 on
# OpenBLAS; OPENBLAS_CORETYPE unset in that command only), plus the NumPy offline factored form for context.
# ROUNDS rounds; each gives the median seconds per iteration of each; the summary gives the median ratios.
# Writes bench/learning/eprop-speed.json.   Usage: bench/eprop-speed.sh [ROUNDS] [DEVICE]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
device="${2:-opencl:pocl}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$rounds"); do
  echo "## round $r: neurokernels train --task sine-waves --network lif-rnn --rule eprop --device $device (60 iterations)"
  ./neurokernels train --task sine-waves --network lif-rnn --rule eprop --iterations 60 --device "$device" --json "$tmp/nk-$r.json" > /dev/null 2>&1
  echo "## round $r: NumPy online e-prop (bench/eprop_numpy.py, 10 iterations)"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/eprop_numpy.py 1 10 > "$tmp/np-$r.json"
  echo "## round $r: NumPy offline factored form (10 iterations)"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/eprop_numpy.py 1 10 --offline > "$tmp/off-$r.json"
done
python3 - "$tmp" "$rounds" "$device" bench/learning/eprop-speed.json <<'PY'
import json, statistics, sys
tmp, rounds, device, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = []
for r in range(1, rounds + 1):
    it = [e for e in json.load(open(f"{tmp}/nk-{r}.json")) if "final" not in e]
    secs = [it[i]["seconds"] - it[i - 1]["seconds"] for i in range(11, len(it))]   # after 10 warm-up iterations
    nk = statistics.median(secs)
    on = json.loads(open(f"{tmp}/np-{r}.json").read().splitlines()[-1])["seconds_per_iteration"]
    off = json.loads(open(f"{tmp}/off-{r}.json").read().splitlines()[-1])["seconds_per_iteration"]
    rows.append({"round": r, "neurokernels_s": nk, "numpy_online_s": on, "numpy_offline_s": off,
                 "speedup_vs_online": on / nk, "speedup_vs_offline": off / nk})
summary = {"device": device, "rounds": rows,
           "median_speedup_vs_numpy_online": statistics.median(r["speedup_vs_online"] for r in rows),
           "median_speedup_vs_numpy_offline": statistics.median(r["speedup_vs_offline"] for r in rows)}
json.dump(summary, open(out, "w"), indent=1)
print("round  neurokernels s/it  NumPy online s/it  NumPy offline s/it  speedup (online)  speedup (offline)")
for r in rows:
    print("%5d  %17.4f  %17.4f  %18.4f  %16.1f  %17.1f" % (r["round"], r["neurokernels_s"], r["numpy_online_s"], r["numpy_offline_s"],
                                                         r["speedup_vs_online"], r["speedup_vs_offline"]))
print("median speedup: %.1fx over NumPy online e-prop, %.1fx over the offline factored form"
      % (summary["median_speedup_vs_numpy_online"], summary["median_speedup_vs_numpy_offline"]))
PY
