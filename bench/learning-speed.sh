#!/usr/bin/env bash
# The same FA training epoch (784-256-256-10 tanh, batch 64, SGD 0.05, Fashion-MNIST) in two
# implementations, timed in one run on this machine: `neurokernels train` on the OpenCL device and NumPy
# on OpenBLAS (its own kernel for this CPU: OPENBLAS_CORETYPE unset in that command only).
# This machine is shared and its speed drifts by tens of percent within minutes, so the two alternate:
# ROUNDS rounds of (neurokernels EPOCHS epochs, NumPy EPOCHS epochs); each round's ratio compares runs
# minutes apart, and the summary gives the median ratio. Writes bench/learning/speed-fa.{txt,json}.
# Usage: bench/learning-speed.sh [EPOCHS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"
rounds="${2:-3}"
out=bench/learning/speed-fa.txt
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
{
  echo "# FA epoch time, $(date -u +%Y-%m-%dT%H:%MZ), $rounds alternating rounds of $epochs epochs each, same machine, one run"
  for r in $(seq 1 "$rounds"); do
    echo "## round $r: neurokernels train --rule fa --device opencl:pocl"
    ./neurokernels train --rule fa --epochs "$epochs" --device opencl:pocl --seed 1 --json "$tmp/nk-$r.json" 2>/dev/null
    echo "## round $r: NumPy/OpenBLAS (bench/numpy_mlp.py)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_mlp.py "$epochs" "$tmp/np-$r.json"
  done
  python3 - "$tmp" "$rounds" bench/learning/speed-fa.json <<'EOF'
import json, statistics, sys
tmp, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for r in range(1, rounds + 1):
    nk = [e["seconds"] for e in json.load(open(f"{tmp}/nk-{r}.json"))]
    np_ = json.load(open(f"{tmp}/np-{r}.json"))["seconds_per_epoch"]
    rows.append({"round": r, "neurokernels_opencl_s": nk, "numpy_openblas_s": np_,
                 "ratio_median": statistics.median(nk) / statistics.median(np_)})
all_nk = [s for row in rows for s in row["neurokernels_opencl_s"]]
all_np = [s for row in rows for s in row["numpy_openblas_s"]]
summary = {"rounds": rows, "median_epoch_s": {"neurokernels_opencl": statistics.median(all_nk), "numpy_openblas": statistics.median(all_np)},
           "median_round_ratio": statistics.median(r["ratio_median"] for r in rows)}
json.dump(summary, open(out, "w"), indent=1)
print("## summary (seconds per FA epoch; ratio = neurokernels / NumPy, below 1 is faster)")
print("round  neurokernels (median)  NumPy (median)  ratio")
for row in rows:
    print("%5d  %21.3f  %14.3f  %5.2f" % (row["round"], statistics.median(row["neurokernels_opencl_s"]), statistics.median(row["numpy_openblas_s"]), row["ratio_median"]))
print("all    %21.3f  %14.3f  %5.2f (median of the round ratios)" % (summary["median_epoch_s"]["neurokernels_opencl"], summary["median_epoch_s"]["numpy_openblas"], summary["median_round_ratio"]))
EOF
} | tee "$out"
