#!/usr/bin/env bash
# Proves the GPU pack works before a GPU session spends its minutes on it: packs (bench/gpu-pack.sh),
# carries the pack to a temporary folder as a tar stream (as it travels to the GPU machine), and runs the
# unpacked gpu-run.sh there end to end against the CPU stand-in for libcuda.so.1 (native/cuda-standin):
# the test suite, verify, both GEMM kernels' benchmarks and the step kernels' benchmark, the summary.
# Fails if any step fails or any result the GPU session needs is missing or malformed.
#
#   bench/test-gpu-pack.sh [--no-build] [--keep DIR]
#
#   --no-build  pack the artifacts already built (gpu-pack.sh --no-build) instead of running Maven
#   --keep DIR  work in DIR (pack/, unpacked/, results/, standin/) and leave it there; default: a temporary
#               folder removed at the end unless something failed
# Takes a few minutes on 2 cores (the stand-in is a CPU; its timings mean nothing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pack_args=()
work=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) pack_args+=(--no-build) ;;
    --keep) work="$2"; keep=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test-gpu-pack.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$work" ] || work="$(mktemp -d /tmp/nk-gpu-pack-test.XXXXXX)"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
say() { echo "[test-gpu-pack] $*"; }
fails=()
check() {  # check DESCRIPTION COMMAND...: records a failure instead of stopping
  local what="$1"
  shift
  if "$@"; then say "ok: $what"; else say "FAIL: $what"; fails+=("$what"); fi
}
t0=$SECONDS

say "1. the CPU stand-in for libcuda.so.1 -> $work/standin"
"$root/native/cuda-standin/build.sh" "$work/standin"

say "2. pack -> $work/pack"
rm -rf "$work/pack" "$work/unpacked" "$work/results"
"$root/bench/gpu-pack.sh" ${pack_args[@]+"${pack_args[@]}"} "$work/pack"
size_mib=$(du -sm "$work/pack" | cut -f1)
check "the pack is under 64 MiB ($size_mib MiB)" test "$size_mib" -lt 64
for f in jre/bin/java benchmarks.jar junit-console.jar test-classes gpu-run.sh; do
  check "the pack holds $f" test -e "$work/pack/$f"
done
check "benchmarks.jar holds no CLBlast natives" bash -c "! unzip -l '$work/pack/benchmarks.jar' | grep -iE 'clblast' | grep -qE '\.(so|dll|dylib|jnilib)\$'"
check "benchmarks.jar keeps the classes GemmBenchmark loads" bash -c "unzip -l '$work/pack/benchmarks.jar' | grep -q 'org/neurokernels/bench/ClBlastSgemm.class'"

say "3. carry it (tar) to $work/unpacked, away from this checkout"
mkdir -p "$work/unpacked"
tar -C "$work/pack" -cf - . | tar -C "$work/unpacked" -xf -
rm -rf "$work/pack"

say "4. run the unpacked gpu-run.sh against the stand-in (from a folder outside the checkout)"
set +e
(cd "$work" && env -u OUT "$work/unpacked/gpu-run.sh" --standin "$work/standin" "$work/results") 2>&1 | tee "$work/gpu-run.log"
run_rc=${PIPESTATUS[0]}
set -e
r="$work/results"
check "gpu-run.sh exit status 0 (was $run_rc)" test "$run_rc" = 0
check "devices: cuda:0 is the stand-in" grep -q "cuda:0 .*neurokernels CPU stand-in for CUDA" "$r/devices.txt"
check "tests: the JUnit console ran tests and none failed" \
  bash -c "grep -qE '[1-9][0-9]* tests successful' '$r/tests.txt' && grep -qE '^\[ +0 tests failed' '$r/tests.txt'"
check "tests: JUnit XML report written" bash -c "ls '$r/junit/'*.xml >/dev/null 2>&1"
check "verify: JSON report with cuda:0 cases, all passed" python3 - "$r/verify.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ids = [x["id"] for x in d["devices"]]
cases = [c for c in d["cases"] if c.get("device") == "cuda:0"]
assert "cuda:0" in ids, ids
assert cases, "no cuda:0 cases"
assert d["all_pass"] is True, "verify reported failures"
print("  verify.json: devices %s, %d cuda:0 cases" % (ids, len(cases)))
EOF
check "verify: Markdown report written" test -s "$r/verify.md"
for f in gemm-gpu gemm-gpu-warp dynamics-gpu; do
  check "$f.json: JMH results" python3 - "$r/$f.json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))
assert runs, "no results"
for x in runs:
    assert x["primaryMetric"]["score"] > 0, x["benchmark"]
print("  %s: %d results (%s)" % (sys.argv[1].rsplit("/", 1)[-1], len(runs),
      ", ".join(sorted({"%s n=%s" % (x["params"].get("impl", x["params"].get("op")), x["params"].get("n", x["params"].get("neurons"))) for x in runs}))))
EOF
done
check "summary: labelled as the CPU stand-in" grep -q "CPU stand-in, not a GPU: timings meaningless" "$r/summary.txt"
check "summary: cuBLAS reported absent, not measured" grep -q "cuBLAS: not measured in gemm-gpu (libcublas" "$r/summary.txt"
check "summary: GFLOP/s lines for both kernels at every size" test "$(grep -c '^gemm neurokernels-cuda' "$r/summary.txt")" = 4
check "summary: the GFLOP/s figures come from the score column" python3 - "$r/summary.txt" "$r/gemm-gpu.json" <<'EOF'
import json, re, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("gemm neurokernels-cuda")]
scores = {str(x["params"]["n"]): x["primaryMetric"]["score"] for x in json.load(open(sys.argv[2]))
          if x["params"]["impl"] == "neurokernels-cuda"}
for l in lines[:len(scores)]:
    n, ms = re.search(r"n=(\d+)\s+([0-9.]+) ms", l).groups()
    assert abs(float(ms) - scores[n]) <= 0.0015 + 0.001 * scores[n], (l, scores[n])
EOF

if [ ${#fails[@]} -eq 0 ]; then
  say "the pack runs end to end against the stand-in ($((SECONDS - t0)) s; results in $r)"
  [ "$keep" = 1 ] || rm -rf "$work"
  exit 0
fi
say "${#fails[@]} check(s) failed: ${fails[*]}"
say "everything is kept in $work (gpu-run.log, results/)"
exit 1
