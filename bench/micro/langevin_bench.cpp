// Langevin step throughput against the BLAS gemm rate on the same shapes (issue 5, item 5),
// and the BPKR solve time at P = 1000.
//   ./build/neurogeom_bench --benchmark_filter='Langevin|Gemm|Theory'
#include <benchmark/benchmark.h>

#include <cmath>

#include "neurogeom/core/parallel.hpp"
#include "neurogeom/core/rng.hpp"
#include "neurogeom/kernels/theory.hpp"
#include "neurogeom/langevin/sampler.hpp"

namespace {

using namespace neurogeom;

constexpr int kSamples = 256;  // P
constexpr int kInputs = 256;   // N_0

// Forward + backward products of a depth-2 network of width N on P samples, as plain gemms
// of the same shapes: the rate a perfect Langevin implementation would reach.
template <typename Scalar>
void BM_Gemm(benchmark::State& state) {
  use_single_threaded_blas();
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const int n = static_cast<int>(state.range(0));
  Rng rng(1);
  const Matrix x = rng.normal_matrix(kSamples, kInputs).cast<Scalar>();
  const Matrix w1 = rng.normal_matrix(n, kInputs).cast<Scalar>(), w2 = rng.normal_matrix(n, n).cast<Scalar>();
  Matrix h1(kSamples, n), h2(kSamples, n), g1(n, kInputs), g2(n, n), d1(kSamples, n);
  for (auto _ : state) {
    h1.noalias() = x * w1.transpose();
    h2.noalias() = h1 * w2.transpose();
    g2.noalias() = h2.transpose() * h1;
    d1.noalias() = h2 * w2;
    g1.noalias() = d1.transpose() * x;
    benchmark::DoNotOptimize(g1.data());
  }
  const double flops = 2.0 * kSamples * (2.0 * n * kInputs + 3.0 * n * n);
  state.counters["GFLOPs"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

template <langevin::Precision precision>
void BM_LangevinStep(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Rng rng(2);
  const RowMatrixXd x = rng.normal_matrix(kSamples, kInputs);
  const Eigen::VectorXd y = rng.normal_matrix(kSamples, 1);
  const RowMatrixXd x_test = x.topRows(1);
  langevin::LangevinOptions o;
  o.depth = 2;
  o.widths = {n};
  o.temperature = 0.1;
  o.step_size = 1e-4;
  o.burn_in = 0;
  o.num_steps = 20;
  o.thinning = 1000;
  o.record_every = 1000;
  o.num_chains = 1;
  o.record_hidden_kernels = false;
  o.precision = precision;
  double flops = 0;
  for (auto _ : state) {
    const langevin::LangevinResult r = langevin::run_langevin(x, y, x_test, Eigen::VectorXd(), o);
    flops = r.flops_per_step;
    benchmark::DoNotOptimize(r.test_mean.data());
  }
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * o.num_steps * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_TheoryP1000(benchmark::State& state) {
  Rng rng(3);
  const RowMatrixXd x = rng.normal_matrix(1000, 1200);
  const Eigen::VectorXd y = rng.normal_matrix(1000, 1);
  const RowMatrixXd x_test = rng.normal_matrix(200, 1200);
  kernels::TheoryOptions o;
  o.depth = 3;
  o.widths = {500};
  o.temperature = 0.01;
  for (auto _ : state) benchmark::DoNotOptimize(kernels::solve_theory(x, y, x_test, Eigen::VectorXd(), o).kernel_scale);
}

BENCHMARK(BM_Gemm<double>)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Gemm<float>)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LangevinStep<langevin::Precision::float64>)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LangevinStep<langevin::Precision::float32>)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TheoryP1000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

