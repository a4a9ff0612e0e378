#!/bin/sh
# Runs a command with Oclgrind (the OpenCL simulator) as the only OpenCL platform, through an ICD file of its
# own (the machine's /etc/OpenCL/vendors untouched), with its race, uniform-write and API checks on; fails
# when the command fails or when anything reaches stderr, where Oclgrind writes its diagnostics.
#   native/tests/under_oclgrind.sh COMMAND [ARGS...]     (OCLGRIND_ICD: the ICD library; exit 77 without it)
icd="${OCLGRIND_ICD:-/usr/lib/oclgrind/liboclgrind-rt-icd.so}"
[ -f "$icd" ] || { echo "under_oclgrind.sh: no Oclgrind ICD at $icd" >&2; exit 77; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
echo "$icd" > "$dir/oclgrind.icd"
OCL_ICD_VENDORS="$dir" OCLGRIND_DATA_RACES=1 OCLGRIND_UNIFORM_WRITES=1 OCLGRIND_CHECK_API=1 "$@" 2> "$dir/stderr"
status=$?
if [ -s "$dir/stderr" ]; then
  cat "$dir/stderr" >&2
  echo "under_oclgrind.sh: the output above reached stderr (Oclgrind's diagnostics go there)" >&2
  exit 1
fi
exit "$status"
