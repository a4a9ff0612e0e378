#!/usr/bin/env bash
# The Python package as a user gets it: a fresh virtual environment, `pip install ./native/python`
# (offline: no index is contacted), then native/examples/example.py with the installed package against
# the C library installed under PREFIX (cmake --install BUILD --prefix PREFIX).
#
#   examples/python/run.sh PREFIX [VENV]
#
# VENV defaults to a temporary directory, removed at the end. The venv is made by /usr/bin/python3 (or
# PYTHON=...) with --system-site-packages, so NumPy comes from the system (Debian's python3-numpy).
# The library is handed to the package through NEUROKERNELS_LIBRARY=PREFIX/lib/libneurokernels.so.1
# (lib, lib64 or lib/<multiarch>): explicit, and independent of the loader cache. When PREFIX has a
# neurokernels.pc and pkg-config is installed, it also shows what the package's own search finds with
# PKG_CONFIG_PATH=PREFIX/lib/pkgconfig and no NEUROKERNELS_LIBRARY. Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"

die() { echo "examples/python/run.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: examples/python/run.sh PREFIX [VENV]  (PREFIX: where cmake --install put the library)"
prefix="$(cd "$1" 2>/dev/null && pwd)" || die "no such directory: $1"
lib=""
for cand in "$prefix"/lib/libneurokernels.so.1 "$prefix"/lib64/libneurokernels.so.1 "$prefix"/lib/*/libneurokernels.so.1; do
  if [ -f "$cand" ]; then lib="$cand"; break; fi
done
[ -n "$lib" ] || die "no libneurokernels.so.1 under $prefix/lib*: run cmake --install BUILD --prefix $prefix first"

if [ $# -ge 2 ]; then
  venv="$2"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  venv="$tmp/venv"
fi

unset PYTHONPATH   # the installed package, not a source tree, must be the one imported
echo "== venv $venv from $python"
"$python" -m venv --system-site-packages "$venv"
echo "== pip install ./native/python (offline)"
"$venv/bin/python" -m pip install --no-index --no-cache-dir --disable-pip-version-check --quiet "$root/native/python"
"$venv/bin/python" -m pip show neurokernels | sed -n '1,2p'

export NEUROKERNELS_LIBRARY="$lib"
cd "$venv"   # away from the source tree
"$venv/bin/python" - <<'EOF'
import os, sys
import neurokernels
where = os.path.realpath(neurokernels.__file__)
assert where.startswith(os.path.realpath(sys.prefix)), "imported from %s, not from the venv" % where
print("== neurokernels %s from %s" % (neurokernels.__version__, os.path.dirname(where)))
EOF

pc_dir="$(dirname "$lib")/pkgconfig"
if [ -f "$pc_dir/neurokernels.pc" ] && command -v pkg-config >/dev/null; then
  found="$(env -u NEUROKERNELS_LIBRARY PKG_CONFIG_PATH="$pc_dir" "$venv/bin/python" -c \
           'import os, neurokernels; print(os.path.realpath(neurokernels.find_library()))')"
  if [ "$found" = "$(realpath "$lib")" ]; then
    echo "== without NEUROKERNELS_LIBRARY the package finds it through pkg-config: $found"
  else
    echo "== note: without NEUROKERNELS_LIBRARY the package finds $found first (the system loader comes before pkg-config)"
  fi
fi

echo "== native/examples/example.py with NEUROKERNELS_LIBRARY=$lib"
"$venv/bin/python" "$root/native/examples/example.py"
echo "== the installed package works"
