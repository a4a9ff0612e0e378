#!/usr/bin/env bash
# The Brian2 comparison (compare.py): one network run with LIF neurons advanced by neurokernels inside
# Brian2 and again in Brian2 alone; exits non-zero if the spike trains differ beyond reported threshold
# ties, or if there are no spikes.
#
#   examples/brian2/run.sh [LIBRARY] [compare.py options]
#
# LIBRARY: libneurokernels.so itself, a CMake build directory, or an install prefix (PREFIX/lib,
# PREFIX/lib64 or PREFIX/lib/<multiarch>); it is passed on as NEUROKERNELS_LIBRARY. Without it the
# package's own search applies (NEUROKERNELS_LIBRARY, the system loader, pkg-config, /usr/local/lib).
# Python: /usr/bin/python3 (Debian's, with python3-brian and python3-numpy), or PYTHON=...; the
# neurokernels package is the installed one when that Python has it, else native/python of this tree.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-/usr/bin/python3}"

die() { echo "examples/brian2/run.sh: $*" >&2; exit 1; }

if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
  where="$1"
  shift
  lib=""
  if [ -f "$where" ]; then
    lib="$where"
  else
    for cand in "$where"/libneurokernels.so.1 "$where"/libneurokernels.so "$where"/lib/libneurokernels.so.1 \
                "$where"/lib64/libneurokernels.so.1 "$where"/lib/*/libneurokernels.so.1; do
      if [ -f "$cand" ]; then lib="$cand"; break; fi
    done
  fi
  [ -n "$lib" ] || die "no libneurokernels.so in or under $where (give the .so, a build directory or an install prefix)"
  export NEUROKERNELS_LIBRARY="$lib"
fi

[ -x "$python" ] || die "$python not found (set PYTHON to a Python with Brian2 and NumPy)"
"$python" -c "import brian2, numpy" 2>/dev/null ||
  die "$python cannot import brian2 and numpy (Debian: apt-get install python3-brian python3-numpy)"
exec "$python" "$here/compare.py" "$@"
