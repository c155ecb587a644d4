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

constexpr int kInputs = 256;  // N_0

}  // namespace
extern "C" void openblas_set_num_threads(int num_threads);
namespace {

// Forward + backward products of a depth-2 network of width N on P samples, as plain gemms
// of the same shapes: the rate a perfect Langevin implementation would reach.
// Arguments: width N, samples P, threads (BLAS threads here; parallel chains for Langevin).
template <typename Scalar>
void BM_Gemm(benchmark::State& state) {
  use_single_threaded_blas();
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const int n = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  openblas_set_num_threads(static_cast<int>(state.range(2)));
  Rng rng(1);
  const Matrix x = rng.normal_matrix(samples, kInputs).cast<Scalar>();
  const Matrix w1 = rng.normal_matrix(n, kInputs).cast<Scalar>(), w2 = rng.normal_matrix(n, n).cast<Scalar>();
  Matrix h1(samples, n), h2(samples, n), g1(n, kInputs), g2(n, n), d1(samples, n);
  for (auto _ : state) {
    h1.noalias() = x * w1.transpose();
    h2.noalias() = h1 * w2.transpose();
    g2.noalias() = h2.transpose() * h1;
    d1.noalias() = h2 * w2;
    g1.noalias() = d1.transpose() * x;
    benchmark::DoNotOptimize(g1.data());
  }
  openblas_set_num_threads(1);
  const double flops = 2.0 * samples * (2.0 * n * kInputs + 3.0 * n * n);
  state.counters["GFLOPs"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

template <langevin::Precision precision>
void BM_LangevinStep(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  Rng rng(2);
  const RowMatrixXd x = rng.normal_matrix(samples, kInputs);
  const Eigen::VectorXd y = rng.normal_matrix(samples, 1);
  const RowMatrixXd x_test = x.topRows(1);
  langevin::LangevinOptions o;
  o.depth = 2;
  o.widths = {n};
  o.temperature = 0.1;
  o.step_size = 1e-4;
  o.burn_in = 0;
  o.num_steps = 10;
  o.thinning = 1000;
  o.record_every = 1000;
  o.num_chains = threads;
  o.num_threads = threads;
  o.record_hidden_kernels = false;
  o.precision = precision;
  double flops = 0;
  for (auto _ : state) {
    const langevin::LangevinResult r = langevin::run_langevin(x, y, x_test, Eigen::VectorXd(), o);
    flops = r.flops_per_step;
    benchmark::DoNotOptimize(r.test_mean.data());
  }
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * o.num_steps * threads * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
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

// Rates use wall time (UseRealTime) so that the 2-thread rows count both cores.
#define NEUROGEOM_SHAPES \
  ArgsProduct({{512, 1024}, {256, 1024}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime()
BENCHMARK(BM_Gemm<double>)->NEUROGEOM_SHAPES;
BENCHMARK(BM_Gemm<float>)->NEUROGEOM_SHAPES;
BENCHMARK(BM_LangevinStep<langevin::Precision::float64>)->NEUROGEOM_SHAPES;
BENCHMARK(BM_LangevinStep<langevin::Precision::float32>)->NEUROGEOM_SHAPES;
BENCHMARK(BM_TheoryP1000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

