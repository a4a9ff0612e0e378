#!/usr/bin/env bash
# Runs on a GPU machine from the folder bench/gpu-pack.sh made: the CUDA test suite (every op on
# cuda:N against the java reference, views, validation, memory, threads), `verify` on every device,
# GemmBenchmark for neurokernels-cuda vs cuBLAS, and the step kernels next to a copy; prints a summary. Results go to RESULTS_DIR
# (default: $OUT if set, else ./gpu-results).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
res="${1:-${OUT:-$here/gpu-results}}"
mkdir -p "$res"
java="$here/jre/bin/java"
cp="$here/benchmarks.jar"
{
  echo "== machine"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true
  echo "== devices"; "$java" -cp "$cp" org.neurokernels.cli.Main devices
} | tee "$res/devices.txt"
echo "== tests"
"$java" -jar "$here/junit-console.jar" execute --class-path "$cp:$here/test-classes" --scan-class-path \
  --details=summary --disable-banner --reports-dir "$res/junit" 2>&1 | tail -n 40 | tee "$res/tests.txt"
tests_rc=${PIPESTATUS[0]}
echo "== verify"
"$java" -cp "$cp" org.neurokernels.cli.Main verify --all --seed 1 --json "$res/verify.json" --markdown "$res/verify.md" 2>&1 \
  | tee "$res/verify.txt" | tail -n 40
verify_rc=${PIPESTATUS[0]}
echo "== GemmBenchmark (tiled nk_gemm)"
"$java" -jar "$cp" GemmBenchmark -p impl=neurokernels-cuda,cublas -p n=1024,2048,4096 -wi 2 -i 3 -w 1 -r 1 -f 1 \
  -rf json -rff "$res/gemm-gpu.json" 2>&1 | tail -n 12 | tee "$res/gemm-gpu.txt"
echo "== GemmBenchmark (warp-tiled nk_gemm_warp, NK_CUDA_GEMM=warp; the test suite above ran it through GemmKernelsTest)"
NK_CUDA_GEMM=warp "$java" -jar "$cp" GemmBenchmark -p impl=neurokernels-cuda,cublas -p n=1024,2048,4096 -wi 2 -i 3 -w 1 -r 1 -f 1 \
  -rf json -rff "$res/gemm-gpu-warp.json" 2>&1 | tail -n 12 | tee "$res/gemm-gpu-warp.txt"
echo "== DynamicsBenchmark (memory-bound step kernels next to a copy, cuda:0)"
"$java" -jar "$cp" DynamicsBenchmark -p device=cuda:0 -p neurons=1048576,4194304 -wi 2 -i 3 -w 1 -r 1 -f 1 \
  -rf json -rff "$res/dynamics-gpu.json" 2>&1 | grep -E "^Dynamics|^Benchmark" | tee "$res/dynamics-gpu.txt"
echo "== summary"
printf "%-28s %s\n" "CUDA test suite exit" "$tests_rc" "verify exit" "$verify_rc"
cat "$res/gemm-gpu.txt" "$res/gemm-gpu-warp.txt" | grep -E "^GemmBenchmark" | awk '{ n=$3; t=$5; printf "gemm %-22s n=%-5s %9.3f ms  %8.1f GFLOP/s\n", $2, n, t, 2*n*n*n/(t*1e6) }'
