#!/usr/bin/env bash
# Builds the CPU stand-in for the CUDA driver: OUTDIR/libcuda.so.1, with g++ only (no CMake, no nvcc).
#
#   native/cuda-standin/build.sh OUTDIR [--asan | --tsan | --racecheck] [--test]
#
#   --asan       AddressSanitizer + UndefinedBehaviorSanitizer build (use its own OUTDIR); the host process
#                must load libasan first (an ASan executable, or LD_PRELOAD=$(g++ -print-file-name=libasan.so))
#   --tsan       ThreadSanitizer build (its own OUTDIR): races between blocks that run on different worker
#                threads, and in the pool and driver; the host must load libtsan first (a TSan executable)
#   --racecheck  the stand-in's own race checker (its own OUTDIR; racecheck.cpp): races between the threads
#                of a block (no __syncthreads() between two accesses) and between blocks, in shared and
#                global memory, deterministically; a launch with a race fails. Any host can load it.
#   --test       also builds and runs OUTDIR/test_runtime (the scheduler on kernels of its own: barriers,
#                atomics, dynamic shared memory), OUTDIR/test_kernels (kernels-cuda/ through the driver API;
#                under the build's checker, which must find nothing) and tests/catch_tests.sh (the kernels
#                of tests/broken_kernels.cpp, which the build's checker must catch)
#
# Then run anything that uses the CUDA driver with LD_LIBRARY_PATH=OUTDIR, e.g.
#   LD_LIBRARY_PATH=OUTDIR java -jar java/target/neurokernels-*-cli.jar devices
# Environment: CXX, CC (compilers), NK_STANDIN_KERNEL_FLAGS (extra flags for the kernels; unset: -mfma
# when this x86-64 machine has FMA, which is faster and contracts a*b+c into fma as nvcc does by default;
# set it empty for a build that runs on any x86-64).
# The build is skipped when OUTDIR/libcuda.so.1 is newer than every input.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kernels="$(cd "$here/../../kernels-cuda" && pwd)"
out=""
mode=plain
test=0
for a in "$@"; do
  case "$a" in
    --asan|--tsan|--racecheck)
      [ "$mode" = plain ] || { echo "build.sh: one of --asan, --tsan, --racecheck" >&2; exit 2; }
      mode="${a#--}" ;;
    --test) test=1 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build.sh: unknown option $a" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "build.sh: one OUTDIR only" >&2; exit 2; }; out="$a" ;;
  esac
done
[ -n "$out" ] || { echo "usage: build.sh OUTDIR [--asan | --tsan | --racecheck] [--test]" >&2; exit 2; }
asan=0
[ "$mode" = asan ] && asan=1
mkdir -p "$out/gen" "$out/obj"
out="$(cd "$out" && pwd)"
CXX="${CXX:-g++}"
CC="${CC:-gcc}"
say() { echo "[cuda-standin] $*"; }

common=(-O2 -g -fPIC -fvisibility=hidden -Wall -Wextra)
# sanitizer flags for everything of the library and of the tests that share its objects
case "$mode" in
  asan) san=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined) ;;
  tsan) san=(-fsanitize=thread) ;;
  *) san=() ;;
esac
common+=("${san[@]}")
cxxflags=(-std=c++17 "${common[@]}" -I "$here" -I "$out/gen")
# the race checker: every object knows (NK_RACECHECK); only kernel code gets GCC's ThreadSanitizer
# instrumentation, whose __tsan_* calls racecheck.cpp answers (ThreadSanitizer's runtime is not linked)
kernelinstr=()
if [ "$mode" = racecheck ]; then
  cxxflags+=(-DNK_RACECHECK=1)
  kernelinstr=(-fsanitize=thread)
fi
# the kernels: contraction of a*b+c into fma like nvcc's default --fmad=true (where the CPU has an fma
# instruction for it); the kernel sources' #pragma unroll means nothing to g++; their float4 casts of
# float arrays are CUDA practice, so no strict-aliasing assumptions
kernelflags=(-ffp-contract=fast -Wno-unknown-pragmas -fno-strict-aliasing -I "$kernels")
if [ -z "${NK_STANDIN_KERNEL_FLAGS+set}" ]; then
  NK_STANDIN_KERNEL_FLAGS=""
  if [ "$(uname -m)" = x86_64 ] && grep -qw fma /proc/cpuinfo 2>/dev/null; then NK_STANDIN_KERNEL_FLAGS="-mfma"; fi
