#!/usr/bin/env bash
# Regenerates bench/RESULTS.md tables and bench/*.png from the JMH JSON files in bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
r=bench/results
tab() { java -cp "$jar" org.neurokernels.bench.Results "$@" >/dev/null; }
tab /tmp/nk-square.md bench/gemm-square.png clblast "$r/gemm-square.json"
tab /tmp/nk-shapes.md bench/gemm-training-shapes.png clblast "$r/gemm-training-shapes.json"
tab /tmp/nk-fused.md bench/fused-ops.png unfused "$r/fused-ops.json"
tab /tmp/nk-openblas.md /tmp/nk-openblas.png none "$r/openblas-numpy.json"
tab /tmp/nk-train.md /tmp/nk-train.png bp "$r/train-step.json"
tab /tmp/nk-dyn.md /tmp/nk-dyn.png copy "$r/dynamics.json"
tab /tmp/nk-ms.md /tmp/nk-ms.png single "$r/rate-multistep.json"
tab /tmp/nk-rnn.md /tmp/nk-rnn.png single "$r/rnn-grad.json"
{
  sed -n '1,/^<!-- generated below -->$/p' bench/RESULTS.md
  echo
  echo "## Square SGEMM (JMH run: gemm-square.json)"; echo; cat /tmp/nk-square.md
  echo; echo "![square SGEMM](gemm-square.png)"; echo
  echo "## Training shapes, batch 64, 784-256-256-10 (JMH run: gemm-training-shapes.json)"; echo; cat /tmp/nk-shapes.md
  echo; echo "## Fused layer ops vs the unfused sequence (JMH run: fused-ops.json)"; echo; cat /tmp/nk-fused.md
  echo; echo "## Native peer, separate run: NumPy float32 matmul on OpenBLAS (openblas-numpy.json)"; echo
  echo "Measured with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in that command only."; echo
  cat /tmp/nk-openblas.md
  echo; echo "## One training step, 784-256-256-10 tanh, batch 64, per rule (JMH run: train-step.json)"; echo
  cat /tmp/nk-train.md
  echo; echo "## Neuron step kernels next to a copy on the same device (JMH run: dynamics.json)"; echo; cat /tmp/nk-dyn.md
  echo; echo "## 64 trials of an N = 128 rate network, T = 1000 steps: one multi-step launch vs single steps (JMH run: rate-multistep.json)"; echo
  cat /tmp/nk-ms.md
  echo; echo "## rnn_grad with e-prop, 1000 steps of 100 LIF neurons: one launch vs 1000 single-step launches (JMH run: rnn-grad.json)"; echo
  cat /tmp/nk-rnn.md
} > /tmp/nk-results.md
mv /tmp/nk-results.md bench/RESULTS.md
echo "wrote bench/RESULTS.md"
