#!/usr/bin/env bash
# Pattern generation with the LIF network over several seeds (each seed draws its own task, initial weights and
# random feedback): e-prop, random e-prop and BPTT with Adam, 2000 iterations, on one device. JSON and logs go to
# OUT (default bench/learning/recurrent) as sine-lif-rnn-RULE-adam-seedS.*.
#   bench/recurrent-seeds.sh [DEVICE] [OUT] [SEEDS...]      (default seeds 2 3 4 5)
set -euo pipefail
cd "$(dirname "$0")/.."
device="${1:-opencl:pocl}"
out="${2:-bench/learning/recurrent}"
shift 2 || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(2 3 4 5)
mkdir -p "$out"
for seed in "${seeds[@]}"; do
  for rule in eprop-random eprop bptt; do
    name="sine-lif-rnn-$rule-adam-seed$seed"
    ./neurokernels train --task sine-waves --network lif-rnn --rule "$rule" --device "$device" --seed "$seed" --json "$out/$name.json" > "$out/$name.log" 2>&1 || true
    echo "$name: $(tail -1 "$out/$name.log")"
  done
done
