#!/usr/bin/env bash
# Compiles kernels-cuda/neurokernels.cu, which includes the portable OpenCL C kernels of kernels-opencl/,
# into OUTDIR/neurokernels.fatbin (and neurokernels-fastmath.fatbin, the same with --use_fast_math, used
# only by verify --fast-math): sm_90 machine code (H100/H200) plus compute_75 PTX that the driver
# JIT-compiles for any other GPU from Turing on. Warnings are errors; ptxas prints its resource report
# (registers, spills, shared memory) for every kernel.
# Without nvcc the build goes on and the cuda backend reports "kernels not compiled",
# unless NK_REQUIRE_NVCC=1 or true (CI sets it), which makes a missing nvcc an error.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUTDIR}"
nvcc=""
for c in "${CUDA_HOME:-}/bin/nvcc" /usr/local/cuda/bin/nvcc "$(command -v nvcc 2>/dev/null || true)"; do
  if [ -n "$c" ] && [ -x "$c" ]; then nvcc="$c"; break; fi
done
mkdir -p "$out"
if [ -z "$nvcc" ]; then
  echo "[neurokernels] nvcc not found (looked in \$CUDA_HOME, /usr/local/cuda, PATH): CUDA kernels not compiled"
  rm -f "$out/neurokernels.fatbin"
  if [ "${NK_REQUIRE_NVCC:-0}" = "1" ] || [ "${NK_REQUIRE_NVCC:-}" = "true" ]; then echo "[neurokernels] NK_REQUIRE_NVCC is set: failing" >&2; exit 1; fi
  exit 0
fi
stamp="$out/neurokernels.fatbin"
# inputs: this folder and the OpenCL C sources that neurokernels.cu includes (kernels-opencl/*.cl)
if [ -f "$stamp" ] && [ -z "$(find "$here" "$here/../kernels-opencl" -maxdepth 1 -newer "$stamp" \( -name '*.cu' -o -name '*.cuh' -o -name '*.cl' -o -name build.sh \) -print -quit)" ]; then
  echo "[neurokernels] CUDA kernels up to date: $stamp"
  exit 0
fi
echo "[neurokernels] $("$nvcc" --version | tail -n 1)"
compile() { # OUTPUT EXTRA_FLAGS...
  local target="$1"; shift
  "$nvcc" -fatbin -std=c++17 -O3 \
    -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_75,code=compute_75 \
    -Werror all-warnings "$@" -I "$here" -o "$target" "$here/neurokernels.cu" 2>&1 | sed 's/^/[nvcc] /'
  echo "[neurokernels] wrote $target ($(stat -c %s "$target") bytes)"
}
# the fast-math variant first, so the stamp (the accurate fatbin) is newest
# (spills are only reported there: that variant exists for the fast-math comparison, not for speed)
log="$(mktemp)"
if ! compile "$out/neurokernels-fastmath.fatbin" --use_fast_math > "$log" 2>&1; then
  cat "$log" >&2; exit 1
fi
tail -n 1 "$log"; rm -f "$log"
# NK_PTXAS_REPORT=0 (the launcher's quick build) keeps spill warnings but drops the per-kernel report
if [ "${NK_PTXAS_REPORT:-1}" = "0" ]; then
  compile "$stamp" -Xptxas -warn-spills,-warn-lmem-usage
else
  compile "$stamp" -Xptxas -v,-warn-spills,-warn-lmem-usage
fi
