#!/bin/bash
# Sanitizer runs of the C++ tests (docs/reliability.md, "Sanitizers"). Builds only the core
# library and the C++ test binary, in their own build directories, through ccache:
#
#   scripts/ci_sanitizers.sh          both runs
#   scripts/ci_sanitizers.sh asan     AddressSanitizer + UndefinedBehaviorSanitizer (with
#                                     float-cast-overflow), every C++ test (or ASAN_FILTER)
#   scripts/ci_sanitizers.sh tsan     ThreadSanitizer, the threaded tests (TSAN_FILTER)
#   scripts/ci_sanitizers.sh data     ASan + UBSan on the readers alone (src/data and
#                                     tests/cpp/data compiled directly, 4 translation units:
#                                     minutes where the full build takes an hour)
#
# Any sanitizer report fails the run (-fno-sanitize-recover=all, halt_on_error). Each
# phase prints its wall time. Environment: JOBS (default 2), CXX (default g++),
# ASAN_FILTER / TSAN_FILTER (gtest filters).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
jobs=${JOBS:-2}
cxx=${CXX:-g++}
# Tests that run work on 2 threads: by convention their names say so (docs/reliability.md).
TSAN_FILTER=${TSAN_FILTER:-'*Thread*'}
ASAN_FILTER=${ASAN_FILTER:-'*'}
# One BLAS thread, as the library runs it (STYLE.md, "Threading"); OpenBLAS is not
# instrumented, and its own threads would only add noise.
export OPENBLAS_NUM_THREADS=1

configure() {  # build-dir flags
  cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_COMPILER="$cxx" \
    -DNEUROGEOM_BUILD_PYTHON=OFF -DNEUROGEOM_BUILD_BENCH=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=$(command -v ccache || true) \
    -DCMAKE_CXX_FLAGS="-O1 -g -fno-omit-frame-pointer $2" -DCMAKE_EXE_LINKER_FLAGS="$2" >/dev/null
}

phase() {  # name build-dir flags filter env...
  local name=$1 dir=$2 flags=$3 filter=$4
  shift 4
  local start=$SECONDS
  configure "$dir" "$flags"
  cmake --build "$dir" -j"$jobs" --target neurogeom_tests
  local built=$SECONDS
  env "$@" "$dir/neurogeom_tests" --gtest_filter="$filter" --gtest_brief=1
  echo "== $name: build $((built - start)) s, tests $((SECONDS - built)) s, total $((SECONDS - start)) s"
}

asan_flags="-fsanitize=address,undefined -fsanitize=float-cast-overflow -fno-sanitize-recover=all"
asan_env=(ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)

if [ "$which" = data ]; then
  start=$SECONDS
  dir=build-asan-data
  mkdir -p "$dir"
  objects=()
  pids=()
  for src in src/data/*.cpp tests/cpp/data/*.cpp; do
    obj="$dir/$(echo "$src" | tr / _).o"
    objects+=("$obj")
    ccache "$cxx" -std=c++17 -O1 -g -fno-omit-frame-pointer $asan_flags -Iinclude -Isrc -Itests/cpp \
      -I/usr/include/eigen3 -isystem /opt/neurogeom/boost-1.81/usr/include $(pkg-config --cflags hdf5 matio) \
      -DNEUROGEOM_SOURCE_DIR="\"$PWD\"" -c "$src" -o "$obj" & pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p"; done
  "$cxx" $asan_flags "${objects[@]}" -lgtest -lgtest_main -lfmt $(pkg-config --libs hdf5 matio) -lz -pthread \
    -o "$dir/data_tests"
  built=$SECONDS
  env "${asan_env[@]}" "$dir/data_tests" --gtest_brief=1
  echo "== data: build $((built - start)) s, tests $((SECONDS - built)) s, total $((SECONDS - start)) s"
  exit 0
fi

if [ "$which" = all ] || [ "$which" = asan ]; then
  phase asan build-asan "$asan_flags" "$ASAN_FILTER" "${asan_env[@]}"
fi
if [ "$which" = all ] || [ "$which" = tsan ]; then
  phase tsan build-tsan "-fsanitize=thread" "$TSAN_FILTER" TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
fi
