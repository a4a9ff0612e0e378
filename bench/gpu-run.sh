#!/usr/bin/env bash
# Runs on a GPU machine from the folder bench/gpu-pack.sh made: the CUDA test suite (every op on
# cuda:N against the java reference, views, validation, memory, threads), `verify` on every device,
# GemmBenchmark for neurokernels-cuda vs cuBLAS, and the step kernels next to a copy; prints a summary. Results go to RESULTS_DIR
# (default: $OUT if set, else ./gpu-results).
#
#   OUTDIR/gpu-run.sh [RESULTS_DIR]                  on the GPU machine
#   OUTDIR/gpu-run.sh --standin DIR [RESULTS_DIR]    anywhere, against the CPU stand-in for libcuda.so.1 in DIR
#                                                    (native/cuda-standin/build.sh DIR), to prove the pack runs
#                                                    end to end before a GPU session (bench/test-gpu-pack.sh)
# With --standin: DIR goes first on LD_LIBRARY_PATH, NK_REQUIRE_CUDA=1 (no cuda:0 fails the tests), OpenCL is
# hidden (OCL_ICD_VENDORS: java and cuda:0 only, as on a GPU machine without an OpenCL driver), verify uses
# the quick shape set and the benchmarks small sizes and short runs; cuBLAS is absent there, which the
# summary says. The summary is labelled: a CPU stand-in is not a GPU and its timings mean nothing.
# Exit status: 0 when the tests and verify passed and both GEMM kernels were measured, 1 otherwise.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
standin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --standin)
      [ -n "${2:-}" ] && [ -f "$2/libcuda.so.1" ] || { echo "gpu-run.sh: --standin DIR needs DIR/libcuda.so.1 (native/cuda-standin/build.sh DIR)" >&2; exit 2; }
      standin="$(cd "$2" && pwd)"
      shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
res="${1:-${OUT:-$here/gpu-results}}"
mkdir -p "$res"
java="$here/jre/bin/java"
cp="$here/benchmarks.jar"
# the sizes and run lengths of the benchmarks (JMH options)
gemm_sizes=1024,2048,4096
dyn_neurons=1048576,4194304
jmh_runs=(-wi 2 -i 3 -w 1 -r 1 -f 1)
verify_set=()
label="GPU"
if [ -n "$standin" ]; then
  export LD_LIBRARY_PATH="$standin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export NK_REQUIRE_CUDA=1
  mkdir -p "$res/no-opencl-icds"
  export OCL_ICD_VENDORS="$res/no-opencl-icds"
  unset NK_REQUIRE_OPENCL   # OpenCL is hidden on purpose here (CI sets it for its own test run)
  gemm_sizes=64,256
  dyn_neurons=65536
  jmh_runs=(-wi 0 -i 2 -w 100ms -r 200ms -f 1)
  verify_set=(--quick)
  label="CPU stand-in, not a GPU: timings meaningless"
fi
{
  if [ -n "$standin" ]; then
    echo "== machine: the CPU stand-in for libcuda.so.1 in $standin ($label)"
  else
    echo "== machine"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true
  fi
  echo "== devices"; "$java" -cp "$cp" org.neurokernels.cli.Main devices
} | tee "$res/devices.txt"
echo "== tests"
# The classes go on the JVM's own class path (not the console's --class-path): tests that start a child JVM
# with java.class.path (KilledWritesTest) need them there. Left out: the tests of the source tree, which
# read files of the checkout next to the working directory (the launcher, native/src/nk_plans.h, the C and
# OpenCL faces of the op specs); the pack has no checkout.
"$java" -cp "$cp:$here/test-classes:$here/junit-console.jar" org.junit.platform.console.ConsoleLauncher execute --scan-class-path \
  --exclude-classname 'org\.neurokernels\.(cli\.LauncherTest|plan\.GeneratedCTest|plan\.FacesAgreeTest)' \
  --details=summary --disable-banner --reports-dir "$res/junit" 2>&1 | tail -n 40 | tee "$res/tests.txt"
