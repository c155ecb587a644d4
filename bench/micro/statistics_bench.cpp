// Bootstrap and similarity benchmarks of issue 13 (docs/performance.md, "Bootstrap intervals"):
//   ./build/neurogeom_bench --benchmark_filter=geometry_bootstrap   1000 resamples, 50 classes x 50 x 1000
//   ./build/neurogeom_bench --benchmark_filter=compare_systems      CKA + Procrustes with bootstrap
// Data: Gaussian clouds of the library's generator (stream fixture). Timings use 2 threads.
#include <benchmark/benchmark.h>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/manifold/geometry.hpp"
#include "neurogeom/similarity/similarity.hpp"

namespace {

neurogeom::data::ManifoldDataset clouds(int p, int m, int n) {
  neurogeom::Rng rng = neurogeom::Rng::for_item(13, neurogeom::Stream::fixture, 0);
  std::vector<Eigen::MatrixXd> manifolds;
  std::vector<std::int64_t> labels;
  for (int i = 0; i < p; ++i) {
    Eigen::MatrixXd x = rng.normal_matrix(m, n) * 0.05;
    x.rowwise() += rng.normal_matrix(1, n).row(0);
    manifolds.push_back(x);
    labels.push_back(i);
  }
  return neurogeom::data::ManifoldDataset::from_manifolds(manifolds, labels);
}

void geometry_bootstrap(benchmark::State& state) {
  const auto d = clouds(50, 50, 1000);
  neurogeom::manifold::GeometryOptions o;
  o.bootstrap = static_cast<int>(state.range(0));
  o.interval = state.range(1) ? neurogeom::IntervalMethod::bca : neurogeom::IntervalMethod::percentile;
  o.num_threads = 2;
  for (auto _ : state) benchmark::DoNotOptimize(neurogeom::manifold::compute_geometry(d, o).participation_ratio_interval);
}
BENCHMARK(geometry_bootstrap)->Args({0, 0})->Args({1000, 0})->Args({1000, 1})->Unit(benchmark::kSecond)->Iterations(1);

void compare_systems(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  neurogeom::Rng rng = neurogeom::Rng::for_item(13, neurogeom::Stream::fixture, 1);
  std::vector<neurogeom::RowMatrixXd> layers, areas;
  for (int i = 0; i < 5; ++i) layers.push_back(rng.normal_matrix(n, 500));
  for (int j = 0; j < 2; ++j) areas.push_back(layers[2 * j + 1] * rng.normal_matrix(500, 200) + rng.normal_matrix(n, 200));
  neurogeom::similarity::SimilarityOptions o;
  o.bootstrap = 200;
  o.num_threads = 2;
  for (auto _ : state) benchmark::DoNotOptimize(neurogeom::similarity::compare_systems(areas, layers, o).cka);
}
BENCHMARK(compare_systems)->Arg(200)->Arg(500)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
