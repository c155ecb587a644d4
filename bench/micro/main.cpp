// The one main() of neurogeom_bench; every other file in bench/micro only registers benchmarks.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
