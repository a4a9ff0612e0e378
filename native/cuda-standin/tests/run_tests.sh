#!/usr/bin/env bash
# Every check of the CUDA stand-in in one go, for CI or by hand:
#
#   native/cuda-standin/tests/run_tests.sh OUTDIR [--c-build DIR] [--jar JAR] [--asan]
#
#  1. builds OUTDIR/libcuda.so.1 (build.sh) and runs test_runtime and test_kernels;
#     with --asan also OUTDIR-asan: the same under AddressSanitizer + UBSan, and asan_catches, which must
#     die with ASan's report for an out-of-bounds global and dynamic shared memory access;
#  2. with --c-build DIR (a CMake build of native/ with nvcc, so that the library embeds a fatbin): the C
#     library's test_api and tests/test_c_abi.c on cuda:0 through the stand-in;
#  3. with --jar JAR (the CLI jar, java/target/neurokernels-*-cli.jar): `devices` and
#     `verify --device cuda:0 --quick` through JCuda and the stand-in.
# Exit status 0 when everything passed. NK_STANDIN_THREADS limits the worker threads (default: all CPUs).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="" cbuild="" jar="" asan=0
while [ $# -gt 0 ]; do
  case "$1" in
    --c-build) cbuild="$(cd "$2" && pwd)"; shift ;;
    --jar) jar="$2"; shift ;;
    --asan) asan=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) out="$1" ;;
  esac
  shift
done
[ -n "$out" ] || { echo "usage: run_tests.sh OUTDIR [--c-build DIR] [--jar JAR] [--asan]" >&2; exit 2; }
say() { echo "[cuda-standin tests] $*"; }
t0=$SECONDS

"$here/build.sh" "$out" --test
out="$(cd "$out" && pwd)"
if [ "$asan" = 1 ]; then
  "$here/build.sh" "$out-asan" --asan --test
  cc -std=c11 -g -fsanitize=address,undefined -o "$out-asan/asan_catches" "$here/tests/asan_catches.c" "$out-asan/libcuda.so.1"
  for mode in global shared; do
    if LD_LIBRARY_PATH="$out-asan" "$out-asan/asan_catches" "$mode" > "$out-asan/asan_catches.$mode.log" 2>&1 \
       || ! grep -q "ERROR: AddressSanitizer" "$out-asan/asan_catches.$mode.log"; then
      say "FAIL: the ASan build did not catch the out-of-bounds $mode access (log: $out-asan/asan_catches.$mode.log)"
      exit 1
    fi
    say "ASan caught the out-of-bounds $mode access: $(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$out-asan/asan_catches.$mode.log")"
  done
fi

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
