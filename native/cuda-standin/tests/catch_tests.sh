#!/usr/bin/env bash
# Tests the testers: each checker of the stand-in must catch the kernel of tests/broken_kernels.cpp that is
# broken in the way it claims to see, and must stay quiet on the fixed one.
#
#   native/cuda-standin/tests/catch_tests.sh OUTDIR MODE
#
# OUTDIR is a build of `build.sh OUTDIR --MODE --test` (which runs this script; it needs OUTDIR/broken_kernels
# and, for asan, OUTDIR/libcuda.so.1), MODE one of plain, asan, tsan, racecheck:
#   racecheck  shared-race, dynamic-race (a read of a word another thread of the block wrote, no barrier
#              between) and blocks-race (two blocks write one global word) fail their launch with a report;
#              shared-fixed launches cleanly
#   tsan       blocks-race (blocks on different worker threads) is reported as a data race; shared-fixed is
#              clean; shared-race is shown not to be seen (threads of a block share one OS thread)
#   asan       past-end (a write of one float past a cuMemAlloc buffer) dies with a heap-buffer-overflow;
#              tests/asan_catches.c's launches (a project kernel given too few rows, too little dynamic shared
#              memory) die too; shared-fixed is clean
#   plain      shared-fixed runs
# Exit status 0 when every expectation held. Logs: OUTDIR/catch.CASE.log.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -eq 2 ] || { echo "usage: catch_tests.sh OUTDIR plain|asan|tsan|racecheck" >&2; exit 2; }
out="$(cd "$1" && pwd)"
mode="$2"
bin="$out/broken_kernels"
[ -x "$bin" ] || { echo "catch_tests.sh: no $bin (build.sh OUTDIR --$mode --test makes it)" >&2; exit 2; }
fails=0
say() { echo "[cuda-standin catch] $*"; }
fail() { say "FAIL: $*"; fails=$((fails + 1)); }

# run CASE [ENV...]: runs the case, leaves its exit status in $rc and its output in OUTDIR/catch.CASE.log
run() {
  local c="$1"
  shift
  log="$out/catch.$c.log"
  env "$@" "$bin" "$c" > "$log" 2>&1
  rc=$?
}
excerpt() { grep -m "${2:-4}" -E "$1" "$log" | sed 's/^/    | /'; }

# a clean kernel must stay clean under every build
case "$mode" in tsan) run shared-fixed NK_STANDIN_THREADS=4 ;; *) run shared-fixed ;; esac
if [ "$rc" != 0 ] || grep -qE "racecheck:|ThreadSanitizer|AddressSanitizer" "$log"; then
  fail "shared-fixed (a correct kernel) was reported or failed (rc $rc, $log)"
else
  say "shared-fixed: clean, as it should be"
fi

case "$mode" in
  racecheck)
    for c in shared-race dynamic-race blocks-race; do
      run "$c"
      case "$c" in
        shared-race) want="static __shared__ memory" why="no __syncthreads\(\) between" ;;
        dynamic-race) want="dynamic shared memory" why="no __syncthreads\(\) between" ;;
        blocks-race) want="global memory buf#" why="two different blocks" ;;
      esac
      if [ "$rc" = 3 ] && grep -q "CUDA_ERROR_LAUNCH_FAILED" "$log" && grep -q "racecheck:   $want" "$log" && grep -qE "$why" "$log"; then
        say "$c: caught by the race checker"
        excerpt "racecheck:" 5
      else
        fail "$c: the race checker did not report it (rc $rc, $log)"
      fi
    done
    run past-end
    say "past-end: not the race checker's business (rc $rc; the ASan build catches it)"
    ;;
  tsan)
    run blocks-race NK_STANDIN_THREADS=4 TSAN_OPTIONS="halt_on_error=0"
    if [ "$rc" = 66 ] && grep -q "WARNING: ThreadSanitizer: data race" "$log" && grep -q "nk_broken_blocks_race" "$log"; then
      say "blocks-race: caught by ThreadSanitizer"
      excerpt "WARNING: ThreadSanitizer|^  (Read|Write|Previous)|#0 " 6
    else
      fail "blocks-race: ThreadSanitizer did not report it (rc $rc, $log)"
    fi
    run shared-race NK_STANDIN_THREADS=4
    if grep -q "ThreadSanitizer" "$log"; then
      say "shared-race: reported by ThreadSanitizer too (rc $rc), which the README says it cannot see: update it"
    else
      say "shared-race: not seen by ThreadSanitizer (rc $rc), as documented: the threads of a block are fibers of one OS thread (the --racecheck build catches it)"
    fi
    ;;
  asan)
    run past-end
    if [ "$rc" != 0 ] && grep -q "ERROR: AddressSanitizer: heap-buffer-overflow" "$log" && grep -q "WRITE of size 4" "$log" \
       && grep -qE "0 bytes (after|to the right of) 20-byte region" "$log"; then
      say "past-end: caught by AddressSanitizer"
      excerpt "ERROR: AddressSanitizer|WRITE of size|20-byte region|the error above happened" 4
    else
      fail "past-end: AddressSanitizer did not report the write one past the end (rc $rc, $log)"
    fi
    # the project's own kernels launched wrongly (tests/asan_catches.c, through libcuda.so.1)
    cc -std=c11 -g -fsanitize=address,undefined -o "$out/asan_catches" "$here/tests/asan_catches.c" "$out/libcuda.so.1"
    for m in global shared; do
      log="$out/catch.asan_catches.$m.log"
      LD_LIBRARY_PATH="$out" "$out/asan_catches" "$m" > "$log" 2>&1
      rc=$?
      if [ "$rc" != 0 ] && grep -q "ERROR: AddressSanitizer" "$log"; then
        say "asan_catches $m: caught ($(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$log"))"
      else
        fail "asan_catches $m: not caught (rc $rc, $log)"
      fi
    done
    ;;
  plain) ;;
  *) echo "catch_tests.sh: unknown mode $mode" >&2; exit 2 ;;
esac
[ "$fails" = 0 ] && say "$mode: every expectation held" || say "$mode: $fails expectation(s) failed"
[ "$fails" = 0 ]
