#!/usr/bin/env bash
# GEMM through the C ABI against the Java API on the same OpenCL device, in one run: ROUNDS alternating
# rounds of (the JMH GEMM benchmarks for neurokernels-opencl, the C benchmark bench/c/gemm_speed.c), each
# timing one GEMM plus the wait for it per operation at n = 256 and 1024 and the eight training shapes of
# GemmShapesBenchmark. The summary gives, per shape, the median over rounds of C time / Java time (above 1:
# the C ABI is slower). Writes bench/results/c-abi-gemm.{txt,json}.
# Needs the benchmarks jar (mvn package) and the C library with its benchmark built (./neurokernels test,
# or cmake -S native -B native/build && cmake --build native/build).
# Usage: bench/c-abi-speed.sh [ROUNDS] [SELECTOR]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
selector="${2:-opencl:pocl}"
jar=bench/target/benchmarks.jar
cbench=native/build/gemm_speed
[ -f "$jar" ] || { echo "no $jar: run mvn -B package -DskipTests" >&2; exit 1; }
[ -x "$cbench" ] || { echo "no $cbench: run cmake -S native -B native/build && cmake --build native/build" >&2; exit 1; }
shapes=("64x784x256 NT" "64x256x256 NT" "64x256x10 NT" "64x10x256 NN" "64x256x256 NN" "10x64x256 TN" "256x64x256 TN" "256x64x784 TN")
cshapes=("256x256x256:NN" "1024x1024x1024:NN")
jshapes=""
for s in "${shapes[@]}"; do cshapes+=("${s/ /:}"); jshapes="${jshapes:+$jshapes,}$s"; done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out=bench/results/c-abi-gemm.txt
{
  echo "# GEMM, C ABI vs Java API on $selector, $(date -u +%Y-%m-%dT%H:%MZ), $rounds alternating rounds, one GEMM + wait per operation"
  for r in $(seq 1 "$rounds"); do
    echo "## round $r: Java API (JMH GemmBenchmark n=256,1024 and GemmShapesBenchmark.gemm)"
    java -jar "$jar" 'GemmBenchmark.gemm$' -p impl=neurokernels-opencl -p n=256,1024 -jvmArgsAppend "-Dnk.opencl=$selector" \
      -f 1 -wi 2 -i 3 -w 1 -r 1 -tu us -rf json -rff "$tmp/java-square-$r.json" >/dev/null
    java -jar "$jar" 'GemmShapesBenchmark.gemm$' -p impl=neurokernels-opencl -p "shape=$jshapes" -jvmArgsAppend "-Dnk.opencl=$selector" \
      -f 1 -wi 2 -i 3 -w 1 -r 1 -tu us -rf json -rff "$tmp/java-shapes-$r.json" >/dev/null
    echo "## round $r: C ABI (bench/c/gemm_speed.c)"
    "$cbench" "$selector" "${cshapes[@]}" | tee "$tmp/c-$r.txt"
  done
  python3 - "$tmp" "$rounds" bench/results/c-abi-gemm.json <<'PY'
import json, statistics, sys
tmp, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def key_java(b):
    p = b["params"]
    if "n" in p:
        return "%sx%sx%s:NN" % (p["n"], p["n"], p["n"])
    dims, op = p["shape"].split(" ")
    return dims + ":" + op
rows = {}
for r in range(1, rounds + 1):
    java = {}
    for f in ("square", "shapes"):
        for b in json.load(open(f"{tmp}/java-{f}-{r}.json")):
            java[key_java(b)] = b["primaryMetric"]["score"]
    for line in open(f"{tmp}/c-{r}.txt"):
        shape, us, _ = line.split()
        rows.setdefault(shape, []).append({"round": r, "c_us": float(us), "java_us": java[shape], "ratio": float(us) / java[shape]})
summary = {"rounds": rounds, "shapes": {s: {"per_round": v, "median_ratio_c_over_java": statistics.median(x["ratio"] for x in v)} for s, v in rows.items()}}
json.dump(summary, open(out, "w"), indent=1)
print("## summary: microseconds per GEMM (median over rounds); ratio = C time / Java time, median of the rounds' ratios")
print("%-18s %12s %12s %8s" % ("shape", "C ABI", "Java API", "ratio"))
for s, v in rows.items():
    print("%-18s %12.1f %12.1f %8.2f" % (s, statistics.median(x["c_us"] for x in v), statistics.median(x["java_us"] for x in v),
                                           summary["shapes"][s]["median_ratio_c_over_java"]))
PY
} | tee "$out"
