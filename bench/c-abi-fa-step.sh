#!/usr/bin/env bash
# One feedback-alignment training step through the C ABI against the Java API on the same OpenCL device, in
# one run: ROUNDS alternating rounds of (JMH TrainStepBenchmark.step with rule fa, the C benchmark
# bench/c/fa_step.c), the same 784-256-256-10 tanh network, batch 64, batch upload and loss download per
# step. The summary gives the median over rounds of C time / Java time (above 1: the C ABI is slower).
# Writes bench/results/c-abi-fa-step.{txt,json}.
# Needs the benchmarks jar (mvn package) and native/build/fa_step (./neurokernels test, or cmake --build native/build).
# Usage: bench/c-abi-fa-step.sh [ROUNDS] [SELECTOR]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
selector="${2:-opencl:pocl}"
jar=bench/target/benchmarks.jar
cbench=native/build/fa_step
[ -f "$jar" ] || { echo "no $jar: run mvn -B package -DskipTests" >&2; exit 1; }
[ -x "$cbench" ] || { echo "no $cbench: run cmake -S native -B native/build && cmake --build native/build" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out=bench/results/c-abi-fa-step.txt
{
  echo "# FA training step (784-256-256-10 tanh, batch 64), C ABI vs Java API on $selector, $(date -u +%Y-%m-%dT%H:%MZ), $rounds alternating rounds"
  for r in $(seq 1 "$rounds"); do
    java -jar "$jar" 'TrainStepBenchmark.step$' -p rule=fa -p "device=$selector" -f 1 -wi 2 -i 3 -w 1 -r 1 -tu us \
      -rf json -rff "$tmp/java-$r.json" >/dev/null
    "$cbench" "$selector" > "$tmp/c-$r.txt"
    echo "round $r: Java $(python3 -c "import json,sys; print('%.1f' % json.load(open(sys.argv[1]))[0]['primaryMetric']['score'])" "$tmp/java-$r.json") us, C $(cut -d' ' -f2 "$tmp/c-$r.txt") us"
  done
  python3 - "$tmp" "$rounds" bench/results/c-abi-fa-step.json <<'PY'
import json, statistics, sys
tmp, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for r in range(1, rounds + 1):
    java = json.load(open(f"{tmp}/java-{r}.json"))[0]["primaryMetric"]["score"]
    c = float(open(f"{tmp}/c-{r}.txt").read().split()[1])
    rows.append({"round": r, "c_us": c, "java_us": java, "ratio": c / java})
median = statistics.median(x["ratio"] for x in rows)
json.dump({"rounds": rounds, "per_round": rows, "median_ratio_c_over_java": median}, open(out, "w"), indent=1)
print("## summary: median C time %.1f us, Java time %.1f us per step; median of the rounds' C/Java ratios %.2f (C throughput %.2fx Java's)"
      % (statistics.median(x["c_us"] for x in rows), statistics.median(x["java_us"] for x in rows), median, 1 / median))
PY
} | tee "$out"