tests_rc=${PIPESTATUS[0]}
echo "== verify"
"$java" -cp "$cp" org.neurokernels.cli.Main verify --all --seed 1 ${verify_set[@]+"${verify_set[@]}"} --json "$res/verify.json" --markdown "$res/verify.md" 2>&1 \
  | tee "$res/verify.txt" | tail -n 40
verify_rc=${PIPESTATUS[0]}
# GemmBenchmark's whole output goes to a .log (cuBLAS's failure to load, say); its result table to the .txt
echo "== GemmBenchmark (tiled nk_gemm)"
"$java" -jar "$cp" GemmBenchmark -p impl=neurokernels-cuda,cublas -p n=$gemm_sizes "${jmh_runs[@]}" \
  -rf json -rff "$res/gemm-gpu.json" > "$res/gemm-gpu.log" 2>&1
tail -n 12 "$res/gemm-gpu.log" | tee "$res/gemm-gpu.txt"
echo "== GemmBenchmark (warp-tiled nk_gemm_warp, NK_CUDA_GEMM=warp; the test suite above ran it through GemmKernelsTest)"
NK_CUDA_GEMM=warp "$java" -jar "$cp" GemmBenchmark -p impl=neurokernels-cuda,cublas -p n=$gemm_sizes "${jmh_runs[@]}" \
  -rf json -rff "$res/gemm-gpu-warp.json" > "$res/gemm-gpu-warp.log" 2>&1
tail -n 12 "$res/gemm-gpu-warp.log" | tee "$res/gemm-gpu-warp.txt"
echo "== DynamicsBenchmark (memory-bound step kernels next to a copy, cuda:0)"
"$java" -jar "$cp" DynamicsBenchmark -p device=cuda:0 -p neurons=$dyn_neurons "${jmh_runs[@]}" \
  -rf json -rff "$res/dynamics-gpu.json" 2>&1 | grep -E "^Dynamics|^Benchmark" | tee "$res/dynamics-gpu.txt"
echo "== summary"
{
  [ -n "$standin" ] && echo "*** $label (libcuda.so.1 from $standin) ***"
  printf "%-28s %s\n" "CUDA test suite exit" "$tests_rc" "verify exit" "$verify_rc"
  # the JMH table: Benchmark (impl) (n) Mode Cnt Score [± Error] Units
  cat "$res/gemm-gpu.txt" "$res/gemm-gpu-warp.txt" | grep -E "^GemmBenchmark" | awk '{ n=$3; t=$6; printf "gemm %-22s n=%-5s %9.3f ms  %8.1f GFLOP/s\n", $2, n, t, 2*n*n*n/(t*1e6) }'
  for f in gemm-gpu gemm-gpu-warp; do
    if ! grep -qE "^GemmBenchmark\.[a-zA-Z]+ +cublas " "$res/$f.txt"; then
      why="$(grep -m1 -oE "lib[a-zA-Z0-9_]*cublas[a-zA-Z0-9_.-]*: cannot open shared object file" "$res/$f.log" \
             || grep -m1 -oE "CUBLAS_STATUS_[A-Z_]+|CUDA_ERROR_[A-Z_]+|UnsatisfiedLinkError.*" "$res/$f.log")"
      echo "cuBLAS: not measured in $f (${why:-no result; see $res/$f.log})"
    fi
  done
} | tee "$res/summary.txt"
# both GEMM kernels measured for every size, the tests and verify passed
gemm_ok=1
for f in gemm-gpu gemm-gpu-warp; do
  for n in ${gemm_sizes//,/ }; do
    grep -qE "^GemmBenchmark\.[a-zA-Z]+ +neurokernels-cuda +$n " "$res/$f.txt" || { gemm_ok=0; echo "no neurokernels-cuda result for n=$n in $f (see $res/$f.log)" | tee -a "$res/summary.txt"; }
  done
done
[ "$tests_rc" = 0 ] && [ "$verify_rc" = 0 ] && [ "$gemm_ok" = 1 ]
