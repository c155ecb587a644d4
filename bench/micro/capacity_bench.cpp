// Capacity benchmarks of issue 3: random Gaussian clouds, kappa = 0, 200 samples.
//   ./build/neurogeom_bench --benchmark_filter=Capacity
// Counters: qp_us = wall microseconds per QP (all threads), max_kkt = largest KKT residual.
#include <benchmark/benchmark.h>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/manifold/capacity.hpp"

namespace {

neurogeom::data::ManifoldDataset gaussian_clouds(int p, int m, int n) {
  neurogeom::Rng rng(1);
  std::vector<Eigen::MatrixXd> clouds;
  std::vector<std::int64_t> labels;
  for (int i = 0; i < p; ++i) clouds.push_back(rng.normal_matrix(m, n)), labels.push_back(i);
  return neurogeom::data::ManifoldDataset::from_manifolds(clouds, labels);
}

void capacity(benchmark::State& state) {
  const auto ds = gaussian_clouds(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                                  static_cast<int>(state.range(2)));
  neurogeom::manifold::CapacityOptions options;
  options.center_correlation = state.range(3) ? neurogeom::manifold::CenterCorrelation::automatic
                                            : neurogeom::manifold::CenterCorrelation::off;
  options.num_threads = static_cast<int>(state.range(4));
  neurogeom::manifold::CapacityResult r;
  for (auto _ : state) r = neurogeom::manifold::estimate_capacity(ds, options);
  state.counters["capacity"] = r.capacity;
  state.counters["qp_us"] = 1e6 * r.seconds / static_cast<double>(r.qp_solved);
  state.counters["max_kkt"] = r.max_kkt_residual;
  state.counters["corr_s"] = r.center_correlation_seconds;
}

}  // namespace

// Arguments: P, M, N, center-correlation removal (0/1), threads.
BENCHMARK(capacity)
    ->Args({50, 50, 500, 0, 2})
    ->Args({100, 50, 2000, 0, 2})
    ->Args({50, 50, 500, 1, 2})
    ->Args({50, 50, 500, 0, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
