#!/usr/bin/env bash
# The recurrent-learning tasks of bench/RESULTS.md through the CLI, one run after another on one device:
# pattern generation (sine-waves, 2000 iterations, batch 1) with every network and rule, Adam and SGD;
# and sequential Fashion-MNIST (10 epochs, 128 units) with BPTT, random e-prop and RFLO on the rate network.
# Each run writes its JSON rows (and a plot) to OUT (default bench/learning/recurrent) and its log beside them.
#   bench/recurrent-tasks.sh [sine|fmnist|all] [DEVICE] [SEED] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
device="${2:-opencl:pocl}"
seed="${3:-1}"
out="${4:-bench/learning/recurrent}"
mkdir -p "$out"
run() {   # NAME ARGS...
  local name="$1"
  shift
  echo "== $name: neurokernels train $*"
  # a run that fails (a diverging one ends with status 1 and says so) does not stop the others
  ./neurokernels train "$@" --device "$device" --seed "$seed" --json "$out/$name.json" --plot "$out/$name.png" > "$out/$name.log" 2>&1 || true
  tail -1 "$out/$name.log"
}
if [ "$what" = sine ] || [ "$what" = all ]; then
  for opt in adam sgd; do
    for nr in "lif-rnn bptt" "lif-rnn eprop" "lif-rnn eprop-random" "rate-rnn bptt" "rate-rnn eprop" "rate-rnn eprop-random" "rate-rnn rflo"; do
      set -- $nr
      run "sine-$1-$2-$opt" --task sine-waves --network "$1" --rule "$2" --optimizer "$opt"
    done
  done
fi
if [ "$what" = fmnist ] || [ "$what" = all ]; then
  for rule in bptt eprop-random rflo; do
    run "seqfmnist-rate-rnn-$rule" --task seq-fashion-mnist --network rate-rnn --rule "$rule"
  done
fi
