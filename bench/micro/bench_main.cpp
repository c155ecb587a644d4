// Entry point of neurogeom_bench (CMakeLists.txt links benchmark::benchmark, not benchmark_main).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