fi
# shellcheck disable=SC2206
extra=(${NK_STANDIN_KERNEL_FLAGS})
lib="$out/libcuda.so.1"
objs=("$out"/obj/{kernels,runtime,driver,stubs}.o)
[ "$mode" = racecheck ] && objs+=("$out/obj/racecheck.o")

# newer inputs: this folder's sources, and every file neurokernels.cu included last time (gen/scan.d, the
# preprocessor's dependency list, so kernels that come from kernels-opencl/ or anywhere else are covered)
inputs_newer() {
  [ -f "$lib" ] && [ -f "$out/gen/scan.d" ] || return 0
  [ -n "$(find "$here" -newer "$lib" -type f \( -name '*.h' -o -name '*.cpp' -o -name '*.c' -o -name '*.pl' -o -name '*.txt' \
          -o -name '*.map' -o -name build.sh \) -not -path "$out/*" -print -quit)" ] && return 0
  local f
  while read -r f; do
    [ -e "$f" ] || return 0
    [ "$f" -nt "$lib" ] && return 0
  done < <(sed -e 's/^[^:]*://' -e 's/\\$//' "$out/gen/scan.d" | tr -s ' \t' '\n\n' | sed '/^$/d')
  return 1
}

if inputs_newer || [ "$(cat "$out/flags" 2>/dev/null)" != "$mode $NK_STANDIN_KERNEL_FLAGS" ]; then
  # 1. the kernel table: preprocess neurokernels.cu with the CUDA keywords as markers, then scan it
  "$CXX" -std=c++17 -x c++ -E -P -DNK_CUDA_CPU_SCAN -include "$here/cuda_cpu.h" -I "$kernels" "$kernels/neurokernels.cu" -o "$out/gen/scan.ii" \
    -MD -MF "$out/gen/scan.d" -MT scan.ii
  perl "$here/tools/gen_kernel_table.pl" "$out/gen/scan.ii" "$out/gen/nk_kernels.inc"
  say "$(sed -n 2p "$out/gen/nk_kernels.inc" | sed 's|^// ||')"
  # 2. the stubs: one NK_STUB(name) per symbol JCuda's JNI library links
  sed -e '/^#/d' -e '/^[[:space:]]*$/d' -e 's/.*/NK_STUB(&)/' "$here/jcuda_driver_symbols.txt" > "$out/gen/nk_stubs.inc"
  # 3. compile (two at a time) and link
  pids=()
  rm -f "$out/obj/racecheck.o"
  "$CXX" "${cxxflags[@]}" "${kernelflags[@]}" "${kernelinstr[@]}" "${extra[@]}" -c "$here/kernels.cpp" -o "$out/obj/kernels.o" & pids+=($!)
  "$CXX" "${cxxflags[@]}" -c "$here/runtime.cpp" -o "$out/obj/runtime.o" & pids+=($!)
  for p in "${pids[@]}"; do wait "$p"; done
  pids=()
  "$CXX" "${cxxflags[@]}" -c "$here/driver.cpp" -o "$out/obj/driver.o" & pids+=($!)
  "$CC" -std=c11 "${common[@]}" -I "$out/gen" -c "$here/stubs.c" -o "$out/obj/stubs.o" & pids+=($!)
  if [ "$mode" = racecheck ]; then
    "$CXX" "${cxxflags[@]}" -c "$here/racecheck.cpp" -o "$out/obj/racecheck.o" & pids+=($!)
  fi
  for p in "${pids[@]}"; do wait "$p"; done
  linkflags=(-shared -Wl,-soname,libcuda.so.1 -Wl,--version-script="$here/exports.map" -Wl,-z,nodelete)
  # with ASan or TSan the sanitizer runtime comes from the host process, so undefined symbols are expected
  case "$mode" in
    asan|tsan) linkflags+=("${san[@]}") ;;
    *) linkflags+=(-Wl,--no-undefined) ;;
  esac
  "$CXX" "${linkflags[@]}" -o "$lib.tmp" "${objs[@]}" -lpthread -lm -ldl
  # 4. checks: every symbol JCuda links is exported, nothing but cu* is, and every kernel is in the table
  missing="$(comm -23 <(grep -v '^#' "$here/jcuda_driver_symbols.txt" | sort -u) <(nm -D --defined-only "$lib.tmp" | awk '{print $3}' | sort -u))"
  [ -z "$missing" ] || { echo "build.sh: libcuda.so.1 lacks: $missing" >&2; exit 1; }
  others="$(nm -D --defined-only "$lib.tmp" | awk '$3 !~ /^cu/ {print $3}')"
  [ -z "$others" ] || { echo "build.sh: libcuda.so.1 exports more than cu*: $others" >&2; exit 1; }
  # an unmangled function defined in the kernels' object is an extern "C" kernel; the table must have it
  untabled="$(comm -23 <(nm --defined-only "$out/obj/kernels.o" | awk '$2 == "T" && $3 !~ /^_Z/ {print $3}' | sort -u) \
                       <(sed -n 's/^NK_KERNEL(\([A-Za-z_0-9]*\),.*/\1/p' "$out/gen/nk_kernels.inc" | sort -u))"
  [ -z "$untabled" ] || { echo "build.sh: extern \"C\" functions of kernels-cuda/ the table generator missed: $untabled" >&2; exit 1; }
  mv "$lib.tmp" "$lib"
  echo "$mode $NK_STANDIN_KERNEL_FLAGS" > "$out/flags"
  case "$mode" in asan) what=", ASan+UBSan" ;; tsan) what=", ThreadSanitizer" ;; racecheck) what=", race checker" ;; *) what="" ;; esac
  say "wrote $lib ($(stat -c %s "$lib") bytes$what${NK_STANDIN_KERNEL_FLAGS:+, kernels with $NK_STANDIN_KERNEL_FLAGS})"
