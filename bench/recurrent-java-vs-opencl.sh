#!/usr/bin/env bash
# The same recurrent-learning runs on the pure-Java reference device and on the OpenCL device, reduced where
# the reference is slow: pattern generation with LIF e-prop and rate RFLO (2000 iterations each), and
# sequential Fashion-MNIST with rate BPTT on 6000 training and 6000 test images for 2 epochs. JSON rows and
# logs go to OUT (default bench/learning/recurrent), named *-java and *-opencl.
#   bench/recurrent-java-vs-opencl.sh [SEED] [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${1:-1}"
out="${2:-bench/learning/recurrent}"
mkdir -p "$out"
for dev in java opencl:pocl; do
  tag="${dev%%:*}"
  for nr in "lif-rnn eprop" "rate-rnn rflo"; do
    set -- $nr
    echo "== sine $1 $2 on $dev"
    ./neurokernels train --task sine-waves --network "$1" --rule "$2" --device "$dev" --seed "$seed" \
        --json "$out/ref-sine-$1-$2-$tag.json" > "$out/ref-sine-$1-$2-$tag.log" 2>&1
    tail -1 "$out/ref-sine-$1-$2-$tag.log"
  done
  echo "== seq-fashion-mnist rate-rnn bptt on $dev (6000 images, 2 epochs)"
  ./neurokernels train --task seq-fashion-mnist --network rate-rnn --rule bptt --limit 6000 --epochs 2 --device "$dev" --seed "$seed" \
      --json "$out/ref-seqfmnist-rate-rnn-bptt-$tag.json" > "$out/ref-seqfmnist-rate-rnn-bptt-$tag.log" 2>&1
  tail -1 "$out/ref-seqfmnist-rate-rnn-bptt-$tag.log"
done
