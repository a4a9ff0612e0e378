#!/bin/sh
# The GPU kernel families under Oclgrind, with its data-race, bounds and API checks: runs oclgrind_ops.py
# (every op of the C library and the Java-only kernels, against NumPy references) on the Oclgrind device
# and fails on a wrong result, on any diagnostic Oclgrind reports (an invalid read or write, a data race,
# barrier divergence, an OpenCL API error, ...) or when the kernels Oclgrind ran are not exactly the GPU
# families the script expects (a CPU-family kernel ran, or an expected one did not).
#
#     native/tests/oclgrind_ops.sh path/to/libneurokernels.so [more arguments for oclgrind_ops.py]
#
# The ICD loader sees Oclgrind alone: OCL_ICD_VENDORS points at a temporary directory holding one
# oclgrind.icd (Oclgrind stays out of /etc/OpenCL/vendors, so nothing else runs on it). Oclgrind's checks
# are turned on through its environment variables (those of the oclgrind command's options):
#   OCLGRIND_DATA_RACES=1     data races in global and local memory, within and across work-groups
#   OCLGRIND_UNIFORM_WRITES=1 also the races where two work-items write the same value
#   OCLGRIND_CHECK_API=1      errors returned by OpenCL API calls
#   OCLGRIND_INST_COUNTS=1    instruction counts per kernel run, on stdout: which kernels ran
# Invalid memory accesses and barrier divergence are always reported. Diagnostics go to stderr, which must
# stay empty (the script writes its report to a file). Not OCLGRIND_LOG: Oclgrind 21.10 truncates that
# file whenever a context is created, so the diagnostics of a device closed before the last open are lost.
# OCLGRIND_UNINITIALIZED stays off (Oclgrind 21.10 rejects LLVM's freeze instruction under it) and so does
# OCLGRIND_QUICK (it would run only the first and last work-group); the caller's OCLGRIND_* are dropped.
#
# Environment: OCLGRIND_ICD (default /usr/lib/oclgrind/liboclgrind-rt-icd.so), PYTHON (default python3),
# NK_OCLGRIND_TIMEOUT in seconds (default 900). Exit status: 0 passed, 1 failed, 77 Oclgrind's ICD is
# missing (ctest: SKIP_RETURN_CODE 77).
set -u

here=$(cd "$(dirname "$0")" && pwd)
lib=${1:?usage: oclgrind_ops.sh path/to/libneurokernels.so [oclgrind_ops.py arguments]}
shift
icd=${OCLGRIND_ICD:-/usr/lib/oclgrind/liboclgrind-rt-icd.so}
python=${PYTHON:-python3}
limit=${NK_OCLGRIND_TIMEOUT:-900}

if [ ! -f "$icd" ]; then
    echo "oclgrind_ops.sh: no Oclgrind ICD at $icd (install oclgrind, or set OCLGRIND_ICD); skipped"
    exit 77
fi
if [ ! -f "$lib" ]; then
    echo "oclgrind_ops.sh: no library at $lib"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nk-oclgrind.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/vendors"
echo "$icd" > "$tmp/vendors/oclgrind.icd"

# a clean Oclgrind environment: the caller's OCLGRIND_* variables dropped, then ours
for v in $(env | sed -n 's/^\(OCLGRIND_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$v"
done
unset OCL_ICD_FILENAMES OPENCL_VENDOR_PATH
export OCL_ICD_VENDORS="$tmp/vendors"
# no tuning store (the file does not exist): the device's default configuration, TILED for a GPU-type device
export NK_TUNING_FILE="$tmp/no-tuning-store.properties"
export OCLGRIND_DATA_RACES=1 OCLGRIND_UNIFORM_WRITES=1 OCLGRIND_CHECK_API=1 OCLGRIND_INST_COUNTS=1

start=$(date +%s)
set -- "$python" "$here/oclgrind_ops.py" "$lib" --report "$tmp/report" "$@"
if command -v timeout > /dev/null 2>&1; then
    set -- timeout "$limit" "$@"
fi
"$@" > "$tmp/counts" 2> "$tmp/stderr"
rc=$?
elapsed=$(( $(date +%s) - start ))

[ -f "$tmp/report" ] && cat "$tmp/report"
failed=0
if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] && echo "oclgrind_ops.sh: timed out after $limit s"
    echo "oclgrind_ops.sh: oclgrind_ops.py exited with status $rc"
    failed=1
fi

# stderr holds Oclgrind's diagnostics (and the script's own errors): anything there fails
if [ -s "$tmp/stderr" ]; then
    echo "oclgrind_ops.sh: $(grep -c . "$tmp/stderr") line(s) on stderr: Oclgrind's diagnostics or the script's errors (first 200 lines):"
    head -n 200 "$tmp/stderr"
    kinds=$(grep -E -o '^(Invalid [a-z]+|[A-Za-z-]+ data race|Work-group divergence|Work-item divergence|Oclgrind - OpenCL runtime error)' "$tmp/stderr" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
    [ -n "$kinds" ] && echo "oclgrind_ops.sh: diagnostics by kind:$kinds"
    failed=1
fi
# diagnostics should never reach stdout (the instruction counts), but if they do they fail too
if grep -E 'Invalid (read|write)|data race|[Dd]ivergence|runtime error|OCLGRIND FATAL|^Oclgrind' "$tmp/counts" > "$tmp/stray"; then
    echo "oclgrind_ops.sh: Oclgrind diagnostics on stdout:"
    head -n 50 "$tmp/stray"
    failed=1
fi

# the kernels Oclgrind ran must be exactly those the script expects (the GPU families and the Java-only ones)
sed -n "s/^Instructions executed for kernel '\([^']*\)':.*/\1/p" "$tmp/counts" | sort -u > "$tmp/ran"
[ -f "$tmp/report" ] && sed -n 's/^expected kernels: //p' "$tmp/report" | tr ' ' '\n' | sed '/^$/d' | sort -u > "$tmp/expected"
if [ ! -s "$tmp/expected" ]; then
    echo "oclgrind_ops.sh: the script printed no expected kernels"
    failed=1
elif ! cmp -s "$tmp/ran" "$tmp/expected"; then
    echo "oclgrind_ops.sh: the kernels Oclgrind ran differ from those expected"
    echo "  ran, not expected: $(comm -23 "$tmp/ran" "$tmp/expected" | tr '\n' ' ')"
    echo "  expected, not run: $(comm -13 "$tmp/ran" "$tmp/expected" | tr '\n' ' ')"
    failed=1
fi
runs=$(grep -c "^Instructions executed for kernel" "$tmp/counts")

if [ "$failed" -ne 0 ]; then
    echo "oclgrind_ops.sh: FAILED ($elapsed s)"
    exit 1
fi
echo "oclgrind_ops.sh: passed in $elapsed s: $runs kernel runs of $(grep -c . "$tmp/ran") kernels under Oclgrind, no diagnostics"
exit 0
