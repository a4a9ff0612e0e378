#!/usr/bin/env bash
# Regenerates the conformance reports of the CUDA backend on the CPU stand-in for libcuda.so.1
# (native/cuda-standin): `verify --device cuda:0` over the full case set, once with the tiled GEMM kernel
# (nk_gemm, the default) and once with the warp-tiled one (nk_gemm_warp, NK_CUDA_GEMM=warp), into
#   bench/conformance/cuda-standin.{md,json}        and   bench/conformance/cuda-standin-warp.{md,json}
# Each report is headed by a note that cuda:0 is the CPU stand-in and not a GPU. `--runs 0`: no timings
# (a CPU's times say nothing about a GPU; the time columns read NaN).
#
#   bench/conformance/cuda-standin.sh [SEED]     (default 20261130; needs the CLI jar: mvn package)
# The stand-in is built in $NK_STANDIN_DIR (default target/cuda-standin, where ./neurokernels test puts it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seed="${1:-20261130}"
here="$root/bench/conformance"
standin="${NK_STANDIN_DIR:-$root/target/cuda-standin}"  # where the stand-in is built (./neurokernels test builds it there too)
jar="$(ls "$root"/java/target/neurokernels-*-cli.jar 2>/dev/null | head -n 1)"
[ -n "$jar" ] || { echo "cuda-standin.sh: no java/target/neurokernels-*-cli.jar (mvn -pl java -am package -DskipTests)" >&2; exit 1; }
"$root/native/cuda-standin/build.sh" "$standin"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for kernel in tiled warp; do
  if [ "$kernel" = warp ]; then
    name=cuda-standin-warp gemm_env=(NK_CUDA_GEMM=warp) want=nk_gemm_warp other=nk_gemm
    kernel_text='`nk_gemm_warp` (warp-tiled, selected with `NK_CUDA_GEMM=warp`)'
  else
    name=cuda-standin gemm_env=() want=nk_gemm other=nk_gemm_warp
    kernel_text='`nk_gemm` (tiled, the default)'
  fi
  # the GEMM kernel really launched (the device's identity does not name it): the stand-in's launch trace
  launched="$(env ${gemm_env[@]+"${gemm_env[@]}"} NK_STANDIN_TRACE=1 LD_LIBRARY_PATH="$standin" java -jar "$jar" verify --device cuda:0 \
              --quick --runs 0 --seed "$seed" --op gemm 2>&1 | grep -oE "launch nk_gemm[a-z_]*" | sort | uniq -c)"
  echo "$launched" | grep -q " launch $want\$" && ! echo "$launched" | grep -q " launch $other\$" \
    || { echo "cuda-standin.sh: expected launches of $want only, saw: $launched" >&2; exit 1; }
  echo "[conformance] $name: verify --device cuda:0, GEMM kernel $want, seed $seed"
  env ${gemm_env[@]+"${gemm_env[@]}"} LD_LIBRARY_PATH="$standin" java -jar "$jar" verify --device cuda:0 --runs 0 --seed "$seed" \
    --json "$tmp/$name.json" --markdown "$tmp/$name.md" | tail -n 1
  python3 - "$tmp/$name" "$here/$name" "$kernel_text" "$want" <<'EOF'
import json, sys
src, dst, kernel_text, kernel = sys.argv[1:5]
note_md = f"""> **cuda:0 in this report is not a GPU.** It is the neurokernels CPU stand-in for the CUDA driver
> ([`native/cuda-standin`](../../native/cuda-standin/README.md)): a `libcuda.so.1` that runs the kernels of
> `kernels-cuda/`, compiled by g++, on the CPU. The report shows that the CUDA backend's host code, its
> launches and the kernels' logic pass every case against the java reference, with the GEMM kernel
> {kernel_text}.
> It says nothing about nvcc's code generation, a GPU's math functions (these are glibc's, hence the
> probes), speed, or the "NVIDIA Corporation" and driver version the device reports (what the stand-in
> answers to the driver API). Run with `--runs 0`: no timings, hence NaN in the time columns.
> Regenerate with `bench/conformance/cuda-standin.sh`.
"""
md = open(src + ".md").read().split("\n", 1)
assert md[0].startswith("# "), md[0]
open(dst + ".md", "w").write(md[0] + "\n\n" + note_md + md[1])
report = json.load(open(src + ".json"))
assert report["all_pass"] is True and any(c["device"] == "cuda:0" for c in report["cases"])
out = {"note": "cuda:0 is the neurokernels CPU stand-in for the CUDA driver (native/cuda-standin), not a GPU: "
               "kernels-cuda/ compiled by g++ and run on the CPU; no timings (--runs 0)",
       "cuda_gemm_kernel": kernel}
out.update(report)
with open(dst + ".json", "w") as f:
    json.dump(out, f, indent=2, allow_nan=True)
    f.write("\n")
EOF
done
echo "[conformance] wrote $here/cuda-standin.{md,json} and $here/cuda-standin-warp.{md,json}"
