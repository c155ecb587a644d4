// NDK mean-predictor solver (docs/drift.md, "Volterra solver") at P = 200 training points,
// 1000 time steps, L = 2 (issue 11, item 4: target <= 5 s), for linear (factorised) units; ReLU
// (direct recursion, cost ~ n_t^2 P (P + 16) L kernel evaluations) at sizes that finish in
// seconds, from which P = 200, n_t = 1000 extrapolates (docs/performance.md, "Learning dynamics").
//   ./build/neurogeom_bench --benchmark_filter=Ndk
#include <benchmark/benchmark.h>

#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/dynamics/drift.hpp"
#include "neurogeom/dynamics/ndk.hpp"

namespace {

using namespace neurogeom;

// Arguments: activation (0 linear, 1 relu), training points P, time steps, threads.
void BM_NdkSolver(benchmark::State& state) {
  use_single_threaded_blas();
  const auto activation = state.range(0) == 0 ? kernels::Activation::linear : kernels::Activation::relu;
  const int p = static_cast<int>(state.range(1));
  const long steps = state.range(2);
  Rng rng = Rng::for_item(1, Stream::fixture, 0);
  const RowMatrixXd x = rng.normal_matrix(p, 50), x_test = rng.normal_matrix(16, 50);
  const Eigen::VectorXd y = rng.normal_matrix(p, 1).col(0);
  const dynamics::DynamicsModel model{activation, 2, 1.0, {2.0, 2.0, 2.0}, 0.05};
  for (auto _ : state) {
    const auto s = dynamics::solve_mean_predictor(model, x, y, x_test, 0.01, steps, static_cast<int>(state.range(3)));
    benchmark::DoNotOptimize(s.train_mean.data());
  }
  state.counters["kernel_evaluations"] = 0.5 * static_cast<double>(steps) * static_cast<double>(steps) * p * (p + 16) * 2;
}
BENCHMARK(BM_NdkSolver)
    ->Args({0, 200, 1000, 1})
    ->Args({1, 200, 100, 2})
    ->Args({1, 50, 300, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
