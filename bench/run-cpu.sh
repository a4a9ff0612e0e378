#!/usr/bin/env bash
# Runs the CPU benchmarks (JMH; neurokernels on the OpenCL device, CLBlast on the same device, EJML;
# training steps; neuron-step kernels next to a copy; the multi-step rate kernel and rnn_grad vs single steps),
# then the separate NumPy/OpenBLAS peer run, and regenerates bench/RESULTS.md and bench/gemm.png.
#   bench/run-cpu.sh            (after mvn package; about 20 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
out=bench/results
mkdir -p "$out"
jmh() { java -jar "$jar" "$@" -f 1 -wi 3 -i 5 -w 1 -r 1 -bm avgt; }
jmh GemmBenchmark -p impl=neurokernels-opencl,clblast,ejml -p n=256,1024,2048 -tu ms -rf json -rff "$out/gemm-square.json"
jmh GemmShapesBenchmark -tu us -rf json -rff "$out/gemm-training-shapes.json"
jmh FusedOpsBenchmark -tu us -rf json -rff "$out/fused-ops.json"
jmh TrainStepBenchmark -tu us -rf json -rff "$out/train-step.json"
jmh DynamicsBenchmark -tu us -rf json -rff "$out/dynamics.json"
jmh RateMultistepBenchmark -tu ms -rf json -rff "$out/rate-multistep.json"
jmh RnnGradBenchmark -tu ms -rf json -rff "$out/rnn-grad.json"
# native peer, clearly separate: OpenBLAS chooses its own kernel for this CPU only in this command
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_gemm.py "$out/openblas-numpy.json"
bench/results.sh