else
  say "$lib is up to date"
fi

if [ "$test" = 1 ]; then
  testflags=(-std=c11 -O1 -g -D_POSIX_C_SOURCE=200809L -Wall -Wextra "${san[@]}")
  rtflags=(-std=c++17 -O2 -g -Wall -Wextra -Wno-unknown-pragmas -I "$here" "${san[@]}")
  [ "$asan" = 1 ] && rtflags+=(-O1)
  if [ "$mode" = racecheck ]; then
    # the test's kernels instrumented, the runtime and the checker not (as in the library)
    "$CXX" "${rtflags[@]}" -DNK_RACECHECK=1 -fsanitize=thread -c "$here/tests/test_runtime.cpp" -o "$out/obj/test_runtime.o"
    "$CXX" "${rtflags[@]}" -DNK_RACECHECK=1 -o "$out/test_runtime" "$out/obj/test_runtime.o" "$here/runtime.cpp" "$here/racecheck.cpp" -lpthread -ldl
  else
    "$CXX" "${rtflags[@]}" -o "$out/test_runtime" "$here/tests/test_runtime.cpp" "$here/runtime.cpp" -lpthread
  fi
  say "running $out/test_runtime"
  "$out/test_runtime"
  "$CC" "${testflags[@]}" -o "$out/test_kernels" "$here/tests/test_kernels.c" "$lib" -lm
  say "running $out/test_kernels"
  LD_LIBRARY_PATH="$out${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$out/test_kernels"
  # the broken kernels: linked from the library's objects, compiled like kernels.cpp
  "$CXX" "${cxxflags[@]}" "${kernelinstr[@]}" -Wno-unknown-pragmas -c "$here/tests/broken_kernels.cpp" -o "$out/obj/broken_kernels.o"
  "$CXX" "${san[@]}" -o "$out/broken_kernels" "$out/obj/broken_kernels.o" "${objs[@]}" -lpthread -lm -ldl
  "$here/tests/catch_tests.sh" "$out" "$mode"
fi
