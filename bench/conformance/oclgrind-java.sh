#!/usr/bin/env bash
# Regenerates the conformance report of the Java API on Oclgrind (the OpenCL simulator):
# `verify --device opencl:oclgrind --cases simulator`, every op, with Oclgrind as the only OpenCL platform
# (an ICD file of our own) and its race, uniform-write and API checks on, into
#   bench/conformance/oclgrind-java.{md,json}
# Any diagnostic (anything on stderr besides the CLI's own "verifying ..." line) fails the script and
# leaves the committed reports as they were. `--runs 0`: no timings (a simulator's times say nothing).
#
#   bench/conformance/oclgrind-java.sh [SEED]     (default 20261130)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seed="${1:-20261130}"
here="$root/bench/conformance"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"
./neurokernels ops >/dev/null    # builds the CLI first when a source is newer than the jar
sh native/tests/under_oclgrind.sh sh -c \
  './neurokernels verify --device opencl:oclgrind --cases simulator --runs 0 --no-probes --seed "$1" --json "$0/r.json" --markdown "$0/r.md" > "$0/table" 2> "$0/err"; rc=$?; grep -v "^verifying " "$0/err" >&2; exit $rc' \
  "$tmp" "$seed"
cat "$tmp/table"
{
  echo "# Conformance of the Java API on Oclgrind (the OpenCL simulator), simulator case set"
  echo
  echo "Device: Oclgrind 21.10 (Debian \`oclgrind\`), the only OpenCL platform (an ICD file of the run's own), with its"
  echo "data-race (\`OCLGRIND_DATA_RACES\`), uniform-write and API checks and its always-on bounds and barrier-divergence"
  echo "checks; any diagnostic fails the run (\`bench/conformance/oclgrind-java.sh\`, as CI runs it). Oclgrind is a GPU-type"
  echo "device, so the Java host picks its GPU configuration (TILED GEMM) and the GPU kernel families. The simulator case"
  echo "set (\`Op.simulatorCases\`, \`verify --cases simulator\`) keeps each op's quick cases whose largest tensor has at most"
  echo "25,000 elements, and the smallest case of every parameter combination: GEMM in all four transposes up to"
  echo "65 x 63 x 129 and 3 x 1000 x 2, elementwise ops up to 65 x 63 and 3 x 1000. The C library's own run on Oclgrind"
  echo "is \`oclgrind.md\`. Times are not measured (\`--runs 0\`)."
  echo
  cat "$tmp/r.md"
} > "$tmp/oclgrind-java.md"
mv "$tmp/oclgrind-java.md" "$here/oclgrind-java.md"
mv "$tmp/r.json" "$here/oclgrind-java.json"
echo "wrote $here/oclgrind-java.md and .json"
