#!/usr/bin/env bash
# Packs what a GPU machine with no JDK and no Maven needs to run the CUDA test suite, `verify` on CUDA
# and the GPU benchmarks: a jlink'd Java runtime made from this machine's JDK, the self-contained
# benchmarks.jar (library + dependencies + JMH), the compiled tests and the JUnit console launcher.
#
#   bench/gpu-pack.sh [OUTDIR]      (default .nk-gpu/, ignored by git; carry it to the GPU machine)
#   then there:  OUTDIR/gpu-run.sh [RESULTS_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/.nk-gpu}"
junit_console_version=1.11.4
cd "$root"
mvn -B -q verify -DskipTests
mvn -B -q -pl java test-compile
rm -rf "$out" && mkdir -p "$out"
"${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/jlink" \
  --add-modules java.base,java.logging,java.management,java.xml,java.desktop,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/jre"
# the GPU machine does not run the CLBlast peer (a CPU OpenCL comparison): leave its natives out to stay
# under 60 MiB (a CLBlast impl there reports the missing library instead of measuring)
python3 - bench/target/benchmarks.jar "$out/benchmarks.jar" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        if "clblast" in item.filename.lower():
            continue
        zout.writestr(item, zin.read(item.filename))
PY
cp -r java/target/test-classes "$out/test-classes"
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_console_version \
  -DoutputDirectory="$out" >/dev/null
mv "$out/junit-platform-console-standalone-$junit_console_version.jar" "$out/junit-console.jar"
cp bench/gpu-run.sh "$out/"
du -sh "$out"
echo "packed into $out ($(du -sm "$out" | cut -f1) MiB)"
