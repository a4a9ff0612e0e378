#!/usr/bin/env bash
# Every check of the CUDA stand-in in one go, for CI or by hand:
#
#   native/cuda-standin/tests/run_tests.sh OUTDIR [--c-build DIR] [--jar JAR] [--asan] [--tsan] [--racecheck]
#
#  1. builds OUTDIR/libcuda.so.1 (build.sh) and runs test_runtime, test_kernels and the clean case of
#     tests/broken_kernels.cpp;
#     with --asan also OUTDIR-asan: the same under AddressSanitizer + UBSan, and tests/catch_tests.sh: a
#     kernel writing one float past its buffer and tests/asan_catches.c's launches must die with ASan's report;
#     with --tsan also OUTDIR-tsan: the same under ThreadSanitizer (no report allowed), and two blocks
#     writing one global word must be reported;
#     with --racecheck also OUTDIR-racecheck: the same under the stand-in's race checker (no race allowed),
#     and the kernels reading shared memory with no barrier, and two blocks writing one word, must fail;
#  2. with --c-build DIR (a CMake build of native/ with nvcc, so that the library embeds a fatbin): the C
#     library's test_api and tests/test_c_abi.c on cuda:0 through the stand-in;
#  3. with --jar JAR (the CLI jar, java/target/neurokernels-*-cli.jar): `devices` and
#     `verify --device cuda:0 --quick` through JCuda and the stand-in.
# Exit status 0 when everything passed. NK_STANDIN_THREADS limits the worker threads (default: all CPUs).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="" cbuild="" jar="" checkers=()
while [ $# -gt 0 ]; do
  case "$1" in
    --c-build) cbuild="$(cd "$2" && pwd)"; shift ;;
    --jar) jar="$2"; shift ;;
    --asan|--tsan|--racecheck) checkers+=("${1#--}") ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) out="$1" ;;
  esac
  shift
done
[ -n "$out" ] || { echo "usage: run_tests.sh OUTDIR [--c-build DIR] [--jar JAR] [--asan] [--tsan] [--racecheck]" >&2; exit 2; }
say() { echo "[cuda-standin tests] $*"; }
t0=$SECONDS

"$here/build.sh" "$out" --test
out="$(cd "$out" && pwd)"
for c in ${checkers[@]+"${checkers[@]}"}; do
  # build.sh --test runs test_runtime and test_kernels under the checker, then tests/catch_tests.sh
  "$here/build.sh" "$out-$c" "--$c" --test
done

if [ -n "$cbuild" ]; then
  [ -f "$cbuild/libneurokernels.so" ] || { say "no libneurokernels.so in $cbuild"; exit 1; }
  cc -std=c11 -O1 -g -Wall -Wextra -I "$here/../include" -o "$out/test_c_abi" "$here/tests/test_c_abi.c" \
     "$cbuild/libneurokernels.so" -Wl,-rpath,"$cbuild" -lm
  say "C library: test_c_abi on cuda:0"
  LD_LIBRARY_PATH="$out" "$out/test_c_abi" cuda:0
  say "C library: test_c_abi on cuda:0 with NK_CUDA_GEMM=warp"
  NK_CUDA_GEMM=warp LD_LIBRARY_PATH="$out" "$out/test_c_abi" cuda:0
  if [ -x "$cbuild/test_api" ]; then
    say "C library: test_api with the stand-in as libcuda.so.1"
    LD_LIBRARY_PATH="$out" "$cbuild/test_api" | tail -n 1
  fi
fi

if [ -n "$jar" ]; then
  say "Java: devices"
  LD_LIBRARY_PATH="$out" java -jar "$jar" devices | sed -n '/^cuda/,$p'
  for kernel in tiled warp; do
    say "Java: verify --device cuda:0 --quick (GEMM kernel: $kernel)"
    env $([ "$kernel" = warp ] && echo NK_CUDA_GEMM=warp) LD_LIBRARY_PATH="$out" \
      java -jar "$jar" verify --device cuda:0 --quick --runs 0 | tail -n 1
  done
fi
say "all passed in $((SECONDS - t0)) s"
