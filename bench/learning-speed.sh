#!/usr/bin/env bash
# One run, two implementations of the same FA training epoch (784-256-256-10 tanh, batch 64, SGD 0.05,
# Fashion-MNIST): neurokernels train on the OpenCL device, then NumPy on OpenBLAS (its own kernel for this
# CPU: OPENBLAS_CORETYPE unset in that command only). Writes bench/learning/speed-fa.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-3}"
out=bench/learning/speed-fa.txt
{
  echo "# FA epoch time, $(date -u +%Y-%m-%dT%H:%MZ), $epochs epochs each, same machine, one run"
  echo "## neurokernels train --rule fa --device opencl:0:0"
  ./neurokernels train --rule fa --epochs "$epochs" --device opencl:0:0 --seed 1 2>/dev/null
  echo "## NumPy/OpenBLAS (bench/numpy_mlp.py)"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_mlp.py "$epochs"
} | tee "$out"
