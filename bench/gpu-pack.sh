#!/usr/bin/env bash
# Packs what a GPU machine with no JDK and no Maven needs to run the CUDA test suite, `verify` on CUDA
# and the GPU benchmarks: a jlink'd Java runtime made from this machine's JDK, the self-contained
# benchmarks.jar (library + dependencies + JMH), the compiled tests and the JUnit console launcher.
#
#   bench/gpu-pack.sh [--no-build] [OUTDIR]   (default .nk-gpu/, ignored by git; carry it to the GPU machine)
#   then there:  OUTDIR/gpu-run.sh [RESULTS_DIR]
#   or here first, against the CPU stand-in for libcuda.so.1: bench/test-gpu-pack.sh
#
# --no-build packs the artifacts already built (bench/target/benchmarks.jar, java/target/test-classes)
# instead of running Maven first, e.g. while another Maven build uses target/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build=1
if [ "${1:-}" = --no-build ]; then
  build=0
  shift
fi
out="${1:-$root/.nk-gpu}"
junit_console_version=1.11.4
cd "$root"
if [ "$build" = 1 ]; then
  mvn -B -q verify -DskipTests
  mvn -B -q -pl java test-compile
fi
for f in bench/target/benchmarks.jar java/target/test-classes/org/neurokernels/TestDevices.class; do
  [ -e "$f" ] || { echo "gpu-pack.sh: $f is missing (run without --no-build, or mvn verify -DskipTests && mvn -pl java test-compile)" >&2; exit 1; }
done
# tests compiled after benchmarks.jar was packaged may not match the library in it
if [ "$build" = 0 ] && [ -n "$(find java/target/test-classes -name '*.class' -newer bench/target/benchmarks.jar -print -quit)" ]; then
  echo "gpu-pack.sh: warning: java/target/test-classes is newer than bench/target/benchmarks.jar: tests and library may not match" >&2
fi
rm -rf "$out" && mkdir -p "$out"
"${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/jlink" \
  --add-modules java.base,java.logging,java.management,java.xml,java.desktop,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/jre"
# the GPU machine does not run the CLBlast peer (a CPU OpenCL comparison): leave its natives out to stay
# under 60 MiB (a CLBlast impl there reports the missing library instead of measuring). Only the native
# libraries: the classes stay, GemmBenchmark (and so every GEMM measurement) does not load without
# org.neurokernels.bench.ClBlastSgemm and the org.jocl.blast classes it names.
python3 - bench/target/benchmarks.jar "$out/benchmarks.jar" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        name = item.filename.lower()
        if "clblast" in name and not name.endswith(".class") and not name.endswith("/"):
            continue
        zout.writestr(item, zin.read(item.filename))
PY
cp -r java/target/test-classes "$out/test-classes"
# the JUnit console launcher: from the local Maven repository when it is there, else through Maven
console="${HOME}/.m2/repository/org/junit/platform/junit-platform-console-standalone/$junit_console_version/junit-platform-console-standalone-$junit_console_version.jar"
if [ -f "$console" ]; then
  cp "$console" "$out/junit-console.jar"
else
  mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_console_version \
    -DoutputDirectory="$out" >/dev/null
  mv "$out/junit-platform-console-standalone-$junit_console_version.jar" "$out/junit-console.jar"
fi
cp bench/gpu-run.sh "$out/"
du -sh "$out"
echo "packed into $out ($(du -sm "$out" | cut -f1) MiB)"
