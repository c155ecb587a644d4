// Scaling benchmarks of issue 14 (docs/performance.md, "Scaling"):
//   ./build/neurogeom_bench --benchmark_filter=scale_removal   correlation removal against P
//   ./build/neurogeom_bench --benchmark_filter=scale_plain plain capacity against P and N
// Data: P classes x M points x N units whose centers share a rank-30 structure of decaying
// strength (factor k has scale 0.9^k) plus independent parts of norm 0.5; the points scatter
// around their center with norm about 1 (`correlated_centers`).
// The data are drawn with the library's generator, so the figures differ in detail from those
// of bench/scaling.sh (numpy data). The scan rows take minutes (P = 250: about 4 min idle).
// Counters: K = chosen rank, rho0 / rho = mean |correlation| of the centers before / after
// removal, corr_s = seconds of the removal, qp_us = wall microseconds per QP.
#include <benchmark/benchmark.h>

#include <cmath>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/manifold/capacity.hpp"

namespace {

neurogeom::data::ManifoldDataset correlated_centers(int p, int m, int n, int shared = 30) {
  neurogeom::Rng rng(14);
  const double unit = 1.0 / std::sqrt(static_cast<double>(n));
  Eigen::MatrixXd factors = rng.normal_matrix(shared, n) * unit;
  for (int k = 0; k < shared; ++k) factors.row(k) *= std::pow(0.9, k);
  std::vector<Eigen::MatrixXd> clouds;
  std::vector<std::int64_t> labels;
  for (int i = 0; i < p; ++i) {
    const Eigen::RowVectorXd center = rng.normal_matrix(1, shared) * factors + 0.5 * unit * rng.normal_matrix(1, n);
    clouds.push_back((unit * rng.normal_matrix(m, n)).rowwise() + center);
    labels.push_back(i);
  }
  return neurogeom::data::ManifoldDataset::from_manifolds(clouds, labels);
}

void report(benchmark::State& state, const neurogeom::manifold::CapacityResult& r) {
  state.counters["capacity"] = r.capacity;
  state.counters["K"] = r.center_rank;
  state.counters["rho0"] = r.center_correlation;
  state.counters["rho"] = r.residual_center_correlation;
  state.counters["corr_s"] = r.center_correlation_seconds;
  state.counters["analysis_s"] = r.seconds;
  state.counters["qp_us"] = 1e6 * r.seconds / static_cast<double>(r.qp_solved);
}

// Arguments: P, rank search (0 = scan, 1 = bracket), threads; M = 20, N = 512.
void scale_removal(benchmark::State& state) {
  const auto ds = correlated_centers(static_cast<int>(state.range(0)), 20, 512);
  neurogeom::manifold::CapacityOptions options;
  options.center_correlation = neurogeom::manifold::CenterCorrelation::automatic;
  options.center_rank_search = state.range(1) ? neurogeom::manifold::CenterRankSearch::bracket
                                              : neurogeom::manifold::CenterRankSearch::scan;
  options.num_threads = static_cast<int>(state.range(2));
  neurogeom::manifold::CapacityResult r;
  for (auto _ : state) r = neurogeom::manifold::estimate_capacity(ds, options);
  report(state, r);
}

// Arguments: P, M, N, threads; plain capacity, 200 samples.
void scale_plain(benchmark::State& state) {
  const auto ds = correlated_centers(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                                     static_cast<int>(state.range(2)));
  neurogeom::manifold::CapacityOptions options;
  options.num_threads = static_cast<int>(state.range(3));
  neurogeom::manifold::CapacityResult r;
  for (auto _ : state) r = neurogeom::manifold::estimate_capacity(ds, options);
  report(state, r);
}

}  // namespace

BENCHMARK(scale_removal)
    ->ArgsProduct({{50, 100, 250, 500, 1000}, {1}, {2}})
    ->ArgsProduct({{50, 100, 250}, {0}, {2}})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

BENCHMARK(scale_plain)
    ->ArgsProduct({{50, 100, 250, 500, 1000}, {50}, {500}, {2}})
    ->ArgsProduct({{100}, {50}, {5000, 50000}, {2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);
