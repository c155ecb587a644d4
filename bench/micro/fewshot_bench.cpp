// Few-shot scale benchmark (issue 4, item 5): K classes x 500 points x 2048 features,
// m = 1 and 5. Measures the pair geometry ("full theory") and the measured-error episodes
// separately, on the threads given by NEUROGEOM_BENCH_THREADS (default 2).
//   ./build/neurogeom_bench --benchmark_filter=Fewshot
#include <cstdlib>
#include <map>
#include <memory>

#include <benchmark/benchmark.h>

#include "neurogeom/core/rng.hpp"
#include "neurogeom/fewshot/fewshot.hpp"

namespace {

using namespace neurogeom;

int bench_threads() {
  const char* env = std::getenv("NEUROGEOM_BENCH_THREADS");
  return env ? std::atoi(env) : 2;
}

// Class c: center of norm ~0.4 in a random direction, per-unit standard deviations following
// a power law over a class-specific permutation of the units (a full-rank, anisotropic cloud,
// as deep-network features are). Errors come out at a few per cent for m = 1.
const data::ManifoldDataset& dataset(int classes) {
  static std::map<int, std::unique_ptr<data::ManifoldDataset>> cache;
  auto& slot = cache[classes];
  if (!slot) {
    constexpr Eigen::Index kPoints = 500, kFeatures = 2048;
    std::vector<Eigen::MatrixXd> clouds;
    std::vector<std::int64_t> labels;
    for (int c = 0; c < classes; ++c) {
      Rng rng = Rng::for_item(2024, Stream::fixture, static_cast<std::uint64_t>(c));
      std::vector<int> order(kFeatures);
      for (int i = 0; i < kFeatures; ++i) order[static_cast<std::size_t>(i)] = i;
      rng.shuffle(order.data(), order.size());
      Eigen::RowVectorXd scale(kFeatures);
      for (int i = 0; i < kFeatures; ++i) scale(order[static_cast<std::size_t>(i)]) = 0.25 / std::sqrt(1.0 + i);
      Eigen::MatrixXd x = rng.normal_matrix(kPoints, kFeatures);
      x = x.array().rowwise() * scale.array();
      const Eigen::RowVectorXd center = rng.normal_matrix(1, kFeatures) * (0.4 / std::sqrt(double(kFeatures)));
      clouds.push_back(x.rowwise() + center);
      labels.push_back(c);
    }
    slot = std::make_unique<data::ManifoldDataset>(data::ManifoldDataset::from_manifolds(std::move(clouds), labels));
  }
  return *slot;
}

void BM_FewshotGeometry(benchmark::State& state) {
  const data::ManifoldDataset& d = dataset(static_cast<int>(state.range(0)));
  fewshot::ClassGeometry classes;
  fewshot::PairGeometry pairs;
  fewshot::OverlapMethod used;
  for (auto _ : state) fewshot::estimate_pair_geometry(d, fewshot::OverlapMethod::automatic, bench_threads(), classes, pairs, &used);
  state.SetLabel(enum_name(used));
}

void BM_FewshotFull(benchmark::State& state) {
  // Measured errors (exact estimator, 10 episodes per m) + full theory for m = 1 and 5.
  const data::ManifoldDataset& d = dataset(static_cast<int>(state.range(0)));
  fewshot::FewshotOptions options;
  options.shots = {1, 5};
  options.episodes = static_cast<int>(state.range(1));
  options.num_threads = bench_threads();
  double e1 = 0, e5 = 0, p1 = 0;
  for (auto _ : state) {
    const fewshot::FewshotResult r = fewshot::estimate_fewshot(d, options);
    e1 = r.shots[0].mean_empirical_error;
    p1 = r.shots[0].mean_predicted_error;
    e5 = r.shots[1].mean_empirical_error;
  }
  state.counters["error_m1"] = e1;
  state.counters["predicted_m1"] = p1;
  state.counters["error_m5"] = e5;
}

BENCHMARK(BM_FewshotGeometry)->Arg(25)->Arg(50)->Arg(100)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_FewshotFull)->Args({25, 10})->Args({50, 10})->Args({100, 10})->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
