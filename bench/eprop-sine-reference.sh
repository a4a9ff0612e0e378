#!/usr/bin/env bash
# The e-prop paper's pattern-generation task (1000 steps, 100 inputs, 100 units, batch 1) at full size on
# the pure-Java reference in double (org.neurokernels.learning.recurrent.SineWaveReference, test scope):
# the LIF network with BPTT, e-prop and random e-prop, and the rate network with BPTT and RFLO, each with
# Adam for ITERATIONS iterations (default 2000, as the paper), two runs at a time. Writes one JSON line
# per 100 iterations per run to OUT (default target/eprop-sine-reference.jsonl) and prints the final NMSEs.
#
#   bench/eprop-sine-reference.sh [ITERATIONS] [SEED] [OUT]      (needs: mvn -pl java test-compile)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
iterations="${1:-2000}"
seed="${2:-1}"
out="${3:-$root/target/eprop-sine-reference.jsonl}"
cp="$root/java/target/classes:$root/java/target/test-classes"
[ -f "$root/java/target/test-classes/org/neurokernels/learning/recurrent/SineWaveReference.class" ] \
  || { echo "eprop-sine-reference.sh: build the test classes first: mvn -pl java test-compile" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
runs=("lif bptt" "lif eprop" "lif eprop-random" "rate bptt" "rate rflo")
i=0
for r in "${runs[@]}"; do
  # shellcheck disable=SC2086
  java -cp "$cp" org.neurokernels.learning.recurrent.SineWaveReference $r adam 0.001 "$iterations" "$seed" > "$tmp/$i.jsonl" &
  i=$((i + 1))
  if (( i % 2 == 0 )); then wait; fi
done
wait
cat "$tmp"/*.jsonl > "$out.part"
mv "$out.part" "$out"
python3 - "$out" <<'PY'
import json, sys
last = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    last[(r["network"], r["rule"])] = r
for (net, rule), r in last.items():
    print("%-5s %-13s Adam lr %g, seed %d: NMSE %.4f after %d iterations (%.0f s)" % (net, rule, r["lr"], r["seed"], r["nmse"], r["iteration"], r["seconds"]))
PY
