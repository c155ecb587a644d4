#!/bin/bash
# Builds the libFuzzer targets of the readers (tests/fuzz/fuzz_*.cpp) with Debian's clang
# and runs each on its seed corpus (tests/fuzz/corpus/<target>/). docs/reliability.md.
#
#   scripts/fuzz.sh 2000            every target for 2000 runs (CI)
#   scripts/fuzz.sh 1000000 npy csv two targets for 10^6 runs each
#   FUZZ_SECONDS=300 scripts/fuzz.sh 1000000   stop each target after 300 s at the latest
#
# Exit status 1 when a target finds a crash, leak, sanitizer report or timeout; the input
# is left in build-fuzz/findings/<target>/. New corpus entries go to build-fuzz/corpus/
# (never into the source tree). Environment: CXX (default clang++-14), FUZZ_JOBS (compile
# jobs, default 2), FUZZ_SECONDS (0 = no time limit), BUILD (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2000}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(npy npz csv idx labels gzip)
CXX=${CXX:-clang++-14}
BUILD=${BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-0}
jobs=${FUZZ_JOBS:-2}
launcher=$(command -v ccache || true)
flags=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow
       -fno-sanitize-recover=all -Iinclude -Isrc -I/usr/include/eigen3 -isystem /opt/neurogeom/boost-1.81/usr/include
       $(pkg-config --cflags hdf5 matio))
mkdir -p "$BUILD/obj"

# The readers and the dataset validation, compiled once for all targets.
objects=()
compile() {  # source object
  if [ ! -f "$2" ] || [ "$1" -nt "$2" ] || [ include/neurogeom/data/readers.hpp -nt "$2" ] ||
     [ include/neurogeom/data/dataset.hpp -nt "$2" ] || [ tests/fuzz/fuzz_common.hpp -nt "$2" ]; then
    $launcher "$CXX" "${flags[@]}" -c "$1" -o "$2"
  fi
}
pids=()
for src in src/data/readers.cpp src/data/dataset.cpp src/data/recordings.cpp; do
  obj="$BUILD/obj/$(basename "$src" .cpp).o"
  objects+=("$obj")
  compile "$src" "$obj" & pids+=($!)
  [ ${#pids[@]} -ge "$jobs" ] && { wait "${pids[0]}"; pids=("${pids[@]:1}"); }
done
for t in "${targets[@]}"; do
  compile "tests/fuzz/fuzz_$t.cpp" "$BUILD/obj/fuzz_$t.o" & pids+=($!)
  [ ${#pids[@]} -ge "$jobs" ] && { wait "${pids[0]}"; pids=("${pids[@]:1}"); }
done
for p in "${pids[@]}"; do wait "$p"; done
for t in "${targets[@]}"; do
  "$CXX" -fsanitize=fuzzer,address,undefined,float-cast-overflow "$BUILD/obj/fuzz_$t.o" "${objects[@]}" \
    -lfmt $(pkg-config --libs hdf5 matio) -lz -o "$BUILD/fuzz_$t"
done

status=0
printf '%-8s %12s %10s %8s  %s\n' target runs seconds corpus result
for t in "${targets[@]}"; do
  work="$BUILD/corpus/$t" findings="$BUILD/findings/$t"
  mkdir -p "$work" "$findings"
  log="$BUILD/fuzz_$t.log"
  args=(-runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$findings/")
  [ "$seconds" != 0 ] && args+=(-max_total_time="$seconds")
  start=$(date +%s.%N)
  if UBSAN_OPTIONS=print_stacktrace=1 "./$BUILD/fuzz_$t" "${args[@]}" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log and $findings/)"
    status=1
  fi
  elapsed=$(echo "$(date +%s.%N) - $start" | bc)
  done_runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  corpus=$(ls "$work" | wc -l)
  printf '%-8s %12s %10.1f %8s  %s\n' "$t" "$done_runs" "$elapsed" "$corpus" "$result"
done
exit $status
