#!/usr/bin/env bash
# Builds the consumer against an installed neurokernels in the two ways C and C++ users do, and runs it:
#   (a) CMake: find_package(neurokernels) with -DCMAKE_PREFIX_PATH=PREFIX (C, and C++ when c++ exists)
#   (b) pkg-config: cc consumer.c $(pkg-config --cflags --libs neurokernels), PKG_CONFIG_PATH into PREFIX
# Each binary must load libneurokernels from PREFIX (checked with ldd) and pass its GEMM check.
#
#   cmake --install native/build --prefix PREFIX
#   examples/c-consumer/run.sh PREFIX [SELECTOR]        SELECTOR defaults to opencl:pocl
#
# Needs cmake, a C compiler (cc) and pkg-config (Debian: cmake gcc pkgconf), besides the packages
# ./neurokernels setup installs; the C++ build runs when c++ is installed too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() { echo "[c-consumer] FAILED: $*" >&2; exit 1; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 PREFIX [SELECTOR]   (PREFIX as given to cmake --install native/build --prefix PREFIX)" >&2
  exit 2
fi
[ -d "$1" ] || fail "no install prefix $1"
prefix="$(cd "$1" && pwd -P)"
selector="${2:-opencl:pocl}"

for tool in cmake cc pkg-config ldd; do
  command -v "$tool" >/dev/null || fail "$tool not found (Debian packages: cmake gcc pkgconf libc-bin)"
done
[ -f "$prefix/include/neurokernels.h" ] || fail "$prefix/include/neurokernels.h is missing: run cmake --install native/build --prefix $prefix first"
pc="$(find "$prefix" -path '*/pkgconfig/neurokernels.pc' -print -quit)"
[ -n "$pc" ] || fail "no pkgconfig/neurokernels.pc under $prefix"
config="$(find "$prefix" -path '*/cmake/neurokernels/neurokernelsConfig.cmake' -print -quit)"
[ -n "$config" ] || fail "no cmake/neurokernels/neurokernelsConfig.cmake under $prefix"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# the libneurokernels a binary loads (in the current environment) must be the one under the prefix
check_loads_prefix() {
  local lib
  lib="$(ldd "$1" | awk '/libneurokernels/ { print $3 }')"
  [ -n "$lib" ] && [ -e "$lib" ] || fail "$(basename "$1") finds no libneurokernels: $(ldd "$1" | grep libneurokernels || true)"
  lib="$(readlink -f "$lib")"
  case "$lib" in
    "$prefix"/*) echo "[c-consumer]   $(basename "$1") loads $lib" ;;
    *) fail "$(basename "$1") loads $lib, not the library under $prefix" ;;
  esac
}

run() {
  echo "[c-consumer]   \$ $(basename "$1") $selector"
  local status=0
  "$1" "$selector" || status=$?
  [ "$status" -eq 0 ] || fail "$(basename "$1") $selector exited with status $status"
}

echo "[c-consumer] (a) CMake: find_package(neurokernels) with CMAKE_PREFIX_PATH=$prefix"
if ! cmake -S "$here" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" 2>&1; then
  cat "$work/configure.log" >&2
  fail "cmake could not configure the consumer against $prefix"
fi
grep "neurokernels .* from" "$work/configure.log" | sed 's/^-- /[c-consumer]   /'
found="$(sed -n 's/^neurokernels_DIR:PATH=//p' "$work/cmake/CMakeCache.txt")"
case "$(cd "$found" && pwd -P)" in
  "$prefix"/*) ;;
  *) fail "find_package(neurokernels) used $found, not the package under $prefix" ;;
esac
if ! cmake --build "$work/cmake" -j 1 >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  fail "the CMake build of the consumer failed"
fi
# CMake's build tree links with a run path to the imported library: no LD_LIBRARY_PATH needed
(
  unset LD_LIBRARY_PATH
  check_loads_prefix "$work/cmake/consumer"
  run "$work/cmake/consumer"
  if [ -x "$work/cmake/consumer_cxx" ]; then
    check_loads_prefix "$work/cmake/consumer_cxx"
    run "$work/cmake/consumer_cxx"
  else
    echo "[c-consumer]   no C++ compiler: consumer_cxx skipped"
  fi
)

echo "[c-consumer] (b) pkg-config: PKG_CONFIG_PATH=$(dirname "$pc")"
export PKG_CONFIG_PATH="$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags="$(pkg-config --cflags --libs neurokernels)" || fail "pkg-config --cflags --libs neurokernels failed"
libdir="$(pkg-config --variable=libdir neurokernels)"
echo "[c-consumer]   neurokernels $(pkg-config --modversion neurokernels): $flags"
# shellcheck disable=SC2086
cc -std=c11 -O2 -Wall -Wextra -Werror -o "$work/consumer-pc" "$here/consumer.c" $flags -lm || fail "cc consumer.c \$(pkg-config --cflags --libs neurokernels) failed"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
check_loads_prefix "$work/consumer-pc"
run "$work/consumer-pc"
if command -v c++ >/dev/null; then
  # shellcheck disable=SC2086
  c++ -std=c++11 -O2 -Wall -Wextra -Werror -o "$work/consumer-pc-cxx" "$here/consumer.cpp" $flags || fail "c++ consumer.cpp \$(pkg-config --cflags --libs neurokernels) failed"
  check_loads_prefix "$work/consumer-pc-cxx"
  run "$work/consumer-pc-cxx"
fi

echo "[c-consumer] OK: the consumer built with CMake and with pkg-config against $prefix and passed on $selector"
